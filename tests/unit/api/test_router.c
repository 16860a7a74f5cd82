/* test_router.c - route matching, validation (422 entries), rate limiting and the
 * in-memory request path (yaa_api_dispatch without a socket or database). */
#include "test_util.h"

#include <strings.h>

#include "api/api.h"
#include "api/openapi_schemas.h"
#include "api/ratelimit.h"
#include "api/router.h"
#include "api/validate.h"

static void test_match(void **state) {
    (void)state;
    yaa_arena a;
    yaa_arena_init(&a, 1024);
    const yaa_route *r = NULL;
    const char *params[YAA_HTTP_MAX_PARAMS];
    int np = 0;
    const char *allow = NULL;
    assert_int_equal(
        yaa_api_router_match("GET", "/api/v1/pipeline/runs/abc", &a, &r, params, &np, &allow),
        YAA_ROUTE_FOUND);
    assert_string_equal(r->path, "/api/v1/pipeline/runs/{run_id}");
    assert_int_equal(np, 1);
    assert_string_equal(params[0], "abc");
    /* trailing slash */
    assert_int_equal(yaa_api_router_match("GET", "/api/v1/channels/", &a, &r, params, &np, &allow),
                     YAA_ROUTE_FOUND);
    assert_string_equal(r->path, "/api/v1/channels");
    /* HEAD matches GET */
    assert_int_equal(yaa_api_router_match("HEAD", "/api/v1/health", &a, &r, params, &np, &allow),
                     YAA_ROUTE_FOUND);
    assert_int_equal(yaa_api_router_match("PUT", "/api/v1/channels", &a, &r, params, &np, &allow),
                     YAA_ROUTE_NO_METHOD);
    assert_non_null(strstr(allow, "GET"));
    assert_non_null(strstr(allow, "POST"));
    assert_int_equal(yaa_api_router_match("GET", "/api/v1/nope", &a, &r, params, &np, &allow),
                     YAA_ROUTE_NO_PATH);
    assert_int_equal(
        yaa_api_router_match("GET", "/api/v1/pipeline/runs//events", &a, &r, params, &np, &allow),
        YAA_ROUTE_NO_PATH);
    assert_int_equal(yaa_api_router_match("GET", "/api/v1/pipeline/runs/x/artifacts/images/01.png",
                                          &a, &r, params, &np, &allow),
                     YAA_ROUTE_FOUND);
    assert_int_equal(np, 3);
    assert_true(yaa_api_router_is_api_path("/api/v1/x"));
    assert_true(yaa_api_router_is_api_path("/health"));
    assert_false(yaa_api_router_is_api_path("/runs/123"));
    assert_false(yaa_api_router_is_api_path("/healthz"));
    yaa_arena_free(&a);
}

static const char *const colours[] = {"red", "green", NULL};
static const yaa_field_spec spec[] = {
    {"id", YAA_V_SLUG, true, 1, 10, NULL, NULL}, {"name", YAA_V_STR, true, 1, 5, NULL, NULL},
    {"n", YAA_V_INT, false, 1, 9, NULL, NULL},   {"c", YAA_V_ENUM_ARR, false, 1, 0, colours, NULL},
    {"b", YAA_V_BOOL, false, 0, 0, NULL, NULL},  {NULL, 0, false, 0, 0, NULL, NULL}};

static json_t *check(const char *body) {
    json_t *errors = json_array(), *out = NULL;
    yaa_api_validate_body(spec, body, strlen(body), &out, errors);
    json_decref(out);
    return errors;
}

static const char *type_of(json_t *errors, size_t i) {
    return json_string_value(json_object_get(json_array_get(errors, i), "type"));
}

static void test_validate(void **state) {
    (void)state;
    json_t *e = check("{\"id\":\"ok_1\",\"name\":\"\xed\x95\x9c\xea\xb8\x80\"}");
    assert_int_equal(json_array_size(e), 0); /* 2 code points */
    json_decref(e);
    e = check("{\"id\":\"bad id\",\"name\":\"toolong\",\"n\":0,\"c\":[\"blue\"],\"b\":1}");
    assert_int_equal(json_array_size(e), 5);
    assert_string_equal(type_of(e, 0), "string_pattern_mismatch");
    assert_string_equal(type_of(e, 1), "string_too_long");
    assert_string_equal(type_of(e, 2), "greater_than_equal");
    assert_string_equal(type_of(e, 3), "literal_error");
    assert_string_equal(type_of(e, 4), "bool_type");
    json_t *loc = json_object_get(json_array_get(e, 0), "loc");
    assert_string_equal(json_string_value(json_array_get(loc, 0)), "body");
    assert_string_equal(json_string_value(json_array_get(loc, 1)), "id");
    json_decref(e);
    e = check("{\"name\": 3}");
    assert_int_equal(json_array_size(e), 2);
    assert_string_equal(type_of(e, 0), "missing");
    assert_string_equal(type_of(e, 1), "string_type");
    json_decref(e);
    e = check("{not json");
    assert_int_equal(json_array_size(e), 1);
    assert_string_equal(type_of(e, 0), "json_invalid");
    json_decref(e);
    e = check("[1]");
    assert_string_equal(type_of(e, 0), "model_attributes_type");
    json_decref(e);
}

static void test_ratelimit(void **state) {
    (void)state;
    yaa_ratelimit *rl = yaa_api_ratelimit_new(3);
    yaa_rl_result r;
    uint64_t t = 1000000000ull;
    for (int i = 0; i < 3; i++) {
        yaa_api_ratelimit_take_at(rl, "k", true, t, &r);
        assert_true(r.allowed);
        assert_int_equal(r.remaining, 2 - i);
    }
    yaa_api_ratelimit_take_at(rl, "k", true, t, &r);
    assert_false(r.allowed);
    assert_int_equal(r.retry_after, 20); /* 3/min = one token per 20 s */
    yaa_api_ratelimit_take_at(rl, "other", true, t, &r);
    assert_true(r.allowed);
    yaa_api_ratelimit_take_at(rl, "k", true, t + 20000000000ull, &r);
    assert_true(r.allowed);
    yaa_api_ratelimit_free(rl);
}

typedef struct kv {
    const char *k, *v;
} kv;

static const char *lookup(void *ud, const char *name) {
    for (const kv *p = ud; p && p->k; p++)
        if (strcasecmp(p->k, name) == 0) return p->v;
    return NULL;
}

static int run(yaa_api *api, const char *method, const char *path, const char *body, kv *headers,
               yaa_http_resp *resp) {
    yaa_arena a;
    yaa_arena_init(&a, 4096);
    yaa_http_req req = {.arena = &a,
                        .api = api,
                        .method = method,
                        .path = path,
                        .header = lookup,
                        .query = lookup,
                        .lookup_ud = headers,
                        .body = body,
                        .body_len = strlen(body),
                        .client_ip = "127.0.0.1"};
    yaa_api_http_resp_init(resp);
    yaa_api_dispatch(api, &req, resp);
    assert_non_null(yaa_api_http_resp_get_header(resp, "X-Request-ID"));
    assert_non_null(yaa_api_http_resp_get_header(resp, "X-RateLimit-Limit"));
    if (req.json) json_decref(req.json);
    int status = resp->status;
    yaa_api_http_resp_free(resp);
    yaa_arena_free(&a);
    return status;
}

static void test_dispatch(void **state) {
    (void)state;
    yaa_config cfg = {0};
    cfg.api_key_header = "X-API-Key";
    cfg.rate_limit_per_minute = 100;
    cfg.cors_origins = "http://a.example";
    yaa_api_opts o = {.cfg = &cfg, .web_dir = "/nonexistent"};
    yaa_api *api = NULL;
    yaa_err err = {0};
    assert_int_equal(yaa_api_new(&o, &api, &err), 0);
    yaa_http_resp resp;
    assert_int_equal(run(api, "GET", "/api/v1/nope", "", NULL, &resp), 404);
    assert_int_equal(run(api, "DELETE", "/api/v1/health", "", NULL, &resp), 405);
    assert_int_equal(run(api, "GET", "/api/v1/pipeline/runs", "", NULL, &resp), 401);
    assert_int_equal(run(api, "GET", "/openapi.json", "", NULL, &resp), 200);
    assert_int_equal(run(api, "GET", "/api/v1/health", "", NULL, &resp), 503); /* no db */
    kv pre[] = {
        {"Origin", "http://a.example"}, {"Access-Control-Request-Method", "POST"}, {NULL, NULL}};
    assert_int_equal(run(api, "OPTIONS", "/api/v1/pipeline/run", "", pre, &resp), 204);
    kv bad[] = {
        {"Origin", "http://evil.example"}, {"Access-Control-Request-Method", "POST"}, {NULL, NULL}};
    assert_int_equal(run(api, "OPTIONS", "/api/v1/pipeline/run", "", bad, &resp), 400);
    cfg.disable_auth = true;
    assert_int_equal(run(api, "POST", "/api/v1/pipeline/run", "{", NULL, &resp), 422);
    assert_int_equal(run(api, "GET", "/api/v1/pipeline/runs", "", NULL, &resp), 503);
    yaa_api_free(api);
}

static void test_schemas(void **state) {
    (void)state;
    json_t *s = yaa_api_openapi_schemas();
    assert_non_null(s);
    size_t n;
    const yaa_route *r = yaa_api_routes(&n);
    int with_schema = 0;
    for (size_t i = 0; i < n; i++) {
        const char *name = yaa_api_openapi_response_schema(r[i].method, r[i].path);
        if (!name) continue;
        with_schema++;
        assert_non_null(json_object_get(s, name));
    }
    assert_true(with_schema >= 20);
    json_decref(s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_match),     cmocka_unit_test(test_validate),
        cmocka_unit_test(test_ratelimit), cmocka_unit_test(test_dispatch),
        cmocka_unit_test(test_schemas),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
