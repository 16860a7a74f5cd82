/* fuzz_dotenv.c - the .env parser must never crash or read out of bounds. */
#include "core/config.h"

#include <stddef.h>
#include <stdint.h>

static int sink(void *ud, const char *key, const char *value) {
    (void)ud;
    (void)key;
    (void)value;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    yaa_err err = {0};
    yaa_dotenv_parse((const char *)data, size, sink, NULL, &err);
    return 0;
}
