/* compose_video.c - the picture track: a list of shots, each moving (footage plays, stills and
 * cards pan across an enlarged copy), joined by transitions that vary from join to join.
 *
 * Each shot covers the frames it is visible, transitions included, in three pieces: a head (the
 * transition in), a hold and a tail (the transition out); the holds and the transitions of a
 * tail into the next head are concatenated. Every shot is one stream cut into its pieces:
 * footage decoded, a still decoded once and repeated by `loop` (memory holds one frame per
 * picture, whatever its length). The pan is a `crop` whose offset moves per frame, which costs
 * no scaling. A card drawn with its layers (yaa_card.layers) starts as its plain layer with
 * the text layer fading and sliding in over TEXT_IN_SEC once the transition into it is over;
 * only those frames are blended, the rest of the shot is the finished card. Shot ends are
 * rounded on absolute frame numbers, so the track lasts the narration total to within half a
 * frame however many shots there are. Output label [vx]; the lower thirds and a Short's banner
 * go over the joined track afterwards (yaa_media__compose_video_overlays). */
#include "core/util.h"
#include "media/media_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAN_SCALE 1.08  /* a still is enlarged by this much and panned across */
#define PAN_SWING 0.35  /* over this share of the margin each side of the centre */
#define SLIDE_SEC 0.6   /* an overlay slides in (and out) over this long */
#define LOWER_SEC 6.0   /* a lower third is on screen this long once its shot is in */
#define TEXT_IN_SEC 0.5 /* a card's text fades and slides in over this long */
#define TEXT_RISE 40    /* from this many pixels below its place (1080 lines) */
#define MAX_TRANSITIONS 16

static const char DEFAULT_TRANSITIONS[] =
    "fade,slideleft,fadeblack,coverup,fade,slideright,coverleft,slideup";

/* Pan directions, one per shot in turn: every one moves in x or y (or both). */
static const int PAN[][2] = {{1, 0}, {-1, 1}, {0, -1}, {-1, 0}, {1, 1}, {0, 1}, {1, -1}};

typedef struct shot_plan {
    long a, b;        /* absolute frames [a, b) where the shot is visible */
    long head, tail;  /* transition frames shared with the previous / next shot */
    int in, ovl, lay; /* input indices (ovl, lay -1 = none) */
    const int *box;   /* the text layer's box {x, y, w, h} at the frame size */
} shot_plan;

/* True when path is a PNG of exactly w x h (its IHDR): a card needs no fitting. */
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

/* The layers of a card shot (yaa_card.layers) when both lie beside it at the frame size and
 * the text layer has something on it; box gets where (the text is blended only there). */
static bool card_layers(const yaa_shot *s, int W, int H, char plain[4096], char text[4096],
                        int box[4]) {
    if (s->kind != YAA_SHOT_CARD) return false;
    yaa_media__card_layer_path(s->path, "plain", plain, 4096);
    yaa_media__card_layer_path(s->path, "text", text, 4096);
    return png_is_size(s->path, W, H) && png_is_size(plain, W, H) &&
           yaa_media__layer_box(text, W, H, box) == 0;
}

/* The option of a picture input (each is decoded on one thread, see yaa_media__argv_input):
 * the output rate, as pieces joined by concat and xfade must share it. */
static void still_input(yaa_media__argv *a, int fps) {
    yaa_media__argv_add(a, "-framerate");
    yaa_media__argv_addf(a, "%d", fps);
}

int yaa_media__compose_video_inputs(yaa_media__argv *a, const yaa_shot *shots, size_t n, int fps,
                                    int W, int H, const double *len, int first, int *in, int *ovl,
                                    int *lay, int *box) {
    int input = first;
    for (size_t i = 0; i < n; i++, input++) {
        char plain[4096], text[4096];
        lay[i] = card_layers(&shots[i], W, H, plain, text, box + 4 * i) ? 0 : -1;
        if (!lay[i]) { /* the card is made from its layers (still_source) */
            still_input(a, fps);
            yaa_media__argv_input(a, plain);
            in[i] = input;
            continue;
        }
        if (shots[i].kind == YAA_SHOT_FOOTAGE) {
            /* decode only what is shown, looping a clip shorter than its shot (on one thread,
             * as every input: yaa_media__argv_input) */
            yaa_media__argv_add(a, "-ss");
            yaa_media__argv_addf(a, "%.3f", shots[i].clip_start > 0 ? shots[i].clip_start : 0);
            yaa_media__argv_add_list(a, (const char *const[]){"-stream_loop", "-1", "-an", NULL});
            yaa_media__argv_add(a, "-t");
            yaa_media__argv_addf(a, "%.3f", len[i] + 2.0 / fps);
        } else {
            still_input(a, fps);
        }
        yaa_media__argv_input(a, shots[i].path);
        in[i] = input;
    }
    for (size_t i = 0; i < n; i++) {
        ovl[i] = -1;
        if (shots[i].overlay_png && *shots[i].overlay_png) {
            yaa_media__argv_input(a, shots[i].overlay_png);
            ovl[i] = input++;
        }
    }
    for (size_t i = 0; i < n; i++) {
        char text[4096];
        if (lay[i] < 0) continue;
        yaa_media__card_layer_path(shots[i].path, "text", text, sizeof text);
        still_input(a, fps);
        yaa_media__argv_input(a, text);
        lay[i] = input++;
    }
    return input;
}

/* Frame ranges: joins at the cumulative shot ends (scaled to total), transitions of `fade`
 * centred on each join. */
static void plan_shots(const yaa_shot *shots, size_t n, double total, double fade, int fps,
                       shot_plan *p) {
    double sum = 0;
    for (size_t i = 0; i < n; i++) sum += shots[i].duration;
    double k = sum > 0 ? total / sum : 1, at = 0;
    long end_frame = lround(total * fps);
    for (size_t i = 0; i < n; i++) {
        double start = at, end = i + 1 < n ? at + shots[i].duration * k : total;
        p[i].a = i ? lround((start - fade / 2) * fps) : 0;
        p[i].b = i + 1 < n ? lround((end + fade / 2) * fps) : end_frame;
        p[i].head = i ? lround((start + fade / 2) * fps) - p[i].a : 0;
        p[i].tail = i + 1 < n ? p[i].b - lround((end - fade / 2) * fps) : 0;
        at = end;
    }
}

/* The pan over a shot's frames: a crop whose offset swings across the margin's middle
 * (centred when the direction is 0), so a card's text keeps clear of the edges. */
static void pan(yaa_buf *g, size_t i, long frames, int W, int H) {
    const int *d = PAN[i % (sizeof PAN / sizeof PAN[0])];
    double span = frames > 1 ? (double)(frames - 1) : 1;
    yaa_buf_printf(
        g, ",crop=%d:%d:x='(iw-ow)*(0.5+%g*(n/%.0f-0.5))':y='(ih-oh)*(0.5+%g*(n/%.0f-0.5))'", W, H,
        2 * PAN_SWING * d[0], span, 2 * PAN_SWING * d[1], span);
}

/* count frames of one repeated picture on the output grid. */
static void repeat(yaa_buf *g, long count, int fps) {
    yaa_buf_printf(g, "loop=loop=%ld:size=1:start=0,setpts=N/%d/TB", count - 1, fps);
}

/* The lower third (input ovl) over frames [from, from + frames) of the finished track (its
 * window, lower_third_window), [in] -> [out]: sliding in from the left and back out at the
 * window's ends; outside it the overlay passes the frame on untouched. Clear of the captions:
 * above them on 16:9 (bottom edge at 4/5 of the height), on 9:16 under the topic banner, in
 * the upper part the Shorts UI leaves free. A lower third names the section; then the picture
 * has the frame to itself. */
static int lower_third(yaa_buf *g, const char *in, const char *ovl, long from, long frames, int W,
                       int H, int fps, const char *out) {
    int margin = W / 24;
    double on = (double)frames / fps, slide = fmin(SLIDE_SEC, on / 2);
    double t0 = (double)from / fps;
    long last = from + frames - 1;
    char t[48];
    snprintf(t, sizeof t, "(t-%.6f)", t0);
    return yaa_buf_printf(
        g,
        "[%s][%s]overlay=x='if(lt(%s,%.3f),-w+(w+%d)*%s/%.3f,if(gt(%s,%.3f),"
        "%d-(w+%d)*(%s-%.3f)/%.3f,%d))':y=%s:eof_action=repeat:enable='between(n,%ld,%ld)'"
        "[%s];",
        in, ovl, t, slide, margin, t, slide, t, on - slide, margin, margin, t, on - slide, slide,
        margin, H > W ? "H*0.22" : "H*0.8-h", from, last, out);
}

/* A still shot's stream (card or photo), frames frames long, like footage's: the picture
 * decoded and enlarged once (a card drawn at the frame size needs no fitting; anything else is
 * cropped to fill), repeated by `loop` (memory holds one frame, whatever the shot's length) and
 * panned. A card with layers (plain at p->in, text at p->lay) shows the plain layer until the
 * transition into it is over, then the text fading and rising in over frames [head, k), and
 * from frame k on the finished card: the two layers blended once, repeated. The text layer is
 * the box its text covers (layer.c), enlarged like the card, so the fade and the blends cover
 * the text, not the whole frame. Cut into pieces by shot_pieces. */
static void still_source(yaa_buf *g, const yaa_shot *s, const shot_plan *p, size_t i, long frames,
                         int W, int H, int fps) {
    int OW = (int)lround(W * PAN_SCALE / 2) * 2, OH = (int)lround(H * PAN_SCALE / 2) * 2;
    long head = p->head, hold_end = p->b - p->a - p->tail;
    /* the text comes in within the hold (a short hold shortens it; too short, none) */
    long n_in = lround(TEXT_IN_SEC * fps);
    if (n_in > hold_end - head - 1) n_in = hold_end - head - 1;
    bool layered = p->lay >= 0, animated = layered && n_in >= 2;
    long k = animated ? head + n_in : head; /* the first frame of the finished card */
    if (s->kind == YAA_SHOT_CARD && (layered || png_is_size(s->path, W, H)))
        yaa_buf_printf(g, "[%d:v]scale=%d:%d:flags=bilinear", p->in, OW, OH);
    else
        yaa_buf_printf(g,
                       "[%d:v]scale=%d:%d:force_original_aspect_ratio=increase:flags=bilinear,"
                       "crop=%d:%d",
                       p->in, OW, OH, OW, OH);
    yaa_buf_puts(g, ",format=yuv420p,setsar=1");
    if (!layered) {
        yaa_buf_puts(g, ",");
        repeat(g, frames, fps);
        pan(g, i, frames, W, H);
        return;
    }
    const int *b = p->box;
    int bx = (int)lround(b[0] * PAN_SCALE / 2) * 2, by = (int)lround(b[1] * PAN_SCALE / 2) * 2;
    int bw = (int)lround(b[2] * PAN_SCALE / 2) * 2, bh = (int)lround(b[3] * PAN_SCALE / 2) * 2;
    bool plain = k > 0; /* frames shown before the finished card */
    yaa_buf_printf(g, ",split=%d[pb%zu]", 1 + plain, i);
    if (plain) yaa_buf_printf(g, "[pa%zu]", i);
    yaa_buf_printf(g, ";[%d:v]scale=%d:%d:flags=bilinear,format=yuva420p,split=%d[qb%zu]", p->lay,
                   bw, bh, 1 + animated, i);
    if (animated) yaa_buf_printf(g, "[qa%zu]", i);
    yaa_buf_printf(g, ";[pb%zu][qb%zu]overlay=x=%d:y=%d:format=yuv420,", i, i, bx, by);
    repeat(g, frames - k, fps);
    yaa_buf_printf(g, "[fc%zu];", i);
    if (plain) {
        yaa_buf_printf(g, "[pa%zu]", i);
        repeat(g, k, fps);
        if (animated) {
            double du = (double)(n_in - 1) / fps, t0 = (double)head / fps;
            yaa_buf_printf(g, "[pl%zu];[qa%zu]", i, i);
            repeat(g, n_in, fps);
            yaa_buf_printf(g,
                           ",fade=t=in:st=0:d=%.4f:alpha=1,setpts=(N+%ld)/%d/TB[tt%zu];[pl%zu][tt%"
                           "zu]overlay=x=%d:y='%d+%d*pow(1-min(max((t-%.6f)/%.4f,0),1),2)':format="
                           "yuv420:eof_action=pass",
                           du, head, fps, i, i, i, bx, by, (int)lround(TEXT_RISE * H / 1080.0), t0,
                           du);
        }
        yaa_buf_printf(g, "[pt%zu];[pt%zu][fc%zu]concat=n=2:v=1:a=0,settb=1/%d,setpts=N/%d/TB", i,
                       i, i, fps, fps);
    } else {
        yaa_buf_printf(g, "[fc%zu]null", i);
    }
    pan(g, i, frames, W, H);
}

/* A footage shot's stream, frames frames long (looped when the clip is shorter): crop to the
 * frame's shape at the source size first, then scale down: fills the frame (never
 * letterboxed) at the least scaling cost. Cut into pieces by shot_pieces. */
static void footage_source(yaa_buf *g, const shot_plan *p, long frames, int W, int H, int fps) {
    yaa_buf_printf(g,
                   "[%d:v]fps=%d,crop=w='min(iw,ih*%d/%d)':h='min(ih,iw*%d/"
                   "%d)',scale=%d:%d:flags=bilinear,"
                   "setsar=1,format=yuv420p,trim=end_frame=%ld,setpts=N/%d/TB",
                   p->in, fps, W, H, H, W, W, H, frames, fps);
}

/* Splits [v<i>] into head [h<i>], hold [m<i>] and tail [t<i>], each with one spare frame at
 * a transition (xfade may end a frame early; the result is trimmed to the exact length). */
static void shot_pieces(yaa_buf *g, const shot_plan *p, size_t i, long frames, int fps) {
    int outs = 1 + (p->head > 0) + (p->tail > 0);
    yaa_buf_printf(g, ",split=%d", outs);
    if (p->head > 0) yaa_buf_printf(g, "[hs%zu]", i);
    yaa_buf_printf(g, "[ms%zu]", i);
    if (p->tail > 0) yaa_buf_printf(g, "[ts%zu]", i);
    yaa_buf_puts(g, ";");
    if (p->head > 0)
        yaa_buf_printf(g, "[hs%zu]trim=end_frame=%ld,setpts=N/%d/TB[h%zu];", i, p->head + 1, fps,
                       i);
    yaa_buf_printf(g, "[ms%zu]trim=start_frame=%ld:end_frame=%ld,setpts=N/%d/TB[m%zu];", i, p->head,
                   p->b - p->a - p->tail, fps, i);
    if (p->tail > 0)
        yaa_buf_printf(g, "[ts%zu]trim=start_frame=%ld:end_frame=%ld,setpts=N/%d/TB[t%zu];", i,
                       p->b - p->a - p->tail, frames, fps, i);
}

/* The transitions drawn here in the frames' own 4:2:0. FFmpeg 5.1's xfade works in 4:4:4 only,
 * so each of its frames pays two colour conversions in and one out besides the blend: ~13 ms
 * a 1080p frame, where these cost 2-3 ms (a cross-fade is one alpha blend, a slide both
 * pictures side by side and a moving crop, a cover one opaque overlay, a dip one fade).
 * Cross-fades, slides and covers take their inputs through frame sync, which asks for both
 * inputs as soon as a frame reaches either. The next shot's head gets its first frame when the
 * render starts (FFmpeg decodes one of every input to set the graph up), so without a stop
 * the transition would ask for the outgoing tail at once, and a tail cut from a shot's one
 * stream would decode and queue the whole hold before it (~700 MB at 1080p). A `fifo` on the
 * head is that stop: it keeps what it is given until asked, so the transition wakes only when
 * the concatenation reaches it. Dips need no frame sync; any other name is passed to xfade. */
typedef enum { TR_XFADE, TR_FADE, TR_DIP, TR_SLIDE, TR_COVER } transition_kind;
static const struct own_transition {
    const char *name;
    transition_kind kind;
    int dx, dy;         /* the way the pictures move (slide, cover) */
    const char *colour; /* a dip's */
} OWN_TRANSITIONS[] = {
    {"fade", TR_FADE, 0, 0, NULL},        {"fadeblack", TR_DIP, 0, 0, "black"},
    {"fadewhite", TR_DIP, 0, 0, "white"}, {"slideleft", TR_SLIDE, -1, 0, NULL},
    {"slideright", TR_SLIDE, 1, 0, NULL}, {"slideup", TR_SLIDE, 0, -1, NULL},
    {"slidedown", TR_SLIDE, 0, 1, NULL},  {"coverleft", TR_COVER, -1, 0, NULL},
    {"coverright", TR_COVER, 1, 0, NULL}, {"coverup", TR_COVER, 0, -1, NULL},
    {"coverdown", TR_COVER, 0, 1, NULL},
};

/* The eased progress (smoothstep) of frame n of count as an FFmpeg expression, strictly
 * between 0 and 1: moves start and end gently instead of at full speed. */
static void eased(char *e, size_t size, long count) {
    snprintf(e, size, "((n+1)/%ld)*((n+1)/%ld)*(3-2*(n+1)/%ld)", count + 1, count + 1, count + 1);
}

/* The tail of shot i ([t<i>], count frames and a spare) into the head of the next ([h<i+1>],
 * the same), out [x<i>] of exactly count frames. */
static void transition(yaa_buf *g, size_t i, const char *name, long count, int fps) {
    const struct own_transition *o = NULL;
    for (size_t k = 0; k < sizeof OWN_TRANSITIONS / sizeof OWN_TRANSITIONS[0] && !o; k++)
        if (!strcmp(OWN_TRANSITIONS[k].name, name)) o = &OWN_TRANSITIONS[k];
    transition_kind kind = o ? o->kind : TR_XFADE;
    char e[128], pos[192];
    if (kind == TR_FADE || kind == TR_SLIDE || kind == TR_COVER) /* see above */
        yaa_buf_printf(g, "[h%zu]fifo[hq%zu];", i + 1, i + 1);
    eased(e, sizeof e, count);
    double d = (double)count / fps;
    switch (kind) {
    case TR_FADE: /* the next shot's alpha rises 0 -> 1 over the current one */
        yaa_buf_printf(g,
                       "[hq%zu]format=yuva420p,fade=t=in:st=0:d=%.6f:alpha=1[hf%zu];[t%zu][hf%zu]"
                       "overlay=format=yuv420:eof_action=pass",
                       i + 1, d, i, i, i);
        break;
    case TR_DIP: { /* out to the colour over the first half, in from it over the second */
        long half = count / 2;
        const char *c = o->colour;
        yaa_buf_printf(g,
                       "[t%zu]trim=end_frame=%ld,fade=t=out:st=0:d=%.6f:c=%s[da%zu];[h%zu]trim="
                       "start_frame=%ld:end_frame=%ld,setpts=N/%d/TB,fade=t=in:st=0:d=%.6f:c=%s["
                       "db%zu];[da%zu][db%zu]concat=n=2:v=1:a=0",
                       i, half, (double)half / fps, c, i, i + 1, half, count, fps,
                       (double)(count - half) / fps, c, i, i, i);
        break;
    }
    case TR_SLIDE: { /* both pictures side by side, a frame-sized window moving across */
        bool fwd = o->dx < 0 || o->dy < 0; /* the current picture leaves by the left/top */
        snprintf(pos, sizeof pos, fwd ? "%s*%s" : "%s*(1-%s)", o->dx ? "ow" : "oh", e);
        yaa_buf_printf(g, "[%s%zu][%s%zu]%s,crop=w=%s:h=%s:x='%s':y='%s'", fwd ? "t" : "hq",
                       fwd ? i : i + 1, fwd ? "hq" : "t", fwd ? i + 1 : i,
                       o->dx ? "hstack" : "vstack", o->dx ? "iw/2" : "iw", o->dx ? "ih" : "ih/2",
                       o->dx ? pos : "0", o->dx ? "0" : pos);
        break;
    }
    case TR_COVER: /* the next picture moves in over the current one, which holds still */
        snprintf(pos, sizeof pos, "%s%s*(1-%s)", o->dx + o->dy > 0 ? "-" : "", o->dx ? "W" : "H",
                 e);
        yaa_buf_printf(g, "[t%zu][hq%zu]overlay=format=yuv420:eof_action=pass:x='%s':y='%s'", i,
                       i + 1, o->dx ? pos : "0", o->dx ? "0" : pos);
        break;
    case TR_XFADE:
        yaa_buf_printf(g, "[t%zu][h%zu]xfade=transition=%s:duration=%.6f:offset=0", i, i + 1, name,
                       d);
        break;
    }
    yaa_buf_printf(g, ",trim=end_frame=%ld[x%zu];", count, i);
}

/* The transition names to use in turn, from a comma-separated list (kept to safe names). */
static size_t parse_transitions(const char *list, char names[][24]) {
    size_t n = 0;
    const char *s = list && *list ? list : DEFAULT_TRANSITIONS;
    while (*s && n < MAX_TRANSITIONS) {
        size_t len = strcspn(s, ",");
        size_t k = 0;
        for (size_t j = 0; j < len && k < 23; j++)
            if ((s[j] >= 'a' && s[j] <= 'z') || (s[j] >= '0' && s[j] <= '9')) names[n][k++] = s[j];
        names[n][k] = 0;
        if (k) n++;
        s += len + (s[len] == ',');
    }
    if (!n) snprintf(names[n++], 24, "fade");
    return n;
}

int yaa_media__compose_video_graph(yaa_buf *g, const yaa_media__compose_video *v, yaa_err *err) {
    size_t n = v->n;
    shot_plan *p = calloc(n, sizeof *p);
    if (!p) return yaa_err_set(err, YAA_ENOMEM, "compose: out of memory");
    plan_shots(v->shots, n, v->total, v->fade, v->fps, p);
    char names[MAX_TRANSITIONS][24];
    size_t ntr = parse_transitions(v->transitions, names);
    for (size_t i = 0; i < n; i++) {
        p[i].in = v->in[i];
        p[i].ovl = v->ovl[i];
        p[i].lay = v->lay ? v->lay[i] : -1;
        p[i].box = v->box ? v->box + 4 * i : NULL;
        if (!p[i].box) p[i].lay = -1;
        long frames = p[i].b - p[i].a + (p[i].tail > 0); /* + the spare frame of the tail */
        if (v->shots[i].kind == YAA_SHOT_FOOTAGE)
            footage_source(g, &p[i], frames, v->W, v->H, v->fps);
        else
            still_source(g, &v->shots[i], &p[i], i, frames, v->W, v->H, v->fps);
        shot_pieces(g, &p[i], i, frames, v->fps);
    }
    for (size_t i = 0; i + 1 < n; i++)
        if (p[i].tail > 0) transition(g, i, names[i % ntr], p[i].tail, v->fps);
    size_t np = 0;
    for (size_t i = 0; i < n; i++) {
        yaa_buf_printf(g, "[m%zu]", i), np++;
        if (p[i].tail > 0) yaa_buf_printf(g, "[x%zu]", i), np++;
    }
    /* one clean timeline: frame n at n/fps (xfade output carries no frame durations, which
     * would make concat overlap pieces and the muxer drop frames) */
    int rc = yaa_buf_printf(g, "concat=n=%zu:v=1:a=0,settb=1/%d,setpts=N/%d/TB[vx];", np, v->fps,
                            v->fps);
    free(p);
    return rc ? yaa_err_set(err, YAA_ENOMEM, "compose: filtergraph too large") : 0;
}

/* Shot p's lower-third window on the joined track: from the end of its transition in, for
 * LOWER_SEC or the whole hold when shorter (*frames frames, at least one). */
static long lower_third_window(const shot_plan *p, int fps, long *frames) {
    long from = p->a + p->head, hold = p->b - p->tail - from;
    *frames = lround(fmin(LOWER_SEC, (double)(hold < 1 ? 1 : hold) / fps) * fps);
    return from;
}

/* Over frames that are the render's own (a blend before copied each one): one overlay after
 * another on the whole track, each enabled for its window. */
static int lower_thirds_enabled(yaa_buf *g, const yaa_media__compose_video *v, const shot_plan *p,
                                const char *in, const char *out) {
    char from[32], to[32];
    int rc = 0;
    size_t last = v->n;
    for (size_t i = 0; i < v->n; i++)
        if (v->ovl[i] >= 0) last = i;
    snprintf(from, sizeof from, "%s", in);
    for (size_t i = 0; i < v->n; i++) {
        if (v->ovl[i] < 0) continue;
        long frames, start = lower_third_window(&p[i], v->fps, &frames);
        if (i == last)
            snprintf(to, sizeof to, "%s", out);
        else
            snprintf(to, sizeof to, "lt%zu", i);
        char ovl[32];
        snprintf(ovl, sizeof ovl, "%d:v", v->ovl[i]);
        rc |= lower_third(g, from, ovl, start, frames, v->W, v->H, v->fps, to);
        snprintf(from, sizeof from, "%s", to);
    }
    return rc;
}

/* Over frames still shared (a decoder's reference, a looped picture): a blend copies its
 * frame first, so the track is cut (trim passes frames untouched) into the windows and the
 * stretches between them, each window gets its overlay, and the pieces are joined again:
 * only the windows' frames are copied. */
static int lower_thirds_windows(yaa_buf *g, const yaa_media__compose_video *v, const shot_plan *p,
                                const char *in, const char *out) {
    struct piece {
        long from, to; /* to -1 = the rest of the track */
        size_t shot;   /* v->n = a stretch without a lower third */
    } *pc = calloc(2 * v->n + 1, sizeof *pc);
    if (!pc) return -1;
    size_t np = 0;
    long at = 0;
    for (size_t i = 0; i < v->n; i++) {
        if (v->ovl[i] < 0) continue;
        long frames, start = lower_third_window(&p[i], v->fps, &frames);
        if (start > at) pc[np++] = (struct piece){at, start, v->n};
        pc[np++] = (struct piece){start, start + frames, i};
        at = start + frames;
    }
    pc[np++] = (struct piece){at, -1, v->n};
    int rc = yaa_buf_printf(g, "[%s]split=%zu", in, np);
    for (size_t k = 0; k < np; k++) rc |= yaa_buf_printf(g, "[lw%zu]", k);
    rc |= yaa_buf_puts(g, ";");
    for (size_t k = 0; k < np; k++) {
        char cut[32], done[32];
        snprintf(cut, sizeof cut, "lx%zu", k);
        snprintf(done, sizeof done, "lc%zu", k);
        rc |= yaa_buf_printf(g, "[lw%zu]trim=start_frame=%ld", k, pc[k].from);
        if (pc[k].to >= 0) rc |= yaa_buf_printf(g, ":end_frame=%ld", pc[k].to);
        rc |= yaa_buf_printf(g, ",setpts=PTS-STARTPTS[%s];", pc[k].shot < v->n ? cut : done);
        if (pc[k].shot < v->n) { /* the fifo: see transition() - a window's overlay handed its
                                  * picture at start-up would ask for its footage at once, and
                                  * everything before the window would be made and queued */
            char ovl[32];
            snprintf(ovl, sizeof ovl, "lq%zu", k);
            rc |= yaa_buf_printf(g, "[%d:v]fifo[%s];", v->ovl[pc[k].shot], ovl);
            rc |= lower_third(g, cut, ovl, 0, pc[k].to - pc[k].from, v->W, v->H, v->fps, done);
        }
    }
    for (size_t k = 0; k < np; k++) rc |= yaa_buf_printf(g, "[lc%zu]", k);
    rc |= yaa_buf_printf(g, "concat=n=%zu:v=1:a=0,settb=1/%d,setpts=N/%d/TB[%s];", np, v->fps,
                         v->fps, out);
    free(pc);
    return rc;
}

int yaa_media__compose_video_overlays(yaa_buf *g, const yaa_media__compose_video *v, const char *in,
                                      const char *out, bool owned, yaa_err *err) {
    shot_plan *p = calloc(v->n ? v->n : 1, sizeof *p);
    if (!p) return yaa_err_set(err, YAA_ENOMEM, "compose: out of memory");
    plan_shots(v->shots, v->n, v->total, v->fade, v->fps, p);
    bool thirds = false;
    for (size_t i = 0; i < v->n; i++) thirds |= v->ovl[i] >= 0;
    const char *from = in;
    int rc = 0;
    if (v->banner_in >= 0) { /* a Short's topic, below the top UI strip, over every frame */
        rc |= yaa_buf_printf(g, "[%s][%d:v]overlay=x=(W-w)/2:y=H/9:eof_action=repeat[%s];", in,
                             v->banner_in, thirds ? "bn" : out);
        from = "bn";
        owned = true; /* its blend copied every frame */
    }
    if (thirds)
        rc |= owned ? lower_thirds_enabled(g, v, p, from, out)
                    : lower_thirds_windows(g, v, p, from, out);
    else if (v->banner_in < 0)
        rc |= yaa_buf_printf(g, "[%s]null[%s];", in, out);
    free(p);
    return rc ? yaa_err_set(err, YAA_ENOMEM, "compose: filtergraph too large") : 0;
}
