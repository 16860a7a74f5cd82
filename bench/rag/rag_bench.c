/* rag_bench.c - retrieval latency at 10,000 and 100,000 chunks in one channel.
 *
 *   rag_bench [--db URL] [--sizes 10000,100000] [--queries 200]
 *
 * Builds a synthetic index (English and Korean pseudo-text, hash embedder, 384 dims) in a
 * fresh database (default: a temporary SQLite file), then times: the cold first query (loads
 * the channel's vector matrix), warm hybrid / lexical / vector queries (p50, p95, mean), and
 * the bare vector scan (dot products + top-k over the cached matrix). Prints a Markdown table
 * (docs/benchmarks/rag.md). */
#include "db/db.h"
#include "db/migrate.h"
#include "db/rag_repo.h"
#include "rag/rag.h"

#include "core/util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *const syl_en[] = {
    "ba",   "ke",   "ri",   "mo",    "tu",   "sa",    "len",  "dor",   "pi",    "na",
    "vel",  "qua",  "ter",  "shi",   "ro",   "gan",   "cook", "ing",   "pan",   "sear",
    "fry",  "dish", "oven", "bat",   "tery", "cam",   "era",  "lens",  "phone", "wat",
    "ch",   "str",  "eam",  "pro",   "max",  "lite",  "ul",   "tra",   "spice", "herb",
    "salt", "pep",  "per",  "on",    "ion",  "gar",   "lic",  "to",    "ma",    "rice",
    "bean", "soup", "stew", "grill", "bake", "roast", "mix",  "whisk", "chop",  "dice"};
static const char *const syl_ko[] = {
    "가", "나", "리", "모", "배", "터", "카", "메", "라", "조", "명", "음", "식", "요", "법",
    "화", "면", "소", "리", "품", "질", "가", "격", "성", "능", "측", "정", "결", "론", "단",
    "점", "장", "시", "청", "자", "영", "상", "썸", "네", "일", "제", "목", "색", "상", "글",
    "꼴", "협", "찬", "구", "매", "비", "교", "사", "용", "기", "한", "달", "후", "기", "국"};
#define NSYL ((uint64_t)(sizeof syl_en / sizeof syl_en[0]))

static uint64_t rng = 88172645463325252ULL;
static uint64_t next_rand(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

#define VOCAB 20000
static char vocab[VOCAB][32];

static void make_vocab(void) {
    for (int i = 0; i < VOCAB; i++) {
        int ko = i % 3 == 0, n = 2 + (int)(next_rand() % 3);
        vocab[i][0] = '\0';
        for (int j = 0; j < n; j++)
            strcat(vocab[i], ko ? syl_ko[next_rand() % NSYL] : syl_en[next_rand() % NSYL]);
    }
}

/* Zipf-ish word choice: small ids are frequent. */
static const char *word(void) {
    double u = (double)(next_rand() % 1000000) / 1000000.0;
    int id = (int)(pow(u, 2.5) * VOCAB);
    return vocab[id < VOCAB ? id : VOCAB - 1];
}

static void sentence(char *out, size_t cap, int words) {
    out[0] = '\0';
    size_t len = 0;
    for (int i = 0; i < words; i++) {
        int w = snprintf(out + len, cap - len, "%s%s", i ? " " : "", word());
        if (w < 0 || (size_t)w >= cap - len) break;
        len += (size_t)w;
    }
}

typedef struct fill {
    size_t n;
    yaa_rag_embedder *emb;
} fill;

static int fill_tx(yaa_db *tx, void *arg, yaa_err *err) {
    fill *f = arg;
    char text[1024], sec[64], hash[65];
    float v[YAA_RAG_HASH_DIM];
    for (size_t i = 0; i < f->n; i++) {
        char body[900];
        sentence(body, sizeof body, 12 + (int)(next_rand() % 30));
        snprintf(sec, sizeof sec, "knowledge/bench.md#s%zu", i);
        snprintf(text, sizeof text, "bench > s%zu\n%s", i, body);
        yaa_rag_hash_embed(text, v, YAA_RAG_HASH_DIM);
        yaa_sha256_hex(text, strlen(text), hash);
        int rc = yaa_rag_repo_insert(tx, "bench", "knowledge/bench.md", sec, text, hash, "hash", v,
                                     YAA_RAG_HASH_DIM, err);
        if (rc) return rc;
    }
    return yaa_rag_repo_state_set(tx, "bench", "hash", YAA_RAG_HASH_DIM, (int64_t)f->n, err);
}

static double cpu_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1000 + (double)ts.tv_nsec / 1e6;
}

static int cmp_d(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct stats {
    double p50, p95, mean;
} stats;

static stats summarize(double *ms, int n) {
    qsort(ms, (size_t)n, sizeof *ms, cmp_d);
    stats s = {ms[n / 2], ms[(int)(n * 0.95)], 0};
    for (int i = 0; i < n; i++) s.mean += ms[i];
    s.mean /= n;
    return s;
}

static int run_size(const char *url, size_t n, int nq, yaa_rag_embedder *emb) {
    yaa_db *db;
    yaa_err err = {0};
    if (yaa_db_open(url, &db, &err) || yaa_db_upgrade(db, NULL, -1, NULL, &err)) {
        fprintf(stderr, "rag_bench: %s\n", err.msg);
        return 1;
    }
    yaa_rag_repo_delete_channel(db, "bench", &err);
    yaa_rag_cache_clear();
    fill f = {n, emb};
    double t0 = yaa_mono_sec();
    if (yaa_db_tx(db, fill_tx, &f, &err)) {
        fprintf(stderr, "rag_bench: fill: %s\n", err.msg);
        yaa_db_close(db);
        return 1;
    }
    double build = yaa_mono_sec() - t0;
    char q[256];
    yaa_rag_results r;
    sentence(q, sizeof q, 5);
    t0 = yaa_mono_sec();
    if (yaa_rag_search(db, emb, "bench", q, 5, YAA_RAG_HYBRID, &r, &err)) {
        fprintf(stderr, "rag_bench: query: %s\n", err.msg);
        yaa_db_close(db);
        return 1;
    }
    double cold = (yaa_mono_sec() - t0) * 1000;
    yaa_rag_results_free(&r);
    double *ms = calloc((size_t)nq, sizeof *ms), *cpu = calloc((size_t)nq, sizeof *cpu);
    stats st[3], ct[3];
    for (int m = 0; m < 3; m++) {
        rng = 1234567ULL + (uint64_t)m; /* same queries for every mode */
        for (int i = 0; i < nq; i++) {
            sentence(q, sizeof q, 3 + i % 5);
            t0 = yaa_mono_sec();
            double c0 = cpu_ms();
            if (yaa_rag_search(db, emb, "bench", q, 5, (yaa_rag_mode)m, &r, &err)) {
                fprintf(stderr, "rag_bench: query: %s\n", err.msg);
                return 1;
            }
            cpu[i] = cpu_ms() - c0;
            ms[i] = (yaa_mono_sec() - t0) * 1000;
            yaa_rag_results_free(&r);
        }
        st[m] = summarize(ms, nq);
        ct[m] = summarize(cpu, nq);
    }
    /* The bare scan over a matrix of the same shape. */
    int64_t *ids;
    float *mat;
    size_t rows;
    yaa_rag_repo_vectors(db, "bench", "hash", YAA_RAG_HASH_DIM, &ids, &mat, &rows, &err);
    float *scores = malloc(rows * sizeof *scores), qv[YAA_RAG_HASH_DIM];
    size_t idx[50];
    yaa_rag_hash_embed("bench query words", qv, YAA_RAG_HASH_DIM);
    for (int i = 0; i < nq; i++) {
        t0 = yaa_mono_sec();
        yaa_rag_dot_many(mat, rows, YAA_RAG_HASH_DIM, qv, scores);
        yaa_rag_topk(scores, rows, 50, idx);
        ms[i] = (yaa_mono_sec() - t0) * 1000;
    }
    stats scan = summarize(ms, nq);
    double gbs = (double)rows * YAA_RAG_HASH_DIM * 4 / (scan.p50 / 1000) / 1e9;
    /* The ceiling: one streaming read of the same matrix (a plain float sum). */
    volatile float sink = 0;
    size_t total = rows * YAA_RAG_HASH_DIM;
    for (int i = 0; i < nq; i++) {
        t0 = yaa_mono_sec();
        float acc[8] = {0};
        for (size_t j = 0; j + 8 <= total; j += 8)
            for (int l = 0; l < 8; l++) acc[l] += mat[j + l];
        sink += acc[0] + acc[1] + acc[2] + acc[3] + acc[4] + acc[5] + acc[6] + acc[7];
        ms[i] = (yaa_mono_sec() - t0) * 1000;
    }
    (void)sink;
    stats ceil_read = summarize(ms, nq);
    double ceil_gbs = (double)total * 4 / (ceil_read.p50 / 1000) / 1e9;
    printf("| %zu | %s | %.1f s | %.1f ms | %.2f / %.2f (cpu %.2f) | %.2f / %.2f (cpu %.2f) | "
           "%.2f / %.2f (cpu %.2f) | %.3f ms (%.1f GB/s) | %.3f ms (%.1f GB/s) |\n",
           n, yaa_db_kind_name(db), build, cold, st[0].p50, st[0].p95, ct[0].p50, st[1].p50,
           st[1].p95, ct[1].p50, st[2].p50, st[2].p95, ct[2].p50, scan.p50, gbs, ceil_read.p50,
           ceil_gbs);
    fflush(stdout);
    free(ids);
    free(mat);
    free(scores);
    free(ms);
    free(cpu);
    if (!getenv("RAG_BENCH_KEEP")) yaa_rag_repo_delete_channel(db, "bench", &err);
    yaa_db_close(db);
    return 0;
}

int main(int argc, char **argv) {
    const char *url = NULL, *sizes = "10000,100000";
    int nq = 200;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--db") == 0 && i + 1 < argc)
            url = argv[++i];
        else if (strcmp(argv[i], "--sizes") == 0 && i + 1 < argc)
            sizes = argv[++i];
        else if (strcmp(argv[i], "--queries") == 0 && i + 1 < argc)
            nq = atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: rag_bench [--db URL] [--sizes 10000,100000] [--queries N]\n");
            return 2;
        }
    }
    if (nq < 20) nq = 20;
    yaa_log_setup(YAA_LOG_WARN, true, stderr);
    char tmp[] = "/tmp/yaa-rag-bench-XXXXXX", def[128];
    if (!url) {
        if (!mkdtemp(tmp)) return 1;
        snprintf(def, sizeof def, "sqlite:///%s/bench.db", tmp);
        url = def;
    }
    make_vocab();
    yaa_rag_embedder *emb;
    yaa_err err = {0};
    if (yaa_rag_embedder_open_hash(0, &emb, &err)) return 1;
    printf(
        "| chunks | database | build (embed + insert) | cold first query | hybrid p50 / p95 ms "
        "| lexical p50 / p95 ms | vector p50 / p95 ms | bare vector scan p50 | ceiling: plain read "
        "of the matrix p50 |\n");
    printf("| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
    int rc = 0;
    char *list = strdup(sizes);
    for (char *s = strtok(list, ","); s && !rc; s = strtok(NULL, ",")) {
        rng = 88172645463325252ULL;
        rc = run_size(url, (size_t)atol(s), nq, emb);
    }
    free(list);
    yaa_rag_embedder_free(emb);
    if (url == def) {
        char cmd[256];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
        if (system(cmd) != 0) fprintf(stderr, "rag_bench: could not remove %s\n", tmp);
    }
    return rc;
}
