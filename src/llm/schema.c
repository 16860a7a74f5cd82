/* schema.c - the small JSON Schema validator for model replies, and JSON extraction from
 * replies wrapped in code fences or prose. */
#include "llm/llm.h"

#include "core/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PATH_MAX_LEN 256

static const char *type_of(const json_t *v) {
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "object";
    case JSON_ARRAY: return "array";
    case JSON_STRING: return "string";
    case JSON_INTEGER: return "integer";
    case JSON_REAL: return "number";
    case JSON_TRUE:
    case JSON_FALSE: return "boolean";
    case JSON_NULL: return "null";
    }
    return "unknown";
}

static bool type_matches(const char *want, const json_t *v) {
    if (strcmp(want, "number") == 0) return json_is_number(v);
    if (strcmp(want, "integer") == 0) {
        if (json_is_integer(v)) return true;
        if (!json_is_real(v)) return false;
        double d = json_real_value(v);
        return d == (double)(long long)d;
    }
    return strcmp(want, type_of(v)) == 0;
}

static int fail(char *msg, size_t n, const char *path, const char *fmt, const char *a,
                const char *b) {
    char what[200];
    snprintf(what, sizeof what, fmt, a, b);
    snprintf(msg, n, "%s: %s", path, what);
    return YAA_EPARSE;
}

static int check(const json_t *s, const json_t *v, const char *path, char *msg, size_t n) {
    if (!json_is_object(s)) return 0;
    const json_t *t = json_object_get(s, "type");
    if (json_is_string(t)) {
        if (!type_matches(json_string_value(t), v))
            return fail(msg, n, path, "expected %s, got %s", json_string_value(t), type_of(v));
    } else if (json_is_array(t)) {
        size_t i;
        const json_t *x;
        bool ok = false;
        json_array_foreach(t, i, x) ok =
            ok || (json_is_string(x) && type_matches(json_string_value(x), v));
        if (!ok) return fail(msg, n, path, "type %s is not allowed%s", type_of(v), "");
    }
    const json_t *en = json_object_get(s, "enum");
    if (json_is_array(en)) {
        size_t i;
        const json_t *x;
        bool ok = false;
        json_array_foreach(en, i, x) ok = ok || json_equal((json_t *)x, (json_t *)v);
        if (!ok) {
            char *d = json_dumps(en, JSON_COMPACT);
            int rc = fail(msg, n, path, "must be one of %.150s%s", d ? d : "the enum", "");
            free(d);
            return rc;
        }
    }
    char sub[PATH_MAX_LEN];
    if (json_is_object(v)) {
        const json_t *req = json_object_get(s, "required");
        size_t i;
        const json_t *k;
        json_array_foreach(req, i, k) {
            if (json_is_string(k) && !json_object_get(v, json_string_value(k)))
                return fail(msg, n, path, "missing required key \"%s\"%s", json_string_value(k),
                            "");
        }
        const json_t *props = json_object_get(s, "properties");
        const json_t *addl = json_object_get(s, "additionalProperties");
        const char *key;
        const json_t *val;
        json_object_foreach((json_t *)v, key, val) {
            const json_t *ps = json_object_get(props, key);
            if (!ps) {
                if (json_is_false(addl))
                    return fail(msg, n, path, "unexpected key \"%s\"%s", key, "");
                if (json_is_object(addl))
                    ps = addl;
                else
                    continue;
            }
            snprintf(sub, sizeof sub, "%s.%s", path, key);
            int rc = check(ps, val, sub, msg, n);
            if (rc) return rc;
        }
    } else if (json_is_array(v)) {
        const json_t *mi = json_object_get(s, "minItems");
        const json_t *ma = json_object_get(s, "maxItems");
        char num[32];
        if (json_is_integer(mi) && (json_int_t)json_array_size(v) < json_integer_value(mi)) {
            snprintf(num, sizeof num, "%lld", (long long)json_integer_value(mi));
            return fail(msg, n, path, "needs at least %s items%s", num, "");
        }
        if (json_is_integer(ma) && (json_int_t)json_array_size(v) > json_integer_value(ma)) {
            snprintf(num, sizeof num, "%lld", (long long)json_integer_value(ma));
            return fail(msg, n, path, "allows at most %s items%s", num, "");
        }
        const json_t *items = json_object_get(s, "items");
        size_t i;
        const json_t *x;
        json_array_foreach(v, i, x) {
            snprintf(sub, sizeof sub, "%s[%zu]", path, i);
            int rc = check(items, x, sub, msg, n);
            if (rc) return rc;
        }
    } else if (json_is_string(v)) {
        size_t len = yaa_utf8_len(json_string_value(v));
        const json_t *mi = json_object_get(s, "minLength");
        const json_t *ma = json_object_get(s, "maxLength");
        char num[32];
        if (json_is_integer(mi) && (json_int_t)len < json_integer_value(mi)) {
            snprintf(num, sizeof num, "%lld", (long long)json_integer_value(mi));
            return fail(msg, n, path, "must be at least %s characters%s", num, "");
        }
        if (json_is_integer(ma) && (json_int_t)len > json_integer_value(ma)) {
            snprintf(num, sizeof num, "%lld", (long long)json_integer_value(ma));
            return fail(msg, n, path, "must be at most %s characters%s", num, "");
        }
    }
    return 0;
}

int yaa_llm_schema_validate(const json_t *schema, const json_t *v, char *msg, size_t n) {
    if (n) msg[0] = '\0';
    return check(schema, v, "$", msg, n);
}

json_t *yaa_llm_extract_json(const char *text, char *msg, size_t n) {
    json_error_t je;
    if (!text) text = "";
    /* 1. the whole reply */
    json_t *v = json_loads(text, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
    if (v && (json_is_object(v) || json_is_array(v))) return v;
    json_decref(v);
    char first[200];
    snprintf(first, sizeof first, "line %d column %d: %s", je.line, je.column, je.text);
    /* 2. the span from the first { or [ to the last matching closer (fences, prose) */
    const char *o = strchr(text, '{');
    const char *a = strchr(text, '[');
    const char *start = o && (!a || o < a) ? o : a;
    if (start) {
        char closer = *start == '{' ? '}' : ']';
        const char *end = strrchr(text, closer);
        if (end && end > start) {
            v = json_loadb(start, (size_t)(end - start + 1), JSON_REJECT_DUPLICATES, &je);
            if (v) return v;
            snprintf(first, sizeof first, "line %d column %d: %s", je.line, je.column, je.text);
        } else {
            snprintf(first, sizeof first, "the JSON value is cut off (no closing '%c')", closer);
        }
    } else {
        snprintf(first, sizeof first, "no JSON object or array in the reply");
    }
    snprintf(msg, n, "reply is not valid JSON: %s", first);
    return NULL;
}
