/* test-ui.c — the desktop app end to end, the way a new user meets it: the
 * welcome page, documents added through the same action as the buttons
 * and drag and drop, indexing, a question answered with citation chips, a
 * citation opening the viewer on the right page with the passage
 * highlighted, passage search, and the application object itself (actions,
 * accelerators, the shortcuts window). Screenshots of each state are saved in
 * the build folder (ui-*.png) for people to look at.
 * Run under Xvfb by run-ui-test.sh; skipped when there is no display. */
#include "tests/fixtures.h"
#include "tests/pdfgen.h"
#include "tests/ui-fixtures.h"
#include "ui/application.h"
#include "ui/window.h"

#define WAIT_SECONDS 120

typedef gboolean (*Condition) (DocentWindow *window);

static void
wait_for (DocentWindow *window,
          Condition     done,
          const char   *what)
{
  docent_test_ui_wait ((DocentTestCondition) done, window, WAIT_SECONDS, what);
}

static void
screenshot (DocentWindow *window,
            const char   *name)
{
  g_autofree char *file = g_strdup_printf ("ui-%s.png", name);

  docent_test_ui_screenshot (GTK_WIDGET (window), file);
}

static gboolean
shows_welcome (DocentWindow *window)
{
  return g_strcmp0 (docent_window_get_page (window), "welcome") == 0 &&
         g_strcmp0 (docent_window_get_headline (window), "Welcome to Docent") == 0;
}

static gboolean
indexed_two (DocentWindow *window)
{
  return !docent_library_service_get_busy (docent_window_get_service (window)) &&
         docent_library_sidebar_get_n_documents (docent_window_get_sidebar (window)) == 2 &&
         g_strcmp0 (docent_window_get_page (window), "ask") == 0;
}

static gboolean
answered (DocentWindow *window)
{
  DocentConversationView *view = docent_window_get_conversation_view (window);
  const char *answer = docent_conversation_view_get_last_answer (view);

  return !docent_conversation_view_get_busy (view) && answer != NULL && *answer != '\0';
}

static gboolean
viewer_settled (DocentWindow *window)
{
  return docent_window_get_pending_views (window) == 0 && docent_window_get_viewer_visible (window);
}

static gboolean
searched (DocentWindow *window)
{
  return docent_search_view_get_n_results (docent_window_get_search_view (window)) > 0;
}

static const char *const lease_pages[] = {
  "# Residential Lease\n\nThis lease is made between Alma Ferreira, the landlord, and "
  "Jonas Pike, the tenant, for the flat at 14 Quarry Lane.\n\nThe term is twelve months "
  "starting on the first of March.",
  "# Rent and Deposit\n\nThe monthly rent is 1,250 euros, due on the fifth day of each "
  "month.\n\nThe security deposit is 2,500 euros and is returned within thirty days after "
  "the tenant moves out, less the cost of any damage.",
};

static const char *const manual_pages[] = {
  "# Kettle Manual\n\nFill the kettle to the MAX line and press the switch. The light "
  "turns off when the water boils.\n\nDescale the kettle every four weeks with citric "
  "acid in hard water areas.",
};

static char **
write_documents (const char *dir)
{
  g_autoptr(GError) error = NULL;
  char **paths = g_new0 (char *, 3);

  paths[0] = g_build_filename (dir, "lease.pdf", NULL);
  paths[1] = g_build_filename (dir, "kettle.pdf", NULL);
  g_assert_true (docent_test_write_pdf (paths[0], "Residential Lease", lease_pages,
                                        G_N_ELEMENTS (lease_pages), &error));
  g_assert_true (docent_test_write_pdf (paths[1], "Kettle Manual", manual_pages,
                                        G_N_ELEMENTS (manual_pages), &error));
  g_assert_no_error (error);
  return paths;
}

static void
test_first_run_to_highlighted_citation (void)
{
  g_autofree char *dir = docent_test_tmpdir ();
  g_autofree char *library_dir = g_build_filename (dir, "library", NULL);
  g_auto(GStrv) paths = write_documents (dir);
  g_autoptr(DocentLibraryService) service = docent_library_service_new (library_dir);
  DocentWindow *window = docent_window_new (NULL, service);
  DocentConversationView *conversation = docent_window_get_conversation_view (window);
  DocentSourceViewer *viewer = docent_window_get_source_viewer (window);
  const char *answer;

  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_present (GTK_WINDOW (window));
  wait_for (window, shows_welcome, "the welcome page");
  screenshot (window, "welcome");

  gtk_widget_activate_action (GTK_WIDGET (window), "win.add-paths", "^as", paths);
  wait_for (window, indexed_two, "two documents indexed");
  screenshot (window, "library");

  gtk_widget_activate_action (GTK_WIDGET (window), "win.ask", "s",
                              "How much is the security deposit?");
  wait_for (window, answered, "an answer");
  answer = docent_conversation_view_get_last_answer (conversation);
  g_test_message ("answer: %s", answer);
  g_assert_nonnull (strstr (answer, "2,500"));
  g_assert_cmpuint (docent_conversation_view_get_n_chips (conversation), >=, 1);
  screenshot (window, "answer");

  g_assert_true (docent_conversation_view_activate_citation (conversation, 1));
  wait_for (window, viewer_settled, "the cited page");
  g_assert_cmpuint (docent_source_viewer_get_page (viewer), ==, 2);
  g_assert_cmpuint (docent_source_viewer_get_n_highlights (viewer), >, 0);
  screenshot (window, "citation");

  gtk_widget_activate_action (GTK_WIDGET (window), "win.search", NULL);
  g_assert_cmpstr (docent_window_get_page (window), ==, "search");
  docent_search_view_search (docent_window_get_search_view (window), "descale");
  wait_for (window, searched, "search results");
  g_assert_true (docent_search_view_activate_result (docent_window_get_search_view (window), 0));
  wait_for (window, viewer_settled, "the found page");
  g_assert_cmpuint (docent_source_viewer_get_page (viewer), ==, 1);
  g_assert_cmpuint (docent_source_viewer_get_n_highlights (viewer), >, 0);
  screenshot (window, "search");

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_DARK);
  wait_for (window, viewer_settled, "the dark style");
  screenshot (window, "dark");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);

  gtk_window_destroy (GTK_WINDOW (window));
  docent_library_service_shutdown (service);
  docent_test_rm_rf (dir);
}

static gboolean
indexed_samples (DocentWindow *window)
{
  return !docent_library_service_get_busy (docent_window_get_service (window)) &&
         docent_library_sidebar_get_n_documents (docent_window_get_sidebar (window)) == 3;
}

/* "Try the Sample Library": the sample PDFs are written into the library
 * folder, indexed into the "Samples" collection and answer questions. */
static void
test_sample_library (void)
{
  g_autofree char *dir = docent_test_tmpdir ();
  g_autoptr(DocentLibraryService) service = docent_library_service_new (dir);
  DocentWindow *window = docent_window_new (NULL, service);
  DocentConversationView *conversation = docent_window_get_conversation_view (window);
  g_autofree char *folder = g_build_filename (dir, "Samples", NULL);
  const char *answer;

  gtk_window_present (GTK_WINDOW (window));
  wait_for (window, shows_welcome, "the welcome page");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.add-samples", NULL);
  wait_for (window, indexed_samples, "the sample library");
  g_assert_true (g_file_test (folder, G_FILE_TEST_IS_DIR));
  g_assert_cmpstr (docent_window_get_page (window), ==, "ask");

  gtk_widget_activate_action (GTK_WIDGET (window), "win.ask", "s", "How much is the deposit?");
  wait_for (window, answered, "an answer from the samples");
  answer = docent_conversation_view_get_last_answer (conversation);
  g_test_message ("answer: %s", answer);
  g_assert_nonnull (strstr (answer, "1,800"));
  g_assert_cmpuint (docent_conversation_view_get_n_chips (conversation), >=, 1);
  screenshot (window, "samples");

  gtk_window_destroy (GTK_WINDOW (window));
  docent_library_service_shutdown (service);
  docent_test_rm_rf (dir);
}

static gboolean
shows_error (DocentWindow *window)
{
  return g_strcmp0 (docent_window_get_headline (window), "The Library Cannot Be Opened") == 0;
}

static void
test_unusable_library (void)
{
  g_autofree char *dir = docent_test_tmpdir ();
  g_autofree char *file = docent_test_write_file (dir, "not-a-folder", "x", 1);
  g_autoptr(DocentLibraryService) service = docent_library_service_new (file);
  DocentWindow *window = docent_window_new (NULL, service);

  gtk_window_present (GTK_WINDOW (window));
  wait_for (window, shows_error, "the error page");
  gtk_window_destroy (GTK_WINDOW (window));
  docent_library_service_shutdown (service);
  docent_test_rm_rf (dir);
}

/* ---- the application ------------------------------------------------------ */

typedef struct {
  GtkWindow *window;
  gboolean checked;
} AppRun;

static gboolean
window_ready (gpointer data)
{
  AppRun *run = data;

  return run->window != NULL && gtk_widget_get_mapped (GTK_WIDGET (run->window)) &&
         g_strcmp0 (docent_window_get_page (DOCENT_WINDOW (run->window)), "welcome") == 0;
}

static void
check_running_app (GApplication *app,
                   AppRun       *run)
{
  GtkApplication *gtk_app = GTK_APPLICATION (app);
  g_auto(GStrv) quit = gtk_application_get_accels_for_action (gtk_app, "app.quit");
  g_auto(GStrv) prefs = gtk_application_get_accels_for_action (gtk_app, "app.preferences");

  run->window = gtk_application_get_active_window (gtk_app);
  g_assert_true (DOCENT_IS_WINDOW (run->window));
  docent_test_ui_wait (window_ready, run, WAIT_SECONDS, "the application's window");
  /* GtkApplication found the shortcuts window in the resources. */
  g_assert_nonnull (gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (run->window)));
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), "preferences"));
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), "about"));
  g_assert_cmpstr (quit[0], ==, "<Control>q");
  g_assert_cmpstr (prefs[0], ==, "<Control>comma");
  run->checked = TRUE;
  g_application_quit (app);
}

/* The real program's object: --library, the window on activate, its
 * actions and accelerators, the shortcuts window, and a clean shutdown. */
static void
test_application (void)
{
  g_autofree char *dir = docent_test_tmpdir ();
  g_autoptr(DocentApplication) app = docent_application_new ();
  char *argv[] = { (char *) "docent", (char *) "--library", dir, NULL };
  AppRun run = { 0 };

  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_signal_connect_after (app, "activate", G_CALLBACK (check_running_app), &run);
  g_assert_cmpint (g_application_run (G_APPLICATION (app), 3, argv), ==, 0);
  g_assert_true (run.checked);
  g_assert_true (g_file_test (dir, G_FILE_TEST_IS_DIR));
  docent_test_rm_rf (dir);
}

int
main (int argc, char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  g_test_add_func ("/ui/window/first-run-to-highlighted-citation",
                   test_first_run_to_highlighted_citation);
  g_test_add_func ("/ui/window/sample-library", test_sample_library);
  g_test_add_func ("/ui/window/unusable-library", test_unusable_library);
  g_test_add_func ("/ui/application", test_application);
  return g_test_run ();
}
