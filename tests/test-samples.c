/* test-samples.c — the sample library end to end: the PDFs generated at
 * build time are in the linked GResource, install into a library folder
 * with private permissions, come out of Docent's own PDF ingest with their
 * titles and headings, and can be searched and asked about: each sample
 * answers a question about one of its specific facts, citing the page that
 * holds it. */
#include <string.h>

#include <glib/gstdio.h>

#include "app/library.h"
#include "app/samples.h"
#include "ingest/extract.h"
#include "tests/fixtures.h"

typedef struct {
  const char *file;
  const char *title;
  const char *heading;     /* one heading the ingest must find */
  const char *fact;        /* a sentence fragment of the sample */
  const char *query;       /* words that find the fact (BM25) */
  const char *question;    /* a question the fact answers */
  const char *answer;      /* what the extractive answer must contain */
} Sample;

static const Sample samples[] = {
  { "coffee-machine-manual.pdf",
    "Solenne BM-420 Bean-to-Cup Coffee Machine: User Manual",
    "6. Error codes",
    "E05: The machine has overheated.",
    "E05 overheated",
    "What does error code E05 mean?",
    "overheated" },
  { "lease-agreement.pdf",
    "Residential Lease Agreement",
    "5. Deposit",
    "security deposit of \u20ac1,800",
    "security deposit",
    "How much is the deposit?",
    "1,800" },
  { "pneumonia-guideline.pdf",
    "Community-Acquired Pneumonia in Adults: Management in Primary Care",
    "4. Antibiotic treatment",
    "amoxicillin 500 mg three times a day for 5 days",
    "amoxicillin first choice",
    "What is the first choice antibiotic for low-severity pneumonia?",
    "amoxicillin 500 mg" },
};

/* One library with the samples added, shared by the tests that read it. */
static struct {
  char *dir;
  DocentLibrary *library;
} shared;

static const Sample *
sample_for_path (const char *path)
{
  g_autofree char *base = g_path_get_basename (path);

  for (guint i = 0; i < G_N_ELEMENTS (samples); i++)
    if (strcmp (base, samples[i].file) == 0)
      return &samples[i];
  return NULL;
}

static DocentLibrary *
shared_library (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) results = NULL;
  DocentAddOptions opts = { 0 };
  g_autofree char *dir = NULL;

  if (shared.library != NULL)
    return shared.library;
  shared.dir = docent_test_tmpdir ();
  dir = g_build_filename (shared.dir, "library", NULL);
  shared.library = docent_library_open (dir, &error);
  g_assert_no_error (error);
  opts.n_threads = 2;
  opts.no_ocr = TRUE;
  g_assert_true (docent_samples_add (shared.library, &opts, &results, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, G_N_ELEMENTS (samples));
  for (guint i = 0; i < results->len; i++)
    {
      const DocentAddResult *r = results->pdata[i];

      g_assert_nonnull (sample_for_path (r->path));
      g_assert_cmpint (r->outcome, ==, DOCENT_ADD_ADDED);
      g_assert_cmpstr (r->type, ==, "pdf");
      g_assert_cmpuint (r->pages, >, 1);
      g_assert_cmpuint (r->chunks, >, 3);
    }
  return shared.library;
}

/* The page of the stored document that holds `fact`, 0 when none does. */
static guint
page_of_fact (const char *path,
              const char *fact)
{
  g_autoptr(GBytes) bytes = docent_test_read_bytes (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentExtracted) doc = docent_extract (bytes, NULL, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < doc->pages->len; i++)
    {
      const DocentPage *page = doc->pages->pdata[i];

      if (strstr (page->text->str, fact) != NULL)
        return page->page_no;
    }
  return 0;
}

static void
test_list (void)
{
  g_auto(GStrv) names = docent_samples_list ();

  g_assert_cmpuint (g_strv_length (names), ==, G_N_ELEMENTS (samples));
  for (guint i = 0; i < G_N_ELEMENTS (samples); i++)
    g_assert_cmpstr (names[i], ==, samples[i].file);
}

static guint
file_mode (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_mode & 0777;
}

static void
test_install (void)
{
  g_autofree char *dir = docent_test_tmpdir ();
  g_autofree char *library_dir = g_build_filename (dir, "lib", NULL);
  g_autofree char *folder = g_build_filename (library_dir, DOCENT_SAMPLES_FOLDER, NULL);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) paths = docent_samples_install (library_dir, &error);
  g_auto(GStrv) again = NULL;
  GStatBuf before, after;

  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (paths), ==, G_N_ELEMENTS (samples));
  g_assert_cmpuint (file_mode (folder), ==, 0700);
  for (guint i = 0; paths[i] != NULL; i++)
    {
      g_autofree char *resource = g_strconcat (DOCENT_SAMPLES_RESOURCE_PATH, samples[i].file, NULL);
      g_autoptr(GBytes) expected = g_resources_lookup_data (resource, 0, &error);
      g_autoptr(GBytes) written = docent_test_read_bytes (paths[i]);

      g_assert_no_error (error);
      g_assert_true (g_str_has_prefix (paths[i], folder));
      g_assert_cmpuint (file_mode (paths[i]), ==, 0600);
      g_assert_true (g_bytes_equal (expected, written));
      g_assert_true (g_str_has_prefix (g_bytes_get_data (written, NULL), "%PDF-"));
    }

  /* An identical file is left alone; a damaged one is written again. */
  g_assert_cmpint (g_stat (paths[0], &before), ==, 0);
  g_assert_true (g_file_set_contents (paths[1], "damaged", -1, &error));
  again = docent_samples_install (library_dir, &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (again, paths);
  g_assert_cmpint (g_stat (paths[0], &after), ==, 0);
  g_assert_cmpuint (before.st_ino, ==, after.st_ino);
  g_assert_cmpint (before.st_mtime, ==, after.st_mtime);
  {
    g_autoptr(GBytes) repaired = docent_test_read_bytes (paths[1]);

    g_assert_cmpuint (g_bytes_get_size (repaired), >, 10000);
  }
  docent_test_rm_rf (dir);
}

/* Titles from the metadata, headings from the font sizes, the euro sign
 * and the paragraphs intact: what the generator does for the ingest. */
static void
test_extract (void)
{
  g_autofree char *dir = docent_test_tmpdir ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) paths = docent_samples_install (dir, &error);

  g_assert_no_error (error);
  for (guint i = 0; paths[i] != NULL; i++)
    {
      const Sample *sample = sample_for_path (paths[i]);
      g_autoptr(GBytes) bytes = docent_test_read_bytes (paths[i]);
      g_autoptr(DocentExtracted) doc = docent_extract (bytes, NULL, &error);
      const DocentPage *first;
      gboolean found_heading = FALSE;
      guint n_headings = 0;

      g_assert_no_error (error);
      g_assert_cmpstr (doc->type, ==, "pdf");
      g_assert_cmpstr (doc->title, ==, sample->title);
      g_assert_cmpuint (doc->pages->len, >=, 3);
      g_assert_cmpuint (doc->ocr_skipped, ==, 0);
      first = doc->pages->pdata[0];
      g_assert_true (g_str_has_prefix (first->text->str, sample->title));
      for (guint p = 0; p < doc->pages->len; p++)
        {
          const DocentPage *page = doc->pages->pdata[p];
          g_autofree char *number = g_strdup_printf ("Page %u of %u", p + 1, doc->pages->len);

          g_assert_nonnull (strstr (page->text->str, number));
          for (guint h = 0; h < page->headings->len; h++)
            {
              const DocentHeading *heading = &g_array_index (page->headings, DocentHeading, h);
              g_autofree char *text = g_strndup (page->text->str + heading->start,
                                                 heading->end - heading->start);

              n_headings++;
              found_heading |= strcmp (text, sample->heading) == 0;
            }
        }
      /* The title and the numbered sections (8 or more in each sample). */
      g_assert_cmpuint (n_headings, >=, 9);
      g_assert_true (found_heading);
      g_assert_cmpuint (page_of_fact (paths[i], sample->fact), >, 0);
    }
  docent_test_rm_rf (dir);
}

static void
test_collection (void)
{
  DocentLibrary *library = shared_library ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) docs = docent_store_list_documents (docent_library_store (library),
                                                          DOCENT_SAMPLES_COLLECTION, &error);
  g_autoptr(GPtrArray) results = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (docs->len, ==, G_N_ELEMENTS (samples));
  for (guint i = 0; i < docs->len; i++)
    {
      const DocentDocRecord *doc = docs->pdata[i];
      const Sample *sample = sample_for_path (doc->path);

      g_assert_nonnull (sample);
      g_assert_cmpstr (doc->title, ==, sample->title);
      g_assert_cmpuint (doc->page_count, >, 1);
    }

  /* Offering the samples twice changes nothing. */
  g_assert_true (docent_samples_add (library, NULL, &results, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < results->len; i++)
    g_assert_cmpint (((DocentAddResult *) results->pdata[i])->outcome, ==, DOCENT_ADD_UNCHANGED);
}

static void
test_search (void)
{
  DocentLibrary *library = shared_library ();

  for (guint i = 0; i < G_N_ELEMENTS (samples); i++)
    {
      const Sample *sample = &samples[i];
      DocentSearchOptions opts = { .query = sample->query, .limit = 5 };
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) hits = docent_library_search (library, &opts, DOCENT_SEARCH_BM25,
                                                         NULL, &error);
      const DocentSearchHit *best;
      guint page;

      g_assert_no_error (error);
      g_assert_cmpuint (hits->len, >, 0);
      best = hits->pdata[0];
      g_test_message ("%s → %s p. %u–%u", sample->query, best->path,
                      best->page_start, best->page_end);
      g_assert_true (sample_for_path (best->path) == sample);
      page = page_of_fact (best->path, sample->fact);
      g_assert_cmpuint (best->page_start, <=, page);
      g_assert_cmpuint (best->page_end, >=, page);
      g_assert_nonnull (strstr (best->text, sample->fact));
    }
}

static void
test_ask (void)
{
  DocentLibrary *library = shared_library ();

  for (guint i = 0; i < G_N_ELEMENTS (samples); i++)
    {
      const Sample *sample = &samples[i];
      DocentAskOptions opts = { .question = sample->question, .extractive = TRUE, .no_store = TRUE };
      g_autoptr(GError) error = NULL;
      g_autoptr(DocentAnswer) answer = docent_library_ask (library, &opts, NULL, &error);
      const DocentCitation *citation;
      guint page;

      g_assert_no_error (error);
      g_test_message ("%s → %s", sample->question, answer->answer);
      g_assert_false (answer->refused);
      g_assert_cmpint (answer->mode, ==, DOCENT_ANSWER_EXTRACTIVE);
      g_assert_nonnull (strstr (answer->answer, sample->answer));
      g_assert_cmpuint (answer->citations->len, >, 0);
      citation = answer->citations->pdata[0];
      g_assert_true (sample_for_path (citation->path) == sample);
      page = page_of_fact (citation->path, sample->fact);
      g_assert_cmpuint (citation->page_start, <=, page);
      g_assert_cmpuint (citation->page_end, >=, page);
    }
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/samples/list", test_list);
  g_test_add_func ("/samples/install", test_install);
  g_test_add_func ("/samples/extract", test_extract);
  g_test_add_func ("/samples/collection", test_collection);
  g_test_add_func ("/samples/search", test_search);
  g_test_add_func ("/samples/ask", test_ask);
  status = g_test_run ();
  g_clear_pointer (&shared.library, docent_library_close);
  if (shared.dir != NULL)
    docent_test_rm_rf (shared.dir);
  g_free (shared.dir);
  return status;
}
