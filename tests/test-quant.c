/* test-quant.c — half/bf16 conversion, block layouts, quantize/dequantize
 * round trips, and the layouts checked against files written by the
 * reference implementation (the conformance kit, when present). */
#include <immintrin.h>
#include <math.h>

#include "engine/cpu.h"
#include "engine/gguf.h"
#include "engine/quant.h"

/* ---- half precision ------------------------------------------------------ */

static double
half_value (guint16 h)
{
  int exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  double v = exp == 0 ? ldexp (mant, -24) : ldexp (1024 + mant, exp - 25);

  return (h & 0x8000) ? -v : v;
}

static void
test_fp16_exhaustive (void)
{
  for (guint32 h = 0; h < 0x10000; h++)
    {
      float f = docent_fp16_to_fp32 ((guint16) h);
      int exp = (h >> 10) & 0x1f;

      if (exp == 0x1f && (h & 0x3ff) != 0)
        {
          g_assert_true (isnan (f));
          g_assert_cmpuint (docent_fp32_to_fp16 (f) & 0xfc00, ==, h & 0xfc00);
          g_assert_cmpuint (docent_fp32_to_fp16 (f) & 0x3ff, !=, 0);
          continue;
        }
      if (exp == 0x1f)
        g_assert_true (isinf (f));
      else
        g_assert_true ((double) f == half_value ((guint16) h));
      g_assert_cmpuint (docent_fp32_to_fp16 (f), ==, h);
    }
}

/* Every float rounds to the nearest half, ties to the even one. */
static void
check_nearest_half (float f)
{
  guint16 h = docent_fp32_to_fp16 (f);
  double v = fabs ((double) f);
  guint16 mag = h & 0x7fff;

  g_assert_cmpuint (h & 0x8000, ==, signbit (f) ? 0x8000 : 0);
  if (v >= 65520.0)
    {
      g_assert_cmpuint (mag, ==, 0x7c00);
      return;
    }
  g_assert_cmpuint (mag, <, 0x7c00);
  {
    double here = fabs (v - half_value (mag));
    double below = mag > 0 ? fabs (v - half_value (mag - 1)) : INFINITY;
    double above = mag < 0x7bff ? fabs (v - half_value (mag + 1)) : INFINITY;

    g_assert_cmpfloat (here, <=, below);
    g_assert_cmpfloat (here, <=, above);
    if (here == below || here == above)
      g_assert_cmpuint (mag & 1, ==, 0);
  }
}

__attribute__((target ("f16c"))) static guint16
hardware_fp32_to_fp16 (float f)
{
  return (guint16) _cvtss_sh (f, 0);
}

static void
test_fp16_rounding (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  const float cases[] = { 0.f, -0.f, 1.f, 65504.f, 65519.99f, 65520.f, 1e9f,
                          0x1p-24f, 0x1p-25f, 0x1.000002p-25f, 0x1p-26f,
                          1.f + 0x1p-11f, 1.f + 0x3p-11f, 0x1.ffcp-15f,
                          0x1.ffep-15f, 0x1p-14f, 0x1.8p-24f };
  gboolean f16c = docent_cpu_get ()->f16c;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      check_nearest_half (cases[i]);
      check_nearest_half (-cases[i]);
    }
  g_assert_cmpuint (docent_fp32_to_fp16 (65520.f), ==, 0x7c00);
  g_assert_cmpuint (docent_fp32_to_fp16 (0x1p-25f), ==, 0);
  g_assert_cmpuint (docent_fp32_to_fp16 (0x1.000002p-25f), ==, 1);
  g_assert_cmpuint (docent_fp32_to_fp16 (1.f + 0x1p-11f), ==, 0x3c00);
  g_assert_cmpuint (docent_fp32_to_fp16 (1.f + 0x3p-11f), ==, 0x3c02);
  g_assert_cmpuint (docent_fp32_to_fp16 (INFINITY), ==, 0x7c00);
  g_assert_cmpuint (docent_fp32_to_fp16 (-INFINITY), ==, 0xfc00);
  /* A NaN whose payload is only in bits a half drops is still a NaN. */
  g_assert_true (isnan (docent_fp16_to_fp32 (docent_fp32_to_fp16 (docent_bits_to_fp32 (0x7f800001)))));
  for (int i = 0; i < 200000; i++)
    {
      /* Exponents around the half range, all mantissas. */
      guint32 bits = (g_rand_int (rand) & 0x807fffff)
                     | ((guint32) g_rand_int_range (rand, 100, 145) << 23);
      float f = docent_bits_to_fp32 (bits);

      check_nearest_half (f);
      if (f16c)
        g_assert_cmpuint (docent_fp32_to_fp16 (f), ==, hardware_fp32_to_fp16 (f));
    }
  if (!f16c)
    g_test_message ("no F16C: hardware comparison skipped");
}

static void
test_bf16 (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (8);

  for (guint32 b = 0; b < 0x10000; b++)
    {
      float f = docent_bf16_to_fp32 ((guint16) b);

      g_assert_cmpuint (docent_fp32_to_bits (f), ==, b << 16);
      if (isnan (f))
        g_assert_true (isnan (docent_bf16_to_fp32 (docent_fp32_to_bf16 (f))));
      else
        g_assert_cmpuint (docent_fp32_to_bf16 (f), ==, b);
    }
  g_assert_true (isnan (docent_bf16_to_fp32 (docent_fp32_to_bf16 (docent_bits_to_fp32 (0x7f800001)))));
  g_assert_cmpuint (docent_fp32_to_bf16 (docent_bits_to_fp32 (0x3f808000)), ==, 0x3f80); /* tie, even */
  g_assert_cmpuint (docent_fp32_to_bf16 (docent_bits_to_fp32 (0x3f818000)), ==, 0x3f82); /* tie, up */
  g_assert_cmpuint (docent_fp32_to_bf16 (docent_bits_to_fp32 (0x7f7fffff)), ==, 0x7f80); /* to Inf */
  for (int i = 0; i < 200000; i++)
    {
      guint32 bits = g_rand_int (rand);
      float f = docent_bits_to_fp32 (bits);
      guint16 b, mag;
      double here, other_dn, other_up;

      if (isnan (f) || isinf (f) || fabsf (f) > 0x1.fep127f)
        continue;
      b = docent_fp32_to_bf16 (f);
      mag = b & 0x7fff;
      g_assert_cmpuint (b >> 15, ==, bits >> 31);
      here = fabs (fabs ((double) f) - docent_bf16_to_fp32 (mag));
      other_dn = mag > 0 ? fabs (fabs ((double) f) - docent_bf16_to_fp32 (mag - 1)) : INFINITY;
      other_up = fabs (fabs ((double) f) - docent_bf16_to_fp32 (mag + 1));
      g_assert_cmpfloat (here, <=, other_dn);
      g_assert_cmpfloat (here, <=, other_up);
      if (here == other_dn || here == other_up)
        g_assert_cmpuint (b & 1, ==, 0);
    }
}

/* ---- layouts ------------------------------------------------------------- */

static const guint32 all_types[] = {
  DOCENT_TYPE_F32, DOCENT_TYPE_F16, DOCENT_TYPE_BF16, DOCENT_TYPE_Q4_0,
  DOCENT_TYPE_Q4_1, DOCENT_TYPE_Q5_0, DOCENT_TYPE_Q5_1, DOCENT_TYPE_Q8_0,
  DOCENT_TYPE_Q8_1, DOCENT_TYPE_Q2_K, DOCENT_TYPE_Q3_K, DOCENT_TYPE_Q4_K,
  DOCENT_TYPE_Q5_K, DOCENT_TYPE_Q6_K, DOCENT_TYPE_Q8_K,
};

static void
test_block_info (void)
{
  g_autoptr(GError) error = NULL;
  float out[32];
  guint8 in[64] = { 0 };

  for (guint i = 0; i < G_N_ELEMENTS (all_types); i++)
    {
      const DocentTypeTraits *t = docent_type_traits (all_types[i]);
      guint block, size;

      g_assert_nonnull (t);
      g_assert_true (docent_quant_block_info (all_types[i], &block, &size));
      g_assert_cmpuint (block, ==, t->block_size);
      g_assert_cmpuint (size, ==, t->type_size);
      g_assert_nonnull (docent_dequantize_func (all_types[i]));
      g_assert_nonnull (docent_quantize_func (all_types[i]));
    }
  g_assert_false (docent_quant_block_info (DOCENT_TYPE_IQ2_XXS, NULL, NULL));
  g_assert_false (docent_dequantize_row (DOCENT_TYPE_IQ2_XXS, in, out, 256, &error));
  g_assert_error (error, DOCENT_GGUF_ERROR, DOCENT_GGUF_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (docent_dequantize_row (DOCENT_TYPE_Q4_0, in, out, 31, &error));
  g_assert_nonnull (strstr (error->message, "Q4_0"));
  g_clear_error (&error);
  g_assert_false (docent_quantize_row (DOCENT_TYPE_COUNT + 5, out, in, 32, &error));
  g_clear_error (&error);
  g_assert_true (docent_dequantize_row (DOCENT_TYPE_Q4_0, in, out, 32, &error));
  g_assert_no_error (error);
}

/* Hand-built blocks, independent of the quantizers: where each bit goes. */
static void
test_bit_positions (void)
{
  DocentBlockQ4_0 q4 = { 0 };
  DocentBlockQ5_0 q5 = { 0 };
  DocentBlockQ4_K k4 = { 0 };
  DocentBlockQ6_K k6 = { 0 };
  DocentBlockQ3_K k3 = { 0 };
  DocentBlockQ2_K k2 = { 0 };
  float out[256];

  q4.d = docent_fp32_to_fp16 (0.5f);
  memset (q4.qs, 0x88, sizeof q4.qs);
  q4.qs[3] = 0x5a;
  docent_dequantize_row (DOCENT_TYPE_Q4_0, &q4, out, 32, NULL);
  g_assert_cmpfloat (out[3], ==, 1.f);          /* (10 - 8) / 2 */
  g_assert_cmpfloat (out[19], ==, -1.5f);       /* (5 - 8) / 2 */
  g_assert_cmpfloat (out[4], ==, 0.f);

  q5.d = docent_fp32_to_fp16 (1.f);
  memset (q5.qs, 0, sizeof q5.qs);
  q5.qh[2] = 0x02;                              /* bit 17: element 17 */
  q5.qs[1] = 0x73;
  docent_dequantize_row (DOCENT_TYPE_Q5_0, &q5, out, 32, NULL);
  g_assert_cmpfloat (out[1], ==, 3.f - 16.f);
  g_assert_cmpfloat (out[17], ==, 7.f + 16.f - 16.f);
  g_assert_cmpfloat (out[0], ==, -16.f);

  /* Q4_K scale j = 5: low nibble in byte 9, top bits in byte 1; min 5:
   * high nibble of byte 9, top bits in byte 5. */
  k4.d = docent_fp32_to_fp16 (1.f);
  k4.dmin = docent_fp32_to_fp16 (1.f);
  k4.scales[9] = 0x3a;                          /* sc low 10, m low 3 */
  k4.scales[1] = 0x80;                          /* sc high 2 -> 42 */
  k4.scales[5] = 0x40;                          /* m high 1 -> 19 */
  k4.qs[64 + 7] = 0x20;                         /* element 160 + 7 = high nibble 2 */
  docent_dequantize_row (DOCENT_TYPE_Q4_K, &k4, out, 256, NULL);
  g_assert_cmpfloat (out[167], ==, 42.f * 2.f - 19.f);
  g_assert_cmpfloat (out[160], ==, -19.f);
  g_assert_cmpfloat (out[128], ==, 0.f);

  /* Q6_K element 200 = 128 + 2 * 32 + 8: high nibble of ql[64 + 8],
   * bits 4-5 of qh[32 + 8], scale 12. */
  k6.d = docent_fp32_to_fp16 (0.25f);
  memset (k6.scales, 1, sizeof k6.scales);
  k6.scales[12] = -4;
  k6.ql[72] = 0x90;
  k6.qh[40] = 0x30;
  docent_dequantize_row (DOCENT_TYPE_Q6_K, &k6, out, 256, NULL);
  g_assert_cmpfloat (out[200], ==, 0.25f * -4.f * ((9 | 48) - 32));
  g_assert_cmpfloat (out[72], ==, 0.25f * 1.f * -32.f);

  /* Q3_K scale 13: low nibble = high nibble of byte 5, top bits = bits
   * 6-7 of byte 9; element 210 = 128 + 2 * 32 + 18: bits 4-5 of qs[32 +
   * 18], high bit 4 + 2 of hmask[18]. */
  k3.d = docent_fp32_to_fp16 (1.f);
  k3.scales[5] = 0x70;
  k3.scales[9] = 0x80;                          /* 7 | 2 << 4 = 39 -> 7 */
  k3.qs[50] = 0x30;
  k3.hmask[18] = 0x40;
  docent_dequantize_row (DOCENT_TYPE_Q3_K, &k3, out, 256, NULL);
  g_assert_cmpfloat (out[210], ==, 7.f * 3.f);
  g_assert_cmpfloat (out[211], ==, 7.f * -4.f); /* q 0, high bit clear: 0 - 4 */

  k2.d = docent_fp32_to_fp16 (2.f);
  k2.dmin = docent_fp32_to_fp16 (1.f);
  k2.scales[10] = 0x53;                         /* scale 3, min 5 */
  k2.qs[32 + 5] = 0x08;                         /* element 128 + 32 + 5: bits 2-3 */
  docent_dequantize_row (DOCENT_TYPE_Q2_K, &k2, out, 256, NULL);
  g_assert_cmpfloat (out[165], ==, 2.f * 3.f * 2.f - 5.f);
  g_assert_cmpfloat (out[166], ==, -5.f);
}

/* ---- round trips --------------------------------------------------------- */

static void
gaussian_fill (GRand *rand,
               float *x,
               gsize  n,
               float  sigma)
{
  for (gsize i = 0; i < n; i += 2)
    {
      double u = g_rand_double_range (rand, 1e-12, 1.0);
      double v = g_rand_double (rand);
      double r = sqrt (-2.0 * log (u)) * sigma;

      x[i] = (float) (r * cos (2 * G_PI * v));
      if (i + 1 < n)
        x[i + 1] = (float) (r * sin (2 * G_PI * v));
    }
}

static double
relative_rms (const float *ref,
              const float *got,
              gsize        n)
{
  double err = 0, norm = 0;

  for (gsize i = 0; i < n; i++)
    {
      err += ((double) got[i] - ref[i]) * ((double) got[i] - ref[i]);
      norm += (double) ref[i] * ref[i];
    }
  return norm > 0 ? sqrt (err / norm) : sqrt (err);
}

static double
round_trip (guint32      type,
            const float *x,
            float       *y,
            gsize        n)
{
  guint block, size;
  g_autofree guint8 *q = NULL;

  g_assert_true (docent_quant_block_info (type, &block, &size));
  q = g_malloc (n / block * size);
  g_assert_true (docent_quantize_row (type, x, q, n, NULL));
  g_assert_true (docent_dequantize_row (type, q, y, n, NULL));
  return relative_rms (x, y, n);
}

/* Bounds a little above what the quantizers reach on Gaussian data; the
 * measured figures are printed with --verbose. */
static const struct {
  guint32 type;
  double bound;
} round_trip_bounds[] = {
  { DOCENT_TYPE_F32, 0 },
  { DOCENT_TYPE_F16, 2.3e-4 },
  { DOCENT_TYPE_BF16, 1.8e-3 },
  { DOCENT_TYPE_Q8_0, 5.8e-3 },
  { DOCENT_TYPE_Q8_1, 5.8e-3 },
  { DOCENT_TYPE_Q8_K, 7.5e-3 },
  { DOCENT_TYPE_Q6_K, 1.8e-2 },
  { DOCENT_TYPE_Q5_0, 4.4e-2 },
  { DOCENT_TYPE_Q5_1, 3.7e-2 },
  { DOCENT_TYPE_Q5_K, 3.9e-2 },
  { DOCENT_TYPE_Q4_0, 8.8e-2 },
  { DOCENT_TYPE_Q4_1, 7.6e-2 },
  { DOCENT_TYPE_Q4_K, 7.7e-2 },
  { DOCENT_TYPE_Q3_K, 1.55e-1 },
  { DOCENT_TYPE_Q2_K, 2.85e-1 },
};

static void
test_round_trip (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  gsize n = 256 * 24;
  g_autofree float *x = g_new (float, n);
  g_autofree float *y = g_new (float, n);

  gaussian_fill (rand, x, n, 0.02f);
  for (guint i = 0; i < G_N_ELEMENTS (round_trip_bounds); i++)
    {
      double err = round_trip (round_trip_bounds[i].type, x, y, n);

      g_test_message ("%-5s relative RMS error %.5f", docent_type_name (round_trip_bounds[i].type), err);
      g_assert_cmpfloat (err, <=, round_trip_bounds[i].bound);
    }
}

/* The scale search must beat the obvious "largest value to the end of
 * the range" scale it starts from. */
static void
test_search_beats_naive (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (43);
  gsize n = 32 * 512;
  g_autofree float *x = g_new (float, n);
  g_autofree float *y = g_new (float, n);
  double naive = 0, norm = 0, ours;

  gaussian_fill (rand, x, n, 1.f);
  for (gsize b = 0; b < n; b += 32)
    {
      float big = 0.f, d;

      for (int j = 0; j < 32; j++)
        if (fabsf (x[b + j]) > fabsf (big))
          big = x[b + j];
      d = docent_fp16_to_fp32 (docent_fp32_to_fp16 (big / -8.f));
      for (int j = 0; j < 32; j++)
        {
          float q = d != 0.f ? CLAMP (nearbyintf (x[b + j] / d), -8.f, 7.f) : 0.f;

          naive += (x[b + j] - q * d) * (x[b + j] - q * d);
          norm += x[b + j] * x[b + j];
        }
    }
  naive = sqrt (naive / norm);
  ours = round_trip (DOCENT_TYPE_Q4_0, x, y, n);
  g_test_message ("Q4_0: naive scale %.5f, searched %.5f", naive, ours);
  g_assert_cmpfloat (ours, <, naive * 0.95);
}

static void
test_edge_blocks (void)
{
  float x[512], y[512];

  for (guint i = 0; i < G_N_ELEMENTS (all_types); i++)
    {
      guint32 t = all_types[i];

      /* All zero: exactly zero back. */
      memset (x, 0, sizeof x);
      round_trip (t, x, y, 512);
      for (int j = 0; j < 512; j++)
        g_assert_cmpfloat (y[j], ==, 0.f);
      /* One huge value among small ones, and a constant run: finite,
       * the huge one close. */
      for (int j = 0; j < 512; j++)
        x[j] = j < 256 ? 0.001f * (j % 7 - 3) : 0.5f;
      x[100] = 1000.f;
      round_trip (t, x, y, 512);
      for (int j = 0; j < 512; j++)
        g_assert_true (isfinite (y[j]));
      g_assert_cmpfloat (fabsf (y[100] - 1000.f), <, 1000.f * 0.02f);
      if (t != DOCENT_TYPE_Q2_K && t != DOCENT_TYPE_Q3_K)
        for (int j = 256; j < 512; j++)
          if (fabsf (y[j] - 0.5f) >= 0.5f * 0.02f)
            g_error ("%s: %d: %g", docent_type_name (t), j, y[j]);
    }
}

/* ---- the conformance kit ------------------------------------------------- */

static char *
conformance_dir (void)
{
  const char *srcdir = g_getenv ("G_TEST_SRCDIR");
  g_autofree char *dir = NULL;

  if (srcdir == NULL)
    return NULL;
  dir = g_build_filename (srcdir, "..", "..", "shared", "conformance", "models", NULL);
  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    return NULL;
  return g_steal_pointer (&dir);
}

static double
type_bound (guint32 type)
{
  switch (type)
    {
    case DOCENT_TYPE_F32: return 0;
    case DOCENT_TYPE_F16: return 1e-3;
    case DOCENT_TYPE_BF16: return 5e-3;
    case DOCENT_TYPE_Q8_0: return 1e-2;
    case DOCENT_TYPE_Q6_K: return 3e-2;
    case DOCENT_TYPE_Q5_K: return 5e-2;
    case DOCENT_TYPE_Q4_0:
    case DOCENT_TYPE_Q4_K: return 1e-1;
    default: return 3e-1;
    }
}

/* Dequantizes every tensor of `name` and compares it with the same tensor
 * of the f32 file: the same random weights, so only the quantization
 * error separates them, and a misplaced bit would show as noise. Also
 * quantizes the f32 tensor with our quantizer and reports (and bounds)
 * our error against the reference quantizer's. */
static void
compare_kit_file (DocentGguf *f32,
                  const char *dir,
                  const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (dir, name, NULL);
  DocentGguf *q = docent_gguf_open (path, &error);
  guint checked = 0;

  g_assert_no_error (error);
  g_assert_cmpuint (docent_gguf_n_tensors (q), ==, docent_gguf_n_tensors (f32));
  for (gsize i = 0; i < docent_gguf_n_tensors (q); i++)
    {
      const DocentGgufTensor *t = docent_gguf_tensor (q, i);
      const DocentGgufTensor *r = docent_gguf_find_tensor (f32, t->name);
      g_autofree float *got = NULL, *mine = NULL;
      g_autofree guint8 *requant = NULL;
      double err, my_err;
      guint block, size;

      g_assert_nonnull (r);
      g_assert_cmpuint (r->type, ==, DOCENT_TYPE_F32);
      g_assert_cmpuint (t->n_dims, ==, r->n_dims);
      for (guint d = 0; d < t->n_dims; d++)
        g_assert_cmpuint (t->dims[d], ==, r->dims[d]);
      got = g_new (float, t->n_elements);
      g_assert_true (docent_dequantize_row (t->type, t->data, got, t->n_elements, &error));
      g_assert_no_error (error);
      err = relative_rms ((const float *) r->data, got, t->n_elements);
      if (err > type_bound (t->type))
        g_error ("%s %s (%s): relative RMS error %.4f", name, t->name,
                 docent_type_name (t->type), err);
      checked++;
      if (t->type == DOCENT_TYPE_F32 || t->n_elements < 4096)
        continue;
      docent_quant_block_info (t->type, &block, &size);
      requant = g_malloc (t->n_elements / block * size);
      mine = g_new (float, t->n_elements);
      docent_quantize_row (t->type, (const float *) r->data, requant, t->n_elements, NULL);
      docent_dequantize_row (t->type, requant, mine, t->n_elements, NULL);
      my_err = relative_rms ((const float *) r->data, mine, t->n_elements);
      g_test_message ("%s %-22s %-4s reference %.5f ours %.5f", name, t->name,
                      docent_type_name (t->type), err, my_err);
      g_assert_cmpfloat (my_err, <=, err * 1.05 + 1e-6);
    }
  g_assert_cmpuint (checked, >, 10);
  docent_gguf_unref (q);
}

/* Two quantizations of the same weights (no f32 file in the kit): each
 * tensor of `name` against the same tensor of `reference_name`, both
 * dequantized; the difference is bounded by the two types' errors. This
 * checks the types the f32 comparison does not reach (Q5_K). */
static void
compare_kit_pair (const char *dir,
                  const char *name,
                  const char *reference_name,
                  guint32     must_see)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *ref_path = g_build_filename (dir, reference_name, NULL);
  DocentGguf *q = docent_gguf_open (path, &error);
  DocentGguf *ref = NULL;
  guint seen = 0;

  g_assert_no_error (error);
  ref = docent_gguf_open (ref_path, &error);
  g_assert_no_error (error);
  for (gsize i = 0; i < docent_gguf_n_tensors (q); i++)
    {
      const DocentGgufTensor *t = docent_gguf_tensor (q, i);
      const DocentGgufTensor *r = docent_gguf_find_tensor (ref, t->name);
      g_autofree float *got = NULL, *want = NULL;
      double err;

      g_assert_nonnull (r);
      g_assert_cmpuint (t->n_elements, ==, r->n_elements);
      got = g_new (float, t->n_elements);
      want = g_new (float, t->n_elements);
      g_assert_true (docent_dequantize_row (t->type, t->data, got, t->n_elements, NULL));
      g_assert_true (docent_dequantize_row (r->type, r->data, want, r->n_elements, NULL));
      err = relative_rms (want, got, t->n_elements);
      if (err > type_bound (t->type) + type_bound (r->type))
        g_error ("%s %s (%s) against %s (%s): relative RMS difference %.4f", name, t->name,
                 docent_type_name (t->type), reference_name, docent_type_name (r->type), err);
      if (t->type == must_see)
        {
          seen++;
          g_test_message ("%s %-22s %-4s vs %s: %.5f", name, t->name,
                          docent_type_name (t->type), docent_type_name (r->type), err);
        }
    }
  g_assert_cmpuint (seen, >, 0);
  docent_gguf_unref (q);
  docent_gguf_unref (ref);
}

static void
test_conformance (void)
{
  g_autofree char *dir = conformance_dir ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  const char *files[] = { "kit-llama-f16.gguf", "kit-llama-bf16.gguf", "kit-llama-q8_0.gguf",
                          "kit-llama-q4_0.gguf", "kit-llama-q4_k_m.gguf", "kit-llama-q6_k.gguf" };
  DocentGguf *f32;

  if (dir == NULL)
    {
      g_test_skip ("conformance kit (../shared/conformance) not present");
      return;
    }
  path = g_build_filename (dir, "kit-llama-f32.gguf", NULL);
  f32 = docent_gguf_open (path, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    compare_kit_file (f32, dir, files[i]);
  docent_gguf_unref (f32);
  compare_kit_pair (dir, "kit-qwen2-q5_k_m.gguf", "kit-qwen2-q8_0.gguf", DOCENT_TYPE_Q5_K);
  compare_kit_pair (dir, "kit-qwen3-q4_k_s.gguf", "kit-qwen3-q8_0.gguf", DOCENT_TYPE_Q4_K);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/engine/quant/fp16-exhaustive", test_fp16_exhaustive);
  g_test_add_func ("/engine/quant/fp16-rounding", test_fp16_rounding);
  g_test_add_func ("/engine/quant/bf16", test_bf16);
  g_test_add_func ("/engine/quant/block-info", test_block_info);
  g_test_add_func ("/engine/quant/bit-positions", test_bit_positions);
  g_test_add_func ("/engine/quant/round-trip", test_round_trip);
  g_test_add_func ("/engine/quant/search-beats-naive", test_search_beats_naive);
  g_test_add_func ("/engine/quant/edge-blocks", test_edge_blocks);
  g_test_add_func ("/engine/quant/conformance", test_conformance);
  return g_test_run ();
}
