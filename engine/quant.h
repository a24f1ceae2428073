/* quant.h — the element formats of GGUF tensors: half and brain-float
 * conversion, the exact byte layout of every quantized block, and rows
 * converted between float and each type (quantize / dequantize). The
 * layouts are the file format's: a field moved here breaks every model. */
#pragma once

#include <glib.h>
#include <string.h>

#include "engine/tensor.h"

G_BEGIN_DECLS

/* Elements per block of the simple types and of the K-quant super-blocks. */
#define DOCENT_QK 32
#define DOCENT_QK_K 256
/* Bytes of the packed 6-bit scales and mins of Q4_K and Q5_K (and of the
 * 6-bit scales of Q3_K). */
#define DOCENT_K_SCALE_SIZE 12

/* Half-precision numbers are stored as their raw bits. */
typedef guint16 DocentHalf;

/* x = d * (q - 8); q[j] in the low nibble of qs[j], q[j + 16] in the high. */
typedef struct {
  DocentHalf d;
  guint8 qs[DOCENT_QK / 2];
} DocentBlockQ4_0;

/* x = d * q + m. */
typedef struct {
  DocentHalf d;
  DocentHalf m;
  guint8 qs[DOCENT_QK / 2];
} DocentBlockQ4_1;

/* x = d * (q - 16); bit j of the little-endian qh is bit 4 of q[j]. */
typedef struct {
  DocentHalf d;
  guint8 qh[4];
  guint8 qs[DOCENT_QK / 2];
} DocentBlockQ5_0;

typedef struct {
  DocentHalf d;
  DocentHalf m;
  guint8 qh[4];
  guint8 qs[DOCENT_QK / 2];
} DocentBlockQ5_1;

typedef struct {
  DocentHalf d;
  gint8 qs[DOCENT_QK];
} DocentBlockQ8_0;

/* s = d * sum (qs): lets a dot with an offset (Q4_1, Q5_1) skip the sum. */
typedef struct {
  DocentHalf d;
  DocentHalf s;
  gint8 qs[DOCENT_QK];
} DocentBlockQ8_1;

/* 16 groups of 16: x = d * (scales & 15) * q - dmin * (scales >> 4),
 * q of 2 bits. */
typedef struct {
  guint8 scales[DOCENT_QK_K / 16];
  guint8 qs[DOCENT_QK_K / 4];
  DocentHalf d;
  DocentHalf dmin;
} DocentBlockQ2_K;

/* 16 groups of 16: x = d * (scale - 32) * (q - 4 * !hbit), q of 2 bits,
 * scale of 6 bits packed into 12 bytes. */
typedef struct {
  guint8 hmask[DOCENT_QK_K / 8];
  guint8 qs[DOCENT_QK_K / 4];
  guint8 scales[12];
  DocentHalf d;
} DocentBlockQ3_K;

/* 8 groups of 32: x = d * sc * q - dmin * m, sc and m of 6 bits. */
typedef struct {
  DocentHalf d;
  DocentHalf dmin;
  guint8 scales[DOCENT_K_SCALE_SIZE];
  guint8 qs[DOCENT_QK_K / 2];
} DocentBlockQ4_K;

typedef struct {
  DocentHalf d;
  DocentHalf dmin;
  guint8 scales[DOCENT_K_SCALE_SIZE];
  guint8 qh[DOCENT_QK_K / 8];
  guint8 qs[DOCENT_QK_K / 2];
} DocentBlockQ5_K;

/* 16 groups of 16: x = d * scales[g] * (q - 32), q of 6 bits. */
typedef struct {
  guint8 ql[DOCENT_QK_K / 2];
  guint8 qh[DOCENT_QK_K / 4];
  gint8 scales[DOCENT_QK_K / 16];
  DocentHalf d;
} DocentBlockQ6_K;

/* Activations for the K-quant dots: a float scale, and the sums of each
 * 16 values (for the offsets of the weight types). */
typedef struct {
  float d;
  gint8 qs[DOCENT_QK_K];
  gint16 bsums[DOCENT_QK_K / 16];
} DocentBlockQ8_K;

G_STATIC_ASSERT (sizeof (DocentBlockQ4_0) == 18);
G_STATIC_ASSERT (sizeof (DocentBlockQ4_1) == 20);
G_STATIC_ASSERT (sizeof (DocentBlockQ5_0) == 22);
G_STATIC_ASSERT (sizeof (DocentBlockQ5_1) == 24);
G_STATIC_ASSERT (sizeof (DocentBlockQ8_0) == 34);
G_STATIC_ASSERT (sizeof (DocentBlockQ8_1) == 36);
G_STATIC_ASSERT (sizeof (DocentBlockQ2_K) == 84);
G_STATIC_ASSERT (sizeof (DocentBlockQ3_K) == 110);
G_STATIC_ASSERT (sizeof (DocentBlockQ4_K) == 144);
G_STATIC_ASSERT (sizeof (DocentBlockQ5_K) == 176);
G_STATIC_ASSERT (sizeof (DocentBlockQ6_K) == 210);
G_STATIC_ASSERT (sizeof (DocentBlockQ8_K) == 292);

static inline float
docent_bits_to_fp32 (guint32 bits)
{
  float f;

  memcpy (&f, &bits, sizeof f);
  return f;
}

static inline guint32
docent_fp32_to_bits (float f)
{
  guint32 bits;

  memcpy (&bits, &f, sizeof bits);
  return bits;
}

/* Exact: every half is a float. */
static inline float
docent_fp16_to_fp32 (DocentHalf h)
{
  guint32 sign = (guint32) (h & 0x8000) << 16;
  guint32 exp = (h >> 10) & 0x1f;
  guint32 mant = h & 0x3ff;
  float sub;

  if (exp == 0x1f)
    return docent_bits_to_fp32 (sign | 0x7f800000 | (mant << 13));
  if (exp != 0)
    return docent_bits_to_fp32 (sign | ((exp + 112) << 23) | (mant << 13));
  /* Zero and subnormals: mant * 2^-24, exact in float. */
  sub = (float) mant * 0x1p-24f;
  return sign ? -sub : sub;
}

/* Round to nearest, ties to even; overflow gives Inf, NaN stays NaN. */
static inline DocentHalf
docent_fp32_to_fp16 (float f)
{
  guint32 x = docent_fp32_to_bits (f);
  guint32 sign = (x >> 16) & 0x8000;
  guint32 ax = x & 0x7fffffff;
  guint32 h, rem, half;

  if (ax > 0x7f800000)
    return (DocentHalf) (sign | 0x7e00 | ((ax >> 13) & 0x3ff));
  if (ax >= 0x477ff000)         /* 65520 and up round to Inf */
    return (DocentHalf) (sign | 0x7c00);
  if (ax >= 0x38800000)         /* normal half */
    {
      h = (ax >> 13) - (112 << 10);
      rem = ax & 0x1fff;
      if (rem > 0x1000 || (rem == 0x1000 && (h & 1)))
        h++;
      return (DocentHalf) (sign | h);
    }
  if (ax <= 0x33000000)         /* 2^-25 and below round to zero */
    return (DocentHalf) sign;
  {
    /* Subnormal half: round (value * 2^24). */
    guint32 e = ax >> 23;
    guint32 m = (ax & 0x7fffff) | 0x800000;
    guint32 shift = 126 - e;

    h = m >> shift;
    rem = m & ((1u << shift) - 1);
    half = 1u << (shift - 1);
    if (rem > half || (rem == half && (h & 1)))
      h++;
    return (DocentHalf) (sign | h);
  }
}

static inline float
docent_bf16_to_fp32 (guint16 b)
{
  return docent_bits_to_fp32 ((guint32) b << 16);
}

static inline guint16
docent_fp32_to_bf16 (float f)
{
  guint32 x = docent_fp32_to_bits (f);

  if ((x & 0x7fffffff) > 0x7f800000)
    return (guint16) ((x >> 16) | 0x40);        /* keep it a (quiet) NaN */
  return (guint16) ((x + 0x7fff + ((x >> 16) & 1)) >> 16);
}

/* The eight 6-bit scales and eight mins of a Q4_K / Q5_K block as bytes
 * (scale or min j in byte j), four at a time with word operations, for
 * the SIMD kernels. */
static inline void
docent_k4_scales_unpack (const guint8 *packed,
                         guint64      *scales,
                         guint64      *mins)
{
  guint32 u[3], sc_hi, mn_hi;

  memcpy (u, packed, sizeof u);
  sc_hi = (u[2] & 0x0f0f0f0f) | ((u[0] >> 2) & 0x30303030);
  mn_hi = ((u[2] >> 4) & 0x0f0f0f0f) | ((u[1] >> 2) & 0x30303030);
  *scales = (u[0] & 0x3f3f3f3f) | ((guint64) sc_hi << 32);
  *mins = (u[1] & 0x3f3f3f3f) | ((guint64) mn_hi << 32);
}

typedef void (*DocentDequantizeFunc) (const void *src, float *dst, gsize n);
typedef void (*DocentQuantizeFunc) (const float *src, void *dst, gsize n);

/* Elements per block and bytes per block of the types this file knows;
 * FALSE for the others. */
gboolean             docent_quant_block_info     (guint32       type,
                                                  guint        *block_size,
                                                  guint        *type_size);
/* The row converters without checks, for loops that checked once; NULL
 * when the type has none. `n` must be a multiple of the block size. */
DocentDequantizeFunc docent_dequantize_func      (guint32       type);
DocentQuantizeFunc   docent_quantize_func        (guint32       type);

/* `n` elements of `type` at `src` to floats. */
gboolean             docent_dequantize_row       (guint32       type,
                                                  const void   *src,
                                                  float        *dst,
                                                  gsize         n,
                                                  GError      **error);
/* `n` floats to `type`, choosing scales that minimise the squared error. */
gboolean             docent_quantize_row         (guint32       type,
                                                  const float  *src,
                                                  void         *dst,
                                                  gsize         n,
                                                  GError      **error);

G_END_DECLS
