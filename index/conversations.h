/* conversations.h — questions and answers kept in the library: a
 * conversation is a titled list of turns, each with the question, the
 * answer and its citations (JSON written by the caller). */
#pragma once

#include "index/store.h"

G_BEGIN_DECLS

typedef struct {
  gint64 id;
  char *title;
  gint64 created, updated;     /* seconds since the epoch */
  guint n_turns;
} DocentConversation;

typedef struct {
  guint ordinal;               /* 0-based */
  char *question;
  char *answer;                /* may be NULL (not answered) */
  char *citations;             /* JSON, may be NULL */
  gint64 created;
} DocentTurn;

void        docent_conversation_free (DocentConversation *conversation);
void        docent_turn_free         (DocentTurn         *turn);

/* A new conversation (title: its first question, shortened). */
gint64      docent_store_new_conversation    (DocentStore  *store,
                                              const char   *title,
                                              GError      **error);
/* Appends a turn; NOT_FOUND when there is no such conversation. */
gint64      docent_store_add_turn            (DocentStore  *store,
                                              gint64        conversation_id,
                                              const char   *question,
                                              const char   *answer,
                                              const char   *citations_json,
                                              GError      **error);
/* The turns in order (DocentTurn*); NOT_FOUND when there is none. */
GPtrArray  *docent_store_conversation_turns  (DocentStore  *store,
                                              gint64        conversation_id,
                                              GError      **error);
/* Newest first (DocentConversation*). */
GPtrArray  *docent_store_list_conversations  (DocentStore  *store,
                                              GError      **error);
gboolean    docent_store_rename_conversation (DocentStore  *store,
                                              gint64        conversation_id,
                                              const char   *title,
                                              GError      **error);
gboolean    docent_store_delete_conversation (DocentStore  *store,
                                              gint64        conversation_id,
                                              GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DocentConversation, docent_conversation_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DocentTurn, docent_turn_free)

G_END_DECLS
