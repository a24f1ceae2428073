/* odt.h — OpenDocument text documents. */
#pragma once

#include "ingest/zip.h"

G_BEGIN_DECLS

DocentExtracted *docent_extract_odt  (DocentZip                  *zip,
                                      const DocentExtractOptions *opts,
                                      GError                    **error);

G_END_DECLS
