/* html.c — HTML and XHTML pages, and the walk over (X)HTML trees that EPUB
 * chapters share.
 *
 * Pages are decoded to UTF-8 here (BOM, then the declared charset, then
 * UTF-8 or Windows-1252) and handed to libxml2's HTML parser with the
 * encoding fixed, so libxml2 never guesses and never touches the network.
 * The tree walk is iterative (docent_xml_walk: child, next and parent
 * pointers), so nesting depth costs no stack. */
#include "ingest/html.h"

#include <libxml/HTMLparser.h>
#include <string.h>

#include "ingest/encoding.h"
#include "ingest/text.h"
#include "ingest/xml.h"

#define CHECK_EVERY_NODES 4096
/* Where a <meta charset> or an XML declaration is looked for. */
#define SNIFF_LEN 4096
/* libxml2 stops at 256 levels unless told otherwise (XML_PARSE_HUGE), but
 * lifting that lets stray end tags in a deep document cost depth × tags. */
#define DEEP_NESTING 200
#define NESTING_BUDGET (25 * 1000 * 1000)
#define MAX_TITLE_BYTES 1000

typedef enum {
  EL_INLINE,
  EL_SKIP,       /* no reading content: scripts, navigation, form controls */
  EL_HEAD,       /* skipped, but holds the <title> */
  EL_TITLE,
  EL_BLOCK,
  EL_LINE,       /* li, dt, dd */
  EL_ROW,
  EL_CELL,
  EL_BREAK,
  EL_RULE,
  EL_PRE,
  EL_HEADING,
} ElementKind;

typedef struct {
  const char *name;
  ElementKind kind;
} ElementInfo;

/* Sorted by name for bsearch. */
static const ElementInfo elements[] = {
  { "address", EL_BLOCK },
  { "applet", EL_SKIP },
  { "area", EL_SKIP },
  { "article", EL_BLOCK },
  { "aside", EL_SKIP },
  { "audio", EL_SKIP },
  { "base", EL_SKIP },
  { "blockquote", EL_BLOCK },
  { "body", EL_BLOCK },
  { "br", EL_BREAK },
  { "button", EL_SKIP },
  { "canvas", EL_SKIP },
  { "caption", EL_BLOCK },
  { "center", EL_BLOCK },
  { "datalist", EL_SKIP },
  { "dd", EL_LINE },
  { "details", EL_BLOCK },
  { "dialog", EL_SKIP },
  { "dir", EL_BLOCK },
  { "div", EL_BLOCK },
  { "dl", EL_BLOCK },
  { "dt", EL_LINE },
  { "embed", EL_SKIP },
  { "fieldset", EL_BLOCK },
  { "figcaption", EL_BLOCK },
  { "figure", EL_BLOCK },
  { "footer", EL_BLOCK },
  { "form", EL_BLOCK },
  { "frame", EL_SKIP },
  { "frameset", EL_SKIP },
  { "h1", EL_HEADING },
  { "h2", EL_HEADING },
  { "h3", EL_HEADING },
  { "h4", EL_HEADING },
  { "h5", EL_HEADING },
  { "h6", EL_HEADING },
  { "head", EL_HEAD },
  { "header", EL_BLOCK },
  { "hgroup", EL_BLOCK },
  { "hr", EL_RULE },
  { "html", EL_BLOCK },
  { "iframe", EL_SKIP },
  { "input", EL_SKIP },
  { "legend", EL_BLOCK },
  { "li", EL_LINE },
  { "link", EL_SKIP },
  { "listing", EL_PRE },
  { "main", EL_BLOCK },
  { "math", EL_SKIP },
  { "menu", EL_BLOCK },
  { "meta", EL_SKIP },
  { "nav", EL_SKIP },
  { "noembed", EL_SKIP },
  { "noframes", EL_SKIP },
  { "noscript", EL_SKIP },
  { "object", EL_SKIP },
  { "ol", EL_BLOCK },
  { "optgroup", EL_SKIP },
  { "option", EL_SKIP },
  { "p", EL_BLOCK },
  { "param", EL_SKIP },
  { "plaintext", EL_PRE },
  { "pre", EL_PRE },
  { "script", EL_SKIP },
  { "section", EL_BLOCK },
  { "select", EL_SKIP },
  { "source", EL_SKIP },
  { "style", EL_SKIP },
  { "summary", EL_BLOCK },
  { "svg", EL_SKIP },
  { "table", EL_BLOCK },
  { "td", EL_CELL },
  { "template", EL_SKIP },
  { "textarea", EL_SKIP },
  { "th", EL_CELL },
  { "title", EL_TITLE },
  { "tr", EL_ROW },
  { "track", EL_SKIP },
  { "ul", EL_BLOCK },
  { "video", EL_SKIP },
  { "xmp", EL_PRE },
};

typedef struct {
  DocentExtracted *doc;
  DocentPage *page;
  const DocentExtractOptions *opts;
  xmlNode *head;          /* the <head> being walked for its <title> */
  xmlNode *heading_node;  /* the open h1-h6 */
  GString *heading;       /* its text so far */
  guint heading_level;
  guint pre_depth;
  guint line_depth;
  guint cell_depth;
  gboolean cell_has_text;
  guint row_cells;        /* cells with text so far in the current row */
  gboolean pending_sep;   /* " | " goes before the next text */
  char *title;
  char *first_h1;
  guint nodes;
  GError **error;         /* of the walk under way */
  gboolean show_hidden;   /* second pass over a page that hid everything */
  gboolean skipped_hidden;
} Walker;

static int
element_compare (const void *key,
                 const void *entry)
{
  return strcmp (key, *(const char *const *) entry);
}

/* Local name, case-insensitive: "H1", "xhtml:p" and a namespaced "p"
 * from an XML parser all classify alike. */
static ElementKind
classify (const xmlNode *node,
          guint         *level)
{
  const char *name = (const char *) node->name;
  const char *colon;
  char lower[16];
  gsize n;
  const void *found;

  if (name == NULL)
    return EL_INLINE;
  if ((colon = strrchr (name, ':')) != NULL)
    name = colon + 1;
  n = strlen (name);
  if (n == 0 || n >= sizeof lower)
    return EL_INLINE;
  for (gsize i = 0; i <= n; i++)
    lower[i] = g_ascii_tolower (name[i]);
  found = bsearch (lower, elements, G_N_ELEMENTS (elements), sizeof elements[0],
                   element_compare);
  if (found == NULL)
    return EL_INLINE;
  if (lower[0] == 'h' && lower[1] >= '1' && lower[1] <= '6')
    *level = lower[1] - '0';
  return ((const ElementInfo *) found)->kind;
}

static char *
attribute_value (const xmlAttr *attr)
{
  xmlChar *v = xmlNodeListGetString (attr->doc, attr->children, 1);
  char *copy = g_strdup (v != NULL ? (const char *) v : "");

  xmlFree (v);
  return copy;
}

/* display:none or visibility:hidden in an inline style. */
static gboolean
style_hides (const char *style)
{
  g_autoptr(GString) compact = g_string_new (NULL);

  for (const char *p = style; *p != '\0'; p++)
    if (!g_ascii_isspace (*p))
      g_string_append_c (compact, g_ascii_tolower (*p));
  return strstr (compact->str, "display:none") != NULL ||
         strstr (compact->str, "visibility:hidden") != NULL;
}

/* The "¶" or "#" links documentation generators put next to headings
 * (Sphinx, MkDocs, many blogs) would end up in every heading's text. */
static gboolean
is_permalink (const xmlNode *node)
{
  g_autofree char *klass = NULL;

  if (g_ascii_strcasecmp ((const char *) node->name, "a") != 0)
    return FALSE;
  klass = (char *) xmlGetProp ((xmlNode *) node, (const xmlChar *) "class");
  return klass != NULL && (strstr (klass, "headerlink") != NULL ||
                           strstr (klass, "permalink") != NULL ||
                           strstr (klass, "anchor-link") != NULL);
}

static gboolean
is_hidden (const xmlNode *node)
{
  const char *name = (const char *) node->name;

  /* Pages hide <html> or <body> until a script has run ("anti-flicker"):
   * that says nothing about the content. */
  if (name != NULL &&
      (g_ascii_strcasecmp (name, "html") == 0 || g_ascii_strcasecmp (name, "body") == 0))
    return FALSE;
  if (name != NULL && is_permalink (node))
    return TRUE;
  for (const xmlAttr *attr = node->properties; attr != NULL; attr = attr->next)
    {
      name = (const char *) attr->name;
      if (name == NULL)
        continue;
      if (g_ascii_strcasecmp (name, "hidden") == 0)
        return TRUE;
      if (g_ascii_strcasecmp (name, "aria-hidden") == 0)
        {
          g_autofree char *value = attribute_value (attr);

          if (g_ascii_strcasecmp (g_strstrip (value), "true") == 0)
            return TRUE;
        }
      else if (g_ascii_strcasecmp (name, "style") == 0)
        {
          g_autofree char *value = attribute_value (attr);

          if (style_hides (value))
            return TRUE;
        }
    }
  return FALSE;
}

/* Anything but white space (including no-break spaces)? */
static gboolean
has_visible_text (const char *s,
                  gsize       len)
{
  for (gsize i = 0; i < len; i++)
    {
      guchar c = s[i];

      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v')
        continue;
      if (c == 0xC2 && i + 1 < len && (guchar) s[i + 1] == 0xA0)
        {
          i++;
          continue;
        }
      return TRUE;
    }
  return FALSE;
}

static void
emit_text (Walker     *w,
           const char *s,
           gsize       len)
{
  if (w->head != NULL || len == 0)
    return;
  if (w->heading != NULL)
    {
      g_string_append_len (w->heading, s, len);
      return;
    }
  if (has_visible_text (s, len))
    {
      if (w->pending_sep)
        docent_page_append_text (w->page, " | ", 3);
      w->pending_sep = FALSE;
      if (w->cell_depth > 0)
        w->cell_has_text = TRUE;
    }
  if (w->pre_depth > 0 && w->cell_depth == 0)
    docent_text_append_lines (w->page, s, len);
  else
    docent_page_append_text (w->page, s, len);
}

static void
space_boundary (Walker *w)
{
  if (w->heading != NULL)
    g_string_append_c (w->heading, ' ');
  else
    docent_page_append_text (w->page, " ", 1);
}

typedef enum {
  BOUNDARY_LINE,
  BOUNDARY_BLOCK,
} Boundary;

/* Inside a heading or a table cell, every boundary is a space; blocks
 * inside list items are only lines of the item. */
static void
boundary (Walker   *w,
          Boundary  kind)
{
  if (w->head != NULL)
    return;
  if (w->heading != NULL || w->cell_depth > 0)
    space_boundary (w);
  else if (kind == BOUNDARY_BLOCK && w->line_depth == 0)
    docent_page_end_block (w->page);
  else
    docent_page_line_break (w->page);
}

/* Where a table row starts or ends: a line of its own, unless the table
 * sits in a cell of another one, whose words it then only adds to.
 * Returns whether the row is one of the outer table. */
static gboolean
row_boundary (Walker *w)
{
  if (w->cell_depth > 0)
    {
      boundary (w, BOUNDARY_BLOCK);
      return FALSE;
    }
  w->pending_sep = FALSE;
  boundary (w, BOUNDARY_LINE);
  return TRUE;
}

static void
take_title (Walker  *w,
            xmlNode *node)
{
  g_autoptr(GString) title = g_string_new (NULL);

  if (w->title != NULL)
    return;
  for (xmlNode *child = node->children; child != NULL; child = child->next)
    if ((child->type == XML_TEXT_NODE || child->type == XML_CDATA_SECTION_NODE) &&
        child->content != NULL)
      for (const char *p = (const char *) child->content; *p != '\0'; p++)
        {
          gboolean space = g_ascii_isspace (*p);

          if (!space)
            g_string_append_c (title, *p);
          else if (title->len > 0 && title->str[title->len - 1] != ' ')
            g_string_append_c (title, ' ');
        }
  if (title->len > MAX_TITLE_BYTES)
    {
      const char *cut = g_utf8_find_prev_char (title->str, title->str + MAX_TITLE_BYTES + 1);

      g_string_truncate (title, cut != NULL ? (gsize) (cut - title->str) : 0);
    }
  if (has_visible_text (title->str, title->len))
    w->title = g_string_free (g_steal_pointer (&title), FALSE);
}

static void
emit_entity (Walker  *w,
             xmlNode *node)
{
  xmlEntity *entity = xmlGetDocEntity (node->doc, node->name);

  if (entity != NULL && entity->content != NULL)
    emit_text (w, (const char *) entity->content, strlen ((const char *) entity->content));
}

/* Returns whether the walk goes into the node's children; a node entered
 * that way gets leave_node() once they are done. */
static gboolean
enter_node (Walker  *w,
            xmlNode *node)
{
  ElementKind kind;
  guint level = 0;

  switch (node->type)
    {
    case XML_TEXT_NODE:
    case XML_CDATA_SECTION_NODE:
      if (node->content != NULL)
        emit_text (w, (const char *) node->content, strlen ((const char *) node->content));
      return FALSE;
    case XML_ENTITY_REF_NODE:
      emit_entity (w, node);
      return FALSE;
    case XML_DOCUMENT_NODE:
    case XML_HTML_DOCUMENT_NODE:
    case XML_DOCUMENT_FRAG_NODE:
      return TRUE;
    case XML_ELEMENT_NODE:
      break;
    default:
      return FALSE;
    }

  kind = classify (node, &level);
  if (kind == EL_TITLE)
    {
      take_title (w, node);
      return FALSE;
    }
  if (kind == EL_SKIP)
    return FALSE;
  if (!w->show_hidden && is_hidden (node))
    {
      w->skipped_hidden = TRUE;
      return FALSE;
    }

  switch (kind)
    {
    case EL_HEAD:
      if (w->head == NULL)
        w->head = node;
      break;
    case EL_BLOCK:
    case EL_RULE:
      boundary (w, BOUNDARY_BLOCK);
      break;
    case EL_PRE:
      boundary (w, BOUNDARY_BLOCK);
      w->pre_depth++;
      break;
    case EL_LINE:
      boundary (w, BOUNDARY_LINE);
      w->line_depth++;
      break;
    case EL_BREAK:
      boundary (w, BOUNDARY_LINE);
      break;
    case EL_ROW:
      if (row_boundary (w))
        w->row_cells = 0;
      break;
    case EL_CELL:
      if (w->cell_depth == 0)
        {
          w->cell_has_text = FALSE;
          if (w->row_cells > 0)
            w->pending_sep = TRUE;
        }
      else
        space_boundary (w);
      w->cell_depth++;
      break;
    case EL_HEADING:
      if (w->heading == NULL && w->head == NULL && w->cell_depth == 0 &&
          w->line_depth == 0)
        {
          docent_page_end_block (w->page);
          w->heading = g_string_new (NULL);
          w->heading_node = node;
          w->heading_level = level;
        }
      else
        boundary (w, BOUNDARY_BLOCK);
      break;
    case EL_INLINE:
    case EL_SKIP:
    case EL_TITLE:
    default:
      break;
    }
  return TRUE;
}

static void
close_heading (Walker *w)
{
  GArray *headings = w->page->headings;
  guint before = headings->len;

  docent_page_add_heading (w->page, w->heading->str, w->heading->len, w->heading_level);
  if (w->heading_level == 1 && w->first_h1 == NULL && headings->len > before)
    {
      const DocentHeading *h = &g_array_index (headings, DocentHeading, headings->len - 1);

      w->first_h1 = g_strndup (w->page->text->str + h->start, h->end - h->start);
    }
  g_string_free (w->heading, TRUE);
  w->heading = NULL;
  w->heading_node = NULL;
}

static void
leave_node (Walker  *w,
            xmlNode *node)
{
  guint level = 0;

  if (node->type != XML_ELEMENT_NODE)
    return;
  if (node == w->head)
    {
      w->head = NULL;
      return;
    }
  if (node == w->heading_node)
    {
      close_heading (w);
      return;
    }
  switch (classify (node, &level))
    {
    case EL_BLOCK:
    case EL_HEADING:
      boundary (w, BOUNDARY_BLOCK);
      break;
    case EL_PRE:
      w->pre_depth--;
      boundary (w, BOUNDARY_BLOCK);
      break;
    case EL_LINE:
      w->line_depth--;
      boundary (w, BOUNDARY_LINE);
      break;
    case EL_ROW:
      row_boundary (w);
      break;
    case EL_CELL:
      w->cell_depth--;
      if (w->cell_depth == 0 && w->cell_has_text)
        w->row_cells++;
      else if (w->cell_depth > 0)
        space_boundary (w);
      break;
    case EL_INLINE:
    case EL_SKIP:
    case EL_HEAD:
    case EL_TITLE:
    case EL_BREAK:
    case EL_RULE:
    default:
      break;
    }
}

/* enter_node() for docent_xml_walk(), which also checks the limits every
 * CHECK_EVERY_NODES nodes. */
static DocentXmlStep
walk_enter (xmlNode  *node,
            gpointer  user_data)
{
  Walker *w = user_data;
  gboolean entered = enter_node (w, node);

  if (++w->nodes % CHECK_EVERY_NODES == 0 &&
      !docent_extract_check_limits (w->doc, w->opts, w->error))
    return DOCENT_XML_STOP;
  return entered ? DOCENT_XML_ENTER : DOCENT_XML_SKIP;
}

static gboolean
walk_leave (xmlNode  *node,
            gpointer  user_data)
{
  leave_node (user_data, node);
  return TRUE;
}

static gboolean
walk (Walker   *w,
      xmlNode  *root,
      GError  **error)
{
  w->error = error;
  return docent_xml_walk (root, walk_enter, walk_leave, w);
}

/* Sets *title (when not NULL) to the page's <title>, else its first h1. */
static gboolean
append_tree (DocentExtracted            *doc,
             xmlNode                    *root,
             gboolean                    new_page,
             const DocentExtractOptions *opts,
             char                      **title,
             GError                    **error)
{
  DocentExtractOptions defaults;
  Walker w = { 0 };
  gsize start_len;
  guint start_headings;
  gboolean ok;

  if (opts == NULL)
    {
      docent_extract_options_init (&defaults);
      opts = &defaults;
    }
  w.doc = doc;
  w.opts = opts;
  if (new_page || doc->pages->len == 0)
    w.page = docent_extracted_add_page (doc);
  else
    w.page = doc->pages->pdata[doc->pages->len - 1];
  /* The page may end trimmed by an earlier docent_page_finish(). */
  docent_page_end_block (w.page);

  start_len = w.page->text->len;
  start_headings = w.page->headings->len;
  ok = root == NULL || walk (&w, root, error);
  /* A saved page whose content sits under aria-hidden (a dialog was open)
   * or display:none (revealed by a script) would read as empty: rather
   * show what was hidden than nothing. */
  if (ok && w.skipped_hidden &&
      !has_visible_text (w.page->text->str + start_len, w.page->text->len - start_len))
    {
      g_string_truncate (w.page->text, start_len);
      g_array_set_size (w.page->headings, start_headings);
      w.show_hidden = TRUE;
      w.pending_sep = FALSE;
      w.row_cells = 0;
      ok = walk (&w, root, error);
    }
  if (w.heading != NULL)
    {
      if (ok)
        close_heading (&w);
      else
        g_string_free (w.heading, TRUE);
    }
  docent_page_finish (w.page);
  if (ok)
    ok = docent_extract_check_limits (doc, opts, error);
  if (title != NULL)
    *title = g_strdup (w.title != NULL ? w.title : w.first_h1);
  g_free (w.title);
  g_free (w.first_h1);
  return ok;
}

gboolean
docent_html_append_tree (DocentExtracted            *doc,
                         xmlNode                    *root,
                         gboolean                    new_page,
                         const DocentExtractOptions *opts,
                         GError                    **error)
{
  return append_tree (doc, root, new_page, opts, NULL, error);
}

/* --- parsing a page ----------------------------------------------------- */

static const char *
find_ci (const char *s,
         gsize       len,
         const char *needle)
{
  gsize n = strlen (needle);

  for (gsize i = 0; i + n <= len; i++)
    if (g_ascii_strncasecmp (s + i, needle, n) == 0)
      return s + i;
  return NULL;
}

/* The charset name right after "charset" or "encoding" at `p`. */
static char *
charset_value (const char *p,
               const char *end)
{
  const char *start;

  while (p < end && g_ascii_isalpha (*p))
    p++;
  while (p < end && g_ascii_isspace (*p))
    p++;
  if (p >= end || *p != '=')
    return NULL;
  p++;
  while (p < end && (g_ascii_isspace (*p) || *p == '"' || *p == '\''))
    p++;
  for (start = p; p < end && (g_ascii_isalnum (*p) || strchr ("-_.:", *p) != NULL); p++)
    ;
  return p > start ? g_strndup (start, p - start) : NULL;
}

/* The charset a page declares in an XML declaration or a <meta>. */
static char *
sniff_charset (const char *data,
               gsize       len)
{
  const char *p = data, *end = data + MIN (len, SNIFF_LEN);

  if (end - p >= 3 && memcmp (p, "\xEF\xBB\xBF", 3) == 0)
    p += 3;
  if (end - p >= 5 && memcmp (p, "<?xml", 5) == 0)
    {
      const char *close = g_strstr_len (p, end - p, "?>");
      const char *enc = close != NULL ? g_strstr_len (p, close - p, "encoding") : NULL;

      if (enc != NULL)
        return charset_value (enc, close);
    }
  while ((p = find_ci (p, end - p, "<meta")) != NULL)
    {
      const char *tag_end = memchr (p, '>', end - p);
      const char *cs;

      if (tag_end == NULL)
        break;
      if ((cs = find_ci (p, tag_end - p, "charset")) != NULL)
        {
          char *value = charset_value (cs, tag_end);

          if (value != NULL)
            return value;
        }
      p = tag_end;
    }
  return NULL;
}

/* Which charset to decode with. Bytes that are valid UTF-8 with some
 * multi-byte sequences are UTF-8 whatever the page says: mislabelled pages
 * are common, and no legacy text forms valid UTF-8 by accident. A UTF-16
 * label on a page without a BOM cannot be true either. */
static char *
choose_charset (const char *data,
                gsize       len)
{
  g_autofree char *declared = sniff_charset (data, len);
  g_autofree char *lower = NULL;
  gboolean ascii = TRUE;

  if (declared == NULL)
    return NULL;
  lower = g_ascii_strdown (declared, -1);
  if (g_str_has_prefix (lower, "utf-16") || g_str_has_prefix (lower, "utf-32") ||
      g_str_has_prefix (lower, "utf16") || g_str_has_prefix (lower, "ucs"))
    return NULL;
  for (gsize i = 0; i < len && ascii; i++)
    ascii = (guchar) data[i] < 0x80;
  if (!ascii && g_utf8_validate_len (data, len, NULL))
    return NULL;
  return g_steal_pointer (&declared);
}

static gboolean
is_void_element (const char *name)
{
  static const char *const voids[] = {
    "area", "base", "basefont", "bgsound", "br", "col", "command", "embed",
    "frame", "hr", "img", "input", "isindex", "keygen", "link", "meta",
    "param", "source", "track", "wbr",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (voids); i++)
    if (strcmp (name, voids[i]) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
is_raw_text_element (const char *name)
{
  return strcmp (name, "script") == 0 || strcmp (name, "style") == 0 ||
         strcmp (name, "textarea") == 0 || strcmp (name, "title") == 0 ||
         strcmp (name, "xmp") == 0;
}

/* Past the '>' of a tag whose name ends at `i`, honouring quoted values. */
static gsize
skip_tag (const char *s,
          gsize       len,
          gsize       i)
{
  char quote = 0;

  for (; i < len; i++)
    {
      if (quote != 0)
        {
          if (s[i] == quote)
            quote = 0;
        }
      else if (s[i] == '"' || s[i] == '\'')
        quote = s[i];
      else if (s[i] == '>')
        return i + 1;
    }
  return len;
}

/* Whether lifting libxml2's depth limit is safe for this page: a rough
 * tag-by-tag simulation of the parser's element stack that never pops on a
 * mismatched end tag, so its depth and its cost (an end tag that does not
 * close the innermost element makes libxml2 search the whole stack) are
 * upper bounds. Sets *deep when the page nests deeper than the default
 * limit allows. */
static gboolean
nesting_is_cheap (const char *s,
                  gsize       len,
                  gboolean   *deep)
{
  g_autoptr(GArray) stack = g_array_new (FALSE, FALSE, sizeof (guint32));
  guint64 cost = 0;
  gsize i = 0;

  *deep = FALSE;
  while (i < len && cost <= NESTING_BUDGET)
    {
      const char *lt = memchr (s + i, '<', len - i);
      gboolean end_tag;
      char name[16];
      guint32 hash = 2166136261u;
      gsize n = 0, j;

      if (lt == NULL)
        break;
      i = lt - s;
      if (len - i >= 4 && memcmp (s + i, "<!--", 4) == 0)
        {
          const char *close = g_strstr_len (s + i + 4, len - i - 4, "-->");

          if (close == NULL)
            break;
          i = close + 3 - s;
          continue;
        }
      end_tag = i + 1 < len && s[i + 1] == '/';
      j = i + 1 + end_tag;
      if (j >= len || !g_ascii_isalpha (s[j]))
        {
          i++;
          continue;
        }
      for (; j < len && (g_ascii_isalnum (s[j]) || s[j] == '-' || s[j] == ':'); j++)
        {
          char c = g_ascii_tolower (s[j]);

          hash = (hash ^ (guchar) c) * 16777619u;
          if (n < sizeof name - 1)
            name[n++] = c;
        }
      name[n] = '\0';
      i = skip_tag (s, len, j);

      if (end_tag)
        {
          if (stack->len > 0 && g_array_index (stack, guint32, stack->len - 1) == hash)
            g_array_set_size (stack, stack->len - 1);
          else
            cost += stack->len;
          continue;
        }
      if (is_void_element (name))
        continue;
      g_array_append_val (stack, hash);
      if (stack->len > DEEP_NESTING)
        *deep = TRUE;
      if (is_raw_text_element (name))
        {
          g_autofree char *close_tag = g_strconcat ("</", name, NULL);
          const char *close = find_ci (s + i, len - i, close_tag);

          i = close != NULL ? (gsize) (close - s) : len;
        }
    }
  return cost <= NESTING_BUDGET;
}

DocentExtracted *
docent_extract_html (const char                 *data,
                     gsize                       len,
                     const DocentExtractOptions *opts,
                     GError                    **error)
{
  g_autoptr(DocentExtracted) doc = docent_extracted_new ("html");
  g_autofree char *charset = NULL;
  g_autofree char *utf8 = NULL;
  g_autofree char *title = NULL;
  gsize utf8_len = 0;
  gboolean deep = FALSE;
  int options = HTML_PARSE_NONET | HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
                HTML_PARSE_NOWARNING | HTML_PARSE_COMPACT | HTML_PARSE_NODEFDTD |
                HTML_PARSE_IGNORE_ENC;
  htmlDocPtr tree;
  gboolean ok;

  if (data == NULL)
    data = "", len = 0;
  docent_extract_init ();
  charset = choose_charset (data, len);
  utf8 = docent_decode_text (data, len, charset, &utf8_len);
  if (utf8_len > G_MAXINT)
    {
      g_set_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_TOO_LARGE,
                   "HTML file larger than 2 GiB");
      return NULL;
    }
  if (nesting_is_cheap (utf8, utf8_len, &deep) && deep)
    options |= XML_PARSE_HUGE;

  tree = htmlReadMemory (utf8, (int) utf8_len, NULL, "UTF-8", options);
  if (tree == NULL)
    {
      /* Nothing parseable, e.g. no markup at all: an empty document. */
      docent_extracted_add_page (doc);
      return g_steal_pointer (&doc);
    }
  ok = append_tree (doc, (xmlNode *) tree, TRUE, opts, &title, error);
  xmlFreeDoc (tree);
  if (!ok)
    return NULL;
  /* libxml2 gave up at its depth limit: say so rather than "no text". */
  if (deep && !(options & XML_PARSE_HUGE) && docent_extracted_is_empty (doc))
    {
      g_set_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_TOO_LARGE,
                   "HTML nested too deeply to read: over 256 levels, "
                   "with end tags that do not match");
      return NULL;
    }
  docent_extracted_set_title (doc, title);
  return g_steal_pointer (&doc);
}
