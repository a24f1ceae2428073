/* test-library.c — the ingest pipeline end to end: every format through
 * docent_library_add into the store and back out through search, with the
 * library semantics (unchanged, updated, moved, duplicate, failed, removed,
 * collections, cancellation) on real generated files. */
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/library.h"
#include "index/search.h"
#include "tests/fixtures.h"
#include "tests/pdfgen.h"
#include "tests/zipgen.h"

typedef struct {
  char *dir;        /* scratch root */
  char *docs;       /* the documents folder */
  char *lib_dir;
  DocentLibrary *library;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = docent_test_tmpdir ();
  f->docs = g_build_filename (f->dir, "docs", NULL);
  f->lib_dir = g_build_filename (f->dir, "library", NULL);
  g_assert_cmpint (g_mkdir_with_parents (f->docs, 0700), ==, 0);
  f->library = docent_library_open (f->lib_dir, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  docent_library_close (f->library);
  docent_test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->docs);
  g_free (f->lib_dir);
}

static GPtrArray *
add_paths (Fixture           *f,
           const char *const *paths,
           const char        *collection)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *results = NULL;
  DocentAddOptions opts = { .collection = collection, .n_threads = 2 };

  g_assert_true (docent_library_add (f->library, paths, &opts, &results, &error));
  g_assert_no_error (error);
  return results;
}

static GPtrArray *
add_docs (Fixture *f)
{
  const char *paths[] = { f->docs, NULL };

  return add_paths (f, paths, NULL);
}

static const DocentAddResult *
result_for (GPtrArray  *results,
            const char *name)
{
  for (guint i = 0; i < results->len; i++)
    {
      const DocentAddResult *r = results->pdata[i];

      if (g_str_has_suffix (r->path, name))
        return r;
    }
  g_error ("no result for %s", name);
  return NULL;
}

static GPtrArray *
search (Fixture    *f,
        const char *query)
{
  g_autoptr(GError) error = NULL;
  DocentSearchOptions opts = { .query = query, .limit = 10 };
  GPtrArray *hits = docent_store_search (docent_library_store (f->library), &opts, NULL, &error);

  g_assert_no_error (error);
  return hits;
}

static char *
write_sample_pdf (Fixture *f, const char *name)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (f->docs, name, NULL);
  const char *pages[] = {
    "# Lease Agreement\n\nThis agreement is made between the landlord and the tenant.",
    "# Rent\n\nThe tenant shall pay a monthly rent of 950 euros on the first day of each month.",
    "# Termination\n\nEither party may terminate the lease with three months written notice.",
  };

  g_assert_true (docent_test_write_pdf (path, "Lease of Flat 4B", pages, 3, &error));
  g_assert_no_error (error);
  return path;
}

static void
write_all_formats (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *pdf = write_sample_pdf (f, "lease.pdf");
  g_autofree char *docx = g_build_filename (f->docs, "office", "policy.docx", NULL);
  g_autofree char *odt = g_build_filename (f->docs, "office", "minutes.odt", NULL);
  g_autofree char *epub = g_build_filename (f->docs, "books", "guide.epub", NULL);
  const DocentTestBlock docx_blocks[] = {
    { 1, "Travel Policy" }, { 0, "Employees book economy class for flights under six hours." },
  };
  const DocentTestBlock odt_blocks[] = {
    { 1, "Board Minutes" }, { 0, "The board approved the zeppelin procurement budget." },
  };
  const DocentTestBlock ch1[] = { { 1, "Chapter One" }, { 0, "Hypertension is treated first with lifestyle advice." } };
  const DocentTestBlock ch2[] = { { 1, "Chapter Two" }, { 0, "Amlodipine is a calcium channel blocker." } };
  const DocentTestBlock *chapters[] = { ch1, ch2 };
  const guint n_blocks[] = { 2, 2 };
  g_autofree char *a = NULL, *b = NULL, *c = NULL, *d = NULL, *e = NULL;

  g_autofree char *office_dir = g_path_get_dirname (docx);
  g_autofree char *books_dir = g_path_get_dirname (epub);

  g_assert_cmpint (g_mkdir_with_parents (office_dir, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (books_dir, 0700), ==, 0);
  g_assert_true (docent_test_write_docx (docx, "Travel Policy", docx_blocks, 2, &error));
  g_assert_true (docent_test_write_odt (odt, "Minutes", odt_blocks, 2, &error));
  g_assert_true (docent_test_write_epub (epub, "Clinical Guide", chapters, n_blocks, 2, &error));
  a = docent_test_write_file (f->docs, "page.html",
        "<!DOCTYPE html><html><head><title>Warranty</title><style>.x{}</style>"
        "<script>var secret = 'scriptword';</script></head><body><nav>Home Menu</nav>"
        "<h1>Warranty</h1><p>The warranty covers the kettle for two years.</p></body></html>", -1);
  b = docent_test_write_file (f->docs, "notes.txt", "Plain notes mention the quokka.\n", -1);
  c = docent_test_write_file (f->docs, "readme.md", "# Setup\n\nRun the **installer** as described in [the guide](http://x).\n", -1);
  /* Named .txt but really HTML: the content decides. */
  d = docent_test_write_file (f->docs, "misnamed.txt",
        "<html><body><p>Misnamed pages speak of the aardvark.</p></body></html>", -1);
  e = docent_test_write_file (f->docs, ".hidden.txt", "hidden file about the wombat", -1);
}

static void
test_all_formats (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GPtrArray) hits = NULL;
  g_autoptr(GPtrArray) docs = NULL;
  g_autoptr(GError) error = NULL;
  const char *types[][2] = {
    { "lease.pdf", "pdf" }, { "policy.docx", "docx" }, { "minutes.odt", "odt" },
    { "guide.epub", "epub" }, { "page.html", "html" }, { "notes.txt", "text" },
    { "readme.md", "markdown" }, { "misnamed.txt", "html" },
  };

  write_all_formats (f);
  results = add_docs (f);
  g_assert_cmpuint (results->len, ==, G_N_ELEMENTS (types));  /* hidden file skipped */
  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      const DocentAddResult *r = result_for (results, types[i][0]);

      g_assert_cmpint (r->outcome, ==, DOCENT_ADD_ADDED);
      g_assert_cmpstr (r->type, ==, types[i][1]);
      g_assert_cmpuint (r->chunks, >=, 1);
    }
  g_assert_cmpuint (result_for (results, "lease.pdf")->pages, ==, 3);
  g_assert_cmpuint (result_for (results, "guide.epub")->pages, ==, 2);

  /* The rent clause is on page 2 of the PDF, under its heading. */
  hits = search (f, "monthly rent");
  g_assert_cmpuint (hits->len, >=, 1);
  {
    DocentSearchHit *hit = hits->pdata[0];

    g_assert_true (g_str_has_suffix (hit->path, "lease.pdf"));
    g_assert_cmpstr (hit->title, ==, "Lease of Flat 4B");
    g_assert_cmpuint (hit->page_start, ==, 2);
    g_assert_cmpuint (hit->page_end, ==, 2);
    g_assert_cmpstr (hit->heading, ==, "Rent");
    g_assert_nonnull (strstr (hit->snippet, DOCENT_MARK_START));
  }
  g_clear_pointer (&hits, g_ptr_array_unref);

  hits = search (f, "amlodipine");
  g_assert_cmpuint (hits->len, ==, 1);
  g_assert_cmpuint (((DocentSearchHit *) hits->pdata[0])->page_start, ==, 2);
  g_clear_pointer (&hits, g_ptr_array_unref);

  hits = search (f, "zeppelin");
  g_assert_cmpuint (hits->len, ==, 1);
  g_clear_pointer (&hits, g_ptr_array_unref);
  hits = search (f, "economy flights");
  g_assert_cmpuint (hits->len, ==, 1);
  g_clear_pointer (&hits, g_ptr_array_unref);
  hits = search (f, "aardvark");
  g_assert_cmpuint (hits->len, ==, 1);
  g_clear_pointer (&hits, g_ptr_array_unref);
  hits = search (f, "installer guide");
  g_assert_cmpuint (hits->len, ==, 1);
  g_assert_null (strstr (((DocentSearchHit *) hits->pdata[0])->text, "http://x"));
  g_clear_pointer (&hits, g_ptr_array_unref);
  /* Scripts, navigation and hidden files are not indexed. */
  hits = search (f, "scriptword OR wombat OR menu");
  g_assert_cmpuint (hits->len, ==, 0);

  docs = docent_store_list_documents (docent_library_store (f->library), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (docs->len, ==, G_N_ELEMENTS (types));
}

static void
test_unchanged_updated_failed (Fixture       *f,
                               gconstpointer  data)
{
  g_autofree char *note = docent_test_write_file (f->docs, "note.txt", "The first version talks about pelicans.\n", -1);
  g_autoptr(GPtrArray) r1 = add_docs (f);
  g_autoptr(GPtrArray) r2 = NULL;
  g_autoptr(GPtrArray) r3 = NULL;
  g_autoptr(GPtrArray) r4 = NULL;
  g_autoptr(GPtrArray) hits = NULL;
  gint64 id = result_for (r1, "note.txt")->document_id;

  g_assert_cmpint (result_for (r1, "note.txt")->outcome, ==, DOCENT_ADD_ADDED);
  /* Same file again: unchanged, without even reading it. */
  r2 = add_docs (f);
  g_assert_cmpint (result_for (r2, "note.txt")->outcome, ==, DOCENT_ADD_UNCHANGED);

  /* New content: updated in place, the old words gone, the id kept. */
  g_assert_true (g_file_set_contents (note, "The second version talks about flamingos, a longer text.\n", -1, NULL));
  r3 = add_docs (f);
  g_assert_cmpint (result_for (r3, "note.txt")->outcome, ==, DOCENT_ADD_UPDATED);
  g_assert_cmpint (result_for (r3, "note.txt")->document_id, ==, id);
  hits = search (f, "pelicans");
  g_assert_cmpuint (hits->len, ==, 0);
  g_clear_pointer (&hits, g_ptr_array_unref);
  hits = search (f, "flamingos");
  g_assert_cmpuint (hits->len, ==, 1);
  g_clear_pointer (&hits, g_ptr_array_unref);

  /* Now it breaks: the failure is reported, the stored version stays. */
  {
    static const char elf[] = "\x7f" "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0binary";

    g_assert_true (g_file_set_contents (note, elf, sizeof elf - 1, NULL));
  }
  r4 = add_docs (f);
  g_assert_cmpint (result_for (r4, "note.txt")->outcome, ==, DOCENT_ADD_FAILED);
  g_assert_nonnull (strstr (result_for (r4, "note.txt")->error, "unsupported file type"));
  hits = search (f, "flamingos");
  g_assert_cmpuint (hits->len, ==, 1);
  {
    g_auto(DocentDocRecord) rec = { 0 };
    g_autoptr(GError) error = NULL;

    g_assert_true (docent_store_find_by_id (docent_library_store (f->library), id, &rec, &error));
    g_assert_cmpint (rec.status, ==, DOCENT_DOC_INDEXED);
    g_assert_nonnull (strstr (rec.error, "unsupported file type"));
  }
}

static void
test_bad_files (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *good = docent_test_write_file (f->docs, "good.txt", "A good file about otters.\n", -1);
  g_autofree char *empty = docent_test_write_file (f->docs, "empty.txt", "", 0);
  g_autofree char *blank = docent_test_write_file (f->docs, "blank.txt", "  \n\n \t\n", -1);
  g_autofree char *binary = docent_test_write_file (f->docs, "image.png", "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0", 18);
  g_autofree char *zip = docent_test_write_file (f->docs, "archive.zip", "PK\x03\x04garbage", -1);
  g_autofree char *enc = g_build_filename (f->docs, "secret.pdf", NULL);
  g_autofree char *pdf = write_sample_pdf (f, "whole.pdf");
  g_autofree char *truncated = NULL;
  g_autofree char *contents = NULL;
  gsize len;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GPtrArray) hits = NULL;
  const char *missing_paths[] = { "/nonexistent/docent/file.pdf", NULL };
  g_autoptr(GPtrArray) missing = NULL;

  g_assert_true (docent_test_write_pdf_encrypted (enc, "hunter2", "Confidential settlement terms.", &error));
  g_assert_true (g_file_get_contents (pdf, &contents, &len, NULL));
  truncated = docent_test_write_file (f->docs, "truncated.pdf", contents, len / 3);

  results = add_docs (f);
  g_assert_cmpint (result_for (results, "good.txt")->outcome, ==, DOCENT_ADD_ADDED);
  g_assert_cmpint (result_for (results, "whole.pdf")->outcome, ==, DOCENT_ADD_ADDED);
  g_assert_cmpint (result_for (results, "empty.txt")->outcome, ==, DOCENT_ADD_FAILED);
  g_assert_cmpstr (result_for (results, "empty.txt")->error, ==, "the file is empty");
  g_assert_cmpint (result_for (results, "blank.txt")->outcome, ==, DOCENT_ADD_FAILED);
  g_assert_nonnull (strstr (result_for (results, "blank.txt")->error, "no text"));
  g_assert_cmpint (result_for (results, "image.png")->outcome, ==, DOCENT_ADD_FAILED);
  g_assert_nonnull (strstr (result_for (results, "image.png")->error, "unsupported"));
  g_assert_cmpint (result_for (results, "archive.zip")->outcome, ==, DOCENT_ADD_FAILED);
  g_assert_cmpint (result_for (results, "secret.pdf")->outcome, ==, DOCENT_ADD_FAILED);
  g_assert_nonnull (strstr (result_for (results, "secret.pdf")->error, "password"));
  /* Poppler may recover the pages it still has; either way no crash, and a
   * failure says why. */
  if (result_for (results, "truncated.pdf")->outcome != DOCENT_ADD_ADDED)
    {
      g_assert_cmpint (result_for (results, "truncated.pdf")->outcome, ==, DOCENT_ADD_FAILED);
      g_assert_nonnull (result_for (results, "truncated.pdf")->error);
    }

  /* Failures are recorded, and retried (not "unchanged") next time. */
  {
    DocentStoreStats stats;

    g_assert_true (docent_store_stats (docent_library_store (f->library), &stats, &error));
    g_assert_cmpuint (stats.failed, >=, 5);
  }
  g_clear_pointer (&results, g_ptr_array_unref);
  {
    DocentAddOptions opts = { .password = "hunter2" };
    const char *paths[] = { enc, NULL };

    g_assert_true (docent_library_add (f->library, paths, &opts, &results, &error));
    g_assert_cmpint (result_for (results, "secret.pdf")->outcome, ==, DOCENT_ADD_UPDATED);
  }
  hits = search (f, "settlement");
  g_assert_cmpuint (hits->len, ==, 1);

  missing = add_paths (f, missing_paths, NULL);
  g_assert_cmpuint (missing->len, ==, 1);
  g_assert_cmpint (result_for (missing, "file.pdf")->outcome, ==, DOCENT_ADD_FAILED);
  g_assert_nonnull (strstr (result_for (missing, "file.pdf")->error, "No such file"));
}

static void
test_too_large (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *big = g_strnfill (4096, 'x');
  g_autofree char *path = docent_test_write_file (f->docs, "big.txt", big, -1);
  g_autofree char *small = docent_test_write_file (f->docs, "small.txt", "Small is fine.\n", -1);
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;
  DocentAddOptions opts = { .max_file_bytes = 1024 };
  const char *paths[] = { f->docs, NULL };

  g_assert_true (docent_library_add (f->library, paths, &opts, &results, &error));
  g_assert_cmpint (result_for (results, "small.txt")->outcome, ==, DOCENT_ADD_ADDED);
  g_assert_cmpint (result_for (results, "big.txt")->outcome, ==, DOCENT_ADD_FAILED);
  g_assert_true (g_str_has_prefix (result_for (results, "big.txt")->error, "file too large"));
}

static void
test_duplicates_and_moves (Fixture       *f,
                           gconstpointer  data)
{
  const char *text = "Only one copy of the narwhal passage should be searchable.\n";
  g_autofree char *a = docent_test_write_file (f->docs, "a.txt", text, -1);
  g_autoptr(GPtrArray) r1 = add_docs (f);
  g_autofree char *b = docent_test_write_file (f->docs, "b.txt", text, -1);
  g_autoptr(GPtrArray) r2 = add_docs (f);
  g_autoptr(GPtrArray) r3 = NULL;
  g_autoptr(GPtrArray) hits = NULL;
  g_autofree char *moved = g_build_filename (f->docs, "moved.txt", NULL);
  gint64 id = result_for (r1, "a.txt")->document_id;

  g_assert_cmpint (result_for (r2, "b.txt")->outcome, ==, DOCENT_ADD_UNCHANGED);
  g_assert_nonnull (strstr (result_for (r2, "b.txt")->error, "same content as"));
  g_assert_cmpint (result_for (r2, "b.txt")->document_id, ==, id);
  hits = search (f, "narwhal");
  g_assert_cmpuint (hits->len, ==, 1);
  g_clear_pointer (&hits, g_ptr_array_unref);

  /* a.txt is renamed: the record follows the file. */
  g_assert_cmpint (g_unlink (b), ==, 0);
  g_assert_cmpint (g_rename (a, moved), ==, 0);
  r3 = add_docs (f);
  g_assert_cmpint (result_for (r3, "moved.txt")->outcome, ==, DOCENT_ADD_UNCHANGED);
  g_assert_nonnull (strstr (result_for (r3, "moved.txt")->error, "moved from"));
  hits = search (f, "narwhal");
  g_assert_cmpuint (hits->len, ==, 1);
  g_assert_true (g_str_has_suffix (((DocentSearchHit *) hits->pdata[0])->path, "moved.txt"));
  g_assert_cmpint (((DocentSearchHit *) hits->pdata[0])->document_id, ==, id);
}

/* A copy that failed (no password) is not left behind as a failure once the
 * same content is in the library. */
static void
test_failed_then_duplicate (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *one = g_build_filename (f->docs, "one.pdf", NULL);
  g_autofree char *two = g_build_filename (f->dir, "two.pdf", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GPtrArray) r1 = NULL;
  g_autoptr(GPtrArray) r2 = NULL;
  g_autoptr(GPtrArray) r3 = NULL;
  const char *second[] = { two, NULL };
  DocentAddOptions with_password = { .password = "pw" };
  DocentStoreStats stats;
  gsize len;

  g_assert_true (docent_test_write_pdf_encrypted (one, "pw", "Sealed cormorant minutes.", &error));
  g_assert_true (g_file_get_contents (one, &contents, &len, NULL));
  g_assert_true (g_file_set_contents (two, contents, len, NULL));
  r1 = add_docs (f);
  g_assert_cmpint (result_for (r1, "one.pdf")->outcome, ==, DOCENT_ADD_FAILED);
  g_assert_true (docent_library_add (f->library, second, &with_password, &r2, &error));
  g_assert_cmpint (result_for (r2, "two.pdf")->outcome, ==, DOCENT_ADD_ADDED);
  r3 = add_docs (f);
  g_assert_cmpint (result_for (r3, "one.pdf")->outcome, ==, DOCENT_ADD_UNCHANGED);
  g_assert_nonnull (strstr (result_for (r3, "one.pdf")->error, "same content as"));
  g_assert_true (docent_store_stats (docent_library_store (f->library), &stats, &error));
  g_assert_cmpuint (stats.documents, ==, 1);
  g_assert_cmpuint (stats.failed, ==, 0);
}

static void
test_remove_and_collections (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sub = g_build_filename (f->docs, "cases", NULL);
  g_autofree char *x = docent_test_write_file (sub, "x.txt", "The hedgehog clause of case X.\n", -1);
  g_autofree char *y = docent_test_write_file (sub, "y.txt", "The hedgehog clause of case Y, different.\n", -1);
  g_autofree char *z = docent_test_write_file (f->docs, "casesz.txt", "A hedgehog outside the folder.\n", -1);
  const char *folder[] = { sub, NULL };
  const char *single[] = { z, NULL };
  g_autoptr(GPtrArray) r1 = add_paths (f, folder, "Matter 42");
  g_autoptr(GPtrArray) r2 = add_paths (f, single, NULL);
  g_autoptr(GPtrArray) hits = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autofree char *id_text = NULL;
  DocentSearchOptions opts = { .query = "hedgehog", .limit = 10, .collection = "Matter 42" };

  hits = docent_store_search (docent_library_store (f->library), &opts, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hits->len, ==, 2);
  g_clear_pointer (&hits, g_ptr_array_unref);

  /* A folder resolves to the documents below it, not to its namesakes. */
  ids = docent_library_resolve_documents (f->library, sub, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, 2);
  for (guint i = 0; i < ids->len; i++)
    g_assert_true (docent_store_remove_document (docent_library_store (f->library),
                                                 g_array_index (ids, gint64, i), &error));
  hits = search (f, "hedgehog");
  g_assert_cmpuint (hits->len, ==, 1);
  g_clear_pointer (&hits, g_ptr_array_unref);

  id_text = g_strdup_printf ("%" G_GINT64_FORMAT, result_for (r2, "casesz.txt")->document_id);
  g_clear_pointer (&ids, g_array_unref);
  ids = docent_library_resolve_documents (f->library, id_text, &error);
  g_assert_no_error (error);
  g_assert_true (docent_store_remove_document (docent_library_store (f->library),
                                               g_array_index (ids, gint64, 0), &error));
  hits = search (f, "hedgehog");
  g_assert_cmpuint (hits->len, ==, 0);
  g_clear_pointer (&ids, g_array_unref);
  ids = docent_library_resolve_documents (f->library, id_text, &error);
  g_assert_null (ids);
  g_assert_error (error, DOCENT_STORE_ERROR, DOCENT_STORE_ERROR_NOT_FOUND);
}

typedef struct {
  GCancellable *cancellable;
  guint cancel_after;
  guint calls_after_cancel;
} CancelData;

static void
cancel_progress (const DocentAddProgress *p,
                 const DocentAddResult   *result,
                 gpointer                 user_data)
{
  CancelData *data = user_data;

  if (g_cancellable_is_cancelled (data->cancellable) && result != NULL)
    data->calls_after_cancel++;
  if (result != NULL && p->files_done >= data->cancel_after)
    g_cancellable_cancel (data->cancellable);
}

static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GPtrArray) again = NULL;
  g_autoptr(GError) error = NULL;
  CancelData cancel = { cancellable, 3, 0 };
  DocentAddOptions opts = { .n_threads = 2, .progress = cancel_progress, .user_data = &cancel,
                            .cancellable = cancellable };
  const char *paths[] = { f->docs, NULL };
  DocentStoreStats stats;

  for (guint i = 0; i < 40; i++)
    {
      g_autofree char *name = g_strdup_printf ("doc%02u.txt", i);
      g_autofree char *text = docent_test_prose (i, 2000);
      g_autofree char *path = docent_test_write_file (f->docs, name, text, -1);
    }
  g_assert_false (docent_library_add (f->library, paths, &opts, &results, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (results->len, >=, 3);
  g_assert_cmpuint (results->len, <, 40);
  /* What was reported is exactly what is stored, each document whole. */
  g_assert_true (docent_store_stats (docent_library_store (f->library), &stats, NULL));
  g_assert_cmpuint (stats.documents, ==, results->len);

  again = add_docs (f);
  g_assert_cmpuint (again->len, ==, 40);
  g_assert_true (docent_store_stats (docent_library_store (f->library), &stats, NULL));
  g_assert_cmpuint (stats.documents, ==, 40);
}

static void
test_permissions (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *db = g_build_filename (f->lib_dir, "library.db", NULL);
  g_autofree char *note = docent_test_write_file (f->docs, "n.txt", "Private words.\n", -1);
  g_autoptr(GPtrArray) results = add_docs (f);
  struct stat st;

  g_assert_cmpint (g_stat (f->lib_dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  g_assert_cmpint (g_stat (db, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
}

static void
test_many_files_parallel (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GPtrArray) hits = NULL;
  DocentStoreStats stats;

  for (guint i = 0; i < 120; i++)
    {
      g_autofree char *name = g_strdup_printf ("d%u/f%03u.txt", i % 7, i);
      g_autofree char *text = g_strdup_printf ("Document number %u mentions token%u once.\n\n%s",
                                               i, i, "Shared filler sentence about nothing.");
      g_autofree char *path = docent_test_write_file (f->docs, name, text, -1);
    }
  results = add_docs (f);
  g_assert_cmpuint (results->len, ==, 120);
  g_assert_true (docent_store_stats (docent_library_store (f->library), &stats, NULL));
  g_assert_cmpuint (stats.documents, ==, 120);
  hits = search (f, "token77");
  g_assert_cmpuint (hits->len, ==, 1);
  g_assert_true (g_str_has_suffix (((DocentSearchHit *) hits->pdata[0])->path, "f077.txt"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(name, func) g_test_add ("/library/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("all-formats", test_all_formats);
  ADD ("unchanged-updated-failed", test_unchanged_updated_failed);
  ADD ("bad-files", test_bad_files);
  ADD ("too-large", test_too_large);
  ADD ("duplicates-and-moves", test_duplicates_and_moves);
  ADD ("failed-then-duplicate", test_failed_then_duplicate);
  ADD ("remove-and-collections", test_remove_and_collections);
  ADD ("cancel", test_cancel);
  ADD ("permissions", test_permissions);
  ADD ("many-files", test_many_files_parallel);
#undef ADD
  return g_test_run ();
}
