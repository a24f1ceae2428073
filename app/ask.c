/* ask.c — docent_library_ask: retrieval, the refusal decision, answering
 * (extractive, local model or remote server) and keeping the conversation.
 * What the caller's DocentAskOptions leave unset comes from the library's
 * settings (retrieval depth, threads, context, answer length, temperature,
 * the remote server).
 *
 * Everything about how an answer is written lives in the engine
 * (engine/answer.h, engine/backend.h); this file only wires the library's
 * parts to it: which passages, which backend, where the turn is stored. */
#include "app/library.h"
#include "app/library-private.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "engine/remote.h"
#include "index/conversations.h"

/* Tokens kept for the instructions around the sources (system prompt,
 * source headers, the question); the answer's room is its length setting. */
#define PROMPT_ROOM 384
/* Sources for the extractive answerer (estimated tokens). */
#define EXTRACTIVE_BUDGET 3000
/* Earlier turns given to a model: the last two questions and answers. */
#define HISTORY_TURNS 2

static double
ms_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1000.0;
}

/* The options with the settings filled in where the caller left a value
 * unset. Strings are borrowed from the options or the settings. */
typedef struct {
  guint k;
  guint threads;
  guint n_ctx;
  guint max_tokens;
  float temperature;
  const char *remote_url;      /* NULL: no remote server */
  const char *remote_model;
  const char *remote_api_key;
} AskPlan;

/* An explicit model (opts->model) is a request for that local model, so a
 * configured remote server only answers when neither is given. */
static gboolean
make_plan (DocentLibrary           *library,
           const DocentAskOptions  *opts,
           AskPlan                 *plan,
           GError                 **error)
{
  DocentSettings *settings = docent_library_settings (library, error);

  if (settings == NULL)
    return FALSE;
  plan->k = opts->k != 0 ? opts->k : docent_settings_get_retrieval_k (settings);
  plan->threads = docent_settings_get_threads (settings);
  plan->n_ctx = docent_settings_get_context_size (settings);
  plan->max_tokens = docent_settings_get_max_tokens (settings);
  plan->temperature = (float) docent_settings_get_temperature (settings);
  if (opts->remote_url != NULL)
    {
      plan->remote_url = opts->remote_url;
      plan->remote_model = opts->remote_model;
      plan->remote_api_key = opts->remote_api_key;
    }
  else if (opts->model == NULL && docent_settings_remote_in_use (settings) != NULL)
    {
      plan->remote_url = docent_settings_remote_in_use (settings);
      plan->remote_model = docent_settings_get_remote_model (settings);
      plan->remote_api_key = docent_settings_get_remote_api_key (settings);
    }
  return TRUE;
}

/* ---- the conversation so far --------------------------------------------- */

/* (question, answer) pairs of the last turns, for the prompt. */
static GStrv
history_messages (GPtrArray *turns)
{
  GStrvBuilder *b = g_strv_builder_new ();
  GStrv out;

  for (guint i = turns->len > HISTORY_TURNS ? turns->len - HISTORY_TURNS : 0; i < turns->len; i++)
    {
      const DocentTurn *t = g_ptr_array_index (turns, i);
      /* Without its [n] markers: their numbering was for other sources
       * and would mislead the model about this turn's. */
      g_autofree char *answer = docent_answer_strip_citations (t->answer ? t->answer : "");

      g_strv_builder_add_many (b, t->question, answer, NULL);
    }
  out = g_strv_builder_end (b);
  g_strv_builder_unref (b);
  return out;
}

/* A follow-up ("and the second one?") is searched together with the
 * question before it, which names what it refers to. */
static char *
retrieval_query (const char *question,
                 GPtrArray  *turns)
{
  const DocentTurn *last;

  if (turns == NULL || turns->len == 0)
    return g_strdup (question);
  last = g_ptr_array_index (turns, turns->len - 1);
  return g_strconcat (last->question, " ", question, NULL);
}

/* Does the question point back at the previous turn ("when do I get it
 * back?", "and the second one?")? */
static gboolean
refers_back (const char *question)
{
  static const char *const words[] = {
    "it", "its", "that", "this", "these", "those", "they", "them", "their",
    "one", "ones", "he", "she", "him", "her", "there", "same", NULL
  };
  g_autofree char *lower = g_utf8_strdown (question, -1);
  g_auto(GStrv) tokens = g_regex_split_simple ("[^[:alnum:]']+", lower, 0, 0);

  for (guint i = 0; tokens[i] != NULL; i++)
    if (g_strv_contains (words, tokens[i]))
      return TRUE;
  return FALSE;
}

/* A follow-up's own words may be few: it is answerable if it, or it with
 * the previous question, is covered — or, when it refers back, if the
 * previous question was (and was answered). */
static gboolean
should_refuse (const char          *question,
               const char          *query,
               GPtrArray           *turns,
               const DocentPassage *passages,
               guint                n)
{
  const DocentTurn *last;

  if (!docent_answer_should_refuse (question, passages, n) ||
      !docent_answer_should_refuse (query, passages, n))
    return FALSE;
  if (turns == NULL || turns->len == 0 || !refers_back (question))
    return TRUE;
  last = g_ptr_array_index (turns, turns->len - 1);
  if (g_strcmp0 (last->answer, docent_answer_refusal_text ()) == 0)
    return TRUE;
  return docent_answer_should_refuse (last->question, passages, n);
}

/* ---- retrieval ------------------------------------------------------------ */

static GPtrArray *
retrieve (DocentLibrary           *library,
          const DocentAskOptions  *opts,
          const AskPlan           *plan,
          const char              *query,
          GError                 **error)
{
  DocentSearchOptions search = { 0 };

  search.query = query;
  search.limit = plan->k;
  search.collection = opts->collection;
  search.document_id = opts->document_id;
  search.document_ids = opts->document_ids;
  search.n_document_ids = opts->n_document_ids;
  return docent_library_search (library, &search, docent_library_default_search_mode (library),
                                NULL, error);
}

/* Borrowed views of the hits, for the engine. */
static DocentPassage *
passages_from_hits (GPtrArray *hits)
{
  DocentPassage *passages = g_new0 (DocentPassage, MAX (hits->len, 1));

  for (guint i = 0; i < hits->len; i++)
    {
      const DocentSearchHit *h = g_ptr_array_index (hits, i);
      DocentPassage *p = &passages[i];

      p->chunk_id = h->chunk_id;
      p->document_id = h->document_id;
      p->path = h->path;
      p->title = h->title;
      p->heading = h->heading;
      p->page_start = h->page_start;
      p->page_end = h->page_end;
      p->char_start = h->char_start;
      p->char_end = h->char_end;
      p->text = h->text;
      p->score = h->score;
      p->similarity = h->similarity;
    }
  return passages;
}

/* ---- the backend ---------------------------------------------------------- */

/* The model file opts->model names: a registered id, else a path. */
static char *
model_path (DocentLibrary           *library,
            const DocentAskOptions  *opts,
            GError                 **error)
{
  DocentSettings *settings = docent_library_settings (library, error);
  const DocentModelEntry *entry;

  if (settings == NULL)
    return NULL;
  if (opts->model != NULL)
    {
      entry = docent_settings_find_model (settings, opts->model);
      if (entry != NULL)
        return g_strdup (entry->path);
      if (g_file_test (opts->model, G_FILE_TEST_IS_REGULAR))
        return g_strdup (opts->model);
      g_set_error (error, DOCENT_SETTINGS_ERROR, DOCENT_SETTINGS_ERROR_NOT_FOUND,
                   "%s: no such model (neither a registered id nor a file)", opts->model);
      return NULL;
    }
  entry = docent_settings_current (settings, DOCENT_MODEL_ROLE_CHAT);
  return entry != NULL ? g_strdup (entry->path) : g_strdup ("");
}

/* The context size setting, within what the model was trained for (a
 * longer context than that only makes it ramble); 0 stays 0 (the engine
 * picks). Only registered models say their training context. */
static guint
local_context (DocentLibrary *library,
               const char    *path,
               guint          n_ctx)
{
  DocentSettings *settings = docent_library_settings (library, NULL);
  GPtrArray *models = settings != NULL ? docent_settings_models (settings) : NULL;

  for (guint i = 0; models != NULL && i < models->len; i++)
    {
      const DocentModelEntry *entry = g_ptr_array_index (models, i);

      if (g_strcmp0 (entry->path, path) == 0 && entry->n_ctx > 0)
        return MIN (n_ctx, entry->n_ctx);
    }
  return n_ctx;
}

/* The key says everything the backend was made with, so a changed
 * setting (another context size, a new API key) makes a new one. */
static DocentChatBackend *
make_backend (DocentLibrary           *library,
              const DocentAskOptions  *opts,
              const AskPlan           *plan,
              char                   **key,
              GError                 **error)
{
  g_autofree char *path = NULL;
  DocentRemoteConfig config = { 0 };
  guint n_ctx = plan->n_ctx;

  if (plan->remote_url != NULL)
    {
      config.base_url = plan->remote_url;
      config.model = plan->remote_model;
      config.api_key = plan->remote_api_key;
      config.context_size = plan->n_ctx;
      *key = g_strdup_printf ("remote:%s|%s|%s|%u", plan->remote_url,
                              plan->remote_model ? plan->remote_model : "",
                              plan->remote_api_key ? plan->remote_api_key : "", plan->n_ctx);
    }
  else
    {
      path = model_path (library, opts, error);
      if (path == NULL || *path == '\0')
        return NULL;
      n_ctx = local_context (library, path, n_ctx);
      *key = g_strdup_printf ("local:%s|%u|%u", path, n_ctx, plan->threads);
    }
  if (library->chat != NULL && g_strcmp0 (library->chat_key, *key) == 0)
    return library->chat;
  if (plan->remote_url != NULL)
    return docent_remote_backend_new (&config, error);
  return docent_chat_backend_new_local (path, n_ctx, plan->threads, error);
}

/* The chat backend to answer with, kept in the library between questions
 * (loading a model takes a while; its KV cache keeps the prompt prefix);
 * NULL without an error means extractive. */
static DocentChatBackend *
chat_backend (DocentLibrary           *library,
              const DocentAskOptions  *opts,
              const AskPlan           *plan,
              GError                 **error)
{
  g_autofree char *key = NULL;
  DocentChatBackend *backend;

  if (opts->extractive)
    return NULL;
  backend = make_backend (library, opts, plan, &key, error);
  if (backend == NULL || backend == library->chat)
    return backend;
  g_clear_pointer (&library->chat, docent_chat_backend_free);
  g_free (library->chat_key);
  library->chat = backend;
  library->chat_key = g_steal_pointer (&key);
  return backend;
}

/* Tokens of sources that fit beside the rest of the prompt. */
static guint
source_budget (DocentChatBackend  *backend,
               const char         *question,
               const char *const  *history,
               guint               answer_room)
{
  guint n_ctx = docent_chat_backend_context_size (backend);
  gsize other = strlen (question);

  for (guint i = 0; history != NULL && history[i] != NULL; i++)
    other += strlen (history[i]);
  other = other / 3 + PROMPT_ROOM + answer_room;   /* bytes → generous tokens */
  return n_ctx > other + 128 ? (guint) (n_ctx - other) : 128;
}

/* ---- answering ------------------------------------------------------------ */

/* Sentences are picked for the question as asked, else for it in context
 * (with the question before it: "when do I get it back?" alone says
 * nothing of a deposit); the answer keeps the question as asked. */
static gboolean
answer_extractive (DocentAnswer            *answer,
                   const char              *query,
                   const DocentPassage     *passages,
                   guint                    n,
                   const DocentAskOptions  *opts,
                   GError                 **error)
{
  char *asked = answer->question;
  gboolean ok;

  g_ptr_array_extend_and_steal (answer->sources,
                                docent_answer_pack_sources (passages, n, NULL, EXTRACTIVE_BUDGET));
  ok = docent_answer_extract (answer, 0, error);
  if (ok && answer->refused && g_strcmp0 (query, asked) != 0)
    {
      answer->refused = FALSE;
      g_clear_pointer (&answer->answer, g_free);
      g_ptr_array_set_size (answer->citations, 0);
      g_array_set_size (answer->uncited, 0);
      answer->question = (char *) query;
      ok = docent_answer_extract (answer, 0, error);
      answer->question = asked;
    }
  if (!ok)
    return FALSE;
  if (opts->callback != NULL && answer->answer != NULL)
    opts->callback (answer->answer, strlen (answer->answer), opts->user_data);
  return TRUE;
}

static gboolean
answer_with_model (DocentAnswer            *answer,
                   DocentChatBackend       *backend,
                   const DocentPassage     *passages,
                   guint                    n,
                   const char *const       *history,
                   const DocentAskOptions  *opts,
                   const AskPlan           *plan,
                   GError                 **error)
{
  DocentChatOptions chat = { 0 };
  guint budget = source_budget (backend, answer->question, history, plan->max_tokens);

  g_ptr_array_extend_and_steal (answer->sources,
                                docent_answer_pack_sources (passages, n,
                                                            docent_chat_backend_tokenizer (backend),
                                                            budget));
  chat.max_tokens = plan->max_tokens;
  chat.temperature = plan->temperature;
  chat.callback = opts->callback;
  chat.user_data = opts->user_data;
  return docent_answer_generate (answer, backend, history, &chat, opts->cancellable, error);
}

static void
refuse (DocentAnswer            *answer,
        const DocentPassage     *passages,
        guint                    n,
        const DocentAskOptions  *opts)
{
  answer->refused = TRUE;
  answer->answer = g_strdup (docent_answer_refusal_text ());
  /* The closest passages stay listed: a person may still want to look. */
  g_ptr_array_extend_and_steal (answer->sources,
                                docent_answer_pack_sources (passages, n, NULL, EXTRACTIVE_BUDGET));
  if (opts->callback != NULL)
    opts->callback (answer->answer, strlen (answer->answer), opts->user_data);
}

/* ---- keeping the turn ----------------------------------------------------- */

/* The cited document's path and title, so an old conversation can be drawn
 * again without looking every document up (and still names a document
 * removed since). */
static void
add_source_members (JsonBuilder          *b,
                    const DocentCitation *c)
{
  json_builder_set_member_name (b, "path");
  if (c->path != NULL)
    json_builder_add_string_value (b, c->path);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "title");
  if (c->title != NULL)
    json_builder_add_string_value (b, c->title);
  else
    json_builder_add_null_value (b);
}

static char *
citations_json (DocentAnswer *answer)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_array (b);
  for (guint i = 0; i < answer->citations->len; i++)
    {
      const DocentCitation *c = g_ptr_array_index (answer->citations, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "n");
      json_builder_add_int_value (b, c->n);
      json_builder_set_member_name (b, "chunk_id");
      json_builder_add_int_value (b, c->chunk_id);
      json_builder_set_member_name (b, "document_id");
      json_builder_add_int_value (b, c->document_id);
      json_builder_set_member_name (b, "page_start");
      json_builder_add_int_value (b, c->page_start);
      json_builder_set_member_name (b, "page_end");
      json_builder_add_int_value (b, c->page_end);
      json_builder_set_member_name (b, "quote");
      json_builder_add_string_value (b, c->quote);
      add_source_members (b, c);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, NULL);
}

static gboolean
store_turn (DocentLibrary  *library,
            DocentAnswer   *answer,
            gint64         *conversation_id,
            GError        **error)
{
  g_autofree char *json = citations_json (answer);

  if (*conversation_id == 0)
    {
      *conversation_id = docent_store_new_conversation (library->store, answer->question, error);
      if (*conversation_id == 0)
        return FALSE;
    }
  return docent_store_add_turn (library->store, *conversation_id, answer->question,
                                answer->answer, json, error) != 0;
}

DocentAnswer *
docent_library_ask (DocentLibrary           *library,
                    const DocentAskOptions  *opts,
                    gint64                  *conversation_id,
                    GError                 **error)
{
  g_autoptr(GPtrArray) turns = NULL;
  g_autoptr(GPtrArray) hits = NULL;
  g_autoptr(DocentAnswer) answer = NULL;
  g_autofree DocentPassage *passages = NULL;
  g_autofree char *query = NULL;
  g_auto(GStrv) history = NULL;
  g_autoptr(GError) why = NULL;
  DocentChatBackend *backend;
  AskPlan plan = { 0 };
  gint64 start = g_get_monotonic_time (), conversation = opts->conversation_id;
  gboolean ok;

  if (conversation != 0 &&
      (turns = docent_store_conversation_turns (library->store, conversation, error)) == NULL)
    return NULL;
  if (!make_plan (library, opts, &plan, error))
    return NULL;
  backend = chat_backend (library, opts, &plan, &why);
  if (why != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&why));
      return NULL;
    }

  query = retrieval_query (opts->question, turns);
  hits = retrieve (library, opts, &plan, query, error);
  if (hits == NULL)
    return NULL;
  passages = passages_from_hits (hits);
  answer = docent_answer_new (opts->question, backend != NULL ? backend->mode
                                                              : DOCENT_ANSWER_EXTRACTIVE);
  answer->timings.retrieval_ms = ms_since (start);

  if (hits->len == 0 || should_refuse (opts->question, query, turns, passages, hits->len))
    {
      refuse (answer, passages, hits->len, opts);
      ok = TRUE;
    }
  else if (backend == NULL)
    ok = answer_extractive (answer, query, passages, hits->len, opts, error);
  else
    {
      history = turns != NULL ? history_messages (turns) : NULL;
      ok = answer_with_model (answer, backend, passages, hits->len,
                              (const char *const *) history, opts, &plan, error);
    }
  if (!ok)
    return NULL;
  answer->timings.total_ms = ms_since (start);
  if (!opts->no_store && !store_turn (library, answer, &conversation, error))
    return NULL;
  if (conversation_id != NULL)
    *conversation_id = conversation;
  return g_steal_pointer (&answer);
}
