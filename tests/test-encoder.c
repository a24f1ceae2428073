/* test-encoder.c — the encoder forward pass (engine/encoder.c) on tiny bert
 * and nomic-bert models written here with random weights: against a plain
 * reference forward pass written in this file, and for the properties
 * embeddings must have (batching and ordering independence, pooling,
 * normalisation, quantized weights close to float ones); and against the
 * conformance kit when ../shared/conformance is present. */
#include <math.h>
#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "engine/encoder.h"
#include "engine/gguf-writer.h"
#include "engine/quant.h"

#define SPACE_MARK "\xE2\x96\x81"

#define N_EMBD 32
#define N_HEAD 4
#define HEAD_DIM (N_EMBD / N_HEAD)
#define N_FF 64
#define N_LAYER 2
#define N_CTX 320
#define EPS 1e-12f
#define ROPE_BASE 1000.0f

static const char *const words[] = {
  "the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "hello",
  "world", "court", "ruling", "patient", "dose", "page", "cite", "law",
  "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n",
  "o", "p", "q", "r", "s", "t", "u", "v", "w", "x", "y", "z",
};
#define N_CONTROL 5
#define N_VOCAB (N_CONTROL + (guint) G_N_ELEMENTS (words))
#define CLS 2
#define SEP 3

/* A tiny model: its float weights by tensor name (kept for the reference
 * pass) and the file written from them. */
typedef struct {
  gboolean nomic;
  GHashTable *weights;                 /* name → float array */
  char *dir;
  char *path;
  DocentModel *model;
} Tiny;

/* ---- writing models ------------------------------------------------------ */

static float *
random_floats (GRand *rand,
               gsize  n,
               double center,
               double spread)
{
  float *v = g_new (float, n);

  for (gsize i = 0; i < n; i++)
    v[i] = (float) (center + g_rand_double_range (rand, -spread, spread));
  return v;
}

static void
add_tensor (Tiny             *tiny,
            DocentGgufWriter *writer,
            const char       *name,
            guint             cols,
            guint             rows,
            guint32           type,
            float            *data)
{
  guint64 dims[2] = { cols, rows };
  g_autoptr(GError) error = NULL;
  guint64 row_bytes;
  g_autofree guint8 *bytes = NULL;

  /* Vectors and embedding tables stay F32, as converters leave norms. */
  if (rows == 1 || type == DOCENT_TYPE_F32)
    type = DOCENT_TYPE_F32;
  g_assert_true (docent_type_row_bytes (type, cols, &row_bytes, &error));
  bytes = g_malloc (row_bytes * rows);
  for (guint r = 0; r < rows; r++)
    g_assert_true (docent_quantize_row (type, data + (gsize) r * cols,
                                        bytes + r * row_bytes, cols, &error));
  g_assert_true (docent_gguf_writer_add_tensor (writer, name, rows == 1 ? 1 : 2,
                                                dims, type, bytes, row_bytes * rows,
                                                &error));
  g_hash_table_insert (tiny->weights, g_strdup (name), data);
}

static void
add_vocab (DocentGgufWriter *writer)
{
  g_autoptr(GPtrArray) tokens = g_ptr_array_new_with_free_func (g_free);
  gint32 types[N_CONTROL + G_N_ELEMENTS (words)];
  const char *control[] = { "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]" };

  for (guint i = 0; i < N_CONTROL; i++)
    {
      g_ptr_array_add (tokens, g_strdup (control[i]));
      types[i] = 3;
    }
  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    {
      g_ptr_array_add (tokens, g_strconcat (SPACE_MARK, words[i], NULL));
      types[N_CONTROL + i] = 1;
    }
  g_ptr_array_add (tokens, NULL);
  docent_gguf_writer_add_string (writer, "tokenizer.ggml.model", "bert");
  docent_gguf_writer_add_strv (writer, "tokenizer.ggml.tokens",
                               (const char *const *) tokens->pdata, -1);
  docent_gguf_writer_add_array (writer, "tokenizer.ggml.token_type",
                                DOCENT_GGUF_TYPE_INT32, types, N_VOCAB);
  docent_gguf_writer_add_u32 (writer, "tokenizer.ggml.padding_token_id", 0);
  docent_gguf_writer_add_u32 (writer, "tokenizer.ggml.unknown_token_id", 1);
  docent_gguf_writer_add_u32 (writer, "tokenizer.ggml.cls_token_id", CLS);
  docent_gguf_writer_add_u32 (writer, "tokenizer.ggml.seperator_token_id", SEP);
  docent_gguf_writer_add_u32 (writer, "tokenizer.ggml.mask_token_id", 4);
}

static void
add_layer (Tiny             *tiny,
           DocentGgufWriter *writer,
           GRand            *rand,
           guint             il,
           guint32           type)
{
  double w = 1.5 / sqrt (N_EMBD), w_ff = 1.5 / sqrt (N_FF);
  char name[64];

#define NAME(s) (g_snprintf (name, sizeof name, "blk.%u." s, il), name)
  if (tiny->nomic)
    {
      add_tensor (tiny, writer, NAME ("attn_qkv.weight"), N_EMBD, 3 * N_EMBD, type,
                  random_floats (rand, 3 * N_EMBD * N_EMBD, 0, w));
      add_tensor (tiny, writer, NAME ("ffn_gate.weight"), N_EMBD, N_FF, type,
                  random_floats (rand, N_FF * N_EMBD, 0, w));
    }
  else
    {
      const char *qkv[] = { "attn_q", "attn_k", "attn_v" };

      for (guint i = 0; i < 3; i++)
        {
          g_autofree char *wn = g_strdup_printf ("blk.%u.%s.weight", il, qkv[i]);
          g_autofree char *bn = g_strdup_printf ("blk.%u.%s.bias", il, qkv[i]);

          add_tensor (tiny, writer, wn, N_EMBD, N_EMBD, type,
                      random_floats (rand, N_EMBD * N_EMBD, 0, w));
          add_tensor (tiny, writer, bn, N_EMBD, 1, type, random_floats (rand, N_EMBD, 0, 0.1));
        }
      add_tensor (tiny, writer, NAME ("attn_output.bias"), N_EMBD, 1, type,
                  random_floats (rand, N_EMBD, 0, 0.1));
      add_tensor (tiny, writer, NAME ("ffn_up.bias"), N_FF, 1, type,
                  random_floats (rand, N_FF, 0, 0.1));
      add_tensor (tiny, writer, NAME ("ffn_down.bias"), N_EMBD, 1, type,
                  random_floats (rand, N_EMBD, 0, 0.1));
    }
  add_tensor (tiny, writer, NAME ("attn_output.weight"), N_EMBD, N_EMBD, type,
              random_floats (rand, N_EMBD * N_EMBD, 0, w));
  add_tensor (tiny, writer, NAME ("attn_output_norm.weight"), N_EMBD, 1, type,
              random_floats (rand, N_EMBD, 1, 0.2));
  add_tensor (tiny, writer, NAME ("attn_output_norm.bias"), N_EMBD, 1, type,
              random_floats (rand, N_EMBD, 0, 0.1));
  add_tensor (tiny, writer, NAME ("ffn_up.weight"), N_EMBD, N_FF, type,
              random_floats (rand, N_FF * N_EMBD, 0, w));
  add_tensor (tiny, writer, NAME ("ffn_down.weight"), N_FF, N_EMBD, type,
              random_floats (rand, N_EMBD * N_FF, 0, w_ff));
  add_tensor (tiny, writer, NAME ("layer_output_norm.weight"), N_EMBD, 1, type,
              random_floats (rand, N_EMBD, 1, 0.2));
  add_tensor (tiny, writer, NAME ("layer_output_norm.bias"), N_EMBD, 1, type,
              random_floats (rand, N_EMBD, 0, 0.1));
#undef NAME
}

/* The same seed gives the same weights whatever the type and pooling. */
static Tiny *
tiny_new (gboolean nomic,
          guint    pooling,
          guint32  type,
          guint32  seed)
{
  const char *arch = nomic ? "nomic-bert" : "bert";
  g_autoptr(DocentGgufWriter) writer = docent_gguf_writer_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  Tiny *tiny = g_new0 (Tiny, 1);
  char key[64];

  tiny->nomic = nomic;
  tiny->weights = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  docent_gguf_writer_add_string (writer, "general.architecture", arch);
#define KEY(s) (g_snprintf (key, sizeof key, "%s." s, arch), key)
  docent_gguf_writer_add_u32 (writer, KEY ("context_length"), N_CTX);
  docent_gguf_writer_add_u32 (writer, KEY ("embedding_length"), N_EMBD);
  docent_gguf_writer_add_u32 (writer, KEY ("block_count"), N_LAYER);
  docent_gguf_writer_add_u32 (writer, KEY ("feed_forward_length"), N_FF);
  docent_gguf_writer_add_u32 (writer, KEY ("attention.head_count"), N_HEAD);
  docent_gguf_writer_add_f32 (writer, KEY ("attention.layer_norm_epsilon"), EPS);
  docent_gguf_writer_add_bool (writer, KEY ("attention.causal"), FALSE);
  docent_gguf_writer_add_u32 (writer, KEY ("pooling_type"), pooling);
  if (nomic)
    docent_gguf_writer_add_f32 (writer, KEY ("rope.freq_base"), ROPE_BASE);
#undef KEY
  add_vocab (writer);

  add_tensor (tiny, writer, "token_embd.weight", N_EMBD, N_VOCAB, type,
              random_floats (rand, N_VOCAB * N_EMBD, 0, 1.0));
  if (!nomic)
    add_tensor (tiny, writer, "position_embd.weight", N_EMBD, N_CTX, DOCENT_TYPE_F32,
                random_floats (rand, N_CTX * N_EMBD, 0, 0.5));
  add_tensor (tiny, writer, "token_types.weight", N_EMBD, 2, DOCENT_TYPE_F32,
              random_floats (rand, 2 * N_EMBD, 0, 0.5));
  add_tensor (tiny, writer, "token_embd_norm.weight", N_EMBD, 1, type,
              random_floats (rand, N_EMBD, 1, 0.2));
  add_tensor (tiny, writer, "token_embd_norm.bias", N_EMBD, 1, type,
              random_floats (rand, N_EMBD, 0, 0.1));
  for (guint il = 0; il < N_LAYER; il++)
    add_layer (tiny, writer, rand, il, type);

  tiny->dir = g_dir_make_tmp ("docent-encoder-XXXXXX", &error);
  g_assert_no_error (error);
  tiny->path = g_build_filename (tiny->dir, "tiny.gguf", NULL);
  g_assert_true (docent_gguf_writer_write_file (writer, tiny->path, &error));
  g_assert_no_error (error);
  tiny->model = docent_model_load (tiny->path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (tiny->model);
  return tiny;
}

static void
tiny_free (Tiny *tiny)
{
  docent_model_unref (tiny->model);
  g_unlink (tiny->path);
  g_rmdir (tiny->dir);
  g_free (tiny->path);
  g_free (tiny->dir);
  g_hash_table_unref (tiny->weights);
  g_free (tiny);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Tiny, tiny_free)

/* ---- a plain reference forward pass --------------------------------------- */

static const float *
weight (Tiny       *tiny,
        const char *name)
{
  return g_hash_table_lookup (tiny->weights, name);
}

/* Layer il's tensor "blk.<il>.<suffix>". */
static const float *
lweight (Tiny       *tiny,
         guint       il,
         const char *suffix)
{
  g_autofree char *name = g_strdup_printf ("blk.%u.%s", il, suffix);

  return weight (tiny, name);
}

/* y[rows] = W x + b, W rows × cols. */
static void
ref_linear (const float *w,
            const float *b,
            const float *x,
            guint        rows,
            guint        cols,
            float       *y)
{
  for (guint r = 0; r < rows; r++)
    {
      double sum = b ? b[r] : 0.0;

      for (guint c = 0; c < cols; c++)
        sum += (double) w[(gsize) r * cols + c] * x[c];
      y[r] = (float) sum;
    }
}

static void
ref_layernorm (float       *x,
               const float *w,
               const float *b)
{
  double mean = 0, var = 0;

  for (guint i = 0; i < N_EMBD; i++)
    mean += x[i] / (double) N_EMBD;
  for (guint i = 0; i < N_EMBD; i++)
    var += (x[i] - mean) * (x[i] - mean) / N_EMBD;
  for (guint i = 0; i < N_EMBD; i++)
    x[i] = (float) ((x[i] - mean) / sqrt (var + EPS) * w[i] + b[i]);
}

/* Rotates pairs (i, i + d/2) of one head by position × base^(-2i/d). */
static void
ref_rope (float *v,
          guint  pos)
{
  for (guint i = 0; i < HEAD_DIM / 2; i++)
    {
      double theta = pos / pow (ROPE_BASE, 2.0 * i / HEAD_DIM);
      double a = v[i], b = v[i + HEAD_DIM / 2];

      v[i] = (float) (a * cos (theta) - b * sin (theta));
      v[i + HEAD_DIM / 2] = (float) (a * sin (theta) + b * cos (theta));
    }
}

static void
ref_attention (const float *q,
               const float *k,
               const float *v,
               guint        n,
               float       *out)
{
  double scores[N_CTX];

  for (guint h = 0; h < N_HEAD; h++)
    for (guint i = 0; i < n; i++)
      {
        double max = -INFINITY, sum = 0;

        for (guint j = 0; j < n; j++)
          {
            double s = 0;

            for (guint d = 0; d < HEAD_DIM; d++)
              s += (double) q[i * N_EMBD + h * HEAD_DIM + d] * k[j * N_EMBD + h * HEAD_DIM + d];
            scores[j] = s / sqrt (HEAD_DIM);
            max = MAX (max, scores[j]);
          }
        for (guint j = 0; j < n; j++)
          sum += scores[j] = exp (scores[j] - max);
        for (guint d = 0; d < HEAD_DIM; d++)
          {
            double o = 0;

            for (guint j = 0; j < n; j++)
              o += scores[j] / sum * v[j * N_EMBD + h * HEAD_DIM + d];
            out[i * N_EMBD + h * HEAD_DIM + d] = (float) o;
          }
      }
}

static double
ref_gelu (double x)
{
  return 0.5 * x * (1.0 + tanh (sqrt (2.0 / G_PI) * (x + 0.044715 * x * x * x)));
}

static void
ref_ffn (Tiny  *tiny,
         guint  il,
         float *x,
         float *y)
{
  float up[N_FF], gate[N_FF];

  ref_linear (lweight (tiny, il, "ffn_up.weight"), lweight (tiny, il, "ffn_up.bias"),
              x, N_FF, N_EMBD, up);
  if (tiny->nomic)
    {
      ref_linear (lweight (tiny, il, "ffn_gate.weight"), NULL, x, N_FF, N_EMBD, gate);
      for (guint i = 0; i < N_FF; i++)
        up[i] = (float) (up[i] * gate[i] / (1.0 + exp (-gate[i])));
    }
  else
    for (guint i = 0; i < N_FF; i++)
      up[i] = (float) ref_gelu (up[i]);
  ref_linear (lweight (tiny, il, "ffn_down.weight"), lweight (tiny, il, "ffn_down.bias"),
              up, N_EMBD, N_FF, y);
}

/* Pooled, not normalised. */
static void
ref_embed (Tiny          *tiny,
           const gint32  *ids,
           guint          n,
           DocentPooling  pooling,
           float         *out)
{
  g_autofree float *x = g_new0 (float, n * N_EMBD);
  g_autofree float *q = g_new (float, n * N_EMBD);
  g_autofree float *k = g_new (float, n * N_EMBD);
  g_autofree float *v = g_new (float, n * N_EMBD);
  g_autofree float *a = g_new (float, n * N_EMBD);
  float qkv[3 * N_EMBD], y[N_EMBD];

  for (guint t = 0; t < n; t++)
    {
      for (guint i = 0; i < N_EMBD; i++)
        x[t * N_EMBD + i] = weight (tiny, "token_embd.weight")[ids[t] * N_EMBD + i]
          + weight (tiny, "token_types.weight")[i]
          + (tiny->nomic ? 0.0f : weight (tiny, "position_embd.weight")[t * N_EMBD + i]);
      ref_layernorm (x + t * N_EMBD, weight (tiny, "token_embd_norm.weight"),
                     weight (tiny, "token_embd_norm.bias"));
    }
  for (guint il = 0; il < N_LAYER; il++)
    {
      for (guint t = 0; t < n; t++)
        {
          float *xt = x + t * N_EMBD;

          if (tiny->nomic)
            {
              ref_linear (lweight (tiny, il, "attn_qkv.weight"), NULL, xt,
                          3 * N_EMBD, N_EMBD, qkv);
              for (guint h = 0; h < N_HEAD; h++)
                {
                  ref_rope (qkv + h * HEAD_DIM, t);
                  ref_rope (qkv + N_EMBD + h * HEAD_DIM, t);
                }
              memcpy (q + t * N_EMBD, qkv, sizeof y);
              memcpy (k + t * N_EMBD, qkv + N_EMBD, sizeof y);
              memcpy (v + t * N_EMBD, qkv + 2 * N_EMBD, sizeof y);
            }
          else
            {
              ref_linear (lweight (tiny, il, "attn_q.weight"),
                          lweight (tiny, il, "attn_q.bias"), xt, N_EMBD, N_EMBD, q + t * N_EMBD);
              ref_linear (lweight (tiny, il, "attn_k.weight"),
                          lweight (tiny, il, "attn_k.bias"), xt, N_EMBD, N_EMBD, k + t * N_EMBD);
              ref_linear (lweight (tiny, il, "attn_v.weight"),
                          lweight (tiny, il, "attn_v.bias"), xt, N_EMBD, N_EMBD, v + t * N_EMBD);
            }
        }
      ref_attention (q, k, v, n, a);
      for (guint t = 0; t < n; t++)
        {
          float *xt = x + t * N_EMBD;

          ref_linear (lweight (tiny, il, "attn_output.weight"),
                      lweight (tiny, il, "attn_output.bias"), a + t * N_EMBD, N_EMBD, N_EMBD, y);
          for (guint i = 0; i < N_EMBD; i++)
            xt[i] += y[i];
          ref_layernorm (xt, lweight (tiny, il, "attn_output_norm.weight"),
                         lweight (tiny, il, "attn_output_norm.bias"));
          ref_ffn (tiny, il, xt, y);
          for (guint i = 0; i < N_EMBD; i++)
            xt[i] += y[i];
          ref_layernorm (xt, lweight (tiny, il, "layer_output_norm.weight"),
                         lweight (tiny, il, "layer_output_norm.bias"));
        }
    }
  for (guint i = 0; i < N_EMBD; i++)
    {
      double sum = 0;

      for (guint t = 0; t < n; t++)
        sum += x[t * N_EMBD + i];
      out[i] = pooling == DOCENT_POOLING_CLS ? x[i]
        : pooling == DOCENT_POOLING_LAST ? x[(n - 1) * N_EMBD + i]
        : (float) (sum / n);
    }
}

/* ---- helpers ------------------------------------------------------------------ */

/* CLS, `n - 2` pseudo-random word ids, SEP. */
static gint32 *
make_sequence (guint n,
               guint seed)
{
  gint32 *ids = g_new (gint32, n);

  for (guint i = 0; i < n; i++)
    ids[i] = (gint32) (N_CONTROL + (seed * 7 + i * 13 + i * i) % G_N_ELEMENTS (words));
  ids[0] = CLS;
  ids[n - 1] = SEP;
  return ids;
}

static double
cosine (const float *a,
        const float *b,
        guint        n)
{
  double ab = 0, aa = 0, bb = 0;

  for (guint i = 0; i < n; i++)
    {
      ab += (double) a[i] * b[i];
      aa += (double) a[i] * a[i];
      bb += (double) b[i] * b[i];
    }
  return ab / sqrt (aa * bb);
}

static float
max_diff (const float *a,
          const float *b,
          guint        n)
{
  float m = 0;

  for (guint i = 0; i < n; i++)
    m = MAX (m, fabsf (a[i] - b[i]));
  return m;
}

static void
embed (DocentModel      *model,
       DocentThreadPool *pool,
       gint32          **seqs,
       const guint      *lengths,
       guint             n,
       gboolean          normalize,
       float            *out)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (docent_encoder_embed_tokens (model, pool, (const gint32 **) seqs,
                                              lengths, n, normalize, out, &error));
  g_assert_no_error (error);
}

/* ---- tests --------------------------------------------------------------------- */

static const guint test_lengths[] = { 5, 1, 17, 64, 2, 300, 33, 9 };
#define N_TEST_SEQS G_N_ELEMENTS (test_lengths)

static void
check_against_reference (gboolean      nomic,
                         guint         pooling,
                         DocentPooling which)
{
  g_autoptr(Tiny) tiny = tiny_new (nomic, pooling, DOCENT_TYPE_F32, 42);
  g_autoptr(DocentThreadPool) pool = docent_thread_pool_new (2);
  gint32 *seqs[N_TEST_SEQS];
  float out[N_TEST_SEQS * N_EMBD], ref[N_EMBD];

  for (guint s = 0; s < N_TEST_SEQS; s++)
    seqs[s] = make_sequence (test_lengths[s], s);
  embed (tiny->model, pool, seqs, test_lengths, N_TEST_SEQS, FALSE, out);
  for (guint s = 0; s < N_TEST_SEQS; s++)
    {
      ref_embed (tiny, seqs[s], test_lengths[s], which, ref);
      g_assert_cmpfloat (max_diff (out + s * N_EMBD, ref, N_EMBD), <, 1e-4);
      g_free (seqs[s]);
    }
}

static void
test_bert_reference (void)
{
  check_against_reference (FALSE, 1, DOCENT_POOLING_MEAN);
  check_against_reference (FALSE, 2, DOCENT_POOLING_CLS);
  check_against_reference (FALSE, 3, DOCENT_POOLING_LAST);
}

static void
test_nomic_reference (void)
{
  check_against_reference (TRUE, 1, DOCENT_POOLING_MEAN);
  check_against_reference (TRUE, 2, DOCENT_POOLING_CLS);
}

/* A batch gives what each sequence gives alone, in any order, with or
 * without threads (three: more workers than this machine may have
 * cores, so per-worker scratch is exercised beyond two). */
static void
check_batch_independence (gboolean nomic)
{
  g_autoptr(Tiny) tiny = tiny_new (nomic, 1, DOCENT_TYPE_F32, 7);
  g_autoptr(DocentThreadPool) pool = docent_thread_pool_new (3);
  gint32 *seqs[N_TEST_SEQS], *reversed[N_TEST_SEQS];
  guint rev_lengths[N_TEST_SEQS];
  float all[N_TEST_SEQS * N_EMBD], rev[N_TEST_SEQS * N_EMBD], one[N_EMBD];

  for (guint s = 0; s < N_TEST_SEQS; s++)
    {
      seqs[s] = make_sequence (test_lengths[s], s + 3);
      reversed[N_TEST_SEQS - 1 - s] = seqs[s];
      rev_lengths[N_TEST_SEQS - 1 - s] = test_lengths[s];
    }
  embed (tiny->model, pool, seqs, test_lengths, N_TEST_SEQS, TRUE, all);
  embed (tiny->model, NULL, reversed, rev_lengths, N_TEST_SEQS, TRUE, rev);
  for (guint s = 0; s < N_TEST_SEQS; s++)
    {
      embed (tiny->model, pool, &seqs[s], &test_lengths[s], 1, TRUE, one);
      g_assert_cmpfloat (max_diff (all + s * N_EMBD, one, N_EMBD), <, 1e-5);
      g_assert_cmpfloat (max_diff (rev + (N_TEST_SEQS - 1 - s) * N_EMBD, one, N_EMBD), <, 1e-5);
    }
  for (guint s = 0; s < N_TEST_SEQS; s++)
    g_free (seqs[s]);
}

static void
test_batch_independence (void)
{
  check_batch_independence (FALSE);
  check_batch_independence (TRUE);
}

/* More tokens than one internal batch holds: split, same results. */
static void
test_many_sequences (void)
{
  g_autoptr(Tiny) tiny = tiny_new (FALSE, 2, DOCENT_TYPE_F32, 9);
  g_autoptr(DocentThreadPool) pool = docent_thread_pool_new (2);
  enum { N = 150 };
  gint32 *seqs[N];
  guint lengths[N];
  g_autofree float *out = g_new (float, N * N_EMBD);
  float one[N_EMBD];

  for (guint s = 0; s < N; s++)
    {
      lengths[s] = 64 - s % 5;   /* 150 × ~62 tokens: several internal batches */
      seqs[s] = make_sequence (lengths[s], s);
    }
  embed (tiny->model, pool, seqs, lengths, N, FALSE, out);
  for (guint s = 0; s < N; s += 37)
    {
      embed (tiny->model, NULL, &seqs[s], &lengths[s], 1, FALSE, one);
      g_assert_cmpfloat (max_diff (out + s * N_EMBD, one, N_EMBD), <, 1e-5);
    }
  for (guint s = 0; s < N; s++)
    g_free (seqs[s]);
}

/* Same weights, three poolings: equal for a single token, different
 * otherwise; CLS only sees the rest through attention, so it changes
 * when a later token does. */
static void
test_pooling (void)
{
  g_autoptr(Tiny) mean = tiny_new (FALSE, 1, DOCENT_TYPE_F32, 5);
  g_autoptr(Tiny) cls = tiny_new (FALSE, 2, DOCENT_TYPE_F32, 5);
  g_autoptr(Tiny) last = tiny_new (FALSE, 3, DOCENT_TYPE_F32, 5);
  gint32 single[] = { CLS }, *p_single = single;
  guint one = 1, len = 12;
  g_autofree gint32 *seq = make_sequence (len, 1);
  float a[N_EMBD], b[N_EMBD], c[N_EMBD], d[N_EMBD];

  g_assert_cmpint (docent_model_info (mean->model)->pooling, ==, DOCENT_POOLING_MEAN);
  g_assert_cmpint (docent_model_info (cls->model)->pooling, ==, DOCENT_POOLING_CLS);
  g_assert_cmpint (docent_model_info (last->model)->pooling, ==, DOCENT_POOLING_LAST);

  embed (mean->model, NULL, &p_single, &one, 1, FALSE, a);
  embed (cls->model, NULL, &p_single, &one, 1, FALSE, b);
  embed (last->model, NULL, &p_single, &one, 1, FALSE, c);
  g_assert_cmpfloat (max_diff (a, b, N_EMBD), ==, 0);
  g_assert_cmpfloat (max_diff (a, c, N_EMBD), ==, 0);

  embed (mean->model, NULL, &seq, &len, 1, FALSE, a);
  embed (cls->model, NULL, &seq, &len, 1, FALSE, b);
  embed (last->model, NULL, &seq, &len, 1, FALSE, c);
  g_assert_cmpfloat (max_diff (a, b, N_EMBD), >, 1e-3);
  g_assert_cmpfloat (max_diff (a, c, N_EMBD), >, 1e-3);
  g_assert_cmpfloat (max_diff (b, c, N_EMBD), >, 1e-3);

  seq[5] = seq[5] == N_CONTROL ? N_CONTROL + 1 : N_CONTROL;
  embed (cls->model, NULL, &seq, &len, 1, FALSE, d);
  g_assert_cmpfloat (max_diff (b, d, N_EMBD), >, 1e-4);
}

static void
test_normalize (void)
{
  g_autoptr(Tiny) tiny = tiny_new (TRUE, 1, DOCENT_TYPE_F32, 3);
  g_autoptr(DocentThreadPool) pool = docent_thread_pool_new (2);
  g_autoptr(GError) error = NULL;
  const char *texts[] = { "the quick brown fox", "hello world", "the quick brown fox", "" };
  float out[4 * N_EMBD];

  g_assert_true (docent_encoder_embed_texts (tiny->model, pool, texts, 4, out, &error));
  g_assert_no_error (error);
  for (guint s = 0; s < 4; s++)
    {
      double norm = 0;

      for (guint i = 0; i < N_EMBD; i++)
        norm += (double) out[s * N_EMBD + i] * out[s * N_EMBD + i];
      g_assert_cmpfloat (fabs (sqrt (norm) - 1.0), <, 1e-5);
    }
  /* Identical texts, identical vectors; different texts, different ones. */
  g_assert_cmpmem (out, N_EMBD * sizeof (float), out + 2 * N_EMBD, N_EMBD * sizeof (float));
  g_assert_cmpfloat (max_diff (out, out + N_EMBD, N_EMBD), >, 1e-3);
}

/* Texts longer than the context are cut, not refused. */
static void
test_truncate (void)
{
  g_autoptr(Tiny) tiny = tiny_new (FALSE, 2, DOCENT_TYPE_F32, 3);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  const char *texts[1];
  float out[N_EMBD];

  for (guint i = 0; i < 3 * N_CTX; i++)
    g_string_append (text, "dog ");
  texts[0] = text->str;
  g_assert_true (docent_encoder_embed_texts (tiny->model, NULL, texts, 1, out, &error));
  g_assert_no_error (error);
}

static void
test_q8_0_close (void)
{
  g_autoptr(Tiny) f32 = tiny_new (FALSE, 1, DOCENT_TYPE_F32, 11);
  g_autoptr(Tiny) q8 = tiny_new (FALSE, 1, DOCENT_TYPE_Q8_0, 11);
  g_autoptr(Tiny) nf32 = tiny_new (TRUE, 1, DOCENT_TYPE_F32, 11);
  g_autoptr(Tiny) nf16 = tiny_new (TRUE, 1, DOCENT_TYPE_F16, 11);
  gint32 *seqs[N_TEST_SEQS];
  float a[N_TEST_SEQS * N_EMBD], b[N_TEST_SEQS * N_EMBD];

  for (guint s = 0; s < N_TEST_SEQS; s++)
    seqs[s] = make_sequence (test_lengths[s], s);
  embed (f32->model, NULL, seqs, test_lengths, N_TEST_SEQS, TRUE, a);
  embed (q8->model, NULL, seqs, test_lengths, N_TEST_SEQS, TRUE, b);
  for (guint s = 0; s < N_TEST_SEQS; s++)
    g_assert_cmpfloat (cosine (a + s * N_EMBD, b + s * N_EMBD, N_EMBD), >, 0.995);
  embed (nf32->model, NULL, seqs, test_lengths, N_TEST_SEQS, TRUE, a);
  embed (nf16->model, NULL, seqs, test_lengths, N_TEST_SEQS, TRUE, b);
  for (guint s = 0; s < N_TEST_SEQS; s++)
    {
      g_assert_cmpfloat (cosine (a + s * N_EMBD, b + s * N_EMBD, N_EMBD), >, 0.999);
      g_free (seqs[s]);
    }
}

static void
test_errors (void)
{
  g_autoptr(Tiny) tiny = tiny_new (FALSE, 1, DOCENT_TYPE_F32, 1);
  g_autofree gint32 *long_seq = make_sequence (N_CTX + 1, 0);
  gint32 bad[] = { CLS, (gint32) N_VOCAB, SEP }, *p_bad = bad;
  guint long_len = N_CTX + 1, bad_len = 3, zero = 0;
  float out[N_EMBD];
  GError *error = NULL;

  g_assert_false (docent_encoder_embed_tokens (tiny->model, NULL, (const gint32 **) &long_seq,
                                               &long_len, 1, FALSE, out, &error));
  g_assert_error (error, DOCENT_MODEL_ERROR, DOCENT_MODEL_ERROR_CONTEXT_FULL);
  g_clear_error (&error);
  g_assert_false (docent_encoder_embed_tokens (tiny->model, NULL, (const gint32 **) &p_bad,
                                               &bad_len, 1, FALSE, out, &error));
  g_assert_error (error, DOCENT_MODEL_ERROR, DOCENT_MODEL_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (docent_encoder_embed_tokens (tiny->model, NULL, (const gint32 **) &p_bad,
                                               &zero, 1, FALSE, out, &error));
  g_assert_error (error, DOCENT_MODEL_ERROR, DOCENT_MODEL_ERROR_INVALID);
  g_clear_error (&error);
  /* Nothing to do is not an error. */
  g_assert_true (docent_encoder_embed_tokens (tiny->model, NULL, NULL, NULL, 0,
                                              FALSE, NULL, &error));
  g_assert_no_error (error);
}

static void
test_id (void)
{
  g_autoptr(Tiny) mean = tiny_new (FALSE, 1, DOCENT_TYPE_F32, 1);
  g_autoptr(Tiny) cls = tiny_new (FALSE, 2, DOCENT_TYPE_F32, 1);
  g_autofree char *a = docent_encoder_id (mean->model);
  g_autofree char *b = docent_encoder_id (cls->model);

  g_assert_true (g_str_has_suffix (a, ":mean"));
  g_assert_true (g_str_has_suffix (b, ":cls"));
  /* The file's SHA-256 in hex, then the pooling. */
  g_assert_cmpuint (strlen (a), ==, 64 + 5);
  g_assert_cmpint (a[64], ==, ':');
}

/* ---- the conformance kit --------------------------------------------------------- */

static char *
kit_path (const char *dir,
          const char *file)
{
  return g_test_build_filename (G_TEST_DIST, "..", "..", "shared", "conformance", dir, file, NULL);
}

static void
test_conformance (gconstpointer data)
{
  const char *name = data;
  g_autofree char *model_file = g_strconcat (name, ".gguf", NULL);
  g_autofree char *expected_file = g_strconcat (name, ".json", NULL);
  g_autofree char *model_path = kit_path ("models", model_file);
  g_autofree char *expected_path = kit_path ("expected", expected_file);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(DocentModel) model = NULL;
  g_autoptr(DocentThreadPool) pool = docent_thread_pool_new (2);
  g_autoptr(GError) error = NULL;
  JsonArray *cases;
  guint n_embd;

  if (!g_file_test (model_path, G_FILE_TEST_EXISTS)
      || !g_file_test (expected_path, G_FILE_TEST_EXISTS))
    {
      g_test_skip_printf ("%s not found: the conformance kit (../shared/conformance) is not here",
                          model_path);
      return;
    }
  model = docent_model_load (model_path, &error);
  g_assert_no_error (error);
  n_embd = docent_model_info (model)->n_embd;
  g_assert_true (json_parser_load_from_file (parser, expected_path, &error));
  cases = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                        "cases");
  for (guint c = 0; c < json_array_get_length (cases); c++)
    {
      JsonObject *obj = json_array_get_object_element (cases, c);
      JsonArray *prompt = json_object_get_array_member (obj, "prompt");
      JsonArray *expected = json_object_get_array_member (obj, "embedding");
      guint len = json_array_get_length (prompt);
      g_autofree gint32 *ids = g_new (gint32, len);
      g_autofree float *out = g_new (float, n_embd);
      g_autofree float *want = g_new (float, n_embd);

      g_assert_cmpuint (json_array_get_length (expected), ==, n_embd);
      for (guint i = 0; i < len; i++)
        ids[i] = (gint32) json_array_get_int_element (prompt, i);
      for (guint i = 0; i < n_embd; i++)
        want[i] = (float) json_array_get_double_element (expected, i);
      embed (model, pool, &ids, &len, 1, FALSE, out);
      /* The kit's rule: cosine ≥ 1 - tol / 10 (2e-3 for f32, 2e-2 for
       * f16, 6e-2 for quantized weights). */
      g_assert_cmpfloat (cosine (out, want, n_embd), >=,
                         1.0 - (strstr (name, "f32") ? 2e-3 : strstr (name, "f16") ? 2e-2 : 6e-2) / 10);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/encoder/bert/reference", test_bert_reference);
  g_test_add_func ("/encoder/nomic-bert/reference", test_nomic_reference);
  g_test_add_func ("/encoder/batch-independence", test_batch_independence);
  g_test_add_func ("/encoder/many-sequences", test_many_sequences);
  g_test_add_func ("/encoder/pooling", test_pooling);
  g_test_add_func ("/encoder/normalize", test_normalize);
  g_test_add_func ("/encoder/truncate", test_truncate);
  g_test_add_func ("/encoder/quantized-close", test_q8_0_close);
  g_test_add_func ("/encoder/errors", test_errors);
  g_test_add_func ("/encoder/id", test_id);
  g_test_add_data_func ("/encoder/conformance/kit-bert-mean-f32", "kit-bert-mean-f32",
                        test_conformance);
  g_test_add_data_func ("/encoder/conformance/kit-bert-mean-q8_0", "kit-bert-mean-q8_0",
                        test_conformance);
  g_test_add_data_func ("/encoder/conformance/kit-bert-cls-f16", "kit-bert-cls-f16",
                        test_conformance);
  return g_test_run ();
}
