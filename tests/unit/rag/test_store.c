/* test_store.c - the rag store and retrieval on SQLite (FTS5 trigram + blob vectors). The same
 * cases run on PostgreSQL in tests/integration/rag/test_rag_pg.c. */
#include "rag_store_cases.h"

#include "doubles/double.h"
#include "net/usage.h"

static int embed_events, embed_inputs;

static void on_usage(void *ud, void *ctx, const yaa_usage_event *ev) {
    (void)ud;
    assert_ptr_equal(ctx, &embed_events);
    if (ev->kind == YAA_USAGE_EMBEDDING && ev->outcome == YAA_USAGE_OK) {
        embed_events++;
        embed_inputs += (int)ev->units;
    }
}

/* The openai embedder through the LLM layer against the OpenAI double: batched requests,
 * the model in the stored embedder name, usage reported, nothing re-embedded when nothing
 * changed, and the hash embedder refused on that index. */
static void case_openai_embedder(void **state) {
    store_env *e = *state;
    yaa_double d;
    assert_int_equal(yaa_double_start(&d, "openai_double"), 0);
    assert_int_equal(yaa_double_post(&d, "/_control", "{\"dim\": 16}"), 200);
    char base[128];
    snprintf(base, sizeof base, "%s/v1", d.base);
    e->cfg.embedding_provider = "openai";
    e->cfg.openai_api_key = "sk-test";
    e->cfg.openai_base_url = base;
    yaa_net_usage_set_hook(on_usage, NULL);
    yaa_err err = {0};
    yaa_rag_embedder *emb;
    assert_int_equal(yaa_rag_embedder_open(&e->cfg, &emb, &err), 0);
    assert_string_equal(yaa_rag_embedder_name(emb), "openai:text-embedding-3-small");
    yaa_rag_embedder_set_usage_ctx(emb, &embed_events);
    yaa_rag_index_stats st;
    if (yaa_rag_index_with(e->db, &e->cfg, emb, "gg", &st, &err)) fail_msg("index: %s", err.msg);
    assert_int_equal(st.embedded, st.chunks);
    assert_int_equal(embed_inputs, st.chunks);
    assert_int_equal(embed_events, (st.chunks + 63) / 64); /* batches of 64 inputs */
    json_t *reqs = yaa_double_requests(&d);
    assert_int_equal(json_array_size(reqs), (size_t)embed_events);
    json_decref(reqs);
    assert_int_equal(yaa_double_violations(&d), 0);
    /* Unchanged: no request at all. */
    int before = embed_events;
    assert_int_equal(yaa_rag_index_with(e->db, &e->cfg, emb, "gg", &st, &err), 0);
    assert_int_equal(st.embedded, 0);
    assert_int_equal(embed_events, before);
    yaa_db_rag_state s;
    assert_int_equal(yaa_db_rag_state_get(e->db, "gg", &s, &err), 0);
    assert_string_equal(s.embedder, "openai:text-embedding-3-small");
    assert_int_equal(s.dim, 16);
    yaa_db_rag_state_free(&s);
    /* The double's vectors are a hash of the text: the exact chunk text comes back first. */
    yaa_rag_chunks c;
    yaa_rag_chunks_init(&c);
    assert_int_equal(yaa_rag_chunk_channel(&c, e->channels, e->output, "gg", &err), 0);
    yaa_rag_results r;
    assert_int_equal(yaa_rag_search(e->db, emb, "gg", c.v[3].text, 3, YAA_RAG_VECTOR, &r, &err), 0);
    assert_true(r.n > 0);
    assert_string_equal(r.hits[0].section, c.v[3].section);
    assert_true(r.hits[0].vec_score > 0.999f);
    yaa_rag_results_free(&r);
    yaa_rag_chunks_free(&c);
    yaa_rag_embedder_free(emb);
    /* The hash embedder is refused on this index. */
    assert_int_equal(yaa_rag_search(e->db, NULL, "gg", "thumbnails", 3, YAA_RAG_HYBRID, &r, &err),
                     YAA_ECONFLICT);
    assert_non_null(strstr(err.msg, "'openai:text-embedding-3-small'"));
    /* openai-compatible needs a model; openai needs a key. */
    e->cfg.embedding_provider = "openai-compatible";
    assert_int_equal(yaa_rag_embedder_open(&e->cfg, &emb, &err), YAA_ECONFIG);
    assert_non_null(strstr(err.msg, "EMBEDDING_MODEL"));
    e->cfg.embedding_provider = "openai";
    e->cfg.openai_api_key = NULL;
    assert_int_equal(yaa_rag_embedder_open(&e->cfg, &emb, &err), YAA_ECONFIG);
    assert_non_null(strstr(err.msg, "OPENAI_API_KEY"));
    yaa_net_usage_set_hook(NULL, NULL);
    yaa_double_stop(&d);
}

static char base[PATH_MAX];
static int seq;

static int store_fresh_url(char *url, size_t n) {
    snprintf(url, n, "sqlite:///%s/db%d.sqlite", base, ++seq);
    return 0;
}

int main(void) {
    yaa_test_tmpdir(base, sizeof base);
    const struct CMUnitTest tests[] = {
        RAG_STORE_CASES,
        cmocka_unit_test_setup_teardown(case_openai_embedder, store_setup, store_teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    yaa_test_rmrf(base);
    return rc;
}
