/* cmd_check.c - `yaa check RUN_DIR`: recomputes quality.json for any run folder (the video's
 * loudness and true peak, the longest still stretch, captions against words.json, what
 * media.json and metadata.json say) and prints its summary. Exit 0 when every check passes,
 * 1 when one fails or the folder cannot be checked, 2 on bad usage. */
#include "cli/cli.h"
#include "core/buf.h"
#include "media/audio.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void line(const json_t *q, const char *part, const char *label) {
    const json_t *p = json_object_get(q, part);
    const char *status = json_string_value(json_object_get(p, "status"));
    const json_t *ok = json_object_get(p, "ok");
    printf("  %-9s %-8s", label, status ? status : json_is_true(ok) ? "ok" : "FAILED");
    if (!strcmp(part, "loudness"))
        printf(" %.1f LUFS (target -14 +/- 1), true peak %.1f dBTP (max -1)",
               json_number_value(json_object_get(p, "integrated_lufs")),
               json_number_value(json_object_get(p, "true_peak_dbtp")));
    else if (!strcmp(part, "stills"))
        printf(" longest still %.1f s (under 3 s)",
               json_number_value(json_object_get(p, "longest_sec")));
    else if (!strcmp(part, "captions") && !status)
        printf(" coverage %.0f%%, %d overlaps, %.0f%% of words in their cue",
               100 * json_number_value(json_object_get(p, "coverage")),
               (int)json_integer_value(json_object_get(p, "overlaps")),
               100 * json_number_value(json_object_get(p, "words_in_their_cue")));
    else if (!strcmp(part, "pictures") && !status)
        printf(" footage %.0f%% of shots, %d text overflows",
               100 * json_number_value(json_object_get(p, "footage_share")),
               (int)json_integer_value(json_object_get(p, "text_overflows")));
    else if (!strcmp(part, "metadata") && !status)
        printf(" title %d chars, description %d bytes, tags %d chars",
               (int)json_integer_value(json_object_get(p, "title_chars")),
               (int)json_integer_value(json_object_get(p, "description_bytes")),
               (int)json_integer_value(json_object_get(p, "tags_chars")));
    else if (status)
        printf(" (%s)", json_string_value(json_object_get(p, "why")));
    putchar('\n');
}

int yaa_cli_cmd_check(yaa_cli *cli) {
    if (yaa_cli_wants_help(cli->argc, cli->argv)) {
        puts("Usage: yaa check RUN_DIR [--json]\n\nrecompute RUN_DIR/quality.json from the "
             "folder's files and print its summary\n(--json: print quality.json itself); exit 0 "
             "when every check passes, 1 otherwise");
        return YAA_EXIT_OK;
    }
    const char *dir = NULL;
    bool as_json = false;
    for (int i = 1; i < cli->argc; i++) {
        if (!strcmp(cli->argv[i], "--json"))
            as_json = true;
        else if (cli->argv[i][0] == '-')
            return yaa_cli_usage_error("check: unknown option '%s' (see yaa check --help)",
                                       cli->argv[i]);
        else if (dir)
            return yaa_cli_usage_error("check: one run folder at a time");
        else
            dir = cli->argv[i];
    }
    if (!dir) return yaa_cli_usage_error("check: which run folder? usage: yaa check RUN_DIR");
    yaa_media_env env;
    yaa_media_env_from_config(&env, cli->cfg);
    yaa_quality q;
    yaa_err err = {0};
    if (yaa_media_quality_check(&env, dir, &q, &err)) return yaa_cli_fail("check: %s", err.msg);
    char path[4096];
    snprintf(path, sizeof path, "%s/quality.json", dir);
    json_error_t je;
    json_t *j = json_load_file(path, 0, &je);
    if (!j) return yaa_cli_fail("check: cannot read back '%s': %s", path, je.text);
    if (as_json) {
        yaa_cli_print_json(json_incref(j), JSON_REAL_PRECISION(6));
    } else {
        printf("%s: %s\n", path, q.ok ? "all checks pass" : "some checks FAILED");
        line(j, "loudness", "loudness");
        line(j, "stills", "stills");
        line(j, "captions", "captions");
        line(j, "pictures", "pictures");
        line(j, "metadata", "metadata");
    }
    json_decref(j);
    return q.ok ? YAA_EXIT_OK : YAA_EXIT_FAIL;
}
