/* cmd_review.c - `yaa review list | show | approve | reject | edit`: the review gates from a
 * terminal, on the same database and queue as the API (pipeline/review.c does the work, so a
 * decision here is the same as one in the dashboard). docs/WORKFLOW.md. */
#include "cli/cli.h"

#include "core/buf.h"
#include "core/util.h"
#include "db/db.h"
#include "db/repo.h"
#include "pipeline/pipeline.h"
#include "pipeline/review.h"
#include "queue/queue.h"

#include <jansson.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int usage(void) {
    fprintf(stderr,
            "Usage: yaa review list [--channel ID] [--json]\n"
            "       yaa review show RUN_ID [--json]\n"
            "       yaa review approve RUN_ID\n"
            "       yaa review reject RUN_ID --notes \"...\" [--from-stage S]\n"
            "       yaa review edit RUN_ID --script FILE.json\n"
            "       yaa review edit RUN_ID [--title T] [--description D | --description-file F]\n"
            "                              [--tags a,b,c] [--category N] [--privacy P]\n"
            "                              [--publish-at RFC3339] [--thumbnail NAME]\n"
            "\n"
            "  list       runs waiting at a review gate (awaiting_review)\n"
            "  show       a run's gate, history, script or metadata and files\n"
            "  approve    continue the run past its gate (it is queued again)\n"
            "  reject     re-run from --from-stage (default script_writer) with --notes for the\n"
            "             agents; the run stops at the gate again\n"
            "  edit       replace the script (script gate) or edit the upload's metadata\n"
            "             (video gate), checked against YouTube's limits\n");
    return YAA_EXIT_USAGE;
}

/* History entries from a terminal name the user: "cli:<login>". */
static void actor(char buf[96], yaa_review_actor *who) {
    struct passwd *pw = getpwuid(getuid());
    snprintf(buf, 96, "cli:%s", pw && pw->pw_name ? pw->pw_name : "unknown");
    who->key_id = buf;
}

static json_t *review_state(const yaa_db_run *r) {
    json_t *s = r->review_json ? json_loads(r->review_json, 0, NULL) : NULL;
    return json_is_object(s) ? s : (json_decref(s), json_object());
}

static int cmd_list(yaa_cli *cli, yaa_db *db, int argc, char **argv) {
    const char *channel = NULL;
    bool as_json = false;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--channel") == 0 && i + 1 < argc)
            channel = argv[++i];
        else if (strcmp(argv[i], "--json") == 0)
            as_json = true;
        else
            return yaa_cli_usage_error("review list: unexpected argument '%s'", argv[i]);
    }
    (void)cli;
    yaa_arena a;
    yaa_arena_init(&a, 16384);
    yaa_db_run_filter f = {.channel_id = channel, .status = "awaiting_review", .limit = 1000};
    yaa_db_run *items = NULL;
    size_t n = 0;
    int64_t total = 0;
    yaa_err err = {0};
    if (yaa_db_runs_list(db, &f, &a, &items, &n, &total, &err)) {
        yaa_arena_free(&a);
        return yaa_cli_fail("review list: %s", err.msg);
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *st = review_state(&items[i]);
        json_array_append_new(arr,
                              json_pack("{s:s, s:s, s:s, s:O?, s:s?, s:s}", "run_id", items[i].id,
                                        "channel_id", items[i].channel_id, "topic", items[i].topic,
                                        "stage", json_object_get(st, "stage"), "batch_id",
                                        items[i].batch_id, "updated_at", items[i].updated_at));
        json_decref(st);
    }
    yaa_arena_free(&a);
    if (as_json) {
        return yaa_cli_print_json(json_pack("{s:o, s:I}", "runs", arr, "total", (json_int_t)n), 0);
    }
    if (n == 0) puts("no run is waiting for review");
    size_t i;
    json_t *r;
    json_array_foreach(arr, i, r) {
        printf("%s  %-6s  %-20s  %s\n", json_string_value(json_object_get(r, "run_id")),
               json_string_value(json_object_get(r, "stage")) ?: "?",
               json_string_value(json_object_get(r, "channel_id")),
               json_string_value(json_object_get(r, "topic")));
    }
    json_decref(arr);
    return YAA_EXIT_OK;
}

static json_t *read_json_file(const char *path) {
    char *text = NULL;
    if (yaa_read_file(path, 4 << 20, &text, NULL) != 0) return NULL;
    json_t *j = json_loads(text, 0, NULL);
    free(text);
    return j;
}

static int cmd_show(yaa_cli *cli, yaa_db *db, const char *id, bool as_json) {
    yaa_arena a;
    yaa_arena_init(&a, 16384);
    yaa_db_run r;
    yaa_err err = {0};
    if (yaa_db_runs_get(db, id, &a, &r, &err)) {
        yaa_arena_free(&a);
        return yaa_cli_fail("review show: %s", err.msg);
    }
    json_t *st = review_state(&r);
    const char *gate = json_string_value(json_object_get(st, "stage"));
    bool waiting = strcmp(r.status, "awaiting_review") == 0;
    char dir[4096], path[4200];
    snprintf(dir, sizeof dir, "%s/%s", cli->cfg->output_dir, r.id);
    json_t *out =
        json_pack("{s:s, s:s, s:s, s:s, s:s?, s:O, s:s}", "run_id", r.id, "status", r.status,
                  "channel_id", r.channel_id, "topic", r.topic, "gate", waiting ? gate : NULL,
                  "history", json_object_get(st, "history") ?: json_array(), "output_dir", dir);
    if (!json_object_get(st, "history")) json_decref(json_object_get(out, "history"));
    static const char *files[] = {"script.json", "metadata.json", "quality.json"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        json_t *j = read_json_file(path);
        if (j) json_object_set_new(out, files[i], j);
    }
    if (as_json) {
        yaa_cli_print_json(json_incref(out), 0);
    } else {
        printf("run %s: %s%s%s\n", r.id, r.status, waiting ? " at the " : "",
               waiting && gate ? gate : "");
        printf("channel %s, topic: %s\n", r.channel_id, r.topic);
        json_t *script = json_object_get(out, "script.json");
        json_t *meta = json_object_get(out, "metadata.json");
        if (script) {
            printf("\nscript: %s\n", json_string_value(json_object_get(script, "title")) ?: "");
            size_t i;
            json_t *sec;
            json_array_foreach(json_object_get(script, "sections"), i, sec) {
                printf("  %zu. %s\n     %s\n", i + 1,
                       json_string_value(json_object_get(sec, "heading")) ?: "",
                       json_string_value(json_object_get(sec, "narration")) ?: "");
            }
        }
        if (meta) {
            printf("\nmetadata:\n  title: %s\n  privacy: %s\n  publish_at: %s\n",
                   json_string_value(json_object_get(meta, "title")) ?: "",
                   json_string_value(json_object_get(meta, "privacy")) ?: "private",
                   json_string_value(json_object_get(meta, "publish_at")) ?: "-");
        }
        size_t i;
        json_t *h;
        json_t *hist = json_object_get(out, "history");
        if (json_array_size(hist)) puts("\nhistory:");
        json_array_foreach(hist, i, h) {
            printf("  %s  %-13s %s%s%s\n", json_string_value(json_object_get(h, "at")) ?: "",
                   json_string_value(json_object_get(h, "action")) ?: "",
                   json_string_value(json_object_get(h, "key_id")) ?: "",
                   json_string_value(json_object_get(h, "notes")) ? ": " : "",
                   json_string_value(json_object_get(h, "notes")) ?: "");
        }
        printf("\nfiles: %s (video.mp4, thumbnail.png, script.md, metadata.json)\n", dir);
    }
    json_decref(out);
    json_decref(st);
    yaa_arena_free(&a);
    return YAA_EXIT_OK;
}

/* Metadata flags into a patch object; NULL (after a usage message) on a bad flag. */
static json_t *metadata_patch(int argc, char **argv, const char **script_file) {
    json_t *p = json_object();
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) {
            yaa_cli_usage_error("review edit: %s needs a value", a);
            json_decref(p);
            return NULL;
        }
        i++;
        if (strcmp(a, "--script") == 0) {
            *script_file = v;
        } else if (strcmp(a, "--title") == 0) {
            json_object_set_new(p, "title", json_string(v));
        } else if (strcmp(a, "--description") == 0) {
            json_object_set_new(p, "description", json_string(v));
        } else if (strcmp(a, "--description-file") == 0) {
            char *text = NULL;
            if (yaa_read_file(v, 1 << 20, &text, NULL) != 0) {
                yaa_cli_usage_error("review edit: cannot read %s", v);
                json_decref(p);
                return NULL;
            }
            json_object_set_new(p, "description", json_string(text));
            free(text);
        } else if (strcmp(a, "--tags") == 0) {
            json_t *tags = json_array();
            for (const char *s = v; *s;) {
                size_t len = strcspn(s, ",");
                while (len && (*s == ' ')) s++, len--;
                size_t l2 = len;
                while (l2 && s[l2 - 1] == ' ') l2--;
                if (l2) json_array_append_new(tags, json_stringn(s, l2));
                s += len;
                if (*s == ',') s++;
            }
            json_object_set_new(p, "tags", tags);
        } else if (strcmp(a, "--category") == 0) {
            json_object_set_new(p, "category_id", json_string(v));
        } else if (strcmp(a, "--privacy") == 0) {
            json_object_set_new(p, "privacy", json_string(v));
        } else if (strcmp(a, "--publish-at") == 0) {
            json_object_set_new(p, "publish_at", json_string(v));
        } else if (strcmp(a, "--thumbnail") == 0) {
            json_object_set_new(p, "thumbnail", json_string(v));
        } else {
            yaa_cli_usage_error("review edit: unexpected argument '%s'", a);
            json_decref(p);
            return NULL;
        }
    }
    return p;
}

static int cmd_edit(yaa_cli *cli, yaa_db *db, const char *id, int argc, char **argv) {
    const char *script_file = NULL;
    json_t *patch = metadata_patch(argc, argv, &script_file);
    if (!patch) return YAA_EXIT_USAGE;
    char who_buf[96];
    yaa_review_actor who;
    actor(who_buf, &who);
    yaa_err err = {0};
    int rc;
    if (script_file) {
        json_t *script = read_json_file(script_file);
        if (!script) {
            json_decref(patch);
            return yaa_cli_usage_error("review edit: %s is not a readable JSON file", script_file);
        }
        rc = yaa_pipeline_review_script_put(db, cli->cfg, id, script, &who, &err);
        json_decref(script);
        if (rc) {
            json_decref(patch);
            return yaa_cli_fail("review edit: %s", err.msg);
        }
        printf("script of %s replaced\n", id);
    }
    if (json_object_size(patch) || !script_file) {
        json_t *errors = json_array(), *meta = NULL;
        rc = yaa_pipeline_review_metadata_patch(db, cli->cfg, id, patch, &who, errors, &meta, &err);
        size_t i;
        json_t *e;
        json_array_foreach(errors, i, e) {
            fprintf(stderr, "yaa: review edit: %s: %s\n",
                    json_string_value(json_array_get(json_object_get(e, "loc"), 1)),
                    json_string_value(json_object_get(e, "msg")));
        }
        json_decref(errors);
        json_decref(patch);
        if (rc) return yaa_cli_fail("review edit: %s", err.msg);
        printf("metadata of %s: %s\n", id, json_string_value(json_object_get(meta, "title")));
        json_decref(meta);
        return YAA_EXIT_OK;
    }
    json_decref(patch);
    return YAA_EXIT_OK;
}

static int cmd_decide(yaa_cli *cli, yaa_db *db, const char *verb, const char *id, int argc,
                      char **argv) {
    const char *notes = NULL, *from = NULL;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--notes") == 0 && i + 1 < argc)
            notes = argv[++i];
        else if (strcmp(argv[i], "--from-stage") == 0 && i + 1 < argc)
            from = argv[++i];
        else
            return yaa_cli_usage_error("review %s: unexpected argument '%s'", verb, argv[i]);
    }
    bool reject = strcmp(verb, "reject") == 0;
    if (reject && (!notes || !*notes))
        return yaa_cli_usage_error("review reject: --notes \"what to change\" is required");
    if (from && yaa_agents_stage_index(from) < 0)
        return yaa_cli_usage_error("review reject: --from-stage '%s' is not a stage (%s)", from,
                                   yaa_agents_stage_list_text());
    yaa_queue *q = NULL;
    if (yaa_cli_open_queue(cli, "review", db, &q)) return YAA_EXIT_FAIL;
    char who_buf[96];
    yaa_review_actor who;
    actor(who_buf, &who);
    yaa_err err = {0};
    int rc = reject ? yaa_pipeline_review_reject(db, q, id, notes, from, &who, &err)
                    : yaa_pipeline_review_approve(db, q, id, &who, &err);
    yaa_queue_close(q);
    if (rc) return yaa_cli_fail("review %s: %s", verb, err.msg);
    printf("run %s %s; queued again\n", id, reject ? "rejected" : "approved");
    return YAA_EXIT_OK;
}

int yaa_cli_cmd_review(yaa_cli *cli) {
    if (cli->argc < 2 || yaa_cli_wants_help(cli->argc, cli->argv)) {
        usage();
        return cli->argc < 2 ? YAA_EXIT_USAGE : YAA_EXIT_OK;
    }
    const char *sub = cli->argv[1];
    bool known = strcmp(sub, "list") == 0 || strcmp(sub, "show") == 0 ||
                 strcmp(sub, "approve") == 0 || strcmp(sub, "reject") == 0 ||
                 strcmp(sub, "edit") == 0;
    if (!known) {
        yaa_cli_usage_error("review: unknown subcommand '%s'", sub);
        return usage();
    }
    const char *id = NULL;
    int rest = 2;
    if (strcmp(sub, "list") != 0) {
        id = cli->argc > 2 ? cli->argv[2] : NULL;
        if (!id || !yaa_uuid_valid(id))
            return yaa_cli_usage_error("review %s: a run id (UUID) is required", sub);
        rest = 3;
    }
    yaa_db *db = NULL;
    if (yaa_cli_open_db(cli, "review", true, &db)) return YAA_EXIT_FAIL;
    int argc = cli->argc - rest;
    char **argv = cli->argv + rest;
    int rc;
    if (strcmp(sub, "list") == 0)
        rc = cmd_list(cli, db, argc, argv);
    else if (strcmp(sub, "show") == 0)
        rc = cmd_show(cli, db, id, argc > 0 && strcmp(argv[0], "--json") == 0);
    else if (strcmp(sub, "edit") == 0)
        rc = cmd_edit(cli, db, id, argc, argv);
    else
        rc = cmd_decide(cli, db, sub, id, argc, argv);
    yaa_db_close(db);
    return rc;
}
