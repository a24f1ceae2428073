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

#include <string.h>

#include "ingest/xml.h"

#define W_NS        "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
#define W_NS_STRICT "http://purl.oclc.org/ooxml/wordprocessingml/main"
#define M_NS        "http://schemas.openxmlformats.org/officeDocument/2006/math"
#define M_NS_STRICT "http://purl.oclc.org/ooxml/officeDocument/math"
#define MC_NS       "http://schemas.openxmlformats.org/markup-compatibility/2006"
#define DC_NS       "http://purl.org/dc/elements/1.1/"

/* basedOn chains longer than this are cycles or hostile. */
#define MAX_STYLE_CHAIN 32

typedef struct {
  int level;         /* -1 unknown, 0 body text, 1..6 heading */
  gboolean list;     /* the style numbers its paragraphs */
  char *based_on;
} DocxStyle;

typedef struct {
  DocentXmlFlow *flow;
  GHashTable *styles;              /* style id -> DocxStyle* */
} DocxWalk;

static void
docx_style_free (DocxStyle *style)
{
  g_free (style->based_on);
  g_free (style);
}

/* Transitional and strict documents differ only in their namespaces. */
static gboolean
in_w_ns (const xmlNode *node)
{
  return docent_xml_in_ns (node, W_NS) || docent_xml_in_ns (node, W_NS_STRICT);
}

static gboolean
is_w (const xmlNode *node,
      const char    *name)
{
  return docent_xml_is (node, NULL, name) && in_w_ns (node);
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

/* The target of the first relationship of `type` (matched on its last path
 * component, the same in transitional and strict) in a .rels part. */
static char *
find_relationship (DocentZip   *zip,
                   const char  *rels_name,
                   const char  *base_dir,
                   const char  *type,
                   GError     **error)
{
  xmlDoc *rels = docent_xml_read_optional_part (zip, rels_name, error);
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
      rel_type = docent_xml_attr (rel, "Type");
      target = docent_xml_attr (rel, "Target");
      mode = docent_xml_attr (rel, "TargetMode");
      if (rel_type == NULL || target == NULL || *target == '\0' ||
          (mode != NULL && strcmp (mode, "External") == 0))
        continue;
      slash = strrchr (rel_type, '/');
      if (slash != NULL && strcmp (slash + 1, type) == 0)
        found = docent_xml_resolve_path (base_dir, target);
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
  val = num_id != NULL ? docent_xml_attr (num_id, "val") : NULL;
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
      id = docent_xml_attr (node, "styleId");
      type = docent_xml_attr (node, "type");
      if (id == NULL || (type != NULL && strcmp (type, "paragraph") != 0))
        continue;

      style = g_new0 (DocxStyle, 1);
      child = w_child (node, "name");
      style->level = level_from_name (child != NULL ? docent_xml_attr (child, "val")
                                                    : NULL);
      child = w_child (node, "pPr");
      if (child != NULL)
        {
          const xmlNode *outline = w_child (child, "outlineLvl");

          if (style->level < 0 && outline != NULL)
            style->level = level_from_outline (docent_xml_attr (outline, "val"));
          style->list = numbering_on (child);
        }
      child = w_child (node, "basedOn");
      if (child != NULL)
        style->based_on = g_strdup (docent_xml_attr (child, "val"));
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

/* The level (0 for body text) and list-ness of a paragraph, from its own
 * properties first and then from its style. */
static void
paragraph_props (DocxWalk      *w,
                 const xmlNode *p,
                 guint         *level,
                 gboolean      *list)
{
  const xmlNode *ppr = w_child (p, "pPr");
  const xmlNode *child;
  int style_level = -1;

  *list = FALSE;
  if (ppr != NULL)
    {
      child = w_child (ppr, "pStyle");
      if (child != NULL)
        style_props (w->styles, docent_xml_attr (child, "val"), &style_level, list);
      child = w_child (ppr, "outlineLvl");
      if (child != NULL && level_from_outline (docent_xml_attr (child, "val")) >= 0)
        style_level = level_from_outline (docent_xml_attr (child, "val"));
      *list = *list || numbering_on (ppr);
    }
  else
    {
      style_props (w->styles, "Normal", &style_level, list);
    }
  *level = MAX (style_level, 0);
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

  if (docent_xml_in_ns (node, MC_NS))
    return strcmp ((const char *) node->name, "Fallback") == 0;
  if (!in_w_ns (node))
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
  type = docent_xml_attr (node, "type");
  return type != NULL && strcmp (type, "normal") != 0;
}

static void
emit_text_children (DocxWalk      *w,
                    const xmlNode *node)
{
  g_autofree char *text = docent_xml_child_text (node);

  docent_xml_flow_append (w->flow, text, -1);
}

static DocentXmlStep
enter (xmlNode  *node,
       gpointer  user_data)
{
  DocxWalk *w = user_data;
  DocentXmlFlow *flow = w->flow;

  if (node->type != XML_ELEMENT_NODE || skipped (node) || is_special_note (node))
    return DOCENT_XML_SKIP;

  if ((docent_xml_in_ns (node, M_NS) || docent_xml_in_ns (node, M_NS_STRICT)) &&
      strcmp ((const char *) node->name, "t") == 0)
    {
      emit_text_children (w, node);
      return DOCENT_XML_SKIP;
    }
  if (!in_w_ns (node))
    return DOCENT_XML_ENTER;

  if (is_w (node, "t"))
    {
      emit_text_children (w, node);
      return DOCENT_XML_SKIP;
    }
  if (is_w (node, "p"))
    {
      guint level;
      gboolean list;

      paragraph_props (w, node, &level, &list);
      docent_xml_flow_enter_paragraph (flow, level, list);
    }
  else if (is_w (node, "tab") || is_w (node, "ptab"))
    docent_xml_flow_append (flow, " ", 1);
  else if (is_w (node, "br") || is_w (node, "cr"))
    docent_xml_flow_break (flow);
  else if (is_w (node, "noBreakHyphen"))
    docent_xml_flow_append (flow, "-", 1);
  else if (is_w (node, "tbl"))
    docent_xml_flow_enter_table (flow);
  else if (is_w (node, "tr"))
    docent_xml_flow_enter_row (flow);
  else if (is_w (node, "tc"))
    docent_xml_flow_enter_cell (flow);
  return DOCENT_XML_ENTER;
}

/* Stops the walk once a limit is passed. */
static gboolean
leave (xmlNode  *node,
       gpointer  user_data)
{
  DocxWalk *w = user_data;

  if (is_w (node, "p"))
    docent_xml_flow_leave_paragraph (w->flow);
  else if (is_w (node, "tbl"))
    docent_xml_flow_leave_table (w->flow);
  else if (is_w (node, "tr"))
    docent_xml_flow_leave_row (w->flow);
  return w->flow->error == NULL;
}

/* Footnotes or endnotes, after the body. FALSE once flow->error is set. */
static gboolean
walk_notes (DocxWalk   *w,
            DocentZip  *zip,
            const char *name)
{
  xmlDoc *notes = docent_xml_read_optional_part (zip, name, &w->flow->error);
  gboolean ok;

  if (notes == NULL)
    return w->flow->error == NULL;
  docent_xml_flow_end_block (w->flow);
  ok = docent_xml_walk (xmlDocGetRootElement (notes), enter, leave, w);
  xmlFreeDoc (notes);
  return ok;
}

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
core_title (xmlDoc *core)
{
  const xmlNode *title;

  if (core == NULL)
    return NULL;
  title = docent_xml_child (xmlDocGetRootElement (core), DC_NS, "title");
  return title != NULL ? docent_xml_child_text (title) : NULL;
}

DocentExtracted *
docent_extract_docx (DocentZip                  *zip,
                     const DocentExtractOptions *opts,
                     GError                    **error)
{
  g_autoptr(DocentExtracted) doc = docent_extracted_new ("docx");
  g_auto(DocxParts) parts = { 0 };
  g_auto(DocentXmlFlow) flow = { 0 };
  g_autoptr(GHashTable) styles = NULL;
  g_autofree char *title = NULL;
  GError *local = NULL;
  DocxWalk w;
  xmlDoc *xdoc;
  gboolean ok;

  if (!find_parts (zip, &parts, error))
    return NULL;

  xdoc = docent_xml_read_optional_part (zip, parts.core, &local);
  title = core_title (xdoc);
  g_clear_pointer (&xdoc, xmlFreeDoc);
  if (local == NULL)
    xdoc = docent_xml_read_optional_part (zip, parts.styles, &local);
  styles = load_styles (xdoc);
  g_clear_pointer (&xdoc, xmlFreeDoc);
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return NULL;
    }

  docent_xml_flow_init (&flow, doc, opts);
  w.flow = &flow;
  w.styles = styles;
  xdoc = docent_xml_read_part (zip, parts.main, "DOCX", error);
  if (xdoc == NULL)
    return NULL;
  ok = docent_xml_walk (xmlDocGetRootElement (xdoc), enter, leave, &w);
  xmlFreeDoc (xdoc);
  if (ok && walk_notes (&w, zip, parts.footnotes))
    walk_notes (&w, zip, parts.endnotes);
  if (!docent_xml_flow_finish (&flow, title, error))
    return NULL;
  return g_steal_pointer (&doc);
}
