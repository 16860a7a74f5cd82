/* validate.h - declarative checks of JSON bodies and query strings, answering the contract's
 * 422 shape: {"detail":[{"type","loc":[...],"msg"}]}, one entry per bad field. */
#ifndef YAA_API_VALIDATE_H
#define YAA_API_VALIDATE_H

#include "api/http.h"

#include <jansson.h>
#include <stdbool.h>

typedef enum {
    YAA_V_STR = 1,  /* string, length (code points) in [min, max] */
    YAA_V_SLUG,     /* ^[A-Za-z0-9_-]{min,max}$ */
    YAA_V_BOOL,     /* JSON true/false (query: true/false/1/0/yes/no/on/off) */
    YAA_V_INT,      /* integer in [min, max] */
    YAA_V_ENUM,     /* one of choices */
    YAA_V_ENUM_ARR, /* array of distinct choices, at least min entries */
    YAA_V_TIME,     /* RFC 3339 or a date */
    YAA_V_UUID,     /* a UUID string */
    YAA_V_OBJ_ARR,  /* array of [min, max] objects (the handler checks their fields) */
    YAA_V_STR_ARR,  /* array of strings, each of [min, max] code points */
} yaa_vtype;

typedef struct yaa_field_spec {
    const char *name;
    yaa_vtype type;
    bool required;
    long min;
    long max;
    const char *const *choices; /* NULL-terminated, for ENUM / ENUM_ARR */
    const char *desc;           /* for the OpenAPI document */
} yaa_field_spec;

/* Parses and checks a JSON object body against spec (terminated by {NULL}); bad fields are
 * appended to errors (a JSON array). On success *out is the parsed object (caller decrefs);
 * on a decode error or a non-object, *out is NULL and one entry explains why. */
void yaa_api_validate_body(const yaa_field_spec *spec, const char *body, size_t len, json_t **out,
                           json_t *errors);
/* Checks the query arguments named by spec. */
void yaa_api_validate_query(const yaa_field_spec *spec, yaa_http_lookup_fn query, void *ud,
                            json_t *errors);
/* Appends one pydantic-style error entry. */
void yaa_api_validate_error(json_t *errors, const char *where, const char *field, const char *type,
                            const char *msg);

/* Typed query readers for handlers (after validation passed): default when absent. */
long yaa_api_query_long(const yaa_http_req *req, const char *name, long dflt);
/* NULL when absent or empty. */
const char *yaa_api_query_str(const yaa_http_req *req, const char *name);

#endif
