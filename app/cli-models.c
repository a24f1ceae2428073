/* cli-models.c — `docent-cli models`: inspecting model files.
 *
 *   models info FILE [--json]
 *
 * prints what a GGUF file holds (architecture, size, parameters, tensor
 * types, context, vocabulary, chat template) without loading the weights;
 * needs no library. */
#include <stdio.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "app/cli.h"
#include "engine/gguf.h"

static void
print_models_usage (FILE *out)
{
  fputs ("Usage: docent-cli models SUBCOMMAND [OPTION…]\n\n"
         "Subcommands:\n"
         "  info FILE [--json]   describe a GGUF model file\n", out);
}

/* "494 M", "1.71 M", "7.62 B": three significant digits. */
static char *
format_count (guint64 n)
{
  static const char * const units[] = { "K", "M", "B", "T" };
  double scaled = (double) n;
  int unit = -1;

  while ((scaled >= 999.5 && unit < (int) G_N_ELEMENTS (units) - 1))
    {
      scaled /= 1000.0;
      unit++;
    }
  if (unit < 0)
    return g_strdup_printf ("%" G_GUINT64_FORMAT, n);
  return g_strdup_printf ("%.3g %s", scaled, units[unit]);
}

static void
print_number_line (const char *label,
                   guint64     value)
{
  if (value > 0)
    printf ("%-18s %" G_GUINT64_FORMAT "\n", label, value);
  else
    printf ("%-18s unknown\n", label);
}

static void
print_text (const char              *path,
            const DocentGgufSummary *s)
{
  g_autofree char *size = g_format_size_full (s->file_size, G_FORMAT_SIZE_IEC_UNITS);
  g_autofree char *params = format_count (s->n_params);

  printf ("%-18s %s\n", "File:", path);
  printf ("%-18s %s\n", "Architecture:", s->architecture ? s->architecture : "unknown");
  printf ("%-18s %s\n", "Name:", s->name ? s->name : "unknown");
  printf ("%-18s %u\n", "GGUF version:", s->version);
  printf ("%-18s %s (%" G_GUINT64_FORMAT " bytes)\n", "File size:", size, s->file_size);
  if (s->n_params >= 1000)
    printf ("%-18s %s (%" G_GUINT64_FORMAT ")\n", "Parameters:", params, s->n_params);
  else
    printf ("%-18s %s\n", "Parameters:", params);
  printf ("%-18s %" G_GUINT64_FORMAT "\n", "Tensors:", s->n_tensors);
  for (guint t = 0; t < DOCENT_TYPE_COUNT; t++)
    {
      g_autofree char *bytes = NULL;

      if (s->type_count[t] == 0)
        continue;
      bytes = g_format_size_full (s->type_bytes[t], G_FORMAT_SIZE_IEC_UNITS);
      printf ("  %-8s %6" G_GUINT64_FORMAT " tensor%s  %s%s\n", docent_type_name (t),
              s->type_count[t], s->type_count[t] == 1 ? " " : "s", bytes,
              docent_type_traits (t)->supported ? "" : "  (not supported by Docent)");
    }
  print_number_line ("Context length:", s->context_length);
  print_number_line ("Embedding length:", s->embedding_length);
  print_number_line ("Layers:", s->block_count);
  if (s->vocab_size > 0)
    printf ("%-18s %" G_GUINT64_FORMAT " tokens (%s tokenizer%s%s)\n", "Vocabulary:",
            s->vocab_size, s->tokenizer_model ? s->tokenizer_model : "unknown",
            s->tokenizer_pre ? ", pre-tokenizer " : "", s->tokenizer_pre ? s->tokenizer_pre : "");
  else
    printf ("%-18s none\n", "Vocabulary:");
  printf ("%-18s %s\n", "Chat template:", s->has_chat_template ? "yes" : "no");
}

static void
add_int (JsonBuilder *b,
         const char  *name,
         guint64      value)
{
  docent_cli_json_int (b, name, (gint64) MIN (value, (guint64) G_MAXINT64));
}

/* Absent (zero) becomes null. */
static void
add_optional_int (JsonBuilder *b,
                  const char  *name,
                  guint64      value)
{
  if (value > 0)
    add_int (b, name, value);
  else
    docent_cli_json_string (b, name, NULL);
}

static void
add_tensor_types (JsonBuilder             *b,
                  const DocentGgufSummary *s)
{
  json_builder_set_member_name (b, "tensor_types");
  json_builder_begin_object (b);
  for (guint t = 0; t < DOCENT_TYPE_COUNT; t++)
    {
      if (s->type_count[t] == 0)
        continue;
      json_builder_set_member_name (b, docent_type_name (t));
      json_builder_begin_object (b);
      add_int (b, "count", s->type_count[t]);
      add_int (b, "bytes", s->type_bytes[t]);
      json_builder_set_member_name (b, "supported");
      json_builder_add_boolean_value (b, docent_type_traits (t)->supported);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
}

static void
print_json (const char              *path,
            const DocentGgufSummary *s)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  docent_cli_json_string (b, "file", path);
  docent_cli_json_string (b, "architecture", s->architecture);
  docent_cli_json_string (b, "name", s->name);
  add_int (b, "gguf_version", s->version);
  add_int (b, "file_size", s->file_size);
  add_int (b, "parameters", s->n_params);
  add_int (b, "tensor_count", s->n_tensors);
  add_int (b, "tensor_bytes", s->n_bytes);
  add_tensor_types (b, s);
  add_optional_int (b, "context_length", s->context_length);
  add_optional_int (b, "embedding_length", s->embedding_length);
  add_optional_int (b, "layers", s->block_count);
  add_optional_int (b, "vocab_size", s->vocab_size);
  docent_cli_json_string (b, "tokenizer_model", s->tokenizer_model);
  docent_cli_json_string (b, "tokenizer_pre", s->tokenizer_pre);
  json_builder_set_member_name (b, "chat_template");
  json_builder_add_boolean_value (b, s->has_chat_template);
  json_builder_end_object (b);
  docent_cli_print_json (b);
}

static int
models_info (int    argc,
             char **argv)
{
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("FILE — describe a GGUF model file");
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentGguf) gguf = NULL;
  g_autoptr(DocentGgufSummary) summary = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!docent_cli_parse (context, &argc, &argv))
    return DOCENT_EXIT_USAGE;
  if (argc != 2)
    {
      docent_cli_error ("models info: %s (see --help)",
                        argc < 2 ? "which model file?" : "give one model file");
      return DOCENT_EXIT_USAGE;
    }
  gguf = docent_gguf_open (argv[1], &error);
  if (gguf == NULL)
    {
      docent_cli_error ("%s: %s", argv[1], error->message);
      return DOCENT_EXIT_FAILED;
    }
  summary = docent_gguf_summarize (gguf);
  if (json)
    print_json (argv[1], summary);
  else
    print_text (argv[1], summary);
  return DOCENT_EXIT_OK;
}

int
docent_cli_models (const char  *library_dir,
                   int          argc,
                   char       **argv)
{
  if (argc >= 2 && (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0))
    {
      print_models_usage (stdout);
      return DOCENT_EXIT_OK;
    }
  if (argc >= 2 && strcmp (argv[1], "info") == 0)
    return models_info (argc - 1, argv + 1);
  if (argc >= 2)
    docent_cli_error ("models: unknown subcommand '%s'", argv[1]);
  else
    docent_cli_error ("models: which subcommand?");
  print_models_usage (stderr);
  return DOCENT_EXIT_USAGE;
}
