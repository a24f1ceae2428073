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

/* The squares are rounded to float and summed in double, the scale
 * computed in float: the reference does the same, and quantized
 * activations downstream turn differences in the last bit into different
 * rounding. */
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
    ss += (double) (x[i] * x[i]);
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

          /* Each with one fused multiply-add, as the reference's
           * compiler contracts them. */
          v[a] = fmaf (x0, c, -(x1 * s));
          v[b] = fmaf (x0, s, x1 * c);
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

/* exp (x) as the reference's vector code computes it (for 16 floats at
 * a time on AVX-512; SiLU and the attention softmax use it): x = n ln 2 +
 * b, a degree-5 polynomial in b, scaled by 2^n. Within about 1.5 ulp of
 * expf, but the last bits decide the half-precision rounding of attention
 * weights and the 8-bit rounding of activations. */
#define VEXP_SHIFT 0x1.8p23f

static inline float
vexp_poly (float b)
{
  float u = b * b;

  return fmaf (fmaf (fmaf (0x1.0e4020p-7f, b, 0x1.573e2ep-5f), u,
                     fmaf (0x1.555e66p-3f, b, 0x1.fffdb6p-2f)),
               u, fmaf (0x1.ffffecp-1f, b, 1.0f));
}

static float
vexp (float x)
{
  float z = fmaf (x, 0x1.715476p+0f, VEXP_SHIFT);
  float n = z - VEXP_SHIFT;
  float b = fmaf (-n, 0x1.7f7d1cp-20f, fmaf (-n, 0x1.62e4p-1f, x));

  if (fabsf (n) > 192.0f)
    return n <= 0.0f ? 0.0f : INFINITY;
  return ldexpf (vexp_poly (b), (int) n);
}

/* The reference's vector loops run over whole groups of 16 and leave the
 * rest to expf. */
#define VEXP_GROUP 16

static void
swiglu_plain (float       *gate,
              const float *up,
              guint        n)
{
  guint whole = n - n % VEXP_GROUP, i = 0;

  for (; i < whole; i++)
    gate[i] = gate[i] / (1.0f + vexp (0.0f - gate[i])) * up[i];
  for (; i < n; i++)
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

/* The attention products are summed the way the reference's matrix
 * product (16-float vectors) sums them: element k goes to lane k % 16,
 * each lane a chain of multiply-adds in order, and the 16 lanes are then
 * added as a tree (lane l + lane l + 8, then + 4, + 2, + 1). */
#define LANES 16

static inline float
lanes_sum (const float *acc)
{
  float v[8], w[4];

  for (int i = 0; i < 8; i++)
    v[i] = acc[i] + acc[i + 8];
  for (int i = 0; i < 4; i++)
    w[i] = v[i] + v[i + 4];
  return (w[0] + w[2]) + (w[1] + w[3]);
}

static inline float
dot_lanes (const float *a,
           const float *b,
           guint        n)
{
  float acc[LANES] = { 0 };

  /* Both factors are half-precision values, so the product is exact
   * and a multiply-add rounds as a fused one does. */
  for (guint i = 0; i < n; i++)
    acc[i % LANES] += a[i] * b[i];
  return lanes_sum (acc);
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

/* out[d] = the tree sum of acc[l * stride + d] over the 16 lanes l. */
static inline void
lanes_reduce (float       *out,
              const float *acc,
              gsize        stride,
              guint        n)
{
  for (guint d = 0; d < n; d++)
    {
      float lanes[LANES];

      for (int l = 0; l < LANES; l++)
        lanes[l] = acc[l * stride + d];
      out[d] = lanes_sum (lanes);
    }
}

/* Probabilities in place: exp (x - max) by vexp, summed in double by
 * groups of 16 aligned on cache position 0 (`first` is the position of
 * x[0]), each group a tree sum in float. */
static void
attention_softmax (float *x,
                   guint  n,
                   guint  first)
{
  float max = -INFINITY, inv;
  double sum = 0.0;
  guint t = 0;

  for (guint i = 0; i < n; i++)
    max = MAX (max, x[i]);
  for (guint i = 0; i < n; i++)
    x[i] = vexp (x[i] - max);
  while (t < n)
    {
      float lanes[LANES] = { 0 };
      guint end = ((first + t) / LANES + 1) * LANES - first;

      for (; t < n && t < end; t++)
        lanes[(first + t) % LANES] = x[t];
      sum += (double) lanes_sum (lanes);
    }
  inv = (float) (1.0 / sum);
  for (guint i = 0; i < n; i++)
    x[i] *= inv;
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
static __m256 vexp_avx2 (__m256 x);

/* The same with AVX2, FMA and the CPU's half conversion: the cache is
 * read for every key of every head, the inner loop of long prompts.
 * Lanes 0-7 and 8-15 are two vectors; their tree sum is that of hsum. */
__attribute__ ((target ("avx2,fma,f16c")))
static inline float
hsum_avx2 (__m256 v)
{
  __m128 s = _mm_add_ps (_mm256_castps256_ps128 (v), _mm256_extractf128_ps (v, 1));

  s = _mm_add_ps (s, _mm_movehl_ps (s, s));
  s = _mm_add_ss (s, _mm_movehdup_ps (s));
  return _mm_cvtss_f32 (s);
}

__attribute__ ((target ("avx2,fma,f16c")))
static float
dot_lanes_avx2 (const float *a,
                const float *b,
                guint        n)
{
  __m256 acc0 = _mm256_setzero_ps (), acc1 = _mm256_setzero_ps ();
  guint i = 0;

  for (; i + LANES <= n; i += LANES)
    {
      acc0 = _mm256_fmadd_ps (_mm256_loadu_ps (a + i), _mm256_loadu_ps (b + i), acc0);
      acc1 = _mm256_fmadd_ps (_mm256_loadu_ps (a + i + 8), _mm256_loadu_ps (b + i + 8), acc1);
    }
  if (i < n)
    {
      float lanes[LANES];

      _mm256_storeu_ps (lanes, acc0);
      _mm256_storeu_ps (lanes + 8, acc1);
      for (; i < n; i++)
        lanes[i % LANES] = fmaf (a[i], b[i], lanes[i % LANES]);
      return lanes_sum (lanes);
    }
  return hsum_avx2 (_mm256_add_ps (acc0, acc1));
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
    y[i] = fmaf (a, x[i], y[i]);
}

__attribute__ ((target ("avx2,fma,f16c")))
static void
lanes_reduce_avx2 (float       *out,
                   const float *acc,
                   gsize        stride,
                   guint        n)
{
  guint d = 0;

  for (; d + 8 <= n; d += 8)
    {
      __m256 v[8], w[4];

      for (int l = 0; l < 8; l++)
        v[l] = _mm256_add_ps (_mm256_loadu_ps (acc + l * stride + d),
                              _mm256_loadu_ps (acc + (l + 8) * stride + d));
      for (int l = 0; l < 4; l++)
        w[l] = _mm256_add_ps (v[l], v[l + 4]);
      _mm256_storeu_ps (out + d, _mm256_add_ps (_mm256_add_ps (w[0], w[2]),
                                                _mm256_add_ps (w[1], w[3])));
    }
  if (d < n)
    lanes_reduce (out + d, acc + d, stride, n - d);
}

__attribute__ ((target ("avx2,fma,f16c")))
static void
attention_softmax_avx2 (float *x,
                        guint  n,
                        guint  first)
{
  float max = -INFINITY, inv;
  double sum = 0.0;
  guint i = 0, t;

  for (guint k = 0; k < n; k++)
    max = MAX (max, x[k]);
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps (x + i, vexp_avx2 (_mm256_sub_ps (_mm256_loadu_ps (x + i),
                                                       _mm256_set1_ps (max))));
  for (; i < n; i++)
    x[i] = vexp (x[i] - max);
  /* A first partial group, whole groups of 16, a last partial group. */
  t = 0;
  if (first % LANES != 0 || n < LANES)
    {
      float lanes[LANES] = { 0 };
      guint end = MIN (n, LANES - first % LANES);

      for (; t < end; t++)
        lanes[(first + t) % LANES] = x[t];
      sum += (double) lanes_sum (lanes);
    }
  for (; t + LANES <= n; t += LANES)
    sum += (double) hsum_avx2 (_mm256_add_ps (_mm256_loadu_ps (x + t), _mm256_loadu_ps (x + t + 8)));
  if (t < n)
    {
      float lanes[LANES] = { 0 };

      for (; t < n; t++)
        lanes[(first + t) % LANES] = x[t];
      sum += (double) lanes_sum (lanes);
    }
  inv = (float) (1.0 / sum);
  for (guint k = 0; k < n; k++)
    x[k] *= inv;
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

/* vexp on eight floats: the same operations, 2^n built in the exponent
 * bits; the rare lanes with |n| > 126 go through the scalar code. */
__attribute__ ((target ("avx2,fma,f16c")))
static __m256
vexp_avx2 (__m256 x)
{
  const __m256 shift = _mm256_set1_ps (VEXP_SHIFT);
  __m256 z = _mm256_fmadd_ps (x, _mm256_set1_ps (0x1.715476p+0f), shift);
  __m256 n = _mm256_sub_ps (z, shift);
  __m256 b = _mm256_fnmadd_ps (n, _mm256_set1_ps (0x1.7f7d1cp-20f),
                               _mm256_fnmadd_ps (n, _mm256_set1_ps (0x1.62e4p-1f), x));
  __m256 u = _mm256_mul_ps (b, b);
  __m256 j = _mm256_fmadd_ps (_mm256_fmadd_ps (_mm256_fmadd_ps (_mm256_set1_ps (0x1.0e4020p-7f), b,
                                                                _mm256_set1_ps (0x1.573e2ep-5f)),
                                               u,
                                               _mm256_fmadd_ps (_mm256_set1_ps (0x1.555e66p-3f), b,
                                                                _mm256_set1_ps (0x1.fffdb6p-2f))),
                              u, _mm256_fmadd_ps (_mm256_set1_ps (0x1.ffffecp-1f), b,
                                                  _mm256_set1_ps (1.0f)));
  __m256i e = _mm256_slli_epi32 (_mm256_add_epi32 (_mm256_cvtps_epi32 (n), _mm256_set1_epi32 (127)), 23);
  __m256 r = _mm256_mul_ps (j, _mm256_castsi256_ps (e));
  __m256 big = _mm256_cmp_ps (_mm256_andnot_ps (_mm256_set1_ps (-0.0f), n),
                              _mm256_set1_ps (126.0f), _CMP_GT_OQ);

  if (G_UNLIKELY (!_mm256_testz_ps (big, big) || _mm256_movemask_ps (_mm256_cmp_ps (x, x, _CMP_UNORD_Q))))
    {
      float v[8];

      _mm256_storeu_ps (v, x);
      for (int i = 0; i < 8; i++)
        v[i] = vexp (v[i]);
      return _mm256_loadu_ps (v);
    }
  return r;
}

__attribute__ ((target ("avx2,fma,f16c")))
static void
swiglu_avx2 (float       *gate,
             const float *up,
             guint        n)
{
  guint whole = n - n % VEXP_GROUP, i = 0;

  for (; i < whole; i += 8)
    {
      __m256 g = _mm256_loadu_ps (gate + i);
      __m256 e = vexp_avx2 (_mm256_sub_ps (_mm256_setzero_ps (), g));
      __m256 s = _mm256_div_ps (g, _mm256_add_ps (_mm256_set1_ps (1.0f), e));

      _mm256_storeu_ps (gate + i, _mm256_mul_ps (s, _mm256_loadu_ps (up + i)));
    }
  for (; i < n; i++)
    gate[i] = docent_silu (gate[i]) * up[i];
}
#endif

void
docent_swiglu (float       *gate,
               const float *up,
               guint        n)
{
#ifdef OPS_HAVE_F16C
  const DocentCpu *cpu = docent_cpu_get ();

  if (cpu->avx2 && cpu->fma && cpu->f16c)
    {
      swiglu_avx2 (gate, up, n);
      return;
    }
#endif
  swiglu_plain (gate, up, n);
}

typedef struct {
  float (*dot) (const float *a, const float *b, guint n);
  void (*axpy) (float *y, float a, const float *x, guint n);
  void (*reduce) (float *out, const float *acc, gsize stride, guint n);
  void (*softmax) (float *x, guint n, guint first);
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
dot_lanes_plain (const float *a,
                 const float *b,
                 guint        n)
{
  return dot_lanes (a, b, n);
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
lanes_reduce_plain (float       *out,
                    const float *acc,
                    gsize        stride,
                    guint        n)
{
  lanes_reduce (out, acc, stride, n);
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
    dot_lanes_plain, axpy_f32_plain, lanes_reduce_plain, attention_softmax,
    half_to_float_row_plain, round_half_row_plain
  };
#ifdef OPS_HAVE_F16C
  static const AttentionKernels avx2 = {
    dot_lanes_avx2, axpy_f32_avx2, lanes_reduce_avx2, attention_softmax_avx2,
    half_to_float_row_f16c, round_half_row_f16c
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
  gsize lane_stride = (gsize) n_q * head_dim;
  float *qh = work, *row = work + lane_stride, *acc = row + head_dim;

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
      kern->softmax (sh, n, first);
      kern->round_half (sh, n);
    }
  /* Values: position first + t goes to lane (first + t) % 16 of every
   * output, the lanes summed at the end. */
  for (gsize i = 0; i < LANES * lane_stride; i++)
    acc[i] = 0.0f;
  for (guint t = 0; t < n; t++)
    {
      float *lane = acc + ((first + t) % LANES) * lane_stride;

      kern->to_float (row, v + (first + t) * stride, head_dim);
      for (guint h = 0; h < n_q; h++)
        kern->axpy (lane + (gsize) h * head_dim, scores[(gsize) h * n + t], row, head_dim);
    }
  kern->reduce (out, acc, lane_stride, n_q * head_dim);
}
