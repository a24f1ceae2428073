/* samples.c — the sample library: lists the sample PDFs in their GResource
 * bundle, copies them into the library folder and adds them. */
#include "app/samples.h"

#include <errno.h>
#include <string.h>

#include <glib/gstdio.h>

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

GStrv
docent_samples_list (void)
{
  g_auto(GStrv) children = g_resources_enumerate_children (DOCENT_SAMPLES_RESOURCE_PATH,
                                                           G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();

  for (guint i = 0; children != NULL && children[i] != NULL; i++)
    {
      /* Only files: a name ending in '/' would be a folder. */
      if (!g_str_has_suffix (children[i], "/"))
        g_ptr_array_add (names, g_strdup (children[i]));
    }
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&names), FALSE);
}

/* TRUE when `path` is a regular file holding exactly `data`. */
static gboolean
same_contents (const char *path,
               GBytes     *data)
{
  g_autofree char *contents = NULL;
  gsize length = 0;
  GStatBuf st;

  if (g_lstat (path, &st) != 0 || !S_ISREG (st.st_mode) ||
      (guint64) st.st_size != g_bytes_get_size (data))
    return FALSE;
  if (!g_file_get_contents (path, &contents, &length, NULL))
    return FALSE;
  return length == g_bytes_get_size (data) &&
         memcmp (contents, g_bytes_get_data (data, NULL), length) == 0;
}

static gboolean
install_one (const char  *folder,
             const char  *name,
             char       **path_out,
             GError     **error)
{
  g_autofree char *resource = g_strconcat (DOCENT_SAMPLES_RESOURCE_PATH, name, NULL);
  g_autofree char *path = g_build_filename (folder, name, NULL);
  g_autoptr(GBytes) data = g_resources_lookup_data (resource, G_RESOURCE_LOOKUP_FLAGS_NONE, error);

  if (data == NULL)
    return FALSE;
  /* Rewriting an identical file would change its time stamp for nothing. */
  if (!same_contents (path, data) &&
      !g_file_set_contents_full (path, g_bytes_get_data (data, NULL), g_bytes_get_size (data),
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0600, error))
    return FALSE;
  *path_out = g_steal_pointer (&path);
  return TRUE;
}

GStrv
docent_samples_install (const char  *library_dir,
                        GError     **error)
{
  g_auto(GStrv) names = docent_samples_list ();
  g_autofree char *folder = NULL;
  g_autoptr(GPtrArray) paths = NULL;

  g_return_val_if_fail (library_dir != NULL, NULL);

  if (names[0] == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           "The sample documents are not part of this build of Docent");
      return NULL;
    }
  folder = g_build_filename (library_dir, DOCENT_SAMPLES_FOLDER, NULL);
  if (g_mkdir_with_parents (folder, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "Cannot create the folder %s: %s", folder, g_strerror (saved));
      return NULL;
    }
  paths = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; names[i] != NULL; i++)
    {
      char *path = NULL;

      if (!install_one (folder, names[i], &path, error))
        return NULL;
      g_ptr_array_add (paths, path);
    }
  g_ptr_array_add (paths, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&paths), FALSE);
}

gboolean
docent_samples_add (DocentLibrary           *library,
                    const DocentAddOptions  *opts,
                    GPtrArray              **results,
                    GError                 **error)
{
  g_auto(GStrv) paths = docent_samples_install (docent_library_dir (library), error);
  DocentAddOptions add = { 0 };

  if (paths == NULL)
    return FALSE;
  if (opts != NULL)
    add = *opts;
  add.collection = DOCENT_SAMPLES_COLLECTION;
  return docent_library_add (library, (const char *const *) paths, &add, results, error);
}
