/* pdf.c — PDF extraction through Poppler: per page the text with one box
 * per character, paragraphs recovered from the vertical gaps between
 * lines, blocks put in reading order (Poppler's selection order reads
 * side-by-side columns row by row when their paragraphs line up), headings
 * from font sizes, and the title from the metadata. Pages without usable
 * text (scans, broken font encodings) are rendered and read by OCR.
 *
 * All Poppler calls on a page use the same area so they share the TextPage
 * poppler-glib caches per PopplerPage: the page is laid out once. */
#include "ingest/pdf.h"

#include <math.h>
#include <poppler.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ingest/ocr.h"

/* A line is a heading candidate when its letters are this much taller than
 * the page's body text, and a heading when its font size is this much
 * larger than the body's. */
#define CANDIDATE_RATIO    1.15
#define HEADING_RATIO      1.25
#define HEADING_MAX_CHARS  120
#define HEADING_MAX_MERGED 200
/* Below this many characters a page says little about the body size. */
#define MIN_BODY_CHARS     200
/* A gap between lines this much larger than the usual one ends a paragraph. */
#define PARAGRAPH_RATIO    1.35
#define MAX_BIDI_DEPTH     64
/* Past this many blocks on a page, keep Poppler's order: the reading
 * order pass is cubic in the number of blocks. */
#define MAX_ORDERED_BLOCKS 150
/* OCR: pages are rendered at OCR_DPI, less for pages so large that this
 * would pass OCR_MAX_PIXELS. A page with little text (fewer than
 * DOCENT_OCR_MIN_LETTERS letters) is read when pictures cover
 * OCR_SPARSE_COVERAGE of it, one with fewer than OCR_SCAN_LETTERS letters
 * (a stamp or a header over a scan) when pictures cover OCR_SCAN_COVERAGE;
 * a page without any text and without pictures (text drawn as outlines?)
 * is read when its rendering at OCR_INK_DPI has ink. OCR's text replaces the page's when
 * it has twice the letters and ten more (any letters when the page had
 * none, any readable text when the page's was garbage), with a mean
 * confidence of at least OCR_MIN_CONFIDENCE. */
#define OCR_DPI             300.0
#define OCR_INK_DPI         50.0
#define OCR_MAX_PIXELS      (40.0 * 1000 * 1000)
#define OCR_SPARSE_COVERAGE 0.25
#define OCR_SCAN_LETTERS    200
#define OCR_SCAN_COVERAGE   0.6
#define OCR_MIN_CONFIDENCE  30.0

typedef struct {
  gunichar c;
  gint rect;      /* index in Poppler's rectangles, -1 for none */
  DocentBox box;
  float size;     /* box height, or font size once attributes are read */
  guint space : 1;
  guint visible : 1;
} PdfChar;

/* What goes between a fragment and the one before it in the text. */
typedef enum {
  SEP_LINE,     /* '\n': the next line of a block */
  SEP_BLOCK,    /* "\n\n": a new paragraph, heading, column or frame */
  SEP_SPACE,    /* ' ': the next line of a heading */
} Separator;

/* A line of text as Poppler gives it, or the part of one on one side of a
 * column gap. */
typedef struct {
  guint first;    /* first visible char */
  guint end;      /* after the last visible char */
  guint n_visible;
  float x1, y1, x2, y2;
  float max_height;
  float size;
  gboolean candidate;
  gboolean heading;
  Separator join;
} Line;

typedef struct {
  guint first;    /* first fragment */
  guint n;
  float x1, y1, x2, y2;
} Block;

typedef struct {
  float value;
  guint weight;
} Sample;

typedef struct {
  guint page;     /* index in doc->pages */
  guint heading;  /* index in page->headings */
  float size;
} PendingHeading;

typedef struct {
  DocentExtracted *doc;
  const DocentExtractOptions *opts;
  GArray *pending;       /* of PendingHeading */
  float body_height;     /* from the last page with enough text, 0 if none */
  float body_font;
} Extraction;

/* Bidi format characters carry nothing for reading or search. */
static gboolean
is_bidi_mark (gunichar c)
{
  return c == 0x200E || c == 0x200F || (c >= 0x202A && c <= 0x202E) ||
         (c >= 0x2066 && c <= 0x2069);
}

/* The embeddings Poppler itself wraps right-to-left runs in: they are in
 * the text but have no rectangle in the layout. */
static gboolean
is_embedding (gunichar c)
{
  return c == 0x202A || c == 0x202B || c == 0x202C;
}

static gboolean
is_control (gunichar c)
{
  return (c < 0x20 && c != '\t' && c != '\n') || (c >= 0x7F && c < 0xA0);
}

static gboolean
has_area (const DocentBox *box)
{
  return box->x2 > box->x1 && box->y2 > box->y1;
}

static float
finite_or_zero (double v)
{
  return isfinite (v) && fabs (v) < 1e7 ? (float) v : 0.f;
}

static DocentBox
box_from_rect (const PopplerRectangle *r)
{
  DocentBox box;
  float x1 = finite_or_zero (r->x1), x2 = finite_or_zero (r->x2);
  float y1 = finite_or_zero (r->y1), y2 = finite_or_zero (r->y2);

  /* Poppler gives inverted rectangles for spaces in right-to-left text. */
  box.x1 = MIN (x1, x2);
  box.x2 = MAX (x1, x2);
  box.y1 = MIN (y1, y2);
  box.y2 = MAX (y1, y2);
  return box;
}

/* Poppler's UTF-8 counts one character for whatever it encoded, even a
 * malformed sequence; count the same way so the boxes stay aligned. */
static gunichar
next_code_point (const char **p,
                 const char  *end)
{
  const guchar *s = (const guchar *) *p;
  gunichar c = g_utf8_get_char_validated (*p, end - *p);
  gsize n = 1;

  if (c < 0x110000)
    {
      *p = g_utf8_next_char (*p);
      return c;
    }
  while (n < 4 && s + n < (const guchar *) end && (s[n] & 0xC0) == 0x80)
    n++;
  *p += n;
  return 0xFFFD;
}

static gboolean
is_space (gunichar c)
{
  if (c < 0x80)
    return c == ' ' || (c >= '\t' && c <= '\r');
  return g_unichar_isspace (c);
}

static GArray *
decode_text (const char *text)
{
  gsize len = strlen (text);
  GArray *chars = g_array_sized_new (FALSE, TRUE, sizeof (PdfChar), len);
  const char *p = text, *end = text + len;

  while (p < end)
    {
      PdfChar ch = { 0, -1, { 0, 0, 0, 0 }, 0, 0, 0 };

      if ((guchar) *p < 0x80)
        ch.c = (guchar) *p++;
      else
        ch.c = next_code_point (&p, end);
      ch.space = is_space (ch.c);
      ch.visible = !ch.space && !is_bidi_mark (ch.c) && !is_control (ch.c);
      g_array_append_val (chars, ch);
    }
  return chars;
}

static void
assign_rect (PdfChar                *ch,
             const PopplerRectangle *rects,
             guint                   n_rects,
             guint                   r)
{
  if (r < n_rects)
    {
      ch->rect = r;
      ch->box = box_from_rect (&rects[r]);
    }
}

static void
assign_segment (GArray                 *chars,
                guint                   start,
                guint                   len,
                gboolean                rtl,
                const PopplerRectangle *rects,
                guint                   n_rects,
                guint                  *next_rect)
{
  for (guint j = 0; j < len; j++)
    assign_rect (&g_array_index (chars, PdfChar, start + j), rects, n_rects,
                 *next_rect + (rtl ? len - 1 - j : j));
  *next_rect += len;
}

/* One rectangle per character but Poppler's embeddings, in order, except
 * that the rectangles of a right-to-left run go left to right while the
 * text has the run in logical order. */
static void
align_in_order (GArray                 *chars,
                const PopplerRectangle *rects,
                guint                   n_rects)
{
  gboolean rtl_stack[MAX_BIDI_DEPTH];
  guint depth = 0, overflow = 0, next_rect = 0;
  guint seg_start = 0, seg_len = 0;
  gboolean seg_rtl = FALSE;

  for (guint i = 0; i < chars->len; i++)
    {
      gunichar c = g_array_index (chars, PdfChar, i).c;
      gboolean rtl = depth > 0 && rtl_stack[depth - 1];

      if (is_embedding (c) || c == '\n' || (seg_len > 0 && rtl != seg_rtl))
        {
          assign_segment (chars, seg_start, seg_len, seg_rtl, rects, n_rects, &next_rect);
          seg_len = 0;
        }
      if (c == 0x202C)
        {
          if (overflow > 0)
            overflow--;
          else if (depth > 0)
            depth--;
          continue;
        }
      if (is_embedding (c))
        {
          if (depth < MAX_BIDI_DEPTH)
            rtl_stack[depth++] = c == 0x202B;
          else
            overflow++;
          continue;
        }
      if (seg_len == 0)
        {
          seg_start = i;
          seg_rtl = rtl && c != '\n';
        }
      seg_len++;
    }
  assign_segment (chars, seg_start, seg_len, seg_rtl, rects, n_rects, &next_rect);
}

/* Where a line of Poppler's layout ends: at the zero-size rectangle of its
 * line break. */
static guint
rect_line_end (const PopplerRectangle *rects,
               guint                   n_rects,
               guint                   start)
{
  for (guint r = start; r < n_rects; r++)
    if (rects[r].x1 == rects[r].x2 && rects[r].y1 == rects[r].y2)
      return r;
  return n_rects;
}

/* The counts disagree (a NUL in the text cuts Poppler's string short, for
 * one): pair the text's lines with the layout's and each line's
 * characters in order; characters left over get an empty box where the
 * last one ended. Never reads past either array. */
static void
align_by_lines (GArray                 *chars,
                const PopplerRectangle *rects,
                guint                   n_rects)
{
  guint r = 0, line_end = rect_line_end (rects, n_rects, 0);
  DocentBox last = { 0, 0, 0, 0 };

  for (guint i = 0; i < chars->len; i++)
    {
      PdfChar *ch = &g_array_index (chars, PdfChar, i);

      if (is_embedding (ch->c))
        continue;
      if (ch->c == '\n')
        r = line_end;
      if (r < n_rects && (r < line_end || ch->c == '\n'))
        {
          assign_rect (ch, rects, n_rects, r++);
          last = ch->box;
        }
      else
        ch->box = (DocentBox) { last.x2, last.y2, last.x2, last.y2 };
      if (ch->c == '\n')
        line_end = rect_line_end (rects, n_rects, r);
    }
}

static void
align_boxes (GArray                 *chars,
             const PopplerRectangle *rects,
             guint                   n_rects)
{
  guint n_embeddings = 0;

  for (guint i = 0; i < chars->len; i++)
    if (is_embedding (g_array_index (chars, PdfChar, i).c))
      n_embeddings++;
  if (chars->len - n_embeddings == n_rects)
    align_in_order (chars, rects, n_rects);
  else
    align_by_lines (chars, rects, n_rects);
}

/* A jump across a gap that no word space explains means Poppler joined two
 * columns or frames into one line. */
static gboolean
is_column_gap (const PdfChar *prev,
               const PdfChar *next,
               gboolean       spaced)
{
  float h = MAX (prev->size, next->size);

  return next->box.x1 - prev->box.x2 > (spaced ? 2.0f : 0.5f) * h;
}

static void
fragment_reset (Line  *line,
                guint  first)
{
  *line = (Line) { .first = first, .end = first };
  line->x1 = line->y1 = G_MAXFLOAT;
  line->x2 = line->y2 = -G_MAXFLOAT;
}

static void
fragment_add (Line          *line,
              const PdfChar *ch,
              guint          index)
{
  line->n_visible++;
  line->end = index + 1;
  if (!has_area (&ch->box))
    return;
  line->x1 = MIN (line->x1, ch->box.x1);
  line->y1 = MIN (line->y1, ch->box.y1);
  line->x2 = MAX (line->x2, ch->box.x2);
  line->y2 = MAX (line->y2, ch->box.y2);
  line->max_height = MAX (line->max_height, ch->size);
}

static void
fragment_close (GArray *lines,
                Line   *line)
{
  /* A fragment of zero boxes only (a line the alignment could not place)
   * still needs a position. */
  if (line->x1 > line->x2)
    line->x1 = line->y1 = line->x2 = line->y2 = 0;
  if (line->n_visible > 0)
    g_array_append_val (lines, *line);
}

/* The lines of Poppler's text, cut where they cross a column gap, without
 * leading or trailing spaces; lines of spaces only are dropped. */
static GArray *
split_fragments (GArray *chars)
{
  GArray *lines = g_array_new (FALSE, TRUE, sizeof (Line));
  const PdfChar *last = NULL;
  gboolean spaced = FALSE;
  Line line;

  fragment_reset (&line, 0);
  for (guint i = 0; i < chars->len; i++)
    {
      PdfChar *ch = &g_array_index (chars, PdfChar, i);

      ch->size = ch->box.y2 - ch->box.y1;
      if (ch->c == '\n')
        {
          fragment_close (lines, &line);
          fragment_reset (&line, i + 1);
          last = NULL;
          spaced = FALSE;
          continue;
        }
      if (!ch->visible)
        {
          spaced |= ch->space;
          continue;
        }
      if (has_area (&ch->box))
        {
          if (last != NULL && is_column_gap (last, ch, spaced))
            {
              fragment_close (lines, &line);
              fragment_reset (&line, i);
            }
          last = ch;
        }
      if (line.n_visible == 0)
        line.first = i;
      fragment_add (&line, ch, i);
      spaced = FALSE;
    }
  fragment_close (lines, &line);
  return lines;
}

static int
compare_samples (const void *a,
                 const void *b)
{
  float x = ((const Sample *) a)->value, y = ((const Sample *) b)->value;

  return (x > y) - (x < y);
}

/* The weighted median of the samples (sorted in place), 0 if none. */
static float
weighted_median (GArray *samples)
{
  guint64 total = 0, seen = 0;

  for (guint i = 0; i < samples->len; i++)
    total += g_array_index (samples, Sample, i).weight;
  if (total == 0)
    return 0;
  g_array_sort (samples, compare_samples);
  for (guint i = 0; i < samples->len; i++)
    {
      seen += g_array_index (samples, Sample, i).weight;
      if (2 * seen >= total)
        return g_array_index (samples, Sample, i).value;
    }
  return 0;
}

/* The size of most of the page's visible characters; runs of equal sizes
 * (a word shares one) become one sample to keep the sort short. */
static float
body_size (GArray *chars,
           guint  *n_visible)
{
  g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (Sample));
  Sample run = { -1, 0 };

  *n_visible = 0;
  for (guint i = 0; i < chars->len; i++)
    {
      const PdfChar *ch = &g_array_index (chars, PdfChar, i);

      if (!ch->visible || ch->size <= 0)
        continue;
      (*n_visible)++;
      if (ch->size == run.value)
        {
          run.weight++;
          continue;
        }
      if (run.weight > 0)
        g_array_append_val (samples, run);
      run = (Sample) { ch->size, 1 };
    }
  if (run.weight > 0)
    g_array_append_val (samples, run);
  return weighted_median (samples);
}

static float
line_size (GArray     *chars,
           const Line *line)
{
  g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (Sample));

  for (guint i = line->first; i < line->end; i++)
    {
      const PdfChar *ch = &g_array_index (chars, PdfChar, i);
      Sample s = { ch->size, 1 };

      if (ch->visible && ch->size > 0)
        g_array_append_val (samples, s);
    }
  return weighted_median (samples);
}

static float
reference_size (float    page_size,
                guint    n_visible,
                float   *doc_size)
{
  if (n_visible >= MIN_BODY_CHARS || *doc_size <= 0)
    {
      if (n_visible >= MIN_BODY_CHARS)
        *doc_size = page_size;
      return page_size;
    }
  return *doc_size;
}

/* Marks heading candidates from the box heights alone; only when there are
 * any does the page pay for Poppler's text attributes. */
static gboolean
find_candidates (GArray     *chars,
                 GArray     *lines,
                 Extraction *ex)
{
  guint n_visible = 0;
  float body = reference_size (body_size (chars, &n_visible), n_visible, &ex->body_height);
  gboolean any = FALSE;

  if (body <= 0)
    return FALSE;
  for (guint i = 0; i < lines->len; i++)
    {
      Line *line = &g_array_index (lines, Line, i);

      line->candidate = line->n_visible < HEADING_MAX_CHARS &&
                        line->max_height >= CANDIDATE_RATIO * body;
      any |= line->candidate;
    }
  return any;
}

static void
apply_font_sizes (GArray *chars,
                  GList  *attributes,
                  guint   n_rects)
{
  g_autofree float *rect_size = g_new0 (float, MAX (n_rects, 1));

  for (GList *l = attributes; l != NULL; l = l->next)
    {
      const PopplerTextAttributes *a = l->data;
      float size = finite_or_zero (a->font_size);

      if (a->start_index < 0)
        continue;
      for (gint64 k = a->start_index; k <= a->end_index && k < n_rects; k++)
        rect_size[k] = size;
    }
  for (guint i = 0; i < chars->len; i++)
    {
      PdfChar *ch = &g_array_index (chars, PdfChar, i);

      ch->size = ch->rect >= 0 && (guint) ch->rect < n_rects ? rect_size[ch->rect] : 0;
    }
}

static void
find_headings (PopplerPage      *page,
               PopplerRectangle *area,
               GArray           *chars,
               GArray           *lines,
               guint             n_rects,
               Extraction       *ex)
{
  GList *attributes;
  guint n_visible = 0;
  float body;
  float *doc_size = &ex->body_height;

  if (!find_candidates (chars, lines, ex))
    return;
  attributes = poppler_page_get_text_attributes_for_area (page, area);
  if (attributes != NULL)
    {
      apply_font_sizes (chars, attributes, n_rects);
      poppler_page_free_text_attributes (attributes);
      doc_size = &ex->body_font;
    }
  body = reference_size (body_size (chars, &n_visible), n_visible, doc_size);
  if (body <= 0)
    return;
  for (guint i = 0; i < lines->len; i++)
    {
      Line *line = &g_array_index (lines, Line, i);

      if (!line->candidate)
        continue;
      line->size = line_size (chars, line);
      line->heading = line->size >= HEADING_RATIO * body;
    }
}

/* The usual distance from one line's bottom to the next one's among lines
 * of the same height, 0 when the page has too few lines to tell. */
static float
usual_pitch (GArray *lines)
{
  g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (Sample));

  for (guint i = 1; i < lines->len; i++)
    {
      const Line *a = &g_array_index (lines, Line, i - 1);
      const Line *b = &g_array_index (lines, Line, i);
      float h = MAX (a->max_height, b->max_height);
      Sample s = { b->y2 - a->y2, 1 };

      if (a->heading || b->heading || fabsf (a->max_height - b->max_height) > 0.15f * h)
        continue;
      if (s.value > 0 && s.value < 3 * h)
        g_array_append_val (samples, s);
    }
  return weighted_median (samples);
}

static gboolean
same_heading (const Line *a,
              const Line *b,
              guint       merged_chars)
{
  float h = MAX (a->max_height, b->max_height);

  return a->heading && b->heading &&
         fabsf (a->size - b->size) <= 0.05f * MAX (a->size, b->size) &&
         b->y1 >= a->y1 && b->y1 - a->y2 < 0.5f * h &&
         merged_chars + b->n_visible < HEADING_MAX_MERGED;
}

static Separator
separator (const Line *a,
           const Line *b,
           float       pitch,
           guint       merged_chars)
{
  float h = MAX (a->max_height, b->max_height);

  if (a->heading || b->heading)
    return same_heading (a, b, merged_chars) ? SEP_SPACE : SEP_BLOCK;
  /* Moving up the page or sideways past the line: a new column or frame. */
  if (b->y1 < a->y1 - 0.5f * a->max_height || b->x1 >= a->x2 || b->x2 <= a->x1)
    return SEP_BLOCK;
  if (pitch > 0)
    return b->y2 - a->y2 > PARAGRAPH_RATIO * MAX (pitch, h) ? SEP_BLOCK : SEP_LINE;
  return b->y1 - a->y2 > 0.6f * h ? SEP_BLOCK : SEP_LINE;
}

static const char *
ligature_expansion (gunichar c)
{
  static const char *const table[] = { "ff", "fi", "fl", "ffi", "ffl", "st", "st" };

  if (c >= 0xFB00 && c <= 0xFB06)
    return table[c - 0xFB00];
  return NULL;
}

static void
append_char (DocentPage      *page,
             gunichar         c,
             const DocentBox *box)
{
  const char *expansion = ligature_expansion (c);

  if (c == '\t')
    c = ' ';
  if (is_bidi_mark (c) || is_control (c))
    return;
  if (expansion != NULL)
    {
      /* One box per character: the ligature's box is shared out. */
      gsize n = strlen (expansion);
      float w = (box->x2 - box->x1) / n;

      for (gsize i = 0; i < n; i++)
        {
          DocentBox part = { box->x1 + w * i, box->y1, box->x1 + w * (i + 1), box->y2 };

          g_string_append_c (page->text, expansion[i]);
          g_array_append_val (page->boxes, part);
        }
      return;
    }
  if (c < 0x80)
    g_string_append_c (page->text, (char) c);
  else
    g_string_append_unichar (page->text, c);
  g_array_append_val (page->boxes, *box);
}

static void
append_separator (DocentPage *page,
                  const Line *prev,
                  Separator   sep)
{
  DocentBox box = { prev->x2, prev->y2, prev->x2, prev->y2 };

  switch (sep)
    {
    case SEP_BLOCK:
      append_char (page, '\n', &box);
      append_char (page, '\n', &box);
      break;
    case SEP_LINE:
      append_char (page, '\n', &box);
      break;
    case SEP_SPACE:
    default:
      append_char (page, ' ', &box);
      break;
    }
}

static void
add_heading (Extraction *ex,
             DocentPage *page,
             gsize       start,
             float       size)
{
  DocentHeading heading = { start, page->text->len, 1 };
  PendingHeading pending = { page->page_no - 1, page->headings->len, size };

  g_array_append_val (page->headings, heading);
  g_array_append_val (ex->pending, pending);
}

static void
block_add (Block      *block,
           const Line *line)
{
  block->x1 = MIN (block->x1, line->x1);
  block->y1 = MIN (block->y1, line->y1);
  block->x2 = MAX (block->x2, line->x2);
  block->y2 = MAX (block->y2, line->y2);
  block->n++;
}

/* Consecutive fragments that continue each other form a block. */
static GArray *
group_blocks (GArray *lines)
{
  GArray *blocks = g_array_new (FALSE, FALSE, sizeof (Block));
  float pitch = usual_pitch (lines);
  guint merged = 0;
  Block block = { 0 };

  for (guint i = 0; i < lines->len; i++)
    {
      Line *line = &g_array_index (lines, Line, i);

      line->join = i > 0 ? separator (line - 1, line, pitch, merged) : SEP_BLOCK;
      if (line->join == SEP_BLOCK)
        {
          if (i > 0)
            g_array_append_val (blocks, block);
          block = (Block) { i, 0, line->x1, line->y1, line->x2, line->y2 };
          merged = 0;
        }
      merged += line->n_visible;
      block_add (&block, line);
    }
  if (lines->len > 0)
    g_array_append_val (blocks, block);
  return blocks;
}

static gboolean
overlap_x (const Block *a,
           const Block *b)
{
  return MIN (a->x2, b->x2) > MAX (a->x1, b->x1);
}

static float
center_y (const Block *b)
{
  return (b->y1 + b->y2) / 2;
}

/* The reading order rules of T. Breuel's "High performance document
 * layout analysis" (2003): a block above another that shares some of its
 * horizontal extent comes first; a block wholly left of another comes
 * first unless a block between them vertically spans both (a title over
 * two columns). The second rule only applies when one of the two is a
 * paragraph of several lines, so table cells keep Poppler's row order. */
static gboolean
comes_before (GArray *blocks,
              guint   i,
              guint   j)
{
  const Block *a = &g_array_index (blocks, Block, i);
  const Block *b = &g_array_index (blocks, Block, j);
  float lo, hi;

  if (overlap_x (a, b))
    return center_y (a) < center_y (b);
  if (a->x2 > b->x1 || (a->n < 2 && b->n < 2))
    return FALSE;
  lo = MIN (center_y (a), center_y (b));
  hi = MAX (center_y (a), center_y (b));
  for (guint k = 0; k < blocks->len; k++)
    {
      const Block *c = &g_array_index (blocks, Block, k);

      if (k != i && k != j && center_y (c) > lo && center_y (c) < hi &&
          overlap_x (c, a) && overlap_x (c, b))
        return FALSE;
    }
  return TRUE;
}

/* The blocks in reading order: a topological sort of comes_before that
 * keeps Poppler's order wherever the rules leave a choice (and breaks any
 * cycle the same way). */
static guint *
order_blocks (GArray *blocks)
{
  guint n = blocks->len;
  guint *order = g_new (guint, MAX (n, 1));
  g_autofree guint8 *edge = NULL;
  g_autofree guint *pending = NULL;
  g_autofree gboolean *done = NULL;

  for (guint i = 0; i < n; i++)
    order[i] = i;
  if (n < 3 || n > MAX_ORDERED_BLOCKS)
    return order;

  edge = g_new0 (guint8, n * n);
  pending = g_new0 (guint, n);
  done = g_new0 (gboolean, n);
  for (guint i = 0; i < n; i++)
    for (guint j = 0; j < n; j++)
      if (i != j && comes_before (blocks, i, j))
        {
          edge[i * n + j] = 1;
          pending[j]++;
        }
  for (guint k = 0; k < n; k++)
    {
      guint pick = G_MAXUINT;

      for (guint i = 0; i < n && pick == G_MAXUINT; i++)
        if (!done[i] && pending[i] == 0)
          pick = i;
      for (guint i = 0; i < n && pick == G_MAXUINT; i++)
        if (!done[i])
          pick = i;
      done[pick] = TRUE;
      order[k] = pick;
      for (guint j = 0; j < n; j++)
        if (edge[pick * n + j] && pending[j] > 0)
          pending[j]--;
    }
  return order;
}

static void
write_block (Extraction  *ex,
             DocentPage  *page,
             GArray      *chars,
             GArray      *lines,
             const Block *block)
{
  const Line *first = &g_array_index (lines, Line, block->first);
  gsize start = page->text->len;

  for (guint i = block->first; i < block->first + block->n; i++)
    {
      const Line *line = &g_array_index (lines, Line, i);

      if (i > block->first)
        append_separator (page, line - 1, line->join);
      for (guint k = line->first; k < line->end; k++)
        {
          const PdfChar *ch = &g_array_index (chars, PdfChar, k);

          append_char (page, ch->c, &ch->box);
        }
    }
  if (first->heading && page->text->len > start)
    add_heading (ex, page, start, first->size);
}

static void
write_page (Extraction *ex,
            DocentPage *page,
            GArray     *chars,
            GArray     *lines)
{
  g_autoptr(GArray) blocks = group_blocks (lines);
  g_autofree guint *order = order_blocks (blocks);

  for (guint i = 0; i < blocks->len; i++)
    {
      const Block *block = &g_array_index (blocks, Block, order[i]);

      if (i > 0)
        {
          const Block *prev = &g_array_index (blocks, Block, order[i - 1]);

          append_separator (page, &g_array_index (lines, Line, prev->first + prev->n - 1),
                            SEP_BLOCK);
        }
      write_block (ex, page, chars, lines, block);
    }
}

/* The whole page as a selection. On pages whose main direction is right
 * to left, Poppler only selects text with the area given from right to
 * left; try that when the usual one finds nothing. */
static char *
page_text (PopplerPage      *page,
           PopplerRectangle *area)
{
  char *text = poppler_page_get_selected_text (page, POPPLER_SELECTION_GLYPH, area);

  if (text == NULL || *text == '\0')
    {
      PopplerRectangle reversed = { area->x2, area->y1, area->x1, area->y2 };
      char *rtl = poppler_page_get_selected_text (page, POPPLER_SELECTION_GLYPH, &reversed);

      if (rtl != NULL && *rtl != '\0')
        {
          g_free (text);
          *area = reversed;
          return rtl;
        }
      g_free (rtl);
    }
  return text != NULL ? text : g_strdup ("");
}

/* ---- OCR ------------------------------------------------------------------ */

typedef enum {
  OCR_NO,
  OCR_YES,
  OCR_IF_INK,   /* no text and no pictures: only if the rendering has ink */
} OcrNeed;

/* How much of the page pictures cover (overlaps counted twice), 0..1. */
static double
image_coverage (PopplerPage *page,
                double       width,
                double       height)
{
  GList *mapping = poppler_page_get_image_mapping (page);
  double area = 0;

  for (GList *l = mapping; l != NULL; l = l->next)
    {
      const PopplerRectangle *r = &((PopplerImageMapping *) l->data)->area;
      double x1 = CLAMP (MIN (r->x1, r->x2), 0, width), x2 = CLAMP (MAX (r->x1, r->x2), 0, width);
      double y1 = CLAMP (MIN (r->y1, r->y2), 0, height), y2 = CLAMP (MAX (r->y1, r->y2), 0, height);

      area += (x2 - x1) * (y2 - y1);
    }
  poppler_page_free_image_mapping (mapping);
  if (!(width > 0 && height > 0 && area > 0))
    return 0;
  return MIN (area / (width * height), 1.0);
}

static OcrNeed
ocr_need (PopplerPage      *page,
          const DocentPage *out,
          guint            *letters,
          gboolean         *garbage)
{
  DocentTextQuality quality = docent_text_quality (out->text->str, out->text->len, letters);
  double coverage;

  *garbage = quality == DOCENT_TEXT_GARBAGE;
  if (*garbage)
    return OCR_YES;
  if (*letters >= OCR_SCAN_LETTERS)
    return OCR_NO;
  coverage = image_coverage (page, out->width, out->height);
  if (coverage >= OCR_SCAN_COVERAGE ||
      (quality == DOCENT_TEXT_SPARSE && coverage >= OCR_SPARSE_COVERAGE))
    return OCR_YES;
  return *letters == 0 ? OCR_IF_INK : OCR_NO;
}

/* The page on white at `dpi` (less if that passes OCR_MAX_PIXELS), 8-bit
 * gray; g_free the pixels. */
static guint8 *
render_gray (PopplerPage      *page,
             double            width,
             double            height,
             double            dpi,
             DocentGrayImage  *image,
             GError          **error)
{
  double pixels = (width / 72 * dpi) * (height / 72 * dpi);
  cairo_surface_t *surface;
  cairo_t *cr;
  const guint8 *data;
  guint8 *gray;
  int w, h, stride;

  if (pixels > OCR_MAX_PIXELS)
    dpi *= sqrt (OCR_MAX_PIXELS / pixels);
  w = (int) CLAMP (ceil (width / 72 * dpi), 1, 32767);
  h = (int) CLAMP (ceil (height / 72 * dpi), 1, 32767);
  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, w, h);
  if (cairo_surface_status (surface) != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_OCR,
                   "cannot render the page for OCR: %s",
                   cairo_status_to_string (cairo_surface_status (surface)));
      cairo_surface_destroy (surface);
      return NULL;
    }
  cr = cairo_create (surface);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_scale (cr, w / width, h / height);
  poppler_page_render (page, cr);
  cairo_destroy (cr);
  cairo_surface_flush (surface);

  data = cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface);
  gray = g_malloc ((gsize) w * h);
  for (int y = 0; y < h; y++)
    {
      const guint32 *row = (const guint32 *) (data + (gsize) y * stride);
      guint8 *out = gray + (gsize) y * w;

      for (int x = 0; x < w; x++)
        {
          guint32 px = row[x];

          out[x] = (((px >> 16) & 0xFF) * 77 + ((px >> 8) & 0xFF) * 150 + (px & 0xFF) * 29) >> 8;
        }
    }
  cairo_surface_destroy (surface);
  *image = (DocentGrayImage) { gray, w, h, w, dpi };
  return gray;
}

/* Anti-aliased strokes at OCR_INK_DPI are gray, not black. */
static gboolean
has_ink (const DocentGrayImage *image)
{
  guint dark = 0;

  for (guint y = 0; y < image->height; y++)
    for (guint x = 0; x < image->width; x++)
      if (image->pixels[(gsize) y * image->stride + x] < 192 && ++dark >= 10)
        return TRUE;
  return FALSE;
}

static gboolean
ocr_is_better (const DocentPage *ocr,
               guint             letters,
               gboolean          garbage)
{
  guint ocr_letters = 0;
  DocentTextQuality quality = docent_text_quality (ocr->text->str, ocr->text->len, &ocr_letters);

  if (ocr->ocr_confidence < OCR_MIN_CONFIDENCE || ocr_letters == 0)
    return FALSE;
  if (garbage)
    return quality != DOCENT_TEXT_GARBAGE;
  return letters == 0 || ocr_letters >= 2 * letters + 10;
}

/* Puts OCR's text, headings and boxes in the page, dropping the headings
 * it had (and their place in the document's heading levels). */
static void
take_ocr (Extraction *ex,
          DocentPage *out,
          DocentPage *ocr)
{
  GString *text = out->text;
  GArray *headings = out->headings, *boxes = out->boxes;

  out->text = ocr->text;
  out->headings = ocr->headings;
  out->boxes = ocr->boxes;
  ocr->text = text;
  ocr->headings = headings;
  ocr->boxes = boxes;
  out->ocr = TRUE;
  out->ocr_confidence = ocr->ocr_confidence;
  for (guint i = ex->pending->len; i-- > 0; )
    if (g_array_index (ex->pending, PendingHeading, i).page == out->page_no - 1)
      g_array_remove_index (ex->pending, i);
}

/* Reads the page by OCR when its text is missing or unusable; a page that
 * needs it while OCR is off (or not built) is counted in ocr_skipped. */
static gboolean
ocr_if_needed (Extraction  *ex,
               PopplerPage *page,
               DocentPage  *out,
               GError     **error)
{
  g_autoptr(DocentPage) ocr = NULL;
  g_autofree guint8 *pixels = NULL;
  DocentGrayImage image;
  guint letters = 0;
  gboolean garbage = FALSE;
  OcrNeed need = ocr_need (page, out, &letters, &garbage);

  if (need == OCR_NO)
    return TRUE;
  g_debug ("PDF page %u: %u letters%s, %s", out->page_no, letters,
           garbage ? " of garbage" : "", need == OCR_YES ? "OCR" : "OCR if it has ink");
  if (ex->opts->ocr == DOCENT_OCR_OFF || !docent_ocr_available ())
    {
      if (need == OCR_YES)
        ex->doc->ocr_skipped++;
      return TRUE;
    }
  /* A page without text or pictures is most often blank: look for ink at
   * 50 dpi (1/36 of the pixels) first. */
  if (need == OCR_IF_INK)
    {
      pixels = render_gray (page, out->width, out->height, OCR_INK_DPI, &image, error);
      if (pixels == NULL)
        return FALSE;
      if (!has_ink (&image))
        return TRUE;
      g_clear_pointer (&pixels, g_free);
    }
  pixels = render_gray (page, out->width, out->height, OCR_DPI, &image, error);
  if (pixels == NULL)
    return FALSE;
  if (docent_gray_image_is_blank (&image))
    return TRUE;
  ocr = docent_page_new (out->page_no);
  ocr->width = out->width;
  ocr->height = out->height;
  if (!docent_ocr_page (&image, ex->opts, ocr, error))
    return FALSE;
  g_debug ("PDF page %u: OCR read %" G_GSIZE_FORMAT " bytes at confidence %.1f", out->page_no,
           ocr->text->len, ocr->ocr_confidence);
  if (ocr_is_better (ocr, letters, garbage))
    take_ocr (ex, out, ocr);
  return TRUE;
}

static gboolean
extract_page (Extraction  *ex,
              PopplerPage *page,
              GError     **error)
{
  DocentPage *out = docent_extracted_add_page (ex->doc);
  PopplerRectangle area = { 0, 0, 0, 0 };
  PopplerRectangle *rects = NULL;
  guint n_rects = 0;
  g_autofree char *text = NULL;
  g_autoptr(GArray) chars = NULL;
  g_autoptr(GArray) lines = NULL;
  guint64 limit = ex->opts->max_text_bytes;

  out->boxes = g_array_new (FALSE, FALSE, sizeof (DocentBox));
  if (page == NULL)
    return docent_extract_check_limits (ex->doc, ex->opts, error);
  poppler_page_get_size (page, &out->width, &out->height);
  area.x2 = out->width;
  area.y2 = out->height;
  text = page_text (page, &area);

  /* Refuse an oversized page before spending 16 bytes of boxes a byte. */
  if (limit > 0 && docent_extracted_text_length (ex->doc) + strlen (text) > limit)
    {
      g_string_append (out->text, text);
      return docent_extract_check_limits (ex->doc, ex->opts, error);
    }

  if (*text != '\0' && !poppler_page_get_text_layout_for_area (page, &area, &rects, &n_rects))
    n_rects = 0;
  chars = decode_text (text);
  /* Room for the text and boxes, with some for paragraph breaks. */
  g_array_set_size (out->boxes, chars->len + chars->len / 16 + 16);
  g_array_set_size (out->boxes, 0);
  g_string_set_size (out->text, strlen (text) + strlen (text) / 16 + 16);
  g_string_truncate (out->text, 0);
  align_boxes (chars, rects, n_rects);
  lines = split_fragments (chars);
  find_headings (page, &area, chars, lines, n_rects, ex);
  write_page (ex, out, chars, lines);
  g_free (rects);
  if (!ocr_if_needed (ex, page, out, error))
    return FALSE;
  return docent_extract_check_limits (ex->doc, ex->opts, error);
}

static int
compare_pending (const void *a,
                 const void *b)
{
  float x = ((const PendingHeading *) a)->size, y = ((const PendingHeading *) b)->size;

  return (x < y) - (x > y);
}

/* Level 1 for the largest heading size of the document, 2 for the next
 * size class (sizes within 5% are one class), and so on. */
static void
assign_levels (Extraction *ex)
{
  float class_top = 0;
  guint level = 0;

  g_array_sort (ex->pending, compare_pending);
  for (guint i = 0; i < ex->pending->len; i++)
    {
      const PendingHeading *p = &g_array_index (ex->pending, PendingHeading, i);
      DocentPage *page = ex->doc->pages->pdata[p->page];

      if (level == 0 || p->size < 0.95f * class_top)
        {
          level++;
          class_top = p->size;
        }
      g_array_index (page->headings, DocentHeading, p->heading).level = MIN (level, 6);
    }
}

static char *
poppler_reason (const GError *error)
{
  g_autofree char *reason = g_strdup (error->message);
  gsize len = strlen (reason);

  if (len > 0 && reason[len - 1] == '.')
    reason[len - 1] = '\0';
  if (len > 1 && g_ascii_isupper (reason[0]) && !g_ascii_isupper (reason[1]))
    reason[0] = g_ascii_tolower (reason[0]);
  return g_steal_pointer (&reason);
}

/* poppler-glib 22.12 crashes when a document in memory is opened with a
 * wrong password: it retries with a broken copy of the stream. Opening
 * from a file retries safely, so passwords are tried on a private
 * temporary copy (0600, deleted once open), only for encrypted files. */
static PopplerDocument *
open_with_password (GBytes      *data,
                    const char  *password,
                    GError     **error)
{
  g_autoptr(GFileIOStream) stream = NULL;
  g_autoptr(GFile) file = g_file_new_tmp ("docent-pdf-XXXXXX", &stream, error);
  g_autofree char *uri = NULL;
  PopplerDocument *document;
  GOutputStream *out;
  gsize len = 0;
  const void *bytes = g_bytes_get_data (data, &len);

  if (file == NULL)
    return NULL;
  out = g_io_stream_get_output_stream (G_IO_STREAM (stream));
  if (!g_output_stream_write_all (out, bytes, len, NULL, NULL, error) ||
      !g_io_stream_close (G_IO_STREAM (stream), NULL, error))
    {
      g_file_delete (file, NULL, NULL);
      return NULL;
    }
  uri = g_file_get_uri (file);
  document = poppler_document_new_from_file (uri, password, error);
  g_file_delete (file, NULL, NULL);
  return document;
}

static PopplerDocument *
open_document (GBytes                     *data,
               const DocentExtractOptions *opts,
               GError                    **error)
{
  g_autoptr(GError) local = NULL;
  g_autofree char *reason = NULL;
  gboolean has_password = opts->password != NULL && *opts->password != '\0';
  PopplerDocument *document;

  document = poppler_document_new_from_bytes (data, NULL, &local);
  if (document == NULL && has_password &&
      g_error_matches (local, POPPLER_ERROR, POPPLER_ERROR_ENCRYPTED))
    {
      g_clear_error (&local);
      document = open_with_password (data, opts->password, &local);
      if (document == NULL && local->domain != POPPLER_ERROR)
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&local),
                                      "cannot try the PDF password: ");
          return NULL;
        }
    }
  if (document != NULL)
    return document;
  if (g_error_matches (local, POPPLER_ERROR, POPPLER_ERROR_ENCRYPTED))
    {
      g_set_error_literal (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_ENCRYPTED,
                           has_password ? "encrypted PDF: wrong password"
                                        : "encrypted PDF: a password is needed");
      return NULL;
    }
  reason = poppler_reason (local);
  g_set_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_CORRUPT,
               "damaged PDF: %s", reason);
  return NULL;
}

static DocentExtracted *
extract_document (PopplerDocument            *document,
                  const DocentExtractOptions *opts,
                  GError                    **error)
{
  g_autoptr(DocentExtracted) doc = NULL;
  g_autoptr(GArray) pending = NULL;
  g_autofree char *title = NULL;
  Extraction ex;
  int n_pages = poppler_document_get_n_pages (document);

  if (n_pages <= 0)
    {
      g_set_error_literal (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_CORRUPT,
                           "damaged PDF: it has no pages");
      return NULL;
    }
  if (opts->max_pages > 0 && (guint) n_pages > opts->max_pages)
    {
      g_set_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_TOO_LARGE,
                   "the PDF has %d pages, more than the limit of %u",
                   n_pages, opts->max_pages);
      return NULL;
    }

  doc = docent_extracted_new ("pdf");
  title = poppler_document_get_title (document);
  docent_extracted_set_title (doc, title);
  pending = g_array_new (FALSE, FALSE, sizeof (PendingHeading));
  ex = (Extraction) { doc, opts, pending, 0, 0 };
  for (int i = 0; i < n_pages; i++)
    {
      PopplerPage *page = poppler_document_get_page (document, i);
      gboolean ok = extract_page (&ex, page, error);

      g_clear_object (&page);
      if (!ok)
        return NULL;
      docent_extract_page_done (opts, i + 1, n_pages,
                                ((DocentPage *) doc->pages->pdata[i])->ocr);
    }
  assign_levels (&ex);
  return g_steal_pointer (&doc);
}

static DocentExtracted *
extract_here (GBytes                     *data,
              const DocentExtractOptions *opts,
              GError                    **error)
{
  PopplerDocument *document;
  DocentExtracted *doc;

  if (g_cancellable_set_error_if_cancelled (opts->cancellable, error))
    return NULL;
  document = open_document (data, opts, error);
  if (document == NULL)
    return NULL;
  doc = extract_document (document, opts, error);
  g_object_unref (document);
  return doc;
}

/* ---- extraction the caller can walk away from ---------------------------
 *
 * Poppler cannot be interrupted: one page can keep it busy for minutes
 * (its text layout is quadratic in glyphs piled on one spot; 100,000 of
 * them take 4 s), and the cancellable is only seen between pages. So when
 * there is a cancellable, the extraction runs on a pool thread and the
 * caller waits for it or for the cancellable: cancelled (by the person, or
 * by the ingest pipeline's per-file timeout), the caller returns at once
 * and the extraction is abandoned — it stops at its next page and frees
 * what it made. The task owns everything the extraction touches (bytes,
 * copies of the options' strings); the caller's progress callback is only
 * called while the caller still waits. A subprocess would also survive a
 * crash in Poppler, but would have to ship whole documents back and cost a
 * process start per file; threads are reused, so OCR's per-thread engine
 * is too. */

/* Abandoned extractions still inside Poppler: exit() would run Poppler's
 * static destructors under them (see docent_extract_exit_status). */
static gint n_abandoned_running;

typedef struct {
  gint ref;
  GMutex lock;
  GCond cond;
  gboolean done;
  gboolean abandoned;
  GBytes *data;
  DocentExtractOptions opts;             /* the thread's copy */
  char *password;
  char *ocr_languages;
  const DocentExtractOptions *caller;    /* progress goes there until abandoned */
  DocentExtracted *doc;
  GError *error;
} PdfTask;

static void
pdf_task_unref (PdfTask *task)
{
  if (!g_atomic_int_dec_and_test (&task->ref))
    return;
  g_clear_pointer (&task->doc, docent_extracted_free);
  g_clear_error (&task->error);
  g_clear_object (&task->opts.cancellable);
  g_bytes_unref (task->data);
  g_free (task->password);
  g_free (task->ocr_languages);
  g_mutex_clear (&task->lock);
  g_cond_clear (&task->cond);
  g_free (task);
}

static void
pdf_task_page_done (guint    page_no,
                    guint    n_pages,
                    gboolean ocr,
                    gpointer user_data)
{
  PdfTask *task = user_data;

  g_mutex_lock (&task->lock);
  if (!task->abandoned)
    docent_extract_page_done (task->caller, page_no, n_pages, ocr);
  g_mutex_unlock (&task->lock);
}

static void
pdf_task_run (gpointer data,
              gpointer user_data)
{
  PdfTask *task = data;
  GError *error = NULL;
  DocentExtracted *doc = extract_here (task->data, &task->opts, &error);

  g_mutex_lock (&task->lock);
  task->doc = doc;
  task->error = error;
  task->done = TRUE;
  if (task->abandoned)
    g_atomic_int_add (&n_abandoned_running, -1);
  g_cond_signal (&task->cond);
  g_mutex_unlock (&task->lock);
  pdf_task_unref (task);
}

static GThreadPool *
pdf_pool (void)
{
  static GThreadPool *pool;

  if (g_once_init_enter (&pool))
    g_once_init_leave (&pool, g_thread_pool_new (pdf_task_run, NULL, -1, FALSE, NULL));
  return pool;
}

static PdfTask *
pdf_task_new (GBytes                     *data,
              const DocentExtractOptions *opts)
{
  PdfTask *task = g_new0 (PdfTask, 1);

  task->ref = 2;  /* the caller's and the thread's */
  g_mutex_init (&task->lock);
  g_cond_init (&task->cond);
  task->data = g_bytes_ref (data);
  task->caller = opts;
  task->opts = *opts;
  task->password = g_strdup (opts->password);
  task->ocr_languages = g_strdup (opts->ocr_languages);
  task->opts.password = task->password;
  task->opts.ocr_languages = task->ocr_languages;
  task->opts.cancellable = g_object_ref (opts->cancellable);
  task->opts.page_progress = pdf_task_page_done;
  task->opts.page_progress_data = task;
  return task;
}

static DocentExtracted *
extract_abandonable (GBytes                     *data,
                     const DocentExtractOptions *opts,
                     GError                    **error)
{
  PdfTask *task = pdf_task_new (data, opts);
  DocentExtracted *doc = NULL;

  /* With unlimited threads the push cannot fail. */
  g_thread_pool_push (pdf_pool (), task, NULL);
  g_mutex_lock (&task->lock);
  /* Polled: a cancellable handler could not take the lock safely. */
  while (!task->done && !g_cancellable_is_cancelled (opts->cancellable))
    g_cond_wait_until (&task->cond, &task->lock,
                       g_get_monotonic_time () + 50 * G_TIME_SPAN_MILLISECOND);
  if (task->done)
    {
      doc = g_steal_pointer (&task->doc);
      if (doc == NULL)
        g_propagate_error (error, g_steal_pointer (&task->error));
    }
  else
    {
      task->abandoned = TRUE;
      g_atomic_int_inc (&n_abandoned_running);
      g_cancellable_set_error_if_cancelled (opts->cancellable, error);
    }
  g_mutex_unlock (&task->lock);
  pdf_task_unref (task);
  return doc;
}

DocentExtracted *
docent_extract_pdf (GBytes                     *data,
                    const DocentExtractOptions *opts,
                    GError                    **error)
{
  if (opts->cancellable == NULL)
    return extract_here (data, opts, error);
  if (g_cancellable_set_error_if_cancelled (opts->cancellable, error))
    return NULL;
  return extract_abandonable (data, opts, error);
}

int
docent_extract_exit_status (int status)
{
  if (g_atomic_int_get (&n_abandoned_running) == 0)
    return status;
  /* A thread is still inside Poppler on a page given up on: everything
   * was written, but exit() would tear Poppler's globals down under it. */
  fflush (NULL);
  _exit (status);
}
