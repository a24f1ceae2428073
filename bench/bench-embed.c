/* bench-embed.c — embedding throughput of the encoder (engine/encoder.c)
 * in tokens per second: a batch of passages of a fixed length through a
 * bge-small-shaped bert model (384 dimensions, 12 layers, 12 heads, n_ff
 * 1536, 30522 tokens, CLS pooling) with random weights, or through a
 * model file given on the command line.
 *
 *   bench-embed [--type F16|F32|Q8_0|BF16] [--threads N] [--passages N]
 *               [--tokens N] [--repeat N] [MODEL.gguf] */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <glib/gstdio.h>

#include "engine/encoder.h"
#include "engine/gguf-writer.h"
#include "engine/quant.h"

#define SPACE_MARK "\xE2\x96\x81"

enum {
  N_EMBD = 384,
  N_LAYER = 12,
  N_HEAD = 12,
  N_FF = 1536,
  N_VOCAB = 30522,
  N_CTX = 512,
};

/* A cheap generator: tens of millions of weights in well under a second. */
static float
next_random (guint64 *state)
{
  *state = *state * 6364136223846793005ull + 1442695040888963407ull;
  return (float) ((*state >> 40) & 0xffffff) / (float) 0x1000000 * 2.0f - 1.0f;
}

static void
add (DocentGgufWriter *writer,
     const char       *name,
     guint             cols,
     guint             rows,
     guint32           type,
     float             center,
     float             spread,
     guint64          *state)
{
  g_autofree float *row = g_new (float, cols);
  g_autofree guint8 *data = NULL;
  guint64 dims[2] = { cols, rows }, row_bytes;

  if (rows == 1)
    type = DOCENT_TYPE_F32;
  if (!docent_type_row_bytes (type, cols, &row_bytes, NULL))
    g_error ("bad type");
  data = g_malloc (row_bytes * rows);
  for (guint r = 0; r < rows; r++)
    {
      for (guint i = 0; i < cols; i++)
        row[i] = center + spread * next_random (state);
      if (!docent_quantize_row (type, row, data + r * row_bytes, cols, NULL))
        g_error ("cannot write type %s", docent_type_name (type));
    }
  if (!docent_gguf_writer_add_tensor (writer, name, rows == 1 ? 1 : 2, dims, type,
                                      data, row_bytes * rows, NULL))
    g_error ("cannot add %s", name);
}

static void
add_vocab (DocentGgufWriter *writer)
{
  const char *control[] = { "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]" };
  g_autoptr(GPtrArray) tokens = g_ptr_array_new_with_free_func (g_free);
  g_autofree gint32 *types = g_new (gint32, N_VOCAB);

  for (guint i = 0; i < N_VOCAB; i++)
    {
      g_ptr_array_add (tokens, i < G_N_ELEMENTS (control) ? g_strdup (control[i])
                                                         : g_strdup_printf (SPACE_MARK "w%u", i));
      types[i] = i < G_N_ELEMENTS (control) ? 3 : 1;
    }
  g_ptr_array_add (tokens, NULL);
  docent_gguf_writer_add_string (writer, "tokenizer.ggml.model", "bert");
  docent_gguf_writer_add_strv (writer, "tokenizer.ggml.tokens",
                               (const char *const *) tokens->pdata, -1);
  docent_gguf_writer_add_array (writer, "tokenizer.ggml.token_type",
                                DOCENT_GGUF_TYPE_INT32, types, N_VOCAB);
  docent_gguf_writer_add_u32 (writer, "tokenizer.ggml.unknown_token_id", 1);
  docent_gguf_writer_add_u32 (writer, "tokenizer.ggml.cls_token_id", 2);
  docent_gguf_writer_add_u32 (writer, "tokenizer.ggml.seperator_token_id", 3);
}

static void
write_bge_small (const char *path,
                 guint32     type)
{
  g_autoptr(DocentGgufWriter) writer = docent_gguf_writer_new ();
  g_autoptr(GError) error = NULL;
  guint64 state = 42;
  float w = 1.5f / 19.6f, w_ff = 1.5f / 39.2f;     /* 1.5 / sqrt (cols) */
  char name[64];

  docent_gguf_writer_add_string (writer, "general.architecture", "bert");
  docent_gguf_writer_add_u32 (writer, "bert.context_length", N_CTX);
  docent_gguf_writer_add_u32 (writer, "bert.embedding_length", N_EMBD);
  docent_gguf_writer_add_u32 (writer, "bert.block_count", N_LAYER);
  docent_gguf_writer_add_u32 (writer, "bert.feed_forward_length", N_FF);
  docent_gguf_writer_add_u32 (writer, "bert.attention.head_count", N_HEAD);
  docent_gguf_writer_add_f32 (writer, "bert.attention.layer_norm_epsilon", 1e-12f);
  docent_gguf_writer_add_u32 (writer, "bert.pooling_type", 2);
  add_vocab (writer);

  add (writer, "token_embd.weight", N_EMBD, N_VOCAB, type, 0, 1, &state);
  add (writer, "position_embd.weight", N_EMBD, N_CTX, DOCENT_TYPE_F32, 0, 0.5f, &state);
  add (writer, "token_types.weight", N_EMBD, 2, DOCENT_TYPE_F32, 0, 0.5f, &state);
  add (writer, "token_embd_norm.weight", N_EMBD, 1, type, 1, 0.2f, &state);
  add (writer, "token_embd_norm.bias", N_EMBD, 1, type, 0, 0.1f, &state);
#define L(s) (g_snprintf (name, sizeof name, "blk.%u." s, il), name)
  for (guint il = 0; il < N_LAYER; il++)
    {
      add (writer, L ("attn_q.weight"), N_EMBD, N_EMBD, type, 0, w, &state);
      add (writer, L ("attn_q.bias"), N_EMBD, 1, type, 0, 0.1f, &state);
      add (writer, L ("attn_k.weight"), N_EMBD, N_EMBD, type, 0, w, &state);
      add (writer, L ("attn_k.bias"), N_EMBD, 1, type, 0, 0.1f, &state);
      add (writer, L ("attn_v.weight"), N_EMBD, N_EMBD, type, 0, w, &state);
      add (writer, L ("attn_v.bias"), N_EMBD, 1, type, 0, 0.1f, &state);
      add (writer, L ("attn_output.weight"), N_EMBD, N_EMBD, type, 0, w, &state);
      add (writer, L ("attn_output.bias"), N_EMBD, 1, type, 0, 0.1f, &state);
      add (writer, L ("attn_output_norm.weight"), N_EMBD, 1, type, 1, 0.2f, &state);
      add (writer, L ("attn_output_norm.bias"), N_EMBD, 1, type, 0, 0.1f, &state);
      add (writer, L ("ffn_up.weight"), N_EMBD, N_FF, type, 0, w, &state);
      add (writer, L ("ffn_up.bias"), N_FF, 1, type, 0, 0.1f, &state);
      add (writer, L ("ffn_down.weight"), N_FF, N_EMBD, type, 0, w_ff, &state);
      add (writer, L ("ffn_down.bias"), N_EMBD, 1, type, 0, 0.1f, &state);
      add (writer, L ("layer_output_norm.weight"), N_EMBD, 1, type, 1, 0.2f, &state);
      add (writer, L ("layer_output_norm.bias"), N_EMBD, 1, type, 0, 0.1f, &state);
    }
#undef L
  if (!docent_gguf_writer_write_file (writer, path, &error))
    g_error ("%s", error->message);
}

static double
cpu_seconds (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static guint32
parse_type (const char *name)
{
  for (guint32 t = 0; t < DOCENT_TYPE_COUNT; t++)
    if (docent_type_name (t) != NULL && g_ascii_strcasecmp (docent_type_name (t), name) == 0)
      return t;
  g_printerr ("unknown type %s\n", name);
  exit (2);
}

int
main (int argc, char **argv)
{
  g_autofree char *type_name = NULL;     /* F16 when not given */
  gint threads = 2, passages = 64, tokens = 128, repeat = 3;
  const GOptionEntry entries[] = {
    { "type", 0, 0, G_OPTION_ARG_STRING, &type_name, "Weight type of the synthetic model", "TYPE" },
    { "threads", 't', 0, G_OPTION_ARG_INT, &threads, "Threads", "N" },
    { "passages", 'n', 0, G_OPTION_ARG_INT, &passages, "Passages per call", "N" },
    { "tokens", 'l', 0, G_OPTION_ARG_INT, &tokens, "Tokens per passage", "N" },
    { "repeat", 'r', 0, G_OPTION_ARG_INT, &repeat, "Runs (the best is reported)", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("[MODEL.gguf] — embedding tokens/s");
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentModel) model = NULL;
  g_autoptr(DocentThreadPool) pool = NULL;
  g_autofree char *dir = NULL, *path = NULL;
  g_autofree gint32 *ids = NULL;
  g_autofree const gint32 **seqs = NULL;
  g_autofree guint *lengths = NULL;
  g_autofree float *out = NULL;
  const DocentModelInfo *info;
  double best = 0;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || threads < 1
      || passages < 1 || tokens < 2 || repeat < 1)
    {
      g_printerr ("%s\n", error ? error->message : "bad arguments");
      return 2;
    }
  if (argc > 1)
    path = g_strdup (argv[1]);
  else
    {
      dir = g_dir_make_tmp ("docent-bench-embed-XXXXXX", &error);
      g_assert_no_error (error);
      path = g_build_filename (dir, "bge-small-synth.gguf", NULL);
      if (type_name == NULL)
        type_name = g_strdup ("F16");
      write_bge_small (path, parse_type (type_name));
    }
  model = docent_model_load (path, &error);
  if (model == NULL)
    {
      g_printerr ("%s: %s\n", path, error->message);
      return 1;
    }
  info = docent_model_info (model);
  if ((guint) tokens > info->n_ctx_train)
    tokens = (gint) info->n_ctx_train;

  ids = g_new (gint32, (gsize) passages * tokens);
  seqs = g_new (const gint32 *, passages);
  lengths = g_new (guint, passages);
  for (gint p = 0; p < passages; p++)
    {
      gint32 *seq = ids + (gsize) p * tokens;

      for (gint i = 0; i < tokens; i++)
        seq[i] = (gint32) (1000 + (p * 7919 + i * 104729) % (info->n_vocab - 1000));
      seq[0] = docent_tokenizer_cls (docent_model_tokenizer (model));
      seq[tokens - 1] = docent_tokenizer_sep (docent_model_tokenizer (model));
      seqs[p] = seq;
      lengths[p] = (guint) tokens;
    }
  out = g_new (float, (gsize) passages * info->n_embd);
  pool = docent_thread_pool_new ((guint) threads);

  for (gint r = 0; r < repeat; r++)
    {
      gint64 start = g_get_monotonic_time ();
      double cpu_start = cpu_seconds (), seconds, cpu, rate;

      if (!docent_encoder_embed_tokens (model, pool, seqs, lengths, (guint) passages,
                                        TRUE, out, &error))
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
      seconds = (g_get_monotonic_time () - start) / 1e6;
      cpu = cpu_seconds () - cpu_start;
      rate = (double) passages * tokens / seconds;
      best = MAX (best, rate);
      /* On a shared machine the CPU time tells what the threads would do
       * with the cores to themselves. */
      g_print ("run %d: %.3f s, %.0f tokens/s; %.3f CPU s, %.0f tokens per CPU s\n",
               r + 1, seconds, rate, cpu, passages * tokens / cpu);
    }
  g_print ("%s: %d passages x %d tokens, %d threads: %.0f tokens/s (best of %d)\n",
           argc > 1 ? path : type_name, passages, tokens, threads, best, repeat);

  if (dir != NULL)
    {
      g_unlink (path);
      g_rmdir (dir);
    }
  return 0;
}
