/* test-ocr.c — OCR of scanned pages and images on pictures the test draws
 * itself: text drawn with cairo at 300 dpi, turned 1.5°, with light noise,
 * saved as PNG (cairo), TIFF and JPEG (leptonica), and put on PDF pages
 * with no text of their own. Checks the words, their pages, their boxes
 * against where they were drawn (through the store and layout.h, as the
 * viewer will), headings, the garbage-text test, OCR switched off or not
 * built, languages, cancellation, progress, threads, and the store's
 * migration to the pages' OCR columns. */
#include <cairo-pdf.h>
#include <math.h>
#include <sqlite3.h>
#include <string.h>

#include "app/library.h"
#include "index/search.h"
#include "ingest/detect.h"
#include "ingest/extract.h"
#include "ingest/layout.h"
#include "ingest/ocr.h"
#include "tests/fixtures.h"

#ifdef DOCENT_HAVE_OCR
#include <allheaders.h>
#endif

#define DPI        300.0
#define SCAN_W     1800    /* pixels: 6 × 4 inches */
#define SCAN_H     1200
#define BODY_PX    50.0    /* 12 pt at 300 dpi */
#define TITLE_PX   100.0
#define ANGLE_DEG  1.5
#define PT(px)     ((px) * 72.0 / DPI)

static char *tmpdir;

/* ---- drawing scans ------------------------------------------------------ */

typedef struct {
  double x1, y1, x2, y2;
} Rect;

/* Where a word was drawn, in pixels of the scan. */
typedef struct {
  const char *word;
  Rect box;
} Mark;

typedef struct {
  const char *title;          /* drawn twice as large, may be NULL */
  const char *const *lines;   /* NULL-terminated */
  const char *probe;          /* a word whose box is recorded, may be NULL */
  guint32 seed;
} ScanSpec;

static Rect
device_rect (cairo_t *cr,
             double   x,
             double   y,
             double   w,
             double   h)
{
  double xs[4] = { x, x + w, x, x + w }, ys[4] = { y, y, y + h, y + h };
  Rect r = { G_MAXDOUBLE, G_MAXDOUBLE, -G_MAXDOUBLE, -G_MAXDOUBLE };

  for (guint i = 0; i < 4; i++)
    {
      cairo_user_to_device (cr, &xs[i], &ys[i]);
      r.x1 = MIN (r.x1, xs[i]);
      r.y1 = MIN (r.y1, ys[i]);
      r.x2 = MAX (r.x2, xs[i]);
      r.y2 = MAX (r.y2, ys[i]);
    }
  return r;
}

static void
mark_word (cairo_t    *cr,
           const char *line,
           double      x,
           double      baseline,
           const char *word,
           Mark       *mark)
{
  const char *at = strstr (line, word);
  g_autofree char *prefix = NULL;
  cairo_text_extents_t before, extents;

  if (at == NULL || mark == NULL)
    return;
  prefix = g_strndup (line, at - line);
  cairo_text_extents (cr, prefix, &before);
  cairo_text_extents (cr, word, &extents);
  mark->word = word;
  mark->box = device_rect (cr, x + before.x_advance + extents.x_bearing,
                           baseline + extents.y_bearing, extents.width, extents.height);
}

/* A scan: dark text on off-white, turned ANGLE_DEG about the middle, with
 * speckles. Returns an RGB24 surface of SCAN_W × SCAN_H. */
static cairo_surface_t *
draw_scan (const ScanSpec *spec,
           Mark           *mark)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, SCAN_W, SCAN_H);
  cairo_t *cr = cairo_create (surface);
  g_autoptr(GRand) rand = g_rand_new_with_seed (spec->seed);
  double y = 120;
  guint8 *data;
  int stride;

  cairo_set_source_rgb (cr, 0.97, 0.97, 0.95);
  cairo_paint (cr);
  cairo_translate (cr, SCAN_W / 2.0, SCAN_H / 2.0);
  cairo_rotate (cr, ANGLE_DEG * G_PI / 180);
  cairo_translate (cr, -SCAN_W / 2.0, -SCAN_H / 2.0);
  cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
  cairo_select_font_face (cr, "DejaVu Serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  if (spec->title != NULL)
    {
      cairo_set_font_size (cr, TITLE_PX);
      y += TITLE_PX;
      cairo_move_to (cr, 120, y);
      cairo_show_text (cr, spec->title);
      y += TITLE_PX * 0.9;
    }
  cairo_set_font_size (cr, BODY_PX);
  for (guint i = 0; spec->lines[i] != NULL; i++)
    {
      y += BODY_PX * 1.5;
      cairo_move_to (cr, 120, y);
      cairo_show_text (cr, spec->lines[i]);
      if (spec->probe != NULL)
        mark_word (cr, spec->lines[i], 120, y, spec->probe, mark);
    }
  cairo_destroy (cr);

  /* Light noise: one pixel in 400 darkened or lightened at random. */
  cairo_surface_flush (surface);
  data = cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface);
  for (guint i = 0; i < SCAN_W * SCAN_H / 400; i++)
    {
      guint x = g_rand_int_range (rand, 0, SCAN_W), yy = g_rand_int_range (rand, 0, SCAN_H);
      guint8 v = g_rand_int_range (rand, 0, 256);

      *(guint32 *) (data + (gsize) yy * stride + x * 4) = 0xFF000000u | (v << 16) | (v << 8) | v;
    }
  cairo_surface_mark_dirty (surface);
  return surface;
}

static cairo_status_t
append_bytes (void                *closure,
              const unsigned char *data,
              unsigned int         len)
{
  g_byte_array_append (closure, data, len);
  return CAIRO_STATUS_SUCCESS;
}

static GBytes *
png_bytes (cairo_surface_t *surface)
{
  GByteArray *out = g_byte_array_new ();

  g_assert_cmpint (cairo_surface_write_to_png_stream (surface, append_bytes, out), ==,
                   CAIRO_STATUS_SUCCESS);
  return g_byte_array_free_to_bytes (out);
}

static GBytes *
scan_png (const ScanSpec *spec,
          Mark           *mark)
{
  cairo_surface_t *surface = draw_scan (spec, mark);
  GBytes *bytes = png_bytes (surface);

  cairo_surface_destroy (surface);
  return bytes;
}

/* One PDF page per entry: a scan placed over the whole page (no text of
 * its own) when `scans[i]`, plus `texts[i]` drawn as real PDF text at
 * `text_size` points from the top left when not NULL. */
static char *
write_pdf (const char       *name,
           cairo_surface_t **scans,
           const char      **texts,
           double            text_size,
           guint             n_pages)
{
  g_autofree char *path = g_build_filename (tmpdir, name, NULL);
  cairo_surface_t *pdf = cairo_pdf_surface_create (path, PT (SCAN_W), PT (SCAN_H));
  cairo_t *cr = cairo_create (pdf);

  for (guint i = 0; i < n_pages; i++)
    {
      if (scans[i] != NULL)
        {
          cairo_save (cr);
          cairo_scale (cr, 72.0 / DPI, 72.0 / DPI);
          cairo_set_source_surface (cr, scans[i], 0, 0);
          cairo_paint (cr);
          cairo_restore (cr);
        }
      if (texts != NULL && texts[i] != NULL)
        {
          g_auto(GStrv) lines = g_strsplit (texts[i], "\n", -1);

          cairo_select_font_face (cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                                  CAIRO_FONT_WEIGHT_NORMAL);
          cairo_set_font_size (cr, text_size);
          cairo_set_source_rgb (cr, 0, 0, 0);
          for (guint l = 0; lines[l] != NULL; l++)
            {
              cairo_move_to (cr, 10, 10 + text_size * 1.3 * (l + 1));
              cairo_show_text (cr, lines[l]);
            }
        }
      cairo_show_page (cr);
    }
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
  cairo_surface_finish (pdf);
  g_assert_cmpint (cairo_surface_status (pdf), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy (pdf);
  return g_steal_pointer (&path);
}

#ifdef DOCENT_HAVE_OCR
/* The scan as an 8-bit leptonica picture at 300 dpi. */
static PIX *
scan_pix (cairo_surface_t *surface)
{
  PIX *pix = pixCreate (SCAN_W, SCAN_H, 8);
  const guint8 *data = cairo_image_surface_get_data (surface);
  int stride = cairo_image_surface_get_stride (surface);
  l_uint32 *pixels = pixGetData (pix);
  l_int32 wpl = pixGetWpl (pix);

  for (int y = 0; y < SCAN_H; y++)
    for (int x = 0; x < SCAN_W; x++)
      {
        guint32 px = *(const guint32 *) (data + (gsize) y * stride + x * 4);

        SET_DATA_BYTE (pixels + (gsize) y * wpl, x, (px >> 8) & 0xFF);
      }
  pixSetResolution (pix, (l_int32) DPI, (l_int32) DPI);
  return pix;
}

static GBytes *
lept_bytes (l_uint8 *data,
            size_t   size)
{
  GBytes *bytes = g_bytes_new (data, size);

  lept_free (data);
  return bytes;
}
#endif

/* ---- checking ------------------------------------------------------------ */

static gboolean
skip_without_ocr (void)
{
  if (docent_ocr_available ())
    return FALSE;
  g_test_skip ("OCR is not in this build");
  return TRUE;
}

static DocentPage *
page_at (DocentExtracted *doc,
         guint            i)
{
  g_assert_cmpuint (i, <, doc->pages->len);
  return doc->pages->pdata[i];
}

/* The text conventions of document.h, one box per character, OCR fields. */
static void
assert_ocr_page (const DocentPage *page)
{
  const char *text = page->text->str;

  g_assert_true (g_utf8_validate (text, page->text->len, NULL));
  g_assert_nonnull (page->boxes);
  g_assert_cmpuint (page->boxes->len, ==, g_utf8_strlen (text, page->text->len));
  g_assert_null (strstr (text, "\n\n\n"));
  g_assert_false (g_str_has_suffix (text, "\n"));
  g_assert_false (g_str_has_prefix (text, "\n"));
  g_assert_null (strstr (text, "  "));
  for (const char *p = text; *p != '\0'; p++)
    g_assert_true ((guchar) *p >= 0x20 || *p == '\n');
  for (guint i = 0; i < page->headings->len; i++)
    {
      const DocentHeading *h = &g_array_index (page->headings, DocentHeading, i);

      g_assert_cmpuint (h->start, <, h->end);
      g_assert_cmpuint (h->end, <=, page->text->len);
    }
  g_assert_true (page->ocr);
  g_assert_cmpfloat (page->ocr_confidence, >, 70);
  g_assert_cmpfloat (page->ocr_confidence, <=, 100);
}

static void
assert_words (const DocentPage   *page,
              const char *const  *lines)
{
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) words = g_strsplit (lines[i], " ", -1);

      for (guint w = 0; words[w] != NULL; w++)
        if (strstr (page->text->str, words[w]) == NULL)
          g_error ("\"%s\" not recognised on page %u:\n%s", words[w], page->page_no,
                   page->text->str);
    }
}

/* The box of characters [start, end) of the page text, merged. */
static Rect
span_box (const DocentPage *page,
          gsize             byte_start,
          gsize             byte_end)
{
  glong start = g_utf8_pointer_to_offset (page->text->str, page->text->str + byte_start);
  glong end = g_utf8_pointer_to_offset (page->text->str, page->text->str + byte_end);
  Rect r = { G_MAXDOUBLE, G_MAXDOUBLE, -G_MAXDOUBLE, -G_MAXDOUBLE };

  for (glong i = start; i < end; i++)
    {
      const DocentBox *b = &g_array_index (page->boxes, DocentBox, i);

      r.x1 = MIN (r.x1, b->x1);
      r.y1 = MIN (r.y1, b->y1);
      r.x2 = MAX (r.x2, b->x2);
      r.y2 = MAX (r.y2, b->y2);
    }
  return r;
}

static double
overlap_share (Rect a,
               Rect b)
{
  double w = MIN (a.x2, b.x2) - MAX (a.x1, b.x1);
  double h = MIN (a.y2, b.y2) - MAX (a.y1, b.y1);
  double area = MIN ((a.x2 - a.x1) * (a.y2 - a.y1), (b.x2 - b.x1) * (b.y2 - b.y1));

  if (w <= 0 || h <= 0 || area <= 0)
    return 0;
  return w * h / area;
}

static Rect
scaled (Rect   r,
        double f)
{
  return (Rect) { r.x1 * f, r.y1 * f, r.x2 * f, r.y2 * f };
}

/* The recognised word's boxes cover where it was drawn (both in the
 * page's units; the drawn box is in pixels × `f`). */
static void
assert_word_at (const DocentPage *page,
                const Mark       *mark,
                double            f)
{
  const char *at = strstr (page->text->str, mark->word);
  Rect found, drawn = scaled (mark->box, f);

  g_assert_nonnull (at);
  found = span_box (page, at - page->text->str, at - page->text->str + strlen (mark->word));
  if (overlap_share (found, drawn) < 0.6)
    g_error ("\"%s\" found at %.1f,%.1f-%.1f,%.1f, drawn at %.1f,%.1f-%.1f,%.1f",
             mark->word, found.x1, found.y1, found.x2, found.y2,
             drawn.x1, drawn.y1, drawn.x2, drawn.y2);
  /* Not much larger either: within a few points of the ink. */
  g_assert_cmpfloat (fabs (found.x1 - drawn.x1), <, 4 * f * DPI / 72);
  g_assert_cmpfloat (fabs (found.x2 - drawn.x2), <, 4 * f * DPI / 72);
}

/* ---- the fixtures' text ----------------------------------------------------- */

static const char *const lines_a[] = {
  "The harbour master counted seven ships",
  "before the morning tide turned west.",
  "Every captain signed the ledger twice.",
  NULL,
};
static const char *const lines_b[] = {
  "Orchard keepers gather apples in autumn",
  "and press them into golden cider.",
  NULL,
};
static const char *const lines_c[] = {
  "Mountain rescue teams train through winter",
  "with ropes, radios and patient dogs.",
  NULL,
};

/* ---- tests ---------------------------------------------------------------- */

static void
test_text_quality (void)
{
  guint letters = 0;

  g_assert_cmpint (docent_text_quality ("", 0, &letters), ==, DOCENT_TEXT_SPARSE);
  g_assert_cmpuint (letters, ==, 0);
  g_assert_cmpint (docent_text_quality ("Page 3", -1, &letters), ==, DOCENT_TEXT_SPARSE);
  g_assert_cmpuint (letters, ==, 4);
  g_assert_cmpint (docent_text_quality ("The tenant shall give written notice of sixty days.", -1,
                                        &letters), ==, DOCENT_TEXT_USABLE);
  g_assert_cmpuint (letters, ==, 42);
  /* Broken font encodings: symbols, private-use glyphs, replacement characters. */
  g_assert_cmpint (docent_text_quality ("#$%& @!*( )+;< =>?[ ]^_` {|}~ #$%& @!*( )+;< =>?[", -1, NULL),
                   ==, DOCENT_TEXT_GARBAGE);
  g_assert_cmpint (docent_text_quality ("Th\xee\x80\x81 \xee\x80\x82\xee\x80\x83 contract between "
                                        "\xee\x80\x84\xee\x80\x85\xee\x80\x86 and the landlord", -1,
                                        NULL), ==, DOCENT_TEXT_GARBAGE);
  g_assert_cmpint (docent_text_quality ("\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd of the "
                                        "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd agreement", -1, NULL),
                   ==, DOCENT_TEXT_GARBAGE);
  /* A few replacement characters in real text are not. */
  g_assert_cmpint (docent_text_quality ("\xef\xbf\xbd\xef\xbf\xbd of the agreement signed "
                                        "by both parties today", -1, NULL),
                   ==, DOCENT_TEXT_USABLE);
  /* Dot leaders and tables of figures are not garbage. */
  g_assert_cmpint (docent_text_quality ("Introduction ........................ 1\n"
                                        "Methods and materials ............... 7\n", -1, NULL),
                   ==, DOCENT_TEXT_USABLE);
  g_assert_cmpint (docent_text_quality ("Revenue 1,234.56 2,345.67 Costs 987.65 876.54 "
                                        "Margin 246.91 1,469.13 Total", -1, NULL),
                   ==, DOCENT_TEXT_USABLE);
}

static void
test_detect (void)
{
  ScanSpec spec = { NULL, lines_a, NULL, 1 };
  g_autoptr(GBytes) png = scan_png (&spec, NULL);
  gsize len;
  const guint8 *data = g_bytes_get_data (png, &len);

  g_assert_cmpint (docent_detect_format (data, len), ==, DOCENT_FORMAT_PNG);
  g_assert_cmpstr (docent_format_name (DOCENT_FORMAT_PNG), ==, "png");
  /* A bare signature is not an image yet. */
  g_assert_cmpint (docent_detect_format (data, 16), ==, DOCENT_FORMAT_BINARY);
  g_assert_cmpint (docent_detect_format ((const guint8 *) "\xFF\xD8\xFF\xE0\0\x10JFIF", 10), ==,
                   DOCENT_FORMAT_JPEG);
  g_assert_cmpint (docent_detect_format ((const guint8 *) "II*\0\x08\0\0\0\0\0", 10), ==,
                   DOCENT_FORMAT_TIFF);
  g_assert_cmpint (docent_detect_format ((const guint8 *) "MM\0*\0\0\0\x08\0\0", 10), ==,
                   DOCENT_FORMAT_TIFF);
  /* The first directory outside the file: not a TIFF. */
  g_assert_cmpint (docent_detect_format ((const guint8 *) "II*\0\xff\0\0\0\0\0", 10), ==,
                   DOCENT_FORMAT_BINARY);
  g_assert_true (docent_format_is_image (DOCENT_FORMAT_TIFF));
  g_assert_false (docent_format_is_image (DOCENT_FORMAT_PDF));
}

static void
test_png (void)
{
  ScanSpec spec = { "Annual Harbour Report", lines_a, "ledger", 2 };
  Mark mark = { 0 };
  g_autoptr(GBytes) png = NULL;
  g_autoptr(DocentExtracted) doc = NULL;
  g_autoptr(GError) error = NULL;
  const DocentHeading *h;
  DocentPage *page;
  g_autofree char *heading = NULL;

  if (skip_without_ocr ())
    return;
  png = scan_png (&spec, &mark);
  doc = docent_extract (png, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (doc->type, ==, "png");
  g_assert_cmpuint (doc->pages->len, ==, 1);
  page = page_at (doc, 0);
  g_test_message ("PNG: confidence %.1f, text:\n%s", page->ocr_confidence, page->text->str);
  assert_ocr_page (page);
  assert_words (page, lines_a);
  /* PNG from cairo states no resolution: 300 dpi is assumed. */
  g_assert_cmpfloat_with_epsilon (page->width, PT (SCAN_W), 0.01);
  g_assert_cmpfloat_with_epsilon (page->height, PT (SCAN_H), 0.01);
  assert_word_at (page, &mark, 72.0 / DPI);

  /* The title is a heading and a block of its own; the body lines are
   * lines of one paragraph. */
  g_assert_cmpuint (page->headings->len, ==, 1);
  h = &g_array_index (page->headings, DocentHeading, 0);
  heading = g_strndup (page->text->str + h->start, h->end - h->start);
  g_assert_cmpstr (heading, ==, "Annual Harbour Report");
  g_assert_cmpuint (h->start, ==, 0);
  g_assert_true (g_str_has_prefix (page->text->str + h->end, "\n\nThe harbour master"));
  g_assert_nonnull (strstr (page->text->str, "seven ships\nbefore the morning"));
}

/* Text on a transparent background: flattened onto white, not black. */
static void
test_png_alpha (void)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, SCAN_W, SCAN_H / 2);
  cairo_t *cr = cairo_create (surface);
  g_autoptr(GBytes) png = NULL;
  g_autoptr(DocentExtracted) doc = NULL;
  g_autoptr(GError) error = NULL;

  cairo_set_source_rgb (cr, 0, 0, 0);
  cairo_select_font_face (cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, BODY_PX);
  cairo_move_to (cr, 100, 200);
  cairo_show_text (cr, lines_b[0]);
  cairo_destroy (cr);
  png = png_bytes (surface);
  cairo_surface_destroy (surface);
  if (skip_without_ocr ())
    return;
  doc = docent_extract (png, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (page_at (doc, 0)->text->str, ==, lines_b[0]);
}

/* A picture over 40 Mpx is scaled down for OCR; the page keeps the size
 * of the picture as stored. (-m slow: 170 MB of pixels.) */
static void
test_large_image (void)
{
  const int w = 6600, h = 6400;
  cairo_surface_t *surface;
  cairo_t *cr;
  g_autoptr(GBytes) png = NULL;
  g_autoptr(DocentExtracted) doc = NULL;
  g_autoptr(GError) error = NULL;
  Rect found;
  const char *at;

  if (!g_test_slow ())
    {
      g_test_skip ("slow: run with -m slow");
      return;
    }
  if (skip_without_ocr ())
    return;
  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, w, h);
  cr = cairo_create (surface);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_set_source_rgb (cr, 0, 0, 0);
  cairo_select_font_face (cr, "DejaVu Serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, 150);
  cairo_move_to (cr, 3000, 4000);
  cairo_show_text (cr, "Orchard keepers gather apples");
  cairo_destroy (cr);
  png = png_bytes (surface);
  cairo_surface_destroy (surface);
  doc = docent_extract (png, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (page_at (doc, 0)->width, PT (w), 0.01);
  at = strstr (page_at (doc, 0)->text->str, "apples");
  g_assert_nonnull (at);
  found = span_box (page_at (doc, 0), at - page_at (doc, 0)->text->str,
                    at - page_at (doc, 0)->text->str + 6);
  /* Drawn from about x = 3000 + 20 characters' advance, baseline 4000 px. */
  g_assert_cmpfloat (found.y2, >, PT (3950));
  g_assert_cmpfloat (found.y1, <, PT (4000));
  g_assert_cmpfloat (found.x1, >, PT (3000));
}

static void
test_tiff_pages (void)
{
#ifdef DOCENT_HAVE_OCR
  const char *const *pages[] = { lines_a, lines_b, lines_c };
  ScanSpec spec = { NULL, NULL, "cider", 3 };
  Mark mark = { 0 };
  PIXA *pixa = pixaCreate (3);
  l_uint8 *data = NULL;
  size_t size = 0;
  g_autoptr(GBytes) tiff = NULL;
  g_autoptr(DocentExtracted) doc = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      cairo_surface_t *surface;

      spec.lines = pages[i];
      spec.seed = 10 + i;
      surface = draw_scan (&spec, i == 1 ? &mark : NULL);
      pixaAddPix (pixa, scan_pix (surface), L_INSERT);
      cairo_surface_destroy (surface);
    }
  g_assert_cmpint (pixaWriteMemMultipageTiff (&data, &size, pixa), ==, 0);
  pixaDestroy (&pixa);
  tiff = lept_bytes (data, size);
  g_assert_cmpint (docent_detect_format (g_bytes_get_data (tiff, NULL), size), ==,
                   DOCENT_FORMAT_TIFF);

  doc = docent_extract (tiff, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (doc->type, ==, "tiff");
  g_assert_cmpuint (doc->pages->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      DocentPage *page = page_at (doc, i);

      g_test_message ("TIFF page %u: confidence %.1f, text:\n%s", i + 1,
                      page->ocr_confidence, page->text->str);
      assert_ocr_page (page);
      assert_words (page, pages[i]);
      g_assert_cmpuint (page->page_no, ==, i + 1);
      g_assert_cmpfloat_with_epsilon (page->width, PT (SCAN_W), 0.01);
    }
  /* Each page has its own words only. */
  g_assert_null (strstr (page_at (doc, 0)->text->str, "cider"));
  g_assert_null (strstr (page_at (doc, 2)->text->str, "cider"));
  assert_word_at (page_at (doc, 1), &mark, 72.0 / DPI);
#else
  g_test_skip ("OCR is not in this build");
#endif
}

static void
test_jpeg (void)
{
#ifdef DOCENT_HAVE_OCR
  ScanSpec spec = { NULL, lines_c, "radios", 4 };
  Mark mark = { 0 };
  cairo_surface_t *surface = draw_scan (&spec, &mark);
  PIX *pix = scan_pix (surface);
  l_uint8 *data = NULL;
  size_t size = 0;
  g_autoptr(GBytes) jpeg = NULL;
  g_autoptr(DocentExtracted) doc = NULL;
  g_autoptr(GError) error = NULL;

  cairo_surface_destroy (surface);
  g_assert_cmpint (pixWriteMemJpeg (&data, &size, pix, 85, 0), ==, 0);
  pixDestroy (&pix);
  jpeg = lept_bytes (data, size);
  doc = docent_extract (jpeg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (doc->type, ==, "jpeg");
  g_assert_cmpuint (doc->pages->len, ==, 1);
  assert_ocr_page (page_at (doc, 0));
  assert_words (page_at (doc, 0), lines_c);
  assert_word_at (page_at (doc, 0), &mark, 72.0 / DPI);
#else
  g_test_skip ("OCR is not in this build");
#endif
}

/* Page 1 born digital, page 2 a scan without text: only page 2 is OCR'd. */
static void
test_scanned_pdf (void)
{
  static const char born_digital[] =
    "This first page was typeset and carries its own text layer,\n"
    "so it is read from the PDF and never handed to OCR at all.\n"
    "It has more than two hundred letters, which is plenty for the\n"
    "test that tells usable text from a missing or broken layer.";
  ScanSpec spec = { NULL, lines_b, "golden", 5 };
  Mark mark = { 0 };
  cairo_surface_t *scan = draw_scan (&spec, &mark);
  cairo_surface_t *scans[] = { NULL, scan };
  const char *texts[] = { born_digital, NULL };
  g_autofree char *path = write_pdf ("mixed.pdf", scans, texts, 7, 2);
  g_autoptr(GBytes) bytes = docent_test_read_bytes (path);
  g_autoptr(DocentExtracted) doc = NULL;
  g_autoptr(GError) error = NULL;
  DocentPage *page;

  cairo_surface_destroy (scan);
  if (skip_without_ocr ())
    return;
  doc = docent_extract (bytes, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (doc->pages->len, ==, 2);
  g_assert_false (page_at (doc, 0)->ocr);
  g_assert_cmpfloat (page_at (doc, 0)->ocr_confidence, ==, 0);
  g_assert_true (g_str_has_prefix (page_at (doc, 0)->text->str, "This first page"));
  page = page_at (doc, 1);
  g_test_message ("scanned PDF page: confidence %.1f, text:\n%s", page->ocr_confidence,
                  page->text->str);
  assert_ocr_page (page);
  assert_words (page, lines_b);
  g_assert_null (strstr (page->text->str, "typeset"));
  /* Points on a PDF page. */
  g_assert_cmpfloat_with_epsilon (page->width, PT (SCAN_W), 0.01);
  assert_word_at (page, &mark, 72.0 / DPI);
  g_assert_cmpuint (doc->ocr_skipped, ==, 0);
}

/* A text layer that is garbage (a font without a usable encoding), or only
 * a page number over a scan: OCR's text replaces it. A page with plenty of
 * real text and a picture is left alone. */
static void
test_garbage_and_sparse (void)
{
  g_autofree char *garbage = g_strdup (
    "#$%& @!*( )+;< =>?[ ]^_` {|}~ ##$& @@!* (()+ ;;<= >>?[ ]]^_\n"
    "`{|} ~#$% &@!* ()+; <=>? []^_ `{|} ~~#$ %&@! *()+ ;<=> ?[]^");
  static const char real[] =
    "A report page with a photograph of the coast under its paragraphs.\n"
    "The picture covers most of the page, but the page has text of its own,\n"
    "with well over two hundred letters, so it is read from the PDF and the\n"
    "picture is not handed to OCR: its words stay exactly as they were set.";
  ScanSpec spec_a = { NULL, lines_a, NULL, 6 }, spec_b = { NULL, lines_c, NULL, 7 };
  cairo_surface_t *a = draw_scan (&spec_a, NULL), *b = draw_scan (&spec_b, NULL);
  cairo_surface_t *scans[] = { a, b, a };
  const char *texts[] = { garbage, "Page 2", real };
  g_autofree char *path = write_pdf ("garbage.pdf", scans, texts, 6, 3);
  g_autoptr(GBytes) bytes = docent_test_read_bytes (path);
  g_autoptr(DocentExtracted) doc = NULL;
  g_autoptr(GError) error = NULL;
  DocentExtractOptions opts;

  cairo_surface_destroy (a);
  cairo_surface_destroy (b);
  if (skip_without_ocr ())
    return;
  doc = docent_extract (bytes, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (doc->pages->len, ==, 3);
  g_test_message ("garbage page:\n%s\nsparse page:\n%s", page_at (doc, 0)->text->str,
                  page_at (doc, 1)->text->str);
  assert_ocr_page (page_at (doc, 0));
  assert_words (page_at (doc, 0), lines_a);
  assert_ocr_page (page_at (doc, 1));
  assert_words (page_at (doc, 1), lines_c);
  g_assert_false (page_at (doc, 2)->ocr);
  g_assert_true (g_str_has_prefix (page_at (doc, 2)->text->str, "A report page"));
  g_assert_null (strstr (page_at (doc, 2)->text->str, "harbour"));

  /* With OCR off the garbage and the page number stay, and two pages are
   * counted as needing OCR. */
  g_clear_pointer (&doc, docent_extracted_free);
  docent_extract_options_init (&opts);
  opts.ocr = DOCENT_OCR_OFF;
  doc = docent_extract (bytes, &opts, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (doc->ocr_skipped, ==, 2);
  g_assert_false (page_at (doc, 0)->ocr);
  g_assert_cmpstr (page_at (doc, 1)->text->str, ==, "Page 2");
}

/* Text drawn as outlines (no text layer, no pictures) has ink and is
 * read; a blank page is not. */
static void
test_outlined_text (void)
{
  g_autofree char *path = g_build_filename (tmpdir, "outlines.pdf", NULL);
  cairo_surface_t *pdf = cairo_pdf_surface_create (path, 432, 288);
  cairo_t *cr = cairo_create (pdf);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(DocentExtracted) doc = NULL;
  g_autoptr(GError) error = NULL;

  cairo_select_font_face (cr, "DejaVu Serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, 14);
  for (guint i = 0; lines_c[i] != NULL; i++)
    {
      cairo_move_to (cr, 30, 60 + 22 * i);
      cairo_text_path (cr, lines_c[i]);
    }
  cairo_fill (cr);
  cairo_show_page (cr);
  cairo_show_page (cr);  /* blank */
  cairo_destroy (cr);
  cairo_surface_finish (pdf);
  g_assert_cmpint (cairo_surface_status (pdf), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy (pdf);
  if (skip_without_ocr ())
    return;
  bytes = docent_test_read_bytes (path);
  doc = docent_extract (bytes, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (doc->pages->len, ==, 2);
  assert_ocr_page (page_at (doc, 0));
  assert_words (page_at (doc, 0), lines_c);
  g_assert_false (page_at (doc, 1)->ocr);
  g_assert_cmpstr (page_at (doc, 1)->text->str, ==, "");
}

static void
count_ocr_pages (const DocentAddProgress *progress,
                 const DocentAddResult   *result,
                 gpointer                 user_data)
{
  guint *pages = user_data;

  *pages = MAX (*pages, progress->ocr_pages);
}

/* The whole way: docent_library_add, search, the stored layout back to
 * rectangles where the phrase was drawn, the page's OCR columns, and
 * `docent-cli list --json`. */
static void
test_library (void)
{
  ScanSpec spec = { NULL, lines_a, "captain", 8 };
  Mark mark = { 0 };
  cairo_surface_t *scan = draw_scan (&spec, &mark);
  cairo_surface_t *scans[] = { NULL, scan };
  const char *texts[] = { "Cover page of the harbour records, typeset with a text layer\n"
                          "that is long enough to count as real text for the detector,\n"
                          "more than two hundred letters, so only the scan is OCR'd here.",
                          NULL };
  g_autofree char *pdf = write_pdf ("harbour.pdf", scans, texts, 7, 2);
  g_autofree char *libdir = g_build_filename (tmpdir, "library", NULL);
  g_autoptr(DocentLibrary) library = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GPtrArray) hits = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GBytes) layout = NULL;
  g_autoptr(GArray) rects = NULL;
  const char *paths[] = { pdf, NULL };
  DocentAddOptions add = { .n_threads = 2 };
  guint ocr_pages = 0;
  DocentSearchOptions search = { .query = "\"every captain signed\"", .limit = 5 };
  const DocentSearchHit *hit;
  const char *at;
  double width = 0, height = 0, confidence = 0;
  guint n_ocr = 0;
  glong start, end;
  Rect drawn;
  gboolean covered = FALSE;

  cairo_surface_destroy (scan);
  if (skip_without_ocr ())
    return;
  library = docent_library_open (libdir, &error);
  g_assert_no_error (error);
  add.progress = count_ocr_pages;
  add.user_data = &ocr_pages;
  g_assert_true (docent_library_add (library, paths, &add, &results, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ocr_pages, ==, 1);     /* progress counts OCR'd pages */
  g_assert_cmpuint (results->len, ==, 1);
  g_assert_cmpint (((DocentAddResult *) results->pdata[0])->outcome, ==, DOCENT_ADD_ADDED);

  hits = docent_library_search (library, &search, DOCENT_SEARCH_BM25, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hits->len, ==, 1);
  hit = hits->pdata[0];
  g_assert_cmpuint (hit->page_start, ==, 2);

  g_assert_true (docent_store_get_page (docent_library_store (library), hit->document_id, 2,
                                        &text, &layout, &width, &height, &error));
  g_assert_no_error (error);
  g_assert_nonnull (layout);
  at = strstr (text, "Every captain signed");
  g_assert_nonnull (at);
  start = g_utf8_pointer_to_offset (text, at);
  end = start + g_utf8_strlen ("Every captain signed", -1);
  rects = docent_layout_rects (layout, width, height, start, end, &error);
  g_assert_no_error (error);
  /* One line, one rectangle, over the drawn word "captain". */
  g_assert_cmpuint (rects->len, ==, 1);
  drawn = scaled (mark.box, 72.0 / DPI);
  for (guint i = 0; i < rects->len; i++)
    {
      const DocentBox *b = &g_array_index (rects, DocentBox, i);
      Rect r = { b->x1, b->y1, b->x2, b->y2 };

      covered |= overlap_share (r, drawn) > 0.8;
    }
  g_assert_true (covered);

  g_assert_true (docent_store_ocr_summary (docent_library_store (library), hit->document_id,
                                           &n_ocr, &confidence, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_ocr, ==, 1);
  g_assert_cmpfloat (confidence, >, 70);
  g_clear_pointer (&library, docent_library_close);

  if (g_getenv ("DOCENT_CLI") != NULL && g_file_test (g_getenv ("DOCENT_CLI"), G_FILE_TEST_EXISTS))
    {
      const char *args[] = { "--library", libdir, "list", "--json", NULL };
      g_auto(DocentTestRun) run = { 0 };

      docent_test_run_cli (&run, args);
      g_assert_cmpint (run.status, ==, 0);
      g_assert_true (g_regex_match_simple ("\"pages_ocr\"\\s*:\\s*1\\b", run.out, 0, 0));
      g_assert_true (g_regex_match_simple ("\"ocr_confidence\"\\s*:\\s*[789][0-9]", run.out, 0, 0));
    }
}

/* OCR switched off, or not built: a clear error for images and scanned
 * PDFs; with pages of text too, the document is read and the scanned pages
 * are counted. */
static void
test_no_ocr (void)
{
  ScanSpec spec = { NULL, lines_b, NULL, 9 };
  cairo_surface_t *scan = draw_scan (&spec, NULL);
  cairo_surface_t *only_scan[] = { scan };
  cairo_surface_t *mixed[] = { NULL, scan };
  const char *texts[] = { "A typeset page with plenty of text in its own text layer, more\n"
                          "than two hundred letters of it, read without any OCR at all,\n"
                          "while the page after it is only a picture of a page of text.",
                          NULL };
  g_autofree char *scanned_path = write_pdf ("scan-only.pdf", only_scan, NULL, 0, 1);
  g_autofree char *mixed_path = write_pdf ("scan-mixed.pdf", mixed, texts, 7, 2);
  g_autoptr(GBytes) png = png_bytes (scan);
  g_autoptr(GBytes) scanned = docent_test_read_bytes (scanned_path);
  g_autoptr(GBytes) with_text = docent_test_read_bytes (mixed_path);
  g_autoptr(DocentExtracted) doc = NULL;
  g_autoptr(GError) error = NULL;
  const char *why = docent_ocr_available () ? "OCR is turned off"
                                            : "OCR is not available in this build";
  DocentExtractOptions opts;

  cairo_surface_destroy (scan);
  docent_extract_options_init (&opts);
  if (docent_ocr_available ())
    opts.ocr = DOCENT_OCR_OFF;

  g_assert_null (docent_extract (png, &opts, &error));
  g_assert_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_OCR);
  g_assert_true (g_str_has_prefix (error->message, "this image has no text layer and "));
  g_assert_true (g_str_has_suffix (error->message, why));
  g_clear_error (&error);

  g_assert_null (docent_extract (scanned, &opts, &error));
  g_assert_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_OCR);
  g_assert_true (g_str_has_prefix (error->message, "this PDF has no text layer and "));
  g_assert_true (g_str_has_suffix (error->message, why));
  g_clear_error (&error);

  doc = docent_extract (with_text, &opts, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (doc->pages->len, ==, 2);
  g_assert_cmpuint (doc->ocr_skipped, ==, 1);
  g_assert_cmpstr (page_at (doc, 1)->text->str, ==, "");
  g_assert_false (page_at (doc, 1)->ocr);
}

static void
test_languages (void)
{
  ScanSpec spec = { NULL, lines_a, NULL, 11 };
  g_autoptr(GBytes) png = scan_png (&spec, NULL);
  g_autoptr(DocentExtracted) doc = NULL;
  g_autoptr(GError) error = NULL;
  DocentExtractOptions opts;

  if (skip_without_ocr ())
    return;
  docent_extract_options_init (&opts);
  opts.ocr_languages = "qqx";
  g_assert_null (docent_extract (png, &opts, &error));
  g_assert_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_OCR);
  g_assert_nonnull (strstr (error->message, "\"qqx\" is not installed"));
  g_assert_nonnull (strstr (error->message, "tesseract-ocr-qqx"));
  g_clear_error (&error);

  opts.ocr_languages = "eng+../../etc/passwd";
  g_assert_null (docent_extract (png, &opts, &error));
  g_assert_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_OCR);
  g_assert_true (g_str_has_prefix (error->message, "invalid OCR language"));
  g_clear_error (&error);

  /* The engine is made again for a working language. */
  opts.ocr_languages = "eng";
  doc = docent_extract (png, &opts, &error);
  g_assert_no_error (error);
  assert_words (page_at (doc, 0), lines_a);
}

typedef struct {
  guint calls;
  guint last_page;
  guint n_pages;
  guint ocr_pages;
  GCancellable *cancel_after_first;
} Progress;

static void
on_page (guint    page_no,
         guint    n_pages,
         gboolean ocr,
         gpointer user_data)
{
  Progress *p = user_data;

  p->calls++;
  g_assert_cmpuint (page_no, ==, p->last_page + 1);
  p->last_page = page_no;
  p->n_pages = n_pages;
  p->ocr_pages += ocr;
  if (p->cancel_after_first != NULL)
    g_cancellable_cancel (p->cancel_after_first);
}

/* Progress per page; cancelling between pages (and before any) stops. */
static void
test_progress_and_cancel (void)
{
  ScanSpec spec_a = { NULL, lines_a, NULL, 12 }, spec_b = { NULL, lines_b, NULL, 13 };
  cairo_surface_t *a = draw_scan (&spec_a, NULL), *b = draw_scan (&spec_b, NULL);
  cairo_surface_t *scans[] = { a, NULL, b };
  const char *texts[] = { NULL, "A short typeset page between two scanned ones.", NULL };
  g_autofree char *path = write_pdf ("three.pdf", scans, texts, 9, 3);
  g_autoptr(GBytes) bytes = docent_test_read_bytes (path);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(DocentExtracted) doc = NULL;
  g_autoptr(GError) error = NULL;
  Progress progress = { 0 };
  DocentExtractOptions opts;

  cairo_surface_destroy (a);
  cairo_surface_destroy (b);
  if (skip_without_ocr ())
    return;
  docent_extract_options_init (&opts);
  opts.page_progress = on_page;
  opts.page_progress_data = &progress;
  doc = docent_extract (bytes, &opts, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (progress.calls, ==, 3);
  g_assert_cmpuint (progress.n_pages, ==, 3);
  g_assert_cmpuint (progress.ocr_pages, ==, 2);
  g_assert_false (page_at (doc, 1)->ocr);

  /* Cancelled after the first page: no second OCR. */
  progress = (Progress) { 0, 0, 0, 0, cancellable };
  opts.cancellable = cancellable;
  g_assert_null (docent_extract (bytes, &opts, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (progress.calls, ==, 1);
  g_clear_error (&error);

  /* Cancelled before: nothing is read. */
  progress = (Progress) { 0 };
  g_assert_null (docent_extract (bytes, &opts, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (progress.calls, ==, 0);
}

static gpointer
cancel_later (gpointer data)
{
  g_usleep (150 * 1000);
  g_cancellable_cancel (data);
  return NULL;
}

/* Cancelling while tesseract reads a dense page stops it between words:
 * the call returns CANCELLED well before the page would be done. */
static void
test_cancel_mid_page (void)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 2550, 3300);
  cairo_t *cr = cairo_create (surface);
  g_autofree char *prose = docent_test_prose (5, 600);
  g_autoptr(GBytes) png = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentExtracted) doc = NULL;
  DocentExtractOptions opts;
  GThread *canceller;
  double full, cancelled;
  gint64 start;

  g_strdelimit (prose, "\n", ' ');
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_set_source_rgb (cr, 0, 0, 0);
  cairo_select_font_face (cr, "DejaVu Serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, 46);
  for (guint line = 0; line < 40 && line * 70 < strlen (prose); line++)
    {
      g_autofree char *text = g_strndup (prose + line * 70, 70);

      cairo_move_to (cr, 250, 300 + 68 * line);
      cairo_show_text (cr, text);
    }
  cairo_destroy (cr);
  png = png_bytes (surface);
  cairo_surface_destroy (surface);
  if (skip_without_ocr ())
    return;

  docent_extract_options_init (&opts);
  start = g_get_monotonic_time ();
  doc = docent_extract (png, &opts, &error);
  full = (g_get_monotonic_time () - start) / 1e6;
  g_assert_no_error (error);

  opts.cancellable = cancellable;
  canceller = g_thread_new ("cancel", cancel_later, cancellable);
  start = g_get_monotonic_time ();
  g_assert_null (docent_extract (png, &opts, &error));
  cancelled = (g_get_monotonic_time () - start) / 1e6;
  g_thread_join (canceller);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_test_message ("dense page: %.2f s, cancelled after 0.15 s: returned at %.2f s", full, cancelled);
  g_assert_cmpfloat (cancelled, <, full);
}

static void
test_damaged_images (void)
{
  ScanSpec spec = { NULL, lines_a, NULL, 14 };
  g_autoptr(GBytes) png = scan_png (&spec, NULL);
  gsize len;
  const guint8 *data = g_bytes_get_data (png, &len);
  g_autoptr(GBytes) truncated = g_bytes_new (data, 200);
  guint8 huge_png[64];
  /* Two directories that point at each other. */
  static const guint8 loop_tiff[] = {
    'I', 'I', 42, 0, 8, 0, 0, 0,
    1, 0, 0x00, 0x01, 3, 0, 1, 0, 0, 0, 10, 0, 0, 0, 26, 0, 0, 0,
    1, 0, 0x01, 0x01, 3, 0, 1, 0, 0, 0, 10, 0, 0, 0, 8, 0, 0, 0,
  };
  /* One page of 60000 × 60000 pixels (LONG width and height). */
  static const guint8 huge_tiff[] = {
    'I', 'I', 42, 0, 8, 0, 0, 0,
    2, 0, 0x00, 0x01, 4, 0, 1, 0, 0, 0, 0x60, 0xEA, 0, 0,
          0x01, 0x01, 4, 0, 1, 0, 0, 0, 0x60, 0xEA, 0, 0, 0, 0, 0, 0,
  };
  g_autoptr(GBytes) huge = NULL;
  g_autoptr(GBytes) huge_t = g_bytes_new_static (huge_tiff, sizeof huge_tiff);
  g_autoptr(GBytes) loop = g_bytes_new_static (loop_tiff, sizeof loop_tiff);
  g_autoptr(GError) error = NULL;

  if (skip_without_ocr ())
    return;
  g_assert_null (docent_extract (truncated, NULL, &error));
  g_assert_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_CORRUPT);
  g_clear_error (&error);

  /* A header claiming 60000 × 60000 pixels is refused before decoding. */
  memcpy (huge_png, data, sizeof huge_png);
  huge_png[16] = 0; huge_png[17] = 0; huge_png[18] = 0xEA; huge_png[19] = 0x60;
  huge_png[20] = 0; huge_png[21] = 0; huge_png[22] = 0xEA; huge_png[23] = 0x60;
  huge = g_bytes_new (huge_png, sizeof huge_png);
  g_assert_null (docent_extract (huge, NULL, &error));
  g_assert_true (error->code == DOCENT_INGEST_ERROR_TOO_LARGE ||
                 error->code == DOCENT_INGEST_ERROR_CORRUPT);
  g_clear_error (&error);

  g_assert_null (docent_extract (huge_t, NULL, &error));
  g_assert_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "60000"));
  g_clear_error (&error);

  g_assert_null (docent_extract (loop, NULL, &error));
  g_assert_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "TIFF"));
}

static void
exec_sql (sqlite3    *db,
          const char *sql)
{
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
}

/* A library of schema 2 (no OCR columns) with a page in it opens as
 * schema 3: the page reads as not OCR'd; pages written since keep their
 * flag and confidence; the summary reads the partial index only. */
static void
test_store_migration (void)
{
  g_autofree char *path = g_build_filename (tmpdir, "v2.db", NULL);
  g_autoptr(DocentStore) store = NULL;
  g_autoptr(GError) error = NULL;
  DocentDocRecord rec = { .path = "/docs/old.pdf", .sha256 = "00", .type = "pdf" };
  DocentStorePage pages[] = {
    { 1, 595, 842, "typeset text", NULL, FALSE, 0 },
    { 2, 595, 842, "scanned text", NULL, TRUE, 91.5 },
    { 3, 595, 842, "another scan", NULL, TRUE, 80.5 },
  };
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 id;
  guint n = 99;
  double mean = -1;

  /* Made at schema 3, then taken back to what schema 2 had. */
  store = docent_store_open (path, &error);
  g_assert_no_error (error);
  id = docent_store_put_document (store, &rec, pages, 1, NULL, 0, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&store, docent_store_close);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  exec_sql (db, "DROP INDEX pages_ocr;"
                "ALTER TABLE pages DROP COLUMN ocr_confidence;"
                "ALTER TABLE pages DROP COLUMN ocr;"
                "PRAGMA user_version = 2;");
  sqlite3_close (db);

  store = docent_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (docent_store_ocr_summary (store, id, &n, &mean, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 0);
  g_assert_cmpfloat (mean, ==, 0);
  id = docent_store_put_document (store, &rec, pages, 3, NULL, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (docent_store_ocr_summary (store, id, &n, &mean, &error));
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpfloat_with_epsilon (mean, 86.0, 1e-9);
  g_clear_pointer (&store, docent_store_close);

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT ocr, ocr_confidence FROM pages ORDER BY page_no",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 0);
  g_assert_cmpint (sqlite3_column_type (stmt, 1), ==, SQLITE_NULL);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 1);
  g_assert_cmpfloat (sqlite3_column_double (stmt, 1), ==, 91.5);
  sqlite3_finalize (stmt);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "EXPLAIN QUERY PLAN SELECT count(*), "
                                       "coalesce(avg(ocr_confidence), 0) FROM pages"
                                       " WHERE document_id = 1 AND ocr", -1, &stmt, NULL),
                   ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_nonnull (strstr ((const char *) sqlite3_column_text (stmt, 3),
                            "COVERING INDEX pages_ocr"));
  sqlite3_finalize (stmt);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 3);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

typedef struct {
  GBytes *png;
  const char *const *lines;
  gboolean ok;
} ThreadJob;

static gpointer
ocr_thread (gpointer data)
{
  ThreadJob *job = data;
  g_autoptr(DocentExtracted) doc = NULL;
  g_autoptr(GError) error = NULL;

  for (guint round = 0; round < 2; round++)
    {
      g_clear_pointer (&doc, docent_extracted_free);
      doc = docent_extract (job->png, NULL, &error);
      job->ok = doc != NULL && strstr (page_at (doc, 0)->text->str, job->lines[1]) != NULL;
      if (!job->ok)
        break;
    }
  /* The thread's engine goes when the thread ends; this frees it now. */
  docent_ocr_thread_cleanup ();
  return NULL;
}

/* One engine per thread: two threads reading at once, twice each. */
static void
test_threads (void)
{
  ScanSpec spec_a = { NULL, lines_a, NULL, 15 }, spec_b = { NULL, lines_b, NULL, 16 };
  ThreadJob jobs[2] = {
    { scan_png (&spec_a, NULL), lines_a, FALSE },
    { scan_png (&spec_b, NULL), lines_b, FALSE },
  };
  GThread *threads[2];

  if (!skip_without_ocr ())
    {
      for (guint i = 0; i < 2; i++)
        threads[i] = g_thread_new ("ocr", ocr_thread, &jobs[i]);
      for (guint i = 0; i < 2; i++)
        g_thread_join (threads[i]);
      g_assert_true (jobs[0].ok);
      g_assert_true (jobs[1].ok);
    }
  g_bytes_unref (jobs[0].png);
  g_bytes_unref (jobs[1].png);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  tmpdir = docent_test_tmpdir ();
  g_test_add_func ("/ocr/text-quality", test_text_quality);
  g_test_add_func ("/ocr/detect", test_detect);
  g_test_add_func ("/ocr/png", test_png);
  g_test_add_func ("/ocr/png-alpha", test_png_alpha);
  g_test_add_func ("/ocr/large-image", test_large_image);
  g_test_add_func ("/ocr/tiff-pages", test_tiff_pages);
  g_test_add_func ("/ocr/jpeg", test_jpeg);
  g_test_add_func ("/ocr/scanned-pdf", test_scanned_pdf);
  g_test_add_func ("/ocr/garbage-and-sparse", test_garbage_and_sparse);
  g_test_add_func ("/ocr/outlined-text", test_outlined_text);
  g_test_add_func ("/ocr/library", test_library);
  g_test_add_func ("/ocr/no-ocr", test_no_ocr);
  g_test_add_func ("/ocr/languages", test_languages);
  g_test_add_func ("/ocr/progress-and-cancel", test_progress_and_cancel);
  g_test_add_func ("/ocr/cancel-mid-page", test_cancel_mid_page);
  g_test_add_func ("/ocr/damaged-images", test_damaged_images);
  g_test_add_func ("/ocr/threads", test_threads);
  g_test_add_func ("/ocr/store-migration", test_store_migration);
  status = g_test_run ();
  docent_ocr_thread_cleanup ();
  docent_test_rm_rf (tmpdir);
  g_free (tmpdir);
  return status;
}
