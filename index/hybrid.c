/* hybrid.c — BM25 and dense results fused by reciprocal rank fusion.
 *
 * Each side ranks its own candidates (more than the k asked for, so that a
 * passage second on one side and absent from the other's top k still
 * counts); a chunk scores sum(1 / (rrf_k + rank)) over the sides that
 * found it. RRF needs no score calibration between BM25 and cosine, which
 * is why it is the usual choice for hybrid retrieval.
 *
 * Filters apply to both sides: BM25 scopes its scan, the dense side is
 * given the set of allowed chunk ids. When that set is small (one
 * document), its vectors are read from the table and scored exactly,
 * cheaper than widening an index search until enough allowed hits
 * appear. */
#include "index/hybrid.h"

#include <string.h>

#include <sqlite3.h>

#include "index/embeddings.h"

/* At most this many allowed chunks: score them exactly from the table. */
#define EXACT_FILTER_MAX 4096
#define EXCERPT_CHARS 240

typedef struct {
  gint64 chunk_id;
  double rrf;
  guint bm25_rank, dense_rank;
  float similarity;
  DocentSearchHit *hit;     /* owned; NULL until read */
} Fused;

static double
ms_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1000.0;
}

const char *
docent_search_mode_to_string (DocentSearchMode mode)
{
  static const char *const names[] = { "bm25", "dense", "hybrid" };

  return mode <= DOCENT_SEARCH_HYBRID ? names[mode] : "unknown";
}

gboolean
docent_search_mode_from_string (const char       *name,
                                DocentSearchMode *out)
{
  for (DocentSearchMode m = DOCENT_SEARCH_BM25; m <= DOCENT_SEARCH_HYBRID; m++)
    if (g_strcmp0 (name, docent_search_mode_to_string (m)) == 0)
      {
        *out = m;
        return TRUE;
      }
  return FALSE;
}

/* ---- the dense side ---------------------------------------------------- */

static int
compare_hits (gconstpointer a,
              gconstpointer b)
{
  const DocentVectorHit *x = a, *y = b;

  if (x->score != y->score)
    return x->score < y->score ? 1 : -1;
  return x->chunk_id < y->chunk_id ? -1 : x->chunk_id > y->chunk_id;
}

/* Exact scores of the allowed chunks' vectors, from the table. Chunks not
 * embedded yet are skipped. */
static GArray *
score_allowed (DocentStore                *store,
               const DocentHybridOptions  *opts,
               GHashTable                 *allowed,
               guint                       k,
               GError                    **error)
{
  g_autoptr(GArray) hits = g_array_new (FALSE, FALSE, sizeof (DocentVectorHit));
  g_autofree float *vector = g_new (float, opts->dim);
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, allowed);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      DocentVectorHit hit = { *(gint64 *) key, 0.0f };
      g_autoptr(GError) local = NULL;

      if (!docent_store_read_embeddings (store, opts->embedder, &hit.chunk_id, 1,
                                         opts->dim, vector, &local))
        {
          if (g_error_matches (local, DOCENT_STORE_ERROR, DOCENT_STORE_ERROR_NOT_FOUND))
            continue;
          g_propagate_error (error, g_steal_pointer (&local));
          return NULL;
        }
      for (guint j = 0; j < opts->dim; j++)
        hit.score += vector[j] * opts->query_vector[j];
      g_array_append_val (hits, hit);
    }
  g_array_sort (hits, compare_hits);
  if (hits->len > k)
    g_array_set_size (hits, k);
  return g_steal_pointer (&hits);
}

static GArray *
dense_side (DocentStore                *store,
            const DocentHybridOptions  *opts,
            guint                       k,
            GError                    **error)
{
  g_autoptr(GHashTable) allowed = NULL;

  if (opts->vectors == NULL || opts->query_vector == NULL)
    {
      g_set_error (error, DOCENT_STORE_ERROR, DOCENT_STORE_ERROR_QUERY,
                   "search by meaning needs an embedding model (docent-cli models use --embedder)");
      return NULL;
    }
  if (opts->base.n_document_ids > 0 || opts->base.collection != NULL ||
      opts->base.document_id != 0)
    {
      if (opts->base.n_document_ids > 0)
        allowed = docent_store_filter_chunk_ids_of (store, opts->base.document_ids,
                                                    opts->base.n_document_ids, error);
      else
        allowed = docent_store_filter_chunk_ids (store, opts->base.collection,
                                                 opts->base.document_id, error);
      if (allowed == NULL)
        return NULL;
      if (g_hash_table_size (allowed) <= EXACT_FILTER_MAX)
        return score_allowed (store, opts, allowed, k, error);
    }
  return docent_vector_index_search (opts->vectors, opts->query_vector, k, allowed, error);
}

/* ---- fusion ------------------------------------------------------------ */

static Fused *
fused_for (GHashTable *by_id,
           GArray     *fused,
           gint64      chunk_id)
{
  gpointer at;

  if (g_hash_table_lookup_extended (by_id, &chunk_id, NULL, &at))
    return &g_array_index (fused, Fused, GPOINTER_TO_UINT (at));
  g_array_set_size (fused, fused->len + 1);
  g_array_index (fused, Fused, fused->len - 1).chunk_id = chunk_id;
  g_hash_table_insert (by_id, &g_array_index (fused, Fused, fused->len - 1).chunk_id,
                       GUINT_TO_POINTER (fused->len - 1));
  return &g_array_index (fused, Fused, fused->len - 1);
}

static int
compare_fused (gconstpointer a,
               gconstpointer b)
{
  const Fused *x = a, *y = b;

  if (x->rrf != y->rrf)
    return x->rrf < y->rrf ? 1 : -1;
  return x->chunk_id < y->chunk_id ? -1 : x->chunk_id > y->chunk_id;
}

/* Fuses both rankings into `fused` (sorted best first). The BM25 hits are
 * moved into it. */
static void
fuse (GPtrArray *bm25,
      GArray    *dense,
      guint      rrf_k,
      GArray    *fused)
{
  /* Keys point into `fused`, so it must not move: reserve it all. */
  g_autoptr(GHashTable) by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  guint n_bm25 = bm25 != NULL ? bm25->len : 0, n_dense = dense != NULL ? dense->len : 0;

  g_array_set_size (fused, n_bm25 + n_dense);
  g_array_set_size (fused, 0);
  for (guint i = 0; i < n_bm25; i++)
    {
      DocentSearchHit *hit = g_ptr_array_index (bm25, i);
      Fused *f = fused_for (by_id, fused, hit->chunk_id);

      f->bm25_rank = i + 1;
      f->rrf += 1.0 / (rrf_k + i + 1);
      f->hit = g_steal_pointer (&g_ptr_array_index (bm25, i));
    }
  for (guint i = 0; i < n_dense; i++)
    {
      const DocentVectorHit *v = &g_array_index (dense, DocentVectorHit, i);
      Fused *f = fused_for (by_id, fused, v->chunk_id);

      f->dense_rank = i + 1;
      f->similarity = v->score;
      f->rrf += 1.0 / (rrf_k + i + 1);
    }
  g_array_sort (fused, compare_fused);
}

/* A short excerpt for a chunk found by meaning alone (no word to mark). */
static char *
excerpt (const char *text)
{
  const char *end = text;

  while (*end != '\0' && end - text < EXCERPT_CHARS)
    end = g_utf8_next_char (end);
  if (*end == '\0')
    return g_strdup (text);
  for (const char *p = end; p > text + EXCERPT_CHARS / 2; p--)
    if (*p == ' ')
      {
        end = p;
        break;
      }
  return g_strdup_printf ("%.*s…", (int) (end - text), text);
}

static gboolean
read_rows (DocentStore  *store,
           Fused        *items,
           guint         n,
           GError      **error)
{
  static const char sql[] =
    "SELECT c.document_id, d.path, d.title, c.heading, c.page_start, c.page_end,"
    "       c.char_start, c.char_end, c.text"
    " FROM chunks c JOIN documents d ON d.id = c.document_id WHERE c.id = ?1";

  for (guint i = 0; i < n; i++)
    {
      sqlite3_stmt *stmt;
      DocentSearchHit *hit;

      if (items[i].hit != NULL)
        continue;
      stmt = docent_store_statement (store, sql, error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, items[i].chunk_id);
      if (sqlite3_step (stmt) != SQLITE_ROW)
        {
          /* Removed since the index was written: not a result. */
          if (!docent_store_finish_rows (store, stmt, SQLITE_DONE, NULL, error))
            return FALSE;
          continue;
        }
      hit = g_new0 (DocentSearchHit, 1);
      hit->chunk_id = items[i].chunk_id;
      hit->document_id = sqlite3_column_int64 (stmt, 0);
      hit->path = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      hit->title = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      hit->heading = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
      hit->page_start = sqlite3_column_int (stmt, 4);
      hit->page_end = sqlite3_column_int (stmt, 5);
      hit->char_start = sqlite3_column_int (stmt, 6);
      hit->char_end = sqlite3_column_int (stmt, 7);
      hit->text = g_strdup ((const char *) sqlite3_column_text (stmt, 8));
      hit->snippet = excerpt (hit->text);
      sqlite3_reset (stmt);
      items[i].hit = hit;
    }
  return TRUE;
}

/* (page, char) positions: does a's span intersect b's? */
static gboolean
overlaps (const DocentSearchHit *a,
          const DocentSearchHit *b)
{
  guint64 a0 = (guint64) a->page_start << 32 | a->char_start;
  guint64 a1 = (guint64) a->page_end << 32 | a->char_end;
  guint64 b0 = (guint64) b->page_start << 32 | b->char_start;
  guint64 b1 = (guint64) b->page_end << 32 | b->char_end;

  return a->document_id == b->document_id && a0 < b1 && b0 < a1;
}

static gboolean
overlaps_any (GPtrArray             *kept,
              const DocentSearchHit *hit)
{
  for (guint i = 0; i < kept->len; i++)
    if (overlaps (g_ptr_array_index (kept, i), hit))
      return TRUE;
  return FALSE;
}

/* The best k hits, reading rows as needed and skipping overlaps. */
static gboolean
collect (DocentStore          *store,
         GArray               *fused,
         DocentSearchMode      mode,
         guint                 k,
         GPtrArray            *out,
         GError              **error)
{
  for (guint at = 0; at < fused->len && out->len < k; at++)
    {
      Fused *f = &g_array_index (fused, Fused, at);
      DocentSearchHit *hit;

      if (f->hit == NULL && !read_rows (store, f, MIN (2 * k, fused->len - at), error))
        return FALSE;
      if (f->hit == NULL || overlaps_any (out, f->hit))
        continue;
      hit = g_steal_pointer (&f->hit);
      hit->bm25_rank = f->bm25_rank;
      hit->dense_rank = f->dense_rank;
      hit->similarity = f->similarity;
      if (mode == DOCENT_SEARCH_HYBRID)
        hit->score = f->rrf;
      else if (mode == DOCENT_SEARCH_DENSE)
        hit->score = f->similarity;
      g_ptr_array_add (out, hit);
    }
  return TRUE;
}

static void
clear_fused (GArray *fused)
{
  for (guint i = 0; i < fused->len; i++)
    g_clear_pointer (&g_array_index (fused, Fused, i).hit, docent_search_hit_free);
  g_array_unref (fused);
}

GPtrArray *
docent_store_hybrid_search (DocentStore                *store,
                            const DocentHybridOptions  *opts,
                            DocentHybridTimings        *timings,
                            GError                    **error)
{
  g_autoptr(GPtrArray) bm25 = NULL;
  g_autoptr(GArray) dense = NULL;
  g_autoptr(GPtrArray) hits = g_ptr_array_new_with_free_func ((GDestroyNotify) docent_search_hit_free);
  GArray *fused = g_array_new (FALSE, TRUE, sizeof (Fused));
  DocentHybridTimings local = { 0 };
  DocentSearchOptions side = opts->base;
  guint k = opts->base.limit ? opts->base.limit : 10;
  gint64 start = g_get_monotonic_time (), t;
  gboolean ok = FALSE;

  if (timings == NULL)
    timings = &local;
  timings->fts_ms = timings->vector_ms = timings->fuse_ms = 0.0;
  side.limit = opts->candidates ? opts->candidates : MAX (5 * k, 50);
  if (opts->mode == DOCENT_SEARCH_BM25)
    side.limit = 2 * k;     /* room for the overlaps dropped below */

  t = g_get_monotonic_time ();
  if (opts->mode != DOCENT_SEARCH_DENSE &&
      (bm25 = docent_store_search (store, &side, NULL, error)) == NULL)
    goto out;
  timings->fts_ms = ms_since (t);

  t = g_get_monotonic_time ();
  if (opts->mode != DOCENT_SEARCH_BM25 &&
      (dense = dense_side (store, opts, side.limit, error)) == NULL)
    goto out;
  timings->vector_ms = ms_since (t);

  t = g_get_monotonic_time ();
  fuse (bm25, dense, opts->rrf_k ? opts->rrf_k : DOCENT_RRF_K, fused);
  ok = collect (store, fused, opts->mode, k, hits, error);
  timings->fuse_ms = ms_since (t);

out:
  clear_fused (fused);
  timings->total_ms = ms_since (start) + timings->embed_ms;
  return ok ? g_steal_pointer (&hits) : NULL;
}
