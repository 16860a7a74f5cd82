/* test_rag_pg.c - the rag store and retrieval cases (tests/unit/rag/rag_store_cases.h) on a
 * real PostgreSQL: pg_trgm lexical search, BYTEA vectors, index state upserts. */
#include "unit/rag/rag_store_cases.h"

#include "lib/pgtest.h"

static yaa_pgtest pg;
static int seq;

static int store_fresh_url(char *url, size_t n) {
    char name[32];
    snprintf(name, sizeof name, "rag_t%d", ++seq);
    return yaa_pgtest_createdb(&pg, name, url, n);
}

int main(void) {
    int s = yaa_pgtest_start(&pg);
    if (s != 0) return s == YAA_PGTEST_SKIP ? s : 1;
    const struct CMUnitTest tests[] = {RAG_STORE_CASES};
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    yaa_pgtest_stop(&pg);
    return rc;
}
