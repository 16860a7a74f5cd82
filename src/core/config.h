/* config.h - every variable of the contract, from the environment and an optional .env file. */
#ifndef YAA_CORE_CONFIG_H
#define YAA_CORE_CONFIG_H

#include "core/err.h"
#include "core/log.h"

#include <stdbool.h>
#include <stdio.h>

#define YAA_CONFIG_MAX_VARS 256

typedef struct yaa_config {
    char *database_url;
    char *queue_url;
    char *redis_url; /* NULL = unset */
    char *api_host;
    long api_port;
    char *api_key_header;
    bool disable_auth;
    char *admin_api_key;        /* secret */
    long rate_limit_per_minute; /* 0 = no limit */
    long auth_failures_per_minute;
    long audit_retention_days; /* 0 = keep */
    long api_threads;          /* 0 = auto (4 per core, 4..32) */
    long health_cache_ms;      /* 0 = no cache */
    long api_max_connections;
    long api_max_connections_per_ip;
    long api_header_timeout_sec;
    long api_body_timeout_sec;
    long sse_max_streams;
    long sse_max_streams_per_key;
    long disk_min_free_mb;
    long reconcile_grace_sec;
    char *cors_origins; /* comma-separated, "" = none; default http://localhost:3000 */
    char *channels_dir;
    char *output_dir;
    char *prompts_dir;
    char *llm_provider;      /* anthropic | openai | openai-compatible | offline */
    char *anthropic_api_key; /* secret */
    char *openai_api_key;    /* secret */
    char *openai_base_url;
    char *anthropic_base_url;
    char *llm_model; /* LLM_MODEL; NULL = unset. The three below are resolved at load. */
    char *script_model;
    char *seo_model;
    char *research_model;
    char *embedding_provider; /* hash | openai | openai-compatible */
    char *embedding_model;    /* NULL = provider default */
    bool rag_enabled;
    long rag_cache_mb;    /* RAG_CACHE_MB: bound of the in-memory brand indexes */
    char *tavily_api_key; /* secret */
    char *tts_provider;   /* espeak | elevenlabs | openai | openai-compatible */
    char *image_provider; /* cards | openai | openai-compatible */
    char *image_base_url; /* openai-compatible image server */
    char *pexels_api_key, *pexels_base_url;
    char *pixabay_api_key, *pixabay_base_url;
    char *stock_cache_dir;
    long stock_cache_mb;
    char *elevenlabs_api_key; /* secret */
    char *youtube_client_id;
    char *youtube_client_secret; /* secret */
    char *youtube_refresh_token; /* secret */
    char *tavily_base_url;       /* NULL = the public endpoint */
    char *elevenlabs_base_url;   /* NULL = the public endpoint */
    char *tts_base_url;          /* openai-compatible speech server */
    char *tts_model;             /* NULL = the media library's default */
    char *tts_voice;             /* NULL = the provider's default */
    char *openai_image_model;    /* NULL = the media library's default */
    char *media_preset;          /* x264 preset */
    long media_fps;
    long media_threads;         /* FFmpeg threads per render */
    long media_workers;         /* speech + card threads */
    long media_max_renders;     /* 0 = unset: cores / 2 */
    char *youtube_token_url;    /* NULL = Google's */
    char *youtube_api_base_url; /* NULL = Google's */
    char *youtube_auth_url;     /* NULL = Google's consent screen */
    char *youtube_redirect_url; /* NULL = from the request's Host */
    char *secret_key;           /* secret; NULL = secret_key_file */
    char *secret_key_file;
    char *pricing_file;
    long queue_max_attempts;
    long queue_lease_sec;
    long queue_backoff_sec;
    long job_timeout_sec; /* 0 = no limit */
    char *web_dir;
    char *migrations_dir; /* NULL = ./migrations, else the source tree's */
    yaa_log_level log_level;
    bool log_json;
    char *loki_url;
    /* artifact store and channel storage (docs/STORAGE.md) */
    char *artifact_store;        /* "file" (= OUTPUT_DIR) or "s3://bucket/prefix" */
    char *s3_endpoint_url;       /* NULL = AWS for the region */
    char *s3_region;             /* default us-east-1 */
    bool s3_force_path_style;    /* https://host/bucket/key instead of https://bucket.host/key */
    char *aws_access_key_id;     /* NULL = unset */
    char *aws_secret_access_key; /* secret */
    char *aws_session_token;     /* secret; NULL = long-lived keys */
    long s3_timeout_sec;         /* per request: connect, and longest stall of a transfer */
    char *artifact_redirect;     /* stream | presigned */
    long artifact_retention_days;
    long artifact_cache_mb; /* local scratch of runs and API cache, per process */
    char *channels_store;   /* files | db */
    /* CHANNELS_DIR as configured: with CHANNELS_STORE=db, channels_dir above becomes
     * OUTPUT_DIR/.channels (a cache of the database) and this is only what
     * `yaa channels import` reads by default. */
    char *channels_import_dir;
    unsigned char was_set[YAA_CONFIG_MAX_VARS / 8]; /* see yaa_config_was_set */
} yaa_config;

/* Loads defaults, then dotenv_path (if it exists; NULL = "./.env"), then the process
 * environment (which wins). A bad value fails with a message naming the variable. */
int yaa_config_load(yaa_config *cfg, const char *dotenv_path, yaa_err *err);
void yaa_config_free(yaa_config *cfg);
/* True if the variable was given in the environment or .env (not left to its default):
 * e.g. an explicit LOG_FORMAT wins over the terminal's readable default. */
bool yaa_config_was_set(const yaa_config *cfg, const char *name);

/* For docs and `--help`: iterate the variable table. Returns NULL past the end. */
const char *yaa_config_var_name(int i);
const char *yaa_config_var_default(int i);
const char *yaa_config_var_help(int i);
/* The variable table as the Markdown table of docs/CONFIG.md (`yaa help config`). */
void yaa_config_write_markdown(FILE *out);

/* Parses one "KEY=value" .env text into setenv-like calls on a callback; used by the loader
 * and the fuzz target. Errors name the line. */
typedef int (*yaa_dotenv_fn)(void *ud, const char *key, const char *value);
int yaa_dotenv_parse(const char *text, size_t len, yaa_dotenv_fn fn, void *ud, yaa_err *err);

#endif
