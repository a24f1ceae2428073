/* markdown.h — Markdown files: headings, paragraphs, lists, with the markup
 * removed from the text (links keep their label, emphasis its words). */
#pragma once

#include "ingest/extract.h"

G_BEGIN_DECLS

/* True when UTF-8 text looks like Markdown (ATX/setext headings, fences,
 * lists with links, ...), used by format detection. */
gboolean         docent_text_looks_like_markdown (const char *text,
                                                  gsize       len);

/* `data` is UTF-8 (docent_extract decodes other encodings first). */
DocentExtracted *docent_extract_markdown (const char                 *data,
                                          gsize                       len,
                                          const DocentExtractOptions *opts,
                                          GError                    **error);

G_END_DECLS
