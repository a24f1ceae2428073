/* store.h — the library database: documents, pages, chunks, collections and
 * their full-text index, in one SQLite file (WAL, foreign keys on).
 *
 * A DocentStore is one connection; it is not shared between threads (open
 * one per thread: WAL lets readers and one writer work at once, and a busy
 * timeout makes writers wait for each other instead of failing).
 *
 * Every write is a single transaction: a document is either fully stored
 * with all its pages, chunks and FTS rows, or not at all. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define DOCENT_STORE_ERROR (docent_store_error_quark ())
GQuark docent_store_error_quark (void);

typedef enum {
  DOCENT_STORE_ERROR_OPEN,       /* cannot open or create the database */
  DOCENT_STORE_ERROR_SCHEMA,     /* newer schema than this program, or corrupt */
  DOCENT_STORE_ERROR_IO,         /* a statement failed (disk full, I/O ...) */
  DOCENT_STORE_ERROR_NOT_FOUND,  /* no such document / collection */
  DOCENT_STORE_ERROR_QUERY,      /* a search query with nothing to search for */
} DocentStoreError;

#define DOCENT_STORE_SCHEMA_VERSION 3

typedef enum {
  DOCENT_DOC_INDEXED,
  DOCENT_DOC_FAILED,
} DocentDocStatus;

/* One row of `documents`. Strings owned by the struct. */
typedef struct {
  gint64 id;
  char *path;
  char *sha256;          /* hex, NULL when the file could not be read */
  gint64 mtime;          /* seconds since the epoch */
  gint64 size;
  char *title;           /* NULL when the document has none */
  char *type;            /* "pdf", "html", ... NULL when undetected */
  guint page_count;
  guint chunk_count;     /* filled by list/find, ignored by put */
  DocentDocStatus status;
  char *error;           /* why it failed; for an indexed document, why the
                          * last attempt to update it failed (else NULL) */
  gint64 added;          /* seconds since the epoch */
  gint64 updated;
  char **collections;    /* NULL-terminated names, may be NULL */
} DocentDocRecord;

typedef struct {
  guint page_no;         /* 1-based */
  double width, height;  /* points, 0 when not a paged format */
  const char *text;      /* the page's extracted text */
  GBytes *layout;        /* encoded character boxes (ingest/layout.h), or NULL */
  gboolean ocr;          /* the text came from OCR */
  double ocr_confidence; /* its mean word confidence, 0-100; ignored unless ocr */
} DocentStorePage;

typedef struct {
  guint ordinal;
  guint page_start, page_end;
  guint char_start, char_end;
  const char *heading;   /* may be NULL */
  const char *text;
} DocentStoreChunk;

typedef struct {
  guint documents;       /* indexed documents */
  guint failed;          /* documents whose last ingest failed and have no content */
  guint pages;
  guint chunks;
  guint collections;
  gint64 db_bytes;       /* database file plus its WAL */
  gint64 generation;     /* bumped by every change of chunks */
} DocentStoreStats;

typedef struct _DocentStore DocentStore;

/* Opens (creating when missing, with mode 0600) the database at `path` and
 * migrates it to DOCENT_STORE_SCHEMA_VERSION. */
DocentStore *docent_store_open      (const char   *path,
                                     GError      **error);
void         docent_store_close     (DocentStore  *store);
const char  *docent_store_path      (DocentStore  *store);

void         docent_doc_record_clear (DocentDocRecord *rec);
void         docent_doc_record_free  (DocentDocRecord *rec);

/* Lookups: return FALSE with no error when there is no such document.
 * `out` is overwritten, not freed: pass a cleared record, and clear it with
 * docent_doc_record_clear() after use. */
gboolean docent_store_find_by_path   (DocentStore      *store,
                                      const char       *path,
                                      DocentDocRecord  *out,
                                      GError          **error);
gboolean docent_store_find_by_sha256 (DocentStore      *store,
                                      const char       *sha256,
                                      DocentDocRecord  *out,
                                      GError          **error);
gboolean docent_store_find_by_id     (DocentStore      *store,
                                      gint64            id,
                                      DocentDocRecord  *out,
                                      GError          **error);

/* Stores a document with its content in one transaction: inserts it, or when
 * a document with rec->path exists, replaces its pages and chunks (keeping
 * its id and collections). `collection` (may be NULL) is created when needed
 * and the document added to it. rec->status is set to INDEXED and
 * rec->error cleared; a rec->page_count of 0 means n_pages. Returns the
 * document id, or 0 with an error (and then nothing changed). */
gint64 docent_store_put_document (DocentStore            *store,
                                  const DocentDocRecord  *rec,
                                  const DocentStorePage  *pages,
                                  guint                   n_pages,
                                  const DocentStoreChunk *chunks,
                                  guint                   n_chunks,
                                  const char             *collection,
                                  GError                **error);

/* Records that ingesting rec->path failed with `reason`. A new path becomes
 * a FAILED document without content; an INDEXED document keeps its content
 * and gets `reason` in its error column. */
gint64 docent_store_record_failure (DocentStore           *store,
                                    const DocentDocRecord *rec,
                                    const char            *reason,
                                    const char            *collection,
                                    GError               **error);

/* Updates path (a moved file; NULL keeps it) and mtime of an existing
 * document. NOT_FOUND when there is none. */
gboolean docent_store_touch_document (DocentStore  *store,
                                      gint64        id,
                                      const char   *path,
                                      gint64        mtime,
                                      GError      **error);

gboolean docent_store_add_to_collection (DocentStore  *store,
                                         gint64        document_id,
                                         const char   *collection,
                                         GError      **error);

/* Moves the document to `collection` (out of every other one); NULL or ""
 * leaves it in none. NOT_FOUND when there is no such document. */
gboolean docent_store_set_collection (DocentStore  *store,
                                      gint64        document_id,
                                      const char   *collection,
                                      GError      **error);

/* Removes the document and everything of it (pages, chunks, FTS rows,
 * embeddings, collection membership). NOT_FOUND when there is none. */
gboolean docent_store_remove_document (DocentStore  *store,
                                       gint64        id,
                                       GError      **error);

/* All documents (or only those in `collection` when not NULL), ordered by
 * path, as a GPtrArray of DocentDocRecord* (with chunk_count and
 * collections filled). */
GPtrArray *docent_store_list_documents (DocentStore  *store,
                                        const char   *collection,
                                        GError      **error);

/* Ids of the documents whose path is `path` or lies below the folder
 * `path` (path + "/"), for `remove FOLDER`. */
GArray *docent_store_ids_under_path (DocentStore  *store,
                                     const char   *path,
                                     GError      **error);

/* Collection names, sorted. */
GStrv docent_store_list_collections (DocentStore  *store,
                                     GError      **error);

gboolean docent_store_stats (DocentStore       *store,
                             DocentStoreStats  *out,
                             GError           **error);

/* The stored text and layout of one page, for the viewer. Any of the out
 * arguments may be NULL; *layout is NULL when the page has none. NOT_FOUND
 * when there is no such page. */
gboolean docent_store_get_page (DocentStore  *store,
                                gint64        document_id,
                                guint         page_no,
                                char        **text,
                                GBytes      **layout,
                                double       *width,
                                double       *height,
                                GError      **error);

/* How many pages of a document came from OCR, and their mean confidence
 * (the mean of the pages' means; 0 when none). */
gboolean docent_store_ocr_summary (DocentStore  *store,
                                   gint64        document_id,
                                   guint        *n_pages,
                                   double       *mean_confidence,
                                   GError      **error);

/* For the rest of the index layer (search, vectors), not for callers: the
 * connection, and a statement prepared once per store and kept. `sql` is
 * the cache key and must live as long as the store (a string literal). The
 * statement comes back reset with no bindings; reset it after use, or it
 * keeps its read transaction open. */
struct sqlite3;
struct sqlite3_stmt;
struct sqlite3      *docent_store_db        (DocentStore  *store);
struct sqlite3_stmt *docent_store_statement (DocentStore  *store,
                                             const char   *sql,
                                             GError      **error);
/* Transactions (BEGIN IMMEDIATE) and errors for the same files. */
gboolean docent_store_begin            (DocentStore   *store,
                                        GError       **error);
gboolean docent_store_commit           (DocentStore   *store,
                                        GError       **error);
void     docent_store_rollback         (DocentStore   *store);
gboolean docent_store_bump_generation  (DocentStore   *store,
                                        GError       **error);
/* Steps `stmt` to its end (or first row) and resets it. */
gboolean docent_store_step_done        (DocentStore   *store,
                                        struct sqlite3_stmt *stmt,
                                        const char    *what,
                                        GError       **error);
/* Ends a row loop that stopped with `rc` and resets `stmt`. */
gboolean docent_store_finish_rows      (DocentStore   *store,
                                        struct sqlite3_stmt *stmt,
                                        int            rc,
                                        const char    *what,
                                        GError       **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DocentStore, docent_store_close)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DocentDocRecord, docent_doc_record_free)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (DocentDocRecord, docent_doc_record_clear)

G_END_DECLS
