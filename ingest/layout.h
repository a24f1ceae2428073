/* layout.h — the stored form of a PDF page's character boxes and the way
 * back from a character span to rectangles to highlight.
 *
 * Encoding (little endian): magic "DL1", then per character four uint16
 * x1, y1, x2, y2 in units of 1/65535 of the page width/height. 8 bytes a
 * character keeps a 3000-character page at 24 KB, precise to 0.01 pt. */
#pragma once

#include "ingest/document.h"

G_BEGIN_DECLS

GBytes *docent_layout_encode (const GArray *boxes,   /* of DocentBox */
                              double        width,
                              double        height);

/* The rectangles covering characters [char_start, char_end) of the page,
 * merged per line (adjacent boxes on the same baseline become one), in
 * points: a GArray of DocentBox, in text order, empty for a span without
 * ink. Characters without area (line breaks) are skipped and the span is
 * clamped to the characters the blob has. Returns NULL with a
 * DOCENT_INGEST_ERROR_CORRUPT error for a damaged blob. */
GArray *docent_layout_rects  (GBytes  *layout,
                              double   width,
                              double   height,
                              guint    char_start,
                              guint    char_end,
                              GError **error);

G_END_DECLS
