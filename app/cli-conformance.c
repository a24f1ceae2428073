/* cli-conformance.c — `docent-cli engine conformance MODEL PROMPTS.json`:
 * runs every prompt of a conformance-kit prompt file through the engine
 * and prints the result in the kit's JSON layout, so check.py can compare
 * it with the reference implementation's output.
 *
 * Decoders: the logits of every prompt position from one batch over an
 * empty cache (the top TOP_N per position) and a greedy continuation of
 * GREEDY_N tokens. Encoders: the pooled embedding, not normalised.
 * A prompt is a list of token ids, or a string tokenized with the special
 * tokens the model's metadata asks for. */
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

#include "app/cli.h"
#include "engine/context.h"
#include "engine/encoder.h"
#include "engine/model.h"

#define TOP_N 40
#define GREEDY_N 16

/* Token ids of one prompt node: an array of integers or a string. */
static GArray *
prompt_ids (DocentModel  *model,
            JsonNode     *node,
            GError      **error)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint32));

  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      if (!docent_tokenizer_encode (docent_model_tokenizer (model), json_node_get_string (node),
                                    -1, DOCENT_ENCODE_ADD_SPECIAL, ids, error))
        return NULL;
      return g_steal_pointer (&ids);
    }
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "a prompt must be a list of token ids or a string");
      return NULL;
    }
  for (guint i = 0; i < json_array_get_length (json_node_get_array (node)); i++)
    {
      gint32 id = (gint32) json_array_get_int_element (json_node_get_array (node), i);

      g_array_append_val (ids, id);
    }
  return g_steal_pointer (&ids);
}

static void
append_ids (GString      *out,
            const gint32 *ids,
            guint         n)
{
  g_string_append_c (out, '[');
  for (guint i = 0; i < n; i++)
    g_string_append_printf (out, "%s%d", i > 0 ? ", " : "", ids[i]);
  g_string_append_c (out, ']');
}

/* The TOP_N largest logits, largest first, by insertion into a short
 * sorted list (one pass over the vocabulary). */
static guint
top_logits (const float *logits,
            guint        n_vocab,
            gint32      *ids)
{
  guint n = 0;

  for (guint v = 0; v < n_vocab; v++)
    {
      guint at;

      if (n == TOP_N && logits[v] <= logits[ids[n - 1]])
        continue;
      at = n < TOP_N ? n++ : n - 1;
      while (at > 0 && logits[ids[at - 1]] < logits[v])
        {
          ids[at] = ids[at - 1];
          at--;
        }
      ids[at] = (gint32) v;
    }
  return n;
}

static gint32
argmax (const float *logits,
        guint        n_vocab)
{
  gint32 best = 0;

  for (guint v = 1; v < n_vocab; v++)
    if (logits[v] > logits[best])
      best = (gint32) v;
  return best;
}

static void
append_top (GString     *out,
            const float *logits,
            guint        n_vocab)
{
  gint32 ids[TOP_N];
  guint n = top_logits (logits, n_vocab, ids);

  g_string_append_c (out, '[');
  for (guint j = 0; j < n; j++)
    g_string_append_printf (out, "%s[%d, %.7g]", j > 0 ? ", " : "", ids[j],
                            (double) logits[ids[j]]);
  g_string_append_c (out, ']');
}

static gboolean
decoder_case (DocentContext  *ctx,
              const GArray   *ids,
              GString        *out,
              GError        **error)
{
  guint n_vocab = docent_model_info (docent_context_model (ctx))->n_vocab;
  const gint32 *tokens = (const gint32 *) ids->data;
  gint32 greedy[GREEDY_N];

  docent_context_truncate (ctx, 0);
  if (!docent_context_eval (ctx, tokens, ids->len, TRUE, NULL, error))
    return FALSE;
  g_string_append (out, ", \"top\": [");
  for (guint i = 0; i < ids->len; i++)
    {
      g_string_append (out, i > 0 ? ",\n    " : "\n    ");
      append_top (out, docent_context_logits (ctx, i), n_vocab);
    }
  g_string_append (out, "]");
  greedy[0] = argmax (docent_context_logits (ctx, ids->len - 1), n_vocab);
  for (guint g = 1; g < GREEDY_N; g++)
    {
      if (!docent_context_eval (ctx, &greedy[g - 1], 1, FALSE, NULL, error))
        return FALSE;
      greedy[g] = argmax (docent_context_logits (ctx, 0), n_vocab);
    }
  g_string_append (out, ", \"greedy\": ");
  append_ids (out, greedy, GREEDY_N);
  return TRUE;
}

static gboolean
encoder_case (DocentModel       *model,
              DocentThreadPool  *pool,
              const GArray      *ids,
              GString           *out,
              GError           **error)
{
  guint n_embd = docent_model_info (model)->n_embd;
  g_autofree float *embedding = g_new (float, n_embd);
  const gint32 *seq = (const gint32 *) ids->data;
  guint len = ids->len;

  if (!docent_encoder_embed_tokens (model, pool, &seq, &len, 1, FALSE, embedding, error))
    return FALSE;
  g_string_append (out, ", \"embedding\": [");
  for (guint i = 0; i < n_embd; i++)
    g_string_append_printf (out, "%s%.7g", i > 0 ? ", " : "", (double) embedding[i]);
  g_string_append_c (out, ']');
  return TRUE;
}

static gboolean
run_cases (DocentModel       *model,
           JsonArray         *prompts,
           DocentThreadPool  *pool,
           GString           *out,
           GError           **error)
{
  gboolean decoder = docent_model_info (model)->kind == DOCENT_MODEL_DECODER;
  g_autoptr(DocentContext) ctx = NULL;

  if (decoder && (ctx = docent_context_new (model, 0, pool, error)) == NULL)
    return FALSE;
  for (guint c = 0; c < json_array_get_length (prompts); c++)
    {
      g_autoptr(GArray) ids = prompt_ids (model, json_array_get_element (prompts, c), error);

      if (ids == NULL)
        return FALSE;
      if (ids->len == 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "prompt %u is empty", c);
          return FALSE;
        }
      g_autofree char *prompt = json_to_string (json_array_get_element (prompts, c), FALSE);

      g_string_append (out, c > 0 ? ",\n  {\"prompt\": " : "\n  {\"prompt\": ");
      g_string_append (out, prompt);
      g_string_append (out, ", \"ids\": ");
      append_ids (out, (const gint32 *) ids->data, ids->len);
      if (decoder ? !decoder_case (ctx, ids, out, error) : !encoder_case (model, pool, ids, out, error))
        return FALSE;
      g_string_append_c (out, '}');
    }
  return TRUE;
}

static JsonArray *
read_prompts (const char  *path,
              JsonParser  *parser,
              GError     **error)
{
  JsonNode *root;

  if (!json_parser_load_from_file (parser, path, error))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_ARRAY (root))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "%s: expected a JSON list of prompts", path);
      return NULL;
    }
  return json_node_get_array (root);
}

int
docent_cli_engine_conformance (int    argc,
                               char **argv)
{
  gint threads = 0;
  const GOptionEntry entries[] = {
    { "threads", 't', 0, G_OPTION_ARG_INT, &threads, "Threads (default: one per core)", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) context =
    g_option_context_new ("MODEL PROMPTS.json — the engine's outputs in the conformance kit's layout");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(DocentModel) model = NULL;
  g_autoptr(DocentThreadPool) pool = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  g_autofree char *base = NULL;
  JsonArray *prompts;
  gboolean decoder;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!docent_cli_parse (context, &argc, &argv))
    return DOCENT_EXIT_USAGE;
  if (argc != 3 || threads < 0)
    {
      docent_cli_error ("usage: docent-cli engine conformance [--threads N] MODEL PROMPTS.json");
      return DOCENT_EXIT_USAGE;
    }
  model = docent_model_load (argv[1], &error);
  if (model == NULL || (prompts = read_prompts (argv[2], parser, &error)) == NULL)
    {
      docent_cli_error ("%s", error->message);
      return DOCENT_EXIT_FAILED;
    }
  pool = docent_thread_pool_new ((guint) threads);
  decoder = docent_model_info (model)->kind == DOCENT_MODEL_DECODER;
  base = g_path_get_basename (argv[1]);
  g_string_append_printf (out, "{\"model\": \"%s\", \"kind\": \"%s\", \"cases\": [", base,
                          decoder ? "logits" : "embedding");
  if (!run_cases (model, prompts, pool, out, &error))
    {
      docent_cli_error ("%s: %s", argv[1], error->message);
      return DOCENT_EXIT_FAILED;
    }
  g_string_append (out, "\n]}\n");
  fwrite (out->str, 1, out->len, stdout);
  return DOCENT_EXIT_OK;
}
