/* kernels-avx2.c — the dot kernels for AVX2 + FMA + F16C, and the SIMD
 * quantization of activations. Compiled with -mavx2 -mfma -mf16c: only
 * reached through docent_kernels_avx2_install, which dot.c calls after
 * checking the CPU.
 *
 * Every kernel is written once for up to four activation rows (the ROWS
 * macro of kernels-private.h): the weight block is loaded and unpacked
 * once, then meets each row. The one-row vec_dot is the same code with
 * m = 1. Integer products use the unsigned × signed byte multiply
 * (maddubs): unsigned weights as they are stored, with the offset of the
 * format taken off through the activations' block sums, or signed
 * weights made unsigned with the sign trick (|w| · sign(w) a). Float
 * weights also have 4 x 4 tiles for batches (matmul.c).
 * The float sums of the quantized types follow the reference engine's
 * order (the conformance notes in dot.c): Q4_K has a second kernel for
 * batch rows taken four at a time, and Q6_K takes its -32 off inside the
 * 16-bit pair sums rather than through the block sums. */
#include <math.h>

#include "engine/kernels-private.h"
#include "engine/quant-private.h"

/* ---- small helpers ------------------------------------------------------- */

/* Pairs of unsigned × signed bytes summed into 8 int32. */
ALWAYS_INLINE __m256i
dot_u8_i8 (__m256i u,
           __m256i s)
{
  return _mm256_madd_epi16 (_mm256_maddubs_epi16 (u, s), _mm256_set1_epi16 (1));
}

/* Signed × signed bytes (neither -128): the sign of x moves onto y. */
ALWAYS_INLINE __m256i
dot_i8_i8 (__m256i x,
           __m256i y)
{
  return dot_u8_i8 (_mm256_sign_epi8 (x, x), _mm256_sign_epi8 (y, x));
}

/* 16 bytes of nibbles to 32 bytes: low nibbles first, then high. */
ALWAYS_INLINE __m256i
unpack_nibbles_16 (const guint8 *qs)
{
  __m128i b = _mm_loadu_si128 ((const __m128i *) qs);
  __m128i lo = _mm_and_si128 (b, _mm_set1_epi8 (0x0f));
  __m128i hi = _mm_and_si128 (_mm_srli_epi16 (b, 4), _mm_set1_epi8 (0x0f));

  return _mm256_set_m128i (hi, lo);
}

/* Bit i of the 32-bit little-endian qh to 0xff / 0x00 in byte i. */
ALWAYS_INLINE __m256i
bits_to_bytes (const guint8 *qh)
{
  guint32 bits;
  __m256i v, mask;

  memcpy (&bits, qh, 4);
  v = _mm256_shuffle_epi8 (_mm256_set1_epi32 ((int) bits),
                           _mm256_setr_epi64x (0x0000000000000000, 0x0101010101010101,
                                               0x0202020202020202, 0x0303030303030303));
  mask = _mm256_set1_epi64x ((long long) 0x8040201008040201ULL);
  return _mm256_cmpeq_epi8 (_mm256_and_si256 (v, mask), mask);
}

ALWAYS_INLINE __m256i
loadu (const void *p)
{
  return _mm256_loadu_si256 ((const __m256i *) p);
}

/* Writes the m sums; the one-row entry points return out[0]. */
ALWAYS_INLINE void
store_sums (const __m256 *acc,
            const float  *extra,
            guint         m,
            float        *out)
{
  UNROLL
  for (guint r = 0; r < m; r++)
    out[r] = hsum_ps (acc[r]) + extra[r];
}

/* ---- float weights ------------------------------------------------------- */

/* Float rows, 16 then 8 per step (weights converted by load_w, activations
 * by load_a), the tail in scalar code. */
#define FLOAT_BODY(fname, load_w, load_a, tail_w, tail_a)       \
  ALWAYS_INLINE void                                                         \
  fname (gsize n, const void *w, const void *a, gsize stride, guint m,       \
         float *out)                                                         \
  {                                                                          \
    __m256 acc[MAXR], acc2[MAXR];                                            \
    float extra[MAXR] = { 0 };                                               \
    gsize i = 0;                                                             \
                                                                             \
    UNROLL                                                                   \
    for (guint r = 0; r < m; r++)                                            \
      acc[r] = acc2[r] = _mm256_setzero_ps ();                               \
    for (; i + 16 <= n; i += 16)                                             \
      {                                                                      \
        __m256 w0 = load_w (w, i), w1 = load_w (w, i + 8);                   \
        UNROLL                                                               \
        for (guint r = 0; r < m; r++)                                        \
          {                                                                  \
            const guint8 *ar = (const guint8 *) a + r * stride;              \
            acc[r] = _mm256_fmadd_ps (w0, load_a (ar, i), acc[r]);           \
            acc2[r] = _mm256_fmadd_ps (w1, load_a (ar, i + 8), acc2[r]);     \
          }                                                                  \
      }                                                                      \
    for (; i + 8 <= n; i += 8)                                               \
      {                                                                      \
        __m256 w0 = load_w (w, i);                                           \
        UNROLL                                                               \
        for (guint r = 0; r < m; r++)                                        \
          acc[r] = _mm256_fmadd_ps (w0, load_a ((const guint8 *) a + r * stride, i), acc[r]); \
      }                                                                      \
    UNROLL                                                                   \
    for (guint r = 0; r < m; r++)                                            \
      {                                                                      \
        const guint8 *ar = (const guint8 *) a + r * stride;                  \
        acc[r] = _mm256_add_ps (acc[r], acc2[r]);                            \
        for (gsize j = i; j < n; j++)                                        \
          extra[r] += tail_w (w, j) * tail_a (ar, j);                        \
      }                                                                      \
    store_sums (acc, extra, m, out);                                         \
  }

ALWAYS_INLINE __m256
load_f32 (const void *p, gsize i)
{
  return _mm256_loadu_ps ((const float *) p + i);
}

ALWAYS_INLINE __m256
load_f16 (const void *p, gsize i)
{
  return _mm256_cvtph_ps (_mm_loadu_si128 ((const __m128i *) ((const DocentHalf *) p + i)));
}

ALWAYS_INLINE __m256
load_bf16 (const void *p, gsize i)
{
  __m128i b = _mm_loadu_si128 ((const __m128i *) ((const guint16 *) p + i));

  return _mm256_castsi256_ps (_mm256_slli_epi32 (_mm256_cvtepu16_epi32 (b), 16));
}

ALWAYS_INLINE float
tail_f32 (const void *p, gsize i)
{
  return ((const float *) p)[i];
}

ALWAYS_INLINE float
tail_f16 (const void *p, gsize i)
{
  return half_to_float (((const DocentHalf *) p)[i]);
}

ALWAYS_INLINE float
tail_bf16 (const void *p, gsize i)
{
  return docent_bf16_to_fp32 (((const guint16 *) p)[i]);
}

FLOAT_BODY (f32_body, load_f32, load_f32, tail_f32, tail_f32)
FLOAT_BODY (f16_body, load_f16, load_f32, tail_f16, tail_f32)
FLOAT_BODY (bf16_body, load_bf16, load_bf16, tail_bf16, tail_bf16)

/* A 4 x 4 tile as two passes of 2 weight rows x 4 activation rows: eight
 * sums fit the sixteen registers beside the loads, and each activation
 * load feeds two products (the 1 x 4 kernel is bound by reading them). */
#define FLOAT_TILE(fname, load_w, load_a, tail_w, tail_a)                    \
  static void                                                                \
  fname (gsize n, const void *w, gsize w_stride, const void *a,              \
         gsize a_stride, float *out, gsize out_stride)                       \
  {                                                                          \
    UNROLL                                                                   \
    for (int h = 0; h < 2; h++)                                              \
      {                                                                      \
        const guint8 *w0 = (const guint8 *) w + 2 * h * w_stride;            \
        const guint8 *w1 = w0 + w_stride;                                    \
        __m256 acc[4][2];                                                    \
        float extra[4][2] = { { 0 } };                                       \
        gsize i = 0;                                                         \
                                                                             \
        UNROLL                                                               \
        for (int j = 0; j < 4; j++)                                          \
          acc[j][0] = acc[j][1] = _mm256_setzero_ps ();                      \
        for (; i + 8 <= n; i += 8)                                           \
          {                                                                  \
            __m256 v0 = load_w (w0, i), v1 = load_w (w1, i);                 \
            UNROLL                                                           \
            for (int j = 0; j < 4; j++)                                      \
              {                                                              \
                __m256 av = load_a ((const guint8 *) a + j * a_stride, i);   \
                acc[j][0] = _mm256_fmadd_ps (v0, av, acc[j][0]);             \
                acc[j][1] = _mm256_fmadd_ps (v1, av, acc[j][1]);             \
              }                                                              \
          }                                                                  \
        for (; i < n; i++)                                                   \
          {                                                                  \
            UNROLL                                                           \
            for (int j = 0; j < 4; j++)                                      \
              {                                                              \
                float av = tail_a ((const guint8 *) a + j * a_stride, i);    \
                extra[j][0] += tail_w (w0, i) * av;                          \
                extra[j][1] += tail_w (w1, i) * av;                          \
              }                                                              \
          }                                                                  \
        UNROLL                                                               \
        for (int j = 0; j < 4; j++)                                          \
          {                                                                  \
            out[j * out_stride + 2 * h] = hsum_ps (acc[j][0]) + extra[j][0]; \
            out[j * out_stride + 2 * h + 1] = hsum_ps (acc[j][1]) + extra[j][1]; \
          }                                                                  \
      }                                                                      \
  }

FLOAT_TILE (tile_f32, load_f32, load_f32, tail_f32, tail_f32)
FLOAT_TILE (tile_f16, load_f16, load_f32, tail_f16, tail_f32)
FLOAT_TILE (tile_bf16, load_bf16, load_bf16, tail_bf16, tail_bf16)

ROWS (dot_f32, f32_body)
ROWS (dot_f16, f16_body)
ROWS (dot_bf16, bf16_body)

/* ---- blocks of 32 -------------------------------------------------------- */

ALWAYS_INLINE __m256
lane_broadcast (__m128 v,
                int    k)
{
  return _mm256_permutevar8x32_ps (_mm256_castps128_ps256 (v), _mm256_set1_epi32 (k));
}

/* The signed 32 values of each weight type, as bytes. */
ALWAYS_INLINE __m256i
q4_0_values (const DocentBlockQ4_0 *x)
{
  return _mm256_sub_epi8 (unpack_nibbles_16 (x->qs), _mm256_set1_epi8 (8));
}

ALWAYS_INLINE __m256i
q5_0_values (const DocentBlockQ5_0 *x)
{
  __m256i high = _mm256_and_si256 (bits_to_bytes (x->qh), _mm256_set1_epi8 (0x10));

  return _mm256_sub_epi8 (_mm256_or_si256 (unpack_nibbles_16 (x->qs), high), _mm256_set1_epi8 (16));
}

ALWAYS_INLINE __m256i
q8_0_values (const DocentBlockQ8_0 *x)
{
  return loadu (x->qs);
}

/* The unsigned values of the types with an offset. */
ALWAYS_INLINE __m256i
q4_1_values (const DocentBlockQ4_1 *x)
{
  return unpack_nibbles_16 (x->qs);
}

ALWAYS_INLINE __m256i
q5_1_values (const DocentBlockQ5_1 *x)
{
  __m256i high = _mm256_and_si256 (bits_to_bytes (x->qh), _mm256_set1_epi8 (0x10));

  return _mm256_or_si256 (unpack_nibbles_16 (x->qs), high);
}

/* Blocks of 32 against Q8_0 / Q8_1 activations, four blocks per step so
 * their eight scales convert in two instructions. Signed weights use
 * the sign trick; unsigned ones (OFFSET) go straight into maddubs and add
 * m times the activations' d * sum. */
#define BLOCK32_BODY(fname, wtype, atype, values, OFFSET)                    \
  ALWAYS_INLINE void                                                         \
  fname (gsize n, const void *w, const void *a, gsize stride, guint m,       \
         float *out)                                                         \
  {                                                                          \
    const wtype *x = w;                                                      \
    gsize nb = n / DOCENT_QK, i = 0;                                         \
    __m256 acc[MAXR];                                                        \
    __m128 acco[MAXR];                                                       \
    float extra[MAXR] = { 0 };                                               \
                                                                             \
    UNROLL                                                                   \
    for (guint r = 0; r < m; r++)                                            \
      {                                                                      \
        acc[r] = _mm256_setzero_ps ();                                       \
        acco[r] = _mm_setzero_ps ();                                         \
      }                                                                      \
    for (; i + 4 <= nb; i += 4)                                              \
      {                                                                      \
        __m256i q[4], aq[4];                                                 \
        __m128 dx = four_halves (&x[i].d, sizeof (wtype));                   \
        __m128 mx = OFFSET ? four_halves ((const DocentHalf *) &x[i].d + 1, sizeof (wtype)) \
                           : _mm_setzero_ps ();                              \
        UNROLL                                                               \
        for (int k = 0; k < 4; k++)                                          \
          {                                                                  \
            q[k] = values (x + i + k);                                       \
            aq[k] = OFFSET ? q[k] : _mm256_sign_epi8 (q[k], q[k]);           \
          }                                                                  \
        UNROLL                                                               \
        for (guint r = 0; r < m; r++)                                        \
          {                                                                  \
            const atype *y = (const atype *) ((const guint8 *) a + r * stride) + i; \
            __m128 dd = _mm_mul_ps (dx, four_halves (&y[0].d, sizeof *y));   \
            UNROLL                                                           \
            for (int k = 0; k < 4; k++)                                      \
              {                                                              \
                __m256i yq = loadu (y[k].qs);                                \
                __m256i p = dot_u8_i8 (aq[k], OFFSET ? yq : _mm256_sign_epi8 (yq, q[k])); \
                acc[r] = _mm256_fmadd_ps (lane_broadcast (dd, k), _mm256_cvtepi32_ps (p), acc[r]); \
              }                                                              \
            if (OFFSET)                                                      \
              acco[r] = _mm_fmadd_ps (mx, four_halves ((const DocentHalf *) &y[0].d + 1, sizeof *y), \
                                      acco[r]);                              \
          }                                                                  \
      }                                                                      \
    for (; i < nb; i++)                                                      \
      {                                                                      \
        __m256i q = values (x + i);                                          \
        __m256i aq = OFFSET ? q : _mm256_sign_epi8 (q, q);                   \
        float d = half_to_float (x[i].d);                                    \
        float off = OFFSET ? half_to_float (((const DocentHalf *) &x[i].d)[1]) : 0.f; \
        UNROLL                                                               \
        for (guint r = 0; r < m; r++)                                        \
          {                                                                  \
            const atype *y = (const atype *) ((const guint8 *) a + r * stride) + i; \
            __m256i yq = loadu (y->qs);                                      \
            __m256i p = dot_u8_i8 (aq, OFFSET ? yq : _mm256_sign_epi8 (yq, q)); \
            acc[r] = _mm256_fmadd_ps (_mm256_set1_ps (d * half_to_float (y->d)), \
                                      _mm256_cvtepi32_ps (p), acc[r]);       \
            if (OFFSET)                                                      \
              extra[r] += off * half_to_float (((const DocentHalf *) &y->d)[1]); \
          }                                                                  \
      }                                                                      \
    UNROLL                                                                   \
    for (guint r = 0; r < m; r++)                                            \
      {                                                                      \
        __m128 o = _mm_hadd_ps (acco[r], acco[r]);                           \
        extra[r] += _mm_cvtss_f32 (_mm_hadd_ps (o, o));                      \
      }                                                                      \
    store_sums (acc, extra, m, out);                                         \
  }

BLOCK32_BODY (q4_0_body, DocentBlockQ4_0, DocentBlockQ8_0, q4_0_values, 0)
BLOCK32_BODY (q5_0_body, DocentBlockQ5_0, DocentBlockQ8_0, q5_0_values, 0)
BLOCK32_BODY (q8_0_body, DocentBlockQ8_0, DocentBlockQ8_0, q8_0_values, 0)
BLOCK32_BODY (q4_1_body, DocentBlockQ4_1, DocentBlockQ8_1, q4_1_values, 1)
BLOCK32_BODY (q5_1_body, DocentBlockQ5_1, DocentBlockQ8_1, q5_1_values, 1)

ROWS (dot_q4_0, q4_0_body)
ROWS (dot_q4_1, q4_1_body)
ROWS (dot_q5_0, q5_0_body)
ROWS (dot_q5_1, q5_1_body)
ROWS (dot_q8_0, q8_0_body)

/* ---- K-quants ------------------------------------------------------------ */

/* 16 int16 products (from maddubs) times one scale for the first 8 (the
 * first 16 elements) and another for the last 8, summed into int32. */
ALWAYS_INLINE __m256i
scale_pairs (__m256i p,
             int     s0,
             int     s1)
{
  return _mm256_madd_epi16 (p, _mm256_set_m128i (_mm_set1_epi16 ((short) s1),
                                                 _mm_set1_epi16 ((short) s0)));
}

/* The scales of a Q4_K / Q5_K block broadcast for the 16-bit multiply,
 * and the eight mins as 16-bit values for the sums of the activations'
 * groups of 32. */
typedef struct {
  __m256i scales;
  __m128i mins;
} K4Scales;

ALWAYS_INLINE K4Scales
k4_scales (const guint8 *packed)
{
  guint64 sc, mn;
  __m128i sc16, mn16;
  K4Scales k;

  docent_k4_scales_unpack (packed, &sc, &mn);
  sc16 = _mm_cvtepu8_epi16 (_mm_cvtsi64_si128 ((long long) sc));
  mn16 = _mm_cvtepu8_epi16 (_mm_cvtsi64_si128 ((long long) mn));
  k.scales = _mm256_broadcastsi128_si256 (sc16);
  k.mins = mn16;
  return k;
}

/* Scale j of k.scales in every 16-bit lane. */
ALWAYS_INLINE __m256i
k4_scale (K4Scales k,
          int      j)
{
  return _mm256_shuffle_epi8 (k.scales, _mm256_set1_epi16 ((short) (((2 * j + 1) << 8) | (2 * j))));
}

/* min * activation sum over the groups of 32, two groups per int32
 * lane (2 l and 2 l + 1 in lane l): the reference engine's grouping, so
 * the float sums that follow round as its do. */
ALWAYS_INLINE __m128i
k4_min_sums (K4Scales               k,
             const DocentBlockQ8_K *y)
{
  __m256i b = loadu (y->bsums);
  __m128i g = _mm_hadd_epi16 (_mm256_castsi256_si128 (b), _mm256_extracti128_si256 (b, 1));

  return _mm_madd_epi16 (k.mins, g);
}

/* The sum of four int32. */
ALWAYS_INLINE int
hsum4_epi32 (__m128i v)
{
  v = _mm_add_epi32 (v, _mm_unpackhi_epi64 (v, v));
  v = _mm_add_epi32 (v, _mm_shuffle_epi32 (v, 0xb1));
  return _mm_cvtsi128_si32 (v);
}

/* Q5_K (`fifth`, a constant, always TRUE now: Q4_K has its own bodies
 * below, for its reference orders): the fifth bits come from qh, bit
 * 2 c / 2 c + 1 of each byte for chunk c.
 * The rounding follows the reference engine so that activations quantized
 * from these sums round the same way: per super-block, eight int32 lanes
 * (lane k: bytes 4 k … 4 k + 3 of each 32) meet d in one multiply-add
 * chain; the mins go into one float sum of each block's integer. */
ALWAYS_INLINE void
k4_body (gsize n, const void *w, const void *a, gsize stride, guint m, float *out,
         gboolean fifth)
{
  const gsize block = fifth ? sizeof (DocentBlockQ5_K) : sizeof (DocentBlockQ4_K);
  __m256 acc[MAXR];
  float summs[MAXR] = { 0 };
  const __m256i low4 = _mm256_set1_epi8 (0x0f), one = _mm256_set1_epi8 (1);

  UNROLL
  for (guint r = 0; r < m; r++)
    acc[r] = _mm256_setzero_ps ();
  for (gsize i = 0; i < n / DOCENT_QK_K; i++)
    {
      const DocentBlockQ4_K *x4 = (const DocentBlockQ4_K *) ((const guint8 *) w + i * block);
      const DocentBlockQ5_K *x5 = (const DocentBlockQ5_K *) ((const guint8 *) w + i * block);
      const guint8 *qs = fifth ? x5->qs : x4->qs;
      float d = half_to_float (fifth ? x5->d : x4->d);
      float dmin = half_to_float (fifth ? x5->dmin : x4->dmin);
      K4Scales k = k4_scales (fifth ? x5->scales : x4->scales);
      __m256i sumi[MAXR], hbits = fifth ? loadu (x5->qh) : _mm256_setzero_si256 ();

      UNROLL
      for (guint r = 0; r < m; r++)
        sumi[r] = _mm256_setzero_si256 ();
      UNROLL
      for (int c = 0; c < 4; c++)
        {
          __m256i bytes = loadu (qs + 32 * c);
          __m256i lo = _mm256_and_si256 (bytes, low4);
          __m256i hi = _mm256_and_si256 (_mm256_srli_epi16 (bytes, 4), low4);
          __m256i s0 = k4_scale (k, 2 * c), s1 = k4_scale (k, 2 * c + 1);

          if (fifth)
            {
              __m256i h0 = _mm256_slli_epi16 (_mm256_and_si256 (hbits, one), 4);
              __m256i h1 = _mm256_slli_epi16 (_mm256_and_si256 (_mm256_srli_epi16 (hbits, 1), one), 4);

              lo = _mm256_or_si256 (lo, h0);
              hi = _mm256_or_si256 (hi, h1);
              hbits = _mm256_srli_epi16 (hbits, 2);
            }
          UNROLL
          for (guint r = 0; r < m; r++)
            {
              const gint8 *q8 = row_k (a, stride, r, i)->qs + 64 * c;
              __m256i p0 = _mm256_madd_epi16 (_mm256_maddubs_epi16 (lo, loadu (q8)), s0);
              __m256i p1 = _mm256_madd_epi16 (_mm256_maddubs_epi16 (hi, loadu (q8 + 32)), s1);

              sumi[r] = _mm256_add_epi32 (sumi[r], _mm256_add_epi32 (p0, p1));
            }
        }
      UNROLL
      for (guint r = 0; r < m; r++)
        {
          const DocentBlockQ8_K *y = row_k (a, stride, r, i);

          __m128i prod = k4_min_sums (k, y);

          acc[r] = _mm256_fmadd_ps (_mm256_set1_ps (d * y->d), _mm256_cvtepi32_ps (sumi[r]), acc[r]);
          summs[r] += (dmin * y->d) * (float) hsum4_epi32 (prod);
        }
    }
  UNROLL
  for (guint r = 0; r < m; r++)
    out[r] = hsum_ps (acc[r]) - summs[r];
}

/* The four int32 sums of v[0 … 3], in order. */
ALWAYS_INLINE __m128i
sum4_epi32 (const __m128i *v)
{
  return _mm_hadd_epi32 (_mm_hadd_epi32 (v[0], v[1]), _mm_hadd_epi32 (v[2], v[3]));
}

/* Q4_K in the reference engine's order for rows of a batch taken four at
 * a time: one multiply-add per pair of groups of 32 (single rows, below,
 * have one per super-block); the mins in a second chain of the same
 * shape, taken off at the end. Only the integer sums are vectors here:
 * per row and pair of groups, 8 lanes folded to 4 and then summed with
 * the other pairs'. */
ALWAYS_INLINE void
q4_k_batch_body (gsize n, const void *w, const void *a, gsize stride, guint m, float *out)
{
  const DocentBlockQ4_K *x = w;
  const __m256i low4 = _mm256_set1_epi8 (0x0f);
  float acc[MAXR] = { 0 }, accm[MAXR] = { 0 };

  for (gsize i = 0; i < n / DOCENT_QK_K; i++)
    {
      K4Scales k = k4_scales (x[i].scales);
      float d = half_to_float (x[i].d), dmin = half_to_float (x[i].dmin);
      __m128i pair[MAXR][4];

      UNROLL
      for (int c = 0; c < 4; c++)
        {
          __m256i bytes = loadu (x[i].qs + 32 * c);
          __m256i lo = _mm256_and_si256 (bytes, low4);
          __m256i hi = _mm256_and_si256 (_mm256_srli_epi16 (bytes, 4), low4);
          __m256i s0 = k4_scale (k, 2 * c), s1 = k4_scale (k, 2 * c + 1);

          UNROLL
          for (guint r = 0; r < m; r++)
            {
              const gint8 *q8 = row_k (a, stride, r, i)->qs + 64 * c;
              __m256i p = _mm256_add_epi32 (_mm256_madd_epi16 (_mm256_maddubs_epi16 (lo, loadu (q8)), s0),
                                            _mm256_madd_epi16 (_mm256_maddubs_epi16 (hi, loadu (q8 + 32)), s1));

              pair[r][c] = _mm_add_epi32 (_mm256_castsi256_si128 (p), _mm256_extracti128_si256 (p, 1));
            }
        }
      UNROLL
      for (guint r = 0; r < m; r++)
        {
          const DocentBlockQ8_K *y = row_k (a, stride, r, i);
          gint32 is[4], im[4];

          _mm_storeu_si128 ((__m128i *) is, sum4_epi32 (pair[r]));
          _mm_storeu_si128 ((__m128i *) im, k4_min_sums (k, y));
          float dy = d * y->d, dminy = dmin * y->d;

          UNROLL
          for (int c = 0; c < 4; c++)
            {
              acc[r] = fmaf ((float) is[c], dy, acc[r]);
              accm[r] = fmaf ((float) im[c], dminy, accm[r]);
            }
        }
    }
  UNROLL
  for (guint r = 0; r < m; r++)
    out[r] = acc[r] - accm[r];
}

/* Q4_K for single rows: only each super-block's whole integer sums are
 * needed, so the products stay in eight lanes and are summed once. */
ALWAYS_INLINE void
q4_k_body (gsize n, const void *w, const void *a, gsize stride, guint m, float *out)
{
  const DocentBlockQ4_K *x = w;
  const __m256i low4 = _mm256_set1_epi8 (0x0f);
  float acc[MAXR] = { 0 }, accm[MAXR] = { 0 };

  for (gsize i = 0; i < n / DOCENT_QK_K; i++)
    {
      K4Scales k = k4_scales (x[i].scales);
      float d = half_to_float (x[i].d), dmin = half_to_float (x[i].dmin);
      __m256i sumi[MAXR];

      UNROLL
      for (guint r = 0; r < m; r++)
        sumi[r] = _mm256_setzero_si256 ();
      UNROLL
      for (int c = 0; c < 4; c++)
        {
          __m256i bytes = loadu (x[i].qs + 32 * c);
          __m256i lo = _mm256_and_si256 (bytes, low4);
          __m256i hi = _mm256_and_si256 (_mm256_srli_epi16 (bytes, 4), low4);
          __m256i s0 = k4_scale (k, 2 * c), s1 = k4_scale (k, 2 * c + 1);

          UNROLL
          for (guint r = 0; r < m; r++)
            {
              const gint8 *q8 = row_k (a, stride, r, i)->qs + 64 * c;

              sumi[r] = _mm256_add_epi32 (sumi[r], _mm256_madd_epi16 (_mm256_maddubs_epi16 (lo, loadu (q8)), s0));
              sumi[r] = _mm256_add_epi32 (sumi[r], _mm256_madd_epi16 (_mm256_maddubs_epi16 (hi, loadu (q8 + 32)), s1));
            }
        }
      UNROLL
      for (guint r = 0; r < m; r++)
        {
          const DocentBlockQ8_K *y = row_k (a, stride, r, i);
          __m128i s4 = _mm_add_epi32 (_mm256_castsi256_si128 (sumi[r]), _mm256_extracti128_si256 (sumi[r], 1));

          acc[r] = fmaf ((float) hsum4_epi32 (s4), d * y->d, acc[r]);
          accm[r] = fmaf ((float) hsum4_epi32 (k4_min_sums (k, y)), dmin * y->d, accm[r]);
        }
    }
  UNROLL
  for (guint r = 0; r < m; r++)
    out[r] = acc[r] - accm[r];
}


ALWAYS_INLINE void
q5_k_body (gsize n, const void *w, const void *a, gsize stride, guint m, float *out)
{
  k4_body (n, w, a, stride, m, out, TRUE);
}

/* Q6_K: unsigned 6-bit q (0 … 63) through maddubs, the -32 taken off the
 * 16-bit pair sums (32 times the activation pairs), so that each int32
 * lane holds exactly the reference engine's lane before the one
 * multiply-add per super-block. */
ALWAYS_INLINE void
q6_k_body (gsize n, const void *w, const void *a, gsize stride, guint m, float *out)
{
  const DocentBlockQ6_K *x = w;
  __m256 acc[MAXR];
  const __m256i low4 = _mm256_set1_epi8 (0x0f), two = _mm256_set1_epi8 (3);
  const __m256i m32 = _mm256_set1_epi8 (32);

  UNROLL
  for (guint r = 0; r < m; r++)
    acc[r] = _mm256_setzero_ps ();
  for (gsize i = 0; i < n / DOCENT_QK_K; i++)
    {
      const gint8 *sc = x[i].scales;
      float d = half_to_float (x[i].d);
      __m256i sumi[MAXR];

      UNROLL
      for (guint r = 0; r < m; r++)
        sumi[r] = _mm256_setzero_si256 ();
      UNROLL
      for (int h = 0; h < 2; h++)
        {
          __m256i ql0 = loadu (x[i].ql + 64 * h), ql1 = loadu (x[i].ql + 64 * h + 32);
          __m256i qh = loadu (x[i].qh + 32 * h);
          __m256i q[4];

          q[0] = _mm256_or_si256 (_mm256_and_si256 (ql0, low4),
                                  _mm256_slli_epi16 (_mm256_and_si256 (qh, two), 4));
          q[1] = _mm256_or_si256 (_mm256_and_si256 (ql1, low4),
                                  _mm256_slli_epi16 (_mm256_and_si256 (_mm256_srli_epi16 (qh, 2), two), 4));
          q[2] = _mm256_or_si256 (_mm256_and_si256 (_mm256_srli_epi16 (ql0, 4), low4),
                                  _mm256_slli_epi16 (_mm256_and_si256 (_mm256_srli_epi16 (qh, 4), two), 4));
          q[3] = _mm256_or_si256 (_mm256_and_si256 (_mm256_srli_epi16 (ql1, 4), low4),
                                  _mm256_slli_epi16 (_mm256_and_si256 (_mm256_srli_epi16 (qh, 6), two), 4));
          UNROLL
          for (int k = 0; k < 4; k++)
            {
              int g = 8 * h + 2 * k;

              UNROLL
              for (guint r = 0; r < m; r++)
                {
                  __m256i y8 = loadu (row_k (a, stride, r, i)->qs + 128 * h + 32 * k);
                  __m256i p16 = _mm256_sub_epi16 (_mm256_maddubs_epi16 (q[k], y8),
                                                  _mm256_maddubs_epi16 (m32, y8));
                  __m256i p = scale_pairs (p16, sc[g], sc[g + 1]);

                  sumi[r] = _mm256_add_epi32 (sumi[r], p);
                }
            }
        }
      UNROLL
      for (guint r = 0; r < m; r++)
        {
          const DocentBlockQ8_K *y = row_k (a, stride, r, i);

          acc[r] = _mm256_fmadd_ps (_mm256_set1_ps (d * y->d), _mm256_cvtepi32_ps (sumi[r]), acc[r]);
        }
    }
  UNROLL
  for (guint r = 0; r < m; r++)
    out[r] = hsum_ps (acc[r]);
}

ALWAYS_INLINE void
k3_unpack (const guint8 *s,
           int          *scales)
{
  UNROLL
  for (int j = 0; j < 16; j++)
    scales[j] = docent_k3_scale (j, s);
}

/* Q2_K, and Q3_K when `q3` (a constant). Q2_K: 2-bit q through maddubs
 * with the low nibbles of its scales, the mins (high nibbles) taken off
 * with the activations' group sums. Q3_K: u = low two bits + 4 * high bit
 * (0 … 7) through maddubs; the value is u - 4, the -4 taken off with the
 * group sums. */
ALWAYS_INLINE void
k2_body (gsize n, const void *w, const void *a, gsize stride, guint m, float *out,
         gboolean q3)
{
  const gsize block = q3 ? sizeof (DocentBlockQ3_K) : sizeof (DocentBlockQ2_K);
  __m256 acc[MAXR];
  float extra[MAXR] = { 0 };
  const __m256i three = _mm256_set1_epi8 (3), one = _mm256_set1_epi8 (1);

  UNROLL
  for (guint r = 0; r < m; r++)
    acc[r] = _mm256_setzero_ps ();
  for (gsize i = 0; i < n / DOCENT_QK_K; i++)
    {
      const DocentBlockQ2_K *x2 = (const DocentBlockQ2_K *) ((const guint8 *) w + i * block);
      const DocentBlockQ3_K *x3 = (const DocentBlockQ3_K *) ((const guint8 *) w + i * block);
      const guint8 *qs = q3 ? x3->qs : x2->qs;
      const guint8 *sc2 = q3 ? NULL : x2->scales;
      float d = half_to_float (q3 ? x3->d : x2->d);
      float dmin = q3 ? 0.f : half_to_float (x2->dmin);
      __m256i sumi[MAXR], hm = q3 ? loadu (x3->hmask) : _mm256_setzero_si256 ();
      int sc3[16];

      if (q3)
        k3_unpack (x3->scales, sc3);
      UNROLL
      for (guint r = 0; r < m; r++)
        sumi[r] = _mm256_setzero_si256 ();
      UNROLL
      for (int h = 0; h < 2; h++)
        {
          __m256i v = loadu (qs + 32 * h);

          UNROLL
          for (int s = 0; s < 4; s++)
            {
              __m256i q = _mm256_and_si256 (v, three);
              int g = 8 * h + 2 * s;
              int s0 = q3 ? sc3[g] : sc2[g] & 0xf, s1 = q3 ? sc3[g + 1] : sc2[g + 1] & 0xf;

              if (q3)
                {
                  q = _mm256_or_si256 (q, _mm256_slli_epi16 (_mm256_and_si256 (hm, one), 2));
                  hm = _mm256_srli_epi16 (hm, 1);
                }
              v = _mm256_srli_epi16 (v, 2);
              UNROLL
              for (guint r = 0; r < m; r++)
                {
                  const gint8 *q8 = row_k (a, stride, r, i)->qs + 128 * h + 32 * s;
                  __m256i p = scale_pairs (_mm256_maddubs_epi16 (q, loadu (q8)), s0, s1);

                  sumi[r] = _mm256_add_epi32 (sumi[r], p);
                }
            }
        }
      UNROLL
      for (guint r = 0; r < m; r++)
        {
          const DocentBlockQ8_K *y = row_k (a, stride, r, i);
          int off = 0;

          for (int g = 0; g < 16; g++)
            off += (q3 ? sc3[g] : sc2[g] >> 4) * y->bsums[g];
          acc[r] = _mm256_fmadd_ps (_mm256_set1_ps (d * y->d), _mm256_cvtepi32_ps (sumi[r]), acc[r]);
          extra[r] -= (q3 ? 4.f * d : dmin) * y->d * off;
        }
    }
  store_sums (acc, extra, m, out);
}

ALWAYS_INLINE void
q2_k_body (gsize n, const void *w, const void *a, gsize stride, guint m, float *out)
{
  k2_body (n, w, a, stride, m, out, FALSE);
}

ALWAYS_INLINE void
q3_k_body (gsize n, const void *w, const void *a, gsize stride, guint m, float *out)
{
  k2_body (n, w, a, stride, m, out, TRUE);
}

ROWS (dot_q2_k, q2_k_body)
ROWS (dot_q3_k, q3_k_body)
ROWS (dot_q4_k, q4_k_body)
static void
dot_q4_k_batch_rows (gsize n, const void *w, const void *a, gsize stride, guint m, float *out)
{
  if (m == 4)
    q4_k_batch_body (n, w, a, stride, 4, out);
  else
    for (guint r = 0; r < m; r++)
      q4_k_batch_body (n, w, row_ptr (a, stride, r), stride, 1, out + r);
}
ROWS (dot_q5_k, q5_k_body)
ROWS (dot_q6_k, q6_k_body)

/* ---- activations --------------------------------------------------------- */

/* Largest |x| of 32 floats. */
ALWAYS_INLINE float
amax_32 (const float *x)
{
  const __m256 sign = _mm256_set1_ps (-0.f);
  __m256 m = _mm256_andnot_ps (sign, _mm256_loadu_ps (x));
  __m128 s;

  for (int j = 8; j < 32; j += 8)
    m = _mm256_max_ps (m, _mm256_andnot_ps (sign, _mm256_loadu_ps (x + j)));
  s = _mm_max_ps (_mm256_castps256_ps128 (m), _mm256_extractf128_ps (m, 1));
  s = _mm_max_ps (s, _mm_movehl_ps (s, s));
  s = _mm_max_ss (s, _mm_movehdup_ps (s));
  return _mm_cvtss_f32 (s);
}

/* 32 floats times inv, rounded to nearest even, clamped to ±127, as
 * bytes in order. */
ALWAYS_INLINE __m256i
round_32 (const float *x,
          float        inv)
{
  const __m256 v = _mm256_set1_ps (inv);
  const __m256i lim = _mm256_set1_epi32 (127), nlim = _mm256_set1_epi32 (-127);
  __m256i q[4], p01, p23;

  UNROLL
  for (int j = 0; j < 4; j++)
    {
      q[j] = _mm256_cvtps_epi32 (_mm256_mul_ps (_mm256_loadu_ps (x + 8 * j), v));
      q[j] = _mm256_max_epi32 (_mm256_min_epi32 (q[j], lim), nlim);
    }
  /* packs work per 128-bit lane: undo the interleave with a permute. */
  p01 = _mm256_packs_epi32 (q[0], q[1]);
  p23 = _mm256_packs_epi32 (q[2], q[3]);
  return _mm256_permutevar8x32_epi32 (_mm256_packs_epi16 (p01, p23),
                                      _mm256_setr_epi32 (0, 4, 1, 5, 2, 6, 3, 7));
}

/* One block of Q8_0 / Q8_1 with the same arithmetic as the scalar
 * quantizer, so the bytes are identical; returns them, and d in *d_out. */
ALWAYS_INLINE __m256i
q8_block (const float *x,
          DocentHalf  *dh,
          gint8       *qs,
          float       *d_out)
{
  float amax = amax_32 (x);
  DocentHalf h = (DocentHalf) _cvtss_sh (amax / 127.f, 0);
  float d = half_to_float (h);
  __m256i q = round_32 (x, amax != 0.f ? 127.f / amax : 0.f);

  *dh = h;
  _mm256_storeu_si256 ((__m256i *) qs, q);
  *d_out = d;
  return q;
}

static void
from_float_q8_0 (const float *x,
                 void        *y,
                 gsize        n)
{
  DocentBlockQ8_0 *b = y;
  float d;

  for (gsize i = 0; i < n / DOCENT_QK; i++, x += DOCENT_QK)
    q8_block (x, &b[i].d, b[i].qs, &d);
}

ALWAYS_INLINE int
hsum_bytes (__m256i q)
{
  __m256i s = _mm256_madd_epi16 (_mm256_maddubs_epi16 (_mm256_set1_epi8 (1), q),
                                 _mm256_set1_epi16 (1));
  __m128i t = _mm_add_epi32 (_mm256_castsi256_si128 (s), _mm256_extracti128_si256 (s, 1));

  t = _mm_add_epi32 (t, _mm_shuffle_epi32 (t, 0x4e));
  t = _mm_add_epi32 (t, _mm_shuffle_epi32 (t, 0xb1));
  return _mm_cvtsi128_si32 (t);
}

static void
from_float_q8_1 (const float *x,
                 void        *y,
                 gsize        n)
{
  DocentBlockQ8_1 *b = y;

  for (gsize i = 0; i < n / DOCENT_QK; i++, x += DOCENT_QK)
    {
      float d;
      __m256i q = q8_block (x, &b[i].d, b[i].qs, &d);

      b[i].s = (DocentHalf) _cvtss_sh (d * (float) hsum_bytes (q), 0);
    }
}

static void
from_float_q8_k (const float *x,
                 void        *y,
                 gsize        n)
{
  DocentBlockQ8_K *b = y;

  for (gsize i = 0; i < n / DOCENT_QK_K; i++, x += DOCENT_QK_K)
    {
      float amax = 0.f, inv;

      for (int j = 0; j < DOCENT_QK_K; j += 32)
        amax = MAX (amax, amax_32 (x + j));
      inv = amax != 0.f ? 127.f / amax : 0.f;
      b[i].d = amax != 0.f ? 1.f / inv : 0.f;
      for (int j = 0; j < DOCENT_QK_K; j += 32)
        {
          __m256i q = round_32 (x + j, inv);
          /* Sums of each 16 bytes: widen to int16 and add pairs down. */
          __m256i s = _mm256_maddubs_epi16 (_mm256_set1_epi8 (1), q);
          __m128i lo, hi;

          _mm256_storeu_si256 ((__m256i *) (b[i].qs + j), q);
          s = _mm256_hadd_epi16 (s, s);
          s = _mm256_hadd_epi16 (s, s);
          s = _mm256_hadd_epi16 (s, s);
          lo = _mm256_castsi256_si128 (s);
          hi = _mm256_extracti128_si256 (s, 1);
          b[i].bsums[j / 16] = (gint16) _mm_extract_epi16 (lo, 0);
          b[i].bsums[j / 16 + 1] = (gint16) _mm_extract_epi16 (hi, 0);
        }
    }
}

/* ---- installation -------------------------------------------------------- */

void
docent_kernels_avx2_install (DocentDotKernel *table)
{
  install_kernel (table, DOCENT_TYPE_F32, dot_f32, dot_f32_rows, tile_f32, NULL);
  install_kernel (table, DOCENT_TYPE_F16, dot_f16, dot_f16_rows, tile_f16, NULL);
  install_kernel (table, DOCENT_TYPE_BF16, dot_bf16, dot_bf16_rows, tile_bf16, NULL);
  install_kernel (table, DOCENT_TYPE_Q4_0, dot_q4_0, dot_q4_0_rows, NULL, from_float_q8_0);
  install_kernel (table, DOCENT_TYPE_Q4_1, dot_q4_1, dot_q4_1_rows, NULL, from_float_q8_1);
  install_kernel (table, DOCENT_TYPE_Q5_0, dot_q5_0, dot_q5_0_rows, NULL, from_float_q8_0);
  install_kernel (table, DOCENT_TYPE_Q5_1, dot_q5_1, dot_q5_1_rows, NULL, from_float_q8_1);
  install_kernel (table, DOCENT_TYPE_Q8_0, dot_q8_0, dot_q8_0_rows, NULL, from_float_q8_0);
  install_kernel (table, DOCENT_TYPE_Q2_K, dot_q2_k, dot_q2_k_rows, NULL, from_float_q8_k);
  install_kernel (table, DOCENT_TYPE_Q3_K, dot_q3_k, dot_q3_k_rows, NULL, from_float_q8_k);
  install_kernel (table, DOCENT_TYPE_Q4_K, dot_q4_k, dot_q4_k_rows, NULL, from_float_q8_k);
  table[DOCENT_TYPE_Q4_K].vec_dot_rows4 = dot_q4_k_batch_rows;
  install_kernel (table, DOCENT_TYPE_Q5_K, dot_q5_k, dot_q5_k_rows, NULL, from_float_q8_k);
  install_kernel (table, DOCENT_TYPE_Q6_K, dot_q6_k, dot_q6_k_rows, NULL, from_float_q8_k);
}
