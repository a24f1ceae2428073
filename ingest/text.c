/* text.c — plain text files: one page, paragraphs at blank lines.
 *
 * Hard-wrapped prose is joined back into paragraphs, while lines that carry
 * structure (list items, short address- or verse-like lines) stay lines.
 * Underlined lines ("Title\n=====") and short ALL CAPS lines standing alone
 * become headings. */
#include "ingest/text.h"

#include <string.h>

/* Bytes of input between two limit checks. */
#define CHECK_EVERY (256 * 1024)
/* A paragraph whose lines are all shorter than this is not wrapped prose. */
#define SHORT_LINE_CHARS 40
#define MAX_HEADING_CHARS 100
#define MAX_TITLE_CHARS 100

typedef struct {
  const char *s;
  gsize len;      /* without trailing blanks */
  guint chars;
} Line;

typedef struct {
  DocentExtracted *doc;
  DocentPage *page;
  GArray *lines;  /* of Line: the paragraph being gathered */
  char *first_line;
  char *first_heading;
} TextState;

static gboolean
is_blank_byte (char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static gsize
skip_indent (const Line *line)
{
  gsize i = 0;

  while (i < line->len && is_blank_byte (line->s[i]))
    i++;
  return i;
}

/* "----", "====", "* * *": a separator, or an underline below a title. */
static char
rule_char (const Line *line)
{
  char c = 0;
  guint n = 0;

  for (gsize i = skip_indent (line); i < line->len; i++)
    {
      char d = line->s[i];

      if (d == ' ' || d == '\t')
        continue;
      if ((d != '-' && d != '=' && d != '*' && d != '_' && d != '~') ||
          (c != 0 && d != c))
        return 0;
      c = d;
      n++;
    }
  return n >= 3 ? c : 0;
}

static gboolean
starts_with_bullet (const char *p,
                    gsize       len)
{
  static const char *const bullets[] = {
    "-", "*", "+", "\xE2\x80\xA2" /* • */, "\xE2\x97\xA6" /* ◦ */,
    "\xE2\x96\xAA" /* ▪ */, "\xE2\x80\xA3" /* ‣ */, "\xE2\x80\x93" /* – */,
    "\xC2\xB7" /* · */, "\xE2\x97\x8F" /* ● */, "\xE2\x96\xA0" /* ■ */,
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bullets); i++)
    {
      gsize n = strlen (bullets[i]);

      if (len > n && memcmp (p, bullets[i], n) == 0 &&
          (p[n] == ' ' || p[n] == '\t'))
        return TRUE;
    }
  return FALSE;
}

/* "1. ", "12) ", "a) ", "(iv) " */
static gboolean
starts_with_number (const char *p,
                    gsize       len)
{
  gsize i = 0;

  if (len > 0 && p[0] == '(')
    {
      for (i = 1; i < len && i <= 5 && g_ascii_isalnum (p[i]); i++)
        ;
      return i > 1 && i + 1 < len && p[i] == ')' &&
             (p[i + 1] == ' ' || p[i + 1] == '\t');
    }
  while (i < len && i < 9 && g_ascii_isdigit (p[i]))
    i++;
  if (i == 0 && len > 0 && g_ascii_isalpha (p[0]))
    {
      i = 1;
      if (i < len && p[i] != ')')
        return FALSE;
    }
  return i > 0 && i + 1 < len && (p[i] == '.' || p[i] == ')') &&
         (p[i + 1] == ' ' || p[i + 1] == '\t');
}

static gboolean
is_list_item (const Line *line)
{
  gsize i = skip_indent (line);

  return starts_with_bullet (line->s + i, line->len - i) ||
         starts_with_number (line->s + i, line->len - i);
}

/* A short line in capitals, like "INTRODUCTION" or "PART 2: METHODS". */
static gboolean
is_caps_heading (const Line *line)
{
  guint letters = 0, others = 0;
  const char *end = line->s + line->len;

  if (line->chars > 80)
    return FALSE;
  for (const char *p = line->s; p < end; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char_validated (p, end - p);

      if (c == (gunichar) -1 || c == (gunichar) -2)
        return FALSE;
      if (g_unichar_islower (c))
        return FALSE;
      if (g_unichar_isalpha (c))
        letters++;
      else if (!g_unichar_isspace (c))
        others++;
    }
  return letters >= 3 && letters >= others;
}

static void
add_heading (TextState  *st,
             const Line *line,
             guint       level)
{
  gsize i = skip_indent (line);

  docent_page_add_heading (st->page, line->s + i, line->len - i, level);
  if (st->first_heading == NULL)
    st->first_heading = g_strndup (line->s + i, line->len - i);
}

/* Lines [from, to) of one paragraph without headings or rules. */
static void
emit_lines (TextState *st,
            guint      from,
            guint      to)
{
  Line *lines = (Line *) st->lines->data;
  guint longest = 0;
  gboolean in_item = FALSE;

  if (to - from == 1 && is_caps_heading (&lines[from]))
    {
      add_heading (st, &lines[from], 1);
      return;
    }
  for (guint i = from; i < to; i++)
    longest = MAX (longest, lines[i].chars);

  for (guint i = from; i < to; i++)
    {
      const Line *line = &lines[i];
      gboolean item = is_list_item (line);
      gboolean indented = line->len > 0 && is_blank_byte (line->s[0]);
      gboolean keep_break;

      if (i == from)
        keep_break = FALSE;
      else if (item)
        keep_break = TRUE;
      else if (in_item)
        keep_break = !indented;
      else
        keep_break = longest < SHORT_LINE_CHARS;

      if (keep_break)
        docent_page_line_break (st->page);
      else
        docent_page_append_text (st->page, " ", 1);
      docent_page_append_text (st->page, line->s, line->len);
      in_item = item || (in_item && indented);
    }
  docent_page_end_block (st->page);
}

static void
flush_paragraph (TextState *st)
{
  Line *lines = (Line *) st->lines->data;
  guint n = st->lines->len;
  guint i = 0;

  while (i < n)
    {
      char under = i + 1 < n ? rule_char (&lines[i + 1]) : 0;
      guint j;

      if ((under == '=' || under == '-') && rule_char (&lines[i]) == 0 &&
          lines[i].chars <= MAX_HEADING_CHARS && !is_list_item (&lines[i]))
        {
          add_heading (st, &lines[i], under == '=' ? 1 : 2);
          i += 2;
          continue;
        }
      if (rule_char (&lines[i]) != 0)
        {
          docent_page_end_block (st->page);
          i++;
          continue;
        }
      for (j = i + 1; j < n && rule_char (&lines[j]) == 0; j++)
        ;
      emit_lines (st, i, j);
      i = j;
    }
  g_array_set_size (st->lines, 0);
}

static void
note_first_line (TextState  *st,
                 const Line *line)
{
  gsize i = skip_indent (line);

  if (st->first_line != NULL)
    return;
  if (line->chars <= MAX_TITLE_CHARS)
    st->first_line = g_strndup (line->s + i, line->len - i);
  else
    st->first_line = g_strdup ("");
}

/* --- shared with markdown.c and html.c --------------------------------- */

gboolean
docent_text_read_lines (DocentExtracted            *doc,
                        const char                 *data,
                        gsize                       len,
                        const DocentExtractOptions *opts,
                        const DocentTextLineFuncs  *funcs,
                        gpointer                    state,
                        GError                    **error)
{
  DocentExtractOptions defaults;
  const char *p, *end;
  gsize since_check = 0;

  if (opts == NULL)
    {
      docent_extract_options_init (&defaults);
      opts = &defaults;
    }
  if (data == NULL)
    data = "", len = 0;
  for (p = data, end = data + len; p < end; )
    {
      const char *nl = memchr (p, '\n', end - p);
      const char *next = nl != NULL ? nl + 1 : end;

      funcs->line (state, p, (nl != NULL ? nl : end) - p);
      since_check += next - p;
      p = next;
      if (since_check >= CHECK_EVERY)
        {
          since_check = 0;
          if (funcs->checkpoint != NULL)
            funcs->checkpoint (state);
          if (!docent_extract_check_limits (doc, opts, error))
            return FALSE;
        }
    }
  funcs->end (state);
  return docent_extract_check_limits (doc, opts, error);
}

void
docent_text_append_lines (DocentPage *page,
                          const char *text,
                          gsize       len)
{
  const char *end = text + len;

  while (text < end)
    {
      const char *nl = memchr (text, '\n', end - text);

      if (nl == NULL)
        {
          docent_page_append_text (page, text, end - text);
          break;
        }
      docent_page_append_text (page, text, nl - text);
      docent_page_line_break (page);
      text = nl + 1;
    }
}

/* --- plain text -------------------------------------------------------- */

static void
text_line (gpointer    state,
           const char *s,
           gsize       len)
{
  TextState *st = state;
  Line line = { s, len, 0 };

  while (line.len > 0 && is_blank_byte (line.s[line.len - 1]))
    line.len--;
  if (skip_indent (&line) == line.len)
    {
      flush_paragraph (st);
    }
  else
    {
      line.chars = g_utf8_strlen (line.s, line.len);
      note_first_line (st, &line);
      g_array_append_val (st->lines, line);
    }
}

/* The paragraph so far goes to the page, so that the limit checks see
 * its text. */
static void
text_checkpoint (gpointer state)
{
  flush_paragraph (state);
}

static void
text_end (gpointer state)
{
  TextState *st = state;

  flush_paragraph (st);
  docent_page_finish (st->page);
}

DocentExtracted *
docent_extract_text (const char                 *data,
                     gsize                       len,
                     const DocentExtractOptions *opts,
                     GError                    **error)
{
  static const DocentTextLineFuncs funcs = {
    .line = text_line, .checkpoint = text_checkpoint, .end = text_end,
  };
  g_autoptr(DocentExtracted) doc = docent_extracted_new ("text");
  TextState st = { 0 };
  gboolean ok;

  st.doc = doc;
  st.page = docent_extracted_add_page (doc);
  st.lines = g_array_new (FALSE, FALSE, sizeof (Line));
  ok = docent_text_read_lines (doc, data, len, opts, &funcs, &st, error);
  if (ok)
    docent_extracted_set_title (doc, st.first_heading != NULL ? st.first_heading
                                                              : st.first_line);
  g_array_unref (st.lines);
  g_free (st.first_line);
  g_free (st.first_heading);
  return ok ? g_steal_pointer (&doc) : NULL;
}
