/* library-sidebar.h — DocentLibrarySidebar: the documents of the library,
 * by collection, with their status, a filter, the progress of indexing
 * and a menu per document (open, show in folder, re-index, remove, move
 * to a collection). */
#pragma once

#include <adwaita.h>

#include "ui/library-service.h"

G_BEGIN_DECLS

#define DOCENT_TYPE_LIBRARY_SIDEBAR (docent_library_sidebar_get_type ())
G_DECLARE_FINAL_TYPE (DocentLibrarySidebar, docent_library_sidebar, DOCENT, LIBRARY_SIDEBAR, GtkWidget)

GtkWidget  *docent_library_sidebar_new    (DocentLibraryService *service);
/* Fetches the documents and collections again. */
void        docent_library_sidebar_reload (DocentLibrarySidebar *self);
/* The collection chosen in the sidebar, or NULL for all documents. */
const char *docent_library_sidebar_get_collection (DocentLibrarySidebar *self);
/* Documents listed (after the filter), for tests and the window. */
guint       docent_library_sidebar_get_n_documents (DocentLibrarySidebar *self);
/* Puts the keyboard focus in the filter entry. */
void        docent_library_sidebar_focus_filter (DocentLibrarySidebar *self);

/* Signals:
 *  "collection-changed" (const char *collection): the collection chosen
 *      (NULL: all documents); questions and searches look only in it.
 *  "selection-changed" (GArray *document_ids, const char *first_title): the
 *      selected documents (gint64, borrowed), which questions may be
 *      limited to.
 *  "document-activated" (gint64 document_id): a row was activated (the
 *      window opens the document's first page in the viewer). */

G_END_DECLS
