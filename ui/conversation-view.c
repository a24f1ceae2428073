/* conversation-view.c — DocentConversationView: the question entry, the
 * scope selector and the turns of one conversation (each a
 * DocentAnswerView). Questions go to the library service; its streamed
 * text and answer come back on the main context. Built from
 * resources/ui/conversation-view.ui. */
#include "ui/conversation-view.h"

#include "app/turns.h"
#include "ui/answer-view.h"

/* Auto-scroll follows the answer while the view is this close to the end. */
#define BOTTOM_SLACK 24.0

/* A question on its way. The service hands its streamed text to a plain
 * function pointer with a pointer of ours and cannot say when the last
 * piece has been delivered; so the pointer is a serial looked up here, and
 * text arriving after the answer (or after the view went away) finds
 * nothing and is dropped. Main thread only. */
typedef struct {
  guint serial;
  DocentConversationView *view;  /* NULL once the view is disposed */
  gboolean detached;             /* the view moved on (reset, load) */
  DocentAnswerView *turn;
  GCancellable *cancellable;
} PendingAsk;

static GHashTable *pending_asks;   /* serial → PendingAsk* */
static guint last_serial;

struct _DocentConversationView {
  GtkWidget parent_instance;

  GtkWidget *box;
  GtkStack *stack;
  GtkScrolledWindow *scroller;
  GtkBox *turns_box;
  GtkDropDown *scope_dropdown;
  GtkTextView *entry_view;
  GtkWidget *placeholder_label;
  GtkButton *send_button;

  DocentLibraryService *service;
  GCancellable *cancellable;     /* collection lists; cancelled at dispose */
  GCancellable *load_cancellable;
  PendingAsk *pending;
  gint64 conversation_id;
  DocentAnswerView *last_turn;

  /* scope */
  GStrv collections;
  char *collection;              /* of the next question, or NULL */
  gboolean use_documents;        /* the next question looks only in them: */
  GArray *documents;             /* gint64, offered in the selector */
  char *documents_title;         /* of the first */
  gboolean rebuilding_scope;

  gboolean follow_bottom;
  guint scroll_idle_id;
};

G_DEFINE_FINAL_TYPE (DocentConversationView, docent_conversation_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_BUSY,
  PROP_CONVERSATION_ID,
  N_PROPS
};

enum {
  CITATION_ACTIVATED,
  CONVERSATIONS_CHANGED,
  N_SIGNALS
};

static GParamSpec *props[N_PROPS];
static guint signals[N_SIGNALS];

/* ---- scrolling ------------------------------------------------------------ */

static gboolean
scroll_to_bottom (gpointer data)
{
  DocentConversationView *self = data;
  GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (self->scroller);

  self->scroll_idle_id = 0;
  gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj));
  return G_SOURCE_REMOVE;
}

/* Not from inside size allocation, where the adjustment is being set up. */
static void
queue_scroll_to_bottom (DocentConversationView *self)
{
  if (self->follow_bottom && self->scroll_idle_id == 0)
    self->scroll_idle_id = g_idle_add (scroll_to_bottom, self);
}

static void
on_adjustment_value_changed (GtkAdjustment          *adj,
                             DocentConversationView *self)
{
  double bottom = gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj);

  self->follow_bottom = gtk_adjustment_get_value (adj) >= bottom - BOTTOM_SLACK;
}

static void
on_adjustment_changed (GtkAdjustment          *adj,
                       DocentConversationView *self)
{
  queue_scroll_to_bottom (self);
}

/* ---- busy state ------------------------------------------------------------- */

static void
update_send_button (DocentConversationView *self)
{
  GtkWidget *button = GTK_WIDGET (self->send_button);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->entry_view);
  gboolean busy = self->pending != NULL;
  const char *label = busy ? "Stop" : "Send";

  gtk_button_set_icon_name (self->send_button, busy ? "media-playback-stop-symbolic"
                                                    : "go-up-symbolic");
  gtk_widget_set_tooltip_text (button, busy ? "Stop" : "Send (Enter)");
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  if (busy)
    gtk_widget_remove_css_class (button, "suggested-action");
  else
    gtk_widget_add_css_class (button, "suggested-action");
  gtk_widget_set_sensitive (button, busy || gtk_text_buffer_get_char_count (buffer) > 0);
}

static void
set_pending (DocentConversationView *self,
             PendingAsk             *pending)
{
  gboolean was_busy = self->pending != NULL;

  self->pending = pending;
  update_send_button (self);
  if (was_busy != (pending != NULL))
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_BUSY]);
}

static void
set_conversation_id (DocentConversationView *self,
                     gint64                  id)
{
  if (self->conversation_id == id)
    return;
  self->conversation_id = id;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_CONVERSATION_ID]);
}

/* The question on its way is forgotten (its answer, when it comes, is
 * not shown) and stopped. */
static void
detach_pending (DocentConversationView *self)
{
  if (self->pending == NULL)
    return;
  self->pending->detached = TRUE;
  g_cancellable_cancel (self->pending->cancellable);
  set_pending (self, NULL);
}

/* ---- turns ---------------------------------------------------------------- */

static void
on_turn_citation (DocentAnswerView       *turn,
                  gint64                  document_id,
                  guint                   page_no,
                  const char             *quote,
                  DocentConversationView *self)
{
  g_signal_emit (self, signals[CITATION_ACTIVATED], 0, document_id, page_no, quote);
}

static DocentAnswerView *
add_turn (DocentConversationView *self,
          const char             *question)
{
  GtkWidget *turn = docent_answer_view_new (question);

  g_signal_connect_object (turn, "citation-activated", G_CALLBACK (on_turn_citation), self, 0);
  gtk_box_append (self->turns_box, turn);
  gtk_stack_set_visible_child_name (self->stack, "turns");
  self->last_turn = DOCENT_ANSWER_VIEW (turn);
  return DOCENT_ANSWER_VIEW (turn);
}

static void
clear_turns (DocentConversationView *self)
{
  GtkWidget *child;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;

  /* Focus in a turn about to go (a selected answer, a chip) moves to the
   * entry first: with GTK 4.8 removing the focused label left a dangling
   * focus widget that size allocation tripped over. */
  if (focus != NULL && gtk_widget_is_ancestor (focus, GTK_WIDGET (self->turns_box)))
    gtk_widget_grab_focus (GTK_WIDGET (self->entry_view));
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->turns_box))) != NULL)
    gtk_box_remove (self->turns_box, child);
  self->last_turn = NULL;
  gtk_stack_set_visible_child_name (self->stack, "empty");
}

/* ---- asking ----------------------------------------------------------------- */

static void
pending_ask_free (PendingAsk *pending)
{
  g_clear_object (&pending->turn);
  g_clear_object (&pending->cancellable);
  g_free (pending);
}

static void
on_ask_text (const char *text,
             gpointer    user_data)
{
  PendingAsk *pending = g_hash_table_lookup (pending_asks, user_data);

  if (pending == NULL || pending->view == NULL || pending->detached)
    return;
  docent_answer_view_append_text (pending->turn, text);
  queue_scroll_to_bottom (pending->view);
}

static void
finish_ask (DocentConversationView *self,
            PendingAsk             *pending,
            DocentAnswer           *answer,
            gint64                  conversation_id,
            const GError           *error)
{
  set_pending (self, NULL);
  if (answer != NULL)
    {
      docent_answer_view_set_answer (pending->turn, answer, TRUE);
      set_conversation_id (self, conversation_id);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    docent_answer_view_set_stopped (pending->turn);
  else
    {
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->entry_view);

      docent_answer_view_set_error (pending->turn, error->message);
      /* the question back in the entry, to try again */
      if (gtk_text_buffer_get_char_count (buffer) == 0)
        gtk_text_buffer_set_text (buffer, docent_answer_view_get_question (pending->turn), -1);
    }
  queue_scroll_to_bottom (self);
}

static void
on_ask_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  PendingAsk *pending = NULL;
  g_autoptr(GError) error = NULL;
  DocentAnswer *answer;
  gint64 conversation_id = 0;

  g_hash_table_steal_extended (pending_asks, user_data, NULL, (gpointer *) &pending);
  answer = docent_library_service_ask_finish (DOCENT_LIBRARY_SERVICE (source), result,
                                              &conversation_id, &error);
  if (pending != NULL && pending->view != NULL)
    {
      DocentConversationView *self = pending->view;

      g_object_remove_weak_pointer (G_OBJECT (self), (gpointer *) &pending->view);
      if (!pending->detached)
        finish_ask (self, pending, g_steal_pointer (&answer), conversation_id, error);
      if (error == NULL)
        g_signal_emit (self, signals[CONVERSATIONS_CHANGED], 0);
    }
  g_clear_pointer (&answer, docent_answer_free);
  g_clear_pointer (&pending, pending_ask_free);
}

static gboolean
start_ask (DocentConversationView *self,
           const char             *question)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (question != NULL ? question : ""));
  DocentAskOptions opts = { 0 };
  PendingAsk *pending;

  if (*trimmed == '\0' || self->pending != NULL || self->service == NULL)
    return FALSE;
  if (pending_asks == NULL)
    pending_asks = g_hash_table_new (NULL, NULL);

  pending = g_new0 (PendingAsk, 1);
  pending->serial = ++last_serial;
  pending->view = self;
  g_object_add_weak_pointer (G_OBJECT (self), (gpointer *) &pending->view);
  pending->turn = g_object_ref (add_turn (self, trimmed));
  pending->cancellable = g_cancellable_new ();
  g_hash_table_insert (pending_asks, GUINT_TO_POINTER (pending->serial), pending);

  opts.question = trimmed;
  opts.collection = self->collection;
  if (self->use_documents && self->documents->len > 0)
    {
      opts.document_ids = (const gint64 *) self->documents->data;
      opts.n_document_ids = self->documents->len;
    }
  opts.conversation_id = self->conversation_id;
  docent_library_service_ask_async (self->service, &opts, on_ask_text,
                                    GUINT_TO_POINTER (pending->serial), pending->cancellable,
                                    on_ask_done, GUINT_TO_POINTER (pending->serial));
  set_pending (self, pending);
  self->follow_bottom = TRUE;
  queue_scroll_to_bottom (self);
  return TRUE;
}

void
docent_conversation_view_ask (DocentConversationView *self,
                              const char             *question)
{
  g_return_if_fail (DOCENT_IS_CONVERSATION_VIEW (self));
  start_ask (self, question);
}

void
docent_conversation_view_stop (DocentConversationView *self)
{
  g_return_if_fail (DOCENT_IS_CONVERSATION_VIEW (self));

  if (self->pending != NULL)
    g_cancellable_cancel (self->pending->cancellable);
}

gboolean
docent_conversation_view_get_busy (DocentConversationView *self)
{
  g_return_val_if_fail (DOCENT_IS_CONVERSATION_VIEW (self), FALSE);
  return self->pending != NULL;
}

/* ---- the entry -------------------------------------------------------------- */

static void
send_entry (DocentConversationView *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->entry_view);
  GtkTextIter start, end;
  g_autofree char *text = NULL;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  if (start_ask (self, text))
    gtk_text_buffer_set_text (buffer, "", 0);
}

static void
on_send_clicked (DocentConversationView *self)
{
  if (self->pending != NULL)
    docent_conversation_view_stop (self);
  else
    send_entry (self);
}

static gboolean
on_entry_key (GtkEventControllerKey  *controller,
              guint                   keyval,
              guint                   keycode,
              GdkModifierType         state,
              DocentConversationView *self)
{
  if (keyval != GDK_KEY_Return && keyval != GDK_KEY_KP_Enter && keyval != GDK_KEY_ISO_Enter)
    return FALSE;
  if (state & GDK_SHIFT_MASK)
    return FALSE;                   /* the text view inserts the newline */
  if (self->pending == NULL)
    send_entry (self);
  return TRUE;
}

static void
on_buffer_changed (GtkTextBuffer          *buffer,
                   DocentConversationView *self)
{
  gtk_widget_set_visible (self->placeholder_label, gtk_text_buffer_get_char_count (buffer) == 0);
  update_send_button (self);
}

void
docent_conversation_view_focus_entry (DocentConversationView *self)
{
  g_return_if_fail (DOCENT_IS_CONVERSATION_VIEW (self));
  gtk_widget_grab_focus (GTK_WIDGET (self->entry_view));
}

/* ---- scope ------------------------------------------------------------------ */

static gboolean
has_collection (DocentConversationView *self,
                const char             *name)
{
  return self->collections != NULL && g_strv_contains ((const char *const *) self->collections, name);
}

/* The selector's entries: everything, each collection (and the chosen one
 * even when the list does not have it yet), the offered document. */
static void
rebuild_scope (DocentConversationView *self)
{
  g_autoptr(GtkStringList) model = gtk_string_list_new (NULL);
  guint selected = 0, n = 1;

  gtk_string_list_append (model, "All documents");
  for (guint i = 0; self->collections != NULL && self->collections[i] != NULL; i++, n++)
    {
      gtk_string_list_append (model, self->collections[i]);
      if (!self->use_documents && g_strcmp0 (self->collection, self->collections[i]) == 0)
        selected = n;
    }
  if (self->collection != NULL && !has_collection (self, self->collection))
    {
      gtk_string_list_append (model, self->collection);
      if (!self->use_documents)
        selected = n;
      n++;
    }
  if (self->documents->len > 0)
    {
      g_autofree char *label = self->documents->len == 1
        ? g_strdup_printf ("This document: %s", self->documents_title)
        : g_strdup_printf ("The %u selected documents", self->documents->len);

      gtk_string_list_append (model, label);
      if (self->use_documents)
        selected = n;
    }
  self->rebuilding_scope = TRUE;
  gtk_drop_down_set_model (self->scope_dropdown, G_LIST_MODEL (model));
  gtk_drop_down_set_selected (self->scope_dropdown, selected);
  self->rebuilding_scope = FALSE;
}

static void
on_scope_selected (DocentConversationView *self)
{
  guint selected = gtk_drop_down_get_selected (self->scope_dropdown);
  GListModel *model = gtk_drop_down_get_model (self->scope_dropdown);
  guint n_items = model != NULL ? g_list_model_get_n_items (model) : 0;

  if (self->rebuilding_scope || selected == GTK_INVALID_LIST_POSITION)
    return;
  g_clear_pointer (&self->collection, g_free);
  self->use_documents = self->documents->len > 0 && selected == n_items - 1;
  if (!self->use_documents && selected > 0)
    self->collection = g_strdup (gtk_string_list_get_string (GTK_STRING_LIST (model), selected));
}

static void
offer_documents (DocentConversationView *self,
                 const gint64           *ids,
                 guint                   n_ids,
                 const char             *title)
{
  g_array_set_size (self->documents, 0);
  g_array_append_vals (self->documents, ids, n_ids);
  g_free (self->documents_title);
  self->documents_title = g_strdup (title != NULL ? title : "untitled");
  if (n_ids == 0)
    self->use_documents = FALSE;
}

void
docent_conversation_view_set_selection (DocentConversationView *self,
                                        const gint64           *ids,
                                        guint                   n_ids,
                                        const char             *first_title)
{
  g_return_if_fail (DOCENT_IS_CONVERSATION_VIEW (self));

  offer_documents (self, ids, n_ids, first_title);
  rebuild_scope (self);
}

void
docent_conversation_view_set_scope (DocentConversationView *self,
                                    const char             *collection,
                                    gint64                  document_id,
                                    const char             *document_title)
{
  g_return_if_fail (DOCENT_IS_CONVERSATION_VIEW (self));

  g_free (self->collection);
  self->collection = document_id == 0 ? g_strdup (collection) : NULL;
  self->use_documents = document_id != 0;
  if (document_id != 0)
    offer_documents (self, &document_id, 1, document_title);
  rebuild_scope (self);
}

void
docent_conversation_view_set_collections (DocentConversationView *self,
                                          const char *const      *collections)
{
  g_return_if_fail (DOCENT_IS_CONVERSATION_VIEW (self));

  g_strfreev (self->collections);
  self->collections = g_strdupv ((char **) collections);
  rebuild_scope (self);
}

static void
on_collections_listed (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = docent_library_service_list_collections_finish (DOCENT_LIBRARY_SERVICE (source),
                                                                       result, &error);

  /* cancelled at dispose: user_data is gone */
  if (names == NULL)
    return;
  docent_conversation_view_set_collections (user_data, (const char *const *) names);
}

static void
fetch_collections (DocentConversationView *self)
{
  docent_library_service_list_collections_async (self->service, self->cancellable,
                                                 on_collections_listed, self);
}

/* ---- conversations ---------------------------------------------------------- */

void
docent_conversation_view_reset (DocentConversationView *self)
{
  g_return_if_fail (DOCENT_IS_CONVERSATION_VIEW (self));

  detach_pending (self);
  g_cancellable_cancel (self->load_cancellable);
  clear_turns (self);
  set_conversation_id (self, 0);
}

static void
show_stored_turn (DocentConversationView *self,
                  const DocentTurn       *turn)
{
  g_autoptr(GError) error = NULL;
  DocentAnswerView *view = add_turn (self, turn->question);
  DocentAnswer *answer;

  if (turn->answer == NULL)
    {
      docent_answer_view_set_error (view, "it was not answered");
      return;
    }
  answer = docent_turn_to_answer (turn, &error);
  if (answer == NULL)
    {
      /* damaged citations: the text is still worth showing */
      g_debug ("stored citations unreadable: %s", error->message);
      answer = docent_answer_new (turn->question, DOCENT_ANSWER_EXTRACTIVE);
      answer->answer = g_strdup (turn->answer);
    }
  docent_answer_view_set_answer (view, answer, FALSE);
}

static void
on_turns_loaded (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) turns = docent_library_service_turns_finish (DOCENT_LIBRARY_SERVICE (source),
                                                                    result, &error);
  DocentConversationView *self = user_data;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (turns == NULL)
    {
      DocentAnswerView *view = add_turn (self, "This conversation could not be opened");

      docent_answer_view_set_error (view, error->message);
      return;
    }
  for (guint i = 0; i < turns->len; i++)
    show_stored_turn (self, g_ptr_array_index (turns, i));
  self->follow_bottom = TRUE;
  queue_scroll_to_bottom (self);
}

void
docent_conversation_view_load (DocentConversationView *self,
                               gint64                  conversation_id)
{
  g_return_if_fail (DOCENT_IS_CONVERSATION_VIEW (self));

  docent_conversation_view_reset (self);
  if (conversation_id == 0 || self->service == NULL)
    return;
  set_conversation_id (self, conversation_id);
  g_clear_object (&self->load_cancellable);
  self->load_cancellable = g_cancellable_new ();
  docent_library_service_turns_async (self->service, conversation_id, self->load_cancellable,
                                      on_turns_loaded, self);
}

gint64
docent_conversation_view_get_conversation_id (DocentConversationView *self)
{
  g_return_val_if_fail (DOCENT_IS_CONVERSATION_VIEW (self), 0);
  return self->conversation_id;
}

/* ---- for tests -------------------------------------------------------------- */

const char *
docent_conversation_view_get_last_answer (DocentConversationView *self)
{
  g_return_val_if_fail (DOCENT_IS_CONVERSATION_VIEW (self), NULL);
  return self->last_turn != NULL ? docent_answer_view_get_text (self->last_turn) : NULL;
}

guint
docent_conversation_view_get_n_chips (DocentConversationView *self)
{
  g_return_val_if_fail (DOCENT_IS_CONVERSATION_VIEW (self), 0);
  return self->last_turn != NULL ? docent_answer_view_get_n_chips (self->last_turn) : 0;
}

gboolean
docent_conversation_view_activate_citation (DocentConversationView *self,
                                            guint                   n)
{
  g_return_val_if_fail (DOCENT_IS_CONVERSATION_VIEW (self), FALSE);
  return self->last_turn != NULL && docent_answer_view_activate_citation (self->last_turn, n);
}

/* ---- object ----------------------------------------------------------------- */

static void
docent_conversation_view_get_property (GObject    *object,
                                       guint       prop_id,
                                       GValue     *value,
                                       GParamSpec *pspec)
{
  DocentConversationView *self = DOCENT_CONVERSATION_VIEW (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, self->pending != NULL);
      break;
    case PROP_CONVERSATION_ID:
      g_value_set_int64 (value, self->conversation_id);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
docent_conversation_view_dispose (GObject *object)
{
  DocentConversationView *self = DOCENT_CONVERSATION_VIEW (object);

  if (self->pending != NULL)
    {
      self->pending->detached = TRUE;
      g_cancellable_cancel (self->pending->cancellable);
      self->pending = NULL;
    }
  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->load_cancellable);
  g_clear_handle_id (&self->scroll_idle_id, g_source_remove);
  self->last_turn = NULL;
  gtk_widget_dispose_template (GTK_WIDGET (self), DOCENT_TYPE_CONVERSATION_VIEW);
  g_clear_object (&self->service);
  G_OBJECT_CLASS (docent_conversation_view_parent_class)->dispose (object);
}

static void
docent_conversation_view_finalize (GObject *object)
{
  DocentConversationView *self = DOCENT_CONVERSATION_VIEW (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->load_cancellable);
  g_strfreev (self->collections);
  g_free (self->collection);
  g_clear_pointer (&self->documents, g_array_unref);
  g_free (self->documents_title);
  G_OBJECT_CLASS (docent_conversation_view_parent_class)->finalize (object);
}

/* Where typing goes when the window has not chosen yet: otherwise GTK
 * picks the first focusable widget, a selectable label that then shows
 * itself all selected. */
static void
docent_conversation_view_map (GtkWidget *widget)
{
  DocentConversationView *self = DOCENT_CONVERSATION_VIEW (widget);
  GtkRoot *root;

  GTK_WIDGET_CLASS (docent_conversation_view_parent_class)->map (widget);
  root = gtk_widget_get_root (widget);
  if (root != NULL && gtk_root_get_focus (root) == NULL)
    gtk_widget_grab_focus (GTK_WIDGET (self->entry_view));
}

static void
docent_conversation_view_class_init (DocentConversationViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = docent_conversation_view_get_property;
  object_class->dispose = docent_conversation_view_dispose;
  object_class->finalize = docent_conversation_view_finalize;
  widget_class->map = docent_conversation_view_map;

  props[PROP_BUSY] = g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                                           G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                                           G_PARAM_STATIC_STRINGS);
  props[PROP_CONVERSATION_ID] = g_param_spec_int64 ("conversation-id", NULL, NULL,
                                                    0, G_MAXINT64, 0,
                                                    G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                                                    G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, props);

  signals[CITATION_ACTIVATED] =
    g_signal_new ("citation-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                  G_TYPE_INT64, G_TYPE_UINT, G_TYPE_STRING);
  signals[CONVERSATIONS_CHANGED] =
    g_signal_new ("conversations-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  g_type_ensure (DOCENT_TYPE_ANSWER_VIEW);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/docent/Docent/ui/conversation-view.ui");
  gtk_widget_class_bind_template_child (widget_class, DocentConversationView, box);
  gtk_widget_class_bind_template_child (widget_class, DocentConversationView, stack);
  gtk_widget_class_bind_template_child (widget_class, DocentConversationView, scroller);
  gtk_widget_class_bind_template_child (widget_class, DocentConversationView, turns_box);
  gtk_widget_class_bind_template_child (widget_class, DocentConversationView, scope_dropdown);
  gtk_widget_class_bind_template_child (widget_class, DocentConversationView, entry_view);
  gtk_widget_class_bind_template_child (widget_class, DocentConversationView, placeholder_label);
  gtk_widget_class_bind_template_child (widget_class, DocentConversationView, send_button);
  gtk_widget_class_bind_template_callback (widget_class, on_send_clicked);
}

static void
docent_conversation_view_init (DocentConversationView *self)
{
  GtkEventController *keys;
  GtkAdjustment *adj;

  self->documents = g_array_new (FALSE, FALSE, sizeof (gint64));
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->follow_bottom = TRUE;

  keys = gtk_event_controller_key_new ();
  /* before the text view's own handling, which would insert the newline */
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_entry_key), self);
  gtk_widget_add_controller (GTK_WIDGET (self->entry_view), keys);
  g_signal_connect (gtk_text_view_get_buffer (self->entry_view), "changed",
                    G_CALLBACK (on_buffer_changed), self);

  adj = gtk_scrolled_window_get_vadjustment (self->scroller);
  g_signal_connect (adj, "value-changed", G_CALLBACK (on_adjustment_value_changed), self);
  g_signal_connect (adj, "changed", G_CALLBACK (on_adjustment_changed), self);

  g_signal_connect_swapped (self->scope_dropdown, "notify::selected",
                            G_CALLBACK (on_scope_selected), self);
  rebuild_scope (self);
  update_send_button (self);
}

GtkWidget *
docent_conversation_view_new (DocentLibraryService *service)
{
  DocentConversationView *self = g_object_new (DOCENT_TYPE_CONVERSATION_VIEW, NULL);

  self->service = g_object_ref (service);
  g_signal_connect_object (service, "changed", G_CALLBACK (fetch_collections), self,
                           G_CONNECT_SWAPPED);
  fetch_collections (self);
  return GTK_WIDGET (self);
}
