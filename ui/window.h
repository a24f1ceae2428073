/* window.h — DocentWindow: the main window — the library and conversations
 * on the left, the conversation or search in the middle, the source viewer
 * on the right when a citation is opened. */
#pragma once

#include <adwaita.h>

#include "ui/conversation-view.h"
#include "ui/library-service.h"
#include "ui/library-sidebar.h"
#include "ui/search-view.h"
#include "ui/source-viewer.h"

G_BEGIN_DECLS

#define DOCENT_TYPE_WINDOW (docent_window_get_type ())
G_DECLARE_FINAL_TYPE (DocentWindow, docent_window, DOCENT, WINDOW, AdwApplicationWindow)

/* `app` may be NULL (tests). */
DocentWindow *docent_window_new          (GtkApplication       *app,
                                          DocentLibraryService *service);
DocentLibraryService *docent_window_get_service (DocentWindow *self);

/* For tests: what the window shows. The headline is the welcome page's
 * title; the page is "welcome", "ask" or "search". */
const char   *docent_window_get_headline (DocentWindow   *self);
const char   *docent_window_get_page     (DocentWindow   *self);
gboolean      docent_window_get_viewer_visible (DocentWindow *self);
DocentConversationView *docent_window_get_conversation_view (DocentWindow *self);
DocentSearchView       *docent_window_get_search_view       (DocentWindow *self);
DocentSourceViewer     *docent_window_get_source_viewer     (DocentWindow *self);
DocentLibrarySidebar   *docent_window_get_sidebar           (DocentWindow *self);
/* Page views requested and not yet shown (the viewer is settling). */
guint         docent_window_get_pending_views (DocentWindow *self);

/* Actions (win.*): add-files, add-folder, add-paths (as), add-samples,
 * cancel-jobs, new-conversation, open-conversation (x), search (stateful
 * toggle), ask (s), close-viewer. */

G_END_DECLS
