/* conversation-list.h — DocentConversationList: the stored conversations,
 * newest first, with rename and delete in each row's menu. */
#pragma once

#include <adwaita.h>

#include "ui/library-service.h"

G_BEGIN_DECLS

#define DOCENT_TYPE_CONVERSATION_LIST (docent_conversation_list_get_type ())
G_DECLARE_FINAL_TYPE (DocentConversationList, docent_conversation_list, DOCENT, CONVERSATION_LIST, GtkWidget)

GtkWidget *docent_conversation_list_new    (DocentLibraryService   *service);
/* Fetches the list again (after a question was answered). */
void       docent_conversation_list_reload (DocentConversationList *self);
/* Marks the row of `conversation_id` (0: none) as the current one. */
void       docent_conversation_list_select (DocentConversationList *self,
                                            gint64                  conversation_id);
guint      docent_conversation_list_get_n_items (DocentConversationList *self);

/* Signals:
 *  "conversation-activated" (gint64 id): a row was clicked.
 *  "conversation-deleted" (gint64 id): it was deleted (the window resets
 *      the conversation view when it showed it). */

G_END_DECLS
