/* fuzz_rag_chunk.c - the rag chunkers (YAML walk, Markdown/text, research.json), the hash
 * embedder and the query term builders must never crash, leak or read out of bounds on any
 * input. The first byte picks the parser. */
#include "rag/rag.h"
#include "rag/rag_internal.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    char *text = malloc(size);
    if (!text) return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    yaa_rag_chunks c;
    yaa_rag_chunks_init(&c);
    yaa_err err = {0};
    switch (data[0] % 3) {
    case 0: yaa_rag_chunk_yaml(&c, "brand_guide.yaml", text, size - 1, &err); break;
    case 1: yaa_rag_chunk_markdown(&c, "knowledge/f.md", text, size - 1, &err); break;
    default: yaa_rag_chunk_research(&c, "run", text, size - 1, &err); break;
    }
    float v[64];
    for (size_t i = 0; i < c.n && i < 8; i++) yaa_rag_hash_embed(c.v[i].text, v, 64);
    yaa_rag_hash_embed(text, v, 64);
    /* The lexical analyser and a BM25 index over the chunks, queried with the input. */
    yaa_rag__lex lex;
    yaa_rag__lex_init(&lex);
    for (size_t i = 0; i < c.n && i < 8; i++) yaa_rag__lex_add(&lex, (uint32_t)i, c.v[i].text);
    yaa_rag__lex_add(&lex, (uint32_t)(c.n < 8 ? c.n : 8), text);
    uint32_t rows[4];
    float sc[4];
    if (yaa_rag__lex_finish(&lex) == 0) yaa_rag__lex_search(&lex, text, 4, rows, sc);
    yaa_rag__lex_free(&lex);
    yaa_rag_chunks_free(&c);
    free(text);
    return 0;
}
