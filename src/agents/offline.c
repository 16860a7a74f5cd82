/* offline.c - the deterministic composer behind LLM_PROVIDER=offline.
 *
 * It writes in the channel's language (Korean or English) from the brand brief alone:
 * no model, no network, same input -> same output. Sentences are templates, but every
 * slot is filled from the brand guide (pain points, content needs, values, CTA) and the
 * retrieved brand context, and any term a dont-rule quotes is kept out of the text. */
#include "agents/offline.h"
#include "media/media.h"

#include "agents/korean.h"
#include "core/buf.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BANNED 32
#define MAX_BODY 4

static bool is_ko(const yaa_brief *b) { return b->language && strcmp(b->language, "ko") == 0; }

static const char *or_default(const char *s, const char *def) { return s && *s ? s : def; }

static const char *brand_of(const yaa_brief *b) {
    return or_default(b->brand_name, or_default(b->channel_name, b->channel_id));
}

/* Quoted segments of the dont-rules: '…', "…", ‘…’, “…”, 「…」. */
size_t yaa_agents_offline_banned_terms(const yaa_brief *b, char out[][64], size_t max) {
    static const char *pairs[][2] = {{"'", "'"},
                                     {"\"", "\""},
                                     {"\xe2\x80\x98", "\xe2\x80\x99"},
                                     {"\xe2\x80\x9c", "\xe2\x80\x9d"},
                                     {"\xe3\x80\x8c", "\xe3\x80\x8d"}};
    size_t n = 0;
    for (size_t r = 0; r < b->dont_rules.n; r++) {
        const char *rule = b->dont_rules.v[r];
        for (size_t k = 0; k < sizeof pairs / sizeof pairs[0]; k++) {
            const char *p = rule;
            size_t ol = strlen(pairs[k][0]), cl = strlen(pairs[k][1]);
            while ((p = strstr(p, pairs[k][0])) != NULL) {
                const char *start = p + ol;
                const char *end = strstr(start, pairs[k][1]);
                if (!end) break;
                size_t len = (size_t)(end - start);
                if (len > 0 && len < 64 && n < max) {
                    memcpy(out[n], start, len);
                    out[n][len] = '\0';
                    n++;
                }
                p = end + cl;
            }
        }
    }
    return n;
}

typedef struct {
    char terms[MAX_BANNED][64];
    size_t n;
} banned_set;

static bool mentions_banned(const banned_set *bs, const char *text) {
    for (size_t i = 0; i < bs->n; i++)
        if (text && strstr(text, bs->terms[i])) return true;
    return false;
}

/* Removes every banned term from text in place (the last guard, after item filtering). */
static void strip_banned(const banned_set *bs, char *text) {
    for (size_t i = 0; i < bs->n; i++) {
        size_t tl = strlen(bs->terms[i]);
        char *p;
        while ((p = strstr(text, bs->terms[i])) != NULL) memmove(p, p + tl, strlen(p + tl) + 1);
    }
}

/* The k-th item of list that does not mention a banned term, cycling; NULL if none. */
static const char *pick(const yaa_brief_list *l, size_t k, const banned_set *bs) {
    size_t ok = 0;
    for (size_t i = 0; i < l->n; i++)
        if (!mentions_banned(bs, l->v[i])) ok++;
    if (ok == 0) return NULL;
    size_t want = k % ok;
    for (size_t i = 0; i < l->n; i++) {
        if (mentions_banned(bs, l->v[i])) continue;
        if (want-- == 0) return l->v[i];
    }
    return NULL;
}

/* First sentence of text, at most max bytes, cut on a UTF-8 boundary. */
static void first_sentence(const char *text, char *out, size_t max) {
    size_t n = 0;
    while (text[n] && text[n] != '\n') {
        if ((text[n] == '.' || text[n] == '!' || text[n] == '?') &&
            (text[n + 1] == ' ' || text[n + 1] == '\0' || text[n + 1] == '\n')) {
            n++;
            break;
        }
        n++;
    }
    if (n >= max) n = yaa_utf8_prefix(text, max - 1);
    memcpy(out, text, n);
    out[n] = '\0';
    yaa_str_trim(out);
}

/* Trailing sentence punctuation off a list item, so it reads inside a sentence. */
static void as_phrase(const char *item, char *out, size_t max) {
    snprintf(out, max, "%s", item);
    yaa_str_trim(out);
    size_t n = strlen(out);
    while (n && (out[n - 1] == '.' || out[n - 1] == '!' || out[n - 1] == '?')) out[--n] = '\0';
}

static void lower_first_ascii(char *s) {
    if (s[0] && isupper((unsigned char)s[0]) && !(s[1] && isupper((unsigned char)s[1])))
        s[0] = (char)tolower((unsigned char)s[0]);
}

double yaa_agents_estimate_speech_seconds(const char *text, const char *language) {
    /* Measured on the local espeak-ng voices at rate 1.0: about 6.5 Hangul syllables or
     * 14 Latin characters a second. The real figure comes from the synthesized audio. */
    double per_sec = language && strcmp(language, "ko") == 0 ? 6.5 : 14.0;
    double s = (double)yaa_utf8_len(text) / per_sec;
    return s < 1.0 ? 1.0 : s;
}

const char *yaa_agents_youtube_category_id(const char *category) {
    static const struct {
        const char *key;
        const char *id;
    } map[] = {{"tech", "28"},   {"science", "28"}, {"gadget", "28"},    {"cook", "26"},
               {"food", "26"},   {"howto", "26"},   {"style", "26"},     {"beauty", "26"},
               {"educat", "27"}, {"game", "20"},    {"gaming", "20"},    {"music", "10"},
               {"sport", "17"},  {"travel", "19"},  {"news", "25"},      {"politic", "25"},
               {"comedy", "23"}, {"film", "1"},     {"auto", "2"},       {"car", "2"},
               {"pet", "15"},    {"animal", "15"},  {"entertain", "24"}, {"nonprofit", "29"}};
    if (!category) return "22";
    char low[64];
    size_t i = 0;
    for (; i < sizeof low - 1 && category[i]; i++)
        low[i] = (char)tolower((unsigned char)category[i]);
    low[i] = '\0';
    for (size_t k = 0; k < sizeof map / sizeof map[0]; k++)
        if (strstr(low, map[k].key)) return map[k].id;
    return "22";
}

static void load_banned(const yaa_brief *b, banned_set *bs) {
    bs->n = yaa_agents_offline_banned_terms(b, bs->terms, MAX_BANNED);
}

json_t *yaa_agents_offline_research(const yaa_brief *b) {
    banned_set bs;
    load_banned(b, &bs);
    bool ko = is_ko(b);
    const char *brand = brand_of(b);
    yaa_buf s;
    yaa_buf_init(&s, 1 << 16);
    if (ko) {
        yaa_buf_printf(&s, "%s%s ", brand, yaa_agents_ko_josa(brand, "은", "는"));
        if (b->tagline && *b->tagline)
            yaa_buf_printf(&s, "'%s'라는 약속을 내건 채널입니다. ", b->tagline);
        if (b->positioning && *b->positioning) yaa_buf_printf(&s, "%s", b->positioning);
    } else {
        yaa_buf_printf(&s, "%s", brand);
        if (b->tagline && *b->tagline) yaa_buf_printf(&s, " (\"%s\")", b->tagline);
        yaa_buf_puts(&s, ". ");
        if (b->positioning && *b->positioning) yaa_buf_printf(&s, "%s", b->positioning);
    }
    json_t *r = json_object();
    json_object_set_new(r, "provider", json_string("offline"));
    json_object_set_new(r, "topic", json_string(or_default(b->topic, "")));
    json_object_set_new(r, "brand_summary",
                        json_string(yaa_str_trim(s.data ? s.data : (char[]){""})));
    json_object_set_new(r, "audience", json_string(or_default(b->audience, "")));

    json_t *pains = json_array();
    for (size_t i = 0; i < b->pain_points.n; i++)
        json_array_append_new(pains, json_string(b->pain_points.v[i]));
    json_object_set_new(r, "pain_points", pains);

    json_t *angles = json_array();
    size_t nang = b->content_needs.n ? b->content_needs.n : b->pain_points.n;
    for (size_t i = 0; i < nang && i < 5; i++) {
        const char *need = pick(&b->content_needs, i, &bs);
        const char *pain = pick(&b->pain_points, i, &bs);
        char np[256] = "", pp[256] = "";
        if (need) as_phrase(need, np, sizeof np);
        if (pain) as_phrase(pain, pp, sizeof pp);
        yaa_buf_reset(&s);
        if (ko)
            yaa_buf_printf(&s, "%s 관점에서 본 %s%s%s%s", *np ? np : pp, b->topic,
                           *pp ? " — '" : "", pp, *pp ? "' 고민에 답하기" : "");
        else
            yaa_buf_printf(&s, "%s through the lens of %s%s%s", b->topic, *np ? np : pp,
                           *pp ? ", answering: " : "", pp);
        json_array_append_new(angles, json_string(yaa_buf_cstr(&s)));
    }
    json_object_set_new(r, "angles", angles);

    json_t *rules = json_object();
    json_t *dos = json_array(), *donts = json_array(), *banned = json_array();
    for (size_t i = 0; i < b->do_rules.n; i++)
        json_array_append_new(dos, json_string(b->do_rules.v[i]));
    for (size_t i = 0; i < b->dont_rules.n; i++)
        json_array_append_new(donts, json_string(b->dont_rules.v[i]));
    for (size_t i = 0; i < bs.n; i++) json_array_append_new(banned, json_string(bs.terms[i]));
    json_object_set_new(rules, "do", dos);
    json_object_set_new(rules, "dont", donts);
    json_object_set_new(rules, "banned_terms", banned);
    json_object_set_new(r, "rules", rules);

    json_t *ctx = json_array();
    for (size_t i = 0; i < b->ncontext; i++) {
        json_t *c = json_object();
        json_object_set_new(c, "section", json_string(b->context[i].section));
        json_object_set_new(c, "text", json_string(b->context[i].text));
        json_object_set_new(c, "score", json_real(b->context[i].score));
        json_array_append_new(ctx, c);
    }
    json_object_set_new(r, "context", ctx);
    json_object_set_new(r, "sources", json_array());
    yaa_buf_free(&s);
    return r;
}

/* A retrieved fact worth saying aloud: the brand's own knowledge files and its positioning -
 * not rules, keywords, settings, values (said already) or label lists. */
static const yaa_brief_chunk *pick_context(const yaa_brief *b, size_t k, const banned_set *bs) {
    size_t seen = 0;
    for (size_t i = 0; i < b->ncontext; i++) {
        const yaa_brief_chunk *c = &b->context[i];
        if (!c->section || !c->text) continue;
        if (!yaa_str_startswith(c->section, "knowledge/") &&
            strcmp(c->section, "brand.positioning") != 0)
            continue;
        if (mentions_banned(bs, c->text)) continue;
        if (seen++ == k) return c;
    }
    return NULL;
}

static void add_section(json_t *arr, const char *heading, const char *narration, const char *screen,
                        const char *visual, const char *language) {
    json_t *s = json_object();
    json_object_set_new(s, "heading", json_string(heading));
    json_object_set_new(s, "narration", json_string(narration));
    json_object_set_new(s, "on_screen_text", json_string(screen));
    json_object_set_new(s, "visual_notes", json_string(visual));
    json_object_set_new(
        s, "duration_seconds",
        json_real((double)(long)(yaa_agents_estimate_speech_seconds(narration, language) * 10) /
                  10));
    json_array_append_new(arr, s);
}

/* ---- sentences --------------------------------------------------------------------------
 * Brand-guide items come in two shapes: "Label: the point" (values, some needs) and plain
 * phrases or sentences. They are split so a label is never read out as "Label: ...", English
 * pain points (noun phrases) go after a colon, and Korean ones (clauses ending in -다) are
 * quoted with -다고 / -다는, which is grammatical whatever the clause says. */

typedef struct {
    char label[128]; /* "" when the item has no "Label: " prefix */
    char body[320];  /* the point, without trailing sentence punctuation */
} item_parts;

static void split_item(const char *item, item_parts *out) {
    out->label[0] = '\0';
    as_phrase(item, out->body, sizeof out->body);
    const char *colon = strstr(out->body, ": ");
    /* A label is short and comes first; a colon later in a sentence is part of it. */
    if (colon && colon > out->body && (size_t)(colon - out->body) < 40) {
        size_t n = (size_t)(colon - out->body);
        memcpy(out->label, out->body, n);
        out->label[n] = '\0';
        memmove(out->body, colon + 2, strlen(colon + 2) + 1);
    }
}

static bool ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* A Korean clause as a quotation: "…모르겠다" -> "…모르겠다고" / "…모르겠다는"; anything else
 * is quoted whole: "'…'라고" / "'…'라는". */
static void ko_quote(const char *clause, bool adnominal, char *out, size_t n) {
    if (ends_with(clause, "다"))
        snprintf(out, n, "%s%s", clause, adnominal ? "는" : "고");
    else
        snprintf(out, n, "'%s'%s", clause,
                 adnominal ? yaa_agents_ko_josa(clause, "이라는", "라는")
                           : yaa_agents_ko_josa(clause, "이라고", "라고"));
}

/* The script's text so far: every sentence is said once. */
typedef struct {
    yaa_buf *buf;
    const banned_set *bs;
    char said[48][160];
    size_t nsaid;
} speech;

static void say(speech *sp, const char *sentence) {
    char key[160];
    snprintf(key, sizeof key, "%s", sentence);
    for (size_t i = 0; i < sp->nsaid; i++)
        if (strcmp(sp->said[i], key) == 0) return;
    if (sp->nsaid < sizeof sp->said / sizeof sp->said[0])
        snprintf(sp->said[sp->nsaid++], sizeof sp->said[0], "%s", key);
    if (sp->buf->len) yaa_buf_putc(sp->buf, ' ');
    yaa_buf_puts(sp->buf, sentence);
}

static void sayf(speech *sp, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sayf(speech *sp, const char *fmt, ...) {
    char s[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s, sizeof s, fmt, ap);
    va_end(ap);
    say(sp, s);
}

/* Ends a sentence that may lack its full stop. */
static void terminated(const char *s, char *out, size_t n) {
    snprintf(out, n, "%s", s);
    yaa_str_trim(out);
    size_t len = strlen(out);
    if (len && !strchr(".!?", out[len - 1]) && len + 1 < n) {
        out[len] = '.';
        out[len + 1] = '\0';
    }
}

/* A rotation that starts somewhere the topic decides, so two topics do not open the same way
 * while one topic always gets the same script. */
static size_t topic_seed(const char *topic) {
    size_t h = 5381;
    for (const unsigned char *p = (const unsigned char *)topic; *p; p++) h = h * 33 + *p;
    return h;
}

#define ROTATE(arr, i, seed) ((arr)[((i) + (seed)) % (sizeof(arr) / sizeof((arr)[0]))])

/* ---- the script's parts ---------------------------------------------------------------- */

typedef struct {
    const yaa_brief *b;
    banned_set bs;
    bool ko;
    const char *lang, *brand, *topic;
    size_t seed;
    size_t nbody;
} script_plan;

static void plan_script(const yaa_brief *b, script_plan *p) {
    load_banned(b, &p->bs);
    p->b = b;
    p->ko = is_ko(b);
    p->lang = p->ko ? "ko" : "en";
    p->brand = brand_of(b);
    p->topic = or_default(b->topic, p->ko ? "오늘의 주제" : "today's topic");
    p->seed = topic_seed(p->topic);
    size_t n = b->content_needs.n > b->pain_points.n ? b->content_needs.n : b->pain_points.n;
    if (n > MAX_BODY) n = MAX_BODY;
    if (b->short_video && n > 2) n = 2;
    p->nbody = n < 2 ? 2 : n;
}

/* The hook: the audience's first worry, then what the video covers. */
static void script_intro(const script_plan *p, json_t *sections) {
    const yaa_brief *b = p->b;
    yaa_buf n;
    yaa_buf_init(&n, 1 << 16);
    speech sp = {.buf = &n, .bs = &p->bs};
    const char *p0 = pick(&b->pain_points, 0, &p->bs);
    item_parts pain;
    split_item(p0 ? p0 : p->topic, &pain);
    if (p->ko) {
        const char *aud = or_default(b->audience, "이 채널을 찾아 주신 분");
        char q[400];
        ko_quote(pain.body, false, q, sizeof q);
        sayf(&sp, "%s%s 한 번쯤 %s 느끼셨을 겁니다.", aud,
             yaa_agents_ko_josa(aud, "이라면", "라면"), q);
        sayf(&sp, "오늘은 %s%s 주제로, 꼭 필요한 내용만 %s%s 정리해 드리겠습니다.", p->topic,
             yaa_agents_ko_josa(p->topic, "을", "를"), p->brand,
             yaa_agents_ko_josa(p->brand, "이", "가"));
    } else {
        char painl[320];
        snprintf(painl, sizeof painl, "%s", pain.body);
        lower_first_ascii(painl);
        sayf(&sp, "You know the feeling: %s.", painl);
        sayf(&sp, "Today on %s we look at %s, with only what you actually need.", p->brand,
             p->topic);
    }
    strip_banned(&p->bs, n.data);
    add_section(
        sections, p->ko ? "도입" : "Intro", yaa_buf_cstr(&n),
        b->tagline && *b->tagline && !mentions_banned(&p->bs, b->tagline) ? b->tagline : p->topic,
        p->ko ? "제목 카드: 브랜드 색상, 주제 문구" : "Title card: brand colours, topic line",
        p->lang);
    yaa_buf_free(&n);
}

/* Section i: one content need (the heading), the worry it answers, why it matters for the
 * topic, the brand value behind it and, when retrieval found one, a fact from the brand's
 * knowledge. Each slot has several phrasings, used in turn, so no sentence repeats. */
static void script_body(const script_plan *p, size_t i, speech *sp, json_t *sections) {
    const yaa_brief *b = p->b;
    const char *nd = pick(&b->content_needs, i, &p->bs);
    const char *pn = pick(&b->pain_points, i + 1, &p->bs);
    const char *vl = pick(&b->values, i, &p->bs);
    const yaa_brief_chunk *ctx = pick_context(b, i, &p->bs);
    item_parts need, pain, val;
    split_item(nd ? nd : (pn ? pn : p->topic), &need);
    split_item(pn ? pn : p->topic, &pain);
    if (vl) split_item(vl, &val);
    const char *heading = *need.label ? need.label : need.body;
    bool last = i + 1 == p->nbody;
    char fact[200] = "", s[600];
    if (ctx) {
        /* A chunk is "<path words>\n<value>": say the value, without a "label:" of its own. */
        const char *nl = strchr(ctx->text, '\n');
        item_parts f;
        first_sentence(nl ? nl + 1 : ctx->text, fact, sizeof fact);
        split_item(fact, &f);
        terminated(f.body, fact, sizeof fact);
    }
    if (p->ko) {
        static const char *const first[] = {"먼저", "첫 번째로"};
        static const char *const nth[] = {"", "두 번째로", "세 번째로", "네 번째로", "다섯 번째로"};
        const char *ord = i == 0 ? ROTATE(first, 0, p->seed) : last ? "마지막으로" : nth[i];
        sayf(sp, "%s 살펴볼 것은 %s입니다.", ord, heading);
        if (*need.label) {
            if (ends_with(need.body, "지"))
                sayf(sp, "%s 짚어 보겠습니다.", need.body);
            else
                sayf(sp, "%s%s 중심으로 보겠습니다.", need.body,
                     yaa_agents_ko_josa(need.body, "을", "를"));
        }
        char q[400], qa[400];
        ko_quote(pain.body, false, q, sizeof q);
        ko_quote(pain.body, true, qa, sizeof qa);
        static const struct {
            const char *fmt;
            bool adnominal; /* -다는 (before a noun) rather than -다고 (before a verb) */
        } worry[] = {{"%s 말씀하시는 분들이 많습니다.", false},
                     {"실제로 %s 이야기를 자주 듣습니다.", true},
                     {"%s 느끼셨다면 이 부분이 특히 중요합니다.", false},
                     {"%s 고민, 많이들 하시죠.", true}};
        size_t w = (i + p->seed) % (sizeof worry / sizeof worry[0]);
        snprintf(s, sizeof s, worry[w].fmt, worry[w].adnominal ? qa : q);
        say(sp, s);
        static const char *const link[] = {"%s에서 가장 먼저 짚어야 할 부분입니다.",
                                           "이것만 잡아도 %s 고민이 훨씬 줄어듭니다.",
                                           "작아 보여도 %s의 결과를 크게 바꾸는 부분입니다.",
                                           "%s 이야기를 할 때 꼭 기억해 두세요."};
        sayf(sp, ROTATE(link, i, p->seed), p->topic);
        if (vl) {
            terminated(val.body, s, sizeof s);
            const char *ga = yaa_agents_ko_josa(p->brand, "이", "가");
            switch (*val.label ? (i + p->seed) % 4 : 4) {
            case 0: sayf(sp, "%s%s 지키는 기준은 %s입니다. %s", p->brand, ga, val.label, s); break;
            case 1: sayf(sp, "%s의 원칙 중 하나는 %s입니다. %s", p->brand, val.label, s); break;
            case 2: sayf(sp, "여기서 중요한 건 %s입니다. %s", val.label, s); break;
            case 3:
                sayf(sp, "%s, %s%s 늘 강조하는 부분입니다. %s", val.label, p->brand, ga, s);
                break;
            default: sayf(sp, "%s%s 지키는 기준도 같습니다. %s", p->brand, ga, s);
            }
        }
        static const char *const aside[] = {"참고로 %s", "덧붙이면, %s",
                                            "하나 더 알아 두면 좋습니다. %s"};
        if (*fact) sayf(sp, ROTATE(aside, i, p->seed), fact);
    } else {
        static const char *const ord[] = {"First up", "Next", "Then", "After that"};
        char needl[320], painl[320];
        snprintf(needl, sizeof needl, "%s", heading);
        snprintf(painl, sizeof painl, "%s", pain.body);
        lower_first_ascii(needl);
        lower_first_ascii(painl);
        sayf(sp, "%s: %s.", i == 0 ? ord[0] : last ? "Finally" : ord[i < 4 ? i : 3], needl);
        if (*need.label) {
            terminated(need.body, s, sizeof s);
            s[0] = (char)toupper((unsigned char)s[0]);
            say(sp, s);
        }
        static const char *const worry[] = {
            "A lot of you tell us about this one: %s.", "We hear this all the time: %s.",
            "Here is the usual problem: %s.", "Maybe this sounds familiar: %s."};
        sayf(sp, ROTATE(worry, i, p->seed), painl);
        static const char *const link[] = {
            "Get this right and the rest of %s gets a lot simpler.",
            "It sounds small, but it changes how %s turns out.",
            "This is where %s usually goes wrong, so it is worth the time.",
            "Keep this in mind whenever %s comes up."};
        sayf(sp, ROTATE(link, i, p->seed), p->topic);
        if (vl) {
            terminated(val.body, s, sizeof s);
            static const char *const rule[] = {"Our rule at %s: %s", "At %s we hold to this: %s",
                                               "That is why %s works this way: %s",
                                               "%s keeps one promise here: %s"};
            char sl[600];
            snprintf(sl, sizeof sl, "%s", s);
            lower_first_ascii(sl);
            sayf(sp, ROTATE(rule, i, p->seed), p->brand, sl);
        }
        static const char *const aside[] = {"Good to know: %s", "One more thing: %s",
                                            "And for the record, %s"};
        if (*fact) {
            char fl[220];
            snprintf(fl, sizeof fl, "%s", fact);
            if ((i + p->seed) % 3 == 2) lower_first_ascii(fl);
            sayf(sp, ROTATE(aside, i, p->seed), fl);
        }
    }
    strip_banned(&p->bs, sp->buf->data);
    char visual[400];
    snprintf(visual, sizeof visual, p->ko ? "섹션 %zu 카드: %s" : "Section %zu card: %s", i + 1,
             heading);
    /* The card's key line is the worry this section answers; the heading is the need. */
    char *key =
        yaa_media_text_shorten(pain.body, p->ko ? 30 : 70); /* at a phrase end, never mid-word */
    add_section(sections, heading, yaa_buf_cstr(sp->buf), key ? key : pain.body, visual, p->lang);
    free(key);
}

/* The recap of the headings and the brand's call to action. */
static void script_outro(const script_plan *p, json_t *sections) {
    const yaa_brief *b = p->b;
    yaa_buf n;
    yaa_buf_init(&n, 1 << 16);
    const char *h[MAX_BODY] = {0};
    for (size_t i = 0; i < p->nbody && i < MAX_BODY; i++)
        h[i] = or_default(
            json_string_value(json_object_get(json_array_get(sections, i + 1), "heading")), "");
    char cta[600];
    if (p->ko) {
        yaa_buf_printf(&n, "정리해 보겠습니다. 오늘은 %s", or_default(h[0], ""));
        for (size_t i = 1; i < p->nbody; i++)
            yaa_buf_printf(&n, "%s%s", i + 1 == p->nbody ? ", 그리고 " : ", ", h[i]);
        yaa_buf_printf(&n, "%s 중심으로 %s%s 살펴봤습니다. ",
                       yaa_agents_ko_josa(h[p->nbody - 1], "을", "를"), p->topic,
                       yaa_agents_ko_josa(p->topic, "을", "를"));
        terminated(or_default(b->call_to_action, "도움이 되셨다면 구독과 좋아요 부탁드립니다"), cta,
                   sizeof cta);
    } else {
        yaa_buf_puts(&n, "To recap, we covered ");
        for (size_t i = 0; i < p->nbody; i++) {
            char hl[320];
            snprintf(hl, sizeof hl, "%s", h[i]);
            lower_first_ascii(hl);
            yaa_buf_printf(&n, "%s%s", i == 0 ? "" : i + 1 == p->nbody ? " and " : ", ", hl);
        }
        yaa_buf_puts(&n, ". ");
        terminated(or_default(b->call_to_action, "If this helped, subscribe for the next one"), cta,
                   sizeof cta);
    }
    yaa_buf_puts(&n, cta);
    strip_banned(&p->bs, n.data);
    add_section(sections, p->ko ? "마무리" : "Wrap-up", yaa_buf_cstr(&n),
                or_default(b->call_to_action, p->ko ? "구독과 좋아요" : "Subscribe"),
                p->ko ? "마무리 카드: 채널 이름과 행동 유도 문구"
                      : "End card: channel name and call to action",
                p->lang);
    yaa_buf_free(&n);
}

/* The total duration and each section's stock-footage search terms; the script object. */
static json_t *script_assemble(const script_plan *p, json_t *sections) {
    double total = 0;
    size_t i;
    json_t *s;
    json_array_foreach(sections, i, s) {
        total += json_real_value(json_object_get(s, "duration_seconds"));
        /* short stock-footage search terms: the section's heading, the topic, the category */
        json_t *terms = json_array();
        if (i > 0 && i + 1 < json_array_size(sections))
            json_array_append(terms, json_object_get(s, "heading"));
        json_array_append_new(terms, json_string(p->topic));
        if (p->b->category && *p->b->category)
            json_array_append_new(terms, json_string(p->b->category));
        json_object_set_new(s, "search_terms", terms);
    }
    json_t *r = json_object();
    json_object_set_new(r, "title", json_string(p->topic));
    json_object_set_new(r, "language", json_string(p->lang));
    json_object_set_new(r, "provider", json_string("offline"));
    json_object_set_new(r, "sections", sections);
    json_object_set_new(r, "estimated_duration_seconds",
                        json_real((double)(long)(total * 10) / 10));
    return r;
}

json_t *yaa_agents_offline_script(const yaa_brief *b, const json_t *research) {
    (void)research;
    script_plan p;
    plan_script(b, &p);
    json_t *sections = json_array();
    script_intro(&p, sections);
    /* One speech for the whole body, so no sentence is said twice across sections. */
    speech sp = {.bs = &p.bs};
    yaa_buf n;
    yaa_buf_init(&n, 1 << 16);
    sp.buf = &n;
    for (size_t i = 0; i < p.nbody; i++) {
        yaa_buf_reset(&n);
        script_body(&p, i, &sp, sections);
    }
    yaa_buf_free(&n);
    script_outro(&p, sections);
    return script_assemble(&p, sections);
}

/* YouTube counts a tag with a space as its length + 2 (quotes), plus a comma between tags. */
static size_t tag_cost(const char *tag) {
    return yaa_utf8_len(tag) + (strchr(tag, ' ') ? 2 : 0) + 1;
}

static void add_tag(json_t *tags, const char *tag, size_t *budget) {
    if (!tag || !*tag || strlen(tag) > 100) return;
    size_t i;
    json_t *t;
    json_array_foreach(tags, i, t) if (strcmp(json_string_value(t), tag) == 0) return;
    size_t c = tag_cost(tag);
    if (c > *budget) return;
    *budget -= c;
    json_array_append_new(tags, json_string(tag));
}

static void fmt_clock(double sec, char out[48]) {
    long s = (long)sec;
    if (s >= 3600)
        snprintf(out, 48, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
    else
        snprintf(out, 48, "%ld:%02ld", s / 60, s % 60);
}

json_t *yaa_agents_offline_metadata(const yaa_brief *b, const json_t *script) {
    banned_set bs;
    load_banned(b, &bs);
    bool ko = is_ko(b);
    const char *topic = or_default(b->topic, "");
    const char *kw0 = b->primary_keywords.n ? b->primary_keywords.v[0] : NULL;

    /* Title: the topic, with the first primary keyword when the topic lacks it. */
    char title[512];
    if (kw0 && !strstr(topic, kw0))
        snprintf(title, sizeof title, "%s | %s", topic, kw0);
    else
        snprintf(title, sizeof title, "%s", topic);
    strip_banned(&bs, title);
    title[yaa_utf8_prefix(title, 100 * 1)] = '\0';
    while (yaa_utf8_len(title) > 100) title[yaa_utf8_prefix(title, strlen(title) - 1)] = '\0';

    json_t *sections = json_object_get(script, "sections");
    json_t *chapters = json_array();
    yaa_buf d;
    yaa_buf_init(&d, 1 << 16);
    size_t nsec = json_array_size(sections);
    const char *first =
        nsec > 1 ? json_string_value(json_object_get(json_array_get(sections, 1), "heading"))
                 : topic;
    const char *last =
        nsec > 2 ? json_string_value(json_object_get(json_array_get(sections, nsec - 2), "heading"))
                 : first;
    if (ko)
        yaa_buf_printf(&d, "%s, %s부터 %s까지 한 번에 정리했습니다.\n", topic, first, last);
    else
        yaa_buf_printf(&d, "%s: from %s to %s, in one video.\n", topic, first, last);
    if (b->tagline && *b->tagline) yaa_buf_printf(&d, "%s — %s\n", brand_of(b), b->tagline);
    yaa_buf_puts(&d, "\n");
    yaa_buf_puts(&d, ko ? "챕터\n" : "Chapters\n");
    double t = 0;
    size_t i;
    json_t *s;
    json_array_foreach(sections, i, s) {
        char clock[48];
        fmt_clock(t, clock);
        const char *h = json_string_value(json_object_get(s, "heading"));
        yaa_buf_printf(&d, "%s %s\n", clock, h);
        json_t *c = json_object();
        json_object_set_new(c, "start_seconds", json_integer((json_int_t)t));
        json_object_set_new(c, "title", json_string(h));
        json_array_append_new(chapters, c);
        double dur = json_real_value(json_object_get(s, "duration_seconds"));
        t += dur < 10 ? 10 : dur; /* YouTube chapters are at least 10 s */
    }
    if (b->primary_keywords.n || b->secondary_keywords.n) {
        yaa_buf_puts(&d, ko ? "\n이 영상의 키워드: " : "\nIn this video: ");
        size_t k = 0;
        for (size_t j = 0; j < b->primary_keywords.n; j++, k++)
            yaa_buf_printf(&d, "%s%s", k ? ", " : "", b->primary_keywords.v[j]);
        for (size_t j = 0; j < b->secondary_keywords.n && j < 5; j++, k++)
            yaa_buf_printf(&d, "%s%s", k ? ", " : "", b->secondary_keywords.v[j]);
        yaa_buf_puts(&d, "\n");
    }
    if (b->call_to_action && *b->call_to_action) yaa_buf_printf(&d, "\n%s\n", b->call_to_action);
    yaa_buf_puts(&d, "\n");
    for (size_t j = 0; j < b->primary_keywords.n && j < 3; j++) {
        yaa_buf_putc(&d, '#');
        for (const char *p = b->primary_keywords.v[j]; *p; p++)
            if (*p != ' ') yaa_buf_putc(&d, *p);
        yaa_buf_putc(&d, ' ');
    }
    char *desc = d.data ? d.data : (char[]){""};
    strip_banned(&bs, desc);
    desc[yaa_utf8_prefix(desc, 5000)] = '\0';
    yaa_str_trim(desc);

    json_t *tags = json_array();
    size_t budget = 480;
    for (size_t j = 0; j < b->primary_keywords.n; j++)
        add_tag(tags, b->primary_keywords.v[j], &budget);
    for (size_t j = 0; j < b->secondary_keywords.n; j++)
        add_tag(tags, b->secondary_keywords.v[j], &budget);
    add_tag(tags, topic, &budget);
    add_tag(tags, b->brand_name, &budget);
    add_tag(tags, b->channel_name, &budget);

    json_t *pk = json_array(), *sk = json_array();
    for (size_t j = 0; j < b->primary_keywords.n; j++)
        json_array_append_new(pk, json_string(b->primary_keywords.v[j]));
    for (size_t j = 0; j < b->secondary_keywords.n; j++)
        json_array_append_new(sk, json_string(b->secondary_keywords.v[j]));

    json_t *r = json_object();
    json_object_set_new(r, "title", json_string(title));
    json_object_set_new(r, "description", json_string(desc));
    json_object_set_new(r, "tags", tags);
    json_object_set_new(r, "category_id", json_string(yaa_agents_youtube_category_id(b->category)));
    json_object_set_new(r, "primary_keywords", pk);
    json_object_set_new(r, "secondary_keywords", sk);
    json_object_set_new(r, "chapters", chapters);
    json_object_set_new(r, "language", json_string(ko ? "ko" : "en"));
    json_object_set_new(r, "provider", json_string("offline"));
    yaa_buf_free(&d);
    return r;
}
