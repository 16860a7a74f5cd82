/* embed.c - embeddings over POST {base}/embeddings (OpenAI and compatible servers), batched. */
#include "llm/llm_internal.h"

#include "core/util.h"

#include <stdlib.h>
#include <string.h>

#define EMBED_BATCH 64

/* Parses one reply into rows [off, off+count) of *vec; fixes *dim on the first batch. */
static int parse_batch(const yaa_http_reply *hr, size_t off, size_t count, float **vec, size_t *dim,
                       size_t total, llm_turn *t, yaa_err *err) {
    json_t *root = json_loadb(hr->body.data, hr->body.len, 0, NULL);
    json_t *data = json_object_get(root, "data");
    int rc = 0;
    if (!json_is_array(data) || json_array_size(data) != count) {
        rc =
            yaa_err_set(err, YAA_EPROVIDER, "embeddings: expected %zu vectors in \"data\", got %zu",
                        count, json_array_size(data));
        goto out;
    }
    size_t i;
    json_t *item;
    json_array_foreach(data, i, item) {
        json_t *emb = json_object_get(item, "embedding");
        json_t *ix = json_object_get(item, "index");
        size_t row = json_is_integer(ix) ? (size_t)json_integer_value(ix) : i;
        if (!json_is_array(emb) || json_array_size(emb) == 0 || row >= count) {
            rc =
                yaa_err_set(err, YAA_EPROVIDER, "embeddings: data[%zu] has no usable embedding", i);
            goto out;
        }
        if (!*vec) {
            *dim = json_array_size(emb);
            *vec = calloc(total * *dim, sizeof **vec);
            if (!*vec) {
                rc = yaa_err_set(err, YAA_ENOMEM, "embeddings: out of memory");
                goto out;
            }
        }
        if (json_array_size(emb) != *dim) {
            rc = yaa_err_set(err, YAA_EPROVIDER,
                             "embeddings: vectors of different sizes (%zu and %zu)", *dim,
                             json_array_size(emb));
            goto out;
        }
        float *dst = *vec + (off + row) * *dim;
        size_t k;
        json_t *x;
        json_array_foreach(emb, k, x) dst[k] = (float)json_number_value(x);
    }
    json_t *u = json_object_get(root, "usage");
    t->prompt_tokens = (long)json_integer_value(json_object_get(u, "prompt_tokens"));
out:
    json_decref(root);
    return rc;
}

int yaa_llm_embed(yaa_llm_client *c, const char *model, const char *const *texts, size_t n,
                  float **vectors, size_t *dim, void *usage_ctx, yaa_err *err) {
    yaa_err local;
    if (!err) err = &local;
    *vectors = NULL;
    *dim = 0;
    if (!c || !model || !*model || (n && !texts))
        return yaa_err_set(err, YAA_EINVAL, "embeddings: a model and texts are needed");
    if (c->kind == LLM_ANTHROPIC)
        return yaa_err_set(err, YAA_EINVAL,
                           "embeddings: Anthropic has no embeddings API; set EMBEDDING_PROVIDER "
                           "to openai, openai-compatible or hash");
    int rc = 0;
    for (size_t off = 0; off < n && !rc; off += EMBED_BATCH) {
        size_t count = n - off < EMBED_BATCH ? n - off : EMBED_BATCH;
        json_t *body = json_object();
        json_t *input = json_array();
        for (size_t i = 0; i < count; i++)
            json_array_append_new(input, json_string(texts[off + i] ? texts[off + i] : ""));
        json_object_set_new(body, "model", json_string(model));
        json_object_set_new(body, "input", input);
        json_object_set_new(body, "encoding_format", json_string("float"));
        yaa_http_reply hr;
        yaa_net_http_reply_init(&hr);
        uint64_t t0 = yaa_mono_ns();
        int part = (int)(off / EMBED_BATCH);
        rc = yaa_llm__post(c, "/embeddings", body, model, YAA_USAGE_EMBEDDING, usage_ctx, part, &hr,
                           err);
        json_decref(body);
        llm_turn t = {0};
        if (!rc) rc = parse_batch(&hr, off, count, vectors, dim, n, &t, err);
        double ms = (double)(yaa_mono_ns() - t0) / 1e6;
        yaa_llm__report(c, model, YAA_USAGE_EMBEDDING, usage_ctx, rc ? NULL : &t, (long)count, ms,
                        rc ? YAA_USAGE_ERROR : YAA_USAGE_OK, rc ? err->msg : NULL, part);
        yaa_net_http_reply_free(&hr);
    }
    if (rc) {
        free(*vectors);
        *vectors = NULL;
        *dim = 0;
    }
    return rc;
}
