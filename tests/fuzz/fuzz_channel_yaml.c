/* fuzz_channel_yaml.c - the channel file loader (UTF-8 check, YAML tree, schema walk) and the
 * config.yaml editor must never crash, leak or read out of bounds on any input. The first
 * byte picks config.yaml or brand_guide.yaml. */
#include "channels/channels.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define NAME "이름 \"x\"\n\\"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    yaa_channel_file kind = (data[0] & 1) ? YAA_CHANNEL_BRAND_GUIDE : YAA_CHANNEL_CONFIG;
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    yaa_channel *ch = yaa_channels_new("fuzz", "/nonexistent");
    if (!ch) return 0;
    yaa_channels_parse(ch, kind, "fuzz.yaml", text, len);
    char line[600];
    for (size_t i = 0; i < ch->n_problems; i++) yaa_channels_problem_str(ch, i, line, sizeof line);
    yaa_channels_free(ch);
    if (kind == YAA_CHANNEL_CONFIG) {
        char *out = NULL;
        yaa_err err = {0};
        if (yaa_channels_config_edit(text, len, NAME, "cat", NULL, &out, &err) == 0) {
            /* an edit that succeeded must read back with the values set */
            ch = yaa_channels_new("fuzz", "/nonexistent");
            if (ch) {
                yaa_channels_parse(ch, kind, "edited.yaml", out, strlen(out));
                if (strcmp(ch->channel.name, NAME) != 0 || strcmp(ch->channel.category, "cat") != 0)
                    abort();
                yaa_channels_free(ch);
            }
        }
        free(out);
    }
    return 0;
}
