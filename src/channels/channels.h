/* channels.h - the channel registry: typed channel files (config.yaml, brand_guide.yaml),
 * their schema-checked loader, and the operations on CHANNELS_DIR (list, load, create,
 * update, delete, sync with the `channels` table). docs/CHANNELS.md describes the files. */
#ifndef YAA_CHANNELS_H
#define YAA_CHANNELS_H

#include "core/arena.h"
#include "core/config.h"
#include "core/err.h"
#include "db/db.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A channel file may be at most this large; a larger file is refused before it is read. */
#define YAA_CHANNEL_FILE_MAX (1024 * 1024)
/* Problems reported per file; past it one closing line says how many more were found. */
#define YAA_CHANNEL_PROBLEMS_MAX 100
/* Channel ids: ^[A-Za-z0-9_-]{1,100}$ */
#define YAA_CHANNEL_ID_MAX 100

/* A list of strings. items[i] is never NULL; n may be 0 (items then NULL). */
typedef struct yaa_strlist {
    char **items;
    size_t n;
} yaa_strlist;

/* Every char * below is non-NULL once loaded ("" when the file leaves it empty); enum-like
 * strings hold one of the documented values (defaults filled in). */

typedef struct yaa_channel_meta { /* config.yaml: channel */
    char *name;                   /* required */
    char *youtube_channel_id;     /* "" or UC + 22 characters */
    char *category;               /* "" if absent */
    char *language;               /* language tag, default "ko" */
    char *description;            /* optional, written by POST/PATCH /channels */
} yaa_channel_meta;

typedef struct yaa_channel_seo { /* config.yaml: seo */
    yaa_strlist primary_keywords;
    yaa_strlist secondary_keywords;
} yaa_channel_seo;

typedef struct yaa_channel_editing { /* config.yaml: editing */
    char *intro_template;            /* path or "" */
    char *outro_template;            /* path or "" */
    char *subtitle_style;            /* default | soft | bold (default "default") */
    double bgm_volume;               /* 0..1, default 0.15 */
} yaa_channel_editing;

typedef struct yaa_channel_budget { /* config.yaml: budget (optional) */
    bool has_monthly_usd;
    double monthly_usd; /* >= 0, valid when has_monthly_usd */
    bool has_per_run_usd;
    double per_run_usd; /* >= 0, valid when has_per_run_usd */
} yaa_channel_budget;

typedef struct yaa_channel_publishing { /* config.yaml: publishing (optional) */
    char *review;      /* none | script | video | both: where a run stops for a person (default
                          none); a run's own `review` option overrides it */
    char *privacy;     /* private | unlisted | public (default private) */
    char *playlist_id; /* a playlist the video is added to after upload, or "" */
} yaa_channel_publishing;

typedef struct yaa_brand { /* brand_guide.yaml: brand */
    char *name;            /* required when the brand guide exists */
    char *tagline;
    char *positioning;
    yaa_strlist values;
} yaa_brand;

typedef struct yaa_audience { /* brand_guide.yaml: target_audience */
    char *primary;
    yaa_strlist pain_points;
    yaa_strlist content_needs;
} yaa_audience;

typedef struct yaa_writing_style { /* tone_and_manner.writing_style */
    char *sentence_length;         /* short | medium | long (default medium) */
    char *vocabulary;
    char *call_to_action;
} yaa_writing_style;

typedef struct yaa_tone { /* brand_guide.yaml: tone_and_manner */
    char *personality;
    char *formality;   /* formal | semi-formal | casual (default semi-formal) */
    char *emotion;     /* warm | neutral | energetic (default neutral) */
    char *humor_level; /* none | light | moderate | heavy (default none) */
    yaa_writing_style writing_style;
    yaa_strlist do_rules;   /* YAML key `do` (alias do_rules) */
    yaa_strlist dont_rules; /* YAML key `dont` (alias dont_rules) */
} yaa_tone;

typedef struct yaa_voice_design { /* brand_guide.yaml: voice_design */
    char *narration_style;
    char *elevenlabs_voice_id;
    char *voice;       /* the voice of openai/openai-compatible (TTS_VOICE for this channel), or
                        * "espeak-ng" for the local English voice; "" = TTS_VOICE */
    char *speech_rate; /* as written: slow | moderate | fast, or a factor "0.5".."2.0" */
    char *pitch;       /* as written: low | medium | high, or semitones "-12".."12" */
    char *language;    /* language tag; defaults to channel.language */
    yaa_strlist reference_samples;
    double speech_rate_factor; /* 1.0 = normal; slow 0.85, fast 1.15 */
    double pitch_semitones;    /* 0 = normal; low -3, high +3 */
} yaa_voice_design;

typedef struct yaa_visual_identity { /* brand_guide.yaml: visual_identity */
    yaa_strlist color_palette;       /* each "#rrggbb" */
    char *thumbnail_style;
    char *font_preference;
} yaa_visual_identity;

typedef struct yaa_competitor { /* brand_guide.yaml: competitors[] */
    char *channel;
    yaa_strlist strengths;
    char *differentiation;
} yaa_competitor;

/* One problem in a channel file: "<file>:<line>: <message>" (line 0 = the whole file). */
typedef struct yaa_channel_problem {
    const char *file;
    int line;
    int column; /* 1-based, 0 if unknown */
    const char *msg;
} yaa_channel_problem;

/* A loaded channel. Everything it points to is owned by `arena`: free it with
 * yaa_channels_free. Agents read it as plain data. */
typedef struct yaa_channel {
    char *id;  /* directory name */
    char *dir; /* <CHANNELS_DIR>/<id> */
    /* config.yaml */
    yaa_channel_meta channel;
    yaa_channel_seo seo;
    yaa_channel_editing editing;
    yaa_channel_budget budget;
    yaa_channel_publishing publishing;
    /* brand_guide.yaml (all empty/defaults when has_brand_guide is false) */
    bool has_brand_guide;
    yaa_brand brand;
    yaa_audience target_audience;
    yaa_tone tone_and_manner;
    yaa_voice_design voice_design;
    yaa_visual_identity visual_identity;
    yaa_competitor *competitors;
    size_t n_competitors;
    /* What the loader found wrong, in file order (config.yaml first). */
    yaa_channel_problem *problems;
    size_t n_problems;
    size_t problems_cap;
    yaa_arena arena;
} yaa_channel;

typedef enum yaa_channel_file {
    YAA_CHANNEL_CONFIG = 0, /* config.yaml */
    YAA_CHANNEL_BRAND_GUIDE /* brand_guide.yaml */
} yaa_channel_file;

/* ---- loader (load.c, schema.c) ------------------------------------------------------- */

/* A new, empty channel with every default filled in; NULL when out of memory. */
yaa_channel *yaa_channels_new(const char *id, const char *dir);
void yaa_channels_free(yaa_channel *ch);

/* Parses one file's text into ch, appending every problem found (labelled with `file`).
 * Returns 0 if this text had no problem, YAA_EINVAL if it had some, YAA_ENOMEM. Never
 * crashes on any input; text need not be NUL-terminated. */
int yaa_channels_parse(yaa_channel *ch, yaa_channel_file kind, const char *file, const char *text,
                       size_t len);

/* Reads and parses a file (refusing files over YAA_CHANNEL_FILE_MAX before reading them).
 * A missing file is a problem too. Returns like yaa_channels_parse. */
int yaa_channels_parse_file(yaa_channel *ch, yaa_channel_file kind, const char *path);

/* Loads <dir>/config.yaml and, if it exists, <dir>/brand_guide.yaml. *out is set (unless out
 * of memory) with whatever could be read and every problem found. Returns 0 if clean,
 * YAA_EINVAL with err = the first problem (+ how many more) if not, YAA_ENOTFOUND if dir or
 * its config.yaml does not exist (then *out is NULL). */
int yaa_channels_load_dir(const char *dir, const char *id, yaa_channel **out, yaa_err *err);

/* Formats problem i as "<file>:<line>: <msg>" into buf (truncating); returns buf. */
const char *yaa_channels_problem_str(const yaa_channel *ch, size_t i, char *buf, size_t n);

/* True for "#rrggbb" (hex digits in either case). */
bool yaa_channels_color_valid(const char *s);

/* ---- JSON (json.c) -------------------------------------------------------------------- */

/* The whole parsed channel as a JSON object (jansson json_t *, declared void * to keep
 * jansson out of this header); the caller json_decref()s it. NULL when out of memory. */
void *yaa_channels_to_json(const yaa_channel *ch);
/* The contract's ChannelInfo: channel_id, name, category, has_brand_guide, description,
 * language. */
void *yaa_channels_info_json(const yaa_channel *ch);

/* ---- registry (registry.c, edit.c) ---------------------------------------------------- */

/* True if id matches ^[A-Za-z0-9_-]{1,100}$ (so it can never leave CHANNELS_DIR). */
bool yaa_channels_id_valid(const char *id);

/* True if id names a reserved folder: one starting with '_' (the `_template` new channels are
 * copied from) is not a channel, so nothing edits, deletes or connects it. */
bool yaa_channels_id_reserved(const char *id);

/* One line of `channels list` / GET /channels. */
typedef struct yaa_channel_summary {
    char *id;
    char *name;
    char *category;
    char *language;
    char *description;
    bool has_brand_guide;
    size_t n_problems;   /* problems found in its files (0 = valid) */
    char *first_problem; /* "" when valid */
} yaa_channel_summary;

typedef struct yaa_channel_list {
    yaa_channel_summary *items; /* sorted by id */
    size_t n;
    yaa_arena arena; /* owns items */
} yaa_channel_list;

/* Lists the channel directories of root (each a directory holding config.yaml), skipping
 * names that start with '.' or '_' (so _template and .deleted) and names that are not valid
 * ids. A missing root is an empty list. Free with yaa_channels_list_free. */
int yaa_channels_list(const char *root, yaa_channel_list *out, yaa_err *err);
void yaa_channels_list_free(yaa_channel_list *list);

/* Loads channel id strictly: YAA_EINVAL for a bad id or if its files have any problem
 * (err names the first and points at `yaa channels validate`), YAA_ENOTFOUND if it does not
 * exist. On success the caller owns *out (yaa_channels_free). */
int yaa_channels_load(const char *root, const char *id, yaa_channel **out, yaa_err *err);

/* Loads channel id for inspection: like yaa_channels_load_dir, so *out carries every problem
 * (return 0 clean, YAA_EINVAL problems, YAA_ENOTFOUND missing, YAA_EINVAL bad id with *out
 * NULL). */
int yaa_channels_validate(const char *root, const char *id, yaa_channel **out, yaa_err *err);

/* True if <root>/<id>/brand_guide.yaml is a regular file (false for a bad id). */
bool yaa_channels_has_brand_guide(const char *root, const char *id);

/* Creates <root>/<id>/ (plus an empty knowledge/, the notes `yaa rag index` reads) from
 * <root>/_template/config.yaml with channel.name,
 * channel.category ("general" if NULL) and channel.description ("" if NULL) filled in.
 * YAA_EINVAL bad id / name (1-200 chars) / category (<= 50) / description (<= 500),
 * YAA_EEXIST if the directory exists, YAA_ENOTFOUND if the template is missing. */
int yaa_channels_create(const char *root, const char *id, const char *name, const char *category,
                        const char *description, yaa_err *err);

/* Sets channel.language in <root>/<id>/config.yaml and voice_design.language in its
 * brand_guide.yaml (when present) to "en" or "ko", keeping the files' layout. YAA_EINVAL for
 * another language, YAA_ENOTFOUND when config.yaml has no channel.language line. */
int yaa_channels_set_language(const char *root, const char *id, const char *language, yaa_err *err);

/* Sets any of channel.name / category / description (NULL = leave as is) in the channel's
 * config.yaml, keeping its comments and layout, and writes it atomically. YAA_EINVAL if all
 * are NULL or a value is out of bounds, YAA_ENOTFOUND if the channel does not exist. */
int yaa_channels_update(const char *root, const char *id, const char *name, const char *category,
                        const char *description, yaa_err *err);

/* Moves <root>/<id> to <root>/.deleted/<id>-<YYYYmmddTHHMMSSZ>[-N]; never deletes a file.
 * The new path is written to moved_to (if not NULL). YAA_ENOTFOUND if it does not exist. */
int yaa_channels_delete(const char *root, const char *id, char *moved_to, size_t moved_to_len,
                        yaa_err *err);

/* The config.yaml text with channel.<key> set (key: name, category, description; the
 * others stay as they are), for each non-NULL value; comments and layout are kept. Returns
 * a malloc'd NUL-terminated string in *out. Exposed for tests. */
int yaa_channels_config_edit(const char *text, size_t len, const char *name, const char *category,
                             const char *description, char **out, yaa_err *err);

/* ---- database (sync.c) ----------------------------------------------------------------- */

typedef struct yaa_channels_sync_stats {
    size_t on_disk;   /* channel folders found */
    size_t upserted;  /* rows inserted, changed, or brought back from soft-deletion */
    size_t unchanged; /* rows already in step */
    size_t deleted;   /* rows soft-deleted because their folder is gone */
} yaa_channels_sync_stats;

/* Keeps the `channels` table in step with root, in one transaction: upserts each channel
 * found on disk whose row differs (name, category, description, language) or is missing or
 * soft-deleted, and soft-deletes rows whose folder is gone. Refuses (YAA_ENOTFOUND) when root
 * is not a directory, so a mistyped CHANNELS_DIR cannot delete every row. st may be NULL. */
int yaa_channels_sync(yaa_db *db, const char *root, yaa_channels_sync_stats *st, yaa_err *err);

/* ---- a channel folder as files (files.c) ---------------------------------------------- */

/* Appends {"path","size","sha256"} of every file under dir (hidden names skipped) to a
 * jansson array (void * keeps jansson out of this header). YAA_ENOTFOUND without dir. */
int yaa_channels_list_files(const char *dir, void *json_array, yaa_err *err);
/* Writes <dir>/<rel> atomically, creating its folder. */
int yaa_channels_write_file(const char *dir, const char *rel, const void *data, size_t len,
                            yaa_err *err);
/* Copies the folder src to dst (created), hidden names skipped. */
int yaa_channels_copy_dir(const char *src, const char *dst, yaa_err *err);

/* ---- channels in the database, CHANNELS_STORE=db (dbstore.c) --------------------------- */

/* True when CHANNELS_STORE=db. Then cfg->channels_dir is OUTPUT_DIR/.channels, a cache of
 * the database (see yaa_config_load), and cfg->channels_import_dir the operator's folders. */
bool yaa_channels_in_db(const yaa_config *cfg);

/* Loads channel id strictly for a run: from CHANNELS_DIR (CHANNELS_STORE=files), or from
 * the database's current revision (CHANNELS_STORE=db), materialised under cfg->channels_dir
 * first. Returns like yaa_channels_load. */
int yaa_channels_open(const yaa_config *cfg, yaa_db *db, const char *id, yaa_channel **out,
                      yaa_err *err);

/* ---- what each field means (meaning.c) ----------------------------------------------- */

/* The words people use for a field, in English and Korean, keyed on the field's path in the
 * channel files without list indices ("visual_identity.color_palette",
 * "competitors.differentiation", "seo.primary_keywords"). */
typedef struct yaa_channels_meaning {
    const char *path;
    const char *en;
    const char *ko;
} yaa_channels_meaning;

/* The row for a path, or NULL when the table has none. */
const yaa_channels_meaning *yaa_channels_field_meaning(const char *path);
/* The whole table (tests check it covers every field of the schema). */
const yaa_channels_meaning *yaa_channels_field_meanings(size_t *n);
/* Stores the folder <root>/<id> as the next revision of channel id, when anything differs
 * from the current one (*changed, may be NULL); a missing folder marks the channel deleted.
 * A folder with problems is refused (YAA_EINVAL naming the first). Files over 1 MiB go to
 * the artifact store. *rev (may be NULL) gets the current revision afterwards. */
int yaa_channels_db_push(const yaa_config *cfg, yaa_db *db, const char *root, const char *id,
                         const char *note, int64_t *rev, bool *changed, yaa_err *err);
/* Writes revision rev (<= 0: the current one) of channel id as the folder <root>/<id>,
 * replacing it (built beside it, then swapped in). */
int yaa_channels_db_export(const yaa_config *cfg, yaa_db *db, const char *id, int64_t rev,
                           const char *root, yaa_err *err);
/* Brings cfg->channels_dir in step with the database: channel id (every channel when NULL)
 * at its current revision; folders of deleted or unknown channels are removed. YAA_ENOTFOUND
 * for an id the database does not hold. */
int yaa_channels_db_pull(const yaa_config *cfg, yaa_db *db, const char *id, yaa_err *err);

typedef struct yaa_channels_import_stats {
    size_t found;  /* channel folders under the directory */
    size_t stored; /* of which a new revision was stored (the others were unchanged) */
} yaa_channels_import_stats;

/* yaa_channels_db_push of every channel folder under dir (skipping _template and hidden
 * ones); stops at the first folder with problems. */
int yaa_channels_db_import(const yaa_config *cfg, yaa_db *db, const char *dir,
                           yaa_channels_import_stats *stats, yaa_err *err);

#endif
