/* ops.c — the non-matrix operations of the forward pass (see ops.h).
 * Written for clarity and for the compiler's auto-vectoriser: plain loops
 * over contiguous floats. */
#include "engine/ops.h"

#include <math.h>

#include "engine/cpu.h"
#include "engine/quant.h"

#if defined(__x86_64__) && defined(__GNUC__)
# include <immintrin.h>
# define OPS_HAVE_F16C 1
#endif

/* The sum is kept in double, the scale computed in float: the reference
 * does the same, and quantized activations downstream turn differences
 * in the last bit into different rounding. */
void
docent_rmsnorm (float       *out,
                const float *x,
                const float *w,
                guint        n,
                float        eps)
{
  double ss = 0.0;
  float mean, scale;

  for (guint i = 0; i < n; i++)
    ss += (double) x[i] * x[i];
  mean = (float) (ss / n);
  scale = 1.0f / sqrtf (mean + eps);
  if (w != NULL)
    for (guint i = 0; i < n; i++)
      out[i] = (x[i] * scale) * w[i];
  else
    for (guint i = 0; i < n; i++)
      out[i] = x[i] * scale;
}

void
docent_layernorm (float       *out,
                  const float *x,
                  const float *w,
                  const float *b,
                  guint        n,
                  float        eps)
{
  double mean = 0.0, var = 0.0;
  float scale;

  for (guint i = 0; i < n; i++)
    mean += x[i];
  mean /= n;
  for (guint i = 0; i < n; i++)
    var += (x[i] - mean) * (x[i] - mean);
  scale = (float) (1.0 / sqrt (var / n + eps));
  for (guint i = 0; i < n; i++)
    {
      float y = (float) (x[i] - mean) * scale;

      if (w != NULL)
        y *= w[i];
      if (b != NULL)
        y += b[i];
      out[i] = y;
    }
}

/* The angles are built as the reference builds them: in float, the
 * frequency of pair i + 1 being that of pair i times base^(-2 / n_rot).
 * Computing them exactly instead moves late positions by up to 1e-4 rad,
 * enough to change a quantized activation here and there. */
void
docent_rope_angles (float       *cs,
                    guint        pos,
                    guint        n_rot,
                    float        base,
                    float        scale,
                    const float *factors)
{
  float step = powf (base, -2.0f / (float) n_rot);
  float theta = (float) pos;

  for (guint i = 0; i < n_rot / 2; i++)
    {
      float angle = theta;

      if (factors != NULL)
        angle /= factors[i];
      angle *= scale;
      cs[2 * i] = cosf (angle);
      cs[2 * i + 1] = sinf (angle);
      theta *= step;
    }
}

void
docent_rope_apply (float       *x,
                   guint        n_heads,
                   guint        head_dim,
                   guint        n_rot,
                   const float *cs,
                   gboolean     neox)
{
  guint half = n_rot / 2;

  for (guint h = 0; h < n_heads; h++)
    {
      float *v = x + (gsize) h * head_dim;

      for (guint i = 0; i < half; i++)
        {
          /* neox rotates the two halves against each other, the
           * original layout neighbouring pairs. */
          guint a = neox ? i : 2 * i;
          guint b = neox ? i + half : 2 * i + 1;
          float c = cs[2 * i], s = cs[2 * i + 1];
          float x0 = v[a], x1 = v[b];

          v[a] = x0 * c - x1 * s;
          v[b] = x0 * s + x1 * c;
        }
    }
}

void
docent_softmax (float *x,
                guint  n)
{
  float max = -INFINITY, inv;
  double sum = 0.0;

  for (guint i = 0; i < n; i++)
    max = MAX (max, x[i]);
  for (guint i = 0; i < n; i++)
    {
      x[i] = expf (x[i] - max);
      sum += x[i];
    }
  inv = (float) (1.0 / sum);
  for (guint i = 0; i < n; i++)
    x[i] *= inv;
}

void
docent_softcap (float *x,
                guint  n,
                float  cap)
{
  for (guint i = 0; i < n; i++)
    x[i] = cap * tanhf (x[i] / cap);
}

static inline float
round_half (float x)
{
  return docent_fp16_to_fp32 (docent_fp32_to_fp16 (x));
}

float
docent_gelu (float x)
{
  const float sqrt_2_over_pi = 0.79788456080286535588f;

  if (x <= -10.0f)
    return 0.0f;
  if (x >= 10.0f)
    return x;
  x = round_half (x);
  return round_half (0.5f * x * (1.0f + tanhf (sqrt_2_over_pi * x * (1.0f + 0.044715f * x * x))));
}

void
docent_swiglu (float       *gate,
               const float *up,
               guint        n)
{
  for (guint i = 0; i < n; i++)
    gate[i] = docent_silu (gate[i]) * up[i];
}

void
docent_geglu (float       *gate,
              const float *up,
              guint        n)
{
  for (guint i = 0; i < n; i++)
    gate[i] = docent_gelu (gate[i]) * up[i];
}

/* Eight running sums so the compiler can keep them in one vector
 * register (it may not reorder a single float sum). */
static inline float
dot_f32 (const float *a,
         const float *b,
         guint        n)
{
  float acc[8] = { 0 };
  float s = 0.0f;
  guint i = 0;

  for (; i + 8 <= n; i += 8)
    for (guint j = 0; j < 8; j++)
      acc[j] += a[i + j] * b[i + j];
  for (; i < n; i++)
    s += a[i] * b[i];
  for (guint j = 0; j < 8; j++)
    s += acc[j];
  return s;
}

static inline void
axpy_f32 (float       *y,
          float        a,
          const float *x,
          guint        n)
{
  for (guint i = 0; i < n; i++)
    y[i] += a * x[i];
}

static inline void
half_to_float_row (float         *y,
                   const guint16 *x,
                   guint          n)
{
  for (guint i = 0; i < n; i++)
    y[i] = docent_fp16_to_fp32 (x[i]);
}

#ifdef OPS_HAVE_F16C
/* The same with AVX2, FMA and the CPU's half conversion: the cache is
 * read for every key of every head, the inner loop of long prompts. */
__attribute__ ((target ("avx2,fma,f16c")))
static float
dot_f32_avx2 (const float *a,
              const float *b,
              guint        n)
{
  __m256 acc = _mm256_setzero_ps ();
  __m128 s;
  float r;
  guint i = 0;

  for (; i + 8 <= n; i += 8)
    acc = _mm256_fmadd_ps (_mm256_loadu_ps (a + i), _mm256_loadu_ps (b + i), acc);
  s = _mm_add_ps (_mm256_castps256_ps128 (acc), _mm256_extractf128_ps (acc, 1));
  s = _mm_hadd_ps (s, s);
  s = _mm_hadd_ps (s, s);
  r = _mm_cvtss_f32 (s);
  for (; i < n; i++)
    r += a[i] * b[i];
  return r;
}

__attribute__ ((target ("avx2,fma,f16c")))
static void
axpy_f32_avx2 (float       *y,
               float        a,
               const float *x,
               guint        n)
{
  __m256 va = _mm256_set1_ps (a);
  guint i = 0;

  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps (y + i, _mm256_fmadd_ps (va, _mm256_loadu_ps (x + i), _mm256_loadu_ps (y + i)));
  for (; i < n; i++)
    y[i] += a * x[i];
}

__attribute__ ((target ("avx2,fma,f16c")))
static void
round_half_row_f16c (float *x,
                     guint  n)
{
  guint i = 0;

  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps (x + i, _mm256_cvtph_ps (_mm256_cvtps_ph (_mm256_loadu_ps (x + i),
                                                               _MM_FROUND_TO_NEAREST_INT)));
  for (; i < n; i++)
    x[i] = round_half (x[i]);
}

__attribute__ ((target ("avx2,fma,f16c")))
static void
half_to_float_row_f16c (float         *y,
                        const guint16 *x,
                        guint          n)
{
  guint i = 0;

  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps (y + i, _mm256_cvtph_ps (_mm_loadu_si128 ((const __m128i *) (x + i))));
  for (; i < n; i++)
    y[i] = docent_fp16_to_fp32 (x[i]);
}
#endif

typedef struct {
  float (*dot) (const float *a, const float *b, guint n);
  void (*axpy) (float *y, float a, const float *x, guint n);
  void (*to_float) (float *y, const guint16 *x, guint n);
  void (*round_half) (float *x, guint n);
} AttentionKernels;

static void
round_half_row_plain (float *x,
                      guint  n)
{
  for (guint i = 0; i < n; i++)
    x[i] = round_half (x[i]);
}

static float
dot_f32_plain (const float *a,
               const float *b,
               guint        n)
{
  return dot_f32 (a, b, n);
}

static void
axpy_f32_plain (float       *y,
                float        a,
                const float *x,
                guint        n)
{
  axpy_f32 (y, a, x, n);
}

static void
half_to_float_row_plain (float         *y,
                         const guint16 *x,
                         guint          n)
{
  half_to_float_row (y, x, n);
}

static const AttentionKernels *
attention_kernels (void)
{
  static const AttentionKernels plain = {
    dot_f32_plain, axpy_f32_plain, half_to_float_row_plain, round_half_row_plain
  };
#ifdef OPS_HAVE_F16C
  static const AttentionKernels avx2 = {
    dot_f32_avx2, axpy_f32_avx2, half_to_float_row_f16c, round_half_row_f16c
  };
  const DocentCpu *cpu = docent_cpu_get ();

  if (cpu->avx2 && cpu->fma && cpu->f16c)
    return &avx2;
#endif
  return &plain;
}

void
docent_attention_group (float         *out,
                        const float   *q,
                        guint          n_q,
                        const guint16 *k,
                        const guint16 *v,
                        gsize          stride,
                        guint          head_dim,
                        guint          first,
                        guint          last,
                        float          q_scale,
                        float          kq_scale,
                        float          softcap,
                        float         *scores,
                        float         *work)
{
  const AttentionKernels *kern = attention_kernels ();
  guint n = last - first;
  float *qh = work, *row = work + (gsize) n_q * head_dim;

  for (guint i = 0; i < n_q * head_dim; i++)
    qh[i] = q[i] * q_scale;
  kern->round_half (qh, n_q * head_dim);
  /* Keys outer, heads inner: each cached row is converted once for the
   * whole group of query heads that share it. */
  for (guint t = 0; t < n; t++)
    {
      kern->to_float (row, k + (first + t) * stride, head_dim);
      for (guint h = 0; h < n_q; h++)
        scores[(gsize) h * n + t] = kern->dot (qh + (gsize) h * head_dim, row, head_dim) * kq_scale;
    }
  for (guint h = 0; h < n_q; h++)
    {
      float *sh = scores + (gsize) h * n;

      if (softcap > 0.0f)
        docent_softcap (sh, n, softcap);
      docent_softmax (sh, n);
      kern->round_half (sh, n);
    }
  for (guint i = 0; i < n_q * head_dim; i++)
    out[i] = 0.0f;
  for (guint t = 0; t < n; t++)
    {
      kern->to_float (row, v + (first + t) * stride, head_dim);
      for (guint h = 0; h < n_q; h++)
        kern->axpy (out + (gsize) h * head_dim, scores[(gsize) h * n + t], row, head_dim);
    }
}
