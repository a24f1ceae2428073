/* quant-private.h — bit-unpacking helpers shared by the quantizers
 * (quant.c) and the dot kernels (dot.c, kernels-avx2.c). */
#pragma once

#include "engine/quant.h"

G_BEGIN_DECLS

/* The 32 fifth bits of Q5_0 / Q5_1, little-endian. */
static inline guint32
docent_qh_load (const guint8 *qh)
{
  return (guint32) qh[0] | ((guint32) qh[1] << 8)
         | ((guint32) qh[2] << 16) | ((guint32) qh[3] << 24);
}

/* The 6-bit scale j and min j of Q4_K / Q5_K: the first four live in the
 * low six bits of bytes 0-3 (scales) and 4-7 (mins); the last four keep
 * their low nibbles in bytes 8-11 and their top two bits in the spare top
 * bits of bytes 0-7. */
static inline void
docent_k4_scale_min (int           j,
                     const guint8 *q,
                     int          *sc,
                     int          *m)
{
  if (j < 4)
    {
      *sc = q[j] & 63;
      *m = q[j + 4] & 63;
    }
  else
    {
      *sc = (q[j + 4] & 0xf) | ((q[j - 4] >> 6) << 4);
      *m = (q[j + 4] >> 4) | ((q[j] >> 6) << 4);
    }
}

/* Q3_K's sixteen 6-bit scales: low nibbles of scales 0-7 in the low
 * nibbles of bytes 0-7, of scales 8-15 in their high nibbles; the top two
 * bits of scale j in bits 2 * (j / 4) of byte 8 + j % 4. Returned minus
 * the bias of 32. */
static inline int
docent_k3_scale (int           j,
                 const guint8 *s)
{
  int low = j < 8 ? (s[j] & 0xf) : (s[j - 8] >> 4);
  int high = (s[8 + (j % 4)] >> (2 * (j / 4))) & 3;

  return (low | (high << 4)) - 32;
}

G_END_DECLS
