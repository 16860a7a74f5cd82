/* embed.c - the embedder interface: the built-in `hash` embedder, and `openai` /
 * `openai-compatible` through the LLM layer's /embeddings client (batched, retried, usage
 * reported as kind=embedding). The name stored with each chunk says which embedder and model
 * made it, so a query with another one is refused instead of silently ranking garbage. */
#include "rag/rag.h"

#include "llm/llm.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OPENAI_DEFAULT_MODEL "text-embedding-3-small"

struct yaa_rag_embedder {
    char name[160];
    int dim;
    int hosted;
    char *model;
    yaa_llm_client *client;
    void *usage_ctx;
};

void yaa_rag_embedder_set_usage_ctx(yaa_rag_embedder *e, void *usage_ctx) {
    e->usage_ctx = usage_ctx;
}

int yaa_rag_embedder_open_hash(int dim, yaa_rag_embedder **out, yaa_err *err) {
    *out = NULL;
    if (dim <= 0) dim = YAA_RAG_HASH_DIM;
    if (dim < 16 || dim > 8192)
        return yaa_err_set(err, YAA_EINVAL, "hash embedder: dimension %d not in 16..8192", dim);
    yaa_rag_embedder *e = calloc(1, sizeof *e);
    if (!e) return yaa_err_set(err, YAA_ENOMEM, "out of memory");
    if (dim == YAA_RAG_HASH_DIM)
        snprintf(e->name, sizeof e->name, "hash");
    else
        snprintf(e->name, sizeof e->name, "hash-%d", dim);
    e->dim = dim;
    *out = e;
    return 0;
}

int yaa_rag_embedder_open(const yaa_config *cfg, yaa_rag_embedder **out, yaa_err *err) {
    *out = NULL;
    const char *prov = cfg && cfg->embedding_provider ? cfg->embedding_provider : "hash";
    if (strcmp(prov, "hash") == 0) return yaa_rag_embedder_open_hash(0, out, err);
    int compat = strcmp(prov, "openai-compatible") == 0;
    if (!compat && strcmp(prov, "openai") != 0)
        return yaa_err_set(err, YAA_ECONFIG,
                           "EMBEDDING_PROVIDER '%s' is not one of hash, openai, openai-compatible",
                           prov);
    const char *model = cfg->embedding_model && *cfg->embedding_model ? cfg->embedding_model
                        : compat                                      ? NULL
                                                                      : OPENAI_DEFAULT_MODEL;
    if (!model)
        return yaa_err_set(err, YAA_ECONFIG,
                           "EMBEDDING_PROVIDER=openai-compatible needs EMBEDDING_MODEL (the "
                           "embedding model your server serves, e.g. nomic-embed-text)");
    if (!compat && (!cfg->openai_api_key || !*cfg->openai_api_key))
        return yaa_err_set(err, YAA_ECONFIG,
                           "EMBEDDING_PROVIDER=openai needs OPENAI_API_KEY (or use "
                           "EMBEDDING_PROVIDER=hash, the offline embedder)");
    if (compat && (!cfg->openai_base_url || !*cfg->openai_base_url))
        return yaa_err_set(err, YAA_ECONFIG,
                           "EMBEDDING_PROVIDER=openai-compatible needs OPENAI_BASE_URL (e.g. "
                           "http://localhost:11434/v1)");
    yaa_rag_embedder *e = calloc(1, sizeof *e);
    if (!e) return yaa_err_set(err, YAA_ENOMEM, "out of memory");
    e->hosted = 1;
    e->model = strdup(model);
    snprintf(e->name, sizeof e->name, "%s:%s", prov, model);
    yaa_llm_options o = {.provider = prov,
                         .api_key = cfg->openai_api_key,
                         .base_url = cfg->openai_base_url,
                         .timeout_ms = 60000};
    int rc = e->model ? yaa_llm_client_open(&o, &e->client, err)
                      : yaa_err_set(err, YAA_ENOMEM, "out of memory");
    if (rc) {
        yaa_rag_embedder_free(e);
        return yaa_err_prefix(err, "embedder %s: ", prov), rc;
    }
    *out = e;
    return 0;
}

void yaa_rag_embedder_free(yaa_rag_embedder *e) {
    if (!e) return;
    yaa_llm_client_free(e->client);
    free(e->model);
    free(e);
}

const char *yaa_rag_embedder_name(const yaa_rag_embedder *e) { return e->name; }
int yaa_rag_embedder_dim(const yaa_rag_embedder *e) { return e->dim; }

int yaa_rag_embed(yaa_rag_embedder *e, const char *const *texts, size_t n, float **out, int *dim,
                  yaa_err *err) {
    *out = NULL;
    *dim = e->dim;
    if (!e->hosted) {
        float *m = n ? malloc(n * (size_t)e->dim * sizeof *m) : NULL;
        if (n && !m) return yaa_err_set(err, YAA_ENOMEM, "out of memory");
        for (size_t i = 0; i < n; i++) yaa_rag_hash_embed(texts[i], m + i * (size_t)e->dim, e->dim);
        *out = m;
        return 0;
    }
    if (!n) return 0;
    float *m = NULL;
    size_t d = 0;
    int rc = yaa_llm_embed(e->client, e->model, texts, n, &m, &d, e->usage_ctx, err);
    if (rc) return yaa_err_prefix(err, "embedding with %s: ", e->name), rc;
    if (d == 0 || d > 65536 || (e->dim && (int)d != e->dim)) {
        free(m);
        return yaa_err_set(err, YAA_EPROVIDER, "embedding with %s: dimension %zu, expected %d",
                           e->name, d, e->dim);
    }
    e->dim = (int)d;
    /* Providers normally return unit vectors; make sure, the scorer relies on it. */
    for (size_t i = 0; i < n; i++) {
        float *v = m + i * d;
        double ss = 0;
        for (size_t j = 0; j < d; j++) ss += (double)v[j] * v[j];
        if (ss > 0) {
            float inv = (float)(1.0 / sqrt(ss));
            for (size_t j = 0; j < d; j++) v[j] *= inv;
        }
    }
    *out = m;
    *dim = e->dim;
    return 0;
}
