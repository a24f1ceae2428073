/* embeddings.c — reading and writing the `embeddings` table.
 *
 * A vector is stored as its floats in host byte order (little-endian on
 * every machine Docent runs on); its length in bytes says its dimension,
 * which is how a vector of another model's size is caught on read.
 *
 * Each row's rowid is its version: written as (generation << 32) + i by
 * the transaction that stores it, so it changes whenever the vector is
 * written and is never handed out twice, even when a chunk id comes back
 * (SQLite reuses the largest rowids of deleted chunks). A vector index
 * syncs on (chunk id, version) pairs, not on chunk ids alone. */
#include "index/embeddings.h"

#include <string.h>

#include <sqlite3.h>

#include "index/vectors.h"

void
docent_pending_chunk_free (DocentPendingChunk *chunk)
{
  if (chunk == NULL)
    return;
  g_free (chunk->heading);
  g_free (chunk->text);
  g_free (chunk);
}

static sqlite3_stmt *
statement_for_embedder (DocentStore  *store,
                        const char   *sql,
                        const char   *embedder,
                        GError      **error)
{
  sqlite3_stmt *stmt = docent_store_statement (store, sql, error);

  if (stmt != NULL)
    sqlite3_bind_text (stmt, 1, embedder, -1, SQLITE_STATIC);
  return stmt;
}

GPtrArray *
docent_store_pending_chunks (DocentStore  *store,
                             const char   *embedder,
                             gint64        after_id,
                             guint         limit,
                             GError      **error)
{
  static const char sql[] =
    "SELECT c.id, c.heading, c.text FROM chunks c"
    " WHERE c.id > ?2 AND NOT EXISTS (SELECT 1 FROM embeddings e"
    "   WHERE e.chunk_id = c.id AND e.embedder = ?1)"
    " ORDER BY c.id LIMIT ?3";
  g_autoptr(GPtrArray) chunks = g_ptr_array_new_with_free_func ((GDestroyNotify) docent_pending_chunk_free);
  sqlite3_stmt *stmt = statement_for_embedder (store, sql, embedder, error);
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 2, after_id);
  sqlite3_bind_int64 (stmt, 3, limit);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      DocentPendingChunk *chunk = g_new0 (DocentPendingChunk, 1);

      chunk->chunk_id = sqlite3_column_int64 (stmt, 0);
      chunk->heading = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      chunk->text = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      g_ptr_array_add (chunks, chunk);
    }
  if (!docent_store_finish_rows (store, stmt, rc, "cannot list chunks to embed", error))
    return NULL;
  return g_steal_pointer (&chunks);
}

/* Runs a one-row, one-integer query bound to `embedder`. */
static gboolean
embedder_count (DocentStore  *store,
                const char   *sql,
                const char   *embedder,
                guint64      *out,
                GError      **error)
{
  sqlite3_stmt *stmt = statement_for_embedder (store, sql, embedder, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  *out = rc == SQLITE_ROW ? (guint64) sqlite3_column_int64 (stmt, 0) : 0;
  if (rc == SQLITE_ROW)
    rc = SQLITE_DONE;
  return docent_store_finish_rows (store, stmt, rc, "cannot count vectors", error);
}

gboolean
docent_store_count_pending (DocentStore  *store,
                            const char   *embedder,
                            guint64      *out,
                            GError      **error)
{
  static const char sql[] =
    "SELECT count(*) FROM chunks c WHERE NOT EXISTS (SELECT 1 FROM embeddings e"
    "   WHERE e.chunk_id = c.id AND e.embedder = ?1)";

  return embedder_count (store, sql, embedder, out, error);
}

gboolean
docent_store_put_embeddings (DocentStore   *store,
                             const char    *embedder,
                             const gint64  *chunk_ids,
                             const float   *vectors,
                             guint          n,
                             guint          dim,
                             GError       **error)
{
  /* The WHERE skips chunks deleted since they were handed out: a document
   * updated while its old chunks were being embedded. ?4 is the version
   * (the rowid, see above). */
  static const char sql[] =
    "INSERT OR REPLACE INTO embeddings (rowid, chunk_id, embedder, vector)"
    " SELECT ?4, ?2, ?1, ?3 WHERE EXISTS (SELECT 1 FROM chunks WHERE id = ?2)";
  sqlite3_stmt *stmt;
  gint64 generation;

  if (n == 0)
    return TRUE;
  if (!docent_store_begin (store, error))
    return FALSE;
  /* This transaction's generation, unique to it: the versions' base. */
  if (!docent_store_bump_generation (store, error) ||
      !docent_store_generation (store, &generation, error))
    goto fail;
  for (guint i = 0; i < n; i++)
    {
      stmt = statement_for_embedder (store, sql, embedder, error);
      if (stmt == NULL)
        goto fail;
      sqlite3_bind_int64 (stmt, 2, chunk_ids[i]);
      sqlite3_bind_blob (stmt, 3, vectors + (gsize) i * dim, (int) (dim * sizeof (float)),
                         SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 4, (gint64) ((guint64) generation << 32 | i));
      if (!docent_store_step_done (store, stmt, "cannot store a vector", error))
        goto fail;
    }
  return docent_store_commit (store, error);

fail:
  docent_store_rollback (store);
  return FALSE;
}

GArray *
docent_store_embedding_ids (DocentStore  *store,
                            const char   *embedder,
                            GError      **error)
{
  static const char sql[] =
    "SELECT chunk_id FROM embeddings WHERE embedder = ?1 ORDER BY chunk_id";
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  sqlite3_stmt *stmt = statement_for_embedder (store, sql, embedder, error);
  int rc;

  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (ids, id);
    }
  if (!docent_store_finish_rows (store, stmt, rc, "cannot list vectors", error))
    return NULL;
  return g_steal_pointer (&ids);
}

gboolean
docent_store_embedding_versions (DocentStore  *store,
                                 const char   *embedder,
                                 GArray      **ids_out,
                                 GArray      **versions_out,
                                 GError      **error)
{
  /* Answered from the (embedder, chunk_id) index, which holds the rowid. */
  static const char sql[] =
    "SELECT chunk_id, rowid FROM embeddings WHERE embedder = ?1 ORDER BY chunk_id";
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) versions = g_array_new (FALSE, FALSE, sizeof (gint64));
  sqlite3_stmt *stmt = statement_for_embedder (store, sql, embedder, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      gint64 version = sqlite3_column_int64 (stmt, 1);

      g_array_append_val (ids, id);
      g_array_append_val (versions, version);
    }
  if (!docent_store_finish_rows (store, stmt, rc, "cannot list vectors", error))
    return FALSE;
  *ids_out = g_steal_pointer (&ids);
  *versions_out = g_steal_pointer (&versions);
  return TRUE;
}

/* Copies the vector in column `col` into out, checking its size. */
static gboolean
copy_vector (DocentStore   *store,
             sqlite3_stmt  *stmt,
             int            col,
             gint64         chunk_id,
             guint          dim,
             float         *out,
             GError       **error)
{
  int bytes = sqlite3_column_bytes (stmt, col);

  if (bytes != (int) (dim * sizeof (float)))
    {
      g_set_error (error, DOCENT_VECTORS_ERROR, DOCENT_VECTORS_ERROR_DIMENSION,
                   "the vector of chunk %" G_GINT64_FORMAT " has %d dimensions, "
                   "expected %u (%s)", chunk_id, bytes / (int) sizeof (float), dim,
                   docent_store_path (store));
      return FALSE;
    }
  memcpy (out, sqlite3_column_blob (stmt, col), (gsize) bytes);
  return TRUE;
}

gboolean
docent_store_read_embeddings (DocentStore   *store,
                              const char    *embedder,
                              const gint64  *ids,
                              guint          n,
                              guint          dim,
                              float         *out,
                              GError       **error)
{
  static const char sql[] =
    "SELECT vector FROM embeddings WHERE embedder = ?1 AND chunk_id = ?2";

  for (guint i = 0; i < n; i++)
    {
      sqlite3_stmt *stmt = statement_for_embedder (store, sql, embedder, error);
      gboolean ok;

      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 2, ids[i]);
      if (sqlite3_step (stmt) != SQLITE_ROW)
        {
          docent_store_finish_rows (store, stmt, SQLITE_DONE, NULL, NULL);
          g_set_error (error, DOCENT_STORE_ERROR, DOCENT_STORE_ERROR_NOT_FOUND,
                       "chunk %" G_GINT64_FORMAT " has no vector (%s)", ids[i],
                       docent_store_path (store));
          return FALSE;
        }
      ok = copy_vector (store, stmt, 0, ids[i], dim, out + (gsize) i * dim, error);
      sqlite3_reset (stmt);
      if (!ok)
        return FALSE;
    }
  return TRUE;
}

gboolean
docent_store_foreach_embedding (DocentStore              *store,
                                const char               *embedder,
                                guint                     dim,
                                guint                     batch,
                                DocentEmbeddingBatchFunc  func,
                                gpointer                  user_data,
                                GError                  **error)
{
  static const char sql[] =
    "SELECT chunk_id, vector FROM embeddings WHERE embedder = ?1 ORDER BY chunk_id";
  g_autofree gint64 *ids = g_new (gint64, batch);
  g_autofree float *vectors = g_new (float, (gsize) batch * dim);
  sqlite3_stmt *stmt = statement_for_embedder (store, sql, embedder, error);
  guint n = 0;
  int rc;

  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ids[n] = sqlite3_column_int64 (stmt, 0);
      if (!copy_vector (store, stmt, 1, ids[n], dim, vectors + (gsize) n * dim, error))
        goto stop;
      if (++n == batch)
        {
          if (!func (ids, vectors, n, user_data, error))
            goto stop;
          n = 0;
        }
    }
  if (!docent_store_finish_rows (store, stmt, rc, "cannot read vectors", error))
    return FALSE;
  return n == 0 || func (ids, vectors, n, user_data, error);

stop:
  sqlite3_reset (stmt);
  return FALSE;
}

gboolean
docent_store_drop_embeddings (DocentStore  *store,
                              const char   *embedder,
                              GError      **error)
{
  static const char sql[] = "DELETE FROM embeddings WHERE embedder = ?1";
  sqlite3_stmt *stmt;

  if (!docent_store_begin (store, error))
    return FALSE;
  stmt = statement_for_embedder (store, sql, embedder, error);
  if (stmt == NULL ||
      !docent_store_step_done (store, stmt, "cannot delete vectors", error) ||
      !docent_store_bump_generation (store, error))
    {
      docent_store_rollback (store);
      return FALSE;
    }
  return docent_store_commit (store, error);
}

gboolean
docent_store_generation (DocentStore  *store,
                         gint64       *out,
                         GError      **error)
{
  static const char sql[] = "SELECT value FROM meta WHERE key = 'generation'";
  sqlite3_stmt *stmt = docent_store_statement (store, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  *out = rc == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : 0;
  if (rc == SQLITE_ROW)
    rc = SQLITE_DONE;
  return docent_store_finish_rows (store, stmt, rc, "cannot read the library generation", error);
}

static void
add_id (GHashTable *set,
        gint64      id)
{
  gint64 *key = g_new (gint64, 1);

  *key = id;
  g_hash_table_add (set, key);
}

GHashTable *
docent_store_filter_chunk_ids (DocentStore  *store,
                               const char   *collection,
                               gint64        document_id,
                               GError      **error)
{
  static const char sql[] =
    "SELECT c.id FROM chunks c"
    " WHERE (?2 = 0 OR c.document_id = ?2)"
    "   AND (?1 IS NULL OR c.document_id IN ("
    "     SELECT dc.document_id FROM document_collections dc"
    "     JOIN collections co ON co.id = dc.collection_id WHERE co.name = ?1))";
  g_autoptr(GHashTable) set = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  sqlite3_stmt *stmt = statement_for_embedder (store, sql, collection, error);
  int rc;

  g_return_val_if_fail (collection != NULL || document_id != 0, NULL);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 2, document_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    add_id (set, sqlite3_column_int64 (stmt, 0));
  if (!docent_store_finish_rows (store, stmt, rc, "cannot apply the filter", error))
    return NULL;
  return g_steal_pointer (&set);
}

GHashTable *
docent_store_filter_chunk_ids_of (DocentStore   *store,
                                  const gint64  *document_ids,
                                  guint          n_document_ids,
                                  GError       **error)
{
  g_autoptr(GHashTable) all = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);

  for (guint i = 0; i < n_document_ids; i++)
    {
      g_autoptr(GHashTable) one = docent_store_filter_chunk_ids (store, NULL, document_ids[i], error);
      GHashTableIter iter;
      gpointer key;

      if (one == NULL)
        return NULL;
      g_hash_table_iter_init (&iter, one);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        {
          g_hash_table_iter_steal (&iter);
          g_hash_table_add (all, key);
        }
    }
  return g_steal_pointer (&all);
}
