/* text.h — plain text files: one page, paragraphs at blank lines. */
#pragma once

#include "ingest/extract.h"

G_BEGIN_DECLS

/* `data` is UTF-8 (docent_extract decodes other encodings first). */
DocentExtracted *docent_extract_text (const char                 *data,
                                      gsize                       len,
                                      const DocentExtractOptions *opts,
                                      GError                    **error);

G_END_DECLS
