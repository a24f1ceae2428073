/* test-tensor.c — the tensor type table (engine/tensor.h): every number the
 * format defines has the right name, block size and block bytes, retired and
 * unknown numbers are refused, and row sizes are exact and overflow-safe. */
#include <string.h>

#include "engine/gguf.h"
#include "engine/tensor.h"

typedef struct {
  guint32 type;
  const char *name;
  guint block_size;
  guint type_size;
  gboolean supported;
} Expected;

/* Bytes per block written out from each format's block layout. */
static const Expected expected[] = {
  { DOCENT_TYPE_F32, "F32", 1, 4, TRUE },
  { DOCENT_TYPE_F16, "F16", 1, 2, TRUE },
  { DOCENT_TYPE_Q4_0, "Q4_0", 32, 18, TRUE },     /* f16 d, 16 nibble bytes */
  { DOCENT_TYPE_Q4_1, "Q4_1", 32, 20, TRUE },     /* f16 d, f16 m, 16 */
  { DOCENT_TYPE_Q5_0, "Q5_0", 32, 22, TRUE },     /* f16 d, 4 high bits, 16 */
  { DOCENT_TYPE_Q5_1, "Q5_1", 32, 24, TRUE },
  { DOCENT_TYPE_Q8_0, "Q8_0", 32, 34, TRUE },     /* f16 d, 32 int8 */
  { DOCENT_TYPE_Q8_1, "Q8_1", 32, 36, TRUE },     /* f16 d, f16 s, 32 int8 */
  { DOCENT_TYPE_Q2_K, "Q2_K", 256, 84, TRUE },
  { DOCENT_TYPE_Q3_K, "Q3_K", 256, 110, TRUE },
  { DOCENT_TYPE_Q4_K, "Q4_K", 256, 144, TRUE },
  { DOCENT_TYPE_Q5_K, "Q5_K", 256, 176, TRUE },
  { DOCENT_TYPE_Q6_K, "Q6_K", 256, 210, TRUE },
  { DOCENT_TYPE_Q8_K, "Q8_K", 256, 292, TRUE },   /* f32 d, 256 int8, 16 int16 sums */
  { DOCENT_TYPE_IQ2_XXS, "IQ2_XXS", 256, 66, FALSE },
  { DOCENT_TYPE_IQ2_XS, "IQ2_XS", 256, 74, FALSE },
  { DOCENT_TYPE_IQ3_XXS, "IQ3_XXS", 256, 98, FALSE },
  { DOCENT_TYPE_IQ1_S, "IQ1_S", 256, 50, FALSE },
  { DOCENT_TYPE_IQ4_NL, "IQ4_NL", 32, 18, FALSE },
  { DOCENT_TYPE_IQ3_S, "IQ3_S", 256, 110, FALSE },
  { DOCENT_TYPE_IQ2_S, "IQ2_S", 256, 82, FALSE },
  { DOCENT_TYPE_IQ4_XS, "IQ4_XS", 256, 136, FALSE },
  { DOCENT_TYPE_I8, "I8", 1, 1, FALSE },
  { DOCENT_TYPE_I16, "I16", 1, 2, FALSE },
  { DOCENT_TYPE_I32, "I32", 1, 4, FALSE },
  { DOCENT_TYPE_I64, "I64", 1, 8, FALSE },
  { DOCENT_TYPE_F64, "F64", 1, 8, FALSE },
  { DOCENT_TYPE_IQ1_M, "IQ1_M", 256, 56, FALSE },
  { DOCENT_TYPE_BF16, "BF16", 1, 2, TRUE },
};

static void
test_table (void)
{
  guint known = 0;

  for (gsize i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      const DocentTypeTraits *t = docent_type_traits (expected[i].type);

      g_assert_nonnull (t);
      g_assert_cmpstr (t->name, ==, expected[i].name);
      g_assert_cmpstr (docent_type_name (expected[i].type), ==, expected[i].name);
      g_assert_cmpuint (t->block_size, ==, expected[i].block_size);
      g_assert_cmpuint (t->type_size, ==, expected[i].type_size);
      g_assert_cmpint (t->supported, ==, expected[i].supported);
    }
  /* Nothing else is known: the enum has exactly these numbers. */
  for (guint32 type = 0; type < 300; type++)
    if (docent_type_traits (type) != NULL)
      known++;
  g_assert_cmpuint (known, ==, G_N_ELEMENTS (expected));
}

static void
test_unknown (void)
{
  /* 4 and 5 were Q4_2 and Q4_3, removed from the format. */
  guint32 unknown[] = { 4, 5, DOCENT_TYPE_COUNT, 31, 34, 39, 1000, G_MAXUINT32 };

  for (gsize i = 0; i < G_N_ELEMENTS (unknown); i++)
    {
      g_autoptr(GError) error = NULL;
      guint64 bytes = 77;

      g_assert_null (docent_type_traits (unknown[i]));
      g_assert_null (docent_type_name (unknown[i]));
      g_assert_false (docent_type_row_bytes (unknown[i], 32, &bytes, &error));
      g_assert_error (error, DOCENT_GGUF_ERROR, DOCENT_GGUF_ERROR_INVALID);
      g_assert_nonnull (strstr (error->message, "unknown tensor type"));
    }
}

static void
test_row_bytes (void)
{
  struct { guint32 type; guint64 n; guint64 bytes; } cases[] = {
    { DOCENT_TYPE_F32, 0, 0 },
    { DOCENT_TYPE_F32, 10, 40 },
    { DOCENT_TYPE_F16, 7, 14 },
    { DOCENT_TYPE_BF16, 896, 1792 },
    { DOCENT_TYPE_Q4_0, 64, 36 },
    { DOCENT_TYPE_Q8_0, 4096, 4352 },
    { DOCENT_TYPE_Q4_K, 4096, 2304 },
    { DOCENT_TYPE_Q6_K, 512, 420 },
    { DOCENT_TYPE_IQ4_NL, 32, 18 },
    { DOCENT_TYPE_Q4_0, G_GUINT64_CONSTANT (32) << 50, G_GUINT64_CONSTANT (18) << 50 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      guint64 bytes = 0;

      g_assert_true (docent_type_row_bytes (cases[i].type, cases[i].n, &bytes, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (bytes, ==, cases[i].bytes);
    }
}

static void
test_row_bytes_errors (void)
{
  g_autoptr(GError) partial = NULL;
  g_autoptr(GError) overflow = NULL;
  g_autoptr(GError) overflow_q = NULL;
  guint64 bytes;

  g_assert_false (docent_type_row_bytes (DOCENT_TYPE_Q4_0, 33, &bytes, &partial));
  g_assert_error (partial, DOCENT_GGUF_ERROR, DOCENT_GGUF_ERROR_INVALID);
  g_assert_nonnull (strstr (partial->message, "Q4_0"));
  g_assert_nonnull (strstr (partial->message, "33"));

  /* 2^62 floats are 2^64 bytes: one too many. */
  g_assert_false (docent_type_row_bytes (DOCENT_TYPE_F32, G_GUINT64_CONSTANT (1) << 62,
                                         &bytes, &overflow));
  g_assert_error (overflow, DOCENT_GGUF_ERROR, DOCENT_GGUF_ERROR_INVALID);
  g_assert_nonnull (strstr (overflow->message, "too large"));
  g_assert_true (docent_type_row_bytes (DOCENT_TYPE_F32, (G_GUINT64_CONSTANT (1) << 62) - 1,
                                        &bytes, NULL));
  g_assert_cmpuint (bytes, ==, G_MAXUINT64 - 3);

  g_assert_false (docent_type_row_bytes (DOCENT_TYPE_Q8_K, G_MAXUINT64 / 256 * 256,
                                         &bytes, &overflow_q));
  g_assert_error (overflow_q, DOCENT_GGUF_ERROR, DOCENT_GGUF_ERROR_INVALID);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/tensor/table", test_table);
  g_test_add_func ("/tensor/unknown", test_unknown);
  g_test_add_func ("/tensor/row-bytes", test_row_bytes);
  g_test_add_func ("/tensor/row-bytes-errors", test_row_bytes_errors);
  return g_test_run ();
}
