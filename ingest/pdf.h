/* pdf.h — PDF documents through Poppler: text per page in reading order,
 * one box per character, headings from font sizes, title from metadata. */
#pragma once

#include "ingest/extract.h"

G_BEGIN_DECLS

DocentExtracted *docent_extract_pdf (GBytes                     *data,
                                     const DocentExtractOptions *opts,
                                     GError                    **error);

G_END_DECLS
