/* test_thumbnail_style.c - the brand guide's thumbnail_style words change the thumbnail
 * (background, accent slab, text colour); no style keeps the default layout. */
#include "test_util.h"

#include "media/media.h"
#include "lsan_fontconfig.h"

#include <cairo.h>

static const char *const PALETTE[] = {"#1B2A41", "#F2A541", "#FFFFFF"};

typedef struct px {
    int r, g, b;
} px;

static px at(cairo_surface_t *s, int x, int y) {
    const unsigned char *d = cairo_image_surface_get_data(s);
    uint32_t v = *(const uint32_t *)(d + (size_t)y * cairo_image_surface_get_stride(s) + x * 4);
    return (px){(int)(v >> 16) & 0xff, (int)(v >> 8) & 0xff, (int)v & 0xff};
}

/* How many pixels of the hook's area are yellow (red and green high, blue low). */
static int yellow_pixels(cairo_surface_t *s) {
    int n = 0;
    for (int y = 100; y < 600; y += 2)
        for (int x = 70; x < 1000; x += 2) {
            px p = at(s, x, y);
            n += p.r > 200 && p.g > 170 && p.b < 90;
        }
    return n;
}

static cairo_surface_t *render(const char *dir, const char *style, const char *name) {
    char p[PATH_MAX + 32];
    snprintf(p, sizeof p, "%s/%s.png", dir, name);
    yaa_brand_look look = {PALETTE, 3, "DejaVu Sans", "Home Cooking", style};
    yaa_err err = {0};
    assert_int_equal(
        yaa_media_thumbnail_render(&look, "Crispy gnocchi tonight", NULL, p, NULL, &err), 0);
    cairo_surface_t *s = cairo_image_surface_create_from_png(p);
    assert_int_equal(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
    cairo_surface_flush(s);
    return s;
}

static void test_styles_differ(void **state) {
    (void)state;
    char dir[PATH_MAX];
    yaa_test_tmpdir(dir, sizeof dir);
    cairo_surface_t *def = render(dir, NULL, "default");
    cairo_surface_t *bold = render(dir, "Bold yellow text on a dark photo, face close-up", "bold");
    cairo_surface_t *min = render(dir, "minimal, white background, product centred", "minimal");
    /* default: the palette background (#1B2A41) and the accent slab on the right */
    px c = at(def, 10, 10), slab = at(def, 1250, 360);
    assert_true(abs(c.r - 0x1B) < 3 && abs(c.g - 0x2A) < 3 && abs(c.b - 0x41) < 3);
    assert_true(slab.r > 200 && slab.b < 120);
    /* dark: near-black background, the slab kept, yellow letters */
    c = at(bold, 10, 10);
    assert_true(c.r < 30 && c.g < 30 && c.b < 30);
    assert_true(at(bold, 1250, 360).r > 200);
    assert_true(yellow_pixels(bold) > 500);
    assert_int_equal(yellow_pixels(def), 0);
    /* minimal on white: light background, no slab, dark letters */
    c = at(min, 10, 10);
    assert_true(c.r > 230 && c.g > 230 && c.b > 230);
    px right = at(min, 1250, 360);
    assert_true(right.r > 230 && right.g > 230 && right.b > 230);
    assert_int_equal(yellow_pixels(min), 0);
    cairo_surface_destroy(def);
    cairo_surface_destroy(bold);
    cairo_surface_destroy(min);
    yaa_test_rmrf(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_styles_differ),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
