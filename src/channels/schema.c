/* schema.c - the schema of config.yaml and brand_guide.yaml as tables, and the walk that
 * checks a node tree against them and fills a yaa_channel: unknown keys (with a "did you
 * mean"), wrong types, duplicate keys, bad enum values, colours, ranges, lengths and missing
 * required keys are all reported with their line, and the walk goes on after each one. */
#include "channels/channels_internal.h"

#include "core/buf.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum {
    K_STR,         /* string */
    K_STRLIST,     /* list of strings */
    K_NUM,         /* number in [min, max] */
    K_MAP,         /* nested map (sub) */
    K_COMPETITORS, /* list of competitor maps */
    K_SPEECH_RATE, /* slow|moderate|fast or a factor */
    K_PITCH        /* low|medium|high or semitones */
} fkind;

typedef enum { C_NONE, C_ENUM, C_YTID, C_LANG, C_COLOR } check;

typedef struct field field;
struct field {
    const char *key;
    const char *alias; /* also accepted: an older spelling of the key */
    fkind kind;
    size_t off; /* into the base struct (yaa_channel, or yaa_competitor for its fields) */
    const field *sub;
    check check;
    const char *const *choices;
    double min, max;
    size_t has_off; /* K_NUM: offset of a bool set when present (0 = none) */
    size_t maxlen;  /* K_STR: most code points (0 = no limit) */
    bool required;  /* present and non-empty */
    const char *what;
};

#define END \
    { NULL }
#define CH(m) offsetof(yaa_channel, m)
#define CO(m) offsetof(yaa_competitor, m)

static const char *const subtitle_styles[] = {"default", "soft", "bold", NULL};
static const char *const formalities[] = {"formal", "semi-formal", "casual", NULL};
static const char *const emotions[] = {"warm", "neutral", "energetic", NULL};
static const char *const humor_levels[] = {"none", "light", "moderate", "heavy", NULL};
static const char *const sentence_lengths[] = {"short", "medium", "long", NULL};
static const char *const review_gates[] = {"none", "script", "video", "both", NULL};
static const char *const privacies[] = {"private", "unlisted", "public", NULL};

/* ---- config.yaml ---- */
static const field f_channel[] = {
    {"name", .kind = K_STR, .off = CH(channel.name), .maxlen = 200, .required = true,
     .what = "the channel's display name"},
    {"youtube_channel_id", .kind = K_STR, .off = CH(channel.youtube_channel_id), .check = C_YTID},
    {"category", .kind = K_STR, .off = CH(channel.category), .maxlen = 50},
    {"language", .kind = K_STR, .off = CH(channel.language), .check = C_LANG},
    {"description", .kind = K_STR, .off = CH(channel.description), .maxlen = 500},
    END};
static const field f_seo[] = {
    {"primary_keywords", .kind = K_STRLIST, .off = CH(seo.primary_keywords)},
    {"secondary_keywords", .kind = K_STRLIST, .off = CH(seo.secondary_keywords)},
    END};
static const field f_editing[] = {
    {"intro_template", .kind = K_STR, .off = CH(editing.intro_template)},
    {"outro_template", .kind = K_STR, .off = CH(editing.outro_template)},
    {"subtitle_style", .kind = K_STR, .off = CH(editing.subtitle_style), .check = C_ENUM,
     .choices = subtitle_styles},
    {"bgm_volume", .kind = K_NUM, .off = CH(editing.bgm_volume), .min = 0, .max = 1,
     .what = "default 0.15"},
    END};
static const field f_budget[] = {
    {"monthly_usd", .kind = K_NUM, .off = CH(budget.monthly_usd), .min = 0, .max = 1e6,
     .has_off = CH(budget.has_monthly_usd), .what = "US dollars per calendar month"},
    {"per_run_usd", .kind = K_NUM, .off = CH(budget.per_run_usd), .min = 0, .max = 1e6,
     .has_off = CH(budget.has_per_run_usd), .what = "US dollars per pipeline run"},
    END};
static const field f_publishing[] = {
    {"review", .kind = K_STR, .off = CH(publishing.review), .check = C_ENUM,
     .choices = review_gates},
    {"privacy", .kind = K_STR, .off = CH(publishing.privacy), .check = C_ENUM,
     .choices = privacies},
    {"playlist_id", .kind = K_STR, .off = CH(publishing.playlist_id), .maxlen = 64},
    END};
static const field f_config[] = {{"channel", .kind = K_MAP, .sub = f_channel, .required = true,
                                  .what = "a map with at least channel.name"},
                                 {"seo", .kind = K_MAP, .sub = f_seo},
                                 {"editing", .kind = K_MAP, .sub = f_editing},
                                 {"budget", .kind = K_MAP, .sub = f_budget},
                                 {"publishing", .kind = K_MAP, .sub = f_publishing},
                                 END};

/* ---- brand_guide.yaml ---- */
static const field f_brand[] = {{"name", .kind = K_STR, .off = CH(brand.name), .maxlen = 200,
                                 .required = true, .what = "the brand's name"},
                                {"tagline", .kind = K_STR, .off = CH(brand.tagline)},
                                {"positioning", .kind = K_STR, .off = CH(brand.positioning)},
                                {"values", .kind = K_STRLIST, .off = CH(brand.values)},
                                END};
static const field f_audience[] = {
    {"primary", .kind = K_STR, .off = CH(target_audience.primary)},
    {"pain_points", .kind = K_STRLIST, .off = CH(target_audience.pain_points)},
    {"content_needs", .kind = K_STRLIST, .off = CH(target_audience.content_needs)},
    END};
static const field f_writing[] = {
    {"sentence_length", .kind = K_STR, .off = CH(tone_and_manner.writing_style.sentence_length),
     .check = C_ENUM, .choices = sentence_lengths},
    {"vocabulary", .kind = K_STR, .off = CH(tone_and_manner.writing_style.vocabulary)},
    {"call_to_action", .kind = K_STR, .off = CH(tone_and_manner.writing_style.call_to_action)},
    END};
static const field f_tone[] = {
    {"personality", .kind = K_STR, .off = CH(tone_and_manner.personality)},
    {"formality", .kind = K_STR, .off = CH(tone_and_manner.formality), .check = C_ENUM,
     .choices = formalities},
    {"emotion", .kind = K_STR, .off = CH(tone_and_manner.emotion), .check = C_ENUM,
     .choices = emotions},
    {"humor_level", .kind = K_STR, .off = CH(tone_and_manner.humor_level), .check = C_ENUM,
     .choices = humor_levels},
    {"writing_style", .kind = K_MAP, .sub = f_writing},
    {"do", .alias = "do_rules", .kind = K_STRLIST, .off = CH(tone_and_manner.do_rules)},
    {"dont", .alias = "dont_rules", .kind = K_STRLIST, .off = CH(tone_and_manner.dont_rules)},
    END};
static const field f_voice[] = {
    {"narration_style", .kind = K_STR, .off = CH(voice_design.narration_style)},
    {"elevenlabs_voice_id", .kind = K_STR, .off = CH(voice_design.elevenlabs_voice_id)},
    {"voice", .kind = K_STR, .off = CH(voice_design.voice)},
    {"speech_rate", .kind = K_SPEECH_RATE, .off = CH(voice_design.speech_rate)},
    {"pitch", .kind = K_PITCH, .off = CH(voice_design.pitch)},
    {"language", .kind = K_STR, .off = CH(voice_design.language), .check = C_LANG},
    {"reference_samples", .kind = K_STRLIST, .off = CH(voice_design.reference_samples)},
    END};
static const field f_visual[] = {
    {"color_palette", .kind = K_STRLIST, .off = CH(visual_identity.color_palette),
     .check = C_COLOR},
    {"thumbnail_style", .kind = K_STR, .off = CH(visual_identity.thumbnail_style)},
    {"font_preference", .kind = K_STR, .off = CH(visual_identity.font_preference)},
    END};
static const field f_competitor[] = {{"channel", .kind = K_STR, .off = CO(channel),
                                      .required = true, .what = "the competing channel's name"},
                                     {"strengths", .kind = K_STRLIST, .off = CO(strengths)},
                                     {"differentiation", .kind = K_STR, .off = CO(differentiation)},
                                     END};
static const field f_brand_guide[] = {{"brand", .kind = K_MAP, .sub = f_brand, .required = true,
                                       .what = "a map with at least brand.name"},
                                      {"target_audience", .kind = K_MAP, .sub = f_audience},
                                      {"tone_and_manner", .kind = K_MAP, .sub = f_tone},
                                      {"voice_design", .kind = K_MAP, .sub = f_voice},
                                      {"visual_identity", .kind = K_MAP, .sub = f_visual},
                                      {"competitors", .kind = K_COMPETITORS, .sub = f_competitor},
                                      END};

/* ---- helpers ---- */

static const char *kind_name(const yaa_channels__ynode *n) {
    if (!n) return "nothing";
    switch (n->kind) {
    case YAA__YNULL: return "an empty value";
    case YAA__YSCALAR: return "a string";
    case YAA__YSEQ: return "a list";
    case YAA__YMAP: return "a map";
    }
    return "?";
}

static const char *expected_name(fkind k) {
    switch (k) {
    case K_STR: return "a string";
    case K_STRLIST: return "a list of strings";
    case K_NUM: return "a number";
    case K_MAP: return "a map";
    case K_COMPETITORS: return "a list of maps (channel, strengths, differentiation)";
    case K_SPEECH_RATE: return "slow, moderate, fast or a factor from 0.5 to 2.0";
    case K_PITCH: return "low, medium, high or semitones from -12 to 12";
    }
    return "?";
}

/* A short, printable copy of a scalar for messages (at most 40 bytes, whole code points). */
static const char *shown(yaa_channels__pctx *p, const char *s) {
    size_t n = yaa_utf8_prefix(s, 40);
    char *out = yaa_arena_sprintf(&p->ch->arena, "%.*s%s", (int)n, s, s[n] ? "..." : "");
    if (!out) return "?";
    for (char *c = out; *c; c++)
        if ((unsigned char)*c < 0x20) *c = ' ';
    return out;
}

/* Edit distance with adjacent transpositions ("nmae" is 1 from "name"), case-insensitive. */
static size_t edit_distance(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    if (la > 40 || lb > 40) return SIZE_MAX;
    size_t d[41][41];
    for (size_t i = 0; i <= la; i++) d[i][0] = i;
    for (size_t j = 0; j <= lb; j++) d[0][j] = j;
    for (size_t i = 1; i <= la; i++) {
        for (size_t j = 1; j <= lb; j++) {
            int ca = tolower((unsigned char)a[i - 1]), cb = tolower((unsigned char)b[j - 1]);
            size_t best = d[i - 1][j - 1] + (ca != cb);
            if (d[i - 1][j] + 1 < best) best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best) best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == cb && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[la][lb];
}

static void unknown_key(yaa_channels__pctx *p, const yaa_channels__ynode *k, const field *fields,
                        const char *path) {
    const field *best = NULL;
    size_t bestd = SIZE_MAX;
    for (const field *f = fields; f->key; f++) {
        size_t d = edit_distance(k->value, f->key);
        if (d < bestd) {
            bestd = d;
            best = f;
        }
    }
    size_t klen = strlen(k->value);
    bool close = best && bestd <= (klen <= 4 ? 1u : klen <= 8 ? 2u : 3u);
    char where[160];
    if (*path)
        snprintf(where, sizeof where, "in %s", path);
    else
        snprintf(where, sizeof where, "at the top level");
    if (close) {
        yaa_channels__problem(p, k->line, k->col, "unknown key '%s' %s; did you mean '%s'?",
                              shown(p, k->value), where, best->key);
        return;
    }
    yaa_buf list;
    yaa_buf_init(&list, 1024);
    for (const field *f = fields; f->key; f++)
        yaa_buf_printf(&list, "%s%s", f == fields ? "" : ", ", f->key);
    yaa_channels__problem(p, k->line, k->col, "unknown key '%s' %s; expected one of: %s",
                          shown(p, k->value), where, yaa_buf_cstr(&list));
    yaa_buf_free(&list);
}

static void join_path(char *out, size_t n, const char *path, const char *key) {
    snprintf(out, n, "%s%s%s", path, *path ? "." : "", key);
}

static char **slot_str(void *base, size_t off) { return (char **)((char *)base + off); }

static char *copy(yaa_channels__pctx *p, const char *s) {
    char *c = yaa_arena_strdup(&p->ch->arena, s);
    if (!c) p->oom = 1;
    return c;
}

static bool lang_valid(const char *s) {
    /* ll, lll, ll-RR, ll-Hans, ll-Hans-CN ... */
    size_t i = 0;
    while (s[i] && isalpha((unsigned char)s[i]) && islower((unsigned char)s[i])) i++;
    if (i < 2 || i > 3) return false;
    while (s[i] == '-' || s[i] == '_') {
        size_t j = ++i;
        while (s[i] && isalnum((unsigned char)s[i])) i++;
        if (i - j < 2 || i - j > 8) return false;
    }
    return s[i] == 0;
}

static bool ytid_valid(const char *s) {
    if (strncmp(s, "UC", 2) != 0 || strlen(s) != 24) return false;
    for (const char *c = s + 2; *c; c++)
        if (!isalnum((unsigned char)*c) && *c != '-' && *c != '_') return false;
    return true;
}

bool yaa_channels_color_valid(const char *s) {
    if (!s || s[0] != '#' || strlen(s) != 7) return false;
    for (int i = 1; i < 7; i++)
        if (!isxdigit((unsigned char)s[i])) return false;
    return true;
}

static bool parse_num(const char *s, double *out) {
    if (!*s || isspace((unsigned char)*s)) return false;
    char *end;
    double v = strtod(s, &end);
    if (*end || !isfinite(v)) return false;
    /* strtod takes hex floats and "infinity"; a YAML number is decimal. */
    for (const char *c = s; *c; c++)
        if (!isdigit((unsigned char)*c) && !strchr("+-.eE", *c)) return false;
    *out = v;
    return true;
}

static void choices_list(const char *const *choices, char *out, size_t n) {
    size_t used = 0;
    out[0] = 0;
    for (int i = 0; choices[i] && used < n; i++)
        used += (size_t)snprintf(out + used, n - used, "%s%s", i ? ", " : "", choices[i]);
}

/* ---- the walk ---- */

static void walk_map(yaa_channels__pctx *p, void *base, const field *fields,
                     const yaa_channels__ynode *map, const char *path, int at_line);

static void do_str(yaa_channels__pctx *p, void *base, const field *f, const yaa_channels__ynode *v,
                   const char *path) {
    if (v->kind == YAA__YNULL) {
        if (f->required && !p->partial)
            yaa_channels__problem(p, v->line, v->col, "%s is empty; expected %s", path, f->what);
        return; /* keeps the default */
    }
    if (v->kind != YAA__YSCALAR) {
        yaa_channels__problem(p, v->line, v->col, "%s: expected a string, got %s", path,
                              kind_name(v));
        return;
    }
    const char *s = v->value;
    char buf[256];
    switch (f->check) {
    case C_ENUM: {
        bool ok = false;
        for (int i = 0; f->choices[i]; i++) ok = ok || strcmp(s, f->choices[i]) == 0;
        if (!ok) {
            choices_list(f->choices, buf, sizeof buf);
            yaa_channels__problem(p, v->line, v->col,
                                  "%s: '%s' is not allowed; expected one of: %s", path, shown(p, s),
                                  buf);
            return;
        }
        break;
    }
    case C_YTID:
        if (*s && !ytid_valid(s)) {
            yaa_channels__problem(
                p, v->line, v->col,
                "%s: '%s' is not a YouTube channel id; expected UC followed by 22 "
                "letters, digits, '-' or '_' (or leave it empty)",
                path, shown(p, s));
            return;
        }
        break;
    case C_LANG:
        if (*s && !lang_valid(s)) {
            yaa_channels__problem(
                p, v->line, v->col,
                "%s: '%s' is not a language tag; expected a code like ko, en or en-US", path,
                shown(p, s));
            return;
        }
        break;
    default: break;
    }
    if (f->maxlen) {
        size_t cps = yaa_utf8_len(s);
        if (cps > f->maxlen) {
            yaa_channels__problem(p, v->line, v->col,
                                  "%s is %zu characters long; expected at most %zu", path, cps,
                                  f->maxlen);
            return;
        }
    }
    if (f->required && !*s && !p->partial) {
        yaa_channels__problem(p, v->line, v->col, "%s is empty; expected %s", path, f->what);
        return;
    }
    char *c = copy(p, s);
    if (c) *slot_str(base, f->off) = c;
}

static void do_strlist(yaa_channels__pctx *p, void *base, const field *f,
                       const yaa_channels__ynode *v, const char *path) {
    yaa_strlist *out = (yaa_strlist *)((char *)base + f->off);
    if (v->kind == YAA__YNULL) return;
    if (v->kind != YAA__YSEQ) {
        yaa_channels__problem(
            p, v->line, v->col,
            "%s: expected a list of strings, got %s (write one '- item' per line, or "
            "[a, b])",
            path, kind_name(v));
        return;
    }
    char **items = v->n ? yaa_arena_alloc(&p->ch->arena, v->n * sizeof *items) : NULL;
    if (v->n && !items) {
        p->oom = 1;
        return;
    }
    size_t n = 0;
    for (size_t i = 0; i < v->n; i++) {
        const yaa_channels__ynode *it = v->items[i];
        if (it->kind == YAA__YNULL) {
            if (f->check == C_COLOR)
                yaa_channels__problem(
                    p, it->line, it->col,
                    "%s[%zu] is empty; write colours quoted, e.g. \"#1A73E8\" (an "
                    "unquoted # starts a comment)",
                    path, i);
            continue;
        }
        if (it->kind != YAA__YSCALAR) {
            yaa_channels__problem(p, it->line, it->col, "%s[%zu]: expected a string, got %s", path,
                                  i, kind_name(it));
            continue;
        }
        if (f->check == C_COLOR && !yaa_channels_color_valid(it->value)) {
            yaa_channels__problem(
                p, it->line, it->col,
                "%s[%zu]: '%s' is not a colour; expected #rrggbb, e.g. \"#1A73E8\"", path, i,
                shown(p, it->value));
            continue;
        }
        if (!(items[n++] = copy(p, it->value))) return;
    }
    out->items = n ? items : NULL;
    out->n = n;
}

static void do_num(yaa_channels__pctx *p, void *base, const field *f, const yaa_channels__ynode *v,
                   const char *path) {
    if (v->kind == YAA__YNULL) return;
    double d;
    char range[96];
    snprintf(range, sizeof range, "a number from %.15g to %.15g%s%s%s", f->min, f->max,
             f->what ? " (" : "", f->what ? f->what : "", f->what ? ")" : "");
    if (v->kind != YAA__YSCALAR) {
        yaa_channels__problem(p, v->line, v->col, "%s: expected %s, got %s", path, range,
                              kind_name(v));
        return;
    }
    if (!parse_num(v->value, &d)) {
        yaa_channels__problem(p, v->line, v->col, "%s: '%s' is not a number; expected %s", path,
                              shown(p, v->value), range);
        return;
    }
    if (d < f->min || d > f->max) {
        yaa_channels__problem(p, v->line, v->col, "%s: %s is out of range; expected %s", path,
                              shown(p, v->value), range);
        return;
    }
    memcpy((char *)base + f->off, &d, sizeof d);
    bool set = true;
    if (f->has_off) memcpy((char *)base + f->has_off, &set, sizeof set);
}

/* speech_rate / pitch: a word or a number; fills the string and the derived number. */
static void do_word_or_num(yaa_channels__pctx *p, void *base, const field *f,
                           const yaa_channels__ynode *v, const char *path) {
    if (v->kind == YAA__YNULL) return;
    bool rate = f->kind == K_SPEECH_RATE;
    static const char *const rates[] = {"slow", "moderate", "fast"};
    static const double rate_v[] = {0.85, 1.0, 1.15};
    static const char *const pitches[] = {"low", "medium", "high"};
    static const double pitch_v[] = {-3, 0, 3};
    if (v->kind != YAA__YSCALAR) {
        yaa_channels__problem(p, v->line, v->col, "%s: expected %s, got %s", path,
                              expected_name(f->kind), kind_name(v));
        return;
    }
    const char *const *words = rate ? rates : pitches;
    const double *vals = rate ? rate_v : pitch_v;
    double lo = rate ? 0.5 : -12, hi = rate ? 2.0 : 12, d = 0;
    bool ok = false;
    for (int i = 0; i < 3; i++)
        if (strcmp(v->value, words[i]) == 0) {
            d = vals[i];
            ok = true;
        }
    if (!ok && parse_num(v->value, &d)) {
        if (d < lo || d > hi) {
            yaa_channels__problem(p, v->line, v->col, "%s: %s is out of range; expected %s", path,
                                  shown(p, v->value), expected_name(f->kind));
            return;
        }
        ok = true;
    }
    if (!ok) {
        yaa_channels__problem(p, v->line, v->col, "%s: '%s' is not allowed; expected %s", path,
                              shown(p, v->value), expected_name(f->kind));
        return;
    }
    char *c = copy(p, v->value);
    if (!c) return;
    *slot_str(base, f->off) = c;
    if (rate)
        p->ch->voice_design.speech_rate_factor = d;
    else
        p->ch->voice_design.pitch_semitones = d;
}

static void init_competitor(yaa_competitor *c) {
    c->channel = "";
    c->differentiation = "";
}

static void do_competitors(yaa_channels__pctx *p, const field *f, const yaa_channels__ynode *v,
                           const char *path) {
    if (v->kind == YAA__YNULL) return;
    if (v->kind != YAA__YSEQ) {
        yaa_channels__problem(p, v->line, v->col, "%s: expected %s, got %s", path,
                              expected_name(f->kind), kind_name(v));
        return;
    }
    yaa_competitor *cs = v->n ? yaa_arena_alloc(&p->ch->arena, v->n * sizeof *cs) : NULL;
    if (v->n && !cs) {
        p->oom = 1;
        return;
    }
    size_t n = 0;
    for (size_t i = 0; i < v->n; i++) {
        const yaa_channels__ynode *it = v->items[i];
        char sub[240];
        snprintf(sub, sizeof sub, "%s[%zu]", path, i);
        if (it->kind == YAA__YNULL) continue;
        if (it->kind != YAA__YMAP) {
            yaa_channels__problem(
                p, it->line, it->col,
                "%s: expected a map (channel, strengths, differentiation), got %s", sub,
                kind_name(it));
            continue;
        }
        init_competitor(&cs[n]);
        walk_map(p, &cs[n], f->sub, it, sub, it->line);
        n++;
    }
    p->ch->competitors = n ? cs : NULL;
    p->ch->n_competitors = n;
}

static void do_field(yaa_channels__pctx *p, void *base, const field *f,
                     const yaa_channels__ynode *v, const char *path, int k_line) {
    switch (f->kind) {
    case K_STR: do_str(p, base, f, v, path); break;
    case K_STRLIST: do_strlist(p, base, f, v, path); break;
    case K_NUM: do_num(p, base, f, v, path); break;
    case K_SPEECH_RATE:
    case K_PITCH: do_word_or_num(p, base, f, v, path); break;
    case K_COMPETITORS: do_competitors(p, f, v, path); break;
    case K_MAP:
        if (v->kind == YAA__YNULL) {
            if (f->required && !p->partial)
                yaa_channels__problem(p, v->line, v->col, "%s is empty; expected %s", path,
                                      f->what);
            break;
        }
        if (v->kind != YAA__YMAP) {
            yaa_channels__problem(p, v->line, v->col, "%s: expected a map, got %s", path,
                                  kind_name(v));
            break;
        }
        walk_map(p, base, f->sub, v, path, k_line);
        break;
    }
}

/* at_line: where a missing key is reported (the line of the key holding this map). */
static void walk_map(yaa_channels__pctx *p, void *base, const field *fields,
                     const yaa_channels__ynode *map, const char *path, int at_line) {
    size_t nf = 0;
    while (fields[nf].key) nf++;
    int seen_line[16] = {0}; /* line where each field was first set (tables are < 16) */
    for (size_t i = 0; i + 1 < map->n && !p->oom; i += 2) {
        const yaa_channels__ynode *k = map->items[i], *v = map->items[i + 1];
        if (k->kind != YAA__YSCALAR) {
            yaa_channels__problem(p, k->line, k->col, "%s: a key must be a plain word, got %s",
                                  *path ? path : "top level", kind_name(k));
            continue;
        }
        size_t fi = nf;
        for (size_t j = 0; j < nf; j++)
            if (strcmp(k->value, fields[j].key) == 0 ||
                (fields[j].alias && strcmp(k->value, fields[j].alias) == 0))
                fi = j;
        if (fi == nf) {
            unknown_key(p, k, fields, path);
            continue;
        }
        char sub[200];
        join_path(sub, sizeof sub, path, fields[fi].key);
        if (fi < 16 && seen_line[fi]) {
            yaa_channels__problem(p, k->line, k->col,
                                  "duplicate key '%s' (first at line %d); keep one", sub,
                                  seen_line[fi]);
            continue;
        }
        if (fi < 16) seen_line[fi] = k->line;
        do_field(p, base, &fields[fi], v, sub, k->line);
    }
    if (p->partial) return;
    for (size_t j = 0; j < nf && j < 16; j++) {
        if (!fields[j].required || seen_line[j]) continue;
        char sub[200];
        join_path(sub, sizeof sub, path, fields[j].key);
        yaa_channels__problem(p, at_line, 0, "missing required key '%s'; expected %s", sub,
                              fields[j].what);
    }
}

void yaa_channels__schema_apply(yaa_channels__pctx *p, yaa_channel_file kind,
                                const yaa_channels__ynode *root) {
    const field *top = kind == YAA_CHANNEL_CONFIG ? f_config : f_brand_guide;
    const char *keys = kind == YAA_CHANNEL_CONFIG
                           ? "channel, seo, editing, budget, publishing"
                           : "brand, target_audience, tone_and_manner, voice_design, "
                             "visual_identity, competitors";
    if (!root || root->kind == YAA__YNULL) {
        if (!p->partial)
            yaa_channels__problem(p, 1, 0, "the file is empty; expected a map with the keys %s",
                                  keys);
        return;
    }
    if (root->kind != YAA__YMAP) {
        yaa_channels__problem(p, root->line, root->col,
                              "expected a map at the top level (keys %s), got %s", keys,
                              kind_name(root));
        return;
    }
    walk_map(p, p->ch, top, root, "", 1);
    const yaa_channel_budget *b = &p->ch->budget;
    if (kind == YAA_CHANNEL_CONFIG && b->has_monthly_usd && b->has_per_run_usd &&
        b->per_run_usd > b->monthly_usd) {
        const yaa_channels__ynode *v =
            yaa_channels__ymap_get(yaa_channels__ymap_get(root, "budget"), "per_run_usd");
        yaa_channels__problem(
            p, v ? v->line : 1, v ? v->col : 0,
            "budget.per_run_usd (%.15g) is more than budget.monthly_usd (%.15g); a run "
            "could never spend it",
            b->per_run_usd, b->monthly_usd);
    }
}
