/* cmd_keys.c - `yaa keys create | list | revoke`: API keys in DATABASE_URL. The plaintext
 * key is printed once, at creation; only its SHA-256 is stored. */
#include "cli/cli.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/util.h"
#include "db/db.h"
#include "db/repo.h"

static const char usage[] =
    "Usage: yaa keys create --name NAME [--scopes read,write,admin] [--expires-days D] [--json]\n"
    "       yaa keys list [--json]\n"
    "       yaa keys revoke KEY_ID\n"
    "\n"
    "API keys for the HTTP API (header X-API-Key by default), stored in DATABASE_URL.\n"
    "\n"
    "  create   makes a key (yaa_ + 43 characters) and prints it: this is the only time it\n"
    "           is shown, only its SHA-256 is stored. Scopes default to read,write;\n"
    "           --expires-days 1-365 (default: never expires)\n"
    "  list     every key: id, name, scopes, state, created, expires, last used\n"
    "  revoke   deactivates a key at once\n"
    "\n"
    "Options:\n"
    "  --name NAME       create: what the key is for (1-200 characters; required)\n"
    "  --scopes LIST     create: comma-separated read, write, admin (default read,write)\n"
    "  --expires-days D  create: the key stops working after D days, 1-365 (default never)\n"
    "  --json            create, list: print JSON\n"
    "  -h, --help        this help\n";

static int db_fail(const yaa_err *err) {
    const char *hint = strstr(err->msg, "no such table") || strstr(err->msg, "does not exist")
                           ? " (run `yaa db upgrade` first)"
                           : "";
    return yaa_cli_fail("%s%s", err->msg, hint);
}

/* ["read","write"] -> read,write */
static void scopes_plain(const char *json, char *out, size_t n) {
    size_t o = 0;
    for (const char *p = json ? json : ""; *p && o + 1 < n; p++) {
        if (*p == '[' || *p == ']' || *p == '"' || *p == ' ') continue;
        out[o++] = *p;
    }
    out[o] = '\0';
}

static json_t *key_json(const yaa_db_apikey *k) {
    char c[21], e[21], u[21];
    yaa_db_time_public(k->created_at, c);
    yaa_db_time_public(k->expires_at, e);
    yaa_db_time_public(k->last_used_at, u);
    json_t *scopes = json_loads(k->scopes_json ? k->scopes_json : "[]", 0, NULL);
    return json_pack("{s:s, s:s, s:o, s:b, s:s, s:s?, s:s?}", "key_id", k->id, "name", k->name,
                     "scopes", scopes ? scopes : json_array(), "is_active", k->is_active,
                     "created_at", c, "expires_at", k->expires_at ? e : NULL, "last_used_at",
                     k->last_used_at ? u : NULL);
}

/* --opt VALUE or --opt=VALUE at argv[*i]; returns the value or NULL. */
static const char *opt_value(int argc, char **argv, int *i, const char *name, int *bad) {
    size_t n = strlen(name);
    const char *a = argv[*i];
    if (!a) return NULL;
    if (strncmp(a, name, n) != 0) return NULL;
    if (a[n] == '=') return a + n + 1;
    if (a[n] != '\0') return NULL;
    if (*i + 1 >= argc) {
        *bad = 1;
        return NULL;
    }
    return argv[++*i];
}

static int cmd_create(yaa_db *db, int argc, char **argv) {
    const char *name = NULL, *scopes = NULL, *days = NULL;
    bool as_json = false;
    for (int i = 2; i < argc && argv[i]; i++) {
        int bad = 0;
        const char *v;
        if (strcmp(argv[i], "--json") == 0)
            as_json = true;
        else if ((v = opt_value(argc, argv, &i, "--name", &bad)))
            name = v;
        else if ((v = opt_value(argc, argv, &i, "--scopes", &bad)))
            scopes = v;
        else if ((v = opt_value(argc, argv, &i, "--expires-days", &bad)))
            days = v;
        else if (bad)
            return yaa_cli_usage_error("keys create: %s needs a value", argv[i]);
        else
            return yaa_cli_usage_error("keys create: unknown option '%s'", argv[i]);
    }
    if (!name || !*name) return yaa_cli_usage_error("keys create: --name NAME is required");
    if (yaa_utf8_len(name) > 200 || !yaa_utf8_valid(name, strlen(name)))
        return yaa_cli_usage_error("keys create: --name must be 1-200 characters of UTF-8");
    long d = 0;
    if (days && yaa_parse_long(days, 1, 365, &d) != 0)
        return yaa_cli_usage_error("keys create: --expires-days '%s' must be a number from 1 to "
                                   "365",
                                   days);
    yaa_arena a;
    yaa_arena_init(&a, 4096);
    const char *sj;
    yaa_err err = {0};
    if (yaa_db_scopes_json(scopes, &a, &sj, &err)) {
        yaa_arena_free(&a);
        return yaa_cli_usage_error("keys create: --scopes: %s", err.msg);
    }
    char key[YAA_APIKEY_LEN + 1];
    yaa_db_apikey k;
    int rc = yaa_db_keys_issue(db, name, scopes, (int)d, key, &a, &k, &err);
    if (rc) {
        yaa_arena_free(&a);
        return db_fail(&err);
    }
    if (as_json) {
        json_t *j = key_json(&k);
        if (j) json_object_set_new(j, "api_key", json_string(key));
        rc = yaa_cli_print_json(j, 0);
    } else {
        char sc[64], exp[21];
        scopes_plain(k.scopes_json, sc, sizeof sc);
        yaa_db_time_public(k.expires_at, exp);
        printf("key_id:     %s\nname:       %s\nscopes:     %s\nexpires_at: %s\napi_key:    %s\n",
               k.id, k.name, sc, k.expires_at ? exp : "never", key);
        fprintf(stderr, "This is the only time the key is shown; store it now.\n");
        rc = YAA_EXIT_OK;
    }
    memset(key, 0, sizeof key);
    yaa_arena_free(&a);
    return rc;
}

static int cmd_list(yaa_db *db, int argc, char **argv) {
    bool as_json = false;
    for (int i = 2; i < argc && argv[i]; i++) {
        if (strcmp(argv[i], "--json") == 0)
            as_json = true;
        else
            return yaa_cli_usage_error("keys list: unknown option '%s'", argv[i]);
    }
    yaa_arena a;
    yaa_arena_init(&a, 4096);
    yaa_err err = {0};
    yaa_db_apikey *keys;
    size_t n;
    if (yaa_db_keys_list(db, true, &a, &keys, &n, &err)) {
        yaa_arena_free(&a);
        return db_fail(&err);
    }
    int rc = YAA_EXIT_OK;
    if (as_json) {
        json_t *arr = json_array();
        for (size_t i = 0; arr && i < n; i++) json_array_append_new(arr, key_json(&keys[i]));
        rc = yaa_cli_print_json(json_pack("{s:o, s:I}", "keys", arr, "total", (json_int_t)n), 0);
    } else {
        printf("%-36s  %-20s  %-16s  %-8s  %-20s  %-20s  %s\n", "KEY_ID", "NAME", "SCOPES", "STATE",
               "CREATED", "EXPIRES", "LAST_USED");
        time_t now = yaa_now();
        for (size_t i = 0; i < n; i++) {
            const yaa_db_apikey *k = &keys[i];
            char sc[64], c[21], e[21], u[21];
            scopes_plain(k->scopes_json, sc, sizeof sc);
            yaa_db_time_public(k->created_at, c);
            yaa_db_time_public(k->expires_at, e);
            yaa_db_time_public(k->last_used_at, u);
            const char *state = !k->is_active                   ? "revoked"
                                : !yaa_db_apikey_usable(k, now) ? "expired"
                                                                : "active";
            printf("%-36s  %-20s  %-16s  %-8s  %-20s  %-20s  %s\n", k->id, k->name, sc, state, c,
                   k->expires_at ? e : "never", k->last_used_at ? u : "never");
        }
        if (n == 0) fprintf(stderr, "no API keys yet: `yaa keys create --name NAME`\n");
    }
    yaa_arena_free(&a);
    return rc;
}

static int cmd_revoke(yaa_db *db, int argc, char **argv) {
    if (argc != 3)
        return yaa_cli_usage_error("keys revoke: expected one KEY_ID (see `yaa keys list`)");
    yaa_err err = {0};
    if (yaa_db_keys_revoke(db, argv[2], &err)) return db_fail(&err);
    printf("revoked %s\n", argv[2]);
    return YAA_EXIT_OK;
}

int yaa_cli_cmd_keys(yaa_cli *cli) {
    if (cli->argc < 2) {
        fputs(usage, stderr);
        return YAA_EXIT_USAGE;
    }
    if (yaa_cli_wants_help(cli->argc, cli->argv)) {
        fputs(usage, stdout);
        return YAA_EXIT_OK;
    }
    const char *sub = cli->argv[1];
    int (*fn)(yaa_db *, int, char **) = strcmp(sub, "create") == 0   ? cmd_create
                                        : strcmp(sub, "list") == 0   ? cmd_list
                                        : strcmp(sub, "revoke") == 0 ? cmd_revoke
                                                                     : NULL;
    if (!fn)
        return yaa_cli_usage_error("keys: unknown subcommand '%s' (create, list, revoke)", sub);
    yaa_db *db = NULL;
    yaa_err err = {0};
    if (yaa_db_open(cli->cfg->database_url, &db, &err)) return yaa_cli_fail("%s", err.msg);
    int rc = fn(db, cli->argc, cli->argv);
    yaa_db_close(db);
    return rc;
}
