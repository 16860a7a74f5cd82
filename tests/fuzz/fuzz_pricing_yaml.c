/* fuzz_pricing_yaml.c - the PRICING_FILE parser must never crash, leak or read out of bounds. */
#include "llm/pricing.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    yaa_err err = {0};
    if (yaa_llm_pricing_load_text("fuzz.yaml", (const char *)data, size, &err) == 0)
        (void)yaa_llm_pricing_cost("openai", "gpt-4o", YAA_USAGE_CHAT, 10, 10, 0);
    return 0;
}
