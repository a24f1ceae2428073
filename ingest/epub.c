/* epub.c — EPUB 2 and 3 books: META-INF/container.xml names the package
 * (OPF) file, whose spine gives the reading order; every (X)HTML document of
 * the spine becomes one page, in spine order, and its text comes from the
 * HTML extractor (docent_html_append_tree).
 *
 * Choices:
 *  - a missing META-INF/container.xml is forgiven when the zip holds a
 *    package file (*.opf) anyway;
 *  - spine items that are not (X)HTML (images, SVG, DTBook) are skipped;
 *  - items marked linear="no" (notes, answers, pop-ups) are kept but come
 *    after the linear ones;
 *  - an item listed twice is read once;
 *  - a chapter whose file is missing or unreadable still takes its page
 *    (empty), so page numbers stay those of the reading order;
 *  - chapters are parsed as XML first and, when that fails or leaves
 *    entities it cannot resolve (&nbsp; with an unloaded DTD), with the
 *    forgiving HTML parser; nothing is ever fetched from the network;
 *  - font obfuscation in META-INF/encryption.xml is fine; encryption of a
 *    chapter means DRM and fails with ENCRYPTED. */
#include "ingest/epub.h"

#include <libxml/HTMLparser.h>
#include <string.h>

#include "ingest/html.h"
#include "ingest/xml.h"

#define DC_NS "http://purl.org/dc/elements/1.1/"

typedef struct {
  const char *href;
  const char *media_type;
} EpubItem;

typedef struct {
  char *title;
  GHashTable *items;       /* id -> EpubItem*, strings owned by the OPF doc */
  GPtrArray *spine;        /* of const char *idref, linear items first */
} EpubPackage;

static void
package_clear (EpubPackage *pkg)
{
  g_clear_pointer (&pkg->title, g_free);
  g_clear_pointer (&pkg->items, g_hash_table_unref);
  g_clear_pointer (&pkg->spine, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (EpubPackage, package_clear)

/* Package files are parsed leniently: a sloppy OPF still gives a spine. */
static xmlDoc *
read_xml (DocentZip   *zip,
          const char  *name,
          GError     **error)
{
  g_autoptr(GBytes) bytes = docent_zip_read (zip, name, error);
  xmlDoc *xdoc;
  gsize len = 0;
  const char *data;

  if (bytes == NULL)
    return NULL;
  data = g_bytes_get_data (bytes, &len);
  xdoc = docent_xml_parse (data, len, "EPUB", name, DOCENT_XML_PARSE_STRICT, NULL);
  if (xdoc == NULL)
    xdoc = docent_xml_parse (data, len, "EPUB", name, DOCENT_XML_PARSE_RECOVER, error);
  return xdoc;
}

/* An href of the package: fragment and query dropped, %-escapes decoded.
 * NULL for links out of the book. */
static char *
resolve_href (const char *base_dir,
              const char *href)
{
  g_autofree char *path = g_strndup (href, strcspn (href, "#?"));
  g_autofree char *decoded = NULL;

  if (g_uri_peek_scheme (path) != NULL || *path == '\0')
    return NULL;
  decoded = g_uri_unescape_string (path, NULL);
  return docent_xml_resolve_path (base_dir, decoded != NULL ? decoded : path);
}

/* Names in the zip as written, else ignoring case: books made on Windows
 * or macOS sometimes disagree with their own manifest about case. */
static const char *
find_entry (DocentZip  *zip,
            const char *path)
{
  const GPtrArray *names = docent_zip_names (zip);

  if (docent_zip_has (zip, path))
    return path;
  for (guint i = 0; i < names->len; i++)
    if (g_ascii_strcasecmp (names->pdata[i], path) == 0)
      return names->pdata[i];
  return NULL;
}

static gboolean
has_suffix_ci (const char *s,
               const char *suffix)
{
  gsize n = strlen (s), m = strlen (suffix);

  return n >= m && g_ascii_strcasecmp (s + n - m, suffix) == 0;
}

static char *
find_package_path (DocentZip  *zip,
                   GError    **error)
{
  static const char container_name[] = "META-INF/container.xml";
  xmlDoc *container;
  xmlNode *root, *node;
  char *path = NULL;

  if (!docent_zip_has (zip, container_name))
    {
      /* Some tools forget the container; a lone package file will do. */
      const GPtrArray *names = docent_zip_names (zip);

      for (guint i = 0; i < names->len; i++)
        if (has_suffix_ci (names->pdata[i], ".opf"))
          return g_strdup (names->pdata[i]);
      g_set_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_CORRUPT,
                   "damaged EPUB: META-INF/container.xml is missing");
      return NULL;
    }

  container = read_xml (zip, container_name, error);
  if (container == NULL)
    return NULL;
  root = xmlDocGetRootElement (container);
  for (node = root; node != NULL; node = docent_xml_next (node, root, TRUE))
    {
      const char *full_path, *type;

      if (!docent_xml_is (node, NULL, "rootfile"))
        continue;
      full_path = docent_xml_attr (node, "full-path");
      type = docent_xml_attr (node, "media-type");
      if (full_path == NULL || *full_path == '\0')
        continue;
      if (path == NULL ||
          (type != NULL && strcmp (type, "application/oebps-package+xml") == 0))
        {
          g_free (path);
          path = docent_xml_resolve_path ("", full_path);
          if (type != NULL && strcmp (type, "application/oebps-package+xml") == 0)
            break;
        }
    }
  xmlFreeDoc (container);

  if (path == NULL)
    g_set_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_CORRUPT,
                 "damaged EPUB: META-INF/container.xml names no package file");
  return path;
}

/* Reads title, manifest and spine. Names are matched without namespaces:
 * EPUB 2 tools are not always careful with them. */
static void
read_package (xmlDoc      *opf,
              EpubPackage *pkg)
{
  xmlNode *root = xmlDocGetRootElement (opf);
  g_autoptr(GPtrArray) non_linear = g_ptr_array_new ();

  pkg->items = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  pkg->spine = g_ptr_array_new ();

  for (xmlNode *node = root; node != NULL; node = docent_xml_next (node, root, TRUE))
    {
      if (node->type != XML_ELEMENT_NODE)
        continue;
      if (pkg->title == NULL && docent_xml_is (node, DC_NS, "title"))
        {
          pkg->title = docent_xml_child_text (node);
        }
      else if (docent_xml_is (node, NULL, "item") &&
               docent_xml_is (node->parent, NULL, "manifest"))
        {
          const char *id = docent_xml_attr (node, "id");
          EpubItem *item;

          if (id == NULL || docent_xml_attr (node, "href") == NULL ||
              g_hash_table_contains (pkg->items, id))
            continue;
          item = g_new0 (EpubItem, 1);
          item->href = docent_xml_attr (node, "href");
          item->media_type = docent_xml_attr (node, "media-type");
          g_hash_table_insert (pkg->items, (gpointer) id, item);
        }
      else if (docent_xml_is (node, NULL, "itemref") &&
               docent_xml_is (node->parent, NULL, "spine"))
        {
          const char *idref = docent_xml_attr (node, "idref");
          const char *linear = docent_xml_attr (node, "linear");

          if (idref == NULL)
            continue;
          if (linear != NULL && strcmp (linear, "no") == 0)
            g_ptr_array_add (non_linear, (gpointer) idref);
          else
            g_ptr_array_add (pkg->spine, (gpointer) idref);
        }
    }
  g_ptr_array_extend (pkg->spine, non_linear, NULL, NULL);
}

static gboolean
is_html_item (const EpubItem *item)
{
  static const char *const types[] = {
    "application/xhtml+xml", "text/html", "text/x-oeb1-document",
  };

  if (item->media_type == NULL)
    return has_suffix_ci (item->href, ".xhtml") || has_suffix_ci (item->href, ".html") ||
           has_suffix_ci (item->href, ".htm");
  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    if (g_ascii_strcasecmp (item->media_type, types[i]) == 0)
      return TRUE;
  return FALSE;
}

/* The chapter paths in reading order, each once. */
static GPtrArray *
chapter_paths (const EpubPackage *pkg,
               const char        *opf_dir)
{
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < pkg->spine->len; i++)
    {
      const EpubItem *item = g_hash_table_lookup (pkg->items, pkg->spine->pdata[i]);
      char *path;

      if (item == NULL || !is_html_item (item))
        continue;
      path = resolve_href (opf_dir, item->href);
      if (path == NULL || g_hash_table_contains (seen, path))
        {
          g_free (path);
          continue;
        }
      g_hash_table_add (seen, path);
      g_ptr_array_add (paths, path);
    }
  return paths;
}

/* DRM schemes list the chapters they encrypt in META-INF/encryption.xml;
 * fonts listed there are only obfuscated and do not matter for the text. */
static gboolean
check_drm (DocentZip  *zip,
           GPtrArray  *chapters,
           GError    **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(GHashTable) wanted = NULL;
  xmlDoc *enc;
  xmlNode *root;
  gboolean drm = FALSE;

  if (!docent_zip_has (zip, "META-INF/encryption.xml"))
    return TRUE;
  enc = read_xml (zip, "META-INF/encryption.xml", &local);
  if (enc == NULL)
    {
      if (g_error_matches (local, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_CORRUPT))
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }

  wanted = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < chapters->len; i++)
    g_hash_table_add (wanted, chapters->pdata[i]);
  root = xmlDocGetRootElement (enc);
  for (xmlNode *node = root; node != NULL && !drm;
       node = docent_xml_next (node, root, TRUE))
    {
      const char *uri;
      g_autofree char *path = NULL;

      if (!docent_xml_is (node, NULL, "CipherReference") ||
          (uri = docent_xml_attr (node, "URI")) == NULL)
        continue;
      path = resolve_href ("", uri);
      drm = path != NULL && g_hash_table_contains (wanted, path);
    }
  xmlFreeDoc (enc);

  if (drm)
    {
      g_set_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_ENCRYPTED,
                   "EPUB is DRM-protected");
      return FALSE;
    }
  return TRUE;
}

/* Entities the XML parser could not resolve (no DTD is loaded) would lose
 * their text; the HTML parser knows the HTML ones. */
static gboolean
has_entity_refs (xmlDoc *xdoc)
{
  xmlNode *root = xmlDocGetRootElement (xdoc);

  for (xmlNode *node = root; node != NULL; node = docent_xml_next (node, root, TRUE))
    if (node->type == XML_ENTITY_REF_NODE)
      return TRUE;
  return FALSE;
}

static xmlDoc *
parse_chapter (GBytes     *bytes,
               const char *name)
{
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);
  xmlDoc *xdoc;

  if (len > G_MAXINT)
    return NULL;
  xdoc = docent_xml_parse (data, len, "EPUB", name, DOCENT_XML_PARSE_STRICT, NULL);
  if (xdoc != NULL && !has_entity_refs (xdoc))
    return xdoc;
  g_clear_pointer (&xdoc, xmlFreeDoc);
  xdoc = htmlReadMemory (data, (int) len, name, NULL,
                         HTML_PARSE_RECOVER | HTML_PARSE_NONET |
                         HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                         HTML_PARSE_COMPACT);
  if (xdoc != NULL && xmlDocGetRootElement (xdoc) == NULL)
    g_clear_pointer (&xdoc, xmlFreeDoc);
  return xdoc;
}

/* The zip entries of the chapters (NULL for a missing one), in spine order. */
static GPtrArray *
chapter_entries (DocentZip *zip,
                 GPtrArray *chapters)
{
  GPtrArray *entries = g_ptr_array_sized_new (chapters->len);

  for (guint i = 0; i < chapters->len; i++)
    g_ptr_array_add (entries, (gpointer) find_entry (zip, chapters->pdata[i]));
  return entries;
}

/* The bytes of every chapter entry, read in archive order: libarchive
 * only reads forward, and going back reopens the archive, which reads its
 * whole central directory again. A spine in reverse archive order would
 * pay that for every chapter (minutes for a few thousand). Keys are the
 * zip's own names. */
static GHashTable *
read_chapters (DocentZip  *zip,
               GPtrArray  *entries,
               GError    **error)
{
  const GPtrArray *names = docent_zip_names (zip);
  g_autoptr(GHashTable) wanted = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) bytes = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                       (GDestroyNotify) g_bytes_unref);

  for (guint i = 0; i < entries->len; i++)
    if (entries->pdata[i] != NULL)
      g_hash_table_add (wanted, entries->pdata[i]);
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = names->pdata[i];
      GBytes *data;

      if (!g_hash_table_contains (wanted, name))
        continue;
      data = docent_zip_read (zip, name, error);
      if (data == NULL)
        return NULL;
      g_hash_table_insert (bytes, (gpointer) name, data);
    }
  return g_steal_pointer (&bytes);
}

static gboolean
add_chapter (DocentExtracted            *doc,
             const char                 *name,
             GBytes                     *bytes,
             const DocentExtractOptions *opts,
             GError                    **error)
{
  gboolean ok;
  xmlDoc *xdoc;

  if (name == NULL || bytes == NULL)
    {
      docent_extracted_add_page (doc);
      return TRUE;
    }
  xdoc = parse_chapter (bytes, name);
  if (xdoc == NULL)
    {
      docent_extracted_add_page (doc);
      return TRUE;
    }
  ok = docent_html_append_tree (doc, xmlDocGetRootElement (xdoc), TRUE, opts, error);
  xmlFreeDoc (xdoc);
  return ok;
}

DocentExtracted *
docent_extract_epub (DocentZip                  *zip,
                     const DocentExtractOptions *opts,
                     GError                    **error)
{
  g_autoptr(DocentExtracted) doc = docent_extracted_new ("epub");
  g_autoptr(GPtrArray) chapters = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GHashTable) contents = NULL;
  g_auto(EpubPackage) pkg = { 0 };
  g_autofree char *opf_path = NULL;
  g_autofree char *opf_dir = NULL;
  g_autofree char *opf_name = NULL;
  const char *slash;
  xmlDoc *opf;

  opf_path = find_package_path (zip, error);
  if (opf_path == NULL)
    return NULL;
  opf_name = g_strdup (find_entry (zip, opf_path));
  if (opf_name == NULL)
    {
      g_autofree char *decoded = g_uri_unescape_string (opf_path, NULL);

      opf_name = decoded != NULL ? g_strdup (find_entry (zip, decoded)) : NULL;
    }
  if (opf_name == NULL)
    {
      g_set_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_CORRUPT,
                   "damaged EPUB: the package file %s is missing", opf_path);
      return NULL;
    }
  slash = strrchr (opf_name, '/');
  opf_dir = slash != NULL ? g_strndup (opf_name, slash - opf_name + 1) : g_strdup ("");

  opf = read_xml (zip, opf_name, error);
  if (opf == NULL)
    return NULL;
  read_package (opf, &pkg);
  chapters = chapter_paths (&pkg, opf_dir);
  xmlFreeDoc (opf);
  /* The OPF is gone: keep nothing that points into it. */
  g_clear_pointer (&pkg.items, g_hash_table_unref);
  g_clear_pointer (&pkg.spine, g_ptr_array_unref);

  if (!check_drm (zip, chapters, error))
    return NULL;

  entries = chapter_entries (zip, chapters);
  contents = read_chapters (zip, entries, error);
  if (contents == NULL)
    return NULL;
  for (guint i = 0; i < entries->len; i++)
    {
      const char *name = entries->pdata[i];

      if (!docent_extract_check_limits (doc, opts, error))
        return NULL;
      if (!add_chapter (doc, name, name != NULL ? g_hash_table_lookup (contents, name) : NULL,
                        opts, error))
        return NULL;
    }

  docent_xml_set_title (doc, pkg.title);
  return g_steal_pointer (&doc);
}
