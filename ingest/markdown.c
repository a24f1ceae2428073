/* markdown.c — Markdown files (CommonMark plus the GitHub tables people
 * use) turned into text with structure: headings, paragraphs, list items
 * and table rows as lines, code kept line by line, and the inline markup
 * removed (links keep their label, emphasis its words).
 *
 * Not a full CommonMark implementation: a line-by-line block pass feeds an
 * inline pass per paragraph. Every scan is bounded or remembered to fail,
 * so hostile input costs time linear in its size. */
#include "ingest/markdown.h"

#include <libxml/HTMLparser.h>
#include <string.h>

#include "ingest/text.h"

#define SNIFF_LEN (64 * 1024)
#define FRONT_MATTER_MAX (64 * 1024)
#define MAX_DEST 2048         /* link destination */
#define MAX_LINK_TITLE 1024
#define MAX_TAG 1024
#define MAX_PAREN_DEPTH 32
#define MAX_CODE_RUN 32       /* longer backtick runs are literal */
#define MAX_LABEL 999

typedef struct {
  const char *s;
  gsize len;
  gsize first;     /* byte offset of the first non-blank, len when blank */
  guint indent;    /* columns before it, tabs to multiples of 4 */
} MdLine;

typedef enum {
  PARA_NONE,
  PARA_TEXT,
  PARA_ITEM,
} ParaKind;

typedef struct {
  gsize open;
  gsize close;
} Pair;

typedef struct {
  gsize pos;       /* in the rendered output */
  guint len;
  char ch;
  gboolean can_open;
  gboolean can_close;
  gboolean matched;
} Delim;

typedef struct {
  DocentPage *page;
  GHashTable *refs;       /* normalised labels of link definitions */

  GString *para;          /* raw text of the open paragraph or list item */
  ParaKind kind;
  guint para_lines;
  gboolean in_list;
  guint item_indent;      /* content column of the last list item */
  guint list_indent;      /* ... and of the list's first, outermost one */
  gboolean after_blank;
  gboolean in_fence;
  char fence_char;
  guint fence_len;
  guint fence_indent;
  guint fence_quote;
  gboolean in_code;
  gboolean in_table;
  gboolean in_comment;
  guint quote_level;

  char *title_front;
  char *title_h1;
  char *title_any;

  /* Scratch space of the inline pass. */
  GString *out;
  GArray *delims;         /* of Delim */
  GArray *pairs;          /* of Pair: matching brackets */
  GArray *stack;          /* of gsize */
  GArray *pending;        /* of Pair: (close bracket, resume position) */
  GArray *openers[3];     /* of guint: open delimiters for * _ ~ */
} MdState;

/* --- lines ------------------------------------------------------------ */

static gboolean
is_blank_byte (char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static void
line_init (MdLine     *line,
           const char *s,
           gsize       len)
{
  line->s = s;
  line->len = len;
  line->first = 0;
  line->indent = 0;
  while (line->first < len && is_blank_byte (s[line->first]))
    {
      line->indent = s[line->first] == '\t' ? (line->indent + 4) / 4 * 4
                                            : line->indent + 1;
      line->first++;
    }
}

static gboolean
line_is_blank (const MdLine *line)
{
  return line->first >= line->len;
}

static const char *
line_text (const MdLine *line,
           gsize        *len)
{
  *len = line->len - line->first;
  return line->s + line->first;
}

/* Drops up to `cols` columns of indentation. */
static void
line_unindent (MdLine *line,
               guint   cols)
{
  gsize i = 0;
  guint col = 0;

  while (i < line->len && col < cols && is_blank_byte (line->s[i]))
    {
      col = line->s[i] == '\t' ? (col + 4) / 4 * 4 : col + 1;
      i++;
    }
  line_init (line, line->s + i, line->len - i);
}

/* Removes "> " markers; returns how many there were. */
static guint
line_strip_quotes (MdLine *line,
                   guint   max)
{
  guint n = 0;

  while (n < max && line->indent <= 3 && line->first < line->len &&
         line->s[line->first] == '>')
    {
      gsize i = line->first + 1;

      if (i < line->len && (line->s[i] == ' ' || line->s[i] == '\t'))
        i++;
      line_init (line, line->s + i, line->len - i);
      n++;
    }
  return n;
}

static guint
run_length (const char *s,
            gsize       len,
            gsize       from,
            char        c)
{
  gsize i = from;

  while (i < len && s[i] == c)
    i++;
  return i - from;
}

static gboolean
rest_is_blank (const char *s,
               gsize       from,
               gsize       len)
{
  for (gsize i = from; i < len; i++)
    if (!is_blank_byte (s[i]))
      return FALSE;
  return TRUE;
}

static gboolean
is_fence (const MdLine *line,
          char         *ch,
          guint        *n)
{
  char c;
  guint run;

  if (line->indent > 3 || line_is_blank (line))
    return FALSE;
  c = line->s[line->first];
  if (c != '`' && c != '~')
    return FALSE;
  run = run_length (line->s, line->len, line->first, c);
  if (run < 3)
    return FALSE;
  /* A backtick fence's info string cannot hold backticks. */
  if (c == '`' &&
      memchr (line->s + line->first + run, '`', line->len - line->first - run) != NULL)
    return FALSE;
  *ch = c;
  *n = run;
  return TRUE;
}

static gboolean
closes_fence (const MdLine *line,
              char          ch,
              guint         n)
{
  guint run;

  if (line->indent > 3 || line_is_blank (line) || line->s[line->first] != ch)
    return FALSE;
  run = run_length (line->s, line->len, line->first, ch);
  return run >= n && rest_is_blank (line->s, line->first + run, line->len);
}

/* "## Title ##" → level 2 and "Title". */
static guint
atx_level (const MdLine *line,
           const char  **text,
           gsize        *text_len)
{
  const char *s = line->s + line->first;
  gsize len = line->len - line->first;
  guint level;

  if (line->indent > 3 || len == 0 || s[0] != '#')
    return 0;
  level = run_length (s, len, 0, '#');
  if (level > 6 || (level < len && !is_blank_byte (s[level])))
    return 0;
  s += level;
  len -= level;
  while (len > 0 && is_blank_byte (s[len - 1]))
    len--;
  /* An optional closing run of '#', after a space. */
  {
    gsize end = len;

    while (end > 0 && s[end - 1] == '#')
      end--;
    if (end == 0 || is_blank_byte (s[end - 1]))
      len = end;
  }
  *text = s;
  *text_len = len;
  return level;
}

static char
setext_char (const MdLine *line)
{
  char c;
  guint run;

  if (line->indent > 3 || line_is_blank (line))
    return 0;
  c = line->s[line->first];
  if (c != '=' && c != '-')
    return 0;
  run = run_length (line->s, line->len, line->first, c);
  return rest_is_blank (line->s, line->first + run, line->len) ? c : 0;
}

static gboolean
is_thematic_break (const MdLine *line)
{
  char c = 0;
  guint n = 0;

  if (line->indent > 3)
    return FALSE;
  for (gsize i = line->first; i < line->len; i++)
    {
      char d = line->s[i];

      if (is_blank_byte (d))
        continue;
      if ((d != '-' && d != '*' && d != '_') || (c != 0 && d != c))
        return FALSE;
      c = d;
      n++;
    }
  return n >= 3;
}

/* Bullet "- ", "* ", "+ " or ordered "12. ", "3) ". Sets where the content
 * starts, its column, and how much of the marker to keep (ordered lists
 * keep their numbers, bullets go). */
static gboolean
list_marker (const MdLine *line,
             gsize        *content,
             guint        *content_col,
             gsize        *keep)
{
  const char *s = line->s;
  gsize i = line->first, end;
  guint spaces = 0;

  if (i >= line->len)
    return FALSE;
  if (s[i] == '-' || s[i] == '*' || s[i] == '+')
    {
      end = i + 1;
      *keep = 0;
    }
  else
    {
      guint digits;

      for (digits = 0; i + digits < line->len && g_ascii_isdigit (s[i + digits]); digits++)
        if (digits >= 9)
          return FALSE;
      if (digits == 0 || i + digits >= line->len ||
          (s[i + digits] != '.' && s[i + digits] != ')'))
        return FALSE;
      end = i + digits + 1;
      *keep = digits + 1;
    }
  if (end < line->len && !is_blank_byte (s[end]))
    return FALSE;
  *content = end;
  while (*content < line->len && is_blank_byte (s[*content]))
    {
      (*content)++;
      spaces++;
    }
  if (spaces > 4 || *content >= line->len)
    spaces = 1;
  *content_col = line->indent + (end - i) + spaces;
  return TRUE;
}

static gboolean
has_unescaped_pipe (const char *s,
                    gsize       len)
{
  for (gsize i = 0; i < len; i++)
    {
      if (s[i] == '\\')
        i++;
      else if (s[i] == '|')
        return TRUE;
    }
  return FALSE;
}

/* "| --- | :---: |" */
static gboolean
is_table_delimiter (const MdLine *line)
{
  gboolean dash = FALSE, pipe = FALSE;

  if (line->indent > 3 || line_is_blank (line))
    return FALSE;
  for (gsize i = line->first; i < line->len; i++)
    {
      char c = line->s[i];

      if (c == '-')
        dash = TRUE;
      else if (c == '|')
        pipe = TRUE;
      else if (c != ':' && !is_blank_byte (c))
        return FALSE;
    }
  return dash && pipe;
}

/* "[label]: destination" → the label, else NULL. */
static char *
ref_definition_label (const MdLine *line)
{
  const char *s = line->s;
  gsize i = line->first, close;

  if (line->indent > 3 || i >= line->len || s[i] != '[')
    return NULL;
  for (close = i + 1; close < line->len && close - i <= MAX_LABEL; close++)
    {
      if (s[close] == '\\')
        close++;
      else if (s[close] == ']' || s[close] == '[')
        break;
    }
  if (close >= line->len || s[close] != ']' || close == i + 1 ||
      close + 1 >= line->len || s[close + 1] != ':')
    return NULL;
  if (rest_is_blank (s, close + 2, line->len))
    return NULL;
  return g_strndup (s + i + 1, close - i - 1);
}

/* Case-folded, whitespace collapsed: how labels compare. */
static char *
normalise_label (const char *s,
                 gsize       len)
{
  GString *out = g_string_sized_new (len);
  g_autofree char *folded = NULL;

  for (gsize i = 0; i < len; i++)
    {
      if (g_ascii_isspace (s[i]))
        {
          if (out->len > 0 && out->str[out->len - 1] != ' ')
            g_string_append_c (out, ' ');
        }
      else
        g_string_append_c (out, s[i]);
    }
  if (out->len > 0 && out->str[out->len - 1] == ' ')
    g_string_truncate (out, out->len - 1);
  folded = g_utf8_casefold (out->str, out->len);
  g_string_free (out, TRUE);
  return g_steal_pointer (&folded);
}

/* --- inline markup ---------------------------------------------------- */

static gboolean
is_md_space (char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static gboolean
is_md_punct (char c)
{
  return (guchar) c < 0x80 && g_ascii_ispunct (c);
}

static void
append_unichar (GString  *out,
                gunichar  c)
{
  char buf[6];

  g_string_append_len (out, buf, g_unichar_to_utf8 (c, buf));
}

/* Bracket pairs in order of their opening bracket. */
static gint
pair_compare (gconstpointer a,
              gconstpointer b)
{
  const Pair *pa = a, *pb = b;

  return pa->open < pb->open ? -1 : pa->open > pb->open;
}

static void
match_brackets (MdState    *st,
                const char *src,
                gsize       len)
{
  g_array_set_size (st->pairs, 0);
  g_array_set_size (st->stack, 0);
  for (gsize i = 0; i < len; i++)
    {
      if (src[i] == '\\' && i + 1 < len && is_md_punct (src[i + 1]))
        i++;
      else if (src[i] == '[')
        g_array_append_val (st->stack, i);
      else if (src[i] == ']' && st->stack->len > 0)
        {
          Pair pair;

          pair.open = g_array_index (st->stack, gsize, st->stack->len - 1);
          pair.close = i;
          g_array_set_size (st->stack, st->stack->len - 1);
          g_array_append_val (st->pairs, pair);
        }
    }
  g_array_sort (st->pairs, pair_compare);
}

/* The closing run of exactly n backticks from `from`, or G_MAXSIZE. */
static gsize
find_code_close (const char *src,
                 gsize       len,
                 gsize       from,
                 guint       n)
{
  gsize i = from;

  while (i < len)
    {
      const char *tick = memchr (src + i, '`', len - i);
      guint run;

      if (tick == NULL)
        break;
      i = tick - src;
      run = run_length (src, len, i, '`');
      if (run == n)
        return i;
      i += run;
    }
  return G_MAXSIZE;
}

/* After "](" at `i` (the parenthesis): destination, optional title, ")".
 * Returns the position after the ")" or G_MAXSIZE. */
static gsize
scan_link_tail (const char *src,
                gsize       len,
                gsize       i)
{
  gsize start;
  guint depth = 0;

  i++;
  while (i < len && is_md_space (src[i]))
    i++;
  start = i;
  if (i < len && src[i] == '<')
    {
      for (i++; i < len && i - start < MAX_DEST; i++)
        {
          if (src[i] == '\\')
            i++;
          else if (src[i] == '>' || src[i] == '<' || src[i] == '\n')
            break;
        }
      if (i >= len || src[i] != '>')
        return G_MAXSIZE;
      i++;
    }
  else
    {
      for (; i < len && i - start < MAX_DEST; i++)
        {
          char c = src[i];

          if (c == '\\')
            i++;
          else if (is_md_space (c))
            break;
          else if (c == '(' && ++depth > MAX_PAREN_DEPTH)
            return G_MAXSIZE;
          else if (c == ')')
            {
              if (depth == 0)
                break;
              depth--;
            }
        }
      if (i - start >= MAX_DEST)
        return G_MAXSIZE;
    }
  while (i < len && is_md_space (src[i]))
    i++;
  if (i < len && (src[i] == '"' || src[i] == '\'' || src[i] == '('))
    {
      char closer = src[i] == '(' ? ')' : src[i];

      start = i;
      for (i++; i < len && i - start < MAX_LINK_TITLE; i++)
        {
          if (src[i] == '\\')
            i++;
          else if (src[i] == closer)
            break;
        }
      if (i >= len || src[i] != closer)
        return G_MAXSIZE;
      i++;
      while (i < len && is_md_space (src[i]))
        i++;
    }
  return (i < len && src[i] == ')') ? i + 1 : G_MAXSIZE;
}

/* "&amp;", "&eacute;", "&#8217;", "&#x2019;" at `i`: appends the character
 * and returns the length consumed, 0 when it is no entity. */
static gsize
decode_entity (const char *src,
               gsize       len,
               gsize       i,
               GString    *out)
{
  char name[40];
  gsize j = i + 1, n = 0;
  gunichar c;

  while (j < len && n < sizeof name - 1 && (g_ascii_isalnum (src[j]) || src[j] == '#'))
    name[n++] = src[j++];
  name[n] = '\0';
  if (n == 0 || j >= len || src[j] != ';')
    return 0;
  if (name[0] == '#')
    {
      gboolean hex = n > 1 && (name[1] == 'x' || name[1] == 'X');
      const char *digits = name + (hex ? 2 : 1);
      char *endp = NULL;
      guint64 v;

      if (*digits == '\0' || strlen (digits) > (hex ? 6 : 7))
        return 0;
      v = g_ascii_strtoull (digits, &endp, hex ? 16 : 10);
      if (endp == NULL || *endp != '\0')
        return 0;
      c = (v == 0 || !g_unichar_validate ((gunichar) v)) ? 0xFFFD : (gunichar) v;
    }
  else
    {
      const htmlEntityDesc *desc = htmlEntityLookup ((const xmlChar *) name);

      if (desc == NULL)
        return 0;
      c = desc->value;
    }
  append_unichar (out, c);
  return j + 1 - i;
}

/* "<http://x>" or "<a@b.c>" at `i`: appends the address, returns the length. */
static gsize
scan_autolink (const char *src,
               gsize       len,
               gsize       i,
               GString    *out)
{
  gsize j = i + 1, k;
  gboolean scheme = FALSE, at = FALSE;

  if (j < len && g_ascii_isalpha (src[j]))
    {
      for (k = j + 1; k < len && k - j <= 32 &&
           (g_ascii_isalnum (src[k]) || src[k] == '+' || src[k] == '.' || src[k] == '-'); k++)
        ;
      scheme = k < len && src[k] == ':' && k - j >= 2;
    }
  for (k = j; k < len && k - j < MAX_DEST; k++)
    {
      char c = src[k];

      if (c == '>' || c == '<' || is_md_space (c))
        break;
      if (c == '@')
        at = TRUE;
    }
  if (k >= len || src[k] != '>' || k == j || (!scheme && !at))
    return 0;
  g_string_append_len (out, src + j, k - j);
  return k + 1 - i;
}

/* An HTML tag or comment at `i`: returns its length, 0 when it is none;
 * `is_break` tells a <br>. `*no_comment_end` remembers a failed search. */
static gsize
scan_tag (const char *src,
          gsize       len,
          gsize       i,
          gboolean   *is_break,
          gboolean   *no_comment_end)
{
  gsize j = i + 1;
  char quote = 0;

  *is_break = FALSE;
  if (len - i >= 4 && memcmp (src + i, "<!--", 4) == 0)
    {
      const char *end;

      if (*no_comment_end)
        return 0;
      end = g_strstr_len (src + i + 4, len - i - 4, "-->");
      if (end == NULL)
        {
          *no_comment_end = TRUE;
          return 0;
        }
      return end + 3 - (src + i);
    }
  if (j < len && src[j] == '/')
    j++;
  if (j >= len || !(g_ascii_isalpha (src[j]) || src[j] == '!' || src[j] == '?'))
    return 0;
  if (len - j >= 2 && g_ascii_strncasecmp (src + j, "br", 2) == 0 &&
      (j + 2 >= len || !g_ascii_isalnum (src[j + 2])))
    *is_break = TRUE;
  for (; j < len && j - i < MAX_TAG; j++)
    {
      char c = src[j];

      if (quote != 0)
        {
          if (c == quote)
            quote = 0;
        }
      else if (c == '"' || c == '\'')
        quote = c;
      else if (c == '>')
        return j + 1 - i;
      else if (c == '<')
        return 0;
    }
  return 0;
}

static void
add_delim (MdState    *st,
           const char *src,
           gsize       len,
           gsize       i,
           guint       n)
{
  char c = src[i];
  char before = i > 0 ? src[i - 1] : ' ';
  char after = i + n < len ? src[i + n] : ' ';
  gboolean left = !is_md_space (after) &&
                  (!is_md_punct (after) || is_md_space (before) || is_md_punct (before));
  gboolean right = !is_md_space (before) &&
                   (!is_md_punct (before) || is_md_space (after) || is_md_punct (after));
  Delim d = { st->out->len, n, c, left, right, FALSE };

  /* Underscores inside words are part of them (snake_case). */
  if (c == '_')
    {
      d.can_open = left && (!right || is_md_punct (before));
      d.can_close = right && (!left || is_md_punct (after));
    }
  if (d.can_open || d.can_close)
    g_array_append_val (st->delims, d);
  g_string_append_len (st->out, src + i, n);
}

static guint
delim_slot (char c)
{
  return c == '*' ? 0 : c == '_' ? 1 : 2;
}

/* Pairs openers with closers and cuts the paired runs out of st->out. */
static void
resolve_emphasis (MdState *st)
{
  Delim *d = (Delim *) st->delims->data;
  char *s = st->out->str;
  gsize r = 0, w = 0;

  for (guint k = 0; k < 3; k++)
    g_array_set_size (st->openers[k], 0);
  for (guint i = 0; i < st->delims->len; i++)
    {
      GArray *openers = st->openers[delim_slot (d[i].ch)];

      if (d[i].can_close && openers->len > 0)
        {
          guint o = g_array_index (openers, guint, openers->len - 1);

          g_array_set_size (openers, openers->len - 1);
          d[o].matched = d[i].matched = TRUE;
        }
      else if (d[i].can_open)
        g_array_append_val (openers, i);
    }
  for (guint i = 0; i < st->delims->len; i++)
    {
      if (!d[i].matched)
        continue;
      memmove (s + w, s + r, d[i].pos - r);
      w += d[i].pos - r;
      r = d[i].pos + d[i].len;
    }
  memmove (s + w, s + r, st->out->len - r);
  w += st->out->len - r;
  g_string_truncate (st->out, w);
}

static gboolean
try_link (MdState    *st,
          const char *src,
          gsize       len,
          gsize       i,
          guint      *pair_cursor)
{
  const Pair *pairs = (const Pair *) st->pairs->data;
  gsize close, resume = G_MAXSIZE;
  Pair pending;

  while (*pair_cursor < st->pairs->len && pairs[*pair_cursor].open < i)
    (*pair_cursor)++;
  if (*pair_cursor >= st->pairs->len || pairs[*pair_cursor].open != i)
    return FALSE;
  close = pairs[*pair_cursor].close;

  if (close + 1 < len && src[close + 1] == '(')
    resume = scan_link_tail (src, len, close + 1);
  if (resume == G_MAXSIZE && close + 1 < len && src[close + 1] == '[')
    {
      /* "[label][ref]": a second pair starts right after. */
      Pair key = { close + 1, 0 };
      guint k;

      if (g_array_binary_search (st->pairs, &key, pair_compare, &k) &&
          pairs[k].close - pairs[k].open <= MAX_LABEL + 1)
        resume = pairs[k].close + 1;
    }
  if (resume == G_MAXSIZE && close - i - 1 <= MAX_LABEL)
    {
      g_autofree char *label = normalise_label (src + i + 1, close - i - 1);

      if (g_hash_table_contains (st->refs, label))
        resume = close + 1;
    }
  if (resume == G_MAXSIZE)
    return FALSE;
  pending.open = close;
  pending.close = resume;
  g_array_append_val (st->pending, pending);
  return TRUE;
}

/* Renders the Markdown inline text src into st->out as plain text; '\n'
 * in the result marks a hard line break. */
static void
render_inline (MdState    *st,
               const char *src,
               gsize       len)
{
  gboolean no_code_close[MAX_CODE_RUN + 1] = { FALSE };
  gboolean no_comment_end = FALSE;
  guint pair_cursor = 0;
  gsize i = 0;

  g_string_truncate (st->out, 0);
  g_array_set_size (st->delims, 0);
  g_array_set_size (st->pending, 0);
  match_brackets (st, src, len);

  while (i < len)
    {
      char c = src[i];
      gsize n;

      /* A code span may have jumped over a link's closing bracket. */
      while (st->pending->len > 0 &&
             g_array_index (st->pending, Pair, st->pending->len - 1).open < i)
        g_array_set_size (st->pending, st->pending->len - 1);

      switch (c)
        {
        case '\\':
          if (i + 1 < len && src[i + 1] == '\n')
            {
              g_string_append_c (st->out, '\n');
              i += 2;
            }
          else if (i + 1 < len && is_md_punct (src[i + 1]))
            {
              g_string_append_c (st->out, src[i + 1]);
              i += 2;
            }
          else
            {
              g_string_append_c (st->out, c);
              i++;
            }
          continue;

        case '`':
          {
            guint run = run_length (src, len, i, '`');
            gsize close = G_MAXSIZE;

            if (run <= MAX_CODE_RUN && !no_code_close[run])
              {
                close = find_code_close (src, len, i + run, run);
                if (close == G_MAXSIZE)
                  no_code_close[run] = TRUE;
              }
            if (close == G_MAXSIZE)
              {
                g_string_append_len (st->out, src + i, run);
                i += run;
                continue;
              }
            for (gsize k = i + run; k < close; k++)
              g_string_append_c (st->out, src[k] == '\n' ? ' ' : src[k]);
            i = close + run;
            continue;
          }

        case '!':
          if (i + 1 < len && src[i + 1] == '[' &&
              try_link (st, src, len, i + 1, &pair_cursor))
            {
              i += 2;
              continue;
            }
          break;

        case '[':
          if (try_link (st, src, len, i, &pair_cursor))
            {
              i++;
              continue;
            }
          break;

        case ']':
          if (st->pending->len > 0 &&
              g_array_index (st->pending, Pair, st->pending->len - 1).open == i)
            {
              i = g_array_index (st->pending, Pair, st->pending->len - 1).close;
              g_array_set_size (st->pending, st->pending->len - 1);
              continue;
            }
          break;

        case '<':
          {
            gboolean is_break;

            if ((n = scan_autolink (src, len, i, st->out)) > 0)
              {
                i += n;
                continue;
              }
            if ((n = scan_tag (src, len, i, &is_break, &no_comment_end)) > 0)
              {
                if (is_break)
                  g_string_append_c (st->out, '\n');
                i += n;
                continue;
              }
          }
          break;

        case '&':
          if ((n = decode_entity (src, len, i, st->out)) > 0)
            {
              i += n;
              continue;
            }
          break;

        case '*':
        case '_':
        case '~':
          n = run_length (src, len, i, c);
          if (c != '~' || n == 2)
            add_delim (st, src, len, i, n);
          else
            g_string_append_len (st->out, src + i, n);
          i += n;
          continue;

        case '\n':
          /* Two trailing spaces make a hard break. */
          if (i >= 2 && src[i - 1] == ' ' && src[i - 2] == ' ')
            g_string_append_c (st->out, '\n');
          else
            g_string_append_c (st->out, ' ');
          i++;
          continue;

        default:
          break;
        }
      g_string_append_c (st->out, c);
      i++;
    }
  resolve_emphasis (st);
}

/* --- blocks ------------------------------------------------------------ */

static void
flush_para (MdState *st)
{
  if (st->kind == PARA_NONE)
    return;
  render_inline (st, st->para->str, st->para->len);
  /* st->out's '\n' are hard line breaks. */
  docent_text_append_lines (st->page, st->out->str, st->out->len);
  if (st->kind == PARA_TEXT)
    docent_page_end_block (st->page);
  else
    docent_page_line_break (st->page);
  st->kind = PARA_NONE;
  st->para_lines = 0;
  g_string_truncate (st->para, 0);
}

static void
start_para (MdState    *st,
            ParaKind    kind,
            const char *text,
            gsize       len)
{
  st->kind = kind;
  st->para_lines = 1;
  g_string_truncate (st->para, 0);
  g_string_append_len (st->para, text, len);
}

static void
end_list (MdState *st)
{
  if (!st->in_list)
    return;
  docent_page_end_block (st->page);
  st->in_list = FALSE;
}

static void
add_heading (MdState    *st,
             const char *text,
             gsize       len,
             guint       level)
{
  GArray *headings = st->page->headings;
  guint before = headings->len;
  const DocentHeading *h;
  char *copy;

  render_inline (st, text, len);
  docent_page_add_heading (st->page, st->out->str, st->out->len, level);
  if (headings->len == before)
    return;
  h = &g_array_index (headings, DocentHeading, headings->len - 1);
  copy = g_strndup (st->page->text->str + h->start, h->end - h->start);
  if (level == 1 && st->title_h1 == NULL)
    st->title_h1 = g_strdup (copy);
  if (st->title_any == NULL)
    st->title_any = g_steal_pointer (&copy);
  g_free (copy);
}

static void
emit_code_line (MdState *st,
                MdLine  *line,
                guint    indent)
{
  line_unindent (line, indent);
  docent_page_append_text (st->page, line->s, line->len);
  docent_page_line_break (st->page);
}

static void
emit_table_row (MdState    *st,
                const char *s,
                gsize       len)
{
  gsize start = 0, end = len;
  gboolean first = TRUE;

  while (start < end && is_blank_byte (s[start]))
    start++;
  while (end > start && is_blank_byte (s[end - 1]))
    end--;
  if (start < end && s[start] == '|')
    start++;
  if (end > start && s[end - 1] == '|' && (end - 1 == start || s[end - 2] != '\\'))
    end--;

  docent_page_line_break (st->page);
  while (start <= end)
    {
      gsize cell_end = start;

      while (cell_end < end && s[cell_end] != '|')
        cell_end += (s[cell_end] == '\\' && cell_end + 1 < end) ? 2 : 1;
      render_inline (st, s + start, cell_end - start);
      if (!first)
        docent_page_append_text (st->page, " | ", 3);
      docent_page_append_text (st->page, st->out->str, st->out->len);
      first = FALSE;
      start = cell_end + 1;
    }
  docent_page_line_break (st->page);
}

static void
process_line (MdState    *st,
              const char *s,
              gsize       len)
{
  MdLine line;
  gboolean after_blank;
  gboolean block_ok;
  guint quote;
  const char *text;
  gsize text_len, content, keep;
  guint level, content_col, fence_len, raw_indent;
  char fence_char;
  char *label;

  line_init (&line, s, len);
  if (st->in_fence)
    {
      line_strip_quotes (&line, st->fence_quote);
      if (closes_fence (&line, st->fence_char, st->fence_len))
        {
          st->in_fence = FALSE;
          docent_page_end_block (st->page);
        }
      else
        emit_code_line (st, &line, st->fence_indent);
      return;
    }
  if (st->in_comment)
    {
      if (g_strstr_len (s, len, "-->") != NULL)
        st->in_comment = FALSE;
      return;
    }

  quote = line_strip_quotes (&line, G_MAXUINT);
  if (line_is_blank (&line))
    {
      flush_para (st);
      if (st->in_table)
        {
          st->in_table = FALSE;
          docent_page_end_block (st->page);
        }
      st->after_blank = TRUE;
      return;
    }
  after_blank = st->after_blank;
  st->after_blank = FALSE;

  if (quote != st->quote_level)
    {
      flush_para (st);
      end_list (st);
      st->in_code = st->in_table = FALSE;
      docent_page_end_block (st->page);
      st->quote_level = quote;
    }
  if (st->in_code)
    {
      if (line.indent >= 4)
        {
          emit_code_line (st, &line, 4);
          return;
        }
      st->in_code = FALSE;
      docent_page_end_block (st->page);
    }
  if (st->in_table)
    {
      if (has_unescaped_pipe (line.s, line.len))
        {
          emit_table_row (st, line.s, line.len);
          return;
        }
      st->in_table = FALSE;
      docent_page_end_block (st->page);
    }

  /* Inside a list item, blocks may be indented up to its content. */
  raw_indent = line.indent;
  block_ok = line.indent <= 3 || (st->in_list && line.indent < st->item_indent + 4);
  if (block_ok && line.indent > 3)
    line_unindent (&line, st->item_indent);

  if (block_ok && is_fence (&line, &fence_char, &fence_len))
    {
      flush_para (st);
      if (!st->in_list)
        docent_page_end_block (st->page);
      st->in_fence = TRUE;
      st->fence_char = fence_char;
      st->fence_len = fence_len;
      st->fence_indent = raw_indent;
      st->fence_quote = quote;
      return;
    }
  if (line.indent >= 4 && st->kind == PARA_NONE && !st->in_list)
    {
      docent_page_end_block (st->page);
      st->in_code = TRUE;
      emit_code_line (st, &line, 4);
      return;
    }
  if (block_ok && st->kind == PARA_NONE && line.len - line.first >= 4 &&
      memcmp (line.s + line.first, "<!--", 4) == 0 &&
      g_strstr_len (line.s + line.first + 4, line.len - line.first - 4, "-->") == NULL)
    {
      st->in_comment = TRUE;
      return;
    }
  if (block_ok && (level = atx_level (&line, &text, &text_len)) > 0)
    {
      flush_para (st);
      end_list (st);
      add_heading (st, text, text_len, level);
      return;
    }
  if (block_ok && st->kind == PARA_TEXT && (fence_char = setext_char (&line)) != 0)
    {
      add_heading (st, st->para->str, st->para->len, fence_char == '=' ? 1 : 2);
      st->kind = PARA_NONE;
      g_string_truncate (st->para, 0);
      return;
    }
  if (block_ok && is_thematic_break (&line))
    {
      flush_para (st);
      end_list (st);
      docent_page_end_block (st->page);
      return;
    }
  if (block_ok && st->kind == PARA_TEXT && st->para_lines == 1 &&
      is_table_delimiter (&line) &&
      has_unescaped_pipe (st->para->str, st->para->len))
    {
      docent_page_end_block (st->page);
      emit_table_row (st, st->para->str, st->para->len);
      st->kind = PARA_NONE;
      g_string_truncate (st->para, 0);
      st->in_table = TRUE;
      return;
    }
  if (block_ok && st->kind != PARA_TEXT && (label = ref_definition_label (&line)) != NULL)
    {
      g_free (label);
      return;
    }
  if (block_ok && list_marker (&line, &content, &content_col, &keep))
    {
      gsize marker = line.first;

      flush_para (st);
      if (!st->in_list)
        {
          docent_page_end_block (st->page);
          st->list_indent = content_col;
        }
      st->in_list = TRUE;
      st->item_indent = content_col;
      start_para (st, PARA_ITEM, line.s + marker, keep);
      if (keep > 0)
        g_string_append_c (st->para, ' ');
      g_string_append_len (st->para, line.s + content, line.len - content);
      return;
    }

  text = line_text (&line, &text_len);
  if (st->kind != PARA_NONE)
    {
      g_string_append_c (st->para, '\n');
      g_string_append_len (st->para, text, text_len);
      st->para_lines++;
    }
  else if (st->in_list && (!after_blank || raw_indent >= st->list_indent))
    start_para (st, PARA_ITEM, text, text_len);
  else
    {
      end_list (st);
      start_para (st, PARA_TEXT, text, text_len);
    }
}

/* YAML front matter ("---" ... "---") at the very start: skipped, its
 * title kept. Returns where the Markdown starts. */
static gsize
skip_front_matter (const char *data,
                   gsize       len,
                   char      **title)
{
  const char *p, *end = data + MIN (len, FRONT_MATTER_MAX);

  if (len < 4 || memcmp (data, "---", 3) != 0 || !(data[3] == '\n' ||
      (data[3] == '\r' && len > 4 && data[4] == '\n')))
    return 0;
  p = memchr (data, '\n', len) + 1;
  while (p < end)
    {
      const char *nl = memchr (p, '\n', end - p);
      gsize n = (nl != NULL ? nl : end) - p;

      while (n > 0 && is_blank_byte (p[n - 1]))
        n--;
      if ((n == 3 && (memcmp (p, "---", 3) == 0 || memcmp (p, "...", 3) == 0)))
        return nl != NULL ? (gsize) (nl + 1 - data) : len;
      if (*title == NULL && n > 6 && g_ascii_strncasecmp (p, "title:", 6) == 0)
        {
          g_autofree char *value = g_strndup (p + 6, n - 6);

          g_strstrip (value);
          if (strlen (value) >= 2 && (value[0] == '"' || value[0] == '\'') &&
              value[strlen (value) - 1] == value[0])
            {
              value[strlen (value) - 1] = '\0';
              memmove (value, value + 1, strlen (value));
            }
          *title = g_steal_pointer (&value);
        }
      if (nl == NULL)
        break;
      p = nl + 1;
    }
  g_clear_pointer (title, g_free);
  return 0;
}

static void
collect_references (MdState    *st,
                    const char *data,
                    gsize       len)
{
  const char *p = data, *end = data + len;

  while (p < end)
    {
      const char *nl = memchr (p, '\n', end - p);
      gsize n = (nl != NULL ? nl : end) - p;
      MdLine line;
      char *label;

      line_init (&line, p, n);
      line_strip_quotes (&line, G_MAXUINT);
      if ((label = ref_definition_label (&line)) != NULL)
        {
          g_hash_table_add (st->refs, normalise_label (label, strlen (label)));
          g_free (label);
        }
      p = nl != NULL ? nl + 1 : end;
    }
}

static void
md_state_init (MdState    *st,
               DocentPage *page)
{
  memset (st, 0, sizeof *st);
  st->page = page;
  st->refs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  st->para = g_string_new (NULL);
  st->out = g_string_new (NULL);
  st->delims = g_array_new (FALSE, FALSE, sizeof (Delim));
  st->pairs = g_array_new (FALSE, FALSE, sizeof (Pair));
  st->stack = g_array_new (FALSE, FALSE, sizeof (gsize));
  st->pending = g_array_new (FALSE, FALSE, sizeof (Pair));
  for (guint k = 0; k < 3; k++)
    st->openers[k] = g_array_new (FALSE, FALSE, sizeof (guint));
}

static void
md_state_clear (MdState *st)
{
  g_hash_table_unref (st->refs);
  g_string_free (st->para, TRUE);
  g_string_free (st->out, TRUE);
  g_array_unref (st->delims);
  g_array_unref (st->pairs);
  g_array_unref (st->stack);
  g_array_unref (st->pending);
  for (guint k = 0; k < 3; k++)
    g_array_unref (st->openers[k]);
  g_free (st->title_front);
  g_free (st->title_h1);
  g_free (st->title_any);
}

static void
md_end (gpointer state)
{
  MdState *st = state;

  flush_para (st);
  docent_page_finish (st->page);
}

static void
md_line (gpointer    state,
         const char *s,
         gsize       len)
{
  if (len > 0 && s[len - 1] == '\r')
    len--;
  process_line (state, s, len);
}

DocentExtracted *
docent_extract_markdown (const char                 *data,
                         gsize                       len,
                         const DocentExtractOptions *opts,
                         GError                    **error)
{
  /* No checkpoint: cutting a paragraph short would change its text. */
  static const DocentTextLineFuncs funcs = { .line = md_line, .end = md_end };
  g_autoptr(DocentExtracted) doc = docent_extracted_new ("markdown");
  MdState st;
  gsize start;
  gboolean ok;

  if (data == NULL)
    data = "", len = 0;
  md_state_init (&st, docent_extracted_add_page (doc));
  collect_references (&st, data, len);
  start = skip_front_matter (data, len, &st.title_front);
  ok = docent_text_read_lines (doc, data + start, len - start, opts, &funcs, &st,
                               error);
  if (ok)
    docent_extracted_set_title (doc, st.title_front != NULL ? st.title_front :
                                     st.title_h1 != NULL ? st.title_h1 : st.title_any);
  md_state_clear (&st);
  return ok ? g_steal_pointer (&doc) : NULL;
}

/* --- detection --------------------------------------------------------- */

enum {
  SIG_SETEXT = 1 << 0,
  SIG_FENCE = 1 << 1,
  SIG_LINK = 1 << 2,
  SIG_LIST = 1 << 3,
  SIG_EMPHASIS = 1 << 4,
  SIG_CODE = 1 << 5,
  SIG_QUOTE = 1 << 6,
  SIG_TABLE = 1 << 7,
};

/* "[label](target)" within one line. */
static gboolean
line_has_link (const char *s,
               gsize       len)
{
  const char *p = s, *end = s + len;

  while ((p = g_strstr_len (p, end - p, "](")) != NULL)
    {
      if (memchr (s, '[', p - s) != NULL && memchr (p + 2, ')', end - p - 2) != NULL)
        return TRUE;
      p += 2;
    }
  return FALSE;
}

/* "**strong**", "*em*", "_em_" with the markers hugging words. */
static gboolean
line_has_emphasis (const char *s,
                   gsize       len)
{
  for (gsize i = 0; i + 2 < len; i++)
    {
      char c = s[i];
      guint run;

      if (c != '*' && c != '_')
        continue;
      run = run_length (s, len, i, c);
      if (run > 2 || (i > 0 && g_ascii_isalnum (s[i - 1])) ||
          i + run >= len || is_md_space (s[i + run]))
        {
          i += run - 1;
          continue;
        }
      for (gsize j = i + run + 1; j + run <= len && j < i + 200; j++)
        if (s[j] == c && run_length (s, len, j, c) == run && !is_md_space (s[j - 1]) &&
            (j + run == len || !g_ascii_isalnum (s[j + run])))
          return TRUE;
      i += run - 1;
    }
  return FALSE;
}

static gboolean
line_has_code (const char *s,
               gsize       len)
{
  const char *tick = memchr (s, '`', len);

  return tick != NULL && tick + 1 < s + len && tick[1] != '`' && tick[1] != ' ' &&
         memchr (tick + 2, '`', s + len - tick - 2) != NULL;
}

gboolean
docent_text_looks_like_markdown (const char *text,
                                 gsize       len)
{
  const char *p = text, *end = text + MIN (len, SNIFF_LEN);
  guint signals = 0, atx = 0, hash_lines = 0, nonblank = 0, bits = 0;
  gboolean prev_text = FALSE;

  if (text == NULL)
    return FALSE;
  while (p < end)
    {
      const char *nl = memchr (p, '\n', end - p);
      gsize n = (nl != NULL ? nl : end) - p;
      MdLine line;
      const char *t, *h;
      gsize t_len, h_len, content, keep;
      guint col;
      char fc;
      guint fl;

      line_init (&line, p, n);
      p = nl != NULL ? nl + 1 : end;
      if (line_is_blank (&line))
        {
          prev_text = FALSE;
          continue;
        }
      nonblank++;
      t = line_text (&line, &t_len);
      if (t[0] == '#')
        hash_lines++;
      if (atx_level (&line, &h, &h_len) > 0 && h_len > 0)
        atx++;
      else if (prev_text && setext_char (&line) != 0 &&
               run_length (t, t_len, 0, t[0]) >= 3)
        signals |= SIG_SETEXT;
      if (is_fence (&line, &fc, &fl))
        signals |= SIG_FENCE;
      if (line.indent <= 3 && t[0] == '>')
        signals |= SIG_QUOTE;
      if (is_table_delimiter (&line))
        signals |= SIG_TABLE;
      if (line.indent <= 3 && !is_thematic_break (&line) &&
          list_marker (&line, &content, &col, &keep) && content < line.len)
        signals |= SIG_LIST;
      if (line_has_link (t, t_len))
        signals |= SIG_LINK;
      if (line_has_emphasis (t, t_len))
        signals |= SIG_EMPHASIS;
      if (line_has_code (t, t_len))
        signals |= SIG_CODE;
      prev_text = TRUE;
    }
  /* Lots of lines starting with '#' are comments (config, scripts). */
  if (atx > 0 && (hash_lines <= 2 || hash_lines * 3 <= nonblank))
    return TRUE;
  for (guint s = signals; s != 0; s &= s - 1)
    bits++;
  return bits >= 2;
}
