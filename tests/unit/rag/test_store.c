/* test_store.c - the rag store and retrieval on SQLite (FTS5 trigram + blob vectors). The same
 * cases run on PostgreSQL in tests/integration/rag/test_rag_pg.c. */
#include "rag_store_cases.h"

static char base[PATH_MAX];
static int seq;

static int store_fresh_url(char *url, size_t n) {
    snprintf(url, n, "sqlite:///%s/db%d.sqlite", base, ++seq);
    return 0;
}

int main(void) {
    yaa_test_tmpdir(base, sizeof base);
    const struct CMUnitTest tests[] = {RAG_STORE_CASES};
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    yaa_test_rmrf(base);
    return rc;
}
