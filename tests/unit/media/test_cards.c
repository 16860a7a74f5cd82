/* test_cards.c - fonts that hold the glyphs (Hangul never boxes), cards in both
 * orientations, the 1280x720 thumbnail, and the OpenAI images provider against its double. */
#include "test_util.h"

#include "core/buf.h"
#include "media/media.h"
#include "media/media_internal.h"
#include "net/usage.h"
#include "lsan_fontconfig.h"
#include "media_double.h"

#include <cairo.h>

static const char *const PALETTE[] = {"#1B2A41", "#F2A541", "#FFFFFF"};

static void png_size(const char *path, int *w, int *h) {
    cairo_surface_t *s = cairo_image_surface_create_from_png(path);
    assert_int_equal(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
    *w = cairo_image_surface_get_width(s);
    *h = cairo_image_surface_get_height(s);
    cairo_surface_destroy(s);
}

static void test_font_chain(void **state) {
    (void)state;
    char fam[128];
    const char *ko = "딥퓨어캐터리: 건강한 고양이의 비밀";
    /* a preference that is not installed, then one that has no Hangul */
    assert_int_equal(yaa_media_font_pick("Pretendard, DejaVu Sans", ko, fam, sizeof fam), 0);
    assert_string_not_equal(fam, "DejaVu Sans");
    assert_int_equal(yaa_media_font_unknown_glyphs(fam, ko), 0);
    /* Latin text keeps the preferred font */
    assert_int_equal(yaa_media_font_pick("DejaVu Sans", "Healthy cats", fam, sizeof fam), 0);
    assert_string_equal(fam, "DejaVu Sans");
    /* the chain's CJK font has every Hangul syllable used in practice */
    assert_int_equal(
        yaa_media_font_unknown_glyphs("Noto Sans CJK KR", "가나다라마바사 아자차카타파하 뷁 똠 햏"),
        0);
}

static void test_cards_and_thumbnail(void **state) {
    (void)state;
    char dir[PATH_MAX], p[PATH_MAX + 32];
    yaa_test_tmpdir(dir, sizeof dir);
    yaa_brand_look look = {PALETTE, 3, "Pretendard", "딥퓨어캐터리"};
    yaa_card card = {
        2, 5, "고양이 건강, 첫 주가 중요합니다",
        "매일 아침 체중을 기록하고 예방 접종 일정을 지키면, 새 가족을 만나도 편안하게 적응합니다. "
        "아주 긴 문장도 줄을 바꾸고 글자 크기를 줄여서 카드 안에 들어가야 합니다.",
        NULL};
    yaa_err err = {0};
    int w, h;
    snprintf(p, sizeof p, "%s/card.png", dir);
    assert_int_equal(yaa_media_card_render(&look, &card, false, p, &err), 0);
    png_size(p, &w, &h);
    assert_int_equal(w, 1920);
    assert_int_equal(h, 1080);
    snprintf(p, sizeof p, "%s/card_v.png", dir);
    assert_int_equal(yaa_media_card_render(&look, &card, true, p, &err), 0);
    png_size(p, &w, &h);
    assert_int_equal(w, 1080);
    assert_int_equal(h, 1920);
    /* bad palette entries fall back to readable colours */
    const char *bad[] = {"blue-ish", "#zzzzzz"};
    yaa_brand_look look2 = {bad, 2, NULL, "Brand"};
    yaa_card en = {1, 0, "Why kittens need a slow first week", "", NULL};
    snprintf(p, sizeof p, "%s/card_en.png", dir);
    assert_int_equal(yaa_media_card_render(&look2, &en, false, p, &err), 0);
    snprintf(p, sizeof p, "%s/thumbnail.png", dir);
    assert_int_equal(yaa_media_thumbnail_render(&look, "건강한 고양이를 만나는 다섯 가지 방법",
                                                NULL, p, NULL, &err),
                     0);
    png_size(p, &w, &h);
    assert_int_equal(w, 1280);
    assert_int_equal(h, 720);
    FILE *f = fopen(p, "rb");
    unsigned char magic[8];
    assert_int_equal(fread(magic, 1, 8, f), 8);
    fclose(f);
    assert_memory_equal(magic, "\x89PNG\r\n\x1a\n", 8);
    /* unwritable path: an error, not a crash */
    assert_int_not_equal(yaa_media_card_render(&look, &card, false, "/nonexistent-dir/x.png", &err),
                         0);
    yaa_test_rmrf(dir);
}

static int images;
static void on_usage(void *ud, void *ctx, const yaa_usage_event *ev) {
    (void)ud;
    (void)ctx;
    if (ev->kind == YAA_USAGE_IMAGE && !strcmp(ev->provider, "openai")) images += (int)ev->units;
}

static void test_openai_images_double(void **state) {
    (void)state;
    char dir[PATH_MAX], mp3[PATH_MAX + 32], png[PATH_MAX + 32], log[PATH_MAX + 32],
        out[PATH_MAX + 32], card_path[PATH_MAX + 32];
    yaa_test_tmpdir(dir, sizeof dir);
    assert_int_equal(media_double_fixtures(dir, mp3, png, sizeof mp3), 0);
    snprintf(log, sizeof log, "%s/requests.jsonl", dir);
    snprintf(out, sizeof out, "%s/picture.png", dir);
    media_double d;
    assert_int_equal(media_double_start(&d, mp3, png, log), 0);
    char base[96];
    snprintf(base, sizeof base, "%s/v1", d.base); /* OPENAI_BASE_URL is often given with /v1 */
    yaa_media_env env = {.image_provider = "openai",
                         .openai_api_key = "test-key",
                         .openai_base_url = base,
                         .http_timeout_ms = 10000};
    yaa_err err = {0};
    images = 0;
    int rc =
        yaa_media_image_generate(&env, "a calm cattery at sunrise, soft light", false, out, &err);
    if (rc) fprintf(stderr, "openai: %s\n", err.msg);
    assert_int_equal(rc, 0);
    assert_int_equal(images, 1);
    int w, h;
    png_size(out, &w, &h);
    assert_int_equal(w, 1792);
    /* the picture under a card */
    yaa_brand_look look = {PALETTE, 3, NULL, "Brand"};
    yaa_card card = {1, 3, "Heading", "Key line", out};
    snprintf(card_path, sizeof card_path, "%s/card.png", dir);
    assert_int_equal(yaa_media_card_render(&look, &card, false, card_path, &err), 0);
    png_size(card_path, &w, &h);
    assert_int_equal(w, 1920);
    char *text = NULL;
    size_t len = 0;
    assert_int_equal(yaa_read_file(log, 1 << 20, &text, &len), 0);
    assert_non_null(strstr(text, "\"path\": \"/v1/images/generations\""));
    assert_non_null(strstr(text, "\"authorization\": \"Bearer test-key\""));
    assert_non_null(strstr(text, "b64_json"));
    assert_non_null(strstr(text, "1792x1024"));
    free(text);
    rc = yaa_media_image_generate(&env, "something against the content policy", false, out, &err);
    assert_int_equal(rc, YAA_EPROVIDER);
    assert_non_null(strstr(err.msg, "safety system"));
    env.openai_api_key = "nope";
    assert_int_equal(yaa_media_image_generate(&env, "x", false, out, &err), YAA_EAUTH);
    env.image_provider = "cards";
    assert_int_equal(yaa_media_image_generate(&env, "x", false, out, &err), YAA_ENOTFOUND);
    media_double_stop(&d);
    yaa_test_rmrf(dir);
}

/* A card's text layer is saved as the box its text covers, with its place in the PNG's oFFs
 * chunk: read back, the box holds every painted pixel (grown by a margin, on even
 * coordinates) and lies inside the frame; an empty layer writes no file; a PNG of the frame's
 * size without oFFs is the whole frame, and any other picture is no layer. */
static void test_text_layer_box(void **state) {
    (void)state;
    char dir[PATH_MAX], png[PATH_MAX + 16];
    yaa_test_tmpdir(dir, sizeof dir);
    snprintf(png, sizeof png, "%s/01.text.png", dir);
    yaa_err err = {0};
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 200, 100);
    assert_int_equal(yaa_media__layer_save(s, png, &err), 0);
    assert_int_not_equal(access(png, F_OK), 0); /* nothing drawn: no layer */
    int box[4] = {0};
    assert_int_equal(yaa_media__layer_box(png, 200, 100, box), -1);
    cairo_t *cr = cairo_create(s);
    cairo_set_source_rgba(cr, 1, 1, 1, 0.5);
    cairo_rectangle(cr, 51, 21, 30, 11); /* pixels x 51..80, y 21..31 */
    cairo_fill(cr);
    cairo_destroy(cr);
    assert_int_equal(yaa_media__layer_save(s, png, &err), 0);
    assert_int_equal(yaa_media__layer_box(png, 200, 100, box), 0);
    assert_true(box[0] <= 51 && box[0] >= 40 && box[0] % 2 == 0);
    assert_true(box[1] <= 21 && box[1] >= 10 && box[1] % 2 == 0);
    assert_true(box[0] + box[2] >= 81 && box[0] + box[2] <= 200 && box[2] % 2 == 0);
    assert_true(box[1] + box[3] >= 32 && box[1] + box[3] <= 100 && box[3] % 2 == 0);
    /* the file is that box, and the pixels are where they were */
    cairo_surface_t *r = cairo_image_surface_create_from_png(png);
    assert_int_equal(cairo_image_surface_get_width(r), box[2]);
    assert_int_equal(cairo_image_surface_get_height(r), box[3]);
    const uint32_t *px = (const uint32_t *)(const void *)cairo_image_surface_get_data(r);
    int stride = cairo_image_surface_get_stride(r) / 4;
    assert_true(px[(25 - box[1]) * stride + (60 - box[0])] >> 24 > 0);
    assert_int_equal(px[0] >> 24, 0);
    cairo_surface_destroy(r);
    assert_int_equal(yaa_media__layer_box(png, 60, 100, box), -1); /* outside a smaller frame */
    /* a plain PNG: the whole frame at its size, nothing otherwise */
    assert_int_equal(cairo_surface_write_to_png(s, png), CAIRO_STATUS_SUCCESS);
    cairo_surface_destroy(s);
    assert_int_equal(yaa_media__layer_box(png, 200, 100, box), 0);
    assert_true(box[0] == 0 && box[1] == 0 && box[2] == 200 && box[3] == 100);
    assert_int_equal(yaa_media__layer_box(png, 1920, 1080, box), -1);
    assert_int_equal(yaa_media__layer_box("/nonexistent.png", 200, 100, box), -1);
    yaa_test_rmrf(dir);
}

int main(void) {
    yaa_net_usage_set_hook(on_usage, NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_font_chain),
        cmocka_unit_test(test_cards_and_thumbnail),
        cmocka_unit_test(test_openai_images_double),
        cmocka_unit_test(test_text_layer_box),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
