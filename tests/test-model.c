/* test-model.c — decoder models end to end on tiny models the test writes
 * itself (engine/synth.h): every architecture loads and runs, and the
 * properties that need no reference hold: a batch gives the logits of
 * token-by-token decoding (the KV cache is right), truncating and
 * re-evaluating reproduces them, a full context changes nothing, thread
 * counts agree, tied and untied outputs load, Q8_0 stays close to F32.
 * With the conformance kit next to the checkout, a few positions are also
 * compared with the reference implementation's logits. */
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/context.h"
#include "engine/synth.h"

#define N_TOKENS 24

typedef struct {
  char *dir;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("docent-test-model-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GDir) dir = g_dir_open (f->dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
}

static DocentSynthShape
tiny_shape (const char *arch)
{
  DocentSynthShape s = { "tiny", arch, 64, 2, 4, 2, 0, 128, 320, 64, FALSE, 0, 10000.0f };

  if (strcmp (arch, "qwen3") == 0)
    s.tied = TRUE;
  if (g_str_has_prefix (arch, "gemma"))
    {
      s.head_dim = 32;      /* key_length differs from n_embd / n_head */
      s.n_swa = 8;          /* short, so the window matters in the test */
      s.n_layer = 4;
    }
  return s;
}

static DocentModel *
write_and_load (Fixture                *f,
                const DocentSynthShape *shape,
                guint32                 type,
                guint64                 seed)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_strdup_printf ("%s-%u-%" G_GUINT64_FORMAT ".gguf", shape->arch,
                                           type, seed);
  g_autofree char *path = g_build_filename (f->dir, name, NULL);
  g_autoptr(DocentGgufWriter) w = docent_synth_build (shape, type, seed, TRUE, &error);
  DocentModel *model;

  g_assert_no_error (error);
  docent_gguf_writer_write_file (w, path, &error);
  g_assert_no_error (error);
  model = docent_model_load (path, &error);
  g_assert_no_error (error);
  return model;
}

static void
fill_tokens (gint32 *tokens,
             guint   n,
             guint   n_vocab)
{
  for (guint i = 0; i < n; i++)
    tokens[i] = (gint32) ((i * 37 + 5) % n_vocab);
}

/* Largest |a - b| over n values, relative to the largest |a|. */
static double
rel_diff (const float *a,
          const float *b,
          guint        n)
{
  double diff = 0.0, max = 1e-6;

  for (guint i = 0; i < n; i++)
    {
      diff = MAX (diff, fabs ((double) a[i] - b[i]));
      max = MAX (max, fabs ((double) a[i]));
    }
  return diff / max;
}

/* Logits of every position, evaluated in one batch. */
static float *
batch_logits (DocentModel      *model,
              DocentThreadPool *pool,
              const gint32     *tokens,
              guint             n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentContext) ctx = docent_context_new (model, 64, pool, &error);
  guint n_vocab = docent_model_info (model)->n_vocab;
  float *out = g_new (float, (gsize) n * n_vocab);

  g_assert_no_error (error);
  docent_context_eval (ctx, tokens, n, TRUE, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < n; i++)
    memcpy (out + (gsize) i * n_vocab, docent_context_logits (ctx, i), n_vocab * sizeof (float));
  return out;
}

static void
check_arch (Fixture    *f,
            const char *arch)
{
  DocentSynthShape shape = tiny_shape (arch);
  g_autoptr(DocentModel) model = write_and_load (f, &shape, DOCENT_TYPE_F32, 1);
  g_autoptr(DocentThreadPool) pool = docent_thread_pool_new (2);
  g_autoptr(GError) error = NULL;
  guint n_vocab = docent_model_info (model)->n_vocab;
  gint32 tokens[N_TOKENS];
  g_autofree float *ref = NULL, *one = NULL;
  g_autoptr(DocentContext) ctx = NULL;

  g_assert_cmpuint (n_vocab, ==, shape.n_vocab);
  fill_tokens (tokens, N_TOKENS, n_vocab);
  ref = batch_logits (model, pool, tokens, N_TOKENS);

  /* Token by token, on one thread: the cache must give the batch's
   * logits, and thread counts must agree. */
  ctx = docent_context_new (model, 64, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < N_TOKENS; i++)
    {
      docent_context_eval (ctx, &tokens[i], 1, FALSE, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpfloat (rel_diff (ref + (gsize) i * n_vocab, docent_context_logits (ctx, 0),
                                   n_vocab), <, 1e-3);
    }
  g_assert_cmpuint (docent_context_n_past (ctx), ==, N_TOKENS);

  /* Keep a prefix, evaluate the rest again. */
  docent_context_truncate (ctx, 10);
  g_assert_cmpuint (docent_context_n_past (ctx), ==, 10);
  docent_context_eval (ctx, tokens + 10, N_TOKENS - 10, TRUE, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 10; i < N_TOKENS; i++)
    g_assert_cmpfloat (rel_diff (ref + (gsize) i * n_vocab, docent_context_logits (ctx, i - 10),
                                 n_vocab), <, 1e-3);

  /* The same batch on one thread. */
  one = batch_logits (model, NULL, tokens, N_TOKENS);
  g_assert_cmpfloat (rel_diff (ref, one, N_TOKENS * n_vocab), <, 1e-3);
}

static void
test_llama (Fixture *f, gconstpointer data) { check_arch (f, "llama"); }
static void
test_qwen2 (Fixture *f, gconstpointer data) { check_arch (f, "qwen2"); }
static void
test_qwen3 (Fixture *f, gconstpointer data) { check_arch (f, "qwen3"); }
static void
test_phi3 (Fixture *f, gconstpointer data) { check_arch (f, "phi3"); }
static void
test_gemma3 (Fixture *f, gconstpointer data) { check_arch (f, "gemma3"); }
static void
test_gemma2 (Fixture *f, gconstpointer data) { check_arch (f, "gemma2"); }

static void
test_context_full (Fixture       *f,
                   gconstpointer  data)
{
  DocentSynthShape shape = tiny_shape ("llama");
  g_autoptr(DocentModel) model = write_and_load (f, &shape, DOCENT_TYPE_F32, 2);
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentContext) ctx = docent_context_new (model, 16, NULL, &error);
  guint n_vocab = docent_model_info (model)->n_vocab;
  g_autofree float *ref = NULL;
  gint32 tokens[20];

  g_assert_no_error (error);
  g_assert_cmpuint (docent_context_n_ctx (ctx), ==, 16);
  fill_tokens (tokens, 20, n_vocab);
  ref = batch_logits (model, NULL, tokens, 11);
  docent_context_eval (ctx, tokens, 10, FALSE, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (docent_context_eval (ctx, tokens + 10, 10, FALSE, NULL, &error));
  g_assert_error (error, DOCENT_MODEL_ERROR, DOCENT_MODEL_ERROR_CONTEXT_FULL);
  g_clear_error (&error);
  g_assert_cmpuint (docent_context_n_past (ctx), ==, 10);
  /* Nothing changed: the next token sees the same cache. */
  docent_context_eval (ctx, tokens + 10, 1, FALSE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (rel_diff (ref + 10 * n_vocab, docent_context_logits (ctx, 0), n_vocab), <, 1e-3);

  /* Out-of-range ids are refused before anything runs. */
  tokens[0] = (gint32) n_vocab;
  g_assert_false (docent_context_eval (ctx, tokens, 1, FALSE, NULL, &error));
  g_assert_error (error, DOCENT_MODEL_ERROR, DOCENT_MODEL_ERROR_INVALID);
  g_assert_cmpuint (docent_context_n_past (ctx), ==, 11);
}

static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  DocentSynthShape shape = tiny_shape ("llama");
  g_autoptr(DocentModel) model = write_and_load (f, &shape, DOCENT_TYPE_F32, 3);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentContext) ctx = docent_context_new (model, 0, NULL, &error);
  gint32 tokens[8];

  g_assert_no_error (error);
  g_assert_cmpuint (docent_context_n_ctx (ctx), ==, shape.n_ctx);
  fill_tokens (tokens, 8, shape.n_vocab);
  docent_context_eval (ctx, tokens, 4, FALSE, NULL, &error);
  g_assert_no_error (error);
  g_cancellable_cancel (cancellable);
  g_assert_false (docent_context_eval (ctx, tokens + 4, 4, FALSE, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (docent_context_n_past (ctx), ==, 4);
}

/* A batch longer than one forward slice (512 tokens) gives the logits
 * of two smaller batches. */
static void
test_long_batch (Fixture       *f,
                 gconstpointer  data)
{
  DocentSynthShape shape = tiny_shape ("qwen2");
  g_autoptr(DocentModel) model = write_and_load (f, &shape, DOCENT_TYPE_F32, 8);
  g_autoptr(DocentThreadPool) pool = docent_thread_pool_new (2);
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentContext) a = docent_context_new (model, 600, pool, &error);
  g_autoptr(DocentContext) b = docent_context_new (model, 600, pool, &error);
  guint n = 520, n_vocab = shape.n_vocab;
  g_autofree gint32 *tokens = g_new (gint32, n);

  g_assert_no_error (error);
  fill_tokens (tokens, n, n_vocab);
  docent_context_eval (a, tokens, n, TRUE, NULL, &error);
  g_assert_no_error (error);
  docent_context_eval (b, tokens, 300, FALSE, NULL, &error);
  g_assert_no_error (error);
  docent_context_eval (b, tokens + 300, n - 300, TRUE, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 300; i < n; i += 73)
    g_assert_cmpfloat (rel_diff (docent_context_logits (a, i), docent_context_logits (b, i - 300),
                                 n_vocab), <, 1e-3);
  g_assert_cmpuint (docent_context_n_past (a), ==, n);
}

static void
test_tied (Fixture       *f,
           gconstpointer  data)
{
  DocentSynthShape shape = tiny_shape ("llama");
  g_autoptr(DocentModel) untied = write_and_load (f, &shape, DOCENT_TYPE_F32, 4);
  g_autoptr(DocentModel) tied = NULL;
  const DocentDecoderWeights *w;

  w = docent_model_decoder (untied);
  g_assert_nonnull (w);
  g_assert_true (w->output.data != w->token_embd.data);
  shape.tied = TRUE;
  tied = write_and_load (f, &shape, DOCENT_TYPE_F32, 5);
  w = docent_model_decoder (tied);
  g_assert_true (w->output.data == w->token_embd.data);
  g_assert_cmpuint (w->output.rows, ==, shape.n_vocab);
}

static void
test_q8_0_close (Fixture       *f,
                 gconstpointer  data)
{
  DocentSynthShape shape = tiny_shape ("qwen2");
  g_autoptr(DocentModel) f32 = write_and_load (f, &shape, DOCENT_TYPE_F32, 6);
  g_autoptr(DocentModel) q8 = write_and_load (f, &shape, DOCENT_TYPE_Q8_0, 6);
  g_autofree float *a = NULL, *b = NULL;
  gint32 tokens[N_TOKENS];

  fill_tokens (tokens, N_TOKENS, shape.n_vocab);
  a = batch_logits (f32, NULL, tokens, N_TOKENS);
  b = batch_logits (q8, NULL, tokens, N_TOKENS);
  g_assert_cmpfloat (rel_diff (a, b, N_TOKENS * shape.n_vocab), <, 0.05);
  g_assert_cmpfloat (rel_diff (a, b, N_TOKENS * shape.n_vocab), >, 0.0);
}

static void
test_info (Fixture       *f,
           gconstpointer  data)
{
  DocentSynthShape shape = tiny_shape ("gemma3");
  g_autoptr(DocentModel) model = write_and_load (f, &shape, DOCENT_TYPE_F16, 7);
  const DocentModelInfo *info = docent_model_info (model);
  const DocentDecoderWeights *w = docent_model_decoder (model);

  g_assert_cmpstr (info->architecture, ==, "gemma3");
  g_assert_cmpint (info->kind, ==, DOCENT_MODEL_DECODER);
  g_assert_cmpuint (info->head_dim, ==, 32);
  g_assert_cmpuint (info->n_layer, ==, 4);
  g_assert_cmpuint (strlen (docent_model_sha256 (model)), ==, 64);
  g_assert_true (docent_model_sha256 (model) == docent_model_sha256 (model));
  g_assert_true (w->layers[0].sliding && !w->layers[1].sliding);
  g_assert_true (w->gelu && w->scale_embd && w->neox);
}

/* ---- against the conformance kit, when it is there ----------------------- */

static char *
kit_dir (void)
{
  return g_test_build_filename (G_TEST_DIST, "..", "..", "shared", "conformance", NULL);
}

/* Reads the first case of an expected file: its prompt ids and the
 * top-1 (id, logit) of each position, by bracket depth. */
static gboolean
read_expected (const char  *path,
               GArray      *prompt,
               GArray      *top_ids,
               GArray      *top_logits)
{
  g_autofree char *text = NULL;
  const char *p, *top;
  gboolean first = FALSE;
  int depth = 0;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return FALSE;
  p = strstr (text, "\"prompt\":");
  top = strstr (text, "\"top\":");
  if (p == NULL || top == NULL || (p = strchr (p, '[')) == NULL)
    return FALSE;
  for (p++; *p != ']' && *p != '\0';)
    {
      char *end;
      gint32 id = (gint32) strtol (p, &end, 10);

      g_array_append_val (prompt, id);
      p = end;
      while (*p == ',' || *p == ' ')
        p++;
    }
  for (p = top + strlen ("\"top\":"); *p != '\0'; p++)
    {
      if (*p == '[')
        {
          depth++;
          if (depth == 2)
            first = TRUE;
          /* The first pair of a position's list is its top-1. */
          if (depth == 3 && first)
            {
              char *end;
              gint32 id = (gint32) strtol (p + 1, &end, 10);
              float logit = strtof (end + 1, NULL);

              g_array_append_val (top_ids, id);
              g_array_append_val (top_logits, logit);
              first = FALSE;
            }
        }
      else if (*p == ']' && --depth == 0)
        break;
    }
  return top_ids->len == prompt->len;
}

static void
check_kit_model (const char *dir,
                 const char *name)
{
  g_autofree char *model_path = g_strdup_printf ("%s/models/%s.gguf", dir, name);
  g_autofree char *expected = g_strdup_printf ("%s/expected/%s.json", dir, name);
  g_autoptr(GArray) prompt = g_array_new (FALSE, FALSE, sizeof (gint32));
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint32));
  g_autoptr(GArray) logits = g_array_new (FALSE, FALSE, sizeof (float));
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentModel) model = NULL;
  g_autoptr(DocentContext) ctx = NULL;

  g_assert_true (read_expected (expected, prompt, ids, logits));
  model = docent_model_load (model_path, &error);
  g_assert_no_error (error);
  ctx = docent_context_new (model, 256, NULL, &error);
  g_assert_no_error (error);
  docent_context_eval (ctx, (const gint32 *) prompt->data, prompt->len, TRUE, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < prompt->len; i++)
    {
      const float *row = docent_context_logits (ctx, i);
      gint32 id = g_array_index (ids, gint32, i);
      float want = g_array_index (logits, float, i);
      guint above = 0;

      /* The reference's best token is among our best three, with a
       * logit within the kit's tolerance for quantized models. */
      for (guint v = 0; v < docent_model_info (model)->n_vocab; v++)
        above += row[v] > row[id];
      g_assert_cmpuint (above, <, 3);
      g_assert_cmpfloat (fabsf (row[id] - want), <, 0.06f * fabsf (want) + 0.06f);
    }
}

static void
test_conformance (void)
{
  g_autofree char *dir = kit_dir ();

  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("no conformance kit at ../shared/conformance");
      return;
    }
  check_kit_model (dir, "kit-llama-q8_0");
  check_kit_model (dir, "kit-qwen3-q8_0");
  check_kit_model (dir, "kit-gemma3-f16");
}

static void
test_load_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentModel) model = docent_model_load ("/nonexistent/model.gguf", &error);

  g_assert_null (model);
  g_assert_nonnull (error);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/model/arch/llama", test_llama);
  ADD ("/model/arch/qwen2", test_qwen2);
  ADD ("/model/arch/qwen3", test_qwen3);
  ADD ("/model/arch/phi3", test_phi3);
  ADD ("/model/arch/gemma3", test_gemma3);
  ADD ("/model/arch/gemma2", test_gemma2);
  ADD ("/model/context-full", test_context_full);
  ADD ("/model/cancel", test_cancel);
  ADD ("/model/long-batch", test_long_batch);
  ADD ("/model/tied", test_tied);
  ADD ("/model/q8_0-close", test_q8_0_close);
  ADD ("/model/info", test_info);
#undef ADD
  g_test_add_func ("/model/load-errors", test_load_errors);
  g_test_add_func ("/model/conformance", test_conformance);
  return g_test_run ();
}
