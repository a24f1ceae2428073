/* kernels-private.h — what the SIMD kernel files (kernels-avx2.c,
 * kernels-avx512.c) share: loop macros, the one-row / many-row entry
 * points, and helpers. Only AVX2, FMA and F16C intrinsics here: the
 * AVX2 file is compiled without the AVX-512 flags. */
#pragma once

#include <immintrin.h>

#include "engine/dot.h"
#include "engine/quant.h"

#define MAXR DOCENT_DOT_MAX_ROWS
#define ALWAYS_INLINE static inline __attribute__((always_inline))
/* Loops over rows, groups and tiles have a constant count: unrolled, their
 * accumulators stay in registers (GCC does not always do it at -O2). */
#define UNROLL _Pragma ("GCC unroll 16")

/* Defines name (one row) and name_rows (1 … 4 rows) from an always-inline
 * body taking a constant row count. */
#define ROWS(name, body)                                                     \
  static float                                                               \
  name (gsize n, const void *w, const void *a)                               \
  {                                                                          \
    float out[1];                                                            \
    body (n, w, a, 0, 1, out);                                               \
    return out[0];                                                           \
  }                                                                          \
  static void                                                                \
  name##_rows (gsize n, const void *w, const void *a, gsize stride, guint m, \
               float *out)                                                   \
  {                                                                          \
    switch (m)                                                               \
      {                                                                      \
      case 1: body (n, w, a, stride, 1, out); break;                         \
      case 2: body (n, w, a, stride, 2, out); break;                         \
      case 3: body (n, w, a, stride, 3, out); break;                         \
      default: body (n, w, a, stride, 4, out); break;                        \
      }                                                                      \
  }

ALWAYS_INLINE float
half_to_float (DocentHalf h)
{
  return _cvtsh_ss (h);
}

/* The sum of the eight floats. */
ALWAYS_INLINE float
hsum_ps (__m256 v)
{
  __m128 s = _mm_add_ps (_mm256_castps256_ps128 (v), _mm256_extractf128_ps (v, 1));

  s = _mm_add_ps (s, _mm_movehl_ps (s, s));
  s = _mm_add_ss (s, _mm_movehdup_ps (s));
  return _mm_cvtss_f32 (s);
}

/* The half-precision scales of four blocks `stride` bytes apart. */
ALWAYS_INLINE __m128
four_halves (const DocentHalf *d,
             gsize             stride)
{
  const guint8 *p = (const guint8 *) d;
  __m128i h = _mm_cvtsi32_si128 (d[0]);

  h = _mm_insert_epi16 (h, *(const DocentHalf *) (p + stride), 1);
  h = _mm_insert_epi16 (h, *(const DocentHalf *) (p + 2 * stride), 2);
  h = _mm_insert_epi16 (h, *(const DocentHalf *) (p + 3 * stride), 3);
  return _mm_cvtph_ps (h);
}

/* Activation row r of a vec_dot_rows call. */
ALWAYS_INLINE const guint8 *
row_ptr (const void *a,
         gsize       stride,
         guint       r)
{
  return (const guint8 *) a + r * stride;
}

/* Block i of Q8_K activation row r. */
ALWAYS_INLINE const DocentBlockQ8_K *
row_k (const void *a,
       gsize       stride,
       guint       r,
       gsize       i)
{
  return (const DocentBlockQ8_K *) row_ptr (a, stride, r) + i;
}

/* Puts a kernel set's functions for `type` into the table; a NULL
 * from_float keeps the scalar quantizer of the activations. */
static inline void
install_kernel (DocentDotKernel      *table,
                guint32               type,
                DocentVecDotFunc      vec_dot,
                DocentVecDotRowsFunc  rows,
                DocentVecDotTileFunc  tile,
                DocentFromFloatFunc   from_float)
{
  table[type].vec_dot = vec_dot;
  table[type].vec_dot_rows = rows;
  table[type].vec_dot_tile = tile;
  if (from_float != NULL)
    table[type].from_float = from_float;
}
