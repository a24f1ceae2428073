/* test-source-viewer.c — DocentSourceViewer alone in a window: a generated
 * PDF's page rendered by Poppler with the cited passage painted yellow
 * (checked on the rendered pixels, saved as source-viewer.png in the
 * build folder), page navigation and close signals, the fallback to the
 * stored text when the file is gone, and an HTML page's text with its
 * passage tagged. Run under Xvfb by run-ui-test.sh. */
#include <glib/gstdio.h>
#include <string.h>

#include "tests/fixtures.h"
#include "tests/library-asserts.h"
#include "tests/pdfgen.h"
#include "tests/ui-fixtures.h"
#include "ui/source-viewer.h"

static const char *const pdf_pages[] = {
  "# Harbour Report\n\n"
  "The harbour authority recorded 4,210 vessel visits in the spring quarter. "
  "Cargo volumes rose by twelve percent compared with the previous year, "
  "mostly because of grain exports through the eastern terminal.\n\n"
  "The second paragraph is about something else entirely and has several "
  "sentences of its own, so that the page has more than one block of text.",
  "# Second Page\n\n"
  "Dredging of the northern channel will begin in October.",
  "# Third Page\n\n"
  "The pilots' association asks for a new launch.",
};

/* Words of prose for the fourth page, so its end is far down. */
#define LONG_PAGE_WORDS 320

typedef struct {
  char *dir;
  DocentLibrary *library;
  gint64 pdf_id;
  gint64 html_id;
  GtkWidget *window;
  DocentSourceViewer *viewer;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *lib_dir = NULL;
  g_autofree char *pdf = NULL;
  g_autofree char *html = NULL;
  const char *html_text =
    "<html><head><title>Tide Tables</title></head><body>"
    "<h1>Tide Tables</h1>"
    "<p>High water at the pier comes about forty minutes after high water "
    "at the river mouth.</p>"
    "<p>Spring tides raise the level by almost two metres, which floods "
    "the lower quay twice a year.</p>"
    "</body></html>";

  f->dir = docent_test_tmpdir ();
  lib_dir = g_build_filename (f->dir, "library", NULL);
  g_autofree char *long_page = docent_test_prose (11, LONG_PAGE_WORDS);
  const char *pages[G_N_ELEMENTS (pdf_pages) + 1];

  for (guint i = 0; i < G_N_ELEMENTS (pdf_pages); i++)
    pages[i] = pdf_pages[i];
  pages[G_N_ELEMENTS (pdf_pages)] = long_page;
  pdf = g_build_filename (f->dir, "report.pdf", NULL);
  g_assert_true (docent_test_write_pdf (pdf, "Harbour Report", pages,
                                        G_N_ELEMENTS (pages), &error));
  g_assert_no_error (error);
  html = docent_test_write_file (f->dir, "tides.html", html_text, -1);
  f->library = docent_library_open (lib_dir, &error);
  g_assert_no_error (error);
  f->pdf_id = docent_test_add_one (f->library, pdf);
  f->html_id = docent_test_add_one (f->library, html);

  f->window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (f->window), 700, 900);
  f->viewer = DOCENT_SOURCE_VIEWER (docent_source_viewer_new ());
  gtk_window_set_child (GTK_WINDOW (f->window), GTK_WIDGET (f->viewer));
  gtk_window_present (GTK_WINDOW (f->window));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  docent_library_close (f->library);
  docent_test_rm_rf (f->dir);
  g_free (f->dir);
}

static DocentPageView *
page_view (Fixture    *f,
           gint64      id,
           guint       page_no,
           const char *quote)
{
  DocentPageRequest request = { .document_id = id, .page_no = page_no, .quote = quote };
  g_autoptr(GError) error = NULL;
  DocentPageView *view = docent_library_page_view (f->library, &request, &error);

  g_assert_no_error (error);
  return view;
}

static gboolean
timed_out (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main loop until the viewer has rendered what it shows, then
 * until nothing is left to do (layout, scrolling, drawing). */
static void
wait_until_ready (Fixture *f)
{
  gboolean expired = FALSE;
  guint timeout = g_timeout_add_seconds (20, timed_out, &expired);

  while (!expired && (!docent_source_viewer_is_ready (f->viewer)
                      || !gtk_widget_get_mapped (GTK_WIDGET (f->viewer))))
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (expired);
  g_source_remove (timeout);
  /* a couple of frames for the layout after the render */
  for (guint i = 0; i < 5; i++)
    {
      expired = FALSE;
      timeout = g_timeout_add (50, timed_out, &expired);
      while (!expired)
        g_main_context_iteration (NULL, TRUE);
    }
}

/* The share of pixels in [x1, x2) × [y1, y2) that are yellow: red and
 * green well above blue. */
static double
yellow_share (GdkTexture *texture,
              int         x1,
              int         y1,
              int         x2,
              int         y2)
{
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);
  gsize stride = (gsize) width * 4;
  g_autofree guchar *pixels = g_malloc (stride * (gsize) height);
  guint yellow = 0, total = 0;

  gdk_texture_download (texture, pixels, stride);   /* B G R A, premultiplied */
  x1 = CLAMP (x1, 0, width);
  x2 = CLAMP (x2, 0, width);
  y1 = CLAMP (y1, 0, height);
  y2 = CLAMP (y2, 0, height);
  for (int y = y1; y < y2; y++)
    for (int x = x1; x < x2; x++)
      {
        const guchar *p = pixels + (gsize) y * stride + (gsize) x * 4;

        total++;
        if (p[2] > 170 && p[1] > 150 && p[0] + 50 < p[2])
          yellow++;
      }
  return total > 0 ? (double) yellow / total : 0;
}

static void
test_pdf_highlight (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(DocentPageView) view = page_view (f, f->pdf_id, 1,
    "Cargo volumes rose by twelve percent compared with the previous year");
  g_autoptr(GdkTexture) page = NULL;
  GtkWidget *area;
  const DocentBox *b;
  double zoom;

  g_assert_true (view->highlighted);
  g_assert_cmpuint (view->rects->len, >, 0);
  docent_source_viewer_show (f->viewer, view);
  wait_until_ready (f);

  g_assert_cmpstr (docent_source_viewer_get_mode (f->viewer), ==, "pdf");
  g_assert_cmpint (docent_source_viewer_get_document_id (f->viewer), ==, f->pdf_id);
  g_assert_cmpuint (docent_source_viewer_get_page (f->viewer), ==, 1);
  g_assert_cmpuint (docent_source_viewer_get_n_highlights (f->viewer), ==, view->rects->len);

  /* fit to width: the page fills the window but for its margins */
  zoom = docent_source_viewer_get_zoom (f->viewer);
  g_assert_cmpfloat (zoom, >, 0.8);
  g_assert_cmpfloat (zoom, <, 1.3);

  area = docent_test_ui_find (GTK_WIDGET (f->viewer), GTK_TYPE_DRAWING_AREA);
  g_assert_nonnull (area);
  page = docent_test_ui_render (area);
  docent_test_ui_screenshot (f->window, "source-viewer.png");

  b = &g_array_index (view->rects, DocentBox, 0);
  g_assert_cmpfloat (yellow_share (page, (int) (b->x1 * zoom) + 1, (int) (b->y1 * zoom) + 1,
                                   (int) (b->x2 * zoom) - 1, (int) (b->y2 * zoom) - 1),
                     >, 0.5);
  /* the page above the highlight (the heading line's margin) is white, and
   * the rendered text is there: the line of the first paragraph has ink */
  g_assert_cmpfloat (yellow_share (page, 0, 0, gdk_texture_get_width (page), (int) (60 * zoom)),
                     <, 0.01);
}

static void
on_page_requested (DocentSourceViewer *viewer,
                   gint64              document_id,
                   guint               page_no,
                   gpointer            data)
{
  guint *requested = data;

  requested[0] = (guint) document_id;
  requested[1] = page_no;
}

static void
on_close_requested (DocentSourceViewer *viewer,
                    gpointer            data)
{
  (*(guint *) data)++;
}

static void
test_pdf_navigation (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(DocentPageView) first = page_view (f, f->pdf_id, 1, NULL);
  g_autoptr(DocentPageView) second = page_view (f, f->pdf_id, 2, "Dredging of the northern channel");
  guint requested[2] = { 0, 0 };
  guint closed = 0;
  double zoom;

  g_signal_connect (f->viewer, "page-requested", G_CALLBACK (on_page_requested), requested);
  g_signal_connect (f->viewer, "close-requested", G_CALLBACK (on_close_requested), &closed);
  docent_source_viewer_show (f->viewer, first);
  wait_until_ready (f);
  g_assert_cmpuint (first->n_pages, ==, 4);
  g_assert_cmpuint (docent_source_viewer_get_n_highlights (f->viewer), ==, 0);

  /* paging renders the next page from the file at once and asks for its view */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->viewer), "viewer.next-page", NULL));
  g_assert_cmpuint (requested[0], ==, (guint) f->pdf_id);
  g_assert_cmpuint (requested[1], ==, 2);
  g_assert_cmpuint (docent_source_viewer_get_page (f->viewer), ==, 2);
  wait_until_ready (f);
  docent_source_viewer_show (f->viewer, second);
  wait_until_ready (f);
  g_assert_cmpuint (docent_source_viewer_get_page (f->viewer), ==, 2);
  g_assert_cmpuint (docent_source_viewer_get_n_highlights (f->viewer), ==, 1);

  /* zoom in leaves fit-width; the page is rendered again */
  zoom = docent_source_viewer_get_zoom (f->viewer);
  gtk_widget_activate_action (GTK_WIDGET (f->viewer), "viewer.zoom-in", NULL);
  g_assert_cmpfloat (docent_source_viewer_get_zoom (f->viewer), >, zoom * 1.2);
  wait_until_ready (f);
  gtk_widget_activate_action (GTK_WIDGET (f->viewer), "viewer.zoom-fit", NULL);
  g_assert_cmpfloat_with_epsilon (docent_source_viewer_get_zoom (f->viewer), zoom, 0.01);

  gtk_widget_activate_action (GTK_WIDGET (f->viewer), "viewer.previous-page", NULL);
  g_assert_cmpuint (requested[1], ==, 1);
  /* paging quickly: the renders of the pages passed over are dropped */
  for (guint i = 0; i < 4; i++)      /* one past the last page: stays there */
    gtk_widget_activate_action (GTK_WIDGET (f->viewer), "viewer.next-page", NULL);
  g_assert_cmpuint (requested[1], ==, 4);
  wait_until_ready (f);
  g_assert_cmpuint (docent_source_viewer_get_page (f->viewer), ==, 4);
  gtk_widget_activate_action (GTK_WIDGET (f->viewer), "viewer.close", NULL);
  g_assert_cmpuint (closed, ==, 1);
  wait_until_ready (f);

  docent_source_viewer_clear (f->viewer);
  g_assert_cmpstr (docent_source_viewer_get_mode (f->viewer), ==, "empty");
  g_assert_cmpint (docent_source_viewer_get_document_id (f->viewer), ==, 0);
}

/* A passage at the bottom of a long page is scrolled into view. */
static void
test_pdf_scroll (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(DocentPageView) plain = page_view (f, f->pdf_id, 4, NULL);
  guint n_chars = (guint) g_utf8_strlen (plain->text, -1);
  DocentPageRequest request = { .document_id = f->pdf_id, .page_no = 4,
                                .char_start = n_chars - 30, .char_end = n_chars };
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentPageView) view = docent_library_page_view (f->library, &request, &error);
  GtkWidget *scroller;
  GtkAdjustment *vadj;
  const DocentBox *b;
  double zoom, top, value;

  g_assert_no_error (error);
  g_assert_cmpuint (view->rects->len, >, 0);
  b = &g_array_index (view->rects, DocentBox, 0);
  g_assert_cmpfloat (b->y1, >, view->height / 2);
  docent_source_viewer_show (f->viewer, view);
  wait_until_ready (f);
  scroller = docent_test_ui_find (GTK_WIDGET (f->viewer), GTK_TYPE_DRAWING_AREA);
  while (scroller != NULL && !GTK_IS_SCROLLED_WINDOW (scroller))
    scroller = gtk_widget_get_parent (scroller);
  g_assert_nonnull (scroller);
  vadj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
  zoom = docent_source_viewer_get_zoom (f->viewer);
  top = b->y1 * zoom;
  value = gtk_adjustment_get_value (vadj);
  g_assert_cmpfloat (value, >, 0);
  g_assert_cmpfloat (top, >=, value);
  g_assert_cmpfloat (b->y2 * zoom, <=, value + gtk_adjustment_get_page_size (vadj));
}

static gboolean
text_has_highlight (DocentSourceViewer *viewer,
                    guint               start,
                    guint               end)
{
  GtkTextView *text_view = GTK_TEXT_VIEW (docent_test_ui_find (GTK_WIDGET (viewer), GTK_TYPE_TEXT_VIEW));
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (text_view);
  GtkTextTag *tag = gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (buffer),
                                               "highlight");
  GtkTextIter iter;

  g_assert_nonnull (tag);
  for (guint i = start; i < end; i++)
    {
      gtk_text_buffer_get_iter_at_offset (buffer, &iter, (int) i);
      if (!gtk_text_iter_has_tag (&iter, tag))
        return FALSE;
    }
  if (start > 0)
    {
      gtk_text_buffer_get_iter_at_offset (buffer, &iter, (int) start - 1);
      if (gtk_text_iter_has_tag (&iter, tag))
        return FALSE;
    }
  gtk_text_buffer_get_iter_at_offset (buffer, &iter, (int) end);
  return !gtk_text_iter_has_tag (&iter, tag);
}

static void
test_html_text (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(DocentPageView) view = page_view (f, f->html_id, 1,
    "Spring tides raise the level by almost two metres");

  g_assert_true (view->highlighted);
  docent_source_viewer_show (f->viewer, view);
  wait_until_ready (f);
  g_assert_cmpstr (docent_source_viewer_get_mode (f->viewer), ==, "text");
  g_assert_cmpuint (docent_source_viewer_get_n_highlights (f->viewer), ==, 1);
  g_assert_true (text_has_highlight (f->viewer, view->highlight_start, view->highlight_end));
}

/* The file was moved away after it was added: its stored text is shown,
 * with the passage, and a note why. */
static void
test_pdf_missing_file (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(DocentPageView) view = page_view (f, f->pdf_id, 1, "twelve percent compared");
  g_autofree char *moved = g_strconcat (view->path, ".moved", NULL);

  g_assert_cmpint (g_rename (view->path, moved), ==, 0);
  docent_source_viewer_show (f->viewer, view);
  wait_until_ready (f);
  g_assert_cmpstr (docent_source_viewer_get_mode (f->viewer), ==, "text");
  g_assert_cmpuint (docent_source_viewer_get_n_highlights (f->viewer), ==, 1);
  g_assert_true (text_has_highlight (f->viewer, view->highlight_start, view->highlight_end));
}

int
main (int argc, char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/ui/source-viewer/pdf-highlight", test_pdf_highlight);
  ADD ("/ui/source-viewer/pdf-navigation", test_pdf_navigation);
  ADD ("/ui/source-viewer/pdf-scroll", test_pdf_scroll);
  ADD ("/ui/source-viewer/html-text", test_html_text);
  ADD ("/ui/source-viewer/pdf-missing-file", test_pdf_missing_file);
#undef ADD
  return g_test_run ();
}
