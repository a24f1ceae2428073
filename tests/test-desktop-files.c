/* test-desktop-files.c — the files that integrate Docent with the desktop
 * (resources/): the .desktop file and the AppStream metainfo pass their
 * validators (skipped when desktop-file-validate or appstreamcli is not
 * installed), agree with each other, and the icons are what the icon
 * theme and GTK's recolouring of symbolic icons expect. */
#include <string.h>

#include <gio/gio.h>

#include "docent-config.h"

#define APP_ID "org.docent.Docent"

static char *
resource_file (const char *first,
               ...)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new ();
  va_list args;

  g_ptr_array_add (parts, (gpointer) g_test_get_dir (G_TEST_DIST));
  g_ptr_array_add (parts, "..");
  g_ptr_array_add (parts, "resources");
  va_start (args, first);
  for (const char *part = first; part != NULL; part = va_arg (args, const char *))
    g_ptr_array_add (parts, (gpointer) part);
  va_end (args);
  g_ptr_array_add (parts, NULL);
  return g_build_filenamev ((char **) parts->pdata);
}

/* Runs a validator; returns FALSE (and skips the test) when it is not
 * installed. Its output goes to the test log either way. */
static gboolean
run_validator (const char *const *argv,
               char              **output,
               gboolean           *success)
{
  g_autofree char *program = g_find_program_in_path (argv[0]);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  if (program == NULL)
    {
      g_autofree char *why = g_strdup_printf ("%s is not installed", argv[0]);

      g_test_skip (why);
      return FALSE;
    }
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               &out, &err, &status, &error));
  g_assert_no_error (error);
  *output = g_strconcat (out, err, NULL);
  g_test_message ("%s: %s", argv[0], *output);
  *success = g_spawn_check_wait_status (status, NULL);
  return TRUE;
}

static void
test_desktop_file_valid (void)
{
  g_autofree char *path = resource_file (APP_ID ".desktop", NULL);
  const char *argv[] = { "desktop-file-validate", path, NULL };
  g_autofree char *output = NULL;
  gboolean success = FALSE;

  if (!run_validator (argv, &output, &success))
    return;
  g_assert_true (success);
  /* Hints are fine; errors and warnings are not. */
  g_assert_null (strstr (output, "error:"));
  g_assert_null (strstr (output, "warning:"));
}

static void
test_metainfo_valid (void)
{
  g_autofree char *path = resource_file (APP_ID ".metainfo.xml", NULL);
  /* --no-net: the test never uses the network (the URLs are not fetched). */
  const char *argv[] = { "appstreamcli", "validate", "--no-net", "--strict", path, NULL };
  g_autofree char *output = NULL;
  gboolean success = FALSE;

  if (!run_validator (argv, &output, &success))
    return;
  g_assert_true (success);
  g_assert_null (strstr (output, "E: "));
  g_assert_null (strstr (output, "W: "));
}

static void
test_desktop_file_contents (void)
{
  g_autofree char *path = resource_file (APP_ID ".desktop", NULL);
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *exec = NULL;
  g_autofree char *icon = NULL;
  g_auto(GStrv) categories = NULL;

  g_assert_true (g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, &error));
  g_assert_no_error (error);
  exec = g_key_file_get_string (file, G_KEY_FILE_DESKTOP_GROUP, G_KEY_FILE_DESKTOP_KEY_EXEC, &error);
  g_assert_no_error (error);
  g_assert_true (strcmp (exec, "docent") == 0 || g_str_has_prefix (exec, "docent "));
  icon = g_key_file_get_string (file, G_KEY_FILE_DESKTOP_GROUP, G_KEY_FILE_DESKTOP_KEY_ICON, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (icon, ==, APP_ID);
  categories = g_key_file_get_string_list (file, G_KEY_FILE_DESKTOP_GROUP,
                                           G_KEY_FILE_DESKTOP_KEY_CATEGORIES, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_strv_contains ((const char *const *) categories, "Office"));
}

/* What the metainfo must say for software centres to show Docent right. */
static void
test_metainfo_contents (void)
{
  g_autofree char *path = resource_file (APP_ID ".metainfo.xml", NULL);
  g_autofree char *xml = NULL;
  static const char *const required[] = {
    "<id>" APP_ID "</id>",
    "<launchable type=\"desktop-id\">" APP_ID ".desktop</launchable>",
    "<binary>docent</binary>",
    "<category>Office</category>",
    "<content_rating type=\"oars-1.1\"",
    "<release version=\"0.1.0\" date=\"2026-11-25\"",
    "<developer_name>",
  };

  g_assert_true (g_file_get_contents (path, &xml, NULL, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (required); i++)
    {
      g_test_message ("looking for %s", required[i]);
      g_assert_nonnull (strstr (xml, required[i]));
    }
  /* The release must match the project's version. */
  g_assert_nonnull (strstr (xml, "version=\"" DOCENT_VERSION "\""));
}

typedef struct {
  const char *view_box;
  const char *only_fill;   /* every fill must be this colour, or NULL */
  guint shapes;
  gboolean strokes;
  char *root_view_box;
} SvgCheck;

static void
svg_start (GMarkupParseContext  *context,
           const char           *element,
           const char          **names,
           const char          **values,
           gpointer              user_data,
           GError              **error)
{
  SvgCheck *check = user_data;

  if (strcmp (element, "svg") == 0 && check->root_view_box == NULL)
    for (guint i = 0; names[i] != NULL; i++)
      if (strcmp (names[i], "viewBox") == 0)
        check->root_view_box = g_strdup (values[i]);
  if (strcmp (element, "path") == 0 || strcmp (element, "rect") == 0 ||
      strcmp (element, "circle") == 0 || strcmp (element, "ellipse") == 0)
    check->shapes++;
  for (guint i = 0; names[i] != NULL; i++)
    {
      if (g_str_has_prefix (names[i], "stroke"))
        check->strokes = TRUE;
      if (check->only_fill != NULL && strcmp (names[i], "fill") == 0)
        g_assert_cmpstr (values[i], ==, check->only_fill);
    }
}

static void
check_svg (const char *path,
           SvgCheck   *check)
{
  static const GMarkupParser parser = { .start_element = svg_start };
  g_autoptr(GMarkupParseContext) context = g_markup_parse_context_new (&parser, 0, check, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *svg = NULL;
  gsize length = 0;

  g_assert_true (g_file_get_contents (path, &svg, &length, &error));
  g_assert_no_error (error);
  g_assert_true (g_markup_parse_context_parse (context, svg, length, &error) &&
                 g_markup_parse_context_end_parse (context, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (check->root_view_box, ==, check->view_box);
  g_assert_cmpuint (check->shapes, >, 2);
  g_free (check->root_view_box);
}

static void
test_icons (void)
{
  g_autofree char *app = resource_file ("icons", "hicolor", "scalable", "apps",
                                        APP_ID ".svg", NULL);
  g_autofree char *symbolic = resource_file ("icons", "hicolor", "symbolic", "apps",
                                             APP_ID "-symbolic.svg", NULL);
  SvgCheck app_check = { .view_box = "0 0 128 128" };
  /* GTK recolours a symbolic icon by its fills; strokes would stay dark. */
  SvgCheck symbolic_check = { .view_box = "0 0 16 16", .only_fill = "#2e3436" };

  check_svg (app, &app_check);
  check_svg (symbolic, &symbolic_check);
  g_assert_false (symbolic_check.strokes);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/desktop-files/desktop-file/valid", test_desktop_file_valid);
  g_test_add_func ("/desktop-files/desktop-file/contents", test_desktop_file_contents);
  g_test_add_func ("/desktop-files/metainfo/valid", test_metainfo_valid);
  g_test_add_func ("/desktop-files/metainfo/contents", test_metainfo_contents);
  g_test_add_func ("/desktop-files/icons", test_icons);
  return g_test_run ();
}
