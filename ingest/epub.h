/* epub.h — EPUB books: each spine chapter is a page. */
#pragma once

#include "ingest/zip.h"

G_BEGIN_DECLS

DocentExtracted *docent_extract_epub (DocentZip                  *zip,
                                      const DocentExtractOptions *opts,
                                      GError                    **error);

G_END_DECLS
