/* tensor.h — the tensor element types of the GGUF format: their numbers
 * (as stored in files), names, block sizes and bytes per block. Read-only
 * tables; nothing here allocates. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Numbering is the file format's; do not renumber. */
typedef enum {
  DOCENT_TYPE_F32 = 0,
  DOCENT_TYPE_F16 = 1,
  DOCENT_TYPE_Q4_0 = 2,
  DOCENT_TYPE_Q4_1 = 3,
  DOCENT_TYPE_Q5_0 = 6,
  DOCENT_TYPE_Q5_1 = 7,
  DOCENT_TYPE_Q8_0 = 8,
  DOCENT_TYPE_Q8_1 = 9,
  DOCENT_TYPE_Q2_K = 10,
  DOCENT_TYPE_Q3_K = 11,
  DOCENT_TYPE_Q4_K = 12,
  DOCENT_TYPE_Q5_K = 13,
  DOCENT_TYPE_Q6_K = 14,
  DOCENT_TYPE_Q8_K = 15,
  DOCENT_TYPE_IQ2_XXS = 16,
  DOCENT_TYPE_IQ2_XS = 17,
  DOCENT_TYPE_IQ3_XXS = 18,
  DOCENT_TYPE_IQ1_S = 19,
  DOCENT_TYPE_IQ4_NL = 20,
  DOCENT_TYPE_IQ3_S = 21,
  DOCENT_TYPE_IQ2_S = 22,
  DOCENT_TYPE_IQ4_XS = 23,
  DOCENT_TYPE_I8 = 24,
  DOCENT_TYPE_I16 = 25,
  DOCENT_TYPE_I32 = 26,
  DOCENT_TYPE_I64 = 27,
  DOCENT_TYPE_F64 = 28,
  DOCENT_TYPE_IQ1_M = 29,
  DOCENT_TYPE_BF16 = 30,
  DOCENT_TYPE_COUNT = 31,   /* one past the highest number known */
} DocentTensorType;

typedef struct {
  const char *name;         /* "Q4_K", as tools print it */
  guint block_size;         /* elements per block */
  guint type_size;          /* bytes per block */
  gboolean supported;       /* Docent can dequantize it and compute with it */
} DocentTypeTraits;

/* NULL for a number no known format uses. */
const DocentTypeTraits *docent_type_traits     (guint32      type);
const char             *docent_type_name       (guint32      type);
/* Bytes taken by a row of `n` elements: fails (with a message naming the
 * type) for unknown types, `n` not a multiple of the block size, or a size
 * that would overflow. */
gboolean                docent_type_row_bytes  (guint32      type,
                                                guint64      n,
                                                guint64     *bytes,
                                                GError     **error);

G_END_DECLS
