/* index.c - incremental indexing of a channel: chunk every source, keep rows whose content
 * hash and embedder are unchanged, embed only new or changed chunks, delete vanished ones,
 * all in one transaction that also bumps the channel's index generation. */
#include "rag/rag.h"

#include "db/rag_repo.h"
#include "db/repo.h"
#include "rag/rag_internal.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define EMBED_BATCH 256

typedef struct plan {
    const char *channel_id;
    const char *embedder;
    int dim;
    yaa_rag_chunks *chunks;
    unsigned char *fresh; /* chunk i needs inserting */
    float *vecs;          /* rows for fresh chunks, in chunk order */
    size_t *vec_row;      /* chunk i -> row in vecs */
    yaa_db_rag_row *rows;
    size_t nrows;
    unsigned char *keep;    /* row j is reused */
    size_t *row_chunk;      /* kept row j -> the chunk it stands for */
    unsigned char *restamp; /* kept row j has no terms of this analyser: store them */
    char **terms;           /* chunk i -> its stored terms (fresh and restamped ones) */
    size_t total;
    int64_t generation; /* of the index state the plan was made from (0: none) */
} plan;

static int apply(yaa_db *tx, void *arg, yaa_err *err) {
    plan *p = arg;
    /* Another indexer of this channel may have committed since the plan was made (two
     * workers starting runs of a fresh channel): then the plan is stale, start over. */
    yaa_db_rag_state now = {0};
    int rc = yaa_db_rag_lock_channel(tx, p->channel_id, err);
    if (!rc) rc = yaa_db_rag_state_get(tx, p->channel_id, &now, err);
    if (!rc && now.generation != p->generation)
        rc = yaa_err_set(err, YAA_ECONFLICT, "the index changed while it was being rebuilt");
    yaa_db_rag_state_free(&now);
    if (rc) return rc;
    for (size_t j = 0; j < p->nrows && !rc; j++)
        if (!p->keep[j]) rc = yaa_db_rag_delete(tx, p->rows[j].id, err);
    for (size_t i = 0; i < p->chunks->n && !rc; i++) {
        if (!p->fresh[i]) continue;
        const yaa_rag_chunk *c = &p->chunks->v[i];
        rc = yaa_db_rag_insert(tx, p->channel_id, c->source, c->section, c->text, p->terms[i],
                               c->hash, p->embedder, p->vecs + p->vec_row[i] * (size_t)p->dim,
                               p->dim, err);
    }
    for (size_t j = 0; j < p->nrows && !rc; j++)
        if (p->restamp[j])
            rc = yaa_db_rag_set_terms(tx, p->rows[j].id, p->terms[p->row_chunk[j]], err);
    if (!rc)
        rc = yaa_db_rag_state_set(tx, p->channel_id, p->embedder, p->dim, (int64_t)p->total, err);
    return rc;
}

static int cmp_row(const void *a, const void *b, void *rows) {
    const yaa_db_rag_row *r = rows;
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return strcmp(r[x].content_hash, r[y].content_hash);
}

/* Rows sorted by hash, then each chunk claims an unclaimed row with its hash and embedder. */
static void match_rows(plan *p, const char *embedder) {
    size_t *order = malloc((p->nrows ? p->nrows : 1) * sizeof *order);
    if (!order) return; /* everything counts as fresh: correct, only slower */
    for (size_t j = 0; j < p->nrows; j++) order[j] = j;
    qsort_r(order, p->nrows, sizeof *order, cmp_row, p->rows);
    for (size_t i = 0; i < p->chunks->n; i++) {
        const char *h = p->chunks->v[i].hash;
        size_t lo = 0, hi = p->nrows;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (strcmp(p->rows[order[mid]].content_hash, h) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (size_t k = lo; k < p->nrows && strcmp(p->rows[order[k]].content_hash, h) == 0; k++) {
            size_t j = order[k];
            if (p->keep[j] || strcmp(p->rows[j].embedder, embedder) != 0) continue;
            p->keep[j] = 1;
            p->row_chunk[j] = i;
            p->fresh[i] = 0;
            break;
        }
    }
    free(order);
}

static int chunk_terms(const char *text, char **out, yaa_err *err) {
    yaa_buf b;
    yaa_buf_init(&b, 0);
    if (yaa_rag_terms(text, &b)) {
        yaa_buf_free(&b);
        return yaa_err_set(err, YAA_ENOMEM, "out of memory analysing a chunk");
    }
    *out = b.data; /* owned by the caller now */
    return 0;
}

static int index_channel(yaa_db *db, const yaa_config *cfg, yaa_rag_embedder *emb,
                         const char *channel_id, yaa_rag_index_stats *st, yaa_err *err) {
    yaa_rag_chunks chunks;
    yaa_rag_chunks_init(&chunks);
    plan p = {.channel_id = channel_id, .embedder = yaa_rag_embedder_name(emb), .chunks = &chunks};
    yaa_db_rag_state state = {0};
    const char **texts = NULL;
    /* Brand knowledge only: a past run's outputs (research.json) are about its topic, not the
     * brand, and indexing them let one run's topic leak into another run's narration. */
    int rc = yaa_rag_chunk_channel(&chunks, cfg->channels_dir, NULL, channel_id, err);
    if (!rc) rc = yaa_db_rag_state_get(db, channel_id, &state, err);
    if (!rc) rc = yaa_db_rag_list(db, channel_id, &p.rows, &p.nrows, err);
    p.generation = state.found ? state.generation : 0;
    if (rc) goto done;
    p.fresh = malloc(chunks.n + 1);
    p.keep = calloc(p.nrows + 1, 1);
    p.vec_row = calloc(chunks.n + 1, sizeof *p.vec_row);
    p.row_chunk = calloc(p.nrows + 1, sizeof *p.row_chunk);
    p.restamp = calloc(p.nrows + 1, 1);
    p.terms = calloc(chunks.n + 1, sizeof *p.terms);
    texts = calloc(chunks.n + 1, sizeof *texts);
    if (!p.fresh || !p.keep || !p.vec_row || !p.row_chunk || !p.restamp || !p.terms || !texts) {
        rc = yaa_err_set(err, YAA_ENOMEM, "out of memory");
        goto done;
    }
    memset(p.fresh, 1, chunks.n + 1);
    match_rows(&p, p.embedder);
    size_t nfresh = 0, ndel = 0;
    for (size_t i = 0; i < chunks.n; i++)
        if (p.fresh[i]) {
            p.vec_row[i] = nfresh;
            texts[nfresh++] = chunks.v[i].text;
        }
    for (size_t j = 0; j < p.nrows; j++) ndel += p.keep[j] ? 0 : 1;
    /* The lexical terms of new chunks, and of kept ones stored by another analyser (or none:
     * rows of older versions), are computed here, so loading the index analyses nothing. */
    size_t nrestamp = 0;
    const char *tag = yaa_rag__terms_tag();
    for (size_t j = 0; j < p.nrows; j++)
        if (p.keep[j] && strcmp(p.rows[j].terms_tag, tag) != 0) {
            p.restamp[j] = 1;
            nrestamp++;
        }
    for (size_t i = 0; i < chunks.n && !rc; i++) {
        if (!p.fresh[i]) continue;
        rc = chunk_terms(chunks.v[i].text, &p.terms[i], err);
    }
    for (size_t j = 0; j < p.nrows && !rc; j++)
        if (p.restamp[j] && !p.terms[p.row_chunk[j]])
            rc = chunk_terms(chunks.v[p.row_chunk[j]].text, &p.terms[p.row_chunk[j]], err);
    if (rc) goto done;
    p.total = chunks.n;
    p.dim = state.found && state.embedder && strcmp(state.embedder, p.embedder) == 0
                ? state.dim
                : yaa_rag_embedder_dim(emb);
    /* Embed in batches (hosted embedders send each batch as one request). */
    if (nfresh) {
        for (size_t off = 0; off < nfresh && !rc; off += EMBED_BATCH) {
            size_t m = nfresh - off < EMBED_BATCH ? nfresh - off : EMBED_BATCH;
            float *v = NULL;
            int dim = 0;
            rc = yaa_rag_embed(emb, texts + off, m, &v, &dim, err);
            if (rc) break;
            if (!p.vecs) {
                p.dim = dim;
                p.vecs = malloc(nfresh * (size_t)dim * sizeof *p.vecs);
                if (!p.vecs) {
                    free(v);
                    rc = yaa_err_set(err, YAA_ENOMEM, "out of memory");
                    break;
                }
            } else if (dim != p.dim) {
                free(v);
                rc = yaa_err_set(err, YAA_EPROVIDER, "embedder %s changed dimension %d -> %d",
                                 p.embedder, p.dim, dim);
                break;
            }
            memcpy(p.vecs + off * (size_t)dim, v, m * (size_t)dim * sizeof *v);
            free(v);
        }
        if (rc) goto done;
    }
    int unchanged = !nfresh && !ndel && !nrestamp && state.found && state.embedder &&
                    strcmp(state.embedder, p.embedder) == 0 && state.chunks == (int64_t)p.total;
    if (!unchanged) rc = yaa_db_tx(db, apply, &p, err);
    if (rc) goto done;
    st->channels++;
    st->chunks += (int)chunks.n;
    st->embedded += (int)nfresh;
    st->kept += (int)(chunks.n - nfresh);
    st->deleted += (int)ndel;
    yaa_log_ev(YAA_LOG_INFO, "rag", "channel indexed", YAA_F_STR("channel_id", channel_id),
               YAA_F_STR("embedder", p.embedder), YAA_F_INT("chunks", chunks.n),
               YAA_F_INT("embedded", nfresh), YAA_F_INT("deleted", ndel), YAA_F_END);
done:
    if (rc) yaa_err_prefix(err, "indexing channel '%s': ", channel_id);
    free(texts);
    free(p.fresh);
    free(p.keep);
    free(p.vec_row);
    free(p.row_chunk);
    free(p.restamp);
    for (size_t i = 0; p.terms && i < chunks.n; i++) free(p.terms[i]);
    free(p.terms);
    free(p.vecs);
    yaa_db_rag_rows_free(p.rows, p.nrows);
    yaa_db_rag_state_free(&state);
    yaa_rag_chunks_free(&chunks);
    return rc;
}

/* A plan made stale by a concurrent indexer is made again (a few times). */
static int index_channel_retry(yaa_db *db, const yaa_config *cfg, yaa_rag_embedder *emb,
                               const char *channel_id, yaa_rag_index_stats *st, yaa_err *err) {
    int rc = 0;
    for (int attempt = 0; attempt < 5; attempt++) {
        yaa_rag_index_stats one = {0};
        rc = index_channel(db, cfg, emb, channel_id, &one, err);
        if (rc == YAA_ECONFLICT) continue;
        if (!rc) {
            st->channels += one.channels;
            st->chunks += one.chunks;
            st->embedded += one.embedded;
            st->kept += one.kept;
            st->deleted += one.deleted;
        }
        return rc;
    }
    return rc;
}

static int cmp_name(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int yaa_rag_index_with(yaa_db *db, const yaa_config *cfg, yaa_rag_embedder *emb,
                       const char *channel_id, yaa_rag_index_stats *stats, yaa_err *err) {
    yaa_rag_index_stats local = {0};
    yaa_rag_index_stats *st = stats ? stats : &local;
    memset(st, 0, sizeof *st);
    if (channel_id) return index_channel_retry(db, cfg, emb, channel_id, st, err);
    DIR *d = opendir(cfg->channels_dir);
    if (!d)
        return yaa_err_set(err, YAA_ENOTFOUND, "CHANNELS_DIR %s: cannot open it",
                           cfg->channels_dir);
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d)) && !rc) {
        /* "_template" and hidden entries are not channels. */
        if (e->d_name[0] == '.' || e->d_name[0] == '_') continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            char **nn = realloc(names, cap * sizeof *nn);
            if (!nn) {
                rc = yaa_err_set(err, YAA_ENOMEM, "out of memory");
                break;
            }
            names = nn;
        }
        if (!(names[n] = strdup(e->d_name)))
            rc = yaa_err_set(err, YAA_ENOMEM, "out of memory");
        else
            n++;
    }
    closedir(d);
    if (n) qsort(names, n, sizeof *names, cmp_name);
    for (size_t i = 0; i < n && !rc; i++) {
        char path[4096];
        struct stat sb;
        int w = snprintf(path, sizeof path, "%s/%s", cfg->channels_dir, names[i]);
        if (w < 0 || (size_t)w >= sizeof path || stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode))
            continue;
        rc = index_channel_retry(db, cfg, emb, names[i], st, err);
    }
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
    return rc;
}

int yaa_rag_index(yaa_db *db, const yaa_config *cfg, const char *channel_id,
                  yaa_rag_index_stats *stats, yaa_err *err) {
    yaa_rag_embedder *emb;
    int rc = yaa_rag_embedder_open(cfg, &emb, err);
    if (rc) return rc;
    rc = yaa_rag_index_with(db, cfg, emb, channel_id, stats, err);
    yaa_rag_embedder_free(emb);
    return rc;
}
