/* query.c — reading what a person typed into a search box and writing it
 * out as an FTS5 MATCH expression that cannot fail to parse.
 *
 * The input is cut into items: a "quoted phrase", or a bare word (which
 * may hold several FTS5 tokens: e-mail, O'Brien, 3.5). Each item is written
 * as one double-quoted FTS5 string, so no character the person types can
 * reach the FTS5 parser as syntax. */
#include "index/query.h"

#include <stdlib.h>
#include <string.h>

/* Bounds the work one query can ask of FTS5: every token is a doclist to
 * read and merge. */
#define MAX_TOKENS 32

typedef struct {
  GPtrArray *words;   /* char*, as typed */
  gboolean negated;   /* -word, NOT word */
  gboolean prefix;    /* word* */
  gboolean quoted;    /* "a phrase": stop words in it count */
} Item;

/* Sorted (strcmp) for bsearch. Function words only: "shall", "must",
 * "may" and "after" carry meaning in contracts and guidelines. The short
 * pieces are what contractions split into (don't → don t). */
static const char *const stop_words[] = {
  "a", "about", "all", "am", "an", "and", "any", "are", "aren", "as", "at",
  "be", "because", "been", "being", "both", "but", "by", "can", "could",
  "couldn", "d", "did", "didn", "do", "does", "doesn", "doing", "don",
  "each", "for", "from", "had", "hadn", "has", "hasn", "have", "haven",
  "having", "he", "her", "here", "hers", "him", "his", "how", "i", "if",
  "in", "into", "is", "isn", "it", "its", "itself", "ll", "m", "me", "my",
  "no", "nor", "not", "of", "off", "on", "or", "other", "our", "ours", "out",
  "re", "s", "she", "should", "shouldn", "so", "some", "such", "t", "than",
  "that", "the", "their", "theirs", "them", "then", "there", "these", "they",
  "this", "those", "to", "too", "until", "up", "ve", "was", "wasn", "we",
  "were", "weren", "what", "when", "where", "which", "while", "who", "whom",
  "why", "will", "with", "won", "would", "wouldn", "you", "your", "yours",
};

static int
compare_word (const void *a,
              const void *b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static gboolean
is_stop_word (const char *word)
{
  g_autofree char *lower = g_utf8_strdown (word, -1);

  return bsearch (&lower, stop_words, G_N_ELEMENTS (stop_words),
                  sizeof stop_words[0], compare_word) != NULL;
}

static void
item_free (Item *item)
{
  g_ptr_array_unref (item->words);
  g_free (item);
}

/* What FTS5's unicode61 tokenizer keeps in a token: letters, digits, and
 * (with remove_diacritics) combining marks; everything else separates. */
static gboolean
is_token_char (gunichar c)
{
  return g_unichar_isalnum (c) || g_unichar_ismark (c) ||
         g_unichar_type (c) == G_UNICODE_PRIVATE_USE;
}

/* Appends to `words` the tokens of text[0, len). A run of marks alone is
 * no token: FTS5 would strip it to nothing. */
static void
split_words (const char *text,
             gsize       len,
             GPtrArray  *words)
{
  const char *end = text + len;
  const char *p = text;

  while (p < end)
    {
      const char *start;
      gboolean has_base = FALSE;

      while (p < end && !is_token_char (g_utf8_get_char (p)))
        p = g_utf8_next_char (p);
      start = p;
      while (p < end && is_token_char (g_utf8_get_char (p)))
        {
          if (!g_unichar_ismark (g_utf8_get_char (p)))
            has_base = TRUE;
          p = g_utf8_next_char (p);
        }
      if (p > start && has_base)
        g_ptr_array_add (words, g_strndup (start, p - start));
    }
}

static Item *
item_new (const char *text,
          gsize       len)
{
  Item *item = g_new0 (Item, 1);

  item->words = g_ptr_array_new_with_free_func (g_free);
  split_words (text, len, item->words);
  return item;
}

static gboolean
is_space_at (const char *p)
{
  return g_unichar_isspace (g_utf8_get_char (p));
}

/* Cuts the text into items, operators applied. */
static GPtrArray *
parse (const char *text)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) item_free);
  g_autofree char *valid = g_utf8_make_valid (text ? text : "", -1);
  const char *p = valid;
  gboolean negate_next = FALSE;

  while (*p != '\0')
    {
      const char *end;
      Item *item;
      gsize len;

      if (is_space_at (p))
        {
          p = g_utf8_next_char (p);
          continue;
        }
      if (*p == '-')
        {
          while (*p == '-')
            p++;
          /* A dash standing alone is punctuation, not an operator. */
          negate_next = *p != '\0' && !is_space_at (p);
          continue;
        }
      if (*p == '"')
        {
          /* An unterminated quote runs to the end of the text. */
          end = strchr (p + 1, '"');
          if (end == NULL)
            end = p + strlen (p);
          item = item_new (p + 1, end - (p + 1));
          item->quoted = TRUE;
          p = *end == '"' ? end + 1 : end;
          if (*p == '*')
            {
              item->prefix = TRUE;
              while (*p == '*')
                p++;
            }
        }
      else
        {
          for (end = p; *end != '\0' && *end != '"' && !is_space_at (end);
               end = g_utf8_next_char (end))
            ;
          len = end - p;
          if (len == 2 && memcmp (p, "OR", 2) == 0)
            {
              /* Words are OR-ed anyway. */
              p = end;
              continue;
            }
          if (len == 3 && memcmp (p, "NOT", 3) == 0)
            {
              negate_next = TRUE;
              p = end;
              continue;
            }
          item = item_new (p, len);
          while (len > 0 && p[len - 1] == '*')
            {
              item->prefix = TRUE;
              len--;
            }
          p = end;
        }

      item->negated = negate_next;
      negate_next = FALSE;
      if (item->words->len == 0)
        {
          item_free (item);
          continue;
        }
      /* A one-letter prefix would expand to a large part of the
       * vocabulary; search for the letter itself. */
      if (item->prefix &&
          g_utf8_strlen (g_ptr_array_index (item->words, item->words->len - 1), -1) < 2)
        item->prefix = FALSE;
      g_ptr_array_add (items, item);
    }
  return g_steal_pointer (&items);
}

static gboolean
is_stop_item (const Item *item)
{
  if (item->quoted || item->prefix || item->negated)
    return FALSE;
  for (guint i = 0; i < item->words->len; i++)
    if (!is_stop_word (g_ptr_array_index (item->words, i)))
      return FALSE;
  return TRUE;
}

/* Drops stop words when something else is searched for, and keeps at most
 * MAX_TOKENS tokens, positive items first. Returns the items to search
 * for, borrowed from `items`, positives before negatives. */
static GPtrArray *
select_items (GPtrArray *items)
{
  GPtrArray *chosen = g_ptr_array_new ();
  gboolean has_content = FALSE;
  guint n_tokens = 0;

  for (guint i = 0; i < items->len; i++)
    {
      Item *item = g_ptr_array_index (items, i);

      if (!item->negated && !is_stop_item (item))
        has_content = TRUE;
    }

  for (guint pass = 0; pass < 2; pass++)
    for (guint i = 0; i < items->len && n_tokens < MAX_TOKENS; i++)
      {
        Item *item = g_ptr_array_index (items, i);

        if (item->negated != (pass == 1))
          continue;
        if (has_content && is_stop_item (item))
          continue;
        /* A phrase cut short still finds the passages the whole one
         * would; a dropped prefix mark keeps it exact. */
        if (n_tokens + item->words->len > MAX_TOKENS)
          {
            g_ptr_array_set_size (item->words, MAX_TOKENS - n_tokens);
            item->prefix = FALSE;
          }
        n_tokens += item->words->len;
        g_ptr_array_add (chosen, item);
      }

  return chosen;
}

static char *
item_to_fts (const Item *item)
{
  GString *out = g_string_new ("\"");

  for (guint i = 0; i < item->words->len; i++)
    {
      const char *word = g_ptr_array_index (item->words, i);

      if (i > 0)
        g_string_append_c (out, ' ');
      for (const char *c = word; *c != '\0'; c++)
        {
          /* Cannot happen after splitting, but a stray quote must never
           * end the string early. */
          if (*c == '"')
            g_string_append_c (out, '"');
          g_string_append_c (out, *c);
        }
    }
  g_string_append_c (out, '"');
  if (item->prefix)
    g_string_append (out, " *");
  return g_string_free (out, FALSE);
}

gboolean
docent_query_parts (const char  *text,
                    GStrv       *positives,
                    GStrv       *negatives)
{
  g_autoptr(GPtrArray) items = parse (text);
  g_autoptr(GPtrArray) chosen = select_items (items);
  g_autoptr(GStrvBuilder) pos = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) neg = g_strv_builder_new ();
  gboolean found = FALSE;

  for (guint i = 0; i < chosen->len; i++)
    {
      const Item *item = g_ptr_array_index (chosen, i);

      g_autofree char *fts = item_to_fts (item);

      g_strv_builder_add (item->negated ? neg : pos, fts);
      found |= !item->negated;
    }
  *positives = found ? g_strv_builder_end (pos) : NULL;
  *negatives = found ? g_strv_builder_end (neg) : NULL;
  return found;
}

char *
docent_fts_query_join (const char *const *positives,
                       const char *const *negatives)
{
  guint n_positive = positives ? g_strv_length ((GStrv) positives) : 0;
  guint n_negative = negatives ? g_strv_length ((GStrv) negatives) : 0;
  GString *out;

  if (n_positive == 0)
    return NULL;
  out = g_string_new (NULL);
  /* FTS5's NOT binds tighter than OR, so the alternatives need brackets:
   * (a OR b) NOT c NOT d. */
  if (n_positive > 1 && n_negative > 0)
    g_string_append_c (out, '(');
  for (guint i = 0; i < n_positive; i++)
    {
      if (i > 0)
        g_string_append (out, " OR ");
      g_string_append (out, positives[i]);
    }
  if (n_positive > 1 && n_negative > 0)
    g_string_append_c (out, ')');
  for (guint i = 0; i < n_negative; i++)
    {
      g_string_append (out, " NOT ");
      g_string_append (out, negatives[i]);
    }
  return g_string_free (out, FALSE);
}

char *
docent_fts_query_from_user (const char *text)
{
  g_auto(GStrv) positives = NULL;
  g_auto(GStrv) negatives = NULL;

  if (!docent_query_parts (text, &positives, &negatives))
    return NULL;
  return docent_fts_query_join ((const char *const *) positives,
                                (const char *const *) negatives);
}

GStrv
docent_query_terms (const char *text)
{
  g_autoptr(GPtrArray) items = parse (text);
  g_autoptr(GPtrArray) chosen = select_items (items);
  g_autoptr(GStrvBuilder) terms = g_strv_builder_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < chosen->len; i++)
    {
      const Item *item = g_ptr_array_index (chosen, i);

      if (item->negated)
        continue;
      for (guint j = 0; j < item->words->len; j++)
        {
          g_autofree char *lower = g_utf8_strdown (g_ptr_array_index (item->words, j), -1);

          if (g_hash_table_add (seen, g_strdup (lower)))
            g_strv_builder_add (terms, lower);
        }
    }
  return g_strv_builder_end (terms);
}
