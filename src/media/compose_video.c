/* compose_video.c - the picture track, cheap for still images: each image is one decoded frame,
 * scaled and converted once, then cut into pieces on the output frame grid - a hold while its
 * narration plays and a short xfade into the next image centred on the join, each made by `loop`
 * repeating that one frame on demand (so memory holds one frame per image, whatever the length)
 * - and the pieces are concatenated. Piece ends are rounded on absolute frame numbers, so the
 * track lasts the narration total to within half a frame however many segments there are, and
 * xfade only ever sees the few frames of a transition. Output label [vx]. */
#include "media/internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct piece {
    size_t a, b; /* images; b == a for a hold */
    long frames;
} piece;

/* True when path is a PNG of exactly w x h (its IHDR), so it needs no scale/pad. */
static bool png_is_size(const char *path, int w, int h) {
    unsigned char hdr[24];
    FILE *f = fopen(path, "rb");
    if (!f) return false;
    bool ok = fread(hdr, 1, sizeof hdr, f) == sizeof hdr && !memcmp(hdr, "\x89PNG\r\n\x1a\n", 8) &&
              !memcmp(hdr + 12, "IHDR", 4);
    fclose(f);
    if (!ok) return false;
    long pw = ((long)hdr[16] << 24) | (hdr[17] << 16) | (hdr[18] << 8) | hdr[19];
    long ph = ((long)hdr[20] << 24) | (hdr[21] << 16) | (hdr[22] << 8) | hdr[23];
    return pw == w && ph == h;
}

/* Cuts the timeline into holds and transitions on the frame grid; counts each image's uses. */
static size_t plan_pieces(const double *dur, size_t n, double fade, int fps, piece *p, int *uses) {
    size_t np = 0;
    double at = 0;
    for (size_t i = 0; i < n; i++) {
        double start = at + (i > 0 ? fade / 2 : 0), next = at + dur[i];
        double end = next - (i + 1 < n ? fade / 2 : 0);
        long frames = lround(end * fps) - lround(start * fps);
        if (frames > 0) p[np++] = (piece){i, i, frames}, uses[i]++;
        if (i + 1 < n && fade > 0) {
            frames = lround((next + fade / 2) * fps) - lround((next - fade / 2) * fps);
            if (frames > 0) p[np++] = (piece){i, i + 1, frames}, uses[i]++, uses[i + 1]++;
        }
        at = next;
    }
    return np;
}

/* Each image once: converted (and fitted when it is not a card drawn at the output size),
 * then split into one branch per piece that uses it ([s<i>_<k>]). */
static void prepare_images(yaa_buf *g, const char *const *images, size_t n, const int *uses, int W,
                           int H) {
    for (size_t i = 0; i < n; i++) {
        if (png_is_size(images[i], W, H))
            yaa_buf_printf(g, "[%zu:v]format=yuv420p,setsar=1", i);
        else
            yaa_buf_printf(g,
                           "[%zu:v]format=yuv420p,scale=%d:%d:force_original_aspect_ratio=decrease,"
                           "pad=%d:%d:(ow-iw)/2:(oh-ih)/2,setsar=1",
                           i, W, H, W, H);
        if (uses[i] > 1) {
            yaa_buf_printf(g, ",split=%d", uses[i]);
            for (int k = 0; k < uses[i]; k++) yaa_buf_printf(g, "[s%zu_%d]", i, k);
            yaa_buf_puts(g, ";");
        } else {
            yaa_buf_printf(g, "[s%zu_0];", i);
        }
    }
}

/* One piece [p<k>]: a hold loops its image's frame; a transition loops both and xfades. */
static void emit_piece(yaa_buf *g, const piece *p, size_t k, int *used, int fps) {
    if (p->a == p->b) {
        yaa_buf_printf(g, "[s%zu_%d]loop=loop=%ld:size=1:start=0,setpts=N/%d/TB[p%zu];", p->a,
                       used[p->a]++, p->frames - 1, fps, k);
        return;
    }
    /* one spare frame each, trimmed after: xfade may end a frame early */
    yaa_buf_printf(g,
                   "[s%zu_%d]loop=loop=%ld:size=1:start=0,setpts=N/%d/TB[pa%zu];"
                   "[s%zu_%d]loop=loop=%ld:size=1:start=0,setpts=N/%d/TB[pb%zu];"
                   "[pa%zu][pb%zu]xfade=transition=fade:duration=%.6f:offset=0,"
                   "trim=end_frame=%ld[p%zu];",
                   p->a, used[p->a]++, p->frames, fps, k, p->b, used[p->b]++, p->frames, fps, k, k,
                   k, (double)p->frames / fps, p->frames, k);
}

int yaa__compose_video_graph(yaa_buf *g, const char *const *images, const double *dur, size_t n,
                             double fade, int W, int H, int fps, yaa_err *err) {
    piece *p = calloc(2 * n, sizeof *p);
    int *uses = calloc(n, sizeof *uses), *used = calloc(n, sizeof *used);
    int rc = 0;
    if (!p || !uses || !used) {
        rc = yaa_err_set(err, YAA_ENOMEM, "compose: out of memory");
        goto out;
    }
    size_t np = plan_pieces(dur, n, fade, fps, p, uses);
    prepare_images(g, images, n, uses, W, H);
    for (size_t k = 0; k < np; k++) emit_piece(g, &p[k], k, used, fps);
    for (size_t k = 0; k < np; k++) yaa_buf_printf(g, "[p%zu]", k);
    /* one clean timeline: frame n at n/fps (xfade output carries no frame durations, which
     * would make concat overlap pieces and the muxer drop frames) */
    if (yaa_buf_printf(g, "concat=n=%zu:v=1:a=0,settb=1/%d,setpts=N/%d/TB[vx];", np, fps, fps))
        rc = yaa_err_set(err, YAA_ENOMEM, "compose: filtergraph too large");
out:
    free(p);
    free(uses);
    free(used);
    return rc;
}
