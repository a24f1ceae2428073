/* dot.c — the scalar dot-product kernels (the reference every SIMD path is
 * tested against) and the run-time choice of kernel set. */
#include "engine/dot.h"


#include "engine/cpu.h"
#include "engine/quant.h"

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

static inline guint32
read_qh (const guint8 *qh)
{
  return (guint32) qh[0] | ((guint32) qh[1] << 8)
         | ((guint32) qh[2] << 16) | ((guint32) qh[3] << 24);
}

static float
dot_q4_0 (gsize       n,
          const void *w,
          const void *a)
{
  const DocentBlockQ4_0 *x = w;
  const DocentBlockQ8_0 *y = a;
  float sum = 0.f;

  for (gsize i = 0; i < n / DOCENT_QK; i++)
    {
      int isum = 0;

      for (int j = 0; j < 16; j++)
        isum += ((x[i].qs[j] & 0xf) - 8) * y[i].qs[j]
                + ((x[i].qs[j] >> 4) - 8) * y[i].qs[j + 16];
      sum += docent_fp16_to_fp32 (x[i].d) * docent_fp16_to_fp32 (y[i].d) * isum;
    }
  return sum;
}

/* (d q + m) . (e r) = d e sum (q r) + m (e sum r), and e sum r is y.s. */
static float
dot_q4_1 (gsize       n,
          const void *w,
          const void *a)
{
  const DocentBlockQ4_1 *x = w;
  const DocentBlockQ8_1 *y = a;
  float sum = 0.f;

  for (gsize i = 0; i < n / DOCENT_QK; i++)
    {
      int isum = 0;

      for (int j = 0; j < 16; j++)
        isum += (x[i].qs[j] & 0xf) * y[i].qs[j] + (x[i].qs[j] >> 4) * y[i].qs[j + 16];
      sum += docent_fp16_to_fp32 (x[i].d) * docent_fp16_to_fp32 (y[i].d) * isum
             + docent_fp16_to_fp32 (x[i].m) * docent_fp16_to_fp32 (y[i].s);
    }
  return sum;
}

static float
dot_q5_0 (gsize       n,
          const void *w,
          const void *a)
{
  const DocentBlockQ5_0 *x = w;
  const DocentBlockQ8_0 *y = a;
  float sum = 0.f;

  for (gsize i = 0; i < n / DOCENT_QK; i++)
    {
      guint32 qh = read_qh (x[i].qh);
      int isum = 0;

      for (int j = 0; j < 16; j++)
        {
          int lo = ((x[i].qs[j] & 0xf) | (((qh >> j) & 1) << 4)) - 16;
          int hi = ((x[i].qs[j] >> 4) | (((qh >> (j + 16)) & 1) << 4)) - 16;

          isum += lo * y[i].qs[j] + hi * y[i].qs[j + 16];
        }
      sum += docent_fp16_to_fp32 (x[i].d) * docent_fp16_to_fp32 (y[i].d) * isum;
    }
  return sum;
}

static float
dot_q5_1 (gsize       n,
          const void *w,
          const void *a)
{
  const DocentBlockQ5_1 *x = w;
  const DocentBlockQ8_1 *y = a;
  float sum = 0.f;

  for (gsize i = 0; i < n / DOCENT_QK; i++)
    {
      guint32 qh = read_qh (x[i].qh);
      int isum = 0;

      for (int j = 0; j < 16; j++)
        {
          int lo = (x[i].qs[j] & 0xf) | (((qh >> j) & 1) << 4);
          int hi = (x[i].qs[j] >> 4) | (((qh >> (j + 16)) & 1) << 4);

          isum += lo * y[i].qs[j] + hi * y[i].qs[j + 16];
        }
      sum += docent_fp16_to_fp32 (x[i].d) * docent_fp16_to_fp32 (y[i].d) * isum
             + docent_fp16_to_fp32 (x[i].m) * docent_fp16_to_fp32 (y[i].s);
    }
  return sum;
}

static float
dot_q8_0 (gsize       n,
          const void *w,
          const void *a)
{
  const DocentBlockQ8_0 *x = w;
  const DocentBlockQ8_0 *y = a;
  float sum = 0.f;

  for (gsize i = 0; i < n / DOCENT_QK; i++)
    {
      int isum = 0;

      for (int j = 0; j < DOCENT_QK; j++)
        isum += x[i].qs[j] * y[i].qs[j];
      sum += docent_fp16_to_fp32 (x[i].d) * docent_fp16_to_fp32 (y[i].d) * isum;
    }
  return sum;
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
          int low = g < 8 ? (s[g] & 0xf) : (s[g - 8] >> 4);
          int scale = (low | (((s[8 + g % 4] >> (2 * (g / 4))) & 3) << 4)) - 32;
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

static inline void
scale_min_k4 (int           j,
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

static float
dot_q4_k (gsize       n,
          const void *w,
          const void *a)
{
  const DocentBlockQ4_K *x = w;
  const DocentBlockQ8_K *y = a;
  float sum = 0.f;

  for (gsize i = 0; i < n / DOCENT_QK_K; i++)
    {
      int isum = 0, msum = 0;

      for (int g = 0; g < 8; g++)
        {
          int sc, m, gsum = 0, c = g / 2, shift = 4 * (g % 2);

          scale_min_k4 (g, x[i].scales, &sc, &m);
          for (int l = 0; l < 32; l++)
            gsum += ((x[i].qs[32 * c + l] >> shift) & 0xf) * y[i].qs[32 * g + l];
          isum += sc * gsum;
          msum += m * (y[i].bsums[2 * g] + y[i].bsums[2 * g + 1]);
        }
      sum += y[i].d * (docent_fp16_to_fp32 (x[i].d) * isum
                       - docent_fp16_to_fp32 (x[i].dmin) * msum);
    }
  return sum;
}

static float
dot_q5_k (gsize       n,
          const void *w,
          const void *a)
{
  const DocentBlockQ5_K *x = w;
  const DocentBlockQ8_K *y = a;
  float sum = 0.f;

  for (gsize i = 0; i < n / DOCENT_QK_K; i++)
    {
      int isum = 0, msum = 0;

      for (int g = 0; g < 8; g++)
        {
          int sc, m, gsum = 0, c = g / 2, shift = 4 * (g % 2);

          scale_min_k4 (g, x[i].scales, &sc, &m);
          for (int l = 0; l < 32; l++)
            {
              int q = ((x[i].qs[32 * c + l] >> shift) & 0xf)
                      | (((x[i].qh[l] >> g) & 1) << 4);

              gsum += q * y[i].qs[32 * g + l];
            }
          isum += sc * gsum;
          msum += m * (y[i].bsums[2 * g] + y[i].bsums[2 * g + 1]);
        }
      sum += y[i].d * (docent_fp16_to_fp32 (x[i].d) * isum
                       - docent_fp16_to_fp32 (x[i].dmin) * msum);
    }
  return sum;
}

static float
dot_q6_k (gsize       n,
          const void *w,
          const void *a)
{
  const DocentBlockQ6_K *x = w;
  const DocentBlockQ8_K *y = a;
  float sum = 0.f;

  for (gsize i = 0; i < n / DOCENT_QK_K; i++)
    {
      int isum = 0;

      for (int g = 0; g < 16; g++)
        {
          int gsum = 0;

          for (int e = 16 * g; e < 16 * g + 16; e++)
            {
              int h = e / 128, k = (e / 32) % 4, l = e % 32;
              guint8 low = x[i].ql[64 * h + 32 * (k & 1) + l];
              int q = (k < 2 ? (low & 0xf) : (low >> 4))
                      | (((x[i].qh[32 * h + l] >> (2 * k)) & 3) << 4);

              gsum += (q - 32) * y[i].qs[e];
            }
          isum += x[i].scales[g] * gsum;
        }
      sum += docent_fp16_to_fp32 (x[i].d) * y[i].d * isum;
    }
  return sum;
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
