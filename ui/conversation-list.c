/* conversation-list.c — DocentConversationList: the stored conversations,
 * newest first, each row with its title, when it was last continued and
 * a menu (Rename…, Delete) whose actions ask in an AdwMessageDialog and
 * then go through the library service. Built from
 * resources/ui/conversation-list.ui; rows are built here. */
#include "ui/conversation-list.h"

struct _DocentConversationList {
  GtkWidget parent_instance;

  GtkStack *stack;
  AdwStatusPage *empty_page;
  GtkListBox *list_box;

  DocentLibraryService *service;
  GCancellable *cancellable;     /* the running reload */
  GPtrArray *conversations;      /* DocentConversation*, as listed */
  gint64 selected_id;
};

G_DEFINE_FINAL_TYPE (DocentConversationList, docent_conversation_list, GTK_TYPE_WIDGET)

enum {
  CONVERSATION_ACTIVATED,
  CONVERSATION_DELETED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const DocentConversation *
find_conversation (DocentConversationList *self,
                   gint64                  id)
{
  for (guint i = 0; i < self->conversations->len; i++)
    {
      const DocentConversation *c = g_ptr_array_index (self->conversations, i);

      if (c->id == id)
        return c;
    }
  return NULL;
}

/* ---- rows ------------------------------------------------------------------- */

static GDateTime *
local_midnight (GDateTime *when)
{
  return g_date_time_new_local (g_date_time_get_year (when), g_date_time_get_month (when),
                                g_date_time_get_day_of_month (when), 0, 0, 0);
}

/* "14:05" today, "Yesterday", a weekday this week, "3 Mar" this year, else
 * "3 Mar 2024". */
static char *
relative_date (gint64 seconds)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) then = g_date_time_new_from_unix_local (seconds);
  g_autoptr(GDateTime) today = NULL, day = NULL;
  gint64 days;

  if (then == NULL)
    return g_strdup ("");
  today = local_midnight (now);
  day = local_midnight (then);
  days = g_date_time_difference (today, day) / G_TIME_SPAN_DAY;
  if (days <= 0)
    return g_date_time_format (then, "%H:%M");
  if (days == 1)
    return g_strdup ("Yesterday");
  if (days < 7)
    return g_date_time_format (then, "%A");
  if (g_date_time_get_year (then) == g_date_time_get_year (now))
    return g_date_time_format (then, "%-d %b");
  return g_date_time_format (then, "%-d %b %Y");
}

static GMenuModel *
row_menu (gint64 id)
{
  GMenu *menu = g_menu_new ();
  g_autoptr(GMenuItem) rename = g_menu_item_new ("_Rename…", NULL);
  g_autoptr(GMenuItem) delete = g_menu_item_new ("_Delete", NULL);

  g_menu_item_set_action_and_target_value (rename, "conversation.rename", g_variant_new_int64 (id));
  g_menu_item_set_action_and_target_value (delete, "conversation.delete", g_variant_new_int64 (id));
  g_menu_append_item (menu, rename);
  g_menu_append_item (menu, delete);
  return G_MENU_MODEL (menu);
}

static GtkWidget *
row_new (const DocentConversation *c)
{
  g_autofree char *date = relative_date (c->updated != 0 ? c->updated : c->created);
  g_autoptr(GMenuModel) menu = row_menu (c->id);
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *labels = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *title = gtk_label_new (c->title != NULL && *c->title != '\0' ? c->title
                                                                          : "Untitled");
  GtkWidget *when = gtk_label_new (date);
  GtkWidget *button = gtk_menu_button_new ();

  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (GTK_LABEL (when), 0);
  gtk_widget_add_css_class (when, "caption");
  gtk_widget_add_css_class (when, "dim-label");
  gtk_widget_set_hexpand (labels, TRUE);
  gtk_box_append (GTK_BOX (labels), title);
  gtk_box_append (GTK_BOX (labels), when);

  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (button), "view-more-symbolic");
  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (button), menu);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, "Conversation Menu");
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  "Conversation menu", -1);

  gtk_box_append (GTK_BOX (box), labels);
  gtk_box_append (GTK_BOX (box), button);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_widget_set_tooltip_text (row, c->title);
  return row;
}

static void
apply_selection (DocentConversationList *self)
{
  GtkListBoxRow *row = NULL;

  for (guint i = 0; i < self->conversations->len && row == NULL; i++)
    if (((DocentConversation *) g_ptr_array_index (self->conversations, i))->id == self->selected_id)
      row = gtk_list_box_get_row_at_index (self->list_box, i);
  if (row != NULL)
    gtk_list_box_select_row (self->list_box, row);
  else
    gtk_list_box_unselect_all (self->list_box);
}

static void
show_conversations (DocentConversationList *self,
                    GPtrArray              *conversations)
{
  GtkWidget *child;

  /* (gtk_list_box_remove_all is GTK 4.12) */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list_box))) != NULL)
    gtk_list_box_remove (self->list_box, child);
  g_ptr_array_unref (self->conversations);
  self->conversations = g_ptr_array_ref (conversations);
  for (guint i = 0; i < conversations->len; i++)
    gtk_list_box_append (self->list_box, row_new (g_ptr_array_index (conversations, i)));
  adw_status_page_set_title (self->empty_page, "No Conversations");
  adw_status_page_set_description (self->empty_page, "Questions you ask are kept here.");
  gtk_stack_set_visible_child_name (self->stack, conversations->len > 0 ? "list" : "empty");
  apply_selection (self);
}

/* The library could not be read (the window says why more prominently):
 * an empty list that says so rather than "No Conversations". */
static void
show_unavailable (DocentConversationList *self,
                  const char             *message)
{
  adw_status_page_set_title (self->empty_page, "Conversations Unavailable");
  adw_status_page_set_description (self->empty_page, message);
  gtk_stack_set_visible_child_name (self->stack, "empty");
}

/* A rename or delete that failed: said in a toast when the window has an
 * overlay for them (not a warning: a busy database is not a bug). */
static void
report_failure (DocentConversationList *self,
                const char             *what,
                const GError           *error)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);
  g_autofree char *text = g_strdup_printf ("%s: %s", what, error->message);

  g_debug ("%s", text);
  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (text));
}

static void
on_row_activated (GtkListBox    *list,
                  GtkListBoxRow *row,
                  gpointer       user_data)
{
  DocentConversationList *self = user_data;   /* the template's object */
  int i = gtk_list_box_row_get_index (row);
  const DocentConversation *c;

  if (i < 0 || (guint) i >= self->conversations->len)
    return;
  c = g_ptr_array_index (self->conversations, i);
  self->selected_id = c->id;
  g_signal_emit (self, signals[CONVERSATION_ACTIVATED], 0, c->id);
}

/* ---- loading ---------------------------------------------------------------- */

static void
on_listed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) conversations =
    docent_library_service_list_conversations_finish (DOCENT_LIBRARY_SERVICE (source), result, &error);

  /* cancelled by a newer reload or at dispose: user_data may be gone */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (conversations == NULL)
    {
      show_unavailable (user_data, error->message);
      return;
    }
  show_conversations (user_data, conversations);
}

void
docent_conversation_list_reload (DocentConversationList *self)
{
  g_return_if_fail (DOCENT_IS_CONVERSATION_LIST (self));

  if (self->service == NULL)
    return;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  docent_library_service_list_conversations_async (self->service, self->cancellable,
                                                   on_listed, self);
}

void
docent_conversation_list_select (DocentConversationList *self,
                                 gint64                  conversation_id)
{
  g_return_if_fail (DOCENT_IS_CONVERSATION_LIST (self));

  self->selected_id = conversation_id;
  apply_selection (self);
}

guint
docent_conversation_list_get_n_items (DocentConversationList *self)
{
  g_return_val_if_fail (DOCENT_IS_CONVERSATION_LIST (self), 0);
  return self->conversations->len;
}

gint64
docent_conversation_list_get_item_id (DocentConversationList *self,
                                      guint                   index)
{
  g_return_val_if_fail (DOCENT_IS_CONVERSATION_LIST (self), 0);

  if (index >= self->conversations->len)
    return 0;
  return ((DocentConversation *) g_ptr_array_index (self->conversations, index))->id;
}

const char *
docent_conversation_list_get_item_title (DocentConversationList *self,
                                         guint                   index)
{
  g_return_val_if_fail (DOCENT_IS_CONVERSATION_LIST (self), NULL);

  if (index >= self->conversations->len)
    return NULL;
  return ((DocentConversation *) g_ptr_array_index (self->conversations, index))->title;
}

/* ---- rename and delete ------------------------------------------------------ */

typedef struct {
  DocentConversationList *self;  /* a reference: the service has no cancellable here */
  gint64 id;
} Change;

static void
change_free (Change *change)
{
  g_object_unref (change->self);
  g_free (change);
}

static void
change_closure_free (gpointer  data,
                     GClosure *closure)
{
  change_free (data);
}

static Change *
change_new (DocentConversationList *self,
            gint64                  id)
{
  Change *change = g_new0 (Change, 1);

  change->self = g_object_ref (self);
  change->id = id;
  return change;
}

static void
on_renamed (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Change *change = user_data;
  g_autoptr(GError) error = NULL;

  if (!docent_library_service_job_finish (DOCENT_LIBRARY_SERVICE (source), result, &error))
    report_failure (change->self, "The conversation could not be renamed", error);
  docent_conversation_list_reload (change->self);
  change_free (change);
}

void
docent_conversation_list_rename (DocentConversationList *self,
                                 gint64                  conversation_id,
                                 const char             *title)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (title != NULL ? title : ""));

  g_return_if_fail (DOCENT_IS_CONVERSATION_LIST (self));

  if (*trimmed == '\0' || self->service == NULL)
    return;
  docent_library_service_rename_conversation_async (self->service, conversation_id, trimmed,
                                                    on_renamed, change_new (self, conversation_id));
}

static void
on_deleted (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Change *change = user_data;
  g_autoptr(GError) error = NULL;

  if (!docent_library_service_job_finish (DOCENT_LIBRARY_SERVICE (source), result, &error))
    report_failure (change->self, "The conversation could not be deleted", error);
  else
    {
      if (change->self->selected_id == change->id)
        change->self->selected_id = 0;
      g_signal_emit (change->self, signals[CONVERSATION_DELETED], 0, change->id);
    }
  docent_conversation_list_reload (change->self);
  change_free (change);
}

void
docent_conversation_list_delete (DocentConversationList *self,
                                 gint64                  conversation_id)
{
  g_return_if_fail (DOCENT_IS_CONVERSATION_LIST (self));

  if (self->service == NULL)
    return;
  docent_library_service_delete_conversation_async (self->service, conversation_id,
                                                    on_deleted, change_new (self, conversation_id));
}

/* ---- the row menu's dialogs ------------------------------------------------- */

static GtkWindow *
parent_window (DocentConversationList *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

static void
on_rename_response (AdwMessageDialog *dialog,
                    const char       *response,
                    gpointer          user_data)
{
  Change *change = user_data;
  GtkEditable *entry = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));

  if (g_strcmp0 (response, "rename") == 0)
    docent_conversation_list_rename (change->self, change->id, gtk_editable_get_text (entry));
}

static void
rename_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  DocentConversationList *self = DOCENT_CONVERSATION_LIST (widget);
  gint64 id = g_variant_get_int64 (parameter);
  const DocentConversation *c = find_conversation (self, id);
  GtkWidget *dialog, *entry;

  if (c == NULL)
    return;
  dialog = adw_message_dialog_new (parent_window (self), "Rename Conversation", NULL);
  entry = gtk_entry_new ();
  gtk_editable_set_text (GTK_EDITABLE (entry), c->title != NULL ? c->title : "");
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  "Title", -1);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", "_Cancel", "rename", "_Rename", NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "rename",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "rename");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_data (dialog, "response", G_CALLBACK (on_rename_response),
                         change_new (self, id), change_closure_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
}

static void
on_delete_response (AdwMessageDialog *dialog,
                    const char       *response,
                    gpointer          user_data)
{
  Change *change = user_data;

  if (g_strcmp0 (response, "delete") == 0)
    docent_conversation_list_delete (change->self, change->id);
}

static void
delete_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  DocentConversationList *self = DOCENT_CONVERSATION_LIST (widget);
  gint64 id = g_variant_get_int64 (parameter);
  const DocentConversation *c = find_conversation (self, id);
  GtkWidget *dialog;

  if (c == NULL)
    return;
  dialog = adw_message_dialog_new (parent_window (self), "Delete Conversation?", NULL);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  "“%s” and its answers will be deleted. This cannot be undone.",
                                  c->title != NULL ? c->title : "Untitled");
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", "_Cancel", "delete", "_Delete", NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_data (dialog, "response", G_CALLBACK (on_delete_response),
                         change_new (self, id), change_closure_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- object ----------------------------------------------------------------- */

static void
docent_conversation_list_dispose (GObject *object)
{
  DocentConversationList *self = DOCENT_CONVERSATION_LIST (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), DOCENT_TYPE_CONVERSATION_LIST);
  g_clear_object (&self->service);
  G_OBJECT_CLASS (docent_conversation_list_parent_class)->dispose (object);
}

static void
docent_conversation_list_finalize (GObject *object)
{
  DocentConversationList *self = DOCENT_CONVERSATION_LIST (object);

  g_clear_object (&self->cancellable);
  g_ptr_array_unref (self->conversations);
  G_OBJECT_CLASS (docent_conversation_list_parent_class)->finalize (object);
}

static void
docent_conversation_list_class_init (DocentConversationListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = docent_conversation_list_dispose;
  object_class->finalize = docent_conversation_list_finalize;

  signals[CONVERSATION_ACTIVATED] =
    g_signal_new ("conversation-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);
  signals[CONVERSATION_DELETED] =
    g_signal_new ("conversation-deleted", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);

  gtk_widget_class_install_action (widget_class, "conversation.rename", "x", rename_action);
  gtk_widget_class_install_action (widget_class, "conversation.delete", "x", delete_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/docent/Docent/ui/conversation-list.ui");
  gtk_widget_class_bind_template_child (widget_class, DocentConversationList, stack);
  gtk_widget_class_bind_template_child (widget_class, DocentConversationList, empty_page);
  gtk_widget_class_bind_template_child (widget_class, DocentConversationList, list_box);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated);
}

static void
docent_conversation_list_init (DocentConversationList *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->conversations = g_ptr_array_new_with_free_func ((GDestroyNotify) docent_conversation_free);
}

GtkWidget *
docent_conversation_list_new (DocentLibraryService *service)
{
  DocentConversationList *self = g_object_new (DOCENT_TYPE_CONVERSATION_LIST, NULL);

  self->service = g_object_ref (service);
  docent_conversation_list_reload (self);
  return GTK_WIDGET (self);
}
