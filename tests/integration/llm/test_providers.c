/* test_providers.c - the three LLM providers, embeddings and Tavily against local doubles that
 * speak the real wire formats: request shape, replies with usage (and their cost), 429 with
 * Retry-After, 500, a truncated body, a cut connection, invalid JSON repaired once, a reply
 * still invalid after the repair, slow replies past the timeout, refused keys. */
#include "test_util.h"

#include "doubles/double.h"
#include "llm/llm.h"
#include "llm/pricing.h"
#include "llm/tavily.h"

#include <math.h>

static yaa_double g_openai, g_anthropic, g_tavily;

#define MAX_EVENTS 32
typedef struct recorded {
    char provider[32];
    char model[64];
    yaa_usage_kind kind;
    long prompt, completion, units;
    double cost;
    yaa_usage_outcome outcome;
    int part;
    void *ctx;
} recorded;
static recorded g_ev[MAX_EVENTS];
static int g_nev;

static void hook(void *ud, void *ctx, const yaa_usage_event *ev) {
    (void)ud;
    if (g_nev >= MAX_EVENTS) return;
    recorded *r = &g_ev[g_nev++];
    snprintf(r->provider, sizeof r->provider, "%s", ev->provider);
    snprintf(r->model, sizeof r->model, "%s", ev->model ? ev->model : "");
    r->kind = ev->kind;
    r->prompt = ev->prompt_tokens;
    r->completion = ev->completion_tokens;
    r->units = ev->units;
    r->cost = ev->cost_usd;
    r->outcome = ev->outcome;
    r->part = ev->part;
    r->ctx = ctx;
}

static const char *SCHEMA =
    "{\"type\":\"object\",\"required\":[\"title\",\"sections\"],\"properties\":{"
    "\"title\":{\"type\":\"string\"},\"sections\":{\"type\":\"array\",\"items\":{"
    "\"type\":\"object\",\"required\":[\"heading\"],\"properties\":{\"heading\":{\"type\":"
    "\"string\"}}}}}}";
static const char *GOOD = "{\"title\":\"Coffee\",\"sections\":[{\"heading\":\"Beans\"}]}";

static int setup(void **state) {
    (void)state;
    if (yaa_double_start(&g_openai, "openai_double")) return -1;
    if (yaa_double_start(&g_anthropic, "anthropic_double")) return -1;
    if (yaa_double_start(&g_tavily, "tavily_double")) return -1;
    yaa_net_usage_set_hook(hook, NULL);
    return yaa_llm_pricing_load(NULL, NULL);
}

static int teardown(void **state) {
    (void)state;
    yaa_double_stop(&g_openai);
    yaa_double_stop(&g_anthropic);
    yaa_double_stop(&g_tavily);
    yaa_net_usage_set_hook(NULL, NULL);
    yaa_net_thread_cleanup();
    return 0;
}

static int reset(void **state) {
    (void)state;
    g_nev = 0;
    yaa_double_reset(&g_openai);
    yaa_double_reset(&g_anthropic);
    yaa_double_reset(&g_tavily);
    return 0;
}

typedef enum { P_OPENAI, P_ANTHROPIC, P_COMPAT } prov;

static yaa_double *double_of(prov p) { return p == P_ANTHROPIC ? &g_anthropic : &g_openai; }

static yaa_llm_client *open_client(prov p, long timeout_ms, int attempts) {
    char base[128];
    yaa_llm_options o = {.timeout_ms = timeout_ms,
                         .retry = {.max_attempts = attempts, .base_delay_ms = 5}};
    if (p == P_ANTHROPIC) {
        o.provider = "anthropic";
        o.api_key = "sk-ant-test";
        snprintf(base, sizeof base, "%s", g_anthropic.base);
    } else {
        o.provider = p == P_OPENAI ? "openai" : "openai-compatible";
        o.api_key = p == P_OPENAI ? "sk-test" : NULL;
        snprintf(base, sizeof base, "%s/v1/", g_openai.base);
        if (p == P_COMPAT) yaa_double_post(&g_openai, "/_control", "{\"expect_key\":\"\"}");
    }
    o.base_url = base;
    yaa_llm_client *c = NULL;
    yaa_err err;
    assert_int_equal(yaa_llm_client_open(&o, &c, &err), 0);
    return c;
}

static const char *model_of(prov p) {
    return p == P_ANTHROPIC ? "claude-sonnet-4-20250514" : p == P_OPENAI ? "gpt-4o" : "llama3.1";
}

static int chat(yaa_llm_client *c, prov p, const char *schema, yaa_llm_reply *rep, yaa_err *err,
                void *ctx) {
    yaa_llm_message m[] = {{"user", "Write about coffee."}};
    yaa_llm_request rq = {.model = model_of(p),
                          .system = "You write video scripts.",
                          .messages = m,
                          .nmessages = 1,
                          .max_tokens = 500,
                          .temperature = 0.3,
                          .json_schema = schema,
                          .usage_ctx = ctx};
    return yaa_llm_chat(c, &rq, rep, err);
}

/* The n-th request the double saw (a new reference). */
static json_t *request_body(yaa_double *d, size_t i, json_t **headers) {
    json_t *reqs = yaa_double_requests(d);
    json_t *r = json_array_get(reqs, i);
    json_t *body = json_loads(json_string_value(json_object_get(r, "body")), 0, NULL);
    if (headers) *headers = json_incref(json_object_get(r, "headers"));
    json_decref(reqs);
    return body;
}

static void check_ok(prov p) {
    yaa_llm_client *c = open_client(p, 5000, 3);
    yaa_llm_reply rep;
    yaa_err err;
    int ctx = 7;
    assert_int_equal(chat(c, p, NULL, &rep, &err, &ctx), 0);
    assert_string_equal(rep.text, "Hello from the double.");
    assert_int_equal(rep.prompt_tokens, 120);
    assert_int_equal(rep.completion_tokens, 30);
    assert_int_equal(rep.round_trips, 1);
    assert_null(rep.json);
    assert_int_equal(g_nev, 1);
    assert_int_equal(g_ev[0].outcome, YAA_USAGE_OK);
    assert_int_equal(g_ev[0].kind, YAA_USAGE_CHAT);
    assert_ptr_equal(g_ev[0].ctx, &ctx);
    assert_string_equal(g_ev[0].model, model_of(p));
    assert_string_equal(g_ev[0].provider, yaa_llm_client_provider(c));
    /* gpt-4o: 120 x $2.50/M + 30 x $10/M; sonnet 4: 120 x $3/M + 30 x $15/M; local: 0 */
    double want = p == P_OPENAI ? 0.0006 : p == P_ANTHROPIC ? 0.00081 : 0.0;
    assert_true(fabs(g_ev[0].cost - want) < 1e-12);
    assert_int_equal(yaa_double_violations(double_of(p)), 0);

    json_t *h = NULL;
    json_t *body = request_body(double_of(p), 0, &h);
    if (p == P_ANTHROPIC) {
        assert_string_equal(json_string_value(json_object_get(h, "x-api-key")), "sk-ant-test");
        assert_string_equal(json_string_value(json_object_get(body, "system")),
                            "You write video scripts.");
        assert_int_equal(json_integer_value(json_object_get(body, "max_tokens")), 500);
    } else {
        json_t *auth = json_object_get(h, "authorization");
        if (p == P_OPENAI)
            assert_string_equal(json_string_value(auth), "Bearer sk-test");
        else
            assert_null(auth);
        json_t *m0 = json_array_get(json_object_get(body, "messages"), 0);
        assert_string_equal(json_string_value(json_object_get(m0, "role")), "system");
        assert_int_equal(json_integer_value(json_object_get(
                             body, p == P_OPENAI ? "max_completion_tokens" : "max_tokens")),
                         500);
        assert_null(json_object_get(body, "response_format"));
    }
    assert_true(fabs(json_number_value(json_object_get(body, "temperature")) - 0.3) < 1e-9);
    json_decref(body);
    json_decref(h);
    yaa_llm_reply_free(&rep);
    yaa_llm_client_free(c);
}

static void test_ok_openai(void **s) { (void)s, check_ok(P_OPENAI); }
static void test_ok_anthropic(void **s) { (void)s, check_ok(P_ANTHROPIC); }
static void test_ok_compat(void **s) { (void)s, check_ok(P_COMPAT); }

/* 429 + Retry-After, 500, a cut connection: retried, reported as retry, then ok. */
static void check_retries(prov p) {
    yaa_double_script(double_of(p), "[\"429:1\",\"500\",\"truncated\",\"ok\"]");
    yaa_llm_client *c = open_client(p, 5000, 4);
    yaa_llm_reply rep;
    yaa_err err;
    assert_int_equal(chat(c, p, NULL, &rep, &err, NULL), 0);
    assert_int_equal(rep.attempts, 4);
    assert_int_equal(g_nev, 4);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(g_ev[i].outcome, YAA_USAGE_RETRY);
        assert_true(g_ev[i].cost == 0.0);
    }
    assert_int_equal(g_ev[3].outcome, YAA_USAGE_OK);
    assert_int_equal(yaa_double_violations(double_of(p)), 0);
    yaa_llm_reply_free(&rep);
    yaa_llm_client_free(c);
}

static void test_retries_openai(void **s) { (void)s, check_retries(P_OPENAI); }
static void test_retries_anthropic(void **s) { (void)s, check_retries(P_ANTHROPIC); }
static void test_retries_compat(void **s) { (void)s, check_retries(P_COMPAT); }

static void check_errors(prov p) {
    yaa_llm_client *c = open_client(p, 5000, 2);
    yaa_llm_reply rep;
    yaa_err err;
    /* 500 on every attempt */
    yaa_double_script(double_of(p), "[\"500\",\"500\"]");
    assert_int_equal(chat(c, p, NULL, &rep, &err, NULL), YAA_EPROVIDER);
    assert_non_null(strstr(err.msg, "server error after 2 attempt(s)"));
    assert_non_null(strstr(err.msg, "HTTP 500"));
    assert_null(rep.text);
    assert_int_equal(g_ev[g_nev - 1].outcome, YAA_USAGE_ERROR);
    /* 429 on every attempt */
    yaa_double_script(double_of(p), "[\"429:0\",\"429:0\"]");
    assert_int_equal(chat(c, p, NULL, &rep, &err, NULL), YAA_ELIMIT);
    assert_non_null(strstr(err.msg, "rate limited"));
    /* a complete HTTP reply whose body is cut JSON: not retried, a clear provider error */
    yaa_double_script(double_of(p), "[\"badjson\"]");
    assert_int_equal(chat(c, p, NULL, &rep, &err, NULL), YAA_EPROVIDER);
    assert_non_null(strstr(err.msg, "reply body is not JSON"));
    /* a refused key: not retried, names the variable, never shows the key */
    g_nev = 0;
    yaa_double_script(double_of(p), "[\"401\"]");
    assert_int_equal(chat(c, p, NULL, &rep, &err, NULL), YAA_EAUTH);
    assert_int_equal(g_nev, 1);
    assert_non_null(strstr(err.msg, p == P_ANTHROPIC ? "ANTHROPIC_API_KEY" : "OPENAI_API_KEY"));
    assert_null(strstr(err.msg, "sk-test"));
    assert_null(strstr(err.msg, "sk-ant-test"));
    /* a local server without the model (Ollama's 404): not retried, names the variable */
    if (p != P_ANTHROPIC) {
        g_nev = 0;
        yaa_double_script(double_of(p), "[\"404_model\"]");
        assert_int_equal(chat(c, p, NULL, &rep, &err, NULL), YAA_EPROVIDER);
        assert_int_equal(g_nev, 1);
        assert_non_null(strstr(err.msg, "LLM_MODEL"));
        assert_non_null(strstr(err.msg, "not found"));
        assert_non_null(strstr(err.msg, "try pulling it first"));
    }
    yaa_llm_client_free(c);
}

static void test_errors_openai(void **s) { (void)s, check_errors(P_OPENAI); }
static void test_errors_anthropic(void **s) { (void)s, check_errors(P_ANTHROPIC); }
static void test_errors_compat(void **s) { (void)s, check_errors(P_COMPAT); }

static void check_timeout(prov p) {
    yaa_llm_client *c = open_client(p, 300, 2);
    yaa_double_script(double_of(p), "[\"slow:1\",\"slow:1\"]");
    yaa_llm_reply rep;
    yaa_err err;
    assert_int_equal(chat(c, p, NULL, &rep, &err, NULL), YAA_ETIMEOUT);
    assert_non_null(strstr(err.msg, "300 ms"));
    assert_int_equal(g_nev, 2); /* one retry event, one error event */
    assert_int_equal(g_ev[0].outcome, YAA_USAGE_RETRY);
    assert_int_equal(g_ev[1].outcome, YAA_USAGE_ERROR);
    /* slow once, then a prompt answer */
    yaa_double_script(double_of(p), "[\"slow:1\",\"ok\"]");
    assert_int_equal(chat(c, p, NULL, &rep, &err, NULL), 0);
    yaa_llm_reply_free(&rep);
    yaa_llm_client_free(c);
}

static void test_timeout_openai(void **s) { (void)s, check_timeout(P_OPENAI); }
static void test_timeout_anthropic(void **s) { (void)s, check_timeout(P_ANTHROPIC); }
static void test_timeout_compat(void **s) { (void)s, check_timeout(P_COMPAT); }

/* JSON reply: valid at once; invalid then repaired; still invalid after the repair. */
static void check_json(prov p) {
    yaa_llm_client *c = open_client(p, 5000, 2);
    char ctl[512];
    json_t *good = json_string(GOOD);
    char *enc = json_dumps(good, JSON_ENCODE_ANY);
    snprintf(ctl, sizeof ctl, "{\"reply\":%s}", enc);
    free(enc);
    json_decref(good);
    yaa_double_post(double_of(p), "/_control", ctl);
    yaa_llm_reply rep;
    yaa_err err;
    assert_int_equal(chat(c, p, SCHEMA, &rep, &err, NULL), 0);
    assert_non_null(rep.json);
    assert_string_equal(json_string_value(json_object_get(rep.json, "title")), "Coffee");
    assert_int_equal(rep.round_trips, 1);
    json_t *body = request_body(double_of(p), 0, NULL);
    const char *sys = p == P_ANTHROPIC
                          ? json_string_value(json_object_get(body, "system"))
                          : json_string_value(json_object_get(
                                json_array_get(json_object_get(body, "messages"), 0), "content"));
    assert_non_null(strstr(sys, "JSON Schema"));
    if (p != P_ANTHROPIC) {
        json_t *rf = json_object_get(body, "response_format");
        assert_string_equal(json_string_value(json_object_get(rf, "type")), "json_schema");
        assert_true(json_is_object(json_object_get(json_object_get(rf, "json_schema"), "schema")));
    }
    json_decref(body);
    yaa_llm_reply_free(&rep);

    /* invalid, then valid: one repair round trip that carries the bad reply and the error */
    yaa_double_reset(double_of(p));
    if (p == P_COMPAT) yaa_double_post(&g_openai, "/_control", "{\"expect_key\":\"\"}");
    yaa_double_post(double_of(p), "/_control", ctl);
    yaa_double_script(double_of(p), "[\"invalid_reply\",\"ok\"]");
    g_nev = 0;
    assert_int_equal(chat(c, p, SCHEMA, &rep, &err, NULL), 0);
    assert_int_equal(rep.round_trips, 2);
    assert_int_equal(rep.prompt_tokens, 240);
    assert_int_equal(rep.completion_tokens, 60);
    assert_int_equal(g_nev, 2);
    assert_int_equal(g_ev[0].part, 0);
    assert_int_equal(g_ev[1].part, 1); /* the repair is the call's second billed exchange */
    assert_non_null(rep.json);
    body = request_body(double_of(p), 1, NULL);
    json_t *msgs = json_object_get(body, "messages");
    size_t n = json_array_size(msgs);
    json_t *bad = json_array_get(msgs, n - 2);
    json_t *fix = json_array_get(msgs, n - 1);
    assert_string_equal(json_string_value(json_object_get(bad, "role")), "assistant");
    assert_non_null(strstr(json_string_value(json_object_get(bad, "content")), "Half a title"));
    assert_string_equal(json_string_value(json_object_get(fix, "role")), "user");
    assert_non_null(strstr(json_string_value(json_object_get(fix, "content")), "not valid JSON"));
    json_decref(body);
    assert_int_equal(yaa_double_violations(double_of(p)), 0);
    yaa_llm_reply_free(&rep);

    /* JSON cut at max tokens, then JSON lacking required keys: fails after one repair */
    yaa_double_script(double_of(p), "[\"truncated_reply\",\"wrong_schema\"]");
    assert_int_equal(chat(c, p, SCHEMA, &rep, &err, NULL), YAA_EPARSE);
    assert_non_null(strstr(err.msg, "after one repair"));
    assert_non_null(strstr(err.msg, "missing required key \"title\""));
    body = request_body(double_of(p), 3, NULL);
    msgs = json_object_get(body, "messages");
    fix = json_array_get(msgs, json_array_size(msgs) - 1);
    assert_non_null(strstr(json_string_value(json_object_get(fix, "content")), "max_tokens"));
    json_decref(body);
    yaa_llm_reply_free(&rep);
    yaa_llm_client_free(c);
}

/* Without a scripted reply the doubles answer a value of the request's schema (what full
 * pipeline tests rely on). */
static void check_schema_sample(prov p) {
    yaa_llm_client *c = open_client(p, 5000, 1);
    yaa_llm_reply rep;
    yaa_err err;
    assert_int_equal(chat(c, p, SCHEMA, &rep, &err, NULL), 0);
    assert_int_equal(rep.round_trips, 1);
    assert_true(json_is_string(json_object_get(rep.json, "title")));
    assert_true(json_array_size(json_object_get(rep.json, "sections")) >= 1);
    yaa_llm_reply_free(&rep);
    yaa_llm_client_free(c);
}

static void test_schema_sample_openai(void **s) { (void)s, check_schema_sample(P_OPENAI); }
static void test_schema_sample_anthropic(void **s) { (void)s, check_schema_sample(P_ANTHROPIC); }

static void test_json_openai(void **s) { (void)s, check_json(P_OPENAI); }
static void test_json_anthropic(void **s) { (void)s, check_json(P_ANTHROPIC); }
static void test_json_compat(void **s) { (void)s, check_json(P_COMPAT); }

static void test_embeddings(void **state) {
    (void)state;
    yaa_llm_client *c = open_client(P_OPENAI, 5000, 2);
    const char *texts[70];
    char store[70][32];
    for (int i = 0; i < 70; i++) {
        snprintf(store[i], sizeof store[i], "chunk number %d", i);
        texts[i] = store[i];
    }
    float *v = NULL;
    size_t dim = 0;
    yaa_err err;
    assert_int_equal(yaa_llm_embed(c, "text-embedding-3-small", texts, 70, &v, &dim, NULL, &err),
                     0);
    assert_int_equal(dim, 8);
    json_t *reqs = yaa_double_requests(&g_openai);
    assert_int_equal(json_array_size(reqs), 2); /* batches of 64 */
    json_decref(reqs);
    assert_int_equal(g_nev, 2);
    assert_int_equal(g_ev[0].kind, YAA_USAGE_EMBEDDING);
    assert_int_equal(g_ev[0].prompt, 64 * 3);
    assert_int_equal(g_ev[1].units, 6);
    assert_int_equal(g_ev[1].part, 1);
    assert_true(fabs(g_ev[0].cost - 64 * 3 * 0.02 / 1e6) < 1e-15);
    /* the same text gives the same vector, wherever its batch */
    float *again = NULL;
    const char *one[] = {texts[65]};
    assert_int_equal(yaa_llm_embed(c, "text-embedding-3-small", one, 1, &again, &dim, NULL, &err),
                     0);
    assert_memory_equal(again, v + 65 * dim, dim * sizeof(float));
    free(again);
    free(v);
    assert_int_equal(yaa_double_violations(&g_openai), 0);
    yaa_llm_client_free(c);

    c = open_client(P_ANTHROPIC, 5000, 1);
    assert_int_equal(yaa_llm_embed(c, "x", texts, 1, &v, &dim, NULL, &err), YAA_EINVAL);
    yaa_llm_client_free(c);
}

static void test_tavily(void **state) {
    (void)state;
    yaa_tavily_options o = {.api_key = "tvly-test",
                            .base_url = g_tavily.base,
                            .max_results = 3,
                            .retry = {.max_attempts = 2, .base_delay_ms = 5}};
    yaa_search_results r;
    yaa_err err;
    yaa_double_script(&g_tavily, "[\"503\",\"ok\"]");
    assert_int_equal(yaa_llm_tavily_search(&o, "korean street food", &r, &err), 0);
    assert_int_equal(r.n, 3);
    assert_string_equal(r.items[0].url, "https://example.com/1");
    assert_non_null(strstr(r.items[1].title, "korean street food"));
    assert_non_null(strstr(r.items[2].snippet, "Snippet 3"));
    yaa_llm_search_results_free(&r);
    assert_int_equal(yaa_double_violations(&g_tavily), 0);
    o.api_key = "tvly-wrong";
    assert_int_equal(yaa_llm_tavily_search(&o, "x", &r, &err), YAA_EAUTH);
    assert_non_null(strstr(err.msg, "TAVILY_API_KEY"));
    assert_null(strstr(err.msg, "tvly-wrong"));
    o.api_key = "tvly-test";
    yaa_double_script(&g_tavily, "[\"432\"]");
    assert_int_equal(yaa_llm_tavily_search(&o, "x", &r, &err), YAA_ELIMIT);
    assert_non_null(strstr(err.msg, "usage limit"));
    o.api_key = NULL;
    assert_int_equal(yaa_llm_tavily_search(&o, "x", &r, &err), YAA_ECONFIG);
}

static void test_from_config(void **state) {
    (void)state;
    yaa_config cfg = {0};
    cfg.llm_provider = "anthropic";
    cfg.anthropic_api_key = "sk-ant-test";
    cfg.anthropic_base_url = g_anthropic.base;
    cfg.openai_base_url = "https://api.openai.com/v1";
    assert_string_equal(yaa_llm_provider_for_model(&cfg, "claude-sonnet-4-20250514"), "anthropic");
    /* gpt-4o without an OpenAI key goes to the configured provider */
    assert_string_equal(yaa_llm_provider_for_model(&cfg, "gpt-4o"), "anthropic");
    cfg.openai_api_key = "sk-test";
    assert_string_equal(yaa_llm_provider_for_model(&cfg, "gpt-4o"), "openai");
    cfg.llm_provider = "openai-compatible";
    assert_string_equal(yaa_llm_provider_for_model(&cfg, "claude-3-5-haiku"), "openai-compatible");
    cfg.llm_provider = "offline";
    yaa_llm_client *c = NULL;
    yaa_err err;
    assert_int_equal(yaa_llm_client_from_config(&cfg, "gpt-4o", &c, &err), YAA_EUNAVAILABLE);
    cfg.llm_provider = "anthropic";
    assert_int_equal(yaa_llm_client_from_config(&cfg, "claude-3-5-haiku-20241022", &c, &err), 0);
    assert_string_equal(yaa_llm_client_provider(c), "anthropic");
    yaa_llm_client_free(c);
    yaa_llm_options o = {.provider = "openai-compatible"};
    assert_int_equal(yaa_llm_client_open(&o, &c, &err), YAA_ECONFIG);
    assert_non_null(strstr(err.msg, "OPENAI_BASE_URL"));
    o.provider = "openai";
    assert_int_equal(yaa_llm_client_open(&o, &c, &err), YAA_ECONFIG);
    assert_non_null(strstr(err.msg, "OPENAI_API_KEY"));
    o.provider = "gemini";
    assert_int_equal(yaa_llm_client_open(&o, &c, &err), YAA_EINVAL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_ok_openai, reset),
        cmocka_unit_test_setup(test_ok_anthropic, reset),
        cmocka_unit_test_setup(test_ok_compat, reset),
        cmocka_unit_test_setup(test_retries_openai, reset),
        cmocka_unit_test_setup(test_retries_anthropic, reset),
        cmocka_unit_test_setup(test_retries_compat, reset),
        cmocka_unit_test_setup(test_errors_openai, reset),
        cmocka_unit_test_setup(test_errors_anthropic, reset),
        cmocka_unit_test_setup(test_errors_compat, reset),
        cmocka_unit_test_setup(test_timeout_openai, reset),
        cmocka_unit_test_setup(test_timeout_anthropic, reset),
        cmocka_unit_test_setup(test_timeout_compat, reset),
        cmocka_unit_test_setup(test_json_openai, reset),
        cmocka_unit_test_setup(test_json_anthropic, reset),
        cmocka_unit_test_setup(test_json_compat, reset),
        cmocka_unit_test_setup(test_schema_sample_openai, reset),
        cmocka_unit_test_setup(test_schema_sample_anthropic, reset),
        cmocka_unit_test_setup(test_embeddings, reset),
        cmocka_unit_test_setup(test_tavily, reset),
        cmocka_unit_test_setup(test_from_config, reset),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
