/* oauth.c - the token endpoint (form-encoded POST): the refresh-token exchange before every
 * upload, and the request connect.c uses for the authorization-code exchange. */
#include "youtube/youtube_internal.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

int yaa_youtube__form_put(yaa_buf *b, const char *key, const char *value) {
    static const char hex[] = "0123456789ABCDEF";
    int rc = b->len ? yaa_buf_putc(b, '&') : 0;
    if (!rc) rc = yaa_buf_puts(b, key);
    if (!rc) rc = yaa_buf_putc(b, '=');
    for (const unsigned char *p = (const unsigned char *)value; !rc && *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_' || *p == '~') {
            rc = yaa_buf_putc(b, (char)*p);
        } else {
            char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            rc = yaa_buf_append(b, e, 3);
        }
    }
    return rc;
}

int yaa_youtube__token_post(const yaa_youtube_options *o, yaa_buf *form, const char *what,
                            json_t **reply, yaa_err *err) {
    *reply = NULL;
    const char *h[] = {"Content-Type: application/x-www-form-urlencoded",
                       "Accept: application/json"};
    yaa_http_request rq = yaa_youtube__request(
        o, "POST", o->token_url ? o->token_url : YAA_YOUTUBE_TOKEN_URL, h, 2, 60000, 64 * 1024);
    rq.body = form->data;
    rq.body_len = form->len;
    yaa_http_reply r;
    yaa_net_http_reply_init(&r);
    int rc = yaa_net_http_send(&rq, &o->retry, &r, err);
    /* the form holds the client secret and a refresh token or code; the reply, tokens */
    if (form->data) sodium_memzero(form->data, form->len);
    if (rc) {
        yaa_err_prefix(err, "youtube: %s: ", what);
    } else if (r.status != 200) {
        rc = yaa_youtube_map_error(&r, what, err);
    } else if (!(*reply = json_loadb(r.body.data, r.body.len, 0, NULL))) {
        rc = yaa_err_set(err, YAA_EPROVIDER, "youtube: %s answered with invalid JSON", what);
    }
    if (r.body.data) sodium_memzero(r.body.data, r.body.len);
    yaa_net_http_reply_free(&r);
    return rc;
}

int yaa_youtube_access_token(const yaa_youtube_options *o, char **access_token, yaa_err *err) {
    *access_token = NULL;
    if (!o->client_id || !*o->client_id || !o->client_secret || !*o->client_secret ||
        !o->refresh_token || !*o->refresh_token)
        return yaa_err_set(err, YAA_ECONFIG,
                           "youtube: set YOUTUBE_CLIENT_ID, YOUTUBE_CLIENT_SECRET and "
                           "YOUTUBE_REFRESH_TOKEN to publish (or run with --dry-run)");
    yaa_buf form;
    yaa_buf_init(&form, 16 * 1024);
    int rc = yaa_youtube__form_put(&form, "client_id", o->client_id);
    if (!rc) rc = yaa_youtube__form_put(&form, "client_secret", o->client_secret);
    if (!rc) rc = yaa_youtube__form_put(&form, "refresh_token", o->refresh_token);
    if (!rc) rc = yaa_youtube__form_put(&form, "grant_type", "refresh_token");
    if (rc) {
        yaa_buf_free(&form);
        return yaa_err_set(err, rc, "youtube: credentials too long");
    }
    json_t *root = NULL;
    rc = yaa_youtube__token_post(o, &form, "the token exchange", &root, err);
    yaa_buf_free(&form);
    if (!rc) {
        const char *tok = json_string_value(json_object_get(root, "access_token"));
        if (!tok || !*tok)
            rc = yaa_err_set(err, YAA_EPROVIDER, "youtube: token reply has no access_token");
        else if (!(*access_token = strdup(tok)))
            rc = yaa_err_set(err, YAA_ENOMEM, "youtube: out of memory");
    }
    json_decref(root);
    return rc;
}
