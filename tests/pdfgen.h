/* pdfgen.h — PDFs for the tests, drawn with cairo (and, for the encrypted
 * one, encrypted by our own code with the PDF standard security handler). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Writes an A4 PDF with one page per entry of `pages`. In a page's text,
 * "\n\n" separates paragraphs and a paragraph starting with "# " is drawn as
 * a heading (bold, 18 pt; body text is 11 pt). Text is word-wrapped to the
 * page width; text that does not fit continues on an extra page, so pass
 * page texts short enough (~350 words) when page numbers matter. `title`
 * (may be NULL) goes in the document metadata. */
gboolean docent_test_write_pdf           (const char        *path,
                                          const char        *title,
                                          const char *const *pages,
                                          guint              n_pages,
                                          GError           **error);

/* One A4 page with two text columns side by side (each word-wrapped in
 * its column, 215 pt wide, the same paragraph rules as above), left
 * column first in reading order. Text past the bottom is not drawn. */
gboolean docent_test_write_pdf_columns   (const char        *path,
                                          const char        *left,
                                          const char        *right,
                                          GError           **error);

/* A one-page PDF whose content is encrypted (RC4, standard security
 * handler) with the user password `password`: Poppler cannot open it
 * without that password. `text` is drawn in Helvetica 12 pt from the top
 * left, in Latin-1 (other characters become '?'), wrapped at spaces every
 * ~80 characters. */
gboolean docent_test_write_pdf_encrypted (const char        *path,
                                          const char        *password,
                                          const char        *text,
                                          GError           **error);

G_END_DECLS
