/* load.c - reading channel files: size cap before reading, UTF-8 check (bad bytes are
 * reported per line and replaced so the rest can still be checked), YAML tree, schema walk,
 * defaults, and the problem list with "file:line: message" lines. */
#include "channels/channels_internal.h"

#include "core/buf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void set_defaults(yaa_channel *ch) {
    ch->channel.name = "";
    ch->channel.youtube_channel_id = "";
    ch->channel.category = "";
    ch->channel.language = "ko";
    ch->channel.description = "";
    ch->editing.intro_template = "";
    ch->editing.outro_template = "";
    ch->editing.subtitle_style = "default";
    ch->editing.bgm_volume = 0.15;
    ch->publishing.review = "none";
    ch->publishing.privacy = "private";
    ch->publishing.playlist_id = "";
    ch->brand.name = "";
    ch->brand.tagline = "";
    ch->brand.positioning = "";
    ch->target_audience.primary = "";
    ch->tone_and_manner.personality = "";
    ch->tone_and_manner.formality = "semi-formal";
    ch->tone_and_manner.emotion = "neutral";
    ch->tone_and_manner.humor_level = "none";
    ch->tone_and_manner.writing_style.sentence_length = "medium";
    ch->tone_and_manner.writing_style.vocabulary = "";
    ch->tone_and_manner.writing_style.call_to_action = "";
    ch->voice_design.narration_style = "";
    ch->voice_design.elevenlabs_voice_id = "";
    ch->voice_design.voice = "";
    ch->voice_design.speech_rate = "moderate";
    ch->voice_design.pitch = "medium";
    ch->voice_design.language = "";
    ch->voice_design.speech_rate_factor = 1.0;
    ch->voice_design.pitch_semitones = 0;
    ch->visual_identity.thumbnail_style = "";
    ch->visual_identity.font_preference = "";
}

yaa_channel *yaa_channels_new(const char *id, const char *dir) {
    yaa_channel *ch = calloc(1, sizeof *ch);
    if (!ch) return NULL;
    yaa_arena_init(&ch->arena, 16384);
    set_defaults(ch);
    ch->id = yaa_arena_strdup(&ch->arena, id ? id : "");
    ch->dir = yaa_arena_strdup(&ch->arena, dir ? dir : "");
    if (!ch->id || !ch->dir) {
        yaa_channels_free(ch);
        return NULL;
    }
    return ch;
}

void yaa_channels_free(yaa_channel *ch) {
    if (!ch) return;
    yaa_arena_free(&ch->arena);
    free(ch);
}

void yaa_channels__problem(yaa_channels__pctx *p, int line, int col, const char *fmt, ...) {
    p->count++;
    if (p->count > YAA_CHANNEL_PROBLEMS_MAX || p->oom) return;
    yaa_channel *ch = p->ch;
    if (ch->n_problems == ch->problems_cap) {
        size_t cap = ch->problems_cap ? ch->problems_cap * 2 : 8;
        yaa_channel_problem *np = yaa_arena_alloc(&ch->arena, cap * sizeof *np);
        if (!np) {
            p->oom = 1;
            return;
        }
        if (ch->n_problems) memcpy(np, ch->problems, ch->n_problems * sizeof *np);
        ch->problems = np;
        ch->problems_cap = cap;
    }
    va_list ap;
    va_start(ap, fmt);
    char *msg = yaa_arena_vsprintf(&ch->arena, fmt, ap);
    va_end(ap);
    if (!msg) {
        p->oom = 1;
        return;
    }
    ch->problems[ch->n_problems++] =
        (yaa_channel_problem){.file = p->file, .line = line, .column = col, .msg = msg};
}

/* Length of the valid UTF-8 sequence at s[0..n), or 0 if it is not valid. */
static size_t utf8_seq(const unsigned char *s, size_t n) {
    unsigned c = s[0];
    size_t len;
    unsigned min;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF)
        len = 3, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4)
        len = 4, min = 0x10000;
    else
        return 0;
    if (len > n) return 0;
    unsigned cp = c & (0xFFu >> (len + 1));
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return len;
}

/* Reports each line holding invalid UTF-8 once and replaces the bad bytes with '?'. */
static void check_utf8(yaa_channels__pctx *p, char *text, size_t len) {
    int line = 1, col = 1, reported_line = 0;
    size_t i = 0;
    while (i < len) {
        size_t k = utf8_seq((const unsigned char *)text + i, len - i);
        if (k == 0) {
            if (reported_line != line)
                yaa_channels__problem(
                    p, line, col,
                    "invalid UTF-8 (byte 0x%02x at column %d); save the file as UTF-8",
                    (unsigned char)text[i], col);
            reported_line = line;
            text[i++] = '?';
            col++;
            continue;
        }
        if (text[i] == '\n') {
            line++;
            col = 0;
        }
        i += k;
        col++;
    }
}

/* Sorts this file's problems by line, keeping the order of problems on the same line. */
static void sort_by_line(yaa_channel_problem *pr, size_t n) {
    for (size_t i = 1; i < n; i++) {
        yaa_channel_problem x = pr[i];
        size_t j = i;
        while (j > 0 && pr[j - 1].line > x.line) {
            pr[j] = pr[j - 1];
            j--;
        }
        pr[j] = x;
    }
}

static void finish(yaa_channels__pctx *p) {
    yaa_channel *ch = p->ch;
    if (ch->problems)
        sort_by_line(ch->problems + p->first_problem, ch->n_problems - p->first_problem);
    if (p->count > YAA_CHANNEL_PROBLEMS_MAX) {
        size_t total = p->count;
        p->count = YAA_CHANNEL_PROBLEMS_MAX - 1; /* let this one line through */
        yaa_channels__problem(p, 0, 0, "%zu more problems not shown; fix the ones above first",
                              total - YAA_CHANNEL_PROBLEMS_MAX);
        p->count = total;
    }
}

static int start(yaa_channels__pctx *p, yaa_channel *ch, const char *file) {
    *p = (yaa_channels__pctx){.ch = ch, .first_problem = ch->n_problems};
    p->file = yaa_arena_strdup(&ch->arena, file ? file : "<input>");
    return p->file ? 0 : YAA_ENOMEM;
}

static int parse_text(yaa_channels__pctx *p, yaa_channel_file kind, const char *text, size_t len) {
    yaa_channel *ch = p->ch;
    yaa_arena tmp;
    yaa_arena_init(&tmp, 65536);
    int rc = 0;
    char *copy = malloc(len + 1);
    if (!copy) {
        rc = YAA_ENOMEM;
        goto out;
    }
    if (len) memcpy(copy, text, len);
    copy[len] = 0;
    check_utf8(p, copy, len);
    yaa_channels__ynode *root = NULL;
    if ((rc = yaa_channels__ytree_parse(&tmp, copy, len, p, &root))) goto out;
    if (kind == YAA_CHANNEL_BRAND_GUIDE) ch->has_brand_guide = true;
    yaa_channels__schema_apply(p, kind, root);
    finish(p);
    if (p->oom) rc = YAA_ENOMEM;
out:
    free(copy);
    yaa_arena_free(&tmp);
    if (rc) return rc;
    return p->count ? YAA_EINVAL : 0;
}

int yaa_channels_parse(yaa_channel *ch, yaa_channel_file kind, const char *file, const char *text,
                       size_t len) {
    yaa_channels__pctx p;
    if (start(&p, ch, file)) return YAA_ENOMEM;
    return parse_text(&p, kind, text ? text : "", text ? len : 0);
}

int yaa_channels_parse_file(yaa_channel *ch, yaa_channel_file kind, const char *path) {
    yaa_channels__pctx p;
    if (start(&p, ch, path)) return YAA_ENOMEM;
    struct stat st;
    if (stat(path, &st) != 0) {
        yaa_channels__problem(&p, 0, 0, "cannot read the file: %s", strerror(errno));
        return p.oom ? YAA_ENOMEM : YAA_EINVAL;
    }
    if (!S_ISREG(st.st_mode)) {
        yaa_channels__problem(&p, 0, 0, "not a regular file");
        return p.oom ? YAA_ENOMEM : YAA_EINVAL;
    }
    if (st.st_size > YAA_CHANNEL_FILE_MAX) {
        yaa_channels__problem(
            &p, 0, 0, "the file is %lld bytes; a channel file may be at most %d bytes (1 MiB)",
            (long long)st.st_size, YAA_CHANNEL_FILE_MAX);
        return p.oom ? YAA_ENOMEM : YAA_EINVAL;
    }
    char *text = NULL;
    size_t len = 0;
    int rc = yaa_read_file(path, YAA_CHANNEL_FILE_MAX, &text, &len);
    if (rc == YAA_ELIMIT) {
        yaa_channels__problem(&p, 0, 0, "the file grew past %d bytes (1 MiB) while being read",
                              YAA_CHANNEL_FILE_MAX);
        return p.oom ? YAA_ENOMEM : YAA_EINVAL;
    }
    if (rc) {
        yaa_channels__problem(&p, 0, 0, "cannot read the file: %s", yaa_strerror(rc));
        return p.oom ? YAA_ENOMEM : YAA_EINVAL;
    }
    rc = parse_text(&p, kind, text, len);
    free(text);
    return rc;
}

const char *yaa_channels_problem_str(const yaa_channel *ch, size_t i, char *buf, size_t n) {
    if (!buf || n == 0) return "";
    if (!ch || i >= ch->n_problems) {
        buf[0] = 0;
        return buf;
    }
    const yaa_channel_problem *pr = &ch->problems[i];
    if (pr->line > 0)
        snprintf(buf, n, "%s:%d: %s", pr->file, pr->line, pr->msg);
    else
        snprintf(buf, n, "%s: %s", pr->file, pr->msg);
    return buf;
}

static bool is_file(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int yaa_channels_load_dir(const char *dir, const char *id, yaa_channel **out, yaa_err *err) {
    *out = NULL;
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return yaa_err_set(err, YAA_ENOTFOUND, "channel '%s' not found (no directory %s)", id, dir);
    char path[4096];
    if (snprintf(path, sizeof path, "%s/config.yaml", dir) >= (int)sizeof path)
        return yaa_err_set(err, YAA_EINVAL, "channel directory path too long");
    if (!is_file(path))
        return yaa_err_set(err, YAA_ENOTFOUND, "channel '%s' not found (no %s)", id, path);
    yaa_channel *ch = yaa_channels_new(id, dir);
    if (!ch) return yaa_err_set(err, YAA_ENOMEM, "out of memory loading channel '%s'", id);
    int rc = yaa_channels_parse_file(ch, YAA_CHANNEL_CONFIG, path);
    if (rc == YAA_ENOMEM) goto oom;
    snprintf(path, sizeof path, "%s/brand_guide.yaml", dir);
    if (stat(path, &st) == 0) { /* a brand guide is optional; one that is there is checked */
        rc = yaa_channels_parse_file(ch, YAA_CHANNEL_BRAND_GUIDE, path);
        if (rc == YAA_ENOMEM) goto oom;
    }
    /* The voice speaks the channel's language unless the guide says otherwise. */
    if (!*ch->voice_design.language) ch->voice_design.language = ch->channel.language;
    *out = ch;
    if (ch->n_problems == 0) return 0;
    char first[512];
    yaa_channels_problem_str(ch, 0, first, sizeof first);
    if (ch->n_problems > 1)
        return yaa_err_set(err, YAA_EINVAL, "%s (and %zu more problems)", first,
                           ch->n_problems - 1);
    return yaa_err_set(err, YAA_EINVAL, "%s", first);
oom:
    yaa_channels_free(ch);
    return yaa_err_set(err, YAA_ENOMEM, "out of memory loading channel '%s'", id);
}
