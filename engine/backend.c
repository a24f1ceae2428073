/* backend.c — chat backends: dispatch, the local GGUF model, and answering
 * with either. */
#include "engine/backend.h"

#include <string.h>

#include "engine/context.h"
#include "engine/model.h"
#include "engine/threadpool.h"

/* ---- dispatch ---- */

void
docent_chat_result_clear (DocentChatResult *result)
{
  g_clear_pointer (&result->text, g_free);
  memset (result, 0, sizeof *result);
}

gboolean
docent_chat_backend_chat (DocentChatBackend        *backend,
                          const char *const        *messages,
                          const DocentChatOptions  *options,
                          GCancellable             *cancellable,
                          DocentChatResult         *result,
                          GError                  **error)
{
  memset (result, 0, sizeof *result);
  return backend->funcs->chat (backend, messages, options, cancellable, result, error);
}

guint
docent_chat_backend_context_size (DocentChatBackend *backend)
{
  return backend->funcs->context_size (backend);
}

DocentTokenizer *
docent_chat_backend_tokenizer (DocentChatBackend *backend)
{
  return backend->funcs->tokenizer != NULL ? backend->funcs->tokenizer (backend) : NULL;
}

void
docent_chat_backend_free (DocentChatBackend *backend)
{
  if (backend != NULL)
    backend->funcs->free (backend);
}

/* ---- the local model ---- */

#define DEFAULT_CTX 8192u
#define DEFAULT_MAX_TOKENS 512u

typedef struct {
  DocentChatBackend parent;
  DocentModel *model;
  DocentThreadPool *pool;
  DocentContext *ctx;
  DocentGenerator *generator;
  DocentChatTemplate family;
} LocalBackend;

static gboolean
role_from_name (const char     *name,
                DocentChatRole *out)
{
  if (g_strcmp0 (name, "system") == 0)
    *out = DOCENT_CHAT_ROLE_SYSTEM;
  else if (g_strcmp0 (name, "user") == 0)
    *out = DOCENT_CHAT_ROLE_USER;
  else if (g_strcmp0 (name, "assistant") == 0)
    *out = DOCENT_CHAT_ROLE_ASSISTANT;
  else
    return FALSE;
  return TRUE;
}

typedef struct {
  const DocentChatOptions *options;
  gint64 start;
  double first_token_ms;
} LocalStream;

static void
local_piece (const char *text,
             gsize       len,
             gpointer    user_data)
{
  LocalStream *stream = user_data;

  if (stream->first_token_ms == 0.0 && len > 0)
    stream->first_token_ms = (g_get_monotonic_time () - stream->start) / 1000.0;
  if (stream->options != NULL && stream->options->callback != NULL)
    stream->options->callback (text, len, stream->options->user_data);
}

static gboolean
local_encode (LocalBackend       *self,
              const char *const  *messages,
              GArray             *tokens,
              GError            **error)
{
  g_autoptr(GArray) list = g_array_new (FALSE, FALSE, sizeof (DocentChatMessage));

  for (guint i = 0; messages[i] != NULL && messages[i + 1] != NULL; i += 2)
    {
      DocentChatMessage m = { 0, messages[i + 1] };

      if (!role_from_name (messages[i], &m.role))
        {
          g_set_error (error, DOCENT_ANSWER_ERROR, DOCENT_ANSWER_ERROR_BACKEND,
                       "unknown chat role “%s”", messages[i]);
          return FALSE;
        }
      g_array_append_val (list, m);
    }
  return docent_generator_encode_chat (self->generator, self->family,
                                       (const DocentChatMessage *) (gpointer) list->data,
                                       list->len, tokens, error);
}

static gboolean
local_chat (DocentChatBackend        *backend,
            const char *const        *messages,
            const DocentChatOptions  *options,
            GCancellable             *cancellable,
            DocentChatResult         *result,
            GError                  **error)
{
  LocalBackend *self = (LocalBackend *) backend;
  g_autoptr(GArray) tokens = g_array_new (FALSE, FALSE, sizeof (DocentToken));
  DocentGenerateOptions gen;
  DocentGenerateResult out = { 0 };
  LocalStream stream = { options, g_get_monotonic_time (), 0.0 };
  gboolean ok;

  if (!local_encode (self, messages, tokens, error))
    return FALSE;
  docent_generate_options_init (&gen);
  gen.max_tokens = options != NULL && options->max_tokens ? options->max_tokens : DEFAULT_MAX_TOKENS;
  gen.sampling.temperature = options != NULL ? options->temperature : 0.0f;
  gen.sampling.seed = options != NULL ? options->seed : 0;
  /* Answers quote the sources: penalising repeats would push the model
   * off the exact figures it should copy. */
  gen.sampling.repeat_penalty = 1.0f;
  gen.trim_start = TRUE;
  gen.callback = local_piece;
  gen.user_data = &stream;
  ok = docent_generator_run (self->generator, (const DocentToken *) (gpointer) tokens->data,
                             tokens->len, &gen, cancellable, &out, error);
  result->text = g_steal_pointer (&out.text);
  result->prompt_tokens = out.n_prompt_tokens;
  result->generated_tokens = out.n_generated;
  result->prompt_ms = out.prompt_ms;
  result->first_token_ms = stream.first_token_ms;
  result->generation_ms = out.generation_ms;
  result->tokens_per_second = out.tokens_per_second;
  docent_generate_result_clear (&out);
  return ok;
}

static guint
local_context_size (DocentChatBackend *backend)
{
  return docent_context_n_ctx (((LocalBackend *) backend)->ctx);
}

static DocentTokenizer *
local_tokenizer (DocentChatBackend *backend)
{
  return docent_model_tokenizer (((LocalBackend *) backend)->model);
}

static void
local_free (DocentChatBackend *backend)
{
  LocalBackend *self = (LocalBackend *) backend;

  g_clear_pointer (&self->generator, docent_generator_free);
  g_clear_pointer (&self->ctx, docent_context_free);
  g_clear_pointer (&self->pool, docent_thread_pool_free);
  g_clear_pointer (&self->model, docent_model_unref);
  g_free (self);
}

static const DocentChatBackendFuncs local_funcs = {
  local_chat, local_context_size, local_tokenizer, local_free,
};

DocentChatBackend *
docent_chat_backend_new_local (const char  *model_path,
                               guint        n_ctx,
                               guint        n_threads,
                               GError     **error)
{
  LocalBackend *self = g_new0 (LocalBackend, 1);
  const DocentModelInfo *info;

  self->parent.funcs = &local_funcs;
  self->parent.mode = DOCENT_ANSWER_MODEL;
  self->model = docent_model_load (model_path, error);
  if (self->model == NULL)
    goto fail;
  info = docent_model_info (self->model);
  if (info->kind != DOCENT_MODEL_DECODER)
    {
      g_set_error (error, DOCENT_ANSWER_ERROR, DOCENT_ANSWER_ERROR_BACKEND,
                   "%s is an embedding model, not a chat model", model_path);
      goto fail;
    }
  if (n_ctx == 0)
    n_ctx = info->n_ctx_train > 0 ? MIN (info->n_ctx_train, DEFAULT_CTX) : DEFAULT_CTX;
  self->pool = docent_thread_pool_new (n_threads);
  self->ctx = docent_context_new (self->model, n_ctx, self->pool, error);
  if (self->ctx == NULL)
    goto fail;
  self->generator = docent_generator_new (self->ctx);
  self->family = docent_chat_template_for_gguf (docent_model_gguf (self->model));
  docent_generator_use_template (self->generator, self->family);
  return &self->parent;

fail:
  local_free (&self->parent);
  return NULL;
}

/* ---- answering ---- */

gboolean
docent_answer_generate (DocentAnswer             *answer,
                        DocentChatBackend        *backend,
                        const char *const        *history,
                        const DocentChatOptions  *options,
                        GCancellable             *cancellable,
                        GError                  **error)
{
  g_auto(GStrv) messages = NULL;
  DocentChatResult result = { 0 };
  gint64 start = g_get_monotonic_time ();
  gboolean ok;

  if (answer->sources->len == 0)
    {
      g_set_error (error, DOCENT_ANSWER_ERROR, DOCENT_ANSWER_ERROR_NO_SOURCES,
                   "no sources to answer from");
      return FALSE;
    }
  messages = docent_answer_build_messages (answer->question, answer->sources, history);
  ok = docent_chat_backend_chat (backend, (const char *const *) messages, options,
                                 cancellable, &result, error);
  answer->mode = backend->mode;
  g_free (answer->answer);
  answer->answer = g_strdup (result.text != NULL ? g_strstrip (result.text) : "");
  answer->timings.prompt_ms = result.prompt_ms;
  answer->timings.first_token_ms = result.first_token_ms;
  answer->timings.generation_ms = result.generation_ms;
  answer->timings.prompt_tokens = result.prompt_tokens;
  answer->timings.generated_tokens = result.generated_tokens;
  answer->timings.tokens_per_second = result.tokens_per_second;
  answer->timings.total_ms += (g_get_monotonic_time () - start) / 1000.0;
  docent_chat_result_clear (&result);
  if (ok)
    docent_answer_resolve_citations (answer);
  return ok;
}
