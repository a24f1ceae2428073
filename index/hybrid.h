/* hybrid.h — retrieval by words and by meaning: BM25 (search.h) and dense
 * search (vectors.h) fused by reciprocal rank fusion.
 *
 * The query vector comes from the caller (the index layer knows no
 * models): embed the query with the same embedder, then search here. */
#pragma once

#include "index/search.h"
#include "index/vectors.h"

G_BEGIN_DECLS

typedef enum {
  DOCENT_SEARCH_BM25,
  DOCENT_SEARCH_DENSE,
  DOCENT_SEARCH_HYBRID,
} DocentSearchMode;

#define DOCENT_RRF_K 60

typedef struct {
  DocentSearchOptions base;      /* query, limit, collection, document */
  DocentSearchMode mode;
  guint rrf_k;                   /* 0: DOCENT_RRF_K */
  guint candidates;              /* per side before fusion; 0: max(5k, 50) */
  /* dense and hybrid */
  DocentVectorIndex *vectors;
  const char *embedder;
  const float *query_vector;     /* dim floats, L2-normalised */
  guint dim;
} DocentHybridOptions;

typedef struct {
  double embed_ms;               /* filled by the caller that embeds */
  double fts_ms;
  double vector_ms;
  double fuse_ms;
  double total_ms;
} DocentHybridTimings;

/* Returns DocentSearchHit* best first: for HYBRID the score is the fused
 * RRF score and bm25_rank/dense_rank say where each side placed the chunk
 * (0: not found by that side). Overlapping chunks of the same pages (the
 * chunker's overlap) are reported once, at the better rank. */
GPtrArray *docent_store_hybrid_search (DocentStore                *store,
                                       const DocentHybridOptions  *opts,
                                       DocentHybridTimings        *timings,
                                       GError                    **error);

const char *docent_search_mode_to_string   (DocentSearchMode  mode);
gboolean    docent_search_mode_from_string (const char       *name,
                                            DocentSearchMode *out);

G_END_DECLS
