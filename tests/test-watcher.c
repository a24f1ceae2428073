/* test-watcher.c — DocentWatcher (app/watcher.h) on a scratch folder:
 * a new file, a file in a new subfolder, a deletion, each one callback
 * with the root once things are quiet; hidden files and folders raise
 * none; subfolders present at the start and made later are watched; the
 * cap on watched folders; freeing with a callback pending calls nothing
 * (and leaks nothing under ASan). A short debounce keeps it quick.
 * Also docent_library_sync_folder (app/documents.h), what a change in a
 * watched folder leads to: new files added, deleted files' documents
 * removed, unchanged and moved ones kept, a missing folder left alone. */
#include <string.h>

#include <glib/gstdio.h>

#include "app/documents.h"
#include "app/watcher.h"
#include "tests/fixtures.h"

#define DEBOUNCE_MS 200
/* Long enough for GLib's inotify thread and the debounce, with room for a
 * loaded machine. */
#define WAIT_MS 5000
/* After a callback, how long nothing more may come. */
#define SETTLE_MS (DEBOUNCE_MS * 3)

typedef struct {
  char *dir;
  DocentWatcher *watcher;
  GPtrArray *calls;     /* roots, one per callback */
} Fixture;

static void
on_change (DocentWatcher *watcher,
           const char    *root,
           gpointer       user_data)
{
  Fixture *f = user_data;

  g_ptr_array_add (f->calls, g_strdup (root));
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->dir = docent_test_tmpdir ();
  f->calls = g_ptr_array_new_with_free_func (g_free);
  f->watcher = docent_watcher_new (on_change, f, NULL);
  docent_watcher_set_debounce (f->watcher, DEBOUNCE_MS);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_pointer (&f->watcher, docent_watcher_free);
  g_ptr_array_unref (f->calls);
  docent_test_rm_rf (f->dir);
  g_free (f->dir);
}

static gboolean
on_deadline (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main context for `ms`, or until there are `count` calls. */
static void
run_for (Fixture *f,
         guint    ms,
         guint    count)
{
  gboolean passed = FALSE;
  guint id = g_timeout_add (ms, on_deadline, &passed);

  while (!passed && f->calls->len < count)
    g_main_context_iteration (NULL, TRUE);
  if (!passed)
    g_source_remove (id);
}

/* Exactly one more callback, for the root, and then quiet. */
static void
expect_one_call (Fixture    *f,
                 const char *root)
{
  guint before = f->calls->len;

  run_for (f, WAIT_MS, before + 1);
  g_assert_cmpuint (f->calls->len, ==, before + 1);
  g_assert_cmpstr (f->calls->pdata[before], ==, root);
  run_for (f, SETTLE_MS, before + 2);
  g_assert_cmpuint (f->calls->len, ==, before + 1);
}

static void
expect_no_call (Fixture *f)
{
  guint before = f->calls->len;

  run_for (f, SETTLE_MS * 2, before + 1);
  g_assert_cmpuint (f->calls->len, ==, before);
}

static char *
make_root (Fixture *f)
{
  char *root = g_build_filename (f->dir, "watched", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (root, 0700), ==, 0);
  g_assert_true (docent_watcher_add (f->watcher, root, &error));
  g_assert_no_error (error);
  return root;
}

static void
write_text (const char *dir,
            const char *name,
            const char *text)
{
  g_autofree char *path = docent_test_write_file (dir, name, text, -1);
}

static void
test_new_file (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *root = make_root (f);
  g_auto(GStrv) roots = docent_watcher_get_roots (f->watcher);

  g_assert_cmpuint (g_strv_length (roots), ==, 1);
  g_assert_cmpstr (roots[0], ==, root);
  /* Several files at once are one burst. */
  write_text (root, "a.txt", "The first note.");
  write_text (root, "b.txt", "The second note.");
  expect_one_call (f, root);
}

static void
test_new_subfolder (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *root = make_root (f);
  g_autofree char *sub = g_build_filename (root, "reports", "2024", NULL);

  g_assert_cmpuint (docent_watcher_n_folders (f->watcher), ==, 1);
  write_text (root, "reports/2024/q1.txt", "Revenue rose in the first quarter.");
  expect_one_call (f, root);
  g_assert_cmpuint (docent_watcher_n_folders (f->watcher), ==, 3);
  /* The new folder is watched itself now. */
  write_text (sub, "q2.txt", "Revenue fell in the second quarter.");
  expect_one_call (f, root);
}

static void
test_existing_subfolder (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *root = g_build_filename (f->dir, "watched", NULL);
  g_autofree char *deep = g_build_filename (root, "a", "b", NULL);
  g_autoptr(GError) error = NULL;

  write_text (deep, "old.txt", "Written before the watch began.");
  g_assert_true (docent_watcher_add (f->watcher, root, &error));
  g_assert_no_error (error);
  g_assert_true (docent_watcher_add (f->watcher, root, &error));   /* again: no error */
  g_assert_cmpuint (docent_watcher_n_folders (f->watcher), ==, 3);
  write_text (deep, "new.txt", "Written while watched.");
  expect_one_call (f, root);
}

static void
test_deletion (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *root = make_root (f);
  g_autofree char *path = docent_test_write_file (root, "gone.txt", "Soon gone.", -1);
  g_autofree char *sub = g_build_filename (root, "sub", NULL);

  g_mkdir (sub, 0700);
  expect_one_call (f, root);
  g_assert_cmpint (g_unlink (path), ==, 0);
  expect_one_call (f, root);
  /* A folder removed: its monitor goes with it. */
  g_assert_cmpuint (docent_watcher_n_folders (f->watcher), ==, 2);
  g_assert_cmpint (g_rmdir (sub), ==, 0);
  expect_one_call (f, root);
  g_assert_cmpuint (docent_watcher_n_folders (f->watcher), ==, 1);
}

static void
test_hidden (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *root = g_build_filename (f->dir, "watched", NULL);
  g_autofree char *git = g_build_filename (root, ".git", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (git, 0700), ==, 0);
  g_assert_true (docent_watcher_add (f->watcher, root, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (docent_watcher_n_folders (f->watcher), ==, 1);
  write_text (root, ".notes.txt", "A hidden file.");
  write_text (git, "HEAD", "ref: refs/heads/main\n");
  write_text (root, ".cache/x/y.txt", "In a new hidden folder.");
  expect_no_call (f);
  g_assert_cmpuint (docent_watcher_n_folders (f->watcher), ==, 1);
}

static void
test_cap (Fixture       *f,
          gconstpointer  data)
{
  g_autofree char *root = g_build_filename (f->dir, "watched", NULL);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *name = g_strdup_printf ("d%u/file.txt", i);

      write_text (root, name, "Some text.");
    }
  docent_watcher_set_max_folders (f->watcher, 3);
  g_assert_true (docent_watcher_add (f->watcher, root, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (docent_watcher_n_folders (f->watcher), ==, 3);
  /* The root is always among them. */
  write_text (root, "top.txt", "At the top.");
  expect_one_call (f, root);
}

static void
test_not_a_folder (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *file = docent_test_write_file (f->dir, "plain.txt", "x", 1);
  g_autofree char *missing = g_build_filename (f->dir, "missing", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_false (docent_watcher_add (f->watcher, file, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY);
  g_clear_error (&error);
  g_assert_false (docent_watcher_add (f->watcher, missing, &error));
  g_assert_nonnull (error);
  g_assert_cmpuint (docent_watcher_n_folders (f->watcher), ==, 0);
}

/* Two roots: each callback names its own; a removed root is quiet. */
static void
test_two_roots (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *one = make_root (f);
  g_autofree char *two = g_build_filename (f->dir, "second", NULL);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) roots = NULL;

  write_text (two, "sub/a.txt", "The second root.");
  g_assert_true (docent_watcher_add (f->watcher, two, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (docent_watcher_n_folders (f->watcher), ==, 3);
  write_text (two, "b.txt", "Into the second root.");
  expect_one_call (f, two);
  write_text (one, "c.txt", "Into the first root.");
  expect_one_call (f, one);

  /* Removed with a callback pending: it never comes. */
  write_text (two, "d.txt", "Just before the second root goes.");
  run_for (f, 50, G_MAXUINT);
  docent_watcher_remove (f->watcher, two);
  g_assert_cmpuint (docent_watcher_n_folders (f->watcher), ==, 1);
  roots = docent_watcher_get_roots (f->watcher);
  g_assert_cmpuint (g_strv_length (roots), ==, 1);
  g_assert_cmpstr (roots[0], ==, one);
  write_text (two, "e.txt", "Nobody watches this.");
  expect_no_call (f);
}

static void
count_destroy (gpointer data)
{
  (*(guint *) data)++;
}

static void
fail_on_change (DocentWatcher *watcher,
                const char    *root,
                gpointer       user_data)
{
  g_assert_not_reached ();
}

/* Freed while a callback is pending: the timer goes with it. */
static void
test_free_pending (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *root = g_build_filename (f->dir, "watched", NULL);
  guint destroyed = 0;
  DocentWatcher *watcher = docent_watcher_new (fail_on_change, &destroyed, count_destroy);
  g_autoptr(GError) error = NULL;
  gboolean passed = FALSE;

  g_assert_cmpint (g_mkdir_with_parents (root, 0700), ==, 0);
  docent_watcher_set_debounce (watcher, 300);
  g_assert_true (docent_watcher_add (watcher, root, &error));
  g_assert_no_error (error);
  write_text (root, "pending.txt", "Written just before the end.");
  /* Let the events arrive (they start the timer), not the timer fire. */
  g_timeout_add (100, on_deadline, &passed);
  while (!passed)
    g_main_context_iteration (NULL, TRUE);
  docent_watcher_free (watcher);
  g_assert_cmpuint (destroyed, ==, 1);
  passed = FALSE;
  g_timeout_add (600, on_deadline, &passed);
  while (!passed)
    g_main_context_iteration (NULL, TRUE);
}

/* ---- docent_library_sync_folder -------------------------------------------- */

static const DocentAddResult *
result_for (GPtrArray  *results,
            const char *name)
{
  for (guint i = 0; i < results->len; i++)
    {
      const DocentAddResult *r = results->pdata[i];

      if (g_str_has_suffix (r->path, name))
        return r;
    }
  return NULL;
}

static void
sync_now (DocentLibrary  *library,
          const char     *folder,
          GPtrArray     **results,
          GStrv          *removed)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (docent_library_sync_folder (library, folder, NULL, results, removed, &error));
  g_assert_no_error (error);
}

static gint64
document_id (DocentLibrary *library,
             const char    *path)
{
  g_auto(DocentDocRecord) rec = { 0 };
  g_autoptr(GError) error = NULL;
  gboolean found = docent_store_find_by_path (docent_library_store (library), path, &rec, &error);

  g_assert_no_error (error);
  return found ? rec.id : 0;
}

static void
test_sync_folder (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *lib = g_build_filename (f->dir, "library", NULL);
  g_autofree char *docs = g_build_filename (f->dir, "docs", NULL);
  g_autofree char *outside = NULL;
  g_autofree char *keep = NULL;
  g_autofree char *gone = NULL;
  g_autofree char *moved = g_build_filename (docs, "sub", "renamed.txt", NULL);
  g_autofree char *moved_from = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentLibrary) library = docent_library_open (lib, &error);
  g_autoptr(GPtrArray) results = NULL;
  g_auto(GStrv) removed = NULL;
  gint64 keep_id, moved_id;

  g_assert_no_error (error);
  keep = docent_test_write_file (docs, "keep.txt", "The lease of flat 3 runs for two years.", -1);
  gone = docent_test_write_file (docs, "gone.txt", "The boiler was serviced in March.", -1);
  moved_from = docent_test_write_file (docs, "sub/moved.txt", "Rent is due on the first day.", -1);
  /* Not under the folder: a sync of it never removes this one. */
  outside = docent_test_write_file (f->dir, "other/outside.txt", "Parking is free on Sundays.", -1);
  {
    const char *paths[] = { outside, NULL };
    g_autoptr(GPtrArray) added = NULL;

    g_assert_true (docent_library_add (library, paths, NULL, &added, &error));
    g_assert_no_error (error);
  }

  sync_now (library, docs, &results, &removed);
  g_assert_cmpuint (results->len, ==, 3);
  g_assert_cmpint (result_for (results, "keep.txt")->outcome, ==, DOCENT_ADD_ADDED);
  g_assert_cmpuint (g_strv_length (removed), ==, 0);
  keep_id = document_id (library, keep);
  moved_id = document_id (library, moved_from);
  g_assert_cmpint (keep_id, >, 0);
  g_clear_pointer (&results, g_ptr_array_unref);
  g_clear_pointer (&removed, g_strfreev);

  /* A new file, a deleted one, a renamed one. */
  g_free (docent_test_write_file (docs, "new.txt", "The window in the kitchen sticks.", -1));
  g_assert_cmpint (g_unlink (gone), ==, 0);
  g_assert_cmpint (g_rename (moved_from, moved), ==, 0);
  sync_now (library, docs, &results, &removed);
  g_assert_cmpint (result_for (results, "new.txt")->outcome, ==, DOCENT_ADD_ADDED);
  g_assert_cmpint (result_for (results, "keep.txt")->outcome, ==, DOCENT_ADD_UNCHANGED);
  g_assert_null (result_for (results, "gone.txt"));
  g_assert_cmpuint (g_strv_length (removed), ==, 1);
  g_assert_cmpstr (removed[0], ==, gone);
  g_assert_cmpint (document_id (library, gone), ==, 0);
  g_assert_cmpint (document_id (library, keep), ==, keep_id);
  g_assert_cmpint (document_id (library, moved), ==, moved_id);
  g_assert_cmpint (document_id (library, moved_from), ==, 0);
  g_assert_cmpint (document_id (library, outside), >, 0);
  g_clear_pointer (&results, g_ptr_array_unref);
  g_clear_pointer (&removed, g_strfreev);

  /* Nothing changed: nothing happens. */
  sync_now (library, docs, &results, &removed);
  for (guint i = 0; i < results->len; i++)
    g_assert_cmpint (((DocentAddResult *) results->pdata[i])->outcome, ==, DOCENT_ADD_UNCHANGED);
  g_assert_cmpuint (g_strv_length (removed), ==, 0);

  /* The whole folder gone (a disk not mounted): its documents stay. */
  docent_test_rm_rf (docs);
  g_assert_false (docent_library_sync_folder (library, docs, NULL, NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_cmpint (document_id (library, keep), ==, keep_id);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/watcher/new-file", test_new_file);
  ADD ("/watcher/new-subfolder", test_new_subfolder);
  ADD ("/watcher/existing-subfolder", test_existing_subfolder);
  ADD ("/watcher/deletion", test_deletion);
  ADD ("/watcher/hidden", test_hidden);
  ADD ("/watcher/cap", test_cap);
  ADD ("/watcher/not-a-folder", test_not_a_folder);
  ADD ("/watcher/two-roots", test_two_roots);
  ADD ("/watcher/free-pending", test_free_pending);
  ADD ("/watcher/sync-folder", test_sync_folder);
#undef ADD
  return g_test_run ();
}
