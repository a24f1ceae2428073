/* bench-answer.c — time to the first answer token with a local model.
 *
 *   bench-answer [--model FILE] [--threads N] [--source-tokens N] [--runs N]
 *
 * Packs about --source-tokens tokens of prose into numbered sources, builds
 * the answer prompt and runs the chat backend on a fresh context each run
 * (no cached prefix), reporting the time to the first answer text next to
 * the prompt-processing rate of the same model measured in the same run
 * (512 tokens, like bench-engine's pp512). Prefill should dominate: the
 * rest (prompt building, tokenizing, the first decode step) is reported
 * as overhead. Without --model, writes the qwen2.5-0.5b shape as Q8_0. */
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "engine/answer.h"
#include "engine/backend.h"
#include "engine/context.h"
#include "engine/model.h"
#include "engine/synth.h"
#include "engine/threadpool.h"
#include "tests/fixtures.h"

#define PASSAGE_WORDS 220

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

/* Prompt tokens per second over 512 tokens, the pp512 figure. */
static double
prompt_rate (const char *path,
             guint       threads)
{
  g_autoptr(GError) error = NULL;
  DocentModel *model = docent_model_load (path, &error);
  DocentThreadPool *pool = docent_thread_pool_new (threads);
  DocentContext *ctx;
  DocentToken tokens[512];
  double start, rate;

  g_assert_no_error (error);
  ctx = docent_context_new (model, 1024, pool, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (tokens); i++)
    tokens[i] = (DocentToken) (1000 + i * 7);
  start = now_ms ();
  if (!docent_context_eval (ctx, tokens, G_N_ELEMENTS (tokens), FALSE, NULL, &error))
    g_error ("%s", error->message);
  rate = 512 / ((now_ms () - start) / 1000.0);
  docent_context_free (ctx);
  docent_thread_pool_free (pool);
  docent_model_unref (model);
  return rate;
}

/* Passages of prose until `tokens` tokens are packed. */
static GPtrArray *
make_sources (DocentTokenizer *tokenizer,
              guint            tokens,
              GPtrArray       *texts)
{
  g_autoptr(GArray) passages = g_array_new (FALSE, TRUE, sizeof (DocentPassage));

  for (guint i = 0; i < 64; i++)
    {
      DocentPassage p = { 0 };
      char *text = docent_test_prose (i + 1, PASSAGE_WORDS);

      g_ptr_array_add (texts, text);
      p.chunk_id = i + 1;
      p.document_id = i + 1;
      p.path = "/bench/source.pdf";
      p.title = "Bench source";
      p.page_start = p.page_end = 1;
      p.text = text;
      g_array_append_val (passages, p);
    }
  return docent_answer_pack_sources ((const DocentPassage *) (gpointer) passages->data,
                                     passages->len, tokenizer, tokens);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *model_path = NULL;
  int threads = 2, source_tokens = 1500, runs = 3;
  GOptionEntry entries[] = {
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &model_path, "GGUF chat model (default: synthetic qwen2.5-0.5b Q8_0)", "FILE" },
    { "threads", 't', 0, G_OPTION_ARG_INT, &threads, "Threads (default 2)", "N" },
    { "source-tokens", 's', 0, G_OPTION_ARG_INT, &source_tokens, "Tokens of sources (default 1500)", "N" },
    { "runs", 'r', 0, G_OPTION_ARG_INT, &runs, "Runs (default 3)", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— time to the first answer token");
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = NULL;
  double pp;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    g_error ("%s", error->message);
  if (model_path == NULL)
    {
      tmp = g_build_filename (g_get_tmp_dir (), "bench-answer-qwen-q8.gguf", NULL);
      if (!g_file_test (tmp, G_FILE_TEST_EXISTS) &&
          !docent_synth_write (docent_synth_shape ("qwen2.5-0.5b"), DOCENT_TYPE_Q8_0, 1, tmp, &error))
        g_error ("%s", error->message);
      model_path = g_strdup (tmp);
    }

  pp = prompt_rate (model_path, (guint) threads);
  printf ("model %s, %d threads\npp512: %.1f tok/s\n\n", model_path, threads, pp);
  printf ("%-4s %8s %11s %13s %12s %11s %7s\n", "run", "prompt", "prefill", "prefill rate",
          "first token", "the rest", "share");
  for (int r = 0; r < runs; r++)
    {
      g_autoptr(DocentChatBackend) backend = docent_chat_backend_new_local (model_path, 4096,
                                                                           (guint) threads, &error);
      g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(GPtrArray) sources = NULL;
      g_auto(GStrv) messages = NULL;
      DocentChatOptions options = { 0 };
      DocentChatResult result = { 0 };
      double start, first, overhead;

      if (backend == NULL)
        g_error ("%s", error->message);
      sources = make_sources (docent_chat_backend_tokenizer (backend), (guint) source_tokens, texts);
      start = now_ms ();
      messages = docent_answer_build_messages ("What does the agreement say about the notice period?",
                                               sources, NULL);
      options.max_tokens = 2;
      if (!docent_chat_backend_chat (backend, (const char *const *) messages, &options, NULL,
                                     &result, &error))
        g_error ("%s", error->message);
      /* Wall time to the first sampled token: building the prompt,
       * tokenizing, the prefill and the first sampling step; everything
       * but the prefill is "the rest". The second token's decode step is
       * taken off the end. */
      first = now_ms () - start -
              (result.generated_tokens > 1 ? result.generation_ms / result.generated_tokens : 0.0);
      overhead = first - result.prompt_ms;
      printf ("%-4d %8u %8.0f ms %9.1f t/s %9.0f ms %8.1f ms %6.1f%%\n", r + 1,
              result.prompt_tokens, result.prompt_ms,
              result.prompt_tokens / (result.prompt_ms / 1000.0), first, overhead,
              100.0 * overhead / first);
      docent_chat_result_clear (&result);
    }
  if (tmp != NULL)
    printf ("\n(the synthetic model stays in %s for the next run)\n", tmp);
  return 0;
}
