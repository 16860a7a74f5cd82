/* library.c - the channel's own media (channels/<id>/media/): the video clips and photos the
 * creator shot, each described by its filename's words and an optional media.yaml sidecar
 *
 *   pasta_boil.mp4:
 *     description: "Pasta going into a pot of boiling water"
 *     tags: [pasta, boiling, kitchen]
 *
 * and matched to a section's search text by the words they share (a Korean word also matches
 * with a particle attached: "파스타를" ~ "파스타"). A file is used once per video. */
#include "core/log.h"
#include "core/util.h"
#include "media/visuals_internal.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

static const char *const VIDEO_EXT[] = {".mp4", ".mov", ".m4v", ".webm", ".mkv", NULL};
static const char *const PHOTO_EXT[] = {".jpg", ".jpeg", ".png", ".webp", NULL};

static bool has_ext(const char *name, const char *const *exts) {
    size_t n = strlen(name);
    for (size_t i = 0; exts[i]; i++) {
        size_t e = strlen(exts[i]);
        if (n > e && !strcasecmp(name + n - e, exts[i])) return true;
    }
    return false;
}

/* Lower-cased words of s (ASCII letters/digits and any non-ASCII run), space-separated. */
static void words_of(const char *s, char *out, size_t n) {
    size_t o = 0;
    bool gap = true;
    for (const unsigned char *p = (const unsigned char *)s; *p && o + 2 < n; p++) {
        bool w = isalnum(*p) || *p >= 0x80;
        if (w) {
            out[o++] = (char)tolower(*p);
            gap = false;
        } else if (!gap) {
            out[o++] = ' ';
            gap = true;
        }
    }
    while (o && out[o - 1] == ' ') o--;
    out[o] = 0;
}

/* The sidecar's text for file name (description + tags), appended to out. */
static void sidecar_text(yaml_document_t *doc, const char *name, char *out, size_t n) {
    yaml_node_t *root = doc ? yaml_document_get_root_node(doc) : NULL;
    if (!root || root->type != YAML_MAPPING_NODE) return;
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = yaml_document_get_node(doc, p->key);
        yaml_node_t *v = yaml_document_get_node(doc, p->value);
        if (!k || k->type != YAML_SCALAR_NODE || strcmp((char *)k->data.scalar.value, name) || !v ||
            v->type != YAML_MAPPING_NODE)
            continue;
        for (yaml_node_pair_t *q = v->data.mapping.pairs.start; q < v->data.mapping.pairs.top;
             q++) {
            yaml_node_t *fk = yaml_document_get_node(doc, q->key);
            yaml_node_t *fv = yaml_document_get_node(doc, q->value);
            if (!fk || !fv || fk->type != YAML_SCALAR_NODE) continue;
            if (fv->type == YAML_SCALAR_NODE) {
                size_t o = strlen(out);
                snprintf(out + o, n - o, " %s", (char *)fv->data.scalar.value);
            } else if (fv->type == YAML_SEQUENCE_NODE) {
                for (yaml_node_item_t *it = fv->data.sequence.items.start;
                     it < fv->data.sequence.items.top; it++) {
                    yaml_node_t *t = yaml_document_get_node(doc, *it);
                    size_t o = strlen(out);
                    if (t && t->type == YAML_SCALAR_NODE)
                        snprintf(out + o, n - o, " %s", (char *)t->data.scalar.value);
                }
            }
        }
    }
}

/* media.yaml loaded as a document; false (with a warning naming the line) when unreadable. */
static bool load_sidecar(const char *dir, yaml_document_t *doc) {
    char path[4096], *text = NULL;
    size_t len = 0;
    snprintf(path, sizeof path, "%s/media.yaml", dir);
    if (yaa_read_file(path, 1u << 20, &text, &len)) return false;
    yaml_parser_t parser;
    bool ok = yaml_parser_initialize(&parser);
    if (ok) {
        yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
        ok = yaml_parser_load(&parser, doc);
        if (!ok)
            yaa_log_ev(YAA_LOG_WARN, "media", "media.yaml unreadable; using file names only",
                       YAA_F_STR("path", path),
                       YAA_F_INT("line", (long)parser.problem_mark.line + 1),
                       YAA_F_STR("problem", parser.problem ? parser.problem : ""), YAA_F_END);
        yaml_parser_delete(&parser);
    }
    free(text);
    return ok;
}

int yaa_media__library_load(const char *dir, yaa_media__library *lib) {
    memset(lib, 0, sizeof *lib);
    if (!dir || !*dir) return 0;
    DIR *d = opendir(dir);
    if (!d) return 0;
    yaml_document_t doc;
    bool have_doc = load_sidecar(dir, &doc);
    struct dirent *e;
    while ((e = readdir(d)) && lib->n < YAA_LIBRARY_MAX) {
        if (e->d_name[0] == '.') continue;
        bool video = has_ext(e->d_name, VIDEO_EXT);
        if (!video && !has_ext(e->d_name, PHOTO_EXT)) continue;
        yaa_media__library_file *f = &lib->files[lib->n++];
        f->video = video;
        snprintf(f->path, sizeof f->path, "%s/%s", dir, e->d_name);
        snprintf(f->name, sizeof f->name, "%s", e->d_name);
        char text[2048] = "";
        char *dot = strrchr(f->name, '.');
        snprintf(text, sizeof text, "%.*s", dot ? (int)(dot - f->name) : (int)strlen(f->name),
                 f->name);
        if (have_doc) sidecar_text(&doc, e->d_name, text, sizeof text);
        words_of(text, f->words, sizeof f->words);
    }
    closedir(d);
    if (have_doc) yaml_document_delete(&doc);
    return 0;
}

/* Code points of a word (its length as a reader sees it). */
static size_t cps(const char *w, size_t len) {
    size_t n = 0;
    for (size_t i = 0; i < len; i++) n += ((unsigned char)w[i] & 0xC0) != 0x80;
    return n;
}

/* True when a and b are the same word, or one is the other with an ending (a particle, a
 * plural) and the shared stem is at least 2 syllables / 4 letters. */
static bool word_match(const char *a, size_t al, const char *b, size_t bl) {
    size_t m = al < bl ? al : bl;
    if (strncmp(a, b, m)) return false;
    if (al == bl) return true;
    bool wide = (unsigned char)a[0] >= 0x80;
    return cps(a, m) >= (wide ? 2u : 4u) &&
           cps(al > bl ? a : b, al > bl ? al : bl) - cps(a, m) <= 2;
}

static const char *const STOP[] = {"the", "and", "for", "with", "from", "that", "this", "your",
                                   "you", "are", "how", "what", "into", "our",  "its",  NULL};

static bool stopword(const char *w, size_t len) {
    if (cps(w, len) < 2 || (len < 3 && (unsigned char)w[0] < 0x80)) return true;
    for (size_t i = 0; STOP[i]; i++)
        if (strlen(STOP[i]) == len && !strncmp(STOP[i], w, len)) return true;
    return false;
}

double yaa_media__library_score(const char *query, const char *words) {
    char q[1024] = "";
    words_of(query, q, sizeof q);
    double hit = 0;
    for (char *a = q; *a;) {
        size_t al = strcspn(a, " ");
        if (!stopword(a, al)) {
            for (const char *b = words; *b;) {
                size_t bl = strcspn(b, " ");
                if (word_match(a, al, b, bl)) {
                    hit += 1;
                    break;
                }
                b += bl + (b[bl] == ' ');
            }
        }
        a += al + (a[al] == ' ');
    }
    return hit;
}

int yaa_media__library_pick(yaa_media__library *lib, const char *const *queries, size_t nq,
                            bool want_video) {
    int best = -1;
    double best_score = 0;
    for (size_t i = 0; i < lib->n; i++) {
        yaa_media__library_file *f = &lib->files[i];
        if (f->used) continue;
        double s = 0;
        for (size_t k = 0; k < nq; k++)
            if (queries[k]) s += yaa_media__library_score(queries[k], f->words) / (double)(k + 1);
        if (f->video == want_video) s += 0.01; /* footage before photos at equal match */
        if (s >= 1.0 && s > best_score) best = (int)i, best_score = s;
    }
    if (best >= 0) lib->files[best].used = true;
    return best;
}
