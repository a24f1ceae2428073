/* watcher.c — DocentWatcher: a GFileMonitor per folder (inotify watches
 * one folder, not a tree), a quiet-time timer per root.
 *
 * Every folder under a root gets its own monitor, made when the root is
 * added and when a folder appears later (created, moved in, renamed);
 * monitors of folders that go away are dropped. Hidden entries are never
 * looked at: the library skips them too. Any event about a file restarts
 * the root's timer, and the callback comes once the root has been quiet
 * for the debounce time; so a copy of a hundred files is one callback.
 * A file still being written (CHANGED events) only keeps a pending timer
 * waiting, it never starts one: its CHANGES_DONE_HINT (the file closed)
 * does. */
#include "app/watcher.h"

#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

typedef struct {
  DocentWatcher *watcher;
  char *path;
  GHashTable *monitors;   /* folder path → GFileMonitor */
  GSource *timer;         /* the pending callback, or NULL */
} Root;

struct _DocentWatcher {
  DocentWatcherFunc func;
  gpointer user_data;
  GDestroyNotify destroy;
  GMainContext *context;
  GPtrArray *roots;       /* Root*, in the order added */
  guint debounce_ms;
  guint max_folders;
  guint n_folders;
  gboolean said_capped;
};

static void on_monitor_changed (GFileMonitor      *monitor,
                                GFile             *file,
                                GFile             *other,
                                GFileMonitorEvent  event,
                                gpointer           data);

/* ---- monitors --------------------------------------------------------- */

static void
monitor_free (gpointer data)
{
  GFileMonitor *monitor = data;

  g_signal_handlers_disconnect_matched (monitor, G_SIGNAL_MATCH_FUNC, 0, 0, NULL,
                                        on_monitor_changed, NULL);
  g_file_monitor_cancel (monitor);
  g_object_unref (monitor);
}

static gboolean
is_hidden (GFile *file)
{
  g_autofree char *name = file != NULL ? g_file_get_basename (file) : NULL;

  return name == NULL || name[0] == '.';
}

/* A folder itself, not a link to one: the library does not follow links
 * out of a folder either, and a link loop would never end. */
static gboolean
is_real_folder (const char *path)
{
  GStatBuf st;

  return g_lstat (path, &st) == 0 && S_ISDIR (st.st_mode);
}

/* Watches one folder. FALSE when it is watched already, or cannot be
 * (then its subfolders are not looked at either). */
static gboolean
watch_folder (Root        *root,
              const char  *path,
              GError     **error)
{
  DocentWatcher *watcher = root->watcher;
  g_autoptr(GFile) file = NULL;
  GFileMonitor *monitor;

  if (g_hash_table_contains (root->monitors, path))
    return FALSE;
  if (watcher->n_folders >= watcher->max_folders)
    {
      if (!watcher->said_capped)
        g_debug ("watching the first %u folders only (%s and beyond): "
                 "changes in the others are found at the next start",
                 watcher->max_folders, path);
      watcher->said_capped = TRUE;
      return FALSE;
    }
  file = g_file_new_for_path (path);
  monitor = g_file_monitor_directory (file, G_FILE_MONITOR_WATCH_MOVES, NULL, error);
  if (monitor == NULL)
    return FALSE;
  g_signal_connect (monitor, "changed", G_CALLBACK (on_monitor_changed), root);
  g_hash_table_insert (root->monitors, g_strdup (path), monitor);
  watcher->n_folders++;
  return TRUE;
}

/* Watches `top` and the folders below it (iteratively: a deep tree cannot
 * overflow the stack). */
static void
watch_tree (Root       *root,
            const char *top)
{
  g_autoptr(GPtrArray) stack = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (stack, g_strdup (top));
  while (stack->len > 0)
    {
      g_autofree char *dir = g_ptr_array_steal_index (stack, stack->len - 1);
      g_autoptr(GError) error = NULL;
      GDir *d;
      const char *name;

      if (!watch_folder (root, dir, &error))
        {
          if (error != NULL)
            g_debug ("cannot watch %s: %s", dir, error->message);
          continue;
        }
      if ((d = g_dir_open (dir, 0, NULL)) == NULL)
        continue;
      while ((name = g_dir_read_name (d)) != NULL)
        {
          char *child;

          if (name[0] == '.')
            continue;
          child = g_build_filename (dir, name, NULL);
          if (is_real_folder (child))
            g_ptr_array_add (stack, child);
          else
            g_free (child);
        }
      g_dir_close (d);
    }
}

/* Drops the monitors of `path` and of the folders below it. */
static void
unwatch_tree (Root       *root,
              const char *path)
{
  g_autofree char *prefix = g_strconcat (path, G_DIR_SEPARATOR_S, NULL);
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, root->monitors);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (strcmp (key, path) == 0 || g_str_has_prefix (key, prefix))
      {
        g_hash_table_iter_remove (&iter);
        root->watcher->n_folders--;
      }
}

/* ---- the quiet-time timer ---------------------------------------------- */

static gboolean
on_quiet (gpointer data)
{
  Root *root = data;
  DocentWatcher *watcher = root->watcher;

  g_clear_pointer (&root->timer, g_source_unref);
  /* Last: the callback may free the watcher. */
  watcher->func (watcher, root->path, watcher->user_data);
  return G_SOURCE_REMOVE;
}

static void
cancel_timer (Root *root)
{
  if (root->timer == NULL)
    return;
  g_source_destroy (root->timer);
  g_clear_pointer (&root->timer, g_source_unref);
}

static void
restart_timer (Root *root)
{
  cancel_timer (root);
  root->timer = g_timeout_source_new (root->watcher->debounce_ms);
  g_source_set_name (root->timer, "[docent] watched folder quiet");
  g_source_set_callback (root->timer, on_quiet, root, NULL);
  g_source_attach (root->timer, root->watcher->context);
}

/* ---- events ------------------------------------------------------------- */

/* Something appeared at `file`: a folder gets watched with what it holds
 * already (files copied in with it raise no event of their own). */
static void
appeared (Root  *root,
          GFile *file)
{
  g_autofree char *path = g_file_get_path (file);

  if (path != NULL && is_real_folder (path))
    watch_tree (root, path);
}

static void
went_away (Root  *root,
           GFile *file)
{
  g_autofree char *path = g_file_get_path (file);

  if (path != NULL)
    unwatch_tree (root, path);
}

static void
on_monitor_changed (GFileMonitor      *monitor,
                    GFile             *file,
                    GFile             *other,
                    GFileMonitorEvent  event,
                    gpointer           data)
{
  Root *root = data;

  switch (event)
    {
    case G_FILE_MONITOR_EVENT_CHANGED:
    case G_FILE_MONITOR_EVENT_ATTRIBUTE_CHANGED:
      /* Being written: wait for the end of it, not the first bytes. */
      if (root->timer != NULL && !is_hidden (file))
        restart_timer (root);
      break;
    case G_FILE_MONITOR_EVENT_CREATED:
    case G_FILE_MONITOR_EVENT_MOVED_IN:
      if (is_hidden (file))
        break;
      appeared (root, file);
      restart_timer (root);
      break;
    case G_FILE_MONITOR_EVENT_DELETED:
    case G_FILE_MONITOR_EVENT_MOVED_OUT:
      went_away (root, file);
      if (!is_hidden (file))
        restart_timer (root);
      break;
    case G_FILE_MONITOR_EVENT_RENAMED:
    case G_FILE_MONITOR_EVENT_MOVED:
      /* A hidden temporary renamed to its real name is a file saved. */
      went_away (root, file);
      if (other != NULL && !is_hidden (other))
        appeared (root, other);
      if (!is_hidden (file) || (other != NULL && !is_hidden (other)))
        restart_timer (root);
      break;
    case G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT:
      if (!is_hidden (file))
        restart_timer (root);
      break;
    case G_FILE_MONITOR_EVENT_PRE_UNMOUNT:
    case G_FILE_MONITOR_EVENT_UNMOUNTED:
    default:
      break;
    }
}

/* ---- the watcher ----------------------------------------------------------- */

static void
root_free (gpointer data)
{
  Root *root = data;

  cancel_timer (root);
  g_hash_table_unref (root->monitors);
  g_free (root->path);
  g_free (root);
}

DocentWatcher *
docent_watcher_new (DocentWatcherFunc func,
                    gpointer          user_data,
                    GDestroyNotify    destroy)
{
  DocentWatcher *watcher = g_new0 (DocentWatcher, 1);

  g_return_val_if_fail (func != NULL, NULL);
  watcher->func = func;
  watcher->user_data = user_data;
  watcher->destroy = destroy;
  watcher->context = g_main_context_ref_thread_default ();
  watcher->roots = g_ptr_array_new_with_free_func (root_free);
  watcher->debounce_ms = DOCENT_WATCHER_DEFAULT_DEBOUNCE_MS;
  watcher->max_folders = DOCENT_WATCHER_DEFAULT_MAX_FOLDERS;
  return watcher;
}

void
docent_watcher_free (DocentWatcher *watcher)
{
  if (watcher == NULL)
    return;
  g_ptr_array_unref (watcher->roots);
  if (watcher->destroy != NULL)
    watcher->destroy (watcher->user_data);
  g_main_context_unref (watcher->context);
  g_free (watcher);
}

void
docent_watcher_set_debounce (DocentWatcher *watcher,
                             guint          ms)
{
  g_return_if_fail (watcher != NULL);
  watcher->debounce_ms = ms;
}

void
docent_watcher_set_max_folders (DocentWatcher *watcher,
                                guint          max_folders)
{
  g_return_if_fail (watcher != NULL);
  watcher->max_folders = max_folders;
}

static Root *
find_root (DocentWatcher *watcher,
           const char    *path)
{
  for (guint i = 0; i < watcher->roots->len; i++)
    {
      Root *root = watcher->roots->pdata[i];

      if (strcmp (root->path, path) == 0)
        return root;
    }
  return NULL;
}

gboolean
docent_watcher_add (DocentWatcher  *watcher,
                    const char     *root_path,
                    GError        **error)
{
  Root *root;
  GError *local = NULL;

  g_return_val_if_fail (watcher != NULL && root_path != NULL, FALSE);
  if (find_root (watcher, root_path) != NULL)
    return TRUE;
  if (!g_file_test (root_path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY,
                   "%s: not a folder", root_path);
      return FALSE;
    }
  root = g_new0 (Root, 1);
  root->watcher = watcher;
  root->path = g_strdup (root_path);
  root->monitors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, monitor_free);
  /* The root itself may be a link: the person chose it. */
  if (!watch_folder (root, root_path, &local) && local != NULL)
    {
      g_propagate_prefixed_error (error, local, "%s: ", root_path);
      root_free (root);
      return FALSE;
    }
  g_ptr_array_add (watcher->roots, root);
  if (g_hash_table_size (root->monitors) > 0)
    {
      /* Its subfolders: the root's own monitor is in place already. */
      GDir *d = g_dir_open (root_path, 0, NULL);
      const char *name;

      while (d != NULL && (name = g_dir_read_name (d)) != NULL)
        {
          g_autofree char *child = g_build_filename (root_path, name, NULL);

          if (name[0] != '.' && is_real_folder (child))
            watch_tree (root, child);
        }
      if (d != NULL)
        g_dir_close (d);
    }
  return TRUE;
}

void
docent_watcher_remove (DocentWatcher *watcher,
                       const char    *root_path)
{
  Root *root;

  g_return_if_fail (watcher != NULL && root_path != NULL);
  if ((root = find_root (watcher, root_path)) == NULL)
    return;
  watcher->n_folders -= g_hash_table_size (root->monitors);
  g_ptr_array_remove (watcher->roots, root);
}

GStrv
docent_watcher_get_roots (DocentWatcher *watcher)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();

  g_return_val_if_fail (watcher != NULL, NULL);
  for (guint i = 0; i < watcher->roots->len; i++)
    g_strv_builder_add (b, ((Root *) watcher->roots->pdata[i])->path);
  return g_strv_builder_end (b);
}

guint
docent_watcher_n_folders (DocentWatcher *watcher)
{
  g_return_val_if_fail (watcher != NULL, 0);
  return watcher->n_folders;
}
