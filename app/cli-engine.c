/* cli-engine.c — `docent-cli engine`: tools for checking the inference
 * engine by hand and against reference data. Needs no library.
 *
 *   engine tokenize MODEL [--special] [--parse-special] TEXT
 *   engine tokenize MODEL [--special] [--parse-special] --file FILE
 *
 * The first prints the ids of TEXT on one line. The second reads test
 * strings separated by lines "__ggml_vocab_test__" and prints one line per
 * string, each id preceded by a space: the layout of the reference
 * tokenizer test vectors, so the output can be compared with diff. */
#include <stdio.h>
#include <string.h>

#include "app/cli.h"
#include "engine/tokenizer.h"

#define TEST_SEPARATOR "__ggml_vocab_test__\n"

static DocentTokenizer *
open_tokenizer (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentGguf) gguf = docent_gguf_open (path, &error);
  DocentTokenizer *tokenizer;

  if (gguf == NULL)
    {
      docent_cli_error ("%s: %s", path, error->message);
      return NULL;
    }
  tokenizer = docent_tokenizer_new_from_gguf (gguf, &error);
  if (tokenizer == NULL)
    docent_cli_error ("%s: %s", path, error->message);
  return tokenizer;
}

/* The reference layout puts a space before every id; otherwise ids are
 * only separated by spaces. */
static gboolean
print_ids (DocentTokenizer   *tokenizer,
           const char        *text,
           gsize              len,
           DocentEncodeFlags  flags,
           gboolean           reference_layout,
           GString           *line)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (DocentToken));
  g_autoptr(GError) error = NULL;

  if (!docent_tokenizer_encode (tokenizer, text, (gssize) len, flags, ids, &error))
    {
      docent_cli_error ("%s", error->message);
      return FALSE;
    }
  g_string_truncate (line, 0);
  for (guint i = 0; i < ids->len; i++)
    g_string_append_printf (line, "%s%d", i > 0 || reference_layout ? " " : "",
                            g_array_index (ids, DocentToken, i));
  g_string_append_c (line, '\n');
  fwrite (line->str, 1, line->len, stdout);
  return TRUE;
}

/* Splits at "\n" TEST_SEPARATOR; the text after the last separator is
 * one more string only if it is not empty (then without its final line
 * break). */
static gboolean
print_test_file (DocentTokenizer   *tokenizer,
                 const char        *path,
                 DocentEncodeFlags  flags)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) line = g_string_new (NULL);
  g_autofree char *contents = NULL;
  gsize len, sep_len = strlen (TEST_SEPARATOR);
  const char *at, *end;

  if (!g_file_get_contents (path, &contents, &len, &error))
    {
      docent_cli_error ("%s: %s", path, error->message);
      return FALSE;
    }
  at = contents;
  end = contents + len;
  if (len >= sep_len && memcmp (contents, TEST_SEPARATOR, sep_len) == 0)
    {
      if (!print_ids (tokenizer, "", 0, flags, TRUE, line))
        return FALSE;
      at += sep_len;
    }
  while (at < end)
    {
      const char *sep = memmem (at, end - at, "\n" TEST_SEPARATOR, sep_len + 1);
      gsize piece = sep != NULL ? (gsize) (sep - at) : (gsize) (end - at);

      if (sep == NULL && piece > 0 && at[piece - 1] == '\n')
        piece--;
      if (!print_ids (tokenizer, at, piece, flags, TRUE, line))
        return FALSE;
      if (sep == NULL)
        break;
      at = sep + 1 + sep_len;
    }
  return TRUE;
}

static int
cmd_tokenize (int    argc,
              char **argv)
{
  gboolean special = FALSE, parse_special = FALSE;
  g_autofree char *file = NULL;
  const GOptionEntry entries[] = {
    { "special", 0, 0, G_OPTION_ARG_NONE, &special, "Add BOS/EOS (CLS/SEP) as the model's metadata says", NULL },
    { "parse-special", 0, 0, G_OPTION_ARG_NONE, &parse_special, "Read special-token text such as <s> as those tokens", NULL },
    { "file", 'f', 0, G_OPTION_ARG_FILENAME, &file, "Tokenize each test string of FILE (strings separated by lines __ggml_vocab_test__)", "FILE" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("MODEL [TEXT] — print the token ids of TEXT");
  g_autoptr(DocentTokenizer) tokenizer = NULL;
  g_autoptr(GString) line = g_string_new (NULL);
  DocentEncodeFlags flags = DOCENT_ENCODE_NONE;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!docent_cli_parse (context, &argc, &argv))
    return DOCENT_EXIT_USAGE;
  if (argc != (file != NULL ? 2 : 3))
    {
      docent_cli_error (file != NULL ? "engine tokenize --file FILE takes one model and no text (see --help)"
                                     : "engine tokenize needs a model and one text (see --help)");
      return DOCENT_EXIT_USAGE;
    }
  if (special)
    flags |= DOCENT_ENCODE_ADD_SPECIAL;
  if (parse_special)
    flags |= DOCENT_ENCODE_PARSE_SPECIAL;
  tokenizer = open_tokenizer (argv[1]);
  if (tokenizer == NULL)
    return DOCENT_EXIT_FAILED;
  if (file != NULL)
    return print_test_file (tokenizer, file, flags) ? DOCENT_EXIT_OK : DOCENT_EXIT_FAILED;
  return print_ids (tokenizer, argv[2], strlen (argv[2]), flags, FALSE, line) ? DOCENT_EXIT_OK
                                                                             : DOCENT_EXIT_FAILED;
}

static void
print_engine_usage (FILE *out)
{
  fputs ("Usage: docent-cli engine COMMAND [OPTION…]\n\n"
         "Commands:\n"
         "  tokenize MODEL TEXT         print the token ids of TEXT\n"
         "  tokenize MODEL --file FILE  one line of ids per test string of FILE\n"
         "  conformance MODEL PROMPTS   logits or embeddings in the conformance kit's JSON\n"
         "  run MODEL PROMPT            generate text\n"
         "  embed MODEL TEXT…           print embedding vectors\n"
         "  synth --shape NAME --type TYPE OUT\n"
         "                              write a random model with a real shape\n", out);
}

int
docent_cli_engine (const char  *library_dir,
                   int          argc,
                   char       **argv)
{
  if (argc < 2)
    {
      print_engine_usage (stderr);
      return DOCENT_EXIT_USAGE;
    }
  if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0)
    {
      print_engine_usage (stdout);
      return DOCENT_EXIT_OK;
    }
  if (strcmp (argv[1], "tokenize") == 0)
    return cmd_tokenize (argc - 1, argv + 1);
  if (strcmp (argv[1], "conformance") == 0)
    return docent_cli_engine_conformance (argc - 1, argv + 1);
  if (strcmp (argv[1], "run") == 0)
    return docent_cli_engine_run (argc - 1, argv + 1);
  if (strcmp (argv[1], "embed") == 0)
    return docent_cli_engine_embed (argc - 1, argv + 1);
  if (strcmp (argv[1], "synth") == 0)
    return docent_cli_engine_synth (argc - 1, argv + 1);
  docent_cli_error ("engine: unknown command “%s” (see engine --help)", argv[1]);
  return DOCENT_EXIT_USAGE;
}
