/* library.c — a library folder and the ingest pipeline over it.
 *
 * The pipeline has three stages. The calling thread walks the paths and
 * answers "unchanged" for files whose path, size and mtime match what is
 * stored, without reading them. Other files go to a GThreadPool whose
 * workers read, hash, extract, chunk and encode layouts — everything that
 * needs no database. Their results come back through a GAsyncQueue to the
 * calling thread, the single writer, which decides added / updated /
 * duplicate against the store and writes each document in one transaction.
 * At most a few jobs per worker are in flight, so memory stays bounded
 * however many files are added. */
#include "app/library.h"
#include "app/library-private.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/embedder.h"
#include "ingest/chunker.h"
#include "ingest/extract.h"
#include "ingest/layout.h"

#define DEFAULT_MAX_FILE_BYTES (G_GUINT64_CONSTANT (1) << 30)
#define DEFAULT_FILE_TIMEOUT_MS (120 * 1000)
#define JOBS_PER_WORKER 3


char *
docent_library_resolve_dir (const char *explicit_dir)
{
  const char *env = g_getenv ("DOCENT_LIBRARY");
  char *pointer;

  if (explicit_dir != NULL && *explicit_dir != '\0')
    return docent_library_canonical_path (explicit_dir);
  if (env != NULL && *env != '\0')
    return docent_library_canonical_path (env);
  /* Chosen in Preferences ($XDG_CONFIG_HOME/docent/location). */
  pointer = docent_settings_get_default_library_dir ();
  if (pointer != NULL)
    return pointer;
  return g_build_filename (g_get_user_data_dir (), "docent", NULL);
}

char *
docent_library_canonical_path (const char *path)
{
  char *resolved = realpath (path, NULL);

  if (resolved != NULL)
    {
      char *copy = g_strdup (resolved);

      free (resolved);
      return copy;
    }
  return g_canonicalize_filename (path, NULL);
}

DocentLibrary *
docent_library_open (const char  *dir,
                     GError     **error)
{
  g_autoptr(DocentLibrary) library = g_new0 (DocentLibrary, 1);
  g_autofree char *db_path = NULL;

  docent_extract_init ();
  library->dir = g_strdup (dir);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "cannot create the library folder %s: %s", dir, g_strerror (saved));
      return NULL;
    }
  /* A folder made by an older version, or by hand, may be too open. */
  if (g_chmod (dir, 0700) != 0)
    g_debug ("cannot restrict %s to 0700: %s", dir, g_strerror (errno));
  db_path = g_build_filename (dir, "library.db", NULL);
  library->store = docent_store_open (db_path, error);
  if (library->store == NULL)
    return NULL;
  return g_steal_pointer (&library);
}

void
docent_library_close (DocentLibrary *library)
{
  if (library == NULL)
    return;
  g_clear_pointer (&library->chat, docent_chat_backend_free);
  g_free (library->chat_key);
  g_clear_pointer (&library->embedder, docent_embedder_free);
  g_clear_pointer (&library->settings, docent_settings_free);
  g_clear_pointer (&library->store, docent_store_close);
  g_free (library->dir);
  g_free (library);
}

const char *
docent_library_dir (DocentLibrary *library)
{
  return library->dir;
}

DocentStore *
docent_library_store (DocentLibrary *library)
{
  return library->store;
}

DocentSettings *
docent_library_settings (DocentLibrary  *library,
                         GError        **error)
{
  if (library->settings == NULL)
    library->settings = docent_settings_load (library->dir, error);
  return library->settings;
}

DocentEmbedder *
docent_library_embedder (DocentLibrary  *library,
                         GError        **error)
{
  DocentSettings *settings;
  const DocentModelEntry *entry;

  if (library->embedder_loaded)
    return library->embedder;
  settings = docent_library_settings (library, error);
  if (settings == NULL)
    return NULL;
  entry = docent_settings_current (settings, DOCENT_MODEL_ROLE_EMBEDDER);
  if (entry != NULL)
    {
      library->embedder = docent_embedder_open (entry, library->store, library->dir, 0, error);
      if (library->embedder == NULL)
        return NULL;
    }
  library->embedder_loaded = TRUE;
  return library->embedder;
}

void
docent_library_reload_embedder (DocentLibrary *library)
{
  g_clear_pointer (&library->embedder, docent_embedder_free);
  library->embedder_loaded = FALSE;
}

static gboolean
same_model (const DocentModelEntry *a,
            const DocentModelEntry *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return g_strcmp0 (a->sha256, b->sha256) == 0 && g_strcmp0 (a->pooling, b->pooling) == 0 &&
         g_strcmp0 (a->query_prefix, b->query_prefix) == 0;
}

gboolean
docent_library_refresh (DocentLibrary  *library,
                        GError        **error)
{
  DocentSettings *fresh = docent_settings_load (library->dir, error);
  const DocentModelEntry *was = NULL;

  if (fresh == NULL)
    return FALSE;
  if (library->settings != NULL)
    was = docent_settings_current (library->settings, DOCENT_MODEL_ROLE_EMBEDDER);
  if (library->embedder_loaded &&
      !same_model (was, docent_settings_current (fresh, DOCENT_MODEL_ROLE_EMBEDDER)))
    docent_library_reload_embedder (library);
  g_clear_pointer (&library->settings, docent_settings_free);
  library->settings = fresh;
  if (library->embedder == NULL)
    return TRUE;
  return docent_vector_index_sync (docent_embedder_vectors (library->embedder),
                                   library->store, error);
}

gboolean
docent_library_embed (DocentLibrary             *library,
                      const DocentEmbedOptions  *opts,
                      guint64                   *n_embedded,
                      GError                   **error)
{
  g_autoptr(GError) local = NULL;
  DocentEmbedder *embedder = docent_library_embedder (library, &local);

  if (n_embedded != NULL)
    *n_embedded = 0;
  if (embedder == NULL)
    {
      if (local == NULL)
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  return docent_embedder_run (embedder, library->store, opts, n_embedded, error);
}

static gboolean
is_blank (const char *text)
{
  for (; text != NULL && *text != '\0'; text = g_utf8_next_char (text))
    if (!g_unichar_isspace (g_utf8_get_char (text)))
      return FALSE;
  return TRUE;
}

static double
ms_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1000.0;
}

GPtrArray *
docent_library_search (DocentLibrary              *library,
                       const DocentSearchOptions  *base,
                       DocentSearchMode            mode,
                       DocentHybridTimings        *timings,
                       GError                    **error)
{
  DocentHybridOptions opts = { 0 };
  DocentHybridTimings local = { 0 };
  g_autofree float *query_vector = NULL;
  DocentEmbedder *embedder = NULL;
  gint64 start = g_get_monotonic_time ();

  if (timings == NULL)
    timings = &local;
  memset (timings, 0, sizeof *timings);
  opts.base = *base;
  opts.mode = mode;
  if (mode != DOCENT_SEARCH_BM25)
    {
      g_autoptr(GError) why = NULL;

      embedder = docent_library_embedder (library, &why);
      if (embedder == NULL)
        {
          if (why == NULL)
            g_set_error (&why, DOCENT_STORE_ERROR, DOCENT_STORE_ERROR_QUERY,
                         "search by meaning needs an embedding model: "
                         "docent-cli models add FILE, then models use --embedder ID");
          g_propagate_error (error, g_steal_pointer (&why));
          return NULL;
        }
      opts.vectors = docent_embedder_vectors (embedder);
      opts.embedder = docent_embedder_key (embedder);
      opts.dim = docent_embedder_dim (embedder);
      /* An empty query has nothing to embed; BM25 answers it (emptily). */
      if (!is_blank (base->query))
        {
          start = g_get_monotonic_time ();
          query_vector = g_new (float, opts.dim);
          if (!docent_embedder_embed_query (embedder, base->query, query_vector, error))
            return NULL;
          opts.query_vector = query_vector;
        }
      else
        opts.mode = DOCENT_SEARCH_BM25;
      timings->embed_ms = ms_since (start);
    }
  return docent_store_hybrid_search (library->store, &opts, timings, error);
}

DocentSearchMode
docent_library_default_search_mode (DocentLibrary *library)
{
  DocentSettings *settings = docent_library_settings (library, NULL);

  if (settings != NULL && docent_settings_current (settings, DOCENT_MODEL_ROLE_EMBEDDER) != NULL)
    return DOCENT_SEARCH_HYBRID;
  return DOCENT_SEARCH_BM25;
}

void
docent_add_result_free (DocentAddResult *result)
{
  if (result == NULL)
    return;
  g_free (result->path);
  g_free (result->error);
  g_free (result->type);
  g_free (result);
}

/* ---- walking ---------------------------------------------------------- */

typedef struct {
  char *path;
  gint64 mtime;
  gint64 size;
} FileEntry;

static void
file_entry_free (FileEntry *entry)
{
  g_free (entry->path);
  g_free (entry);
}

typedef struct {
  DocentLibrary *library;
  const DocentAddOptions *opts;
  DocentExtractOptions extract;
  GPtrArray *results;
  DocentAddProgress progress;
  GAsyncQueue *done;                /* of Job*, from the workers */
  GHashTable *known_sha;            /* sha256 → path of indexed documents */
  GMutex known_lock;                /* workers read known_sha, the writer adds */
  guint64 max_file_bytes;
  gint ocr_pages;                   /* pages read by OCR so far (workers add) */
  guint timeout_ms;                 /* per file, without progress */
  gint64 start;                     /* monotonic µs, for Job.progress_ms */
  GPtrArray *running;               /* Job* in the pool (the writer's list) */
} AddContext;

static void
report (AddContext            *ctx,
        const DocentAddResult *result)
{
  if (ctx->opts->progress != NULL)
    ctx->opts->progress (&ctx->progress, result, ctx->opts->user_data);
}

static void
finish_result (AddContext      *ctx,
               DocentAddResult *result)
{
  switch (result->outcome)
    {
    case DOCENT_ADD_ADDED: ctx->progress.added++; break;
    case DOCENT_ADD_UPDATED: ctx->progress.updated++; break;
    case DOCENT_ADD_UNCHANGED: ctx->progress.unchanged++; break;
    case DOCENT_ADD_FAILED: ctx->progress.failed++; break;
    default: g_assert_not_reached ();
    }
  if (result->outcome == DOCENT_ADD_ADDED || result->outcome == DOCENT_ADD_UPDATED)
    {
      ctx->progress.pages += result->pages;
      ctx->progress.chunks += result->chunks;
    }
  ctx->progress.files_done++;
  report (ctx, result);
  g_ptr_array_add (ctx->results, result);
}

static DocentAddResult *
new_result (const char       *path,
            DocentAddOutcome  outcome,
            const char       *error)
{
  DocentAddResult *result = g_new0 (DocentAddResult, 1);

  result->path = g_strdup (path);
  result->outcome = outcome;
  result->error = g_strdup (error);
  return result;
}

static gboolean
is_hidden (const char *name)
{
  return name[0] == '.';
}

/* Lists regular files under `root` without recursion (no depth limit to
 * hit) and without following symlinked folders (no cycles). */
static void
walk_folder (AddContext *ctx,
             const char *root,
             GPtrArray  *files)
{
  g_autoptr(GPtrArray) stack = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (stack, g_strdup (root));
  while (stack->len > 0)
    {
      g_autofree char *dir_path = g_ptr_array_steal_index (stack, stack->len - 1);
      g_autoptr(GError) error = NULL;
      g_autoptr(GDir) dir = g_dir_open (dir_path, 0, &error);
      g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
      const char *name;

      if (dir == NULL)
        {
          finish_result (ctx, new_result (dir_path, DOCENT_ADD_FAILED, error->message));
          continue;
        }
      while ((name = g_dir_read_name (dir)) != NULL)
        if (!is_hidden (name))
          g_ptr_array_add (names, g_strdup (name));
      g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
      /* Folders are pushed in reverse so they pop in name order. */
      for (guint i = names->len; i-- > 0; )
        {
          g_autofree char *path = g_build_filename (dir_path, names->pdata[i], NULL);
          struct stat st;

          if (g_lstat (path, &st) != 0)
            continue;
          if (S_ISDIR (st.st_mode))
            g_ptr_array_add (stack, g_steal_pointer (&path));
        }
      for (guint i = 0; i < names->len; i++)
        {
          g_autofree char *path = g_build_filename (dir_path, names->pdata[i], NULL);
          struct stat st;
          FileEntry *entry;

          if (g_stat (path, &st) != 0 || !S_ISREG (st.st_mode))
            continue;
          entry = g_new0 (FileEntry, 1);
          entry->path = g_steal_pointer (&path);
          entry->mtime = st.st_mtime;
          entry->size = st.st_size;
          g_ptr_array_add (files, entry);
          ctx->progress.files_total++;
          if (ctx->progress.files_total % 256 == 0)
            report (ctx, NULL);
        }
    }
}

static GPtrArray *
collect_files (AddContext        *ctx,
               const char *const *paths)
{
  GPtrArray *files = g_ptr_array_new_with_free_func ((GDestroyNotify) file_entry_free);

  ctx->progress.walking = TRUE;
  for (guint i = 0; paths[i] != NULL; i++)
    {
      g_autofree char *path = docent_library_canonical_path (paths[i]);
      struct stat st;

      if (g_stat (path, &st) != 0)
        {
          int saved = errno;

          ctx->progress.files_total++;
          finish_result (ctx, new_result (path, DOCENT_ADD_FAILED, g_strerror (saved)));
        }
      else if (S_ISDIR (st.st_mode))
        walk_folder (ctx, path, files);
      else if (!S_ISREG (st.st_mode))
        {
          ctx->progress.files_total++;
          finish_result (ctx, new_result (path, DOCENT_ADD_FAILED, "not a regular file"));
        }
      else
        {
          FileEntry *entry = g_new0 (FileEntry, 1);

          entry->path = g_steal_pointer (&path);
          entry->mtime = st.st_mtime;
          entry->size = st.st_size;
          g_ptr_array_add (files, entry);
          ctx->progress.files_total++;
        }
    }
  ctx->progress.walking = FALSE;
  report (ctx, NULL);
  return files;
}

/* ---- the workers' side ------------------------------------------------- */

typedef struct {
  AddContext *ctx;
  FileEntry *file;            /* borrowed from the file list */
  char *sha256;
  char *error;                /* extraction failed: why */
  DocentExtracted *doc;
  GPtrArray *chunks;          /* of DocentChunk* */
  GPtrArray *layouts;         /* GBytes* per page, NULL entries allowed */
  GCancellable *cancellable;  /* the job's own: the add's, or the watchdog */
  gulong cancel_handler;      /* on the add's cancellable */
  gint progress_ms;           /* atomic: ms after ctx->start of the worker's
                               * last progress (start, a page), 0 before */
} Job;

static void
cancel_job (GCancellable *add,
            gpointer      job_cancellable)
{
  g_cancellable_cancel (job_cancellable);
}

static Job *
job_new (AddContext *ctx,
         FileEntry  *file)
{
  Job *job = g_new0 (Job, 1);

  job->ctx = ctx;
  job->file = file;
  job->cancellable = g_cancellable_new ();
  if (ctx->opts->cancellable != NULL)
    job->cancel_handler = g_cancellable_connect (ctx->opts->cancellable,
                                                 G_CALLBACK (cancel_job),
                                                 g_object_ref (job->cancellable),
                                                 g_object_unref);
  return job;
}

static void
job_free (Job *job)
{
  if (job->cancel_handler != 0)
    g_cancellable_disconnect (job->ctx->opts->cancellable, job->cancel_handler);
  g_clear_object (&job->cancellable);
  g_free (job->sha256);
  g_free (job->error);
  g_clear_pointer (&job->doc, docent_extracted_free);
  g_clear_pointer (&job->chunks, g_ptr_array_unref);
  g_clear_pointer (&job->layouts, g_ptr_array_unref);
  g_free (job);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Job, job_free)

/* The SHA-256 of a mapped file (read_file), in steps whose pages are
 * dropped from the process once hashed: they stay in the page cache, but
 * a large file that extraction then refuses never becomes resident all at
 * once (peak RSS while refusing a 200 MB text file: 231 MB before, 31 MB
 * after). Dropping is safe: the mapping is private and never written, so
 * the next access reads the pages back from the file. */
static char *
sha256_hex (GBytes *bytes)
{
  const gsize step = 4 << 20;  /* a multiple of the page size */
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  for (gsize off = 0; off < len; off += step)
    {
      gsize n = MIN (step, len - off);

      g_checksum_update (sum, data + off, (gssize) n);
      if (n == step)
        madvise ((void *) (data + off), n, MADV_DONTNEED);
    }
  return g_strdup (g_checksum_get_string (sum));
}

static GBytes *
read_file (const char  *path,
           guint64      max_bytes,
           char       **error_out)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GMappedFile) mapped = NULL;
  struct stat st;
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);

  if (fd < 0)
    {
      *error_out = g_strdup_printf ("cannot read the file: %s", g_strerror (errno));
      return NULL;
    }
  if (fstat (fd, &st) != 0)
    {
      *error_out = g_strdup_printf ("cannot read the file: %s", g_strerror (errno));
      close (fd);
      return NULL;
    }
  if ((guint64) st.st_size > max_bytes)
    {
      g_autofree char *size = g_format_size_full (st.st_size, G_FORMAT_SIZE_IEC_UNITS);
      g_autofree char *limit = g_format_size_full (max_bytes, G_FORMAT_SIZE_IEC_UNITS);

      *error_out = g_strdup_printf ("file too large (%s; the limit is %s)", size, limit);
      close (fd);
      return NULL;
    }
  if (st.st_size == 0)
    {
      close (fd);
      return g_bytes_new (NULL, 0);
    }
  mapped = g_mapped_file_new_from_fd (fd, FALSE, &error);
  close (fd);
  if (mapped == NULL)
    {
      *error_out = g_strdup_printf ("cannot read the file: %s", error->message);
      return NULL;
    }
  return g_mapped_file_get_bytes (mapped);
}

static GPtrArray *
encode_layouts (const DocentExtracted *doc)
{
  GPtrArray *layouts = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  for (guint i = 0; i < doc->pages->len; i++)
    {
      const DocentPage *page = doc->pages->pdata[i];

      g_ptr_array_add (layouts, page->boxes != NULL
                                  ? docent_layout_encode (page->boxes, page->width, page->height)
                                  : NULL);
    }
  return layouts;
}

static gboolean
is_known (AddContext *ctx,
          const char *sha256)
{
  gboolean known;

  g_mutex_lock (&ctx->known_lock);
  known = g_hash_table_contains (ctx->known_sha, sha256);
  g_mutex_unlock (&ctx->known_lock);
  return known;
}

static void
remember (AddContext *ctx,
          const char *sha256,
          const char *path)
{
  g_mutex_lock (&ctx->known_lock);
  g_hash_table_insert (ctx->known_sha, g_strdup (sha256), g_strdup (path));
  g_mutex_unlock (&ctx->known_lock);
}

/* Marks the job as making progress, for the watchdog (next_job). */
static void
job_progress (Job *job)
{
  gint64 ms = (g_get_monotonic_time () - job->ctx->start) / 1000;

  g_atomic_int_set (&job->progress_ms, (gint) CLAMP (ms, 1, G_MAXINT));
}

/* On the workers: pages are the extractors' unit of progress; OCR takes a
 * second or more a page, so its pages are counted for the progress report. */
static void
on_page_done (guint    page_no,
              guint    n_pages,
              gboolean ocr,
              gpointer user_data)
{
  Job *job = user_data;

  job_progress (job);
  if (ocr)
    g_atomic_int_inc (&job->ctx->ocr_pages);
}

/* Reads, hashes and, unless the content is already stored (and
 * `skip_known`), extracts and chunks the job's file. */
static void
prepare_job (AddContext *ctx,
             Job        *job,
             gboolean    skip_known)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  DocentExtractOptions extract = ctx->extract;

  job_progress (job);
  bytes = read_file (job->file->path, ctx->max_file_bytes, &job->error);
  if (bytes == NULL)
    return;
  if (job->sha256 == NULL)
    job->sha256 = sha256_hex (bytes);
  if (skip_known && is_known (ctx, job->sha256))
    return;
  extract.cancellable = job->cancellable;
  extract.page_progress = on_page_done;
  extract.page_progress_data = job;
  job->doc = docent_extract (bytes, &extract, &error);
  if (job->doc == NULL)
    {
      /* Cancelled, but not the add: the watchdog gave up on the file. */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
          !g_cancellable_is_cancelled (ctx->opts->cancellable))
        job->error = g_strdup_printf ("gave up after %.3g s without progress "
                                      "(a damaged or pathological file?)",
                                      ctx->timeout_ms / 1000.0);
      else
        job->error = g_strdup (error->message);
      return;
    }
  job->chunks = docent_chunk_document (job->doc, NULL);
  job->layouts = encode_layouts (job->doc);
}

static void
run_job (gpointer data,
         gpointer user_data)
{
  Job *job = data;
  AddContext *ctx = user_data;

  if (!g_cancellable_is_cancelled (ctx->opts->cancellable))
    prepare_job (ctx, job, !ctx->opts->force);
  g_async_queue_push (ctx->done, job);
}

/* ---- the writer's side ------------------------------------------------- */

static void
fill_record (DocentDocRecord *rec,
             const Job       *job)
{
  rec->path = job->file->path;
  rec->sha256 = job->sha256;
  rec->mtime = job->file->mtime;
  rec->size = job->file->size;
}

static gboolean
store_document (AddContext       *ctx,
                Job              *job,
                DocentAddResult  *result,
                GError          **error)
{
  DocentDocRecord rec = { 0 };
  g_autofree char *basename = g_path_get_basename (job->file->path);
  g_autoptr(GArray) pages = g_array_new (FALSE, TRUE, sizeof (DocentStorePage));
  g_autoptr(GArray) chunks = g_array_new (FALSE, TRUE, sizeof (DocentStoreChunk));
  gint64 id;

  fill_record (&rec, job);
  rec.title = job->doc->title != NULL ? job->doc->title : basename;
  rec.type = job->doc->type;
  rec.page_count = job->doc->pages->len;
  for (guint i = 0; i < job->doc->pages->len; i++)
    {
      const DocentPage *page = job->doc->pages->pdata[i];
      DocentStorePage sp = {
        .page_no = page->page_no,
        .width = page->width,
        .height = page->height,
        .text = page->text->str,
        .layout = job->layouts->pdata[i],
        .ocr = page->ocr,
        .ocr_confidence = page->ocr_confidence,
      };

      g_array_append_val (pages, sp);
    }
  for (guint i = 0; i < job->chunks->len; i++)
    {
      const DocentChunk *c = job->chunks->pdata[i];
      DocentStoreChunk sc = {
        .ordinal = c->ordinal,
        .page_start = c->page_start,
        .page_end = c->page_end,
        .char_start = c->char_start,
        .char_end = c->char_end,
        .heading = c->heading,
        .text = c->text,
      };

      g_array_append_val (chunks, sc);
    }
  id = docent_store_put_document (ctx->library->store, &rec,
                                  (const DocentStorePage *) pages->data, pages->len,
                                  (const DocentStoreChunk *) chunks->data, chunks->len,
                                  ctx->opts->collection, error);
  if (id == 0)
    return FALSE;
  result->document_id = id;
  result->pages = pages->len;
  result->chunks = chunks->len;
  result->type = g_strdup (job->doc->type);
  remember (ctx, job->sha256, job->file->path);
  return TRUE;
}

static gboolean
add_to_collection (AddContext  *ctx,
                   gint64       id,
                   GError     **error)
{
  if (ctx->opts->collection == NULL)
    return TRUE;
  return docent_store_add_to_collection (ctx->library->store, id, ctx->opts->collection, error);
}

/* The content is already stored under another path: a moved file takes
 * over the old record; a copy is left out, so search shows it once. */
static gboolean
handle_duplicate (AddContext             *ctx,
                  Job                    *job,
                  const DocentDocRecord  *existing,
                  const DocentDocRecord  *at_path,
                  DocentAddResult        *result,
                  GError                **error)
{
  result->outcome = DOCENT_ADD_UNCHANGED;
  result->document_id = existing->id;
  result->type = g_strdup (existing->type);
  result->pages = existing->page_count;
  /* This path held other content before: that content is gone. */
  if (at_path != NULL && at_path->id != existing->id &&
      !docent_store_remove_document (ctx->library->store, at_path->id, error))
    return FALSE;
  if (!g_file_test (existing->path, G_FILE_TEST_EXISTS))
    {
      result->error = g_strdup_printf ("moved from %s", existing->path);
      if (!docent_store_touch_document (ctx->library->store, existing->id,
                                        job->file->path, job->file->mtime, error))
        return FALSE;
      remember (ctx, job->sha256, job->file->path);
    }
  else
    result->error = g_strdup_printf ("same content as %s", existing->path);
  return add_to_collection (ctx, existing->id, error);
}

static gboolean
write_job (AddContext       *ctx,
           Job              *job,
           DocentAddResult  *result,
           GError          **error)
{
  DocentStore *store = ctx->library->store;
  g_auto(DocentDocRecord) at_path = { 0 };
  g_auto(DocentDocRecord) same = { 0 };
  gboolean have_path, have_same = FALSE;

  have_path = docent_store_find_by_path (store, job->file->path, &at_path, error);
  if (!have_path && error != NULL && *error != NULL)
    return FALSE;
  if (job->sha256 != NULL)
    {
      have_same = docent_store_find_by_sha256 (store, job->sha256, &same, error);
      if (!have_same && error != NULL && *error != NULL)
        return FALSE;
      have_same = have_same && same.status == DOCENT_DOC_INDEXED;
    }

  /* Forced (re-index): the same file is read again and replaces itself. */
  if (ctx->opts->force && have_same && g_strcmp0 (same.path, job->file->path) == 0)
    have_same = FALSE;
  if (have_same && g_strcmp0 (same.path, job->file->path) == 0)
    {
      /* Touched but not changed: remember the new mtime so the next add
       * skips it without reading it. */
      result->outcome = DOCENT_ADD_UNCHANGED;
      result->document_id = same.id;
      result->type = g_strdup (same.type);
      result->pages = same.page_count;
      return docent_store_touch_document (store, same.id, job->file->path,
                                          job->file->mtime, error) &&
             add_to_collection (ctx, same.id, error);
    }
  if (have_same)
    return handle_duplicate (ctx, job, &same, have_path ? &at_path : NULL, result, error);
  /* A worker skipped the content as already stored, and it no longer is
   * (removed by another program meanwhile): do the work here. */
  if (job->sha256 != NULL && job->doc == NULL && job->error == NULL)
    prepare_job (ctx, job, FALSE);

  if (job->error != NULL || job->doc == NULL)
    {
      DocentDocRecord rec = { 0 };
      gint64 id;

      fill_record (&rec, job);
      result->outcome = DOCENT_ADD_FAILED;
      result->error = g_strdup (job->error);
      id = docent_store_record_failure (store, &rec, result->error, ctx->opts->collection, error);
      result->document_id = id;
      return id != 0;
    }

  result->outcome = have_path ? DOCENT_ADD_UPDATED : DOCENT_ADD_ADDED;
  return store_document (ctx, job, result, error);
}

/* ---- the job loop ----------------------------------------------------- */

static GHashTable *
load_known (DocentStore  *store,
            GHashTable  **by_path,
            GError      **error)
{
  g_autoptr(GPtrArray) docs = docent_store_list_documents (store, NULL, error);
  GHashTable *by_sha;

  if (docs == NULL)
    return NULL;
  by_sha = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  *by_path = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                    (GDestroyNotify) docent_doc_record_free);
  for (guint i = 0; i < docs->len; i++)
    {
      DocentDocRecord *rec = docs->pdata[i];

      if (rec->status == DOCENT_DOC_INDEXED && rec->sha256 != NULL)
        g_hash_table_insert (by_sha, g_strdup (rec->sha256), g_strdup (rec->path));
      g_hash_table_insert (*by_path, rec->path, rec);
      docs->pdata[i] = NULL;
    }
  return by_sha;
}

/* Nothing to read: same path, size and mtime as the stored, indexed copy
 * that had no error on its last update. */
static gboolean
is_unchanged (const DocentDocRecord *rec,
              const FileEntry       *file)
{
  return rec != NULL && rec->status == DOCENT_DOC_INDEXED && rec->error == NULL &&
         rec->mtime == file->mtime && rec->size == file->size;
}

/* The watchdog: cancels the extraction of files that made no progress
 * for ctx->timeout_ms.
 *
 * Why a deadline checked by the extractors rather than a watchdog'd
 * subprocess: a subprocess per file would have to send whole documents
 * (text, boxes) back and costs a process start per small file, while every
 * extractor already stops at its cancellable between pages, zip entries
 * and, in OCR, words. Poppler itself cannot be interrupted, so a single
 * page still runs to its end; its work is bounded by that page's own size
 * (and a rendering for OCR by the pixel cap in pdf.c). Progress rather
 * than total time is measured so a scanned book read by OCR for many
 * minutes is not given up while each of its pages takes seconds. */
static void
watch_jobs (AddContext *ctx)
{
  gint64 now_ms = (g_get_monotonic_time () - ctx->start) / 1000;

  for (guint i = 0; i < ctx->running->len; i++)
    {
      Job *job = ctx->running->pdata[i];
      gint progress = g_atomic_int_get (&job->progress_ms);

      if (progress > 0 && now_ms - progress > ctx->timeout_ms &&
          !g_cancellable_is_cancelled (job->cancellable))
        {
          g_debug ("%s: no progress for %u ms, giving up", job->file->path, ctx->timeout_ms);
          g_cancellable_cancel (job->cancellable);
        }
    }
}

/* The next finished job; while waiting, watches the running jobs and
 * reports OCR pages as they are read (a scanned file can take minutes). */
static Job *
next_job (AddContext *ctx)
{
  guint wait_ms = CLAMP (ctx->timeout_ms / 4, 10, 250);
  Job *job;

  watch_jobs (ctx);
  while ((job = g_async_queue_timeout_pop (ctx->done, wait_ms * G_TIME_SPAN_MILLISECOND)) == NULL)
    {
      guint pages = (guint) g_atomic_int_get (&ctx->ocr_pages);

      watch_jobs (ctx);
      if (pages != ctx->progress.ocr_pages)
        {
          ctx->progress.ocr_pages = pages;
          report (ctx, NULL);
        }
    }
  g_ptr_array_remove_fast (ctx->running, job);
  ctx->progress.ocr_pages = (guint) g_atomic_int_get (&ctx->ocr_pages);
  return job;
}

static gboolean
collect_one (AddContext  *ctx,
             GError     **error)
{
  g_autoptr(Job) job = next_job (ctx);
  DocentAddResult *result;

  if (g_cancellable_is_cancelled (ctx->opts->cancellable))
    return TRUE;  /* dropped: nothing half-written, the next add redoes it */
  result = new_result (job->file->path, DOCENT_ADD_FAILED, NULL);
  if (!write_job (ctx, job, result, error))
    {
      docent_add_result_free (result);
      return FALSE;
    }
  finish_result (ctx, result);
  return TRUE;
}

static gboolean
process_files (AddContext  *ctx,
               GPtrArray   *files,
               GHashTable  *by_path,
               GError     **error)
{
  guint n_threads = ctx->opts->n_threads > 0 ? ctx->opts->n_threads : g_get_num_processors ();
  GThreadPool *pool;
  guint in_flight = 0;
  gboolean ok = TRUE;

  pool = g_thread_pool_new (run_job, ctx, n_threads, FALSE, error);
  if (pool == NULL)
    return FALSE;
  for (guint i = 0; i < files->len && ok; i++)
    {
      FileEntry *file = files->pdata[i];
      const DocentDocRecord *rec = g_hash_table_lookup (by_path, file->path);
      Job *job;

      if (g_cancellable_is_cancelled (ctx->opts->cancellable))
        break;
      if (!ctx->opts->force && is_unchanged (rec, file))
        {
          DocentAddResult *result = new_result (file->path, DOCENT_ADD_UNCHANGED, NULL);

          result->document_id = rec->id;
          result->type = g_strdup (rec->type);
          result->pages = rec->page_count;
          ok = add_to_collection (ctx, rec->id, error);
          finish_result (ctx, result);
          continue;
        }
      while (ok && in_flight >= n_threads * JOBS_PER_WORKER)
        {
          ok = collect_one (ctx, error);
          in_flight--;
        }
      job = job_new (ctx, file);
      if (!g_thread_pool_push (pool, job, error))
        {
          job_free (job);
          ok = FALSE;
          break;
        }
      g_ptr_array_add (ctx->running, job);
      in_flight++;
    }
  /* Drain even after an error or a cancel: the workers hold pointers into
   * `files` and must be done before it goes. */
  while (in_flight > 0)
    {
      g_autoptr(GError) late = NULL;

      if (!collect_one (ctx, ok ? error : &late))
        ok = FALSE;
      in_flight--;
    }
  g_thread_pool_free (pool, FALSE, TRUE);
  return ok;
}

gboolean
docent_library_add (DocentLibrary           *library,
                    const char *const       *paths,
                    const DocentAddOptions  *opts,
                    GPtrArray              **results,
                    GError                 **error)
{
  static const DocentAddOptions no_options = { 0 };
  AddContext ctx = { 0 };
  g_autoptr(GPtrArray) files = NULL;
  g_autoptr(GHashTable) by_path = NULL;
  g_autoptr(GHashTable) known_sha = NULL;
  gboolean ok;

  if (opts == NULL)
    opts = &no_options;
  ctx.library = library;
  ctx.opts = opts;
  ctx.results = g_ptr_array_new_with_free_func ((GDestroyNotify) docent_add_result_free);
  ctx.max_file_bytes = opts->max_file_bytes > 0 ? opts->max_file_bytes : DEFAULT_MAX_FILE_BYTES;
  docent_extract_options_init (&ctx.extract);
  ctx.extract.password = opts->password;
  ctx.extract.ocr = opts->no_ocr ? DOCENT_OCR_OFF : DOCENT_OCR_AUTO;
  ctx.extract.ocr_languages = opts->ocr_languages;
  ctx.extract.cancellable = opts->cancellable;
  ctx.timeout_ms = opts->file_timeout_ms > 0 ? opts->file_timeout_ms : DEFAULT_FILE_TIMEOUT_MS;
  ctx.start = g_get_monotonic_time ();

  known_sha = load_known (library->store, &by_path, error);
  ok = known_sha != NULL;
  if (ok)
    {
      ctx.known_sha = known_sha;
      g_mutex_init (&ctx.known_lock);
      ctx.done = g_async_queue_new ();
      ctx.running = g_ptr_array_new ();
      files = collect_files (&ctx, paths);
      ctx.progress.files_total = MAX (ctx.progress.files_total, files->len);
      ok = process_files (&ctx, files, by_path, error);
      g_ptr_array_unref (ctx.running);
      g_async_queue_unref (ctx.done);
      g_mutex_clear (&ctx.known_lock);
    }
  if (ok && g_cancellable_set_error_if_cancelled (opts->cancellable, error))
    ok = FALSE;
  if (results != NULL)
    *results = g_steal_pointer (&ctx.results);
  else
    g_ptr_array_unref (ctx.results);
  return ok;
}

GArray *
docent_library_resolve_documents (DocentLibrary  *library,
                                  const char     *what,
                                  GError        **error)
{
  g_autofree char *path = NULL;
  GArray *ids;
  char *end = NULL;
  gint64 id;

  id = g_ascii_strtoll (what, &end, 10);
  if (end != what && *end == '\0' && id > 0 && !g_file_test (what, G_FILE_TEST_EXISTS))
    {
      g_auto(DocentDocRecord) rec = { 0 };

      if (!docent_store_find_by_id (library->store, id, &rec, error))
        {
          if (error == NULL || *error == NULL)
            g_set_error (error, DOCENT_STORE_ERROR, DOCENT_STORE_ERROR_NOT_FOUND,
                         "no document with id %" G_GINT64_FORMAT, id);
          return NULL;
        }
      ids = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_array_append_val (ids, id);
      return ids;
    }
  path = docent_library_canonical_path (what);
  ids = docent_store_ids_under_path (library->store, path, error);
  if (ids != NULL && ids->len == 0)
    {
      g_set_error (error, DOCENT_STORE_ERROR, DOCENT_STORE_ERROR_NOT_FOUND,
                   "no document in the library at %s", path);
      g_clear_pointer (&ids, g_array_unref);
    }
  return ids;
}
