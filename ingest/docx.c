/* docx.c — text of Word documents (Office Open XML, transitional and strict).
 *
 * The main part (found through _rels/.rels, usually word/document.xml) is
 * walked without recursion. Paragraphs become blocks, headings are the
 * paragraphs whose style is a "heading N" or "Title" style (resolved through
 * styles.xml, since style ids are localised: "berschrift1") or that carry an
 * outline level; list paragraphs are lines of one block; each table row is a
 * line with its cells joined by " | ". Deleted text of tracked changes,
 * field codes and the fallback copies of text boxes are left out, and so
 * are headers, footers and comments (repeated or marginal text). Footnotes
 * and endnotes follow the body as blocks of their own. DOCX has no fixed
 * pages, so everything is page 1. */
#include "ingest/docx.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <string.h>

#define W_NS        "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
#define W_NS_STRICT "http://purl.oclc.org/ooxml/wordprocessingml/main"
#define M_NS        "http://schemas.openxmlformats.org/officeDocument/2006/math"
#define M_NS_STRICT "http://purl.oclc.org/ooxml/officeDocument/math"
#define MC_NS       "http://schemas.openxmlformats.org/markup-compatibility/2006"
#define DC_NS       "http://purl.org/dc/elements/1.1/"

/* basedOn chains longer than this are cycles or hostile. */
#define MAX_STYLE_CHAIN 32
/* How many paragraphs pass between two checks of the limits. */
#define CHECK_EVERY 512

typedef struct {
  int level;         /* -1 unknown, 0 body text, 1..6 heading */
  gboolean list;     /* the style numbers its paragraphs */
  char *based_on;
} DocxStyle;

typedef struct {
  DocentExtracted *doc;
  DocentPage *page;
  GHashTable *styles;              /* style id -> DocxStyle* */
  const DocentExtractOptions *opts;
  GString *heading;                /* set while inside a heading paragraph */
  guint heading_level;
  guint para_depth;                /* > 1 inside text boxes */
  gboolean para_list;              /* the open paragraph is a list item */
  gboolean in_list;                /* the page's last block is a list */
  guint table_depth;
  gboolean first_cell;
  gsize row_start;                 /* where the open table row began */
  guint paragraphs;
  GError *error;
} DocxWalk;

static void
docx_style_free (DocxStyle *style)
{
  g_free (style->based_on);
  g_free (style);
}

static gboolean
ns_is (const xmlNode *node,
       const char    *href)
{
  return node->ns != NULL && node->ns->href != NULL &&
         strcmp ((const char *) node->ns->href, href) == 0;
}

static gboolean
is_w (const xmlNode *node,
      const char    *name)
{
  return node->type == XML_ELEMENT_NODE &&
         strcmp ((const char *) node->name, name) == 0 &&
         (ns_is (node, W_NS) || ns_is (node, W_NS_STRICT));
}

/* Attributes are looked up by local name: w:val, and plain Target. */
static const char *
attr (const xmlNode *node,
      const char    *name)
{
  for (const xmlAttr *a = node->properties; a != NULL; a = a->next)
    if (strcmp ((const char *) a->name, name) == 0 &&
        a->children != NULL && a->children->type == XML_TEXT_NODE)
      return (const char *) a->children->content;
  return NULL;
}

static const xmlNode *
w_child (const xmlNode *node,
         const char    *name)
{
  for (const xmlNode *c = node->children; c != NULL; c = c->next)
    if (is_w (c, name))
      return c;
  return NULL;
}

static void
append_text_children (GString       *out,
                      const xmlNode *node)
{
  for (const xmlNode *c = node->children; c != NULL; c = c->next)
    if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) &&
        c->content != NULL)
      g_string_append (out, (const char *) c->content);
}

static xmlDoc *
parse_part (GBytes      *bytes,
            const char  *name,
            GError     **error)
{
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);
  xmlParserCtxt *ctxt;
  xmlDoc *xdoc;

  if (len > G_MAXINT)
    {
      g_set_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_TOO_LARGE,
                   "DOCX part %s is larger than 2 GiB", name);
      return NULL;
    }
  ctxt = xmlNewParserCtxt ();
  if (ctxt == NULL)
    g_error ("out of memory");
  /* No NOENT and no DTDLOAD: entities are never expanded or fetched. */
  xdoc = xmlCtxtReadMemory (ctxt, data, (int) len, name, NULL,
                            XML_PARSE_NONET | XML_PARSE_NOERROR |
                            XML_PARSE_NOWARNING | XML_PARSE_COMPACT);
  if (xdoc == NULL || xmlDocGetRootElement (xdoc) == NULL)
    {
      const xmlError *err = xmlCtxtGetLastError (ctxt);
      g_autofree char *reason = g_strdup (err != NULL && err->message != NULL
                                            ? err->message : "no root element");

      g_set_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_CORRUPT,
                   "damaged DOCX: %s is not well-formed XML (line %d: %s)",
                   name, err != NULL ? err->line : 0, g_strstrip (reason));
      g_clear_pointer (&xdoc, xmlFreeDoc);
    }
  xmlFreeParserCtxt (ctxt);
  return xdoc;
}

/* Optional parts: missing or broken ones are ignored; only a budget or
 * encryption error is worth reporting. */
static xmlDoc *
read_optional_part (DocentZip   *zip,
                    const char  *name,
                    GError     **error)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) local = NULL;

  if (name == NULL || !docent_zip_has (zip, name))
    return NULL;
  bytes = docent_zip_read (zip, name, &local);
  if (bytes == NULL)
    {
      if (!g_error_matches (local, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_CORRUPT))
        g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  return parse_part (bytes, name, NULL);
}

/* Joins a relationship target to the folder of its source part, keeping
 * the result inside the package. */
static char *
resolve_target (const char *base_dir,
                const char *target)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new ();
  g_autofree char *joined = NULL;
  g_auto(GStrv) segments = NULL;

  if (target[0] == '/')
    joined = g_strdup (target + 1);
  else
    joined = g_strconcat (base_dir, target, NULL);
  segments = g_strsplit (joined, "/", -1);
  for (guint i = 0; segments[i] != NULL; i++)
    {
      if (strcmp (segments[i], "..") == 0)
        {
          if (parts->len > 0)
            g_ptr_array_remove_index (parts, parts->len - 1);
        }
      else if (segments[i][0] != '\0' && strcmp (segments[i], ".") != 0)
        g_ptr_array_add (parts, segments[i]);
    }
  g_ptr_array_add (parts, NULL);
  return g_strjoinv ("/", (char **) parts->pdata);
}

/* The target of the first relationship of `type` (matched on its last path
 * component, the same in transitional and strict) in a .rels part. */
static char *
find_relationship (DocentZip   *zip,
                   const char  *rels_name,
                   const char  *base_dir,
                   const char  *type,
                   GError     **error)
{
  xmlDoc *rels = read_optional_part (zip, rels_name, error);
  char *found = NULL;
  xmlNode *root;

  if (rels == NULL)
    return NULL;
  root = xmlDocGetRootElement (rels);
  for (xmlNode *rel = root->children; rel != NULL && found == NULL; rel = rel->next)
    {
      const char *rel_type, *target, *mode, *slash;

      if (rel->type != XML_ELEMENT_NODE ||
          strcmp ((const char *) rel->name, "Relationship") != 0)
        continue;
      rel_type = attr (rel, "Type");
      target = attr (rel, "Target");
      mode = attr (rel, "TargetMode");
      if (rel_type == NULL || target == NULL || *target == '\0' ||
          (mode != NULL && strcmp (mode, "External") == 0))
        continue;
      slash = strrchr (rel_type, '/');
      if (slash != NULL && strcmp (slash + 1, type) == 0)
        found = resolve_target (base_dir, target);
    }
  xmlFreeDoc (rels);
  return found;
}

/* "heading 3" -> 3, "Title" -> 1 (Word's built-in names are English in
 * styles.xml whatever the interface language). */
static int
level_from_name (const char *name)
{
  if (name == NULL)
    return -1;
  if (g_ascii_strcasecmp (name, "title") == 0)
    return 1;
  if (g_ascii_strncasecmp (name, "heading", 7) == 0)
    {
      const char *p = name + 7;
      guint64 n;

      while (*p == ' ')
        p++;
      if (g_ascii_isdigit (*p) && g_ascii_string_to_unsigned (p, 10, 1, 9, &n, NULL))
        return MIN ((int) n, 6);
    }
  return -1;
}

/* w:outlineLvl counts from 0; 9 means body text. */
static int
level_from_outline (const char *val)
{
  guint64 n;

  if (val == NULL || !g_ascii_string_to_unsigned (val, 10, 0, 9, &n, NULL))
    return -1;
  return n >= 9 ? 0 : MIN ((int) n + 1, 6);
}

static gboolean
numbering_on (const xmlNode *ppr)
{
  const xmlNode *num_pr = w_child (ppr, "numPr");
  const xmlNode *num_id;
  const char *val;

  if (num_pr == NULL)
    return FALSE;
  num_id = w_child (num_pr, "numId");
  val = num_id != NULL ? attr (num_id, "val") : NULL;
  /* numId 0 switches numbering off. */
  return val == NULL || strcmp (val, "0") != 0;
}

static GHashTable *
load_styles (xmlDoc *styles_doc)
{
  GHashTable *styles = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                              (GDestroyNotify) docx_style_free);
  xmlNode *root;

  if (styles_doc == NULL)
    return styles;
  root = xmlDocGetRootElement (styles_doc);
  for (xmlNode *node = root->children; node != NULL; node = node->next)
    {
      const char *id, *type;
      const xmlNode *child;
      DocxStyle *style;

      if (!is_w (node, "style"))
        continue;
      id = attr (node, "styleId");
      type = attr (node, "type");
      if (id == NULL || (type != NULL && strcmp (type, "paragraph") != 0))
        continue;

      style = g_new0 (DocxStyle, 1);
      child = w_child (node, "name");
      style->level = level_from_name (child != NULL ? attr (child, "val") : NULL);
      child = w_child (node, "pPr");
      if (child != NULL)
        {
          const xmlNode *outline = w_child (child, "outlineLvl");

          if (style->level < 0 && outline != NULL)
            style->level = level_from_outline (attr (outline, "val"));
          style->list = numbering_on (child);
        }
      child = w_child (node, "basedOn");
      if (child != NULL)
        style->based_on = g_strdup (attr (child, "val"));
      g_hash_table_replace (styles, g_strdup (id), style);
    }
  return styles;
}

static void
style_props (GHashTable *styles,
             const char *id,
             int        *level,
             gboolean   *list)
{
  *level = -1;
  *list = FALSE;
  for (guint hops = 0; id != NULL && hops < MAX_STYLE_CHAIN; hops++)
    {
      const DocxStyle *style = g_hash_table_lookup (styles, id);

      if (style == NULL)
        {
          /* Documents without styles.xml still name their headings. */
          if (hops == 0 && *level < 0)
            {
              guint64 n;

              if (g_ascii_strcasecmp (id, "title") == 0)
                *level = 1;
              else if (g_ascii_strncasecmp (id, "heading", 7) == 0 &&
                       g_ascii_string_to_unsigned (id + 7, 10, 1, 9, &n, NULL))
                *level = MIN ((int) n, 6);
            }
          return;
        }
      if (*level < 0)
        *level = style->level;
      *list = *list || style->list;
      id = style->based_on;
    }
}

static void
emit_text (DocxWalk   *w,
           const char *text,
           gssize      len)
{
  if (w->heading != NULL)
    g_string_append_len (w->heading, text, len);
  else
    docent_page_append_text (w->page, text, len);
}

static void
emit_break (DocxWalk *w)
{
  if (w->heading != NULL)
    g_string_append_c (w->heading, ' ');
  else
    docent_page_line_break (w->page);
}

static void
end_block (DocxWalk *w)
{
  docent_page_end_block (w->page);
  w->in_list = FALSE;
}

/* A row of empty cells would only leave "| |" in the text. */
static void
drop_empty_row (DocxWalk *w)
{
  GString *text = w->page->text;

  if (w->heading != NULL || w->row_start > text->len)
    return;
  for (gsize i = w->row_start; i < text->len; i++)
    if (text->str[i] != ' ' && text->str[i] != '|')
      return;
  g_string_truncate (text, w->row_start);
}

static void
begin_paragraph (DocxWalk      *w,
                 const xmlNode *p)
{
  const xmlNode *ppr = w_child (p, "pPr");
  const xmlNode *child;
  int level = -1;
  gboolean list = FALSE;

  if (ppr != NULL)
    {
      child = w_child (ppr, "pStyle");
      if (child != NULL)
        style_props (w->styles, attr (child, "val"), &level, &list);
      child = w_child (ppr, "outlineLvl");
      if (child != NULL && level_from_outline (attr (child, "val")) >= 0)
        level = level_from_outline (attr (child, "val"));
      list = list || numbering_on (ppr);
    }
  else
    {
      style_props (w->styles, "Normal", &level, &list);
    }

  w->para_list = FALSE;
  if (level > 0)
    {
      w->heading = g_string_new (NULL);
      w->heading_level = level;
      w->in_list = FALSE;
    }
  else if (list)
    {
      if (!w->in_list)
        end_block (w);
      w->in_list = TRUE;
      w->para_list = TRUE;
    }
  else
    {
      end_block (w);
    }
}

static void
end_paragraph (DocxWalk *w)
{
  if (w->heading != NULL)
    {
      docent_page_add_heading (w->page, w->heading->str, w->heading->len,
                               w->heading_level);
      g_string_free (g_steal_pointer (&w->heading), TRUE);
    }
  else if (w->para_list)
    docent_page_line_break (w->page);
  else
    end_block (w);

  if (++w->paragraphs % CHECK_EVERY == 0)
    docent_extract_check_limits (w->doc, w->opts, &w->error);
}

/* Parts of the tree that hold no readable text, or text that is not shown:
 * properties, deleted runs, field instructions, duplicated fallbacks. */
static gboolean
skipped (const xmlNode *node)
{
  static const char *const names[] = {
    "pPr", "rPr", "sectPr", "tblPr", "tblGrid", "trPr", "tcPr", "tblPrEx",
    "del", "moveFrom", "delText", "instrText", "delInstrText", "sdtPr",
    "sdtEndPr", "fldData", "sym", "commentRangeStart", "commentReference",
  };

  if (ns_is (node, MC_NS))
    return strcmp ((const char *) node->name, "Fallback") == 0;
  if (!ns_is (node, W_NS) && !ns_is (node, W_NS_STRICT))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (strcmp ((const char *) node->name, names[i]) == 0)
      return TRUE;
  return FALSE;
}

/* Separators and continuation notices are layout, not notes. */
static gboolean
is_special_note (const xmlNode *node)
{
  const char *type;

  if (!is_w (node, "footnote") && !is_w (node, "endnote"))
    return FALSE;
  type = attr (node, "type");
  return type != NULL && strcmp (type, "normal") != 0;
}

/* Returns whether to walk into the node's children. */
static gboolean
enter (DocxWalk      *w,
       const xmlNode *node)
{
  if (node->type != XML_ELEMENT_NODE || skipped (node) || is_special_note (node))
    return FALSE;

  if ((ns_is (node, M_NS) || ns_is (node, M_NS_STRICT)) &&
      strcmp ((const char *) node->name, "t") == 0)
    {
      g_autoptr(GString) text = g_string_new (NULL);

      append_text_children (text, node);
      emit_text (w, text->str, text->len);
      return FALSE;
    }
  if (!ns_is (node, W_NS) && !ns_is (node, W_NS_STRICT))
    return TRUE;

  if (is_w (node, "t"))
    {
      g_autoptr(GString) text = g_string_new (NULL);

      append_text_children (text, node);
      emit_text (w, text->str, text->len);
      return FALSE;
    }
  if (is_w (node, "p"))
    {
      if (w->table_depth > 0)
        emit_text (w, " ", 1);
      else if (w->para_depth > 0)
        emit_break (w);
      else
        begin_paragraph (w, node);
      w->para_depth++;
      return TRUE;
    }
  if (is_w (node, "tab") || is_w (node, "ptab"))
    emit_text (w, " ", 1);
  else if (is_w (node, "br") || is_w (node, "cr"))
    emit_break (w);
  else if (is_w (node, "noBreakHyphen"))
    emit_text (w, "-", 1);
  else if (is_w (node, "tbl"))
    {
      if (++w->table_depth == 1)
        {
          if (w->para_depth == 0)
            end_block (w);
          else
            emit_break (w);
        }
    }
  else if (is_w (node, "tr"))
    {
      if (w->table_depth == 1)
        {
          emit_break (w);
          w->row_start = w->page->text->len;
        }
      else
        emit_text (w, " ", 1);
      w->first_cell = TRUE;
    }
  else if (is_w (node, "tc"))
    {
      if (w->table_depth == 1 && !w->first_cell)
        emit_text (w, " | ", 3);
      else
        emit_text (w, " ", 1);
      w->first_cell = FALSE;
    }
  return TRUE;
}

static void
leave (DocxWalk      *w,
       const xmlNode *node)
{
  if (node->type != XML_ELEMENT_NODE || skipped (node) || is_special_note (node))
    return;

  if (is_w (node, "p"))
    {
      w->para_depth--;
      if (w->table_depth > 0)
        return;
      if (w->para_depth > 0)
        emit_break (w);
      else
        end_paragraph (w);
    }
  else if (is_w (node, "tbl"))
    {
      if (--w->table_depth == 0)
        {
          if (w->para_depth == 0)
            end_block (w);
          else
            emit_break (w);
        }
    }
  else if (is_w (node, "tr") && w->table_depth == 1)
    {
      drop_empty_row (w);
      emit_break (w);
    }
}

/* Depth-first over the tree with parent pointers: hostile nesting costs no
 * stack. Entity references are never entered (their children belong to
 * the entity declaration). */
static gboolean
walk (DocxWalk *w,
      xmlNode  *root)
{
  xmlNode *node = root;

  for (;;)
    {
      if (enter (w, node) && node->children != NULL)
        {
          node = node->children;
          continue;
        }
      for (;;)
        {
          leave (w, node);
          if (w->error != NULL)
            return FALSE;
          if (node == root)
            return TRUE;
          if (node->next != NULL)
            {
              node = node->next;
              break;
            }
          node = node->parent;
        }
    }
}

static char *
core_title (xmlDoc *core)
{
  xmlNode *root;

  if (core == NULL)
    return NULL;
  root = xmlDocGetRootElement (core);
  for (xmlNode *node = root->children; node != NULL; node = node->next)
    if (node->type == XML_ELEMENT_NODE && ns_is (node, DC_NS) &&
        strcmp ((const char *) node->name, "title") == 0)
      {
        GString *text = g_string_new (NULL);

        append_text_children (text, node);
        return g_string_free (text, FALSE);
      }
  return NULL;
}

static gboolean
walk_notes (DocxWalk     *w,
            DocentZip    *zip,
            const char   *name,
            GError      **error)
{
  xmlDoc *notes = read_optional_part (zip, name, error);
  gboolean ok;

  if (notes == NULL)
    return error == NULL || *error == NULL;
  end_block (w);
  ok = walk (w, xmlDocGetRootElement (notes));
  xmlFreeDoc (notes);
  return ok;
}

static void
walk_clear (DocxWalk *w)
{
  if (w->heading != NULL)
    g_string_free (w->heading, TRUE);
  g_clear_pointer (&w->styles, g_hash_table_unref);
  g_clear_error (&w->error);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (DocxWalk, walk_clear)

typedef struct {
  char *main;
  char *styles;
  char *footnotes;
  char *endnotes;
  char *core;
} DocxParts;

static void
parts_clear (DocxParts *parts)
{
  g_free (parts->main);
  g_free (parts->styles);
  g_free (parts->footnotes);
  g_free (parts->endnotes);
  g_free (parts->core);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (DocxParts, parts_clear)

/* A related part, through its .rels or by its usual name. */
static char *
related_part (DocentZip   *zip,
              const char  *rels_name,
              const char  *dir,
              const char  *type,
              const char  *usual,
              GError     **error)
{
  char *name;

  if (error != NULL && *error != NULL)
    return NULL;
  name = find_relationship (zip, rels_name, dir, type, error);
  if (name != NULL && docent_zip_has (zip, name))
    return name;
  g_free (name);
  return g_strdup (usual);
}

/* Fails only when the main part is missing, or a budget or encryption
 * error came up; the other parts are optional. */
static gboolean
find_parts (DocentZip  *zip,
            DocxParts  *parts,
            GError    **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *rels = NULL;
  g_autofree char *usual = NULL;
  GError *local = NULL;
  const char *slash;

  parts->main = related_part (zip, "_rels/.rels", "", "officeDocument",
                              "word/document.xml", &local);
  if (local == NULL && !docent_zip_has (zip, parts->main))
    g_set_error (&local, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_CORRUPT,
                 "damaged DOCX: %s is missing", parts->main);
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return FALSE;
    }

  slash = strrchr (parts->main, '/');
  dir = slash != NULL ? g_strndup (parts->main, slash - parts->main + 1) : g_strdup ("");
  rels = g_strdup_printf ("%s_rels/%s.rels", dir, parts->main + strlen (dir));

  usual = g_strconcat (dir, "styles.xml", NULL);
  parts->styles = related_part (zip, rels, dir, "styles", usual, &local);
  g_free (usual);
  usual = g_strconcat (dir, "footnotes.xml", NULL);
  parts->footnotes = related_part (zip, rels, dir, "footnotes", usual, &local);
  g_free (usual);
  usual = g_strconcat (dir, "endnotes.xml", NULL);
  parts->endnotes = related_part (zip, rels, dir, "endnotes", usual, &local);
  parts->core = related_part (zip, "_rels/.rels", "", "core-properties",
                              "docProps/core.xml", &local);
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return FALSE;
    }
  return TRUE;
}

static char *
first_heading (const DocentPage *page)
{
  const DocentHeading *h;

  if (page->headings->len == 0)
    return NULL;
  h = &g_array_index (page->headings, DocentHeading, 0);
  return g_strndup (page->text->str + h->start, h->end - h->start);
}

DocentExtracted *
docent_extract_docx (DocentZip                  *zip,
                     const DocentExtractOptions *opts,
                     GError                    **error)
{
  g_autoptr(DocentExtracted) doc = docent_extracted_new ("docx");
  g_auto(DocxParts) parts = { 0 };
  g_auto(DocxWalk) w = { 0 };
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *title = NULL;
  g_autofree char *heading = NULL;
  GError *local = NULL;
  xmlDoc *xdoc;
  gboolean ok;

  if (!find_parts (zip, &parts, error))
    return NULL;

  xdoc = read_optional_part (zip, parts.core, &local);
  title = core_title (xdoc);
  g_clear_pointer (&xdoc, xmlFreeDoc);
  if (local == NULL)
    xdoc = read_optional_part (zip, parts.styles, &local);
  w.styles = load_styles (xdoc);
  g_clear_pointer (&xdoc, xmlFreeDoc);
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return NULL;
    }

  bytes = docent_zip_read (zip, parts.main, error);
  if (bytes == NULL)
    return NULL;
  xdoc = parse_part (bytes, parts.main, error);
  if (xdoc == NULL)
    return NULL;
  g_clear_pointer (&bytes, g_bytes_unref);

  w.doc = doc;
  w.opts = opts;
  w.page = docent_extracted_add_page (doc);
  ok = walk (&w, xmlDocGetRootElement (xdoc));
  xmlFreeDoc (xdoc);
  if (ok)
    ok = walk_notes (&w, zip, parts.footnotes, &w.error);
  if (ok)
    ok = walk_notes (&w, zip, parts.endnotes, &w.error);
  if (!ok)
    {
      g_propagate_error (error, g_steal_pointer (&w.error));
      return NULL;
    }
  docent_page_finish (w.page);

  docent_extracted_set_title (doc, title);
  heading = doc->title == NULL ? first_heading (w.page) : NULL;
  docent_extracted_set_title (doc, heading);
  return g_steal_pointer (&doc);
}
