/* store-checks.c — the invariants of a library database, checked from a
 * connection of our own so the library's code is not the judge of itself. */
#include "tests/store-checks.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <unistd.h>
#include <string.h>

static gint64
count (sqlite3    *db,
       const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 n = -1;
  int rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);

  if (rc != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (db));
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  else if (rc != SQLITE_DONE)
    g_error ("%s: %s", sql, sqlite3_errmsg (db));
  sqlite3_finalize (stmt);
  return n;
}

/* All rows of a check that answers with problems, one per row; "" when it
 * answered none (foreign_key_check) or only "ok" (integrity_check). */
static char *
problems (sqlite3    *db,
          const char *sql)
{
  g_autoptr(GString) out = g_string_new (NULL);
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (db));
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *first = (const char *) sqlite3_column_text (stmt, 0);

      if (g_strcmp0 (first, "ok") == 0)
        continue;
      for (int i = 0; i < sqlite3_column_count (stmt); i++)
        g_string_append_printf (out, "%s%s", i > 0 ? " " : "",
                                (const char *) sqlite3_column_text (stmt, i));
      g_string_append_c (out, '\n');
    }
  if (rc != SQLITE_DONE)
    g_error ("%s: %s", sql, sqlite3_errmsg (db));
  sqlite3_finalize (stmt);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
assert_none (sqlite3    *db,
             const char *what,
             const char *sql)
{
  gint64 n = count (db, sql);

  if (n != 0)
    g_error ("%" G_GINT64_FORMAT " %s", n, what);
}

void
docent_test_check_store (const char       *db_path,
                         DocentTestCounts *counts)
{
  sqlite3 *db = NULL;
  g_autofree char *integrity = NULL;
  g_autofree char *foreign = NULL;
  char *message = NULL;

  if (counts != NULL)
    memset (counts, 0, sizeof *counts);
  /* Killed before it made the database: nothing to check. */
  if (!g_file_test (db_path, G_FILE_TEST_EXISTS))
    return;
  if (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
    g_error ("cannot open %s: %s", db_path, sqlite3_errmsg (db));
  sqlite3_busy_timeout (db, 30000);

  integrity = problems (db, "PRAGMA integrity_check");
  if (*integrity != '\0')
    g_error ("integrity_check: %s", integrity);
  foreign = problems (db, "PRAGMA foreign_key_check");
  if (*foreign != '\0')
    g_error ("foreign_key_check: %s", foreign);
  /* Killed before its first migration committed: no schema at all. */
  if (count (db, "PRAGMA user_version") == 0)
    {
      if (count (db, "SELECT count(*) FROM sqlite_schema") != 0)
        g_error ("schema version 0 with tables in it");
      sqlite3_close (db);
      return;
    }
  /* Compares every token of the FTS5 index with the content table. */
  if (sqlite3_exec (db, "INSERT INTO chunks_fts (chunks_fts) VALUES ('integrity-check')",
                    NULL, NULL, &message) != SQLITE_OK)
    g_error ("FTS5 integrity-check: %s", message);

  assert_none (db, "pages without their document",
               "SELECT count(*) FROM pages WHERE document_id NOT IN (SELECT id FROM documents)");
  assert_none (db, "chunks without their document",
               "SELECT count(*) FROM chunks WHERE document_id NOT IN (SELECT id FROM documents)");
  assert_none (db, "embeddings without their chunk",
               "SELECT count(*) FROM embeddings WHERE chunk_id NOT IN (SELECT id FROM chunks)");
  assert_none (db, "collection links without their document",
               "SELECT count(*) FROM document_collections"
               " WHERE document_id NOT IN (SELECT id FROM documents)");
  assert_none (db, "FTS rows without their chunk",
               "SELECT count(*) FROM chunks_fts_docsize WHERE id NOT IN (SELECT id FROM chunks)");
  assert_none (db, "chunks missing from FTS",
               "SELECT count(*) FROM chunks WHERE id NOT IN (SELECT id FROM chunks_fts_docsize)");
  assert_none (db, "indexed documents without chunks",
               "SELECT count(*) FROM documents d WHERE status = 'indexed'"
               " AND NOT EXISTS (SELECT 1 FROM chunks c WHERE c.document_id = d.id)");
  assert_none (db, "indexed documents whose pages are not all there",
               "SELECT count(*) FROM documents d WHERE status = 'indexed'"
               " AND page_count != (SELECT count(*) FROM pages p WHERE p.document_id = d.id)");
  assert_none (db, "failed documents without their error",
               "SELECT count(*) FROM documents d WHERE status = 'failed' AND error IS NULL");

  if (counts != NULL)
    {
      counts->documents = count (db, "SELECT count(*) FROM documents");
      counts->indexed = count (db, "SELECT count(*) FROM documents WHERE status = 'indexed'");
      counts->failed = count (db, "SELECT count(*) FROM documents WHERE status = 'failed'");
      counts->chunks = count (db, "SELECT count(*) FROM chunks");
      counts->embeddings = count (db, "SELECT count(*) FROM embeddings");
    }
  sqlite3_close (db);
}

GPid
docent_test_spawn_cli (const char        *library,
                       const char *const *args,
                       const char        *log_path)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  int log_fd = g_open (log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  GPid pid;

  g_assert_cmpint (log_fd, >=, 0);
  g_ptr_array_add (argv, (char *) g_getenv ("DOCENT_CLI"));
  g_ptr_array_add (argv, "--library");
  g_ptr_array_add (argv, (char *) library);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_async_with_fds (NULL, (char **) argv->pdata, NULL,
                                         G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid,
                                         -1, log_fd, log_fd, &error));
  g_assert_no_error (error);
  close (log_fd);
  return pid;
}
