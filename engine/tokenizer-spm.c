/* tokenizer-spm.c — SentencePiece-style tokenization ("llama" vocabularies).
 *
 * Spaces become "▁" (and one is put before the text), the text is cut into
 * characters, and then, again and again, the adjacent pair whose joined
 * string is the vocabulary token with the highest score is merged (the
 * leftmost pair on a tie). Characters left that are no token are spelled
 * with the <0xNN> byte tokens. */
#include <string.h>

#include "engine/tokenizer-private.h"

#define SPACE_MARK "\xE2\x96\x81"
#define SPACE_MARK_LEN 3

/* Which tokens text may turn into: control, unknown and byte tokens only
 * come from special-token parsing and byte fallback. */
static gboolean
spm_matchable (DocentVocab *vocab,
               DocentToken  id)
{
  switch (docent_vocab_token_type (vocab, id))
    {
    case DOCENT_TOKEN_TYPE_CONTROL:
    case DOCENT_TOKEN_TYPE_UNKNOWN:
    case DOCENT_TOKEN_TYPE_BYTE:
      return FALSE;
    default:
      return TRUE;
    }
}

static DocentToken
spm_lookup (DocentVocab *vocab,
            const char  *text,
            gsize        len)
{
  DocentToken id = docent_vocab_lookup (vocab, text, len);

  return id != DOCENT_TOKEN_NONE && spm_matchable (vocab, id) ? id : DOCENT_TOKEN_NONE;
}

/* Scores order merges, highest first: map the float onto an unsigned key
 * that sorts the other way round (smaller key pops first). */
static guint32
score_priority (float score)
{
  guint32 bits;

  memcpy (&bits, &score, sizeof bits);
  bits = (bits & 0x80000000u) ? ~bits : bits | 0x80000000u;
  return ~bits;
}

static void
queue_pair (DocentEncodeState *state,
            gint32             left)
{
  DocentVocab *vocab = state->tokenizer->vocab;
  const DocentSymbol *l, *r;
  DocentToken id;

  if (left < 0 || state->symbols[left].next < 0)
    return;
  l = &state->symbols[left];
  r = &state->symbols[l->next];
  id = spm_lookup (vocab, state->buffer->str + l->start, l->len + r->len);
  if (id != DOCENT_TOKEN_NONE)
    docent_merge_heap_push (&state->heap, score_priority (docent_vocab_token_score (vocab, id)),
                            (guint32) left, l->len + r->len, id);
}

/* The text with "▁" for each space, and one before it when asked. */
static void
escape_spaces (GString    *buffer,
               const char *text,
               gsize       len,
               gboolean    space_prefix)
{
  g_string_truncate (buffer, 0);
  if (space_prefix)
    g_string_append (buffer, SPACE_MARK);
  for (const char *end = text + len; text < end; )
    {
      const char *space = memchr (text, ' ', end - text);
      const char *stop = space != NULL ? space : end;

      g_string_append_len (buffer, text, stop - text);
      if (space == NULL)
        break;
      g_string_append (buffer, SPACE_MARK);
      text = space + 1;
    }
}

static void
emit_symbol (DocentEncodeState  *state,
             const DocentSymbol *symbol)
{
  DocentTokenizer *tokenizer = state->tokenizer;
  gboolean missing = FALSE;

  if (symbol->id != DOCENT_TOKEN_NONE)
    {
      docent_encode_state_emit (state, symbol->id);
      return;
    }
  for (guint32 i = 0; i < symbol->len; i++)
    {
      DocentToken byte = tokenizer->byte_tokens[(guint8) state->buffer->str[symbol->start + i]];

      if (byte == DOCENT_TOKEN_NONE)
        missing = TRUE;
      else
        docent_encode_state_emit (state, byte);
    }
  /* Without byte tokens, a character that is no token is one <unk>. */
  if (missing && tokenizer->unk != DOCENT_TOKEN_NONE)
    docent_encode_state_emit (state, tokenizer->unk);
}

static void
encode_segment (DocentEncodeState *state,
                gsize              start,
                gsize              end)
{
  DocentVocab *vocab = state->tokenizer->vocab;
  const char *buffer = state->buffer->str;

  docent_encode_state_reset_symbols (state);
  for (gsize at = start; at < end; )
    {
      guint32 cp;
      gsize n = docent_utf8_next (buffer + at, end - at, &cp);

      docent_encode_state_add_symbol (state, (guint32) at, (guint32) n,
                                      spm_lookup (vocab, buffer + at, n));
      at += n;
    }
  docent_encode_state_merge_all (state, queue_pair);
  for (gint32 i = state->n_symbols > 0 ? 0 : -1; i >= 0; i = state->symbols[i].next)
    emit_symbol (state, &state->symbols[i]);
}

/* Where the next word starts: a "▁" after something else. */
static gsize
next_word_start (const char *buffer,
                 gsize       from,
                 gsize       len)
{
  for (gsize at = from + 1; at + SPACE_MARK_LEN <= len; at++)
    {
      const char *mark = memmem (buffer + at, len - at, SPACE_MARK, SPACE_MARK_LEN);

      if (mark == NULL)
        break;
      at = mark - buffer;
      if (at < SPACE_MARK_LEN || memcmp (mark - SPACE_MARK_LEN, SPACE_MARK, SPACE_MARK_LEN) != 0)
        return at;
    }
  return len;
}

void
docent_spm_encode (DocentEncodeState *state,
                   const char        *text,
                   gsize              len,
                   gboolean           space_prefix)
{
  GString *buffer = state->buffer;

  escape_spaces (buffer, text, len, space_prefix);
  /* When no token has a "▁" after another character, no merge can cross
   * the start of a word, and words are merged one by one: the same result
   * as merging the whole text, with a small queue instead of a huge one. */
  if (!state->tokenizer->spm_words_apart)
    {
      encode_segment (state, 0, buffer->len);
      return;
    }
  for (gsize start = 0; start < buffer->len; )
    {
      gsize end = next_word_start (buffer->str, start, buffer->len);

      encode_segment (state, start, end);
      start = end;
    }
}
