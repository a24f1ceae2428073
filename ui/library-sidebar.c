/* library-sidebar.c — DocentLibrarySidebar: lists the documents the service
 * reports, filters them as the person types, shows the running job's
 * progress and offers the per-document actions ("doc.*") in a context menu.
 * The actions act on the selected rows; right-clicking a row selects it. */
#include "ui/library-sidebar.h"

#include <string.h>

struct _DocentLibrarySidebar {
  GtkWidget parent_instance;

  GtkDropDown *collection_dropdown;
  GtkSearchEntry *filter_entry;
  GtkStack *list_stack;
  GtkListBox *list_box;
  AdwStatusPage *empty_page;
  GtkRevealer *progress_revealer;
  GtkLabel *status_label;
  GtkProgressBar *progress_bar;
  GMenu *document_menu;
  GMenu *move_submenu;
  GtkWidget *popover;

  DocentLibraryService *service;
  GCancellable *cancellable;
  GPtrArray *documents;          /* DocentDocRecord*, as last fetched */
  GStrv collections;
  char *collection;              /* chosen, NULL: all */
  guint n_shown;
  guint pulse_id;
};

G_DEFINE_FINAL_TYPE (DocentLibrarySidebar, docent_library_sidebar, GTK_TYPE_WIDGET)

enum { COLLECTION_CHANGED, SELECTION_CHANGED, DOCUMENT_ACTIVATED, N_SIGNALS };
static guint signals[N_SIGNALS];

/* ---- rows ------------------------------------------------------------------ */

static const char *
type_icon (const char *type)
{
  if (g_strcmp0 (type, "pdf") == 0)
    return "x-office-document-symbolic";
  if (g_strcmp0 (type, "html") == 0 || g_strcmp0 (type, "epub") == 0)
    return "text-x-generic-symbolic";
  if (g_strcmp0 (type, "image") == 0)
    return "image-x-generic-symbolic";
  return "text-x-generic-symbolic";
}

static char *
row_title (const DocentDocRecord *rec)
{
  if (rec->title != NULL && *rec->title != '\0')
    return g_strdup (rec->title);
  return g_path_get_basename (rec->path);
}

static char *
row_subtitle (const DocentDocRecord *rec)
{
  g_autofree char *type = g_ascii_strup (rec->type ? rec->type : "file", -1);

  if (rec->status == DOCENT_DOC_FAILED)
    return g_strdup_printf ("Failed: %s", rec->error ? rec->error : "unknown reason");
  if (rec->page_count > 1)
    return g_strdup_printf ("%s · %u pages", type, rec->page_count);
  return g_strdup_printf ("%s · %u passage%s", type, rec->chunk_count,
                          rec->chunk_count == 1 ? "" : "s");
}

static GtkWidget *
make_row (const DocentDocRecord *rec)
{
  g_autofree char *title = row_title (rec);
  g_autofree char *subtitle = row_subtitle (rec);
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *icon = gtk_image_new_from_icon_name (type_icon (rec->type));

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 2);
  adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 1);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  gtk_widget_set_tooltip_text (row, rec->path);
  if (rec->status == DOCENT_DOC_FAILED)
    {
      GtkWidget *warn = gtk_image_new_from_icon_name ("dialog-warning-symbolic");

      gtk_widget_add_css_class (warn, "warning");
      gtk_accessible_update_property (GTK_ACCESSIBLE (warn), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      "Failed", -1);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), warn);
    }
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  g_object_set_data (G_OBJECT (row), "docent-record", (gpointer) rec);
  return row;
}

static const DocentDocRecord *
row_record (GtkListBoxRow *row)
{
  return g_object_get_data (G_OBJECT (row), "docent-record");
}

static gboolean
matches_filter (const DocentDocRecord *rec,
                const char            *needle)
{
  g_autofree char *title = NULL;
  g_autofree char *hay = NULL;

  if (needle == NULL || *needle == '\0')
    return TRUE;
  title = row_title (rec);
  hay = g_utf8_casefold (title, -1);
  if (strstr (hay, needle) != NULL)
    return TRUE;
  g_free (hay);
  hay = g_utf8_casefold (rec->path, -1);
  return strstr (hay, needle) != NULL;
}

static void
fill_list (DocentLibrarySidebar *self)
{
  g_autofree char *needle = g_utf8_casefold (gtk_editable_get_text (GTK_EDITABLE (self->filter_entry)), -1);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list_box))) != NULL)
    gtk_list_box_remove (self->list_box, child);
  self->n_shown = 0;
  for (guint i = 0; self->documents != NULL && i < self->documents->len; i++)
    {
      const DocentDocRecord *rec = self->documents->pdata[i];

      if (!matches_filter (rec, needle))
        continue;
      gtk_list_box_append (self->list_box, make_row (rec));
      self->n_shown++;
    }
  if (self->n_shown == 0 && self->documents != NULL && self->documents->len > 0)
    {
      adw_status_page_set_title (self->empty_page, "No Matching Documents");
      adw_status_page_set_description (self->empty_page, NULL);
    }
  else
    {
      adw_status_page_set_title (self->empty_page, "No Documents");
      adw_status_page_set_description (self->empty_page, "Add files or drop them here");
    }
  gtk_stack_set_visible_child_name (self->list_stack, self->n_shown > 0 ? "list" : "empty");
}

/* ---- loading ---------------------------------------------------------------- */

static void
on_documents (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *docs = docent_library_service_list_documents_finish (DOCENT_LIBRARY_SERVICE (source),
                                                                  result, &error);
  DocentLibrarySidebar *self;

  if (docs == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = DOCENT_LIBRARY_SIDEBAR (user_data);
  if (docs == NULL)
    {
      adw_status_page_set_title (self->empty_page, "The Library Cannot Be Read");
      adw_status_page_set_description (self->empty_page, error->message);
      gtk_stack_set_visible_child_name (self->list_stack, "empty");
      return;
    }
  g_clear_pointer (&self->documents, g_ptr_array_unref);
  self->documents = docs;
  fill_list (self);
}

static void
fill_move_menu (DocentLibrarySidebar *self)
{
  g_menu_remove_all (self->move_submenu);
  for (guint i = 0; self->collections != NULL && self->collections[i] != NULL; i++)
    {
      g_autoptr(GMenuItem) item = g_menu_item_new (self->collections[i], NULL);

      g_menu_item_set_action_and_target (item, "doc.move", "s", self->collections[i]);
      g_menu_append_item (self->move_submenu, item);
    }
  g_menu_append (self->move_submenu, "_New Collection…", "doc.new-collection");
  g_menu_append (self->move_submenu, "No Collection", "doc.move::");
}

static void
fill_collections (DocentLibrarySidebar *self)
{
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  guint selected = 0;

  gtk_string_list_append (names, "All Documents");
  for (guint i = 0; self->collections != NULL && self->collections[i] != NULL; i++)
    {
      gtk_string_list_append (names, self->collections[i]);
      if (g_strcmp0 (self->collections[i], self->collection) == 0)
        selected = i + 1;
    }
  g_signal_handlers_block_matched (self->collection_dropdown, G_SIGNAL_MATCH_DATA,
                                   0, 0, NULL, NULL, self);
  gtk_drop_down_set_model (self->collection_dropdown, G_LIST_MODEL (names));
  gtk_drop_down_set_selected (self->collection_dropdown, selected);
  g_signal_handlers_unblock_matched (self->collection_dropdown, G_SIGNAL_MATCH_DATA,
                                     0, 0, NULL, NULL, self);
  if (selected == 0 && self->collection != NULL)
    {
      /* The chosen collection is gone (its last document moved away). */
      g_clear_pointer (&self->collection, g_free);
      g_signal_emit (self, signals[COLLECTION_CHANGED], 0, NULL);
    }
  fill_move_menu (self);
}

static void
on_collections (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  GStrv names = docent_library_service_list_collections_finish (DOCENT_LIBRARY_SERVICE (source),
                                                                result, &error);
  DocentLibrarySidebar *self;

  if (names == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("cannot list the collections: %s", error->message);
      return;
    }
  self = DOCENT_LIBRARY_SIDEBAR (user_data);
  g_strfreev (self->collections);
  self->collections = names;
  fill_collections (self);
}

void
docent_library_sidebar_reload (DocentLibrarySidebar *self)
{
  g_return_if_fail (DOCENT_IS_LIBRARY_SIDEBAR (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  docent_library_service_list_collections_async (self->service, self->cancellable,
                                                 on_collections, self);
  docent_library_service_list_documents_async (self->service, self->collection,
                                               self->cancellable, on_documents, self);
}

/* ---- progress ------------------------------------------------------------------ */

static gboolean
pulse (gpointer user_data)
{
  gtk_progress_bar_pulse (GTK_PROGRESS_BAR (user_data));
  return G_SOURCE_CONTINUE;
}

static void
update_progress (DocentLibrarySidebar *self)
{
  gboolean busy = docent_library_service_get_busy (self->service);
  double fraction = docent_library_service_get_progress (self->service);
  const char *status = docent_library_service_get_status (self->service);

  gtk_revealer_set_reveal_child (self->progress_revealer, busy);
  gtk_label_set_text (self->status_label, status ? status : "Working…");
  if (busy && fraction < 0)
    {
      if (self->pulse_id == 0)
        self->pulse_id = g_timeout_add (150, pulse, self->progress_bar);
      return;
    }
  g_clear_handle_id (&self->pulse_id, g_source_remove);
  gtk_progress_bar_set_fraction (self->progress_bar, MAX (fraction, 0));
}

static void
on_service_notify (DocentLibraryService *service,
                   GParamSpec           *pspec,
                   DocentLibrarySidebar *self)
{
  update_progress (self);
}

/* ---- selection and scope ------------------------------------------------------------ */

static void
on_collection_selected (GtkDropDown          *dropdown,
                        GParamSpec           *pspec,
                        DocentLibrarySidebar *self)
{
  guint selected = gtk_drop_down_get_selected (dropdown);

  g_clear_pointer (&self->collection, g_free);
  if (selected > 0 && self->collections != NULL &&
      selected <= g_strv_length (self->collections))
    self->collection = g_strdup (self->collections[selected - 1]);
  g_signal_emit (self, signals[COLLECTION_CHANGED], 0, self->collection);
  docent_library_sidebar_reload (self);
}

static void
on_row_activated (GtkListBox           *box,
                  GtkListBoxRow        *row,
                  DocentLibrarySidebar *self)
{
  const DocentDocRecord *rec = row_record (row);

  if (rec != NULL && rec->status == DOCENT_DOC_INDEXED)
    g_signal_emit (self, signals[DOCUMENT_ACTIVATED], 0, rec->id);
}

static void
on_filter_changed (GtkSearchEntry       *entry,
                   DocentLibrarySidebar *self)
{
  fill_list (self);
}

/* ---- context menu --------------------------------------------------------------- */

static void
on_right_click (GtkGestureClick      *gesture,
                int                   n_press,
                double                x,
                double                y,
                DocentLibrarySidebar *self)
{
  GtkListBoxRow *row = gtk_list_box_get_row_at_y (self->list_box, (int) y);
  graphene_point_t at;

  if (row == NULL)
    return;
  if (!gtk_list_box_row_is_selected (row))
    {
      gtk_list_box_unselect_all (self->list_box);
      gtk_list_box_select_row (self->list_box, row);
    }
  if (!gtk_widget_compute_point (GTK_WIDGET (self->list_box), GTK_WIDGET (self),
                                 &GRAPHENE_POINT_INIT ((float) x, (float) y), &at))
    return;
  gtk_popover_set_pointing_to (GTK_POPOVER (self->popover),
                               &(GdkRectangle) { (int) at.x, (int) at.y, 1, 1 });
  gtk_popover_popup (GTK_POPOVER (self->popover));
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
}

static GArray *
selected_ids (DocentLibrarySidebar *self)
{
  g_autoptr(GList) rows = gtk_list_box_get_selected_rows (self->list_box);
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (GList *l = rows; l != NULL; l = l->next)
    g_array_append_val (ids, row_record (l->data)->id);
  return ids;
}

static const DocentDocRecord *
first_selected (DocentLibrarySidebar *self)
{
  GtkListBoxRow *row = gtk_list_box_get_selected_row (self->list_box);

  return row ? row_record (row) : NULL;
}

static void
on_rows_selected (GtkListBox           *box,
                  DocentLibrarySidebar *self)
{
  g_autoptr(GArray) ids = selected_ids (self);
  const DocentDocRecord *first = first_selected (self);
  g_autofree char *title = first ? row_title (first) : NULL;

  g_signal_emit (self, signals[SELECTION_CHANGED], 0, ids, title);
}

static void
show_file (DocentLibrarySidebar *self,
           const char           *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *uri = g_file_get_uri (file);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  gtk_show_uri (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, uri, GDK_CURRENT_TIME);
}

static void
doc_open (GtkWidget  *widget,
          const char *action,
          GVariant   *param)
{
  const DocentDocRecord *rec = first_selected (DOCENT_LIBRARY_SIDEBAR (widget));

  if (rec != NULL)
    show_file (DOCENT_LIBRARY_SIDEBAR (widget), rec->path);
}

static void
doc_show_in_folder (GtkWidget  *widget,
                    const char *action,
                    GVariant   *param)
{
  const DocentDocRecord *rec = first_selected (DOCENT_LIBRARY_SIDEBAR (widget));
  g_autofree char *folder = rec ? g_path_get_dirname (rec->path) : NULL;

  if (folder != NULL)
    show_file (DOCENT_LIBRARY_SIDEBAR (widget), folder);
}

static void
on_job_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!docent_library_service_job_finish (DOCENT_LIBRARY_SERVICE (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("%s", error->message);
}

static void
on_reindexed (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) results = docent_library_service_add_finish (DOCENT_LIBRARY_SERVICE (source),
                                                                    result, &error);

  if (results == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("%s", error->message);
}

static void
doc_reindex (GtkWidget  *widget,
             const char *action,
             GVariant   *param)
{
  DocentLibrarySidebar *self = DOCENT_LIBRARY_SIDEBAR (widget);
  g_autoptr(GArray) ids = selected_ids (self);

  if (ids->len > 0)
    docent_library_service_reindex_async (self->service, (gint64 *) ids->data, ids->len,
                                          NULL, on_reindexed, NULL);
}

static void
on_remove_response (AdwMessageDialog     *dialog,
                    const char           *response,
                    DocentLibrarySidebar *self)
{
  GArray *ids = g_object_get_data (G_OBJECT (dialog), "docent-ids");

  if (g_strcmp0 (response, "remove") == 0)
    docent_library_service_remove_async (self->service, (gint64 *) ids->data, ids->len,
                                         NULL, on_job_done, NULL);
}

static void
doc_remove (GtkWidget  *widget,
            const char *action,
            GVariant   *param)
{
  DocentLibrarySidebar *self = DOCENT_LIBRARY_SIDEBAR (widget);
  GArray *ids = selected_ids (self);
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autofree char *body = NULL;
  GtkWidget *dialog;

  if (ids->len == 0)
    {
      g_array_unref (ids);
      return;
    }
  body = g_strdup_printf (ids->len == 1
                          ? "The document is removed from the library; the file itself is kept."
                          : "The %u documents are removed from the library; the files themselves are kept.",
                          ids->len);
  dialog = adw_message_dialog_new (GTK_WINDOW (root),
                                   ids->len == 1 ? "Remove Document?" : "Remove Documents?",
                                   body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", "_Cancel", "remove", "_Remove", NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "remove",
                                              ADW_RESPONSE_DESTRUCTIVE);
  g_object_set_data_full (G_OBJECT (dialog), "docent-ids", ids, (GDestroyNotify) g_array_unref);
  g_signal_connect (dialog, "response", G_CALLBACK (on_remove_response), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
move_selected (DocentLibrarySidebar *self,
               const char           *collection)
{
  g_autoptr(GArray) ids = selected_ids (self);

  if (ids->len > 0)
    docent_library_service_move_async (self->service, (gint64 *) ids->data, ids->len,
                                       *collection ? collection : NULL, NULL, on_job_done, NULL);
}

static void
doc_move (GtkWidget  *widget,
          const char *action,
          GVariant   *param)
{
  move_selected (DOCENT_LIBRARY_SIDEBAR (widget), g_variant_get_string (param, NULL));
}

static void
on_new_collection_response (AdwMessageDialog     *dialog,
                            const char           *response,
                            DocentLibrarySidebar *self)
{
  GtkEditable *entry = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (entry)));

  if (g_strcmp0 (response, "move") == 0 && *name != '\0')
    move_selected (self, name);
}

static void
doc_new_collection (GtkWidget  *widget,
                    const char *action,
                    GVariant   *param)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)),
                                              "New Collection", NULL);
  GtkWidget *entry = gtk_entry_new ();

  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), "Name");
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", "_Cancel", "move", "_Move", NULL);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "move");
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "move",
                                              ADW_RESPONSE_SUGGESTED);
  g_signal_connect (dialog, "response", G_CALLBACK (on_new_collection_response), widget);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- object ------------------------------------------------------------------- */

static void
docent_library_sidebar_dispose (GObject *object)
{
  DocentLibrarySidebar *self = DOCENT_LIBRARY_SIDEBAR (object);
  GtkWidget *child;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->pulse_id, g_source_remove);
  if (self->service != NULL)
    g_signal_handlers_disconnect_by_data (self->service, self);
  g_clear_object (&self->service);
  g_clear_pointer (&self->popover, gtk_widget_unparent);
  gtk_widget_dispose_template (GTK_WIDGET (self), DOCENT_TYPE_LIBRARY_SIDEBAR);
  /* GTK 4.8 only drops the bound children: the template's box is not. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (docent_library_sidebar_parent_class)->dispose (object);
}

static void
docent_library_sidebar_finalize (GObject *object)
{
  DocentLibrarySidebar *self = DOCENT_LIBRARY_SIDEBAR (object);

  g_clear_pointer (&self->documents, g_ptr_array_unref);
  g_strfreev (self->collections);
  g_free (self->collection);
  G_OBJECT_CLASS (docent_library_sidebar_parent_class)->finalize (object);
}

static void
docent_library_sidebar_class_init (DocentLibrarySidebarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = docent_library_sidebar_dispose;
  object_class->finalize = docent_library_sidebar_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/docent/Docent/ui/library-sidebar.ui");
  gtk_widget_class_bind_template_child (widget_class, DocentLibrarySidebar, collection_dropdown);
  gtk_widget_class_bind_template_child (widget_class, DocentLibrarySidebar, filter_entry);
  gtk_widget_class_bind_template_child (widget_class, DocentLibrarySidebar, list_stack);
  gtk_widget_class_bind_template_child (widget_class, DocentLibrarySidebar, list_box);
  gtk_widget_class_bind_template_child (widget_class, DocentLibrarySidebar, empty_page);
  gtk_widget_class_bind_template_child (widget_class, DocentLibrarySidebar, progress_revealer);
  gtk_widget_class_bind_template_child (widget_class, DocentLibrarySidebar, status_label);
  gtk_widget_class_bind_template_child (widget_class, DocentLibrarySidebar, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, DocentLibrarySidebar, document_menu);
  gtk_widget_class_bind_template_child (widget_class, DocentLibrarySidebar, move_submenu);
  gtk_widget_class_bind_template_callback (widget_class, on_collection_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_filter_changed);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);

  gtk_widget_class_install_action (widget_class, "doc.open", NULL, doc_open);
  gtk_widget_class_install_action (widget_class, "doc.show-in-folder", NULL, doc_show_in_folder);
  gtk_widget_class_install_action (widget_class, "doc.reindex", NULL, doc_reindex);
  gtk_widget_class_install_action (widget_class, "doc.remove", NULL, doc_remove);
  gtk_widget_class_install_action (widget_class, "doc.move", "s", doc_move);
  gtk_widget_class_install_action (widget_class, "doc.new-collection", NULL, doc_new_collection);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "doc.remove", NULL);

  signals[COLLECTION_CHANGED] = g_signal_new ("collection-changed", G_TYPE_FROM_CLASS (klass),
                                              G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                              G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SELECTION_CHANGED] = g_signal_new ("selection-changed", G_TYPE_FROM_CLASS (klass),
                                             G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                             G_TYPE_NONE, 2, G_TYPE_POINTER, G_TYPE_STRING);
  signals[DOCUMENT_ACTIVATED] = g_signal_new ("document-activated", G_TYPE_FROM_CLASS (klass),
                                              G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                              G_TYPE_NONE, 1, G_TYPE_INT64);
}

static void
docent_library_sidebar_init (DocentLibrarySidebar *self)
{
  GtkGesture *gesture = gtk_gesture_click_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
  self->popover = gtk_popover_menu_new_from_model (G_MENU_MODEL (self->document_menu));
  gtk_popover_set_has_arrow (GTK_POPOVER (self->popover), FALSE);
  gtk_widget_set_halign (self->popover, GTK_ALIGN_START);
  gtk_widget_set_parent (self->popover, GTK_WIDGET (self));

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (gesture), GDK_BUTTON_SECONDARY);
  g_signal_connect (gesture, "pressed", G_CALLBACK (on_right_click), self);
  gtk_widget_add_controller (GTK_WIDGET (self->list_box), GTK_EVENT_CONTROLLER (gesture));
  g_signal_connect (self->list_box, "selected-rows-changed", G_CALLBACK (on_rows_selected), self);
  g_signal_connect (self->list_box, "row-activated", G_CALLBACK (on_row_activated), self);
  fill_collections (self);
}

GtkWidget *
docent_library_sidebar_new (DocentLibraryService *service)
{
  DocentLibrarySidebar *self = g_object_new (DOCENT_TYPE_LIBRARY_SIDEBAR, NULL);

  self->service = g_object_ref (service);
  g_signal_connect_swapped (service, "changed", G_CALLBACK (docent_library_sidebar_reload), self);
  g_signal_connect (service, "notify::busy", G_CALLBACK (on_service_notify), self);
  g_signal_connect (service, "notify::progress", G_CALLBACK (on_service_notify), self);
  g_signal_connect (service, "notify::status", G_CALLBACK (on_service_notify), self);
  update_progress (self);
  docent_library_sidebar_reload (self);
  return GTK_WIDGET (self);
}

const char *
docent_library_sidebar_get_collection (DocentLibrarySidebar *self)
{
  return self->collection;
}

guint
docent_library_sidebar_get_n_documents (DocentLibrarySidebar *self)
{
  return self->n_shown;
}

void
docent_library_sidebar_focus_filter (DocentLibrarySidebar *self)
{
  gtk_widget_grab_focus (GTK_WIDGET (self->filter_entry));
}
