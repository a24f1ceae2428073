/* test-tokenizer.c — the tokenizer families on small vocabularies built in
 * memory: SentencePiece merges by score, byte fallback and the leading
 * space; BPE merges by rank, the byte mapping and each pre-tokenizer's
 * splits; WordPiece continuations, [UNK], accents, CJK and punctuation;
 * special tokens; round trips; malformed input and hostile vocabularies;
 * loading from a GGUF file. */
#include <string.h>

#include <glib.h>

#include "engine/gguf-writer.h"
#include "engine/tokenizer-private.h"

#define SPACE_MARK "\xE2\x96\x81"

/* ---- helpers ----------------------------------------------------------------- */

static GArray *
encode (DocentTokenizer   *tokenizer,
        const char        *text,
        gssize             len,
        DocentEncodeFlags  flags)
{
  g_autoptr(GError) error = NULL;
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (DocentToken));

  g_assert_true (docent_tokenizer_encode (tokenizer, text, len, flags, ids, &error));
  g_assert_no_error (error);
  return ids;
}

/* The token strings of `text`, joined with '|'. */
static char *
pieces (DocentTokenizer   *tokenizer,
        const char        *text,
        DocentEncodeFlags  flags)
{
  g_autoptr(GArray) ids = encode (tokenizer, text, -1, flags);
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < ids->len; i++)
    {
      gsize len;
      const char *piece = docent_vocab_token_text (docent_tokenizer_vocab (tokenizer),
                                                   g_array_index (ids, DocentToken, i), &len);

      if (i > 0)
        g_string_append_c (out, '|');
      g_string_append_len (out, piece, len);
    }
  return g_string_free (out, FALSE);
}

static char *
decode (DocentTokenizer   *tokenizer,
        GArray            *ids,
        DocentDecodeFlags  flags)
{
  GString *out = g_string_new (NULL);

  docent_tokenizer_decode (tokenizer, (const DocentToken *) (gpointer) ids->data, ids->len, flags, out);
  return g_string_free (out, FALSE);
}

#define assert_pieces(tokenizer, text, flags, expected) \
  G_STMT_START { \
    g_autofree char *got_ = pieces ((tokenizer), (text), (flags)); \
    g_assert_cmpstr (got_, ==, (expected)); \
  } G_STMT_END

static DocentTokenizer *
tokenizer_new (DocentVocab *vocab)
{
  g_autoptr(GError) error = NULL;
  DocentTokenizer *tokenizer = docent_tokenizer_new (vocab, &error);

  g_assert_no_error (error);
  g_assert_nonnull (tokenizer);
  return tokenizer;
}

static void
add_tokens (DocentVocab     *vocab,
            const char      *texts,
            float            score,
            DocentTokenType  type)
{
  g_auto(GStrv) list = g_strsplit (texts, " ", -1);

  for (guint i = 0; list[i] != NULL; i++)
    {
      g_auto(GStrv) parts = g_strsplit (list[i], "_", -1);
      /* "_" is written for "▁" to keep the lists readable. */
      g_autofree char *text = g_strjoinv (SPACE_MARK, parts);

      if (*text == '\0')
        continue;
      g_assert_cmpint (docent_vocab_add_token (vocab, text, strlen (text), score, type), !=, DOCENT_TOKEN_NONE);
    }
}

/* ---- SentencePiece ------------------------------------------------------------- */

/* <unk> <s> </s>, the 256 byte tokens, then `normal` with falling scores
 * (earlier = better), as SentencePiece vocabularies are ordered. */
static DocentVocab *
spm_vocab (const char *normal)
{
  DocentVocab *vocab = docent_vocab_new (DOCENT_VOCAB_SPM);
  g_auto(GStrv) list = g_strsplit (normal, " ", -1);

  docent_vocab_add_token (vocab, "<unk>", 5, 0, DOCENT_TOKEN_TYPE_UNKNOWN);
  docent_vocab_add_token (vocab, "<s>", 3, 0, DOCENT_TOKEN_TYPE_CONTROL);
  docent_vocab_add_token (vocab, "</s>", 4, 0, DOCENT_TOKEN_TYPE_CONTROL);
  for (guint b = 0; b < 256; b++)
    {
      char name[8];

      g_snprintf (name, sizeof name, "<0x%02X>", b);
      docent_vocab_add_token (vocab, name, 6, 0, DOCENT_TOKEN_TYPE_BYTE);
    }
  for (guint i = 0; list[i] != NULL; i++)
    if (*list[i] != '\0')
      add_tokens (vocab, list[i], -(float) i, DOCENT_TOKEN_TYPE_NORMAL);
  docent_vocab_set_special (vocab, DOCENT_SPECIAL_UNK, 0);
  docent_vocab_set_special (vocab, DOCENT_SPECIAL_BOS, 1);
  docent_vocab_set_special (vocab, DOCENT_SPECIAL_EOS, 2);
  return vocab;
}

static void
test_spm_merge_by_score (void)
{
  /* "bc" scores better than "ab": a|bc; the other way round: ab|c. */
  g_autoptr(DocentVocab) v1 = spm_vocab ("_ a b c bc ab _a");
  g_autoptr(DocentVocab) v2 = spm_vocab ("_ a b c ab bc _a");
  g_autoptr(DocentVocab) v3 = spm_vocab ("_ a aa");
  g_autoptr(DocentVocab) v4 = spm_vocab ("_ a b c ab abc _ab");
  g_autoptr(DocentTokenizer) t1 = tokenizer_new (v1);
  g_autoptr(DocentTokenizer) t2 = tokenizer_new (v2);
  g_autoptr(DocentTokenizer) t3 = tokenizer_new (v3);
  g_autoptr(DocentTokenizer) t4 = tokenizer_new (v4);

  assert_pieces (t1, "abc", 0, "▁a|bc");
  assert_pieces (t2, "abc", 0, "▁|ab|c");
  /* "▁b" is no token: "▁" stays alone. */
  assert_pieces (t2, "bc", 0, "▁|bc");
  /* Equal scores: the leftmost pair first. */
  assert_pieces (t3, "aaa", 0, "▁|aa|a");
  assert_pieces (t3, "aaaa", 0, "▁|aa|aa");
  /* Merges go on while the joined string is a token. */
  assert_pieces (t4, "abc", 0, "▁|abc");
  assert_pieces (t4, "ab", 0, "▁ab");
}

static void
test_spm_byte_fallback (void)
{
  g_autoptr(DocentVocab) vocab = spm_vocab ("_ a");
  g_autoptr(DocentTokenizer) tokenizer = tokenizer_new (vocab);
  g_autoptr(DocentVocab) no_bytes = docent_vocab_new (DOCENT_VOCAB_SPM);
  g_autoptr(DocentTokenizer) no_bytes_tokenizer = NULL;

  assert_pieces (tokenizer, "é", 0, "▁|<0xC3>|<0xA9>");
  assert_pieces (tokenizer, "a🦙", 0, "▁|a|<0xF0>|<0x9F>|<0xA6>|<0x99>");
  /* Malformed UTF-8 goes byte by byte too. */
  assert_pieces (tokenizer, "a\xff\xc3", 0, "▁|a|<0xFF>|<0xC3>");

  /* Without byte tokens, an unknown character is one <unk>. */
  add_tokens (no_bytes, "<unk> _ a _a", 0, DOCENT_TOKEN_TYPE_NORMAL);
  docent_vocab_set_special (no_bytes, DOCENT_SPECIAL_UNK, 0);
  no_bytes_tokenizer = tokenizer_new (no_bytes);
  assert_pieces (no_bytes_tokenizer, "aé🦙", 0, "▁a|<unk>|<unk>");
}

static void
test_spm_space_prefix (void)
{
  g_autoptr(DocentVocab) vocab = spm_vocab ("_ a b _a _b __");
  g_autoptr(DocentTokenizer) tokenizer = tokenizer_new (vocab);
  g_autoptr(DocentVocab) bare = spm_vocab ("_ a b _a _b __");
  g_autoptr(DocentTokenizer) bare_tokenizer = NULL;

  assert_pieces (tokenizer, "", 0, "");
  assert_pieces (tokenizer, "a", 0, "▁a");
  assert_pieces (tokenizer, " a", 0, "▁|▁a");
  assert_pieces (tokenizer, "  a", 0, "▁▁|▁a");
  assert_pieces (tokenizer, " ", 0, "▁▁");
  assert_pieces (tokenizer, "\n", 0, "▁|<0x0A>");
  assert_pieces (tokenizer, "\t\n", 0, "▁|<0x09>|<0x0A>");
  assert_pieces (tokenizer, "a b", 0, "▁a|▁b");
  assert_pieces (tokenizer, "a\nb", 0, "▁a|<0x0A>|b");

  docent_vocab_set_flag (bare, DOCENT_VOCAB_ADD_SPACE_PREFIX, FALSE);
  bare_tokenizer = tokenizer_new (bare);
  assert_pieces (bare_tokenizer, "a b", 0, "a|▁b");
}

static void
test_spm_add_special (void)
{
  g_autoptr(DocentVocab) vocab = spm_vocab ("_ a _a");
  g_autoptr(DocentTokenizer) tokenizer = NULL;

  tokenizer = tokenizer_new (vocab);
  assert_pieces (tokenizer, "a", DOCENT_ENCODE_ADD_SPECIAL, "<s>|▁a");
  /* An empty text still gets its BOS. */
  assert_pieces (tokenizer, "", DOCENT_ENCODE_ADD_SPECIAL, "<s>");
  g_assert_cmpint (docent_tokenizer_bos (tokenizer), ==, 1);
  g_assert_cmpint (docent_tokenizer_eos (tokenizer), ==, 2);
  g_clear_pointer (&tokenizer, docent_tokenizer_unref);

  docent_vocab_set_flag (vocab, DOCENT_VOCAB_ADD_EOS, TRUE);
  tokenizer = tokenizer_new (vocab);
  assert_pieces (tokenizer, "a", DOCENT_ENCODE_ADD_SPECIAL, "<s>|▁a|</s>");
}

static void
test_spm_decode (void)
{
  g_autoptr(DocentVocab) vocab = spm_vocab ("_ a b _a _b");
  g_autoptr(DocentTokenizer) tokenizer = tokenizer_new (vocab);
  g_autoptr(GArray) ids = encode (tokenizer, " a\tb é", -1, DOCENT_ENCODE_ADD_SPECIAL);
  g_autofree char *text = decode (tokenizer, ids, DOCENT_DECODE_SKIP_SPECIAL);
  g_autofree char *with_special = decode (tokenizer, ids, DOCENT_DECODE_NONE);
  g_autoptr(GString) piece = g_string_new (NULL);

  g_assert_cmpstr (text, ==, " a\tb é");
  g_assert_cmpstr (with_special, ==, "<s> a\tb é");
  /* Pieces keep their space: streaming output joins them as they come. */
  g_assert_cmpuint (docent_tokenizer_token_to_piece (tokenizer, docent_vocab_lookup (vocab, SPACE_MARK "a", 4), piece), ==, 2);
  g_assert_cmpstr (piece->str, ==, " a");
  g_string_truncate (piece, 0);
  docent_tokenizer_token_to_piece (tokenizer, docent_vocab_lookup (vocab, "<0x0A>", 6), piece);
  g_assert_cmpstr (piece->str, ==, "\n");
  /* Out of range: nothing. */
  g_assert_cmpuint (docent_tokenizer_token_to_piece (tokenizer, 100000, piece), ==, 0);
  g_assert_cmpuint (docent_tokenizer_token_to_piece (tokenizer, -5, piece), ==, 0);
}

/* ---- byte-level BPE -------------------------------------------------------------- */

/* The 256 byte stand-ins, then `tokens` (in stand-in form), then `merges`
 * ("a b,c d"). */
static DocentVocab *
bpe_vocab (const char *pre,
           const char *tokens,
           const char *merges)
{
  DocentVocab *vocab = docent_vocab_new (DOCENT_VOCAB_BPE);
  g_auto(GStrv) merge_list = g_strsplit (merges, ",", -1);

  for (guint b = 0; b < 256; b++)
    {
      char utf8[8];
      gint len = g_unichar_to_utf8 (docent_bpe_byte_to_cp ((guint8) b), utf8);

      docent_vocab_add_token (vocab, utf8, len, 0, DOCENT_TOKEN_TYPE_NORMAL);
    }
  add_tokens (vocab, tokens, 0, DOCENT_TOKEN_TYPE_NORMAL);
  for (guint i = 0; merge_list[i] != NULL; i++)
    if (*merge_list[i] != '\0')
      g_assert_true (docent_vocab_add_merge (vocab, merge_list[i], strlen (merge_list[i])));
  docent_vocab_set_pre (vocab, pre);
  return vocab;
}

static void
test_bpe_merge_by_rank (void)
{
  g_autoptr(DocentVocab) v1 = bpe_vocab ("gpt-2", "bc ab", "b c,a b");
  g_autoptr(DocentVocab) v2 = bpe_vocab ("gpt-2", "bc ab", "a b,b c");
  g_autoptr(DocentVocab) v3 = bpe_vocab ("gpt-2", "aa aaa", "a a,aa a");
  g_autoptr(DocentVocab) v4 = bpe_vocab ("gpt-2", "Ġa Ġab ab", "a b,Ġ a,Ġ ab");
  g_autoptr(DocentTokenizer) t1 = tokenizer_new (v1);
  g_autoptr(DocentTokenizer) t2 = tokenizer_new (v2);
  g_autoptr(DocentTokenizer) t3 = tokenizer_new (v3);
  g_autoptr(DocentTokenizer) t4 = tokenizer_new (v4);

  assert_pieces (t1, "abc", 0, "a|bc");
  assert_pieces (t2, "abc", 0, "ab|c");
  /* The leftmost pair first on a tie, then the merged pieces merge on. */
  assert_pieces (t3, "aaa", 0, "aaa");
  assert_pieces (t3, "aaaa", 0, "aa|aa");
  /* "a b" ranks before "Ġ a", so " ab" is Ġ + ab, then Ġab. */
  assert_pieces (t4, "x ab", 0, "x|Ġab");
  g_assert_cmpuint (docent_vocab_n_merges (v4), ==, 3);
}

static void
test_bpe_byte_map (void)
{
  g_autoptr(DocentVocab) vocab = bpe_vocab ("gpt-2", "", "");
  g_autoptr(DocentTokenizer) tokenizer = tokenizer_new (vocab);
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  char all[256];
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint b = 0; b < 256; b++)
    {
      guint32 cp = docent_bpe_byte_to_cp ((guint8) b);

      g_assert_cmpint (docent_bpe_cp_to_byte (cp), ==, b);
      g_assert_false (g_hash_table_contains (seen, GUINT_TO_POINTER (cp)));
      g_hash_table_add (seen, GUINT_TO_POINTER (cp));
      g_assert_cmpuint (cp, <, 0x144);
      all[b] = (char) b;
    }
  g_assert_cmpuint (docent_bpe_byte_to_cp (' '), ==, 0x120);   /* Ġ */
  g_assert_cmpuint (docent_bpe_byte_to_cp ('\n'), ==, 0x10A);  /* Ċ */
  g_assert_cmpuint (docent_bpe_byte_to_cp ('A'), ==, 'A');
  g_assert_cmpuint (docent_bpe_byte_to_cp (0x7F), ==, 0x121);
  g_assert_cmpuint (docent_bpe_byte_to_cp (0xA0), ==, 0x142);
  g_assert_cmpuint (docent_bpe_byte_to_cp (0xAD), ==, 0x143);
  g_assert_cmpuint (docent_bpe_byte_to_cp (0xFF), ==, 0xFF);
  g_assert_cmpint (docent_bpe_cp_to_byte (0x144), ==, -1);
  g_assert_cmpint (docent_bpe_cp_to_byte (0x20), ==, -1);

  /* Every byte, valid UTF-8 or not, encodes and decodes back. */
  ids = encode (tokenizer, all, sizeof all, 0);
  docent_tokenizer_decode (tokenizer, (DocentToken *) (gpointer) ids->data, ids->len, 0, text);
  g_assert_cmpmem (text->str, text->len, all, sizeof all);
}

static void
test_bpe_ignore_merges (void)
{
  /* Merges spell "abc" a|bc, but llama-bpe takes a word that is a token
   * whole; gpt-2 does not. */
  g_autoptr(DocentVocab) llama = bpe_vocab ("llama-bpe", "bc abc", "b c");
  g_autoptr(DocentVocab) gpt2 = bpe_vocab ("gpt-2", "bc abc", "b c");
  g_autoptr(DocentTokenizer) t_llama = tokenizer_new (llama);
  g_autoptr(DocentTokenizer) t_gpt2 = tokenizer_new (gpt2);

  assert_pieces (t_llama, "abc", 0, "abc");
  assert_pieces (t_gpt2, "abc", 0, "a|bc");
}

typedef struct {
  const char *pre;
  const char *text;
  const char *expected;
} SplitCase;

static void
collect_word (const DocentCodepoints *cps,
              gsize                   start,
              gsize                   end,
              gpointer                user_data)
{
  GString *out = user_data;

  if (out->len > 0)
    g_string_append_c (out, '|');
  g_string_append_len (out, cps->text + cps->offsets[start], cps->offsets[end] - cps->offsets[start]);
}

static char *
split (const char *pre,
       const char *text)
{
  const DocentPretokenizer *pretokenizer = docent_pretokenizer_lookup (pre);
  GString *out = g_string_new (NULL);
  DocentCodepoints cps;

  g_assert_nonnull (pretokenizer);
  docent_codepoints_init (&cps, text, strlen (text));
  docent_pretokenize (pretokenizer, &cps, collect_word, out);
  docent_codepoints_clear (&cps);
  return g_string_free (out, FALSE);
}

/* Expected splits are those of the original regular expressions (checked
 * against a regex engine when written). */
static void
test_bpe_pretokenizers (void)
{
  static const SplitCase cases[] = {
    { "gpt-2", "Hello world's 12345 !!! \n\n  x", "Hello| world|'s| 12345| !!!| \n\n | x" },
    { "gpt-2", "I'm we'LL they're'", "I|'m| we|'|LL| they|'re|'" },
    { "gpt-2", "a   b\t\tc  ", "a|  | b|\t|\t|c|  " },
    { "gpt-2", "нещо на Български", "нещо| на| Български" },
    { "gpt-2", "🦙🦙.cpp 3.14", "🦙🦙.|cpp| 3|.|14" },
    { "llama-bpe", "1 12 123 1234 12345", "1| |12| |123| |123|4| |123|45" },
    { "llama-bpe", "I'M we'll", "I|'M| we|'ll" },
    { "llama-bpe", "a\n\n b  \n", "a|\n\n| b|  \n" },
    { "llama-bpe", "(hello) ...\n\nok", "(hello|)| ...\n\n|ok" },
    { "llama-bpe", "我想在apple工作1314151天～", "我想在apple工作|131|415|1|天|～" },
    { "qwen2", "12345 x2", "1|2|3|4|5| x|2" },
    { "qwen2", "don'T stop!!\r\n", "don|'T| stop|!!\r\n" },
    { "falcon", "12345 + 1,234.5", "123|45| |+| 1|,|234|.|5" },
    { "falcon", "a$b<=c^^d`~", "a|$|b|<=|c|^^|d|`~" },
    { "starcoder", "x123 45 y", "x|1|2|3| |4|5| y" },
    { "starcoder", "  Hello", " | Hello" },
    { "smollm", "x123", "x|1|2|3" },
    { "deepseek-llm", "Äpfel 123 是\n\n  ", "Ä|pfel| |123| |是|\n|\n|  " },
    { "deepseek-llm", "Hello, world!!  ", "Hello|,| world|!!|  " },
    { "deepseek-llm", "ក៉ាន់ 🦙", "ក៉ាន់| 🦙" },
    { "default", "a+b=12345!", "a|+|b|=|123|45|!" },
    { "default", "it's 9 lives", "it|'|s| |9| lives" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *got = split (cases[i].pre, cases[i].text);

      g_test_message ("%s: %s", cases[i].pre, cases[i].text);
      g_assert_cmpstr (got, ==, cases[i].expected);
    }
  g_assert_null (docent_pretokenizer_lookup ("no-such-pre"));
  g_assert_nonnull (docent_pretokenizer_lookup (NULL));
}

/* A long run that a rule cannot match must not be scanned again from each
 * of its positions: this would take minutes if it were quadratic. */
static void
test_bpe_linear_time (void)
{
  static const char *pres[] = { "gpt-2", "llama-bpe", "deepseek-llm", "falcon", "default" };
  gsize n = 400000;
  g_autofree char *text = g_malloc (n + 2);
  gint64 start = g_get_monotonic_time ();

  memset (text, ' ', n);
  text[n] = '5';
  text[n + 1] = '\0';
  for (guint i = 0; i < G_N_ELEMENTS (pres); i++)
    {
      g_autofree char *got = split (pres[i], text);

      g_assert_cmpuint (strlen (got), >=, n + 1);
      text[n / 2] = '\n';
    }
  g_assert_cmpint (g_get_monotonic_time () - start, <, 20 * G_USEC_PER_SEC);
}

/* ---- WordPiece ------------------------------------------------------------------ */

static DocentVocab *
wpm_vocab (gboolean    converted,
           const char *words)
{
  DocentVocab *vocab = docent_vocab_new (DOCENT_VOCAB_WPM);
  g_auto(GStrv) list = g_strsplit (words, " ", -1);

  add_tokens (vocab, "[PAD] [UNK] [CLS] [SEP] [MASK]", 0, DOCENT_TOKEN_TYPE_CONTROL);
  for (guint i = 0; list[i] != NULL; i++)
    {
      g_autofree char *text = NULL;
      const char *word = list[i];

      if (*word == '\0')
        continue;
      /* Lists are written "word ##piece"; a converted vocabulary has
       * "▁word piece". */
      if (!converted)
        text = g_strdup (word);
      else if (g_str_has_prefix (word, "##"))
        text = g_strdup (word + 2);
      else
        text = g_strconcat (SPACE_MARK, word, NULL);
      docent_vocab_add_token (vocab, text, strlen (text), 0, DOCENT_TOKEN_TYPE_NORMAL);
    }
  docent_vocab_set_special (vocab, DOCENT_SPECIAL_PAD, 0);
  docent_vocab_set_special (vocab, DOCENT_SPECIAL_UNK, 1);
  docent_vocab_set_special (vocab, DOCENT_SPECIAL_CLS, 2);
  docent_vocab_set_special (vocab, DOCENT_SPECIAL_SEP, 3);
  docent_vocab_set_special (vocab, DOCENT_SPECIAL_MASK, 4);
  return vocab;
}

#define WPM_WORDS "un ##aff ##able hello , ! . cafe 日 本 a ##b ##c ab"

static void
check_wordpiece (gboolean converted)
{
  g_autoptr(DocentVocab) vocab = wpm_vocab (converted, WPM_WORDS);
  g_autoptr(DocentTokenizer) tokenizer = tokenizer_new (vocab);
  const char *c = converted ? "" : "##";
  const char *w = converted ? SPACE_MARK : "";
  g_autofree char *affable = g_strdup_printf ("%sun|%saff|%sable", w, c, c);
  g_autofree char *hello = g_strdup_printf ("%shello|%s,|%shello|%s!", w, w, w, w);
  g_autofree char *cafe = g_strdup_printf ("%scafe", w);
  g_autofree char *cjk = g_strdup_printf ("%s日|%s本", w, w);
  g_autofree char *longest = g_strdup_printf ("%sab|%sc", w, c);
  g_autofree char *special = g_strdup_printf ("[CLS]|%shello|[SEP]", w);
  g_autofree char *spaced = g_strdup_printf ("%shello|%shello", w, w);

  assert_pieces (tokenizer, "unaffable", 0, affable);
  /* Lower case; punctuation is a word of its own. */
  assert_pieces (tokenizer, "Hello,HELLO!", 0, hello);
  /* Accents go: NFD, then no combining marks. */
  assert_pieces (tokenizer, "Café", 0, cafe);
  assert_pieces (tokenizer, "Cafe\xCC\x81", 0, cafe);
  assert_pieces (tokenizer, "日本", 0, cjk);
  /* Longest match first: "ab" then "c", not "a" "b" "c". */
  assert_pieces (tokenizer, "abc", 0, longest);
  /* A word that cannot be spelled to its end is [UNK] as a whole. */
  assert_pieces (tokenizer, "unaffx", 0, "[UNK]");
  assert_pieces (tokenizer, "🦙", 0, "[UNK]");
  /* Control characters are dropped (\v too), white space of any kind
   * separates. */
  assert_pieces (tokenizer, "hel\x01l\vo\t\xC2\xA0\r\nhello\xE2\x80\x8B", 0, spaced);
  assert_pieces (tokenizer, "hello\xE2\x80\xA8hello", 0, spaced);
  assert_pieces (tokenizer, "", 0, "");
  assert_pieces (tokenizer, " \n ", 0, "");
  assert_pieces (tokenizer, "hello", DOCENT_ENCODE_ADD_SPECIAL, special);
}

static void
test_wpm_converted (void)
{
  check_wordpiece (TRUE);
}

static void
test_wpm_hashes (void)
{
  check_wordpiece (FALSE);
}

static void
test_wpm_cased (void)
{
  g_autoptr(DocentVocab) vocab = wpm_vocab (FALSE, "Hello hello ##s Café");
  g_autoptr(DocentTokenizer) tokenizer = NULL;

  docent_vocab_set_flag (vocab, DOCENT_VOCAB_LOWERCASE, FALSE);
  tokenizer = tokenizer_new (vocab);
  assert_pieces (tokenizer, "Hello hellos", 0, "Hello|hello|##s");
  assert_pieces (tokenizer, "Café", 0, "Café");
  assert_pieces (tokenizer, "HELLO", 0, "[UNK]");
}

static void
test_wpm_long_word (void)
{
  g_autoptr(DocentVocab) vocab = wpm_vocab (FALSE, "a ##a");
  g_autoptr(DocentTokenizer) tokenizer = tokenizer_new (vocab);
  g_autofree char *word100 = g_strnfill (100, 'a');
  g_autofree char *word101 = g_strnfill (101, 'a');
  g_autoptr(GArray) ids = encode (tokenizer, word100, -1, 0);

  g_assert_cmpuint (ids->len, ==, 100);
  assert_pieces (tokenizer, word101, 0, "[UNK]");
}

static void
test_wpm_decode (void)
{
  g_autoptr(DocentVocab) vocab = wpm_vocab (TRUE, WPM_WORDS);
  g_autoptr(DocentTokenizer) tokenizer = tokenizer_new (vocab);
  g_autoptr(GArray) ids = encode (tokenizer, "Unaffable, hello!", -1, DOCENT_ENCODE_ADD_SPECIAL);
  g_autofree char *text = decode (tokenizer, ids, DOCENT_DECODE_SKIP_SPECIAL);
  g_autofree char *with_special = decode (tokenizer, ids, DOCENT_DECODE_NONE);

  g_assert_cmpstr (text, ==, "unaffable , hello !");
  g_assert_cmpstr (with_special, ==, "[CLS] unaffable , hello ! [SEP]");
  g_assert_cmpint (docent_tokenizer_cls (tokenizer), ==, 2);
  g_assert_cmpint (docent_tokenizer_sep (tokenizer), ==, 3);
  g_assert_cmpint (docent_tokenizer_bos (tokenizer), ==, 2);
  g_assert_cmpint (docent_tokenizer_eos (tokenizer), ==, 3);
}

/* ---- special tokens --------------------------------------------------------------- */

static void
test_special_parse (void)
{
  g_autoptr(DocentVocab) vocab = spm_vocab ("_ a s > < / _< _a");
  g_autoptr(DocentTokenizer) tokenizer = NULL;

  docent_vocab_add_token (vocab, "<|im_start|>", 12, 0, DOCENT_TOKEN_TYPE_CONTROL);
  docent_vocab_add_token (vocab, "<|im_start|>x", 13, 0, DOCENT_TOKEN_TYPE_CONTROL);
  docent_vocab_add_token (vocab, "<tool>", 6, 0, DOCENT_TOKEN_TYPE_USER_DEFINED);
  tokenizer = tokenizer_new (vocab);
  /* Without PARSE_SPECIAL, control-token text is text. */
  assert_pieces (tokenizer, "<s>a", 0, "▁<|s|>|a");
  assert_pieces (tokenizer, "<s>a", DOCENT_ENCODE_PARSE_SPECIAL, "<s>|▁a");
  assert_pieces (tokenizer, "a</s><s>", DOCENT_ENCODE_PARSE_SPECIAL, "▁a|</s>|<s>");
  /* The longest special token that matches. */
  assert_pieces (tokenizer, "<|im_start|>xa", DOCENT_ENCODE_PARSE_SPECIAL, "<|im_start|>x|▁a");
  assert_pieces (tokenizer, "<|im_start|>a", DOCENT_ENCODE_PARSE_SPECIAL, "<|im_start|>|▁a");
  /* User-defined tokens are always their token. */
  assert_pieces (tokenizer, "a<tool>a", 0, "▁a|<tool>|▁a");
  /* BOS from ADD_SPECIAL, then parsed specials. */
  assert_pieces (tokenizer, "<s>", DOCENT_ENCODE_ADD_SPECIAL | DOCENT_ENCODE_PARSE_SPECIAL, "<s>|<s>");
}

static void
test_special_bpe (void)
{
  g_autoptr(DocentVocab) vocab = bpe_vocab ("gpt-2", "", "");
  g_autoptr(DocentTokenizer) tokenizer = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autofree char *text = NULL;
  g_autofree char *skipped = NULL;
  DocentToken eot;

  eot = docent_vocab_add_token (vocab, "<|endoftext|>", 13, 0, DOCENT_TOKEN_TYPE_CONTROL);
  docent_vocab_add_token (vocab, "ø", 2, 0, DOCENT_TOKEN_TYPE_USER_DEFINED);
  docent_vocab_set_special (vocab, DOCENT_SPECIAL_BOS, eot);
  docent_vocab_set_special (vocab, DOCENT_SPECIAL_EOS, eot);
  tokenizer = tokenizer_new (vocab);
  /* BPE adds nothing unless the vocabulary asks. */
  assert_pieces (tokenizer, "a", DOCENT_ENCODE_ADD_SPECIAL, "a");
  assert_pieces (tokenizer, "a<|endoftext|>", DOCENT_ENCODE_PARSE_SPECIAL, "a|<|endoftext|>");
  /* A user-defined token is written as itself, not byte-mapped. */
  ids = encode (tokenizer, "xø<|endoftext|>", -1, DOCENT_ENCODE_PARSE_SPECIAL);
  g_assert_cmpuint (ids->len, ==, 3);
  text = decode (tokenizer, ids, DOCENT_DECODE_NONE);
  skipped = decode (tokenizer, ids, DOCENT_DECODE_SKIP_SPECIAL);
  g_assert_cmpstr (text, ==, "xø<|endoftext|>");
  g_assert_cmpstr (skipped, ==, "xø");
}

/* ---- round trips and malformed input ------------------------------------------------ */

/* Random text from a pool of awkward characters; with `any_bytes`, also
 * random bytes (malformed UTF-8). SentencePiece cannot give back a "▁" of
 * the text itself (it reads as a space), so that is left out on request. */
static char *
random_text (GRand    *rand,
             gsize    *len,
             gboolean  any_bytes,
             gboolean  space_mark)
{
  static const gunichar pool[] = {
    0x2581, ' ', ' ', ' ', '\n', '\t', '\r', 'a', 'b', 'e', 'T', '3', '.', '\'', '!', '<',
    0xE9, 0xC4, 0x3B1, 0x436, 0x5D0, 0x627, 0x915, 0x17A0, 0x17C9, 0x65E5, 0xAC00,
    0xA0, 0x3000, 0x200D, 0xFE0F, 0x1F999, 0x1F600, 0x10FFFF, 0xFFFD,
  };
  GString *out = g_string_new (NULL);
  guint n = g_rand_int_range (rand, 0, 40);
  guint first = space_mark ? 0 : 1;

  for (guint i = 0; i < n; i++)
    {
      if (any_bytes && g_rand_int_range (rand, 0, 4) == 0)
        g_string_append_c (out, (char) g_rand_int_range (rand, 0, 256));
      else
        g_string_append_unichar (out, pool[g_rand_int_range (rand, first, G_N_ELEMENTS (pool))]);
    }
  *len = out->len;
  return g_string_free (out, FALSE);
}

static void
check_round_trips (DocentTokenizer *tokenizer,
                   guint32          seed,
                   gboolean         space_mark)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);

  for (guint i = 0; i < 2000; i++)
    {
      gsize len;
      g_autofree char *text = random_text (rand, &len, i % 2 == 1, space_mark);
      g_autoptr(GArray) ids = encode (tokenizer, text, (gssize) len, 0);
      g_autoptr(GString) back = g_string_new (NULL);

      docent_tokenizer_decode (tokenizer, (DocentToken *) (gpointer) ids->data, ids->len, 0, back);
      g_assert_cmpmem (back->str, back->len, text, len);
    }
}

static void
test_round_trip_spm (void)
{
  g_autoptr(DocentVocab) vocab = spm_vocab ("_ a b e T 3 . ' _a _b _T __ ___ ab é ▁é _é");
  g_autoptr(DocentTokenizer) tokenizer = tokenizer_new (vocab);

  check_round_trips (tokenizer, 1, FALSE);
}

static void
test_round_trip_bpe (void)
{
  static const char *pres[] = { "gpt-2", "llama-bpe", "qwen2", "deepseek-llm", "falcon", "starcoder", "default" };

  for (guint i = 0; i < G_N_ELEMENTS (pres); i++)
    {
      g_autoptr(DocentVocab) vocab = bpe_vocab (pres[i], "Ġa ab Ġab ĠĠ Ċ Ċ", "Ġ a,a b,Ġ ab,Ġ Ġ");
      g_autoptr(DocentTokenizer) tokenizer = tokenizer_new (vocab);

      check_round_trips (tokenizer, 2 + i, TRUE);
    }
}

static void
test_malformed_wpm (void)
{
  g_autoptr(DocentVocab) vocab = wpm_vocab (TRUE, WPM_WORDS);
  g_autoptr(DocentTokenizer) tokenizer = tokenizer_new (vocab);
  g_autoptr(GRand) rand = g_rand_new_with_seed (9);

  /* Broken bytes are dropped; the rest still tokenizes. */
  assert_pieces (tokenizer, "hel\xFFlo \xC3", 0, SPACE_MARK "hello");
  for (guint i = 0; i < 2000; i++)
    {
      gsize len;
      g_autofree char *text = random_text (rand, &len, TRUE, TRUE);
      g_autoptr(GArray) ids = encode (tokenizer, text, (gssize) len, DOCENT_ENCODE_PARSE_SPECIAL);
      g_autofree char *back = decode (tokenizer, ids, 0);

      g_assert_nonnull (back);
    }
}

/* ---- hostile vocabularies --------------------------------------------------------- */

static void
test_hostile_vocab (void)
{
  g_autoptr(DocentVocab) vocab = docent_vocab_new (DOCENT_VOCAB_BPE);
  g_autoptr(DocentVocab) empty = docent_vocab_new (DOCENT_VOCAB_SPM);
  g_autoptr(DocentVocab) bad_pre = bpe_vocab ("no-such-pre", "", "");
  g_autoptr(DocentTokenizer) tokenizer = NULL;
  g_autoptr(GError) error = NULL;
  DocentToken first, second;
  gsize len;

  /* Empty tokens, tokens with NUL bytes, the same text twice. */
  g_assert_cmpint (docent_vocab_add_token (vocab, "", 0, 0, DOCENT_TOKEN_TYPE_CONTROL), ==, 0);
  g_assert_cmpint (docent_vocab_add_token (vocab, "", 0, 0, DOCENT_TOKEN_TYPE_USER_DEFINED), ==, 1);
  g_assert_cmpint (docent_vocab_add_token (vocab, "a\0b", 3, 0, DOCENT_TOKEN_TYPE_NORMAL), ==, 2);
  first = docent_vocab_add_token (vocab, "x", 1, 0, DOCENT_TOKEN_TYPE_NORMAL);
  second = docent_vocab_add_token (vocab, "x", 1, 0, DOCENT_TOKEN_TYPE_NORMAL);
  g_assert_cmpint (docent_vocab_lookup (vocab, "x", 1), ==, second);
  g_assert_cmpint (first, !=, second);
  g_assert_cmpint (docent_vocab_lookup (vocab, "a\0b", 3), ==, 2);
  g_assert_nonnull (docent_vocab_token_text (vocab, 2, &len));
  g_assert_cmpuint (len, ==, 3);
  g_assert_null (docent_vocab_token_text (vocab, 99, &len));
  g_assert_cmpuint (len, ==, 0);
  g_assert_cmpint (docent_vocab_token_type (vocab, -1), ==, DOCENT_TOKEN_TYPE_UNDEFINED);

  /* Merges that cannot apply are refused but still take a rank. */
  g_assert_false (docent_vocab_add_merge (vocab, "x", 1));
  g_assert_false (docent_vocab_add_merge (vocab, "x y", 3));
  g_assert_false (docent_vocab_add_merge (vocab, "x x", 3));
  g_assert_false (docent_vocab_add_merge (vocab, "", 0));
  g_assert_cmpuint (docent_vocab_n_merges (vocab), ==, 0);

  /* Special ids out of range read as none. */
  docent_vocab_set_special (vocab, DOCENT_SPECIAL_BOS, 12345);
  docent_vocab_set_special (vocab, DOCENT_SPECIAL_UNK, -7);
  g_assert_cmpint (docent_vocab_special (vocab, DOCENT_SPECIAL_BOS), ==, DOCENT_TOKEN_NONE);
  docent_vocab_set_flag (vocab, DOCENT_VOCAB_ADD_BOS, TRUE);
  docent_vocab_set_pre (vocab, "gpt-2");
  tokenizer = tokenizer_new (vocab);
  assert_pieces (tokenizer, "xyz", DOCENT_ENCODE_ADD_SPECIAL | DOCENT_ENCODE_PARSE_SPECIAL, "x");

  g_assert_null (docent_tokenizer_new (empty, &error));
  g_assert_error (error, DOCENT_TOKENIZER_ERROR, DOCENT_TOKENIZER_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (docent_tokenizer_new (bad_pre, &error));
  g_assert_error (error, DOCENT_TOKENIZER_ERROR, DOCENT_TOKENIZER_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "no-such-pre"));
}

/* Many tokens and merges: the tables grow without losing anything. */
static void
test_large_vocab (void)
{
  g_autoptr(DocentVocab) vocab = docent_vocab_new (DOCENT_VOCAB_BPE);

  for (guint i = 0; i < 100000; i++)
    {
      g_autofree char *text = g_strdup_printf ("t%u", i);

      g_assert_cmpint (docent_vocab_add_token (vocab, text, strlen (text), 0, DOCENT_TOKEN_TYPE_NORMAL), ==, i);
    }
  for (guint i = 0; i < 100000; i += 7)
    {
      g_autofree char *text = g_strdup_printf ("t%u", i);

      g_assert_cmpint (docent_vocab_lookup (vocab, text, strlen (text)), ==, i);
    }
  g_assert_cmpint (docent_vocab_lookup (vocab, "t100000", 7), ==, DOCENT_TOKEN_NONE);
  for (guint d = 0; d < 10; d++)
    g_assert_cmpint (docent_vocab_add_token (vocab, "0123456789" + d, 1, 0, DOCENT_TOKEN_TYPE_NORMAL), ==, 100000 + d);
  /* "t1 t1" would make "t1t1": no such token, so no merge; it still
   * takes rank 0. Then "t<i> <d>" makes t<10i+d>. */
  g_assert_false (docent_vocab_add_merge (vocab, "t1 t1", 5));
  for (guint i = 1; i < 10000; i++)
    {
      g_autofree char *merge = g_strdup_printf ("t%u %u", i, i % 10);

      g_assert_true (docent_vocab_add_merge (vocab, merge, strlen (merge)));
    }
  g_assert_cmpuint (docent_vocab_n_merges (vocab), ==, 9999);
  for (guint i = 1; i < 10000; i += 13)
    {
      guint32 rank;
      DocentToken merged;

      g_assert_true (docent_vocab_merge_lookup (vocab, i, 100000 + i % 10, &rank, &merged));
      g_assert_cmpuint (rank, ==, i);
      g_assert_cmpint (merged, ==, 10 * i + i % 10);
    }
  g_assert_false (docent_vocab_merge_lookup (vocab, 1, 1, NULL, NULL));
  g_assert_false (docent_vocab_merge_lookup (vocab, 1, 100002, NULL, NULL));
}

/* ---- GGUF --------------------------------------------------------------------------- */

static DocentGguf *
gguf_from_writer (DocentGgufWriter *writer)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = docent_gguf_writer_to_bytes (writer, &error);
  DocentGguf *gguf;

  g_assert_no_error (error);
  gguf = docent_gguf_open_bytes (bytes, &error);
  g_assert_no_error (error);
  return gguf;
}

static DocentGgufWriter *
bpe_writer (void)
{
  static const char *tokens[] = { "<|end|>", "a", "b", "c", "ab", "Ġ", "Ġab", NULL };
  static const char *merges[] = { "a b", "Ġ ab", "c c", NULL };
  static const gint32 types[] = { 3, 1, 1, 1, 1, 1, 1 };
  DocentGgufWriter *writer = docent_gguf_writer_new ();

  docent_gguf_writer_add_string (writer, "tokenizer.ggml.model", "gpt2");
  docent_gguf_writer_add_string (writer, "tokenizer.ggml.pre", "llama-bpe");
  docent_gguf_writer_add_strv (writer, "tokenizer.ggml.tokens", tokens, -1);
  docent_gguf_writer_add_array (writer, "tokenizer.ggml.token_type", DOCENT_GGUF_TYPE_INT32, types, G_N_ELEMENTS (types));
  docent_gguf_writer_add_strv (writer, "tokenizer.ggml.merges", merges, -1);
  docent_gguf_writer_add_u32 (writer, "tokenizer.ggml.bos_token_id", 0);
  docent_gguf_writer_add_u32 (writer, "tokenizer.ggml.eos_token_id", 0);
  docent_gguf_writer_add_u32 (writer, "tokenizer.ggml.padding_token_id", 1000);
  docent_gguf_writer_add_bool (writer, "tokenizer.ggml.add_bos_token", TRUE);
  return writer;
}

static void
test_gguf_load (void)
{
  g_autoptr(DocentGgufWriter) writer = bpe_writer ();
  g_autoptr(DocentGguf) gguf = gguf_from_writer (writer);
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentTokenizer) tokenizer = docent_tokenizer_new_from_gguf (gguf, &error);
  DocentVocab *vocab;

  g_assert_no_error (error);
  vocab = docent_tokenizer_vocab (tokenizer);
  g_assert_cmpint (docent_vocab_kind (vocab), ==, DOCENT_VOCAB_BPE);
  g_assert_cmpstr (docent_vocab_pre (vocab), ==, "llama-bpe");
  g_assert_cmpuint (docent_tokenizer_n_vocab (tokenizer), ==, 7);
  g_assert_cmpuint (docent_vocab_n_merges (vocab), ==, 2);
  g_assert_cmpint (docent_vocab_token_type (vocab, 0), ==, DOCENT_TOKEN_TYPE_CONTROL);
  g_assert_cmpint (docent_tokenizer_bos (tokenizer), ==, 0);
  /* Out of range in the file: none. */
  g_assert_cmpint (docent_tokenizer_special (tokenizer, DOCENT_SPECIAL_PAD), ==, DOCENT_TOKEN_NONE);
  assert_pieces (tokenizer, "ab ab", DOCENT_ENCODE_ADD_SPECIAL, "<|end|>|ab|Ġab");
}

static void
test_gguf_spm_defaults (void)
{
  static const char *tokens[] = { "<unk>", "<s>", "</s>", SPACE_MARK, "a", SPACE_MARK "a", NULL };
  static const float scores[] = { 0, 0, 0, -1, -2, -3 };
  g_autoptr(DocentGgufWriter) writer = docent_gguf_writer_new ();
  g_autoptr(DocentGguf) gguf = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentTokenizer) tokenizer = NULL;

  docent_gguf_writer_add_string (writer, "tokenizer.ggml.model", "llama");
  docent_gguf_writer_add_strv (writer, "tokenizer.ggml.tokens", tokens, -1);
  docent_gguf_writer_add_array (writer, "tokenizer.ggml.scores", DOCENT_GGUF_TYPE_FLOAT32, scores, G_N_ELEMENTS (scores));
  gguf = gguf_from_writer (writer);
  tokenizer = docent_tokenizer_new_from_gguf (gguf, &error);
  g_assert_no_error (error);
  /* Without ids in the file, <unk> <s> </s> are found by name, and
   * SentencePiece adds BOS by default. */
  g_assert_cmpint (docent_tokenizer_bos (tokenizer), ==, 1);
  g_assert_cmpint (docent_tokenizer_eos (tokenizer), ==, 2);
  g_assert_cmpint (docent_tokenizer_special (tokenizer, DOCENT_SPECIAL_UNK), ==, 0);
  assert_pieces (tokenizer, "a", DOCENT_ENCODE_ADD_SPECIAL, "<s>|▁a");
}

static void
check_gguf_error (DocentGgufWriter *writer,
                  GQuark            domain,
                  gint              code,
                  const char       *words)
{
  g_autoptr(DocentGguf) gguf = gguf_from_writer (writer);
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentTokenizer) tokenizer = docent_tokenizer_new_from_gguf (gguf, &error);

  g_assert_null (tokenizer);
  g_assert_error (error, domain, code);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, words));
}

static void
test_gguf_errors (void)
{
  static const char *two[] = { "a", "b", NULL };
  static const float one_score[] = { 0 };
  g_autoptr(DocentGgufWriter) no_model = docent_gguf_writer_new ();
  g_autoptr(DocentGgufWriter) t5 = docent_gguf_writer_new ();
  g_autoptr(DocentGgufWriter) no_tokens = docent_gguf_writer_new ();
  g_autoptr(DocentGgufWriter) short_scores = docent_gguf_writer_new ();
  g_autoptr(DocentGgufWriter) no_merges = docent_gguf_writer_new ();
  g_autoptr(DocentGgufWriter) bad_pre = bpe_writer ();
  g_autoptr(DocentGgufWriter) number_tokens = docent_gguf_writer_new ();

  check_gguf_error (no_model, DOCENT_VOCAB_ERROR, DOCENT_VOCAB_ERROR_MISSING, "tokenizer.ggml.model");

  docent_gguf_writer_add_string (t5, "tokenizer.ggml.model", "t5");
  check_gguf_error (t5, DOCENT_VOCAB_ERROR, DOCENT_VOCAB_ERROR_UNSUPPORTED, "t5");

  docent_gguf_writer_add_string (no_tokens, "tokenizer.ggml.model", "llama");
  check_gguf_error (no_tokens, DOCENT_VOCAB_ERROR, DOCENT_VOCAB_ERROR_MISSING, "tokenizer.ggml.tokens");

  docent_gguf_writer_add_string (short_scores, "tokenizer.ggml.model", "llama");
  docent_gguf_writer_add_strv (short_scores, "tokenizer.ggml.tokens", two, -1);
  docent_gguf_writer_add_array (short_scores, "tokenizer.ggml.scores", DOCENT_GGUF_TYPE_FLOAT32, one_score, 1);
  check_gguf_error (short_scores, DOCENT_VOCAB_ERROR, DOCENT_VOCAB_ERROR_INVALID, "tokenizer.ggml.scores");

  docent_gguf_writer_add_string (no_merges, "tokenizer.ggml.model", "gpt2");
  docent_gguf_writer_add_strv (no_merges, "tokenizer.ggml.tokens", two, -1);
  check_gguf_error (no_merges, DOCENT_VOCAB_ERROR, DOCENT_VOCAB_ERROR_MISSING, "merges");

  docent_gguf_writer_add_string (bad_pre, "tokenizer.ggml.pre", "unheard-of");
  check_gguf_error (bad_pre, DOCENT_TOKENIZER_ERROR, DOCENT_TOKENIZER_ERROR_UNSUPPORTED, "unheard-of");

  docent_gguf_writer_add_string (number_tokens, "tokenizer.ggml.model", "bert");
  docent_gguf_writer_add_array (number_tokens, "tokenizer.ggml.tokens", DOCENT_GGUF_TYPE_FLOAT32, one_score, 1);
  check_gguf_error (number_tokens, DOCENT_GGUF_ERROR, DOCENT_GGUF_ERROR_TYPE, "tokenizer.ggml.tokens");
}

/* A Qwen-sized vocabulary (150k tokens, 150k merges) loads in well under
 * a second: "x" followed by up to six digits, each made by a merge of its
 * parent and a digit. */
static void
test_gguf_large_load (void)
{
  g_autoptr(GPtrArray) tokens = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) merges = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(DocentGgufWriter) writer = docent_gguf_writer_new ();
  g_autoptr(DocentGguf) gguf = NULL;
  g_autoptr(DocentVocab) vocab = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start;

  for (guint d = 0; d < 10; d++)
    g_ptr_array_add (tokens, g_strdup_printf ("%u", d));
  g_ptr_array_add (tokens, g_strdup ("x"));
  /* Breadth first: every token's parent comes before it. */
  for (guint i = 10; tokens->len < 150010; i++)
    for (guint d = 0; d < 10 && tokens->len < 150010; d++)
      {
        const char *parent = tokens->pdata[i];

        g_ptr_array_add (tokens, g_strdup_printf ("%s%u", parent, d));
        g_ptr_array_add (merges, g_strdup_printf ("%s %u", parent, d));
      }
  g_ptr_array_add (tokens, NULL);
  g_ptr_array_add (merges, NULL);
  docent_gguf_writer_add_string (writer, "tokenizer.ggml.model", "gpt2");
  docent_gguf_writer_add_string (writer, "tokenizer.ggml.pre", "qwen2");
  docent_gguf_writer_add_strv (writer, "tokenizer.ggml.tokens", (const char * const *) tokens->pdata, -1);
  docent_gguf_writer_add_strv (writer, "tokenizer.ggml.merges", (const char * const *) merges->pdata, -1);
  gguf = gguf_from_writer (writer);

  start = g_get_monotonic_time ();
  vocab = docent_vocab_new_from_gguf (gguf, &error);
  g_assert_no_error (error);
  g_test_message ("150k tokens and %u merges loaded in %.1f ms", merges->len - 1,
                  (g_get_monotonic_time () - start) / 1e3);
  g_assert_cmpuint (docent_vocab_n_tokens (vocab), ==, 150010);
  g_assert_cmpuint (docent_vocab_n_merges (vocab), ==, merges->len - 1);
  g_assert_cmpint (docent_vocab_lookup (vocab, "x12345", 6), !=, DOCENT_TOKEN_NONE);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 3 * G_USEC_PER_SEC);
}

/* ---- threads ------------------------------------------------------------------------ */

typedef struct {
  DocentTokenizer *tokenizer;
  const char *text;
  GArray *expected;
} ThreadCase;

static gpointer
encode_in_thread (gpointer data)
{
  ThreadCase *c = data;

  for (guint i = 0; i < 200; i++)
    {
      g_autoptr(GArray) ids = encode (c->tokenizer, c->text, -1, DOCENT_ENCODE_ADD_SPECIAL);

      g_assert_cmpmem (ids->data, ids->len * sizeof (DocentToken),
                       c->expected->data, c->expected->len * sizeof (DocentToken));
    }
  return NULL;
}

static void
test_threads (void)
{
  g_autoptr(DocentVocab) vocab = spm_vocab ("_ a b e T 3 . _a _b _T __ ab");
  g_autoptr(DocentTokenizer) tokenizer = tokenizer_new (vocab);
  const char *text = "a b  Tab 3. ab ab   éé\n ba ab";
  g_autoptr(GArray) expected = encode (tokenizer, text, -1, DOCENT_ENCODE_ADD_SPECIAL);
  ThreadCase c = { tokenizer, text, expected };
  GThread *threads[4];

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("encode", encode_in_thread, &c);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tokenizer/spm/merge-by-score", test_spm_merge_by_score);
  g_test_add_func ("/tokenizer/spm/byte-fallback", test_spm_byte_fallback);
  g_test_add_func ("/tokenizer/spm/space-prefix", test_spm_space_prefix);
  g_test_add_func ("/tokenizer/spm/add-special", test_spm_add_special);
  g_test_add_func ("/tokenizer/spm/decode", test_spm_decode);
  g_test_add_func ("/tokenizer/bpe/merge-by-rank", test_bpe_merge_by_rank);
  g_test_add_func ("/tokenizer/bpe/byte-map", test_bpe_byte_map);
  g_test_add_func ("/tokenizer/bpe/ignore-merges", test_bpe_ignore_merges);
  g_test_add_func ("/tokenizer/bpe/pretokenizers", test_bpe_pretokenizers);
  g_test_add_func ("/tokenizer/bpe/linear-time", test_bpe_linear_time);
  g_test_add_func ("/tokenizer/wpm/converted", test_wpm_converted);
  g_test_add_func ("/tokenizer/wpm/hashes", test_wpm_hashes);
  g_test_add_func ("/tokenizer/wpm/cased", test_wpm_cased);
  g_test_add_func ("/tokenizer/wpm/long-word", test_wpm_long_word);
  g_test_add_func ("/tokenizer/wpm/decode", test_wpm_decode);
  g_test_add_func ("/tokenizer/special/parse", test_special_parse);
  g_test_add_func ("/tokenizer/special/bpe", test_special_bpe);
  g_test_add_func ("/tokenizer/round-trip/spm", test_round_trip_spm);
  g_test_add_func ("/tokenizer/round-trip/bpe", test_round_trip_bpe);
  g_test_add_func ("/tokenizer/malformed/wpm", test_malformed_wpm);
  g_test_add_func ("/tokenizer/hostile/vocab", test_hostile_vocab);
  g_test_add_func ("/tokenizer/hostile/large-vocab", test_large_vocab);
  g_test_add_func ("/tokenizer/gguf/load", test_gguf_load);
  g_test_add_func ("/tokenizer/gguf/spm-defaults", test_gguf_spm_defaults);
  g_test_add_func ("/tokenizer/gguf/errors", test_gguf_errors);
  g_test_add_func ("/tokenizer/gguf/large-load", test_gguf_large_load);
  g_test_add_func ("/tokenizer/threads", test_threads);

  return g_test_run ();
}
