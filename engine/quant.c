/* quant.c — rows of every supported GGUF element type to float and back.
 *
 * Dequantizers follow the block layouts of quant.h element by element: they
 * are the reference the dot kernels are tested against. Quantizers search,
 * for each block or sub-block, the scale (and offset) that minimise the
 * squared error of the rounded values, then refine the shared super-block
 * scales by least squares once the small scales are fixed. */
#include "engine/quant.h"

#include <math.h>

#include "engine/gguf.h"
#include "engine/quant-private.h"

/* ---- helpers ------------------------------------------------------------- */

/* For the per-block helpers shared by several types: inlined, the tests
 * of their constant arguments (NULL qh, ...) fold away. */
#define BLOCK_INLINE static inline __attribute__ ((always_inline))

/* Round to nearest, ties to even, for |v| < 2^22: adding 1.5 * 2^23 leaves
 * the integer in the low mantissa bits. Faster than lrintf, no libm. */
static inline int
nearest_int (float v)
{
  float shifted = v + 12582912.f;
  guint32 bits = docent_fp32_to_bits (shifted);

  return (int) (bits & 0x007fffff) - 0x00400000;
}

static inline int
clamp_int (int v,
           int lo,
           int hi)
{
  return v < lo ? lo : (v > hi ? hi : v);
}

static inline float
round_half (float v)
{
  return docent_fp16_to_fp32 (docent_fp32_to_fp16 (v));
}

/* Nearest level for x / d within [lo, hi]; 0 when the scale is 0. */
static inline int
quantize_one (float x,
              float inv_d,
              int   lo,
              int   hi)
{
  float v = x * inv_d;

  /* Keep nearest_int in its valid range whatever the input. */
  if (!(v > -1e6f))
    return lo;
  if (v > 1e6f)
    return hi;
  return clamp_int (nearest_int (v), lo, hi);
}

/* Q4_K / Q5_K scales and mins packed as docent_k4_scale_min reads them. */
static void
k4_pack_scales (const int *sc,
                const int *m,
                guint8    *q)
{
  for (int j = 0; j < 4; j++)
    {
      q[j] = (guint8) ((sc[j] & 63) | ((sc[j + 4] >> 4) << 6));
      q[j + 4] = (guint8) ((m[j] & 63) | ((m[j + 4] >> 4) << 6));
      q[j + 8] = (guint8) ((sc[j + 4] & 0xf) | ((m[j + 4] & 0xf) << 4));
    }
}

/* Q3_K's scales packed as docent_k3_scale reads them. */
static void
k3_pack_scales (const int *scales,
                guint8    *s)
{
  memset (s, 0, 12);
  for (int j = 0; j < 16; j++)
    {
      int u = scales[j] + 32;

      if (j < 8)
        s[j] |= (guint8) (u & 0xf);
      else
        s[j - 8] |= (guint8) ((u & 0xf) << 4);
      s[8 + (j % 4)] |= (guint8) (((u >> 4) & 3) << (2 * (j / 4)));
    }
}

/* Defines the row function `fname` over blocks of type `btype` (`qk`
 * elements each): `block` runs once per block, with b the block and dst
 * (dequantizing) or src (quantizing) at its first element. */
#define DEQUANTIZE_BLOCKS(fname, btype, qk, block)                           \
  static void                                                                \
  fname (const void *src, float *dst, gsize n)                               \
  {                                                                          \
    const btype *b = src;                                                    \
                                                                             \
    for (gsize i = 0; i < n / (qk); i++, b++, dst += (qk))                   \
      block;                                                                 \
  }

#define QUANTIZE_BLOCKS(fname, btype, qk, block)                             \
  static void                                                                \
  fname (const float *src, void *dst, gsize n)                               \
  {                                                                          \
    btype *b = dst;                                                          \
                                                                             \
    for (gsize i = 0; i < n / (qk); i++, b++, src += (qk))                   \
      block;                                                                 \
  }

/* ---- dequantize ---------------------------------------------------------- */

static void
dequantize_f32 (const void *src,
                float      *dst,
                gsize       n)
{
  memcpy (dst, src, n * sizeof (float));
}

static void
dequantize_f16 (const void *src,
                float      *dst,
                gsize       n)
{
  const DocentHalf *h = src;

  for (gsize i = 0; i < n; i++)
    dst[i] = docent_fp16_to_fp32 (h[i]);
}

static void
dequantize_bf16 (const void *src,
                 float      *dst,
                 gsize       n)
{
  const guint16 *b = src;

  for (gsize i = 0; i < n; i++)
    dst[i] = docent_bf16_to_fp32 (b[i]);
}

/* One block of 32, q of 4 bits or of 5 when qh (the fifth bits) is not
 * NULL: x = d q + m for the types with an offset m, else d (q - 2^(bits-1)). */
BLOCK_INLINE void
dequantize_block32 (DocentHalf        dh,
                    const DocentHalf *mh,
                    const guint8     *qh,
                    const guint8     *qs,
                    float            *dst)
{
  int bias = qh != NULL ? 16 : 8;
  float d = docent_fp16_to_fp32 (dh);
  float m = mh != NULL ? docent_fp16_to_fp32 (*mh) : 0.f;
  guint32 high = qh != NULL ? docent_qh_load (qh) : 0;

  for (int j = 0; j < DOCENT_QK / 2; j++)
    {
      int lo = (qs[j] & 0xf) | (((high >> j) & 1) << 4);
      int hi = (qs[j] >> 4) | (((high >> (j + 16)) & 1) << 4);

      if (mh != NULL)
        {
          dst[j] = d * lo + m;
          dst[j + 16] = d * hi + m;
        }
      else
        {
          dst[j] = d * (lo - bias);
          dst[j + 16] = d * (hi - bias);
        }
    }
}

DEQUANTIZE_BLOCKS (dequantize_q4_0, DocentBlockQ4_0, DOCENT_QK,
                   dequantize_block32 (b->d, NULL, NULL, b->qs, dst))

DEQUANTIZE_BLOCKS (dequantize_q4_1, DocentBlockQ4_1, DOCENT_QK,
                   dequantize_block32 (b->d, &b->m, NULL, b->qs, dst))

DEQUANTIZE_BLOCKS (dequantize_q5_0, DocentBlockQ5_0, DOCENT_QK,
                   dequantize_block32 (b->d, NULL, b->qh, b->qs, dst))

DEQUANTIZE_BLOCKS (dequantize_q5_1, DocentBlockQ5_1, DOCENT_QK,
                   dequantize_block32 (b->d, &b->m, b->qh, b->qs, dst))

BLOCK_INLINE void
dequantize_q8_block (DocentHalf   dh,
                     const gint8 *qs,
                     float       *dst)
{
  float d = docent_fp16_to_fp32 (dh);

  for (int j = 0; j < DOCENT_QK; j++)
    dst[j] = d * qs[j];
}

DEQUANTIZE_BLOCKS (dequantize_q8_0, DocentBlockQ8_0, DOCENT_QK,
                   dequantize_q8_block (b->d, b->qs, dst))

DEQUANTIZE_BLOCKS (dequantize_q8_1, DocentBlockQ8_1, DOCENT_QK,
                   dequantize_q8_block (b->d, b->qs, dst))

/* In Q2_K and Q3_K, element e = 128 h + 32 s + l (half h, shift s, l < 32)
 * takes bits 2 s of byte 32 h + l; its scale is group e / 16. */
static void
dequantize_q2_k (const void *src,
                 float      *dst,
                 gsize       n)
{
  const DocentBlockQ2_K *b = src;

  for (gsize i = 0; i < n / DOCENT_QK_K; i++, b++, dst += DOCENT_QK_K)
    {
      float d = docent_fp16_to_fp32 (b->d);
      float dmin = docent_fp16_to_fp32 (b->dmin);

      for (int e = 0; e < DOCENT_QK_K; e++)
        {
          int h = e / 128, s = (e / 32) % 4, l = e % 32;
          int q = (b->qs[32 * h + l] >> (2 * s)) & 3;
          guint8 sc = b->scales[e / 16];

          dst[e] = d * (sc & 0xf) * q - dmin * (sc >> 4);
        }
    }
}

/* The high bit of element e of Q3_K is bit 4 h + s of hmask[l]. */
static void
dequantize_q3_k (const void *src,
                 float      *dst,
                 gsize       n)
{
  const DocentBlockQ3_K *b = src;

  for (gsize i = 0; i < n / DOCENT_QK_K; i++, b++, dst += DOCENT_QK_K)
    {
      float d = docent_fp16_to_fp32 (b->d);
      int scales[16];

      for (int j = 0; j < 16; j++)
        scales[j] = docent_k3_scale (j, b->scales);
      for (int e = 0; e < DOCENT_QK_K; e++)
        {
          int h = e / 128, s = (e / 32) % 4, l = e % 32;
          int q = (b->qs[32 * h + l] >> (2 * s)) & 3;
          int high = (b->hmask[l] >> (4 * h + s)) & 1;

          dst[e] = d * scales[e / 16] * (q - (high ? 0 : 4));
        }
    }
}

/* Q4_K and Q5_K: chunk c of 64 elements uses bytes 32 c .. 32 c + 31;
 * low nibbles are its first 32 elements (scale 2 c), high nibbles the
 * next 32 (scale 2 c + 1). Q5_K's fifth bits: bit 2 c / 2 c + 1 of qh[l]. */
BLOCK_INLINE void
dequantize_k4_block (DocentHalf    dh,
                     DocentHalf    dminh,
                     const guint8 *scales,
                     const guint8 *qs,
                     const guint8 *qh,
                     float        *dst)
{
  float d = docent_fp16_to_fp32 (dh);
  float dmin = docent_fp16_to_fp32 (dminh);

  for (int c = 0; c < 4; c++)
    {
      int sc0, m0, sc1, m1;
      float d0, d1, o0, o1;

      docent_k4_scale_min (2 * c, scales, &sc0, &m0);
      docent_k4_scale_min (2 * c + 1, scales, &sc1, &m1);
      d0 = d * sc0, o0 = dmin * m0;
      d1 = d * sc1, o1 = dmin * m1;
      for (int l = 0; l < 32; l++)
        {
          int q0 = qs[32 * c + l] & 0xf;
          int q1 = qs[32 * c + l] >> 4;

          if (qh != NULL)
            {
              q0 |= ((qh[l] >> (2 * c)) & 1) << 4;
              q1 |= ((qh[l] >> (2 * c + 1)) & 1) << 4;
            }
          dst[64 * c + l] = d0 * q0 - o0;
          dst[64 * c + 32 + l] = d1 * q1 - o1;
        }
    }
}

DEQUANTIZE_BLOCKS (dequantize_q4_k, DocentBlockQ4_K, DOCENT_QK_K,
                   dequantize_k4_block (b->d, b->dmin, b->scales, b->qs, NULL, dst))

DEQUANTIZE_BLOCKS (dequantize_q5_k, DocentBlockQ5_K, DOCENT_QK_K,
                   dequantize_k4_block (b->d, b->dmin, b->scales, b->qs, b->qh, dst))

/* Q6_K: element e = 128 h + 32 k + l (k < 4, l < 32) takes the low (k < 2)
 * or high (k >= 2) nibble of ql[64 h + 32 (k % 2) + l] and its top two
 * bits from bits 2 k of qh[32 h + l]; its scale is group e / 16. */
static inline int
q6_k_value (const DocentBlockQ6_K *b,
            int                    e)
{
  int h = e / 128, k = (e / 32) % 4, l = e % 32;
  guint8 low = b->ql[64 * h + 32 * (k & 1) + l];
  int q = (k < 2 ? (low & 0xf) : (low >> 4))
          | (((b->qh[32 * h + l] >> (2 * k)) & 3) << 4);

  return q - 32;
}

static void
dequantize_q6_k (const void *src,
                 float      *dst,
                 gsize       n)
{
  const DocentBlockQ6_K *b = src;

  for (gsize i = 0; i < n / DOCENT_QK_K; i++, b++, dst += DOCENT_QK_K)
    {
      float d = docent_fp16_to_fp32 (b->d);

      for (int e = 0; e < DOCENT_QK_K; e++)
        dst[e] = d * b->scales[e / 16] * q6_k_value (b, e);
    }
}

static void
dequantize_q8_k (const void *src,
                 float      *dst,
                 gsize       n)
{
  const DocentBlockQ8_K *b = src;

  for (gsize i = 0; i < n / DOCENT_QK_K; i++, b++, dst += DOCENT_QK_K)
    for (int e = 0; e < DOCENT_QK_K; e++)
      dst[e] = b->d * b->qs[e];
}

/* ---- scale search -------------------------------------------------------- */

/* Best d for x ≈ d q with integer q in [lo, hi] (lo < 0 < hi). Tries a
 * fan of scales that put the largest value at or near either end of the
 * range, takes the least-squares d for each resulting q and keeps the one
 * with the least error: sum (x - d q)^2 = sum x^2 - (sum xq)^2 / sum q^2,
 * so the best maximises (sum xq)^2 / sum q^2. */
static float
fit_symmetric (const float *x,
               int          n,
               int          lo,
               int          hi)
{
  float amax = 0.f, big = 0.f, best_d = 0.f, best_score = -1.f;

  for (int i = 0; i < n; i++)
    if (fabsf (x[i]) > amax)
      {
        amax = fabsf (x[i]);
        big = x[i];
      }
  if (amax < 1e-30f)
    return 0.f;
  for (int end = 0; end < 2; end++)
    for (int step = -12; step <= 6; step++)
      {
        float level = (end == 0 ? lo : hi) * (1.f + 0.02f * step);
        float inv = level / big;
        float sxq = 0.f, sqq = 0.f, score;

        for (int i = 0; i < n; i++)
          {
            int q = quantize_one (x[i], inv, lo, hi);

            sxq += x[i] * q;
            sqq += (float) (q * q);
          }
        if (sqq <= 0.f)
          continue;
        score = sxq * sxq / sqq;
        if (score > best_score)
          {
            best_score = score;
            best_d = sxq / sqq;
          }
      }
  return best_d;
}

/* Best (d, m) for x ≈ d q + m with integer q in [0, top]; when `min_le_0`
 * (K-quants store -m as an unsigned number) m is kept <= 0. A fan of
 * scales over the value range gives candidate q; each is refitted by
 * least squares and the one with the least squared error wins, then one
 * re-rounding pass with the winner. */
static void
fit_affine (const float *x,
            int          n,
            int          top,
            gboolean     min_le_0,
            float       *d_out,
            float       *m_out)
{
  float lo = x[0], hi = x[0], sx = 0.f, sxx = 0.f;
  float best_err = INFINITY, best_d = 0.f, best_m = 0.f;

  for (int i = 0; i < n; i++)
    {
      lo = MIN (lo, x[i]);
      hi = MAX (hi, x[i]);
      sx += x[i];
      sxx += x[i] * x[i];
    }
  if (min_le_0 && lo > 0.f)
    lo = 0.f;
  if (hi - lo < 1e-30f)
    {
      *d_out = 0.f;
      *m_out = lo;
      return;
    }
  for (int step = -10; step <= 11; step++)
    {
      gboolean refit = step == 11;
      float d = step == 11 ? best_d : (hi - lo) / (top * (1.f + 0.025f * step));
      float m = step == 11 ? best_m : lo;
      float inv = d != 0.f ? 1.f / d : 0.f;
      float sq = 0.f, sqq = 0.f, sqx = 0.f, det, nd, nm, err;

      if (refit && d == 0.f)
        break;
      for (int i = 0; i < n; i++)
        {
          int q = quantize_one (x[i] - m, inv, 0, top);

          sq += q;
          sqq += (float) (q * q);
          sqx += q * x[i];
        }
      det = n * sqq - sq * sq;
      if (det <= 1e-6f * n * sqq)
        {
          /* Every q alike: one parameter is free; pin the offset. */
          nm = min_le_0 ? 0.f : lo;
          nd = sqq > 0.f ? (sqx - nm * sq) / sqq : 0.f;
        }
      else
        {
          nd = (n * sqx - sq * sx) / det;
          nm = (sqq * sx - sq * sqx) / det;
        }
      if (min_le_0 && nm > 0.f)
        {
          nm = 0.f;
          nd = sqx / sqq;
        }
      if (nd < 0.f)
        continue;
      err = sxx - 2.f * nd * sqx - 2.f * nm * sx + nd * nd * sqq
            + 2.f * nd * nm * sq + n * nm * nm;
      if (err < best_err)
        {
          best_err = err;
          best_d = nd;
          best_m = nm;
        }
    }
  *d_out = best_d;
  *m_out = best_m;
}

/* ---- quantize: simple blocks --------------------------------------------- */

static void
quantize_f16 (const float *src,
              void        *dst,
              gsize        n)
{
  DocentHalf *h = dst;

  for (gsize i = 0; i < n; i++)
    h[i] = docent_fp32_to_fp16 (src[i]);
}

static void
quantize_bf16 (const float *src,
               void        *dst,
               gsize        n)
{
  guint16 *b = dst;

  for (gsize i = 0; i < n; i++)
    b[i] = docent_fp32_to_bf16 (src[i]);
}

static void
quantize_f32 (const float *src,
              void        *dst,
              gsize        n)
{
  memcpy (dst, src, n * sizeof (float));
}

/* The largest magnitude, which the 8-bit types map to 127. */
static float
q8_amax (const float *x,
         int          n)
{
  float amax = 0.f;

  for (int i = 0; i < n; i++)
    amax = MAX (amax, fabsf (x[i]));
  return amax;
}

/* One block of 32 bytes; returns the stored d, and the sum of the bytes in
 * *sum unless it is NULL. Values are multiplied by 127 / amax, not divided
 * by the half-precision d stored: that is what the reference engine's
 * x86 code does to activations (1 / (amax / 127) differs in the last bit
 * now and then), and a byte rounded the other way is enough to move the
 * logits of quantized models off the conformance figures. */
BLOCK_INLINE float
quantize_q8_block (const float *x,
                   DocentHalf  *dh,
                   gint8       *qs,
                   int         *sum)
{
  float amax = q8_amax (x, DOCENT_QK);
  float exact = amax / 127.f;
  float inv = amax != 0.f ? 127.f / amax : 0.f;
  int total = 0;

  *dh = docent_fp32_to_fp16 (exact);
  for (int j = 0; j < DOCENT_QK; j++)
    {
      qs[j] = (gint8) quantize_one (x[j], inv, -127, 127);
      total += qs[j];
    }
  if (sum != NULL)
    *sum = total;
  return docent_fp16_to_fp32 (*dh);
}

QUANTIZE_BLOCKS (quantize_q8_0, DocentBlockQ8_0, DOCENT_QK,
                 quantize_q8_block (src, &b->d, b->qs, NULL))

static void
quantize_q8_1 (const float *src,
               void        *dst,
               gsize        n)
{
  DocentBlockQ8_1 *b = dst;
  int sum;

  for (gsize i = 0; i < n / DOCENT_QK; i++, b++, src += DOCENT_QK)
    {
      float d = quantize_q8_block (src, &b->d, b->qs, &sum);

      b->s = docent_fp32_to_fp16 (d * (float) sum);
    }
}

/* Symmetric blocks of 32: d by fit_symmetric, values rounded with the
 * stored (half precision) d, which for a fixed d is optimal per value. */
static float
symmetric_block (const float *x,
                 int          lo,
                 int          hi,
                 int         *q)
{
  float d = round_half (fit_symmetric (x, DOCENT_QK, lo, hi));
  float inv = d != 0.f ? 1.f / d : 0.f;

  for (int j = 0; j < DOCENT_QK; j++)
    q[j] = quantize_one (x[j], inv, lo, hi);
  return d;
}

static float
affine_block (const float *x,
              int          top,
              float       *m_out,
              int         *q)
{
  float d, m, inv;

  fit_affine (x, DOCENT_QK, top, FALSE, &d, &m);
  d = round_half (d);
  m = round_half (m);
  inv = d != 0.f ? 1.f / d : 0.f;
  for (int j = 0; j < DOCENT_QK; j++)
    q[j] = quantize_one (x[j] - m, inv, 0, top);
  *m_out = m;
  return d;
}

static void
pack_nibbles (const int *q,
              int        bias,
              guint8    *qs)
{
  for (int j = 0; j < DOCENT_QK / 2; j++)
    qs[j] = (guint8) (((q[j] + bias) & 0xf) | (((q[j + 16] + bias) & 0xf) << 4));
}

static void
pack_fifth_bits (const int *q,
                 int        bias,
                 guint8    *qh)
{
  guint32 bits = 0;

  for (int j = 0; j < DOCENT_QK; j++)
    bits |= (guint32) (((q[j] + bias) >> 4) & 1) << j;
  for (int k = 0; k < 4; k++)
    qh[k] = (guint8) (bits >> (8 * k));
}

/* One block of 32 with 4 bits a value, or 5 when qh is not NULL: offset
 * types (m not NULL) store q in [0, 2^bits), the others q + 2^(bits-1). */
BLOCK_INLINE void
quantize_block32 (const float *x,
                  DocentHalf  *d,
                  DocentHalf  *m,
                  guint8      *qh,
                  guint8      *qs)
{
  int bits = qh != NULL ? 5 : 4;
  int bias = m != NULL ? 0 : 1 << (bits - 1);
  int q[DOCENT_QK];

  if (m != NULL)
    {
      float mv;

      *d = docent_fp32_to_fp16 (affine_block (x, (1 << bits) - 1, &mv, q));
      *m = docent_fp32_to_fp16 (mv);
    }
  else
    *d = docent_fp32_to_fp16 (symmetric_block (x, -bias, bias - 1, q));
  pack_nibbles (q, bias, qs);
  if (qh != NULL)
    pack_fifth_bits (q, bias, qh);
}

QUANTIZE_BLOCKS (quantize_q4_0, DocentBlockQ4_0, DOCENT_QK,
                 quantize_block32 (src, &b->d, NULL, NULL, b->qs))

QUANTIZE_BLOCKS (quantize_q4_1, DocentBlockQ4_1, DOCENT_QK,
                 quantize_block32 (src, &b->d, &b->m, NULL, b->qs))

QUANTIZE_BLOCKS (quantize_q5_0, DocentBlockQ5_0, DOCENT_QK,
                 quantize_block32 (src, &b->d, NULL, b->qh, b->qs))

QUANTIZE_BLOCKS (quantize_q5_1, DocentBlockQ5_1, DOCENT_QK,
                 quantize_block32 (src, &b->d, &b->m, b->qh, b->qs))

/* ---- quantize: K-quants -------------------------------------------------- */

static void
quantize_q8_k (const float *src,
               void        *dst,
               gsize        n)
{
  DocentBlockQ8_K *b = dst;

  for (gsize i = 0; i < n / DOCENT_QK_K; i++, b++, src += DOCENT_QK_K)
    {
      float amax = q8_amax (src, DOCENT_QK_K);
      float inv = amax != 0.f ? 127.f / amax : 0.f;

      b->d = amax != 0.f ? 1.f / inv : 0.f;
      for (int g = 0; g < DOCENT_QK_K / 16; g++)
        {
          int sum = 0;

          for (int j = 16 * g; j < 16 * g + 16; j++)
            {
              b->qs[j] = (gint8) quantize_one (src[j], inv, -127, 127);
              sum += b->qs[j];
            }
          b->bsums[g] = (gint16) sum;
        }
    }
}

/* An affine super-block (Q2_K, Q4_K, Q5_K) once fitted: x ≈ d sc[g] q -
 * dmin m[g] over groups of `group` values. */
typedef struct {
  float d, dmin;
  int sc[16], m[16];
  int q[DOCENT_QK_K];
} AffineSuper;

static void
affine_requantize (const float *x,
                   int          group,
                   int          top,
                   AffineSuper *s)
{
  for (int g = 0; g < DOCENT_QK_K / group; g++)
    {
      float scale = s->d * s->sc[g];
      float offset = s->dmin * s->m[g];
      float inv = scale != 0.f ? 1.f / scale : 0.f;

      for (int j = g * group; j < (g + 1) * group; j++)
        s->q[j] = quantize_one (x[j] + offset, inv, 0, top);
    }
}

/* With the small integers fixed, d and dmin enter linearly: solve the
 * 2 x 2 least-squares system, keep the answer if it is an improvement. */
static float
affine_error (const float       *x,
              int                group,
              const AffineSuper *s)
{
  float err = 0.f;

  for (int j = 0; j < DOCENT_QK_K; j++)
    {
      float v = s->d * s->sc[j / group] * s->q[j] - s->dmin * s->m[j / group] - x[j];

      err += v * v;
    }
  return err;
}

static void
affine_refit (const float *x,
              int          group,
              AffineSuper *s)
{
  double saa = 0, sab = 0, sbb = 0, sax = 0, sbx = 0, det;
  AffineSuper t = *s;

  for (int j = 0; j < DOCENT_QK_K; j++)
    {
      double a = (double) s->sc[j / group] * s->q[j];
      double b = -(double) s->m[j / group];

      saa += a * a;
      sab += a * b;
      sbb += b * b;
      sax += a * x[j];
      sbx += b * x[j];
    }
  det = saa * sbb - sab * sab;
  if (det > 1e-20 * saa * sbb && det > 0)
    {
      t.d = (float) ((sax * sbb - sbx * sab) / det);
      t.dmin = (float) ((sbx * saa - sax * sab) / det);
    }
  else if (saa > 0)
    t.d = (float) (sax / saa);
  t.d = round_half (MAX (t.d, 0.f));
  t.dmin = round_half (MAX (t.dmin, 0.f));
  if (affine_error (x, group, &t) < affine_error (x, group, s))
    *s = t;
}

/* Fits every group, then quantizes the group scales and minimums to
 * `levels` (15 or 63) steps of the shared d and dmin. */
static void
affine_super (const float *x,
              int          group,
              int          top,
              int          levels,
              AffineSuper *s)
{
  float scales[16], mins[16], max_scale = 0.f, max_min = 0.f;
  int n_groups = DOCENT_QK_K / group;

  for (int g = 0; g < n_groups; g++)
    {
      float m;

      fit_affine (x + g * group, group, top, TRUE, &scales[g], &m);
      mins[g] = -m;
      max_scale = MAX (max_scale, scales[g]);
      max_min = MAX (max_min, mins[g]);
    }
  s->d = round_half (max_scale / levels);
  s->dmin = round_half (max_min / levels);
  for (int g = 0; g < n_groups; g++)
    {
      s->sc[g] = s->d > 0.f ? clamp_int (nearest_int (scales[g] / s->d), 0, levels) : 0;
      s->m[g] = s->dmin > 0.f ? clamp_int (nearest_int (mins[g] / s->dmin), 0, levels) : 0;
    }
  affine_requantize (x, group, top, s);
  affine_refit (x, group, s);
  affine_requantize (x, group, top, s);
}

static void
quantize_q2_k (const float *src,
               void        *dst,
               gsize        n)
{
  DocentBlockQ2_K *b = dst;
  AffineSuper s;

  for (gsize i = 0; i < n / DOCENT_QK_K; i++, b++, src += DOCENT_QK_K)
    {
      affine_super (src, 16, 3, 15, &s);
      b->d = docent_fp32_to_fp16 (s.d);
      b->dmin = docent_fp32_to_fp16 (s.dmin);
      for (int g = 0; g < 16; g++)
        b->scales[g] = (guint8) (s.sc[g] | (s.m[g] << 4));
      memset (b->qs, 0, sizeof b->qs);
      for (int e = 0; e < DOCENT_QK_K; e++)
        {
          int h = e / 128, sh = (e / 32) % 4, l = e % 32;

          b->qs[32 * h + l] |= (guint8) (s.q[e] << (2 * sh));
        }
    }
}

static void
quantize_q4_k (const float *src,
               void        *dst,
               gsize        n)
{
  DocentBlockQ4_K *b = dst;
  AffineSuper s;

  for (gsize i = 0; i < n / DOCENT_QK_K; i++, b++, src += DOCENT_QK_K)
    {
      affine_super (src, 32, 15, 63, &s);
      b->d = docent_fp32_to_fp16 (s.d);
      b->dmin = docent_fp32_to_fp16 (s.dmin);
      k4_pack_scales (s.sc, s.m, b->scales);
      for (int c = 0; c < 4; c++)
        for (int l = 0; l < 32; l++)
          b->qs[32 * c + l] = (guint8) (s.q[64 * c + l] | (s.q[64 * c + 32 + l] << 4));
    }
}

static void
quantize_q5_k (const float *src,
               void        *dst,
               gsize        n)
{
  DocentBlockQ5_K *b = dst;
  AffineSuper s;

  for (gsize i = 0; i < n / DOCENT_QK_K; i++, b++, src += DOCENT_QK_K)
    {
      affine_super (src, 32, 31, 63, &s);
      b->d = docent_fp32_to_fp16 (s.d);
      b->dmin = docent_fp32_to_fp16 (s.dmin);
      k4_pack_scales (s.sc, s.m, b->scales);
      memset (b->qh, 0, sizeof b->qh);
      for (int c = 0; c < 4; c++)
        for (int l = 0; l < 32; l++)
          {
            int q0 = s.q[64 * c + l], q1 = s.q[64 * c + 32 + l];

            b->qs[32 * c + l] = (guint8) ((q0 & 0xf) | ((q1 & 0xf) << 4));
            b->qh[l] |= (guint8) (((q0 >> 4) << (2 * c)) | ((q1 >> 4) << (2 * c + 1)));
          }
    }
}

/* A symmetric super-block (Q3_K, Q6_K): x ≈ d sc[g] q over 16 groups of
 * 16, sc signed with `levels` steps each side. */
typedef struct {
  float d;
  int sc[16];
  int q[DOCENT_QK_K];
} SymmetricSuper;

static void
symmetric_requantize (const float    *x,
                      int             lo,
                      int             hi,
                      SymmetricSuper *s)
{
  for (int g = 0; g < 16; g++)
    {
      float scale = s->d * s->sc[g];
      float inv = scale != 0.f ? 1.f / scale : 0.f;

      for (int j = 16 * g; j < 16 * g + 16; j++)
        s->q[j] = quantize_one (x[j], inv, lo, hi);
    }
}

static void
symmetric_super (const float    *x,
                 int             lo,
                 int             hi,
                 int             levels,
                 SymmetricSuper *s)
{
  float scales[16], amax = 0.f, big = 0.f;
  double sax = 0, saa = 0;

  for (int g = 0; g < 16; g++)
    {
      scales[g] = fit_symmetric (x + 16 * g, 16, lo, hi);
      if (fabsf (scales[g]) > amax)
        {
          amax = fabsf (scales[g]);
          big = scales[g];
        }
    }
  /* The largest scale maps to -levels - 1 ... levels' far end: keep its
   * sign so it lands on the longer (negative) side. */
  s->d = round_half (big / -(levels + 1));
  for (int g = 0; g < 16; g++)
    s->sc[g] = s->d != 0.f ? clamp_int (nearest_int (scales[g] / s->d), -(levels + 1), levels) : 0;
  symmetric_requantize (x, lo, hi, s);
  for (int j = 0; j < DOCENT_QK_K; j++)
    {
      double a = (double) s->sc[j / 16] * s->q[j];

      sax += a * x[j];
      saa += a * a;
    }
  if (saa > 0)
    {
      float refit = round_half ((float) (sax / saa));
      float old_err = 0.f, new_err = 0.f;

      for (int j = 0; j < DOCENT_QK_K; j++)
        {
          float a = (float) (s->sc[j / 16] * s->q[j]);
          float e0 = s->d * a - x[j], e1 = refit * a - x[j];

          old_err += e0 * e0;
          new_err += e1 * e1;
        }
      if (new_err < old_err)
        {
          s->d = refit;
          symmetric_requantize (x, lo, hi, s);
        }
    }
}

static void
quantize_q3_k (const float *src,
               void        *dst,
               gsize        n)
{
  DocentBlockQ3_K *b = dst;
  SymmetricSuper s;

  for (gsize i = 0; i < n / DOCENT_QK_K; i++, b++, src += DOCENT_QK_K)
    {
      symmetric_super (src, -4, 3, 31, &s);
      b->d = docent_fp32_to_fp16 (s.d);
      k3_pack_scales (s.sc, b->scales);
      memset (b->qs, 0, sizeof b->qs);
      memset (b->hmask, 0, sizeof b->hmask);
      for (int e = 0; e < DOCENT_QK_K; e++)
        {
          int h = e / 128, sh = (e / 32) % 4, l = e % 32;
          int u = s.q[e] + 4;

          b->qs[32 * h + l] |= (guint8) ((u & 3) << (2 * sh));
          b->hmask[l] |= (guint8) ((u >> 2) << (4 * h + sh));
        }
    }
}

static void
quantize_q6_k (const float *src,
               void        *dst,
               gsize        n)
{
  DocentBlockQ6_K *b = dst;
  SymmetricSuper s;

  for (gsize i = 0; i < n / DOCENT_QK_K; i++, b++, src += DOCENT_QK_K)
    {
      symmetric_super (src, -32, 31, 127, &s);
      b->d = docent_fp32_to_fp16 (s.d);
      for (int g = 0; g < 16; g++)
        b->scales[g] = (gint8) s.sc[g];
      memset (b->ql, 0, sizeof b->ql);
      memset (b->qh, 0, sizeof b->qh);
      for (int e = 0; e < DOCENT_QK_K; e++)
        {
          int h = e / 128, k = (e / 32) % 4, l = e % 32;
          int u = s.q[e] + 32;

          b->ql[64 * h + 32 * (k & 1) + l] |= (guint8) ((u & 0xf) << (k < 2 ? 0 : 4));
          b->qh[32 * h + l] |= (guint8) ((u >> 4) << (2 * k));
        }
    }
}

/* ---- tables and entry points --------------------------------------------- */

typedef struct {
  guint block_size;
  guint type_size;
  DocentDequantizeFunc to_float;
  DocentQuantizeFunc from_float;
} QuantEntry;

static const QuantEntry quant_table[DOCENT_TYPE_COUNT] = {
  [DOCENT_TYPE_F32]  = { 1, 4, dequantize_f32, quantize_f32 },
  [DOCENT_TYPE_F16]  = { 1, 2, dequantize_f16, quantize_f16 },
  [DOCENT_TYPE_BF16] = { 1, 2, dequantize_bf16, quantize_bf16 },
  [DOCENT_TYPE_Q4_0] = { DOCENT_QK, sizeof (DocentBlockQ4_0), dequantize_q4_0, quantize_q4_0 },
  [DOCENT_TYPE_Q4_1] = { DOCENT_QK, sizeof (DocentBlockQ4_1), dequantize_q4_1, quantize_q4_1 },
  [DOCENT_TYPE_Q5_0] = { DOCENT_QK, sizeof (DocentBlockQ5_0), dequantize_q5_0, quantize_q5_0 },
  [DOCENT_TYPE_Q5_1] = { DOCENT_QK, sizeof (DocentBlockQ5_1), dequantize_q5_1, quantize_q5_1 },
  [DOCENT_TYPE_Q8_0] = { DOCENT_QK, sizeof (DocentBlockQ8_0), dequantize_q8_0, quantize_q8_0 },
  [DOCENT_TYPE_Q8_1] = { DOCENT_QK, sizeof (DocentBlockQ8_1), dequantize_q8_1, quantize_q8_1 },
  [DOCENT_TYPE_Q2_K] = { DOCENT_QK_K, sizeof (DocentBlockQ2_K), dequantize_q2_k, quantize_q2_k },
  [DOCENT_TYPE_Q3_K] = { DOCENT_QK_K, sizeof (DocentBlockQ3_K), dequantize_q3_k, quantize_q3_k },
  [DOCENT_TYPE_Q4_K] = { DOCENT_QK_K, sizeof (DocentBlockQ4_K), dequantize_q4_k, quantize_q4_k },
  [DOCENT_TYPE_Q5_K] = { DOCENT_QK_K, sizeof (DocentBlockQ5_K), dequantize_q5_k, quantize_q5_k },
  [DOCENT_TYPE_Q6_K] = { DOCENT_QK_K, sizeof (DocentBlockQ6_K), dequantize_q6_k, quantize_q6_k },
  [DOCENT_TYPE_Q8_K] = { DOCENT_QK_K, sizeof (DocentBlockQ8_K), dequantize_q8_k, quantize_q8_k },
};

static const QuantEntry *
quant_entry (guint32 type)
{
  if (type >= DOCENT_TYPE_COUNT || quant_table[type].block_size == 0)
    return NULL;
  return &quant_table[type];
}

gboolean
docent_quant_block_info (guint32  type,
                         guint   *block_size,
                         guint   *type_size)
{
  const QuantEntry *e = quant_entry (type);

  if (e == NULL)
    return FALSE;
  if (block_size != NULL)
    *block_size = e->block_size;
  if (type_size != NULL)
    *type_size = e->type_size;
  return TRUE;
}

DocentDequantizeFunc
docent_dequantize_func (guint32 type)
{
  const QuantEntry *e = quant_entry (type);

  return e != NULL ? e->to_float : NULL;
}

DocentQuantizeFunc
docent_quantize_func (guint32 type)
{
  const QuantEntry *e = quant_entry (type);

  return e != NULL ? e->from_float : NULL;
}

static const QuantEntry *
checked_entry (guint32   type,
               gsize     n,
               GError  **error)
{
  const QuantEntry *e = quant_entry (type);
  const char *name = docent_type_name (type);

  if (e == NULL)
    {
      g_set_error (error, DOCENT_GGUF_ERROR, DOCENT_GGUF_ERROR_INVALID,
                   "tensor type %s (%u) cannot be converted to or from float",
                   name != NULL ? name : "unknown", type);
      return NULL;
    }
  if (n % e->block_size != 0)
    {
      g_set_error (error, DOCENT_GGUF_ERROR, DOCENT_GGUF_ERROR_INVALID,
                   "a row of %" G_GSIZE_FORMAT " elements is not a whole number "
                   "of %s blocks (%u elements each)", n, name, e->block_size);
      return NULL;
    }
  return e;
}

gboolean
docent_dequantize_row (guint32      type,
                       const void  *src,
                       float       *dst,
                       gsize        n,
                       GError     **error)
{
  const QuantEntry *e = checked_entry (type, n, error);

  if (e == NULL)
    return FALSE;
  e->to_float (src, dst, n);
  return TRUE;
}

gboolean
docent_quantize_row (guint32       type,
                     const float  *src,
                     void         *dst,
                     gsize         n,
                     GError      **error)
{
  const QuantEntry *e = checked_entry (type, n, error);

  if (e == NULL)
    return FALSE;
  e->from_float (src, dst, n);
  return TRUE;
}
