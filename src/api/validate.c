/* validate.c - field checks for JSON bodies and query strings (pydantic-style 422 entries). */
#include "api/validate.h"

#include "core/util.h"

#include <stdio.h>
#include <string.h>

void yaa_api_validate_error(json_t *errors, const char *where, const char *field, const char *type,
                            const char *msg) {
    json_t *loc = json_array();
    json_array_append_new(loc, json_string(where));
    if (field) json_array_append_new(loc, json_string(field));
    json_array_append_new(errors,
                          json_pack("{s:s, s:o, s:s}", "type", type, "loc", loc, "msg", msg));
}

static bool slug_ok(const char *s, long min, long max) {
    size_t n = strlen(s);
    if ((long)n < min || (long)n > max) return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-'))
            return false;
    }
    return true;
}

static const char *choice_of(const char *const *choices, const char *s) {
    for (int i = 0; choices && choices[i]; i++)
        if (strcmp(choices[i], s) == 0) return choices[i];
    return NULL;
}

static void choices_msg(const yaa_field_spec *f, char *msg, size_t n) {
    size_t off = (size_t)snprintf(msg, n, "Input should be ");
    for (int i = 0; f->choices && f->choices[i] && off < n; i++) {
        const char *sep = i == 0 ? "" : (f->choices[i + 1] ? ", " : " or ");
        off += (size_t)snprintf(msg + off, n - off, "%s'%s'", sep, f->choices[i]);
    }
}

/* Checks a string value (from JSON or the query string) against a string-like spec. */
static void check_string(const yaa_field_spec *f, const char *where, const char *s,
                         json_t *errors) {
    char msg[256];
    switch (f->type) {
    case YAA_V_STR: {
        if (!yaa_utf8_valid(s, strlen(s))) {
            yaa_api_validate_error(errors, where, f->name, "string_unicode",
                                   "Input should be a valid string, invalid UTF-8");
            return;
        }
        long n = (long)yaa_utf8_len(s);
        if (n < f->min) {
            snprintf(msg, sizeof msg, "String should have at least %ld character%s", f->min,
                     f->min == 1 ? "" : "s");
            yaa_api_validate_error(errors, where, f->name, "string_too_short", msg);
        } else if (f->max > 0 && n > f->max) {
            snprintf(msg, sizeof msg, "String should have at most %ld characters", f->max);
            yaa_api_validate_error(errors, where, f->name, "string_too_long", msg);
        }
        return;
    }
    case YAA_V_SLUG:
        if (!slug_ok(s, f->min, f->max)) {
            snprintf(msg, sizeof msg, "String should match pattern '^[A-Za-z0-9_-]{%ld,%ld}$'",
                     f->min, f->max);
            yaa_api_validate_error(errors, where, f->name, "string_pattern_mismatch", msg);
        }
        return;
    case YAA_V_ENUM:
        if (!choice_of(f->choices, s)) {
            choices_msg(f, msg, sizeof msg);
            yaa_api_validate_error(errors, where, f->name, "literal_error", msg);
        }
        return;
    case YAA_V_TIME: {
        time_t t;
        if (yaa_time_parse(s, &t) != 0)
            yaa_api_validate_error(errors, where, f->name, "datetime_parsing",
                                   "Input should be a valid datetime (RFC 3339) or date");
        return;
    }
    case YAA_V_UUID:
        if (!yaa_uuid_valid(s))
            yaa_api_validate_error(errors, where, f->name, "uuid_parsing",
                                   "Input should be a valid UUID");
        return;
    default: return;
    }
}

static void check_int(const yaa_field_spec *f, const char *where, long long v, json_t *errors) {
    char msg[128];
    if (v < f->min) {
        snprintf(msg, sizeof msg, "Input should be greater than or equal to %ld", f->min);
        yaa_api_validate_error(errors, where, f->name, "greater_than_equal", msg);
    } else if (v > f->max) {
        snprintf(msg, sizeof msg, "Input should be less than or equal to %ld", f->max);
        yaa_api_validate_error(errors, where, f->name, "less_than_equal", msg);
    }
}

static void check_json_field(const yaa_field_spec *f, json_t *v, json_t *errors) {
    const char *w = "body";
    switch (f->type) {
    case YAA_V_STR:
    case YAA_V_SLUG:
    case YAA_V_ENUM:
    case YAA_V_TIME:
    case YAA_V_UUID:
        if (!json_is_string(v)) {
            yaa_api_validate_error(errors, w, f->name, "string_type",
                                   "Input should be a valid string");
            return;
        }
        check_string(f, w, json_string_value(v), errors);
        return;
    case YAA_V_BOOL:
        if (!json_is_boolean(v))
            yaa_api_validate_error(errors, w, f->name, "bool_type",
                                   "Input should be a valid boolean");
        return;
    case YAA_V_INT:
        if (!json_is_integer(v)) {
            yaa_api_validate_error(errors, w, f->name, "int_type",
                                   "Input should be a valid integer");
            return;
        }
        check_int(f, w, json_integer_value(v), errors);
        return;
    case YAA_V_OBJ_ARR: {
        size_t n = json_array_size(v), i;
        json_t *it;
        bool objects = json_is_array(v);
        json_array_foreach(v, i, it) objects = objects && json_is_object(it);
        char msg[128];
        if (!objects) {
            yaa_api_validate_error(errors, w, f->name, "list_type",
                                   "Input should be a valid list of objects");
        } else if ((long)n < f->min || (f->max > 0 && (long)n > f->max)) {
            snprintf(msg, sizeof msg, "List should have %ld to %ld items", f->min, f->max);
            yaa_api_validate_error(errors, w, f->name, (long)n < f->min ? "too_short" : "too_long",
                                   msg);
        }
        return;
    }
    case YAA_V_STR_ARR: {
        size_t i;
        json_t *it;
        bool strings = json_is_array(v);
        json_array_foreach(v, i, it) strings = strings && json_is_string(it);
        if (!strings) {
            yaa_api_validate_error(errors, w, f->name, "list_type",
                                   "Input should be a valid list of strings");
            return;
        }
        /* each item checked as a string of the same bounds; one entry for the first bad one */
        yaa_field_spec item = *f;
        item.type = YAA_V_STR;
        size_t before = json_array_size(errors);
        json_array_foreach(v, i, it) {
            check_string(&item, w, json_string_value(it), errors);
            if (json_array_size(errors) > before) return;
        }
        return;
    }
    case YAA_V_ENUM_ARR: {
        if (!json_is_array(v)) {
            yaa_api_validate_error(errors, w, f->name, "list_type", "Input should be a valid list");
            return;
        }
        if ((long)json_array_size(v) < f->min) {
            char msg[96];
            snprintf(msg, sizeof msg, "List should have at least %ld item%s", f->min,
                     f->min == 1 ? "" : "s");
            yaa_api_validate_error(errors, w, f->name, "too_short", msg);
        }
        size_t i;
        json_t *it;
        json_array_foreach(v, i, it) {
            if (!json_is_string(it) || !choice_of(f->choices, json_string_value(it))) {
                char msg[256];
                choices_msg(f, msg, sizeof msg);
                yaa_api_validate_error(errors, w, f->name, "literal_error", msg);
                return;
            }
        }
        return;
    }
    }
}

void yaa_api_validate_body(const yaa_field_spec *spec, const char *body, size_t len, json_t **out,
                           json_t *errors) {
    *out = NULL;
    json_error_t jerr;
    json_t *root = len ? json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr) : NULL;
    if (!root) {
        char msg[256];
        if (len == 0)
            snprintf(msg, sizeof msg, "Field required");
        else
            snprintf(msg, sizeof msg, "JSON decode error: %s", jerr.text);
        yaa_api_validate_error(errors, "body", NULL, len ? "json_invalid" : "missing", msg);
        return;
    }
    if (!json_is_object(root)) {
        yaa_api_validate_error(
            errors, "body", NULL, "model_attributes_type",
            "Input should be a valid dictionary or object to extract fields from");
        json_decref(root);
        return;
    }
    for (const yaa_field_spec *f = spec; f && f->name; f++) {
        json_t *v = json_object_get(root, f->name);
        if (!v || json_is_null(v)) {
            if (f->required)
                yaa_api_validate_error(errors, "body", f->name, "missing", "Field required");
            else if (v) /* explicit null for an optional field: treat as absent */
                json_object_del(root, f->name);
            continue;
        }
        check_json_field(f, v, errors);
    }
    *out = root;
}

void yaa_api_validate_query(const yaa_field_spec *spec, yaa_http_lookup_fn query, void *ud,
                            json_t *errors) {
    for (const yaa_field_spec *f = spec; f && f->name; f++) {
        const char *s = query ? query(ud, f->name) : NULL;
        if (!s) {
            if (f->required)
                yaa_api_validate_error(errors, "query", f->name, "missing", "Field required");
            continue;
        }
        if (f->type == YAA_V_INT) {
            long v;
            if (yaa_parse_long(s, -9000000000000000000L, 9000000000000000000L, &v) != 0) {
                yaa_api_validate_error(errors, "query", f->name, "int_parsing",
                                       "Input should be a valid integer, unable to parse string as "
                                       "an integer");
                continue;
            }
            check_int(f, "query", v, errors);
        } else if (f->type == YAA_V_BOOL) {
            bool b;
            if (yaa_parse_bool(s, &b) != 0)
                yaa_api_validate_error(
                    errors, "query", f->name, "bool_parsing",
                    "Input should be a valid boolean, unable to interpret input");
        } else if (*s || f->type != YAA_V_STR) {
            check_string(f, "query", s, errors);
        }
    }
}

long yaa_api_query_long(const yaa_http_req *req, const char *name, long dflt) {
    const char *s = yaa_api_http_query_get(req, name);
    long v;
    if (!s || yaa_parse_long(s, -9000000000000000000L, 9000000000000000000L, &v) != 0) return dflt;
    return v;
}

const char *yaa_api_query_str(const yaa_http_req *req, const char *name) {
    const char *s = yaa_api_http_query_get(req, name);
    return s && *s ? s : NULL;
}
