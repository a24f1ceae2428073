/* pdfgen.c — the PDF fixtures of the tests: word-wrapped pages and two
 * columns drawn with cairo's PDF surface, and a small hand-written PDF
 * encrypted with the standard security handler (revision 2, 40-bit RC4),
 * which cairo cannot produce. */
#include "tests/pdfgen.h"

#include <cairo-pdf.h>
#include <gio/gio.h>
#include <string.h>

#define PAGE_WIDTH     595.0
#define PAGE_HEIGHT    842.0
#define MARGIN         72.0
#define BODY_SIZE      11.0
#define HEADING_SIZE   18.0
#define LINE_FACTOR    1.3
#define PARAGRAPH_GAP  11.0
#define COLUMN_WIDTH   215.0
#define COLUMN_GAP     (PAGE_WIDTH - 2 * MARGIN - 2 * COLUMN_WIDTH)

typedef struct {
  cairo_t *cr;
  double x;
  double width;
  double y;              /* top of the next line */
  gboolean may_add_page; /* FALSE: text past the bottom is not drawn */
  gboolean full;
} Flow;

static gboolean
cairo_failed (cairo_status_t status,
              const char    *path,
              GError       **error)
{
  if (status == CAIRO_STATUS_SUCCESS)
    return FALSE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
               "cannot write PDF %s: %s", path, cairo_status_to_string (status));
  return TRUE;
}

static void
set_font (cairo_t *cr,
          gboolean heading)
{
  cairo_select_font_face (cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                          heading ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, heading ? HEADING_SIZE : BODY_SIZE);
}

static double
text_width (cairo_t    *cr,
            const char *text)
{
  cairo_text_extents_t extents;

  cairo_text_extents (cr, text, &extents);
  return extents.x_advance;
}

/* Makes room for a line of `size` points; FALSE when the flow is full. */
static gboolean
flow_reserve_line (Flow  *flow,
                   double size)
{
  if (flow->full)
    return FALSE;
  if (flow->y + size * LINE_FACTOR <= PAGE_HEIGHT - MARGIN)
    return TRUE;
  if (!flow->may_add_page)
    {
      flow->full = TRUE;
      return FALSE;
    }
  cairo_show_page (flow->cr);
  flow->y = MARGIN;
  return TRUE;
}

static void
flow_draw_line (Flow       *flow,
                const char *line,
                double      size)
{
  if (!flow_reserve_line (flow, size))
    return;
  cairo_move_to (flow->cr, flow->x, flow->y + size);
  cairo_show_text (flow->cr, line);
  flow->y += size * LINE_FACTOR;
}

static void
flow_paragraph (Flow       *flow,
                const char *paragraph)
{
  gboolean heading = g_str_has_prefix (paragraph, "# ");
  double size = heading ? HEADING_SIZE : BODY_SIZE;
  g_auto(GStrv) words = NULL;
  g_autoptr(GString) line = g_string_new (NULL);

  if (heading)
    paragraph += 2;
  set_font (flow->cr, heading);
  words = g_strsplit_set (paragraph, " \t\n", -1);
  for (guint i = 0; words[i] != NULL; i++)
    {
      gsize before = line->len;

      if (words[i][0] == '\0')
        continue;
      if (line->len > 0)
        g_string_append_c (line, ' ');
      g_string_append (line, words[i]);
      if (before > 0 && text_width (flow->cr, line->str) > flow->width)
        {
          g_string_truncate (line, before);
          flow_draw_line (flow, line->str, size);
          g_string_assign (line, words[i]);
        }
    }
  if (line->len > 0)
    flow_draw_line (flow, line->str, size);
  flow->y += PARAGRAPH_GAP;
}

static void
flow_text (Flow       *flow,
           const char *text)
{
  g_auto(GStrv) paragraphs = g_strsplit (text != NULL ? text : "", "\n\n", -1);

  for (guint i = 0; paragraphs[i] != NULL; i++)
    {
      g_strstrip (paragraphs[i]);
      if (paragraphs[i][0] != '\0')
        flow_paragraph (flow, paragraphs[i]);
    }
}

static cairo_surface_t *
pdf_surface_new (const char *path,
                 const char *title)
{
  cairo_surface_t *surface = cairo_pdf_surface_create (path, PAGE_WIDTH, PAGE_HEIGHT);

  if (title != NULL && cairo_surface_status (surface) == CAIRO_STATUS_SUCCESS)
    cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, title);
  return surface;
}

static gboolean
pdf_surface_close (cairo_surface_t *surface,
                   cairo_t         *cr,
                   const char      *path,
                   GError         **error)
{
  cairo_status_t status = cairo_status (cr);

  cairo_destroy (cr);
  cairo_surface_finish (surface);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);
  return !cairo_failed (status, path, error);
}

gboolean
docent_test_write_pdf (const char        *path,
                       const char        *title,
                       const char *const *pages,
                       guint              n_pages,
                       GError           **error)
{
  cairo_surface_t *surface = pdf_surface_new (path, title);
  cairo_t *cr = cairo_create (surface);

  for (guint i = 0; i < n_pages; i++)
    {
      Flow flow = { cr, MARGIN, PAGE_WIDTH - 2 * MARGIN, MARGIN, TRUE, FALSE };

      flow_text (&flow, pages[i]);
      cairo_show_page (cr);
    }
  return pdf_surface_close (surface, cr, path, error);
}

gboolean
docent_test_write_pdf_columns (const char *path,
                               const char *left,
                               const char *right,
                               GError    **error)
{
  cairo_surface_t *surface = pdf_surface_new (path, NULL);
  cairo_t *cr = cairo_create (surface);
  Flow left_flow = { cr, MARGIN, COLUMN_WIDTH, MARGIN, FALSE, FALSE };
  Flow right_flow = { cr, MARGIN + COLUMN_WIDTH + COLUMN_GAP, COLUMN_WIDTH,
                      MARGIN, FALSE, FALSE };

  flow_text (&left_flow, left);
  flow_text (&right_flow, right);
  cairo_show_page (cr);
  return pdf_surface_close (surface, cr, path, error);
}

/* The encrypted fixture: a hand-written PDF and the standard security
 * handler of PDF 1.3 (ISO 32000-1 7.6.3, algorithms 2, 3 and 4, R 2). */

static const guint8 password_padding[32] = {
  0x28, 0xBF, 0x4E, 0x5E, 0x4E, 0x75, 0x8A, 0x41, 0x64, 0x00, 0x4E, 0x56,
  0xFF, 0xFA, 0x01, 0x08, 0x2E, 0x2E, 0x00, 0xB6, 0xD0, 0x68, 0x3E, 0x80,
  0x2F, 0x0C, 0xA9, 0xFE, 0x64, 0x53, 0x69, 0x7A,
};

#define PERMISSIONS (-4)

static void
rc4 (const guint8 *key,
     gsize         key_len,
     guint8       *data,
     gsize         len)
{
  guint8 s[256];
  guint8 i = 0, j = 0;

  for (guint k = 0; k < 256; k++)
    s[k] = k;
  for (guint k = 0; k < 256; k++)
    {
      guint8 t = s[k];

      j = j + t + key[k % key_len];
      s[k] = s[j];
      s[j] = t;
    }
  j = 0;
  for (gsize k = 0; k < len; k++)
    {
      guint8 t;

      i++;
      j += s[i];
      t = s[i];
      s[i] = s[j];
      s[j] = t;
      data[k] ^= s[(guint8) (s[i] + s[j])];
    }
}

static void
md5 (GChecksum *checksum,
     guint8     digest[16])
{
  gsize len = 16;

  g_checksum_get_digest (checksum, digest, &len);
}

static void
pad_password (const char *password,
              guint8      padded[32])
{
  gsize len = MIN (strlen (password), 32);

  memcpy (padded, password, len);
  memcpy (padded + len, password_padding, 32 - len);
}

/* Algorithm 3: the owner entry, with the owner password equal to the
 * user password (the fixture only needs the user side). */
static void
compute_owner_entry (const char *password,
                     guint8      owner[32])
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_MD5);
  guint8 padded[32], digest[16];

  pad_password (password, padded);
  g_checksum_update (checksum, padded, 32);
  md5 (checksum, digest);
  memcpy (owner, padded, 32);
  rc4 (digest, 5, owner, 32);
}

/* Algorithm 2: the 40-bit file key. */
static void
compute_file_key (const char   *password,
                  const guint8  owner[32],
                  const guint8  id[16],
                  guint8        key[5])
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_MD5);
  guint32 p = (guint32) PERMISSIONS;
  guint8 padded[32], p_bytes[4], digest[16];

  pad_password (password, padded);
  for (guint i = 0; i < 4; i++)
    p_bytes[i] = (p >> (8 * i)) & 0xFF;
  g_checksum_update (checksum, padded, 32);
  g_checksum_update (checksum, owner, 32);
  g_checksum_update (checksum, p_bytes, 4);
  g_checksum_update (checksum, id, 16);
  md5 (checksum, digest);
  memcpy (key, digest, 5);
}

/* Algorithm 1: the key of one object is MD5 (file key, object number,
 * generation) cut to file key length + 5 bytes. */
static void
encrypt_object (const guint8 key[5],
                guint        number,
                guint8      *data,
                gsize        len)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_MD5);
  guint8 salt[5] = { number & 0xFF, (number >> 8) & 0xFF, (number >> 16) & 0xFF, 0, 0 };
  guint8 digest[16];

  g_checksum_update (checksum, key, 5);
  g_checksum_update (checksum, salt, 5);
  md5 (checksum, digest);
  rc4 (digest, 10, data, len);
}

static void
append_hex (GString      *out,
            const guint8 *data,
            gsize         len)
{
  g_string_append_c (out, '<');
  for (gsize i = 0; i < len; i++)
    g_string_append_printf (out, "%02X", data[i]);
  g_string_append_c (out, '>');
}

/* A PDF string literal in WinAnsi: ASCII as is, Latin-1 as octal escapes,
 * anything else as '?'. */
static void
append_pdf_string (GString    *out,
                   const char *text,
                   gsize       len)
{
  const char *end = text + len;

  g_string_append_c (out, '(');
  for (const char *p = text; p < end; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char_validated (p, end - p);

      if (c == '(' || c == ')' || c == '\\')
        g_string_append_printf (out, "\\%c", (char) c);
      else if (c >= 0x20 && c < 0x7F)
        g_string_append_c (out, (char) c);
      else if (c >= 0xA0 && c <= 0xFF)
        g_string_append_printf (out, "\\%03o", c);
      else
        g_string_append_c (out, '?');
      if (c == (gunichar) -1 || c == (gunichar) -2)
        break;
    }
  g_string_append_c (out, ')');
}

/* Helvetica 12 pt from the top left of the page, wrapped at word
 * boundaries every ~80 characters. */
static GString *
encrypted_content (const char *text)
{
  GString *content = g_string_new ("BT /F1 12 Tf 16 TL 72 720 Td ");
  const char *p = text;

  while (*p != '\0')
    {
      gsize len = strlen (p);

      if (len > 80)
        {
          const char *cut = p + 80;

          while (cut > p && *cut != ' ')
            cut--;
          len = cut > p ? (gsize) (cut - p) : 80;
          while (len < strlen (p) && (p[len] & 0xC0) == 0x80)
            len++;
        }
      if (p != text)
        g_string_append (content, "T* ");
      append_pdf_string (content, p, len);
      g_string_append (content, " Tj ");
      p += len;
      while (*p == ' ')
        p++;
    }
  g_string_append (content, "ET\n");
  return content;
}

gboolean
docent_test_write_pdf_encrypted (const char *path,
                                 const char *password,
                                 const char *text,
                                 GError    **error)
{
  g_autoptr(GString) pdf = g_string_new ("%PDF-1.4\n%\xE2\xE3\xCF\xD3\n");
  g_autoptr(GString) content = encrypted_content (text);
  g_autoptr(GChecksum) id_checksum = g_checksum_new (G_CHECKSUM_MD5);
  gsize offsets[7] = { 0 };
  guint8 id[16], owner[32], user[32], key[5];
  gsize xref;

  g_checksum_update (id_checksum, (const guint8 *) text, -1);
  g_checksum_update (id_checksum, (const guint8 *) password, -1);
  md5 (id_checksum, id);
  compute_owner_entry (password, owner);
  compute_file_key (password, owner, id, key);
  /* Algorithm 4: U is the padding encrypted with the file key. */
  memcpy (user, password_padding, 32);
  rc4 (key, 5, user, 32);
  encrypt_object (key, 5, (guint8 *) content->str, content->len);

  offsets[1] = pdf->len;
  g_string_append (pdf, "1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
  offsets[2] = pdf->len;
  g_string_append (pdf, "2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n");
  offsets[3] = pdf->len;
  g_string_append (pdf, "3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                   "/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>\nendobj\n");
  offsets[4] = pdf->len;
  g_string_append (pdf, "4 0 obj\n<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
                   "/Encoding /WinAnsiEncoding >>\nendobj\n");
  offsets[5] = pdf->len;
  g_string_append_printf (pdf, "5 0 obj\n<< /Length %" G_GSIZE_FORMAT " >>\nstream\n",
                          content->len);
  g_string_append_len (pdf, content->str, content->len);
  g_string_append (pdf, "\nendstream\nendobj\n");
  offsets[6] = pdf->len;
  g_string_append (pdf, "6 0 obj\n<< /Filter /Standard /V 1 /R 2 /O ");
  append_hex (pdf, owner, 32);
  g_string_append (pdf, " /U ");
  append_hex (pdf, user, 32);
  g_string_append_printf (pdf, " /P %d >>\nendobj\n", PERMISSIONS);

  xref = pdf->len;
  g_string_append (pdf, "xref\n0 7\n0000000000 65535 f \n");
  for (guint i = 1; i < 7; i++)
    g_string_append_printf (pdf, "%010" G_GSIZE_FORMAT " 00000 n \n", offsets[i]);
  g_string_append (pdf, "trailer\n<< /Size 7 /Root 1 0 R /Encrypt 6 0 R /ID [");
  append_hex (pdf, id, 16);
  append_hex (pdf, id, 16);
  g_string_append_printf (pdf, "] >>\nstartxref\n%" G_GSIZE_FORMAT "\n%%%%EOF\n", xref);

  return g_file_set_contents (path, pdf->str, pdf->len, error);
}
