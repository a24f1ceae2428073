/* detect.h — which format a file is, from its bytes alone. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  DOCENT_FORMAT_UNKNOWN,
  DOCENT_FORMAT_PDF,
  DOCENT_FORMAT_HTML,
  DOCENT_FORMAT_TEXT,
  DOCENT_FORMAT_MARKDOWN,
  DOCENT_FORMAT_DOCX,
  DOCENT_FORMAT_ODT,
  DOCENT_FORMAT_EPUB,
  DOCENT_FORMAT_ZIP,      /* a zip that is none of the above */
  DOCENT_FORMAT_OLE,      /* an OLE compound file: old Office formats, or
                           * a password-protected DOCX */
  DOCENT_FORMAT_BINARY,   /* some other binary file (executable, ...) */
  DOCENT_FORMAT_PNG,      /* images: read by OCR (image.h) */
  DOCENT_FORMAT_JPEG,
  DOCENT_FORMAT_TIFF,     /* classic TIFF, one or more pages */
} DocentFormat;

DocentFormat docent_detect_format (const guint8 *data,
                                   gsize         len);
/* Images: PNG, JPEG, TIFF. */
gboolean     docent_format_is_image (DocentFormat format);
/* "pdf", "html", ... as stored in documents.type. */
const char  *docent_format_name   (DocentFormat format);

G_END_DECLS
