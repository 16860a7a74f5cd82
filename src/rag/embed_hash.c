/* embed_hash.c - the built-in offline embedder: normalised text, word unigrams and character
 * n-grams (2-3 within Hangul words, 3-4 with boundary marks within Latin words), signed
 * feature hashing into dim buckets, L2 normalisation. Works for Korean and English with no
 * model and no network; deterministic, so an index built anywhere matches queries anywhere. */
#include "rag/rag.h"
#include "rag/rag_internal.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#define WORD_MAX 64 /* code points kept per word */

static const char *const stopwords[] = {
    "a",     "an",   "the",  "and",  "or",    "of",    "to",    "in",   "on",    "for",
    "with",  "is",   "are",  "was",  "were",  "be",    "been",  "what", "how",   "which",
    "who",   "whom", "this", "that", "these", "those", "it",    "its",  "i",     "we",
    "you",   "they", "our",  "your", "their", "my",    "me",    "can",  "could", "would",
    "about", "from", "by",   "as",   "at",    "into",  "there", "when", "where", "why",
    "any",   "some", "does", "did",  "has",   "have",  "had",   "will", "shall", "s",
    "tell",  "give", "them", "than", "then",  "so",    "if",    "us",
};

static uint64_t mix64(uint64_t x) {
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

static uint64_t hash_cps(uint32_t kind, const uint32_t *cp, size_t n) {
    uint64_t h = 1469598103934665603ULL ^ kind;
    for (size_t i = 0; i < n; i++) {
        h ^= cp[i];
        h *= 1099511628211ULL;
    }
    return mix64(h);
}

static void add_feature(float *out, int dim, uint64_t h, float w) {
    size_t idx = (size_t)(h % (uint64_t)dim);
    out[idx] += (h >> 63) ? -w : w;
}

/* Decodes one UTF-8 code point; invalid bytes decode as U+FFFD and advance by one. */
static uint32_t next_cp(const unsigned char **pp) {
    const unsigned char *p = *pp;
    uint32_t c = p[0];
    int n = 0;
    if (c < 0x80)
        n = 1;
    else if ((c & 0xE0) == 0xC0 && (p[1] & 0xC0) == 0x80)
        n = 2, c = ((c & 0x1F) << 6) | (p[1] & 0x3F);
    else if ((c & 0xF0) == 0xE0 && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80)
        n = 3, c = ((c & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
    else if ((c & 0xF8) == 0xF0 && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80 &&
             (p[3] & 0xC0) == 0x80)
        n = 4, c = ((c & 0x07) << 18) | ((uint32_t)(p[1] & 0x3F) << 12) |
                   ((uint32_t)(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
    else
        n = 1, c = 0xFFFD;
    *pp = p + n;
    return c;
}

int yaa_rag__is_hangul(uint32_t c) { return c >= 0xAC00 && c <= 0xD7A3; }

/* Folds case and width; 0 means "separator", 1 means "drop" (apostrophes inside words). */
static uint32_t fold(uint32_t c) {
    if (c >= 0xFF01 && c <= 0xFF5E) c = c - 0xFF01 + 0x21; /* full-width ASCII */
    if (c == '\'' || c == 0x2019) return 1;
    if (c < 0x80) {
        if (c >= 'A' && c <= 'Z') return c + 32;
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '#') return c;
        return 0;
    }
    if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 32; /* Latin-1 capitals */
    if (c >= 0xDF && c <= 0x24F && c != 0xF7) return c;     /* Latin letters */
    if (c >= 0x0391 && c <= 0x03A9) return c + 32;          /* Greek capitals */
    if (c >= 0x0410 && c <= 0x042F) return c + 32;          /* Cyrillic capitals */
    if ((c >= 0x03B1 && c <= 0x03C9) || (c >= 0x0430 && c <= 0x045F)) return c;
    if (yaa_rag__is_hangul(c) || (c >= 0x1100 && c <= 0x11FF) || (c >= 0x3131 && c <= 0x318E))
        return c;
    if ((c >= 0x3040 && c <= 0x30FF) || (c >= 0x4E00 && c <= 0x9FFF)) return c; /* kana, CJK */
    return 0;
}

/* Korean question and function words; they also count with a particle attached. */
static const char *const ko_stopwords[] = {
    "어떻게", "어떤",   "무엇", "뭐",     "뭐야", "뭔가요", "왜",   "언제",   "어디", "누구",
    "누가",   "얼마나", "어느", "하나요", "해야", "하는",   "하지", "있나요", "있어", "되나요",
    "되나",   "될까",   "돼",   "대해",   "대한", "관련",   "이",   "그",     "저",   "것",
    "수",     "좀",     "우리", "이거",   "거",   "때",     "등",   "및",     "또는", "그리고",
    "해",     "인가요", "인가", "나요",   "까",   "하나",   "해?",  "말",     "있는", "하고",
};
static const char *const ko_particles[] = {
    "은", "는", "이", "가", "을",   "를",   "의",   "에",   "에서", "으로", "로",
    "도", "과", "와", "만", "까지", "부터", "에게", "한테", "이야", "야",   "요",
};

static int in_list(const char *const *list, size_t n, const char *s, size_t len) {
    for (size_t i = 0; i < n; i++)
        if (strlen(list[i]) == len && memcmp(list[i], s, len) == 0) return 1;
    return 0;
}

int yaa_rag__is_stopword(const uint32_t *w, size_t n) {
    char s[16];
    if (n == 0) return 1;
    if (w[0] < 0x80) {
        if (n >= sizeof s) return 0;
        for (size_t i = 0; i < n; i++) {
            if (w[i] >= 0x80) return 0;
            s[i] = (char)w[i];
        }
        s[n] = '\0';
        for (size_t i = 0; i < sizeof stopwords / sizeof stopwords[0]; i++)
            if (strcmp(stopwords[i], s) == 0) return 1;
        return 0;
    }
    if (!yaa_rag__is_hangul(w[0]) || n > 5) return 0;
    char u[5 * 4 + 1];
    size_t off[6], len = 0;
    for (size_t i = 0; i < n; i++) {
        off[i] = len;
        len += yaa_rag__utf8(w[i], u + len);
    }
    off[n] = len;
    const size_t nko = sizeof ko_stopwords / sizeof ko_stopwords[0];
    const size_t npa = sizeof ko_particles / sizeof ko_particles[0];
    if (in_list(ko_stopwords, nko, u, len)) return 1;
    /* stem + particle of one or two syllables */
    for (size_t cut = 1; cut <= 2 && cut < n; cut++)
        if (in_list(ko_particles, npa, u + off[n - cut], len - off[n - cut]) &&
            in_list(ko_stopwords, nko, u, off[n - cut]))
            return 1;
    return 0;
}

/* Feature weights (tuned on tests/data/rag-eval.jsonl, see docs/RAG.md): a whole word
 * counts 1; Hangul syllable n-grams 0.8 each, the two-syllable word start 0.6; the Latin
 * 3/4-grams of a word share a total energy of 1 with the word itself. */
#define W_WORD 1.0f
#define W_KO_GRAM 0.8f
#define W_KO_STEM 0.6f
#define W_LATIN 1.0f
static void word_features(const uint32_t *w, size_t n, float *out, int dim) {
    if (n == 0 || yaa_rag__is_stopword(w, n)) return;
    add_feature(out, dim, hash_cps(1, w, n), W_WORD);
    size_t hangul = 0;
    for (size_t i = 0; i < n; i++) hangul += yaa_rag__is_hangul(w[i]) ? 1 : 0;
    if (hangul * 2 >= n) {
        /* Korean: syllable 2- and 3-grams; a particle or ending changes only the tail. */
        for (size_t g = 2; g <= 3; g++)
            for (size_t i = 0; i + g <= n; i++)
                add_feature(out, dim, hash_cps(2, w + i, g), W_KO_GRAM);
        if (n >= 2) add_feature(out, dim, hash_cps(4, w, 2), W_KO_STEM); /* stem start */
        return;
    }
    if (n < 3) return;
    /* Latin and others: 3- and 4-grams of "<word>". */
    uint32_t b[WORD_MAX + 2];
    b[0] = '<';
    memcpy(b + 1, w, n * sizeof *w);
    b[n + 1] = '>';
    size_t m = n + 2, count = 0;
    for (size_t g = 3; g <= 4; g++) count += m >= g ? m - g + 1 : 0;
    float wgt = W_LATIN / sqrtf((float)count);
    for (size_t g = 3; g <= 4; g++)
        for (size_t i = 0; i + g <= m; i++) add_feature(out, dim, hash_cps(3, b + i, g), wgt);
}

/* Composes conjoining jamo L V (T) into a precomposed syllable (the Hangul part of NFC). */
static size_t compose_hangul(uint32_t *cp, size_t n) {
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t c = cp[i];
        if (c >= 0x1100 && c <= 0x1112 && i + 1 < n && cp[i + 1] >= 0x1161 && cp[i + 1] <= 0x1175) {
            uint32_t s = 0xAC00 + ((c - 0x1100) * 21 + (cp[i + 1] - 0x1161)) * 28;
            i++;
            if (i + 1 < n && cp[i + 1] >= 0x11A8 && cp[i + 1] <= 0x11C2) s += cp[++i] - 0x11A7;
            cp[o++] = s;
        } else {
            cp[o++] = c;
        }
    }
    return o;
}

typedef struct {
    float *out;
    int dim;
} embed_ud;

static void on_word(void *ud, const uint32_t *cp, size_t n) {
    embed_ud *e = ud;
    word_features(cp, n, e->out, e->dim);
}

void yaa_rag__each_word(const char *text, yaa_rag__word_fn fn, void *ud) {
    const unsigned char *p = (const unsigned char *)(text ? text : "");
    uint32_t w[WORD_MAX * 2];
    size_t n = 0;
    for (;;) {
        uint32_t c = *p ? next_cp(&p) : 0;
        uint32_t f = c ? fold(c) : 0;
        if (f == 1) continue;
        if (f) {
            if (n < WORD_MAX * 2) w[n++] = f;
            continue;
        }
        if (n) {
            size_t m = compose_hangul(w, n);
            fn(ud, w, m > WORD_MAX ? WORD_MAX : m);
            n = 0;
        }
        if (!c) break;
    }
}

size_t yaa_rag__utf8(uint32_t c, char *o) {
    if (c < 0x80) {
        o[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        o[0] = (char)(0xC0 | (c >> 6));
        o[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        o[0] = (char)(0xE0 | (c >> 12));
        o[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        o[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (c >> 18));
    o[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    o[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

void yaa_rag_hash_embed(const char *text, float *out, int dim) {
    memset(out, 0, (size_t)dim * sizeof *out);
    embed_ud e = {out, dim};
    yaa_rag__each_word(text, on_word, &e);
    double ss = 0;
    for (int i = 0; i < dim; i++) ss += (double)out[i] * out[i];
    if (ss > 0) {
        float inv = (float)(1.0 / sqrt(ss));
        for (int i = 0; i < dim; i++) out[i] *= inv;
    }
}
