/* wav.c - 16-bit mono PCM WAV writing and exact duration reading (from the data chunk). */
#include "core/buf.h"
#include "media/media_internal.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put_u32(unsigned char *p, uint32_t v) {
    p[0] = (unsigned char)(v & 0xff);
    p[1] = (unsigned char)((v >> 8) & 0xff);
    p[2] = (unsigned char)((v >> 16) & 0xff);
    p[3] = (unsigned char)((v >> 24) & 0xff);
}

static void put_u16(unsigned char *p, uint16_t v) {
    p[0] = (unsigned char)(v & 0xff);
    p[1] = (unsigned char)((v >> 8) & 0xff);
}

static uint32_t get_u32(const unsigned char *p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static uint16_t get_u16(const unsigned char *p) { return (uint16_t)(p[0] | (p[1] << 8)); }

int yaa_media_wav_write(const char *path, const short *samples, size_t n, int sample_rate,
                        yaa_err *err) {
    if (!path || (n && !samples) || sample_rate <= 0)
        return yaa_err_set(err, YAA_EINVAL, "wav: bad arguments");
    if (n > (UINT32_MAX - 44) / 2)
        return yaa_err_set(err, YAA_ELIMIT, "wav '%s': %zu samples is too long", path, n);
    size_t bytes = 44 + n * 2;
    unsigned char *buf = malloc(bytes);
    if (!buf) return yaa_err_set(err, YAA_ENOMEM, "wav: out of memory");
    memcpy(buf, "RIFF", 4);
    put_u32(buf + 4, (uint32_t)(36 + n * 2));
    memcpy(buf + 8, "WAVEfmt ", 8);
    put_u32(buf + 16, 16);
    put_u16(buf + 20, 1); /* PCM */
    put_u16(buf + 22, 1); /* mono */
    put_u32(buf + 24, (uint32_t)sample_rate);
    put_u32(buf + 28, (uint32_t)sample_rate * 2);
    put_u16(buf + 32, 2);
    put_u16(buf + 34, 16);
    memcpy(buf + 36, "data", 4);
    put_u32(buf + 40, (uint32_t)(n * 2));
    for (size_t i = 0; i < n; i++) put_u16(buf + 44 + 2 * i, (uint16_t)samples[i]);
    int rc = yaa_write_file(path, buf, bytes);
    free(buf);
    if (rc) return yaa_err_set(err, rc, "wav: cannot write '%s': %s", path, strerror(errno));
    return 0;
}

int yaa_media_wav_duration(const char *path, double *duration, yaa_err *err) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return yaa_err_set(err, YAA_ENOTFOUND, "wav: cannot open '%s': %s", path, strerror(errno));
    unsigned char hdr[12];
    int rc = YAA_EPARSE;
    uint32_t byte_rate = 0;
    if (fread(hdr, 1, 12, f) != 12 || memcmp(hdr, "RIFF", 4) || memcmp(hdr + 8, "WAVE", 4))
        goto done;
    for (;;) {
        unsigned char ch[8];
        if (fread(ch, 1, 8, f) != 8) goto done;
        uint32_t size = get_u32(ch + 4);
        if (!memcmp(ch, "fmt ", 4)) {
            unsigned char fmt[16];
            if (size < 16 || fread(fmt, 1, 16, f) != 16) goto done;
            uint16_t channels = get_u16(fmt + 2);
            uint32_t rate = get_u32(fmt + 4);
            uint16_t bits = get_u16(fmt + 14);
            if (!channels || !rate || !bits) goto done;
            byte_rate = rate * channels * (bits / 8u);
            if (fseek(f, (long)size - 16 + (long)(size & 1), SEEK_CUR)) goto done;
        } else if (!memcmp(ch, "data", 4)) {
            if (!byte_rate) goto done;
            *duration = (double)size / byte_rate;
            rc = 0;
            goto done;
        } else if (fseek(f, (long)size + (long)(size & 1), SEEK_CUR)) {
            goto done;
        }
    }
done:
    fclose(f);
    if (rc) return yaa_err_set(err, rc, "wav '%s': not a PCM WAV file", path);
    return 0;
}

int yaa_media__wav_read(const char *path, short **samples, size_t *n, int *rate, yaa_err *err) {
    char *data = NULL;
    size_t len = 0;
    *samples = NULL;
    *n = 0;
    if (yaa_read_file(path, (size_t)256 << 20, &data, &len))
        return yaa_err_set(err, YAA_ENOTFOUND, "wav: cannot read '%s'", path);
    const unsigned char *p = (const unsigned char *)data;
    int rc = YAA_EPARSE;
    uint16_t channels = 0, bits = 0, format = 0;
    uint32_t sr = 0;
    if (len < 12 || memcmp(p, "RIFF", 4) || memcmp(p + 8, "WAVE", 4)) goto done;
    for (size_t at = 12; at + 8 <= len;) {
        uint32_t size = get_u32(p + at + 4);
        const unsigned char *body = p + at + 8;
        size_t avail = len - at - 8;
        if (!memcmp(p + at, "fmt ", 4) && size >= 16 && avail >= 16) {
            format = get_u16(body);
            channels = get_u16(body + 2);
            sr = get_u32(body + 4);
            bits = get_u16(body + 14);
        } else if (!memcmp(p + at, "data", 4)) {
            if (format != 1 || bits != 16 || channels != 1 || !sr) goto done;
            size_t bytes = size < avail ? size : avail; /* a streamed WAV may say 0xFFFFFFFF */
            *n = bytes / 2;
            *samples = malloc((*n ? *n : 1) * sizeof **samples);
            if (!*samples) {
                rc = YAA_ENOMEM;
                goto done;
            }
            for (size_t i = 0; i < *n; i++) (*samples)[i] = (short)get_u16(body + 2 * i);
            *rate = (int)sr;
            rc = 0;
            goto done;
        }
        at += 8 + (size_t)size + (size & 1);
    }
done:
    free(data);
    if (rc) return yaa_err_set(err, rc, "wav '%s': not a 16-bit mono PCM WAV file", path);
    return 0;
}
