/* review.c - review gates: the decisions and edits a person makes while a run waits at
 * awaiting_review (approve, reject with notes, replace the script, edit the metadata), each
 * applied in one transaction that also appends to the run's review history. The orchestrator
 * (pipeline.c) decides where a run stops; this file decides what happens next. */
#include "pipeline/review.h"

#include "pipeline/pipeline.h"
#include "pipeline/pipeline_internal.h"

#include "agents/agent.h"
#include "agents/text.h"
#include "core/buf.h"
#include "core/log.h"
#include "db/repo.h"
#include "db/run_store.h"
#include "media/audio.h"
#include "queue/queue.h"
#include "youtube/youtube.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int yaa_pipeline_review_mode_parse(const char *s) {
    if (!s || strcmp(s, "none") == 0) return 0;
    if (strcmp(s, "script") == 0) return YAA_REVIEW_SCRIPT;
    if (strcmp(s, "video") == 0) return YAA_REVIEW_VIDEO;
    if (strcmp(s, "both") == 0) return YAA_REVIEW_SCRIPT | YAA_REVIEW_VIDEO;
    return -1;
}

const char *yaa_pipeline_review_gate_name(int gate) {
    return gate == YAA_REVIEW_SCRIPT ? "script" : gate == YAA_REVIEW_VIDEO ? "video" : NULL;
}

/* The script gate sits before seo_optimizer (the metadata is written from the approved
 * script), the video gate before publisher. */
int yaa_pipeline_review_gate_before(int stage) {
    if (stage == YAA_STAGE_SEO_OPTIMIZER) return YAA_REVIEW_SCRIPT;
    if (stage == YAA_STAGE_PUBLISHER) return YAA_REVIEW_VIDEO;
    return 0;
}

static int gate_of_name(const char *name) {
    if (!name) return 0;
    return strcmp(name, "script") == 0  ? YAA_REVIEW_SCRIPT
           : strcmp(name, "video") == 0 ? YAA_REVIEW_VIDEO
                                        : 0;
}

static int gate_stage(int gate) {
    return gate == YAA_REVIEW_SCRIPT ? YAA_STAGE_SEO_OPTIMIZER : YAA_STAGE_PUBLISHER;
}

int yaa_pipeline_review_publish_at(const char *in, char out[YAA_TIME_LEN + 1], yaa_err *err) {
    time_t t;
    if (!in || !strchr(in, 'T') || yaa_time_parse(in, &t) != 0)
        return yaa_err_set(err, YAA_EINVAL,
                           "publish_at '%.40s' is not an RFC 3339 date-time; expected e.g. "
                           "2026-12-24T18:00:00Z or 2026-12-24T18:00:00+09:00",
                           in ? in : "");
    if (t <= yaa_now())
        return yaa_err_set(err, YAA_EINVAL,
                           "publish_at '%.40s' is in the past; YouTube schedules only future times",
                           in);
    yaa_time_format(t, out);
    return 0;
}

int yaa_pipeline_review_topic(const char *in, char *out, size_t cap, yaa_err *err) {
    if (!in) return yaa_err_set(err, YAA_EINVAL, "topic is missing");
    while (*in && isspace((unsigned char)*in)) in++;
    size_t n = strlen(in);
    while (n && isspace((unsigned char)in[n - 1])) n--;
    if (n == 0) return yaa_err_set(err, YAA_EINVAL, "topic is empty");
    if (n >= cap) return yaa_err_set(err, YAA_EINVAL, "topic is longer than %zu bytes", cap - 1);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)in[i] < 0x20 || in[i] == 0x7f)
            return yaa_err_set(err, YAA_EINVAL, "topic contains a control character");
    memcpy(out, in, n);
    out[n] = '\0';
    if (!yaa_utf8_valid(out, n)) return yaa_err_set(err, YAA_EINVAL, "topic is not valid UTF-8");
    if (yaa_utf8_len(out) > 500)
        return yaa_err_set(err, YAA_EINVAL, "topic has %zu characters; at most 500",
                           yaa_utf8_len(out));
    return 0;
}

void yaa_pipeline_review_history_add(json_t *state, const char *action, const yaa_review_actor *who,
                                     json_t *extra) {
    json_t *hist = json_object_get(state, "history");
    if (!json_is_array(hist)) {
        hist = json_array();
        json_object_set_new(state, "history", hist);
    }
    char now[YAA_TIME_LEN + 1];
    yaa_time_now_str(now);
    json_t *e = json_pack("{s:s, s:s?, s:s}", "action", action, "key_id",
                          who && who->key_id && *who->key_id ? who->key_id : NULL, "at", now);
    if (extra) json_object_update(e, extra);
    json_decref(extra);
    json_array_append_new(hist, e);
}

/* ---------------------------------------------------------------- one edit, one transaction */

typedef int (*edit_fn)(yaa_db *tx, const yaa_db_run *run, json_t *state, void *arg, yaa_err *err);

typedef struct edit {
    const char *run_id;
    const char *new_status; /* NULL keeps awaiting_review */
    edit_fn fn;
    void *arg;
    int gate; /* out: the gate the run waited at */
} edit;

static int edit_tx(yaa_db *tx, void *p, yaa_err *err) {
    edit *e = p;
    yaa_arena a;
    yaa_arena_init(&a, 8192);
    yaa_db_run run;
    int rc = yaa_db_runs_get(tx, e->run_id, &a, &run, err);
    if (rc == YAA_ENOTFOUND) rc = yaa_err_set(err, YAA_ENOTFOUND, "Run not found");
    if (!rc && strcmp(run.status, "awaiting_review") != 0)
        rc = yaa_err_set(err, YAA_ECONFLICT, "run %s is %s, not awaiting review", e->run_id,
                         run.status);
    json_t *state = NULL;
    if (!rc) {
        state = run.review_json ? json_loads(run.review_json, 0, NULL) : NULL;
        if (!json_is_object(state)) {
            json_decref(state);
            state = json_object();
        }
        e->gate = gate_of_name(json_string_value(json_object_get(state, "stage")));
        rc = e->fn(tx, &run, state, e->arg, err);
    }
    char *text = rc ? NULL : json_dumps(state, JSON_COMPACT);
    if (!rc && !text) rc = yaa_err_set(err, YAA_ENOMEM, "out of memory");
    if (!rc) {
        yaa_db_run_update u = {.review_json = text, .if_status_in = "awaiting_review"};
        u.status = e->new_status;
        rc = yaa_db_runs_update(tx, e->run_id, &u, err);
    }
    free(text);
    json_decref(state);
    yaa_arena_free(&a);
    return rc;
}

static int apply(yaa_db *db, edit *e, yaa_err *err) { return yaa_db_tx(db, edit_tx, e, err); }

/* After a decision the run is queued again; if that fails it goes back to the gate, so the
 * person can try again rather than the run sitting in pending with no job. */
static int requeue(yaa_db *db, yaa_queue *q, const char *run_id, yaa_err *err) {
    if (!q) return 0;
    int rc = yaa_queue_enqueue_run(q, run_id, NULL, NULL, err);
    if (!rc) return 0;
    yaa_err ignore = {0};
    yaa_db_run_update u = {.status = "awaiting_review", .if_status_in = "pending"};
    yaa_db_runs_update(db, run_id, &u, &ignore);
    return yaa_err_set(err, YAA_EUNAVAILABLE, "queue unavailable: the run could not be queued (%s)",
                       err->msg);
}

/* ---------------------------------------------------------------- approve */

static int approve_fn(yaa_db *tx, const yaa_db_run *run, json_t *state, void *arg, yaa_err *err) {
    (void)tx, (void)run, (void)arg;
    const char *stage = json_string_value(json_object_get(state, "stage"));
    if (!gate_of_name(stage))
        return yaa_err_set(err, YAA_ECONFLICT, "run %s waits at no known gate", run->id);
    json_t *approved = json_object_get(state, "approved");
    if (!json_is_array(approved)) {
        approved = json_array();
        json_object_set_new(state, "approved", approved);
    }
    json_array_append_new(approved, json_string(stage));
    yaa_pipeline_review_history_add(state, "approve", arg, json_pack("{s:s}", "stage", stage));
    json_object_set_new(state, "stage", json_null());
    return 0;
}

int yaa_pipeline_review_approve(yaa_db *db, yaa_queue *q, const char *run_id,
                                const yaa_review_actor *who, yaa_err *err) {
    edit e = {run_id, "pending", approve_fn, (void *)who, 0};
    int rc = apply(db, &e, err);
    if (!rc) rc = requeue(db, q, run_id, err);
    if (!rc)
        yaa_log_ev(YAA_LOG_INFO, "review", "run approved", YAA_F_STR("run_id", run_id),
                   YAA_F_STR("stage", yaa_pipeline_review_gate_name(e.gate)), YAA_F_END);
    return rc;
}

/* ---------------------------------------------------------------- reject */

typedef struct reject_arg {
    const char *notes;
    const char *from_stage;
    const yaa_review_actor *who;
} reject_arg;

static int reject_fn(yaa_db *tx, const yaa_db_run *run, json_t *state, void *p, yaa_err *err) {
    reject_arg *ra = p;
    const char *stage = json_string_value(json_object_get(state, "stage"));
    int gate = gate_of_name(stage);
    if (!gate) return yaa_err_set(err, YAA_ECONFLICT, "run %s waits at no known gate", run->id);
    const char *from = ra->from_stage ? ra->from_stage : "script_writer";
    int fi = yaa_agents_stage_index(from);
    int gs = gate_stage(gate);
    if (fi < 0 || fi >= gs)
        return yaa_err_set(err, YAA_EINVAL,
                           "from_stage '%s' cannot be re-run from the %s gate; expected a stage "
                           "before %s (e.g. script_writer)",
                           from, stage, yaa_agents_stage_name(gs));
    /* The stages from there to the gate run again; their attempt goes up when they start. */
    for (int i = fi; i < gs; i++) {
        int rc =
            yaa_db_stages_finish(tx, run->id, yaa_agents_stage_name(i), "pending", NULL, NULL, err);
        if (rc) return rc;
    }
    /* Gates after the re-run stages must be passed again. */
    json_t *approved = json_object_get(state, "approved"), *kept = json_array();
    size_t i;
    json_t *g;
    json_array_foreach(approved, i, g) {
        if (gate_stage(gate_of_name(json_string_value(g))) <= fi) json_array_append(kept, g);
    }
    json_object_set_new(state, "approved", kept);
    json_object_set_new(state, "notes", json_string(ra->notes ? ra->notes : ""));
    json_object_set_new(state, "notes_from", json_string(from));
    yaa_pipeline_review_history_add(state, "reject", ra->who,
                                    json_pack("{s:s, s:s, s:s}", "stage", stage, "notes",
                                              ra->notes ? ra->notes : "", "from_stage", from));
    json_object_set_new(state, "stage", json_null());
    return 0;
}

int yaa_pipeline_review_reject(yaa_db *db, yaa_queue *q, const char *run_id, const char *notes,
                               const char *from_stage, const yaa_review_actor *who, yaa_err *err) {
    if (from_stage && yaa_agents_stage_index(from_stage) < 0)
        return yaa_err_set(err, YAA_EINVAL, "unknown stage '%s'", from_stage);
    reject_arg ra = {notes, from_stage, who};
    edit e = {run_id, "pending", reject_fn, &ra, 0};
    int rc = apply(db, &e, err);
    if (!rc) rc = requeue(db, q, run_id, err);
    if (!rc)
        yaa_log_ev(YAA_LOG_INFO, "review", "run rejected", YAA_F_STR("run_id", run_id),
                   YAA_F_STR("stage", from_stage ? from_stage : "script_writer"), YAA_F_END);
    return rc;
}

/* ---------------------------------------------------------------- script */

static int stage_output(yaa_db *db, const char *run_id, const char *stage, json_t **out,
                        yaa_err *err) {
    *out = NULL;
    yaa_arena a;
    yaa_arena_init(&a, 16384);
    yaa_db_stage st;
    int rc = yaa_db_stages_get(db, run_id, stage, &a, &st, err);
    if (!rc && (!st.status || strcmp(st.status, "done") != 0 || !st.output_json))
        rc = yaa_err_set(err, YAA_ENOTFOUND, "run %s has no %s output yet", run_id, stage);
    if (!rc && !(*out = json_loads(st.output_json, 0, NULL)))
        rc = yaa_err_set(err, YAA_EPARSE, "run %s: the %s checkpoint is not JSON", run_id, stage);
    if (rc == YAA_ENOTFOUND && !err->msg[0])
        yaa_err_set(err, YAA_ENOTFOUND, "run %s has no %s output yet", run_id, stage);
    yaa_arena_free(&a);
    return rc;
}

/* A stage's checkpoint of an existing run (404 "Run not found" otherwise). */
static int run_stage_output(yaa_db *db, const char *run_id, const char *stage, json_t **out,
                            yaa_err *err) {
    yaa_arena a;
    yaa_arena_init(&a, 4096);
    yaa_db_run run;
    int rc = yaa_db_runs_get(db, run_id, &a, &run, err);
    yaa_arena_free(&a);
    if (rc == YAA_ENOTFOUND) return yaa_err_set(err, YAA_ENOTFOUND, "Run not found");
    if (rc) return rc;
    return stage_output(db, run_id, stage, out, err);
}

int yaa_pipeline_review_script_get(yaa_db *db, const char *run_id, json_t **out, yaa_err *err) {
    return run_stage_output(db, run_id, "script_writer", out, err);
}

/* The metadata as metadata.json holds it at the video gate: the SEO checkpoint (with the
 * reviewer's edits) and the credits of the pictures media_generator chose, composed by the
 * function that stage uses (agents/credits.c), so the reviewer sees the description that will
 * be uploaded (less the chapters the publisher measures). No credits before media_generator. */
static int with_credits(yaa_db *db, const char *run_id, json_t *meta, yaa_err *err) {
    json_t *media = NULL;
    yaa_err e = {0};
    int rc = stage_output(db, run_id, "media_generator", &media, &e);
    if (rc == YAA_ENOTFOUND) return 0;
    if (rc) return yaa_err_set(err, rc, "%s", e.msg);
    rc = yaa_agents_metadata_credits(meta, json_object_get(media, "credits"), NULL);
    json_decref(media);
    return rc ? yaa_err_set(err, rc, "run %s: cannot compose the footage credits", run_id) : 0;
}

int yaa_pipeline_review_metadata_get(yaa_db *db, const char *run_id, json_t **out, yaa_err *err) {
    int rc = run_stage_output(db, run_id, "seo_optimizer", out, err);
    if (!rc && (rc = with_credits(db, run_id, *out, err))) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

/* After an edit committed: the edited files go to the artifact store like a stage's output
 * (nothing to do with the file store). A failure leaves the store's copy stale, not the
 * checkpoint, which is what later stages read: it is logged, not returned. */
static void sync_store(yaa_db *db, const yaa_config *cfg, const char *run_id, const char *stage) {
    yaa_arena a;
    yaa_arena_init(&a, 4096);
    yaa_db_stage st;
    yaa_err err = {0};
    int rc = yaa_db_stages_get(db, run_id, stage, &a, &st, &err);
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/%s", cfg->output_dir, run_id);
    yaa_pipeline_env env = {.cfg = cfg, .db = db};
    if (!rc)
        rc = yaa_pipeline__artifacts_upload(&env, run_id, dir, stage, (int)st.attempt, false, &err);
    if (rc)
        yaa_log_ev(YAA_LOG_WARN, "review", "edited files not stored", YAA_F_STR("run_id", run_id),
                   YAA_F_STR("error", err.msg), YAA_F_END);
    yaa_arena_free(&a);
}

/* Writes name under output_dir/run_id atomically (the folder may not exist on this host). */
static int write_artifact(const char *output_dir, const char *run_id, const char *name,
                          const char *text, yaa_err *err) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", output_dir, run_id);
    if (yaa_mkdirs(path, 0755) != 0) return yaa_err_set(err, YAA_EIO, "cannot create %s", path);
    snprintf(path, sizeof path, "%s/%s/%s", output_dir, run_id, name);
    if (yaa_write_file(path, text, strlen(text)) != 0)
        return yaa_err_set(err, YAA_EIO, "cannot write %s", path);
    return 0;
}

static int write_json_artifact(const char *output_dir, const char *run_id, const char *name,
                               const json_t *j, yaa_err *err) {
    char *text = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (!text) return yaa_err_set(err, YAA_ENOMEM, "out of memory");
    int rc = write_artifact(output_dir, run_id, name, text, err);
    free(text);
    return rc;
}

typedef struct script_arg {
    const char *output_dir;
    const json_t *script;
    const yaa_review_actor *who;
} script_arg;

static int script_fn(yaa_db *tx, const yaa_db_run *run, json_t *state, void *p, yaa_err *err) {
    script_arg *sa = p;
    if (gate_of_name(json_string_value(json_object_get(state, "stage"))) != YAA_REVIEW_SCRIPT)
        return yaa_err_set(err, YAA_ECONFLICT,
                           "run %s is not waiting at the script gate; the script can be replaced "
                           "only there",
                           run->id);
    json_t *old = NULL;
    int rc = stage_output(tx, run->id, "script_writer", &old, err);
    if (rc) return rc;
    json_t *script = json_deep_copy(sa->script);
    const char *lang = json_string_value(json_object_get(old, "language"));
    rc = yaa_agents_script_check(script, lang ? lang : "en", err);
    /* What the agent recorded about itself stays (format, provider, notes answered). */
    const char *keep[] = {"short", "provider", "revision_notes"};
    for (size_t i = 0; !rc && i < sizeof keep / sizeof keep[0]; i++)
        if (!json_object_get(script, keep[i]) && json_object_get(old, keep[i]))
            json_object_set(script, keep[i], json_object_get(old, keep[i]));
    json_decref(old);
    char *text = rc ? NULL : json_dumps(script, JSON_COMPACT);
    if (!rc) rc = yaa_db_stages_finish(tx, run->id, "script_writer", "done", text, NULL, err);
    free(text);
    if (!rc) rc = write_json_artifact(sa->output_dir, run->id, "script.json", script, err);
    if (!rc) {
        char *md = yaa_agents_text_script_markdown(script);
        rc = write_artifact(sa->output_dir, run->id, "script.md", md ? md : "", err);
        free(md);
    }
    if (!rc)
        yaa_pipeline_review_history_add(
            state, "edit_script", sa->who,
            json_pack("{s:s, s:I}", "stage", "script", "sections",
                      (json_int_t)json_array_size(json_object_get(script, "sections"))));
    json_decref(script);
    return rc;
}

int yaa_pipeline_review_script_put(yaa_db *db, const yaa_config *cfg, const char *run_id,
                                   const json_t *script, const yaa_review_actor *who,
                                   yaa_err *err) {
    if (!json_is_object(script))
        return yaa_err_set(err, YAA_EINVAL, "the script must be a JSON object");
    script_arg sa = {cfg->output_dir, script, who};
    edit e = {run_id, NULL, script_fn, &sa, 0};
    int rc = apply(db, &e, err);
    if (!rc) sync_store(db, cfg, run_id, "script_writer");
    return rc;
}

/* ---------------------------------------------------------------- metadata */

static const char *const privacies[] = {"private", "unlisted", "public", NULL};

static void field_error(json_t *errors, const char *field, const char *type, const char *msg) {
    json_array_append_new(
        errors, json_pack("{s:[s,s], s:s, s:s}", "loc", "body", field, "msg", msg, "type", type));
}

/* One field checked with YouTube's own rules (youtube/publish.c): a metadata record with a
 * placeholder title and only that field set; a problem is reported at loc (the name the
 * client sent). */
static void youtube_check(json_t *errors, const char *loc, const char *field, const json_t *value) {
    json_t *m = json_pack("{s:s}", "title", "x");
    json_object_set(m, field, (json_t *)value);
    yaa_youtube_metadata md;
    yaa_err e = {0};
    int rc = yaa_youtube_metadata_from_json(m, &md, &e);
    free((void *)md.tags);
    json_decref(m);
    if (rc) {
        const char *msg = strncmp(e.msg, "youtube: ", 9) == 0 ? e.msg + 9 : e.msg;
        field_error(errors, loc, "value_error", msg);
    }
}

static bool is_string_array(const json_t *v) {
    if (!json_is_array(v)) return false;
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x) if (!json_is_string(x)) return false;
    return true;
}

/* A thumbnail the run has: thumbnail.png or one of its images/NN.png. */
static bool thumbnail_ok(const char *output_dir, const char *run_id, const char *name) {
    bool shape = strcmp(name, "thumbnail.png") == 0;
    if (!shape && strncmp(name, "images/", 7) == 0) {
        const char *n = name + 7;
        size_t len = strlen(n);
        shape = len >= 6 && len <= 8 && strcmp(n + len - 4, ".png") == 0;
        for (size_t i = 0; shape && i < len - 4; i++) shape = n[i] >= '0' && n[i] <= '9';
    }
    if (!shape) return false;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s/%s", output_dir, run_id, name);
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static void check_patch(const char *output_dir, const char *run_id, const json_t *patch,
                        json_t *errors) {
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)patch, key, v) {
        if (strcmp(key, "title") == 0 || strcmp(key, "description") == 0) {
            if (!json_is_string(v))
                field_error(errors, key, "string_type", "Input should be a valid string");
            else
                youtube_check(errors, key, key, v);
        } else if (strcmp(key, "tags") == 0) {
            if (!is_string_array(v))
                field_error(errors, key, "list_type", "Input should be a list of strings");
            else
                youtube_check(errors, key, key, v);
        } else if (strcmp(key, "category_id") == 0 || strcmp(key, "category") == 0) {
            /* "category" (the and YouTube Studio's word) is another name for it */
            if (strcmp(key, "category") == 0 && json_object_get(patch, "category_id"))
                field_error(errors, key, "value_error",
                            "Send category or category_id (the same field), not both");
            else if (!json_is_string(v))
                field_error(errors, key, "string_type",
                            "Input should be a string holding a YouTube category number");
            else
                youtube_check(errors, key, "category_id", v);
        } else if (strcmp(key, "privacy") == 0) {
            const char *s = json_string_value(v);
            bool ok = false;
            for (int i = 0; s && privacies[i]; i++) ok = ok || strcmp(s, privacies[i]) == 0;
            if (!ok)
                field_error(errors, key, "enum",
                            "Input should be 'private', 'unlisted' or 'public'");
        } else if (strcmp(key, "publish_at") == 0) {
            char norm[YAA_TIME_LEN + 1];
            yaa_err e = {0};
            if (!json_is_null(v) && yaa_pipeline_review_publish_at(json_string_value(v), norm, &e))
                field_error(errors, key, "datetime_parsing", e.msg);
        } else if (strcmp(key, "thumbnail") == 0) {
            const char *s = json_string_value(v);
            if (!s || !thumbnail_ok(output_dir, run_id, s))
                field_error(errors, key, "value_error",
                            "Input should name a thumbnail of this run: thumbnail.png or "
                            "images/NN.png");
        } else {
            field_error(errors, key, "extra_forbidden",
                        "Unknown field; expected title, description, tags, category_id (or "
                        "category), privacy, publish_at or thumbnail");
        }
    }
}

typedef struct meta_arg {
    const char *output_dir;
    const json_t *patch;
    const yaa_review_actor *who;
    json_t *errors;
    json_t *result;
} meta_arg;

static int meta_fn(yaa_db *tx, const yaa_db_run *run, json_t *state, void *p, yaa_err *err) {
    meta_arg *ma = p;
    if (gate_of_name(json_string_value(json_object_get(state, "stage"))) != YAA_REVIEW_VIDEO)
        return yaa_err_set(err, YAA_ECONFLICT,
                           "run %s is not waiting at the video gate; the metadata can be edited "
                           "only there",
                           run->id);
    check_patch(ma->output_dir, run->id, ma->patch, ma->errors);
    if (json_array_size(ma->errors))
        return yaa_err_set(err, YAA_EINVAL, "the metadata does not meet YouTube's limits");
    json_t *meta = NULL;
    int rc = stage_output(tx, run->id, "seo_optimizer", &meta, err);
    if (rc) return rc;
    json_t *changed = json_array();
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)ma->patch, key, v) {
        char norm[YAA_TIME_LEN + 1];
        yaa_err ignore = {0};
        /* stored under its real name; `key` itself must stay (the iteration follows it) */
        const char *field = strcmp(key, "category") == 0 ? "category_id" : key;
        if (strcmp(field, "publish_at") == 0 && json_is_string(v) &&
            yaa_pipeline_review_publish_at(json_string_value(v), norm, &ignore) == 0)
            json_object_set_new(meta, field, json_string(norm));
        else if (json_is_null(v))
            json_object_del(meta, field);
        else
            json_object_set(meta, field, v);
        json_array_append_new(changed, json_string(field));
    }
    /* YouTube publishes a scheduled video only from private. */
    if (json_is_string(json_object_get(meta, "publish_at")))
        json_object_set_new(meta, "privacy", json_string("private"));
    /* the checkpoint stays the SEO stage's own; the file keeps the credits (with_credits),
     * and an edited description must leave room for every credit line within the limit */
    json_t *shown = json_deep_copy(meta);
    rc = shown ? with_credits(tx, run->id, shown, err)
               : yaa_err_set(err, YAA_ENOMEM, "out of memory");
    if (!rc && json_object_get(ma->patch, "description")) {
        size_t missing = 0, i;
        json_t *c;
        const char *d = json_string_value(json_object_get(shown, "description"));
        json_array_foreach(json_object_get(shown, "credits"), i, c) missing +=
            !d || !strstr(d, json_string_value(json_object_get(c, "url")));
        if (missing) {
            char msg[256];
            snprintf(msg, sizeof msg,
                     "with the footage credits the description would exceed YouTube's 5000 "
                     "bytes; shorten the text to leave room for %zu more credit line%s",
                     missing, missing == 1 ? "" : "s");
            field_error(ma->errors, "description", "value_error", msg);
            rc = yaa_err_set(err, YAA_EINVAL, "the metadata does not meet YouTube's limits");
        }
    }
    char *text = rc ? NULL : json_dumps(meta, JSON_COMPACT);
    if (!rc)
        rc = text ? yaa_db_stages_finish(tx, run->id, "seo_optimizer", "done", text, NULL, err)
                  : yaa_err_set(err, YAA_ENOMEM, "out of memory");
    free(text);
    json_decref(meta);
    if (!rc) rc = write_json_artifact(ma->output_dir, run->id, "metadata.json", shown, err);
    if (!rc) {
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/%s", ma->output_dir, run->id);
        rc = yaa_media_quality_metadata_refresh(dir, err);
    }
    if (!rc) {
        yaa_pipeline_review_history_add(
            state, "edit_metadata", ma->who,
            json_pack("{s:s, s:o, s:O}", "stage", "video", "fields", changed, "values", ma->patch));
        ma->result = shown;
    } else {
        json_decref(changed);
        json_decref(shown);
    }
    return rc;
}

int yaa_pipeline_review_metadata_patch(yaa_db *db, const yaa_config *cfg, const char *run_id,
                                       const json_t *patch, const yaa_review_actor *who,
                                       json_t *errors, json_t **out, yaa_err *err) {
    const char *output_dir = cfg->output_dir;
    *out = NULL;
    if (!json_is_object(patch) || json_object_size(patch) == 0)
        return yaa_err_set(err, YAA_EINVAL,
                           "nothing to change: send any of title, description, tags, "
                           "category_id, privacy, publish_at, thumbnail");
    meta_arg ma = {output_dir, patch, who, errors, NULL};
    edit e = {run_id, NULL, meta_fn, &ma, 0};
    int rc = apply(db, &e, err);
    if (rc) {
        json_decref(ma.result);
        return rc;
    }
    sync_store(db, cfg, run_id, "seo_optimizer");
    *out = ma.result;
    return 0;
}
