/* test-settings.c — the library settings (app/settings.h): docent.ini
 * loading and saving (atomic, 0600, other groups kept), the model registry
 * on tiny GGUF files written here (metadata only: registering never reads
 * weights), role detection, ids, re-adding, the [use] choices, the
 * embedder prefix table with user overrides, the answer and remote
 * settings (ranges, defaults, by name), the watched folders (validation,
 * round trip, by name), the per-user location pointer, and
 * docent_library_ask honouring them (retrieval depth on a small library;
 * the remote server against a SoupServer on 127.0.0.1). */
#include <math.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "app/library.h"
#include "app/settings.h"
#include "engine/gguf-writer.h"
#include "index/conversations.h"
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


/* ---- the quantization of a model file ------------------------------------ */

static void
test_file_type (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *plain = write_model (f->models, "plain.gguf", "llama", NULL, -1, 0);
  g_autofree char *typed = g_build_filename (f->models, "typed.gguf", NULL);
  g_autoptr(DocentGgufWriter) writer = docent_gguf_writer_new ();
  g_autoptr(DocentSettings) settings = load (f->dir);
  g_autoptr(DocentSettings) again = NULL;

  docent_gguf_writer_add_string (writer, "general.architecture", "llama");
  docent_gguf_writer_add_u32 (writer, "general.file_type", 15);
  g_assert_true (docent_gguf_writer_write_file (writer, typed, NULL));
  /* No weights and no general.file_type: unknown. */
  g_assert_null (add (settings, plain)->file_type);
  g_assert_cmpstr (add (settings, typed)->file_type, ==, "Q4_K_M");
  save (settings);
  again = load (f->dir);
  g_assert_cmpstr (docent_settings_find_model (again, "typed")->file_type, ==, "Q4_K_M");
  g_assert_null (docent_settings_find_model (again, "plain")->file_type);
  /* An entry from before file types were recorded gets it when re-added. */
  g_free (docent_test_write_file (f->dir, "docent.ini", "", -1));
  {
    g_autofree char *ini = g_strdup_printf ("[model:old]\npath=%s\nrole=chat\narchitecture=llama\n"
                                            "sha256=00\nsize=%" G_GUINT64_FORMAT "\n", typed,
                                            docent_settings_find_model (again, "typed")->size);
    g_autoptr(DocentSettings) old = NULL;

    g_free (docent_test_write_file (f->dir, "docent.ini", ini, -1));
    old = load (f->dir);
    g_assert_null (docent_settings_find_model (old, "old")->file_type);
    g_assert_cmpstr (add (old, typed)->id, ==, "old");
    g_assert_cmpstr (docent_settings_find_model (old, "old")->file_type, ==, "Q4_K_M");
  }
  g_assert_cmpstr (docent_model_file_type_name (0), ==, "F32");
  g_assert_cmpstr (docent_model_file_type_name (7), ==, "Q8_0");
  g_assert_null (docent_model_file_type_name (5));
  g_assert_null (docent_model_file_type_name (1000));
}

/* ---- answer settings ------------------------------------------------------ */

static void
test_answer_defaults (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(DocentSettings) settings = load (f->dir);
  g_autofree char *ini = ini_path (f);
  g_autofree char *text = NULL;

  g_assert_cmpuint (docent_settings_get_threads (settings), ==, 0);
  g_assert_cmpuint (docent_settings_get_context_size (settings), ==, 0);
  g_assert_cmpuint (docent_settings_get_max_tokens (settings), ==, 512);
  g_assert_cmpfloat (docent_settings_get_temperature (settings), ==, 0.0);
  g_assert_cmpuint (docent_settings_get_retrieval_k (settings), ==, 8);
  g_assert_false (docent_settings_get_remote_enabled (settings));
  g_assert_null (docent_settings_get_remote_url (settings));
  g_assert_null (docent_settings_remote_in_use (settings));
  /* Defaults are not written: the file says only what the user chose. */
  save (settings);
  g_assert_true (g_file_get_contents (ini, &text, NULL, NULL));
  g_assert_null (strstr (text, "\n[answer]\n"));
  g_assert_null (strstr (text, "\n[remote]\n"));
}

static void
test_answer_round_trip (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(DocentSettings) settings = load (f->dir);
  g_autoptr(DocentSettings) again = NULL;
  g_autoptr(DocentSettings) third = NULL;
  g_autofree char *ini = ini_path (f);
  g_autofree char *text = NULL;
  GStatBuf st;

  g_assert_true (docent_settings_set_threads (settings, 3, NULL));
  g_assert_true (docent_settings_set_context_size (settings, 4096, NULL));
  g_assert_true (docent_settings_set_max_tokens (settings, 768, NULL));
  g_assert_true (docent_settings_set_temperature (settings, 0.347, NULL));
  g_assert_true (docent_settings_set_retrieval_k (settings, 12, NULL));
  save (settings);
  g_assert_cmpint (g_stat (ini, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_true (g_file_get_contents (ini, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "[answer]\nthreads=3\ncontext_size=4096\nmax_tokens=768\n"
                                  "temperature=0.35\nretrieval_k=12\n"));

  again = load (f->dir);
  g_assert_cmpuint (docent_settings_get_threads (again), ==, 3);
  g_assert_cmpuint (docent_settings_get_context_size (again), ==, 4096);
  g_assert_cmpuint (docent_settings_get_max_tokens (again), ==, 768);
  g_assert_cmpfloat_with_epsilon (docent_settings_get_temperature (again), 0.35, 1e-9);
  g_assert_cmpuint (docent_settings_get_retrieval_k (again), ==, 12);

  /* Back to the defaults: the keys and then the group go. */
  g_assert_true (docent_settings_set_threads (again, 0, NULL));
  g_assert_true (docent_settings_set_context_size (again, 0, NULL));
  g_assert_true (docent_settings_set_max_tokens (again, 512, NULL));
  g_assert_true (docent_settings_set_temperature (again, 0, NULL));
  g_assert_true (docent_settings_set_retrieval_k (again, 8, NULL));
  save (again);
  g_clear_pointer (&text, g_free);
  g_assert_true (g_file_get_contents (ini, &text, NULL, NULL));
  g_assert_null (strstr (text, "\n[answer]\n"));
  third = load (f->dir);
  g_assert_cmpuint (docent_settings_get_retrieval_k (third), ==, 8);
}

/* Every setter refuses values out of range, with an error naming the
 * setting, and leaves the value as it was. */
static void
test_answer_ranges (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(DocentSettings) settings = load (f->dir);
  static const struct {
    int which;
    double value;
    const char *label;
  } bad[] = {
    { 0, DOCENT_SETTINGS_MAX_THREADS + 1, "threads" },
    { 1, 100, "context size" },
    { 1, DOCENT_SETTINGS_MAX_CONTEXT + 1, "context size" },
    { 2, 0, "answer length" },
    { 2, 15, "answer length" },
    { 2, 100000, "answer length" },
    { 3, -0.1, "temperature" },
    { 3, 2.5, "temperature" },
    { 3, NAN, "temperature" },
    { 4, 0, "retrieval depth" },
    { 4, DOCENT_SETTINGS_MAX_K + 1, "retrieval depth" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      gboolean ok = FALSE;

      switch (bad[i].which)
        {
        case 0: ok = docent_settings_set_threads (settings, (guint) bad[i].value, &error); break;
        case 1: ok = docent_settings_set_context_size (settings, (guint) bad[i].value, &error); break;
        case 2: ok = docent_settings_set_max_tokens (settings, (guint) bad[i].value, &error); break;
        case 3: ok = docent_settings_set_temperature (settings, bad[i].value, &error); break;
        case 4: ok = docent_settings_set_retrieval_k (settings, (guint) bad[i].value, &error); break;
        default: g_assert_not_reached ();
        }
      g_assert_false (ok);
      g_assert_error (error, DOCENT_SETTINGS_ERROR, DOCENT_SETTINGS_ERROR_VALUE);
      g_assert_true (g_str_has_prefix (error->message, bad[i].label));
    }
  g_assert_cmpuint (docent_settings_get_threads (settings), ==, 0);
  g_assert_cmpuint (docent_settings_get_context_size (settings), ==, 0);
  g_assert_cmpuint (docent_settings_get_max_tokens (settings), ==, 512);
  g_assert_cmpfloat (docent_settings_get_temperature (settings), ==, 0.0);
  g_assert_cmpuint (docent_settings_get_retrieval_k (settings), ==, 8);
  /* The edges are fine. */
  g_assert_true (docent_settings_set_threads (settings, DOCENT_SETTINGS_MAX_THREADS, NULL));
  g_assert_true (docent_settings_set_context_size (settings, DOCENT_SETTINGS_MIN_CONTEXT, NULL));
  g_assert_true (docent_settings_set_max_tokens (settings, DOCENT_SETTINGS_MIN_ANSWER, NULL));
  g_assert_true (docent_settings_set_temperature (settings, DOCENT_SETTINGS_MAX_TEMPERATURE, NULL));
  g_assert_true (docent_settings_set_retrieval_k (settings, 1, NULL));
}

/* A hand-edited value out of range makes loading fail, naming file, group
 * and key (as a [use] naming no model does). */
static void
test_answer_invalid_file (Fixture       *f,
                          gconstpointer  data)
{
  static const char *const files[] = {
    "[answer]\nthreads=-1\n",
    "[answer]\nmax_tokens=lots\n",
    "[answer]\ntemperature=9\n",
    "[answer]\nretrieval_k=0\n",
    "[answer]\ncontext_size=12\n",
    "[remote]\nurl=ftp://example.org\n",
    "[remote]\nenabled=maybe\n",
  };
  static const char *const keys[] = {
    "threads", "max_tokens", "temperature", "retrieval_k", "context_size", "url", "enabled",
  };

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = docent_test_write_file (f->dir, "docent.ini", files[i], -1);
      g_autoptr(GError) error = NULL;
      g_autoptr(DocentSettings) settings = docent_settings_load (f->dir, &error);

      g_assert_null (settings);
      g_assert_error (error, DOCENT_SETTINGS_ERROR, DOCENT_SETTINGS_ERROR_INVALID);
      g_assert_nonnull (strstr (error->message, "docent.ini"));
      g_assert_nonnull (strstr (error->message, keys[i]));
    }
}

static void
test_remote_settings (Fixture       *f,
                      gconstpointer  data)
{
  static const char *const bad_urls[] = {
    "localhost:8080", "ftp://example.org", "http://", "not a url", "file:///etc/passwd",
  };
  g_autoptr(DocentSettings) settings = load (f->dir);
  g_autoptr(DocentSettings) again = NULL;
  g_autofree char *ini = ini_path (f);
  g_autofree char *text = NULL;
  GStatBuf st;

  for (guint i = 0; i < G_N_ELEMENTS (bad_urls); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (docent_settings_set_remote_url (settings, bad_urls[i], &error));
      g_assert_error (error, DOCENT_SETTINGS_ERROR, DOCENT_SETTINGS_ERROR_VALUE);
      g_assert_true (g_str_has_prefix (error->message, "remote server URL"));
    }
  g_assert_true (docent_settings_set_remote_url (settings, " http://127.0.0.1:8080 ", NULL));
  docent_settings_set_remote_model (settings, "qwen2.5");
  docent_settings_set_remote_api_key (settings, "sk-secret value ");
  /* Configured but not enabled: not in use. */
  g_assert_null (docent_settings_remote_in_use (settings));
  docent_settings_set_remote_enabled (settings, TRUE);
  g_assert_cmpstr (docent_settings_remote_in_use (settings), ==, "http://127.0.0.1:8080");
  save (settings);

  /* The key is in the file (no keyring here), which only its owner reads. */
  g_assert_cmpint (g_stat (ini, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_true (g_file_get_contents (ini, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "[remote]\nenabled=true\nurl=http://127.0.0.1:8080\n"));
  g_assert_nonnull (strstr (text, "api_key=sk-secret value\\s\n"));

  again = load (f->dir);
  g_assert_true (docent_settings_get_remote_enabled (again));
  g_assert_cmpstr (docent_settings_get_remote_url (again), ==, "http://127.0.0.1:8080");
  g_assert_cmpstr (docent_settings_get_remote_model (again), ==, "qwen2.5");
  g_assert_cmpstr (docent_settings_get_remote_api_key (again), ==, "sk-secret value ");

  /* Cleared: no [remote] left. */
  docent_settings_set_remote_enabled (again, FALSE);
  g_assert_true (docent_settings_set_remote_url (again, "", NULL));
  docent_settings_set_remote_model (again, NULL);
  docent_settings_set_remote_api_key (again, "");
  g_assert_null (docent_settings_get_remote_url (again));
  g_assert_null (docent_settings_get_remote_api_key (again));
  save (again);
  g_clear_pointer (&text, g_free);
  g_assert_true (g_file_get_contents (ini, &text, NULL, NULL));
  g_assert_null (strstr (text, "\n[remote]\n"));
}

static void
test_by_name (Fixture       *f,
              gconstpointer  data)
{
  static const struct {
    const char *name, *value, *expect;
  } good[] = {
    { "answer.threads", "4", "4" },
    { "answer.context_size", " 2048 ", "2048" },
    { "answer.max_tokens", "1024", "1024" },
    { "answer.temperature", "0.7", "0.70" },
    { "answer.retrieval_k", "5", "5" },
    { "remote.enabled", "yes", "true" },
    { "remote.url", "https://llm.example.org/", "https://llm.example.org/" },
    { "remote.model", "m", "m" },
    { "remote.api_key", "k", "k" },
    { "ocr.enabled", "off", "false" },
    { "ocr.languages", "eng+deu", "eng+deu" },
  };
  static const struct {
    const char *name, *value;
  } bad[] = {
    { "answer.threads", "four" }, { "answer.threads", "-2" }, { "answer.threads", "" },
    { "answer.temperature", "0.5x" }, { "answer.temperature", "inf" },
    { "answer.retrieval_k", "1e3" }, { "remote.enabled", "perhaps" },
    { "remote.url", "gopher://x" }, { "ocr.languages", "" }, { "no.such", "1" },
    { "answer.", "1" },
  };
  g_autoptr(DocentSettings) settings = load (f->dir);
  g_autoptr(DocentSettings) again = NULL;
  g_autoptr(GError) error = NULL;
  const char *const *names = docent_settings_names ();

  /* library.watched needs real folders: test_watched covers it. */
  g_assert_cmpuint (g_strv_length ((char **) names), ==, G_N_ELEMENTS (good) + 1);
  g_assert_true (g_strv_contains (names, "library.watched"));
  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_assert_true (g_strv_contains (names, good[i].name));
      g_assert_true (docent_settings_set_value (settings, good[i].name, good[i].value, &error));
      g_assert_no_error (error);
    }
  save (settings);
  again = load (f->dir);
  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autofree char *value = docent_settings_get_value (again, good[i].name, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (value, ==, good[i].expect);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) local = NULL;

      g_assert_false (docent_settings_set_value (again, bad[i].name, bad[i].value, &local));
      g_assert_error (local, DOCENT_SETTINGS_ERROR, DOCENT_SETTINGS_ERROR_VALUE);
    }
  g_assert_null (docent_settings_get_value (again, "answer.nothing", &error));
  g_assert_error (error, DOCENT_SETTINGS_ERROR, DOCENT_SETTINGS_ERROR_VALUE);
  /* The failed sets changed nothing. */
  g_clear_error (&error);
  {
    g_autofree char *threads = docent_settings_get_value (again, "answer.threads", NULL);

    g_assert_cmpstr (threads, ==, "4");
  }
}

/* A docent.ini from before the answer settings (as test_keeps_other_groups
 * writes) loads with the defaults, and saving it changes only what Docent
 * manages. */
static void
test_old_file (Fixture       *f,
               gconstpointer  data)
{
  const char *ini =
    "# notes\n[ocr]\nenabled=false\nlanguages=eng+fra\n\n[use]\nchat=old\n\n"
    "[model:old]\npath=/m/old.gguf\nrole=chat\narchitecture=llama\nsha256=00\n";
  g_autofree char *path = docent_test_write_file (f->dir, "docent.ini", ini, -1);
  g_autofree char *text = NULL;
  g_autoptr(DocentSettings) settings = load (f->dir);

  g_assert_cmpuint (docent_settings_get_retrieval_k (settings), ==, 8);
  g_assert_null (docent_settings_find_model (settings, "old")->file_type);
  save (settings);
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_assert_true (g_str_has_prefix (text, "# notes\n"));
  g_assert_nonnull (strstr (text, "[ocr]\nenabled=false\nlanguages=eng+fra\n"));
  g_assert_null (strstr (text, "\n[answer]\n"));
  g_assert_null (strstr (text, "file_type"));
}

/* `docent-cli config`: list, get, set (validated: exit 2), location. */
static void
test_cli_config (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *lib = g_build_filename (f->dir, "lib", NULL);
  g_autofree char *config = g_build_filename (f->dir, "config", NULL);
  g_autofree char *old = g_strdup (g_getenv ("XDG_CONFIG_HOME"));
  g_autoptr(DocentSettings) settings = NULL;

  if (g_getenv ("DOCENT_CLI") == NULL || !g_file_test (g_getenv ("DOCENT_CLI"), G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("DOCENT_CLI is not set (run through meson test)");
      return;
    }
  {
    g_auto(DocentTestRun) run = { 0 };
    const char *args[] = { "--library", lib, "config", "answer.retrieval_k", "6", NULL };

    docent_test_run_cli (&run, args);
    g_assert_cmpint (run.status, ==, 0);
    g_assert_cmpstr (run.out, ==, "6\n");
  }
  {
    g_auto(DocentTestRun) run = { 0 };
    const char *args[] = { "--library", lib, "config", "answer.temperature", "7", NULL };

    docent_test_run_cli (&run, args);
    g_assert_cmpint (run.status, ==, 2);
    g_assert_nonnull (strstr (run.err, "temperature"));
  }
  {
    g_auto(DocentTestRun) run = { 0 };
    const char *args[] = { "--library", lib, "config", "remote.api_key", "sk-hidden", NULL };

    docent_test_run_cli (&run, args);
    g_assert_cmpint (run.status, ==, 0);
  }
  {
    g_auto(DocentTestRun) run = { 0 };
    const char *args[] = { "--library", lib, "config", NULL };

    docent_test_run_cli (&run, args);
    g_assert_cmpint (run.status, ==, 0);
    g_assert_nonnull (strstr (run.out, "answer.retrieval_k   6\n"));
    g_assert_null (strstr (run.out, "sk-hidden"));
  }
  settings = load (lib);
  g_assert_cmpuint (docent_settings_get_retrieval_k (settings), ==, 6);
  g_assert_cmpstr (docent_settings_get_remote_api_key (settings), ==, "sk-hidden");

  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  {
    g_auto(DocentTestRun) run = { 0 };
    const char *args[] = { "config", "location", lib, NULL };
    g_autofree char *dir = NULL;

    docent_test_run_cli (&run, args);
    g_assert_cmpint (run.status, ==, 0);
    dir = docent_settings_get_default_library_dir ();
    g_assert_cmpstr (dir, ==, lib);
  }
  if (old != NULL)
    g_setenv ("XDG_CONFIG_HOME", old, TRUE);
  else
    g_unsetenv ("XDG_CONFIG_HOME");
}

/* ---- watched folders --------------------------------------------------------- */

static void
assert_refused (DocentSettings *settings,
                const char     *folder,
                const char     *why)
{
  g_autoptr(GError) error = NULL;
  const char *folders[] = { folder, NULL };

  g_assert_false (docent_settings_set_watched_folders (settings, folders, &error));
  g_assert_error (error, DOCENT_SETTINGS_ERROR, DOCENT_SETTINGS_ERROR_VALUE);
  g_assert_nonnull (strstr (error->message, why));
}

static void
test_watched (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *outside = docent_test_tmpdir ();
  g_autofree char *papers = g_build_filename (outside, "Papers", NULL);
  g_autofree char *semi = g_build_filename (outside, "a;b", NULL);
  g_autofree char *lib = g_build_filename (outside, "Library", NULL);
  g_autofree char *inside = g_build_filename (lib, "sub", NULL);
  g_autofree char *hidden_parent = g_build_filename (outside, "home", NULL);
  g_autofree char *hidden_lib = g_build_filename (hidden_parent, ".local", "docent", NULL);
  g_autofree char *file = docent_test_write_file (outside, "file.txt", "x", 1);
  g_autofree char *missing = g_build_filename (outside, "missing", NULL);
  g_autofree char *messy = g_strconcat (papers, "/./", NULL);
  g_autofree char *ini = NULL;
  g_autofree char *value = NULL;
  g_autoptr(DocentSettings) settings = NULL;
  g_autoptr(DocentSettings) again = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) folders = NULL;

  g_assert_cmpint (g_mkdir_with_parents (papers, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (semi, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (inside, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (hidden_lib, 0700), ==, 0);
  settings = load (lib);
  folders = docent_settings_get_watched_folders (settings);
  g_assert_cmpuint (g_strv_length (folders), ==, 0);
  g_clear_pointer (&folders, g_strfreev);

  /* Refused, with the reason. */
  assert_refused (settings, "relative/dir", "not an absolute path");
  assert_refused (settings, missing, "no such folder");
  assert_refused (settings, file, "no such folder");
  assert_refused (settings, lib, "it is the library folder");
  assert_refused (settings, inside, "inside the library folder");
  assert_refused (settings, outside, "the library folder is inside it");
  {
    /* A library under a hidden folder is skipped by the walk: allowed. */
    g_autoptr(DocentSettings) other = load (hidden_lib);
    const char *ok[] = { hidden_parent, NULL };

    g_assert_true (docent_settings_set_watched_folders (other, ok, &error));
    g_assert_no_error (error);
  }

  /* Kept canonical and once; a ';' in a name survives the key file. */
  {
    const char *list[] = { messy, semi, papers, NULL };

    g_assert_true (docent_settings_set_watched_folders (settings, list, &error));
    g_assert_no_error (error);
  }
  /* A refused list changes nothing. */
  {
    const char *list[] = { papers, missing, NULL };

    g_assert_false (docent_settings_set_watched_folders (settings, list, &error));
    g_clear_error (&error);
  }
  save (settings);
  ini = g_build_filename (lib, "docent.ini", NULL);
  again = load (lib);
  folders = docent_settings_get_watched_folders (again);
  g_assert_cmpuint (g_strv_length (folders), ==, 2);
  g_assert_cmpstr (folders[0], ==, papers);
  g_assert_cmpstr (folders[1], ==, semi);
  g_clear_pointer (&folders, g_strfreev);

  /* By name: ';'-separated. */
  value = docent_settings_get_value (again, "library.watched", &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (value, papers));
  g_assert_true (docent_settings_set_value (again, "library.watched", papers, &error));
  g_assert_no_error (error);
  g_free (value);
  value = docent_settings_get_value (again, "library.watched", &error);
  g_assert_cmpstr (value, ==, papers);
  g_assert_false (docent_settings_set_value (again, "library.watched", lib, &error));
  g_assert_error (error, DOCENT_SETTINGS_ERROR, DOCENT_SETTINGS_ERROR_VALUE);
  g_clear_error (&error);

  /* None: the key and its group go. */
  g_assert_true (docent_settings_set_value (again, "library.watched", "", &error));
  g_assert_no_error (error);
  save (again);
  {
    g_autofree char *text = NULL;

    g_assert_true (g_file_get_contents (ini, &text, NULL, NULL));
    g_assert_null (strstr (text, "[library]"));
  }
  g_clear_pointer (&again, docent_settings_free);
  again = load (lib);
  folders = docent_settings_get_watched_folders (again);
  g_assert_cmpuint (g_strv_length (folders), ==, 0);
  docent_test_rm_rf (outside);
}

/* ---- the location pointer ------------------------------------------------- */

static void
test_location (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *config = g_build_filename (f->dir, "config", NULL);
  g_autofree char *old = g_strdup (g_getenv ("XDG_CONFIG_HOME"));
  g_autofree char *file = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *got = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  GStatBuf st;

  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  file = docent_settings_location_file ();
  expected = g_build_filename (config, "docent", "location", NULL);
  g_assert_cmpstr (file, ==, expected);
  g_assert_null (docent_settings_get_default_library_dir ());

  g_assert_true (docent_settings_set_default_library_dir ("/srv/my library", &error));
  g_assert_no_error (error);
  got = docent_settings_get_default_library_dir ();
  g_assert_cmpstr (got, ==, "/srv/my library");
  g_assert_cmpint (g_stat (file, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_true (g_file_get_contents (file, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, "/srv/my library\n");

  /* Hand-written: surrounding blanks and further lines are ignored; a
   * relative path is no location. */
  g_free (docent_test_write_file (f->dir, "config/docent/location", "  /a/b  \r\nrest\n", -1));
  g_clear_pointer (&got, g_free);
  got = docent_settings_get_default_library_dir ();
  g_assert_cmpstr (got, ==, "/a/b");
  g_free (docent_test_write_file (f->dir, "config/docent/location", "relative/dir\n", -1));
  g_assert_null (docent_settings_get_default_library_dir ());

  /* A relative folder is stored absolute. */
  g_assert_true (docent_settings_set_default_library_dir ("lib", NULL));
  g_clear_pointer (&got, g_free);
  got = docent_settings_get_default_library_dir ();
  g_assert_true (g_path_is_absolute (got));
  g_assert_true (g_str_has_suffix (got, "/lib"));

  g_assert_false (docent_settings_set_default_library_dir ("/two\nlines", &error));
  g_assert_error (error, DOCENT_SETTINGS_ERROR, DOCENT_SETTINGS_ERROR_VALUE);

  /* NULL removes the pointer, twice without complaint. */
  g_assert_true (docent_settings_set_default_library_dir (NULL, NULL));
  g_assert_false (g_file_test (file, G_FILE_TEST_EXISTS));
  g_assert_true (docent_settings_set_default_library_dir (NULL, NULL));
  g_assert_null (docent_settings_get_default_library_dir ());

  /* A relative $XDG_CONFIG_HOME is ignored (XDG spec). */
  g_setenv ("XDG_CONFIG_HOME", "relative", TRUE);
  g_clear_pointer (&file, g_free);
  file = docent_settings_location_file ();
  g_assert_true (g_path_is_absolute (file));
  if (old != NULL)
    g_setenv ("XDG_CONFIG_HOME", old, TRUE);
  else
    g_unsetenv ("XDG_CONFIG_HOME");
}

/* ---- docent_library_ask honours the settings ------------------------------ */

/* Six short documents that all mention the deposit, so a question about it
 * retrieves as many of them as it may. */
static DocentLibrary *
open_deposit_library (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *docs = g_build_filename (f->dir, "docs", NULL);
  g_autofree char *lib = g_build_filename (f->dir, "lib", NULL);
  const char *paths[] = { docs, NULL };
  DocentAddOptions opts = { 0 };
  DocentLibrary *library;

  g_assert_cmpint (g_mkdir (docs, 0700), ==, 0);
  for (guint i = 0; i < 6; i++)
    {
      g_autofree char *name = g_strdup_printf ("flat-%u.txt", i);
      g_autofree char *text = g_strdup_printf ("Flat %u\n\nThe security deposit for flat %u is "
                                               "$%u, returned within %u days after moving out.\n",
                                               i, i, 1000 + 100 * i, 10 + i);

      g_free (docent_test_write_file (docs, name, text, -1));
    }
  library = docent_library_open (lib, &error);
  g_assert_no_error (error);
  g_assert_true (docent_library_add (library, paths, &opts, NULL, &error));
  g_assert_no_error (error);
  return library;
}

static void
set_library_settings (DocentLibrary *library,
                      const char    *name,
                      const char    *value)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentSettings) settings = docent_settings_load (docent_library_dir (library), &error);

  g_assert_no_error (error);
  g_assert_true (docent_settings_set_value (settings, name, value, &error));
  g_assert_no_error (error);
  save (settings);
  g_assert_true (docent_library_refresh (library, &error));
  g_assert_no_error (error);
}

static DocentAnswer *
ask_library (DocentLibrary *library,
             const char    *question,
             guint          k)
{
  g_autoptr(GError) error = NULL;
  DocentAskOptions opts = { 0 };
  DocentAnswer *answer;

  opts.question = question;
  opts.k = k;
  answer = docent_library_ask (library, &opts, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (answer);
  return answer;
}

static void
test_ask_k (Fixture       *f,
            gconstpointer  data)
{
  const char *question = "How much is the security deposit?";
  DocentLibrary *library = open_deposit_library (f);
  g_autoptr(DocentAnswer) all = ask_library (library, question, 0);
  g_autoptr(DocentAnswer) two = NULL;
  g_autoptr(DocentAnswer) explicit = NULL;

  /* The default (8) reaches every flat. */
  g_assert_cmpuint (all->sources->len, ==, 6);
  set_library_settings (library, "answer.retrieval_k", "2");
  two = ask_library (library, question, 0);
  g_assert_cmpuint (two->sources->len, ==, 2);
  /* The caller's k wins over the setting. */
  explicit = ask_library (library, question, 3);
  g_assert_cmpuint (explicit->sources->len, ==, 3);
  docent_library_close (library);
}

/* A server on 127.0.0.1 that answers every chat request with one JSON
 * body citing [1], and remembers the last request. */
typedef struct {
  GMutex lock;
  GMainContext *context;
  GMainLoop *loop;
  GThread *thread;
  guint port;
  guint n_requests;
  char *body;
  char *authorization;
} ChatServer;

static void
chat_server_callback (SoupServer        *server,
                      SoupServerMessage *msg,
                      const char        *path,
                      GHashTable        *query,
                      gpointer           user_data)
{
  static const char reply[] =
    "{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
    "\"content\":\"The deposit is stated in the flat's lease [1].\"},\"finish_reason\":\"stop\"}]}";
  ChatServer *cs = user_data;
  g_autoptr(GBytes) bytes = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  const char *auth = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                   "Authorization");

  g_mutex_lock (&cs->lock);
  cs->n_requests++;
  g_free (cs->body);
  cs->body = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_free (cs->authorization);
  cs->authorization = g_strdup (auth);
  g_mutex_unlock (&cs->lock);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC,
                                    reply, strlen (reply));
}

static gpointer
chat_server_thread (gpointer data)
{
  ChatServer *cs = data;
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(GError) error = NULL;
  GSList *uris;

  g_main_context_push_thread_default (cs->context);
  server = soup_server_new (NULL, NULL);
  soup_server_add_handler (server, NULL, chat_server_callback, cs, NULL);
  soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  g_mutex_lock (&cs->lock);
  cs->port = g_uri_get_port (uris->data);
  g_mutex_unlock (&cs->lock);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  g_main_loop_run (cs->loop);
  soup_server_disconnect (server);
  while (g_main_context_iteration (cs->context, FALSE))
    ;
  g_clear_object (&server);
  g_main_context_pop_thread_default (cs->context);
  return NULL;
}

static void
chat_server_start (ChatServer *cs)
{
  g_mutex_init (&cs->lock);
  cs->context = g_main_context_new ();
  cs->loop = g_main_loop_new (cs->context, FALSE);
  cs->thread = g_thread_new ("chat-server", chat_server_thread, cs);
  for (;;)
    {
      guint port;

      g_mutex_lock (&cs->lock);
      port = cs->port;
      g_mutex_unlock (&cs->lock);
      if (port != 0)
        break;
      g_usleep (1000);
    }
}

static void
chat_server_stop (ChatServer *cs)
{
  g_main_loop_quit (cs->loop);
  g_thread_join (cs->thread);
  g_main_loop_unref (cs->loop);
  g_main_context_unref (cs->context);
  g_free (cs->body);
  g_free (cs->authorization);
  g_mutex_clear (&cs->lock);
}

static void
test_ask_remote (Fixture       *f,
                 gconstpointer  data)
{
  const char *question = "How much is the security deposit?";
  DocentLibrary *library = open_deposit_library (f);
  ChatServer cs = { 0 };
  g_autofree char *url = NULL;
  g_autoptr(DocentAnswer) local = NULL;
  g_autoptr(DocentAnswer) remote = NULL;
  g_autoptr(DocentAnswer) extractive = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *request;
  DocentAskOptions opts = { 0 };

  chat_server_start (&cs);
  url = g_strdup_printf ("http://127.0.0.1:%u", cs.port);
  /* Configured but off: nobody is asked. */
  set_library_settings (library, "remote.url", url);
  set_library_settings (library, "remote.model", "served-model");
  set_library_settings (library, "remote.api_key", "sk-test");
  local = ask_library (library, question, 0);
  g_assert_cmpint (local->mode, ==, DOCENT_ANSWER_EXTRACTIVE);
  g_assert_cmpuint (cs.n_requests, ==, 0);

  set_library_settings (library, "remote.enabled", "true");
  set_library_settings (library, "answer.max_tokens", "300");
  set_library_settings (library, "answer.temperature", "0.25");
  remote = ask_library (library, question, 0);
  g_assert_cmpint (remote->mode, ==, DOCENT_ANSWER_REMOTE);
  g_assert_nonnull (strstr (remote->answer, "[1]"));
  g_mutex_lock (&cs.lock);
  g_assert_cmpuint (cs.n_requests, ==, 1);
  g_assert_cmpstr (cs.authorization, ==, "Bearer sk-test");
  g_assert_true (json_parser_load_from_data (parser, cs.body, -1, &error));
  g_mutex_unlock (&cs.lock);
  g_assert_no_error (error);
  request = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (request, "model"), ==, "served-model");
  g_assert_cmpint (json_object_get_int_member (request, "max_tokens"), ==, 300);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (request, "temperature"), 0.25, 1e-6);

  /* The caller's extractive choice still wins. */
  opts.question = question;
  opts.extractive = TRUE;
  opts.no_store = TRUE;
  extractive = docent_library_ask (library, &opts, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (extractive->mode, ==, DOCENT_ANSWER_EXTRACTIVE);
  g_mutex_lock (&cs.lock);
  g_assert_cmpuint (cs.n_requests, ==, 1);
  g_mutex_unlock (&cs.lock);
  docent_library_close (library);
  chat_server_stop (&cs);
}

/* The citations stored with a turn name their document's path and title
 * (besides n, ids, pages and the quote), for redrawing old conversations. */
static void
test_ask_citations_json (Fixture       *f,
                         gconstpointer  data)
{
  DocentLibrary *library = open_deposit_library (f);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) turns = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  DocentAskOptions opts = { 0 };
  g_autoptr(DocentAnswer) answer = NULL;
  gint64 conversation = 0;
  JsonArray *citations;

  opts.question = "How much is the security deposit for flat 3?";
  answer = docent_library_ask (library, &opts, &conversation, &error);
  g_assert_no_error (error);
  g_assert_false (answer->refused);
  g_assert_cmpuint (answer->citations->len, >, 0);
  turns = docent_store_conversation_turns (docent_library_store (library), conversation, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (turns->len, ==, 1);
  g_assert_true (json_parser_load_from_data (parser, ((DocentTurn *) turns->pdata[0])->citations,
                                             -1, &error));
  g_assert_no_error (error);
  citations = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (citations), ==, answer->citations->len);
  for (guint i = 0; i < json_array_get_length (citations); i++)
    {
      JsonObject *c = json_array_get_object_element (citations, i);
      const DocentCitation *expected = g_ptr_array_index (answer->citations, i);

      g_assert_cmpint (json_object_get_int_member (c, "n"), ==, expected->n);
      g_assert_cmpint (json_object_get_int_member (c, "chunk_id"), ==, expected->chunk_id);
      g_assert_true (json_object_has_member (c, "quote"));
      g_assert_true (json_object_has_member (c, "page_start"));
      g_assert_cmpstr (json_object_get_string_member (c, "path"), ==, expected->path);
      g_assert_true (g_str_has_suffix (json_object_get_string_member (c, "path"), ".txt"));
      g_assert_cmpstr (json_object_get_string_member (c, "title"), ==, expected->title);
    }
  docent_library_close (library);
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
  ADD ("/settings/file-type", test_file_type);
  ADD ("/settings/answer-defaults", test_answer_defaults);
  ADD ("/settings/answer-round-trip", test_answer_round_trip);
  ADD ("/settings/answer-ranges", test_answer_ranges);
  ADD ("/settings/answer-invalid-file", test_answer_invalid_file);
  ADD ("/settings/remote", test_remote_settings);
  ADD ("/settings/by-name", test_by_name);
  ADD ("/settings/old-file", test_old_file);
  ADD ("/settings/watched", test_watched);
  ADD ("/settings/location", test_location);
  ADD ("/settings/cli-config", test_cli_config);
  ADD ("/settings/ask-k", test_ask_k);
  ADD ("/settings/ask-remote", test_ask_remote);
  ADD ("/settings/ask-citations-json", test_ask_citations_json);
#undef ADD
  return g_test_run ();
}
