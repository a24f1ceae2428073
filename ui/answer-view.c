/* answer-view.c — DocentAnswerView: one turn of a conversation. While the
 * answer streams, its text grows in a plain label (redrawn at most 30
 * times a second: a model writes faster than that and relaying out a long
 * label per token would cost more than generating it); once finished, the
 * text is set again as markup with each "[n]" a link, the cited sources
 * become chips and a list, and the copy button and mode note appear.
 * Built from resources/ui/answer-view.ui. */
#include "ui/answer-view.h"

#include <string.h>

#include "app/turns.h"

/* ≤ 30 label updates a second while streaming. */
#define STREAM_REDRAW_MS 33

struct _DocentAnswerView {
  GtkWidget parent_instance;

  GtkWidget *box;
  GtkLabel *question_label;
  GtkWidget *waiting_box;
  GtkSpinner *spinner;
  GtkLabel *answer_label;
  GtkLabel *note_label;
  GtkFlowBox *chips_box;
  GtkWidget *sources_heading;
  GtkListBox *sources_list;
  GtkWidget *footer;
  GtkLabel *mode_label;
  GtkWidget *model_button;
  GtkWidget *copy_button;

  char *question;
  GString *streamed;
  guint redraw_id;
  DocentAnswer *answer;
  GArray *listed;          /* DocentListedSource, one per chip and row */
};

G_DEFINE_FINAL_TYPE (DocentAnswerView, docent_answer_view, GTK_TYPE_WIDGET)

enum {
  CITATION_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
emit_citation (DocentAnswerView *self,
               gint64            document_id,
               guint             page_no,
               const char       *quote)
{
  g_signal_emit (self, signals[CITATION_ACTIVATED], 0, document_id, page_no, quote);
}

/* ---- streaming ---------------------------------------------------------- */

static void
stop_waiting (DocentAnswerView *self)
{
  gtk_spinner_set_spinning (self->spinner, FALSE);
  gtk_widget_set_visible (self->waiting_box, FALSE);
}

static gboolean
redraw_streamed (gpointer data)
{
  DocentAnswerView *self = data;

  self->redraw_id = 0;
  gtk_label_set_text (self->answer_label, self->streamed->str);
  gtk_widget_set_visible (GTK_WIDGET (self->answer_label), self->streamed->len > 0);
  return G_SOURCE_REMOVE;
}

void
docent_answer_view_append_text (DocentAnswerView *self,
                                const char       *text)
{
  g_return_if_fail (DOCENT_IS_ANSWER_VIEW (self));

  if (self->answer != NULL || text == NULL || *text == '\0')
    return;
  stop_waiting (self);
  g_string_append (self->streamed, text);
  if (self->redraw_id == 0)
    self->redraw_id = g_timeout_add (STREAM_REDRAW_MS, redraw_streamed, self);
}

static void
flush_streamed (DocentAnswerView *self)
{
  if (self->redraw_id == 0)
    return;
  g_clear_handle_id (&self->redraw_id, g_source_remove);
  redraw_streamed (self);
}

/* ---- the finished answer ------------------------------------------------ */

/* Appends text[from, to) escaped, with the parts of sentences that cite
 * no source underlined: a claim the person cannot check is shown as such. */
static void
append_plain (GString            *out,
              const DocentAnswer *answer,
              gsize               from,
              gsize               to)
{
  const char *text = answer->answer;
  const guint *pairs = answer->uncited ? (const guint *) answer->uncited->data : NULL;
  guint n_pairs = answer->uncited ? answer->uncited->len / 2 : 0;
  gsize pos = from;

  for (guint i = 0; i < n_pairs && pos < to; i++)
    {
      gsize start = MAX (pairs[2 * i], pos);
      gsize end = MIN ((gsize) pairs[2 * i] + pairs[2 * i + 1], to);
      g_autofree char *before = NULL;
      g_autofree char *inside = NULL;

      if (start >= end)
        continue;
      before = g_markup_escape_text (text + pos, start - pos);
      inside = g_markup_escape_text (text + start, end - start);
      g_string_append_printf (out, "%s<span underline=\"error\">%s</span>", before, inside);
      pos = end;
    }
  {
    g_autofree char *rest = g_markup_escape_text (text + pos, to - pos);

    g_string_append (out, rest);
  }
}

/* The answer as markup: every citation's "[n]" a link to that citation
 * (by index, so that a number cited twice keeps each place's quote). */
static char *
answer_markup (const DocentAnswer *answer)
{
  const char *text = answer->answer != NULL ? answer->answer : "";
  gsize len = strlen (text), pos = 0;
  GString *out = g_string_sized_new (len + 64);

  if (answer->answer == NULL)
    return g_string_free (out, FALSE);
  for (guint i = 0; i < answer->citations->len; i++)
    {
      const DocentCitation *c = g_ptr_array_index (answer->citations, i);
      char marker[16];
      gsize mlen = g_snprintf (marker, sizeof marker, "[%u]", c->n);
      g_autofree char *title = NULL;

      if (c->offset < pos || c->offset + mlen > len || strncmp (text + c->offset, marker, mlen) != 0)
        continue;
      append_plain (out, answer, pos, c->offset);
      title = g_markup_escape_text (c->quote != NULL ? c->quote : "", -1);
      g_string_append_printf (out, "<a href=\"cite:%u\" title=\"%s\">%s</a>", i, title, marker);
      pos = c->offset + mlen;
    }
  append_plain (out, answer, pos, len);
  return g_string_free (out, FALSE);
}

static gboolean
on_answer_link (GtkLabel   *label,
                const char *uri,
                gpointer    user_data)
{
  DocentAnswerView *self = user_data;   /* the template's object */
  const DocentCitation *c;
  guint64 index;

  if (self->answer == NULL || !g_str_has_prefix (uri, "cite:") ||
      !g_ascii_string_to_unsigned (uri + 5, 10, 0, G_MAXUINT, &index, NULL) ||
      index >= self->answer->citations->len)
    return FALSE;
  c = g_ptr_array_index (self->answer->citations, index);
  emit_citation (self, c->document_id, c->page_start, c->quote);
  return TRUE;
}

static char *
source_label (const DocentListedSource *s,
              const char               *separator)
{
  g_autofree char *pages = docent_format_pages (s->page_start, s->page_end);

  if (*pages == '\0')
    return g_strdup_printf ("[%u] %s", s->n, s->title);
  return g_strdup_printf ("[%u] %s%s%s", s->n, s->title, separator, pages);
}

static void
on_chip_clicked (GtkButton *button,
                 gpointer   user_data)
{
  DocentAnswerView *self = user_data;
  guint i = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "docent-listed"));
  const DocentListedSource *s;

  if (self->listed == NULL || i >= self->listed->len)
    return;
  s = &g_array_index (self->listed, DocentListedSource, i);
  emit_citation (self, s->document_id, s->page_start, s->quote);
}

static GtkWidget *
chip_new (DocentAnswerView         *self,
          const DocentListedSource *s,
          guint                     i)
{
  g_autofree char *text = source_label (s, " ");
  GtkWidget *label = gtk_label_new (text);
  GtkWidget *button = gtk_button_new ();

  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 40);
  gtk_widget_add_css_class (label, "caption");
  gtk_button_set_child (GTK_BUTTON (button), label);
  if (s->quote != NULL && *s->quote != '\0')
    gtk_widget_set_tooltip_text (button, s->quote);
  g_object_set_data (G_OBJECT (button), "docent-listed", GUINT_TO_POINTER (i));
  g_signal_connect (button, "clicked", G_CALLBACK (on_chip_clicked), self);
  return button;
}

static GtkWidget *
source_row_new (const DocentListedSource *s)
{
  g_autofree char *title = source_label (s, ", ");
  g_autofree char *escaped = g_markup_escape_text (title, -1);
  AdwActionRow *row = ADW_ACTION_ROW (adw_action_row_new ());

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), escaped);
  if (s->path != NULL)
    {
      g_autofree char *path = g_markup_escape_text (s->path, -1);

      adw_action_row_set_subtitle (row, path);
      adw_action_row_set_subtitle_lines (row, 1);
    }
  adw_action_row_add_suffix (row, gtk_image_new_from_icon_name ("go-next-symbolic"));
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  return GTK_WIDGET (row);
}

static void
on_source_activated (GtkListBox    *list,
                     GtkListBoxRow *row,
                     gpointer       user_data)
{
  DocentAnswerView *self = user_data;
  int i = gtk_list_box_row_get_index (row);
  const DocentListedSource *s;

  if (self->listed == NULL || i < 0 || (guint) i >= self->listed->len)
    return;
  s = &g_array_index (self->listed, DocentListedSource, i);
  /* the source as a whole: highlight where it starts, which is on
   * page_start (a quote of a source spanning pages may be further on) */
  emit_citation (self, s->document_id, s->page_start, s->opening != NULL ? s->opening : s->quote);
}

static void
show_sources (DocentAnswerView *self)
{
  gboolean cited = self->answer->citations->len > 0;

  self->listed = docent_answer_listed_sources (self->answer);
  for (guint i = 0; i < self->listed->len; i++)
    {
      const DocentListedSource *s = &g_array_index (self->listed, DocentListedSource, i);

      if (cited)
        {
          GtkWidget *chip = chip_new (self, s, i);

          gtk_flow_box_append (self->chips_box, chip);
          /* one tab stop per chip: the button, not its flow box child too */
          gtk_widget_set_focusable (gtk_widget_get_parent (chip), FALSE);
        }
      gtk_list_box_append (self->sources_list, source_row_new (s));
    }
  gtk_widget_set_visible (GTK_WIDGET (self->chips_box), cited && self->listed->len > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->sources_list), self->listed->len > 0);
  gtk_widget_set_visible (self->sources_heading, self->listed->len > 0);
  gtk_label_set_text (GTK_LABEL (self->sources_heading),
                      cited ? "Sources" : "Closest passages");
}

static void
show_mode (DocentAnswerView *self)
{
  const char *note = NULL;

  if (self->answer->refused)
    return;
  switch (self->answer->mode)
    {
    case DOCENT_ANSWER_EXTRACTIVE:
      note = "Quoted from your documents — no language model configured";
      gtk_widget_set_visible (self->model_button, TRUE);
      break;
    case DOCENT_ANSWER_MODEL:
      note = "Written by a language model on this computer — check the sources";
      break;
    case DOCENT_ANSWER_REMOTE:
      note = "Written by your language model server — check the sources";
      break;
    default:
      break;
    }
  if (note != NULL)
    gtk_label_set_text (self->mode_label, note);
}

static void show_note (DocentAnswerView *self,
                       const char       *text,
                       const char       *css_class);

void
docent_answer_view_set_answer (DocentAnswerView *self,
                               DocentAnswer     *answer,
                               gboolean          with_mode)
{
  g_autofree char *markup = NULL;

  g_return_if_fail (DOCENT_IS_ANSWER_VIEW (self));
  g_return_if_fail (answer != NULL && self->answer == NULL);

  g_clear_handle_id (&self->redraw_id, g_source_remove);
  stop_waiting (self);
  self->answer = answer;
  g_string_assign (self->streamed, answer->answer != NULL ? answer->answer : "");

  markup = answer_markup (answer);
  gtk_label_set_markup (self->answer_label, markup);
  gtk_widget_set_visible (GTK_WIDGET (self->answer_label), TRUE);
  if (answer->refused)
    gtk_widget_add_css_class (GTK_WIDGET (self->answer_label), "dim-label");
  else if (answer->uncited != NULL && answer->uncited->len > 0)
    show_note (self, "Underlined sentences cite no source: check them in the documents.",
               "dim-label");
  show_sources (self);
  if (with_mode)
    show_mode (self);
  gtk_widget_set_visible (self->footer, TRUE);
}

static void
show_note (DocentAnswerView *self,
           const char       *text,
           const char       *css_class)
{
  gtk_label_set_text (self->note_label, text);
  gtk_widget_add_css_class (GTK_WIDGET (self->note_label), css_class);
  gtk_widget_set_visible (GTK_WIDGET (self->note_label), TRUE);
}

void
docent_answer_view_set_error (DocentAnswerView *self,
                              const char       *message)
{
  g_autofree char *text = NULL;

  g_return_if_fail (DOCENT_IS_ANSWER_VIEW (self));

  flush_streamed (self);
  stop_waiting (self);
  text = g_strdup_printf ("The question could not be answered: %s",
                          message != NULL ? message : "unknown error");
  show_note (self, text, "error");
}

void
docent_answer_view_set_stopped (DocentAnswerView *self)
{
  g_return_if_fail (DOCENT_IS_ANSWER_VIEW (self));

  flush_streamed (self);
  stop_waiting (self);
  show_note (self, "Stopped.", "dim-label");
}

/* ---- copying -------------------------------------------------------------- */

gboolean
docent_answer_view_copy (DocentAnswerView *self)
{
  g_autofree char *text = NULL;
  GtkWidget *overlay;

  g_return_val_if_fail (DOCENT_IS_ANSWER_VIEW (self), FALSE);

  if (self->answer == NULL)
    return FALSE;
  text = docent_answer_to_text (self->answer);
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), text);
  overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);
  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new ("Answer copied"));
  return TRUE;
}

static void
on_copy_clicked (DocentAnswerView *self)
{
  docent_answer_view_copy (self);
}

/* ---- queries ---------------------------------------------------------------- */

const char *
docent_answer_view_get_question (DocentAnswerView *self)
{
  g_return_val_if_fail (DOCENT_IS_ANSWER_VIEW (self), NULL);
  return self->question;
}

const char *
docent_answer_view_get_text (DocentAnswerView *self)
{
  g_return_val_if_fail (DOCENT_IS_ANSWER_VIEW (self), NULL);
  return self->streamed->str;
}

const DocentAnswer *
docent_answer_view_get_answer (DocentAnswerView *self)
{
  g_return_val_if_fail (DOCENT_IS_ANSWER_VIEW (self), NULL);
  return self->answer;
}

guint
docent_answer_view_get_n_chips (DocentAnswerView *self)
{
  g_return_val_if_fail (DOCENT_IS_ANSWER_VIEW (self), 0);

  if (self->answer == NULL || self->answer->citations->len == 0 || self->listed == NULL)
    return 0;
  return self->listed->len;
}

gboolean
docent_answer_view_activate_citation (DocentAnswerView *self,
                                      guint             n)
{
  GtkWidget *child;

  g_return_val_if_fail (DOCENT_IS_ANSWER_VIEW (self), FALSE);

  /* through the real button, so that what a click does is what is tested */
  for (child = gtk_widget_get_first_child (GTK_WIDGET (self->chips_box));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *button = gtk_flow_box_child_get_child (GTK_FLOW_BOX_CHILD (child));
      guint i = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "docent-listed"));

      if (self->listed != NULL && i < self->listed->len &&
          g_array_index (self->listed, DocentListedSource, i).n == n)
        {
          g_signal_emit_by_name (button, "clicked");
          return TRUE;
        }
    }
  return FALSE;
}

/* ---- object ----------------------------------------------------------------- */

static void
docent_answer_view_dispose (GObject *object)
{
  DocentAnswerView *self = DOCENT_ANSWER_VIEW (object);

  g_clear_handle_id (&self->redraw_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), DOCENT_TYPE_ANSWER_VIEW);
  G_OBJECT_CLASS (docent_answer_view_parent_class)->dispose (object);
}

static void
docent_answer_view_finalize (GObject *object)
{
  DocentAnswerView *self = DOCENT_ANSWER_VIEW (object);

  g_free (self->question);
  g_string_free (self->streamed, TRUE);
  g_clear_pointer (&self->answer, docent_answer_free);
  g_clear_pointer (&self->listed, g_array_unref);
  G_OBJECT_CLASS (docent_answer_view_parent_class)->finalize (object);
}

static void
docent_answer_view_class_init (DocentAnswerViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = docent_answer_view_dispose;
  object_class->finalize = docent_answer_view_finalize;

  signals[CITATION_ACTIVATED] =
    g_signal_new ("citation-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                  G_TYPE_INT64, G_TYPE_UINT, G_TYPE_STRING);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/docent/Docent/ui/answer-view.ui");
  gtk_widget_class_bind_template_child (widget_class, DocentAnswerView, box);
  gtk_widget_class_bind_template_child (widget_class, DocentAnswerView, question_label);
  gtk_widget_class_bind_template_child (widget_class, DocentAnswerView, waiting_box);
  gtk_widget_class_bind_template_child (widget_class, DocentAnswerView, spinner);
  gtk_widget_class_bind_template_child (widget_class, DocentAnswerView, answer_label);
  gtk_widget_class_bind_template_child (widget_class, DocentAnswerView, note_label);
  gtk_widget_class_bind_template_child (widget_class, DocentAnswerView, chips_box);
  gtk_widget_class_bind_template_child (widget_class, DocentAnswerView, sources_heading);
  gtk_widget_class_bind_template_child (widget_class, DocentAnswerView, sources_list);
  gtk_widget_class_bind_template_child (widget_class, DocentAnswerView, footer);
  gtk_widget_class_bind_template_child (widget_class, DocentAnswerView, mode_label);
  gtk_widget_class_bind_template_child (widget_class, DocentAnswerView, model_button);
  gtk_widget_class_bind_template_child (widget_class, DocentAnswerView, copy_button);
  gtk_widget_class_bind_template_callback (widget_class, on_answer_link);
  gtk_widget_class_bind_template_callback (widget_class, on_source_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_copy_clicked);
}

static void
docent_answer_view_init (DocentAnswerView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->streamed = g_string_new (NULL);
}

GtkWidget *
docent_answer_view_new (const char *question)
{
  DocentAnswerView *self = g_object_new (DOCENT_TYPE_ANSWER_VIEW, NULL);

  self->question = g_strdup (question);
  gtk_label_set_text (self->question_label, question);
  return GTK_WIDGET (self);
}
