/* test-document.c — the page builder keeps the text conventions. */
#include "ingest/document.h"

static void
test_builder (void)
{
  g_autoptr(DocentExtracted) doc = docent_extracted_new ("html");
  DocentPage *page = docent_extracted_add_page (doc);
  const DocentHeading *h;
  g_autofree char *heading = NULL;

  docent_page_append_text (page, "  Hello,\t\n  ", -1);
  docent_page_append_text (page, "world\xC2\xA0!", -1);
  docent_page_end_block (page);
  docent_page_end_block (page);
  docent_page_add_heading (page, "  Section\n One ", -1, 2);
  docent_page_append_text (page, "line one", -1);
  docent_page_line_break (page);
  docent_page_line_break (page);
  docent_page_append_text (page, "soft\xC2\xADhyphen zero\xE2\x80\x8Bwidth\x01", -1);
  docent_page_end_block (page);
  docent_page_finish (page);

  g_assert_cmpstr (page->text->str, ==,
                   "Hello, world !\n\nSection One\n\nline one\nsofthyphen zerowidth");
  g_assert_cmpuint (page->headings->len, ==, 1);
  h = &g_array_index (page->headings, DocentHeading, 0);
  g_assert_cmpuint (h->level, ==, 2);
  heading = g_strndup (page->text->str + h->start, h->end - h->start);
  g_assert_cmpstr (heading, ==, "Section One");
}

static void
test_invalid_utf8 (void)
{
  g_autoptr(DocentExtracted) doc = docent_extracted_new ("text");
  DocentPage *page = docent_extracted_add_page (doc);

  docent_page_append_text (page, "caf\xE9 ok", -1);
  g_assert_true (g_utf8_validate (page->text->str, -1, NULL));
  g_assert_cmpstr (page->text->str, ==, "caf ok");
}

static void
test_trim_and_empty (void)
{
  g_autoptr(DocentExtracted) doc = docent_extracted_new ("epub");

  docent_extracted_set_title (doc, "  A\ttitle \n");
  g_assert_cmpstr (doc->title, ==, "A title");
  docent_extracted_set_title (doc, "   ");
  g_assert_cmpstr (doc->title, ==, "A title");
  docent_extracted_add_page (doc);
  docent_extracted_add_page (doc);
  g_assert_true (docent_extracted_is_empty (doc));
  docent_extracted_trim (doc);
  g_assert_cmpuint (doc->pages->len, ==, 1);
  docent_page_append_text (doc->pages->pdata[0], "x", 1);
  g_assert_false (docent_extracted_is_empty (doc));
  g_assert_cmpuint (docent_extracted_text_length (doc), ==, 1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/document/builder", test_builder);
  g_test_add_func ("/document/invalid-utf8", test_invalid_utf8);
  g_test_add_func ("/document/trim-and-empty", test_trim_and_empty);
  return g_test_run ();
}
