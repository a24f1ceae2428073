/* html.h — HTML and XHTML pages, parsed with libxml2 without any network. */
#pragma once

#include <libxml/tree.h>

#include "ingest/extract.h"

G_BEGIN_DECLS

DocentExtracted *docent_extract_html (const char                 *data,
                                      gsize                       len,
                                      const DocentExtractOptions *opts,
                                      GError                    **error);

/* Appends the readable text of an (X)HTML tree to `doc`, starting a new page
 * when `new_page` is set. Used for EPUB chapters as well. Skips script,
 * style, nav, aside, template, head; headings become DocentHeadings; list
 * items and table rows become lines. Iterative: any nesting depth is safe. */
gboolean docent_html_append_tree (DocentExtracted            *doc,
                                  xmlNode                    *root,
                                  gboolean                    new_page,
                                  const DocentExtractOptions *opts,
                                  GError                    **error);

G_END_DECLS
