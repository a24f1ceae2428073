/* search-view.c — DocentSearchView: sends the query to the service as the
 * person types (GtkSearchEntry already waits for a pause), drops results
 * of queries that were overtaken, and lists the hits with their snippets,
 * the matched words in bold. */
#include "ui/search-view.h"

#include <string.h>

#include "index/search.h"

#define RESULTS_LIMIT 30

struct _DocentSearchView {
  GtkWidget parent_instance;

  GtkSearchEntry *entry;
  GtkStack *stack;
  AdwStatusPage *status_page;
  GtkListBox *list_box;

  DocentLibraryService *service;
  GCancellable *cancellable;
  GPtrArray *hits;              /* DocentSearchHit*, as shown */
  char *collection;
};

G_DEFINE_FINAL_TYPE (DocentSearchView, docent_search_view, GTK_TYPE_WIDGET)

enum { HIT_ACTIVATED, SEARCHED, N_SIGNALS };
static guint signals[N_SIGNALS];

/* The snippet marks matches with DOCENT_MARK_START/END; everything else is
 * text that must be escaped for Pango. */
static char *
snippet_markup (const char *snippet)
{
  GString *out = g_string_new (NULL);

  for (const char *p = snippet; p != NULL && *p != '\0';)
    {
      gsize run = strcspn (p, DOCENT_MARK_START DOCENT_MARK_END);
      g_autofree char *escaped = g_markup_escape_text (p, (gssize) run);

      g_string_append (out, escaped);
      p += run;
      if (*p == DOCENT_MARK_START[0])
        g_string_append (out, "<b>");
      else if (*p == DOCENT_MARK_END[0])
        g_string_append (out, "</b>");
      if (*p != '\0')
        p++;
    }
  return g_string_free (out, FALSE);
}

static char *
hit_title (const DocentSearchHit *hit)
{
  g_autofree char *name = NULL;
  const char *title = hit->title;

  if (title == NULL || *title == '\0')
    title = name = g_path_get_basename (hit->path);
  if (hit->page_start == 0)
    return g_strdup (title);
  if (hit->page_end > hit->page_start)
    return g_strdup_printf ("%s — pages %u–%u", title, hit->page_start, hit->page_end);
  return g_strdup_printf ("%s — page %u", title, hit->page_start);
}

static GtkWidget *
make_row (const DocentSearchHit *hit)
{
  g_autofree char *title = hit_title (hit);
  g_autofree char *markup = snippet_markup (hit->snippet ? hit->snippet : hit->text);
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *heading = gtk_label_new (title);
  GtkWidget *snippet = gtk_label_new (NULL);

  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 8);
  gtk_widget_set_margin_bottom (box, 8);
  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_label_set_ellipsize (GTK_LABEL (heading), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (heading, "heading");
  gtk_label_set_markup (GTK_LABEL (snippet), markup);
  gtk_label_set_xalign (GTK_LABEL (snippet), 0);
  gtk_label_set_wrap (GTK_LABEL (snippet), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (snippet), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_lines (GTK_LABEL (snippet), 4);
  gtk_label_set_ellipsize (GTK_LABEL (snippet), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (snippet, "dim-label");
  gtk_box_append (GTK_BOX (box), heading);
  gtk_box_append (GTK_BOX (box), snippet);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_widget_set_tooltip_text (row, hit->path);
  return row;
}

static void
show_status (DocentSearchView *self,
             const char       *icon,
             const char       *title,
             const char       *description)
{
  adw_status_page_set_icon_name (self->status_page, icon);
  adw_status_page_set_title (self->status_page, title);
  adw_status_page_set_description (self->status_page, description);
  gtk_stack_set_visible_child_name (self->stack, "status");
}

static void
show_hits (DocentSearchView *self,
           GPtrArray        *hits)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list_box))) != NULL)
    gtk_list_box_remove (self->list_box, child);
  g_clear_pointer (&self->hits, g_ptr_array_unref);
  self->hits = hits;
  if (hits->len == 0)
    {
      show_status (self, "system-search-symbolic", "No Results",
                   "No passage matches the words or the meaning of the query");
      return;
    }
  for (guint i = 0; i < hits->len; i++)
    gtk_list_box_append (self->list_box, make_row (hits->pdata[i]));
  gtk_stack_set_visible_child_name (self->stack, "results");
}

static void
on_searched (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *hits = docent_library_service_search_finish (DOCENT_LIBRARY_SERVICE (source),
                                                          result, &error);
  DocentSearchView *self;

  /* A newer query took over: its results will come. */
  if (hits == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = DOCENT_SEARCH_VIEW (user_data);
  if (hits == NULL)
    show_status (self, "dialog-error-symbolic", "Search Failed", error->message);
  else
    show_hits (self, hits);
  g_signal_emit (self, signals[SEARCHED], 0);
}

static void
run_search (DocentSearchView *self)
{
  const char *query = gtk_editable_get_text (GTK_EDITABLE (self->entry));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (*query == '\0')
    {
      show_status (self, "system-search-symbolic", "Search Your Documents",
                   "Passages that match the words or the meaning of the query");
      return;
    }
  self->cancellable = g_cancellable_new ();
  docent_library_service_search_async (self->service, query, self->collection, 0,
                                       RESULTS_LIMIT, self->cancellable, on_searched, self);
}

static void
on_search_changed (GtkSearchEntry   *entry,
                   DocentSearchView *self)
{
  run_search (self);
}

static void
on_row_activated (GtkListBox       *box,
                  GtkListBoxRow    *row,
                  DocentSearchView *self)
{
  int index = gtk_list_box_row_get_index (row);
  const DocentSearchHit *hit;

  if (self->hits == NULL || index < 0 || (guint) index >= self->hits->len)
    return;
  hit = self->hits->pdata[index];
  g_signal_emit (self, signals[HIT_ACTIVATED], 0, hit->document_id,
                 MAX (hit->page_start, 1u), hit->char_start,
                 hit->page_end > hit->page_start ? G_MAXUINT : hit->char_end);
}

static void
docent_search_view_dispose (GObject *object)
{
  DocentSearchView *self = DOCENT_SEARCH_VIEW (object);
  GtkWidget *child;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->service);
  gtk_widget_dispose_template (GTK_WIDGET (self), DOCENT_TYPE_SEARCH_VIEW);
  /* GTK 4.8 only drops the bound children: the template's box is not. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (docent_search_view_parent_class)->dispose (object);
}

static void
docent_search_view_finalize (GObject *object)
{
  DocentSearchView *self = DOCENT_SEARCH_VIEW (object);

  g_clear_pointer (&self->hits, g_ptr_array_unref);
  g_free (self->collection);
  G_OBJECT_CLASS (docent_search_view_parent_class)->finalize (object);
}

static void
docent_search_view_class_init (DocentSearchViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = docent_search_view_dispose;
  object_class->finalize = docent_search_view_finalize;
  gtk_widget_class_set_template_from_resource (widget_class, "/org/docent/Docent/ui/search-view.ui");
  gtk_widget_class_bind_template_child (widget_class, DocentSearchView, entry);
  gtk_widget_class_bind_template_child (widget_class, DocentSearchView, stack);
  gtk_widget_class_bind_template_child (widget_class, DocentSearchView, status_page);
  gtk_widget_class_bind_template_child (widget_class, DocentSearchView, list_box);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);

  signals[HIT_ACTIVATED] = g_signal_new ("hit-activated", G_TYPE_FROM_CLASS (klass),
                                         G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE,
                                         4, G_TYPE_INT64, G_TYPE_UINT, G_TYPE_UINT, G_TYPE_UINT);
  signals[SEARCHED] = g_signal_new ("searched", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
docent_search_view_init (DocentSearchView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
docent_search_view_new (DocentLibraryService *service)
{
  DocentSearchView *self = g_object_new (DOCENT_TYPE_SEARCH_VIEW, NULL);

  self->service = g_object_ref (service);
  return GTK_WIDGET (self);
}

void
docent_search_view_search (DocentSearchView *self,
                           const char       *query)
{
  /* Setting the text schedules search-changed after the entry's delay;
   * searching now makes the action (and tests) immediate. */
  gtk_editable_set_text (GTK_EDITABLE (self->entry), query);
  run_search (self);
}

void
docent_search_view_set_collection (DocentSearchView *self,
                                   const char       *collection)
{
  if (g_strcmp0 (self->collection, collection) == 0)
    return;
  g_free (self->collection);
  self->collection = g_strdup (collection);
  run_search (self);
}

void
docent_search_view_focus_entry (DocentSearchView *self)
{
  gtk_widget_grab_focus (GTK_WIDGET (self->entry));
}

guint
docent_search_view_get_n_results (DocentSearchView *self)
{
  return self->hits ? self->hits->len : 0;
}

gboolean
docent_search_view_activate_result (DocentSearchView *self,
                                    guint             index)
{
  GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->list_box, (int) index);

  if (row == NULL)
    return FALSE;
  on_row_activated (self->list_box, row, self);
  return TRUE;
}
