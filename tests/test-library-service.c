/* test-library-service.c — DocentLibraryService without a display: jobs on
 * the writer lane report progress and "changed" on the main context, the
 * reader lane answers while the writer works, documents are re-indexed,
 * moved and removed, answers stream in order, cancelled jobs keep what was
 * finished, and shutdown closes cleanly; a watched folder's documents
 * follow the folder (start-up sync, files written and deleted while
 * running, watching stopped by the settings). Runs with leak checks on. */
#include <string.h>

#include <glib/gstdio.h>

#include "app/settings.h"
#include "tests/fixtures.h"
#include "tests/pdfgen.h"
#include "ui/library-service.h"

typedef struct {
  char *dir;
  char *docs;
  char *outside;    /* watched folders: not in the library folder */
  DocentLibraryService *service;
  GAsyncResult *result;
  guint changed;
  guint files_done;
  guint busy_notifies;
  GString *streamed;
} Fixture;

static void
on_changed (DocentLibraryService *service,
            Fixture              *f)
{
  f->changed++;
}

static void
on_file_done (DocentLibraryService  *service,
              const DocentAddResult *result,
              Fixture               *f)
{
  g_assert_nonnull (result->path);
  f->files_done++;
}

static void
on_busy (GObject    *object,
         GParamSpec *pspec,
         Fixture    *f)
{
  f->busy_notifies++;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->dir = docent_test_tmpdir ();
  f->docs = g_build_filename (f->dir, "docs", NULL);
  f->service = docent_library_service_new (f->dir);
  f->streamed = g_string_new (NULL);
  g_signal_connect (f->service, "changed", G_CALLBACK (on_changed), f);
  g_signal_connect (f->service, "file-done", G_CALLBACK (on_file_done), f);
  g_signal_connect (f->service, "notify::busy", G_CALLBACK (on_busy), f);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  docent_library_service_shutdown (f->service);
  g_clear_object (&f->service);
  g_clear_object (&f->result);
  g_string_free (f->streamed, TRUE);
  docent_test_rm_rf (f->dir);
  if (f->outside != NULL)
    docent_test_rm_rf (f->outside);
  g_free (f->outside);
  g_free (f->docs);
  g_free (f->dir);
}

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Fixture *f = user_data;

  g_assert_null (f->result);
  f->result = g_object_ref (result);
}

static GAsyncResult *
wait_result (Fixture *f)
{
  gint64 deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;

  while (f->result == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  return f->result;
}

/* The "changed" after a job comes when the reader lane has caught up. */
static void
wait_changed (Fixture *f,
              guint    count)
{
  while (f->changed < count)
    g_main_context_iteration (NULL, TRUE);
}

static char *
write_pdf (Fixture    *f,
           const char *name,
           const char *title,
           const char *text)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (f->docs, name, NULL);
  const char *pages[] = { text };

  g_mkdir_with_parents (f->docs, 0700);
  g_assert_true (docent_test_write_pdf (path, title, pages, 1, &error));
  g_assert_no_error (error);
  return path;
}

static GPtrArray *
add_and_wait (Fixture    *f,
              const char *path,
              const char *collection)
{
  g_autoptr(GError) error = NULL;
  const char *paths[] = { path, NULL };
  GPtrArray *results;

  docent_library_service_add_async (f->service, paths, collection, NULL, on_done, f);
  g_assert_true (docent_library_service_get_busy (f->service));
  results = docent_library_service_add_finish (f->service, wait_result (f), &error);
  g_clear_object (&f->result);
  g_assert_no_error (error);
  return results;
}

static GPtrArray *
list_documents (Fixture    *f,
                const char *collection)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *docs;

  docent_library_service_list_documents_async (f->service, collection, NULL, on_done, f);
  docs = docent_library_service_list_documents_finish (f->service, wait_result (f), &error);
  g_clear_object (&f->result);
  g_assert_no_error (error);
  return docs;
}

static void
finish_job (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (docent_library_service_job_finish (f->service, wait_result (f), &error));
  g_assert_no_error (error);
  g_clear_object (&f->result);
}

static void
test_add_list_move_remove (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *lease = write_pdf (f, "lease.pdf", "Lease",
                                      "The deposit is 900 euros and the rent is 450 euros.");
  g_autofree char *kettle = write_pdf (f, "kettle.pdf", "Kettle",
                                       "Descale the kettle every four weeks.");
  g_autoptr(GPtrArray) results = add_and_wait (f, f->docs, "Home");
  g_autoptr(GPtrArray) docs = NULL;
  g_autoptr(GPtrArray) home = NULL;
  gint64 ids[2];

  g_assert_cmpuint (results->len, ==, 2);
  g_assert_cmpuint (f->files_done, ==, 2);
  g_assert_false (docent_library_service_get_busy (f->service));
  g_assert_cmpuint (f->busy_notifies, ==, 2);
  g_assert_null (docent_library_service_get_status (f->service));
  wait_changed (f, 1);

  docs = list_documents (f, NULL);
  g_assert_cmpuint (docs->len, ==, 2);
  for (guint i = 0; i < 2; i++)
    ids[i] = ((DocentDocRecord *) docs->pdata[i])->id;

  /* Move the first out of "Home", then remove the second. */
  docent_library_service_move_async (f->service, ids, 1, "Work", NULL, on_done, f);
  finish_job (f);
  wait_changed (f, 2);
  home = list_documents (f, "Home");
  g_assert_cmpuint (home->len, ==, 1);
  g_assert_cmpint (((DocentDocRecord *) home->pdata[0])->id, ==, ids[1]);

  docent_library_service_remove_async (f->service, ids + 1, 1, NULL, on_done, f);
  finish_job (f);
  wait_changed (f, 3);
  g_clear_pointer (&docs, g_ptr_array_unref);
  docs = list_documents (f, NULL);
  g_assert_cmpuint (docs->len, ==, 1);
  g_assert_cmpint (((DocentDocRecord *) docs->pdata[0])->id, ==, ids[0]);
}

static void
test_reindex_keeps_collection (Fixture       *f,
                               gconstpointer  data)
{
  g_autofree char *lease = write_pdf (f, "lease.pdf", "Lease", "The deposit is 900 euros.");
  g_autoptr(GPtrArray) results = add_and_wait (f, lease, "Home");
  g_autoptr(GPtrArray) again = NULL;
  g_autoptr(GPtrArray) home = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id = ((DocentAddResult *) results->pdata[0])->document_id;

  docent_library_service_reindex_async (f->service, &id, 1, NULL, on_done, f);
  again = docent_library_service_add_finish (f->service, wait_result (f), &error);
  g_clear_object (&f->result);
  g_assert_no_error (error);
  g_assert_cmpuint (again->len, ==, 1);
  /* Read again in place: the same document, still in its collection. */
  g_assert_cmpint (((DocentAddResult *) again->pdata[0])->outcome, ==, DOCENT_ADD_UPDATED);
  g_assert_cmpint (((DocentAddResult *) again->pdata[0])->document_id, ==, id);
  home = list_documents (f, "Home");
  g_assert_cmpuint (home->len, ==, 1);
  g_assert_cmpstr (((DocentDocRecord *) home->pdata[0])->path, ==, lease);
  g_assert_cmpint (((DocentDocRecord *) home->pdata[0])->id, ==, id);

  /* A file that is gone fails, and its document stays. */
  g_assert_cmpint (g_unlink (lease), ==, 0);
  g_clear_pointer (&again, g_ptr_array_unref);
  docent_library_service_reindex_async (f->service, &id, 1, NULL, on_done, f);
  again = docent_library_service_add_finish (f->service, wait_result (f), &error);
  g_clear_object (&f->result);
  g_assert_no_error (error);
  g_assert_cmpint (((DocentAddResult *) again->pdata[0])->outcome, ==, DOCENT_ADD_FAILED);
  g_assert_cmpstr (((DocentAddResult *) again->pdata[0])->error, ==, "the file is no longer there");
  g_clear_pointer (&home, g_ptr_array_unref);
  home = list_documents (f, "Home");
  g_assert_cmpuint (home->len, ==, 1);
}

static void
on_text (const char *text,
         gpointer    user_data)
{
  Fixture *f = user_data;

  /* Text arrives on the main thread, before the answer is returned. */
  g_assert_true (g_main_context_is_owner (g_main_context_default ()));
  g_assert_null (f->result);
  g_string_append (f->streamed, text);
}

static void
test_ask_streams_and_page_view (Fixture       *f,
                                gconstpointer  data)
{
  g_autofree char *lease = write_pdf (f, "lease.pdf", "Lease",
                                      "The security deposit is 900 euros. The rent is 450 euros.");
  g_autoptr(GPtrArray) results = add_and_wait (f, lease, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentPageView) view = NULL;
  DocentAskOptions opts = { 0 };
  DocentAnswer *answer;
  DocentCitation *c;
  DocentPageRequest request = { 0 };
  gint64 conversation = 0;

  opts.question = "How much is the security deposit?";
  opts.extractive = TRUE;
  docent_library_service_ask_async (f->service, &opts, on_text, f, NULL, on_done, f);
  answer = docent_library_service_ask_finish (f->service, wait_result (f), &conversation, &error);
  g_clear_object (&f->result);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (answer->answer, "900"));
  g_assert_cmpint (conversation, >, 0);
  g_assert_cmpuint (answer->citations->len, >=, 1);
  c = answer->citations->pdata[0];

  request.document_id = c->document_id;
  request.page_no = c->page_start;
  request.quote = c->quote;
  docent_library_service_page_view_async (f->service, &request, NULL, on_done, f);
  view = docent_library_service_page_view_finish (f->service, wait_result (f), &error);
  g_clear_object (&f->result);
  g_assert_no_error (error);
  g_assert_true (view->highlighted);
  g_assert_cmpuint (view->rects->len, >, 0);
  docent_answer_free (answer);
}

static void
test_cancel_keeps_finished (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GPtrArray) docs = NULL;
  const char *paths[] = { NULL, NULL };

  for (guint i = 0; i < 40; i++)
    {
      g_autofree char *name = g_strdup_printf ("doc-%02u.pdf", i);
      g_autofree char *text = docent_test_prose (i + 1, 300);
      g_autofree char *path = write_pdf (f, name, name, text);
    }
  paths[0] = f->docs;
  docent_library_service_add_async (f->service, paths, NULL, NULL, on_done, f);
  while (f->files_done < 3)
    g_main_context_iteration (NULL, TRUE);
  docent_library_service_cancel_jobs (f->service);
  results = docent_library_service_add_finish (f->service, wait_result (f), &error);
  g_clear_object (&f->result);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (results);
  g_assert_false (docent_library_service_get_busy (f->service));

  docs = list_documents (f, NULL);
  g_assert_cmpuint (docs->len, >=, 3);
  g_assert_cmpuint (docs->len, <, 40);
}

static void
test_unusable_folder (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *file = docent_test_write_file (f->dir, "plain-file", "x", 1);
  g_autoptr(DocentLibraryService) broken = docent_library_service_new (file);
  GPtrArray *docs;

  docent_library_service_list_documents_async (broken, NULL, NULL, on_done, f);
  docs = docent_library_service_list_documents_finish (broken, wait_result (f), &error);
  g_clear_object (&f->result);
  g_assert_null (docs);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "plain-file"));
  docent_library_service_shutdown (broken);
}

/* ---- watched folders ------------------------------------------------------- */

#define WATCH_DEBOUNCE_MS 100

static void
save_watched (const char        *dir,
              const char *const *folders)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentSettings) settings = docent_settings_load (dir, &error);

  g_assert_no_error (error);
  g_assert_true (docent_settings_set_watched_folders (settings, folders, &error));
  g_assert_no_error (error);
  g_assert_true (docent_settings_save (settings, &error));
  g_assert_no_error (error);
}

/* The documents are written outside the library folder, which cannot be
 * watched. */
static void
use_outside_docs (Fixture *f)
{
  f->outside = docent_test_tmpdir ();
  g_free (f->docs);
  f->docs = g_build_filename (f->outside, "docs", NULL);
}

static guint
count_documents (Fixture              *f,
                 DocentLibraryService *service)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) docs = NULL;

  docent_library_service_list_documents_async (service, NULL, NULL, on_done, f);
  docs = docent_library_service_list_documents_finish (service, wait_result (f), &error);
  g_clear_object (&f->result);
  g_assert_no_error (error);
  return docs->len;
}

static gboolean
on_tick (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
run_for (guint ms)
{
  gboolean passed = FALSE;

  g_timeout_add (ms, on_tick, &passed);
  while (!passed)
    g_main_context_iteration (NULL, TRUE);
}

/* Waits (without any call but listing) until the library holds `n`
 * documents. */
static void
wait_documents (Fixture              *f,
                DocentLibraryService *service,
                guint                 n)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (count_documents (f, service) != n)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      run_for (50);
    }
}

static guint
n_watched (DocentLibraryService *service)
{
  g_auto(GStrv) folders = docent_library_service_get_watched_folders (service);

  return g_strv_length (folders);
}

static void
wait_watched (DocentLibraryService *service,
              guint                 n)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (n_watched (service) != n)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      run_for (20);
    }
}

static void
test_watched_folder (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *third = NULL;
  const char *folders[] = { NULL, NULL };
  guint changed;

  use_outside_docs (f);
  folders[0] = f->docs;
  first = write_pdf (f, "first.pdf", "First", "The garden gate needs a new hinge before winter.");

  /* The preferences saved a folder: its files are added at once. */
  docent_library_service_set_watch_debounce (f->service, WATCH_DEBOUNCE_MS);
  save_watched (f->dir, folders);
  docent_library_service_settings_changed (f->service);
  wait_watched (f->service, 1);
  {
    g_auto(GStrv) watched = docent_library_service_get_watched_folders (f->service);

    g_assert_cmpstr (watched[0], ==, f->docs);
  }
  wait_documents (f, f->service, 1);

  /* A file written into it appears without any call. */
  changed = f->changed;
  second = write_pdf (f, "second.pdf", "Second",
                      "The boiler pressure should stay between one and two bar.");
  wait_documents (f, f->service, 2);
  /* The list may see the new row before the reader lane caught up. */
  wait_changed (f, changed + 1);

  /* A file deleted: its document goes. */
  g_assert_cmpint (g_unlink (first), ==, 0);
  wait_documents (f, f->service, 1);

  /* Another folder added: synced at once, the first one kept. */
  {
    g_autofree char *more = g_build_filename (f->outside, "more", NULL);
    const char *both[] = { f->docs, more, NULL };

    g_free (docent_test_write_file (more, "note.txt", "The hedge is trimmed in October.", -1));
    save_watched (f->dir, both);
    docent_library_service_settings_changed (f->service);
    wait_watched (f->service, 2);
    wait_documents (f, f->service, 2);
  }

  /* No folders any more: nothing is watched. */
  save_watched (f->dir, NULL);
  docent_library_service_settings_changed (f->service);
  wait_watched (f->service, 0);
  third = write_pdf (f, "third.pdf", "Third", "The recycling goes out on Tuesdays.");
  run_for (WATCH_DEBOUNCE_MS * 5);
  while (docent_library_service_get_busy (f->service))
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (count_documents (f, f->service), ==, 2);
}

/* What changed while Docent was closed is found at the next start. */
static void
test_watched_startup_sync (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  const char *folders[] = { NULL, NULL };
  DocentLibraryService *service;

  use_outside_docs (f);
  folders[0] = f->docs;
  first = write_pdf (f, "first.pdf", "First", "The smoke alarm battery was changed in May.");
  second = write_pdf (f, "second.pdf", "Second", "The car is due for its inspection in June.");

  save_watched (f->dir, folders);
  service = docent_library_service_new (f->dir);
  wait_documents (f, service, 2);
  docent_library_service_shutdown (service);
  g_object_unref (service);

  g_assert_cmpint (g_unlink (second), ==, 0);
  service = docent_library_service_new (f->dir);
  wait_documents (f, service, 1);
  wait_watched (service, 1);
  docent_library_service_shutdown (service);
  g_assert_cmpuint (n_watched (service), ==, 0);
  g_object_unref (service);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(name, func) \
  g_test_add ("/library-service/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("add-list-move-remove", test_add_list_move_remove);
  ADD ("reindex-keeps-collection", test_reindex_keeps_collection);
  ADD ("ask-streams-and-page-view", test_ask_streams_and_page_view);
  ADD ("cancel-keeps-finished", test_cancel_keeps_finished);
  ADD ("unusable-folder", test_unusable_folder);
  ADD ("watched-folder", test_watched_folder);
  ADD ("watched-startup-sync", test_watched_startup_sync);
#undef ADD
  return g_test_run ();
}
