/* detect.c — content sniffing. Only the bytes count: a PDF renamed to
 * notes.txt is still a PDF, and a text file called report.pdf is text. */
#include "ingest/detect.h"

#include <string.h>

#define SNIFF_LEN 4096

static const guint8 *
find_bytes (const guint8 *hay, gsize hay_len, const char *needle)
{
  if (hay == NULL || hay_len == 0)
    return NULL;
  return memmem (hay, hay_len, needle, strlen (needle));
}

static gboolean
find_ascii_ci (const guint8 *data, gsize len, const char *needle)
{
  gsize n = strlen (needle);

  for (gsize i = 0; i + n <= len; i++)
    if (g_ascii_strncasecmp ((const char *) data + i, needle, n) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
has_bom (const guint8 *data, gsize len)
{
  return (len >= 3 && memcmp (data, "\xEF\xBB\xBF", 3) == 0) ||
         (len >= 2 && (memcmp (data, "\xFF\xFE", 2) == 0 ||
                       memcmp (data, "\xFE\xFF", 2) == 0));
}

/* ODF and EPUB store an uncompressed "mimetype" entry first, so its content
 * can be read straight from the first local file header. */
static DocentFormat
sniff_zip_mimetype (const guint8 *data, gsize len)
{
  static const char prefix[] = "mimetype";
  guint16 name_len, extra_len;
  guint32 size;
  gsize off;

  if (len < 30)
    return DOCENT_FORMAT_UNKNOWN;
  name_len = data[26] | (data[27] << 8);
  extra_len = data[28] | (data[29] << 8);
  size = data[18] | (data[19] << 8) | (data[20] << 16) | ((guint32) data[21] << 24);
  if (name_len != strlen (prefix) || memcmp (data + 30, prefix, name_len) != 0)
    return DOCENT_FORMAT_UNKNOWN;
  off = 30 + (gsize) name_len + extra_len;
  if (off > len || size > len - off)
    return DOCENT_FORMAT_UNKNOWN;
  if (size == strlen ("application/epub+zip") &&
      memcmp (data + off, "application/epub+zip", size) == 0)
    return DOCENT_FORMAT_EPUB;
  if (size == strlen ("application/vnd.oasis.opendocument.text") &&
      memcmp (data + off, "application/vnd.oasis.opendocument.text", size) == 0)
    return DOCENT_FORMAT_ODT;
  return DOCENT_FORMAT_UNKNOWN;
}

/* The central directory at the end lists every entry name uncompressed. */
static DocentFormat
sniff_zip (const guint8 *data, gsize len)
{
  DocentFormat format = sniff_zip_mimetype (data, len);

  if (format != DOCENT_FORMAT_UNKNOWN)
    return format;
  if (find_bytes (data, len, "word/document.xml"))
    return DOCENT_FORMAT_DOCX;
  if (find_bytes (data, len, "META-INF/container.xml"))
    return DOCENT_FORMAT_EPUB;
  if (find_bytes (data, len, "application/vnd.oasis.opendocument.text") &&
      find_bytes (data, len, "content.xml"))
    return DOCENT_FORMAT_ODT;
  return DOCENT_FORMAT_ZIP;
}

static gboolean
looks_like_html (const guint8 *data, gsize len)
{
  gsize i = 0;

  if (len >= 3 && memcmp (data, "\xEF\xBB\xBF", 3) == 0)
    i = 3;
  while (i < len && g_ascii_isspace (data[i]))
    i++;
  if (i >= len || data[i] != '<')
    return FALSE;
  return find_ascii_ci (data + i, len - i, "<!doctype html") ||
         find_ascii_ci (data + i, len - i, "<html") ||
         find_ascii_ci (data + i, len - i, "<head") ||
         find_ascii_ci (data + i, len - i, "<body") ||
         find_ascii_ci (data + i, len - i, "http://www.w3.org/1999/xhtml");
}

/* Images by their signatures, with enough of the header behind them to be
 * an image at all: a PNG's complete IHDR chunk (a bare signature is just
 * binary data), a JPEG's first marker, a TIFF's first IFD inside the file.
 * BigTIFF is not read. */
static DocentFormat
sniff_image (const guint8 *data, gsize len)
{
  if (len >= 33 && memcmp (data, "\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16) == 0)
    {
      guint32 w = ((guint32) data[16] << 24) | (data[17] << 16) | (data[18] << 8) | data[19];
      guint32 h = ((guint32) data[20] << 24) | (data[21] << 16) | (data[22] << 8) | data[23];

      return w > 0 && h > 0 ? DOCENT_FORMAT_PNG : DOCENT_FORMAT_UNKNOWN;
    }
  if (len >= 4 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF &&
      (data[3] == 0xDB || data[3] == 0xEE || data[3] == 0xFE ||
       (data[3] >= 0xC0 && data[3] <= 0xCF && data[3] != 0xC8) ||
       (data[3] >= 0xE0 && data[3] <= 0xEF)))
    return DOCENT_FORMAT_JPEG;
  if (len >= 8 && (memcmp (data, "II*\0", 4) == 0 || memcmp (data, "MM\0*", 4) == 0))
    {
      guint32 ifd = data[0] == 'I'
        ? data[4] | (data[5] << 8) | (data[6] << 16) | ((guint32) data[7] << 24)
        : ((guint32) data[4] << 24) | (data[5] << 16) | (data[6] << 8) | data[7];

      return ifd >= 8 && ifd <= len - 2 ? DOCENT_FORMAT_TIFF : DOCENT_FORMAT_UNKNOWN;
    }
  return DOCENT_FORMAT_UNKNOWN;
}

static gboolean
looks_binary (const guint8 *data, gsize len)
{
  guint controls = 0;

  if (has_bom (data, len))
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      if (data[i] == 0)
        return TRUE;
      if (data[i] < 0x20 && data[i] != '\n' && data[i] != '\r' &&
          data[i] != '\t' && data[i] != '\f' && data[i] != 0x1B)
        controls++;
    }
  return controls > len / 20 + 1;
}

DocentFormat
docent_detect_format (const guint8 *data,
                      gsize         len)
{
  gsize head = MIN (len, SNIFF_LEN);
  DocentFormat format;

  if (len == 0)
    return DOCENT_FORMAT_UNKNOWN;
  /* Images first: their signature is at the very start, while a PDF
   * header is looked for anywhere in the first KiB. */
  format = sniff_image (data, len);
  if (format != DOCENT_FORMAT_UNKNOWN)
    return format;
  /* The PDF header may follow some junk, which readers tolerate (1 KiB). */
  if (find_bytes (data, MIN (len, 1024), "%PDF-"))
    return DOCENT_FORMAT_PDF;
  if (len >= 4 && memcmp (data, "PK\x03\x04", 4) == 0)
    return sniff_zip (data, len);
  if (len >= 8 && memcmp (data, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) == 0)
    return DOCENT_FORMAT_OLE;
  if (looks_binary (data, head))
    return DOCENT_FORMAT_BINARY;
  if (looks_like_html (data, head))
    return DOCENT_FORMAT_HTML;
  return DOCENT_FORMAT_TEXT;
}

gboolean
docent_format_is_image (DocentFormat format)
{
  return format == DOCENT_FORMAT_PNG || format == DOCENT_FORMAT_JPEG ||
         format == DOCENT_FORMAT_TIFF;
}

const char *
docent_format_name (DocentFormat format)
{
  switch (format)
    {
    case DOCENT_FORMAT_PDF: return "pdf";
    case DOCENT_FORMAT_HTML: return "html";
    case DOCENT_FORMAT_TEXT: return "text";
    case DOCENT_FORMAT_MARKDOWN: return "markdown";
    case DOCENT_FORMAT_DOCX: return "docx";
    case DOCENT_FORMAT_ODT: return "odt";
    case DOCENT_FORMAT_EPUB: return "epub";
    case DOCENT_FORMAT_ZIP: return "zip";
    case DOCENT_FORMAT_OLE: return "ole";
    case DOCENT_FORMAT_BINARY: return "binary";
    case DOCENT_FORMAT_PNG: return "png";
    case DOCENT_FORMAT_JPEG: return "jpeg";
    case DOCENT_FORMAT_TIFF: return "tiff";
    case DOCENT_FORMAT_UNKNOWN:
    default: return "unknown";
    }
}
