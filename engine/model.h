/* model.h — a loaded GGUF model: hyper-parameters, weights (left in the
 * mmap, never copied) and tokenizer. Immutable once loaded and shared by
 * reference between any number of contexts and threads. */
#pragma once

#include "engine/gguf.h"
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
  char sha256[65];                  /* of the file, hex: the model's identity */
} DocentModelInfo;

typedef struct _DocentModel DocentModel;

DocentModel           *docent_model_load      (const char   *path,
                                               GError      **error);
DocentModel           *docent_model_ref       (DocentModel  *model);
void                   docent_model_unref     (DocentModel  *model);
const DocentModelInfo *docent_model_info      (DocentModel  *model);
DocentTokenizer       *docent_model_tokenizer (DocentModel  *model);
DocentGguf            *docent_model_gguf      (DocentModel  *model);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DocentModel, docent_model_unref)

G_END_DECLS
