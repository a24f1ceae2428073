/* test-html.c — HTML and XHTML extraction (html.c): structure, skipped
 * content, charsets, the tree walk EPUB shares, depth and limits. */
#include <gio/gio.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <string.h>

#include "ingest/html.h"
#include "tests/fixtures.h"
#include "tests/ingest-asserts.h"

static DocentExtracted *
extract (const char *html,
         gssize      len)
{
  g_autoptr(GError) error = NULL;
  DocentExtracted *doc;

  if (len < 0)
    len = strlen (html);
  doc = docent_extract_html (html, len, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (doc);
  g_assert_cmpstr (doc->type, ==, "html");
  return doc;
}

static const char *
page_text (const DocentExtracted *doc,
           guint                  page)
{
  g_assert_cmpuint (page, <, doc->pages->len);
  return ((DocentPage *) doc->pages->pdata[page])->text->str;
}

static void
assert_heading (const DocentExtracted *doc,
                guint                  page_index,
                guint                  index,
                guint                  level,
                gsize                  start,
                const char            *text)
{
  docent_test_assert_heading (doc->pages->pdata[page_index], index, level, start, text);
}

static void
test_html_page (void)
{
  g_autoptr(DocentExtracted) doc = extract (
    "<!DOCTYPE html>\n"
    "<html><head><meta charset=\"utf-8\"><title>The  Page &amp;\n Title</title>\n"
    "<style>body { color: red }</style><script>var x = \"<p>no</p>\";</script></head>\n"
    "<body>\n"
    "<nav><a href=\"/\">Home</a> <a href=\"/about\">About</a></nav>\n"
    "<header><h1>Main <em>Heading</em></h1></header>\n"
    "<main>\n"
    "<p>Caf&eacute; is <b>im</b>portant &amp; it&#8217;s   fine.<br>Second line.</p>\n"
    "<aside>Related links</aside>\n"
    "<template><p>template text</p></template>\n"
    "<noscript>enable js</noscript>\n"
    "<h2 id=\"lists\">Lists</h2>\n"
    "<ul><li>First item</li><li>Second <a href=\"#\">item</a>\n"
    "<ul><li>Nested</li></ul></li></ul>\n"
    "<dl><dt>Term</dt><dd>Definition</dd></dl>\n"
    "<pre>line one\n  line two\nline three</pre>\n"
    "<form><select><option>Opt</option></select><button>Click</button>"
    "<label>Label text</label><textarea>typed</textarea></form>\n"
    "<svg><title>svg title</title><text>svg text</text></svg>"
    "<math><mi>x</mi></math><iframe src=\"x\">frame</iframe>"
    "<object>object</object>\n"
    "<figure><img src=\"a.png\" alt=\"alt\"><figcaption>A caption</figcaption></figure>\n"
    "<h3>Last <span>one</span></h3><p>End.</p>\n"
    "<!-- a comment --><hr>\n"
    "</main>\n"
    "<footer>Footer text</footer>\n"
    "</body></html>\n", -1);
  const char *expected =
    "Main Heading\n"
    "\n"
    "Caf\xC3\xA9 is important & it\xE2\x80\x99s fine.\n"
    "Second line.\n"
    "\n"
    "Lists\n"
    "\n"
    "First item\n"
    "Second item\n"
    "Nested\n"
    "\n"
    "Term\n"
    "Definition\n"
    "\n"
    "line one\n"
    "line two\n"
    "line three\n"
    "\n"
    "Label text\n"
    "\n"
    "A caption\n"
    "\n"
    "Last one\n"
    "\n"
    "End.\n"
    "\n"
    "Footer text";
  const char *text = page_text (doc, 0);

  g_assert_cmpstr (text, ==, expected);
  g_assert_cmpuint (doc->pages->len, ==, 1);
  g_assert_cmpuint (((DocentPage *) doc->pages->pdata[0])->headings->len, ==, 3);
  assert_heading (doc, 0, 0, 1, 0, "Main Heading");
  assert_heading (doc, 0, 1, 2, strstr (text, "Lists") - text, "Lists");
  assert_heading (doc, 0, 2, 3, strstr (text, "Last one") - text, "Last one");
  g_assert_cmpstr (doc->title, ==, "The Page & Title");
  g_assert_null (((DocentPage *) doc->pages->pdata[0])->boxes);
}

static void
test_html_tables (void)
{
  g_autoptr(DocentExtracted) doc = extract (
    "<html><body><p>Before</p>"
    "<table><caption>Prices</caption>"
    "<thead><tr><th>Name</th><th>Price</th><th>Note</th></tr></thead>"
    "<tbody><tr><td>Apple</td><td>1.50</td><td><b>fresh</b></td></tr>"
    "<tr><td></td><td>2</td><td>&nbsp;</td></tr>"
    "<tr><td><p>Multi</p><p>para</p></td><td>3</td><td><table><tr><td>in</td><td>ner</td></tr></table></td></tr>"
    "<tr><td> </td></tr>"
    "</tbody></table><p>After</p></body></html>", -1);

  g_assert_cmpstr (page_text (doc, 0), ==,
                   "Before\n"
                   "\n"
                   "Prices\n"
                   "\n"
                   "Name | Price | Note\n"
                   "Apple | 1.50 | fresh\n"
                   "2\n"
                   "Multi para | 3 | in ner\n"
                   "\n"
                   "After");
}

static void
test_html_hidden (void)
{
  g_autoptr(DocentExtracted) doc = extract (
    "<html><body>"
    "<p>shown one</p>"
    "<div hidden>hidden attribute</div>"
    "<span aria-hidden=\"true\">aria hidden</span>"
    "<span aria-hidden=\"false\">aria shown</span>"
    "<p style=\"color: red; DISPLAY : None\">display none</p>"
    "<p style=\"visibility:hidden\">invisible</p>"
    "<p style=\"display:block\">shown two</p>"
    "<input type=\"hidden\" value=\"secret\">"
    "</body></html>", -1);

  g_assert_cmpstr (page_text (doc, 0), ==, "shown one\n\naria shown\n\nshown two");
}

/* Documentation generators put a "¶" link in every heading. */
static void
test_html_permalinks (void)
{
  g_autoptr(DocentExtracted) doc = extract (
    "<html><body>"
    "<h2>Install<a class=\"headerlink\" href=\"#install\">\xC2\xB6</a></h2>"
    "<p>Run it. <a href=\"#x\">Real link</a></p>"
    "<h3><a class=\"anchor-link\" href=\"#y\">#</a>Usage</h3>"
    "</body></html>", -1);

  g_assert_cmpstr (page_text (doc, 0), ==, "Install\n\nRun it. Real link\n\nUsage");
  assert_heading (doc, 0, 0, 2, 0, "Install");
  assert_heading (doc, 0, 1, 3, strlen ("Install\n\nRun it. Real link\n\n"), "Usage");
}

/* Hiding the whole page says more about scripts than about content. */
static void
test_html_hidden_everything (void)
{
  g_autoptr(DocentExtracted) body = extract (
    "<html style=\"display:none\"><body style=\"visibility: hidden\">"
    "<p>Revealed by a script</p></body></html>", -1);
  g_autoptr(DocentExtracted) dialog = extract (
    "<html><body><div id=\"app\" aria-hidden=\"true\"><h1>Article</h1><p>All the text</p>"
    "<table><tr><td>a</td><td hidden>b</td></tr></table></div>"
    "<div role=\"dialog\"><button>Accept cookies</button></div></body></html>", -1);

  g_assert_cmpstr (page_text (body, 0), ==, "Revealed by a script");
  g_assert_cmpstr (page_text (dialog, 0), ==, "Article\n\nAll the text\n\na | b");
  assert_heading (dialog, 0, 0, 1, 0, "Article");
  g_assert_cmpuint (((DocentPage *) dialog->pages->pdata[0])->headings->len, ==, 1);
  g_assert_cmpstr (dialog->title, ==, "Article");
}

static void
test_html_charset_meta (void)
{
  /* The page says ISO-8859-1 (http-equiv) and its bytes are Latin-1,
   * with Windows-1252 quotes, as such pages usually have. */
  static const char latin1[] =
    "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=ISO-8859-1\">"
    "<title>Caf\xE9</title></head><body><p>na\xEFve caf\xE9 \x93quoted\x94</p></body></html>";
  static const char meta_charset[] =
    "<!DOCTYPE html><html><head><meta charset='iso-8859-1'></head>"
    "<body><h1>Caf\xE9</h1><p>na\xEFve</p></body></html>";
  static const char koi8[] =
    "<html><head><meta charset=\"koi8-r\"></head><body><p>\xF0\xD2\xC9\xD7\xC5\xD4</p></body></html>";
  g_autoptr(DocentExtracted) a = extract (latin1, sizeof latin1 - 1);
  g_autoptr(DocentExtracted) b = extract (meta_charset, sizeof meta_charset - 1);
  g_autoptr(DocentExtracted) c = extract (koi8, sizeof koi8 - 1);

  g_assert_cmpstr (page_text (a, 0), ==,
                   "na\xC3\xAFve caf\xC3\xA9 \xE2\x80\x9Cquoted\xE2\x80\x9D");
  g_assert_cmpstr (a->title, ==, "Caf\xC3\xA9");
  g_assert_cmpstr (page_text (b, 0), ==, "Caf\xC3\xA9\n\nna\xC3\xAFve");
  g_assert_cmpstr (b->title, ==, "Caf\xC3\xA9");
  /* "Привет" */
  g_assert_cmpstr (page_text (c, 0), ==, "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82");
}

static void
test_html_charset_other (void)
{
  /* Mislabelled: says Latin-1, is UTF-8. */
  static const char mislabelled[] =
    "<html><head><meta charset=\"iso-8859-1\"></head><body><p>caf\xC3\xA9</p></body></html>";
  /* No declaration and not UTF-8: Windows-1252. */
  static const char undeclared[] = "<html><body><p>na\xEFve \x93q\x94</p></body></html>";
  g_autoptr(DocentExtracted) a = extract (mislabelled, sizeof mislabelled - 1);
  g_autoptr(DocentExtracted) b = extract (undeclared, sizeof undeclared - 1);
  g_autoptr(DocentExtracted) c = NULL;
  g_autoptr(GString) utf16 = g_string_new_len ("\xFF\xFE", 2);
  const char *src = "<html><head><meta charset=\"utf-16\"><title>T\xC3\xA9</title></head>"
                    "<body><p>Hi \xC3\xA9\xE2\x82\xAC</p></body></html>";
  g_autofree gunichar2 *units = g_utf8_to_utf16 (src, -1, NULL, NULL, NULL);

  g_assert_cmpstr (page_text (a, 0), ==, "caf\xC3\xA9");
  g_assert_cmpstr (page_text (b, 0), ==, "na\xC3\xAFve \xE2\x80\x9Cq\xE2\x80\x9D");

  /* UTF-16LE with a BOM, as Windows tools save pages. */
  for (gsize i = 0; units[i] != 0; i++)
    {
      g_string_append_c (utf16, units[i] & 0xFF);
      g_string_append_c (utf16, units[i] >> 8);
    }
  c = extract (utf16->str, utf16->len);
  g_assert_cmpstr (page_text (c, 0), ==, "Hi \xC3\xA9\xE2\x82\xAC");
  g_assert_cmpstr (c->title, ==, "T\xC3\xA9");
}

static void
test_xhtml (void)
{
  static const char xhtml[] =
    "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n"
    "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.1//EN\" "
    "\"http://www.w3.org/TR/xhtml11/DTD/xhtml11.dtd\">\n"
    "<html xmlns=\"http://www.w3.org/1999/xhtml\" xml:lang=\"en\">\n"
    "<head><title>An XHTML page</title></head>\n"
    "<body>\n"
    "<h1>Caf\xE9</h1>\n"
    "<p>Text<br/>more &amp; more&#160;here</p>\n"
    "<ul><li>one</li><li>two</li></ul>\n"
    "<svg xmlns=\"http://www.w3.org/2000/svg\"><title>svg</title><text>drawn</text></svg>\n"
    "</body></html>\n";
  g_autoptr(DocentExtracted) doc = extract (xhtml, sizeof xhtml - 1);

  g_assert_cmpstr (page_text (doc, 0), ==,
                   "Caf\xC3\xA9\n\nText\nmore & more here\n\none\ntwo");
  g_assert_cmpstr (doc->title, ==, "An XHTML page");
  assert_heading (doc, 0, 0, 1, 0, "Caf\xC3\xA9");
}

/* EPUB chapters arrive as trees from libxml2's XML parser: namespaced,
 * case-sensitive names, appended page by page or onto one page. */
static void
test_tree_from_xml_parser (void)
{
  static const char chapter1[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
    "<html xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/2007/ops\">"
    "<head><title>Chapter One</title><style>p{}</style></head>"
    "<body><section epub:type=\"chapter\"><H2>One</H2><p>First <i>chapter</i>.</p>"
    "<span epub:type=\"pagebreak\" aria-hidden=\"true\">12</span>"
    "<x:p xmlns:x=\"http://www.w3.org/1999/xhtml\">Prefixed paragraph</x:p>"
    "<nav epub:type=\"toc\"><ol><li>toc</li></ol></nav>"
    "<table><tr><td>a</td><td>b</td></tr></table></section></body></html>";
  static const char chapter2[] =
    "<html xmlns=\"http://www.w3.org/1999/xhtml\"><head><title>Two</title></head>"
    "<body><h2>Two</h2><p>Second <![CDATA[chapter]]>.</p></body></html>";
  g_autoptr(DocentExtracted) doc = docent_extracted_new ("epub");
  g_autoptr(GError) error = NULL;
  xmlDoc *x1 = xmlReadMemory (chapter1, sizeof chapter1 - 1, NULL, NULL, XML_PARSE_NONET);
  xmlDoc *x2 = xmlReadMemory (chapter2, sizeof chapter2 - 1, NULL, NULL, XML_PARSE_NONET);

  g_assert_nonnull (x1);
  g_assert_nonnull (x2);
  g_assert_true (docent_html_append_tree (doc, xmlDocGetRootElement (x1), TRUE, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (docent_html_append_tree (doc, xmlDocGetRootElement (x2), TRUE, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (doc->pages->len, ==, 2);
  g_assert_cmpstr (page_text (doc, 0), ==,
                   "One\n\nFirst chapter.\n\nPrefixed paragraph\n\na | b");
  g_assert_cmpstr (page_text (doc, 1), ==, "Two\n\nSecond chapter.");
  g_assert_cmpuint (((DocentPage *) doc->pages->pdata[1])->page_no, ==, 2);
  assert_heading (doc, 0, 0, 2, 0, "One");
  assert_heading (doc, 1, 0, 2, 0, "Two");
  /* Chapter titles are not the book's: the caller decides. */
  g_assert_null (doc->title);

  /* Onto the same page: the chapters stay separate blocks. */
  g_assert_true (docent_html_append_tree (doc, xmlDocGetRootElement (x2), FALSE, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (doc->pages->len, ==, 2);
  g_assert_cmpstr (page_text (doc, 1), ==, "Two\n\nSecond chapter.\n\nTwo\n\nSecond chapter.");
  assert_heading (doc, 1, 1, 2, strlen ("Two\n\nSecond chapter.\n\n"), "Two");

  xmlFreeDoc (x1);
  xmlFreeDoc (x2);
}

static void
test_html_title_fallback (void)
{
  g_autoptr(DocentExtracted) h1 = extract (
    "<html><head><title>  </title></head><body><h2>Minor</h2><h1>Major <b>one</b></h1><h1>Later</h1></body></html>", -1);
  g_autoptr(DocentExtracted) none = extract ("<html><body><p>Just text</p></body></html>", -1);

  g_assert_cmpstr (h1->title, ==, "Major one");
  g_assert_null (none->title);
}

static void
test_html_empty_and_garbage (void)
{
  g_autoptr(DocentExtracted) empty = extract (
    "<html><head><title>Only a title</title><script>x()</script></head><body>  \n </body></html>", -1);
  g_autoptr(DocentExtracted) nothing = extract ("", 0);
  g_autoptr(DocentExtracted) text = extract ("just some text < not <html really & so on", -1);
  g_autoptr(GByteArray) noise = g_byte_array_new ();
  g_autoptr(DocentExtracted) random = NULL;
  guint32 state = 12345;

  g_assert_cmpuint (empty->pages->len, ==, 1);
  g_assert_true (docent_extracted_is_empty (empty));
  g_assert_cmpstr (empty->title, ==, "Only a title");
  g_assert_cmpuint (nothing->pages->len, ==, 1);
  g_assert_true (docent_extracted_is_empty (nothing));
  g_assert_true (g_str_has_prefix (page_text (text, 0), "just some text <"));

  for (guint i = 0; i < 20000; i++)
    {
      guint8 b;

      state = state * 1103515245u + 12345u;
      b = (state >> 16) & 0xFF;
      if (i % 7 == 0)
        b = "<>/&;\"'="[(state >> 8) % 8];
      g_byte_array_append (noise, &b, 1);
    }
  random = extract ((const char *) noise->data, noise->len);
  g_assert_true (g_utf8_validate (page_text (random, 0), -1, NULL));
}

static char *
nested (const char *open,
        const char *middle,
        const char *close,
        guint       depth)
{
  GString *s = g_string_new ("<html><body>");

  for (guint i = 0; i < depth; i++)
    g_string_append (s, open);
  g_string_append (s, middle);
  for (guint i = 0; i < depth; i++)
    g_string_append (s, close);
  g_string_append (s, "<p>after</p></body></html>");
  return g_string_free (s, FALSE);
}

static void
test_html_deep_nesting (void)
{
  g_autofree char *divs = nested ("<div>", "deep <b>text</b>", "</div>", 100000);
  g_autofree char *unclosed = nested ("<span><i>", "deep text", "", 50000);
  /* Stray end tags deep down make libxml2 search its whole stack for
   * each: the parse must stay bounded anyway. */
  g_autofree char *stray = nested ("<div>", "deep text", "</span>", 100000);
  g_autoptr(DocentExtracted) a = NULL;
  g_autoptr(DocentExtracted) b = NULL;
  g_autoptr(DocentExtracted) c = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();
  double seconds;

  a = extract (divs, -1);
  g_assert_cmpstr (page_text (a, 0), ==, "deep text\n\nafter");
  b = extract (unclosed, -1);
  g_assert_cmpstr (page_text (b, 0), ==, "deep text\n\nafter");
  /* libxml2 keeps its depth limit for it and gives up: a clear refusal. */
  c = docent_extract_html (stray, strlen (stray), NULL, &error);
  g_assert_null (c);
  g_assert_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_TOO_LARGE);
  g_assert_true (g_str_has_prefix (error->message, "HTML nested too deeply"));
  seconds = (g_get_monotonic_time () - start) / 1e6;
  g_test_message ("deep pages in %.3f s", seconds);
  g_assert_cmpfloat (seconds, <, 10.0);
}

/* A tree no parser limited: the walk itself must not recurse. */
static void
test_tree_deep (void)
{
  g_autoptr(DocentExtracted) doc = docent_extracted_new ("epub");
  g_autoptr(GError) error = NULL;
  xmlDoc *xdoc = xmlNewDoc ((const xmlChar *) "1.0");
  xmlNode *root = xmlNewNode (NULL, (const xmlChar *) "html");
  xmlNode *node = xmlNewChild (root, NULL, (const xmlChar *) "body", NULL);

  xmlDocSetRootElement (xdoc, root);
  for (guint i = 0; i < 200000; i++)
    node = xmlNewChild (node, NULL, (const xmlChar *) (i % 2 ? "div" : "li"), NULL);
  xmlNodeAddContent (node, (const xmlChar *) "bottom");
  xmlNewChild (root->children, NULL, (const xmlChar *) "h2", (const xmlChar *) "Sibling");

  g_assert_true (docent_html_append_tree (doc, root, TRUE, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (page_text (doc, 0), ==, "bottom\n\nSibling");
  assert_heading (doc, 0, 0, 2, strlen ("bottom\n\n"), "Sibling");
  xmlFreeDoc (xdoc);
}

static void
test_html_limits (void)
{
  g_autofree char *prose = docent_test_prose (3, 5000);
  g_autofree char *html = g_strdup_printf ("<html><body><p>%s</p></body></html>", prose);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  DocentExtractOptions opts;
  DocentExtracted *doc;

  docent_extract_options_init (&opts);
  opts.max_text_bytes = 2000;
  doc = docent_extract_html (html, strlen (html), &opts, &error);
  g_assert_null (doc);
  g_assert_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_TOO_LARGE);
  g_clear_error (&error);

  docent_extract_options_init (&opts);
  opts.cancellable = cancellable;
  g_cancellable_cancel (cancellable);
  doc = docent_extract_html (html, strlen (html), &opts, &error);
  g_assert_null (doc);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_html_large (void)
{
  g_autofree char *prose = docent_test_prose (5, 20000);
  g_autoptr(GString) html = g_string_new ("<html><head><title>Big</title></head><body>");
  g_autoptr(DocentExtracted) doc = NULL;
  guint sections = 0;
  gint64 start;
  double seconds;

  while (html->len < 5 * 1024 * 1024)
    {
      const char *body = sections % 2 ? "Short paragraph." : prose;

      g_string_append_printf (html, "<h2>Section %u</h2><div class=\"c\"><p>%s <b>bold</b> "
                              "<a href=\"#x\">link</a></p><ul><li>one</li><li>two</li></ul>"
                              "<table><tr><td>a</td><td>b</td></tr></table></div>\n",
                              sections, body);
      sections++;
    }
  g_string_append (html, "</body></html>");

  start = g_get_monotonic_time ();
  doc = extract (html->str, html->len);
  seconds = (g_get_monotonic_time () - start) / 1e6;
  g_test_message ("%zu bytes of HTML in %.3f s", html->len, seconds);
  g_assert_cmpfloat (seconds, <, 5.0);
  g_assert_cmpuint (((DocentPage *) doc->pages->pdata[0])->headings->len, ==, sections);
  g_assert_true (g_str_has_prefix (page_text (doc, 0), "Section 0\n\n"));
  g_assert_cmpuint (strlen (page_text (doc, 0)), >, html->len * 9 / 10);
  g_assert_true (g_str_has_suffix (page_text (doc, 0), ". bold link\n\none\ntwo\n\na | b"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/html/page", test_html_page);
  g_test_add_func ("/html/tables", test_html_tables);
  g_test_add_func ("/html/hidden", test_html_hidden);
  g_test_add_func ("/html/permalinks", test_html_permalinks);
  g_test_add_func ("/html/hidden-everything", test_html_hidden_everything);
  g_test_add_func ("/html/charset/meta", test_html_charset_meta);
  g_test_add_func ("/html/charset/other", test_html_charset_other);
  g_test_add_func ("/html/xhtml", test_xhtml);
  g_test_add_func ("/html/tree/xml-parser", test_tree_from_xml_parser);
  g_test_add_func ("/html/tree/deep", test_tree_deep);
  g_test_add_func ("/html/title-fallback", test_html_title_fallback);
  g_test_add_func ("/html/empty-and-garbage", test_html_empty_and_garbage);
  g_test_add_func ("/html/deep-nesting", test_html_deep_nesting);
  g_test_add_func ("/html/limits", test_html_limits);
  g_test_add_func ("/html/large", test_html_large);

  return g_test_run ();
}
