/* audit_repo.c - audit_logs: batched inserts (one transaction) and the filtered, paginated
 * newest-first list of GET /admin/audit-logs. */
#include <ctype.h>
#include <string.h>

#include "db/repo.h"
#include "db/repo_internal.h"

typedef struct batch {
    const yaa_db_audit *rows;
    size_t n;
} batch;

#define AUDIT_INSERT                                                                 \
    "INSERT INTO audit_logs (\"timestamp\", method, path, status_code, api_key_id, " \
    "ip_address, user_agent, duration_ms, request_id, request_count) VALUES "
#define AUDIT_ROW "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
#define AUDIT_COLS 10
/* Rows per INSERT statement: a busy API writes thousands of rows a second, and one statement
 * per row spent more in running statements than in storing rows. */
#define ROWS_PER_INSERT 32

static void row_args(const yaa_db_audit *x, const char *now, yaa_db_val *p) {
    const yaa_db_val v[AUDIT_COLS] = {yaa_db_text(x->timestamp ? x->timestamp : now),
                                      yaa_db_text(x->method ? x->method : ""),
                                      yaa_db_text(x->path ? x->path : ""),
                                      yaa_db_int(x->status_code),
                                      yaa_db_text(x->api_key_id),
                                      yaa_db_text(x->ip_address),
                                      yaa_db_text(x->user_agent),
                                      yaa_db_real(x->duration_ms),
                                      yaa_db_text(x->request_id),
                                      yaa_db_int(x->request_count > 0 ? x->request_count : 1)};
    memcpy(p, v, sizeof v);
}

/* Full groups of ROWS_PER_INSERT rows in one statement each, the rest one by one (two
 * statement texts in all, so the connection's statement cache keeps both). */
static int insert_all(yaa_db *tx, void *arg, yaa_err *err) {
    const batch *b = arg;
    char now[YAA_DB_TIME_LEN + 1];
    yaa_db_now(now);
    yaa_buf many;
    yaa_buf_init(&many, 0);
    yaa_buf_puts(&many, AUDIT_INSERT);
    for (size_t r = 0; r < ROWS_PER_INSERT; r++)
        yaa_buf_puts(&many, r ? ", " AUDIT_ROW : AUDIT_ROW);
    yaa_db_val p[AUDIT_COLS * ROWS_PER_INSERT];
    size_t i = 0;
    while (i < b->n) {
        size_t m = b->n - i >= ROWS_PER_INSERT ? ROWS_PER_INSERT : 1;
        for (size_t r = 0; r < m; r++) row_args(&b->rows[i + r], now, p + r * AUDIT_COLS);
        int rc = yaa_db_exec(tx, m > 1 ? yaa_buf_cstr(&many) : AUDIT_INSERT AUDIT_ROW, p,
                             m * AUDIT_COLS, NULL, err);
        if (rc) {
            yaa_buf_free(&many);
            return yaa_err_prefix(err, "audit log: ");
        }
        i += m;
    }
    yaa_buf_free(&many);
    return 0;
}

int yaa_db_audit_insert_many(yaa_db *db, const yaa_db_audit *rows, size_t n, yaa_err *err) {
    if (!n) return 0;
    batch b = {rows, n};
    return yaa_db_tx(db, insert_all, &b, err);
}

static const yaa_db__field audit_fields[] = {
    YAA_DB__FIELD(yaa_db_audit, id),
    YAA_DB__FIELD(yaa_db_audit, timestamp),
    YAA_DB__FIELD(yaa_db_audit, method),
    YAA_DB__FIELD(yaa_db_audit, path),
    YAA_DB__FIELD(yaa_db_audit, status_code),
    YAA_DB__FIELD(yaa_db_audit, api_key_id),
    YAA_DB__FIELD(yaa_db_audit, ip_address),
    YAA_DB__FIELD(yaa_db_audit, user_agent),
    YAA_DB__FIELD(yaa_db_audit, duration_ms),
    YAA_DB__FIELD(yaa_db_audit, request_id),
    YAA_DB__FIELD(yaa_db_audit, request_count),
};

int yaa_db_audit_list(yaa_db *db, const yaa_db_audit_filter *f, yaa_arena *a, yaa_db_audit **items,
                      size_t *n, int64_t *total, yaa_err *err) {
    *items = NULL;
    *n = 0;
    if (total) *total = 0;
    yaa_db_audit_filter d = {0};
    if (!f) f = &d;
    int64_t limit = f->limit, offset = f->offset;
    yaa_db__page(&limit, &offset, 50, 1000);
    char method[16] = "";
    if (f->method) {
        size_t i = 0;
        for (; i < sizeof method - 1 && f->method[i]; i++)
            method[i] = (char)toupper((unsigned char)f->method[i]);
        method[i] = '\0';
    }
    yaa_db__q q;
    yaa_db__q_init(&q);
    int rc = 0;
    if (f->method) yaa_db__q_and(&q, "method = ?", yaa_db_text(method));
    if (f->path)
        yaa_db__q_and2(&q, "substr(path, 1, length(?)) = ?", yaa_db_text(f->path),
                       yaa_db_text(f->path));
    if (f->status_code) yaa_db__q_and(&q, "status_code = ?", yaa_db_int(f->status_code));
    if (f->api_key_id) yaa_db__q_and(&q, "api_key_id = ?", yaa_db_text(f->api_key_id));
    if (f->since) rc = yaa_db__q_and_time(&q, "\"timestamp\" >= ?", "since", f->since, err);
    if (!rc && f->until) rc = yaa_db__q_and_time(&q, "\"timestamp\" <= ?", "until", f->until, err);
    if (!rc && total) rc = yaa_db__q_count(db, &q, "FROM audit_logs", total, err);
    yaa_db_rows *r = NULL;
    if (!rc)
        rc = yaa_db__q_rows(db, &q,
                            "SELECT id, \"timestamp\", method, path, status_code, api_key_id, "
                            "ip_address, user_agent, duration_ms, request_id, request_count "
                            "FROM audit_logs",
                            "ORDER BY \"timestamp\" DESC, id DESC LIMIT ? OFFSET ?",
                            YAA_DB_ARGS(yaa_db_int(limit), yaa_db_int(offset)), &r, err);
    yaa_db__q_free(&q);
    if (rc) return rc;
    return yaa_db__map_rows(r, a, YAA_DB__FIELDS(audit_fields), sizeof **items, items, n, err);
}

int yaa_db_audit_delete_before(yaa_db *db, const char *before, int64_t *deleted, yaa_err *err) {
    char t[YAA_DB_TIME_LEN + 1];
    int rc = yaa_db_time_norm(before, t, err);
    if (rc) return yaa_err_prefix(err, "before: ");
    return yaa_db_exec(db, "DELETE FROM audit_logs WHERE \"timestamp\" < ?",
                       YAA_DB_ARGS(yaa_db_text(t)), deleted, err);
}
