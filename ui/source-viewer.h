/* source-viewer.h — DocentSourceViewer: one page of a document with the
 * cited or found passage highlighted. PDFs are rendered with Poppler from
 * the file (zoom, page navigation, sharp at any scale factor); other
 * formats show the page's stored text. */
#pragma once

#include <adwaita.h>

#include "app/page-view.h"

G_BEGIN_DECLS

#define DOCENT_TYPE_SOURCE_VIEWER (docent_source_viewer_get_type ())
G_DECLARE_FINAL_TYPE (DocentSourceViewer, docent_source_viewer, DOCENT, SOURCE_VIEWER, GtkWidget)

GtkWidget *docent_source_viewer_new      (void);
/* Shows `view` (copied) and scrolls its highlight into view. */
void       docent_source_viewer_show     (DocentSourceViewer    *self,
                                          const DocentPageView  *view);
void       docent_source_viewer_clear    (DocentSourceViewer    *self);
/* For tests and the window title: what is shown. */
gint64     docent_source_viewer_get_document_id  (DocentSourceViewer *self);
guint      docent_source_viewer_get_page         (DocentSourceViewer *self);
/* Highlight rectangles drawn on the page (PDF) or 1 when the text view
 * has its passage highlighted, 0 without a highlight. */
guint      docent_source_viewer_get_n_highlights (DocentSourceViewer *self);
/* "pdf" (the page rendered from the file), "text" (the stored text) or
 * "empty" (nothing shown). */
const char *docent_source_viewer_get_mode        (DocentSourceViewer *self);
/* FALSE while the shown PDF page is still being rendered. */
gboolean   docent_source_viewer_is_ready         (DocentSourceViewer *self);
/* Logical pixels per PDF point. */
double     docent_source_viewer_get_zoom         (DocentSourceViewer *self);

/* Actions (on the widget): viewer.previous-page, viewer.next-page,
 * viewer.zoom-in, viewer.zoom-out, viewer.zoom-fit, viewer.open-external,
 * viewer.close. */

/* Signals:
 *  "page-requested" (gint64 document_id, guint page_no): the person moved
 *      to another page; the owner fetches its DocentPageView and calls
 *      docent_source_viewer_show().
 *  "close-requested" (): the close button was clicked. */

G_END_DECLS
