/* application.c — DocentApplication: opens the library on startup (the
 * folder named by --library, $DOCENT_LIBRARY or the default), creates the
 * main window and provides app.quit and app.about. */
#include "docent-config.h"

#include "app/library.h"
#include "ui/application.h"
#include "ui/window.h"

struct _DocentApplication {
  AdwApplication parent_instance;
  char *library_dir;
  DocentLibrary *library;
};

G_DEFINE_FINAL_TYPE (DocentApplication, docent_application, ADW_TYPE_APPLICATION)

static void
docent_application_activate (GApplication *app)
{
  DocentApplication *self = DOCENT_APPLICATION (app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    window = GTK_WINDOW (docent_window_new (GTK_APPLICATION (app), self->library));
  gtk_window_present (window);
}

static void
docent_application_startup (GApplication *app)
{
  DocentApplication *self = DOCENT_APPLICATION (app);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = docent_library_resolve_dir (self->library_dir);

  G_APPLICATION_CLASS (docent_application_parent_class)->startup (app);
  self->library = docent_library_open (dir, &error);
  if (self->library == NULL)
    g_warning ("cannot open the library: %s", error->message);
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

  g_clear_pointer (&self->library, docent_library_close);
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
                         "comments", "Answers from your documents, offline",
                         "license-type", GTK_LICENSE_GPL_3_0,
                         NULL);
}

static void
docent_application_init (DocentApplication *self)
{
  static const GActionEntry actions[] = {
    { "quit", on_quit },
    { "about", on_about },
  };
  static const char *quit_accels[] = { "<Control>q", NULL };
  const GOptionEntry options[] = {
    { "library", 0, 0, G_OPTION_ARG_STRING, NULL, "The library folder", "DIR" },
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL, "Print the version", NULL },
    { NULL }
  };

  g_action_map_add_action_entries (G_ACTION_MAP (self), actions, G_N_ELEMENTS (actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
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
