/* test-ui.c — the desktop window opens on a library and says what it holds.
 * Run under Xvfb by run-ui-test.sh; skipped when there is no display. */
#include "tests/fixtures.h"
#include "ui/window.h"

static void
test_window_empty_library (void)
{
  g_autofree char *dir = docent_test_tmpdir ();
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentLibrary) library = docent_library_open (dir, &error);
  DocentWindow *window;

  g_assert_no_error (error);
  window = docent_window_new (NULL, library);
  gtk_window_present (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));
  g_assert_cmpstr (docent_window_get_headline (window), ==, "Welcome to Docent");
  gtk_window_destroy (GTK_WINDOW (window));
  docent_test_rm_rf (dir);
}

static void
test_window_no_library (void)
{
  DocentWindow *window = docent_window_new (NULL, NULL);

  g_assert_cmpstr (docent_window_get_headline (window), ==, "The library could not be opened");
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int argc, char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  g_test_add_func ("/ui/window/empty-library", test_window_empty_library);
  g_test_add_func ("/ui/window/no-library", test_window_no_library);
  return g_test_run ();
}
