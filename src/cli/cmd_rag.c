/* cmd_rag.c - `yaa rag index [--channel ID] | query --channel ID "text" [-k K] | eval FILE`:
 * builds the brand index, shows what retrieval finds, and measures it on a question file. */
#include "cli/cli.h"

#include "db/db.h"
#include "core/util.h"
#include "rag/rag.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *usage_text =
    "Usage: yaa rag index [--channel ID]\n"
    "       yaa rag query --channel ID \"text\" [-k K] [--mode hybrid|lexical|vector] [--json]\n"
    "       yaa rag eval FILE [-k K] [--min-recall R] [--exact] [--verbose] [--json]\n"
    "\n"
    "  index   chunks and embeds the brand guide, config and knowledge/ files of one channel (or\n"
    "          all); unchanged chunks are not embedded again. Run outputs are never indexed\n"
    "  query   the K best chunks for the text, with scores and section paths\n"
    "  eval    recall@K and MRR of lexical, vector and hybrid retrieval on a JSON Lines file of\n"
    "          {\"channel\",\"question\",\"expect\":[section paths]}; indexes its channels first\n"
    "\n"
    "Options:\n"
    "  --channel ID      index: only this channel; query: the channel to search (required)\n"
    "  -k, --k K         how many chunks to return or score (1-100, default 5)\n"
    "  --mode M          query: hybrid (default), lexical or vector\n"
    "  --min-recall R    eval: exit 1 when hybrid recall@K is below R (0-1)\n"
    "  --exact           eval: score every vector in float32 instead of the int8 scan and\n"
    "                    rescoring (what the approximation loses)\n"
    "  -v, --verbose     eval: print each hybrid miss\n"
    "  --json            print the result as JSON\n"
    "  -h, --help        this help\n"
    "Environment: DATABASE_URL, CHANNELS_DIR, EMBEDDING_PROVIDER, EMBEDDING_MODEL.\n";

/* The database, with the in-memory index bound (RAG_CACHE_MB) set for this process. */
static int open_db(yaa_cli *cli, yaa_db **db) {
    if (cli->cfg && cli->cfg->rag_cache_mb > 0)
        yaa_rag_cache_limit((size_t)cli->cfg->rag_cache_mb << 20);
    return yaa_cli_open_db(cli, "rag", true, db);
}

static int parse_k(const char *s, int *k) {
    long v;
    if (yaa_parse_long(s, 1, 100, &v))
        return yaa_cli_usage_error("-k: expected 1..100, got '%s'", s);
    *k = (int)v;
    return 0;
}

static int cmd_index(yaa_cli *cli) {
    const char *channel = NULL;
    for (int i = 2; i < cli->argc; i++) {
        if (strcmp(cli->argv[i], "--channel") == 0) {
            if (!(channel = yaa_cli_value(cli, &i, "rag"))) return YAA_EXIT_USAGE;
        } else
            return yaa_cli_usage_error("rag index: unexpected '%s' (see yaa rag --help)",
                                       cli->argv[i]);
    }
    yaa_db *db;
    int rc = open_db(cli, &db);
    if (rc) return rc;
    yaa_err err = {0};
    yaa_rag_index_stats st;
    double t0 = yaa_mono_sec();
    rc = yaa_rag_index(db, cli->cfg, channel, &st, &err);
    yaa_db_close(db);
    if (rc) return yaa_cli_fail("%s", err.msg);
    printf("indexed %d channel%s: %d chunks (%d embedded, %d unchanged, %d deleted) in %.2fs\n",
           st.channels, st.channels == 1 ? "" : "s", st.chunks, st.embedded, st.kept, st.deleted,
           yaa_mono_sec() - t0);
    return YAA_EXIT_OK;
}

static int parse_mode(const char *s, yaa_rag_mode *m) {
    if (strcmp(s, "hybrid") == 0)
        *m = YAA_RAG_HYBRID;
    else if (strcmp(s, "lexical") == 0)
        *m = YAA_RAG_LEXICAL;
    else if (strcmp(s, "vector") == 0)
        *m = YAA_RAG_VECTOR;
    else
        return yaa_cli_usage_error("--mode: expected hybrid, lexical or vector, got '%s'", s);
    return 0;
}

static void print_json_hits(const char *channel, const char *query, yaa_rag_mode mode,
                            const yaa_rag_results *r) {
    json_t *o = json_object(), *a = json_array();
    json_object_set_new(o, "channel_id", json_string(channel));
    json_object_set_new(o, "query", json_string(query));
    json_object_set_new(o, "mode", json_string(yaa_rag_mode_name(mode)));
    for (size_t i = 0; i < r->n; i++) {
        const yaa_rag_hit *h = &r->hits[i];
        json_t *x = json_object();
        json_object_set_new(x, "rank", json_integer((json_int_t)i + 1));
        json_object_set_new(x, "score", json_real(h->score));
        json_object_set_new(x, "section", json_string(h->section));
        json_object_set_new(x, "source", json_string(h->source));
        json_object_set_new(x, "text", json_string(h->body));
        json_object_set_new(x, "lexical_rank",
                            h->lex_rank ? json_integer(h->lex_rank) : json_null());
        json_object_set_new(x, "vector_rank",
                            h->vec_rank ? json_integer(h->vec_rank) : json_null());
        json_array_append_new(a, x);
    }
    json_object_set_new(o, "results", a);
    yaa_cli_print_json(o, 0);
}

static int cmd_query(yaa_cli *cli) {
    const char *channel = NULL, *query = NULL;
    int k = 5, json = 0;
    yaa_rag_mode mode = YAA_RAG_HYBRID;
    for (int i = 2; i < cli->argc; i++) {
        const char *a = cli->argv[i];
        int rc = 0;
        bool is_k = strcmp(a, "-k") == 0 || strcmp(a, "--k") == 0;
        if (strcmp(a, "--channel") == 0 || is_k || strcmp(a, "--mode") == 0) {
            const char *v = yaa_cli_value(cli, &i, "rag");
            if (!v) return YAA_EXIT_USAGE;
            if (is_k)
                rc = parse_k(v, &k);
            else if (a[2] == 'm')
                rc = parse_mode(v, &mode);
            else
                channel = v;
        } else if (strcmp(a, "--json") == 0)
            json = 1;
        else if (a[0] == '-' && a[1])
            return yaa_cli_usage_error("rag query: unknown option '%s'", a);
        else if (!query)
            query = a;
        else
            return yaa_cli_usage_error("rag query: one query text, quoted (got '%s' too)", a);
        if (rc) return rc;
    }
    if (!channel) return yaa_cli_usage_error("rag query: --channel ID is required");
    if (!query || !*query) return yaa_cli_usage_error("rag query: the query text is required");
    yaa_db *db;
    int rc = open_db(cli, &db);
    if (rc) return rc;
    yaa_err err = {0};
    yaa_rag_embedder *emb = NULL;
    yaa_rag_results r = {0};
    rc = yaa_rag_embedder_open(cli->cfg, &emb, &err);
    if (!rc) rc = yaa_rag_search(db, emb, channel, query, k, mode, &r, &err);
    yaa_rag_embedder_free(emb);
    yaa_db_close(db);
    if (rc) return yaa_cli_fail("%s", err.msg);
    if (json) {
        print_json_hits(channel, query, mode, &r);
    } else if (!r.n) {
        fprintf(stderr,
                "no results (if channel '%s' was never indexed: yaa rag index --channel %s)\n",
                channel, channel);
    } else {
        for (size_t i = 0; i < r.n; i++) {
            const yaa_rag_hit *h = &r.hits[i];
            printf("%2zu  %.4f  %s  (%s", i + 1, h->score, h->section, h->source);
            if (mode == YAA_RAG_HYBRID) {
                if (h->lex_rank) printf(", lexical #%d", h->lex_rank);
                if (h->vec_rank) printf(", vector #%d", h->vec_rank);
            }
            printf(")\n");
            /* The content on one indented line, shortened for the terminal. */
            size_t n = yaa_utf8_prefix(h->body, 300);
            printf("    ");
            for (size_t j = 0; j < n; j++) putchar(h->body[j] == '\n' ? ' ' : h->body[j]);
            printf("%s\n", n < strlen(h->body) ? " ..." : "");
        }
    }
    yaa_rag_results_free(&r);
    return YAA_EXIT_OK;
}

/* The distinct channels named in a question file. */
static int eval_channels(const char *path, json_t *set) {
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) > 0) {
        json_t *q = json_loads(line, 0, NULL);
        const char *c = json_string_value(json_object_get(q, "channel"));
        if (c) json_object_set_new(set, c, json_true());
        json_decref(q);
    }
    free(line);
    fclose(f);
    return 0;
}

static int cmd_eval(yaa_cli *cli) {
    const char *file = NULL;
    int k = 5, verbose = 0, json = 0;
    double min_recall = -1;
    for (int i = 2; i < cli->argc; i++) {
        const char *a = cli->argv[i];
        int rc = 0;
        bool is_k = strcmp(a, "-k") == 0 || strcmp(a, "--k") == 0;
        if (is_k || strcmp(a, "--min-recall") == 0) {
            const char *v = yaa_cli_value(cli, &i, "rag");
            if (!v) return YAA_EXIT_USAGE;
            if (is_k)
                rc = parse_k(v, &k);
            else if (yaa_parse_double(v, &min_recall) || min_recall < 0 || min_recall > 1)
                return yaa_cli_usage_error("--min-recall: expected 0..1, got '%s'", v);
        } else if (strcmp(a, "--verbose") == 0 || strcmp(a, "-v") == 0)
            verbose = 1;
        else if (strcmp(a, "--exact") == 0)
            yaa_rag_vector_exact(1);
        else if (strcmp(a, "--json") == 0)
            json = 1;
        else if (a[0] == '-' && a[1])
            return yaa_cli_usage_error("rag eval: unknown option '%s'", a);
        else if (!file)
            file = a;
        else
            return yaa_cli_usage_error("rag eval: one FILE only (got '%s' too)", a);
        if (rc) return rc;
    }
    if (!file) return yaa_cli_usage_error("rag eval: the question FILE is required");
    json_t *set = json_object();
    if (eval_channels(file, set)) {
        json_decref(set);
        return yaa_cli_fail("%s: cannot open the question file", file);
    }
    yaa_db *db;
    int rc = open_db(cli, &db);
    if (rc) {
        json_decref(set);
        return rc;
    }
    yaa_err err = {0};
    yaa_rag_embedder *emb = NULL;
    yaa_rag_eval_report rep;
    rc = yaa_rag_embedder_open(cli->cfg, &emb, &err);
    const char *ch;
    json_t *v;
    json_object_foreach(set, ch, v) {
        if (rc) break;
        yaa_rag_index_stats st;
        rc = yaa_rag_index_with(db, cli->cfg, emb, ch, &st, &err);
    }
    json_decref(set);
    if (!rc) rc = yaa_rag_eval_file(db, emb, file, k, verbose, &rep, &err);
    const char *ename = emb ? yaa_rag_embedder_name(emb) : "";
    char embname[160];
    snprintf(embname, sizeof embname, "%s", ename);
    yaa_rag_embedder_free(emb);
    yaa_db_close(db);
    if (rc) return yaa_cli_fail("%s", err.msg);
    if (json) {
        json_t *o = json_object(), *m = json_object();
        json_object_set_new(o, "file", json_string(file));
        json_object_set_new(o, "k", json_integer(k));
        json_object_set_new(o, "embedder", json_string(embname));
        json_object_set_new(o, "questions", json_integer(rep.methods[0].questions));
        for (int i = 0; i < 3; i++) {
            json_t *x = json_object();
            json_object_set_new(x, "recall_at_k", json_real(rep.methods[i].recall_at_k));
            json_object_set_new(x, "mrr", json_real(rep.methods[i].mrr));
            json_object_set_new(m, yaa_rag_mode_name(rep.methods[i].mode), x);
        }
        json_object_set_new(o, "methods", m);
        yaa_cli_print_json(o, 0);
    } else {
        printf("%d questions, k=%d, embedder %s\n", rep.methods[0].questions, k, embname);
        printf("%-8s  recall@%-3d  MRR@10\n", "method", k);
        for (int i = 0; i < 3; i++)
            printf("%-8s  %-9.3f  %.3f\n", yaa_rag_mode_name(rep.methods[i].mode),
                   rep.methods[i].recall_at_k, rep.methods[i].mrr);
    }
    if (min_recall >= 0 && rep.methods[0].recall_at_k + 1e-9 < min_recall)
        return yaa_cli_fail("hybrid recall@%d %.3f is below --min-recall %.3f", k,
                            rep.methods[0].recall_at_k, min_recall);
    return YAA_EXIT_OK;
}

int yaa_cli_cmd_rag(yaa_cli *cli) {
    if (cli->argc < 2 || yaa_cli_wants_help(cli->argc, cli->argv)) {
        fputs(usage_text, cli->argc < 2 ? stderr : stdout);
        return cli->argc < 2 ? YAA_EXIT_USAGE : YAA_EXIT_OK;
    }
    const char *sub = cli->argv[1];
    if (strcmp(sub, "index") == 0) return cmd_index(cli);
    if (strcmp(sub, "query") == 0) return cmd_query(cli);
    if (strcmp(sub, "eval") == 0) return cmd_eval(cli);
    return yaa_cli_usage_error("rag: unknown subcommand '%s' (index, query, eval)", sub);
}
