/* remote.c — an OpenAI-compatible server as a chat backend and embedder.
 *
 * Every call is synchronous on the calling thread (the answer pipeline runs
 * it on a worker thread) and has its own SoupSession, created after pushing
 * a private GMainContext as the thread default. libsoup ≥ 3.2 sends
 * synchronously from any thread and does not need a running loop for it,
 * but a session remembers the thread-default context at creation and
 * attaches its sources (idle connection timeouts and the like) there;
 * without our own context that would be the global default one, which the
 * UI thread dispatches. A session per call also means nothing is shared
 * between threads and no connection outlives the call. (The streaming
 * callback runs with that private context as the thread default;
 * g_idle_add () and g_main_context_invoke (NULL, …) still reach the global
 * one.)
 *
 * Privacy: the server is contacted only by docent_chat_backend_chat() on a
 * remote backend and by docent_remote_embed(); creating a backend only
 * parses the URL. No cookies, no Accept-Language, redirects are not
 * followed (a redirect could send the question elsewhere). Proxies: a
 * SoupSession uses g_proxy_resolver_get_default(), which with
 * glib-networking is libproxy (http_proxy/https_proxy/no_proxy from the
 * environment, desktop settings) or GNOME's proxy settings. For a loopback
 * server (127.0.0.0/8, ::1, localhost) we switch proxies off, so the
 * question never goes through a proxy an environment variable names; for
 * any other host the system's proxy configuration applies, as the user
 * may need it to reach their server.
 *
 * The reply is read in chunks: server-sent events (`data: {json}` lines,
 * `data: [DONE]`, `:` comments, LF, CRLF or CR line ends, events split
 * anywhere across reads), or one JSON body from a server that ignored
 * "stream": true — told apart by the first byte that is not white space. */
#include "engine/remote.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

G_DEFINE_QUARK (docent-remote-error-quark, docent_remote_error)

#define DEFAULT_TIMEOUT 120u
#define DEFAULT_CONTEXT 8192u
#define DEFAULT_MAX_TOKENS 512u
#define READ_SIZE 8192
#define MAX_JSON_DEPTH 64
/* Limits against a misbehaving server. */
#define MAX_EVENT_BYTES (16u << 20)
#define MAX_TEXT_BYTES (32u << 20)
#define MAX_BODY_BYTES (64u << 20)
#define MAX_EMBED_BODY_BYTES (512u << 20)
#define MAX_ERROR_BODY_BYTES (64u << 10)

/* ---- URLs ---- */

/* Where a configuration points: the endpoint's URI and how to name it in
 * messages (without any user:password). */
typedef struct {
  GUri *uri;
  char *display;
  gboolean loopback;
} Target;

static void
target_clear (Target *target)
{
  g_clear_pointer (&target->uri, g_uri_unref);
  g_clear_pointer (&target->display, g_free);
}

static gboolean
host_is_loopback (const char *host)
{
  g_autoptr(GInetAddress) address = NULL;

  if (g_ascii_strcasecmp (host, "localhost") == 0
      || g_str_has_suffix (host, ".localhost"))
    return TRUE;
  address = g_inet_address_new_from_string (host);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

static gboolean
strip_suffix (GString    *path,
              const char *suffix)
{
  gsize n = strlen (suffix);

  if (path->len >= n && memcmp (path->str + path->len - n, suffix, n) == 0)
    {
      g_string_truncate (path, path->len - n);
      return TRUE;
    }
  return FALSE;
}

static void
strip_slashes (GString *path)
{
  while (path->len > 0 && path->str[path->len - 1] == '/')
    g_string_truncate (path, path->len - 1);
}

/* BASE/v1/<endpoint> for a base URL given with or without "/v1", with or
 * without a trailing "/", or even as the full endpoint URL. */
static gboolean
target_init (Target     *target,
             const char *base_url,
             const char *endpoint,
             GError    **error)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (base_url != NULL ? base_url : ""));
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GString) path = NULL;
  const char *scheme, *host;

  memset (target, 0, sizeof *target);
  uri = g_uri_parse (trimmed, G_URI_FLAGS_ENCODED | G_URI_FLAGS_SCHEME_NORMALIZE, NULL);
  scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;
  host = uri != NULL ? g_uri_get_host (uri) : NULL;
  if (scheme == NULL
      || (g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0)
      || host == NULL || *host == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "“%s” is not a server address (http://host:port or https://host:port)",
                   trimmed);
      return FALSE;
    }

  path = g_string_new (g_uri_get_path (uri));
  strip_slashes (path);
  if (strip_suffix (path, "/chat/completions") || strip_suffix (path, "/embeddings"))
    strip_slashes (path);
  strip_suffix (path, "/v1");
  g_string_append (path, "/v1/");
  g_string_append (path, endpoint);

  target->uri = g_uri_build (G_URI_FLAGS_ENCODED,
                             g_ascii_strcasecmp (scheme, "https") == 0 ? "https" : "http",
                             g_uri_get_userinfo (uri), host, g_uri_get_port (uri),
                             path->str, g_uri_get_query (uri), NULL);
  target->display = g_uri_to_string_partial (target->uri, G_URI_HIDE_USERINFO);
  target->loopback = host_is_loopback (host);
  return TRUE;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Target, target_clear)

/* ---- JSON helpers ---- */

static JsonObject *
member_object (JsonObject *object,
               const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static JsonArray *
member_array (JsonObject *object,
              const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static gboolean
node_is_number (JsonNode *node)
{
  GType type;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  type = json_node_get_value_type (node);
  return type == G_TYPE_INT64 || type == G_TYPE_DOUBLE;
}

static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gboolean
member_number (JsonObject *object,
               const char *name,
               double     *out)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (!node_is_number (node))
    return FALSE;
  *out = json_node_get_double (node);
  return TRUE;
}

static guint
clamp_count (double value)
{
  return value <= 0 ? 0 : value >= G_MAXUINT ? G_MAXUINT : (guint) value;
}

/* json-glib's parser recurses once per nesting level; a hostile reply
 * must not be able to exhaust the worker thread's stack. */
static gboolean
json_depth_ok (const char *data,
               gsize       len)
{
  guint depth = 0;
  gboolean in_string = FALSE, escaped = FALSE;

  for (gsize i = 0; i < len; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (escaped)
            escaped = FALSE;
          else if (c == '\\')
            escaped = TRUE;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if (c == '{' || c == '[')
        {
          if (++depth > MAX_JSON_DEPTH)
            return FALSE;
        }
      else if ((c == '}' || c == ']') && depth > 0)
        depth--;
    }
  return TRUE;
}

/* The root object of a JSON text, or a PROTOCOL error. */
static JsonNode *
parse_object (const char   *data,
              gsize         len,
              const Target *target,
              GError      **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  if (!json_depth_ok (data, len))
    {
      g_set_error (error, DOCENT_REMOTE_ERROR, DOCENT_REMOTE_ERROR_PROTOCOL,
                   "%s sent JSON nested too deeply", target->display);
      return NULL;
    }
  if (!json_parser_load_from_data (parser, data, (gssize) len, &local_error))
    {
      g_set_error (error, DOCENT_REMOTE_ERROR, DOCENT_REMOTE_ERROR_PROTOCOL,
                   "%s sent a reply that is not valid JSON: %s",
                   target->display, local_error->message);
      return NULL;
    }
  root = json_parser_steal_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_clear_pointer (&root, json_node_unref);
      g_set_error (error, DOCENT_REMOTE_ERROR, DOCENT_REMOTE_ERROR_PROTOCOL,
                   "%s sent a reply that is not a JSON object", target->display);
      return NULL;
    }
  return root;
}

/* The error a server describes in a JSON body: OpenAI and llama.cpp
 * {"error": {"message"}}, Ollama {"error": "..."}, vLLM {"message"},
 * FastAPI {"detail"}. */
static const char *
error_message_of (JsonObject *object)
{
  JsonObject *inner = member_object (object, "error");
  const char *message;

  if (inner != NULL && (message = member_string (inner, "message")) != NULL)
    return message;
  if ((message = member_string (object, "error")) != NULL)
    return message;
  if (json_object_has_member (object, "error") || member_string (object, "object") != NULL)
    {
      if ((message = member_string (object, "message")) != NULL)
        return message;
    }
  return member_string (object, "detail");
}

/* ---- HTTP ---- */

typedef struct {
  GMainContext *context;
  SoupSession *session;
  SoupMessage *message;
  GInputStream *body;
  const Target *target;
  guint timeout;
} Request;

static void
request_clear (Request *request)
{
  if (request->body != NULL)
    g_input_stream_close (request->body, NULL, NULL);
  g_clear_object (&request->body);
  g_clear_object (&request->message);
  if (request->session != NULL)
    soup_session_abort (request->session);
  g_clear_object (&request->session);
  if (request->context != NULL)
    {
      /* Let libsoup's sources finish before the context goes. */
      for (guint i = 0; i < 100 && g_main_context_iteration (request->context, FALSE); i++)
        ;
      g_main_context_pop_thread_default (request->context);
      g_clear_pointer (&request->context, g_main_context_unref);
    }
}

/* Turns an I/O error into a DOCENT_REMOTE_ERROR (or keeps a cancellation). */
static void
set_transfer_error (GError       **error,
                    GError        *cause,
                    const Request *request,
                    GCancellable  *cancellable,
                    gboolean       connecting)
{
  if (g_cancellable_is_cancelled (cancellable))
    g_cancellable_set_error_if_cancelled (cancellable, error);
  else if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_propagate_error (error, g_steal_pointer (&cause));
  else if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    g_set_error (error, DOCENT_REMOTE_ERROR, DOCENT_REMOTE_ERROR_TIMEOUT,
                 connecting ? "%s did not answer within %u s"
                            : "%s sent nothing for %u s",
                 request->target->display, request->timeout);
  else
    g_set_error (error, DOCENT_REMOTE_ERROR, DOCENT_REMOTE_ERROR_CONNECT,
                 connecting ? "cannot reach %s: %s" : "lost the connection to %s: %s",
                 request->target->display, cause->message);
  g_clear_error (&cause);
}

/* Up to `size` bytes of the body; 0 at its end, -1 on error. */
static gssize
request_read (Request      *request,
              char         *buffer,
              gsize         size,
              GCancellable *cancellable,
              GError      **error)
{
  GError *local_error = NULL;
  gssize n = g_input_stream_read (request->body, buffer, size, cancellable, &local_error);

  if (n < 0)
    set_transfer_error (error, local_error, request, cancellable, FALSE);
  return n;
}

/* The whole body (at most max_bytes), NUL-terminated. */
static GByteArray *
request_read_all (Request      *request,
                  gsize         max_bytes,
                  GCancellable *cancellable,
                  GError      **error)
{
  g_autoptr(GByteArray) data = g_byte_array_new ();
  char buffer[READ_SIZE];
  gssize n;

  while ((n = request_read (request, buffer, sizeof buffer, cancellable, error)) > 0)
    {
      if (data->len + (gsize) n > max_bytes)
        {
          g_set_error (error, DOCENT_REMOTE_ERROR, DOCENT_REMOTE_ERROR_PROTOCOL,
                       "the reply of %s is larger than %" G_GSIZE_FORMAT " MiB",
                       request->target->display, max_bytes >> 20);
          return NULL;
        }
      g_byte_array_append (data, (const guint8 *) buffer, (guint) n);
    }
  if (n < 0)
    return NULL;
  g_byte_array_append (data, (const guint8 *) "", 1);
  g_byte_array_set_size (data, data->len - 1);
  return g_steal_pointer (&data);
}

static void
set_http_error (Request      *request,
                GCancellable *cancellable,
                GError      **error)
{
  guint status = soup_message_get_status (request->message);
  const char *reason = soup_message_get_reason_phrase (request->message);
  g_autoptr(GByteArray) body = NULL;
  g_autoptr(JsonNode) root = NULL;
  const char *message = NULL;

  if (reason == NULL || *reason == '\0')
    reason = soup_status_get_phrase (status);
  if (reason == NULL)
    reason = "";
  if (SOUP_STATUS_IS_REDIRECTION (status))
    {
      const char *location = soup_message_headers_get_one (soup_message_get_response_headers (request->message),
                                                           "Location");

      g_set_error (error, DOCENT_REMOTE_ERROR, DOCENT_REMOTE_ERROR_HTTP,
                   "%s answered HTTP %u %s, a redirect to %s (not followed)",
                   request->target->display, status, reason,
                   location != NULL ? location : "nowhere");
      return;
    }
  body = request_read_all (request, MAX_ERROR_BODY_BYTES, cancellable, NULL);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return;
  if (body != NULL && body->len > 0)
    root = parse_object ((const char *) body->data, body->len, request->target, NULL);
  if (root != NULL)
    message = error_message_of (json_node_get_object (root));
  if (message != NULL && *message != '\0')
    g_set_error (error, DOCENT_REMOTE_ERROR, DOCENT_REMOTE_ERROR_HTTP,
                 "%s answered HTTP %u %s: %s", request->target->display, status, reason, message);
  else
    g_set_error (error, DOCENT_REMOTE_ERROR, DOCENT_REMOTE_ERROR_HTTP,
                 "%s answered HTTP %u %s", request->target->display, status, reason);
}

/* POSTs a JSON body to the target; on success request->body is the reply
 * of a 2xx status. On failure the caller still clears the request. */
static gboolean
request_post (Request      *request,
              const Target *target,
              const char   *api_key,
              guint         timeout,
              JsonNode     *json,
              const char   *accept,
              GCancellable *cancellable,
              GError      **error)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(GBytes) bytes = NULL;
  SoupMessageHeaders *headers;
  GError *local_error = NULL;
  char *text;
  gsize len;

  memset (request, 0, sizeof *request);
  request->target = target;
  request->timeout = timeout > 0 ? timeout : DEFAULT_TIMEOUT;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  request->context = g_main_context_new ();
  g_main_context_push_thread_default (request->context);
  request->session = soup_session_new ();
  /* timeout: connecting, and any single read or write (a slow model may
   * stream for long, but never falls silent that long). */
  soup_session_set_timeout (request->session, request->timeout);
  soup_session_set_idle_timeout (request->session, request->timeout);
  if (target->loopback)
    soup_session_set_proxy_resolver (request->session, NULL);

  json_generator_set_root (generator, json);
  text = json_generator_to_data (generator, &len);
  bytes = g_bytes_new_take (text, len);

  request->message = soup_message_new_from_uri (SOUP_METHOD_POST, target->uri);
  soup_message_add_flags (request->message, SOUP_MESSAGE_NO_REDIRECT);
  soup_message_set_request_body_from_bytes (request->message, "application/json", bytes);
  headers = soup_message_get_request_headers (request->message);
  soup_message_headers_replace (headers, "Accept", accept);
  if (api_key != NULL && *api_key != '\0')
    {
      g_autofree char *bearer = g_strconcat ("Bearer ", api_key, NULL);

      soup_message_headers_replace (headers, "Authorization", bearer);
    }

  request->body = soup_session_send (request->session, request->message, cancellable, &local_error);
  if (request->body == NULL)
    {
      set_transfer_error (error, local_error, request, cancellable, TRUE);
      return FALSE;
    }
  if (!SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (request->message)))
    {
      set_http_error (request, cancellable, error);
      return FALSE;
    }
  return TRUE;
}

/* ---- the chat backend ---- */

typedef struct {
  DocentChatBackend parent;
  char *base_url;
  char *model;
  char *api_key;
  guint timeout_seconds;
  guint context_size;
  Target target;
} RemoteBackend;

/* What a reply has said so far. */
typedef struct {
  const DocentChatOptions *options;
  const Target *target;
  GCancellable *cancellable;
  GString *text;
  guint n_pieces;
  gint64 first_piece;             /* monotonic µs, 0: none yet */
  gboolean saw_choices;
  gboolean has_usage;
  guint prompt_tokens;
  guint completion_tokens;
  double prompt_ms;

  /* Server-sent events. */
  GString *line;
  GString *data;
  gboolean has_data;
  gboolean error_event;
  gboolean after_cr;
  gboolean done;
} Reply;

static gboolean
reply_piece (Reply      *reply,
             const char *text,
             gsize       len,
             GError    **error)
{
  g_autofree char *valid = NULL;

  if (len == 0)
    return TRUE;
  if (!g_utf8_validate_len (text, len, NULL))
    {
      valid = g_utf8_make_valid (text, (gssize) len);
      text = valid;
      len = strlen (valid);
    }
  if (reply->text->len + len > MAX_TEXT_BYTES)
    {
      g_set_error (error, DOCENT_REMOTE_ERROR, DOCENT_REMOTE_ERROR_PROTOCOL,
                   "%s sent more than %u MiB of text", reply->target->display, MAX_TEXT_BYTES >> 20);
      return FALSE;
    }
  if (reply->first_piece == 0)
    reply->first_piece = g_get_monotonic_time ();
  g_string_append_len (reply->text, text, (gssize) len);
  reply->n_pieces++;
  if (reply->options != NULL && reply->options->callback != NULL)
    {
      /* The callback wants a NUL-terminated piece. */
      if (valid == NULL && text[len] != '\0')
        {
          valid = g_strndup (text, len);
          text = valid;
        }
      reply->options->callback (text, len, reply->options->user_data);
    }
  return !g_cancellable_set_error_if_cancelled (reply->cancellable, error);
}

static void
reply_usage (Reply      *reply,
             JsonObject *object)
{
  JsonObject *usage = member_object (object, "usage");
  JsonObject *timings = member_object (object, "timings");   /* llama.cpp */
  double value;

  if (usage != NULL)
    {
      if (member_number (usage, "prompt_tokens", &value))
        reply->prompt_tokens = clamp_count (value);
      if (member_number (usage, "completion_tokens", &value))
        {
          reply->completion_tokens = clamp_count (value);
          reply->has_usage = TRUE;
        }
    }
  if (timings != NULL && member_number (timings, "prompt_ms", &value) && value > 0)
    reply->prompt_ms = value;
}

static gboolean
server_error (Reply      *reply,
              const char *message,
              GError    **error)
{
  g_set_error (error, DOCENT_REMOTE_ERROR, DOCENT_REMOTE_ERROR_PROTOCOL,
               "%s reported an error: %s", reply->target->display,
               message != NULL && *message != '\0' ? message : "(no message)");
  return FALSE;
}

/* One streamed chunk: {"choices": [{"delta": {"content": "..."}}], ...}. */
static gboolean
reply_chunk (Reply      *reply,
             JsonObject *object,
             GError    **error)
{
  JsonArray *choices = member_array (object, "choices");
  JsonNode *first;

  if (json_object_has_member (object, "error"))
    return server_error (reply, error_message_of (object), error);
  reply_usage (reply, object);
  if (choices == NULL)
    return TRUE;
  reply->saw_choices = TRUE;
  if (json_array_get_length (choices) == 0)
    return TRUE;               /* the usage chunk of OpenAI's stream_options */
  first = json_array_get_element (choices, 0);
  if (JSON_NODE_HOLDS_OBJECT (first))
    {
      JsonObject *choice = json_node_get_object (first);
      JsonObject *delta = member_object (choice, "delta");
      const char *content;

      if (delta == NULL)
        delta = member_object (choice, "message");
      content = member_string (delta, "content");
      if (content != NULL)
        return reply_piece (reply, content, strlen (content), error);
    }
  return TRUE;
}

static gboolean
sse_dispatch (Reply   *reply,
              GError **error)
{
  g_autoptr(JsonNode) root = NULL;
  gboolean error_event = reply->error_event;
  gboolean ok;

  reply->error_event = FALSE;
  if (!reply->has_data)
    return TRUE;
  reply->has_data = FALSE;
  if (!error_event && strcmp (reply->data->str, "[DONE]") == 0)
    {
      reply->done = TRUE;
      return TRUE;
    }
  if (error_event)
    {
      /* `event: error` or llama.cpp's `error: {...}`. */
      root = parse_object (reply->data->str, reply->data->len, reply->target, NULL);
      return server_error (reply, root != NULL ? error_message_of (json_node_get_object (root))
                                               : reply->data->str, error);
    }
  root = parse_object (reply->data->str, reply->data->len, reply->target, error);
  ok = root != NULL && reply_chunk (reply, json_node_get_object (root), error);
  g_string_truncate (reply->data, 0);
  return ok;
}

static gboolean
sse_line (Reply   *reply,
          GError **error)
{
  const char *line = reply->line->str;
  const char *colon, *value;
  gsize field_len;

  if (reply->line->len == 0)
    return sse_dispatch (reply, error);
  if (line[0] == ':')
    return TRUE;                /* a comment (keep-alive) */
  colon = memchr (line, ':', reply->line->len);
  field_len = colon != NULL ? (gsize) (colon - line) : reply->line->len;
  value = colon != NULL ? colon + 1 : line + reply->line->len;
  if (*value == ' ')
    value++;
  if ((field_len == 4 && memcmp (line, "data", 4) == 0)
      || (field_len == 5 && memcmp (line, "error", 5) == 0))
    {
      if (!reply->has_data)
        g_string_truncate (reply->data, 0);
      else
        g_string_append_c (reply->data, '\n');
      g_string_append_len (reply->data, value, (gssize) (reply->line->str + reply->line->len - value));
      reply->has_data = TRUE;
      if (field_len == 5)
        reply->error_event = TRUE;
    }
  else if (field_len == 5 && memcmp (line, "event", 5) == 0)
    reply->error_event = strcmp (value, "error") == 0;
  /* id, retry and unknown fields are ignored. */
  return TRUE;
}

static gboolean
sse_feed (Reply      *reply,
          const char *buffer,
          gsize       len,
          GError    **error)
{
  gsize i = 0;

  while (i < len && !reply->done)
    {
      gsize j;

      if (reply->after_cr)
        {
          reply->after_cr = FALSE;
          if (buffer[i] == '\n')
            {
              i++;
              continue;
            }
        }
      for (j = i; j < len && buffer[j] != '\n' && buffer[j] != '\r'; j++)
        ;
      g_string_append_len (reply->line, buffer + i, (gssize) (j - i));
      if (reply->line->len + reply->data->len > MAX_EVENT_BYTES)
        {
          g_set_error (error, DOCENT_REMOTE_ERROR, DOCENT_REMOTE_ERROR_PROTOCOL,
                       "%s sent an event larger than %u MiB",
                       reply->target->display, MAX_EVENT_BYTES >> 20);
          return FALSE;
        }
      if (j == len)
        break;
      reply->after_cr = buffer[j] == '\r';
      i = j + 1;
      if (!sse_line (reply, error))
        return FALSE;
      g_string_truncate (reply->line, 0);
    }
  return TRUE;
}

/* The stream ended without [DONE]: what is pending still counts. */
static gboolean
sse_finish (Reply   *reply,
            GError **error)
{
  if (reply->done)
    return TRUE;
  if (reply->line->len > 0)
    {
      if (!sse_line (reply, error))
        return FALSE;
      g_string_truncate (reply->line, 0);
    }
  return sse_dispatch (reply, error);
}

/* A complete JSON reply: {"choices": [{"message": {"content": "..."}}]}. */
static gboolean
json_reply (Reply       *reply,
            GByteArray  *body,
            GError     **error)
{
  g_autoptr(JsonNode) root = parse_object ((const char *) body->data, body->len,
                                           reply->target, error);

  return root != NULL && reply_chunk (reply, json_node_get_object (root), error);
}

static JsonNode *
chat_request_json (RemoteBackend           *self,
                   const char *const       *messages,
                   const DocentChatOptions *options)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  guint max_tokens = options != NULL && options->max_tokens > 0 ? options->max_tokens
                                                                : DEFAULT_MAX_TOKENS;

  json_builder_begin_object (builder);
  if (self->model != NULL && *self->model != '\0')
    {
      json_builder_set_member_name (builder, "model");
      json_builder_add_string_value (builder, self->model);
    }
  json_builder_set_member_name (builder, "messages");
  json_builder_begin_array (builder);
  for (guint i = 0; messages != NULL && messages[i] != NULL && messages[i + 1] != NULL; i += 2)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "role");
      json_builder_add_string_value (builder, messages[i]);
      json_builder_set_member_name (builder, "content");
      json_builder_add_string_value (builder, messages[i + 1]);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "stream");
  json_builder_add_boolean_value (builder, TRUE);
  /* OpenAI only reports usage in a stream when asked; others ignore it. */
  json_builder_set_member_name (builder, "stream_options");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "include_usage");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "max_tokens");
  json_builder_add_int_value (builder, max_tokens);
  json_builder_set_member_name (builder, "temperature");
  json_builder_add_double_value (builder, options != NULL ? options->temperature : 0.0);
  /* Servers read the seed into 32-bit integers (llama.cpp: uint32). */
  json_builder_set_member_name (builder, "seed");
  json_builder_add_int_value (builder, options != NULL ? (gint64) (options->seed & G_MAXINT32) : 0);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static gboolean
remote_chat (DocentChatBackend        *backend,
             const char *const        *messages,
             const DocentChatOptions  *options,
             GCancellable             *cancellable,
             DocentChatResult         *result,
             GError                  **error)
{
  RemoteBackend *self = (RemoteBackend *) backend;
  g_autoptr(JsonNode) json = chat_request_json (self, messages, options);
  g_autoptr(GByteArray) body = NULL;
  Request request;
  Reply reply = { 0 };
  gint64 start = g_get_monotonic_time (), end;
  gboolean ok = FALSE, streamed = FALSE;

  reply.options = options;
  reply.target = &self->target;
  reply.cancellable = cancellable;
  reply.text = g_string_new (NULL);
  reply.line = g_string_new (NULL);
  reply.data = g_string_new (NULL);

  if (request_post (&request, &self->target, self->api_key, self->timeout_seconds, json,
                    "text/event-stream, application/json", cancellable, error))
    {
      char buffer[READ_SIZE];
      gboolean decided = FALSE;
      gssize n;

      ok = TRUE;
      body = g_byte_array_new ();
      while (ok && !reply.done
             && (n = request_read (&request, buffer, sizeof buffer, cancellable, error)) != 0)
        {
          if (n < 0)
            {
              ok = FALSE;
              break;
            }
          if (!decided)
            {
              /* A stream starts with a field or comment, a body with "{". */
              for (gssize i = 0; i < n && !decided; i++)
                if (!g_ascii_isspace (buffer[i]))
                  {
                    decided = TRUE;
                    streamed = buffer[i] != '{';
                  }
            }
          if (streamed)
            ok = sse_feed (&reply, buffer, (gsize) n, error);
          else if (body->len + (gsize) n > MAX_BODY_BYTES)
            {
              g_set_error (error, DOCENT_REMOTE_ERROR, DOCENT_REMOTE_ERROR_PROTOCOL,
                           "the reply of %s is larger than %u MiB",
                           self->target.display, MAX_BODY_BYTES >> 20);
              ok = FALSE;
            }
          else
            g_byte_array_append (body, (const guint8 *) buffer, (guint) n);
        }
      if (ok && !decided)
        {
          g_set_error (error, DOCENT_REMOTE_ERROR, DOCENT_REMOTE_ERROR_PROTOCOL,
                       "%s sent an empty reply", self->target.display);
          ok = FALSE;
        }
      else if (ok && streamed)
        ok = sse_finish (&reply, error);
      else if (ok)
        ok = json_reply (&reply, body, error);
      if (ok && !reply.saw_choices)
        {
          g_set_error (error, DOCENT_REMOTE_ERROR, DOCENT_REMOTE_ERROR_PROTOCOL,
                       "%s sent a reply without choices", self->target.display);
          ok = FALSE;
        }
    }
  request_clear (&request);
  end = g_get_monotonic_time ();

  result->text = g_string_free (reply.text, FALSE);
  result->prompt_tokens = reply.prompt_tokens;
  result->prompt_ms = reply.prompt_ms;
  if (reply.has_usage)
    result->generated_tokens = reply.completion_tokens;
  else if (streamed)
    result->generated_tokens = reply.n_pieces;
  else   /* one piece says nothing: estimate as prompt packing does */
    result->generated_tokens = (guint) ((strlen (result->text) + 3) / 4);
  if (reply.first_piece != 0)
    {
      result->first_token_ms = (reply.first_piece - start) / 1000.0;
      if (streamed)
        {
          /* From the first piece to the end: the tokens after the first. */
          result->generation_ms = (end - reply.first_piece) / 1000.0;
          if (result->generated_tokens > 1 && result->generation_ms > 0)
            result->tokens_per_second = (result->generated_tokens - 1) * 1000.0 / result->generation_ms;
        }
      else
        {
          result->generation_ms = (end - start) / 1000.0;
          if (result->generation_ms > 0)
            result->tokens_per_second = result->generated_tokens * 1000.0 / result->generation_ms;
        }
    }
  g_string_free (reply.line, TRUE);
  g_string_free (reply.data, TRUE);
  return ok;
}

static guint
remote_context_size (DocentChatBackend *backend)
{
  return ((RemoteBackend *) backend)->context_size;
}

static DocentTokenizer *
remote_tokenizer (DocentChatBackend *backend)
{
  return NULL;
}

static void
remote_free (DocentChatBackend *backend)
{
  RemoteBackend *self = (RemoteBackend *) backend;

  g_free (self->base_url);
  g_free (self->model);
  if (self->api_key != NULL)
    memset (self->api_key, 0, strlen (self->api_key));
  g_free (self->api_key);
  target_clear (&self->target);
  g_free (self);
}

static const DocentChatBackendFuncs remote_funcs = {
  remote_chat, remote_context_size, remote_tokenizer, remote_free,
};

DocentChatBackend *
docent_remote_backend_new (const DocentRemoteConfig  *config,
                           GError                   **error)
{
  RemoteBackend *self;
  Target target;

  g_return_val_if_fail (config != NULL, NULL);
  if (!target_init (&target, config->base_url, "chat/completions", error))
    return NULL;
  self = g_new0 (RemoteBackend, 1);
  self->parent.funcs = &remote_funcs;
  self->parent.mode = DOCENT_ANSWER_REMOTE;
  self->base_url = g_strdup (config->base_url);
  self->model = g_strdup (config->model);
  self->api_key = g_strdup (config->api_key);
  self->timeout_seconds = config->timeout_seconds > 0 ? config->timeout_seconds : DEFAULT_TIMEOUT;
  self->context_size = config->context_size > 0 ? config->context_size : DEFAULT_CONTEXT;
  self->target = target;
  return &self->parent;
}

/* ---- embeddings ---- */

static JsonNode *
embed_request_json (const DocentRemoteConfig *config,
                    const char *const        *texts,
                    guint                     n_texts)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  json_builder_begin_object (builder);
  if (config->model != NULL && *config->model != '\0')
    {
      json_builder_set_member_name (builder, "model");
      json_builder_add_string_value (builder, config->model);
    }
  json_builder_set_member_name (builder, "input");
  json_builder_begin_array (builder);
  for (guint i = 0; i < n_texts; i++)
    json_builder_add_string_value (builder, texts[i] != NULL ? texts[i] : "");
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* {"data": [{"index": i, "embedding": [floats]} ...]} into n × dim floats
 * in input order. */
static float *
embed_parse (JsonObject   *object,
             guint         n_texts,
             guint        *dim,
             const Target *target,
             GError      **error)
{
  JsonArray *data = member_array (object, "data");
  g_autofree float *vectors = NULL;
  g_autofree gboolean *seen = NULL;
  guint d = 0;

  if (data == NULL)
    {
      const char *message = error_message_of (object);

      if (message != NULL)
        g_set_error (error, DOCENT_REMOTE_ERROR, DOCENT_REMOTE_ERROR_PROTOCOL,
                     "%s reported an error: %s", target->display, message);
      else
        g_set_error (error, DOCENT_REMOTE_ERROR, DOCENT_REMOTE_ERROR_PROTOCOL,
                     "%s sent no embeddings (no \"data\")", target->display);
      return NULL;
    }
  if (json_array_get_length (data) != n_texts)
    {
      g_set_error (error, DOCENT_REMOTE_ERROR, DOCENT_REMOTE_ERROR_PROTOCOL,
                   "%s sent %u embeddings for %u texts", target->display,
                   json_array_get_length (data), n_texts);
      return NULL;
    }
  seen = g_new0 (gboolean, n_texts);
  for (guint i = 0; i < n_texts; i++)
    {
      JsonNode *node = json_array_get_element (data, i);
      JsonObject *item = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      JsonArray *embedding = member_array (item, "embedding");
      double index = i;
      guint at, len;

      if (item != NULL && json_object_has_member (item, "index")
          && !member_number (item, "index", &index))
        index = -1;
      if (embedding == NULL || index < 0 || index >= n_texts || index != (guint) index
          || seen[(guint) index])
        {
          g_set_error (error, DOCENT_REMOTE_ERROR, DOCENT_REMOTE_ERROR_PROTOCOL,
                       "%s sent a malformed embedding (item %u)", target->display, i);
          return NULL;
        }
      at = (guint) index;
      seen[at] = TRUE;
      len = json_array_get_length (embedding);
      if (i == 0)
        {
          d = len;
          if (d == 0 || (gsize) d * n_texts > G_MAXSIZE / sizeof (float))
            {
              g_set_error (error, DOCENT_REMOTE_ERROR, DOCENT_REMOTE_ERROR_PROTOCOL,
                           "%s sent an embedding of %u dimensions", target->display, d);
              return NULL;
            }
          vectors = g_new (float, (gsize) d * n_texts);
        }
      else if (len != d)
        {
          g_set_error (error, DOCENT_REMOTE_ERROR, DOCENT_REMOTE_ERROR_PROTOCOL,
                       "%s sent embeddings of different sizes (%u and %u)",
                       target->display, d, len);
          return NULL;
        }
      for (guint k = 0; k < d; k++)
        {
          JsonNode *value = json_array_get_element (embedding, k);

          if (!node_is_number (value))
            {
              g_set_error (error, DOCENT_REMOTE_ERROR, DOCENT_REMOTE_ERROR_PROTOCOL,
                           "%s sent an embedding that is not a list of numbers",
                           target->display);
              return NULL;
            }
          vectors[(gsize) at * d + k] = (float) json_node_get_double (value);
        }
    }
  *dim = d;
  return g_steal_pointer (&vectors);
}

float *
docent_remote_embed (const DocentRemoteConfig  *config,
                     const char *const         *texts,
                     guint                      n_texts,
                     guint                     *dim,
                     GCancellable              *cancellable,
                     GError                   **error)
{
  g_auto(Target) target = { 0 };
  g_autoptr(JsonNode) json = NULL;
  g_autoptr(GByteArray) body = NULL;
  g_autoptr(JsonNode) root = NULL;
  Request request;
  float *vectors = NULL;

  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (texts != NULL && n_texts > 0, NULL);
  g_return_val_if_fail (dim != NULL, NULL);

  *dim = 0;
  if (!target_init (&target, config->base_url, "embeddings", error))
    return NULL;
  json = embed_request_json (config, texts, n_texts);
  if (request_post (&request, &target, config->api_key, config->timeout_seconds, json,
                    "application/json", cancellable, error))
    body = request_read_all (&request, MAX_EMBED_BODY_BYTES, cancellable, error);
  request_clear (&request);
  if (body == NULL)
    return NULL;
  root = parse_object ((const char *) body->data, body->len, &target, error);
  if (root != NULL)
    vectors = embed_parse (json_node_get_object (root), n_texts, dim, &target, error);
  return vectors;
}
