/* library-service.h — DocentLibraryService: the library facade (app/library.h)
 * for a GUI. Every call runs off the main thread and reports back on the
 * main context; the UI never touches a DocentLibrary itself.
 *
 * Two lanes, each a worker thread with its own DocentLibrary on the same
 * folder (SQLite in WAL mode lets them read and write at once):
 *  - the writer lane runs jobs that change documents (add, re-index,
 *    remove, move, embed), one at a time, in order;
 *  - the reader lane runs everything else (lists, search, questions,
 *    pages, conversations), one at a time, in order.
 * So a question is answered while a folder is being indexed. After every
 * writing job the reader lane catches up (docent_library_refresh) and
 * "changed" is emitted. */
#pragma once

#include <gio/gio.h>

#include "app/library.h"
#include "app/page-view.h"
#include "index/conversations.h"

G_BEGIN_DECLS

#define DOCENT_TYPE_LIBRARY_SERVICE (docent_library_service_get_type ())
G_DECLARE_FINAL_TYPE (DocentLibraryService, docent_library_service, DOCENT, LIBRARY_SERVICE, GObject)

/* Opens the library folder `dir` on both lanes (asynchronously: a failure
 * is reported by "failed" and by every call). */
DocentLibraryService *docent_library_service_new     (const char *dir);
const char           *docent_library_service_get_dir (DocentLibraryService *self);

/* Properties (notify:: on the main context):
 *  "busy"      gboolean  a writing job is running or queued
 *  "progress"  double    0..1 of the running add job (or -1: unknown yet)
 *  "status"    string    one line about the running job ("Indexing 3 of 12
 *                        files — report.pdf"), NULL when idle
 * Signals (main context):
 *  "changed"   ()        documents, collections, settings or vectors
 *                        changed: lists should be fetched again
 *  "file-done" (DocentAddResult *result)   a file of an add job finished
 *                        (result is borrowed for the emission) */
gboolean    docent_library_service_get_busy     (DocentLibraryService *self);
double      docent_library_service_get_progress (DocentLibraryService *self);
const char *docent_library_service_get_status   (DocentLibraryService *self);

/* Cancels the running and queued writing jobs, lets the lanes finish and
 * closes their libraries; the service answers nothing afterwards. For the
 * application's shutdown, on the main thread. */
void        docent_library_service_shutdown     (DocentLibraryService *self);

/* Cancels the running and queued writing jobs. */
void        docent_library_service_cancel_jobs  (DocentLibraryService *self);

/* ---- writer lane -------------------------------------------------------- */

/* Adds files and folders (then embeds the new passages when an embedding
 * model is configured). Finishes with the DocentAddResult* array. */
void        docent_library_service_add_async      (DocentLibraryService *self,
                                                   const char *const    *paths,
                                                   const char           *collection,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
GPtrArray  *docent_library_service_add_finish     (DocentLibraryService *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);

/* Reads the documents' files again (removing and re-adding each, keeping
 * its collections). */
void        docent_library_service_reindex_async  (DocentLibraryService *self,
                                                   const gint64         *ids,
                                                   guint                 n_ids,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
void        docent_library_service_remove_async   (DocentLibraryService *self,
                                                   const gint64         *ids,
                                                   guint                 n_ids,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
/* Moves the documents into `collection` (NULL: out of every collection). */
void        docent_library_service_move_async     (DocentLibraryService *self,
                                                   const gint64         *ids,
                                                   guint                 n_ids,
                                                   const char           *collection,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
/* After the settings changed (another model chosen): both lanes read them
 * again, then the passages without a vector are embedded. */
void        docent_library_service_settings_changed (DocentLibraryService *self);
/* ---- watched folders ([library] watched= in the settings) ----------------
 * Read at start and after settings_changed; each folder new to the list is
 * synced (docent_library_sync_folder: a writing job, with progress,
 * "file-done" and "changed" as for add), and changes in it afterwards are
 * synced a moment after they stop. */

/* The folders being watched now (a new vector, empty when none). */
GStrv       docent_library_service_get_watched_folders (DocentLibraryService *self);
/* The quiet time before a change is synced (default 1.5 s; for tests). */
void        docent_library_service_set_watch_debounce  (DocentLibraryService *self,
                                                        guint                 ms);

/* For reindex, remove and move (and any call whose result is only
 * success or failure). */
gboolean    docent_library_service_job_finish     (DocentLibraryService *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);

/* ---- reader lane -------------------------------------------------------- */

/* Every document (DocentDocRecord*), or those of `collection`. */
void        docent_library_service_list_documents_async  (DocentLibraryService *self,
                                                          const char           *collection,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
GPtrArray  *docent_library_service_list_documents_finish (DocentLibraryService *self,
                                                          GAsyncResult         *result,
                                                          GError              **error);
void        docent_library_service_list_collections_async  (DocentLibraryService *self,
                                                            GCancellable         *cancellable,
                                                            GAsyncReadyCallback   callback,
                                                            gpointer              user_data);
GStrv       docent_library_service_list_collections_finish (DocentLibraryService *self,
                                                            GAsyncResult         *result,
                                                            GError              **error);

/* Library-wide facts for the window: counts, models in use. */
typedef struct {
  DocentStoreStats stats;
  char *chat_model;        /* id of the chat model in use, NULL: extractive */
  char *embedding_model;   /* id of the embedding model in use, or NULL */
} DocentLibraryInfo;
void        docent_library_info_free (DocentLibraryInfo *info);
void        docent_library_service_info_async  (DocentLibraryService *self,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
DocentLibraryInfo *docent_library_service_info_finish (DocentLibraryService *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);

/* Searches (the library's default mode); DocentSearchHit*. */
void        docent_library_service_search_async  (DocentLibraryService *self,
                                                  const char           *query,
                                                  const char           *collection,
                                                  gint64                document_id,
                                                  guint                 limit,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
GPtrArray  *docent_library_service_search_finish (DocentLibraryService *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);

/* Receives the answer text as it is generated, on the main context. */
typedef void (*DocentServiceTextFunc) (const char *text,
                                       gpointer    user_data);

/* Asks a question (docent_library_ask with `opts`; its callback, user_data
 * and cancellable fields are ignored: `text_func` receives the streamed
 * text on the main context, `cancellable` stops the generation). Strings
 * in `opts` are copied. Finishes with the answer; *conversation_id is the
 * conversation the turn was stored in. */
void          docent_library_service_ask_async  (DocentLibraryService    *self,
                                                 const DocentAskOptions  *opts,
                                                 DocentServiceTextFunc    text_func,
                                                 gpointer                 text_data,
                                                 GCancellable            *cancellable,
                                                 GAsyncReadyCallback      callback,
                                                 gpointer                 user_data);
DocentAnswer *docent_library_service_ask_finish (DocentLibraryService    *self,
                                                 GAsyncResult            *result,
                                                 gint64                  *conversation_id,
                                                 GError                 **error);

/* The page to show for a citation or a search hit (app/page-view.h). */
void            docent_library_service_page_view_async  (DocentLibraryService     *self,
                                                         const DocentPageRequest  *request,
                                                         GCancellable             *cancellable,
                                                         GAsyncReadyCallback       callback,
                                                         gpointer                  user_data);
DocentPageView *docent_library_service_page_view_finish (DocentLibraryService     *self,
                                                         GAsyncResult             *result,
                                                         GError                  **error);

/* Conversations: list (DocentConversation*), turns (DocentTurn*), rename,
 * delete (finish with job_finish). */
void        docent_library_service_list_conversations_async  (DocentLibraryService *self,
                                                              GCancellable         *cancellable,
                                                              GAsyncReadyCallback   callback,
                                                              gpointer              user_data);
GPtrArray  *docent_library_service_list_conversations_finish (DocentLibraryService *self,
                                                              GAsyncResult         *result,
                                                              GError              **error);
void        docent_library_service_turns_async  (DocentLibraryService *self,
                                                 gint64                conversation_id,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
GPtrArray  *docent_library_service_turns_finish (DocentLibraryService *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);
void        docent_library_service_rename_conversation_async (DocentLibraryService *self,
                                                              gint64                conversation_id,
                                                              const char           *title,
                                                              GAsyncReadyCallback   callback,
                                                              gpointer              user_data);
void        docent_library_service_delete_conversation_async (DocentLibraryService *self,
                                                              gint64                conversation_id,
                                                              GAsyncReadyCallback   callback,
                                                              gpointer              user_data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DocentLibraryInfo, docent_library_info_free)

G_END_DECLS
