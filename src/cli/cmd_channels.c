/* cmd_channels.c - `yaa channels list | show ID | validate ID...`: the channel registry on
 * CHANNELS_DIR, read from disk (the `channels` table follows it; see docs/CHANNELS.md). */
#include "cli/cli.h"

#include "channels/channels.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "Usage: yaa channels new ID --language en|ko [--name NAME] [--category C]\n"
    "       yaa channels list [--json]\n"
    "       yaa channels show ID [--json]\n"
    "       yaa channels validate ID... | --all\n"
    "       yaa channels sync\n"
    "       yaa channels connect-youtube | disconnect-youtube | youtube-status ID\n"
    "       yaa channels import [DIR]\n"
    "       yaa channels export ID DIR [--revision N]\n"
    "\n"
    "The channels are the folders of CHANNELS_DIR (now %s), each with config.yaml and an\n"
    "optional brand_guide.yaml (docs/CHANNELS.md).\n"
    "\n"
    "  new       makes channel ID from channels/_template in the given language\n"
    "  list      id, name, category, language and whether it has a brand guide\n"
    "  show      the parsed channel (--json: as one JSON object)\n"
    "  validate  checks the files; prints one line per problem as file:line: message and\n"
    "            exits 1 if there is any (--all: every channel)\n"
    "  sync      brings the channels table of DATABASE_URL in step with the folders\n"
    "  connect-youtube, disconnect-youtube, youtube-status\n"
    "            the channel's own YouTube account (yaa channels connect-youtube --help)\n"
    "  import    stores every channel folder under DIR (default CHANNELS_DIR) in the database\n"
    "            as a new revision when it changed (CHANNELS_STORE=db; large media go to the\n"
    "            artifact store); a folder with problems stops the import\n"
    "  export    writes channel ID from the database as the folder DIR/ID (the current\n"
    "            revision, or --revision N)\n"
    "\n"
    "Options:\n"
    "  --language L      new: en or ko, the language of the videos and the voice (required:\n"
    "                    the template has no default)\n"
    "  --name NAME       new: the display name (default: the id)\n"
    "  --category C      new: free text, at most 50 characters (default: general)\n"
    "  --json            list, show: print JSON\n"
    "  --all             validate: every channel\n"
    "  --revision N      export: that revision instead of the current one\n"
    "  -h, --help        this help\n";

/* Terminal columns of a UTF-8 string: East Asian wide characters count 2. */
static int display_width(const char *s) {
    int w = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned cp = *p;
        int n = cp < 0x80 ? 1 : cp < 0xE0 ? 2 : cp < 0xF0 ? 3 : 4;
        if (n > 1) {
            cp &= 0xFFu >> (n + 1);
            for (int i = 1; i < n && p[i]; i++) cp = (cp << 6) | (p[i] & 0x3Fu);
        }
        for (int i = 0; i < n && *p; i++) p++;
        bool wide = (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
                    (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
                    (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
                    (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1FAFF) ||
                    cp >= 0x20000;
        w += wide ? 2 : 1;
    }
    return w;
}

static void cell(const char *s, int width) {
    int w = display_width(s);
    fputs(s, stdout);
    for (int i = w; i < width; i++) putchar(' ');
}

static int cmd_list(yaa_cli *cli, bool as_json) {
    const char *root = cli->cfg->channels_dir;
    yaa_channel_list list;
    yaa_err err = {0};
    if (yaa_channels_list(root, &list, &err)) return yaa_cli_fail("%s", err.msg);
    if (as_json) {
        json_t *arr = json_array();
        for (size_t i = 0; i < list.n; i++) {
            const yaa_channel_summary *s = &list.items[i];
            json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:b,s:s,s:s,s:i}", "channel_id",
                                                 s->id, "name", s->name, "category", s->category,
                                                 "has_brand_guide", s->has_brand_guide,
                                                 "description", s->description, "language",
                                                 s->language, "problems", (int)s->n_problems));
        }
        size_t n = list.n;
        yaa_channels_list_free(&list);
        return yaa_cli_print_json(json_pack("{s:o,s:i}", "channels", arr, "total", (int)n), 0);
    }
    if (list.n == 0) {
        printf("No channels in %s. Copy %s/_template to %s/<id> (docs/CHANNELS.md).\n", root, root,
               root);
        yaa_channels_list_free(&list);
        return YAA_EXIT_OK;
    }
    int wid = 2, wname = 4, wcat = 8;
    for (size_t i = 0; i < list.n; i++) {
        const yaa_channel_summary *s = &list.items[i];
        if (display_width(s->id) > wid) wid = display_width(s->id);
        if (display_width(s->name) > wname) wname = display_width(s->name);
        if (display_width(s->category) > wcat) wcat = display_width(s->category);
    }
    cell("ID", wid + 2);
    cell("NAME", wname + 2);
    cell("CATEGORY", wcat + 2);
    cell("LANG", 6);
    puts("BRAND GUIDE");
    size_t bad = 0;
    for (size_t i = 0; i < list.n; i++) {
        const yaa_channel_summary *s = &list.items[i];
        cell(s->id, wid + 2);
        cell(s->name, wname + 2);
        cell(s->category, wcat + 2);
        cell(s->language, 6);
        if (s->n_problems) {
            printf("%s  (%zu problem%s: yaa channels validate %s)\n",
                   s->has_brand_guide ? "yes" : "no", s->n_problems, s->n_problems == 1 ? "" : "s",
                   s->id);
            bad++;
        } else {
            puts(s->has_brand_guide ? "yes" : "no");
        }
    }
    printf("%zu channel%s in %s", list.n, list.n == 1 ? "" : "s", root);
    if (bad) printf(", %zu with problems", bad);
    putchar('\n');
    yaa_channels_list_free(&list);
    return YAA_EXIT_OK;
}

static void print_list(const char *label, const yaa_strlist *l) {
    printf("  %s:", label);
    if (l->n == 0) {
        puts(" -");
        return;
    }
    putchar('\n');
    for (size_t i = 0; i < l->n; i++) printf("    - %s\n", l->items[i]);
}

static void print_kv(const char *k, const char *v) { printf("  %s: %s\n", k, *v ? v : "-"); }

static void print_channel(const yaa_channel *ch) {
    printf("%s (%s)\n", ch->channel.name, ch->id);
    puts("channel:");
    print_kv("youtube_channel_id", ch->channel.youtube_channel_id);
    print_kv("category", ch->channel.category);
    print_kv("language", ch->channel.language);
    print_kv("description", ch->channel.description);
    puts("seo:");
    print_list("primary_keywords", &ch->seo.primary_keywords);
    print_list("secondary_keywords", &ch->seo.secondary_keywords);
    puts("editing:");
    print_kv("intro_template", ch->editing.intro_template);
    print_kv("outro_template", ch->editing.outro_template);
    print_kv("subtitle_style", ch->editing.subtitle_style);
    printf("  bgm_volume: %g\n", ch->editing.bgm_volume);
    if (ch->budget.has_monthly_usd || ch->budget.has_per_run_usd) {
        puts("budget:");
        if (ch->budget.has_monthly_usd) printf("  monthly_usd: %g\n", ch->budget.monthly_usd);
        if (ch->budget.has_per_run_usd) printf("  per_run_usd: %g\n", ch->budget.per_run_usd);
    }
    if (!ch->has_brand_guide) {
        puts("brand guide: none (copy _template/brand_guide.yaml to add one)");
        return;
    }
    puts("brand:");
    print_kv("name", ch->brand.name);
    print_kv("tagline", ch->brand.tagline);
    print_kv("positioning", ch->brand.positioning);
    print_list("values", &ch->brand.values);
    puts("target_audience:");
    print_kv("primary", ch->target_audience.primary);
    print_list("pain_points", &ch->target_audience.pain_points);
    print_list("content_needs", &ch->target_audience.content_needs);
    const yaa_tone *t = &ch->tone_and_manner;
    puts("tone_and_manner:");
    print_kv("personality", t->personality);
    print_kv("formality", t->formality);
    print_kv("emotion", t->emotion);
    print_kv("humor_level", t->humor_level);
    print_kv("writing_style.sentence_length", t->writing_style.sentence_length);
    print_kv("writing_style.vocabulary", t->writing_style.vocabulary);
    print_kv("writing_style.call_to_action", t->writing_style.call_to_action);
    print_list("do", &t->do_rules);
    print_list("dont", &t->dont_rules);
    const yaa_voice_design *v = &ch->voice_design;
    puts("voice_design:");
    print_kv("narration_style", v->narration_style);
    print_kv("elevenlabs_voice_id", v->elevenlabs_voice_id);
    print_kv("voice", v->voice);
    printf("  speech_rate: %s (x%.2f)\n", v->speech_rate, v->speech_rate_factor);
    printf("  pitch: %s (%+g semitones)\n", v->pitch, v->pitch_semitones);
    print_kv("language", v->language);
    print_list("reference_samples", &v->reference_samples);
    puts("visual_identity:");
    print_list("color_palette", &ch->visual_identity.color_palette);
    print_kv("thumbnail_style", ch->visual_identity.thumbnail_style);
    print_kv("font_preference", ch->visual_identity.font_preference);
    printf("competitors:%s\n", ch->n_competitors ? "" : " -");
    for (size_t i = 0; i < ch->n_competitors; i++) {
        const yaa_competitor *c = &ch->competitors[i];
        printf("  - %s\n", c->channel);
        for (size_t j = 0; j < c->strengths.n; j++) printf("      + %s\n", c->strengths.items[j]);
        if (*c->differentiation) printf("      differentiation: %s\n", c->differentiation);
    }
}

static int cmd_show(yaa_cli *cli, const char *id, bool as_json) {
    yaa_channel *ch = NULL;
    yaa_err err = {0};
    int rc = yaa_channels_validate(cli->cfg->channels_dir, id, &ch, &err);
    if (!ch) return yaa_cli_fail("%s", err.msg);
    if (as_json) {
        yaa_cli_print_json(yaa_channels_to_json(ch), 0);
    } else {
        print_channel(ch);
        char line[700];
        for (size_t i = 0; i < ch->n_problems; i++)
            fprintf(stderr, "%s\n", yaa_channels_problem_str(ch, i, line, sizeof line));
    }
    size_t n = ch->n_problems;
    yaa_channels_free(ch);
    fflush(stdout);
    if (rc)
        return yaa_cli_fail("channel '%s' has %zu problem%s; see `yaa channels validate %s`", id, n,
                            n == 1 ? "" : "s", id);
    return YAA_EXIT_OK;
}

/* Validates one channel; returns the number of problems (or 1 if it cannot be read). */
static size_t validate_one(const char *root, const char *id) {
    yaa_channel *ch = NULL;
    yaa_err err = {0};
    yaa_channels_validate(root, id, &ch, &err);
    if (!ch) {
        printf("%s: %s\n", id, err.msg);
        return 1;
    }
    char line[700];
    for (size_t i = 0; i < ch->n_problems; i++)
        puts(yaa_channels_problem_str(ch, i, line, sizeof line));
    size_t n = ch->n_problems;
    if (n == 0)
        printf("%s: ok (config.yaml%s)\n", id, ch->has_brand_guide ? ", brand_guide.yaml" : "");
    yaa_channels_free(ch);
    return n;
}

static int cmd_validate(yaa_cli *cli, int argc, char **argv, bool all) {
    const char *root = cli->cfg->channels_dir;
    size_t problems = 0, bad = 0, checked = 0;
    if (all) {
        yaa_channel_list list;
        yaa_err err = {0};
        if (yaa_channels_list(root, &list, &err)) return yaa_cli_fail("%s", err.msg);
        for (size_t i = 0; i < list.n; i++) {
            size_t n = validate_one(root, list.items[i].id);
            problems += n;
            bad += n > 0;
            checked++;
        }
        yaa_channels_list_free(&list);
    }
    for (int i = 0; i < argc; i++) {
        size_t n = validate_one(root, argv[i]);
        problems += n;
        bad += n > 0;
        checked++;
    }
    fflush(stdout); /* the problems before the closing line, even when both are piped */
    if (problems)
        return yaa_cli_fail("%zu problem%s in %zu of %zu channel%s", problems,
                            problems == 1 ? "" : "s", bad, checked, checked == 1 ? "" : "s");
    return YAA_EXIT_OK;
}

static int cmd_sync(yaa_cli *cli) {
    yaa_db *db = NULL;
    yaa_err err = {0};
    if (yaa_db_open(cli->cfg->database_url, &db, &err)) return yaa_cli_fail("%s", err.msg);
    yaa_channels_sync_stats st;
    int rc = yaa_channels_sync(db, cli->cfg->channels_dir, &st, &err);
    yaa_db_close(db);
    if (rc) return yaa_cli_fail("%s (has `yaa db upgrade` been run?)", err.msg);
    printf("%zu channel%s on disk: %zu written, %zu unchanged, %zu marked deleted\n", st.on_disk,
           st.on_disk == 1 ? "" : "s", st.upserted, st.unchanged, st.deleted);
    return YAA_EXIT_OK;
}

static int cmd_import(yaa_cli *cli, const char *dir) {
    yaa_db *db = NULL;
    if (yaa_cli_open_db(cli, "channels import", true, &db)) return YAA_EXIT_FAIL;
    yaa_channels_import_stats st = {0};
    yaa_err err = {0};
    const char *from = dir ? dir : cli->cfg->channels_import_dir;
    int rc = yaa_channels_db_import(cli->cfg, db, from, &st, &err);
    if (!rc && yaa_channels_in_db(cli->cfg)) {
        yaa_channels_sync_stats ss;
        rc = yaa_channels_db_pull(cli->cfg, db, NULL, &err);
        if (!rc) rc = yaa_channels_sync(db, cli->cfg->channels_dir, &ss, &err);
    }
    yaa_db_close(db);
    if (rc) return yaa_cli_fail("channels import: %s", err.msg);
    printf("%zu channel%s in %s: %zu stored as a new revision, %zu unchanged\n", st.found,
           st.found == 1 ? "" : "s", from, st.stored, st.found - st.stored);
    return YAA_EXIT_OK;
}

static int cmd_export(yaa_cli *cli, const char *id, const char *dir, long revision) {
    yaa_db *db = NULL;
    if (yaa_cli_open_db(cli, "channels export", true, &db)) return YAA_EXIT_FAIL;
    yaa_err err = {0};
    int rc = yaa_channels_db_export(cli->cfg, db, id, revision, dir, &err);
    yaa_db_close(db);
    if (rc) return yaa_cli_fail("channels export: %s", err.msg);
    printf("%s/%s\n", dir, id);
    return YAA_EXIT_OK;
}

/* With CHANNELS_STORE=db the folders read below are a cache: bring it up to date first. */
static int pull_all(yaa_cli *cli) {
    if (!yaa_channels_in_db(cli->cfg)) return 0;
    yaa_db *db = NULL;
    if (yaa_cli_open_db(cli, "channels", true, &db)) return YAA_EXIT_FAIL;
    yaa_err err = {0};
    int rc = yaa_channels_db_pull(cli->cfg, db, NULL, &err);
    yaa_db_close(db);
    return rc ? yaa_cli_fail("channels: %s", err.msg) : 0;
}

/* yaa channels new ID --language en|ko [--name N] [--category C]: the template's files with
 * the name, category and language filled in, then checked like `validate`. */
static int cmd_new(yaa_cli *cli) {
    const char *id = NULL, *lang = NULL, *name = NULL, *category = NULL;
    for (int i = 2; i < cli->argc; i++) {
        const char *a = cli->argv[i];
        const char **dst = strcmp(a, "--language") == 0   ? &lang
                           : strcmp(a, "--name") == 0     ? &name
                           : strcmp(a, "--category") == 0 ? &category
                                                          : NULL;
        if (dst) {
            if (!(*dst = yaa_cli_value(cli, &i, "channels"))) return YAA_EXIT_USAGE;
        } else if (a[0] == '-' && a[1]) {
            return yaa_cli_usage_error(
                "channels new: unknown option '%s' (see yaa channels --help)", a);
        } else if (!id) {
            id = a;
        } else {
            return yaa_cli_usage_error("channels new: one ID only (got '%s' too)", a);
        }
    }
    if (!id) return yaa_cli_usage_error("usage: yaa channels new ID --language en|ko");
    if (!lang)
        return yaa_cli_usage_error("channels new: --language en|ko is required: the language of "
                                   "the videos and the voice (the template has no default)");
    if (strcmp(lang, "en") != 0 && strcmp(lang, "ko") != 0)
        return yaa_cli_usage_error("channels new: --language must be en or ko, got '%s'", lang);
    yaa_err err = {0};
    const char *root = cli->cfg->channels_dir;
    int rc = yaa_channels_create(root, id, name ? name : id, category, NULL, &err);
    if (rc == YAA_EEXIST) return yaa_cli_fail("channels new: channel '%s' already exists", id);
    if (rc == YAA_EINVAL) return yaa_cli_usage_error("channels new: %s", err.msg);
    if (rc) return yaa_cli_fail("channels new: %s", err.msg);
    if (yaa_channels_set_language(root, id, lang, &err))
        return yaa_cli_fail("channels new: %s/%s was made but its language is not set: %s", root,
                            id, err.msg);
    printf("made %s/%s (language %s): fill in config.yaml and brand_guide.yaml, then run\n"
           "  yaa channels validate %s\n",
           root, id, lang, id);
    return YAA_EXIT_OK;
}

int yaa_cli_cmd_channels(yaa_cli *cli) {
    if (cli->argc < 2) {
        fprintf(stderr, usage, cli->cfg->channels_dir);
        return YAA_EXIT_USAGE;
    }
    const char *sub = cli->argv[1];
    if (yaa_cli_wants_help(cli->argc, cli->argv) || strcmp(sub, "help") == 0) {
        printf(usage, cli->cfg->channels_dir);
        return YAA_EXIT_OK;
    }
    if (strcmp(sub, "new") == 0) return cmd_new(cli);
    if (strcmp(sub, "connect-youtube") == 0 || strcmp(sub, "disconnect-youtube") == 0 ||
        strcmp(sub, "youtube-status") == 0)
        return yaa_cli_channels_youtube(cli);
    bool as_json = false, all = false;
    char *args[64];
    int nargs = 0;
    long revision = 0;
    for (int i = 2; i < cli->argc; i++) {
        const char *a = cli->argv[i];
        if (strcmp(a, "--revision") == 0 && strcmp(sub, "export") == 0) {
            if (yaa_cli_long_option("channels export", a,
                                    i + 1 < cli->argc ? cli->argv[i + 1] : NULL, 1, 1000000000L,
                                    &revision))
                return YAA_EXIT_USAGE;
            i++;
        } else if (strcmp(a, "--json") == 0)
            as_json = true;
        else if (strcmp(a, "--all") == 0)
            all = true;
        else if (a[0] == '-' && a[1])
            return yaa_cli_usage_error("channels %s: unknown option '%s' (see yaa channels --help)",
                                       sub, a);
        else if (nargs < 64)
            args[nargs++] = cli->argv[i];
        else
            return yaa_cli_usage_error("channels %s: too many arguments", sub);
    }
    if (strcmp(sub, "import") == 0) {
        if (nargs > 1 || all || as_json)
            return yaa_cli_usage_error("usage: yaa channels import [DIR]");
        return cmd_import(cli, nargs ? args[0] : NULL);
    }
    if (strcmp(sub, "export") == 0) {
        if (nargs != 2 || all || as_json)
            return yaa_cli_usage_error("usage: yaa channels export ID DIR [--revision N]");
        return cmd_export(cli, args[0], args[1], revision);
    }
    if ((strcmp(sub, "list") == 0 || strcmp(sub, "show") == 0 || strcmp(sub, "validate") == 0) &&
        pull_all(cli))
        return YAA_EXIT_FAIL;
    if (strcmp(sub, "list") == 0) {
        if (nargs || all) return yaa_cli_usage_error("channels list takes no arguments");
        return cmd_list(cli, as_json);
    }
    if (strcmp(sub, "show") == 0) {
        if (nargs != 1 || all) return yaa_cli_usage_error("usage: yaa channels show ID [--json]");
        return cmd_show(cli, args[0], as_json);
    }
    if (strcmp(sub, "validate") == 0) {
        if ((nargs == 0) == !all || as_json)
            return yaa_cli_usage_error("usage: yaa channels validate ID... | --all");
        return cmd_validate(cli, nargs, args, all);
    }
    if (strcmp(sub, "sync") == 0) {
        if (nargs || all || as_json) return yaa_cli_usage_error("channels sync takes no arguments");
        return cmd_sync(cli);
    }
    return yaa_cli_usage_error(
        "unknown channels command '%s' (list, show, validate, sync, import, export)", sub);
}
