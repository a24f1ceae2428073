/* test-kernels.c — dot kernels and matrix products: the scalar kernels
 * against float arithmetic on dequantized data, every SIMD kernel against
 * the scalar one (on odd sizes), Q4_K and Q6_K in every kernel set bit for
 * bit against the reference engine's order (written out here), matvec /
 * matmul against a naive product and, for those two types, bit for bit
 * against that order (rows in fours, the rest, tiles), and the run-time
 * choice of kernel set. */
#include <gio/gio.h>
#include <math.h>

#include "engine/dot.h"
#include "engine/matmul.h"
#include "engine/quant.h"
#include "engine/quant-private.h"
#include "engine/threadpool.h"

static const guint32 weight_types[] = {
  DOCENT_TYPE_F32, DOCENT_TYPE_F16, DOCENT_TYPE_BF16, DOCENT_TYPE_Q4_0,
  DOCENT_TYPE_Q4_1, DOCENT_TYPE_Q5_0, DOCENT_TYPE_Q5_1, DOCENT_TYPE_Q8_0,
  DOCENT_TYPE_Q2_K, DOCENT_TYPE_Q3_K, DOCENT_TYPE_Q4_K, DOCENT_TYPE_Q5_K,
  DOCENT_TYPE_Q6_K,
};

static void
gaussian_fill (GRand *rand,
               float *x,
               gsize  n)
{
  for (gsize i = 0; i < n; i++)
    {
      double u = g_rand_double_range (rand, 1e-12, 1.0);
      double v = g_rand_double (rand);

      x[i] = (float) (sqrt (-2.0 * log (u)) * cos (2 * G_PI * v));
    }
}

static gsize
row_bytes (guint32 type,
           gsize   n)
{
  guint block, size;

  g_assert_true (docent_quant_block_info (type, &block, &size));
  g_assert_cmpuint (n % block, ==, 0);
  return n / block * size;
}

/* Row lengths to try for a type: several blocks, odd counts of them. */
static guint
test_lengths (guint32  type,
              gsize   *lengths)
{
  guint block;

  docent_quant_block_info (type, &block, NULL);
  if (block == 1)
    {
      const gsize odd[] = { 1, 7, 15, 33, 257, 1001 };

      memcpy (lengths, odd, sizeof odd);
      return G_N_ELEMENTS (odd);
    }
  lengths[0] = block;
  lengths[1] = 3 * block;
  lengths[2] = 7 * block;
  lengths[3] = 13 * block;
  return 4;
}

/* A quantized row and matching activations for `kernel`. */
typedef struct {
  gsize n;
  guint8 *w;
  guint8 *a;
  float *wf, *af;           /* both dequantized */
  double sum_abs;
} DotCase;

static void
dot_case_init (DotCase               *c,
               GRand                 *rand,
               guint32                type,
               const DocentDotKernel *kernel,
               gsize                  n)
{
  g_autofree float *x = g_new (float, n);

  c->n = n;
  c->w = g_malloc (row_bytes (type, n));
  c->a = g_malloc (row_bytes (kernel->act_type, n));
  c->wf = g_new (float, n);
  c->af = g_new (float, n);
  gaussian_fill (rand, x, n);
  g_assert_true (docent_quantize_row (type, x, c->w, n, NULL));
  g_assert_true (docent_dequantize_row (type, c->w, c->wf, n, NULL));
  gaussian_fill (rand, x, n);
  kernel->from_float (x, c->a, n);
  g_assert_true (docent_dequantize_row (kernel->act_type, c->a, c->af, n, NULL));
  c->sum_abs = 0;
  for (gsize i = 0; i < n; i++)
    c->sum_abs += fabs ((double) c->wf[i] * c->af[i]);
}

static void
dot_case_clear (DotCase *c)
{
  g_free (c->w);
  g_free (c->a);
  g_free (c->wf);
  g_free (c->af);
}

/* The dot of the dequantized rows. Q8_1 activations carry the half
 * precision product d * sum (q) that the offset of Q4_1 / Q5_1 weights
 * multiplies, as the format intends: use it here too. */
static double
float_reference (guint32       type,
                 guint32       act_type,
                 const guint8 *w,
                 const float  *wf,
                 const guint8 *a,
                 const float  *af,
                 gsize         n)
{
  gsize wsize = type == DOCENT_TYPE_Q4_1 ? sizeof (DocentBlockQ4_1) : sizeof (DocentBlockQ5_1);
  double ref = 0;

  if (act_type != DOCENT_TYPE_Q8_1)
    {
      for (gsize i = 0; i < n; i++)
        ref += (double) wf[i] * af[i];
      return ref;
    }
  for (gsize b = 0; b < n / 32; b++)
    {
      const DocentHalf *wm = (const DocentHalf *) (w + b * wsize) + 1;
      const DocentBlockQ8_1 *ab = (const DocentBlockQ8_1 *) a + b;
      float m = docent_fp16_to_fp32 (*wm);

      for (gsize i = 32 * b; i < 32 * b + 32; i++)
        ref += ((double) wf[i] - m) * af[i];
      ref += (double) m * docent_fp16_to_fp32 (ab->s);
    }
  return ref;
}

/* The scalar kernels compute exactly the dot of the dequantized rows, up
 * to float rounding. */
static void
test_scalar_exact (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (1);

  for (guint t = 0; t < G_N_ELEMENTS (weight_types); t++)
    {
      const DocentDotKernel *k = docent_dot_kernel_for_path (DOCENT_KERNEL_PATH_SCALAR, weight_types[t]);
      gsize lengths[8];
      guint n_lengths = test_lengths (weight_types[t], lengths);

      g_assert_nonnull (k);
      for (guint l = 0; l < n_lengths; l++)
        {
          DotCase c;
          double ref = 0;
          float got;

          dot_case_init (&c, rand, weight_types[t], k, lengths[l]);
          ref = float_reference (weight_types[t], k->act_type, c.w, c.wf, c.a, c.af, c.n);
          got = k->vec_dot (c.n, c.w, c.a);
          if (fabs (got - ref) > 2e-6 * c.sum_abs + 1e-30)
            g_error ("%s n=%zu: scalar %.7g, float reference %.7g (sum |.| %.3g)",
                     docent_type_name (weight_types[t]), c.n, got, ref, c.sum_abs);
          dot_case_clear (&c);
        }
    }
}

/* A 4 x 4 tile gives what sixteen single dots give (bit for bit for the
 * blocks of 32 and Q6_K, whose tiles keep the order of the sums). */
static void
check_tile (GRand                 *rand,
            guint32                type,
            const DocentDotKernel *k,
            gsize                  n)
{
  /* Padded rows, kept aligned to their element size as in real files. */
  gsize wb = row_bytes (type, n) + 4, ab = row_bytes (k->act_type, n) + 8;
  g_autofree float *x = g_new (float, n);
  g_autofree guint8 *w = g_malloc0 (4 * wb);
  g_autofree guint8 *a = g_malloc0 (4 * ab);
  float out[4 * 6];

  for (int i = 0; i < 4; i++)
    {
      gaussian_fill (rand, x, n);
      docent_quantize_row (type, x, w + i * wb, n, NULL);
      gaussian_fill (rand, x, n);
      k->from_float (x, a + i * ab, n);
    }
  k->vec_dot_tile (n, w, wb, a, ab, out, 6);
  for (int j = 0; j < 4; j++)
    for (int i = 0; i < 4; i++)
      {
        float one = k->vec_dot (n, w + i * wb, a + j * ab);

        gboolean exact = type == DOCENT_TYPE_Q8_0 || type == DOCENT_TYPE_Q4_0
                         || type == DOCENT_TYPE_Q5_0 || type == DOCENT_TYPE_Q6_K;

        if (exact ? out[j * 6 + i] != one
                  : fabsf (out[j * 6 + i] - one) > 1e-5f * fabsf (one) + 1e-4f)
          g_error ("%s tile n=%zu [%d][%d]: %.7g, alone %.7g", docent_type_name (type),
                   n, j, i, out[j * 6 + i], one);
      }
}

static void
check_path (DocentKernelPath path)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (2 + path);

  for (guint t = 0; t < G_N_ELEMENTS (weight_types); t++)
    {
      guint32 type = weight_types[t];
      const DocentDotKernel *ref = docent_dot_kernel_for_path (DOCENT_KERNEL_PATH_SCALAR, type);
      const DocentDotKernel *k = docent_dot_kernel_for_path (path, type);
      gsize lengths[8];
      guint n_lengths = test_lengths (type, lengths);

      g_assert_nonnull (k);
      g_assert_cmpuint (k->act_type, ==, ref->act_type);
      for (guint l = 0; l < n_lengths; l++)
        {
          DotCase c;
          gsize n = lengths[l], ab = row_bytes (k->act_type, n);
          g_autofree float *x = g_new (float, n * DOCENT_DOT_MAX_ROWS);
          g_autofree guint8 *a1 = g_malloc (ab * DOCENT_DOT_MAX_ROWS);
          g_autofree guint8 *a2 = g_malloc (ab * DOCENT_DOT_MAX_ROWS);
          float want, got, out[DOCENT_DOT_MAX_ROWS];

          dot_case_init (&c, rand, type, ref, n);
          want = ref->vec_dot (n, c.w, c.a);
          got = k->vec_dot (n, c.w, c.a);
          if (fabs (got - want) > 2e-6 * c.sum_abs + 1e-30)
            g_error ("%s %s n=%zu: %.7g, scalar %.7g", docent_kernel_path_name (path),
                     docent_type_name (type), n, got, want);
          /* Activations quantized the same way, bit for bit. */
          gaussian_fill (rand, x, n * DOCENT_DOT_MAX_ROWS);
          for (guint r = 0; r < DOCENT_DOT_MAX_ROWS; r++)
            {
              ref->from_float (x + r * n, a1 + r * ab, n);
              k->from_float (x + r * n, a2 + r * ab, n);
            }
          if (memcmp (a1, a2, ab * DOCENT_DOT_MAX_ROWS) != 0)
            g_error ("%s %s n=%zu: activations quantized differently",
                     docent_kernel_path_name (path), docent_type_name (type), n);
          /* Several rows at once give what one row at a time gives. */
          if (k->vec_dot_rows != NULL)
            for (guint m = 1; m <= DOCENT_DOT_MAX_ROWS; m++)
              {
                k->vec_dot_rows (n, c.w, a2, ab, m, out);
                for (guint r = 0; r < m; r++)
                  {
                    float one = k->vec_dot (n, c.w, a2 + r * ab);

                    if (fabsf (out[r] - one) > 1e-5f * fabsf (one) + 1e-4f)
                      g_error ("%s %s n=%zu m=%u row %u: %.7g, alone %.7g",
                               docent_kernel_path_name (path), docent_type_name (type),
                               n, m, r, out[r], one);
                  }
              }
          if (k->vec_dot_tile != NULL)
            check_tile (rand, type, k, n);
          dot_case_clear (&c);
        }
    }
}

static void
test_avx2 (void)
{
  if (!docent_kernel_path_available (DOCENT_KERNEL_PATH_AVX2))
    {
      g_test_skip ("this CPU has no AVX2 + FMA + F16C");
      return;
    }
  check_path (DOCENT_KERNEL_PATH_AVX2);
}

static void
test_avx512 (void)
{
  if (!docent_kernel_path_available (DOCENT_KERNEL_PATH_AVX512))
    {
      g_test_skip ("this CPU has no AVX-512 F/BW/VL/VNNI");
      return;
    }
  check_path (DOCENT_KERNEL_PATH_AVX512);
}

/* ---- matrix products ----------------------------------------------------- */

typedef struct {
  DocentMatrix m;
  guint8 *data;
  float *wf;                /* rows x cols, dequantized */
} TestMatrix;

static void
test_matrix_init (TestMatrix *tm,
                  GRand      *rand,
                  guint32     type,
                  guint       rows,
                  guint       cols)
{
  gsize rb = row_bytes (type, cols);
  g_autofree float *x = g_new (float, cols);

  tm->m.type = type;
  tm->m.rows = rows;
  tm->m.cols = cols;
  tm->m.row_stride = rb + 68;           /* padded, not a round number */
  tm->data = g_malloc0 (tm->m.row_stride * rows);
  tm->m.data = tm->data;
  tm->wf = g_new (float, (gsize) rows * cols);
  for (guint r = 0; r < rows; r++)
    {
      gaussian_fill (rand, x, cols);
      docent_quantize_row (type, x, tm->data + r * tm->m.row_stride, cols, NULL);
      docent_dequantize_row (type, tm->data + r * tm->m.row_stride, tm->wf + (gsize) r * cols, cols, NULL);
    }
}

static void
test_matrix_clear (TestMatrix *tm)
{
  g_free (tm->data);
  g_free (tm->wf);
}

/* Y against the naive product of the dequantized weights with the
 * activations as the kernel quantizes them. */
static void
check_product (const TestMatrix *tm,
               const float      *x,
               guint             n,
               const float      *y)
{
  const DocentDotKernel *k = docent_dot_kernel (tm->m.type);
  guint cols = tm->m.cols, rows = tm->m.rows;
  gsize ab = row_bytes (k->act_type, cols);
  g_autofree guint8 *a = g_malloc (ab);
  g_autofree float *af = g_new (float, cols);

  for (guint i = 0; i < n; i++)
    {
      k->from_float (x + (gsize) i * cols, a, cols);
      docent_dequantize_row (k->act_type, a, af, cols, NULL);
      for (guint r = 0; r < rows; r++)
        {
          const float *wf = tm->wf + (gsize) r * cols;
          double sum_abs = 0, ref;
          float got = y[(gsize) i * rows + r];

          ref = float_reference (tm->m.type, k->act_type, tm->data + r * tm->m.row_stride,
                                 wf, a, af, cols);
          for (guint j = 0; j < cols; j++)
            sum_abs += fabs ((double) wf[j] * af[j]);
          if (fabs (got - ref) > 2e-6 * sum_abs)
            g_error ("%s: y[%u][%u] = %.7g, naive %.7g", docent_type_name (tm->m.type),
                     i, r, got, ref);
        }
    }
}

static void
check_products (DocentThreadPool *pool)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (5);
  g_autoptr(DocentMatmulScratch) scratch = docent_matmul_scratch_new ();
  const guint batches[] = { 1, 3, 13, 70 };

  for (guint t = 0; t < G_N_ELEMENTS (weight_types); t++)
    {
      guint block, cols;
      TestMatrix tm;

      docent_quant_block_info (weight_types[t], &block, NULL);
      cols = block == 1 ? 771 : 768;
      test_matrix_init (&tm, rand, weight_types[t], 37, cols);
      for (guint b = 0; b < G_N_ELEMENTS (batches); b++)
        {
          guint n = batches[b];
          g_autofree float *x = g_new (float, (gsize) n * cols);
          g_autofree float *y = g_new0 (float, (gsize) n * tm.m.rows);
          g_autoptr(GError) error = NULL;

          gaussian_fill (rand, x, (gsize) n * cols);
          if (n == 1)
            g_assert_true (docent_matvec (pool, scratch, &tm.m, x, y, &error));
          else
            g_assert_true (docent_matmul (pool, scratch, &tm.m, x, n, y, &error));
          g_assert_no_error (error);
          check_product (&tm, x, n, y);
        }
      test_matrix_clear (&tm);
    }
}

/* ---- the reference engine's order for Q4_K and Q6_K ---------------------- */

/* Integer sum of groups 2 p, 2 p + 1 of a Q4_K block with its scales, and
 * of their mins times the activations' sums. */
static void
ref_q4_k_pair (const DocentBlockQ4_K *x,
               const DocentBlockQ8_K *y,
               int                    p,
               int                   *is,
               int                   *im)
{
  *is = *im = 0;
  for (int g = 2 * p; g < 2 * p + 2; g++)
    {
      int sc, m, dot = 0, act = 0;

      docent_k4_scale_min (g, x->scales, &sc, &m);
      for (int l = 0; l < 32; l++)
        {
          int q = g % 2 == 0 ? x->qs[32 * p + l] & 0xf : x->qs[32 * p + l] >> 4;

          dot += q * y->qs[32 * g + l];
          act += y->qs[32 * g + l];
        }
      *is += sc * dot;
      *im += m * act;
    }
}

/* Single rows: one fused multiply-add per super-block; `batch` (rows in
 * fours): one per pair of groups. Mins in their own chain. */
static float
ref_q4_k (gsize        n,
          const void  *w,
          const void  *a,
          gboolean     batch)
{
  const DocentBlockQ4_K *x = w;
  const DocentBlockQ8_K *y = a;
  float acc = 0.f, accm = 0.f;

  for (gsize i = 0; i < n / 256; i++)
    {
      float d = docent_fp16_to_fp32 (x[i].d) * y[i].d;
      float dmin = docent_fp16_to_fp32 (x[i].dmin) * y[i].d;
      int tis = 0, tim = 0;

      for (int p = 0; p < 4; p++)
        {
          int is, im;

          ref_q4_k_pair (&x[i], &y[i], p, &is, &im);
          if (batch)
            {
              acc = fmaf ((float) is, d, acc);
              accm = fmaf ((float) im, dmin, accm);
            }
          tis += is;
          tim += im;
        }
      if (!batch)
        {
          acc = fmaf ((float) tis, d, acc);
          accm = fmaf ((float) tim, dmin, accm);
        }
    }
  return acc - accm;
}

/* Q6_K: eight integer lanes (lane k: elements 4 k … 4 k + 3 of every 32),
 * each in its own multiply-add chain over super-blocks, then summed as
 * (l0 + l4) + (l2 + l6) + ((l1 + l5) + (l3 + l7)). */
static float
ref_q6_k (gsize       n,
          const void *w,
          const void *a)
{
  const DocentBlockQ6_K *x = w;
  const DocentBlockQ8_K *y = a;
  float acc[8] = { 0 }, t[4];

  for (gsize i = 0; i < n / 256; i++)
    {
      int lane[8] = { 0 };
      float d = docent_fp16_to_fp32 (x[i].d) * y[i].d;

      for (int e = 0; e < 256; e++)
        {
          int h = e / 128, k = (e % 128) / 32, l = e % 32;
          guint8 low = x[i].ql[64 * h + 32 * (k % 2) + l];
          int q = (k < 2 ? low & 0xf : low >> 4) | (((x[i].qh[32 * h + l] >> (2 * k)) & 3) << 4);

          lane[l / 4] += x[i].scales[e / 16] * (q - 32) * y[i].qs[e];
        }
      for (int k = 0; k < 8; k++)
        acc[k] = fmaf (d, (float) lane[k], acc[k]);
    }
  for (int j = 0; j < 4; j++)
    t[j] = acc[j + 4] + acc[j];
  return (t[0] + t[2]) + (t[1] + t[3]);
}

static float
ref_k (guint32     type,
       gsize       n,
       const void *w,
       const void *a,
       gboolean    batch)
{
  return type == DOCENT_TYPE_Q4_K ? ref_q4_k (n, w, a, batch) : ref_q6_k (n, w, a);
}

/* Every kernel set gives the reference order's sums bit for bit: single
 * rows, several rows, and rows of a batch in fours. */
static void
test_k_reference_order (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (11);
  const guint32 types[] = { DOCENT_TYPE_Q4_K, DOCENT_TYPE_Q6_K };
  const gsize lengths[] = { 256, 512, 768, 2304 };

  for (guint t = 0; t < G_N_ELEMENTS (types); t++)
    for (int p = 0; p < DOCENT_KERNEL_PATH_COUNT; p++)
      {
        const DocentDotKernel *k = docent_dot_kernel_for_path ((DocentKernelPath) p, types[t]);

        if (k == NULL)
          continue;
        for (guint l = 0; l < G_N_ELEMENTS (lengths); l++)
          {
            gsize n = lengths[l], wb = row_bytes (types[t], n), ab = row_bytes (k->act_type, n);
            g_autofree float *x = g_new (float, n);
            g_autofree guint8 *w = g_malloc (wb);
            g_autofree guint8 *a = g_malloc (4 * ab);
            float out[4];

            gaussian_fill (rand, x, n);
            docent_quantize_row (types[t], x, w, n, NULL);
            for (guint r = 0; r < 4; r++)
              {
                gaussian_fill (rand, x, n);
                k->from_float (x, a + r * ab, n);
              }
            for (guint r = 0; r < 4; r++)
              g_assert_cmpfloat (k->vec_dot (n, w, a + r * ab), ==, ref_k (types[t], n, w, a + r * ab, FALSE));
            for (guint m = 1; k->vec_dot_rows != NULL && m <= 4; m++)
              {
                k->vec_dot_rows (n, w, a, ab, m, out);
                for (guint r = 0; r < m; r++)
                  g_assert_cmpfloat (out[r], ==, ref_k (types[t], n, w, a + r * ab, FALSE));
              }
            if (k->vec_dot_rows4 != NULL)
              {
                k->vec_dot_rows4 (n, w, a, ab, 4, out);
                for (guint r = 0; r < 4; r++)
                  g_assert_cmpfloat (out[r], ==, ref_k (types[t], n, w, a + r * ab, TRUE));
              }
          }
      }
}

/* A batch product takes its rows four at a time in the batch order and
 * the rest (and matvec) in the single-row order, tiled or not, with or
 * without threads: bit for bit the reference sums. */
static void
test_batch_order (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (12);
  g_autoptr(DocentThreadPool) pool = docent_thread_pool_new (2);
  g_autoptr(DocentMatmulScratch) scratch = docent_matmul_scratch_new ();
  const guint32 types[] = { DOCENT_TYPE_Q4_K, DOCENT_TYPE_Q6_K };
  const guint batches[] = { 1, 5, 7, 70 };

  for (guint t = 0; t < G_N_ELEMENTS (types); t++)
    {
      const DocentDotKernel *k = docent_dot_kernel (types[t]);
      TestMatrix tm;
      guint cols = 512;
      gsize ab = row_bytes (k->act_type, cols);

      test_matrix_init (&tm, rand, types[t], 21, cols);
      for (guint b = 0; b < G_N_ELEMENTS (batches); b++)
        {
          guint n = batches[b];
          g_autofree float *x = g_new (float, (gsize) n * cols);
          g_autofree float *y = g_new0 (float, (gsize) n * tm.m.rows);
          g_autofree guint8 *a = g_malloc (ab);
          g_autoptr(GError) error = NULL;

          gaussian_fill (rand, x, (gsize) n * cols);
          if (n == 1)
            g_assert_true (docent_matvec (b % 2 ? pool : NULL, scratch, &tm.m, x, y, &error));
          else
            g_assert_true (docent_matmul (b % 2 ? pool : NULL, scratch, &tm.m, x, n, y, &error));
          g_assert_no_error (error);
          for (guint i = 0; i < n; i++)
            {
              gboolean batch = n > 1 && i < n - n % 4;

              k->from_float (x + (gsize) i * cols, a, cols);
              for (guint r = 0; r < tm.m.rows; r++)
                g_assert_cmpfloat (y[(gsize) i * tm.m.rows + r], ==,
                                   ref_k (types[t], cols, tm.data + r * tm.m.row_stride, a, batch));
            }
        }
      test_matrix_clear (&tm);
    }
}

static void
test_products_no_pool (void)
{
  check_products (NULL);
}

static void
test_products_pool (void)
{
  g_autoptr(DocentThreadPool) pool = docent_thread_pool_new (3);

  check_products (pool);
}

static void
test_product_errors (void)
{
  g_autoptr(DocentMatmulScratch) scratch = docent_matmul_scratch_new ();
  g_autoptr(GError) error = NULL;
  guint8 data[4096] = { 0 };
  float x[256] = { 0 }, y[4] = { 1, 2, 3, 4 };
  DocentMatrix m = { DOCENT_TYPE_Q4_0, 4, 48, 64, data };

  g_assert_false (docent_matvec (NULL, scratch, &m, x, y, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_cmpfloat (y[0], ==, 1.f);
  g_clear_error (&error);
  m.cols = 64;
  m.row_stride = 35;
  g_assert_false (docent_matmul (NULL, scratch, &m, x, 2, y, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  m.type = DOCENT_TYPE_IQ2_XXS;
  m.cols = 256;
  m.row_stride = 256;
  g_assert_false (docent_matvec (NULL, scratch, &m, x, y, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);
  m.type = DOCENT_TYPE_Q8_K;                    /* activations only */
  g_assert_false (docent_matvec (NULL, scratch, &m, x, y, &error));
  g_clear_error (&error);
  m.type = DOCENT_TYPE_Q4_0;
  g_assert_true (docent_matvec (NULL, scratch, &m, x, y, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (y[3], ==, 0.f);
}

/* ---- choosing the kernel set --------------------------------------------- */

/* DOCENT_KERNELS as the test was started with (it may force a set for the
 * whole run). */
static char *original_kernels;

static void
test_forced_path (void)
{
  if (g_test_subprocess ())
    {
      const char *want = g_getenv ("DOCENT_KERNELS");

      g_assert_cmpstr (docent_kernel_path_name (docent_kernel_path ()), ==, want);
      g_assert_true (docent_dot_kernel (DOCENT_TYPE_Q4_K)
                     == docent_dot_kernel_for_path (docent_kernel_path (), DOCENT_TYPE_Q4_K));
      return;
    }
  for (int p = 0; p < DOCENT_KERNEL_PATH_COUNT; p++)
    {
      if (!docent_kernel_path_available ((DocentKernelPath) p))
        continue;
      g_setenv ("DOCENT_KERNELS", docent_kernel_path_name ((DocentKernelPath) p), TRUE);
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
      g_test_trap_assert_passed ();
    }
  if (original_kernels != NULL)
    {
      g_setenv ("DOCENT_KERNELS", original_kernels, TRUE);
      return;
    }
  g_unsetenv ("DOCENT_KERNELS");
  /* Without the variable: the best set the CPU has. */
  for (int p = docent_kernel_path () + 1; p < DOCENT_KERNEL_PATH_COUNT; p++)
    g_assert_false (docent_kernel_path_available ((DocentKernelPath) p));
  g_test_message ("kernel set: %s", docent_kernel_path_name (docent_kernel_path ()));
}

int
main (int argc, char **argv)
{
  original_kernels = g_strdup (g_getenv ("DOCENT_KERNELS"));
  g_test_init (&argc, &argv, NULL);
  /* First: it sets environment variables, which must happen before any
   * thread exists. */
  g_test_add_func ("/engine/kernels/forced-path", test_forced_path);
  g_test_add_func ("/engine/kernels/scalar-exact", test_scalar_exact);
  g_test_add_func ("/engine/kernels/avx2", test_avx2);
  g_test_add_func ("/engine/kernels/avx512", test_avx512);
  g_test_add_func ("/engine/kernels/k-reference-order", test_k_reference_order);
  g_test_add_func ("/engine/kernels/batch-order", test_batch_order);
  g_test_add_func ("/engine/kernels/products", test_products_no_pool);
  g_test_add_func ("/engine/kernels/products-pool", test_products_pool);
  g_test_add_func ("/engine/kernels/product-errors", test_product_errors);
  return g_test_run ();
}
