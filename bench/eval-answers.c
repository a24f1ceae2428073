/* eval-answers.c — answer quality and speed over the evaluation corpus:
 * the documents of tests/eval-corpus.c and the questions of
 * tests/eval/questions.json, asked through docent_library_ask (no_store).
 * Reports recall@5, answer accuracy, citation precision, refusal accuracy
 * and the time per question (tests/eval-run.h defines them).
 *
 * Usage: eval-answers [--corpus DIR] [--library DIR] [--questions FILE]
 *                     [--embedder FILE.gguf] [--model ID|FILE] [--k N]
 *                     [--check-corpus] [--json] [--verbose]
 *
 *   --corpus DIR       the corpus folder; the documents are generated there
 *                      when one is missing (default: a temporary folder)
 *   --library DIR      the library to add them to (default: a temporary one)
 *   --embedder FILE    registers and uses this embedding model, embeds the
 *                      corpus: retrieval becomes hybrid
 *   --model ID|FILE    answers with this chat model (DocentAskOptions.model);
 *                      default: extractive
 *   --k N              passages retrieved per question (at least 5; default 8)
 *   --check-corpus     only checks the corpus against the questions: every
 *                      supporting text and expected answer on its page
 *   --json             one JSON object on stdout (figures and every
 *                      question's result); the table goes to stderr
 *   --verbose          the failed questions, with answer, sources, citations
 *
 * Temporary folders are removed at the end. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "tests/eval-corpus.h"
#include "tests/eval-run.h"
#include "tests/fixtures.h"

static char *opt_corpus;
static char *opt_library;
static char *opt_questions;
static char *opt_embedder;
static char *opt_model;
static int opt_k = 8;
static gboolean opt_check;
static gboolean opt_json;
static gboolean opt_verbose;

static const GOptionEntry entries[] = {
  { "corpus", 0, 0, G_OPTION_ARG_FILENAME, &opt_corpus, "Corpus folder (generated when missing)", "DIR" },
  { "library", 0, 0, G_OPTION_ARG_FILENAME, &opt_library, "Library folder (default: temporary)", "DIR" },
  { "questions", 0, 0, G_OPTION_ARG_FILENAME, &opt_questions, "Questions JSON", "FILE" },
  { "embedder", 0, 0, G_OPTION_ARG_FILENAME, &opt_embedder, "Embedding model to register and use", "FILE.gguf" },
  { "model", 0, 0, G_OPTION_ARG_STRING, &opt_model, "Chat model id or GGUF path (default: extractive)", "ID|FILE" },
  { "k", 0, 0, G_OPTION_ARG_INT, &opt_k, "Passages retrieved per question (>= 5)", "N" },
  { "check-corpus", 0, 0, G_OPTION_ARG_NONE, &opt_check, "Only check the corpus against the questions", NULL },
  { "json", 0, 0, G_OPTION_ARG_NONE, &opt_json, "JSON on stdout", NULL },
  { "verbose", 'v', 0, G_OPTION_ARG_NONE, &opt_verbose, "Show every failed question", NULL },
  { NULL },
};

static FILE *out;   /* the human-readable report */

static gboolean
corpus_complete (const char *dir)
{
  guint n;
  const DocentEvalDocument *docs = docent_eval_corpus_documents (&n);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *path = g_build_filename (dir, docs[i].file, NULL);

      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
        return FALSE;
    }
  return TRUE;
}

static gboolean
use_embedder (DocentLibrary *library,
              const char    *path,
              GError       **error)
{
  DocentSettings *settings = docent_library_settings (library, error);
  const DocentModelEntry *entry;
  DocentEmbedOptions opts = { 0 };
  guint64 n = 0;
  gint64 start;

  if (settings == NULL)
    return FALSE;
  entry = docent_settings_add_model (settings, path, error);
  if (entry == NULL ||
      !docent_settings_use (settings, DOCENT_MODEL_ROLE_EMBEDDER, entry->id, error) ||
      !docent_settings_save (settings, error))
    return FALSE;
  docent_library_reload_embedder (library);
  start = g_get_monotonic_time ();
  if (!docent_library_embed (library, &opts, &n, error))
    return FALSE;
  fprintf (out, "Embedder %s: %" G_GUINT64_FORMAT " chunks embedded in %.1f s\n",
           entry->id, n, (g_get_monotonic_time () - start) / 1e6);
  return TRUE;
}

static void
progress (guint    done,
          guint    total,
          gpointer user_data)
{
  if (!isatty (fileno (stderr)))
    return;
  fprintf (stderr, "\r  asked %u/%u", done, total);
  if (done == total)
    fprintf (stderr, "\r%*s\r", 24, "");
}

static int
check_corpus (DocentLibrary *library,
              GHashTable    *documents,
              GPtrArray     *questions)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  guint answerable = 0;

  if (!docent_eval_check_corpus (library, documents, questions, problems, notes, &error))
    {
      g_printerr ("eval-answers: %s\n", error->message);
      return 1;
    }
  for (guint i = 0; i < questions->len; i++)
    answerable += ((DocentEvalQuestion *) questions->pdata[i])->answerable;
  for (guint i = 0; i < notes->len; i++)
    fprintf (out, "note: %s\n", (const char *) notes->pdata[i]);
  for (guint i = 0; i < problems->len; i++)
    fprintf (out, "PROBLEM: %s\n", (const char *) problems->pdata[i]);
  fprintf (out, "Corpus check: %u questions (%u answerable checked, %u unanswerable), "
           "%u documents, %u problems: %s\n",
           questions->len, answerable, questions->len - answerable,
           g_hash_table_size (documents), problems->len,
           problems->len == 0 ? "PASS" : "FAIL");
  if (opt_json)
    printf ("{ \"questions\": %u, \"answerable\": %u, \"problems\": %u, \"pass\": %s }\n",
            questions->len, answerable, problems->len, problems->len == 0 ? "true" : "false");
  return problems->len == 0 ? 0 : 1;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("— answer quality over the evaluation corpus");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) questions = NULL;
  g_autoptr(GHashTable) documents = NULL;
  g_autoptr(DocentEvalReport) report = NULL;
  g_autofree char *tmp = NULL;
  g_autofree char *corpus_dir = NULL;
  g_autofree char *library_dir = NULL;
  DocentLibrary *library = NULL;
  DocentEvalOptions opts = { 0 };
  const DocentEvalDocument *docs;
  guint n_docs;
  int status = 1;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("eval-answers: %s\n", error->message);
      return 2;
    }
  if (opt_k < 5)
    {
      g_printerr ("eval-answers: --k must be at least 5 (recall@5)\n");
      return 2;
    }
  out = opt_json ? stderr : stdout;

  questions = docent_eval_load_questions (opt_questions != NULL ? opt_questions
                                          : docent_eval_default_questions_path (), &error);
  if (questions == NULL)
    goto fail;

  if (opt_corpus == NULL || opt_library == NULL)
    tmp = docent_test_tmpdir ();
  corpus_dir = opt_corpus != NULL ? g_strdup (opt_corpus) : g_build_filename (tmp, "corpus", NULL);
  library_dir = opt_library != NULL ? g_strdup (opt_library) : g_build_filename (tmp, "library", NULL);
  if (!corpus_complete (corpus_dir))
    {
      if (!docent_eval_write_corpus (corpus_dir, &error))
        goto fail;
      fprintf (out, "Corpus written to %s\n", corpus_dir);
    }
  docs = docent_eval_corpus_documents (&n_docs);
  for (guint i = 0; i < n_docs; i++)
    fprintf (out, "  %-30s %-5s %u page%s\n", docs[i].file, docs[i].format,
             docs[i].pages, docs[i].pages == 1 ? "" : "s");

  library = docent_library_open (library_dir, &error);
  if (library == NULL)
    goto fail;
  documents = docent_eval_add_corpus (library, corpus_dir, &error);
  if (documents == NULL)
    goto fail;
  if (opt_embedder != NULL && !use_embedder (library, opt_embedder, &error))
    goto fail;

  if (opt_check)
    {
      status = check_corpus (library, documents, questions);
      goto done;
    }

  opts.model = opt_model;
  opts.k = (guint) opt_k;
  opts.progress = progress;
  report = docent_eval_run (library, documents, questions, &opts, &error);
  if (report == NULL)
    goto fail;
  docent_eval_print_report (report, out);
  if (opt_verbose)
    docent_eval_print_failures (report, out);
  if (opt_json)
    {
      g_autofree char *json = docent_eval_report_to_json (report, TRUE);

      printf ("%s\n", json);
    }
  status = report->errors == 0 ? 0 : 1;
  goto done;

fail:
  g_printerr ("eval-answers: %s\n", error->message);
  status = 1;
done:
  g_clear_pointer (&documents, g_hash_table_unref);
  g_clear_pointer (&library, docent_library_close);
  if (tmp != NULL)
    docent_test_rm_rf (tmp);
  g_free (opt_corpus);
  g_free (opt_library);
  g_free (opt_questions);
  g_free (opt_embedder);
  g_free (opt_model);
  return status;
}
