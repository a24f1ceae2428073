/* search.h — full-text search over the chunks with BM25 ranking. */
#pragma once

#include "index/store.h"

G_BEGIN_DECLS

/* Marks around matched terms in DocentSearchHit.snippet; renderers replace
 * them (bold on a terminal, <b> in Pango markup, ...). */
#define DOCENT_MARK_START "\x02"
#define DOCENT_MARK_END   "\x03"

typedef struct {
  const char *query;       /* as typed by the person */
  guint limit;             /* results wanted (k); 0 means 10 */
  const char *collection;  /* only documents in this collection, or NULL */
  gint64 document_id;      /* only this document, or 0 */
  const gint64 *document_ids; /* or only these (n_document_ids > 0); */
  guint n_document_ids;       /* either overrides the collection */
} DocentSearchOptions;

typedef struct {
  gint64 chunk_id;
  gint64 document_id;
  char *path;
  char *title;
  char *heading;
  guint page_start, page_end;
  guint char_start, char_end;
  double score;            /* higher is better (negated BM25) */
  char *snippet;           /* with DOCENT_MARK_START/END around matches */
  char *text;
  guint bm25_rank;         /* hybrid search: 1-based rank by words, 0 none */
  guint dense_rank;        /* and by meaning */
  float similarity;        /* cosine with the query when dense ranked it */
} DocentSearchHit;

typedef struct {
  double parse_ms;
  double fts_ms;
  double total_ms;
} DocentSearchTimings;

/* Returns a GPtrArray of DocentSearchHit*, best first (possibly empty).
 * A query with nothing to search for yields an empty array, not an error.
 * timings may be NULL. */
GPtrArray *docent_store_search (DocentStore               *store,
                                const DocentSearchOptions *opts,
                                DocentSearchTimings       *timings,
                                GError                   **error);

/* For the store, when it opens a connection: registers docent_rank(), the
 * BM25 ranking function search uses. */
struct sqlite3;
gboolean docent_search_register (struct sqlite3  *db,
                                 GError         **error);

void docent_search_hit_free (DocentSearchHit *hit);

/* Replaces the marks: `start`/`end` around matches; when `escape_markup`,
 * the rest is escaped for Pango/HTML. */
char *docent_snippet_render (const char *snippet,
                             const char *start,
                             const char *end,
                             gboolean    escape_markup);

G_END_DECLS
