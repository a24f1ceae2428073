/* answer-extract.c — deciding whether the passages answer the question at
 * all, and the extractive answerer used when no chat model is configured.
 *
 * Relevance
 * ---------
 * Let Q be the distinct content stems of the question (lower-cased,
 * accents stripped, light stemming, English function words and question
 * words out; answer-text.c) and P_i those of passage i (its text and
 * heading). Then
 *
 *   coverage   = max_i |Q ∩ P_i| / |Q|
 *   semantic   = clamp ((s - SIM_LOW) / (SIM_HIGH - SIM_LOW), 0, 1)
 *                with s the best cosine similarity of a passage (when > 0)
 *   relevance  = max (coverage, semantic)
 *
 * Coverage alone misses paraphrase ("end the lease" / "terminate"); the
 * embedder's similarity catches it, but cosines live on each model's own
 * scale (bge-small-en-v1.5 puts unrelated query/passage pairs around
 * 0.3–0.5 and related ones around 0.6–0.85; MiniLM lower, E5 much higher),
 * so similarity can only raise relevance, and only once it is clearly
 * high: 0.65 maps to 0.5. SIM_LOW/SIM_HIGH are set from those published
 * ranges, not measured here (no real embedder is available offline to the
 * tests); a per-embedder pair in the model registry would be the proper
 * calibration.
 *
 * A question with no content word at all ("What is this?") cannot be
 * judged by words: relevance is then the semantic part when known, else 1
 * (answer, rather than refuse what cannot be judged).
 *
 * DOCENT_ANSWER_MIN_RELEVANCE (0.5) means "at least half of the question's
 * content words in one passage". Calibrated on the questions of
 * tests/answer-corpus.h (24 answerable, 3 of them paraphrased, and 16
 * unanswerable, 9 of them in-domain, over a lease, a clinical guideline
 * and a coffee maker manual, all 8 passages given together), coverage
 * only: answerable questions score 0.50–1.0 (median 1.0; the paraphrases
 * 0.50–0.75), unanswerable ones 0–0.50 (median 0.25; only one in-domain
 * question reaches 0.50). Every threshold in (0.33, 0.5] answers all 24
 * and refuses 15 of 16; above 0.5 the paraphrases are refused. So 0.5 is
 * the highest value that refuses nothing answerable, which is the side to
 * err on: a wrong refusal hides an answer the user has, a weak answer is
 * still cited and can be checked. test-answer-extract prints the table.
 *
 * The extractive answer
 * ---------------------
 * Every sentence of every source is a candidate. Its score, for the
 * question's content stems:
 *   0.45 · BM25 (sentences as documents, k1 1.2, b 0.75; over the best)
 * + 0.35 · idf-weighted share of the question's stems it contains
 * + 0.10 · share of the question's stem pairs it contains as pairs
 * + 0.10 · proximity of its matched stems ((matched − 1) / (window − 1)
 *          in content words, times the share of the question matched)
 * times priors: the source's rank (−4 % a rank), the position in the
 * source (−1 % a sentence, at most −10 %), a number when the question
 * asks for a quantity or a time (+15 %, −10 % without), and penalties for
 * fragments (headings, contents lines with dot leaders, labels: ×0.25),
 * very short sentences, sentences without a verb-like word and run-ons.
 * Sentences are then taken greedily, up to max_sentences: the best, then
 * each time the one whose score, scaled by 0.75 + 0.25 · max (the share of
 * its matched question stems, by idf, that no chosen sentence has yet,
 * the square of its coverage of the question), is highest, as long as that
 * is at least RELATIVE_CUTOFF of the best score; near-duplicates (Jaccard
 * of stems > 0.6 with one taken: neighbouring chunks overlap) are skipped.
 * So a second sentence must add something or cover most of the question.
 * They are written in source order, then position, each followed by
 * " [n]", and each becomes a citation quoting itself. Nothing matching at
 * all gives the refusal text (answer->refused set). */
#include "engine/answer-private.h"

#include <math.h>
#include <string.h>

#define SIM_LOW 0.5
#define SIM_HIGH 0.8

#define RELATIVE_CUTOFF 0.6
#define DUPLICATE_JACCARD 0.6
#define DEFAULT_MAX_SENTENCES 3
#define MAX_TERMS 64           /* question stems, one bit each */

/* ---- the question ---------------------------------------------------------- */

typedef struct {
  GPtrArray *terms;     /* char*: distinct content stems, in order */
  GPtrArray *pairs;     /* char*: "a b" for neighbouring content stems */
  gboolean wants_number;
} Question;

static const char *const quantity_after_how[] = {
  "much", "many", "long", "often", "far", "old", "soon", "large", "big",
  "high", "tall", "frequently", "late", "early", "heavy", "fast", "quickly",
  "wide", "deep", "small", "low",
};

static const char *const quantity_words[] = {
  "dose", "doses", "dosage", "fee", "fees", "cost", "costs", "price", "rate",
  "amount", "percent", "percentage", "number", "deadline", "date", "time",
  "period", "duration", "size", "limit", "age", "temperature", "speed",
  "weight", "length", "year", "years", "days", "hours", "minutes", "target",
  "capacity", "voltage", "interval", "frequency", "threshold", "level",
};

static gboolean
word_in (const char         *word,
         const char *const  *list,
         guint               n)
{
  for (guint i = 0; i < n; i++)
    if (strcmp (word, list[i]) == 0)
      return TRUE;
  return FALSE;
}

static void
question_init (Question   *q,
               const char *question)
{
  g_autoptr(GArray) words = docent_answer_words (question, -1);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  const char *prev = NULL;

  q->terms = g_ptr_array_new_with_free_func (g_free);
  q->pairs = g_ptr_array_new_with_free_func (g_free);
  q->wants_number = FALSE;
  for (guint i = 0; i < words->len; i++)
    {
      const DocentWord *w = &g_array_index (words, DocentWord, i);
      g_autofree char *raw = docent_answer_normalize_word (question + w->start, w->end - w->start);

      if (strcmp (raw, "when") == 0 || word_in (raw, quantity_words, G_N_ELEMENTS (quantity_words)))
        q->wants_number = TRUE;
      if (strcmp (raw, "how") == 0 && i + 1 < words->len)
        {
          const DocentWord *n = &g_array_index (words, DocentWord, i + 1);
          g_autofree char *next = docent_answer_normalize_word (question + n->start, n->end - n->start);

          if (word_in (next, quantity_after_how, G_N_ELEMENTS (quantity_after_how)))
            q->wants_number = TRUE;
        }
      if (w->stop)
        continue;
      if (prev != NULL && strcmp (prev, w->stem) != 0)
        g_ptr_array_add (q->pairs, g_strconcat (prev, " ", w->stem, NULL));
      prev = w->stem;
      if (q->terms->len < MAX_TERMS && g_hash_table_add (seen, w->stem))
        g_ptr_array_add (q->terms, g_strdup (w->stem));
    }
}

static void
question_clear (Question *q)
{
  g_clear_pointer (&q->terms, g_ptr_array_unref);
  g_clear_pointer (&q->pairs, g_ptr_array_unref);
}

/* ---- relevance and refusal ------------------------------------------------- */

static guint
count_covered (const Question *q,
               GHashTable     *set)
{
  guint n = 0;

  for (guint i = 0; i < q->terms->len; i++)
    if (g_hash_table_contains (set, q->terms->pdata[i]))
      n++;
  return n;
}

double
docent_answer_relevance (const char          *question,
                         const DocentPassage *passages,
                         guint                n_passages)
{
  Question q;
  double coverage = 0, semantic = 0;
  float best_sim = 0;

  if (question == NULL || passages == NULL || n_passages == 0)
    return 0;
  for (guint i = 0; i < n_passages; i++)
    best_sim = MAX (best_sim, passages[i].similarity);
  if (best_sim > 0)
    semantic = CLAMP ((best_sim - SIM_LOW) / (SIM_HIGH - SIM_LOW), 0.0, 1.0);

  question_init (&q, question);
  if (q.terms->len == 0)
    {
      question_clear (&q);
      return best_sim > 0 ? semantic : 1.0;
    }
  for (guint i = 0; i < n_passages && coverage < 1.0; i++)
    {
      g_autoptr(GHashTable) set = docent_answer_content_set (passages[i].text, -1);
      guint covered;

      if (passages[i].heading != NULL)
        {
          g_autoptr(GHashTable) heading = docent_answer_content_set (passages[i].heading, -1);
          GHashTableIter iter;
          gpointer key;

          g_hash_table_iter_init (&iter, heading);
          while (g_hash_table_iter_next (&iter, &key, NULL))
            {
              g_hash_table_iter_steal (&iter);
              g_hash_table_add (set, key);
            }
        }
      covered = count_covered (&q, set);
      coverage = MAX (coverage, (double) covered / q.terms->len);
    }
  question_clear (&q);
  return MAX (coverage, semantic);
}

gboolean
docent_answer_should_refuse (const char          *question,
                             const DocentPassage *passages,
                             guint                n_passages)
{
  return docent_answer_relevance (question, passages, n_passages) < DOCENT_ANSWER_MIN_RELEVANCE;
}

const char *
docent_answer_refusal_text (void)
{
  return "Your documents do not appear to cover this question.";
}

/* ---- candidates ------------------------------------------------------------ */

typedef struct {
  guint source;         /* index into answer->sources */
  guint position;       /* sentence index in its source */
  DocentSpan span;
  GArray *words;        /* DocentWord */
  GHashTable *stems;    /* content stems, for duplicates */
  guint length;         /* content words */
  gboolean fragment;
  guint64 matched;      /* bit t: question stem t is in the sentence */
  double score;
} Candidate;

static void
candidate_clear (gpointer data)
{
  Candidate *c = data;

  g_clear_pointer (&c->words, g_array_unref);
  g_clear_pointer (&c->stems, g_hash_table_unref);
}

static const char *const verbish[] = {
  "is", "are", "was", "were", "be", "been", "being", "am", "has", "have",
  "had", "must", "shall", "should", "may", "might", "can", "cannot", "could",
  "will", "would", "does", "do", "did",
};

static const char *const number_words[] = {
  "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
  "ten", "eleven", "twelve", "fifteen", "twenty", "thirty", "forty", "fifty",
  "sixty", "ninety", "hundred", "thousand", "once", "twice", "daily",
  "weekly", "monthly", "annually", "yearly", "half", "quarter",
};

/* Whether the sentence has a verb-like word (an auxiliary or a word ending
 * in -ed / -es / -ing / -s that is not the first) and a number. */
static void
inspect (const char *text,
         const Candidate *c,
         gboolean   *has_verb,
         gboolean   *has_number)
{
  *has_verb = FALSE;
  *has_number = FALSE;
  for (guint i = 0; i < c->words->len; i++)
    {
      const DocentWord *w = &g_array_index (c->words, DocentWord, i);
      g_autofree char *raw = NULL;
      gsize n;

      if (w->number)
        {
          *has_number = TRUE;
          continue;
        }
      raw = docent_answer_normalize_word (text + w->start, w->end - w->start);
      n = strlen (raw);
      if (word_in (raw, number_words, G_N_ELEMENTS (number_words)))
        *has_number = TRUE;
      if (word_in (raw, verbish, G_N_ELEMENTS (verbish)))
        *has_verb = TRUE;
      else if (i > 0 && g_ascii_islower (text[w->start]) && n > 3 &&
               (g_str_has_suffix (raw, "ed") || g_str_has_suffix (raw, "ing") ||
                (g_str_has_suffix (raw, "s") && !g_str_has_suffix (raw, "ss"))))
        *has_verb = TRUE;
    }
}

/* The smallest window (in content-word positions) that holds every
 * matched question stem once; `k` is how many distinct ones matched. */
static guint
min_window (const Candidate *c,
            GHashTable      *term_index,
            guint            n_terms,
            guint            k)
{
  g_autofree guint *count = g_new0 (guint, n_terms);
  g_autoptr(GArray) seq = g_array_new (FALSE, FALSE, sizeof (guint) * 2);
  guint best = G_MAXUINT, have = 0, left = 0, pos = 0;

  for (guint i = 0; i < c->words->len; i++)
    {
      const DocentWord *w = &g_array_index (c->words, DocentWord, i);
      gpointer v;

      if (w->stop)
        continue;
      if (g_hash_table_lookup_extended (term_index, w->stem, NULL, &v))
        {
          guint item[2] = { GPOINTER_TO_UINT (v), pos };

          g_array_append_val (seq, item);
        }
      pos++;
    }
  for (guint right = 0; right < seq->len; right++)
    {
      guint *r = &g_array_index (seq, guint, right * 2);

      if (count[r[0]]++ == 0)
        have++;
      while (have == k)
        {
          guint *l = &g_array_index (seq, guint, left * 2);

          best = MIN (best, r[1] - l[1] + 1);
          if (--count[l[0]] == 0)
            have--;
          left++;
        }
    }
  return best;
}

static double
jaccard (GHashTable *a,
         GHashTable *b)
{
  GHashTableIter iter;
  gpointer key;
  guint both = 0, total;

  g_hash_table_iter_init (&iter, a);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (g_hash_table_contains (b, key))
      both++;
  total = g_hash_table_size (a) + g_hash_table_size (b) - both;
  return total > 0 ? (double) both / total : 1.0;
}

static int
by_score (gconstpointer pa,
          gconstpointer pb)
{
  const Candidate *a = *(Candidate *const *) pa, *b = *(Candidate *const *) pb;

  if (a->score != b->score)
    return a->score > b->score ? -1 : 1;
  if (a->source != b->source)
    return a->source < b->source ? -1 : 1;
  return a->position < b->position ? -1 : (a->position > b->position);
}

static int
by_place (gconstpointer pa,
          gconstpointer pb)
{
  const Candidate *a = *(Candidate *const *) pa, *b = *(Candidate *const *) pb;

  if (a->source != b->source)
    return a->source < b->source ? -1 : 1;
  return a->position < b->position ? -1 : (a->position > b->position);
}

/* Scores every candidate for the question. */
static void
score_candidates (GArray         *cands,
                  GPtrArray      *sources,
                  const Question *q,
                  double         *idf)
{
  guint n_terms = q->terms->len, N = cands->len;
  g_autofree guint *df = g_new0 (guint, MAX (n_terms, 1));
  g_autofree double *bm25 = g_new0 (double, MAX (N, 1));
  g_autoptr(GHashTable) term_index = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) pair_set = g_hash_table_new (g_str_hash, g_str_equal);
  double avgdl = 0, idf_total = 0, best_bm25 = 0;

  for (guint t = 0; t < n_terms; t++)
    g_hash_table_insert (term_index, q->terms->pdata[t], GUINT_TO_POINTER (t));
  for (guint p = 0; p < q->pairs->len; p++)
    g_hash_table_add (pair_set, q->pairs->pdata[p]);
  for (guint i = 0; i < N; i++)
    {
      const Candidate *c = &g_array_index (cands, Candidate, i);

      avgdl += c->length;
      for (guint t = 0; t < n_terms; t++)
        if (g_hash_table_contains (c->stems, q->terms->pdata[t]))
          df[t]++;
    }
  avgdl = N > 0 ? MAX (avgdl / N, 1.0) : 1.0;
  for (guint t = 0; t < n_terms; t++)
    {
      idf[t] = log (1.0 + (N - df[t] + 0.5) / (df[t] + 0.5));
      idf_total += idf[t];
    }

  /* BM25 first: it is normalised by the best */
  for (guint i = 0; i < N; i++)
    {
      const Candidate *c = &g_array_index (cands, Candidate, i);
      g_autofree guint *tf = g_new0 (guint, MAX (n_terms, 1));

      for (guint k = 0; k < c->words->len; k++)
        {
          const DocentWord *w = &g_array_index (c->words, DocentWord, k);
          gpointer v;

          if (!w->stop && g_hash_table_lookup_extended (term_index, w->stem, NULL, &v))
            tf[GPOINTER_TO_UINT (v)]++;
        }
      for (guint t = 0; t < n_terms; t++)
        if (tf[t] > 0)
          bm25[i] += idf[t] * tf[t] * 2.2 / (tf[t] + 1.2 * (0.25 + 0.75 * c->length / avgdl));
      best_bm25 = MAX (best_bm25, bm25[i]);
    }

  for (guint i = 0; i < N; i++)
    {
      Candidate *c = &g_array_index (cands, Candidate, i);
      const DocentSource *source = sources->pdata[c->source];
      double covered = 0, pairs = 0, prox = 0, score;
      guint matched = 0;
      gboolean has_verb, has_number;

      c->score = 0;
      if (bm25[i] <= 0)
        continue;
      for (guint t = 0; t < n_terms; t++)
        if (g_hash_table_contains (c->stems, q->terms->pdata[t]))
          {
            covered += idf[t];
            matched++;
            c->matched |= G_GUINT64_CONSTANT (1) << t;
          }
      if (q->pairs->len > 0)
        {
          const char *prev = NULL;
          g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

          for (guint k = 0; k < c->words->len; k++)
            {
              const DocentWord *w = &g_array_index (c->words, DocentWord, k);

              if (w->stop)
                continue;
              if (prev != NULL)
                {
                  char *pair = g_strconcat (prev, " ", w->stem, NULL);

                  if (g_hash_table_contains (pair_set, pair))
                    g_hash_table_add (seen, pair);
                  else
                    g_free (pair);
                }
              prev = w->stem;
            }
          pairs = (double) g_hash_table_size (seen) / q->pairs->len;
        }
      if (matched >= 2)
        {
          guint window = min_window (c, term_index, n_terms, matched);

          prox = window > 1 && window != G_MAXUINT ? (double) (matched - 1) / (window - 1) : 1.0;
          /* two common words side by side say little: scale by the share */
          prox = MIN (prox, 1.0) * matched / n_terms;
        }
      score = 0.45 * bm25[i] / best_bm25 +
              0.35 * (idf_total > 0 ? covered / idf_total : 0) +
              0.10 * pairs + 0.10 * prox;

      score *= 1.0 - 0.04 * MIN (c->source, 10u);
      score *= 1.0 - 0.01 * MIN (c->position, 10u);
      inspect (source->text, c, &has_verb, &has_number);
      if (q->wants_number)
        score *= has_number ? 1.15 : 0.9;
      if (c->fragment)
        score *= 0.25;
      else
        {
          if (!has_verb)
            score *= 0.8;
          if (c->words->len < 5)
            score *= 0.7;
          if (c->words->len > 80)
            score *= 0.8;
        }
      c->score = score;
    }
}

static void
collect_candidates (GArray    *cands,
                    GPtrArray *sources)
{
  for (guint s = 0; s < sources->len; s++)
    {
      const DocentSource *source = sources->pdata[s];
      g_autoptr(GArray) spans = NULL;

      if (source == NULL || source->text == NULL)
        continue;
      spans = docent_answer_sentences (source->text, -1);
      for (guint i = 0; i < spans->len; i++)
        {
          Candidate c = { 0 };
          const char *text = source->text;

          c.source = s;
          c.position = i;
          c.span = g_array_index (spans, DocentSpan, i);
          c.words = docent_answer_words (text + c.span.start, c.span.end - c.span.start);
          /* word offsets relative to the source text */
          for (guint k = 0; k < c.words->len; k++)
            {
              DocentWord *w = &g_array_index (c.words, DocentWord, k);

              w->start += c.span.start;
              w->end += c.span.start;
              if (!w->stop)
                c.length++;
            }
          c.stems = g_hash_table_new (g_str_hash, g_str_equal);
          for (guint k = 0; k < c.words->len; k++)
            {
              const DocentWord *w = &g_array_index (c.words, DocentWord, k);

              if (!w->stop)
                g_hash_table_add (c.stems, w->stem);
            }
          c.fragment = docent_answer_is_fragment (text, c.span.start, c.span.end);
          g_array_append_val (cands, c);
        }
    }
}

/* ---- the answer ------------------------------------------------------------- */

static void
write_answer (DocentAnswer *answer,
              GPtrArray    *chosen)
{
  GString *out = g_string_new (NULL);

  g_ptr_array_sort (chosen, by_place);
  for (guint i = 0; i < chosen->len; i++)
    {
      const Candidate *c = chosen->pdata[i];
      const DocentSource *source = answer->sources->pdata[c->source];
      g_autofree char *sentence = docent_answer_clean_sentence (source->text, c->span.start, c->span.end);
      gsize offset;

      if (out->len > 0)
        g_string_append_c (out, ' ');
      g_string_append (out, sentence);
      g_string_append_c (out, ' ');
      offset = out->len;
      g_string_append_printf (out, "[%u]", source->n);
      g_ptr_array_add (answer->citations,
                       docent_answer_citation_new (source, c->span.start, c->span.end, offset));
    }
  g_free (answer->answer);
  answer->answer = g_string_free (out, FALSE);
}

gboolean
docent_answer_extract (DocentAnswer  *answer,
                       guint          max_sentences,
                       GError       **error)
{
  g_autoptr(GArray) cands = NULL;
  g_autoptr(GPtrArray) ranked = NULL;
  g_autoptr(GPtrArray) chosen = NULL;
  Question q;
  double best;

  g_return_val_if_fail (answer != NULL, FALSE);

  if (answer->sources == NULL || answer->sources->len == 0)
    {
      g_set_error_literal (error, DOCENT_ANSWER_ERROR, DOCENT_ANSWER_ERROR_NO_SOURCES,
                           "There are no passages to answer from");
      return FALSE;
    }
  if (max_sentences == 0)
    max_sentences = DEFAULT_MAX_SENTENCES;
  if (answer->citations == NULL)
    answer->citations = g_ptr_array_new_with_free_func ((GDestroyNotify) docent_citation_free);
  g_ptr_array_set_size (answer->citations, 0);
  if (answer->uncited == NULL)
    answer->uncited = g_array_new (FALSE, FALSE, sizeof (guint));
  g_array_set_size (answer->uncited, 0);
  answer->mode = DOCENT_ANSWER_EXTRACTIVE;

  cands = g_array_new (FALSE, FALSE, sizeof (Candidate));
  g_array_set_clear_func (cands, candidate_clear);
  collect_candidates (cands, answer->sources);
  question_init (&q, answer->question != NULL ? answer->question : "");
  chosen = g_ptr_array_new ();

  if (q.terms->len == 0)
    {
      /* nothing to match: the opening sentences of the best source */
      for (guint i = 0; i < cands->len && chosen->len < MIN (max_sentences, 2u); i++)
        {
          Candidate *c = &g_array_index (cands, Candidate, i);

          if (c->source == 0 && !c->fragment)
            g_ptr_array_add (chosen, c);
        }
    }
  else
    {
      g_autofree double *idf = g_new0 (double, MAX (q.terms->len, 1));
      guint64 covered = 0;
      double idf_total = 0;

      score_candidates (cands, answer->sources, &q, idf);
      for (guint t = 0; t < q.terms->len; t++)
        idf_total += idf[t];
      ranked = g_ptr_array_new ();
      for (guint i = 0; i < cands->len; i++)
        if (g_array_index (cands, Candidate, i).score > 0)
          g_ptr_array_add (ranked, &g_array_index (cands, Candidate, i));
      g_ptr_array_sort (ranked, by_score);
      best = ranked->len > 0 ? ((Candidate *) ranked->pdata[0])->score : 0;
      /* Greedy: the best, then whichever adds most, its score scaled by
       * the share of its matched question stems (by idf) that no chosen
       * sentence has yet; a sentence repeating what is chosen must be
       * nearly as good as the best to be taken. */
      while (chosen->len < max_sentences)
        {
          Candidate *pick = NULL;
          double pick_score = 0;

          for (guint i = 0; i < ranked->len; i++)
            {
              Candidate *c = ranked->pdata[i];
              double mass = 0, fresh = 0, share, adjusted;
              gboolean skip = FALSE;

              if (c->score < RELATIVE_CUTOFF * best)
                break;
              for (guint j = 0; j < chosen->len && !skip; j++)
                skip = chosen->pdata[j] == c ||
                       jaccard (c->stems, ((Candidate *) chosen->pdata[j])->stems) > DUPLICATE_JACCARD;
              if (skip)
                continue;
              for (guint t = 0; t < q.terms->len; t++)
                if (c->matched & (G_GUINT64_CONSTANT (1) << t))
                  {
                    mass += idf[t];
                    if (!(covered & (G_GUINT64_CONSTANT (1) << t)))
                      fresh += idf[t];
                  }
              /* a sentence with most of the question is on topic anyway */
              share = idf_total > 0 ? mass / idf_total : 0;
              adjusted = c->score * (chosen->len == 0 || mass <= 0 ? 1.0 :
                                     0.75 + 0.25 * MAX (fresh / mass, share * share));
              if (adjusted > pick_score)
                {
                  pick = c;
                  pick_score = adjusted;
                }
            }
          if (pick == NULL || pick_score < RELATIVE_CUTOFF * best)
            break;
          g_ptr_array_add (chosen, pick);
          covered |= pick->matched;
        }
    }
  question_clear (&q);

  if (chosen->len == 0)
    {
      g_free (answer->answer);
      answer->answer = g_strdup (docent_answer_refusal_text ());
      answer->refused = TRUE;
      return TRUE;
    }
  write_answer (answer, chosen);
  return TRUE;
}
