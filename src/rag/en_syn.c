/* en_syn.c - English synonyms from WordNet (Debian's wordnet-base), for the lexical side of a
 * question: a creator asks about an "ankle hurt" where the brand guide says "injury", about a
 * trail the owner "shut" where it says "closed", about a "gadget" where it says "appliance".
 * The question's words get the other words of their most common senses as extra, lighter
 * query terms (analyse.c's stems; lexindex.c weighs them YAA_RAG__SYN_WEIGHT and keeps only
 * terms the channel's index has), so a channel's own text decides which synonyms count.
 *
 * The dictionary files are mapped read-only at the first English question (nothing is loaded
 * into memory up front; the pages a lookup touches are read on demand) and searched in place:
 * index.<pos> is sorted by lemma (a binary search over its lines), and each synset offset
 * there is the byte offset of the synset's line in data.<pos>. Without the files (the package
 * missing) there are no synonyms and nothing else changes. */
#include "rag/rag_internal.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define WORDNET_DIR "/usr/share/wordnet"
#define SENSES 2     /* most common senses of a word per part of speech that are used */
#define MAX_LEMMA 40 /* longer lemmas are skipped */

typedef struct mapped {
    const char *p;
    size_t n;
} mapped;

static const char *const pos_names[] = {"noun", "verb", "adj", "adv"};
enum { NPOS = 4 };
static mapped idx[NPOS], dat[NPOS];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static mapped map_file(const char *path) {
    mapped m = {NULL, 0};
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return m;
    struct stat st;
    if (fstat(fd, &st) == 0 && st.st_size > 0) {
        void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p != MAP_FAILED) {
            m.p = p;
            m.n = (size_t)st.st_size;
        }
    }
    close(fd);
    return m;
}

static void open_all(void) {
    char path[128];
    for (int i = 0; i < NPOS; i++) {
        snprintf(path, sizeof path, WORDNET_DIR "/index.%s", pos_names[i]);
        idx[i] = map_file(path);
        snprintf(path, sizeof path, WORDNET_DIR "/data.%s", pos_names[i]);
        dat[i] = map_file(path);
    }
}

/* The start of the line holding byte at (the file's first line when at is in it). */
static size_t line_start(const mapped *m, size_t at) {
    while (at > 0 && m->p[at - 1] != '\n') at--;
    return at;
}

/* Compares a line's first field (up to a space) with word. */
static int cmp_lemma(const mapped *m, size_t line, const char *word, size_t wl) {
    size_t i = 0;
    while (line + i < m->n && m->p[line + i] != ' ' && m->p[line + i] != '\n' && i < wl) {
        unsigned char a = (unsigned char)m->p[line + i], b = (unsigned char)word[i];
        if (a != b) return a < b ? -1 : 1;
        i++;
    }
    int line_ended = line + i >= m->n || m->p[line + i] == ' ' || m->p[line + i] == '\n';
    if (i == wl) return line_ended ? 0 : 1;
    return -1;
}

/* The line of index m whose lemma is word; SIZE_MAX when absent. The licence header at the
 * top (lines starting with two spaces) sorts before every lemma. */
static size_t find_lemma(const mapped *m, const char *word, size_t wl) {
    size_t lo = 0, hi = m->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        size_t ls = line_start(m, mid);
        int c = m->p[ls] == ' ' ? -1 : cmp_lemma(m, ls, word, wl);
        if (c == 0) return ls;
        if (c < 0) {
            const char *nl = memchr(m->p + mid, '\n', m->n - mid);
            lo = nl ? (size_t)(nl - m->p) + 1 : m->n;
        } else {
            hi = ls;
        }
    }
    return SIZE_MAX;
}

/* Next space-separated field of [*at, end); returns its length (0 at the end). */
static size_t field(const char *p, size_t *at, size_t end, const char **f) {
    while (*at < end && p[*at] == ' ') (*at)++;
    *f = p + *at;
    size_t s = *at;
    while (*at < end && p[*at] != ' ' && p[*at] != '\n') (*at)++;
    return *at - s;
}

static unsigned long num(const char *f, size_t n, int base) {
    char b[24];
    if (n >= sizeof b) return 0;
    memcpy(b, f, n);
    b[n] = '\0';
    return strtoul(b, NULL, base);
}

/* Calls fn with every one-word lemma of the synset at offset off of data file d. */
static void synset_words(const mapped *d, unsigned long off, const char *self, size_t sl,
                         yaa_rag__term_fn fn, void *ud) {
    if (off >= d->n) return;
    const char *nl = memchr(d->p + off, '\n', d->n - off);
    size_t end = nl ? (size_t)(nl - d->p) : d->n, at = off;
    const char *f;
    size_t n;
    /* synset_offset lex_filenum ss_type w_cnt (hex) then w_cnt x (word lex_id) */
    for (int i = 0; i < 3; i++)
        if (!field(d->p, &at, end, &f)) return;
    if (!(n = field(d->p, &at, end, &f))) return;
    unsigned long words = num(f, n, 16);
    for (unsigned long w = 0; w < words; w++) {
        if (!(n = field(d->p, &at, end, &f))) return;
        const char *lemma = f;
        size_t ln = n;
        if (!field(d->p, &at, end, &f)) return; /* lex_id */
        /* Adjectives may carry a marker such as "(p)"; phrases ("shut_out") are skipped. */
        const char *paren = memchr(lemma, '(', ln);
        if (paren) ln = (size_t)(paren - lemma);
        if (!ln || ln > MAX_LEMMA || memchr(lemma, '_', ln) ||
            (ln == sl && !memcmp(lemma, self, sl)))
            continue;
        char word[MAX_LEMMA + 1];
        memcpy(word, lemma, ln);
        word[ln] = '\0';
        for (size_t i = 0; i < ln; i++)
            if (word[i] >= 'A' && word[i] <= 'Z') word[i] = (char)(word[i] - 'A' + 'a');
        fn(ud, word, ln);
    }
}

/* The synonyms of word as part of speech p: of its most common senses. Returns whether
 * WordNet has the word as that part of speech. */
static int lemma_synonyms(int p, const char *w, size_t wl, yaa_rag__term_fn fn, void *ud) {
    if (!idx[p].p || !dat[p].p) return 0;
    size_t ls = find_lemma(&idx[p], w, wl);
    if (ls == SIZE_MAX) return 0;
    const char *nl = memchr(idx[p].p + ls, '\n', idx[p].n - ls);
    size_t end = nl ? (size_t)(nl - idx[p].p) : idx[p].n, at = ls;
    const char *f;
    size_t n;
    /* lemma pos synset_cnt p_cnt [ptr_symbol x p_cnt] sense_cnt tagsense_cnt offsets */
    field(idx[p].p, &at, end, &f);
    field(idx[p].p, &at, end, &f);
    if (!(n = field(idx[p].p, &at, end, &f))) return 1;
    unsigned long synsets = num(f, n, 10);
    if (!(n = field(idx[p].p, &at, end, &f))) return 1;
    unsigned long ptrs = num(f, n, 10);
    for (unsigned long i = 0; i < ptrs + 2; i++) field(idx[p].p, &at, end, &f);
    for (unsigned long s = 0; s < synsets && s < SENSES; s++) {
        if (!(n = field(idx[p].p, &at, end, &f))) break;
        synset_words(&dat[p], num(f, n, 10), w, wl, fn, ud);
    }
    return 1;
}

void yaa_rag__en_synonyms(const char *word, size_t n, yaa_rag__term_fn fn, void *ud) {
    pthread_once(&once, open_all);
    if (n < 3 || n > MAX_LEMMA) return;
    /* WordNet lists base forms: per part of speech, the word itself, else the word without a
     * regular inflection ("gadgets" -> gadget, "closed" -> close as a verb while "closed" is
     * also an adjective, "stories" -> story, "cooking" -> cook). */
    static const struct {
        const char *suffix, *base;
        int verb_only;
    } rules[] = {{"ies", "y", 0}, {"es", "", 0},  {"s", "", 0},   {"ed", "", 1},
                 {"ed", "e", 1},  {"ing", "", 1}, {"ing", "e", 1}};
    char base[MAX_LEMMA + 2];
    for (int p = 0; p < NPOS; p++) {
        if (lemma_synonyms(p, word, n, fn, ud) || p > 1) continue; /* nouns and verbs inflect */
        for (size_t r = 0; r < sizeof rules / sizeof rules[0]; r++) {
            size_t sl = strlen(rules[r].suffix), bl = strlen(rules[r].base);
            if ((rules[r].verb_only && p != 1) || n <= sl + 2 ||
                memcmp(word + n - sl, rules[r].suffix, sl) != 0)
                continue;
            memcpy(base, word, n - sl);
            memcpy(base + n - sl, rules[r].base, bl);
            if (lemma_synonyms(p, base, n - sl + bl, fn, ud)) break;
        }
    }
}
