/* tokenizer-wpm.c — WordPiece ("bert" vocabularies), as BERT's basic
 * tokenizer and WordPiece do it.
 *
 * Control characters are dropped and white space separates words; an
 * uncased vocabulary lower-cases and drops accents (canonical
 * decomposition, then no non-spacing marks); every punctuation mark and CJK
 * ideograph is a word of its own. Each word is then matched greedily,
 * longest piece first, from its start; continuation pieces are written
 * "##piece" (or bare, after a "▁word" first piece in converted
 * vocabularies). A word that cannot be spelled, or is very long, is [UNK]. */
#include <string.h>

#include "engine/tokenizer-private.h"

/* BERT's limit: longer words are [UNK] without trying. */
#define MAX_WORD_CHARS 100

/* The CJK blocks BERT treats as one word per character. */
static gboolean
is_cjk (guint32 c)
{
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF)
         || (c >= 0x20000 && c <= 0x2A6DF) || (c >= 0x2A700 && c <= 0x2B73F)
         || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B920 && c <= 0x2CEAF)
         || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

/* BERT counts all non-alphanumeric ASCII as punctuation, plus \p{P}. */
static gboolean
is_punctuation (guint32 c,
                guint8  cls)
{
  return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96)
         || (c >= 123 && c <= 126) || (cls & DOCENT_CP_PUNCT) != 0;
}

/* BERT's clean-up: tab and line breaks are white space; every other
 * character of \p{C} (controls, formats, unassigned, private use) is
 * dropped, then white space (the Unicode White_Space property) separates. */
static gboolean
is_bert_control (guint32 c)
{
  switch (g_unichar_type (c))
    {
    case G_UNICODE_CONTROL:
    case G_UNICODE_FORMAT:
    case G_UNICODE_UNASSIGNED:
    case G_UNICODE_PRIVATE_USE:
    case G_UNICODE_SURROGATE:
      return c != '\t' && c != '\n' && c != '\r';
    default:
      return FALSE;
    }
}

typedef struct {
  DocentEncodeState *state;
  GString *word;          /* the word being collected, UTF-8 */
  GArray *char_starts;    /* byte offset of each of its characters */
  GString *probe;         /* prefix + candidate piece */
} WordPiece;

static DocentToken
lookup_piece (WordPiece  *wp,
              const char *prefix,
              const char *piece,
              gsize       len)
{
  DocentVocab *vocab = wp->state->tokenizer->vocab;

  if (*prefix == '\0')
    return docent_vocab_lookup (vocab, piece, len);
  g_string_assign (wp->probe, prefix);
  g_string_append_len (wp->probe, piece, len);
  return docent_vocab_lookup (vocab, wp->probe->str, wp->probe->len);
}

/* The longest piece starting at character `first`, or DOCENT_TOKEN_NONE;
 * *next is the character after it. */
static DocentToken
longest_piece (WordPiece *wp,
               guint      first,
               guint     *next)
{
  DocentTokenizer *tokenizer = wp->state->tokenizer;
  const char *prefix = first == 0 ? tokenizer->wpm_first_prefix : tokenizer->wpm_next_prefix;
  gsize max_len = docent_vocab_max_token_len (tokenizer->vocab);
  guint n_chars = wp->char_starts->len;
  gsize prefix_len = strlen (prefix);
  guint32 start = g_array_index (wp->char_starts, guint32, first);

  for (guint stop = n_chars; stop > first; stop--)
    {
      guint32 end = stop == n_chars ? (guint32) wp->word->len
                                    : g_array_index (wp->char_starts, guint32, stop);
      DocentToken id;

      /* No token is longer than this: skip the lookups. */
      if (end - start + prefix_len > max_len)
        continue;
      id = lookup_piece (wp, prefix, wp->word->str + start, end - start);
      if (id != DOCENT_TOKEN_NONE)
        {
          *next = stop;
          return id;
        }
    }
  return DOCENT_TOKEN_NONE;
}

static void
finish_word (WordPiece *wp)
{
  DocentEncodeState *state = wp->state;
  guint n_chars = wp->char_starts->len;
  guint before = state->out->len;

  if (n_chars == 0)
    return;
  if (n_chars <= MAX_WORD_CHARS)
    for (guint at = 0; at < n_chars; )
      {
        DocentToken id = longest_piece (wp, at, &at);

        if (id == DOCENT_TOKEN_NONE)
          {
            g_array_set_size (state->out, before);
            break;
          }
        docent_encode_state_emit (state, id);
      }
  if (state->out->len == before && state->tokenizer->unk != DOCENT_TOKEN_NONE)
    docent_encode_state_emit (state, state->tokenizer->unk);
  g_string_truncate (wp->word, 0);
  g_array_set_size (wp->char_starts, 0);
}

static void
append_char (WordPiece *wp,
             guint32    c)
{
  guint32 start = (guint32) wp->word->len;

  g_array_append_val (wp->char_starts, start);
  g_string_append_unichar (wp->word, c);
}

/* One character after normalisation. */
static void
add_char (WordPiece *wp,
          guint32    c)
{
  guint8 cls = docent_cp_class (c);

  if (is_punctuation (c, cls) || is_cjk (c))
    {
      finish_word (wp);
      append_char (wp, c);
      finish_word (wp);
      return;
    }
  append_char (wp, c);
}

static void
add_code_point (WordPiece *wp,
                guint32    c,
                gboolean   uncased)
{
  gunichar decomposed[G_UNICHAR_MAX_DECOMPOSITION_LENGTH];
  gsize n;

  if (c >= DOCENT_CP_BYTE_BASE || c == 0 || c == 0xFFFD || is_bert_control (c))
    return;
  if (docent_cp_class (c) & DOCENT_CP_SPACE)
    {
      finish_word (wp);
      return;
    }
  if (!uncased)
    {
      add_char (wp, c);
      return;
    }
  n = g_unichar_fully_decompose (c, FALSE, decomposed, G_N_ELEMENTS (decomposed));
  for (gsize i = 0; i < n; i++)
    if (!(docent_cp_class (decomposed[i]) & DOCENT_CP_MARK))
      add_char (wp, g_unichar_tolower (decomposed[i]));
}

void
docent_wpm_encode (DocentEncodeState *state,
                   const char        *text,
                   gsize              len)
{
  gboolean uncased = docent_vocab_flag (state->tokenizer->vocab, DOCENT_VOCAB_LOWERCASE);
  WordPiece wp = { state, state->buffer, state->offsets, NULL };

  wp.probe = g_string_new (NULL);
  g_string_truncate (wp.word, 0);
  g_array_set_size (wp.char_starts, 0);
  for (gsize at = 0; at < len; )
    {
      guint32 c;

      at += docent_utf8_next (text + at, len - at, &c);
      add_code_point (&wp, c, uncased);
    }
  finish_word (&wp);
  g_string_free (wp.probe, TRUE);
}
