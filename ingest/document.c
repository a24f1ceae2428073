/* document.c — DocentExtracted and the block builder extractors share.
 *
 * The builder keeps the page text normalised (see document.h) without any
 * state besides the text itself: what the text ends with tells whether we
 * are at the start of a block, after a line break, or after a space. */
#include "ingest/document.h"

#include <string.h>

void
docent_page_free (DocentPage *page)
{
  if (page == NULL)
    return;
  g_string_free (page->text, TRUE);
  g_array_unref (page->headings);
  g_clear_pointer (&page->boxes, g_array_unref);
  g_free (page);
}

DocentExtracted *
docent_extracted_new (const char *type)
{
  DocentExtracted *doc = g_new0 (DocentExtracted, 1);

  doc->type = g_strdup (type);
  doc->pages = g_ptr_array_new_with_free_func ((GDestroyNotify) docent_page_free);
  return doc;
}

void
docent_extracted_free (DocentExtracted *doc)
{
  if (doc == NULL)
    return;
  g_free (doc->type);
  g_free (doc->title);
  g_ptr_array_unref (doc->pages);
  g_free (doc);
}

DocentPage *
docent_page_new (guint page_no)
{
  DocentPage *page = g_new0 (DocentPage, 1);

  page->page_no = page_no;
  page->text = g_string_new (NULL);
  page->headings = g_array_new (FALSE, FALSE, sizeof (DocentHeading));
  return page;
}

DocentPage *
docent_extracted_add_page (DocentExtracted *doc)
{
  DocentPage *page = docent_page_new (doc->pages->len + 1);

  g_ptr_array_add (doc->pages, page);
  return page;
}

void
docent_extracted_set_title (DocentExtracted *doc,
                            const char      *title)
{
  g_autofree char *clean = NULL;

  if (title == NULL)
    return;
  clean = g_utf8_make_valid (title, -1);
  g_strstrip (g_strdelimit (clean, "\t\r\n", ' '));
  if (*clean == '\0')
    return;
  g_free (doc->title);
  doc->title = g_steal_pointer (&clean);
}

gsize
docent_extracted_text_length (const DocentExtracted *doc)
{
  gsize n = 0;

  for (guint i = 0; i < doc->pages->len; i++)
    n += ((DocentPage *) doc->pages->pdata[i])->text->len;
  return n;
}

gboolean
docent_extracted_is_empty (const DocentExtracted *doc)
{
  for (guint i = 0; i < doc->pages->len; i++)
    {
      const GString *text = ((DocentPage *) doc->pages->pdata[i])->text;

      for (gsize j = 0; j < text->len; j++)
        if (!g_ascii_isspace (text->str[j]))
          return FALSE;
    }
  return TRUE;
}

void
docent_extracted_trim (DocentExtracted *doc)
{
  while (doc->pages->len > 1)
    {
      DocentPage *last = doc->pages->pdata[doc->pages->len - 1];

      if (last->text->len > 0 || last->boxes != NULL)
        break;
      g_ptr_array_remove_index (doc->pages, doc->pages->len - 1);
    }
}

static void
strip_trailing_spaces (GString *text)
{
  while (text->len > 0 && text->str[text->len - 1] == ' ')
    g_string_truncate (text, text->len - 1);
}

static gboolean
at_line_start (const GString *text)
{
  return text->len == 0 || text->str[text->len - 1] == '\n';
}

/* Whitespace for the purpose of collapsing: ASCII blanks plus the Unicode
 * spaces that word processors and web pages use for layout. */
static gboolean
is_space (gunichar c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
         c == '\v' || c == 0x00A0 || c == 0x2028 || c == 0x2029 ||
         c == 0x3000 || (c >= 0x2000 && c <= 0x200A) || c == 0x202F ||
         c == 0x205F || c == 0x1680 || c == 0x0085;
}

/* Characters that carry nothing for search or reading. */
static gboolean
is_dropped (gunichar c)
{
  return (c < 0x20) || (c >= 0x7F && c < 0xA0) || c == 0x00AD ||
         c == 0x200B || c == 0x200C || c == 0x200D || c == 0x2060 ||
         c == 0xFEFF || c == 0xFFFD;
}

void
docent_page_append_text (DocentPage *page,
                         const char *text,
                         gssize      len)
{
  GString *out = page->text;
  const char *p, *end;
  g_autofree char *valid = NULL;

  if (text == NULL)
    return;
  if (len < 0)
    len = strlen (text);
  if (!g_utf8_validate (text, len, NULL))
    {
      valid = g_utf8_make_valid (text, len);
      text = valid;
      len = strlen (valid);
    }

  end = text + len;
  for (p = text; p < end; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (is_space (c))
        {
          if (!at_line_start (out) && out->str[out->len - 1] != ' ')
            g_string_append_c (out, ' ');
        }
      else if (!is_dropped (c))
        {
          g_string_append_len (out, p, g_utf8_next_char (p) - p);
        }
    }
}

void
docent_page_line_break (DocentPage *page)
{
  strip_trailing_spaces (page->text);
  if (!at_line_start (page->text))
    g_string_append_c (page->text, '\n');
}

void
docent_page_end_block (DocentPage *page)
{
  GString *text = page->text;

  strip_trailing_spaces (text);
  if (text->len == 0)
    return;
  if (text->str[text->len - 1] != '\n')
    g_string_append_c (text, '\n');
  if (text->len < 2 || text->str[text->len - 2] != '\n')
    g_string_append_c (text, '\n');
}

void
docent_page_add_heading (DocentPage *page,
                         const char *text,
                         gssize      len,
                         guint       level)
{
  DocentHeading heading;

  docent_page_end_block (page);
  heading.start = page->text->len;
  docent_page_append_text (page, text, len);
  strip_trailing_spaces (page->text);
  heading.end = page->text->len;
  heading.level = CLAMP (level, 1, 6);
  if (heading.end > heading.start)
    g_array_append_val (page->headings, heading);
  docent_page_end_block (page);
}

void
docent_page_finish (DocentPage *page)
{
  GString *text = page->text;

  while (text->len > 0 && g_ascii_isspace (text->str[text->len - 1]))
    g_string_truncate (text, text->len - 1);
}
