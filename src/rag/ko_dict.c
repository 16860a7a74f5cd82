/* ko_dict.c - Korean stems from Debian's Korean Hunspell dictionary (hunspell-ko), when it
 * is installed: its affix rules know the irregular verbs a suffix list cannot ("알려야" ->
 * 알리다, "도와" -> 돕다) and which endings a noun can take. Hunspell is slow for this use
 * (tens of microseconds a word) and not thread-safe, so every answer is kept in a
 * process-wide memo (bounded; past the bound a word is asked again) behind one mutex.
 *
 * Stems are normalised for search: a trailing 다 and a 하/되 before it go ("측정하다" ->
 * "측정", "알리다" -> "알리"). A word the dictionary does not know gets no stem; the rule set
 * of analyze.c handles it. Without the dictionary (YAA_RAG_KO_DICT unset in the build, or the
 * files missing) every word falls back to the rules. */
#include "rag/rag_internal.h"

#include <hunspell.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DICT_AFF "/usr/share/hunspell/ko_KR.aff"
#define DICT_DIC "/usr/share/hunspell/ko_KR.dic"
#define MEMO_MAX (1u << 18) /* words remembered */

typedef struct memo_entry {
    char *word; /* NULL = empty slot */
    char *stem; /* "" = the dictionary has none */
} memo_entry;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static Hunhandle *hun;
static int tried;
static memo_entry *memo;
static size_t memo_n, memo_cap;

static uint64_t fnv(const char *s) {
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

static int open_dict(void) {
    if (tried) return hun != NULL;
    tried = 1;
    if (access(DICT_AFF, R_OK) || access(DICT_DIC, R_OK)) return 0;
    hun = Hunspell_create(DICT_AFF, DICT_DIC);
    memo_cap = 1024;
    memo = calloc(memo_cap, sizeof *memo);
    if (!memo && hun) {
        Hunspell_destroy(hun);
        hun = NULL;
    }
    return hun != NULL;
}

int yaa_rag__ko_dict_present(void) {
    static int present = -1;
    int p = __atomic_load_n(&present, __ATOMIC_RELAXED);
    if (p < 0) {
        p = !access(DICT_AFF, R_OK) && !access(DICT_DIC, R_OK);
        __atomic_store_n(&present, p, __ATOMIC_RELAXED);
    }
    return p;
}

static memo_entry *memo_find(const char *word) {
    size_t mask = memo_cap - 1;
    for (size_t i = (size_t)fnv(word) & mask;; i = (i + 1) & mask)
        if (!memo[i].word || strcmp(memo[i].word, word) == 0) return &memo[i];
}

static void memo_grow(void) {
    size_t ncap = memo_cap * 2;
    memo_entry *n = calloc(ncap, sizeof *n);
    if (!n) return;
    memo_entry *old = memo;
    size_t ocap = memo_cap;
    memo = n;
    memo_cap = ncap;
    for (size_t i = 0; i < ocap; i++)
        if (old[i].word) *memo_find(old[i].word) = old[i];
    free(old);
}

/* Appends the normalised stem to out ("a\tb" for several readings) unless it is there. */
static void add_reading(char *out, size_t cap, const char *stem) {
    size_t len = strlen(stem);
    /* UTF-8 Hangul syllables are three bytes: drop 다, then a 하/되 before it. */
    if (len >= 6 && memcmp(stem + len - 3, "다", 3) == 0) {
        len -= 3;
        int ha = len >= 6 && memcmp(stem + len - 3, "하", 3) == 0;
        if (ha || (len >= 6 && memcmp(stem + len - 3, "되", 3) == 0)) len -= 3;
        /* A feeling someone shows ("힘들어하다", "귀찮아하다") is the adjective it comes from
         * ("힘들다" -> 힘들), when two syllables stay. */
        if (ha && len >= 9 &&
            (memcmp(stem + len - 3, "어", 3) == 0 || memcmp(stem + len - 3, "아", 3) == 0))
            len -= 3;
    }
    /* The same with 해 ("답답해하는" reads as 답답해, "답답함" as 답답하다 -> 답답); nouns
     * ending in 해 (이해, 피해, 손해) have two syllables and stay whole. */
    if (len >= 9 && memcmp(stem + len - 3, "해", 3) == 0) len -= 3;
    if (!len) return;
    for (const char *p = out; *p;) {
        const char *e = strchr(p, '\t');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n == len && memcmp(p, stem, len) == 0) return;
        p += n + (e ? 1 : 0);
    }
    size_t used = strlen(out);
    if (used + len + 2 > cap) return;
    if (used) out[used++] = '\t';
    memcpy(out + used, stem, len);
    out[used + len] = '\0';
}

/* Every reading the dictionary has of word (at most READINGS), normalised and tab-separated;
 * "" when it has none. A word can be read several ways ("화면" is the noun and 화 + 면,
 * "사면" a noun and 사다 + 면): all are indexed, as the two sides of a match may differ. */
#define READINGS 3
static char *ask(const char *word) {
    char **list = NULL;
    int n = Hunspell_stem(hun, &list, word);
    char out[256] = "";
    for (int i = 0; i < n && i < READINGS; i++)
        if (list[i]) add_reading(out, sizeof out, list[i]);
    if (list) Hunspell_free_list(hun, &list, n);
    return strdup(out);
}

size_t yaa_rag__ko_dict_stem(const char *word, char *out, size_t cap) {
    size_t got = 0;
    pthread_mutex_lock(&mu);
    if (open_dict()) {
        memo_entry *e = memo_find(word);
        char *stem = e->word ? e->stem : NULL;
        char *fresh = NULL;
        if (!stem) stem = fresh = ask(word);
        if (stem && *stem && strlen(stem) < cap) {
            got = strlen(stem);
            memcpy(out, stem, got + 1);
        }
        if (fresh) {
            if (!e->word && memo_n < MEMO_MAX && (e->word = strdup(word))) {
                e->stem = fresh;
                fresh = NULL;
                if (++memo_n * 2 > memo_cap) memo_grow();
            }
            free(fresh);
        }
    }
    pthread_mutex_unlock(&mu);
    return got;
}
