/* generate.h — text generation on a decoder context: a prompt in (keeping
 * the part of the KV cache it shares with the previous call), then tokens
 * sampled one by one and streamed as valid UTF-8 until an end-of-turn
 * token, a stop string, the token limit, a full context or cancellation.
 *
 * A generator drives one DocentContext from one thread at a time; another
 * thread may cancel it through the GCancellable. */
#pragma once

#include <gio/gio.h>

#include "engine/chat.h"
#include "engine/context.h"
#include "engine/sampler.h"
#include "engine/tokenizer.h"

G_BEGIN_DECLS

typedef enum {
  DOCENT_STOP_NONE,           /* did not finish: the call failed */
  DOCENT_STOP_EOS,            /* an end-of-text or end-of-turn token */
  DOCENT_STOP_STRING,         /* a stop string (left out of the text) */
  DOCENT_STOP_MAX_TOKENS,
  DOCENT_STOP_CONTEXT_FULL,   /* the cache filled up while generating */
} DocentStopReason;

/* Receives the text in order, in pieces that are always whole UTF-8
 * characters (`text` is NUL-terminated too). Runs on the generating thread. */
typedef void (*DocentGenerateFunc) (const char *text,
                                    gsize       len,
                                    gpointer    user_data);

typedef struct {
  /* Tokens to generate at most; 0: until the context is full. */
  guint               max_tokens;
  DocentSamplerParams sampling;
  /* More stop strings for this call, NULL-terminated (may be NULL). */
  const char * const *stop_strings;
  /* Drop white space before the first text (a chat answer's leading
   * space or line break). */
  gboolean            trim_start;
  DocentGenerateFunc  callback;
  gpointer            user_data;
} DocentGenerateOptions;

typedef struct {
  char            *text;            /* everything streamed */
  GArray          *tokens;          /* the sampled DocentToken ids, end token not included */
  DocentStopReason stop_reason;
  guint            n_prompt_tokens;
  guint            n_reused_tokens; /* prompt tokens found in the cache */
  guint            n_generated;     /* sampled tokens, end token not counted */
  double           prompt_ms;       /* evaluating the prompt */
  double           generation_ms;   /* sampling and evaluating the rest */
  double           prompt_tokens_per_second;     /* evaluated ones only */
  double           tokens_per_second;
} DocentGenerateResult;

/* 256 tokens, default sampling (docent_sampler_params_init), no callback. */
void docent_generate_options_init (DocentGenerateOptions *options);
void docent_generate_result_clear (DocentGenerateResult  *result);

/* Where tokens become logits: a DocentContext, or a stand-in in tests. */
typedef struct {
  guint        (*n_ctx)    (gpointer           source);
  guint        (*n_past)   (gpointer           source);
  void         (*truncate) (gpointer           source,
                            guint              n_past);
  /* Appends `n` tokens; same failures as docent_context_eval (). */
  gboolean     (*eval)     (gpointer           source,
                            const DocentToken *tokens,
                            guint              n,
                            GCancellable      *cancellable,
                            GError           **error);
  /* n_vocab logits for the next token after the last eval. */
  const float *(*logits)   (gpointer           source);
} DocentTokenSourceFuncs;

typedef struct _DocentGenerator DocentGenerator;

/* Borrows `ctx`, which must outlive the generator; the generator assumes
 * it alone changes the cache. Stops at the vocabulary's EOS and EOT. */
DocentGenerator *docent_generator_new            (DocentContext                *ctx);
/* Generation over any token source; `funcs` and `source` are borrowed. */
DocentGenerator *docent_generator_new_for_source (const DocentTokenSourceFuncs *funcs,
                                                  gpointer                      source,
                                                  DocentTokenizer              *tokenizer,
                                                  guint                         n_vocab);
void             docent_generator_free           (DocentGenerator              *generator);

DocentTokenizer *docent_generator_tokenizer      (DocentGenerator              *generator);
/* Stops at `text`: as a token when the vocabulary has it as one special
 * token, otherwise as a string in the output. */
void             docent_generator_add_stop       (DocentGenerator              *generator,
                                                  const char                   *text);
void             docent_generator_add_stop_token (DocentGenerator              *generator,
                                                  DocentToken                   token);
/* Adds the stops of a chat template family. */
void             docent_generator_use_template   (DocentGenerator              *generator,
                                                  DocentChatTemplate            family);
/* Forgets what is in the cache, so the next call reuses nothing. */
void             docent_generator_reset          (DocentGenerator              *generator);

/* Appends the tokens of a conversation rendered with `family` to `out`
 * (a GArray of DocentToken), with BOS as the model expects it. */
gboolean         docent_generator_encode_chat    (DocentGenerator              *generator,
                                                  DocentChatTemplate            family,
                                                  const DocentChatMessage      *messages,
                                                  gsize                         n_messages,
                                                  GArray                       *out,
                                                  GError                      **error);

/* Evaluates `prompt` (its prefix already in the cache is kept) and
 * generates. Fails with DOCENT_MODEL_ERROR_CONTEXT_FULL when the prompt
 * does not fit (the caller can shorten it and retry), G_IO_ERROR_CANCELLED
 * when cancelled, or the source's error. `result` is filled in either way
 * (on failure with what was streamed before it); clear it afterwards. */
gboolean         docent_generator_run            (DocentGenerator              *generator,
                                                  const DocentToken            *prompt,
                                                  guint                         n_prompt,
                                                  const DocentGenerateOptions  *options,
                                                  GCancellable                 *cancellable,
                                                  DocentGenerateResult         *result,
                                                  GError                      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DocentGenerator, docent_generator_free)

G_END_DECLS
