/* xml.c — the libxml2 groundwork of the XML-based extractors: DOCX, ODT
 * and EPUB parse their parts here (strictly, offline, with an error a
 * person can read), walk trees with the iterative walkers here (HTML too),
 * and DOCX and ODT, whose documents are made of the same paragraphs,
 * lists and tables, share the flow that turns those into page text.
 *
 * Nothing here recurses: hostile nesting costs no stack. */
#include "ingest/xml.h"

#include <libxml/parser.h>
#include <string.h>

/* How many paragraphs pass between two checks of the limits. */
#define CHECK_EVERY 512

/* --- parsing ------------------------------------------------------------ */

xmlDoc *
docent_xml_parse (const char           *data,
                  gsize                 len,
                  const char           *format,
                  const char           *name,
                  DocentXmlParseFlags   flags,
                  GError              **error)
{
  /* No NOENT and no DTDLOAD: entities are never expanded or fetched. */
  int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                XML_PARSE_COMPACT;
  xmlParserCtxt *ctxt;
  xmlDoc *xdoc;

  if (len > G_MAXINT)
    {
      g_set_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_TOO_LARGE,
                   "%s part %s is larger than 2 GiB", format, name);
      return NULL;
    }
  if (flags & DOCENT_XML_PARSE_RECOVER)
    options |= XML_PARSE_RECOVER;
  ctxt = xmlNewParserCtxt ();
  if (ctxt == NULL)
    g_error ("out of memory");
  xdoc = xmlCtxtReadMemory (ctxt, data, (int) len, name, NULL, options);
  if (xdoc == NULL || xmlDocGetRootElement (xdoc) == NULL)
    {
      const xmlError *err = xmlCtxtGetLastError (ctxt);
      /* libxml2 quotes names from the input as they are: any bytes. */
      g_autofree char *reason = g_utf8_make_valid (err != NULL && err->message != NULL
                                                     ? err->message : "no root element", -1);

      g_set_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_CORRUPT,
                   "damaged %s: %s is not well-formed XML (line %d: %s)",
                   format, name, err != NULL ? err->line : 0, g_strstrip (reason));
      g_clear_pointer (&xdoc, xmlFreeDoc);
    }
  xmlFreeParserCtxt (ctxt);
  return xdoc;
}

static xmlDoc *
parse_bytes (GBytes      *bytes,
             const char  *format,
             const char  *name,
             GError     **error)
{
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);

  return docent_xml_parse (data, len, format, name, DOCENT_XML_PARSE_STRICT, error);
}

xmlDoc *
docent_xml_read_part (DocentZip   *zip,
                      const char  *name,
                      const char  *format,
                      GError     **error)
{
  g_autoptr(GBytes) bytes = docent_zip_read (zip, name, error);

  if (bytes == NULL)
    return NULL;
  return parse_bytes (bytes, format, name, error);
}

xmlDoc *
docent_xml_read_optional_part (DocentZip   *zip,
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
  /* A broken optional part is as good as a missing one: no message. */
  return parse_bytes (bytes, "XML", name, NULL);
}

char *
docent_xml_resolve_path (const char *base_dir,
                         const char *href)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new ();
  g_autofree char *joined = NULL;
  g_auto(GStrv) segments = NULL;
  g_autofree char *valid = NULL;

  /* %-decoded hrefs can be any bytes; zip names (zip.c) and messages are
   * valid UTF-8, made so the same way. */
  valid = g_utf8_make_valid (href, -1);
  if (valid[0] == '/')
    joined = g_strdup (valid + 1);
  else
    joined = g_strconcat (base_dir, valid, NULL);
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

/* --- nodes -------------------------------------------------------------- */

gboolean
docent_xml_in_ns (const xmlNode *node,
                  const char    *ns)
{
  return node->ns != NULL && node->ns->href != NULL &&
         strcmp ((const char *) node->ns->href, ns) == 0;
}

gboolean
docent_xml_is (const xmlNode *node,
               const char    *ns,
               const char    *name)
{
  return node != NULL && node->type == XML_ELEMENT_NODE &&
         strcmp ((const char *) node->name, name) == 0 &&
         (ns == NULL || docent_xml_in_ns (node, ns));
}

const xmlNode *
docent_xml_child (const xmlNode *node,
                  const char    *ns,
                  const char    *name)
{
  for (const xmlNode *c = node->children; c != NULL; c = c->next)
    if (docent_xml_is (c, ns, name))
      return c;
  return NULL;
}

const char *
docent_xml_attr (const xmlNode *node,
                 const char    *name)
{
  for (const xmlAttr *a = node->properties; a != NULL; a = a->next)
    if (strcmp ((const char *) a->name, name) == 0 &&
        a->children != NULL && a->children->type == XML_TEXT_NODE)
      return (const char *) a->children->content;
  return NULL;
}

char *
docent_xml_child_text (const xmlNode *node)
{
  GString *text = g_string_new (NULL);

  for (const xmlNode *c = node->children; c != NULL; c = c->next)
    if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) &&
        c->content != NULL)
      g_string_append (text, (const char *) c->content);
  return g_string_free (text, FALSE);
}

/* --- walking ------------------------------------------------------------ */

xmlNode *
docent_xml_next (xmlNode  *node,
                 xmlNode  *root,
                 gboolean  descend)
{
  if (descend && node->type == XML_ELEMENT_NODE && node->children != NULL)
    return node->children;
  while (node != root)
    {
      if (node->next != NULL)
        return node->next;
      node = node->parent;
    }
  return NULL;
}

gboolean
docent_xml_walk (xmlNode            *root,
                 DocentXmlEnterFunc  enter,
                 DocentXmlLeaveFunc  leave,
                 gpointer            user_data)
{
  xmlNode *node = root;

  for (;;)
    {
      DocentXmlStep step = enter (node, user_data);

      if (step == DOCENT_XML_STOP)
        return FALSE;
      if (step == DOCENT_XML_ENTER && node->children != NULL &&
          node->type != XML_ENTITY_REF_NODE)
        {
          node = node->children;
          continue;
        }
      /* Leave this node, if it was entered, and every ancestor whose last
       * child it was: those were all entered. */
      for (;;)
        {
          if (step == DOCENT_XML_ENTER && leave != NULL && !leave (node, user_data))
            return FALSE;
          if (node == root)
            return TRUE;
          if (node->next != NULL)
            {
              node = node->next;
              break;
            }
          node = node->parent;
          step = DOCENT_XML_ENTER;
        }
    }
}

/* --- word-processor flow ------------------------------------------------ */

void
docent_xml_flow_init (DocentXmlFlow              *flow,
                      DocentExtracted            *doc,
                      const DocentExtractOptions *opts)
{
  memset (flow, 0, sizeof *flow);
  flow->doc = doc;
  flow->opts = opts;
  flow->page = docent_extracted_add_page (doc);
}

void
docent_xml_flow_clear (DocentXmlFlow *flow)
{
  if (flow->heading != NULL)
    g_string_free (g_steal_pointer (&flow->heading), TRUE);
  g_clear_error (&flow->error);
}

void
docent_xml_flow_append (DocentXmlFlow *flow,
                        const char    *text,
                        gssize         len)
{
  if (flow->heading != NULL)
    g_string_append_len (flow->heading, text, len);
  else
    docent_page_append_text (flow->page, text, len);
}

void
docent_xml_flow_break (DocentXmlFlow *flow)
{
  if (flow->heading != NULL)
    g_string_append_c (flow->heading, ' ');
  else
    docent_page_line_break (flow->page);
}

void
docent_xml_flow_end_block (DocentXmlFlow *flow)
{
  docent_page_end_block (flow->page);
  flow->in_list = FALSE;
}

/* A row of empty cells would only leave "| |" in the text. */
static void
drop_empty_row (DocentXmlFlow *flow)
{
  GString *text = flow->page->text;

  if (flow->heading != NULL || flow->row_start > text->len)
    return;
  for (gsize i = flow->row_start; i < text->len; i++)
    if (text->str[i] != ' ' && text->str[i] != '|')
      return;
  g_string_truncate (text, flow->row_start);
}

static void
begin_paragraph (DocentXmlFlow *flow,
                 guint          level,
                 gboolean       list)
{
  flow->para_list = FALSE;
  if (level > 0)
    {
      flow->heading = g_string_new (NULL);
      flow->heading_level = level;
      flow->in_list = FALSE;
    }
  else if (list)
    {
      /* Consecutive list items are lines of one block. */
      if (!flow->in_list)
        docent_xml_flow_end_block (flow);
      flow->in_list = TRUE;
      flow->para_list = TRUE;
    }
  else
    {
      docent_xml_flow_end_block (flow);
    }
}

void
docent_xml_flow_enter_paragraph (DocentXmlFlow *flow,
                                 guint          level,
                                 gboolean       list)
{
  if (flow->table_depth > 0)
    docent_xml_flow_append (flow, " ", 1);
  else if (flow->para_depth > 0)
    docent_xml_flow_break (flow);
  else
    begin_paragraph (flow, level, list);
  flow->para_depth++;
}

void
docent_xml_flow_leave_paragraph (DocentXmlFlow *flow)
{
  flow->para_depth--;
  if (flow->table_depth > 0)
    return;
  if (flow->para_depth > 0)
    {
      docent_xml_flow_break (flow);
      return;
    }

  if (flow->heading != NULL)
    {
      docent_page_add_heading (flow->page, flow->heading->str, flow->heading->len,
                               flow->heading_level);
      g_string_free (g_steal_pointer (&flow->heading), TRUE);
    }
  else if (flow->para_list)
    docent_page_line_break (flow->page);
  else
    docent_xml_flow_end_block (flow);

  if (++flow->paragraphs % CHECK_EVERY == 0)
    docent_extract_check_limits (flow->doc, flow->opts, &flow->error);
}

/* A table starts and ends a block of its own, or a line inside the
 * paragraph that holds it. */
static void
table_boundary (DocentXmlFlow *flow)
{
  if (flow->para_depth == 0)
    docent_xml_flow_end_block (flow);
  else
    docent_xml_flow_break (flow);
}

void
docent_xml_flow_enter_table (DocentXmlFlow *flow)
{
  if (++flow->table_depth == 1)
    table_boundary (flow);
}

void
docent_xml_flow_leave_table (DocentXmlFlow *flow)
{
  if (--flow->table_depth == 0)
    table_boundary (flow);
}

/* Rows of nested tables are only words of the outer table's cell. */
void
docent_xml_flow_enter_row (DocentXmlFlow *flow)
{
  if (flow->table_depth == 1)
    {
      docent_xml_flow_break (flow);
      flow->row_start = flow->page->text->len;
    }
  else
    docent_xml_flow_append (flow, " ", 1);
  flow->first_cell = TRUE;
}

void
docent_xml_flow_leave_row (DocentXmlFlow *flow)
{
  if (flow->table_depth != 1)
    return;
  drop_empty_row (flow);
  docent_xml_flow_break (flow);
}

void
docent_xml_flow_enter_cell (DocentXmlFlow *flow)
{
  if (flow->table_depth == 1 && !flow->first_cell)
    docent_xml_flow_append (flow, " | ", 3);
  else
    docent_xml_flow_append (flow, " ", 1);
  flow->first_cell = FALSE;
}

gboolean
docent_xml_flow_finish (DocentXmlFlow  *flow,
                        const char     *title,
                        GError        **error)
{
  if (flow->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&flow->error));
      return FALSE;
    }
  docent_page_finish (flow->page);
  docent_xml_set_title (flow->doc, title);
  return TRUE;
}

/* --- titles ------------------------------------------------------------- */

void
docent_xml_set_title (DocentExtracted *doc,
                      const char      *title)
{
  docent_extracted_set_title (doc, title);
  if (doc->title != NULL)
    return;
  for (guint i = 0; i < doc->pages->len; i++)
    {
      const DocentPage *page = doc->pages->pdata[i];

      if (page->headings->len > 0)
        {
          const DocentHeading *h = &g_array_index (page->headings, DocentHeading, 0);
          g_autofree char *heading = g_strndup (page->text->str + h->start,
                                                h->end - h->start);

          docent_extracted_set_title (doc, heading);
          return;
        }
    }
}
