/* test-office.c — zip containers (ingest/zip.c) and the DOCX, ODT and EPUB
 * extractors, on files written by tests/zipgen.c or crafted here: exact
 * texts, headings, titles, pages, and hostile archives. */
#include <glib.h>
#include <libxml/parser.h>
#include <string.h>
#include <zlib.h>

#include "ingest/docx.h"
#include "ingest/epub.h"
#include "ingest/html.h"
#include "ingest/odt.h"
#include "ingest/zip.h"
#include "tests/fixtures.h"
#include "tests/zipgen.h"

#define W_NS "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
#define XML_DECL "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
#define ODT_ROOT \
  "<office:document-content" \
  " xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\"" \
  " xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\"" \
  " xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\"" \
  " xmlns:dc=\"http://purl.org/dc/elements/1.1/\" office:version=\"1.2\">"

typedef DocentExtracted *(*Extractor) (DocentZip                  *zip,
                                       const DocentExtractOptions *opts,
                                       GError                    **error);

/* Helpers */

static GBytes *
zip_bytes (const DocentTestZipEntry *entries,
           guint                     n_entries)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = docent_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "test.zip", NULL);
  GBytes *bytes;

  docent_test_write_zip (path, entries, n_entries, &error);
  g_assert_no_error (error);
  bytes = docent_test_read_bytes (path);
  docent_test_rm_rf (dir);
  return bytes;
}

static DocentExtracted *
extract (GBytes     *bytes,
         Extractor   fn,
         GError    **error)
{
  DocentExtractOptions opts;
  g_autoptr(DocentZip) zip = NULL;

  docent_extract_options_init (&opts);
  zip = docent_zip_open (bytes, opts.max_unpacked_bytes, error);
  if (zip == NULL)
    return NULL;
  return fn (zip, &opts, error);
}

static DocentExtracted *
extract_entries (const DocentTestZipEntry *entries,
                 guint                     n_entries,
                 Extractor                 fn,
                 GError                  **error)
{
  g_autoptr(GBytes) bytes = zip_bytes (entries, n_entries);

  return extract (bytes, fn, error);
}

static DocentPage *
page (const DocentExtracted *doc,
      guint                  i)
{
  g_assert_cmpuint (i, <, doc->pages->len);
  return doc->pages->pdata[i];
}

static void
assert_heading (const DocentPage *p,
                guint             i,
                const char       *text,
                guint             level)
{
  const DocentHeading *h;
  g_autofree char *got = NULL;

  g_assert_cmpuint (i, <, p->headings->len);
  h = &g_array_index (p->headings, DocentHeading, i);
  g_assert_cmpuint (h->end, <=, p->text->len);
  got = g_strndup (p->text->str + h->start, h->end - h->start);
  g_assert_cmpstr (got, ==, text);
  g_assert_cmpuint (h->level, ==, level);
}

static guint32
get_le32 (const guint8 *p)
{
  return p[0] | (p[1] << 8) | (p[2] << 16) | ((guint32) p[3] << 24);
}

static guint16
get_le16 (const guint8 *p)
{
  return p[0] | (p[1] << 8);
}

static void
put_le32 (guint8  *p,
          guint32  v)
{
  p[0] = v & 0xff;
  p[1] = (v >> 8) & 0xff;
  p[2] = (v >> 16) & 0xff;
  p[3] = v >> 24;
}

typedef enum {
  PATCH_UNCOMPRESSED_SIZE,
  PATCH_ENCRYPTED_FLAG,
} Patch;

/* Rewrites every central directory record (and its local header) of a zip
 * written by libarchive, to make headers lie or flag encryption. */
static GBytes *
patch_zip (GBytes  *bytes,
           Patch    patch,
           guint32  value)
{
  gsize len = 0;
  guint8 *data = g_memdup2 (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  guint8 *eocd = NULL, *p;
  guint n;

  len = g_bytes_get_size (bytes);
  for (gsize i = len - 22; i > 0 && eocd == NULL; i--)
    if (memcmp (data + i, "PK\005\006", 4) == 0)
      eocd = data + i;
  g_assert_nonnull (eocd);
  n = get_le16 (eocd + 10);
  p = data + get_le32 (eocd + 16);
  for (guint i = 0; i < n; i++)
    {
      guint8 *local = data + get_le32 (p + 42);

      g_assert_cmpmem (p, 4, "PK\001\002", 4);
      if (patch == PATCH_UNCOMPRESSED_SIZE)
        {
          put_le32 (p + 24, value);
          if ((local[6] & 8) == 0)
            put_le32 (local + 22, value);
        }
      else
        {
          p[8] |= 1;
          local[6] |= 1;
        }
      p += 46 + get_le16 (p + 28) + get_le16 (p + 30) + get_le16 (p + 32);
    }
  return g_bytes_new_take (data, len);
}

/* Text assertions on EPUB chapters need the HTML extractor (html.c). */
static gboolean
html_available (void)
{
  static int available = -1;

  if (available < 0)
    {
      g_autoptr(DocentExtracted) doc = docent_extracted_new ("epub");
      g_autoptr(GError) error = NULL;
      DocentExtractOptions opts;
      xmlDoc *xdoc = xmlReadMemory ("<html><body><p>x</p></body></html>", 34,
                                    "probe.xhtml", NULL, XML_PARSE_NONET);

      docent_extract_options_init (&opts);
      available = docent_html_append_tree (doc, xmlDocGetRootElement (xdoc),
                                           TRUE, &opts, &error);
      xmlFreeDoc (xdoc);
    }
  return available;
}

/* Zip */

static void
test_zip_read (void)
{
  static const guint8 binary[] = { 'a', 0, 'b', 0xff, 0 };
  const DocentTestZipEntry entries[] = {
    { "mimetype", "application/epub+zip", -1, TRUE },
    { "dir/deflated.txt", "hello hello hello hello", -1, FALSE },
    { "bin", (const char *) binary, sizeof binary, FALSE },
    { "empty", "", 0, FALSE },
  };
  g_autoptr(GBytes) bytes = zip_bytes (entries, G_N_ELEMENTS (entries));
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentZip) zip = docent_zip_open (bytes, 1024 * 1024, &error);
  const GPtrArray *names;
  GBytes *got;

  g_assert_no_error (error);
  names = docent_zip_names (zip);
  g_assert_cmpuint (names->len, ==, 4);
  g_assert_cmpstr (names->pdata[0], ==, "mimetype");
  g_assert_cmpstr (names->pdata[1], ==, "dir/deflated.txt");
  g_assert_cmpstr (names->pdata[2], ==, "bin");
  g_assert_cmpstr (names->pdata[3], ==, "empty");
  g_assert_true (docent_zip_has (zip, "bin"));
  g_assert_false (docent_zip_has (zip, "dir"));
  g_assert_false (docent_zip_has (zip, "BIN"));

  /* Backwards, forwards and the same entry twice. */
  got = docent_zip_read (zip, "bin", &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (got, NULL), g_bytes_get_size (got), binary, sizeof binary);
  g_bytes_unref (got);

  got = docent_zip_read (zip, "dir/deflated.txt", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (got), ==, 23);
  g_assert_cmpstr (g_bytes_get_data (got, NULL), ==, "hello hello hello hello");
  g_bytes_unref (got);

  got = docent_zip_read (zip, "mimetype", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_bytes_get_data (got, NULL), ==, "application/epub+zip");
  g_bytes_unref (got);

  got = docent_zip_read (zip, "empty", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (got), ==, 0);
  g_assert_cmpint (((const char *) g_bytes_get_data (got, NULL))[0], ==, '\0');
  g_bytes_unref (got);

  got = docent_zip_read (zip, "mimetype", &error);
  g_assert_no_error (error);
  g_bytes_unref (got);

  got = docent_zip_read (zip, "missing.xml", &error);
  g_assert_null (got);
  g_assert_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_CORRUPT);
  g_assert_cmpstr (error->message, ==, "damaged zip file: missing.xml is missing");
}

static void
test_zip_not_zip (void)
{
  static const char plain[] = "just some text, not a zip";
  g_autoptr(GBytes) text = g_bytes_new_static (plain, sizeof plain - 1);
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
  static const char garbage[] = "PK\003\004 and then garbage PK\005\006";
  g_autoptr(GBytes) fake = g_bytes_new_static (garbage, sizeof garbage - 1);
  g_autoptr(GError) error = NULL;

  g_assert_null (docent_zip_open (text, 0, &error));
  g_assert_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_CORRUPT);
  g_assert_cmpstr (error->message, ==, "not a zip file");
  g_clear_error (&error);

  g_assert_null (docent_zip_open (empty, 0, &error));
  g_assert_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_CORRUPT);
  g_clear_error (&error);

  g_assert_null (docent_zip_open (fake, 0, &error));
  g_assert_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_CORRUPT);
  g_assert_true (g_str_has_prefix (error->message, "damaged zip file: "));
}

static void
test_zip_truncated (void)
{
  const DocentTestBlock blocks[] = { { 1, "Heading" }, { 0, "Some text." } };
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = docent_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "cut.docx", NULL);
  g_autoptr(GBytes) whole = NULL;

  docent_test_write_docx (path, "Title", blocks, G_N_ELEMENTS (blocks), &error);
  g_assert_no_error (error);
  whole = docent_test_read_bytes (path);

  /* Every cut, from the first bytes to the last, is refused cleanly. */
  for (gsize cut = 1; cut < g_bytes_get_size (whole); cut += 7)
    {
      g_autoptr(GBytes) part = g_bytes_new_from_bytes (whole, 0, cut);
      g_autoptr(DocentExtracted) doc = extract (part, docent_extract_docx, &error);

      g_assert_null (doc);
      g_assert_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_CORRUPT);
      g_clear_error (&error);
    }
  docent_test_rm_rf (dir);
}

/* An honest header that declares more than the budget is refused before
 * anything is inflated. */
static void
test_zip_bomb_declared (void)
{
  gsize size = 20 * 1024 * 1024;
  g_autofree char *zeros = g_malloc0 (size);
  const DocentTestZipEntry entries[] = {
    { "word/document.xml", zeros, size, FALSE },
  };
  g_autoptr(GBytes) bytes = zip_bytes (entries, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentZip) zip = docent_zip_open (bytes, 1024 * 1024, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (bytes), <, 100 * 1024);
  g_assert_null (docent_zip_read (zip, "word/document.xml", &error));
  g_assert_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_TOO_LARGE);
  g_assert_cmpstr (error->message, ==,
                   "zip bomb: word/document.xml takes the unpacked total beyond 1 MiB");
}

/* Headers that lie about the size: the inflated bytes are counted. */
static void
test_zip_bomb_lying (void)
{
  gsize size = 20 * 1024 * 1024;
  g_autofree char *zeros = g_malloc0 (size);
  const DocentTestZipEntry entries[] = {
    { "word/document.xml", zeros, size, FALSE },
  };
  g_autoptr(GBytes) honest = zip_bytes (entries, 1);
  g_autoptr(GBytes) bytes = patch_zip (honest, PATCH_UNCOMPRESSED_SIZE, 1000);
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentZip) zip = docent_zip_open (bytes, 1024 * 1024, &error);
  gint64 start = g_get_monotonic_time ();

  g_assert_no_error (error);
  g_assert_null (docent_zip_read (zip, "word/document.xml", &error));
  g_assert_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_TOO_LARGE);
  g_assert_true (g_str_has_prefix (error->message, "zip bomb: word/document.xml "));
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_USEC_PER_SEC);
}

/* The budget covers the whole container, not one entry. */
static void
test_zip_budget_total (void)
{
  gsize size = 600 * 1024;
  g_autofree char *zeros = g_malloc0 (size);
  const DocentTestZipEntry entries[] = {
    { "a", zeros, size, FALSE },
    { "b", zeros, size, FALSE },
  };
  g_autoptr(GBytes) bytes = zip_bytes (entries, 2);
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentZip) zip = docent_zip_open (bytes, 1024 * 1024, &error);
  g_autoptr(GBytes) a = NULL;

  g_assert_no_error (error);
  a = docent_zip_read (zip, "a", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (a), ==, size);
  g_assert_null (docent_zip_read (zip, "b", &error));
  g_assert_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_TOO_LARGE);
  g_clear_error (&error);
  /* Reading again does not reset the budget. */
  g_assert_null (docent_zip_read (zip, "a", &error));
  g_assert_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_TOO_LARGE);
}

static void
test_zip_encrypted (void)
{
  const DocentTestZipEntry entries[] = {
    { "word/document.xml", "<w:document/>", -1, FALSE },
  };
  g_autoptr(GBytes) plain = zip_bytes (entries, 1);
  g_autoptr(GBytes) bytes = patch_zip (plain, PATCH_ENCRYPTED_FLAG, 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentExtracted) doc = extract (bytes, docent_extract_docx, &error);

  g_assert_null (doc);
  g_assert_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_ENCRYPTED);
}

static void
test_zip_too_many_entries (void)
{
  g_autoptr(GArray) entries = g_array_new (FALSE, FALSE, sizeof (DocentTestZipEntry));
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentZip) zip = NULL;

  for (guint i = 0; i < 10001; i++)
    {
      char *name = g_strdup_printf ("f%u", i);
      DocentTestZipEntry entry = { name, "", 0, TRUE };

      g_ptr_array_add (names, name);
      g_array_append_val (entries, entry);
    }
  bytes = zip_bytes ((const DocentTestZipEntry *) entries->data, 10000);
  zip = docent_zip_open (bytes, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (docent_zip_names (zip)->len, ==, 10000);
  g_clear_pointer (&zip, docent_zip_free);
  g_clear_pointer (&bytes, g_bytes_unref);

  bytes = zip_bytes ((const DocentTestZipEntry *) entries->data, 10001);
  zip = docent_zip_open (bytes, 0, &error);
  g_assert_null (zip);
  g_assert_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_TOO_LARGE);
  g_assert_cmpstr (error->message, ==, "zip file with more than 10000 entries");
}

/* Zip bombs made by hand: a DOCX whose word/document.xml is `size` zero
 * bytes, deflated. 1 MiB of zeros deflates to the same bytes after every
 * full flush, so a gigabyte costs one compression of 1 MiB and copies of
 * its kilobyte: the test stays fast and small. With `lie`, the headers
 * declare 1000 bytes instead. */

static void
put16 (GByteArray *out,
       guint       v)
{
  guint8 b[2] = { v & 0xff, (v >> 8) & 0xff };

  g_byte_array_append (out, b, 2);
}

static void
put32 (GByteArray *out,
       guint32     v)
{
  put16 (out, v & 0xffff);
  put16 (out, v >> 16);
}

typedef struct {
  const char *name;
  guint method;        /* 0 stored, 8 deflated */
  guint32 crc;
  guint32 packed;
  guint32 size;
  guint32 offset;
} BombEntry;

static void
put_header (GByteArray      *out,
            const BombEntry *e,
            gboolean         central)
{
  put32 (out, central ? 0x02014b50 : 0x04034b50);
  if (central)
    put16 (out, 20);                   /* made by */
  put16 (out, 20);                     /* needed */
  put16 (out, 0);                      /* flags */
  put16 (out, e->method);
  put16 (out, 0);                      /* time */
  put16 (out, 0x21);                   /* date: 1980-01-01 */
  put32 (out, e->crc);
  put32 (out, e->packed);
  put32 (out, e->size);
  put16 (out, strlen (e->name));
  put16 (out, 0);                      /* extra */
  if (central)
    {
      put16 (out, 0);                  /* comment */
      put16 (out, 0);                  /* disk */
      put16 (out, 0);                  /* internal attributes */
      put32 (out, 0);                  /* external attributes */
      put32 (out, e->offset);
    }
  g_byte_array_append (out, (const guint8 *) e->name, strlen (e->name));
}

static void
put_stored (GByteArray *out,
            BombEntry  *e,
            const char *data)
{
  gsize len = strlen (data);

  *e = (BombEntry) { e->name, 0, crc32 (0, (const Bytef *) data, len), len, len, out->len };
  put_header (out, e, FALSE);
  g_byte_array_append (out, (const guint8 *) data, len);
}

/* Raw deflate of `n` bytes from `in` with `flush`, appended to `out`. */
static void
deflate_into (z_stream   *z,
              const void *in,
              gsize       n,
              int         flush,
              GByteArray *out)
{
  guint8 buffer[64 * 1024];

  z->next_in = (Bytef *) in;
  z->avail_in = n;
  do
    {
      z->next_out = buffer;
      z->avail_out = sizeof buffer;
      g_assert_cmpint (deflate (z, flush), !=, Z_STREAM_ERROR);
      g_byte_array_append (out, buffer, sizeof buffer - z->avail_out);
    }
  while (z->avail_out == 0);
}

static GBytes *
zero_bomb_docx (guint64  mib,
                gboolean lie)
{
  static const char rels[] =
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
    "relationships/officeDocument\" Target=\"word/document.xml\"/></Relationships>";
  const gsize block = 1024 * 1024;
  g_autofree guint8 *zeros = g_malloc0 (block);
  g_autoptr(GByteArray) first = g_byte_array_new ();
  g_autoptr(GByteArray) next = g_byte_array_new ();
  g_autoptr(GByteArray) last = g_byte_array_new ();
  GByteArray *out = g_byte_array_new ();
  BombEntry entries[2] = { { .name = "_rels/.rels" }, { .name = "word/document.xml" } };
  guint32 crc_block = crc32 (0, zeros, block), crc = 0;
  guint32 cd_start, cd_size;
  z_stream z = { 0 };

  g_assert_cmpint (deflateInit2 (&z, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY), ==, Z_OK);
  deflate_into (&z, zeros, block, Z_FULL_FLUSH, first);
  deflate_into (&z, zeros, block, Z_FULL_FLUSH, next);
  deflate_into (&z, NULL, 0, Z_FINISH, last);
  deflateEnd (&z);

  put_stored (out, &entries[0], rels);
  for (guint64 i = 0; i < mib; i++)
    crc = crc32_combine (crc, crc_block, block);
  entries[1] = (BombEntry) {
    "word/document.xml", 8, crc,
    first->len + next->len * (mib - 1) + last->len,
    lie ? 1000 : mib * block, out->len,
  };
  put_header (out, &entries[1], FALSE);
  g_byte_array_append (out, first->data, first->len);
  for (guint64 i = 1; i < mib; i++)
    g_byte_array_append (out, next->data, next->len);
  g_byte_array_append (out, last->data, last->len);

  cd_start = out->len;
  for (guint i = 0; i < G_N_ELEMENTS (entries); i++)
    put_header (out, &entries[i], TRUE);
  cd_size = out->len - cd_start;
  put32 (out, 0x06054b50);
  put16 (out, 0);
  put16 (out, 0);
  put16 (out, G_N_ELEMENTS (entries));
  put16 (out, G_N_ELEMENTS (entries));
  put32 (out, cd_size);
  put32 (out, cd_start);
  put16 (out, 0);
  return g_byte_array_free_to_bytes (out);
}

/* The generator itself: a small bomb inflates to exactly its zeros. */
static void
test_zip_bomb_generator (void)
{
  g_autoptr(GBytes) bytes = zero_bomb_docx (3, FALSE);
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentZip) zip = docent_zip_open (bytes, 0, &error);
  g_autoptr(GBytes) part = NULL;
  gsize len;
  const guint8 *data;

  g_assert_no_error (error);
  part = docent_zip_read (zip, "word/document.xml", &error);
  g_assert_no_error (error);
  data = g_bytes_get_data (part, &len);
  g_assert_cmpuint (len, ==, 3 * 1024 * 1024);
  g_assert_cmpuint (data[0], ==, 0);
  g_assert_cmpuint (data[len - 1], ==, 0);
}

/* 1 GiB of zeros in a 1 MiB DOCX, with the default limits, through the
 * whole extraction: refused as a bomb naming the part, fast, without
 * inflating the gigabyte. Honest headers are refused before inflating;
 * lying ones once the inflated bytes pass the ratio limit. */
static void
test_zip_bomb_gigabyte (void)
{
  for (guint lie = 0; lie <= 1; lie++)
    {
      g_autoptr(GBytes) bytes = zero_bomb_docx (1024, lie);
      g_autoptr(GError) error = NULL;
      g_autoptr(DocentExtracted) doc = NULL;
      gint64 start = g_get_monotonic_time ();
      double seconds;

      g_assert_cmpuint (g_bytes_get_size (bytes), <, 2 * 1024 * 1024);
      doc = docent_extract (bytes, NULL, &error);
      seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
      g_test_message ("%s 1 GiB bomb (%zu bytes) refused in %.3f s: %s",
                      lie ? "lying" : "honest", g_bytes_get_size (bytes), seconds,
                      error != NULL ? error->message : "(no error)");
      g_assert_null (doc);
      g_assert_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_TOO_LARGE);
      g_assert_true (g_str_has_prefix (error->message, "zip bomb: word/document.xml "));
      g_assert_cmpfloat (seconds, <, 10.0);
    }
}

/* The entry limit holds whatever the container's budget. */
static void
test_zip_bomb_entry_limit (void)
{
  g_autoptr(GBytes) bytes = zero_bomb_docx (300, FALSE);
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentZip) zip = docent_zip_open (bytes, 0, &error);

  g_assert_no_error (error);
  g_assert_null (docent_zip_read (zip, "word/document.xml", &error));
  g_assert_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_TOO_LARGE);
  g_assert_cmpstr (error->message, ==, "zip bomb: word/document.xml expands beyond 256 MiB");
}

/* DOCX */

static const DocentTestBlock lease_blocks[] = {
  { 1, "Lease Agreement" },
  { 0, "The tenant shall pay rent." },
  { 2, "Payment & <Fees>" },
  { 0, "Rent is due on the first day.\nLate fees apply." },
  { 3, "Notes" },
  { 0, "Keys are returned   at the end." },
};

static const char lease_text[] =
  "Lease Agreement\n\n"
  "The tenant shall pay rent.\n\n"
  "Payment & <Fees>\n\n"
  "Rent is due on the first day.\nLate fees apply.\n\n"
  "Notes\n\n"
  "Keys are returned at the end.";

static void
assert_lease (const DocentExtracted *doc,
              const char            *type)
{
  const DocentPage *p;

  g_assert_cmpstr (doc->type, ==, type);
  g_assert_cmpuint (doc->pages->len, ==, 1);
  p = page (doc, 0);
  g_assert_cmpuint (p->page_no, ==, 1);
  g_assert_cmpstr (p->text->str, ==, lease_text);
  g_assert_cmpuint (p->headings->len, ==, 3);
  assert_heading (p, 0, "Lease Agreement", 1);
  assert_heading (p, 1, "Payment & <Fees>", 2);
  assert_heading (p, 2, "Notes", 3);
  g_assert_null (p->boxes);
}

typedef gboolean (*Writer) (const char            *path,
                            const char            *title,
                            const DocentTestBlock *blocks,
                            guint                  n_blocks,
                            GError               **error);

static DocentExtracted *
write_and_extract (Writer      writer,
                   Extractor   fn,
                   const char *title)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = docent_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "doc", NULL);
  g_autoptr(GBytes) bytes = NULL;
  DocentExtracted *doc;

  writer (path, title, lease_blocks, G_N_ELEMENTS (lease_blocks), &error);
  g_assert_no_error (error);
  bytes = docent_test_read_bytes (path);
  doc = extract (bytes, fn, &error);
  g_assert_no_error (error);
  docent_test_rm_rf (dir);
  return doc;
}

/* The generated lease, written with a title and without one. */
static void
assert_generated (Writer      writer,
                  Extractor   fn,
                  const char *kind)
{
  g_autoptr(DocentExtracted) doc = write_and_extract (writer, fn, "Residential Lease");
  g_autoptr(DocentExtracted) untitled = write_and_extract (writer, fn, NULL);

  assert_lease (doc, kind);
  g_assert_cmpstr (doc->title, ==, "Residential Lease");
  assert_lease (untitled, kind);
  g_assert_cmpstr (untitled->title, ==, "Lease Agreement");
}

static void
test_docx_generated (void)
{
  assert_generated (docent_test_write_docx, docent_extract_docx, "docx");
}

static const char docx_styles[] =
  XML_DECL
  "<w:styles xmlns:w=\"" W_NS "\">"
  "<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/></w:style>"
  /* Localised ids, English built-in names. */
  "<w:style w:type=\"paragraph\" w:styleId=\"berschrift1\"><w:name w:val=\"heading 1\"/>"
  "<w:basedOn w:val=\"Normal\"/></w:style>"
  "<w:style w:type=\"paragraph\" w:styleId=\"berschrift2\"><w:name w:val=\"heading 2\"/>"
  "<w:basedOn w:val=\"Normal\"/></w:style>"
  "<w:style w:type=\"paragraph\" w:styleId=\"Chapter\"><w:name w:val=\"Chapter Title\"/>"
  "<w:basedOn w:val=\"berschrift2\"/></w:style>"
  /* A cycle must not hang. */
  "<w:style w:type=\"paragraph\" w:styleId=\"LoopA\"><w:name w:val=\"Loop A\"/>"
  "<w:basedOn w:val=\"LoopB\"/></w:style>"
  "<w:style w:type=\"paragraph\" w:styleId=\"LoopB\"><w:name w:val=\"Loop B\"/>"
  "<w:basedOn w:val=\"LoopA\"/></w:style>"
  /* The id looks like a heading, the style is not one. */
  "<w:style w:type=\"paragraph\" w:styleId=\"Heading1\"><w:name w:val=\"Quote Block\"/></w:style>"
  "<w:style w:type=\"paragraph\" w:styleId=\"ListParagraph\"><w:name w:val=\"List Paragraph\"/></w:style>"
  "<w:style w:type=\"character\" w:styleId=\"Strong\"><w:name w:val=\"Strong\"/></w:style>"
  "</w:styles>";

#define T(s) "<w:r><w:t>" s "</w:t></w:r>"
#define P(s) "<w:p>" T (s) "</w:p>"
#define CELL(s) "<w:tc><w:tcPr/><w:p>" T (s) "</w:p></w:tc>"

static const char docx_document[] =
  XML_DECL
  "<w:document xmlns:w=\"" W_NS "\""
  " xmlns:mc=\"http://schemas.openxmlformats.org/markup-compatibility/2006\""
  " xmlns:wps=\"http://schemas.microsoft.com/office/word/2010/wordprocessingShape\""
  " xmlns:wp=\"http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing\""
  " xmlns:v=\"urn:schemas-microsoft-com:vml\""
  " xmlns:m=\"http://schemas.openxmlformats.org/officeDocument/2006/math\""
  " mc:Ignorable=\"wps\"><w:body>"
  /* A heading whose runs split a word. */
  "<w:p><w:pPr><w:pStyle w:val=\"berschrift1\"/><w:rPr><w:b/></w:rPr></w:pPr>"
  "<w:r><w:t>Clin</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>ical Guide</w:t></w:r></w:p>"
  /* Tabs, breaks, hyphens, symbols and tracked changes. */
  "<w:p><w:pPr><w:tabs><w:tab w:val=\"left\" w:pos=\"720\"/></w:tabs></w:pPr>"
  "<w:r><w:t xml:space=\"preserve\">Take </w:t></w:r><w:r><w:t>one</w:t></w:r>"
  "<w:r><w:tab/><w:t>tablet</w:t></w:r>"
  "<w:r><w:br/><w:t>twice</w:t><w:noBreakHyphen/><w:t>daily</w:t>"
  "<w:sym w:font=\"Wingdings\" w:char=\"F0E0\"/><w:softHyphen/></w:r>"
  "<w:del w:id=\"1\" w:author=\"A\"><w:r><w:delText> with water</w:delText></w:r></w:del>"
  "<w:ins w:id=\"2\" w:author=\"A\"><w:r><w:t xml:space=\"preserve\"> with food</w:t></w:r></w:ins>"
  "<w:r><w:t>.</w:t></w:r></w:p>"
  /* A style based on a heading style. */
  "<w:p><w:pPr><w:pStyle w:val=\"Chapter\"/></w:pPr>" T ("Dosage") "</w:p>"
  "<w:tbl><w:tblPr/><w:tblGrid><w:gridCol w:w=\"100\"/></w:tblGrid>"
  "<w:tr><w:trPr/>" CELL ("Drug") CELL ("Dose") CELL ("Route") "</w:tr>"
  "<w:tr><w:tc><w:p/></w:tc><w:tc><w:p/></w:tc><w:tc><w:p/></w:tc></w:tr>"
  "<w:tr>" CELL ("Aspirin")
  "<w:tc><w:p>" T ("100 mg") "</w:p><w:p>" T ("daily") "</w:p></w:tc>"
  "<w:tc><w:p/></w:tc></w:tr>"
  "</w:tbl>"
  "<w:p><w:pPr><w:pStyle w:val=\"ListParagraph\"/><w:numPr><w:ilvl w:val=\"0\"/>"
  "<w:numId w:val=\"1\"/></w:numPr></w:pPr>" T ("Check blood pressure") "</w:p>"
  "<w:p><w:pPr><w:numPr><w:ilvl w:val=\"1\"/><w:numId w:val=\"1\"/></w:numPr></w:pPr>"
  T ("Record heart rate") "</w:p>"
  /* An outline level on the paragraph itself. */
  "<w:p><w:pPr><w:outlineLvl w:val=\"2\"/></w:pPr>" T ("Monitoring") "</w:p>"
  "<w:p><w:pPr><w:pStyle w:val=\"Heading1\"/></w:pPr>" T ("Not a heading") "</w:p>"
  "<w:p><w:pPr><w:pStyle w:val=\"LoopA\"/></w:pPr>" T ("Loop") "</w:p>"
  /* A page number field: the instruction is not text, the result is. */
  "<w:p><w:r><w:t xml:space=\"preserve\">Page </w:t></w:r>"
  "<w:r><w:fldChar w:fldCharType=\"begin\"/></w:r>"
  "<w:r><w:instrText xml:space=\"preserve\"> PAGE </w:instrText></w:r>"
  "<w:r><w:fldChar w:fldCharType=\"separate\"/></w:r>" T ("7")
  "<w:r><w:fldChar w:fldCharType=\"end\"/></w:r>"
  "<w:r><w:footnoteReference w:id=\"1\"/></w:r></w:p>"
  /* A text box, written twice (DrawingML and its VML fallback). */
  "<w:p>" T ("See box") "<w:r><mc:AlternateContent><mc:Choice Requires=\"wps\">"
  "<w:drawing><wp:anchor><wps:wsp><wps:txbx><w:txbxContent>"
  P ("Boxed note")
  "</w:txbxContent></wps:txbx></wps:wsp></wp:anchor></w:drawing></mc:Choice>"
  "<mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent>"
  P ("Boxed note")
  "</w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback>"
  "</mc:AlternateContent></w:r></w:p>"
  "<w:p>" T ("Area ") "<m:oMath><m:r><m:t>r²</m:t></m:r></m:oMath></w:p>"
  "<w:sectPr><w:pgSz w:w=\"11906\" w:h=\"16838\"/></w:sectPr>"
  "</w:body></w:document>";

static const char docx_footnotes[] =
  XML_DECL
  "<w:footnotes xmlns:w=\"" W_NS "\">"
  "<w:footnote w:type=\"separator\" w:id=\"-1\"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>"
  "<w:footnote w:type=\"continuationSeparator\" w:id=\"0\"><w:p>" T ("----") "</w:p></w:footnote>"
  "<w:footnote w:id=\"1\"><w:p><w:pPr><w:pStyle w:val=\"FootnoteText\"/></w:pPr>"
  "<w:r><w:footnoteRef/></w:r><w:r><w:t xml:space=\"preserve\"> Ask a pharmacist.</w:t></w:r>"
  "</w:p></w:footnote></w:footnotes>";

static void
test_docx_features (void)
{
  const DocentTestZipEntry entries[] = {
    { "word/document.xml", docx_document, -1, FALSE },
    { "word/styles.xml", docx_styles, -1, FALSE },
    { "word/footnotes.xml", docx_footnotes, -1, FALSE },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentExtracted) doc = extract_entries (entries, G_N_ELEMENTS (entries),
                                                    docent_extract_docx, &error);
  const DocentPage *p;

  g_assert_no_error (error);
  g_assert_cmpuint (doc->pages->len, ==, 1);
  p = page (doc, 0);
  g_assert_cmpstr (p->text->str, ==,
                   "Clinical Guide\n\n"
                   "Take one tablet\ntwice-daily with food.\n\n"
                   "Dosage\n\n"
                   "Drug | Dose | Route\nAspirin | 100 mg daily |\n\n"
                   "Check blood pressure\nRecord heart rate\n\n"
                   "Monitoring\n\n"
                   "Not a heading\n\n"
                   "Loop\n\n"
                   "Page 7\n\n"
                   "See box\nBoxed note\n\n"
                   "Area r²\n\n"
                   "Ask a pharmacist.");
  g_assert_cmpuint (p->headings->len, ==, 3);
  assert_heading (p, 0, "Clinical Guide", 1);
  assert_heading (p, 1, "Dosage", 2);
  assert_heading (p, 2, "Monitoring", 3);
  /* No docProps/core.xml: the first heading names the document. */
  g_assert_cmpstr (doc->title, ==, "Clinical Guide");
}

/* The main part is found through _rels/.rels, wherever it is. */
static void
test_docx_relationships (void)
{
  static const char rels[] =
    XML_DECL
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\""
    " Target=\"/content/main.xml\"/>"
    "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\""
    " Target=\"meta/core.xml\"/></Relationships>";
  static const char doc_rels[] =
    XML_DECL
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\""
    " Target=\"../shared/look.xml\"/></Relationships>";
  static const char core[] =
    XML_DECL
    "<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\""
    " xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title>  Moved\tParts </dc:title></cp:coreProperties>";
  static const char main_xml[] =
    XML_DECL "<w:document xmlns:w=\"" W_NS "\"><w:body>"
    "<w:p><w:pPr><w:pStyle w:val=\"berschrift2\"/></w:pPr>" T ("Found") "</w:p>"
    P ("It works.") "</w:body></w:document>";
  const DocentTestZipEntry entries[] = {
    { "_rels/.rels", rels, -1, FALSE },
    { "content/main.xml", main_xml, -1, FALSE },
    { "content/_rels/main.xml.rels", doc_rels, -1, FALSE },
    { "shared/look.xml", docx_styles, -1, FALSE },
    { "meta/core.xml", core, -1, FALSE },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentExtracted) doc = extract_entries (entries, G_N_ELEMENTS (entries),
                                                    docent_extract_docx, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (page (doc, 0)->text->str, ==, "Found\n\nIt works.");
  assert_heading (page (doc, 0), 0, "Found", 2);
  g_assert_cmpstr (doc->title, ==, "Moved Parts");
}

static void
test_docx_not_docx (void)
{
  const DocentTestZipEntry entries[] = {
    { "readme.txt", "hello", -1, FALSE },
    { "word/styles.xml", docx_styles, -1, FALSE },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentExtracted) doc = extract_entries (entries, G_N_ELEMENTS (entries),
                                                    docent_extract_docx, &error);

  g_assert_null (doc);
  g_assert_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_CORRUPT);
  g_assert_cmpstr (error->message, ==, "damaged DOCX: word/document.xml is missing");
}

static void
test_docx_malformed (void)
{
  const DocentTestZipEntry entries[] = {
    { "word/document.xml",
      XML_DECL "<w:document xmlns:w=\"" W_NS "\"><w:body><w:p><w:r><w:t>Broken"
      "</w:r></w:p></w:body></w:document>", -1, FALSE },
    { "word/styles.xml", "<not xml", -1, FALSE },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentExtracted) doc = extract_entries (entries, G_N_ELEMENTS (entries),
                                                    docent_extract_docx, &error);

  g_assert_null (doc);
  g_assert_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_CORRUPT);
  g_assert_true (g_str_has_prefix (error->message,
                                   "damaged DOCX: word/document.xml is not well-formed XML (line 2: "));
}

static char *
nested (const char *prefix,
        const char *open,
        const char *close,
        guint       depth,
        const char *suffix)
{
  GString *s = g_string_new (prefix);

  for (guint i = 0; i < depth; i++)
    g_string_append (s, open);
  g_string_append (s, "deep");
  for (guint i = 0; i < depth; i++)
    g_string_append (s, close);
  g_string_append (s, suffix);
  return g_string_free (s, FALSE);
}

/* The parser refuses such depth or the walk copes with it: no crash. */
static void
test_docx_deep (void)
{
  g_autofree char *xml = nested (XML_DECL "<w:document xmlns:w=\"" W_NS "\"><w:body><w:p>",
                                 "<w:ins>", "</w:ins>", 100000,
                                 "</w:p></w:body></w:document>");
  const DocentTestZipEntry entries[] = { { "word/document.xml", xml, -1, FALSE } };
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentExtracted) doc = extract_entries (entries, 1, docent_extract_docx, &error);

  if (doc == NULL)
    {
      g_test_message ("refused: %s", error->message);
      g_assert_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_CORRUPT);
    }
  else
    g_assert_cmpstr (page (doc, 0)->text->str, ==, "deep");
}

/* Entities are never expanded: no billion laughs, no file reads. */
static void
test_docx_entities (void)
{
  static const char xml[] =
    "<?xml version=\"1.0\"?>\n"
    "<!DOCTYPE w:document [\n"
    "<!ENTITY a \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\">\n"
    "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">\n"
    "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">\n"
    "<!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">\n"
    "<!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\">\n"
    "<!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\">\n"
    "<!ENTITY g \"&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;\">\n"
    "<!ENTITY file SYSTEM \"file:///etc/passwd\">\n"
    "]>\n"
    "<w:document xmlns:w=\"" W_NS "\"><w:body>"
    "<w:p><w:r><w:t>laughs &g; and &file; done</w:t></w:r></w:p>"
    "</w:body></w:document>";
  const DocentTestZipEntry entries[] = { { "word/document.xml", xml, -1, FALSE } };
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentExtracted) doc = extract_entries (entries, 1, docent_extract_docx, &error);

  if (doc == NULL)
    {
      g_test_message ("refused: %s", error->message);
      g_assert_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_CORRUPT);
      return;
    }
  g_test_message ("text: %s", page (doc, 0)->text->str);
  g_assert_cmpuint (docent_extracted_text_length (doc), <, 100);
  g_assert_null (strstr (page (doc, 0)->text->str, "root:"));
}

/* About 100 pages of prose with a heading every few paragraphs. */
static void
test_docx_large (void)
{
  g_autofree char *prose = docent_test_prose (7, 50000);
  g_auto(GStrv) paragraphs = g_strsplit (prose, "\n\n", -1);
  g_autoptr(GArray) blocks = g_array_new (FALSE, FALSE, sizeof (DocentTestBlock));
  g_autoptr(GString) expected = g_string_new (NULL);
  g_autoptr(GPtrArray) headings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = docent_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "large.docx", NULL);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(DocentExtracted) doc = NULL;
  gint64 start;
  double seconds;

  for (guint i = 0; paragraphs[i] != NULL; i++)
    {
      DocentTestBlock block = { 0, paragraphs[i] };

      if (i % 10 == 0)
        {
          char *heading = g_strdup_printf ("Section %u", i / 10 + 1);
          DocentTestBlock h = { 1 + (i / 10) % 3, heading };

          g_ptr_array_add (headings, heading);
          g_array_append_val (blocks, h);
          g_string_append_printf (expected, "%s\n\n", heading);
        }
      g_array_append_val (blocks, block);
      g_string_append_printf (expected, "%s\n\n", paragraphs[i]);
    }
  g_string_truncate (expected, expected->len - 2);

  docent_test_write_docx (path, "Large", (const DocentTestBlock *) blocks->data,
                          blocks->len, &error);
  g_assert_no_error (error);
  bytes = docent_test_read_bytes (path);

  start = g_get_monotonic_time ();
  doc = extract (bytes, docent_extract_docx, &error);
  seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  g_assert_no_error (error);
  g_test_message ("50000 words of DOCX extracted in %.3f s", seconds);

  g_assert_cmpstr (page (doc, 0)->text->str, ==, expected->str);
  g_assert_cmpuint (page (doc, 0)->headings->len, ==, headings->len);
  assert_heading (page (doc, 0), 4, "Section 5", 2);
  /* Well under a second in an optimised build; sanitizers are slower. */
  g_assert_cmpfloat (seconds, <, 5.0);
  docent_test_rm_rf (dir);
}

/* ODT */

static void
test_odt_generated (void)
{
  assert_generated (docent_test_write_odt, docent_extract_odt, "odt");
}

static const char odt_content[] =
  XML_DECL ODT_ROOT
  "<office:automatic-styles/><office:body><office:text>"
  "<text:tracked-changes><text:changed-region text:id=\"c1\"><text:deletion>"
  "<office:change-info><dc:creator>A</dc:creator></office:change-info>"
  "<text:p>removed words</text:p></text:deletion></text:changed-region></text:tracked-changes>"
  "<text:sequence-decls><text:sequence-decl text:name=\"Table\"/></text:sequence-decls>"
  "<text:h text:outline-level=\"1\"><text:number>1.</text:number>Field "
  "<text:span text:style-name=\"T1\">Man</text:span>ual</text:h>\n"
  "<text:p>Keep<text:s text:c=\"3\"/>the<text:tab/>device\n dry.<text:line-break/>"
  "Charge it fully<text:note text:id=\"n1\" text:note-class=\"footnote\">"
  "<text:note-citation>1</text:note-citation><text:note-body>"
  "<text:p>Use the supplied charger.</text:p></text:note-body></text:note> before use."
  "<text:change text:change-id=\"c1\"/>"
  "<office:annotation><dc:creator>B</dc:creator><text:p>comment text</text:p></office:annotation>"
  "</text:p>\n"
  "<text:h text:outline-level=\"3\">Care</text:h>"
  "<text:list><text:list-item><text:p>Wipe the screen</text:p>"
  "<text:list><text:list-item><text:p>Use a soft cloth</text:p></text:list-item></text:list>"
  "</text:list-item><text:list-item><text:p>Store below 30 °C</text:p></text:list-item></text:list>"
  "<table:table table:name=\"T\"><table:table-column table:number-columns-repeated=\"2\"/>"
  "<table:table-header-rows><table:table-row>"
  "<table:table-cell><text:p>Part</text:p></table:table-cell>"
  "<table:table-cell><text:p>Warranty</text:p></table:table-cell>"
  "</table:table-row></table:table-header-rows>"
  "<table:table-row><table:table-cell/><table:table-cell><text:p/></table:table-cell></table:table-row>"
  "<table:table-row><table:table-cell><text:p>Battery</text:p></table:table-cell>"
  "<table:table-cell><text:p>2</text:p><text:p>years</text:p></table:table-cell></table:table-row>"
  "</table:table>"
  "<text:p>Ends <text:soft-page-break/>here.</text:p>"
  "<text:p/>"
  "</office:text></office:body></office:document-content>";

static void
test_odt_features (void)
{
  const DocentTestZipEntry entries[] = {
    { "mimetype", "application/vnd.oasis.opendocument.text", -1, TRUE },
    { "content.xml", odt_content, -1, FALSE },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentExtracted) doc = extract_entries (entries, G_N_ELEMENTS (entries),
                                                    docent_extract_odt, &error);
  const DocentPage *p;

  g_assert_no_error (error);
  g_assert_cmpuint (doc->pages->len, ==, 1);
  p = page (doc, 0);
  g_assert_cmpstr (p->text->str, ==,
                   "Field Manual\n\n"
                   "Keep the device dry.\nCharge it fully before use.\n\n"
                   "Care\n\n"
                   "Wipe the screen\nUse a soft cloth\nStore below 30 °C\n\n"
                   "Part | Warranty\nBattery | 2 years\n\n"
                   "Ends here.\n\n"
                   "Use the supplied charger.");
  g_assert_cmpuint (p->headings->len, ==, 2);
  assert_heading (p, 0, "Field Manual", 1);
  assert_heading (p, 1, "Care", 3);
  g_assert_cmpstr (doc->title, ==, "Field Manual");
}

static void
test_odt_broken (void)
{
  const DocentTestZipEntry missing[] = {
    { "mimetype", "application/vnd.oasis.opendocument.text", -1, TRUE },
    { "meta.xml", "<x/>", -1, FALSE },
  };
  const DocentTestZipEntry malformed[] = {
    { "content.xml", XML_DECL ODT_ROOT "<office:body><office:text><text:p>a</text:h>", -1, FALSE },
  };
  const DocentTestZipEntry encrypted[] = {
    { "META-INF/manifest.xml",
      XML_DECL "<manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\">"
      "<manifest:file-entry manifest:full-path=\"content.xml\" manifest:media-type=\"text/xml\">"
      "<manifest:encryption-data manifest:checksum-type=\"SHA1/1K\" manifest:checksum=\"x\">"
      "<manifest:algorithm manifest:algorithm-name=\"Blowfish CFB\" manifest:initialisation-vector=\"x\"/>"
      "</manifest:encryption-data></manifest:file-entry></manifest:manifest>", -1, FALSE },
    { "content.xml", "\x93\x11 binary", -1, FALSE },
  };
  g_autofree char *deep = nested (XML_DECL ODT_ROOT "<office:body><office:text><text:p>",
                                  "<text:span>", "</text:span>", 100000,
                                  "</text:p></office:text></office:body></office:document-content>");
  const DocentTestZipEntry deep_entries[] = { { "content.xml", deep, -1, FALSE } };
  g_autoptr(GError) error = NULL;
  DocentExtracted *doc;

  doc = extract_entries (missing, G_N_ELEMENTS (missing), docent_extract_odt, &error);
  g_assert_null (doc);
  g_assert_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_CORRUPT);
  g_assert_cmpstr (error->message, ==, "damaged ODT: content.xml is missing");
  g_clear_error (&error);

  doc = extract_entries (malformed, G_N_ELEMENTS (malformed), docent_extract_odt, &error);
  g_assert_null (doc);
  g_assert_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_CORRUPT);
  g_assert_true (g_str_has_prefix (error->message,
                                   "damaged ODT: content.xml is not well-formed XML"));
  g_clear_error (&error);

  doc = extract_entries (encrypted, G_N_ELEMENTS (encrypted), docent_extract_odt, &error);
  g_assert_null (doc);
  g_assert_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_ENCRYPTED);
  g_clear_error (&error);

  doc = extract_entries (deep_entries, 1, docent_extract_odt, &error);
  if (doc == NULL)
    {
      g_test_message ("refused: %s", error->message);
      g_assert_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_CORRUPT);
    }
  else
    g_assert_cmpstr (page (doc, 0)->text->str, ==, "deep");
  g_clear_pointer (&doc, docent_extracted_free);
}

/* EPUB */

static void
test_epub_generated (void)
{
  const DocentTestBlock one[] = { { 1, "Arrival" }, { 0, "The ship came in." } };
  const DocentTestBlock two[] = { { 1, "Departure" }, { 2, "At dawn" }, { 0, "It left\nearly." } };
  const DocentTestBlock three[] = { { 0, "The end." } };
  const DocentTestBlock *const chapters[] = { one, two, three };
  const guint n_blocks[] = { G_N_ELEMENTS (one), G_N_ELEMENTS (two), G_N_ELEMENTS (three) };
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = docent_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "book.epub", NULL);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(DocentExtracted) doc = NULL;

  docent_test_write_epub (path, "Voyages & Returns", chapters, n_blocks, 3, &error);
  g_assert_no_error (error);
  bytes = docent_test_read_bytes (path);
  docent_test_rm_rf (dir);

  if (!html_available ())
    {
      g_test_skip ("needs docent_html_append_tree (ingest/html.c)");
      return;
    }
  doc = extract (bytes, docent_extract_epub, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (doc->type, ==, "epub");
  g_assert_cmpstr (doc->title, ==, "Voyages & Returns");
  g_assert_cmpuint (doc->pages->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpuint (page (doc, i)->page_no, ==, i + 1);
  g_assert_cmpstr (page (doc, 0)->text->str, ==, "Arrival\n\nThe ship came in.");
  g_assert_cmpstr (page (doc, 1)->text->str, ==, "Departure\n\nAt dawn\n\nIt left\nearly.");
  g_assert_cmpstr (page (doc, 2)->text->str, ==, "The end.");
  assert_heading (page (doc, 0), 0, "Arrival", 1);
  assert_heading (page (doc, 1), 0, "Departure", 1);
  assert_heading (page (doc, 1), 1, "At dawn", 2);
  g_assert_cmpuint (page (doc, 2)->headings->len, ==, 0);
}

#define XHTML(body) \
  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" \
  "<html xmlns=\"http://www.w3.org/1999/xhtml\"><head><title>t</title></head><body>" \
  body "</body></html>"

static const char container_xml[] =
  "<?xml version=\"1.0\"?>\n"
  "<container version=\"1.0\" xmlns=\"urn:oasis:names:tc:opendocument:xmlns:container\">"
  "<rootfiles><rootfile full-path=\"OPS/book.opf\" media-type=\"application/oebps-package+xml\"/>"
  "</rootfiles></container>";

/* The manifest lists the files in another order than the spine, hrefs go
 * through folders and escapes, one spine item is an image, one is not
 * linear and one is listed twice. */
static const char spine_opf[] =
  "<?xml version=\"1.0\"?>\n"
  "<package xmlns=\"http://www.idpf.org/2007/opf\" version=\"2.0\" unique-identifier=\"id\">"
  "<metadata xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:opf=\"http://www.idpf.org/2007/opf\">"
  "<dc:title>Spine Order</dc:title><dc:identifier id=\"id\">x</dc:identifier></metadata>"
  "<manifest>"
  "<item id=\"c3\" href=\"Other%20Folder/chapter%20three.xhtml\" media-type=\"application/xhtml+xml\"/>"
  "<item id=\"notes\" href=\"Text/notes.xhtml\" media-type=\"application/xhtml+xml\"/>"
  "<item id=\"c1\" href=\"Text/../Text/intro.xhtml#start\" media-type=\"application/xhtml+xml\"/>"
  "<item id=\"cover\" href=\"cover.svg\" media-type=\"image/svg+xml\"/>"
  "<item id=\"c2\" href=\"Text/two.xhtml\" media-type=\"application/xhtml+xml\"/>"
  "<item id=\"ncx\" href=\"toc.ncx\" media-type=\"application/x-dtbncx+xml\"/>"
  "</manifest>"
  "<spine toc=\"ncx\">"
  "<itemref idref=\"notes\" linear=\"no\"/>"
  "<itemref idref=\"cover\"/>"
  "<itemref idref=\"c1\"/>"
  "<itemref idref=\"c2\"/>"
  "<itemref idref=\"unknown\"/>"
  "<itemref idref=\"c3\"/>"
  "<itemref idref=\"c1\"/>"
  "</spine></package>";

/* A spine in reverse archive order: each chapter is read once, in archive
 * order, not by reopening the archive for every chapter (which took
 * minutes for a few thousand). */
static void
test_epub_reverse_spine (void)
{
  const guint n = 3000;
  g_autoptr(GArray) entries = g_array_new (FALSE, FALSE, sizeof (DocentTestZipEntry));
  g_autoptr(GPtrArray) strings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) opf = g_string_new ("<package xmlns=\"http://www.idpf.org/2007/opf\" version=\"3.0\">"
                                         "<metadata/><manifest>");
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentExtracted) doc = NULL;
  DocentTestZipEntry entry;
  gint64 start;
  double seconds;

  if (!html_available ())
    {
      g_test_skip ("needs docent_html_append_tree (ingest/html.c)");
      return;
    }
  entry = (DocentTestZipEntry) { "mimetype", "application/epub+zip", -1, TRUE };
  g_array_append_val (entries, entry);
  entry = (DocentTestZipEntry) { "META-INF/container.xml", container_xml, -1, FALSE };
  g_array_append_val (entries, entry);
  for (guint i = 0; i < n; i++)
    g_string_append_printf (opf, "<item id=\"c%u\" href=\"c%u.xhtml\" media-type=\"application/xhtml+xml\"/>", i, i);
  g_string_append (opf, "</manifest><spine>");
  for (guint i = n; i-- > 0;)
    g_string_append_printf (opf, "<itemref idref=\"c%u\"/>", i);
  g_string_append (opf, "</spine></package>");
  entry = (DocentTestZipEntry) { "OPS/book.opf", opf->str, -1, FALSE };
  g_array_append_val (entries, entry);
  for (guint i = 0; i < n; i++)
    {
      char *name = g_strdup_printf ("OPS/c%u.xhtml", i);
      char *body = g_strdup_printf (XHTML ("<p>Chapter %u.</p>"), i);

      g_ptr_array_add (strings, name);
      g_ptr_array_add (strings, body);
      entry = (DocentTestZipEntry) { name, body, -1, TRUE };
      g_array_append_val (entries, entry);
    }

  start = g_get_monotonic_time ();
  doc = extract_entries ((const DocentTestZipEntry *) entries->data, entries->len,
                         docent_extract_epub, &error);
  seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  g_test_message ("%u chapters in reverse order in %.3f s", n, seconds);
  g_assert_no_error (error);
  g_assert_cmpuint (doc->pages->len, ==, n);
  g_assert_cmpstr (page (doc, 0)->text->str, ==, "Chapter 2999.");
  g_assert_cmpstr (page (doc, n - 1)->text->str, ==, "Chapter 0.");
  g_assert_cmpfloat (seconds, <, 10.0);
}

static void
test_epub_spine (void)
{
  const DocentTestZipEntry entries[] = {
    { "mimetype", "application/epub+zip", -1, TRUE },
    { "META-INF/container.xml", container_xml, -1, FALSE },
    { "OPS/Other Folder/chapter three.xhtml", XHTML ("<h2>Three</h2><p>Third.</p>"), -1, FALSE },
    { "OPS/Text/notes.xhtml", XHTML ("<p>A note.</p>"), -1, FALSE },
    { "OPS/book.opf", spine_opf, -1, FALSE },
    { "OPS/Text/two.xhtml", XHTML ("<h1>Two</h1><p>Second.</p>"), -1, FALSE },
    { "OPS/cover.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"><text>Cover</text></svg>", -1, FALSE },
    { "OPS/Text/intro.xhtml", XHTML ("<h1 id=\"start\">Intro</h1><p>First words.</p>"), -1, FALSE },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentExtracted) doc = NULL;

  if (!html_available ())
    {
      g_test_skip ("needs docent_html_append_tree (ingest/html.c)");
      return;
    }
  doc = extract_entries (entries, G_N_ELEMENTS (entries), docent_extract_epub, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (doc->title, ==, "Spine Order");
  g_assert_cmpuint (doc->pages->len, ==, 4);
  g_assert_cmpstr (page (doc, 0)->text->str, ==, "Intro\n\nFirst words.");
  g_assert_cmpstr (page (doc, 1)->text->str, ==, "Two\n\nSecond.");
  g_assert_cmpstr (page (doc, 2)->text->str, ==, "Three\n\nThird.");
  g_assert_cmpstr (page (doc, 3)->text->str, ==, "A note.");
  assert_heading (page (doc, 2), 0, "Three", 2);
  for (guint i = 0; i < 4; i++)
    g_assert_cmpuint (page (doc, i)->page_no, ==, i + 1);
}

/* Chapters the XML parser cannot take still give their text. */
static void
test_epub_sloppy (void)
{
  static const char opf[] =
    "<?xml version=\"1.0\"?>\n"
    "<package xmlns=\"http://www.idpf.org/2007/opf\" version=\"2.0\">"
    "<metadata><dc:title xmlns:dc=\"http://purl.org/dc/elements/1.1/\">Sloppy</dc:title></metadata>"
    "<manifest>"
    "<item id=\"a\" href=\"a.html\" media-type=\"application/xhtml+xml\"/>"
    "<item id=\"b\" href=\"b.html\" media-type=\"text/html\"/>"
    "<item id=\"c\" href=\"c.html\" media-type=\"application/xhtml+xml\"/>"
    "<item id=\"d\" href=\"missing.html\" media-type=\"application/xhtml+xml\"/>"
    "<item id=\"e\" href=\"E.HTML\" media-type=\"application/xhtml+xml\"/>"
    "</manifest><spine><itemref idref=\"a\"/><itemref idref=\"b\"/><itemref idref=\"c\"/>"
    "<itemref idref=\"d\"/><itemref idref=\"e\"/></spine></package>";
  static const char entity_chapter[] =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
    "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.1//EN\" \"http://www.w3.org/TR/xhtml11/DTD/xhtml11.dtd\">\n"
    "<html xmlns=\"http://www.w3.org/1999/xhtml\"><head><title>a</title></head>"
    "<body><p>caf&eacute;&nbsp;au&#160;lait</p></body></html>";
  g_autofree char *deep = nested ("<html><body>", "<div>", "</div>", 100000, "</body></html>");
  const DocentTestZipEntry entries[] = {
    { "META-INF/container.xml",
      "<container><rootfiles><rootfile full-path=\"book.opf\"/></rootfiles></container>", -1, FALSE },
    { "book.opf", opf, -1, FALSE },
    { "a.html", entity_chapter, -1, FALSE },
    { "b.html", "<html><body><p>Unclosed <b>bold<p>Second</body>", -1, FALSE },
    { "c.html", deep, -1, FALSE },
    { "e.html", XHTML ("<p>Case</p>"), -1, FALSE },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentExtracted) doc = NULL;

  if (!html_available ())
    {
      g_test_skip ("needs docent_html_append_tree (ingest/html.c)");
      return;
    }
  doc = extract_entries (entries, G_N_ELEMENTS (entries), docent_extract_epub, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (doc->title, ==, "Sloppy");
  g_assert_cmpuint (doc->pages->len, ==, 5);
  g_assert_cmpstr (page (doc, 0)->text->str, ==, "café au lait");
  g_assert_nonnull (strstr (page (doc, 1)->text->str, "Unclosed bold"));
  g_assert_nonnull (strstr (page (doc, 1)->text->str, "Second"));
  /* libxml2 stops at 256 levels: the page stays, empty. */
  g_assert_true (strcmp (page (doc, 2)->text->str, "") == 0 ||
                 strcmp (page (doc, 2)->text->str, "deep") == 0);
  /* The missing chapter keeps its place in the reading order. */
  g_assert_cmpstr (page (doc, 3)->text->str, ==, "");
  g_assert_cmpstr (page (doc, 4)->text->str, ==, "Case");
}

static void
test_epub_broken (void)
{
  const DocentTestZipEntry no_opf[] = {
    { "mimetype", "application/epub+zip", -1, TRUE },
    { "META-INF/container.xml", container_xml, -1, FALSE },
    { "OPS/Text/intro.xhtml", XHTML ("<p>x</p>"), -1, FALSE },
  };
  const DocentTestZipEntry no_container[] = {
    { "mimetype", "application/epub+zip", -1, TRUE },
    { "OPS/Text/intro.xhtml", XHTML ("<p>x</p>"), -1, FALSE },
  };
  const DocentTestZipEntry no_rootfile[] = {
    { "mimetype", "application/epub+zip", -1, TRUE },
    { "META-INF/container.xml", "<container><rootfiles/></container>", -1, FALSE },
  };
  const DocentTestZipEntry bad_opf[] = {
    { "mimetype", "application/epub+zip", -1, TRUE },
    { "META-INF/container.xml", container_xml, -1, FALSE },
    { "OPS/book.opf", "\x89PNG not a package", -1, FALSE },
  };
  g_autoptr(GError) error = NULL;
  DocentExtracted *doc;

  doc = extract_entries (bad_opf, G_N_ELEMENTS (bad_opf), docent_extract_epub, &error);
  g_assert_null (doc);
  g_assert_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_CORRUPT);
  g_assert_true (g_str_has_prefix (error->message,
                                   "damaged EPUB: OPS/book.opf is not well-formed XML"));
  g_clear_error (&error);

  doc = extract_entries (no_opf, G_N_ELEMENTS (no_opf), docent_extract_epub, &error);
  g_assert_null (doc);
  g_assert_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_CORRUPT);
  g_assert_cmpstr (error->message, ==, "damaged EPUB: the package file OPS/book.opf is missing");
  g_clear_error (&error);

  doc = extract_entries (no_container, G_N_ELEMENTS (no_container), docent_extract_epub, &error);
  g_assert_null (doc);
  g_assert_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_CORRUPT);
  g_assert_cmpstr (error->message, ==, "damaged EPUB: META-INF/container.xml is missing");
  g_clear_error (&error);

  doc = extract_entries (no_rootfile, G_N_ELEMENTS (no_rootfile), docent_extract_epub, &error);
  g_assert_null (doc);
  g_assert_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_CORRUPT);
  g_assert_cmpstr (error->message, ==,
                   "damaged EPUB: META-INF/container.xml names no package file");
}

static void
test_epub_drm (void)
{
  static const char encryption_chapter[] =
    "<encryption xmlns=\"urn:oasis:names:tc:opendocument:xmlns:container\""
    " xmlns:enc=\"http://www.w3.org/2001/04/xmlenc#\"><enc:EncryptedData>"
    "<enc:EncryptionMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#aes128-cbc\"/>"
    "<enc:CipherData><enc:CipherReference URI=\"OPS/Text/intro.xhtml\"/></enc:CipherData>"
    "</enc:EncryptedData></encryption>";
  static const char encryption_font[] =
    "<encryption xmlns=\"urn:oasis:names:tc:opendocument:xmlns:container\""
    " xmlns:enc=\"http://www.w3.org/2001/04/xmlenc#\"><enc:EncryptedData>"
    "<enc:EncryptionMethod Algorithm=\"http://www.idpf.org/2008/embedding\"/>"
    "<enc:CipherData><enc:CipherReference URI=\"OPS/Fonts/serif.otf\"/></enc:CipherData>"
    "</enc:EncryptedData></encryption>";
  static const char opf[] =
    "<package xmlns=\"http://www.idpf.org/2007/opf\" version=\"3.0\">"
    "<metadata xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title>Locked</dc:title></metadata>"
    "<manifest><item id=\"c1\" href=\"Text/intro.xhtml\" media-type=\"application/xhtml+xml\"/>"
    "<item id=\"f\" href=\"Fonts/serif.otf\" media-type=\"font/otf\"/></manifest>"
    "<spine><itemref idref=\"c1\"/></spine></package>";
  DocentTestZipEntry entries[] = {
    { "mimetype", "application/epub+zip", -1, TRUE },
    { "META-INF/container.xml", container_xml, -1, FALSE },
    { "META-INF/encryption.xml", encryption_chapter, -1, FALSE },
    { "OPS/book.opf", opf, -1, FALSE },
    { "OPS/Text/intro.xhtml", "\x01\x02 ciphertext", -1, FALSE },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentExtracted) doc = NULL;

  doc = extract_entries (entries, G_N_ELEMENTS (entries), docent_extract_epub, &error);
  g_assert_null (doc);
  g_assert_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_ENCRYPTED);
  g_assert_cmpstr (error->message, ==, "EPUB is DRM-protected");
  g_clear_error (&error);

  /* Obfuscated fonts are not DRM. */
  entries[2].data = encryption_font;
  entries[4].data = XHTML ("<p>Open text.</p>");
  if (!html_available ())
    {
      g_test_skip ("needs docent_html_append_tree (ingest/html.c)");
      return;
    }
  doc = extract_entries (entries, G_N_ELEMENTS (entries), docent_extract_epub, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (page (doc, 0)->text->str, ==, "Open text.");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/office/zip/read", test_zip_read);
  g_test_add_func ("/office/zip/not-zip", test_zip_not_zip);
  g_test_add_func ("/office/zip/truncated", test_zip_truncated);
  g_test_add_func ("/office/zip/bomb-declared", test_zip_bomb_declared);
  g_test_add_func ("/office/zip/bomb-lying", test_zip_bomb_lying);
  g_test_add_func ("/office/zip/budget-total", test_zip_budget_total);
  g_test_add_func ("/office/zip/encrypted", test_zip_encrypted);
  g_test_add_func ("/office/zip/too-many-entries", test_zip_too_many_entries);
  g_test_add_func ("/office/zip/bomb-generator", test_zip_bomb_generator);
  g_test_add_func ("/office/zip/bomb-gigabyte", test_zip_bomb_gigabyte);
  g_test_add_func ("/office/zip/bomb-entry-limit", test_zip_bomb_entry_limit);
  g_test_add_func ("/office/docx/generated", test_docx_generated);
  g_test_add_func ("/office/docx/features", test_docx_features);
  g_test_add_func ("/office/docx/relationships", test_docx_relationships);
  g_test_add_func ("/office/docx/not-docx", test_docx_not_docx);
  g_test_add_func ("/office/docx/malformed", test_docx_malformed);
  g_test_add_func ("/office/docx/deep", test_docx_deep);
  g_test_add_func ("/office/docx/entities", test_docx_entities);
  g_test_add_func ("/office/docx/large", test_docx_large);
  g_test_add_func ("/office/odt/generated", test_odt_generated);
  g_test_add_func ("/office/odt/features", test_odt_features);
  g_test_add_func ("/office/odt/broken", test_odt_broken);
  g_test_add_func ("/office/epub/generated", test_epub_generated);
  g_test_add_func ("/office/epub/spine", test_epub_spine);
  g_test_add_func ("/office/epub/reverse-spine", test_epub_reverse_spine);
  g_test_add_func ("/office/epub/sloppy", test_epub_sloppy);
  g_test_add_func ("/office/epub/broken", test_epub_broken);
  g_test_add_func ("/office/epub/drm", test_epub_drm);

  return g_test_run ();
}
