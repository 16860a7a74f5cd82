/* cmd_usage.c - `yaa usage`: spend and tokens from usage_events grouped by day, run, agent,
 * provider, model or channel; an aligned table for humans or --json in the shape of
 * GET /api/v1/usage/summary (both come from the same repository query). */
#include "cli/cli.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "db/db.h"
#include "db/repo.h"
#include "llm/pricing.h"

static const char usage[] =
    "Usage: yaa usage [--from T] [--to T] [--group-by day|run|agent|provider|model|channel]\n"
    "                 [--run ID] [--channel ID] [--agent A] [--provider P] [--model M] [--json]\n"
    "       yaa usage --prices [--json]\n"
    "\n"
    "Spend and tokens recorded in usage_events (DATABASE_URL), one line per group and a totals\n"
    "line. Costs are US dollars from the pricing table (docs/USAGE.md).\n"
    "\n"
    "Options (each also as --name=value):\n"
    "  --from T          only usage at or after T: RFC 3339 (2026-02-06T10:00:00Z) or a day\n"
    "  --to T            only usage up to T (a day means the end of that day)\n"
    "  --group-by G      one line per day (default), run, agent, provider, model or channel\n"
    "  --run ID          only this run's usage\n"
    "  --channel ID      only this channel's runs\n"
    "  --agent A         only this agent (stage), e.g. script_writer\n"
    "  --provider P      only this provider, e.g. openai\n"
    "  --model M         only this model\n"
    "  --prices          print the pricing table instead (built-in with its date, plus\n"
    "                    PRICING_FILE)\n"
    "  --json            print what GET /api/v1/usage/summary answers (or the prices as JSON)\n"
    "  -h, --help        this help\n";

typedef struct {
    const char *name;
    const char **dst;
} opt;

/* A bare day becomes the first (from) or last (to) second of it. */
static int bound(const char *in, bool end, char *out, size_t n) {
    size_t len = strlen(in);
    if (len == 10 && in[4] == '-' && in[7] == '-') {
        snprintf(out, n, "%s%s", in, end ? "T23:59:59.999999Z" : "T00:00:00Z");
        return 0;
    }
    if (len >= n) return -1;
    snprintf(out, n, "%s", in);
    return 0;
}

static const char *header_of(const char *by) {
    if (strcmp(by, "run") == 0) return "RUN";
    if (strcmp(by, "agent") == 0) return "AGENT";
    if (strcmp(by, "provider") == 0) return "PROVIDER";
    if (strcmp(by, "model") == 0) return "MODEL";
    if (strcmp(by, "channel") == 0) return "CHANNEL";
    return "DAY";
}

static json_int_t ival(json_t *o, const char *k) {
    return json_integer_value(json_object_get(o, k));
}

static void row(int w, const char *key, json_t *o) {
    printf("%-*s  %8lld  %12lld  %12lld  %12lld  %12.4f\n", w, key, (long long)ival(o, "events"),
           (long long)ival(o, "prompt_tokens"), (long long)ival(o, "completion_tokens"),
           (long long)ival(o, "total_tokens"), json_number_value(json_object_get(o, "cost_usd")));
}

static void print_table(json_t *out, const char *by) {
    json_t *groups = json_object_get(out, "groups"), *g;
    size_t i;
    int w = (int)strlen(header_of(by));
    if (w < 5) w = 5; /* "TOTAL" */
    json_array_foreach(groups, i, g) {
        const char *k = json_string_value(json_object_get(g, "key"));
        int l = (int)strlen(k ? k : "(none)");
        if (l > w) w = l;
    }
    printf("%-*s  %8s  %12s  %12s  %12s  %12s\n", w, header_of(by), "EVENTS", "PROMPT",
           "COMPLETION", "TOTAL_TOK", "COST_USD");
    json_array_foreach(groups, i, g) {
        const char *k = json_string_value(json_object_get(g, "key"));
        row(w, k ? (*k ? k : "(empty)") : "(none)", g);
    }
    row(w, "TOTAL", json_object_get(out, "totals"));
}

/* The effective price table: PRICING_FILE rows first, then the built-in ones. */
static int print_prices(const yaa_config *cfg, bool as_json) {
    yaa_err err = {0};
    if (yaa_llm_pricing_load(cfg->pricing_file, &err)) return yaa_cli_fail("usage: %s", err.msg);
    json_t *arr = json_array();
    yaa_price p;
    if (!as_json)
        printf("prices in USD, built-in table of %s%s%s\n%-11s %-28s %-9s %9s %9s %9s %9s\n",
               YAA_PRICING_DATE, cfg->pricing_file && *cfg->pricing_file ? " + " : "",
               cfg->pricing_file ? cfg->pricing_file : "", "PROVIDER", "MODEL", "KIND", "IN/1M",
               "OUT/1M", "CACHED/1M", "PER_UNIT");
    for (size_t i = 0; yaa_llm_pricing_entry(i, &p); i++) {
        const char *kind = yaa_net_usage_kind_name(p.kind);
        if (as_json) {
            json_array_append_new(
                arr,
                json_pack("{s:s, s:s, s:s, s:f, s:f, s:o, s:f}", "provider", p.provider, "model",
                          p.model, "kind", kind, "input_per_m", p.input_per_m, "output_per_m",
                          p.output_per_m, "cached_input_per_m",
                          p.cached_input_per_m < 0 ? json_null() : json_real(p.cached_input_per_m),
                          "per_unit", p.per_unit));
            continue;
        }
        char cached[32] = "-";
        if (p.cached_input_per_m >= 0)
            snprintf(cached, sizeof cached, "%.3f", p.cached_input_per_m);
        printf("%-11s %-28s %-9s %9.3f %9.3f %9s %9.3f\n", p.provider, p.model, kind, p.input_per_m,
               p.output_per_m, cached, p.per_unit);
    }
    if (as_json) {
        json_t *o = json_pack("{s:s, s:s?, s:o}", "date", YAA_PRICING_DATE, "pricing_file",
                              cfg->pricing_file && *cfg->pricing_file ? cfg->pricing_file : NULL,
                              "models", arr);
        if (yaa_cli_print_json(o, 0)) return YAA_EXIT_FAIL;
    } else {
        json_decref(arr);
        printf("PER_UNIT: tts $ per 1K characters, image $ per image\n");
    }
    return YAA_EXIT_OK;
}

int yaa_cli_cmd_usage(yaa_cli *cli) {
    if (yaa_cli_wants_help(cli->argc, cli->argv)) {
        fputs(usage, stdout);
        return YAA_EXIT_OK;
    }
    const char *from = NULL, *to = NULL, *by = "day", *run = NULL, *channel = NULL, *agent = NULL,
               *provider = NULL, *model = NULL;
    bool as_json = false, prices = false;
    const opt opts[] = {{"--from", &from},         {"--to", &to},           {"--group-by", &by},
                        {"--run", &run},           {"--channel", &channel}, {"--agent", &agent},
                        {"--provider", &provider}, {"--model", &model}};
    for (int i = 1; i < cli->argc; i++) {
        const char *a = cli->argv[i];
        if (strcmp(a, "--json") == 0 || strcmp(a, "--prices") == 0) {
            *(a[2] == 'j' ? &as_json : &prices) = true;
            continue;
        }
        bool matched = false;
        for (size_t k = 0; k < sizeof opts / sizeof *opts && !matched; k++) {
            size_t n = strlen(opts[k].name);
            if (strncmp(a, opts[k].name, n) != 0) continue;
            if (a[n] == '=') {
                *opts[k].dst = a + n + 1;
                matched = true;
            } else if (a[n] == '\0') {
                if (!(*opts[k].dst = yaa_cli_value(cli, &i, "usage"))) return YAA_EXIT_USAGE;
                matched = true;
            }
        }
        if (!matched)
            return yaa_cli_usage_error("usage: unknown option '%s' (see `yaa usage --help`)", a);
    }
    if (prices) return print_prices(cli->cfg, as_json);
    if (!yaa_db_usage_group_by_valid(by))
        return yaa_cli_usage_error(
            "usage: --group-by '%s' is not one of day, run, agent, provider, model, channel", by);
    char fb[64], tb[64];
    if (from && bound(from, false, fb, sizeof fb))
        return yaa_cli_usage_error("usage: --from '%s' is not a time", from);
    if (to && bound(to, true, tb, sizeof tb))
        return yaa_cli_usage_error("usage: --to '%s' is not a time", to);
    yaa_usage_filter f = {.run_id = run,
                          .channel_id = channel,
                          .agent = agent,
                          .provider = provider,
                          .model = model,
                          .from = from ? fb : NULL,
                          .to = to ? tb : NULL};
    yaa_db *db = NULL;
    yaa_err err = {0};
    if (yaa_db_open(cli->cfg->database_url, &db, &err)) return yaa_cli_fail("usage: %s", err.msg);
    json_t *out = NULL;
    int rc = yaa_api_usage_summary(db, &f, by, &out, &err);
    yaa_db_close(db);
    if (rc == YAA_EINVAL) return yaa_cli_usage_error("usage: %s", err.msg);
    if (rc) {
        bool no_table = strstr(err.msg, "no such table") || strstr(err.msg, "does not exist");
        return yaa_cli_fail("usage: %s%s", err.msg,
                            no_table ? " (run `yaa db upgrade` first)" : "");
    }
    if (as_json) {
        return yaa_cli_print_json(out, JSON_REAL_PRECISION(12));
    }
    print_table(out, by);
    json_decref(out);
    return YAA_EXIT_OK;
}
