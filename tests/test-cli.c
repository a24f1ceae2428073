/* test-cli.c — docent-cli as a user and a script see it: commands, exit
 * codes, messages on stderr and the JSON shapes. Runs the real binary
 * ($DOCENT_CLI) on a library in a scratch folder. */
#include <json-glib/json-glib.h>
#include <string.h>

#include "tests/fixtures.h"
#include "tests/pdfgen.h"

typedef struct {
  char *dir;
  char *docs;
  char *lib;
} Fixture;

/* Runs docent-cli --library LIB ARGS... (NULL-terminated); a first argument
 * of "--no-library" leaves out --library LIB. */
static void
cli (Fixture       *f,
     DocentTestRun *run,
     const char    *first,
     ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  va_list ap;

  if (first == NULL || strcmp (first, "--no-library") != 0)
    {
      g_ptr_array_add (args, "--library");
      g_ptr_array_add (args, f->lib);
      if (first != NULL)
        g_ptr_array_add (args, (char *) first);
    }
  va_start (ap, first);
  for (const char *a = va_arg (ap, const char *); a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (args, (char *) a);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  docent_test_run_cli (run, (const char * const *) args->pdata);
}

static JsonObject *
parse_object (const char *text,
              JsonParser **parser)
{
  g_autoptr(GError) error = NULL;

  *parser = json_parser_new ();
  json_parser_load_from_data (*parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (*parser)));
  return json_node_get_object (json_parser_get_root (*parser));
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *pdf = NULL;
  g_autofree char *html = NULL;
  g_autofree char *bad = NULL;
  const char *pages[] = {
    "# Scope\n\nThis guideline covers adults with type 2 diabetes.",
    "# Treatment\n\nOffer metformin as the first medicine unless it is contraindicated.",
    "# Monitoring\n\nMeasure HbA1c every three to six months until stable.",
  };

  f->dir = docent_test_tmpdir ();
  f->docs = g_build_filename (f->dir, "docs", NULL);
  f->lib = g_build_filename (f->dir, "lib", NULL);
  pdf = g_build_filename (f->docs, "guideline.pdf", NULL);
  g_assert_cmpint (g_mkdir_with_parents (f->docs, 0700), ==, 0);
  g_assert_true (docent_test_write_pdf (pdf, "Diabetes Guideline", pages, 3, &error));
  html = docent_test_write_file (f->docs, "faq.html",
                                 "<html><head><title>Clinic FAQ</title></head><body>"
                                 "<h2>Opening hours</h2><p>The clinic opens at eight on weekdays.</p>"
                                 "</body></html>", -1);
  bad = docent_test_write_file (f->docs, "broken.pdf", "%PDF-1.7\nnot really a pdf", -1);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  docent_test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->docs);
  g_free (f->lib);
}

static void
test_add_search_json (Fixture       *f,
                      gconstpointer  data)
{
  g_auto(DocentTestRun) add = { 0 };
  g_auto(DocentTestRun) search = { 0 };
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *root, *hit, *timings;
  JsonArray *results;

  cli (f, &add, "add", f->docs, NULL);
  /* One file failed: exit 1, and stderr names it and says why. */
  g_assert_cmpint (add.status, ==, 1);
  g_assert_nonnull (strstr (add.err, "broken.pdf: "));
  g_assert_nonnull (strstr (add.out, "2 added, 0 updated, 0 unchanged, 1 failed"));

  cli (f, &search, "search", "--json", "-k", "3", "first", "medicine", NULL);
  g_assert_cmpint (search.status, ==, 0);
  root = parse_object (search.out, &parser);
  g_assert_cmpstr (json_object_get_string_member (root, "query"), ==, "first medicine");
  results = json_object_get_array_member (root, "results");
  g_assert_cmpuint (json_array_get_length (results), >=, 1);
  g_assert_cmpuint (json_array_get_length (results), <=, 3);
  hit = json_array_get_object_element (results, 0);
  g_assert_true (g_str_has_suffix (json_object_get_string_member (hit, "path"), "guideline.pdf"));
  g_assert_cmpstr (json_object_get_string_member (hit, "title"), ==, "Diabetes Guideline");
  g_assert_cmpint (json_object_get_int_member (hit, "page_start"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (hit, "page_end"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (hit, "heading"), ==, "Treatment");
  g_assert_nonnull (strstr (json_object_get_string_member (hit, "snippet"), "**medicine**"));
  g_assert_nonnull (strstr (json_object_get_string_member (hit, "text"), "metformin"));
  g_assert_true (json_object_has_member (hit, "chunk_id"));
  g_assert_true (json_object_has_member (hit, "document_id"));
  g_assert_cmpfloat (json_object_get_double_member (hit, "score"), >, 0);
  timings = json_object_get_object_member (root, "timings_ms");
  g_assert_cmpfloat (json_object_get_double_member (timings, "fts"), >=, 0);
  g_assert_cmpfloat (json_object_get_double_member (timings, "total"), >=, 0);
}

static void
test_list_status_remove (Fixture       *f,
                         gconstpointer  data)
{
  g_auto(DocentTestRun) add = { 0 };
  g_auto(DocentTestRun) list = { 0 };
  g_auto(DocentTestRun) status = { 0 };
  g_auto(DocentTestRun) remove = { 0 };
  g_auto(DocentTestRun) status2 = { 0 };
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(JsonParser) parser2 = NULL;
  g_autoptr(JsonParser) parser3 = NULL;
  g_autofree char *html = g_build_filename (f->docs, "faq.html", NULL);
  JsonArray *docs;
  JsonObject *root;
  guint failed = 0;

  cli (f, &add, "add", "--collection", "Clinic", f->docs, NULL);
  cli (f, &list, "list", "--json", NULL);
  g_assert_cmpint (list.status, ==, 0);
  docs = json_object_get_array_member (parse_object (list.out, &parser), "documents");
  g_assert_cmpuint (json_array_get_length (docs), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      JsonObject *doc = json_array_get_object_element (docs, i);

      if (g_strcmp0 (json_object_get_string_member (doc, "status"), "failed") == 0)
        {
          failed++;
          g_assert_true (g_str_has_suffix (json_object_get_string_member (doc, "path"), "broken.pdf"));
          g_assert_nonnull (json_object_get_string_member (doc, "error"));
        }
      else
        g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (doc, "collections"), 0),
                         ==, "Clinic");
    }
  g_assert_cmpuint (failed, ==, 1);

  cli (f, &status, "status", "--json", NULL);
  root = parse_object (status.out, &parser2);
  g_assert_cmpint (json_object_get_int_member (root, "documents"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (root, "failed"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (root, "pages"), ==, 4);
  g_assert_cmpint (json_object_get_int_member (root, "chunks"), >=, 2);
  g_assert_cmpint (json_object_get_int_member (root, "database_bytes"), >, 0);

  cli (f, &remove, "remove", html, NULL);
  g_assert_cmpint (remove.status, ==, 0);
  g_assert_nonnull (strstr (remove.out, "Removed 1 document"));
  cli (f, &status2, "status", "--json", NULL);
  root = parse_object (status2.out, &parser3);
  g_assert_cmpint (json_object_get_int_member (root, "documents"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (root, "pages"), ==, 3);
}

static void
test_usage_errors (Fixture       *f,
                   gconstpointer  data)
{
  g_auto(DocentTestRun) none = { 0 };
  g_auto(DocentTestRun) unknown = { 0 };
  g_auto(DocentTestRun) no_query = { 0 };
  g_auto(DocentTestRun) bad_k = { 0 };
  g_auto(DocentTestRun) bad_option = { 0 };
  g_auto(DocentTestRun) missing = { 0 };
  g_auto(DocentTestRun) help = { 0 };
  g_auto(DocentTestRun) add_help = { 0 };

  /* A command's help prints without creating a library. */
  cli (f, &add_help, "add", "--help", NULL);
  g_assert_cmpint (add_help.status, ==, 0);
  g_assert_nonnull (strstr (add_help.out, "--collection"));
  g_assert_false (g_file_test (f->lib, G_FILE_TEST_EXISTS));
  cli (f, &none, "--no-library", NULL);
  g_assert_cmpint (none.status, ==, 2);
  g_assert_nonnull (strstr (none.err, "Usage:"));
  cli (f, &unknown, "frobnicate", NULL);
  g_assert_cmpint (unknown.status, ==, 2);
  g_assert_nonnull (strstr (unknown.err, "unknown command"));
  cli (f, &no_query, "search", NULL);
  g_assert_cmpint (no_query.status, ==, 2);
  cli (f, &bad_k, "search", "-k", "0", "x", NULL);
  g_assert_cmpint (bad_k.status, ==, 2);
  cli (f, &bad_option, "list", "--frob", NULL);
  g_assert_cmpint (bad_option.status, ==, 2);
  cli (f, &missing, "remove", "/no/such/document.pdf", NULL);
  g_assert_cmpint (missing.status, ==, 1);
  g_assert_nonnull (strstr (missing.err, "/no/such/document.pdf"));
  cli (f, &help, "--no-library", "--help", NULL);
  g_assert_cmpint (help.status, ==, 0);
  g_assert_nonnull (strstr (help.out, "search"));
}

static void
test_hostile_queries (Fixture       *f,
                      gconstpointer  data)
{
  const char *queries[] = {
    "\"", "\"unbalanced quote", "NOT", "OR OR", "*", "-", "(", ")", "a:b",
    "NEAR(a b)", "'; DROP TABLE chunks; --", "café", "日本語", "C++", "^x", "{a b}",
  };
  g_auto(DocentTestRun) add = { 0 };

  cli (f, &add, "add", f->docs, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
    {
      g_auto(DocentTestRun) run = { 0 };
      g_autoptr(JsonParser) parser = NULL;

      cli (f, &run, "search", "--json", queries[i], NULL);
      g_assert_cmpint (run.status, ==, 0);
      g_assert_cmpstr (run.err, ==, "");
      parse_object (run.out, &parser);
    }
}

static void
test_env_library (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *db = g_build_filename (f->lib, "library.db", NULL);
  const char *argv[] = { g_getenv ("DOCENT_CLI"), "status", NULL };
  g_auto(GStrv) env = g_environ_setenv (g_get_environ (), "DOCENT_LIBRARY", f->lib, TRUE);
  int wait_status;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_DEFAULT, NULL, NULL,
                               &out, &err, &wait_status, NULL));
  g_assert_true (g_spawn_check_wait_status (wait_status, NULL));
  g_assert_nonnull (strstr (out, f->lib));
  g_assert_true (g_file_test (db, G_FILE_TEST_EXISTS));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(name, func) g_test_add ("/cli/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("add-search-json", test_add_search_json);
  ADD ("list-status-remove", test_list_status_remove);
  ADD ("usage-errors", test_usage_errors);
  ADD ("hostile-queries", test_hostile_queries);
  ADD ("env-library", test_env_library);
#undef ADD
  return g_test_run ();
}
