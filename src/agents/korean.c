/* korean.c - batchim detection over UTF-8 for particle choice. */
#include "agents/korean.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>

/* Decodes the last code point of s (ignoring trailing spaces and punctuation). */
static uint32_t last_letter(const char *s) {
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    while (n > 0) {
        size_t start = n - 1;
        while (start > 0 && (p[start] & 0xC0) == 0x80) start--;
        uint32_t cp;
        unsigned char c = p[start];
        if (c < 0x80) {
            cp = c;
        } else if ((c & 0xE0) == 0xC0 && n - start >= 2) {
            cp = ((uint32_t)(c & 0x1F) << 6) | (p[start + 1] & 0x3F);
        } else if ((c & 0xF0) == 0xE0 && n - start >= 3) {
            cp = ((uint32_t)(c & 0x0F) << 12) | ((uint32_t)(p[start + 1] & 0x3F) << 6) |
                 (p[start + 2] & 0x3F);
        } else if (n - start >= 4) {
            cp = ((uint32_t)(c & 0x07) << 18) | ((uint32_t)(p[start + 1] & 0x3F) << 12) |
                 ((uint32_t)(p[start + 2] & 0x3F) << 6) | (p[start + 3] & 0x3F);
        } else {
            cp = 0;
        }
        if (cp < 0x80 && (isspace((int)cp) || ispunct((int)cp))) {
            n = start;
            continue;
        }
        return cp;
    }
    return 0;
}

bool yaa_agents_ko_has_batchim(const char *word) {
    uint32_t cp = last_letter(word);
    if (cp >= 0xAC00 && cp <= 0xD7A3) return (cp - 0xAC00) % 28 != 0;
    if (cp >= '0' && cp <= '9') return strchr("013678", (int)cp) != NULL;
    if (cp < 0x80 && isalpha((int)cp)) {
        int c = tolower((int)cp);
        size_t n = strlen(word);
        /* A silent final e after a consonant is read with that consonant: iPhone (아이폰이),
         * Google (구글이). */
        if (c == 'e' && n >= 2 && isalpha((unsigned char)word[n - 2]) &&
            !strchr("aeiouy", tolower((unsigned char)word[n - 2])))
            return true;
        /* Otherwise words read ending in a vowel sound: ...a, ...i, ...o, ...u, ...y, ...r. */
        return !strchr("aeiouyrw", c);
    }
    return false;
}

const char *yaa_agents_ko_josa(const char *word, const char *with_batchim, const char *without) {
    return yaa_agents_ko_has_batchim(word) ? with_batchim : without;
}
