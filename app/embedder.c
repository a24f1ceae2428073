/* embedder.c — the library's embedding model: loading it, embedding
 * queries, and the resumable job that embeds chunks (see embedder.h). */
#include "app/embedder.h"

#include <errno.h>
#include <sys/stat.h>

#include "engine/encoder.h"
#include "engine/model.h"
#include "engine/threadpool.h"
#include "index/embeddings.h"

#define DEFAULT_BATCH 16u

struct _DocentEmbedder {
  DocentModel *model;
  DocentThreadPool *pool;
  DocentVectorIndex *vectors;
  char *model_id;
  char *key;
  char *query_prefix;
  char *passage_prefix;
  guint dim;
};

/* The registered SHA-256 names the vectors; a file replaced behind our
 * back would put another model's vectors under it. Its size is the cheap
 * check (hashing on every start would cost a second). */
static gboolean
check_unchanged (const DocentModelEntry  *entry,
                 GError                 **error)
{
  struct stat st;

  if (stat (entry->path, &st) != 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   "embedding model %s: %s: %s", entry->id, entry->path, g_strerror (saved));
      return FALSE;
    }
  if ((guint64) st.st_size != entry->size)
    {
      g_set_error (error, DOCENT_SETTINGS_ERROR, DOCENT_SETTINGS_ERROR_MODEL,
                   "embedding model %s: %s changed since it was added "
                   "(run `docent-cli models add` on it again)", entry->id, entry->path);
      return FALSE;
    }
  return TRUE;
}

static gboolean
load_model (DocentEmbedder          *e,
            const DocentModelEntry  *entry,
            GError                 **error)
{
  const DocentModelInfo *info;

  if (!check_unchanged (entry, error))
    return FALSE;
  e->model = docent_model_load (entry->path, error);
  if (e->model == NULL)
    {
      g_prefix_error (error, "embedding model %s: ", entry->id);
      return FALSE;
    }
  info = docent_model_info (e->model);
  if (info->kind != DOCENT_MODEL_ENCODER)
    {
      g_set_error (error, DOCENT_SETTINGS_ERROR, DOCENT_SETTINGS_ERROR_ROLE,
                   "%s (%s) is not an embedding model", entry->id, info->architecture);
      return FALSE;
    }
  e->dim = info->n_embd;
  e->key = docent_encoder_key (entry->sha256, info->pooling);
  return TRUE;
}

DocentEmbedder *
docent_embedder_open (const DocentModelEntry  *entry,
                      DocentStore             *store,
                      const char              *dir,
                      guint                    n_threads,
                      GError                 **error)
{
  g_autoptr(DocentEmbedder) e = g_new0 (DocentEmbedder, 1);
  g_autofree char *path = NULL;

  e->model_id = g_strdup (entry->id);
  e->query_prefix = g_strdup (entry->query_prefix ? entry->query_prefix : "");
  e->passage_prefix = g_strdup (entry->passage_prefix ? entry->passage_prefix : "");
  if (!load_model (e, entry, error))
    return NULL;
  e->pool = docent_thread_pool_new (n_threads);
  path = docent_vector_index_path (dir, e->key);
  e->vectors = docent_vector_index_open (store, path, e->key, e->dim, error);
  if (e->vectors == NULL)
    return NULL;
  return g_steal_pointer (&e);
}

void
docent_embedder_free (DocentEmbedder *e)
{
  if (e == NULL)
    return;
  g_clear_pointer (&e->vectors, docent_vector_index_free);
  g_clear_pointer (&e->pool, docent_thread_pool_free);
  g_clear_pointer (&e->model, docent_model_unref);
  g_free (e->model_id);
  g_free (e->key);
  g_free (e->query_prefix);
  g_free (e->passage_prefix);
  g_free (e);
}

const char *
docent_embedder_key (DocentEmbedder *e)
{
  return e->key;
}

const char *
docent_embedder_model_id (DocentEmbedder *e)
{
  return e->model_id;
}

guint
docent_embedder_dim (DocentEmbedder *e)
{
  return e->dim;
}

DocentVectorIndex *
docent_embedder_vectors (DocentEmbedder *e)
{
  return e->vectors;
}

gboolean
docent_embedder_embed_query (DocentEmbedder  *e,
                             const char      *query,
                             float           *out,
                             GError         **error)
{
  g_autofree char *text = g_strconcat (e->query_prefix, query, NULL);
  const char *texts[] = { text };

  return docent_encoder_embed_texts (e->model, e->pool, texts, 1, out, error);
}

/* What a chunk is embedded as: its heading gives the passage context the
 * body often leaves implicit ("Termination" above "either party may…"). */
static char *
passage_text (DocentEmbedder           *e,
              const DocentPendingChunk *chunk)
{
  if (chunk->heading != NULL && *chunk->heading != '\0')
    return g_strconcat (e->passage_prefix, chunk->heading, "\n\n", chunk->text, NULL);
  return g_strconcat (e->passage_prefix, chunk->text, NULL);
}

static gboolean
embed_batch (DocentEmbedder  *e,
             DocentStore     *store,
             GPtrArray       *chunks,
             GError         **error)
{
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  g_autofree gint64 *ids = g_new (gint64, chunks->len);
  g_autofree float *vectors = g_new (float, (gsize) chunks->len * e->dim);

  for (guint i = 0; i < chunks->len; i++)
    {
      const DocentPendingChunk *chunk = g_ptr_array_index (chunks, i);

      ids[i] = chunk->chunk_id;
      g_ptr_array_add (texts, passage_text (e, chunk));
    }
  return docent_encoder_embed_texts (e->model, e->pool, (const char *const *) texts->pdata,
                                     chunks->len, vectors, error) &&
         docent_store_put_embeddings (store, e->key, ids, vectors, chunks->len, e->dim, error);
}

static gboolean
embed_pending (DocentEmbedder            *e,
               DocentStore               *store,
               const DocentEmbedOptions  *opts,
               guint64                   *n_embedded,
               GError                   **error)
{
  guint batch = opts != NULL && opts->batch ? opts->batch : DEFAULT_BATCH;
  DocentEmbedProgress progress = { 0 };
  gint64 start = g_get_monotonic_time (), after = 0;

  if (!docent_store_count_pending (store, e->key, &progress.total, error))
    return FALSE;
  for (;;)
    {
      g_autoptr(GPtrArray) chunks = NULL;
      double seconds;

      if (opts != NULL && g_cancellable_set_error_if_cancelled (opts->cancellable, error))
        return FALSE;
      chunks = docent_store_pending_chunks (store, e->key, after, batch, error);
      if (chunks == NULL)
        return FALSE;
      if (chunks->len == 0)
        return TRUE;
      after = ((DocentPendingChunk *) g_ptr_array_index (chunks, chunks->len - 1))->chunk_id;
      if (!embed_batch (e, store, chunks, error))
        return FALSE;
      progress.done += chunks->len;
      *n_embedded = progress.done;
      /* Chunks added meanwhile (another process ingesting) join the job. */
      progress.total = MAX (progress.total, progress.done);
      seconds = (g_get_monotonic_time () - start) / 1e6;
      progress.chunks_per_second = seconds > 0 ? progress.done / seconds : 0;
      if (opts != NULL && opts->progress != NULL)
        opts->progress (&progress, opts->user_data);
    }
}

gboolean
docent_embedder_run (DocentEmbedder            *e,
                     DocentStore               *store,
                     const DocentEmbedOptions  *opts,
                     guint64                   *n_embedded,
                     GError                   **error)
{
  guint64 local = 0;

  if (n_embedded == NULL)
    n_embedded = &local;
  *n_embedded = 0;
  if (!embed_pending (e, store, opts, n_embedded, error))
    return FALSE;
  if (docent_vector_index_wants_rebuild (e->vectors))
    return docent_vector_index_rebuild (e->vectors, store, error);
  return docent_vector_index_sync (e->vectors, store, error);
}
