/* ocr.h — text from pictures of pages: tesseract through its C API, for PDF
 * pages without usable text (pdf.c) and for images (image.c).
 *
 * A page read by OCR looks exactly like a born-digital PDF page
 * (document.h): tesseract's blocks and paragraphs are separated by a blank
 * line, its lines by '\n' and its words by a space; a short paragraph of
 * much taller letters than the page's body is a heading of its own; and
 * every character has a DocentBox in the page's units (the picture is
 * assumed to cover the whole page), so layout.h highlights OCR'd text the
 * same way. Characters of one word share the word's top and bottom, and a
 * space spans the gap between its two words, so a highlighted phrase
 * becomes one rectangle per line.
 *
 * Engines: one TessBaseAPI per thread that uses OCR (tesseract's engine
 * must not be used by two threads at once), created on first use with the
 * requested languages, kept for that thread's life and freed when it ends
 * (or by docent_ocr_thread_cleanup). While it recognises a page, OpenMP
 * parallelism is switched off on the calling thread (Debian's tesseract
 * would otherwise start up to four OpenMP threads per page on top of
 * ingest's one worker per core), which is what OMP_THREAD_LIMIT=1 does for
 * the command-line program, without touching the process environment or
 * other OpenMP users (FAISS) on other threads.
 *
 * Without tesseract at build time (meson -Docr=disabled, or not installed)
 * docent_ocr_available() is FALSE and docent_ocr_page() fails with
 * DOCENT_INGEST_ERROR_OCR. */
#pragma once

#include "ingest/extract.h"

G_BEGIN_DECLS

/* Is OCR in this build? (Its language data is only checked on first use.) */
gboolean docent_ocr_available (void);

typedef enum {
  DOCENT_TEXT_USABLE,
  DOCENT_TEXT_SPARSE,   /* fewer than DOCENT_OCR_MIN_LETTERS letters */
  DOCENT_TEXT_GARBAGE,  /* mostly not words: more than 10% replacement,
                         * private-use, unassigned or control characters,
                         * or fewer than half the characters letters and
                         * digits (runs of one punctuation character, dot
                         * leaders, count once) */
} DocentTextQuality;

#define DOCENT_OCR_MIN_LETTERS 20

/* How usable a page's text is; *n_letters (may be NULL) gets its letters. */
DocentTextQuality docent_text_quality (const char *text,
                                       gssize      len,
                                       guint      *n_letters);

/* A grayscale picture of a whole page: 8 bits a pixel, 0 black. */
typedef struct {
  const guint8 *pixels;
  guint width, height;   /* pixels */
  gsize stride;          /* bytes from one row to the next */
  double dpi;            /* pixels per inch; 0 when unknown (tesseract then
                          * estimates it from the size of the text) */
} DocentGrayImage;

/* Nothing on it: fewer than a handful of pixels darker than mid-gray. */
gboolean docent_gray_image_is_blank (const DocentGrayImage *image);

/* Reads `image` into `page`, replacing its text, headings and boxes, and
 * sets page->ocr and page->ocr_confidence. page->width and page->height
 * must be set: the boxes are in those units. Uses opts->ocr_languages
 * (NULL: "eng") and opts->cancellable (checked between words). Errors:
 * DOCENT_INGEST_ERROR_OCR (no OCR in this build, bad or missing language
 * data, tesseract failed), G_IO_ERROR_CANCELLED. opts->ocr is not looked
 * at: deciding whether to OCR is the caller's. */
gboolean docent_ocr_page (const DocentGrayImage      *image,
                          const DocentExtractOptions *opts,
                          DocentPage                 *page,
                          GError                    **error);

/* The error for a file that needs OCR when it cannot run: "<what> has no
 * text layer and OCR is not available in this build" (or "is turned off"
 * when opts->ocr is DOCENT_OCR_OFF). */
void docent_ocr_set_unavailable_error (const DocentExtractOptions *opts,
                                       const char                 *what,
                                       GError                    **error);

/* Frees the calling thread's engine now (it is also freed when the thread
 * ends); the next docent_ocr_page on this thread creates a new one. */
void docent_ocr_thread_cleanup (void);

G_END_DECLS
