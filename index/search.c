/* search.c — BM25 search over the chunks through FTS5, with snippets.
 *
 * FTS5's own `ORDER BY rank` is exact but costs about 1 µs for every
 * matching row (a %_docsize lookup, a full count of each phrase for its
 * IDF, then a sort of all matches), so a word found in most of 100,000
 * chunks takes over 100 ms. Search here works in three steps instead:
 *
 *  1. for a query of several parts, estimate how many chunks each part
 *     matches (exactly when few do, else from how densely it matches the
 *     newest chunks) and drop the parts found in more than half of them
 *     when others remain: BM25 as FTS5 defines it gives those an IDF of
 *     almost nothing anyway;
 *  2. score the candidates, newest first, with docent_rank(): the BM25 of
 *     FTS5's bm25() (k1 = 1.2, b = 0.75, weight 1.0 for text and 0.5 for
 *     headings) fed with the IDFs from step 1, keeping the best k in a
 *     heap. At most WINDOW_ROWS candidates are scored (fewer for many
 *     phrases): a query matching more than that has no rare word left to
 *     rank by, and its best passages are searched for among the newest
 *     matches;
 *  3. read the k winners, with snippets, by rowid. */
#include "index/search.h"

#include "index/query.h"

#include <math.h>
#include <sqlite3.h>
#include <string.h>

#define BM25_K1 1.2
#define BM25_B 0.75
#define TEXT_WEIGHT 1.0
#define HEADING_WEIGHT 0.5

/* Counting a part's matches stops after DF_EXACT of them, or at first
 * after the newest DF_SPAN chunk ids, and estimates the rest. */
#define DF_EXACT 2000
#define DF_SPAN 20000
/* The most candidates one query scores: 0.6 µs each plus about 0.15 µs
 * for each phrase of the query, so the budget shrinks with the phrases. */
#define WINDOW_ROWS 10000
#define WINDOW_PHRASE_ROWS 24000
#define WINDOW_MIN_ROWS 3000

typedef sqlite3_stmt DocentCachedStmt;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DocentCachedStmt, sqlite3_reset)

typedef struct {
  gint64 low, high;
} IdRange;

/* What docent_rank() needs besides the row; bound as a pointer. */
typedef struct {
  const double *idf;        /* per phrase of the expression, in order */
  guint n_phrases;
  double average_size;      /* tokens per row, found on the first row */
} RankContext;

#define RANK_POINTER_TYPE "docent-rank-context"
#define SCOPE_POINTER_TYPE "docent-search-scope"

typedef struct {
  double score;
  gint64 rowid;
} Scored;

/* A set of chunks to search: ids [low, high], n_rows of them. */
typedef struct {
  gint64 low, high;
  gint64 n_rows;
  GArray *ranges;           /* of IdRange, for a collection; else NULL */
} Scope;

static double
ms_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1000.0;
}

static void
set_search_error (DocentStore  *store,
                  GError      **error)
{
  g_set_error (error, DOCENT_STORE_ERROR, DOCENT_STORE_ERROR_IO,
               "search failed: %s (%s)",
               sqlite3_errmsg (docent_store_db (store)),
               docent_store_path (store));
}

/* ---- SQL functions ------------------------------------------------------ */

/* docent_in_scope(rowid, scope): whether the chunk lies in the scope's
 * collection (always, without one). */
static void
in_scope_function (sqlite3_context  *ctx,
                   int               n_args,
                   sqlite3_value   **args)
{
  const Scope *scope = sqlite3_value_pointer (args[1], SCOPE_POINTER_TYPE);
  const IdRange *ranges;
  gint64 rowid = sqlite3_value_int64 (args[0]);
  guint lo = 0, hi;

  if (scope == NULL)
    {
      sqlite3_result_error (ctx, "docent_in_scope() needs its search scope", -1);
      return;
    }
  if (scope->ranges == NULL)
    {
      sqlite3_result_int (ctx, 1);
      return;
    }
  ranges = (const IdRange *) scope->ranges->data;
  hi = scope->ranges->len;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (rowid < ranges[mid].low)
        hi = mid;
      else if (rowid > ranges[mid].high)
        lo = mid + 1;
      else
        break;
    }
  sqlite3_result_int (ctx, lo < hi);
}

static int
load_average_size (const Fts5ExtensionApi *api,
                   Fts5Context            *fts,
                   RankContext            *rank)
{
  sqlite3_int64 n_rows = 0, n_tokens = 0;
  int rc;

  rc = api->xRowCount (fts, &n_rows);
  if (rc == SQLITE_OK)
    rc = api->xColumnTotalSize (fts, -1, &n_tokens);
  rank->average_size = n_rows > 0 && n_tokens > 0 ? (double) n_tokens / n_rows : 1.0;
  return rc;
}

/* docent_rank(chunks_fts, context): BM25, higher is better. */
static void
rank_function (const Fts5ExtensionApi  *api,
               Fts5Context             *fts,
               sqlite3_context         *ctx,
               int                      n_args,
               sqlite3_value          **args)
{
  RankContext *rank = n_args == 1 ? sqlite3_value_pointer (args[0], RANK_POINTER_TYPE) : NULL;
  int n_phrases, size = -1, rc = SQLITE_OK;
  double score = 0;

  if (rank == NULL)
    {
      sqlite3_result_error (ctx, "docent_rank() needs its search context", -1);
      return;
    }
  if (rank->average_size == 0)
    rc = load_average_size (api, fts, rank);

  n_phrases = MIN (api->xPhraseCount (fts), (int) rank->n_phrases);
  for (int p = 0; p < n_phrases && rc == SQLITE_OK; p++)
    {
      Fts5PhraseIter iter;
      int column, offset;
      double freq = 0;

      rc = api->xPhraseFirst (fts, p, &iter, &column, &offset);
      for (; rc == SQLITE_OK && column >= 0; api->xPhraseNext (fts, &iter, &column, &offset))
        freq += column == 0 ? TEXT_WEIGHT : HEADING_WEIGHT;
      if (rc != SQLITE_OK || freq == 0)
        continue;
      if (size < 0 && (rc = api->xColumnSize (fts, -1, &size)) != SQLITE_OK)
        break;
      score += rank->idf[p] * freq * (BM25_K1 + 1) /
               (freq + BM25_K1 * (1 - BM25_B + BM25_B * size / rank->average_size));
    }
  if (rc != SQLITE_OK)
    sqlite3_result_error_code (ctx, rc);
  else
    sqlite3_result_double (ctx, score);
}

gboolean
docent_search_register (struct sqlite3  *db,
                        GError         **error)
{
  sqlite3_stmt *stmt = NULL;
  fts5_api *api = NULL;

  if (sqlite3_prepare_v2 (db, "SELECT fts5(?1)", -1, &stmt, NULL) == SQLITE_OK)
    {
      sqlite3_bind_pointer (stmt, 1, &api, "fts5_api_ptr", NULL);
      sqlite3_step (stmt);
    }
  sqlite3_finalize (stmt);
  if (api == NULL ||
      api->xCreateFunction (api, "docent_rank", NULL, rank_function, NULL) != SQLITE_OK ||
      sqlite3_create_function_v2 (db, "docent_in_scope", 2, SQLITE_UTF8, NULL,
                                  in_scope_function, NULL, NULL, NULL) != SQLITE_OK)
    {
      g_set_error (error, DOCENT_STORE_ERROR, DOCENT_STORE_ERROR_OPEN,
                   "this SQLite has no usable FTS5: %s", sqlite3_errmsg (db));
      return FALSE;
    }
  return TRUE;
}

/* ---- scope and statistics ----------------------------------------------- */

static void
scope_clear (Scope *scope)
{
  g_clear_pointer (&scope->ranges, g_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Scope, scope_clear)

static int
compare_ranges (gconstpointer a,
                gconstpointer b)
{
  const IdRange *x = a, *y = b;

  return (x->low > y->low) - (x->low < y->low);
}

/* Several chosen documents: one id range each, in order. */
static gboolean
scope_init_documents (DocentStore   *store,
                      const gint64  *ids,
                      guint          n_ids,
                      Scope         *scope,
                      GError       **error)
{
  static const char sql[] =
    "SELECT min(id), max(id), count(*) FROM chunks WHERE document_id = ?1";

  scope->ranges = g_array_new (FALSE, FALSE, sizeof (IdRange));
  scope->low = G_MAXINT64;
  scope->high = 0;
  scope->n_rows = 0;
  for (guint i = 0; i < n_ids; i++)
    {
      g_autoptr(DocentCachedStmt) stmt = docent_store_statement (store, sql, error);
      IdRange range;

      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, ids[i]);
      if (sqlite3_step (stmt) != SQLITE_ROW)
        {
          set_search_error (store, error);
          return FALSE;
        }
      if (sqlite3_column_int64 (stmt, 2) == 0)
        continue;
      range.low = sqlite3_column_int64 (stmt, 0);
      range.high = sqlite3_column_int64 (stmt, 1);
      scope->n_rows += sqlite3_column_int64 (stmt, 2);
      scope->low = MIN (scope->low, range.low);
      scope->high = MAX (scope->high, range.high);
      g_array_append_val (scope->ranges, range);
    }
  if (scope->n_rows == 0)
    scope->low = scope->high = 0;
  g_array_sort (scope->ranges, compare_ranges);
  return TRUE;
}

/* The chunks to search: a document's chunks were inserted in one
 * transaction, so their ids form one range FTS5 can skip to. */
static gboolean
scope_init (DocentStore                *store,
            const DocentSearchOptions  *opts,
            Scope                      *scope,
            GError                    **error)
{
  static const char sql_all[] =
    "SELECT (SELECT min(id) FROM chunks), (SELECT max(id) FROM chunks),"
    "       (SELECT count(*) FROM chunks)";
  static const char sql_document[] =
    "SELECT min(id), max(id), count(*) FROM chunks WHERE document_id = ?1";
  /* Each bound is one seek in the index chunks_document. */
  static const char sql_collection[] =
    "SELECT * FROM"
    "  (SELECT (SELECT min(id) FROM chunks WHERE document_id = dc.document_id) AS low,"
    "          (SELECT max(id) FROM chunks WHERE document_id = dc.document_id) AS high"
    "     FROM document_collections dc"
    "     JOIN collections co ON co.id = dc.collection_id"
    "    WHERE co.name = ?1)"
    " WHERE low IS NOT NULL ORDER BY low";
  g_autoptr(DocentCachedStmt) stmt = NULL;
  int rc;

  if (opts->n_document_ids > 0)
    return scope_init_documents (store, opts->document_ids, opts->n_document_ids, scope, error);
  stmt = docent_store_statement (store, opts->document_id ? sql_document : sql_all, error);
  if (stmt == NULL)
    return FALSE;
  if (opts->document_id != 0)
    sqlite3_bind_int64 (stmt, 1, opts->document_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      set_search_error (store, error);
      return FALSE;
    }
  scope->low = sqlite3_column_int64 (stmt, 0);
  scope->high = sqlite3_column_int64 (stmt, 1);
  scope->n_rows = sqlite3_column_int64 (stmt, 2);
  sqlite3_reset (stmt);

  if (opts->collection == NULL || scope->n_rows == 0)
    return TRUE;

  stmt = docent_store_statement (store, sql_collection, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, opts->collection, -1, SQLITE_STATIC);
  scope->ranges = g_array_new (FALSE, FALSE, sizeof (IdRange));
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      IdRange range = { sqlite3_column_int64 (stmt, 0), sqlite3_column_int64 (stmt, 1) };

      if (range.low >= scope->low && range.high <= scope->high)
        g_array_append_val (scope->ranges, range);
    }
  if (rc != SQLITE_DONE)
    {
      set_search_error (store, error);
      return FALSE;
    }
  return TRUE;
}

static const char sql_newest_matches[] =
  "SELECT rowid FROM chunks_fts"
  " WHERE chunks_fts MATCH ?1 AND rowid BETWEEN ?2 AND ?3"
  " ORDER BY rowid DESC LIMIT ?4";

/* Walks the newest matches of `part` with ids in [low, high], at most
 * `limit`. Returns how many there were and in *last the oldest one. */
static gboolean
walk_newest (DocentStore  *store,
             const char   *part,
             gint64        low,
             gint64        high,
             gint64        limit,
             gint64       *count,
             gint64       *last,
             GError      **error)
{
  g_autoptr(DocentCachedStmt) stmt = NULL;
  int rc;

  stmt = docent_store_statement (store, sql_newest_matches, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, part, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, low);
  sqlite3_bind_int64 (stmt, 3, high);
  sqlite3_bind_int64 (stmt, 4, limit);
  *count = 0;
  *last = high;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      *last = sqlite3_column_int64 (stmt, 0);
      (*count)++;
    }
  if (rc != SQLITE_DONE)
    {
      set_search_error (store, error);
      return FALSE;
    }
  return TRUE;
}

/* How many chunks of the scope match `part`. The work is bounded: the
 * count stops after DF_EXACT matches, and looks only at the newest
 * DF_SPAN ids first; beyond that it extrapolates (ids are dense, so a span
 * of ids stands for as many chunks). A word rare in the span is counted
 * everywhere, which is cheap; a phrase is not, as its cost is that of the
 * words in it, however rare the phrase. */
static gboolean
count_matches (DocentStore  *store,
               const char   *part,
               const Scope  *scope,
               double       *df,
               GError      **error)
{
  gint64 span_low = MAX (scope->low, scope->high - DF_SPAN + 1);
  gint64 count, last;
  double n_rows = scope->n_rows;

  if (!walk_newest (store, part, span_low, scope->high, DF_EXACT, &count, &last, error))
    return FALSE;
  if (count < DF_EXACT && span_low > scope->low && count < 50 &&
      strchr (part, ' ') == NULL)
    {
      /* Rare in the newest chunks: count all of them, exactly. */
      if (!walk_newest (store, part, scope->low, scope->high, DF_EXACT, &count, &last, error))
        return FALSE;
      span_low = scope->low;
    }
  if (count == DF_EXACT)
    *df = count * n_rows / (scope->high - last + 1);
  else if (span_low > scope->low)
    *df = count * n_rows / (scope->high - span_low + 1);
  else
    *df = count;
  *df = MIN (*df, n_rows);
  return TRUE;
}

/* FTS5's IDF: a part in more than half of the rows gets almost none. */
static double
bm25_idf (double n_rows,
          double df)
{
  double idf = log ((n_rows - df + 0.5) / (df + 0.5));

  return idf > 1e-6 ? idf : 1e-6;
}

/* ---- best k ------------------------------------------------------------- */

static gboolean
better (const Scored *a,
        const Scored *b)
{
  return a->score > b->score || (a->score == b->score && a->rowid < b->rowid);
}

/* A min-heap: the worst of the best k at the root. */
static void
heap_offer (GArray *heap,
            guint   k,
            Scored  item)
{
  Scored *h;
  guint i;

  if (heap->len < k)
    {
      g_array_append_val (heap, item);
      h = (Scored *) heap->data;
      for (i = heap->len - 1; i > 0 && better (&h[(i - 1) / 2], &item); i = (i - 1) / 2)
        h[i] = h[(i - 1) / 2];
      h[i] = item;
      return;
    }
  h = (Scored *) heap->data;
  if (!better (&item, &h[0]))
    return;
  for (i = 0;;)
    {
      guint child = 2 * i + 1;

      if (child >= heap->len)
        break;
      if (child + 1 < heap->len && better (&h[child], &h[child + 1]))
        child++;
      if (!better (&item, &h[child]))
        break;
      h[i] = h[child];
      i = child;
    }
  h[i] = item;
}

static int
compare_best_first (gconstpointer a,
                    gconstpointer b)
{
  return better (a, b) ? -1 : better (b, a) ? 1 : 0;
}

/* ---- the three steps ---------------------------------------------------- */

/* Step 1: how many chunks each positive part matches. One part alone
 * needs no count before scoring: the scan counts it (see find_best). */
static double *
count_parts (DocentStore  *store,
             GStrv         positives,
             const Scope  *scope,
             GError      **error)
{
  guint n = g_strv_length (positives);
  g_autofree double *df = g_new0 (double, n);

  for (guint i = 0; i < n && n > 1; i++)
    if (!count_matches (store, positives[i], scope, &df[i], error))
      return NULL;
  return g_steal_pointer (&df);
}

/* The expression to scan and the IDF of each of its phrases. The parts in
 * more than half of the chunks are left out when others remain (sets
 * *dropped); with `rest`, the expression is instead the passages only
 * those parts find: the dropped parts, NOT the others. */
static char *
plan_scan (GStrv          positives,
           GStrv          negatives,
           const double  *df,
           const Scope   *scope,
           gboolean       rest,
           GArray        *idf,
           gboolean      *dropped)
{
  g_autoptr(GPtrArray) chosen = g_ptr_array_new ();
  g_autoptr(GPtrArray) excluded = g_ptr_array_new ();
  guint n = g_strv_length (positives);
  gboolean any_selective = FALSE;
  double half = scope->n_rows / 2.0;

  for (guint i = 0; i < n; i++)
    any_selective |= df[i] <= half;
  *dropped = FALSE;
  g_array_set_size (idf, 0);
  for (guint i = 0; negatives[i] != NULL; i++)
    g_ptr_array_add (excluded, negatives[i]);
  for (guint i = 0; i < n; i++)
    {
      double part_idf = n > 1 ? bm25_idf (scope->n_rows, df[i]) : 1.0;
      gboolean common = any_selective && df[i] > half;

      *dropped |= common;
      if (common == rest)
        {
          g_array_append_val (idf, part_idf);
          g_ptr_array_add (chosen, positives[i]);
        }
      else if (rest)
        g_ptr_array_add (excluded, positives[i]);
    }
  g_ptr_array_add (chosen, NULL);
  g_ptr_array_add (excluded, NULL);
  return docent_fts_query_join ((const char *const *) chosen->pdata,
                                (const char *const *) excluded->pdata);
}

/* Step 2: scores the candidates with ids in [low, high], newest first and
 * at most `limit` of them (-1: all), into `heap`. Returns the number
 * scored and in *last the oldest id scored. */
static gint64
score_candidates (DocentStore   *store,
                  const char    *expression,
                  const Scope   *scope,
                  gint64         low,
                  gint64         high,
                  gint64         limit,
                  GArray        *idf,
                  GArray        *heap,
                  guint          k,
                  gint64        *last,
                  GError       **error)
{
  static const char sql[] =
    "SELECT rowid, docent_rank(chunks_fts, ?2) FROM chunks_fts"
    " WHERE chunks_fts MATCH ?1 AND rowid BETWEEN ?3 AND ?4"
    "   AND docent_in_scope(rowid, ?5)"
    " ORDER BY rowid DESC LIMIT ?6";
  g_autoptr(DocentCachedStmt) stmt = NULL;
  RankContext rank = { 0 };
  gint64 count = 0;
  int rc;

  rank.idf = (const double *) idf->data;
  rank.n_phrases = idf->len;

  stmt = docent_store_statement (store, sql, error);
  if (stmt == NULL)
    return -1;
  sqlite3_bind_text (stmt, 1, expression, -1, SQLITE_STATIC);
  sqlite3_bind_pointer (stmt, 2, &rank, RANK_POINTER_TYPE, NULL);
  sqlite3_bind_int64 (stmt, 3, low);
  sqlite3_bind_int64 (stmt, 4, high);
  sqlite3_bind_pointer (stmt, 5, (gpointer) scope, SCOPE_POINTER_TYPE, NULL);
  sqlite3_bind_int64 (stmt, 6, limit);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      Scored item;

      item.rowid = sqlite3_column_int64 (stmt, 0);
      item.score = sqlite3_column_double (stmt, 1);
      heap_offer (heap, k, item);
      *last = item.rowid;
      count++;
    }
  if (rc != SQLITE_DONE)
    {
      set_search_error (store, error);
      return -1;
    }
  return count;
}

/* Steps 1 and 2: the best k chunks, best first. */
static GArray *
find_best (DocentStore  *store,
           GStrv         positives,
           GStrv         negatives,
           const Scope  *scope,
           guint         k,
           GError      **error)
{
  g_autoptr(GArray) idf = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) heap = g_array_new (FALSE, FALSE, sizeof (Scored));
  g_autofree double *df = NULL;
  gboolean dropped = FALSE;

  df = count_parts (store, positives, scope, error);
  if (df == NULL)
    return NULL;
  /* With the common parts left out there may be fewer than k passages;
   * then the passages only they find fill the rest. Their scores are
   * tiny: the parts' IDF is almost nothing, so they rank after every
   * passage of the first pass, as they would have in one. */
  for (guint pass = 0; pass < 2 && (pass == 0 || (dropped && heap->len < k)); pass++)
    {
      g_autofree char *scan = plan_scan (positives, negatives, df, scope, pass == 1,
                                         idf, &dropped);
      gint64 window = CLAMP (WINDOW_PHRASE_ROWS / MAX (idf->len, 1),
                             WINDOW_MIN_ROWS, WINDOW_ROWS);
      gint64 scored, last = scope->low;

      scored = score_candidates (store, scan, scope, scope->low, scope->high,
                                 window, idf, heap, k, &last, error);
      if (scored < 0)
        return NULL;
      /* A window that did not even yield k passages (a large k) goes on. */
      if (scored == window && heap->len < k && last > scope->low)
        {
          gint64 more = score_candidates (store, scan, scope, scope->low, last - 1, -1,
                                          idf, heap, k, &last, error);

          if (more < 0)
            return NULL;
          scored += more;
          last = scope->low;
        }
      /* A single part was scored with an IDF of 1: its count is what the
       * scan saw, or extrapolated from the window. */
      if (g_strv_length (positives) == 1)
        {
          double part_df = scored < window || last == scope->low
                           ? scored
                           : (double) scored * scope->n_rows / (scope->high - last + 1);
          double part_idf = bm25_idf (scope->n_rows, part_df);

          for (guint i = 0; i < heap->len; i++)
            g_array_index (heap, Scored, i).score *= part_idf;
        }
    }
  g_array_sort (heap, compare_best_first);
  return g_steal_pointer (&heap);
}

static char *
column_strdup (sqlite3_stmt *stmt,
               int           column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

/* Step 3: the winners' rows, in the order of `best`. The snippet marks
 * every part of the query, also those step 1 left out of the scoring. */
static gboolean
read_hits (DocentStore   *store,
           const char    *expression,
           GArray        *best,
           GPtrArray     *hits,
           GError       **error)
{
  static const char sql[] =
    "SELECT c.id, c.document_id, d.path, d.title, c.heading,"
    "       c.page_start, c.page_end, c.char_start, c.char_end,"
    "       snippet(chunks_fts, 0, ?3, ?4, '…', 24), c.text"
    " FROM chunks_fts"
    " CROSS JOIN chunks c ON c.id = chunks_fts.rowid"
    " CROSS JOIN documents d ON d.id = c.document_id"
    " WHERE chunks_fts MATCH ?1"
    "   AND chunks_fts.rowid IN (SELECT value FROM json_each(?2))";
  g_autoptr(DocentCachedStmt) stmt = NULL;
  g_autoptr(GHashTable) position = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr(GString) ids = g_string_new ("[");
  int rc;

  g_ptr_array_set_size (hits, best->len);
  for (guint i = 0; i < best->len; i++)
    {
      Scored *item = &g_array_index (best, Scored, i);

      g_string_append_printf (ids, "%s%" G_GINT64_FORMAT, i ? "," : "", item->rowid);
      g_hash_table_insert (position, &item->rowid, item);
    }
  g_string_append_c (ids, ']');

  stmt = docent_store_statement (store, sql, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, expression, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, ids->str, ids->len, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, DOCENT_MARK_START, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, DOCENT_MARK_END, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 chunk_id = sqlite3_column_int64 (stmt, 0);
      Scored *item = g_hash_table_lookup (position, &chunk_id);
      DocentSearchHit *hit;
      guint at;

      if (item == NULL)
        continue;
      at = item - (Scored *) best->data;
      hit = g_new0 (DocentSearchHit, 1);
      hit->chunk_id = chunk_id;
      hit->document_id = sqlite3_column_int64 (stmt, 1);
      hit->path = column_strdup (stmt, 2);
      hit->title = column_strdup (stmt, 3);
      hit->heading = column_strdup (stmt, 4);
      hit->page_start = sqlite3_column_int (stmt, 5);
      hit->page_end = sqlite3_column_int (stmt, 6);
      hit->char_start = sqlite3_column_int (stmt, 7);
      hit->char_end = sqlite3_column_int (stmt, 8);
      hit->score = item->score;
      hit->snippet = column_strdup (stmt, 9);
      hit->text = column_strdup (stmt, 10);
      docent_search_hit_free (g_ptr_array_index (hits, at));
      g_ptr_array_index (hits, at) = hit;
    }
  if (rc != SQLITE_DONE)
    {
      set_search_error (store, error);
      return FALSE;
    }
  /* A chunk removed between the steps (another connection) leaves a gap. */
  for (guint i = hits->len; i > 0; i--)
    if (g_ptr_array_index (hits, i - 1) == NULL)
      g_ptr_array_remove_index (hits, i - 1);
  return TRUE;
}

GPtrArray *
docent_store_search (DocentStore               *store,
                     const DocentSearchOptions *opts,
                     DocentSearchTimings       *timings,
                     GError                   **error)
{
  g_auto(GStrv) positives = NULL;
  g_auto(GStrv) negatives = NULL;
  g_autofree char *full = NULL;
  g_autoptr(GArray) best = NULL;
  g_autoptr(GPtrArray) hits = NULL;
  g_auto(Scope) scope = { 0 };
  gint64 start = g_get_monotonic_time ();
  gint64 fts_start;
  DocentSearchTimings local;

  g_return_val_if_fail (store != NULL && opts != NULL, NULL);

  if (timings == NULL)
    timings = &local;
  memset (timings, 0, sizeof *timings);
  hits = g_ptr_array_new_with_free_func ((GDestroyNotify) docent_search_hit_free);

  if (!docent_query_parts (opts->query, &positives, &negatives))
    {
      timings->parse_ms = timings->total_ms = ms_since (start);
      return g_steal_pointer (&hits);
    }
  full = docent_fts_query_join ((const char *const *) positives,
                                (const char *const *) negatives);
  timings->parse_ms = ms_since (start);

  fts_start = g_get_monotonic_time ();
  if (!scope_init (store, opts, &scope, error))
    return NULL;
  if (scope.n_rows > 0 && (scope.ranges == NULL || scope.ranges->len > 0))
    {
      best = find_best (store, positives, negatives, &scope,
                        opts->limit ? opts->limit : 10, error);
      if (best == NULL || !read_hits (store, full, best, hits, error))
        return NULL;
    }
  timings->fts_ms = ms_since (fts_start);
  timings->total_ms = ms_since (start);
  return g_steal_pointer (&hits);
}

void
docent_search_hit_free (DocentSearchHit *hit)
{
  if (hit == NULL)
    return;
  g_free (hit->path);
  g_free (hit->title);
  g_free (hit->heading);
  g_free (hit->snippet);
  g_free (hit->text);
  g_free (hit);
}

char *
docent_snippet_render (const char *snippet,
                       const char *start,
                       const char *end,
                       gboolean    escape_markup)
{
  GString *out = g_string_new (NULL);
  const char *p = snippet ? snippet : "";

  while (*p != '\0')
    {
      gsize run = strcspn (p, DOCENT_MARK_START DOCENT_MARK_END);

      if (escape_markup)
        {
          g_autofree char *escaped = g_markup_escape_text (p, run);

          g_string_append (out, escaped);
        }
      else
        g_string_append_len (out, p, run);
      p += run;
      if (*p == DOCENT_MARK_START[0])
        g_string_append (out, start);
      else if (*p == DOCENT_MARK_END[0])
        g_string_append (out, end);
      if (*p != '\0')
        p++;
    }
  return g_string_free (out, FALSE);
}
