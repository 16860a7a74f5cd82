/* korean.h - Hangul helpers for writing natural Korean: particles that depend on the
 * final consonant (batchim) of the preceding word. */
#ifndef YAA_AGENTS_KOREAN_H
#define YAA_AGENTS_KOREAN_H

#include <stdbool.h>

/* True if the word's last sound ends in a consonant (Hangul batchim, or a guess for
 * Latin letters and digits as Koreans read them). */
bool yaa_agents_ko_has_batchim(const char *word);
/* Picks the particle form: yaa_agents_ko_josa("브랜드", "은", "는") -> "는". */
const char *yaa_agents_ko_josa(const char *word, const char *with_batchim, const char *without);

#endif
