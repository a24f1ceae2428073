/* image.h — images as documents: PNG, JPEG and TIFF (every page of a
 * multi-page TIFF) decoded by leptonica and read by OCR (ocr.h).
 *
 * Each picture is one DocentPage whose width and height are the picture's
 * size in points at its stated resolution (300 dpi when it states none or
 * an implausible one) and whose boxes are never NULL, so the viewer can
 * highlight on it as on a PDF page.
 *
 * Errors: OCR (OCR off or not in this build: "this image has no text layer
 * and OCR is ..."; language data missing), CORRUPT ("damaged PNG image"),
 * TOO_LARGE (pages, or a picture over 20,000 pixels a side or 100 million
 * pixels, checked from the header before anything is decoded; pictures
 * over 40 million pixels are scaled down for OCR),
 * G_IO_ERROR_CANCELLED (between pages, and between words). */
#pragma once

#include "ingest/detect.h"
#include "ingest/extract.h"

G_BEGIN_DECLS

DocentExtracted *docent_extract_image (GBytes                     *data,
                                       DocentFormat                format,
                                       const DocentExtractOptions *opts,
                                       GError                    **error);

G_END_DECLS
