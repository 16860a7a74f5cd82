/* caption_pages.c - burned captions drawn once per change instead of once per frame.
 *
 * FFmpeg's ass filter asks libass for every video frame and blends every glyph bitmap into
 * it: about 0.7 ms a 1080p frame, the largest filter cost of a render with burned captions.
 * The captions change only at their events' edges (a word highlighted, a line replaced), so
 * yaa asks the same libass, with the same settings as the filter, for the picture at each
 * edge once, composites it into one transparent band (the union of every caption's box), and
 * writes the bands as an animated PNG whose frame delays are the times between the edges.
 * The render overlays that stream: a straight alpha blend of the band only.
 *
 * Each APNG frame after the first carries only the rectangle that changed since the one
 * before (dispose none, blend source): a highlighted word moving along costs two words'
 * pixels, not the band. Rows are deflated with zlib's run-length strategy (the band is
 * mostly transparent). Times are whole milliseconds (delay n/1000 s; a stretch longer than
 * 65.535 s is split by a one-pixel frame that repeats what is there). */
#include "core/host.h"
#include "media/media_internal.h"

#include <ass/ass.h>
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#define DELAY_MAX_MS 65535

typedef struct {
    int fd;
    uint32_t seq;   /* fcTL/fdAT sequence number */
    uint32_t count; /* frames written */
    z_stream z;
    unsigned char *zbuf;
    size_t zcap;
    int rc;
    bool zinit;
} apng;

static void put32(unsigned char *p, uint32_t v) {
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static void put16(unsigned char *p, unsigned v) {
    p[0] = (unsigned char)(v >> 8);
    p[1] = (unsigned char)v;
}

static void write_all(apng *w, const void *data, size_t n) {
    const unsigned char *p = data;
    while (!w->rc && n) {
        ssize_t k = write(w->fd, p, n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) {
            w->rc = YAA_EIO;
            break;
        }
        p += k;
        n -= (size_t)k;
    }
}

/* One chunk: length, type, data (head then body, either may be empty), CRC of type + data. */
static void chunk(apng *w, const char type[4], const unsigned char *head, size_t hn,
                  const unsigned char *body, size_t bn) {
    unsigned char b[8];
    put32(b, (uint32_t)(hn + bn));
    memcpy(b + 4, type, 4);
    uLong crc = crc32(0, (const Bytef *)type, 4);
    if (hn) crc = crc32(crc, head, (uInt)hn);
    if (bn) crc = crc32(crc, body, (uInt)bn);
    write_all(w, b, 8);
    if (hn) write_all(w, head, hn);
    if (bn) write_all(w, body, bn);
    put32(b, (uint32_t)crc);
    write_all(w, b, 4);
}

/* The deflated rows (filter byte 0, then RGBA) of the w x h rectangle at (x, y) of an image
 * stride bytes a row, into w->zbuf in one call (deflateBound's guarantee); returns its
 * length, 0 on failure. */
static size_t deflate_rect(apng *w, const unsigned char *img, size_t stride, int x, int y, int rw,
                           int rh) {
    size_t row = 1 + 4 * (size_t)rw, raw = (size_t)rh * row,
           need = raw + deflateBound(&w->z, (uLong)raw);
    if (need > w->zcap) {
        unsigned char *nb = realloc(w->zbuf, need);
        if (!nb) return 0;
        w->zbuf = nb;
        w->zcap = need;
    }
    unsigned char *rows = w->zbuf + (w->zcap - raw); /* the rows at the end, the output first */
    for (int r = 0; r < rh; r++) {
        rows[(size_t)r * row] = 0;
        memcpy(rows + (size_t)r * row + 1, img + (size_t)(y + r) * stride + 4 * (size_t)x,
               4 * (size_t)rw);
    }
    if (deflateReset(&w->z) != Z_OK) return 0;
    w->z.next_in = rows;
    w->z.avail_in = (uInt)raw;
    w->z.next_out = w->zbuf;
    w->z.avail_out = (uInt)(w->zcap - raw);
    if (deflate(&w->z, Z_FINISH) != Z_STREAM_END) return 0;
    return (w->zcap - raw) - w->z.avail_out;
}

/* One animation frame: the rectangle (x, y, rw, rh) of img shown for ms milliseconds. */
static void frame(apng *w, const unsigned char *img, size_t stride, int x, int y, int rw, int rh,
                  long ms) {
    unsigned char f[26];
    put32(f, w->seq++);
    put32(f + 4, (uint32_t)rw);
    put32(f + 8, (uint32_t)rh);
    put32(f + 12, (uint32_t)x);
    put32(f + 16, (uint32_t)y);
    put16(f + 20, (unsigned)ms);
    put16(f + 22, 1000);
    f[24] = 0; /* dispose: none (the next frame starts from this one) */
    f[25] = 0; /* blend: source (the rectangle replaces what was there) */
    chunk(w, "fcTL", f, sizeof f, NULL, 0);
    size_t n = deflate_rect(w, img, stride, x, y, rw, rh);
    if (!n) {
        if (!w->rc) w->rc = YAA_ENOMEM;
        return;
    }
    if (w->count == 0) {
        chunk(w, "IDAT", w->zbuf, n, NULL, 0);
    } else {
        unsigned char s[4];
        put32(s, w->seq++);
        chunk(w, "fdAT", s, 4, w->zbuf, n);
    }
    w->count++;
}

/* Shows the rectangle for ms, split into frames of at most DELAY_MAX_MS (the rest repeat one
 * pixel of what is there). */
static void frame_for(apng *w, const unsigned char *img, size_t stride, int x, int y, int rw,
                      int rh, long ms) {
    long first = ms > DELAY_MAX_MS ? DELAY_MAX_MS : ms;
    frame(w, img, stride, x, y, rw, rh, first);
    for (ms -= first; ms > 0 && !w->rc; ms -= DELAY_MAX_MS)
        frame(w, img, stride, 0, 0, 1, 1, ms > DELAY_MAX_MS ? DELAY_MAX_MS : ms);
}

/* ---- libass ---- */

static void quiet(int level, const char *fmt, va_list args, void *data) {
    (void)level, (void)fmt, (void)args, (void)data; /* libass's font notes are not errors */
}

static int cmp_ll(const void *a, const void *b) {
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

/* The edges in [0, end): 0, and every event's start and end; sorted, each once. */
static size_t edges_of(const ASS_Track *t, long long end, long long *e) {
    size_t n = 0;
    e[n++] = 0;
    for (int i = 0; i < t->n_events; i++) {
        long long s = t->events[i].Start, f = s + t->events[i].Duration;
        if (s > 0 && s < end) e[n++] = s;
        if (f > 0 && f < end) e[n++] = f;
    }
    qsort(e, n, sizeof *e, cmp_ll);
    size_t u = 0;
    for (size_t i = 0; i < n; i++)
        if (!u || e[i] != e[u - 1]) e[u++] = e[i];
    return u;
}

/* Whether an event changes while it is on screen - it moves, fades, transforms, sweeps
 * karaoke or scrolls (the Effect field) - which one picture per edge cannot show. Anything
 * that looks like such a tag counts, inside an override block or not: the fallback (the ass
 * filter) is always right, only slower. */
static bool animated(const ASS_Event *ev) {
    if (ev->Effect && *ev->Effect) return true;
    for (const char *p = ev->Text ? strchr(ev->Text, '\\') : NULL; p; p = strchr(p + 1, '\\')) {
        if (!strncmp(p, "\\move", 5) || !strncmp(p, "\\fad", 4) || !strncmp(p, "\\t(", 3))
            return true;
        bool k = p[1] == 'k' || p[1] == 'K';
        if (k && (isdigit((unsigned char)p[2]) ||
                  ((p[2] == 'f' || p[2] == 'o') && isdigit((unsigned char)p[3]))))
            return true;
    }
    return false;
}

/* Grows box (x0, y0, x1, y1; x1 < x0 when empty) by every bitmap of imgs. */
static void grow_box(const ASS_Image *img, int box[4]) {
    for (; img; img = img->next) {
        if (img->w <= 0 || img->h <= 0) continue;
        if (img->dst_x < box[0]) box[0] = img->dst_x;
        if (img->dst_y < box[1]) box[1] = img->dst_y;
        if (img->dst_x + img->w > box[2]) box[2] = img->dst_x + img->w;
        if (img->dst_y + img->h > box[3]) box[3] = img->dst_y + img->h;
    }
}

/* Composites imgs (back to front) over the band at (bx, by): straight-alpha RGBA, the "over"
 * of each bitmap in its colour (libass's colour is RGBT, T = 255 - alpha). */
static void composite(const ASS_Image *img, unsigned char *band, int bw, int bh, int bx, int by) {
    for (; img; img = img->next) {
        unsigned c = img->color, cr = c >> 24, cg = (c >> 16) & 255, cb = (c >> 8) & 255,
                 ca = 255 - (c & 255);
        for (int r = 0; r < img->h; r++) {
            int y = img->dst_y + r - by;
            if (y < 0 || y >= bh) continue;
            const unsigned char *m = img->bitmap + (size_t)r * (size_t)img->stride;
            for (int k = 0; k < img->w; k++) {
                int x = img->dst_x + k - bx;
                if (x < 0 || x >= bw || !m[k]) continue;
                unsigned sa = (m[k] * ca + 127) / 255;
                unsigned char *d = band + ((size_t)y * (size_t)bw + (size_t)x) * 4;
                unsigned da = d[3] * (255 - sa) / 255, oa = sa + da;
                if (!oa) continue;
                d[0] = (unsigned char)((cr * sa + d[0] * da + oa / 2) / oa);
                d[1] = (unsigned char)((cg * sa + d[1] * da + oa / 2) / oa);
                d[2] = (unsigned char)((cb * sa + d[2] * da + oa / 2) / oa);
                d[3] = (unsigned char)oa;
            }
        }
    }
}

/* The rectangle (x, y, w, h) where a and b differ; false when they are the same. */
static bool diff_rect(const unsigned char *a, const unsigned char *b, int w, int h, int r[4]) {
    int x0 = w, y0 = h, x1 = -1, y1 = -1;
    for (int y = 0; y < h; y++) {
        const uint32_t *pa = (const uint32_t *)(a + (size_t)y * (size_t)w * 4),
                       *pb = (const uint32_t *)(b + (size_t)y * (size_t)w * 4);
        if (!memcmp(pa, pb, (size_t)w * 4)) continue;
        int l = 0, rr = w - 1;
        while (pa[l] == pb[l]) l++;
        while (pa[rr] == pb[rr]) rr--;
        if (l < x0) x0 = l;
        if (rr > x1) x1 = rr;
        if (y < y0) y0 = y;
        y1 = y;
    }
    if (x1 < 0) return false;
    r[0] = x0, r[1] = y0, r[2] = x1 - x0 + 1, r[3] = y1 - y0 + 1;
    return true;
}

static double thread_cpu(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct {
    ASS_Library *lib;
    ASS_Renderer *r;
    ASS_Track *t;
} ass_ctx;

static void ass_close(ass_ctx *a) {
    if (a->t) ass_free_track(a->t);
    if (a->r) ass_renderer_done(a->r);
    if (a->lib) ass_library_done(a->lib);
}

static ASS_Image *render_at(ass_ctx *a, long long ms) {
    int changed;
    return ass_render_frame(a->r, a->t, ms, &changed);
}

/* libass set up as FFmpeg's ass filter sets it up: the frame size, fontconfig's fonts. */
static int ass_open(ass_ctx *a, const char *path, int W, int H, yaa_err *err) {
    char *p = strdup(path);
    if (!p || !(a->lib = ass_library_init()))
        return free(p), yaa_err_set(err, YAA_ENOMEM, "captions: out of memory");
    ass_set_message_cb(a->lib, quiet, NULL);
    a->t = ass_read_file(a->lib, p, NULL);
    free(p);
    if (!a->t) return yaa_err_set(err, YAA_EINVAL, "captions '%s': not a readable ASS file", path);
    if (!(a->r = ass_renderer_init(a->lib)))
        return yaa_err_set(err, YAA_ENOMEM, "captions: cannot start libass's renderer");
    ass_set_frame_size(a->r, W, H);
    ass_set_fonts(a->r, NULL, NULL, ASS_FONTPROVIDER_AUTODETECT, NULL, 1);
    return 0;
}

/* The band: the union of every edge's picture, on even coordinates (4:2:0 chroma). */
static bool band_box(ass_ctx *a, const long long *e, size_t ne, int W, int H, int out[4]) {
    int box[4] = {W, H, 0, 0};
    for (size_t i = 0; i < ne; i++) grow_box(render_at(a, e[i]), box);
    if (box[0] < 0) box[0] = 0;
    if (box[1] < 0) box[1] = 0;
    if (box[2] > W) box[2] = W;
    if (box[3] > H) box[3] = H;
    if (box[2] <= box[0] || box[3] <= box[1]) return false;
    box[0] &= ~1, box[1] &= ~1;
    box[2] += box[2] & 1, box[3] += box[3] & 1;
    if (box[2] > W) box[2] = W;
    if (box[3] > H) box[3] = H;
    out[0] = box[0], out[1] = box[1], out[2] = box[2] - box[0], out[3] = box[3] - box[1];
    return true;
}

/* Writes the frames: each edge's band, shown until the next edge (the last until end_ms). */
static void write_frames(ass_ctx *a, apng *w, const long long *e, size_t ne, long long end_ms,
                         const int box[4], unsigned char *cur, unsigned char *prev) {
    size_t bytes = (size_t)box[2] * (size_t)box[3] * 4, stride = (size_t)box[2] * 4;
    int pend[4] = {0, 0, box[2], box[3]}; /* the first frame is the whole band */
    long long since = 0;
    memset(prev, 0, bytes);
    for (size_t i = 0; i < ne && !w->rc; i++) {
        memset(cur, 0, bytes);
        composite(render_at(a, e[i]), cur, box[2], box[3], box[0], box[1]);
        int r[4];
        if (i == 0) {
            memcpy(prev, cur, bytes);
            continue;
        }
        if (!diff_rect(prev, cur, box[2], box[3], r)) continue; /* the same picture goes on */
        frame_for(w, prev, stride, pend[0], pend[1], pend[2], pend[3], (long)(e[i] - since));
        memcpy(pend, r, sizeof r);
        memcpy(prev, cur, bytes);
        since = e[i];
    }
    if (!w->rc)
        frame_for(w, prev, stride, pend[0], pend[1], pend[2], pend[3],
                  end_ms > since ? (long)(end_ms - since) : 1);
}

/* Writes the band's frames (edges e, the last shown until end_ms) as an APNG in a new
 * temporary file of dir: out->path and out->frames; on failure nothing is left. */
static int write_band(ass_ctx *a, const long long *e, size_t ne, long long end_ms, const char *dir,
                      yaa_media__caption_band *out, yaa_err *err) {
    char name[64];
    size_t bytes = (size_t)out->box[2] * (size_t)out->box[3] * 4;
    unsigned char *cur = malloc(bytes), *prev = malloc(bytes);
    apng w = {.fd = -1};
    int rc = 0;
    if (!cur || !prev || deflateInit2(&w.z, 1, Z_DEFLATED, 15, 8, Z_RLE) != Z_OK) {
        rc = yaa_err_set(err, YAA_ENOMEM, "captions: out of memory");
    } else {
        w.zinit = true;
        if (yaa_host_temp_name(name, sizeof name, ".yaa-subs", NULL, ".png") ||
            snprintf(out->path, sizeof out->path, "%s/%s", dir, name) >= (int)sizeof out->path)
            rc = yaa_err_set(err, YAA_ELIMIT, "captions: the folder '%s' is too long", dir);
        else if ((w.fd = open(out->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) < 0)
            rc = yaa_err_set(err, YAA_EIO, "captions: cannot write '%s': %s", out->path,
                             strerror(errno));
    }
    if (!rc && cur && prev) {
        static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
        unsigned char ih[13] = {0}, ac[8] = {0};
        put32(ih, (uint32_t)out->box[2]);
        put32(ih + 4, (uint32_t)out->box[3]);
        ih[8] = 8, ih[9] = 6; /* 8-bit RGBA */
        write_all(&w, sig, sizeof sig);
        chunk(&w, "IHDR", ih, sizeof ih, NULL, 0);
        chunk(&w, "acTL", ac, sizeof ac, NULL, 0); /* the frame count, known at the end */
        write_frames(a, &w, e, ne, end_ms, out->box, cur, prev);
        chunk(&w, "IEND", NULL, 0, NULL, 0);
        /* the count over the placeholder, right after the signature (8) and IHDR (25) */
        put32(ac, w.count);
        if (!w.rc && lseek(w.fd, 33, SEEK_SET) != 33) w.rc = YAA_EIO;
        chunk(&w, "acTL", ac, sizeof ac, NULL, 0);
        if (close(w.fd) && !w.rc) w.rc = YAA_EIO;
        if (w.rc) {
            rc = yaa_err_set(err, w.rc, "captions: cannot write '%s'", out->path);
            unlink(out->path);
        }
        out->frames = w.count;
    }
    if (rc) out->path[0] = 0;
    if (w.zinit) deflateEnd(&w.z);
    free(w.zbuf);
    free(cur);
    free(prev);
    return rc;
}

int yaa_media__caption_band_write(const char *ass_path, int W, int H, double total, const char *dir,
                                  yaa_media__caption_band *out, yaa_err *err) {
    double cpu0 = thread_cpu();
    memset(out, 0, sizeof *out);
    ass_ctx a = {0};
    long long *e = NULL;
    int rc = ass_open(&a, ass_path, W, H, err);
    for (int i = 0; !rc && i < a.t->n_events && !out->animated; i++)
        out->animated = animated(&a.t->events[i]);
    if (!rc && !out->animated) { /* (animated: the ass filter draws it, frame by frame) */
        long long end_ms = (long long)(total * 1000.0) + 1000; /* past the video's end */
        e = malloc(sizeof *e * (2 * (size_t)a.t->n_events + 1));
        size_t ne = e ? edges_of(a.t, end_ms, e) : 0;
        if (!e)
            rc = yaa_err_set(err, YAA_ENOMEM, "captions: out of memory");
        else if (band_box(&a, e, ne, W, H, out->box)) /* else no caption ever shows */
            rc = write_band(&a, e, ne, end_ms, dir, out, err);
    }
    if (rc) out->box[2] = out->box[3] = 0;
    free(e);
    ass_close(&a);
    out->cpu_sec = thread_cpu() - cpu0;
    return rc;
}
