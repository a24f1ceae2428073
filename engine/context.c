/* context.c — a decoding session: the KV cache, the activation buffers
 * and the forward pass of every decoder architecture (llama, qwen2,
 * qwen3, phi3, gemma2, gemma3) as one loop over layers whose steps are
 * switched on by the weights the model has (biases, Q/K norms, fused
 * projections, post-norms) and by a few flags (rope layout, GeGLU,
 * embedding scale, soft-capping, sliding windows).
 *
 * A batch of tokens goes through every weight matrix at once
 * (docent_matmul); a single token uses docent_matvec. Buffers are sized
 * once for min (UBATCH, n_ctx) tokens; longer batches run in slices.
 * The cache holds keys and values in half precision, as the reference
 * implementation does by default (half the memory of floats). */
#include "engine/context.h"

#include <gio/gio.h>
#include <math.h>
#include <string.h>

#include "engine/ops.h"
#include "engine/quant.h"

/* Tokens per forward slice: bounds the activation buffers (about
 * UBATCH x (4 n_embd + 3 n_ff) floats) while keeping matrices busy. */
#define UBATCH 512
#define DEFAULT_MAX_CTX 4096

struct _DocentContext {
  DocentModel *model;
  const DocentModelInfo *info;
  const DocentDecoderWeights *w;
  DocentThreadPool *pool;             /* borrowed, may be NULL */
  DocentMatmulScratch *scratch;
  guint n_threads;
  guint n_ctx;
  guint n_batch;                      /* tokens per forward slice */
  guint n_past;
  guint q_dim, kv_dim;
  guint group;                        /* query heads per KV head */

  /* [n_layer][n_ctx][kv_dim], half precision as the reference keeps it */
  guint16 *k_cache;
  guint16 *v_cache;

  /* Activations of one slice, n_batch rows each. */
  float *x;        /* residual stream, n_embd */
  float *xb;       /* normalised input of a block, n_embd */
  float *q;        /* q_dim */
  float *k;        /* kv_dim */
  float *v;        /* kv_dim */
  float *qkv;      /* fused projection output, q_dim + 2 kv_dim */
  float *att;      /* attention output, q_dim */
  float *proj;     /* a block's output before the residual add, n_embd */
  float *gate;     /* n_ff (2 n_ff for fused gate+up) */
  float *up;       /* n_ff */
  float *rope_cs;  /* n_batch x n_rot: cos/sin per token */
  float rope_cs_base;
  guint rope_cs_pos;
  guint rope_cs_n;
  float *scores;   /* per worker, group x n_ctx (group: heads per KV head) */
  float *work;     /* per worker, DOCENT_ATTENTION_WORK (group, head_dim) */

  float *logits;
  gsize logits_cap;   /* floats */
  guint n_logits;     /* rows held */
  guint n_last;       /* tokens of the last eval */
  gboolean all_logits;
};

static float *
alloc_floats (gsize n)
{
  return g_malloc_n (MAX (n, 1), sizeof (float));
}

DocentContext *
docent_context_new (DocentModel       *model,
                    guint              n_ctx,
                    DocentThreadPool  *pool,
                    GError           **error)
{
  const DocentDecoderWeights *w;
  const DocentModelInfo *info;
  DocentContext *ctx;
  gsize kv_size;

  g_return_val_if_fail (model != NULL, NULL);
  w = docent_model_decoder (model);
  info = docent_model_info (model);
  if (w == NULL)
    {
      g_set_error (error, DOCENT_MODEL_ERROR, DOCENT_MODEL_ERROR_UNSUPPORTED,
                   "a %s model embeds text; it cannot generate", info->architecture);
      return NULL;
    }
  if (n_ctx == 0)
    n_ctx = MIN (info->n_ctx_train > 0 ? info->n_ctx_train : DEFAULT_MAX_CTX, DEFAULT_MAX_CTX);

  ctx = g_new0 (DocentContext, 1);
  ctx->model = docent_model_ref (model);
  ctx->info = info;
  ctx->w = w;
  ctx->pool = pool;
  ctx->n_threads = pool != NULL ? docent_thread_pool_size (pool) : 1;
  ctx->scratch = docent_matmul_scratch_new ();
  ctx->n_ctx = n_ctx;
  ctx->n_batch = MIN (UBATCH, n_ctx);
  ctx->q_dim = info->n_head * info->head_dim;
  ctx->kv_dim = info->n_head_kv * info->head_dim;

  kv_size = (gsize) info->n_layer * n_ctx * ctx->kv_dim;
  ctx->k_cache = g_try_malloc0_n (kv_size, sizeof (guint16));
  ctx->v_cache = g_try_malloc0_n (kv_size, sizeof (guint16));
  if (ctx->k_cache == NULL || ctx->v_cache == NULL)
    {
      g_set_error (error, DOCENT_MODEL_ERROR, DOCENT_MODEL_ERROR_CONTEXT_FULL,
                   "not enough memory for a context of %u tokens (%" G_GSIZE_FORMAT " MiB)",
                   n_ctx, 2 * kv_size * sizeof (guint16) >> 20);
      docent_context_free (ctx);
      return NULL;
    }

  ctx->x = alloc_floats ((gsize) ctx->n_batch * info->n_embd);
  ctx->xb = alloc_floats ((gsize) ctx->n_batch * info->n_embd);
  ctx->proj = alloc_floats ((gsize) ctx->n_batch * info->n_embd);
  ctx->q = alloc_floats ((gsize) ctx->n_batch * ctx->q_dim);
  ctx->att = alloc_floats ((gsize) ctx->n_batch * ctx->q_dim);
  ctx->k = alloc_floats ((gsize) ctx->n_batch * ctx->kv_dim);
  ctx->v = alloc_floats ((gsize) ctx->n_batch * ctx->kv_dim);
  ctx->qkv = alloc_floats ((gsize) ctx->n_batch * (ctx->q_dim + 2 * ctx->kv_dim));
  ctx->gate = alloc_floats ((gsize) ctx->n_batch * 2 * info->n_ff);
  ctx->up = alloc_floats ((gsize) ctx->n_batch * info->n_ff);
  ctx->rope_cs = alloc_floats ((gsize) ctx->n_batch * w->n_rot);
  ctx->group = info->n_head / info->n_head_kv;
  ctx->scores = alloc_floats ((gsize) ctx->n_threads * ctx->group * n_ctx);
  ctx->work = alloc_floats (ctx->n_threads * DOCENT_ATTENTION_WORK (ctx->group, info->head_dim));
  return ctx;
}

void
docent_context_free (DocentContext *ctx)
{
  if (ctx == NULL)
    return;
  g_free (ctx->k_cache);
  g_free (ctx->v_cache);
  g_free (ctx->x);
  g_free (ctx->xb);
  g_free (ctx->proj);
  g_free (ctx->q);
  g_free (ctx->att);
  g_free (ctx->k);
  g_free (ctx->v);
  g_free (ctx->qkv);
  g_free (ctx->gate);
  g_free (ctx->up);
  g_free (ctx->rope_cs);
  g_free (ctx->scores);
  g_free (ctx->work);
  g_free (ctx->logits);
  docent_matmul_scratch_free (ctx->scratch);
  docent_model_unref (ctx->model);
  g_free (ctx);
}

DocentModel *
docent_context_model (DocentContext *ctx)
{
  g_return_val_if_fail (ctx != NULL, NULL);
  return ctx->model;
}

guint
docent_context_n_ctx (DocentContext *ctx)
{
  g_return_val_if_fail (ctx != NULL, 0);
  return ctx->n_ctx;
}

guint
docent_context_n_past (DocentContext *ctx)
{
  g_return_val_if_fail (ctx != NULL, 0);
  return ctx->n_past;
}

void
docent_context_truncate (DocentContext *ctx,
                         guint          n_past)
{
  g_return_if_fail (ctx != NULL);
  /* Cache rows past n_past are simply overwritten by the next eval. */
  ctx->n_past = MIN (n_past, ctx->n_past);
}

/* ---- steps of the forward pass ------------------------------------------ */

/* y (m rows) = W x (m rows): one vector or a batch. */
static gboolean
project (DocentContext       *ctx,
         const DocentMatrix  *w,
         const float         *x,
         guint                m,
         float               *y,
         GError             **error)
{
  if (m == 1)
    return docent_matvec (ctx->pool, ctx->scratch, w, x, y, error);
  return docent_matmul (ctx->pool, ctx->scratch, w, x, m, y, error);
}

static void
embed (DocentContext *ctx,
       const gint32  *tokens,
       guint          m)
{
  const DocentMatrix *e = &ctx->w->token_embd;
  DocentDequantizeFunc dequantize = docent_dequantize_func (e->type);
  guint d = ctx->info->n_embd;
  float scale = sqrtf ((float) d);

  for (guint i = 0; i < m; i++)
    {
      float *row = ctx->x + (gsize) i * d;

      dequantize ((const guint8 *) e->data + (gsize) tokens[i] * e->row_stride, row, d);
      if (ctx->w->scale_embd)
        for (guint j = 0; j < d; j++)
          row[j] *= scale;
    }
}

static void
norm_rows (DocentContext *ctx,
           float         *out,
           const float   *x,
           const float   *weight,
           guint          m,
           guint          n)
{
  for (guint i = 0; i < m; i++)
    docent_rmsnorm (out + (gsize) i * n, x + (gsize) i * n, weight, n, ctx->w->eps);
}

static void
add_bias (float       *y,
          const float *bias,
          guint        m,
          guint        n)
{
  if (bias == NULL)
    return;
  for (guint i = 0; i < m; i++)
    for (guint j = 0; j < n; j++)
      y[(gsize) i * n + j] += bias[j];
}

/* Splits the rows of a fused q|k|v projection. */
static void
split_qkv (DocentContext *ctx,
           guint          m)
{
  gsize row = ctx->q_dim + 2 * ctx->kv_dim;

  for (guint i = 0; i < m; i++)
    {
      const float *src = ctx->qkv + i * row;

      memcpy (ctx->q + (gsize) i * ctx->q_dim, src, ctx->q_dim * sizeof (float));
      memcpy (ctx->k + (gsize) i * ctx->kv_dim, src + ctx->q_dim, ctx->kv_dim * sizeof (float));
      memcpy (ctx->v + (gsize) i * ctx->kv_dim, src + ctx->q_dim + ctx->kv_dim,
              ctx->kv_dim * sizeof (float));
    }
}

static gboolean
qkv_projections (DocentContext             *ctx,
                 const DocentDecoderLayer  *l,
                 guint                      m,
                 GError                   **error)
{
  if (l->wqkv.data != NULL)
    {
      if (!project (ctx, &l->wqkv, ctx->xb, m, ctx->qkv, error))
        return FALSE;
      split_qkv (ctx, m);
    }
  else if (!project (ctx, &l->wq, ctx->xb, m, ctx->q, error) ||
           !project (ctx, &l->wk, ctx->xb, m, ctx->k, error) ||
           !project (ctx, &l->wv, ctx->xb, m, ctx->v, error))
    return FALSE;
  add_bias (ctx->q, l->q_bias, m, ctx->q_dim);
  add_bias (ctx->k, l->k_bias, m, ctx->kv_dim);
  add_bias (ctx->v, l->v_bias, m, ctx->kv_dim);
  return TRUE;
}

/* The cos/sin tables for positions pos0 .. pos0 + m - 1 at one base;
 * kept while layers share the base. */
static void
rope_tables (DocentContext *ctx,
             float          base,
             guint          pos0,
             guint          m)
{
  const DocentDecoderWeights *w = ctx->w;

  if (ctx->rope_cs_n == m && ctx->rope_cs_pos == pos0 && ctx->rope_cs_base == base)
    return;
  for (guint i = 0; i < m; i++)
    docent_rope_angles (ctx->rope_cs + (gsize) i * w->n_rot, pos0 + i, w->n_rot, base,
                        w->rope_scale, w->rope_factors);
  ctx->rope_cs_n = m;
  ctx->rope_cs_pos = pos0;
  ctx->rope_cs_base = base;
}

/* Per-head Q/K norms (qwen3, gemma3), then rotary embedding. */
static void
position_qk (DocentContext            *ctx,
             const DocentDecoderLayer *l,
             guint                     pos0,
             guint                     m)
{
  const DocentModelInfo *info = ctx->info;
  guint hd = info->head_dim;

  if (l->q_norm != NULL)
    norm_rows (ctx, ctx->q, ctx->q, l->q_norm, m * info->n_head, hd);
  if (l->k_norm != NULL)
    norm_rows (ctx, ctx->k, ctx->k, l->k_norm, m * info->n_head_kv, hd);
  rope_tables (ctx, l->rope_base, pos0, m);
  for (guint i = 0; i < m; i++)
    {
      const float *cs = ctx->rope_cs + (gsize) i * ctx->w->n_rot;

      docent_rope_apply (ctx->q + (gsize) i * ctx->q_dim, info->n_head, hd, ctx->w->n_rot,
                         cs, ctx->w->neox);
      docent_rope_apply (ctx->k + (gsize) i * ctx->kv_dim, info->n_head_kv, hd, ctx->w->n_rot,
                         cs, ctx->w->neox);
    }
}

static void
store_kv (DocentContext *ctx,
          guint          layer,
          guint          pos0,
          guint          m)
{
  gsize at = ((gsize) layer * ctx->n_ctx + pos0) * ctx->kv_dim;
  gsize n = (gsize) m * ctx->kv_dim;

  for (gsize i = 0; i < n; i++)
    {
      ctx->k_cache[at + i] = docent_fp32_to_fp16 (ctx->k[i]);
      ctx->v_cache[at + i] = docent_fp32_to_fp16 (ctx->v[i]);
    }
}

typedef struct {
  DocentContext *ctx;
  const DocentDecoderLayer *layer;
  const guint16 *k_cache;   /* this layer's */
  const guint16 *v_cache;
  guint pos0;
} AttentionJob;

/* Pool callback: items are (token, KV head) pairs, token-major; each
 * runs the group of query heads that share the KV head. */
static void
attention_items (gpointer data,
                 guint    first,
                 guint    last,
                 guint    worker)
{
  AttentionJob *job = data;
  DocentContext *ctx = job->ctx;
  const DocentModelInfo *info = ctx->info;
  guint hd = info->head_dim, group = ctx->group;
  float *scores = ctx->scores + (gsize) worker * group * ctx->n_ctx;
  float *work = ctx->work + worker * DOCENT_ATTENTION_WORK (group, hd);
  float q_scale = ctx->w->scale_q ? ctx->w->attn_scale : 1.0f;
  float kq_scale = ctx->w->scale_q ? 1.0f : ctx->w->attn_scale;

  for (guint item = first; item < last; item++)
    {
      guint i = item / info->n_head_kv, g = item % info->n_head_kv;
      guint pos = job->pos0 + i, begin = 0;
      gsize q_off = (gsize) i * ctx->q_dim + (gsize) g * group * hd;
      gsize kv_off = (gsize) g * hd;

      if (job->layer->sliding && pos + 1 > ctx->w->n_swa)
        begin = pos + 1 - ctx->w->n_swa;
      docent_attention_group (ctx->att + q_off, ctx->q + q_off, group,
                              job->k_cache + kv_off, job->v_cache + kv_off, ctx->kv_dim,
                              hd, begin, pos + 1, q_scale, kq_scale, ctx->w->attn_softcap,
                              scores, work);
    }
}

static void
attention (DocentContext            *ctx,
           const DocentDecoderLayer *l,
           guint                     layer,
           guint                     pos0,
           guint                     m)
{
  gsize off = (gsize) layer * ctx->n_ctx * ctx->kv_dim;
  AttentionJob job = { ctx, l, ctx->k_cache + off, ctx->v_cache + off, pos0 };
  guint n_items = m * ctx->info->n_head_kv;

  if (ctx->pool == NULL)
    attention_items (&job, 0, n_items, 0);
  else
    docent_thread_pool_run (ctx->pool, n_items, 1, attention_items, &job);
}

static void
add_rows (float       *x,
          const float *y,
          gsize        n)
{
  for (gsize i = 0; i < n; i++)
    x[i] += y[i];
}

static gboolean
attention_block (DocentContext             *ctx,
                 const DocentDecoderLayer  *l,
                 guint                      layer,
                 guint                      pos0,
                 guint                      m,
                 GError                   **error)
{
  guint d = ctx->info->n_embd;

  norm_rows (ctx, ctx->xb, ctx->x, l->attn_norm, m, d);
  if (!qkv_projections (ctx, l, m, error))
    return FALSE;
  position_qk (ctx, l, pos0, m);
  store_kv (ctx, layer, pos0, m);
  attention (ctx, l, layer, pos0, m);
  if (!project (ctx, &l->wo, ctx->att, m, ctx->proj, error))
    return FALSE;
  if (l->post_attn_norm != NULL)
    norm_rows (ctx, ctx->proj, ctx->proj, l->post_attn_norm, m, d);
  add_rows (ctx->x, ctx->proj, (gsize) m * d);
  return TRUE;
}

typedef struct {
  float *gate;
  const float *up;
  gsize gate_stride;        /* floats between rows of gate */
  gsize up_stride;
  guint n_ff;
  gboolean gelu;
} ActivationJob;

/* Pool callback over rows: gate = act (gate) * up, packed to n_ff
 * floats per row in place (row i's output never overtakes its input). */
static void
activation_rows (gpointer data,
                 guint    first,
                 guint    last,
                 guint    worker)
{
  ActivationJob *job = data;

  for (guint i = first; i < last; i++)
    {
      float *g = job->gate + i * job->gate_stride;
      const float *u = job->up + i * job->up_stride;

      if (job->gelu)
        docent_geglu (g, u, job->n_ff);
      else
        docent_swiglu (g, u, job->n_ff);
    }
}

/* The result stays in ctx->gate, n_ff per row; with a fused gate+up
 * projection row i holds gate then up (2 n_ff) and the result goes to
 * ctx->up instead. */
static void
activate (DocentContext *ctx,
          gboolean       fused,
          guint          m)
{
  guint ff = ctx->info->n_ff;
  ActivationJob job = { ctx->gate, ctx->up, ff, ff, ff, ctx->w->gelu };

  if (fused)
    {
      job.gate_stride = job.up_stride = 2 * (gsize) ff;
      job.up = ctx->gate + ff;
    }
  if (ctx->pool == NULL || m < 4)
    activation_rows (&job, 0, m, 0);
  else
    docent_thread_pool_run (ctx->pool, m, 1, activation_rows, &job);
  if (fused)
    for (guint i = 0; i < m; i++)
      memcpy (ctx->up + (gsize) i * ff, ctx->gate + (gsize) i * 2 * ff, ff * sizeof (float));
}

static gboolean
ffn_block (DocentContext             *ctx,
           const DocentDecoderLayer  *l,
           guint                      m,
           GError                   **error)
{
  guint d = ctx->info->n_embd;
  gboolean fused = l->w_gate.data == NULL;

  norm_rows (ctx, ctx->xb, ctx->x, l->ffn_norm, m, d);
  if (fused)
    {
      if (!project (ctx, &l->w_up, ctx->xb, m, ctx->gate, error))
        return FALSE;
    }
  else if (!project (ctx, &l->w_gate, ctx->xb, m, ctx->gate, error) ||
           !project (ctx, &l->w_up, ctx->xb, m, ctx->up, error))
    return FALSE;
  activate (ctx, fused, m);
  if (!project (ctx, &l->w_down, fused ? ctx->up : ctx->gate, m, ctx->proj, error))
    return FALSE;
  if (l->post_ffn_norm != NULL)
    norm_rows (ctx, ctx->proj, ctx->proj, l->post_ffn_norm, m, d);
  add_rows (ctx->x, ctx->proj, (gsize) m * d);
  return TRUE;
}

/* Final norm and output projection of rows [first, m) into `out`. */
static gboolean
output_logits (DocentContext  *ctx,
               guint           first,
               guint           m,
               float          *out,
               GError        **error)
{
  const DocentDecoderWeights *w = ctx->w;
  guint d = ctx->info->n_embd, n = m - first;
  gsize n_vocab = w->output.rows;

  norm_rows (ctx, ctx->xb, ctx->x + (gsize) first * d, w->output_norm, n, d);
  if (!project (ctx, &w->output, ctx->xb, n, out, error))
    return FALSE;
  if (w->final_softcap > 0.0f)
    docent_softcap (out, (guint) (n * n_vocab), w->final_softcap);
  return TRUE;
}

static gboolean
check_cancelled (GCancellable  *cancellable,
                 GError       **error)
{
  return cancellable != NULL && g_cancellable_set_error_if_cancelled (cancellable, error);
}

/* One slice of at most n_batch tokens at positions n_past ... */
static gboolean
forward (DocentContext  *ctx,
         const gint32   *tokens,
         guint           m,
         float          *logits,
         gboolean        all_logits,
         GCancellable   *cancellable,
         GError        **error)
{
  guint pos0 = ctx->n_past;

  embed (ctx, tokens, m);
  for (guint il = 0; il < ctx->info->n_layer; il++)
    {
      const DocentDecoderLayer *l = &ctx->w->layers[il];

      if (check_cancelled (cancellable, error) ||
          !attention_block (ctx, l, il, pos0, m, error) ||
          !ffn_block (ctx, l, m, error))
        return FALSE;
    }
  if (logits != NULL && !output_logits (ctx, all_logits ? 0 : m - 1, m, logits, error))
    return FALSE;
  ctx->n_past += m;
  return TRUE;
}

static gboolean
check_tokens (DocentContext  *ctx,
              const gint32   *tokens,
              guint           n,
              GError        **error)
{
  guint n_vocab = ctx->w->token_embd.rows;

  if (n > ctx->n_ctx - ctx->n_past)
    {
      g_set_error (error, DOCENT_MODEL_ERROR, DOCENT_MODEL_ERROR_CONTEXT_FULL,
                   "%u more tokens do not fit in the context (%u of %u tokens used)",
                   n, ctx->n_past, ctx->n_ctx);
      return FALSE;
    }
  for (guint i = 0; i < n; i++)
    if (tokens[i] < 0 || (guint) tokens[i] >= n_vocab)
      {
        g_set_error (error, DOCENT_MODEL_ERROR, DOCENT_MODEL_ERROR_INVALID,
                     "token id %d is outside the vocabulary (%u tokens)", tokens[i], n_vocab);
        return FALSE;
      }
  return TRUE;
}

static void
reserve_logits (DocentContext *ctx,
                guint          rows)
{
  gsize need = (gsize) rows * ctx->w->output.rows;

  if (ctx->logits_cap < need)
    {
      g_free (ctx->logits);
      ctx->logits = alloc_floats (need);
      ctx->logits_cap = need;
    }
}

gboolean
docent_context_eval (DocentContext  *ctx,
                     const gint32   *tokens,
                     guint           n,
                     gboolean        all_logits,
                     GCancellable   *cancellable,
                     GError        **error)
{
  guint start;
  gsize n_vocab;

  g_return_val_if_fail (ctx != NULL, FALSE);
  g_return_val_if_fail (tokens != NULL || n == 0, FALSE);
  if (n == 0)
    return TRUE;
  if (!check_tokens (ctx, tokens, n, error))
    return FALSE;
  start = ctx->n_past;
  n_vocab = ctx->w->output.rows;
  reserve_logits (ctx, all_logits ? n : 1);
  for (guint off = 0; off < n; off += ctx->n_batch)
    {
      guint m = MIN (ctx->n_batch, n - off);
      gboolean last = off + m == n;
      float *out = all_logits ? ctx->logits + off * n_vocab : last ? ctx->logits : NULL;

      if (!forward (ctx, tokens + off, m, out, all_logits, cancellable, error))
        {
          ctx->n_past = start;
          ctx->n_logits = 0;
          return FALSE;
        }
    }
  ctx->n_last = n;
  ctx->all_logits = all_logits;
  ctx->n_logits = all_logits ? n : 1;
  return TRUE;
}

const float *
docent_context_logits (DocentContext *ctx,
                       guint          i)
{
  g_return_val_if_fail (ctx != NULL, NULL);
  g_return_val_if_fail (ctx->n_logits > 0 && i < ctx->n_last, NULL);
  if (ctx->all_logits)
    return ctx->logits + (gsize) i * ctx->w->output.rows;
  g_return_val_if_fail (i == ctx->n_last - 1, NULL);
  return ctx->logits;
}
