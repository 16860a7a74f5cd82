/* font.c - the font fallback chain: a family is used only if fontconfig says it is installed
 * and holds every glyph of the text, and pango then confirms no unknown glyphs (boxes). */
#include "media/media_internal.h"

#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const FALLBACK_CHAIN[] = {"Noto Sans CJK KR", "Noto Sans", "DejaVu Sans", NULL};
#define LAST_RESORT "Noto Sans CJK KR"

/* Installed under that exact family name, and holding every visible code point of text. */
static bool family_covers(const char *family, const char *text) {
    FcPattern *pat = FcPatternCreate();
    if (!pat) return false;
    FcPatternAddString(pat, FC_FAMILY, (const FcChar8 *)family);
    FcConfigSubstitute(NULL, pat, FcMatchPattern);
    FcDefaultSubstitute(pat);
    FcResult res;
    FcPattern *m = FcFontMatch(NULL, pat, &res);
    FcPatternDestroy(pat);
    if (!m) return false;
    bool named = false;
    FcChar8 *fam;
    for (int i = 0; FcPatternGetString(m, FC_FAMILY, i, &fam) == FcResultMatch; i++)
        if (!strcasecmp((const char *)fam, family)) named = true;
    FcCharSet *cs = NULL;
    bool ok = named && FcPatternGetCharSet(m, FC_CHARSET, 0, &cs) == FcResultMatch && cs;
    for (size_t i = 0; ok && text && text[i];) {
        uint32_t cp = yaa_media__utf8_next(text, &i);
        if (cp <= 0x20 || (cp >= 0x7F && cp < 0xA0) || cp == 0x200B || cp == 0xFEFF) continue;
        if (!FcCharSetHasChar(cs, cp)) ok = false;
    }
    FcPatternDestroy(m);
    return ok;
}

int yaa_media_font_pick(const char *pref, const char *text, char *out, size_t n) {
    if (pref) {
        const char *p = pref;
        while (*p) {
            const char *e = strchr(p, ',');
            size_t len = e ? (size_t)(e - p) : strlen(p);
            char fam[128];
            while (len && (*p == ' ' || *p == '\t')) p++, len--;
            while (len && (p[len - 1] == ' ' || p[len - 1] == '\t')) len--;
            if (len && len < sizeof fam) {
                memcpy(fam, p, len);
                fam[len] = 0;
                if (family_covers(fam, text)) {
                    snprintf(out, n, "%s", fam);
                    return 0;
                }
            }
            p = e ? e + 1 : p + strlen(p);
        }
    }
    for (int i = 0; FALLBACK_CHAIN[i]; i++) {
        if (family_covers(FALLBACK_CHAIN[i], text)) {
            snprintf(out, n, "%s", FALLBACK_CHAIN[i]);
            return 0;
        }
    }
    snprintf(out, n, "%s", LAST_RESORT);
    return YAA_ENOTFOUND;
}

int yaa_media_font_unknown_glyphs(const char *family, const char *text) {
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 4, 4);
    cairo_t *cr = cairo_create(s);
    PangoFontMap *fm = pango_cairo_font_map_new();
    PangoContext *pctx = pango_font_map_create_context(fm);
    pango_cairo_update_context(cr, pctx);
    PangoLayout *l = pango_layout_new(pctx);
    PangoFontDescription *fd = pango_font_description_new();
    pango_font_description_set_family(fd, family);
    pango_font_description_set_absolute_size(fd, 40 * PANGO_SCALE);
    pango_layout_set_font_description(l, fd);
    pango_layout_set_text(l, text ? text : "", -1);
    int unknown = pango_layout_get_unknown_glyphs_count(l);
    pango_font_description_free(fd);
    g_object_unref(l);
    g_object_unref(pctx);
    g_object_unref(fm);
    cairo_destroy(cr);
    cairo_surface_destroy(s);
    return unknown;
}
