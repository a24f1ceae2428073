/* layout.c — the compact stored form of a page's character boxes ("DL1"
 * blobs) and the rectangles that highlight a span of characters. */
#include "ingest/layout.h"

#include <math.h>
#include <string.h>

#include "ingest/extract.h"

#define MAGIC      "DL1"
#define MAGIC_LEN  3
#define CHAR_BYTES 8

static guint16
normalise (float  v,
           double extent)
{
  double t = extent > 0 ? v / extent : 0;

  /* Also catches NaN, which fails every comparison. */
  if (!(t > 0))
    return 0;
  if (t >= 1)
    return G_MAXUINT16;
  return (guint16) lround (t * G_MAXUINT16);
}

static void
put_u16 (guint8  *p,
         guint16  v)
{
  p[0] = v & 0xFF;
  p[1] = v >> 8;
}

static guint16
get_u16 (const guint8 *p)
{
  return (guint16) (p[0] | (p[1] << 8));
}

GBytes *
docent_layout_encode (const GArray *boxes,
                      double        width,
                      double        height)
{
  guint n = boxes != NULL ? boxes->len : 0;
  gsize size = MAGIC_LEN + (gsize) n * CHAR_BYTES;
  guint8 *blob = g_malloc (size);

  memcpy (blob, MAGIC, MAGIC_LEN);
  for (guint i = 0; i < n; i++)
    {
      const DocentBox *b = &g_array_index (boxes, DocentBox, i);
      guint8 *p = blob + MAGIC_LEN + (gsize) i * CHAR_BYTES;

      put_u16 (p, normalise (b->x1, width));
      put_u16 (p + 2, normalise (b->y1, height));
      put_u16 (p + 4, normalise (b->x2, width));
      put_u16 (p + 6, normalise (b->y2, height));
    }
  return g_bytes_new_take (blob, size);
}

static DocentBox
decode_box (const guint8 *p,
            double        width,
            double        height)
{
  DocentBox b;

  b.x1 = get_u16 (p) * width / G_MAXUINT16;
  b.y1 = get_u16 (p + 2) * height / G_MAXUINT16;
  b.x2 = get_u16 (p + 4) * width / G_MAXUINT16;
  b.y2 = get_u16 (p + 6) * height / G_MAXUINT16;
  return b;
}

/* Same line: the bottoms (baseline plus the font's descent) agree within
 * 30% of the line height, and the box starts within that tolerance of the
 * rectangle's horizontal extent: a gap wider than that is another column
 * and a jump back to the left is another line. */
static gboolean
continues_line (const DocentBox *rect,
                const DocentBox *b)
{
  float h = MAX (rect->y2 - rect->y1, b->y2 - b->y1);
  float tolerance = MAX (h * 0.3f, 0.5f);

  return fabsf (b->y2 - rect->y2) <= tolerance &&
         b->x1 <= rect->x2 + tolerance &&
         b->x1 >= rect->x1 - tolerance;
}

GArray *
docent_layout_rects (GBytes  *layout,
                     double   width,
                     double   height,
                     guint    char_start,
                     guint    char_end,
                     GError **error)
{
  gsize size = 0;
  const guint8 *data = layout != NULL ? g_bytes_get_data (layout, &size) : NULL;
  GArray *rects;
  gsize n;
  gboolean open = FALSE;
  DocentBox current = { 0, 0, 0, 0 };

  if (data == NULL || size < MAGIC_LEN || memcmp (data, MAGIC, MAGIC_LEN) != 0)
    {
      g_set_error_literal (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_CORRUPT,
                           "damaged layout data: not a DL1 blob");
      return NULL;
    }
  if ((size - MAGIC_LEN) % CHAR_BYTES != 0)
    {
      g_set_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_CORRUPT,
                   "damaged layout data: %" G_GSIZE_FORMAT " bytes is not a whole "
                   "number of characters", size - MAGIC_LEN);
      return NULL;
    }
  if (!isfinite (width) || !isfinite (height) || width < 0 || height < 0)
    width = height = 0;

  n = (size - MAGIC_LEN) / CHAR_BYTES;
  char_end = MIN (char_end, n);
  char_start = MIN (char_start, char_end);
  rects = g_array_new (FALSE, FALSE, sizeof (DocentBox));
  for (gsize i = char_start; i < char_end; i++)
    {
      DocentBox b = decode_box (data + MAGIC_LEN + i * CHAR_BYTES, width, height);

      /* Line breaks and other characters without ink have no area. */
      if (b.x2 <= b.x1 || b.y2 <= b.y1)
        continue;
      if (open && continues_line (&current, &b))
        {
          current.x1 = MIN (current.x1, b.x1);
          current.y1 = MIN (current.y1, b.y1);
          current.x2 = MAX (current.x2, b.x2);
          current.y2 = MAX (current.y2, b.y2);
          continue;
        }
      if (open)
        g_array_append_val (rects, current);
      current = b;
      open = TRUE;
    }
  if (open)
    g_array_append_val (rects, current);
  return rects;
}
