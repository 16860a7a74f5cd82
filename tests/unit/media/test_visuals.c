/* test_visuals.c - section pictures against local doubles of Pexels and Pixabay serving real
 * files made here with ffmpeg: footage found and credited; 401, 429 with Retry-After, 5xx and a
 * file that does not decode fall back to the next source and are noted; no key and no library:
 * the card; the channel library matched by file name and media.yaml, each file used once;
 * text shortened at phrase boundaries. */
#include "test_util.h"

#include "../../doubles/double.h"
#include "lsan_fontconfig.h"
#include "media/media.h"

#include <math.h>

static const char *const PALETTE[] = {"#0F172A", "#22C55E", "#F8FAFC"};
static const char *const TERMS0[] = {"boiling pasta", "kitchen"};
static const char *const TERMS1[] = {"fresh tomatoes"};
static const yaa_media_section SECS[] = {
    {"Boil the pasta", "Salt the water well.", "Salt like the sea", "pasta in a pot", TERMS0, 2},
    {"Make the sauce", "Tomatoes and garlic.", "Tomato, garlic, oil", "tomato sauce", TERMS1, 1},
};

static char dir[PATH_MAX], files[PATH_MAX + 8], cache[PATH_MAX + 8];

static void make_files(void) {
    char cmd[4 * PATH_MAX];
    snprintf(files, sizeof files, "%s/files", dir);
    snprintf(cache, sizeof cache, "%s/cache", dir);
    snprintf(cmd, sizeof cmd,
             "mkdir -p '%s' && ffmpeg -nostdin -v error -y -f lavfi "
             "-i testsrc2=size=640x360:rate=25:duration=3 -c:v libx264 -preset ultrafast "
             "-pix_fmt yuv420p '%s/clip.mp4' && ffmpeg -nostdin -v error -y -f lavfi "
             "-i smptebars=size=800x600 -frames:v 1 '%s/photo.jpg'",
             files, files, files);
    assert_int_equal(system(cmd), 0);
}

static void start(yaa_double *d, const char *name) {
    assert_int_equal(yaa_double_start(d, name), 0);
    char ctl[PATH_MAX + 64];
    snprintf(ctl, sizeof ctl, "{\"files_dir\": \"%s\"}", files);
    assert_int_equal(yaa_double_post(d, "/_control", ctl), 200);
}

static void script(yaa_double *d, const char *json) {
    char ctl[512];
    snprintf(ctl, sizeof ctl, "{\"script\": %s}", json);
    assert_int_equal(yaa_double_post(d, "/_control", ctl), 200);
}

static void run(yaa_media_env *env, const char *media_dir, yaa_media_gen_result *res) {
    char out[PATH_MAX + 8];
    snprintf(out, sizeof out, "%s/run", dir);
    yaa_media_gen_request req = {.out_dir = out,
                                 .sections = SECS,
                                 .nsections = 2,
                                 .title = "Weeknight pasta, fast and cheap | easy dinner",
                                 .voice = {.language = "en", .rate = 1.5},
                                 .look = {PALETTE, 3, NULL, "yaa"},
                                 .media_dir = media_dir};
    yaa_err err = {0};
    int rc = yaa_media_generate(env, &req, res, &err);
    if (rc) fprintf(stderr, "generate: %s\n", err.msg);
    assert_int_equal(rc, 0);
}

static bool notes_have(const yaa_media_gen_result *r, const char *what) {
    for (size_t i = 0; i < r->nnotes; i++)
        if (strstr(r->notes[i], what)) return true;
    return false;
}

static yaa_media_env env_for(const yaa_double *px, const yaa_double *pb, const char *pkey) {
    yaa_media_env env = {.workers = 2,
                         .pexels_api_key = pkey,
                         .pexels_base_url = px ? px->base : NULL,
                         .pixabay_api_key = pb ? "pbkey" : NULL,
                         .pixabay_base_url = pb ? pb->base : NULL,
                         .stock_cache_dir = cache,
                         .stock_timeout_ms = 5000};
    return env;
}

static void test_pexels_footage_credited(void **state) {
    (void)state;
    yaa_test_tmpdir(dir, sizeof dir);
    make_files();
    yaa_double px;
    start(&px, "pexels_double");
    yaa_media_env env = env_for(&px, NULL, "pxkey");
    yaa_media_gen_result r;
    run(&env, NULL, &r);
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(r.visuals[i].kind, YAA_SHOT_FOOTAGE);
        assert_string_equal(r.visuals[i].source, "pexels");
        assert_non_null(strstr(r.visuals[i].author, "Double Author"));
        assert_non_null(strstr(r.visuals[i].page_url, "pexels.com/video/"));
        assert_int_equal(access(r.visuals[i].path, R_OK), 0);
        assert_int_equal(access(r.visuals[i].poster, R_OK), 0);
        assert_int_equal(access(r.visuals[i].lower_third, R_OK), 0);
        assert_true(fabs(r.visuals[i].fps - 25) < 0.01); /* the clip's rate, for the render */
    }
    assert_string_not_equal(r.visuals[0].id, r.visuals[1].id); /* each clip once */
    assert_int_equal(r.nnotes, 0);
    /* the request had the key in Authorization, landscape orientation and a query */
    char url[128];
    snprintf(url, sizeof url, "%s/_requests", px.base);
    yaa_http_request rq = {.url = url, .timeout_ms = 5000};
    yaa_http_reply rp;
    yaa_net_http_reply_init(&rp);
    assert_int_equal(yaa_net_http_perform(&rq, &rp, NULL), 0);
    assert_non_null(strstr(rp.body.data, "\"authorization\": \"pxkey\""));
    assert_non_null(strstr(rp.body.data, "orientation=landscape"));
    assert_non_null(strstr(rp.body.data, "query=boiling%20pasta"));
    /* of the renditions, the one that fills 1080 lines at no more than 30 fps (the video
     * plays at its footage's rate, 24-30), neither the 50 fps ones nor the larger or the
     * smaller */
    assert_non_null(strstr(rp.body.data, "-hd.mp4"));
    assert_null(strstr(rp.body.data, "hd50.mp4"));
    assert_null(strstr(rp.body.data, "-sd.mp4"));
    assert_null(strstr(rp.body.data, "hd720.mp4"));
    assert_null(strstr(rp.body.data, "\"violations\": [\""));
    yaa_net_http_reply_free(&rp);
    yaa_media_gen_result_free(&r);
    yaa_double_stop(&px);
    yaa_test_rmrf(dir);
}

/* Pexels refuses (401), is rate limited (429 + Retry-After) or fails (503 twice): Pixabay
 * supplies the footage and the failure is noted. */
static void fallback(const char *pexels_script, const char *want_note) {
    yaa_test_tmpdir(dir, sizeof dir);
    make_files();
    yaa_double px, pb;
    start(&px, "pexels_double");
    start(&pb, "pixabay_double");
    script(&px, pexels_script);
    yaa_media_env env = env_for(&px, &pb, "pxkey");
    yaa_media_gen_result r;
    run(&env, NULL, &r);
    assert_string_equal(r.visuals[0].source, "pixabay");
    assert_int_equal(r.visuals[0].kind, YAA_SHOT_FOOTAGE);
    assert_non_null(strstr(r.visuals[0].page_url, "pixabay.com"));
    if (!notes_have(&r, want_note)) {
        for (size_t i = 0; i < r.nnotes; i++) fprintf(stderr, "note: %s\n", r.notes[i]);
        fail_msg("no note mentioning '%s'", want_note);
    }
    yaa_media_gen_result_free(&r);
    yaa_double_stop(&px);
    yaa_double_stop(&pb);
    yaa_test_rmrf(dir);
}

static void test_401_falls_back(void **state) {
    (void)state;
    fallback("[\"401\"]", "HTTP 401");
}

static void test_429_falls_back(void **state) {
    (void)state;
    fallback("[\"429:60\"]", "retry after 60 s");
}

static void test_5xx_falls_back(void **state) {
    (void)state;
    fallback("[\"503\", \"503\", \"503\", \"503\"]", "HTTP 503");
}

/* The first result's file does not decode: the next result is used, the bad file not kept. */
static void test_corrupt_file_next_result(void **state) {
    (void)state;
    yaa_test_tmpdir(dir, sizeof dir);
    make_files();
    yaa_double px;
    start(&px, "pexels_double");
    script(&px, "[\"ok\", \"corrupt\"]");
    yaa_media_env env = env_for(&px, NULL, "pxkey");
    yaa_media_gen_result r;
    run(&env, NULL, &r);
    assert_string_equal(r.visuals[0].source, "pexels");
    assert_true(notes_have(&r, "does not decode"));
    yaa_media_gen_result_free(&r);
    yaa_double_stop(&px);
    yaa_test_rmrf(dir);
}

/* No keys, no library: every section keeps its card; the run does not fail. */
static void test_no_source_card(void **state) {
    (void)state;
    yaa_test_tmpdir(dir, sizeof dir);
    snprintf(cache, sizeof cache, "%s/cache", dir);
    yaa_media_env env = env_for(NULL, NULL, NULL);
    yaa_media_gen_result r;
    run(&env, NULL, &r);
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(r.visuals[i].kind, YAA_SHOT_CARD);
        assert_string_equal(r.visuals[i].path, r.image_paths[i]);
    }
    assert_int_equal(access(r.title_card, R_OK), 0);
    yaa_media_gen_result_free(&r);
    yaa_test_rmrf(dir);
}

/* The channel's library wins over stock: matched by the sidecar (section 1) and by the file
 * name (section 2), each file once. */
static void test_library_first(void **state) {
    (void)state;
    yaa_test_tmpdir(dir, sizeof dir);
    make_files();
    char lib[PATH_MAX + 8], cmd[8 * PATH_MAX];
    snprintf(lib, sizeof lib, "%s/media", dir);
    snprintf(cmd, sizeof cmd,
             "mkdir -p '%s' && cp '%s/clip.mp4' '%s/IMG_0001.mp4' && "
             "cp '%s/photo.jpg' '%s/fresh-tomatoes-on-board.jpg' && "
             "printf 'IMG_0001.mp4:\\n  description: \"Pasta going into boiling water\"\\n"
             "  tags: [pasta, pot]\\n' > '%s/media.yaml'",
             lib, files, lib, files, lib, lib);
    assert_int_equal(system(cmd), 0);
    yaa_media_env env = env_for(NULL, NULL, NULL);
    yaa_media_gen_result r;
    run(&env, lib, &r);
    for (size_t i = 0; i < r.nnotes; i++) fprintf(stderr, "note: %s\n", r.notes[i]);
    assert_string_equal(r.visuals[0].source, "library");
    assert_non_null(strstr(r.visuals[0].path, "IMG_0001.mp4"));
    assert_int_equal(r.visuals[0].kind, YAA_SHOT_FOOTAGE);
    assert_string_equal(r.visuals[1].source, "library");
    assert_non_null(strstr(r.visuals[1].path, "tomatoes"));
    assert_int_equal(r.visuals[1].kind, YAA_SHOT_PHOTO);
    yaa_media_gen_result_free(&r);
    yaa_test_rmrf(dir);
}

static void test_text_shorten(void **state) {
    (void)state;
    /* the text colour actually used reads against its box: >= 4.5:1 even for a bad palette */
    static const char *const bad[] = {"#777777", "#22C55E", "#808080"};
    yaa_brand_look good = {PALETTE, 3, NULL, NULL}, poor = {bad, 3, NULL, NULL};
    assert_true(yaa_media_brand_contrast(&good) >= 4.5);
    assert_true(yaa_media_brand_contrast(&poor) >= 4.5);
    char *s =
        yaa_media_text_shorten("Coming home tired and having no idea what to make with what is "
                               "in the fridge tonight",
                               40);
    assert_string_equal(s, "Coming home tired and having no idea"); /* never mid-word */
    free(s);
    s = yaa_media_text_shorten("Fast, cheap and tasty dinners for every weeknight", 20);
    assert_string_equal(s, "Fast, cheap and");
    free(s);
    s = yaa_media_text_shorten("Short enough | seo keyword tail", 80);
    assert_string_equal(s, "Short enough");
    free(s);
    s = yaa_media_text_hook("Weeknight pasta, fast and cheap | easy dinner", 5);
    assert_string_equal(s, "Weeknight pasta");
    free(s);
    s = yaa_media_text_hook("갤럭시 버즈3 프로 한 달 사용기 솔직 후기", 5);
    assert_string_equal(s, "갤럭시 버즈3 프로 한 달");
    free(s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_shorten),
        cmocka_unit_test(test_no_source_card),
        cmocka_unit_test(test_pexels_footage_credited),
        cmocka_unit_test(test_401_falls_back),
        cmocka_unit_test(test_429_falls_back),
        cmocka_unit_test(test_5xx_falls_back),
        cmocka_unit_test(test_corrupt_file_next_result),
        cmocka_unit_test(test_library_first),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
