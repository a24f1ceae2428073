/* watcher.h — DocentWatcher: notices that something changed in a set of
 * folders ("roots"), each watched with all its subfolders, and says so
 * once per burst of changes, with the root that changed. GIO only.
 *
 * What changed is not reported: the caller syncs the whole root
 * (docent_library_sync_folder), which skips unchanged files cheaply. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define DOCENT_WATCHER_DEFAULT_DEBOUNCE_MS  1500
#define DOCENT_WATCHER_DEFAULT_MAX_FOLDERS  2000

typedef struct _DocentWatcher DocentWatcher;

/* Called on the thread-default main context the watcher was created on,
 * `debounce` ms after the last change under `root` (a path as given to
 * docent_watcher_add). */
typedef void (*DocentWatcherFunc) (DocentWatcher *watcher,
                                   const char    *root,
                                   gpointer       user_data);

/* `destroy` (may be NULL) frees `user_data` with the watcher. */
DocentWatcher *docent_watcher_new       (DocentWatcherFunc  func,
                                         gpointer           user_data,
                                         GDestroyNotify     destroy);
/* Stops watching: no callback comes afterwards, pending ones included.
 * On the thread that created it. */
void           docent_watcher_free      (DocentWatcher     *watcher);

/* The quiet time after the last event before the callback (default
 * DOCENT_WATCHER_DEFAULT_DEBOUNCE_MS; tests use less). */
void           docent_watcher_set_debounce   (DocentWatcher *watcher,
                                              guint          ms);
/* How many folders may be watched in all (default
 * DOCENT_WATCHER_DEFAULT_MAX_FOLDERS): inotify needs a watch per folder,
 * and the user's limit is shared with every program. Folders beyond it are
 * not watched (a g_debug says so); the start-up sync still covers them.
 * Applies to folders added afterwards. */
void           docent_watcher_set_max_folders (DocentWatcher *watcher,
                                               guint          max_folders);

/* Watches `root` and its subfolders (hidden ones skipped; subfolders made
 * later are watched when they appear). A root already watched is no
 * error. Fails when `root` is not a folder or cannot be watched. */
gboolean       docent_watcher_add       (DocentWatcher     *watcher,
                                         const char        *root,
                                         GError           **error);

/* Stops watching `root` (a pending callback for it is dropped). */
void           docent_watcher_remove    (DocentWatcher     *watcher,
                                         const char        *root);

/* The roots, in the order added (a new vector). */
GStrv          docent_watcher_get_roots (DocentWatcher     *watcher);
/* Folders watched now, over all roots (for tests and the cap). */
guint          docent_watcher_n_folders (DocentWatcher     *watcher);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DocentWatcher, docent_watcher_free)

G_END_DECLS
