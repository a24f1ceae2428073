/* turns.c — stored turns back into answers, the sources listed under an
 * answer and the plain text the copy button puts on the clipboard.
 *
 * The citations JSON is written by app/ask.c after the engine rewrote every
 * marker as its own "[n]" (engine/citations.c), in the order of the
 * citations; so each citation's marker is the next "[n]" with its number,
 * and no general marker parser is needed to find the offsets again. */
#include "app/turns.h"

#include <string.h>

#include <json-glib/json-glib.h>

/* Quotes made from a source's first sentence stay short. */
#define MAX_FIRST_SENTENCE 300

/* ---- citations JSON ------------------------------------------------------- */

static gint64
member_int (JsonObject *object,
            const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || JSON_NODE_TYPE (node) != JSON_NODE_VALUE)
    return 0;
  return json_node_get_int (node);
}

static char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || JSON_NODE_TYPE (node) != JSON_NODE_VALUE ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return g_strdup (json_node_get_string (node));
}

static guint
clamp_uint (gint64 value)
{
  return value < 0 ? 0 : (guint) MIN (value, (gint64) G_MAXUINT);
}

static DocentCitation *
citation_from_object (JsonObject *object)
{
  DocentCitation *c = g_new0 (DocentCitation, 1);

  c->n = clamp_uint (member_int (object, "n"));
  c->chunk_id = member_int (object, "chunk_id");
  c->document_id = member_int (object, "document_id");
  c->page_start = clamp_uint (member_int (object, "page_start"));
  c->page_end = MAX (clamp_uint (member_int (object, "page_end")), c->page_start);
  c->quote = member_string (object, "quote");
  c->path = member_string (object, "path");
  c->title = member_string (object, "title");
  return c;
}

/* Finds each citation's "[n]" after the previous one's. */
static void
locate_markers (GPtrArray  *citations,
                const char *text)
{
  gsize len = text != NULL ? strlen (text) : 0;
  gsize from = 0;

  for (guint i = 0; i < citations->len; i++)
    {
      DocentCitation *c = g_ptr_array_index (citations, i);
      char marker[16];
      const char *at;

      g_snprintf (marker, sizeof marker, "[%u]", c->n);
      at = text != NULL && from <= len ? strstr (text + from, marker) : NULL;
      if (at == NULL)
        {
          c->offset = len;
          continue;
        }
      c->offset = at - text;
      from = c->offset + strlen (marker);
    }
}

GPtrArray *
docent_citations_from_json (const char  *json,
                            const char  *answer_text,
                            GError     **error)
{
  g_autoptr(GPtrArray) citations = g_ptr_array_new_with_free_func ((GDestroyNotify) docent_citation_free);
  g_autoptr(JsonParser) parser = NULL;
  JsonNode *root;
  JsonArray *array;

  if (json == NULL || *json == '\0')
    return g_steal_pointer (&citations);
  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, json, -1, error))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_ARRAY (root))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "the stored citations are not a list");
      return NULL;
    }
  array = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_OBJECT (node))
        g_ptr_array_add (citations, citation_from_object (json_node_get_object (node)));
    }
  locate_markers (citations, answer_text);
  return g_steal_pointer (&citations);
}

DocentAnswer *
docent_turn_to_answer (const DocentTurn  *turn,
                       GError           **error)
{
  g_autoptr(DocentAnswer) answer = NULL;
  GPtrArray *citations;

  g_return_val_if_fail (turn != NULL, NULL);

  answer = docent_answer_new (turn->question, DOCENT_ANSWER_EXTRACTIVE);
  answer->answer = g_strdup (turn->answer != NULL ? turn->answer : "");
  answer->refused = g_strcmp0 (answer->answer, docent_answer_refusal_text ()) == 0;
  citations = docent_citations_from_json (turn->citations, answer->answer, error);
  if (citations == NULL)
    return NULL;
  g_ptr_array_unref (answer->citations);
  answer->citations = citations;
  return g_steal_pointer (&answer);
}

/* ---- listed sources ------------------------------------------------------- */

static void
listed_source_clear (gpointer data)
{
  DocentListedSource *s = data;

  g_free (s->title);
  g_free (s->path);
  g_free (s->quote);
  g_free (s->opening);
}

static const DocentSource *
find_source (const DocentAnswer *answer,
             guint               n)
{
  for (guint i = 0; answer->sources != NULL && i < answer->sources->len; i++)
    {
      const DocentSource *s = g_ptr_array_index (answer->sources, i);

      if (s->n == n)
        return s;
    }
  return NULL;
}

static char *
fallback_title (const char *title,
                const char *path,
                gint64      document_id)
{
  if (title != NULL && *title != '\0')
    return g_strdup (title);
  if (path != NULL && *path != '\0')
    return g_path_get_basename (path);
  return g_strdup_printf ("Document %" G_GINT64_FORMAT, document_id);
}

/* The first sentence of `text` long enough to find again on the page: up
 * to a terminator followed by white space, or a line break; short lines
 * before it (headings) are skipped. */
static char *
first_sentence (const char *text)
{
  gsize len, start = 0, end = 0;

  if (text == NULL)
    return NULL;
  len = strlen (text);
  for (; end < len; end++)
    {
      gboolean line = text[end] == '\n';
      gboolean stop = strchr (".!?", text[end]) != NULL &&
                      (text[end + 1] == ' ' || text[end + 1] == '\n' || text[end + 1] == '\0');

      if (line && end - start < 20)
        start = end + 1;
      else if (line)
        break;
      else if (stop && end - start >= 20)
        {
          end++;                            /* keep the terminator */
          break;
        }
    }
  while (start < end && g_ascii_isspace (text[start]))
    start++;
  if (end - start > MAX_FIRST_SENTENCE)
    end = g_utf8_find_prev_char (text, text + start + MAX_FIRST_SENTENCE + 1) - text;
  return g_strndup (text + start, end - start);
}

static DocentListedSource *
find_listed (GArray *listed,
             guint   n)
{
  for (guint i = 0; i < listed->len; i++)
    if (g_array_index (listed, DocentListedSource, i).n == n)
      return &g_array_index (listed, DocentListedSource, i);
  return NULL;
}

static void
add_cited (GArray               *listed,
           const DocentAnswer   *answer,
           const DocentCitation *c)
{
  DocentListedSource *item = find_listed (listed, c->n);
  DocentListedSource fresh = { 0 };
  const DocentSource *source;

  if (item != NULL)
    {
      if (c->page_start != 0 && (item->page_start == 0 || c->page_start < item->page_start))
        item->page_start = c->page_start;
      item->page_end = MAX (item->page_end, c->page_end);
      return;
    }
  source = find_source (answer, c->n);
  fresh.n = c->n;
  fresh.document_id = c->document_id;
  fresh.title = fallback_title (source != NULL ? source->title : c->title,
                                source != NULL ? source->path : c->path, c->document_id);
  fresh.path = g_strdup (source != NULL ? source->path : c->path);
  fresh.page_start = c->page_start;
  fresh.page_end = MAX (c->page_end, c->page_start);
  fresh.quote = g_strdup (c->quote);
  fresh.opening = source != NULL ? first_sentence (source->text) : NULL;
  g_array_append_val (listed, fresh);
}

static void
add_given (GArray             *listed,
           const DocentSource *s)
{
  DocentListedSource fresh = { 0 };

  fresh.n = s->n;
  fresh.document_id = s->document_id;
  fresh.title = fallback_title (s->title, s->path, s->document_id);
  fresh.path = g_strdup (s->path);
  fresh.page_start = s->page_start;
  fresh.page_end = MAX (s->page_end, s->page_start);
  fresh.opening = first_sentence (s->text);
  g_array_append_val (listed, fresh);
}

static gint
compare_listed (gconstpointer a,
                gconstpointer b)
{
  const DocentListedSource *x = a, *y = b;

  return x->n < y->n ? -1 : x->n > y->n;
}

GArray *
docent_answer_listed_sources (const DocentAnswer *answer)
{
  GArray *listed = g_array_new (FALSE, TRUE, sizeof (DocentListedSource));

  g_array_set_clear_func (listed, listed_source_clear);
  g_return_val_if_fail (answer != NULL, listed);

  for (guint i = 0; answer->citations != NULL && i < answer->citations->len; i++)
    add_cited (listed, answer, g_ptr_array_index (answer->citations, i));
  if (listed->len == 0 && answer->refused)
    for (guint i = 0; answer->sources != NULL && i < answer->sources->len; i++)
      add_given (listed, g_ptr_array_index (answer->sources, i));
  g_array_sort (listed, compare_listed);
  return listed;
}

/* ---- plain text ----------------------------------------------------------- */

char *
docent_format_pages (guint page_start,
                     guint page_end)
{
  if (page_start == 0)
    return g_strdup ("");
  if (page_end <= page_start)
    return g_strdup_printf ("p. %u", page_start);
  return g_strdup_printf ("pp. %u–%u", page_start, page_end);
}

char *
docent_answer_to_text (const DocentAnswer *answer)
{
  g_autoptr(GArray) listed = NULL;
  GString *out;

  g_return_val_if_fail (answer != NULL, NULL);

  out = g_string_new (answer->answer != NULL ? answer->answer : "");
  if (answer->refused || answer->citations == NULL || answer->citations->len == 0)
    return g_string_free (out, FALSE);

  listed = docent_answer_listed_sources (answer);
  g_string_append (out, "\n\nSources:");
  for (guint i = 0; i < listed->len; i++)
    {
      const DocentListedSource *s = &g_array_index (listed, DocentListedSource, i);
      g_autofree char *pages = docent_format_pages (s->page_start, s->page_end);

      g_string_append_printf (out, "\n[%u] %s", s->n, s->title);
      if (*pages != '\0')
        g_string_append_printf (out, ", %s", pages);
      if (s->path != NULL && *s->path != '\0')
        g_string_append_printf (out, " — %s", s->path);
    }
  return g_string_free (out, FALSE);
}
