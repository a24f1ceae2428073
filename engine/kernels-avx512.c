/* kernels-avx512.c — the dot kernels for AVX-512 (F, BW, VL and VNNI;
 * BF16 where the CPU has it) for the types real models use: F32, F16,
 * BF16, Q8_0, Q4_0, Q5_0, Q4_K, Q6_K. Other types keep their AVX2 kernels.
 * Compiled with the AVX-512 flags: only reached through
 * docent_kernels_avx512_install, which dot.c calls after checking the
 * CPU (the bf16 kernel only when it has AVX512_BF16).
 *
 * Like kernels-avx2.c, each kernel is written once for up to four
 * activation rows, and the float types, the blocks of 32 (Q8_0, Q4_0,
 * Q5_0) and Q6_K also as 4 x 4 tiles for batches.
 * Blocks of 32 go two to a register; K-quant weights are rearranged so
 * each 64-byte load of activations meets its own weights, and per-group
 * scales are applied with the 16-bit VNNI dot (dpwssd).
 * The float sums of the quantized types follow the reference engine's
 * order (see the conformance notes in engine/dot.c), because activations
 * quantized again from these results round differently otherwise. */
#include <math.h>

#include "engine/kernels-private.h"
#include "engine/quant-private.h"

/* ---- float weights ------------------------------------------------------- */

/* Whole vectors use plain loads; only the tail is masked. */
ALWAYS_INLINE __m512
load_f32 (const void *p, gsize i, __mmask16 k)
{
  if (__builtin_constant_p (k) && k == 0xffff)
    return _mm512_loadu_ps ((const float *) p + i);
  return _mm512_maskz_loadu_ps (k, (const float *) p + i);
}

ALWAYS_INLINE __m512
load_f16 (const void *p, gsize i, __mmask16 k)
{
  if (__builtin_constant_p (k) && k == 0xffff)
    return _mm512_cvtph_ps (_mm256_loadu_si256 ((const __m256i *) ((const DocentHalf *) p + i)));
  return _mm512_cvtph_ps (_mm256_maskz_loadu_epi16 (k, (const DocentHalf *) p + i));
}

/* 16 per step, one chain of multiply-adds per row and a tree sum of its
 * 16 lanes: the reference engine's order, so the last bits agree (the
 * rows are independent chains, which keeps several in flight). The tail
 * through masked loads. */
#define FLOAT_BODY(fname, load_w, load_a)                                    \
  ALWAYS_INLINE void                                                         \
  fname (gsize n, const void *w, const void *a, gsize stride, guint m,       \
         float *out)                                                         \
  {                                                                          \
    __m512 acc[MAXR];                                                        \
    gsize i = 0;                                                             \
                                                                             \
    UNROLL                                                                   \
    for (guint r = 0; r < m; r++)                                            \
      acc[r] = _mm512_setzero_ps ();                                         \
    for (; i + 16 <= n; i += 16)                                             \
      {                                                                      \
        __m512 w0 = load_w (w, i, 0xffff);                                   \
        UNROLL                                                               \
        for (guint r = 0; r < m; r++)                                        \
          acc[r] = _mm512_fmadd_ps (w0, load_a (row_ptr (a, stride, r), i, 0xffff), acc[r]); \
      }                                                                      \
    if (i < n)                                                               \
      {                                                                      \
        __mmask16 k = (__mmask16) ((1u << (n - i)) - 1);                     \
        __m512 w0 = load_w (w, i, k);                                        \
        UNROLL                                                               \
        for (guint r = 0; r < m; r++)                                        \
          acc[r] = _mm512_fmadd_ps (w0, load_a (row_ptr (a, stride, r), i, k), acc[r]); \
      }                                                                      \
    UNROLL                                                                   \
    for (guint r = 0; r < m; r++)                                            \
      out[r] = _mm512_reduce_add_ps (acc[r]);                                \
  }

FLOAT_BODY (f32_body, load_f32, load_f32)
FLOAT_BODY (f16_body, load_f16, load_f32)

/* bf16 × bf16 pairs straight into float sums (VDPBF16PS). */
ALWAYS_INLINE __m512bh
load_bf16_pairs (const void *p, gsize i, __mmask32 k)
{
  if (__builtin_constant_p (k) && k == 0xffffffff)
    return (__m512bh) _mm512_loadu_si512 ((const guint16 *) p + i);
  return (__m512bh) _mm512_maskz_loadu_epi16 (k, (const guint16 *) p + i);
}

ALWAYS_INLINE void
bf16_body (gsize n, const void *w, const void *a, gsize stride, guint m, float *out)
{
  __m512 acc[MAXR], acc2[MAXR];
  gsize i = 0;

  UNROLL
  for (guint r = 0; r < m; r++)
    acc[r] = acc2[r] = _mm512_setzero_ps ();
  for (; i + 64 <= n; i += 64)
    {
      __m512bh w0 = load_bf16_pairs (w, i, 0xffffffff), w1 = load_bf16_pairs (w, i + 32, 0xffffffff);

      UNROLL
      for (guint r = 0; r < m; r++)
        {
          const guint8 *ar = row_ptr (a, stride, r);

          acc[r] = _mm512_dpbf16_ps (acc[r], w0, load_bf16_pairs (ar, i, 0xffffffff));
          acc2[r] = _mm512_dpbf16_ps (acc2[r], w1, load_bf16_pairs (ar, i + 32, 0xffffffff));
        }
    }
  for (; i < n; i += 32)
    {
      __mmask32 k = n - i >= 32 ? 0xffffffff : (__mmask32) ((1u << (n - i)) - 1);
      __m512bh w0 = load_bf16_pairs (w, i, k);

      UNROLL
      for (guint r = 0; r < m; r++)
        acc[r] = _mm512_dpbf16_ps (acc[r], w0, load_bf16_pairs (row_ptr (a, stride, r), i, k));
    }
  UNROLL
  for (guint r = 0; r < m; r++)
    out[r] = _mm512_reduce_add_ps (_mm512_add_ps (acc[r], acc2[r]));
}

/* 4 weight rows x 4 activation rows: sixteen sums in registers, each
 * loaded vector used four times (a 1 x 4 kernel streams the activations
 * from L2 and is bound by that). */
#define FLOAT_TILE(fname, load_w, load_a)                                    \
  static void                                                                \
  fname (gsize n, const void *w, gsize w_stride, const void *a,              \
         gsize a_stride, float *out, gsize out_stride)                       \
  {                                                                          \
    __m512 acc[4][4], wv[4];                                                 \
    gsize i = 0;                                                             \
                                                                             \
    UNROLL                                                                   \
    for (int j = 0; j < 4; j++)                                              \
      UNROLL                                                                 \
      for (int k = 0; k < 4; k++)                                            \
        acc[j][k] = _mm512_setzero_ps ();                                    \
    for (; i < n; i += 16)                                                   \
      {                                                                      \
        __mmask16 mask = n - i >= 16 ? 0xffff : (__mmask16) ((1u << (n - i)) - 1); \
        if (mask == 0xffff)                                                  \
          UNROLL                                                             \
          for (int k = 0; k < 4; k++)                                        \
            wv[k] = load_w (row_ptr (w, w_stride, k), i, 0xffff);            \
        else                                                                 \
          UNROLL                                                             \
          for (int k = 0; k < 4; k++)                                        \
            wv[k] = load_w (row_ptr (w, w_stride, k), i, mask);              \
        UNROLL                                                               \
        for (int j = 0; j < 4; j++)                                          \
          {                                                                  \
            __m512 av = mask == 0xffff                                       \
                        ? load_a (row_ptr (a, a_stride, j), i, 0xffff)       \
                        : load_a (row_ptr (a, a_stride, j), i, mask);        \
            UNROLL                                                           \
            for (int k = 0; k < 4; k++)                                      \
              acc[j][k] = _mm512_fmadd_ps (wv[k], av, acc[j][k]);            \
          }                                                                  \
      }                                                                      \
    UNROLL                                                                   \
    for (int j = 0; j < 4; j++)                                              \
      UNROLL                                                                 \
      for (int k = 0; k < 4; k++)                                            \
        out[j * out_stride + k] = _mm512_reduce_add_ps (acc[j][k]);          \
  }

FLOAT_TILE (tile_f32, load_f32, load_f32)
FLOAT_TILE (tile_f16, load_f16, load_f32)

static void
tile_bf16 (gsize n, const void *w, gsize w_stride, const void *a,
           gsize a_stride, float *out, gsize out_stride)
{
  __m512 acc[4][4];
  __m512bh wv[4];

  UNROLL
  for (int j = 0; j < 4; j++)
    UNROLL
    for (int k = 0; k < 4; k++)
      acc[j][k] = _mm512_setzero_ps ();
  for (gsize i = 0; i < n; i += 32)
    {
      __mmask32 mask = n - i >= 32 ? 0xffffffff : (__mmask32) ((1u << (n - i)) - 1);

      if (mask == 0xffffffff)
        UNROLL
        for (int k = 0; k < 4; k++)
          wv[k] = load_bf16_pairs (row_ptr (w, w_stride, k), i, 0xffffffff);
      else
        UNROLL
        for (int k = 0; k < 4; k++)
          wv[k] = load_bf16_pairs (row_ptr (w, w_stride, k), i, mask);
      UNROLL
      for (int j = 0; j < 4; j++)
        {
          __m512bh av = mask == 0xffffffff
                        ? load_bf16_pairs (row_ptr (a, a_stride, j), i, 0xffffffff)
                        : load_bf16_pairs (row_ptr (a, a_stride, j), i, mask);

          UNROLL
          for (int k = 0; k < 4; k++)
            acc[j][k] = _mm512_dpbf16_ps (acc[j][k], wv[k], av);
        }
    }
  UNROLL
  for (int j = 0; j < 4; j++)
    UNROLL
    for (int k = 0; k < 4; k++)
      out[j * out_stride + k] = _mm512_reduce_add_ps (acc[j][k]);
}

ROWS (dot_f32, f32_body)
ROWS (dot_f16, f16_body)
ROWS (dot_bf16, bf16_body)

/* ---- blocks of 32, two at a time ----------------------------------------- */

/* |x| as unsigned bytes and the lanes where x < 0: y takes x's sign. */
typedef struct {
  __m512i abs;
  __mmask64 neg;
} SignedBytes;

ALWAYS_INLINE SignedBytes
signed_bytes (__m512i x)
{
  SignedBytes s = { _mm512_abs_epi8 (x), _mm512_movepi8_mask (x) };

  return s;
}

ALWAYS_INLINE __m512i
dot_signed (SignedBytes x, __m512i y)
{
  __m512i sy = _mm512_mask_sub_epi8 (y, x.neg, _mm512_setzero_si512 (), y);

  return _mm512_dpbusd_epi32 (_mm512_setzero_si512 (), x.abs, sy);
}

ALWAYS_INLINE __m512i
pair_load (const gint8 *p0, const gint8 *p1)
{
  return _mm512_inserti64x4 (_mm512_castsi256_si512 (_mm256_loadu_si256 ((const __m256i *) p0)),
                             _mm256_loadu_si256 ((const __m256i *) p1), 1);
}

/* Two blocks' nibbles: [low 0 | high 0 | low 1 | high 1] by 16 bytes. */
ALWAYS_INLINE __m512i
nibbles_pair (const guint8 *qs0, const guint8 *qs1)
{
  __m128i b0 = _mm_loadu_si128 ((const __m128i *) qs0);
  __m128i b1 = _mm_loadu_si128 ((const __m128i *) qs1);
  __m512i v = _mm512_inserti64x4 (_mm512_castsi256_si512 (_mm256_set_m128i (b0, b0)),
                                  _mm256_set_m128i (b1, b1), 1);

  /* Odd 128-bit lanes shift by 4 to bring their high nibbles down. */
  v = _mm512_srlv_epi16 (v, _mm512_set_epi16 (4, 4, 4, 4, 4, 4, 4, 4, 0, 0, 0, 0, 0, 0, 0, 0,
                                              4, 4, 4, 4, 4, 4, 4, 4, 0, 0, 0, 0, 0, 0, 0, 0));
  return _mm512_and_si512 (v, _mm512_set1_epi8 (0x0f));
}

/* The sums of the blocks of 32 follow the reference engine's order, so
 * that the last bits agree: per output eight lanes (lane k holds bytes
 * 4k … 4k + 3 of each block), one multiply-add per block in block order,
 * then hsum_ps. The integer products still go two blocks to a register;
 * their two halves then join the chain one after the other. */
ALWAYS_INLINE __m256
lane_scale (__m128 d, int k)
{
  return _mm256_permutevar8x32_ps (_mm256_castps128_ps256 (d), _mm256_set1_epi32 (k));
}

ALWAYS_INLINE __m256
upper_half (__m512 v)
{
  return _mm256_castpd_ps (_mm512_extractf64x4_pd (_mm512_castps_pd (v), 1));
}

/* Blocks i … i + 3: products p01 (blocks i, i + 1) and p23, scales dd. */
ALWAYS_INLINE __m256
chain_four (__m256 acc, __m128 dd, __m512i p01, __m512i p23)
{
  __m512 f01 = _mm512_cvtepi32_ps (p01), f23 = _mm512_cvtepi32_ps (p23);

  acc = _mm256_fmadd_ps (lane_scale (dd, 0), _mm512_castps512_ps256 (f01), acc);
  acc = _mm256_fmadd_ps (lane_scale (dd, 1), upper_half (f01), acc);
  acc = _mm256_fmadd_ps (lane_scale (dd, 2), _mm512_castps512_ps256 (f23), acc);
  return _mm256_fmadd_ps (lane_scale (dd, 3), upper_half (f23), acc);
}

ALWAYS_INLINE __m256
chain_two (__m256 acc, float d0, float d1, __m512i p)
{
  __m512 f = _mm512_cvtepi32_ps (p);

  acc = _mm256_fmadd_ps (_mm256_set1_ps (d0), _mm512_castps512_ps256 (f), acc);
  return _mm256_fmadd_ps (_mm256_set1_ps (d1), upper_half (f), acc);
}

/* The 32-wide tail block of Q8_0 / Q4_0 with 256-bit VNNI. */
ALWAYS_INLINE __m256
tail_block (__m256 acc, __m256i q, const DocentBlockQ8_0 *y, float dx)
{
  __m256i aq = _mm256_abs_epi8 (q);
  __m256i sy = _mm256_sign_epi8 (_mm256_loadu_si256 ((const __m256i *) y->qs), q);
  __m256i p = _mm256_dpbusd_epi32 (_mm256_setzero_si256 (), aq, sy);

  return _mm256_fmadd_ps (_mm256_set1_ps (dx * half_to_float (y->d)), _mm256_cvtepi32_ps (p), acc);
}

/* Four blocks per step: their eight scales converted together, the four
 * products spread over the lanes of their blocks; then a pair, then a
 * single block with 256-bit VNNI. */
#define BLOCK32_BODY(fname, wtype, pair_weights, one_weight)                 \
  ALWAYS_INLINE void                                                         \
  fname (gsize n, const void *w, const void *a, gsize stride, guint m,       \
         float *out)                                                         \
  {                                                                          \
    const wtype *x = w;                                                      \
    gsize nb = n / DOCENT_QK, i = 0;                                         \
    __m256 acc[MAXR];                                                        \
                                                                             \
    UNROLL                                                                   \
    for (guint r = 0; r < m; r++)                                            \
      acc[r] = _mm256_setzero_ps ();                                         \
    for (; i + 4 <= nb; i += 4)                                              \
      {                                                                      \
        SignedBytes q01 = signed_bytes (pair_weights (x + i, x + i + 1));    \
        SignedBytes q23 = signed_bytes (pair_weights (x + i + 2, x + i + 3)); \
        __m128 dx = four_halves (&x[i].d, sizeof (wtype));                   \
        UNROLL                                                               \
        for (guint r = 0; r < m; r++)                                        \
          {                                                                  \
            const DocentBlockQ8_0 *y = (const DocentBlockQ8_0 *) row_ptr (a, stride, r) + i; \
            __m128 dd = _mm_mul_ps (dx, four_halves (&y[0].d, sizeof *y));  \
            __m512i p01 = dot_signed (q01, pair_load (y[0].qs, y[1].qs));    \
            __m512i p23 = dot_signed (q23, pair_load (y[2].qs, y[3].qs));    \
            acc[r] = chain_four (acc[r], dd, p01, p23);                      \
          }                                                                  \
      }                                                                      \
    for (; i + 2 <= nb; i += 2)                                              \
      {                                                                      \
        SignedBytes q = signed_bytes (pair_weights (x + i, x + i + 1));      \
        float d0 = half_to_float (x[i].d), d1 = half_to_float (x[i + 1].d); \
        UNROLL                                                               \
        for (guint r = 0; r < m; r++)                                        \
          {                                                                  \
            const DocentBlockQ8_0 *y = (const DocentBlockQ8_0 *) row_ptr (a, stride, r) + i; \
            __m512i p = dot_signed (q, pair_load (y[0].qs, y[1].qs));        \
            acc[r] = chain_two (acc[r], d0 * half_to_float (y[0].d),         \
                                d1 * half_to_float (y[1].d), p);             \
          }                                                                  \
      }                                                                      \
    UNROLL                                                                   \
    for (guint r = 0; r < m; r++)                                            \
      {                                                                      \
        if (i < nb)                                                          \
          acc[r] = tail_block (acc[r], one_weight (x + i),                   \
                               (const DocentBlockQ8_0 *) row_ptr (a, stride, r) + i, \
                               half_to_float (x[i].d));                      \
        out[r] = hsum_ps (acc[r]);                                           \
      }                                                                      \
  }

ALWAYS_INLINE __m512i
q8_0_pair (const DocentBlockQ8_0 *x0, const DocentBlockQ8_0 *x1)
{
  return pair_load (x0->qs, x1->qs);
}

ALWAYS_INLINE __m256i
q8_0_one (const DocentBlockQ8_0 *x)
{
  return _mm256_loadu_si256 ((const __m256i *) x->qs);
}

ALWAYS_INLINE __m512i
q4_0_pair (const DocentBlockQ4_0 *x0, const DocentBlockQ4_0 *x1)
{
  return _mm512_sub_epi8 (nibbles_pair (x0->qs, x1->qs), _mm512_set1_epi8 (8));
}

ALWAYS_INLINE __m256i
q4_0_one (const DocentBlockQ4_0 *x)
{
  __m128i b = _mm_loadu_si128 ((const __m128i *) x->qs);
  __m128i lo = _mm_and_si128 (b, _mm_set1_epi8 (0x0f));
  __m128i hi = _mm_and_si128 (_mm_srli_epi16 (b, 4), _mm_set1_epi8 (0x0f));

  return _mm256_sub_epi8 (_mm256_set_m128i (hi, lo), _mm256_set1_epi8 (8));
}

/* Q5_0: the nibbles with 16 taken off where the fifth bit is clear
 * (q - 16 = nibble + 16 * bit - 16). */
ALWAYS_INLINE __m512i
q5_0_pair (const DocentBlockQ5_0 *x0, const DocentBlockQ5_0 *x1)
{
  __m512i v = nibbles_pair (x0->qs, x1->qs);
  __mmask64 high = (__mmask64) docent_qh_load (x0->qh)
                   | ((__mmask64) docent_qh_load (x1->qh) << 32);

  return _mm512_mask_sub_epi8 (v, ~high, v, _mm512_set1_epi8 (16));
}

ALWAYS_INLINE __m256i
q5_0_one (const DocentBlockQ5_0 *x)
{
  __m128i b = _mm_loadu_si128 ((const __m128i *) x->qs);
  __m128i lo = _mm_and_si128 (b, _mm_set1_epi8 (0x0f));
  __m128i hi = _mm_and_si128 (_mm_srli_epi16 (b, 4), _mm_set1_epi8 (0x0f));
  __m256i v = _mm256_set_m128i (hi, lo);

  return _mm256_mask_sub_epi8 (v, ~(__mmask32) docent_qh_load (x->qh), v, _mm256_set1_epi8 (16));
}

/* The same with the weights taken unsigned (q + bias: the stored values
 * of Q4_0 / Q5_0), so one dpbusd gives the products, starting from
 * -bias sum a per lane: the same 32-bit lane sums, bit for bit the same
 * result, with less work per weight vector. */
ALWAYS_INLINE __m512i
minus_bias_sums (__m512i ay, char bias)
{
  return _mm512_sub_epi32 (_mm512_setzero_si512 (),
                           _mm512_dpbusd_epi32 (_mm512_setzero_si512 (),
                                                _mm512_set1_epi8 (bias), ay));
}

ALWAYS_INLINE __m512i
q4_0_pair_u (const DocentBlockQ4_0 *x0, const DocentBlockQ4_0 *x1)
{
  return nibbles_pair (x0->qs, x1->qs);
}

ALWAYS_INLINE __m512i
q5_0_pair_u (const DocentBlockQ5_0 *x0, const DocentBlockQ5_0 *x1)
{
  __m512i v = nibbles_pair (x0->qs, x1->qs);
  __mmask64 high = (__mmask64) docent_qh_load (x0->qh)
                   | ((__mmask64) docent_qh_load (x1->qh) << 32);

  return _mm512_mask_add_epi8 (v, high, v, _mm512_set1_epi8 (16));
}

#define BLOCK32_UBODY(fname, wtype, pair_u, bias, one_weight)                \
  ALWAYS_INLINE void                                                         \
  fname (gsize n, const void *w, const void *a, gsize stride, guint m,       \
         float *out)                                                         \
  {                                                                          \
    const wtype *x = w;                                                      \
    gsize nb = n / DOCENT_QK, i = 0;                                         \
    __m256 acc[MAXR];                                                        \
                                                                             \
    UNROLL                                                                   \
    for (guint r = 0; r < m; r++)                                            \
      acc[r] = _mm256_setzero_ps ();                                         \
    for (; i + 4 <= nb; i += 4)                                              \
      {                                                                      \
        __m512i q01 = pair_u (x + i, x + i + 1);                             \
        __m512i q23 = pair_u (x + i + 2, x + i + 3);                         \
        __m128 dx = four_halves (&x[i].d, sizeof (wtype));                   \
        UNROLL                                                               \
        for (guint r = 0; r < m; r++)                                        \
          {                                                                  \
            const DocentBlockQ8_0 *y = (const DocentBlockQ8_0 *) row_ptr (a, stride, r) + i; \
            __m128 dd = _mm_mul_ps (dx, four_halves (&y[0].d, sizeof *y));  \
            __m512i a01 = pair_load (y[0].qs, y[1].qs);                      \
            __m512i a23 = pair_load (y[2].qs, y[3].qs);                      \
            __m512i p01 = _mm512_dpbusd_epi32 (minus_bias_sums (a01, bias), q01, a01); \
            __m512i p23 = _mm512_dpbusd_epi32 (minus_bias_sums (a23, bias), q23, a23); \
            acc[r] = chain_four (acc[r], dd, p01, p23);                      \
          }                                                                  \
      }                                                                      \
    for (; i + 2 <= nb; i += 2)                                              \
      {                                                                      \
        __m512i q = pair_u (x + i, x + i + 1);                               \
        float d0 = half_to_float (x[i].d), d1 = half_to_float (x[i + 1].d); \
        UNROLL                                                               \
        for (guint r = 0; r < m; r++)                                        \
          {                                                                  \
            const DocentBlockQ8_0 *y = (const DocentBlockQ8_0 *) row_ptr (a, stride, r) + i; \
            __m512i ay = pair_load (y[0].qs, y[1].qs);                       \
            __m512i p = _mm512_dpbusd_epi32 (minus_bias_sums (ay, bias), q, ay); \
            acc[r] = chain_two (acc[r], d0 * half_to_float (y[0].d),         \
                                d1 * half_to_float (y[1].d), p);             \
          }                                                                  \
      }                                                                      \
    UNROLL                                                                   \
    for (guint r = 0; r < m; r++)                                            \
      {                                                                      \
        if (i < nb)                                                          \
          acc[r] = tail_block (acc[r], one_weight (x + i),                   \
                               (const DocentBlockQ8_0 *) row_ptr (a, stride, r) + i, \
                               half_to_float (x[i].d));                      \
        out[r] = hsum_ps (acc[r]);                                           \
      }                                                                      \
  }

BLOCK32_BODY (q8_0_body, DocentBlockQ8_0, q8_0_pair, q8_0_one)
BLOCK32_UBODY (q4_0_body, DocentBlockQ4_0, q4_0_pair_u, 8, q4_0_one)
BLOCK32_UBODY (q5_0_body, DocentBlockQ5_0, q5_0_pair_u, 16, q5_0_one)

ROWS (dot_q8_0, q8_0_body)
ROWS (dot_q4_0, q4_0_body)
ROWS (dot_q5_0, q5_0_body)

/* The weights of one block as unsigned bytes, q + bias (bias 128 for
 * Q8_0, the stored values for Q4_0 and Q5_0), in the reference byte order
 * (Q4_0 / Q5_0: the low nibbles, then the high ones). */
ALWAYS_INLINE __m256i
q8_0_one_u (const DocentBlockQ8_0 *x)
{
  return _mm256_xor_si256 (_mm256_loadu_si256 ((const __m256i *) x->qs), _mm256_set1_epi8 ((char) 0x80));
}

ALWAYS_INLINE __m256i
nibbles_u (const guint8 *qs)
{
  __m128i b = _mm_loadu_si128 ((const __m128i *) qs);
  __m128i lo = _mm_and_si128 (b, _mm_set1_epi8 (0x0f));
  __m128i hi = _mm_and_si128 (_mm_srli_epi16 (b, 4), _mm_set1_epi8 (0x0f));

  return _mm256_set_m128i (hi, lo);
}

ALWAYS_INLINE __m256i
q4_0_one_u (const DocentBlockQ4_0 *x)
{
  return nibbles_u (x->qs);
}

ALWAYS_INLINE __m256i
q5_0_one_u (const DocentBlockQ5_0 *x)
{
  __m256i v = nibbles_u (x->qs);

  return _mm256_mask_add_epi8 (v, (__mmask32) docent_qh_load (x->qh), v, _mm256_set1_epi8 (16));
}

/* A 4 x 4 tile in the same order of sums as the single dots (eight lanes
 * per output, one multiply-add per block, in block order), with two
 * outputs per register: the weight block repeated in both halves meets
 * two activation rows side by side, so each conversion and multiply-add
 * serves two outputs and no lane has to move. The weights go unsigned
 * (q + bias) into the VNNI dot, which starts from -bias times the sums of
 * the activations, computed once per block for all four weight rows. */
#define BLOCK32_PAIRED_TILE(fname, wtype, one_u, bias)                       \
  static void                                                                \
  fname (gsize n, const void *w, gsize w_stride, const void *a,              \
         gsize a_stride, float *out, gsize out_stride)                       \
  {                                                                          \
    const __m512i lo8 = _mm512_set_epi32 (1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0); \
    const __m512i hi8 = _mm512_add_epi32 (lo8, _mm512_set1_epi32 (2));     \
    gsize nb = n / DOCENT_QK;                                                \
    __m512 acc[4][2];                                                        \
                                                                             \
    UNROLL                                                                   \
    for (int k = 0; k < 4; k++)                                              \
      acc[k][0] = acc[k][1] = _mm512_setzero_ps ();                          \
    for (gsize i = 0; i < nb; i++)                                           \
      {                                                                      \
        const DocentBlockQ8_0 *y = (const DocentBlockQ8_0 *) a + i;          \
        __m512i ay[2], c[2];                                                 \
        __m512 dy4 = _mm512_castps128_ps512 (four_halves (&y->d, a_stride)); \
        __m512 dy[2] = { _mm512_permutexvar_ps (lo8, dy4), _mm512_permutexvar_ps (hi8, dy4) }; \
        UNROLL                                                               \
        for (int p = 0; p < 2; p++)                                          \
          {                                                                  \
            const DocentBlockQ8_0 *y0 = (const DocentBlockQ8_0 *) row_ptr (a, a_stride, 2 * p) + i; \
            const DocentBlockQ8_0 *y1 = (const DocentBlockQ8_0 *) row_ptr (a, a_stride, 2 * p + 1) + i; \
            ay[p] = pair_load (y0->qs, y1->qs);                              \
            c[p] = minus_bias_sums (ay[p], (char) (bias));                   \
          }                                                                  \
        UNROLL                                                               \
        for (int k = 0; k < 4; k++)                                          \
          {                                                                  \
            const wtype *x = (const wtype *) row_ptr (w, w_stride, k) + i;   \
            __m512i q = _mm512_broadcast_i64x4 (one_u (x));                  \
            __m512 dx = _mm512_set1_ps (half_to_float (x->d));               \
            UNROLL                                                           \
            for (int p = 0; p < 2; p++)                                      \
              {                                                              \
                __m512i s = _mm512_dpbusd_epi32 (c[p], q, ay[p]);            \
                acc[k][p] = _mm512_fmadd_ps (_mm512_mul_ps (dx, dy[p]),      \
                                             _mm512_cvtepi32_ps (s), acc[k][p]); \
              }                                                              \
          }                                                                  \
      }                                                                      \
    UNROLL                                                                   \
    for (int k = 0; k < 4; k++)                                              \
      UNROLL                                                                 \
      for (int p = 0; p < 2; p++)                                            \
        {                                                                    \
          out[(2 * p) * out_stride + k] = hsum_ps (_mm512_castps512_ps256 (acc[k][p])); \
          out[(2 * p + 1) * out_stride + k] = hsum_ps (upper_half (acc[k][p])); \
        }                                                                    \
  }

BLOCK32_PAIRED_TILE (q8_0_paired_tile, DocentBlockQ8_0, q8_0_one_u, 128)
BLOCK32_PAIRED_TILE (q4_0_paired_tile, DocentBlockQ4_0, q4_0_one_u, 8)
BLOCK32_PAIRED_TILE (q5_0_paired_tile, DocentBlockQ5_0, q5_0_one_u, 16)

/* ---- K-quants ------------------------------------------------------------ */

ALWAYS_INLINE __m512i
load512 (const void *p)
{
  return _mm512_loadu_si512 (p);
}

/* The 256 products of a Q6_K super-block, 16-bit pair sums times their
 * group scales. The q are stored plus 32: 32 times the activation pairs
 * comes off each pair sum before the scales, as in the reference engine,
 * so every int32 lane is its lane exactly. */
ALWAYS_INLINE __m512i
scaled_dot_256_q6 (const __m512i *wq,
                   const __m512i *scv,
                   const gint8   *q8)
{
  const __m512i m32 = _mm512_set1_epi8 (32);
  __m512i t[2];

  UNROLL
  for (int v = 0; v < 4; v++)
    {
      __m512i y = load512 (q8 + 64 * v);
      __m512i p = _mm512_sub_epi16 (_mm512_maddubs_epi16 (wq[v], y), _mm512_maddubs_epi16 (m32, y));

      t[v % 2] = v < 2 ? _mm512_madd_epi16 (p, scv[v]) : _mm512_dpwssd_epi32 (t[v % 2], p, scv[v]);
    }
  return _mm512_add_epi32 (t[0], t[1]);
}

/* The reference engine's eight lanes from sixteen: lane k holds bytes
 * 4 k … 4 k + 3 of every 32, which here are lanes k and k + 8. */
ALWAYS_INLINE __m256
lanes_8 (__m512i s)
{
  return _mm256_cvtepi32_ps (_mm256_add_epi32 (_mm512_castsi512_si256 (s),
                                               _mm512_extracti64x4_epi64 (s, 1)));
}

/* The 4 x 4 int32 matrix v[0 … 3] transposed in place. */
ALWAYS_INLINE void
transpose4_epi32 (__m128i *v)
{
  __m128i t0 = _mm_unpacklo_epi32 (v[0], v[1]), t1 = _mm_unpacklo_epi32 (v[2], v[3]);
  __m128i t2 = _mm_unpackhi_epi32 (v[0], v[1]), t3 = _mm_unpackhi_epi32 (v[2], v[3]);

  v[0] = _mm_unpacklo_epi64 (t0, t1);
  v[1] = _mm_unpackhi_epi64 (t0, t1);
  v[2] = _mm_unpacklo_epi64 (t2, t3);
  v[3] = _mm_unpackhi_epi64 (t2, t3);
}

/* Q4_K: bytes 64 c' … 64 c' + 63 hold groups 4c', 4c'+2 (low nibbles)
 * and 4c'+1, 4c'+3 (high nibbles); regrouped by 256-bit halves they line
 * up with 64 consecutive activations, groups 2 v and 2 v + 1 in vector v.
 * The float sums follow the reference engine, which has two orders. This
 * one, for rows of a batch taken four at a time, has one multiply-add per
 * pair of groups, the mins in a second chain of the same shape taken off
 * at the end: the pairs' integer sums are made per row (4-byte dots,
 * summed per 128-bit chunk, scaled, chunks added), turned to put the rows
 * in lanes, and the four rows' chains run side by side.
 * TODO: this per-output reduction costs ~30 % of real Q4_K prompt speed
 * (BENCHMARKS.md, Engine II); storing the weights eight rows to a register
 * at load, as the reference repacks them, would keep the order and drop it. */
ALWAYS_INLINE void
q4_k_batch_body (gsize n, const void *w, const void *a, gsize stride, guint m, float *out)
{
  const DocentBlockQ4_K *x = w;
  const __m512i low4 = _mm512_set1_epi8 (0x0f);
  /* Dword 4 v + r from dword 4 r + v: rows to lanes. */
  const __m512i turn = _mm512_setr_epi32 (0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
  /* Lane r: output r. */
  __m128 acc = _mm_setzero_ps (), accm = _mm_setzero_ps ();

  for (gsize i = 0; i < n / DOCENT_QK_K; i++)
    {
      float d = half_to_float (x[i].d), dmin = half_to_float (x[i].dmin);
      guint64 sc, mn;
      __m128i mn16;
      __m512i wq[4], scl, sums[4], mins, half[2], is;
      float dyv[4] = { 0 };

      docent_k4_scales_unpack (x[i].scales, &sc, &mn);
      mn16 = _mm_cvtepu8_epi16 (_mm_cvtsi64_si128 ((long long) mn));
      /* Lane v of the 128-bit chunks: scale 2 v, 2 v + 1, 2 v, 2 v + 1
       * (the even, then the odd bytes of sc). */
      {
        __m128i even = _mm_cvtepu8_epi32 (_mm_shuffle_epi8 (_mm_cvtsi64_si128 ((long long) sc),
                                                            _mm_setr_epi8 (0, 2, 4, 6, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1)));
        __m128i odd = _mm_cvtepu8_epi32 (_mm_shuffle_epi8 (_mm_cvtsi64_si128 ((long long) sc),
                                                           _mm_setr_epi8 (1, 3, 5, 7, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1)));
        __m256i eo = _mm256_set_m128i (odd, even);

        scl = _mm512_inserti64x4 (_mm512_castsi256_si512 (eo), eo, 1);
      }
      UNROLL
      for (int h = 0; h < 2; h++)
        {
          __m512i bytes = load512 (x[i].qs + 64 * h);
          __m512i lo = _mm512_and_si512 (bytes, low4);
          __m512i hi = _mm512_and_si512 (_mm512_srli_epi16 (bytes, 4), low4);

          wq[2 * h] = _mm512_shuffle_i64x2 (lo, hi, 0x44);
          wq[2 * h + 1] = _mm512_shuffle_i64x2 (lo, hi, 0xee);
        }
      mins = _mm512_setzero_si512 ();
      UNROLL
      for (guint r = 0; r < 4; r++)
        sums[r] = _mm512_setzero_si512 ();
      UNROLL
      for (guint r = 0; r < m; r++)
        {
          const DocentBlockQ8_K *y = row_k (a, stride, r, i);
          __m256i b = _mm256_loadu_si256 ((const __m256i *) y->bsums);
          __m512i t[4], u01, u23;

          /* 4-byte dots: vector v, lanes 0-7 group 2 v, 8-15 group 2 v + 1. */
          UNROLL
          for (int v = 0; v < 4; v++)
            t[v] = _mm512_dpbusd_epi32 (_mm512_setzero_si512 (), wq[v], load512 (y->qs + 64 * v));
          /* Per 128-bit chunk c, lane v: the chunk's sum of t[v] (chunks
           * 0-1 group 2 v, 2-3 group 2 v + 1). */
          u01 = _mm512_add_epi32 (_mm512_unpacklo_epi32 (t[0], t[1]), _mm512_unpackhi_epi32 (t[0], t[1]));
          u23 = _mm512_add_epi32 (_mm512_unpacklo_epi32 (t[2], t[3]), _mm512_unpackhi_epi32 (t[2], t[3]));
          sums[r] = _mm512_add_epi32 (_mm512_unpacklo_epi64 (u01, u23), _mm512_unpackhi_epi64 (u01, u23));
          /* The mins times the activations' sums, per pair of groups, in
           * chunk r. */
          mins = _mm512_mask_broadcast_i32x4 (mins, (__mmask16) (0xf << (4 * r)),
                                              _mm_madd_epi16 (mn16, _mm_hadd_epi16 (_mm256_castsi256_si128 (b),
                                                                                    _mm256_extracti128_si256 (b, 1))));
          dyv[r] = y->d;
        }
      /* Rows two by two: chunks [r even, r odd, r' even, r' odd] by
       * group, scaled (exact in 32 bits); then both groups of a pair
       * added, one chunk per row; then rows to lanes. */
      UNROLL
      for (int h = 0; h < 2; h++)
        {
          __m512i s0 = sums[2 * h], s1 = sums[2 * h + 1];

          half[h] = _mm512_add_epi32 (_mm512_shuffle_i64x2 (s0, s1, 0x88), _mm512_shuffle_i64x2 (s0, s1, 0xdd));
          half[h] = _mm512_mullo_epi32 (half[h], scl);
        }
      is = _mm512_add_epi32 (_mm512_shuffle_i64x2 (half[0], half[1], 0x88),
                             _mm512_shuffle_i64x2 (half[0], half[1], 0xdd));
      is = _mm512_permutexvar_epi32 (turn, is);
      mins = _mm512_permutexvar_epi32 (turn, mins);
      {
        __m128 dy = _mm_loadu_ps (dyv);
        __m128 dd = _mm_mul_ps (_mm_set1_ps (d), dy), ddm = _mm_mul_ps (_mm_set1_ps (dmin), dy);

        acc = _mm_fmadd_ps (_mm_cvtepi32_ps (_mm512_castsi512_si128 (is)), dd, acc);
        accm = _mm_fmadd_ps (_mm_cvtepi32_ps (_mm512_castsi512_si128 (mins)), ddm, accm);
        acc = _mm_fmadd_ps (_mm_cvtepi32_ps (_mm512_extracti32x4_epi32 (is, 1)), dd, acc);
        accm = _mm_fmadd_ps (_mm_cvtepi32_ps (_mm512_extracti32x4_epi32 (mins, 1)), ddm, accm);
        acc = _mm_fmadd_ps (_mm_cvtepi32_ps (_mm512_extracti32x4_epi32 (is, 2)), dd, acc);
        accm = _mm_fmadd_ps (_mm_cvtepi32_ps (_mm512_extracti32x4_epi32 (mins, 2)), ddm, accm);
        acc = _mm_fmadd_ps (_mm_cvtepi32_ps (_mm512_extracti32x4_epi32 (is, 3)), dd, acc);
        accm = _mm_fmadd_ps (_mm_cvtepi32_ps (_mm512_extracti32x4_epi32 (mins, 3)), ddm, accm);
      }
    }
  {
    float res[4];

    _mm_storeu_ps (res, _mm_sub_ps (acc, accm));
    UNROLL
    for (guint r = 0; r < m; r++)
      out[r] = res[r];
  }
}

/* Q4_K for single rows (decoding, and what is left of a batch after the
 * fours), the reference's other order: one multiply-add per super-block
 * of its whole integer sum, the mins likewise. Only whole sums are
 * needed, so the products stay in sixteen lanes, scaled per group in 16
 * bits, and are summed once. */
ALWAYS_INLINE void
q4_k_body (gsize n, const void *w, const void *a, gsize stride, guint m, float *out)
{
  const DocentBlockQ4_K *x = w;
  const __m512i low4 = _mm512_set1_epi8 (0x0f);
  float acc[MAXR] = { 0 }, accm[MAXR] = { 0 };

  for (gsize i = 0; i < n / DOCENT_QK_K; i++)
    {
      float d = half_to_float (x[i].d), dmin = half_to_float (x[i].dmin);
      guint64 sc, mn;
      __m128i sc16, mn16;
      __m256i mins;
      __m512i wq[4], scv[4];

      docent_k4_scales_unpack (x[i].scales, &sc, &mn);
      sc16 = _mm_cvtepu8_epi16 (_mm_cvtsi64_si128 ((long long) sc));
      mn16 = _mm_cvtepu8_epi16 (_mm_cvtsi64_si128 ((long long) mn));
      /* [m0 m0 m1 m1 …] against the sixteen activation sums of 16. */
      mins = _mm256_set_m128i (_mm_unpackhi_epi16 (mn16, mn16), _mm_unpacklo_epi16 (mn16, mn16));
      UNROLL
      for (int v = 0; v < 4; v++)
        {
          /* Scale 2 v for the low 256 bits, 2 v + 1 for the high. */
          __m512i idx = _mm512_inserti64x4 (_mm512_set1_epi16 ((short) (2 * v)),
                                            _mm256_set1_epi16 ((short) (2 * v + 1)), 1);

          scv[v] = _mm512_permutexvar_epi16 (idx, _mm512_castsi128_si512 (sc16));
        }
      UNROLL
      for (int h = 0; h < 2; h++)
        {
          __m512i bytes = load512 (x[i].qs + 64 * h);
          __m512i lo = _mm512_and_si512 (bytes, low4);
          __m512i hi = _mm512_and_si512 (_mm512_srli_epi16 (bytes, 4), low4);

          wq[2 * h] = _mm512_shuffle_i64x2 (lo, hi, 0x44);
          wq[2 * h + 1] = _mm512_shuffle_i64x2 (lo, hi, 0xee);
        }
      UNROLL
      for (guint r = 0; r < m; r++)
        {
          const DocentBlockQ8_K *y = row_k (a, stride, r, i);
          __m512i t0 = _mm512_madd_epi16 (_mm512_maddubs_epi16 (wq[0], load512 (y->qs)), scv[0]);
          __m512i t1 = _mm512_madd_epi16 (_mm512_maddubs_epi16 (wq[1], load512 (y->qs + 64)), scv[1]);
          __m256i ms = _mm256_madd_epi16 (_mm256_loadu_si256 ((const __m256i *) y->bsums), mins);
          __m128i m4 = _mm_add_epi32 (_mm256_castsi256_si128 (ms), _mm256_extracti128_si256 (ms, 1));
          int isum, msum;

          t0 = _mm512_dpwssd_epi32 (t0, _mm512_maddubs_epi16 (wq[2], load512 (y->qs + 128)), scv[2]);
          t1 = _mm512_dpwssd_epi32 (t1, _mm512_maddubs_epi16 (wq[3], load512 (y->qs + 192)), scv[3]);
          isum = _mm512_reduce_add_epi32 (_mm512_add_epi32 (t0, t1));
          m4 = _mm_add_epi32 (m4, _mm_unpackhi_epi64 (m4, m4));
          msum = _mm_cvtsi128_si32 (_mm_add_epi32 (m4, _mm_shuffle_epi32 (m4, 0x55)));
          acc[r] = fmaf ((float) isum, d * y->d, acc[r]);
          accm[r] = fmaf ((float) msum, dmin * y->d, accm[r]);
        }
    }
  UNROLL
  for (guint r = 0; r < m; r++)
    out[r] = acc[r] - accm[r];
}

static void
dot_q4_k_batch_rows (gsize n, const void *w, const void *a, gsize stride, guint m, float *out)
{
  if (m == 4)
    q4_k_batch_body (n, w, a, stride, 4, out);
  else
    for (guint r = 0; r < m; r++)
      q4_k_batch_body (n, w, row_ptr (a, stride, r), stride, 1, out + r);
}

/* Q6_K: per half, the low nibbles of its 64 ql bytes are elements 0-63
 * and the high nibbles 64-127, each with two qh bits chosen by a
 * per-256-bit shift. Each 128-bit lane is one group of 16. */
ALWAYS_INLINE void
q6_k_body (gsize n, const void *w, const void *a, gsize stride, guint m, float *out)
{
  const DocentBlockQ6_K *x = w;
  const __m512i low4 = _mm512_set1_epi8 (0x0f), three = _mm512_set1_epi8 (3);
  const __m512i shift01 = _mm512_inserti64x4 (_mm512_set1_epi16 (0), _mm256_set1_epi16 (2), 1);
  const __m512i shift23 = _mm512_inserti64x4 (_mm512_set1_epi16 (4), _mm256_set1_epi16 (6), 1);
  __m256 acc[MAXR];

  UNROLL
  for (guint r = 0; r < m; r++)
    acc[r] = _mm256_setzero_ps ();
  for (gsize i = 0; i < n / DOCENT_QK_K; i++)
    {
      const gint8 *sc = x[i].scales;
      float d = half_to_float (x[i].d);
      __m512i wq[4], scv[4], sumi[MAXR];
      __m256i sc16 = _mm256_cvtepi8_epi16 (_mm_loadu_si128 ((const __m128i *) sc));
      __m512i s16 = _mm512_castsi256_si512 (sc16);

      UNROLL
      for (int h = 0; h < 2; h++)
        {
          __m512i ql = load512 (x[i].ql + 64 * h);
          __m512i qh = _mm512_broadcast_i64x4 (_mm256_loadu_si256 ((const __m256i *) (x[i].qh + 32 * h)));
          __m512i h01 = _mm512_and_si512 (_mm512_srlv_epi16 (qh, shift01), three);
          __m512i h23 = _mm512_and_si512 (_mm512_srlv_epi16 (qh, shift23), three);

          wq[2 * h] = _mm512_or_si512 (_mm512_and_si512 (ql, low4), _mm512_slli_epi16 (h01, 4));
          wq[2 * h + 1] = _mm512_or_si512 (_mm512_and_si512 (_mm512_srli_epi16 (ql, 4), low4),
                                           _mm512_slli_epi16 (h23, 4));
        }
      /* Vector v covers groups 4 v … 4 v + 3, one per 128-bit lane. */
      UNROLL
      for (int v = 0; v < 4; v++)
        {
          __m512i idx = _mm512_set_epi16 (4 * v + 3, 4 * v + 3, 4 * v + 3, 4 * v + 3,
                                          4 * v + 3, 4 * v + 3, 4 * v + 3, 4 * v + 3,
                                          4 * v + 2, 4 * v + 2, 4 * v + 2, 4 * v + 2,
                                          4 * v + 2, 4 * v + 2, 4 * v + 2, 4 * v + 2,
                                          4 * v + 1, 4 * v + 1, 4 * v + 1, 4 * v + 1,
                                          4 * v + 1, 4 * v + 1, 4 * v + 1, 4 * v + 1,
                                          4 * v, 4 * v, 4 * v, 4 * v, 4 * v, 4 * v, 4 * v, 4 * v);

          scv[v] = _mm512_permutexvar_epi16 (idx, s16);
        }
      UNROLL
      for (guint r = 0; r < m; r++)
        {
          const DocentBlockQ8_K *y = row_k (a, stride, r, i);

          sumi[r] = scaled_dot_256_q6 (wq, scv, y->qs);
          acc[r] = _mm256_fmadd_ps (_mm256_set1_ps (d * y->d), lanes_8 (sumi[r]), acc[r]);
        }
    }
  UNROLL
  for (guint r = 0; r < m; r++)
    out[r] = hsum_ps (acc[r]);
}

ROWS (dot_q4_k, q4_k_body)
ROWS (dot_q6_k, q6_k_body)

/* The weights of one Q6_K block as q6_k_body unpacks them: vector v holds
 * elements 64 v … 64 v + 63 (stored + 32), scv[v] their group scales. */
ALWAYS_INLINE void
q6_k_unpack (const DocentBlockQ6_K *x,
             __m512i               *wq,
             __m512i               *scv)
{
  const __m512i low4 = _mm512_set1_epi8 (0x0f), three = _mm512_set1_epi8 (3);
  const __m512i shift01 = _mm512_inserti64x4 (_mm512_set1_epi16 (0), _mm256_set1_epi16 (2), 1);
  const __m512i shift23 = _mm512_inserti64x4 (_mm512_set1_epi16 (4), _mm256_set1_epi16 (6), 1);
  __m512i s16 = _mm512_castsi256_si512 (_mm256_cvtepi8_epi16 (_mm_loadu_si128 ((const __m128i *) x->scales)));

  UNROLL
  for (int h = 0; h < 2; h++)
    {
      __m512i ql = load512 (x->ql + 64 * h);
      __m512i qh = _mm512_broadcast_i64x4 (_mm256_loadu_si256 ((const __m256i *) (x->qh + 32 * h)));
      __m512i h01 = _mm512_and_si512 (_mm512_srlv_epi16 (qh, shift01), three);
      __m512i h23 = _mm512_and_si512 (_mm512_srlv_epi16 (qh, shift23), three);

      wq[2 * h] = _mm512_or_si512 (_mm512_and_si512 (ql, low4), _mm512_slli_epi16 (h01, 4));
      wq[2 * h + 1] = _mm512_or_si512 (_mm512_and_si512 (_mm512_srli_epi16 (ql, 4), low4),
                                       _mm512_slli_epi16 (h23, 4));
    }
  UNROLL
  for (int v = 0; v < 4; v++)
    {
      /* One group of 16 per 128-bit lane. */
      __m512i idx = _mm512_add_epi16 (_mm512_set1_epi16 ((short) (4 * v)),
                                      _mm512_set_epi16 (3, 3, 3, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 2, 2,
                                                        1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0));

      scv[v] = _mm512_permutexvar_epi16 (idx, s16);
    }
}

/* Q6_K, two weight rows against four activation rows: each activation
 * load and its 32 x pair sums serve both weight rows. The same integer
 * lanes and float order as q6_k_body. */
ALWAYS_INLINE void
q6_k_half_tile (gsize n, const void *w, gsize w_stride, const void *a,
                gsize a_stride, float *out, gsize out_stride)
{
  const __m512i m32 = _mm512_set1_epi8 (32);
  __m256 acc[4][2];

  UNROLL
  for (int j = 0; j < 4; j++)
    acc[j][0] = acc[j][1] = _mm256_setzero_ps ();
  for (gsize i = 0; i < n / DOCENT_QK_K; i++)
    {
      __m512i wq[2][4], scv[2][4];
      float d[2];

      UNROLL
      for (int k = 0; k < 2; k++)
        {
          const DocentBlockQ6_K *x = (const DocentBlockQ6_K *) row_ptr (w, w_stride, k) + i;

          q6_k_unpack (x, wq[k], scv[k]);
          d[k] = half_to_float (x->d);
        }
      UNROLL
      for (int j = 0; j < 4; j++)
        {
          const DocentBlockQ8_K *y = row_k (a, a_stride, j, i);
          __m512i t[2];

          UNROLL
          for (int v = 0; v < 4; v++)
            {
              __m512i yv = load512 (y->qs + 64 * v), s32 = _mm512_maddubs_epi16 (m32, yv);

              UNROLL
              for (int k = 0; k < 2; k++)
                {
                  __m512i p = _mm512_sub_epi16 (_mm512_maddubs_epi16 (wq[k][v], yv), s32);

                  t[k] = v == 0 ? _mm512_madd_epi16 (p, scv[k][v]) : _mm512_dpwssd_epi32 (t[k], p, scv[k][v]);
                }
            }
          UNROLL
          for (int k = 0; k < 2; k++)
            acc[j][k] = _mm256_fmadd_ps (_mm256_set1_ps (d[k] * y->d), lanes_8 (t[k]), acc[j][k]);
        }
    }
  UNROLL
  for (int j = 0; j < 4; j++)
    UNROLL
    for (int k = 0; k < 2; k++)
      out[j * out_stride + k] = hsum_ps (acc[j][k]);
}

static void
tile_q6_k (gsize n, const void *w, gsize w_stride, const void *a,
           gsize a_stride, float *out, gsize out_stride)
{
  q6_k_half_tile (n, w, w_stride, a, a_stride, out, out_stride);
  q6_k_half_tile (n, (const guint8 *) w + 2 * w_stride, w_stride, a, a_stride, out + 2, out_stride);
}

/* ---- installation -------------------------------------------------------- */

void
docent_kernels_avx512_install (DocentDotKernel *table,
                               gboolean         has_bf16)
{
  install_kernel (table, DOCENT_TYPE_F32, dot_f32, dot_f32_rows, tile_f32, NULL);
  install_kernel (table, DOCENT_TYPE_F16, dot_f16, dot_f16_rows, tile_f16, NULL);
  if (has_bf16)
    install_kernel (table, DOCENT_TYPE_BF16, dot_bf16, dot_bf16_rows, tile_bf16, NULL);
  install_kernel (table, DOCENT_TYPE_Q8_0, dot_q8_0, dot_q8_0_rows, q8_0_paired_tile, NULL);
  install_kernel (table, DOCENT_TYPE_Q4_0, dot_q4_0, dot_q4_0_rows, q4_0_paired_tile, NULL);
  install_kernel (table, DOCENT_TYPE_Q5_0, dot_q5_0, dot_q5_0_rows, q5_0_paired_tile, NULL);
  install_kernel (table, DOCENT_TYPE_Q4_K, dot_q4_k, dot_q4_k_rows, NULL, NULL);
  table[DOCENT_TYPE_Q4_K].vec_dot_rows4 = dot_q4_k_batch_rows;
  install_kernel (table, DOCENT_TYPE_Q6_K, dot_q6_k, dot_q6_k_rows, tile_q6_k, NULL);
}
