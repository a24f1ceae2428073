/* test-query.c — what people type turned into FTS5 queries: the exact
 * translations, and that no input whatever makes FTS5 fail. */
#include "index/query.h"

#include <sqlite3.h>
#include <string.h>

/* An in-memory FTS5 table configured like the library's. */
static sqlite3 *
open_fts (void)
{
  sqlite3 *db = NULL;
  static const char schema[] =
    "CREATE VIRTUAL TABLE t USING fts5 (text, heading,"
    "  tokenize = 'porter unicode61 remove_diacritics 2');"
    "INSERT INTO t VALUES ('The tenant shall pay rent on the first day', 'Rent');"
    "INSERT INTO t VALUES ('Send an e-mail to O''Brien about version 3.5', NULL);"
    "INSERT INTO t VALUES ('Le café est fermé; 東京 会議', NULL);"
    "INSERT INTO t VALUES ('The agreement terminates on written notice', 'Termination');";

  g_assert_cmpint (sqlite3_open (":memory:", &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, schema, NULL, NULL, NULL), ==, SQLITE_OK);
  return db;
}

/* Runs the translation of `text` as MATCH; returns the number of rows, or
 * -1 for nothing to search. Fails the test on any SQLite error. */
static int
run_match (sqlite3    *db,
           const char *text)
{
  g_autofree char *match = docent_fts_query_from_user (text);
  sqlite3_stmt *stmt = NULL;
  int rows = 0, rc;

  if (match == NULL)
    return -1;
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT rowid FROM t WHERE t MATCH ?1 ORDER BY rank",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, match, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    rows++;
  if (rc != SQLITE_DONE)
    g_error ("input %s → MATCH %s failed: %s", text, match, sqlite3_errmsg (db));
  sqlite3_finalize (stmt);
  return rows;
}

static void
test_translations (void)
{
  static const struct {
    const char *input;
    const char *expected;  /* NULL: nothing to search */
  } cases[] = {
    { "tenant", "\"tenant\"" },
    { "Tenant Rent", "\"Tenant\" OR \"Rent\"" },
    { "  tenant   rent  ", "\"tenant\" OR \"rent\"" },
    { "what is the rent?", "\"rent\"" },
    { "the", "\"the\"" },
    { "what is the", "\"what\" OR \"is\" OR \"the\"" },
    { "\"written notice\"", "\"written notice\"" },
    { "\"the tenant\" rent", "\"the tenant\" OR \"rent\"" },
    { "\"written notice", "\"written notice\"" },
    { "rent \"", "\"rent\"" },
    { "term*", "\"term\" *" },
    { "term**", "\"term\" *" },
    { "t*", "\"t\"" },
    { "\"written not\"*", "\"written not\" *" },
    { "rent -water", "\"rent\" NOT \"water\"" },
    { "rent NOT water", "\"rent\" NOT \"water\"" },
    { "rent -\"hot water\"", "\"rent\" NOT \"hot water\"" },
    { "rent deposit -water -fire", "(\"rent\" OR \"deposit\") NOT \"water\" NOT \"fire\"" },
    { "-water", NULL },
    { "NOT water", NULL },
    { "rent OR deposit", "\"rent\" OR \"deposit\"" },
    { "rent - deposit", "\"rent\" OR \"deposit\"" },
    { "OR", NULL },
    { "OR OR", NULL },
    { "NOT", NULL },
    { "rent AND deposit", "\"rent\" OR \"deposit\"" },
    { "e-mail", "\"e mail\"" },
    { "O'Brien", "\"O Brien\"" },
    { "3.5", "\"3 5\"" },
    { "C++", "\"C\"" },
    { "a:b", "\"a b\"" },
    { "col:term", "\"col term\"" },
    { "^start", "\"start\"" },
    { "NEAR(a b)", "\"NEAR a\" OR \"b\"" },
    { "{a b}", "\"b\"" },
    { "don't pay", "\"pay\"" },
    { "isn't it", "\"isn t\" OR \"it\"" },
    { "café", "\"café\"" },
    { "東京", "\"東京\"" },
    { "", NULL },
    { "!!! ??? ...", NULL },
    { "*", NULL },
    { "-", NULL },
    { "\"", NULL },
    { "\"\"", NULL },
    { "🎉", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *match = docent_fts_query_from_user (cases[i].input);

      if (g_strcmp0 (match, cases[i].expected) != 0)
        g_error ("input ‹%s›: expected ‹%s›, got ‹%s›",
                 cases[i].input, cases[i].expected, match);
    }
  g_assert_null (docent_fts_query_from_user (NULL));
}

static void
test_term_cap (void)
{
  g_autoptr(GString) many = g_string_new (NULL);
  g_autofree char *match = NULL;
  g_autofree char *long_phrase = NULL;
  g_autoptr(GString) phrase = g_string_new ("\"");
  guint n_or = 0;

  for (guint i = 0; i < 100; i++)
    g_string_append_printf (many, "word%u ", i);
  match = docent_fts_query_from_user (many->str);
  for (const char *p = match; (p = strstr (p, " OR ")) != NULL; p++)
    n_or++;
  g_assert_cmpuint (n_or, ==, 31);
  g_assert_nonnull (strstr (match, "\"word31\""));
  g_assert_null (strstr (match, "\"word32\""));

  /* A pasted paragraph in quotes keeps its first 32 words. */
  for (guint i = 0; i < 50; i++)
    g_string_append_printf (phrase, "w%u ", i);
  g_string_append_c (phrase, '"');
  long_phrase = docent_fts_query_from_user (phrase->str);
  g_assert_true (g_str_has_suffix (long_phrase, " w31\""));
}

static void
test_parts (void)
{
  g_auto(GStrv) positives = NULL;
  g_auto(GStrv) negatives = NULL;
  g_autofree char *joined = NULL;

  g_assert_true (docent_query_parts ("the rent \"late fee\" dep* -water", &positives, &negatives));
  g_assert_cmpuint (g_strv_length (positives), ==, 3);
  g_assert_cmpstr (positives[0], ==, "\"rent\"");
  g_assert_cmpstr (positives[1], ==, "\"late fee\"");
  g_assert_cmpstr (positives[2], ==, "\"dep\" *");
  g_assert_cmpuint (g_strv_length (negatives), ==, 1);
  g_assert_cmpstr (negatives[0], ==, "\"water\"");
  joined = docent_fts_query_join ((const char *const *) positives,
                                  (const char *const *) negatives);
  g_assert_cmpstr (joined, ==, "(\"rent\" OR \"late fee\" OR \"dep\" *) NOT \"water\"");
  g_clear_pointer (&positives, g_strfreev);
  g_clear_pointer (&negatives, g_strfreev);

  g_assert_false (docent_query_parts ("-only", &positives, &negatives));
  g_assert_null (positives);
  g_assert_null (negatives);
}

static void
test_terms (void)
{
  /* "Tenant's" is the phrase "tenant s": a stop word inside a phrase stays. */
  g_auto(GStrv) terms = docent_query_terms ("What is the Tenant's RENT? \"Late Fee\" rent dep* -water");
  g_auto(GStrv) none = docent_query_terms ("-water");
  const char *const expected[] = { "tenant", "s", "rent", "late", "fee", "dep", NULL };

  g_assert_true (g_strv_equal ((const char *const *) terms, expected));
  g_assert_nonnull (none);
  g_assert_null (none[0]);
}

/* bsearch needs it, and a typo in the list would silently disable words. */
static void
test_stop_words_sorted (void)
{
  g_autofree char *all = docent_fts_query_from_user ("the");
  g_autofree char *mixed = docent_fts_query_from_user ("aren't wouldn't the a rent");

  g_assert_cmpstr (all, ==, "\"the\"");
  g_assert_cmpstr (mixed, ==, "\"rent\"");
}

static void
test_matches_in_fts (void)
{
  sqlite3 *db = open_fts ();

  g_assert_cmpint (run_match (db, "tenant"), ==, 1);
  g_assert_cmpint (run_match (db, "Tenant rent"), ==, 1);
  g_assert_cmpint (run_match (db, "e-mail"), ==, 1);
  g_assert_cmpint (run_match (db, "O'Brien"), ==, 1);
  g_assert_cmpint (run_match (db, "3.5"), ==, 1);
  g_assert_cmpint (run_match (db, "cafe"), ==, 1);
  g_assert_cmpint (run_match (db, "CAFÉ"), ==, 1);
  g_assert_cmpint (run_match (db, "東京"), ==, 1);
  g_assert_cmpint (run_match (db, "terminated"), ==, 1);
  g_assert_cmpint (run_match (db, "termin*"), ==, 1);
  g_assert_cmpint (run_match (db, "\"written notice\""), ==, 1);
  g_assert_cmpint (run_match (db, "\"notice written\""), ==, 0);
  g_assert_cmpint (run_match (db, "the -tenant"), ==, 1);
  g_assert_cmpint (run_match (db, "rent agreement"), ==, 2);
  g_assert_cmpint (run_match (db, "rent agreement -notice"), ==, 1);
  g_assert_cmpint (run_match (db, "-tenant"), ==, -1);
  sqlite3_close (db);
}

static void
test_nasty_inputs (void)
{
  sqlite3 *db = open_fts ();
  static const char *const inputs[] = {
    "", " ", "\t\n", "!!!", "\"", "\"\"", "\"\"\"", "\" \"", "*", "**", "-", "--", "- -",
    "NOT", "NOT NOT", "OR", "OR OR", "AND", "AND AND", "NEAR", "(", ")", "()", "((a)",
    "NEAR(a b)", "NEAR(a b, 3)", "a:b", "col:term", "text:rent", "heading : rent",
    "^start", "{a b}", "{text heading}: rent", "'; DROP TABLE chunks; --",
    "a + b", "a - b", "-a -b -c", "rent NOT", "NOT rent", "rent OR", "OR rent",
    "\"unbalanced", "un\"bal\"anced\"", "a\"b", "*rent", "re*nt", "rent*s", "-*", "-\"\"",
    "🎉🎉", "🎉 rent 🎉", "東京 会議", "مرحبا بالعالم", "cafe\xcc\x81", "\xcc\x81",
    "C++", "e-mail", "x\x01y", "tab\there", "line\nbreak", "\\", "\\\"", "%_%",
    "\xff\xfe invalid utf8 \xc3", "NOT -\"x\"", "\"NOT\"", "\"OR\" \"AND\"",
  };

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    run_match (db, inputs[i]);
  sqlite3_close (db);
}

static void
test_random_bytes (void)
{
  sqlite3 *db = open_fts ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (1234);
  g_autofree char *bytes = g_malloc (10001);
  g_autofree char *valid = NULL;

  for (guint i = 0; i < 10000; i++)
    bytes[i] = (char) g_rand_int_range (rand, 1, 256);
  bytes[10000] = '\0';
  valid = g_utf8_make_valid (bytes, -1);
  run_match (db, bytes);
  run_match (db, valid);
  sqlite3_close (db);
}

static void
test_fuzz (void)
{
  static const char *const pieces[] = {
    "\"", "\"", "*", "-", "+", "(", ")", ":", "^", "{", "}", ",", ".", "'", ";",
    "NOT", "OR", "AND", "NEAR", "not", "or", "the", "rent", "tenant", "café",
    "東京", "🎉", " ", " ", " ", "\t", "e-mail", "x*", "-y", "\"z", "a:b", "\\",
  };
  sqlite3 *db = open_fts ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);

  for (guint i = 0; i < 3000; i++)
    {
      g_autoptr(GString) s = g_string_new (NULL);
      guint n = g_rand_int_range (rand, 0, 12);

      for (guint j = 0; j < n; j++)
        {
          if (g_rand_int_range (rand, 0, 8) == 0)
            g_string_append_c (s, (char) g_rand_int_range (rand, 33, 127));
          else
            g_string_append (s, pieces[g_rand_int_range (rand, 0, G_N_ELEMENTS (pieces))]);
        }
      run_match (db, s->str);
    }
  sqlite3_close (db);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/query/translations", test_translations);
  g_test_add_func ("/query/term-cap", test_term_cap);
  g_test_add_func ("/query/parts", test_parts);
  g_test_add_func ("/query/terms", test_terms);
  g_test_add_func ("/query/stop-words", test_stop_words_sorted);
  g_test_add_func ("/query/matches-in-fts", test_matches_in_fts);
  g_test_add_func ("/query/nasty-inputs", test_nasty_inputs);
  g_test_add_func ("/query/random-bytes", test_random_bytes);
  g_test_add_func ("/query/fuzz", test_fuzz);

  return g_test_run ();
}
