/* citations.c — from "[n]" in an answer to the source sentence behind it.
 *
 * Markers are found in every form models write ("[2]", "[1, 3]", "[1][3]",
 * "[1-3]", "[Source 2]"), numbers that were not given are dropped with the
 * white space and empty brackets they leave, and every kept number is
 * rewritten as its own "[n]" so that each citation has a marker of its own
 * at `offset`. The quote of a citation is the sentence of its source that
 * shares the most content words (stemmed, stop words out) with the claim:
 * the part of the answer sentence between the previous marker and this one,
 * or the whole sentence when that part is too short to judge. */
#include "engine/answer-private.h"

#include <string.h>

#define MAX_QUOTE_BYTES 600

/* ---- one citation ---------------------------------------------------------- */

static char *
quote_text (const char *text,
            gsize       start,
            gsize       end)
{
  char *quote = docent_answer_clean_sentence (text, start, end);
  gsize len = strlen (quote);

  if (len > MAX_QUOTE_BYTES)
    {
      /* cut at a word boundary, on a character boundary */
      gsize cut = MAX_QUOTE_BYTES;
      char *tail;

      while (cut > MAX_QUOTE_BYTES / 2 && quote[cut] != ' ')
        cut--;
      if (quote[cut] != ' ')
        cut = g_utf8_find_prev_char (quote, quote + MAX_QUOTE_BYTES + 1) - quote;
      quote[cut] = '\0';
      tail = g_strconcat (quote, "…", NULL);
      g_free (quote);
      quote = tail;
    }
  return quote;
}

/* Chunk and pages of a quote at source->text[start, end).
 *
 * A source of one chunk on one page is exact. A source that spans pages
 * (one chunk crossing a page break, or neighbouring chunks merged) does not
 * say where its pages meet: the chunker joins page texts with "\n\n", the
 * same as a paragraph break, and the packer concatenates chunk texts
 * without recording where each begins. So the quote gets the first chunk
 * and the source's whole page range (page_start first, which is where a
 * viewer should open); to do better, DocentSource would need the byte
 * offset in `text` where each merged chunk starts and, per chunk, the byte
 * offsets of its page breaks (computable from the chunk's char_start and
 * the length of its first pages' text). TODO(issue 6/7): carry those
 * offsets through packing so the viewer highlights the exact page. */
DocentCitation *
docent_answer_citation_new (const DocentSource *source,
                            gsize               start,
                            gsize               end,
                            gsize               offset)
{
  DocentCitation *c = g_new0 (DocentCitation, 1);

  c->n = source->n;
  c->chunk_id = source->chunk_id;
  if (source->chunk_ids != NULL && source->chunk_ids->len == 1)
    c->chunk_id = g_array_index (source->chunk_ids, gint64, 0);
  c->document_id = source->document_id;
  c->path = g_strdup (source->path);
  c->title = g_strdup (source->title);
  c->page_start = source->page_start;
  c->page_end = MAX (source->page_end, source->page_start);
  c->quote = source->text != NULL ? quote_text (source->text, start, end) : g_strdup ("");
  c->offset = offset;
  return c;
}

/* ---- the best supporting sentence ----------------------------------------- */

typedef struct {
  GArray *spans;    /* DocentSpan: the sentences of the source */
  GPtrArray *words; /* GArray of DocentWord per sentence */
  GArray *fragment; /* gboolean per sentence */
} SourceSentences;

static void
source_sentences_free (gpointer data)
{
  SourceSentences *s = data;

  if (s == NULL)
    return;
  g_array_unref (s->spans);
  g_ptr_array_unref (s->words);
  g_array_unref (s->fragment);
  g_free (s);
}

static SourceSentences *
source_sentences_new (const DocentSource *source)
{
  SourceSentences *s = g_new0 (SourceSentences, 1);
  const char *text = source->text != NULL ? source->text : "";

  s->spans = docent_answer_sentences (text, -1);
  s->words = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  s->fragment = g_array_new (FALSE, FALSE, sizeof (gboolean));
  for (guint i = 0; i < s->spans->len; i++)
    {
      const DocentSpan *sp = &g_array_index (s->spans, DocentSpan, i);
      gboolean frag = docent_answer_is_fragment (text, sp->start, sp->end);

      g_ptr_array_add (s->words, docent_answer_words (text + sp->start, sp->end - sp->start));
      g_array_append_val (s->fragment, frag);
    }
  return s;
}

/* Content stems of the claim, and its pairs of neighbouring content stems
 * ("security deposit") as "a b". */
typedef struct {
  GHashTable *terms;
  GHashTable *pairs;
} Claim;

static void
claim_init (Claim      *claim,
            const char *text)
{
  g_autoptr(GArray) words = docent_answer_words (text, -1);
  const char *prev = NULL;

  claim->terms = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  claim->pairs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < words->len; i++)
    {
      DocentWord *w = &g_array_index (words, DocentWord, i);

      if (w->stop)
        continue;
      if (prev != NULL)
        g_hash_table_add (claim->pairs, g_strconcat (prev, " ", w->stem, NULL));
      g_hash_table_add (claim->terms, g_strdup (w->stem));
      prev = w->stem;
    }
}

static void
claim_clear (Claim *claim)
{
  g_clear_pointer (&claim->terms, g_hash_table_unref);
  g_clear_pointer (&claim->pairs, g_hash_table_unref);
}

/* Distinct shared content words (numbers count 1.5: they carry facts),
 * half a point per shared pair, a little less for long sentences and half
 * for fragments. */
static double
support_score (const Claim  *claim,
               const GArray *words,
               gboolean      fragment)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  double score = 0;
  const char *prev = NULL;
  guint n_content = 0;

  for (guint i = 0; i < words->len; i++)
    {
      const DocentWord *w = &g_array_index (words, DocentWord, i);

      if (w->stop)
        continue;
      n_content++;
      if (g_hash_table_contains (claim->terms, w->stem) &&
          g_hash_table_add (seen, w->stem))
        score += w->number ? 1.5 : 1.0;
      if (prev != NULL)
        {
          g_autofree char *pair = g_strconcat (prev, " ", w->stem, NULL);

          if (g_hash_table_contains (claim->pairs, pair))
            score += 0.5;
        }
      prev = w->stem;
    }
  if (score > 0)
    score -= 0.005 * n_content;
  if (fragment)
    score *= 0.5;
  return score;
}

/* The sentence of the source that best supports the claim; ties go to the
 * earlier sentence. With no shared word at all, the first real sentence. */
static gboolean
best_quote (const SourceSentences *s,
            const Claim           *claim,
            DocentSpan            *out)
{
  double best = 0;
  gint best_i = -1, first_real = -1;

  for (guint i = 0; i < s->spans->len; i++)
    {
      gboolean frag = g_array_index (s->fragment, gboolean, i);
      double score = support_score (claim, s->words->pdata[i], frag);

      if (first_real < 0 && !frag)
        first_real = i;
      if (score > best)
        {
          best = score;
          best_i = i;
        }
    }
  if (best_i < 0)
    best_i = first_real >= 0 ? first_real : (s->spans->len > 0 ? 0 : -1);
  if (best_i < 0)
    return FALSE;
  *out = g_array_index (s->spans, DocentSpan, best_i);
  return TRUE;
}

/* ---- rewriting the markers ------------------------------------------------- */

typedef struct {
  guint n;
  gsize offset;   /* of "[n]" in the rewritten text */
  gsize end;
} Mark;

static const DocentSource *
find_source (const DocentAnswer *answer,
             guint               n)
{
  if (answer->sources == NULL || n == 0)
    return NULL;
  /* sources are numbered 1..len in order; check, do not trust */
  if (n <= answer->sources->len)
    {
      const DocentSource *s = answer->sources->pdata[n - 1];

      if (s != NULL && s->n == n)
        return s;
    }
  for (guint i = 0; i < answer->sources->len; i++)
    {
      const DocentSource *s = answer->sources->pdata[i];

      if (s != NULL && s->n == n)
        return s;
    }
  return NULL;
}

static void
trim_trailing_blanks (GString *out)
{
  while (out->len > 0 && (out->str[out->len - 1] == ' ' || out->str[out->len - 1] == '\t'))
    g_string_truncate (out, out->len - 1);
}

/* Rewrites the markers of `text`: every valid number as its own "[n]",
 * duplicates in a run of neighbouring markers dropped, invalid numbers and
 * empty brackets removed with the blank or "( )" they would leave. */
static char *
rewrite_markers (const DocentAnswer *answer,
                 const char         *text,
                 GArray             *marks)
{
  gsize len = strlen (text);
  GString *out = g_string_sized_new (len);
  g_autoptr(GArray) numbers = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GArray) run = g_array_new (FALSE, FALSE, sizeof (guint));
  gsize last_end = G_MAXSIZE;
  gsize i = 0;

  while (i < len)
    {
      gsize stop, next;
      guint kept = 0;

      if (text[i] != '[' || (g_array_set_size (numbers, 0),
                             stop = docent_answer_parse_marker (text, i, len, numbers)) == 0)
        {
          g_string_append_c (out, text[i]);
          i++;
          continue;
        }
      /* a run: markers with nothing but blanks between them */
      {
        gboolean adjacent = last_end != G_MAXSIZE && last_end <= i;

        for (gsize k = last_end; adjacent && k < i; k++)
          if (text[k] != ' ' && text[k] != '\t')
            adjacent = FALSE;
        if (!adjacent)
          g_array_set_size (run, 0);
      }
      for (guint k = 0; k < numbers->len; k++)
        {
          guint n = g_array_index (numbers, guint, k);
          gboolean dup = FALSE;

          if (find_source (answer, n) == NULL)
            continue;
          for (guint r = 0; r < run->len && !dup; r++)
            dup = g_array_index (run, guint, r) == n;
          if (dup)
            continue;
          g_array_append_val (run, n);
          {
            Mark m = { n, out->len, 0 };

            g_string_append_printf (out, "[%u]", n);
            m.end = out->len;
            g_array_append_val (marks, m);
          }
          kept++;
        }
      last_end = stop;
      i = stop;
      if (kept > 0)
        continue;
      /* removed: tidy up around it */
      next = i;
      {
        gsize probe = out->len;

        while (probe > 0 && (out->str[probe - 1] == ' ' || out->str[probe - 1] == '\t'))
          probe--;
        if (probe > 0 && out->str[probe - 1] == '(' && next < len && text[next] == ')')
          {
            /* "([9])" */
            g_string_truncate (out, probe - 1);
            i = ++next;
          }
      }
      if (out->len > 0 && (out->str[out->len - 1] == ' ' || out->str[out->len - 1] == '\t') &&
          (next >= len || strchr (" \t\n.,;:!?)", text[next]) != NULL))
        trim_trailing_blanks (out);
      else if ((out->len == 0 || out->str[out->len - 1] == '\n'))
        while (i < len && (text[i] == ' ' || text[i] == '\t'))
          i++;
    }
  return g_string_free (out, FALSE);
}

/* ---- resolving ------------------------------------------------------------- */

static gboolean
has_content (const char *text,
             gsize       start,
             gsize       end)
{
  for (gsize i = start; i < end; i++)
    if (g_ascii_isalnum (text[i]) || (guchar) text[i] >= 0x80)
      return TRUE;
  return FALSE;
}

void
docent_answer_resolve_citations (DocentAnswer *answer)
{
  g_autoptr(GArray) marks = NULL;
  g_autoptr(GArray) sentences = NULL;
  g_autoptr(GPtrArray) cache = NULL;
  g_autofree gboolean *cited = NULL;
  char *text;
  guint m = 0;

  g_return_if_fail (answer != NULL);

  if (answer->citations == NULL)
    answer->citations = g_ptr_array_new_with_free_func ((GDestroyNotify) docent_citation_free);
  else
    g_ptr_array_set_size (answer->citations, 0);
  if (answer->uncited == NULL)
    answer->uncited = g_array_new (FALSE, FALSE, sizeof (guint));
  else
    g_array_set_size (answer->uncited, 0);
  if (answer->answer == NULL)
    return;

  if (!g_utf8_validate (answer->answer, -1, NULL))
    {
      char *valid = g_utf8_make_valid (answer->answer, -1);

      g_free (answer->answer);
      answer->answer = valid;
    }
  marks = g_array_new (FALSE, FALSE, sizeof (Mark));
  text = rewrite_markers (answer, answer->answer, marks);
  g_free (answer->answer);
  answer->answer = text;

  cache = g_ptr_array_new_with_free_func (source_sentences_free);
  g_ptr_array_set_size (cache, answer->sources != NULL ? answer->sources->len : 0);

  sentences = docent_answer_sentences (text, -1);
  cited = g_new0 (gboolean, sentences->len + 1);
  for (guint s = 0; s < sentences->len; s++)
    {
      const DocentSpan *sp = &g_array_index (sentences, DocentSpan, s);
      gsize claim_start = sp->start;
      g_autofree char *whole = NULL;

      /* every marker lies in a sentence (spans cover all but blanks) */
      while (m < marks->len &&
             (g_array_index (marks, Mark, m).offset < sp->end || s + 1 == sentences->len))
        {
          const Mark *mk = &g_array_index (marks, Mark, m);
          const DocentSource *source = find_source (answer, mk->n);
          guint index = 0;
          g_autofree char *part = NULL;
          Claim claim = { 0 };
          DocentSpan quote;

          cited[s] = TRUE;
          /* the claim: from the previous marker with words between */
          if (mk->offset > claim_start && has_content (text, claim_start, mk->offset))
            part = docent_answer_clean_sentence (text, claim_start, mk->offset);
          claim_init (&claim, part != NULL ? part : "");
          if (g_hash_table_size (claim.terms) < 2)
            {
              claim_clear (&claim);
              if (whole == NULL)
                whole = docent_answer_clean_sentence (text, sp->start, sp->end);
              claim_init (&claim, whole);
              if (g_hash_table_size (claim.terms) == 0 && s > 0)
                {
                  /* a marker on its own: it cites the sentence before */
                  const DocentSpan *prev = &g_array_index (sentences, DocentSpan, s - 1);
                  g_autofree char *before = docent_answer_clean_sentence (text, prev->start, prev->end);

                  claim_clear (&claim);
                  claim_init (&claim, before);
                  cited[s - 1] = TRUE;
                }
            }
          for (index = 0; index < answer->sources->len; index++)
            if (answer->sources->pdata[index] == source)
              break;
          if (cache->pdata[index] == NULL)
            cache->pdata[index] = source_sentences_new (source);
          if (best_quote (cache->pdata[index], &claim, &quote))
            g_ptr_array_add (answer->citations,
                             docent_answer_citation_new (source, quote.start, quote.end, mk->offset));
          else
            g_ptr_array_add (answer->citations,
                             docent_answer_citation_new (source, 0, 0, mk->offset));
          claim_clear (&claim);
          /* the next claim starts after this marker, unless only blanks
           * and markers follow (then it shares this one's claim) */
          if (m + 1 < marks->len &&
              has_content (text, mk->end, g_array_index (marks, Mark, m + 1).offset))
            claim_start = mk->end;
          m++;
        }
    }
  if (answer->refused)
    return;
  for (guint s = 0; s < sentences->len; s++)
    {
      const DocentSpan *sp = &g_array_index (sentences, DocentSpan, s);

      if (!cited[s] && !docent_answer_is_fragment (text, sp->start, sp->end))
        {
          guint pair[2] = { (guint) sp->start, (guint) (sp->end - sp->start) };

          g_array_append_vals (answer->uncited, pair, 2);
        }
    }
}

char *
docent_answer_strip_citations (const char *text)
{
  return docent_answer_clean_sentence (text, 0, strlen (text));
}
