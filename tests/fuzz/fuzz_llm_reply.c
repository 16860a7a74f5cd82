/* fuzz_llm_reply.c - JSON extraction from a model reply and the schema validator on it. */
#include "llm/llm.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *SCHEMA =
    "{\"type\":\"object\",\"required\":[\"title\"],\"properties\":{\"title\":{\"type\":"
    "\"string\",\"maxLength\":100},\"tags\":{\"type\":\"array\",\"maxItems\":5,\"items\":{"
    "\"type\":\"string\"}},\"n\":{\"type\":[\"integer\",\"null\"]},\"tone\":{\"enum\":["
    "\"a\",\"b\"]}},\"additionalProperties\":false}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    char msg[256];
    json_t *v = yaa_llm_extract_json(text, msg, sizeof msg);
    if (v) {
        json_t *schema = json_loads(SCHEMA, 0, NULL);
        yaa_llm_schema_validate(schema, v, msg, sizeof msg);
        json_decref(schema);
        json_decref(v);
    }
    free(text);
    return 0;
}
