/* tokenizer-bpe.c — byte-level BPE ("gpt2" vocabularies).
 *
 * The pre-tokenizer cuts the text into words; each byte of a word becomes
 * the token of its stand-in character (bytes are written as printable
 * characters in these vocabularies), and then the adjacent pair with the
 * best (lowest) merge rank is merged, again and again, leftmost first on a
 * tie. */
#include <string.h>

#include "engine/tokenizer-private.h"

static void
queue_pair (DocentEncodeState *state,
            gint32             left)
{
  const DocentSymbol *l, *r;
  guint32 rank;
  DocentToken merged;

  if (left < 0 || state->symbols[left].next < 0)
    return;
  l = &state->symbols[left];
  r = &state->symbols[l->next];
  if (docent_vocab_merge_lookup (state->tokenizer->vocab, l->id, r->id, &rank, &merged))
    docent_merge_heap_push (&state->heap, rank, (guint32) left, l->len + r->len, merged);
}

/* Llama 3: a word that is a token as a whole is that token, even where
 * merges would have spelled it differently. */
static gboolean
emit_whole_word (DocentEncodeState *state,
                 const char        *word,
                 gsize              len)
{
  GString *buffer = state->buffer;
  DocentToken id;

  g_string_truncate (buffer, 0);
  for (gsize i = 0; i < len; i++)
    g_string_append_unichar (buffer, docent_bpe_byte_to_cp ((guint8) word[i]));
  id = docent_vocab_lookup (state->tokenizer->vocab, buffer->str, buffer->len);
  if (id == DOCENT_TOKEN_NONE)
    return FALSE;
  docent_encode_state_emit (state, id);
  return TRUE;
}

static void
emit_symbols (DocentEncodeState *state)
{
  for (gint32 i = 0; i >= 0; i = state->symbols[i].next)
    {
      DocentToken id = state->symbols[i].id;

      /* A byte whose stand-in is no token (vocabularies trained on valid
       * UTF-8 may lack 0xC0, 0xF5…): dropped, as the reference does. Not
       * UNK: in some vocabularies that is the end-of-text token. */
      if (id != DOCENT_TOKEN_NONE)
        docent_encode_state_emit (state, id);
    }
}

static void
encode_word (const DocentCodepoints *cps,
             gsize                   start,
             gsize                   end,
             gpointer                user_data)
{
  DocentEncodeState *state = user_data;
  DocentTokenizer *tokenizer = state->tokenizer;
  const char *word = cps->text + cps->offsets[start];
  gsize len = cps->offsets[end] - cps->offsets[start];

  if (docent_pretokenizer_ignore_merges (tokenizer->pretokenizer)
      && emit_whole_word (state, word, len))
    return;
  docent_encode_state_reset_symbols (state);
  for (gsize i = 0; i < len; i++)
    docent_encode_state_add_symbol (state, (guint32) i, 1, tokenizer->byte_tokens[(guint8) word[i]]);
  docent_encode_state_merge_all (state, queue_pair);
  emit_symbols (state);
}

void
docent_bpe_encode (DocentEncodeState *state,
                   const char        *text,
                   gsize              len)
{
  DocentCodepoints cps;

  docent_codepoints_init (&cps, text, len);
  docent_pretokenize (state->tokenizer->pretokenizer, &cps, encode_word, state);
  docent_codepoints_clear (&cps);
}
