/* library.h — the facade every front end uses: one Docent library folder
 * (database, settings, models) and the jobs that run on it.
 *
 * docent_library_add() is the ingest pipeline: it expands folders, skips
 * what is already stored, extracts and chunks files on a pool of worker
 * threads and writes each document in one transaction from the calling
 * thread. Call it from a worker thread in a GUI (GTask); progress is reported
 * on the calling thread. */
#pragma once

#include <gio/gio.h>

#include "app/embedder.h"
#include "app/settings.h"
#include "engine/answer.h"
#include "engine/generate.h"
#include "index/hybrid.h"
#include "index/search.h"
#include "index/store.h"

G_BEGIN_DECLS

typedef struct _DocentLibrary DocentLibrary;

/* --library DIR, else $DOCENT_LIBRARY, else $XDG_DATA_HOME/docent. */
char          *docent_library_resolve_dir (const char     *explicit_dir);

/* Opens the library in `dir`, creating the folder (0700) and the database
 * when missing. */
DocentLibrary *docent_library_open        (const char     *dir,
                                           GError        **error);
void           docent_library_close       (DocentLibrary  *library);
const char    *docent_library_dir         (DocentLibrary  *library);
/* The library's store, for reads on the thread that opened the library. */
DocentStore   *docent_library_store       (DocentLibrary  *library);

/* The library's settings (docent.ini), loaded on first use. */
DocentSettings *docent_library_settings   (DocentLibrary  *library,
                                           GError        **error);

/* The embedding model in use, loaded (with its vector index opened and
 * synced) on first use; NULL without an error when none is configured. */
DocentEmbedder *docent_library_embedder   (DocentLibrary  *library,
                                           GError        **error);
/* Forgets the loaded embedder, after the settings changed. */
void            docent_library_reload_embedder (DocentLibrary *library);

/* Catches up with changes made through another handle on the same folder
 * (another thread's library, the command line): reads the settings again,
 * reloads the embedder when another one was chosen and brings the vector
 * index up to date with the store. */
gboolean        docent_library_refresh    (DocentLibrary  *library,
                                           GError        **error);

/* Embeds the chunks still without a vector (see embedder.h); does nothing
 * when no embedding model is configured. */
gboolean        docent_library_embed      (DocentLibrary             *library,
                                           const DocentEmbedOptions  *opts,
                                           guint64                   *n_embedded,
                                           GError                   **error);

/* Searches by words, meaning or both; embeds the query for the latter
 * (timings->embed_ms). DENSE and HYBRID need an embedding model. */
GPtrArray      *docent_library_search     (DocentLibrary              *library,
                                           const DocentSearchOptions  *opts,
                                           DocentSearchMode            mode,
                                           DocentHybridTimings        *timings,
                                           GError                    **error);
/* HYBRID when an embedding model is configured, else BM25. */
DocentSearchMode docent_library_default_search_mode (DocentLibrary *library);

/* ---- questions ----------------------------------------------------------- */

typedef struct {
  const char *question;
  const char *collection;        /* only documents in it, or NULL */
  gint64 document_id;            /* only this document, or 0 */
  const gint64 *document_ids;    /* or only these (n_document_ids > 0) */
  guint n_document_ids;
  gint64 conversation_id;        /* continue it (follow-up), or 0: a new one */
  gboolean extractive;           /* no model even if one is configured */
  const char *model;             /* a registered chat model id or a GGUF path
                                  * instead of the one in use, or NULL */
  const char *remote_url;        /* an OpenAI-compatible server instead, or NULL */
  const char *remote_model;
  const char *remote_api_key;
  guint k;                       /* passages retrieved; 0: 8 */
  gboolean no_store;             /* do not keep the conversation */
  DocentGenerateFunc callback;   /* streamed answer text, may be NULL */
  gpointer user_data;
  GCancellable *cancellable;
} DocentAskOptions;

/* Answers a question from the library: retrieves (hybrid when an embedder
 * is configured; a follow-up with the previous question in mind), refuses
 * when nothing relevant is found, else answers with the chat model in use
 * (or opts->model / opts->remote_url), or extractively when there is none.
 * Stores the turn in the conversation (*conversation_id set, may be NULL). */
DocentAnswer *docent_library_ask (DocentLibrary           *library,
                                  const DocentAskOptions  *opts,
                                  gint64                  *conversation_id,
                                  GError                 **error);

typedef enum {
  DOCENT_ADD_ADDED,
  DOCENT_ADD_UPDATED,
  DOCENT_ADD_UNCHANGED,
  DOCENT_ADD_FAILED,
} DocentAddOutcome;

typedef struct {
  char *path;
  DocentAddOutcome outcome;
  gint64 document_id;    /* 0 when failed before anything was stored */
  char *error;           /* why it failed, or for UNCHANGED a note such as
                          * "same content as /x/y.pdf"; else NULL */
  char *type;
  guint pages;
  guint chunks;
} DocentAddResult;

typedef struct {
  guint files_total;     /* grows while folders are being walked */
  guint files_done;
  guint added, updated, unchanged, failed;
  guint64 pages;         /* of the files added or updated */
  guint64 chunks;
  gboolean walking;      /* still listing folders */
  guint ocr_pages;       /* pages read by OCR so far (reported while they
                          * are read, not only per file) */
} DocentAddProgress;

/* Called on the thread running docent_library_add after each file (with
 * its result) and while walking folders (result NULL). */
typedef void (*DocentAddProgressFunc) (const DocentAddProgress *progress,
                                       const DocentAddResult   *result,
                                       gpointer                 user_data);

typedef struct {
  const char *collection;        /* add the documents to it, or NULL */
  const char *password;          /* for encrypted PDFs, or NULL */
  guint n_threads;               /* 0: one per processor */
  guint64 max_file_bytes;        /* 0: 1 GiB */
  guint file_timeout_ms;         /* a file whose extraction makes no progress
                                  * (no page finished) for this long fails
                                  * ("gave up after …"); 0: 120 s */
  gboolean force;                /* read files again even when unchanged
                                  * (re-index: same id, collections kept) */
  gboolean no_ocr;               /* leave scanned pages and images unread */
  const char *ocr_languages;     /* "eng+deu"; NULL: "eng" */
  DocentAddProgressFunc progress;
  gpointer user_data;
  GCancellable *cancellable;
} DocentAddOptions;

/* Adds files and folders (recursively; hidden entries are skipped). Fills
 * `results` (DocentAddResult*, in completion order) when not NULL. Returns
 * FALSE only when the whole job failed (library unwritable) or was
 * cancelled; files that fail are results, not errors. */
gboolean docent_library_add (DocentLibrary           *library,
                             const char *const       *paths,
                             const DocentAddOptions  *opts,
                             GPtrArray              **results,
                             GError                 **error);

void     docent_add_result_free (DocentAddResult *result);

/* Resolves `what` (a document id, a file path or a folder path) to the
 * ids of stored documents. NOT_FOUND when nothing matches. */
GArray  *docent_library_resolve_documents (DocentLibrary  *library,
                                           const char     *what,
                                           GError        **error);

/* An absolute path with "." and ".." resolved and symlinks followed when
 * the file exists, the key documents are stored under. */
char    *docent_library_canonical_path (const char *path);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DocentLibrary, docent_library_close)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DocentAddResult, docent_add_result_free)

G_END_DECLS
