/* rag_bench.c - retrieval latency at 10,000 and 100,000 chunks in one channel, next to the
 * physical floor of a brute-force query.
 *
 *   rag_bench [--db URL] [--sizes 10000,100000] [--queries 200] [--no-stored-terms]
 *
 * Builds a synthetic index (English and Korean pseudo-text, hash embedder, 384 dims) in a
 * fresh database (default: a temporary SQLite file; each chunk stored with its analysed terms
 * as `yaa rag index` does, or without them with --no-stored-terms, as older versions did),
 * then measures: the cold first query (loads the channel's index into memory: vectors, int8
 * copies, BM25 index), warm hybrid / lexical / vector queries (p50, p95, thread CPU p50),
 * recall@5 of the approximate vector and hybrid lists against exact search (float32 scan of
 * every row) on the same queries, and the floor: one streaming read of the same 100k x 384
 * float32 matrix, in the same run. Prints a Markdown table (docs/benchmarks/rag.md). */
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

static int no_stored_terms; /* --no-stored-terms */

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
        /* As `yaa rag index` stores them: the analysed terms beside the text (unless the bench
         * measures rows of an older version, which are analysed when loaded). */
        yaa_buf terms;
        yaa_buf_init(&terms, 0);
        int rc = no_stored_terms ? 0 : yaa_rag_terms(text, &terms);
        if (!rc)
            rc = yaa_db_rag_insert(tx, "bench", "knowledge/bench.md", sec, text,
                                   no_stored_terms ? NULL : yaa_buf_cstr(&terms), hash, "hash", v,
                                   YAA_RAG_HASH_DIM, err);
        yaa_buf_free(&terms);
        if (rc) return rc;
    }
    return yaa_db_rag_state_set(tx, "bench", "hash", YAA_RAG_HASH_DIM, (int64_t)f->n, err);
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

typedef struct loaded {
    int64_t *ids;
    float *mat;
    size_t n, cap;
} loaded;

static int on_row(void *ud, int64_t id, const char *text, const char *terms, const void *vec,
                  size_t len) {
    (void)text;
    (void)terms;
    loaded *l = ud;
    if (len != YAA_RAG_HASH_DIM * sizeof(float)) return 0;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 4096;
        l->ids = realloc(l->ids, l->cap * sizeof *l->ids);
        l->mat = realloc(l->mat, l->cap * YAA_RAG_HASH_DIM * sizeof *l->mat);
        if (!l->ids || !l->mat) return YAA_ENOMEM;
    }
    l->ids[l->n] = id;
    memcpy(l->mat + l->n * YAA_RAG_HASH_DIM, vec, len);
    l->n++;
    return 0;
}

/* Share of the exact top-5 ids that the approximate top-5 also holds. */
static double overlap(const yaa_rag_results *approx, const int64_t *exact, size_t nexact) {
    if (!nexact) return 1.0;
    size_t found = 0;
    for (size_t i = 0; i < nexact; i++)
        for (size_t j = 0; j < approx->n; j++)
            if (approx->hits[j].id == exact[i]) {
                found++;
                break;
            }
    return (double)found / (double)nexact;
}

/* Recall@5 of the approximate vector and hybrid lists against exact search (float32 scan of
 * every row), on the same queries. */
static int recall_vs_exact(yaa_db *db, yaa_rag_embedder *emb, int nq, double *vec_recall,
                           double *hyb_recall) {
    yaa_err err = {0};
    double vsum = 0, hsum = 0;
    char q[256];
    rng = 7654321ULL;
    for (int i = 0; i < nq; i++) {
        sentence(q, sizeof q, 3 + i % 5);
        yaa_rag_results ev, eh, av, ah;
        yaa_rag_vector_exact(1);
        int rc = yaa_rag_search(db, emb, "bench", q, 5, YAA_RAG_VECTOR, &ev, &err);
        rc = rc ? rc : yaa_rag_search(db, emb, "bench", q, 5, YAA_RAG_HYBRID, &eh, &err);
        yaa_rag_vector_exact(0);
        rc = rc ? rc : yaa_rag_search(db, emb, "bench", q, 5, YAA_RAG_VECTOR, &av, &err);
        rc = rc ? rc : yaa_rag_search(db, emb, "bench", q, 5, YAA_RAG_HYBRID, &ah, &err);
        if (rc) {
            fprintf(stderr, "rag_bench: recall: %s\n", err.msg);
            return 1;
        }
        int64_t ids[5];
        for (size_t j = 0; j < ev.n; j++) ids[j] = ev.hits[j].id;
        vsum += overlap(&av, ids, ev.n);
        for (size_t j = 0; j < eh.n; j++) ids[j] = eh.hits[j].id;
        hsum += overlap(&ah, ids, eh.n);
        yaa_rag_results_free(&ev);
        yaa_rag_results_free(&eh);
        yaa_rag_results_free(&av);
        yaa_rag_results_free(&ah);
    }
    *vec_recall = vsum / nq;
    *hyb_recall = hsum / nq;
    return 0;
}

/* The floor: one streaming read of the float32 matrix (a plain float sum), p50 of nq. */
static stats streaming_read(const float *mat, size_t total, int nq, double *ms) {
    volatile float sink = 0;
    for (int i = 0; i < nq; i++) {
        double t0 = yaa_mono_sec();
        float acc[8] = {0};
        for (size_t j = 0; j + 8 <= total; j += 8)
            for (int l = 0; l < 8; l++) acc[l] += mat[j + l];
        sink += acc[0] + acc[1] + acc[2] + acc[3] + acc[4] + acc[5] + acc[6] + acc[7];
        ms[i] = (yaa_mono_sec() - t0) * 1000;
    }
    (void)sink;
    return summarize(ms, nq);
}

static int run_size(const char *url, size_t n, int nq, yaa_rag_embedder *emb) {
    yaa_db *db;
    yaa_err err = {0};
    if (yaa_db_open(url, &db, &err) || yaa_db_upgrade(db, NULL, -1, NULL, &err)) {
        fprintf(stderr, "rag_bench: %s\n", err.msg);
        return 1;
    }
    yaa_db_rag_delete_channel(db, "bench", &err);
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
    double cold_c0 = cpu_ms();
    if (yaa_rag_search(db, emb, "bench", q, 5, YAA_RAG_HYBRID, &r, &err)) {
        fprintf(stderr, "rag_bench: query: %s\n", err.msg);
        yaa_db_close(db);
        return 1;
    }
    double cold = (yaa_mono_sec() - t0) * 1000, cold_cpu = cpu_ms() - cold_c0;
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
    double vec_recall = 0, hyb_recall = 0;
    if (recall_vs_exact(db, emb, nq, &vec_recall, &hyb_recall)) return 1;
    /* The floor, measured on the same matrix read back from the database. */
    loaded l = {0};
    if (yaa_db_rag_scan(db, "bench", "hash", on_row, &l, &err)) {
        fprintf(stderr, "rag_bench: %s\n", err.msg);
        return 1;
    }
    size_t total = l.n * YAA_RAG_HASH_DIM;
    stats floor_read = streaming_read(l.mat, total, nq, ms);
    double floor_gbs = (double)total * 4 / (floor_read.p50 / 1000) / 1e9;
    printf("| %zu | %s | %.1f s | %.0f ms (cpu %.0f) | **%.2f** / %.2f (cpu %.2f) | %.2f / %.2f "
           "(cpu %.2f) | "
           "%.2f / %.2f (cpu %.2f) | **%.2f ms** (%.1f GB/s) | %.2f | %.3f / %.3f | %.0f MiB |\n",
           n, yaa_db_kind_name(db), build, cold, cold_cpu, st[0].p50, st[0].p95, ct[0].p50,
           st[1].p50, st[1].p95, ct[1].p50, st[2].p50, st[2].p95, ct[2].p50, floor_read.p50,
           floor_gbs, st[0].p50 / floor_read.p50, vec_recall, hyb_recall,
           (double)yaa_rag_cache_bytes() / (1 << 20));
    fflush(stdout);
    free(l.ids);
    free(l.mat);
    free(ms);
    free(cpu);
    yaa_rag_cache_clear();
    if (!getenv("RAG_BENCH_KEEP")) yaa_db_rag_delete_channel(db, "bench", &err);
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
        else if (strcmp(argv[i], "--no-stored-terms") == 0)
            no_stored_terms = 1;
        else {
            fprintf(stderr, "usage: rag_bench [--db URL] [--sizes 10000,100000] [--queries N] "
                            "[--no-stored-terms]\n");
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
    /* The Korean dictionary is opened once per process, at the first Hangul word (~0.5 s);
     * open it here so the cold query measures loading the channel alone, with or without
     * --no-stored-terms. */
    double d0 = yaa_mono_sec();
    yaa_buf warm;
    yaa_buf_init(&warm, 0);
    yaa_rag_terms("사전을 엽니다", &warm);
    yaa_buf_free(&warm);
    fprintf(stderr, "rag_bench: Korean dictionary opened in %.0f ms\n",
            (yaa_mono_sec() - d0) * 1000);
    yaa_rag_embedder *emb;
    yaa_err err = {0};
    if (yaa_rag_embedder_open_hash(0, &emb, &err)) return 1;
    printf("| chunks | database | build (embed + analyse + insert) | cold first query (load + "
           "index; cpu) | "
           "hybrid p50 / p95 ms | lexical p50 / p95 ms | vector p50 / p95 ms | floor: one "
           "streaming read of the float32 matrix, p50 | hybrid p50 / floor | recall@5 vs exact: "
           "vector / hybrid | cache memory |\n");
    printf("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
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
