/* markdown.h — Markdown files: headings, paragraphs, lists, with the markup
 * removed from the text (links keep their label, emphasis its words). */
#pragma once

#include "ingest/extract.h"

G_BEGIN_DECLS

/* True when UTF-8 text looks like Markdown, judged on its first 64 KiB: an
 * ATX heading ("# Title") in a text that is not mostly '#' comment lines,
 * or at least two distinct signs among setext underlines, fences, links,
 * list items, emphasis, inline code, block quotes and table rules. */
gboolean         docent_text_looks_like_markdown (const char *text,
                                                  gsize       len);

/* `data` is UTF-8 (docent_extract decodes other encodings first). List
 * items, table rows (cells joined with " | ") and code lines become lines;
 * YAML front matter is skipped. The title is the front matter's title, else
 * the first level-1 heading, else the first heading. */
DocentExtracted *docent_extract_markdown (const char                 *data,
                                          gsize                       len,
                                          const DocentExtractOptions *opts,
                                          GError                    **error);

G_END_DECLS
