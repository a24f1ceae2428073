/* make-corpus.c — writes the seed corpora that are not hand-written:
 *  - the GGUF fuzzer's (tests/fuzz/corpus/gguf/), with Docent's own
 *    writer: small files that between them use every value type, nested
 *    arrays, a vocabulary, several tensor types and alignments, and both
 *    header versions;
 *  - the office fuzzer's (tests/fuzz/corpus/office/): DOCX, ODT and EPUB
 *    files from tests/zipgen.c, and each of them again as the part list
 *    ("name\0content\0...") that fuzz-office.c packages itself.
 * Run once by hand (`ninja -C BUILD tests/fuzz-make-corpus &&
 * BUILD/tests/fuzz-make-corpus tests/fuzz/corpus/gguf` or `... office
 * tests/fuzz/corpus/office`); the files are kept in the repository so the
 * fuzzer and the replay test start from the same inputs. */
#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <string.h>

#include "engine/gguf-writer.h"
#include "tests/zipgen.h"

static void
fill (guint8 *data,
      gsize   n,
      guint   seed)
{
  for (gsize i = 0; i < n; i++)
    data[i] = (guint8) (i * 131 + seed * 7 + (i >> 5));
}

static void
add_tensor (DocentGgufWriter *w,
            const char       *name,
            guint32           type,
            guint32           n_dims,
            guint64           d0,
            guint64           d1)
{
  guint64 dims[4] = { d0, d1, 1, 1 };
  guint64 row_bytes;
  g_autofree guint8 *data = NULL;
  gsize size;

  g_assert (docent_type_row_bytes (type, d0, &row_bytes, NULL));
  size = row_bytes * (n_dims > 1 ? d1 : 1);   /* dims past the second are 1 */
  data = g_malloc (size);
  fill (data, size, type);
  g_assert (docent_gguf_writer_add_tensor (w, name, n_dims, dims, type, data, size, NULL));
}

static void
save (DocentGgufWriter *w,
      const char       *dir,
      const char       *name,
      guint32           version)
{
  g_autoptr(GBytes) bytes = docent_gguf_writer_to_bytes (w, NULL);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  gsize size;
  gconstpointer contents = g_bytes_get_data (bytes, &size);
  guint8 *data = g_memdup2 (contents, size);

  data[4] = (guint8) version;
  if (!g_file_set_contents (path, (char *) data, size, NULL))
    g_error ("cannot write %s", path);
  printf ("%s: %" G_GSIZE_FORMAT " bytes\n", path, size);
  g_free (data);
}

static void
all_values (DocentGgufWriter *w)
{
  static const guint8 u8s[] = { 0, 1, 255 };
  static const gint16 i16s[] = { -32768, 5 };
  static const guint64 u64s[] = { G_MAXUINT64, 3 };
  static const double f64s[] = { 0.5, -1e300 };
  static const guint8 bools[] = { 1, 0 };
  static const char * const strs[] = { "a", "", "héllo", NULL };
  DocentGgufArrayBuilder *outer = docent_gguf_array_builder_new (DOCENT_GGUF_TYPE_ARRAY);
  DocentGgufArrayBuilder *inner = docent_gguf_array_builder_new (DOCENT_GGUF_TYPE_STRING);
  DocentGgufArrayBuilder *deep = docent_gguf_array_builder_new (DOCENT_GGUF_TYPE_ARRAY);
  DocentGgufArrayBuilder *leaf = docent_gguf_array_builder_new (DOCENT_GGUF_TYPE_INT32);
  DocentGgufArrayBuilder *mid = docent_gguf_array_builder_new (DOCENT_GGUF_TYPE_ARRAY);

  docent_gguf_writer_add_u8 (w, "v.u8", 200);
  docent_gguf_writer_add_i8 (w, "v.i8", -3);
  docent_gguf_writer_add_u16 (w, "v.u16", 65535);
  docent_gguf_writer_add_i16 (w, "v.i16", -2);
  docent_gguf_writer_add_u32 (w, "v.u32", 4000000000u);
  docent_gguf_writer_add_i32 (w, "v.i32", -7);
  docent_gguf_writer_add_u64 (w, "v.u64", G_GUINT64_CONSTANT (1) << 40);
  docent_gguf_writer_add_i64 (w, "v.i64", -1);
  docent_gguf_writer_add_f32 (w, "v.f32", 1.5f);
  docent_gguf_writer_add_f64 (w, "v.f64", -2.25);
  docent_gguf_writer_add_bool (w, "v.bool", TRUE);
  docent_gguf_writer_add_string_len (w, "v.str", "a\0b", 3);
  docent_gguf_writer_add_array (w, "a.u8", DOCENT_GGUF_TYPE_UINT8, u8s, 3);
  docent_gguf_writer_add_array (w, "a.i16", DOCENT_GGUF_TYPE_INT16, i16s, 2);
  docent_gguf_writer_add_array (w, "a.u64", DOCENT_GGUF_TYPE_UINT64, u64s, 2);
  docent_gguf_writer_add_array (w, "a.f64", DOCENT_GGUF_TYPE_FLOAT64, f64s, 2);
  docent_gguf_writer_add_array (w, "a.bool", DOCENT_GGUF_TYPE_BOOL, bools, 2);
  docent_gguf_writer_add_strv (w, "a.str", strs, -1);
  docent_gguf_array_builder_append_string (inner, "x", -1);
  docent_gguf_array_builder_append_array (outer, inner);
  docent_gguf_array_builder_append_array (outer, docent_gguf_array_builder_new (DOCENT_GGUF_TYPE_UINT8));
  docent_gguf_writer_add_array_value (w, "a.nested", outer);
  docent_gguf_array_builder_append_int (leaf, -9);
  docent_gguf_array_builder_append_array (mid, leaf);
  docent_gguf_array_builder_append_array (deep, mid);
  docent_gguf_writer_add_array_value (w, "a.deep", deep);
}

static void
model_keys (DocentGgufWriter *w,
            const char       *arch,
            guint             n_vocab)
{
  g_autofree char *ctx = g_strconcat (arch, ".context_length", NULL);
  g_autofree char *embd = g_strconcat (arch, ".embedding_length", NULL);
  g_autofree char *blocks = g_strconcat (arch, ".block_count", NULL);
  DocentGgufArrayBuilder *tokens = docent_gguf_array_builder_new (DOCENT_GGUF_TYPE_STRING);
  DocentGgufArrayBuilder *scores = docent_gguf_array_builder_new (DOCENT_GGUF_TYPE_FLOAT32);
  DocentGgufArrayBuilder *types = docent_gguf_array_builder_new (DOCENT_GGUF_TYPE_INT32);

  docent_gguf_writer_add_string (w, "general.architecture", arch);
  docent_gguf_writer_add_string (w, "general.name", "seed");
  docent_gguf_writer_add_u32 (w, ctx, 2048);
  docent_gguf_writer_add_u32 (w, embd, 32);
  docent_gguf_writer_add_u32 (w, blocks, 1);
  docent_gguf_writer_add_string (w, "tokenizer.ggml.model", "llama");
  for (guint i = 0; i < n_vocab; i++)
    {
      g_autofree char *piece = g_strdup_printf (i < 3 ? "<%u>" : "\xe2\x96\x81t%u", i);

      docent_gguf_array_builder_append_string (tokens, piece, -1);
      docent_gguf_array_builder_append_double (scores, -(double) i);
      docent_gguf_array_builder_append_int (types, i < 3 ? 3 : 1);
    }
  docent_gguf_writer_add_array_value (w, "tokenizer.ggml.tokens", tokens);
  docent_gguf_writer_add_array_value (w, "tokenizer.ggml.scores", scores);
  docent_gguf_writer_add_array_value (w, "tokenizer.ggml.token_type", types);
  docent_gguf_writer_add_u32 (w, "tokenizer.ggml.bos_token_id", 1);
  docent_gguf_writer_add_bool (w, "tokenizer.ggml.add_bos_token", TRUE);
  docent_gguf_writer_add_string (w, "tokenizer.chat_template", "{% for m in messages %}{{ m }}{% endfor %}");
}

/* ---- office ---------------------------------------------------------------- */

/* The entries of the zip at `path` as "name\0content\0..." in `out`. */
static void
save_parts (const char *path,
            const char *out)
{
  struct archive *ar = archive_read_new ();
  struct archive_entry *entry;
  g_autoptr(GByteArray) parts = g_byte_array_new ();
  g_autoptr(GError) error = NULL;

  archive_read_support_format_zip (ar);
  g_assert (archive_read_open_filename (ar, path, 16384) == ARCHIVE_OK);
  while (archive_read_next_header (ar, &entry) == ARCHIVE_OK)
    {
      const char *name = archive_entry_pathname (entry);
      char buffer[4096];
      la_ssize_t n;

      g_byte_array_append (parts, (const guint8 *) name, strlen (name) + 1);
      while ((n = archive_read_data (ar, buffer, sizeof buffer)) > 0)
        g_byte_array_append (parts, (const guint8 *) buffer, n);
      g_byte_array_append (parts, (const guint8 *) "", 1);
    }
  archive_read_free (ar);
  if (!g_file_set_contents (out, (const char *) parts->data, parts->len, &error))
    g_error ("%s", error->message);
  printf ("%s\n", out);
}

static void
save_office (const char *dir,
             const char *name,
             gboolean  (*write) (const char *, const char *, const DocentTestBlock *, guint, GError **))
{
  static const DocentTestBlock blocks[] = {
    { 1, "Lease Agreement" },
    { 0, "The tenant shall pay rent on the first day of each month." },
    { 2, "Payment & <Fees>" },
    { 0, "Late payment costs 5%.\nA second line." },
    { 0, "Caf\xc3\xa9 na\xc3\xafve \xe6\x97\xa5\xe6\x9c\xac" },
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *parts = g_strconcat (path, ".parts", NULL);

  if (!write (path, "Title", blocks, G_N_ELEMENTS (blocks), &error))
    g_error ("%s", error->message);
  printf ("%s\n", path);
  save_parts (path, parts);
}

static gboolean
write_epub (const char            *path,
            const char            *title,
            const DocentTestBlock *blocks,
            guint                  n_blocks,
            GError               **error)
{
  const DocentTestBlock *chapters[] = { blocks, blocks + 2 };
  const guint n[] = { 2, n_blocks - 2 };

  return docent_test_write_epub (path, title, chapters, n, 2, error);
}

static void
office_corpus (const char *dir)
{
  save_office (dir, "lease.docx", docent_test_write_docx);
  save_office (dir, "lease.odt", docent_test_write_odt);
  save_office (dir, "lease.epub", write_epub);
}

int
main (int argc, char **argv)
{
  const char *dir = argc > 1 ? argv[1] : ".";

  if (argc > 2 && strcmp (argv[1], "office") == 0)
    {
      office_corpus (argv[2]);
      return 0;
    }
  if (argc > 2 && strcmp (argv[1], "gguf") == 0)
    dir = argv[2];

  {
    g_autoptr(DocentGgufWriter) w = docent_gguf_writer_new ();

    save (w, dir, "empty.gguf", 3);
  }
  {
    g_autoptr(DocentGgufWriter) w = docent_gguf_writer_new ();

    all_values (w);
    save (w, dir, "values.gguf", 3);
  }
  {
    g_autoptr(DocentGgufWriter) w = docent_gguf_writer_new ();

    model_keys (w, "llama", 16);
    add_tensor (w, "token_embd.weight", DOCENT_TYPE_F16, 2, 8, 16);
    add_tensor (w, "blk.0.attn_q.weight", DOCENT_TYPE_Q4_0, 2, 32, 2);
    add_tensor (w, "blk.0.attn_k.weight", DOCENT_TYPE_Q8_0, 2, 32, 2);
    add_tensor (w, "blk.0.attn_norm.weight", DOCENT_TYPE_F32, 1, 8, 1);
    add_tensor (w, "output.weight", DOCENT_TYPE_BF16, 2, 8, 4);
    save (w, dir, "model-v3.gguf", 3);
    save (w, dir, "model-v2.gguf", 2);
  }
  {
    g_autoptr(DocentGgufWriter) w = docent_gguf_writer_new ();

    model_keys (w, "qwen2", 4);
    docent_gguf_writer_set_alignment (w, 64);
    add_tensor (w, "blk.0.ffn_up.weight", DOCENT_TYPE_Q4_K, 1, 256, 1);
    add_tensor (w, "blk.0.ffn_down.weight", DOCENT_TYPE_Q6_K, 1, 256, 1);
    add_tensor (w, "blk.0.ffn_gate.weight", DOCENT_TYPE_Q2_K, 1, 256, 1);
    add_tensor (w, "blk.0.attn_v.weight", DOCENT_TYPE_Q5_1, 3, 32, 1);
    add_tensor (w, "blk.0.iq.weight", DOCENT_TYPE_IQ4_NL, 1, 32, 1);
    save (w, dir, "kquants-align64.gguf", 3);
  }
  {
    g_autoptr(DocentGgufWriter) w = docent_gguf_writer_new ();

    model_keys (w, "bert", 200);
    save (w, dir, "vocab.gguf", 3);
  }
  {
    g_autoptr(DocentGgufWriter) w = docent_gguf_writer_new ();

    all_values (w);
    docent_gguf_writer_set_alignment (w, 8);
    add_tensor (w, "a", DOCENT_TYPE_I8, 1, 5, 1);
    add_tensor (w, "b", DOCENT_TYPE_F64, 2, 2, 2);
    add_tensor (w, "c", DOCENT_TYPE_Q5_0, 1, 32, 1);
    save (w, dir, "mixed-align8.gguf", 3);
  }
  return 0;
}
