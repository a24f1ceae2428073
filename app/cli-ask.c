/* cli-ask.c — `docent-cli ask` (a question answered from the library,
 * streamed, then its sources) and `docent-cli conversations` (the
 * questions kept in the library). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <json-glib/json-glib.h>

#include "app/cli.h"
#include "index/conversations.h"

typedef struct {
  gboolean stream;          /* print text as it comes */
  gboolean printed;
  gboolean ends_with_newline;
} AskUi;

static void
on_text (const char *text,
         gsize       len,
         gpointer    user_data)
{
  AskUi *ui = user_data;

  if (!ui->stream || len == 0)
    return;
  fwrite (text, 1, len, stdout);
  fflush (stdout);
  ui->printed = TRUE;
  ui->ends_with_newline = text[len - 1] == '\n';
}

static char *
pages_label (guint start,
             guint end)
{
  return end > start ? g_strdup_printf ("pp. %u–%u", start, end) : g_strdup_printf ("p. %u", start);
}

/* The numbered sources a reader checks the answer against: for each
 * source cited, its title, page and the sentences quoted from it. */
static void
print_sources (const DocentAnswer *answer)
{
  if (answer->refused || answer->citations->len == 0)
    return;
  printf ("\nSources:\n");
  for (guint i = 0; i < answer->sources->len; i++)
    {
      const DocentSource *s = g_ptr_array_index (answer->sources, i);
      g_autofree char *pages = pages_label (s->page_start, s->page_end);
      gboolean cited = FALSE;

      for (guint j = 0; j < answer->citations->len && !cited; j++)
        cited = ((DocentCitation *) g_ptr_array_index (answer->citations, j))->n == s->n;
      if (!cited)
        continue;
      printf ("[%u] %s, %s\n    %s\n", s->n, s->title, pages, s->path);
      for (guint j = 0; j < answer->citations->len; j++)
        {
          const DocentCitation *c = g_ptr_array_index (answer->citations, j);

          if (c->n == s->n && c->quote != NULL)
            printf ("    “%s”\n", c->quote);
        }
    }
}

static void
citation_to_json (JsonBuilder          *b,
                  const DocentCitation *c)
{
  json_builder_begin_object (b);
  docent_cli_json_int (b, "n", c->n);
  docent_cli_json_int (b, "chunk_id", c->chunk_id);
  docent_cli_json_int (b, "document_id", c->document_id);
  docent_cli_json_string (b, "path", c->path);
  docent_cli_json_string (b, "title", c->title);
  docent_cli_json_int (b, "page_start", c->page_start);
  docent_cli_json_int (b, "page_end", c->page_end);
  docent_cli_json_int (b, "offset", (gint64) c->offset);
  docent_cli_json_string (b, "quote", c->quote);
  json_builder_end_object (b);
}

static void
source_to_json (JsonBuilder        *b,
                const DocentSource *s)
{
  json_builder_begin_object (b);
  docent_cli_json_int (b, "n", s->n);
  docent_cli_json_int (b, "chunk_id", s->chunk_id);
  docent_cli_json_int (b, "document_id", s->document_id);
  docent_cli_json_string (b, "path", s->path);
  docent_cli_json_string (b, "title", s->title);
  docent_cli_json_string (b, "heading", s->heading);
  docent_cli_json_int (b, "page_start", s->page_start);
  docent_cli_json_int (b, "page_end", s->page_end);
  json_builder_end_object (b);
}

static void
timings_to_json (JsonBuilder               *b,
                 const DocentAnswerTimings *t)
{
  json_builder_set_member_name (b, "timings_ms");
  json_builder_begin_object (b);
  docent_cli_json_double (b, "retrieval", t->retrieval_ms);
  docent_cli_json_double (b, "prompt", t->prompt_ms);
  docent_cli_json_double (b, "first_token", t->first_token_ms);
  docent_cli_json_double (b, "generation", t->generation_ms);
  docent_cli_json_double (b, "total", t->total_ms);
  json_builder_end_object (b);
  docent_cli_json_int (b, "prompt_tokens", t->prompt_tokens);
  docent_cli_json_int (b, "generated_tokens", t->generated_tokens);
  docent_cli_json_double (b, "tokens_per_second", t->tokens_per_second);
}

static void
print_answer_json (const DocentAnswer *answer,
                   gint64              conversation_id)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  docent_cli_json_string (b, "question", answer->question);
  docent_cli_json_string (b, "answer", answer->answer);
  docent_cli_json_string (b, "mode", docent_answer_mode_to_string (answer->mode));
  json_builder_set_member_name (b, "refused");
  json_builder_add_boolean_value (b, answer->refused);
  if (conversation_id != 0)
    docent_cli_json_int (b, "conversation_id", conversation_id);
  json_builder_set_member_name (b, "citations");
  json_builder_begin_array (b);
  for (guint i = 0; i < answer->citations->len; i++)
    citation_to_json (b, g_ptr_array_index (answer->citations, i));
  json_builder_end_array (b);
  json_builder_set_member_name (b, "sources");
  json_builder_begin_array (b);
  for (guint i = 0; i < answer->sources->len; i++)
    source_to_json (b, g_ptr_array_index (answer->sources, i));
  json_builder_end_array (b);
  json_builder_set_member_name (b, "uncited_sentences");
  json_builder_add_int_value (b, answer->uncited->len / 2);
  timings_to_json (b, &answer->timings);
  json_builder_end_object (b);
  docent_cli_print_json (b);
}

int
docent_cli_ask (DocentLibrary  *library,
                int             argc,
                char          **argv)
{
  g_autofree char *collection = NULL, *model = NULL, *remote = NULL;
  g_autofree char *remote_model = NULL, *api_key = NULL;
  gboolean json = FALSE, extractive = FALSE, no_store = FALSE;
  gint64 document = 0, conversation = 0;
  int k = 0;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON", NULL },
    { "collection", 'c', 0, G_OPTION_ARG_STRING, &collection, "Only documents in NAME", "NAME" },
    { "document", 'd', 0, G_OPTION_ARG_INT64, &document, "Only the document with this id", "ID" },
    { "conversation", 0, 0, G_OPTION_ARG_INT64, &conversation, "Follow up in conversation ID", "ID" },
    { "model", 'm', 0, G_OPTION_ARG_STRING, &model, "Chat model: a registered id or a GGUF file", "ID|FILE" },
    { "extractive", 'x', 0, G_OPTION_ARG_NONE, &extractive, "Quote the documents, no model", NULL },
    { "remote", 0, 0, G_OPTION_ARG_STRING, &remote, "An OpenAI-compatible server (e.g. http://127.0.0.1:8080)", "URL" },
    { "remote-model", 0, 0, G_OPTION_ARG_STRING, &remote_model, "Model name on the server", "NAME" },
    { "api-key", 0, 0, G_OPTION_ARG_STRING, &api_key, "API key for the server (or $DOCENT_API_KEY)", "KEY" },
    { "k", 'k', 0, G_OPTION_ARG_INT, &k, "Passages to retrieve (default 8)", "N" },
    { "no-store", 0, 0, G_OPTION_ARG_NONE, &no_store, "Do not keep the question in the library", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("QUESTION… — answer from your documents, with sources");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(DocentAnswer) answer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *question = NULL;
  DocentAskOptions opts = { 0 };
  AskUi ui = { 0 };

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context,
    "Without a chat model (docent-cli models use --chat ID) the answer quotes\n"
    "the sentences of your documents that answer the question. Either way every\n"
    "statement is followed by [n], a source listed after the answer.");
  if (!docent_cli_parse (context, &argc, &argv))
    return DOCENT_EXIT_USAGE;
  if (argc < 2 || k < 0 || k > 100)
    {
      docent_cli_error (argc < 2 ? "ask needs a question (see ask --help)"
                                 : "-k must be between 1 and 100");
      return DOCENT_EXIT_USAGE;
    }
  question = g_strjoinv (" ", argv + 1);
  ui.stream = !json;
  opts.question = question;
  opts.collection = collection;
  opts.document_id = document;
  opts.conversation_id = conversation;
  opts.extractive = extractive;
  opts.model = model;
  opts.remote_url = remote;
  opts.remote_model = remote_model;
  opts.remote_api_key = api_key != NULL ? api_key : g_getenv ("DOCENT_API_KEY");
  opts.k = (guint) k;
  opts.no_store = no_store;
  opts.callback = on_text;
  opts.user_data = &ui;
  opts.cancellable = cancellable;
  docent_cli_cancel_on_interrupt (cancellable, NULL);

  answer = docent_library_ask (library, &opts, &conversation, &error);
  if (ui.printed && !ui.ends_with_newline)
    fputc ('\n', stdout);
  if (answer == NULL)
    {
      docent_cli_error ("%s", g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                              ? "interrupted" : error->message);
      return DOCENT_EXIT_FAILED;
    }
  if (json)
    print_answer_json (answer, conversation);
  else
    {
      print_sources (answer);
      if (conversation != 0 && isatty (STDOUT_FILENO))
        printf ("\n(follow up with --conversation %" G_GINT64_FORMAT ")\n", conversation);
    }
  return DOCENT_EXIT_OK;
}

/* ---- conversations -------------------------------------------------------- */

static int
list_conversations (DocentStore *store,
                    gboolean     json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = docent_store_list_conversations (store, &error);
  g_autoptr(JsonBuilder) b = json_builder_new ();

  if (list == NULL)
    {
      docent_cli_error ("%s", error->message);
      return DOCENT_EXIT_FAILED;
    }
  json_builder_begin_array (b);
  for (guint i = 0; i < list->len; i++)
    {
      const DocentConversation *c = g_ptr_array_index (list, i);
      g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (c->updated);
      g_autofree char *date = g_date_time_format (when, "%Y-%m-%d %H:%M");

      if (!json)
        {
          printf ("%4" G_GINT64_FORMAT "  %s  %2u  %s\n", c->id, date, c->n_turns, c->title);
          continue;
        }
      json_builder_begin_object (b);
      docent_cli_json_int (b, "id", c->id);
      docent_cli_json_string (b, "title", c->title);
      docent_cli_json_int (b, "created", c->created);
      docent_cli_json_int (b, "updated", c->updated);
      docent_cli_json_int (b, "turns", c->n_turns);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  if (json)
    docent_cli_print_json (b);
  else if (list->len == 0)
    printf ("No conversations yet (ask a question with: docent-cli ask QUESTION)\n");
  return DOCENT_EXIT_OK;
}

static int
show_conversation (DocentStore *store,
                   gint64       id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) turns = docent_store_conversation_turns (store, id, &error);

  if (turns == NULL)
    {
      docent_cli_error ("%s", error->message);
      return DOCENT_EXIT_FAILED;
    }
  for (guint i = 0; i < turns->len; i++)
    {
      const DocentTurn *t = g_ptr_array_index (turns, i);

      printf ("%sQ: %s\nA: %s\n", i ? "\n" : "", t->question, t->answer ? t->answer : "");
    }
  return DOCENT_EXIT_OK;
}

int
docent_cli_conversations (DocentLibrary  *library,
                          int             argc,
                          char          **argv)
{
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON (list)", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("[list | show ID | delete ID] — questions kept in the library");
  g_autoptr(GError) error = NULL;
  DocentStore *store = docent_library_store (library);
  gint64 id;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!docent_cli_parse (context, &argc, &argv))
    return DOCENT_EXIT_USAGE;
  if (argc < 2 || g_str_equal (argv[1], "list"))
    return list_conversations (store, json);
  if (argc != 3 || !g_ascii_string_to_signed (argv[2], 10, 1, G_MAXINT64, &id, NULL) ||
      (!g_str_equal (argv[1], "show") && !g_str_equal (argv[1], "delete")))
    {
      docent_cli_error ("usage: conversations [list | show ID | delete ID]");
      return DOCENT_EXIT_USAGE;
    }
  if (g_str_equal (argv[1], "show"))
    return show_conversation (store, id);
  if (!docent_store_delete_conversation (store, id, &error))
    {
      docent_cli_error ("%s", error->message);
      return DOCENT_EXIT_FAILED;
    }
  return DOCENT_EXIT_OK;
}
