/* encoding.c — bytes of unknown encoding to UTF-8: byte order marks,
 * explicit charsets through iconv, UTF-8, and the Windows-1252 fallback.
 * Also normalises line endings so every text extractor only sees "\n". */
#include "ingest/encoding.h"

#include <errno.h>
#include <string.h>

typedef enum {
  CS_UNKNOWN,
  CS_UTF8,
  CS_UTF16LE,
  CS_UTF16BE,
  CS_UTF32LE,
  CS_UTF32BE,
  CS_CP1252,
  CS_ICONV,
} Charset;

/* Windows-1252 for 0x80-0x9F. The five holes keep their Latin-1 (C1)
 * meaning, as browsers do; the page builder drops them later. */
static const gunichar cp1252_c1[32] = {
  0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
  0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
  0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
  0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

/* Labels that iconv does not know under the name pages use, or that are
 * better read with the superset every browser uses for them. */
static const struct {
  const char *key;
  const char *iconv_name;
} iconv_aliases[] = {
  { "gb2312", "GB18030" },
  { "gbk", "GB18030" },
  { "xgbk", "GB18030" },
  { "cp936", "GB18030" },
  { "shiftjis", "CP932" },
  { "sjis", "CP932" },
  { "xsjis", "CP932" },
  { "mskanji", "CP932" },
  { "windows31j", "CP932" },
  { "euckr", "CP949" },
  { "windows949", "CP949" },
  { "tis620", "CP874" },
  { "iso88599", "WINDOWS-1254" },
  { "latin5", "WINDOWS-1254" },
};

static void
append_unichar (GString  *out,
                gunichar  c)
{
  char buf[6];

  if (c < 0x80)
    g_string_append_c (out, (char) c);
  else
    g_string_append_len (out, buf, g_unichar_to_utf8 (c, buf));
}

/* "UTF-8", "utf_8" and "utf8" are the same label: keep letters and digits. */
static char *
charset_key (const char *charset)
{
  GString *key = g_string_new (NULL);

  for (const char *p = charset; *p != '\0'; p++)
    if (g_ascii_isalnum (*p))
      g_string_append_c (key, g_ascii_tolower (*p));
  return g_string_free (key, FALSE);
}

static Charset
charset_classify (const char *key)
{
  static const char *const cp1252_keys[] = {
    "iso88591", "latin1", "l1", "isoir100", "cp819", "ibm819", "windows1252",
    "cp1252", "xcp1252", "usascii", "ascii", "ansix341968", "iso8859119871",
  };

  if (strcmp (key, "utf8") == 0 || strcmp (key, "unicode11utf8") == 0)
    return CS_UTF8;
  if (strcmp (key, "utf16le") == 0 || strcmp (key, "utf16") == 0 ||
      strcmp (key, "ucs2") == 0 || strcmp (key, "unicode") == 0)
    return CS_UTF16LE;
  if (strcmp (key, "utf16be") == 0 || strcmp (key, "unicodefffe") == 0)
    return CS_UTF16BE;
  if (strcmp (key, "utf32le") == 0 || strcmp (key, "utf32") == 0)
    return CS_UTF32LE;
  if (strcmp (key, "utf32be") == 0)
    return CS_UTF32BE;
  for (gsize i = 0; i < G_N_ELEMENTS (cp1252_keys); i++)
    if (strcmp (key, cp1252_keys[i]) == 0)
      return CS_CP1252;
  return CS_ICONV;
}

static Charset
sniff_bom (const guchar *data,
           gsize         len,
           gsize        *bom_len)
{
  /* UTF-32LE before UTF-16LE: its BOM starts with the UTF-16LE one. */
  if (len >= 4 && memcmp (data, "\xFF\xFE\x00\x00", 4) == 0)
    return (*bom_len = 4, CS_UTF32LE);
  if (len >= 4 && memcmp (data, "\x00\x00\xFE\xFF", 4) == 0)
    return (*bom_len = 4, CS_UTF32BE);
  if (len >= 3 && memcmp (data, "\xEF\xBB\xBF", 3) == 0)
    return (*bom_len = 3, CS_UTF8);
  if (len >= 2 && memcmp (data, "\xFF\xFE", 2) == 0)
    return (*bom_len = 2, CS_UTF16LE);
  if (len >= 2 && memcmp (data, "\xFE\xFF", 2) == 0)
    return (*bom_len = 2, CS_UTF16BE);
  *bom_len = 0;
  return CS_UNKNOWN;
}

/* Counts well-formed multi-byte sequences and malformed ones; a sequence
 * cut off by the end of the data is not held against text that has shown
 * real UTF-8 before. */
static void
utf8_survey (const guchar *data,
             gsize         len,
             gsize        *n_multi,
             gsize        *n_bad)
{
  gsize i = 0;

  *n_multi = *n_bad = 0;
  while (i < len)
    {
      gunichar c;
      const char *p;

      if (data[i] < 0x80)
        {
          i++;
          continue;
        }
      p = (const char *) data + i;
      c = g_utf8_get_char_validated (p, len - i);
      if (c == (gunichar) -2)
        {
          if (*n_multi == 0)
            (*n_bad)++;
          return;
        }
      if (c == (gunichar) -1)
        {
          (*n_bad)++;
          i++;
          continue;
        }
      (*n_multi)++;
      i += g_utf8_next_char (p) - p;
    }
}

static void
decode_utf8 (const guchar *data,
             gsize         len,
             GString      *out)
{
  gsize i = 0;

  while (i < len)
    {
      const char *p = (const char *) data + i;
      const char *end = NULL;
      gunichar c;

      /* Copy the longest valid run in one go. */
      if (g_utf8_validate_len (p, len - i, &end))
        {
          g_string_append_len (out, p, len - i);
          return;
        }
      g_string_append_len (out, p, end - p);
      i += end - p;
      if (data[i] == '\0')
        {
          i++;
          continue;
        }
      c = g_utf8_get_char_validated ((const char *) data + i, len - i);
      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          append_unichar (out, 0xFFFD);
          i++;
        }
      else
        {
          /* Valid but rejected by g_utf8_validate_len: cannot happen in
           * practice; keep going rather than loop forever. */
          const char *q = (const char *) data + i;

          append_unichar (out, c);
          i += g_utf8_next_char (q) - q;
        }
    }
}

static void
decode_cp1252 (const guchar *data,
               gsize         len,
               GString      *out)
{
  for (gsize i = 0; i < len; i++)
    {
      guchar b = data[i];

      if (b < 0x80)
        g_string_append_c (out, (char) b);
      else if (b < 0xA0)
        append_unichar (out, cp1252_c1[b - 0x80]);
      else
        append_unichar (out, b);
    }
}

static void
decode_utf16 (const guchar *data,
              gsize         len,
              gboolean      big_endian,
              GString      *out)
{
  gsize i = 0;

  while (i + 1 < len)
    {
      guint u = big_endian ? (data[i] << 8 | data[i + 1])
                           : (data[i + 1] << 8 | data[i]);

      i += 2;
      if (u >= 0xD800 && u <= 0xDBFF && i + 1 < len)
        {
          guint lo = big_endian ? (data[i] << 8 | data[i + 1])
                                : (data[i + 1] << 8 | data[i]);

          if (lo >= 0xDC00 && lo <= 0xDFFF)
            {
              i += 2;
              append_unichar (out, 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00));
              continue;
            }
        }
      append_unichar (out, (u >= 0xD800 && u <= 0xDFFF) ? 0xFFFD : u);
    }
  if (i < len)
    append_unichar (out, 0xFFFD);
}

static void
decode_utf32 (const guchar *data,
              gsize         len,
              gboolean      big_endian,
              GString      *out)
{
  gsize i;

  for (i = 0; i + 3 < len; i += 4)
    {
      guint32 u = big_endian
        ? ((guint32) data[i] << 24 | data[i + 1] << 16 | data[i + 2] << 8 | data[i + 3])
        : ((guint32) data[i + 3] << 24 | data[i + 2] << 16 | data[i + 1] << 8 | data[i]);

      append_unichar (out, g_unichar_validate (u) ? u : 0xFFFD);
    }
  if (i < len)
    append_unichar (out, 0xFFFD);
}

/* iconv with every undecodable byte replaced by U+FFFD. FALSE when iconv
 * does not know the charset. */
static gboolean
decode_iconv (const guchar *data,
              gsize         len,
              const char   *charset,
              GString      *out)
{
  GIConv cd = g_iconv_open ("UTF-8", charset);
  char buf[4096];
  char *in = (char *) data;
  gsize in_left = len;

  if (cd == (GIConv) -1)
    return FALSE;
  while (TRUE)
    {
      char *o = buf;
      gsize o_left = sizeof buf;
      gsize r = g_iconv (cd, in_left > 0 ? &in : NULL, &in_left, &o, &o_left);
      int saved = errno;

      g_string_append_len (out, buf, o - buf);
      if (r != (gsize) -1)
        {
          if (in_left == 0)
            {
              /* Flushes the shift state of stateful encodings. */
              o = buf;
              o_left = sizeof buf;
              g_iconv (cd, NULL, NULL, &o, &o_left);
              g_string_append_len (out, buf, o - buf);
              break;
            }
          continue;
        }
      if (saved == E2BIG)
        continue;
      append_unichar (out, 0xFFFD);
      if (saved == EINVAL)
        break;  /* incomplete sequence at the end */
      in++;
      in_left--;
      if (in_left == 0)
        break;
    }
  g_iconv_close (cd);
  return TRUE;
}

/* CRLF and lone CR become "\n"; NUL bytes go (C strings cannot hold them). */
static void
normalise_newlines (GString *text)
{
  char *s = text->str;
  gsize r = 0, w = 0;

  if (memchr (s, '\r', text->len) == NULL && strlen (s) == text->len)
    return;
  while (r < text->len)
    {
      char c = s[r++];

      if (c == '\0')
        continue;
      if (c == '\r')
        {
          if (r < text->len && s[r] == '\n')
            r++;
          c = '\n';
        }
      s[w++] = c;
    }
  g_string_truncate (text, w);
}

static void
decode_as (Charset       cs,
           const guchar *data,
           gsize         len,
           GString      *out)
{
  switch (cs)
    {
    case CS_UTF8: decode_utf8 (data, len, out); break;
    case CS_UTF16LE: decode_utf16 (data, len, FALSE, out); break;
    case CS_UTF16BE: decode_utf16 (data, len, TRUE, out); break;
    case CS_UTF32LE: decode_utf32 (data, len, FALSE, out); break;
    case CS_UTF32BE: decode_utf32 (data, len, TRUE, out); break;
    case CS_CP1252:
    case CS_ICONV:
    case CS_UNKNOWN:
    default: decode_cp1252 (data, len, out); break;
    }
}

static gboolean
decode_explicit (const guchar *data,
                 gsize         len,
                 const char   *charset,
                 GString      *out)
{
  g_autofree char *key = charset_key (charset);
  Charset cs = charset_classify (key);

  if (*key == '\0')
    return FALSE;
  if (cs != CS_ICONV)
    {
      decode_as (cs, data, len, out);
      return TRUE;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (iconv_aliases); i++)
    if (strcmp (key, iconv_aliases[i].key) == 0 &&
        decode_iconv (data, len, iconv_aliases[i].iconv_name, out))
      return TRUE;
  return decode_iconv (data, len, charset, out);
}

char *
docent_decode_text (const char *data,
                    gsize       len,
                    const char *charset,
                    gsize      *out_len)
{
  const guchar *bytes = (const guchar *) data;
  GString *out = g_string_sized_new (len + len / 8 + 1);
  gsize bom_len = 0;
  Charset bom;

  if (data == NULL)
    len = 0;
  bom = sniff_bom (bytes, len, &bom_len);
  if (bom != CS_UNKNOWN)
    {
      decode_as (bom, bytes + bom_len, len - bom_len, out);
    }
  else if (charset == NULL || !decode_explicit (bytes, len, charset, out))
    {
      gsize n_multi, n_bad;

      g_string_truncate (out, 0);
      utf8_survey (bytes, len, &n_multi, &n_bad);
      /* A few stray bytes among plenty of real UTF-8 (a file glued
       * together from two sources) is still UTF-8. */
      if (n_bad == 0 || n_bad * 8 <= n_multi)
        decode_utf8 (bytes, len, out);
      else
        decode_cp1252 (bytes, len, out);
    }
  normalise_newlines (out);
  if (out_len != NULL)
    *out_len = out->len;
  return g_string_free (out, FALSE);
}
