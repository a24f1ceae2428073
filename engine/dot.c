/* dot.c — the scalar dot-product kernels (the reference every SIMD path is
 * tested against) and the run-time choice of kernel set.
 *
 * Conformance notes. A layer's outputs are quantized to 8 bits again
 * before the next product, so a last-bit difference in a sum can move an
 * activation by a whole step, and such steps add up over a long prompt
 * (the conformance kit saw greedy continuations change). The kernels
 * therefore sum in the reference engine's order where it is known:
 * - Q8_0, Q5_0 and, in the SIMD sets, Q4_0: eight int32 lanes (lane k:
 *   bytes 4 k … 4 k + 3 of each block) in one multiply-add chain per
 *   lane, then (l0 + l4) + (l2 + l6) + ((l1 + l5) + (l3 + l7)).
 * - Q4_0 here: one chain of multiply-adds of each block's whole integer
 *   sum (the reference's repacked kernels; exact on the kit).
 * - Q4_K (also repacked there): single rows one multiply-add per
 *   super-block, rows of a batch taken four at a time one per pair of
 *   groups of 32 (vec_dot_rows4); the mins in a second chain.
 * - Q6_K, and Q5_K in the SIMD sets: eight int32 lanes as for Q8_0, one
 *   multiply-add per super-block (Q6_K's -32 taken off inside the 16-bit
 *   pair sums); the Q5_K mins in one float sum of each block's integer.
 * Scalar Q5_K, Q2_K, Q3_K and the float types are only close. */
#include "engine/dot.h"

#include <math.h>


#include "engine/cpu.h"
#include "engine/quant.h"
#include "engine/quant-private.h"

/* For the per-block helpers shared by several types: inlined, the tests
 * of their constant arguments (NULL qh, ...) fold away. */
#define BLOCK_INLINE static inline __attribute__ ((always_inline))

/* Defines the dot `fname` of weights in blocks of `wtype` (`qk` elements
 * each) with activations in blocks of `atype`: the sum over blocks i of
 * `block`, an expression of x[i] and y[i]. */
#define DOT_BLOCKS(fname, wtype, atype, qk, block)                           \
  static float                                                               \
  fname (gsize n, const void *w, const void *a)                              \
  {                                                                          \
    const wtype *x = w;                                                      \
    const atype *y = a;                                                      \
    float sum = 0.f;                                                         \
                                                                             \
    for (gsize i = 0; i < n / (qk); i++)                                     \
      sum += block;                                                          \
    return sum;                                                              \
  }

/* The product of two half-precision scales. */
static inline float
scales_product (DocentHalf a,
                DocentHalf b)
{
  return docent_fp16_to_fp32 (a) * docent_fp16_to_fp32 (b);
}

/* The sum of eight lanes as the reference engine takes it: the upper four
 * onto the lower, then (0 + 2) + (1 + 3). */
static float
hsum8_reference (const float *v)
{
  float t[4];

  for (int j = 0; j < 4; j++)
    t[j] = v[j + 4] + v[j];
  return (t[0] + t[2]) + (t[1] + t[3]);
}

/* ---- float types --------------------------------------------------------- */

static float
dot_f32 (gsize       n,
         const void *w,
         const void *a)
{
  const float *x = w, *y = a;
  float sum = 0.f;

  for (gsize i = 0; i < n; i++)
    sum += x[i] * y[i];
  return sum;
}

/* Float activations. The reference engine rounds them to half precision
 * for half-precision weights; doing the same made F16 decoders match it to
 * the last bit but cost 30 % of the F16 embedding speed (converting every
 * activation load), and the conformance kit passes either way. */
static float
dot_f16 (gsize       n,
         const void *w,
         const void *a)
{
  const DocentHalf *x = w;
  const float *y = a;
  float sum = 0.f;

  for (gsize i = 0; i < n; i++)
    sum += docent_fp16_to_fp32 (x[i]) * y[i];
  return sum;
}

static float
dot_bf16 (gsize       n,
          const void *w,
          const void *a)
{
  const guint16 *x = w, *y = a;
  float sum = 0.f;

  for (gsize i = 0; i < n; i++)
    sum += docent_bf16_to_fp32 (x[i]) * docent_bf16_to_fp32 (y[i]);
  return sum;
}

/* ---- blocks of 32 -------------------------------------------------------- */

/* The integer dot of one block of 32 with its activations: weights
 * (q - bias), q of 4 bits or of 5 when qh is not NULL. */
BLOCK_INLINE int
block32_isum (const guint8 *qs,
              const guint8 *qh,
              int           bias,
              const gint8  *y)
{
  guint32 high = qh != NULL ? docent_qh_load (qh) : 0;
  int isum = 0;

  for (int j = 0; j < 16; j++)
    {
      int lo = ((qs[j] & 0xf) | (((high >> j) & 1) << 4)) - bias;
      int hi = ((qs[j] >> 4) | (((high >> (j + 16)) & 1) << 4)) - bias;

      isum += lo * y[j] + hi * y[j + 16];
    }
  return isum;
}

/* See the conformance notes: the reference's repacked Q4_0 order. */
static float
dot_q4_0 (gsize       n,
          const void *w,
          const void *a)
{
  const DocentBlockQ4_0 *x = w;
  const DocentBlockQ8_0 *y = a;
  float sum = 0.f;

  for (gsize i = 0; i < n / DOCENT_QK; i++)
    sum = fmaf ((float) block32_isum (x[i].qs, NULL, 8, y[i].qs), scales_product (x[i].d, y[i].d), sum);
  return sum;
}

/* (d q + m) . (e r) = d e sum (q r) + m (e sum r), and e sum r is y.s. */
DOT_BLOCKS (dot_q4_1, DocentBlockQ4_1, DocentBlockQ8_1, DOCENT_QK,
            scales_product (x[i].d, y[i].d) * block32_isum (x[i].qs, NULL, 0, y[i].qs)
            + scales_product (x[i].m, y[i].s))

/* Q5_0 in the reference engine's order: lane k of eight holds the
 * products of bytes 4 k … 4 k + 3 of each block (the low nibbles are
 * bytes 0-15, the high ones 16-31), one multiply-add chain per lane. */
static float
dot_q5_0 (gsize       n,
          const void *w,
          const void *a)
{
  const DocentBlockQ5_0 *x = w;
  const DocentBlockQ8_0 *y = a;
  float acc[8] = { 0 };

  for (gsize i = 0; i < n / DOCENT_QK; i++)
    {
      guint32 high = docent_qh_load (x[i].qh);
      float d = scales_product (x[i].d, y[i].d);
      int lane[8] = { 0 };

      for (int j = 0; j < 16; j++)
        {
          int lo = ((x[i].qs[j] & 0xf) | (((high >> j) & 1) << 4)) - 16;
          int hi = ((x[i].qs[j] >> 4) | (((high >> (j + 16)) & 1) << 4)) - 16;

          lane[j / 4] += lo * y[i].qs[j];
          lane[(j + 16) / 4] += hi * y[i].qs[j + 16];
        }
      for (int k = 0; k < 8; k++)
        acc[k] = fmaf (d, (float) lane[k], acc[k]);
    }
  return hsum8_reference (acc);
}

DOT_BLOCKS (dot_q5_1, DocentBlockQ5_1, DocentBlockQ8_1, DOCENT_QK,
            scales_product (x[i].d, y[i].d) * block32_isum (x[i].qs, x[i].qh, 0, y[i].qs)
            + scales_product (x[i].m, y[i].s))

static float
dot_q8_0 (gsize       n,
          const void *w,
          const void *a)
{
  const DocentBlockQ8_0 *x = w;
  const DocentBlockQ8_0 *y = a;
  float acc[8] = { 0 };

  /* The reference engine's order, as for Q5_0. */
  for (gsize i = 0; i < n / DOCENT_QK; i++)
    {
      float d = scales_product (x[i].d, y[i].d);
      int lane[8] = { 0 };

      for (int j = 0; j < DOCENT_QK; j++)
        lane[j / 4] += x[i].qs[j] * y[i].qs[j];
      for (int k = 0; k < 8; k++)
        acc[k] = fmaf (d, (float) lane[k], acc[k]);
    }
  return hsum8_reference (acc);
}

/* ---- K-quants against Q8_K ----------------------------------------------- */

/* Q2_K: x = d (sc & 15) q - dmin (sc >> 4) per group of 16; the offsets
 * only need the activations' group sums. */
static float
dot_q2_k (gsize       n,
          const void *w,
          const void *a)
{
  const DocentBlockQ2_K *x = w;
  const DocentBlockQ8_K *y = a;
  float sum = 0.f;

  for (gsize i = 0; i < n / DOCENT_QK_K; i++)
    {
      int isum = 0, msum = 0;

      for (int e = 0; e < DOCENT_QK_K; e++)
        {
          int h = e / 128, s = (e / 32) % 4, l = e % 32;
          int q = (x[i].qs[32 * h + l] >> (2 * s)) & 3;

          isum += (x[i].scales[e / 16] & 0xf) * q * y[i].qs[e];
        }
      for (int g = 0; g < 16; g++)
        msum += (x[i].scales[g] >> 4) * y[i].bsums[g];
      sum += y[i].d * (docent_fp16_to_fp32 (x[i].d) * isum
                       - docent_fp16_to_fp32 (x[i].dmin) * msum);
    }
  return sum;
}

static float
dot_q3_k (gsize       n,
          const void *w,
          const void *a)
{
  const DocentBlockQ3_K *x = w;
  const DocentBlockQ8_K *y = a;
  float sum = 0.f;

  for (gsize i = 0; i < n / DOCENT_QK_K; i++)
    {
      const guint8 *s = x[i].scales;
      int isum = 0;

      for (int g = 0; g < 16; g++)
        {
          int scale = docent_k3_scale (g, s);
          int gsum = 0;

          for (int e = 16 * g; e < 16 * g + 16; e++)
            {
              int h = e / 128, sh = (e / 32) % 4, l = e % 32;
              int q = (x[i].qs[32 * h + l] >> (2 * sh)) & 3;
              int high = (x[i].hmask[l] >> (4 * h + sh)) & 1;

              gsum += (q - (high ? 0 : 4)) * y[i].qs[e];
            }
          isum += scale * gsum;
        }
      sum += docent_fp16_to_fp32 (x[i].d) * y[i].d * isum;
    }
  return sum;
}

/* Integer sums of groups 2 p and 2 p + 1 of a Q4_K block: weights times
 * activations with the scales, and mins times the activations' sums. */
static void
q4_k_pair_isums (const DocentBlockQ4_K *x,
                 const DocentBlockQ8_K *y,
                 int                    p,
                 int                   *isum_out,
                 int                   *msum_out)
{
  int isum = 0, msum = 0;

  for (int g = 2 * p; g < 2 * p + 2; g++)
    {
      int sc, m, gsum = 0, shift = 4 * (g % 2);

      docent_k4_scale_min (g, x->scales, &sc, &m);
      for (int l = 0; l < 32; l++)
        gsum += ((x->qs[32 * p + l] >> shift) & 0xf) * y->qs[32 * g + l];
      isum += sc * gsum;
      msum += m * (y->bsums[2 * g] + y->bsums[2 * g + 1]);
    }
  *isum_out = isum;
  *msum_out = msum;
}

/* Q4_K in the reference engine's order for single rows: per super-block
 * one multiply-add of its whole integer sum, the mins in a second chain
 * taken off at the end. */
static float
dot_q4_k (gsize       n,
          const void *w,
          const void *a)
{
  const DocentBlockQ4_K *x = w;
  const DocentBlockQ8_K *y = a;
  float acc = 0.f, accm = 0.f;

  for (gsize i = 0; i < n / DOCENT_QK_K; i++)
    {
      int isum = 0, msum = 0;

      for (int p = 0; p < 4; p++)
        {
          int is, im;

          q4_k_pair_isums (&x[i], &y[i], p, &is, &im);
          isum += is;
          msum += im;
        }
      acc = fmaf ((float) isum, docent_fp16_to_fp32 (x[i].d) * y[i].d, acc);
      accm = fmaf ((float) msum, docent_fp16_to_fp32 (x[i].dmin) * y[i].d, accm);
    }
  return acc - accm;
}

/* Q4_K in the reference engine's order for rows of a batch taken four at
 * a time: one multiply-add per pair of groups of 32. */
static float
dot_q4_k_batch (gsize       n,
                const void *w,
                const void *a)
{
  const DocentBlockQ4_K *x = w;
  const DocentBlockQ8_K *y = a;
  float acc = 0.f, accm = 0.f;

  for (gsize i = 0; i < n / DOCENT_QK_K; i++)
    {
      float d = docent_fp16_to_fp32 (x[i].d) * y[i].d;
      float dmin = docent_fp16_to_fp32 (x[i].dmin) * y[i].d;

      for (int p = 0; p < 4; p++)
        {
          int is, im;

          q4_k_pair_isums (&x[i], &y[i], p, &is, &im);
          acc = fmaf ((float) is, d, acc);
          accm = fmaf ((float) im, dmin, accm);
        }
    }
  return acc - accm;
}

static void
dot_q4_k_rows4 (gsize       n,
                const void *w,
                const void *a,
                gsize       a_stride,
                guint       m,
                float      *out)
{
  for (guint r = 0; r < m; r++)
    out[r] = dot_q4_k_batch (n, w, (const guint8 *) a + r * a_stride);
}

/* One Q4_K / Q5_K block (Q5_K when qh is not NULL) against Q8_K. */
BLOCK_INLINE float
dot_k4_block (DocentHalf             d,
              DocentHalf             dmin,
              const guint8          *scales,
              const guint8          *qs,
              const guint8          *qh,
              const DocentBlockQ8_K *y)
{
  int isum = 0, msum = 0;

  for (int g = 0; g < 8; g++)
    {
      int sc, m, gsum = 0, c = g / 2, shift = 4 * (g % 2);

      docent_k4_scale_min (g, scales, &sc, &m);
      for (int l = 0; l < 32; l++)
        {
          int q = (qs[32 * c + l] >> shift) & 0xf;

          if (qh != NULL)
            q |= ((qh[l] >> g) & 1) << 4;
          gsum += q * y->qs[32 * g + l];
        }
      isum += sc * gsum;
      msum += m * (y->bsums[2 * g] + y->bsums[2 * g + 1]);
    }
  return y->d * (docent_fp16_to_fp32 (d) * isum - docent_fp16_to_fp32 (dmin) * msum);
}


DOT_BLOCKS (dot_q5_k, DocentBlockQ5_K, DocentBlockQ8_K, DOCENT_QK_K,
            dot_k4_block (x[i].d, x[i].dmin, x[i].scales, x[i].qs, x[i].qh, &y[i]))

static float
dot_q6_k (gsize       n,
          const void *w,
          const void *a)
{
  const DocentBlockQ6_K *x = w;
  const DocentBlockQ8_K *y = a;
  float acc[8] = { 0 };

  for (gsize i = 0; i < n / DOCENT_QK_K; i++)
    {
      int lane[8] = { 0 };
      float d = docent_fp16_to_fp32 (x[i].d) * y[i].d;

      for (int e = 0; e < DOCENT_QK_K; e++)
        {
          int h = e / 128, k = (e / 32) % 4, l = e % 32;
          guint8 low = x[i].ql[64 * h + 32 * (k & 1) + l];
          int q = (k < 2 ? (low & 0xf) : (low >> 4))
                  | (((x[i].qh[32 * h + l] >> (2 * k)) & 3) << 4);

          lane[(e % 32) / 4] += x[i].scales[e / 16] * (q - 32) * y[i].qs[e];
        }
      for (int k = 0; k < 8; k++)
        acc[k] = fmaf (d, (float) lane[k], acc[k]);
    }
  return hsum8_reference (acc);
}

/* ---- tables -------------------------------------------------------------- */

static void
set_kernel (DocentDotKernel  *table,
            guint32           type,
            DocentVecDotFunc  vec_dot,
            guint32           act_type)
{
  table[type].vec_dot = vec_dot;
  table[type].vec_dot_rows = NULL;
  table[type].vec_dot_rows4 = NULL;
  table[type].vec_dot_tile = NULL;
  table[type].act_type = act_type;
  table[type].from_float = docent_quantize_func (act_type);
}

static void
fill_scalar (DocentDotKernel *table)
{
  set_kernel (table, DOCENT_TYPE_F32, dot_f32, DOCENT_TYPE_F32);
  set_kernel (table, DOCENT_TYPE_F16, dot_f16, DOCENT_TYPE_F32);
  set_kernel (table, DOCENT_TYPE_BF16, dot_bf16, DOCENT_TYPE_BF16);
  set_kernel (table, DOCENT_TYPE_Q4_0, dot_q4_0, DOCENT_TYPE_Q8_0);
  set_kernel (table, DOCENT_TYPE_Q4_1, dot_q4_1, DOCENT_TYPE_Q8_1);
  set_kernel (table, DOCENT_TYPE_Q5_0, dot_q5_0, DOCENT_TYPE_Q8_0);
  set_kernel (table, DOCENT_TYPE_Q5_1, dot_q5_1, DOCENT_TYPE_Q8_1);
  set_kernel (table, DOCENT_TYPE_Q8_0, dot_q8_0, DOCENT_TYPE_Q8_0);
  set_kernel (table, DOCENT_TYPE_Q2_K, dot_q2_k, DOCENT_TYPE_Q8_K);
  set_kernel (table, DOCENT_TYPE_Q3_K, dot_q3_k, DOCENT_TYPE_Q8_K);
  set_kernel (table, DOCENT_TYPE_Q4_K, dot_q4_k, DOCENT_TYPE_Q8_K);
  set_kernel (table, DOCENT_TYPE_Q5_K, dot_q5_k, DOCENT_TYPE_Q8_K);
  set_kernel (table, DOCENT_TYPE_Q6_K, dot_q6_k, DOCENT_TYPE_Q8_K);
  table[DOCENT_TYPE_Q4_K].vec_dot_rows4 = dot_q4_k_rows4;
}

/* Built once, read-only afterwards. */
typedef struct {
  DocentDotKernel tables[DOCENT_KERNEL_PATH_COUNT][DOCENT_TYPE_COUNT];
  gboolean available[DOCENT_KERNEL_PATH_COUNT];
  DocentKernelPath selected;
} KernelSets;

static DocentKernelPath
choose_path (const KernelSets *sets)
{
  const char *forced = g_getenv ("DOCENT_KERNELS");
  DocentKernelPath best = DOCENT_KERNEL_PATH_SCALAR;

  for (int p = 0; p < DOCENT_KERNEL_PATH_COUNT; p++)
    if (sets->available[p])
      best = (DocentKernelPath) p;
  if (forced == NULL || *forced == '\0')
    return best;
  for (int p = 0; p < DOCENT_KERNEL_PATH_COUNT; p++)
    if (g_ascii_strcasecmp (forced, docent_kernel_path_name ((DocentKernelPath) p)) == 0)
      {
        if (sets->available[p])
          return (DocentKernelPath) p;
        g_message ("DOCENT_KERNELS=%s: this CPU cannot run it, using %s",
                   forced, docent_kernel_path_name (best));
        return best;
      }
  g_message ("DOCENT_KERNELS=%s is not one of scalar, avx2, avx512; using %s",
             forced, docent_kernel_path_name (best));
  return best;
}

static KernelSets *
build_sets (void)
{
  const DocentCpu *cpu = docent_cpu_get ();
  KernelSets *sets = g_new0 (KernelSets, 1);

  fill_scalar (sets->tables[DOCENT_KERNEL_PATH_SCALAR]);
  sets->available[DOCENT_KERNEL_PATH_SCALAR] = TRUE;
  sets->available[DOCENT_KERNEL_PATH_AVX2] = cpu->avx2 && cpu->fma && cpu->f16c;
  /* VNNI is part of the AVX-512 set: without it AVX2 is nearly as fast
   * for the integer dots. */
  sets->available[DOCENT_KERNEL_PATH_AVX512] =
    sets->available[DOCENT_KERNEL_PATH_AVX2] && cpu->avx512f && cpu->avx512bw
    && cpu->avx512vl && cpu->avx512vnni;
  if (sets->available[DOCENT_KERNEL_PATH_AVX2])
    {
      memcpy (sets->tables[DOCENT_KERNEL_PATH_AVX2], sets->tables[DOCENT_KERNEL_PATH_SCALAR],
              sizeof sets->tables[0]);
      docent_kernels_avx2_install (sets->tables[DOCENT_KERNEL_PATH_AVX2]);
    }
  if (sets->available[DOCENT_KERNEL_PATH_AVX512])
    {
      memcpy (sets->tables[DOCENT_KERNEL_PATH_AVX512], sets->tables[DOCENT_KERNEL_PATH_AVX2],
              sizeof sets->tables[0]);
      docent_kernels_avx512_install (sets->tables[DOCENT_KERNEL_PATH_AVX512], cpu->avx512bf16);
    }
  sets->selected = choose_path (sets);
  return sets;
}

static const KernelSets *
kernel_sets (void)
{
  static KernelSets *sets;

  if (g_once_init_enter (&sets))
    g_once_init_leave (&sets, build_sets ());
  return sets;
}

const DocentDotKernel *
docent_dot_kernel_for_path (DocentKernelPath path,
                            guint32          type)
{
  const KernelSets *sets = kernel_sets ();

  if ((guint) path >= DOCENT_KERNEL_PATH_COUNT || !sets->available[path]
      || type >= DOCENT_TYPE_COUNT || sets->tables[path][type].vec_dot == NULL)
    return NULL;
  return &sets->tables[path][type];
}

const DocentDotKernel *
docent_dot_kernel (guint32 type)
{
  return docent_dot_kernel_for_path (kernel_sets ()->selected, type);
}

DocentKernelPath
docent_kernel_path (void)
{
  return kernel_sets ()->selected;
}

gboolean
docent_kernel_path_available (DocentKernelPath path)
{
  return (guint) path < DOCENT_KERNEL_PATH_COUNT && kernel_sets ()->available[path];
}

const char *
docent_kernel_path_name (DocentKernelPath path)
{
  switch (path)
    {
    case DOCENT_KERNEL_PATH_SCALAR:
      return "scalar";
    case DOCENT_KERNEL_PATH_AVX2:
      return "avx2";
    case DOCENT_KERNEL_PATH_AVX512:
      return "avx512";
    case DOCENT_KERNEL_PATH_COUNT:
    default:
      return "unknown";
    }
}
