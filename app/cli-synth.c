/* cli-synth.c — `docent-cli engine synth --shape NAME --type TYPE OUT`:
 * writes a model with a real model's shapes and random weights (for
 * benchmarks: no download, any quantization type). */
#include "app/cli.h"
#include "engine/synth.h"

int
docent_cli_engine_synth (int    argc,
                         char **argv)
{
  g_autofree char *shape_name = NULL, *type_name = NULL;
  gint64 seed = 1;
  const GOptionEntry entries[] = {
    { "shape", 's', 0, G_OPTION_ARG_STRING, &shape_name, "qwen2.5-0.5b, llama-3.2-1b or bge-small", "NAME" },
    { "type", 't', 0, G_OPTION_ARG_STRING, &type_name, "F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K or Q4_K_M", "TYPE" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Random seed (default 1)", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) context =
    g_option_context_new ("OUT.gguf — write a model with real shapes and random weights");
  g_autoptr(GError) error = NULL;
  const DocentSynthShape *shape;
  guint32 type;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!docent_cli_parse (context, &argc, &argv))
    return DOCENT_EXIT_USAGE;
  if (argc != 2 || shape_name == NULL || type_name == NULL)
    {
      docent_cli_error ("usage: docent-cli engine synth --shape NAME --type TYPE OUT.gguf");
      return DOCENT_EXIT_USAGE;
    }
  shape = docent_synth_shape (shape_name);
  if (shape == NULL)
    {
      docent_cli_error ("unknown shape \"%s\" (known: %s)", shape_name, docent_synth_shape_names ());
      return DOCENT_EXIT_USAGE;
    }
  if (!docent_synth_parse_type (type_name, &type))
    {
      docent_cli_error ("unknown type \"%s\" (F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K, Q4_K_M)",
                        type_name);
      return DOCENT_EXIT_USAGE;
    }
  if (!docent_synth_write (shape, type, (guint64) seed, argv[1], &error))
    {
      docent_cli_error ("%s: %s", argv[1], error->message);
      return DOCENT_EXIT_FAILED;
    }
  return DOCENT_EXIT_OK;
}
