/* cli-models.c — `docent-cli models`: inspecting model files and the
 * library's model registry (app/settings.h).
 *
 *   models info FILE [--json]
 *   models add FILE [--json]
 *   models list [--json]
 *   models use [--embedder ID|none] [--chat ID|none]
 *   models remove ID
 *   models prefixes ID [--query TEXT] [--passage TEXT]
 *
 * `info` prints what a GGUF file holds (architecture, size, parameters,
 * tensor types, context, vocabulary, chat template) without loading the
 * weights and needs no library; the others read and write the library's
 * docent.ini (only that: the database is not opened). */
#include <stdio.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "app/cli.h"
#include "app/settings.h"
#include "engine/gguf.h"

static void
print_models_usage (FILE *out)
{
  fputs ("Usage: docent-cli [--library DIR] models SUBCOMMAND [OPTION…]\n\n"
         "Subcommands:\n"
         "  info FILE [--json]            describe a GGUF model file\n"
         "  add FILE [--json]             register a model file with the library\n"
         "  list [--json]                 list the registered models\n"
         "  use --embedder ID|none        embed the library's passages with model ID\n"
         "                                (now; --no-embed leaves it to add/reindex)\n"
         "  use --chat ID|none            answer questions with model ID\n"
         "  remove ID                     unregister a model (the file stays)\n"
         "  prefixes ID [--query TEXT] [--passage TEXT]\n"
         "                                show or set an embedder's prefixes\n"
         "                                (\"\" for none)\n", out);
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

/* ---- the registry (docent.ini) ----------------------------------------- */

static DocentSettings *
open_settings (const char *library_dir)
{
  g_autoptr(GError) error = NULL;
  DocentSettings *settings = docent_settings_load (library_dir, &error);

  if (settings == NULL)
    docent_cli_error ("%s", error->message);
  return settings;
}

static gboolean
save_settings (DocentSettings *settings)
{
  g_autoptr(GError) error = NULL;

  if (docent_settings_save (settings, &error))
    return TRUE;
  docent_cli_error ("%s", error->message);
  return FALSE;
}

static gboolean
is_in_use (DocentSettings         *settings,
           const DocentModelEntry *entry)
{
  return docent_settings_current (settings, entry->role) == entry;
}

/* A prefix as people read it: quoted, so that spaces show; "none". */
static char *
quote_prefix (const char *prefix)
{
  GString *out;

  if (prefix == NULL)
    return g_strdup ("none");
  out = g_string_new ("\"");
  for (const char *p = prefix; *p != '\0'; p++)
    {
      if (*p == '\n')
        g_string_append (out, "\\n");
      else if (*p == '\t')
        g_string_append (out, "\\t");
      else if (*p == '"' || *p == '\\')
        g_string_append_printf (out, "\\%c", *p);
      else
        g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
  return g_string_free (out, FALSE);
}

static void
print_prefixes (const DocentModelEntry *entry)
{
  g_autofree char *query = quote_prefix (entry->query_prefix);
  g_autofree char *passage = quote_prefix (entry->passage_prefix);

  printf ("%-18s %s\n", "Query prefix:", query);
  printf ("%-18s %s\n", "Passage prefix:", passage);
}

static void
print_entry_text (DocentSettings         *settings,
                  const DocentModelEntry *entry)
{
  printf ("%-18s %s\n", "ID:", entry->id);
  printf ("%-18s %s%s\n", "Role:", docent_model_role_to_string (entry->role),
          is_in_use (settings, entry) ? " (in use)" : "");
  printf ("%-18s %s\n", "Architecture:", entry->architecture);
  printf ("%-18s %s\n", "Name:", entry->name ? entry->name : "unknown");
  printf ("%-18s %s\n", "File:", entry->path);
  print_number_line ("Dimension:", entry->n_embd);
  print_number_line ("Context length:", entry->n_ctx);
  printf ("%-18s %s\n", "SHA-256:", entry->sha256);
  if (entry->role != DOCENT_MODEL_ROLE_EMBEDDER)
    return;
  printf ("%-18s %s\n", "Pooling:", entry->pooling ? entry->pooling : "unknown");
  print_prefixes (entry);
}

/* The members of one model's JSON object. */
static void
add_entry_members (JsonBuilder            *b,
                   DocentSettings         *settings,
                   const DocentModelEntry *entry)
{
  docent_cli_json_string (b, "id", entry->id);
  docent_cli_json_string (b, "role", docent_model_role_to_string (entry->role));
  json_builder_set_member_name (b, "in_use");
  json_builder_add_boolean_value (b, is_in_use (settings, entry));
  docent_cli_json_string (b, "architecture", entry->architecture);
  docent_cli_json_string (b, "name", entry->name);
  docent_cli_json_string (b, "file", entry->path);
  docent_cli_json_string (b, "sha256", entry->sha256);
  add_int (b, "size", entry->size);
  add_optional_int (b, "dimension", entry->n_embd);
  add_optional_int (b, "context_length", entry->n_ctx);
  docent_cli_json_string (b, "pooling", entry->pooling);
  docent_cli_json_string (b, "query_prefix", entry->query_prefix);
  docent_cli_json_string (b, "passage_prefix", entry->passage_prefix);
}

/* Parses a registry subcommand's options (`usage` is what --help shows
 * after the command) and checks that it got exactly `n_args` arguments,
 * named `what` in the error. */
static gboolean
parse_registry_args (const char          *command,
                     const char          *usage,
                     const char          *what,
                     int                  n_args,
                     const GOptionEntry  *entries,
                     int                 *argc,
                     char              ***argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (usage);

  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, NULL);
  if (!docent_cli_parse (context, argc, argv))
    return FALSE;
  if (*argc == n_args + 1)
    return TRUE;
  if (*argc <= n_args)
    docent_cli_error ("models %s: which %s? (see --help)", command, what);
  else
    docent_cli_error ("models %s: too many arguments (see --help)", command);
  return FALSE;
}

static void
print_add_json (DocentSettings         *settings,
                const DocentModelEntry *entry,
                gboolean                added)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "added");
  json_builder_add_boolean_value (b, added);
  add_entry_members (b, settings, entry);
  json_builder_end_object (b);
  docent_cli_print_json (b);
}

static void
print_add_text (DocentSettings         *settings,
                const DocentModelEntry *entry,
                gboolean                added)
{
  if (added)
    printf ("Added %s (%s).\n", entry->id, docent_model_role_to_string (entry->role));
  else
    printf ("Already registered as %s.\n", entry->id);
  print_entry_text (settings, entry);
  if (docent_settings_current (settings, entry->role) == NULL)
    printf ("\nUse it with: docent-cli models use --%s %s\n",
            entry->role == DOCENT_MODEL_ROLE_EMBEDDER ? "embedder" : "chat", entry->id);
}

static int
models_add (const char  *library_dir,
            int          argc,
            char       **argv)
{
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON", NULL },
    { NULL }
  };
  g_autoptr(DocentSettings) settings = NULL;
  g_autoptr(GError) error = NULL;
  const DocentModelEntry *entry;
  guint before;

  if (!parse_registry_args ("add", "FILE — register a model file with the library",
                            "model file", 1, entries, &argc, &argv))
    return DOCENT_EXIT_USAGE;
  settings = open_settings (library_dir);
  if (settings == NULL)
    return DOCENT_EXIT_FAILED;
  before = docent_settings_models (settings)->len;
  entry = docent_settings_add_model (settings, argv[1], &error);
  if (entry == NULL)
    {
      docent_cli_error ("%s", error->message);
      return DOCENT_EXIT_FAILED;
    }
  if (!save_settings (settings))
    return DOCENT_EXIT_FAILED;
  if (json)
    print_add_json (settings, entry, docent_settings_models (settings)->len > before);
  else
    print_add_text (settings, entry, docent_settings_models (settings)->len > before);
  return DOCENT_EXIT_OK;
}

static void
print_list_json (DocentSettings *settings)
{
  GPtrArray *models = docent_settings_models (settings);
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_array (b);
  for (guint i = 0; i < models->len; i++)
    {
      json_builder_begin_object (b);
      add_entry_members (b, settings, models->pdata[i]);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  docent_cli_print_json (b);
}

static void
print_list_text (DocentSettings *settings)
{
  GPtrArray *models = docent_settings_models (settings);
  int width = (int) strlen ("ID");

  if (models->len == 0)
    {
      puts ("No models registered (add one with: docent-cli models add FILE)");
      return;
    }
  for (guint i = 0; i < models->len; i++)
    width = MAX (width, (int) strlen (((DocentModelEntry *) models->pdata[i])->id));
  printf ("%-*s  %-8s  %-3s  %5s  %s\n", width, "ID", "ROLE", "USE", "DIM", "FILE");
  for (guint i = 0; i < models->len; i++)
    {
      const DocentModelEntry *entry = models->pdata[i];
      g_autofree char *dim = entry->n_embd > 0 ? g_strdup_printf ("%u", entry->n_embd)
                                               : g_strdup ("?");

      printf ("%-*s  %-8s  %-3s  %5s  %s\n", width, entry->id,
              docent_model_role_to_string (entry->role),
              is_in_use (settings, entry) ? "*" : "", dim, entry->path);
    }
}

static int
models_list (const char  *library_dir,
             int          argc,
             char       **argv)
{
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON (an array of models)", NULL },
    { NULL }
  };
  g_autoptr(DocentSettings) settings = NULL;

  if (!parse_registry_args ("list", "— list the registered models", NULL, 0, entries, &argc, &argv))
    return DOCENT_EXIT_USAGE;
  settings = open_settings (library_dir);
  if (settings == NULL)
    return DOCENT_EXIT_FAILED;
  if (json)
    print_list_json (settings);
  else
    print_list_text (settings);
  return DOCENT_EXIT_OK;
}

/* Applies --embedder / --chat ("none": stop using one). */
static gboolean
apply_use (DocentSettings  *settings,
           DocentModelRole  role,
           const char      *id)
{
  g_autoptr(GError) error = NULL;

  if (id == NULL)
    return TRUE;
  if (docent_settings_use (settings, role, strcmp (id, "none") == 0 ? NULL : id, &error))
    return TRUE;
  docent_cli_error ("%s", error->message);
  return FALSE;
}

static void
print_current (DocentSettings  *settings,
               DocentModelRole  role,
               const char      *label)
{
  const DocentModelEntry *entry = docent_settings_current (settings, role);

  printf ("%-10s %s\n", label, entry != NULL ? entry->id : "none");
}

static int
models_use (const char  *library_dir,
            int          argc,
            char       **argv)
{
  g_autofree char *embedder = NULL;
  g_autofree char *chat = NULL;
  gboolean no_embed = FALSE;
  const GOptionEntry entries[] = {
    { "embedder", 0, 0, G_OPTION_ARG_STRING, &embedder, "Embed passages and queries with model ID", "ID|none" },
    { "chat", 0, 0, G_OPTION_ARG_STRING, &chat, "Answer questions with model ID", "ID|none" },
    { "no-embed", 0, 0, G_OPTION_ARG_NONE, &no_embed,
      "Do not embed the library now (the next add or reindex will)", NULL },
    { NULL }
  };
  g_autoptr(DocentSettings) settings = NULL;

  if (!parse_registry_args ("use", "— choose the models in use", NULL, 0, entries, &argc, &argv))
    return DOCENT_EXIT_USAGE;
  if (embedder == NULL && chat == NULL)
    {
      docent_cli_error ("models use: give --embedder ID or --chat ID (see --help)");
      return DOCENT_EXIT_USAGE;
    }
  settings = open_settings (library_dir);
  if (settings == NULL)
    return DOCENT_EXIT_FAILED;
  if (!apply_use (settings, DOCENT_MODEL_ROLE_EMBEDDER, embedder) ||
      !apply_use (settings, DOCENT_MODEL_ROLE_CHAT, chat) ||
      !save_settings (settings))
    return DOCENT_EXIT_FAILED;
  print_current (settings, DOCENT_MODEL_ROLE_EMBEDDER, "Embedder:");
  print_current (settings, DOCENT_MODEL_ROLE_CHAT, "Chat:");
  /* A new embedder embeds the whole library now (resumable: Ctrl+C, and
   * the next add or reindex finishes it). */
  if (embedder != NULL && !no_embed &&
      docent_settings_current (settings, DOCENT_MODEL_ROLE_EMBEDDER) != NULL)
    return docent_cli_embed_pending (library_dir);
  return DOCENT_EXIT_OK;
}

static int
models_remove (const char  *library_dir,
               int          argc,
               char       **argv)
{
  g_autoptr(DocentSettings) settings = NULL;
  g_autoptr(GError) error = NULL;
  const DocentModelEntry *entry;
  const char *stopped = NULL;

  if (!parse_registry_args ("remove", "ID — unregister a model", "model id", 1, NULL, &argc, &argv))
    return DOCENT_EXIT_USAGE;
  settings = open_settings (library_dir);
  if (settings == NULL)
    return DOCENT_EXIT_FAILED;
  entry = docent_settings_find_model (settings, argv[1]);
  if (entry != NULL && is_in_use (settings, entry))
    stopped = entry->role == DOCENT_MODEL_ROLE_EMBEDDER ? "embedder" : "chat model";
  if (!docent_settings_remove_model (settings, argv[1], &error))
    {
      docent_cli_error ("%s", error->message);
      return DOCENT_EXIT_FAILED;
    }
  if (!save_settings (settings))
    return DOCENT_EXIT_FAILED;
  if (stopped != NULL)
    printf ("Removed %s; no %s is in use now.\n", argv[1], stopped);
  else
    printf ("Removed %s.\n", argv[1]);
  return DOCENT_EXIT_OK;
}

static int
models_prefixes (const char  *library_dir,
                 int          argc,
                 char       **argv)
{
  g_autofree char *query = NULL;
  g_autofree char *passage = NULL;
  const GOptionEntry entries[] = {
    { "query", 0, 0, G_OPTION_ARG_STRING, &query, "Put TEXT before queries (\"\": nothing)", "TEXT" },
    { "passage", 0, 0, G_OPTION_ARG_STRING, &passage, "Put TEXT before passages (\"\": nothing)", "TEXT" },
    { NULL }
  };
  g_autoptr(DocentSettings) settings = NULL;
  g_autoptr(GError) error = NULL;

  if (!parse_registry_args ("prefixes", "ID — show or set an embedder's prefixes",
                            "model id", 1, entries, &argc, &argv))
    return DOCENT_EXIT_USAGE;
  settings = open_settings (library_dir);
  if (settings == NULL)
    return DOCENT_EXIT_FAILED;
  /* With neither option this checks the id and role, changing nothing. */
  if (!docent_settings_set_prefixes (settings, argv[1], query, passage, &error))
    {
      docent_cli_error ("%s", error->message);
      return DOCENT_EXIT_FAILED;
    }
  if ((query != NULL || passage != NULL) && !save_settings (settings))
    return DOCENT_EXIT_FAILED;
  print_prefixes (docent_settings_find_model (settings, argv[1]));
  return DOCENT_EXIT_OK;
}

/* ---- dispatch ---------------------------------------------------------- */

typedef struct {
  const char *name;
  int (*func) (const char *library_dir, int argc, char **argv);
} Subcommand;

static const Subcommand subcommands[] = {
  { "add", models_add },
  { "list", models_list },
  { "use", models_use },
  { "remove", models_remove },
  { "prefixes", models_prefixes },
};

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
  for (guint i = 0; argc >= 2 && i < G_N_ELEMENTS (subcommands); i++)
    if (strcmp (argv[1], subcommands[i].name) == 0)
      return subcommands[i].func (library_dir, argc - 1, argv + 1);
  if (argc >= 2)
    docent_cli_error ("models: unknown subcommand '%s'", argv[1]);
  else
    docent_cli_error ("models: which subcommand?");
  print_models_usage (stderr);
  return DOCENT_EXIT_USAGE;
}
