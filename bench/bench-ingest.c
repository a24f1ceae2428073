/* bench-ingest.c — how fast Docent turns PDFs into a searchable library and
 * how fast it searches it.
 *
 *  1. Baseline: `pdftotext` (poppler-utils) over the same PDFs, one after
 *     another — text extraction alone, no index.
 *  2. docent_library_add over the folder into a fresh library: extraction,
 *     chunking and SQLite/FTS5 writes; pages/s and chunks/s.
 *  3. Search latency p50/p95 over libraries of 10k and 100k chunks of
 *     Zipf-distributed prose (realistic term statistics), for several kinds
 *     of query.
 *
 * Usage: bench-ingest [--dir FOLDER] [--pdfs N] [--pages N] [--sizes 10000,100000]
 *                     [--write-corpus FOLDER] [--no-ingest] [--no-search]
 * Without --dir, a corpus of generated PDFs is written to a scratch folder. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/library.h"
#include "index/search.h"
#include "tests/fixtures.h"
#include "tests/pdfgen.h"

static double
now_s (void)
{
  return g_get_monotonic_time () / 1e6;
}

/* The corpus has realistic word statistics: Zipf-distributed made-up words
 * (DocentTestZipf in tests/fixtures.h, shared with bench-vectors). */

/* ---- stage 1 and 2: ingest -------------------------------------------- */

static GPtrArray *
write_corpus (const char *dir, guint n_pdfs, guint pages_per_pdf)
{
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(DocentTestZipf) z = docent_test_zipf_new (20000, 42);

  for (guint i = 0; i < n_pdfs; i++)
    {
      g_autoptr(GPtrArray) pages = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(GError) error = NULL;
      char *path = g_strdup_printf ("%s/doc-%03u.pdf", dir, i);

      for (guint p = 0; p < pages_per_pdf; p++)
        {
          g_autofree char *a = docent_test_zipf_text (z, 160);
          g_autofree char *b = docent_test_zipf_text (z, 160);

          g_ptr_array_add (pages, g_strdup_printf ("# Section %u.%u\n\n%s\n\n%s", i, p, a, b));
        }
      if (!docent_test_write_pdf (path, NULL, (const char *const *) pages->pdata,
                                  pages->len, &error))
        g_error ("cannot write %s: %s", path, error->message);
      g_ptr_array_add (paths, path);
    }
  return paths;
}

static GPtrArray *
list_pdfs (const char *dir)
{
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    if (g_str_has_suffix (name, ".pdf"))
      g_ptr_array_add (paths, g_build_filename (dir, name, NULL));
  g_ptr_array_sort (paths, (GCompareFunc) g_strcmp0);
  return paths;
}

static double
run_pdftotext (GPtrArray *paths, const char *scratch)
{
  g_autofree char *out = g_build_filename (scratch, "pdftotext.txt", NULL);
  double start = now_s ();

  for (guint i = 0; i < paths->len; i++)
    {
      const char *argv[] = { "pdftotext", paths->pdata[i], out, NULL };
      g_autoptr(GError) error = NULL;
      int status;

      if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                         NULL, NULL, &status, &error) ||
          !g_spawn_check_wait_status (status, NULL))
        {
          fprintf (stderr, "pdftotext failed on %s: %s\n", (char *) paths->pdata[i],
                   error ? error->message : "non-zero exit");
          return -1;
        }
    }
  return now_s () - start;
}

static void
bench_ingest (const char *corpus, GPtrArray *paths, const char *scratch)
{
  g_autofree char *lib_dir = g_build_filename (scratch, "library", NULL);
  g_autoptr(DocentLibrary) library = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;
  const char *add_paths[] = { corpus, NULL };
  double baseline, start, ingest;
  guint64 pages = 0, chunks = 0;

  baseline = run_pdftotext (paths, scratch);
  library = docent_library_open (lib_dir, &error);
  g_assert_no_error (error);
  start = now_s ();
  if (!docent_library_add (library, add_paths, NULL, &results, &error))
    g_error ("add failed: %s", error->message);
  ingest = now_s () - start;
  for (guint i = 0; i < results->len; i++)
    {
      DocentAddResult *r = results->pdata[i];

      if (r->outcome == DOCENT_ADD_FAILED)
        fprintf (stderr, "failed: %s: %s\n", r->path, r->error);
      pages += r->pages;
      chunks += r->chunks;
    }
  printf ("corpus: %u PDFs, %" G_GUINT64_FORMAT " pages, %" G_GUINT64_FORMAT " chunks\n",
          paths->len, pages, chunks);
  if (baseline >= 0)
    printf ("pdftotext, sequential:    %7.2f s  %8.1f pages/s\n", baseline, pages / baseline);
  printf ("docent add, %2u threads:   %7.2f s  %8.1f pages/s  %8.1f chunks/s\n",
          g_get_num_processors (), ingest, pages / ingest, chunks / ingest);
  if (baseline > 0)
    printf ("ingest time / pdftotext time: %.2f\n", ingest / baseline);
}

/* ---- stage 3: search latency ------------------------------------------ */

static void
fill_store (DocentStore *store, guint n_chunks, DocentTestZipf *z)
{
  const guint per_doc = 50;
  double start = now_s ();

  for (guint d = 0; d * per_doc < n_chunks; d++)
    {
      g_autofree char *path = g_strdup_printf ("/bench/doc-%06u.txt", d);
      g_autofree char *sha = g_compute_checksum_for_string (G_CHECKSUM_SHA256, path, -1);
      g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(GError) error = NULL;
      DocentStoreChunk chunks[50];
      DocentStorePage page = { .page_no = 1, .text = "" };
      DocentDocRecord rec = { .path = path, .sha256 = sha, .title = path, .type = "text",
                              .page_count = 1 };
      guint n = MIN (per_doc, n_chunks - d * per_doc);

      for (guint c = 0; c < n; c++)
        {
          char *text = docent_test_zipf_text (z, 230);

          g_ptr_array_add (texts, text);
          chunks[c] = (DocentStoreChunk) {
            .ordinal = c, .page_start = 1, .page_end = 1,
            .char_start = 0, .char_end = g_utf8_strlen (text, -1),
            .heading = NULL, .text = text,
          };
        }
      if (docent_store_put_document (store, &rec, &page, 1, chunks, n, NULL, &error) == 0)
        g_error ("put failed: %s", error->message);
    }
  printf ("  built %u chunks in %.1f s\n", n_chunks, now_s () - start);
}

static int
compare_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static char *
make_query (DocentTestZipf *z, guint kind)
{
  /* Frequency ranks: common words sit at the head of the vocabulary. */
  const char *common = docent_test_zipf_rank (z, docent_test_zipf_random (z) % 20);
  const char *mid = docent_test_zipf_rank (z, 100 + docent_test_zipf_random (z) % 900);
  const char *rare = docent_test_zipf_rank (z, 5000 + docent_test_zipf_random (z) % 15000);

  switch (kind)
    {
    case 0: return g_strdup (common);
    case 1: return g_strdup_printf ("what is %s %s for %s", mid, common, mid);
    case 2: return g_strdup_printf ("\"%s %s\"", common,
                                    docent_test_zipf_rank (z, docent_test_zipf_random (z) % 50));
    case 3: return g_strdup (rare);
    default: return g_strdup_printf ("%s %s %s %s %s", common, mid, rare,
                                     docent_test_zipf_rank (z, docent_test_zipf_random (z) % 200),
                                     mid);
    }
}

static void
bench_search_size (const char *scratch, guint n_chunks)
{
  static const char *const kinds[] = {
    "1 common word", "question, 3 words", "phrase", "1 rare word", "5 mixed words",
  };
  g_autofree char *path = g_strdup_printf ("%s/search-%u.db", scratch, n_chunks);
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentStore) store = docent_store_open (path, &error);
  g_autoptr(DocentTestZipf) z = docent_test_zipf_new (20000, 42);

  g_autoptr(GArray) all = g_array_new (FALSE, FALSE, sizeof (double));

  g_assert_no_error (error);
  printf ("search, %u chunks:\n", n_chunks);
  fill_store (store, n_chunks, z);
  for (guint kind = 0; kind < G_N_ELEMENTS (kinds); kind++)
    {
      enum { N = 200 };
      double ms[N];

      for (guint i = 0; i < N; i++)
        {
          g_autofree char *query = make_query (z, kind);
          DocentSearchOptions opts = { .query = query, .limit = 10 };
          double start = now_s ();
          g_autoptr(GPtrArray) hits = docent_store_search (store, &opts, NULL, &error);

          g_assert_no_error (error);
          ms[i] = (now_s () - start) * 1000;
        }
      g_array_append_vals (all, ms, N);
      qsort (ms, N, sizeof (double), compare_double);
      printf ("  %-18s p50 %6.2f ms  p95 %6.2f ms  max %6.2f ms\n",
              kinds[kind], ms[N / 2], ms[N * 95 / 100], ms[N - 1]);
    }
  g_array_sort (all, compare_double);
  printf ("  %-18s p50 %6.2f ms  p95 %6.2f ms  max %6.2f ms\n", "all queries",
          g_array_index (all, double, all->len / 2),
          g_array_index (all, double, all->len * 95 / 100),
          g_array_index (all, double, all->len - 1));
}

int
main (int argc, char **argv)
{
  g_autofree char *dir = NULL;
  g_autofree char *sizes = g_strdup ("10000,100000");
  int n_pdfs = 40, pages = 25;
  gboolean no_ingest = FALSE, no_search = FALSE;
  g_autofree char *write_to = NULL;
  const GOptionEntry entries[] = {
    { "dir", 0, 0, G_OPTION_ARG_FILENAME, &dir, "Ingest the PDFs of FOLDER instead of generated ones", "FOLDER" },
    { "pdfs", 0, 0, G_OPTION_ARG_INT, &n_pdfs, "Generated PDFs (default 40)", "N" },
    { "pages", 0, 0, G_OPTION_ARG_INT, &pages, "Pages per generated PDF (default 25)", "N" },
    { "sizes", 0, 0, G_OPTION_ARG_STRING, &sizes, "Chunk counts for search (default 10000,100000)", "LIST" },
    { "write-corpus", 0, 0, G_OPTION_ARG_FILENAME, &write_to, "Only write the generated PDFs to FOLDER", "FOLDER" },
    { "no-ingest", 0, 0, G_OPTION_ARG_NONE, &no_ingest, "Skip the ingest benchmark", NULL },
    { "no-search", 0, 0, G_OPTION_ARG_NONE, &no_search, "Skip the search benchmark", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— ingest and search benchmark");
  g_autoptr(GError) error = NULL;
  g_autofree char *scratch = docent_test_tmpdir ();

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 2;
    }
  if (write_to != NULL)
    {
      g_mkdir_with_parents (write_to, 0700);
      g_ptr_array_unref (write_corpus (write_to, n_pdfs, pages));
      docent_test_rm_rf (scratch);
      return 0;
    }
  if (!no_ingest)
    {
      g_autofree char *corpus = dir ? g_strdup (dir) : g_build_filename (scratch, "corpus", NULL);
      g_autoptr(GPtrArray) paths = NULL;

      if (dir == NULL)
        {
          g_mkdir_with_parents (corpus, 0700);
          printf ("writing %d PDFs of %d pages…\n", n_pdfs, pages);
          g_ptr_array_unref (write_corpus (corpus, n_pdfs, pages));
        }
      paths = list_pdfs (corpus);
      bench_ingest (corpus, paths, scratch);
    }
  if (!no_search)
    {
      g_auto(GStrv) list = g_strsplit (sizes, ",", -1);

      for (char **s = list; *s != NULL; s++)
        bench_search_size (scratch, (guint) g_ascii_strtoull (*s, NULL, 10));
    }
  docent_test_rm_rf (scratch);
  return 0;
}
