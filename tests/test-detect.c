/* test-detect.c — formats are recognised by content, never by name. */
#include <string.h>

#include "ingest/detect.h"
#include "ingest/extract.h"
#include "tests/zipgen.h"
#include "tests/fixtures.h"

static DocentFormat
detect_str (const char *s)
{
  return docent_detect_format ((const guint8 *) s, strlen (s));
}

static void
test_magic (void)
{
  g_assert_cmpint (detect_str ("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"), ==, DOCENT_FORMAT_PDF);
  g_assert_cmpint (detect_str ("junk before\n%PDF-1.4\n"), ==, DOCENT_FORMAT_PDF);
  g_assert_cmpint (detect_str ("<!DOCTYPE html><html><body>x</body></html>"), ==, DOCENT_FORMAT_HTML);
  g_assert_cmpint (detect_str ("\xEF\xBB\xBF  <html lang=\"en\">"), ==, DOCENT_FORMAT_HTML);
  g_assert_cmpint (detect_str ("<?xml version=\"1.0\"?>\n<html xmlns=\"http://www.w3.org/1999/xhtml\">"),
                   ==, DOCENT_FORMAT_HTML);
  g_assert_cmpint (detect_str ("<note><to>x</to></note>"), ==, DOCENT_FORMAT_TEXT);
  g_assert_cmpint (detect_str ("Plain words, nothing else.\n"), ==, DOCENT_FORMAT_TEXT);
  g_assert_cmpint (detect_str ("# Title\n\nSome *markdown*."), ==, DOCENT_FORMAT_TEXT);
  g_assert_cmpint (docent_detect_format ((const guint8 *) "\xFF\xFEh\0i\0", 6), ==, DOCENT_FORMAT_TEXT);
  g_assert_cmpint (docent_detect_format ((const guint8 *) "\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16), ==,
                   DOCENT_FORMAT_BINARY);
  g_assert_cmpint (docent_detect_format ((const guint8 *) "\x7f" "ELF\x02\x01\x01\0", 8), ==,
                   DOCENT_FORMAT_BINARY);
  g_assert_cmpint (docent_detect_format ((const guint8 *) "", 0), ==, DOCENT_FORMAT_UNKNOWN);
  g_assert_cmpint (detect_str ("PK\x03\x04garbage"), ==, DOCENT_FORMAT_ZIP);
  g_assert_cmpint (docent_detect_format ((const guint8 *) "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0", 10),
                   ==, DOCENT_FORMAT_OLE);
}

static DocentFormat
detect_file (const char *path)
{
  g_autofree char *data = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  return docent_detect_format ((const guint8 *) data, len);
}

static void
test_containers (void)
{
  g_autofree char *dir = docent_test_tmpdir ();
  g_autofree char *docx = g_build_filename (dir, "a.bin", NULL);
  g_autofree char *odt = g_build_filename (dir, "b.bin", NULL);
  g_autofree char *epub = g_build_filename (dir, "c.bin", NULL);
  g_autofree char *zip = g_build_filename (dir, "d.docx", NULL);
  g_autoptr(GError) error = NULL;
  const DocentTestBlock blocks[] = { { 1, "Title" }, { 0, "Body text." } };
  const DocentTestBlock *chapters[] = { blocks };
  const guint n_blocks[] = { 2 };
  const DocentTestZipEntry entries[] = { { "notes/readme.txt", "hello", -1, FALSE } };

  g_assert_true (docent_test_write_docx (docx, "T", blocks, 2, &error));
  g_assert_true (docent_test_write_odt (odt, "T", blocks, 2, &error));
  g_assert_true (docent_test_write_epub (epub, "T", chapters, n_blocks, 1, &error));
  g_assert_true (docent_test_write_zip (zip, entries, 1, &error));
  g_assert_cmpint (detect_file (docx), ==, DOCENT_FORMAT_DOCX);
  g_assert_cmpint (detect_file (odt), ==, DOCENT_FORMAT_ODT);
  g_assert_cmpint (detect_file (epub), ==, DOCENT_FORMAT_EPUB);
  g_assert_cmpint (detect_file (zip), ==, DOCENT_FORMAT_ZIP);
  docent_test_rm_rf (dir);
}

static void
test_extract_errors (void)
{
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
  g_autoptr(GBytes) binary = g_bytes_new_static ("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
  g_autoptr(GBytes) zip = g_bytes_new_static ("PK\x03\x04garbage", 11);
  g_autoptr(GBytes) blank = g_bytes_new_static (" \n\n\t ", 5);
  static const char ole_doc[] = "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1 W\0o\0r\0d\0D\0o\0c\0";
  static const char ole_enc[] = "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1 E\0n\0c\0r\0y\0p\0t\0e\0d\0P\0a\0c\0k\0a\0g\0e\0";
  g_autoptr(GBytes) doc = g_bytes_new_static (ole_doc, sizeof ole_doc - 1);
  g_autoptr(GBytes) enc = g_bytes_new_static (ole_enc, sizeof ole_enc - 1);
  g_autoptr(GError) error = NULL;

  g_assert_null (docent_extract (empty, NULL, &error));
  g_assert_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_EMPTY);
  g_clear_error (&error);
  g_assert_null (docent_extract (binary, NULL, &error));
  g_assert_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_UNSUPPORTED);
  g_clear_error (&error);
  g_assert_null (docent_extract (zip, NULL, &error));
  g_assert_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_UNSUPPORTED);
  g_clear_error (&error);
  g_assert_null (docent_extract (blank, NULL, &error));
  g_assert_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_EMPTY);
  g_clear_error (&error);
  g_assert_null (docent_extract (doc, NULL, &error));
  g_assert_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "old Microsoft Office"));
  g_clear_error (&error);
  g_assert_null (docent_extract (enc, NULL, &error));
  g_assert_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_ENCRYPTED);
}

static void
test_extract_dispatch (void)
{
  const char *md = "# Heading\n\nSome *emphasis* and a [link](http://example.org).\n";
  g_autoptr(GBytes) bytes = g_bytes_new_static (md, strlen (md));
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentExtracted) doc = docent_extract (bytes, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (doc->type, ==, "markdown");
  g_assert_cmpuint (doc->pages->len, ==, 1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/detect/magic", test_magic);
  g_test_add_func ("/detect/containers", test_containers);
  g_test_add_func ("/extract/errors", test_extract_errors);
  g_test_add_func ("/extract/dispatch", test_extract_dispatch);
  return g_test_run ();
}
