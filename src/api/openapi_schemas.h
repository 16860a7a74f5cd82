/* openapi_schemas.h - response schemas of the contract's objects for /openapi.json. */
#ifndef YAA_API_OPENAPI_SCHEMAS_H
#define YAA_API_OPENAPI_SCHEMAS_H

#include <jansson.h>

/* The components.schemas object (new reference; NULL only when out of memory). */
json_t *yaa_api_openapi_schemas(void);
/* The schema name a route answers with on success, or NULL (files, streams, metrics). */
const char *yaa_api_openapi_response_schema(const char *method, const char *path);

#endif
