/* test-text.c — text decoding (encoding.c), plain text (text.c) and
 * Markdown (markdown.c) extraction, on fixtures built here. */
#include <gio/gio.h>
#include <string.h>

#include "ingest/encoding.h"
#include "ingest/markdown.h"
#include "ingest/text.h"
#include "tests/fixtures.h"
#include "tests/ingest-asserts.h"

/* --- helpers ------------------------------------------------------------ */

static char *
decode (const char *data,
        gsize       len,
        const char *charset)
{
  gsize out_len = 0;
  char *out = docent_decode_text (data, len, charset, &out_len);

  g_assert_nonnull (out);
  g_assert_cmpuint (strlen (out), ==, out_len);
  g_assert_true (g_utf8_validate (out, -1, NULL));
  return out;
}

static const char *
page_text (const DocentExtracted *doc)
{
  g_assert_cmpuint (doc->pages->len, ==, 1);
  return ((DocentPage *) doc->pages->pdata[0])->text->str;
}

static void
assert_heading (const DocentExtracted *doc,
                guint                  index,
                guint                  level,
                gsize                  start,
                const char            *text)
{
  docent_test_assert_heading (doc->pages->pdata[0], index, level, start, text);
}

static guint
n_headings (const DocentExtracted *doc)
{
  return ((DocentPage *) doc->pages->pdata[0])->headings->len;
}

static DocentExtracted *
extract_text (const char *text)
{
  g_autoptr(GError) error = NULL;
  DocentExtracted *doc = docent_extract_text (text, strlen (text), NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (doc);
  g_assert_cmpstr (doc->type, ==, "text");
  return doc;
}

static DocentExtracted *
extract_markdown (const char *text)
{
  g_autoptr(GError) error = NULL;
  DocentExtracted *doc = docent_extract_markdown (text, strlen (text), NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (doc);
  g_assert_cmpstr (doc->type, ==, "markdown");
  return doc;
}

/* --- encoding ----------------------------------------------------------- */

static void
test_decode_utf8 (void)
{
  g_autofree char *plain = decode ("caf\xC3\xA9 \xE2\x82\xAC", 9, NULL);
  g_autofree char *bom = decode ("\xEF\xBB\xBF" "caf\xC3\xA9", 8, NULL);
  /* An explicit charset does not override a BOM. */
  g_autofree char *bom_wins = decode ("\xEF\xBB\xBF" "caf\xC3\xA9", 8, "iso-8859-1");
  g_autofree char *labelled = decode ("caf\xC3\xA9", 5, "UTF-8");
  g_autofree char *empty = decode ("", 0, NULL);

  g_assert_cmpstr (plain, ==, "caf\xC3\xA9 \xE2\x82\xAC");
  g_assert_cmpstr (bom, ==, "caf\xC3\xA9");
  g_assert_cmpstr (bom_wins, ==, "caf\xC3\xA9");
  g_assert_cmpstr (labelled, ==, "caf\xC3\xA9");
  g_assert_cmpstr (empty, ==, "");
}

static void
test_decode_utf16_32 (void)
{
  /* "hé" + U+1F600 (a surrogate pair) + "\r\n!" */
  static const char le[] = "\xFF\xFE" "h\0" "\xE9\0" "\x3D\xD8\x00\xDE" "\r\0\n\0!\0";
  static const char be[] = "\xFE\xFF" "\0h" "\0\xE9" "\xD8\x3D\xDE\x00" "\0\r\0\n\0!";
  static const char le32[] = "\xFF\xFE\0\0" "h\0\0\0" "\xE9\0\0\0" "\x00\xF6\x01\x00";
  static const char be32[] = "\0\0\xFE\xFF" "\0\0\0h" "\0\0\0\xE9";
  /* A lone low surrogate and a dangling odd byte. */
  static const char broken[] = "\xFF\xFE" "a\0" "\x00\xDC" "b\0" "c";
  g_autofree char *a = decode (le, sizeof le - 1, NULL);
  g_autofree char *b = decode (be, sizeof be - 1, NULL);
  g_autofree char *c = decode (le32, sizeof le32 - 1, NULL);
  g_autofree char *d = decode (be32, sizeof be32 - 1, NULL);
  g_autofree char *e = decode (broken, sizeof broken - 1, NULL);

  g_assert_cmpstr (a, ==, "h\xC3\xA9\xF0\x9F\x98\x80\n!");
  g_assert_cmpstr (b, ==, "h\xC3\xA9\xF0\x9F\x98\x80\n!");
  g_assert_cmpstr (c, ==, "h\xC3\xA9\xF0\x9F\x98\x80");
  g_assert_cmpstr (d, ==, "h\xC3\xA9");
  g_assert_cmpstr (e, ==, "a\xEF\xBF\xBD" "b\xEF\xBF\xBD");
}

static void
test_decode_legacy (void)
{
  g_autofree char *latin1 = decode ("caf\xE9 na\xEFve", 10, NULL);
  g_autofree char *cp1252 = decode ("\x93quoted\x94 \x80" "5 \x85 \x81", 15, NULL);
  g_autofree char *explicit = decode ("\xA4 caf\xE9", 6, "ISO-8859-15");
  g_autofree char *latin1_label = decode ("\x93x\x94", 3, "latin1");
  g_autofree char *unknown = decode ("caf\xE9", 4, "x-no-such-charset");
  g_autofree char *sjis = decode ("\x93\xFA\x96\x7B", 4, "Shift_JIS");

  g_assert_cmpstr (latin1, ==, "caf\xC3\xA9 na\xC3\xAFve");
  g_assert_cmpstr (cp1252, ==, "\xE2\x80\x9Cquoted\xE2\x80\x9D \xE2\x82\xAC" "5 \xE2\x80\xA6 \xC2\x81");
  g_assert_cmpstr (explicit, ==, "\xE2\x82\xAC caf\xC3\xA9");
  g_assert_cmpstr (latin1_label, ==, "\xE2\x80\x9Cx\xE2\x80\x9D");
  g_assert_cmpstr (unknown, ==, "caf\xC3\xA9");
  g_assert_cmpstr (sjis, ==, "\xE6\x97\xA5\xE6\x9C\xAC");  /* 日本 */
}

static void
test_decode_mixed (void)
{
  g_autoptr(GString) mostly = g_string_new (NULL);
  g_autoptr(GString) expected = g_string_new (NULL);
  g_autofree char *out = NULL;
  g_autofree char *cut = NULL;
  g_autofree char *bad = NULL;

  /* Plenty of UTF-8 and one stray byte: still UTF-8. */
  for (guint i = 0; i < 20; i++)
    {
      g_string_append (mostly, "\xC3\xA9t\xC3\xA9 ");
      g_string_append (expected, "\xC3\xA9t\xC3\xA9 ");
    }
  g_string_append (mostly, "\xFF!");
  g_string_append (expected, "\xEF\xBF\xBD!");
  out = decode (mostly->str, mostly->len, NULL);
  g_assert_cmpstr (out, ==, expected->str);

  /* A sequence cut by the end of the file does not make it Latin-1. */
  cut = decode ("\xC3\xA9t\xC3", 4, NULL);
  g_assert_cmpstr (cut, ==, "\xC3\xA9t\xEF\xBF\xBD");

  /* Explicit UTF-8 with garbage: replacement characters, never failure. */
  bad = decode ("a\xC3(b\xED\xA0\x80" "c", 8, "utf-8");
  g_assert_true (g_str_has_prefix (bad, "a\xEF\xBF\xBD(b\xEF\xBF\xBD"));
  g_assert_true (g_str_has_suffix (bad, "\xEF\xBF\xBD" "c"));
}

static void
test_decode_newlines (void)
{
  g_autofree char *crlf = decode ("a\r\nb\rc\n\r\nd\0e", 12, NULL);

  g_assert_cmpstr (crlf, ==, "a\nb\nc\n\nde");
}

/* --- plain text --------------------------------------------------------- */

static void
test_text_paragraphs (void)
{
  g_autoptr(DocentExtracted) doc = extract_text (
    "INTRODUCTION\n"
    "\n"
    "This is a long line of prose that wraps around at some column width\n"
    "and continues here on the next line of the paragraph, as old text did.\n"
    "\n\n\n"
    "Shopping list:\n"
    "- apples\n"
    "- pears that are\n"
    "  quite ripe\n"
    "* plums\n"
    "1. first\n"
    "2) second\n"
    "\n"
    "John Smith\n"
    "1 Main Street\n"
    "Springfield\n"
    "\n"
    "Methods\n"
    "=======\n"
    "\n"
    "Results\n"
    "-------\n"
    "Short text   here.\t\n"
    "\n"
    "----\n"
    "\n"
    "\xE2\x80\xA2 bullet one\n"
    "\xE2\x80\xA2 bullet two\n");
  const char *expected =
    "INTRODUCTION\n"
    "\n"
    "This is a long line of prose that wraps around at some column width "
    "and continues here on the next line of the paragraph, as old text did.\n"
    "\n"
    "Shopping list:\n"
    "- apples\n"
    "- pears that are quite ripe\n"
    "* plums\n"
    "1. first\n"
    "2) second\n"
    "\n"
    "John Smith\n"
    "1 Main Street\n"
    "Springfield\n"
    "\n"
    "Methods\n"
    "\n"
    "Results\n"
    "\n"
    "Short text here.\n"
    "\n"
    "\xE2\x80\xA2 bullet one\n"
    "\xE2\x80\xA2 bullet two";
  const char *text = page_text (doc);

  g_assert_cmpstr (text, ==, expected);
  g_assert_cmpuint (n_headings (doc), ==, 3);
  assert_heading (doc, 0, 1, 0, "INTRODUCTION");
  assert_heading (doc, 1, 1, strstr (text, "Methods") - text, "Methods");
  assert_heading (doc, 2, 2, strstr (text, "Results") - text, "Results");
  g_assert_cmpstr (doc->title, ==, "INTRODUCTION");
  g_assert_cmpuint (((DocentPage *) doc->pages->pdata[0])->page_no, ==, 1);
}

static void
test_text_title (void)
{
  g_autoptr(DocentExtracted) first_line = extract_text ("\n\n  A modest title  \nwith more text that follows it.\n");
  g_autoptr(DocentExtracted) long_line = NULL;
  g_autoptr(DocentExtracted) empty = extract_text ("  \n\n\t\n");
  g_autoptr(GString) text = g_string_new (NULL);

  g_assert_cmpstr (first_line->title, ==, "A modest title");
  /* Short lines: not wrapped prose, so the line structure stays. */
  g_assert_cmpstr (page_text (first_line), ==, "A modest title\nwith more text that follows it.");

  for (guint i = 0; i < 30; i++)
    g_string_append (text, "word ");
  g_string_append (text, "\n\nNext.\n");
  long_line = extract_text (text->str);
  g_assert_null (long_line->title);

  g_assert_cmpstr (page_text (empty), ==, "");
  g_assert_null (empty->title);
  g_assert_cmpuint (empty->pages->len, ==, 1);
}

static void
test_text_controls (void)
{
  /* Control characters and invalid UTF-8 never reach the page text. */
  g_autoptr(DocentExtracted) doc = extract_text ("a\x01" "b\x1B c\xFF" "d\r\n\r\ne\x7F" "f");

  g_assert_cmpstr (page_text (doc), ==, "ab cd\n\nef");
}

static void
test_text_limits (void)
{
  g_autofree char *prose = docent_test_prose (7, 3000);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  DocentExtractOptions opts;
  DocentExtracted *doc;

  docent_extract_options_init (&opts);
  opts.max_text_bytes = 1000;
  doc = docent_extract_text (prose, strlen (prose), &opts, &error);
  g_assert_null (doc);
  g_assert_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_TOO_LARGE);
  g_clear_error (&error);

  doc = docent_extract_markdown (prose, strlen (prose), &opts, &error);
  g_assert_null (doc);
  g_assert_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_TOO_LARGE);
  g_clear_error (&error);

  docent_extract_options_init (&opts);
  opts.cancellable = cancellable;
  g_cancellable_cancel (cancellable);
  doc = docent_extract_text (prose, strlen (prose), &opts, &error);
  g_assert_null (doc);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  doc = docent_extract_markdown (prose, strlen (prose), &opts, &error);
  g_assert_null (doc);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* A few megabytes must go through in linear time. */
static void
test_text_large (void)
{
  g_autofree char *prose = docent_test_prose (11, 800000);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentExtracted) doc = NULL;
  g_autoptr(DocentExtracted) md = NULL;
  gint64 start;
  double seconds;

  /* Hard-wrapped the way old text files are. */
  for (const char *p = prose; *p != '\0'; p++)
    {
      g_string_append_c (text, *p);
      if (*p == ' ' && (text->len % 72) > 64)
        g_string_append_c (text, '\n');
    }
  g_assert_cmpuint (text->len, >, 4 * 1024 * 1024);

  start = g_get_monotonic_time ();
  doc = docent_extract_text (text->str, text->len, NULL, &error);
  g_assert_no_error (error);
  md = docent_extract_markdown (text->str, text->len, NULL, &error);
  g_assert_no_error (error);
  seconds = (g_get_monotonic_time () - start) / 1e6;
  g_test_message ("%zu bytes as text and as Markdown in %.3f s", text->len, seconds);
  g_assert_cmpfloat (seconds, <, 5.0);
  g_assert_cmpuint (strlen (page_text (doc)), >, text->len * 9 / 10);
  g_assert_null (strstr (page_text (doc), "\n\n\n"));
}

/* --- Markdown ------------------------------------------------------------ */

static void
test_markdown_detect (void)
{
  static const char *const yes[] = {
    "# Title\n\nJust one heading is enough.\n",
    "Intro\n=====\n\nSee [the docs](https://example.com/docs).\n",
    "Steps:\n\n- install it\n- run **docent** now\n",
    "```sh\nmake\n```\n\nThen read `README`.\n",
    "| a | b |\n|---|---|\n| 1 | 2 |\n\n> quoted\n",
    "Some text\n\n## Usage\n\nmore text\n",
  };
  static const char *const no[] = {
    "Dear John,\n\nThanks for the letter. See you on Monday.\n\nMary\n",
    "- one\n- two\n- three\n",
    "#include <stdio.h>\nint main (void) { return 0; }\n",
    "# comment\nkey = value\n# another comment\nname = x\n# third\nmore = y\n",
    "Price: 2 * 3 = 6, and 4 * 5 = 20.\n",
    "Title\n-----\n\nAn underlined heading alone is common in plain text.\n",
    "",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (yes); i++)
    if (!docent_text_looks_like_markdown (yes[i], strlen (yes[i])))
      g_error ("not detected as Markdown: %s", yes[i]);
  for (gsize i = 0; i < G_N_ELEMENTS (no); i++)
    if (docent_text_looks_like_markdown (no[i], strlen (no[i])))
      g_error ("wrongly detected as Markdown: %s", no[i]);
}

static void
test_markdown_blocks (void)
{
  g_autoptr(DocentExtracted) doc = extract_markdown (
    "# Getting *Started* with `docent`\n"
    "\n"
    "Docent reads **your** documents and answers\n"
    "questions with [citations](https://example.com \"Title\") and ![a logo](logo.png).\n"
    "\n"
    "Setext Heading\n"
    "--------------\n"
    "\n"
    "- first item\n"
    "- second item with [ref link][r1]\n"
    "  continued here\n"
    "* third\n"
    "\n"
    "1. one\n"
    "2. two\n"
    "\n"
    "> A quote line\n"
    "> continues\n"
    "\n"
    "```c\n"
    "int main (void)\n"
    "{\n"
    "  return 0;\n"
    "}\n"
    "```\n"
    "\n"
    "    indented code\n"
    "    more code\n"
    "\n"
    "***\n"
    "\n"
    "Final paragraph with hard  \n"
    "break and [shortcut] ref.\n"
    "\n"
    "[r1]: https://example.com/r1\n"
    "[shortcut]: https://example.com/s \"S\"\n"
    "\n"
    "Third Level\n"
    "===\n"
    "### Deep ###\n");
  const char *expected =
    "Getting Started with docent\n"
    "\n"
    "Docent reads your documents and answers questions with citations and a logo.\n"
    "\n"
    "Setext Heading\n"
    "\n"
    "first item\n"
    "second item with ref link continued here\n"
    "third\n"
    "1. one\n"
    "2. two\n"
    "\n"
    "A quote line continues\n"
    "\n"
    "int main (void)\n"
    "{\n"
    "return 0;\n"
    "}\n"
    "\n"
    "indented code\n"
    "more code\n"
    "\n"
    "Final paragraph with hard\n"
    "break and shortcut ref.\n"
    "\n"
    "Third Level\n"
    "\n"
    "Deep";
  const char *text = page_text (doc);

  g_assert_cmpstr (text, ==, expected);
  g_assert_cmpuint (n_headings (doc), ==, 4);
  assert_heading (doc, 0, 1, 0, "Getting Started with docent");
  assert_heading (doc, 1, 2, strstr (text, "Setext") - text, "Setext Heading");
  assert_heading (doc, 2, 1, strstr (text, "Third Level") - text, "Third Level");
  assert_heading (doc, 3, 3, strlen (expected) - 4, "Deep");
  g_assert_cmpstr (doc->title, ==, "Getting Started with docent");
}

static void
test_markdown_inline (void)
{
  g_autoptr(DocentExtracted) doc = extract_markdown (
    "A snake_case_name stays, 2 * 3 * 4 too, and \\*escaped\\* stars.\n"
    "Visit <https://docent.example/> or <mail@example.org>; <b>im</b>portant &amp; "
    "caf&eacute; it&#8217;s &#x263A; &bogus; a&b.\n"
    "Nested [![alt text](img.png)](https://x.example/) and [link (with parens)](a_(b)_c).\n"
    "__Bold__ _em_ ***both*** ~~gone~~ `` code `with` ticks `` and `*not emphasis*`.\n"
    "Unclosed *star and [bracket and `tick.<!-- a comment -->\n"
    "Line<br>break and [not a link] here.\n");
  const char *expected =
    "A snake_case_name stays, 2 * 3 * 4 too, and *escaped* stars. "
    "Visit https://docent.example/ or mail@example.org; important & "
    "caf\xC3\xA9 it\xE2\x80\x99s \xE2\x98\xBA &bogus; a&b. "
    "Nested alt text and link (with parens). "
    "Bold em both gone code `with` ticks and *not emphasis*. "
    "Unclosed *star and [bracket and `tick. Line\n"
    "break and [not a link] here.";

  g_assert_cmpstr (page_text (doc), ==, expected);
  g_assert_null (doc->title);
}

static void
test_markdown_tables (void)
{
  g_autoptr(DocentExtracted) doc = extract_markdown (
    "Prices below.\n"
    "\n"
    "| Name | Price | Note |\n"
    "|:-----|------:|:----:|\n"
    "| Apple | 1.50 | **fresh** |\n"
    "| Pear \\| Quince | 2 | |\n"
    "Fig | 3 | [dry](x)\n"
    "\n"
    "After the table.\n");
  const char *expected =
    "Prices below.\n"
    "\n"
    "Name | Price | Note\n"
    "Apple | 1.50 | fresh\n"
    "Pear | Quince | 2 |\n"
    "Fig | 3 | dry\n"
    "\n"
    "After the table.";

  g_assert_cmpstr (page_text (doc), ==, expected);
}

static void
test_markdown_structure (void)
{
  g_autoptr(DocentExtracted) doc = extract_markdown (
    "---\n"
    "title: \"From the front matter\"\n"
    "tags: [a, b]\n"
    "---\n"
    "## Second level first\n"
    "\n"
    "<!--\n"
    "a hidden comment\n"
    "\n"
    "spanning blocks\n"
    "-->\n"
    "Text #not-a-heading and #hashtag.\n"
    "#also not a heading\n"
    "\n"
    "- outer\n"
    "  - inner one\n"
    "  - inner two\n"
    "\n"
    "  loose paragraph of outer\n"
    "\n"
    "    deeper continuation\n"
    "\n"
    "Back to text.\n"
    "\n"
    "~~~\n"
    "> not a quote inside a fence\n"
    "~~~~\n"
    "\n"
    "> # Quoted heading\n"
    "> quoted text\n"
    "\n"
    "#\n"
    "Trailing text");
  const char *expected =
    "Second level first\n"
    "\n"
    "Text #not-a-heading and #hashtag. #also not a heading\n"
    "\n"
    "outer\n"
    "inner one\n"
    "inner two\n"
    "loose paragraph of outer\n"
    "deeper continuation\n"
    "\n"
    "Back to text.\n"
    "\n"
    "> not a quote inside a fence\n"
    "\n"
    "Quoted heading\n"
    "\n"
    "quoted text\n"
    "\n"
    "Trailing text";
  const char *text = page_text (doc);

  g_assert_cmpstr (text, ==, expected);
  g_assert_cmpuint (n_headings (doc), ==, 2);
  assert_heading (doc, 0, 2, 0, "Second level first");
  assert_heading (doc, 1, 1, strstr (text, "Quoted heading") - text, "Quoted heading");
  g_assert_cmpstr (doc->title, ==, "From the front matter");
}

static void
test_markdown_title_fallback (void)
{
  g_autoptr(DocentExtracted) h2_first = extract_markdown ("## Minor\n\ntext\n\n# Major\n\nmore\n");
  g_autoptr(DocentExtracted) only_h2 = extract_markdown ("text\n\n## Only Minor\n");

  g_assert_cmpstr (h2_first->title, ==, "Major");
  g_assert_cmpstr (only_h2->title, ==, "Only Minor");
}

/* Pathological inputs must stay fast and never crash. */
static void
test_markdown_hostile (void)
{
  static const char *const units[] = {
    "[", "]", "[](", "`", "<a ", "<!--", "*a_", "[x][", "> ", "- ", "&#",
    "<a \"", "![", "\\", "|", "~~", "```\n", "    ", "\t", "#",
  };
  gint64 start = g_get_monotonic_time ();

  for (gsize u = 0; u < G_N_ELEMENTS (units); u++)
    {
      g_autoptr(GString) text = g_string_new (NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(DocentExtracted) doc = NULL;

      while (text->len < 300000)
        g_string_append (text, units[u]);
      (void) docent_text_looks_like_markdown (text->str, text->len);
      doc = docent_extract_markdown (text->str, text->len, NULL, &error);
      g_assert_no_error (error);
      g_assert_true (g_utf8_validate (page_text (doc), -1, NULL));
    }
  g_test_message ("hostile inputs in %.3f s", (g_get_monotonic_time () - start) / 1e6);
  g_assert_cmpfloat ((g_get_monotonic_time () - start) / 1e6, <, 10.0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/encoding/utf8", test_decode_utf8);
  g_test_add_func ("/encoding/utf16-utf32", test_decode_utf16_32);
  g_test_add_func ("/encoding/legacy", test_decode_legacy);
  g_test_add_func ("/encoding/mixed", test_decode_mixed);
  g_test_add_func ("/encoding/newlines", test_decode_newlines);
  g_test_add_func ("/text/paragraphs", test_text_paragraphs);
  g_test_add_func ("/text/title", test_text_title);
  g_test_add_func ("/text/controls", test_text_controls);
  g_test_add_func ("/text/limits", test_text_limits);
  g_test_add_func ("/text/large", test_text_large);
  g_test_add_func ("/markdown/detect", test_markdown_detect);
  g_test_add_func ("/markdown/blocks", test_markdown_blocks);
  g_test_add_func ("/markdown/inline", test_markdown_inline);
  g_test_add_func ("/markdown/tables", test_markdown_tables);
  g_test_add_func ("/markdown/structure", test_markdown_structure);
  g_test_add_func ("/markdown/title-fallback", test_markdown_title_fallback);
  g_test_add_func ("/markdown/hostile", test_markdown_hostile);

  return g_test_run ();
}
