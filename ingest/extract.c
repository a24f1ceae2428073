/* extract.c — the front door of ingest: bytes in, DocentExtracted out.
 * Picks the extractor by content, decodes text encodings, enforces the
 * limits every format shares and turns "no text at all" into an error. */
#include "ingest/extract.h"

#include <libxml/parser.h>
#include <string.h>

#include "ingest/detect.h"
#include "ingest/docx.h"
#include "ingest/encoding.h"
#include "ingest/epub.h"
#include "ingest/html.h"
#include "ingest/image.h"
#include "ingest/markdown.h"
#include "ingest/ocr.h"
#include "ingest/odt.h"
#include "ingest/pdf.h"
#include "ingest/text.h"
#include "ingest/zip.h"

G_DEFINE_QUARK (docent-ingest-error-quark, docent_ingest_error)

void
docent_extract_options_init (DocentExtractOptions *opts)
{
  *opts = (DocentExtractOptions) {
    .password = NULL,
    .max_text_bytes = 64 * 1024 * 1024,
    .max_pages = 10000,
    .max_unpacked_bytes = 512 * 1024 * 1024,
    .cancellable = NULL,
    .ocr = DOCENT_OCR_AUTO,
    .ocr_languages = NULL,
    .page_progress = NULL,
    .page_progress_data = NULL,
  };
}

void
docent_extract_page_done (const DocentExtractOptions *opts,
                          guint                       page_no,
                          guint                       n_pages,
                          gboolean                    ocr)
{
  if (opts->page_progress != NULL)
    opts->page_progress (page_no, n_pages, ocr, opts->page_progress_data);
}

void
docent_extract_init (void)
{
  static gsize initialised;

  /* libxml2 2.9 sets up its globals lazily, which is not safe when the
   * first parses happen on several worker threads at once. */
  if (g_once_init_enter (&initialised))
    {
      xmlInitParser ();
      g_once_init_leave (&initialised, 1);
    }
}

gboolean
docent_extract_check_limits (const DocentExtracted      *doc,
                             const DocentExtractOptions *opts,
                             GError                    **error)
{
  if (g_cancellable_set_error_if_cancelled (opts->cancellable, error))
    return FALSE;
  if (opts->max_pages > 0 && doc->pages->len > opts->max_pages)
    {
      g_set_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_TOO_LARGE,
                   "more than %u pages", opts->max_pages);
      return FALSE;
    }
  if (opts->max_text_bytes > 0 &&
      docent_extracted_text_length (doc) > opts->max_text_bytes)
    {
      g_set_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_TOO_LARGE,
                   "more than %" G_GUINT64_FORMAT " MiB of text",
                   opts->max_text_bytes / (1024 * 1024));
      return FALSE;
    }
  return TRUE;
}

/* Office encrypts a DOCX by wrapping it in an OLE file with this stream;
 * anything else in OLE is a pre-2007 binary format. */
static void
explain_ole (GBytes  *data,
             GError **error)
{
  static const char stream[] = "E\0n\0c\0r\0y\0p\0t\0e\0d\0P\0a\0c\0k\0a\0g\0e\0";
  gsize len;
  const char *raw = g_bytes_get_data (data, &len);

  if (memmem (raw, len, stream, sizeof stream - 1) != NULL)
    g_set_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_ENCRYPTED,
                 "password-protected Office document: remove the password "
                 "(or save an unprotected copy) and add it again");
  else
    g_set_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_UNSUPPORTED,
                 "unsupported file type: an old Microsoft Office format (.doc, .xls, "
                 ".ppt); save it as DOCX, ODT or PDF");
}

static DocentExtracted *
extract_text_like (GBytes                     *data,
                   const DocentExtractOptions *opts,
                   GError                    **error)
{
  gsize len = 0;
  g_autofree char *utf8 = NULL;
  const char *raw = g_bytes_get_data (data, &len);

  if (opts->max_text_bytes > 0 && len > opts->max_text_bytes)
    {
      g_set_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_TOO_LARGE,
                   "text file larger than %" G_GUINT64_FORMAT " MiB",
                   opts->max_text_bytes / (1024 * 1024));
      return NULL;
    }
  utf8 = docent_decode_text (raw, len, NULL, &len);
  if (utf8 == NULL)
    {
      g_set_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_CORRUPT,
                   "cannot decode the text");
      return NULL;
    }
  /* A UTF-16 file can only be recognised as HTML once decoded. */
  if (docent_detect_format ((const guint8 *) utf8, len) == DOCENT_FORMAT_HTML)
    return docent_extract_html (utf8, len, opts, error);
  if (docent_text_looks_like_markdown (utf8, len))
    return docent_extract_markdown (utf8, len, opts, error);
  return docent_extract_text (utf8, len, opts, error);
}

static DocentExtracted *
extract_zip (GBytes                     *data,
             DocentFormat                format,
             const DocentExtractOptions *opts,
             GError                    **error)
{
  g_autoptr(DocentZip) zip = docent_zip_open (data, opts->max_unpacked_bytes, error);

  if (zip == NULL)
    return NULL;
  switch (format)
    {
    case DOCENT_FORMAT_DOCX: return docent_extract_docx (zip, opts, error);
    case DOCENT_FORMAT_ODT: return docent_extract_odt (zip, opts, error);
    case DOCENT_FORMAT_EPUB: return docent_extract_epub (zip, opts, error);
    default: g_assert_not_reached ();
    }
}

static DocentExtracted *
extract_by_format (GBytes                     *data,
                   DocentFormat                format,
                   const DocentExtractOptions *opts,
                   GError                    **error)
{
  gsize len = 0;
  const char *raw = g_bytes_get_data (data, &len);

  switch (format)
    {
    case DOCENT_FORMAT_PDF:
      return docent_extract_pdf (data, opts, error);
    case DOCENT_FORMAT_HTML:
      return docent_extract_html (raw, len, opts, error);
    case DOCENT_FORMAT_TEXT:
    case DOCENT_FORMAT_MARKDOWN:
      return extract_text_like (data, opts, error);
    case DOCENT_FORMAT_DOCX:
    case DOCENT_FORMAT_ODT:
    case DOCENT_FORMAT_EPUB:
      return extract_zip (data, format, opts, error);
    case DOCENT_FORMAT_PNG:
    case DOCENT_FORMAT_JPEG:
    case DOCENT_FORMAT_TIFF:
      return docent_extract_image (data, format, opts, error);
    case DOCENT_FORMAT_OLE:
      explain_ole (data, error);
      return NULL;
    case DOCENT_FORMAT_ZIP:
      g_set_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_UNSUPPORTED,
                   "unsupported file type: a zip archive that is not DOCX, ODT or EPUB");
      return NULL;
    case DOCENT_FORMAT_BINARY:
    case DOCENT_FORMAT_UNKNOWN:
    default:
      g_set_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_UNSUPPORTED,
                   "unsupported file type: binary data that is not PDF, HTML, "
                   "text, DOCX, ODT, EPUB or an image (PNG, JPEG, TIFF)");
      return NULL;
    }
}

DocentExtracted *
docent_extract (GBytes                     *data,
                const DocentExtractOptions *opts,
                GError                    **error)
{
  DocentExtractOptions defaults;
  g_autoptr(DocentExtracted) doc = NULL;
  DocentFormat format;
  gsize len = g_bytes_get_size (data);

  if (opts == NULL)
    {
      docent_extract_options_init (&defaults);
      opts = &defaults;
    }
  docent_extract_init ();
  if (len == 0)
    {
      g_set_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_EMPTY,
                   "the file is empty");
      return NULL;
    }

  format = docent_detect_format (g_bytes_get_data (data, NULL), len);
  doc = extract_by_format (data, format, opts, error);
  if (doc == NULL)
    return NULL;
  if (!docent_extract_check_limits (doc, opts, error))
    return NULL;
  docent_extracted_trim (doc);
  if (docent_extracted_is_empty (doc))
    {
      if (doc->ocr_skipped > 0)
        docent_ocr_set_unavailable_error (opts, "this PDF", error);
      else
        g_set_error_literal (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_EMPTY,
                             format == DOCENT_FORMAT_PDF
                               ? "no text found (a scanned PDF without a text layer?)"
                               : docent_format_is_image (format)
                               ? "no text found: OCR read nothing in the image"
                               : "no text found");
      return NULL;
    }
  return g_steal_pointer (&doc);
}
