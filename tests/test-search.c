/* test-search.c — BM25 search over a generated library: ranking, query
 * operators, filters, snippets, and (with -m perf) latency at 100,000
 * chunks. */
#include "index/search.h"
#include "tests/fixtures.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  char *dir;
  DocentStore *store;
  gint64 special_id;   /* the document with the hand-written chunks */
  gint64 other_id;     /* a second one, in collection "other" */
} Library;

/* Hand-written passages among the prose; the prose never uses these words. */
static const char *const special_texts[] = {
  /* 0 */ "The zebra and the giraffe met an okapi at the river.",
  /* 1 */ "A zebra crossed the road alone.",
  /* 2 */ "Only a giraffe lives in this paragraph.",
  /* 3 */ "The quick brown fox jumps over the lazy dog.",
  /* 4 */ "Brown and quick, the fox was gone.",
  /* 5 */ "A fox sleeps in the snow.",
  /* 6 */ "Le café est fermé le dimanche.",
  /* 7 */ "The lease agreement ended when the landlord evicted him.",
  /* 8 */ "A pelican stood on the pier.",
};

static DocentStore *
open_store (const char *dir)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (dir, "library.db", NULL);
  DocentStore *store = docent_store_open (path, &error);

  g_assert_no_error (error);
  return store;
}

/* Stores a document whose chunk i has text texts[i] on page i + 1. */
static gint64
put_texts (DocentStore       *store,
           const char        *path,
           const char *const *texts,
           guint              n,
           const char        *heading,
           const char        *collection)
{
  g_autoptr(GError) error = NULL;
  g_autofree DocentStorePage *pages = g_new0 (DocentStorePage, n);
  g_autofree DocentStoreChunk *chunks = g_new0 (DocentStoreChunk, n);
  DocentDocRecord rec = { 0 };
  gint64 id;

  rec.path = (char *) path;
  rec.title = (char *) "A title";
  for (guint i = 0; i < n; i++)
    {
      pages[i].page_no = i + 1;
      pages[i].text = texts[i];
      chunks[i].ordinal = i;
      chunks[i].page_start = chunks[i].page_end = i + 1;
      chunks[i].char_start = 0;
      chunks[i].char_end = g_utf8_strlen (texts[i], -1);
      chunks[i].heading = heading;
      chunks[i].text = texts[i];
    }
  id = docent_store_put_document (store, &rec, pages, n, chunks, n, collection, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

/* `n_docs` documents of `per_doc` chunks of prose of `words` words each. */
static void
put_prose (DocentStore *store,
           guint        first_doc,
           guint        n_docs,
           guint        per_doc,
           guint        words)
{
  for (guint d = first_doc; d < first_doc + n_docs; d++)
    {
      g_autofree char *path = g_strdup_printf ("/prose/%05u.txt", d);
      g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);

      for (guint c = 0; c < per_doc; c++)
        g_ptr_array_add (texts, docent_test_prose (d * per_doc + c + 1, words));
      put_texts (store, path, (const char *const *) texts->pdata, per_doc,
                 d % 3 ? NULL : "Payment of rent", d % 2 ? "odd" : NULL);
    }
}

static void
library_setup (Library       *lib,
               gconstpointer  data)
{
  static const char *const other_texts[] = {
    "Another pelican flew over the harbour.",
    "The giraffe in the other collection.",
  };

  lib->dir = docent_test_tmpdir ();
  lib->store = open_store (lib->dir);
  put_prose (lib->store, 0, 10, 100, 120);
  lib->special_id = put_texts (lib->store, "/special/animals.txt", special_texts,
                               G_N_ELEMENTS (special_texts), "Animals", "animals");
  put_prose (lib->store, 10, 10, 100, 120);
  lib->other_id = put_texts (lib->store, "/special/other.txt", other_texts,
                             G_N_ELEMENTS (other_texts), NULL, "other");
}

static void
library_teardown (Library       *lib,
                  gconstpointer  data)
{
  docent_store_close (lib->store);
  docent_test_rm_rf (lib->dir);
  g_free (lib->dir);
}

static GPtrArray *
search_full (DocentStore         *store,
             const char          *query,
             guint                limit,
             const char          *collection,
             gint64               document_id,
             DocentSearchTimings *timings)
{
  g_autoptr(GError) error = NULL;
  DocentSearchOptions opts = { query, limit, collection, document_id };
  GPtrArray *hits = docent_store_search (store, &opts, timings, &error);

  g_assert_no_error (error);
  g_assert_nonnull (hits);
  for (guint i = 1; i < hits->len; i++)
    {
      DocentSearchHit *prev = g_ptr_array_index (hits, i - 1);
      DocentSearchHit *hit = g_ptr_array_index (hits, i);

      g_assert_cmpfloat (prev->score, >=, hit->score);
    }
  return hits;
}

static GPtrArray *
search (DocentStore *store,
        const char  *query)
{
  return search_full (store, query, 0, NULL, 0, NULL);
}

static const char *
hit_text (GPtrArray *hits,
          guint      i)
{
  return ((DocentSearchHit *) g_ptr_array_index (hits, i))->text;
}

static void
test_ranking (Library       *lib,
              gconstpointer  data)
{
  g_autoptr(GPtrArray) hits = search (lib->store, "zebra giraffe okapi");

  /* All three words first; then the single-word passages. */
  g_assert_cmpuint (hits->len, ==, 4);
  g_assert_cmpstr (hit_text (hits, 0), ==, special_texts[0]);
  for (guint i = 1; i < hits->len; i++)
    g_assert_cmpstr (hit_text (hits, i), !=, special_texts[0]);
  g_assert_cmpfloat (((DocentSearchHit *) g_ptr_array_index (hits, 0))->score, >,
                     ((DocentSearchHit *) g_ptr_array_index (hits, 1))->score);
}

/* The scores are those of FTS5's bm25() with the same weights (negated),
 * where every count is exact as in a small library. */
static void
test_scores_are_bm25 (Library       *lib,
                      gconstpointer  data)
{
  static const char sql[] =
    "SELECT -bm25(chunks_fts, 1.0, 0.5) FROM chunks_fts"
    " WHERE chunks_fts MATCH ?1 AND rowid = ?2";
  const char *const queries[][2] = {
    { "zebra giraffe okapi", "\"zebra\" OR \"giraffe\" OR \"okapi\"" },
    { "\"quick brown\" fox", "\"quick brown\" OR \"fox\"" },
    { "pelican", "\"pelican\"" },
  };
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (docent_store_db (lib->store), sql, -1, &stmt, NULL),
                   ==, SQLITE_OK);
  for (guint q = 0; q < G_N_ELEMENTS (queries); q++)
    {
      g_autoptr(GPtrArray) hits = search (lib->store, queries[q][0]);

      g_assert_cmpuint (hits->len, >, 0);
      for (guint i = 0; i < hits->len; i++)
        {
          DocentSearchHit *hit = g_ptr_array_index (hits, i);

          sqlite3_bind_text (stmt, 1, queries[q][1], -1, SQLITE_STATIC);
          sqlite3_bind_int64 (stmt, 2, hit->chunk_id);
          g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
          g_assert_cmpfloat_with_epsilon (hit->score, sqlite3_column_double (stmt, 0), 1e-9);
          sqlite3_reset (stmt);
        }
    }
  sqlite3_finalize (stmt);
}

static void
test_hit_fields (Library       *lib,
                 gconstpointer  data)
{
  g_autoptr(GPtrArray) hits = search (lib->store, "okapi");
  DocentSearchHit *hit;

  g_assert_cmpuint (hits->len, ==, 1);
  hit = g_ptr_array_index (hits, 0);
  g_assert_cmpint (hit->document_id, ==, lib->special_id);
  g_assert_cmpint (hit->chunk_id, >, 0);
  g_assert_cmpstr (hit->path, ==, "/special/animals.txt");
  g_assert_cmpstr (hit->title, ==, "A title");
  g_assert_cmpstr (hit->heading, ==, "Animals");
  g_assert_cmpuint (hit->page_start, ==, 1);
  g_assert_cmpuint (hit->page_end, ==, 1);
  g_assert_cmpuint (hit->char_start, ==, 0);
  g_assert_cmpuint (hit->char_end, ==, g_utf8_strlen (special_texts[0], -1));
  g_assert_cmpstr (hit->text, ==, special_texts[0]);
  g_assert_cmpfloat (hit->score, >, 0);
}

static void
test_phrase (Library       *lib,
             gconstpointer  data)
{
  g_autoptr(GPtrArray) phrase = search (lib->store, "\"quick brown fox\"");
  g_autoptr(GPtrArray) words = search (lib->store, "quick brown fox");

  g_assert_cmpuint (phrase->len, ==, 1);
  g_assert_cmpstr (hit_text (phrase, 0), ==, special_texts[3]);
  g_assert_cmpuint (words->len, ==, 3);
}

static void
test_exclusion (Library       *lib,
                gconstpointer  data)
{
  g_autoptr(GPtrArray) minus = search (lib->store, "fox -brown");
  g_autoptr(GPtrArray) not = search (lib->store, "fox NOT \"lazy dog\"");
  g_autoptr(GPtrArray) only_not = search (lib->store, "-fox");

  g_assert_cmpuint (minus->len, ==, 1);
  g_assert_cmpstr (hit_text (minus, 0), ==, special_texts[5]);
  g_assert_cmpuint (not->len, ==, 2);
  for (guint i = 0; i < not->len; i++)
    g_assert_cmpstr (hit_text (not, i), !=, special_texts[3]);
  g_assert_cmpuint (only_not->len, ==, 0);
}

static void
test_prefix (Library       *lib,
             gconstpointer  data)
{
  g_autoptr(GPtrArray) hits = search (lib->store, "giraf*");
  g_autoptr(GPtrArray) none = search (lib->store, "giraf");

  g_assert_cmpuint (hits->len, ==, 3);
  g_assert_cmpuint (none->len, ==, 0);
}

static void
test_filters (Library       *lib,
              gconstpointer  data)
{
  g_autoptr(GPtrArray) all = search (lib->store, "pelican giraffe");
  g_autoptr(GPtrArray) animals = search_full (lib->store, "pelican giraffe", 0, "animals", 0, NULL);
  g_autoptr(GPtrArray) other = search_full (lib->store, "pelican giraffe", 0, "other", 0, NULL);
  g_autoptr(GPtrArray) document = search_full (lib->store, "pelican giraffe", 0, NULL, lib->other_id, NULL);
  g_autoptr(GPtrArray) both = search_full (lib->store, "pelican", 0, "other", lib->special_id, NULL);
  g_autoptr(GPtrArray) missing = search_full (lib->store, "pelican", 0, "no such collection", 0, NULL);
  g_autoptr(GPtrArray) prose = search_full (lib->store, "tenant", 500, "odd", 0, NULL);

  g_assert_cmpuint (all->len, ==, 5);
  g_assert_cmpuint (animals->len, ==, 3);
  for (guint i = 0; i < animals->len; i++)
    g_assert_cmpint (((DocentSearchHit *) g_ptr_array_index (animals, i))->document_id, ==, lib->special_id);
  g_assert_cmpuint (other->len, ==, 2);
  g_assert_cmpuint (document->len, ==, 2);
  for (guint i = 0; i < document->len; i++)
    g_assert_cmpint (((DocentSearchHit *) g_ptr_array_index (document, i))->document_id, ==, lib->other_id);
  g_assert_cmpuint (both->len, ==, 0);
  g_assert_cmpuint (missing->len, ==, 0);

  /* Prose documents with an odd number are in "odd". */
  g_assert_cmpuint (prose->len, >, 0);
  for (guint i = 0; i < prose->len; i++)
    {
      DocentSearchHit *hit = g_ptr_array_index (prose, i);
      guint n = atoi (hit->path + strlen ("/prose/"));

      g_assert_true (g_str_has_prefix (hit->path, "/prose/"));
      g_assert_cmpuint (n % 2, ==, 1);
    }
}

/* Several chosen documents: hits come from them only, whatever the
 * collection says; ids without chunks are ignored. */
static void
test_document_list (Library       *lib,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const gint64 ids[] = { lib->other_id, 999999, lib->special_id };
  DocentSearchOptions opts = { "pelican giraffe", 0, "no such collection", 0, ids, G_N_ELEMENTS (ids) };
  g_autoptr(GPtrArray) hits = docent_store_search (lib->store, &opts, NULL, &error);
  const gint64 only_other[] = { lib->other_id };
  DocentSearchOptions one = { "pelican giraffe", 0, NULL, 0, only_other, 1 };
  g_autoptr(GPtrArray) one_hits = NULL;
  guint from_special = 0;

  g_assert_no_error (error);
  g_assert_cmpuint (hits->len, ==, 5);
  for (guint i = 0; i < hits->len; i++)
    {
      gint64 doc = ((DocentSearchHit *) g_ptr_array_index (hits, i))->document_id;

      g_assert_true (doc == lib->other_id || doc == lib->special_id);
      from_special += doc == lib->special_id;
    }
  g_assert_cmpuint (from_special, ==, 3);
  one_hits = docent_store_search (lib->store, &one, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (one_hits->len, ==, 2);
}

static void
test_snippet (Library       *lib,
              gconstpointer  data)
{
  g_autoptr(GPtrArray) hits = search (lib->store, "okapi river");
  DocentSearchHit *hit;
  g_autofree char *plain = NULL;
  g_autofree char *markup = NULL;

  g_assert_cmpuint (hits->len, ==, 1);
  hit = g_ptr_array_index (hits, 0);
  g_assert_nonnull (strstr (hit->snippet, DOCENT_MARK_START "okapi" DOCENT_MARK_END));
  g_assert_nonnull (strstr (hit->snippet, DOCENT_MARK_START "river" DOCENT_MARK_END));
  g_assert_null (strstr (hit->snippet, DOCENT_MARK_START "zebra"));

  plain = docent_snippet_render (hit->snippet, "[", "]", FALSE);
  g_assert_cmpstr (plain, ==, "The zebra and the giraffe met an [okapi] at the [river].");
  markup = docent_snippet_render ("a < " DOCENT_MARK_START "b&c" DOCENT_MARK_END " > d",
                                  "<b>", "</b>", TRUE);
  g_assert_cmpstr (markup, ==, "a &lt; <b>b&amp;c</b> &gt; d");
}

static void
test_snippet_marks_dropped_parts (Library       *lib,
                                  gconstpointer  data)
{
  /* "tenant" is in most chunks and left out of the scoring, but is still
   * marked in the snippet. */
  g_autoptr(GPtrArray) hits = search (lib->store, "tenant agreement lease");
  DocentSearchHit *hit;

  g_assert_cmpuint (hits->len, >, 0);
  hit = g_ptr_array_index (hits, 0);
  g_assert_cmpstr (hit->text, ==, special_texts[7]);
  g_assert_nonnull (strstr (hit->snippet, DOCENT_MARK_START "lease" DOCENT_MARK_END));
  g_assert_nonnull (strstr (hit->snippet, DOCENT_MARK_START "agreement" DOCENT_MARK_END));
}

static void
test_diacritics_and_stemming (Library       *lib,
                              gconstpointer  data)
{
  const char *const queries[] = { "cafe", "CAFÉ", "ferme" };
  const char *const stems[] = { "evicting", "evict", "eviction" };

  for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
    {
      g_autoptr(GPtrArray) hits = search (lib->store, queries[i]);

      g_assert_cmpuint (hits->len, ==, 1);
      g_assert_cmpstr (hit_text (hits, 0), ==, special_texts[6]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (stems); i++)
    {
      g_autoptr(GPtrArray) hits = search (lib->store, stems[i]);

      g_assert_cmpuint (hits->len, ==, 1);
      g_assert_cmpstr (hit_text (hits, 0), ==, special_texts[7]);
    }
}

static void
test_limit_and_timings (Library       *lib,
                        gconstpointer  data)
{
  DocentSearchTimings timings = { -1, -1, -1 };
  g_autoptr(GPtrArray) five = search_full (lib->store, "tenant", 5, NULL, 0, &timings);
  g_autoptr(GPtrArray) deflt = search (lib->store, "tenant");
  g_autoptr(GPtrArray) many = search_full (lib->store, "tenant", 100000, NULL, 0, NULL);
  g_autoptr(GPtrArray) top = search_full (lib->store, "tenant", 1, NULL, 0, NULL);

  g_assert_cmpuint (five->len, ==, 5);
  g_assert_cmpuint (deflt->len, ==, 10);
  /* Every chunk of the prose says "tenant" somewhere. */
  g_assert_cmpuint (many->len, >, 1500);
  g_assert_cmpuint (many->len, <=, 2000);
  g_assert_cmpint (((DocentSearchHit *) g_ptr_array_index (top, 0))->chunk_id, ==,
                   ((DocentSearchHit *) g_ptr_array_index (five, 0))->chunk_id);
  for (guint i = 0; i < five->len; i++)
    g_assert_cmpint (((DocentSearchHit *) g_ptr_array_index (five, i))->chunk_id, ==,
                     ((DocentSearchHit *) g_ptr_array_index (many, i))->chunk_id);

  g_assert_cmpfloat (timings.parse_ms, >=, 0);
  g_assert_cmpfloat (timings.fts_ms, >=, 0);
  g_assert_cmpfloat (timings.total_ms, >=, timings.fts_ms);
  g_assert_cmpfloat (timings.total_ms, >=, timings.parse_ms);
}

static void
test_nothing_to_search (Library       *lib,
                        gconstpointer  data)
{
  const char *const queries[] = { "", "   ", "!!!", "-tenant", "\"", "NOT OR", "🎉", NULL };

  for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
    {
      DocentSearchTimings timings = { -1, -1, -1 };
      g_autoptr(GPtrArray) hits = search_full (lib->store, queries[i], 0, NULL, 0, &timings);

      g_assert_cmpuint (hits->len, ==, 0);
      g_assert_cmpfloat (timings.fts_ms, ==, 0);
      g_assert_cmpfloat (timings.total_ms, >=, 0);
    }
}

static void
test_removed_document (Library       *lib,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) before = search (lib->store, "pelican");
  g_autoptr(GPtrArray) after = NULL;

  g_assert_cmpuint (before->len, ==, 2);
  g_assert_true (docent_store_remove_document (lib->store, lib->other_id, &error));
  g_assert_no_error (error);
  after = search (lib->store, "pelican");
  g_assert_cmpuint (after->len, ==, 1);
  g_assert_cmpint (((DocentSearchHit *) g_ptr_array_index (after, 0))->document_id, ==, lib->special_id);
}

/* More matches than one query scores: the newest are ranked, and a filter
 * or a large limit still reaches the older ones. */
static void
test_window (void)
{
  g_autofree char *dir = docent_test_tmpdir ();
  g_autoptr(DocentStore) store = open_store (dir);
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) oldest = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) rare = NULL;
  gint64 first_id;

  for (guint i = 0; i < 500; i++)
    g_ptr_array_add (texts, g_strdup_printf ("common word %u", i));
  g_free (g_ptr_array_index (texts, 3));
  g_ptr_array_index (texts, 3) = g_strdup ("common word with a rare unicorn");
  first_id = put_texts (store, "/window/0000.txt", (const char *const *) texts->pdata,
                        texts->len, NULL, "first");
  for (guint d = 1; d < 30; d++)
    {
      g_autofree char *path = g_strdup_printf ("/window/%04u.txt", d);

      g_free (g_ptr_array_index (texts, 3));
      g_ptr_array_index (texts, 3) = g_strdup ("common word 3");
      put_texts (store, path, (const char *const *) texts->pdata, texts->len, NULL, NULL);
    }

  /* 15,000 chunks say "common"; the first document only is in "first". */
  oldest = search_full (store, "common", 0, "first", 0, NULL);
  g_assert_cmpuint (oldest->len, ==, 10);
  for (guint i = 0; i < oldest->len; i++)
    g_assert_cmpint (((DocentSearchHit *) g_ptr_array_index (oldest, i))->document_id, ==, first_id);

  all = search_full (store, "common", 20000, NULL, 0, NULL);
  g_assert_cmpuint (all->len, ==, 15000);

  /* A rare word with a common one: the rare one decides, the common one
   * fills the rest. */
  rare = search_full (store, "common unicorn", 3, NULL, 0, NULL);
  g_assert_cmpuint (rare->len, ==, 3);
  g_assert_cmpstr (hit_text (rare, 0), ==, "common word with a rare unicorn");

  g_clear_pointer (&store, docent_store_close);
  docent_test_rm_rf (dir);
}

static int
compare_double (const void *a,
                const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* -m perf: latency at 100,000 chunks of about 300 words. */
static void
test_perf (void)
{
  static const char *const queries[] = {
    "tenant",                               /* in 98% of the chunks */
    "when does the agreement terminate?",   /* a question */
    "blood pressure after three weeks",
    "\"written notice\"",                   /* a phrase of common words */
    "quixotic",                             /* rare */
    "arbitration clause",
    "warr*",
  };
  g_autofree char *dir = NULL;
  g_autoptr(DocentStore) store = NULL;
  gint64 start;

  if (!g_test_perf ())
    {
      g_test_skip ("run with -m perf");
      return;
    }
  dir = docent_test_tmpdir ();
  store = open_store (dir);
  start = g_get_monotonic_time ();
  for (guint d = 0; d < 1000; d++)
    {
      g_autofree char *path = g_strdup_printf ("/perf/%04u.txt", d);
      g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);

      for (guint c = 0; c < 100; c++)
        {
          guint n = d * 100 + c;
          char *text = docent_test_prose (n + 1, 300);

          if (n % 10000 == 7)
            text = g_strconcat (g_steal_pointer (&text), " A quixotic zeitgeist.", NULL);
          if (n % 1000 == 3)
            text = g_strconcat (g_steal_pointer (&text), " The arbitration clause applies.", NULL);
          g_ptr_array_add (texts, text);
        }
      put_texts (store, path, (const char *const *) texts->pdata, 100,
                 d % 5 ? NULL : "Payment of rent", NULL);
    }
  g_test_message ("built 100,000 chunks in %.1f s", (g_get_monotonic_time () - start) / 1e6);

  for (guint q = 0; q < G_N_ELEMENTS (queries); q++)
    {
      double ms[40];

      for (guint i = 0; i < G_N_ELEMENTS (ms); i++)
        {
          DocentSearchTimings timings;
          g_autoptr(GPtrArray) hits = search_full (store, queries[q], 10, NULL, 0, &timings);

          g_assert_cmpuint (hits->len, ==, 10);
          ms[i] = timings.total_ms;
        }
      qsort (ms, G_N_ELEMENTS (ms), sizeof ms[0], compare_double);
      g_test_message ("%-40s p50 %6.2f ms  p95 %6.2f ms", queries[q],
                      ms[G_N_ELEMENTS (ms) / 2], ms[G_N_ELEMENTS (ms) * 95 / 100]);
    }

  g_clear_pointer (&store, docent_store_close);
  docent_test_rm_rf (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) \
  g_test_add ("/search/" name, Library, NULL, library_setup, func, library_teardown)
  ADD ("ranking", test_ranking);
  ADD ("scores-are-bm25", test_scores_are_bm25);
  ADD ("hit-fields", test_hit_fields);
  ADD ("phrase", test_phrase);
  ADD ("exclusion", test_exclusion);
  ADD ("prefix", test_prefix);
  ADD ("filters", test_filters);
  ADD ("snippet", test_snippet);
  ADD ("snippet-marks-dropped-parts", test_snippet_marks_dropped_parts);
  ADD ("diacritics-stemming", test_diacritics_and_stemming);
  ADD ("limit-timings", test_limit_and_timings);
  ADD ("nothing-to-search", test_nothing_to_search);
  ADD ("removed-document", test_removed_document);
#undef ADD
  g_test_add ("/search/document-list", Library, NULL, library_setup, test_document_list,
              library_teardown);
  g_test_add_func ("/search/window", test_window);
  g_test_add_func ("/search/perf", test_perf);

  return g_test_run ();
}
