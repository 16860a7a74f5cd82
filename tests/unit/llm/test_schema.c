/* test_schema.c - the reply validator and JSON extraction from model replies. */
#include "test_util.h"

#include "llm/llm.h"

static const char *SCHEMA =
    "{\"type\":\"object\",\"required\":[\"title\",\"tags\",\"sections\"],"
    "\"additionalProperties\":false,\"properties\":{"
    "\"title\":{\"type\":\"string\",\"maxLength\":10},"
    "\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\"},\"maxItems\":3},"
    "\"count\":{\"type\":\"integer\"},\"ratio\":{\"type\":[\"number\",\"null\"]},"
    "\"tone\":{\"enum\":[\"formal\",\"casual\"]},"
    "\"sections\":{\"type\":\"array\",\"minItems\":1,\"items\":{\"type\":\"object\","
    "\"required\":[\"heading\"],\"properties\":{\"heading\":{\"type\":\"string\"}}}}}}";

static int check(const char *doc, char *msg, size_t n) {
    json_t *s = json_loads(SCHEMA, 0, NULL);
    json_t *v = json_loads(doc, JSON_DECODE_ANY, NULL);
    assert_non_null(s);
    assert_non_null(v);
    int rc = yaa_llm_schema_validate(s, v, msg, n);
    json_decref(s);
    json_decref(v);
    return rc;
}

static void test_validate(void **state) {
    (void)state;
    char m[256];
    assert_int_equal(
        check("{\"title\":\"한국어 제목\",\"tags\":[\"a\"],\"count\":3.0,\"ratio\":null,"
              "\"tone\":\"casual\",\"sections\":[{\"heading\":\"h\",\"x\":1}]}",
              m, sizeof m),
        0);
    assert_int_equal(check("{\"title\":1,\"tags\":[],\"sections\":[{}]}", m, sizeof m), YAA_EPARSE);
    assert_string_equal(m, "$.title: expected string, got integer");
    check("{\"title\":\"t\",\"tags\":[],\"sections\":[{\"heading\":\"a\"},{}]}", m, sizeof m);
    assert_string_equal(m, "$.sections[1]: missing required key \"heading\"");
    check("{\"title\":\"t\",\"tags\":[],\"sections\":[]}", m, sizeof m);
    assert_string_equal(m, "$.sections: needs at least 1 items");
    check("{\"title\":\"t\",\"tags\":[\"a\",\"b\",\"c\",\"d\"],\"sections\":[{\"heading\":\"a\"}]}",
          m, sizeof m);
    assert_string_equal(m, "$.tags: allows at most 3 items");
    check("{\"title\":\"t\",\"tags\":[2],\"sections\":[{\"heading\":\"a\"}]}", m, sizeof m);
    assert_string_equal(m, "$.tags[0]: expected string, got integer");
    check("{\"title\":\"01234567890\",\"tags\":[],\"sections\":[{\"heading\":\"a\"}]}", m,
          sizeof m);
    assert_string_equal(m, "$.title: must be at most 10 characters");
    check("{\"title\":\"t\",\"tags\":[],\"sections\":[{\"heading\":\"a\"}],\"extra\":1}", m,
          sizeof m);
    assert_string_equal(m, "$: unexpected key \"extra\"");
    check("{\"title\":\"t\",\"tags\":[],\"sections\":[{\"heading\":\"a\"}],\"count\":1.5}", m,
          sizeof m);
    assert_string_equal(m, "$.count: expected integer, got number");
    check("{\"title\":\"t\",\"tags\":[],\"sections\":[{\"heading\":\"a\"}],\"tone\":\"x\"}", m,
          sizeof m);
    assert_string_equal(m, "$.tone: must be one of [\"formal\",\"casual\"]");
    check("{\"title\":\"t\",\"tags\":[],\"sections\":[{\"heading\":\"a\"}],\"ratio\":\"x\"}", m,
          sizeof m);
    assert_string_equal(m, "$.ratio: type string is not allowed");
    check("[1]", m, sizeof m);
    assert_string_equal(m, "$: expected object, got array");
}

static void test_extract(void **state) {
    (void)state;
    char m[256];
    json_t *v = yaa_llm_extract_json("{\"a\":1}", m, sizeof m);
    assert_int_equal(json_integer_value(json_object_get(v, "a")), 1);
    json_decref(v);
    v = yaa_llm_extract_json("Here you go:\n```json\n{\"a\": {\"b\": [1]}}\n```\nEnjoy!", m,
                             sizeof m);
    assert_non_null(v);
    assert_true(json_is_object(json_object_get(v, "a")));
    json_decref(v);
    v = yaa_llm_extract_json("```\n[{\"x\":1}]\n```", m, sizeof m);
    assert_true(json_is_array(v));
    json_decref(v);
    assert_null(yaa_llm_extract_json("Sure! {\"title\": \"cut", m, sizeof m));
    assert_non_null(strstr(m, "cut off"));
    assert_null(yaa_llm_extract_json("no json here", m, sizeof m));
    assert_non_null(strstr(m, "no JSON object"));
    assert_null(yaa_llm_extract_json("{\"a\":1,\"a\":2}", m, sizeof m));
    assert_non_null(strstr(m, "not valid JSON"));
    assert_null(yaa_llm_extract_json(NULL, m, sizeof m));
    assert_null(yaa_llm_extract_json("\"just a string\"", m, sizeof m));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_validate),
        cmocka_unit_test(test_extract),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
