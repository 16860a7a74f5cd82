/* config.c - table-driven loading and validation of the environment variables. */
#include "core/config.h"

#include "core/buf.h"

#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

typedef enum { T_STR, T_OPT, T_BOOL, T_PORT, T_POSINT, T_ENUM, T_URL, T_LEVEL, T_FORMAT } var_type;

typedef struct {
    const char *name;
    const char *def; /* NULL = unset */
    var_type type;
    size_t off;
    const char *allowed; /* T_ENUM: "a|b|c"; T_URL: allowed schemes "sqlite:///|postgresql://" */
    const char *help;
} var_def;

#define OFF(f) offsetof(yaa_config, f)

static const var_def VARS[] = {
    {"DATABASE_URL", "sqlite:///./data/yaa.db", T_URL, OFF(database_url),
     "sqlite:///|sqlite://|postgresql://|postgres://", "database: SQLite file or PostgreSQL URL"},
    {"QUEUE_URL", "db", T_URL, OFF(queue_url), "db|redis://",
     "job queue: db or redis://host:6379/0"},
    {"REDIS_URL", NULL, T_URL, OFF(redis_url), "redis://",
     "shared rate limits across API instances"},
    {"API_HOST", "127.0.0.1", T_STR, OFF(api_host), NULL, "address yaa serve listens on"},
    {"API_PORT", "8000", T_PORT, OFF(api_port), NULL, "port yaa serve listens on"},
    {"API_KEY_HEADER", "X-API-Key", T_STR, OFF(api_key_header), NULL,
     "header carrying the API key"},
    {"DISABLE_AUTH", "false", T_BOOL, OFF(disable_auth), NULL, "development only: no API keys"},
    {"ADMIN_API_KEY", NULL, T_OPT, OFF(admin_api_key), NULL,
     "bootstrap admin key ensured at start"},
    {"RATE_LIMIT_PER_MINUTE", "60", T_POSINT, OFF(rate_limit_per_minute), NULL,
     "requests per minute per key (or IP)"},
    {"CORS_ORIGINS", "", T_STR, OFF(cors_origins), NULL, "comma-separated allowed origins"},
    {"CHANNELS_DIR", "./channels", T_STR, OFF(channels_dir), NULL, "channel folders"},
    {"OUTPUT_DIR", "./output", T_STR, OFF(output_dir), NULL, "run artifacts"},
    {"PROMPTS_DIR", "./prompts", T_STR, OFF(prompts_dir), NULL, "prompt templates"},
    {"LLM_PROVIDER", NULL, T_ENUM, OFF(llm_provider), "anthropic|openai|openai-compatible|offline",
     "LLM provider; offline unless an API key is set"},
    {"ANTHROPIC_API_KEY", NULL, T_OPT, OFF(anthropic_api_key), NULL, "Anthropic API key"},
    {"OPENAI_API_KEY", NULL, T_OPT, OFF(openai_api_key), NULL, "OpenAI API key"},
    {"OPENAI_BASE_URL", "https://api.openai.com/v1", T_URL, OFF(openai_base_url),
     "http://|https://", "OpenAI or OpenAI-compatible base URL"},
    {"ANTHROPIC_BASE_URL", "https://api.anthropic.com", T_URL, OFF(anthropic_base_url),
     "http://|https://", "Anthropic base URL"},
    {"SCRIPT_MODEL", "claude-sonnet-4-20250514", T_STR, OFF(script_model), NULL,
     "script writer model"},
    {"SEO_MODEL", "gpt-4o", T_STR, OFF(seo_model), NULL, "SEO optimizer model"},
    {"RESEARCH_MODEL", "gpt-4o", T_STR, OFF(research_model), NULL, "brand researcher model"},
    {"EMBEDDING_PROVIDER", "hash", T_ENUM, OFF(embedding_provider), "hash|openai|openai-compatible",
     "embedder for brand retrieval"},
    {"EMBEDDING_MODEL", NULL, T_OPT, OFF(embedding_model), NULL, "embedding model"},
    {"RAG_ENABLED", "true", T_BOOL, OFF(rag_enabled), NULL, "brand retrieval on/off"},
    {"TAVILY_API_KEY", NULL, T_OPT, OFF(tavily_api_key), NULL, "web research (Tavily)"},
    {"TTS_PROVIDER", "espeak", T_ENUM, OFF(tts_provider), "espeak|elevenlabs", "voice engine"},
    {"IMAGE_PROVIDER", "cards", T_ENUM, OFF(image_provider), "cards|openai", "image engine"},
    {"ELEVENLABS_API_KEY", NULL, T_OPT, OFF(elevenlabs_api_key), NULL, "ElevenLabs API key"},
    {"YOUTUBE_CLIENT_ID", NULL, T_OPT, OFF(youtube_client_id), NULL, "YouTube OAuth client id"},
    {"YOUTUBE_CLIENT_SECRET", NULL, T_OPT, OFF(youtube_client_secret), NULL,
     "YouTube OAuth client secret"},
    {"YOUTUBE_REFRESH_TOKEN", NULL, T_OPT, OFF(youtube_refresh_token), NULL,
     "YouTube OAuth refresh token"},
    {"PRICING_FILE", NULL, T_OPT, OFF(pricing_file), NULL, "YAML overriding model prices"},
    {"LOG_LEVEL", "info", T_LEVEL, OFF(log_level), NULL, "debug, info, warning, error"},
    {"LOG_FORMAT", "json", T_FORMAT, OFF(log_json), NULL, "json or text"},
    {"LOKI_URL", NULL, T_URL, OFF(loki_url), "http://|https://", "push logs to Loki"},
};

#define NVARS (sizeof VARS / sizeof VARS[0])

const char *yaa_config_var_name(int i) { return i >= 0 && (size_t)i < NVARS ? VARS[i].name : NULL; }
const char *yaa_config_var_default(int i) {
    return i >= 0 && (size_t)i < NVARS ? VARS[i].def : NULL;
}
const char *yaa_config_var_help(int i) { return i >= 0 && (size_t)i < NVARS ? VARS[i].help : NULL; }

/* Values gathered from .env and the environment before validation. */
typedef struct {
    char *val[NVARS];
} raw_values;

static int find_var(const char *key) {
    for (size_t i = 0; i < NVARS; i++)
        if (strcmp(VARS[i].name, key) == 0) return (int)i;
    return -1;
}

static int raw_set(void *ud, const char *key, const char *value) {
    raw_values *rv = ud;
    int i = find_var(key);
    if (i < 0) return 0; /* other variables in .env are none of our business */
    char *v = strdup(value);
    if (!v) return YAA_ENOMEM;
    free(rv->val[i]);
    rv->val[i] = v;
    return 0;
}

int yaa_dotenv_parse(const char *text, size_t len, yaa_dotenv_fn fn, void *ud, yaa_err *err) {
    size_t pos = 0;
    int lineno = 0;
    while (pos < len) {
        lineno++;
        size_t end = pos;
        while (end < len && text[end] != '\n') end++;
        size_t n = end - pos;
        if (n > 8192)
            return yaa_err_set(err, YAA_EPARSE, ".env:%d: line longer than 8192 bytes", lineno);
        char line[8193];
        memcpy(line, text + pos, n);
        line[n] = '\0';
        pos = end + 1;
        if (memchr(line, '\0', n)) return yaa_err_set(err, YAA_EPARSE, ".env:%d: NUL byte", lineno);
        char *s = yaa_str_trim(line);
        if (!*s || *s == '#') continue;
        if (yaa_str_startswith(s, "export ")) s = yaa_str_trim(s + 7);
        char *eq = strchr(s, '=');
        if (!eq) return yaa_err_set(err, YAA_EPARSE, ".env:%d: expected KEY=value", lineno);
        *eq = '\0';
        char *key = yaa_str_trim(s);
        char *val = yaa_str_trim(eq + 1);
        if (!*key) return yaa_err_set(err, YAA_EPARSE, ".env:%d: empty variable name", lineno);
        for (char *k = key; *k; k++)
            if (!(isalnum((unsigned char)*k) || *k == '_'))
                return yaa_err_set(err, YAA_EPARSE, ".env:%d: bad variable name '%.64s'", lineno,
                                   key);
        size_t vl = strlen(val);
        if (vl >= 2 && (val[0] == '"' || val[0] == '\'') && val[vl - 1] == val[0]) {
            val[vl - 1] = '\0';
            val++;
        } else if (vl && (val[0] == '"' || val[0] == '\'')) {
            return yaa_err_set(err, YAA_EPARSE, ".env:%d: unterminated quote in %s", lineno, key);
        } else {
            char *hash = strstr(val, " #");
            if (hash) {
                *hash = '\0';
                yaa_str_trim(val);
            }
        }
        int rc = fn(ud, key, val);
        if (rc) return yaa_err_set(err, rc, ".env:%d: cannot store %s", lineno, key);
    }
    return 0;
}

static bool scheme_allowed(const char *v, const char *allowed) {
    char tmp[128];
    snprintf(tmp, sizeof tmp, "%s", allowed);
    for (char *save = NULL, *tok = strtok_r(tmp, "|", &save); tok;
         tok = strtok_r(NULL, "|", &save)) {
        if (strchr(tok, ':') ? yaa_str_startswith(v, tok) : strcmp(v, tok) == 0) return true;
    }
    return false;
}

static int set_one(yaa_config *cfg, const var_def *d, const char *v, yaa_err *err) {
    char *base = (char *)cfg + d->off;
    switch (d->type) {
    case T_STR:
    case T_OPT:
        if (d->type == T_STR && !*v && d->def && *d->def)
            return yaa_err_set(err, YAA_ECONFIG, "%s must not be empty", d->name);
        *(char **)base = strdup(v);
        return *(char **)base ? 0 : YAA_ENOMEM;
    case T_BOOL:
        if (yaa_parse_bool(v, (bool *)base))
            return yaa_err_set(err, YAA_ECONFIG, "%s='%.64s' is not a boolean (true or false)",
                               d->name, v);
        return 0;
    case T_PORT:
        if (yaa_parse_long(v, 0, 65535, (long *)base))
            return yaa_err_set(err, YAA_ECONFIG, "%s='%.64s' is not a port (0-65535)", d->name, v);
        return 0;
    case T_POSINT:
        if (yaa_parse_long(v, 1, 1000000000L, (long *)base))
            return yaa_err_set(err, YAA_ECONFIG, "%s='%.64s' is not a positive integer", d->name,
                               v);
        return 0;
    case T_ENUM:
        if (!scheme_allowed(v, d->allowed))
            return yaa_err_set(err, YAA_ECONFIG, "%s='%.64s' is not one of %s", d->name, v,
                               d->allowed);
        *(char **)base = strdup(v);
        return *(char **)base ? 0 : YAA_ENOMEM;
    case T_URL:
        if (!scheme_allowed(v, d->allowed))
            return yaa_err_set(err, YAA_ECONFIG, "%s: expected a value starting with %s", d->name,
                               d->allowed);
        *(char **)base = strdup(v);
        return *(char **)base ? 0 : YAA_ENOMEM;
    case T_LEVEL:
        if (yaa_log_level_parse(v, (yaa_log_level *)base))
            return yaa_err_set(err, YAA_ECONFIG,
                               "%s='%.64s' is not a level (debug, info, warning, error)", d->name,
                               v);
        return 0;
    case T_FORMAT:
        if (strcmp(v, "json") == 0)
            *(bool *)base = true;
        else if (strcmp(v, "text") == 0)
            *(bool *)base = false;
        else
            return yaa_err_set(err, YAA_ECONFIG, "%s='%.64s' is not json or text", d->name, v);
        return 0;
    }
    return YAA_EINVAL;
}

int yaa_config_load(yaa_config *cfg, const char *dotenv_path, yaa_err *err) {
    memset(cfg, 0, sizeof *cfg);
    raw_values rv = {{0}};
    int rc = 0;
    char *text = NULL;
    size_t len = 0;
    const char *path = dotenv_path ? dotenv_path : ".env";
    rc = yaa_read_file(path, 1 << 20, &text, &len);
    if (rc == 0) {
        rc = yaa_dotenv_parse(text, len, raw_set, &rv, err);
        free(text);
        if (rc) {
            yaa_err_prefix(err, "%s: ", path);
            goto done;
        }
    } else if (rc != YAA_ENOTFOUND) {
        yaa_err_set(err, YAA_ECONFIG, "cannot read %s", path);
        goto done;
    }
    rc = 0;
    for (size_t i = 0; i < NVARS; i++) {
        const char *env = getenv(VARS[i].name);
        if (env && (rc = raw_set(&rv, VARS[i].name, env))) goto done;
    }
    for (size_t i = 0; i < NVARS && !rc; i++) {
        const char *v = rv.val[i];
        /* An empty optional value means "unset", as a blank line in .env would. */
        if (v && !*v && VARS[i].type != T_STR && VARS[i].type != T_BOOL) v = NULL;
        if (!v) v = VARS[i].def;
        if (!v) continue;
        rc = set_one(cfg, &VARS[i], v, err);
    }
    if (rc) goto done;
    if (!cfg->llm_provider) {
        const char *p = cfg->anthropic_api_key ? "anthropic"
                        : cfg->openai_api_key  ? "openai"
                                               : "offline";
        cfg->llm_provider = strdup(p);
        if (!cfg->llm_provider) rc = YAA_ENOMEM;
    } else if (strcmp(cfg->llm_provider, "anthropic") == 0 && !cfg->anthropic_api_key) {
        rc = yaa_err_set(err, YAA_ECONFIG, "LLM_PROVIDER=anthropic needs ANTHROPIC_API_KEY");
    } else if (strcmp(cfg->llm_provider, "openai") == 0 && !cfg->openai_api_key) {
        rc = yaa_err_set(err, YAA_ECONFIG, "LLM_PROVIDER=openai needs OPENAI_API_KEY");
    }
done:
    for (size_t i = 0; i < NVARS; i++) free(rv.val[i]);
    if (rc) {
        if (err && err->code == 0) yaa_err_set(err, rc, "configuration: %s", yaa_strerror(rc));
        yaa_config_free(cfg);
    }
    return rc;
}

void yaa_config_free(yaa_config *cfg) {
    for (size_t i = 0; i < NVARS; i++) {
        var_type t = VARS[i].type;
        if (t == T_STR || t == T_OPT || t == T_ENUM || t == T_URL) {
            char **p = (char **)((char *)cfg + VARS[i].off);
            free(*p);
            *p = NULL;
        }
    }
}
