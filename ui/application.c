/* application.c — DocentApplication: starts the library service on the
 * folder named by --library, $DOCENT_LIBRARY or the default, creates the
 * main window and owns the app-wide actions (preferences, about, quit) and
 * their shortcuts. The keyboard shortcuts window comes from
 * resources/gtk/help-overlay.ui, which GtkApplication loads by itself. */
#include "docent-config.h"

#include "app/library.h"
#include "ui/application.h"
#include "ui/preferences-window.h"
#include "ui/window.h"

struct _DocentApplication {
  AdwApplication parent_instance;
  char *library_dir;
  DocentLibraryService *service;
};

G_DEFINE_FINAL_TYPE (DocentApplication, docent_application, ADW_TYPE_APPLICATION)

static void
docent_application_activate (GApplication *app)
{
  DocentApplication *self = DOCENT_APPLICATION (app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    window = GTK_WINDOW (docent_window_new (GTK_APPLICATION (app), self->service));
  gtk_window_present (window);
}

static void
docent_application_startup (GApplication *app)
{
  DocentApplication *self = DOCENT_APPLICATION (app);
  g_autofree char *dir = docent_library_resolve_dir (self->library_dir);

  G_APPLICATION_CLASS (docent_application_parent_class)->startup (app);
  /* Opening happens on the service's threads; a library that cannot be
   * opened is reported by the window. */
  self->service = docent_library_service_new (dir);
}

static void
docent_application_shutdown (GApplication *app)
{
  DocentApplication *self = DOCENT_APPLICATION (app);

  /* Stops indexing at the next file and closes the databases cleanly. */
  if (self->service != NULL)
    docent_library_service_shutdown (self->service);
  G_APPLICATION_CLASS (docent_application_parent_class)->shutdown (app);
}

static int
docent_application_handle_local_options (GApplication *app,
                                         GVariantDict *options)
{
  DocentApplication *self = DOCENT_APPLICATION (app);

  g_variant_dict_lookup (options, "library", "s", &self->library_dir);
  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("docent %s\n", DOCENT_VERSION);
      return 0;
    }
  return -1;
}

static void
docent_application_finalize (GObject *object)
{
  DocentApplication *self = DOCENT_APPLICATION (object);

  g_clear_object (&self->service);
  g_free (self->library_dir);
  G_OBJECT_CLASS (docent_application_parent_class)->finalize (object);
}

static void
docent_application_class_init (DocentApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = docent_application_finalize;
  app_class->activate = docent_application_activate;
  app_class->startup = docent_application_startup;
  app_class->shutdown = docent_application_shutdown;
  app_class->handle_local_options = docent_application_handle_local_options;
}

static void
on_quit (GSimpleAction *action,
         GVariant      *parameter,
         gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static void
on_about (GSimpleAction *action,
          GVariant      *parameter,
          gpointer       user_data)
{
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (user_data));

  adw_show_about_window (parent,
                         "application-name", "Docent",
                         "application-icon", DOCENT_APP_ID,
                         "version", DOCENT_VERSION,
                         "comments", "Answers from your documents, with their sources. "
                                     "Nothing leaves this computer.",
                         "developer-name", "The Docent developers",
                         "license-type", GTK_LICENSE_GPL_3_0,
                         NULL);
}

static void
on_preferences (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  DocentApplication *self = DOCENT_APPLICATION (user_data);
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  DocentPreferencesWindow *prefs = docent_preferences_window_new (parent, self->service);

  gtk_window_present (GTK_WINDOW (prefs));
}

static void
docent_application_init (DocentApplication *self)
{
  static const GActionEntry actions[] = {
    { "quit", on_quit },
    { "about", on_about },
    { "preferences", on_preferences },
  };
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };
  const GOptionEntry options[] = {
    { "library", 0, 0, G_OPTION_ARG_STRING, NULL, "The library folder", "DIR" },
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL, "Print the version", NULL },
    { NULL }
  };

  g_action_map_add_action_entries (G_ACTION_MAP (self), actions, G_N_ELEMENTS (actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences",
                                         preferences_accels);
  g_application_add_main_option_entries (G_APPLICATION (self), options);
}

DocentApplication *
docent_application_new (void)
{
  return g_object_new (DOCENT_TYPE_APPLICATION,
                       "application-id", DOCENT_APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/org/docent/Docent",
                       NULL);
}
