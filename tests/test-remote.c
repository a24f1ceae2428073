/* test-remote.c — the OpenAI-compatible client against a SoupServer on
 * 127.0.0.1 (an ephemeral port) that runs on its own thread with its own
 * main loop, while the synchronous client runs on the test thread. No
 * network beyond the loopback interface. */
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "engine/remote.h"

/* ---- the server ---- */

typedef struct {
  GMutex lock;
  GCond cond;
  GThread *thread;
  GMainContext *context;
  GMainLoop *loop;
  SoupServer *server;
  guint port;
  gboolean ready;
  /* The last request, and how many there were. */
  guint n_requests;
  char *method;
  char *path;
  char *body;
  char *authorization;
  char *content_type;
} TestServer;

static TestServer srv;

/* A response written in pieces, `interval_ms` apart (each its own write,
 * so the client reads them separately), then completed — or held open. */
typedef struct {
  SoupServerMessage *msg;
  const char *const *pieces;
  guint next;
  gboolean hold_open;
  GSource *source;
  gulong finished_id;
} Streamer;

static void
streamer_finished (SoupServerMessage *msg,
                   Streamer          *streamer)
{
  if (streamer->source != NULL)
    {
      g_source_destroy (streamer->source);
      g_source_unref (streamer->source);
    }
  g_signal_handler_disconnect (msg, streamer->finished_id);
  g_object_unref (streamer->msg);
  g_free (streamer);
}

static gboolean
streamer_tick (gpointer data)
{
  Streamer *streamer = data;
  SoupMessageBody *body = soup_server_message_get_response_body (streamer->msg);
  const char *piece = streamer->pieces[streamer->next];

  if (piece != NULL)
    {
      soup_message_body_append (body, SOUP_MEMORY_STATIC, piece, strlen (piece));
      streamer->next++;
      soup_server_message_unpause (streamer->msg);
      return G_SOURCE_CONTINUE;
    }
  if (!streamer->hold_open)
    {
      soup_message_body_complete (body);
      soup_server_message_unpause (streamer->msg);
    }
  g_clear_pointer (&streamer->source, g_source_unref);
  return G_SOURCE_REMOVE;
}

static void
stream_response (SoupServerMessage  *msg,
                 const char         *content_type,
                 const char *const  *pieces,
                 gboolean            hold_open)
{
  Streamer *streamer = g_new0 (Streamer, 1);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
  soup_message_headers_set_content_type (headers, content_type, NULL);
  streamer->msg = g_object_ref (msg);
  streamer->pieces = pieces;
  streamer->hold_open = hold_open;
  streamer->finished_id = g_signal_connect (msg, "finished", G_CALLBACK (streamer_finished), streamer);
  streamer->source = g_timeout_source_new (25);
  g_source_set_callback (streamer->source, streamer_tick, streamer, NULL);
  g_source_attach (streamer->source, srv.context);
  soup_server_message_pause (msg);
}

static void
json_response (SoupServerMessage *msg,
               guint              status,
               const char        *content_type,
               const char        *text)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, content_type, SOUP_MEMORY_COPY, text, strlen (text));
}

#define DELTA(s) "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" s "\"}}]}"

/* CRLF line ends, a comment, an event split across writes (and inside a
 * UTF-8 character, and between CR and LF), other fields, usage, [DONE]
 * and then something that must never be read. */
static const char *const stream_pieces[] = {
  ": keep-alive\r\n\r\n",
  "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\"}}]}\r\n\r\n",
  "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel",
  "lo\"}}]}\r\n\r\ndata: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\" caf\xc3",
  "\xa9 [1]\"}}]}\r",
  "\n\r\n",
  "event: message\r\nid: 7\r\n" "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\".\"},\"finish_reason\":\"stop\"}]}\r\n\r\n",
  "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":42,\"completion_tokens\":7,\"total_tokens\":49}}\r\n\r\n",
  "data: [DONE]\r\n\r\n",
  "data: not JSON, and never read\r\n\r\n",
  NULL
};

/* LF only, no usage, no [DONE], the last event without its blank line. */
static const char *const stream_lf_pieces[] = {
  DELTA ("One") "\n\n" DELTA (" two") "\n\n",
  DELTA ("!") "\n",
  NULL
};

static const char *const stream_error_pieces[] = {
  DELTA ("Partial") "\n\n",
  "data: {\"error\":{\"message\":\"the model crashed\",\"type\":\"server_error\"}}\n\n",
  NULL
};

static const char *const sse_garbage_pieces[] = {
  DELTA ("a") "\n\n",
  "data: {oops\n\n",
  NULL
};

/* [DONE], then the connection stays open: the client must not wait. */
static const char *const done_open_pieces[] = {
  DELTA ("Done") "\n\ndata: [DONE]\n\n",
  NULL
};

/* The first delta, then nothing: the connection stays open. */
static const char *const cancel_pieces[] = {
  DELTA ("First") "\n\n",
  NULL
};

static void
server_callback (SoupServer        *server,
                 SoupServerMessage *msg,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupMessageBody *request_body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (request_body);
  g_autofree char *scenario = NULL;
  const char *slash;
  gboolean chat = g_str_has_suffix (path, "/v1/chat/completions");
  gboolean embed = g_str_has_suffix (path, "/v1/embeddings");

  g_mutex_lock (&srv.lock);
  srv.n_requests++;
  g_free (srv.method);
  srv.method = g_strdup (soup_server_message_get_method (msg));
  g_free (srv.path);
  srv.path = g_strdup (path);
  g_free (srv.body);
  srv.body = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_free (srv.authorization);
  srv.authorization = g_strdup (soup_message_headers_get_one (headers, "Authorization"));
  g_free (srv.content_type);
  srv.content_type = g_strdup (soup_message_headers_get_content_type (headers, NULL));
  g_mutex_unlock (&srv.lock);

  slash = strchr (path + 1, '/');
  scenario = slash != NULL ? g_strndup (path + 1, slash - path - 1) : g_strdup ("");
  if (!chat && !embed)
    json_response (msg, SOUP_STATUS_NOT_FOUND, "text/plain", "no such endpoint");
  else if (strcmp (scenario, "stream") == 0)
    stream_response (msg, "text/event-stream", stream_pieces, FALSE);
  else if (strcmp (scenario, "stream-lf") == 0)
    stream_response (msg, "text/event-stream", stream_lf_pieces, FALSE);
  else if (strcmp (scenario, "stream-error") == 0)
    stream_response (msg, "text/event-stream", stream_error_pieces, FALSE);
  else if (strcmp (scenario, "sse-garbage") == 0)
    stream_response (msg, "text/event-stream", sse_garbage_pieces, TRUE);
  else if (strcmp (scenario, "done-open") == 0)
    stream_response (msg, "text/event-stream", done_open_pieces, TRUE);
  else if (strcmp (scenario, "cancel") == 0)
    stream_response (msg, "text/event-stream", cancel_pieces, TRUE);
  else if (strcmp (scenario, "e401") == 0)
    json_response (msg, SOUP_STATUS_UNAUTHORIZED, "application/json",
                   "{\"error\":{\"message\":\"Incorrect API key provided\","
                   "\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\"}}");
  else if (strcmp (scenario, "e500") == 0)
    json_response (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "text/plain", "<h1>oops</h1>");
  else if (strcmp (scenario, "garbage") == 0)
    json_response (msg, SOUP_STATUS_OK, "application/json", "{\"choices\": [ oops");
  else if (strcmp (scenario, "nochoices") == 0)
    json_response (msg, SOUP_STATUS_OK, "application/json", "{\"id\":\"x\",\"object\":\"chat.completion\"}");
  else if (strcmp (scenario, "empty") == 0)
    json_response (msg, SOUP_STATUS_OK, "application/json", "");
  else if (strcmp (scenario, "redirect") == 0)
    {
      soup_server_message_set_redirect (msg, SOUP_STATUS_TEMPORARY_REDIRECT,
                                        "http://127.0.0.1:1/elsewhere");
    }
  else if (strcmp (scenario, "slow") == 0)
    soup_server_message_pause (msg);     /* never answers */
  else if (embed && strcmp (scenario, "embed-dims") == 0)
    json_response (msg, SOUP_STATUS_OK, "application/json",
                   "{\"data\":[{\"index\":0,\"embedding\":[1,2,3]},"
                   "{\"index\":1,\"embedding\":[1,2]}]}");
  else if (embed && strcmp (scenario, "embed-count") == 0)
    json_response (msg, SOUP_STATUS_OK, "application/json",
                   "{\"data\":[{\"index\":0,\"embedding\":[1,2,3]}]}");
  else if (embed)
    /* Out of order, an integer among the floats. */
    json_response (msg, SOUP_STATUS_OK, "application/json",
                   "{\"object\":\"list\",\"model\":\"emb\",\"data\":["
                   "{\"object\":\"embedding\",\"index\":1,\"embedding\":[0.5,-1.25,2]},"
                   "{\"object\":\"embedding\",\"index\":0,\"embedding\":[1,0.25,-0.5]}],"
                   "\"usage\":{\"prompt_tokens\":4,\"total_tokens\":4}}");
  else   /* "json" and the bare /v1/chat/completions: a non-streamed reply */
    json_response (msg, SOUP_STATUS_OK, "application/json",
                   "{\"id\":\"c2\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,"
                   "\"message\":{\"role\":\"assistant\",\"content\":\"Paris [1].\"},"
                   "\"finish_reason\":\"stop\"}],"
                   "\"usage\":{\"prompt_tokens\":30,\"completion_tokens\":4,\"total_tokens\":34}}");
}

static gpointer
server_thread (gpointer data)
{
  g_autoptr(GError) error = NULL;
  GSList *uris;

  g_main_context_push_thread_default (srv.context);
  srv.server = soup_server_new (NULL, NULL);
  soup_server_add_handler (srv.server, NULL, server_callback, NULL, NULL);
  soup_server_listen_local (srv.server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (srv.server);
  g_assert_nonnull (uris);

  g_mutex_lock (&srv.lock);
  srv.port = g_uri_get_port (uris->data);
  srv.ready = TRUE;
  g_cond_signal (&srv.cond);
  g_mutex_unlock (&srv.lock);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  g_main_loop_run (srv.loop);

  soup_server_disconnect (srv.server);
  while (g_main_context_iteration (srv.context, FALSE))
    ;
  g_clear_object (&srv.server);
  while (g_main_context_iteration (srv.context, FALSE))
    ;
  g_main_context_pop_thread_default (srv.context);
  return NULL;
}

static void
server_start (void)
{
  g_mutex_init (&srv.lock);
  g_cond_init (&srv.cond);
  srv.context = g_main_context_new ();
  srv.loop = g_main_loop_new (srv.context, FALSE);
  srv.thread = g_thread_new ("test-server", server_thread, NULL);
  g_mutex_lock (&srv.lock);
  while (!srv.ready)
    g_cond_wait (&srv.cond, &srv.lock);
  g_mutex_unlock (&srv.lock);
}

static void
server_stop (void)
{
  g_main_loop_quit (srv.loop);
  g_thread_join (srv.thread);
  g_main_loop_unref (srv.loop);
  g_main_context_unref (srv.context);
  g_free (srv.method);
  g_free (srv.path);
  g_free (srv.body);
  g_free (srv.authorization);
  g_free (srv.content_type);
  g_mutex_clear (&srv.lock);
  g_cond_clear (&srv.cond);
}

static guint
server_requests (void)
{
  guint n;

  g_mutex_lock (&srv.lock);
  n = srv.n_requests;
  g_mutex_unlock (&srv.lock);
  return n;
}

/* A copy of one field of the last request. */
static char *
server_last (char **field)
{
  char *copy;

  g_mutex_lock (&srv.lock);
  copy = g_strdup (*field);
  g_mutex_unlock (&srv.lock);
  return copy;
}

static char *
url_for (const char *scenario)
{
  return g_strdup_printf ("http://127.0.0.1:%u%s%s", srv.port,
                          *scenario != '\0' ? "/" : "", scenario);
}

/* ---- the client side ---- */

typedef struct {
  GPtrArray *pieces;
  GCancellable *cancel_after_first;
} Collected;

static void
collect (const char *text,
         gsize       len,
         gpointer    user_data)
{
  Collected *collected = user_data;

  g_assert_cmpuint (strlen (text), ==, len);
  g_assert_true (g_utf8_validate (text, (gssize) len, NULL));
  g_ptr_array_add (collected->pieces, g_strndup (text, len));
  if (collected->cancel_after_first != NULL)
    g_cancellable_cancel (collected->cancel_after_first);
}

static const char *const test_messages[] = {
  "system", "Answer from the sources.",
  "user", "What is the capital of France? \"Quotes\" and ü.",
  NULL
};

static DocentChatBackend *
backend_for (const char *scenario,
             const char *model,
             const char *api_key,
             guint       timeout)
{
  g_autofree char *url = url_for (scenario);
  DocentRemoteConfig config = { url, model, api_key, timeout, 0 };
  g_autoptr(GError) error = NULL;
  DocentChatBackend *backend = docent_remote_backend_new (&config, &error);

  g_assert_no_error (error);
  g_assert_nonnull (backend);
  return backend;
}

/* Chats with a backend for `scenario`; the error, if any, in *error. */
static gboolean
chat (const char        *scenario,
      guint              timeout,
      Collected         *collected,
      GCancellable      *cancellable,
      DocentChatResult  *result,
      GError           **error)
{
  g_autoptr(DocentChatBackend) backend = backend_for (scenario, "test-model", "sekrit", timeout);
  DocentChatOptions options = { 64, 0.5f, 42, collect, collected };

  return docent_chat_backend_chat (backend, test_messages, &options, cancellable, result, error);
}

static Collected
collected_new (void)
{
  Collected collected = { g_ptr_array_new_with_free_func (g_free), NULL };

  return collected;
}

static void
test_new (void)
{
  static const char *const bad[] = {
    "", "   ", "127.0.0.1:8080", "ftp://127.0.0.1/", "file:///etc/passwd",
    "http://", "http:///v1", "localhost", "javascript:alert(1)",
  };
  g_autofree char *url = url_for ("");
  DocentRemoteConfig config = { url, NULL, NULL, 0, 0 };
  DocentRemoteConfig sized = { url, NULL, NULL, 0, 32768 };
  g_autoptr(DocentChatBackend) backend = NULL;
  g_autoptr(DocentChatBackend) backend2 = NULL;
  guint before = server_requests ();

  backend = docent_remote_backend_new (&config, NULL);
  g_assert_nonnull (backend);
  g_assert_cmpint (backend->mode, ==, DOCENT_ANSWER_REMOTE);
  g_assert_cmpuint (docent_chat_backend_context_size (backend), ==, 8192);
  g_assert_null (docent_chat_backend_tokenizer (backend));
  backend2 = docent_remote_backend_new (&sized, NULL);
  g_assert_cmpuint (docent_chat_backend_context_size (backend2), ==, 32768);
  /* Creating a backend contacts nobody. */
  g_assert_cmpuint (server_requests (), ==, before);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      DocentRemoteConfig b = { bad[i], NULL, NULL, 0, 0 };
      g_autoptr(GError) error = NULL;
      DocentChatBackend *none = docent_remote_backend_new (&b, &error);

      g_test_message ("bad URL “%s”", bad[i]);
      g_assert_null (none);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    }
  {
    DocentRemoteConfig b = { NULL, NULL, NULL, 0, 0 };
    g_autoptr(GError) error = NULL;

    g_assert_null (docent_remote_backend_new (&b, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  }
}

/* Every way of writing the base URL reaches BASE/v1/chat/completions. */
static void
test_base_urls (void)
{
  static const char *const forms[][3] = {
    { "", "", "/v1/chat/completions" },
    { "", "/", "/v1/chat/completions" },
    { "", "/v1", "/v1/chat/completions" },
    { "  ", "/v1/  ", "/v1/chat/completions" },
    { "HTTP", "/json", "/json/v1/chat/completions" },
    { "", "/json/v1/chat/completions", "/json/v1/chat/completions" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (forms); i++)
    {
      g_autofree char *url = g_strdup_printf ("%s%s://127.0.0.1:%u%s", forms[i][0],
                                              g_str_has_prefix (forms[i][0], "HTTP") ? "" : "http",
                                              srv.port, forms[i][1]);
      DocentRemoteConfig config = { url, "m", NULL, 5, 0 };
      g_autoptr(DocentChatBackend) backend = docent_remote_backend_new (&config, NULL);
      DocentChatResult result = { 0 };
      g_autoptr(GError) error = NULL;
      g_autofree char *path = NULL;

      g_test_message ("base URL “%s”", url);
      g_assert_nonnull (backend);
      g_assert_true (docent_chat_backend_chat (backend, test_messages, NULL, NULL, &result, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (result.text, ==, "Paris [1].");
      path = server_last (&srv.path);
      g_assert_cmpstr (path, ==, forms[i][2]);
      docent_chat_result_clear (&result);
    }
}

static void
test_stream (void)
{
  Collected collected = collected_new ();
  DocentChatResult result = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *body = NULL, *auth = NULL, *path = NULL, *method = NULL, *type = NULL;
  JsonObject *request;
  JsonArray *messages;

  g_assert_true (chat ("stream", 0, &collected, NULL, &result, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (collected.pieces->len, ==, 3);
  g_assert_cmpstr (collected.pieces->pdata[0], ==, "Hello");
  g_assert_cmpstr (collected.pieces->pdata[1], ==, " caf\xc3\xa9 [1]");
  g_assert_cmpstr (collected.pieces->pdata[2], ==, ".");
  g_assert_cmpstr (result.text, ==, "Hello caf\xc3\xa9 [1].");
  g_assert_cmpuint (result.generated_tokens, ==, 7);
  g_assert_cmpuint (result.prompt_tokens, ==, 42);
  g_assert_cmpfloat (result.first_token_ms, >, 0.0);
  g_assert_cmpfloat (result.generation_ms, >, 0.0);
  g_assert_cmpfloat (result.tokens_per_second, >, 0.0);

  /* What the server received. */
  method = server_last (&srv.method);
  path = server_last (&srv.path);
  auth = server_last (&srv.authorization);
  type = server_last (&srv.content_type);
  body = server_last (&srv.body);
  g_assert_cmpstr (method, ==, "POST");
  g_assert_cmpstr (path, ==, "/stream/v1/chat/completions");
  g_assert_cmpstr (auth, ==, "Bearer sekrit");
  g_assert_cmpstr (type, ==, "application/json");
  g_assert_true (json_parser_load_from_data (parser, body, -1, NULL));
  request = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (request, "model"), ==, "test-model");
  g_assert_true (json_object_get_boolean_member (request, "stream"));
  g_assert_cmpint (json_object_get_int_member (request, "max_tokens"), ==, 64);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (request, "temperature"), 0.5, 1e-6);
  g_assert_cmpint (json_object_get_int_member (request, "seed"), ==, 42);
  messages = json_object_get_array_member (request, "messages");
  g_assert_cmpuint (json_array_get_length (messages), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      JsonObject *m = json_array_get_object_element (messages, i);

      g_assert_cmpstr (json_object_get_string_member (m, "role"), ==, test_messages[2 * i]);
      g_assert_cmpstr (json_object_get_string_member (m, "content"), ==, test_messages[2 * i + 1]);
    }

  docent_chat_result_clear (&result);
  g_assert_null (result.text);
  g_ptr_array_unref (collected.pieces);
}

/* LF, no usage, no [DONE]; no model and no key configured. */
static void
test_stream_lf (void)
{
  g_autoptr(DocentChatBackend) backend = backend_for ("stream-lf", NULL, NULL, 0);
  Collected collected = collected_new ();
  DocentChatOptions options = { 0, 0.0f, 0, collect, &collected };
  DocentChatResult result = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *auth = server_last (&srv.authorization);
  g_autofree char *body = NULL;
  JsonObject *request;

  g_clear_pointer (&auth, g_free);
  g_assert_true (docent_chat_backend_chat (backend, test_messages, &options, NULL, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (collected.pieces->len, ==, 3);
  g_assert_cmpstr (result.text, ==, "One two!");
  g_assert_cmpuint (result.generated_tokens, ==, 3);   /* the deltas */
  g_assert_cmpuint (result.prompt_tokens, ==, 0);

  auth = server_last (&srv.authorization);
  g_assert_null (auth);
  body = server_last (&srv.body);
  g_assert_true (json_parser_load_from_data (parser, body, -1, NULL));
  request = json_node_get_object (json_parser_get_root (parser));
  g_assert_false (json_object_has_member (request, "model"));
  g_assert_cmpint (json_object_get_int_member (request, "max_tokens"), ==, 512);
  docent_chat_result_clear (&result);
  g_ptr_array_unref (collected.pieces);
}

/* [DONE] ends the reply even when the server keeps the stream open. */
static void
test_done_open (void)
{
  Collected collected = collected_new ();
  DocentChatResult result = { 0 };
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  g_assert_true (chat ("done-open", 0, &collected, NULL, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (result.text, ==, "Done");
  g_assert_cmpfloat ((g_get_monotonic_time () - start) / 1e6, <, 3.0);
  docent_chat_result_clear (&result);
  g_ptr_array_unref (collected.pieces);
}

/* A server that ignores "stream": true. */
static void
test_json_reply (void)
{
  Collected collected = collected_new ();
  DocentChatResult result = { 0 };
  g_autoptr(GError) error = NULL;

  g_assert_true (chat ("json", 0, &collected, NULL, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (collected.pieces->len, ==, 1);
  g_assert_cmpstr (collected.pieces->pdata[0], ==, "Paris [1].");
  g_assert_cmpstr (result.text, ==, "Paris [1].");
  g_assert_cmpuint (result.generated_tokens, ==, 4);
  g_assert_cmpuint (result.prompt_tokens, ==, 30);
  g_assert_cmpfloat (result.first_token_ms, >, 0.0);
  docent_chat_result_clear (&result);
  g_ptr_array_unref (collected.pieces);
}

static void
assert_chat_fails (const char *scenario,
                   guint       timeout,
                   GQuark      domain,
                   int         code,
                   const char *const *needles)
{
  Collected collected = collected_new ();
  DocentChatResult result = { 0 };
  g_autoptr(GError) error = NULL;

  g_assert_false (chat (scenario, timeout, &collected, NULL, &result, &error));
  g_assert_error (error, domain, code);
  g_test_message ("%s: %s", scenario, error->message);
  for (guint i = 0; needles != NULL && needles[i] != NULL; i++)
    g_assert_nonnull (strstr (error->message, needles[i]));
  docent_chat_result_clear (&result);
  g_ptr_array_unref (collected.pieces);
}

static void
test_http_errors (void)
{
  g_autofree char *url401 = g_strdup_printf ("http://127.0.0.1:%u/e401/v1/chat/completions", srv.port);
  g_autofree char *url500 = g_strdup_printf ("http://127.0.0.1:%u/e500/v1/chat/completions", srv.port);
  const char *const n401[] = { url401, "401", "Incorrect API key provided", NULL };
  const char *const n500[] = { url500, "500", NULL };
  const char *const nredirect[] = { "307", "not followed", NULL };

  assert_chat_fails ("e401", 0, DOCENT_REMOTE_ERROR, DOCENT_REMOTE_ERROR_HTTP, n401);
  assert_chat_fails ("e500", 0, DOCENT_REMOTE_ERROR, DOCENT_REMOTE_ERROR_HTTP, n500);
  assert_chat_fails ("redirect", 0, DOCENT_REMOTE_ERROR, DOCENT_REMOTE_ERROR_HTTP, nredirect);
}

static void
test_protocol_errors (void)
{
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/garbage/v1/chat/completions", srv.port);
  const char *const ngarbage[] = { url, "JSON", NULL };
  const char *const nchoices[] = { "choices", NULL };
  const char *const nserver[] = { "the model crashed", NULL };

  assert_chat_fails ("garbage", 0, DOCENT_REMOTE_ERROR, DOCENT_REMOTE_ERROR_PROTOCOL, ngarbage);
  assert_chat_fails ("sse-garbage", 0, DOCENT_REMOTE_ERROR, DOCENT_REMOTE_ERROR_PROTOCOL, NULL);
  assert_chat_fails ("nochoices", 0, DOCENT_REMOTE_ERROR, DOCENT_REMOTE_ERROR_PROTOCOL, nchoices);
  assert_chat_fails ("empty", 0, DOCENT_REMOTE_ERROR, DOCENT_REMOTE_ERROR_PROTOCOL, NULL);
  assert_chat_fails ("stream-error", 0, DOCENT_REMOTE_ERROR, DOCENT_REMOTE_ERROR_PROTOCOL, nserver);
}

static void
test_timeout (void)
{
  const char *const needles[] = { "127.0.0.1", "1 s", NULL };
  gint64 start = g_get_monotonic_time ();
  double seconds;

  assert_chat_fails ("slow", 1, DOCENT_REMOTE_ERROR, DOCENT_REMOTE_ERROR_TIMEOUT, needles);
  seconds = (g_get_monotonic_time () - start) / 1e6;
  g_assert_cmpfloat (seconds, >=, 0.9);
  g_assert_cmpfloat (seconds, <, 5.0);
}

/* A port nobody listens on: bound, then closed again. */
static guint
closed_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (socket, address, FALSE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  g_socket_close (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static void
test_refused (void)
{
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u", closed_port ());
  g_autofree char *endpoint = g_strconcat (url, "/v1/chat/completions", NULL);
  DocentRemoteConfig config = { url, "m", NULL, 5, 0 };
  g_autoptr(DocentChatBackend) backend = docent_remote_backend_new (&config, NULL);
  DocentChatResult result = { 0 };
  g_autoptr(GError) error = NULL;
  const char *texts[] = { "x" };
  guint dim = 7;

  g_assert_false (docent_chat_backend_chat (backend, test_messages, NULL, NULL, &result, &error));
  g_assert_error (error, DOCENT_REMOTE_ERROR, DOCENT_REMOTE_ERROR_CONNECT);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, endpoint));
  docent_chat_result_clear (&result);
  g_clear_error (&error);

  g_assert_null (docent_remote_embed (&config, texts, 1, &dim, NULL, &error));
  g_assert_error (error, DOCENT_REMOTE_ERROR, DOCENT_REMOTE_ERROR_CONNECT);
  g_assert_cmpuint (dim, ==, 0);
  g_clear_error (&error);

  /* An IPv6 literal keeps its brackets in the URL. */
  {
    g_autofree char *url6 = g_strdup_printf ("http://[::1]:%u/v1/", closed_port ());
    DocentRemoteConfig config6 = { url6, "m", NULL, 5, 0 };
    g_autoptr(DocentChatBackend) backend6 = docent_remote_backend_new (&config6, NULL);

    g_assert_false (docent_chat_backend_chat (backend6, test_messages, NULL, NULL, &result, &error));
    g_assert_error (error, DOCENT_REMOTE_ERROR, DOCENT_REMOTE_ERROR_CONNECT);
    g_test_message ("%s", error->message);
    g_assert_nonnull (strstr (error->message, "http://[::1]:"));
    docent_chat_result_clear (&result);
  }
}

/* Cancelled from the callback after the first delta, while the server
 * keeps the stream open. */
static void
test_cancel_from_callback (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Collected collected = collected_new ();
  DocentChatResult result = { 0 };
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  collected.cancel_after_first = cancellable;
  g_assert_false (chat ("cancel", 0, &collected, cancellable, &result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (collected.pieces->len, ==, 1);
  g_assert_cmpstr (collected.pieces->pdata[0], ==, "First");
  g_assert_cmpstr (result.text, ==, "First");   /* what came before stays */
  g_assert_cmpfloat ((g_get_monotonic_time () - start) / 1e6, <, 3.0);
  docent_chat_result_clear (&result);
  g_ptr_array_unref (collected.pieces);
}

static gpointer
cancel_later (gpointer data)
{
  g_usleep (300 * 1000);
  g_cancellable_cancel (data);
  return NULL;
}

/* Cancelled from another thread while blocked reading the open stream. */
static void
test_cancel_blocked (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Collected collected = collected_new ();
  DocentChatResult result = { 0 };
  g_autoptr(GError) error = NULL;
  GThread *thread = g_thread_new ("cancel", cancel_later, cancellable);
  gint64 start = g_get_monotonic_time ();

  g_assert_false (chat ("cancel", 0, &collected, cancellable, &result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (collected.pieces->len, ==, 1);
  g_assert_cmpfloat ((g_get_monotonic_time () - start) / 1e6, <, 3.0);
  g_thread_join (thread);
  docent_chat_result_clear (&result);
  g_ptr_array_unref (collected.pieces);
}

/* Already cancelled: no request at all. */
static void
test_cancel_before (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Collected collected = collected_new ();
  DocentChatResult result = { 0 };
  g_autoptr(GError) error = NULL;
  guint before = server_requests ();

  g_cancellable_cancel (cancellable);
  g_assert_false (chat ("stream", 0, &collected, cancellable, &result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (collected.pieces->len, ==, 0);
  g_assert_cmpuint (server_requests (), ==, before);
  docent_chat_result_clear (&result);
  g_ptr_array_unref (collected.pieces);
}

static void
test_embed (void)
{
  g_autofree char *url = url_for ("embed/v1");
  DocentRemoteConfig config = { url, "emb", "k", 5, 0 };
  const char *texts[] = { "first text", "second \"text\"" };
  static const float expected[] = { 1.0f, 0.25f, -0.5f, 0.5f, -1.25f, 2.0f };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *path = NULL, *body = NULL, *auth = NULL;
  g_autofree float *vectors = NULL;
  JsonObject *request;
  JsonArray *input;
  guint dim = 0;

  vectors = docent_remote_embed (&config, texts, 2, &dim, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (vectors);
  g_assert_cmpuint (dim, ==, 3);
  for (guint i = 0; i < 6; i++)
    g_assert_cmpfloat (vectors[i], ==, expected[i]);

  path = server_last (&srv.path);
  body = server_last (&srv.body);
  auth = server_last (&srv.authorization);
  g_assert_cmpstr (path, ==, "/embed/v1/embeddings");
  g_assert_cmpstr (auth, ==, "Bearer k");
  g_assert_true (json_parser_load_from_data (parser, body, -1, NULL));
  request = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (request, "model"), ==, "emb");
  input = json_object_get_array_member (request, "input");
  g_assert_cmpuint (json_array_get_length (input), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (input, 0), ==, texts[0]);
  g_assert_cmpstr (json_array_get_string_element (input, 1), ==, texts[1]);
}

static void
test_embed_errors (void)
{
  static const char *const scenarios[] = { "embed-dims", "embed-count", "garbage", "e401" };
  static const int codes[] = {
    DOCENT_REMOTE_ERROR_PROTOCOL, DOCENT_REMOTE_ERROR_PROTOCOL,
    DOCENT_REMOTE_ERROR_PROTOCOL, DOCENT_REMOTE_ERROR_HTTP,
  };
  const char *texts[] = { "a", "b" };

  for (guint i = 0; i < G_N_ELEMENTS (scenarios); i++)
    {
      g_autofree char *url = url_for (scenarios[i]);
      DocentRemoteConfig config = { url, NULL, NULL, 5, 0 };
      g_autoptr(GError) error = NULL;
      guint dim = 99;

      g_assert_null (docent_remote_embed (&config, texts, 2, &dim, NULL, &error));
      g_assert_error (error, DOCENT_REMOTE_ERROR, codes[i]);
      g_test_message ("%s: %s", scenarios[i], error->message);
      g_assert_cmpuint (dim, ==, 0);
    }
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  /* A proxy in the environment (which libproxy would use even for
   * 127.0.0.1) must not see requests to a loopback server: point it at
   * a closed local port, so a request through it fails at once. */
  {
    g_autofree char *proxy = g_strdup_printf ("http://127.0.0.1:%u", closed_port ());

    g_setenv ("http_proxy", proxy, TRUE);
    g_setenv ("HTTP_PROXY", proxy, TRUE);
    g_setenv ("https_proxy", proxy, TRUE);
    g_unsetenv ("no_proxy");
    g_unsetenv ("NO_PROXY");
  }
  server_start ();

  g_test_add_func ("/remote/new", test_new);
  g_test_add_func ("/remote/base-urls", test_base_urls);
  g_test_add_func ("/remote/stream", test_stream);
  g_test_add_func ("/remote/stream-lf", test_stream_lf);
  g_test_add_func ("/remote/done-open", test_done_open);
  g_test_add_func ("/remote/json-reply", test_json_reply);
  g_test_add_func ("/remote/http-errors", test_http_errors);
  g_test_add_func ("/remote/protocol-errors", test_protocol_errors);
  g_test_add_func ("/remote/timeout", test_timeout);
  g_test_add_func ("/remote/refused", test_refused);
  g_test_add_func ("/remote/cancel-from-callback", test_cancel_from_callback);
  g_test_add_func ("/remote/cancel-blocked", test_cancel_blocked);
  g_test_add_func ("/remote/cancel-before", test_cancel_before);
  g_test_add_func ("/remote/embed", test_embed);
  g_test_add_func ("/remote/embed-errors", test_embed_errors);

  status = g_test_run ();
  server_stop ();
  return status;
}
