/* window.c — DocentWindow: for now a welcome page that says what the
 * library holds; the library sidebar, conversation and viewer come with
 * the desktop-app issue. Built from resources/ui/window.ui. */
#include "ui/window.h"

struct _DocentWindow {
  AdwApplicationWindow parent_instance;
  AdwStatusPage *status_page;
  DocentLibrary *library;
};

G_DEFINE_FINAL_TYPE (DocentWindow, docent_window, ADW_TYPE_APPLICATION_WINDOW)

static void
docent_window_class_init (DocentWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/docent/Docent/ui/window.ui");
  gtk_widget_class_bind_template_child (widget_class, DocentWindow, status_page);
}

static void
docent_window_init (DocentWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

static void
show_library (DocentWindow *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *description = NULL;
  DocentStoreStats stats;

  if (self->library == NULL)
    {
      adw_status_page_set_title (self->status_page, "The library could not be opened");
      adw_status_page_set_description (self->status_page,
                                       "Check that the library folder is readable and writable.");
      return;
    }
  if (!docent_store_stats (docent_library_store (self->library), &stats, &error))
    {
      adw_status_page_set_title (self->status_page, "The library could not be read");
      adw_status_page_set_description (self->status_page, error->message);
      return;
    }
  if (stats.documents == 0)
    {
      adw_status_page_set_title (self->status_page, "Welcome to Docent");
      adw_status_page_set_description (self->status_page,
        "Ask questions about your documents and get answers with sources.\n"
        "Everything stays on this computer.");
      return;
    }
  adw_status_page_set_title (self->status_page, "Your library");
  description = g_strdup_printf ("%u documents, %u pages, %u passages indexed.",
                                 stats.documents, stats.pages, stats.chunks);
  adw_status_page_set_description (self->status_page, description);
}

DocentWindow *
docent_window_new (GtkApplication *app,
                   DocentLibrary  *library)
{
  DocentWindow *self = g_object_new (DOCENT_TYPE_WINDOW, "application", app, NULL);

  self->library = library;
  show_library (self);
  return self;
}

const char *
docent_window_get_headline (DocentWindow *self)
{
  g_return_val_if_fail (DOCENT_IS_WINDOW (self), NULL);
  return adw_status_page_get_title (self->status_page);
}
