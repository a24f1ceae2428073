/* docx.h — Word documents (Office Open XML). */
#pragma once

#include "ingest/zip.h"

G_BEGIN_DECLS

DocentExtracted *docent_extract_docx (DocentZip                  *zip,
                                      const DocentExtractOptions *opts,
                                      GError                    **error);

G_END_DECLS
