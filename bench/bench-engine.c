/* bench-engine.c — prompt processing and generation speed of a decoder
 * model, reported like llama-bench: pp<P> is P prompt tokens in one batch
 * on an empty cache, tg<N> is N tokens decoded one at a time (also from an
 * empty cache), both in tokens per second, mean ± sd over the repetitions.
 *
 *   bench-engine --model FILE [--threads N] [-p 512] [-n 64] [-r 3]
 */
#include <math.h>
#include <stdio.h>

#include "engine/context.h"
#include "engine/cpu.h"
#include "engine/dot.h"

static double
now (void)
{
  return g_get_monotonic_time () / 1e6;
}

static void
report (const char   *test,
        const double *tps,
        guint         reps)
{
  double mean = 0.0, var = 0.0;

  for (guint i = 0; i < reps; i++)
    mean += tps[i] / reps;
  for (guint i = 0; i < reps; i++)
    var += (tps[i] - mean) * (tps[i] - mean) / MAX (reps - 1, 1u);
  printf ("| %-6s | %10.2f ± %.2f |\n", test, mean, sqrt (var));
}

static gboolean
run_pp (DocentContext  *ctx,
        const gint32   *tokens,
        guint           n,
        double         *tps,
        GError        **error)
{
  double t0;

  docent_context_truncate (ctx, 0);
  t0 = now ();
  if (!docent_context_eval (ctx, tokens, n, FALSE, NULL, error))
    return FALSE;
  *tps = n / (now () - t0);
  return TRUE;
}

static gboolean
run_tg (DocentContext  *ctx,
        const gint32   *tokens,
        guint           n,
        double         *tps,
        GError        **error)
{
  double t0;

  docent_context_truncate (ctx, 0);
  t0 = now ();
  for (guint i = 0; i < n; i++)
    if (!docent_context_eval (ctx, &tokens[i], 1, FALSE, NULL, error))
      return FALSE;
  *tps = n / (now () - t0);
  return TRUE;
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *path = NULL;
  gint threads = 0, n_prompt = 512, n_gen = 64, reps = 3;
  const GOptionEntry entries[] = {
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &path, "GGUF decoder model", "FILE" },
    { "threads", 't', 0, G_OPTION_ARG_INT, &threads, "Threads (default: one per core)", "N" },
    { "n-prompt", 'p', 0, G_OPTION_ARG_INT, &n_prompt, "Prompt tokens (default 512)", "P" },
    { "n-gen", 'n', 0, G_OPTION_ARG_INT, &n_gen, "Generated tokens (default 64)", "N" },
    { "repetitions", 'r', 0, G_OPTION_ARG_INT, &reps, "Repetitions (default 3)", "R" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— decoder speed, like llama-bench");
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentModel) model = NULL;
  g_autoptr(DocentThreadPool) pool = NULL;
  g_autoptr(DocentContext) ctx = NULL;
  g_autofree gint32 *tokens = NULL;
  g_autofree double *pp = NULL, *tg = NULL;
  g_autofree char *cpu = NULL;
  guint n_vocab, n_tokens;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || path == NULL ||
      threads < 0 || n_prompt < 0 || n_gen < 0 || reps < 1)
    {
      g_printerr ("%s\n", error != NULL ? error->message : "usage: bench-engine --model FILE [--threads N] [-p P] [-n N] [-r R]");
      return 2;
    }
  model = docent_model_load (path, &error);
  pool = docent_thread_pool_new ((guint) threads);
  n_tokens = (guint) MAX (MAX (n_prompt, n_gen), 1);
  if (model == NULL || (ctx = docent_context_new (model, n_tokens, pool, &error)) == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  n_vocab = docent_model_info (model)->n_vocab;
  tokens = g_new (gint32, n_tokens);
  for (guint i = 0; i < n_tokens; i++)
    tokens[i] = (gint32) ((i * 7919u + 13u) % n_vocab);
  pp = g_new0 (double, reps);
  tg = g_new0 (double, reps);
  cpu = docent_cpu_describe (docent_cpu_get ());
  printf ("model %s, %u threads, kernels %s (%s)\n", path, docent_thread_pool_size (pool),
          docent_kernel_path_name (docent_kernel_path ()), cpu);
  /* A warm-up pass pages the weights in and settles the pool. */
  if (!run_tg (ctx, tokens, MIN (n_tokens, 4u), &tg[0], &error))
    goto failed;
  for (gint r = 0; r < reps; r++)
    if ((n_prompt > 0 && !run_pp (ctx, tokens, (guint) n_prompt, &pp[r], &error)) ||
        (n_gen > 0 && !run_tg (ctx, tokens, (guint) n_gen, &tg[r], &error)))
      goto failed;
  printf ("| test   |        t/s       |\n");
  if (n_prompt > 0)
    {
      g_autofree char *name = g_strdup_printf ("pp%d", n_prompt);

      report (name, pp, (guint) reps);
    }
  if (n_gen > 0)
    {
      g_autofree char *name = g_strdup_printf ("tg%d", n_gen);

      report (name, tg, (guint) reps);
    }
  return 0;

failed:
  g_printerr ("%s\n", error->message);
  return 1;
}
