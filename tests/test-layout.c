/* test-layout.c — the DL1 layout blob: encoding precision, merging of
 * character boxes into line rectangles, span clamping, damaged blobs. */
#include <math.h>
#include <string.h>

#include "ingest/extract.h"
#include "ingest/layout.h"

#define WIDTH  595.0
#define HEIGHT 842.0
/* Half a unit of 1/65535 of the page's larger side. */
#define PRECISION (HEIGHT / 65535.0 / 2 + 1e-4)

static void
add_box (GArray *boxes,
         float   x1,
         float   y1,
         float   x2,
         float   y2)
{
  DocentBox b = { x1, y1, x2, y2 };

  g_array_append_val (boxes, b);
}

/* Boxes as Poppler lays out a line of text: 6 pt per character from x,
 * spaces included, and a zero-size box at the end of the line for '\n'. */
static void
add_line (GArray     *boxes,
          const char *text,
          float       x,
          float       top,
          float       bottom,
          gboolean    newline)
{
  for (const char *p = text; *p != '\0'; p++, x += 6)
    add_box (boxes, x, top, x + 6, bottom);
  if (newline)
    add_box (boxes, x, bottom, x, bottom);
}

static void
assert_box (const DocentBox *b,
            double           x1,
            double           y1,
            double           x2,
            double           y2)
{
  g_assert_cmpfloat_with_epsilon (b->x1, x1, PRECISION);
  g_assert_cmpfloat_with_epsilon (b->y1, y1, PRECISION);
  g_assert_cmpfloat_with_epsilon (b->x2, x2, PRECISION);
  g_assert_cmpfloat_with_epsilon (b->y2, y2, PRECISION);
}

static GArray *
rects_ok (GBytes *blob,
          guint   start,
          guint   end)
{
  g_autoptr(GError) error = NULL;
  GArray *rects = docent_layout_rects (blob, WIDTH, HEIGHT, start, end, &error);

  g_assert_no_error (error);
  g_assert_nonnull (rects);
  return rects;
}

static void
test_round_trip (void)
{
  g_autoptr(GArray) boxes = g_array_new (FALSE, FALSE, sizeof (DocentBox));
  g_autoptr(GBytes) blob = NULL;
  const guint8 *data;
  gsize size;
  guint32 state = 12345;

  for (guint i = 0; i < 500; i++)
    {
      float x, y, w, h;

      state = state * 1103515245 + 12345;
      x = (state >> 8) % 50000 / 100.0f;
      state = state * 1103515245 + 12345;
      y = (state >> 8) % 80000 / 100.0f;
      w = 1 + i % 9;
      h = 8 + i % 13;
      add_box (boxes, x, y, x + w, y + h);
    }
  blob = docent_layout_encode (boxes, WIDTH, HEIGHT);
  data = g_bytes_get_data (blob, &size);
  g_assert_cmpuint (size, ==, 3 + 8 * boxes->len);
  g_assert_cmpmem (data, 3, "DL1", 3);

  for (guint i = 0; i < boxes->len; i++)
    {
      g_autoptr(GArray) rects = rects_ok (blob, i, i + 1);
      const DocentBox *b = &g_array_index (boxes, DocentBox, i);

      g_assert_cmpuint (rects->len, ==, 1);
      assert_box (&g_array_index (rects, DocentBox, 0), b->x1, b->y1, b->x2, b->y2);
    }
}

static void
test_little_endian (void)
{
  g_autoptr(GArray) boxes = g_array_new (FALSE, FALSE, sizeof (DocentBox));
  g_autoptr(GBytes) blob = NULL;
  const guint8 *data;

  add_box (boxes, 0, HEIGHT / 2, WIDTH, HEIGHT);
  blob = docent_layout_encode (boxes, WIDTH, HEIGHT);
  data = g_bytes_get_data (blob, NULL);
  /* x1 = 0, y1 = half (32768 = 0x8000 after rounding 32767.5), x2 = y2 = 0xFFFF */
  g_assert_cmpuint (data[3], ==, 0x00);
  g_assert_cmpuint (data[4], ==, 0x00);
  g_assert_cmpuint (data[5] | (data[6] << 8), ==, 32768);
  g_assert_cmpuint (data[7], ==, 0xFF);
  g_assert_cmpuint (data[8], ==, 0xFF);
  g_assert_cmpuint (data[9], ==, 0xFF);
  g_assert_cmpuint (data[10], ==, 0xFF);
}

static void
test_merge_lines (void)
{
  g_autoptr(GArray) boxes = g_array_new (FALSE, FALSE, sizeof (DocentBox));
  g_autoptr(GBytes) blob = NULL;
  g_autoptr(GArray) rects = NULL;
  g_autoptr(GArray) whole = NULL;

  /* "hello world\nsecond line": 'w' is char 6, "second" starts at 12. */
  add_line (boxes, "hello world", 72, 100, 112.8f, TRUE);
  add_line (boxes, "second line", 72, 114.3f, 127.1f, FALSE);
  blob = docent_layout_encode (boxes, WIDTH, HEIGHT);

  rects = rects_ok (blob, 6, 18);
  g_assert_cmpuint (rects->len, ==, 2);
  assert_box (&g_array_index (rects, DocentBox, 0), 72 + 6 * 6, 100, 72 + 11 * 6, 112.8);
  assert_box (&g_array_index (rects, DocentBox, 1), 72, 114.3, 72 + 6 * 6, 127.1);

  whole = rects_ok (blob, 0, G_MAXUINT);
  g_assert_cmpuint (whole->len, ==, 2);
  assert_box (&g_array_index (whole, DocentBox, 1), 72, 114.3, 72 + 11 * 6, 127.1);
}

static void
test_merge_same_baseline (void)
{
  g_autoptr(GArray) boxes = g_array_new (FALSE, FALSE, sizeof (DocentBox));
  g_autoptr(GBytes) blob = NULL;
  g_autoptr(GArray) columns = NULL;
  g_autoptr(GArray) mixed = NULL;

  /* Two columns on the same baseline are two rectangles... */
  add_line (boxes, "left", 72, 100, 112, FALSE);
  add_line (boxes, "right", 308, 100, 112, FALSE);
  /* ...and a bold word one point taller on the same baseline is not. */
  add_line (boxes, "a", 72, 200, 212, FALSE);
  add_box (boxes, 78, 199, 90, 212.5f);
  add_line (boxes, "b", 90, 200, 212, FALSE);
  blob = docent_layout_encode (boxes, WIDTH, HEIGHT);

  columns = rects_ok (blob, 0, 9);
  g_assert_cmpuint (columns->len, ==, 2);
  assert_box (&g_array_index (columns, DocentBox, 0), 72, 100, 96, 112);
  assert_box (&g_array_index (columns, DocentBox, 1), 308, 100, 338, 112);

  mixed = rects_ok (blob, 9, 12);
  g_assert_cmpuint (mixed->len, ==, 1);
  assert_box (&g_array_index (mixed, DocentBox, 0), 72, 199, 96, 212.5);
}

static void
test_clamp (void)
{
  g_autoptr(GArray) boxes = g_array_new (FALSE, FALSE, sizeof (DocentBox));
  g_autoptr(GBytes) blob = NULL;
  g_autoptr(GArray) tail = NULL;
  g_autoptr(GArray) past = NULL;
  g_autoptr(GArray) reversed = NULL;
  g_autoptr(GArray) newline = NULL;
  g_autoptr(GArray) outside = NULL;

  add_line (boxes, "abc", 72, 100, 112, TRUE);
  add_line (boxes, "de", 72, 120, 132, FALSE);
  add_box (boxes, -50, -10, 700, NAN);
  blob = docent_layout_encode (boxes, WIDTH, HEIGHT);

  /* The hostile last box has its NaN bottom stored as 0: no area. */
  tail = rects_ok (blob, 4, 1000);
  g_assert_cmpuint (tail->len, ==, 1);
  assert_box (&g_array_index (tail, DocentBox, 0), 72, 120, 84, 132);

  past = rects_ok (blob, 50, 100);
  g_assert_cmpuint (past->len, ==, 0);
  reversed = rects_ok (blob, 3, 1);
  g_assert_cmpuint (reversed->len, ==, 0);
  newline = rects_ok (blob, 3, 4);
  g_assert_cmpuint (newline->len, ==, 0);

  g_array_set_size (boxes, 0);
  add_box (boxes, -50, -10, 700, 900);
  g_bytes_unref (blob);
  blob = docent_layout_encode (boxes, WIDTH, HEIGHT);
  outside = rects_ok (blob, 0, 1);
  g_assert_cmpuint (outside->len, ==, 1);
  assert_box (&g_array_index (outside, DocentBox, 0), 0, 0, WIDTH, HEIGHT);
}

static void
test_empty (void)
{
  g_autoptr(GArray) boxes = g_array_new (FALSE, FALSE, sizeof (DocentBox));
  g_autoptr(GBytes) blob = docent_layout_encode (boxes, WIDTH, HEIGHT);
  g_autoptr(GArray) rects = NULL;

  g_assert_cmpuint (g_bytes_get_size (blob), ==, 3);
  rects = rects_ok (blob, 0, 10);
  g_assert_cmpuint (rects->len, ==, 0);
}

static void
assert_damaged (const void *data,
                gsize       len)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) blob = g_bytes_new (data, len);
  GArray *rects = docent_layout_rects (blob, WIDTH, HEIGHT, 0, 10, &error);

  g_assert_null (rects);
  g_assert_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_CORRUPT);
  g_assert_true (g_str_has_prefix (error->message, "damaged layout data"));
}

static void
test_damaged (void)
{
  g_autoptr(GError) error = NULL;
  guint8 good[3 + 16] = "DL1";

  assert_damaged ("", 0);
  assert_damaged ("DL", 2);
  assert_damaged ("DL2\0\0\0\0\0\0\0\0", 11);
  assert_damaged ("XYZ", 3);
  assert_damaged (good, sizeof good - 1);
  assert_damaged (good, sizeof good - 7);

  g_assert_null (docent_layout_rects (NULL, WIDTH, HEIGHT, 0, 1, &error));
  g_assert_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_CORRUPT);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/layout/round-trip", test_round_trip);
  g_test_add_func ("/layout/little-endian", test_little_endian);
  g_test_add_func ("/layout/merge-lines", test_merge_lines);
  g_test_add_func ("/layout/merge-same-baseline", test_merge_same_baseline);
  g_test_add_func ("/layout/clamp", test_clamp);
  g_test_add_func ("/layout/empty", test_empty);
  g_test_add_func ("/layout/damaged", test_damaged);
  return g_test_run ();
}
