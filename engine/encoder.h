/* encoder.h — embeddings from encoder models (bert, nomic-bert): texts in,
 * pooled (and optionally L2-normalised) vectors out, many per call. */
#pragma once

#include "engine/model.h"
#include "engine/threadpool.h"

G_BEGIN_DECLS

/* Embeds token sequences (already tokenized, with CLS/SEP as the model
 * wants) into out (n_seqs × n_embd floats), pooled as the file declares.
 * Sequences longer than the model's context are an error. */
gboolean docent_encoder_embed_tokens (DocentModel       *model,
                                      DocentThreadPool  *pool,
                                      const gint32     **seqs,
                                      const guint       *lengths,
                                      guint              n_seqs,
                                      gboolean           normalize,
                                      float             *out,
                                      GError           **error);

/* Tokenizes (with the model's special tokens and any prefix the caller put
 * in the text), truncates to the context, embeds and L2-normalises. */
gboolean docent_encoder_embed_texts  (DocentModel       *model,
                                      DocentThreadPool  *pool,
                                      const char *const *texts,
                                      guint              n_texts,
                                      float             *out,
                                      GError           **error);

/* "sha256-of-file:pooling", what the index keys vectors on. */
char    *docent_encoder_id           (DocentModel       *model);
/* The same key from a known SHA-256 (no hashing of the file). */
char    *docent_encoder_key          (const char        *sha256,
                                      DocentPooling      pooling);

G_END_DECLS
