/* tensor.c — the table of GGUF tensor element types (names, block sizes,
 * bytes per block) and the overflow-safe row size computation. The sizes
 * follow the block layouts of the format as documented for ggml/GGUF
 * (block structs of ggml-common.h, GGML_QUANT_SIZES of gguf-py). */
#include "engine/tensor.h"

#include "engine/gguf.h"

#define QK_K 256

/* Numbers 4 and 5 (Q4_2, Q4_3) were retired from the format and are left
 * empty, so reading a file that uses them fails. */
static const DocentTypeTraits type_table[DOCENT_TYPE_COUNT] = {
  [DOCENT_TYPE_F32]     = { "F32",     1,    4,                                   TRUE },
  [DOCENT_TYPE_F16]     = { "F16",     1,    2,                                   TRUE },
  [DOCENT_TYPE_Q4_0]    = { "Q4_0",    32,   2 + 16,                              TRUE },
  [DOCENT_TYPE_Q4_1]    = { "Q4_1",    32,   2 + 2 + 16,                          TRUE },
  [DOCENT_TYPE_Q5_0]    = { "Q5_0",    32,   2 + 4 + 16,                          TRUE },
  [DOCENT_TYPE_Q5_1]    = { "Q5_1",    32,   2 + 2 + 4 + 16,                      TRUE },
  [DOCENT_TYPE_Q8_0]    = { "Q8_0",    32,   2 + 32,                              TRUE },
  [DOCENT_TYPE_Q8_1]    = { "Q8_1",    32,   2 + 2 + 32,                          TRUE },
  [DOCENT_TYPE_Q2_K]    = { "Q2_K",    QK_K, QK_K / 16 + QK_K / 4 + 2 + 2,        TRUE },
  [DOCENT_TYPE_Q3_K]    = { "Q3_K",    QK_K, QK_K / 8 + QK_K / 4 + 12 + 2,        TRUE },
  [DOCENT_TYPE_Q4_K]    = { "Q4_K",    QK_K, 2 + 2 + 12 + QK_K / 2,               TRUE },
  [DOCENT_TYPE_Q5_K]    = { "Q5_K",    QK_K, 2 + 2 + 12 + QK_K / 8 + QK_K / 2,    TRUE },
  [DOCENT_TYPE_Q6_K]    = { "Q6_K",    QK_K, QK_K / 2 + QK_K / 4 + QK_K / 16 + 2, TRUE },
  [DOCENT_TYPE_Q8_K]    = { "Q8_K",    QK_K, 4 + QK_K + QK_K / 16 * 2,            TRUE },
  [DOCENT_TYPE_IQ2_XXS] = { "IQ2_XXS", QK_K, 2 + QK_K / 4,                        FALSE },
  [DOCENT_TYPE_IQ2_XS]  = { "IQ2_XS",  QK_K, 2 + QK_K / 4 + QK_K / 32,            FALSE },
  [DOCENT_TYPE_IQ3_XXS] = { "IQ3_XXS", QK_K, 2 + 3 * QK_K / 8,                    FALSE },
  [DOCENT_TYPE_IQ1_S]   = { "IQ1_S",   QK_K, 2 + QK_K / 8 + QK_K / 16,            FALSE },
  [DOCENT_TYPE_IQ4_NL]  = { "IQ4_NL",  32,   2 + 16,                              FALSE },
  [DOCENT_TYPE_IQ3_S]   = { "IQ3_S",   QK_K, 2 + QK_K / 4 + QK_K / 8 + QK_K / 32 + 4, FALSE },
  [DOCENT_TYPE_IQ2_S]   = { "IQ2_S",   QK_K, 2 + QK_K / 4 + QK_K / 16,            FALSE },
  [DOCENT_TYPE_IQ4_XS]  = { "IQ4_XS",  QK_K, 2 + 2 + QK_K / 64 + QK_K / 2,        FALSE },
  [DOCENT_TYPE_I8]      = { "I8",      1,    1,                                   FALSE },
  [DOCENT_TYPE_I16]     = { "I16",     1,    2,                                   FALSE },
  [DOCENT_TYPE_I32]     = { "I32",     1,    4,                                   FALSE },
  [DOCENT_TYPE_I64]     = { "I64",     1,    8,                                   FALSE },
  [DOCENT_TYPE_F64]     = { "F64",     1,    8,                                   FALSE },
  [DOCENT_TYPE_IQ1_M]   = { "IQ1_M",   QK_K, QK_K / 8 + QK_K / 16 + QK_K / 32,    FALSE },
  [DOCENT_TYPE_BF16]    = { "BF16",    1,    2,                                   TRUE },
};

const DocentTypeTraits *
docent_type_traits (guint32 type)
{
  if (type >= DOCENT_TYPE_COUNT || type_table[type].name == NULL)
    return NULL;
  return &type_table[type];
}

const char *
docent_type_name (guint32 type)
{
  const DocentTypeTraits *traits = docent_type_traits (type);

  return traits != NULL ? traits->name : NULL;
}

gboolean
docent_type_row_bytes (guint32   type,
                       guint64   n,
                       guint64  *bytes,
                       GError  **error)
{
  const DocentTypeTraits *traits = docent_type_traits (type);
  guint64 blocks;

  if (traits == NULL)
    {
      g_set_error (error, DOCENT_GGUF_ERROR, DOCENT_GGUF_ERROR_INVALID,
                   "unknown tensor type %u", type);
      return FALSE;
    }
  if (n % traits->block_size != 0)
    {
      g_set_error (error, DOCENT_GGUF_ERROR, DOCENT_GGUF_ERROR_INVALID,
                   "a row of %" G_GUINT64_FORMAT " elements is not a whole "
                   "number of %s blocks (%u elements each)",
                   n, traits->name, traits->block_size);
      return FALSE;
    }
  blocks = n / traits->block_size;
  if (!g_uint64_checked_mul (bytes, blocks, traits->type_size))
    {
      g_set_error (error, DOCENT_GGUF_ERROR, DOCENT_GGUF_ERROR_INVALID,
                   "a %s row of %" G_GUINT64_FORMAT " elements is too large",
                   traits->name, n);
      return FALSE;
    }
  return TRUE;
}
