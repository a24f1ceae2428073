/* page-view.c — one stored page made ready for a viewer: the document's
 * record, the page's text and size, and where the passage to highlight
 * is, found from a citation's quote or taken from a search hit's span,
 * as characters of the text and (PDF) as rectangles on the page.
 *
 * A quote is the chunk's sentence after the answer code cleaned it: white
 * space runs made single spaces, no space before closing punctuation,
 * citation markers dropped, long ones cut with "…". And a sentence may run
 * over the page boundary. So after an exact search the quote and the page
 * are compared folded (no white space, no markers, lower case, plain
 * quotation marks), and failing that the longest part of the quote that is
 * on the page — its start (continuing on the next page) or its end (begun
 * on the previous one) — is highlighted when it is long enough to mean
 * something. */
#include "app/page-view.h"

#include <string.h>

#include "ingest/layout.h"

/* Shorter pieces of a quote are too likely to be found by chance. */
#define MIN_PARTIAL_CHARS 30

typedef struct {
  GArray *chars;    /* gunichar: the folded characters */
  GArray *origin;   /* guint: the code point of the source text each
                     * folded character came from */
} Folded;

static void
folded_clear (Folded *folded)
{
  g_clear_pointer (&folded->chars, g_array_unref);
  g_clear_pointer (&folded->origin, g_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Folded, folded_clear)

void
docent_page_view_free (DocentPageView *view)
{
  if (view == NULL)
    return;
  g_free (view->path);
  g_free (view->title);
  g_free (view->type);
  g_free (view->text);
  g_clear_pointer (&view->rects, g_array_unref);
  g_free (view);
}

DocentPageView *
docent_page_view_copy (const DocentPageView *view)
{
  DocentPageView *copy = g_new (DocentPageView, 1);

  *copy = *view;
  copy->path = g_strdup (view->path);
  copy->title = g_strdup (view->title);
  copy->type = g_strdup (view->type);
  copy->text = g_strdup (view->text);
  copy->rects = g_array_sized_new (FALSE, FALSE, sizeof (DocentBox),
                                   view->rects != NULL ? view->rects->len : 0);
  if (view->rects != NULL)
    g_array_append_vals (copy->rects, view->rects->data, view->rects->len);
  return copy;
}

/* ---- finding a quote ------------------------------------------------------ */

/* The length in bytes of a citation marker ("[3]", "[1, 2]") at p, or 0:
 * the answer code removes them from quotes, so the page's must go too. */
static gsize
marker_length (const char *p)
{
  const char *q = p + 1;
  gboolean digit = FALSE;

  if (*p != '[')
    return 0;
  for (; *q != '\0' && *q != ']'; q++)
    {
      if (g_ascii_isdigit (*q))
        digit = TRUE;
      else if (*q != ',' && *q != ' ')
        return 0;
    }
  return *q == ']' && digit ? (gsize) (q - p) + 1 : 0;
}

static gunichar
fold_char (gunichar c)
{
  switch (c)
    {
    case 0x2018: case 0x2019: case 0x201B: case 0x2032:
      return '\'';
    case 0x201C: case 0x201D: case 0x201F: case 0x2033:
      return '"';
    case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014:
      return '-';
    default:
      return g_unichar_tolower (c);
    }
}

static gboolean
ignored_char (gunichar c)
{
  /* soft hyphen and zero-width characters carry nothing to compare */
  return g_unichar_isspace (c) || c == 0x00AD || c == 0x200B || c == 0xFEFF;
}

static void
fold (const char *text,
      Folded     *out)
{
  guint index = 0;

  out->chars = g_array_new (FALSE, FALSE, sizeof (gunichar));
  out->origin = g_array_new (FALSE, FALSE, sizeof (guint));
  for (const char *p = text; *p != '\0'; )
    {
      gsize marker = marker_length (p);
      gunichar c;

      if (marker > 0)
        {
          index += (guint) marker;       /* markers are ASCII */
          p += marker;
          continue;
        }
      c = g_utf8_get_char (p);
      if (!ignored_char (c))
        {
          c = fold_char (c);
          g_array_append_val (out->chars, c);
          g_array_append_val (out->origin, index);
        }
      index++;
      p = g_utf8_next_char (p);
    }
}

/* Where needle[0, len) first occurs in hay, or -1. Pages are a few
 * thousand characters and quotes a few hundred: a plain scan is enough. */
static gssize
find_chars (const GArray *hay,
            const gunichar *needle,
            guint           len)
{
  const gunichar *h = (const gunichar *) (gpointer) hay->data;

  if (len == 0 || len > hay->len)
    return -1;
  for (guint i = 0; i + len <= hay->len; i++)
    if (h[i] == needle[0] && memcmp (h + i, needle, len * sizeof (gunichar)) == 0)
      return i;
  return -1;
}

/* The longest piece of the quote, at least `min` characters, found on the
 * page: a prefix when `from_start`, else a suffix. Being found shrinks
 * with length (a found piece's own pieces are found too), so a binary
 * search over the length finds the longest. */
static guint
longest_piece (const GArray *hay,
               const GArray *quote,
               gboolean      from_start,
               guint         min,
               gssize       *at)
{
  const gunichar *q = (const gunichar *) (gpointer) quote->data;
  guint lo = min, hi = quote->len, best = 0;

  while (lo <= hi)
    {
      guint mid = lo + (hi - lo) / 2;
      gssize pos = find_chars (hay, from_start ? q : q + quote->len - mid, mid);

      if (pos >= 0)
        {
          best = mid;
          *at = pos;
          lo = mid + 1;
        }
      else
        hi = mid - 1;             /* mid >= min > 0 */
    }
  return best;
}

/* The quote without surrounding white space and the "…" of a cut quote. */
static char *
trim_quote (const char *quote)
{
  char *trimmed = g_strstrip (g_strdup (quote));
  gsize len = strlen (trimmed);

  if (g_str_has_suffix (trimmed, "…"))
    trimmed[len - strlen ("…")] = '\0';
  else if (g_str_has_suffix (trimmed, "..."))
    trimmed[len - 3] = '\0';
  return g_strchomp (trimmed);
}

static gboolean
find_quote_folded (const char *text,
                   const char *quote,
                   guint      *start,
                   guint      *end)
{
  g_auto(Folded) page = { 0 };
  g_auto(Folded) q = { 0 };
  const guint *origin;
  gssize at = -1;
  guint len, prefix_len, suffix_len;
  gssize prefix_at = -1, suffix_at = -1;

  fold (text, &page);
  fold (quote, &q);
  if (q.chars->len == 0)
    return FALSE;
  len = q.chars->len;
  at = find_chars (page.chars, (const gunichar *) (gpointer) q.chars->data, len);
  if (at < 0)
    {
      if (len <= MIN_PARTIAL_CHARS)
        return FALSE;
      prefix_len = longest_piece (page.chars, q.chars, TRUE, MIN_PARTIAL_CHARS, &prefix_at);
      suffix_len = longest_piece (page.chars, q.chars, FALSE, MIN_PARTIAL_CHARS, &suffix_at);
      if (prefix_len == 0 && suffix_len == 0)
        return FALSE;
      if (prefix_len >= suffix_len)
        at = prefix_at, len = prefix_len;
      else
        at = suffix_at, len = suffix_len;
    }
  origin = (const guint *) (gpointer) page.origin->data;
  *start = origin[at];
  *end = origin[at + len - 1] + 1;
  return TRUE;
}

/* The span [start, end) of `quote` in `text`, in code points. */
static gboolean
find_quote (const char *text,
            const char *quote,
            guint      *start,
            guint      *end)
{
  g_autofree char *trimmed = trim_quote (quote);
  const char *hit;

  if (*trimmed == '\0')
    return FALSE;
  hit = strstr (text, trimmed);
  if (hit != NULL)
    {
      *start = (guint) g_utf8_pointer_to_offset (text, hit);
      *end = *start + (guint) g_utf8_strlen (trimmed, -1);
      return TRUE;
    }
  return find_quote_folded (text, trimmed, start, end);
}

/* ---- the page view --------------------------------------------------------- */

static void
view_set_highlight (DocentPageView          *view,
                    const DocentPageRequest *request)
{
  guint n_chars = (guint) g_utf8_strlen (view->text, -1);
  guint start = 0, end = 0;

  if (request->quote != NULL && find_quote (view->text, request->quote, &start, &end))
    {
      view->highlighted = TRUE;
    }
  else
    {
      /* a search hit's span (or, for a quote that is not on the page, the
       * span the caller gave along with it) */
      start = MIN (request->char_start, n_chars);
      end = MIN (request->char_end, n_chars);
      view->highlighted = start < end;
    }
  view->highlight_start = view->highlighted ? start : 0;
  view->highlight_end = view->highlighted ? end : 0;
}

/* The highlight's rectangles on the page. A damaged layout costs the
 * rectangles only: the page is still worth showing. */
static void
view_set_rects (DocentPageView *view,
                GBytes         *layout)
{
  g_autoptr(GError) error = NULL;
  GArray *rects;

  if (layout == NULL || !view->highlighted || view->width <= 0 || view->height <= 0)
    return;
  rects = docent_layout_rects (layout, view->width, view->height,
                               view->highlight_start, view->highlight_end, &error);
  if (rects == NULL)
    {
      g_debug ("no highlight rectangles for document %" G_GINT64_FORMAT " page %u: %s",
               view->document_id, view->page_no, error->message);
      return;
    }
  g_array_unref (view->rects);
  view->rects = rects;
}

DocentPageView *
docent_library_page_view (DocentLibrary           *library,
                          const DocentPageRequest *request,
                          GError                 **error)
{
  DocentStore *store = docent_library_store (library);
  g_auto(DocentDocRecord) rec = { 0 };
  g_autoptr(DocentPageView) view = NULL;
  g_autoptr(GBytes) layout = NULL;
  guint page_no = MAX (request->page_no, 1);

  if (!docent_store_find_by_id (store, request->document_id, &rec, error))
    {
      if (error == NULL || *error == NULL)
        g_set_error (error, DOCENT_STORE_ERROR, DOCENT_STORE_ERROR_NOT_FOUND,
                     "no document with id %" G_GINT64_FORMAT, request->document_id);
      return NULL;
    }
  view = g_new0 (DocentPageView, 1);
  view->rects = g_array_new (FALSE, FALSE, sizeof (DocentBox));
  if (!docent_store_get_page (store, rec.id, page_no, &view->text, &layout,
                              &view->width, &view->height, error))
    return NULL;
  if (view->text == NULL)
    view->text = g_strdup ("");
  view->document_id = rec.id;
  view->path = g_strdup (rec.path);
  view->title = rec.title != NULL && *rec.title != '\0'
                ? g_strdup (rec.title)
                : g_path_get_basename (rec.path);
  view->type = g_strdup (rec.type != NULL ? rec.type : "");
  view->page_no = page_no;
  view->n_pages = MAX (rec.page_count, page_no);
  view_set_highlight (view, request);
  view_set_rects (view, layout);
  return g_steal_pointer (&view);
}
