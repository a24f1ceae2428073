/* test-gguf.c — the GGUF reader and writer (engine/gguf.h, gguf-writer.h):
 * round trips of every value type, nested and lazy arrays, typed getters,
 * tensors and alignment, versions, the summary, the conformance files when
 * present, and hostile files: hand-crafted bad headers, every truncation of
 * a valid file and thousands of random mutations. */
#include <string.h>
#include <sys/stat.h>

#include "engine/gguf.h"
#include "engine/gguf-writer.h"
#include "tests/fixtures.h"

/* ---- helpers ------------------------------------------------------------- */

static DocentGguf *
open_writer (DocentGgufWriter *writer,
             GError          **error)
{
  g_autoptr(GBytes) bytes = docent_gguf_writer_to_bytes (writer, NULL);

  g_assert_nonnull (bytes);
  return docent_gguf_open_bytes (bytes, error);
}

static DocentGguf *
open_array (GByteArray *raw,
            GError    **error)
{
  g_autoptr(GBytes) bytes = g_bytes_new (raw->data, raw->len);

  return docent_gguf_open_bytes (bytes, error);
}

static void
raw_u32 (GByteArray *b,
         guint32     v)
{
  v = GUINT32_TO_LE (v);
  g_byte_array_append (b, (guint8 *) &v, 4);
}

static void
raw_u64 (GByteArray *b,
         guint64     v)
{
  v = GUINT64_TO_LE (v);
  g_byte_array_append (b, (guint8 *) &v, 8);
}

static void
raw_str (GByteArray *b,
         const char *s)
{
  raw_u64 (b, strlen (s));
  g_byte_array_append (b, (const guint8 *) s, strlen (s));
}

static GByteArray *
raw_header (guint32 version,
            guint64 n_tensors,
            guint64 n_kv)
{
  GByteArray *b = g_byte_array_new ();

  g_byte_array_append (b, (const guint8 *) "GGUF", 4);
  raw_u32 (b, version);
  raw_u64 (b, n_tensors);
  raw_u64 (b, n_kv);
  return b;
}

/* A tensor info with up to two dimensions. */
static void
raw_tensor (GByteArray *b,
            const char *name,
            guint32     n_dims,
            guint64     d0,
            guint64     d1,
            guint32     type,
            guint64     offset)
{
  raw_str (b, name);
  raw_u32 (b, n_dims);
  if (n_dims >= 1)
    raw_u64 (b, d0);
  if (n_dims >= 2)
    raw_u64 (b, d1);
  for (guint d = 2; d < n_dims; d++)
    raw_u64 (b, 1);
  raw_u32 (b, type);
  raw_u64 (b, offset);
}

/* Pads to 32 and appends `n` data bytes. */
static void
raw_data (GByteArray *b,
          gsize       n)
{
  static const guint8 zero[1] = { 0 };

  while (b->len % 32 != 0)
    g_byte_array_append (b, zero, 1);
  for (gsize i = 0; i < n; i++)
    {
      guint8 v = (guint8) (i * 7);

      g_byte_array_append (b, &v, 1);
    }
}

/* Asserts that opening `raw` fails with `code` and a message holding
 * `fragment`. */
static void
assert_refused (GByteArray *raw,
                gint        code,
                const char *fragment)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentGguf) gguf = open_array (raw, &error);

  g_assert_null (gguf);
  g_assert_error (error, DOCENT_GGUF_ERROR, code);
  if (fragment != NULL && strstr (error->message, fragment) == NULL)
    g_error ("message '%s' lacks '%s'", error->message, fragment);
}

static void
fill_pattern (guint8 *data,
              gsize   n,
              guint   seed)
{
  for (gsize i = 0; i < n; i++)
    data[i] = (guint8) (i * 31 + seed * 17 + (i >> 8));
}

/* Reads every value, element and tensor of an opened file, as a user of the
 * API would; returns a checksum so nothing is optimized away. */
static guint64 walk_value (const DocentGgufValue *value, guint depth);

static guint64
walk_array (const DocentGgufValue *array,
            guint                  depth)
{
  guint64 sum = 0, n = docent_gguf_array_length (array);

  g_assert_cmpuint (depth, <=, DOCENT_GGUF_MAX_DEPTH);
  for (guint64 i = 0; i < n; i++)
    {
      gsize len;
      const char *s;
      double f;
      gint64 v;

      switch (docent_gguf_array_type (array))
        {
        case DOCENT_GGUF_TYPE_STRING:
          s = docent_gguf_array_get_string (array, i, &len);
          g_assert_nonnull (s);
          sum += len + (len > 0 ? (guint8) s[0] + (guint8) s[len - 1] : 0);
          break;
        case DOCENT_GGUF_TYPE_ARRAY:
          sum += walk_value (docent_gguf_array_get_array (array, i), depth + 1);
          break;
        default:
          g_assert_true (docent_gguf_array_get_f64 (array, i, &f)
                         || docent_gguf_array_get_bool (array, i, &(gboolean) { 0 }));
          if (docent_gguf_array_get_i64 (array, i, &v))
            sum += (guint64) v;
          break;
        }
    }
  g_assert_null (docent_gguf_array_get_string (array, n, NULL));
  g_assert_null (docent_gguf_array_get_array (array, n));
  return sum;
}

static guint64
walk_value (const DocentGgufValue *value,
            guint                  depth)
{
  gsize len;
  const char *s;
  double f;

  g_assert_nonnull (value);
  switch (docent_gguf_value_type (value))
    {
    case DOCENT_GGUF_TYPE_ARRAY:
      return walk_array (value, depth);
    case DOCENT_GGUF_TYPE_STRING:
      s = docent_gguf_value_get_string (value, &len);
      return len + (len > 0 ? (guint8) s[len - 1] : 0);
    default:
      if (docent_gguf_value_get_f64 (value, &f, NULL))
        return (guint64) (f != f ? 1 : 2);
      g_assert_true (docent_gguf_value_get_bool (value, &(gboolean) { 0 }, NULL));
      return 3;
    }
}

static guint64
walk (DocentGguf *gguf)
{
  g_autoptr(DocentGgufSummary) summary = docent_gguf_summarize (gguf);
  gsize size;
  const guint8 *base = docent_gguf_bytes (gguf, &size);
  guint64 sum = 0;

  for (gsize i = 0; i < docent_gguf_n_kv (gguf); i++)
    {
      const char *key = docent_gguf_key (gguf, i);

      g_assert_nonnull (key);
      g_assert_true (docent_gguf_lookup (gguf, key) == docent_gguf_value (gguf, i));
      sum += walk_value (docent_gguf_value (gguf, i), 1);
    }
  g_assert_null (docent_gguf_key (gguf, docent_gguf_n_kv (gguf)));
  for (gsize i = 0; i < docent_gguf_n_tensors (gguf); i++)
    {
      const DocentGgufTensor *t = docent_gguf_tensor (gguf, i);

      g_assert_true (docent_gguf_find_tensor (gguf, t->name) == t);
      g_assert_nonnull (docent_type_traits (t->type));
      g_assert_true (t->data >= base + docent_gguf_data_offset (gguf) || t->n_bytes == 0);
      g_assert_true (t->data + t->n_bytes <= base + size);
      g_assert_cmpuint ((guint64) (t->data - base) % docent_gguf_alignment (gguf), ==, 0);
      if (t->n_bytes > 0)
        sum += t->data[0] + t->data[t->n_bytes - 1];
    }
  g_assert_cmpuint (summary->n_tensors, ==, docent_gguf_n_tensors (gguf));
  return sum;
}

/* ---- a sample model ------------------------------------------------------ */

typedef struct {
  const char *name;
  guint32 type;
  guint32 n_dims;
  guint64 dims[4];
  gsize bytes;
} SampleTensor;

static const SampleTensor sample_tensors[] = {
  { "token_embd.weight", DOCENT_TYPE_F32, 2, { 8, 3 }, 96 },
  { "blk.0.attn_norm.weight", DOCENT_TYPE_F16, 1, { 10 }, 20 },
  { "blk.0.attn_q.weight", DOCENT_TYPE_Q4_0, 2, { 64, 2 }, 72 },
  { "blk.0.attn_k.weight", DOCENT_TYPE_Q8_0, 3, { 32, 1, 2 }, 68 },
  { "blk.0.ffn_up.weight", DOCENT_TYPE_Q4_K, 2, { 256, 2 }, 288 },
  { "blk.0.ffn_down.weight", DOCENT_TYPE_Q6_K, 4, { 256, 1, 1, 1 }, 210 },
  { "blk.0.ffn_gate.weight", DOCENT_TYPE_BF16, 1, { 5 }, 10 },
  { "blk.0.iq.weight", DOCENT_TYPE_IQ2_XXS, 1, { 256 }, 66 },
  { "output_norm.weight", DOCENT_TYPE_I32, 1, { 3 }, 12 },
};

static void
add_sample_tensors (DocentGgufWriter *writer)
{
  for (gsize i = 0; i < G_N_ELEMENTS (sample_tensors); i++)
    {
      const SampleTensor *s = &sample_tensors[i];
      g_autofree guint8 *data = g_malloc (s->bytes);
      g_autoptr(GError) error = NULL;

      fill_pattern (data, s->bytes, (guint) i);
      g_assert_true (docent_gguf_writer_add_tensor (writer, s->name, s->n_dims, s->dims,
                                                    s->type, data, s->bytes, &error));
      g_assert_no_error (error);
    }
}

static void
add_all_values (DocentGgufWriter *writer)
{
  static const guint8 u8s[] = { 1, 2, 255 };
  static const gint8 i8s[] = { -128, 0, 127 };
  static const guint16 u16s[] = { 0, 65535 };
  static const gint16 i16s[] = { -32768, 32767 };
  static const guint32 u32s[] = { 0, 7, 4000000000u };
  static const gint32 i32s[] = { -5, 0, 2147483647 };
  static const guint64 u64s[] = { G_MAXUINT64, 12 };
  static const gint64 i64s[] = { G_MININT64, -1, 3 };
  static const float f32s[] = { 0.5f, -1.0f, 3e38f };
  static const double f64s[] = { 1e300, -0.25 };
  static const guint8 bools[] = { 1, 0, 1 };
  static const char * const strs[] = { "a", "", "ccc", NULL };
  g_autoptr(DocentGgufArrayBuilder) nested = docent_gguf_array_builder_new (DOCENT_GGUF_TYPE_ARRAY);
  g_autoptr(DocentGgufArrayBuilder) nested_str = docent_gguf_array_builder_new (DOCENT_GGUF_TYPE_ARRAY);
  g_autoptr(DocentGgufArrayBuilder) deep = docent_gguf_array_builder_new (DOCENT_GGUF_TYPE_ARRAY);
  DocentGgufArrayBuilder *a, *b;

  docent_gguf_writer_add_u8 (writer, "v.u8", 200);
  docent_gguf_writer_add_i8 (writer, "v.i8", -100);
  docent_gguf_writer_add_u16 (writer, "v.u16", 60000);
  docent_gguf_writer_add_i16 (writer, "v.i16", -30000);
  docent_gguf_writer_add_u32 (writer, "v.u32", 4000000000u);
  docent_gguf_writer_add_i32 (writer, "v.i32", -2000000000);
  docent_gguf_writer_add_u64 (writer, "v.u64", (G_GUINT64_CONSTANT (1) << 40) + 5);
  docent_gguf_writer_add_i64 (writer, "v.i64", -(G_GINT64_CONSTANT (1) << 40));
  docent_gguf_writer_add_i64 (writer, "v.i64.small", 7);
  docent_gguf_writer_add_f32 (writer, "v.f32", 1.5f);
  docent_gguf_writer_add_f64 (writer, "v.f64", 2.25);
  docent_gguf_writer_add_bool (writer, "v.bool", TRUE);
  docent_gguf_writer_add_bool (writer, "v.false", FALSE);
  docent_gguf_writer_add_string (writer, "v.str", "héllo");
  docent_gguf_writer_add_string_len (writer, "v.str.nul", "a\0b", 3);
  docent_gguf_writer_add_string (writer, "v.str.empty", "");

  docent_gguf_writer_add_array (writer, "a.u8", DOCENT_GGUF_TYPE_UINT8, u8s, G_N_ELEMENTS (u8s));
  docent_gguf_writer_add_array (writer, "a.i8", DOCENT_GGUF_TYPE_INT8, i8s, G_N_ELEMENTS (i8s));
  docent_gguf_writer_add_array (writer, "a.u16", DOCENT_GGUF_TYPE_UINT16, u16s, G_N_ELEMENTS (u16s));
  docent_gguf_writer_add_array (writer, "a.i16", DOCENT_GGUF_TYPE_INT16, i16s, G_N_ELEMENTS (i16s));
  docent_gguf_writer_add_array (writer, "a.u32", DOCENT_GGUF_TYPE_UINT32, u32s, G_N_ELEMENTS (u32s));
  docent_gguf_writer_add_array (writer, "a.i32", DOCENT_GGUF_TYPE_INT32, i32s, G_N_ELEMENTS (i32s));
  docent_gguf_writer_add_array (writer, "a.u64", DOCENT_GGUF_TYPE_UINT64, u64s, G_N_ELEMENTS (u64s));
  docent_gguf_writer_add_array (writer, "a.i64", DOCENT_GGUF_TYPE_INT64, i64s, G_N_ELEMENTS (i64s));
  docent_gguf_writer_add_array (writer, "a.f32", DOCENT_GGUF_TYPE_FLOAT32, f32s, G_N_ELEMENTS (f32s));
  docent_gguf_writer_add_array (writer, "a.f64", DOCENT_GGUF_TYPE_FLOAT64, f64s, G_N_ELEMENTS (f64s));
  docent_gguf_writer_add_array (writer, "a.bool", DOCENT_GGUF_TYPE_BOOL, bools, G_N_ELEMENTS (bools));
  docent_gguf_writer_add_strv (writer, "a.str", strs, -1);
  docent_gguf_writer_add_array (writer, "a.empty", DOCENT_GGUF_TYPE_UINT32, NULL, 0);

  /* [[1, 2], [], [3]] */
  a = docent_gguf_array_builder_new (DOCENT_GGUF_TYPE_UINT32);
  docent_gguf_array_builder_append_uint (a, 1);
  docent_gguf_array_builder_append_uint (a, 2);
  docent_gguf_array_builder_append_array (nested, a);
  docent_gguf_array_builder_append_array (nested, docent_gguf_array_builder_new (DOCENT_GGUF_TYPE_UINT32));
  a = docent_gguf_array_builder_new (DOCENT_GGUF_TYPE_UINT32);
  docent_gguf_array_builder_append_int (a, 3);
  docent_gguf_array_builder_append_array (nested, a);
  docent_gguf_writer_add_array_value (writer, "a.nested", g_steal_pointer (&nested));

  /* [["x", "yy"], ["z"]] */
  a = docent_gguf_array_builder_new (DOCENT_GGUF_TYPE_STRING);
  docent_gguf_array_builder_append_string (a, "x", -1);
  docent_gguf_array_builder_append_string (a, "yyy", 2);
  docent_gguf_array_builder_append_array (nested_str, a);
  a = docent_gguf_array_builder_new (DOCENT_GGUF_TYPE_STRING);
  docent_gguf_array_builder_append_string (a, "z", 1);
  docent_gguf_array_builder_append_array (nested_str, a);
  docent_gguf_writer_add_array_value (writer, "a.nested.str", g_steal_pointer (&nested_str));

  /* [[[0.5, -2]]] */
  a = docent_gguf_array_builder_new (DOCENT_GGUF_TYPE_FLOAT64);
  docent_gguf_array_builder_append_double (a, 0.5);
  docent_gguf_array_builder_append_int (a, -2);
  b = docent_gguf_array_builder_new (DOCENT_GGUF_TYPE_ARRAY);
  docent_gguf_array_builder_append_array (b, a);
  docent_gguf_array_builder_append_array (deep, b);
  docent_gguf_writer_add_array_value (writer, "a.deep", g_steal_pointer (&deep));
}

static void
add_model_keys (DocentGgufWriter *writer)
{
  static const char * const tokens[] = { "<unk>", "<s>", "</s>", "▁a", "b", NULL };
  static const float scores[] = { 0, 0, 0, -1.5f, -2.5f };
  static const gint32 token_types[] = { 2, 3, 3, 1, 1 };

  docent_gguf_writer_add_string (writer, "general.architecture", "llama");
  docent_gguf_writer_add_string (writer, "general.name", "Tiny Test");
  docent_gguf_writer_add_u32 (writer, "llama.context_length", 2048);
  docent_gguf_writer_add_u32 (writer, "llama.embedding_length", 64);
  docent_gguf_writer_add_u32 (writer, "llama.block_count", 2);
  docent_gguf_writer_add_string (writer, "tokenizer.ggml.model", "llama");
  docent_gguf_writer_add_string (writer, "tokenizer.ggml.pre", "default");
  docent_gguf_writer_add_strv (writer, "tokenizer.ggml.tokens", tokens, -1);
  docent_gguf_writer_add_array (writer, "tokenizer.ggml.scores", DOCENT_GGUF_TYPE_FLOAT32,
                                scores, G_N_ELEMENTS (scores));
  docent_gguf_writer_add_array (writer, "tokenizer.ggml.token_type", DOCENT_GGUF_TYPE_INT32,
                                token_types, G_N_ELEMENTS (token_types));
  docent_gguf_writer_add_u32 (writer, "tokenizer.ggml.bos_token_id", 1);
  docent_gguf_writer_add_bool (writer, "tokenizer.ggml.add_bos_token", TRUE);
  docent_gguf_writer_add_string (writer, "tokenizer.chat_template", "{{ messages }}");
}

static GBytes *
make_sample (guint32 alignment)
{
  g_autoptr(DocentGgufWriter) writer = docent_gguf_writer_new ();
  g_autoptr(GError) error = NULL;
  GBytes *bytes;

  add_model_keys (writer);
  add_all_values (writer);
  if (alignment != 0)
    docent_gguf_writer_set_alignment (writer, alignment);
  add_sample_tensors (writer);
  bytes = docent_gguf_writer_to_bytes (writer, &error);
  g_assert_no_error (error);
  return bytes;
}

/* ---- round trips --------------------------------------------------------- */

static void
test_scalars (void)
{
  g_autoptr(DocentGgufWriter) writer = docent_gguf_writer_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentGguf) gguf = NULL;
  g_autofree char *copy = NULL;
  guint32 u32; gint32 i32; guint64 u64; gint64 i64;
  float f32; double f64; gboolean b;
  const char *s;
  gsize len;

  add_all_values (writer);
  docent_gguf_writer_add_u32 (writer, "v.u8", 201);   /* replaces in place */
  gguf = open_writer (writer, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (docent_gguf_version (gguf), ==, 3);
  g_assert_cmpuint (docent_gguf_n_kv (gguf), ==, 32);
  g_assert_cmpstr (docent_gguf_key (gguf, 0), ==, "v.u8");
  g_assert_cmpstr (docent_gguf_key (gguf, 31), ==, "a.deep");
  g_assert_cmpint (docent_gguf_value_type (docent_gguf_value (gguf, 0)), ==, DOCENT_GGUF_TYPE_UINT32);
  g_assert_null (docent_gguf_value (gguf, 32));

  g_assert_true (docent_gguf_get_u32 (gguf, "v.u8", &u32, NULL)); g_assert_cmpuint (u32, ==, 201);
  g_assert_true (docent_gguf_get_i32 (gguf, "v.i8", &i32, NULL)); g_assert_cmpint (i32, ==, -100);
  g_assert_true (docent_gguf_get_u32 (gguf, "v.u16", &u32, NULL)); g_assert_cmpuint (u32, ==, 60000);
  g_assert_true (docent_gguf_get_i64 (gguf, "v.i16", &i64, NULL)); g_assert_cmpint (i64, ==, -30000);
  g_assert_true (docent_gguf_get_u32 (gguf, "v.u32", &u32, NULL)); g_assert_cmpuint (u32, ==, 4000000000u);
  g_assert_true (docent_gguf_get_i32 (gguf, "v.i32", &i32, NULL)); g_assert_cmpint (i32, ==, -2000000000);
  g_assert_true (docent_gguf_get_u64 (gguf, "v.u64", &u64, NULL));
  g_assert_cmpuint (u64, ==, (G_GUINT64_CONSTANT (1) << 40) + 5);
  g_assert_true (docent_gguf_get_i64 (gguf, "v.i64", &i64, NULL));
  g_assert_cmpint (i64, ==, -(G_GINT64_CONSTANT (1) << 40));
  g_assert_true (docent_gguf_get_f32 (gguf, "v.f32", &f32, NULL)); g_assert_cmpfloat (f32, ==, 1.5f);
  g_assert_true (docent_gguf_get_f64 (gguf, "v.f64", &f64, NULL)); g_assert_cmpfloat (f64, ==, 2.25);
  g_assert_true (docent_gguf_get_bool (gguf, "v.bool", &b, NULL)); g_assert_true (b);
  g_assert_true (docent_gguf_get_bool (gguf, "v.false", &b, NULL)); g_assert_false (b);

  s = docent_gguf_get_string (gguf, "v.str", &len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (len, ==, strlen ("héllo"));
  g_assert_cmpmem (s, len, "héllo", len);
  copy = docent_gguf_dup_string (gguf, "v.str", &error);
  g_assert_cmpstr (copy, ==, "héllo");
  s = docent_gguf_get_string (gguf, "v.str.nul", &len, NULL);
  g_assert_cmpmem (s, len, "a\0b", 3);
  s = docent_gguf_get_string (gguf, "v.str.empty", &len, NULL);
  g_assert_nonnull (s);
  g_assert_cmpuint (len, ==, 0);
}

static void
test_conversions (void)
{
  g_autoptr(DocentGgufWriter) writer = docent_gguf_writer_new ();
  g_autoptr(DocentGguf) gguf = NULL;
  struct { const char *key; int getter; gint code; const char *fragment; } failures[] = {
    { "v.i8", 0, DOCENT_GGUF_ERROR_TYPE, "key 'v.i8' holds int8 -100, which is not a uint32" },
    { "v.u64", 0, DOCENT_GGUF_ERROR_TYPE, "1099511627781" },
    { "v.u32", 1, DOCENT_GGUF_ERROR_TYPE, "not an int32" },
    { "v.i64", 2, DOCENT_GGUF_ERROR_TYPE, "not a uint64" },
    { "v.str", 3, DOCENT_GGUF_ERROR_TYPE, "holds string" },
    { "a.u8", 3, DOCENT_GGUF_ERROR_TYPE, "holds array" },
    { "v.u8", 4, DOCENT_GGUF_ERROR_TYPE, "not a bool" },
    { "nope", 0, DOCENT_GGUF_ERROR_NO_KEY, "no key 'nope'" },
    { "nope", 4, DOCENT_GGUF_ERROR_NO_KEY, "no key 'nope'" },
  };
  guint32 u32; gint32 i32; guint64 u64; gint64 i64; float f32; double f64; gboolean b;

  add_all_values (writer);
  gguf = open_writer (writer, NULL);
  g_assert_nonnull (gguf);

  /* Integer types convert when the value fits. */
  g_assert_true (docent_gguf_get_u32 (gguf, "v.i64.small", &u32, NULL)); g_assert_cmpuint (u32, ==, 7);
  g_assert_true (docent_gguf_get_i32 (gguf, "v.u16", &i32, NULL)); g_assert_cmpint (i32, ==, 60000);
  g_assert_true (docent_gguf_get_u64 (gguf, "v.u8", &u64, NULL)); g_assert_cmpuint (u64, ==, 200);
  g_assert_true (docent_gguf_get_i64 (gguf, "v.u32", &i64, NULL)); g_assert_cmpint (i64, ==, 4000000000);
  g_assert_true (docent_gguf_get_f32 (gguf, "v.i32", &f32, NULL)); g_assert_cmpfloat (f32, ==, -2e9f);
  g_assert_true (docent_gguf_get_f64 (gguf, "v.f32", &f64, NULL)); g_assert_cmpfloat (f64, ==, 1.5);
  g_assert_true (docent_gguf_get_bool (gguf, "v.bool", &b, NULL));

  for (gsize i = 0; i < G_N_ELEMENTS (failures); i++)
    {
      g_autoptr(GError) error = NULL;
      gboolean ok = FALSE;

      switch (failures[i].getter)
        {
        case 0: ok = docent_gguf_get_u32 (gguf, failures[i].key, &u32, &error); break;
        case 1: ok = docent_gguf_get_i32 (gguf, failures[i].key, &i32, &error); break;
        case 2: ok = docent_gguf_get_u64 (gguf, failures[i].key, &u64, &error); break;
        case 3: ok = docent_gguf_get_f64 (gguf, failures[i].key, &f64, &error); break;
        case 4: ok = docent_gguf_get_bool (gguf, failures[i].key, &b, &error); break;
        default: g_assert_not_reached ();
        }
      g_assert_false (ok);
      g_assert_error (error, DOCENT_GGUF_ERROR, failures[i].code);
      if (strstr (error->message, failures[i].fragment) == NULL)
        g_error ("'%s' lacks '%s'", error->message, failures[i].fragment);
    }

  {
    g_autoptr(GError) e1 = NULL, e2 = NULL, e3 = NULL, e4 = NULL, e5 = NULL;

    g_assert_null (docent_gguf_get_string (gguf, "v.u8", NULL, &e1));
    g_assert_error (e1, DOCENT_GGUF_ERROR, DOCENT_GGUF_ERROR_TYPE);
    g_assert_null (docent_gguf_dup_string (gguf, "v.str.nul", &e2));
    g_assert_error (e2, DOCENT_GGUF_ERROR, DOCENT_GGUF_ERROR_TYPE);
    g_assert_null (docent_gguf_get_array (gguf, "a.u8", DOCENT_GGUF_TYPE_STRING, &e3));
    g_assert_error (e3, DOCENT_GGUF_ERROR, DOCENT_GGUF_ERROR_TYPE);
    g_assert_nonnull (strstr (e3->message, "an array of uint8, not of string"));
    g_assert_null (docent_gguf_get_array (gguf, "v.u8", -1, &e4));
    g_assert_error (e4, DOCENT_GGUF_ERROR, DOCENT_GGUF_ERROR_TYPE);
    g_assert_null (docent_gguf_get_array (gguf, "absent", -1, &e5));
    g_assert_error (e5, DOCENT_GGUF_ERROR, DOCENT_GGUF_ERROR_NO_KEY);
    g_assert_nonnull (docent_gguf_get_array (gguf, "a.u8", -1, NULL));
    g_assert_null (docent_gguf_value_get_string (docent_gguf_lookup (gguf, "v.u8"), NULL));
  }
}

static void
test_arrays (void)
{
  g_autoptr(DocentGgufWriter) writer = docent_gguf_writer_new ();
  g_autoptr(DocentGguf) gguf = NULL;
  g_autoptr(GError) error = NULL;
  const DocentGgufValue *a, *e;
  guint32 u32; gint32 i32; guint64 u64; gint64 i64; float f32; double f64; gboolean b;
  float floats[3];
  gint32 ints[3];
  const char *s;
  gsize len;

  add_all_values (writer);
  gguf = open_writer (writer, &error);
  g_assert_no_error (error);

  a = docent_gguf_get_array (gguf, "a.u8", DOCENT_GGUF_TYPE_UINT8, NULL);
  g_assert_cmpuint (docent_gguf_array_length (a), ==, 3);
  g_assert_true (docent_gguf_array_get_u32 (a, 2, &u32)); g_assert_cmpuint (u32, ==, 255);
  g_assert_false (docent_gguf_array_get_u32 (a, 3, &u32));
  a = docent_gguf_get_array (gguf, "a.i8", DOCENT_GGUF_TYPE_INT8, NULL);
  g_assert_true (docent_gguf_array_get_i32 (a, 0, &i32)); g_assert_cmpint (i32, ==, -128);
  g_assert_false (docent_gguf_array_get_u32 (a, 0, &u32));
  a = docent_gguf_get_array (gguf, "a.u16", DOCENT_GGUF_TYPE_UINT16, NULL);
  g_assert_true (docent_gguf_array_get_u64 (a, 1, &u64)); g_assert_cmpuint (u64, ==, 65535);
  a = docent_gguf_get_array (gguf, "a.i16", DOCENT_GGUF_TYPE_INT16, NULL);
  g_assert_true (docent_gguf_array_get_i64 (a, 0, &i64)); g_assert_cmpint (i64, ==, -32768);
  a = docent_gguf_get_array (gguf, "a.u32", DOCENT_GGUF_TYPE_UINT32, NULL);
  g_assert_true (docent_gguf_array_get_u32 (a, 2, &u32)); g_assert_cmpuint (u32, ==, 4000000000u);
  g_assert_false (docent_gguf_array_get_i32 (a, 2, &i32));
  g_assert_false (docent_gguf_array_copy_i32 (a, ints, &error));
  g_assert_error (error, DOCENT_GGUF_ERROR, DOCENT_GGUF_ERROR_TYPE);
  g_assert_nonnull (strstr (error->message, "element 2 of key 'a.u32'"));
  g_clear_error (&error);
  g_assert_true (docent_gguf_array_copy_f32 (a, floats, &error));
  g_assert_cmpfloat (floats[1], ==, 7.0f);
  a = docent_gguf_get_array (gguf, "a.i32", DOCENT_GGUF_TYPE_INT32, NULL);
  g_assert_true (docent_gguf_array_copy_i32 (a, ints, &error));
  g_assert_cmpint (ints[0], ==, -5);
  g_assert_cmpint (ints[2], ==, 2147483647);
  a = docent_gguf_get_array (gguf, "a.u64", DOCENT_GGUF_TYPE_UINT64, NULL);
  g_assert_true (docent_gguf_array_get_u64 (a, 0, &u64)); g_assert_cmpuint (u64, ==, G_MAXUINT64);
  g_assert_false (docent_gguf_array_get_i64 (a, 0, &i64));
  a = docent_gguf_get_array (gguf, "a.i64", DOCENT_GGUF_TYPE_INT64, NULL);
  g_assert_true (docent_gguf_array_get_i64 (a, 0, &i64)); g_assert_cmpint (i64, ==, G_MININT64);
  a = docent_gguf_get_array (gguf, "a.f32", DOCENT_GGUF_TYPE_FLOAT32, NULL);
  g_assert_true (docent_gguf_array_copy_f32 (a, floats, NULL));
  g_assert_cmpfloat (floats[0], ==, 0.5f);
  g_assert_cmpfloat (floats[2], ==, 3e38f);
  g_assert_false (docent_gguf_array_get_i32 (a, 0, &i32));
  g_assert_null (docent_gguf_array_get_string (a, 0, &len));
  g_assert_cmpuint (len, ==, 0);
  a = docent_gguf_get_array (gguf, "a.f64", DOCENT_GGUF_TYPE_FLOAT64, NULL);
  g_assert_true (docent_gguf_array_get_f64 (a, 0, &f64)); g_assert_cmpfloat (f64, ==, 1e300);
  a = docent_gguf_get_array (gguf, "a.bool", DOCENT_GGUF_TYPE_BOOL, NULL);
  g_assert_true (docent_gguf_array_get_bool (a, 0, &b)); g_assert_true (b);
  g_assert_true (docent_gguf_array_get_bool (a, 1, &b)); g_assert_false (b);
  a = docent_gguf_get_array (gguf, "a.empty", DOCENT_GGUF_TYPE_UINT32, NULL);
  g_assert_cmpuint (docent_gguf_array_length (a), ==, 0);

  a = docent_gguf_get_array (gguf, "a.str", DOCENT_GGUF_TYPE_STRING, NULL);
  g_assert_cmpuint (docent_gguf_array_length (a), ==, 3);
  s = docent_gguf_array_get_string (a, 2, &len);
  g_assert_cmpmem (s, len, "ccc", 3);
  s = docent_gguf_array_get_string (a, 1, &len);
  g_assert_cmpuint (len, ==, 0);
  g_assert_false (docent_gguf_array_get_f32 (a, 0, &f32));

  /* [[1, 2], [], [3]] */
  a = docent_gguf_get_array (gguf, "a.nested", DOCENT_GGUF_TYPE_ARRAY, NULL);
  g_assert_cmpuint (docent_gguf_array_length (a), ==, 3);
  e = docent_gguf_array_get_array (a, 0);
  g_assert_cmpint (docent_gguf_array_type (e), ==, DOCENT_GGUF_TYPE_UINT32);
  g_assert_cmpuint (docent_gguf_array_length (e), ==, 2);
  g_assert_true (docent_gguf_array_get_u32 (e, 1, &u32)); g_assert_cmpuint (u32, ==, 2);
  g_assert_cmpuint (docent_gguf_array_length (docent_gguf_array_get_array (a, 1)), ==, 0);
  e = docent_gguf_array_get_array (a, 2);
  g_assert_true (docent_gguf_array_get_u32 (e, 0, &u32)); g_assert_cmpuint (u32, ==, 3);
  g_assert_null (docent_gguf_array_get_array (a, 3));
  /* [["x", "yy"], ["z"]] */
  a = docent_gguf_get_array (gguf, "a.nested.str", DOCENT_GGUF_TYPE_ARRAY, NULL);
  s = docent_gguf_array_get_string (docent_gguf_array_get_array (a, 0), 1, &len);
  g_assert_cmpmem (s, len, "yy", 2);
  s = docent_gguf_array_get_string (docent_gguf_array_get_array (a, 1), 0, &len);
  g_assert_cmpmem (s, len, "z", 1);
  /* [[[0.5, -2]]] */
  a = docent_gguf_get_array (gguf, "a.deep", DOCENT_GGUF_TYPE_ARRAY, NULL);
  e = docent_gguf_array_get_array (docent_gguf_array_get_array (a, 0), 0);
  g_assert_cmpint (docent_gguf_array_type (e), ==, DOCENT_GGUF_TYPE_FLOAT64);
  g_assert_true (docent_gguf_array_get_f64 (e, 1, &f64)); g_assert_cmpfloat (f64, ==, -2.0);
  g_assert_true (docent_gguf_array_get_i64 (e, 1, &i64) == FALSE);
  /* Accessors on something that is not an array. */
  g_assert_cmpuint (docent_gguf_array_length (docent_gguf_lookup (gguf, "v.u8")), ==, 0);
}

/* A vocabulary-sized string array is served from the mapping. */
static void
test_lazy_strings (void)
{
  g_autoptr(DocentGgufWriter) writer = docent_gguf_writer_new ();
  g_autoptr(DocentGgufArrayBuilder) tokens = docent_gguf_array_builder_new (DOCENT_GGUF_TYPE_STRING);
  g_autoptr(DocentGguf) gguf = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GTimer) timer = NULL;
  const guint n = 150000;
  const DocentGgufValue *a;
  gsize size, len;
  const guint8 *base;
  const char *s;

  for (guint i = 0; i < n; i++)
    {
      char piece[32];
      int l = g_snprintf (piece, sizeof piece, "tok%u", i * 7919u);

      docent_gguf_array_builder_append_string (tokens, piece, l);
    }
  docent_gguf_writer_add_array_value (writer, "tokenizer.ggml.tokens", g_steal_pointer (&tokens));
  bytes = docent_gguf_writer_to_bytes (writer, NULL);
  timer = g_timer_new ();
  gguf = docent_gguf_open_bytes (bytes, NULL);
  g_test_message ("opened %u strings (%" G_GSIZE_FORMAT " bytes) in %.1f ms", n,
                  g_bytes_get_size (bytes), g_timer_elapsed (timer, NULL) * 1000);
  g_assert_nonnull (gguf);
  base = docent_gguf_bytes (gguf, &size);
  a = docent_gguf_get_array (gguf, "tokenizer.ggml.tokens", DOCENT_GGUF_TYPE_STRING, NULL);
  g_assert_cmpuint (docent_gguf_array_length (a), ==, n);
  for (guint i = 0; i < n; i += 997)
    {
      g_autofree char *want = g_strdup_printf ("tok%u", i * 7919u);

      s = docent_gguf_array_get_string (a, i, &len);
      g_assert_cmpmem (s, len, want, strlen (want));
      /* A pointer into the file itself, not a copy. */
      g_assert_true ((const guint8 *) s > base && (const guint8 *) s + len <= base + size);
    }
  s = docent_gguf_array_get_string (a, n - 1, &len);
  g_assert_cmpuint (len, ==, strlen ("tok1187770081"));
}

static void
check_tensors (DocentGguf *gguf,
               guint32     alignment)
{
  gsize size;
  const guint8 *base = docent_gguf_bytes (gguf, &size);

  g_assert_cmpuint (docent_gguf_alignment (gguf), ==, alignment);
  g_assert_cmpuint (docent_gguf_data_offset (gguf) % alignment, ==, 0);
  g_assert_cmpuint (docent_gguf_n_tensors (gguf), ==, G_N_ELEMENTS (sample_tensors));
  for (gsize i = 0; i < G_N_ELEMENTS (sample_tensors); i++)
    {
      const SampleTensor *s = &sample_tensors[i];
      const DocentGgufTensor *t = docent_gguf_find_tensor (gguf, s->name);
      g_autofree guint8 *want = g_malloc (s->bytes);
      guint64 elements = 1;

      g_assert_nonnull (t);
      g_assert_true (docent_gguf_tensor (gguf, i) == t);
      g_assert_cmpstr (t->name, ==, s->name);
      g_assert_cmpuint (t->type, ==, s->type);
      g_assert_cmpuint (t->n_dims, ==, s->n_dims);
      for (guint d = 0; d < 4; d++)
        {
          guint64 dim = d < s->n_dims ? s->dims[d] : 1;

          g_assert_cmpuint (t->dims[d], ==, dim);
          elements *= dim;
        }
      g_assert_cmpuint (t->n_elements, ==, elements);
      g_assert_cmpuint (t->n_bytes, ==, s->bytes);
      g_assert_cmpuint (t->offset % alignment, ==, 0);
      g_assert_cmpuint ((guint64) (t->data - base), ==, docent_gguf_data_offset (gguf) + t->offset);
      g_assert_cmpuint ((guint64) (t->data - base) % alignment, ==, 0);
      fill_pattern (want, s->bytes, (guint) i);
      g_assert_cmpmem (t->data, t->n_bytes, want, s->bytes);
    }
  g_assert_null (docent_gguf_find_tensor (gguf, "missing"));
  g_assert_null (docent_gguf_tensor (gguf, G_N_ELEMENTS (sample_tensors)));
}

static void
test_tensors (void)
{
  guint32 alignments[] = { 0, 32, 64, 8, 4096 };

  for (gsize i = 0; i < G_N_ELEMENTS (alignments); i++)
    {
      g_autoptr(GBytes) bytes = make_sample (alignments[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(DocentGguf) gguf = docent_gguf_open_bytes (bytes, &error);

      g_assert_no_error (error);
      check_tensors (gguf, alignments[i] ? alignments[i] : 32);
      /* The writer pads the end, so the file is a whole number of units. */
      g_assert_cmpuint (g_bytes_get_size (bytes) % (alignments[i] ? alignments[i] : 32), ==, 0);
    }
}

static void
test_writer_errors (void)
{
  g_autoptr(DocentGgufWriter) writer = docent_gguf_writer_new ();
  guint64 dims[5] = { 32, 2, 1, 1, 1 };
  guint8 data[128] = { 0 };
  struct { const char *name; guint32 n_dims; guint32 type; gsize size; const char *fragment; } bad[] = {
    { "t", 2, DOCENT_TYPE_Q8_0, 67, "needs 68 bytes of Q8_0 data, 67 were given" },
    { "t", 2, DOCENT_TYPE_F32, 68, "needs 256 bytes" },
    { "t", 5, DOCENT_TYPE_F32, 128, "5 dimensions" },
    { "t", 0, DOCENT_TYPE_F32, 128, "0 dimensions" },
    { "t", 2, 4, 128, "unknown tensor type 4" },
    { "t", 2, 99, 128, "unknown tensor type 99" },
    { "", 1, DOCENT_TYPE_F32, 128, "empty or already used" },
    { "dup", 1, DOCENT_TYPE_F32, 128, "empty or already used" },
  };

  g_assert_true (docent_gguf_writer_add_tensor (writer, "dup", 1, dims, DOCENT_TYPE_F32,
                                                data, 128, NULL));
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (docent_gguf_writer_add_tensor (writer, bad[i].name, bad[i].n_dims, dims,
                                                     bad[i].type, data, bad[i].size, &error));
      g_assert_error (error, DOCENT_GGUF_ERROR, DOCENT_GGUF_ERROR_INVALID);
      if (strstr (error->message, bad[i].fragment) == NULL)
        g_error ("'%s' lacks '%s'", error->message, bad[i].fragment);
    }
}

static void
test_versions (void)
{
  g_autoptr(GBytes) bytes = make_sample (0);
  gsize size;
  const guint8 *data = g_bytes_get_data (bytes, &size);
  g_autoptr(GByteArray) raw = g_byte_array_new ();
  struct { guint8 version[4]; gint code; const char *fragment; } bad[] = {
    { { 1, 0, 0, 0 }, DOCENT_GGUF_ERROR_VERSION, "GGUF version 1 is not supported" },
    { { 4, 0, 0, 0 }, DOCENT_GGUF_ERROR_VERSION, "unsupported GGUF version 4" },
    { { 0, 0, 0, 0 }, DOCENT_GGUF_ERROR_VERSION, "unsupported GGUF version 0" },
    { { 0, 0, 0, 3 }, DOCENT_GGUF_ERROR_VERSION, "big-endian" },
    { { 0, 0, 0, 2 }, DOCENT_GGUF_ERROR_VERSION, "big-endian" },
    { { 0xff, 0xff, 0xff, 0xff }, DOCENT_GGUF_ERROR_VERSION, "unsupported GGUF version 4294967295" },
  };

  g_byte_array_append (raw, data, size);
  /* Version 2 has the same layout as 3. */
  raw->data[4] = 2;
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(DocentGguf) gguf = open_array (raw, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (docent_gguf_version (gguf), ==, 2);
    check_tensors (gguf, 32);
  }
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      memcpy (raw->data + 4, bad[i].version, 4);
      assert_refused (raw, bad[i].code, bad[i].fragment);
    }
  memcpy (raw->data, "GGUX", 4);
  assert_refused (raw, DOCENT_GGUF_ERROR_NOT_GGUF, "not a GGUF file (no magic)");
  g_byte_array_set_size (raw, 0);
  assert_refused (raw, DOCENT_GGUF_ERROR_NOT_GGUF, "no magic");
  g_byte_array_append (raw, (const guint8 *) "GGUF", 4);
  assert_refused (raw, DOCENT_GGUF_ERROR_TRUNCATED, "the version of the header");
}

static void
test_summary (void)
{
  g_autoptr(GBytes) bytes = make_sample (0);
  g_autoptr(DocentGguf) gguf = docent_gguf_open_bytes (bytes, NULL);
  g_autoptr(DocentGgufSummary) s = docent_gguf_summarize (gguf);
  guint64 params = 0;

  for (gsize i = 0; i < G_N_ELEMENTS (sample_tensors); i++)
    {
      guint64 n = 1;

      for (guint d = 0; d < sample_tensors[i].n_dims; d++)
        n *= sample_tensors[i].dims[d];
      params += n;
    }
  g_assert_cmpuint (s->version, ==, 3);
  g_assert_cmpuint (s->file_size, ==, g_bytes_get_size (bytes));
  g_assert_cmpstr (s->architecture, ==, "llama");
  g_assert_cmpstr (s->name, ==, "Tiny Test");
  g_assert_cmpuint (s->n_tensors, ==, 9);
  g_assert_cmpuint (s->n_params, ==, params);
  g_assert_cmpuint (s->n_params, ==, 24 + 10 + 128 + 64 + 512 + 256 + 5 + 256 + 3);
  g_assert_cmpuint (s->n_bytes, ==, 96 + 20 + 72 + 68 + 288 + 210 + 10 + 66 + 12);
  g_assert_cmpuint (s->type_count[DOCENT_TYPE_F32], ==, 1);
  g_assert_cmpuint (s->type_bytes[DOCENT_TYPE_Q4_K], ==, 288);
  g_assert_cmpuint (s->type_count[DOCENT_TYPE_Q5_0], ==, 0);
  g_assert_cmpuint (s->context_length, ==, 2048);
  g_assert_cmpuint (s->embedding_length, ==, 64);
  g_assert_cmpuint (s->block_count, ==, 2);
  g_assert_cmpuint (s->vocab_size, ==, 5);
  g_assert_cmpstr (s->tokenizer_model, ==, "llama");
  g_assert_cmpstr (s->tokenizer_pre, ==, "default");
  g_assert_true (s->has_chat_template);
}

static void
test_empty_model (void)
{
  g_autoptr(DocentGgufWriter) writer = docent_gguf_writer_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentGguf) gguf = open_writer (writer, &error);
  g_autoptr(DocentGgufSummary) s = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (docent_gguf_n_kv (gguf), ==, 0);
  g_assert_cmpuint (docent_gguf_n_tensors (gguf), ==, 0);
  g_assert_cmpuint (docent_gguf_file_size (gguf), ==, 24);
  s = docent_gguf_summarize (gguf);
  g_assert_null (s->architecture);
  g_assert_cmpuint (s->vocab_size, ==, 0);
  g_assert_false (s->has_chat_template);
}

static void
test_files (void)
{
  g_autofree char *dir = docent_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "model.gguf", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing.gguf", NULL);
  g_autoptr(DocentGgufWriter) writer = docent_gguf_writer_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) missing_error = NULL;
  g_autoptr(GError) dir_error = NULL;
  g_autoptr(GError) write_error = NULL;
  g_autoptr(DocentGguf) gguf = NULL;
  g_autoptr(DocentGguf) ref = NULL;
  g_autoptr(GDir) listing = NULL;
  g_autofree char *bad_path = g_build_filename (dir, "no", "such", "dir.gguf", NULL);
  struct stat st;
  guint entries = 0;

  add_model_keys (writer);
  docent_gguf_writer_set_alignment (writer, 64);
  add_sample_tensors (writer);
  g_assert_true (docent_gguf_writer_write_file (writer, path, &error));
  g_assert_no_error (error);
  /* Writing again replaces the file; no temporary is left behind. */
  g_assert_true (docent_gguf_writer_write_file (writer, path, &error));
  g_assert_cmpint (stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  listing = g_dir_open (dir, 0, NULL);
  while (g_dir_read_name (listing) != NULL)
    entries++;
  g_assert_cmpuint (entries, ==, 1);

  gguf = docent_gguf_open (path, &error);
  g_assert_no_error (error);
  check_tensors (gguf, 64);
  g_assert_cmpuint (docent_gguf_file_size (gguf), ==, (guint64) st.st_size);
  ref = docent_gguf_ref (gguf);
  g_clear_pointer (&gguf, docent_gguf_unref);
  g_assert_cmpuint (docent_gguf_n_tensors (ref), ==, G_N_ELEMENTS (sample_tensors));

  g_assert_null (docent_gguf_open (missing, &missing_error));
  g_assert_error (missing_error, DOCENT_GGUF_ERROR, DOCENT_GGUF_ERROR_IO);
  g_assert_nonnull (strstr (missing_error->message, "cannot open the file"));
  g_assert_null (docent_gguf_open (dir, &dir_error));
  g_assert_error (dir_error, DOCENT_GGUF_ERROR, DOCENT_GGUF_ERROR_IO);
  g_assert_false (docent_gguf_writer_write_file (writer, bad_path, &write_error));
  g_assert_error (write_error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  docent_test_rm_rf (dir);
}

/* ---- hostile files ------------------------------------------------------- */

static void
test_huge_counts (void)
{
  g_autoptr(GByteArray) kv = raw_header (3, 0, G_GUINT64_CONSTANT (1) << 60);
  g_autoptr(GByteArray) tensors = raw_header (3, G_GUINT64_CONSTANT (1) << 60, 0);
  g_autoptr(GByteArray) key_len = raw_header (3, 0, 1);
  g_autoptr(GByteArray) str_len = raw_header (3, 0, 1);
  g_autoptr(GByteArray) arr_len = raw_header (3, 0, 1);
  g_autoptr(GByteArray) str_arr = raw_header (3, 0, 1);
  g_autoptr(GByteArray) arr_arr = raw_header (3, 0, 1);
  g_autoptr(GByteArray) max = raw_header (3, G_MAXUINT64, G_MAXUINT64);

  g_byte_array_append (kv, (const guint8 *) "padding-padding-padding", 23);
  assert_refused (kv, DOCENT_GGUF_ERROR_TRUNCATED,
                  "the header declares 1152921504606846976 metadata keys and 0 tensors, "
                  "which cannot fit in a file of 47 bytes");
  assert_refused (tensors, DOCENT_GGUF_ERROR_TRUNCATED, "1152921504606846976 tensors");
  assert_refused (max, DOCENT_GGUF_ERROR_TRUNCATED, "cannot fit");

  raw_u64 (key_len, G_GUINT64_CONSTANT (1) << 63);
  g_byte_array_append (key_len, (const guint8 *) "abcdefgh", 8);
  assert_refused (key_len, DOCENT_GGUF_ERROR_TRUNCATED,
                  "key name of key #0 needs 9223372036854775808 bytes at byte 32");

  raw_str (str_len, "general.name");
  raw_u32 (str_len, DOCENT_GGUF_TYPE_STRING);
  raw_u64 (str_len, G_GUINT64_CONSTANT (1) << 63);
  raw_u64 (str_len, 0);
  assert_refused (str_len, DOCENT_GGUF_ERROR_TRUNCATED, "key 'general.name' needs 9223372036854775808");

  raw_str (arr_len, "big");
  raw_u32 (arr_len, DOCENT_GGUF_TYPE_ARRAY);
  raw_u32 (arr_len, DOCENT_GGUF_TYPE_UINT8);
  raw_u64 (arr_len, G_GUINT64_CONSTANT (1) << 40);
  raw_u64 (arr_len, 0);
  assert_refused (arr_len, DOCENT_GGUF_ERROR_TRUNCATED,
                  "key 'big' holds an array of 1099511627776 uint8 values");

  raw_str (str_arr, "big");
  raw_u32 (str_arr, DOCENT_GGUF_TYPE_ARRAY);
  raw_u32 (str_arr, DOCENT_GGUF_TYPE_STRING);
  raw_u64 (str_arr, G_GUINT64_CONSTANT (1) << 40);
  raw_u64 (str_arr, 0);
  assert_refused (str_arr, DOCENT_GGUF_ERROR_TRUNCATED, "1099511627776 string values");

  raw_str (arr_arr, "big");
  raw_u32 (arr_arr, DOCENT_GGUF_TYPE_ARRAY);
  raw_u32 (arr_arr, DOCENT_GGUF_TYPE_ARRAY);
  raw_u64 (arr_arr, G_GUINT64_CONSTANT (1) << 40);
  raw_u64 (arr_arr, 0);
  assert_refused (arr_arr, DOCENT_GGUF_ERROR_TRUNCATED, "1099511627776 array values");
}

/* One tensor with the given shape, type and offset, 64 data bytes. */
static GByteArray *
one_tensor (guint32 n_dims,
            guint64 d0,
            guint64 d1,
            guint32 type,
            guint64 offset)
{
  GByteArray *b = raw_header (3, 1, 0);

  raw_tensor (b, "w", n_dims, d0, d1, type, offset);
  raw_data (b, 64);
  return b;
}

static void
test_bad_tensors (void)
{
  struct { guint32 n_dims; guint64 d0, d1; guint32 type; guint64 offset; gint code; const char *fragment; } bad[] = {
    { 2, 4, G_MAXUINT64, DOCENT_TYPE_F32, 0, DOCENT_GGUF_ERROR_INVALID, "dimension 1 is negative (-1)" },
    { 1, G_GUINT64_CONSTANT (1) << 63, 0, DOCENT_TYPE_F32, 0, DOCENT_GGUF_ERROR_INVALID, "negative" },
    { 2, G_GUINT64_CONSTANT (1) << 32, G_GUINT64_CONSTANT (1) << 32, DOCENT_TYPE_F32, 0,
      DOCENT_GGUF_ERROR_INVALID, "more than 2^63 elements" },
    { 2, G_GUINT64_CONSTANT (1) << 32, G_GUINT64_CONSTANT (1) << 31, DOCENT_TYPE_F32, 0,
      DOCENT_GGUF_ERROR_INVALID, "more than 2^63 elements" },
    { 1, G_GUINT64_CONSTANT (1) << 62, 0, DOCENT_TYPE_F32, 0, DOCENT_GGUF_ERROR_INVALID, "too large" },
    { 2, G_GUINT64_CONSTANT (1) << 40, G_GUINT64_CONSTANT (1) << 21, DOCENT_TYPE_I64, 0,
      DOCENT_GGUF_ERROR_INVALID, "data size overflows" },
    { 1, 16, 0, 4, 0, DOCENT_GGUF_ERROR_INVALID, "tensor 'w': unknown tensor type 4" },
    { 1, 16, 0, 31, 0, DOCENT_GGUF_ERROR_INVALID, "unknown tensor type 31" },
    { 1, 16, 0, 1000, 0, DOCENT_GGUF_ERROR_INVALID, "unknown tensor type 1000" },
    { 1, 33, 0, DOCENT_TYPE_Q4_0, 0, DOCENT_GGUF_ERROR_INVALID, "not a whole number of Q4_0 blocks" },
    { 5, 1, 1, DOCENT_TYPE_F32, 0, DOCENT_GGUF_ERROR_INVALID, "5 dimensions; GGUF allows at most 4" },
    { 1, 4, 0, DOCENT_TYPE_F32, 4, DOCENT_GGUF_ERROR_INVALID, "data offset 4 is not a multiple of the alignment (32)" },
    { 1, 32, 0, DOCENT_TYPE_F32, 0, DOCENT_GGUF_ERROR_TRUNCATED, "tensor 'w' data ends at byte 192, the file has 128" },
    { 1, 4, 0, DOCENT_TYPE_F32, 64, DOCENT_GGUF_ERROR_TRUNCATED, "data ends at byte 144" },
    { 1, 4, 0, DOCENT_TYPE_F32, G_MAXUINT64 - 31, DOCENT_GGUF_ERROR_TRUNCATED, "ends past byte 2^64" },
  };
  g_autoptr(GByteArray) ok = one_tensor (2, 4, 4, DOCENT_TYPE_F32, 0);
  g_autoptr(GByteArray) zero = one_tensor (0, 0, 0, DOCENT_TYPE_F32, 0);
  g_autoptr(GByteArray) empty = one_tensor (2, 0, 7, DOCENT_TYPE_Q4_K, 64);

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GByteArray) raw = one_tensor (bad[i].n_dims, bad[i].d0, bad[i].d1,
                                              bad[i].type, bad[i].offset);

      assert_refused (raw, bad[i].code, bad[i].fragment);
    }
  /* The header takes 65 bytes, so the data section starts at 96. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(DocentGguf) gguf = open_array (ok, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (docent_gguf_data_offset (gguf), ==, 96);
    g_assert_cmpuint (docent_gguf_tensor (gguf, 0)->n_bytes, ==, 64);
  }
  /* A scalar (no dimensions) has one element; an empty tensor may sit at
   * the very end. */
  {
    g_autoptr(DocentGguf) g1 = open_array (zero, NULL);
    g_autoptr(DocentGguf) g2 = open_array (empty, NULL);

    g_assert_nonnull (g1);
    g_assert_cmpuint (docent_gguf_tensor (g1, 0)->n_elements, ==, 1);
    g_assert_cmpuint (docent_gguf_tensor (g1, 0)->n_bytes, ==, 4);
    g_assert_nonnull (g2);
    g_assert_cmpuint (docent_gguf_tensor (g2, 0)->n_bytes, ==, 0);
  }
}

static void
test_overlaps (void)
{
  g_autoptr(GByteArray) same = raw_header (3, 2, 0);
  g_autoptr(GByteArray) partial = raw_header (3, 2, 0);
  g_autoptr(GByteArray) disjoint = raw_header (3, 2, 0);
  g_autoptr(GByteArray) dup = raw_header (3, 2, 0);

  raw_tensor (same, "a", 1, 8, 0, DOCENT_TYPE_F32, 0);
  raw_tensor (same, "b", 1, 8, 0, DOCENT_TYPE_F32, 0);
  raw_data (same, 64);
  assert_refused (same, DOCENT_GGUF_ERROR_INVALID, "overlaps tensor");

  raw_tensor (partial, "a", 1, 16, 0, DOCENT_TYPE_F32, 32);
  raw_tensor (partial, "b", 1, 16, 0, DOCENT_TYPE_F32, 0);
  raw_data (partial, 128);
  assert_refused (partial, DOCENT_GGUF_ERROR_INVALID,
                  "tensor 'a': data (bytes 32 to 96 of the data section) overlaps tensor 'b'");

  raw_tensor (disjoint, "a", 1, 8, 0, DOCENT_TYPE_F32, 32);
  raw_tensor (disjoint, "b", 1, 8, 0, DOCENT_TYPE_F32, 0);
  raw_data (disjoint, 64);
  {
    g_autoptr(DocentGguf) gguf = open_array (disjoint, NULL);

    g_assert_nonnull (gguf);
  }

  raw_tensor (dup, "a", 1, 8, 0, DOCENT_TYPE_F32, 0);
  raw_tensor (dup, "a", 1, 8, 0, DOCENT_TYPE_F32, 32);
  raw_data (dup, 64);
  assert_refused (dup, DOCENT_GGUF_ERROR_INVALID, "tensor 'a': duplicate tensor name");
}

static GByteArray *
alignment_file (guint32 type,
                guint64 value)
{
  GByteArray *b = raw_header (3, 0, 1);

  raw_str (b, "general.alignment");
  raw_u32 (b, type);
  if (type == DOCENT_GGUF_TYPE_STRING)
    raw_str (b, "32");
  else if (type == DOCENT_GGUF_TYPE_UINT64)
    raw_u64 (b, value);
  else
    raw_u32 (b, (guint32) value);
  return b;
}

static void
test_bad_alignment (void)
{
  guint64 bad[] = { 0, 3, 4, 48, G_GUINT64_CONSTANT (1) << 31, 131072 };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GByteArray) raw = alignment_file (DOCENT_GGUF_TYPE_UINT32, bad[i]);
      g_autofree char *fragment = g_strdup_printf ("general.alignment is %" G_GUINT64_FORMAT
                                                   "; it must be a power of two", bad[i]);

      assert_refused (raw, DOCENT_GGUF_ERROR_INVALID, fragment);
    }
  {
    g_autoptr(GByteArray) str = alignment_file (DOCENT_GGUF_TYPE_STRING, 0);
    g_autoptr(GByteArray) big = alignment_file (DOCENT_GGUF_TYPE_UINT64, G_GUINT64_CONSTANT (1) << 32);
    g_autoptr(GByteArray) u64 = alignment_file (DOCENT_GGUF_TYPE_UINT64, 16);
    g_autoptr(DocentGguf) gguf = NULL;

    assert_refused (str, DOCENT_GGUF_ERROR_INVALID, "'general.alignment' holds string");
    assert_refused (big, DOCENT_GGUF_ERROR_INVALID, "4294967296");
    gguf = open_array (u64, NULL);
    g_assert_nonnull (gguf);
    g_assert_cmpuint (docent_gguf_alignment (gguf), ==, 16);
  }
  /* A writer given a bad value writes it, and the reader refuses it. */
  {
    g_autoptr(DocentGgufWriter) writer = docent_gguf_writer_new ();
    g_autoptr(GError) error = NULL;
    g_autoptr(DocentGguf) gguf = NULL;

    docent_gguf_writer_set_alignment (writer, 3);
    add_sample_tensors (writer);
    gguf = open_writer (writer, &error);
    g_assert_error (error, DOCENT_GGUF_ERROR, DOCENT_GGUF_ERROR_INVALID);
  }
}

/* `levels` arrays nested inside each other, the innermost empty. */
static GByteArray *
nested_file (guint levels)
{
  GByteArray *b = raw_header (3, 0, 1);

  raw_str (b, "deep");
  raw_u32 (b, DOCENT_GGUF_TYPE_ARRAY);
  for (guint i = 1; i < levels; i++)
    {
      raw_u32 (b, DOCENT_GGUF_TYPE_ARRAY);
      raw_u64 (b, 1);
    }
  raw_u32 (b, DOCENT_GGUF_TYPE_UINT8);
  raw_u64 (b, 0);
  return b;
}

static void
test_deep_nesting (void)
{
  g_autoptr(GByteArray) ok = nested_file (DOCENT_GGUF_MAX_DEPTH);
  g_autoptr(GByteArray) deep = nested_file (DOCENT_GGUF_MAX_DEPTH + 1);
  g_autoptr(GByteArray) very_deep = nested_file (100000);
  g_autoptr(DocentGguf) gguf = open_array (ok, NULL);
  const DocentGgufValue *v;

  g_assert_nonnull (gguf);
  v = docent_gguf_lookup (gguf, "deep");
  for (guint i = 1; i < DOCENT_GGUF_MAX_DEPTH; i++)
    v = docent_gguf_array_get_array (v, 0);
  g_assert_cmpint (docent_gguf_array_type (v), ==, DOCENT_GGUF_TYPE_UINT8);
  assert_refused (deep, DOCENT_GGUF_ERROR_INVALID, "arrays nested more than 8 deep");
  assert_refused (very_deep, DOCENT_GGUF_ERROR_INVALID, "nested more than");
}

/* Writes keys "dup.a" and "dup.b" and tensors "t.a" and "t.b", then renames
 * the second of each in the bytes. */
static void
test_duplicates (void)
{
  g_autoptr(DocentGgufWriter) writer = docent_gguf_writer_new ();
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GByteArray) keys = g_byte_array_new ();
  g_autoptr(GByteArray) names = g_byte_array_new ();
  guint64 dims[1] = { 8 };
  float data[8] = { 0 };
  gsize size;
  const guint8 *p;
  guint8 *hit;

  docent_gguf_writer_add_u32 (writer, "dup.a", 1);
  docent_gguf_writer_add_string (writer, "dup.b", "x");
  docent_gguf_writer_add_tensor (writer, "t.a", 1, dims, DOCENT_TYPE_F32, data, sizeof data, NULL);
  docent_gguf_writer_add_tensor (writer, "t.b", 1, dims, DOCENT_TYPE_F32, data, sizeof data, NULL);
  bytes = docent_gguf_writer_to_bytes (writer, NULL);
  p = g_bytes_get_data (bytes, &size);
  g_byte_array_append (keys, p, size);
  g_byte_array_append (names, p, size);

  hit = memmem (keys->data, keys->len, "dup.b", 5);
  hit[4] = 'a';
  assert_refused (keys, DOCENT_GGUF_ERROR_INVALID, "key 'dup.a': duplicate key (also key #0)");
  hit = memmem (names->data, names->len, "t.b", 3);
  hit[2] = 'a';
  assert_refused (names, DOCENT_GGUF_ERROR_INVALID, "tensor 't.a': duplicate tensor name");
}

static void
test_bad_values (void)
{
  g_autoptr(GByteArray) bool_value = raw_header (3, 0, 1);
  g_autoptr(GByteArray) bool_array = raw_header (3, 0, 1);
  g_autoptr(GByteArray) value_type = raw_header (3, 0, 1);
  g_autoptr(GByteArray) elem_type = raw_header (3, 0, 1);
  g_autoptr(GByteArray) empty_key = raw_header (3, 0, 1);
  g_autoptr(GByteArray) bad_utf8 = raw_header (3, 0, 1);
  g_autoptr(GByteArray) nul_key = raw_header (3, 0, 1);
  g_autoptr(GByteArray) bad_name = raw_header (3, 1, 0);
  static const guint8 two[] = { 2, 0, 0, 0, 0, 0, 0, 0 };
  static const guint8 bools[] = { 1, 0, 7 };

  raw_str (bool_value, "b");
  raw_u32 (bool_value, DOCENT_GGUF_TYPE_BOOL);
  g_byte_array_append (bool_value, two, 8);
  assert_refused (bool_value, DOCENT_GGUF_ERROR_INVALID, "key 'b': bool value 2 at byte 37");

  raw_str (bool_array, "b");
  raw_u32 (bool_array, DOCENT_GGUF_TYPE_ARRAY);
  raw_u32 (bool_array, DOCENT_GGUF_TYPE_BOOL);
  raw_u64 (bool_array, 3);
  g_byte_array_append (bool_array, bools, 3);
  assert_refused (bool_array, DOCENT_GGUF_ERROR_INVALID, "bool value 7");

  raw_str (value_type, "v");
  raw_u32 (value_type, 13);
  raw_u64 (value_type, 0);
  assert_refused (value_type, DOCENT_GGUF_ERROR_INVALID, "key 'v': unknown value type 13");

  raw_str (elem_type, "v");
  raw_u32 (elem_type, DOCENT_GGUF_TYPE_ARRAY);
  raw_u32 (elem_type, 0x80000000u);
  raw_u64 (elem_type, 0);
  assert_refused (elem_type, DOCENT_GGUF_ERROR_INVALID, "unknown array element type 2147483648");

  raw_str (empty_key, "");
  raw_u32 (empty_key, DOCENT_GGUF_TYPE_UINT8);
  g_byte_array_append (empty_key, two, 8);
  assert_refused (empty_key, DOCENT_GGUF_ERROR_INVALID, "key #0: the key name is empty");

  raw_str (bad_utf8, "k\xff");
  raw_u32 (bad_utf8, DOCENT_GGUF_TYPE_UINT8);
  g_byte_array_append (bad_utf8, two, 8);
  assert_refused (bad_utf8, DOCENT_GGUF_ERROR_INVALID, "not valid UTF-8");

  raw_u64 (nul_key, 3);
  g_byte_array_append (nul_key, (const guint8 *) "a\0b", 3);
  raw_u32 (nul_key, DOCENT_GGUF_TYPE_UINT8);
  g_byte_array_append (nul_key, two, 8);
  assert_refused (nul_key, DOCENT_GGUF_ERROR_INVALID, "not valid UTF-8");

  raw_str (bad_name, "\xc3");
  raw_u32 (bad_name, 1);
  raw_u64 (bad_name, 8);
  raw_u32 (bad_name, DOCENT_TYPE_F32);
  raw_u64 (bad_name, 0);
  raw_data (bad_name, 32);
  assert_refused (bad_name, DOCENT_GGUF_ERROR_INVALID, "tensor #0: the tensor name is not valid UTF-8");
}

/* Every proper prefix of a file fails cleanly: the file ends with its last
 * tensor's data, so nothing shorter is complete. */
static void
test_truncation (void)
{
  g_autoptr(DocentGgufWriter) writer = docent_gguf_writer_new ();
  g_autoptr(GBytes) bytes = NULL;
  guint64 dims[2] = { 8, 4 };
  float data[32];
  gsize size;
  const guint8 *p;
  guint truncated = 0;

  for (guint i = 0; i < 32; i++)
    data[i] = (float) i;
  add_model_keys (writer);
  add_all_values (writer);
  docent_gguf_writer_add_tensor (writer, "a", 2, dims, DOCENT_TYPE_F32, data, sizeof data, NULL);
  docent_gguf_writer_add_tensor (writer, "b", 1, dims, DOCENT_TYPE_F32, data, 32, NULL);
  docent_gguf_writer_add_tensor (writer, "c", 2, dims, DOCENT_TYPE_F32, data, sizeof data, NULL);
  bytes = docent_gguf_writer_to_bytes (writer, NULL);
  p = g_bytes_get_data (bytes, &size);
  g_assert_cmpuint (size % 32, ==, 0);
  for (gsize n = 0; n < size; n++)
    {
      g_autoptr(GBytes) prefix = g_bytes_new (p, n);
      g_autoptr(GError) error = NULL;
      g_autoptr(DocentGguf) gguf = docent_gguf_open_bytes (prefix, &error);

      g_assert_null (gguf);
      g_assert_nonnull (error);
      g_assert_true (error->domain == DOCENT_GGUF_ERROR);
      truncated += error->code == DOCENT_GGUF_ERROR_TRUNCATED;
      if (error->code != DOCENT_GGUF_ERROR_TRUNCATED && n >= 4)
        g_test_message ("prefix %" G_GSIZE_FORMAT ": %s", n, error->message);
    }
  g_test_message ("%" G_GSIZE_FORMAT " prefixes refused, %u as truncated", size, truncated);
  /* Only the first four (no full magic) are not reported as truncation. */
  g_assert_cmpuint (truncated, ==, size - 4);
}

static void
mutate (guint8 *data,
        gsize   size,
        GRand  *rand)
{
  static const guint64 interesting[] = {
    0, 1, 2, 7, 8, 31, 32, 255, 0x7fffffff, 0x80000000u, 0xffffffffu,
    G_GUINT64_CONSTANT (1) << 32, G_GUINT64_CONSTANT (1) << 40,
    G_GUINT64_CONSTANT (1) << 62, G_MAXINT64, (guint64) G_MAXINT64 + 1, G_MAXUINT64,
  };
  guint n = g_rand_int_range (rand, 1, 5);

  for (guint m = 0; m < n; m++)
    {
      gsize at = g_rand_int_range (rand, 0, (gint32) size);
      guint64 v;

      switch (g_rand_int_range (rand, 0, 4))
        {
        case 0:
          data[at] ^= (guint8) (1u << g_rand_int_range (rand, 0, 8));
          break;
        case 1:
          data[at] = (guint8) g_rand_int_range (rand, 0, 256);
          break;
        case 2:
          data[at] = g_rand_boolean (rand) ? 0x00 : 0xff;
          break;
        default:
          v = GUINT64_TO_LE (interesting[g_rand_int_range (rand, 0, G_N_ELEMENTS (interesting))]);
          memcpy (data + at, &v, MIN (8, size - at));
          break;
        }
    }
}

static void
test_mutations (void)
{
  g_autoptr(GBytes) sample = make_sample (0);
  g_autoptr(GRand) rand = g_rand_new_with_seed (20240611);
  g_autoptr(GTimer) timer = g_timer_new ();
  gsize size;
  const guint8 *base = g_bytes_get_data (sample, &size);
  guint opened = 0;
  const guint rounds = 20000;

  for (guint r = 0; r < rounds; r++)
    {
      guint8 *copy = g_memdup2 (base, size);
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(DocentGguf) gguf = NULL;

      mutate (copy, size, rand);
      bytes = g_bytes_new_take (copy, size);
      gguf = docent_gguf_open_bytes (bytes, &error);
      if (gguf != NULL)
        {
          g_assert_no_error (error);
          walk (gguf);
          opened++;
        }
      else
        {
          g_assert_nonnull (error);
          g_assert_true (error->domain == DOCENT_GGUF_ERROR);
          g_assert_cmpuint (strlen (error->message), >, 10);
        }
    }
  g_test_message ("%u mutations of a %" G_GSIZE_FORMAT "-byte file: %u opened, %u refused, %.2f s",
                  rounds, size, opened, rounds - opened, g_timer_elapsed (timer, NULL));
  /* Most mutations hit tensor data or values and still open. */
  g_assert_cmpuint (opened, >, rounds / 10);
  g_assert_cmpuint (opened, <, rounds);
}

/* ---- conformance files --------------------------------------------------- */

static char *
conformance_dir (void)
{
  char *dir = g_build_filename (g_test_get_dir (G_TEST_DIST), "..", "..", "shared",
                                "conformance", NULL);

  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    g_clear_pointer (&dir, g_free);
  return dir;
}

static const char *
expected_arch (const char *file)
{
  static const char * const archs[] = { "llama", "qwen2", "qwen3", "phi3", "gemma3", "bert" };

  for (gsize i = 0; i < G_N_ELEMENTS (archs); i++)
    {
      g_autofree char *prefix = g_strdup_printf ("kit-%s-", archs[i]);

      if (g_str_has_prefix (file, prefix))
        return archs[i];
    }
  return NULL;
}

/* The main tensor type the file name promises. */
static gint
expected_type (const char *file)
{
  static const struct { const char *suffix; guint32 type; } types[] = {
    { "-f32.gguf", DOCENT_TYPE_F32 }, { "-f16.gguf", DOCENT_TYPE_F16 },
    { "-bf16.gguf", DOCENT_TYPE_BF16 }, { "-q8_0.gguf", DOCENT_TYPE_Q8_0 },
    { "-q4_0.gguf", DOCENT_TYPE_Q4_0 }, { "-q4_k_m.gguf", DOCENT_TYPE_Q4_K },
    { "-q4_k_s.gguf", DOCENT_TYPE_Q4_K }, { "-q5_k_m.gguf", DOCENT_TYPE_Q5_K },
    { "-q6_k.gguf", DOCENT_TYPE_Q6_K },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (types); i++)
    if (g_str_has_suffix (file, types[i].suffix))
      return (gint) types[i].type;
  return -1;
}

static void
check_conformance_model (const char *path,
                         const char *file)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentGguf) gguf = docent_gguf_open (path, &error);
  g_autoptr(DocentGgufSummary) s = NULL;
  gint type = expected_type (file);

  if (gguf == NULL)
    g_error ("%s: %s", file, error->message);
  walk (gguf);
  s = docent_gguf_summarize (gguf);
  g_assert_cmpstr (s->architecture, ==, expected_arch (file));
  g_assert_cmpuint (s->n_tensors, >, 10);
  g_assert_cmpuint (s->n_tensors, ==, docent_gguf_n_tensors (gguf));
  g_assert_cmpuint (s->n_bytes, <=, s->file_size);
  g_assert_cmpuint (s->context_length, >, 0);
  g_assert_cmpuint (s->block_count, >=, 2);
  g_assert_cmpuint (s->embedding_length, ==, 256);
  g_assert_cmpuint (s->vocab_size, ==, g_str_equal (s->architecture, "bert") ? 2048 : 1024);
  g_assert_nonnull (docent_gguf_find_tensor (gguf, "token_embd.weight"));
  g_assert_cmpint (type, >=, 0);
  g_assert_cmpuint (s->type_count[type], >, 0);
  g_test_message ("%s: %s, %" G_GUINT64_FORMAT " tensors, %" G_GUINT64_FORMAT " params",
                  file, s->architecture, s->n_tensors, s->n_params);
}

static void
check_conformance_vocab (const char *path,
                         const char *file)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentGguf) gguf = docent_gguf_open (path, &error);
  const DocentGgufValue *tokens, *scores;
  g_autofree char *model = NULL;

  if (gguf == NULL)
    g_error ("%s: %s", file, error->message);
  walk (gguf);
  tokens = docent_gguf_get_array (gguf, "tokenizer.ggml.tokens", DOCENT_GGUF_TYPE_STRING, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (docent_gguf_array_length (tokens), >, 1000);
  scores = docent_gguf_lookup (gguf, "tokenizer.ggml.scores");
  if (scores != NULL)
    g_assert_cmpuint (docent_gguf_array_length (scores), ==, docent_gguf_array_length (tokens));
  model = docent_gguf_dup_string (gguf, "tokenizer.ggml.model", &error);
  g_assert_no_error (error);
  g_assert_true (g_str_equal (model, "llama") || g_str_equal (model, "gpt2")
                 || g_str_equal (model, "bert"));
  g_test_message ("%s: %s, %" G_GUINT64_FORMAT " tokens", file, model,
                  docent_gguf_array_length (tokens));
}

static void
test_conformance (void)
{
  g_autofree char *dir = conformance_dir ();
  const char *subdirs[] = { "models", "tokenizer" };
  guint models = 0, vocabs = 0;

  if (dir == NULL)
    {
      g_test_skip ("no ../shared/conformance folder next to the checkout");
      return;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (subdirs); i++)
    {
      g_autofree char *sub = g_build_filename (dir, subdirs[i], NULL);
      g_autoptr(GDir) d = g_dir_open (sub, 0, NULL);
      const char *file;

      g_assert_nonnull (d);
      while ((file = g_dir_read_name (d)) != NULL)
        {
          g_autofree char *path = g_build_filename (sub, file, NULL);

          if (!g_str_has_suffix (file, ".gguf"))
            continue;
          if (i == 0)
            check_conformance_model (path, file), models++;
          else
            check_conformance_vocab (path, file), vocabs++;
        }
    }
  g_assert_cmpuint (models, >=, 18);
  g_assert_cmpuint (vocabs, >=, 7);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/gguf/scalars", test_scalars);
  g_test_add_func ("/gguf/conversions", test_conversions);
  g_test_add_func ("/gguf/arrays", test_arrays);
  g_test_add_func ("/gguf/lazy-strings", test_lazy_strings);
  g_test_add_func ("/gguf/tensors", test_tensors);
  g_test_add_func ("/gguf/writer-errors", test_writer_errors);
  g_test_add_func ("/gguf/versions", test_versions);
  g_test_add_func ("/gguf/summary", test_summary);
  g_test_add_func ("/gguf/empty", test_empty_model);
  g_test_add_func ("/gguf/files", test_files);
  g_test_add_func ("/gguf/hostile/huge-counts", test_huge_counts);
  g_test_add_func ("/gguf/hostile/tensors", test_bad_tensors);
  g_test_add_func ("/gguf/hostile/overlaps", test_overlaps);
  g_test_add_func ("/gguf/hostile/alignment", test_bad_alignment);
  g_test_add_func ("/gguf/hostile/deep-nesting", test_deep_nesting);
  g_test_add_func ("/gguf/hostile/duplicates", test_duplicates);
  g_test_add_func ("/gguf/hostile/values", test_bad_values);
  g_test_add_func ("/gguf/hostile/truncation", test_truncation);
  g_test_add_func ("/gguf/hostile/mutations", test_mutations);
  g_test_add_func ("/gguf/conformance", test_conformance);
  return g_test_run ();
}
