/* test-page-view.c — docent_library_page_view on real documents: a
 * generated PDF and an HTML file added to a scratch library, then pages
 * asked for with quotes (exact, re-wrapped and re-cased, cut, cut by the
 * page boundary, not on the page), with a search hit's span, and with ids
 * that do not exist. Highlight rectangles are checked against where
 * pdfgen drew the text. */
#include <string.h>

#include "app/page-view.h"
#include "ingest/document.h"
#include "tests/fixtures.h"
#include "tests/library-asserts.h"
#include "tests/pdfgen.h"

/* pdfgen's geometry: A4, 72 pt margins, an 18 pt heading line (1.3 line
 * factor) and an 11 pt gap, then 11 pt body lines 14.3 pt apart. */
#define PAGE_W        595.0
#define PAGE_H        842.0
#define MARGIN        72.0
#define FIRST_LINE    (MARGIN + 18 * 1.3 + 11)   /* top of the first body line */
#define LINE_STEP     (11 * 1.3)

static const char *const pdf_pages[] = {
  "# Harbour Report\n\n"
  "The harbour authority recorded 4,210 vessel visits in the spring quarter. "
  "Cargo volumes rose by twelve percent compared with the previous year.\n\n"
  "The second paragraph is about something else entirely and has several "
  "sentences of its own. It keeps going long enough to wrap over a couple of "
  "lines on the page so that line breaks appear inside the sentences we quote "
  "later on. The last sentence of the first page mentions the lighthouse keepers",
  "# Second Page\n\n"
  "Dredging of the northern channel will begin in October and last until the "
  "end of the winter season.",
};

typedef struct {
  char *dir;
  char *lib_dir;
  DocentLibrary *library;
  gint64 pdf_id;
  gint64 html_id;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *docs = NULL;
  g_autofree char *pdf = NULL;
  g_autofree char *html = NULL;
  const char *html_text =
    "<html><head><title>Tide Tables</title></head><body>"
    "<h1>Tide Tables</h1>"
    "<p>High water at the pier comes about forty minutes after high water "
    "at the river mouth.</p>"
    "<p>Spring tides raise the level by almost two metres, which floods "
    "the lower quay [4] twice a year.</p>"
    "</body></html>";

  f->dir = docent_test_tmpdir ();
  f->lib_dir = g_build_filename (f->dir, "library", NULL);
  docs = g_build_filename (f->dir, "docs", NULL);
  g_assert_cmpint (g_mkdir_with_parents (docs, 0700), ==, 0);
  pdf = g_build_filename (docs, "report.pdf", NULL);
  g_assert_true (docent_test_write_pdf (pdf, "Harbour Report", pdf_pages,
                                        G_N_ELEMENTS (pdf_pages), &error));
  g_assert_no_error (error);
  html = docent_test_write_file (docs, "tides.html", html_text, -1);
  f->library = docent_library_open (f->lib_dir, &error);
  g_assert_no_error (error);
  f->pdf_id = docent_test_add_one (f->library, pdf);
  f->html_id = docent_test_add_one (f->library, html);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  docent_library_close (f->library);
  docent_test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->lib_dir);
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
  g_assert_nonnull (view);
  g_assert_nonnull (view->rects);
  return view;
}

static char *
highlighted_text (const DocentPageView *view)
{
  g_assert_true (view->highlighted);
  g_assert_cmpuint (view->highlight_start, <, view->highlight_end);
  return g_utf8_substring (view->text, view->highlight_start, view->highlight_end);
}

/* `text` with its white space runs made single spaces: PDF lines wrap
 * where pdfgen chose. */
static char *
squash (const char *text)
{
  g_auto(GStrv) words = g_strsplit_set (text, " \n\t", -1);
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; words[i] != NULL; i++)
    if (words[i][0] != '\0')
      g_string_append_printf (out, "%s%s", out->len > 0 ? " " : "", words[i]);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* Every rectangle lies inside the page's text area. */
static void
assert_rects_on_page (const DocentPageView *view)
{
  for (guint i = 0; i < view->rects->len; i++)
    {
      const DocentBox *b = &g_array_index (view->rects, DocentBox, i);

      g_assert_cmpfloat (b->x1, >=, MARGIN - 2);
      g_assert_cmpfloat (b->x2, <=, PAGE_W - MARGIN + 2);
      g_assert_cmpfloat (b->x1, <, b->x2);
      g_assert_cmpfloat (b->y1, >=, MARGIN - 2);
      g_assert_cmpfloat (b->y2, <=, PAGE_H - MARGIN + 2);
      g_assert_cmpfloat (b->y1, <, b->y2);
    }
}

/* The rectangle sits on body line `line` (0 = the first under the
 * heading): it covers the line's baseline and not its neighbours'. */
static void
assert_on_line (const DocentBox *b,
                guint            line)
{
  double top = FIRST_LINE + line * LINE_STEP;
  double baseline = top + 11;

  g_assert_cmpfloat (b->y1, >, top - 4);
  g_assert_cmpfloat (b->y1, <, baseline - 4);
  g_assert_cmpfloat (b->y2, >, baseline);
  g_assert_cmpfloat (b->y2, <, baseline + LINE_STEP - 4);
}

static void
test_pdf_page (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(DocentPageView) view = page_view (f, f->pdf_id, 0, NULL);

  g_assert_cmpint (view->document_id, ==, f->pdf_id);
  g_assert_cmpuint (view->page_no, ==, 1);
  g_assert_cmpuint (view->n_pages, ==, 2);
  g_assert_cmpstr (view->title, ==, "Harbour Report");
  g_assert_cmpstr (view->type, ==, "pdf");
  g_assert_true (g_str_has_suffix (view->path, "report.pdf"));
  g_assert_cmpfloat_with_epsilon (view->width, PAGE_W, 1);
  g_assert_cmpfloat_with_epsilon (view->height, PAGE_H, 1);
  g_assert_nonnull (strstr (view->text, "harbour authority"));
  g_assert_false (view->highlighted);
  g_assert_cmpuint (view->rects->len, ==, 0);
}

static void
test_pdf_exact_quote (Fixture       *f,
                      gconstpointer  data)
{
  const char *quote = "The harbour authority recorded 4,210 vessel visits";
  g_autoptr(DocentPageView) view = page_view (f, f->pdf_id, 1, quote);
  g_autofree char *hit = highlighted_text (view);
  const DocentBox *b;

  g_assert_cmpstr (hit, ==, quote);   /* on one line: found as it is */
  g_assert_cmpuint (view->rects->len, ==, 1);
  assert_rects_on_page (view);
  b = &g_array_index (view->rects, DocentBox, 0);
  g_assert_cmpfloat_with_epsilon (b->x1, MARGIN, 2);
  g_assert_cmpfloat (b->x2, >, MARGIN + 150);
  assert_on_line (b, 0);
}

/* The sentence wraps over lines in the PDF; the quote has single spaces,
 * other case and no space before its final period. */
static void
test_pdf_rewrapped_quote (Fixture       *f,
                          gconstpointer  data)
{
  const char *quote = "IT KEEPS GOING long enough to wrap over a couple of lines on the "
                      "page so that line breaks appear inside the sentences we quote "
                      "later on .";
  g_autoptr(DocentPageView) view = page_view (f, f->pdf_id, 1, quote);
  g_autofree char *hit = highlighted_text (view);
  double last_y = 0;

  g_assert_true (g_str_has_prefix (hit, "It keeps going"));
  g_assert_true (g_str_has_suffix (hit, "later on."));
  g_assert_nonnull (strchr (hit, '\n'));      /* it really was wrapped */
  g_assert_cmpuint (view->rects->len, >=, 2);
  assert_rects_on_page (view);
  for (guint i = 0; i < view->rects->len; i++)
    {
      const DocentBox *b = &g_array_index (view->rects, DocentBox, i);

      g_assert_cmpfloat (b->y1, >, last_y);   /* one rectangle per line, in order */
      last_y = b->y1;
    }
}

/* A quote the answer code cut with "…", and one whose sentence runs on
 * to the next page: what is on this page is highlighted. */
static void
test_pdf_partial_quotes (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(DocentPageView) cut = page_view (f, f->pdf_id, 1,
    "Cargo volumes rose by twelve percent compared…");
  g_autoptr(DocentPageView) spanning = page_view (f, f->pdf_id, 1,
    "The last sentence of the first page mentions the lighthouse keepers "
    "and the pilots who guide the ships into the harbour.");
  g_autofree char *cut_raw = highlighted_text (cut);
  g_autofree char *cut_hit = squash (cut_raw);
  g_autofree char *spanning_raw = highlighted_text (spanning);
  g_autofree char *spanning_hit = squash (spanning_raw);

  g_assert_cmpstr (cut_hit, ==, "Cargo volumes rose by twelve percent compared");
  g_assert_cmpuint (cut->rects->len, >=, 1);
  assert_rects_on_page (cut);
  g_assert_true (g_str_has_prefix (spanning_hit, "The last sentence"));
  g_assert_true (g_str_has_suffix (spanning_hit, "lighthouse keepers"));
  g_assert_cmpuint (spanning->rects->len, >=, 1);
  assert_rects_on_page (spanning);
}

static void
test_pdf_quote_elsewhere (Fixture       *f,
                          gconstpointer  data)
{
  const char *quote = "Dredging of the northern channel will begin in October";
  g_autoptr(DocentPageView) first = page_view (f, f->pdf_id, 1, quote);
  g_autoptr(DocentPageView) second = page_view (f, f->pdf_id, 2, quote);
  g_autoptr(DocentPageView) short_miss = page_view (f, f->pdf_id, 1, "lighthouse beacons");
  g_autofree char *hit = NULL;

  g_assert_false (first->highlighted);
  g_assert_cmpuint (first->rects->len, ==, 0);
  g_assert_false (short_miss->highlighted);
  g_assert_cmpuint (second->page_no, ==, 2);
  hit = highlighted_text (second);
  g_assert_cmpstr (hit, ==, quote);
  g_assert_cmpuint (second->rects->len, ==, 1);
  assert_on_line (&g_array_index (second->rects, DocentBox, 0), 0);
}

static void
test_pdf_char_span (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(DocentPageView) plain = page_view (f, f->pdf_id, 1, NULL);
  const char *word = strstr (plain->text, "harbour authority");
  DocentPageRequest request = { .document_id = f->pdf_id, .page_no = 1 };
  g_autoptr(DocentPageView) view = NULL;
  g_autoptr(DocentPageView) clamped = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *hit = NULL;
  const DocentBox *b;

  g_assert_nonnull (word);
  request.char_start = (guint) g_utf8_pointer_to_offset (plain->text, word);
  request.char_end = request.char_start + strlen ("harbour");
  view = docent_library_page_view (f->library, &request, &error);
  g_assert_no_error (error);
  hit = highlighted_text (view);
  g_assert_cmpstr (hit, ==, "harbour");
  g_assert_cmpuint (view->rects->len, ==, 1);
  b = &g_array_index (view->rects, DocentBox, 0);
  g_assert_cmpfloat (b->x1, >, MARGIN + 10);
  g_assert_cmpfloat (b->x2 - b->x1, <, 60);
  assert_on_line (b, 0);

  /* a span past the end of the page is clamped to it */
  request.char_start = 100000;
  request.char_end = 100010;
  clamped = docent_library_page_view (f->library, &request, &error);
  g_assert_no_error (error);
  g_assert_false (clamped->highlighted);
  g_assert_cmpuint (clamped->rects->len, ==, 0);
}

static void
test_html_quote (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(DocentPageView) view = page_view (f, f->html_id, 0,
    "spring tides raise the level by almost two metres, which floods the lower quay");
  g_autofree char *hit = highlighted_text (view);

  g_assert_cmpstr (view->type, ==, "html");
  g_assert_cmpstr (view->title, ==, "Tide Tables");
  g_assert_cmpuint (view->n_pages, ==, 1);
  g_assert_cmpfloat (view->width, ==, 0);
  g_assert_cmpstr (hit, ==,
    "Spring tides raise the level by almost two metres, which floods the lower quay");
  g_assert_cmpuint (view->rects->len, ==, 0);
}

/* The answer code drops citation markers from quotes; the page keeps its
 * own, and they are skipped when comparing. */
static void
test_html_marker (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(DocentPageView) view = page_view (f, f->html_id, 1,
    "which floods the lower quay twice a year.");
  g_autofree char *hit = highlighted_text (view);

  g_assert_cmpstr (hit, ==, "which floods the lower quay [4] twice a year.");
}

static void
test_not_found (Fixture       *f,
                gconstpointer  data)
{
  DocentPageRequest no_document = { .document_id = f->pdf_id + f->html_id + 100 };
  DocentPageRequest no_page = { .document_id = f->pdf_id, .page_no = 3 };
  g_autoptr(GError) error = NULL;
  DocentPageView *view;

  view = docent_library_page_view (f->library, &no_document, &error);
  g_assert_null (view);
  g_assert_error (error, DOCENT_STORE_ERROR, DOCENT_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  view = docent_library_page_view (f->library, &no_page, &error);
  g_assert_null (view);
  g_assert_error (error, DOCENT_STORE_ERROR, DOCENT_STORE_ERROR_NOT_FOUND);
}

static void
test_copy (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(DocentPageView) view = page_view (f, f->pdf_id, 1, "Cargo volumes rose");
  g_autoptr(DocentPageView) copy = docent_page_view_copy (view);

  g_assert_true (copy->text != view->text);
  g_assert_cmpstr (copy->text, ==, view->text);
  g_assert_cmpstr (copy->title, ==, view->title);
  g_assert_cmpuint (copy->highlight_start, ==, view->highlight_start);
  g_assert_cmpuint (copy->rects->len, ==, view->rects->len);
  g_assert_true (copy->rects != view->rects);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/page-view/pdf/page", test_pdf_page);
  ADD ("/page-view/pdf/exact-quote", test_pdf_exact_quote);
  ADD ("/page-view/pdf/rewrapped-quote", test_pdf_rewrapped_quote);
  ADD ("/page-view/pdf/partial-quotes", test_pdf_partial_quotes);
  ADD ("/page-view/pdf/quote-elsewhere", test_pdf_quote_elsewhere);
  ADD ("/page-view/pdf/char-span", test_pdf_char_span);
  ADD ("/page-view/html/quote", test_html_quote);
  ADD ("/page-view/html/marker", test_html_marker);
  ADD ("/page-view/not-found", test_not_found);
  ADD ("/page-view/copy", test_copy);
#undef ADD
  return g_test_run ();
}
