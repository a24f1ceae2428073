/* extract.h — turning the bytes of one file into a DocentExtracted.
 *
 * docent_extract() detects the format from the content (detect.h) and calls
 * the format's extractor. Every extractor obeys the same limits and reports
 * failures in DOCENT_INGEST_ERROR with a message a person can act on
 * ("encrypted PDF: a password is needed"), never crashing on hostile input. */
#pragma once

#include <gio/gio.h>

#include "ingest/document.h"

G_BEGIN_DECLS

#define DOCENT_INGEST_ERROR (docent_ingest_error_quark ())
GQuark docent_ingest_error_quark (void);

typedef enum {
  DOCENT_INGEST_ERROR_UNSUPPORTED,  /* not a format Docent reads */
  DOCENT_INGEST_ERROR_CORRUPT,      /* the format is known, the file is broken */
  DOCENT_INGEST_ERROR_ENCRYPTED,    /* needs a (different) password */
  DOCENT_INGEST_ERROR_EMPTY,        /* readable, but no text at all */
  DOCENT_INGEST_ERROR_TOO_LARGE,    /* over one of the limits below */
  DOCENT_INGEST_ERROR_OCR,          /* needs OCR, which is off, not in this
                                     * build, or missing its language data */
} DocentIngestError;

/* When pictures of text (scanned PDF pages, images) are read by OCR. */
typedef enum {
  DOCENT_OCR_AUTO,  /* PDF pages without usable text, and images (default) */
  DOCENT_OCR_OFF,   /* never: such PDF pages stay empty, images fail */
} DocentOcrMode;

/* Called on the extracting thread after each page of a PDF or an image
 * (`ocr`: the page's text came from OCR, which takes a second or more). */
typedef void (*DocentPageProgressFunc) (guint    page_no,
                                        guint    n_pages,
                                        gboolean ocr,
                                        gpointer user_data);

typedef struct {
  const char *password;        /* for encrypted PDFs; NULL for none */
  guint64 max_text_bytes;      /* extracted text per document */
  guint max_pages;             /* pages per document */
  guint64 max_unpacked_bytes;  /* total bytes inflated from a zip container */
  GCancellable *cancellable;   /* checked between pages / entries, and
                                * by OCR between words */
  DocentOcrMode ocr;           /* AUTO */
  const char *ocr_languages;   /* tesseract's names joined by '+', first the
                                * main one: "eng+deu"; NULL means "eng" */
  DocentPageProgressFunc page_progress;  /* NULL for none */
  gpointer page_progress_data;
} DocentExtractOptions;

/* Prepares the parsers' global state; call once from the main thread
 * before extracting on worker threads (docent_extract calls it too). */
void docent_extract_init (void);

/* What a program returns from main(): `status`, unless a PDF extraction it
 * gave up on (a per-file timeout, a cancel) is still running inside
 * Poppler — then the process ends here with `status` without running
 * exit handlers, which would tear Poppler down under that thread. */
int  docent_extract_exit_status (int status);

/* Fills opts with the defaults (64 MiB text, 10000 pages, 512 MiB unpacked,
 * OCR on when needed, in English). */
void docent_extract_options_init (DocentExtractOptions *opts);

/* A NULL opts means the defaults. */
DocentExtracted *docent_extract (GBytes                     *data,
                                 const DocentExtractOptions *opts,
                                 GError                    **error);

/* Shared by the extractors: reports a finished page to opts->page_progress. */
void docent_extract_page_done (const DocentExtractOptions *opts,
                               guint                       page_no,
                               guint                       n_pages,
                               gboolean                    ocr);

/* Shared by the extractors: fails with TOO_LARGE once the document's text
 * passes opts->max_text_bytes, and with G_IO_ERROR_CANCELLED when cancelled. */
gboolean docent_extract_check_limits (const DocentExtracted      *doc,
                                      const DocentExtractOptions *opts,
                                      GError                    **error);

G_END_DECLS
