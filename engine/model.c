/* model.c — loading a GGUF model: the architecture and its
 * hyper-parameters from the metadata, the decoder's weights located (and
 * checked for shape) in the mapping, the tokenizer, and the file's
 * SHA-256 as the model's identity. Nothing here computes. */
#include "engine/model.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "engine/dot.h"
#include "engine/quant.h"

G_DEFINE_QUARK (docent-model-error-quark, docent_model_error)

struct _DocentModel {
  gatomicrefcount ref_count;
  char *path;
  DocentGguf *gguf;
  DocentTokenizer *tokenizer;
  DocentModelInfo info;
  char *architecture;
  gboolean is_decoder;
  DocentDecoderWeights decoder;
  GPtrArray *owned;           /* F32 copies of norms and biases */
  GMutex sha_lock;            /* the hash is computed on first use */
  gboolean sha_done;
  char sha256[65];
};

/* ---- metadata ------------------------------------------------------------ */

static char *
arch_key (DocentModel *model,
          const char  *suffix)
{
  return g_strdup_printf ("%s.%s", model->architecture, suffix);
}

/* An optional u32 "<arch>.suffix": the default when absent, an error when
 * present with a wrong type. */
static gboolean
get_u32 (DocentModel  *model,
         const char   *suffix,
         guint32       fallback,
         guint32      *out,
         GError      **error)
{
  g_autofree char *key = arch_key (model, suffix);

  if (!docent_gguf_has_key (model->gguf, key))
    {
      *out = fallback;
      return TRUE;
    }
  return docent_gguf_get_u32 (model->gguf, key, out, error);
}

static gboolean
get_f32 (DocentModel  *model,
         const char   *suffix,
         float         fallback,
         float        *out,
         GError      **error)
{
  g_autofree char *key = arch_key (model, suffix);

  if (!docent_gguf_has_key (model->gguf, key))
    {
      *out = fallback;
      return TRUE;
    }
  return docent_gguf_get_f32 (model->gguf, key, out, error);
}

static gboolean
require_u32 (DocentModel  *model,
             const char   *suffix,
             guint32      *out,
             GError      **error)
{
  g_autofree char *key = arch_key (model, suffix);

  if (!docent_gguf_has_key (model->gguf, key))
    {
      g_set_error (error, DOCENT_MODEL_ERROR, DOCENT_MODEL_ERROR_INVALID,
                   "the model has no %s value", key);
      return FALSE;
    }
  return docent_gguf_get_u32 (model->gguf, key, out, error);
}

static gboolean
arch_is (DocentModel *model,
         const char  *name)
{
  return strcmp (model->architecture, name) == 0;
}

static gboolean
arch_is_gemma (DocentModel *model)
{
  return arch_is (model, "gemma2") || arch_is (model, "gemma3");
}

/* ---- tensors ------------------------------------------------------------- */

static const DocentGgufTensor *
find_tensor (DocentModel *model,
             GError     **error,
             const char  *format,
             ...) G_GNUC_PRINTF (3, 4);

/* The tensor named by the format, or NULL; with `error` non-NULL a missing
 * tensor is an error, else it is just absent. */
static const DocentGgufTensor *
find_tensor (DocentModel *model,
             GError     **error,
             const char  *format,
             ...)
{
  g_autofree char *name = NULL;
  const DocentGgufTensor *t;
  va_list args;

  va_start (args, format);
  name = g_strdup_vprintf (format, args);
  va_end (args);
  t = docent_gguf_find_tensor (model->gguf, name);
  if (t == NULL && error != NULL)
    g_set_error (error, DOCENT_MODEL_ERROR, DOCENT_MODEL_ERROR_INVALID,
                 "the model has no tensor %s", name);
  return t;
}

/* A vector of `n` elements as owned floats. */
static const float *
load_vector (DocentModel             *model,
             const DocentGgufTensor  *t,
             guint                    n,
             GError                 **error)
{
  float *v;

  if (t->n_elements != n)
    {
      g_set_error (error, DOCENT_MODEL_ERROR, DOCENT_MODEL_ERROR_INVALID,
                   "tensor %s has %" G_GUINT64_FORMAT " elements, expected %u",
                   t->name, t->n_elements, n);
      return NULL;
    }
  v = g_new (float, n);
  g_ptr_array_add (model->owned, v);
  if (!docent_dequantize_row (t->type, t->data, v, n, error))
    return NULL;
  return v;
}

/* An optional vector: *out stays NULL when the tensor is absent. */
static gboolean
opt_vector (DocentModel  *model,
            const float **out,
            guint         n,
            const char   *name,
            GError      **error)
{
  const DocentGgufTensor *t = find_tensor (model, NULL, "%s", name);

  *out = NULL;
  if (t == NULL)
    return TRUE;
  *out = load_vector (model, t, n, error);
  return *out != NULL;
}

static gboolean
req_vector (DocentModel  *model,
            const float **out,
            guint         n,
            const char   *name,
            GError      **error)
{
  const DocentGgufTensor *t = find_tensor (model, error, "%s", name);

  *out = NULL;
  if (t == NULL)
    return FALSE;
  *out = load_vector (model, t, n, error);
  return *out != NULL;
}

/* A `rows` x `cols` matrix with a dot kernel for its type. */
static gboolean
matrix_from_tensor (const DocentGgufTensor  *t,
                    guint                    rows,
                    guint                    cols,
                    DocentMatrix            *m,
                    GError                 **error)
{
  guint64 row_bytes;

  if (t->dims[0] != cols || t->n_elements != (guint64) rows * cols)
    {
      g_set_error (error, DOCENT_MODEL_ERROR, DOCENT_MODEL_ERROR_INVALID,
                   "tensor %s is %" G_GUINT64_FORMAT " x %" G_GUINT64_FORMAT
                   ", expected %u x %u (rows x columns)",
                   t->name, t->n_elements / MAX (t->dims[0], 1), t->dims[0], rows, cols);
      return FALSE;
    }
  if (docent_dot_kernel (t->type) == NULL || docent_dequantize_func (t->type) == NULL)
    {
      const char *type = docent_type_name (t->type);

      g_set_error (error, DOCENT_MODEL_ERROR, DOCENT_MODEL_ERROR_UNSUPPORTED,
                   "tensor %s has type %s, which Docent cannot compute with",
                   t->name, type != NULL ? type : "unknown");
      return FALSE;
    }
  if (!docent_type_row_bytes (t->type, cols, &row_bytes, error))
    return FALSE;
  m->type = t->type;
  m->rows = rows;
  m->cols = cols;
  m->row_stride = row_bytes;
  m->data = t->data;
  return TRUE;
}

static gboolean
opt_matrix (DocentModel   *model,
            DocentMatrix  *m,
            guint          rows,
            guint          cols,
            const char    *name,
            GError       **error)
{
  const DocentGgufTensor *t = find_tensor (model, NULL, "%s", name);

  memset (m, 0, sizeof *m);
  if (t == NULL)
    return TRUE;
  return matrix_from_tensor (t, rows, cols, m, error);
}

static gboolean
req_matrix (DocentModel   *model,
            DocentMatrix  *m,
            guint          rows,
            guint          cols,
            const char    *name,
            GError       **error)
{
  const DocentGgufTensor *t = find_tensor (model, error, "%s", name);

  memset (m, 0, sizeof *m);
  if (t == NULL)
    return FALSE;
  return matrix_from_tensor (t, rows, cols, m, error);
}

/* ---- hyper-parameters ---------------------------------------------------- */

static gboolean
load_common_info (DocentModel  *model,
                  GError      **error)
{
  DocentModelInfo *info = &model->info;
  guint32 ctx, embd, layers, heads, heads_kv, ff, key_len;

  if (!get_u32 (model, "context_length", 2048, &ctx, error) ||
      !require_u32 (model, "embedding_length", &embd, error) ||
      !require_u32 (model, "block_count", &layers, error) ||
      !require_u32 (model, "attention.head_count", &heads, error) ||
      !get_u32 (model, "attention.head_count_kv", heads, &heads_kv, error) ||
      !require_u32 (model, "feed_forward_length", &ff, error))
    return FALSE;
  if (embd == 0 || layers == 0 || heads == 0 || heads_kv == 0 || ff == 0 ||
      heads % heads_kv != 0)
    {
      g_set_error (error, DOCENT_MODEL_ERROR, DOCENT_MODEL_ERROR_INVALID,
                   "inconsistent hyper-parameters: %u dimensions, %u layers, "
                   "%u heads, %u key/value heads, %u feed-forward",
                   embd, layers, heads, heads_kv, ff);
      return FALSE;
    }
  if (!get_u32 (model, "attention.key_length", embd / heads, &key_len, error))
    return FALSE;
  if (key_len == 0 || key_len % 2 != 0 || key_len > 1024)
    {
      g_set_error (error, DOCENT_MODEL_ERROR, DOCENT_MODEL_ERROR_INVALID,
                   "unsupported head size %u", key_len);
      return FALSE;
    }
  info->architecture = model->architecture;
  info->n_ctx_train = ctx;
  info->n_embd = embd;
  info->n_layer = layers;
  info->n_head = heads;
  info->n_head_kv = heads_kv;
  info->head_dim = key_len;
  info->n_ff = ff;
  info->n_vocab = (guint) docent_tokenizer_n_vocab (model->tokenizer);
  return TRUE;
}

static gboolean
load_encoder_info (DocentModel  *model,
                   GError      **error)
{
  guint32 pooling;

  model->info.kind = DOCENT_MODEL_ENCODER;
  if (!get_u32 (model, "pooling_type", 0, &pooling, error))
    return FALSE;
  switch (pooling)
    {
    case 1: model->info.pooling = DOCENT_POOLING_MEAN; break;
    case 2: model->info.pooling = DOCENT_POOLING_CLS; break;
    case 3: model->info.pooling = DOCENT_POOLING_LAST; break;
    default: model->info.pooling = DOCENT_POOLING_NONE; break;
    }
  return TRUE;
}

/* Linear position scaling; other schemes (YaRN) are not implemented and
 * are refused rather than run wrongly. */
static gboolean
load_rope_scaling (DocentModel  *model,
                   GError      **error)
{
  g_autofree char *type_key = arch_key (model, "rope.scaling.type");
  g_autofree char *type = NULL;
  float factor;

  model->decoder.rope_scale = 1.0f;
  if (!get_f32 (model, "rope.scaling.factor", 1.0f, &factor, error))
    return FALSE;
  if (docent_gguf_has_key (model->gguf, type_key))
    {
      type = docent_gguf_dup_string (model->gguf, type_key, error);
      if (type == NULL)
        return FALSE;
      if (strcmp (type, "none") == 0)
        return TRUE;
      if (strcmp (type, "linear") != 0)
        {
          g_set_error (error, DOCENT_MODEL_ERROR, DOCENT_MODEL_ERROR_UNSUPPORTED,
                       "rope scaling \"%s\" is not supported", type);
          return FALSE;
        }
    }
  if (factor > 0.0f)
    model->decoder.rope_scale = 1.0f / factor;
  return TRUE;
}

static gboolean
load_decoder_params (DocentModel  *model,
                     GError      **error)
{
  DocentDecoderWeights *d = &model->decoder;
  DocentModelInfo *info = &model->info;
  gboolean gemma2 = arch_is (model, "gemma2");
  gboolean gemma = arch_is_gemma (model);
  guint32 n_rot, n_swa;
  float eps;

  info->kind = DOCENT_MODEL_DECODER;
  info->pooling = DOCENT_POOLING_NONE;
  d->neox = !arch_is (model, "llama");
  d->gelu = gemma;
  d->scale_embd = gemma;
  d->scale_q = gemma || arch_is (model, "phi3");
  if (!get_u32 (model, "rope.dimension_count", info->head_dim, &n_rot, error) ||
      !get_f32 (model, "attention.layer_norm_rms_epsilon", 1e-6f, &eps, error) ||
      !get_u32 (model, "attention.sliding_window", 0, &n_swa, error) ||
      !get_f32 (model, "attn_logit_softcapping", gemma2 ? 50.0f : 0.0f, &d->attn_softcap, error) ||
      !get_f32 (model, "final_logit_softcapping", gemma2 ? 30.0f : 0.0f, &d->final_softcap, error) ||
      !load_rope_scaling (model, error))
    return FALSE;
  if (n_rot == 0 || n_rot > info->head_dim || n_rot % 2 != 0)
    {
      g_set_error (error, DOCENT_MODEL_ERROR, DOCENT_MODEL_ERROR_INVALID,
                   "rope dimension count %u does not fit heads of %u", n_rot, info->head_dim);
      return FALSE;
    }
  d->n_rot = n_rot;
  d->eps = eps;
  d->n_swa = n_swa;
  /* The largest Gemma models scale queries by the model width per head
   * rather than by the head size (query_pre_attn_scalar). */
  if ((gemma2 && info->n_layer == 46) || (arch_is (model, "gemma3") && info->n_layer == 62))
    d->attn_scale = 1.0f / sqrtf ((float) info->n_embd / info->n_head);
  else
    d->attn_scale = 1.0f / sqrtf ((float) info->head_dim);
  return TRUE;
}

/* Which layers attend through a sliding window: gemma2 every other one,
 * gemma3 all but every n-th, phi3 all of them when a window is set. */
static gboolean
layer_is_sliding (DocentModel *model,
                  guint        il,
                  guint        pattern)
{
  if (model->decoder.n_swa == 0)
    return FALSE;
  if (arch_is (model, "gemma2"))
    return il % 2 == 0;
  if (arch_is (model, "gemma3"))
    return pattern > 0 && (il + 1) % pattern != 0;
  return arch_is (model, "phi3");
}

static gboolean
load_layer (DocentModel  *model,
            guint         il,
            GError      **error)
{
  DocentDecoderLayer *l = &model->decoder.layers[il];
  const DocentModelInfo *info = &model->info;
  guint embd = info->n_embd, hd = info->head_dim, ff = info->n_ff;
  guint q_dim = info->n_head * hd, kv_dim = info->n_head_kv * hd;
  g_autofree char *p = g_strdup_printf ("blk.%u.", il);
  g_autofree char *n = NULL;
  const DocentGgufTensor *qkv;

#define NAME(suffix) (g_free (n), n = g_strconcat (p, suffix, NULL))
  if (!req_vector (model, &l->attn_norm, embd, NAME ("attn_norm.weight"), error) ||
      !opt_vector (model, &l->q_bias, q_dim, NAME ("attn_q.bias"), error) ||
      !opt_vector (model, &l->k_bias, kv_dim, NAME ("attn_k.bias"), error) ||
      !opt_vector (model, &l->v_bias, kv_dim, NAME ("attn_v.bias"), error) ||
      !opt_vector (model, &l->q_norm, hd, NAME ("attn_q_norm.weight"), error) ||
      !opt_vector (model, &l->k_norm, hd, NAME ("attn_k_norm.weight"), error) ||
      !opt_vector (model, &l->post_attn_norm, embd, NAME ("post_attention_norm.weight"), error) ||
      !req_vector (model, &l->ffn_norm, embd, NAME ("ffn_norm.weight"), error) ||
      !opt_vector (model, &l->post_ffn_norm, embd, NAME ("post_ffw_norm.weight"), error))
    return FALSE;

  qkv = find_tensor (model, NULL, "%sattn_qkv.weight", p);
  if (qkv != NULL)
    {
      if (!matrix_from_tensor (qkv, q_dim + 2 * kv_dim, embd, &l->wqkv, error))
        return FALSE;
    }
  else if (!req_matrix (model, &l->wq, q_dim, embd, NAME ("attn_q.weight"), error) ||
           !req_matrix (model, &l->wk, kv_dim, embd, NAME ("attn_k.weight"), error) ||
           !req_matrix (model, &l->wv, kv_dim, embd, NAME ("attn_v.weight"), error))
    return FALSE;
  if (!req_matrix (model, &l->wo, embd, q_dim, NAME ("attn_output.weight"), error) ||
      !opt_matrix (model, &l->w_gate, ff, embd, NAME ("ffn_gate.weight"), error) ||
      !req_matrix (model, &l->w_down, embd, ff, NAME ("ffn_down.weight"), error))
    return FALSE;
  /* Without a gate tensor the up projection holds gate and up (phi3). */
  if (!req_matrix (model, &l->w_up, l->w_gate.data != NULL ? ff : 2 * ff, embd,
                   NAME ("ffn_up.weight"), error))
    return FALSE;
#undef NAME
  return TRUE;
}

static gboolean
load_layers (DocentModel  *model,
             GError      **error)
{
  DocentDecoderWeights *d = &model->decoder;
  guint n_layer = model->info.n_layer;
  gboolean gemma3 = arch_is (model, "gemma3");
  guint32 pattern;
  float base, base_swa;

  if (!get_f32 (model, "rope.freq_base", 10000.0f, &base, error) ||
      !get_f32 (model, "rope.freq_base_swa", gemma3 ? 10000.0f : base, &base_swa, error) ||
      !get_u32 (model, "attention.sliding_window_pattern", gemma3 ? 6 : 0, &pattern, error))
    return FALSE;
  d->layers = g_new0 (DocentDecoderLayer, n_layer);
  for (guint il = 0; il < n_layer; il++)
    {
      if (!load_layer (model, il, error))
        return FALSE;
      d->layers[il].sliding = layer_is_sliding (model, il, pattern);
      d->layers[il].rope_base = d->layers[il].sliding ? base_swa : base;
    }
  return TRUE;
}

static gboolean
load_decoder_weights (DocentModel  *model,
                      GError      **error)
{
  DocentDecoderWeights *d = &model->decoder;
  guint embd = model->info.n_embd, vocab = model->info.n_vocab;
  const DocentGgufTensor *embd_t = find_tensor (model, error, "token_embd.weight");
  const DocentGgufTensor *freqs;

  if (embd_t == NULL)
    return FALSE;
  /* The embedding's row count is the real vocabulary size (the
   * tokenizer may list fewer, never more, tokens). */
  if (embd_t->dims[0] == embd && embd_t->n_elements / embd >= vocab)
    model->info.n_vocab = vocab = (guint) (embd_t->n_elements / embd);
  if (!matrix_from_tensor (embd_t, vocab, embd, &d->token_embd, error) ||
      !req_vector (model, &d->output_norm, embd, "output_norm.weight", error) ||
      !opt_matrix (model, &d->output, vocab, embd, "output.weight", error))
    return FALSE;
  if (d->output.data == NULL)
    d->output = d->token_embd;
  freqs = find_tensor (model, NULL, "rope_freqs.weight");
  if (freqs != NULL && (d->rope_factors = load_vector (model, freqs, d->n_rot / 2, error)) == NULL)
    return FALSE;
  return load_layers (model, error);
}

static gboolean
is_decoder_arch (const char *arch)
{
  static const char *const names[] = { "llama", "qwen2", "qwen3", "phi3", "gemma2", "gemma3" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (strcmp (arch, names[i]) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
is_encoder_arch (const char *arch)
{
  return strcmp (arch, "bert") == 0 || strcmp (arch, "nomic-bert") == 0;
}

static gboolean
load_model (DocentModel  *model,
            GError      **error)
{
  model->gguf = docent_gguf_open (model->path, error);
  if (model->gguf == NULL)
    return FALSE;
  model->architecture = docent_gguf_dup_string (model->gguf, "general.architecture", error);
  if (model->architecture == NULL)
    return FALSE;
  model->is_decoder = is_decoder_arch (model->architecture);
  if (!model->is_decoder && !is_encoder_arch (model->architecture))
    {
      g_set_error (error, DOCENT_MODEL_ERROR, DOCENT_MODEL_ERROR_UNSUPPORTED,
                   "architecture \"%s\" is not supported (decoders: llama, qwen2, qwen3, "
                   "phi3, gemma2, gemma3; encoders: bert, nomic-bert)", model->architecture);
      return FALSE;
    }
  model->tokenizer = docent_tokenizer_new_from_gguf (model->gguf, error);
  if (model->tokenizer == NULL || !load_common_info (model, error))
    return FALSE;
  if (!model->is_decoder)
    return load_encoder_info (model, error);
  return load_decoder_params (model, error) && load_decoder_weights (model, error);
}

DocentModel *
docent_model_load (const char  *path,
                   GError     **error)
{
  DocentModel *model;
  GError *local = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  model = g_new0 (DocentModel, 1);
  g_atomic_ref_count_init (&model->ref_count);
  g_mutex_init (&model->sha_lock);
  model->path = g_strdup (path);
  model->owned = g_ptr_array_new_with_free_func (g_free);
  if (!load_model (model, &local))
    {
      g_propagate_prefixed_error (error, local, "%s: ", path);
      docent_model_unref (model);
      return NULL;
    }
  return model;
}

DocentModel *
docent_model_ref (DocentModel *model)
{
  g_return_val_if_fail (model != NULL, NULL);
  g_atomic_ref_count_inc (&model->ref_count);
  return model;
}

void
docent_model_unref (DocentModel *model)
{
  if (model == NULL || !g_atomic_ref_count_dec (&model->ref_count))
    return;
  g_clear_pointer (&model->tokenizer, docent_tokenizer_unref);
  g_clear_pointer (&model->gguf, docent_gguf_unref);
  g_ptr_array_unref (model->owned);
  g_free (model->decoder.layers);
  g_free (model->architecture);
  g_free (model->path);
  g_mutex_clear (&model->sha_lock);
  g_free (model);
}

/* Hashing reads the whole file (about 1 s for 500 MB), so it is done on
 * the first call rather than at load time. */
static void
compute_sha256 (DocentModel *model)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  const guint8 *bytes;
  gsize size, at = 0;

  bytes = docent_gguf_bytes (model->gguf, &size);
  while (at < size)
    {
      gsize piece = MIN (size - at, (gsize) 1 << 30);

      g_checksum_update (sum, bytes + at, (gssize) piece);
      at += piece;
    }
  g_strlcpy (model->sha256, g_checksum_get_string (sum), sizeof model->sha256);
}

const DocentModelInfo *
docent_model_info (DocentModel *model)
{
  g_return_val_if_fail (model != NULL, NULL);
  return &model->info;
}

/* The first call hashes the file (see compute_sha256). */
const char *
docent_model_sha256 (DocentModel *model)
{
  g_return_val_if_fail (model != NULL, NULL);
  g_mutex_lock (&model->sha_lock);
  if (!model->sha_done)
    {
      compute_sha256 (model);
      model->sha_done = TRUE;
    }
  g_mutex_unlock (&model->sha_lock);
  return model->sha256;
}

DocentTokenizer *
docent_model_tokenizer (DocentModel *model)
{
  g_return_val_if_fail (model != NULL, NULL);
  return model->tokenizer;
}

DocentGguf *
docent_model_gguf (DocentModel *model)
{
  g_return_val_if_fail (model != NULL, NULL);
  return model->gguf;
}

const DocentDecoderWeights *
docent_model_decoder (DocentModel *model)
{
  g_return_val_if_fail (model != NULL, NULL);
  return model->is_decoder ? &model->decoder : NULL;
}

const char *
docent_model_path (DocentModel *model)
{
  g_return_val_if_fail (model != NULL, NULL);
  return model->path;
}

const char *
docent_pooling_name (DocentPooling pooling)
{
  switch (pooling)
    {
    case DOCENT_POOLING_MEAN: return "mean";
    case DOCENT_POOLING_CLS: return "cls";
    case DOCENT_POOLING_LAST: return "last";
    case DOCENT_POOLING_NONE:
    default: return "none";
    }
}
