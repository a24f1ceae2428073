/* window.c — DocentWindow: puts the sidebar, the conversation, the search
 * and the source viewer together and owns the window's actions (win.*),
 * which the buttons, menus, shortcuts, drag and drop and the UI tests all
 * go through. It decides what is shown (welcome page or conversation),
 * opens citations and search hits in the viewer and reports finished
 * jobs in toasts. Built from resources/ui/window.ui. */
#include "ui/window.h"

#include "app/samples.h"
#include "ui/conversation-list.h"

struct _DocentWindow {
  AdwApplicationWindow parent_instance;

  AdwToastOverlay *toast_overlay;
  GtkPaned *outer_paned;
  GtkPaned *content_paned;
  AdwViewStack *sidebar_stack;
  GtkBox *library_box;
  GtkBox *conversations_box;
  AdwWindowTitle *window_title;
  GtkToggleButton *search_button;
  GtkStack *main_stack;
  AdwStatusPage *status_page;
  GtkBox *ask_box;
  GtkBox *search_box;

  DocentLibraryService *service;
  DocentLibrarySidebar *sidebar;
  DocentConversationList *conversation_list;
  DocentConversationView *conversation_view;
  DocentSearchView *search_view;
  DocentSourceViewer *viewer;
  GCancellable *cancellable;
  GCancellable *view_cancellable;  /* the page view being fetched */
  guint pending_views;
  gboolean have_documents;
  gboolean searching;
};

G_DEFINE_FINAL_TYPE (DocentWindow, docent_window, ADW_TYPE_APPLICATION_WINDOW)

static void
toast (DocentWindow *self,
       const char   *text)
{
  AdwToast *t = adw_toast_new (text);

  adw_toast_set_timeout (t, 6);
  adw_toast_overlay_add_toast (self->toast_overlay, t);
}

/* ---- what the main area shows ------------------------------------------- */

static void
show_main_page (DocentWindow *self)
{
  const char *page = "welcome";

  if (self->searching)
    page = "search";
  else if (self->have_documents || docent_conversation_view_get_conversation_id (self->conversation_view) != 0)
    page = "ask";
  gtk_stack_set_visible_child_name (self->main_stack, page);
}

static char *
describe_library (const DocentLibraryInfo *info)
{
  const char *answers = info->chat_model ? info->chat_model : "quoted answers";

  return g_strdup_printf ("%u document%s · %s", info->stats.documents,
                          info->stats.documents == 1 ? "" : "s", answers);
}

static void
on_info (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentLibraryInfo) info =
    docent_library_service_info_finish (DOCENT_LIBRARY_SERVICE (source), result, &error);
  DocentWindow *self;
  g_autofree char *subtitle = NULL;

  if (info == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = DOCENT_WINDOW (user_data);
  if (info == NULL)
    {
      adw_status_page_set_title (self->status_page, "The Library Cannot Be Opened");
      adw_status_page_set_description (self->status_page, error->message);
      gtk_stack_set_visible_child_name (self->main_stack, "welcome");
      return;
    }
  self->have_documents = info->stats.documents + info->stats.failed > 0;
  subtitle = describe_library (info);
  adw_window_title_set_subtitle (self->window_title, subtitle);
  show_main_page (self);
}

static void
refresh (DocentWindow *self)
{
  docent_library_service_info_async (self->service, self->cancellable, on_info, self);
}

/* ---- adding documents ------------------------------------------------------ */

static char *
summarize_results (GPtrArray *results)
{
  guint added = 0, failed = 0, unchanged = 0;
  const DocentAddResult *first_failure = NULL;

  for (guint i = 0; i < results->len; i++)
    {
      const DocentAddResult *r = results->pdata[i];

      if (r->outcome == DOCENT_ADD_FAILED)
        {
          failed++;
          first_failure = first_failure ? first_failure : r;
        }
      else if (r->outcome == DOCENT_ADD_UNCHANGED)
        unchanged++;
      else
        added++;
    }
  if (failed == 1)
    {
      g_autofree char *name = g_path_get_basename (first_failure->path);

      return g_strdup_printf ("Added %u, could not read %s: %s", added, name,
                              first_failure->error ? first_failure->error : "unknown reason");
    }
  if (failed > 1)
    return g_strdup_printf ("Added %u documents; %u could not be read (see the library)",
                            added, failed);
  if (added == 0 && unchanged > 0)
    return g_strdup ("Already in the library");
  return g_strdup_printf ("Added %u document%s", added, added == 1 ? "" : "s");
}

static void
on_added (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(DocentWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) results =
    docent_library_service_add_finish (DOCENT_LIBRARY_SERVICE (source), result, &error);
  g_autofree char *summary = NULL;

  if (results == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        toast (self, "Indexing stopped; what was finished is kept");
      else
        toast (self, error->message);
      return;
    }
  summary = summarize_results (results);
  toast (self, summary);
}

static void
add_paths (DocentWindow       *self,
           const char *const  *paths,
           const char         *collection)
{
  if (paths == NULL || paths[0] == NULL)
    return;
  docent_library_service_add_async (self->service, paths, collection, NULL,
                                    on_added, g_object_ref (self));
}

static void
add_files_from_list (DocentWindow *self,
                     GListModel   *files)
{
  guint n = g_list_model_get_n_items (files);
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GFile) file = g_list_model_get_item (files, i);
      char *path = g_file_get_path (file);

      if (path != NULL)
        g_ptr_array_add (paths, path);
    }
  g_ptr_array_add (paths, NULL);
  add_paths (self, (const char *const *) paths->pdata,
             docent_library_sidebar_get_collection (self->sidebar));
}

static void
on_chooser_response (GtkNativeDialog *dialog,
                     int              response,
                     DocentWindow    *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (dialog));

      add_files_from_list (self, files);
    }
  g_object_unref (dialog);
}

static GtkFileFilter *
documents_filter (void)
{
  static const char *const patterns[] = {
    "*.pdf", "*.html", "*.htm", "*.xhtml", "*.docx", "*.odt", "*.epub",
    "*.txt", "*.md", "*.png", "*.jpg", "*.jpeg", "*.tif", "*.tiff",
  };
  GtkFileFilter *filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, "Documents");
  for (guint i = 0; i < G_N_ELEMENTS (patterns); i++)
    gtk_file_filter_add_suffix (filter, patterns[i] + 2);
  return filter;
}

/* GtkFileDialog is GTK 4.10; on 4.8 the portal-aware chooser is
 * GtkFileChooserNative. */
static void
choose (DocentWindow         *self,
        GtkFileChooserAction  action,
        const char           *title)
{
  GtkFileChooserNative *chooser = gtk_file_chooser_native_new (title, GTK_WINDOW (self), action,
                                                               "_Add", "_Cancel");

  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (chooser), TRUE);
  if (action == GTK_FILE_CHOOSER_ACTION_OPEN)
    {
      g_autoptr(GtkFileFilter) docs = documents_filter ();
      g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

      gtk_file_filter_set_name (all, "All Files");
      gtk_file_filter_add_pattern (all, "*");
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), docs);
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), all);
    }
  g_signal_connect (chooser, "response", G_CALLBACK (on_chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
win_add_files (GtkWidget  *widget,
               const char *action,
               GVariant   *param)
{
  choose (DOCENT_WINDOW (widget), GTK_FILE_CHOOSER_ACTION_OPEN, "Add Files");
}

static void
win_add_folder (GtkWidget  *widget,
                const char *action,
                GVariant   *param)
{
  choose (DOCENT_WINDOW (widget), GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, "Add Folder");
}

static void
win_add_paths (GtkWidget  *widget,
               const char *action,
               GVariant   *param)
{
  DocentWindow *self = DOCENT_WINDOW (widget);
  g_autofree const char **paths = g_variant_get_strv (param, NULL);

  add_paths (self, paths, docent_library_sidebar_get_collection (self->sidebar));
}

static void
install_samples (GTask        *task,
                 gpointer      source,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  GError *error = NULL;
  GStrv paths = docent_samples_install (task_data, &error);

  if (paths == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, paths, (GDestroyNotify) g_strfreev);
}

static void
on_samples_installed (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  DocentWindow *self = DOCENT_WINDOW (source);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) paths = g_task_propagate_pointer (G_TASK (result), &error);

  if (paths == NULL)
    {
      g_autofree char *text = g_strdup_printf ("The sample library is not available: %s",
                                               error->message);
      toast (self, text);
      return;
    }
  add_paths (self, (const char *const *) paths, DOCENT_SAMPLES_COLLECTION);
}

static void
win_add_samples (GtkWidget  *widget,
                 const char *action,
                 GVariant   *param)
{
  DocentWindow *self = DOCENT_WINDOW (widget);
  g_autoptr(GTask) task = g_task_new (self, NULL, on_samples_installed, NULL);

  g_task_set_task_data (task, g_strdup (docent_library_service_get_dir (self->service)), g_free);
  g_task_run_in_thread (task, install_samples);
}

static void
win_cancel_jobs (GtkWidget  *widget,
                 const char *action,
                 GVariant   *param)
{
  docent_library_service_cancel_jobs (DOCENT_WINDOW (widget)->service);
}

static gboolean
on_drop (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         DocentWindow  *self)
{
  GSList *files = g_value_get_boxed (value);
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);

  for (GSList *l = files; l != NULL; l = l->next)
    {
      char *path = g_file_get_path (l->data);

      if (path != NULL)
        g_ptr_array_add (paths, path);
    }
  if (paths->len == 0)
    return FALSE;
  g_ptr_array_add (paths, NULL);
  add_paths (self, (const char *const *) paths->pdata,
             docent_library_sidebar_get_collection (self->sidebar));
  return TRUE;
}

/* ---- the viewer ------------------------------------------------------------ */

static void
set_viewer_visible (DocentWindow *self,
                    gboolean      visible)
{
  GtkWidget *viewer = GTK_WIDGET (self->viewer);
  int width = gtk_widget_get_width (GTK_WIDGET (self->content_paned));

  if (gtk_widget_get_visible (viewer) == visible)
    return;
  gtk_widget_set_visible (viewer, visible);
  if (visible && width > 0)
    gtk_paned_set_position (self->content_paned, width / 2);
}

static void
on_page_view (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentPageView) view =
    docent_library_service_page_view_finish (DOCENT_LIBRARY_SERVICE (source), result, &error);
  g_autoptr(DocentWindow) self = user_data;

  self->pending_views--;
  if (view == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        toast (self, error->message);
      return;
    }
  docent_source_viewer_show (self->viewer, view);
  set_viewer_visible (self, TRUE);
}

static void
open_page (DocentWindow            *self,
           const DocentPageRequest *request)
{
  g_cancellable_cancel (self->view_cancellable);
  g_clear_object (&self->view_cancellable);
  self->view_cancellable = g_cancellable_new ();
  self->pending_views++;
  docent_library_service_page_view_async (self->service, request, self->view_cancellable,
                                          on_page_view, g_object_ref (self));
}

static void
on_citation_activated (DocentConversationView *view,
                       gint64                  document_id,
                       guint                   page_no,
                       const char             *quote,
                       DocentWindow           *self)
{
  DocentPageRequest request = { document_id, page_no, quote, 0, 0 };

  open_page (self, &request);
}

static void
on_hit_activated (DocentSearchView *view,
                  gint64            document_id,
                  guint             page_no,
                  guint             char_start,
                  guint             char_end,
                  DocentWindow     *self)
{
  DocentPageRequest request = { document_id, page_no, NULL, char_start, char_end };

  open_page (self, &request);
}

static void
on_document_activated (DocentLibrarySidebar *sidebar,
                       gint64                document_id,
                       DocentWindow         *self)
{
  DocentPageRequest request = { document_id, 1, NULL, 0, 0 };

  open_page (self, &request);
}

static void
on_page_requested (DocentSourceViewer *viewer,
                   gint64              document_id,
                   guint               page_no,
                   DocentWindow       *self)
{
  DocentPageRequest request = { document_id, page_no, NULL, 0, 0 };

  open_page (self, &request);
}

static void
win_close_viewer (GtkWidget  *widget,
                  const char *action,
                  GVariant   *param)
{
  set_viewer_visible (DOCENT_WINDOW (widget), FALSE);
}

static void
on_close_requested (DocentSourceViewer *viewer,
                    DocentWindow       *self)
{
  set_viewer_visible (self, FALSE);
}

/* ---- conversations and search ---------------------------------------------- */

static void
set_searching (DocentWindow *self,
               gboolean      searching)
{
  self->searching = searching;
  gtk_toggle_button_set_active (self->search_button, searching);
  show_main_page (self);
  if (searching)
    docent_search_view_focus_entry (self->search_view);
  else if (self->have_documents)
    docent_conversation_view_focus_entry (self->conversation_view);
}

static void
win_new_conversation (GtkWidget  *widget,
                      const char *action,
                      GVariant   *param)
{
  DocentWindow *self = DOCENT_WINDOW (widget);

  set_searching (self, FALSE);
  docent_conversation_view_reset (self->conversation_view);
  docent_conversation_list_select (self->conversation_list, 0);
  show_main_page (self);
  if (self->have_documents)
    docent_conversation_view_focus_entry (self->conversation_view);
}

static void
win_open_conversation (GtkWidget  *widget,
                       const char *action,
                       GVariant   *param)
{
  DocentWindow *self = DOCENT_WINDOW (widget);
  gint64 id = g_variant_get_int64 (param);

  set_searching (self, FALSE);
  docent_conversation_view_load (self->conversation_view, id);
  docent_conversation_list_select (self->conversation_list, id);
  gtk_stack_set_visible_child_name (self->main_stack, "ask");
}

static void
on_conversation_activated (DocentConversationList *list,
                           gint64                  id,
                           DocentWindow           *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "win.open-conversation", "x", id);
}

static void
on_conversation_deleted (DocentConversationList *list,
                         gint64                  id,
                         DocentWindow           *self)
{
  if (docent_conversation_view_get_conversation_id (self->conversation_view) == id)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.new-conversation", NULL);
}

static void
on_conversations_changed (DocentConversationView *view,
                          DocentWindow           *self)
{
  docent_conversation_list_reload (self->conversation_list);
  docent_conversation_list_select (self->conversation_list,
                                   docent_conversation_view_get_conversation_id (view));
}

static void
win_ask (GtkWidget  *widget,
         const char *action,
         GVariant   *param)
{
  DocentWindow *self = DOCENT_WINDOW (widget);

  set_searching (self, FALSE);
  gtk_stack_set_visible_child_name (self->main_stack, "ask");
  docent_conversation_view_ask (self->conversation_view, g_variant_get_string (param, NULL));
}

static void
win_search (GtkWidget  *widget,
            const char *action,
            GVariant   *param)
{
  DocentWindow *self = DOCENT_WINDOW (widget);

  set_searching (self, !self->searching);
}

static void
on_collection_changed (DocentLibrarySidebar *sidebar,
                       const char           *collection,
                       DocentWindow         *self)
{
  docent_conversation_view_set_scope (self->conversation_view, collection, 0, NULL);
  docent_search_view_set_collection (self->search_view, collection);
}

static void
on_selection_changed (DocentLibrarySidebar *sidebar,
                      GArray               *ids,
                      const char           *first_title,
                      DocentWindow         *self)
{
  docent_conversation_view_set_selection (self->conversation_view, (const gint64 *) ids->data,
                                          ids->len, first_title);
}

/* ---- object ------------------------------------------------------------------- */

static void
build_children (DocentWindow *self)
{
  GtkDropTarget *drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);

  self->sidebar = DOCENT_LIBRARY_SIDEBAR (docent_library_sidebar_new (self->service));
  gtk_widget_set_vexpand (GTK_WIDGET (self->sidebar), TRUE);
  gtk_box_append (self->library_box, GTK_WIDGET (self->sidebar));
  self->conversation_list = DOCENT_CONVERSATION_LIST (docent_conversation_list_new (self->service));
  gtk_widget_set_vexpand (GTK_WIDGET (self->conversation_list), TRUE);
  gtk_box_append (self->conversations_box, GTK_WIDGET (self->conversation_list));
  self->conversation_view = DOCENT_CONVERSATION_VIEW (docent_conversation_view_new (self->service));
  gtk_widget_set_vexpand (GTK_WIDGET (self->conversation_view), TRUE);
  gtk_box_append (self->ask_box, GTK_WIDGET (self->conversation_view));
  self->search_view = DOCENT_SEARCH_VIEW (docent_search_view_new (self->service));
  gtk_widget_set_vexpand (GTK_WIDGET (self->search_view), TRUE);
  gtk_box_append (self->search_box, GTK_WIDGET (self->search_view));
  self->viewer = DOCENT_SOURCE_VIEWER (docent_source_viewer_new ());
  gtk_widget_set_size_request (GTK_WIDGET (self->viewer), 360, -1);
  gtk_widget_set_visible (GTK_WIDGET (self->viewer), FALSE);
  gtk_paned_set_end_child (self->content_paned, GTK_WIDGET (self->viewer));

  g_signal_connect (self->sidebar, "collection-changed", G_CALLBACK (on_collection_changed), self);
  g_signal_connect (self->sidebar, "selection-changed", G_CALLBACK (on_selection_changed), self);
  g_signal_connect (self->sidebar, "document-activated", G_CALLBACK (on_document_activated), self);
  g_signal_connect (self->conversation_list, "conversation-activated",
                    G_CALLBACK (on_conversation_activated), self);
  g_signal_connect (self->conversation_list, "conversation-deleted",
                    G_CALLBACK (on_conversation_deleted), self);
  g_signal_connect (self->conversation_view, "citation-activated",
                    G_CALLBACK (on_citation_activated), self);
  g_signal_connect (self->conversation_view, "conversations-changed",
                    G_CALLBACK (on_conversations_changed), self);
  g_signal_connect (self->search_view, "hit-activated", G_CALLBACK (on_hit_activated), self);
  g_signal_connect (self->viewer, "page-requested", G_CALLBACK (on_page_requested), self);
  g_signal_connect (self->viewer, "close-requested", G_CALLBACK (on_close_requested), self);
  g_signal_connect_swapped (self->service, "changed", G_CALLBACK (refresh), self);

  g_signal_connect (drop, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));
}

static void
docent_window_dispose (GObject *object)
{
  DocentWindow *self = DOCENT_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_cancellable_cancel (self->view_cancellable);
  g_clear_object (&self->view_cancellable);
  if (self->service != NULL)
    g_signal_handlers_disconnect_by_data (self->service, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), DOCENT_TYPE_WINDOW);
  g_clear_object (&self->service);
  G_OBJECT_CLASS (docent_window_parent_class)->dispose (object);
}

static void
docent_window_class_init (DocentWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = docent_window_dispose;
  gtk_widget_class_set_template_from_resource (widget_class, "/org/docent/Docent/ui/window.ui");
  gtk_widget_class_bind_template_child (widget_class, DocentWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, DocentWindow, outer_paned);
  gtk_widget_class_bind_template_child (widget_class, DocentWindow, content_paned);
  gtk_widget_class_bind_template_child (widget_class, DocentWindow, sidebar_stack);
  gtk_widget_class_bind_template_child (widget_class, DocentWindow, library_box);
  gtk_widget_class_bind_template_child (widget_class, DocentWindow, conversations_box);
  gtk_widget_class_bind_template_child (widget_class, DocentWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, DocentWindow, search_button);
  gtk_widget_class_bind_template_child (widget_class, DocentWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, DocentWindow, status_page);
  gtk_widget_class_bind_template_child (widget_class, DocentWindow, ask_box);
  gtk_widget_class_bind_template_child (widget_class, DocentWindow, search_box);

  gtk_widget_class_install_action (widget_class, "win.add-files", NULL, win_add_files);
  gtk_widget_class_install_action (widget_class, "win.add-folder", NULL, win_add_folder);
  gtk_widget_class_install_action (widget_class, "win.add-paths", "as", win_add_paths);
  gtk_widget_class_install_action (widget_class, "win.add-samples", NULL, win_add_samples);
  gtk_widget_class_install_action (widget_class, "win.cancel-jobs", NULL, win_cancel_jobs);
  gtk_widget_class_install_action (widget_class, "win.new-conversation", NULL, win_new_conversation);
  gtk_widget_class_install_action (widget_class, "win.open-conversation", "x", win_open_conversation);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, win_search);
  gtk_widget_class_install_action (widget_class, "win.ask", "s", win_ask);
  gtk_widget_class_install_action (widget_class, "win.close-viewer", NULL, win_close_viewer);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK, "win.add-files", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.add-folder", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "win.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK,
                                       "win.new-conversation", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.close-viewer", NULL);
}

/* The application registers the icons in its resources by itself (its
 * resource base path); a window made without one (tests) does it here. */
static void
add_icon_resources (GtkWidget *widget)
{
  static const char path[] = "/org/docent/Docent/icons";
  GtkIconTheme *theme = gtk_icon_theme_get_for_display (gtk_widget_get_display (widget));
  g_auto(GStrv) paths = gtk_icon_theme_get_resource_path (theme);

  if (paths == NULL || !g_strv_contains ((const char *const *) paths, path))
    gtk_icon_theme_add_resource_path (theme, path);
}

static void
docent_window_init (DocentWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  add_icon_resources (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
}

DocentWindow *
docent_window_new (GtkApplication       *app,
                   DocentLibraryService *service)
{
  DocentWindow *self = g_object_new (DOCENT_TYPE_WINDOW, "application", app, NULL);

  self->service = g_object_ref (service);
  build_children (self);
  refresh (self);
  return self;
}

DocentLibraryService *
docent_window_get_service (DocentWindow *self)
{
  return self->service;
}

const char *
docent_window_get_headline (DocentWindow *self)
{
  g_return_val_if_fail (DOCENT_IS_WINDOW (self), NULL);
  return adw_status_page_get_title (self->status_page);
}

const char *
docent_window_get_page (DocentWindow *self)
{
  return gtk_stack_get_visible_child_name (self->main_stack);
}

gboolean
docent_window_get_viewer_visible (DocentWindow *self)
{
  return gtk_widget_get_visible (GTK_WIDGET (self->viewer));
}

DocentConversationView *
docent_window_get_conversation_view (DocentWindow *self)
{
  return self->conversation_view;
}

DocentSearchView *
docent_window_get_search_view (DocentWindow *self)
{
  return self->search_view;
}

DocentSourceViewer *
docent_window_get_source_viewer (DocentWindow *self)
{
  return self->viewer;
}

DocentLibrarySidebar *
docent_window_get_sidebar (DocentWindow *self)
{
  return self->sidebar;
}

guint
docent_window_get_pending_views (DocentWindow *self)
{
  return self->pending_views;
}
