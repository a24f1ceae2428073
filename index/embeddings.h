/* embeddings.h — the `embeddings` table: one vector per (chunk, embedder),
 * the source of truth the FAISS index is built from.
 *
 * An embedder is a string key naming one vector space (the model file's
 * SHA-256 and its pooling, see docent_encoder_id()). Vectors of different
 * embedders never mix; switching models leaves the old vectors in place so
 * switching back costs nothing (docent_store_drop_embeddings() frees them).
 * Every write bumps the store generation, which is how a cached index
 * knows it is stale. */
#pragma once

#include "index/store.h"

G_BEGIN_DECLS

/* A chunk waiting for a vector: its id and the text to embed. */
typedef struct {
  gint64 chunk_id;
  char *heading;         /* may be NULL */
  char *text;
} DocentPendingChunk;

void       docent_pending_chunk_free (DocentPendingChunk *chunk);

/* Up to `limit` chunks with no vector for `embedder` and an id above
 * `after_id`, in id order (DocentPendingChunk*). Resuming after a crash is
 * just calling this again. */
GPtrArray *docent_store_pending_chunks   (DocentStore    *store,
                                          const char     *embedder,
                                          gint64          after_id,
                                          guint           limit,
                                          GError        **error);
/* How many chunks have no vector for `embedder`. */
gboolean   docent_store_count_pending    (DocentStore    *store,
                                          const char     *embedder,
                                          guint64        *out,
                                          GError        **error);

/* Stores n vectors of `dim` floats in one transaction (replacing existing
 * ones) and gives each a new version; vectors of chunks deleted meanwhile
 * are skipped, not an error. */
gboolean   docent_store_put_embeddings   (DocentStore    *store,
                                          const char     *embedder,
                                          const gint64   *chunk_ids,
                                          const float    *vectors,
                                          guint           n,
                                          guint           dim,
                                          GError        **error);

/* The ids of chunks with a vector for `embedder`, ascending (gint64). */
GArray    *docent_store_embedding_ids    (DocentStore    *store,
                                          const char     *embedder,
                                          GError        **error);

/* The same with each vector's version (gint64, parallel to the ids): a
 * number that changes whenever the vector is written and is never reused,
 * even when SQLite hands a deleted chunk's id to a new chunk. What a vector
 * index syncs on. */
gboolean   docent_store_embedding_versions (DocentStore  *store,
                                            const char   *embedder,
                                            GArray      **ids,
                                            GArray      **versions,
                                            GError      **error);

/* Reads the vectors of `ids` (n × dim floats into out). Ids without a
 * vector are DOCENT_STORE_ERROR_NOT_FOUND; a vector of another dimension
 * is DOCENT_VECTORS_ERROR_DIMENSION (vectors.h). */
gboolean   docent_store_read_embeddings  (DocentStore    *store,
                                          const char     *embedder,
                                          const gint64   *ids,
                                          guint           n,
                                          guint           dim,
                                          float          *out,
                                          GError        **error);

/* Calls func for every vector of `embedder` in id order, `batch` at a time
 * (ids and n × dim floats); stops early when func returns FALSE. Vectors of
 * another dimension are DOCENT_VECTORS_ERROR_DIMENSION. */
typedef gboolean (*DocentEmbeddingBatchFunc) (const gint64 *ids,
                                              const float  *vectors,
                                              guint         n,
                                              gpointer      user_data,
                                              GError      **error);
gboolean   docent_store_foreach_embedding (DocentStore             *store,
                                           const char              *embedder,
                                           guint                    dim,
                                           guint                    batch,
                                           DocentEmbeddingBatchFunc func,
                                           gpointer                 user_data,
                                           GError                 **error);

/* Deletes every vector of `embedder`. */
gboolean   docent_store_drop_embeddings  (DocentStore    *store,
                                          const char     *embedder,
                                          GError        **error);

/* The store generation (bumped by every change of chunks or vectors). */
gboolean   docent_store_generation       (DocentStore    *store,
                                          gint64         *out,
                                          GError        **error);

/* Chunk ids of the documents in `collection` and/or of `document_id`
 * (either may be NULL/0, not both) as a set (GHashTable of gint64*). */
GHashTable *docent_store_filter_chunk_ids (DocentStore   *store,
                                           const char    *collection,
                                           gint64         document_id,
                                           GError       **error);
/* The same for several documents: the union of their chunk ids. */
GHashTable *docent_store_filter_chunk_ids_of (DocentStore   *store,
                                              const gint64  *document_ids,
                                              guint          n_document_ids,
                                              GError       **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DocentPendingChunk, docent_pending_chunk_free)

G_END_DECLS
