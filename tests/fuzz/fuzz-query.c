/* fuzz-query.c — libFuzzer entry point for the search-box parser
 * (index/query.c). The input is what a person might type, any bytes. The
 * promise checked is query.h's: whatever the input, the MATCH expressions
 * built from it (the whole query, each part alone, and the part-against-
 * the-rest form search.c builds) never make FTS5 raise an error. They are
 * run against a small in-memory FTS5 table with the store's tokenizer.
 * Also: the parts join back into the whole query, and the highlight terms
 * are valid UTF-8. Built as a libFuzzer binary under clang
 * (-Dfuzzing=true) and, with replay.c, as a test over tests/fuzz/corpus/query. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "index/query.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) abort (); } while (0)

/* Same tokenizer as index/store.c's chunks_fts. */
static const char schema[] =
  "CREATE VIRTUAL TABLE t USING fts5 (text, heading,"
  "  tokenize = 'porter unicode61 remove_diacritics 2');"
  "INSERT INTO t VALUES ('The tenant shall pay rent on the first day', 'Lease');"
  "INSERT INTO t VALUES ('Café prices rose 3.5% in Zürich; e-mail o''brien@example.org', 'Prices');"
  "INSERT INTO t VALUES ('日本語のテキスト and naïve résumé NOT OR AND NEAR', NULL);";

static sqlite3_stmt *match_stmt;

static void
open_table (void)
{
  sqlite3 *db = NULL;

  CHECK (sqlite3_open (":memory:", &db) == SQLITE_OK);
  CHECK (sqlite3_exec (db, schema, NULL, NULL, NULL) == SQLITE_OK);
  CHECK (sqlite3_prepare_v2 (db, "SELECT rowid, bm25 (t) FROM t WHERE t MATCH ?1",
                             -1, &match_stmt, NULL) == SQLITE_OK);
  /* The connection lives as long as the process. */
}

/* FTS5 accepts the expression: every row comes back without an error. */
static void
check_match (const char *expression)
{
  int rc;

  CHECK (expression != NULL && g_utf8_validate (expression, -1, NULL));
  sqlite3_reset (match_stmt);
  CHECK (sqlite3_bind_text (match_stmt, 1, expression, -1, SQLITE_STATIC) == SQLITE_OK);
  while ((rc = sqlite3_step (match_stmt)) == SQLITE_ROW)
    ;
  if (rc != SQLITE_DONE)
    {
      fprintf (stderr, "FTS5 refused %s: %s\n", expression,
               sqlite3_errmsg (sqlite3_db_handle (match_stmt)));
      abort ();
    }
  sqlite3_reset (match_stmt);
}

/* search.c's second pass: the first part, NOT every other part. */
static void
check_rest_form (GStrv positives,
                 GStrv negatives)
{
  g_autoptr(GPtrArray) chosen = g_ptr_array_new ();
  g_autoptr(GPtrArray) excluded = g_ptr_array_new ();
  g_autofree char *expression = NULL;

  g_ptr_array_add (chosen, positives[0]);
  g_ptr_array_add (chosen, NULL);
  for (guint i = 1; positives[i] != NULL; i++)
    g_ptr_array_add (excluded, positives[i]);
  for (guint i = 0; negatives[i] != NULL; i++)
    g_ptr_array_add (excluded, negatives[i]);
  g_ptr_array_add (excluded, NULL);
  expression = docent_fts_query_join ((const char *const *) chosen->pdata,
                                      (const char *const *) excluded->pdata);
  check_match (expression);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autofree char *query = NULL;
  g_autofree char *joined = NULL;
  g_auto(GStrv) positives = NULL;
  g_auto(GStrv) negatives = NULL;
  g_auto(GStrv) terms = NULL;
  gboolean any;

  if (match_stmt == NULL)
    open_table ();

  query = docent_fts_query_from_user (text);
  any = docent_query_parts (text, &positives, &negatives);
  CHECK (any == (query != NULL));
  if (query != NULL)
    {
      check_match (query);
      CHECK (positives != NULL && positives[0] != NULL && negatives != NULL);
      for (guint i = 0; positives[i] != NULL; i++)
        check_match (positives[i]);
      joined = docent_fts_query_join ((const char *const *) positives,
                                      (const char *const *) negatives);
      CHECK (g_strcmp0 (joined, query) == 0);
      check_rest_form (positives, negatives);
    }
  else
    CHECK (positives == NULL && negatives == NULL);

  terms = docent_query_terms (text);
  for (guint i = 0; terms != NULL && terms[i] != NULL; i++)
    CHECK (terms[i][0] != '\0' && g_utf8_validate (terms[i], -1, NULL));
  return 0;
}
