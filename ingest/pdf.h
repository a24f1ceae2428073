/* pdf.h — PDF documents through Poppler: text per page in reading order,
 * one box per character, headings from font sizes, title from metadata.
 *
 * Every page of the PDF becomes a DocentPage (width and height in points,
 * boxes non-NULL even when the page has no text). Lines of a paragraph are
 * joined by '\n', paragraphs, columns and headings are separated by a
 * blank line; columns are read left before right. Boxes are in points
 * with the origin at the top left; characters Docent adds (blank lines,
 * the space joining the lines of a heading) get an empty box.
 *
 * Pages without usable text (none, or garbage from broken font encodings;
 * see ocr_need() in pdf.c for when a page counts as a scan) are rendered at
 * 300 dpi and read by OCR (ocr.h), unless opts->ocr is DOCENT_OCR_OFF or
 * this build has no OCR; such pages are then counted in doc->ocr_skipped.
 * opts->page_progress is called after each page.
 *
 * Errors: ENCRYPTED ("encrypted PDF: a password is needed" / "...: wrong
 * password"), CORRUPT ("damaged PDF: <Poppler's reason>"), TOO_LARGE
 * (opts->max_pages, checked before any page is read, or
 * opts->max_text_bytes), OCR (language data missing, tesseract failed),
 * G_IO_ERROR_CANCELLED. Safe to call from several threads at once on
 * different data. */
#pragma once

#include "ingest/extract.h"

G_BEGIN_DECLS

DocentExtracted *docent_extract_pdf (GBytes                     *data,
                                     const DocentExtractOptions *opts,
                                     GError                    **error);

G_END_DECLS
