/* xml.h — what the XML-based extractors share: the strict, offline libxml2
 * parse of a zip part with a readable error, the iterative tree walks,
 * element, attribute and text look-ups, package path resolution, and the
 * paragraph/list/table flow of word-processor documents (DOCX, ODT).
 * Used by docx.c, odt.c, epub.c and, for the tree walk, html.c. */
#pragma once

#include <libxml/tree.h>

#include "ingest/zip.h"

G_BEGIN_DECLS

/* --- parsing ------------------------------------------------------------ */

typedef enum {
  DOCENT_XML_PARSE_STRICT = 0,
  DOCENT_XML_PARSE_RECOVER = 1 << 0,  /* libxml2's recovery from errors */
} DocentXmlParseFlags;

/* Parses `len` bytes of XML without ever expanding or fetching entities or
 * touching the network. A document without a root element is an error:
 * CORRUPT "damaged FORMAT: NAME is not well-formed XML (line N: reason)",
 * or TOO_LARGE past 2 GiB (libxml2 takes an int). `format` ("DOCX") and
 * `name` (the part's name in the package) only serve the messages. */
xmlDoc     *docent_xml_parse              (const char           *data,
                                           gsize                 len,
                                           const char           *format,
                                           const char           *name,
                                           DocentXmlParseFlags   flags,
                                           GError              **error);
/* Reads and strictly parses the part `name` of `zip`; fails as
 * docent_zip_read() or docent_xml_parse() do. */
xmlDoc     *docent_xml_read_part          (DocentZip            *zip,
                                           const char           *name,
                                           const char           *format,
                                           GError              **error);
/* The same for a part the document can do without: NULL with no error
 * when `name` is NULL, missing, damaged or not well-formed; only a budget
 * or encryption error is reported. */
xmlDoc     *docent_xml_read_optional_part (DocentZip            *zip,
                                           const char           *name,
                                           GError              **error);

/* Joins `href` to the folder `base_dir` of a package ("" or ending in '/'),
 * dropping "." and empty segments and resolving ".." without ever leaving
 * the package; a leading '/' starts from its root. The result is valid
 * UTF-8 (invalid bytes of `href` become U+FFFD, as in zip entry names). */
char       *docent_xml_resolve_path       (const char           *base_dir,
                                           const char           *href);

/* --- nodes -------------------------------------------------------------- */

/* Whether `node` is in the namespace `ns` (a URI). */
gboolean       docent_xml_in_ns      (const xmlNode *node,
                                      const char    *ns);
/* Whether `node` (may be NULL) is the element `name` (a local name) in the
 * namespace `ns`, or in any namespace when `ns` is NULL. */
gboolean       docent_xml_is         (const xmlNode *node,
                                      const char    *ns,
                                      const char    *name);
/* The first child element of `node` that docent_xml_is() `ns`, `name`. */
const xmlNode *docent_xml_child      (const xmlNode *node,
                                      const char    *ns,
                                      const char    *name);
/* An attribute's value by local name, whatever its namespace (w:val and
 * plain Target alike); NULL when absent or not plain text. */
const char    *docent_xml_attr       (const xmlNode *node,
                                      const char    *name);
/* The text and CDATA children of `node`, concatenated (newly allocated). */
char          *docent_xml_child_text (const xmlNode *node);

/* --- walking ------------------------------------------------------------ */

/* The node after `node` in a depth-first, pre-order walk of `root` that
 * goes into the children of `node` only when `descend` is set (and `node`
 * is an element), or NULL once `root` is done. Walks over parent pointers,
 * so any nesting depth costs no stack:
 *   for (n = root; n != NULL; n = docent_xml_next (n, root, TRUE)) */
xmlNode *docent_xml_next (xmlNode  *node,
                          xmlNode  *root,
                          gboolean  descend);

typedef enum {
  DOCENT_XML_SKIP,   /* not into its children, and no leave call */
  DOCENT_XML_ENTER,  /* walk its children, then call leave */
  DOCENT_XML_STOP,   /* end the walk: docent_xml_walk() returns FALSE */
} DocentXmlStep;

typedef DocentXmlStep (*DocentXmlEnterFunc) (xmlNode  *node,
                                             gpointer  user_data);
/* Returns FALSE to end the walk (docent_xml_walk() then returns FALSE). */
typedef gboolean      (*DocentXmlLeaveFunc) (xmlNode  *node,
                                             gpointer  user_data);

/* Depth-first over `root` and its descendants, without recursion: `enter`
 * on the way down decides about each node; `leave` (may be NULL) follows
 * the children of every node entered. Entity references are never
 * entered: their children belong to the entity declaration. Returns TRUE
 * once `root` has been left. */
gboolean docent_xml_walk (xmlNode            *root,
                          DocentXmlEnterFunc  enter,
                          DocentXmlLeaveFunc  leave,
                          gpointer            user_data);

/* --- word-processor flow ------------------------------------------------ */

/* The running text of a word-processor document going into one page:
 * paragraphs become blocks, headings DocentHeadings, list paragraphs
 * lines of one block, and each row of a table (at its outermost level) a
 * line with its cells joined by " | ". Paragraphs nested in other ones
 * (text boxes, frames) become lines of theirs, paragraphs of table cells
 * words of the row. The format's walk says where things start and end. */
typedef struct {
  DocentExtracted *doc;
  DocentPage *page;
  const DocentExtractOptions *opts;
  GString *heading;            /* set while inside a heading paragraph */
  guint heading_level;
  guint para_depth;            /* > 1 inside text boxes and frames */
  gboolean para_list;          /* the open paragraph is a list item */
  gboolean in_list;            /* the page's last block is a list */
  guint table_depth;
  gboolean first_cell;
  gsize row_start;             /* where the open table row began */
  guint paragraphs;
  GError *error;               /* set once a limit of `opts` is passed */
} DocentXmlFlow;

/* Starts the flow on a new page of `doc`. */
void     docent_xml_flow_init            (DocentXmlFlow              *flow,
                                          DocentExtracted            *doc,
                                          const DocentExtractOptions *opts);
void     docent_xml_flow_clear           (DocentXmlFlow              *flow);

void     docent_xml_flow_end_block       (DocentXmlFlow *flow);
/* Text and line breaks go to the open heading when there is one. */
void     docent_xml_flow_append          (DocentXmlFlow *flow,
                                          const char    *text,
                                          gssize         len);
void     docent_xml_flow_break           (DocentXmlFlow *flow);

/* A paragraph: a heading of `level` when it is above 0, else a list item
 * when `list` is set; both only matter for top-level paragraphs. Every
 * 512 paragraphs, leaving one checks the limits into flow->error. */
void     docent_xml_flow_enter_paragraph (DocentXmlFlow *flow,
                                          guint          level,
                                          gboolean       list);
void     docent_xml_flow_leave_paragraph (DocentXmlFlow *flow);
void     docent_xml_flow_enter_table     (DocentXmlFlow *flow);
void     docent_xml_flow_leave_table     (DocentXmlFlow *flow);
void     docent_xml_flow_enter_row       (DocentXmlFlow *flow);
void     docent_xml_flow_leave_row       (DocentXmlFlow *flow);
void     docent_xml_flow_enter_cell      (DocentXmlFlow *flow);

/* Once the walks are done: fails with flow->error when a limit was passed,
 * else finishes the page and sets the title as docent_xml_set_title()
 * does. */
gboolean docent_xml_flow_finish          (DocentXmlFlow  *flow,
                                          const char     *title,
                                          GError        **error);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (DocentXmlFlow, docent_xml_flow_clear)

/* --- titles ------------------------------------------------------------- */

/* Sets doc->title to `title` (the document's metadata), or when that is
 * NULL or blank, to the first heading of the first page that has one. */
void     docent_xml_set_title            (DocentExtracted *doc,
                                          const char      *title);

G_END_DECLS
