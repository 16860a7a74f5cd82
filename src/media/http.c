/* http.c - the one HTTP call the hosted media providers need: POST JSON, read a capped reply. */
#include "media/internal.h"

#include <curl/curl.h>
#include <pthread.h>

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init_once(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

static size_t on_body(char *p, size_t size, size_t nmemb, void *ud) {
    yaa_buf *b = ud;
    size_t n = size * nmemb;
    return yaa_buf_append(b, p, n) ? 0 : n;
}

int yaa__media_http_post(const char *url, const char *const *headers, const char *body,
                         long timeout_ms, yaa_buf *out, long *status, yaa_err *err) {
    pthread_once(&curl_once, curl_init_once);
    CURL *c = curl_easy_init();
    if (!c) return yaa_err_set(err, YAA_ENOMEM, "http: cannot start a request");
    struct curl_slist *hl = NULL;
    for (size_t i = 0; headers && headers[i]; i++) {
        struct curl_slist *t = curl_slist_append(hl, headers[i]);
        if (!t) {
            curl_slist_free_all(hl);
            curl_easy_cleanup(c);
            return yaa_err_set(err, YAA_ENOMEM, "http: out of memory");
        }
        hl = t;
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms < 10000 ? timeout_ms : 10000L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "yaa/" YAA_VERSION);
    CURLcode cc = curl_easy_perform(c);
    long code = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    curl_slist_free_all(hl);
    curl_easy_cleanup(c);
    *status = code;
    if (cc == CURLE_OPERATION_TIMEDOUT)
        return yaa_err_set(err, YAA_ETIMEOUT, "no reply within %ld ms", timeout_ms);
    if (cc == CURLE_WRITE_ERROR)
        return yaa_err_set(err, YAA_ELIMIT, "reply larger than %zu bytes", out->max);
    if (cc != CURLE_OK) return yaa_err_set(err, YAA_ENET, "%s", curl_easy_strerror(cc));
    return 0;
}
