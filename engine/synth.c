/* synth.c — synthetic GGUF models (see synth.h): the shapes of a few
 * well-known models, metadata our loader and tokenizer accept (a
 * byte-level BPE vocabulary for decoders, WordPiece for bert), and random
 * weights written either as random quantized blocks (fast) or as random
 * floats through the real quantizer (exact, for tests). */
#include "engine/synth.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

#include "engine/quant.h"

static const DocentSynthShape shapes[] = {
  { "qwen2.5-0.5b", "qwen2", 896, 24, 14, 2, 0, 4864, 151936, 32768, TRUE, 0, 1000000.0f },
  { "llama-3.2-1b", "llama", 2048, 16, 32, 8, 0, 8192, 128256, 131072, TRUE, 0, 500000.0f },
  { "bge-small", "bert", 384, 12, 12, 12, 0, 1536, 30522, 512, FALSE, 0, 0.0f },
  /* For tests: an embedder small enough to write and run in milliseconds. */
  { "tiny-bert", "bert", 64, 2, 4, 4, 0, 128, 2048, 512, FALSE, 0, 0.0f },
  { "tiny-qwen2", "qwen2", 64, 2, 4, 2, 0, 128, 1024, 4096, TRUE, 0, 1000000.0f },
};

const DocentSynthShape *
docent_synth_shape (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (shapes); i++)
    if (g_ascii_strcasecmp (name, shapes[i].name) == 0)
      return &shapes[i];
  return NULL;
}

const char *
docent_synth_shape_names (void)
{
  return "qwen2.5-0.5b, llama-3.2-1b, bge-small";
}

gboolean
docent_synth_parse_type (const char *name,
                         guint32    *type)
{
  static const struct { const char *name; guint32 type; } types[] = {
    { "F32", DOCENT_TYPE_F32 }, { "F16", DOCENT_TYPE_F16 }, { "BF16", DOCENT_TYPE_BF16 },
    { "Q8_0", DOCENT_TYPE_Q8_0 }, { "Q4_0", DOCENT_TYPE_Q4_0 }, { "Q4_K", DOCENT_TYPE_Q4_K },
    { "Q6_K", DOCENT_TYPE_Q6_K }, { "Q4_K_M", DOCENT_SYNTH_Q4_K_M },
  };

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    if (g_ascii_strcasecmp (name, types[i].name) == 0)
      {
        *type = types[i].type;
        return TRUE;
      }
  return FALSE;
}

/* ---- random numbers: xorshift64*, fast enough for gigabytes ------------- */

typedef struct {
  guint64 s;
} Rng;

static inline guint64
rng_next (Rng *r)
{
  r->s ^= r->s >> 12;
  r->s ^= r->s << 25;
  r->s ^= r->s >> 27;
  return r->s * 0x2545F4914F6CDD1DULL;
}

/* Uniform in [-1, 1). */
static inline float
rng_float (Rng *r)
{
  return (float) (rng_next (r) >> 40) * (2.0f / 16777216.0f) - 1.0f;
}

static void
rng_fill (Rng    *r,
          guint8 *p,
          gsize   n)
{
  gsize i = 0;

  for (; i + 8 <= n; i += 8)
    {
      guint64 v = rng_next (r);

      memcpy (p + i, &v, 8);
    }
  for (; i < n; i++)
    p[i] = (guint8) rng_next (r);
}

/* ---- tensors ------------------------------------------------------------- */

/* Types whose blocks need rows of 256: rows that are not fall back as
 * the usual quantizer does (Q4_K to Q5_0, Q6_K to Q8_0). */
static guint32
fit_type (guint32 type,
          guint   cols)
{
  if (type == DOCENT_TYPE_Q4_K && cols % DOCENT_QK_K != 0)
    return DOCENT_TYPE_Q5_0;
  if (type == DOCENT_TYPE_Q6_K && cols % DOCENT_QK_K != 0)
    return DOCENT_TYPE_Q8_0;
  return type;
}

static void
put_half (guint8 *at,
          float   value)
{
  DocentHalf h = docent_fp32_to_fp16 (value);

  memcpy (at, &h, sizeof h);
}

/* Random blocks whose values spread over about [-a, a]. */
static void
random_blocks (Rng     *r,
               guint32  type,
               guint8  *data,
               gsize    n_blocks,
               float    a)
{
  guint block, size;

  docent_quant_block_info (type, &block, &size);
  rng_fill (r, data, n_blocks * size);
  for (gsize b = 0; b < n_blocks; b++)
    {
      guint8 *p = data + b * size;

      switch (type)
        {
        case DOCENT_TYPE_Q8_0: put_half (p, a / 127.0f); break;
        case DOCENT_TYPE_Q4_0: put_half (p, a / 8.0f); break;
        case DOCENT_TYPE_Q5_0: put_half (p, a / 16.0f); break;
        case DOCENT_TYPE_Q4_K:
          /* x = d sc q - dmin m, sc and m up to 63, q up to 15: dmin
           * about half of d's range keeps the mean near zero. */
          put_half (p, a / (63.0f * 8.0f));
          put_half (p + 2, a * 7.5f / (63.0f * 8.0f));
          break;
        case DOCENT_TYPE_Q6_K:
          put_half (p + offsetof (DocentBlockQ6_K, d), a / (127.0f * 32.0f));
          break;
        default:
          g_assert_not_reached ();
        }
    }
}

/* `n` random floats in [-a, a] converted to `type`. */
static gboolean
random_floats (Rng      *r,
               guint32   type,
               guint8   *data,
               guint     rows,
               guint     cols,
               gsize     row_bytes,
               float     a,
               GError  **error)
{
  g_autofree float *row = g_new (float, cols);

  for (guint i = 0; i < rows; i++)
    {
      for (guint j = 0; j < cols; j++)
        row[j] = a * rng_float (r);
      if (!docent_quantize_row (type, row, data + (gsize) i * row_bytes, cols, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
add_matrix (DocentGgufWriter  *w,
            Rng               *r,
            const char        *name,
            guint              rows,
            guint              cols,
            guint32            type,
            gboolean           exact,
            GError           **error)
{
  guint64 dims[2] = { cols, rows };
  guint64 row_bytes;
  guint block, size;
  float a = sqrtf (3.0f / cols);   /* unit variance outputs for unit inputs */
  g_autoptr(GBytes) bytes = NULL;
  guint8 *data;

  type = fit_type (type, cols);
  if (!docent_type_row_bytes (type, cols, &row_bytes, error))
    return FALSE;
  data = g_malloc ((gsize) row_bytes * rows);
  docent_quant_block_info (type, &block, &size);
  if (exact || type == DOCENT_TYPE_F32 || type == DOCENT_TYPE_F16 || type == DOCENT_TYPE_BF16)
    {
      if (!random_floats (r, type, data, rows, cols, row_bytes, a, error))
        {
          g_free (data);
          return FALSE;
        }
    }
  else
    random_blocks (r, type, data, (gsize) rows * (cols / block), a);
  bytes = g_bytes_new_take (data, (gsize) row_bytes * rows);
  return docent_gguf_writer_add_tensor_bytes (w, name, 2, dims, type, bytes, error);
}

/* F32 vector: `value` plus `noise` times a random number. */
static gboolean
add_vector (DocentGgufWriter  *w,
            Rng               *r,
            const char        *name,
            guint              n,
            float              value,
            float              noise,
            GError           **error)
{
  g_autofree float *v = g_new (float, n);
  guint64 dims[1] = { n };

  for (guint i = 0; i < n; i++)
    v[i] = value + noise * rng_float (r);
  return docent_gguf_writer_add_tensor (w, name, 1, dims, DOCENT_TYPE_F32, v,
                                        n * sizeof (float), error);
}

/* ---- vocabularies -------------------------------------------------------- */

/* The GPT-2 byte-level alphabet: printable bytes stand for themselves,
 * the others for code points from 256 on. */
static void
byte_token (guint   byte,
            char   *out)
{
  guint n = 0;
  gunichar c;

  if ((byte >= 33 && byte <= 126) || (byte >= 161 && byte <= 172) || byte >= 174)
    c = byte;
  else
    {
      for (guint b = 0; b < byte; b++)
        if (!((b >= 33 && b <= 126) || (b >= 161 && b <= 172) || b >= 174))
          n++;
      c = 256 + n;
    }
  out[g_unichar_to_utf8 (c, out)] = '\0';
}

/* 256 byte tokens, two-letter merges "a b", unused fillers, and an
 * end-of-text control token as BOS and EOS. */
static void
add_bpe_vocab (DocentGgufWriter *w,
               const char       *pre,
               guint             n_vocab)
{
  g_autoptr(GPtrArray) tokens = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) merges = g_ptr_array_new_with_free_func (g_free);
  g_autofree gint32 *types = g_new (gint32, n_vocab);
  guint eot = n_vocab - 1;

  for (guint b = 0; b < 256 && tokens->len < eot; b++)
    {
      char s[8];

      byte_token (b, s);
      types[tokens->len] = 1;
      g_ptr_array_add (tokens, g_strdup (s));
    }
  for (guint i = 0; i < 26 * 26 && tokens->len < eot; i++)
    {
      char a = (char) ('a' + i / 26), b = (char) ('a' + i % 26);

      types[tokens->len] = 1;
      g_ptr_array_add (tokens, g_strdup_printf ("%c%c", a, b));
      g_ptr_array_add (merges, g_strdup_printf ("%c %c", a, b));
    }
  while (tokens->len < eot)
    {
      types[tokens->len] = 5;
      g_ptr_array_add (tokens, g_strdup_printf ("<|unused_%u|>", tokens->len));
    }
  types[eot] = 3;
  g_ptr_array_add (tokens, g_strdup ("<|endoftext|>"));
  g_ptr_array_add (tokens, NULL);
  g_ptr_array_add (merges, NULL);
  docent_gguf_writer_add_string (w, "tokenizer.ggml.model", "gpt2");
  docent_gguf_writer_add_string (w, "tokenizer.ggml.pre", pre);
  docent_gguf_writer_add_strv (w, "tokenizer.ggml.tokens", (const char *const *) tokens->pdata, -1);
  docent_gguf_writer_add_array (w, "tokenizer.ggml.token_type", DOCENT_GGUF_TYPE_INT32, types, n_vocab);
  docent_gguf_writer_add_strv (w, "tokenizer.ggml.merges", (const char *const *) merges->pdata, -1);
  docent_gguf_writer_add_u32 (w, "tokenizer.ggml.bos_token_id", eot);
  docent_gguf_writer_add_u32 (w, "tokenizer.ggml.eos_token_id", eot);
  docent_gguf_writer_add_bool (w, "tokenizer.ggml.add_bos_token", FALSE);
}

/* [PAD] 0, [UNK] 100, [CLS] 101, [SEP] 102, [MASK] 103 as BERT has
 * them; letters and digits, their "##" continuations, two-letter words. */
static void
add_wordpiece_vocab (DocentGgufWriter *w,
                     guint             n_vocab)
{
  g_autoptr(GPtrArray) tokens = g_ptr_array_new_with_free_func (g_free);
  g_autofree gint32 *types = g_new (gint32, n_vocab);
  const char *chars = "abcdefghijklmnopqrstuvwxyz0123456789.,;:!?'\"()-";
  guint n_chars = (guint) strlen (chars), i = 0;

  for (guint id = 0; id < n_vocab; id++)
    {
      char *s;

      types[id] = 1;
      if (id == 0 || (id >= 100 && id <= 103))
        {
          static const char *const special[] = { "[UNK]", "[CLS]", "[SEP]", "[MASK]" };

          s = g_strdup (id == 0 ? "[PAD]" : special[id - 100]);
          types[id] = id == 100 ? 2 : 3;
        }
      else if (id < 100)
        s = g_strdup_printf ("[unused%u]", id);
      else if (i < n_chars)
        s = g_strdup_printf ("%c", chars[i++]);
      else if (i < 2 * n_chars)
        s = g_strdup_printf ("##%c", chars[i++ - n_chars]);
      else
        {
          guint k = i++ - 2 * n_chars;

          s = g_strdup_printf ("%s%c%c", k / 676 % 2 ? "##" : "", 'a' + k % 676 / 26,
                               'a' + k % 26);
          if (k >= 2 * 676)
            {
              g_free (s);
              s = g_strdup_printf ("w%u", k);
            }
        }
      g_ptr_array_add (tokens, s);
    }
  g_ptr_array_add (tokens, NULL);
  docent_gguf_writer_add_string (w, "tokenizer.ggml.model", "bert");
  docent_gguf_writer_add_string (w, "tokenizer.ggml.pre", "bert-bge");
  docent_gguf_writer_add_strv (w, "tokenizer.ggml.tokens", (const char *const *) tokens->pdata, -1);
  docent_gguf_writer_add_array (w, "tokenizer.ggml.token_type", DOCENT_GGUF_TYPE_INT32, types, n_vocab);
  docent_gguf_writer_add_u32 (w, "tokenizer.ggml.token_type_count", 2);
  docent_gguf_writer_add_u32 (w, "tokenizer.ggml.unknown_token_id", 100);
  docent_gguf_writer_add_u32 (w, "tokenizer.ggml.seperator_token_id", 102);
  docent_gguf_writer_add_u32 (w, "tokenizer.ggml.padding_token_id", 0);
  docent_gguf_writer_add_u32 (w, "tokenizer.ggml.cls_token_id", 101);
  docent_gguf_writer_add_u32 (w, "tokenizer.ggml.mask_token_id", 103);
}

/* ---- models -------------------------------------------------------------- */

static void
add_arch_u32 (DocentGgufWriter *w,
              const char       *arch,
              const char       *key,
              guint32           value)
{
  g_autofree char *full = g_strdup_printf ("%s.%s", arch, key);

  docent_gguf_writer_add_u32 (w, full, value);
}

static void
add_arch_f32 (DocentGgufWriter *w,
              const char       *arch,
              const char       *key,
              float             value)
{
  g_autofree char *full = g_strdup_printf ("%s.%s", arch, key);

  docent_gguf_writer_add_f32 (w, full, value);
}

static void
add_hparams (DocentGgufWriter       *w,
             const DocentSynthShape *s,
             guint                   head_dim)
{
  const char *arch = s->arch;

  docent_gguf_writer_add_string (w, "general.architecture", arch);
  docent_gguf_writer_add_string (w, "general.name", s->name);
  add_arch_u32 (w, arch, "context_length", s->n_ctx);
  add_arch_u32 (w, arch, "embedding_length", s->n_embd);
  add_arch_u32 (w, arch, "block_count", s->n_layer);
  add_arch_u32 (w, arch, "feed_forward_length", s->n_ff);
  add_arch_u32 (w, arch, "attention.head_count", s->n_head);
  if (strcmp (arch, "bert") == 0)
    {
      add_arch_f32 (w, arch, "attention.layer_norm_epsilon", 1e-12f);
      add_arch_u32 (w, arch, "pooling_type", 2);
      return;
    }
  add_arch_u32 (w, arch, "attention.head_count_kv", s->n_head_kv);
  add_arch_u32 (w, arch, "attention.key_length", head_dim);
  add_arch_u32 (w, arch, "attention.value_length", head_dim);
  add_arch_u32 (w, arch, "rope.dimension_count", head_dim);
  add_arch_f32 (w, arch, "rope.freq_base", s->rope_base);
  add_arch_f32 (w, arch, "attention.layer_norm_rms_epsilon", 1e-6f);
  if (s->n_swa > 0)
    {
      add_arch_u32 (w, arch, "attention.sliding_window", s->n_swa);
      add_arch_u32 (w, arch, "attention.sliding_window_pattern", 2);
    }
}

typedef struct {
  DocentGgufWriter *w;
  Rng rng;
  guint32 type;
  gboolean exact;
  gboolean tied;
} Build;

/* The "Q4_K_M" recipe: Q6_K for ffn_down and the output. */
static guint32
type_for (Build      *b,
          const char *name)
{
  if (b->type != DOCENT_SYNTH_Q4_K_M)
    return b->type;
  /* A tied embedding doubles as the output, so it gets the output's type. */
  if (g_str_has_suffix (name, "ffn_down.weight") || strcmp (name, "output.weight") == 0 ||
      (b->tied && strcmp (name, "token_embd.weight") == 0))
    return DOCENT_TYPE_Q6_K;
  return DOCENT_TYPE_Q4_K;
}

static gboolean
matrix (Build       *b,
        const char  *name,
        guint        rows,
        guint        cols,
        GError     **error)
{
  return add_matrix (b->w, &b->rng, name, rows, cols, type_for (b, name), b->exact, error);
}

static gboolean
decoder_layer (Build                  *b,
               const DocentSynthShape *s,
               guint                   il,
               guint                   hd,
               GError                **error)
{
  g_autofree char *p = g_strdup_printf ("blk.%u.", il);
  guint d = s->n_embd, q = s->n_head * hd, kv = s->n_head_kv * hd;
  gboolean phi3 = strcmp (s->arch, "phi3") == 0;
  gboolean qwen2 = strcmp (s->arch, "qwen2") == 0;
  gboolean qk_norm = strcmp (s->arch, "qwen3") == 0 || strcmp (s->arch, "gemma3") == 0;
  gboolean gemma = g_str_has_prefix (s->arch, "gemma");
  g_autofree char *n = NULL;
  gboolean ok = TRUE;

#define NAME(suffix) (g_free (n), n = g_strconcat (p, suffix, NULL))
  ok = ok && add_vector (b->w, &b->rng, NAME ("attn_norm.weight"), d, 1.0f, 0.1f, error);
  ok = ok && add_vector (b->w, &b->rng, NAME ("ffn_norm.weight"), d, 1.0f, 0.1f, error);
  if (phi3)
    ok = ok && matrix (b, NAME ("attn_qkv.weight"), q + 2 * kv, d, error);
  else
    {
      ok = ok && matrix (b, NAME ("attn_q.weight"), q, d, error);
      ok = ok && matrix (b, NAME ("attn_k.weight"), kv, d, error);
      ok = ok && matrix (b, NAME ("attn_v.weight"), kv, d, error);
    }
  if (qwen2)
    {
      ok = ok && add_vector (b->w, &b->rng, NAME ("attn_q.bias"), q, 0.0f, 0.1f, error);
      ok = ok && add_vector (b->w, &b->rng, NAME ("attn_k.bias"), kv, 0.0f, 0.1f, error);
      ok = ok && add_vector (b->w, &b->rng, NAME ("attn_v.bias"), kv, 0.0f, 0.1f, error);
    }
  if (qk_norm)
    {
      ok = ok && add_vector (b->w, &b->rng, NAME ("attn_q_norm.weight"), hd, 1.0f, 0.1f, error);
      ok = ok && add_vector (b->w, &b->rng, NAME ("attn_k_norm.weight"), hd, 1.0f, 0.1f, error);
    }
  if (gemma)
    {
      ok = ok && add_vector (b->w, &b->rng, NAME ("post_attention_norm.weight"), d, 1.0f, 0.1f, error);
      ok = ok && add_vector (b->w, &b->rng, NAME ("post_ffw_norm.weight"), d, 1.0f, 0.1f, error);
    }
  ok = ok && matrix (b, NAME ("attn_output.weight"), d, q, error);
  if (phi3)
    ok = ok && matrix (b, NAME ("ffn_up.weight"), 2 * s->n_ff, d, error);
  else
    {
      ok = ok && matrix (b, NAME ("ffn_gate.weight"), s->n_ff, d, error);
      ok = ok && matrix (b, NAME ("ffn_up.weight"), s->n_ff, d, error);
    }
  ok = ok && matrix (b, NAME ("ffn_down.weight"), d, s->n_ff, error);
#undef NAME
  return ok;
}

static gboolean
bert_layer (Build                  *b,
            const DocentSynthShape *s,
            guint                   il,
            GError                **error)
{
  static const char *const vectors[] = {
    "attn_q.bias", "attn_k.bias", "attn_v.bias", "attn_output.bias",
    "attn_output_norm.bias", "layer_output_norm.bias", "ffn_down.bias",
  };
  g_autofree char *p = g_strdup_printf ("blk.%u.", il);
  guint d = s->n_embd;
  g_autofree char *n = NULL;
  gboolean ok = TRUE;

#define NAME(suffix) (g_free (n), n = g_strconcat (p, suffix, NULL))
  for (guint i = 0; i < G_N_ELEMENTS (vectors); i++)
    ok = ok && add_vector (b->w, &b->rng, NAME (vectors[i]), d, 0.0f, 0.1f, error);
  ok = ok && add_vector (b->w, &b->rng, NAME ("ffn_up.bias"), s->n_ff, 0.0f, 0.1f, error);
  ok = ok && add_vector (b->w, &b->rng, NAME ("attn_output_norm.weight"), d, 1.0f, 0.1f, error);
  ok = ok && add_vector (b->w, &b->rng, NAME ("layer_output_norm.weight"), d, 1.0f, 0.1f, error);
  ok = ok && matrix (b, NAME ("attn_q.weight"), d, d, error);
  ok = ok && matrix (b, NAME ("attn_k.weight"), d, d, error);
  ok = ok && matrix (b, NAME ("attn_v.weight"), d, d, error);
  ok = ok && matrix (b, NAME ("attn_output.weight"), d, d, error);
  ok = ok && matrix (b, NAME ("ffn_up.weight"), s->n_ff, d, error);
  ok = ok && matrix (b, NAME ("ffn_down.weight"), d, s->n_ff, error);
#undef NAME
  return ok;
}

static gboolean
bert_model (Build                  *b,
            const DocentSynthShape *s,
            GError                **error)
{
  guint d = s->n_embd;

  add_wordpiece_vocab (b->w, s->n_vocab);
  if (!matrix (b, "token_embd.weight", s->n_vocab, d, error) ||
      !add_matrix (b->w, &b->rng, "position_embd.weight", s->n_ctx, d, DOCENT_TYPE_F32, TRUE, error) ||
      !add_matrix (b->w, &b->rng, "token_types.weight", 2, d, DOCENT_TYPE_F32, TRUE, error) ||
      !add_vector (b->w, &b->rng, "token_embd_norm.weight", d, 1.0f, 0.1f, error) ||
      !add_vector (b->w, &b->rng, "token_embd_norm.bias", d, 0.0f, 0.1f, error))
    return FALSE;
  for (guint il = 0; il < s->n_layer; il++)
    if (!bert_layer (b, s, il, error))
      return FALSE;
  return TRUE;
}

/* Llama 3's long-context frequency divisors (factor 32 over an original
 * context of 8192, low and high frequency factors 1 and 4), as its
 * converted files carry them in rope_freqs.weight. */
static gboolean
add_llama3_rope_freqs (DocentGgufWriter  *w,
                       guint              n_rot,
                       float              base,
                       GError           **error)
{
  const double factor = 32.0, low = 1.0, high = 4.0, original = 8192.0;
  g_autofree float *f = g_new (float, n_rot / 2);
  guint64 dims[1] = { n_rot / 2 };

  for (guint i = 0; i < n_rot / 2; i++)
    {
      double wavelen = 2.0 * G_PI / pow (base, -2.0 * i / n_rot);

      if (wavelen < original / high)
        f[i] = 1.0f;
      else if (wavelen > original / low)
        f[i] = (float) factor;
      else
        {
          double smooth = (original / wavelen - low) / (high - low);

          f[i] = (float) (1.0 / ((1.0 - smooth) / factor + smooth));
        }
    }
  return docent_gguf_writer_add_tensor (w, "rope_freqs.weight", 1, dims, DOCENT_TYPE_F32, f,
                                        (n_rot / 2) * sizeof (float), error);
}

static gboolean
decoder_model (Build                  *b,
               const DocentSynthShape *s,
               guint                   hd,
               GError                **error)
{
  guint d = s->n_embd;

  add_bpe_vocab (b->w, strcmp (s->arch, "llama") == 0 ? "llama-bpe" : "qwen2", s->n_vocab);
  if (!matrix (b, "token_embd.weight", s->n_vocab, d, error))
    return FALSE;
  if (strcmp (s->name, "llama-3.2-1b") == 0 && !add_llama3_rope_freqs (b->w, hd, s->rope_base, error))
    return FALSE;
  if (!add_vector (b->w, &b->rng, "output_norm.weight", d, 1.0f, 0.1f, error) ||
      (!s->tied && !matrix (b, "output.weight", s->n_vocab, d, error)))
    return FALSE;
  for (guint il = 0; il < s->n_layer; il++)
    if (!decoder_layer (b, s, il, hd, error))
      return FALSE;
  return TRUE;
}

DocentGgufWriter *
docent_synth_build (const DocentSynthShape  *shape,
                    guint32                  type,
                    guint64                  seed,
                    gboolean                 exact,
                    GError                 **error)
{
  Build b = { docent_gguf_writer_new (), { seed * 0x9E3779B97F4A7C15ULL + 1 }, type, exact,
            shape->tied };
  guint hd = shape->head_dim != 0 ? shape->head_dim : shape->n_embd / shape->n_head;
  gboolean ok;

  g_return_val_if_fail (shape != NULL, NULL);
  add_hparams (b.w, shape, hd);
  if (strcmp (shape->arch, "bert") == 0)
    ok = bert_model (&b, shape, error);
  else
    ok = decoder_model (&b, shape, hd, error);
  if (!ok)
    {
      docent_gguf_writer_free (b.w);
      return NULL;
    }
  return b.w;
}

gboolean
docent_synth_write (const DocentSynthShape  *shape,
                    guint32                  type,
                    guint64                  seed,
                    const char              *path,
                    GError                 **error)
{
  g_autoptr(DocentGgufWriter) w = docent_synth_build (shape, type, seed, FALSE, error);

  return w != NULL && docent_gguf_writer_write_file (w, path, error);
}
