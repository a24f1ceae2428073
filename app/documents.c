/* documents.c — re-indexing, moving and removing stored documents, for
 * front ends that act on documents they list rather than on paths; and
 * the sync of a watched folder (add it, drop what was deleted). */
#include "app/documents.h"

static DocentAddResult *
missing_file (const DocentDocRecord *rec)
{
  DocentAddResult *result = g_new0 (DocentAddResult, 1);

  result->path = g_strdup (rec->path);
  result->outcome = DOCENT_ADD_FAILED;
  result->document_id = rec->id;
  result->error = g_strdup ("the file is no longer there");
  return result;
}

/* The files are read again in place (a forced add): the documents keep
 * their ids, so stored conversations still open their citations, and
 * their collections. A document whose file is gone is left as it is. */
gboolean
docent_library_reindex (DocentLibrary           *library,
                        const gint64            *ids,
                        guint                    n_ids,
                        const DocentAddOptions  *opts,
                        GPtrArray              **results,
                        GError                 **error)
{
  static const DocentAddOptions no_options = { 0 };
  DocentAddOptions forced = opts ? *opts : no_options;
  g_autoptr(GPtrArray) all =
    g_ptr_array_new_with_free_func ((GDestroyNotify) docent_add_result_free);
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) added = NULL;

  for (guint i = 0; i < n_ids; i++)
    {
      g_auto(DocentDocRecord) rec = { 0 };

      if (!docent_store_find_by_id (docent_library_store (library), ids[i], &rec, error))
        {
          if (error != NULL && *error == NULL)
            g_set_error (error, DOCENT_STORE_ERROR, DOCENT_STORE_ERROR_NOT_FOUND,
                         "no document with id %" G_GINT64_FORMAT, ids[i]);
          return FALSE;
        }
      if (g_file_test (rec.path, G_FILE_TEST_IS_REGULAR))
        g_ptr_array_add (paths, g_strdup (rec.path));
      else
        g_ptr_array_add (all, missing_file (&rec));
    }
  g_ptr_array_add (paths, NULL);
  forced.force = TRUE;
  forced.collection = NULL;
  if (paths->len > 1 &&
      !docent_library_add (library, (const char *const *) paths->pdata, &forced, &added, error))
    return FALSE;
  for (guint i = 0; added != NULL && i < added->len; i++)
    g_ptr_array_add (all, g_steal_pointer (&added->pdata[i]));
  if (results != NULL)
    *results = g_steal_pointer (&all);
  return TRUE;
}

gboolean
docent_library_move (DocentLibrary  *library,
                     const gint64   *ids,
                     guint           n_ids,
                     const char     *collection,
                     GError        **error)
{
  for (guint i = 0; i < n_ids; i++)
    if (!docent_store_set_collection (docent_library_store (library), ids[i],
                                      collection, error))
      return FALSE;
  return TRUE;
}

gboolean
docent_library_remove (DocentLibrary  *library,
                       const gint64   *ids,
                       guint           n_ids,
                       GError        **error)
{
  for (guint i = 0; i < n_ids; i++)
    if (!docent_store_remove_document (docent_library_store (library), ids[i], error))
      return FALSE;
  return TRUE;
}

/* Removes the documents under `folder` whose file is gone, adding their
 * paths to `removed`. */
static gboolean
remove_missing (DocentLibrary           *library,
                const char              *folder,
                const DocentAddOptions  *opts,
                GStrvBuilder            *removed,
                GError                 **error)
{
  DocentStore *store = docent_library_store (library);
  g_autoptr(GArray) ids = docent_store_ids_under_path (store, folder, error);

  if (ids == NULL)
    return FALSE;
  for (guint i = 0; i < ids->len; i++)
    {
      gint64 id = g_array_index (ids, gint64, i);
      g_auto(DocentDocRecord) rec = { 0 };
      GError *local = NULL;

      if (g_cancellable_set_error_if_cancelled (opts ? opts->cancellable : NULL, error))
        return FALSE;
      if (!docent_store_find_by_id (store, id, &rec, &local))
        {
          if (local != NULL)
            {
              g_propagate_error (error, local);
              return FALSE;
            }
          continue;
        }
      if (g_file_test (rec.path, G_FILE_TEST_EXISTS))
        continue;
      if (!docent_store_remove_document (store, id, error))
        return FALSE;
      g_strv_builder_add (removed, rec.path);
    }
  return TRUE;
}

gboolean
docent_library_sync_folder (DocentLibrary           *library,
                            const char              *folder,
                            const DocentAddOptions  *opts,
                            GPtrArray              **results,
                            GStrv                   *removed,
                            GError                 **error)
{
  g_autofree char *path = NULL;
  g_autoptr(GPtrArray) added = NULL;
  g_autoptr(GStrvBuilder) gone = g_strv_builder_new ();
  const char *paths[2] = { NULL, NULL };

  g_return_val_if_fail (library != NULL && folder != NULL, FALSE);
  path = g_canonicalize_filename (folder, NULL);
  /* A folder that vanished as a whole is more likely a disk not mounted
   * than a person deleting every document. */
  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "%s: the watched folder is not there", path);
      return FALSE;
    }
  paths[0] = path;
  if (!docent_library_add (library, paths, opts, &added, error) ||
      !remove_missing (library, path, opts, gone, error))
    return FALSE;
  if (results != NULL)
    *results = g_steal_pointer (&added);
  if (removed != NULL)
    *removed = g_strv_builder_end (gone);
  return TRUE;
}
