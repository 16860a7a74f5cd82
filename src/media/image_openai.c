/* image_openai.c - the optional `openai` image provider: POST /v1/images/generations with
 * response_format b64_json, the decoded PNG written where the card renderer will use it. */
#include "media/media_internal.h"
#include "net/net.h"
#include "net/usage.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void openai_detail(const yaa_buf *body, char *out, size_t n) {
    json_error_t je;
    json_t *j = json_loadb(body->data ? body->data : "", body->len, 0, &je);
    const char *msg = json_string_value(json_object_get(json_object_get(j, "error"), "message"));
    if (msg)
        snprintf(out, n, "%s", msg);
    else
        snprintf(out, n, "%.200s", body->len ? body->data : "(empty reply)");
    json_decref(j);
}

static const char *size_for(const char *model, bool vertical) {
    if (yaa_str_startswith(model, "gpt-image")) return vertical ? "1024x1536" : "1536x1024";
    if (yaa_str_eq(model, "dall-e-2")) return "1024x1024";
    return vertical ? "1024x1792" : "1792x1024";
}

int yaa_media_image_generate(const yaa_media_env *env_in, const char *prompt, bool vertical,
                             const char *png_path, yaa_err *err) {
    yaa_media_env env;
    yaa_media__env_defaults(env_in, &env);
    if (yaa_str_eq(env.image_provider, "cards"))
        return yaa_err_set(err, YAA_ENOTFOUND, "IMAGE_PROVIDER=cards draws cards without pictures");
    bool compat = yaa_str_eq(env.image_provider, "openai-compatible");
    if (!compat && !yaa_str_eq(env.image_provider, "openai"))
        return yaa_err_set(err, YAA_ECONFIG,
                           "IMAGE_PROVIDER '%s' is unknown (cards, openai or openai-compatible)",
                           env.image_provider);
    if (compat && (!env.image_base_url || !*env.image_base_url))
        return yaa_err_set(err, YAA_ECONFIG,
                           "IMAGE_PROVIDER=openai-compatible needs IMAGE_BASE_URL (the server's "
                           "address, e.g. http://127.0.0.1:7860)");
    if (!compat && (!env.openai_api_key || !*env.openai_api_key))
        return yaa_err_set(
            err, YAA_ECONFIG,
            "IMAGE_PROVIDER=openai needs OPENAI_API_KEY (or use IMAGE_PROVIDER=cards)");
    /* a local server usually wants no key; one set in OPENAI_API_KEY is still sent */
    const char *key = env.openai_api_key && *env.openai_api_key ? env.openai_api_key : "none";
    const char *provider = compat ? "openai-compatible" : "openai";
    if (!prompt || !*prompt) return yaa_err_set(err, YAA_EINVAL, "image: empty prompt");
    const char *model = env.openai_image_model;
    json_t *body = json_pack("{s:s, s:s, s:i, s:s}", "model", model, "prompt", prompt, "n", 1,
                             "size", size_for(model, vertical));
    if (body && !yaa_str_startswith(model, "gpt-image"))
        json_object_set_new(body, "response_format", json_string("b64_json"));
    char *bs = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    if (!bs) return yaa_err_set(err, YAA_EINVAL, "image: prompt is not valid UTF-8");
    char url[1024], auth[512];
    const char *base = compat ? env.image_base_url : env.openai_base_url;
    size_t bl = strlen(base);
    while (bl && base[bl - 1] == '/') bl--;
    bool has_v1 = bl >= 3 && !strncmp(base + bl - 3, "/v1", 3);
    snprintf(url, sizeof url, "%.*s%s/images/generations", (int)bl, base, has_v1 ? "" : "/v1");
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", key);
    const char *hdrs[] = {auth, "Content-Type: application/json", NULL};
    yaa_http_reply rep;
    yaa_net_http_reply_init(&rep);
    unsigned char *png = NULL;
    json_t *j = NULL;
    int rc = yaa_media__http_post(&env, url, hdrs, 2, bs, &rep, err);
    free(bs);
    long status = rep.status;
    const yaa_buf *reply = &rep.body;
    if (rc) {
        if (rc != YAA_ECANCELLED) yaa_err_prefix(err, "OpenAI images connection failed: ");
        yaa_media__usage(&env, YAA_USAGE_IMAGE, provider, model, 0, rep.elapsed_ms, err->msg);
        goto out;
    }
    if (status < 200 || status > 299) {
        char detail[256];
        openai_detail(reply, detail, sizeof detail);
        int code = status == 401 || status == 403 ? YAA_EAUTH
                   : status == 429                ? YAA_ELIMIT
                                                  : YAA_EPROVIDER;
        rc = yaa_err_set(err, code, "OpenAI images error (HTTP %ld): %s", status, detail);
        yaa_media__usage(&env, YAA_USAGE_IMAGE, provider, model, 0, rep.elapsed_ms, err->msg);
        goto out;
    }
    json_error_t je;
    j = json_loadb(reply->data ? reply->data : "", reply->len, 0, &je);
    const char *b64 = json_string_value(
        json_object_get(json_array_get(json_object_get(j, "data"), 0), "b64_json"));
    if (!b64) {
        rc = yaa_err_set(err, YAA_EPROVIDER, "OpenAI images reply has no data[0].b64_json");
        goto out;
    }
    size_t b64len = strlen(b64), cap = b64len / 4 * 3 + 3, plen = 0;
    png = malloc(cap);
    if (!png) {
        rc = yaa_err_set(err, YAA_ENOMEM, "image: out of memory");
        goto out;
    }
    if (sodium_base642bin(png, cap, b64, b64len, "\r\n", &plen, NULL,
                          sodium_base64_VARIANT_ORIGINAL) ||
        plen < 8 || memcmp(png, "\x89PNG\r\n\x1a\n", 8)) {
        rc = yaa_err_set(err, YAA_EPROVIDER, "OpenAI images reply is not a base64 PNG");
        goto out;
    }
    if (yaa_write_file(png_path, png, plen)) {
        rc = yaa_err_set(err, YAA_EIO, "cannot write '%s'", png_path);
        goto out;
    }
    yaa_media__usage(&env, YAA_USAGE_IMAGE, provider, model, 1, rep.elapsed_ms, NULL);
out:
    free(png);
    json_decref(j);
    yaa_net_http_reply_free(&rep);
    return rc;
}
