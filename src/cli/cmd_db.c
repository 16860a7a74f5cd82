/* cmd_db.c - `yaa db upgrade [V] | downgrade [V] | history | current`: the migration runner
 * of src/db/migrate.h on DATABASE_URL. */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "db/db.h"
#include "db/migrate.h"

static const char usage[] =
    "Usage: yaa db upgrade [VERSION]\n"
    "       yaa db downgrade [VERSION]\n"
    "       yaa db history\n"
    "       yaa db current\n"
    "\n"
    "Migrations of DATABASE_URL (now %s), from the numbered SQL files of the\n"
    "migrations directory (YAA_MIGRATIONS_DIR, else ./migrations; see docs/DATABASE.md).\n"
    "\n"
    "  upgrade     applies every pending migration (or those up to VERSION)\n"
    "  downgrade   reverts the latest applied migration, or every one above VERSION\n"
    "              (`yaa db downgrade 0` reverts them all)\n"
    "  history     every migration: version, name, and when it was applied (or pending)\n"
    "  current     the database's version: the highest applied migration (0: none)\n";

static void print_usage(FILE *out, const yaa_config *cfg) {
    char red[512];
    yaa_db_redact_url(cfg->database_url, red, sizeof red);
    fprintf(out, usage, red);
}

static int hint_fail(const yaa_err *err) { return yaa_cli_fail("%s", err->msg); }

static int parse_version(const char *s, long *out) {
    if (yaa_parse_long(s, 0, 999999, out) != 0)
        return yaa_cli_usage_error("version '%s' is not a number (e.g. 3 or 0003)", s);
    return 0;
}

/* Prints what changed between two loads: "applied 0001_core" / "reverted ...". */
static void report(const yaa_migrations *before, const yaa_migrations *after) {
    for (size_t i = 0; i < after->n; i++) {
        const yaa_migration *a = &after->items[i];
        bool was = false;
        for (size_t j = 0; j < before->n; j++)
            if (before->items[j].version == a->version) was = before->items[j].applied;
        if (a->applied && !was) printf("applied  %04ld_%s\n", a->version, a->name);
    }
    for (size_t j = before->n; j-- > 0;) {
        const yaa_migration *b = &before->items[j];
        bool now = false;
        for (size_t i = 0; i < after->n; i++)
            if (after->items[i].version == b->version) now = after->items[i].applied;
        if (b->applied && !now) printf("reverted %04ld_%s\n", b->version, b->name);
    }
}

static int run_change(yaa_db *db, const char *dir, bool up, long target) {
    yaa_err err = {0};
    yaa_migrations before, after;
    if (yaa_db_migrations_load(db, dir, &before, &err)) return hint_fail(&err);
    if (!up && target < 0) { /* default: revert only the latest applied migration */
        target = 0;
        long top = -1;
        for (size_t i = before.n; i-- > 0;) {
            if (!before.items[i].applied) continue;
            if (top < 0) {
                top = before.items[i].version;
            } else {
                target = before.items[i].version;
                break;
            }
        }
        if (top < 0) {
            yaa_db_migrations_free(&before);
            puts("nothing to revert: no migration is applied");
            return YAA_EXIT_OK;
        }
    }
    int count = 0;
    int rc = up ? yaa_db_upgrade(db, dir, target, &count, &err)
                : yaa_db_downgrade(db, dir, target, &count, &err);
    yaa_err err2 = {0};
    if (yaa_db_migrations_load(db, dir, &after, &err2) == 0) {
        report(&before, &after);
        yaa_db_migrations_free(&after);
    }
    yaa_db_migrations_free(&before);
    if (rc) return hint_fail(&err);
    long v = 0;
    if (yaa_db_current_version(db, &v, &err)) return hint_fail(&err);
    if (count == 0)
        printf("nothing to %s: database at version %ld\n", up ? "apply" : "revert", v);
    else
        printf("database at version %ld\n", v);
    return YAA_EXIT_OK;
}

static int history(yaa_db *db, const char *dir) {
    yaa_err err = {0};
    yaa_migrations m;
    if (yaa_db_migrations_load(db, dir, &m, &err)) return hint_fail(&err);
    printf("%-8s %-28s %s\n", "VERSION", "NAME", "APPLIED");
    for (size_t i = 0; i < m.n; i++) {
        const yaa_migration *x = &m.items[i];
        char when[21];
        yaa_db_time_public(x->applied_at, when);
        printf("%04ld     %-28s %s%s\n", x->version, x->name[0] ? x->name : "(no file)",
               x->applied ? when : "pending", x->applied && !x->up_path ? "  (file missing)" : "");
    }
    yaa_db_migrations_free(&m);
    return YAA_EXIT_OK;
}

static int current(yaa_db *db, const char *dir) {
    yaa_err err = {0};
    yaa_migrations m;
    if (yaa_db_migrations_load(db, dir, &m, &err)) return hint_fail(&err);
    const yaa_migration *top = NULL;
    size_t pending = 0;
    for (size_t i = 0; i < m.n; i++) {
        if (m.items[i].applied)
            top = &m.items[i];
        else
            pending++;
    }
    if (top)
        printf("%04ld %s\n", top->version, top->name);
    else
        printf("0 (no migration applied)\n");
    if (pending) fprintf(stderr, "%zu pending: run `yaa db upgrade`\n", pending);
    yaa_db_migrations_free(&m);
    return YAA_EXIT_OK;
}

int yaa_cli_cmd_db(yaa_cli *cli) {
    if (cli->argc < 2) {
        print_usage(stderr, cli->cfg);
        return YAA_EXIT_USAGE;
    }
    if (yaa_cli_wants_help(cli->argc, cli->argv)) {
        print_usage(stdout, cli->cfg);
        return YAA_EXIT_OK;
    }
    const char *sub = cli->argv[1];
    bool up = strcmp(sub, "upgrade") == 0, down = strcmp(sub, "downgrade") == 0;
    bool hist = strcmp(sub, "history") == 0, cur = strcmp(sub, "current") == 0;
    if (!up && !down && !hist && !cur)
        return yaa_cli_usage_error("db: unknown subcommand '%s' (upgrade, downgrade, history, "
                                   "current)",
                                   sub);
    long target = -1;
    int max_args = (up || down) ? 3 : 2;
    if (cli->argc > max_args)
        return yaa_cli_usage_error("db %s: unexpected argument '%s'", sub, cli->argv[max_args]);
    if (cli->argc == 3 && parse_version(cli->argv[2], &target)) return YAA_EXIT_USAGE;

    yaa_db *db = NULL;
    yaa_err err = {0};
    if (yaa_db_open(cli->cfg->database_url, &db, &err)) return hint_fail(&err);
    const char *dir = cli->cfg->migrations_dir; /* NULL: ./migrations, else the source tree's */
    int rc = (up || down) ? run_change(db, dir, up, target)
             : hist       ? history(db, dir)
                          : current(db, dir);
    yaa_db_close(db);
    return rc;
}
