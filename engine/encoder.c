/* encoder.c — the forward pass of encoder models (bert, nomic-bert) and
 * pooling into embeddings.
 *
 * Sequences are packed back to back into one batch of token rows, so every
 * weight matrix is multiplied once per batch (docent_matmul); attention is
 * the only step that looks across rows, and it runs per sequence and head,
 * so sequences never see each other and no padding is needed.
 *
 *   bert:       x = LN (tok + pos + type)
 *               x = LN (x + O (attn (Q x, K x, V x)))
 *               x = LN (x + Down (gelu (Up x)))
 *   nomic-bert: x = LN (tok + type)
 *               x = LN (x + O (attn (rope (Q x), rope (K x), V x)))  Q,K,V fused
 *               x = LN (x + Down (silu (Gate x) * Up x))
 *
 * then the rows of each sequence are pooled (mean, first = CLS, or last, as
 * <arch>.pooling_type says; a file without pooling gets the mean). The
 * matrix products are docent_matmul's; the per-row steps (GELU, SiLU,
 * softmax, LayerNorm) have AVX2 versions here because, one expf at a time,
 * they took a quarter of the time.
 */
#include "engine/encoder.h"

#include <math.h>
#include <string.h>

#if defined (__x86_64__) || defined (__i386__)
#include <immintrin.h>
#define HAVE_X86 1
#endif

#include "engine/cpu.h"
#include "engine/dot.h"
#include "engine/matmul.h"
#include "engine/ops.h"
#include "engine/quant.h"

/* Tokens per batch: enough rows that each weight row read is used many
 * times, few enough that the activations (about 12 floats per model
 * dimension per token) stay in the caches between steps. Measured on
 * bge-small: 256 to 1024 run about 20% faster than 4096 or 8192. */
#define BATCH_TOKENS 1024

typedef enum {
  ARCH_BERT,
  ARCH_NOMIC_BERT,
} EncoderArch;

/* The row functions for this CPU, chosen once per call of the encoder;
 * DOCENT_KERNELS=scalar (engine/dot.h) keeps the scalar ones. */
typedef struct {
  void (*gelu_row) (float *x, guint n);
  void (*silu_mul_row) (float *up, const float *gate, guint n);
  void (*softmax_row) (float *x, guint n);
  void (*layernorm_row) (float *x, const float *w, const float *b, guint n, float eps);
} RowFuncs;

typedef struct {
  /* bert: separate Q, K, V; nomic-bert: fused QKV (3 × n_embd rows). */
  DocentMatrix wq, wk, wv, wqkv;
  const float *bq, *bk, *bv, *bqkv;    /* NULL when the file has none */
  DocentMatrix wo;
  const float *bo;
  const float *attn_norm_w, *attn_norm_b;
  DocentMatrix wup, wgate, wdown;      /* wgate only for nomic-bert */
  const float *bup, *bgate, *bdown;
  const float *ffn_norm_w, *ffn_norm_b;
} EncoderLayer;

/* The weights of one model, looked up (and small vectors converted to
 * floats) once per call. */
typedef struct {
  EncoderArch arch;
  guint n_embd, n_head, head_dim, n_ff, n_layer, n_ctx, n_vocab;
  float eps;
  float rope_base;
  DocentPooling pooling;
  RowFuncs funcs;
  const DocentGgufTensor *tok_embd, *pos_embd, *type_embd;
  const float *embd_norm_w, *embd_norm_b;
  EncoderLayer *layers;
  GPtrArray *owned;                    /* converted vectors */
} Encoder;

/* Activations of one batch, n_tok rows. */
typedef struct {
  guint n_tok;
  guint n_seqs;
  guint *starts;                       /* first row of each sequence */
  guint *lengths;
  guint *positions;                    /* per row, within its sequence */
  guint *seq_of;                       /* per row, its sequence */
  float *x;                            /* n_tok × n_embd: the residual stream */
  float *qkv;                          /* n_tok × 3 n_embd */
  float *attn;                         /* n_tok × n_embd */
  float *tmp;                          /* n_tok × n_embd */
  float *up;                           /* n_tok × n_ff */
  float *gate;                         /* n_tok × n_ff (nomic-bert) */
  float *rope_cos, *rope_sin;          /* max_len × head_dim / 2 (nomic-bert) */
} EncoderBatch;

/* Queries per attention step. */
#define ATTN_QUERY_BLOCK 256

/* Per-worker memory for attention: each worker handles whole
 * (sequence, head) pairs at a time; L is the longest sequence. */
typedef struct {
  DocentMatmulScratch *scratch;
  float *q;                            /* ATTN_QUERY_BLOCK × head_dim */
  float *vt;                           /* head_dim × L */
  float *scores;                       /* ATTN_QUERY_BLOCK × L */
  float *out;                          /* ATTN_QUERY_BLOCK × head_dim */
} AttnWorker;

static void row_funcs_init (RowFuncs *f);

/* ---- weights -------------------------------------------------------------- */

static void
encoder_clear (Encoder *enc)
{
  g_clear_pointer (&enc->layers, g_free);
  g_clear_pointer (&enc->owned, g_ptr_array_unref);
}

static const DocentGgufTensor *
find_tensor (DocentGguf  *gguf,
             const char  *name,
             gboolean     required,
             GError     **error)
{
  const DocentGgufTensor *t = docent_gguf_find_tensor (gguf, name);

  if (t == NULL && required)
    g_set_error (error, DOCENT_MODEL_ERROR, DOCENT_MODEL_ERROR_INVALID,
                 "missing tensor %s", name);
  return t;
}

/* A 1-D tensor of `n` elements as floats; NULL with *error unset when it
 * is absent and optional. */
static gboolean
lookup_vector (Encoder      *enc,
               DocentGguf   *gguf,
               const char   *name,
               guint         n,
               gboolean      required,
               const float **out,
               GError      **error)
{
  const DocentGgufTensor *t = find_tensor (gguf, name, required, error);
  float *v;

  *out = NULL;
  if (t == NULL)
    return !required;
  if (t->n_elements != n)
    {
      g_set_error (error, DOCENT_MODEL_ERROR, DOCENT_MODEL_ERROR_INVALID,
                   "tensor %s has %" G_GUINT64_FORMAT " elements, expected %u",
                   name, t->n_elements, n);
      return FALSE;
    }
  if (t->type == DOCENT_TYPE_F32)
    {
      *out = (const float *) t->data;
      return TRUE;
    }
  v = g_new (float, n);
  g_ptr_array_add (enc->owned, v);
  if (!docent_dequantize_row (t->type, t->data, v, n, error))
    return FALSE;
  *out = v;
  return TRUE;
}

/* A 2-D tensor of `rows` rows of `cols` as a matrix. */
static gboolean
lookup_matrix (DocentGguf   *gguf,
               const char   *name,
               guint         cols,
               guint         rows,
               DocentMatrix *m,
               GError      **error)
{
  const DocentGgufTensor *t = find_tensor (gguf, name, TRUE, error);
  guint64 row_bytes;

  if (t == NULL)
    return FALSE;
  if (t->n_dims != 2 || t->dims[0] != cols || t->dims[1] != rows)
    {
      g_set_error (error, DOCENT_MODEL_ERROR, DOCENT_MODEL_ERROR_INVALID,
                   "tensor %s is not %u × %u", name, rows, cols);
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

/* An embedding table: rows of n_embd, at least `min_rows` of them, in a
 * type we can turn back into floats. */
static gboolean
lookup_table (DocentGguf              *gguf,
              const char              *name,
              guint                    n_embd,
              guint                    min_rows,
              gboolean                 required,
              const DocentGgufTensor **out,
              GError                 **error)
{
  const DocentGgufTensor *t = find_tensor (gguf, name, required, error);
  guint64 row_bytes;

  *out = NULL;
  if (t == NULL)
    return !required;
  if (t->n_dims != 2 || t->dims[0] != n_embd || t->dims[1] < min_rows
      || docent_dequantize_func (t->type) == NULL
      || !docent_type_row_bytes (t->type, n_embd, &row_bytes, NULL))
    {
      g_set_error (error, DOCENT_MODEL_ERROR, DOCENT_MODEL_ERROR_INVALID,
                   "tensor %s is not a usable table of %u-element rows",
                   name, n_embd);
      return FALSE;
    }
  *out = t;
  return TRUE;
}

static const float *
table_row (const DocentGgufTensor *t,
           guint                   n_embd,
           guint                   row,
           float                  *buf)
{
  guint64 row_bytes = 0;

  if (t->type == DOCENT_TYPE_F32)
    return (const float *) t->data + (gsize) row * n_embd;
  docent_type_row_bytes (t->type, n_embd, &row_bytes, NULL);
  docent_dequantize_func (t->type) (t->data + row * row_bytes, buf, n_embd);
  return buf;
}

static gboolean
load_layer (Encoder      *enc,
            DocentGguf   *gguf,
            guint         il,
            EncoderLayer *l,
            GError      **error)
{
  guint e = enc->n_embd, f = enc->n_ff;
  char name[96];

#define NAME(suffix) (g_snprintf (name, sizeof name, "blk.%u." suffix, il), name)
  if (enc->arch == ARCH_BERT)
    {
      if (!lookup_matrix (gguf, NAME ("attn_q.weight"), e, e, &l->wq, error)
          || !lookup_matrix (gguf, NAME ("attn_k.weight"), e, e, &l->wk, error)
          || !lookup_matrix (gguf, NAME ("attn_v.weight"), e, e, &l->wv, error)
          || !lookup_vector (enc, gguf, NAME ("attn_q.bias"), e, FALSE, &l->bq, error)
          || !lookup_vector (enc, gguf, NAME ("attn_k.bias"), e, FALSE, &l->bk, error)
          || !lookup_vector (enc, gguf, NAME ("attn_v.bias"), e, FALSE, &l->bv, error))
        return FALSE;
    }
  else
    {
      if (!lookup_matrix (gguf, NAME ("attn_qkv.weight"), e, 3 * e, &l->wqkv, error)
          || !lookup_vector (enc, gguf, NAME ("attn_qkv.bias"), 3 * e, FALSE, &l->bqkv, error)
          || !lookup_matrix (gguf, NAME ("ffn_gate.weight"), e, f, &l->wgate, error)
          || !lookup_vector (enc, gguf, NAME ("ffn_gate.bias"), f, FALSE, &l->bgate, error))
        return FALSE;
    }
  if (!lookup_matrix (gguf, NAME ("attn_output.weight"), e, e, &l->wo, error)
      || !lookup_vector (enc, gguf, NAME ("attn_output.bias"), e, FALSE, &l->bo, error)
      || !lookup_vector (enc, gguf, NAME ("attn_output_norm.weight"), e, TRUE, &l->attn_norm_w, error)
      || !lookup_vector (enc, gguf, NAME ("attn_output_norm.bias"), e, FALSE, &l->attn_norm_b, error)
      || !lookup_matrix (gguf, NAME ("ffn_up.weight"), e, f, &l->wup, error)
      || !lookup_vector (enc, gguf, NAME ("ffn_up.bias"), f, FALSE, &l->bup, error)
      || !lookup_matrix (gguf, NAME ("ffn_down.weight"), f, e, &l->wdown, error)
      || !lookup_vector (enc, gguf, NAME ("ffn_down.bias"), e, FALSE, &l->bdown, error)
      || !lookup_vector (enc, gguf, NAME ("layer_output_norm.weight"), e, TRUE, &l->ffn_norm_w, error)
      || !lookup_vector (enc, gguf, NAME ("layer_output_norm.bias"), e, FALSE, &l->ffn_norm_b, error))
    return FALSE;
#undef NAME
  return TRUE;
}

/* `<arch>.key` as a float, or `fallback` when the file does not say. */
static float
arch_float (DocentGguf *gguf,
            const char *arch,
            const char *key,
            float       fallback)
{
  g_autofree char *full = g_strconcat (arch, ".", key, NULL);
  float v;

  if (!docent_gguf_get_f32 (gguf, full, &v, NULL))
    return fallback;
  return v;
}

static gboolean
encoder_init (Encoder      *enc,
              DocentModel  *model,
              GError      **error)
{
  const DocentModelInfo *info = docent_model_info (model);
  DocentGguf *gguf = docent_model_gguf (model);

  memset (enc, 0, sizeof *enc);
  row_funcs_init (&enc->funcs);
  enc->owned = g_ptr_array_new_with_free_func (g_free);
  if (g_strcmp0 (info->architecture, "bert") == 0)
    enc->arch = ARCH_BERT;
  else if (g_strcmp0 (info->architecture, "nomic-bert") == 0)
    enc->arch = ARCH_NOMIC_BERT;
  else
    {
      g_set_error (error, DOCENT_MODEL_ERROR, DOCENT_MODEL_ERROR_UNSUPPORTED,
                   "architecture %s is not an encoder Docent runs",
                   info->architecture ? info->architecture : "(none)");
      return FALSE;
    }
  enc->n_embd = info->n_embd;
  enc->n_head = info->n_head;
  enc->n_ff = info->n_ff;
  enc->n_layer = info->n_layer;
  enc->n_ctx = info->n_ctx_train;
  enc->n_vocab = info->n_vocab;
  enc->pooling = info->pooling;
  if (enc->n_embd == 0 || enc->n_head == 0 || enc->n_embd % enc->n_head != 0
      || enc->n_ff == 0 || enc->n_ctx == 0 || enc->n_vocab == 0)
    {
      g_set_error (error, DOCENT_MODEL_ERROR, DOCENT_MODEL_ERROR_INVALID,
                   "inconsistent encoder hyper-parameters");
      return FALSE;
    }
  enc->head_dim = enc->n_embd / enc->n_head;
  if (enc->arch == ARCH_NOMIC_BERT && enc->head_dim % 2 != 0)
    {
      g_set_error (error, DOCENT_MODEL_ERROR, DOCENT_MODEL_ERROR_INVALID,
                   "rotary embeddings need an even head size");
      return FALSE;
    }
  enc->eps = arch_float (gguf, info->architecture, "attention.layer_norm_epsilon", 1e-12f);
  enc->rope_base = arch_float (gguf, info->architecture, "rope.freq_base", 10000.0f);

  if (!lookup_table (gguf, "token_embd.weight", enc->n_embd, enc->n_vocab, TRUE,
                     &enc->tok_embd, error)
      || !lookup_table (gguf, "position_embd.weight", enc->n_embd, enc->n_ctx,
                        enc->arch == ARCH_BERT, &enc->pos_embd, error)
      || !lookup_table (gguf, "token_types.weight", enc->n_embd, 1, FALSE,
                        &enc->type_embd, error)
      || !lookup_vector (enc, gguf, "token_embd_norm.weight", enc->n_embd, TRUE,
                         &enc->embd_norm_w, error)
      || !lookup_vector (enc, gguf, "token_embd_norm.bias", enc->n_embd, FALSE,
                         &enc->embd_norm_b, error))
    return FALSE;

  enc->layers = g_new0 (EncoderLayer, enc->n_layer);
  for (guint il = 0; il < enc->n_layer; il++)
    if (!load_layer (enc, gguf, il, &enc->layers[il], error))
      return FALSE;
  return TRUE;
}

/* ---- numeric helpers -------------------------------------------------------- */

static void
pool_run (DocentThreadPool *pool,
          guint             n,
          guint             grain,
          DocentPoolFunc    func,
          gpointer          data)
{
  if (pool != NULL)
    docent_thread_pool_run (pool, n, grain, func, data);
  else if (n > 0)
    func (data, 0, n, 0);
}

/* The tanh form of GELU, as the reference implementation computes BERT's
 * activation; tanh (u) = 1 - 2 / (exp (2u) + 1) is cheaper than tanhf. */
static inline float
gelu (float x)
{
  const float c = 0.7978845608028654f;      /* sqrt (2 / pi) */
  float u = c * x * (1.0f + 0.044715f * x * x);
  float t;

  u = CLAMP (u, -10.0f, 10.0f);
  t = 1.0f - 2.0f / (expf (2.0f * u) + 1.0f);
  return 0.5f * x * (1.0f + t);
}

static inline float
silu (float x)
{
  return x / (1.0f + expf (-x));
}

static void
gelu_row_scalar (float *x,
                 guint  n)
{
  for (guint i = 0; i < n; i++)
    x[i] = gelu (x[i]);
}

/* up *= silu (gate). */
static void
silu_mul_row_scalar (float       *up,
                     const float *gate,
                     guint        n)
{
  for (guint i = 0; i < n; i++)
    up[i] *= silu (gate[i]);
}

static void
softmax_row_scalar (float *x,
                    guint  n)
{
  float max = x[0], sum = 0.0f, inv;

  for (guint i = 1; i < n; i++)
    max = MAX (max, x[i]);
  for (guint i = 0; i < n; i++)
    {
      x[i] = expf (x[i] - max);
      sum += x[i];
    }
  inv = 1.0f / sum;
  for (guint i = 0; i < n; i++)
    x[i] *= inv;
}

#ifdef HAVE_X86
/* AVX2 versions of the three: the activations and softmax take a fifth of
 * the time when they call expf one element at a time. */
#define AVX2 __attribute__ ((target ("avx2,fma")))

/* e^x for x in [-87, 88]: x = k ln 2 + r with |r| <= ln 2 / 2, e^r by its
 * Taylor series to r^6 (relative error about 2e-7), 2^k into the
 * exponent bits. */
static inline AVX2 __m256
exp8 (__m256 x)
{
  const __m256 ln2_hi = _mm256_set1_ps (0.693359375f);
  const __m256 ln2_lo = _mm256_set1_ps (-2.12194440e-4f);
  __m256 k, r, p;
  __m256i e;

  x = _mm256_min_ps (_mm256_max_ps (x, _mm256_set1_ps (-87.0f)), _mm256_set1_ps (88.0f));
  k = _mm256_round_ps (_mm256_mul_ps (x, _mm256_set1_ps (1.44269504088896341f)),
                       _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  r = _mm256_fnmadd_ps (k, ln2_hi, x);
  r = _mm256_fnmadd_ps (k, ln2_lo, r);
  p = _mm256_set1_ps (1.0f / 720);
  p = _mm256_fmadd_ps (p, r, _mm256_set1_ps (1.0f / 120));
  p = _mm256_fmadd_ps (p, r, _mm256_set1_ps (1.0f / 24));
  p = _mm256_fmadd_ps (p, r, _mm256_set1_ps (1.0f / 6));
  p = _mm256_fmadd_ps (p, r, _mm256_set1_ps (0.5f));
  p = _mm256_fmadd_ps (p, r, _mm256_set1_ps (1.0f));
  p = _mm256_fmadd_ps (p, r, _mm256_set1_ps (1.0f));
  e = _mm256_slli_epi32 (_mm256_add_epi32 (_mm256_cvtps_epi32 (k), _mm256_set1_epi32 (127)), 23);
  return _mm256_mul_ps (p, _mm256_castsi256_ps (e));
}

static AVX2 void
gelu_row_avx2 (float *x,
               guint  n)
{
  const __m256 c = _mm256_set1_ps (0.7978845608028654f);
  const __m256 a = _mm256_set1_ps (0.044715f);
  const __m256 one = _mm256_set1_ps (1.0f), two = _mm256_set1_ps (2.0f);
  const __m256 half = _mm256_set1_ps (0.5f), lim = _mm256_set1_ps (10.0f);
  guint i = 0;

  for (; i + 8 <= n; i += 8)
    {
      __m256 v = _mm256_loadu_ps (x + i);
      __m256 u = _mm256_mul_ps (_mm256_mul_ps (c, v),
                                _mm256_fmadd_ps (_mm256_mul_ps (a, v), v, one));
      __m256 t;

      u = _mm256_min_ps (_mm256_max_ps (u, _mm256_sub_ps (_mm256_setzero_ps (), lim)), lim);
      t = _mm256_sub_ps (one, _mm256_div_ps (two, _mm256_add_ps (exp8 (_mm256_mul_ps (two, u)), one)));
      _mm256_storeu_ps (x + i, _mm256_mul_ps (_mm256_mul_ps (half, v), _mm256_add_ps (one, t)));
    }
  gelu_row_scalar (x + i, n - i);
}

static AVX2 void
silu_mul_row_avx2 (float       *up,
                   const float *gate,
                   guint        n)
{
  const __m256 one = _mm256_set1_ps (1.0f);
  guint i = 0;

  for (; i + 8 <= n; i += 8)
    {
      __m256 g = _mm256_loadu_ps (gate + i);
      __m256 s = _mm256_div_ps (g, _mm256_add_ps (one, exp8 (_mm256_sub_ps (_mm256_setzero_ps (), g))));

      _mm256_storeu_ps (up + i, _mm256_mul_ps (_mm256_loadu_ps (up + i), s));
    }
  silu_mul_row_scalar (up + i, gate + i, n - i);
}

static AVX2 float
hsum8 (__m256 v)
{
  __m128 s = _mm_add_ps (_mm256_castps256_ps128 (v), _mm256_extractf128_ps (v, 1));

  s = _mm_add_ps (s, _mm_movehl_ps (s, s));
  s = _mm_add_ss (s, _mm_movehdup_ps (s));
  return _mm_cvtss_f32 (s);
}

static AVX2 void
softmax_row_avx2 (float *x,
                  guint  n)
{
  __m256 vmax = _mm256_set1_ps (x[0]), vsum = _mm256_setzero_ps (), vinv;
  float max = x[0], sum = 0.0f, inv;
  guint i;

  for (i = 0; i + 8 <= n; i += 8)
    vmax = _mm256_max_ps (vmax, _mm256_loadu_ps (x + i));
  for (; i < n; i++)
    max = MAX (max, x[i]);
  {
    float lanes[8];

    _mm256_storeu_ps (lanes, vmax);
    for (guint j = 0; j < 8; j++)
      max = MAX (max, lanes[j]);
  }
  vmax = _mm256_set1_ps (max);
  for (i = 0; i + 8 <= n; i += 8)
    {
      __m256 e = exp8 (_mm256_sub_ps (_mm256_loadu_ps (x + i), vmax));

      _mm256_storeu_ps (x + i, e);
      vsum = _mm256_add_ps (vsum, e);
    }
  for (; i < n; i++)
    {
      x[i] = expf (x[i] - max);
      sum += x[i];
    }
  inv = 1.0f / (sum + hsum8 (vsum));
  vinv = _mm256_set1_ps (inv);
  for (i = 0; i + 8 <= n; i += 8)
    _mm256_storeu_ps (x + i, _mm256_mul_ps (_mm256_loadu_ps (x + i), vinv));
  for (; i < n; i++)
    x[i] *= inv;
}

/* In place; w is never NULL, b may be. Sums in float, eight lanes at a
 * time: a row is a few hundred to a few thousand values. */
static AVX2 void
layernorm_row_avx2 (float       *x,
                    const float *w,
                    const float *b,
                    guint        n,
                    float        eps)
{
  __m256 vsum = _mm256_setzero_ps (), vmean, vscale;
  float sum = 0.0f, mean, var = 0.0f, scale;
  guint i;

  for (i = 0; i + 8 <= n; i += 8)
    vsum = _mm256_add_ps (vsum, _mm256_loadu_ps (x + i));
  for (; i < n; i++)
    sum += x[i];
  mean = (sum + hsum8 (vsum)) / n;
  vmean = _mm256_set1_ps (mean);
  vsum = _mm256_setzero_ps ();
  for (i = 0; i + 8 <= n; i += 8)
    {
      __m256 dv = _mm256_sub_ps (_mm256_loadu_ps (x + i), vmean);

      vsum = _mm256_fmadd_ps (dv, dv, vsum);
    }
  for (; i < n; i++)
    var += (x[i] - mean) * (x[i] - mean);
  var = (var + hsum8 (vsum)) / n;
  scale = 1.0f / sqrtf (var + eps);
  vscale = _mm256_set1_ps (scale);
  for (i = 0; i + 8 <= n; i += 8)
    {
      __m256 y = _mm256_mul_ps (_mm256_mul_ps (_mm256_sub_ps (_mm256_loadu_ps (x + i), vmean),
                                               vscale),
                                _mm256_loadu_ps (w + i));

      if (b != NULL)
        y = _mm256_add_ps (y, _mm256_loadu_ps (b + i));
      _mm256_storeu_ps (x + i, y);
    }
  for (; i < n; i++)
    x[i] = (x[i] - mean) * scale * w[i] + (b ? b[i] : 0.0f);
}

#endif /* HAVE_X86 */

static void
layernorm_row_scalar (float       *x,
                      const float *w,
                      const float *b,
                      guint        n,
                      float        eps)
{
  docent_layernorm (x, x, w, b, n, eps);
}

static void
row_funcs_init (RowFuncs *f)
{
#ifdef HAVE_X86
  const DocentCpu *cpu = docent_cpu_get ();

  if (docent_kernel_path () != DOCENT_KERNEL_PATH_SCALAR && cpu->avx2 && cpu->fma)
    {
      *f = (RowFuncs) { gelu_row_avx2, silu_mul_row_avx2, softmax_row_avx2,
                        layernorm_row_avx2 };
      return;
    }
#endif
  *f = (RowFuncs) { gelu_row_scalar, silu_mul_row_scalar, softmax_row_scalar,
                    layernorm_row_scalar };
}

static void
add_bias (float       *y,
          const float *b,
          guint        n)
{
  if (b != NULL)
    for (guint i = 0; i < n; i++)
      y[i] += b[i];
}

/* ---- batch steps (each a thread-pool loop over rows) ------------------------ */

typedef struct {
  const Encoder *enc;
  EncoderBatch *batch;
  const gint32 *const *seqs;           /* the batch's sequences */
  float **row_buf;                     /* per worker: 3 × n_embd floats */
} EmbedJob;

static void
embed_rows (gpointer data,
            guint    first,
            guint    last,
            guint    worker)
{
  EmbedJob *job = data;
  const Encoder *enc = job->enc;
  EncoderBatch *b = job->batch;
  guint e = enc->n_embd;
  float *buf = job->row_buf[worker];

  for (guint t = first; t < last; t++)
    {
      float *x = b->x + (gsize) t * e;
      const float *row;
      guint pos = b->positions[t];

      row = table_row (enc->tok_embd, e, (guint) job->seqs[b->seq_of[t]][pos], buf);
      memcpy (x, row, e * sizeof (float));
      if (enc->pos_embd != NULL)
        {
          row = table_row (enc->pos_embd, e, pos, buf + e);
          for (guint i = 0; i < e; i++)
            x[i] += row[i];
        }
      if (enc->type_embd != NULL)
        {
          /* Every text is a single segment: token type 0. */
          row = table_row (enc->type_embd, e, 0, buf + 2 * e);
          for (guint i = 0; i < e; i++)
            x[i] += row[i];
        }
      enc->funcs.layernorm_row (x, enc->embd_norm_w, enc->embd_norm_b, e, enc->eps);
    }
}

/* y rows (stride n) += bias; or with rope applied on the Q and K parts. */
typedef struct {
  const Encoder *enc;
  EncoderBatch *batch;
  float *y;
  guint n;                             /* row length */
  const float *bias;
  gboolean rope;                       /* nomic-bert QKV rows */
} BiasJob;

static void
rope_head (float       *v,
           const float *cos_t,
           const float *sin_t,
           guint        half)
{
  /* NeoX layout: element i is paired with element i + half. */
  for (guint i = 0; i < half; i++)
    {
      float a = v[i], b = v[i + half];

      v[i] = a * cos_t[i] - b * sin_t[i];
      v[i + half] = a * sin_t[i] + b * cos_t[i];
    }
}

static void
bias_rows (gpointer data,
           guint    first,
           guint    last,
           guint    worker)
{
  BiasJob *job = data;
  const Encoder *enc = job->enc;
  guint half = enc->head_dim / 2;

  for (guint t = first; t < last; t++)
    {
      float *y = job->y + (gsize) t * job->n;

      add_bias (y, job->bias, job->n);
      if (job->rope)
        {
          gsize off = (gsize) job->batch->positions[t] * half;

          /* Q and K heads: the first 2 × n_head of the 3 × n_head. */
          for (guint h = 0; h < 2 * enc->n_head; h++)
            rope_head (y + h * enc->head_dim, job->batch->rope_cos + off,
                       job->batch->rope_sin + off, half);
        }
    }
}

/* x = LN (x + y + bias). */
typedef struct {
  const Encoder *enc;
  float *x;
  const float *y;
  const float *bias, *w, *b;
} ResidualJob;

static void
residual_rows (gpointer data,
               guint    first,
               guint    last,
               guint    worker)
{
  ResidualJob *job = data;
  guint e = job->enc->n_embd;

  for (guint t = first; t < last; t++)
    {
      float *x = job->x + (gsize) t * e;
      const float *y = job->y + (gsize) t * e;

      for (guint i = 0; i < e; i++)
        x[i] += y[i] + (job->bias ? job->bias[i] : 0.0f);
      job->enc->funcs.layernorm_row (x, job->w, job->b, e, job->enc->eps);
    }
}

/* up = act (up + b_up) [* (gate + b_gate)]. */
typedef struct {
  const Encoder *enc;
  const EncoderLayer *layer;
  float *up;
  float *gate;
} ActJob;

static void
act_rows (gpointer data,
          guint    first,
          guint    last,
          guint    worker)
{
  ActJob *job = data;
  const EncoderLayer *l = job->layer;
  guint f = job->enc->n_ff;

  for (guint t = first; t < last; t++)
    {
      float *u = job->up + (gsize) t * f;

      add_bias (u, l->bup, f);
      if (job->gate == NULL)
        job->enc->funcs.gelu_row (u, f);
      else
        {
          float *g = job->gate + (gsize) t * f;

          add_bias (g, l->bgate, f);
          job->enc->funcs.silu_mul_row (u, g, f);
        }
    }
}

/* ---- attention ---------------------------------------------------------------- */

typedef struct {
  const Encoder *enc;
  EncoderBatch *batch;
  const float *q, *k, *v;              /* head 0 of row 0 */
  gsize stride;                        /* floats between rows */
  AttnWorker *workers;
  gint failed;                         /* atomic: set by any worker */
} AttnJob;

/* One head of one sequence: out = softmax (Q K^T / sqrt (d)) V, with the
 * two products through the matmul kernels (single-threaded: this already
 * runs on a pool worker), ATTN_QUERY_BLOCK queries at a time so the
 * scores of a long sequence never need len × len floats. */
static void
attend_one (AttnJob    *job,
            AttnWorker *w,
            guint       seq,
            guint       head)
{
  const Encoder *enc = job->enc;
  EncoderBatch *b = job->batch;
  guint d = enc->head_dim, len = b->lengths[seq];
  gsize row0 = b->starts[seq];
  gsize col = (gsize) head * d;
  float scale = 1.0f / sqrtf ((float) d);
  DocentMatrix km, vm;

  for (guint i = 0; i < len; i++)
    {
      const float *v = job->v + (row0 + i) * job->stride + col;

      for (guint j = 0; j < d; j++)
        w->vt[(gsize) j * len + i] = v[j];
    }
  km = (DocentMatrix) { DOCENT_TYPE_F32, len, d, job->stride * sizeof (float),
                        job->k + row0 * job->stride + col };
  vm = (DocentMatrix) { DOCENT_TYPE_F32, d, len, len * sizeof (float), w->vt };

  for (guint q0 = 0; q0 < len; q0 += ATTN_QUERY_BLOCK)
    {
      guint m = MIN (ATTN_QUERY_BLOCK, len - q0);

      for (guint i = 0; i < m; i++)
        {
          const float *q = job->q + (row0 + q0 + i) * job->stride + col;

          for (guint j = 0; j < d; j++)
            w->q[(gsize) i * d + j] = q[j] * scale;
        }
      if (!docent_matmul (NULL, w->scratch, &km, w->q, m, w->scores, NULL))
        {
          g_atomic_int_set (&job->failed, TRUE);
          return;
        }
      for (guint i = 0; i < m; i++)
        enc->funcs.softmax_row (w->scores + (gsize) i * len, len);
      if (!docent_matmul (NULL, w->scratch, &vm, w->scores, m, w->out, NULL))
        {
          g_atomic_int_set (&job->failed, TRUE);
          return;
        }
      for (guint i = 0; i < m; i++)
        memcpy (b->attn + (row0 + q0 + i) * enc->n_embd + col, w->out + (gsize) i * d,
                d * sizeof (float));
    }
}

static void
attend_items (gpointer data,
              guint    first,
              guint    last,
              guint    worker)
{
  AttnJob *job = data;
  guint n_head = job->enc->n_head;

  for (guint it = first; it < last; it++)
    attend_one (job, &job->workers[worker], it / n_head, it % n_head);
}

/* ---- the forward pass --------------------------------------------------------- */

/* What one call needs besides the weights, allocated once for all its
 * batches. */
typedef struct {
  DocentThreadPool *pool;
  DocentMatmulScratch *scratch;
  AttnWorker *workers;
  guint n_workers;
  float **row_buf;
  EncoderBatch batch;                  /* sized for the largest batch */
} EncoderRun;

static gboolean
matmul (EncoderRun         *run,
        const DocentMatrix *w,
        const float        *x,
        guint               n,
        float              *y,
        GError            **error)
{
  return docent_matmul (run->pool, run->scratch, w, x, n, y, error);
}

static gboolean
layer_forward (const Encoder      *enc,
               const EncoderLayer *l,
               EncoderBatch       *b,
               EncoderRun         *run,
               GError            **error)
{
  guint e = enc->n_embd, n = b->n_tok;
  AttnJob attn = { enc, b, NULL, NULL, NULL, 0, run->workers, FALSE };
  ResidualJob res = { enc, b->x, b->tmp, l->bo, l->attn_norm_w, l->attn_norm_b };
  ActJob act = { enc, l, b->up, NULL };

  if (enc->arch == ARCH_BERT)
    {
      float *q = b->qkv, *k = q + (gsize) n * e, *v = k + (gsize) n * e;
      BiasJob bq = { enc, b, q, e, l->bq, FALSE };
      BiasJob bk = { enc, b, k, e, l->bk, FALSE };
      BiasJob bv = { enc, b, v, e, l->bv, FALSE };

      if (!matmul (run, &l->wq, b->x, n, q, error)
          || !matmul (run, &l->wk, b->x, n, k, error)
          || !matmul (run, &l->wv, b->x, n, v, error))
        return FALSE;
      pool_run (run->pool, n, 16, bias_rows, &bq);
      pool_run (run->pool, n, 16, bias_rows, &bk);
      pool_run (run->pool, n, 16, bias_rows, &bv);
      attn.q = q;
      attn.k = k;
      attn.v = v;
      attn.stride = e;
    }
  else
    {
      BiasJob bqkv = { enc, b, b->qkv, 3 * e, l->bqkv, TRUE };

      if (!matmul (run, &l->wqkv, b->x, n, b->qkv, error))
        return FALSE;
      pool_run (run->pool, n, 16, bias_rows, &bqkv);
      attn.q = b->qkv;
      attn.k = b->qkv + e;
      attn.v = b->qkv + 2 * e;
      attn.stride = 3 * e;
    }

  pool_run (run->pool, b->n_seqs * enc->n_head, 1, attend_items, &attn);
  if (g_atomic_int_get (&attn.failed))
    {
      g_set_error (error, DOCENT_MODEL_ERROR, DOCENT_MODEL_ERROR_INVALID,
                   "attention failed");
      return FALSE;
    }
  if (!matmul (run, &l->wo, b->attn, n, b->tmp, error))
    return FALSE;
  pool_run (run->pool, n, 16, residual_rows, &res);

  if (!matmul (run, &l->wup, b->x, n, b->up, error))
    return FALSE;
  if (enc->arch == ARCH_NOMIC_BERT)
    {
      if (!matmul (run, &l->wgate, b->x, n, b->gate, error))
        return FALSE;
      act.gate = b->gate;
    }
  pool_run (run->pool, n, 4, act_rows, &act);
  if (!matmul (run, &l->wdown, b->up, n, b->tmp, error))
    return FALSE;
  res.bias = l->bdown;
  res.w = l->ffn_norm_w;
  res.b = l->ffn_norm_b;
  pool_run (run->pool, n, 16, residual_rows, &res);
  return TRUE;
}

static void
pool_sequence (const Encoder *enc,
               const float   *x,
               guint          len,
               float         *out)
{
  guint e = enc->n_embd;

  switch (enc->pooling)
    {
    case DOCENT_POOLING_CLS:
      memcpy (out, x, e * sizeof (float));
      break;
    case DOCENT_POOLING_LAST:
      memcpy (out, x + (gsize) (len - 1) * e, e * sizeof (float));
      break;
    case DOCENT_POOLING_MEAN:
    case DOCENT_POOLING_NONE:
    default:
      /* NONE has no single vector per text; the mean is the useful one. */
      for (guint i = 0; i < e; i++)
        {
          double sum = 0.0;

          for (guint t = 0; t < len; t++)
            sum += x[(gsize) t * e + i];
          out[i] = (float) (sum / len);
        }
      break;
    }
}

static void
normalize_vector (float *v,
                  guint  n)
{
  double sum = 0.0;

  for (guint i = 0; i < n; i++)
    sum += (double) v[i] * v[i];
  if (sum > 0.0)
    {
      float inv = (float) (1.0 / sqrt (sum));

      for (guint i = 0; i < n; i++)
        v[i] *= inv;
    }
}

/* Room for n_tok tokens in up to n_seqs sequences. */
static void
batch_alloc (EncoderBatch  *b,
             const Encoder *enc,
             guint          n_tok,
             guint          n_seqs)
{
  gsize e = enc->n_embd, f = enc->n_ff;

  b->starts = g_new (guint, n_seqs);
  b->lengths = g_new (guint, n_seqs);
  b->positions = g_new (guint, n_tok);
  b->seq_of = g_new (guint, n_tok);
  b->x = g_new (float, n_tok * e);
  b->qkv = g_new (float, n_tok * 3 * e);
  b->attn = g_new (float, n_tok * e);
  b->tmp = g_new (float, n_tok * e);
  b->up = g_new (float, n_tok * f);
  b->gate = enc->arch == ARCH_NOMIC_BERT ? g_new (float, n_tok * f) : NULL;
}

static void
batch_free (EncoderBatch *b)
{
  g_free (b->starts);
  g_free (b->lengths);
  g_free (b->positions);
  g_free (b->seq_of);
  g_free (b->x);
  g_free (b->qkv);
  g_free (b->attn);
  g_free (b->tmp);
  g_free (b->up);
  g_free (b->gate);
  g_free (b->rope_cos);
  g_free (b->rope_sin);
}

/* Runs seqs[0 … n_seqs) (together at most BATCH_TOKENS tokens, or one
 * sequence) through the model and pools them into out. */
static gboolean
run_batch (const Encoder       *enc,
           EncoderRun          *run,
           const gint32 *const *seqs,
           const guint         *lengths,
           guint                n_seqs,
           guint                n_tok,
           float               *out,
           GError             **error)
{
  EncoderBatch *b = &run->batch;
  EmbedJob embed = { enc, b, seqs, run->row_buf };
  guint t = 0;

  b->n_tok = n_tok;
  b->n_seqs = n_seqs;
  for (guint s = 0; s < n_seqs; s++)
    {
      b->starts[s] = t;
      b->lengths[s] = lengths[s];
      for (guint i = 0; i < lengths[s]; i++, t++)
        {
          b->positions[t] = i;
          b->seq_of[t] = s;
        }
    }

  pool_run (run->pool, n_tok, 16, embed_rows, &embed);
  for (guint il = 0; il < enc->n_layer; il++)
    if (!layer_forward (enc, &enc->layers[il], b, run, error))
      return FALSE;
  for (guint s = 0; s < n_seqs; s++)
    pool_sequence (enc, b->x + (gsize) b->starts[s] * enc->n_embd, b->lengths[s],
                   out + (gsize) s * enc->n_embd);
  return TRUE;
}

static gboolean
check_sequences (const Encoder       *enc,
                 const gint32 *const *seqs,
                 const guint         *lengths,
                 guint                n_seqs,
                 GError             **error)
{
  for (guint s = 0; s < n_seqs; s++)
    {
      if (lengths[s] == 0)
        {
          g_set_error (error, DOCENT_MODEL_ERROR, DOCENT_MODEL_ERROR_INVALID,
                       "sequence %u is empty", s);
          return FALSE;
        }
      if (lengths[s] > enc->n_ctx)
        {
          g_set_error (error, DOCENT_MODEL_ERROR, DOCENT_MODEL_ERROR_CONTEXT_FULL,
                       "sequence %u has %u tokens; the model takes %u",
                       s, lengths[s], enc->n_ctx);
          return FALSE;
        }
      for (guint i = 0; i < lengths[s]; i++)
        if (seqs[s][i] < 0 || (guint) seqs[s][i] >= enc->n_vocab)
          {
            g_set_error (error, DOCENT_MODEL_ERROR, DOCENT_MODEL_ERROR_INVALID,
                         "token id %d is outside the vocabulary", seqs[s][i]);
            return FALSE;
          }
    }
  return TRUE;
}

/* cos and sin of the rotation angles at each position below max_len. */
static void
rope_tables (const Encoder *enc,
             guint          max_len,
             float        **cos_out,
             float        **sin_out)
{
  guint half = enc->head_dim / 2;
  float *c = g_new (float, (gsize) max_len * half);
  float *s = g_new (float, (gsize) max_len * half);

  for (guint p = 0; p < max_len; p++)
    for (guint i = 0; i < half; i++)
      {
        double theta = p * pow (enc->rope_base, -2.0 * i / enc->head_dim);

        c[(gsize) p * half + i] = (float) cos (theta);
        s[(gsize) p * half + i] = (float) sin (theta);
      }
  *cos_out = c;
  *sin_out = s;
}

static void
run_init (EncoderRun       *run,
          const Encoder    *enc,
          DocentThreadPool *pool,
          guint             max_len,
          guint             max_tok,
          guint             max_seqs)
{
  gsize d = enc->head_dim, L = max_len, B = MIN (max_len, ATTN_QUERY_BLOCK);

  run->pool = pool;
  run->scratch = docent_matmul_scratch_new ();
  run->n_workers = pool ? docent_thread_pool_size (pool) : 1;
  run->workers = g_new0 (AttnWorker, run->n_workers);
  run->row_buf = g_new0 (float *, run->n_workers);
  batch_alloc (&run->batch, enc, max_tok, max_seqs);
  if (enc->arch == ARCH_NOMIC_BERT)
    rope_tables (enc, max_len, &run->batch.rope_cos, &run->batch.rope_sin);
  for (guint i = 0; i < run->n_workers; i++)
    {
      AttnWorker *w = &run->workers[i];

      w->scratch = docent_matmul_scratch_new ();
      w->q = g_new (float, B * d);
      w->vt = g_new (float, L * d);
      w->scores = g_new (float, B * L);
      w->out = g_new (float, B * d);
      run->row_buf[i] = g_new (float, 3 * (gsize) enc->n_embd);
    }
}

static void
run_clear (EncoderRun *run)
{
  for (guint i = 0; i < run->n_workers; i++)
    {
      AttnWorker *w = &run->workers[i];

      docent_matmul_scratch_free (w->scratch);
      g_free (w->q);
      g_free (w->vt);
      g_free (w->scores);
      g_free (w->out);
      g_free (run->row_buf[i]);
    }
  g_free (run->workers);
  g_free (run->row_buf);
  batch_free (&run->batch);
  docent_matmul_scratch_free (run->scratch);
}

gboolean
docent_encoder_embed_tokens (DocentModel       *model,
                             DocentThreadPool  *pool,
                             const gint32     **seqs,
                             const guint       *lengths,
                             guint              n_seqs,
                             gboolean           normalize,
                             float             *out,
                             GError           **error)
{
  Encoder enc;
  EncoderRun run = { 0 };
  guint max_len = 1, max_tok = 0, max_seqs = 0;
  gboolean ok = TRUE;

  g_return_val_if_fail (model != NULL, FALSE);
  g_return_val_if_fail (n_seqs == 0 || (seqs != NULL && lengths != NULL && out != NULL), FALSE);

  if (!encoder_init (&enc, model, error))
    {
      encoder_clear (&enc);
      return FALSE;
    }
  if (!check_sequences (&enc, (const gint32 *const *) seqs, lengths, n_seqs, error))
    {
      encoder_clear (&enc);
      return FALSE;
    }
  for (guint s = 0; s < n_seqs; s++)
    max_len = MAX (max_len, lengths[s]);
  max_tok = MAX (max_len, BATCH_TOKENS);
  max_seqs = MIN (n_seqs, BATCH_TOKENS);
  run_init (&run, &enc, pool, max_len, max_tok, MAX (max_seqs, 1));

  /* Greedy packing: consecutive sequences until the batch is full. */
  for (guint first = 0; first < n_seqs && ok;)
    {
      guint last = first, n_tok = 0;

      while (last < n_seqs && (last == first || n_tok + lengths[last] <= BATCH_TOKENS))
        n_tok += lengths[last++];
      ok = run_batch (&enc, &run, (const gint32 *const *) seqs + first, lengths + first,
                      last - first, n_tok, out + (gsize) first * enc.n_embd, error);
      first = last;
    }
  if (ok && normalize)
    for (guint s = 0; s < n_seqs; s++)
      normalize_vector (out + (gsize) s * enc.n_embd, enc.n_embd);

  run_clear (&run);
  encoder_clear (&enc);
  return ok;
}

/* ---- texts ----------------------------------------------------------------- */

gboolean
docent_encoder_embed_texts (DocentModel       *model,
                            DocentThreadPool  *pool,
                            const char *const *texts,
                            guint              n_texts,
                            float             *out,
                            GError           **error)
{
  const DocentModelInfo *info = docent_model_info (model);
  DocentTokenizer *tokenizer = docent_model_tokenizer (model);
  g_autofree const gint32 **seqs = g_new0 (const gint32 *, MAX (n_texts, 1));
  g_autofree guint *lengths = g_new0 (guint, MAX (n_texts, 1));
  GPtrArray *arrays = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  gboolean ok = TRUE;

  G_STATIC_ASSERT (sizeof (DocentToken) == sizeof (gint32));

  if (tokenizer == NULL)
    {
      g_set_error (error, DOCENT_MODEL_ERROR, DOCENT_MODEL_ERROR_INVALID,
                   "the model has no tokenizer");
      ok = FALSE;
    }
  for (guint i = 0; i < n_texts && ok; i++)
    {
      GArray *ids = g_array_new (FALSE, FALSE, sizeof (DocentToken));

      g_ptr_array_add (arrays, ids);
      ok = docent_tokenizer_encode (tokenizer, texts[i], -1,
                                    DOCENT_ENCODE_ADD_SPECIAL, ids, error);
      if (ok && ids->len > info->n_ctx_train && info->n_ctx_train > 0)
        {
          /* Keep the start and the closing SEP the model was trained to
           * see at the end. */
          DocentToken end = g_array_index (ids, DocentToken, ids->len - 1);

          g_array_set_size (ids, info->n_ctx_train);
          g_array_index (ids, DocentToken, ids->len - 1) = end;
        }
      seqs[i] = (const gint32 *) ids->data;
      lengths[i] = ids->len;
    }
  if (ok)
    ok = docent_encoder_embed_tokens (model, pool, seqs, lengths, n_texts,
                                      TRUE, out, error);
  g_ptr_array_unref (arrays);
  return ok;
}

char *
docent_encoder_key (const char    *sha256,
                    DocentPooling  pooling)
{
  return g_strdup_printf ("%s:%s", sha256, docent_pooling_name (pooling));
}

char *
docent_encoder_id (DocentModel *model)
{
  return docent_encoder_key (docent_model_sha256 (model), docent_model_info (model)->pooling);
}
