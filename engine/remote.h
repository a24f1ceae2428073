/* remote.h — an OpenAI-compatible server as a chat backend and embedder
 * (llama.cpp server, Ollama, vLLM): POST /v1/chat/completions with
 * streamed server-sent events, POST /v1/embeddings. Only ever contacted
 * when the user configured it. */
#pragma once

#include "engine/backend.h"

G_BEGIN_DECLS

#define DOCENT_REMOTE_ERROR (docent_remote_error_quark ())
GQuark docent_remote_error_quark (void);

typedef enum {
  DOCENT_REMOTE_ERROR_CONNECT,    /* cannot reach the server */
  DOCENT_REMOTE_ERROR_TIMEOUT,
  DOCENT_REMOTE_ERROR_HTTP,       /* an HTTP error status (401, 404, 500 ...) */
  DOCENT_REMOTE_ERROR_PROTOCOL,   /* a reply that is not the expected JSON/SSE */
} DocentRemoteError;

typedef struct {
  const char *base_url;           /* "http://127.0.0.1:8080" (the /v1 is added) */
  const char *model;              /* model name the server knows, may be NULL */
  const char *api_key;            /* sent as a Bearer token, may be NULL */
  guint timeout_seconds;          /* 0: 120 */
  guint context_size;             /* 0: 8192 (servers do not say) */
} DocentRemoteConfig;

DocentChatBackend *docent_remote_backend_new (const DocentRemoteConfig  *config,
                                              GError                   **error);

/* n_texts embeddings from /v1/embeddings into a newly allocated array of
 * n_texts × *dim floats. */
float *docent_remote_embed (const DocentRemoteConfig  *config,
                            const char *const         *texts,
                            guint                      n_texts,
                            guint                     *dim,
                            GCancellable              *cancellable,
                            GError                   **error);

G_END_DECLS
