/* odt.c — text of OpenDocument text files (.odt, .ott).
 *
 * office:body/office:text of content.xml is walked without recursion.
 * text:p is a block, text:h a heading of its text:outline-level; paragraphs
 * inside lists are lines of one block; each table row is a line with its
 * cells joined by " | ". Footnotes and endnotes (text:note) are taken out
 * of the running text and follow the body as blocks of their own, the same
 * as for DOCX. Deleted text of tracked changes (text:tracked-changes),
 * comments, and index templates are left out. One page: ODT has no fixed
 * pages. */
#include "ingest/odt.h"

#include <string.h>

#include "ingest/xml.h"

#define OFFICE_NS   "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
#define TEXT_NS     "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
#define TABLE_NS    "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
#define SVG_NS      "urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"
#define MANIFEST_NS "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
#define DC_NS       "http://purl.org/dc/elements/1.1/"

typedef struct {
  DocentXmlFlow *flow;       /* para_depth > 1 inside frames anchored in a
                              * paragraph */
  guint list_depth;
  GPtrArray *notes;          /* of xmlNode*, text:note met in the text */
} OdtWalk;

static guint
outline_level (const xmlNode *h)
{
  const char *val = docent_xml_attr (h, "outline-level");
  guint64 n;

  if (val == NULL || !g_ascii_string_to_unsigned (val, 10, 1, G_MAXUINT32, &n, NULL))
    return 1;
  return MIN (n, 6);
}

/* Elements whose content is not running text: deleted text kept for
 * tracked changes, comments, declarations, index templates, the rendered
 * numbers of numbered paragraphs, alternative texts of pictures. */
static gboolean
skipped (const xmlNode *node)
{
  static const char *const text_names[] = {
    "tracked-changes", "number", "note-citation", "sequence-decls",
    "variable-decls", "user-field-decls", "dde-connection-decls",
    "table-of-content-source", "alphabetical-index-source",
    "illustration-index-source", "table-index-source", "object-index-source",
    "user-index-source", "bibliography-source",
  };

  if (docent_xml_in_ns (node, TEXT_NS))
    {
      for (guint i = 0; i < G_N_ELEMENTS (text_names); i++)
        if (strcmp ((const char *) node->name, text_names[i]) == 0)
          return TRUE;
      return FALSE;
    }
  return docent_xml_is (node, OFFICE_NS, "annotation") ||
         docent_xml_is (node, OFFICE_NS, "annotation-end") ||
         docent_xml_is (node, OFFICE_NS, "forms") ||
         docent_xml_is (node, OFFICE_NS, "event-listeners") ||
         docent_xml_is (node, TABLE_NS, "table-columns") ||
         docent_xml_is (node, TABLE_NS, "table-column") ||
         docent_xml_is (node, TABLE_NS, "table-header-columns") ||
         docent_xml_is (node, TABLE_NS, "covered-table-cell") ||
         docent_xml_is (node, SVG_NS, "title") ||
         docent_xml_is (node, SVG_NS, "desc");
}

static gboolean
is_paragraph (const xmlNode *node)
{
  return docent_xml_is (node, TEXT_NS, "p") || docent_xml_is (node, TEXT_NS, "h");
}

static DocentXmlStep
enter (xmlNode  *node,
       gpointer  user_data)
{
  OdtWalk *w = user_data;
  DocentXmlFlow *flow = w->flow;

  if (node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE)
    {
      if (flow->para_depth > 0 && node->content != NULL)
        docent_xml_flow_append (flow, (const char *) node->content, -1);
      return DOCENT_XML_SKIP;
    }
  if (node->type != XML_ELEMENT_NODE || skipped (node))
    return DOCENT_XML_SKIP;

  if (is_paragraph (node))
    {
      gboolean heading = docent_xml_is (node, TEXT_NS, "h");

      docent_xml_flow_enter_paragraph (flow, heading ? outline_level (node) : 0,
                                       w->list_depth > 0);
    }
  else if (docent_xml_is (node, TABLE_NS, "table"))
    docent_xml_flow_enter_table (flow);
  else if (docent_xml_is (node, TABLE_NS, "table-row"))
    docent_xml_flow_enter_row (flow);
  else if (docent_xml_is (node, TABLE_NS, "table-cell"))
    docent_xml_flow_enter_cell (flow);
  else if (docent_xml_is (node, TEXT_NS, "s") || docent_xml_is (node, TEXT_NS, "tab"))
    /* Runs of spaces collapse in the page text, so text:c does not matter. */
    docent_xml_flow_append (flow, " ", 1);
  else if (docent_xml_is (node, TEXT_NS, "line-break"))
    docent_xml_flow_break (flow);
  else if (docent_xml_is (node, TEXT_NS, "note"))
    {
      g_ptr_array_add (w->notes, node);
      return DOCENT_XML_SKIP;
    }
  else if (docent_xml_is (node, TEXT_NS, "list"))
    w->list_depth++;
  return DOCENT_XML_ENTER;
}

/* Stops the walk once a limit is passed. */
static gboolean
leave (xmlNode  *node,
       gpointer  user_data)
{
  OdtWalk *w = user_data;

  if (is_paragraph (node))
    docent_xml_flow_leave_paragraph (w->flow);
  else if (docent_xml_is (node, TEXT_NS, "list"))
    w->list_depth--;
  else if (docent_xml_is (node, TABLE_NS, "table"))
    docent_xml_flow_leave_table (w->flow);
  else if (docent_xml_is (node, TABLE_NS, "table-row"))
    docent_xml_flow_leave_row (w->flow);
  return w->flow->error == NULL;
}

/* Notes may hold notes of their own (not valid ODF, but possible): those
 * join the array while it is being read. */
static gboolean
walk_notes (OdtWalk *w)
{
  for (guint i = 0; i < w->notes->len; i++)
    {
      const xmlNode *body = docent_xml_child (w->notes->pdata[i], TEXT_NS, "note-body");

      if (body == NULL)
        continue;
      docent_xml_flow_end_block (w->flow);
      w->flow->para_depth = w->list_depth = w->flow->table_depth = 0;
      if (!docent_xml_walk ((xmlNode *) body, enter, leave, w))
        return FALSE;
    }
  return TRUE;
}

static char *
meta_title (xmlDoc *meta)
{
  const xmlNode *office_meta, *title;

  if (meta == NULL)
    return NULL;
  office_meta = docent_xml_child (xmlDocGetRootElement (meta), OFFICE_NS, "meta");
  title = office_meta != NULL ? docent_xml_child (office_meta, DC_NS, "title") : NULL;
  return title != NULL ? docent_xml_child_text (title) : NULL;
}

/* A password-protected ODT keeps its zip entries readable but encrypts
 * them itself; the manifest says so. */
static gboolean
content_encrypted (xmlDoc *manifest)
{
  xmlNode *root;

  if (manifest == NULL)
    return FALSE;
  root = xmlDocGetRootElement (manifest);
  for (const xmlNode *entry = root->children; entry != NULL; entry = entry->next)
    {
      const char *path;

      if (!docent_xml_is (entry, MANIFEST_NS, "file-entry"))
        continue;
      path = docent_xml_attr (entry, "full-path");
      if (path != NULL && strcmp (path, "content.xml") == 0 &&
          docent_xml_child (entry, MANIFEST_NS, "encryption-data") != NULL)
        return TRUE;
    }
  return FALSE;
}

static xmlNode *
text_body (xmlDoc *content)
{
  xmlNode *root = xmlDocGetRootElement (content);
  xmlNode *body = (xmlNode *) docent_xml_child (root, OFFICE_NS, "body");
  xmlNode *text;

  if (body == NULL)
    return root;
  text = (xmlNode *) docent_xml_child (body, OFFICE_NS, "text");
  return text != NULL ? text : body;
}

DocentExtracted *
docent_extract_odt (DocentZip                  *zip,
                    const DocentExtractOptions *opts,
                    GError                    **error)
{
  g_autoptr(DocentExtracted) doc = docent_extracted_new ("odt");
  g_autofree char *title = NULL;
  g_auto(DocentXmlFlow) flow = { 0 };
  g_autoptr(GPtrArray) notes = g_ptr_array_new ();
  OdtWalk w = { &flow, 0, notes };
  GError *local = NULL;
  xmlDoc *xdoc;
  gboolean encrypted;

  if (!docent_zip_has (zip, "content.xml"))
    {
      g_set_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_CORRUPT,
                   "damaged ODT: content.xml is missing");
      return NULL;
    }
  xdoc = docent_xml_read_optional_part (zip, "META-INF/manifest.xml", &local);
  encrypted = content_encrypted (xdoc);
  g_clear_pointer (&xdoc, xmlFreeDoc);
  if (local == NULL && encrypted)
    g_set_error (&local, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_ENCRYPTED,
                 "password-protected ODT: save it without a password to add it");
  if (local == NULL)
    {
      xdoc = docent_xml_read_optional_part (zip, "meta.xml", &local);
      title = meta_title (xdoc);
      g_clear_pointer (&xdoc, xmlFreeDoc);
    }
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return NULL;
    }

  xdoc = docent_xml_read_part (zip, "content.xml", "ODT", error);
  if (xdoc == NULL)
    return NULL;

  docent_xml_flow_init (&flow, doc, opts);
  if (docent_xml_walk (text_body (xdoc), enter, leave, &w))
    walk_notes (&w);
  xmlFreeDoc (xdoc);
  if (!docent_xml_flow_finish (&flow, title, error))
    return NULL;
  return g_steal_pointer (&doc);
}
