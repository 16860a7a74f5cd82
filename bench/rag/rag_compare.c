/* rag_compare.c - what retrieval changes in the agents' output: runs the brand researcher and
 * the script writer (stages 1-2, with whatever LLM_PROVIDER is configured; offline by
 * default) on the same topics with RAG_ENABLED=true and =false, and measures the research
 * notes and the script against the channel's brand guide.
 *
 *   rag_compare TOPICS.jsonl OUT_DIR      (scripts/rag-compare wraps it)
 *
 * TOPICS.jsonl: {"channel":"id","topic":"..."} a line. Measures, per text:
 *   do-rules reflected   share of tone_and_manner.do[] whose content words mostly (>= 50%)
 *                        appear in the text
 *   dont-rules avoided   share of tone_and_manner.dont[] quoting banned terms ('...') whose
 *                        quoted terms all stay out of the text
 *   pain points covered  share of target_audience.pain_points[] mostly present (>= 50%)
 *   brand terms          share of brand.name, brand.tagline, seo.primary_keywords[] mostly
 *                        present (>= 50%)
 *   sections cited       distinct brand-guide section paths the stage output names (the
 *                        researcher's retrieved context included)
 * Words are compared after the embedder's normalisation, on stems (Hangul words without
 * their last syllable when they have three or more, Latin words cut to at most six letters),
 * so particles and inflections do not hide a match. Prints a Markdown table. */
#include "agents/agent.h"
#include "channels/channels.h"
#include "core/buf.h"
#include "core/config.h"
#include "db/db.h"
#include "db/migrate.h"
#include "rag/rag.h"
#include "rag/rag_internal.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- normalised words ---------------------------------------------------------------- */

typedef struct words {
    yaa_buf text; /* " w1 w2 ... " normalised */
    char stems[64][64];
    int n;
} words;

static void stem_of(const uint32_t *cp, size_t n, char *out, size_t cap) {
    size_t keep = n;
    if (n >= 3 && yaa_rag__is_hangul(cp[0]))
        keep = n - 1;
    else if (!yaa_rag__is_hangul(cp[0]) && n > 6)
        keep = 6;
    size_t len = 0;
    for (size_t i = 0; i < keep && len + 4 < cap; i++) len += yaa_rag__utf8(cp[i], out + len);
    out[len] = '\0';
}

static void on_text_word(void *ud, const uint32_t *cp, size_t n) {
    yaa_buf *b = ud;
    char u[5];
    for (size_t i = 0; i < n; i++) {
        size_t l = yaa_rag__utf8(cp[i], u);
        yaa_buf_append(b, u, l);
    }
    yaa_buf_putc(b, ' ');
}

static void on_rule_word(void *ud, const uint32_t *cp, size_t n) {
    words *w = ud;
    if (n < 2 || yaa_rag__is_stopword(cp, n) || w->n >= 64) return;
    stem_of(cp, n, w->stems[w->n], sizeof w->stems[0]);
    w->n++;
}

static void normalise(const char *text, yaa_buf *out) {
    yaa_buf_init(out, 0);
    yaa_buf_putc(out, ' ');
    yaa_rag__each_word(text, on_text_word, out);
}

/* Share of the phrase's content-word stems found in the normalised text (at a word start). */
static double coverage(const char *phrase, const yaa_buf *norm) {
    words w = {0};
    yaa_rag__each_word(phrase, on_rule_word, &w);
    if (!w.n) return 0;
    int hit = 0;
    for (int i = 0; i < w.n; i++) {
        char needle[70];
        snprintf(needle, sizeof needle, " %s", w.stems[i]);
        if (strstr(yaa_buf_cstr(norm), needle)) hit++;
    }
    return (double)hit / w.n;
}

/* Quoted terms of a dont-rule ('...', "...", ‘...’, “...”); returns how many, all absent? */
static int banned_terms(const char *rule, const yaa_buf *norm, int *absent) {
    int n = 0;
    *absent = 1;
    static const char *const open[] = {"'", "\"", "\xe2\x80\x98", "\xe2\x80\x9c"};
    static const char *const close[] = {"'", "\"", "\xe2\x80\x99", "\xe2\x80\x9d"};
    for (int q = 0; q < 4; q++) {
        const char *p = rule;
        while ((p = strstr(p, open[q]))) {
            p += strlen(open[q]);
            const char *e = strstr(p, close[q]);
            if (!e || e - p > 60) break;
            char term[64];
            snprintf(term, sizeof term, "%.*s", (int)(e - p), p);
            yaa_buf t;
            normalise(term, &t);
            if (t.len > 2 && strstr(yaa_buf_cstr(norm), yaa_buf_cstr(&t))) *absent = 0;
            yaa_buf_free(&t);
            n++;
            p = e + strlen(close[q]);
        }
    }
    return n;
}

/* Every string of a JSON value, one per line. */
static void flatten(const json_t *v, yaa_buf *b) {
    if (json_is_string(v)) {
        yaa_buf_puts(b, json_string_value(v));
        yaa_buf_putc(b, '\n');
    } else if (json_is_array(v)) {
        size_t i;
        const json_t *c;
        json_array_foreach(v, i, c) flatten(c, b);
    } else if (json_is_object(v)) {
        const char *k;
        const json_t *c;
        json_object_foreach((json_t *)v, k, c) {
            if (strcmp(k, "context") != 0) flatten(c, b); /* the raw retrieval is not the notes */
        }
    }
}

/* ---- measures ------------------------------------------------------------------------ */

typedef struct measure {
    int do_n, do_hit, dont_n, dont_ok, pain_n, pain_hit, brand_n, brand_hit, cited;
} measure;

static void measure_text(const yaa_rag_chunks *guide, const char *text, const char *cite_text,
                         measure *m) {
    yaa_buf norm;
    normalise(text, &norm);
    memset(m, 0, sizeof *m);
    for (size_t i = 0; i < guide->n; i++) {
        const char *sec = guide->v[i].section, *val = strchr(guide->v[i].text, '\n');
        val = val ? val + 1 : guide->v[i].text;
        if (yaa_str_startswith(sec, "tone_and_manner.do[")) {
            m->do_n++;
            m->do_hit += coverage(val, &norm) >= 0.5;
        } else if (yaa_str_startswith(sec, "tone_and_manner.dont[")) {
            int absent;
            if (banned_terms(val, &norm, &absent)) {
                m->dont_n++;
                m->dont_ok += absent;
            }
        } else if (yaa_str_startswith(sec, "target_audience.pain_points[")) {
            m->pain_n++;
            m->pain_hit += coverage(val, &norm) >= 0.5;
        } else if (strcmp(sec, "brand.name") == 0 || strcmp(sec, "brand.tagline") == 0 ||
                   yaa_str_startswith(sec, "seo.primary_keywords[")) {
            m->brand_n++;
            m->brand_hit += coverage(val, &norm) >= 0.5;
        }
        /* A cited path, as written by the researcher. */
        if (strchr(sec, '.') && strstr(cite_text, sec)) m->cited++;
    }
    yaa_buf_free(&norm);
}

/* ---- running the two stages ---------------------------------------------------------- */

static int run_stages(const yaa_config *cfg, yaa_db *db, const yaa_channel *ch, const char *topic,
                      const char *out_dir, json_t **research, json_t **script, yaa_err *err) {
    *research = *script = NULL;
    if (yaa_mkdirs(out_dir, 0755)) return yaa_err_set(err, YAA_EIO, "cannot create %s", out_dir);
    json_t *outputs[YAA_STAGE_COUNT] = {0};
    int rc = 0;
    for (int stage = 0; stage < 2 && !rc; stage++) {
        yaa_arena arena;
        yaa_arena_init(&arena, 64 * 1024);
        yaa_agent_ctx ctx = {0};
        ctx.cfg = cfg;
        ctx.db = db;
        ctx.channel = ch;
        ctx.run_id = NULL;
        ctx.topic = topic;
        ctx.brand_name = "";
        ctx.dry_run = true;
        ctx.out_dir = out_dir;
        memcpy(ctx.outputs, outputs, sizeof outputs);
        ctx.arena = &arena;
        ctx.usage = (yaa_usage_call){db, NULL, stage ? "script_writer" : "brand_researcher", 1, 0};
        yaa_agents_brief_from_channel(&ctx);
        /* The researcher's retrieved chunks reach the script writer as in the pipeline. */
        const json_t *arr = outputs[0] ? json_object_get(outputs[0], "context") : NULL;
        size_t n = json_array_size(arr);
        yaa_brief_chunk *c = n ? yaa_arena_alloc(&arena, n * sizeof *c) : NULL;
        for (size_t i = 0; c && i < n; i++) {
            const json_t *o = json_array_get(arr, i);
            c[i].section = json_string_value(json_object_get(o, "section"));
            c[i].text = json_string_value(json_object_get(o, "text"));
            c[i].score = json_number_value(json_object_get(o, "score"));
            if (!c[i].section) c[i].section = "";
            if (!c[i].text) c[i].text = "";
        }
        if (c) {
            ctx.brief.context = c;
            ctx.brief.ncontext = n;
        }
        json_t *out = NULL;
        rc = stage ? yaa_agents_script_writer(&ctx, &out, err)
                   : yaa_agents_brand_researcher(&ctx, &out, err);
        yaa_arena_free(&arena);
        outputs[stage] = out;
    }
    *research = outputs[0];
    *script = outputs[1];
    return rc;
}

static void row(const char *what, int on_hit, int on_n, int off_hit, int off_n) {
    printf("| %s | %d/%d (%.0f%%) | %d/%d (%.0f%%) |\n", what, off_hit, off_n,
           off_n ? 100.0 * off_hit / off_n : 0, on_hit, on_n, on_n ? 100.0 * on_hit / on_n : 0);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: rag_compare TOPICS.jsonl OUT_DIR\n");
        return 2;
    }
    yaa_config cfg;
    yaa_err err = {0};
    if (yaa_config_load(&cfg, NULL, &err)) {
        fprintf(stderr, "rag_compare: %s\n", err.msg);
        return 2;
    }
    yaa_log_setup(YAA_LOG_WARN, true, stderr);
    yaa_db *db;
    if (yaa_db_open(cfg.database_url, &db, &err) || yaa_db_upgrade(db, NULL, -1, NULL, &err)) {
        fprintf(stderr, "rag_compare: %s\n", err.msg);
        return 1;
    }
    FILE *f = fopen(argv[1], "r");
    if (!f) {
        fprintf(stderr, "rag_compare: cannot open %s\n", argv[1]);
        return 1;
    }
    measure tot[2][2] = {0}; /* [rag on][notes, script] */
    char *line = NULL;
    size_t cap = 0;
    int n = 0, rc = 0;
    printf("| channel | topic | text | do-rules reflected off / on | pain points off / on | "
           "brand terms off / on | dont banned terms avoided off / on | sections cited off / on "
           "|\n| --- | --- | --- | --- | --- | --- | --- | --- |\n");
    while (!rc && getline(&line, &cap, f) > 0) {
        json_t *q = json_loads(line, 0, NULL);
        const char *chid = json_string_value(json_object_get(q, "channel"));
        const char *topic = json_string_value(json_object_get(q, "topic"));
        if (!chid || !topic) {
            json_decref(q);
            continue;
        }
        yaa_channel *ch = NULL;
        yaa_rag_chunks guide;
        yaa_rag_chunks_init(&guide);
        rc = yaa_channels_load(cfg.channels_dir, chid, &ch, &err);
        if (!rc) rc = yaa_rag_chunk_channel(&guide, cfg.channels_dir, NULL, chid, &err);
        if (!rc) {
            yaa_rag_index_stats st;
            rc = yaa_rag_index(db, &cfg, chid, &st, &err);
        }
        measure m[2][2];
        for (int on = 0; on < 2 && !rc; on++) {
            yaa_config c2 = cfg;
            c2.rag_enabled = on;
            char dir[4096];
            snprintf(dir, sizeof dir, "%s/%s-%d-rag-%s", argv[2], chid, n, on ? "on" : "off");
            json_t *research, *script;
            rc = run_stages(&c2, db, ch, topic, dir, &research, &script, &err);
            yaa_buf notes, scr;
            yaa_buf_init(&notes, 0);
            yaa_buf_init(&scr, 0);
            flatten(research, &notes);
            flatten(script, &scr);
            /* Citations: every section path the stage output names (the researcher's
             * retrieved context included). */
            char *rj = research ? json_dumps(research, 0) : NULL;
            char *sj = script ? json_dumps(script, 0) : NULL;
            measure_text(&guide, yaa_buf_cstr(&notes), rj ? rj : "", &m[on][0]);
            measure_text(&guide, yaa_buf_cstr(&scr), sj ? sj : "", &m[on][1]);
            free(rj);
            free(sj);
            for (int t = 0; t < 2; t++) {
                measure *a = &tot[on][t], *b = &m[on][t];
                a->do_n += b->do_n, a->do_hit += b->do_hit, a->dont_n += b->dont_n;
                a->dont_ok += b->dont_ok, a->pain_n += b->pain_n, a->pain_hit += b->pain_hit;
                a->brand_n += b->brand_n, a->brand_hit += b->brand_hit, a->cited += b->cited;
            }
            yaa_buf_free(&notes);
            yaa_buf_free(&scr);
            json_decref(research);
            json_decref(script);
        }
        if (!rc)
            for (int t = 0; t < 2; t++)
                printf("| %s | %s | %s | %d / %d | %d / %d | %d / %d | %d / %d | %d / %d |\n", chid,
                       topic, t ? "script" : "notes", m[0][t].do_hit, m[1][t].do_hit,
                       m[0][t].pain_hit, m[1][t].pain_hit, m[0][t].brand_hit, m[1][t].brand_hit,
                       m[0][t].dont_ok, m[1][t].dont_ok, m[0][t].cited, m[1][t].cited);
        n++;
        yaa_rag_chunks_free(&guide);
        yaa_channels_free(ch);
        json_decref(q);
    }
    free(line);
    fclose(f);
    if (rc) {
        fprintf(stderr, "rag_compare: %s\n", err.msg);
    } else {
        for (int t = 0; t < 2; t++) {
            printf("\n**%s, all topics** | RAG off | RAG on |\n| --- | --- | --- |\n",
                   t ? "Script" : "Research notes");
            row("do-rules reflected", tot[1][t].do_hit, tot[1][t].do_n, tot[0][t].do_hit,
                tot[0][t].do_n);
            row("audience pain points covered", tot[1][t].pain_hit, tot[1][t].pain_n,
                tot[0][t].pain_hit, tot[0][t].pain_n);
            row("brand terms covered", tot[1][t].brand_hit, tot[1][t].brand_n, tot[0][t].brand_hit,
                tot[0][t].brand_n);
            if (t) /* the notes restate the rules, so only the script is checked */
                row("dont-rules (with quoted terms) avoided", tot[1][t].dont_ok, tot[1][t].dont_n,
                    tot[0][t].dont_ok, tot[0][t].dont_n);
            printf("| brand-guide sections cited | %d | %d |\n", tot[0][t].cited, tot[1][t].cited);
        }
    }
    yaa_db_close(db);
    yaa_config_free(&cfg);
    return rc ? 1 : 0;
}
