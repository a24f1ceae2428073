/* document.h — the extracted form of one file: pages of UTF-8 text with
 * structure (paragraphs, headings) and, for PDFs, one box per character.
 *
 * Every extractor (PDF, HTML, DOCX, ...) produces a DocentExtracted and the
 * chunker consumes it; nothing downstream knows which format it came from.
 *
 * Text conventions, which the chunker relies on:
 *  - page text is valid UTF-8 without NUL or other C0 controls except '\n';
 *  - paragraphs (blocks) are separated by a blank line ("\n\n");
 *  - a single '\n' is a line break inside a block (list item, table row,
 *    wrapped PDF line);
 *  - headings are blocks of their own, also listed in `headings`.
 * Offsets in DocentHeading are byte offsets into the page text. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  gsize start;  /* byte offset of the heading text in the page text */
  gsize end;    /* exclusive */
  guint level;  /* 1 = top level ... 6 */
} DocentHeading;

/* A character's box on a PDF page (or an image), in PDF points, origin
 * top-left. */
typedef struct {
  float x1, y1, x2, y2;
} DocentBox;

typedef struct {
  guint page_no;       /* 1-based */
  GString *text;
  GArray *headings;    /* of DocentHeading, in order */
  GArray *boxes;       /* of DocentBox, one per character (code point) of
                        * text; NULL for formats without a page layout */
  double width;        /* page size in points (PDF; images: pixels at the
                        * image's resolution, 300 dpi when it has none),
                        * 0 otherwise */
  double height;
  gboolean ocr;        /* the text and boxes came from OCR */
  double ocr_confidence;  /* OCR's mean word confidence, 0-100, weighted by
                           * characters; 0 when not OCR */
} DocentPage;

typedef struct {
  char *type;          /* "pdf", "html", "text", "markdown", "docx", "odt", "epub" */
  char *title;         /* may be NULL */
  GPtrArray *pages;    /* of DocentPage*, owned */
  guint ocr_skipped;   /* PDF pages that needed OCR but did not get it
                        * (switched off, or not in this build): their text
                        * is missing or unusable */
} DocentExtracted;

DocentExtracted *docent_extracted_new          (const char *type);
void             docent_extracted_free         (DocentExtracted *doc);
DocentPage      *docent_extracted_add_page     (DocentExtracted *doc);
/* A page outside any document (for building one before swapping it in). */
DocentPage      *docent_page_new               (guint            page_no);
void             docent_page_free              (DocentPage      *page);
void             docent_extracted_set_title    (DocentExtracted *doc,
                                                const char      *title);
/* Total characters of text over all pages, and whether any page has text. */
gsize            docent_extracted_text_length  (const DocentExtracted *doc);
gboolean         docent_extracted_is_empty     (const DocentExtracted *doc);
/* Drops trailing empty pages of formats without real pages (keeps at least
 * one page) so a document is never reported with phantom pages. */
void             docent_extracted_trim         (DocentExtracted *doc);

/* Builder helpers for extractors that produce text as a stream of blocks
 * (everything but PDF). They keep the text conventions above: whitespace
 * runs inside a block collapse to one space, blocks are separated by
 * exactly one blank line, control characters are dropped. */
void docent_page_append_text   (DocentPage *page,
                                const char *text,
                                gssize      len);
void docent_page_line_break    (DocentPage *page);
void docent_page_end_block     (DocentPage *page);
void docent_page_add_heading   (DocentPage *page,
                                const char *text,
                                gssize      len,
                                guint       level);
/* Removes trailing whitespace so pages do not end in "\n\n". */
void docent_page_finish        (DocentPage *page);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DocentExtracted, docent_extracted_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DocentPage, docent_page_free)

G_END_DECLS
