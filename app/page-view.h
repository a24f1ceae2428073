/* page-view.h — what a source viewer needs to show one page of a stored
 * document with a passage highlighted: the page's text, its size and the
 * highlighted span, as characters of the text and, for PDFs with a stored
 * layout, as rectangles on the page. Finding a citation's quote in the
 * page text happens here, not in the UI. */
#pragma once

#include "app/library.h"
#include "ingest/document.h"

G_BEGIN_DECLS

typedef struct {
  gint64 document_id;
  guint page_no;             /* 1-based; 0: the first page */
  const char *quote;         /* text to highlight (a citation's quote), or NULL */
  guint char_start;          /* else (or when the quote is not on the page) */
  guint char_end;            /* this span of the page's text, in code
                              * points (a search hit); equal: none */
} DocentPageRequest;

typedef struct {
  gint64 document_id;
  char *path;
  char *title;               /* never NULL (the file name when untitled) */
  char *type;                /* "pdf", "html", ... */
  guint page_no;
  guint n_pages;
  double width, height;      /* points; 0 for formats without pages */
  char *text;                /* the page's stored text */
  gboolean highlighted;      /* the quote or span was found */
  guint highlight_start;     /* code points of `text` */
  guint highlight_end;
  GArray *rects;             /* DocentBox, points, origin top left: the
                              * highlight on the page; empty without a
                              * layout or a highlight */
} DocentPageView;

void            docent_page_view_free   (DocentPageView          *view);
/* A deep copy (rects is never NULL in the copy). */
DocentPageView *docent_page_view_copy   (const DocentPageView    *view);

/* NOT_FOUND (DOCENT_STORE_ERROR) when there is no such document or page. */
DocentPageView *docent_library_page_view (DocentLibrary           *library,
                                          const DocentPageRequest *request,
                                          GError                 **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DocentPageView, docent_page_view_free)

G_END_DECLS
