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
size_t yaa_offline_banned_terms(const yaa_brief *b, char out[][64], size_t max) {
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

double yaa_estimate_speech_seconds(const char *text, const char *language) {
    /* Measured on the local espeak-ng voices at rate 1.0: about 6.5 Hangul syllables or
     * 14 Latin characters a second. The real figure comes from the synthesized audio. */
    double per_sec = language && strcmp(language, "ko") == 0 ? 6.5 : 14.0;
    double s = (double)yaa_utf8_len(text) / per_sec;
    return s < 1.0 ? 1.0 : s;
}

const char *yaa_youtube_category_id(const char *category) {
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
    bs->n = yaa_offline_banned_terms(b, bs->terms, MAX_BANNED);
}

json_t *yaa_offline_research(const yaa_brief *b) {
    banned_set bs;
    load_banned(b, &bs);
    bool ko = is_ko(b);
    const char *brand = brand_of(b);
    yaa_buf s;
    yaa_buf_init(&s, 1 << 16);
    if (ko) {
        yaa_buf_printf(&s, "%s%s ", brand, yaa_ko_josa(brand, "은", "는"));
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

/* A retrieved fact worth saying aloud: not a rule, not a keyword list. */
static const yaa_brief_chunk *pick_context(const yaa_brief *b, size_t k, const banned_set *bs) {
    size_t seen = 0;
    for (size_t i = 0; i < b->ncontext; i++) {
        const yaa_brief_chunk *c = &b->context[i];
        if (!c->section || !c->text) continue;
        /* Facts worth saying aloud: the brand's own statements, knowledge files, competitors
         * and past research - not rules, keywords, settings or what the script already uses. */
        if (!yaa_str_startswith(c->section, "knowledge/") &&
            !yaa_str_startswith(c->section, "brand.") &&
            !yaa_str_startswith(c->section, "competitors") &&
            !yaa_str_startswith(c->section, "runs/"))
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
        json_real((double)(long)(yaa_estimate_speech_seconds(narration, language) * 10) / 10));
    json_array_append_new(arr, s);
}

static const char *ordinal_ko(size_t i) {
    static const char *o[] = {"첫 번째", "두 번째", "세 번째", "네 번째", "다섯 번째"};
    return o[i < 5 ? i : 4];
}

static const char *ordinal_en(size_t i) {
    static const char *o[] = {"First", "Second", "Third", "Fourth", "Fifth"};
    return o[i < 5 ? i : 4];
}

json_t *yaa_offline_script(const yaa_brief *b, const json_t *research) {
    (void)research;
    banned_set bs;
    load_banned(b, &bs);
    bool ko = is_ko(b);
    const char *lang = ko ? "ko" : "en";
    const char *brand = brand_of(b);
    const char *topic = or_default(b->topic, ko ? "오늘의 주제" : "today's topic");
    size_t nbody = b->content_needs.n > b->pain_points.n ? b->content_needs.n : b->pain_points.n;
    if (nbody > MAX_BODY) nbody = MAX_BODY;
    if (b->short_video && nbody > 2) nbody = 2;
    if (nbody < 2) nbody = 2;

    json_t *sections = json_array();
    yaa_buf n;
    yaa_buf_init(&n, 1 << 16);
    char pain[256], need[256], val[256], fact[200];

    /* Intro: the audience's first pain point as the hook. */
    const char *p0 = pick(&b->pain_points, 0, &bs);
    as_phrase(p0 ? p0 : topic, pain, sizeof pain);
    if (ko) {
        const char *aud = or_default(b->audience, "이 채널을 찾아 주신 분");
        yaa_buf_printf(&n, "%s%s 한 번쯤 '%s' 같은 고민을 해 보셨을 겁니다. ", aud,
                       yaa_ko_josa(aud, "이라면", "라면"), pain);
        yaa_buf_printf(&n, "오늘은 %s%s 주제로, 꼭 필요한 내용만 %s%s 정리해 드리겠습니다.", topic,
                       yaa_ko_josa(topic, "을", "를"), brand, yaa_ko_josa(brand, "이", "가"));
    } else {
        char painl[256];
        snprintf(painl, sizeof painl, "%s", pain);
        lower_first_ascii(painl);
        yaa_buf_printf(&n, "If you have ever felt that %s, this one is for you. ", painl);
        yaa_buf_printf(&n, "Today on %s we cover %s, and only what you actually need.", brand,
                       topic);
    }
    strip_banned(&bs, n.data);
    add_section(sections, ko ? "도입" : "Intro", yaa_buf_cstr(&n),
                b->tagline && *b->tagline && !mentions_banned(&bs, b->tagline) ? b->tagline : topic,
                ko ? "제목 카드: 브랜드 색상, 주제 문구" : "Title card: brand colours, topic line",
                lang);

    const char *headings[MAX_BODY] = {0};
    for (size_t i = 0; i < nbody; i++) {
        const char *nd = pick(&b->content_needs, i, &bs);
        const char *pn = pick(&b->pain_points, i + 1, &bs);
        const char *vl = pick(&b->values, i, &bs);
        const yaa_brief_chunk *ctx = pick_context(b, i, &bs);
        as_phrase(nd ? nd : (pn ? pn : topic), need, sizeof need);
        as_phrase(pn ? pn : pain, pain, sizeof pain);
        val[0] = '\0';
        if (vl) as_phrase(vl, val, sizeof val);
        fact[0] = '\0';
        if (ctx) {
            /* A chunk is "<path words>\n<value>": say the value. */
            const char *nl = strchr(ctx->text, '\n');
            first_sentence(nl ? nl + 1 : ctx->text, fact, sizeof fact);
        }
        yaa_buf_reset(&n);
        if (ko) {
            yaa_buf_printf(&n, "%s 포인트는 %s입니다. ", ordinal_ko(i), need);
            yaa_buf_printf(&n, "많은 분들이 '%s' 때문에 고민하시죠. ", pain);
            yaa_buf_printf(&n, "%s에서도 이 부분을 먼저 짚어 보면 선택이 훨씬 분명해집니다. ",
                           topic);
            if (*val)
                yaa_buf_printf(&n, "%s%s 중요하게 생각하는 기준도 바로 '%s'입니다. ", brand,
                               yaa_ko_josa(brand, "이", "가"), val);
            if (*fact) yaa_buf_printf(&n, "참고로, %s", fact);
        } else {
            char painl[256], needl[256];
            snprintf(painl, sizeof painl, "%s", pain);
            snprintf(needl, sizeof needl, "%s", need);
            lower_first_ascii(painl);
            lower_first_ascii(needl);
            yaa_buf_printf(&n, "%s point: %s. ", ordinal_en(i), needl);
            yaa_buf_printf(&n, "A lot of you tell us that %s. ", painl);
            yaa_buf_printf(&n, "Looking at %s this way first makes every later choice easier. ",
                           topic);
            if (*val) yaa_buf_printf(&n, "At %s, that comes down to %s. ", brand, val);
            if (*fact) yaa_buf_printf(&n, "Worth knowing: %s", fact);
        }
        char *text = n.data;
        yaa_str_trim(text);
        strip_banned(&bs, text);
        char visual[320];
        snprintf(visual, sizeof visual, ko ? "섹션 %zu 카드: %s" : "Section %zu card: %s", i + 1,
                 need);
        /* The card's key line is the worry this section answers; the heading is the need. */
        char *key = yaa_text_shorten(pain, ko ? 30 : 70); /* at a phrase end, never mid-word */
        add_section(sections, need, text, key ? key : pain, visual, lang);
        free(key);
        headings[i] =
            json_string_value(json_object_get(json_array_get(sections, i + 1), "heading"));
    }

    /* Outro: recap of the headings and the brand's call to action. */
    yaa_buf_reset(&n);
    if (ko) {
        yaa_buf_printf(&n, "정리해 보겠습니다. 오늘은 %s", headings[0]);
        for (size_t i = 1; i < nbody; i++)
            yaa_buf_printf(&n, "%s%s", i + 1 == nbody ? ", 그리고 " : ", ", headings[i]);
        yaa_buf_printf(&n, "%s 중심으로 %s%s 살펴봤습니다. ",
                       yaa_ko_josa(headings[nbody - 1], "을", "를"), topic,
                       yaa_ko_josa(topic, "을", "를"));
        yaa_buf_puts(&n,
                     or_default(b->call_to_action, "도움이 되셨다면 구독과 좋아요 부탁드립니다."));
    } else {
        yaa_buf_printf(&n, "To sum up: we looked at %s through %s", topic, headings[0]);
        for (size_t i = 1; i < nbody; i++)
            yaa_buf_printf(&n, "%s%s", i + 1 == nbody ? ", and " : ", ", headings[i]);
        yaa_buf_puts(&n, ". ");
        yaa_buf_puts(&n,
                     or_default(b->call_to_action, "If this helped, subscribe for the next one."));
    }
    strip_banned(&bs, n.data);
    add_section(sections, ko ? "마무리" : "Wrap-up", yaa_buf_cstr(&n),
                or_default(b->call_to_action, ko ? "구독과 좋아요" : "Subscribe"),
                ko ? "마무리 카드: 채널 이름과 행동 유도 문구"
                   : "End card: channel name and call to action",
                lang);

    double total = 0;
    size_t i;
    json_t *s;
    json_array_foreach(sections, i, s) {
        total += json_real_value(json_object_get(s, "duration_seconds"));
        /* short stock-footage search terms: the section's heading, the topic, the category */
        json_t *terms = json_array();
        if (i > 0 && i + 1 < json_array_size(sections))
            json_array_append(terms, json_object_get(s, "heading"));
        json_array_append_new(terms, json_string(topic));
        if (b->category && *b->category) json_array_append_new(terms, json_string(b->category));
        json_object_set_new(s, "search_terms", terms);
    }

    json_t *r = json_object();
    json_object_set_new(r, "title", json_string(topic));
    json_object_set_new(r, "language", json_string(lang));
    json_object_set_new(r, "provider", json_string("offline"));
    json_object_set_new(r, "sections", sections);
    json_object_set_new(r, "estimated_duration_seconds",
                        json_real((double)(long)(total * 10) / 10));
    yaa_buf_free(&n);
    return r;
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

json_t *yaa_offline_metadata(const yaa_brief *b, const json_t *script) {
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
    json_object_set_new(r, "category_id", json_string(yaa_youtube_category_id(b->category)));
    json_object_set_new(r, "primary_keywords", pk);
    json_object_set_new(r, "secondary_keywords", sk);
    json_object_set_new(r, "chapters", chapters);
    json_object_set_new(r, "language", json_string(ko ? "ko" : "en"));
    json_object_set_new(r, "provider", json_string("offline"));
    yaa_buf_free(&d);
    return r;
}
