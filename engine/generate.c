/* generate.c — the generation loop: prompt evaluation with prefix reuse,
 * sampling, stop tokens, and the text stream that turns token pieces into
 * whole UTF-8 characters and holds back text that may be the start of a
 * stop string. It works on a DocentTokenSourceFuncs so that everything but
 * the model can be tested with a scripted stand-in. */
#include "engine/generate.h"

#include <string.h>

#include "engine/model.h"

/* Prompts are evaluated in batches of this many tokens so that a very long
 * one checks for cancellation between batches. */
#define PROMPT_BATCH 512

#define REPLACEMENT_CHAR "\xEF\xBF\xBD"

/* ---- the text stream ------------------------------------------------------ */

typedef struct {
  GString *held;           /* whole characters not yet emitted */
  guint8 partial[4];       /* the start of a character split across tokens */
  guint n_partial;
  GString *out;            /* everything emitted */
  GPtrArray *stops;        /* stop strings (borrowed) */
  gboolean trim_start;     /* still dropping leading white space */
  DocentGenerateFunc callback;
  gpointer user_data;
} TextStream;

static void
stream_init (TextStream                  *stream,
             GPtrArray                   *stops,
             const DocentGenerateOptions *options)
{
  stream->held = g_string_new (NULL);
  stream->n_partial = 0;
  stream->out = g_string_new (NULL);
  stream->stops = stops;
  stream->trim_start = options->trim_start;
  stream->callback = options->callback;
  stream->user_data = options->user_data;
}

static char *
stream_finish (TextStream *stream)
{
  g_string_free (stream->held, TRUE);
  return g_string_free (stream->out, FALSE);
}

static void
stream_emit (TextStream *stream,
             gsize       len)
{
  const char *text = stream->held->str;

  if (len == 0)
    return;
  g_string_append_len (stream->out, text, len);
  if (stream->callback != NULL)
    {
      char saved = stream->held->str[len];

      /* The callback gets a NUL-terminated piece without a copy. */
      stream->held->str[len] = '\0';
      stream->callback (text, len, stream->user_data);
      stream->held->str[len] = saved;
    }
  g_string_erase (stream->held, 0, len);
}

/* How many bytes at `p` make one character: > 0 when valid, 0 when the
 * first byte cannot start one (or a later byte breaks it), -1 when the
 * bytes so far are a valid start but `avail` ends too soon. */
static int
utf8_char_len (const guint8 *p,
               gsize         avail)
{
  guint8 lo = 0x80, hi = 0xBF;
  int len;

  if (p[0] < 0x80)
    return 1;
  if (p[0] >= 0xC2 && p[0] <= 0xDF)
    len = 2;
  else if (p[0] >= 0xE0 && p[0] <= 0xEF)
    len = 3;
  else if (p[0] >= 0xF0 && p[0] <= 0xF4)
    len = 4;
  else
    return 0;
  /* the second byte's range rules out overlong forms, surrogates and
   * code points past U+10FFFF */
  if (p[0] == 0xE0)
    lo = 0xA0;
  else if (p[0] == 0xED)
    hi = 0x9F;
  else if (p[0] == 0xF0)
    lo = 0x90;
  else if (p[0] == 0xF4)
    hi = 0x8F;
  for (int i = 1; i < len; i++)
    {
      if ((gsize) i >= avail)
        return -1;
      if (p[i] < lo || p[i] > hi)
        return 0;
      lo = 0x80;
      hi = 0xBF;
    }
  return len;
}

/* Moves whole characters from partial + bytes into `held`; bytes that can
 * never be UTF-8 become U+FFFD, a character still missing bytes waits in
 * `partial`. NUL bytes are dropped: the callback's text is a C string. */
static void
stream_decode (TextStream   *stream,
               const guint8 *bytes,
               gsize         len)
{
  guint8 buf[4 + 64];

  while (len > 0 || stream->n_partial > 0)
    {
      gsize take = MIN (len, sizeof buf - stream->n_partial);
      gsize n = stream->n_partial + take, i = 0;

      memcpy (buf, stream->partial, stream->n_partial);
      memcpy (buf + stream->n_partial, bytes, take);
      bytes += take;
      len -= take;
      stream->n_partial = 0;
      while (i < n)
        {
          int c = utf8_char_len (buf + i, n - i);

          if (c < 0)
            {
              /* the rest of the character comes with the next bytes */
              stream->n_partial = (guint) (n - i);
              memcpy (stream->partial, buf + i, stream->n_partial);
              break;
            }
          if (c == 0)
            g_string_append (stream->held, REPLACEMENT_CHAR);
          else if (buf[i] != 0)
            g_string_append_len (stream->held, (const char *) buf + i, c);
          i += c == 0 ? 1 : (gsize) c;
        }
      if (len == 0)
        return;
    }
}

/* The longest end of `held` that some stop string starts with. */
static gsize
stop_prefix_len (TextStream *stream)
{
  const char *text = stream->held->str;
  gsize len = stream->held->len, best = 0;

  for (guint s = 0; s < stream->stops->len; s++)
    {
      const char *stop = stream->stops->pdata[s];
      gsize stop_len = strlen (stop);

      for (gsize k = MIN (len, stop_len - 1); k > best; k--)
        if (memcmp (text + len - k, stop, k) == 0)
          {
            best = k;
            break;
          }
    }
  return best;
}

/* Where the first stop string starts in `held`, or -1. */
static gssize
find_stop (TextStream *stream)
{
  gssize first = -1;

  for (guint s = 0; s < stream->stops->len; s++)
    {
      const char *at = strstr (stream->held->str, stream->stops->pdata[s]);

      if (at != NULL && (first < 0 || at - stream->held->str < first))
        first = at - stream->held->str;
    }
  return first;
}

static void
trim_leading_space (TextStream *stream)
{
  gsize n = 0;

  while (n < stream->held->len && g_ascii_isspace (stream->held->str[n]))
    n++;
  g_string_erase (stream->held, 0, n);
  stream->trim_start = stream->held->len == 0;
}

/* Adds a token's bytes; emits what can no longer be part of a stop
 * string. TRUE when a stop string was completed (the text before it has
 * been emitted, the rest dropped). */
static gboolean
stream_push (TextStream *stream,
             const char *bytes,
             gsize       len)
{
  gssize stop;

  stream_decode (stream, (const guint8 *) bytes, len);
  if (stream->trim_start)
    trim_leading_space (stream);
  stop = find_stop (stream);
  if (stop >= 0)
    {
      stream_emit (stream, stop);
      g_string_truncate (stream->held, 0);
      stream->n_partial = 0;
      return TRUE;
    }
  stream_emit (stream, stream->held->len - stop_prefix_len (stream));
  return FALSE;
}

/* At the end nothing can turn into a stop string any more; a character
 * cut off by the end shows as U+FFFD. */
static void
stream_flush (TextStream *stream)
{
  if (stream->n_partial > 0)
    g_string_append (stream->held, REPLACEMENT_CHAR);
  stream->n_partial = 0;
  stream_emit (stream, stream->held->len);
}

/* ---- a DocentContext as a token source ------------------------------------ */

typedef struct {
  DocentContext *ctx;
  guint last_n;            /* tokens in the last eval: whose logits to read */
} ContextSource;

static guint
context_n_ctx (gpointer source)
{
  return docent_context_n_ctx (((ContextSource *) source)->ctx);
}

static guint
context_n_past (gpointer source)
{
  return docent_context_n_past (((ContextSource *) source)->ctx);
}

static void
context_truncate (gpointer source,
                  guint    n_past)
{
  docent_context_truncate (((ContextSource *) source)->ctx, n_past);
}

static gboolean
context_eval (gpointer           source,
              const DocentToken *tokens,
              guint              n,
              GCancellable      *cancellable,
              GError           **error)
{
  ContextSource *cs = source;

  if (!docent_context_eval (cs->ctx, tokens, n, FALSE, cancellable, error))
    return FALSE;
  cs->last_n = n;
  return TRUE;
}

static const float *
context_logits (gpointer source)
{
  ContextSource *cs = source;

  return docent_context_logits (cs->ctx, cs->last_n - 1);
}

static const DocentTokenSourceFuncs context_funcs = {
  context_n_ctx,
  context_n_past,
  context_truncate,
  context_eval,
  context_logits,
};

/* ---- the generator -------------------------------------------------------- */

struct _DocentGenerator {
  const DocentTokenSourceFuncs *funcs;
  gpointer source;
  ContextSource context_source;
  DocentTokenizer *tokenizer;
  guint n_vocab;
  GArray *cached;          /* the tokens in the source's cache, in order */
  GArray *stop_tokens;
  GPtrArray *stop_strings;
  GString *piece;
  GPtrArray *specials;     /* texts of the vocabulary's parsed specials,
                            * collected on the first chat encode */
};

void
docent_generate_options_init (DocentGenerateOptions *options)
{
  memset (options, 0, sizeof *options);
  options->max_tokens = 256;
  docent_sampler_params_init (&options->sampling);
}

void
docent_generate_result_clear (DocentGenerateResult *result)
{
  g_clear_pointer (&result->text, g_free);
  g_clear_pointer (&result->tokens, g_array_unref);
}

static void
add_default_stops (DocentGenerator *generator)
{
  docent_generator_add_stop_token (generator, docent_tokenizer_eos (generator->tokenizer));
  docent_generator_add_stop_token (generator,
                                   docent_tokenizer_special (generator->tokenizer,
                                                             DOCENT_SPECIAL_EOT));
}

DocentGenerator *
docent_generator_new_for_source (const DocentTokenSourceFuncs *funcs,
                                 gpointer                      source,
                                 DocentTokenizer              *tokenizer,
                                 guint                         n_vocab)
{
  DocentGenerator *generator = g_new0 (DocentGenerator, 1);

  generator->funcs = funcs;
  generator->source = source;
  generator->tokenizer = docent_tokenizer_ref (tokenizer);
  generator->n_vocab = n_vocab;
  generator->cached = g_array_new (FALSE, FALSE, sizeof (DocentToken));
  generator->stop_tokens = g_array_new (FALSE, FALSE, sizeof (DocentToken));
  generator->stop_strings = g_ptr_array_new_with_free_func (g_free);
  generator->piece = g_string_new (NULL);
  add_default_stops (generator);
  return generator;
}

DocentGenerator *
docent_generator_new (DocentContext *ctx)
{
  DocentModel *model = docent_context_model (ctx);
  DocentGenerator *generator;

  generator = docent_generator_new_for_source (&context_funcs, NULL,
                                               docent_model_tokenizer (model),
                                               docent_model_info (model)->n_vocab);
  generator->context_source.ctx = ctx;
  generator->source = &generator->context_source;
  return generator;
}

void
docent_generator_free (DocentGenerator *generator)
{
  if (generator == NULL)
    return;
  docent_tokenizer_unref (generator->tokenizer);
  g_array_unref (generator->cached);
  g_array_unref (generator->stop_tokens);
  g_ptr_array_unref (generator->stop_strings);
  g_string_free (generator->piece, TRUE);
  g_clear_pointer (&generator->specials, g_ptr_array_unref);
  g_free (generator);
}

DocentTokenizer *
docent_generator_tokenizer (DocentGenerator *generator)
{
  return generator->tokenizer;
}

static gboolean
is_stop_token (DocentGenerator *generator,
               DocentToken      token)
{
  for (guint i = 0; i < generator->stop_tokens->len; i++)
    if (g_array_index (generator->stop_tokens, DocentToken, i) == token)
      return TRUE;
  return FALSE;
}

void
docent_generator_add_stop_token (DocentGenerator *generator,
                                 DocentToken      token)
{
  if (token == DOCENT_TOKEN_NONE || is_stop_token (generator, token))
    return;
  g_array_append_val (generator->stop_tokens, token);
}

static gboolean
has_stop_string (GPtrArray  *stops,
                 const char *text)
{
  for (guint i = 0; i < stops->len; i++)
    if (strcmp (stops->pdata[i], text) == 0)
      return TRUE;
  return FALSE;
}

/* A special token in the vocabulary with exactly this text, or NONE. */
static DocentToken
special_token (DocentGenerator *generator,
               const char      *text)
{
  DocentVocab *vocab = docent_tokenizer_vocab (generator->tokenizer);
  DocentToken id = docent_vocab_lookup (vocab, text, strlen (text));
  DocentTokenType type;

  if (id == DOCENT_TOKEN_NONE)
    return DOCENT_TOKEN_NONE;
  type = docent_vocab_token_type (vocab, id);
  if (type != DOCENT_TOKEN_TYPE_CONTROL && type != DOCENT_TOKEN_TYPE_USER_DEFINED)
    return DOCENT_TOKEN_NONE;
  return id;
}

void
docent_generator_add_stop (DocentGenerator *generator,
                           const char      *text)
{
  DocentToken id;

  if (text == NULL || *text == '\0')
    return;
  id = special_token (generator, text);
  if (id != DOCENT_TOKEN_NONE)
    docent_generator_add_stop_token (generator, id);
  else if (!has_stop_string (generator->stop_strings, text))
    g_ptr_array_add (generator->stop_strings, g_strdup (text));
}

void
docent_generator_use_template (DocentGenerator    *generator,
                               DocentChatTemplate  family)
{
  const char * const *stops = docent_chat_stop_strings (family);

  for (gsize i = 0; stops[i] != NULL; i++)
    docent_generator_add_stop (generator, stops[i]);
}

void
docent_generator_reset (DocentGenerator *generator)
{
  g_array_set_size (generator->cached, 0);
}

/* ---- chat prompts --------------------------------------------------------- */

static char *
special_text (DocentTokenizer *tokenizer,
              DocentToken      id)
{
  gsize len;
  const char *text;

  if (id == DOCENT_TOKEN_NONE)
    return NULL;
  text = docent_vocab_token_text (docent_tokenizer_vocab (tokenizer), id, &len);
  return text != NULL ? g_strndup (text, len) : NULL;
}

/* U+2060 WORD JOINER: invisible, and no vocabulary has a special token
 * that contains it, so a control token's text split by it is plain text. */
#define DEFANG_MARK "\xe2\x81\xa0"

static gboolean
is_parsed_special (DocentTokenType type)
{
  return type == DOCENT_TOKEN_TYPE_CONTROL || type == DOCENT_TOKEN_TYPE_USER_DEFINED;
}

/* The texts (two bytes or more) that special-token parsing would turn
 * into control tokens: a scan of the whole vocabulary, done once. */
static GPtrArray *
parsed_specials (DocentGenerator *generator)
{
  DocentVocab *vocab = docent_tokenizer_vocab (generator->tokenizer);
  gsize n_tokens = docent_vocab_n_tokens (vocab);

  if (generator->specials != NULL)
    return generator->specials;
  generator->specials = g_ptr_array_new_with_free_func (g_free);
  for (gsize id = 0; id < n_tokens; id++)
    {
      gsize len;
      const char *text;

      if (!is_parsed_special (docent_vocab_token_type (vocab, (DocentToken) id)))
        continue;
      text = docent_vocab_token_text (vocab, (DocentToken) id, &len);
      if (text != NULL && len >= 2)
        g_ptr_array_add (generator->specials, g_strndup (text, len));
    }
  return generator->specials;
}

/* Message text comes from documents and people; the rendered prompt is
 * encoded with DOCENT_ENCODE_PARSE_SPECIAL so the template's markers become
 * control tokens. Text inside a message must not: a document holding
 * "<|im_end|><|im_start|>system" would otherwise open a turn of its own.
 * Every occurrence of a special token's text gets a word joiner after its
 * first character. Returns NULL when the text holds none. */
static char *
defang_specials (GPtrArray  *specials,
                 const char *text)
{
  GString *out = NULL;

  for (guint i = 0; i < specials->len; i++)
    {
      const char *special = specials->pdata[i];
      const char *current = out ? out->str : text;
      const char *hit = strstr (current, special);
      gsize at;

      if (hit == NULL)
        continue;
      at = (gsize) (hit - current);
      if (out == NULL)
        out = g_string_new (text);
      while ((hit = strstr (out->str + at, special)) != NULL)
        {
          gsize first = g_utf8_next_char (hit) - out->str;

          g_string_insert (out, (gssize) first, DEFANG_MARK);
          at = first + strlen (DEFANG_MARK);
        }
    }
  return out ? g_string_free (out, FALSE) : NULL;
}

gboolean
docent_generator_encode_chat (DocentGenerator         *generator,
                              DocentChatTemplate       family,
                              const DocentChatMessage *messages,
                              gsize                    n_messages,
                              GArray                  *out,
                              GError                 **error)
{
  DocentTokenizer *tokenizer = generator->tokenizer;
  DocentToken bos = docent_tokenizer_bos (tokenizer);
  g_autofree char *bos_text = special_text (tokenizer, bos);
  g_autofree char *eos_text = special_text (tokenizer, docent_tokenizer_eos (tokenizer));
  g_autofree char *text = NULL;
  g_autofree DocentChatMessage *safe = g_new (DocentChatMessage, n_messages);
  g_autoptr(GPtrArray) copies = g_ptr_array_new_with_free_func (g_free);

  for (gsize i = 0; i < n_messages; i++)
    {
      char *defanged = defang_specials (parsed_specials (generator), messages[i].content);

      safe[i] = messages[i];
      if (defanged != NULL)
        {
          safe[i].content = defanged;
          g_ptr_array_add (copies, defanged);
        }
    }
  text = docent_chat_render (family, safe, n_messages, bos_text, eos_text, TRUE);
  /* Templates that do not write BOS still get it when the vocabulary says
   * every text starts with one (SentencePiece models with a plain prompt). */
  if (!docent_chat_template_writes_bos (family) && bos != DOCENT_TOKEN_NONE
      && docent_vocab_flag (docent_tokenizer_vocab (tokenizer), DOCENT_VOCAB_ADD_BOS))
    g_array_append_val (out, bos);
  return docent_tokenizer_encode (tokenizer, text, -1, DOCENT_ENCODE_PARSE_SPECIAL,
                                  out, error);
}

/* ---- the loop ------------------------------------------------------------- */

/* The cache may have been cut short by a failed or cancelled eval. */
static void
sync_cached (DocentGenerator *generator)
{
  guint n_past = generator->funcs->n_past (generator->source);

  if (generator->cached->len > n_past)
    g_array_set_size (generator->cached, n_past);
}

static guint
common_prefix (GArray            *cached,
               const DocentToken *prompt,
               guint              n_prompt)
{
  guint n = MIN (cached->len, n_prompt), i = 0;

  while (i < n && g_array_index (cached, DocentToken, i) == prompt[i])
    i++;
  return i;
}

static gboolean
eval_tokens (DocentGenerator   *generator,
             const DocentToken *tokens,
             guint              n,
             GCancellable      *cancellable,
             GError           **error)
{
  if (!generator->funcs->eval (generator->source, tokens, n, cancellable, error))
    {
      sync_cached (generator);
      return FALSE;
    }
  g_array_append_vals (generator->cached, tokens, n);
  return TRUE;
}

/* Keeps the longest cached prefix of the prompt, but always evaluates at
 * least its last token: its logits give the first sampled token. */
static gboolean
feed_prompt (DocentGenerator      *generator,
             const DocentToken    *prompt,
             guint                 n_prompt,
             GCancellable         *cancellable,
             DocentGenerateResult *result,
             GError              **error)
{
  guint n_ctx = generator->funcs->n_ctx (generator->source);
  guint keep;

  result->n_prompt_tokens = n_prompt;
  if (n_prompt > n_ctx)
    {
      g_set_error (error, DOCENT_MODEL_ERROR, DOCENT_MODEL_ERROR_CONTEXT_FULL,
                   "the prompt has %u tokens but the context holds %u",
                   n_prompt, n_ctx);
      return FALSE;
    }
  sync_cached (generator);
  keep = MIN (common_prefix (generator->cached, prompt, n_prompt), n_prompt - 1);
  generator->funcs->truncate (generator->source, keep);
  g_array_set_size (generator->cached, keep);
  result->n_reused_tokens = keep;
  for (guint at = keep; at < n_prompt; at += PROMPT_BATCH)
    if (!eval_tokens (generator, prompt + at, MIN (PROMPT_BATCH, n_prompt - at),
                      cancellable, error))
      return FALSE;
  return TRUE;
}

/* Control tokens are left out of the penalties: a chat prompt is full
 * of end-of-turn tokens, and penalising them would keep the model from
 * ending its own turn. */
static void
accept_token (DocentGenerator *generator,
              DocentSampler   *sampler,
              DocentToken      token)
{
  DocentVocab *vocab = docent_tokenizer_vocab (generator->tokenizer);

  if (docent_vocab_token_type (vocab, token) != DOCENT_TOKEN_TYPE_CONTROL)
    docent_sampler_accept (sampler, token);
}

/* The last tokens of the prompt count as "recent" for the penalties. */
static void
prime_sampler (DocentGenerator   *generator,
               DocentSampler     *sampler,
               const DocentToken *prompt,
               guint              n_prompt)
{
  guint window = docent_sampler_params (sampler)->penalty_window;
  guint from = n_prompt > window ? n_prompt - window : 0;

  for (guint i = from; i < n_prompt; i++)
    accept_token (generator, sampler, prompt[i]);
}

/* Control tokens that are not stops (a stray "<|im_start|>") are not
 * part of the answer's text. */
static gboolean
push_token (DocentGenerator *generator,
            TextStream      *stream,
            DocentToken      token)
{
  DocentVocab *vocab = docent_tokenizer_vocab (generator->tokenizer);

  if (docent_vocab_token_type (vocab, token) == DOCENT_TOKEN_TYPE_CONTROL)
    return FALSE;
  g_string_truncate (generator->piece, 0);
  docent_tokenizer_token_to_piece (generator->tokenizer, token, generator->piece);
  return stream_push (stream, generator->piece->str, generator->piece->len);
}

typedef struct {
  DocentGenerator *generator;
  DocentSampler *sampler;
  TextStream *stream;
  const DocentGenerateOptions *options;
  DocentGenerateResult *result;
} Loop;

/* One token: sample, stream, evaluate. Returns FALSE on error; sets the
 * stop reason when generation is over. */
static gboolean
step (Loop         *loop,
      GCancellable *cancellable,
      GError      **error)
{
  DocentGenerator *generator = loop->generator;
  guint max_tokens = loop->options->max_tokens;
  DocentToken token;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  token = docent_sampler_sample (loop->sampler, generator->funcs->logits (generator->source));
  accept_token (generator, loop->sampler, token);
  if (is_stop_token (generator, token))
    {
      loop->result->stop_reason = DOCENT_STOP_EOS;
      return TRUE;
    }
  loop->result->n_generated++;
  g_array_append_val (loop->result->tokens, token);
  if (push_token (generator, loop->stream, token))
    loop->result->stop_reason = DOCENT_STOP_STRING;
  else if (max_tokens > 0 && loop->result->n_generated >= max_tokens)
    loop->result->stop_reason = DOCENT_STOP_MAX_TOKENS;
  else if (generator->funcs->n_past (generator->source)
           >= generator->funcs->n_ctx (generator->source))
    loop->result->stop_reason = DOCENT_STOP_CONTEXT_FULL;
  else
    return eval_tokens (generator, &token, 1, cancellable, error);
  return TRUE;
}

static gboolean
generate_tokens (Loop         *loop,
                 GCancellable *cancellable,
                 GError      **error)
{
  if (loop->options->max_tokens == 0
      && loop->generator->funcs->n_past (loop->generator->source)
         >= loop->generator->funcs->n_ctx (loop->generator->source))
    {
      loop->result->stop_reason = DOCENT_STOP_CONTEXT_FULL;
      return TRUE;
    }
  while (loop->result->stop_reason == DOCENT_STOP_NONE)
    if (!step (loop, cancellable, error))
      {
        /* what was generated before the failure still reaches the caller */
        stream_flush (loop->stream);
        return FALSE;
      }
  if (loop->result->stop_reason != DOCENT_STOP_STRING)
    stream_flush (loop->stream);
  return TRUE;
}

/* The generator's stops plus this call's. */
static GPtrArray *
collect_stop_strings (DocentGenerator             *generator,
                      const DocentGenerateOptions *options)
{
  GPtrArray *stops = g_ptr_array_new ();

  for (guint i = 0; i < generator->stop_strings->len; i++)
    g_ptr_array_add (stops, generator->stop_strings->pdata[i]);
  for (gsize i = 0; options->stop_strings != NULL && options->stop_strings[i] != NULL; i++)
    if (*options->stop_strings[i] != '\0')
      g_ptr_array_add (stops, (gpointer) options->stop_strings[i]);
  return stops;
}

static void
set_timings (DocentGenerateResult *result,
             gint64                start,
             gint64                prompt_done,
             gint64                end)
{
  guint evaluated = result->n_prompt_tokens - result->n_reused_tokens;

  result->prompt_ms = (prompt_done - start) / 1000.0;
  result->generation_ms = (end - prompt_done) / 1000.0;
  if (result->prompt_ms > 0)
    result->prompt_tokens_per_second = evaluated * 1000.0 / result->prompt_ms;
  if (result->generation_ms > 0)
    result->tokens_per_second = result->n_generated * 1000.0 / result->generation_ms;
}

gboolean
docent_generator_run (DocentGenerator             *generator,
                      const DocentToken           *prompt,
                      guint                        n_prompt,
                      const DocentGenerateOptions *options,
                      GCancellable                *cancellable,
                      DocentGenerateResult        *result,
                      GError                     **error)
{
  g_autoptr(GPtrArray) stops = NULL;
  g_autoptr(DocentSampler) sampler = NULL;
  TextStream stream;
  Loop loop = { generator, NULL, &stream, options, result };
  gint64 start = g_get_monotonic_time (), prompt_done;
  gboolean ok;

  memset (result, 0, sizeof *result);
  result->tokens = g_array_new (FALSE, FALSE, sizeof (DocentToken));
  if (n_prompt == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "the prompt is empty");
      result->text = g_strdup ("");
      return FALSE;
    }
  ok = feed_prompt (generator, prompt, n_prompt, cancellable, result, error);
  prompt_done = g_get_monotonic_time ();
  stops = collect_stop_strings (generator, options);
  stream_init (&stream, stops, options);
  if (ok)
    {
      sampler = docent_sampler_new (&options->sampling, generator->n_vocab);
      prime_sampler (generator, sampler, prompt, n_prompt);
      loop.sampler = sampler;
      ok = generate_tokens (&loop, cancellable, error);
    }
  result->text = stream_finish (&stream);
  if (!ok)
    result->stop_reason = DOCENT_STOP_NONE;
  set_timings (result, start, prompt_done, g_get_monotonic_time ());
  return ok;
}
