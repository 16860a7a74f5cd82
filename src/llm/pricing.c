/* pricing.c - the built-in price table, PRICING_FILE overrides (YAML) and cost computation. */
#include "llm/pricing.h"

#include "core/buf.h"
#include "core/log.h"

#include <math.h>
#include <stdint.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define NO_CACHE (-1.0)

/* Taken from the providers' public price pages on YAA_PRICING_DATE (list prices, USD). */
static const yaa_price BUILTIN[] = {
    /* Anthropic: input, output, cache read ($ per 1M tokens) */
    {"anthropic", "claude-opus-4-1", YAA_USAGE_CHAT, 15.00, 75.00, 1.50, 0},
    {"anthropic", "claude-opus-4", YAA_USAGE_CHAT, 15.00, 75.00, 1.50, 0},
    {"anthropic", "claude-sonnet-4", YAA_USAGE_CHAT, 3.00, 15.00, 0.30, 0},
    {"anthropic", "claude-3-7-sonnet", YAA_USAGE_CHAT, 3.00, 15.00, 0.30, 0},
    {"anthropic", "claude-3-5-sonnet", YAA_USAGE_CHAT, 3.00, 15.00, 0.30, 0},
    {"anthropic", "claude-3-5-haiku", YAA_USAGE_CHAT, 0.80, 4.00, 0.08, 0},
    {"anthropic", "claude-3-haiku", YAA_USAGE_CHAT, 0.25, 1.25, 0.03, 0},
    {"anthropic", "claude-3-opus", YAA_USAGE_CHAT, 15.00, 75.00, 1.50, 0},
    /* OpenAI chat: input, output, cached input */
    {"openai", "gpt-4o", YAA_USAGE_CHAT, 2.50, 10.00, 1.25, 0},
    {"openai", "gpt-4o-mini", YAA_USAGE_CHAT, 0.15, 0.60, 0.075, 0},
    {"openai", "gpt-4.1", YAA_USAGE_CHAT, 2.00, 8.00, 0.50, 0},
    {"openai", "gpt-4.1-mini", YAA_USAGE_CHAT, 0.40, 1.60, 0.10, 0},
    {"openai", "gpt-4.1-nano", YAA_USAGE_CHAT, 0.10, 0.40, 0.025, 0},
    {"openai", "o3", YAA_USAGE_CHAT, 2.00, 8.00, 0.50, 0},
    {"openai", "o4-mini", YAA_USAGE_CHAT, 1.10, 4.40, 0.275, 0},
    {"openai", "gpt-4-turbo", YAA_USAGE_CHAT, 10.00, 30.00, NO_CACHE, 0},
    {"openai", "gpt-3.5-turbo", YAA_USAGE_CHAT, 0.50, 1.50, NO_CACHE, 0},
    /* OpenAI embeddings: input only */
    {"openai", "text-embedding-3-small", YAA_USAGE_EMBEDDING, 0.02, 0, NO_CACHE, 0},
    {"openai", "text-embedding-3-large", YAA_USAGE_EMBEDDING, 0.13, 0, NO_CACHE, 0},
    {"openai", "text-embedding-ada-002", YAA_USAGE_EMBEDDING, 0.10, 0, NO_CACHE, 0},
    /* OpenAI images: $ per image (1024x1024, standard / medium quality) */
    {"openai", "dall-e-3", YAA_USAGE_IMAGE, 0, 0, NO_CACHE, 0.040},
    {"openai", "dall-e-2", YAA_USAGE_IMAGE, 0, 0, NO_CACHE, 0.020},
    {"openai", "gpt-image-1", YAA_USAGE_IMAGE, 0, 0, NO_CACHE, 0.042},
    /* ElevenLabs: $ per 1K characters (API list price; plans with included credits differ) */
    {"elevenlabs", "eleven_multilingual_v2", YAA_USAGE_TTS, 0, 0, NO_CACHE, 0.30},
    {"elevenlabs", "eleven_v3", YAA_USAGE_TTS, 0, 0, NO_CACHE, 0.30},
    {"elevenlabs", "eleven_turbo_v2_5", YAA_USAGE_TTS, 0, 0, NO_CACHE, 0.15},
    {"elevenlabs", "eleven_flash_v2_5", YAA_USAGE_TTS, 0, 0, NO_CACHE, 0.15},
    /* OpenAI speech: $ per 1K input characters (tts-1 $15 / 1M; gpt-4o-mini-tts is billed by
     * tokens, about $0.015 a minute of audio, close to tts-1 per character) */
    {"openai", "tts-1", YAA_USAGE_TTS, 0, 0, NO_CACHE, 0.015},
    {"openai", "tts-1-hd", YAA_USAGE_TTS, 0, 0, NO_CACHE, 0.030},
    {"openai", "gpt-4o-mini-tts", YAA_USAGE_TTS, 0, 0, NO_CACHE, 0.015},
};
#define NBUILTIN (sizeof BUILTIN / sizeof BUILTIN[0])

typedef struct warned {
    struct warned *next;
    char key[];
} warned;

static struct {
    pthread_mutex_t lock;
    yaa_price *over; /* overrides with owned strings */
    size_t nover;
    warned *warned;
} g = {PTHREAD_MUTEX_INITIALIZER, NULL, 0, NULL};

static bool is_local(const char *provider) {
    return !provider || strcmp(provider, "offline") == 0 || strcmp(provider, "espeak") == 0 ||
           strcmp(provider, "flite") == 0 || strcmp(provider, "cards") == 0 ||
           strcmp(provider, "hash") == 0 || strcmp(provider, "local") == 0;
}

/* 0 = no match, else the matched length + 1 (exact matches rank above any prefix). */
static size_t match_score(const char *name, const char *model) {
    size_t n = strlen(name);
    if (strcmp(name, model) == 0) return SIZE_MAX;
    if (strncmp(name, model, n) == 0 && model[n] == '-') return n + 1;
    return 0;
}

/* Best match score of provider/model in tab (0 = none); *out gets the row. */
static size_t find_in(const yaa_price *tab, size_t n, const char *provider, const char *model,
                      yaa_price *out) {
    size_t best = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(tab[i].provider, provider) != 0) continue;
        size_t s = match_score(tab[i].model, model);
        if (s > best) {
            best = s;
            *out = tab[i];
        }
    }
    return best;
}

/* Caller holds g.lock. The closest name wins; an override wins a tie with a built-in. */
static bool lookup_locked(const char *provider, const char *model, yaa_price *out) {
    yaa_price o, b;
    size_t so = find_in(g.over, g.nover, provider, model, &o);
    size_t sb = find_in(BUILTIN, NBUILTIN, provider, model, &b);
    if (!so && !sb) return false;
    *out = so >= sb ? o : b;
    return true;
}

bool yaa_llm_pricing_lookup(const char *provider, const char *model, yaa_price *out) {
    if (!provider || !model) return false;
    pthread_mutex_lock(&g.lock);
    bool ok = lookup_locked(provider, model, out);
    if (!ok && strcmp(provider, "openai-compatible") == 0) ok = lookup_locked("openai", model, out);
    pthread_mutex_unlock(&g.lock);
    return ok;
}

bool yaa_llm_pricing_known(const char *provider, const char *model) {
    yaa_price p;
    return is_local(provider) || yaa_llm_pricing_lookup(provider, model, &p);
}

static void warn_once(const char *provider, const char *model) {
    char key[256];
    snprintf(key, sizeof key, "%s/%s", provider, model);
    pthread_mutex_lock(&g.lock);
    for (warned *w = g.warned; w; w = w->next) {
        if (strcmp(w->key, key) == 0) {
            pthread_mutex_unlock(&g.lock);
            return;
        }
    }
    warned *w = malloc(sizeof *w + strlen(key) + 1);
    if (w) {
        strcpy(w->key, key);
        w->next = g.warned;
        g.warned = w;
    }
    pthread_mutex_unlock(&g.lock);
    yaa_log_ev(YAA_LOG_WARN, "pricing",
               "no price for this model: its usage is recorded with cost 0 (add it to "
               "PRICING_FILE)",
               YAA_F_STR("provider", provider), YAA_F_STR("model", model), YAA_F_END);
}

void yaa_llm_pricing_reset_warnings(void) {
    pthread_mutex_lock(&g.lock);
    while (g.warned) {
        warned *n = g.warned->next;
        free(g.warned);
        g.warned = n;
    }
    pthread_mutex_unlock(&g.lock);
}

double yaa_llm_pricing_cost_cached(const char *provider, const char *model, yaa_usage_kind kind,
                                   long prompt_tokens, long cached_tokens, long completion_tokens,
                                   long units) {
    if (is_local(provider)) return 0.0;
    if (!model || !*model) model = "(none)";
    yaa_price p;
    if (!yaa_llm_pricing_lookup(provider, model, &p)) {
        if (prompt_tokens > 0 || completion_tokens > 0 || units > 0) warn_once(provider, model);
        return 0.0;
    }
    switch (kind) {
    case YAA_USAGE_TTS: return (double)units / 1000.0 * p.per_unit;
    case YAA_USAGE_IMAGE: return (double)units * p.per_unit;
    case YAA_USAGE_CHAT:
    case YAA_USAGE_EMBEDDING: break;
    }
    if (cached_tokens < 0) cached_tokens = 0;
    if (cached_tokens > prompt_tokens) cached_tokens = prompt_tokens;
    double cached_rate = p.cached_input_per_m >= 0 ? p.cached_input_per_m : p.input_per_m;
    double cost = (double)(prompt_tokens - cached_tokens) * p.input_per_m +
                  (double)cached_tokens * cached_rate + (double)completion_tokens * p.output_per_m;
    return cost / 1e6;
}

double yaa_llm_pricing_cost(const char *provider, const char *model, yaa_usage_kind kind,
                            long prompt_tokens, long completion_tokens, long units) {
    return yaa_llm_pricing_cost_cached(provider, model, kind, prompt_tokens, 0, completion_tokens,
                                       units);
}

static double pricer(const yaa_usage_event *ev) {
    return yaa_llm_pricing_cost_cached(ev->provider, ev->model, ev->kind, ev->prompt_tokens,
                                       ev->cached_tokens, ev->completion_tokens, ev->units);
}

void yaa_llm_pricing_install(void) { yaa_net_usage_set_pricer(pricer); }

bool yaa_llm_pricing_entry(size_t i, yaa_price *out) {
    pthread_mutex_lock(&g.lock);
    bool ok = true;
    if (i < g.nover)
        *out = g.over[i];
    else if (i - g.nover < NBUILTIN)
        *out = BUILTIN[i - g.nover];
    else
        ok = false;
    pthread_mutex_unlock(&g.lock);
    return ok;
}

/* ---- PRICING_FILE ------------------------------------------------------------------- */

static void free_prices(yaa_price *p, size_t n) {
    for (size_t i = 0; i < n; i++) {
        free((char *)p[i].provider);
        free((char *)p[i].model);
    }
    free(p);
}

static const char *scalar(yaml_node_t *n) {
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static int perr(yaa_err *err, const char *name, yaml_node_t *n, const char *fmt, const char *a,
                const char *b) {
    char what[300];
    snprintf(what, sizeof what, fmt, a, b);
    return yaa_err_set(err, YAA_ECONFIG, "%s:%zu: %s", name, n ? n->start_mark.line + 1 : 1, what);
}

static int parse_price(yaml_document_t *doc, yaml_node_t *m, const char *name, size_t idx,
                       yaa_price *out, yaa_err *err) {
    char where[32];
    snprintf(where, sizeof where, "models[%zu]", idx);
    if (m->type != YAML_MAPPING_NODE)
        return perr(err, name, m, "%s: expected a mapping (provider, model, prices)%s", where, "");
    memset(out, 0, sizeof *out);
    out->kind = YAA_USAGE_CHAT;
    out->cached_input_per_m = NO_CACHE;
    bool kind_set = false;
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        yaml_node_t *kn = yaml_document_get_node(doc, p->key);
        yaml_node_t *vn = yaml_document_get_node(doc, p->value);
        const char *k = scalar(kn);
        const char *v = scalar(vn);
        if (!k) return perr(err, name, kn, "%s: keys must be plain names%s", where, "");
        if (!v) return perr(err, name, vn, "%s.%s: expected a single value", where, k);
        if (strcmp(k, "provider") == 0 || strcmp(k, "model") == 0) {
            if (!*v) return perr(err, name, vn, "%s.%s: must not be empty", where, k);
            char *d = strdup(v);
            if (!d) return yaa_err_set(err, YAA_ENOMEM, "pricing: out of memory");
            const char **slot = strcmp(k, "provider") == 0 ? &out->provider : &out->model;
            free((char *)*slot);
            *slot = d;
        } else if (strcmp(k, "kind") == 0) {
            static const char *kinds[] = {"chat", "embedding", "tts", "image"};
            bool ok = false;
            for (int i = 0; i < 4; i++)
                if (strcmp(v, kinds[i]) == 0) out->kind = (yaa_usage_kind)i, ok = true;
            if (!ok)
                return perr(err, name, vn, "%s.kind: '%.40s' is not chat, embedding, tts or image",
                            where, v);
            kind_set = true;
        } else {
            double *dst = NULL;
            if (strcmp(k, "input") == 0)
                dst = &out->input_per_m;
            else if (strcmp(k, "output") == 0)
                dst = &out->output_per_m;
            else if (strcmp(k, "cached_input") == 0)
                dst = &out->cached_input_per_m;
            else if (strcmp(k, "per_1k_chars") == 0 || strcmp(k, "per_image") == 0)
                dst = &out->per_unit;
            if (!dst)
                return perr(err, name, kn,
                            "%s: unknown key '%.40s' (provider, model, kind, input, output, "
                            "cached_input, per_1k_chars, per_image)",
                            where, k);
            double d;
            char field[80];
            snprintf(field, sizeof field, "%s.%.40s", where, k);
            if (yaa_parse_double(v, &d) != 0 || !isfinite(d) || d < 0)
                return perr(err, name, vn, "%s: '%.40s' is not a price (a number >= 0, USD)", field,
                            v);
            *dst = d;
            if (!kind_set && strcmp(k, "per_1k_chars") == 0) out->kind = YAA_USAGE_TTS;
            if (!kind_set && strcmp(k, "per_image") == 0) out->kind = YAA_USAGE_IMAGE;
        }
    }
    if (!out->provider) return perr(err, name, m, "%s: missing 'provider'%s", where, "");
    if (!out->model) return perr(err, name, m, "%s: missing 'model'%s", where, "");
    return 0;
}

int yaa_llm_pricing_load_text(const char *name, const char *text, size_t len, yaa_err *err) {
    yaml_parser_t parser;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&parser)) return yaa_err_set(err, YAA_ENOMEM, "pricing: no memory");
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, &doc)) {
        int rc = yaa_err_set(err, YAA_ECONFIG, "%s:%zu: %s", name, parser.problem_mark.line + 1,
                             parser.problem ? parser.problem : "invalid YAML");
        yaml_parser_delete(&parser);
        return rc;
    }
    yaa_price *prices = NULL;
    size_t n = 0;
    int rc = 0;
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (!root) goto install; /* an empty file: no overrides */
    if (root->type != YAML_MAPPING_NODE) {
        rc = perr(err, name, root, "expected a mapping with 'models:'%s%s", "", "");
        goto out;
    }
    yaml_node_t *models = NULL;
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
         p++) {
        yaml_node_t *kn = yaml_document_get_node(&doc, p->key);
        const char *k = scalar(kn);
        if (k && strcmp(k, "models") == 0)
            models = yaml_document_get_node(&doc, p->value);
        else if (!k || strcmp(k, "date") != 0) {
            rc = perr(err, name, kn, "unknown key '%.40s' (date, models)%s", k ? k : "?", "");
            goto out;
        }
    }
    if (!models) goto install;
    if (models->type != YAML_SEQUENCE_NODE) {
        rc = perr(err, name, models, "models: expected a list of models%s%s", "", "");
        goto out;
    }
    size_t cap = (size_t)(models->data.sequence.items.top - models->data.sequence.items.start);
    prices = calloc(cap ? cap : 1, sizeof *prices);
    if (!prices) {
        rc = yaa_err_set(err, YAA_ENOMEM, "pricing: out of memory");
        goto out;
    }
    for (yaml_node_item_t *it = models->data.sequence.items.start;
         it < models->data.sequence.items.top; it++) {
        rc = parse_price(&doc, yaml_document_get_node(&doc, *it), name, n, &prices[n], err);
        n++;
        if (rc) goto out;
    }
install:
    pthread_mutex_lock(&g.lock);
    free_prices(g.over, g.nover);
    g.over = prices;
    g.nover = n;
    pthread_mutex_unlock(&g.lock);
    prices = NULL;
    n = 0;
out:
    free_prices(prices, n);
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    return rc;
}

static struct {
    pthread_mutex_t lock;
    bool done;
    int rc;
    yaa_err err;
} g_once = {PTHREAD_MUTEX_INITIALIZER, false, 0, {0, ""}};

int yaa_llm_pricing_load(const char *path, yaa_err *err) {
    yaa_llm_pricing_install();
    int rc = 0;
    pthread_mutex_lock(&g_once.lock);
    if (!path || !*path) {
        rc = yaa_llm_pricing_load_text("(built-in)", "", 0, &g_once.err);
    } else {
        char *text = NULL;
        size_t len = 0;
        rc = yaa_read_file(path, 1024 * 1024, &text, &len);
        if (rc)
            rc = yaa_err_set(&g_once.err, YAA_ECONFIG, "PRICING_FILE %s: cannot read it (%s)", path,
                             yaa_strerror(rc));
        else
            rc = yaa_llm_pricing_load_text(path, text, len, &g_once.err);
        free(text);
    }
    g_once.done = true;
    g_once.rc = rc;
    if (rc && err) *err = g_once.err;
    pthread_mutex_unlock(&g_once.lock);
    return rc;
}

int yaa_llm_pricing_ensure(const char *path, yaa_err *err) {
    pthread_mutex_lock(&g_once.lock);
    bool done = g_once.done;
    int rc = g_once.rc;
    if (done && rc && err) *err = g_once.err;
    pthread_mutex_unlock(&g_once.lock);
    return done ? rc : yaa_llm_pricing_load(path, err);
}
