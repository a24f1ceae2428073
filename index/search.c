/* search.c — BM25 search over the chunks through FTS5, with snippets. */
#include "index/search.h"

#include "index/query.h"

#include <sqlite3.h>
#include <string.h>

typedef sqlite3_stmt DocentCachedStmt;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DocentCachedStmt, sqlite3_reset)

static const char sql_search[] =
  "SELECT c.id, c.document_id, d.path, d.title, c.heading,"
  "       c.page_start, c.page_end, c.char_start, c.char_end, chunks_fts.rank,"
  "       snippet(chunks_fts, 0, ?4, ?5, '…', 24), c.text"
  " FROM chunks_fts"
  " CROSS JOIN chunks c ON c.id = chunks_fts.rowid"
  " CROSS JOIN documents d ON d.id = c.document_id"
  " WHERE chunks_fts MATCH ?1"
  "   AND chunks_fts.rank MATCH 'bm25(1.0, 0.5)'"
  "   AND chunks_fts.rowid BETWEEN ?2 AND ?3"
  "   AND (?6 = 0 OR c.document_id = ?6)"
  "   AND (?7 IS NULL OR c.document_id IN"
  "     (SELECT dc.document_id FROM document_collections dc"
  "        JOIN collections co ON co.id = dc.collection_id"
  "       WHERE co.name = ?7))"
  " ORDER BY chunks_fts.rank"
  " LIMIT ?8";

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

/* A document's chunks were inserted in one transaction, so their ids form
 * one range; FTS5 can skip to it instead of testing every match. */
static gboolean
document_range (DocentStore  *store,
                gint64        document_id,
                gint64       *low,
                gint64       *high,
                GError      **error)
{
  static const char sql[] =
    "SELECT min(id), max(id) FROM chunks WHERE document_id = ?1";
  g_autoptr(DocentCachedStmt) stmt = docent_store_statement (store, sql, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, document_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      set_search_error (store, error);
      return FALSE;
    }
  /* No chunks: an empty range. */
  *low = sqlite3_column_type (stmt, 0) == SQLITE_NULL ? 1 : sqlite3_column_int64 (stmt, 0);
  *high = sqlite3_column_type (stmt, 1) == SQLITE_NULL ? 0 : sqlite3_column_int64 (stmt, 1);
  return TRUE;
}

static char *
column_strdup (sqlite3_stmt *stmt,
               int           column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

static DocentSearchHit *
read_hit (sqlite3_stmt *stmt)
{
  DocentSearchHit *hit = g_new0 (DocentSearchHit, 1);

  hit->chunk_id = sqlite3_column_int64 (stmt, 0);
  hit->document_id = sqlite3_column_int64 (stmt, 1);
  hit->path = column_strdup (stmt, 2);
  hit->title = column_strdup (stmt, 3);
  hit->heading = column_strdup (stmt, 4);
  hit->page_start = sqlite3_column_int (stmt, 5);
  hit->page_end = sqlite3_column_int (stmt, 6);
  hit->char_start = sqlite3_column_int (stmt, 7);
  hit->char_end = sqlite3_column_int (stmt, 8);
  hit->score = -sqlite3_column_double (stmt, 9);
  hit->snippet = column_strdup (stmt, 10);
  hit->text = column_strdup (stmt, 11);
  return hit;
}

GPtrArray *
docent_store_search (DocentStore               *store,
                     const DocentSearchOptions *opts,
                     DocentSearchTimings       *timings,
                     GError                   **error)
{
  g_autofree char *match = NULL;  /* outlives the statement's reset */
  g_autoptr(GPtrArray) hits = NULL;
  g_autoptr(DocentCachedStmt) stmt = NULL;
  gint64 start = g_get_monotonic_time ();
  gint64 fts_start;
  gint64 low = G_MININT64, high = G_MAXINT64;
  DocentSearchTimings local;
  int rc;

  g_return_val_if_fail (store != NULL && opts != NULL, NULL);

  if (timings == NULL)
    timings = &local;
  memset (timings, 0, sizeof *timings);
  hits = g_ptr_array_new_with_free_func ((GDestroyNotify) docent_search_hit_free);

  match = docent_fts_query_from_user (opts->query);
  timings->parse_ms = ms_since (start);
  if (match == NULL)
    {
      timings->total_ms = ms_since (start);
      return g_steal_pointer (&hits);
    }

  fts_start = g_get_monotonic_time ();
  if (opts->document_id != 0 &&
      !document_range (store, opts->document_id, &low, &high, error))
    return NULL;

  stmt = docent_store_statement (store, sql_search, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, match, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, low);
  sqlite3_bind_int64 (stmt, 3, high);
  sqlite3_bind_text (stmt, 4, DOCENT_MARK_START, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, DOCENT_MARK_END, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 6, opts->document_id);
  if (opts->collection != NULL)
    sqlite3_bind_text (stmt, 7, opts->collection, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 8, opts->limit ? opts->limit : 10);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (hits, read_hit (stmt));
  if (rc != SQLITE_DONE)
    {
      set_search_error (store, error);
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
