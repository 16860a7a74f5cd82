/* cmd_run_topics.c - `yaa run --channel ID --topics FILE`: a batch from a file, one topic a
 * line, or CSV whose header names a `topic` column (and optionally `publish_at`, `review`).
 * The runs are created under one batch_id and queued for `yaa serve` / `yaa worker`, like
 * POST /pipeline/batch. Every bad line is reported with its number before anything is made. */
#include "cli/cli.h"

#include "core/buf.h"
#include "core/util.h"
#include "db/db.h"
#include "db/run_store.h"
#include "pipeline/review.h"
#include "queue/queue.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TOPICS 1000
#define MAX_FIELDS 8

/* Splits one CSV line into fields (RFC 4180 quoting within the line) in place. */
static int csv_fields(char *line, char *fields[MAX_FIELDS]) {
    int n = 0;
    char *p = line;
    while (n < MAX_FIELDS) {
        char *out = p, *start = p;
        if (*p == '"') {
            start = out = ++p;
            while (*p) {
                if (*p == '"' && p[1] == '"') {
                    *out++ = '"';
                    p += 2;
                } else if (*p == '"') {
                    p++;
                    break;
                } else {
                    *out++ = *p++;
                }
            }
            while (*p && *p != ',') p++;
        } else {
            while (*p && *p != ',') p++;
            out = p;
        }
        char sep = *p;
        *out = '\0';
        fields[n++] = start;
        if (sep != ',') break;
        p++;
    }
    return n;
}

typedef struct topic_row {
    char topic[2048];
    char publish_at[YAA_TIME_LEN + 1];
    char review[16];
} topic_row;

/* Reads FILE into rows; problems are printed with their line numbers. Returns the count, or
 * -1 after printing the problems. */
static long read_topics(const char *file, topic_row **rows_out) {
    char *text = NULL;
    size_t len = 0;
    if (yaa_read_file(file, 8 << 20, &text, &len) != 0) {
        yaa_cli_usage_error("run: cannot read --topics file %s", file);
        return -1;
    }
    topic_row *rows = calloc(MAX_TOPICS, sizeof *rows);
    long n = 0, bad = 0, lineno = 0;
    int col_topic = 0, col_at = -1, col_review = -1;
    bool csv = false;
    for (char *line = text, *next; rows && line && *line; line = next) {
        next = strchr(line, '\n');
        if (next) *next++ = '\0';
        lineno++;
        size_t l = strlen(line);
        if (l && line[l - 1] == '\r') line[--l] = '\0';
        if (lineno == 1 && strncmp(line, "topic", 5) == 0 && (line[5] == ',' || !line[5])) {
            csv = true;
            char *f[MAX_FIELDS];
            int nf = csv_fields(line, f);
            for (int i = 0; i < nf; i++) {
                if (strcmp(f[i], "topic") == 0)
                    col_topic = i;
                else if (strcmp(f[i], "publish_at") == 0)
                    col_at = i;
                else if (strcmp(f[i], "review") == 0)
                    col_review = i;
                else {
                    fprintf(stderr,
                            "yaa: run: %s line 1: unknown column '%s' (expected topic, "
                            "publish_at, review)\n",
                            file, f[i]);
                    bad++;
                }
            }
            continue;
        }
        const char *t = line;
        while (*t == ' ' || *t == '\t') t++;
        if (!*t || *t == '#') continue;
        if (n == MAX_TOPICS) {
            fprintf(stderr, "yaa: run: %s line %ld: more than %d topics\n", file, lineno,
                    MAX_TOPICS);
            bad++;
            break;
        }
        char *f[MAX_FIELDS] = {line};
        int nf = csv ? csv_fields(line, f) : 1;
        topic_row *r = &rows[n];
        yaa_err err = {0};
        if (yaa_pipeline_review_topic(col_topic < nf ? f[col_topic] : "", r->topic, sizeof r->topic,
                                      &err)) {
            fprintf(stderr, "yaa: run: %s line %ld: %s\n", file, lineno, err.msg);
            bad++;
            continue;
        }
        const char *at = col_at >= 0 && col_at < nf ? f[col_at] : "";
        if (*at && yaa_pipeline_review_publish_at(at, r->publish_at, &err)) {
            fprintf(stderr, "yaa: run: %s line %ld: %s\n", file, lineno, err.msg);
            bad++;
            continue;
        }
        const char *rv = col_review >= 0 && col_review < nf ? f[col_review] : "";
        if (*rv && yaa_pipeline_review_mode_parse(rv) < 0) {
            fprintf(stderr,
                    "yaa: run: %s line %ld: review '%s' is not none, script, video or "
                    "both\n",
                    file, lineno, rv);
            bad++;
            continue;
        }
        snprintf(r->review, sizeof r->review, "%s", rv);
        n++;
    }
    free(text);
    if (!rows) {
        yaa_cli_fail("run: out of memory");
        return -1;
    }
    if (!bad && n == 0) {
        fprintf(stderr, "yaa: run: %s holds no topic\n", file);
        bad++;
    }
    if (bad) {
        free(rows);
        return -1;
    }
    *rows_out = rows;
    return n;
}

int yaa_cli_run_topics(yaa_cli *cli, const yaa_db_runstore_spec *base, const char *file,
                       bool json_out) {
    topic_row *rows = NULL;
    long n = read_topics(file, &rows);
    if (n < 0) return YAA_EXIT_USAGE;
    yaa_batch_item *items = calloc((size_t)n, sizeof *items);
    yaa_db *db = NULL;
    yaa_queue *q = NULL;
    int rc = YAA_EXIT_FAIL;
    if (!items) goto out;
    for (long i = 0; i < n; i++) {
        items[i].topic = rows[i].topic;
        items[i].publish_at = rows[i].publish_at[0] ? rows[i].publish_at : NULL;
        items[i].review = rows[i].review[0] ? rows[i].review : NULL;
    }
    if (yaa_cli_open_db(cli, "run", true, &db) || yaa_cli_open_queue(cli, "run", db, &q)) goto out;
    char batch_id[37];
    yaa_err err = {0};
    if (yaa_pipeline_batch_start(db, q, base, items, (size_t)n, batch_id, &err)) {
        yaa_cli_fail("run: %s", err.msg);
        goto out;
    }
    json_t *runs = json_array();
    for (long i = 0; i < n; i++)
        json_array_append_new(
            runs,
            json_pack("{s:s, s:s, s:b, s:s, s:s?}", "run_id", items[i].run_id, "status", "pending",
                      "queued", items[i].queued, "topic", items[i].topic, "publish_at",
                      items[i].publish_at ? items[i].publish_at : base->publish_at));
    if (json_out) {
        yaa_cli_print_json(json_pack("{s:s, s:o}", "batch_id", batch_id, "runs", runs), 0);
    } else {
        printf("batch_id: %s (%ld runs queued; yaa serve or yaa worker runs them)\n", batch_id, n);
        size_t i;
        json_t *r;
        json_array_foreach(runs, i, r) {
            printf("%s  %s\n", json_string_value(json_object_get(r, "run_id")),
                   json_string_value(json_object_get(r, "topic")));
        }
        json_decref(runs);
    }
    rc = YAA_EXIT_OK;
    for (long i = 0; i < n; i++) /* pending without a job: the reconciler queues it later */
        if (!items[i].queued)
            fprintf(stderr, "run %s is not queued yet; a worker's reconciler queues it\n",
                    items[i].run_id);
out:
    if (q) yaa_queue_close(q);
    yaa_db_close(db);
    free(items);
    free(rows);
    return rc;
}
