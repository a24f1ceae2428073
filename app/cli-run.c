/* cli-run.c — `docent-cli engine run`: generates text with a decoder model
 * and streams it to stdout, for trying models and the engine by hand.
 *
 *   engine run MODEL [--chat] [--system TEXT] [--template NAME]
 *                    [-n N] [--temperature T] [--top-k K] [--top-p P]
 *                    [--min-p P] [--repeat-penalty R] [--seed S] [--greedy]
 *                    [--threads N] [--ctx N] PROMPT
 *
 * Timings go to stderr at the end. Ctrl+C stops the generation: the text
 * so far stays printed. */
#include <stdio.h>
#include <string.h>

#include "app/cli.h"
#include "engine/generate.h"
#include "engine/model.h"
#include "engine/threadpool.h"

typedef struct {
  gboolean chat;
  char *system;
  char *template_name;
  int max_tokens;
  double temperature;
  int top_k;
  double top_p;
  double min_p;
  double repeat_penalty;
  gint64 seed;
  gboolean greedy;
  int threads;
  int n_ctx;
} RunOptions;

static void
run_options_clear (RunOptions *opts)
{
  g_free (opts->system);
  g_free (opts->template_name);
}

/* ---- options -------------------------------------------------------------- */

static gboolean
parse_options (RunOptions  *opts,
               int         *argc,
               char      ***argv)
{
  const GOptionEntry entries[] = {
    { "chat", 0, 0, G_OPTION_ARG_NONE, &opts->chat, "Send PROMPT as a user message in the model's chat template", NULL },
    { "system", 0, 0, G_OPTION_ARG_STRING, &opts->system, "System prompt (implies --chat)", "TEXT" },
    { "template", 0, 0, G_OPTION_ARG_STRING, &opts->template_name, "Chat template: chatml, llama3, phi3, mistral, gemma, llama2 or plain (implies --chat)", "NAME" },
    { "max-tokens", 'n', 0, G_OPTION_ARG_INT, &opts->max_tokens, "Tokens to generate at most (default 256; 0: until the context is full)", "N" },
    { "temperature", 0, 0, G_OPTION_ARG_DOUBLE, &opts->temperature, "Sampling temperature (default 0.8; 0: greedy)", "T" },
    { "top-k", 0, 0, G_OPTION_ARG_INT, &opts->top_k, "Keep the K most likely tokens (default 40; 0: all)", "K" },
    { "top-p", 0, 0, G_OPTION_ARG_DOUBLE, &opts->top_p, "Nucleus sampling threshold (default 0.95; 1: off)", "P" },
    { "min-p", 0, 0, G_OPTION_ARG_DOUBLE, &opts->min_p, "Drop tokens below P times the best one's probability (default 0.05)", "P" },
    { "repeat-penalty", 0, 0, G_OPTION_ARG_DOUBLE, &opts->repeat_penalty, "Penalty for recently seen tokens (default 1.1; 1: off)", "R" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &opts->seed, "Random seed (default: a random one)", "S" },
    { "greedy", 0, 0, G_OPTION_ARG_NONE, &opts->greedy, "Always take the most likely token", NULL },
    { "threads", 't', 0, G_OPTION_ARG_INT, &opts->threads, "Threads (default: one per physical core)", "N" },
    { "ctx", 'c', 0, G_OPTION_ARG_INT, &opts->n_ctx, "Context size in tokens (default: the model's, at most 4096)", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("MODEL PROMPT — generate text");
  DocentChatTemplate family;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!docent_cli_parse (context, argc, argv))
    return FALSE;
  if (*argc != 3)
    {
      docent_cli_error ("engine run needs a model file and a prompt (see engine run --help)");
      return FALSE;
    }
  if (opts->max_tokens < 0 || opts->top_k < 0 || opts->threads < 0 || opts->n_ctx < 0
      || opts->temperature < 0 || opts->top_p <= 0 || opts->min_p < 0 || opts->min_p > 1
      || opts->repeat_penalty <= 0)
    {
      docent_cli_error ("engine run: an option is out of range (see engine run --help)");
      return FALSE;
    }
  if (opts->template_name != NULL && !docent_chat_template_from_name (opts->template_name, &family))
    {
      docent_cli_error ("engine run: unknown template \"%s\" (chatml, llama3, phi3, "
                        "mistral, gemma, llama2, plain)", opts->template_name);
      return FALSE;
    }
  return TRUE;
}

static void
sampler_params_from_options (const RunOptions    *opts,
                             DocentSamplerParams *params)
{
  docent_sampler_params_init (params);
  params->temperature = opts->greedy ? 0.0f : (float) opts->temperature;
  params->top_k = (guint) opts->top_k;
  params->top_p = (float) opts->top_p;
  params->min_p = (float) opts->min_p;
  params->repeat_penalty = (float) opts->repeat_penalty;
  params->seed = opts->seed >= 0 ? (guint64) opts->seed : g_random_int ();
}

/* ---- the prompt ----------------------------------------------------------- */

/* The family --template names (checked when parsing), else the one the
 * model's own template shows. */
static DocentChatTemplate
chat_family (const RunOptions *opts,
             DocentModel      *model)
{
  DocentChatTemplate family = DOCENT_CHAT_PLAIN;

  if (opts->template_name == NULL
      || !docent_chat_template_from_name (opts->template_name, &family))
    family = docent_chat_template_for_gguf (docent_model_gguf (model));
  return family;
}

static gboolean
encode_prompt (DocentGenerator   *generator,
               DocentModel       *model,
               const RunOptions  *opts,
               DocentChatTemplate family,
               const char        *prompt,
               GArray            *tokens,
               GError           **error)
{
  g_autofree char *default_system = NULL;
  DocentChatMessage messages[2];
  gsize n = 0;

  if (!opts->chat)
    return docent_tokenizer_encode (docent_generator_tokenizer (generator), prompt, -1,
                                    DOCENT_ENCODE_ADD_SPECIAL, tokens, error);
  /* without --system, what the model's own template would write */
  if (opts->system == NULL && family == DOCENT_CHAT_CHATML)
    {
      g_autofree char *text = docent_gguf_dup_string (docent_model_gguf (model),
                                                      "tokenizer.chat_template", NULL);

      default_system = docent_chat_template_default_system (text);
    }
  if (opts->system != NULL || default_system != NULL)
    messages[n++] = (DocentChatMessage) {
      DOCENT_CHAT_ROLE_SYSTEM, opts->system != NULL ? opts->system : default_system
    };
  messages[n++] = (DocentChatMessage) { DOCENT_CHAT_ROLE_USER, prompt };
  return docent_generator_encode_chat (generator, family, messages, n, tokens, error);
}

/* ---- output --------------------------------------------------------------- */

typedef struct {
  gboolean printed;
  gboolean ends_with_newline;
} StreamState;

static void
print_piece (const char *text,
             gsize       len,
             gpointer    user_data)
{
  StreamState *state = user_data;

  fwrite (text, 1, len, stdout);
  fflush (stdout);
  state->printed = TRUE;
  state->ends_with_newline = text[len - 1] == '\n';
}

static const char *
stop_reason_name (DocentStopReason reason)
{
  switch (reason)
    {
    case DOCENT_STOP_EOS:
      return "end of turn";
    case DOCENT_STOP_STRING:
      return "stop string";
    case DOCENT_STOP_MAX_TOKENS:
      return "token limit";
    case DOCENT_STOP_CONTEXT_FULL:
      return "context full";
    case DOCENT_STOP_NONE:
    default:
      return "interrupted";
    }
}

static void
print_timings (const DocentGenerateResult *result,
               const DocentSamplerParams  *sampling)
{
  /* with a random seed, this is how to get the same text again */
  if (sampling->temperature > 0 && sampling->top_k != 1)
    fprintf (stderr, "seed: %" G_GUINT64_FORMAT "\n", sampling->seed);
  fprintf (stderr,
           "prompt: %u tokens (%u reused) in %.1f ms, %.1f tokens/s\n"
           "generation: %u tokens in %.1f ms, %.1f tokens/s (%s)\n",
           result->n_prompt_tokens, result->n_reused_tokens, result->prompt_ms,
           result->prompt_tokens_per_second, result->n_generated,
           result->generation_ms, result->tokens_per_second,
           stop_reason_name (result->stop_reason));
}

/* ---- the command ---------------------------------------------------------- */

static int
generate (DocentModel      *model,
          const char       *path,
          const RunOptions *opts,
          const char       *prompt)
{
  g_autoptr(DocentThreadPool) pool = NULL;
  g_autoptr(DocentContext) ctx = NULL;
  g_autoptr(DocentGenerator) generator = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GArray) tokens = g_array_new (FALSE, FALSE, sizeof (DocentToken));
  g_autoptr(GError) error = NULL;
  DocentGenerateOptions options;
  DocentGenerateResult result = { 0 };
  DocentChatTemplate family = DOCENT_CHAT_PLAIN;
  StreamState state = { FALSE, FALSE };
  gboolean ok;

  /* Block the signals before the pool starts its threads, which inherit
   * the mask: else a worker could take Ctrl+C and the process would die
   * (or, with the signal ignored, never stop). */
  docent_cli_cancel_on_interrupt (cancellable, NULL);
  pool = docent_thread_pool_new ((guint) opts->threads);
  ctx = docent_context_new (model, (guint) opts->n_ctx, pool, &error);
  if (ctx == NULL)
    {
      docent_cli_error ("%s: %s", path, error->message);
      return DOCENT_EXIT_FAILED;
    }
  generator = docent_generator_new (ctx);
  if (opts->chat)
    {
      family = chat_family (opts, model);
      docent_generator_use_template (generator, family);
    }
  if (!encode_prompt (generator, model, opts, family, prompt, tokens, &error))
    {
      docent_cli_error ("%s: %s", path, error->message);
      return DOCENT_EXIT_FAILED;
    }

  docent_generate_options_init (&options);
  options.max_tokens = (guint) opts->max_tokens;
  sampler_params_from_options (opts, &options.sampling);
  options.trim_start = opts->chat;
  options.callback = print_piece;
  options.user_data = &state;
  ok = docent_generator_run (generator, (const DocentToken *) tokens->data, tokens->len,
                             &options, cancellable, &result, &error);
  if (state.printed && !state.ends_with_newline)
    fputc ('\n', stdout);
  fflush (stdout);
  /* timings of a prompt that failed to evaluate would only be noise */
  if (ok || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    print_timings (&result, &options.sampling);
  docent_generate_result_clear (&result);
  if (!ok)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        docent_cli_error ("interrupted");
      else
        docent_cli_error ("%s: %s", path, error->message);
      return DOCENT_EXIT_FAILED;
    }
  return DOCENT_EXIT_OK;
}

int
docent_cli_engine_run (int    argc,
                       char **argv)
{
  RunOptions opts = {
    .max_tokens = 256, .temperature = 0.8, .top_k = 40, .top_p = 0.95,
    .min_p = 0.05, .repeat_penalty = 1.1, .seed = -1,
  };
  g_autoptr(DocentModel) model = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  if (!parse_options (&opts, &argc, &argv))
    {
      run_options_clear (&opts);
      return DOCENT_EXIT_USAGE;
    }
  opts.chat = opts.chat || opts.system != NULL || opts.template_name != NULL;
  /* the loader's message already names the file */
  model = docent_model_load (argv[1], &error);
  if (model == NULL)
    {
      docent_cli_error ("%s", error->message);
      run_options_clear (&opts);
      return DOCENT_EXIT_FAILED;
    }
  if (docent_model_info (model)->kind != DOCENT_MODEL_DECODER)
    {
      docent_cli_error ("%s: not a text generation model (architecture %s)", argv[1],
                        docent_model_info (model)->architecture);
      run_options_clear (&opts);
      return DOCENT_EXIT_FAILED;
    }
  status = generate (model, argv[1], &opts, argv[2]);
  run_options_clear (&opts);
  return status;
}
