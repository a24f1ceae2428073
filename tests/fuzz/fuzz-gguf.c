/* fuzz-gguf.c — libFuzzer entry point for the GGUF reader: opens the input
 * with docent_gguf_open_bytes and, when it opens, reads every key, value,
 * array element, tensor and the summary the way the engine and
 * `models info` would. Any crash, sanitizer report, leak or failed check
 * here is a reader bug. Built as a libFuzzer binary under clang
 * (-Dfuzzing=true) and, with replay.c, as a normal test over the corpus. */
#include <stdint.h>
#include <stdlib.h>

#include "engine/gguf.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Invariants hold even for hostile input; abort () shows up as a crash. */
#define CHECK(cond) do { if (!(cond)) abort (); } while (0)

static guint64 walk_value (const DocentGgufValue *value, guint depth);

static guint64
walk_element (const DocentGgufValue *array,
              guint64                i,
              guint                  depth)
{
  gsize len;
  const char *s;
  double f;
  gboolean b;
  gint64 v;
  guint32 u;

  switch (docent_gguf_array_type (array))
    {
    case DOCENT_GGUF_TYPE_STRING:
      s = docent_gguf_array_get_string (array, i, &len);
      CHECK (s != NULL);
      return len + (len > 0 ? (guint8) s[0] + (guint8) s[len - 1] : 0);
    case DOCENT_GGUF_TYPE_ARRAY:
      return walk_value (docent_gguf_array_get_array (array, i), depth + 1);
    case DOCENT_GGUF_TYPE_BOOL:
      CHECK (docent_gguf_array_get_bool (array, i, &b));
      return b;
    default:
      CHECK (docent_gguf_array_get_f64 (array, i, &f));
      return (docent_gguf_array_get_i64 (array, i, &v) ? (guint64) v : 0)
             + (docent_gguf_array_get_u32 (array, i, &u) ? u : 0);
    }
}

static guint64
walk_array (const DocentGgufValue *array,
            guint                  depth)
{
  guint64 n = docent_gguf_array_length (array), sum = 0;
  DocentGgufType type = docent_gguf_array_type (array);

  CHECK (depth <= DOCENT_GGUF_MAX_DEPTH);
  for (guint64 i = 0; i < n; i++)
    sum += walk_element (array, i, depth);
  CHECK (docent_gguf_array_get_string (array, n, NULL) == NULL);
  CHECK (docent_gguf_array_get_array (array, n) == NULL);
  /* The bulk copies convert numeric arrays; keep them small here. */
  if (n > 0 && n <= 4096 && type != DOCENT_GGUF_TYPE_STRING && type != DOCENT_GGUF_TYPE_ARRAY)
    {
      float *floats = g_new (float, n);
      gint32 *ints = g_new (gint32, n);
      GError *error = NULL;

      CHECK (docent_gguf_array_copy_f32 (array, floats, NULL)
             || type == DOCENT_GGUF_TYPE_BOOL);
      if (!docent_gguf_array_copy_i32 (array, ints, &error))
        g_error_free (error);
      g_free (floats);
      g_free (ints);
    }
  return sum;
}

static guint64
walk_value (const DocentGgufValue *value,
            guint                  depth)
{
  GError *error = NULL;
  gsize len;
  const char *s;
  guint32 u32;
  double f;

  CHECK (value != NULL);
  switch (docent_gguf_value_type (value))
    {
    case DOCENT_GGUF_TYPE_ARRAY:
      return walk_array (value, depth);
    case DOCENT_GGUF_TYPE_STRING:
      s = docent_gguf_value_get_string (value, &len);
      CHECK (s != NULL);
      return len + (len > 0 ? (guint8) s[len - 1] : 0);
    default:
      if (!docent_gguf_value_get_u32 (value, &u32, &error))
        g_clear_error (&error);
      if (docent_gguf_value_get_f64 (value, &f, NULL))
        return 2;
      CHECK (docent_gguf_value_type (value) == DOCENT_GGUF_TYPE_BOOL);
      return 3;
    }
}

static guint64
walk_tensors (DocentGguf *gguf)
{
  guint64 sum = 0;
  gsize size;
  const guint8 *base = docent_gguf_bytes (gguf, &size);
  guint32 alignment = docent_gguf_alignment (gguf);

  for (gsize i = 0; i < docent_gguf_n_tensors (gguf); i++)
    {
      const DocentGgufTensor *t = docent_gguf_tensor (gguf, i);
      guint64 row_bytes;

      CHECK (docent_gguf_find_tensor (gguf, t->name) == t);
      CHECK (docent_type_traits (t->type) != NULL);
      CHECK (t->n_dims <= DOCENT_GGUF_MAX_DIMS);
      CHECK (docent_type_row_bytes (t->type, t->dims[0], &row_bytes, NULL));
      CHECK (t->data >= base && t->data <= base + size);
      CHECK (t->n_bytes <= (guint64) (base + size - t->data));
      CHECK ((guint64) (t->data - base) % alignment == 0);
      if (t->n_bytes > 0)
        sum += t->data[0] + t->data[t->n_bytes - 1];
    }
  return sum;
}

static void
walk_getters (DocentGguf *gguf)
{
  static const char * const keys[] = {
    "general.architecture", "general.alignment", "tokenizer.ggml.bos_token_id",
    "tokenizer.ggml.add_bos_token", "tokenizer.ggml.tokens", "general.name",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      GError *error = NULL;
      char *text = docent_gguf_dup_string (gguf, keys[i], &error);
      guint32 u32;
      gint64 i64;
      gboolean b;
      float f;

      g_clear_error (&error);
      g_free (text);
      if (!docent_gguf_get_u32 (gguf, keys[i], &u32, &error))
        g_clear_error (&error);
      if (!docent_gguf_get_i64 (gguf, keys[i], &i64, &error))
        g_clear_error (&error);
      if (!docent_gguf_get_bool (gguf, keys[i], &b, &error))
        g_clear_error (&error);
      if (!docent_gguf_get_f32 (gguf, keys[i], &f, &error))
        g_clear_error (&error);
      if (docent_gguf_get_array (gguf, keys[i], DOCENT_GGUF_TYPE_STRING, &error) == NULL)
        g_clear_error (&error);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  GBytes *bytes = g_bytes_new_static (data, size);
  GError *error = NULL;
  DocentGguf *gguf = docent_gguf_open_bytes (bytes, &error);
  DocentGgufSummary *summary;
  volatile guint64 sink = 0;

  g_bytes_unref (bytes);
  if (gguf == NULL)
    {
      CHECK (error != NULL && error->domain == DOCENT_GGUF_ERROR && error->message[0] != '\0');
      g_error_free (error);
      return 0;
    }
  CHECK (error == NULL);
  for (gsize i = 0; i < docent_gguf_n_kv (gguf); i++)
    {
      CHECK (docent_gguf_lookup (gguf, docent_gguf_key (gguf, i)) == docent_gguf_value (gguf, i));
      sink += walk_value (docent_gguf_value (gguf, i), 1);
    }
  sink += walk_tensors (gguf);
  walk_getters (gguf);
  summary = docent_gguf_summarize (gguf);
  CHECK (summary->n_tensors == docent_gguf_n_tensors (gguf));
  CHECK (summary->n_bytes <= summary->file_size);
  docent_gguf_summary_free (summary);
  docent_gguf_unref (gguf);
  (void) sink;
  return 0;
}
