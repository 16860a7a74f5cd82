/* s3.c - the S3 backend over libcurl: PUT / GET / HEAD / DELETE / ListObjectsV2 and
 * multipart upload, signed with libcurl's built-in SigV4 (CURLOPT_AWS_SIGV4).
 *
 *   object URL   path style:   <endpoint>/<bucket>/<prefix>/<key>
 *                virtual host: <scheme>://<bucket>.<host>/<prefix>/<key>
 *   payload      every request carries x-amz-content-sha256 with the body's real SHA-256
 *                (signed), so the server refuses a body damaged on the way; downloads are
 *                hashed as they arrive and compared by the caller.
 *   large files  >= multipart_min (64 MiB): CreateMultipartUpload, UploadPart (each part retried on
 * its own, read again from the file), CompleteMultipartUpload; aborted on failure. failures network
 * errors, timeouts, 408/429/5xx are retried with backoff (Retry-After honoured); every request has
 * a connect timeout and a stall limit (no byte for timeout_ms) plus an overall cap; errors name the
 * method, the key and the endpoint, and S3's <Code>/<Message>, never the credentials.
 *
 * Temporary credentials: the session token goes in x-amz-security-token (signed with the rest)
 * and in a presigned URL's signed query.
 *
 * Queries are written in SigV4's canonical form (sorted, encoded, "k=v") because libcurl
 * 7.88 signs the query exactly as given. */
#include "store/store_internal.h"

#include "core/buf.h"
#include "core/log.h"
#include "core/util.h"
#include "net/net.h"

#include <curl/curl.h>
#include <sodium.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define S3_XML_MAX ((size_t)4 * 1024 * 1024)

typedef struct s3 {
    char *base;        /* URL up to the object path: "http://h:9000/bucket" or "https://b.h" */
    char *host;        /* Host header value of base, for presigning */
    char *path_pre;    /* URL path before the key: "/bucket/prefix/" or "/prefix/" */
    char *bucket_path; /* URL path of the bucket itself: "/bucket" or "/" */
    char *prefix;      /* "" or "prefix/" */
    char *region;
    char *access;
    char *secret;
    char *token;   /* "x-amz-security-token: <session token>" or NULL */
    char *token_q; /* the token URI-encoded for a presigned query, or NULL */
    char sigv4[160];
    long timeout_ms;
    size_t part_size;
    size_t multipart_min;
    int max_attempts;
    long base_delay_ms;
} s3;

/* ---- one curl handle per thread, reused for keep-alive ----------------------------------- */

static pthread_key_t curl_key;
static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_free_handle(void *p) { curl_easy_cleanup(p); }
static void curl_key_init(void) { pthread_key_create(&curl_key, curl_free_handle); }

static CURL *thread_curl(void) {
    pthread_once(&curl_once, curl_key_init);
    CURL *c = pthread_getspecific(curl_key);
    if (!c) {
        yaa_net_global_init();
        c = curl_easy_init();
        if (c) pthread_setspecific(curl_key, c);
    } else {
        curl_easy_reset(c);
    }
    return c;
}

/* ---- a request --------------------------------------------------------------------------- */

typedef struct s3_req {
    const char *method;
    const char *key;   /* object key without prefix; NULL = the bucket */
    const char *query; /* canonical query ("uploads=", "partNumber=1&uploadId=x") or NULL */
    const char *payload_sha;
    /* body: memory, or a range of a file */
    const char *body;
    size_t body_len;
    int fd;
    uint64_t off, len;
    const char *const *headers; /* extra "Name: value" */
    size_t nheaders;
    int out_fd; /* >= 0: a 2xx body goes here (hashed), else into rep.body */
} s3_req;

typedef struct s3_rep {
    long status;
    yaa_buf body; /* error or XML body (capped) */
    char etag[128];
    char sha[YAA_SHA256_HEX]; /* of what went to out_fd */
    uint64_t received;
    long retry_after_ms;
    char content_length[32];
    char last_modified[64];
} s3_rep;

typedef struct xfer {
    const s3_req *req;
    s3_rep *rep;
    uint64_t sent;
    yaa_store__sha h;
    int write_err;
    long stall_ms;      /* longest time allowed without a byte moving */
    uint64_t moved;     /* bytes up + down at the last change */
    double last_change; /* monotonic seconds */
    bool stalled;
} xfer;

static double now_sec(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Ends a transfer when no byte has moved for stall_ms (a stalled or trickling server). */
static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow) {
    (void)dltotal;
    (void)ultotal;
    xfer *x = ud;
    uint64_t moved = (uint64_t)dlnow + (uint64_t)ulnow;
    double t = now_sec();
    if (moved != x->moved || x->last_change == 0) {
        x->moved = moved;
        x->last_change = t;
        return 0;
    }
    if ((t - x->last_change) * 1000 > (double)x->stall_ms) {
        x->stalled = true;
        return 1;
    }
    return 0;
}

static size_t on_read(char *buf, size_t size, size_t nitems, void *ud) {
    xfer *x = ud;
    const s3_req *r = x->req;
    size_t want = size * nitems;
    uint64_t left = (r->fd >= 0 ? r->len : r->body_len) - x->sent;
    if (want > left) want = (size_t)left;
    if (!want) return 0;
    if (r->fd >= 0) {
        ssize_t got = pread(r->fd, buf, want, (off_t)(r->off + x->sent));
        if (got <= 0) return CURL_READFUNC_ABORT;
        want = (size_t)got;
    } else {
        memcpy(buf, r->body + x->sent, want);
    }
    x->sent += want;
    return want;
}

/* libcurl sends a request again by itself when a kept-alive connection turns out dead with
 * no answer (and for a redirect or an auth round): the body must then start over. Without
 * this callback that resend fails ("rewinding of the data stream failed") and costs one of
 * yaa's attempts and a backoff. yaa's own retries need no seek: each attempt starts a new
 * transfer at 0 (perform_once). */
static int on_seek(void *ud, curl_off_t offset, int origin) {
    xfer *x = ud;
    const s3_req *r = x->req;
    uint64_t len = r->fd >= 0 ? r->len : r->body_len;
    curl_off_t base = origin == SEEK_SET   ? 0
                      : origin == SEEK_CUR ? (curl_off_t)x->sent
                      : origin == SEEK_END ? (curl_off_t)len
                                           : -1;
    if (base < 0 || offset < -base || offset > (curl_off_t)len - base) return CURL_SEEKFUNC_FAIL;
    x->sent = (uint64_t)(base + offset);
    return CURL_SEEKFUNC_OK;
}

static size_t on_write(char *p, size_t size, size_t n, void *ud) {
    xfer *x = ud;
    size_t len = size * n;
    if (x->req->out_fd >= 0 && x->rep->status >= 200 && x->rep->status < 300) {
        for (size_t off = 0; off < len;) {
            ssize_t w = write(x->req->out_fd, p + off, len - off);
            if (w < 0 && errno == EINTR) continue;
            if (w < 0) {
                x->write_err = errno;
                return 0;
            }
            off += (size_t)w;
        }
        yaa_store__sha_update(&x->h, p, len);
        x->rep->received += len;
        return len;
    }
    if (x->rep->body.len + len > S3_XML_MAX) return 0;
    yaa_buf_append(&x->rep->body, p, len);
    return len;
}

static void header_value(const char *line, size_t len, const char *name, char *out, size_t n) {
    size_t nl = strlen(name);
    if (len <= nl + 1 || strncasecmp(line, name, nl) != 0 || line[nl] != ':') return;
    const char *v = line + nl + 1;
    const char *end = line + len;
    while (v < end && (*v == ' ' || *v == '\t')) v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ')) end--;
    size_t l = (size_t)(end - v);
    if (l >= n) l = n - 1;
    memcpy(out, v, l);
    out[l] = '\0';
}

static size_t on_header(char *p, size_t size, size_t n, void *ud) {
    xfer *x = ud;
    size_t len = size * n;
    if (len > 5 && strncmp(p, "HTTP/", 5) == 0) {
        /* a new response (after a 100 Continue, or a redirect): forget the previous one */
        x->rep->etag[0] = '\0';
        x->rep->status = strtol(p + 9, NULL, 10);
        return len;
    }
    header_value(p, len, "ETag", x->rep->etag, sizeof x->rep->etag);
    header_value(p, len, "Content-Length", x->rep->content_length, sizeof x->rep->content_length);
    header_value(p, len, "Last-Modified", x->rep->last_modified, sizeof x->rep->last_modified);
    char ra[32] = "";
    header_value(p, len, "Retry-After", ra, sizeof ra);
    if (*ra) x->rep->retry_after_ms = yaa_net_http_parse_retry_after(ra, (long long)time(NULL));
    return len;
}

/* "<Code>AccessDenied</Code><Message>...</Message>" -> "AccessDenied: ..." */
static void xml_text(const char *xml, const char *tag, char *out, size_t n) {
    char open[64], close[64];
    snprintf(open, sizeof open, "<%s>", tag);
    snprintf(close, sizeof close, "</%s>", tag);
    out[0] = '\0';
    const char *a = xml ? strstr(xml, open) : NULL;
    if (!a) return;
    a += strlen(open);
    const char *b = strstr(a, close);
    if (!b) return;
    size_t l = (size_t)(b - a);
    if (l >= n) l = n - 1;
    memcpy(out, a, l);
    out[l] = '\0';
}

static void url_of(const s3 *s, const s3_req *r, char *out, size_t n) {
    if (r->key)
        snprintf(out, n, "%s%s%s%s%s", s->base, s->path_pre, r->key, r->query ? "?" : "",
                 r->query ? r->query : "");
    else
        snprintf(out, n, "%s%s%s%s", s->base, s->bucket_path, r->query ? "?" : "",
                 r->query ? r->query : "");
}

/* What a failed request was, for the error message: "PUT 'p/k' at http://h:9000". */
static void what_of(const s3 *s, const s3_req *r, char *out, size_t n) {
    snprintf(out, n, "S3 %s '%s%s' at %s", r->method, s->prefix, r->key ? r->key : "", s->base);
}

static int perform_once(s3 *s, const s3_req *r, s3_rep *rep, yaa_err *err) {
    CURL *c = thread_curl();
    if (!c) return yaa_err_set(err, YAA_ENOMEM, "cannot create a curl handle");
    char url[4096];
    url_of(s, r, url, sizeof url);
    yaa_buf_reset(&rep->body);
    rep->status = 0;
    rep->etag[0] = rep->content_length[0] = rep->last_modified[0] = '\0';
    rep->received = 0;
    rep->retry_after_ms = -1;
    if (r->out_fd >= 0 && (ftruncate(r->out_fd, 0) != 0 || lseek(r->out_fd, 0, SEEK_SET) != 0))
        return yaa_err_set(err, YAA_EIO, "cannot reset the download file: %s", strerror(errno));
    xfer x = {.req = r, .rep = rep, .stall_ms = s->timeout_ms};
    if (r->out_fd >= 0 && yaa_store__sha_init(&x.h)) return YAA_ENOMEM;

    struct curl_slist *hl = NULL;
    char h[256];
    snprintf(h, sizeof h, "x-amz-content-sha256: %s",
             r->payload_sha ? r->payload_sha : EMPTY_SHA256);
    hl = curl_slist_append(hl, h);
    for (size_t i = 0; i < r->nheaders; i++) hl = curl_slist_append(hl, r->headers[i]);
    /* temporary credentials: libcurl signs every header it is given, this one included */
    if (s->token) hl = curl_slist_append(hl, s->token);
    hl = curl_slist_append(hl, "Expect:"); /* no 100-continue round trip */
    uint64_t body_len = r->fd >= 0 ? r->len : r->body_len;
    bool has_body = strcmp(r->method, "PUT") == 0 || strcmp(r->method, "POST") == 0;

    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_AWS_SIGV4, s->sigv4);
    curl_easy_setopt(c, CURLOPT_USERNAME, s->access);
    curl_easy_setopt(c, CURLOPT_PASSWORD, s->secret);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, s->timeout_ms);
    /* a stall (no byte moving for the timeout) ends the transfer, however large it is */
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, &x);
    /* and no request runs past a cap sized for its body at 256 KiB/s */
    long cap = s->timeout_ms * 4 + (long)(body_len / (256 * 1024)) * 1000;
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, r->out_fd >= 0 ? 6L * 3600 * 1000 : cap);
    /* large buffers: fewer callbacks, writes and hash updates per megabyte */
    curl_easy_setopt(c, CURLOPT_BUFFERSIZE, 512L * 1024);
    curl_easy_setopt(c, CURLOPT_UPLOAD_BUFFERSIZE, 1024L * 1024);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &x);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &x);
    if (strcmp(r->method, "HEAD") == 0) {
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    } else if (has_body) {
        curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
        curl_easy_setopt(c, CURLOPT_READDATA, &x);
        curl_easy_setopt(c, CURLOPT_SEEKFUNCTION, on_seek);
        curl_easy_setopt(c, CURLOPT_SEEKDATA, &x);
        curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)body_len);
        if (strcmp(r->method, "POST") == 0) curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "POST");
    } else if (strcmp(r->method, "GET") != 0) {
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, r->method);
    }
    CURLcode cc = curl_easy_perform(c);
    curl_slist_free_all(hl);
    if (!(r->out_fd >= 0 && cc == CURLE_OK && !x.write_err)) yaa_store__sha_free(&x.h);
    char what[1200];
    what_of(s, r, what, sizeof what);
    if (x.write_err)
        return yaa_err_set(err, YAA_EIO, "%s: cannot write the download: %s", what,
                           strerror(x.write_err));
    if (cc == CURLE_OPERATION_TIMEDOUT || (cc == CURLE_ABORTED_BY_CALLBACK && x.stalled))
        return yaa_err_set(err, YAA_ETIMEOUT, "%s: timed out (no progress for %ld ms)", what,
                           s->timeout_ms);
    if (cc == CURLE_ABORTED_BY_CALLBACK || cc == CURLE_READ_ERROR)
        return yaa_err_set(err, YAA_EIO, "%s: cannot read the file being uploaded", what);
    if (cc != CURLE_OK) return yaa_err_set(err, YAA_ENET, "%s: %s", what, curl_easy_strerror(cc));
    long st = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &st);
    rep->status = st;
    if (r->out_fd >= 0 && st >= 200 && st < 300) {
        /* a body cut short is a network error, not a smaller object */
        char *end;
        unsigned long long want = strtoull(rep->content_length, &end, 10);
        if (*rep->content_length && *end == '\0' && want != rep->received) {
            yaa_store__sha_free(&x.h);
            return yaa_err_set(err, YAA_ENET, "%s: connection closed after %llu of %llu bytes",
                               what, (unsigned long long)rep->received, want);
        }
        yaa_store__sha_hex(&x.h, rep->sha);
    }
    yaa_store__sha_free(&x.h);         /* a non-2xx download: nothing to digest */
    yaa_buf_append(&rep->body, "", 0); /* NUL-terminate for the XML helpers */
    return 0;
}

static bool retryable_rc(int rc) { return rc == YAA_ENET || rc == YAA_ETIMEOUT; }

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* Runs r with retries; returns 0 when a 2xx arrived, else an error naming the request. */
static int perform(s3 *s, const s3_req *r, s3_rep *rep, yaa_err *err) {
    yaa_http_retry pol = {.max_attempts = s->max_attempts,
                          .base_delay_ms = s->base_delay_ms,
                          .max_delay_ms = 10000,
                          .max_total_wait_ms = 60000};
    int rc = 0, attempt = 0;
    long waited = 0;
    for (;;) {
        attempt++;
        rc = perform_once(s, r, rep, err);
        bool again;
        if (rc) {
            again = retryable_rc(rc);
        } else if (rep->status >= 200 && rep->status < 300) {
            /* S3 may answer 200 to CompleteMultipartUpload with an error in the body */
            if (strcmp(r->method, "POST") != 0 || !strstr(yaa_buf_cstr(&rep->body), "<Error>"))
                return 0;
            rep->status = 500;
            again = true;
        } else {
            again = yaa_net_http_status_retryable(rep->status);
        }
        if (!rc) {
            char what[1200], code[128], msg[400];
            what_of(s, r, what, sizeof what);
            xml_text(yaa_buf_cstr(&rep->body), "Code", code, sizeof code);
            xml_text(yaa_buf_cstr(&rep->body), "Message", msg, sizeof msg);
            rc = rep->status == 404                         ? YAA_ENOTFOUND
                 : rep->status == 403 || rep->status == 401 ? YAA_EAUTH
                 : rep->status == 400                       ? YAA_EINVAL
                                                            : YAA_EIO;
            yaa_err_set(err, rc, "%s: HTTP %ld%s%s%s%s", what, rep->status, *code ? " " : "", code,
                        *msg ? ": " : "", msg);
        }
        if (!again || attempt >= pol.max_attempts) break;
        long d = yaa_net_http_backoff_ms(&pol, attempt, rep->retry_after_ms);
        if (waited + d > pol.max_total_wait_ms) break;
        yaa_log_ev(YAA_LOG_WARN, "store", "S3 request failed; retrying",
                   YAA_F_STR("error", err->msg), YAA_F_INT("attempt", attempt),
                   YAA_F_INT("delay_ms", d), YAA_F_END);
        sleep_ms(d);
        waited += d;
    }
    if (attempt > 1 && err) {
        size_t l = strlen(err->msg);
        snprintf(err->msg + l, sizeof err->msg - l, " (after %d attempts)", attempt);
    }
    return rc;
}

static void rep_init(s3_rep *rep) {
    memset(rep, 0, sizeof *rep);
    yaa_buf_init(&rep->body, S3_XML_MAX + 1);
}

/* ---- operations ------------------------------------------------------------------------ */

/* One PUT of key whose body (memory or a file range) is described by r; the object records
 * the body's SHA-256 in its x-amz-meta-sha256. */
static int put_object(s3 *s, const char *key, const char *sha, s3_req r, yaa_err *err) {
    char meta[128];
    snprintf(meta, sizeof meta, "x-amz-meta-sha256: %s", sha);
    const char *hdrs[] = {meta};
    r.method = "PUT";
    r.key = key;
    r.payload_sha = sha;
    r.headers = hdrs;
    r.nheaders = 1;
    r.out_fd = -1;
    s3_rep rep;
    rep_init(&rep);
    int rc = perform(s, &r, &rep, err);
    yaa_buf_free(&rep.body);
    return rc;
}

static int s3_put(yaa_store *st, const char *key, const void *data, size_t len, yaa_err *err) {
    char sha[YAA_SHA256_HEX];
    yaa_store__sha_buf(data, len, sha);
    return put_object(st->backend, key, sha, (s3_req){.body = data, .body_len = len, .fd = -1},
                      err);
}

/* Hashes [off, off+len) of fd. */
static int sha_range(int fd, uint64_t off, uint64_t len, char out[YAA_SHA256_HEX]) {
    yaa_store__sha h;
    if (yaa_store__sha_init(&h)) return -1;
    static __thread unsigned char buf[1 << 20];
    while (len) {
        size_t want = len < sizeof buf ? (size_t)len : sizeof buf;
        ssize_t got = pread(fd, buf, want, (off_t)off);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) {
            yaa_store__sha_free(&h);
            return -1;
        }
        yaa_store__sha_update(&h, buf, (size_t)got);
        off += (uint64_t)got;
        len -= (uint64_t)got;
    }
    yaa_store__sha_hex(&h, out);
    return 0;
}

static int multipart(s3 *s, const char *key, int fd, const char *sha, uint64_t size, yaa_err *err) {
    char meta[128];
    snprintf(meta, sizeof meta, "x-amz-meta-sha256: %s", sha);
    const char *hdrs[] = {meta};
    s3_rep rep;
    rep_init(&rep);
    s3_req r = {.method = "POST",
                .key = key,
                .query = "uploads=",
                .fd = -1,
                .headers = hdrs,
                .nheaders = 1,
                .out_fd = -1};
    int rc = perform(s, &r, &rep, err);
    char upload_id[512] = "";
    if (!rc) {
        xml_text(yaa_buf_cstr(&rep.body), "UploadId", upload_id, sizeof upload_id);
        if (!*upload_id)
            rc = yaa_err_set(err, YAA_EIO, "S3 POST '%s%s' at %s: no UploadId in the reply",
                             s->prefix, key, s->base);
    }
    /* Upload ids are opaque; they go into the query encoded. */
    char id_enc[1600] = "";
    if (!rc) {
        char *e = curl_easy_escape(NULL, upload_id, 0);
        snprintf(id_enc, sizeof id_enc, "%s", e ? e : upload_id);
        curl_free(e);
    }
    yaa_buf done;
    yaa_buf_init(&done, 0);
    yaa_buf_puts(&done, "<CompleteMultipartUpload>");
    size_t nparts = (size_t)((size + s->part_size - 1) / s->part_size);
    for (size_t p = 0; !rc && p < nparts; p++) {
        uint64_t off = (uint64_t)p * s->part_size;
        uint64_t len = size - off < s->part_size ? size - off : s->part_size;
        char psha[YAA_SHA256_HEX], q[1800];
        if (sha_range(fd, off, len, psha)) {
            rc = yaa_err_set(err, YAA_EIO, "cannot read part %zu of the file for '%s'", p + 1, key);
            break;
        }
        snprintf(q, sizeof q, "partNumber=%zu&uploadId=%s", p + 1, id_enc);
        s3_req pr = {.method = "PUT",
                     .key = key,
                     .query = q,
                     .payload_sha = psha,
                     .fd = fd,
                     .off = off,
                     .len = len,
                     .out_fd = -1};
        rc = perform(s, &pr, &rep, err);
        if (!rc && !*rep.etag)
            rc = yaa_err_set(err, YAA_EIO, "S3 PUT '%s%s' part %zu at %s: no ETag in the reply",
                             s->prefix, key, p + 1, s->base);
        if (!rc)
            yaa_buf_printf(&done, "<Part><PartNumber>%zu</PartNumber><ETag>%s</ETag></Part>", p + 1,
                           rep.etag);
    }
    yaa_buf_puts(&done, "</CompleteMultipartUpload>");
    if (!rc) {
        char q[1700], dsha[YAA_SHA256_HEX];
        snprintf(q, sizeof q, "uploadId=%s", id_enc);
        yaa_store__sha_buf(done.data, done.len, dsha);
        s3_req cr = {.method = "POST",
                     .key = key,
                     .query = q,
                     .payload_sha = dsha,
                     .body = done.data,
                     .body_len = done.len,
                     .fd = -1,
                     .out_fd = -1};
        rc = perform(s, &cr, &rep, err);
    }
    if (rc && *upload_id) {
        /* Abort so the parts do not linger (and cost) on the server. */
        char q[1700];
        snprintf(q, sizeof q, "uploadId=%s", id_enc);
        s3_req ar = {.method = "DELETE", .key = key, .query = q, .fd = -1, .out_fd = -1};
        yaa_err ignore = {0};
        perform(s, &ar, &rep, &ignore);
    }
    yaa_buf_free(&done);
    yaa_buf_free(&rep.body);
    return rc;
}

static int s3_put_file(yaa_store *st, const char *key, const char *path, const char *sha,
                       uint64_t size, yaa_err *err) {
    s3 *s = st->backend;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return yaa_err_set(err, YAA_EIO, "cannot read %s: %s", path, strerror(errno));
    int rc;
    if (size >= s->multipart_min) {
        rc = multipart(s, key, fd, sha, size, err);
    } else {
        rc = put_object(s, key, sha, (s3_req){.fd = fd, .off = 0, .len = size}, err);
    }
    close(fd);
    return rc;
}

static int s3_get_file(yaa_store *st, const char *key, const char *tmp_path, char sha_out[65],
                       yaa_err *err) {
    s3 *s = st->backend;
    int fd = open(tmp_path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) return yaa_err_set(err, YAA_EIO, "cannot write %s: %s", tmp_path, strerror(errno));
    s3_req r = {.method = "GET", .key = key, .fd = -1, .out_fd = fd};
    s3_rep rep;
    rep_init(&rep);
    int rc = perform(s, &r, &rep, err);
    /* No fsync: a download is a copy of a durable object, checked by its SHA-256 before
     * use; after a crash it is fetched again. */
    if (!rc) memcpy(sha_out, rep.sha, YAA_SHA256_HEX);
    close(fd);
    yaa_buf_free(&rep.body);
    return rc;
}

static int s3_stat(yaa_store *st, const char *key, yaa_store_stat *out, yaa_err *err) {
    s3 *s = st->backend;
    s3_req r = {.method = "HEAD", .key = key, .fd = -1, .out_fd = -1};
    s3_rep rep;
    rep_init(&rep);
    int rc = perform(s, &r, &rep, err);
    if (!rc) {
        out->size = strtoull(rep.content_length, NULL, 10);
        out->mtime = *rep.last_modified ? (int64_t)curl_getdate(rep.last_modified, NULL) : 0;
        if (out->mtime < 0) out->mtime = 0;
    }
    yaa_buf_free(&rep.body);
    return rc;
}

static int s3_del(yaa_store *st, const char *key, yaa_err *err) {
    s3 *s = st->backend;
    s3_req r = {.method = "DELETE", .key = key, .fd = -1, .out_fd = -1};
    s3_rep rep;
    rep_init(&rep);
    int rc = perform(s, &r, &rep, err);
    yaa_buf_free(&rep.body);
    return rc == YAA_ENOTFOUND ? 0 : rc;
}

static void xml_unescape(char *s) {
    static const struct {
        const char *ent;
        char c;
    } ents[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
    char *w = s;
    for (char *p = s; *p;) {
        size_t i = 0;
        for (; i < sizeof ents / sizeof ents[0]; i++)
            if (strncmp(p, ents[i].ent, strlen(ents[i].ent)) == 0) break;
        if (i < sizeof ents / sizeof ents[0]) {
            *w++ = ents[i].c;
            p += strlen(ents[i].ent);
        } else {
            *w++ = *p++;
        }
    }
    *w = '\0';
}

static int s3_list(yaa_store *st, const char *prefix, yaa_store_list_fn fn, void *ud,
                   yaa_err *err) {
    s3 *s = st->backend;
    char full[YAA_STORE_KEY_MAX + 600], token[1024] = "";
    snprintf(full, sizeof full, "%s%s", s->prefix, prefix);
    char *pe = curl_easy_escape(NULL, full, 0);
    if (!pe) return YAA_ENOMEM;
    s3_rep rep;
    rep_init(&rep);
    int rc = 0;
    size_t plen = strlen(s->prefix);
    for (;;) {
        char q[4096];
        if (*token) {
            char *te = curl_easy_escape(NULL, token, 0);
            snprintf(q, sizeof q, "continuation-token=%s&list-type=2&prefix=%s", te ? te : "", pe);
            curl_free(te);
        } else {
            snprintf(q, sizeof q, "list-type=2&prefix=%s", pe);
        }
        s3_req r = {.method = "GET", .key = NULL, .query = q, .fd = -1, .out_fd = -1};
        if ((rc = perform(s, &r, &rep, err))) break;
        const char *p = yaa_buf_cstr(&rep.body);
        while (!rc && (p = strstr(p, "<Contents>"))) {
            const char *end = strstr(p, "</Contents>");
            if (!end) break;
            size_t l = (size_t)(end - p);
            char *one = strndup(p, l);
            if (!one) {
                rc = YAA_ENOMEM;
                break;
            }
            char key[YAA_STORE_KEY_MAX + 600], size[32], lm[64];
            xml_text(one, "Key", key, sizeof key);
            xml_text(one, "Size", size, sizeof size);
            xml_text(one, "LastModified", lm, sizeof lm);
            free(one);
            xml_unescape(key);
            if (strncmp(key, s->prefix, plen) == 0) {
                yaa_store_stat ss = {strtoull(size, NULL, 10), 0};
                time_t t = curl_getdate(lm, NULL);
                ss.mtime = t > 0 ? (int64_t)t : 0;
                rc = fn(ud, key + plen, &ss);
            }
            p = end;
        }
        if (rc) break;
        char trunc[16];
        xml_text(yaa_buf_cstr(&rep.body), "IsTruncated", trunc, sizeof trunc);
        xml_text(yaa_buf_cstr(&rep.body), "NextContinuationToken", token, sizeof token);
        if (strcmp(trunc, "true") != 0 || !*token) break;
        xml_unescape(token);
    }
    curl_free(pe);
    yaa_buf_free(&rep.body);
    return rc;
}

/* ---- presigned URLs (SigV4 query signing; libcurl signs only requests it sends) ---------- */

static void hmac(const unsigned char *key, size_t klen, const char *msg, unsigned char out[32]) {
    crypto_auth_hmacsha256_state h;
    crypto_auth_hmacsha256_init(&h, key, klen);
    crypto_auth_hmacsha256_update(&h, (const unsigned char *)msg, strlen(msg));
    crypto_auth_hmacsha256_final(&h, out);
}

static int s3_presign(yaa_store *st, const char *key, long expires_sec, int64_t now, char *out,
                      size_t n, yaa_err *err) {
    s3 *s = st->backend;
    time_t t = now ? (time_t)now : time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    char date[16], stamp[24];
    strftime(date, sizeof date, "%Y%m%d", &tm);
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    char scope[160], cred[400], query[4096], canon[8192], path[YAA_STORE_KEY_MAX + 700];
    snprintf(scope, sizeof scope, "%s/%s/s3/aws4_request", date, s->region);
    snprintf(cred, sizeof cred, "%s%%2F%s%%2F%s%%2Fs3%%2Faws4_request", s->access, date, s->region);
    /* canonical order; a session token is part of the signed query */
    if (snprintf(query, sizeof query,
                 "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=%s&X-Amz-Date=%s&"
                 "X-Amz-Expires=%ld%s%s&X-Amz-SignedHeaders=host",
                 cred, stamp, expires_sec, s->token_q ? "&X-Amz-Security-Token=" : "",
                 s->token_q ? s->token_q : "") >= (int)sizeof query)
        return yaa_err_set(err, YAA_ELIMIT, "presigned URL for '%s': the query is too long", key);
    snprintf(path, sizeof path, "%s%s", s->path_pre, key);
    snprintf(canon, sizeof canon, "GET\n%s\n%s\nhost:%s\n\nhost\nUNSIGNED-PAYLOAD", path, query,
             s->host);
    char chash[YAA_SHA256_HEX], sts[512];
    yaa_store__sha_buf(canon, strlen(canon), chash);
    snprintf(sts, sizeof sts, "AWS4-HMAC-SHA256\n%s\n%s\n%s", stamp, scope, chash);
    unsigned char k[32], k2[32];
    char first[300];
    snprintf(first, sizeof first, "AWS4%s", s->secret);
    hmac((const unsigned char *)first, strlen(first), date, k);
    sodium_memzero(first, sizeof first);
    hmac(k, 32, s->region, k2);
    hmac(k2, 32, "s3", k);
    hmac(k, 32, "aws4_request", k2);
    unsigned char sig[32];
    hmac(k2, 32, sts, sig);
    sodium_memzero(k, sizeof k);
    sodium_memzero(k2, sizeof k2);
    char sighex[65];
    sodium_bin2hex(sighex, sizeof sighex, sig, sizeof sig);
    if (snprintf(out, n, "%s%s?%s&X-Amz-Signature=%s", s->base, path, query, sighex) >= (int)n)
        return yaa_err_set(err, YAA_ELIMIT, "presigned URL for '%s' too long", key);
    return 0;
}

/* ---- opening ------------------------------------------------------------------------------ */

static void s3_close(yaa_store *st) {
    s3 *s = st->backend;
    if (!s) return;
    free(s->base);
    free(s->host);
    free(s->path_pre);
    free(s->bucket_path);
    free(s->prefix);
    free(s->region);
    free(s->access);
    char *secrets[] = {s->secret, s->token, s->token_q};
    for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++) {
        if (!secrets[i]) continue;
        sodium_memzero(secrets[i], strlen(secrets[i]));
        free(secrets[i]);
    }
    free(s);
    st->backend = NULL;
}

static const yaa_store_ops S3_OPS = {
    .put_file = s3_put_file,
    .put = s3_put,
    .get_file = s3_get_file,
    .stat_key = s3_stat,
    .del = s3_del,
    .list = s3_list,
    .presign = s3_presign,
    .close = s3_close,
};

int yaa_store__s3_init(yaa_store *st, const yaa_store_s3_opts *o, yaa_err *err) {
    if (!o->bucket || !*o->bucket)
        return yaa_err_set(err, YAA_ECONFIG, "ARTIFACT_STORE: the S3 bucket is missing");
    if (!o->access_key || !*o->access_key || !o->secret_key || !*o->secret_key)
        return yaa_err_set(err, YAA_ECONFIG,
                           "ARTIFACT_STORE=s3://... needs AWS_ACCESS_KEY_ID and "
                           "AWS_SECRET_ACCESS_KEY");
    const char *region = o->region && *o->region ? o->region : "us-east-1";
    char endpoint[512];
    if (o->endpoint && *o->endpoint)
        snprintf(endpoint, sizeof endpoint, "%s", o->endpoint);
    else
        snprintf(endpoint, sizeof endpoint, "https://s3.%s.amazonaws.com", region);
    size_t el = strlen(endpoint);
    while (el && endpoint[el - 1] == '/') endpoint[--el] = '\0';
    const char *hoststart = strstr(endpoint, "://");
    if (!hoststart || strchr(hoststart + 3, '/'))
        return yaa_err_set(err, YAA_ECONFIG,
                           "S3_ENDPOINT_URL='%.200s': expected scheme://host[:port] without a "
                           "path",
                           endpoint);
    hoststart += 3;
    s3 *s = calloc(1, sizeof *s);
    if (!s) return YAA_ENOMEM;
    st->backend = s;
    st->ops = &S3_OPS;
    const char *prefix = o->prefix ? o->prefix : "";
    int ok = 1;
    if (o->path_style) {
        ok &= asprintf(&s->base, "%s", endpoint) >= 0;
        ok &= asprintf(&s->host, "%s", hoststart) >= 0;
        ok &= asprintf(&s->path_pre, "/%s/%s%s", o->bucket, prefix, *prefix ? "/" : "") >= 0;
        ok &= asprintf(&s->bucket_path, "/%s", o->bucket) >= 0;
    } else {
        ok &= asprintf(&s->base, "%.*s%s.%s", (int)(hoststart - endpoint), endpoint, o->bucket,
                       hoststart) >= 0;
        ok &= asprintf(&s->host, "%s.%s", o->bucket, hoststart) >= 0;
        ok &= asprintf(&s->path_pre, "/%s%s", prefix, *prefix ? "/" : "") >= 0;
        ok &= (s->bucket_path = strdup("/")) != NULL;
    }
    ok &= asprintf(&s->prefix, "%s%s", prefix, *prefix ? "/" : "") >= 0;
    s->region = strdup(region);
    s->access = strdup(o->access_key);
    s->secret = strdup(o->secret_key);
    if (o->session_token && *o->session_token) {
        ok &= asprintf(&s->token, "x-amz-security-token: %s", o->session_token) >= 0;
        s->token_q = curl_easy_escape(NULL, o->session_token, 0);
        if (s->token_q) { /* owned with malloc from here, like the other strings */
            char *q = strdup(s->token_q);
            sodium_memzero(s->token_q, strlen(s->token_q));
            curl_free(s->token_q);
            s->token_q = q;
        }
        ok &= s->token_q != NULL;
    }
    if (!ok || !s->region || !s->access || !s->secret) {
        s3_close(st);
        return YAA_ENOMEM;
    }
    snprintf(s->sigv4, sizeof s->sigv4, "aws:amz:%s:s3", region);
    s->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 30000;
    s->part_size = o->part_size ? o->part_size : (size_t)16 * 1024 * 1024;
    s->multipart_min = o->multipart_min ? o->multipart_min : (size_t)64 * 1024 * 1024;
    if (s->multipart_min < s->part_size) s->multipart_min = s->part_size;
    s->max_attempts = o->max_attempts > 0 ? o->max_attempts : 4;
    s->base_delay_ms = o->base_delay_ms > 0 ? o->base_delay_ms : 300;
    snprintf(st->describe, sizeof st->describe, "s3://%s/%s at %s", o->bucket, prefix, endpoint);
    return 0;
}
