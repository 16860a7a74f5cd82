/* analyze.c - lexical analysis for the in-memory BM25 index: text becomes the terms a person
 * means, in Korean and English alike.
 *
 * Korean is agglutinative: a noun carries its particle ("배터리가", "배터리는", "배터리에서도")
 * and a verb its ending ("측정한", "측정하지", "측정했습니다"), so the surface word rarely
 * repeats between a question and its answer. A small rule set strips them: particles (josa)
 * and verbal endings (eomi, with the 하다/되다 forms that make most Sino-Korean verbs), the
 * longest match first, at most three times a word. A one-syllable suffix is only taken from
 * a word that keeps two syllables, so short nouns ("화면", "광고", "길이") stay whole; a wrong
 * cut is harmless as long as it is the same cut on both sides. Stems of two or more
 * syllables also yield their syllable bigrams as separate, lighter terms (marked with a
 * leading YAA_RAG__GRAM byte, weighted YAA_RAG__GRAM_WEIGHT in BM25), so a compound written as
 * one word ("노이즈캔슬링") meets the same words written apart, and "시청" meets "시청자".
 *
 * English words get a light suffix stemmer (plural -s/-es/-ies, -ing, -ed, -ly), enough that
 * "measured", "measuring" and "measures" meet. Function words of both languages are dropped. */
#include "rag/rag.h"
#include "rag/rag_internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Suffixes stripped from Hangul words, in UTF-8. Particles first, then endings; the order
 * does not matter (the longest match wins). */
static const char *const ko_suffixes[] = {
    /* particles (josa) and their common stacks */
    "은",
    "는",
    "이",
    "가",
    "을",
    "를",
    "의",
    "에",
    "에서",
    "에게",
    "에게서",
    "께",
    "께서",
    "한테",
    "한테서",
    "로",
    "으로",
    "로서",
    "으로서",
    "로써",
    "으로써",
    "와",
    "과",
    "도",
    "만",
    "까지",
    "부터",
    "보다",
    "처럼",
    "마다",
    "이나",
    "나",
    "이랑",
    "랑",
    "에는",
    "에서는",
    "으로는",
    "로는",
    "에도",
    "에서도",
    "으로도",
    "로도",
    "와는",
    "과는",
    "이라도",
    "라도",
    "이라는",
    "라는",
    "이란",
    "란",
    "이든",
    "든",
    "이든지",
    "든지",
    "조차",
    "마저",
    "밖에",
    "만큼",
    "대로",
    "뿐",
    "들",
    "이다",
    "입니다",
    "이에요",
    "예요",
    "이야",
    "이고",
    "이며",
    "인",
    "인데",
    "인지",
    "인가요",
    "인가",
    "이죠",
    "야",
    "요",
    /* 하다 / 되다 / 시키다 forms (a Sino-Korean noun + 하다 is most verbs of a brand guide) */
    "하다",
    "한다",
    "합니다",
    "했다",
    "했습니다",
    "하는",
    "하고",
    "하지",
    "하게",
    "해서",
    "해야",
    "하면",
    "하며",
    "할",
    "한",
    "함",
    "했던",
    "하던",
    "해요",
    "했어요",
    "하기",
    "하여",
    "해",
    "했",
    "하려면",
    "하려고",
    "하도록",
    "하세요",
    "하죠",
    "하나요",
    "할까",
    "할까요",
    "합시다",
    "하지만",
    "한데",
    "하는데",
    "했는데",
    "하니까",
    "하므로",
    "되다",
    "된다",
    "됩니다",
    "되는",
    "되고",
    "되지",
    "되게",
    "돼",
    "돼요",
    "되어",
    "된",
    "될",
    "됨",
    "됐다",
    "됐",
    "되면",
    "되나요",
    "되어야",
    "돼야",
    "시키다",
    "시키는",
    "시킨",
    "시켜",
    "적인",
    "적으로",
    "스러운",
    "스럽게",
    "롭게",
    "로운",
    /* endings on other verb and adjective stems */
    "다",
    "는다",
    "습니다",
    "니다",
    "었다",
    "았다",
    "였다",
    "었습니다",
    "았습니다",
    "어요",
    "아요",
    "고",
    "지",
    "게",
    "던",
    "으면",
    "다면",
    "어서",
    "아서",
    "도록",
    "려면",
    "으려면",
    "려고",
    "으려고",
    "며",
    "으며",
    "지만",
    "는데",
    "은데",
    "니까",
    "으니까",
    "세요",
    "으세요",
    "어야",
    "아야",
    "겠다",
    "겠습니다",
    "죠",
    "지요",
    "나요",
    "까요",
    "을까",
    "을까요",
    "는지",
    "은지",
    "지는",
    "지도",
    "지를",
    "기를",
    "기는",
    "기도",
    "기에",
    "음을",
    "않는",
    "않은",
    "않고",
    "않게",
    "않다",
    "않습니다",
    "않아요",
    "없이",
    "없는",
    "있는",
    "있게",
    "있다",
    "있습니다",
    "있어요",
};

#define SUFFIX_ROUNDS 3

static size_t syllables(const uint32_t *w, size_t n) {
    size_t s = 0;
    for (size_t i = 0; i < n; i++) s += yaa_rag__is_hangul(w[i]) ? 1 : 0;
    return s;
}

#define NSUFFIX (sizeof ko_suffixes / sizeof ko_suffixes[0])
#define SUFFIX_MAX 5 /* syllables */

/* The suffixes as code points, decoded once. */
static struct {
    uint32_t cp[SUFFIX_MAX];
    size_t n;
} suffix_cp[NSUFFIX];
static pthread_once_t suffix_once = PTHREAD_ONCE_INIT;

static void decode_suffixes(void) {
    for (size_t i = 0; i < NSUFFIX; i++) {
        const unsigned char *p = (const unsigned char *)ko_suffixes[i];
        size_t n = 0;
        /* Every entry is Hangul syllables: three UTF-8 bytes each. */
        while (*p && n < SUFFIX_MAX) {
            suffix_cp[i].cp[n++] =
                ((uint32_t)(p[0] & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
            p += 3;
        }
        suffix_cp[i].n = n;
    }
}

size_t yaa_rag__ko_stem(const uint32_t *w, size_t n) {
    if (n == 0 || syllables(w, n) != n) return n; /* mixed words are left alone */
    pthread_once(&suffix_once, decode_suffixes);
    for (int round = 0; round < SUFFIX_ROUNDS; round++) {
        size_t best = 0;
        for (size_t i = 0; i < NSUFFIX; i++) {
            size_t m = suffix_cp[i].n;
            if (m >= n || m <= best || suffix_cp[i].cp[m - 1] != w[n - 1]) continue;
            /* A one-syllable suffix only from a word that keeps two syllables. */
            if (m == 1 && n - m < 2) continue;
            if (memcmp(w + n - m, suffix_cp[i].cp, m * sizeof *w) == 0) best = m;
        }
        if (!best) break;
        n -= best;
    }
    return n;
}

static int ends_with(const char *w, size_t n, const char *suf) {
    size_t m = strlen(suf);
    return n > m && memcmp(w + n - m, suf, m) == 0;
}

static int is_vowel(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'; }

size_t yaa_rag__en_stem(char *w, size_t n) {
    if (n <= 3) return n;
    if (ends_with(w, n, "ies") && n > 4) {
        w[n - 3] = 'y';
        return n - 2;
    }
    if (ends_with(w, n, "sses")) return n - 2;
    if (ends_with(w, n, "ing") && n > 5) {
        n -= 3;
    } else if (ends_with(w, n, "ed") && n > 4) {
        n -= 2;
    } else if (ends_with(w, n, "ly") && n > 4) {
        return n - 2;
    } else if (w[n - 1] == 's' && w[n - 2] != 's' && w[n - 2] != 'u' && w[n - 2] != 'i') {
        return n - 1;
    } else {
        return n;
    }
    /* After -ing/-ed: "running" -> "run", "measured" -> "measur" (as "measure" -> below). */
    if (n >= 3 && w[n - 1] == w[n - 2] && !is_vowel(w[n - 1]) && w[n - 1] != 'l' && w[n - 1] != 's')
        n--;
    return n;
}

/* Code points of a UTF-8 string (at most max); 0 if it holds anything but 3-byte sequences
 * (the dictionary answers in Hangul syllables). */
static size_t decode_utf8(const char *s, uint32_t *cp, size_t max) {
    const unsigned char *p = (const unsigned char *)s;
    size_t n = 0;
    while (*p && n < max) {
        if ((p[0] & 0xF0) != 0xE0 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80) return 0;
        cp[n++] = ((uint32_t)(p[0] & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
        p += 3;
    }
    return *p ? 0 : n;
}

/* 은 는 을 를 에 의 로 와 과 도 만 이 가 */
static int is_case_particle(uint32_t c) {
    static const uint32_t p[] = {0xC740, 0xB294, 0xC744, 0xB97C, 0xC5D0, 0xC758, 0xB85C,
                                 0xC640, 0xACFC, 0xB3C4, 0xB9CC, 0xC774, 0xAC00};
    for (size_t i = 0; i < sizeof p / sizeof p[0]; i++)
        if (p[i] == c) return 1;
    return 0;
}

typedef struct {
    yaa_rag__term_fn fn;
    void *ud;
} analyze_ud;

static void emit_cps(analyze_ud *a, const uint32_t *cp, size_t n, int gram) {
    char buf[64 * 4 + 2];
    size_t len = 0;
    if (gram) buf[len++] = YAA_RAG__GRAM;
    for (size_t i = 0; i < n; i++) len += yaa_rag__utf8(cp[i], buf + len);
    buf[len] = '\0';
    if (len) a->fn(a->ud, buf, len);
}

/* Modal and auxiliary verbs frame a question ("should we", "must I", "do you") and say
 * nothing about its subject; the lexical index drops them as well as the common stop words. */
static int is_modal(const uint32_t *w, size_t n) {
    static const char *const modal[] = {"should", "must", "may", "might", "do", "shall", "need"};
    for (size_t i = 0; i < sizeof modal / sizeof modal[0]; i++) {
        size_t len = strlen(modal[i]), j = 0;
        if (len != n) continue;
        while (j < n && w[j] == (unsigned char)modal[i][j]) j++;
        if (j == n) return 1;
    }
    return 0;
}

/* A Hangul stem (the first m of the word's n syllables) and its syllable bigrams. */
static void emit_stem(analyze_ud *a, const uint32_t *cp, size_t n, size_t m) {
    if (yaa_rag__is_stopword(cp, m)) return;
    emit_cps(a, cp, m, 0);
    /* A two-syllable word ending in a case particle also stands for its one-syllable
     * noun ("색을" -> "색", "끝에" -> "끝"); "가을" -> "가" as well, which costs little. */
    if (m == 2 && n == 2 && is_case_particle(cp[1])) emit_cps(a, cp, 1, 0);
    if (m >= 2)
        for (size_t i = 0; i + 2 <= m; i++) emit_cps(a, cp + i, 2, 1);
}

static void on_word(void *ud, const uint32_t *cp, size_t n) {
    analyze_ud *a = ud;
    if (yaa_rag__is_stopword(cp, n) || is_modal(cp, n)) return;
    if (yaa_rag__is_hangul(cp[0])) {
        /* Every reading the dictionary has of the word, else the rules' stem. */
        char word[64 * 4 + 1], stems[256];
        size_t wl = 0;
        for (size_t i = 0; i < n; i++) wl += yaa_rag__utf8(cp[i], word + wl);
        word[wl] = '\0';
        if (yaa_rag__ko_dict_stem(word, stems, sizeof stems)) {
            for (char *p = stems, *tab; p; p = tab ? tab + 1 : NULL) {
                if ((tab = strchr(p, '\t'))) *tab = '\0';
                uint32_t scp[64];
                size_t m = decode_utf8(p, scp, 64);
                if (m) emit_stem(a, scp, m, m);
            }
            return;
        }
        emit_stem(a, cp, n, yaa_rag__ko_stem(cp, n));
        return;
    }
    char buf[64 * 4 + 1];
    size_t len = 0;
    int ascii = 1;
    for (size_t i = 0; i < n; i++) {
        if (cp[i] == '#') continue;
        ascii &= cp[i] < 0x80;
        len += yaa_rag__utf8(cp[i], buf + len);
    }
    if (!len) return;
    if (ascii) {
        /* English stems; an all-digit word ("2026", "10") is a term as it is. */
        size_t digits = 0;
        while (digits < len && buf[digits] >= '0' && buf[digits] <= '9') digits++;
        if (digits < len) {
            /* British and American spellings meet: colour/color, centre/center. */
            if (len > 5 && ends_with(buf, len, "our")) {
                buf[len - 2] = 'r';
                len--;
            } else if (len > 4 && ends_with(buf, len, "tre")) {
                buf[len - 2] = 'e';
                buf[len - 1] = 'r';
            }
            len = yaa_rag__en_stem(buf, len);
            if (len > 3 && buf[len - 1] == 'e') len--; /* "measure"/"measured": one stem */
        }
    }
    buf[len] = '\0';
    a->fn(a->ud, buf, len);
}

void yaa_rag__analyze(const char *text, yaa_rag__term_fn fn, void *ud) {
    analyze_ud a = {fn, ud};
    yaa_rag__each_word(text, on_word, &a);
}

static void on_synonym(void *ud, const char *syn, size_t len) {
    (void)len;
    analyze_ud *a = ud;
    yaa_rag__each_word(syn, on_word, a);
}

static void on_question_word(void *ud, const uint32_t *cp, size_t n) {
    if (yaa_rag__is_stopword(cp, n) || is_modal(cp, n) || n > 40) return;
    char w[41];
    for (size_t i = 0; i < n; i++) {
        if (cp[i] < 'a' || cp[i] > 'z') return; /* English words only */
        w[i] = (char)cp[i];
    }
    w[n] = '\0';
    yaa_rag__en_synonyms(w, n, on_synonym, ud);
}

void yaa_rag__analyze_synonyms(const char *text, yaa_rag__term_fn fn, void *ud) {
    analyze_ud a = {fn, ud};
    yaa_rag__each_word(text, on_question_word, &a);
}

/* The analyser's version: bump it when a change to this file or ko_dict.c gives a text other
 * terms, so terms stored by the old analyser are no longer used (they are analysed again at
 * load until `yaa rag index` stores new ones). The last letter says whether the Korean
 * dictionary was there: it changes the terms of Hangul words. */
#define ANALYZER_VERSION "a2"

const char *yaa_rag__terms_tag(void) {
    return yaa_rag__ko_dict_present() ? ANALYZER_VERSION "k" : ANALYZER_VERSION "r";
}

typedef struct {
    yaa_buf *out;
    int rc;
    int any; /* a term was written: the next one needs a space before it */
} terms_ud;

static void on_stored_term(void *ud, const char *term, size_t len) {
    terms_ud *t = ud;
    if (!t->rc && t->any) t->rc = yaa_buf_putc(t->out, ' ');
    if (!t->rc) t->rc = yaa_buf_append(t->out, term, len);
    t->any = 1;
}

int yaa_rag_terms(const char *text, yaa_buf *out) {
    terms_ud t = {out, yaa_buf_puts(out, yaa_rag__terms_tag()), 0};
    if (!t.rc) t.rc = yaa_buf_putc(out, '\t');
    if (!t.rc) yaa_rag__analyze(text, on_stored_term, &t);
    return t.rc;
}
