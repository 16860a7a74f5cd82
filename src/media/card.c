/* card.c - section cards (1920x1080 or 1080x1920) and the 1280x720 thumbnail, drawn with
 * cairo + pango in the brand palette; text wraps and shrinks to fit its box, and every
 * layout is checked for unknown glyphs (boxes) with a CJK fallback. */
#include "core/host.h"
#include "core/log.h"
#include "media/media_internal.h"

#include <cairo.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct rgb {
    double r, g, b;
} rgb;

typedef struct colours {
    rgb bg, accent, text, muted;
} colours;

static int parse_hex(const char *s, rgb *out) {
    if (!s || s[0] != '#' || strlen(s) != 7) return -1;
    unsigned v = 0;
    for (int i = 1; i < 7; i++) {
        char c = s[i];
        unsigned d = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
                     : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                     : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10)
                                            : 99u;
        if (d > 15) return -1;
        v = v * 16 + d;
    }
    out->r = ((v >> 16) & 0xff) / 255.0;
    out->g = ((v >> 8) & 0xff) / 255.0;
    out->b = (v & 0xff) / 255.0;
    return 0;
}

static double lin(double c) { return c <= 0.03928 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4); }
static double luminance(rgb c) { return 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b); }
static double contrast(rgb a, rgb b) {
    double la = luminance(a), lb = luminance(b);
    return la > lb ? (la + 0.05) / (lb + 0.05) : (lb + 0.05) / (la + 0.05);
}

/* White or near-black, whichever reads better on bg. */
static rgb readable_on(rgb bg) {
    rgb white = {1, 1, 1}, black = {0.07, 0.07, 0.07};
    return contrast(white, bg) >= contrast(black, bg) ? white : black;
}

/* palette[0] background, [1] accent, [2] text; unreadable text colours become white/black. */
static colours pick_colours(const yaa_brand_look *look) {
    colours c = {{0.10, 0.12, 0.18}, {0.96, 0.62, 0.04}, {1, 1, 1}, {0.8, 0.8, 0.8}};
    size_t np = look ? look->npalette : 0;
    rgb t;
    if (np > 0 && !parse_hex(look->palette[0], &t)) c.bg = t;
    if (np > 1 && !parse_hex(look->palette[1], &t)) c.accent = t;
    bool have_text = np > 2 && !parse_hex(look->palette[2], &t);
    c.text = have_text && contrast(t, c.bg) >= 4.5 ? t : readable_on(c.bg);
    if (contrast(c.text, c.bg) < 4.5 && contrast((rgb){0, 0, 0}, c.bg) > contrast(c.text, c.bg))
        c.text = (rgb){0, 0, 0}; /* a mid-grey background: only pure black reaches 4.5:1 */
    if (contrast(c.accent, c.bg) < 1.8) c.accent = c.text;
    c.muted = c.text;
    return c;
}

static void set_rgb(cairo_t *cr, rgb c, double a) { cairo_set_source_rgba(cr, c.r, c.g, c.b, a); }

/* Korean is wrapped between words, never inside one (CSS word-break: keep-all): a WORD JOINER
 * (U+2060, invisible) goes between adjacent Hangul syllables. A word wider than the whole line
 * still breaks (PANGO_WRAP_WORD_CHAR). Caller frees. */
static char *keep_hangul_words(const char *in) {
    size_t n = strlen(in);
    char *o = malloc(n * 2 + 1), *p = o;
    if (!o) return NULL;
    uint32_t prev = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        uint32_t cp = yaa_media__utf8_next(in, &j);
        bool hangul = cp >= 0xAC00 && cp <= 0xD7A3;
        if (hangul && prev >= 0xAC00 && prev <= 0xD7A3) {
            memcpy(p, "\xE2\x81\xA0", 3);
            p += 3;
        }
        memcpy(p, in + i, j - i);
        p += j - i;
        prev = cp;
        i = j;
    }
    *p = 0;
    return o;
}

/* True when pango had to wrap a line inside a word (PANGO_WRAP_WORD_CHAR falls back to that
 * for a word wider than the line): a line starts where the text allows no line break. */
static bool broke_inside_word(PangoLayout *l) {
    int n = 0;
    const PangoLogAttr *attrs = pango_layout_get_log_attrs_readonly(l, &n);
    const char *text = pango_layout_get_text(l);
    for (GSList *it = pango_layout_get_lines_readonly(l); it; it = it->next) {
        const PangoLayoutLine *line = it->data;
        if (line->start_index == 0) continue;
        int at = (int)g_utf8_pointer_to_offset(text, text + line->start_index);
        if (at < n && !attrs[at].is_line_break) return true;
    }
    return false;
}

/* A layout of text in the picked family, wrapped to w and shrunk until it fits h and
 * max_lines (ellipsized at the smallest size). *overflow (when given) becomes true when even
 * the smallest size did not fit: pango ellipsized it, wrapped it inside a word, or its
 * measured extents still pass the box. Caller unrefs. */
static PangoLayout *fit_text(cairo_t *cr, PangoContext *pctx, const char *pref, const char *text,
                             bool bold, double w, double h, double max_px, double min_px,
                             int max_lines, bool *overflow) {
    char family[160];
    yaa_media_font_pick(pref, text, family, sizeof family);
    pango_cairo_update_context(cr, pctx);
    PangoLayout *l = pango_layout_new(pctx);
    PangoFontDescription *fd = pango_font_description_new();
    pango_font_description_set_family(fd, family);
    pango_font_description_set_weight(fd, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    char *kept = keep_hangul_words(text);
    pango_layout_set_text(l, kept ? kept : text, -1);
    free(kept);
    pango_layout_set_width(l, (int)(w * PANGO_SCALE));
    pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
    double px = max_px;
    for (;;) {
        pango_font_description_set_absolute_size(fd, px * PANGO_SCALE);
        pango_layout_set_font_description(l, fd);
        pango_layout_set_spacing(l, (int)(px * 0.15 * PANGO_SCALE));
        int lw, lh;
        pango_layout_get_pixel_size(l, &lw, &lh);
        if ((lh <= h && pango_layout_get_line_count(l) <= max_lines && !broke_inside_word(l)) ||
            px <= min_px)
            break;
        px = px * 0.92 < min_px ? min_px : px * 0.92;
    }
    int lw, lh;
    pango_layout_get_pixel_size(l, &lw, &lh);
    if (lh > h || pango_layout_get_line_count(l) > max_lines) {
        pango_layout_set_height(l, -max_lines);
        pango_layout_set_ellipsize(l, PANGO_ELLIPSIZE_END);
    }
    PangoRectangle ink, logical;
    pango_layout_get_pixel_extents(l, &ink, &logical);
    if (overflow &&
        (pango_layout_is_ellipsized(l) || logical.height > h + 0.5 || logical.width > w + 0.5 ||
         pango_layout_get_line_count(l) > max_lines || broke_inside_word(l)))
        *overflow = true;
    if (pango_layout_get_unknown_glyphs_count(l) > 0) {
        pango_font_description_set_family(fd, "Noto Sans CJK KR");
        pango_layout_set_font_description(l, fd);
        int unknown = pango_layout_get_unknown_glyphs_count(l);
        if (unknown > 0)
            yaa_log_ev(YAA_LOG_WARN, "media", "text has characters no installed font can draw",
                       YAA_F_INT("unknown_glyphs", unknown), YAA_F_END);
    }
    pango_font_description_free(fd);
    return l;
}

static void draw_layout(cairo_t *cr, PangoLayout *l, double x, double y, rgb c) {
    cairo_move_to(cr, x, y);
    set_rgb(cr, c, 1);
    pango_cairo_show_layout(cr, l);
}

/* Paints a PNG scaled to cover w x h, then a veil of the background colour over it. */
static void draw_background_png(cairo_t *cr, const char *png, double w, double h, rgb veil,
                                double alpha) {
    cairo_surface_t *img = cairo_image_surface_create_from_png(png);
    if (cairo_surface_status(img) == CAIRO_STATUS_SUCCESS) {
        double iw = cairo_image_surface_get_width(img), ih = cairo_image_surface_get_height(img);
        double s = fmax(w / iw, h / ih);
        cairo_save(cr);
        cairo_translate(cr, (w - iw * s) / 2, (h - ih * s) / 2);
        cairo_scale(cr, s, s);
        cairo_set_source_surface(cr, img, 0, 0);
        cairo_paint(cr);
        cairo_restore(cr);
        set_rgb(cr, veil, alpha);
        cairo_paint(cr);
    } else {
        yaa_log_ev(YAA_LOG_WARN, "media", "background picture unreadable; drawing a plain card",
                   YAA_F_STR("path", png), YAA_F_END);
    }
    cairo_surface_destroy(img);
}

static int save_png(cairo_surface_t *s, const char *path, yaa_err *err) {
    char tmp[4096]; /* our own name: two attempts drawing one card never share it */
    if (yaa_host_temp_name(tmp, sizeof tmp, path, ".tmp", NULL))
        return yaa_err_set(err, YAA_ELIMIT, "the path '%s' is too long", path);
    cairo_surface_flush(s);
    cairo_status_t st = cairo_surface_write_to_png(s, tmp);
    if (st != CAIRO_STATUS_SUCCESS) {
        unlink(tmp);
        return yaa_err_set(err, YAA_EIO, "cannot write '%s': %s", path, cairo_status_to_string(st));
    }
    if (rename(tmp, path)) {
        unlink(tmp);
        return yaa_err_set(err, YAA_EIO, "cannot write '%s': %s", path, strerror(errno));
    }
    return 0;
}

/* Each render owns its font map (pango's default one is per thread and never freed), so
 * memory stays bounded and nothing outlives the call. */
static void release_fonts(PangoContext *pctx, PangoFontMap *fm) {
    g_object_unref(pctx);
    g_object_unref(fm);
}

/* The start of a card or thumbnail: a W x H picture in the background colour, with bg_png
 * (when given) under a veil of it, and the render's own fonts. finish_png ends it. */
static cairo_t *open_canvas(double W, double H, rgb bg, const char *bg_png, double veil,
                            cairo_surface_t **s, PangoFontMap **fm, PangoContext **pctx) {
    *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)W, (int)H);
    cairo_t *cr = cairo_create(*s);
    *fm = pango_cairo_font_map_new();
    *pctx = pango_font_map_create_context(*fm);
    set_rgb(cr, bg, 1);
    cairo_paint(cr);
    if (bg_png && *bg_png) draw_background_png(cr, bg_png, W, H, bg, veil);
    return cr;
}

/* The end of every render: drawing and fonts released, the picture saved, the surface freed. */
static int finish_png(cairo_t *cr, PangoContext *pctx, PangoFontMap *fm, cairo_surface_t *s,
                      const char *png_path, yaa_err *err) {
    cairo_destroy(cr);
    release_fonts(pctx, fm);
    int rc = save_png(s, png_path, err);
    cairo_surface_destroy(s);
    return rc;
}

void yaa_media__card_layer_path(const char *png, const char *layer, char *out, size_t n) {
    size_t len = strlen(png);
    if (len > 4 && !strcmp(png + len - 4, ".png")) len -= 4;
    snprintf(out, n, "%.*s.%s.png", (int)len, png, layer);
}

/* The card's layers beside png_path: the card without the text, then the text alone (t is
 * painted onto s afterwards for the card itself). */
static int save_layers(cairo_surface_t *s, cairo_surface_t *t, const char *png_path, yaa_err *err) {
    char path[4096];
    yaa_media__card_layer_path(png_path, "plain", path, sizeof path);
    int rc = save_png(s, path, err);
    yaa_media__card_layer_path(png_path, "text", path, sizeof path);
    return rc ? rc : yaa_media__layer_save(t, path, err);
}

static void rounded_rect(cairo_t *cr, double x, double y, double w, double h, double r) {
    cairo_new_sub_path(cr);
    cairo_arc(cr, x + w - r, y + r, r, -M_PI / 2, 0);
    cairo_arc(cr, x + w - r, y + h - r, r, 0, M_PI / 2);
    cairo_arc(cr, x + r, y + h - r, r, M_PI / 2, M_PI);
    cairo_arc(cr, x + r, y + r, r, M_PI, 3 * M_PI / 2);
    cairo_close_path(cr);
}

int yaa_media_card_render(const yaa_brand_look *look, const yaa_card *card, bool vertical,
                          const char *png_path, yaa_err *err) {
    if (!card || !png_path) return yaa_err_set(err, YAA_EINVAL, "card: missing card or path");
    const double W = vertical ? 1080 : 1920, H = vertical ? 1920 : 1080;
    const char *pref = look ? look->font_preference : NULL;
    colours c = pick_colours(look);
    cairo_surface_t *s;
    PangoFontMap *fm;
    PangoContext *pctx;
    cairo_t *cr = open_canvas(W, H, c.bg, card->background_png, 0.6, &s, &fm, &pctx);

    const double m = vertical ? 90 : 120; /* margin */
    /* accent bar down the left edge, and a soft band at the bottom */
    set_rgb(cr, c.accent, 1);
    cairo_rectangle(cr, 0, 0, vertical ? W : 24, vertical ? 24 : H);
    cairo_fill(cr);

    /* on 9:16 the top is the Shorts UI and the topic banner: content starts below them */
    double y = vertical ? 460 : 140;
    if (card->number > 0) {
        double r = vertical ? 70 : 64;
        set_rgb(cr, c.accent, 1);
        cairo_arc(cr, m + r, y + r, r, 0, 2 * M_PI);
        cairo_fill(cr);
        char num[32];
        snprintf(num, sizeof num, "%d", card->number);
        PangoLayout *nl = fit_text(cr, pctx, pref, num, true, 2 * r, 2 * r, r * 1.1, 20, 1, NULL);
        int lw, lh;
        pango_layout_get_pixel_size(nl, &lw, &lh);
        rgb on_accent = readable_on(c.accent);
        draw_layout(cr, nl, m + r - lw / 2.0, y + r - lh / 2.0, on_accent);
        g_object_unref(nl);
        if (card->total > 0) {
            char tot[64];
            snprintf(tot, sizeof tot, "%d / %d", card->number, card->total);
            PangoLayout *tl = fit_text(cr, pctx, pref, tot, false, 400, 60, 40, 20, 1, NULL);
            pango_layout_get_pixel_size(tl, &lw, &lh);
            draw_layout(cr, tl, m + 2 * r + 32, y + r - lh / 2.0, c.muted);
            g_object_unref(tl);
        }
        y += 2 * r + (vertical ? 80 : 56);
    }
    double box_w = W - 2 * m;
    /* the heading and key line go on their own layer when the card's layers are asked for */
    cairo_surface_t *ts =
        card->layers ? cairo_image_surface_create(CAIRO_FORMAT_ARGB32, (int)W, (int)H) : NULL;
    cairo_t *bg = cr;
    if (ts) cr = cairo_create(ts);
    const char *heading = card->heading && *card->heading ? card->heading : "";
    const char *key = card->key_line && *card->key_line ? card->key_line : "";
    /* the lower band stays free for burned-in subtitles (lower third; higher on shorts) */
    double bottom = H - (vertical ? 760 : 250);
    double heading_h = (bottom - y) * (*key ? 0.5 : 1.0);
    if (*heading) {
        PangoLayout *hl = fit_text(cr, pctx, pref, heading, true, box_w, heading_h,
                                   vertical ? 110 : 104, 40, 3, card->overflow);
        int lw, lh;
        pango_layout_get_pixel_size(hl, &lw, &lh);
        draw_layout(cr, hl, m, y, c.text);
        g_object_unref(hl);
        y += lh + 30;
        set_rgb(cr, c.accent, 1);
        cairo_rectangle(cr, m, y, 160, 10);
        cairo_fill(cr);
        y += 60;
    }
    if (*key && bottom - y > 60) {
        PangoLayout *kl = fit_text(cr, pctx, pref, key, false, box_w, bottom - y,
                                   vertical ? 76 : 64, 30, 5, card->overflow);
        draw_layout(cr, kl, m, y, c.text);
        g_object_unref(kl);
    }
    if (ts) cairo_destroy(cr), cr = bg;
    if (look && look->brand_name && *look->brand_name) {
        PangoLayout *bl =
            fit_text(cr, pctx, pref, look->brand_name, true, W / 2, 60, 40, 20, 1, NULL);
        int lw, lh;
        pango_layout_get_pixel_size(bl, &lw, &lh);
        draw_layout(cr, bl, W - m - lw, H - (vertical ? 200 : 70) - lh, c.accent);
        g_object_unref(bl);
    }
    if (ts) { /* the layers, then the text painted onto the card */
        int rc = save_layers(s, ts, png_path, err);
        cairo_set_source_surface(cr, ts, 0, 0);
        cairo_paint(cr);
        cairo_surface_destroy(ts);
        if (rc) {
            cairo_destroy(cr);
            release_fonts(pctx, fm);
            cairo_surface_destroy(s);
            return rc;
        }
    }
    return finish_png(cr, pctx, fm, s, png_path, err);
}

/* The thumbnail's layout, from the brand guide's thumbnail_style words (docs/MEDIA.md). */
typedef struct thumb_layout {
    int align;          /* 0 left, 1 centre, 2 right */
    double text_px;     /* the hook's largest size */
    double veil;        /* how much the background colour covers the picture */
    bool slab, outline; /* the accent slab; an outline round the letters */
    bool have_bg, have_text;
    rgb bg, text;
} thumb_layout;

/* True when style holds w as whole word(s), any case. */
static bool has_word(const char *style, const char *w) {
    size_t n = strlen(w);
    for (const char *p = style; (p = strcasestr(p, w)); p++) {
        bool start = p == style || !isalpha((unsigned char)p[-1]);
        if (start && !isalpha((unsigned char)p[n])) return true;
    }
    return false;
}

static thumb_layout thumb_layout_pick(const char *style) {
    thumb_layout t = {0, 120, 0.45, true, false, false, false, {0, 0, 0}, {1, 1, 1}};
    if (!style || !*style) return t;
    if (has_word(style, "dark") || has_word(style, "moody")) {
        t.have_bg = true, t.bg = (rgb){0.06, 0.06, 0.07}, t.veil = 0.6;
    } else if (has_word(style, "light") || has_word(style, "white background") ||
               has_word(style, "bright")) {
        t.have_bg = true, t.bg = (rgb){0.97, 0.97, 0.96}, t.veil = 0.7;
    }
    if (has_word(style, "bold") || has_word(style, "big") || has_word(style, "large"))
        t.text_px = 140, t.outline = true;
    if (has_word(style, "minimal") || has_word(style, "clean"))
        t.text_px = 96, t.slab = false, t.outline = false;
    if (has_word(style, "outline") || has_word(style, "outlined")) t.outline = true;
    if (has_word(style, "centre") || has_word(style, "center") || has_word(style, "centred") ||
        has_word(style, "centered"))
        t.align = 1;
    else if (has_word(style, "right"))
        t.align = 2;
    static const struct {
        const char *name;
        rgb c;
    } C[] = {{"yellow", {1, 0.85, 0.1}}, {"white", {1, 1, 1}},       {"black", {0.05, 0.05, 0.05}},
             {"red", {0.9, 0.12, 0.12}}, {"orange", {1, 0.55, 0.1}}, {"green", {0.2, 0.75, 0.3}},
             {"blue", {0.2, 0.45, 0.95}}};
    /* "<colour> text" names the text colour ("white background" does not) */
    for (size_t i = 0; i < sizeof C / sizeof *C; i++) {
        char phrase[32];
        snprintf(phrase, sizeof phrase, "%s text", C[i].name);
        if (has_word(style, phrase)) t.have_text = true, t.text = C[i].c;
    }
    return t;
}

int yaa_media_thumbnail_render(const yaa_brand_look *look, const char *title,
                               const char *background_png, const char *png_path, bool *overflow,
                               yaa_err *err) {
    if (!png_path) return yaa_err_set(err, YAA_EINVAL, "thumbnail: missing path");
    const double W = 1280, H = 720, m = 70;
    const char *pref = look ? look->font_preference : NULL;
    colours c = pick_colours(look);
    thumb_layout k = thumb_layout_pick(look ? look->thumbnail_style : NULL);
    if (k.have_bg) {
        c.bg = k.bg;
        if (contrast(c.text, c.bg) < 4.5) c.text = readable_on(c.bg);
    }
    if (k.have_text && contrast(k.text, c.bg) >= 3.0) c.text = k.text; /* large text: 3:1 */
    cairo_surface_t *s;
    PangoFontMap *fm;
    PangoContext *pctx;
    cairo_t *cr = open_canvas(W, H, c.bg, background_png, k.veil, &s, &fm, &pctx);
    double slab_w = 0;
    if (k.slab) { /* a diagonal accent slab on the right for energy */
        slab_w = 220;
        set_rgb(cr, c.accent, 0.9);
        cairo_move_to(cr, W - 260, 0);
        cairo_line_to(cr, W, 0);
        cairo_line_to(cr, W, H);
        cairo_line_to(cr, W - 120, H);
        cairo_close_path(cr);
        cairo_fill(cr);
    }

    const char *t = title && *title ? title : "";
    PangoLayout *tl = fit_text(cr, pctx, pref, t, true, W - 2 * m - slab_w, H - 2 * m - 120,
                               k.text_px, 36, 3, overflow);
    pango_layout_set_alignment(tl, k.align == 1   ? PANGO_ALIGN_CENTER
                                   : k.align == 2 ? PANGO_ALIGN_RIGHT
                                                  : PANGO_ALIGN_LEFT);
    int lw, lh;
    pango_layout_get_pixel_size(tl, &lw, &lh);
    double ty = (H - 120 - lh) / 2.0 + 20;
    if (k.outline) { /* letters stroked in the opposite tone stand out of any picture */
        cairo_move_to(cr, m, ty);
        pango_cairo_layout_path(cr, tl);
        set_rgb(cr, luminance(c.text) > 0.4 ? (rgb){0, 0, 0} : (rgb){1, 1, 1}, 0.9);
        cairo_set_line_width(cr, 8);
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
        cairo_stroke(cr);
    } else if (k.slab) { /* a soft shadow keeps the default title readable over a picture */
        rgb shadow = luminance(c.bg) < 0.4 ? (rgb){0, 0, 0} : (rgb){1, 1, 1};
        cairo_move_to(cr, m + 4, ty + 4);
        set_rgb(cr, shadow, 0.45);
        pango_cairo_show_layout(cr, tl);
    }
    draw_layout(cr, tl, m, ty, c.text);
    g_object_unref(tl);
    if (look && look->brand_name && *look->brand_name) {
        PangoLayout *bl =
            fit_text(cr, pctx, pref, look->brand_name, true, W / 2, 56, 44, 20, 1, NULL);
        pango_layout_get_pixel_size(bl, &lw, &lh);
        double px = m, py = H - m - lh - 8;
        set_rgb(cr, c.accent, 1);
        rounded_rect(cr, px - 18, py - 10, lw + 36, lh + 20, 14);
        cairo_fill(cr);
        rgb on_accent = readable_on(c.accent);
        draw_layout(cr, bl, px, py, on_accent);
        g_object_unref(bl);
    }
    return finish_png(cr, pctx, fm, s, png_path, err);
}

double yaa_media_brand_contrast(const yaa_brand_look *look) {
    colours c = pick_colours(look);
    return contrast(c.text, c.bg);
}

int yaa_media_lower_third_render(const yaa_brand_look *look, const char *heading, const char *line,
                                 int width, const char *png_path, bool *overflow, yaa_err *err) {
    if (!png_path || width < 200)
        return yaa_err_set(err, YAA_EINVAL, "lower third: missing path or width below 200");
    const char *pref = look ? look->font_preference : NULL;
    colours c = pick_colours(look);
    char *h = yaa_media_text_shorten(heading ? heading : "", 60);
    char *l = yaa_media_text_shorten(line ? line : "", 90);
    if (overflow && h && l &&
        (yaa_media_text_was_cut(heading, h) || yaa_media_text_was_cut(line, l)))
        *overflow = true;
    if (!h || !l) {
        free(h);
        free(l);
        return yaa_err_set(err, YAA_ENOMEM, "lower third: out of memory");
    }
    const double W = width, pad = W / 28, bar = W / 90;
    /* measure on a scratch surface, then draw at the exact height */
    cairo_surface_t *probe = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 8, 8);
    cairo_t *pc = cairo_create(probe);
    PangoFontMap *fm = pango_cairo_font_map_new();
    PangoContext *pctx = pango_font_map_create_context(fm);
    double tw = W - 2 * pad - bar, hpx = W / 22, lpx = W / 32;
    PangoLayout *hl =
        *h ? fit_text(pc, pctx, pref, h, true, tw, hpx * 2.6, hpx, hpx * 0.6, 2, overflow) : NULL;
    PangoLayout *ll =
        *l ? fit_text(pc, pctx, pref, l, false, tw, lpx * 2.6, lpx, lpx * 0.7, 2, overflow) : NULL;
    int hw = 0, hh = 0, lw = 0, lh = 0;
    if (hl) pango_layout_get_pixel_size(hl, &hw, &hh);
    if (ll) pango_layout_get_pixel_size(ll, &lw, &lh);
    double H = pad * 2 + hh + (hl && ll ? pad / 2 : 0) + lh;
    double boxw = fmin(W, fmax(hw, lw) + 2 * pad + bar);
    cairo_surface_t *s =
        cairo_image_surface_create(CAIRO_FORMAT_ARGB32, (int)ceil(boxw), (int)ceil(H));
    cairo_t *cr = cairo_create(s);
    /* the box in the brand background, nearly opaque: the text's contrast is checked against
     * it (pick_colours keeps >= 4.5:1), whatever footage runs underneath */
    set_rgb(cr, c.bg, 0.92);
    rounded_rect(cr, 0, 0, boxw, H, pad / 2);
    cairo_fill(cr);
    set_rgb(cr, c.accent, 1);
    cairo_rectangle(cr, 0, 0, bar, H);
    cairo_fill(cr);
    double y = pad;
    if (hl) {
        pango_cairo_update_layout(cr, hl);
        draw_layout(cr, hl, bar + pad, y, c.text);
        y += hh + pad / 2;
    }
    if (ll) {
        pango_cairo_update_layout(cr, ll);
        draw_layout(cr, ll, bar + pad, y, c.text);
    }
    if (hl) g_object_unref(hl);
    if (ll) g_object_unref(ll);
    cairo_destroy(pc);
    cairo_surface_destroy(probe);
    free(h);
    free(l);
    return finish_png(cr, pctx, fm, s, png_path, err);
}
