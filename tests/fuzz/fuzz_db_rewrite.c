/* fuzz_db_rewrite.c - libFuzzer target for the PostgreSQL driver's `?` -> $n rewriting:
 * any input, no crash or overread, and the count it returns matches the $n it wrote. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "db/db_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *sql = malloc(size + 1);
    if (!sql) return 0;
    memcpy(sql, data, size);
    sql[size] = '\0';
    yaa_buf out;
    yaa_buf_init(&out, 0);
    int n = yaa_db__pg_rewrite(sql, &out);
    if (n >= 0) {
        /* Output has the same length as the input plus the digits added per placeholder. */
        size_t in_len = strlen(sql), extra = 0;
        for (int i = 1; i <= n; i++) extra += (size_t)snprintf(NULL, 0, "%d", i);
        if (out.len != in_len + extra + 1) abort(); /* +1: the NUL appended by rewrite */
    }
    yaa_buf_free(&out);
    free(sql);
    return 0;
}
