/* test_offline.c - the offline composer writes real, rule-abiding text in both languages. */
#include "test_util.h"

#include "agents/korean.h"
#include "agents/offline.h"
#include "core/buf.h"

static const char *ko_pains[] = {"스펙표만 봐서는 실제 체감 차이를 알 수 없다",
                                 "광고성 리뷰가 너무 많아 믿기 어렵다",
                                 "가격 대비 성능을 판단하기 어렵다"};
static const char *ko_needs[] = {"실사용 기준의 비교", "객관적인 측정 수치", "예산별 추천"};
static const char *ko_dont[] = {"'최고', '무조건' 같은 과장 표현을 쓰지 않는다",
                                "경쟁 채널을 비방하지 않는다"};
static const char *ko_do[] = {"측정 조건을 함께 밝힌다"};
static const char *ko_values[] = {"정직함", "무조건 최고의 가성비"};
static const char *ko_kw[] = {"무선 이어폰", "가성비 이어폰"};

static yaa_brief ko_brief(void) {
    yaa_brief b = {0};
    b.language = "ko";
    b.topic = "2026년 가성비 무선 이어폰 비교";
    b.channel_id = "tech_review_ko";
    b.channel_name = "테크리뷰";
    b.category = "tech";
    b.brand_name = "테크리뷰";
    b.tagline = "광고 없이 솔직하게";
    b.positioning = "직접 측정한 데이터로 말하는 리뷰 채널입니다.";
    b.audience = "합리적인 소비를 원하는 20~30대";
    b.pain_points = (yaa_brief_list){ko_pains, 3};
    b.content_needs = (yaa_brief_list){ko_needs, 3};
    b.dont_rules = (yaa_brief_list){ko_dont, 2};
    b.do_rules = (yaa_brief_list){ko_do, 1};
    b.values = (yaa_brief_list){ko_values, 2};
    b.primary_keywords = (yaa_brief_list){ko_kw, 2};
    b.call_to_action = "구독하고 다음 비교 영상도 함께 봐 주세요.";
    return b;
}

static void test_josa(void **state) {
    (void)state;
    assert_string_equal(yaa_agents_ko_josa("브랜드", "은", "는"), "는");
    assert_string_equal(yaa_agents_ko_josa("채널", "은", "는"), "은");
    assert_string_equal(yaa_agents_ko_josa("비교", "을", "를"), "를");
    assert_string_equal(yaa_agents_ko_josa("2026년", "을", "를"), "을");
    assert_string_equal(yaa_agents_ko_josa("Sony", "이", "가"), "가");
    assert_string_equal(yaa_agents_ko_josa("Google", "이", "가"), "이");
    assert_string_equal(yaa_agents_ko_josa("iPhone", "이", "가"), "이");
}

static void test_korean_script(void **state) {
    (void)state;
    yaa_brief b = ko_brief();
    char banned[8][64];
    assert_int_equal(yaa_agents_offline_banned_terms(&b, banned, 8), 2);
    assert_string_equal(banned[0], "최고");
    assert_string_equal(banned[1], "무조건");

    json_t *research = yaa_agents_offline_research(&b);
    json_t *script = yaa_agents_offline_script(&b, research);
    json_t *sections = json_object_get(script, "sections");
    assert_int_equal(json_array_size(sections), 5); /* intro + 3 + outro */
    char *dump = json_dumps(script, 0);
    assert_null(strstr(dump, "최고"));
    assert_null(strstr(dump, "무조건"));
    free(dump);
    const char *intro =
        json_string_value(json_object_get(json_array_get(sections, 0), "narration"));
    assert_non_null(strstr(intro, "비교를 주제로"));
    assert_non_null(strstr(intro, "테크리뷰가"));
    const char *outro =
        json_string_value(json_object_get(json_array_get(sections, 4), "narration"));
    assert_non_null(strstr(outro, b.call_to_action));
    assert_true(yaa_utf8_valid(outro, strlen(outro)));

    json_t *meta = yaa_agents_offline_metadata(&b, script);
    const char *title = json_string_value(json_object_get(meta, "title"));
    assert_true(yaa_utf8_len(title) <= 100);
    assert_non_null(strstr(title, "무선 이어폰"));
    const char *desc = json_string_value(json_object_get(meta, "description"));
    assert_non_null(strstr(desc, "0:00 도입"));
    assert_string_equal(json_string_value(json_object_get(meta, "category_id")), "28");
    assert_int_equal(json_array_size(json_object_get(meta, "chapters")), 5);
    json_decref(meta);
    json_decref(script);
    json_decref(research);
}

static void test_english_and_determinism(void **state) {
    (void)state;
    static const char *pains[] = {"Weeknight dinners take too long",
                                  "Recipes call for things nobody has"};
    static const char *needs[] = {"30-minute meals", "Pantry swaps"};
    yaa_brief b = {0};
    b.language = "en";
    b.topic = "One-pan pasta for busy weeknights";
    b.brand_name = "Home Cooking";
    b.pain_points = (yaa_brief_list){pains, 2};
    b.content_needs = (yaa_brief_list){needs, 2};
    json_t *s1 = yaa_agents_offline_script(&b, NULL);
    json_t *s2 = yaa_agents_offline_script(&b, NULL);
    assert_true(json_equal(s1, s2));
    const char *intro = json_string_value(
        json_object_get(json_array_get(json_object_get(s1, "sections"), 0), "narration"));
    assert_non_null(strstr(intro, "weeknight dinners take too long"));
    json_t *m = yaa_agents_offline_metadata(&b, s1);
    size_t i;
    json_t *t;
    size_t total = 0;
    json_array_foreach(json_object_get(m, "tags"), i, t) total += strlen(json_string_value(t)) + 3;
    assert_true(total <= 500);
    json_decref(m);
    json_decref(s1);
    json_decref(s2);
}

/* Every sentence of a script's narration, in order (split after . ! ? followed by a space). */
static size_t sentences(const json_t *script, char out[][400], size_t max) {
    size_t n = 0, i;
    json_t *sec;
    json_array_foreach(json_object_get(script, "sections"), i, sec) {
        const char *t = json_string_value(json_object_get(sec, "narration"));
        const char *start = t;
        for (const char *p = t;; p++) {
            bool end = *p == '\0' || ((*p == '.' || *p == '!' || *p == '?') && p[1] == ' ');
            if (!end) continue;
            size_t len = (size_t)(p - start) + (*p ? 1 : 0);
            if (len > 1 && n < max) snprintf(out[n++], 400, "%.*s", (int)len, start);
            if (!*p) break;
            start = p + 2;
        }
    }
    return n;
}

static void assert_no_repeats(const json_t *script) {
    static char s[128][400];
    size_t n = sentences(script, s, 128);
    assert_true(n > 8);
    for (size_t a = 0; a < n; a++)
        for (size_t b = a + 1; b < n; b++)
            if (strcmp(s[a], s[b]) == 0) fail_msg("sentence said twice: %s", s[a]);
}

/* Brand guides as the example channels write them: values and needs as "Label: point",
 * Korean worries as clauses ending in -다, English ones as noun phrases; and a retrieved
 * chunk that is a label list. None of the labels is read out, worries are quoted
 * grammatically, and no sentence is said twice. */
static void test_natural_text(void **state) {
    (void)state;
    static const char *ko_p[] = {"광고성 리뷰가 많아 어디까지 믿어야 할지 모르겠다",
                                 "스펙표의 숫자가 실제 사용감과 어떻게 다른지 알기 어렵다",
                                 "신제품이 너무 자주 나와서 고민된다",
                                 "용어가 어려워서 결론이 헷갈린다", "A/S 정보가 없다"};
    static const char *ko_n[] = {"가격대별 비교: 10만 원, 30만 원대에서 무엇을 사야 하는지",
                                 "장기 사용기", "구매 타이밍 가이드: 출시 주기와 할인 시기",
                                 "어려운 용어 풀이"};
    static const char *ko_v[] = {
        "정직함: 협찬 여부를 영상 첫 10초 안에 밝힙니다", "측정: 체감이 아니라 숫자로 보여 줍니다",
        "실사용: 한 달 써 본 뒤에 결론을 냅니다", "존중: 시청자의 시간을 아낍니다"};
    static const yaa_brief_chunk ctx[] = {
        {"runs/abc/research", "angles\nangles: 다른 주제의 각도", 0.9},
        {"tone_and_manner.dont[0]", "dont\n과장하지 않는다", 0.8}};
    yaa_brief b = ko_brief();
    b.pain_points = (yaa_brief_list){ko_p, 5};
    b.content_needs = (yaa_brief_list){ko_n, 4};
    b.values = (yaa_brief_list){ko_v, 4};
    b.context = ctx;
    b.ncontext = 2;
    json_t *script = yaa_agents_offline_script(&b, NULL);
    char *dump = json_dumps(script, 0);
    assert_null(strstr(dump, "정직함:"));
    assert_null(strstr(dump, "가격대별 비교:"));
    assert_null(strstr(dump, "angles"));
    assert_null(strstr(dump, "다른 주제"));
    assert_null(strstr(dump, "' 때문에"));
    assert_null(strstr(dump, "다' "));
    assert_non_null(strstr(dump, "모르겠다고"));
    free(dump);
    assert_no_repeats(script);
    json_decref(script);

    static const char *en_p[] = {"Recipes that claim 20 minutes but take an hour",
                                 "Coming home tired with no idea what to make",
                                 "Grocery bills creeping up", "Cooking the same five dinners",
                                 "Picky eaters at the table"};
    static const char *en_n[] = {"30-minute dinners with a visible clock", "One-pan meals",
                                 "Meal plans: one shopping list and a cost per serving",
                                 "Pantry clean-out recipes"};
    static const char *en_v[] = {"Realistic: the clock on screen is the real time",
                                 "Affordable: ingredients from any supermarket",
                                 "Flexible: two swaps for every recipe",
                                 "Less waste: plans that use the whole bag"};
    yaa_brief e = {0};
    e.language = "en";
    e.topic = "Easy dinner recipes";
    e.brand_name = "Weeknight Table";
    e.pain_points = (yaa_brief_list){en_p, 5};
    e.content_needs = (yaa_brief_list){en_n, 4};
    e.values = (yaa_brief_list){en_v, 4};
    e.call_to_action = "Tell us what is in your fridge tonight";
    script = yaa_agents_offline_script(&e, NULL);
    dump = json_dumps(script, 0);
    assert_null(strstr(dump, "Realistic:"));
    assert_null(strstr(dump, "Less waste:"));
    assert_null(strstr(dump, "Meal plans:"));
    assert_null(strstr(dump, "felt that"));
    assert_non_null(strstr(dump, "fridge tonight.")); /* the call to action ends its sentence */
    free(dump);
    assert_no_repeats(script);
    /* Varied: no two body sections open their second sentence the same way. */
    json_t *secs = json_object_get(script, "sections");
    for (size_t a = 1; a + 1 < json_array_size(secs); a++)
        for (size_t c = a + 1; c + 1 < json_array_size(secs); c++) {
            const char *x =
                json_string_value(json_object_get(json_array_get(secs, a), "narration"));
            const char *y =
                json_string_value(json_object_get(json_array_get(secs, c), "narration"));
            const char *x2 = strstr(x, ". "), *y2 = strstr(y, ". ");
            assert_non_null(x2);
            assert_non_null(y2);
            assert_true(strncmp(x2, y2, 12) != 0);
        }
    json_decref(script);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_josa), cmocka_unit_test(test_korean_script),
        cmocka_unit_test(test_english_and_determinism), cmocka_unit_test(test_natural_text)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
