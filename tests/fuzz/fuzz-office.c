/* fuzz-office.c — libFuzzer entry point for the zip reader and the DOCX,
 * ODT and EPUB extractors. An input that starts with "PK" is a zip file as
 * it comes from disk (the zip reader and its inflate budget are the
 * target); any other input lists the parts of a package,
 * "name\0content\0name\0content...", which the harness stores in a zip so
 * that mutations reach the XML of the parts instead of breaking checksums.
 * Every extractor reads every package: each either gives a document that
 * keeps the text conventions of ingest/document.h or refuses with a
 * DOCENT_INGEST_ERROR. Built as a libFuzzer binary under clang
 * (-Dfuzzing=true) and, with replay.c, as a test over tests/fuzz/corpus/office. */
#include <archive.h>
#include <archive_entry.h>
#include <stdint.h>

#include "ingest/docx.h"
#include "ingest/epub.h"
#include "ingest/odt.h"
#include "tests/fuzz/fuzz-checks.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Small enough that a fuzzed zip bomb costs little time. */
#define BUDGET (8 * 1024 * 1024)

typedef DocentExtracted *(*Extractor) (DocentZip                  *zip,
                                       const DocentExtractOptions *opts,
                                       GError                    **error);

static la_ssize_t
append_output (struct archive *ar,
               void           *user_data,
               const void     *buffer,
               size_t          length)
{
  (void) ar;
  g_byte_array_append (user_data, buffer, length);
  return (la_ssize_t) length;
}

static void
store_part (struct archive *ar,
            const char     *name,
            const char     *content,
            gsize           len)
{
  struct archive_entry *entry = archive_entry_new ();

  archive_entry_set_pathname (entry, name);
  archive_entry_set_filetype (entry, AE_IFREG);
  archive_entry_set_perm (entry, 0644);
  archive_entry_set_size (entry, len);
  if (archive_write_header (ar, entry) == ARCHIVE_OK && len > 0)
    archive_write_data (ar, content, len);
  archive_entry_free (entry);
}

/* "name\0content\0..." as a zip of stored parts; a name without content
 * is an empty part. */
static GBytes *
package_parts (const char *data,
               gsize       size)
{
  g_autofree char *copy = g_malloc (size + 1);
  GByteArray *out = g_byte_array_new ();
  struct archive *ar = archive_write_new ();
  gsize at = 0;

  memcpy (copy, data, size);
  copy[size] = '\0';
  archive_write_set_format_zip (ar);
  archive_write_zip_set_compression_store (ar);
  archive_write_set_bytes_per_block (ar, 0);
  archive_write_open (ar, out, NULL, append_output, NULL);
  while (at < size)
    {
      const char *name = copy + at;
      gsize name_len = strlen (name);
      const char *content = name + name_len + MIN (1, size - at - name_len);
      gsize content_len = strlen (content);

      if (name_len > 0)
        store_part (ar, name, content, content_len);
      at = (gsize) (content - copy) + content_len + 1;
    }
  archive_write_close (ar);
  archive_write_free (ar);
  return g_byte_array_free_to_bytes (out);
}

static void
extract_with (GBytes    *bytes,
              Extractor  extractor,
              const char *type)
{
  DocentExtractOptions opts;
  GError *error = NULL;
  DocentZip *zip;
  DocentExtracted *doc;

  docent_extract_options_init (&opts);
  opts.max_unpacked_bytes = BUDGET;
  opts.max_text_bytes = 256 * 1024;
  zip = docent_zip_open (bytes, opts.max_unpacked_bytes, &error);
  if (zip == NULL)
    {
      fuzz_check_failure (error);
      g_error_free (error);
      return;
    }
  for (guint i = 0; i < docent_zip_names (zip)->len; i++)
    {
      const char *name = g_ptr_array_index (docent_zip_names (zip), i);

      CHECK (g_utf8_validate (name, -1, NULL) && docent_zip_has (zip, name));
    }
  doc = extractor (zip, &opts, &error);
  if (doc == NULL)
    {
      fuzz_check_failure (error);
      g_error_free (error);
    }
  else
    {
      CHECK (error == NULL);
      CHECK (g_strcmp0 (doc->type, type) == 0);
      fuzz_check_extracted (doc);
      docent_extracted_free (doc);
    }
  docent_zip_free (zip);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  GBytes *bytes;

  docent_extract_init ();
  if (size >= 2 && data[0] == 'P' && data[1] == 'K')
    bytes = g_bytes_new_static (data, size);
  else
    bytes = package_parts ((const char *) data, size);
  extract_with (bytes, docent_extract_docx, "docx");
  extract_with (bytes, docent_extract_odt, "odt");
  extract_with (bytes, docent_extract_epub, "epub");
  g_bytes_unref (bytes);
  return 0;
}
