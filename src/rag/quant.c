/* quant.c - int8 vectors for the first pass of the vector list: each row is scaled by 127 /
 * max|v| and rounded, so a 384-dimension row takes 384 bytes instead of 1,536 and the scan
 * over a channel reads a quarter of the memory. The scan's top candidates are then rescored
 * with the float32 rows (retrieve.c), which keeps the ranking that of exact search.
 *
 * Compiled with -O3 (cmake/rag.cmake): the portable int8 dot product is a plain loop that
 * GCC vectorises for the baseline; on x86-64 processors with AVX2 (checked at run time) the
 * scan sign-extends 16 bytes at a time and multiply-adds 16-bit pairs (vpmaddwd), and with
 * AVX-512 VNNI it multiply-adds 64 bytes per instruction (vpdpbusd). */
#include "rag/rag.h"

#include <math.h>
#include <string.h>

float yaa_rag_quantize_i8(const float *v, int dim, int8_t *out) {
    float mx = 0.0f;
    for (int i = 0; i < dim; i++) {
        float a = fabsf(v[i]);
        if (a > mx) mx = a;
    }
    if (mx == 0.0f) {
        memset(out, 0, (size_t)dim);
        return 0.0f;
    }
    float s = 127.0f / mx;
    for (int i = 0; i < dim; i++) {
        long q = lrintf(v[i] * s);
        out[i] = (int8_t)(q > 127 ? 127 : q < -127 ? -127 : q);
    }
    return mx / 127.0f;
}

static inline int32_t dot_i8(const int8_t *restrict a, const int8_t *restrict b, int dim) {
    int32_t s = 0;
    for (int i = 0; i < dim; i++) s += (int16_t)a[i] * (int16_t)b[i];
    return s;
}

#define SCAN_BODY                  \
    for (size_t r = 0; r < n; r++) \
        out[r] = (float)dot_i8(mat + r * (size_t)dim, q, dim) * (inv[r] * q_inv);

static void scan_base(const int8_t *restrict mat, const float *restrict inv, size_t n, int dim,
                      const int8_t *restrict q, float q_inv, float *restrict out) {
    SCAN_BODY
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

/* 16 int8 pairs at a time: sign-extend to 16 bits, multiply-add adjacent pairs to 32 bits. */
__attribute__((target("avx2"))) static void scan_avx2(const int8_t *restrict mat,
                                                      const float *restrict inv, size_t n, int dim,
                                                      const int8_t *restrict q, float q_inv,
                                                      float *restrict out) {
    if (dim % 32) {
        SCAN_BODY
        return;
    }
    for (size_t r = 0; r < n; r++) {
        const int8_t *a = mat + r * (size_t)dim;
        __m256i acc0 = _mm256_setzero_si256(), acc1 = _mm256_setzero_si256();
        for (int i = 0; i < dim; i += 32) {
            __m256i a0 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(a + i)));
            __m256i b0 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(q + i)));
            __m256i a1 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(a + i + 16)));
            __m256i b1 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(q + i + 16)));
            acc0 = _mm256_add_epi32(acc0, _mm256_madd_epi16(a0, b0));
            acc1 = _mm256_add_epi32(acc1, _mm256_madd_epi16(a1, b1));
        }
        __m256i acc = _mm256_add_epi32(acc0, acc1);
        __m128i s4 = _mm_add_epi32(_mm256_castsi256_si128(acc), _mm256_extracti128_si256(acc, 1));
        s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, 0x4E));
        s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, 0xB1));
        out[r] = (float)_mm_cvtsi128_si32(s4) * (inv[r] * q_inv);
    }
}

/* AVX-512 VNNI: vpdpbusd multiplies 64 unsigned by 64 signed bytes and adds groups of four
 * into 16 int32 lanes. Rows are made unsigned by flipping the sign bit (row + 128), and the
 * query's share of that offset, 128 * sum(q), is taken off once per row. */
__attribute__((target("avx512f,avx512bw,avx512vnni"))) static void
scan_vnni(const int8_t *restrict mat, const float *restrict inv, size_t n, int dim,
          const int8_t *restrict q, float q_inv, float *restrict out) {
    int32_t corr = 0;
    for (int i = 0; i < dim; i++) corr += 128 * (int32_t)q[i];
    const __m512i flip = _mm512_set1_epi8((char)0x80);
    for (size_t r = 0; r < n; r++) {
        const int8_t *a = mat + r * (size_t)dim;
        __m512i acc = _mm512_setzero_si512();
        for (int i = 0; i < dim; i += 64) {
            __m512i u = _mm512_xor_si512(_mm512_loadu_si512((const void *)(a + i)), flip);
            acc = _mm512_dpbusd_epi32(acc, u, _mm512_loadu_si512((const void *)(q + i)));
        }
        out[r] = (float)(_mm512_reduce_add_epi32(acc) - corr) * (inv[r] * q_inv);
    }
}
#endif

void yaa_rag_dot_many_i8(const int8_t *mat, const float *inv, size_t n, int dim, const int8_t *q,
                         float q_inv, float *out) {
#if defined(__x86_64__) && defined(__GNUC__)
    if (dim % 64 == 0 && __builtin_cpu_supports("avx512vnni") &&
        __builtin_cpu_supports("avx512bw")) {
        scan_vnni(mat, inv, n, dim, q, q_inv, out);
        return;
    }
    if (__builtin_cpu_supports("avx2")) {
        scan_avx2(mat, inv, n, dim, q, q_inv, out);
        return;
    }
#endif
    scan_base(mat, inv, n, dim, q, q_inv, out);
}
