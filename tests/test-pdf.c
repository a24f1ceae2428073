/* test-pdf.c — PDF extraction on PDFs the test draws itself: pages, title,
 * paragraphs, headings and their levels, character boxes, two columns,
 * encryption, damaged files, limits, cancellation and threads. */
#include <math.h>
#include <string.h>

#include "ingest/layout.h"
#include "ingest/pdf.h"
#include "tests/fixtures.h"
#include "tests/pdfgen.h"

/* Where pdfgen puts things (see tests/pdfgen.c). */
#define MARGIN        72.0
#define PAGE_WIDTH    595.0
#define PAGE_HEIGHT   842.0
#define BODY_SIZE     11.0
#define HEADING_SIZE  18.0
#define LINE_FACTOR   1.3
#define PARAGRAPH_GAP 11.0

static char *tmpdir;

static DocentExtracted *
extract_bytes (GBytes                     *bytes,
               const DocentExtractOptions *opts,
               GError                    **error)
{
  DocentExtractOptions defaults;

  if (opts == NULL)
    {
      docent_extract_options_init (&defaults);
      opts = &defaults;
    }
  return docent_extract_pdf (bytes, opts, error);
}

static DocentExtracted *
extract_path (const char                 *path,
              const DocentExtractOptions *opts,
              GError                    **error)
{
  g_autoptr(GBytes) bytes = docent_test_read_bytes (path);

  return extract_bytes (bytes, opts, error);
}

static DocentPage *
page_at (DocentExtracted *doc,
         guint            i)
{
  g_assert_cmpuint (i, <, doc->pages->len);
  return doc->pages->pdata[i];
}

/* The text conventions of document.h, and one box per character. */
static void
assert_page_sane (const DocentPage *page)
{
  const char *text = page->text->str;
  gsize len = page->text->len;

  g_assert_true (g_utf8_validate (text, len, NULL));
  g_assert_cmpuint (strlen (text), ==, len);
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      g_assert_true (c == '\n' || (c >= 0x20 && (c < 0x7F || c >= 0xA0)));
    }
  g_assert_null (strstr (text, "\n\n\n"));
  if (len > 0)
    {
      g_assert_cmpint (text[0], !=, '\n');
      g_assert_cmpint (text[len - 1], !=, '\n');
    }
  g_assert_nonnull (page->boxes);
  g_assert_cmpuint (page->boxes->len, ==, g_utf8_strlen (text, len));
  for (guint i = 0; i < page->headings->len; i++)
    {
      const DocentHeading *h = &g_array_index (page->headings, DocentHeading, i);

      g_assert_cmpuint (h->start, <, h->end);
      g_assert_cmpuint (h->end, <=, len);
      g_assert_cmpuint (h->level, >=, 1);
      g_assert_cmpuint (h->level, <=, 6);
      g_assert_true (h->start == 0 || g_str_has_prefix (text + h->start - 2, "\n\n"));
      g_assert_true (h->end == len || g_str_has_prefix (text + h->end, "\n\n"));
    }
}

static void
assert_doc_sane (const DocentExtracted *doc)
{
  g_assert_cmpstr (doc->type, ==, "pdf");
  for (guint i = 0; i < doc->pages->len; i++)
    {
      const DocentPage *page = doc->pages->pdata[i];

      g_assert_cmpuint (page->page_no, ==, i + 1);
      assert_page_sane (page);
    }
}

static char *
heading_text (const DocentPage *page,
              guint             i)
{
  const DocentHeading *h = &g_array_index (page->headings, DocentHeading, i);

  return g_strndup (page->text->str + h->start, h->end - h->start);
}

/* The paragraphs of a text with line breaks read as spaces. */
static GPtrArray *
blocks_of (const char *text)
{
  GPtrArray *blocks = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) parts = g_strsplit (text, "\n\n", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *block = g_strdup (parts[i]);

      g_strstrip (g_strdelimit (block, "\n", ' '));
      if (*block != '\0')
        g_ptr_array_add (blocks, block);
      else
        g_free (block);
    }
  return blocks;
}

static void
assert_same_blocks (const char *got,
                    const char *want)
{
  g_autoptr(GPtrArray) a = blocks_of (got);
  g_autoptr(GPtrArray) b = blocks_of (want);

  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    g_assert_cmpstr (a->pdata[i], ==, b->pdata[i]);
}

/* The box of the character at byte offset `offset` of the page text. */
static const DocentBox *
box_at (const DocentPage *page,
        gsize             offset)
{
  glong index = g_utf8_pointer_to_offset (page->text->str, page->text->str + offset);

  g_assert_cmpint (index, <, (glong) page->boxes->len);
  return &g_array_index (page->boxes, DocentBox, index);
}

static char *
write_pdf (const char        *name,
           const char        *title,
           const char *const *pages,
           guint              n_pages)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (tmpdir, name, NULL);

  docent_test_write_pdf (path, title, pages, n_pages, &error);
  g_assert_no_error (error);
  return path;
}

/* A one-page PDF written by hand, for what cairo cannot draw: several
 * sizes of one font, a ToUnicode map to ligatures and Hebrew (`cmap`, may
 * be NULL), a broken page tree (`pages_dict`, NULL for the usual one). */
static GBytes *
hand_pdf (const char *content,
          const char *cmap,
          const char *pages_dict)
{
  GString *pdf = g_string_new ("%PDF-1.4\n");
  const char *objects[6];
  g_autofree char *content_obj = NULL;
  g_autofree char *cmap_obj = NULL;
  gsize offsets[6];
  guint n = cmap != NULL ? 6 : 5;
  gsize xref;

  content_obj = g_strdup_printf ("<< /Length %" G_GSIZE_FORMAT " >>\nstream\n%s\nendstream",
                                 strlen (content), content);
  if (cmap != NULL)
    cmap_obj = g_strdup_printf ("<< /Length %" G_GSIZE_FORMAT " >>\nstream\n%s\nendstream",
                                strlen (cmap), cmap);
  objects[0] = "<< /Type /Catalog /Pages 2 0 R >>";
  objects[1] = pages_dict != NULL ? pages_dict : "<< /Type /Pages /Kids [3 0 R] /Count 1 >>";
  objects[2] = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
               "/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>";
  objects[3] = cmap != NULL
    ? "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding "
      "/ToUnicode 6 0 R >>"
    : "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>";
  objects[4] = content_obj;
  objects[5] = cmap_obj;
  for (guint i = 0; i < n; i++)
    {
      offsets[i] = pdf->len;
      g_string_append_printf (pdf, "%u 0 obj\n%s\nendobj\n", i + 1, objects[i]);
    }
  xref = pdf->len;
  g_string_append_printf (pdf, "xref\n0 %u\n0000000000 65535 f \n", n + 1);
  for (guint i = 0; i < n; i++)
    g_string_append_printf (pdf, "%010" G_GSIZE_FORMAT " 00000 n \n", offsets[i]);
  g_string_append_printf (pdf, "trailer\n<< /Size %u /Root 1 0 R >>\n"
                          "startxref\n%" G_GSIZE_FORMAT "\n%%%%EOF\n", n + 1, xref);
  return g_string_free_to_bytes (pdf);
}

static void
test_pages (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentExtracted) doc = NULL;
  g_autofree char *prose1 = docent_test_prose (1, 120);
  g_autofree char *prose2 = docent_test_prose (2, 150);
  g_autofree char *prose3 = docent_test_prose (3, 60);
  g_autofree char *page1 = g_strconcat ("# Introduction\n\n", prose1,
                                        "\n\nThe zebrafish swims here.", NULL);
  g_autofree char *page2 = g_strconcat (prose2, " A kumquat grows there.", NULL);
  g_autofree char *page3 = g_strconcat ("# Results and findings\n\n", prose3, NULL);
  const char *pages[] = { page1, page2, page3 };
  g_autofree char *path = write_pdf ("pages.pdf", "Docent test document", pages, 3);
  g_autofree char *h1 = NULL;
  g_autofree char *h3 = NULL;
  const DocentHeading *heading;

  doc = extract_path (path, NULL, &error);
  g_assert_no_error (error);
  assert_doc_sane (doc);
  g_assert_cmpuint (doc->pages->len, ==, 3);
  g_assert_cmpstr (doc->title, ==, "Docent test document");

  for (guint i = 0; i < 3; i++)
    {
      DocentPage *page = page_at (doc, i);

      g_assert_cmpfloat (page->width, ==, PAGE_WIDTH);
      g_assert_cmpfloat (page->height, ==, PAGE_HEIGHT);
      /* The extracted paragraphs are exactly the ones drawn. */
      assert_same_blocks (page->text->str,
                          g_str_has_prefix (pages[i], "# ") ? pages[i] + 2 : pages[i]);
      g_assert_true ((strstr (page->text->str, "zebrafish") != NULL) == (i == 0));
      g_assert_true ((strstr (page->text->str, "kumquat") != NULL) == (i == 1));
    }

  g_assert_cmpuint (page_at (doc, 0)->headings->len, ==, 1);
  g_assert_cmpuint (page_at (doc, 1)->headings->len, ==, 0);
  g_assert_cmpuint (page_at (doc, 2)->headings->len, ==, 1);
  heading = &g_array_index (page_at (doc, 0)->headings, DocentHeading, 0);
  g_assert_cmpuint (heading->start, ==, 0);
  g_assert_cmpuint (heading->end, ==, strlen ("Introduction"));
  g_assert_cmpuint (heading->level, ==, 1);
  g_assert_true (g_str_has_prefix (page_at (doc, 0)->text->str, "Introduction\n\n"));
  h1 = heading_text (page_at (doc, 0), 0);
  h3 = heading_text (page_at (doc, 2), 0);
  g_assert_cmpstr (h1, ==, "Introduction");
  g_assert_cmpstr (h3, ==, "Results and findings");
  g_assert_cmpuint (g_array_index (page_at (doc, 2)->headings, DocentHeading, 0).level, ==, 1);
}

static void
test_blank_page (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentExtracted) doc = NULL;
  const char *pages[] = { "First page.", "", "Third page." };
  g_autofree char *path = write_pdf ("blank.pdf", NULL, pages, 3);

  doc = extract_path (path, NULL, &error);
  g_assert_no_error (error);
  assert_doc_sane (doc);
  g_assert_cmpuint (doc->pages->len, ==, 3);
  g_assert_cmpstr (page_at (doc, 0)->text->str, ==, "First page.");
  g_assert_cmpstr (page_at (doc, 1)->text->str, ==, "");
  g_assert_cmpuint (page_at (doc, 1)->boxes->len, ==, 0);
  g_assert_cmpfloat (page_at (doc, 1)->width, ==, PAGE_WIDTH);
  g_assert_cmpstr (page_at (doc, 2)->text->str, ==, "Third page.");
}

static void
test_boxes (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentExtracted) doc = NULL;
  g_autofree char *prose = docent_test_prose (7, 200);
  g_autofree char *text = g_strconcat ("# Overview\n\n", prose,
                                       "\n\nThe zebrafish swims here.", NULL);
  const char *pages[] = { text };
  g_autofree char *path = write_pdf ("boxes.pdf", NULL, pages, 1);
  g_autoptr(GBytes) blob = NULL;
  g_autoptr(GArray) rects = NULL;
  DocentPage *page;
  const DocentBox *b;
  const char *word, *body, *p;
  double heading_baseline = MARGIN + HEADING_SIZE;
  double body_baseline = MARGIN + HEADING_SIZE * LINE_FACTOR + PARAGRAPH_GAP + BODY_SIZE;
  float last_top = -1;
  gsize word_start;

  doc = extract_path (path, NULL, &error);
  g_assert_no_error (error);
  assert_doc_sane (doc);
  g_assert_null (doc->title);
  page = page_at (doc, 0);

  /* The heading's 'O' sits on the first baseline at the left margin. */
  b = box_at (page, 0);
  g_assert_cmpfloat_with_epsilon (b->x1, MARGIN, 0.5);
  g_assert_cmpfloat (b->y1, <, heading_baseline - 0.7 * HEADING_SIZE);
  g_assert_cmpfloat (b->y2, >, heading_baseline);
  g_assert_cmpfloat (b->y2, <, heading_baseline + 0.4 * HEADING_SIZE);

  /* The first body character sits on the body's first baseline. */
  body = strstr (page->text->str, "\n\n") + 2;
  b = box_at (page, body - page->text->str);
  g_assert_cmpfloat_with_epsilon (b->x1, MARGIN, 0.5);
  g_assert_cmpfloat (b->y1, <, body_baseline - 0.7 * BODY_SIZE);
  g_assert_cmpfloat (b->y2, >, body_baseline);
  g_assert_cmpfloat (b->y2, <, body_baseline + 0.4 * BODY_SIZE);

  /* Every line starts at the left margin, below the one before. */
  for (p = page->text->str; p != NULL && *p != '\0'; p = strchr (p, '\n'))
    {
      while (*p == '\n')
        p++;
      b = box_at (page, p - page->text->str);
      g_assert_cmpfloat_with_epsilon (b->x1, MARGIN, 0.5);
      g_assert_cmpfloat (b->y1, >, last_top);
      last_top = b->y1;
    }

  /* Inked characters are inside the text area, ordered along a line. */
  for (guint i = 0; i < page->boxes->len; i++)
    {
      b = &g_array_index (page->boxes, DocentBox, i);
      g_assert_cmpfloat (b->x1, <=, b->x2);
      g_assert_cmpfloat (b->y1, <=, b->y2);
      if (b->x2 == b->x1)
        continue;
      g_assert_cmpfloat (b->x1, >=, MARGIN - 0.5);
      g_assert_cmpfloat (b->x2, <=, PAGE_WIDTH - MARGIN + 0.5);
      g_assert_cmpfloat (b->y1, >=, MARGIN);
      g_assert_cmpfloat (b->y2, <=, PAGE_HEIGHT - MARGIN);
    }

  /* A word's highlight is one rectangle over its letters, on the line of
   * the last paragraph, which starts at the margin. */
  word = strstr (page->text->str, "zebrafish");
  g_assert_nonnull (word);
  word_start = g_utf8_pointer_to_offset (page->text->str, word);
  blob = docent_layout_encode (page->boxes, page->width, page->height);
  rects = docent_layout_rects (blob, page->width, page->height,
                               word_start, word_start + strlen ("zebrafish"), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rects->len, ==, 1);
  b = &g_array_index (rects, DocentBox, 0);
  g_assert_cmpfloat (b->x1, >, MARGIN + 10);
  g_assert_cmpfloat (b->x2 - b->x1, >, 9 * 0.4 * BODY_SIZE);
  g_assert_cmpfloat (b->x2 - b->x1, <, 9 * 0.8 * BODY_SIZE);
  g_assert_cmpfloat_with_epsilon (b->y1, box_at (page, word - page->text->str)->y1, 0.05);
  g_assert_cmpfloat_with_epsilon (b->x1, box_at (page, word - page->text->str)->x1, 0.05);
  g_assert_cmpfloat_with_epsilon (b->x2, box_at (page, word - page->text->str + 8)->x2, 0.05);
}

static void
test_long_heading (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentExtracted) doc = NULL;
  const char *title = "A heading long enough to need two lines at eighteen points bold";
  g_autofree char *prose = docent_test_prose (11, 150);
  g_autofree char *text = g_strconcat ("# ", title, "\n\n", prose, NULL);
  const char *pages[] = { text };
  g_autofree char *path = write_pdf ("long-heading.pdf", NULL, pages, 1);
  g_autofree char *heading = NULL;
  DocentPage *page;

  doc = extract_path (path, NULL, &error);
  g_assert_no_error (error);
  assert_doc_sane (doc);
  page = page_at (doc, 0);
  g_assert_cmpuint (page->headings->len, ==, 1);
  heading = heading_text (page, 0);
  g_assert_cmpstr (heading, ==, title);
  /* It was drawn on two lines: the joining space has no area. */
  g_assert_cmpfloat (box_at (page, strlen (title) - 1)->y1, >, box_at (page, 0)->y2);
}

/* The words of a text, one space between them. */
static char *
words_of (const char *text)
{
  g_auto(GStrv) words = g_strsplit_set (text, " \n", -1);
  GString *s = g_string_new (NULL);

  for (guint i = 0; words[i] != NULL; i++)
    if (*words[i] != '\0')
      g_string_append_printf (s, "%s%s", s->len > 0 ? " " : "", words[i]);
  return g_string_free (s, FALSE);
}

static void
test_overflow (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentExtracted) doc = NULL;
  g_autofree char *prose = docent_test_prose (5, 1200);
  const char *pages[] = { prose, "Closing page." };
  g_autofree char *path = write_pdf ("overflow.pdf", NULL, pages, 2);
  g_autoptr(GString) all = g_string_new (NULL);
  g_autofree char *got = NULL;
  g_autofree char *want = NULL;

  doc = extract_path (path, NULL, &error);
  g_assert_no_error (error);
  assert_doc_sane (doc);
  /* 1200 words of 11 pt text take two and a half pages. */
  g_assert_cmpuint (doc->pages->len, ==, 4);
  g_assert_cmpstr (page_at (doc, 3)->text->str, ==, "Closing page.");
  for (guint i = 1; i < 3; i++)
    g_assert_cmpfloat (box_at (page_at (doc, i), 0)->y1, <, MARGIN + BODY_SIZE);
  /* A paragraph cut by the page break is two blocks: compare the words. */
  for (guint i = 0; i < 3; i++)
    g_string_append_printf (all, "%s\n\n", page_at (doc, i)->text->str);
  got = words_of (all->str);
  want = words_of (prose);
  g_assert_cmpstr (got, ==, want);
}

/* Sentences whose words tell the column: "Alpha", "apple", "L3" on the
 * left, "Omega", "zulu", "R3" on the right. */
static char *
column_text (gboolean left,
             guint    n)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    {
      if (left)
        g_string_append_printf (s, "Alpha L%u apple banana cherry date.", i);
      else
        g_string_append_printf (s, "Omega R%u xray yankee zulu whiskey.", i);
      g_string_append (s, i % 4 == 3 ? "\n\n" : " ");
    }
  return g_string_free (s, FALSE);
}

static int
side_of_word (const char *word)
{
  static const char *const left[] = { "Alpha", "apple", "banana", "cherry", "date" };
  static const char *const right[] = { "Omega", "xray", "yankee", "zulu", "whiskey" };
  g_autofree char *w = g_strdup (word);

  g_strdelimit (w, ".", ' ');
  g_strstrip (w);
  if (*w == '\0')
    return 0;
  if (w[0] == 'L' && g_ascii_isdigit (w[1]))
    return 1;
  if (w[0] == 'R' && g_ascii_isdigit (w[1]))
    return 2;
  for (guint i = 0; i < G_N_ELEMENTS (left); i++)
    {
      if (strcmp (w, left[i]) == 0)
        return 1;
      if (strcmp (w, right[i]) == 0)
        return 2;
    }
  g_assert_not_reached ();
}

static void
test_columns (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentExtracted) doc = NULL;
  g_autofree char *left = column_text (TRUE, 24);
  g_autofree char *right = column_text (FALSE, 24);
  g_autofree char *path = g_build_filename (tmpdir, "columns.pdf", NULL);
  g_auto(GStrv) lines = NULL;
  g_autofree char *flat = NULL;
  const char *text, *last_left, *first_right;
  gssize previous_left = -1, previous_right = -1;
  DocentPage *page;

  docent_test_write_pdf_columns (path, left, right, &error);
  g_assert_no_error (error);
  doc = extract_path (path, NULL, &error);
  g_assert_no_error (error);
  assert_doc_sane (doc);
  g_assert_cmpuint (doc->pages->len, ==, 1);
  page = page_at (doc, 0);
  text = page->text->str;

  /* Each column's sentences are all there, in order, left column first. */
  flat = g_strdup (text);
  g_strdelimit (flat, "\n", ' ');
  for (guint i = 0; i < 24; i++)
    {
      g_autofree char *l = g_strdup_printf ("Alpha L%u apple banana cherry date.", i);
      g_autofree char *r = g_strdup_printf ("Omega R%u xray yankee zulu whiskey.", i);
      const char *lp = strstr (flat, l), *rp = strstr (flat, r);

      g_assert_nonnull (lp);
      g_assert_nonnull (rp);
      g_assert_cmpint (lp - flat, >, previous_left);
      g_assert_cmpint (rp - flat, >, previous_right);
      previous_left = lp - flat;
      previous_right = rp - flat;
    }
  g_assert_cmpint (previous_left, <, strstr (flat, "Omega R0 ") - flat);
  last_left = g_strrstr (text, "L23");
  first_right = strstr (text, "R0");
  g_assert_nonnull (last_left);
  g_assert_nonnull (first_right);
  g_assert_true (last_left < first_right);
  g_assert_nonnull (g_strstr_len (last_left, first_right - last_left, "\n\n"));

  /* No line mixes the columns. */
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) words = g_strsplit (lines[i], " ", -1);
      int side = 0;

      for (guint j = 0; words[j] != NULL; j++)
        {
          int s = side_of_word (words[j]);

          if (s == 0)
            continue;
          if (side != 0)
            g_assert_cmpint (s, ==, side);
          side = s;
        }
    }
}

/* A full-width title, two columns whose paragraphs line up, and a
 * full-width footer: title, left column, right column, footer. */
static void
test_columns_with_title (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentExtracted) doc = NULL;
  g_autoptr(GString) content = g_string_new ("BT /F1 18 Tf 72 770 Td (A title that spans "
                                             "both of the columns below) Tj ET\n");
  g_autoptr(GString) want = g_string_new ("A title that spans both of the columns below");
  g_autoptr(GBytes) bytes = NULL;
  const char *footer = "A footer line that runs across the whole width of the page, "
                       "under both columns";

  for (guint side = 0; side < 2; side++)
    for (guint para = 0; para < 3; para++)
      {
        g_string_append (want, "\n\n");
        for (guint line = 0; line < 4; line++)
          {
            double y = 720 - para * 70 - line * 14;

            g_string_append_printf (content, "BT /F1 10 Tf %d %.0f Td (%s column paragraph "
                                    "%u line %u of four) Tj ET\n", side ? 320 : 72, y,
                                    side ? "Right" : "Left", para, line);
            g_string_append_printf (want, "%s%s column paragraph %u line %u of four",
                                    line > 0 ? "\n" : "", side ? "Right" : "Left", para, line);
          }
      }
  g_string_append_printf (content, "BT /F1 10 Tf 72 60 Td (%s) Tj ET\n", footer);
  g_string_append_printf (want, "\n\n%s", footer);

  bytes = hand_pdf (content->str, NULL, NULL);
  doc = extract_bytes (bytes, NULL, &error);
  g_assert_no_error (error);
  assert_doc_sane (doc);
  g_assert_cmpstr (page_at (doc, 0)->text->str, ==, want->str);
  g_assert_cmpuint (page_at (doc, 0)->headings->len, ==, 1);
}

static void
test_encrypted (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentExtracted) doc = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *path = g_build_filename (tmpdir, "encrypted.pdf", NULL);
  const char *secret = "Confidential memo: the vault code is 1234.";
  DocentExtractOptions opts;

  docent_test_write_pdf_encrypted (path, "s3cret pass", secret, &error);
  g_assert_no_error (error);
  bytes = docent_test_read_bytes (path);
  /* The content is not readable in the file. */
  g_assert_null (g_strstr_len (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), "vault"));

  docent_extract_options_init (&opts);
  g_assert_null (extract_bytes (bytes, &opts, &error));
  g_assert_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_ENCRYPTED);
  g_assert_cmpstr (error->message, ==, "encrypted PDF: a password is needed");
  g_clear_error (&error);

  opts.password = "";
  g_assert_null (extract_bytes (bytes, &opts, &error));
  g_assert_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_ENCRYPTED);
  g_assert_cmpstr (error->message, ==, "encrypted PDF: a password is needed");
  g_clear_error (&error);

  opts.password = "s3cret";
  g_assert_null (extract_bytes (bytes, &opts, &error));
  g_assert_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_ENCRYPTED);
  g_assert_cmpstr (error->message, ==, "encrypted PDF: wrong password");
  g_clear_error (&error);

  opts.password = "s3cret pass";
  doc = extract_bytes (bytes, &opts, &error);
  g_assert_no_error (error);
  assert_doc_sane (doc);
  g_assert_cmpuint (doc->pages->len, ==, 1);
  g_assert_cmpstr (page_at (doc, 0)->text->str, ==, secret);
  g_assert_cmpfloat_with_epsilon (g_array_index (page_at (doc, 0)->boxes, DocentBox, 0).x1,
                                  72, 0.5);
}

static void
test_heading_levels (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentExtracted) doc = NULL;
  g_autoptr(GString) content = g_string_new ("BT /F1 24 Tf 72 770 Td (Annual Report) Tj ET\n"
                                             "BT /F1 16 Tf 72 730 Td (Background) Tj ET\n");
  g_autoptr(GBytes) bytes = NULL;
  const char *want[] = { "Annual Report", "Background", "Method" };
  const guint levels[] = { 1, 2, 2 };
  double y = 700;
  DocentPage *page;

  for (guint i = 0; i < 24; i++, y -= 14)
    {
      if (i == 12)
        {
          g_string_append_printf (content, "BT /F1 16 Tf 72 %.0f Td (Method) Tj ET\n", y - 10);
          y -= 40;
        }
      g_string_append_printf (content, "BT /F1 10 Tf 72 %.0f Td (Body line %u of the "
                              "report with enough words to be body text.) Tj ET\n", y, i);
    }
  bytes = hand_pdf (content->str, NULL, NULL);
  doc = extract_bytes (bytes, NULL, &error);
  g_assert_no_error (error);
  assert_doc_sane (doc);
  page = page_at (doc, 0);
  g_assert_cmpuint (page->headings->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *h = heading_text (page, i);

      g_assert_cmpstr (h, ==, want[i]);
      g_assert_cmpuint (g_array_index (page->headings, DocentHeading, i).level, ==, levels[i]);
    }
  g_assert_true (g_str_has_prefix (page->text->str,
                                   "Annual Report\n\nBackground\n\nBody line 0 of the report"));
  g_assert_nonnull (strstr (page->text->str, "body text.\n\nMethod\n\nBody line 12 "));
  g_assert_nonnull (strstr (page->text->str, "Body line 0 of the report with enough "
                            "words to be body text.\nBody line 1 "));
}

static const char *ligature_cmap =
  "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
  "/CMapName /Test def /CMapType 2 def\n"
  "1 begincodespacerange <00> <FF> endcodespacerange\n"
  "7 beginbfchar\n"
  "<41> <FB01>\n<42> <05D0>\n<43> <05D1>\n<44> <05D2>\n<45> <0000>\n"
  "<46> <200F0041>\n<47> <004E0000004F>\n"
  "endbfchar\nendcmap CMapName currentdict /CMap defineresource pop end end";

static void
test_ligatures (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentExtracted) doc = NULL;
  g_autoptr(GBytes) bytes = NULL;
  const DocentBox *f, *i;
  DocentPage *page;

  /* 'A' is the fi ligature, 'E' maps to U+0000 and Poppler drops it; the
   * tab byte has no glyph. */
  bytes = hand_pdf ("BT /F1 12 Tf 72 720 Td (Ave ofAce wE\\tx) Tj ET", ligature_cmap, NULL);
  doc = extract_bytes (bytes, NULL, &error);
  g_assert_no_error (error);
  assert_doc_sane (doc);
  page = page_at (doc, 0);
  g_assert_true (g_str_has_prefix (page->text->str, "five office w"));
  f = box_at (page, 0);
  i = box_at (page, 1);
  g_assert_cmpfloat_with_epsilon (f->x1, 72, 0.5);
  g_assert_cmpfloat_with_epsilon (f->x2, i->x1, 0.01);
  g_assert_cmpfloat_with_epsilon (i->x2 - f->x1, 2 * (f->x2 - f->x1), 0.01);
  g_assert_cmpfloat (box_at (page, 2)->x1, >=, i->x2 - 0.01);
}

static void
test_right_to_left (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentExtracted) doc = NULL;
  g_autoptr(GBytes) bytes = NULL;
  DocentPage *page;
  const char *p;
  guint hebrew = 0;

  /* Glyph codes B C D are drawn left to right from x = 72 (Helvetica
   * widths 667, 722, 722) and map to alef, bet and gimel: the page reads
   * right to left, and its first line has the same three letters twice. */
  bytes = hand_pdf ("BT /F1 12 Tf 72 720 Td (BCD DCB) Tj 0 -20 Td (BBB) Tj ET",
                    ligature_cmap, NULL);
  doc = extract_bytes (bytes, NULL, &error);
  g_assert_no_error (error);
  assert_doc_sane (doc);
  page = page_at (doc, 0);
  for (p = page->text->str; *p != '\0' && *p != '\n'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      const DocentBox *b = box_at (page, p - page->text->str);
      /* alef, bet, gimel in "BCD" then in "DCB" after a 3.336 pt space */
      const double first[] = { 72, 80.004, 88.668 };
      const double second[] = { 117.996, 109.332, 100.668 };

      g_assert_cmpuint (c, >=, 0x05D0);
      g_assert_cmpuint (c, <=, 0x05D2);
      hebrew++;
      /* Each letter's box is where its glyph was drawn. */
      g_assert_cmpfloat_with_epsilon (b->x1, (hebrew <= 3 ? second : first)[c - 0x05D0], 0.05);
    }
  g_assert_cmpuint (hebrew, ==, 6);
  g_assert_nonnull (strstr (page->text->str, "\xD7\x90\xD7\x90\xD7\x90"));
}

static void
test_unusual_text (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentExtracted) rlm = NULL;
  g_autoptr(DocentExtracted) nul = NULL;
  g_autoptr(GBytes) with_rlm = NULL;
  g_autoptr(GBytes) with_nul = NULL;
  DocentPage *page;

  /* 'F' maps to RLM + 'A': Poppler wraps the mark in embeddings that have
   * no rectangle; the mark is dropped, the 'A' keeps the glyph's box. */
  with_rlm = hand_pdf ("BT /F1 12 Tf 72 720 Td (xFy zz) Tj 0 -20 Td (next) Tj ET",
                       ligature_cmap, NULL);
  rlm = extract_bytes (with_rlm, NULL, &error);
  g_assert_no_error (error);
  assert_doc_sane (rlm);
  page = page_at (rlm, 0);
  g_assert_cmpstr (page->text->str, ==, "xAy zz\nnext");
  g_assert_cmpfloat_with_epsilon (box_at (page, 0)->x1, 72, 0.05);
  g_assert_cmpfloat_with_epsilon (box_at (page, 2)->x1, 72 + 0.5 * 12 + 0.611 * 12, 0.05);
  g_assert_cmpfloat_with_epsilon (box_at (page, 7)->x1, 72, 0.05);
  g_assert_cmpfloat_with_epsilon (box_at (page, 7)->y1, box_at (page, 0)->y1 + 20, 0.05);

  /* 'G' maps to "N\0O": poppler-glib's string ends at the NUL, so the
   * text is cut short of the layout; what is left keeps its boxes. */
  with_nul = hand_pdf ("BT /F1 12 Tf 72 720 Td (abGcd) Tj 0 -20 Td (next) Tj ET",
                       ligature_cmap, NULL);
  nul = extract_bytes (with_nul, NULL, &error);
  g_assert_no_error (error);
  assert_doc_sane (nul);
  page = page_at (nul, 0);
  g_assert_cmpstr (page->text->str, ==, "abN");
  g_assert_cmpfloat_with_epsilon (box_at (page, 0)->x1, 72, 0.05);
  g_assert_cmpfloat_with_epsilon (box_at (page, 1)->x1, 72 + 0.556 * 12, 0.05);
  g_assert_cmpfloat_with_epsilon (box_at (page, 2)->x1, 72 + 2 * 0.556 * 12, 0.05);
}

static void
assert_corrupt_or_sane (GBytes *bytes)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentExtracted) doc = extract_bytes (bytes, NULL, &error);

  if (doc == NULL)
    {
      g_assert_nonnull (error);
      g_assert_true (error->domain == DOCENT_INGEST_ERROR);
      g_assert_true (error->code == DOCENT_INGEST_ERROR_CORRUPT ||
                     error->code == DOCENT_INGEST_ERROR_ENCRYPTED);
      g_assert_true (g_ascii_islower (error->message[0]));
      g_assert_false (g_str_has_suffix (error->message, "."));
    }
  else
    {
      g_assert_no_error (error);
      assert_doc_sane (doc);
    }
}

static void
test_damaged (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *prose = docent_test_prose (9, 300);
  const char *pages[] = { prose, prose, prose };
  g_autofree char *path = write_pdf ("damaged.pdf", NULL, pages, 3);
  g_autoptr(GBytes) good = docent_test_read_bytes (path);
  g_autoptr(GBytes) half = g_bytes_new_from_bytes (good, 0, g_bytes_get_size (good) / 2);
  g_autoptr(GBytes) garbage = NULL;
  g_autoptr(GBytes) no_pages = NULL;
  g_autoptr(GBytes) bad_xref = NULL;
  g_autoptr(DocentExtracted) doc = NULL;
  guint8 noise[4096];
  guint32 state = 99;
  const void *data;
  char *xref;
  gsize len;

  assert_corrupt_or_sane (half);

  memcpy (noise, "%PDF-1.7\n", 9);
  for (guint i = 9; i < sizeof noise; i++)
    noise[i] = (state = state * 1664525 + 1013904223) >> 24;
  garbage = g_bytes_new (noise, sizeof noise);
  g_assert_null (extract_bytes (garbage, NULL, &error));
  g_assert_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_CORRUPT);
  g_assert_true (g_str_has_prefix (error->message, "damaged PDF: "));
  g_clear_error (&error);

  no_pages = hand_pdf ("", NULL, "<< /Type /Pages /Kids [] /Count 0 >>");
  g_assert_null (extract_bytes (no_pages, NULL, &error));
  g_assert_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_CORRUPT);
  g_clear_error (&error);

  /* Wrong offsets in the xref table: an error or the text, no crash. */
  bad_xref = hand_pdf ("BT /F1 12 Tf 72 720 Td (Recovered text) Tj ET", NULL, NULL);
  data = g_bytes_get_data (bad_xref, &len);
  xref = g_strndup (data, len);
  for (char *p = strstr (xref, "xref\n0 6\n"); p != NULL && (p = strstr (p, " 00000 n")) != NULL; p++)
    memcpy (p - 10, "0000000003", 10);
  g_bytes_unref (bad_xref);
  bad_xref = g_bytes_new_take (xref, len);
  assert_corrupt_or_sane (bad_xref);

  /* A startxref past the end: Poppler rebuilds the table from the objects. */
  bad_xref = hand_pdf ("BT /F1 12 Tf 72 720 Td (Recovered text) Tj ET", NULL, NULL);
  data = g_bytes_get_data (bad_xref, &len);
  xref = g_strndup (data, len);
  memcpy (g_strrstr (xref, "startxref\n") + strlen ("startxref\n"), "999", 3);
  g_bytes_unref (bad_xref);
  bad_xref = g_bytes_new_take (xref, len);
  doc = extract_bytes (bad_xref, NULL, &error);
  g_assert_no_error (error);
  assert_doc_sane (doc);
  g_assert_cmpstr (page_at (doc, 0)->text->str, ==, "Recovered text");
}

static void
test_mutations (void)
{
  g_autoptr(GBytes) good = hand_pdf ("BT /F1 12 Tf 72 720 Td (Mutated text) Tj 0 -14 Td "
                                     "(second line) Tj ET", ligature_cmap, NULL);
  gsize len = g_bytes_get_size (good);
  guint32 state = 7;

  for (guint round = 0; round < 300; round++)
    {
      guint8 *copy = g_memdup2 (g_bytes_get_data (good, NULL), len);
      g_autoptr(GBytes) bytes = NULL;

      for (guint k = 0; k < 1 + round % 4; k++)
        {
          state = state * 1664525 + 1013904223;
          copy[(state >> 8) % len] = state >> 24;
        }
      bytes = g_bytes_new_take (copy, len);
      assert_corrupt_or_sane (bytes);
    }
}

static void
test_limits (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentExtracted) doc = NULL;
  g_autofree char *prose = docent_test_prose (4, 100);
  const char *pages[] = { prose, prose, prose };
  g_autofree char *path = write_pdf ("limits.pdf", NULL, pages, 3);
  g_autoptr(GBytes) bytes = docent_test_read_bytes (path);
  DocentExtractOptions opts;

  docent_extract_options_init (&opts);
  opts.max_pages = 2;
  g_assert_null (extract_bytes (bytes, &opts, &error));
  g_assert_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_TOO_LARGE);
  g_clear_error (&error);

  opts.max_pages = 3;
  doc = extract_bytes (bytes, &opts, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (doc->pages->len, ==, 3);

  opts.max_text_bytes = strlen (prose) + 100;
  g_assert_null (extract_bytes (bytes, &opts, &error));
  g_assert_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_TOO_LARGE);
}

static void
test_cancel (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  const char *pages[] = { "One page." };
  g_autofree char *path = write_pdf ("cancel.pdf", NULL, pages, 1);
  g_autoptr(GBytes) bytes = docent_test_read_bytes (path);
  DocentExtractOptions opts;

  docent_extract_options_init (&opts);
  opts.cancellable = cancellable;
  g_cancellable_cancel (cancellable);
  g_assert_null (extract_bytes (bytes, &opts, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static char *
flatten (const DocentExtracted *doc)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < doc->pages->len; i++)
    {
      const DocentPage *page = doc->pages->pdata[i];

      g_string_append_printf (s, "[%u %u %u]%s\n", page->page_no, page->headings->len,
                              page->boxes->len, page->text->str);
    }
  return g_string_free (s, FALSE);
}

static gpointer
extract_in_thread (gpointer data)
{
  g_autoptr(DocentExtracted) doc = NULL;
  g_autoptr(GError) error = NULL;
  char *last = NULL;

  for (guint i = 0; i < 3; i++)
    {
      g_clear_pointer (&doc, docent_extracted_free);
      doc = extract_bytes (data, NULL, &error);
      g_assert_no_error (error);
      g_free (last);
      last = flatten (doc);
    }
  return last;
}

static void
test_threads (void)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  GThread *threads[4];

  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *name = g_strdup_printf ("thread-%u.pdf", i);
      g_autofree char *prose = docent_test_prose (20 + i, 500);
      g_autofree char *heading = g_strconcat ("# Part\n\n", prose, NULL);
      const char *pages[] = { heading, prose, prose };
      g_autofree char *path = write_pdf (name, NULL, pages, 3);

      g_ptr_array_add (files, docent_test_read_bytes (path));
    }
  for (guint i = 0; i < 4; i++)
    threads[i] = g_thread_new ("extract", extract_in_thread, files->pdata[i]);
  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *parallel = g_thread_join (threads[i]);
      g_autofree char *alone = extract_in_thread (files->pdata[i]);

      g_assert_cmpstr (parallel, ==, alone);
    }
}

static void
test_many_pages (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentExtracted) doc = NULL;
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *path = NULL;
  double seconds;

  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *prose = docent_test_prose (100 + i, 320);

      g_ptr_array_add (texts, g_strdup_printf ("%sPage marker q%03u.\n\n%s",
                                               i % 10 == 0 ? "# Chapter\n\n" : "",
                                               i + 1, prose));
    }
  path = write_pdf ("many.pdf", "Many", (const char *const *) texts->pdata, texts->len);
  g_test_timer_start ();
  doc = extract_path (path, NULL, &error);
  seconds = g_test_timer_elapsed ();
  g_assert_no_error (error);
  g_test_message ("100 pages extracted in %.1f ms", seconds * 1000);
  assert_doc_sane (doc);
  g_assert_cmpuint (doc->pages->len, ==, 100);
  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *marker = g_strdup_printf ("Page marker q%03u.", i + 1);
      DocentPage *page = page_at (doc, i);

      g_assert_nonnull (strstr (page->text->str, marker));
      g_assert_cmpuint (page->headings->len, ==, i % 10 == 0 ? 1 : 0);
    }
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  tmpdir = docent_test_tmpdir ();
  g_test_add_func ("/pdf/pages", test_pages);
  g_test_add_func ("/pdf/blank-page", test_blank_page);
  g_test_add_func ("/pdf/boxes", test_boxes);
  g_test_add_func ("/pdf/long-heading", test_long_heading);
  g_test_add_func ("/pdf/overflow", test_overflow);
  g_test_add_func ("/pdf/columns", test_columns);
  g_test_add_func ("/pdf/columns-with-title", test_columns_with_title);
  g_test_add_func ("/pdf/encrypted", test_encrypted);
  g_test_add_func ("/pdf/heading-levels", test_heading_levels);
  g_test_add_func ("/pdf/ligatures", test_ligatures);
  g_test_add_func ("/pdf/right-to-left", test_right_to_left);
  g_test_add_func ("/pdf/unusual-text", test_unusual_text);
  g_test_add_func ("/pdf/damaged", test_damaged);
  g_test_add_func ("/pdf/mutations", test_mutations);
  g_test_add_func ("/pdf/limits", test_limits);
  g_test_add_func ("/pdf/cancel", test_cancel);
  g_test_add_func ("/pdf/threads", test_threads);
  g_test_add_func ("/pdf/many-pages", test_many_pages);
  status = g_test_run ();
  docent_test_rm_rf (tmpdir);
  g_free (tmpdir);
  return status;
}
