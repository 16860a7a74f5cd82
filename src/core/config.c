/* config.c - table-driven loading and validation of the environment variables. */
#include "core/config.h"

#include "core/buf.h"

#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

typedef enum {
    T_STR,
    T_OPT,
    T_LIST, /* comma-separated: an empty value is an empty list, not the default */
    T_BOOL,
    T_INT,
    T_ENUM,
    T_URL,
    T_LEVEL,
    T_FORMAT
} var_type;

/* One row per variable. To add one: a field in yaa_config (config.h), a row below with one of
 * the row macros, and its line in docs/CONFIG.md (`yaa help config` prints them all; a unit test
 * checks the page lists every row). */
typedef struct {
    const char *name;
    const char *def; /* NULL = unset */
    var_type type;
    size_t off;
    const char *allowed; /* T_ENUM: "a|b|c"; T_URL: allowed prefixes "sqlite:///|postgresql://" */
    long min, max;       /* T_INT: the accepted range */
    const char *help;    /* the "meaning" column of docs/CONFIG.md */
} var_def;

#define OFF(f) offsetof(yaa_config, f)
/* Row makers: a string (must not be empty when it has a default), an optional string, a boolean,
 * a whole number in [lo, hi], one word of "a|b|c", a URL starting with one of "p1|p2". */
#define STR(n, d, f, h) \
    { .name = n, .def = d, .type = T_STR, .off = OFF(f), .help = h }
#define OPT(n, f, h) \
    { .name = n, .type = T_OPT, .off = OFF(f), .help = h }
#define BOOL(n, d, f, h) \
    { .name = n, .def = d, .type = T_BOOL, .off = OFF(f), .help = h }
#define INT(n, d, f, lo, hi, h) \
    { .name = n, .def = d, .type = T_INT, .off = OFF(f), .min = lo, .max = hi, .help = h }
#define ENUM(n, d, f, a, h) \
    { .name = n, .def = d, .type = T_ENUM, .off = OFF(f), .allowed = a, .help = h }
#define URL(n, d, f, a, h) \
    { .name = n, .def = d, .type = T_URL, .off = OFF(f), .allowed = a, .help = h }

static const var_def VARS[] = {
    URL("DATABASE_URL", "sqlite:///./data/yaa.db", database_url,
        "sqlite:///|sqlite://|postgresql://|postgres://",
        "SQLite file (`sqlite:///relative` or `sqlite:////absolute`) or "
        "`postgresql://user:pass@host:5432/db`"),
    URL("QUEUE_URL", "db", queue_url, "db|redis://|rediss://",
        "`db` (jobs table in the database) or `redis://host:6379/0` (Redis Streams)"),
    URL("REDIS_URL", NULL, redis_url, "redis://|rediss://",
        "Redis for rate limits shared by several API processes"),
    STR("API_HOST", "127.0.0.1", api_host, "address `yaa serve` listens on"),
    INT("API_PORT", "8000", api_port, 0, 65535, "port `yaa serve` listens on"),
    STR("API_KEY_HEADER", "X-API-Key", api_key_header, "header that carries the API key"),
    BOOL("DISABLE_AUTH", "false", disable_auth,
         "development only: every request is admin; a warning is logged at start"),
    OPT("ADMIN_API_KEY", admin_api_key,
        "if set, a key with admin scope and this value is ensured at start (bootstrap; secret)"),
    INT("RATE_LIMIT_PER_MINUTE", "60", rate_limit_per_minute, 0, 1000000000L,
        "requests per minute per API key (per IP without a key); `0` turns limiting off"),
    INT("AUTH_FAILURES_PER_MINUTE", "20", auth_failures_per_minute, 0, 1000000000L,
        "failed authentications (missing, unknown, expired key) allowed per client address per "
        "minute, then 429; `0` = no cap (see docs/RELIABILITY.md)"),
    INT("AUDIT_RETENTION_DAYS", "90", audit_retention_days, 0, 100000,
        "audit rows older than this many days are deleted (hourly); `0` keeps them forever"),
    INT("API_THREADS", "0", api_threads, 0, 256,
        "request threads of `yaa serve`; `0` = four per CPU core, at least 4 and at most 32 "
        "(requests that wait on the database hold one)"),
    INT("HEALTH_CACHE_MS", "1000", health_cache_ms, 0, 60000,
        "`/health` answers from a check at most this old (database, queue, disk), so frequent "
        "probes cost no round trips; a request with an API key always checks afresh; `0` = "
        "check on every request"),
    INT("API_MAX_CONNECTIONS", "1024", api_max_connections, 16, 1000000,
        "open connections `yaa serve` holds; the last 1/16 is kept for `/health` and `/metrics`"),
    INT("API_MAX_CONNECTIONS_PER_IP", "64", api_max_connections_per_ip, 1, 1000000,
        "open connections from one client address (more are refused at accept)"),
    INT("API_HEADER_TIMEOUT_SEC", "10", api_header_timeout_sec, 1, 3600,
        "a request head must arrive within this many seconds, or the connection is closed"),
    INT("API_BODY_TIMEOUT_SEC", "30", api_body_timeout_sec, 1, 86400,
        "a request body must arrive within this many seconds after its head"),
    INT("SSE_MAX_STREAMS", "1000", sse_max_streams, 1, 1000000,
        "run-event streams open at once (more get 503)"),
    INT("SSE_MAX_STREAMS_PER_KEY", "50", sse_max_streams_per_key, 1, 1000000,
        "run-event streams open at once per API key (more get 429)"),
    INT("DISK_MIN_FREE_MB", "1024", disk_min_free_mb, 0, 1000000000L,
        "`/health` reports the disk `degraded` when `OUTPUT_DIR`'s file system has less free "
        "space; `0` = never"),
    {.name = "CORS_ORIGINS",
     .def = "http://localhost:3000",
     .type = T_LIST,
     .off = OFF(cors_origins),
     .help = "comma-separated origins allowed by CORS (`*` = any; an empty value turns CORS off); "
             "the default lets a dashboard served on port 3000 call the API (docs/API.md, "
             "\"Compatibility\")"},
    STR("CHANNELS_DIR", "./channels", channels_dir,
        "channel folders (`<id>/config.yaml`, `<id>/brand_guide.yaml`)"),
    STR("OUTPUT_DIR", "./output", output_dir, "run artifacts, one folder per run id"),
    STR("PROMPTS_DIR", "./prompts", prompts_dir,
        "prompt templates, one file per agent and purpose"),
    ENUM("LLM_PROVIDER", NULL, llm_provider, "anthropic|openai|openai-compatible|offline",
         "`anthropic`, `openai`, `openai-compatible`, `offline`; unset: `offline` unless a key "
         "below is set (then `anthropic`, else `openai`)"),
    OPT("ANTHROPIC_API_KEY", anthropic_api_key, "Anthropic key (secret: never logged)"),
    OPT("OPENAI_API_KEY", openai_api_key, "OpenAI key (secret); optional for `openai-compatible`"),
    URL("OPENAI_BASE_URL", "https://api.openai.com/v1", openai_base_url, "http://|https://",
        "OpenAI or any compatible server (Ollama `http://127.0.0.1:11434/v1`, llama.cpp, vLLM)"),
    URL("ANTHROPIC_BASE_URL", "https://api.anthropic.com", anthropic_base_url, "http://|https://",
        "Anthropic endpoint (or a proxy / test double)"),
    OPT("LLM_MODEL", llm_model,
        "the model of every agent (e.g. `qwen2.5:7b` on Ollama); needed with "
        "`LLM_PROVIDER=openai-compatible` unless the three below are set"),
    OPT("SCRIPT_MODEL", script_model,
        "model of the script writer; unset: `LLM_MODEL`, else `claude-sonnet-4-20250514` "
        "(`gpt-4o` when OpenAI is the only key)"),
    OPT("SEO_MODEL", seo_model,
        "model of the SEO optimizer; unset: `LLM_MODEL`, else `gpt-4o` "
        "(`claude-sonnet-4-20250514` when Anthropic is the only key)"),
    OPT("RESEARCH_MODEL", research_model, "model of the brand researcher; unset: as `SEO_MODEL`"),
    ENUM("EMBEDDING_PROVIDER", "hash", embedding_provider, "hash|openai|openai-compatible",
         "`hash` (built in, offline), `openai`, `openai-compatible`"),
    OPT("EMBEDDING_MODEL", embedding_model, "embedding model name; unset: the provider's default"),
    BOOL("RAG_ENABLED", "true", rag_enabled,
         "brand retrieval for the researcher and script writer"),
    INT("RAG_CACHE_MB", "1024", rag_cache_mb, 16, 1000000,
        "memory for the in-memory brand indexes of a process (vectors + BM25, per channel); the "
        "least recently used channels are dropped past it (see docs/RAG.md)"),
    OPT("TAVILY_API_KEY", tavily_api_key, "web research for the brand researcher (secret)"),
    URL("TAVILY_BASE_URL", NULL, tavily_base_url, "http://|https://",
        "Tavily endpoint; unset: `https://api.tavily.com` (tests point it at a double)"),
    ENUM("TTS_PROVIDER", "espeak", tts_provider, "espeak|elevenlabs|openai|openai-compatible",
         "`espeak` (the local voices: Flite cmu_us_rms for English, espeak-ng for Korean and "
         "the rest), `elevenlabs`, `openai` or `openai-compatible` (a failed hosted voice falls "
         "back to the local one)"),
    URL("TTS_BASE_URL", NULL, tts_base_url, "http://|https://",
        "server with `/v1/audio/speech` for `TTS_PROVIDER=openai-compatible` (Kokoro-FastAPI, "
        "LocalAI, openedai-speech), e.g. `http://localhost:8880/v1`"),
    OPT("TTS_MODEL", tts_model,
        "speech model with `openai`/`openai-compatible`; unset: `gpt-4o-mini-tts`"),
    OPT("TTS_VOICE", tts_voice,
        "voice with `openai`/`openai-compatible` (unset: `alloy`); with `espeak`, English is "
        "Flite's `rms` unless this names `slt` (female) or `awb`, and `espeak-ng` "
        "speaks English with espeak-ng instead of Flite. A channel's `voice_design.voice` wins"),
    OPT("ELEVENLABS_API_KEY", elevenlabs_api_key,
        "ElevenLabs key, needed with `TTS_PROVIDER=elevenlabs` (secret)"),
    URL("ELEVENLABS_BASE_URL", NULL, elevenlabs_base_url, "http://|https://",
        "ElevenLabs endpoint; unset: `https://api.elevenlabs.io` (see docs/MEDIA.md)"),
    ENUM("IMAGE_PROVIDER", "cards", image_provider, "cards|openai|openai-compatible",
         "`cards` (no generated pictures), `openai`, or `openai-compatible` (`IMAGE_BASE_URL`)"),
    URL("IMAGE_BASE_URL", NULL, image_base_url, "http://|https://",
        "image server for `IMAGE_PROVIDER=openai-compatible` (`/v1/images/generations`)"),
    OPT("PEXELS_API_KEY", pexels_api_key, "Pexels stock footage and photos (secret)"),
    URL("PEXELS_BASE_URL", NULL, pexels_base_url, "http://|https://",
        "Pexels endpoint; unset: `https://api.pexels.com` (tests point it at a double)"),
    OPT("PIXABAY_API_KEY", pixabay_api_key, "Pixabay stock footage and photos (secret)"),
    URL("PIXABAY_BASE_URL", NULL, pixabay_base_url, "http://|https://",
        "Pixabay endpoint; unset: `https://pixabay.com` (tests point it at a double)"),
    STR("STOCK_CACHE_DIR", "./data/stock", stock_cache_dir,
        "downloaded stock files, kept by id and reused across runs"),
    INT("STOCK_CACHE_MB", "2048", stock_cache_mb, 16, 1048576,
        "size cap of `STOCK_CACHE_DIR`; the least recently used files go first"),
    OPT("OPENAI_IMAGE_MODEL", openai_image_model,
        "image model with `IMAGE_PROVIDER=openai`; unset: `dall-e-3`"),
    ENUM("YAA_MEDIA_PRESET", "veryfast", media_preset,
         "ultrafast|superfast|veryfast|faster|fast|medium|slow|slower|veryslow|placebo",
         "x264 preset, speed against file size: `ultrafast` ... `veryslow`, `placebo` (see "
         "docs/MEDIA.md)"),
    INT("YAA_MEDIA_FPS", NULL, media_fps, 1, 60,
        "output frame rate; unset: the footage's own (24 to 30; 50/60 fps clips at half), 25 "
        "for a video of cards and photos"),
    INT("YAA_MEDIA_THREADS", "2", media_threads, 1, 64, "encoder and filter threads per render"),
    INT("YAA_MEDIA_WORKERS", "2", media_workers, 1, 16, "speech and card threads per run"),
    INT("YAA_MEDIA_MAX_RENDERS", NULL, media_max_renders, 1, 64,
        "FFmpeg renders at once in this process; unset: cores / 2 (at least 1)"),
    OPT("YOUTUBE_CLIENT_ID", youtube_client_id, "OAuth client id for uploads"),
    OPT("YOUTUBE_CLIENT_SECRET", youtube_client_secret, "OAuth client secret (secret)"),
    OPT("YOUTUBE_REFRESH_TOKEN", youtube_refresh_token,
        "OAuth refresh token (secret); without the three, publishing is a dry run"),
    URL("YOUTUBE_TOKEN_URL", NULL, youtube_token_url, "http://|https://",
        "OAuth token endpoint; unset: Google's (tests point it at a double)"),
    URL("YOUTUBE_API_BASE_URL", NULL, youtube_api_base_url, "http://|https://",
        "YouTube Data API base; unset: `https://www.googleapis.com`"),
    URL("YOUTUBE_AUTH_URL", NULL, youtube_auth_url, "http://|https://",
        "Google's consent screen for `yaa channels connect-youtube`; unset: "
        "`https://accounts.google.com/o/oauth2/v2/auth` (tests point it at a double)"),
    URL("YOUTUBE_REDIRECT_URL", NULL, youtube_redirect_url, "http://|https://",
        "where Google sends the browser back when a channel is connected from the dashboard: "
        "`<public API URL>/api/v1/youtube/oauth/callback`; unset: built from the request's Host"),
    OPT("SECRET_KEY", secret_key,
        "passphrase (32+ characters) sealing stored tokens (secret); unset: `SECRET_KEY_FILE`"),
    STR("SECRET_KEY_FILE", "./data/secret.key", secret_key_file,
        "key file sealing stored tokens when `SECRET_KEY` is unset; created with mode 0600"),
    OPT("PRICING_FILE", pricing_file, "YAML overriding or adding model prices (see docs/USAGE.md)"),
    INT("YAA_QUEUE_MAX_ATTEMPTS", "3", queue_max_attempts, 1, 100,
        "deliveries of a job before it goes to the dead letters (see docs/QUEUES.md)"),
    INT("YAA_QUEUE_LEASE_SEC", "60", queue_lease_sec, 1, 86400,
        "visibility timeout of a claimed job, renewed by the worker's heartbeat"),
    INT("YAA_QUEUE_BACKOFF_SEC", "10", queue_backoff_sec, 0, 3600,
        "first retry delay, doubled on each attempt (capped at 1 h)"),
    INT("YAA_JOB_TIMEOUT_SEC", "3600", job_timeout_sec, 0, 604800,
        "a `yaa worker` job running longer is interrupted and failed; 0 = no limit"),
    INT("YAA_RECONCILE_GRACE_SEC", "120", reconcile_grace_sec, 1, 86400,
        "a `pending`/`running` run with no live job and no sign of life for this long is queued "
        "again (see docs/QUEUES.md)"),
    STR("YAA_WEB_DIR", "./web/dist", web_dir, "dashboard files served by `yaa serve`"),
    OPT("YAA_MIGRATIONS_DIR", migrations_dir,
        "migration files; unset: `./migrations`, else the source tree's (see docs/DATABASE.md)"),
    {.name = "LOG_LEVEL",
     .def = "info",
     .type = T_LEVEL,
     .off = OFF(log_level),
     .help = "`debug`, `info`, `warning`, `error`"},
    {.name = "LOG_FORMAT",
     .def = "json",
     .type = T_FORMAT,
     .off = OFF(log_json),
     .help = "`json` (one object a line) or `text` for humans. Unset, a one-shot command "
             "(`yaa run`, `yaa rag`, ...) whose stderr is a terminal prints readable warning and "
             "error lines beside its progress instead of JSON; set, it always wins"},
    URL("LOKI_URL", NULL, loki_url, "http://|https://",
        "if set, logs are also pushed to Loki in batches (see docs/LOGGING.md)"),
    URL("ARTIFACT_STORE", "file", artifact_store, "file|s3://",
        "where run artifacts live: `file` (`OUTPUT_DIR`) or `s3://bucket/prefix` (see "
        "docs/STORAGE.md)"),
    URL("S3_ENDPOINT_URL", NULL, s3_endpoint_url, "http://|https://",
        "S3-compatible endpoint (MinIO, Cloudflare R2, Ceph RGW, GCS interop); unset: AWS"),
    STR("S3_REGION", "us-east-1", s3_region, "region the S3 requests are signed for"),
    BOOL("S3_FORCE_PATH_STYLE", "false", s3_force_path_style,
         "`endpoint/bucket/key` instead of `bucket.endpoint/key` (MinIO, most self-hosted "
         "servers)"),
    OPT("AWS_ACCESS_KEY_ID", aws_access_key_id, "S3 access key id; required with `s3://`"),
    OPT("AWS_SECRET_ACCESS_KEY", aws_secret_access_key,
        "S3 secret key (secret: never logged); required with `s3://`"),
    OPT("AWS_SESSION_TOKEN", aws_session_token,
        "S3 session token of temporary credentials (STS, IAM roles for service accounts, "
        "workload identity), sent as `x-amz-security-token` (secret: never logged); unset: "
        "long-lived keys"),
    INT("S3_TIMEOUT_SEC", "30", s3_timeout_sec, 1, 3600,
        "per S3 request: the connect timeout and the longest stall of a transfer"),
    ENUM("ARTIFACT_REDIRECT", "stream", artifact_redirect, "stream|presigned",
         "`stream`: the API sends artifacts itself (Range supported); `presigned`: a redirect "
         "to a short-lived presigned S3 URL"),
    INT("ARTIFACT_RETENTION_DAYS", "90", artifact_retention_days, 1, 36500,
        "`yaa artifacts gc` deletes the artifacts of finished runs older than this"),
    INT("ARTIFACT_CACHE_MB", "2048", artifact_cache_mb, 16, 1048576,
        "with `s3://`: local scratch of runs under `OUTPUT_DIR`, per process, oldest evicted "
        "first"),
    ENUM("CHANNELS_STORE", "files", channels_store, "files|db",
         "`files` (folders in `CHANNELS_DIR`) or `db` (versioned in the database; see "
         "docs/CHANNELS.md)"),
};

#define NVARS (sizeof VARS / sizeof VARS[0])
_Static_assert(NVARS <= YAA_CONFIG_MAX_VARS, "raise YAA_CONFIG_MAX_VARS in config.h");

const char *yaa_config_var_name(int i) { return i >= 0 && (size_t)i < NVARS ? VARS[i].name : NULL; }
const char *yaa_config_var_default(int i) {
    return i >= 0 && (size_t)i < NVARS ? VARS[i].def : NULL;
}
const char *yaa_config_var_help(int i) { return i >= 0 && (size_t)i < NVARS ? VARS[i].help : NULL; }

/* "lead" then "a|b|c" as "a, b, c" (a '|' would split a Markdown table cell). */
static void list_choices(char *out, size_t n, const char *lead, const char *choices) {
    size_t k = (size_t)snprintf(out, n, "%s", lead);
    for (const char *c = choices; *c && k + 3 < n; c++) {
        if (*c == '|') {
            out[k++] = ',';
            out[k++] = ' ';
        } else {
            out[k++] = *c;
        }
    }
    out[k < n ? k : n - 1] = '\0';
}

/* What a value must look like, for the docs. */
static void describe(const var_def *d, char *out, size_t n) {
    switch (d->type) {
    case T_BOOL: snprintf(out, n, "true or false"); break;
    case T_INT: snprintf(out, n, "a whole number from %ld to %ld", d->min, d->max); break;
    case T_ENUM: list_choices(out, n, "one of ", d->allowed); break;
    case T_URL: list_choices(out, n, "a value starting with ", d->allowed); break;
    case T_LEVEL: snprintf(out, n, "debug, info, warning or error"); break;
    case T_FORMAT: snprintf(out, n, "json or text"); break;
    case T_STR: snprintf(out, n, d->def && *d->def ? "a non-empty text" : "a text"); break;
    case T_OPT: snprintf(out, n, "a text; empty = unset"); break;
    case T_LIST: snprintf(out, n, "a comma-separated list; empty = none"); break;
    }
}

void yaa_config_write_markdown(FILE *out) {
    fputs("| variable | default | meaning |\n| --- | --- | --- |\n", out);
    for (size_t i = 0; i < NVARS; i++) {
        const var_def *d = &VARS[i];
        bool shown = d->def && *d->def;
        const char *q = shown ? "`" : "";
        /* numbers and URLs get their accepted values; the other helps already name them */
        bool explain = d->type == T_INT || d->type == T_URL;
        char what[256] = "";
        if (explain) describe(d, what, sizeof what);
        fprintf(out, "| `%s` | %s%s%s | %s%s%s%s |\n", d->name, q,
                shown    ? d->def
                : d->def ? "empty"
                         : "unset",
                q, d->help, explain ? " (" : "", what, explain ? ")" : "");
    }
}

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
    char what[256];
    describe(d, what, sizeof what);
    switch (d->type) {
    case T_STR:
    case T_OPT:
    case T_LIST:
        if (d->type == T_STR && !*v && d->def && *d->def)
            return yaa_err_set(err, YAA_ECONFIG, "%s must not be empty", d->name);
        *(char **)base = strdup(v);
        return *(char **)base ? 0 : YAA_ENOMEM;
    case T_BOOL:
        if (yaa_parse_bool(v, (bool *)base))
            return yaa_err_set(err, YAA_ECONFIG, "%s='%.64s' is not a boolean (true or false)",
                               d->name, v);
        return 0;
    case T_INT:
        if (yaa_parse_long(v, d->min, d->max, (long *)base))
            return yaa_err_set(err, YAA_ECONFIG, "%s='%.64s' is not a whole number from %ld to %ld",
                               d->name, v, d->min, d->max);
        return 0;
    case T_ENUM:
        if (!scheme_allowed(v, d->allowed))
            return yaa_err_set(err, YAA_ECONFIG, "%s='%.64s' is not %s", d->name, v, what);
        *(char **)base = strdup(v);
        return *(char **)base ? 0 : YAA_ENOMEM;
    case T_URL:
        if (!scheme_allowed(v, d->allowed))
            return yaa_err_set(err, YAA_ECONFIG, "%s: expected %s", d->name, what);
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

/* Each agent's model: its own *_MODEL, else LLM_MODEL, else a model of the provider that
 * will serve it (with both hosted keys the script goes to Claude, the rest to GPT-4o).
 * A local server has no model yaa could guess, so openai-compatible asks for LLM_MODEL. */
static int resolve_models(yaa_config *cfg, yaa_err *err) {
    static const char *const claude = "claude-sonnet-4-20250514", *const gpt = "gpt-4o";
    const char *p = cfg->llm_provider;
    bool compatible = strcmp(p, "openai-compatible") == 0;
    bool has_a = cfg->anthropic_api_key != NULL, has_o = cfg->openai_api_key != NULL;
    const char *script_def = claude, *other_def = gpt; /* offline: the documented defaults */
    if (strcmp(p, "anthropic") == 0 && !has_o) other_def = claude;
    if (strcmp(p, "openai") == 0 && !has_a) script_def = gpt;
    struct {
        char **slot;
        const char *def;
        const char *var;
    } m[] = {{&cfg->script_model, script_def, "SCRIPT_MODEL"},
             {&cfg->seo_model, other_def, "SEO_MODEL"},
             {&cfg->research_model, other_def, "RESEARCH_MODEL"}};
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
        if (*m[i].slot) continue;
        if (!cfg->llm_model && compatible)
            return yaa_err_set(
                err, YAA_ECONFIG,
                "LLM_PROVIDER=openai-compatible needs LLM_MODEL: the name of a model "
                "your server serves (e.g. LLM_MODEL=qwen2.5:7b for Ollama; %s "
                "overrides it for one agent)",
                m[i].var);
        *m[i].slot = strdup(cfg->llm_model ? cfg->llm_model : m[i].def);
        if (!*m[i].slot) return YAA_ENOMEM;
    }
    return 0;
}

bool yaa_config_was_set(const yaa_config *cfg, const char *name) {
    int i = find_var(name);
    return i >= 0 && (cfg->was_set[i / 8] & (1u << (i % 8)));
}

/* CHANNELS_STORE=db: every process reads channels from the database, materialised under
 * OUTPUT_DIR/.channels; CHANNELS_DIR stays only as the folder `yaa channels import` reads. */
static int channels_cache(yaa_config *cfg) {
    cfg->channels_import_dir = strdup(cfg->channels_dir);
    if (!cfg->channels_import_dir) return YAA_ENOMEM;
    if (strcmp(cfg->channels_store, "db") != 0) return 0;
    char *cache = NULL;
    if (asprintf(&cache, "%s/.channels", cfg->output_dir) < 0) return YAA_ENOMEM;
    free(cfg->channels_dir);
    cfg->channels_dir = cache;
    return 0;
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
        if (v && !*v && VARS[i].type != T_STR && VARS[i].type != T_LIST && VARS[i].type != T_BOOL)
            v = NULL;
        if (v) cfg->was_set[i / 8] |= (unsigned char)(1u << (i % 8));
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
    if (!rc) rc = channels_cache(cfg);
    if (!rc && yaa_str_startswith(cfg->artifact_store, "s3://") &&
        (!cfg->aws_access_key_id || !cfg->aws_secret_access_key))
        rc = yaa_err_set(err, YAA_ECONFIG,
                         "ARTIFACT_STORE=s3://... needs AWS_ACCESS_KEY_ID and "
                         "AWS_SECRET_ACCESS_KEY");
    if (!rc) rc = resolve_models(cfg, err);
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
        if (t == T_STR || t == T_OPT || t == T_LIST || t == T_ENUM || t == T_URL) {
            char **p = (char **)((char *)cfg + VARS[i].off);
            free(*p);
            *p = NULL;
        }
    }
    free(cfg->channels_import_dir);
    cfg->channels_import_dir = NULL;
}
