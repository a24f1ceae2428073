/* cli-embed.c — `docent-cli engine embed`: embedding vectors of texts with
 * an encoder model, for checking the encoder by hand and from scripts.
 *
 *   engine embed MODEL [--json] [--threads N] TEXT…
 *
 * prints one line per text: the L2-normalised vector as space-separated
 * floats; with --json one object
 * {"model", "dimension", "id", "embeddings": [[…], …]}. */
#include <stdio.h>

#include <json-glib/json-glib.h>

#include "app/cli.h"
#include "engine/encoder.h"

static void
print_text (const float *vectors,
            guint        n_texts,
            guint        n_embd)
{
  g_autoptr(GString) line = g_string_new (NULL);
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  for (guint t = 0; t < n_texts; t++)
    {
      g_string_truncate (line, 0);
      for (guint i = 0; i < n_embd; i++)
        {
          /* Nine significant digits give a float back exactly, in any
           * locale. */
          g_ascii_formatd (buf, sizeof buf, "%.9g", vectors[(gsize) t * n_embd + i]);
          if (i > 0)
            g_string_append_c (line, ' ');
          g_string_append (line, buf);
        }
      g_string_append_c (line, '\n');
      fwrite (line->str, 1, line->len, stdout);
    }
}

static void
print_json (DocentModel *model,
            const char  *path,
            const float *vectors,
            guint        n_texts,
            guint        n_embd)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *id = docent_encoder_id (model);
  g_autofree char *name = g_path_get_basename (path);
  g_autofree char *text = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "model");
  json_builder_add_string_value (builder, name);
  json_builder_set_member_name (builder, "dimension");
  json_builder_add_int_value (builder, n_embd);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, id);
  json_builder_set_member_name (builder, "embeddings");
  json_builder_begin_array (builder);
  for (guint t = 0; t < n_texts; t++)
    {
      json_builder_begin_array (builder);
      for (guint i = 0; i < n_embd; i++)
        json_builder_add_double_value (builder, vectors[(gsize) t * n_embd + i]);
      json_builder_end_array (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  puts (text);
}

int
docent_cli_engine_embed (int    argc,
                         char **argv)
{
  gboolean json = FALSE;
  gint threads = 0;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print one JSON object", NULL },
    { "threads", 't', 0, G_OPTION_ARG_INT, &threads, "Threads to use (default: one per core)", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) context =
    g_option_context_new ("MODEL TEXT… — print the normalised embedding of each TEXT");
  g_autoptr(DocentModel) model = NULL;
  g_autoptr(DocentThreadPool) pool = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree float *vectors = NULL;
  const DocentModelInfo *info;
  guint n_texts;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!docent_cli_parse (context, &argc, &argv))
    return DOCENT_EXIT_USAGE;
  if (argc < 3 || threads < 0)
    {
      docent_cli_error ("engine embed needs a model and at least one text (see --help)");
      return DOCENT_EXIT_USAGE;
    }
  model = docent_model_load (argv[1], &error);
  if (model == NULL)
    {
      docent_cli_error ("%s: %s", argv[1], error->message);
      return DOCENT_EXIT_FAILED;
    }
  info = docent_model_info (model);
  if (info->kind != DOCENT_MODEL_ENCODER)
    {
      docent_cli_error ("%s: a %s model does not make embeddings", argv[1], info->architecture);
      return DOCENT_EXIT_FAILED;
    }

  n_texts = (guint) argc - 2;
  vectors = g_new (float, (gsize) n_texts * info->n_embd);
  pool = docent_thread_pool_new ((guint) threads);
  if (!docent_encoder_embed_texts (model, pool, (const char *const *) argv + 2, n_texts,
                                   vectors, &error))
    {
      docent_cli_error ("%s: %s", argv[1], error->message);
      return DOCENT_EXIT_FAILED;
    }
  if (json)
    print_json (model, argv[1], vectors, n_texts, info->n_embd);
  else
    print_text (vectors, n_texts, info->n_embd);
  return DOCENT_EXIT_OK;
}
