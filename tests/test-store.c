/* test-store.c — the library database: creation, permissions, migrations,
 * documents, collections, cascades into the full-text index. */
#include "index/store.h"
#include "tests/fixtures.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>

typedef struct {
  char *dir;
  char *path;
  DocentStore *store;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = docent_test_tmpdir ();
  f->path = g_build_filename (f->dir, "library.db", NULL);
  f->store = docent_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->store);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  docent_store_close (f->store);
  docent_test_rm_rf (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

/* Runs SQL on the store's connection and returns the first column of the
 * first row as an integer. */
static gint64
query_int (DocentStore *store,
           const char  *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value = -1;

  g_assert_cmpint (sqlite3_prepare_v2 (docent_store_db (store), sql, -1, &stmt, NULL),
                   ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

static void
exec_sql (DocentStore *store,
          const char  *sql)
{
  char *message = NULL;

  if (sqlite3_exec (docent_store_db (store), sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
}

/* A document of `n_chunks` chunks on `n_pages` pages; chunk i says
 * "chunk i of <word>". */
typedef struct {
  DocentDocRecord rec;
  GArray *pages;     /* DocentStorePage */
  GArray *chunks;    /* DocentStoreChunk */
  GPtrArray *texts;
} TestDoc;

static void
test_doc_free (TestDoc *doc)
{
  for (guint i = 0; i < doc->pages->len; i++)
    g_clear_pointer (&g_array_index (doc->pages, DocentStorePage, i).layout, g_bytes_unref);
  g_array_unref (doc->pages);
  g_array_unref (doc->chunks);
  g_ptr_array_unref (doc->texts);
  docent_doc_record_clear (&doc->rec);
  g_free (doc);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestDoc, test_doc_free)

static TestDoc *
test_doc_new (const char *path,
              const char *word,
              guint       n_pages,
              guint       n_chunks)
{
  TestDoc *doc = g_new0 (TestDoc, 1);

  doc->rec.path = g_strdup (path);
  doc->rec.sha256 = g_compute_checksum_for_string (G_CHECKSUM_SHA256, path, -1);
  doc->rec.mtime = 1700000000;
  doc->rec.size = 1234;
  doc->rec.title = g_strdup_printf ("Title of %s", word);
  doc->rec.type = g_strdup ("text");
  doc->pages = g_array_new (FALSE, TRUE, sizeof (DocentStorePage));
  doc->chunks = g_array_new (FALSE, TRUE, sizeof (DocentStoreChunk));
  doc->texts = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < n_pages; i++)
    {
      DocentStorePage page = { 0 };
      char *text = g_strdup_printf ("page %u of %s", i + 1, word);
      guint8 layout[16];

      for (guint j = 0; j < sizeof layout; j++)
        layout[j] = (guint8) (i * 16 + j);
      page.page_no = i + 1;
      page.width = 612;
      page.height = 792;
      page.text = text;
      page.layout = g_bytes_new (layout, sizeof layout);
      g_ptr_array_add (doc->texts, text);
      g_array_append_val (doc->pages, page);
    }
  for (guint i = 0; i < n_chunks; i++)
    {
      DocentStoreChunk chunk = { 0 };
      char *text = g_strdup_printf ("chunk %u of %s", i, word);

      chunk.ordinal = i;
      chunk.page_start = 1 + i % MAX (n_pages, 1);
      chunk.page_end = chunk.page_start;
      chunk.char_start = 0;
      chunk.char_end = strlen (text);
      chunk.heading = i % 2 ? "A heading" : NULL;
      chunk.text = text;
      g_ptr_array_add (doc->texts, text);
      g_array_append_val (doc->chunks, chunk);
    }
  return doc;
}

static gint64
put_document (DocentStore  *store,
              TestDoc      *doc,
              const char   *collection,
              GError      **error)
{
  return docent_store_put_document (store, &doc->rec,
                                    (DocentStorePage *) doc->pages->data, doc->pages->len,
                                    (DocentStoreChunk *) doc->chunks->data, doc->chunks->len,
                                    collection, error);
}

static gint64
put (DocentStore *store,
     TestDoc     *doc,
     const char  *collection)
{
  g_autoptr(GError) error = NULL;
  gint64 id = put_document (store, doc, collection, &error);

  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

/* Looks up document `id`, which must be there, into `found`. */
static void
find_id (DocentStore     *store,
         gint64           id,
         DocentDocRecord *found)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (docent_store_find_by_id (store, id, found, &error));
  g_assert_no_error (error);
}

static gint64
fts_count (DocentStore *store,
           const char  *word)
{
  g_autofree char *sql =
    g_strdup_printf ("SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH '%s'", word);

  return query_int (store, sql);
}

static void
assert_fts_intact (DocentStore *store)
{
  exec_sql (store, "INSERT INTO chunks_fts (chunks_fts) VALUES ('integrity-check')");
}

static void
assert_mode_0600 (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
}

/* ---- opening ------------------------------------------------------------ */

static void
test_open_creates_private_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = docent_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "library.db", NULL);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);
  g_autoptr(DocentStore) store = NULL;
  g_autoptr(TestDoc) doc = test_doc_new ("/docs/a.txt", "apple", 1, 1);
  mode_t old_umask = umask (0);

  /* Even with a permissive umask nothing is readable by others. */
  store = docent_store_open (path, &error);
  umask (old_umask);
  g_assert_no_error (error);
  put (store, doc, NULL);

  assert_mode_0600 (path);
  assert_mode_0600 (wal);
  assert_mode_0600 (shm);
  g_assert_cmpstr (docent_store_path (store), ==, path);
  g_assert_cmpint (query_int (store, "PRAGMA user_version"), ==, DOCENT_STORE_SCHEMA_VERSION);
  g_assert_cmpint (query_int (store, "PRAGMA foreign_keys"), ==, 1);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM pragma_journal_mode WHERE journal_mode = 'wal'"), ==, 1);

  g_clear_pointer (&store, docent_store_close);
  docent_test_rm_rf (dir);
}

static void
test_reopen (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = docent_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "library.db", NULL);
  g_autoptr(DocentStore) store = docent_store_open (path, &error);
  g_autoptr(TestDoc) doc = test_doc_new ("/docs/a.txt", "apple", 2, 3);
  DocentDocRecord found = { 0 };
  gint64 id;

  g_assert_no_error (error);
  id = put (store, doc, "work");
  g_clear_pointer (&store, docent_store_close);

  store = docent_store_open (path, &error);
  g_assert_no_error (error);
  find_id (store, id, &found);
  g_assert_cmpstr (found.path, ==, "/docs/a.txt");
  g_assert_cmpuint (found.chunk_count, ==, 3);
  docent_doc_record_clear (&found);

  g_clear_pointer (&store, docent_store_close);
  docent_test_rm_rf (dir);
}

static void
test_newer_schema_refused (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = docent_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "library.db", NULL);
  g_autoptr(DocentStore) store = docent_store_open (path, &error);

  g_assert_no_error (error);
  exec_sql (store, "PRAGMA user_version = 99");
  g_clear_pointer (&store, docent_store_close);

  store = docent_store_open (path, &error);
  g_assert_null (store);
  g_assert_error (error, DOCENT_STORE_ERROR, DOCENT_STORE_ERROR_SCHEMA);
  g_assert_nonnull (strstr (error->message, "newer Docent"));
  g_assert_nonnull (strstr (error->message, path));
  docent_test_rm_rf (dir);
}

static void
test_garbage_refused (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = docent_test_tmpdir ();
  g_autofree char *garbage = g_strnfill (8192, 'x');
  g_autofree char *path = docent_test_write_file (dir, "library.db", garbage, -1);
  g_autoptr(DocentStore) store = docent_store_open (path, &error);

  g_assert_null (store);
  g_assert_error (error, DOCENT_STORE_ERROR, DOCENT_STORE_ERROR_OPEN);
  g_assert_nonnull (strstr (error->message, path));
  docent_test_rm_rf (dir);
}

static void
test_foreign_database_refused (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = docent_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "other.db", NULL);
  g_autoptr(DocentStore) store = NULL;
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE t (x)", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  store = docent_store_open (path, &error);
  g_assert_null (store);
  g_assert_error (error, DOCENT_STORE_ERROR, DOCENT_STORE_ERROR_SCHEMA);
  g_assert_nonnull (strstr (error->message, path));
  docent_test_rm_rf (dir);
}

static void
test_unopenable_path (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentStore) store = docent_store_open ("/nonexistent-dir/x/library.db", &error);

  g_assert_null (store);
  g_assert_error (error, DOCENT_STORE_ERROR, DOCENT_STORE_ERROR_OPEN);
  g_assert_nonnull (strstr (error->message, "/nonexistent-dir/x/library.db"));
}

/* ---- documents ---------------------------------------------------------- */

static void
test_put_find (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TestDoc) doc = test_doc_new ("/docs/a.txt", "apple", 2, 5);
  DocentDocRecord found = { 0 };
  gint64 id, now = g_get_real_time () / G_USEC_PER_SEC;

  /* Status and error in the record are not taken from the caller. */
  doc->rec.status = DOCENT_DOC_FAILED;
  doc->rec.error = g_strdup ("stale");
  id = put (f->store, doc, "work");

  g_assert_true (docent_store_find_by_path (f->store, "/docs/a.txt", &found, &error));
  g_assert_no_error (error);
  g_assert_cmpint (found.id, ==, id);
  g_assert_cmpstr (found.path, ==, "/docs/a.txt");
  g_assert_cmpstr (found.sha256, ==, doc->rec.sha256);
  g_assert_cmpint (found.mtime, ==, 1700000000);
  g_assert_cmpint (found.size, ==, 1234);
  g_assert_cmpstr (found.title, ==, "Title of apple");
  g_assert_cmpstr (found.type, ==, "text");
  g_assert_cmpuint (found.page_count, ==, 2);
  g_assert_cmpuint (found.chunk_count, ==, 5);
  g_assert_cmpint (found.status, ==, DOCENT_DOC_INDEXED);
  g_assert_null (found.error);
  g_assert_cmpint (found.added, >=, now - 5);
  g_assert_cmpint (found.added, <=, now + 5);
  g_assert_cmpint (found.updated, ==, found.added);
  g_assert_nonnull (found.collections);
  g_assert_cmpstr (found.collections[0], ==, "work");
  g_assert_null (found.collections[1]);
  docent_doc_record_clear (&found);

  g_assert_true (docent_store_find_by_sha256 (f->store, doc->rec.sha256, &found, &error));
  g_assert_cmpint (found.id, ==, id);
  docent_doc_record_clear (&found);
  find_id (f->store, id, &found);
  g_assert_cmpstr (found.path, ==, "/docs/a.txt");
  docent_doc_record_clear (&found);

  /* Missing: FALSE without an error. */
  g_assert_false (docent_store_find_by_path (f->store, "/docs/none.txt", &found, &error));
  g_assert_no_error (error);
  g_assert_false (docent_store_find_by_sha256 (f->store, "00", &found, &error));
  g_assert_no_error (error);
  g_assert_false (docent_store_find_by_id (f->store, id + 1000, &found, &error));
  g_assert_no_error (error);

  g_assert_cmpint (fts_count (f->store, "apple"), ==, 5);
  assert_fts_intact (f->store);
}

static void
test_update_keeps_id (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TestDoc) first = test_doc_new ("/docs/a.txt", "apple", 3, 6);
  g_autoptr(TestDoc) second = test_doc_new ("/docs/a.txt", "banana", 1, 2);
  DocentDocRecord found = { 0 };
  gint64 id;

  id = put (f->store, first, "work");
  g_assert_true (docent_store_add_to_collection (f->store, id, "home", &error));
  g_assert_no_error (error);
  g_assert_cmpint (put (f->store, second, NULL), ==, id);

  find_id (f->store, id, &found);
  g_assert_cmpstr (found.title, ==, "Title of banana");
  g_assert_cmpuint (found.page_count, ==, 1);
  g_assert_cmpuint (found.chunk_count, ==, 2);
  /* Collections survive an update. */
  g_assert_cmpuint (g_strv_length (found.collections), ==, 2);
  g_assert_cmpstr (found.collections[0], ==, "home");
  g_assert_cmpstr (found.collections[1], ==, "work");
  docent_doc_record_clear (&found);

  g_assert_cmpint (fts_count (f->store, "apple"), ==, 0);
  g_assert_cmpint (fts_count (f->store, "banana"), ==, 2);
  g_assert_cmpint (query_int (f->store, "SELECT count(*) FROM pages"), ==, 1);
  g_assert_cmpint (query_int (f->store, "SELECT count(*) FROM documents"), ==, 1);
  assert_fts_intact (f->store);
}

static void
test_failed_put_changes_nothing (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TestDoc) good = test_doc_new ("/docs/a.txt", "apple", 2, 4);
  g_autoptr(TestDoc) bad = test_doc_new ("/docs/a.txt", "banana", 2, 4);
  g_autoptr(TestDoc) bad_new = test_doc_new ("/docs/new.txt", "cherry", 1, 3);
  DocentStoreStats before, after;
  DocentDocRecord found = { 0 };
  gint64 id;

  id = put (f->store, good, "work");
  g_assert_true (docent_store_stats (f->store, &before, &error));

  /* The last chunk violates CHECK (page_start >= 1): the whole update
   * must roll back, after the old chunks were already deleted in it. */
  g_array_index (bad->chunks, DocentStoreChunk, 3).page_start = 0;
  g_assert_cmpint (put_document (f->store, bad, "other", &error), ==, 0);
  g_assert_error (error, DOCENT_STORE_ERROR, DOCENT_STORE_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "/docs/a.txt"));
  g_clear_error (&error);

  /* Same for a new document: no trace of it. */
  g_array_index (bad_new->chunks, DocentStoreChunk, 2).text = NULL;
  g_assert_cmpint (put_document (f->store, bad_new, "other", &error), ==, 0);
  g_assert_error (error, DOCENT_STORE_ERROR, DOCENT_STORE_ERROR_IO);
  g_clear_error (&error);

  find_id (f->store, id, &found);
  g_assert_cmpstr (found.title, ==, "Title of apple");
  g_assert_cmpuint (found.chunk_count, ==, 4);
  g_assert_cmpuint (g_strv_length (found.collections), ==, 1);
  docent_doc_record_clear (&found);
  g_assert_false (docent_store_find_by_path (f->store, "/docs/new.txt", &found, &error));
  g_assert_no_error (error);

  g_assert_cmpint (fts_count (f->store, "apple"), ==, 4);
  g_assert_cmpint (fts_count (f->store, "banana"), ==, 0);
  g_assert_cmpint (fts_count (f->store, "cherry"), ==, 0);
  g_assert_true (docent_store_stats (f->store, &after, &error));
  g_assert_cmpuint (after.documents, ==, before.documents);
  g_assert_cmpuint (after.pages, ==, before.pages);
  g_assert_cmpuint (after.chunks, ==, before.chunks);
  g_assert_cmpuint (after.collections, ==, before.collections);
  g_assert_cmpint (after.generation, ==, before.generation);
  assert_fts_intact (f->store);

  /* And the store is usable afterwards: the transaction was closed. */
  g_array_index (bad_new->chunks, DocentStoreChunk, 2).text = "chunk 2 of cherry";
  put (f->store, bad_new, NULL);
  g_assert_cmpint (fts_count (f->store, "cherry"), ==, 3);
}

static void
test_record_failure (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TestDoc) doc = test_doc_new ("/docs/a.txt", "apple", 1, 2);
  DocentDocRecord broken = { 0 };
  DocentDocRecord found = { 0 };
  DocentStoreStats stats;
  gint64 id, failed_id;

  /* A new path becomes a FAILED document with no content. */
  broken.path = "/docs/broken.pdf";
  broken.size = 99;
  failed_id = docent_store_record_failure (f->store, &broken, "not a PDF", "work", &error);
  g_assert_no_error (error);
  g_assert_cmpint (failed_id, >, 0);
  find_id (f->store, failed_id, &found);
  g_assert_cmpint (found.status, ==, DOCENT_DOC_FAILED);
  g_assert_cmpstr (found.error, ==, "not a PDF");
  g_assert_cmpuint (found.chunk_count, ==, 0);
  g_assert_cmpint (found.size, ==, 99);
  g_assert_cmpstr (found.collections[0], ==, "work");
  docent_doc_record_clear (&found);

  /* Failing again updates the reason, keeps the id. */
  g_assert_cmpint (docent_store_record_failure (f->store, &broken, "still not a PDF", NULL, &error),
                   ==, failed_id);
  find_id (f->store, failed_id, &found);
  g_assert_cmpstr (found.error, ==, "still not a PDF");
  docent_doc_record_clear (&found);

  /* An indexed document keeps its content and notes the failure. */
  id = put (f->store, doc, NULL);
  doc->rec.size = 5;
  g_assert_cmpint (docent_store_record_failure (f->store, &doc->rec, "cannot read", NULL, &error),
                   ==, id);
  find_id (f->store, id, &found);
  g_assert_cmpint (found.status, ==, DOCENT_DOC_INDEXED);
  g_assert_cmpstr (found.error, ==, "cannot read");
  g_assert_cmpint (found.size, ==, 1234);
  g_assert_cmpuint (found.chunk_count, ==, 2);
  docent_doc_record_clear (&found);
  g_assert_cmpint (fts_count (f->store, "apple"), ==, 2);

  /* A successful put clears the error; a FAILED one becomes INDEXED. */
  put (f->store, doc, NULL);
  find_id (f->store, id, &found);
  g_assert_null (found.error);
  docent_doc_record_clear (&found);

  g_assert_true (docent_store_stats (f->store, &stats, &error));
  g_assert_cmpuint (stats.documents, ==, 1);
  g_assert_cmpuint (stats.failed, ==, 1);
}

static void
test_touch (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TestDoc) doc = test_doc_new ("/docs/a.txt", "apple", 1, 1);
  g_autoptr(TestDoc) other = test_doc_new ("/docs/b.txt", "banana", 1, 1);
  DocentDocRecord found = { 0 };
  gint64 id = put (f->store, doc, NULL);

  put (f->store, other, NULL);
  g_assert_true (docent_store_touch_document (f->store, id, "/moved/a.txt", 42, &error));
  g_assert_no_error (error);
  find_id (f->store, id, &found);
  g_assert_cmpstr (found.path, ==, "/moved/a.txt");
  g_assert_cmpint (found.mtime, ==, 42);
  docent_doc_record_clear (&found);

  g_assert_false (docent_store_touch_document (f->store, id + 100, "/x", 1, &error));
  g_assert_error (error, DOCENT_STORE_ERROR, DOCENT_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Onto another document's path: refused, nothing changed. */
  g_assert_false (docent_store_touch_document (f->store, id, "/docs/b.txt", 1, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  find_id (f->store, id, &found);
  g_assert_cmpstr (found.path, ==, "/moved/a.txt");
  docent_doc_record_clear (&found);
}

static void
test_remove_cascades (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TestDoc) doc = test_doc_new ("/docs/a.txt", "apple", 3, 10);
  g_autoptr(TestDoc) keep = test_doc_new ("/docs/b.txt", "banana", 1, 2);
  DocentStoreStats before, after;
  gint64 id = put (f->store, doc, "work");

  put (f->store, keep, "work");
  exec_sql (f->store,
            "INSERT INTO embeddings (chunk_id, embedder, vector)"
            " SELECT id, 'test', x'00000000' FROM chunks");
  g_assert_cmpint (fts_count (f->store, "apple"), ==, 10);
  g_assert_true (docent_store_stats (f->store, &before, &error));

  g_assert_true (docent_store_remove_document (f->store, id, &error));
  g_assert_no_error (error);

  g_assert_cmpint (fts_count (f->store, "apple"), ==, 0);
  g_assert_cmpint (fts_count (f->store, "banana"), ==, 2);
  g_assert_cmpint (query_int (f->store, "SELECT count(*) FROM pages"), ==, 1);
  g_assert_cmpint (query_int (f->store, "SELECT count(*) FROM chunks"), ==, 2);
  g_assert_cmpint (query_int (f->store, "SELECT count(*) FROM embeddings"), ==, 2);
  g_assert_cmpint (query_int (f->store, "SELECT count(*) FROM document_collections"), ==, 1);
  assert_fts_intact (f->store);

  g_assert_true (docent_store_stats (f->store, &after, &error));
  g_assert_cmpint (after.generation, ==, before.generation + 1);
  g_assert_cmpuint (after.collections, ==, 1);

  g_assert_false (docent_store_remove_document (f->store, id, &error));
  g_assert_error (error, DOCENT_STORE_ERROR, DOCENT_STORE_ERROR_NOT_FOUND);
}

static void
test_collections (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TestDoc) a = test_doc_new ("/docs/a.txt", "apple", 1, 1);
  g_autoptr(TestDoc) b = test_doc_new ("/docs/b.txt", "banana", 1, 2);
  g_autoptr(TestDoc) c = test_doc_new ("/docs/c.txt", "cherry", 1, 3);
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) work = NULL;
  g_autoptr(GPtrArray) none = NULL;
  g_auto(GStrv) names = NULL;
  gint64 id_a, id_b;

  id_a = put (f->store, a, "work");
  id_b = put (f->store, b, "home");
  put (f->store, c, NULL);
  g_assert_true (docent_store_add_to_collection (f->store, id_b, "work", &error));
  g_assert_no_error (error);
  /* Adding twice is harmless. */
  g_assert_true (docent_store_add_to_collection (f->store, id_b, "work", &error));
  g_assert_false (docent_store_add_to_collection (f->store, id_a + 1000, "work", &error));
  g_assert_error (error, DOCENT_STORE_ERROR, DOCENT_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  names = docent_store_list_collections (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (names), ==, 2);
  g_assert_cmpstr (names[0], ==, "home");
  g_assert_cmpstr (names[1], ==, "work");

  all = docent_store_list_documents (f->store, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, 3);
  {
    DocentDocRecord *ra = g_ptr_array_index (all, 0);
    DocentDocRecord *rb = g_ptr_array_index (all, 1);
    DocentDocRecord *rc = g_ptr_array_index (all, 2);

    g_assert_cmpstr (ra->path, ==, "/docs/a.txt");
    g_assert_cmpuint (ra->chunk_count, ==, 1);
    g_assert_cmpstr (rb->path, ==, "/docs/b.txt");
    g_assert_cmpuint (rb->chunk_count, ==, 2);
    g_assert_cmpuint (g_strv_length (rb->collections), ==, 2);
    g_assert_cmpstr (rb->collections[0], ==, "home");
    g_assert_cmpstr (rb->collections[1], ==, "work");
    g_assert_cmpstr (rc->path, ==, "/docs/c.txt");
    g_assert_cmpuint (rc->chunk_count, ==, 3);
    g_assert_nonnull (rc->collections);
    g_assert_null (rc->collections[0]);
    g_assert_cmpstr (rc->title, ==, "Title of cherry");
  }

  work = docent_store_list_documents (f->store, "work", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (work->len, ==, 2);
  g_assert_cmpint (((DocentDocRecord *) g_ptr_array_index (work, 0))->id, ==, id_a);
  g_assert_cmpint (((DocentDocRecord *) g_ptr_array_index (work, 1))->id, ==, id_b);

  none = docent_store_list_documents (f->store, "nothing", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (none->len, ==, 0);
}

static void
assert_ids (GArray       *ids,
            const gint64 *expected,
            guint         n)
{
  g_assert_nonnull (ids);
  g_assert_cmpuint (ids->len, ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpint (g_array_index (ids, gint64, i), ==, expected[i]);
}

/* The ids under `prefix` are `expected` (or, for NULL, just `n` ids). */
static void
assert_ids_under (DocentStore  *store,
                  const char   *prefix,
                  const gint64 *expected,
                  guint         n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) found = docent_store_ids_under_path (store, prefix, &error);

  g_assert_no_error (error);
  if (expected != NULL)
    assert_ids (found, expected, n);
  else
    g_assert_cmpuint (found->len, ==, n);
}

static void
test_ids_under_path (Fixture       *f,
                     gconstpointer  data)
{
  const char *paths[] = {
    "/a/b", "/a/b/one.txt", "/a/b/sub/two.txt", "/a/bc/three.txt", "/a/b.txt",
    "/p%q/x.txt", "/pXq/y.txt", "/p_q/z.txt", "/paq/w.txt", "/a/b0.txt",
  };
  gint64 ids[G_N_ELEMENTS (paths)];

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(TestDoc) doc = test_doc_new (paths[i], "word", 1, 1);

      ids[i] = put (f->store, doc, NULL);
    }

  /* Ordered by path: "/a/b" < "/a/b/one.txt" < "/a/b/sub/two.txt". */
  assert_ids_under (f->store, "/a/b", (gint64[]) { ids[0], ids[1], ids[2] }, 3);
  assert_ids_under (f->store, "/a/b/", (gint64[]) { ids[0], ids[1], ids[2] }, 3);
  assert_ids_under (f->store, "/a/b/one.txt", (gint64[]) { ids[1] }, 1);
  /* LIKE would read % and _ as wildcards. */
  assert_ids_under (f->store, "/p%q", (gint64[]) { ids[5] }, 1);
  assert_ids_under (f->store, "/p_q", (gint64[]) { ids[7] }, 1);
  assert_ids_under (f->store, "/a", NULL, 6);
  assert_ids_under (f->store, "/", NULL, G_N_ELEMENTS (paths));
  assert_ids_under (f->store, "/nothing", NULL, 0);
}

static void
test_stats_and_generation (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TestDoc) a = test_doc_new ("/docs/a.txt", "apple", 2, 3);
  g_autoptr(TestDoc) b = test_doc_new ("/docs/b.txt", "banana", 4, 5);
  DocentDocRecord broken = { .path = "/docs/broken" };
  DocentStoreStats stats;
  gint64 generation, id_a;

  g_assert_true (docent_store_stats (f->store, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.documents, ==, 0);
  g_assert_cmpuint (stats.chunks, ==, 0);
  g_assert_cmpint (stats.generation, ==, 0);
  g_assert_cmpint (stats.db_bytes, >, 0);
  generation = stats.generation;

  id_a = put (f->store, a, "x");
  put (f->store, b, "y");
  docent_store_record_failure (f->store, &broken, "bad", NULL, &error);
  g_assert_no_error (error);
  g_assert_true (docent_store_stats (f->store, &stats, &error));
  g_assert_cmpuint (stats.documents, ==, 2);
  g_assert_cmpuint (stats.failed, ==, 1);
  g_assert_cmpuint (stats.pages, ==, 6);
  g_assert_cmpuint (stats.chunks, ==, 8);
  g_assert_cmpuint (stats.collections, ==, 2);
  g_assert_cmpint (stats.generation, ==, generation + 2);
  generation = stats.generation;

  /* Changes without chunks leave the generation alone. */
  docent_store_add_to_collection (f->store, id_a, "z", &error);
  docent_store_touch_document (f->store, id_a, NULL, 7, &error);
  g_assert_no_error (error);
  g_assert_true (docent_store_stats (f->store, &stats, &error));
  g_assert_cmpint (stats.generation, ==, generation);

  put (f->store, a, NULL);
  g_assert_true (docent_store_stats (f->store, &stats, &error));
  g_assert_cmpint (stats.generation, ==, generation + 1);
  g_assert_cmpuint (stats.chunks, ==, 8);
}

static void
test_get_page (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TestDoc) doc = test_doc_new ("/docs/a.txt", "apple", 3, 1);
  g_autoptr(GBytes) layout = NULL;
  g_autofree char *text = NULL;
  double width = 0, height = 0;
  gint64 id;

  /* Page 3 has no layout; page 2 an empty one. */
  g_clear_pointer (&g_array_index (doc->pages, DocentStorePage, 2).layout, g_bytes_unref);
  g_bytes_unref (g_array_index (doc->pages, DocentStorePage, 1).layout);
  g_array_index (doc->pages, DocentStorePage, 1).layout = g_bytes_new (NULL, 0);
  id = put (f->store, doc, NULL);

  g_assert_true (docent_store_get_page (f->store, id, 1, &text, &layout, &width, &height, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (text, ==, "page 1 of apple");
  g_assert_true (g_bytes_equal (layout, g_array_index (doc->pages, DocentStorePage, 0).layout));
  g_assert_cmpfloat (width, ==, 612);
  g_assert_cmpfloat (height, ==, 792);
  g_clear_pointer (&text, g_free);
  g_clear_pointer (&layout, g_bytes_unref);

  g_assert_true (docent_store_get_page (f->store, id, 2, &text, &layout, NULL, NULL, &error));
  g_assert_nonnull (layout);
  g_assert_cmpuint (g_bytes_get_size (layout), ==, 0);
  g_clear_pointer (&text, g_free);
  g_clear_pointer (&layout, g_bytes_unref);

  g_assert_true (docent_store_get_page (f->store, id, 3, &text, &layout, NULL, NULL, &error));
  g_assert_cmpstr (text, ==, "page 3 of apple");
  g_assert_null (layout);
  g_clear_pointer (&text, g_free);

  g_assert_false (docent_store_get_page (f->store, id, 4, &text, &layout, NULL, NULL, &error));
  g_assert_error (error, DOCENT_STORE_ERROR, DOCENT_STORE_ERROR_NOT_FOUND);
  g_assert_null (text);
}

/* Many documents through one store: the cached statements are reused and
 * nothing leaks or stays locked. */
static void
test_many_puts (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) docs = NULL;

  for (guint i = 0; i < 300; i++)
    {
      g_autofree char *path = g_strdup_printf ("/bulk/%03u.txt", i);
      g_autoptr(TestDoc) doc = test_doc_new (path, i % 2 ? "odd" : "even", 1, 3);

      put (f->store, doc, i % 3 ? "thirds" : NULL);
    }
  docs = docent_store_list_documents (f->store, "thirds", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (docs->len, ==, 200);
  g_assert_cmpint (fts_count (f->store, "odd"), ==, 450);
  assert_fts_intact (f->store);
}

/* Chunk ids are never handed out twice, even when the newest chunks are
 * deleted (an update of the last document, a removal). */
static void
test_chunk_ids_not_reused (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(TestDoc) first = test_doc_new ("/docs/a.txt", "apple", 1, 3);
  g_autoptr(TestDoc) update = test_doc_new ("/docs/a.txt", "banana", 1, 3);
  g_autoptr(TestDoc) other = test_doc_new ("/docs/b.txt", "cherry", 1, 2);
  g_autoptr(GError) error = NULL;
  gint64 high, id;

  put (f->store, first, NULL);
  high = query_int (f->store, "SELECT max(id) FROM chunks");
  id = put (f->store, update, NULL);
  g_assert_cmpint (query_int (f->store, "SELECT min(id) FROM chunks"), >, high);
  high = query_int (f->store, "SELECT max(id) FROM chunks");
  g_assert_true (docent_store_remove_document (f->store, id, &error));
  g_assert_no_error (error);
  put (f->store, other, NULL);
  g_assert_cmpint (query_int (f->store, "SELECT min(id) FROM chunks"), >, high);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/store/open/private-file", test_open_creates_private_file);
  g_test_add_func ("/store/open/reopen", test_reopen);
  g_test_add_func ("/store/open/newer-schema", test_newer_schema_refused);
  g_test_add_func ("/store/open/garbage", test_garbage_refused);
  g_test_add_func ("/store/open/foreign-database", test_foreign_database_refused);
  g_test_add_func ("/store/open/unopenable", test_unopenable_path);
#define ADD(name, func) \
  g_test_add ("/store/" name, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("put-find", test_put_find);
  ADD ("update-keeps-id", test_update_keeps_id);
  ADD ("failed-put-changes-nothing", test_failed_put_changes_nothing);
  ADD ("record-failure", test_record_failure);
  ADD ("touch", test_touch);
  ADD ("remove-cascades", test_remove_cascades);
  ADD ("collections", test_collections);
  ADD ("ids-under-path", test_ids_under_path);
  ADD ("stats-generation", test_stats_and_generation);
  ADD ("get-page", test_get_page);
  ADD ("many-puts", test_many_puts);
  ADD ("chunk-ids-not-reused", test_chunk_ids_not_reused);
#undef ADD

  return g_test_run ();
}
