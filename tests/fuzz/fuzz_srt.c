/* fuzz_srt.c - libFuzzer target for the subtitle builder: any bytes as narrations (split on
 * '|'), durations from the first bytes; the cues must stay monotonic, contiguous, covering,
 * at most two lines each, and valid UTF-8 whenever the input was. */
#include "core/buf.h"
#include "media/media.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2) return 0;
    double durs[8];
    size_t nd = data[0] % 8 + 1;
    for (size_t i = 0; i < nd; i++) durs[i] = (double)((data[1] * (i + 7)) % 200) / 10.0 + 0.3;
    char *text = malloc(size - 1);
    if (!text) return 0;
    memcpy(text, data + 2, size - 2);
    text[size - 2] = 0;
    const char *narr[8] = {0};
    size_t n = 0;
    char *p = text;
    while (n < nd) {
        narr[n++] = p;
        char *bar = strchr(p, '|');
        if (!bar) break;
        *bar = 0;
        p = bar + 1;
    }
    while (n < nd) narr[n++] = "";
    bool valid = yaa_utf8_valid((const char *)data + 2, strnlen((const char *)data + 2, size - 2));
    yaa_srt srt;
    yaa_err err;
    if (yaa_media_srt_build(narr, durs, nd, &srt, &err) == 0) {
        double total = 0;
        for (size_t i = 0; i < nd; i++) total += durs[i];
        for (size_t i = 0; i < srt.n; i++) {
            if (srt.cues[i].end_ms <= srt.cues[i].start_ms) abort();
            if (i && srt.cues[i].start_ms != srt.cues[i - 1].end_ms) abort();
            int lines = 1;
            for (const char *c = srt.cues[i].text; *c; c++) lines += *c == '\n';
            if (lines > 2) abort();
            if (valid && !yaa_utf8_valid(srt.cues[i].text, strlen(srt.cues[i].text))) abort();
        }
        if (srt.n &&
            (srt.cues[0].start_ms != 0 || srt.cues[srt.n - 1].end_ms != lround(total * 1000)))
            abort();
        yaa_media_srt_free(&srt);
    }
    free(text);
    return 0;
}
