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
/* The conversation shown in row `index` (newest first): id (0 past the
 * end) and title (NULL past the end). */
gint64      docent_conversation_list_get_item_id    (DocentConversationList *self,
                                                     guint                   index);
const char *docent_conversation_list_get_item_title (DocentConversationList *self,
                                                     guint                   index);
/* What the row menu's Rename and Delete do once the dialog is answered
 * (the list reloads when the service is done). */
void        docent_conversation_list_rename (DocentConversationList *self,
                                             gint64                  conversation_id,
                                             const char             *title);
void        docent_conversation_list_delete (DocentConversationList *self,
                                             gint64                  conversation_id);

/* Signals:
 *  "conversation-activated" (gint64 id): a row was clicked.
 *  "conversation-deleted" (gint64 id): it was deleted (the window resets
 *      the conversation view when it showed it). */

G_END_DECLS
