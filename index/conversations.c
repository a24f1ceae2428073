/* conversations.c — the conversations and messages tables. */
#include "index/conversations.h"

#include <sqlite3.h>

#define TITLE_CHARS 80

void
docent_conversation_free (DocentConversation *c)
{
  if (c == NULL)
    return;
  g_free (c->title);
  g_free (c);
}

void
docent_turn_free (DocentTurn *t)
{
  if (t == NULL)
    return;
  g_free (t->question);
  g_free (t->answer);
  g_free (t->citations);
  g_free (t);
}

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static char *
column_text (sqlite3_stmt *stmt,
             int           col)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, col));
}

/* The first line of `text`, at most TITLE_CHARS characters, cut at a word. */
static char *
short_title (const char *text)
{
  g_autofree char *line = g_strndup (text, strcspn (text, "\n"));
  const char *end;

  g_strstrip (line);
  if (g_utf8_strlen (line, -1) <= TITLE_CHARS)
    return g_steal_pointer (&line);
  end = g_utf8_offset_to_pointer (line, TITLE_CHARS);
  for (const char *p = end; p > line + TITLE_CHARS / 2; p--)
    if (*p == ' ')
      {
        end = p;
        break;
      }
  return g_strdup_printf ("%.*s…", (int) (end - line), line);
}

/* Runs a cached statement returning one id ("... RETURNING id"). */
static gint64
step_returning_id (DocentStore   *store,
                   sqlite3_stmt  *stmt,
                   const char    *what,
                   GError       **error)
{
  gint64 id = 0;
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW)
    {
      id = sqlite3_column_int64 (stmt, 0);
      rc = SQLITE_DONE;
    }
  if (!docent_store_finish_rows (store, stmt, rc, what, error))
    return 0;
  return id;
}

gint64
docent_store_new_conversation (DocentStore  *store,
                               const char   *title,
                               GError      **error)
{
  static const char sql[] =
    "INSERT INTO conversations (title, created, updated) VALUES (?1, ?2, ?2) RETURNING id";
  g_autofree char *shortened = short_title (title != NULL ? title : "");
  sqlite3_stmt *stmt = docent_store_statement (store, sql, error);

  if (stmt == NULL)
    return 0;
  sqlite3_bind_text (stmt, 1, shortened, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, now_seconds ());
  return step_returning_id (store, stmt, "cannot start a conversation", error);
}

static void
set_not_found (GError **error,
               gint64   id)
{
  g_set_error (error, DOCENT_STORE_ERROR, DOCENT_STORE_ERROR_NOT_FOUND,
               "no conversation %" G_GINT64_FORMAT, id);
}

gint64
docent_store_add_turn (DocentStore  *store,
                       gint64        conversation_id,
                       const char   *question,
                       const char   *answer,
                       const char   *citations_json,
                       GError      **error)
{
  static const char sql_insert[] =
    "INSERT INTO messages (conversation_id, ordinal, question, answer, citations, created)"
    " SELECT ?1, coalesce(max(ordinal) + 1, 0), ?2, ?3, ?4, ?5 FROM messages"
    "  WHERE conversation_id = ?1"
    " RETURNING id";
  static const char sql_touch[] =
    "UPDATE conversations SET updated = ?2 WHERE id = ?1";
  sqlite3_stmt *stmt;
  gint64 id = 0, now = now_seconds ();

  if (!docent_store_begin (store, error))
    return 0;
  stmt = docent_store_statement (store, sql_touch, error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, conversation_id);
  sqlite3_bind_int64 (stmt, 2, now);
  if (!docent_store_step_done (store, stmt, "cannot store the answer", error))
    goto fail;
  if (sqlite3_changes (docent_store_db (store)) == 0)
    {
      set_not_found (error, conversation_id);
      goto fail;
    }
  stmt = docent_store_statement (store, sql_insert, error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, conversation_id);
  sqlite3_bind_text (stmt, 2, question, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, answer, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, citations_json, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 5, now);
  id = step_returning_id (store, stmt, "cannot store the answer", error);
  if (id == 0 || !docent_store_commit (store, error))
    goto fail;
  return id;

fail:
  docent_store_rollback (store);
  return 0;
}

GPtrArray *
docent_store_conversation_turns (DocentStore  *store,
                                 gint64        conversation_id,
                                 GError      **error)
{
  static const char sql_exists[] = "SELECT 1 FROM conversations WHERE id = ?1";
  static const char sql[] =
    "SELECT ordinal, question, answer, citations, created FROM messages"
    " WHERE conversation_id = ?1 ORDER BY ordinal";
  g_autoptr(GPtrArray) turns = g_ptr_array_new_with_free_func ((GDestroyNotify) docent_turn_free);
  sqlite3_stmt *stmt = docent_store_statement (store, sql_exists, error);
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, conversation_id);
  rc = sqlite3_step (stmt);
  if (!docent_store_finish_rows (store, stmt, rc == SQLITE_ROW ? SQLITE_DONE : rc,
                                 "cannot read the conversation", error))
    return NULL;
  if (rc != SQLITE_ROW)
    {
      set_not_found (error, conversation_id);
      return NULL;
    }
  stmt = docent_store_statement (store, sql, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, conversation_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      DocentTurn *t = g_new0 (DocentTurn, 1);

      t->ordinal = sqlite3_column_int (stmt, 0);
      t->question = column_text (stmt, 1);
      t->answer = column_text (stmt, 2);
      t->citations = column_text (stmt, 3);
      t->created = sqlite3_column_int64 (stmt, 4);
      g_ptr_array_add (turns, t);
    }
  if (!docent_store_finish_rows (store, stmt, rc, "cannot read the conversation", error))
    return NULL;
  return g_steal_pointer (&turns);
}

GPtrArray *
docent_store_list_conversations (DocentStore  *store,
                                 GError      **error)
{
  static const char sql[] =
    "SELECT c.id, c.title, c.created, c.updated,"
    "       (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id)"
    " FROM conversations c ORDER BY c.updated DESC, c.id DESC";
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) docent_conversation_free);
  sqlite3_stmt *stmt = docent_store_statement (store, sql, error);
  int rc;

  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      DocentConversation *c = g_new0 (DocentConversation, 1);

      c->id = sqlite3_column_int64 (stmt, 0);
      c->title = column_text (stmt, 1);
      c->created = sqlite3_column_int64 (stmt, 2);
      c->updated = sqlite3_column_int64 (stmt, 3);
      c->n_turns = sqlite3_column_int (stmt, 4);
      g_ptr_array_add (list, c);
    }
  if (!docent_store_finish_rows (store, stmt, rc, "cannot list conversations", error))
    return NULL;
  return g_steal_pointer (&list);
}

/* Runs a one-row change by conversation id; NOT_FOUND when no row. */
static gboolean
change_conversation (DocentStore  *store,
                     const char   *sql,
                     gint64        id,
                     const char   *text,
                     GError      **error)
{
  sqlite3_stmt *stmt = docent_store_statement (store, sql, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  if (text != NULL)
    sqlite3_bind_text (stmt, 2, text, -1, SQLITE_STATIC);
  if (!docent_store_step_done (store, stmt, "cannot change the conversation", error))
    return FALSE;
  if (sqlite3_changes (docent_store_db (store)) == 0)
    {
      set_not_found (error, id);
      return FALSE;
    }
  return TRUE;
}

gboolean
docent_store_rename_conversation (DocentStore  *store,
                                  gint64        conversation_id,
                                  const char   *title,
                                  GError      **error)
{
  g_autofree char *shortened = short_title (title);

  return change_conversation (store, "UPDATE conversations SET title = ?2 WHERE id = ?1",
                              conversation_id, shortened, error);
}

gboolean
docent_store_delete_conversation (DocentStore  *store,
                                  gint64        conversation_id,
                                  GError      **error)
{
  return change_conversation (store, "DELETE FROM conversations WHERE id = ?1",
                              conversation_id, NULL, error);
}
