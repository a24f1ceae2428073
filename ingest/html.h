/* html.h — HTML and XHTML pages, parsed with libxml2 without any network. */
#pragma once

#include <libxml/tree.h>

#include "ingest/extract.h"

G_BEGIN_DECLS

/* `data` is the page's bytes in any encoding: a BOM wins, then the charset
 * the page declares (<meta charset>, http-equiv Content-Type, the XML
 * declaration) unless the bytes are valid UTF-8 with non-ASCII text, then
 * UTF-8, then Windows-1252. The title is the page's <title>, else its first
 * h1. A page without text gives an empty document, not an error, except
 * when libxml2 stopped at its depth limit (a page over 256 levels deep whose
 * end tags do not match, too costly to parse without it): TOO_LARGE. */
DocentExtracted *docent_extract_html (const char                 *data,
                                      gsize                       len,
                                      const DocentExtractOptions *opts,
                                      GError                    **error);

/* Appends the readable text of an (X)HTML tree to `doc`, starting a new page
 * when `new_page` is set (or when `doc` has none). Used for EPUB chapters as
 * well: element names compare by local name, case-insensitively. Skips
 * script, style, nav, aside, template, head, svg, math, form controls,
 * embedded objects and hidden elements (hidden, aria-hidden="true",
 * display:none; unless hiding them would leave no text at all); headings become DocentHeadings; list items and table rows
 * become lines (cells joined with " | "). Leaves doc->title alone (the
 * caller knows better: an EPUB's package title). Fails only on the limits
 * of `opts` (NULL: the defaults). Iterative: any nesting depth is safe. */
gboolean docent_html_append_tree (DocentExtracted            *doc,
                                  xmlNode                    *root,
                                  gboolean                    new_page,
                                  const DocentExtractOptions *opts,
                                  GError                    **error);

G_END_DECLS
