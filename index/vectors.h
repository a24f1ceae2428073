/* vectors.h — the dense index of one embedder: FAISS (through its C API)
 * over the vectors of the embeddings table.
 *
 * The database is the source of truth; the index is a cache kept in
 * `vectors-<key>.faiss` beside it, written atomically (temp file, fsync,
 * rename) with the store generation it reflects and a checksum. Opening
 * verifies the file (checksum, embedder, dimension, count, generation):
 * a stale index is brought up to date by applying the difference between
 * its (chunk id, vector version) pairs and the table's (remove_ids for
 * vectors that are gone or were rewritten, add for new or rewritten ones:
 * a chunk id alone is not enough, SQLite reuses them); a missing,
 * unreadable or mismatched one is rebuilt.
 *
 * Index kind by size: exact inner-product search (IndexIDMap over
 * IndexFlatIP) below DOCENT_VECTORS_IVF_THRESHOLD vectors, an IVF-Flat
 * index above it, its nprobe calibrated at build time for recall@10 >= 0.98
 * against exact search (0.99 on the sample queries it is calibrated with,
 * so that other queries stay above 0.98). An IVF index is rebuilt when the
 * library outgrows the size it was trained for (see
 * docent_vector_index_wants_rebuild()).
 *
 * A DocentVectorIndex may be searched from several threads; add, remove,
 * sync and swap take a lock. Vectors are expected L2-normalised (the inner
 * product is then the cosine). */
#pragma once

#include "index/store.h"

G_BEGIN_DECLS

#define DOCENT_VECTORS_ERROR (docent_vectors_error_quark ())
GQuark docent_vectors_error_quark (void);

typedef enum {
  DOCENT_VECTORS_ERROR_FAISS,    /* FAISS reported an error */
  DOCENT_VECTORS_ERROR_FILE,     /* the cache file is unreadable or invalid */
  DOCENT_VECTORS_ERROR_DIMENSION /* vectors of another dimension */
} DocentVectorsError;

/* Below this many vectors search is exact; measured in BENCHMARKS.md. */
#define DOCENT_VECTORS_IVF_THRESHOLD 50000

typedef enum {
  DOCENT_VECTORS_EXACT,
  DOCENT_VECTORS_IVF,
} DocentVectorKind;

typedef enum {
  DOCENT_VECTORS_LOADED,         /* the cache file was current */
  DOCENT_VECTORS_SYNCED,         /* it was stale and brought up to date */
  DOCENT_VECTORS_REBUILT,        /* missing or invalid: rebuilt from SQLite */
} DocentVectorOpenOutcome;

typedef struct {
  DocentVectorKind kind;
  guint dim;
  guint64 count;
  gint64 generation;             /* of the store the index reflects */
  guint nlist, nprobe;           /* IVF only */
  guint64 trained_for;           /* IVF: vector count it was built for */
  DocentVectorOpenOutcome outcome;
} DocentVectorStats;

typedef struct {
  gint64 chunk_id;
  float score;                   /* inner product, higher is closer */
} DocentVectorHit;

typedef struct _DocentVectorIndex DocentVectorIndex;

/* `vectors-<key>.faiss` in dir, key derived from the embedder id. */
char              *docent_vector_index_path   (const char         *dir,
                                               const char         *embedder);

/* Opens the index of `embedder` (vectors of `dim` floats) cached in
 * `path`, verifying and syncing it with `store` as described above; the
 * store's vectors of another dimension are an error. Saves the file when it
 * had to sync or rebuild. */
DocentVectorIndex *docent_vector_index_open   (DocentStore        *store,
                                               const char         *path,
                                               const char         *embedder,
                                               guint               dim,
                                               GError            **error);
/* The same with another size at which search turns approximate (tests and
 * benchmarks; 0 means never). */
DocentVectorIndex *docent_vector_index_open_full (DocentStore     *store,
                                                  const char      *path,
                                                  const char      *embedder,
                                                  guint            dim,
                                                  guint64          ivf_threshold,
                                                  GError         **error);
void               docent_vector_index_free   (DocentVectorIndex  *index);

void               docent_vector_index_stats  (DocentVectorIndex  *index,
                                               DocentVectorStats  *out);

/* Brings the index up to date with the store (ids added or removed since)
 * and saves it when anything changed. */
gboolean           docent_vector_index_sync   (DocentVectorIndex  *index,
                                               DocentStore        *store,
                                               GError            **error);

/* The k closest vectors to `query` (dim floats), best first. With
 * `allowed` (a GHashTable set of gint64 chunk ids), only those: the search
 * widens until k allowed hits are found or the index is exhausted. */
GArray            *docent_vector_index_search (DocentVectorIndex  *index,
                                               const float        *query,
                                               guint               k,
                                               GHashTable         *allowed,
                                               GError            **error);

/* TRUE when the index should be rebuilt for its size (exact past the
 * threshold, or IVF grown 4× past what it was trained for). */
gboolean           docent_vector_index_wants_rebuild (DocentVectorIndex *index);

/* Rebuilds from `store` (a connection of the calling thread: run it on a
 * worker thread while searches go on) and swaps the new index in, then
 * saves it. */
gboolean           docent_vector_index_rebuild (DocentVectorIndex *index,
                                                DocentStore       *store,
                                                GError           **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DocentVectorIndex, docent_vector_index_free)

G_END_DECLS
