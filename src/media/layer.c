/* layer.c - a card's text layer saved as only the box its text covers, with the box's place on
 * the frame in the PNG's standard oFFs chunk (image position, in pixels), and read back by
 * the render from the file's first bytes. The render fades and blends the text in over a
 * card's first half second: on the box alone that is an eighth of the work of the whole frame,
 * and finding the box needs no decoding of the picture at render time. */
#include "core/buf.h"
#include "media/media_internal.h"

#include <cairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BOX_PAD 8 /* transparent pixels kept round the text (the render's scaler reaches them) */

/* The box of s's pixels with any alpha, grown by BOX_PAD, on even coordinates (4:2:0 chroma);
 * -1 when nothing is drawn. */
static int alpha_box(cairo_surface_t *s, int box[4]) {
    cairo_surface_flush(s);
    int w = cairo_image_surface_get_width(s), h = cairo_image_surface_get_height(s);
    int stride = cairo_image_surface_get_stride(s);
    const unsigned char *d = cairo_image_surface_get_data(s);
    int x0 = w, y0 = h, x1 = -1, y1 = -1;
    for (int y = 0; d && y < h; y++) {
        const uint32_t *row = (const uint32_t *)(const void *)(d + (size_t)y * (size_t)stride);
        for (int x = 0; x < w; x++) {
            if (!(row[x] >> 24)) continue; /* ARGB32: alpha in the top byte */
            x0 = x < x0 ? x : x0;
            x1 = x > x1 ? x : x1;
            y0 = y < y0 ? y : y0;
            y1 = y;
        }
    }
    if (x1 < 0) return -1;
    x0 = (x0 - BOX_PAD > 0 ? x0 - BOX_PAD : 0) & ~1;
    y0 = (y0 - BOX_PAD > 0 ? y0 - BOX_PAD : 0) & ~1;
    x1 = x1 + 1 + BOX_PAD < w ? x1 + 1 + BOX_PAD : w;
    y1 = y1 + 1 + BOX_PAD < h ? y1 + 1 + BOX_PAD : h;
    box[0] = x0, box[1] = y0, box[2] = (x1 - x0 + 1) & ~1, box[3] = (y1 - y0 + 1) & ~1;
    if (x0 + box[2] > w) box[2] -= 2;
    if (y0 + box[3] > h) box[3] -= 2;
    return box[2] > 0 && box[3] > 0 ? 0 : -1;
}

static uint32_t crc32_png(const unsigned char *p, size_t n) {
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
    }
    return c ^ 0xFFFFFFFFu;
}

static void put32(unsigned char *p, uint32_t v) {
    p[0] = (unsigned char)(v >> 24), p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8), p[3] = (unsigned char)v;
}

static uint32_t get32(const unsigned char *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static cairo_status_t to_buf(void *closure, const unsigned char *data, unsigned int len) {
    return yaa_buf_append((yaa_buf *)closure, data, len) ? CAIRO_STATUS_NO_MEMORY
                                                         : CAIRO_STATUS_SUCCESS;
}

int yaa_media__layer_save(struct _cairo_surface *t, const char *path, yaa_err *err) {
    int box[4];
    if (alpha_box(t, box)) { /* no text: no layer, the card is shown whole */
        unlink(path);
        return 0;
    }
    cairo_surface_t *cut = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, box[2], box[3]);
    cairo_t *cr = cairo_create(cut);
    cairo_set_source_surface(cr, t, -box[0], -box[1]);
    cairo_set_operator(cr, CAIRO_OPERATOR_SOURCE);
    cairo_paint(cr);
    cairo_destroy(cr);
    yaa_buf png;
    yaa_buf_init(&png, 256u << 20);
    cairo_status_t st = cairo_surface_write_to_png_stream(cut, to_buf, &png);
    cairo_surface_destroy(cut);
    /* the oFFs chunk right after IHDR (signature 8 + IHDR 25 bytes): x, y, unit 0 = pixels */
    unsigned char ch[21];
    int rc = 0;
    if (st != CAIRO_STATUS_SUCCESS || png.len < 33 || memcmp(png.data + 12, "IHDR", 4)) {
        rc = yaa_err_set(err, YAA_EIO, "cannot write '%s': %s", path,
                         st != CAIRO_STATUS_SUCCESS ? cairo_status_to_string(st) : "bad PNG");
    } else {
        put32(ch, 9);
        memcpy(ch + 4, "oFFs", 4);
        put32(ch + 8, (uint32_t)box[0]);
        put32(ch + 12, (uint32_t)box[1]);
        ch[16] = 0;
        put32(ch + 17, crc32_png(ch + 4, 13));
        yaa_buf out;
        yaa_buf_init(&out, 256u << 20);
        int b = yaa_buf_append(&out, png.data, 33) | yaa_buf_append(&out, ch, sizeof ch) |
                yaa_buf_append(&out, png.data + 33, png.len - 33);
        if (b || yaa_write_file(path, out.data, out.len))
            rc = yaa_err_set(err, YAA_EIO, "cannot write '%s'", path);
        yaa_buf_free(&out);
    }
    yaa_buf_free(&png);
    return rc;
}

int yaa_media__layer_box(const char *png, int W, int H, int box[4]) {
    FILE *f = fopen(png, "rb");
    if (!f) return -1;
    unsigned char h[33];
    int rc = -1;
    if (fread(h, 1, sizeof h, f) == sizeof h && !memcmp(h, "\x89PNG\r\n\x1a\n", 8) &&
        !memcmp(h + 12, "IHDR", 4)) {
        uint32_t w = get32(h + 16), ht = get32(h + 20);
        long x = 0, y = 0;
        bool offs = false;
        unsigned char c[17];
        /* the chunks before the picture data, looking for oFFs */
        while (fread(c, 1, 8, f) == 8 && memcmp(c + 4, "IDAT", 4)) {
            uint32_t len = get32(c);
            if (!memcmp(c + 4, "oFFs", 4) && len == 9) {
                if (fread(c + 8, 1, 9, f) != 9) break;
                if (c[16] == 0) { /* in pixels */
                    x = (long)(int32_t)get32(c + 8), y = (long)(int32_t)get32(c + 12);
                    offs = true;
                }
                len = 0;
            }
            if (fseek(f, (long)len + 4, SEEK_CUR)) break;
        }
        /* a layer at the frame size (no offset), or a box inside the frame on even numbers */
        bool full = !offs && w == (uint32_t)W && ht == (uint32_t)H;
        bool inside = offs && x >= 0 && y >= 0 && x % 2 == 0 && y % 2 == 0 && w && ht &&
                      x + (long)w <= W && y + (long)ht <= H;
        if (full || inside) {
            box[0] = (int)x, box[1] = (int)y, box[2] = (int)w, box[3] = (int)ht;
            rc = 0;
        }
    }
    fclose(f);
    return rc;
}
