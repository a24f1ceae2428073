/* test-conversation-ui.c — the conversation pane on a real library through
 * the library service: a question answered with citation chips, a chip
 * opening the right document and page, a stored conversation loaded back,
 * the scope selector narrowing the next question, and the conversation
 * list with rename and delete. Screenshots are saved in the build folder
 * (conversation-ui.png, conversation-model.png, conversation-list.png,
 * conversation-error.png).
 * Run under Xvfb by run-ui-test.sh; skipped when there is no display. */
#include <string.h>

#include <glib/gstdio.h>

#include "app/library.h"
#include "engine/synth.h"
#include "tests/fixtures.h"
#include "tests/pdfgen.h"
#include "tests/ui-fixtures.h"
#include "ui/answer-view.h"
#include "ui/conversation-list.h"
#include "ui/conversation-view.h"

#define WAIT_SECONDS 60

static const char *const lease_pages[] = {
  "# Residential lease\n\n"
  "This agreement is made between the landlord and the tenant of the flat.\n\n"
  "# Rent\n\n"
  "The monthly rent is $1,850, due on the first day of each month.",
  "# Deposit\n\n"
  "The tenant pays a security deposit of $2,775 before moving in. "
  "The landlord returns the deposit within 21 days after the tenancy ends, "
  "less itemised deductions for damage.\n\n"
  "# Ending the lease\n\n"
  "Either party may end the lease by giving at least sixty (60) days' written notice.",
};

static const char garden[] =
  "Garden club notes\n\n"
  "The garden club meets on Thursday evenings to plant tulips and prune the roses. "
  "Members bring their own gloves and share seeds in the spring.\n";

typedef struct {
  char *dir;
  char *lib;
  gint64 lease_id;
  gint64 garden_id;
  DocentLibraryService *service;
  GtkWidget *window;
  /* the last "citation-activated" */
  guint n_activated;
  gint64 document_id;
  guint page_no;
  char *quote;
  gint64 deleted_id;
} Fixture;

static gboolean
tick (gpointer data)
{
  return G_SOURCE_CONTINUE;   /* only wakes the loop so deadlines are checked */
}

#define WAIT_UNTIL(cond) G_STMT_START {                                         \
  gint64 deadline_ = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;   \
  guint tick_ = g_timeout_add (20, tick, NULL);                                 \
  while (!(cond))                                                               \
    {                                                                           \
      if (g_get_monotonic_time () > deadline_)                                  \
        g_error ("timed out waiting for %s", #cond);                            \
      g_main_context_iteration (NULL, TRUE);                                    \
    }                                                                           \
  g_source_remove (tick_);                                                      \
} G_STMT_END

static gint64
document_id_of (GPtrArray  *results,
                const char *name)
{
  for (guint i = 0; i < results->len; i++)
    {
      const DocentAddResult *r = g_ptr_array_index (results, i);

      if (g_str_has_suffix (r->path, name))
        return r->document_id;
    }
  g_error ("%s was not added", name);
  return 0;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autofree char *docs = NULL, *pdf = NULL;
  const char *paths[2] = { NULL, NULL };
  DocentAddOptions opts = { 0 };
  DocentLibrary *library;

  f->dir = docent_test_tmpdir ();
  docs = g_build_filename (f->dir, "docs", NULL);
  f->lib = g_build_filename (f->dir, "lib", NULL);
  g_assert_cmpint (g_mkdir (docs, 0700), ==, 0);
  pdf = g_build_filename (docs, "lease.pdf", NULL);
  g_assert_true (docent_test_write_pdf (pdf, "Lease Agreement", lease_pages,
                                        G_N_ELEMENTS (lease_pages), &error));
  g_assert_no_error (error);
  g_free (docent_test_write_file (docs, "garden.txt", garden, -1));

  library = docent_library_open (f->lib, &error);
  g_assert_no_error (error);
  paths[0] = docs;
  g_assert_true (docent_library_add (library, paths, &opts, &results, &error));
  g_assert_no_error (error);
  f->lease_id = document_id_of (results, "lease.pdf");
  f->garden_id = document_id_of (results, "garden.txt");
  docent_library_close (library);

  f->service = docent_library_service_new (f->lib);
  f->window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (f->window), 900, 720);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  docent_test_ui_settle ();
  docent_library_service_shutdown (f->service);
  g_object_unref (f->service);
  docent_test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->lib);
  g_free (f->quote);
}

static void
on_citation (GtkWidget  *view,
             gint64      document_id,
             guint       page_no,
             const char *quote,
             Fixture    *f)
{
  f->n_activated++;
  f->document_id = document_id;
  f->page_no = page_no;
  g_free (f->quote);
  f->quote = g_strdup (quote);
}

static void
screenshot (GtkWidget  *window,
            const char *name)
{
  /* past the page transitions (crossfades of 200 ms) */
  docent_test_ui_settle ();
  docent_test_ui_screenshot (window, name);
}

static DocentConversationView *
show_view (Fixture *f)
{
  GtkWidget *view = docent_conversation_view_new (f->service);

  g_signal_connect (view, "citation-activated", G_CALLBACK (on_citation), f);
  gtk_window_set_child (GTK_WINDOW (f->window), view);
  gtk_window_present (GTK_WINDOW (f->window));
  return DOCENT_CONVERSATION_VIEW (view);
}

static void
ask_and_wait (DocentConversationView *view,
              const char             *question)
{
  docent_conversation_view_ask (view, question);
  g_assert_true (docent_conversation_view_get_busy (view));
  WAIT_UNTIL (!docent_conversation_view_get_busy (view));
  docent_test_ui_settle ();
}

static void
count (guint *counter)
{
  (*counter)++;
}

static void
test_ask (Fixture       *f,
          gconstpointer  data)
{
  DocentConversationView *view = show_view (f);
  guint changed = 0;
  const char *answer;
  gint64 conversation;

  g_signal_connect_swapped (view, "conversations-changed", G_CALLBACK (count), &changed);

  /* nothing to ask: not sent */
  docent_conversation_view_ask (view, "  \n ");
  g_assert_false (docent_conversation_view_get_busy (view));
  g_assert_null (docent_conversation_view_get_last_answer (view));

  ask_and_wait (view, "How much is the security deposit?");
  answer = docent_conversation_view_get_last_answer (view);
  g_assert_nonnull (answer);
  g_assert_nonnull (strstr (answer, "$2,775"));
  g_assert_nonnull (strstr (answer, "[1]"));
  g_assert_cmpuint (docent_conversation_view_get_n_chips (view), >=, 1);
  conversation = docent_conversation_view_get_conversation_id (view);
  g_assert_cmpint (conversation, >, 0);
  g_assert_cmpuint (changed, ==, 1);
  screenshot (f->window, "conversation-ui.png");

  g_assert_true (docent_conversation_view_activate_citation (view, 1));
  g_assert_cmpuint (f->n_activated, ==, 1);
  g_assert_cmpint (f->document_id, ==, f->lease_id);
  g_assert_cmpuint (f->page_no, ==, 2);
  g_assert_nonnull (f->quote);
  g_assert_nonnull (strstr (f->quote, "2,775"));
  g_assert_false (docent_conversation_view_activate_citation (view, 99));

  /* a follow-up stays in the conversation */
  ask_and_wait (view, "How much notice is needed to end the lease?");
  g_assert_cmpint (docent_conversation_view_get_conversation_id (view), ==, conversation);
  g_assert_nonnull (strstr (docent_conversation_view_get_last_answer (view), "sixty"));
  g_assert_cmpuint (changed, ==, 2);

  /* reset: the next question starts another conversation */
  docent_conversation_view_reset (view);
  g_assert_cmpint (docent_conversation_view_get_conversation_id (view), ==, 0);
  g_assert_null (docent_conversation_view_get_last_answer (view));
  ask_and_wait (view, "When is the rent due?");
  g_assert_cmpint (docent_conversation_view_get_conversation_id (view), >, conversation);
}

static void
test_load (Fixture       *f,
           gconstpointer  data)
{
  DocentConversationView *view = show_view (f);
  gint64 conversation;

  ask_and_wait (view, "How much is the security deposit?");
  conversation = docent_conversation_view_get_conversation_id (view);

  /* a fresh view shows the stored turn, citations and all */
  view = show_view (f);
  docent_conversation_view_load (view, conversation);
  g_assert_cmpint (docent_conversation_view_get_conversation_id (view), ==, conversation);
  WAIT_UNTIL (docent_conversation_view_get_last_answer (view) != NULL);
  docent_test_ui_settle ();
  g_assert_nonnull (strstr (docent_conversation_view_get_last_answer (view), "$2,775"));
  g_assert_cmpuint (docent_conversation_view_get_n_chips (view), >=, 1);
  g_assert_true (docent_conversation_view_activate_citation (view, 1));
  g_assert_cmpint (f->document_id, ==, f->lease_id);
  g_assert_cmpuint (f->page_no, ==, 2);

  /* and the next question continues it */
  ask_and_wait (view, "When is the rent due?");
  g_assert_cmpint (docent_conversation_view_get_conversation_id (view), ==, conversation);
}

static void
test_scope (Fixture       *f,
            gconstpointer  data)
{
  DocentConversationView *view = show_view (f);
  const char *const collections[] = { "Home", NULL };
  const char *answer;

  docent_conversation_view_set_collections (view, collections);
  /* Only the garden notes: the deposit is not in them. */
  docent_conversation_view_set_scope (view, NULL, f->garden_id, "Garden club notes");
  ask_and_wait (view, "How much is the security deposit?");
  answer = docent_conversation_view_get_last_answer (view);
  g_assert_nonnull (answer);
  g_assert_null (strstr (answer, "2,775"));
  g_assert_cmpuint (docent_conversation_view_get_n_chips (view), ==, 0);

  /* Back to everything. */
  docent_conversation_view_set_scope (view, NULL, 0, NULL);
  ask_and_wait (view, "How much is the security deposit?");
  g_assert_nonnull (strstr (docent_conversation_view_get_last_answer (view), "2,775"));
}

/* Documents selected in the library are offered, not imposed: the next
 * question looks everywhere until the entry is chosen. */
static void
test_selection (Fixture       *f,
                gconstpointer  data)
{
  DocentConversationView *view = show_view (f);
  const gint64 both[] = { f->garden_id, f->lease_id };
  GtkDropDown *dropdown = GTK_DROP_DOWN (docent_test_ui_find (GTK_WIDGET (view), GTK_TYPE_DROP_DOWN));
  GListModel *model;
  guint n;

  docent_conversation_view_set_selection (view, &f->garden_id, 1, "Garden club notes");
  model = gtk_drop_down_get_model (dropdown);
  n = g_list_model_get_n_items (model);
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (model), n - 1), ==,
                   "This document: Garden club notes");
  g_assert_cmpuint (gtk_drop_down_get_selected (dropdown), ==, 0);
  ask_and_wait (view, "How much is the security deposit?");
  g_assert_nonnull (strstr (docent_conversation_view_get_last_answer (view), "2,775"));

  gtk_drop_down_set_selected (dropdown, n - 1);
  ask_and_wait (view, "How much is the security deposit?");
  g_assert_null (strstr (docent_conversation_view_get_last_answer (view), "2,775"));

  /* Two selected, the entry stays chosen: the lease is among them. */
  docent_conversation_view_set_selection (view, both, G_N_ELEMENTS (both), "Garden club notes");
  model = gtk_drop_down_get_model (dropdown);
  n = g_list_model_get_n_items (model);
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (model), n - 1), ==,
                   "The 2 selected documents");
  g_assert_cmpuint (gtk_drop_down_get_selected (dropdown), ==, n - 1);
  ask_and_wait (view, "How much is the security deposit?");
  g_assert_nonnull (strstr (docent_conversation_view_get_last_answer (view), "2,775"));

  /* Nothing selected: back to all documents. */
  docent_conversation_view_set_selection (view, NULL, 0, NULL);
  g_assert_cmpuint (gtk_drop_down_get_selected (dropdown), ==, 0);
}

/* Presses a key in the text view as the view's key controller (the one
 * in the capture phase, before the text view's own) sees it. */
static gboolean
press_key (GtkWidget       *text_view,
           guint            keyval,
           GdkModifierType  state)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (text_view);
  gboolean handled = FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (controllers) && !handled; i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_EVENT_CONTROLLER_KEY (controller) &&
          gtk_event_controller_get_propagation_phase (GTK_EVENT_CONTROLLER (controller)) ==
          GTK_PHASE_CAPTURE)
        g_signal_emit_by_name (controller, "key-pressed", keyval, 0, state, &handled);
    }
  return handled;
}

static void
test_entry (Fixture       *f,
            gconstpointer  data)
{
  DocentConversationView *view = show_view (f);
  GtkWidget *text_view = docent_test_ui_find (GTK_WIDGET (view), GTK_TYPE_TEXT_VIEW);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (text_view));

  /* Shift+Enter is left to the text view (a new line); Enter on nothing
   * sends nothing. */
  gtk_text_buffer_set_text (buffer, "When is the rent due?", -1);
  g_assert_false (press_key (text_view, GDK_KEY_Return, GDK_SHIFT_MASK));
  g_assert_false (docent_conversation_view_get_busy (view));
  gtk_text_buffer_set_text (buffer, "  ", -1);
  g_assert_true (press_key (text_view, GDK_KEY_Return, 0));
  g_assert_false (docent_conversation_view_get_busy (view));

  /* Enter sends and empties the entry. */
  gtk_text_buffer_set_text (buffer, "When is the rent due?", -1);
  g_assert_true (press_key (text_view, GDK_KEY_Return, 0));
  g_assert_true (docent_conversation_view_get_busy (view));
  g_assert_cmpint (gtk_text_buffer_get_char_count (buffer), ==, 0);
  WAIT_UNTIL (!docent_conversation_view_get_busy (view));
  g_assert_nonnull (strstr (docent_conversation_view_get_last_answer (view), "first day"));

  /* Stopped before the answer came: marked so, no chips. */
  docent_conversation_view_ask (view, "How much is the security deposit?");
  docent_conversation_view_stop (view);
  WAIT_UNTIL (!docent_conversation_view_get_busy (view));
  g_assert_cmpuint (docent_conversation_view_get_n_chips (view), ==, 0);
}

static void
on_deleted (GtkWidget *list,
            gint64     id,
            Fixture   *f)
{
  f->deleted_id = id;
}

/* Runs a row menu action and returns the dialog it opened. */
static AdwMessageDialog *
open_dialog (GtkWidget  *list,
             const char *action,
             gint64      id)
{
  g_autoptr(GListModel) toplevels = NULL;

  g_assert_true (gtk_widget_activate_action (list, action, "x", id));
  docent_test_ui_settle ();
  toplevels = g_object_ref (gtk_window_get_toplevels ());
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window))
        return ADW_MESSAGE_DIALOG (window);
    }
  g_error ("%s opened no dialog", action);
  return NULL;
}

static void
test_list (Fixture       *f,
           gconstpointer  data)
{
  DocentConversationView *view = show_view (f);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  DocentConversationList *list;
  AdwMessageDialog *dialog;
  GtkWidget *entry;
  gint64 conversation;

  ask_and_wait (view, "How much is the security deposit?");
  conversation = docent_conversation_view_get_conversation_id (view);

  list = DOCENT_CONVERSATION_LIST (docent_conversation_list_new (f->service));
  gtk_widget_set_size_request (GTK_WIDGET (list), 240, -1);
  g_signal_connect (list, "conversation-deleted", G_CALLBACK (on_deleted), f);
  gtk_window_set_child (GTK_WINDOW (f->window), box);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (list));
  WAIT_UNTIL (docent_conversation_list_get_n_items (list) == 1);
  g_assert_cmpint (docent_conversation_list_get_item_id (list, 0), ==, conversation);
  g_assert_cmpstr (docent_conversation_list_get_item_title (list, 0), ==,
                   "How much is the security deposit?");
  docent_conversation_list_select (list, conversation);

  docent_conversation_list_rename (list, conversation, "  Deposit  ");
  WAIT_UNTIL (g_strcmp0 (docent_conversation_list_get_item_title (list, 0), "Deposit") == 0);
  docent_test_ui_settle ();
  screenshot (f->window, "conversation-list.png");

  /* the row menu's actions, answered in their dialogs */
  dialog = open_dialog (GTK_WIDGET (list), "conversation.rename", conversation);
  entry = adw_message_dialog_get_extra_child (dialog);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "Deposit");
  gtk_editable_set_text (GTK_EDITABLE (entry), "Security deposit");
  adw_message_dialog_response (dialog, "rename");
  gtk_window_destroy (GTK_WINDOW (dialog));
  WAIT_UNTIL (g_strcmp0 (docent_conversation_list_get_item_title (list, 0), "Security deposit") == 0);

  dialog = open_dialog (GTK_WIDGET (list), "conversation.delete", conversation);
  adw_message_dialog_response (dialog, "cancel");
  gtk_window_destroy (GTK_WINDOW (dialog));
  docent_test_ui_settle ();
  g_assert_cmpuint (docent_conversation_list_get_n_items (list), ==, 1);
  dialog = open_dialog (GTK_WIDGET (list), "conversation.delete", conversation);
  adw_message_dialog_response (dialog, "delete");
  gtk_window_destroy (GTK_WINDOW (dialog));
  WAIT_UNTIL (docent_conversation_list_get_n_items (list) == 0);
  g_assert_cmpint (f->deleted_id, ==, conversation);
}

/* A chat model in use (tiny, random weights): the answer streams in
 * pieces through the service; whatever it says, the turn ends answered. */
static void
test_model (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *model = g_build_filename (f->dir, "tiny-qwen2.gguf", NULL);
  DocentSettings *settings;
  const DocentModelEntry *entry;
  DocentConversationView *view;

  g_assert_true (docent_synth_write (docent_synth_shape ("tiny-qwen2"), DOCENT_TYPE_F32, 3,
                                     model, &error));
  g_assert_no_error (error);
  settings = docent_settings_load (f->lib, &error);
  g_assert_no_error (error);
  entry = docent_settings_add_model (settings, model, &error);
  g_assert_no_error (error);
  g_assert_true (docent_settings_use (settings, DOCENT_MODEL_ROLE_CHAT, entry->id, &error));
  g_assert_true (docent_settings_save (settings, &error));
  g_assert_no_error (error);
  docent_settings_free (settings);
  /* a service that reads the settings from the start */
  docent_library_service_shutdown (f->service);
  g_object_unref (f->service);
  f->service = docent_library_service_new (f->lib);

  view = show_view (f);
  ask_and_wait (view, "How much is the security deposit?");
  g_assert_nonnull (docent_conversation_view_get_last_answer (view));
  g_assert_cmpint (docent_conversation_view_get_conversation_id (view), >, 0);
  screenshot (f->window, "conversation-model.png");
}

/* ---- one turn, without a library ------------------------------------------ */

static DocentAnswer *
made_answer (void)
{
  DocentAnswer *answer = docent_answer_new ("How long is the notice?", DOCENT_ANSWER_MODEL);
  DocentSource *source = g_new0 (DocentSource, 1);
  DocentCitation *c = g_new0 (DocentCitation, 1);

  source->n = 1;
  source->document_id = 42;
  source->title = g_strdup ("Lease & Terms");
  source->path = g_strdup ("/docs/lease.pdf");
  source->page_start = source->page_end = 3;
  source->text = g_strdup ("Ending\n\nEither party may end the lease with sixty days' notice. "
                           "Notice is given in writing.");
  g_ptr_array_add (answer->sources, source);
  answer->answer = g_strdup ("Sixty days <in writing> [1].");
  c->n = 1;
  c->document_id = 42;
  c->page_start = c->page_end = 3;
  c->quote = g_strdup ("Notice is given in writing.");
  c->offset = strlen ("Sixty days <in writing> ");
  g_ptr_array_add (answer->citations, c);
  return answer;
}

static void
on_text_read (GObject      *clipboard,
              GAsyncResult *result,
              gpointer      user_data)
{
  char **text = user_data;

  *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (clipboard), result, NULL);
  if (*text == NULL)
    *text = g_strdup ("");
}

static void
test_answer_view (Fixture       *f,
                  gconstpointer  data)
{
  DocentAnswerView *turn = DOCENT_ANSWER_VIEW (docent_answer_view_new ("How long is the notice?"));
  g_autofree char *copied = NULL;
  GString *expected = g_string_new (NULL);

  g_signal_connect (turn, "citation-activated", G_CALLBACK (on_citation), f);
  gtk_window_set_child (GTK_WINDOW (f->window), GTK_WIDGET (turn));
  gtk_window_present (GTK_WINDOW (f->window));
  g_assert_false (docent_answer_view_copy (turn));          /* nothing to copy yet */

  /* streamed in many small pieces, all kept */
  for (guint i = 0; i < 200; i++)
    {
      char piece[16];

      g_snprintf (piece, sizeof piece, "w%u ", i);
      docent_answer_view_append_text (turn, piece);
      g_string_append (expected, piece);
    }
  g_assert_cmpstr (docent_answer_view_get_text (turn), ==, expected->str);
  g_string_free (expected, TRUE);
  docent_test_ui_settle ();

  /* finished: markup-safe text, a chip, a listed source */
  docent_answer_view_set_answer (turn, made_answer (), TRUE);
  docent_test_ui_settle ();
  g_assert_cmpstr (docent_answer_view_get_text (turn), ==, "Sixty days <in writing> [1].");
  g_assert_cmpuint (docent_answer_view_get_n_chips (turn), ==, 1);
  g_assert_true (docent_answer_view_activate_citation (turn, 1));
  g_assert_cmpint (f->document_id, ==, 42);
  g_assert_cmpuint (f->page_no, ==, 3);
  g_assert_cmpstr (f->quote, ==, "Notice is given in writing.");

  /* a listed source opens where the source starts */
  {
    GtkWidget *list = docent_test_ui_find (GTK_WIDGET (turn), GTK_TYPE_LIST_BOX);
    GtkListBoxRow *row = gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), 0);

    g_assert_nonnull (row);
    g_signal_emit_by_name (list, "row-activated", row);
    g_assert_cmpuint (f->n_activated, ==, 2);
    g_assert_cmpstr (f->quote, ==, "Either party may end the lease with sixty days' notice.");
  }

  /* the copy button: answer and sources as text */
  g_assert_true (docent_answer_view_copy (turn));
  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (GTK_WIDGET (turn)), NULL,
                                 on_text_read, &copied);
  WAIT_UNTIL (copied != NULL);
  g_assert_cmpstr (copied, ==, "Sixty days <in writing> [1].\n\nSources:\n"
                               "[1] Lease & Terms, p. 3 — /docs/lease.pdf");
}

/* A library that cannot be opened: the question fails inline and comes
 * back to the entry; nothing warns (warnings are fatal here). */
static void
test_unusable_library (void)
{
  g_autofree char *dir = docent_test_tmpdir ();
  g_autofree char *file = docent_test_write_file (dir, "not-a-folder", "x", 1);
  DocentLibraryService *service = docent_library_service_new (file);
  GtkWidget *window = gtk_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  DocentConversationList *list = DOCENT_CONVERSATION_LIST (docent_conversation_list_new (service));
  DocentConversationView *view = DOCENT_CONVERSATION_VIEW (docent_conversation_view_new (service));
  GtkTextBuffer *buffer;
  GtkTextIter start, end;
  g_autofree char *text = NULL;

  gtk_widget_set_hexpand (GTK_WIDGET (view), TRUE);
  gtk_widget_set_size_request (GTK_WIDGET (list), 240, -1);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (list));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (view));
  gtk_window_set_child (GTK_WINDOW (window), box);
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 600);
  gtk_window_present (GTK_WINDOW (window));

  ask_and_wait (view, "What is the deposit?");
  g_assert_cmpstr (docent_conversation_view_get_last_answer (view), ==, "");
  g_assert_cmpuint (docent_conversation_view_get_n_chips (view), ==, 0);
  g_assert_cmpint (docent_conversation_view_get_conversation_id (view), ==, 0);
  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (docent_test_ui_find (GTK_WIDGET (view),
                                                                 GTK_TYPE_TEXT_VIEW)));
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  g_assert_cmpstr (text, ==, "What is the deposit?");
  g_assert_cmpuint (docent_conversation_list_get_n_items (list), ==, 0);
  screenshot (window, "conversation-error.png");

  gtk_window_destroy (GTK_WINDOW (window));
  docent_test_ui_settle ();
  docent_library_service_shutdown (service);
  g_object_unref (service);
  docent_test_rm_rf (dir);
}

int
main (int argc, char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  g_test_add ("/conversation-ui/ask", Fixture, NULL, fixture_set_up, test_ask, fixture_tear_down);
  g_test_add ("/conversation-ui/answer-view", Fixture, NULL, fixture_set_up, test_answer_view, fixture_tear_down);
  g_test_add ("/conversation-ui/entry", Fixture, NULL, fixture_set_up, test_entry, fixture_tear_down);
  g_test_add ("/conversation-ui/load", Fixture, NULL, fixture_set_up, test_load, fixture_tear_down);
  g_test_add ("/conversation-ui/scope", Fixture, NULL, fixture_set_up, test_scope, fixture_tear_down);
  g_test_add ("/conversation-ui/selection", Fixture, NULL, fixture_set_up, test_selection,
              fixture_tear_down);
  g_test_add ("/conversation-ui/model", Fixture, NULL, fixture_set_up, test_model, fixture_tear_down);
  g_test_add ("/conversation-ui/list", Fixture, NULL, fixture_set_up, test_list, fixture_tear_down);
  g_test_add_func ("/conversation-ui/unusable-library", test_unusable_library);
  return g_test_run ();
}
