/* fuzz-tokenizer.c — libFuzzer entry point for the three tokenizer
 * families (SentencePiece, byte-level BPE under every pre-tokenizer,
 * WordPiece), each built once from a tiny vocabulary as
 * tests/test-tokenizer.c builds them. The first input byte picks the
 * tokenizer, the second the encode flags, the rest is the text: any bytes,
 * as a document or a person may give them. Checks: encoding never fails
 * below the size limit, every id is in the vocabulary, decoding and
 * token_to_piece accept whatever ids come out, and with no flags
 * SentencePiece and BPE give back exactly the bytes they were given.
 * Built as a libFuzzer binary under clang (-Dfuzzing=true) and, with
 * replay.c, as a test over tests/fuzz/corpus/tokenizer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/tokenizer-private.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) abort (); } while (0)
#define SPACE_MARK "\xE2\x96\x81"

/* One name of each pre-tokenizer family (engine/pretokenize.c). */
static const char *const bpe_pres[] = {
  "default", "gpt-2", "llama-bpe", "dbrx", "qwen2", "deepseek-llm",
  "deepseek-coder", "falcon", "starcoder", "bloom", "viking",
};

typedef struct {
  DocentTokenizer *tokenizer;
  gboolean exact;   /* decode (encode (text)) == text without flags */
} Target;

static Target targets[G_N_ELEMENTS (bpe_pres) + 4];
static guint n_targets;

/* Space-separated token texts; "_" stands for "▁". */
static void
add_tokens (DocentVocab     *vocab,
            const char      *texts,
            DocentTokenType  type)
{
  char **list = g_strsplit (texts, " ", -1);

  for (guint i = 0; list[i] != NULL; i++)
    {
      char **parts = g_strsplit (list[i], "_", -1);
      char *text = g_strjoinv (SPACE_MARK, parts);

      if (*text != '\0')
        docent_vocab_add_token (vocab, text, strlen (text), -(float) i, type);
      g_free (text);
      g_strfreev (parts);
    }
  g_strfreev (list);
}

static DocentVocab *
spm_vocab (gboolean space_prefix)
{
  DocentVocab *vocab = docent_vocab_new (DOCENT_VOCAB_SPM);

  docent_vocab_add_token (vocab, "<unk>", 5, 0, DOCENT_TOKEN_TYPE_UNKNOWN);
  docent_vocab_add_token (vocab, "<s>", 3, 0, DOCENT_TOKEN_TYPE_CONTROL);
  docent_vocab_add_token (vocab, "</s>", 4, 0, DOCENT_TOKEN_TYPE_CONTROL);
  for (guint b = 0; b < 256; b++)
    {
      char name[8];

      g_snprintf (name, sizeof name, "<0x%02X>", b);
      docent_vocab_add_token (vocab, name, 6, 0, DOCENT_TOKEN_TYPE_BYTE);
    }
  add_tokens (vocab, "_ a b e t h T 3 . ' _a _b _t _th _the he the __ ___ ab é _é 日本 日", DOCENT_TOKEN_TYPE_NORMAL);
  add_tokens (vocab, "<|im_start|> <|im_end|>", DOCENT_TOKEN_TYPE_CONTROL);
  add_tokens (vocab, "<tool>", DOCENT_TOKEN_TYPE_USER_DEFINED);
  docent_vocab_set_special (vocab, DOCENT_SPECIAL_UNK, 0);
  docent_vocab_set_special (vocab, DOCENT_SPECIAL_BOS, 1);
  docent_vocab_set_special (vocab, DOCENT_SPECIAL_EOS, 2);
  docent_vocab_set_flag (vocab, DOCENT_VOCAB_ADD_BOS, TRUE);
  docent_vocab_set_flag (vocab, DOCENT_VOCAB_ADD_SPACE_PREFIX, space_prefix);
  return vocab;
}

static DocentVocab *
bpe_vocab (const char *pre)
{
  static const char *const merges[] = {
    "\xC4\xA0 a", "a b", "\xC4\xA0 ab", "\xC4\xA0 \xC4\xA0", "t h", "th e",
    "\xC4\xA0 the", "\xC4\x8A \xC4\x8A", "1 2", "12 3",
  };
  DocentVocab *vocab = docent_vocab_new (DOCENT_VOCAB_BPE);
  DocentToken eot;

  for (guint b = 0; b < 256; b++)
    {
      char utf8[8];
      gint len = g_unichar_to_utf8 (docent_bpe_byte_to_cp ((guint8) b), utf8);

      docent_vocab_add_token (vocab, utf8, len, 0, DOCENT_TOKEN_TYPE_NORMAL);
    }
  add_tokens (vocab, "Ġa ab Ġab ĠĠ ĊĊ th the Ġthe 12 123", DOCENT_TOKEN_TYPE_NORMAL);
  for (guint i = 0; i < G_N_ELEMENTS (merges); i++)
    docent_vocab_add_merge (vocab, merges[i], strlen (merges[i]));
  eot = docent_vocab_add_token (vocab, "<|endoftext|>", 13, 0, DOCENT_TOKEN_TYPE_CONTROL);
  /* Not "ø" as in test-tokenizer.c: that is also byte 0xF8's stand-in, and
   * the later token would take the byte's place. */
  add_tokens (vocab, "<tool> 日本", DOCENT_TOKEN_TYPE_USER_DEFINED);
  docent_vocab_set_special (vocab, DOCENT_SPECIAL_BOS, eot);
  docent_vocab_set_special (vocab, DOCENT_SPECIAL_EOS, eot);
  docent_vocab_set_pre (vocab, pre);
  return vocab;
}

/* "word ##piece" lists; a converted vocabulary writes "▁word piece". */
static DocentVocab *
wpm_vocab (gboolean converted,
           gboolean lowercase)
{
  static const char *const words[] = {
    "un", "##aff", "##able", "hello", ",", "!", ".", "cafe", "日", "本",
    "a", "##b", "##c", "ab", "the", "##s",
  };
  DocentVocab *vocab = docent_vocab_new (DOCENT_VOCAB_WPM);

  add_tokens (vocab, "[PAD] [UNK] [CLS] [SEP] [MASK]", DOCENT_TOKEN_TYPE_CONTROL);
  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    {
      char *text;

      if (!converted)
        text = g_strdup (words[i]);
      else if (g_str_has_prefix (words[i], "##"))
        text = g_strdup (words[i] + 2);
      else
        text = g_strconcat (SPACE_MARK, words[i], NULL);
      docent_vocab_add_token (vocab, text, strlen (text), 0, DOCENT_TOKEN_TYPE_NORMAL);
      g_free (text);
    }
  docent_vocab_set_special (vocab, DOCENT_SPECIAL_PAD, 0);
  docent_vocab_set_special (vocab, DOCENT_SPECIAL_UNK, 1);
  docent_vocab_set_special (vocab, DOCENT_SPECIAL_CLS, 2);
  docent_vocab_set_special (vocab, DOCENT_SPECIAL_SEP, 3);
  docent_vocab_set_special (vocab, DOCENT_SPECIAL_MASK, 4);
  docent_vocab_set_flag (vocab, DOCENT_VOCAB_LOWERCASE, lowercase);
  docent_vocab_set_flag (vocab, DOCENT_VOCAB_ADD_BOS, TRUE);
  docent_vocab_set_flag (vocab, DOCENT_VOCAB_ADD_EOS, TRUE);
  return vocab;
}

static void
add_target (DocentVocab *vocab,
            gboolean     exact)
{
  GError *error = NULL;
  DocentTokenizer *tokenizer = docent_tokenizer_new (vocab, &error);

  CHECK (tokenizer != NULL && error == NULL);
  docent_vocab_unref (vocab);
  targets[n_targets++] = (Target) { tokenizer, exact };
}

/* The tokenizers live as long as the process. */
static void
make_targets (void)
{
  add_target (spm_vocab (TRUE), TRUE);
  add_target (spm_vocab (FALSE), TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (bpe_pres); i++)
    add_target (bpe_vocab (bpe_pres[i]), TRUE);
  add_target (wpm_vocab (FALSE, TRUE), FALSE);
  add_target (wpm_vocab (TRUE, FALSE), FALSE);
}

static void
check_ids (DocentTokenizer *tokenizer,
           GArray          *ids)
{
  gsize n_vocab = docent_tokenizer_n_vocab (tokenizer);
  GString *piece = g_string_new (NULL);

  for (guint i = 0; i < ids->len; i++)
    {
      DocentToken id = g_array_index (ids, DocentToken, i);

      CHECK (id >= 0 && (gsize) id < n_vocab);
      g_string_truncate (piece, 0);
      CHECK (docent_tokenizer_token_to_piece (tokenizer, id, piece) == piece->len);
    }
  g_string_free (piece, TRUE);
}

static void
print_bytes (const char *what,
             const char *bytes,
             gsize       len)
{
  g_printerr ("%s (%" G_GSIZE_FORMAT " bytes):", what, len);
  for (gsize i = 0; i < len; i++)
    g_printerr (" %02x", (guint8) bytes[i]);
  g_printerr ("\n");
}

static void
check_round_trip (const Target  *target,
                  const char    *text,
                  gsize          len,
                  const GString *back)
{
  if (back->len == len && memcmp (back->str, text, len) == 0)
    return;
  g_printerr ("round trip of tokenizer %u (%s) changed the text\n",
              (guint) (target - targets),
              docent_vocab_pre (docent_tokenizer_vocab (target->tokenizer)));
  print_bytes ("in", text, len);
  print_bytes ("out", back->str, back->len);
  abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  const Target *target;
  const char *text;
  gsize len;
  DocentEncodeFlags flags;
  GArray *ids;
  GString *back;
  GError *error = NULL;
  /* Hostile ids: out of range, negative, special. */
  static const DocentToken odd_ids[] = { -1, 0, 1, 2, 3, 100000, G_MAXINT32 };

  if (n_targets == 0)
    make_targets ();
  if (size < 2)
    return 0;
  target = &targets[data[0] % n_targets];
  flags = data[1] & (DOCENT_ENCODE_ADD_SPECIAL | DOCENT_ENCODE_PARSE_SPECIAL);
  text = (const char *) data + 2;
  len = size - 2;

  ids = g_array_new (FALSE, FALSE, sizeof (DocentToken));
  CHECK (docent_tokenizer_encode (target->tokenizer, text, (gssize) len, flags, ids, &error));
  CHECK (error == NULL);
  check_ids (target->tokenizer, ids);

  back = g_string_new (NULL);
  docent_tokenizer_decode (target->tokenizer, (const DocentToken *) (gpointer) ids->data,
                           ids->len, DOCENT_DECODE_NONE, back);
  /* SentencePiece reads a "▁" of the text as a space: no exact way back. */
  if (target->exact && flags == 0 &&
      (docent_vocab_kind (docent_tokenizer_vocab (target->tokenizer)) != DOCENT_VOCAB_SPM ||
       memmem (text, len, SPACE_MARK, 3) == NULL))
    check_round_trip (target, text, len, back);
  if (!target->exact)
    CHECK (g_utf8_validate_len (back->str, back->len, NULL));

  g_string_truncate (back, 0);
  docent_tokenizer_decode (target->tokenizer, (const DocentToken *) (gpointer) ids->data,
                           ids->len, DOCENT_DECODE_SKIP_SPECIAL, back);
  g_string_truncate (back, 0);
  docent_tokenizer_decode (target->tokenizer, odd_ids, G_N_ELEMENTS (odd_ids),
                           DOCENT_DECODE_NONE, back);

  g_string_free (back, TRUE);
  g_array_unref (ids);
  return 0;
}
