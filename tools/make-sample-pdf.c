/* make-sample-pdf.c — turns one document of the sample library
 * (resources/samples/NAME.txt) into an A4 PDF at build time, with cairo and
 * Pango: a title, bold headings, wrapped paragraphs and lists, page numbers,
 * an outline and the title in the PDF metadata.
 *
 * The source markup is deliberately tiny:
 *   - the first line is the document title;
 *   - lines starting with "% " right after it are subtitle lines;
 *   - "# " starts a heading;
 *   - "- " starts a list item (one line each);
 *   - other lines are paragraph text; a blank line ends a paragraph.
 *
 * The layout is tuned for Docent's own PDF ingest (ingest/pdf.c): headings
 * are more than 1.25 times the body size so they are recognised as
 * headings, and the gap between paragraphs and between list items is more
 * than 1.35 times the line pitch so each becomes its own block.
 *
 * Usage: make-sample-pdf INPUT.txt OUTPUT.pdf */
#include <cairo-pdf.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <string.h>

/* A4 in points. */
#define PAGE_WIDTH   595.276
#define PAGE_HEIGHT  841.890
#define MARGIN_SIDE  72.0
#define MARGIN_TOP   68.0
#define MARGIN_BOTTOM 78.0
#define FOOTER_BASELINE (PAGE_HEIGHT - 42.0)
#define TEXT_WIDTH   (PAGE_WIDTH - 2 * MARGIN_SIDE)
#define ITEM_INDENT  18.0
#define FONT_FAMILY  "DejaVu Sans,Sans"
/* Builds are reproducible: the metadata dates are fixed. */
#define DOCUMENT_DATE "2026-11-25T00:00:00Z"

typedef enum {
  BLOCK_TITLE,
  BLOCK_SUBTITLE,
  BLOCK_HEADING,
  BLOCK_PARAGRAPH,
  BLOCK_ITEM,
} BlockKind;

typedef struct {
  BlockKind kind;
  char *text;
} Block;

typedef struct {
  double size;
  PangoWeight weight;
  PangoStyle style;
  double grey;          /* text colour, 0 black */
  double space_before;  /* dropped at the top of a page */
  double space_after;
  double indent;
} Style;

static const Style styles[] = {
  [BLOCK_TITLE]     = { 22, PANGO_WEIGHT_BOLD,   PANGO_STYLE_NORMAL, 0.05, 0,  8, 0 },
  [BLOCK_SUBTITLE]  = { 10, PANGO_WEIGHT_NORMAL, PANGO_STYLE_ITALIC, 0.35, 0,  3, 0 },
  [BLOCK_HEADING]   = { 15, PANGO_WEIGHT_BOLD,   PANGO_STYLE_NORMAL, 0.10, 16, 7, 0 },
  [BLOCK_PARAGRAPH] = { 11, PANGO_WEIGHT_NORMAL, PANGO_STYLE_NORMAL, 0.10, 0,  9, 0 },
  [BLOCK_ITEM]      = { 11, PANGO_WEIGHT_NORMAL, PANGO_STYLE_NORMAL, 0.10, 0,  7, ITEM_INDENT },
};

typedef struct {
  PangoContext *context;
  cairo_surface_t *surface;   /* NULL while only counting pages */
  cairo_t *cr;
  guint page;                 /* 1-based */
  guint n_pages;              /* 0 while counting */
  double y;                   /* top of the next line */
} Writer;

static void
block_free (gpointer data)
{
  Block *block = data;

  g_free (block->text);
  g_free (block);
}

static void
add_block (GPtrArray  *blocks,
           BlockKind   kind,
           const char *text)
{
  Block *block = g_new0 (Block, 1);

  block->kind = kind;
  block->text = g_strstrip (g_strdup (text));
  g_ptr_array_add (blocks, block);
}

static void
flush_paragraph (GPtrArray *blocks,
                 GString   *paragraph)
{
  if (paragraph->len > 0)
    add_block (blocks, BLOCK_PARAGRAPH, paragraph->str);
  g_string_truncate (paragraph, 0);
}

static GPtrArray *
parse_blocks (const char  *source,
              GError     **error)
{
  g_autoptr(GPtrArray) blocks = g_ptr_array_new_with_free_func (block_free);
  g_autoptr(GString) paragraph = g_string_new (NULL);
  g_auto(GStrv) lines = g_strsplit (source, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strchomp (lines[i]);

      if (blocks->len == 0)
        {
          if (*line != '\0')
            add_block (blocks, BLOCK_TITLE, line);
        }
      else if (*line == '\0')
        flush_paragraph (blocks, paragraph);
      else if (g_str_has_prefix (line, "% "))
        add_block (blocks, BLOCK_SUBTITLE, line + 2);
      else if (g_str_has_prefix (line, "# "))
        {
          flush_paragraph (blocks, paragraph);
          add_block (blocks, BLOCK_HEADING, line + 2);
        }
      else if (g_str_has_prefix (line, "- "))
        {
          flush_paragraph (blocks, paragraph);
          add_block (blocks, BLOCK_ITEM, line + 2);
        }
      else
        {
          if (paragraph->len > 0)
            g_string_append_c (paragraph, ' ');
          g_string_append (paragraph, g_strstrip (line));
        }
    }
  flush_paragraph (blocks, paragraph);
  if (blocks->len < 2)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   "a sample needs a title line and some text");
      return NULL;
    }
  return g_steal_pointer (&blocks);
}

/* Shaping must be identical in the counting and the drawing pass, and
 * glyph positions must not be snapped to a screen's pixel grid. */
static PangoContext *
make_context (void)
{
  PangoFontMap *map = pango_cairo_font_map_get_default ();
  PangoContext *context = pango_font_map_create_context (map);
  cairo_font_options_t *options = cairo_font_options_create ();

  cairo_font_options_set_hint_metrics (options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style (options, CAIRO_HINT_STYLE_NONE);
  pango_cairo_context_set_font_options (context, options);
  pango_cairo_context_set_resolution (context, 72);
  pango_context_set_round_glyph_positions (context, FALSE);
  cairo_font_options_destroy (options);
  return context;
}

/* Ligatures and inserted hyphens would make the extracted text differ from
 * the source text, so both are off. */
static PangoLayout *
make_layout (Writer      *w,
             const char  *text,
             const Style *style,
             double       width)
{
  PangoLayout *layout = pango_layout_new (w->context);
  PangoFontDescription *font = pango_font_description_from_string (FONT_FAMILY);
  PangoAttrList *attrs = pango_attr_list_new ();

  pango_font_description_set_size (font, (int) (style->size * PANGO_SCALE));
  pango_font_description_set_weight (font, style->weight);
  pango_font_description_set_style (font, style->style);
  pango_layout_set_font_description (layout, font);
  pango_attr_list_insert (attrs, pango_attr_font_features_new ("liga 0, clig 0, dlig 0"));
  pango_attr_list_insert (attrs, pango_attr_insert_hyphens_new (FALSE));
  pango_layout_set_attributes (layout, attrs);
  pango_layout_set_width (layout, (int) (width * PANGO_SCALE));
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD);
  pango_layout_set_text (layout, text, -1);
  pango_attr_list_unref (attrs);
  pango_font_description_free (font);
  return layout;
}

static double
line_height (PangoLayout *layout,
             int          index)
{
  PangoRectangle logical;

  pango_layout_line_get_extents (pango_layout_get_line_readonly (layout, index), NULL, &logical);
  return (double) logical.height / PANGO_SCALE;
}

static double
layout_height (PangoLayout *layout)
{
  int width, height;

  pango_layout_get_size (layout, &width, &height);
  return (double) height / PANGO_SCALE;
}

static void
draw_footer (Writer *w)
{
  g_autofree char *text = g_strdup_printf ("Page %u of %u", w->page, w->n_pages);
  static const Style footer = { 9, PANGO_WEIGHT_NORMAL, PANGO_STYLE_NORMAL, 0.45, 0, 0, 0 };
  g_autoptr(PangoLayout) layout = make_layout (w, text, &footer, TEXT_WIDTH);

  pango_layout_set_alignment (layout, PANGO_ALIGN_CENTER);
  cairo_set_source_rgb (w->cr, footer.grey, footer.grey, footer.grey);
  cairo_move_to (w->cr, MARGIN_SIDE,
                 FOOTER_BASELINE - (double) pango_layout_get_baseline (layout) / PANGO_SCALE);
  pango_cairo_show_layout (w->cr, layout);
}

static void
next_page (Writer *w)
{
  if (w->cr != NULL)
    {
      draw_footer (w);
      cairo_show_page (w->cr);
    }
  w->page++;
  w->y = MARGIN_TOP;
}

static gboolean
at_page_top (const Writer *w)
{
  return w->y <= MARGIN_TOP;
}

static double
room_left (const Writer *w)
{
  return PAGE_HEIGHT - MARGIN_BOTTOM - w->y;
}

/* What must fit below a heading so that it does not end a page alone:
 * the heading and the first lines of the block after it. */
static double
keep_with_next (Writer      *w,
                PangoLayout *layout,
                const Block *next)
{
  const Style *style;
  g_autoptr(PangoLayout) next_layout = NULL;
  double need = layout_height (layout);
  int n;

  if (next == NULL)
    return need;
  style = &styles[next->kind];
  next_layout = make_layout (w, next->text, style, TEXT_WIDTH - style->indent);
  n = MIN (pango_layout_get_line_count (next_layout), 3);
  need += styles[BLOCK_HEADING].space_after;
  for (int i = 0; i < n; i++)
    need += line_height (next_layout, i);
  return need;
}

static void
add_outline_entry (Writer     *w,
                   const char *text)
{
  g_autofree char *link = NULL;

  if (w->cr == NULL)
    return;
  link = g_strdup_printf ("page=%u pos=[%.1f %.1f]", w->page, MARGIN_SIDE, w->y);
  cairo_pdf_surface_add_outline (w->surface, CAIRO_PDF_OUTLINE_ROOT, text, link,
                                 CAIRO_PDF_OUTLINE_FLAG_OPEN);
}

static void
draw_line (Writer          *w,
           PangoLayoutLine *line,
           double           x,
           double           baseline)
{
  cairo_move_to (w->cr, x, baseline);
  pango_cairo_show_layout_line (w->cr, line);
}

/* A bullet drawn as a shape, not a character: the extracted text of a list
 * item is then just its words. Centred on the x-height (about 0.55 em in
 * DejaVu Sans). */
static void
draw_bullet (Writer      *w,
             const Style *style,
             double       baseline)
{
  cairo_new_sub_path (w->cr);
  cairo_arc (w->cr, MARGIN_SIDE + 6, baseline - 0.275 * style->size, 0.16 * style->size, 0, 2 * G_PI);
  cairo_fill (w->cr);
}

/* Places a block line by line, so that paragraphs may continue on the next
 * page; a paragraph that would leave a single line behind moves whole. */
static void
place_lines (Writer      *w,
             PangoLayout *layout,
             const Block *block,
             const Style *style)
{
  PangoLayoutIter *iter = pango_layout_get_iter (layout);
  int n_lines = pango_layout_get_line_count (layout);
  int index = 0;

  if (n_lines > 1 && room_left (w) < line_height (layout, 0) + line_height (layout, 1))
    next_page (w);
  do
    {
      PangoRectangle logical;
      double height, baseline;

      pango_layout_iter_get_line_extents (iter, NULL, &logical);
      height = (double) logical.height / PANGO_SCALE;
      if (height > room_left (w) && !at_page_top (w))
        next_page (w);
      baseline = w->y + (double) (pango_layout_iter_get_baseline (iter) - logical.y) / PANGO_SCALE;
      if (w->cr != NULL)
        {
          cairo_set_source_rgb (w->cr, style->grey, style->grey, style->grey);
          if (block->kind == BLOCK_ITEM && index == 0)
            draw_bullet (w, style, baseline);
          draw_line (w, pango_layout_iter_get_line_readonly (iter), MARGIN_SIDE + style->indent, baseline);
        }
      w->y += height;
      index++;
    }
  while (pango_layout_iter_next_line (iter));
  pango_layout_iter_free (iter);
}

static void
draw_rule (Writer *w)
{
  if (w->cr != NULL)
    {
      cairo_set_source_rgb (w->cr, 0.75, 0.75, 0.75);
      cairo_set_line_width (w->cr, 0.75);
      cairo_move_to (w->cr, MARGIN_SIDE, w->y + 4);
      cairo_line_to (w->cr, PAGE_WIDTH - MARGIN_SIDE, w->y + 4);
      cairo_stroke (w->cr);
    }
  w->y += 18;
}

static void
place_block (Writer      *w,
             const Block *block,
             const Block *next)
{
  const Style *style = &styles[block->kind];
  g_autoptr(PangoLayout) layout = make_layout (w, block->text, style, TEXT_WIDTH - style->indent);

  if (!at_page_top (w))
    w->y += style->space_before;
  if (block->kind == BLOCK_HEADING && !at_page_top (w) &&
      keep_with_next (w, layout, next) > room_left (w))
    next_page (w);
  if (block->kind == BLOCK_HEADING || block->kind == BLOCK_TITLE)
    add_outline_entry (w, block->text);
  place_lines (w, layout, block, style);
  w->y += style->space_after;
  if ((block->kind == BLOCK_TITLE || block->kind == BLOCK_SUBTITLE) &&
      (next == NULL || next->kind != BLOCK_SUBTITLE))
    draw_rule (w);
}

static void
place_document (Writer    *w,
                GPtrArray *blocks)
{
  w->page = 1;
  w->y = MARGIN_TOP;
  for (guint i = 0; i < blocks->len; i++)
    place_block (w, blocks->pdata[i], i + 1 < blocks->len ? blocks->pdata[i + 1] : NULL);
  if (w->cr != NULL)
    draw_footer (w);
}

static gboolean
write_pdf (const char  *path,
           GPtrArray   *blocks,
           GError     **error)
{
  const Block *title = blocks->pdata[0];
  Writer w = { 0 };
  cairo_status_t status;

  w.context = make_context ();
  place_document (&w, blocks);
  w.n_pages = w.page;

  w.surface = cairo_pdf_surface_create (path, PAGE_WIDTH, PAGE_HEIGHT);
  cairo_pdf_surface_set_metadata (w.surface, CAIRO_PDF_METADATA_TITLE, title->text);
  cairo_pdf_surface_set_metadata (w.surface, CAIRO_PDF_METADATA_AUTHOR, "Docent sample library");
  cairo_pdf_surface_set_metadata (w.surface, CAIRO_PDF_METADATA_SUBJECT,
                                  "A fictional sample document for trying Docent");
  cairo_pdf_surface_set_metadata (w.surface, CAIRO_PDF_METADATA_CREATOR, "Docent make-sample-pdf");
  cairo_pdf_surface_set_metadata (w.surface, CAIRO_PDF_METADATA_CREATE_DATE, DOCUMENT_DATE);
  cairo_pdf_surface_set_metadata (w.surface, CAIRO_PDF_METADATA_MOD_DATE, DOCUMENT_DATE);
  w.cr = cairo_create (w.surface);
  place_document (&w, blocks);
  /* The counting pass and the drawing pass must agree on the page count. */
  g_assert (w.page == w.n_pages);
  cairo_destroy (w.cr);
  cairo_surface_finish (w.surface);
  status = cairo_surface_status (w.surface);
  cairo_surface_destroy (w.surface);
  g_object_unref (w.context);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "cannot write %s: %s",
                   path, cairo_status_to_string (status));
      g_unlink (path);
      return FALSE;
    }
  return TRUE;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) blocks = NULL;
  g_autofree char *source = NULL;

  if (argc != 3)
    {
      fprintf (stderr, "Usage: %s INPUT.txt OUTPUT.pdf\n", argv[0]);
      return 2;
    }
  if (!g_file_get_contents (argv[1], &source, NULL, &error))
    goto fail;
  if (!g_utf8_validate (source, -1, NULL))
    {
      g_set_error (&error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s is not UTF-8", argv[1]);
      goto fail;
    }
  blocks = parse_blocks (source, &error);
  if (blocks == NULL || !write_pdf (argv[2], blocks, &error))
    goto fail;
  return 0;

fail:
  fprintf (stderr, "%s: %s\n", argv[0], error->message);
  return 1;
}
