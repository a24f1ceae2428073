/* zipgen.c — zip containers for the tests: raw zips, and minimal DOCX, ODT
 * and EPUB 3 files shaped like the ones word processors and e-book tools
 * write, built with libarchive's zip writer. */
#include "tests/zipgen.h"

#include <archive.h>
#include <archive_entry.h>
#include <gio/gio.h>
#include <string.h>

/* A fixed date keeps the generated files byte-identical between runs. */
#define FIXED_MTIME 1700000000

static gboolean
archive_failed (struct archive  *ar,
                const char      *path,
                GError         **error)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot write %s: %s",
               path, archive_error_string (ar));
  return FALSE;
}

static gboolean
write_entry (struct archive            *ar,
             const DocentTestZipEntry  *e,
             const char                *path,
             GError                   **error)
{
  struct archive_entry *entry = archive_entry_new ();
  gsize len = e->len < 0 ? strlen (e->data) : (gsize) e->len;
  gsize done = 0;
  int r;

  /* The writer picks the method for each entry when its header is written. */
  r = e->stored ? archive_write_zip_set_compression_store (ar)
                : archive_write_zip_set_compression_deflate (ar);
  if (r != ARCHIVE_OK)
    {
      archive_entry_free (entry);
      return archive_failed (ar, path, error);
    }

  archive_entry_set_pathname_utf8 (entry, e->name);
  archive_entry_set_filetype (entry, AE_IFREG);
  archive_entry_set_perm (entry, 0644);
  archive_entry_set_size (entry, len);
  archive_entry_set_mtime (entry, FIXED_MTIME, 0);
  r = archive_write_header (ar, entry);
  archive_entry_free (entry);
  if (r != ARCHIVE_OK)
    return archive_failed (ar, path, error);

  while (done < len)
    {
      la_ssize_t n = archive_write_data (ar, e->data + done, MIN (len - done, 1 << 20));

      if (n <= 0)
        return archive_failed (ar, path, error);
      done += n;
    }
  return TRUE;
}

gboolean
docent_test_write_zip (const char               *path,
                       const DocentTestZipEntry *entries,
                       guint                     n_entries,
                       GError                  **error)
{
  struct archive *ar = archive_write_new ();
  gboolean ok = TRUE;

  if (archive_write_set_format_zip (ar) != ARCHIVE_OK ||
      archive_write_open_filename (ar, path) != ARCHIVE_OK)
    ok = archive_failed (ar, path, error);
  for (guint i = 0; ok && i < n_entries; i++)
    ok = write_entry (ar, &entries[i], path, error);
  if (ok && archive_write_close (ar) != ARCHIVE_OK)
    ok = archive_failed (ar, path, error);
  archive_write_free (ar);
  return ok;
}

static void
append_escaped (GString    *out,
                const char *text)
{
  g_autofree char *escaped = g_markup_escape_text (text != NULL ? text : "", -1);

  g_string_append (out, escaped);
}

/* DOCX */

static const char docx_content_types[] =
  "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
  "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
  "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
  "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
  "<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>"
  "<Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>"
  "<Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>"
  "</Types>";

static const char docx_rels[] =
  "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
  "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
  "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>"
  "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>"
  "</Relationships>";

static const char docx_document_rels[] =
  "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
  "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
  "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>"
  "</Relationships>";

static char *
docx_styles (void)
{
  GString *out = g_string_new (
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<w:styles xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">"
    "<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\">"
    "<w:name w:val=\"Normal\"/></w:style>"
    "<w:style w:type=\"paragraph\" w:styleId=\"Title\">"
    "<w:name w:val=\"Title\"/><w:basedOn w:val=\"Normal\"/></w:style>");

  for (guint level = 1; level <= 6; level++)
    g_string_append_printf (out,
      "<w:style w:type=\"paragraph\" w:styleId=\"Heading%u\">"
      "<w:name w:val=\"heading %u\"/><w:basedOn w:val=\"Normal\"/>"
      "<w:next w:val=\"Normal\"/><w:qFormat/>"
      "<w:pPr><w:keepNext/><w:outlineLvl w:val=\"%u\"/></w:pPr>"
      "<w:rPr><w:b/></w:rPr></w:style>",
      level, level, level - 1);
  g_string_append (out, "</w:styles>");
  return g_string_free (out, FALSE);
}

static char *
docx_core (const char *title)
{
  GString *out = g_string_new (
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<cp:coreProperties"
    " xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\""
    " xmlns:dc=\"http://purl.org/dc/elements/1.1/\""
    " xmlns:dcterms=\"http://purl.org/dc/terms/\""
    " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">");

  if (title != NULL)
    {
      g_string_append (out, "<dc:title>");
      append_escaped (out, title);
      g_string_append (out, "</dc:title>");
    }
  g_string_append (out, "<dc:creator>Docent tests</dc:creator></cp:coreProperties>");
  return g_string_free (out, FALSE);
}

/* Line breaks in a block's text become <w:br/> inside the run. */
static void
docx_append_runs (GString    *out,
                  const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text != NULL ? text : "", "\n", -1);

  g_string_append (out, "<w:r>");
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append (out, "<w:br/>");
      g_string_append (out, "<w:t xml:space=\"preserve\">");
      append_escaped (out, lines[i]);
      g_string_append (out, "</w:t>");
    }
  g_string_append (out, "</w:r>");
}

static char *
docx_document (const DocentTestBlock *blocks,
               guint                  n_blocks)
{
  GString *out = g_string_new (
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\""
    " xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
    "<w:body>");

  for (guint i = 0; i < n_blocks; i++)
    {
      g_string_append (out, "<w:p>");
      if (blocks[i].level > 0)
        g_string_append_printf (out, "<w:pPr><w:pStyle w:val=\"Heading%u\"/></w:pPr>",
                                CLAMP (blocks[i].level, 1, 6));
      docx_append_runs (out, blocks[i].text);
      g_string_append (out, "</w:p>");
    }
  g_string_append (out,
    "<w:sectPr><w:pgSz w:w=\"11906\" w:h=\"16838\"/>"
    "<w:pgMar w:top=\"1440\" w:right=\"1440\" w:bottom=\"1440\" w:left=\"1440\""
    " w:header=\"708\" w:footer=\"708\" w:gutter=\"0\"/></w:sectPr>"
    "</w:body></w:document>");
  return g_string_free (out, FALSE);
}

gboolean
docent_test_write_docx (const char            *path,
                        const char            *title,
                        const DocentTestBlock *blocks,
                        guint                  n_blocks,
                        GError               **error)
{
  g_autofree char *document = docx_document (blocks, n_blocks);
  g_autofree char *styles = docx_styles ();
  g_autofree char *core = docx_core (title);
  const DocentTestZipEntry entries[] = {
    { "[Content_Types].xml", docx_content_types, -1, FALSE },
    { "_rels/.rels", docx_rels, -1, FALSE },
    { "word/document.xml", document, -1, FALSE },
    { "word/_rels/document.xml.rels", docx_document_rels, -1, FALSE },
    { "word/styles.xml", styles, -1, FALSE },
    { "docProps/core.xml", core, -1, FALSE },
  };

  return docent_test_write_zip (path, entries, G_N_ELEMENTS (entries), error);
}

/* ODT */

static const char odt_mimetype[] = "application/vnd.oasis.opendocument.text";

static const char odt_manifest[] =
  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
  "<manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\""
  " manifest:version=\"1.2\">"
  "<manifest:file-entry manifest:full-path=\"/\" manifest:version=\"1.2\""
  " manifest:media-type=\"application/vnd.oasis.opendocument.text\"/>"
  "<manifest:file-entry manifest:full-path=\"content.xml\" manifest:media-type=\"text/xml\"/>"
  "<manifest:file-entry manifest:full-path=\"meta.xml\" manifest:media-type=\"text/xml\"/>"
  "</manifest:manifest>";

static char *
odt_meta (const char *title)
{
  GString *out = g_string_new (
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<office:document-meta xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\""
    " xmlns:dc=\"http://purl.org/dc/elements/1.1/\""
    " xmlns:meta=\"urn:oasis:names:tc:opendocument:xmlns:meta:1.0\""
    " office:version=\"1.2\"><office:meta>"
    "<meta:generator>Docent tests</meta:generator>");

  if (title != NULL)
    {
      g_string_append (out, "<dc:title>");
      append_escaped (out, title);
      g_string_append (out, "</dc:title>");
    }
  g_string_append (out, "</office:meta></office:document-meta>");
  return g_string_free (out, FALSE);
}

static void
odt_append_text (GString    *out,
                 const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text != NULL ? text : "", "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append (out, "<text:line-break/>");
      append_escaped (out, lines[i]);
    }
}

static char *
odt_content (const DocentTestBlock *blocks,
             guint                  n_blocks)
{
  GString *out = g_string_new (
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<office:document-content"
    " xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\""
    " xmlns:style=\"urn:oasis:names:tc:opendocument:xmlns:style:1.0\""
    " xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\""
    " xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\""
    " xmlns:fo=\"urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0\""
    " office:version=\"1.2\">"
    "<office:automatic-styles/>"
    "<office:body><office:text>"
    "<text:sequence-decls>"
    "<text:sequence-decl text:display-outline-level=\"0\" text:name=\"Illustration\"/>"
    "</text:sequence-decls>");

  for (guint i = 0; i < n_blocks; i++)
    {
      if (blocks[i].level > 0)
        {
          guint level = CLAMP (blocks[i].level, 1, 6);

          g_string_append_printf (out,
                                  "<text:h text:style-name=\"Heading_20_%u\""
                                  " text:outline-level=\"%u\">", level, level);
          odt_append_text (out, blocks[i].text);
          g_string_append (out, "</text:h>");
        }
      else
        {
          g_string_append (out, "<text:p text:style-name=\"Text_20_body\">");
          odt_append_text (out, blocks[i].text);
          g_string_append (out, "</text:p>");
        }
    }
  g_string_append (out, "</office:text></office:body></office:document-content>");
  return g_string_free (out, FALSE);
}

gboolean
docent_test_write_odt (const char            *path,
                       const char            *title,
                       const DocentTestBlock *blocks,
                       guint                  n_blocks,
                       GError               **error)
{
  g_autofree char *content = odt_content (blocks, n_blocks);
  g_autofree char *meta = odt_meta (title);
  const DocentTestZipEntry entries[] = {
    { "mimetype", odt_mimetype, -1, TRUE },
    { "META-INF/manifest.xml", odt_manifest, -1, FALSE },
    { "content.xml", content, -1, FALSE },
    { "meta.xml", meta, -1, FALSE },
  };

  return docent_test_write_zip (path, entries, G_N_ELEMENTS (entries), error);
}

/* EPUB 3 */

static const char epub_mimetype[] = "application/epub+zip";

static const char epub_container[] =
  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
  "<container version=\"1.0\" xmlns=\"urn:oasis:names:tc:opendocument:xmlns:container\">"
  "<rootfiles>"
  "<rootfile full-path=\"OEBPS/content.opf\" media-type=\"application/oebps-package+xml\"/>"
  "</rootfiles></container>";

static char *
epub_opf (const char *title,
          guint       n_chapters)
{
  GString *out = g_string_new (
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<package xmlns=\"http://www.idpf.org/2007/opf\" version=\"3.0\""
    " unique-identifier=\"uid\">"
    "<metadata xmlns:dc=\"http://purl.org/dc/elements/1.1/\">"
    "<dc:identifier id=\"uid\">urn:uuid:2f1e6c8a-4b0d-4d3e-9a57-3c2b1a000001</dc:identifier>"
    "<dc:title>");

  append_escaped (out, title != NULL ? title : "Untitled");
  g_string_append (out,
    "</dc:title><dc:language>en</dc:language>"
    "<meta property=\"dcterms:modified\">2024-01-01T00:00:00Z</meta>"
    "</metadata><manifest>"
    "<item id=\"nav\" href=\"nav.xhtml\" media-type=\"application/xhtml+xml\" properties=\"nav\"/>");
  for (guint i = 0; i < n_chapters; i++)
    g_string_append_printf (out,
                            "<item id=\"ch%u\" href=\"chapter%u.xhtml\""
                            " media-type=\"application/xhtml+xml\"/>", i + 1, i + 1);
  g_string_append (out, "</manifest><spine>");
  for (guint i = 0; i < n_chapters; i++)
    g_string_append_printf (out, "<itemref idref=\"ch%u\"/>", i + 1);
  g_string_append (out, "</spine></package>");
  return g_string_free (out, FALSE);
}

static const char *
first_heading (const DocentTestBlock *blocks,
               guint                  n_blocks)
{
  for (guint i = 0; i < n_blocks; i++)
    if (blocks[i].level > 0)
      return blocks[i].text;
  return NULL;
}

static void
xhtml_open (GString    *out,
            const char *title)
{
  g_string_append (out,
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<!DOCTYPE html>\n"
    "<html xmlns=\"http://www.w3.org/1999/xhtml\""
    " xmlns:epub=\"http://www.idpf.org/2007/ops\" xml:lang=\"en\" lang=\"en\">"
    "<head><meta charset=\"utf-8\"/><title>");
  append_escaped (out, title);
  g_string_append (out, "</title></head><body>");
}

static void
xhtml_append_text (GString    *out,
                   const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text != NULL ? text : "", "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append (out, "<br/>");
      append_escaped (out, lines[i]);
    }
}

static char *
epub_nav (const DocentTestBlock *const *chapters,
          const guint                  *n_blocks,
          guint                         n_chapters)
{
  GString *out = g_string_new (NULL);

  xhtml_open (out, "Contents");
  g_string_append (out, "<nav epub:type=\"toc\" id=\"toc\"><h1>Contents</h1><ol>");
  for (guint i = 0; i < n_chapters; i++)
    {
      const char *heading = first_heading (chapters[i], n_blocks[i]);
      g_autofree char *fallback = g_strdup_printf ("Chapter %u", i + 1);

      g_string_append_printf (out, "<li><a href=\"chapter%u.xhtml\">", i + 1);
      append_escaped (out, heading != NULL ? heading : fallback);
      g_string_append (out, "</a></li>");
    }
  g_string_append (out, "</ol></nav></body></html>");
  return g_string_free (out, FALSE);
}

static char *
epub_chapter (const DocentTestBlock *blocks,
              guint                  n_blocks,
              guint                  number)
{
  GString *out = g_string_new (NULL);
  const char *heading = first_heading (blocks, n_blocks);
  g_autofree char *fallback = g_strdup_printf ("Chapter %u", number);

  xhtml_open (out, heading != NULL ? heading : fallback);
  for (guint i = 0; i < n_blocks; i++)
    {
      if (blocks[i].level > 0)
        {
          guint level = CLAMP (blocks[i].level, 1, 6);

          g_string_append_printf (out, "<h%u>", level);
          xhtml_append_text (out, blocks[i].text);
          g_string_append_printf (out, "</h%u>", level);
        }
      else
        {
          g_string_append (out, "<p>");
          xhtml_append_text (out, blocks[i].text);
          g_string_append (out, "</p>");
        }
    }
  g_string_append (out, "</body></html>");
  return g_string_free (out, FALSE);
}

gboolean
docent_test_write_epub (const char            *path,
                        const char            *title,
                        const DocentTestBlock *const *chapters,
                        const guint           *n_blocks,
                        guint                  n_chapters,
                        GError               **error)
{
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) entries = g_array_new (FALSE, FALSE, sizeof (DocentTestZipEntry));
  DocentTestZipEntry entry;
  char *opf = epub_opf (title, n_chapters);
  char *nav = epub_nav (chapters, n_blocks, n_chapters);

  g_ptr_array_add (texts, opf);
  g_ptr_array_add (texts, nav);

  entry = (DocentTestZipEntry) { "mimetype", epub_mimetype, -1, TRUE };
  g_array_append_val (entries, entry);
  entry = (DocentTestZipEntry) { "META-INF/container.xml", epub_container, -1, FALSE };
  g_array_append_val (entries, entry);
  entry = (DocentTestZipEntry) { "OEBPS/content.opf", opf, -1, FALSE };
  g_array_append_val (entries, entry);
  entry = (DocentTestZipEntry) { "OEBPS/nav.xhtml", nav, -1, FALSE };
  g_array_append_val (entries, entry);

  for (guint i = 0; i < n_chapters; i++)
    {
      char *name = g_strdup_printf ("OEBPS/chapter%u.xhtml", i + 1);
      char *xhtml = epub_chapter (chapters[i], n_blocks[i], i + 1);

      g_ptr_array_add (texts, name);
      g_ptr_array_add (texts, xhtml);
      entry = (DocentTestZipEntry) { name, xhtml, -1, FALSE };
      g_array_append_val (entries, entry);
    }

  return docent_test_write_zip (path, (const DocentTestZipEntry *) entries->data,
                                entries->len, error);
}
