/* test-tokenizer-conformance.c — the tokenizers against the reference test
 * vectors of the conformance kit (../shared/conformance/tokenizer): every
 * string of every vocabulary must give exactly the reference ids. Also
 * decode(encode(x)) == x, the special tokens each file asks for, the same
 * through `docent-cli engine tokenize --file`, and the speed on 1 MB of
 * English-like text. Skipped, not passed, when the kit is absent. */
#include <string.h>

#include <gio/gio.h>
#include <glib.h>

#include "engine/tokenizer.h"

#define SEPARATOR "\n__ggml_vocab_test__\n"

typedef struct {
  const char *name;
  gboolean round_trips;    /* SentencePiece and BPE give back their bytes */
  DocentToken first;       /* with DOCENT_ENCODE_ADD_SPECIAL; -1: none */
  DocentToken last;
} Vocab;

static const Vocab vocabs[] = {
  { "llama-spm", TRUE, 1, -1 },
  { "phi-3", TRUE, 1, -1 },
  { "gpt-2", TRUE, -1, -1 },
  { "deepseek-llm", TRUE, 100000, -1 },
  { "falcon", TRUE, -1, -1 },
  { "starcoder", TRUE, -1, -1 },
  { "bert-bge", FALSE, 101, 102 },
};

static char *
kit_path (const char *name,
          const char *suffix)
{
  g_autofree char *file = g_strdup_printf ("ggml-vocab-%s.gguf%s", name, suffix);

  return g_test_build_filename (G_TEST_DIST, "..", "..", "shared", "conformance", "tokenizer", file, NULL);
}

static gboolean
kit_present (const char *name)
{
  g_autofree char *path = kit_path (name, "");

  if (g_file_test (path, G_FILE_TEST_EXISTS))
    return TRUE;
  g_test_skip_printf ("%s not found: the conformance kit (../shared/conformance) is not here", path);
  return FALSE;
}

static DocentTokenizer *
load (const char *name)
{
  g_autofree char *path = kit_path (name, "");
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentGguf) gguf = docent_gguf_open (path, &error);
  DocentTokenizer *tokenizer;

  g_assert_no_error (error);
  tokenizer = docent_tokenizer_new_from_gguf (gguf, &error);
  g_assert_no_error (error);
  return tokenizer;
}

/* The test strings: each is followed by SEPARATOR. */
static GPtrArray *
read_inputs (const char *name)
{
  g_autofree char *path = kit_path (name, ".inp");
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *strings = g_ptr_array_new_with_free_func (g_free);
  const char *at, *end;
  gsize len;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  end = contents + len;
  for (at = contents; at < end; )
    {
      const char *sep = memmem (at, end - at, SEPARATOR, strlen (SEPARATOR));

      g_assert_nonnull (sep);
      g_ptr_array_add (strings, g_strndup (at, sep - at));
      at = sep + strlen (SEPARATOR);
    }
  return strings;
}

static char **
read_outputs (const char *name)
{
  g_autofree char *path = kit_path (name, ".out");
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return g_strsplit (contents, "\n", -1);
}

/* The reference layout: a space before each id. */
static char *
ids_line (GArray *ids)
{
  GString *line = g_string_new (NULL);

  for (guint i = 0; i < ids->len; i++)
    g_string_append_printf (line, " %d", g_array_index (ids, DocentToken, i));
  return g_string_free (line, FALSE);
}

static GArray *
encode (DocentTokenizer   *tokenizer,
        const char        *text,
        DocentEncodeFlags  flags)
{
  g_autoptr(GError) error = NULL;
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (DocentToken));

  g_assert_true (docent_tokenizer_encode (tokenizer, text, -1, flags, ids, &error));
  g_assert_no_error (error);
  return ids;
}

static void
check_round_trip (DocentTokenizer *tokenizer,
                  const char      *text,
                  GArray          *ids)
{
  g_autoptr(GString) back = g_string_new (NULL);

  docent_tokenizer_decode (tokenizer, (const DocentToken *) (gpointer) ids->data, ids->len,
                           DOCENT_DECODE_NONE, back);
  g_assert_cmpstr (back->str, ==, text);
}

static void
check_special (const Vocab     *vocab,
               DocentTokenizer *tokenizer)
{
  g_autoptr(GArray) ids = encode (tokenizer, "Hello world", DOCENT_ENCODE_ADD_SPECIAL);
  g_autoptr(GArray) plain = encode (tokenizer, "Hello world", DOCENT_ENCODE_NONE);
  guint extra = (vocab->first >= 0) + (vocab->last >= 0);

  g_assert_cmpuint (ids->len, ==, plain->len + extra);
  if (vocab->first >= 0)
    g_assert_cmpint (g_array_index (ids, DocentToken, 0), ==, vocab->first);
  if (vocab->last >= 0)
    g_assert_cmpint (g_array_index (ids, DocentToken, ids->len - 1), ==, vocab->last);
}

static void
test_vocab (gconstpointer data)
{
  const Vocab *vocab = data;
  g_autoptr(DocentTokenizer) tokenizer = NULL;
  g_autoptr(GPtrArray) inputs = NULL;
  g_auto(GStrv) outputs = NULL;
  guint passed = 0;

  if (!kit_present (vocab->name))
    return;
  tokenizer = load (vocab->name);
  inputs = read_inputs (vocab->name);
  outputs = read_outputs (vocab->name);
  g_assert_cmpuint (g_strv_length (outputs), >=, inputs->len);
  for (guint i = 0; i < inputs->len; i++)
    {
      const char *text = inputs->pdata[i];
      g_autoptr(GArray) ids = encode (tokenizer, text, DOCENT_ENCODE_NONE);
      g_autofree char *line = ids_line (ids);

      if (g_strcmp0 (line, outputs[i]) == 0)
        passed++;
      else
        g_test_message ("%s: string %u differs:\n  expected%s\n  got     %s", vocab->name, i + 1, outputs[i], line);
      if (vocab->round_trips)
        check_round_trip (tokenizer, text, ids);
    }
  g_test_message ("%s: %u of %u strings match the reference", vocab->name, passed, inputs->len);
  g_assert_cmpuint (passed, ==, inputs->len);
  check_special (vocab, tokenizer);
}

/* docent-cli engine tokenize MODEL --file INP prints the reference file. */
static void
test_cli (gconstpointer data)
{
  const Vocab *vocab = data;
  const char *cli = g_getenv ("DOCENT_CLI");
  g_autofree char *model = kit_path (vocab->name, "");
  g_autofree char *inp = kit_path (vocab->name, ".inp");
  g_autofree char *out = kit_path (vocab->name, ".out");
  g_autofree char *expected = NULL;
  g_autofree char *got = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;

  if (!kit_present (vocab->name))
    return;
  if (cli == NULL)
    {
      g_test_skip ("DOCENT_CLI is not set (run through meson test)");
      return;
    }
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                              cli, "engine", "tokenize", model, "--file", inp, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &got, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  g_file_get_contents (out, &expected, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (got, ==, expected);
}

/* About 1 MB of English-like prose: sentences of common words with
 * punctuation, numbers, contractions and paragraph breaks. */
static char *
english_text (gsize size)
{
  static const char *words[] = {
    "the", "of", "and", "to", "in", "a", "is", "that", "for", "it", "as", "was",
    "with", "be", "by", "on", "not", "he", "this", "are", "or", "his", "from",
    "at", "which", "but", "have", "an", "they", "you", "were", "her", "she",
    "there", "one", "all", "we", "their", "can", "has", "been", "if", "more",
    "when", "will", "would", "who", "so", "no", "document", "court", "patient",
    "agreement", "clinical", "evidence", "section", "guideline", "however",
    "therefore", "between", "treatment", "liability", "reasonable", "library",
  };
  static const char *marks[] = { ",", ";", ":", "'s", " (1984)", " 3.14", " 42%", " $1,250", " \"quoted\"", " -" };
  g_autoptr(GRand) rand = g_rand_new_with_seed (2024);
  GString *text = g_string_sized_new (size + 64);

  while (text->len < size)
    {
      guint n = g_rand_int_range (rand, 5, 25);

      for (guint i = 0; i < n; i++)
        {
          const char *word = words[g_rand_int_range (rand, 0, G_N_ELEMENTS (words))];

          if (i > 0)
            g_string_append_c (text, ' ');
          if (i == 0)
            {
              g_string_append_c (text, g_ascii_toupper (word[0]));
              g_string_append (text, word + 1);
            }
          else
            g_string_append (text, word);
          if (g_rand_int_range (rand, 0, 12) == 0)
            g_string_append (text, marks[g_rand_int_range (rand, 0, G_N_ELEMENTS (marks))]);
        }
      g_string_append (text, g_rand_int_range (rand, 0, 10) == 0 ? ".\n\n" : ". ");
    }
  g_string_truncate (text, size);
  return g_string_free (text, FALSE);
}

static void
test_speed (void)
{
  g_autofree char *text = english_text (1000000);

  for (guint v = 0; v < G_N_ELEMENTS (vocabs); v++)
    {
      g_autoptr(DocentTokenizer) tokenizer = NULL;
      g_autoptr(GArray) ids = NULL;
      gint64 start, loaded, done;

      if (!kit_present (vocabs[v].name))
        return;
      start = g_get_monotonic_time ();
      tokenizer = load (vocabs[v].name);
      loaded = g_get_monotonic_time ();
      ids = encode (tokenizer, text, DOCENT_ENCODE_NONE);
      done = g_get_monotonic_time ();
      g_test_message ("%-13s load %6.1f ms, 1 MB in %6.1f ms (%u tokens)", vocabs[v].name,
                      (loaded - start) / 1e3, (done - loaded) / 1e3, ids->len);
      /* Loose bounds, for sanitizer builds: a regression to quadratic
       * time shows anyway. */
      g_assert_cmpint (loaded - start, <, 5 * G_USEC_PER_SEC);
      g_assert_cmpint (done - loaded, <, 20 * G_USEC_PER_SEC);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (vocabs); i++)
    {
      g_autofree char *vectors = g_strdup_printf ("/tokenizer-conformance/vectors/%s", vocabs[i].name);
      g_autofree char *cli = g_strdup_printf ("/tokenizer-conformance/cli/%s", vocabs[i].name);

      g_test_add_data_func (vectors, &vocabs[i], test_vocab);
      g_test_add_data_func (cli, &vocabs[i], test_cli);
    }
  g_test_add_func ("/tokenizer-conformance/speed", test_speed);

  return g_test_run ();
}
