/* syn_table.c - words creators use for the same thing in video work, in Korean and English:
 * "찍다" for 촬영, "올리다" for 업로드, "돈" for 수익, "스폰서" for 협찬. Korean has no packaged
 * thesaurus (Debian's mythes-* cover about twenty languages, not Korean) and WordNet (en_syn.c)
 * knows English only, so this small table bridges the everyday and the formal word of the
 * domain every channel shares (filming, editing, publishing, sponsorship, audience, money).
 * The words describe the work of making videos, never one channel's subject.
 *
 * A question term in a group brings the other words of the group in the same script as lighter
 * query terms (lexindex.c, YAA_RAG__SYN_WEIGHT), analysed like any text, so inflected forms
 * meet. */
#include "rag/rag_internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static const char *const groups[] = {
    "촬영|찍다|녹화|촬영하다|film|filming|shoot|record",
    "편집|자르다|잘라내다|컷|edit|cut|trim",
    "업로드|올리다|게시|upload|post|publish",
    "시청자|구독자|팬|viewer|subscriber|audience|fan",
    "협찬|광고|스폰서|후원|sponsor|sponsorship|advertiser|ad",
    "수익|돈|매출|수입|벌다|revenue|income|earnings|money",
    "영상|동영상|비디오|에피소드|video|episode|clip",
    "썸네일|섬네일|thumbnail",
    "댓글|코멘트|comment",
    "가격|값|비용|얼마|price|cost",
    "무료|공짜|free",
    "추천|권하다|권장|recommend",
    "사과|정정|바로잡다|correction|correct|apologize",
    "음악|배경음악|브금|music|soundtrack|song",
    "자막|캡션|subtitle|caption",
    "목소리|음성|내레이션|나레이션|voice|narration|voiceover",
    "경쟁자|라이벌|competitor|rival",
    "규칙|원칙|방침|정책|rule|policy|guideline",
    "밤|야간|저녁|night|evening|sunset|dark",
    "아이|어린이|자녀|애들|kid|child|children",
    "무서워하다|겁먹다|놀라다|떨다|scared|afraid|frightened",
    "저작권|라이선스|copyright|license|licence",
    "실수|잘못|오류|mistake|error",
    "출시|발매|공개일|release|launch",
    "장비|도구|기기|공구|gear|equipment|tool|gadget",
    "초보|입문|beginner|newbie|novice",
    "리뷰|후기|review",
};

#define NGROUPS (sizeof groups / sizeof groups[0])
#define MAX_ENTRIES 256

/* Each word's analysed terms, built once: "term term\t" per word, the group it belongs to. */
typedef struct entry {
    char *terms; /* space-separated analysed terms of the word (whole words only) */
    char *first; /* its first term: a question term equal to it selects the group */
    size_t group;
} entry;

static entry entries[MAX_ENTRIES];
static size_t nentries;
static pthread_once_t once = PTHREAD_ONCE_INIT;

typedef struct {
    char buf[256];
    size_t len;
} collect;

static void on_term(void *ud, const char *t, size_t n) {
    collect *c = ud;
    if (t[0] == YAA_RAG__GRAM || c->len + n + 2 > sizeof c->buf) return;
    if (c->len) c->buf[c->len++] = ' ';
    memcpy(c->buf + c->len, t, n);
    c->len += n;
    c->buf[c->len] = '\0';
}

static void build(void) {
    for (size_t g = 0; g < NGROUPS; g++) {
        const char *p = groups[g];
        while (*p && nentries < MAX_ENTRIES) {
            const char *bar = strchr(p, '|');
            size_t n = bar ? (size_t)(bar - p) : strlen(p);
            char *word = strndup(p, n);
            collect c = {{0}, 0};
            if (word) yaa_rag__analyze(word, on_term, &c);
            free(word);
            if (c.len) {
                entry *e = &entries[nentries];
                e->terms = strdup(c.buf);
                const char *sp = strchr(c.buf, ' ');
                e->first = strndup(c.buf, sp ? (size_t)(sp - c.buf) : c.len);
                e->group = g;
                if (e->terms && e->first)
                    nentries++;
                else {
                    free(e->terms);
                    free(e->first);
                }
            }
            p += n + (bar ? 1 : 0);
        }
    }
}

void yaa_rag__table_synonyms(const char *term, size_t n, yaa_rag__term_fn fn, void *ud) {
    pthread_once(&once, build);
    for (size_t i = 0; i < nentries; i++) {
        if (strlen(entries[i].first) != n || memcmp(entries[i].first, term, n) != 0) continue;
        int hangul = (unsigned char)term[0] >= 0x80;
        for (size_t j = 0; j < nentries; j++) {
            /* Same script only: the field meanings already carry both languages, so an English
             * word's Korean group members would count a meaning line twice. */
            if (entries[j].group != entries[i].group || j == i ||
                ((unsigned char)entries[j].first[0] >= 0x80) != hangul)
                continue;
            for (const char *p = entries[j].terms; *p;) {
                const char *sp = strchr(p, ' ');
                size_t len = sp ? (size_t)(sp - p) : strlen(p);
                fn(ud, p, len);
                p += len + (sp ? 1 : 0);
            }
        }
    }
}
