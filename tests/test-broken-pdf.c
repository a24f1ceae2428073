/* test-broken-pdf.c — a batch of damaged and hostile PDFs among good
 * documents: each bad one fails on its own with a message naming what is
 * wrong (the CLI names the file), or is read despite the damage; none
 * crashes or stalls the batch; the good ones are all indexed. A page that
 * keeps Poppler busy past the per-file timeout fails with "gave up after". */
#include <glib/gstdio.h>
#include <string.h>

#include "app/library.h"
#include "ingest/extract.h"
#include "tests/fixtures.h"
#include "tests/pdfgen.h"
#include "tests/store-checks.h"

typedef struct {
  char *dir;
  char *docs;
  char *lib;
} Fixture;

static void
set_up (Fixture       *f,
        gconstpointer  data)
{
  f->dir = docent_test_tmpdir ();
  f->docs = g_build_filename (f->dir, "docs", NULL);
  f->lib = g_build_filename (f->dir, "lib", NULL);
  g_assert_cmpint (g_mkdir_with_parents (f->docs, 0700), ==, 0);
}

static void
tear_down (Fixture       *f,
           gconstpointer  data)
{
  docent_test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->docs);
  g_free (f->lib);
}

/* ---- PDFs written by hand ------------------------------------------------- */

/* Objects 1..n as given (without "N 0 obj"/"endobj"), an xref table with
 * their real offsets, and a trailer whose root is object 1. */
static GBytes *
hand_pdf (const char *const *objects,
          guint              n)
{
  g_autoptr(GString) pdf = g_string_new ("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n");
  g_autoptr(GArray) offsets = g_array_new (FALSE, FALSE, sizeof (gsize));
  gsize xref;

  for (guint i = 0; i < n; i++)
    {
      g_array_append_val (offsets, pdf->len);
      g_string_append_printf (pdf, "%u 0 obj\n%s\nendobj\n", i + 1, objects[i]);
    }
  xref = pdf->len;
  g_string_append_printf (pdf, "xref\n0 %u\n0000000000 65535 f \n", n + 1);
  for (guint i = 0; i < n; i++)
    g_string_append_printf (pdf, "%010" G_GSIZE_FORMAT " 00000 n \n",
                            g_array_index (offsets, gsize, i));
  g_string_append_printf (pdf, "trailer\n<< /Size %u /Root 1 0 R >>\nstartxref\n%" G_GSIZE_FORMAT
                          "\n%%%%EOF\n", n + 1, xref);
  return g_string_free_to_bytes (g_steal_pointer (&pdf));
}

static char *
stream_object (const char *dict_extra,
               const char *data,
               gsize       len)
{
  g_autoptr(GString) s = g_string_new (NULL);

  g_string_append_printf (s, "<< /Length %" G_GSIZE_FORMAT " %s >>\nstream\n", len, dict_extra);
  g_string_append_len (s, data, len);
  g_string_append (s, "\nendstream");
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/* One page of text in Helvetica (obj 5), with `media_box` and the given
 * page tree (obj 2). */
static GBytes *
one_page_pdf (const char *pages,
              const char *media_box,
              const char *font,
              const char *content,
              gsize       content_len)
{
  g_autofree char *page = g_strdup_printf ("<< /Type /Page /Parent 2 0 R /MediaBox %s "
                                           "/Resources << /Font << /F1 5 0 R >> >> "
                                           "/Contents 4 0 R >>", media_box);
  g_autofree char *stream = stream_object ("", content, content_len);
  const char *objects[] = {
    "<< /Type /Catalog /Pages 2 0 R >>",
    pages,
    page,
    stream,
    font,
  };

  return hand_pdf (objects, G_N_ELEMENTS (objects));
}

static const char helvetica[] = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>";
static const char normal_tree[] = "<< /Type /Pages /Kids [3 0 R] /Count 1 >>";
static const char a4[] = "[0 0 595 842]";

static char *
text_content (const char *text)
{
  return g_strdup_printf ("BT /F1 12 Tf 72 720 Td (%s) Tj ET", text);
}

static GBytes *
simple_pdf (const char *text)
{
  g_autofree char *content = text_content (text);

  return one_page_pdf (normal_tree, a4, helvetica, content, strlen (content));
}

static GBytes *
pdfgen_bytes (Fixture    *f,
              const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (f->dir, name, NULL);
  g_autofree char *p1 = docent_test_prose (1, 200);
  g_autofree char *p2 = docent_test_prose (2, 200);
  const char *pages[] = { p1, p2 };

  g_assert_true (docent_test_write_pdf (path, "Source", pages, 2, &error));
  g_assert_no_error (error);
  return docent_test_read_bytes (path);
}

/* Writes docs/name; takes `bytes`. */
static void
put (Fixture    *f,
     const char *name,
     GBytes     *bytes)
{
  g_autoptr(GBytes) owned = bytes;
  g_autofree char *path = docent_test_write_file (f->docs, name, g_bytes_get_data (bytes, NULL),
                                                  g_bytes_get_size (bytes));
}

/* The last `needle` in the binary `data` (which may hold NUL bytes). */
static char *
last_in (char       *data,
         gsize       len,
         const char *needle)
{
  gsize n = strlen (needle);
  char *found = NULL;

  for (char *p = data; (p = memmem (p, len - (p - data), needle, n)) != NULL; p++)
    found = p;
  return found;
}

/* Every entry of the xref table pointing nowhere useful, and startxref
 * past the end. */
static GBytes *
bad_xref (GBytes *good)
{
  gsize len;
  const char *data = g_bytes_get_data (good, &len);
  g_autoptr(GString) out = g_string_new_len (data, len);
  char *xref = last_in (out->str, out->len, "\nxref\n");
  char *start = last_in (out->str, out->len, "startxref\n");

  g_assert_nonnull (xref);
  g_assert_nonnull (start);
  for (char *p = xref + 6; p < start; p++)
    if (g_ascii_isdigit (*p) && p[-1] != ' ' && p > xref + 12)
      *p = '9';
  g_string_truncate (out, start - out->str);
  g_string_append (out, "startxref\n99999999\n%%EOF\n");
  return g_string_free_to_bytes (g_steal_pointer (&out));
}

/* Deterministic noise. */
static char *
noise (guint32 seed,
       gsize   len)
{
  char *out = g_malloc (len);
  guint32 x = seed | 1;

  for (gsize i = 0; i < len; i++)
    {
      x ^= x << 13;
      x ^= x >> 17;
      x ^= x << 5;
      out[i] = (char) (x & 0xFF);
    }
  return out;
}

/* A page whose text Poppler takes a long time to lay out: hundreds of
 * thousands of one-glyph strings, each moved to its own place. */
static GBytes *
slow_pdf (guint n_glyphs)
{
  g_autoptr(GString) content = g_string_new ("BT /F1 2 Tf\n");

  for (guint i = 0; i < n_glyphs; i++)
    g_string_append_printf (content, "1 0 0 1 %u %u Tm (%c) Tj\n", 10 + (i * 7) % 575,
                            10 + (i / 80) % 820, 'a' + i % 26);
  g_string_append (content, "ET");
  return one_page_pdf (normal_tree, a4, helvetica, content->str, content->len);
}

/* ---- the batch ------------------------------------------------------------ */

typedef struct {
  const char *name;
  gboolean may_succeed;   /* Poppler may repair it */
  const char *reason;     /* expected in the message, or NULL */
} Expect;

static const Expect expected[] = {
  { "truncated.pdf", TRUE, NULL },
  { "truncated-head.pdf", FALSE, "damaged PDF" },
  { "bad-xref.pdf", TRUE, NULL },
  { "encrypted.pdf", FALSE, "password" },
  { "recursive-tree.pdf", TRUE, NULL },
  { "self-kid.pdf", TRUE, NULL },
  { "huge-count.pdf", TRUE, NULL },
  { "huge-mediabox.pdf", TRUE, NULL },
  { "negative-mediabox.pdf", TRUE, NULL },
  { "bad-font.pdf", TRUE, NULL },
  { "garbage-flate.pdf", FALSE, NULL },
  { "garbage-content.pdf", FALSE, NULL },
  { "deep-nesting.pdf", FALSE, NULL },
  { "no-pages.pdf", FALSE, NULL },
  { "only-header.pdf", FALSE, "damaged PDF" },
};

static void
write_broken_corpus (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) good = pdfgen_bytes (f, "good.pdf");
  gsize len = g_bytes_get_size (good);
  g_autofree char *garbage = noise (7, 4096);
  g_autofree char *flate_dict = NULL;

  put (f, "truncated.pdf", g_bytes_new_from_bytes (good, 0, len * 2 / 3));
  put (f, "truncated-head.pdf", g_bytes_new_from_bytes (good, 0, 400));
  put (f, "bad-xref.pdf", bad_xref (good));
  {
    g_autofree char *path = g_build_filename (f->docs, "encrypted.pdf", NULL);

    g_assert_true (docent_test_write_pdf_encrypted (path, "secret", "Locked text", &error));
    g_assert_no_error (error);
  }
  {
    g_autofree char *content = text_content ("Looping tree");

    put (f, "recursive-tree.pdf",
         one_page_pdf ("<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>", a4, helvetica,
                       content, strlen (content)));
    put (f, "self-kid.pdf",
         one_page_pdf ("<< /Type /Pages /Kids [2 0 R] /Count 1 >>", a4, helvetica,
                       content, strlen (content)));
    put (f, "huge-count.pdf",
         one_page_pdf ("<< /Type /Pages /Kids [3 0 R] /Count 2147483647 >>", a4, helvetica,
                       content, strlen (content)));
    put (f, "huge-mediabox.pdf",
         one_page_pdf (normal_tree, "[0 0 1e30 1e30]", helvetica, content, strlen (content)));
    put (f, "negative-mediabox.pdf",
         one_page_pdf (normal_tree, "[0 0 -99999999 1e-30]", helvetica, content,
                       strlen (content)));
  }
  {
    g_autofree char *font_file = stream_object ("/Length1 4096", garbage, 4096);
    g_autofree char *content = text_content ("Broken font");
    g_autofree char *page = g_strdup_printf ("<< /Type /Page /Parent 2 0 R /MediaBox %s "
                                             "/Resources << /Font << /F1 5 0 R >> >> "
                                             "/Contents 4 0 R >>", a4);
    g_autofree char *stream = stream_object ("", content, strlen (content));
    const char *objects[] = {
      "<< /Type /Catalog /Pages 2 0 R >>",
      normal_tree,
      page,
      stream,
      "<< /Type /Font /Subtype /TrueType /BaseFont /Broken /FirstChar 0 /LastChar 255"
      " /Widths [] /FontDescriptor 6 0 R /Encoding /WinAnsiEncoding >>",
      "<< /Type /FontDescriptor /FontName /Broken /Flags 32 /FontBBox [0 0 1000 1000]"
      " /ItalicAngle 0 /Ascent 800 /Descent -200 /CapHeight 700 /StemV 80 /FontFile2 7 0 R >>",
      font_file,
    };

    put (f, "bad-font.pdf", hand_pdf (objects, G_N_ELEMENTS (objects)));
  }
  {
    g_autofree char *page = g_strdup_printf ("<< /Type /Page /Parent 2 0 R /MediaBox %s "
                                             "/Resources << /Font << /F1 5 0 R >> >> "
                                             "/Contents 4 0 R >>", a4);
    g_autofree char *stream = stream_object ("/Filter /FlateDecode", garbage, 4096);
    const char *objects[] = {
      "<< /Type /Catalog /Pages 2 0 R >>", normal_tree, page, stream, helvetica,
    };

    put (f, "garbage-flate.pdf", hand_pdf (objects, G_N_ELEMENTS (objects)));
    put (f, "garbage-content.pdf", one_page_pdf (normal_tree, a4, helvetica, garbage, 4096));
  }
  {
    g_autoptr(GString) deep = g_string_new ("<< /Type /Catalog /Pages 2 0 R /Deep ");

    for (guint i = 0; i < 100000; i++)
      g_string_append_c (deep, '[');
    g_string_append (deep, " >>");
    {
      const char *objects[] = { deep->str, normal_tree, "<< /Type /Page /Parent 2 0 R >>" };

      put (f, "deep-nesting.pdf", hand_pdf (objects, G_N_ELEMENTS (objects)));
    }
  }
  {
    const char *objects[] = { "<< /Type /Catalog /Pages 2 0 R >>",
                              "<< /Type /Pages /Kids [] /Count 0 >>" };

    put (f, "no-pages.pdf", hand_pdf (objects, G_N_ELEMENTS (objects)));
  }
  put (f, "only-header.pdf", g_bytes_new_static ("%PDF-1.7\n", 9));
}

/* Good documents around the bad ones. */
static guint
write_good_corpus (Fixture *f)
{
  guint n = 0;

  for (guint i = 0; i < 20; i++, n++)
    {
      g_autofree char *name = g_strdup_printf ("fine-%02u.txt", i);
      g_autofree char *text = docent_test_prose (100 + i, 200);
      g_autofree char *path = docent_test_write_file (f->docs, name, text, -1);
    }
  {
    g_autoptr(GBytes) pdf = simple_pdf ("A perfectly ordinary page of text about contracts");

    put (f, "fine-hand.pdf", g_steal_pointer (&pdf));
    n++;
  }
  {
    g_autoptr(GBytes) pdf = pdfgen_bytes (f, "fine.pdf");

    put (f, "fine-drawn.pdf", g_steal_pointer (&pdf));
    n++;
  }
  return n;
}

static const DocentAddResult *
result_for (GPtrArray  *results,
            const char *name)
{
  for (guint i = 0; i < results->len; i++)
    {
      const DocentAddResult *r = results->pdata[i];

      if (g_str_has_suffix (r->path, name) && r->path[strlen (r->path) - strlen (name) - 1] == '/')
        return r;
    }
  g_error ("no result for %s", name);
}

static void
test_batch (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentLibrary) library = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autofree char *db = g_build_filename (f->lib, "library.db", NULL);
  const char *paths[] = { f->docs, NULL };
  DocentAddOptions opts = { .n_threads = 2, .file_timeout_ms = 30000 };
  DocentTestCounts counts;
  guint n_good, n_failed = 0;
  gint64 start;

  write_broken_corpus (f);
  n_good = write_good_corpus (f);
  library = docent_library_open (f->lib, &error);
  g_assert_no_error (error);
  start = g_get_monotonic_time ();
  g_assert_true (docent_library_add (library, paths, &opts, &results, &error));
  g_assert_no_error (error);
  g_test_message ("%u files in %.1f s", results->len, (g_get_monotonic_time () - start) / 1e6);

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      const DocentAddResult *r = result_for (results, expected[i].name);

      g_test_message ("%s: %s%s%s", expected[i].name,
                      r->outcome == DOCENT_ADD_FAILED ? "failed: " : "indexed",
                      r->outcome == DOCENT_ADD_FAILED ? r->error : "",
                      r->outcome == DOCENT_ADD_FAILED ? "" : " (repaired)");
      if (r->outcome == DOCENT_ADD_FAILED)
        {
          n_failed++;
          g_assert_nonnull (r->error);
          g_assert_cmpuint (strlen (r->error), >, 10);
          if (expected[i].reason != NULL)
            g_assert_nonnull (strstr (r->error, expected[i].reason));
        }
      else
        {
          if (!expected[i].may_succeed)
            g_error ("%s was indexed", expected[i].name);
          g_assert_cmpint (r->outcome, ==, DOCENT_ADD_ADDED);
        }
    }
  for (guint i = 0; i < results->len; i++)
    {
      const DocentAddResult *r = results->pdata[i];
      g_autofree char *base = g_path_get_basename (r->path);

      if (g_str_has_prefix (base, "fine-"))
        g_assert_cmpint (r->outcome, ==, DOCENT_ADD_ADDED);
    }
  docent_test_check_store (db, &counts);
  g_assert_cmpint (counts.failed, ==, n_failed);
  g_assert_cmpint (counts.indexed, ==, n_good + G_N_ELEMENTS (expected) - n_failed);
}

/* The CLI names the file with the reason, and goes on with the others. */
static void
test_cli_names_file (Fixture       *f,
                     gconstpointer  data)
{
  g_auto(DocentTestRun) run = { 0 };
  const char *args[] = { "--library", f->lib, "add", f->docs, NULL };
  g_autofree char *truncated = g_build_filename (f->docs, "truncated-head.pdf", NULL);
  g_autofree char *line = NULL;
  g_autoptr(GBytes) good = NULL;

  if (g_getenv ("DOCENT_CLI") == NULL)
    {
      g_test_skip ("DOCENT_CLI is not set (run through meson test)");
      return;
    }
  good = pdfgen_bytes (f, "x.pdf");
  put (f, "truncated-head.pdf", g_bytes_new_from_bytes (good, 0, 400));
  put (f, "fine.pdf", simple_pdf ("Ordinary words on an ordinary page"));
  docent_test_run_cli (&run, args);
  g_assert_cmpint (run.status, ==, 1);
  line = g_strdup_printf ("%s: damaged PDF", truncated);
  g_assert_nonnull (strstr (run.err, line));
  g_assert_nonnull (strstr (run.out, "1 added"));
}

/* A page that keeps Poppler busy longer than the timeout: the file fails
 * with "gave up after", the rest of the batch is indexed. */
static void
test_timeout (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentLibrary) library = NULL;
  g_autoptr(GPtrArray) results = NULL;
  const char *paths[] = { f->docs, NULL };
  DocentAddOptions opts = { .n_threads = 2, .file_timeout_ms = 100 };
  const DocentAddResult *r;
  gint64 start;
  double seconds;

  put (f, "slow.pdf", slow_pdf (100000));
  put (f, "fine-1.pdf", simple_pdf ("Ordinary words on an ordinary page"));
  put (f, "fine-2.txt", g_bytes_new_static ("Some words in a text file.\n", 27));
  library = docent_library_open (f->lib, &error);
  g_assert_no_error (error);
  start = g_get_monotonic_time ();
  g_assert_true (docent_library_add (library, paths, &opts, &results, &error));
  g_assert_no_error (error);
  seconds = (g_get_monotonic_time () - start) / 1e6;
  r = result_for (results, "slow.pdf");
  g_test_message ("slow.pdf: %s after %.1f s", r->error ? r->error : "indexed", seconds);
  g_assert_cmpint (r->outcome, ==, DOCENT_ADD_FAILED);
  g_assert_nonnull (strstr (r->error, "gave up after"));
  /* At once: the page still being laid out by Poppler is abandoned. */
  g_assert_cmpfloat (seconds, <, 3.0);
  g_assert_cmpint (result_for (results, "fine-1.pdf")->outcome, ==, DOCENT_ADD_ADDED);
  g_assert_cmpint (result_for (results, "fine-2.txt")->outcome, ==, DOCENT_ADD_ADDED);

  /* With the default timeout the same file is read. */
  g_clear_pointer (&results, g_ptr_array_unref);
  opts.file_timeout_ms = 0;
  start = g_get_monotonic_time ();
  g_assert_true (docent_library_add (library, paths, &opts, &results, &error));
  g_assert_no_error (error);
  r = result_for (results, "slow.pdf");
  g_test_message ("slow.pdf with the default timeout: %s in %.1f s",
                  r->outcome == DOCENT_ADD_UPDATED ? "indexed" : r->error,
                  (g_get_monotonic_time () - start) / 1e6);
  /* Updated: the failure was recorded under its path. */
  g_assert_cmpint (r->outcome, ==, DOCENT_ADD_UPDATED);
}

/* A process that gave up on a PDF exits normally while Poppler is still
 * busy with the abandoned page (its globals are torn down under it). */
static void
test_exit_while_abandoned (Fixture       *f,
                           gconstpointer  data)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(DocentLibrary) library = NULL;
      g_autoptr(GPtrArray) results = NULL;
      const char *paths[] = { f->docs, NULL };
      DocentAddOptions opts = { .n_threads = 1, .file_timeout_ms = 100 };

      put (f, "slow.pdf", slow_pdf (400000));
      library = docent_library_open (f->lib, &error);
      g_assert_no_error (error);
      g_assert_true (docent_library_add (library, paths, &opts, &results, &error));
      g_assert_no_error (error);
      g_assert_cmpint (result_for (results, "slow.pdf")->outcome, ==, DOCENT_ADD_FAILED);
      return;
    }
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/broken-pdf/batch", Fixture, NULL, set_up, test_batch, tear_down);
  g_test_add ("/broken-pdf/cli", Fixture, NULL, set_up, test_cli_names_file, tear_down);
  g_test_add ("/broken-pdf/timeout", Fixture, NULL, set_up, test_timeout, tear_down);
  g_test_add ("/broken-pdf/exit-while-abandoned", Fixture, NULL, set_up,
              test_exit_while_abandoned, tear_down);
  /* The timeout test leaves Poppler busy on the page it gave up on. */
  return docent_extract_exit_status (g_test_run ());
}
