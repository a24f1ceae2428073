/* search-view.h — DocentSearchView: passages ranked for a query, with
 * their document, page and a snippet; activating one opens it. */
#pragma once

#include <adwaita.h>

#include "ui/library-service.h"

G_BEGIN_DECLS

#define DOCENT_TYPE_SEARCH_VIEW (docent_search_view_get_type ())
G_DECLARE_FINAL_TYPE (DocentSearchView, docent_search_view, DOCENT, SEARCH_VIEW, GtkWidget)

GtkWidget *docent_search_view_new   (DocentLibraryService *service);
/* Searches for `query` as if typed. */
void       docent_search_view_search (DocentSearchView    *self,
                                      const char          *query);
/* Limits the results to a collection (NULL: all). */
void       docent_search_view_set_collection (DocentSearchView *self,
                                              const char       *collection);
void       docent_search_view_focus_entry (DocentSearchView *self);
/* For tests: the results shown, and activating the n-th (0-based). */
guint      docent_search_view_get_n_results (DocentSearchView *self);
gboolean   docent_search_view_activate_result (DocentSearchView *self,
                                               guint             index);

/* Signals:
 *  "hit-activated" (gint64 document_id, guint page_no, guint char_start,
 *      guint char_end): open the passage in the viewer.
 *  "searched" (): results (or an error) are shown. */

G_END_DECLS
