/* tokenizer.c — DocentTokenizer: the tables made once from a vocabulary,
 * the encode driver (special tokens found in the text first, the runs of
 * text between them handed to the family's tokenizer), the merge queue the
 * families share, and decoding back to bytes. */
#include "engine/tokenizer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/tokenizer-private.h"

G_DEFINE_QUARK (docent-tokenizer-error-quark, docent_tokenizer_error)

/* The "▁" (U+2581) that stands for a space in SentencePiece and in
 * converted WordPiece vocabularies. */
#define SPACE_MARK "\xE2\x96\x81"
#define SPACE_MARK_LEN 3

/* ---- byte-level BPE's byte stand-ins ------------------------------------------- */

/* Printable Latin-1 bytes stand for themselves; the other 68 bytes (controls,
 * space, DEL, NBSP, soft hyphen) get U+0100 onwards in byte order. */
guint32
docent_bpe_byte_to_cp (guint8 byte)
{
  if ((byte >= 0x21 && byte <= 0x7E) || (byte >= 0xA1 && byte <= 0xAC) || byte >= 0xAE)
    return byte;
  if (byte <= 0x20)
    return 0x100 + byte;
  if (byte <= 0xA0)
    return 0x100 + 0x21 + (byte - 0x7F);
  return 0x100 + 0x21 + 0x22;  /* 0xAD */
}

gint
docent_bpe_cp_to_byte (guint32 cp)
{
  if ((cp >= 0x21 && cp <= 0x7E) || (cp >= 0xA1 && cp <= 0xAC) || (cp >= 0xAE && cp <= 0xFF))
    return (gint) cp;
  if (cp >= 0x100 && cp <= 0x120)
    return (gint) (cp - 0x100);
  if (cp >= 0x121 && cp <= 0x142)
    return (gint) (cp - 0x121 + 0x7F);
  if (cp == 0x143)
    return 0xAD;
  return -1;
}

/* ---- construction -------------------------------------------------------------- */

static gboolean
is_special_type (DocentTokenType type)
{
  return type == DOCENT_TOKEN_TYPE_CONTROL || type == DOCENT_TOKEN_TYPE_UNKNOWN
         || type == DOCENT_TOKEN_TYPE_USER_DEFINED;
}

typedef struct {
  guint8 first;
  guint32 len;
} SpecialLength;

static int
compare_special_lengths (const void *a,
                         const void *b)
{
  const SpecialLength *x = a, *y = b;

  if (x->first != y->first)
    return x->first < y->first ? -1 : 1;
  if (x->len != y->len)
    return x->len > y->len ? -1 : 1;
  return 0;
}

/* Special tokens are found by hashing the text at each length that some
 * special token starting with the same byte has, longest first: a few hash
 * lookups per position even for vocabularies with thousands of them. */
static void
build_special_index (DocentTokenizer *tokenizer)
{
  DocentVocab *vocab = tokenizer->vocab;
  gsize n_tokens = docent_vocab_n_tokens (vocab), n = 0, n_unique = 0;
  g_autofree SpecialLength *lengths = NULL;

  for (gsize id = 0; id < n_tokens; id++)
    if (is_special_type (docent_vocab_token_type (vocab, (DocentToken) id)))
      n++;
  lengths = g_new (SpecialLength, MAX (n, 1));
  n = 0;
  for (gsize id = 0; id < n_tokens; id++)
    {
      gsize len;
      const char *text = docent_vocab_token_text (vocab, (DocentToken) id, &len);

      if (len > 0 && is_special_type (docent_vocab_token_type (vocab, (DocentToken) id)))
        {
          lengths[n].first = (guint8) text[0];
          lengths[n].len = (guint32) len;
          n++;
        }
    }
  qsort (lengths, n, sizeof *lengths, compare_special_lengths);
  tokenizer->special_lengths = g_new (guint32, MAX (n, 1));
  for (guint b = 0, i = 0; b < 256; b++)
    {
      tokenizer->special_first[b] = (guint32) n_unique;
      for (; i < n && lengths[i].first == b; i++)
        if (n_unique == tokenizer->special_first[b]
            || tokenizer->special_lengths[n_unique - 1] != lengths[i].len)
          tokenizer->special_lengths[n_unique++] = lengths[i].len;
    }
  tokenizer->special_first[256] = (guint32) n_unique;
}

static void
build_spm_bytes (DocentTokenizer *tokenizer)
{
  for (guint b = 0; b < 256; b++)
    {
      char name[8];

      g_snprintf (name, sizeof name, "<0x%02X>", b);
      tokenizer->byte_tokens[b] = docent_vocab_lookup (tokenizer->vocab, name, 6);
    }
}

static gboolean
has_space_mark_inside (const char *text,
                       gsize       len)
{
  for (gsize at = 1; at + SPACE_MARK_LEN <= len; at++)
    {
      const char *mark = memmem (text + at, len - at, SPACE_MARK, SPACE_MARK_LEN);

      if (mark == NULL)
        return FALSE;
      at = mark - text;
      if (at < SPACE_MARK_LEN || memcmp (mark - SPACE_MARK_LEN, SPACE_MARK, SPACE_MARK_LEN) != 0)
        return TRUE;
    }
  return FALSE;
}

static gboolean
spm_words_apart (DocentVocab *vocab)
{
  gsize n_tokens = docent_vocab_n_tokens (vocab);

  for (gsize id = 0; id < n_tokens; id++)
    {
      gsize len;
      const char *text = docent_vocab_token_text (vocab, (DocentToken) id, &len);
      DocentTokenType type = docent_vocab_token_type (vocab, (DocentToken) id);

      /* Tokens that text never turns into do not count. */
      if (type == DOCENT_TOKEN_TYPE_CONTROL || type == DOCENT_TOKEN_TYPE_UNKNOWN
          || type == DOCENT_TOKEN_TYPE_BYTE)
        continue;
      if (has_space_mark_inside (text, len))
        return FALSE;
    }
  return TRUE;
}

static void
build_bpe_bytes (DocentTokenizer *tokenizer)
{
  for (guint b = 0; b < 256; b++)
    {
      char utf8[8];
      gint len = g_unichar_to_utf8 (docent_bpe_byte_to_cp ((guint8) b), utf8);

      tokenizer->byte_tokens[b] = docent_vocab_lookup (tokenizer->vocab, utf8, len);
    }
}

/* Converted BERT vocabularies write a word's first piece "▁word" and its
 * continuations bare; original ones write "word" and "##piece". */
static void
choose_wpm_prefixes (DocentTokenizer *tokenizer)
{
  gsize n_tokens = docent_vocab_n_tokens (tokenizer->vocab);
  gsize n_mark = 0, n_hashes = 0;

  for (gsize id = 0; id < n_tokens; id++)
    {
      gsize len;
      const char *text = docent_vocab_token_text (tokenizer->vocab, (DocentToken) id, &len);

      if (len > SPACE_MARK_LEN && memcmp (text, SPACE_MARK, SPACE_MARK_LEN) == 0)
        n_mark++;
      else if (len > 2 && text[0] == '#' && text[1] == '#')
        n_hashes++;
    }
  tokenizer->wpm_first_prefix = n_mark > n_hashes ? SPACE_MARK : "";
  tokenizer->wpm_next_prefix = n_mark > n_hashes ? "" : "##";
}

DocentTokenizer *
docent_tokenizer_new (DocentVocab  *vocab,
                      GError      **error)
{
  g_autoptr(DocentTokenizer) tokenizer = NULL;

  g_return_val_if_fail (vocab != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (docent_vocab_n_tokens (vocab) == 0)
    {
      g_set_error_literal (error, DOCENT_TOKENIZER_ERROR, DOCENT_TOKENIZER_ERROR_INVALID,
                           "The vocabulary has no tokens");
      return NULL;
    }
  tokenizer = g_new0 (DocentTokenizer, 1);
  tokenizer->ref_count = 1;
  tokenizer->vocab = docent_vocab_ref (vocab);
  tokenizer->kind = docent_vocab_kind (vocab);
  tokenizer->unk = docent_vocab_special (vocab, DOCENT_SPECIAL_UNK);
  build_special_index (tokenizer);
  switch (tokenizer->kind)
    {
    case DOCENT_VOCAB_SPM:
      build_spm_bytes (tokenizer);
      tokenizer->spm_words_apart = spm_words_apart (vocab);
      break;
    case DOCENT_VOCAB_BPE:
      tokenizer->pretokenizer = docent_pretokenizer_lookup (docent_vocab_pre (vocab));
      if (tokenizer->pretokenizer == NULL)
        {
          g_set_error (error, DOCENT_TOKENIZER_ERROR, DOCENT_TOKENIZER_ERROR_UNSUPPORTED,
                       "The model's pre-tokenizer “%s” is not supported, so its text would be split wrongly",
                       docent_vocab_pre (vocab));
          return NULL;
        }
      build_bpe_bytes (tokenizer);
      break;
    case DOCENT_VOCAB_WPM:
      choose_wpm_prefixes (tokenizer);
      break;
    default:
      g_set_error_literal (error, DOCENT_TOKENIZER_ERROR, DOCENT_TOKENIZER_ERROR_INVALID,
                           "Unknown vocabulary kind");
      return NULL;
    }
  return g_steal_pointer (&tokenizer);
}

DocentTokenizer *
docent_tokenizer_new_from_gguf (DocentGguf  *gguf,
                                GError     **error)
{
  g_autoptr(DocentVocab) vocab = docent_vocab_new_from_gguf (gguf, error);

  if (vocab == NULL)
    return NULL;
  return docent_tokenizer_new (vocab, error);
}

DocentTokenizer *
docent_tokenizer_ref (DocentTokenizer *tokenizer)
{
  g_return_val_if_fail (tokenizer != NULL, NULL);
  g_atomic_int_inc (&tokenizer->ref_count);
  return tokenizer;
}

void
docent_tokenizer_unref (DocentTokenizer *tokenizer)
{
  if (tokenizer == NULL || !g_atomic_int_dec_and_test (&tokenizer->ref_count))
    return;
  g_free (tokenizer->special_lengths);
  docent_vocab_unref (tokenizer->vocab);
  g_free (tokenizer);
}

/* ---- accessors ----------------------------------------------------------------- */

DocentVocab *
docent_tokenizer_vocab (DocentTokenizer *tokenizer)
{
  return tokenizer->vocab;
}

gsize
docent_tokenizer_n_vocab (DocentTokenizer *tokenizer)
{
  return docent_vocab_n_tokens (tokenizer->vocab);
}

DocentToken
docent_tokenizer_special (DocentTokenizer *tokenizer,
                          DocentSpecial    which)
{
  return docent_vocab_special (tokenizer->vocab, which);
}

static DocentToken
special_or (DocentTokenizer *tokenizer,
            DocentSpecial    which,
            DocentSpecial    fallback)
{
  DocentToken id = docent_vocab_special (tokenizer->vocab, which);

  return id != DOCENT_TOKEN_NONE ? id : docent_vocab_special (tokenizer->vocab, fallback);
}

DocentToken
docent_tokenizer_bos (DocentTokenizer *tokenizer)
{
  if (tokenizer->kind == DOCENT_VOCAB_WPM)
    return special_or (tokenizer, DOCENT_SPECIAL_BOS, DOCENT_SPECIAL_CLS);
  return docent_vocab_special (tokenizer->vocab, DOCENT_SPECIAL_BOS);
}

DocentToken
docent_tokenizer_eos (DocentTokenizer *tokenizer)
{
  if (tokenizer->kind == DOCENT_VOCAB_WPM)
    return special_or (tokenizer, DOCENT_SPECIAL_EOS, DOCENT_SPECIAL_SEP);
  return docent_vocab_special (tokenizer->vocab, DOCENT_SPECIAL_EOS);
}

DocentToken
docent_tokenizer_cls (DocentTokenizer *tokenizer)
{
  return special_or (tokenizer, DOCENT_SPECIAL_CLS, DOCENT_SPECIAL_BOS);
}

DocentToken
docent_tokenizer_sep (DocentTokenizer *tokenizer)
{
  return special_or (tokenizer, DOCENT_SPECIAL_SEP, DOCENT_SPECIAL_EOS);
}

/* ---- symbols and the merge queue ----------------------------------------------- */

static gboolean
heap_less (const DocentMergeCandidate *a,
           const DocentMergeCandidate *b)
{
  return a->key < b->key;
}

void
docent_merge_heap_push (DocentMergeHeap *heap,
                        guint32          priority,
                        guint32          left,
                        guint32          size,
                        DocentToken      merged)
{
  DocentMergeCandidate item = { (guint64) priority << 32 | left, size, merged };
  gsize i;

  if (heap->n == heap->cap)
    {
      heap->cap = MAX (64, heap->cap * 2);
      heap->items = g_renew (DocentMergeCandidate, heap->items, heap->cap);
    }
  for (i = heap->n++; i > 0; )
    {
      gsize parent = (i - 1) / 2;

      if (!heap_less (&item, &heap->items[parent]))
        break;
      heap->items[i] = heap->items[parent];
      i = parent;
    }
  heap->items[i] = item;
}

gboolean
docent_merge_heap_pop (DocentMergeHeap      *heap,
                       DocentMergeCandidate *out)
{
  DocentMergeCandidate last;
  gsize i = 0;

  if (heap->n == 0)
    return FALSE;
  *out = heap->items[0];
  last = heap->items[--heap->n];
  for (;;)
    {
      gsize child = 2 * i + 1;

      if (child >= heap->n)
        break;
      if (child + 1 < heap->n && heap_less (&heap->items[child + 1], &heap->items[child]))
        child++;
      if (!heap_less (&heap->items[child], &last))
        break;
      heap->items[i] = heap->items[child];
      i = child;
    }
  heap->items[i] = last;
  return TRUE;
}

void
docent_encode_state_reset_symbols (DocentEncodeState *state)
{
  state->n_symbols = 0;
  state->heap.n = 0;
}

guint32
docent_encode_state_add_symbol (DocentEncodeState *state,
                                guint32            start,
                                guint32            len,
                                DocentToken        id)
{
  guint32 index = (guint32) state->n_symbols;
  DocentSymbol *symbol;

  if (state->n_symbols == state->cap_symbols)
    {
      state->cap_symbols = MAX (64, state->cap_symbols * 2);
      state->symbols = g_renew (DocentSymbol, state->symbols, state->cap_symbols);
    }
  symbol = &state->symbols[state->n_symbols++];
  symbol->start = start;
  symbol->len = len;
  symbol->prev = (gint32) index - 1;
  symbol->next = -1;
  symbol->id = id;
  if (index > 0)
    state->symbols[index - 1].next = (gint32) index;
  return index;
}

gint32
docent_encode_state_merge (DocentEncodeState          *state,
                           const DocentMergeCandidate *candidate)
{
  guint32 left = (guint32) candidate->key;
  DocentSymbol *l = &state->symbols[left], *r;

  if (l->len == 0 || l->next < 0)
    return -1;
  r = &state->symbols[l->next];
  if (l->len + r->len != candidate->size)
    return -1;
  l->id = candidate->merged;
  l->len += r->len;
  r->len = 0;
  l->next = r->next;
  if (r->next >= 0)
    state->symbols[r->next].prev = (gint32) left;
  return (gint32) left;
}

/* ---- encoding ------------------------------------------------------------------ */

/* The longest special token at the start of `text`, if any may be matched. */
static gboolean
match_special (DocentTokenizer *tokenizer,
               const char      *text,
               gsize            len,
               gboolean         parse_special,
               DocentToken     *id,
               gsize           *match_len)
{
  guint8 first = (guint8) text[0];

  for (guint32 i = tokenizer->special_first[first]; i < tokenizer->special_first[first + 1]; i++)
    {
      gsize try_len = tokenizer->special_lengths[i];
      DocentToken found;
      DocentTokenType type;

      if (try_len > len)
        continue;
      found = docent_vocab_lookup (tokenizer->vocab, text, try_len);
      if (found == DOCENT_TOKEN_NONE)
        continue;
      type = docent_vocab_token_type (tokenizer->vocab, found);
      if (type == DOCENT_TOKEN_TYPE_USER_DEFINED
          || (parse_special && is_special_type (type)))
        {
          *id = found;
          *match_len = try_len;
          return TRUE;
        }
    }
  return FALSE;
}

static void
encode_run (DocentEncodeState *state,
            const char        *text,
            gsize              len,
            gboolean           after_special)
{
  DocentTokenizer *tokenizer = state->tokenizer;

  if (len == 0)
    return;
  switch (tokenizer->kind)
    {
    case DOCENT_VOCAB_SPM:
      docent_spm_encode (state, text, len,
                         after_special && docent_vocab_flag (tokenizer->vocab, DOCENT_VOCAB_ADD_SPACE_PREFIX));
      break;
    case DOCENT_VOCAB_BPE:
      docent_bpe_encode (state, text, len);
      break;
    case DOCENT_VOCAB_WPM:
    default:
      docent_wpm_encode (state, text, len);
      break;
    }
}

static void
encode_text (DocentEncodeState *state,
             const char        *text,
             gsize              len,
             gboolean           parse_special)
{
  DocentTokenizer *tokenizer = state->tokenizer;
  gboolean after_special = TRUE;
  gsize run_start = 0;

  for (gsize i = 0; i < len; i++)
    {
      guint8 first = (guint8) text[i];
      DocentToken id;
      gsize match_len;

      if (tokenizer->special_first[first] == tokenizer->special_first[first + 1]
          || !match_special (tokenizer, text + i, len - i, parse_special, &id, &match_len))
        continue;
      if (i > run_start)
        {
          encode_run (state, text + run_start, i - run_start, after_special);
          after_special = FALSE;
        }
      docent_encode_state_emit (state, id);
      after_special = TRUE;
      run_start = i + match_len;
      i = run_start - 1;
    }
  encode_run (state, text + run_start, len - run_start, after_special);
}

static void
add_first_special (DocentEncodeState *state)
{
  DocentTokenizer *tokenizer = state->tokenizer;
  DocentToken id;

  if (!docent_vocab_flag (tokenizer->vocab, DOCENT_VOCAB_ADD_BOS))
    return;
  id = tokenizer->kind == DOCENT_VOCAB_WPM ? docent_tokenizer_cls (tokenizer)
                                           : docent_tokenizer_bos (tokenizer);
  if (id != DOCENT_TOKEN_NONE)
    docent_encode_state_emit (state, id);
}

static void
add_last_special (DocentEncodeState *state)
{
  DocentTokenizer *tokenizer = state->tokenizer;
  DocentToken id;

  if (!docent_vocab_flag (tokenizer->vocab, DOCENT_VOCAB_ADD_EOS))
    return;
  id = tokenizer->kind == DOCENT_VOCAB_WPM ? docent_tokenizer_sep (tokenizer)
                                           : docent_tokenizer_eos (tokenizer);
  if (id != DOCENT_TOKEN_NONE)
    docent_encode_state_emit (state, id);
}

gboolean
docent_tokenizer_encode (DocentTokenizer    *tokenizer,
                         const char         *text,
                         gssize              len,
                         DocentEncodeFlags   flags,
                         GArray             *out,
                         GError            **error)
{
  DocentEncodeState state = { 0 };

  g_return_val_if_fail (tokenizer != NULL, FALSE);
  g_return_val_if_fail (text != NULL || len == 0, FALSE);
  g_return_val_if_fail (out != NULL && g_array_get_element_size (out) == sizeof (DocentToken), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (len < 0)
    len = (gssize) strlen (text);
  /* Offsets are 32-bit, and SentencePiece's text grows threefold when
   * every byte is a space. */
  if ((gsize) len > DOCENT_TOKENIZER_MAX_TEXT)
    {
      g_autofree char *size = g_format_size ((guint64) len);

      g_set_error (error, DOCENT_TOKENIZER_ERROR, DOCENT_TOKENIZER_ERROR_TOO_LONG,
                   "The text is too long to tokenize in one piece (%s; the limit is 1 GiB)", size);
      return FALSE;
    }
  state.tokenizer = tokenizer;
  state.out = out;
  state.buffer = g_string_new (NULL);
  state.offsets = g_array_new (FALSE, FALSE, sizeof (guint32));
  if (flags & DOCENT_ENCODE_ADD_SPECIAL)
    add_first_special (&state);
  encode_text (&state, text, (gsize) len, (flags & DOCENT_ENCODE_PARSE_SPECIAL) != 0);
  if (flags & DOCENT_ENCODE_ADD_SPECIAL)
    add_last_special (&state);
  g_free (state.symbols);
  g_free (state.heap.items);
  g_string_free (state.buffer, TRUE);
  g_array_unref (state.offsets);
  return TRUE;
}

/* ---- decoding ------------------------------------------------------------------ */

/* "<0xNN>" → NN */
static gint
byte_token_value (const char *text,
                  gsize       len)
{
  if (len != 6 || memcmp (text, "<0x", 3) != 0 || text[5] != '>'
      || !g_ascii_isxdigit (text[3]) || !g_ascii_isxdigit (text[4]))
    return -1;
  return g_ascii_xdigit_value (text[3]) * 16 + g_ascii_xdigit_value (text[4]);
}

static void
append_unescaped_spaces (GString    *out,
                         const char *text,
                         gsize       len)
{
  const char *end = text + len;

  while (text < end)
    {
      const char *mark = memmem (text, end - text, SPACE_MARK, SPACE_MARK_LEN);

      if (mark == NULL)
        {
          g_string_append_len (out, text, end - text);
          break;
        }
      g_string_append_len (out, text, mark - text);
      g_string_append_c (out, ' ');
      text = mark + SPACE_MARK_LEN;
    }
}

static void
append_byte_level (GString    *out,
                   const char *text,
                   gsize       len)
{
  gsize at = 0;

  while (at < len)
    {
      guint32 cp;
      gsize n = docent_utf8_next (text + at, len - at, &cp);
      gint byte = docent_bpe_cp_to_byte (cp);

      /* Characters that stand for no byte are kept as they are. */
      if (byte >= 0)
        g_string_append_c (out, (char) byte);
      else
        g_string_append_len (out, text + at, n);
      at += n;
    }
}

static void
append_spm_piece (GString         *out,
                  DocentTokenType  type,
                  const char      *text,
                  gsize            len)
{
  gint byte = type == DOCENT_TOKEN_TYPE_BYTE ? byte_token_value (text, len) : -1;

  if (byte >= 0)
    g_string_append_c (out, (char) byte);
  else
    append_unescaped_spaces (out, text, len);
}

static void
append_wpm_piece (DocentTokenizer *tokenizer,
                  GString         *out,
                  const char      *text,
                  gsize            len)
{
  gsize first_len = strlen (tokenizer->wpm_first_prefix);
  gsize next_len = strlen (tokenizer->wpm_next_prefix);

  if (next_len > 0 && len >= next_len && memcmp (text, tokenizer->wpm_next_prefix, next_len) == 0)
    {
      g_string_append_len (out, text + next_len, len - next_len);
      return;
    }
  if (first_len > 0 && !(len >= first_len && memcmp (text, tokenizer->wpm_first_prefix, first_len) == 0))
    {
      /* A continuation of a converted vocabulary. */
      g_string_append_len (out, text, len);
      return;
    }
  g_string_append_c (out, ' ');
  g_string_append_len (out, text + first_len, len - first_len);
}

gsize
docent_tokenizer_token_to_piece (DocentTokenizer *tokenizer,
                                 DocentToken      id,
                                 GString         *out)
{
  gsize before = out->len, len;
  const char *text = docent_vocab_token_text (tokenizer->vocab, id, &len);
  DocentTokenType type = docent_vocab_token_type (tokenizer->vocab, id);

  if (text == NULL)
    return 0;
  if (is_special_type (type))
    g_string_append_len (out, text, len);
  else if (tokenizer->kind == DOCENT_VOCAB_SPM)
    append_spm_piece (out, type, text, len);
  else if (tokenizer->kind == DOCENT_VOCAB_BPE)
    append_byte_level (out, text, len);
  else
    append_wpm_piece (tokenizer, out, text, len);
  return out->len - before;
}

/* Whether a decoded piece should lose its first space: SentencePiece put
 * one before the text and after each special token; WordPiece separates
 * words, not the text from what came before. */
static gboolean
strips_leading_space (DocentTokenizer *tokenizer)
{
  if (tokenizer->kind == DOCENT_VOCAB_WPM)
    return TRUE;
  return tokenizer->kind == DOCENT_VOCAB_SPM
         && docent_vocab_flag (tokenizer->vocab, DOCENT_VOCAB_ADD_SPACE_PREFIX);
}

void
docent_tokenizer_decode (DocentTokenizer   *tokenizer,
                         const DocentToken *ids,
                         gsize              n_ids,
                         DocentDecodeFlags  flags,
                         GString           *out)
{
  gboolean strip = strips_leading_space (tokenizer);
  gboolean at_start = TRUE;

  g_return_if_fail (tokenizer != NULL);
  g_return_if_fail (ids != NULL || n_ids == 0);
  g_return_if_fail (out != NULL);

  for (gsize i = 0; i < n_ids; i++)
    {
      DocentTokenType type = docent_vocab_token_type (tokenizer->vocab, ids[i]);
      gsize start = out->len;

      if (ids[i] < 0 || (gsize) ids[i] >= docent_vocab_n_tokens (tokenizer->vocab))
        continue;
      if (is_special_type (type))
        {
          if (!(flags & DOCENT_DECODE_SKIP_SPECIAL) || type == DOCENT_TOKEN_TYPE_USER_DEFINED)
            {
              if (tokenizer->kind == DOCENT_VOCAB_WPM && out->len > 0)
                g_string_append_c (out, ' ');
              docent_tokenizer_token_to_piece (tokenizer, ids[i], out);
            }
          at_start = tokenizer->kind != DOCENT_VOCAB_WPM || out->len == 0;
          continue;
        }
      docent_tokenizer_token_to_piece (tokenizer, ids[i], out);
      if (at_start && strip && out->len > start && out->str[start] == ' ')
        g_string_erase (out, start, 1);
      at_start = FALSE;
    }
}
