/* chunk.c - the chunk list, Markdown/text and research.json chunkers, and the walk over
 * one channel's sources (brand guide, config, knowledge files, past runs' research). */
#include "rag/rag.h"

#include "core/util.h"

#include <dirent.h>
#include <stdarg.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SOURCE_MAX ((size_t)4 * 1024 * 1024)

void yaa_rag_chunks_init(yaa_rag_chunks *c) {
    memset(c, 0, sizeof *c);
    yaa_arena_init(&c->arena, 64 * 1024);
}

void yaa_rag_chunks_free(yaa_rag_chunks *c) {
    free(c->v);
    yaa_arena_free(&c->arena);
    memset(c, 0, sizeof *c);
}

int yaa_rag_chunks_add(yaa_rag_chunks *c, const char *source, const char *section,
                       const char *text) {
    if (c->n == c->cap) {
        size_t ncap = c->cap ? c->cap * 2 : 64;
        yaa_rag_chunk *nv = realloc(c->v, ncap * sizeof *nv);
        if (!nv) return YAA_ENOMEM;
        c->v = nv;
        c->cap = ncap;
    }
    yaa_rag_chunk *k = &c->v[c->n];
    k->source = yaa_arena_strdup(&c->arena, source);
    k->section = yaa_arena_strdup(&c->arena, section);
    k->text = yaa_arena_strdup(&c->arena, text);
    if (!k->source || !k->section || !k->text) return YAA_ENOMEM;
    size_t ls = strlen(source), lc = strlen(section), lt = strlen(text);
    char *all = malloc(ls + lc + lt + 3);
    if (!all) return YAA_ENOMEM;
    memcpy(all, source, ls + 1);
    memcpy(all + ls + 1, section, lc + 1);
    memcpy(all + ls + lc + 2, text, lt + 1);
    yaa_sha256_hex(all, ls + lc + lt + 3, k->hash);
    free(all);
    c->n++;
    return 0;
}

/* Emits body (already capped) as a chunk of section, numbering parts after the first. */
static int emit_part(yaa_rag_chunks *out, const char *source, const char *section,
                     const char *prefix, const char *body, int *part) {
    yaa_buf sec, t;
    yaa_buf_init(&sec, 0);
    yaa_buf_init(&t, 0);
    int rc =
        *part ? yaa_buf_printf(&sec, "%s/%d", section, *part + 1) : yaa_buf_puts(&sec, section);
    if (!rc) rc = yaa_buf_printf(&t, "%s\n%s", prefix, body);
    if (!rc) rc = yaa_rag_chunks_add(out, source, yaa_buf_cstr(&sec), yaa_buf_cstr(&t));
    (*part)++;
    yaa_buf_free(&sec);
    yaa_buf_free(&t);
    return rc;
}

/* Splits text into pieces of at most YAA_RAG_CHUNK_MAX bytes, preferring paragraph breaks,
 * then sentence ends, then spaces, never splitting a UTF-8 character. */
static int emit_capped(yaa_rag_chunks *out, const char *source, const char *section,
                       const char *prefix, const char *text, int *part) {
    const char *p = text;
    while (*p) {
        while (*p == '\n' || *p == ' ' || *p == '\t' || *p == '\r') p++;
        if (!*p) break;
        size_t n = yaa_utf8_prefix(p, YAA_RAG_CHUNK_MAX);
        if (p[n]) {
            size_t cut = 0;
            for (size_t i = n; i > n / 2 && !cut; i--)
                if (p[i - 1] == '\n' && i >= 2 && p[i - 2] == '\n') cut = i;
            for (size_t i = n; i > n / 2 && !cut; i--)
                if ((p[i - 1] == '.' || p[i - 1] == '?' || p[i - 1] == '!' || p[i - 1] == '\n') &&
                    (p[i] == ' ' || p[i] == '\n'))
                    cut = i;
            for (size_t i = n; i > n / 2 && !cut; i--)
                if (p[i - 1] == ' ') cut = i;
            if (cut) n = cut;
        }
        size_t m = n;
        while (m && (p[m - 1] == '\n' || p[m - 1] == ' ' || p[m - 1] == '\r')) m--;
        char *piece = yaa_arena_strndup(&out->arena, p, m);
        if (!piece) return YAA_ENOMEM;
        int rc = emit_part(out, source, section, prefix, piece, part);
        if (rc) return rc;
        p += n;
    }
    return 0;
}

/* "knowledge/gear-notes.md" -> "gear notes" */
static char *title_words(yaa_arena *a, const char *source) {
    const char *base = strrchr(source, '/');
    base = base ? base + 1 : source;
    char *s = yaa_arena_strdup(a, base);
    if (!s) return NULL;
    char *dot = strrchr(s, '.');
    if (dot && dot != s) *dot = '\0';
    for (char *p = s; *p; p++)
        if (*p == '-' || *p == '_') *p = ' ';
    return s;
}

int yaa_rag_chunk_markdown(yaa_rag_chunks *out, const char *source, const char *text, size_t len,
                           yaa_err *err) {
    char *title = title_words(&out->arena, source);
    if (!title) return yaa_err_set(err, YAA_ENOMEM, "out of memory");
    yaa_buf body, prefix, section;
    yaa_buf_init(&body, 0);
    yaa_buf_init(&prefix, 0);
    yaa_buf_init(&section, 0);
    int rc = yaa_buf_puts(&section, source);
    if (!rc) rc = yaa_buf_puts(&prefix, title);
    int part = 0, in_fence = 0;
    const char *p = text, *end = text + len;
    while (!rc && p <= end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        int heading = 0;
        if (!in_fence && le > p && *p == '#') {
            const char *h = p;
            while (h < le && *h == '#') h++;
            if (h - p <= 6 && h < le && (*h == ' ' || *h == '\t')) heading = (int)(h - p);
        }
        if (le - p >= 3 && strncmp(p, "```", 3) == 0) in_fence = !in_fence;
        if (heading || p >= end) {
            /* Close the running section. */
            if (body.len)
                rc = emit_capped(out, source, yaa_buf_cstr(&section), yaa_buf_cstr(&prefix),
                                 body.data, &part);
            yaa_buf_reset(&body);
            if (rc || p >= end) break;
            const char *h = p + heading;
            while (h < le && (*h == ' ' || *h == '\t')) h++;
            const char *he = le;
            while (he > h && (he[-1] == ' ' || he[-1] == '#' || he[-1] == '\r')) he--;
            yaa_buf_reset(&section);
            yaa_buf_reset(&prefix);
            rc = yaa_buf_printf(&section, "%s#%.*s", source, (int)(he - h), h);
            if (!rc) rc = yaa_buf_printf(&prefix, "%s > %.*s", title, (int)(he - h), h);
            part = 0;
        } else {
            rc = yaa_buf_append(&body, p, (size_t)(le - p));
            if (!rc) rc = yaa_buf_putc(&body, '\n');
        }
        if (!nl) {
            p = end;
            if (!rc && body.len)
                rc = emit_capped(out, source, yaa_buf_cstr(&section), yaa_buf_cstr(&prefix),
                                 body.data, &part);
            break;
        }
        p = nl + 1;
    }
    yaa_buf_free(&body);
    yaa_buf_free(&prefix);
    yaa_buf_free(&section);
    if (rc) return yaa_err_set(err, rc, "%s: %s", source, yaa_strerror(rc));
    return 0;
}

static int flatten(yaa_buf *b, const char *path, json_t *v) {
    int rc = 0;
    if (json_is_object(v)) {
        const char *k;
        json_t *c;
        json_object_foreach(v, k, c) {
            char sub[256];
            snprintf(sub, sizeof sub, "%s%s%s", path, *path ? " > " : "", k);
            for (char *q = sub; *q; q++)
                if (*q == '_') *q = ' ';
            if ((rc = flatten(b, sub, c))) return rc;
        }
    } else if (json_is_array(v)) {
        size_t i;
        json_t *c;
        json_array_foreach(v, i, c) {
            if ((rc = flatten(b, path, c))) return rc;
        }
    } else if (json_is_string(v)) {
        if (json_string_length(v)) rc = yaa_buf_printf(b, "%s: %s\n", path, json_string_value(v));
    } else if (json_is_number(v)) {
        rc = yaa_buf_printf(b, "%s: %g\n", path, json_number_value(v));
    }
    return rc;
}

int yaa_rag_chunk_research(yaa_rag_chunks *out, const char *run_id, const char *json, size_t len,
                           yaa_err *err) {
    json_error_t je;
    json_t *root = json_loadb(json, len, 0, &je);
    if (!root)
        return yaa_err_set(err, YAA_EPARSE, "runs/%s/research.json:%d: %s", run_id, je.line,
                           je.text);
    yaa_buf b;
    yaa_buf_init(&b, SOURCE_MAX);
    int rc = flatten(&b, "", root);
    json_decref(root);
    char source[300], section[300];
    snprintf(source, sizeof source, "runs/%s/research.json", run_id);
    snprintf(section, sizeof section, "runs/%s/research", run_id);
    int part = 0;
    if (!rc && b.len) rc = emit_capped(out, source, section, "research notes", b.data, &part);
    yaa_buf_free(&b);
    if (rc) return yaa_err_set(err, rc, "%s: %s", source, yaa_strerror(rc));
    return 0;
}

/* snprintf into a path buffer; 0, or YAA_ELIMIT if it did not fit. */
static int pathf(char *out, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int pathf(char *out, size_t n, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(out, n, fmt, ap);
    va_end(ap);
    return w < 0 || (size_t)w >= n ? YAA_ELIMIT : 0;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sorted names of the entries of dir (regular files or directories as asked). */
static int list_dir(const char *dir, int want_dirs, char ***names, size_t *n) {
    *names = NULL;
    *n = 0;
    DIR *d = opendir(dir);
    if (!d) return 0;
    size_t cap = 0;
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char path[4096];
        struct stat st;
        if (pathf(path, sizeof path, "%s/%s", dir, e->d_name) || stat(path, &st) != 0) continue;
        if (want_dirs ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)) continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            char **nv = realloc(*names, cap * sizeof *nv);
            if (!nv) {
                rc = YAA_ENOMEM;
                break;
            }
            *names = nv;
        }
        if (!((*names)[*n] = strdup(e->d_name))) {
            rc = YAA_ENOMEM;
            break;
        }
        (*n)++;
    }
    closedir(d);
    if (*n) qsort(*names, *n, sizeof **names, cmp_str);
    return rc;
}

static void free_names(char **names, size_t n) {
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
}

static int read_opt(const char *path, char **data, size_t *len, yaa_err *err) {
    *data = NULL;
    struct stat st;
    if (stat(path, &st) != 0) return 0;
    int rc = yaa_read_file(path, SOURCE_MAX, data, len);
    if (rc) return yaa_err_set(err, rc, "%s: cannot read (%s)", path, yaa_strerror(rc));
    return 0;
}

static int research_channel_matches(const char *json, size_t len, const char *channel_id) {
    json_t *root = json_loadb(json, len, 0, NULL);
    if (!root) return 0;
    const char *c = json_string_value(json_object_get(root, "channel_id"));
    if (!c) c = json_string_value(json_object_get(root, "channel"));
    int ok = c && strcmp(c, channel_id) == 0;
    json_decref(root);
    return ok;
}

int yaa_rag_chunk_channel(yaa_rag_chunks *out, const char *channels_dir, const char *output_dir,
                          const char *channel_id, yaa_err *err) {
    char dir[4096], path[4096];
    struct stat st;
    size_t idlen = strspn(channel_id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                      "0123456789_-");
    if (!*channel_id || channel_id[idlen] || idlen > 100)
        return yaa_err_set(err, YAA_EINVAL,
                           "channel id '%.100s': use 1-100 letters, digits, '_' or '-'",
                           channel_id);
    if (pathf(dir, sizeof dir, "%s/%s", channels_dir, channel_id) || stat(dir, &st) != 0 ||
        !S_ISDIR(st.st_mode))
        return yaa_err_set(err, YAA_ENOTFOUND, "channel '%s': no directory %s", channel_id, dir);
    static const char *const yamls[] = {"brand_guide.yaml", "config.yaml"};
    for (size_t i = 0; i < 2; i++) {
        char *data;
        size_t len;
        if (pathf(path, sizeof path, "%s/%s", dir, yamls[i]))
            return yaa_err_set(err, YAA_ELIMIT, "%s: path too long", dir);
        int rc = read_opt(path, &data, &len, err);
        if (rc) return rc;
        if (!data) continue;
        rc = yaa_rag_chunk_yaml(out, yamls[i], data, len, err);
        free(data);
        if (rc) return yaa_err_prefix(err, "channel '%s': ", channel_id), rc;
    }
    char **names;
    size_t n;
    int rc = pathf(path, sizeof path, "%s/knowledge", dir);
    if (rc) return yaa_err_set(err, rc, "%s: path too long", dir);
    rc = list_dir(path, 0, &names, &n);
    for (size_t i = 0; i < n && !rc; i++) {
        if (!yaa_str_endswith(names[i], ".md") && !yaa_str_endswith(names[i], ".markdown") &&
            !yaa_str_endswith(names[i], ".txt"))
            continue;
        char file[4096], source[600];
        char *data = NULL;
        size_t len;
        if (pathf(file, sizeof file, "%s/knowledge/%s", dir, names[i]) ||
            pathf(source, sizeof source, "knowledge/%s", names[i]))
            continue;
        rc = read_opt(file, &data, &len, err);
        if (!rc && data) rc = yaa_rag_chunk_markdown(out, source, data, len, err);
        free(data);
    }
    free_names(names, n);
    if (rc) return rc;
    if (!output_dir) return 0;
    rc = list_dir(output_dir, 1, &names, &n);
    for (size_t i = 0; i < n && !rc; i++) {
        char file[4096];
        char *data = NULL;
        size_t len;
        if (pathf(file, sizeof file, "%s/%s/research.json", output_dir, names[i])) continue;
        rc = read_opt(file, &data, &len, err);
        if (!rc && data && research_channel_matches(data, len, channel_id)) {
            rc = yaa_rag_chunk_research(out, names[i], data, len, err);
            if (rc) {
                /* One broken notes file must not stop the channel from being indexed. */
                yaa_log_warn("rag", "skipping %s: %s", file, err ? err->msg : "");
                yaa_err_clear(err);
                rc = 0;
            }
        }
        free(data);
    }
    free_names(names, n);
    if (rc == YAA_ENOMEM) return yaa_err_set(err, rc, "out of memory");
    return rc;
}
