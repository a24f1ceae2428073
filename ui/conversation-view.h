/* conversation-view.h — DocentConversationView: the question entry and the
 * turns of one conversation, answers streamed as they are written, their
 * citations as chips that open the source and their sources listed below. */
#pragma once

#include <adwaita.h>

#include "ui/library-service.h"

G_BEGIN_DECLS

#define DOCENT_TYPE_CONVERSATION_VIEW (docent_conversation_view_get_type ())
G_DECLARE_FINAL_TYPE (DocentConversationView, docent_conversation_view, DOCENT, CONVERSATION_VIEW, GtkWidget)

GtkWidget *docent_conversation_view_new   (DocentLibraryService   *service);
/* Empties the view; the next question starts a new conversation. */
void       docent_conversation_view_reset (DocentConversationView *self);
/* Shows a stored conversation; the next question continues it. */
void       docent_conversation_view_load  (DocentConversationView *self,
                                           gint64                  conversation_id);
gint64     docent_conversation_view_get_conversation_id (DocentConversationView *self);
/* Sends `question` as if typed and Enter pressed (the win.ask action). */
void       docent_conversation_view_ask   (DocentConversationView *self,
                                           const char             *question);
/* Stops the answer being generated. */
void       docent_conversation_view_stop  (DocentConversationView *self);
gboolean   docent_conversation_view_get_busy (DocentConversationView *self);
/* Where questions look: everything (NULL, 0), a collection, or one document
 * (which is then offered and chosen in the selector). */
void       docent_conversation_view_set_scope (DocentConversationView *self,
                                               const char             *collection,
                                               gint64                  document_id,
                                               const char             *document_title);
/* The documents selected in the library: offered in the scope selector
 * ("This document: …" or "The 3 selected documents"), and used when the
 * person chooses that entry. */
void       docent_conversation_view_set_selection (DocentConversationView *self,
                                                   const gint64           *ids,
                                                   guint                   n_ids,
                                                   const char             *first_title);
void       docent_conversation_view_set_collections (DocentConversationView *self,
                                                     const char *const      *collections);
/* Puts the keyboard focus in the question entry. */
void       docent_conversation_view_focus_entry (DocentConversationView *self);

/* For tests: the last answer's text (without markers' markup), how many
 * citation chips it shows, and activating the chip of [n] (as a click). */
const char *docent_conversation_view_get_last_answer (DocentConversationView *self);
guint       docent_conversation_view_get_n_chips     (DocentConversationView *self);
gboolean    docent_conversation_view_activate_citation (DocentConversationView *self,
                                                        guint                   n);

/* Properties: "busy" (gboolean), "conversation-id" (gint64).
 * Signals:
 *  "citation-activated" (gint64 document_id, guint page_no, const char *quote):
 *      a citation chip or a listed source was clicked; the window opens
 *      the viewer on it.
 *  "conversations-changed" (): a conversation was created or grew. */

G_END_DECLS
