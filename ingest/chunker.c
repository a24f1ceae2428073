/* chunker.c — cuts a document into passages sized for retrieval.
 *
 * Two passes. First the text is cut into units: headings, and sentences of
 * each block (a sentence too long for a chunk is cut at line breaks, then at
 * words). Then units are packed greedily into chunks: a chunk closes at a
 * block boundary once it is big enough, always before it would pass the
 * maximum, and before a heading; the next chunk starts with the last
 * sentence(s) of the previous one as overlap. Units never straddle pages,
 * chunks may. */
#include "ingest/chunker.h"

#include <string.h>

typedef struct {
  guint page;          /* index into doc->pages */
  gsize start, end;    /* bytes in the page text */
  guint char_start;    /* code points */
  guint char_end;
  guint tokens;
  guint block_tokens;  /* tokens from this unit to the end of its block */
  gboolean block_start;
  gint heading;        /* index into the page's headings when a heading, else -1 */
} Unit;

typedef struct {
  const DocentExtracted *doc;
  const DocentChunkerOptions *opts;
  GArray *units;
  /* Running byte → code point conversion over the current page. */
  const char *text;
  gsize pos_bytes;
  guint pos_chars;
} Cutter;

void
docent_chunker_options_init (DocentChunkerOptions *opts)
{
  *opts = (DocentChunkerOptions) {
    .min_tokens = 200,
    .target_tokens = 300,
    .max_tokens = 400,
    .overlap_tokens = 40,
  };
}

static gboolean
is_cjk (gunichar c)
{
  return (c >= 0x2E80 && c <= 0x9FFF) || (c >= 0xAC00 && c <= 0xD7AF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x2FFFF);
}

/* Words count one token, CJK characters and punctuation one each: close to
 * what subword tokenizers produce for prose, and cheap. */
guint
docent_estimate_tokens (const char *text,
                        gssize      len)
{
  const char *p, *end;
  gboolean in_word = FALSE;
  guint n = 0;

  if (len < 0)
    len = strlen (text);
  end = text + len;
  for (p = text; p < end; p = g_utf8_next_char (p))
    {
      gunichar c = (guchar) *p < 0x80 ? (gunichar) *p : g_utf8_get_char (p);

      if (c < 0x80 ? g_ascii_isalnum (c) : (g_unichar_isalnum (c) && !is_cjk (c)))
        {
          if (!in_word)
            n++;
          in_word = TRUE;
          continue;
        }
      in_word = FALSE;
      if (c < 0x80 ? !g_ascii_isspace (c) : !g_unichar_isspace (c))
        n++;
    }
  return n;
}

static guint
char_offset (Cutter *cut,
             gsize   byte)
{
  g_assert (byte >= cut->pos_bytes);
  cut->pos_chars += g_utf8_strlen (cut->text + cut->pos_bytes, byte - cut->pos_bytes);
  cut->pos_bytes = byte;
  return cut->pos_chars;
}

static void
add_unit (Cutter   *cut,
          guint     page,
          gsize     start,
          gsize     end,
          gboolean  block_start,
          gint      heading)
{
  Unit unit = { 0 };

  while (start < end && g_ascii_isspace (cut->text[start]))
    start++;
  while (end > start && g_ascii_isspace (cut->text[end - 1]))
    end--;
  if (start == end)
    return;
  unit.page = page;
  unit.start = start;
  unit.end = end;
  unit.char_start = char_offset (cut, start);
  unit.char_end = char_offset (cut, end);
  unit.tokens = docent_estimate_tokens (cut->text + start, end - start);
  unit.block_start = block_start;
  unit.heading = heading;
  g_array_append_val (cut->units, unit);
}

static gboolean
is_abbreviation (const char *text,
                 gsize       block_start,
                 gsize       dot)
{
  static const char *const abbrevs[] = {
    "mr", "mrs", "ms", "dr", "prof", "st", "no", "nos", "vs", "etc", "e.g",
    "i.e", "art", "sec", "fig", "cf", "approx", "inc", "ltd", "co", "jr", "sr",
    "p", "pp", "para", "ch", "vol", "ed", "al", "dept", "est", "jan", "feb",
    "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
  };
  gsize start = dot;
  g_autofree char *word = NULL;

  while (start > block_start &&
         (g_ascii_isalpha (text[start - 1]) || text[start - 1] == '.'))
    start--;
  if (dot - start == 1 && g_ascii_isupper (text[start]))
    return TRUE;  /* an initial: "J. Smith" */
  if (dot - start == 0 || dot - start > 6)
    return FALSE;
  word = g_ascii_strdown (text + start, dot - start);
  for (guint i = 0; i < G_N_ELEMENTS (abbrevs); i++)
    if (strcmp (word, abbrevs[i]) == 0)
      return TRUE;
  return FALSE;
}

/* Where the sentence ending at the terminator at `i` really ends (after
 * closing quotes and brackets), or 0 when `i` does not end a sentence. */
static gsize
sentence_end (const char *text,
              gsize       block_start,
              gsize       block_end,
              gsize       i)
{
  gunichar c = g_utf8_get_char (text + i);
  gsize j = g_utf8_next_char (text + i) - text;

  if (c == 0x3002 || c == 0xFF01 || c == 0xFF1F)  /* CJK: no space follows */
    return j;
  if (c != '.' && c != '!' && c != '?' && c != 0x2026)
    return 0;
  while (j < block_end && strchr ("\"')]}", text[j]) != NULL && text[j] != '\0')
    j++;
  while (j + 2 < block_end && (guchar) text[j] == 0xE2 && (guchar) text[j + 1] == 0x80 &&
         ((guchar) text[j + 2] == 0x9D || (guchar) text[j + 2] == 0x99))
    j += 3;  /* ” ’ */
  if (j >= block_end)
    return block_end;
  if (text[j] != ' ' && text[j] != '\n')
    return 0;
  if (c == '.' && is_abbreviation (text, block_start, i))
    return 0;
  {
    gsize k = j;

    while (k < block_end && (text[k] == ' ' || text[k] == '\n'))
      k++;
    /* "etc. and so on": a lower-case word does not start a sentence. */
    if (k < block_end && g_ascii_islower (text[k]))
      return 0;
  }
  return j;
}

static void
cut_by_words (Cutter   *cut,
              guint     page,
              gsize     start,
              gsize     end,
              gboolean  block_start)
{
  const char *text = cut->text;
  gsize piece = start, word = start;
  guint tokens = 0;

  for (gsize i = start; i <= end; i++)
    {
      if (i < end && text[i] != ' ' && text[i] != '\n')
        continue;
      tokens += docent_estimate_tokens (text + word, i - word);
      word = i + 1;
      if (tokens >= cut->opts->target_tokens && i < end)
        {
          add_unit (cut, page, piece, i, block_start && piece == start, -1);
          piece = i;
          tokens = 0;
        }
    }
  add_unit (cut, page, piece, end, block_start && piece == start, -1);
}

/* A sentence longer than a chunk: cut at line breaks (lists, tables) and
 * then, for a line still too long, at words. */
static void
cut_long_sentence (Cutter  *cut,
                   guint    page,
                   gsize    start,
                   gsize    end,
                   gboolean block_start)
{
  const char *text = cut->text;
  gsize piece = start;
  guint tokens = 0;

  for (gsize line = start; line < end; )
    {
      const char *nl = memchr (text + line, '\n', end - line);
      gsize line_end = nl ? (gsize) (nl - text) : end;
      guint line_tokens = docent_estimate_tokens (text + line, line_end - line);

      if (tokens > 0 && tokens + line_tokens > cut->opts->target_tokens)
        {
          add_unit (cut, page, piece, line, block_start && piece == start, -1);
          piece = line;
          tokens = 0;
        }
      if (line_tokens > cut->opts->max_tokens)
        {
          cut_by_words (cut, page, line, line_end, block_start && line == start);
          piece = line_end;
          tokens = 0;
        }
      else
        tokens += line_tokens;
      line = nl ? line_end + 1 : end;
    }
  if (piece < end)
    add_unit (cut, page, piece, end, block_start && piece == start, -1);
}

static void
cut_sentence (Cutter  *cut,
              guint    page,
              gsize    start,
              gsize    end,
              gboolean block_start)
{
  if (docent_estimate_tokens (cut->text + start, end - start) > cut->opts->max_tokens)
    cut_long_sentence (cut, page, start, end, block_start);
  else
    add_unit (cut, page, start, end, block_start, -1);
}

static void
cut_block (Cutter *cut,
           guint   page,
           gsize   start,
           gsize   end)
{
  const char *text = cut->text;
  gsize sentence = start;

  for (gsize i = start; i < end; i++)
    {
      gsize stop;

      if (text[i] != '.' && text[i] != '!' && text[i] != '?' && (guchar) text[i] < 0xE2)
        continue;
      if ((text[i] & 0xC0) == 0x80)
        continue;
      stop = sentence_end (text, start, end, i);
      if (stop == 0 || stop <= sentence)
        continue;
      cut_sentence (cut, page, sentence, stop, sentence == start);
      sentence = stop;
      i = stop - 1;
    }
  if (sentence < end)
    cut_sentence (cut, page, sentence, end, sentence == start);
}

/* Blocks are separated by blank lines; headings are blocks of their own,
 * but a heading that an extractor left inside a block still splits it. */
static void
cut_page (Cutter *cut,
          guint   page_index)
{
  const DocentPage *page = cut->doc->pages->pdata[page_index];
  const char *text = page->text->str;
  gsize len = page->text->len;
  guint h = 0;
  gsize pos = 0;

  cut->text = text;
  cut->pos_bytes = 0;
  cut->pos_chars = 0;
  while (pos < len)
    {
      const char *gap = strstr (text + pos, "\n\n");
      gsize end = gap ? (gsize) (gap - text) : len;

      while (h < page->headings->len &&
             g_array_index (page->headings, DocentHeading, h).start < end)
        {
          const DocentHeading *hd = &g_array_index (page->headings, DocentHeading, h);

          if (hd->start >= pos && hd->end <= len)
            {
              if (hd->start > pos)
                cut_block (cut, page_index, pos, hd->start);
              add_unit (cut, page_index, hd->start, hd->end, TRUE, h);
              pos = hd->end;
            }
          h++;
        }
      if (end > pos)
        cut_block (cut, page_index, pos, end);
      pos = MAX (pos, end);
      while (pos < len && text[pos] == '\n')
        pos++;
    }
}

static void
count_block_tokens (GArray *units)
{
  guint remaining = 0;

  for (guint i = units->len; i-- > 0; )
    {
      Unit *u = &g_array_index (units, Unit, i);

      remaining += u->tokens;
      u->block_tokens = remaining;
      if (u->block_start)
        remaining = 0;
    }
}

static const char *
heading_text (const DocentExtracted *doc,
              const Unit            *u,
              gsize                 *len)
{
  const DocentPage *page = doc->pages->pdata[u->page];

  *len = u->end - u->start;
  return page->text->str + u->start;
}

static DocentChunk *
make_chunk (const DocentExtracted *doc,
            const Unit            *units,
            guint                  first,
            guint                  last,
            const Unit            *heading)
{
  DocentChunk *chunk = g_new0 (DocentChunk, 1);
  const Unit *a = &units[first], *b = &units[last];
  GString *text = g_string_new (NULL);

  for (guint p = a->page; p <= b->page; p++)
    {
      const GString *page_text = ((DocentPage *) doc->pages->pdata[p])->text;
      gsize from = p == a->page ? a->start : 0;
      gsize to = p == b->page ? b->end : page_text->len;

      if (text->len > 0)
        g_string_append (text, "\n\n");
      g_string_append_len (text, page_text->str + from, to - from);
    }
  for (guint i = first; i <= last; i++)
    chunk->tokens += units[i].tokens;
  chunk->page_start = ((DocentPage *) doc->pages->pdata[a->page])->page_no;
  chunk->page_end = ((DocentPage *) doc->pages->pdata[b->page])->page_no;
  chunk->char_start = a->char_start;
  chunk->char_end = b->char_end;
  chunk->text = g_string_free (text, FALSE);
  if (heading != NULL)
    {
      gsize len;
      const char *h = heading_text (doc, heading, &len);

      chunk->heading = g_strndup (h, len);
    }
  return chunk;
}

/* How many units at the end of [first, last] fit in the overlap budget:
 * whole sentences only, never a heading, never the whole chunk. */
static guint
overlap_start (const Unit *units,
               guint       first,
               guint       last,
               guint       budget)
{
  guint tokens = 0, start = last + 1;

  while (start > first + 1)
    {
      const Unit *u = &units[start - 1];

      if (u->heading >= 0 || tokens + u->tokens > budget)
        break;
      tokens += u->tokens;
      start--;
    }
  return start;
}

static gboolean
should_flush_before (const DocentChunkerOptions *opts,
                     const Unit                 *u,
                     guint                       tokens)
{
  if (tokens == 0)
    return FALSE;
  if (u->heading >= 0)
    return TRUE;
  if (tokens + u->tokens > opts->max_tokens)
    return TRUE;
  if (u->block_start)
    return tokens >= opts->target_tokens ||
           (tokens >= opts->min_tokens && tokens + u->block_tokens > opts->max_tokens);
  return FALSE;
}

typedef struct {
  guint first, last;
  guint own_tokens;      /* beyond the overlap the chunk starts with */
  const Unit *heading;
} Range;

static guint
range_tokens (const Unit *u,
              guint       first,
              guint       last)
{
  guint tokens = 0;

  for (guint j = first; j <= last; j++)
    tokens += u[j].tokens;
  return tokens;
}

/* Ends a chunk. A short scrap at the end of a section (before a heading or
 * at the end of the document) joins the chunk before it when that stays
 * within the maximum, rather than being a chunk of its own. */
static void
end_range (GArray                     *ranges,
             Range                       cur,
             const Unit                 *u,
             const DocentChunkerOptions *opts,
             gboolean                    section_end)
{
  if (section_end && ranges->len > 0 && cur.own_tokens < opts->min_tokens / 2)
    {
      Range *prev = &g_array_index (ranges, Range, ranges->len - 1);

      if (prev->heading == cur.heading &&
          range_tokens (u, prev->first, prev->last) + cur.own_tokens <= opts->max_tokens)
        {
          prev->last = cur.last;
          return;
        }
    }
  g_array_append_val (ranges, cur);
}

/* Packs units into ranges of units, one range per chunk. */
static GArray *
pack_units (const Unit                 *u,
            guint                       n_units,
            const DocentChunkerOptions *opts)
{
  GArray *ranges = g_array_new (FALSE, FALSE, sizeof (Range));
  Range cur = { 0 };
  const Unit *heading = NULL;
  guint tokens = 0;

  for (guint i = 0; i < n_units; i++)
    {
      /* Overlap alone never makes a chunk: only own tokens count for it. */
      if (cur.own_tokens > 0 && should_flush_before (opts, &u[i], tokens))
        {
          cur.last = i - 1;
          end_range (ranges, cur, u, opts, u[i].heading >= 0);
          cur.first = u[i].heading >= 0 ? i : overlap_start (u, cur.first, i - 1, opts->overlap_tokens);
          cur.own_tokens = 0;
          cur.heading = heading;
          tokens = range_tokens (u, cur.first, i) - u[i].tokens;
        }
      if (u[i].heading >= 0)
        {
          heading = &u[i];
          if (cur.own_tokens == 0)
            {
              cur.first = i;
              tokens = 0;
            }
        }
      if (cur.own_tokens == 0)
        cur.heading = heading;
      tokens += u[i].tokens;
      cur.own_tokens += u[i].tokens;
    }
  if (cur.own_tokens > 0)
    {
      cur.last = n_units - 1;
      end_range (ranges, cur, u, opts, TRUE);
    }
  return ranges;
}

GPtrArray *
docent_chunk_document (const DocentExtracted      *doc,
                       const DocentChunkerOptions *opts)
{
  DocentChunkerOptions defaults;
  GPtrArray *chunks = g_ptr_array_new_with_free_func ((GDestroyNotify) docent_chunk_free);
  g_autoptr(GArray) units = g_array_new (FALSE, FALSE, sizeof (Unit));
  g_autoptr(GArray) ranges = NULL;
  Cutter cut = { 0 };

  if (opts == NULL)
    {
      docent_chunker_options_init (&defaults);
      opts = &defaults;
    }
  cut.doc = doc;
  cut.opts = opts;
  cut.units = units;
  for (guint p = 0; p < doc->pages->len; p++)
    cut_page (&cut, p);
  count_block_tokens (units);

  ranges = pack_units ((const Unit *) units->data, units->len, opts);
  for (guint i = 0; i < ranges->len; i++)
    {
      const Range *r = &g_array_index (ranges, Range, i);
      DocentChunk *chunk = make_chunk (doc, (const Unit *) units->data,
                                       r->first, r->last, r->heading);

      chunk->ordinal = i;
      g_ptr_array_add (chunks, chunk);
    }
  return chunks;
}

void
docent_chunk_free (DocentChunk *chunk)
{
  g_free (chunk->heading);
  g_free (chunk->text);
  g_free (chunk);
}
