/* bench_store.c - upload and download throughput of the artifact store's S3 backend against
 * a local S3 server (bench/store/run.sh starts s3rver and compares with plain `curl`).
 *
 *   bench_store ENDPOINT BUCKET FILE... [-n REPS]
 *
 * For each file: REPS uploads (yaa_store_put_file: hashing, signed SHA-256 payload,
 * multipart at 8 MiB and more) and REPS downloads (yaa_store_get_file: temporary file,
 * SHA-256 check, rename), printing one line per file with the median time and MB/s. */
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: bench_store ENDPOINT BUCKET FILE... [-n REPS]\n");
        return 2;
    }
    int reps = 5;
    for (int i = 3; i < argc - 1; i++)
        if (strcmp(argv[i], "-n") == 0) reps = atoi(argv[i + 1]);
    if (reps < 1 || reps > 100) reps = 5;
    yaa_store_s3_opts o = {
        .endpoint = argv[1],
        .bucket = argv[2],
        .prefix = "bench",
        .path_style = true,
        .access_key = getenv("AWS_ACCESS_KEY_ID") ? getenv("AWS_ACCESS_KEY_ID") : "S3RVER",
        .secret_key = getenv("AWS_SECRET_ACCESS_KEY") ? getenv("AWS_SECRET_ACCESS_KEY") : "S3RVER"};
    const char *part = getenv("BENCH_PART_MB"); /* compare multipart with one PUT */
    if (part && atoi(part) > 0) o.part_size = (size_t)atoi(part) * 1024 * 1024;
    yaa_store *st = NULL;
    yaa_err err = {0};
    if (yaa_store_open_s3(&o, &st, &err)) {
        fprintf(stderr, "bench_store: %s\n", err.msg);
        return 1;
    }
    printf("%-28s %10s %12s %10s %12s %10s\n", "file", "bytes", "put_ms(p50)", "put_MB/s",
           "get_ms(p50)", "get_MB/s");
    double *put = calloc((size_t)reps, sizeof *put), *get = calloc((size_t)reps, sizeof *get);
    int rc = 0;
    for (int i = 3; i < argc && !rc; i++) {
        if (strcmp(argv[i], "-n") == 0) {
            i++;
            continue;
        }
        struct stat s;
        if (stat(argv[i], &s) != 0) {
            fprintf(stderr, "bench_store: %s: no such file\n", argv[i]);
            rc = 1;
            break;
        }
        const char *base = strrchr(argv[i], '/') ? strrchr(argv[i], '/') + 1 : argv[i];
        char key[512], out[4096], sha[YAA_SHA256_HEX];
        snprintf(key, sizeof key, "runs/bench/%s", base);
        snprintf(out, sizeof out, "%s.down", argv[i]);
        if ((rc = yaa_store_sha256_file(argv[i], sha, NULL, &err))) break;
        for (int r = 0; r < reps && !rc; r++) {
            double t0 = now();
            rc = yaa_store_put_file(st, key, argv[i], NULL, &err);
            double t1 = now();
            if (!rc) rc = yaa_store_get_file(st, key, out, sha, &err);
            double t2 = now();
            put[r] = t1 - t0;
            get[r] = t2 - t1;
        }
        if (rc) break;
        unlink(out);
        qsort(put, (size_t)reps, sizeof *put, cmp);
        qsort(get, (size_t)reps, sizeof *get, cmp);
        double mb = (double)s.st_size / 1e6, p = put[reps / 2], g = get[reps / 2];
        printf("%-28s %10lld %12.1f %10.1f %12.1f %10.1f\n", base, (long long)s.st_size, p * 1000,
               mb / p, g * 1000, mb / g);
        yaa_store_delete(st, key, &err);
    }
    if (rc) fprintf(stderr, "bench_store: %s\n", err.msg);
    free(put);
    free(get);
    yaa_store_close(st);
    return rc ? 1 : 0;
}
