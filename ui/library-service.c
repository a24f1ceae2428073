/* library-service.c — DocentLibraryService: the facade on two worker
 * threads ("lanes"), each with its own DocentLibrary on the same folder.
 *
 * A call makes a GTask and queues it on its lane with the function that
 * does the work; the lane's thread runs the functions one after another
 * with its library and returns each task, which GTask delivers on the main
 * context. What the workers report while they run (add progress, answer
 * text) is sent to the main context with g_main_context_invoke.
 *
 * The lanes do not hold the service: a Shared block (refcounted) keeps
 * what the threads need and a weak reference to the service for the
 * reports, so the service can be finalized from any thread — it only
 * queues a stop for each lane, which then closes its library.
 *
 * Watched folders (settings.h): the reader lane reads the list at start
 * and after the settings changed; the main context then (re)makes the
 * DocentWatcher and queues a sync (docent_library_sync_folder) of each
 * folder new to the list — the one at start catches what changed while
 * Docent was closed. A burst of changes in a folder queues one more sync,
 * unless one for that folder is queued and not started yet. */
#include "ui/library-service.h"

#include <string.h>

#include "app/documents.h"
#include "app/watcher.h"

typedef struct _Shared Shared;
typedef struct _Lane Lane;

/* Runs on the lane thread; returns the task. */
typedef void (*LaneFunc) (GTask         *task,
                          DocentLibrary *library,
                          Shared        *shared);

typedef struct {
  LaneFunc func;     /* NULL: stop the lane */
  GTask *task;
} LaneItem;

struct _Lane {
  GAsyncQueue *queue;
  GThread *thread;
  Shared *shared;
  const char *name;
};

struct _Shared {
  gatomicrefcount ref;
  char *dir;
  GMainContext *main_context;
  GWeakRef service;
};

struct _DocentLibraryService {
  GObject parent_instance;
  Shared *shared;
  Lane *writer;
  Lane *reader;
  GPtrArray *job_cancellables;  /* of the queued and running writing jobs */
  guint n_jobs;
  double progress;
  char *status;
  DocentWatcher *watcher;       /* NULL when no folder is watched */
  GStrv watched;                /* the list as last read, NULL before */
  GHashTable *queued_syncs;     /* folder → its queued WriteJob (borrowed) */
  guint watch_debounce_ms;
};

G_DEFINE_FINAL_TYPE (DocentLibraryService, docent_library_service, G_TYPE_OBJECT)

enum { PROP_0, PROP_BUSY, PROP_PROGRESS, PROP_STATUS, N_PROPS };
enum { CHANGED, FILE_DONE, N_SIGNALS };

static GParamSpec *props[N_PROPS];
static guint signals[N_SIGNALS];

/* ---- shared block and lanes -------------------------------------------- */

static Shared *
shared_ref (Shared *shared)
{
  g_atomic_ref_count_inc (&shared->ref);
  return shared;
}

static void
shared_unref (Shared *shared)
{
  if (!g_atomic_ref_count_dec (&shared->ref))
    return;
  g_weak_ref_clear (&shared->service);
  g_main_context_unref (shared->main_context);
  g_free (shared->dir);
  g_free (shared);
}

static gpointer
lane_run (gpointer data)
{
  Lane *lane = data;
  g_autoptr(DocentLibrary) library = NULL;
  g_autoptr(GError) open_error = NULL;

  for (;;)
    {
      LaneItem *item = g_async_queue_pop (lane->queue);

      if (item->func == NULL)
        {
          g_free (item);
          break;
        }
      if (library == NULL && open_error == NULL)
        library = docent_library_open (lane->shared->dir, &open_error);
      if (library == NULL)
        g_task_return_error (item->task, g_error_copy (open_error));
      else
        item->func (item->task, library, lane->shared);
      g_object_unref (item->task);
      g_free (item);
    }
  g_async_queue_unref (lane->queue);
  shared_unref (lane->shared);
  g_free (lane);
  return NULL;
}

static Lane *
lane_new (Shared     *shared,
          const char *name)
{
  Lane *lane = g_new0 (Lane, 1);

  lane->queue = g_async_queue_new ();
  lane->shared = shared_ref (shared);
  lane->name = name;
  lane->thread = g_thread_new (name, lane_run, lane);
  return lane;
}

static void
lane_push (Lane     *lane,
           LaneFunc  func,
           GTask    *task)
{
  LaneItem *item = g_new0 (LaneItem, 1);

  item->func = func;
  item->task = task;   /* the lane's reference */
  g_async_queue_push (lane->queue, item);
}

/* The lane finishes what is queued, closes its library and frees itself. */
static void
lane_stop (Lane     *lane,
           gboolean  wait)
{
  GThread *thread = lane->thread;

  g_async_queue_push (lane->queue, g_new0 (LaneItem, 1));
  if (wait)
    g_thread_join (thread);
  else
    g_thread_unref (thread);
}

/* ---- reports to the main context --------------------------------------- */

typedef struct {
  Shared *shared;
  DocentAddProgress progress;
  DocentAddResult *result;
  char *status;
} ProgressReport;

static void
progress_report_free (gpointer data)
{
  ProgressReport *report = data;

  shared_unref (report->shared);
  g_clear_pointer (&report->result, docent_add_result_free);
  g_free (report->status);
  g_free (report);
}

static void
set_status (DocentLibraryService *self,
            const char           *status,
            double                progress)
{
  if (g_strcmp0 (self->status, status) != 0)
    {
      g_free (self->status);
      self->status = g_strdup (status);
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_STATUS]);
    }
  if (self->progress != progress)
    {
      self->progress = progress;
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_PROGRESS]);
    }
}

static gboolean
deliver_progress (gpointer data)
{
  ProgressReport *report = data;
  g_autoptr(DocentLibraryService) self = g_weak_ref_get (&report->shared->service);
  const DocentAddProgress *p = &report->progress;
  double fraction = -1;

  if (self == NULL)
    return G_SOURCE_REMOVE;
  if (!p->walking && p->files_total > 0)
    fraction = (double) p->files_done / p->files_total;
  set_status (self, report->status, fraction);
  if (report->result != NULL)
    g_signal_emit (self, signals[FILE_DONE], 0, report->result);
  return G_SOURCE_REMOVE;
}

static DocentAddResult *
copy_result (const DocentAddResult *result)
{
  DocentAddResult *copy = g_new0 (DocentAddResult, 1);

  *copy = *result;
  copy->path = g_strdup (result->path);
  copy->error = g_strdup (result->error);
  copy->type = g_strdup (result->type);
  return copy;
}

static char *
describe_progress (const DocentAddProgress *p,
                   const DocentAddResult   *result)
{
  g_autofree char *name = result ? g_path_get_basename (result->path) : NULL;

  if (p->walking)
    return g_strdup_printf ("Looking for documents… %u found", p->files_total);
  if (name != NULL)
    return g_strdup_printf ("Indexing %u of %u — %s", p->files_done, p->files_total, name);
  return g_strdup_printf ("Indexing %u of %u", p->files_done, p->files_total);
}

/* On the writer lane, from docent_library_add. */
static void
on_add_progress (const DocentAddProgress *progress,
                 const DocentAddResult   *result,
                 gpointer                 user_data)
{
  Shared *shared = user_data;
  ProgressReport *report = g_new0 (ProgressReport, 1);

  report->shared = shared_ref (shared);
  report->progress = *progress;
  report->result = result ? copy_result (result) : NULL;
  report->status = describe_progress (progress, result);
  g_main_context_invoke_full (shared->main_context, G_PRIORITY_DEFAULT,
                              deliver_progress, report, progress_report_free);
}

static void
on_embed_progress (const DocentEmbedProgress *progress,
                   gpointer                   user_data)
{
  Shared *shared = user_data;
  ProgressReport *report = g_new0 (ProgressReport, 1);

  report->shared = shared_ref (shared);
  report->progress.files_total = (guint) MIN (progress->total, G_MAXUINT);
  report->progress.files_done = (guint) MIN (progress->done, G_MAXUINT);
  report->status = g_strdup_printf ("Understanding passages… %" G_GUINT64_FORMAT
                                    " of %" G_GUINT64_FORMAT,
                                    (guint64) progress->done, (guint64) progress->total);
  g_main_context_invoke_full (shared->main_context, G_PRIORITY_DEFAULT,
                              deliver_progress, report, progress_report_free);
}

/* ---- writing jobs --------------------------------------------------------- */

typedef struct {
  GStrv paths;
  char *collection;
  GArray *ids;
  GCancellable *cancellable;  /* the job's own, cancelled by cancel_jobs */
  gboolean refresh_only;
  gboolean sync;              /* a watched folder's sync (paths[0]) */
  gint started;               /* atomic: the lane began it */
  gboolean nothing_changed;   /* set by the lane: no "changed" needed */
} WriteJob;

static void
write_job_free (gpointer data)
{
  WriteJob *job = data;

  g_strfreev (job->paths);
  g_free (job->collection);
  g_clear_pointer (&job->ids, g_array_unref);
  g_clear_object (&job->cancellable);
  g_free (job);
}

static void lane_refresh (GTask *task, DocentLibrary *library, Shared *shared);

static void
on_refreshed (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_signal_emit (source, signals[CHANGED], 0);
}

static void
after_writing (DocentLibraryService *self)
{
  GTask *task;

  if (self->reader == NULL)
    return;
  task = g_task_new (self, NULL, on_refreshed, NULL);

  /* The reader's vector index and settings catch up before "changed"
   * makes the views ask it again. */
  lane_push (self->reader, lane_refresh, task);
}

static void
job_done (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  DocentLibraryService *self = DOCENT_LIBRARY_SERVICE (source);
  GTask *outer = user_data;
  WriteJob *job = g_task_get_task_data (G_TASK (result));
  GError *error = NULL;
  gpointer value = g_task_propagate_pointer (G_TASK (result), &error);

  g_ptr_array_remove (self->job_cancellables, job->cancellable);
  if (job->sync && g_hash_table_lookup (self->queued_syncs, job->paths[0]) == job)
    g_hash_table_remove (self->queued_syncs, job->paths[0]);
  if (--self->n_jobs == 0)
    {
      set_status (self, NULL, 0);
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_BUSY]);
    }
  if (!job->nothing_changed)
    after_writing (self);
  if (error != NULL)
    g_task_return_error (outer, error);
  else
    g_task_return_pointer (outer, value, (GDestroyNotify) g_ptr_array_unref);
  g_object_unref (outer);
}

/* Queues a writing job: an inner task runs on the writer lane, and the
 * caller's task is returned when it is done and the bookkeeping updated. */
static void
queue_write (DocentLibraryService *self,
             LaneFunc              func,
             WriteJob             *job,
             GCancellable         *cancellable,
             GAsyncReadyCallback   callback,
             gpointer              user_data)
{
  GTask *outer = g_task_new (self, cancellable, callback, user_data);
  GTask *inner;

  if (self->writer == NULL)
    {
      write_job_free (job);
      g_task_return_new_error (outer, G_IO_ERROR, G_IO_ERROR_CLOSED, "the library is closed");
      g_object_unref (outer);
      return;
    }

  job->cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    g_cancellable_connect (cancellable, G_CALLBACK (g_cancellable_cancel),
                           g_object_ref (job->cancellable), g_object_unref);
  g_ptr_array_add (self->job_cancellables, g_object_ref (job->cancellable));
  inner = g_task_new (self, NULL, job_done, outer);
  g_task_set_task_data (inner, job, write_job_free);
  if (self->n_jobs++ == 0)
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_BUSY]);
  lane_push (self->writer, func, inner);
}

/* New passages get their vectors right after being added: a question asked
 * next should find them by meaning as well. */
static gboolean
embed_new (DocentLibrary  *library,
           WriteJob       *job,
           Shared         *shared,
           GError        **error)
{
  DocentEmbedOptions opts = { 0 };

  opts.progress = on_embed_progress;
  opts.user_data = shared;
  opts.cancellable = job->cancellable;
  return docent_library_embed (library, &opts, NULL, error);
}

static void
add_options_init (DocentAddOptions *opts,
                  WriteJob         *job,
                  Shared           *shared)
{
  memset (opts, 0, sizeof *opts);
  opts->collection = job->collection;
  opts->progress = on_add_progress;
  opts->user_data = shared;
  opts->cancellable = job->cancellable;
}

static void
lane_add (GTask         *task,
          DocentLibrary *library,
          Shared        *shared)
{
  WriteJob *job = g_task_get_task_data (task);
  DocentAddOptions opts;
  GPtrArray *results = NULL;
  GError *error = NULL;

  add_options_init (&opts, job, shared);
  if (!docent_library_add (library, (const char *const *) job->paths, &opts, &results, &error) ||
      !embed_new (library, job, shared, &error))
    {
      g_clear_pointer (&results, g_ptr_array_unref);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, results, (GDestroyNotify) g_ptr_array_unref);
}

static void
lane_reindex (GTask         *task,
              DocentLibrary *library,
              Shared        *shared)
{
  WriteJob *job = g_task_get_task_data (task);
  DocentAddOptions opts;
  GPtrArray *results = NULL;
  GError *error = NULL;

  add_options_init (&opts, job, shared);
  opts.collection = NULL;
  if (!docent_library_reindex (library, (const gint64 *) job->ids->data, job->ids->len,
                               &opts, &results, &error) ||
      !embed_new (library, job, shared, &error))
    {
      g_clear_pointer (&results, g_ptr_array_unref);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, results, (GDestroyNotify) g_ptr_array_unref);
}

static void
lane_remove (GTask         *task,
             DocentLibrary *library,
             Shared        *shared)
{
  WriteJob *job = g_task_get_task_data (task);
  GError *error = NULL;

  if (!docent_library_remove (library, (const gint64 *) job->ids->data, job->ids->len, &error))
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, NULL, NULL);
}

static void
lane_move (GTask         *task,
           DocentLibrary *library,
           Shared        *shared)
{
  WriteJob *job = g_task_get_task_data (task);
  GError *error = NULL;

  if (!docent_library_move (library, (const gint64 *) job->ids->data, job->ids->len,
                            job->collection, &error))
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, NULL, NULL);
}

/* Settings changed: the writer reads them, then embeds what the (maybe new)
 * embedding model has no vector for. */
static void
lane_settings (GTask         *task,
               DocentLibrary *library,
               Shared        *shared)
{
  WriteJob *job = g_task_get_task_data (task);
  GError *error = NULL;

  if (!docent_library_refresh (library, &error) ||
      !embed_new (library, job, shared, &error))
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, NULL, NULL);
}

static gboolean
sync_changed_nothing (GPtrArray          *results,
                      const char *const  *removed)
{
  if (removed != NULL && removed[0] != NULL)
    return FALSE;
  /* A failure is news too: the document list shows why a file failed. */
  for (guint i = 0; results != NULL && i < results->len; i++)
    if (((DocentAddResult *) results->pdata[i])->outcome != DOCENT_ADD_UNCHANGED)
      return FALSE;
  return TRUE;
}

/* A watched folder: add what is new or changed, drop what was deleted.
 * A sync that found nothing to do skips the embedding and "changed": it
 * runs at every start and after every burst of events. */
static void
lane_sync (GTask         *task,
           DocentLibrary *library,
           Shared        *shared)
{
  WriteJob *job = g_task_get_task_data (task);
  DocentAddOptions opts;
  GPtrArray *results = NULL;
  g_auto(GStrv) removed = NULL;
  GError *error = NULL;

  g_atomic_int_set (&job->started, TRUE);
  add_options_init (&opts, job, shared);
  if (!docent_library_sync_folder (library, job->paths[0], &opts, &results, &removed, &error))
    {
      job->nothing_changed = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
      g_task_return_error (task, error);
      return;
    }
  job->nothing_changed = sync_changed_nothing (results, (const char *const *) removed);
  if (!job->nothing_changed && !embed_new (library, job, shared, &error))
    {
      g_clear_pointer (&results, g_ptr_array_unref);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, results, (GDestroyNotify) g_ptr_array_unref);
}

static WriteJob *
write_job_for_ids (const gint64 *ids,
                   guint         n_ids)
{
  WriteJob *job = g_new0 (WriteJob, 1);

  job->ids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), n_ids);
  g_array_append_vals (job->ids, ids, n_ids);
  return job;
}

void
docent_library_service_add_async (DocentLibraryService *self,
                                  const char *const    *paths,
                                  const char           *collection,
                                  GCancellable         *cancellable,
                                  GAsyncReadyCallback   callback,
                                  gpointer              user_data)
{
  WriteJob *job = g_new0 (WriteJob, 1);

  g_return_if_fail (DOCENT_IS_LIBRARY_SERVICE (self));
  job->paths = g_strdupv ((char **) paths);
  job->collection = g_strdup (collection);
  queue_write (self, lane_add, job, cancellable, callback, user_data);
}

GPtrArray *
docent_library_service_add_finish (DocentLibraryService *self,
                                   GAsyncResult         *result,
                                   GError              **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
docent_library_service_reindex_async (DocentLibraryService *self,
                                      const gint64         *ids,
                                      guint                 n_ids,
                                      GCancellable         *cancellable,
                                      GAsyncReadyCallback   callback,
                                      gpointer              user_data)
{
  queue_write (self, lane_reindex, write_job_for_ids (ids, n_ids), cancellable, callback, user_data);
}

void
docent_library_service_remove_async (DocentLibraryService *self,
                                     const gint64         *ids,
                                     guint                 n_ids,
                                     GCancellable         *cancellable,
                                     GAsyncReadyCallback   callback,
                                     gpointer              user_data)
{
  queue_write (self, lane_remove, write_job_for_ids (ids, n_ids), cancellable, callback, user_data);
}

void
docent_library_service_move_async (DocentLibraryService *self,
                                   const gint64         *ids,
                                   guint                 n_ids,
                                   const char           *collection,
                                   GCancellable         *cancellable,
                                   GAsyncReadyCallback   callback,
                                   gpointer              user_data)
{
  WriteJob *job = write_job_for_ids (ids, n_ids);

  job->collection = g_strdup (collection);
  queue_write (self, lane_move, job, cancellable, callback, user_data);
}

static void read_watched (DocentLibraryService *self);

void
docent_library_service_settings_changed (DocentLibraryService *self)
{
  queue_write (self, lane_settings, g_new0 (WriteJob, 1), NULL, NULL, NULL);
  read_watched (self);
}

gboolean
docent_library_service_job_finish (DocentLibraryService *self,
                                   GAsyncResult         *result,
                                   GError              **error)
{
  g_autoptr(GPtrArray) ignored = NULL;
  GError *local = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  ignored = g_task_propagate_pointer (G_TASK (result), &local);
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return FALSE;
    }
  return TRUE;
}

void
docent_library_service_cancel_jobs (DocentLibraryService *self)
{
  for (guint i = 0; i < self->job_cancellables->len; i++)
    g_cancellable_cancel (self->job_cancellables->pdata[i]);
}

/* ---- reading ------------------------------------------------------------ */

/* Arguments of a reading call; which fields mean something depends on it. */
typedef struct {
  char *text;            /* collection, query, title */
  char *text2;           /* search: collection */
  gint64 id;
  guint limit;
  DocentAskOptions ask;  /* strings owned through the fields below */
  char *ask_strings[6];
  DocentServiceTextFunc text_func;
  gpointer text_data;
  DocentPageRequest page;
  gint64 conversation_id;
  GArray *ids;           /* ask: the documents it is limited to */
} ReadJob;

static void
read_job_free (gpointer data)
{
  ReadJob *job = data;

  g_free (job->text);
  g_free (job->text2);
  g_clear_pointer (&job->ids, g_array_unref);
  for (guint i = 0; i < G_N_ELEMENTS (job->ask_strings); i++)
    g_free (job->ask_strings[i]);
  g_free (job);
}

static void
queue_read (DocentLibraryService *self,
            LaneFunc              func,
            ReadJob              *job,
            GCancellable         *cancellable,
            GAsyncReadyCallback   callback,
            gpointer              user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_task_data (task, job ? job : g_new0 (ReadJob, 1), read_job_free);
  if (self->reader == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CLOSED, "the library is closed");
      g_object_unref (task);
      return;
    }
  lane_push (self->reader, func, task);
}

static gpointer
finish_pointer (DocentLibraryService *self,
                GAsyncResult         *result,
                GError              **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
return_array (GTask     *task,
              GPtrArray *array,
              GError    *error)
{
  if (array == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, array, (GDestroyNotify) g_ptr_array_unref);
}

static void
lane_refresh (GTask         *task,
              DocentLibrary *library,
              Shared        *shared)
{
  g_autoptr(GError) error = NULL;

  if (!docent_library_refresh (library, &error))
    g_warning ("cannot catch up with the library: %s", error->message);
  g_task_return_boolean (task, TRUE);
}

static void
lane_list_documents (GTask         *task,
                     DocentLibrary *library,
                     Shared        *shared)
{
  ReadJob *job = g_task_get_task_data (task);
  GError *error = NULL;

  return_array (task, docent_store_list_documents (docent_library_store (library),
                                                   job->text, &error), error);
}

void
docent_library_service_list_documents_async (DocentLibraryService *self,
                                             const char           *collection,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data)
{
  ReadJob *job = g_new0 (ReadJob, 1);

  job->text = g_strdup (collection);
  queue_read (self, lane_list_documents, job, cancellable, callback, user_data);
}

GPtrArray *
docent_library_service_list_documents_finish (DocentLibraryService *self,
                                              GAsyncResult         *result,
                                              GError              **error)
{
  return finish_pointer (self, result, error);
}

static void
lane_list_collections (GTask         *task,
                       DocentLibrary *library,
                       Shared        *shared)
{
  GError *error = NULL;
  GStrv names = docent_store_list_collections (docent_library_store (library), &error);

  if (names == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, names, (GDestroyNotify) g_strfreev);
}

void
docent_library_service_list_collections_async (DocentLibraryService *self,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data)
{
  queue_read (self, lane_list_collections, NULL, cancellable, callback, user_data);
}

GStrv
docent_library_service_list_collections_finish (DocentLibraryService *self,
                                                GAsyncResult         *result,
                                                GError              **error)
{
  return finish_pointer (self, result, error);
}

void
docent_library_info_free (DocentLibraryInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->chat_model);
  g_free (info->embedding_model);
  g_free (info);
}

static char *
current_model_id (DocentSettings  *settings,
                  DocentModelRole  role)
{
  const DocentModelEntry *entry = settings ? docent_settings_current (settings, role) : NULL;

  return entry ? g_strdup (entry->id) : NULL;
}

static void
lane_info (GTask         *task,
           DocentLibrary *library,
           Shared        *shared)
{
  g_autoptr(DocentLibraryInfo) info = g_new0 (DocentLibraryInfo, 1);
  DocentSettings *settings = docent_library_settings (library, NULL);
  GError *error = NULL;

  if (!docent_store_stats (docent_library_store (library), &info->stats, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  info->chat_model = current_model_id (settings, DOCENT_MODEL_ROLE_CHAT);
  info->embedding_model = current_model_id (settings, DOCENT_MODEL_ROLE_EMBEDDER);
  g_task_return_pointer (task, g_steal_pointer (&info), (GDestroyNotify) docent_library_info_free);
}

void
docent_library_service_info_async (DocentLibraryService *self,
                                   GCancellable         *cancellable,
                                   GAsyncReadyCallback   callback,
                                   gpointer              user_data)
{
  queue_read (self, lane_info, NULL, cancellable, callback, user_data);
}

DocentLibraryInfo *
docent_library_service_info_finish (DocentLibraryService *self,
                                    GAsyncResult         *result,
                                    GError              **error)
{
  return finish_pointer (self, result, error);
}

static void
lane_search (GTask         *task,
             DocentLibrary *library,
             Shared        *shared)
{
  ReadJob *job = g_task_get_task_data (task);
  DocentSearchOptions opts = { 0 };
  GError *error = NULL;

  opts.query = job->text;
  opts.collection = job->text2;
  opts.document_id = job->id;
  opts.limit = job->limit;
  return_array (task, docent_library_search (library, &opts,
                                             docent_library_default_search_mode (library),
                                             NULL, &error), error);
}

void
docent_library_service_search_async (DocentLibraryService *self,
                                     const char           *query,
                                     const char           *collection,
                                     gint64                document_id,
                                     guint                 limit,
                                     GCancellable         *cancellable,
                                     GAsyncReadyCallback   callback,
                                     gpointer              user_data)
{
  ReadJob *job = g_new0 (ReadJob, 1);

  job->text = g_strdup (query);
  job->text2 = g_strdup (collection);
  job->id = document_id;
  job->limit = limit;
  queue_read (self, lane_search, job, cancellable, callback, user_data);
}

GPtrArray *
docent_library_service_search_finish (DocentLibraryService *self,
                                      GAsyncResult         *result,
                                      GError              **error)
{
  return finish_pointer (self, result, error);
}

/* ---- questions ------------------------------------------------------------ */

typedef struct {
  DocentServiceTextFunc func;
  gpointer data;
  char *text;
  GCancellable *cancellable;
} TextReport;

static void
text_report_free (gpointer data)
{
  TextReport *report = data;

  g_clear_object (&report->cancellable);
  g_free (report->text);
  g_free (report);
}

static gboolean
deliver_text (gpointer data)
{
  TextReport *report = data;

  /* Text still in flight when the person pressed stop is dropped. */
  if (!g_cancellable_is_cancelled (report->cancellable))
    report->func (report->text, report->data);
  return G_SOURCE_REMOVE;
}

typedef struct {
  ReadJob *job;
  GCancellable *cancellable;
  GMainContext *context;
} TextSink;

static void
on_answer_text (const char *text,
                gsize       len,
                gpointer    user_data)
{
  TextSink *sink = user_data;
  TextReport *report;

  if (sink->job->text_func == NULL)
    return;
  report = g_new0 (TextReport, 1);
  report->func = sink->job->text_func;
  report->data = sink->job->text_data;
  report->text = g_strndup (text, len);
  report->cancellable = sink->cancellable ? g_object_ref (sink->cancellable) : NULL;
  g_main_context_invoke_full (sink->context, G_PRIORITY_DEFAULT, deliver_text,
                              report, text_report_free);
}

typedef struct {
  DocentAnswer *answer;
  gint64 conversation_id;
} AskResult;

static void
ask_result_free (gpointer data)
{
  AskResult *result = data;

  g_clear_pointer (&result->answer, docent_answer_free);
  g_free (result);
}

static void
lane_ask (GTask         *task,
          DocentLibrary *library,
          Shared        *shared)
{
  ReadJob *job = g_task_get_task_data (task);
  TextSink sink = { job, g_task_get_cancellable (task), shared->main_context };
  AskResult *result = g_new0 (AskResult, 1);
  DocentAskOptions opts = job->ask;
  GError *error = NULL;

  opts.callback = on_answer_text;
  opts.user_data = &sink;
  opts.cancellable = sink.cancellable;
  result->answer = docent_library_ask (library, &opts, &result->conversation_id, &error);
  if (result->answer == NULL)
    {
      ask_result_free (result);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, result, ask_result_free);
}

void
docent_library_service_ask_async (DocentLibraryService    *self,
                                  const DocentAskOptions  *opts,
                                  DocentServiceTextFunc    text_func,
                                  gpointer                 text_data,
                                  GCancellable            *cancellable,
                                  GAsyncReadyCallback      callback,
                                  gpointer                 user_data)
{
  ReadJob *job = g_new0 (ReadJob, 1);
  char **s = job->ask_strings;

  job->ask = *opts;
  job->ask.question = s[0] = g_strdup (opts->question);
  job->ask.collection = s[1] = g_strdup (opts->collection);
  job->ask.model = s[2] = g_strdup (opts->model);
  job->ask.remote_url = s[3] = g_strdup (opts->remote_url);
  job->ask.remote_model = s[4] = g_strdup (opts->remote_model);
  job->ask.remote_api_key = s[5] = g_strdup (opts->remote_api_key);
  if (opts->n_document_ids > 0)
    {
      job->ids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), opts->n_document_ids);
      g_array_append_vals (job->ids, opts->document_ids, opts->n_document_ids);
      job->ask.document_ids = (const gint64 *) job->ids->data;
    }
  job->text_func = text_func;
  job->text_data = text_data;
  queue_read (self, lane_ask, job, cancellable, callback, user_data);
}

DocentAnswer *
docent_library_service_ask_finish (DocentLibraryService  *self,
                                   GAsyncResult          *result,
                                   gint64                *conversation_id,
                                   GError               **error)
{
  AskResult *ask = finish_pointer (self, result, error);
  DocentAnswer *answer;

  if (ask == NULL)
    return NULL;
  if (conversation_id != NULL)
    *conversation_id = ask->conversation_id;
  answer = g_steal_pointer (&ask->answer);
  ask_result_free (ask);
  return answer;
}

/* ---- pages and conversations ----------------------------------------------- */

static void
lane_page_view (GTask         *task,
                DocentLibrary *library,
                Shared        *shared)
{
  ReadJob *job = g_task_get_task_data (task);
  GError *error = NULL;
  DocentPageView *view;

  job->page.quote = job->text;
  view = docent_library_page_view (library, &job->page, &error);
  if (view == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, view, (GDestroyNotify) docent_page_view_free);
}

void
docent_library_service_page_view_async (DocentLibraryService     *self,
                                        const DocentPageRequest  *request,
                                        GCancellable             *cancellable,
                                        GAsyncReadyCallback       callback,
                                        gpointer                  user_data)
{
  ReadJob *job = g_new0 (ReadJob, 1);

  job->page = *request;
  job->text = g_strdup (request->quote);
  queue_read (self, lane_page_view, job, cancellable, callback, user_data);
}

DocentPageView *
docent_library_service_page_view_finish (DocentLibraryService  *self,
                                         GAsyncResult          *result,
                                         GError               **error)
{
  return finish_pointer (self, result, error);
}

static void
lane_list_conversations (GTask         *task,
                         DocentLibrary *library,
                         Shared        *shared)
{
  GError *error = NULL;

  return_array (task, docent_store_list_conversations (docent_library_store (library), &error),
                error);
}

void
docent_library_service_list_conversations_async (DocentLibraryService *self,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data)
{
  queue_read (self, lane_list_conversations, NULL, cancellable, callback, user_data);
}

GPtrArray *
docent_library_service_list_conversations_finish (DocentLibraryService *self,
                                                  GAsyncResult         *result,
                                                  GError              **error)
{
  return finish_pointer (self, result, error);
}

static void
lane_turns (GTask         *task,
            DocentLibrary *library,
            Shared        *shared)
{
  ReadJob *job = g_task_get_task_data (task);
  GError *error = NULL;

  return_array (task, docent_store_conversation_turns (docent_library_store (library),
                                                       job->conversation_id, &error), error);
}

void
docent_library_service_turns_async (DocentLibraryService *self,
                                    gint64                conversation_id,
                                    GCancellable         *cancellable,
                                    GAsyncReadyCallback   callback,
                                    gpointer              user_data)
{
  ReadJob *job = g_new0 (ReadJob, 1);

  job->conversation_id = conversation_id;
  queue_read (self, lane_turns, job, cancellable, callback, user_data);
}

GPtrArray *
docent_library_service_turns_finish (DocentLibraryService *self,
                                     GAsyncResult         *result,
                                     GError              **error)
{
  return finish_pointer (self, result, error);
}

/* Conversations live in the library's database, but they are not
 * documents: renaming one need not wait behind an indexing job, so it
 * runs on the reader lane. */
static void
lane_rename_conversation (GTask         *task,
                          DocentLibrary *library,
                          Shared        *shared)
{
  ReadJob *job = g_task_get_task_data (task);
  GError *error = NULL;

  if (!docent_store_rename_conversation (docent_library_store (library),
                                         job->conversation_id, job->text, &error))
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, NULL, NULL);
}

static void
lane_delete_conversation (GTask         *task,
                          DocentLibrary *library,
                          Shared        *shared)
{
  ReadJob *job = g_task_get_task_data (task);
  GError *error = NULL;

  if (!docent_store_delete_conversation (docent_library_store (library),
                                         job->conversation_id, &error))
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, NULL, NULL);
}

void
docent_library_service_rename_conversation_async (DocentLibraryService *self,
                                                  gint64                conversation_id,
                                                  const char           *title,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data)
{
  ReadJob *job = g_new0 (ReadJob, 1);

  job->conversation_id = conversation_id;
  job->text = g_strdup (title);
  queue_read (self, lane_rename_conversation, job, NULL, callback, user_data);
}

void
docent_library_service_delete_conversation_async (DocentLibraryService *self,
                                                  gint64                conversation_id,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data)
{
  ReadJob *job = g_new0 (ReadJob, 1);

  job->conversation_id = conversation_id;
  queue_read (self, lane_delete_conversation, job, NULL, callback, user_data);
}

/* ---- watched folders ---------------------------------------------------------- */

/* One sync per folder waiting its turn: a second burst of events while the
 * first sync is still queued has nothing to add. One already running may
 * have listed the folder before the change, so it does not count. */
static void
queue_sync (DocentLibraryService *self,
            const char           *folder)
{
  WriteJob *queued = g_hash_table_lookup (self->queued_syncs, folder);
  WriteJob *job;

  if (self->writer == NULL || (queued != NULL && !g_atomic_int_get (&queued->started)))
    return;
  job = g_new0 (WriteJob, 1);
  job->paths = g_new0 (char *, 2);
  job->paths[0] = g_strdup (folder);
  job->sync = TRUE;
  g_hash_table_replace (self->queued_syncs, g_strdup (folder), job);
  queue_write (self, lane_sync, job, NULL, NULL, NULL);
}

/* On the main context, from the watcher. */
static void
on_watched_changed (DocentWatcher *watcher,
                    const char    *root,
                    gpointer       user_data)
{
  Shared *shared = user_data;
  g_autoptr(DocentLibraryService) self = g_weak_ref_get (&shared->service);

  if (self != NULL)
    queue_sync (self, root);
}

static void
lane_read_watched (GTask         *task,
                   DocentLibrary *library,
                   Shared        *shared)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentSettings) settings = docent_settings_load (shared->dir, &error);

  if (settings == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, docent_settings_get_watched_folders (settings),
                         (GDestroyNotify) g_strfreev);
}

/* Folders no longer listed are dropped, new ones added and synced; the
 * others keep their monitors and any change waiting for its quiet time. */
static void
watch_folders (DocentLibraryService *self,
               const char *const    *folders,
               const char *const    *before)
{
  if (self->watcher == NULL && folders[0] != NULL)
    {
      self->watcher = docent_watcher_new (on_watched_changed, shared_ref (self->shared),
                                          (GDestroyNotify) shared_unref);
      docent_watcher_set_debounce (self->watcher, self->watch_debounce_ms);
    }
  for (guint i = 0; before != NULL && before[i] != NULL; i++)
    if (!g_strv_contains (folders, before[i]) && self->watcher != NULL)
      docent_watcher_remove (self->watcher, before[i]);
  for (guint i = 0; folders[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;

      if (before != NULL && g_strv_contains (before, folders[i]))
        continue;
      /* A folder not there now (a disk not mounted) is synced when it is
       * back and Docent starts again. */
      if (!docent_watcher_add (self->watcher, folders[i], &error))
        g_debug ("not watching %s: %s", folders[i], error->message);
      queue_sync (self, folders[i]);
    }
  if (folders[0] == NULL)
    g_clear_pointer (&self->watcher, docent_watcher_free);
}

static void
on_watched_read (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  DocentLibraryService *self = DOCENT_LIBRARY_SERVICE (source);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) folders = g_task_propagate_pointer (G_TASK (result), &error);
  g_auto(GStrv) before = NULL;

  if (folders == NULL)
    {
      g_debug ("no watched folders: %s", error->message);
      return;
    }
  /* Shut down meanwhile, or nothing changed (another setting did). */
  if (self->writer == NULL ||
      (self->watched != NULL && g_strv_equal ((const char *const *) folders,
                                              (const char *const *) self->watched)))
    return;
  before = g_steal_pointer (&self->watched);
  self->watched = g_steal_pointer (&folders);
  watch_folders (self, (const char *const *) self->watched, (const char *const *) before);
}

static void
read_watched (DocentLibraryService *self)
{
  GTask *task = g_task_new (self, NULL, on_watched_read, NULL);

  if (self->reader == NULL)
    {
      g_object_unref (task);
      return;
    }
  lane_push (self->reader, lane_read_watched, task);
}

GStrv
docent_library_service_get_watched_folders (DocentLibraryService *self)
{
  g_return_val_if_fail (DOCENT_IS_LIBRARY_SERVICE (self), NULL);
  if (self->watcher == NULL)
    return g_new0 (char *, 1);
  return docent_watcher_get_roots (self->watcher);
}

void
docent_library_service_set_watch_debounce (DocentLibraryService *self,
                                           guint                 ms)
{
  g_return_if_fail (DOCENT_IS_LIBRARY_SERVICE (self));
  self->watch_debounce_ms = ms;
  if (self->watcher != NULL)
    docent_watcher_set_debounce (self->watcher, ms);
}

/* The watcher's monitors and timers belong to the main context: freed
 * there when the service's last reference went on a lane thread. */
static gboolean
free_watcher (gpointer data)
{
  docent_watcher_free (data);
  return G_SOURCE_REMOVE;
}

/* ---- object ---------------------------------------------------------------- */

void
docent_library_service_shutdown (DocentLibraryService *self)
{
  g_return_if_fail (DOCENT_IS_LIBRARY_SERVICE (self));
  g_clear_pointer (&self->watcher, docent_watcher_free);
  docent_library_service_cancel_jobs (self);
  if (self->writer != NULL)
    lane_stop (g_steal_pointer (&self->writer), TRUE);
  if (self->reader != NULL)
    lane_stop (g_steal_pointer (&self->reader), TRUE);
}

static void
docent_library_service_finalize (GObject *object)
{
  DocentLibraryService *self = DOCENT_LIBRARY_SERVICE (object);

  /* Possibly on a lane thread (a task's last reference): do not wait. */
  if (self->writer != NULL)
    lane_stop (self->writer, FALSE);
  if (self->reader != NULL)
    lane_stop (self->reader, FALSE);
  if (self->watcher != NULL)
    g_main_context_invoke (self->shared->main_context, free_watcher,
                           g_steal_pointer (&self->watcher));
  g_strfreev (self->watched);
  g_hash_table_unref (self->queued_syncs);
  g_ptr_array_unref (self->job_cancellables);
  shared_unref (self->shared);
  g_free (self->status);
  G_OBJECT_CLASS (docent_library_service_parent_class)->finalize (object);
}

static void
docent_library_service_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  DocentLibraryService *self = DOCENT_LIBRARY_SERVICE (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, self->n_jobs > 0);
      break;
    case PROP_PROGRESS:
      g_value_set_double (value, self->progress);
      break;
    case PROP_STATUS:
      g_value_set_string (value, self->status);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
docent_library_service_class_init (DocentLibraryServiceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = docent_library_service_finalize;
  object_class->get_property = docent_library_service_get_property;

  props[PROP_BUSY] = g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                                           G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  props[PROP_PROGRESS] = g_param_spec_double ("progress", NULL, NULL, -1, 1, 0,
                                              G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  props[PROP_STATUS] = g_param_spec_string ("status", NULL, NULL, NULL,
                                            G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, props);

  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[FILE_DONE] = g_signal_new ("file-done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
}

static void
docent_library_service_init (DocentLibraryService *self)
{
  self->job_cancellables = g_ptr_array_new_with_free_func (g_object_unref);
  self->queued_syncs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->watch_debounce_ms = DOCENT_WATCHER_DEFAULT_DEBOUNCE_MS;
}

DocentLibraryService *
docent_library_service_new (const char *dir)
{
  DocentLibraryService *self = g_object_new (DOCENT_TYPE_LIBRARY_SERVICE, NULL);
  Shared *shared = g_new0 (Shared, 1);

  g_atomic_ref_count_init (&shared->ref);
  shared->dir = g_strdup (dir);
  shared->main_context = g_main_context_ref_thread_default ();
  g_weak_ref_init (&shared->service, self);
  self->shared = shared;
  self->writer = lane_new (shared, "docent-writer");
  self->reader = lane_new (shared, "docent-reader");
  read_watched (self);
  return self;
}

const char *
docent_library_service_get_dir (DocentLibraryService *self)
{
  return self->shared->dir;
}

gboolean
docent_library_service_get_busy (DocentLibraryService *self)
{
  return self->n_jobs > 0;
}

double
docent_library_service_get_progress (DocentLibraryService *self)
{
  return self->progress;
}

const char *
docent_library_service_get_status (DocentLibraryService *self)
{
  return self->status;
}
