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

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <string.h>

#define OFFICE_NS   "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
#define TEXT_NS     "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
#define TABLE_NS    "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
#define SVG_NS      "urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"
#define MANIFEST_NS "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
#define DC_NS       "http://purl.org/dc/elements/1.1/"

/* How many paragraphs pass between two checks of the limits. */
#define CHECK_EVERY 512

typedef struct {
  DocentExtracted *doc;
  DocentPage *page;
  const DocentExtractOptions *opts;
  GString *heading;          /* set while inside a text:h */
  guint heading_level;
  guint para_depth;          /* > 1 inside frames anchored in a paragraph */
  gboolean para_list;        /* the open paragraph is a list item */
  gboolean in_list;          /* the page's last block is a list */
  guint list_depth;
  guint table_depth;
  gboolean first_cell;
  gsize row_start;                 /* where the open table row began */
  GPtrArray *notes;          /* of xmlNode*, text:note met in the text */
  guint paragraphs;
  GError *error;
} OdtWalk;

static gboolean
is (const xmlNode *node,
    const char    *ns,
    const char    *name)
{
  return node->type == XML_ELEMENT_NODE && node->ns != NULL &&
         node->ns->href != NULL &&
         strcmp ((const char *) node->name, name) == 0 &&
         strcmp ((const char *) node->ns->href, ns) == 0;
}

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
child (const xmlNode *node,
       const char    *ns,
       const char    *name)
{
  for (const xmlNode *c = node->children; c != NULL; c = c->next)
    if (is (c, ns, name))
      return c;
  return NULL;
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
                   "ODT part %s is larger than 2 GiB", name);
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
                   "damaged ODT: %s is not well-formed XML (line %d: %s)",
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

  if (!docent_zip_has (zip, name))
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

static void
emit_text (OdtWalk    *w,
           const char *text,
           gssize      len)
{
  if (w->heading != NULL)
    g_string_append_len (w->heading, text, len);
  else
    docent_page_append_text (w->page, text, len);
}

static void
emit_break (OdtWalk *w)
{
  if (w->heading != NULL)
    g_string_append_c (w->heading, ' ');
  else
    docent_page_line_break (w->page);
}

static void
end_block (OdtWalk *w)
{
  docent_page_end_block (w->page);
  w->in_list = FALSE;
}

static guint
outline_level (const xmlNode *h)
{
  const char *val = attr (h, "outline-level");
  guint64 n;

  if (val == NULL || !g_ascii_string_to_unsigned (val, 10, 1, G_MAXUINT32, &n, NULL))
    return 1;
  return MIN (n, 6);
}

/* A row of empty cells would only leave "| |" in the text. */
static void
drop_empty_row (OdtWalk *w)
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
begin_paragraph (OdtWalk       *w,
                 const xmlNode *p)
{
  w->para_list = FALSE;
  if (is (p, TEXT_NS, "h"))
    {
      w->heading = g_string_new (NULL);
      w->heading_level = outline_level (p);
      w->in_list = FALSE;
    }
  else if (w->list_depth > 0)
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
end_paragraph (OdtWalk *w)
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
  const char *href;

  if (node->ns == NULL || node->ns->href == NULL)
    return FALSE;
  href = (const char *) node->ns->href;
  if (strcmp (href, TEXT_NS) == 0)
    {
      for (guint i = 0; i < G_N_ELEMENTS (text_names); i++)
        if (strcmp ((const char *) node->name, text_names[i]) == 0)
          return TRUE;
      return FALSE;
    }
  return is (node, OFFICE_NS, "annotation") ||
         is (node, OFFICE_NS, "annotation-end") ||
         is (node, OFFICE_NS, "forms") ||
         is (node, OFFICE_NS, "event-listeners") ||
         is (node, TABLE_NS, "table-columns") ||
         is (node, TABLE_NS, "table-column") ||
         is (node, TABLE_NS, "table-header-columns") ||
         is (node, TABLE_NS, "covered-table-cell") ||
         is (node, SVG_NS, "title") ||
         is (node, SVG_NS, "desc");
}

/* Returns whether to walk into the node's children. */
static gboolean
enter (OdtWalk *w,
       xmlNode *node)
{
  if (node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE)
    {
      if (w->para_depth > 0 && node->content != NULL)
        emit_text (w, (const char *) node->content, -1);
      return FALSE;
    }
  if (node->type != XML_ELEMENT_NODE || skipped (node))
    return FALSE;

  if (is (node, TEXT_NS, "p") || is (node, TEXT_NS, "h"))
    {
      if (w->table_depth > 0)
        emit_text (w, " ", 1);
      else if (w->para_depth > 0)
        emit_break (w);
      else
        begin_paragraph (w, node);
      w->para_depth++;
    }
  else if (is (node, TEXT_NS, "s") || is (node, TEXT_NS, "tab"))
    /* Runs of spaces collapse in the page text, so text:c does not matter. */
    emit_text (w, " ", 1);
  else if (is (node, TEXT_NS, "line-break"))
    emit_break (w);
  else if (is (node, TEXT_NS, "note"))
    {
      g_ptr_array_add (w->notes, node);
      return FALSE;
    }
  else if (is (node, TEXT_NS, "list"))
    w->list_depth++;
  else if (is (node, TABLE_NS, "table"))
    {
      if (++w->table_depth == 1)
        {
          if (w->para_depth == 0)
            end_block (w);
          else
            emit_break (w);
        }
    }
  else if (is (node, TABLE_NS, "table-row"))
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
  else if (is (node, TABLE_NS, "table-cell"))
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
leave (OdtWalk *w,
       xmlNode *node)
{
  if (node->type != XML_ELEMENT_NODE || skipped (node))
    return;

  if (is (node, TEXT_NS, "p") || is (node, TEXT_NS, "h"))
    {
      w->para_depth--;
      if (w->table_depth > 0)
        return;
      if (w->para_depth > 0)
        emit_break (w);
      else
        end_paragraph (w);
    }
  else if (is (node, TEXT_NS, "list"))
    w->list_depth--;
  else if (is (node, TABLE_NS, "table"))
    {
      if (--w->table_depth == 0)
        {
          if (w->para_depth == 0)
            end_block (w);
          else
            emit_break (w);
        }
    }
  else if (is (node, TABLE_NS, "table-row") && w->table_depth == 1)
    {
      drop_empty_row (w);
      emit_break (w);
    }
}

/* Depth-first over the tree with parent pointers: hostile nesting costs no
 * stack. Entity references are never entered (their children belong to
 * the entity declaration). */
static gboolean
walk (OdtWalk *w,
      xmlNode *root)
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

/* Notes may hold notes of their own (not valid ODF, but possible): those
 * join the array while it is being read. */
static gboolean
walk_notes (OdtWalk *w)
{
  for (guint i = 0; i < w->notes->len; i++)
    {
      const xmlNode *body = child (w->notes->pdata[i], TEXT_NS, "note-body");

      if (body == NULL)
        continue;
      end_block (w);
      w->para_depth = w->list_depth = w->table_depth = 0;
      if (!walk (w, (xmlNode *) body))
        return FALSE;
    }
  return TRUE;
}

static xmlNode *
text_body (xmlDoc *content)
{
  xmlNode *root = xmlDocGetRootElement (content);
  xmlNode *body = (xmlNode *) child (root, OFFICE_NS, "body");
  xmlNode *text;

  if (body == NULL)
    return root;
  text = (xmlNode *) child (body, OFFICE_NS, "text");
  return text != NULL ? text : body;
}

static char *
meta_title (xmlDoc *meta)
{
  const xmlNode *office_meta;

  if (meta == NULL)
    return NULL;
  office_meta = child (xmlDocGetRootElement (meta), OFFICE_NS, "meta");
  if (office_meta == NULL)
    return NULL;
  for (const xmlNode *node = office_meta->children; node != NULL; node = node->next)
    if (is (node, DC_NS, "title"))
      {
        GString *text = g_string_new (NULL);

        for (const xmlNode *c = node->children; c != NULL; c = c->next)
          if (c->type == XML_TEXT_NODE && c->content != NULL)
            g_string_append (text, (const char *) c->content);
        return g_string_free (text, FALSE);
      }
  return NULL;
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

      if (!is (entry, MANIFEST_NS, "file-entry"))
        continue;
      path = attr (entry, "full-path");
      if (path != NULL && strcmp (path, "content.xml") == 0 &&
          child (entry, MANIFEST_NS, "encryption-data") != NULL)
        return TRUE;
    }
  return FALSE;
}

static void
walk_clear (OdtWalk *w)
{
  if (w->heading != NULL)
    g_string_free (w->heading, TRUE);
  g_clear_pointer (&w->notes, g_ptr_array_unref);
  g_clear_error (&w->error);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (OdtWalk, walk_clear)

DocentExtracted *
docent_extract_odt (DocentZip                  *zip,
                    const DocentExtractOptions *opts,
                    GError                    **error)
{
  g_autoptr(DocentExtracted) doc = docent_extracted_new ("odt");
  g_auto(OdtWalk) w = { 0 };
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *title = NULL;
  GError *local = NULL;
  xmlDoc *xdoc;
  gboolean encrypted, ok;

  if (!docent_zip_has (zip, "content.xml"))
    {
      g_set_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_CORRUPT,
                   "damaged ODT: content.xml is missing");
      return NULL;
    }
  xdoc = read_optional_part (zip, "META-INF/manifest.xml", &local);
  encrypted = content_encrypted (xdoc);
  g_clear_pointer (&xdoc, xmlFreeDoc);
  if (local == NULL && encrypted)
    g_set_error (&local, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_ENCRYPTED,
                 "password-protected ODT: save it without a password to add it");
  if (local == NULL)
    {
      xdoc = read_optional_part (zip, "meta.xml", &local);
      title = meta_title (xdoc);
      g_clear_pointer (&xdoc, xmlFreeDoc);
    }
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return NULL;
    }

  bytes = docent_zip_read (zip, "content.xml", error);
  if (bytes == NULL)
    return NULL;
  xdoc = parse_part (bytes, "content.xml", error);
  if (xdoc == NULL)
    return NULL;
  g_clear_pointer (&bytes, g_bytes_unref);

  w.doc = doc;
  w.opts = opts;
  w.page = docent_extracted_add_page (doc);
  w.notes = g_ptr_array_new ();
  ok = walk (&w, text_body (xdoc)) && walk_notes (&w);
  xmlFreeDoc (xdoc);
  if (!ok)
    {
      g_propagate_error (error, g_steal_pointer (&w.error));
      return NULL;
    }
  docent_page_finish (w.page);

  if (title != NULL)
    docent_extracted_set_title (doc, title);
  if (doc->title == NULL && w.page->headings->len > 0)
    {
      const DocentHeading *h = &g_array_index (w.page->headings, DocentHeading, 0);
      g_autofree char *first = g_strndup (w.page->text->str + h->start, h->end - h->start);

      docent_extracted_set_title (doc, first);
    }
  return g_steal_pointer (&doc);
}
