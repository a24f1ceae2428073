/* test-settings.c — the library settings (app/settings.h): docent.ini
 * loading and saving (atomic, 0600, other groups kept), the model registry
 * on tiny GGUF files written here (metadata only: registering never reads
 * weights), role detection, ids, re-adding, the [use] choices, and the
 * embedder prefix table with user overrides. */
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "app/settings.h"
#include "engine/gguf-writer.h"
#include "tests/fixtures.h"

#define BGE_QUERY "Represent this sentence for searching relevant passages: "

typedef struct {
  char *dir;        /* the library folder */
  char *models;     /* where the model files are */
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->dir = docent_test_tmpdir ();
  f->models = g_build_filename (f->dir, "files", NULL);
  g_assert_cmpint (g_mkdir_with_parents (f->models, 0700), ==, 0);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  docent_test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->models);
}

/* A model file with only the metadata registering reads: `arch` NULL
 * leaves general.architecture out; `pooling` < 0 leaves pooling_type out;
 * `seed` makes files with otherwise equal metadata differ. */
static char *
write_model (const char *dir,
             const char *file,
             const char *arch,
             const char *name,
             int         pooling,
             guint       seed)
{
  g_autoptr(DocentGgufWriter) writer = docent_gguf_writer_new ();
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, file, NULL);
  char key[64];

  if (arch != NULL)
    {
      gboolean encoder = strstr (arch, "bert") != NULL;

      docent_gguf_writer_add_string (writer, "general.architecture", arch);
      g_snprintf (key, sizeof key, "%s.embedding_length", arch);
      docent_gguf_writer_add_u32 (writer, key, encoder ? 32 : 64);
      g_snprintf (key, sizeof key, "%s.context_length", arch);
      docent_gguf_writer_add_u32 (writer, key, encoder ? 128 : 4096);
      g_snprintf (key, sizeof key, "%s.pooling_type", arch);
      if (pooling >= 0)
        docent_gguf_writer_add_u32 (writer, key, (guint32) pooling);
    }
  if (name != NULL)
    docent_gguf_writer_add_string (writer, "general.name", name);
  docent_gguf_writer_add_u32 (writer, "test.seed", seed);
  g_assert_true (docent_gguf_writer_write_file (writer, path, &error));
  g_assert_no_error (error);
  return path;
}

static DocentSettings *
load (const char *dir)
{
  g_autoptr(GError) error = NULL;
  DocentSettings *settings = docent_settings_load (dir, &error);

  g_assert_no_error (error);
  g_assert_nonnull (settings);
  return settings;
}

static const DocentModelEntry *
add (DocentSettings *settings,
     const char     *path)
{
  g_autoptr(GError) error = NULL;
  const DocentModelEntry *entry = docent_settings_add_model (settings, path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (entry);
  return entry;
}

static void
save (DocentSettings *settings)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (docent_settings_save (settings, &error));
  g_assert_no_error (error);
}

static char *
ini_path (Fixture *f)
{
  return g_build_filename (f->dir, "docent.ini", NULL);
}

static void
test_load_missing (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *sub = g_build_filename (f->dir, "no", "such", "library", NULL);
  g_autofree char *ini = g_build_filename (sub, "docent.ini", NULL);
  g_autoptr(DocentSettings) settings = load (sub);

  g_assert_cmpuint (docent_settings_models (settings)->len, ==, 0);
  g_assert_null (docent_settings_current (settings, DOCENT_MODEL_ROLE_EMBEDDER));
  g_assert_null (docent_settings_current (settings, DOCENT_MODEL_ROLE_CHAT));
  g_assert_null (docent_settings_find_model (settings, "anything"));
  /* Loading writes nothing; saving creates the folder. */
  g_assert_false (g_file_test (sub, G_FILE_TEST_EXISTS));
  save (settings);
  g_assert_true (g_file_test (ini, G_FILE_TEST_IS_REGULAR));
}

static void
test_add_roles (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *bge = write_model (f->models, "bge-small-en-v1.5-f16.gguf", "bert",
                                      "bge-small-en-v1.5", 2, 0);
  g_autofree char *qwen = write_model (f->models, "Qwen2.5-0.5B-Instruct-Q8_0.gguf", "qwen2",
                                       "Qwen2.5 0.5B Instruct", -1, 0);
  g_autofree char *nomic = write_model (f->models, "nomic.gguf", "nomic-bert", NULL, -1, 0);
  g_autofree char *dotted = g_build_filename (f->models, ".", "bge-small-en-v1.5-f16.gguf", NULL);
  g_autoptr(DocentSettings) settings = load (f->dir);
  g_autoptr(GBytes) bytes = docent_test_read_bytes (bge);
  g_autofree char *sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
  const DocentModelEntry *e, *c, *n;

  e = add (settings, dotted);
  g_assert_cmpstr (e->id, ==, "bge-small-en-v1.5-f16");
  g_assert_cmpstr (e->path, ==, bge);
  g_assert_cmpint (e->role, ==, DOCENT_MODEL_ROLE_EMBEDDER);
  g_assert_cmpstr (e->architecture, ==, "bert");
  g_assert_cmpstr (e->name, ==, "bge-small-en-v1.5");
  g_assert_cmpstr (e->sha256, ==, sha);
  g_assert_cmpuint (e->size, ==, g_bytes_get_size (bytes));
  g_assert_cmpuint (e->n_embd, ==, 32);
  g_assert_cmpuint (e->n_ctx, ==, 128);
  g_assert_cmpstr (e->pooling, ==, "cls");
  g_assert_cmpstr (e->query_prefix, ==, BGE_QUERY);
  g_assert_null (e->passage_prefix);

  c = add (settings, qwen);
  g_assert_cmpstr (c->id, ==, "qwen2.5-0.5b-instruct-q8_0");
  g_assert_cmpint (c->role, ==, DOCENT_MODEL_ROLE_CHAT);
  g_assert_cmpuint (c->n_embd, ==, 64);
  g_assert_cmpuint (c->n_ctx, ==, 4096);
  g_assert_null (c->pooling);
  g_assert_null (c->query_prefix);
  g_assert_null (c->passage_prefix);

  /* No pooling_type reads as 0, "none" (the engine pools those by mean);
   * no name: the prefixes come from the file name (none for "nomic"). */
  n = add (settings, nomic);
  g_assert_cmpint (n->role, ==, DOCENT_MODEL_ROLE_EMBEDDER);
  g_assert_cmpstr (n->pooling, ==, "none");
  g_assert_null (n->name);
  g_assert_null (n->query_prefix);

  /* Sorted by id; found by id. */
  g_assert_cmpuint (docent_settings_models (settings)->len, ==, 3);
  g_assert_true (g_ptr_array_index (docent_settings_models (settings), 0) == e);
  g_assert_true (g_ptr_array_index (docent_settings_models (settings), 2) == c);
  g_assert_true (docent_settings_find_model (settings, "nomic") == n);
  g_assert_cmpstr (docent_model_role_to_string (DOCENT_MODEL_ROLE_EMBEDDER), ==, "embedder");
  g_assert_cmpstr (docent_model_role_to_string (DOCENT_MODEL_ROLE_CHAT), ==, "chat");
}

static void
test_unique_ids (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *a_dir = g_build_filename (f->models, "a", NULL);
  g_autofree char *b_dir = g_build_filename (f->models, "b", NULL);
  g_autofree char *a = NULL, *b = NULL, *c = NULL, *none = NULL, *odd = NULL;
  g_autoptr(DocentSettings) settings = load (f->dir);

  g_assert_cmpint (g_mkdir (a_dir, 0700), ==, 0);
  g_assert_cmpint (g_mkdir (b_dir, 0700), ==, 0);
  a = write_model (a_dir, "Tiny-BERT.GGUF", "bert", NULL, 1, 1);
  b = write_model (b_dir, "tiny-bert.gguf", "bert", NULL, 1, 2);
  c = write_model (f->models, "tiny-bert.gguf", "bert", NULL, 1, 3);
  none = write_model (f->models, "none.gguf", "qwen2", NULL, -1, 4);
  odd = write_model (f->models, "My Model [v2].gguf", "llama", NULL, -1, 5);
  g_assert_cmpstr (add (settings, a)->id, ==, "tiny-bert");
  g_assert_cmpstr (add (settings, b)->id, ==, "tiny-bert-2");
  g_assert_cmpstr (add (settings, c)->id, ==, "tiny-bert-3");
  /* "none" means no model in `models use`. */
  g_assert_cmpstr (add (settings, none)->id, ==, "none-2");
  g_assert_cmpstr (add (settings, odd)->id, ==, "my-model--v2-");
}

static void
test_readd (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *path = write_model (f->models, "e5-small-v2.gguf", "bert", "e5-small-v2", 1, 0);
  g_autoptr(GBytes) bytes = docent_test_read_bytes (path);
  g_autofree char *copy = docent_test_write_file (f->models, "copy.gguf",
                                                  g_bytes_get_data (bytes, NULL),
                                                  (gssize) g_bytes_get_size (bytes));
  g_autoptr(DocentSettings) settings = load (f->dir);
  const DocentModelEntry *first, *again;
  g_autofree char *old_sha = NULL;
  g_autofree char *changed = NULL;

  first = add (settings, path);
  g_assert_true (add (settings, path) == first);
  g_assert_true (add (settings, copy) == first);
  g_assert_cmpuint (docent_settings_models (settings)->len, ==, 1);

  /* The same file grown: read again in place, keeping id and overrides. */
  g_assert_true (docent_settings_set_prefixes (settings, first->id, "q> ", NULL, NULL));
  g_assert_true (docent_settings_use (settings, DOCENT_MODEL_ROLE_EMBEDDER, first->id, NULL));
  old_sha = g_strdup (first->sha256);
  g_free (write_model (f->models, "e5-small-v2.gguf", "bert", "e5-small-v2 longer name", 2, 0));
  again = add (settings, path);
  g_assert_true (again == first);
  g_assert_cmpstr (again->id, ==, "e5-small-v2");
  g_assert_cmpstr (again->sha256, !=, old_sha);
  g_assert_cmpstr (again->name, ==, "e5-small-v2 longer name");
  g_assert_cmpstr (again->pooling, ==, "cls");
  g_assert_cmpstr (again->query_prefix, ==, "q> ");
  g_assert_cmpstr (again->passage_prefix, ==, "passage: ");
  g_assert_true (docent_settings_current (settings, DOCENT_MODEL_ROLE_EMBEDDER) == again);

  /* ... and now a chat model: no longer the embedder. */
  changed = write_model (f->models, "e5-small-v2.gguf", "llama", "now a llama model", -1, 0);
  again = add (settings, path);
  g_assert_true (again == first);
  g_assert_cmpint (again->role, ==, DOCENT_MODEL_ROLE_CHAT);
  g_assert_null (again->query_prefix);
  g_assert_null (again->pooling);
  g_assert_null (docent_settings_current (settings, DOCENT_MODEL_ROLE_EMBEDDER));
}

static void
test_use_roles (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *bge = write_model (f->models, "bge.gguf", "bert", NULL, 2, 0);
  g_autofree char *chat = write_model (f->models, "chat.gguf", "llama", NULL, -1, 0);
  g_autoptr(DocentSettings) settings = load (f->dir);
  g_autoptr(GError) error = NULL;

  add (settings, bge);
  add (settings, chat);
  g_assert_false (docent_settings_use (settings, DOCENT_MODEL_ROLE_EMBEDDER, "chat", &error));
  g_assert_error (error, DOCENT_SETTINGS_ERROR, DOCENT_SETTINGS_ERROR_ROLE);
  g_assert_nonnull (strstr (error->message, "chat"));
  g_clear_error (&error);
  g_assert_false (docent_settings_use (settings, DOCENT_MODEL_ROLE_CHAT, "bge", &error));
  g_assert_error (error, DOCENT_SETTINGS_ERROR, DOCENT_SETTINGS_ERROR_ROLE);
  g_clear_error (&error);
  g_assert_false (docent_settings_use (settings, DOCENT_MODEL_ROLE_CHAT, "gpt-5", &error));
  g_assert_error (error, DOCENT_SETTINGS_ERROR, DOCENT_SETTINGS_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "gpt-5"));
  g_clear_error (&error);
  g_assert_null (docent_settings_current (settings, DOCENT_MODEL_ROLE_EMBEDDER));

  g_assert_true (docent_settings_use (settings, DOCENT_MODEL_ROLE_EMBEDDER, "bge", &error));
  g_assert_true (docent_settings_use (settings, DOCENT_MODEL_ROLE_CHAT, "chat", &error));
  g_assert_no_error (error);
  g_assert_cmpstr (docent_settings_current (settings, DOCENT_MODEL_ROLE_EMBEDDER)->id, ==, "bge");
  g_assert_cmpstr (docent_settings_current (settings, DOCENT_MODEL_ROLE_CHAT)->id, ==, "chat");
  g_assert_true (docent_settings_use (settings, DOCENT_MODEL_ROLE_CHAT, NULL, &error));
  g_assert_null (docent_settings_current (settings, DOCENT_MODEL_ROLE_CHAT));

  /* Removing the embedder stops using it. */
  g_assert_true (docent_settings_remove_model (settings, "bge", &error));
  g_assert_no_error (error);
  g_assert_null (docent_settings_current (settings, DOCENT_MODEL_ROLE_EMBEDDER));
  g_assert_null (docent_settings_find_model (settings, "bge"));
  g_assert_false (docent_settings_remove_model (settings, "bge", &error));
  g_assert_error (error, DOCENT_SETTINGS_ERROR, DOCENT_SETTINGS_ERROR_NOT_FOUND);
}

static void
assert_same_entry (const DocentModelEntry *a,
                   const DocentModelEntry *b)
{
  g_assert_cmpstr (a->id, ==, b->id);
  g_assert_cmpstr (a->path, ==, b->path);
  g_assert_cmpint (a->role, ==, b->role);
  g_assert_cmpstr (a->architecture, ==, b->architecture);
  g_assert_cmpstr (a->name, ==, b->name);
  g_assert_cmpstr (a->sha256, ==, b->sha256);
  g_assert_cmpuint (a->size, ==, b->size);
  g_assert_cmpuint (a->n_embd, ==, b->n_embd);
  g_assert_cmpuint (a->n_ctx, ==, b->n_ctx);
  g_assert_cmpstr (a->pooling, ==, b->pooling);
  g_assert_cmpstr (a->query_prefix, ==, b->query_prefix);
  g_assert_cmpstr (a->passage_prefix, ==, b->passage_prefix);
}

static void
test_round_trip (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *e5 = write_model (f->models, "multilingual-e5-small.gguf", "bert",
                                     "Multilingual E5 Small", 1, 0);
  g_autofree char *nomic = write_model (f->models, "nomic.gguf", "nomic-bert",
                                        "nomic-embed-text-v1.5", 1, 0);
  g_autofree char *chat = write_model (f->models, "chat.gguf", "qwen3", "Qwen3 \"0.6B\"\n", -1, 0);
  g_autofree char *ini = ini_path (f);
  g_autofree char *text = NULL;
  g_autoptr(DocentSettings) settings = load (f->dir);
  g_autoptr(DocentSettings) again = NULL;
  GPtrArray *models, *reloaded;

  add (settings, e5);
  add (settings, nomic);
  add (settings, chat);
  g_assert_true (docent_settings_set_prefixes (settings, "nomic", "", "  doc:\t", NULL));
  g_assert_true (docent_settings_use (settings, DOCENT_MODEL_ROLE_EMBEDDER, "nomic", NULL));
  g_assert_true (docent_settings_use (settings, DOCENT_MODEL_ROLE_CHAT, "chat", NULL));
  save (settings);

  again = load (f->dir);
  models = docent_settings_models (settings);
  reloaded = docent_settings_models (again);
  g_assert_cmpuint (reloaded->len, ==, models->len);
  for (guint i = 0; i < models->len; i++)
    assert_same_entry (models->pdata[i], reloaded->pdata[i]);
  g_assert_cmpstr (docent_settings_current (again, DOCENT_MODEL_ROLE_EMBEDDER)->id, ==, "nomic");
  g_assert_cmpstr (docent_settings_current (again, DOCENT_MODEL_ROLE_CHAT)->id, ==, "chat");
  /* The override "none" stays none rather than going back to the table. */
  g_assert_null (docent_settings_find_model (again, "nomic")->query_prefix);
  g_assert_cmpstr (docent_settings_find_model (again, "nomic")->passage_prefix, ==, "  doc:\t");

  /* The layout people read: a visible trailing space. */
  g_assert_true (g_file_get_contents (ini, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "[use]\nembedder=nomic\nchat=chat\n"));
  g_assert_nonnull (strstr (text, "[model:multilingual-e5-small]\n"));
  g_assert_nonnull (strstr (text, "query_prefix=query:\\s\n"));
  g_assert_nonnull (strstr (text, "role=embedder\n"));

  /* Saving the reloaded settings gives the same file. */
  {
    g_autofree char *text2 = NULL;

    save (again);
    g_assert_true (g_file_get_contents (ini, &text2, NULL, NULL));
    g_assert_cmpstr (text2, ==, text);
  }
}

static void
test_prefix_table (void)
{
  static const struct {
    const char *name, *file, *query, *passage;
  } cases[] = {
    { "e5-base-v2", NULL, "query: ", "passage: " },
    { "Multilingual E5 Small", NULL, "query: ", "passage: " },
    { NULL, "multilingual-e5-large-Q8_0.gguf", "query: ", "passage: " },
    { "multilingual-e5-large-instruct", NULL,
      "Instruct: Given a web search query, retrieve relevant passages that answer the query\nQuery: ",
      NULL },
    { "nomic-embed-text-v1.5", NULL, "search_query: ", "search_document: " },
    { NULL, "Nomic-Embed-Text-v1.5.Q8_0.gguf", "search_query: ", "search_document: " },
    { "bge-small-en-v1.5", NULL, BGE_QUERY, NULL },
    { "Bge Base En v1.5", NULL, BGE_QUERY, NULL },
    { NULL, "bge-large-en-v1.5-f16.gguf", BGE_QUERY, NULL },
    { "bge-m3", NULL, NULL, NULL },
    { "BGE M3", "bge-m3-en.gguf", NULL, NULL },
    { "mxbai-embed-large-v1", NULL, BGE_QUERY, NULL },
    { "snowflake-arctic-embed-m-v1.5", NULL, BGE_QUERY, NULL },
    { "snowflake-arctic-embed-l-v2.0", NULL, "query: ", NULL },
    { "all-MiniLM-L6-v2", "all-minilm-l6-v2.gguf", NULL, NULL },
    { "gte-small", NULL, NULL, NULL },
    { NULL, NULL, NULL, NULL },
    /* The name decides when it matches; the file name only otherwise. */
    { "nomic-embed-text-v1", "e5-small.gguf", "search_query: ", "search_document: " },
    { "My Embedder", "e5-small.gguf", "query: ", "passage: " },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *query = "unset", *passage = "unset";

      docent_embedder_default_prefixes (cases[i].name, cases[i].file, &query, &passage);
      g_test_message ("%s / %s", cases[i].name, cases[i].file);
      g_assert_cmpstr (query, ==, cases[i].query);
      g_assert_cmpstr (passage, ==, cases[i].passage);
    }
}

static void
test_override_prefixes (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *e5 = write_model (f->models, "e5.gguf", "bert", "e5-small-v2", 1, 0);
  g_autofree char *chat = write_model (f->models, "chat.gguf", "llama", NULL, -1, 0);
  g_autoptr(DocentSettings) settings = load (f->dir);
  g_autoptr(GError) error = NULL;
  const DocentModelEntry *e = add (settings, e5);

  add (settings, chat);
  g_assert_cmpstr (e->query_prefix, ==, "query: ");
  /* NULL leaves a prefix alone, "" removes it. */
  g_assert_true (docent_settings_set_prefixes (settings, "e5", "Q: ", NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (e->query_prefix, ==, "Q: ");
  g_assert_cmpstr (e->passage_prefix, ==, "passage: ");
  g_assert_true (docent_settings_set_prefixes (settings, "e5", NULL, "", &error));
  g_assert_cmpstr (e->query_prefix, ==, "Q: ");
  g_assert_null (e->passage_prefix);

  g_assert_false (docent_settings_set_prefixes (settings, "chat", "x", NULL, &error));
  g_assert_error (error, DOCENT_SETTINGS_ERROR, DOCENT_SETTINGS_ERROR_ROLE);
  g_clear_error (&error);
  g_assert_false (docent_settings_set_prefixes (settings, "nope", "x", NULL, &error));
  g_assert_error (error, DOCENT_SETTINGS_ERROR, DOCENT_SETTINGS_ERROR_NOT_FOUND);
}

/* A model group without prefix keys (written by hand) gets the table's. */
static void
test_prefixes_default_on_load (Fixture       *f,
                               gconstpointer  data)
{
  const char *ini =
    "[model:hand]\npath=/m/nomic-embed-text-v1.5.gguf\nrole=embedder\n"
    "architecture=nomic-bert\nsha256=00\n";
  g_autofree char *path = docent_test_write_file (f->dir, "docent.ini", ini, -1);
  g_autoptr(DocentSettings) settings = load (f->dir);
  const DocentModelEntry *e = docent_settings_find_model (settings, "hand");

  g_assert_nonnull (e);
  g_assert_cmpstr (e->query_prefix, ==, "search_query: ");
  g_assert_cmpstr (e->passage_prefix, ==, "search_document: ");
  g_assert_cmpuint (e->n_embd, ==, 0);
  g_assert_null (e->name);
}

static void
test_invalid_ini (Fixture       *f,
                  gconstpointer  data)
{
  static const struct {
    const char *text, *fragment;
  } cases[] = {
    { "this is not a key file\n", "docent.ini" },
    { "[use]\nembedder=\xff\xfe\n", "docent.ini" },
    { "[model:x]\nrole=chat\narchitecture=llama\nsha256=00\n", "path" },
    { "[model:x]\npath=/m\nrole=painter\narchitecture=llama\nsha256=00\n", "role" },
    { "[model:x]\npath=/m\nrole=chat\narchitecture=llama\nsha256=00\nsize=big\n", "size" },
    { "[model:x]\npath=/m\nrole=chat\narchitecture=llama\nsha256=00\nn_embd=99999999999\n", "n_embd" },
    { "[model:x]\npath=\nrole=chat\narchitecture=llama\nsha256=00\n", "path" },
    { "[model:]\npath=/m\nrole=chat\narchitecture=llama\nsha256=00\n", "model:" },
    { "[use]\nembedder=ghost\n", "embedder" },
    { "[use]\nembedder=x\n[model:x]\npath=/m\nrole=chat\narchitecture=llama\nsha256=00\n",
      "other role" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = docent_test_write_file (f->dir, "docent.ini", cases[i].text, -1);
      g_autoptr(GError) error = NULL;
      g_autoptr(DocentSettings) settings = docent_settings_load (f->dir, &error);

      g_test_message ("case %" G_GSIZE_FORMAT ": %s", i, error ? error->message : "no error");
      g_assert_null (settings);
      g_assert_error (error, DOCENT_SETTINGS_ERROR, DOCENT_SETTINGS_ERROR_INVALID);
      g_assert_nonnull (strstr (error->message, path));
      g_assert_nonnull (strstr (error->message, cases[i].fragment));
    }
}

static void
test_not_a_model (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *text = docent_test_write_file (f->models, "notes.txt", "hello there", -1);
  g_autofree char *missing = g_build_filename (f->models, "missing.gguf", NULL);
  g_autofree char *bare = write_model (f->models, "bare.gguf", NULL, "no architecture", -1, 0);
  const char *paths[] = { text, missing, bare };
  const char *reasons[] = { "not a GGUF file", "No such file", "general.architecture" };
  g_autoptr(DocentSettings) settings = load (f->dir);

  for (gsize i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_null (docent_settings_add_model (settings, paths[i], &error));
      g_assert_error (error, DOCENT_SETTINGS_ERROR, DOCENT_SETTINGS_ERROR_MODEL);
      g_assert_true (g_str_has_prefix (error->message, paths[i]));
      g_assert_nonnull (strstr (error->message, reasons[i]));
    }
  g_assert_cmpuint (docent_settings_models (settings)->len, ==, 0);
}

static void
test_file_mode (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *ini = ini_path (f);
  g_autofree char *model = write_model (f->models, "m.gguf", "bert", NULL, 1, 0);
  g_autoptr(DocentSettings) settings = load (f->dir);
  GStatBuf st;

  add (settings, model);
  save (settings);
  g_assert_cmpint (g_stat (ini, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  /* A file someone made readable to all is written back private. */
  g_assert_cmpint (g_chmod (ini, 0644), ==, 0);
  save (settings);
  g_assert_cmpint (g_stat (ini, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
}

/* Groups and comments Docent does not manage survive a save. */
static void
test_keeps_other_groups (Fixture       *f,
                         gconstpointer  data)
{
  const char *ini =
    "# my notes\n[ui]\ntheme=dark\n\n[use]\nchat=old\n\n"
    "[model:old]\npath=/m/old.gguf\nrole=chat\narchitecture=llama\nsha256=00\n";
  g_autofree char *path = docent_test_write_file (f->dir, "docent.ini", ini, -1);
  g_autofree char *text = NULL;
  g_autoptr(DocentSettings) settings = load (f->dir);
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();

  g_assert_true (docent_settings_remove_model (settings, "old", NULL));
  save (settings);
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_assert_true (g_str_has_prefix (text, "# my notes\n"));
  g_assert_nonnull (strstr (text, "[ui]\ntheme=dark\n"));
  g_assert_null (strstr (text, "model:old"));
  g_assert_null (strstr (text, "[use]"));
  g_assert_true (g_key_file_load_from_data (keyfile, text, -1, 0, NULL));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/settings/load-missing", test_load_missing);
  ADD ("/settings/add-roles", test_add_roles);
  ADD ("/settings/unique-ids", test_unique_ids);
  ADD ("/settings/readd", test_readd);
  ADD ("/settings/use-roles", test_use_roles);
  ADD ("/settings/round-trip", test_round_trip);
  g_test_add_func ("/settings/prefix-table", test_prefix_table);
  ADD ("/settings/override-prefixes", test_override_prefixes);
  ADD ("/settings/prefixes-default-on-load", test_prefixes_default_on_load);
  ADD ("/settings/invalid-ini", test_invalid_ini);
  ADD ("/settings/not-a-model", test_not_a_model);
  ADD ("/settings/file-mode", test_file_mode);
  ADD ("/settings/keeps-other-groups", test_keeps_other_groups);
#undef ADD
  return g_test_run ();
}
