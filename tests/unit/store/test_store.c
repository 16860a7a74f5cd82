/* test_store.c - the artifact store: one set of cases run on the file backend and on the s3
 * backend against tests/doubles/s3_double.py (which recomputes every SigV4 signature and
 * payload hash), then the s3 error paths: 403, 404, 500, an upload cut mid-body, a 500
 * mid-body, a kept-alive connection dropped (libcurl's own resend must rewind the body), a
 * download cut short, a server slower than the timeout, a stalled download, a corrupt object. */
#include "test_util.h"

#include "core/util.h"
#include "doubles/double.h"
#include "store/store.h"

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <time.h>

typedef struct fixture {
    char dir[PATH_MAX];
    yaa_double dbl;
    yaa_store *st;
    bool s3;
} fixture;

static yaa_store_s3_opts s3_opts(const fixture *f, long timeout_ms) {
    return (yaa_store_s3_opts){.endpoint = f->dbl.base,
                               .bucket = "artifacts",
                               .prefix = "yaa/test",
                               .path_style = true,
                               .access_key = "AKTEST",
                               .secret_key = "secret-test",
                               .timeout_ms = timeout_ms,
                               .part_size = 64 * 1024,
                               .multipart_min = 64 * 1024,
                               .max_attempts = 3,
                               .base_delay_ms = 20};
}

static int setup_file(void **state) {
    fixture *f = calloc(1, sizeof *f);
    yaa_test_tmpdir(f->dir, sizeof f->dir);
    char root[PATH_MAX + 8];
    snprintf(root, sizeof root, "%s/store", f->dir);
    yaa_err err = {0};
    assert_int_equal(yaa_store_open_file(root, &f->st, &err), 0);
    *state = f;
    return 0;
}

static int setup_s3(void **state) {
    fixture *f = calloc(1, sizeof *f);
    yaa_test_tmpdir(f->dir, sizeof f->dir);
    assert_int_equal(yaa_double_start(&f->dbl, "s3_double"), 0);
    yaa_store_s3_opts o = s3_opts(f, 2000);
    yaa_err err = {0};
    assert_int_equal(yaa_store_open_s3(&o, &f->st, &err), 0);
    f->s3 = true;
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;
    if (f->s3) {
        assert_int_equal(yaa_double_violations(&f->dbl), 0);
        yaa_double_stop(&f->dbl);
    }
    yaa_store_close(f->st);
    yaa_test_rmrf(f->dir);
    free(f);
    return 0;
}

static void write_bytes(const char *path, size_t n, unsigned seed) {
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    for (size_t i = 0; i < n; i++) fputc((int)((i * 131 + seed) & 0xff), fp);
    fclose(fp);
}

static bool same_bytes(const char *a, const char *b) {
    char ha[65], hb[65];
    uint64_t sa, sb;
    return yaa_store_sha256_file(a, ha, &sa, NULL) == 0 &&
           yaa_store_sha256_file(b, hb, &sb, NULL) == 0 && sa == sb && strcmp(ha, hb) == 0;
}

typedef struct seen {
    char keys[16][256];
    int n;
} seen;

static int collect(void *ud, const char *key, const yaa_store_stat *st) {
    seen *s = ud;
    (void)st;
    if (s->n < 16) snprintf(s->keys[s->n++], sizeof s->keys[0], "%s", key);
    return 0;
}

static bool has_key(const seen *s, const char *k) {
    for (int i = 0; i < s->n; i++)
        if (strcmp(s->keys[i], k) == 0) return true;
    return false;
}

/* ---- cases both backends pass --------------------------------------------------------- */

static void test_roundtrip(void **state) {
    fixture *f = *state;
    char src[PATH_MAX + 64], dst[PATH_MAX + 64], sha[65];
    snprintf(src, sizeof src, "%s/in.bin", f->dir);
    snprintf(dst, sizeof dst, "%s/out/nested/got.bin", f->dir);
    write_bytes(src, 5000, 7);
    yaa_err err = {0};
    assert_int_equal(yaa_store_sha256_file(src, sha, NULL, &err), 0);
    assert_int_equal(yaa_store_put_file(f->st, "runs/r1/a.1/video.mp4", src, sha, &err), 0);
    assert_int_equal(yaa_store_get_file(f->st, "runs/r1/a.1/video.mp4", dst, sha, &err), 0);
    assert_true(same_bytes(src, dst));
    yaa_store_stat ss = {0};
    assert_int_equal(yaa_store_stat_key(f->st, "runs/r1/a.1/video.mp4", &ss, &err), 0);
    assert_int_equal(ss.size, 5000);
    assert_int_equal(yaa_store_put(f->st, "runs/r1/a.1/images/01.png", "png!", 4, &err), 0);
    assert_int_equal(yaa_store_put(f->st, "runs/r2/x.1/other.json", "{}", 2, &err), 0);
    seen s = {0};
    assert_int_equal(yaa_store_list(f->st, "runs/r1/", collect, &s, &err), 0);
    assert_int_equal(s.n, 2);
    assert_true(has_key(&s, "runs/r1/a.1/video.mp4"));
    assert_true(has_key(&s, "runs/r1/a.1/images/01.png"));
    assert_int_equal(yaa_store_delete(f->st, "runs/r1/a.1/video.mp4", &err), 0);
    assert_int_equal(yaa_store_delete(f->st, "runs/r1/a.1/video.mp4", &err), 0); /* twice: ok */
    assert_int_equal(yaa_store_stat_key(f->st, "runs/r1/a.1/video.mp4", &ss, &err), YAA_ENOTFOUND);
    assert_int_equal(yaa_store_get_file(f->st, "runs/r1/missing", dst, NULL, &err), YAA_ENOTFOUND);
    assert_non_null(strstr(err.msg, "runs/r1/missing"));
}

static void test_corrupt_download_refused(void **state) {
    fixture *f = *state;
    char dst[PATH_MAX + 64];
    snprintf(dst, sizeof dst, "%s/got.json", f->dir);
    yaa_err err = {0};
    assert_int_equal(yaa_store_put(f->st, "runs/r1/s.1/a.json", "{\"a\":1}", 7, &err), 0);
    char wrong[65];
    memset(wrong, 'a', 64);
    wrong[64] = '\0';
    assert_int_equal(yaa_store_get_file(f->st, "runs/r1/s.1/a.json", dst, wrong, &err), YAA_EIO);
    assert_non_null(strstr(err.msg, "corrupt"));
    assert_int_equal(access(dst, F_OK), -1); /* nothing half-written left in place */
}

typedef struct getter {
    yaa_store *st;
    const char *dst;
    const char *sha;
    pthread_barrier_t *go;
    int rc;
    char msg[512];
} getter;

static void *get_one(void *arg) {
    getter *g = arg;
    yaa_err err = {0};
    pthread_barrier_wait(g->go);
    g->rc = yaa_store_get_file(g->st, "runs/r1/e.1/video.mp4", g->dst, g->sha, &err);
    snprintf(g->msg, sizeof g->msg, "%s", err.msg);
    return NULL;
}

/* Several threads of one process fetch the same object to the same path at once (the API's
 * first requests for a video: the player asks twice in parallel): every call succeeds, the
 * file is whole and correct, and no temporary file is left beside it. */
static void test_concurrent_get_same_path(void **state) {
    fixture *f = *state;
    enum { THREADS = 8 };
    char src[PATH_MAX + 64], dir[PATH_MAX + 64], dst[PATH_MAX + 80], sha[65];
    snprintf(src, sizeof src, "%s/in.bin", f->dir);
    snprintf(dir, sizeof dir, "%s/cache", f->dir);
    snprintf(dst, sizeof dst, "%s/video.mp4", dir);
    write_bytes(src, 3 * 1024 * 1024 + 17, 3);
    yaa_err err = {0};
    assert_int_equal(yaa_store_sha256_file(src, sha, NULL, &err), 0);
    assert_int_equal(yaa_store_put_file(f->st, "runs/r1/e.1/video.mp4", src, sha, &err), 0);
    for (int round = 0; round < 3; round++) {
        unlink(dst);
        pthread_barrier_t go;
        pthread_barrier_init(&go, NULL, THREADS);
        getter g[THREADS];
        pthread_t t[THREADS];
        for (int i = 0; i < THREADS; i++) {
            g[i] = (getter){.st = f->st, .dst = dst, .sha = sha, .go = &go};
            assert_int_equal(pthread_create(&t[i], NULL, get_one, &g[i]), 0);
        }
        for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
        pthread_barrier_destroy(&go);
        for (int i = 0; i < THREADS; i++) {
            if (g[i].rc) fail_msg("thread %d: rc %d: %s", i, g[i].rc, g[i].msg);
        }
        assert_true(same_bytes(src, dst));
    }
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    int entries = 0;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.') entries++;
    closedir(d);
    assert_int_equal(entries, 1); /* video.mp4 and no leftover .part file */
}

static void test_bad_keys(void **state) {
    fixture *f = *state;
    static const char *const bad[] = {"",      "/abs", "a//b",   "a/../b",
                                      "a/./b", "dir/", "sp ace", "ünï"};
    yaa_err err = {0};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_false(yaa_store_key_valid(bad[i]));
        assert_int_equal(yaa_store_put(f->st, bad[i], "x", 1, &err), YAA_EINVAL);
    }
    assert_true(yaa_store_key_valid("runs/0f/brand_researcher.1.ab12cd34/research.json"));
}

/* ---- file backend only ---------------------------------------------------------------- */

static void test_file_in_place_is_not_copied(void **state) {
    fixture *f = *state;
    char p[PATH_MAX + 64];
    snprintf(p, sizeof p, "%s/store/runs/r9", f->dir);
    char cmd[PATH_MAX + 80];
    snprintf(cmd, sizeof cmd, "mkdir -p %s", p);
    assert_int_equal(system(cmd), 0);
    strcat(p, "/video.mp4");
    write_bytes(p, 100, 1);
    struct stat before, after;
    assert_int_equal(stat(p, &before), 0);
    yaa_err err = {0};
    assert_int_equal(yaa_store_put_file(f->st, "runs/r9/video.mp4", p, NULL, &err), 0);
    assert_int_equal(stat(p, &after), 0);
    assert_int_equal(before.st_ino, after.st_ino); /* the same file, not a copy */
    char url[256];
    assert_int_equal(yaa_store_presign(f->st, "runs/r9/video.mp4", 60, 0, url, sizeof url, &err),
                     YAA_EINVAL);
}

/* ---- s3 only -------------------------------------------------------------------------- */

static long state_int(fixture *f, const char *name) {
    json_t *j = yaa_double_get_json(&f->dbl, "/_state");
    long v = j ? (long)json_integer_value(json_object_get(j, name)) : -1;
    json_decref(j);
    return v;
}

static void test_s3_multipart(void **state) {
    fixture *f = *state;
    char src[PATH_MAX + 64], dst[PATH_MAX + 64], sha[65];
    snprintf(src, sizeof src, "%s/big.bin", f->dir);
    snprintf(dst, sizeof dst, "%s/big.out", f->dir);
    write_bytes(src, 200 * 1024 + 17, 3); /* 4 parts of 64 KiB */
    yaa_err err = {0};
    assert_int_equal(yaa_store_sha256_file(src, sha, NULL, &err), 0);
    /* the second part fails once (500), the third is cut mid-body once: both retried */
    yaa_double_script(&f->dbl, "[\"ok\",\"ok\",\"500\",\"ok\",\"cut\"]");
    assert_int_equal(yaa_store_put_file(f->st, "runs/r1/e.1/video.mp4", src, sha, &err), 0);
    assert_int_equal(state_int(f, "multipart_done"), 1);
    assert_int_equal(state_int(f, "parts"), 4);
    assert_int_equal(yaa_store_get_file(f->st, "runs/r1/e.1/video.mp4", dst, sha, &err), 0);
    assert_true(same_bytes(src, dst));
}

static void test_s3_multipart_abort(void **state) {
    fixture *f = *state;
    char src[PATH_MAX + 64];
    snprintf(src, sizeof src, "%s/big.bin", f->dir);
    write_bytes(src, 130 * 1024, 5);
    yaa_double_script(&f->dbl, "[\"ok\",\"403\"]");
    yaa_err err = {0};
    assert_int_equal(yaa_store_put_file(f->st, "runs/r1/e.1/v.mp4", src, NULL, &err), YAA_EAUTH);
    assert_non_null(strstr(err.msg, "yaa/test/runs/r1/e.1/v.mp4"));
    assert_int_equal(state_int(f, "aborted"), 1); /* the parts are not left behind */
}

static void test_s3_list_pages(void **state) {
    fixture *f = *state;
    yaa_err err = {0};
    char key[64];
    for (int i = 0; i < 5; i++) {
        snprintf(key, sizeof key, "runs/rp/s.1/f%d.json", i);
        assert_int_equal(yaa_store_put(f->st, key, "1", 1, &err), 0);
    }
    seen s = {0};
    assert_int_equal(yaa_store_list(f->st, "runs/rp/", collect, &s, &err), 0);
    assert_int_equal(s.n, 5); /* the double answers in pages of two */
    assert_true(has_key(&s, "runs/rp/s.1/f4.json"));
}

static void test_s3_errors_name_key_and_endpoint(void **state) {
    fixture *f = *state;
    yaa_err err = {0};
    yaa_double_script(&f->dbl, "[\"403\"]");
    assert_int_equal(yaa_store_put(f->st, "runs/r1/a.1/x.json", "{}", 2, &err), YAA_EAUTH);
    assert_non_null(strstr(err.msg, "yaa/test/runs/r1/a.1/x.json"));
    assert_non_null(strstr(err.msg, f->dbl.base));
    assert_non_null(strstr(err.msg, "AccessDenied"));
    assert_null(strstr(err.msg, "secret-test"));
    /* 500 until the attempts run out: reported with the count */
    yaa_double_script(&f->dbl, "[\"500\",\"500\",\"500\"]");
    assert_int_equal(yaa_store_put(f->st, "runs/r1/a.1/x.json", "{}", 2, &err), YAA_EIO);
    assert_non_null(strstr(err.msg, "InternalError"));
    assert_non_null(strstr(err.msg, "after 3 attempts"));
    /* 503 then ok: retried, succeeds */
    yaa_double_script(&f->dbl, "[\"503\",\"ok\"]");
    assert_int_equal(yaa_store_put(f->st, "runs/r1/a.1/x.json", "{}", 2, &err), 0);
    /* 404 on a download is not retried */
    char dst[PATH_MAX + 64];
    snprintf(dst, sizeof dst, "%s/x", f->dir);
    yaa_double_script(&f->dbl, "[\"404\",\"ok\"]");
    assert_int_equal(yaa_store_get_file(f->st, "runs/r1/a.1/x.json", dst, NULL, &err),
                     YAA_ENOTFOUND);
    assert_non_null(strstr(err.msg, "NoSuchKey"));
}

static void test_s3_cut_upload(void **state) {
    fixture *f = *state;
    char src[PATH_MAX + 64];
    snprintf(src, sizeof src, "%s/in.bin", f->dir);
    write_bytes(src, 40000, 9);
    yaa_err err = {0};
    yaa_double_script(&f->dbl, "[\"cut\",\"ok\"]"); /* once: retried */
    assert_int_equal(yaa_store_put_file(f->st, "runs/r1/c.1/a.wav", src, NULL, &err), 0);
    /* always: reported (libcurl itself sends once more when the cut connection was a reused
     * one, so more cuts than yaa's 3 attempts are scripted) */
    yaa_double_script(&f->dbl, "[\"cut\",\"cut\",\"cut\",\"cut\",\"cut\",\"cut\"]");
    assert_int_equal(yaa_store_put_file(f->st, "runs/r1/c.1/a.wav", src, NULL, &err), YAA_ENET);
    assert_non_null(strstr(err.msg, "runs/r1/c.1/a.wav"));
    assert_non_null(strstr(err.msg, f->dbl.base));
}

/* The object the double holds under key (the store's prefix added): its size and SHA-256. */
static bool stored_as(fixture *f, const char *key, const char *sha, uint64_t size) {
    char full[300];
    snprintf(full, sizeof full, "yaa/test/%s", key);
    json_t *j = yaa_double_get_json(&f->dbl, "/_state");
    json_t *o = json_object_get(json_object_get(j, "keys"), full);
    bool same = o && (uint64_t)json_integer_value(json_object_get(o, "size")) == size &&
                json_string_value(json_object_get(o, "sha256")) &&
                strcmp(json_string_value(json_object_get(o, "sha256")), sha) == 0;
    json_decref(j);
    return same;
}

/* How many PUTs of key the double saw, each with all size bytes of the body sha. */
static int full_puts(fixture *f, const char *key, const char *sha, uint64_t size) {
    json_t *reqs = yaa_double_requests(&f->dbl);
    int n = 0;
    size_t i;
    json_t *r;
    json_array_foreach(reqs, i, r) {
        const char *path = json_string_value(json_object_get(r, "path"));
        const char *b = json_string_value(json_object_get(r, "body_sha256"));
        if (strcmp(json_string_value(json_object_get(r, "method")), "PUT") == 0 && path &&
            strstr(path, key) && b && strcmp(b, sha) == 0 &&
            (uint64_t)json_integer_value(json_object_get(r, "body_len")) == size)
            n++;
    }
    json_decref(reqs);
    return n;
}

/* A kept-alive connection the server dropped: libcurl sends the request again on a new one by
 * itself, which needs the body from its start (CURLOPT_SEEKFUNCTION), from a file, from
 * memory, and from a multipart part's offset. One attempt per request, so that yaa's own retry
 * cannot hide a body that was not rewound; the objects must be byte-identical. */
static void test_s3_resend_rewinds_the_body(void **state) {
    fixture *f = *state;
    yaa_store_s3_opts o = s3_opts(f, 2000);
    o.max_attempts = 1;
    o.multipart_min = 1u << 30;
    yaa_store *st = NULL;
    yaa_err err = {0};
    assert_int_equal(yaa_store_open_s3(&o, &st, &err), 0);
    char src[PATH_MAX + 64], sha[65];
    snprintf(src, sizeof src, "%s/in.bin", f->dir);
    write_bytes(src, 300 * 1000 + 7, 13);
    assert_int_equal(yaa_store_sha256_file(src, sha, NULL, &err), 0);
    /* a first request leaves a connection to reuse */
    assert_int_equal(yaa_store_put(st, "runs/r1/w.1/warm.json", "{}", 2, &err), 0);

    yaa_double_script(&f->dbl, "[\"drop\",\"ok\"]");
    assert_int_equal(yaa_store_put_file(st, "runs/r1/w.1/a.wav", src, sha, &err), 0);
    assert_true(stored_as(f, "runs/r1/w.1/a.wav", sha, 300007));
    assert_int_equal(full_puts(f, "runs/r1/w.1/a.wav", sha, 300007), 2); /* sent whole twice */

    static char mem[150000];
    for (size_t i = 0; i < sizeof mem; i++) mem[i] = (char)(i * 7 + 1);
    char msha[65];
    yaa_sha256_hex(mem, sizeof mem, msha);
    yaa_double_script(&f->dbl, "[\"drop\",\"ok\"]");
    assert_int_equal(yaa_store_put(st, "runs/r1/w.1/m.json", mem, sizeof mem, &err), 0);
    assert_true(stored_as(f, "runs/r1/w.1/m.json", msha, sizeof mem));
    assert_int_equal(full_puts(f, "runs/r1/w.1/m.json", msha, sizeof mem), 2);
    yaa_store_close(st);

    /* multipart (5 parts of 64 KiB): create, part 1, part 2 dropped and sent again, ... */
    o.multipart_min = 64 * 1024;
    assert_int_equal(yaa_store_open_s3(&o, &st, &err), 0);
    assert_int_equal(yaa_store_put(st, "runs/r1/w.1/warm.json", "{}", 2, &err), 0);
    yaa_double_script(&f->dbl, "[\"ok\",\"ok\",\"drop\",\"ok\"]");
    assert_int_equal(yaa_store_put_file(st, "runs/r1/w.1/v.mp4", src, sha, &err), 0);
    assert_true(stored_as(f, "runs/r1/w.1/v.mp4", sha, 300007));
    assert_int_equal(state_int(f, "parts"), 5);
    yaa_store_close(st);
}

/* A server that answers 500 before it read the whole body, and closes: the next attempt
 * sends the body from its start again; the stored object is byte-identical. */
static void test_s3_500_mid_body(void **state) {
    fixture *f = *state;
    char src[PATH_MAX + 64], dst[PATH_MAX + 64], sha[65];
    snprintf(src, sizeof src, "%s/in.bin", f->dir);
    snprintf(dst, sizeof dst, "%s/out.bin", f->dir);
    write_bytes(src, 50000, 17); /* one PUT (under the 64 KiB multipart size) */
    yaa_err err = {0};
    assert_int_equal(yaa_store_sha256_file(src, sha, NULL, &err), 0);
    assert_int_equal(yaa_store_put(f->st, "runs/r1/w.1/warm.json", "{}", 2, &err), 0);
    yaa_double_script(&f->dbl, "[\"500early\",\"500early\",\"ok\"]");
    assert_int_equal(yaa_store_put_file(f->st, "runs/r1/w.1/b.png", src, sha, &err), 0);
    assert_true(stored_as(f, "runs/r1/w.1/b.png", sha, 50000));
    assert_int_equal(full_puts(f, "runs/r1/w.1/b.png", sha, 50000), 1);
    assert_int_equal(yaa_store_get_file(f->st, "runs/r1/w.1/b.png", dst, sha, &err), 0);
    assert_true(same_bytes(src, dst));
}

static void test_s3_cut_download(void **state) {
    fixture *f = *state;
    char src[PATH_MAX + 64], dst[PATH_MAX + 64], sha[65];
    snprintf(src, sizeof src, "%s/in.bin", f->dir);
    snprintf(dst, sizeof dst, "%s/out.bin", f->dir);
    write_bytes(src, 30000, 11);
    yaa_err err = {0};
    assert_int_equal(yaa_store_sha256_file(src, sha, NULL, &err), 0);
    assert_int_equal(yaa_store_put_file(f->st, "runs/r1/d.1/a.png", src, sha, &err), 0);
    yaa_double_script(&f->dbl, "[\"cutget\",\"ok\"]");
    assert_int_equal(yaa_store_get_file(f->st, "runs/r1/d.1/a.png", dst, sha, &err), 0);
    assert_true(same_bytes(src, dst));
}

static void test_s3_slow_server_times_out(void **state) {
    fixture *f = *state;
    yaa_store_close(f->st);
    yaa_store_s3_opts o = s3_opts(f, 700);
    o.max_attempts = 2;
    yaa_err err = {0};
    assert_int_equal(yaa_store_open_s3(&o, &f->st, &err), 0);
    yaa_double_script(&f->dbl, "[\"slow:10\",\"slow:10\"]");
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    assert_int_equal(yaa_store_put(f->st, "runs/r1/s.1/slow.json", "{}", 2, &err), YAA_ETIMEOUT);
    clock_gettime(CLOCK_MONOTONIC, &b);
    double took = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
    assert_true(took < 9.0); /* never waits for the server */
    assert_non_null(strstr(err.msg, "runs/r1/s.1/slow.json"));
    assert_non_null(strstr(err.msg, "timed out"));
    /* a download that stalls after its first bytes ends too */
    char src[PATH_MAX + 64], dst[PATH_MAX + 64];
    snprintf(src, sizeof src, "%s/in.bin", f->dir);
    snprintf(dst, sizeof dst, "%s/out.bin", f->dir);
    write_bytes(src, 20000, 2);
    yaa_double_script(&f->dbl, "[]");
    assert_int_equal(yaa_store_put_file(f->st, "runs/r1/s.1/stall.bin", src, NULL, &err), 0);
    yaa_double_script(&f->dbl, "[\"stall:10\",\"stall:10\"]");
    clock_gettime(CLOCK_MONOTONIC, &a);
    int rc = yaa_store_get_file(f->st, "runs/r1/s.1/stall.bin", dst, NULL, &err);
    clock_gettime(CLOCK_MONOTONIC, &b);
    took = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
    assert_true(rc == YAA_ETIMEOUT || rc == YAA_ENET);
    assert_true(took < 9.0);
}

/* The digest is the signed payload hash: a file that no longer matches it is refused by the
 * server (S3's XAmzContentSHA256Mismatch), never stored. */
static void test_s3_changed_file_refused(void **state) {
    fixture *f = *state;
    char src[PATH_MAX + 64];
    snprintf(src, sizeof src, "%s/in.bin", f->dir);
    write_bytes(src, 1000, 4);
    char stale[65];
    memset(stale, 'a', 64);
    stale[64] = '\0';
    yaa_err err = {0};
    assert_int_equal(yaa_store_put_file(f->st, "runs/r1/x.1/a.bin", src, stale, &err), YAA_EINVAL);
    assert_non_null(strstr(err.msg, "XAmzContentSHA256Mismatch"));
    yaa_store_stat ss;
    assert_int_equal(yaa_store_stat_key(f->st, "runs/r1/x.1/a.bin", &ss, &err), YAA_ENOTFOUND);
    yaa_double_reset(&f->dbl); /* the refused request is the double's recorded violation */
}

static void test_s3_presign(void **state) {
    fixture *f = *state;
    yaa_err err = {0};
    assert_int_equal(yaa_store_put(f->st, "runs/r1/p.1/video.mp4", "MP4DATA", 7, &err), 0);
    char url[2048];
    assert_int_equal(
        yaa_store_presign(f->st, "runs/r1/p.1/video.mp4", 300, 0, url, sizeof url, &err), 0);
    assert_null(strstr(url, "secret-test"));
    yaa_http_request rq = {.url = url, .method = "GET", .timeout_ms = 5000};
    yaa_http_reply rp;
    yaa_net_http_reply_init(&rp);
    assert_int_equal(yaa_net_http_perform(&rq, &rp, NULL), 0);
    assert_int_equal(rp.status, 200); /* the double recomputed the query signature */
    assert_int_equal(rp.body.len, 7);
    yaa_net_http_reply_free(&rp);
    /* an expired URL is refused */
    assert_int_equal(yaa_store_presign(f->st, "runs/r1/p.1/video.mp4", 60,
                                       (int64_t)time(NULL) - 3600, url, sizeof url, &err),
                     0);
    yaa_net_http_reply_init(&rp);
    assert_int_equal(yaa_net_http_perform(&rq, &rp, NULL), 0);
    assert_int_equal(rp.status, 403);
    yaa_net_http_reply_free(&rp);
}

/* Bucket-hostname URLs (no S3_FORCE_PATH_STYLE: http://artifacts.localhost:PORT/key, which
 * libcurl resolves to loopback) with temporary credentials (AWS_SESSION_TOKEN): every
 * request names the bucket in Host and carries the signed x-amz-security-token, which the
 * double checks along with the signature; a presigned URL carries the token in its signed
 * query. */
static void test_s3_virtual_host_session_token(void **state) {
    fixture *f = *state;
    static const char token[] = "IQoJb3JpZ2luX2VjE/session+token==";
    yaa_store_close(f->st);
    char endpoint[64];
    snprintf(endpoint, sizeof endpoint, "http://localhost:%d", f->dbl.port);
    yaa_store_s3_opts o = s3_opts(f, 2000);
    o.endpoint = endpoint;
    o.path_style = false;
    o.session_token = token;
    yaa_err err = {0};
    assert_int_equal(yaa_store_open_s3(&o, &f->st, &err), 0);
    char src[PATH_MAX + 64], dst[PATH_MAX + 64], sha[65];
    snprintf(src, sizeof src, "%s/in.bin", f->dir);
    snprintf(dst, sizeof dst, "%s/out.bin", f->dir);
    write_bytes(src, 200 * 1024, 5); /* multipart at the test's 64 KiB parts */
    assert_int_equal(yaa_store_sha256_file(src, sha, NULL, &err), 0);
    assert_int_equal(yaa_store_put_file(f->st, "runs/v/a.1/video.mp4", src, sha, &err), 0);
    assert_int_equal(yaa_store_get_file(f->st, "runs/v/a.1/video.mp4", dst, sha, &err), 0);
    assert_true(same_bytes(src, dst));
    seen sn = {0};
    assert_int_equal(yaa_store_list(f->st, "runs/v/", collect, &sn, &err), 0);
    assert_int_equal(sn.n, 1);
    json_t *reqs = yaa_double_requests(&f->dbl);
    assert_true(json_array_size(reqs) >= 5);
    size_t i;
    json_t *r;
    char host[80];
    snprintf(host, sizeof host, "artifacts.localhost:%d", f->dbl.port);
    json_array_foreach(reqs, i, r) {
        json_t *h = json_object_get(r, "headers");
        assert_string_equal(json_string_value(json_object_get(h, "host")), host);
        assert_string_equal(json_string_value(json_object_get(h, "x-amz-security-token")), token);
        assert_non_null(
            strstr(json_string_value(json_object_get(h, "authorization")), "x-amz-security-token"));
        /* the bucket is in the host name, never in the path */
        assert_null(strstr(json_string_value(json_object_get(r, "path")), "/artifacts"));
    }
    json_decref(reqs);
    char url[4096];
    assert_int_equal(
        yaa_store_presign(f->st, "runs/v/a.1/video.mp4", 300, 0, url, sizeof url, &err), 0);
    assert_non_null(strstr(url, "http://artifacts.localhost:"));
    assert_non_null(strstr(url, "X-Amz-Security-Token=IQoJb3JpZ2luX2VjE%2Fsession%2Btoken%3D%3D"));
    assert_null(strstr(url, "secret-test"));
    yaa_http_request rq = {.url = url, .method = "GET", .timeout_ms = 5000};
    yaa_http_reply rp;
    yaa_net_http_reply_init(&rp);
    assert_int_equal(yaa_net_http_perform(&rq, &rp, NULL), 0);
    assert_int_equal(rp.status, 200); /* signature and token checked by the double */
    assert_int_equal(rp.body.len, 200 * 1024);
    yaa_net_http_reply_free(&rp);
    /* a wrong token is refused: the double's 403 InvalidToken, reported with the key */
    yaa_store_close(f->st);
    o.session_token = "expired-token";
    assert_int_equal(yaa_store_open_s3(&o, &f->st, &err), 0);
    assert_int_equal(yaa_store_put(f->st, "runs/v/a.1/x.json", "{}", 2, &err), YAA_EAUTH);
    assert_non_null(strstr(err.msg, "InvalidToken"));
    assert_non_null(strstr(err.msg, "runs/v/a.1/x.json"));
    assert_null(strstr(err.msg, "expired-token"));
    yaa_double_reset(&f->dbl); /* the refused request is the double's recorded violation */
}

/* The API's download cache (ARTIFACT_CACHE_MB): least recently used first, down to the
 * cap; the file about to be sent stays even when it is the oldest; a temporary download
 * stays while fresh and goes once a crash clearly left it; other names are not the cache's. */
static void test_cache_trim(void **state) {
    (void)state;
    char dir[PATH_MAX], p[PATH_MAX * 2], names[4][65];
    yaa_test_tmpdir(dir, sizeof dir);
    time_t now = time(NULL);
    for (int i = 0; i < 4; i++) {
        memset(names[i], 'a' + i, 64);
        names[i][64] = '\0';
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        write_bytes(p, 100 * 1024, (unsigned)i);
        struct timespec t[2] = {{.tv_sec = now - 400 + 100 * i}, {.tv_sec = now - 400 + 100 * i}};
        assert_int_equal(utimensat(AT_FDCWD, p, t, 0), 0);
    }
    snprintf(p, sizeof p, "%s/%s.part-1-2", dir, names[1]);
    write_bytes(p, 500 * 1024, 9);
    /* 300 KiB besides the kept oldest one, cap 250 KiB: only the next oldest goes */
    yaa_store_cache_trim(dir, 250 * 1024, names[0]);
    bool left[4];
    for (int i = 0; i < 4; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        left[i] = access(p, F_OK) == 0;
    }
    assert_true(left[0]);
    assert_false(left[1]);
    assert_true(left[2]);
    assert_true(left[3]);
    /* under the cap: nothing goes */
    yaa_store_cache_trim(dir, 10 * 1024 * 1024, NULL);
    snprintf(p, sizeof p, "%s/%s", dir, names[2]);
    assert_int_equal(access(p, F_OK), 0);
    /* cap 0 without a file to keep: every cached file goes, the temporary one stays */
    yaa_store_cache_trim(dir, 0, NULL);
    for (int i = 0; i < 4; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        assert_int_equal(access(p, F_OK), -1);
    }
    snprintf(p, sizeof p, "%s/%s.part-1-2", dir, names[1]);
    assert_int_equal(access(p, F_OK), 0);
    /* one left by a crash two hours ago goes; other names are not the cache's */
    struct timespec t[2] = {{.tv_sec = now - 7200}, {.tv_sec = now - 7200}};
    assert_int_equal(utimensat(AT_FDCWD, p, t, 0), 0);
    char other[PATH_MAX * 2];
    snprintf(other, sizeof other, "%s/README", dir);
    write_bytes(other, 10, 1);
    assert_int_equal(utimensat(AT_FDCWD, other, t, 0), 0);
    yaa_store_cache_trim(dir, 0, NULL);
    assert_int_equal(access(p, F_OK), -1);
    assert_int_equal(access(other, F_OK), 0);
    yaa_test_rmrf(dir);
}

static void test_parse_url(void **state) {
    (void)state;
    char b[64], p[256];
    yaa_err err = {0};
    assert_int_equal(yaa_store_parse_url("s3://my-bucket/a/b/", b, sizeof b, p, sizeof p, &err), 0);
    assert_string_equal(b, "my-bucket");
    assert_string_equal(p, "a/b");
    assert_int_equal(yaa_store_parse_url("s3://bkt", b, sizeof b, p, sizeof p, &err), 0);
    assert_string_equal(p, "");
    assert_int_equal(yaa_store_parse_url("s3://Bad_Bucket/x", b, sizeof b, p, sizeof p, &err),
                     YAA_ECONFIG);
    assert_non_null(strstr(err.msg, "ARTIFACT_STORE"));
    assert_int_equal(yaa_store_parse_url("file", b, sizeof b, p, sizeof p, &err), YAA_ECONFIG);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_roundtrip, setup_file, teardown),
        cmocka_unit_test_setup_teardown(test_corrupt_download_refused, setup_file, teardown),
        cmocka_unit_test_setup_teardown(test_bad_keys, setup_file, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_get_same_path, setup_file, teardown),
        cmocka_unit_test_setup_teardown(test_file_in_place_is_not_copied, setup_file, teardown),
        cmocka_unit_test_setup_teardown(test_roundtrip, setup_s3, teardown),
        cmocka_unit_test_setup_teardown(test_corrupt_download_refused, setup_s3, teardown),
        cmocka_unit_test_setup_teardown(test_bad_keys, setup_s3, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_get_same_path, setup_s3, teardown),
        cmocka_unit_test_setup_teardown(test_s3_multipart, setup_s3, teardown),
        cmocka_unit_test_setup_teardown(test_s3_multipart_abort, setup_s3, teardown),
        cmocka_unit_test_setup_teardown(test_s3_list_pages, setup_s3, teardown),
        cmocka_unit_test_setup_teardown(test_s3_errors_name_key_and_endpoint, setup_s3, teardown),
        cmocka_unit_test_setup_teardown(test_s3_cut_upload, setup_s3, teardown),
        cmocka_unit_test_setup_teardown(test_s3_cut_download, setup_s3, teardown),
        cmocka_unit_test_setup_teardown(test_s3_resend_rewinds_the_body, setup_s3, teardown),
        cmocka_unit_test_setup_teardown(test_s3_500_mid_body, setup_s3, teardown),
        cmocka_unit_test_setup_teardown(test_s3_slow_server_times_out, setup_s3, teardown),
        cmocka_unit_test_setup_teardown(test_s3_changed_file_refused, setup_s3, teardown),
        cmocka_unit_test_setup_teardown(test_s3_presign, setup_s3, teardown),
        cmocka_unit_test_setup_teardown(test_s3_virtual_host_session_token, setup_s3, teardown),
        cmocka_unit_test(test_parse_url),
        cmocka_unit_test(test_cache_trim),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
