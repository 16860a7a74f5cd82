/* test_chunk.c - chunking keeps structural paths; every field of a full brand guide becomes a
 * chunk and is found again by its own words; Markdown and research notes are split. */
#include "test_util.h"

#include "channels/channels.h"
#include "rag/rag.h"

static char *fixture(const char *rel, size_t *len) {
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/tests/data/rag/%s", yaa_test_source_dir(), rel);
    char *data = NULL;
    assert_int_equal(yaa_read_file(path, 1 << 20, &data, len), 0);
    return data;
}

static const yaa_rag_chunk *find(const yaa_rag_chunks *c, const char *section) {
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->v[i].section, section) == 0) return &c->v[i];
    return NULL;
}

static const char *const leaves[] = {
    "brand.name",
    "brand.tagline",
    "brand.positioning",
    "brand.values[0]",
    "brand.values[1]",
    "target_audience.primary",
    "target_audience.pain_points[0]",
    "target_audience.pain_points[1]",
    "target_audience.content_needs[0]",
    "target_audience.content_needs[1]",
    "tone_and_manner.personality",
    "tone_and_manner.formality",
    "tone_and_manner.emotion",
    "tone_and_manner.humor_level",
    "tone_and_manner.writing_style.sentence_length",
    "tone_and_manner.writing_style.vocabulary",
    "tone_and_manner.writing_style.call_to_action",
    "tone_and_manner.do[0]",
    "tone_and_manner.do[1]",
    "tone_and_manner.dont[0]",
    "tone_and_manner.dont[1]",
    "tone_and_manner.dont[2]",
    "voice_design.narration_style",
    "voice_design.elevenlabs_voice_id",
    "voice_design.speech_rate",
    "voice_design.pitch",
    "voice_design.language",
    "voice_design.reference_samples[0]",
    "visual_identity.color_palette[0]",
    "visual_identity.color_palette[1]",
    "visual_identity.thumbnail_style",
    "visual_identity.font_preference",
    "competitors[0].channel",
    "competitors[0].strengths[0]",
    "competitors[0].strengths[1]",
    "competitors[0].differentiation",
    "competitors[1].channel",
    "competitors[1].strengths[0]",
    "competitors[1].differentiation",
};
#define NLEAVES (sizeof leaves / sizeof leaves[0])

static void test_yaml_paths(void **state) {
    (void)state;
    size_t len;
    char *y = fixture("brand_guide_full.yaml", &len);
    yaa_rag_chunks c;
    yaa_rag_chunks_init(&c);
    yaa_err err = {0};
    assert_int_equal(yaa_rag_chunk_yaml(&c, "brand_guide.yaml", y, len, &err), 0);
    assert_int_equal(c.n, NLEAVES);
    for (size_t i = 0; i < NLEAVES; i++) {
        const yaa_rag_chunk *k = find(&c, leaves[i]);
        if (!k) fail_msg("no chunk for %s", leaves[i]);
        assert_string_equal(k->source, "brand_guide.yaml");
    }
    /* Path words and aliases are in the text, so lexical search finds "dont" rules. */
    const yaa_rag_chunk *d = find(&c, "tone_and_manner.dont[2]");
    assert_non_null(strstr(d->text, "tone and manner > dont"));
    assert_non_null(strstr(d->text, "avoid"));
    assert_non_null(strstr(d->text, "금지"));
    assert_non_null(strstr(d->text, "Use shocked-face thumbnails"));
    /* List items that are mappings label their fields. */
    d = find(&c, "competitors[1].differentiation");
    assert_non_null(strstr(d->text, "channel: ShinyUnboxing"));
    /* Hashes differ per chunk and are stable. */
    yaa_rag_chunks c2;
    yaa_rag_chunks_init(&c2);
    assert_int_equal(yaa_rag_chunk_yaml(&c2, "brand_guide.yaml", y, len, &err), 0);
    for (size_t i = 0; i < c.n; i++) assert_string_equal(c.v[i].hash, c2.v[i].hash);
    assert_string_not_equal(c.v[0].hash, c.v[1].hash);
    yaa_rag_chunks_free(&c2);
    yaa_rag_chunks_free(&c);
    free(y);
}

/* Every leaf is found again (top 3) by a vector search for its own value. */
static void test_every_field_retrievable(void **state) {
    (void)state;
    size_t len;
    char *y = fixture("brand_guide_full.yaml", &len);
    yaa_rag_chunks c;
    yaa_rag_chunks_init(&c);
    yaa_err err = {0};
    assert_int_equal(yaa_rag_chunk_yaml(&c, "brand_guide.yaml", y, len, &err), 0);
    int dim = YAA_RAG_HASH_DIM;
    float *mat = calloc(c.n * (size_t)dim, sizeof *mat);
    float *scores = calloc(c.n, sizeof *scores);
    float q[YAA_RAG_HASH_DIM];
    for (size_t i = 0; i < c.n; i++) yaa_rag_hash_embed(c.v[i].text, mat + i * dim, dim);
    for (size_t i = 0; i < c.n; i++) {
        const char *value = strchr(c.v[i].text, '\n');
        assert_non_null(value);
        char query[512];
        snprintf(query, sizeof query, "%s %s", c.v[i].section, value + 1);
        yaa_rag_hash_embed(query, q, dim);
        yaa_rag_dot_many(mat, c.n, dim, q, scores);
        size_t idx[3];
        size_t n = yaa_rag_topk(scores, c.n, 3, idx);
        int found = 0;
        for (size_t j = 0; j < n; j++) found |= idx[j] == i;
        if (!found) fail_msg("%s not in top 3 for its own words", c.v[i].section);
    }
    free(mat);
    free(scores);
    yaa_rag_chunks_free(&c);
    free(y);
}

/* Every field of a full brand guide (all fields of the schema) has a row in the meaning table
 * (channels/meaning.c), and its chunk carries that row's English and Korean words. */
static void test_every_field_has_a_meaning(void **state) {
    (void)state;
    size_t len;
    char *y = fixture("brand_guide_full.yaml", &len);
    yaa_rag_chunks c;
    yaa_rag_chunks_init(&c);
    yaa_err err = {0};
    assert_int_equal(yaa_rag_chunk_yaml(&c, "brand_guide.yaml", y, len, &err), 0);
    assert_true(c.n > 30);
    for (size_t i = 0; i < c.n; i++) {
        /* The section without list indices: "competitors[1].strengths[0]" ->
         * "competitors.strengths". */
        char path[256];
        size_t o = 0;
        for (const char *p = c.v[i].section; *p && o + 1 < sizeof path; p++) {
            if (*p == '[') {
                while (*p && *p != ']') p++;
                if (!*p) break;
                continue;
            }
            path[o++] = *p;
        }
        path[o] = '\0';
        const yaa_channels_meaning *m = yaa_channels_field_meaning(path);
        if (!m) fail_msg("no meaning for %s (add a row to src/channels/meaning.c)", path);
        char en[64];
        snprintf(en, sizeof en, "%.*s", (int)strcspn(m->en, ","), m->en);
        assert_non_null(strstr(c.v[i].text, en));
        assert_non_null(strstr(c.v[i].text, m->ko));
    }
    yaa_rag_chunks_free(&c);
    free(y);
}

static void test_yaml_error(void **state) {
    (void)state;
    yaa_rag_chunks c;
    yaa_rag_chunks_init(&c);
    yaa_err err = {0};
    const char *bad = "a: [1, 2\nb: c\n";
    assert_int_equal(yaa_rag_chunk_yaml(&c, "config.yaml", bad, strlen(bad), &err), YAA_EPARSE);
    assert_non_null(strstr(err.msg, "config.yaml:"));
    yaa_rag_chunks_free(&c);
}

static void test_markdown(void **state) {
    (void)state;
    yaa_rag_chunks c;
    yaa_rag_chunks_init(&c);
    yaa_err err = {0};
    yaa_buf md;
    yaa_buf_init(&md, 0);
    yaa_buf_puts(&md, "Intro line before any heading.\n\n# Lighting\nUse two soft lights.\n\n"
                      "## Audio setup ##\nLavalier mic, 48 kHz.\n```\n# not a heading\n```\n");
    yaa_buf_puts(&md, "# Long\n");
    for (int i = 0; i < 200; i++) yaa_buf_printf(&md, "Sentence number %d is here. ", i);
    assert_int_equal(yaa_rag_chunk_markdown(&c, "knowledge/studio-notes.md", md.data, md.len, &err),
                     0);
    assert_non_null(find(&c, "knowledge/studio-notes.md"));
    const yaa_rag_chunk *k = find(&c, "knowledge/studio-notes.md#Lighting");
    assert_non_null(k);
    assert_non_null(strstr(k->text, "studio notes > Lighting\nUse two soft lights."));
    k = find(&c, "knowledge/studio-notes.md#Audio setup");
    assert_non_null(k);
    assert_non_null(strstr(k->text, "# not a heading"));
    assert_non_null(find(&c, "knowledge/studio-notes.md#Long"));
    assert_non_null(find(&c, "knowledge/studio-notes.md#Long/2"));
    for (size_t i = 0; i < c.n; i++) assert_true(strlen(c.v[i].text) < YAA_RAG_CHUNK_MAX + 100);
    yaa_buf_free(&md);
    yaa_rag_chunks_free(&c);
}

static void test_research(void **state) {
    (void)state;
    yaa_rag_chunks c;
    yaa_rag_chunks_init(&c);
    yaa_err err = {0};
    const char *j = "{\"channel_id\":\"x\",\"summary\":\"Viewers want runtime tests\","
                    "\"key_points\":[\"battery\",\"repair\"]}";
    assert_int_equal(yaa_rag_chunk_research(&c, "r1", j, strlen(j), &err), 0);
    assert_int_equal(c.n, 1);
    assert_string_equal(c.v[0].section, "runs/r1/research");
    assert_non_null(strstr(c.v[0].text, "summary: Viewers want runtime tests"));
    assert_non_null(strstr(c.v[0].text, "key points: repair"));
    assert_int_equal(yaa_rag_chunk_research(&c, "r2", "{", 1, &err), YAA_EPARSE);
    yaa_rag_chunks_free(&c);
}

static void write_text(const char *path, const char *s) {
    assert_int_equal(yaa_write_file(path, s, strlen(s)), 0);
}

static void test_channel_sources(void **state) {
    (void)state;
    char tmp[PATH_MAX], p[PATH_MAX + 64];
    yaa_test_tmpdir(tmp, sizeof tmp);
    snprintf(p, sizeof p, "%s/ch/c1/knowledge", tmp);
    assert_int_equal(yaa_mkdirs(p, 0755), 0);
    snprintf(p, sizeof p, "%s/out/run-a", tmp);
    assert_int_equal(yaa_mkdirs(p, 0755), 0);
    snprintf(p, sizeof p, "%s/out/run-b", tmp);
    assert_int_equal(yaa_mkdirs(p, 0755), 0);
    snprintf(p, sizeof p, "%s/ch/c1/brand_guide.yaml", tmp);
    write_text(p, "brand:\n  name: Foo\n");
    snprintf(p, sizeof p, "%s/ch/c1/config.yaml", tmp);
    write_text(p, "channel:\n  name: Foo TV\n  category: tech\n");
    snprintf(p, sizeof p, "%s/ch/c1/knowledge/faq.md", tmp);
    write_text(p, "# Shipping\nWe ship worldwide.\n");
    snprintf(p, sizeof p, "%s/ch/c1/knowledge/skip.bin", tmp);
    write_text(p, "binary");
    snprintf(p, sizeof p, "%s/out/run-a/research.json", tmp);
    write_text(p, "{\"channel_id\":\"c1\",\"notes\":\"hello\"}");
    snprintf(p, sizeof p, "%s/out/run-b/research.json", tmp);
    write_text(p, "{\"channel_id\":\"other\",\"notes\":\"x\"}");
    yaa_rag_chunks c;
    yaa_rag_chunks_init(&c);
    yaa_err err = {0};
    char chd[PATH_MAX + 8], outd[PATH_MAX + 8];
    snprintf(chd, sizeof chd, "%s/ch", tmp);
    snprintf(outd, sizeof outd, "%s/out", tmp);
    assert_int_equal(yaa_rag_chunk_channel(&c, chd, outd, "c1", &err), 0);
    assert_int_equal(c.n, 5);
    assert_non_null(find(&c, "brand.name"));
    assert_non_null(find(&c, "channel.category"));
    assert_non_null(find(&c, "knowledge/faq.md#Shipping"));
    assert_non_null(find(&c, "runs/run-a/research"));
    assert_null(find(&c, "runs/run-b/research"));
    assert_int_equal(yaa_rag_chunk_channel(&c, chd, outd, "nope", &err), YAA_ENOTFOUND);
    yaa_rag_chunks_free(&c);
    yaa_test_rmrf(tmp);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_yaml_paths),
        cmocka_unit_test(test_every_field_retrievable),
        cmocka_unit_test(test_every_field_has_a_meaning),
        cmocka_unit_test(test_yaml_error),
        cmocka_unit_test(test_markdown),
        cmocka_unit_test(test_research),
        cmocka_unit_test(test_channel_sources),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
