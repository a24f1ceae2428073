/* embedder.h — the embedding model in use for a library: the loaded
 * model, its vector index, query embedding and the job that embeds every
 * chunk still without a vector.
 *
 * The job is resumable by construction: it asks the store for chunks with
 * no vector for this embedder, embeds them a batch at a time and stores
 * each batch in one transaction, so a crash or quit loses at most the
 * batch in flight and the next run picks up the rest. */
#pragma once

#include "app/settings.h"
#include "index/store.h"
#include "index/vectors.h"

G_BEGIN_DECLS

typedef struct {
  guint64 done;            /* chunks embedded so far by this job */
  guint64 total;           /* chunks this job has to embed */
  double chunks_per_second;
} DocentEmbedProgress;

typedef void (*DocentEmbedProgressFunc) (const DocentEmbedProgress *progress,
                                         gpointer                   user_data);

typedef struct {
  guint batch;             /* chunks per encoder call; 0: 16 */
  DocentEmbedProgressFunc progress;
  gpointer user_data;
  GCancellable *cancellable;
} DocentEmbedOptions;

typedef struct _DocentEmbedder DocentEmbedder;

/* Loads the model of `entry` and opens (verifying, syncing or rebuilding)
 * its vector index in `dir`. n_threads 0: one per core. */
DocentEmbedder *docent_embedder_open        (const DocentModelEntry  *entry,
                                             DocentStore             *store,
                                             const char              *dir,
                                             guint                    n_threads,
                                             GError                 **error);
void            docent_embedder_free        (DocentEmbedder          *embedder);

/* The key its vectors are stored under ("<sha256>:<pooling>"). */
const char     *docent_embedder_key         (DocentEmbedder          *embedder);
const char     *docent_embedder_model_id    (DocentEmbedder          *embedder);
guint           docent_embedder_dim         (DocentEmbedder          *embedder);
DocentVectorIndex *docent_embedder_vectors  (DocentEmbedder          *embedder);

/* Embeds a query (with the model's query prefix) into out (dim floats). */
gboolean        docent_embedder_embed_query (DocentEmbedder          *embedder,
                                             const char              *query,
                                             float                   *out,
                                             GError                 **error);

/* Embeds every chunk without a vector, then brings the vector index up to
 * date (rebuilding it when it outgrew its kind). `n_embedded` may be NULL.
 * Cancelled: FALSE with G_IO_ERROR_CANCELLED; what was stored stays. */
gboolean        docent_embedder_run         (DocentEmbedder            *embedder,
                                             DocentStore               *store,
                                             const DocentEmbedOptions  *opts,
                                             guint64                   *n_embedded,
                                             GError                   **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DocentEmbedder, docent_embedder_free)

G_END_DECLS
