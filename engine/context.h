/* context.h — one decoding session over a decoder model: the KV cache, the
 * scratch buffers and the thread pool. A context is used by one thread at
 * a time; create one per conversation (they share the model). */
#pragma once

#include <gio/gio.h>

#include "engine/model.h"
#include "engine/threadpool.h"

G_BEGIN_DECLS

typedef struct _DocentContext DocentContext;

/* n_ctx: tokens the KV cache holds (0: the model's training context,
 * capped at 4096). The pool may be NULL (one thread) and is borrowed. */
DocentContext *docent_context_new       (DocentModel       *model,
                                         guint              n_ctx,
                                         DocentThreadPool  *pool,
                                         GError           **error);
void           docent_context_free      (DocentContext     *ctx);
DocentModel   *docent_context_model     (DocentContext     *ctx);
guint          docent_context_n_ctx     (DocentContext     *ctx);
/* Tokens in the KV cache (the next token's position). */
guint          docent_context_n_past    (DocentContext     *ctx);
/* Forgets the cache from position n_past on (n_past <= current), so a
 * caller can keep a shared prefix and evaluate a different continuation. */
void           docent_context_truncate  (DocentContext     *ctx,
                                         guint              n_past);
/* Evaluates `n` tokens at positions n_past .. n_past + n - 1 in one batch
 * (matrix × matrix), appending them to the cache. With all_logits the
 * logits of every token are kept, else only the last one's. Fails with
 * DOCENT_MODEL_ERROR_CONTEXT_FULL, changing nothing, when they do not fit;
 * with G_IO_ERROR_CANCELLED (cache truncated back) when cancelled. */
gboolean       docent_context_eval      (DocentContext     *ctx,
                                         const gint32      *tokens,
                                         guint              n,
                                         gboolean           all_logits,
                                         GCancellable      *cancellable,
                                         GError           **error);
/* Logits (n_vocab floats) of the i-th token of the last eval; with
 * all_logits FALSE only i = n - 1 is valid. */
const float   *docent_context_logits    (DocentContext     *ctx,
                                         guint              i);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DocentContext, docent_context_free)

G_END_DECLS
