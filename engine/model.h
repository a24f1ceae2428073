/* model.h — a loaded GGUF model: hyper-parameters, weights (left in the
 * mmap, never copied) and tokenizer. Immutable once loaded and shared by
 * reference between any number of contexts and threads. */
#pragma once

#include "engine/gguf.h"
#include "engine/matmul.h"
#include "engine/tokenizer.h"

G_BEGIN_DECLS

#define DOCENT_MODEL_ERROR (docent_model_error_quark ())
GQuark docent_model_error_quark (void);

typedef enum {
  DOCENT_MODEL_ERROR_UNSUPPORTED,   /* an architecture or tensor type we do not run */
  DOCENT_MODEL_ERROR_INVALID,       /* missing or misshapen tensors / keys */
  DOCENT_MODEL_ERROR_CONTEXT_FULL,  /* more tokens than the context holds */
} DocentModelError;

typedef enum {
  DOCENT_MODEL_DECODER,             /* generates text (llama, qwen2, ...) */
  DOCENT_MODEL_ENCODER,             /* embeds text (bert, nomic-bert) */
} DocentModelKind;

typedef enum {
  DOCENT_POOLING_NONE,
  DOCENT_POOLING_MEAN,
  DOCENT_POOLING_CLS,
  DOCENT_POOLING_LAST,
} DocentPooling;

/* "none", "mean", "cls", "last": how vector keys and settings name it. */
const char *docent_pooling_name (DocentPooling pooling);

typedef struct {
  const char *architecture;         /* general.architecture */
  DocentModelKind kind;
  guint n_vocab;
  guint n_ctx_train;
  guint n_embd;
  guint n_layer;
  guint n_head;
  guint n_head_kv;
  guint head_dim;                   /* key/value length per head */
  guint n_ff;
  DocentPooling pooling;            /* encoders */
} DocentModelInfo;

typedef struct _DocentModel DocentModel;

DocentModel           *docent_model_load      (const char   *path,
                                               GError      **error);
DocentModel           *docent_model_ref       (DocentModel  *model);
void                   docent_model_unref     (DocentModel  *model);
const DocentModelInfo *docent_model_info      (DocentModel  *model);
/* The file's SHA-256 (hex), the model's identity: hashed on the first call,
 * which reads the whole file (about 1 s for 500 MB). */
const char            *docent_model_sha256    (DocentModel  *model);
DocentTokenizer       *docent_model_tokenizer (DocentModel  *model);
DocentGguf            *docent_model_gguf      (DocentModel  *model);

/* ---- decoder weights (engine-internal: context.c runs them) -------------
 * Small vectors (norms, biases) are converted to F32 copies owned by the
 * model; matrices point into the mapping. Absent tensors are NULL, or a
 * DocentMatrix with data NULL. */


typedef struct {
  const float *attn_norm;
  const float *q_bias, *k_bias, *v_bias;
  const float *q_norm, *k_norm;           /* per head, head_dim long */
  const float *post_attn_norm;
  const float *ffn_norm;
  const float *post_ffn_norm;
  DocentMatrix wq, wk, wv;
  DocentMatrix wqkv;                      /* phi3: q, k and v rows stacked */
  DocentMatrix wo;
  DocentMatrix w_gate, w_up, w_down;      /* phi3: w_up holds gate then up */
  gboolean sliding;                       /* attends to the last n_swa only */
  float rope_base;
} DocentDecoderLayer;

typedef struct {
  gboolean neox;              /* rotate (i, i + n_rot/2) instead of (2i, 2i+1) */
  gboolean gelu;              /* GeGLU (gemma) instead of SwiGLU */
  gboolean scale_embd;        /* embeddings times sqrt(n_embd) (gemma) */
  guint n_rot;                /* rotated dimensions per head */
  guint n_swa;                /* sliding window, 0: none */
  float eps;                  /* RMS norm epsilon */
  float rope_scale;           /* position multiplier (1 / linear factor) */
  const float *rope_factors;  /* n_rot / 2 frequency divisors, or NULL */
  float attn_scale;           /* multiplies q.k */
  gboolean scale_q;           /* apply attn_scale to q rather than to q.k
                               * (phi3, gemma: as their reference graphs do) */
  float attn_softcap;         /* 0: none (gemma2: 50) */
  float final_softcap;        /* 0: none (gemma2: 30) */
  DocentMatrix token_embd;
  const float *output_norm;
  DocentMatrix output;        /* token_embd when the output is tied */
  DocentDecoderLayer *layers;
} DocentDecoderWeights;

/* NULL for encoders. */
const DocentDecoderWeights *docent_model_decoder (DocentModel *model);
/* The file's path. */
const char                 *docent_model_path    (DocentModel *model);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DocentModel, docent_model_unref)

G_END_DECLS
