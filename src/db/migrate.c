/* migrate.c - finds the migration files, picks each one's driver variant, and applies or
 * reverts them one transaction each, recording schema_migrations. */
#include "db/migrate.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/buf.h"
#include "db/db_internal.h"

#define SQL_MAX (4u << 20)

static const char *ENSURE_TABLE = "CREATE TABLE IF NOT EXISTS schema_migrations ("
                                  "version BIGINT PRIMARY KEY, applied_at TEXT NOT NULL)";

static bool is_dir(const char *p) {
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

int yaa_db_migrations_dir(const char *configured, char *out, size_t n, yaa_err *err) {
    if (configured && *configured) {
        if (!is_dir(configured))
            return yaa_err_set(err, YAA_ECONFIG, "YAA_MIGRATIONS_DIR '%s' is not a directory",
                               configured);
        snprintf(out, n, "%s", configured);
        return 0;
    }
    if (is_dir("migrations")) {
        snprintf(out, n, "migrations");
        return 0;
    }
    snprintf(out, n, "%s/migrations", YAA_SOURCE_DIR);
    if (is_dir(out)) return 0;
    return yaa_err_set(err, YAA_ECONFIG,
                       "no migrations directory: set YAA_MIGRATIONS_DIR or run from the yaa "
                       "source tree (looked in ./migrations and %s)",
                       out);
}

static yaa_migration *find_or_add(yaa_migrations *m, long version, yaa_err *err) {
    for (size_t i = 0; i < m->n; i++)
        if (m->items[i].version == version) return &m->items[i];
    yaa_migration *it = realloc(m->items, (m->n + 1) * sizeof *it);
    if (!it) {
        yaa_err_set(err, YAA_ENOMEM, "out of memory");
        return NULL;
    }
    m->items = it;
    yaa_migration *x = &m->items[m->n++];
    memset(x, 0, sizeof *x);
    x->version = version;
    return x;
}

/* Parses "0001_init.up.pg.sql": version, name, direction (1 up, 0 down), variant ("" plain). */
static bool parse_name(const char *f, long *version, char *name, size_t nn, int *up, char *variant,
                       size_t vn) {
    const char *p = f;
    if (!isdigit((unsigned char)*p)) return false;
    long v = 0;
    while (isdigit((unsigned char)*p)) v = v * 10 + (*p++ - '0');
    if (*p++ != '_' || v <= 0) return false;
    const char *dot = strchr(p, '.');
    if (!dot || dot == p || (size_t)(dot - p) >= nn) return false;
    memcpy(name, p, (size_t)(dot - p));
    name[dot - p] = '\0';
    const char *rest = dot + 1;
    const char *suffixes[] = {"up.sql",      "down.sql",      "up.pg.sql",
                              "down.pg.sql", "up.sqlite.sql", "down.sqlite.sql"};
    for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++) {
        if (strcmp(rest, suffixes[i]) != 0) continue;
        *version = v;
        *up = (i % 2) == 0;
        snprintf(variant, vn, "%s", i < 2 ? "" : (i < 4 ? "pg" : "sqlite"));
        return true;
    }
    return false;
}

static int scan(const char *dir, const char *variant, yaa_migrations *m, yaa_err *err) {
    DIR *d = opendir(dir);
    if (!d) return yaa_err_set(err, YAA_EIO, "cannot read migrations directory '%s'", dir);
    /* prio: 2 = this driver's variant, 1 = plain file. */
    int rc = 0;
    size_t cap = 0;
    int *prio = NULL; /* [2 * index + up] */
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        long v;
        char name[128], var[16];
        int up;
        if (!parse_name(e->d_name, &v, name, sizeof name, &up, var, sizeof var)) continue;
        int pr = var[0] == '\0' ? 1 : (strcmp(var, variant) == 0 ? 2 : 0);
        if (!pr) continue;
        yaa_migration *x = find_or_add(m, v, err);
        if (!x) {
            rc = YAA_ENOMEM;
            break;
        }
        if (x->name[0] && strcmp(x->name, name) != 0) {
            rc = yaa_err_set(err, YAA_ECONFIG,
                             "migrations '%s': version %ld is used by both '%s' and '%s'", dir, v,
                             x->name, name);
            break;
        }
        snprintf(x->name, sizeof x->name, "%s", name);
        size_t idx = (size_t)(x - m->items);
        if (idx >= cap) {
            size_t nc = (idx + 1) * 2;
            int *np = realloc(prio, nc * 2 * sizeof *np);
            if (!np) {
                rc = yaa_err_set(err, YAA_ENOMEM, "out of memory");
                break;
            }
            memset(np + cap * 2, 0, (nc - cap) * 2 * sizeof *np);
            prio = np;
            cap = nc;
        }
        if (pr <= prio[idx * 2 + up]) continue;
        prio[idx * 2 + up] = pr;
        char path[PATH_MAX + 512];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        char **slot = up ? &x->up_path : &x->down_path;
        free(*slot);
        *slot = strdup(path);
        if (!*slot) {
            rc = yaa_err_set(err, YAA_ENOMEM, "out of memory");
            break;
        }
    }
    closedir(d);
    free(prio);
    return rc;
}

static int cmp_version(const void *a, const void *b) {
    long x = ((const yaa_migration *)a)->version, y = ((const yaa_migration *)b)->version;
    return (x > y) - (x < y);
}

void yaa_db_migrations_free(yaa_migrations *m) {
    if (!m) return;
    for (size_t i = 0; i < m->n; i++) {
        free(m->items[i].up_path);
        free(m->items[i].down_path);
    }
    free(m->items);
    m->items = NULL;
    m->n = 0;
}

int yaa_db_migrations_load(yaa_db *db, const char *dir, yaa_migrations *out, yaa_err *err) {
    memset(out, 0, sizeof *out);
    char found[PATH_MAX];
    int rc = yaa_db_migrations_dir(dir, found, sizeof found, err);
    if (!rc) rc = scan(found, db->drv->variant, out, err);
    if (!rc) rc = yaa_db_exec(db, ENSURE_TABLE, NULL, 0, NULL, err);
    yaa_db_rows *r = NULL;
    if (!rc)
        rc =
            yaa_db_query(db, "SELECT version, applied_at FROM schema_migrations", NULL, 0, &r, err);
    for (size_t i = 0; !rc && i < yaa_db_rows_count(r); i++) {
        yaa_migration *x = find_or_add(out, (long)yaa_db_get_int(r, i, 0), err);
        if (!x) {
            rc = YAA_ENOMEM;
            break;
        }
        x->applied = true;
        snprintf(x->applied_at, sizeof x->applied_at, "%s",
                 yaa_db_get_text(r, i, 1) ? yaa_db_get_text(r, i, 1) : "");
    }
    yaa_db_rows_free(r);
    if (rc) {
        yaa_db_migrations_free(out);
        return rc;
    }
    if (out->n) qsort(out->items, out->n, sizeof *out->items, cmp_version);
    return 0;
}

typedef struct step {
    const yaa_migration *m;
    const char *sql;
    bool up;
} step;

static int run_step(yaa_db *tx, void *arg, yaa_err *err) {
    const step *s = arg;
    int rc = 0;
    if (yaa_db_kind(tx) == YAA_DB_POSTGRES) /* serialise concurrent runners */
        rc = yaa_db_exec(tx, "SELECT pg_advisory_xact_lock(7275001)", NULL, 0, NULL, err);
    yaa_db_rows *r = NULL;
    if (!rc)
        rc = yaa_db_query(tx, "SELECT 1 FROM schema_migrations WHERE version = ?",
                          YAA_DB_ARGS(yaa_db_int(s->m->version)), &r, err);
    if (rc) return rc;
    bool applied = yaa_db_rows_count(r) > 0;
    yaa_db_rows_free(r);
    if (applied == s->up) return 0; /* another runner got there first */
    rc = yaa_db_exec_script(tx, s->sql, err);
    if (rc) return rc;
    if (s->up) {
        char now[YAA_DB_TIME_LEN + 1];
        yaa_db_now(now);
        return yaa_db_exec(tx, "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
                           YAA_DB_ARGS(yaa_db_int(s->m->version), yaa_db_text(now)), NULL, err);
    }
    return yaa_db_exec(tx, "DELETE FROM schema_migrations WHERE version = ?",
                       YAA_DB_ARGS(yaa_db_int(s->m->version)), NULL, err);
}

static int apply(yaa_db *db, const yaa_migration *m, bool up, yaa_err *err) {
    const char *path = up ? m->up_path : m->down_path;
    if (!path)
        return yaa_err_set(err, YAA_ECONFIG, "migration %04ld%s%s has no %s file for %s",
                           m->version, m->name[0] ? "_" : "", m->name, up ? "up" : "down",
                           yaa_db_kind_name(db));
    char *sql = NULL;
    size_t len = 0;
    if (yaa_read_file(path, SQL_MAX, &sql, &len) != 0)
        return yaa_err_set(err, YAA_EIO, "cannot read migration file '%s'", path);
    step s = {.m = m, .sql = sql, .up = up};
    int rc = yaa_db_tx(db, run_step, &s, err);
    free(sql);
    if (rc) yaa_err_prefix(err, "migration %s: ", path);
    return rc;
}

int yaa_db_upgrade(yaa_db *db, const char *dir, long target, int *count, yaa_err *err) {
    if (count) *count = 0;
    yaa_migrations m;
    int rc = yaa_db_migrations_load(db, dir, &m, err);
    if (rc) return rc;
    for (size_t i = 0; i < m.n && !rc; i++) {
        yaa_migration *x = &m.items[i];
        if (x->applied || (target >= 0 && x->version > target)) continue;
        rc = apply(db, x, true, err);
        if (!rc && count) (*count)++;
    }
    yaa_db_migrations_free(&m);
    return rc;
}

int yaa_db_downgrade(yaa_db *db, const char *dir, long target, int *count, yaa_err *err) {
    if (count) *count = 0;
    if (target < 0) return yaa_err_set(err, YAA_EINVAL, "downgrade target must be >= 0");
    yaa_migrations m;
    int rc = yaa_db_migrations_load(db, dir, &m, err);
    if (rc) return rc;
    for (size_t i = m.n; i-- > 0 && !rc;) {
        yaa_migration *x = &m.items[i];
        if (!x->applied || x->version <= target) continue;
        rc = apply(db, x, false, err);
        if (!rc && count) (*count)++;
    }
    yaa_db_migrations_free(&m);
    return rc;
}

int yaa_db_current_version(yaa_db *db, long *version, yaa_err *err) {
    *version = 0;
    int rc = yaa_db_exec(db, ENSURE_TABLE, NULL, 0, NULL, err);
    yaa_db_rows *r = NULL;
    if (!rc) rc = yaa_db_query(db, "SELECT MAX(version) FROM schema_migrations", NULL, 0, &r, err);
    if (!rc) *version = (long)yaa_db_get_int(r, 0, 0);
    yaa_db_rows_free(r);
    return rc;
}
