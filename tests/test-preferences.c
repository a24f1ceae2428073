/* test-preferences.c — the preferences window on a temporary library: the
 * registered model's row says what the file is, changes made through the
 * widgets reach docent.ini (off the main thread, after the main loop
 * settles), a model file is added in the background with the spinner row
 * showing meanwhile, a bad server URL is refused where it was typed, the
 * watched folders are listed from docent.ini, added and removed, and
 * the window is painted to preferences-*.png in the build folder. Run
 * under Xvfb by run-ui-test.sh; skipped when there is no display. */
#include <string.h>

#include <glib/gstdio.h>

#include "app/settings.h"
#include "engine/gguf-writer.h"
#include "tests/fixtures.h"
#include "tests/ui-fixtures.h"
#include "ui/preferences-window.h"

#define WAIT_SECONDS 30

typedef gboolean (*Condition) (gpointer data);

/* Runs the main loop until `done` holds; fails after WAIT_SECONDS. */
static void
wait_until (Condition done,
            gpointer  data)
{
  gint64 end = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;

  while (!done (data))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (2000);
    }
}

/* A model file with the metadata registering reads (no weights). */
static char *
write_model (const char *dir,
             const char *file,
             const char *arch,
             guint32     file_type)
{
  g_autoptr(DocentGgufWriter) writer = docent_gguf_writer_new ();
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, file, NULL);
  char key[64];

  docent_gguf_writer_add_string (writer, "general.architecture", arch);
  docent_gguf_writer_add_u32 (writer, "general.file_type", file_type);
  g_snprintf (key, sizeof key, "%s.context_length", arch);
  docent_gguf_writer_add_u32 (writer, key, 2048);
  g_snprintf (key, sizeof key, "%s.embedding_length", arch);
  docent_gguf_writer_add_u32 (writer, key, 64);
  g_assert_true (docent_gguf_writer_write_file (writer, path, &error));
  g_assert_no_error (error);
  return path;
}

/* ---- finding widgets ------------------------------------------------------- */

static GtkWidget *
find_row (GtkWidget  *widget,
          GType       type,
          const char *title)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type) &&
      g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_row (child, type, title);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
find_descendant (GtkWidget *widget,
                 GType      type)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = G_TYPE_CHECK_INSTANCE_TYPE (child, type) ? child
                                                                  : find_descendant (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* ---- the fixture ------------------------------------------------------------ */

typedef struct {
  char *dir;
  char *library;
  char *ini;
  char *models;
  DocentLibraryService *service;
  DocentPreferencesWindow *window;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentSettings) settings = NULL;
  g_autofree char *chat = NULL;
  const DocentModelEntry *entry;

  f->dir = docent_test_tmpdir ();
  f->library = g_build_filename (f->dir, "library", NULL);
  f->models = g_build_filename (f->dir, "models", NULL);
  f->ini = g_build_filename (f->library, "docent.ini", NULL);
  g_assert_cmpint (g_mkdir_with_parents (f->models, 0700), ==, 0);
  chat = write_model (f->models, "tiny-qwen2.gguf", "qwen2", 7);
  settings = docent_settings_load (f->library, &error);
  g_assert_no_error (error);
  entry = docent_settings_add_model (settings, chat, &error);
  g_assert_no_error (error);
  g_assert_true (docent_settings_use (settings, entry->role, entry->id, &error));
  g_assert_true (docent_settings_save (settings, &error));
  g_assert_no_error (error);

  f->service = docent_library_service_new (f->library);
  f->window = docent_preferences_window_new (NULL, f->service);
  gtk_window_present (GTK_WINDOW (f->window));
}

static gboolean
no_edits_left (gpointer data)
{
  return GPOINTER_TO_INT (g_object_get_data (G_OBJECT (data), "finalized"));
}

static void
mark_finalized (gpointer  data,
                GObject  *where)
{
  g_object_set_data (G_OBJECT (data), "finalized", GINT_TO_POINTER (TRUE));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  /* The window lives until its last edit finished (each holds it). */
  g_autoptr(GObject) flag = g_object_new (G_TYPE_OBJECT, NULL);

  g_object_weak_ref (G_OBJECT (f->window), mark_finalized, flag);
  gtk_window_destroy (GTK_WINDOW (f->window));
  wait_until (no_edits_left, flag);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_object_unref (f->service);
  docent_test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->library);
  g_free (f->models);
  g_free (f->ini);
}

typedef struct {
  Fixture *f;
  const char *text;
} IniWait;

static gboolean
ini_contains (gpointer data)
{
  IniWait *w = data;
  g_autofree char *text = NULL;

  return g_file_get_contents (w->f->ini, &text, NULL, NULL) && strstr (text, w->text) != NULL;
}

static void
wait_for_ini (Fixture    *f,
              const char *text)
{
  IniWait w = { f, text };

  wait_until (ini_contains, &w);
}

static gboolean
ini_lacks (gpointer data)
{
  return !ini_contains (data);
}

static void
wait_for_ini_without (Fixture    *f,
                      const char *text)
{
  IniWait w = { f, text };

  wait_until (ini_lacks, &w);
}

typedef struct {
  Fixture *f;
  const char *title;
} RowWait;

static gboolean
row_shown (gpointer data)
{
  RowWait *w = data;

  return find_row (GTK_WIDGET (w->f->window), ADW_TYPE_ACTION_ROW, w->title) != NULL;
}

static AdwActionRow *
wait_for_row (Fixture    *f,
              const char *title)
{
  RowWait w = { f, title };

  wait_until (row_shown, &w);
  return ADW_ACTION_ROW (find_row (GTK_WIDGET (f->window), ADW_TYPE_ACTION_ROW, title));
}

/* The window as it is drawn, to `name` in the build folder. */
static void
save_screenshot (Fixture    *f,
                 const char *name)
{
  docent_test_ui_settle ();
  docent_test_ui_screenshot (GTK_WIDGET (f->window), name);
}

/* ---- the tests ---------------------------------------------------------------- */

static void
test_model_row (Fixture       *f,
                gconstpointer  data)
{
  AdwActionRow *row = wait_for_row (f, "tiny-qwen2");
  const char *subtitle = adw_action_row_get_subtitle (row);
  GtkWidget *chat = find_row (GTK_WIDGET (f->window), ADW_TYPE_COMBO_ROW, "Chat model");
  GtkStringObject *item;

  g_assert_nonnull (strstr (subtitle, "qwen2"));
  g_assert_nonnull (strstr (subtitle, "Q8_0"));
  g_assert_nonnull (strstr (subtitle, "2048-token context"));
  g_assert_nonnull (strstr (subtitle, "chat model, in use"));
  g_assert_nonnull (find_descendant (GTK_WIDGET (row), GTK_TYPE_BUTTON));
  item = adw_combo_row_get_selected_item (ADW_COMBO_ROW (chat));
  g_assert_cmpstr (gtk_string_object_get_string (item), ==, "tiny-qwen2");
  save_screenshot (f, "preferences-models.png");
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (f->window), "library");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (
                     find_row (GTK_WIDGET (f->window), ADW_TYPE_ACTION_ROW, "Open now"))),
                   ==, f->library);
  save_screenshot (f, "preferences-library.png");
}

static gboolean
no_location (gpointer data)
{
  g_autofree char *dir = docent_settings_get_default_library_dir ();

  return dir == NULL;
}

static gboolean
shows_shared_library (gpointer row)
{
  return g_strcmp0 (adw_action_row_get_subtitle (row), "/srv/shared library") == 0;
}

/* The pointer file is shown, and the reset button removes it. */
static void
test_location (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  AdwActionRow *row;
  GtkWidget *reset;

  wait_for_row (f, "tiny-qwen2");
  g_assert_true (docent_settings_set_default_library_dir ("/srv/shared library", &error));
  g_assert_no_error (error);
  /* Any edit brings a fresh snapshot: choose the chat model again. */
  adw_combo_row_set_selected (ADW_COMBO_ROW (find_row (GTK_WIDGET (f->window), ADW_TYPE_COMBO_ROW,
                                                       "Chat model")), 0);
  wait_for_ini_without (f, "chat=tiny-qwen2");
  row = ADW_ACTION_ROW (find_row (GTK_WIDGET (f->window), ADW_TYPE_ACTION_ROW, "Open at start"));
  wait_until (shows_shared_library, row);
  reset = find_descendant (GTK_WIDGET (row), GTK_TYPE_BUTTON);
  g_assert_true (gtk_widget_get_sensitive (reset));
  /* Buttons act only when shown (realized). */
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (f->window), "library");
  docent_test_ui_settle ();
  gtk_widget_activate (reset);
  wait_until (no_location, NULL);
}

static void
set_spin (Fixture    *f,
          const char *title,
          double      value)
{
  GtkWidget *row = find_row (GTK_WIDGET (f->window), ADW_TYPE_ACTION_ROW, title);

  g_assert_nonnull (row);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (find_descendant (row, GTK_TYPE_SPIN_BUTTON)), value);
}

static gboolean
marked_error (gpointer widget)
{
  return gtk_widget_has_css_class (widget, "error");
}

static gboolean
not_marked_error (gpointer widget)
{
  return !gtk_widget_has_css_class (widget, "error");
}

static void
test_change_settings (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentSettings) settings = NULL;
  GtkWidget *url;

  wait_for_row (f, "tiny-qwen2");
  set_spin (f, "Retrieval depth", 12);
  set_spin (f, "Temperature", 0.35);
  set_spin (f, "Threads", 2);
  wait_for_ini (f, "retrieval_k=12");
  wait_for_ini (f, "temperature=0.35");
  wait_for_ini (f, "threads=2");

  /* A bad URL stays in its entry, marked, and is not saved. */
  url = find_row (GTK_WIDGET (f->window), ADW_TYPE_ENTRY_ROW, "Server URL");
  g_assert_nonnull (url);
  gtk_editable_set_text (GTK_EDITABLE (url), "localhost:8080");
  g_signal_emit_by_name (url, "apply");
  wait_until (marked_error, url);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (url)), ==, "localhost:8080");
  gtk_editable_set_text (GTK_EDITABLE (url), "http://127.0.0.1:8080");
  g_signal_emit_by_name (url, "apply");
  wait_for_ini (f, "url=http://127.0.0.1:8080");
  wait_until (not_marked_error, url);

  settings = docent_settings_load (f->library, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (docent_settings_get_retrieval_k (settings), ==, 12);
  g_assert_cmpuint (docent_settings_get_threads (settings), ==, 2);
  g_assert_cmpfloat_with_epsilon (docent_settings_get_temperature (settings), 0.35, 1e-9);
  /* Not enabled until the switch says so. */
  g_assert_null (docent_settings_remote_in_use (settings));
  g_clear_pointer (&settings, docent_settings_free);
  adw_expander_row_set_enable_expansion (
    ADW_EXPANDER_ROW (find_row (GTK_WIDGET (f->window), ADW_TYPE_EXPANDER_ROW, "Use a remote server")),
    TRUE);
  wait_for_ini (f, "enabled=true");
  settings = docent_settings_load (f->library, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (docent_settings_remote_in_use (settings), ==, "http://127.0.0.1:8080");

  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (f->window), "answers");
  save_screenshot (f, "preferences-answers.png");
}

static gboolean
spinner_hidden (gpointer data)
{
  Fixture *f = data;
  GtkWidget *row = find_row (GTK_WIDGET (f->window), ADW_TYPE_ACTION_ROW, "Reading model…");

  return !gtk_widget_get_visible (row);
}

static void
test_add_model (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *bert = write_model (f->models, "tiny-bert.gguf", "bert", 1);
  g_autofree char *junk = g_build_filename (f->models, "junk.gguf", NULL);
  GtkWidget *loading, *embedding;
  AdwActionRow *row;

  wait_for_row (f, "tiny-qwen2");
  loading = find_row (GTK_WIDGET (f->window), ADW_TYPE_ACTION_ROW, "Reading model…");
  g_assert_false (gtk_widget_get_visible (loading));
  gtk_widget_activate_action (GTK_WIDGET (f->window), "prefs.add-model-file", "s", bert);
  /* Shown at once, before the file was read. */
  g_assert_true (gtk_widget_get_visible (loading));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (loading)), ==, "tiny-bert.gguf");
  row = wait_for_row (f, "tiny-bert");
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (row), "bert · F16"));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (row), "embedding model, in use"));
  wait_until (spinner_hidden, f);
  wait_for_ini (f, "embedder=tiny-bert");
  embedding = find_row (GTK_WIDGET (f->window), ADW_TYPE_COMBO_ROW, "Embedding model");
  g_assert_cmpstr (gtk_string_object_get_string (
                     adw_combo_row_get_selected_item (ADW_COMBO_ROW (embedding))), ==, "tiny-bert");

  /* Choosing "None" through the combo row. */
  adw_combo_row_set_selected (ADW_COMBO_ROW (embedding), 0);
  wait_for_ini_without (f, "embedder=");

  /* Not a model: the spinner goes, nothing is added. */
  g_free (docent_test_write_file (f->models, "junk.gguf", "not a model", -1));
  gtk_widget_activate_action (GTK_WIDGET (f->window), "prefs.add-model-file", "s", junk);
  wait_until (spinner_hidden, f);
  g_assert_null (find_row (GTK_WIDGET (f->window), ADW_TYPE_ACTION_ROW, "junk"));

  /* Removing through the row's button (rows are made anew with every
   * snapshot: find it again). */
  row = wait_for_row (f, "tiny-bert");
  gtk_widget_activate (find_descendant (GTK_WIDGET (row), GTK_TYPE_BUTTON));
  wait_for_ini_without (f, "[model:tiny-bert]");
}

static gboolean
no_row (gpointer data)
{
  return !row_shown (data);
}

static void
test_watched_folders (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *papers = g_build_filename (f->dir, "Papers", NULL);
  g_autofree char *reports = g_build_filename (f->dir, "Reports", NULL);
  g_autoptr(DocentSettings) settings = NULL;
  g_autoptr(GError) error = NULL;
  const char *folders[] = { papers, NULL };
  GtkWidget *none, *remove;
  AdwActionRow *row;
  RowWait gone = { f, papers };

  g_assert_cmpint (g_mkdir_with_parents (papers, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (reports, 0700), ==, 0);
  wait_for_row (f, "tiny-qwen2");
  none = find_row (GTK_WIDGET (f->window), ADW_TYPE_ACTION_ROW, "No watched folders");
  g_assert_true (gtk_widget_get_visible (none));

  /* A folder in docent.ini is listed (any edit brings a fresh snapshot). */
  settings = docent_settings_load (f->library, &error);
  g_assert_no_error (error);
  g_assert_true (docent_settings_set_watched_folders (settings, folders, &error));
  g_assert_true (docent_settings_save (settings, &error));
  g_assert_no_error (error);
  set_spin (f, "Retrieval depth", 9);
  row = wait_for_row (f, papers);
  g_assert_false (gtk_widget_get_visible (none));

  /* Added through the window (as the file chooser does). */
  gtk_widget_activate_action (GTK_WIDGET (f->window), "prefs.watch-folder", "s", reports);
  wait_for_row (f, reports);
  wait_for_ini (f, "Reports");
  /* The library folder itself is refused: no row. */
  gtk_widget_activate_action (GTK_WIDGET (f->window), "prefs.watch-folder", "s", f->library);
  wait_for_row (f, papers);
  docent_test_ui_settle ();
  g_assert_null (find_row (GTK_WIDGET (f->window), ADW_TYPE_ACTION_ROW, f->library));

  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (f->window), "library");
  save_screenshot (f, "preferences-watched.png");

  /* Removed through its row's button, which says what it does. */
  row = wait_for_row (f, papers);
  remove = find_descendant (GTK_WIDGET (row), GTK_TYPE_BUTTON);
  g_assert_nonnull (remove);
  gtk_widget_activate (remove);
  wait_until (no_row, &gone);
  wait_for_ini_without (f, "Papers");
  g_clear_pointer (&settings, docent_settings_free);
  settings = docent_settings_load (f->library, &error);
  g_assert_no_error (error);
  {
    g_auto(GStrv) watched = docent_settings_get_watched_folders (settings);

    g_assert_cmpuint (g_strv_length (watched), ==, 1);
    g_assert_cmpstr (watched[0], ==, reports);
  }
}

int
main (int argc, char **argv)
{
  g_autofree char *config = docent_test_tmpdir ();
  int status;

  /* The per-user location pointer goes to a folder of the test's own (set
   * before any thread starts: setenv is not thread-safe). */
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  g_test_add ("/preferences/model-row", Fixture, NULL, fixture_set_up, test_model_row,
              fixture_tear_down);
  g_test_add ("/preferences/change-settings", Fixture, NULL, fixture_set_up, test_change_settings,
              fixture_tear_down);
  g_test_add ("/preferences/location", Fixture, NULL, fixture_set_up, test_location,
              fixture_tear_down);
  g_test_add ("/preferences/add-model", Fixture, NULL, fixture_set_up, test_add_model,
              fixture_tear_down);
  g_test_add ("/preferences/watched-folders", Fixture, NULL, fixture_set_up, test_watched_folders,
              fixture_tear_down);
  status = g_test_run ();
  docent_test_rm_rf (config);
  return status;
}
