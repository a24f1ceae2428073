/* image.c — PNG, JPEG and TIFF files as documents of one or more pages:
 * sizes checked from the headers (our own walk of a TIFF's page chain),
 * pictures decoded by leptonica one page at a time, flattened onto white
 * and made 8-bit gray, then read by OCR. */
#include "ingest/image.h"

#include <math.h>
#include <string.h>

#include "ingest/ocr.h"

#ifdef DOCENT_HAVE_OCR
#include <allheaders.h>
#endif

/* Bigger pictures are refused before decoding (leptonica would allocate up
 * to 2 GiB for one). 100 Mpx is a letter page at 1,100 dpi. */
#define MAX_SIDE        20000
#define MAX_PIXELS      (100 * 1000 * 1000)
/* Pictures are scaled down to this before OCR, like rendered PDF pages
 * (a letter page at 300 dpi is 8.4 Mpx). */
#define OCR_MAX_PIXELS  (40 * 1000 * 1000)
/* Resolutions outside this range are taken as unknown. */
#define MIN_DPI         50
#define MAX_DPI         2400
#define DEFAULT_DPI     300

#ifndef DOCENT_HAVE_OCR

DocentExtracted *
docent_extract_image (GBytes                     *data,
                      DocentFormat                format,
                      const DocentExtractOptions *opts,
                      GError                    **error)
{
  docent_ocr_set_unavailable_error (opts, "this image", error);
  return NULL;
}

#else  /* DOCENT_HAVE_OCR */

static const char *
image_kind (DocentFormat format)
{
  switch (format)
    {
    case DOCENT_FORMAT_PNG: return "PNG";
    case DOCENT_FORMAT_JPEG: return "JPEG";
    case DOCENT_FORMAT_TIFF: return "TIFF";
    default: return "image";
    }
}

typedef struct {
  guint32 width, height;
} Size;

static guint32
read_u16 (const guint8 *p,
          gboolean      le)
{
  return le ? p[0] | (p[1] << 8) : (p[0] << 8) | p[1];
}

static guint32
read_u32 (const guint8 *p,
          gboolean      le)
{
  return le ? p[0] | (p[1] << 8) | (p[2] << 16) | ((guint32) p[3] << 24)
            : ((guint32) p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3];
}

/* The pages of a classic TIFF: the chain of image file directories, each
 * with its width (tag 256) and height (257). Stops after `max_pages` + 1
 * pages (the caller then reports TOO_LARGE); a chain that leaves the file
 * or comes back on itself is damage. */
static GArray *
tiff_pages (const guint8  *data,
            gsize          len,
            guint          max_pages,
            GError       **error)
{
  g_autoptr(GArray) pages = g_array_new (FALSE, FALSE, sizeof (Size));
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  gboolean le = data[0] == 'I';
  guint32 offset = read_u32 (data + 4, le);

  while (offset != 0)
    {
      Size size = { 0, 0 };
      guint32 n;

      if (offset < 8 || offset > len - 2 ||
          g_hash_table_contains (seen, GUINT_TO_POINTER (offset)))
        {
          g_set_error_literal (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_CORRUPT,
                               "damaged TIFF image: broken page chain");
          return NULL;
        }
      g_hash_table_add (seen, GUINT_TO_POINTER (offset));
      n = read_u16 (data + offset, le);
      if ((guint64) offset + 2 + (guint64) n * 12 + 4 > len)
        {
          g_set_error_literal (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_CORRUPT,
                               "damaged TIFF image: truncated page directory");
          return NULL;
        }
      for (guint32 i = 0; i < n; i++)
        {
          const guint8 *entry = data + offset + 2 + i * 12;
          guint32 tag = read_u16 (entry, le), type = read_u16 (entry + 2, le);
          guint32 value = type == 3 ? read_u16 (entry + 8, le)
                        : type == 4 ? read_u32 (entry + 8, le) : 0;

          if (tag == 256)
            size.width = value;
          else if (tag == 257)
            size.height = value;
        }
      g_array_append_val (pages, size);
      if (max_pages > 0 && pages->len > max_pages)
        break;
      offset = read_u32 (data + offset + 2 + n * 12, le);
    }
  if (pages->len == 0)
    {
      g_set_error_literal (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_CORRUPT,
                           "damaged TIFF image: no pages");
      return NULL;
    }
  return g_steal_pointer (&pages);
}

static GArray *
image_pages (const guint8               *data,
             gsize                       len,
             DocentFormat                format,
             const DocentExtractOptions *opts,
             GError                    **error)
{
  GArray *pages;
  Size size;
  l_int32 kind, w = 0, h = 0, bps, spp, cmap;

  if (format == DOCENT_FORMAT_TIFF)
    pages = tiff_pages (data, len, opts->max_pages, error);
  else if (pixReadHeaderMem (data, len, &kind, &w, &h, &bps, &spp, &cmap) != 0)
    {
      g_set_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_CORRUPT,
                   "damaged %s image: unreadable header", image_kind (format));
      return NULL;
    }
  else
    {
      pages = g_array_new (FALSE, FALSE, sizeof (Size));
      size = (Size) { MAX (w, 0), MAX (h, 0) };
      g_array_append_val (pages, size);
    }
  if (pages == NULL)
    return NULL;
  if (opts->max_pages > 0 && pages->len > opts->max_pages)
    {
      g_set_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_TOO_LARGE,
                   "the image has more than %u pages", opts->max_pages);
      g_array_unref (pages);
      return NULL;
    }
  for (guint i = 0; i < pages->len; i++)
    {
      const Size *s = &g_array_index (pages, Size, i);

      if (s->width > MAX_SIDE || s->height > MAX_SIDE ||
          (guint64) s->width * s->height > MAX_PIXELS)
        {
          g_set_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_TOO_LARGE,
                       "the image is too large to read (%u × %u pixels)",
                       s->width, s->height);
          g_array_unref (pages);
          return NULL;
        }
    }
  return pages;
}

/* leptonica reports problems on stderr; ours are the GErrors. */
static void
quiet_leptonica (const char *message)
{
  g_debug ("leptonica: %s", message);
}

static void
setup_leptonica (void)
{
  static gsize once;

  if (g_once_init_enter (&once))
    {
      leptSetStderrHandler (quiet_leptonica);
      g_once_init_leave (&once, 1);
    }
}

/* Any depth, colormap or alpha channel → 8-bit gray on white. */
static PIX *
to_gray (PIX *pix)
{
  PIX *flat = NULL, *gray;

  if (pixGetDepth (pix) == 32 && pixGetSpp (pix) == 4)
    {
      flat = pixAlphaBlendUniform (pix, 0xffffff00);
      if (flat == NULL)
        return NULL;
      pix = flat;
    }
  gray = pixConvertTo8 (pix, FALSE);
  pixDestroy (&flat);
  return gray;
}

static guint8 *
gray_pixels (PIX              *gray,
             DocentGrayImage  *image)
{
  guint w = pixGetWidth (gray), h = pixGetHeight (gray);
  l_int32 wpl = pixGetWpl (gray);
  l_uint32 *data = pixGetData (gray);
  guint8 *pixels = g_malloc ((gsize) w * h);

  for (guint y = 0; y < h; y++)
    {
      const l_uint32 *line = data + (gsize) y * wpl;
      guint8 *row = pixels + (gsize) y * w;

      for (guint x = 0; x < w; x++)
        row[x] = GET_DATA_BYTE (line, x);
    }
  *image = (DocentGrayImage) { pixels, w, h, w, 0 };
  return pixels;
}

static double
resolution (PIX *pix)
{
  /* Non-square pixels are rare in scans: the horizontal resolution stands. */
  l_int32 xres = pixGetXRes (pix);

  if (xres < MIN_DPI || xres > MAX_DPI)
    return 0;
  return xres;
}

/* Decodes the picture (TIFF: the page at *offset, moving it on). */
static PIX *
decode_page (const guint8 *data,
             gsize         len,
             DocentFormat  format,
             size_t       *offset)
{
  if (format == DOCENT_FORMAT_TIFF)
    return pixReadMemFromMultipageTiff (data, len, offset);
  return pixReadMem (data, len);
}

static gboolean
read_page (DocentExtracted            *doc,
           PIX                        *pix,
           const DocentExtractOptions *opts,
           GError                    **error)
{
  DocentPage *page = docent_extracted_add_page (doc);
  g_autofree guint8 *data = NULL;
  DocentGrayImage image;
  PIX *gray = to_gray (pix);
  guint width = pixGetWidth (pix), height = pixGetHeight (pix);
  double dpi, pixels = (double) width * height;

  if (gray != NULL && pixels > OCR_MAX_PIXELS)
    {
      float scale = sqrt (OCR_MAX_PIXELS / pixels);
      PIX *smaller = pixScale (gray, scale, scale);

      pixDestroy (&gray);
      gray = smaller;
    }
  if (gray == NULL)
    {
      g_set_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_CORRUPT,
                   "damaged image: page %u cannot be converted", page->page_no);
      return FALSE;
    }
  data = gray_pixels (gray, &image);
  pixDestroy (&gray);
  /* The page's size comes from the picture as stored; tesseract is told
   * the resolution of what it is given. */
  dpi = resolution (pix);
  page->width = width * 72.0 / (dpi > 0 ? dpi : DEFAULT_DPI);
  page->height = height * 72.0 / (dpi > 0 ? dpi : DEFAULT_DPI);
  image.dpi = dpi * image.width / width;
  page->boxes = g_array_new (FALSE, FALSE, sizeof (DocentBox));
  if (docent_gray_image_is_blank (&image))
    {
      page->ocr = TRUE;  /* OCR's verdict, without asking tesseract */
      return TRUE;
    }
  return docent_ocr_page (&image, opts, page, error);
}

DocentExtracted *
docent_extract_image (GBytes                     *data,
                      DocentFormat                format,
                      const DocentExtractOptions *opts,
                      GError                    **error)
{
  g_autoptr(DocentExtracted) doc = NULL;
  g_autoptr(GArray) pages = NULL;
  gsize len = 0;
  const guint8 *raw = g_bytes_get_data (data, &len);
  size_t offset = 0;

  if (opts->ocr == DOCENT_OCR_OFF)
    {
      docent_ocr_set_unavailable_error (opts, "this image", error);
      return NULL;
    }
  if (g_cancellable_set_error_if_cancelled (opts->cancellable, error))
    return NULL;
  setup_leptonica ();
  pages = image_pages (raw, len, format, opts, error);
  if (pages == NULL)
    return NULL;

  doc = docent_extracted_new (docent_format_name (format));
  for (guint i = 0; i < pages->len; i++)
    {
      PIX *pix = decode_page (raw, len, format, &offset);
      gboolean ok;

      if (pix == NULL)
        {
          if (pages->len > 1)
            g_set_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_CORRUPT,
                         "damaged %s image: page %u cannot be read", image_kind (format), i + 1);
          else
            g_set_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_CORRUPT,
                         "damaged %s image", image_kind (format));
          return NULL;
        }
      ok = read_page (doc, pix, opts, error);
      pixDestroy (&pix);
      if (!ok || !docent_extract_check_limits (doc, opts, error))
        return NULL;
      docent_extract_page_done (opts, i + 1, pages->len, TRUE);
      /* The chain ended sooner for libtiff than for our walk. */
      if (format == DOCENT_FORMAT_TIFF && offset == 0 && i + 1 < pages->len)
        break;
    }
  return g_steal_pointer (&doc);
}

#endif  /* DOCENT_HAVE_OCR */
