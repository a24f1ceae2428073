/* store.c — the library database: opening and migrating it, and every read
 * and write of documents, pages, chunks and collections. The FTS5 index is
 * kept in step with `chunks` by triggers, so nothing here touches it
 * directly; search.c reads it. */
#include "index/store.h"

#include "index/search.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>
#include <unistd.h>

/* "Dcnt": tells a Docent library from any other SQLite file. */
#define DOCENT_APPLICATION_ID 0x44636e74

struct _DocentStore
{
  sqlite3 *db;
  char *path;
  GHashTable *statements;  /* SQL text → sqlite3_stmt, prepared once */
};

G_DEFINE_QUARK (docent-store-error-quark, docent_store_error)

/* Migration N takes a library from user_version N to N + 1. Each runs in
 * its own transaction together with the version bump, so a crash leaves
 * the library at one version or the next, never between. */
static const char *const migrations[] = {
  /* 0 → 1 */
  "CREATE TABLE collections ("
  "  id INTEGER PRIMARY KEY,"
  "  name TEXT NOT NULL UNIQUE,"
  "  created INTEGER NOT NULL"
  ");"
  "CREATE TABLE documents ("
  "  id INTEGER PRIMARY KEY,"
  "  path TEXT NOT NULL UNIQUE,"
  "  sha256 TEXT,"
  "  mtime INTEGER NOT NULL DEFAULT 0,"
  "  size INTEGER NOT NULL DEFAULT 0,"
  "  title TEXT,"
  "  type TEXT,"
  "  page_count INTEGER NOT NULL DEFAULT 0 CHECK (page_count >= 0),"
  "  status TEXT NOT NULL CHECK (status IN ('indexed', 'failed')),"
  "  error TEXT,"
  "  added INTEGER NOT NULL,"
  "  updated INTEGER NOT NULL"
  ");"
  "CREATE INDEX documents_sha256 ON documents (sha256);"
  "CREATE TABLE document_collections ("
  "  document_id INTEGER NOT NULL"
  "    REFERENCES documents (id) ON DELETE CASCADE,"
  "  collection_id INTEGER NOT NULL"
  "    REFERENCES collections (id) ON DELETE CASCADE,"
  "  PRIMARY KEY (document_id, collection_id)"
  ") WITHOUT ROWID;"
  "CREATE INDEX document_collections_collection"
  "  ON document_collections (collection_id, document_id);"
  "CREATE TABLE pages ("
  "  id INTEGER PRIMARY KEY,"
  "  document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,"
  "  page_no INTEGER NOT NULL CHECK (page_no >= 1),"
  "  width REAL NOT NULL DEFAULT 0,"
  "  height REAL NOT NULL DEFAULT 0,"
  "  text TEXT NOT NULL,"
  "  layout BLOB,"
  "  UNIQUE (document_id, page_no)"
  ");"
  /* char_end is in page_end's text, so it is only comparable with
   * char_start within one page. */
  "CREATE TABLE chunks ("
  "  id INTEGER PRIMARY KEY,"
  "  document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,"
  "  ordinal INTEGER NOT NULL CHECK (ordinal >= 0),"
  "  page_start INTEGER NOT NULL CHECK (page_start >= 1),"
  "  page_end INTEGER NOT NULL CHECK (page_end >= page_start),"
  "  char_start INTEGER NOT NULL CHECK (char_start >= 0),"
  "  char_end INTEGER NOT NULL"
  "    CHECK (page_end > page_start OR char_end >= char_start),"
  "  heading TEXT,"
  "  text TEXT NOT NULL,"
  "  UNIQUE (document_id, ordinal)"
  ");"
  /* (document_id, id): a document's first and last chunk in two seeks,
   * which search uses to turn a collection into ranges of chunk ids. */
  "CREATE INDEX chunks_document ON chunks (document_id);"
  "CREATE VIRTUAL TABLE chunks_fts USING fts5 ("
  "  text, heading,"
  "  content = 'chunks', content_rowid = 'id',"
  "  tokenize = 'porter unicode61 remove_diacritics 2'"
  ");"
  "INSERT INTO chunks_fts (chunks_fts, rank) VALUES ('rank', 'bm25(1.0, 0.5)');"
  /* External content: FTS5 only learns of changes through these, and a
   * 'delete' must be given the exact old values to remove their tokens.
   * They also fire for rows removed by ON DELETE CASCADE. */
  "CREATE TRIGGER chunks_fts_insert AFTER INSERT ON chunks BEGIN"
  "  INSERT INTO chunks_fts (rowid, text, heading)"
  "    VALUES (new.id, new.text, new.heading);"
  "END;"
  "CREATE TRIGGER chunks_fts_delete AFTER DELETE ON chunks BEGIN"
  "  INSERT INTO chunks_fts (chunks_fts, rowid, text, heading)"
  "    VALUES ('delete', old.id, old.text, old.heading);"
  "END;"
  "CREATE TRIGGER chunks_fts_update AFTER UPDATE ON chunks BEGIN"
  "  INSERT INTO chunks_fts (chunks_fts, rowid, text, heading)"
  "    VALUES ('delete', old.id, old.text, old.heading);"
  "  INSERT INTO chunks_fts (rowid, text, heading)"
  "    VALUES (new.id, new.text, new.heading);"
  "END;"
  "CREATE TABLE embeddings ("
  "  chunk_id INTEGER NOT NULL REFERENCES chunks (id) ON DELETE CASCADE,"
  "  embedder TEXT NOT NULL,"
  "  vector BLOB NOT NULL,"
  "  PRIMARY KEY (chunk_id, embedder)"
  ");"
  "CREATE TABLE conversations ("
  "  id INTEGER PRIMARY KEY,"
  "  title TEXT,"
  "  created INTEGER NOT NULL,"
  "  updated INTEGER NOT NULL"
  ");"
  "CREATE TABLE messages ("
  "  id INTEGER PRIMARY KEY,"
  "  conversation_id INTEGER NOT NULL"
  "    REFERENCES conversations (id) ON DELETE CASCADE,"
  "  ordinal INTEGER NOT NULL,"
  "  question TEXT NOT NULL,"
  "  answer TEXT,"
  "  citations TEXT,"
  "  created INTEGER NOT NULL,"
  "  UNIQUE (conversation_id, ordinal)"
  ");"
  "CREATE TABLE meta ("
  "  key TEXT PRIMARY KEY,"
  "  value"
  ") WITHOUT ROWID;"
  "INSERT INTO meta (key, value) VALUES ('generation', 0);"
  "PRAGMA application_id = 1147367028;",

  /* 2: listing one embedder's chunk ids without reading the vectors */
  "CREATE INDEX embeddings_by_embedder ON embeddings (embedder, chunk_id);",

  /* 3: pages read by OCR, with tesseract's mean word confidence (NULL for
   * other pages); the partial index answers per-document OCR summaries
   * without reading the pages' text and layout. */
  "ALTER TABLE pages ADD COLUMN ocr INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE pages ADD COLUMN ocr_confidence REAL;"
  "CREATE INDEX pages_ocr ON pages (document_id, ocr, ocr_confidence) WHERE ocr;",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == DOCENT_STORE_SCHEMA_VERSION);
G_STATIC_ASSERT (DOCENT_APPLICATION_ID == 1147367028);

/* The columns read_document() expects, from `documents d`. */
#define DOC_COLUMNS \
  "d.id, d.path, d.sha256, d.mtime, d.size, d.title, d.type, d.page_count," \
  " d.status, d.error, d.added, d.updated"
#define DOC_CHUNK_COUNT \
  "(SELECT count(*) FROM chunks c WHERE c.document_id = d.id)"

static const char sql_begin[] = "BEGIN IMMEDIATE";
static const char sql_commit[] = "COMMIT";
static const char sql_rollback[] = "ROLLBACK";
static const char sql_bump_generation[] =
  "UPDATE meta SET value = value + 1 WHERE key = 'generation'";

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static void
finalize_statement (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

static int
error_code_for (int rc)
{
  switch (rc & 0xff)
    {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return DOCENT_STORE_ERROR_SCHEMA;
    default:
      return DOCENT_STORE_ERROR_IO;
    }
}

/* Sets `error` from the connection's last error: "what: why (library)". */
static void
set_db_error (DocentStore  *store,
              GError      **error,
              const char   *what)
{
  g_set_error (error, DOCENT_STORE_ERROR,
               error_code_for (sqlite3_extended_errcode (store->db)),
               "%s: %s (%s)", what, sqlite3_errmsg (store->db), store->path);
}

sqlite3_stmt *
docent_store_statement (DocentStore  *store,
                        const char   *sql,
                        GError      **error)
{
  sqlite3_stmt *stmt;

  stmt = g_hash_table_lookup (store->statements, sql);
  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return stmt;
    }
  if (sqlite3_prepare_v3 (store->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
                          &stmt, NULL) != SQLITE_OK)
    {
      set_db_error (store, error, "cannot prepare a query");
      return NULL;
    }
  g_hash_table_insert (store->statements, (gpointer) sql, stmt);
  return stmt;
}

struct sqlite3 *
docent_store_db (DocentStore *store)
{
  return store->db;
}

/* Runs a cached statement that returns no rows. */
static gboolean
run (DocentStore  *store,
     const char   *sql,
     GError      **error)
{
  sqlite3_stmt *stmt = docent_store_statement (store, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    {
      set_db_error (store, error, "cannot update the library");
      sqlite3_reset (stmt);
      return FALSE;
    }
  sqlite3_reset (stmt);
  return TRUE;
}

/* Steps a statement to its end, resets it, and says why it failed. */
static gboolean
step_done (DocentStore   *store,
           sqlite3_stmt  *stmt,
           const char    *what,
           GError       **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW)
    rc = SQLITE_DONE;
  if (rc != SQLITE_DONE)
    set_db_error (store, error, what);
  sqlite3_reset (stmt);
  return rc == SQLITE_DONE;
}

/* Steps a statement that returns an id ("... RETURNING id"): the id, or 0
 * with `error` set. */
static gint64
step_id (DocentStore   *store,
         sqlite3_stmt  *stmt,
         const char    *what,
         GError       **error)
{
  gint64 id = 0;

  if (sqlite3_step (stmt) == SQLITE_ROW)
    id = sqlite3_column_int64 (stmt, 0);
  else
    set_db_error (store, error, what);
  sqlite3_reset (stmt);
  return id;
}

/* Ends a loop over the rows of `stmt` that stopped at `rc`: TRUE when it
 * reached the end, FALSE with `error` set otherwise. Resets `stmt`. */
static gboolean
finish_rows (DocentStore   *store,
             sqlite3_stmt  *stmt,
             int            rc,
             const char    *what,
             GError       **error)
{
  if (rc != SQLITE_DONE)
    set_db_error (store, error, what);
  sqlite3_reset (stmt);
  return rc == SQLITE_DONE;
}

/* Adds the text of the first column of every row of `stmt` to `names`. */
static gboolean
add_names (DocentStore   *store,
           sqlite3_stmt  *stmt,
           GStrvBuilder  *names,
           const char    *what,
           GError       **error)
{
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_strv_builder_add (names, (const char *) sqlite3_column_text (stmt, 0));
  return finish_rows (store, stmt, rc, what, error);
}

static gboolean
begin (DocentStore  *store,
       GError      **error)
{
  return run (store, sql_begin, error);
}

static gboolean
commit (DocentStore  *store,
        GError      **error)
{
  if (run (store, sql_commit, error))
    return TRUE;
  run (store, sql_rollback, NULL);
  return FALSE;
}

/* After a failure the error is already set; SQLite may have rolled back
 * on its own (disk full), which makes our ROLLBACK a harmless no-op. */
static void
rollback (DocentStore *store)
{
  if (!sqlite3_get_autocommit (store->db))
    run (store, sql_rollback, NULL);
}

static void
bind_text (sqlite3_stmt *stmt,
           int           index,
           const char   *text)
{
  sqlite3_bind_text (stmt, index, text, -1, SQLITE_STATIC);
}

/* The cached statement for `sql` with `id` bound to ?1, or NULL. */
static sqlite3_stmt *
statement_with_id (DocentStore  *store,
                   const char   *sql,
                   gint64        id,
                   GError      **error)
{
  sqlite3_stmt *stmt = docent_store_statement (store, sql, error);

  if (stmt != NULL)
    sqlite3_bind_int64 (stmt, 1, id);
  return stmt;
}

static char *
column_strdup (sqlite3_stmt *stmt,
               int           column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

gboolean
docent_store_begin (DocentStore  *store,
                    GError      **error)
{
  return begin (store, error);
}

gboolean
docent_store_commit (DocentStore  *store,
                     GError      **error)
{
  return commit (store, error);
}

void
docent_store_rollback (DocentStore *store)
{
  rollback (store);
}

gboolean
docent_store_bump_generation (DocentStore  *store,
                              GError      **error)
{
  return run (store, sql_bump_generation, error);
}

gboolean
docent_store_step_done (DocentStore   *store,
                        sqlite3_stmt  *stmt,
                        const char    *what,
                        GError       **error)
{
  return step_done (store, stmt, what, error);
}

gboolean
docent_store_finish_rows (DocentStore   *store,
                          sqlite3_stmt  *stmt,
                          int            rc,
                          const char    *what,
                          GError       **error)
{
  return finish_rows (store, stmt, rc, what, error);
}

/* ---- opening and migrating ---------------------------------------------- */

/* Reads one integer from a query like "PRAGMA user_version". */
static gboolean
query_int (DocentStore  *store,
           const char   *sql,
           gint64       *out,
           GError      **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (sqlite3_prepare_v2 (store->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      set_db_error (store, error, "cannot read the library");
      return FALSE;
    }
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *out = sqlite3_column_int64 (stmt, 0);
  else if (rc != SQLITE_DONE)
    set_db_error (store, error, "cannot read the library");
  sqlite3_finalize (stmt);
  return rc == SQLITE_ROW || rc == SQLITE_DONE;
}

static gboolean
check_library (DocentStore  *store,
               gint64        version,
               GError      **error)
{
  gint64 app_id = 0, n_objects = 0;

  if (version > DOCENT_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, DOCENT_STORE_ERROR, DOCENT_STORE_ERROR_SCHEMA,
                   "library was created by a newer Docent (schema %" G_GINT64_FORMAT
                   ", this one knows %d): %s",
                   version, DOCENT_STORE_SCHEMA_VERSION, store->path);
      return FALSE;
    }
  if (!query_int (store, "PRAGMA application_id", &app_id, error) ||
      !query_int (store, "SELECT count(*) FROM sqlite_schema", &n_objects, error))
    return FALSE;
  if (app_id != DOCENT_APPLICATION_ID && (version > 0 || n_objects > 0))
    {
      g_set_error (error, DOCENT_STORE_ERROR, DOCENT_STORE_ERROR_SCHEMA,
                   "%s is an SQLite database but not a Docent library",
                   store->path);
      return FALSE;
    }
  return TRUE;
}

/* Applies the migrations still missing, one transaction each. The version
 * is read again inside the transaction: another process may have migrated
 * the library while we waited for the write lock. */
static gboolean
migrate (DocentStore  *store,
         GError      **error)
{
  for (;;)
    {
      g_autofree char *set_version = NULL;
      gint64 version = 0;

      if (!begin (store, error))
        return FALSE;
      if (!query_int (store, "PRAGMA user_version", &version, error) ||
          !check_library (store, version, error))
        {
          rollback (store);
          return FALSE;
        }
      if (version == DOCENT_STORE_SCHEMA_VERSION)
        return commit (store, error);

      set_version = g_strdup_printf ("PRAGMA user_version = %" G_GINT64_FORMAT,
                                     version + 1);
      if (sqlite3_exec (store->db, migrations[version], NULL, NULL, NULL) != SQLITE_OK ||
          sqlite3_exec (store->db, set_version, NULL, NULL, NULL) != SQLITE_OK)
        {
          g_autofree char *what = g_strdup_printf ("cannot upgrade the library to schema %"
                                                   G_GINT64_FORMAT, version + 1);

          set_db_error (store, error, what);
          rollback (store);
          return FALSE;
        }
      if (!commit (store, error))
        return FALSE;
    }
}

static gboolean
configure (DocentStore  *store,
           GError      **error)
{
  static const char pragmas[] =
    "PRAGMA foreign_keys = ON;"
    "PRAGMA synchronous = NORMAL;"
    "PRAGMA temp_store = MEMORY;"
    "PRAGMA cache_size = -65536;"      /* KiB: 64 MiB of page cache */
    "PRAGMA mmap_size = 1073741824;";  /* map up to 1 GiB of the file */
  gint64 unused;

  sqlite3_extended_result_codes (store->db, 1);
  /* Another process (the app and the command line on one library) holds
   * the write lock for one whole document: a 60 MB text file, near the
   * 64 MiB text limit, kept a second writer waiting 7 s on a loaded
   * machine. Waiting longer beats "database is locked". */
  sqlite3_busy_timeout (store->db, 60000);

  /* The first statement that reads the file: it fails for a file that is
   * not a database at all. */
  if (sqlite3_exec (store->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL) != SQLITE_OK)
    {
      g_set_error (error, DOCENT_STORE_ERROR, DOCENT_STORE_ERROR_OPEN,
                   "cannot open library database %s: %s",
                   store->path, sqlite3_errmsg (store->db));
      return FALSE;
    }
  if (sqlite3_exec (store->db, pragmas, NULL, NULL, NULL) != SQLITE_OK)
    {
      set_db_error (store, error, "cannot configure the library");
      return FALSE;
    }
  if (!docent_search_register (store->db, error))
    return FALSE;
  /* Catch a newer or foreign database before taking the write lock. */
  return query_int (store, "PRAGMA user_version", &unused, error) &&
         check_library (store, unused, error);
}

DocentStore *
docent_store_open (const char  *path,
                   GError     **error)
{
  g_autoptr(DocentStore) store = NULL;
  int fd;

  g_return_val_if_fail (path != NULL, NULL);

  /* Create the file ourselves so that it never exists with the umask's
   * permissions; SQLite gives the -wal and -shm files the same mode. */
  fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, DOCENT_STORE_ERROR, DOCENT_STORE_ERROR_OPEN,
                   "cannot open library database %s: %s",
                   path, g_strerror (saved_errno));
      return NULL;
    }
  close (fd);

  store = g_new0 (DocentStore, 1);
  store->path = g_strdup (path);
  store->statements = g_hash_table_new_full (g_str_hash, g_str_equal,
                                             NULL, finalize_statement);
  if (sqlite3_open_v2 (path, &store->db,
                       SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                       NULL) != SQLITE_OK)
    {
      g_set_error (error, DOCENT_STORE_ERROR, DOCENT_STORE_ERROR_OPEN,
                   "cannot open library database %s: %s", path,
                   store->db ? sqlite3_errmsg (store->db) : "out of memory");
      return NULL;
    }
  if (!configure (store, error) || !migrate (store, error))
    return NULL;
  return g_steal_pointer (&store);
}

void
docent_store_close (DocentStore *store)
{
  if (store == NULL)
    return;
  /* Statements first: sqlite3_close refuses while any is alive. */
  g_clear_pointer (&store->statements, g_hash_table_unref);
  if (store->db != NULL)
    sqlite3_close (store->db);
  g_free (store->path);
  g_free (store);
}

const char *
docent_store_path (DocentStore *store)
{
  return store->path;
}

/* ---- document records --------------------------------------------------- */

void
docent_doc_record_clear (DocentDocRecord *rec)
{
  if (rec == NULL)
    return;
  g_free (rec->path);
  g_free (rec->sha256);
  g_free (rec->title);
  g_free (rec->type);
  g_free (rec->error);
  g_strfreev (rec->collections);
  memset (rec, 0, sizeof *rec);
}

void
docent_doc_record_free (DocentDocRecord *rec)
{
  docent_doc_record_clear (rec);
  g_free (rec);
}

/* Fills `out` from a row of DOC_COLUMNS followed by the chunk count. */
static void
read_document (sqlite3_stmt    *stmt,
               DocentDocRecord *out)
{
  const char *status = (const char *) sqlite3_column_text (stmt, 8);

  memset (out, 0, sizeof *out);
  out->id = sqlite3_column_int64 (stmt, 0);
  out->path = column_strdup (stmt, 1);
  out->sha256 = column_strdup (stmt, 2);
  out->mtime = sqlite3_column_int64 (stmt, 3);
  out->size = sqlite3_column_int64 (stmt, 4);
  out->title = column_strdup (stmt, 5);
  out->type = column_strdup (stmt, 6);
  out->page_count = sqlite3_column_int (stmt, 7);
  out->status = g_strcmp0 (status, "failed") == 0 ? DOCENT_DOC_FAILED
                                                  : DOCENT_DOC_INDEXED;
  out->error = column_strdup (stmt, 9);
  out->added = sqlite3_column_int64 (stmt, 10);
  out->updated = sqlite3_column_int64 (stmt, 11);
  out->chunk_count = sqlite3_column_int (stmt, 12);
}

static gboolean
read_collections (DocentStore      *store,
                  DocentDocRecord  *rec,
                  GError          **error)
{
  static const char sql[] =
    "SELECT co.name FROM document_collections dc"
    " JOIN collections co ON co.id = dc.collection_id"
    " WHERE dc.document_id = ?1 ORDER BY co.name";
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  sqlite3_stmt *stmt;
  gboolean ok;

  stmt = statement_with_id (store, sql, rec->id, error);
  if (stmt == NULL)
    return FALSE;
  ok = add_names (store, stmt, names, "cannot read collections", error);
  rec->collections = g_strv_builder_end (names);
  return ok;
}

/* Steps a bound lookup: TRUE and `out` filled for a row, FALSE for none
 * (with `error` set when it failed). */
static gboolean
find_one (DocentStore      *store,
          sqlite3_stmt     *stmt,
          DocentDocRecord  *out,
          GError          **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW)
    read_document (stmt, out);
  else if (rc != SQLITE_DONE)
    set_db_error (store, error, "cannot look up a document");
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    return FALSE;
  if (!read_collections (store, out, error))
    {
      docent_doc_record_clear (out);
      return FALSE;
    }
  return TRUE;
}

gboolean
docent_store_find_by_path (DocentStore      *store,
                           const char       *path,
                           DocentDocRecord  *out,
                           GError          **error)
{
  static const char sql[] =
    "SELECT " DOC_COLUMNS ", " DOC_CHUNK_COUNT
    " FROM documents d WHERE d.path = ?1";
  sqlite3_stmt *stmt = docent_store_statement (store, sql, error);

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, path);
  return find_one (store, stmt, out, error);
}

gboolean
docent_store_find_by_sha256 (DocentStore      *store,
                             const char       *sha256,
                             DocentDocRecord  *out,
                             GError          **error)
{
  /* Copies of one file may sit in several places; prefer one with content. */
  static const char sql[] =
    "SELECT " DOC_COLUMNS ", " DOC_CHUNK_COUNT
    " FROM documents d WHERE d.sha256 = ?1"
    " ORDER BY d.status = 'indexed' DESC, d.id LIMIT 1";
  sqlite3_stmt *stmt = docent_store_statement (store, sql, error);

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, sha256);
  return find_one (store, stmt, out, error);
}

gboolean
docent_store_find_by_id (DocentStore      *store,
                         gint64            id,
                         DocentDocRecord  *out,
                         GError          **error)
{
  static const char sql[] =
    "SELECT " DOC_COLUMNS ", " DOC_CHUNK_COUNT
    " FROM documents d WHERE d.id = ?1";
  sqlite3_stmt *stmt = statement_with_id (store, sql, id, error);

  if (stmt == NULL)
    return FALSE;
  return find_one (store, stmt, out, error);
}

/* ---- writing ------------------------------------------------------------ */

/* Inside a transaction: the id of collection `name`, created when needed. */
static gint64
ensure_collection (DocentStore  *store,
                   const char   *name,
                   GError      **error)
{
  static const char sql[] =
    "INSERT INTO collections (name, created) VALUES (?1, ?2)"
    " ON CONFLICT (name) DO UPDATE SET name = excluded.name"
    " RETURNING id";
  sqlite3_stmt *stmt = docent_store_statement (store, sql, error);

  if (stmt == NULL)
    return 0;
  bind_text (stmt, 1, name);
  sqlite3_bind_int64 (stmt, 2, now_seconds ());
  return step_id (store, stmt, "cannot create a collection", error);
}

/* Inside a transaction: puts the document in the collection. */
static gboolean
join_collection (DocentStore  *store,
                 gint64        document_id,
                 const char   *name,
                 GError      **error)
{
  static const char sql[] =
    "INSERT OR IGNORE INTO document_collections (document_id, collection_id)"
    " VALUES (?1, ?2)";
  sqlite3_stmt *stmt;
  gint64 collection_id;

  if (name == NULL || *name == '\0')
    return TRUE;
  collection_id = ensure_collection (store, name, error);
  if (collection_id == 0)
    return FALSE;
  stmt = statement_with_id (store, sql, document_id, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 2, collection_id);
  return step_done (store, stmt, "cannot add a document to a collection", error);
}

/* Binds ?1 to ?6 to the file's path, sha256, mtime, size, title and type. */
static void
bind_metadata (sqlite3_stmt          *stmt,
               const DocentDocRecord *rec)
{
  bind_text (stmt, 1, rec->path);
  bind_text (stmt, 2, rec->sha256);
  sqlite3_bind_int64 (stmt, 3, rec->mtime);
  sqlite3_bind_int64 (stmt, 4, rec->size);
  bind_text (stmt, 5, rec->title);
  bind_text (stmt, 6, rec->type);
}

/* Inside a transaction: inserts or updates the row of rec->path as an
 * indexed document and returns its id. */
static gint64
upsert_indexed (DocentStore            *store,
                const DocentDocRecord  *rec,
                guint                   page_count,
                GError                **error)
{
  static const char sql[] =
    "INSERT INTO documents (path, sha256, mtime, size, title, type,"
    "                       page_count, status, error, added, updated)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'indexed', NULL, ?8, ?8)"
    " ON CONFLICT (path) DO UPDATE SET"
    "   sha256 = excluded.sha256, mtime = excluded.mtime,"
    "   size = excluded.size, title = excluded.title, type = excluded.type,"
    "   page_count = excluded.page_count, status = 'indexed', error = NULL,"
    "   updated = excluded.updated"
    " RETURNING id";
  sqlite3_stmt *stmt = docent_store_statement (store, sql, error);

  if (stmt == NULL)
    return 0;
  bind_metadata (stmt, rec);
  sqlite3_bind_int64 (stmt, 7, page_count);
  sqlite3_bind_int64 (stmt, 8, now_seconds ());
  return step_id (store, stmt, "cannot store the document", error);
}

/* Inside a transaction: drops the pages and chunks of a document (the
 * triggers take its FTS rows, the cascade its embeddings). */
static gboolean
delete_content (DocentStore  *store,
                gint64        document_id,
                GError      **error)
{
  static const char sql_pages[] = "DELETE FROM pages WHERE document_id = ?1";
  static const char sql_chunks[] = "DELETE FROM chunks WHERE document_id = ?1";
  const char *const sqls[] = { sql_pages, sql_chunks };

  for (guint i = 0; i < G_N_ELEMENTS (sqls); i++)
    {
      sqlite3_stmt *stmt = statement_with_id (store, sqls[i], document_id, error);

      if (stmt == NULL)
        return FALSE;
      if (!step_done (store, stmt, "cannot remove old content", error))
        return FALSE;
    }
  return TRUE;
}

/* Binds everything but ?1 (the document id) of one row to insert. */
typedef void (*BindRow) (sqlite3_stmt  *stmt,
                         gconstpointer  rows,
                         guint          i);

/* Inserts `n_rows` rows of `document_id` with the cached statement `sql`;
 * `what` names the row in the error. */
static gboolean
insert_rows (DocentStore    *store,
             const char     *sql,
             gint64          document_id,
             gconstpointer   rows,
             guint           n_rows,
             BindRow         bind_row,
             const char     *what,
             GError        **error)
{
  sqlite3_stmt *stmt = docent_store_statement (store, sql, error);

  if (stmt == NULL)
    return FALSE;
  for (guint i = 0; i < n_rows; i++)
    {
      sqlite3_bind_int64 (stmt, 1, document_id);
      bind_row (stmt, rows, i);
      if (!step_done (store, stmt, what, error))
        return FALSE;
    }
  return TRUE;
}

static void
bind_page (sqlite3_stmt  *stmt,
           gconstpointer  rows,
           guint          i)
{
  const DocentStorePage *page = &((const DocentStorePage *) rows)[i];

  sqlite3_bind_int64 (stmt, 2, page->page_no);
  sqlite3_bind_double (stmt, 3, page->width);
  sqlite3_bind_double (stmt, 4, page->height);
  bind_text (stmt, 5, page->text);
  if (page->layout != NULL)
    {
      gsize size;
      gconstpointer data = g_bytes_get_data (page->layout, &size);

      /* An empty layout stays an empty blob, not NULL. */
      sqlite3_bind_blob64 (stmt, 6, size ? data : "", size, SQLITE_STATIC);
    }
  else
    sqlite3_bind_null (stmt, 6);
  sqlite3_bind_int (stmt, 7, page->ocr ? 1 : 0);
  if (page->ocr)
    sqlite3_bind_double (stmt, 8, page->ocr_confidence);
  else
    sqlite3_bind_null (stmt, 8);
}

static gboolean
insert_pages (DocentStore            *store,
              gint64                  document_id,
              const DocentStorePage  *pages,
              guint                   n_pages,
              GError                **error)
{
  static const char sql[] =
    "INSERT INTO pages (document_id, page_no, width, height, text, layout,"
    "                   ocr, ocr_confidence)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

  return insert_rows (store, sql, document_id, pages, n_pages, bind_page,
                      "cannot store a page", error);
}

static void
bind_chunk (sqlite3_stmt  *stmt,
            gconstpointer  rows,
            guint          i)
{
  const DocentStoreChunk *chunk = &((const DocentStoreChunk *) rows)[i];

  sqlite3_bind_int64 (stmt, 2, chunk->ordinal);
  sqlite3_bind_int64 (stmt, 3, chunk->page_start);
  sqlite3_bind_int64 (stmt, 4, chunk->page_end);
  sqlite3_bind_int64 (stmt, 5, chunk->char_start);
  sqlite3_bind_int64 (stmt, 6, chunk->char_end);
  bind_text (stmt, 7, chunk->heading);
  bind_text (stmt, 8, chunk->text);
}

static gboolean
insert_chunks (DocentStore             *store,
               gint64                   document_id,
               const DocentStoreChunk  *chunks,
               guint                    n_chunks,
               GError                 **error)
{
  /* Chunk ids are never reused (SQLite would hand a deleted maximum id to
   * the next row): vectors, caches and stored citations name chunks by id,
   * and an updated document's new chunks must not inherit its old ids.
   * meta.chunk_id_high remembers the highest id ever given. */
  static const char sql[] =
    "INSERT INTO chunks (id, document_id, ordinal, page_start, page_end,"
    "                    char_start, char_end, heading, text)"
    " VALUES (max(coalesce((SELECT max(id) FROM chunks), 0),"
    "             coalesce((SELECT value FROM meta WHERE key = 'chunk_id_high'), 0)) + 1,"
    "         ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
  static const char sql_high[] =
    "INSERT OR REPLACE INTO meta (key, value)"
    " SELECT 'chunk_id_high', max(id) FROM chunks WHERE id IS NOT NULL"
    "  HAVING max(id) IS NOT NULL";

  return insert_rows (store, sql, document_id, chunks, n_chunks, bind_chunk,
                      "cannot store a chunk", error) &&
         (n_chunks == 0 || run (store, sql_high, error));
}

gint64
docent_store_put_document (DocentStore            *store,
                           const DocentDocRecord  *rec,
                           const DocentStorePage  *pages,
                           guint                   n_pages,
                           const DocentStoreChunk *chunks,
                           guint                   n_chunks,
                           const char             *collection,
                           GError                **error)
{
  gint64 id;

  g_return_val_if_fail (store != NULL, 0);
  g_return_val_if_fail (rec != NULL && rec->path != NULL, 0);
  g_return_val_if_fail (pages != NULL || n_pages == 0, 0);
  g_return_val_if_fail (chunks != NULL || n_chunks == 0, 0);

  if (!begin (store, error))
    return 0;
  id = upsert_indexed (store, rec, rec->page_count ? rec->page_count : n_pages, error);
  if (id == 0 ||
      !delete_content (store, id, error) ||
      !insert_pages (store, id, pages, n_pages, error) ||
      !insert_chunks (store, id, chunks, n_chunks, error) ||
      !join_collection (store, id, collection, error) ||
      !run (store, sql_bump_generation, error))
    {
      rollback (store);
      g_prefix_error (error, "%s: ", rec->path);
      return 0;
    }
  if (!commit (store, error))
    {
      g_prefix_error (error, "%s: ", rec->path);
      return 0;
    }
  return id;
}

gint64
docent_store_record_failure (DocentStore           *store,
                             const DocentDocRecord *rec,
                             const char            *reason,
                             const char            *collection,
                             GError               **error)
{
  /* An indexed document keeps the metadata that matches its content. */
  static const char sql[] =
    "INSERT INTO documents (path, sha256, mtime, size, title, type,"
    "                       page_count, status, error, added, updated)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, 'failed', ?7, ?8, ?8)"
    " ON CONFLICT (path) DO UPDATE SET"
    "   error = excluded.error,"
    "   sha256 = iif(status = 'failed', excluded.sha256, sha256),"
    "   mtime = iif(status = 'failed', excluded.mtime, mtime),"
    "   size = iif(status = 'failed', excluded.size, size),"
    "   title = iif(status = 'failed', excluded.title, title),"
    "   type = iif(status = 'failed', excluded.type, type),"
    "   updated = iif(status = 'failed', excluded.updated, updated)"
    " RETURNING id";
  sqlite3_stmt *stmt;
  gint64 id = 0;

  g_return_val_if_fail (store != NULL, 0);
  g_return_val_if_fail (rec != NULL && rec->path != NULL, 0);

  if (!begin (store, error))
    return 0;
  stmt = docent_store_statement (store, sql, error);
  if (stmt != NULL)
    {
      bind_metadata (stmt, rec);
      bind_text (stmt, 7, reason ? reason : "unknown error");
      sqlite3_bind_int64 (stmt, 8, now_seconds ());
      id = step_id (store, stmt, "cannot record the failure", error);
    }
  if (id == 0 || !join_collection (store, id, collection, error))
    {
      rollback (store);
      g_prefix_error (error, "%s: ", rec->path);
      return 0;
    }
  if (!commit (store, error))
    return 0;
  return id;
}

static void
set_not_found (GError **error,
               gint64   id)
{
  g_set_error (error, DOCENT_STORE_ERROR, DOCENT_STORE_ERROR_NOT_FOUND,
               "no document with id %" G_GINT64_FORMAT " in the library", id);
}

/* Steps a bound UPDATE or DELETE of document `id`: FALSE with `error` set
 * when it failed or found no such document. */
static gboolean
change_document (DocentStore   *store,
                 sqlite3_stmt  *stmt,
                 gint64         id,
                 const char    *what,
                 GError       **error)
{
  if (!step_done (store, stmt, what, error))
    return FALSE;
  if (sqlite3_changes (store->db) == 0)
    {
      set_not_found (error, id);
      return FALSE;
    }
  return TRUE;
}

gboolean
docent_store_touch_document (DocentStore  *store,
                             gint64        id,
                             const char   *path,
                             gint64        mtime,
                             GError      **error)
{
  static const char sql[] =
    "UPDATE documents SET path = coalesce(?2, path), mtime = ?3 WHERE id = ?1";
  sqlite3_stmt *stmt = statement_with_id (store, sql, id, error);

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 2, path);
  sqlite3_bind_int64 (stmt, 3, mtime);
  return change_document (store, stmt, id, "cannot update the document", error);
}

static gboolean
document_exists (DocentStore  *store,
                 gint64        id,
                 gboolean     *exists,
                 GError      **error)
{
  static const char sql[] = "SELECT 1 FROM documents WHERE id = ?1";
  sqlite3_stmt *stmt = statement_with_id (store, sql, id, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  *exists = rc == SQLITE_ROW;
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    set_db_error (store, error, "cannot look up a document");
  sqlite3_reset (stmt);
  return rc == SQLITE_ROW || rc == SQLITE_DONE;
}

gboolean
docent_store_add_to_collection (DocentStore  *store,
                                gint64        document_id,
                                const char   *collection,
                                GError      **error)
{
  gboolean exists = FALSE;

  g_return_val_if_fail (collection != NULL && *collection != '\0', FALSE);

  if (!begin (store, error))
    return FALSE;
  /* A failed lookup leaves `exists` FALSE, with `error` set. */
  if (document_exists (store, document_id, &exists, error) && !exists)
    set_not_found (error, document_id);
  if (!exists || !join_collection (store, document_id, collection, error))
    {
      rollback (store);
      return FALSE;
    }
  return commit (store, error);
}

/* Membership changes do not touch chunks, so the generation (which
 * invalidates search caches) is left alone. */
gboolean
docent_store_set_collection (DocentStore  *store,
                             gint64        document_id,
                             const char   *collection,
                             GError      **error)
{
  static const char sql[] = "DELETE FROM document_collections WHERE document_id = ?1";
  gboolean exists = FALSE;
  sqlite3_stmt *stmt;

  if (!begin (store, error))
    return FALSE;
  if (document_exists (store, document_id, &exists, error) && !exists)
    set_not_found (error, document_id);
  stmt = exists ? statement_with_id (store, sql, document_id, error) : NULL;
  if (stmt == NULL ||
      !step_done (store, stmt, "cannot leave a collection", error) ||
      !join_collection (store, document_id, collection, error))
    {
      rollback (store);
      return FALSE;
    }
  return commit (store, error);
}

gboolean
docent_store_remove_document (DocentStore  *store,
                              gint64        id,
                              GError      **error)
{
  static const char sql[] = "DELETE FROM documents WHERE id = ?1";
  sqlite3_stmt *stmt;

  if (!begin (store, error))
    return FALSE;
  stmt = statement_with_id (store, sql, id, error);
  if (stmt == NULL ||
      !change_document (store, stmt, id, "cannot remove the document", error) ||
      !run (store, sql_bump_generation, error))
    {
      rollback (store);
      return FALSE;
    }
  return commit (store, error);
}

/* ---- listing ------------------------------------------------------------ */

/* document id → GStrvBuilder of its collection names, for all documents. */
static GHashTable *
read_all_collections (DocentStore  *store,
                      GError      **error)
{
  static const char sql[] =
    "SELECT dc.document_id, co.name FROM document_collections dc"
    " JOIN collections co ON co.id = dc.collection_id"
    " ORDER BY co.name";
  g_autoptr(GHashTable) table = NULL;
  sqlite3_stmt *stmt;
  int rc;

  stmt = docent_store_statement (store, sql, error);
  if (stmt == NULL)
    return NULL;
  table = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                 (GDestroyNotify) g_strv_builder_unref);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      GStrvBuilder *names = g_hash_table_lookup (table, &id);

      if (names == NULL)
        {
          names = g_strv_builder_new ();
          g_hash_table_insert (table, g_memdup2 (&id, sizeof id), names);
        }
      g_strv_builder_add (names, (const char *) sqlite3_column_text (stmt, 1));
    }
  if (!finish_rows (store, stmt, rc, "cannot read collections", error))
    return NULL;
  return g_steal_pointer (&table);
}

GPtrArray *
docent_store_list_documents (DocentStore  *store,
                             const char   *collection,
                             GError      **error)
{
  static const char sql[] =
    "SELECT " DOC_COLUMNS ", coalesce(n.chunks, 0)"
    " FROM documents d"
    " LEFT JOIN (SELECT document_id, count(*) AS chunks FROM chunks"
    "            GROUP BY document_id) n ON n.document_id = d.id"
    " WHERE ?1 IS NULL OR d.id IN"
    "   (SELECT dc.document_id FROM document_collections dc"
    "      JOIN collections co ON co.id = dc.collection_id"
    "     WHERE co.name = ?1)"
    " ORDER BY d.path";
  g_autoptr(GPtrArray) docs = NULL;
  g_autoptr(GHashTable) collections = NULL;
  sqlite3_stmt *stmt;
  int rc;

  collections = read_all_collections (store, error);
  if (collections == NULL)
    return NULL;
  stmt = docent_store_statement (store, sql, error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, collection);
  docs = g_ptr_array_new_with_free_func ((GDestroyNotify) docent_doc_record_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      DocentDocRecord *rec = g_new0 (DocentDocRecord, 1);
      GStrvBuilder *names;

      read_document (stmt, rec);
      names = g_hash_table_lookup (collections, &rec->id);
      rec->collections = names ? g_strv_builder_end (names) : g_new0 (char *, 1);
      g_ptr_array_add (docs, rec);
    }
  if (!finish_rows (store, stmt, rc, "cannot list documents", error))
    return NULL;
  return g_steal_pointer (&docs);
}

GArray *
docent_store_ids_under_path (DocentStore  *store,
                             const char   *path,
                             GError      **error)
{
  /* Everything below the folder sorts in [folder + "/", folder + "0"):
   * '0' follows '/' in byte order. A range, unlike LIKE, has no
   * wildcards to trip over and uses the index on path. */
  static const char sql[] =
    "SELECT id FROM documents"
    " WHERE path = ?1 OR (path >= ?2 AND path < ?3)"
    " ORDER BY path";
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree char *exact = NULL;
  g_autofree char *low = NULL;
  g_autofree char *high = NULL;
  sqlite3_stmt *stmt;
  gsize len;
  int rc;

  g_return_val_if_fail (path != NULL && *path != '\0', NULL);

  /* "dir/" and "dir" name the same folder; "/" stays the root. */
  exact = g_strdup (path);
  len = strlen (exact);
  while (len > 1 && exact[len - 1] == '/')
    exact[--len] = '\0';
  low = exact[len - 1] == '/' ? g_strdup (exact) : g_strconcat (exact, "/", NULL);
  high = g_strdup (low);
  high[strlen (high) - 1] = '0';

  stmt = docent_store_statement (store, sql, error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, exact);
  bind_text (stmt, 2, low);
  bind_text (stmt, 3, high);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (ids, id);
    }
  if (!finish_rows (store, stmt, rc, "cannot list documents", error))
    return NULL;
  return g_steal_pointer (&ids);
}

GStrv
docent_store_list_collections (DocentStore  *store,
                               GError      **error)
{
  static const char sql[] = "SELECT name FROM collections ORDER BY name";
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  sqlite3_stmt *stmt;

  stmt = docent_store_statement (store, sql, error);
  if (stmt == NULL)
    return NULL;
  if (!add_names (store, stmt, names, "cannot list collections", error))
    return NULL;
  return g_strv_builder_end (names);
}

static gint64
file_size (const char *path)
{
  GStatBuf st;

  return g_stat (path, &st) == 0 ? (gint64) st.st_size : 0;
}

gboolean
docent_store_stats (DocentStore       *store,
                    DocentStoreStats  *out,
                    GError           **error)
{
  static const char sql[] =
    "SELECT (SELECT count(*) FROM documents WHERE status = 'indexed'),"
    "       (SELECT count(*) FROM documents WHERE status = 'failed'),"
    "       (SELECT count(*) FROM pages),"
    "       (SELECT count(*) FROM chunks),"
    "       (SELECT count(*) FROM collections),"
    "       (SELECT value FROM meta WHERE key = 'generation')";
  g_autofree char *wal = NULL;
  sqlite3_stmt *stmt;
  int rc;

  memset (out, 0, sizeof *out);
  stmt = docent_store_statement (store, sql, error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      out->documents = sqlite3_column_int (stmt, 0);
      out->failed = sqlite3_column_int (stmt, 1);
      out->pages = sqlite3_column_int (stmt, 2);
      out->chunks = sqlite3_column_int (stmt, 3);
      out->collections = sqlite3_column_int (stmt, 4);
      out->generation = sqlite3_column_int64 (stmt, 5);
    }
  else
    set_db_error (store, error, "cannot count the library");
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    return FALSE;

  wal = g_strconcat (store->path, "-wal", NULL);
  out->db_bytes = file_size (store->path) + file_size (wal);
  return TRUE;
}

gboolean
docent_store_get_page (DocentStore  *store,
                       gint64        document_id,
                       guint         page_no,
                       char        **text,
                       GBytes      **layout,
                       double       *width,
                       double       *height,
                       GError      **error)
{
  static const char sql[] =
    "SELECT text, layout, width, height FROM pages"
    " WHERE document_id = ?1 AND page_no = ?2";
  sqlite3_stmt *stmt = statement_with_id (store, sql, document_id, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 2, page_no);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      if (text != NULL)
        *text = column_strdup (stmt, 0);
      if (layout != NULL)
        *layout = sqlite3_column_type (stmt, 1) == SQLITE_NULL
                  ? NULL
                  : g_bytes_new (sqlite3_column_blob (stmt, 1),
                                 sqlite3_column_bytes (stmt, 1));
      if (width != NULL)
        *width = sqlite3_column_double (stmt, 2);
      if (height != NULL)
        *height = sqlite3_column_double (stmt, 3);
    }
  else if (rc == SQLITE_DONE)
    g_set_error (error, DOCENT_STORE_ERROR, DOCENT_STORE_ERROR_NOT_FOUND,
                 "document %" G_GINT64_FORMAT " has no page %u",
                 document_id, page_no);
  else
    set_db_error (store, error, "cannot read the page");
  sqlite3_reset (stmt);
  return rc == SQLITE_ROW;
}

gboolean
docent_store_ocr_summary (DocentStore  *store,
                          gint64        document_id,
                          guint        *n_pages,
                          double       *mean_confidence,
                          GError      **error)
{
  static const char sql[] =
    "SELECT count(*), coalesce(avg(ocr_confidence), 0) FROM pages"
    " WHERE document_id = ?1 AND ocr";
  sqlite3_stmt *stmt = statement_with_id (store, sql, document_id, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      if (n_pages != NULL)
        *n_pages = sqlite3_column_int (stmt, 0);
      if (mean_confidence != NULL)
        *mean_confidence = sqlite3_column_double (stmt, 1);
    }
  else
    set_db_error (store, error, "cannot read the pages' OCR summary");
  sqlite3_reset (stmt);
  return rc == SQLITE_ROW;
}
