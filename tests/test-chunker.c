/* test-chunker.c — chunk sizes, boundaries, overlap, headings and spans. */
#include <string.h>

#include "ingest/chunker.h"
#include "tests/fixtures.h"

static DocentExtracted *
doc_from_pages (const char *const *pages,
                guint               n_pages)
{
  DocentExtracted *doc = docent_extracted_new ("text");

  for (guint i = 0; i < n_pages; i++)
    {
      DocentPage *page = docent_extracted_add_page (doc);
      g_auto(GStrv) blocks = g_strsplit (pages[i], "\n\n", -1);

      for (char **b = blocks; *b != NULL; b++)
        {
          if (g_str_has_prefix (*b, "# "))
            docent_page_add_heading (page, *b + 2, -1, 1);
          else
            {
              docent_page_append_text (page, *b, -1);
              docent_page_end_block (page);
            }
        }
      docent_page_finish (page);
    }
  return doc;
}

/* The text of [start, end) characters of a page. */
static char *
page_slice (const DocentExtracted *doc,
            guint                  page_no,
            guint                  start,
            guint                  end)
{
  const char *text = ((DocentPage *) doc->pages->pdata[page_no - 1])->text->str;
  const char *a = g_utf8_offset_to_pointer (text, start);
  const char *b = g_utf8_offset_to_pointer (text, end);

  return g_strndup (a, b - a);
}

static void
test_estimate (void)
{
  g_assert_cmpuint (docent_estimate_tokens ("Hello, world!", -1), ==, 4);
  g_assert_cmpuint (docent_estimate_tokens ("  ", -1), ==, 0);
  g_assert_cmpuint (docent_estimate_tokens ("日本語", -1), ==, 3);
  g_assert_cmpuint (docent_estimate_tokens ("naïve café-au-lait", -1), ==, 6);
  g_assert_cmpuint (docent_estimate_tokens ("abc def", 3), ==, 1);
}

static void
test_sizes_and_overlap (void)
{
  g_autofree char *prose = docent_test_prose (7, 5000);
  const char *pages[] = { prose };
  g_autoptr(DocentExtracted) doc = doc_from_pages (pages, 1);
  g_autoptr(GPtrArray) chunks = docent_chunk_document (doc, NULL);
  guint covered_to = 0;

  g_assert_cmpuint (chunks->len, >=, 12);
  g_assert_cmpuint (chunks->len, <=, 30);
  for (guint i = 0; i < chunks->len; i++)
    {
      DocentChunk *c = chunks->pdata[i];
      g_autofree char *slice = page_slice (doc, 1, c->char_start, c->char_end);

      g_assert_cmpuint (c->ordinal, ==, i);
      g_assert_cmpuint (c->page_start, ==, 1);
      g_assert_cmpuint (c->page_end, ==, 1);
      g_assert_cmpuint (c->tokens, <=, 400);
      g_assert_cmpuint (c->tokens, ==, docent_estimate_tokens (c->text, -1));
      if (i + 1 < chunks->len)
        g_assert_cmpuint (c->tokens, >=, 200);
      g_assert_cmpstr (slice, ==, c->text);
      /* Every chunk ends a sentence and starts one. */
      g_assert_true (g_str_has_suffix (c->text, "."));
      g_assert_true (g_ascii_isupper (c->text[0]));
      /* Contiguous coverage with a small overlap. */
      if (i > 0)
        {
          DocentChunk *prev = chunks->pdata[i - 1];

          g_assert_cmpuint (c->char_start, <=, covered_to + 2);
          g_assert_cmpuint (c->char_start, >, prev->char_start);
          if (c->char_start < prev->char_end)
            {
              g_autofree char *overlap = page_slice (doc, 1, c->char_start, prev->char_end);
              g_assert_cmpuint (docent_estimate_tokens (overlap, -1), <=, 40);
            }
        }
      else
        g_assert_cmpuint (c->char_start, ==, 0);
      covered_to = c->char_end;
    }
  g_assert_cmpuint (covered_to, ==, g_utf8_strlen (((DocentPage *) doc->pages->pdata[0])->text->str, -1));
}

static void
test_headings (void)
{
  g_autofree char *a = docent_test_prose (1, 600);
  g_autofree char *b = docent_test_prose (2, 120);
  g_autofree char *page = g_strdup_printf ("# Introduction\n\n%s\n\n# Dosage\n\n%s", a, b);
  const char *pages[] = { page };
  g_autoptr(DocentExtracted) doc = doc_from_pages (pages, 1);
  g_autoptr(GPtrArray) chunks = docent_chunk_document (doc, NULL);
  DocentChunk *last = chunks->pdata[chunks->len - 1];

  g_assert_cmpuint (chunks->len, >=, 3);
  g_assert_cmpstr (((DocentChunk *) chunks->pdata[0])->heading, ==, "Introduction");
  g_assert_true (g_str_has_prefix (((DocentChunk *) chunks->pdata[0])->text, "Introduction\n\n"));
  /* The new section starts its own chunk, beginning with the heading. */
  g_assert_cmpstr (last->heading, ==, "Dosage");
  g_assert_true (g_str_has_prefix (last->text, "Dosage\n\n"));
  for (guint i = 0; i + 1 < chunks->len; i++)
    {
      DocentChunk *c = chunks->pdata[i];

      g_assert_cmpstr (c->heading, ==, "Introduction");
      g_assert_null (strstr (c->text, "Dosage"));
    }
}

static void
test_pages (void)
{
  g_autofree char *p1 = docent_test_prose (3, 250);
  g_autofree char *p2 = docent_test_prose (4, 250);
  g_autofree char *p3 = docent_test_prose (5, 250);
  const char *pages[] = { p1, p2, p3 };
  g_autoptr(DocentExtracted) doc = doc_from_pages (pages, 3);
  g_autoptr(GPtrArray) chunks = docent_chunk_document (doc, NULL);
  gboolean spans = FALSE;

  for (guint i = 0; i < chunks->len; i++)
    {
      DocentChunk *c = chunks->pdata[i];
      g_autofree char *head = NULL;
      g_autofree char *tail = NULL;

      g_assert_cmpuint (c->page_start, >=, 1);
      g_assert_cmpuint (c->page_end, <=, 3);
      g_assert_cmpuint (c->page_start, <=, c->page_end);
      head = page_slice (doc, c->page_start, c->char_start,
                         c->page_start == c->page_end ? c->char_end
                           : g_utf8_strlen (((DocentPage *) doc->pages->pdata[c->page_start - 1])->text->str, -1));
      g_assert_true (g_str_has_prefix (c->text, head));
      if (c->page_end > c->page_start)
        {
          spans = TRUE;
          tail = page_slice (doc, c->page_end, 0, c->char_end);
          g_assert_true (g_str_has_suffix (c->text, tail));
          g_assert_nonnull (strstr (c->text, "\n\n"));
        }
    }
  g_assert_true (spans);
  g_assert_cmpuint (((DocentChunk *) chunks->pdata[chunks->len - 1])->page_end, ==, 3);
}

static void
test_sentences (void)
{
  const char *pages[] = {
    "Dr. Smith saw the patient on Jan. 5 at St. Mary's. The dose was 2.5 mg, e.g. half "
    "a tablet. Was it enough? J. R. Doe thought so! \"Review it,\" he said. Then etc. and so on."
  };
  g_autoptr(DocentExtracted) doc = doc_from_pages (pages, 1);
  DocentChunkerOptions opts = { .min_tokens = 1, .target_tokens = 3, .max_tokens = 18, .overlap_tokens = 0 };
  g_autoptr(GPtrArray) chunks = docent_chunk_document (doc, &opts);
  guint next = 0;
  const char *expected[] = {
    "Dr. Smith saw the patient on Jan. 5 at St. Mary's.",
    "The dose was 2.5 mg, e.g. half a tablet.",
    "Was it enough?",
    "J. R. Doe thought so!",
    "\"Review it,\" he said.",
    "Then etc. and so on.",
  };

  /* Each chunk is a run of whole sentences: no cut at an abbreviation,
   * an initial, a decimal point or before a lower-case word. */
  g_assert_cmpuint (chunks->len, >=, 4);
  for (guint i = 0; i < chunks->len; i++)
    {
      const char *text = ((DocentChunk *) chunks->pdata[i])->text;
      g_autoptr(GString) run = g_string_new (expected[next++]);

      while (strcmp (run->str, text) != 0 && next < G_N_ELEMENTS (expected))
        g_string_append_printf (run, " %s", expected[next++]);
      g_assert_cmpstr (run->str, ==, text);
    }
  g_assert_cmpuint (next, ==, G_N_ELEMENTS (expected));
}

static void
test_unpunctuated (void)
{
  GString *s = g_string_new (NULL);
  g_autoptr(DocentExtracted) doc = NULL;
  g_autoptr(GPtrArray) chunks = NULL;
  const char *pages[1];

  for (guint i = 0; i < 3000; i++)
    g_string_append_printf (s, "word%u ", i);
  g_string_append (s, "\n\n");
  for (guint i = 0; i < 200; i++)
    g_string_append_printf (s, "item %u\n", i);
  pages[0] = s->str;
  doc = doc_from_pages (pages, 1);
  chunks = docent_chunk_document (doc, NULL);
  g_assert_cmpuint (chunks->len, >=, 8);
  for (guint i = 0; i < chunks->len; i++)
    g_assert_cmpuint (((DocentChunk *) chunks->pdata[i])->tokens, <=, 400);
  g_string_free (s, TRUE);
}

static void
test_list_lines (void)
{
  DocentExtracted *doc = docent_extracted_new ("text");
  DocentPage *page = docent_extracted_add_page (doc);
  g_autoptr(GPtrArray) chunks = NULL;
  guint total = 0;

  for (guint i = 0; i < 300; i++)
    {
      g_autofree char *line = g_strdup_printf ("row %u | value %u | unit", i, i * 3);
      docent_page_append_text (page, line, -1);
      docent_page_line_break (page);
    }
  docent_page_finish (page);
  chunks = docent_chunk_document (doc, NULL);
  for (guint i = 0; i < chunks->len; i++)
    {
      DocentChunk *c = chunks->pdata[i];

      g_assert_cmpuint (c->tokens, <=, 400);
      /* Cut between rows, never inside one. */
      g_assert_true (g_str_has_prefix (c->text, "row "));
      g_assert_true (g_str_has_suffix (c->text, "| unit"));
      total += c->tokens;
    }
  g_assert_cmpuint (total, >=, docent_estimate_tokens (page->text->str, -1));
  docent_extracted_free (doc);
}

static void
test_unicode_spans (void)
{
  const char *pages[] = { "Ünïcödé façade naïve résumé. Ελληνικά κείμενα εδώ. 日本語の文です。次の文。" };
  g_autoptr(DocentExtracted) doc = doc_from_pages (pages, 1);
  DocentChunkerOptions opts = { .min_tokens = 1, .target_tokens = 2, .max_tokens = 8, .overlap_tokens = 0 };
  g_autoptr(GPtrArray) chunks = docent_chunk_document (doc, &opts);

  g_assert_cmpuint (chunks->len, ==, 4);
  for (guint i = 0; i < chunks->len; i++)
    {
      DocentChunk *c = chunks->pdata[i];
      g_autofree char *slice = page_slice (doc, 1, c->char_start, c->char_end);

      g_assert_cmpstr (slice, ==, c->text);
    }
  g_assert_cmpstr (((DocentChunk *) chunks->pdata[2])->text, ==, "日本語の文です。");
}

static void
test_empty (void)
{
  g_autoptr(DocentExtracted) doc = docent_extracted_new ("text");
  g_autoptr(GPtrArray) chunks = NULL;

  docent_extracted_add_page (doc);
  chunks = docent_chunk_document (doc, NULL);
  g_assert_cmpuint (chunks->len, ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/chunker/estimate", test_estimate);
  g_test_add_func ("/chunker/sizes-and-overlap", test_sizes_and_overlap);
  g_test_add_func ("/chunker/headings", test_headings);
  g_test_add_func ("/chunker/pages", test_pages);
  g_test_add_func ("/chunker/sentences", test_sentences);
  g_test_add_func ("/chunker/unpunctuated", test_unpunctuated);
  g_test_add_func ("/chunker/list-lines", test_list_lines);
  g_test_add_func ("/chunker/unicode-spans", test_unicode_spans);
  g_test_add_func ("/chunker/empty", test_empty);
  return g_test_run ();
}
