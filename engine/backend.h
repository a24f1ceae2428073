/* backend.h — where chat answers come from: a GGUF model run by the engine,
 * or an OpenAI-compatible server the user configured (remote.c). Both
 * stream text through the same callback, so the answer pipeline does not
 * care which it has. */
#pragma once

#include <gio/gio.h>

#include "engine/answer.h"
#include "engine/generate.h"

G_BEGIN_DECLS

typedef struct _DocentChatBackend DocentChatBackend;

typedef struct {
  guint max_tokens;               /* 0: backend default (512) */
  float temperature;              /* 0: greedy */
  guint64 seed;
  DocentGenerateFunc callback;    /* streamed text, may be NULL */
  gpointer user_data;
} DocentChatOptions;

typedef struct {
  char *text;
  guint prompt_tokens;
  guint generated_tokens;
  double prompt_ms;
  double first_token_ms;
  double generation_ms;
  double tokens_per_second;
} DocentChatResult;

void docent_chat_result_clear (DocentChatResult *result);

typedef struct {
  /* Streams the reply to `messages` (role, content pairs as from
   * docent_answer_build_messages()). */
  gboolean (*chat)         (DocentChatBackend        *backend,
                            const char *const        *messages,
                            const DocentChatOptions  *options,
                            GCancellable             *cancellable,
                            DocentChatResult         *result,
                            GError                  **error);
  /* Tokens the backend can take (prompt + answer); 0 when unknown. */
  guint    (*context_size) (DocentChatBackend        *backend);
  /* The tokenizer for budgeting the prompt, or NULL (estimate). */
  DocentTokenizer *(*tokenizer) (DocentChatBackend   *backend);
  void     (*free)         (DocentChatBackend        *backend);
} DocentChatBackendFuncs;

struct _DocentChatBackend {
  const DocentChatBackendFuncs *funcs;
  DocentAnswerMode mode;          /* MODEL or REMOTE */
};

/* A GGUF chat model (loaded by the caller) with a context of n_ctx tokens
 * (0: min(model's, 8192)) on n_threads (0: all cores). */
DocentChatBackend *docent_chat_backend_new_local (const char  *model_path,
                                                  guint        n_ctx,
                                                  guint        n_threads,
                                                  GError     **error);

gboolean docent_chat_backend_chat         (DocentChatBackend        *backend,
                                           const char *const        *messages,
                                           const DocentChatOptions  *options,
                                           GCancellable             *cancellable,
                                           DocentChatResult         *result,
                                           GError                  **error);
guint    docent_chat_backend_context_size (DocentChatBackend        *backend);
DocentTokenizer *docent_chat_backend_tokenizer (DocentChatBackend   *backend);
void     docent_chat_backend_free         (DocentChatBackend        *backend);

/* Answers `answer->question` from answer->sources with the backend:
 * builds the prompt, streams, fills answer->answer, timings and mode,
 * then resolves citations. */
gboolean docent_answer_generate (DocentAnswer             *answer,
                                 DocentChatBackend        *backend,
                                 const char *const        *history,
                                 const DocentChatOptions  *options,
                                 GCancellable             *cancellable,
                                 GError                  **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DocentChatBackend, docent_chat_backend_free)

G_END_DECLS
