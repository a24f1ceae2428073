/* test-cli-models.c — `docent-cli models` as a user and a script see it:
 * `models info` on a model made by the GGUF writer, in text and JSON, its
 * errors (missing, truncated and foreign files: exit 1, "docent-cli: FILE:
 * why" on stderr) and usage errors (exit 2); then the registry
 * subcommands (add, list, use, prefixes, remove) on a library folder of
 * their own, given with --library. Runs the real binary ($DOCENT_CLI). */
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine/gguf-writer.h"
#include "tests/fixtures.h"

/* Runs docent-cli ARGS... (NULL-terminated). */
static void
cli (DocentTestRun *run,
     const char    *first,
     ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  va_list ap;

  va_start (ap, first);
  for (const char *a = first; a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (args, (char *) a);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  docent_test_run_cli (run, (const char * const *) args->pdata);
}

typedef struct {
  char *dir;
  char *model;
} Fixture;

static void
add_tensor (DocentGgufWriter *writer,
            const char       *name,
            guint32           type,
            guint64           cols,
            guint64           rows)
{
  guint64 dims[2] = { cols, rows };
  guint64 row_bytes;
  g_autofree guint8 *data = NULL;

  g_assert_true (docent_type_row_bytes (type, cols, &row_bytes, NULL));
  data = g_malloc0 (row_bytes * rows);
  g_assert_true (docent_gguf_writer_add_tensor (writer, name, 2, dims, type, data,
                                                row_bytes * rows, NULL));
}

/* A 1.2 M-parameter "qwen2" model: 3 F32 tensors, 2 Q8_0, 1 Q4_K. */
static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(DocentGgufWriter) writer = docent_gguf_writer_new ();
  g_autoptr(GError) error = NULL;
  const char *tokens[] = { "a", "b", "c", "d", "e", "f", "g" };

  f->dir = docent_test_tmpdir ();
  f->model = g_build_filename (f->dir, "tiny.gguf", NULL);
  docent_gguf_writer_add_string (writer, "general.architecture", "qwen2");
  docent_gguf_writer_add_string (writer, "general.name", "Tiny Qwen");
  docent_gguf_writer_add_u32 (writer, "qwen2.context_length", 32768);
  docent_gguf_writer_add_u32 (writer, "qwen2.embedding_length", 256);
  docent_gguf_writer_add_u32 (writer, "qwen2.block_count", 24);
  docent_gguf_writer_add_string (writer, "tokenizer.ggml.model", "gpt2");
  docent_gguf_writer_add_string (writer, "tokenizer.ggml.pre", "qwen2");
  docent_gguf_writer_add_strv (writer, "tokenizer.ggml.tokens", tokens, G_N_ELEMENTS (tokens));
  docent_gguf_writer_add_string (writer, "tokenizer.chat_template", "{{ x }}");
  add_tensor (writer, "token_embd.weight", DOCENT_TYPE_F32, 256, 1000);
  add_tensor (writer, "output_norm.weight", DOCENT_TYPE_F32, 256, 1);
  add_tensor (writer, "blk.0.attn_norm.weight", DOCENT_TYPE_F32, 256, 1);
  add_tensor (writer, "blk.0.attn_q.weight", DOCENT_TYPE_Q8_0, 256, 256);
  add_tensor (writer, "blk.0.attn_k.weight", DOCENT_TYPE_Q8_0, 256, 256);
  add_tensor (writer, "blk.0.ffn_up.weight", DOCENT_TYPE_Q4_K, 256, 1024);
  g_assert_true (docent_gguf_writer_write_file (writer, f->model, &error));
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  docent_test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->model);
}

static void
assert_contains (const char *text,
                 const char *fragment)
{
  if (strstr (text, fragment) == NULL)
    g_error ("output lacks '%s':\n%s", fragment, text);
}

static void
test_info_text (Fixture       *f,
                gconstpointer  data)
{
  g_auto(DocentTestRun) run = { 0 };

  cli (&run, "models", "info", f->model, NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.err, ==, "");
  assert_contains (run.out, "Architecture:      qwen2\n");
  assert_contains (run.out, "Name:              Tiny Qwen\n");
  assert_contains (run.out, "GGUF version:      3\n");
  /* 256000 + 256 + 256 + 65536 + 65536 + 262144 */
  assert_contains (run.out, "Parameters:        650 K (649728)\n");
  assert_contains (run.out, "Tensors:           6\n");
  /* Sizes end in a locale-dependent space and "KiB". */
  assert_contains (run.out, "  F32           3 tensors  1002.0");
  assert_contains (run.out, "  Q8_0          2 tensors  136.0");
  assert_contains (run.out, "  Q4_K          1 tensor   144.0");
  assert_contains (run.out, "Context length:    32768\n");
  assert_contains (run.out, "Embedding length:  256\n");
  assert_contains (run.out, "Layers:            24\n");
  assert_contains (run.out, "Vocabulary:        7 tokens (gpt2 tokenizer, pre-tokenizer qwen2)\n");
  assert_contains (run.out, "Chat template:     yes\n");
}

static void
test_info_json (Fixture       *f,
                gconstpointer  data)
{
  g_auto(DocentTestRun) run = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *root, *types, *q8;
  struct stat st;

  cli (&run, "models", "info", "--json", f->model, NULL);
  g_assert_cmpint (run.status, ==, 0);
  json_parser_load_from_data (parser, run.out, -1, &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpint (stat (f->model, &st), ==, 0);
  g_assert_cmpstr (json_object_get_string_member (root, "file"), ==, f->model);
  g_assert_cmpstr (json_object_get_string_member (root, "architecture"), ==, "qwen2");
  g_assert_cmpstr (json_object_get_string_member (root, "name"), ==, "Tiny Qwen");
  g_assert_cmpint (json_object_get_int_member (root, "gguf_version"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (root, "file_size"), ==, st.st_size);
  g_assert_cmpint (json_object_get_int_member (root, "parameters"), ==, 649728);
  g_assert_cmpint (json_object_get_int_member (root, "tensor_count"), ==, 6);
  g_assert_cmpint (json_object_get_int_member (root, "context_length"), ==, 32768);
  g_assert_cmpint (json_object_get_int_member (root, "embedding_length"), ==, 256);
  g_assert_cmpint (json_object_get_int_member (root, "layers"), ==, 24);
  g_assert_cmpint (json_object_get_int_member (root, "vocab_size"), ==, 7);
  g_assert_cmpstr (json_object_get_string_member (root, "tokenizer_model"), ==, "gpt2");
  g_assert_cmpstr (json_object_get_string_member (root, "tokenizer_pre"), ==, "qwen2");
  g_assert_true (json_object_get_boolean_member (root, "chat_template"));
  types = json_object_get_object_member (root, "tensor_types");
  g_assert_cmpuint (json_object_get_size (types), ==, 3);
  q8 = json_object_get_object_member (types, "Q8_0");
  g_assert_cmpint (json_object_get_int_member (q8, "count"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (q8, "bytes"), ==, 2 * 256 * 8 * 34);
  g_assert_true (json_object_get_boolean_member (q8, "supported"));
}

/* A model without the optional keys gives nulls, not zeros. */
static void
test_info_sparse (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(DocentGgufWriter) writer = docent_gguf_writer_new ();
  g_autofree char *path = g_build_filename (f->dir, "bare.gguf", NULL);
  g_auto(DocentTestRun) text = { 0 };
  g_auto(DocentTestRun) json = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root;

  g_assert_true (docent_gguf_writer_write_file (writer, path, NULL));
  cli (&text, "models", "info", path, NULL);
  g_assert_cmpint (text.status, ==, 0);
  assert_contains (text.out, "Architecture:      unknown\n");
  assert_contains (text.out, "Context length:    unknown\n");
  assert_contains (text.out, "Vocabulary:        none\n");
  assert_contains (text.out, "Chat template:     no\n");
  cli (&json, "models", "info", path, "--json", NULL);
  g_assert_cmpint (json.status, ==, 0);
  g_assert_true (json_parser_load_from_data (parser, json.out, -1, NULL));
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_true (json_object_get_null_member (root, "architecture"));
  g_assert_true (json_object_get_null_member (root, "context_length"));
  g_assert_true (json_object_get_null_member (root, "vocab_size"));
  g_assert_cmpint (json_object_get_int_member (root, "parameters"), ==, 0);
  g_assert_false (json_object_get_boolean_member (root, "chat_template"));
}

static void
test_info_errors (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *missing = g_build_filename (f->dir, "missing.gguf", NULL);
  g_autofree char *text = docent_test_write_file (f->dir, "notes.txt", "hello there", -1);
  g_autofree char *contents = NULL;
  g_autofree char *cut = NULL;
  g_autofree char *expect = NULL;
  gsize len;
  g_auto(DocentTestRun) r1 = { 0 };
  g_auto(DocentTestRun) r2 = { 0 };
  g_auto(DocentTestRun) r3 = { 0 };

  g_assert_true (g_file_get_contents (f->model, &contents, &len, NULL));
  cut = docent_test_write_file (f->dir, "cut.gguf", contents, (gssize) len - 100);

  cli (&r1, "models", "info", missing, NULL);
  g_assert_cmpint (r1.status, ==, 1);
  expect = g_strdup_printf ("docent-cli: %s: cannot open the file: No such file or directory\n", missing);
  g_assert_cmpstr (r1.err, ==, expect);
  g_assert_cmpstr (r1.out, ==, "");

  cli (&r2, "models", "info", "--json", cut, NULL);
  g_assert_cmpint (r2.status, ==, 1);
  g_clear_pointer (&expect, g_free);
  expect = g_strdup_printf ("docent-cli: %s: truncated GGUF file: tensor 'blk.0.ffn_up.weight' "
                            "data ends at byte %" G_GSIZE_FORMAT ", the file has %" G_GSIZE_FORMAT "\n",
                            cut, len, len - 100);
  g_assert_cmpstr (r2.err, ==, expect);
  g_assert_cmpstr (r2.out, ==, "");

  cli (&r3, "models", "info", text, NULL);
  g_assert_cmpint (r3.status, ==, 1);
  assert_contains (r3.err, "notes.txt: not a GGUF file (no magic)\n");
}

/* ---- the registry: add, list, use, prefixes, remove ---------------------- */

/* A metadata-only "bert" embedder (registering reads no weights). */
static char *
write_embedder (const char *dir,
                const char *file,
                const char *name)
{
  g_autoptr(DocentGgufWriter) writer = docent_gguf_writer_new ();
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, file, NULL);

  docent_gguf_writer_add_string (writer, "general.architecture", "bert");
  docent_gguf_writer_add_string (writer, "general.name", name);
  docent_gguf_writer_add_u32 (writer, "bert.context_length", 512);
  docent_gguf_writer_add_u32 (writer, "bert.embedding_length", 32);
  docent_gguf_writer_add_u32 (writer, "bert.pooling_type", 2);
  g_assert_true (docent_gguf_writer_write_file (writer, path, &error));
  g_assert_no_error (error);
  return path;
}

/* Runs `docent-cli --library LIB models ARGS...` (up to 5 arguments). */
static void
models (DocentTestRun *run,
        const char    *lib,
        const char    *a,
        const char    *b,
        const char    *c,
        const char    *d,
        const char    *e)
{
  cli (run, "--library", lib, "models", a, b, c, d, e, NULL);
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

static void
assert_ok (DocentTestRun *run)
{
  if (run->status != 0 || run->err[0] != '\0')
    g_error ("exit %d, stderr:\n%s", run->status, run->err);
}

static void
test_registry_add (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *lib = g_build_filename (f->dir, "lib", NULL);
  g_autofree char *bge = write_embedder (f->dir, "bge-small-en-v1.5-f16.gguf", "bge-small-en-v1.5");
  g_autofree char *ini = g_build_filename (lib, "docent.ini", NULL);
  g_auto(DocentTestRun) r1 = { 0 };
  g_auto(DocentTestRun) r2 = { 0 };
  g_auto(DocentTestRun) r3 = { 0 };
  g_autoptr(JsonNode) root = NULL;
  JsonObject *o;
  struct stat st;

  models (&r1, lib, "add", "--json", bge, NULL, NULL);
  assert_ok (&r1);
  root = parse_json (r1.out);
  o = json_node_get_object (root);
  g_assert_true (json_object_get_boolean_member (o, "added"));
  g_assert_cmpstr (json_object_get_string_member (o, "id"), ==, "bge-small-en-v1.5-f16");
  g_assert_cmpstr (json_object_get_string_member (o, "role"), ==, "embedder");
  g_assert_false (json_object_get_boolean_member (o, "in_use"));
  g_assert_cmpstr (json_object_get_string_member (o, "architecture"), ==, "bert");
  g_assert_cmpstr (json_object_get_string_member (o, "file"), ==, bge);
  g_assert_cmpint (json_object_get_int_member (o, "dimension"), ==, 32);
  g_assert_cmpint (json_object_get_int_member (o, "context_length"), ==, 512);
  g_assert_cmpstr (json_object_get_string_member (o, "pooling"), ==, "cls");
  g_assert_cmpstr (json_object_get_string_member (o, "query_prefix"), ==,
                   "Represent this sentence for searching relevant passages: ");
  g_assert_true (json_object_get_null_member (o, "passage_prefix"));
  g_assert_cmpuint (strlen (json_object_get_string_member (o, "sha256")), ==, 64);
  g_assert_cmpint (stat (ini, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  models (&r2, lib, "add", f->model, NULL, NULL, NULL);
  assert_ok (&r2);
  assert_contains (r2.out, "Added tiny (chat).\n");
  assert_contains (r2.out, "Architecture:      qwen2\n");
  assert_contains (r2.out, "Dimension:         256\n");
  assert_contains (r2.out, "Context length:    32768\n");
  assert_contains (r2.out, "Use it with: docent-cli models use --chat tiny\n");
  g_assert_null (strstr (r2.out, "prefix"));

  models (&r3, lib, "add", f->model, NULL, NULL, NULL);
  assert_ok (&r3);
  assert_contains (r3.out, "Already registered as tiny.\n");
}

static JsonArray *
list_json (const char *lib,
           JsonNode  **root)
{
  g_auto(DocentTestRun) run = { 0 };

  models (&run, lib, "list", "--json", NULL, NULL, NULL);
  assert_ok (&run);
  *root = parse_json (run.out);
  return json_node_get_array (*root);
}

static void
test_registry_use (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *lib = g_build_filename (f->dir, "lib", NULL);
  g_autofree char *e5 = write_embedder (f->dir, "e5.gguf", "multilingual-e5-small");
  g_auto(DocentTestRun) add1 = { 0 };
  g_auto(DocentTestRun) add2 = { 0 };
  g_auto(DocentTestRun) wrong = { 0 };
  g_auto(DocentTestRun) use = { 0 };
  g_auto(DocentTestRun) text = { 0 };
  g_auto(DocentTestRun) none = { 0 };
  g_autoptr(JsonNode) root = NULL;
  JsonArray *array;
  JsonObject *first, *second;

  models (&add1, lib, "add", e5, NULL, NULL, NULL);
  models (&add2, lib, "add", f->model, NULL, NULL, NULL);
  assert_ok (&add1);
  assert_ok (&add2);

  models (&wrong, lib, "use", "--embedder", "tiny", NULL, NULL);
  g_assert_cmpint (wrong.status, ==, 1);
  g_assert_cmpstr (wrong.err, ==, "docent-cli: tiny: is a chat model (qwen2), not an embedder\n");
  g_assert_cmpstr (wrong.out, ==, "");

  /* Metadata-only models: choosing one must not try to embed with it. */
  cli (&use, "--library", lib, "models", "use", "--no-embed", "--embedder", "e5", "--chat", "tiny", NULL);
  assert_ok (&use);
  g_assert_cmpstr (use.out, ==, "Embedder:  e5\nChat:      tiny\n");

  array = list_json (lib, &root);
  g_assert_cmpuint (json_array_get_length (array), ==, 2);
  first = json_array_get_object_element (array, 0);
  second = json_array_get_object_element (array, 1);
  g_assert_cmpstr (json_object_get_string_member (first, "id"), ==, "e5");
  g_assert_true (json_object_get_boolean_member (first, "in_use"));
  g_assert_cmpstr (json_object_get_string_member (first, "query_prefix"), ==, "query: ");
  g_assert_cmpstr (json_object_get_string_member (first, "passage_prefix"), ==, "passage: ");
  g_assert_cmpstr (json_object_get_string_member (second, "id"), ==, "tiny");
  g_assert_true (json_object_get_boolean_member (second, "in_use"));
  g_assert_true (json_object_get_null_member (second, "pooling"));

  models (&text, lib, "list", NULL, NULL, NULL, NULL);
  assert_ok (&text);
  assert_contains (text.out, "ID    ROLE      USE    DIM  FILE\n");
  assert_contains (text.out, "e5    embedder  *       32  ");
  assert_contains (text.out, "tiny  chat      *      256  ");
  assert_contains (text.out, f->model);

  models (&none, lib, "use", "--embedder", "none", NULL, NULL);
  assert_ok (&none);
  g_assert_cmpstr (none.out, ==, "Embedder:  none\nChat:      tiny\n");
}

static void
test_registry_prefixes_remove (Fixture       *f,
                               gconstpointer  data)
{
  g_autofree char *lib = g_build_filename (f->dir, "lib", NULL);
  g_autofree char *nomic = write_embedder (f->dir, "nomic.gguf", "nomic-embed-text-v1.5");
  g_auto(DocentTestRun) add = { 0 };
  g_auto(DocentTestRun) show = { 0 };
  g_auto(DocentTestRun) set = { 0 };
  g_auto(DocentTestRun) use = { 0 };
  g_auto(DocentTestRun) rm = { 0 };
  g_auto(DocentTestRun) again = { 0 };
  g_auto(DocentTestRun) empty = { 0 };
  g_autoptr(JsonNode) root = NULL;
  JsonObject *o;

  models (&add, lib, "add", nomic, NULL, NULL, NULL);
  assert_ok (&add);
  assert_contains (add.out, "Query prefix:      \"search_query: \"\n");
  assert_contains (add.out, "Passage prefix:    \"search_document: \"\n");

  models (&show, lib, "prefixes", "nomic", NULL, NULL, NULL);
  assert_ok (&show);
  g_assert_cmpstr (show.out, ==, "Query prefix:      \"search_query: \"\n"
                                 "Passage prefix:    \"search_document: \"\n");
  models (&set, lib, "prefixes", "nomic", "--query", "", "--passage=doc: ");
  assert_ok (&set);
  g_assert_cmpstr (set.out, ==, "Query prefix:      none\nPassage prefix:    \"doc: \"\n");
  o = json_array_get_object_element (list_json (lib, &root), 0);
  g_assert_true (json_object_get_null_member (o, "query_prefix"));
  g_assert_cmpstr (json_object_get_string_member (o, "passage_prefix"), ==, "doc: ");

  models (&use, lib, "use", "--no-embed", "--embedder", "nomic", NULL);
  assert_ok (&use);
  models (&rm, lib, "remove", "nomic", NULL, NULL, NULL);
  assert_ok (&rm);
  g_assert_cmpstr (rm.out, ==, "Removed nomic; no embedder is in use now.\n");
  models (&again, lib, "remove", "nomic", NULL, NULL, NULL);
  g_assert_cmpint (again.status, ==, 1);
  g_assert_cmpstr (again.err, ==, "docent-cli: nomic: no such model (see docent-cli models list)\n");
  models (&empty, lib, "list", NULL, NULL, NULL, NULL);
  assert_ok (&empty);
  g_assert_cmpstr (empty.out, ==, "No models registered (add one with: docent-cli models add FILE)\n");
}

static void
test_registry_errors (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *lib = g_build_filename (f->dir, "lib", NULL);
  g_autofree char *text = docent_test_write_file (f->dir, "notes.txt", "hello there", -1);
  g_autofree char *ini = NULL;
  g_autofree char *expect = NULL;
  g_auto(DocentTestRun) bad = { 0 };
  g_auto(DocentTestRun) chat = { 0 };
  g_auto(DocentTestRun) broken = { 0 };
  const char *usage[][3] = {
    { "add", NULL, NULL },
    { "add", "a.gguf", "b.gguf" },
    { "use", NULL, NULL },
    { "use", "extra", NULL },
    { "remove", NULL, NULL },
    { "prefixes", NULL, NULL },
    { "list", "--no-such-option", NULL },
  };

  models (&bad, lib, "add", text, NULL, NULL, NULL);
  g_assert_cmpint (bad.status, ==, 1);
  expect = g_strdup_printf ("docent-cli: %s: not a GGUF file (no magic)\n", text);
  g_assert_cmpstr (bad.err, ==, expect);
  g_assert_false (g_file_test (lib, G_FILE_TEST_EXISTS));

  models (&chat, lib, "add", f->model, NULL, NULL, NULL);
  assert_ok (&chat);
  {
    g_auto(DocentTestRun) run = { 0 };

    models (&run, lib, "prefixes", "tiny", "--query", "x", NULL);
    g_assert_cmpint (run.status, ==, 1);
    assert_contains (run.err, "tiny: is a chat model");
  }

  ini = docent_test_write_file (lib, "docent.ini", "not a key file\n", -1);
  models (&broken, lib, "list", NULL, NULL, NULL, NULL);
  g_assert_cmpint (broken.status, ==, 1);
  g_assert_true (g_str_has_prefix (broken.err, "docent-cli: "));
  assert_contains (broken.err, ini);

  for (gsize i = 0; i < G_N_ELEMENTS (usage); i++)
    {
      g_auto(DocentTestRun) run = { 0 };

      models (&run, lib, usage[i][0], usage[i][1], usage[i][2], NULL, NULL);
      g_assert_cmpint (run.status, ==, 2);
      g_assert_true (g_str_has_prefix (run.err, "docent-cli: "));
      g_assert_cmpstr (run.out, ==, "");
    }
}

static void
test_usage (void)
{
  const char *cases[][4] = {
    { "models", NULL },
    { "models", "frobnicate", NULL },
    { "models", "info", NULL },
    { "models", "info", "a.gguf", "b.gguf" },
    { "models", "info", "--no-such-option", NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(DocentTestRun) run = { 0 };

      if (cases[i][3] != NULL)
        cli (&run, cases[i][0], cases[i][1], cases[i][2], cases[i][3], NULL);
      else
        cli (&run, cases[i][0], cases[i][1], cases[i][2], NULL);
      g_assert_cmpint (run.status, ==, 2);
      g_assert_true (g_str_has_prefix (run.err, "docent-cli: "));
      g_assert_cmpstr (run.out, ==, "");
    }
  {
    g_auto(DocentTestRun) run = { 0 };

    cli (&run, "models", "frobnicate", NULL);
    assert_contains (run.err, "unknown subcommand 'frobnicate'");
    assert_contains (run.err, "info FILE [--json]");
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/cli-models/info-text", Fixture, NULL, fixture_set_up, test_info_text, fixture_tear_down);
  g_test_add ("/cli-models/info-json", Fixture, NULL, fixture_set_up, test_info_json, fixture_tear_down);
  g_test_add ("/cli-models/info-sparse", Fixture, NULL, fixture_set_up, test_info_sparse, fixture_tear_down);
  g_test_add ("/cli-models/info-errors", Fixture, NULL, fixture_set_up, test_info_errors, fixture_tear_down);
  g_test_add_func ("/cli-models/usage", test_usage);
  g_test_add ("/cli-models/registry/add", Fixture, NULL, fixture_set_up, test_registry_add, fixture_tear_down);
  g_test_add ("/cli-models/registry/use-list", Fixture, NULL, fixture_set_up, test_registry_use, fixture_tear_down);
  g_test_add ("/cli-models/registry/prefixes-remove", Fixture, NULL, fixture_set_up,
              test_registry_prefixes_remove, fixture_tear_down);
  g_test_add ("/cli-models/registry/errors", Fixture, NULL, fixture_set_up, test_registry_errors, fixture_tear_down);
  return g_test_run ();
}
