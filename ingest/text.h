/* text.h — plain text files: one page, paragraphs at blank lines. */
#pragma once

#include "ingest/extract.h"

G_BEGIN_DECLS

/* `data` is UTF-8 (docent_extract decodes other encodings first). Wrapped
 * prose lines are joined; list items and runs of short lines stay lines;
 * underlined lines and lone ALL CAPS lines become headings. The title is the
 * first heading, else the first line when it is at most 100 characters. */
DocentExtracted *docent_extract_text (const char                 *data,
                                      gsize                       len,
                                      const DocentExtractOptions *opts,
                                      GError                    **error);

G_END_DECLS
