/* eval-run.c — the answer evaluation: questions from JSON, the corpus into
 * a library, the corpus check, the run through docent_library_ask and its
 * report (table, failures, JSON). See eval-run.h for the figures. */
#include "tests/eval-run.h"

#include <math.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "tests/eval-corpus.h"

#ifndef DOCENT_EVAL_QUESTIONS
#define DOCENT_EVAL_QUESTIONS "tests/eval/questions.json"
#endif

#define RECALL_DEPTH 5u

/* ---- questions ------------------------------------------------------------ */

void
docent_eval_question_free (DocentEvalQuestion *q)
{
  if (q == NULL)
    return;
  g_free (q->id);
  g_free (q->question);
  g_free (q->document);
  g_strfreev (q->answers);
  g_strfreev (q->support);
  g_free (q);
}

const char *
docent_eval_default_questions_path (void)
{
  return DOCENT_EVAL_QUESTIONS;
}

/* A string or an array of strings; NULL when missing, empty or not strings. */
static GStrv
read_alternatives (JsonObject *obj,
                   const char *member)
{
  JsonNode *node = json_object_get_member (obj, member);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  guint n = 0;

  if (node == NULL)
    return NULL;
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      g_strv_builder_add (builder, json_node_get_string (node));
      n++;
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *item = json_array_get_element (array, i);

          if (!JSON_NODE_HOLDS_VALUE (item) || json_node_get_value_type (item) != G_TYPE_STRING)
            return NULL;
          g_strv_builder_add (builder, json_node_get_string (item));
          n++;
        }
    }
  if (n == 0)
    return NULL;
  return g_strv_builder_end (builder);
}

static const char *
member_string (JsonObject *obj,
               const char *member)
{
  JsonNode *node = json_object_get_member (obj, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gboolean
invalid (GError    **error,
         const char *path,
         guint       index,
         const char *what)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               "%s: question %u: %s", path, index + 1, what);
  return FALSE;
}

static gboolean
parse_question (JsonNode            *node,
                const char          *path,
                guint                index,
                DocentEvalQuestion **out,
                GError             **error)
{
  g_autoptr(DocentEvalQuestion) q = NULL;
  JsonObject *obj;
  const char *id, *question;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return invalid (error, path, index, "not an object");
  obj = json_node_get_object (node);
  id = member_string (obj, "id");
  question = member_string (obj, "question");
  if (id == NULL || question == NULL)
    return invalid (error, path, index, "needs \"id\" and \"question\"");
  if (!json_object_has_member (obj, "answerable"))
    return invalid (error, path, index, "needs \"answerable\"");

  q = g_new0 (DocentEvalQuestion, 1);
  q->id = g_strdup (id);
  q->question = g_strdup (question);
  q->answerable = json_object_get_boolean_member (obj, "answerable");
  if (q->answerable)
    {
      const char *document = member_string (obj, "document");
      gint64 page = json_object_has_member (obj, "page")
                    ? json_object_get_int_member (obj, "page") : 0;

      q->answers = read_alternatives (obj, "answers");
      q->support = read_alternatives (obj, "support");
      if (document == NULL || page < 1 || page > G_MAXUINT ||
          q->answers == NULL || q->support == NULL)
        return invalid (error, path, index,
                        "an answerable question needs \"document\", \"page\" >= 1, "
                        "\"answers\" and \"support\"");
      q->document = g_strdup (document);
      q->page = (guint) page;
    }
  *out = g_steal_pointer (&q);
  return TRUE;
}

GPtrArray *
docent_eval_load_questions (const char  *path,
                            GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) questions =
    g_ptr_array_new_with_free_func ((GDestroyNotify) docent_eval_question_free);
  g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);
  JsonNode *root;
  JsonNode *list = NULL;
  JsonArray *array;

  if (!json_parser_load_from_file (parser, path, error))
    {
      g_prefix_error (error, "%s: ", path);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
    list = json_object_get_member (json_node_get_object (root), "questions");
  else
    list = root;
  if (list == NULL || !JSON_NODE_HOLDS_ARRAY (list))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "%s: expected an array \"questions\"", path);
      return NULL;
    }
  array = json_node_get_array (list);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      DocentEvalQuestion *q = NULL;

      if (!parse_question (json_array_get_element (array, i), path, i, &q, error))
        return NULL;
      g_ptr_array_add (questions, q);
      if (!g_hash_table_add (ids, q->id))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "%s: question id \"%s\" used twice", path, q->id);
          return NULL;
        }
    }
  if (questions->len == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "%s: no questions", path);
      return NULL;
    }
  return g_steal_pointer (&questions);
}

/* ---- text ----------------------------------------------------------------- */

char *
docent_eval_normalize (const char *text)
{
  g_autofree char *nfkc = NULL;
  g_autofree char *folded = NULL;
  GString *out;
  gboolean space = FALSE;

  if (text == NULL)
    return g_strdup ("");
  nfkc = g_utf8_normalize (text, -1, G_NORMALIZE_ALL_COMPOSE);
  if (nfkc == NULL)   /* invalid UTF-8 */
    nfkc = g_utf8_make_valid (text, -1);
  folded = g_utf8_casefold (nfkc, -1);
  out = g_string_sized_new (strlen (folded));
  for (const char *p = folded; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isspace (c))
        {
          space = out->len > 0;
          continue;
        }
      switch (c)
        {
        case 0x2018: case 0x2019: case 0x201B: case 0x2032:
          c = '\'';
          break;
        case 0x201C: case 0x201D: case 0x201F: case 0x2033:
          c = '"';
          break;
        case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014: case 0x2212:
          c = '-';
          break;
        default:
          break;
        }
      if (space)
        g_string_append_c (out, ' ');
      space = FALSE;
      g_string_append_unichar (out, c);
    }
  return g_string_free (out, FALSE);
}

/* Whether normalised `haystack` holds one of the alternatives. */
static gboolean
contains_any (const char        *haystack,
              const char *const *alternatives)
{
  if (haystack == NULL || alternatives == NULL)
    return FALSE;
  for (guint i = 0; alternatives[i] != NULL; i++)
    {
      g_autofree char *needle = docent_eval_normalize (alternatives[i]);

      if (needle[0] != '\0' && strstr (haystack, needle) != NULL)
        return TRUE;
    }
  return FALSE;
}

/* ---- the corpus in a library ---------------------------------------------- */

gint64
docent_eval_document_id (GHashTable *documents,
                         const char *file)
{
  gint64 *id = file != NULL ? g_hash_table_lookup (documents, file) : NULL;

  return id != NULL ? *id : 0;
}

GHashTable *
docent_eval_add_corpus (DocentLibrary *library,
                        const char    *corpus_dir,
                        GError       **error)
{
  const char *paths[] = { corpus_dir, NULL };
  DocentAddOptions opts = { 0 };
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GHashTable) documents = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                           g_free, g_free);

  if (!docent_library_add (library, paths, &opts, &results, error))
    return NULL;
  for (guint i = 0; i < results->len; i++)
    {
      const DocentAddResult *r = results->pdata[i];
      gint64 *id;

      if (r->outcome == DOCENT_ADD_FAILED || r->document_id <= 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       "cannot add %s: %s", r->path,
                       r->error != NULL ? r->error : "unknown error");
          return NULL;
        }
      id = g_new (gint64, 1);
      *id = r->document_id;
      g_hash_table_replace (documents, g_path_get_basename (r->path), id);
    }
  if (g_hash_table_size (documents) == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "no documents in %s", corpus_dir);
      return NULL;
    }
  return g_steal_pointer (&documents);
}

/* Normalised page texts, read once. */
typedef struct {
  DocentStore *store;
  GHashTable *pages;     /* "id:page" → char* (normalised), "" when missing */
} PageCache;

static void
page_cache_init (PageCache     *cache,
                 DocentLibrary *library)
{
  cache->store = docent_library_store (library);
  cache->pages = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

static void
page_cache_clear (PageCache *cache)
{
  g_clear_pointer (&cache->pages, g_hash_table_unref);
}

/* The normalised text of a page, NULL when there is no such page (or, with
 * `error` set, when the store failed). */
static const char *
page_cache_get (PageCache *cache,
                gint64     document_id,
                guint      page,
                GError   **error)
{
  g_autofree char *key = g_strdup_printf ("%" G_GINT64_FORMAT ":%u", document_id, page);
  const char *text = g_hash_table_lookup (cache->pages, key);
  g_autofree char *raw = NULL;
  g_autoptr(GError) local = NULL;

  if (text != NULL)
    return text[0] != '\0' ? text : NULL;
  if (!docent_store_get_page (cache->store, document_id, page, &raw, NULL, NULL, NULL, &local))
    {
      if (!g_error_matches (local, DOCENT_STORE_ERROR, DOCENT_STORE_ERROR_NOT_FOUND))
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return NULL;
        }
      g_hash_table_insert (cache->pages, g_steal_pointer (&key), g_strdup (""));
      return NULL;
    }
  text = docent_eval_normalize (raw);
  g_hash_table_insert (cache->pages, g_steal_pointer (&key), (char *) text);
  return text[0] != '\0' ? text : NULL;
}

static guint
document_pages (DocentStore *store,
                gint64       id)
{
  DocentDocRecord rec = { 0 };
  guint pages = 0;

  if (docent_store_find_by_id (store, id, &rec, NULL))
    pages = rec.page_count;
  docent_doc_record_clear (&rec);
  return pages;
}

gboolean
docent_eval_check_corpus (DocentLibrary *library,
                          GHashTable    *documents,
                          GPtrArray     *questions,
                          GPtrArray     *problems,
                          GPtrArray     *notes,
                          GError       **error)
{
  PageCache cache;
  const DocentEvalDocument *corpus;
  guint n_corpus;
  GHashTableIter iter;
  gpointer key, value;
  gboolean ok = TRUE;

  page_cache_init (&cache, library);
  corpus = docent_eval_corpus_documents (&n_corpus);
  for (guint i = 0; i < n_corpus; i++)
    {
      gint64 id = docent_eval_document_id (documents, corpus[i].file);
      guint pages;

      if (id == 0)
        {
          g_ptr_array_add (problems, g_strdup_printf ("%s is not in the library", corpus[i].file));
          continue;
        }
      pages = document_pages (cache.store, id);
      if (pages != corpus[i].pages)
        g_ptr_array_add (problems, g_strdup_printf ("%s has %u pages, expected %u",
                                                    corpus[i].file, pages, corpus[i].pages));
    }

  for (guint i = 0; i < questions->len && ok; i++)
    {
      const DocentEvalQuestion *q = questions->pdata[i];
      gint64 id;
      const char *text;
      GError *local = NULL;

      if (!q->answerable)
        continue;
      id = docent_eval_document_id (documents, q->document);
      if (id == 0)
        {
          g_ptr_array_add (problems, g_strdup_printf ("[%s] document %s is not in the library",
                                                      q->id, q->document));
          continue;
        }
      text = page_cache_get (&cache, id, q->page, &local);
      if (local != NULL)
        {
          g_propagate_error (error, local);
          ok = FALSE;
          break;
        }
      if (text == NULL)
        {
          g_ptr_array_add (problems, g_strdup_printf ("[%s] %s has no page %u",
                                                      q->id, q->document, q->page));
          continue;
        }
      if (!contains_any (text, (const char *const *) q->support))
        g_ptr_array_add (problems, g_strdup_printf ("[%s] supporting text \"%s\" is not on %s page %u",
                                                    q->id, q->support[0], q->document, q->page));
      if (!contains_any (text, (const char *const *) q->answers))
        g_ptr_array_add (problems, g_strdup_printf ("[%s] no expected answer (\"%s\"...) on %s page %u",
                                                    q->id, q->answers[0], q->document, q->page));
      if (notes == NULL)
        continue;

      /* The same support elsewhere makes the expected page ambiguous. */
      g_hash_table_iter_init (&iter, documents);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          gint64 other = *(gint64 *) value;
          guint pages = document_pages (cache.store, other);

          for (guint p = 1; p <= pages; p++)
            {
              const char *t;

              if (other == id && p == q->page)
                continue;
              t = page_cache_get (&cache, other, p, NULL);
              if (t != NULL && contains_any (t, (const char *const *) q->support))
                g_ptr_array_add (notes, g_strdup_printf ("[%s] supporting text also on %s page %u",
                                                         q->id, (const char *) key, p));
            }
        }
    }
  page_cache_clear (&cache);
  return ok;
}

/* ---- the run -------------------------------------------------------------- */

gboolean
docent_eval_error_is_not_implemented (const GError *error)
{
  g_autofree char *message = NULL;

  if (error == NULL)
    return FALSE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED))
    return TRUE;
  message = g_ascii_strdown (error->message, -1);
  return strstr (message, "not implemented") != NULL;
}

static void
result_free (DocentEvalResult *r)
{
  g_free (r->answer);
  g_free (r->error);
  g_free (r->sources);
  g_free (r->cited);
  g_free (r);
}

void
docent_eval_report_free (DocentEvalReport *report)
{
  if (report == NULL)
    return;
  g_free (report->mode);
  g_clear_pointer (&report->results, g_ptr_array_unref);
  g_free (report);
}

static char *
file_name (const char *path)
{
  return path != NULL ? g_path_get_basename (path) : g_strdup ("?");
}

static void
append_pages (GString *out,
              guint    start,
              guint    end)
{
  if (end > start)
    g_string_append_printf (out, " p%u-%u", start, end);
  else
    g_string_append_printf (out, " p%u", start);
}

/* Scores one answer into r. */
static void
score_answer (const DocentEvalQuestion *q,
              const DocentAnswer       *answer,
              gint64                    expected_id,
              PageCache                *cache,
              DocentEvalResult         *r)
{
  g_autoptr(GString) sources = g_string_new (NULL);
  g_autoptr(GString) cited = g_string_new (NULL);
  g_autofree char *normalized = docent_eval_normalize (answer->answer);

  r->refused = answer->refused;
  r->answer = g_strdup (answer->answer != NULL ? answer->answer : "");

  for (guint i = 0; answer->sources != NULL && i < answer->sources->len && i < RECALL_DEPTH; i++)
    {
      const DocentSource *s = answer->sources->pdata[i];
      g_autofree char *name = file_name (s->path);

      if (q->answerable && expected_id != 0 && s->document_id == expected_id &&
          s->page_start <= q->page && q->page <= MAX (s->page_end, s->page_start))
        {
          r->retrieved = TRUE;
          r->first |= i == 0;
          if (!r->passage)
            {
              g_autofree char *text = docent_eval_normalize (s->text);

              r->passage = contains_any (text, (const char *const *) q->support);
            }
        }
      if (sources->len > 0)
        g_string_append (sources, ", ");
      g_string_append (sources, name);
      append_pages (sources, s->page_start, s->page_end);
    }

  if (q->answerable && !r->refused)
    r->answered = contains_any (normalized, (const char *const *) q->answers);

  for (guint i = 0; answer->citations != NULL && i < answer->citations->len; i++)
    {
      const DocentCitation *c = answer->citations->pdata[i];
      g_autofree char *name = file_name (c->path);
      gboolean ok = FALSE;

      if (q->answerable)
        {
          r->citations++;
          if (expected_id != 0 && c->document_id == expected_id)
            for (guint p = MAX (c->page_start, 1); p <= MAX (c->page_end, c->page_start) && !ok; p++)
              ok = contains_any (page_cache_get (cache, c->document_id, p, NULL),
                                 (const char *const *) q->support);
          if (ok)
            r->supported++;
        }
      if (cited->len > 0)
        g_string_append (cited, ", ");
      g_string_append_printf (cited, "[%u] %s", c->n, name);
      append_pages (cited, c->page_start, c->page_end);
      if (q->answerable)
        g_string_append (cited, ok ? " ok" : " -");
    }
  r->sources = g_string_free (g_steal_pointer (&sources), FALSE);
  r->cited = g_string_free (g_steal_pointer (&cited), FALSE);
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
share (guint part,
       guint whole)
{
  return whole > 0 ? (double) part / whole : 0.0;
}

DocentEvalReport *
docent_eval_run (DocentLibrary           *library,
                 GHashTable              *documents,
                 GPtrArray               *questions,
                 const DocentEvalOptions *opts,
                 GError                 **error)
{
  g_autoptr(DocentEvalReport) report = g_new0 (DocentEvalReport, 1);
  g_autoptr(GArray) times = g_array_sized_new (FALSE, FALSE, sizeof (double), questions->len);
  PageCache cache;
  double retrieval_ms = 0;
  guint n_timed = 0;

  page_cache_init (&cache, library);
  report->results = g_ptr_array_new_with_free_func ((GDestroyNotify) result_free);
  for (guint i = 0; i < questions->len; i++)
    {
      const DocentEvalQuestion *q = questions->pdata[i];
      DocentAskOptions ask = {
        .question = q->question,
        .extractive = opts->model == NULL,
        .model = opts->model,
        .k = MAX (opts->k != 0 ? opts->k : 8, RECALL_DEPTH),
        .no_store = TRUE,
      };
      DocentEvalResult *r = g_new0 (DocentEvalResult, 1);
      g_autoptr(DocentAnswer) answer = NULL;
      g_autoptr(GError) local = NULL;
      gint64 expected_id = q->answerable ? docent_eval_document_id (documents, q->document) : 0;
      gint64 start = g_get_monotonic_time ();

      r->q = q;
      answer = docent_library_ask (library, &ask, NULL, &local);
      r->ms = (g_get_monotonic_time () - start) / 1000.0;
      g_ptr_array_add (report->results, r);

      if (answer == NULL)
        {
          if (i == 0 && docent_eval_error_is_not_implemented (local))
            {
              page_cache_clear (&cache);
              g_propagate_error (error, g_steal_pointer (&local));
              return NULL;
            }
          if (g_error_matches (local, DOCENT_ANSWER_ERROR, DOCENT_ANSWER_ERROR_NO_SOURCES))
            {
              /* Nothing retrieved at all: as good as a refusal. */
              r->refused = TRUE;
              r->answer = g_strdup ("");
              r->sources = g_strdup ("");
              r->cited = g_strdup ("");
            }
          else
            {
              r->error = g_strdup (local != NULL ? local->message : "no answer and no error");
              report->errors++;
            }
        }
      else
        {
          score_answer (q, answer, expected_id, &cache, r);
          if (report->mode == NULL)
            report->mode = g_strdup (docent_answer_mode_to_string (answer->mode));
          retrieval_ms += answer->timings.retrieval_ms;
          n_timed++;
        }
      g_array_append_val (times, r->ms);

      report->questions++;
      if (q->answerable)
        {
          report->answerable++;
          report->retrieved += r->retrieved;
          report->first += r->first;
          report->passage += r->passage;
          report->answered += r->answered;
          report->citations += r->citations;
          report->supported += r->supported;
          if (r->refused)
            report->refused_answerable++;
          else if (r->error == NULL)
            report->refusals_correct++;
        }
      else
        {
          report->unanswerable++;
          if (r->refused)
            {
              report->refused_unanswerable++;
              report->refusals_correct++;
            }
        }
      if (opts->progress != NULL)
        opts->progress (i + 1, questions->len, opts->user_data);
    }
  page_cache_clear (&cache);

  if (report->mode == NULL)
    report->mode = g_strdup (opts->model != NULL ? "model" : "extractive");
  report->recall_at_5 = share (report->retrieved, report->answerable);
  report->recall_at_1 = share (report->first, report->answerable);
  report->passage_recall_at_5 = share (report->passage, report->answerable);
  report->answer_accuracy = share (report->answered, report->answerable);
  report->citation_precision = share (report->supported, report->citations);
  report->refusal_accuracy = share (report->refusals_correct, report->questions);
  if (times->len > 0)
    {
      double sum = 0;
      guint rank;

      for (guint i = 0; i < times->len; i++)
        sum += g_array_index (times, double, i);
      report->mean_ms = sum / times->len;
      g_array_sort (times, compare_double);
      rank = (guint) ceil (0.95 * times->len);
      report->p95_ms = g_array_index (times, double, MAX (rank, 1) - 1);
      report->max_ms = g_array_index (times, double, times->len - 1);
    }
  report->mean_retrieval_ms = n_timed > 0 ? retrieval_ms / n_timed : 0;
  return g_steal_pointer (&report);
}

/* ---- reports -------------------------------------------------------------- */

void
docent_eval_print_report (const DocentEvalReport *report,
                          FILE                   *out)
{
  fprintf (out, "Answer evaluation: %u questions (%u answerable, %u unanswerable), mode %s\n",
           report->questions, report->answerable, report->unanswerable, report->mode);
  fprintf (out, "  %-22s %6s  %s\n", "metric", "value", "count");
  fprintf (out, "  %-22s %6.3f  %u/%u\n", "recall@5", report->recall_at_5,
           report->retrieved, report->answerable);
  fprintf (out, "  %-22s %6.3f  %u/%u\n", "recall@1", report->recall_at_1,
           report->first, report->answerable);
  fprintf (out, "  %-22s %6.3f  %u/%u\n", "passage recall@5", report->passage_recall_at_5,
           report->passage, report->answerable);
  fprintf (out, "  %-22s %6.3f  %u/%u\n", "answer accuracy", report->answer_accuracy,
           report->answered, report->answerable);
  fprintf (out, "  %-22s %6.3f  %u/%u\n", "citation precision", report->citation_precision,
           report->supported, report->citations);
  fprintf (out, "  %-22s %6.3f  %u/%u\n", "refusal accuracy", report->refusal_accuracy,
           report->refusals_correct, report->questions);
  fprintf (out, "  %-22s %6s  %u/%u refused unanswerable, %u/%u refused answerable\n",
           "", "", report->refused_unanswerable, report->unanswerable,
           report->refused_answerable, report->answerable);
  fprintf (out, "  %-22s %6s  mean %.1f ms, p95 %.1f ms, max %.1f ms (retrieval mean %.1f ms)\n",
           "time per question", "", report->mean_ms, report->p95_ms, report->max_ms,
           report->mean_retrieval_ms);
  if (report->errors > 0)
    fprintf (out, "  %-22s %6u\n", "errors", report->errors);
}

static gboolean
result_failed (const DocentEvalResult *r)
{
  if (r->error != NULL)
    return TRUE;
  if (!r->q->answerable)
    return !r->refused;
  return r->refused || !r->retrieved || !r->answered || r->supported < r->citations ||
         r->citations == 0;
}

static void
print_clipped (FILE       *out,
               const char *label,
               const char *text)
{
  g_autofree char *flat = g_strdup (text != NULL ? text : "");
  glong len;

  g_strdelimit (flat, "\n\r\t", ' ');
  len = g_utf8_strlen (flat, -1);
  if (len > 400)
    {
      char *end = g_utf8_offset_to_pointer (flat, 400);

      *end = '\0';
      fprintf (out, "    %s: %s...\n", label, flat);
    }
  else
    fprintf (out, "    %s: %s\n", label, flat);
}

void
docent_eval_print_failures (const DocentEvalReport *report,
                            FILE                   *out)
{
  guint n = 0;

  for (guint i = 0; i < report->results->len; i++)
    {
      const DocentEvalResult *r = report->results->pdata[i];
      const DocentEvalQuestion *q = r->q;

      if (!result_failed (r))
        continue;
      n++;
      fprintf (out, "FAIL [%s] %s\n", q->id, q->question);
      if (q->answerable)
        {
          g_autofree char *answers = g_strjoinv ("\" | \"", q->answers);

          fprintf (out, "    expected: %s page %u, answer \"%s\"\n", q->document, q->page, answers);
          fprintf (out, "    %s%s%s%s\n",
                   r->refused ? "refused; " : "",
                   r->retrieved ? "" : "not retrieved in top 5; ",
                   r->answered ? "" : "answer text missing; ",
                   r->citations == 0 ? "no citations"
                   : r->supported < r->citations ? "unsupported citations" : "citations ok");
        }
      else
        fprintf (out, "    expected: a refusal\n");
      if (r->error != NULL)
        fprintf (out, "    error: %s\n", r->error);
      print_clipped (out, "answer", r->answer);
      print_clipped (out, "sources", r->sources);
      print_clipped (out, "citations", r->cited);
    }
  fprintf (out, "%u of %u questions with a failure\n", n, report->results->len);
}

char *
docent_eval_report_to_json (const DocentEvalReport *report,
                            gboolean                per_question)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "mode");
  json_builder_add_string_value (b, report->mode);
  json_builder_set_member_name (b, "questions");
  json_builder_add_int_value (b, report->questions);
  json_builder_set_member_name (b, "answerable");
  json_builder_add_int_value (b, report->answerable);
  json_builder_set_member_name (b, "unanswerable");
  json_builder_add_int_value (b, report->unanswerable);
  json_builder_set_member_name (b, "recall_at_5");
  json_builder_add_double_value (b, report->recall_at_5);
  json_builder_set_member_name (b, "recall_at_1");
  json_builder_add_double_value (b, report->recall_at_1);
  json_builder_set_member_name (b, "passage_recall_at_5");
  json_builder_add_double_value (b, report->passage_recall_at_5);
  json_builder_set_member_name (b, "answer_accuracy");
  json_builder_add_double_value (b, report->answer_accuracy);
  json_builder_set_member_name (b, "citation_precision");
  json_builder_add_double_value (b, report->citation_precision);
  json_builder_set_member_name (b, "refusal_accuracy");
  json_builder_add_double_value (b, report->refusal_accuracy);
  json_builder_set_member_name (b, "counts");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "retrieved");
  json_builder_add_int_value (b, report->retrieved);
  json_builder_set_member_name (b, "retrieved_first");
  json_builder_add_int_value (b, report->first);
  json_builder_set_member_name (b, "passage_retrieved");
  json_builder_add_int_value (b, report->passage);
  json_builder_set_member_name (b, "answered");
  json_builder_add_int_value (b, report->answered);
  json_builder_set_member_name (b, "citations");
  json_builder_add_int_value (b, report->citations);
  json_builder_set_member_name (b, "supported_citations");
  json_builder_add_int_value (b, report->supported);
  json_builder_set_member_name (b, "refusals_correct");
  json_builder_add_int_value (b, report->refusals_correct);
  json_builder_set_member_name (b, "refused_unanswerable");
  json_builder_add_int_value (b, report->refused_unanswerable);
  json_builder_set_member_name (b, "refused_answerable");
  json_builder_add_int_value (b, report->refused_answerable);
  json_builder_set_member_name (b, "errors");
  json_builder_add_int_value (b, report->errors);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "time_ms");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "mean");
  json_builder_add_double_value (b, report->mean_ms);
  json_builder_set_member_name (b, "p95");
  json_builder_add_double_value (b, report->p95_ms);
  json_builder_set_member_name (b, "max");
  json_builder_add_double_value (b, report->max_ms);
  json_builder_set_member_name (b, "retrieval_mean");
  json_builder_add_double_value (b, report->mean_retrieval_ms);
  json_builder_end_object (b);

  if (per_question)
    {
      json_builder_set_member_name (b, "results");
      json_builder_begin_array (b);
      for (guint i = 0; i < report->results->len; i++)
        {
          const DocentEvalResult *r = report->results->pdata[i];

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "id");
          json_builder_add_string_value (b, r->q->id);
          json_builder_set_member_name (b, "answerable");
          json_builder_add_boolean_value (b, r->q->answerable);
          json_builder_set_member_name (b, "refused");
          json_builder_add_boolean_value (b, r->refused);
          json_builder_set_member_name (b, "retrieved");
          json_builder_add_boolean_value (b, r->retrieved);
          json_builder_set_member_name (b, "retrieved_first");
          json_builder_add_boolean_value (b, r->first);
          json_builder_set_member_name (b, "passage_retrieved");
          json_builder_add_boolean_value (b, r->passage);
          json_builder_set_member_name (b, "answered");
          json_builder_add_boolean_value (b, r->answered);
          json_builder_set_member_name (b, "citations");
          json_builder_add_int_value (b, r->citations);
          json_builder_set_member_name (b, "supported_citations");
          json_builder_add_int_value (b, r->supported);
          json_builder_set_member_name (b, "ms");
          json_builder_add_double_value (b, r->ms);
          json_builder_set_member_name (b, "answer");
          if (r->answer != NULL)
            json_builder_add_string_value (b, r->answer);
          else
            json_builder_add_null_value (b);
          json_builder_set_member_name (b, "error");
          if (r->error != NULL)
            json_builder_add_string_value (b, r->error);
          else
            json_builder_add_null_value (b);
          json_builder_set_member_name (b, "sources");
          json_builder_add_string_value (b, r->sources != NULL ? r->sources : "");
          json_builder_set_member_name (b, "cited");
          json_builder_add_string_value (b, r->cited != NULL ? r->cited : "");
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
    }
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  return json_generator_to_data (gen, NULL);
}
