/* srt.c - subtitles from measured audio: each segment's narration is cut into readable cues
 * (sentences, then clauses, then words; at most two lines of ~42 Latin / ~20 Hangul
 * characters) timed in proportion to their characters within the segment's duration. */
#include "media/internal.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LINE_LATIN 42
#define LINE_WIDE 20

typedef struct cue_list {
    yaa_srt_cue *v;
    size_t n, cap;
    int oom;
} cue_list;

typedef struct piece_list {
    char **v;
    size_t n, cap;
    int oom;
} piece_list;

static size_t width_of(const char *s, size_t len) {
    size_t w = 0;
    for (size_t i = 0; i < len;) {
        yaa__utf8_next(s, &i);
        w++;
    }
    return w;
}

static size_t weight_of(const char *s) {
    size_t w = 0;
    for (size_t i = 0; s[i];) {
        uint32_t cp = yaa__utf8_next(s, &i);
        if (cp != ' ') w++;
    }
    return w ? w : 1;
}

static bool has_wide(const char *s) {
    for (size_t i = 0; s[i];) {
        if (yaa__is_wide(yaa__utf8_next(s, &i))) return true;
    }
    return false;
}

static void piece_add(piece_list *p, const char *s, size_t len) {
    while (len && s[0] == ' ') s++, len--;
    while (len && s[len - 1] == ' ') len--;
    if (!len || p->oom) return;
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 16;
        char **t = realloc(p->v, cap * sizeof *t);
        if (!t) {
            p->oom = 1;
            return;
        }
        p->v = t;
        p->cap = cap;
    }
    char *c = strndup(s, len);
    if (!c) {
        p->oom = 1;
        return;
    }
    p->v[p->n++] = c;
}

/* Token boundary at level 0 (clause punctuation followed by a space), 1 (space), 2 (any
 * code point). Returns the byte length of the token starting at s (delimiter included). */
static size_t next_token(const char *s, size_t len, int level) {
    size_t i = 0;
    while (i < len) {
        size_t j = i;
        uint32_t cp = yaa__utf8_next(s, &j);
        if (level == 2) return j;
        if (level == 1 && cp == ' ') return j;
        if (level == 0) {
            bool clause =
                cp == ',' || cp == ';' || cp == ':' || cp == 0xFF0C || cp == 0x3001 || cp == 0x2014;
            if (clause && (j >= len || s[j] == ' ')) return j < len ? j + 1 : j;
        }
        i = j;
    }
    return len;
}

/* Packs s into pieces of width <= max, balanced: splits at the coarsest boundary that works. */
static void pack(piece_list *out, const char *s, size_t len, int level, size_t max) {
    size_t w = width_of(s, len);
    if (w <= max || level > 2) {
        piece_add(out, s, len);
        return;
    }
    size_t parts = (w + max - 1) / max;
    size_t target = (w + parts - 1) / parts;
    size_t start = 0, acc = 0, i = 0;
    while (i < len) {
        size_t tl = next_token(s + i, len - i, level);
        size_t tw = width_of(s + i, tl);
        if (tw > max) { /* a token too long on its own: flush, then split it finer */
            if (i > start) piece_add(out, s + start, i - start);
            pack(out, s + i, tl, level + 1, max);
            i += tl;
            start = i;
            acc = 0;
            continue;
        }
        if (acc && (acc + tw > max || acc >= target)) {
            piece_add(out, s + start, i - start);
            start = i;
            acc = 0;
        }
        acc += tw;
        i += tl;
    }
    if (i > start) piece_add(out, s + start, i - start);
}

static bool sentence_end(uint32_t cp) {
    return cp == '.' || cp == '!' || cp == '?' || cp == 0x3002 || cp == 0xFF01 || cp == 0xFF1F ||
           cp == 0x2026;
}

/* Whitespace collapsed to single spaces; newlines kept as sentence breaks ('\n'). */
static char *normalise(const char *in) {
    size_t n = strlen(in);
    char *o = malloc(n + 1), *p = o;
    if (!o) return NULL;
    bool space = false, nl = false;
    for (const char *s = in; *s; s++) {
        char ch = *s;
        if (ch == '\n' || ch == '\r')
            nl = true;
        else if (ch == ' ' || ch == '\t' || ch == '\f' || ch == '\v')
            space = true;
        else {
            if (p != o && nl)
                *p++ = '\n';
            else if (p != o && space)
                *p++ = ' ';
            space = nl = false;
            *p++ = ch;
        }
    }
    *p = 0;
    return o;
}

/* The readable pieces of one narration. */
static void split_narration(piece_list *out, const char *text) {
    char *t = normalise(text);
    if (!t) {
        out->oom = 1;
        return;
    }
    size_t max = 2 * (has_wide(t) ? LINE_WIDE : LINE_LATIN);
    size_t start = 0, i = 0, len = strlen(t);
    while (i < len) {
        size_t j = i;
        uint32_t cp = yaa__utf8_next(t, &j);
        bool cut = cp == '\n';
        if (!cut && sentence_end(cp)) {
            /* swallow repeated terminators and closing quotes/brackets */
            while (j < len && (t[j] == '.' || t[j] == '!' || t[j] == '?' || t[j] == '"' ||
                               t[j] == '\'' || t[j] == ')' || t[j] == ']'))
                j++;
            cut = j >= len || t[j] == ' ' || t[j] == '\n' || cp >= 0x3000;
        }
        if (cut) {
            size_t end = cp == '\n' ? i : j;
            if (end > start) pack(out, t + start, end - start, 0, max);
            start = j;
        }
        i = j;
    }
    if (len > start) pack(out, t + start, len - start, 0, max);
    free(t);
}

/* Breaks a piece into two balanced lines at a space when it is wider than one line. */
static char *wrap_lines(const char *s) {
    size_t limit = has_wide(s) ? LINE_WIDE : LINE_LATIN;
    size_t len = strlen(s), w = width_of(s, len);
    char *o = strdup(s);
    if (!o || w <= limit) return o;
    size_t best = 0, best_score = (size_t)-1, cw = 0;
    for (size_t i = 0; i < len;) {
        size_t j = i;
        uint32_t cp = yaa__utf8_next(s, &j);
        cw++;
        if (cp == ' ') {
            size_t left = cw - 1, right = w - cw;
            size_t score = left > right ? left : right;
            if (score < best_score) best_score = score, best = i;
        }
        i = j;
    }
    if (best_score != (size_t)-1) {
        o[best] = '\n';
        return o;
    }
    /* no space: cut at the middle code point */
    size_t half = w / 2, k = 0, i = 0;
    while (i < len && k < half) {
        yaa__utf8_next(s, &i);
        k++;
    }
    char *o2 = malloc(len + 2);
    if (!o2) {
        free(o);
        return NULL;
    }
    memcpy(o2, s, i);
    o2[i] = '\n';
    memcpy(o2 + i + 1, s + i, len - i + 1);
    free(o);
    return o2;
}

static int cue_add(cue_list *c, long start, long end, char *text) {
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 32;
        yaa_srt_cue *t = realloc(c->v, cap * sizeof *t);
        if (!t) return -1;
        c->v = t;
        c->cap = cap;
    }
    c->v[c->n++] = (yaa_srt_cue){start, end, text};
    return 0;
}

int yaa_srt_build(const char *const *narrations, const double *durations, size_t n, yaa_srt *out,
                  yaa_err *err) {
    memset(out, 0, sizeof *out);
    cue_list cl = {0};
    double t0 = 0;
    int rc = 0;
    for (size_t s = 0; s < n && !rc; s++) {
        double d = durations[s] > 0 ? durations[s] : 0;
        long seg_start = lround(t0 * 1000), seg_end = lround((t0 + d) * 1000);
        t0 += d;
        const char *text = narrations[s] ? narrations[s] : "";
        piece_list pl = {0};
        split_narration(&pl, text);
        if (pl.oom) rc = yaa_err_set(err, YAA_ENOMEM, "subtitles: out of memory");
        size_t total = 0;
        for (size_t k = 0; k < pl.n; k++) total += weight_of(pl.v[k]);
        size_t cum = 0;
        long prev = seg_start;
        char *carry = NULL; /* text of a cue too short to show on its own */
        for (size_t k = 0; k < pl.n && !rc; k++) {
            cum += weight_of(pl.v[k]);
            long end = k + 1 == pl.n
                           ? seg_end
                           : seg_start + lround((double)(seg_end - seg_start) * cum / total);
            char *txt = wrap_lines(pl.v[k]);
            if (txt && carry) {
                char *j = NULL;
                if (asprintf(&j, "%s %s", carry, txt) < 0) j = NULL;
                free(txt);
                txt = j;
                free(carry);
                carry = NULL;
            }
            if (!txt) {
                rc = yaa_err_set(err, YAA_ENOMEM, "subtitles: out of memory");
                break;
            }
            if (end <= prev) {
                carry = txt;
                continue;
            }
            if (cue_add(&cl, prev, end, txt)) {
                free(txt);
                rc = yaa_err_set(err, YAA_ENOMEM, "subtitles: out of memory");
                break;
            }
            prev = end;
        }
        if (carry && !rc && cl.n) { /* glue to the last cue */
            char *j = NULL;
            if (asprintf(&j, "%s %s", cl.v[cl.n - 1].text, carry) >= 0) {
                free(cl.v[cl.n - 1].text);
                cl.v[cl.n - 1].text = j;
            }
        }
        free(carry);
        for (size_t k = 0; k < pl.n; k++) free(pl.v[k]);
        free(pl.v);
    }
    /* silent (empty) segments extend the cue before them, so the cues cover everything */
    for (size_t i = 1; i < cl.n; i++) cl.v[i - 1].end_ms = cl.v[i].start_ms;
    if (cl.n) {
        cl.v[0].start_ms = 0;
        cl.v[cl.n - 1].end_ms = lround(t0 * 1000);
    }
    out->cues = cl.v;
    out->n = cl.n;
    if (rc) yaa_srt_free(out);
    return rc;
}

static void fmt_time(char *o, size_t n, long ms) {
    snprintf(o, n, "%02ld:%02ld:%02ld,%03ld", ms / 3600000, (ms / 60000) % 60, (ms / 1000) % 60,
             ms % 1000);
}

int yaa_srt_write(const yaa_srt *srt, const char *path, yaa_err *err) {
    yaa_buf b;
    yaa_buf_init(&b, 0);
    int rc = 0;
    for (size_t i = 0; i < srt->n && !rc; i++) {
        char a[32], z[32];
        fmt_time(a, sizeof a, srt->cues[i].start_ms);
        fmt_time(z, sizeof z, srt->cues[i].end_ms);
        rc = yaa_buf_printf(&b, "%zu\n%s --> %s\n%s\n\n", i + 1, a, z, srt->cues[i].text);
    }
    if (rc)
        rc = yaa_err_set(err, rc, "subtitles: out of memory");
    else if (yaa_write_file(path, b.data ? b.data : "", b.len))
        rc = yaa_err_set(err, YAA_EIO, "cannot write '%s': %s", path, strerror(errno));
    yaa_buf_free(&b);
    return rc;
}

void yaa_srt_free(yaa_srt *srt) {
    if (!srt) return;
    for (size_t i = 0; i < srt->n; i++) free(srt->cues[i].text);
    free(srt->cues);
    srt->cues = NULL;
    srt->n = 0;
}
