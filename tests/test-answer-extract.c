/* test-answer-extract.c — relevance and refusal (with the calibration table
 * for DOCENT_ANSWER_MIN_RELEVANCE), and the extractive answerer over a
 * lease, a clinical guideline and a product manual. */
#include <string.h>

#include "engine/answer-private.h"
#include "tests/answer-corpus.h"

/* ---- relevance ----------------------------------------------------------------- */

static int
cmp_double (gconstpointer a,
            gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/* Scores every question over all eight passages, prints the table that
 * answer-extract.c quotes, and checks the separation. */
static void
test_relevance_calibration (void)
{
  g_autofree DocentPassage *passages = corpus_passages ();
  guint na = G_N_ELEMENTS (answerable), nu = G_N_ELEMENTS (unanswerable);
  g_autofree double *ra = g_new (double, na);
  g_autofree double *ru = g_new (double, nu);
  double mean_a = 0, mean_u = 0, ordered = 0;
  guint refused_u = 0;

  for (guint i = 0; i < na; i++)
    {
      ra[i] = docent_answer_relevance (answerable[i].question, passages, CORPUS_SIZE);
      mean_a += ra[i] / na;
      g_test_message ("answerable   %.2f  %s", ra[i], answerable[i].question);
      /* no answerable question is refused */
      g_assert_cmpfloat (ra[i], >=, DOCENT_ANSWER_MIN_RELEVANCE);
      g_assert_false (docent_answer_should_refuse (answerable[i].question, passages, CORPUS_SIZE));
    }
  for (guint i = 0; i < nu; i++)
    {
      ru[i] = docent_answer_relevance (unanswerable[i], passages, CORPUS_SIZE);
      mean_u += ru[i] / nu;
      g_test_message ("unanswerable %.2f  %s", ru[i], unanswerable[i]);
      if (docent_answer_should_refuse (unanswerable[i], passages, CORPUS_SIZE))
        refused_u++;
    }
  /* the share of (answerable, unanswerable) pairs ranked right (AUC) */
  for (guint i = 0; i < na; i++)
    for (guint k = 0; k < nu; k++)
      ordered += ra[i] > ru[k] ? 1.0 : ra[i] == ru[k] ? 0.5 : 0.0;
  ordered /= na * nu;
  qsort (ra, na, sizeof (double), cmp_double);
  qsort (ru, nu, sizeof (double), cmp_double);
  g_test_message ("answerable: min %.2f median %.2f mean %.2f; unanswerable: max %.2f "
                  "median %.2f mean %.2f; AUC %.3f; refused %u/%u unanswerable",
                  ra[0], ra[na / 2], mean_a, ru[nu - 1], ru[nu / 2], mean_u, ordered,
                  refused_u, nu);
  g_assert_cmpuint (na, >=, 10);
  g_assert_cmpuint (nu, >=, 10);
  g_assert_cmpfloat (mean_a - mean_u, >, 0.5);
  g_assert_cmpfloat (ordered, >=, 0.97);
  g_assert_cmpuint (refused_u, >=, nu - 1);
}

static void
test_relevance_details (void)
{
  g_autofree DocentPassage *passages = corpus_passages ();
  DocentPassage one = passages[1];

  /* nothing to judge from */
  g_assert_cmpfloat (docent_answer_relevance ("What is the rent?", NULL, 0), ==, 0.0);
  g_assert_true (docent_answer_should_refuse ("What is the rent?", NULL, 0));
  /* only stop words: cannot be judged by words, so not refused */
  g_assert_cmpfloat (docent_answer_relevance ("What is it?", passages, CORPUS_SIZE), ==, 1.0);

  /* the share of content words, case and inflection aside */
  g_assert_cmpfloat_with_epsilon (docent_answer_relevance ("NOTICES delivered by certified mail?",
                                                           &one, 1), 1.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (docent_answer_relevance ("Is the notice period negotiable?",
                                                           &one, 1), 1.0 / 3, 1e-9);
  /* the heading counts as part of the passage */
  g_assert_cmpfloat_with_epsilon (docent_answer_relevance ("termination notice", &one, 1), 1.0, 1e-9);
  /* the best passage counts, not the sum */
  g_assert_cmpfloat_with_epsilon (docent_answer_relevance ("notice dishwasher", passages, CORPUS_SIZE),
                                  0.5, 1e-9);

  /* dense similarity raises relevance once it is clearly high, never lowers it */
  one.similarity = 0.9f;
  g_assert_cmpfloat (docent_answer_relevance ("Can I get out of the contract early?", &one, 1), ==, 1.0);
  one.similarity = 0.65f;
  g_assert_cmpfloat_with_epsilon (docent_answer_relevance ("Can I get out of the contract early?", &one, 1),
                                  0.5, 1e-6);
  one.similarity = 0.3f;
  g_assert_cmpfloat (docent_answer_relevance ("Can I get out of the contract early?", &one, 1), ==, 0.0);
  g_assert_cmpfloat_with_epsilon (docent_answer_relevance ("NOTICES delivered by certified mail?",
                                                           &one, 1), 1.0, 1e-9);

  g_assert_nonnull (docent_answer_refusal_text ());
  g_assert_cmpuint (strlen (docent_answer_refusal_text ()), >, 10);
}

static gboolean
has_synonym (const char *word,
             const char *other)
{
  g_autofree char *a = docent_answer_stem_word (word);
  g_autofree char *b = docent_answer_stem_word (other);
  GPtrArray *alts = docent_answer_synonyms (a);

  for (guint i = 0; alts != NULL && i < alts->len; i++)
    if (strcmp (alts->pdata[i], b) == 0)
      return TRUE;
  return FALSE;
}

/* The thesaurus of everyday and formal words, and how relevance uses it. */
static void
test_relevance_thesaurus (void)
{
  DocentPassage p = { .chunk_id = 1, .document_id = 1, .path = "/docs/handbook.pdf",
                      .page_start = 1, .page_end = 1,
                      .text = "Employees who resign give one month's written notice to their manager." };
  DocentPassage w = { .chunk_id = 2, .document_id = 2, .path = "/docs/manual.pdf",
                      .page_start = 1, .page_end = 1,
                      .text = "The warranty lasts 2 years from the date of purchase." };
  double plain, paraphrased;

  /* both ways, stemmed, phrases as keys only */
  g_assert_true (has_synonym ("quit", "resign"));
  g_assert_true (has_synonym ("resigned", "quitting"));
  g_assert_true (has_synonym ("vacation", "holiday"));
  g_assert_true (has_synonym ("repair", "fix"));
  g_assert_true (has_synonym ("move out", "vacate"));
  g_assert_false (has_synonym ("vacate", "move out"));
  g_assert_false (has_synonym ("quit", "holiday"));
  g_assert_null (docent_answer_synonyms ("xylophon"));

  /* a thesaurus match counts, but less than the word itself */
  plain = docent_answer_relevance ("Who must resign with notice?", &p, 1);
  paraphrased = docent_answer_relevance ("Who must quit with warning?", &p, 1);
  g_assert_cmpfloat (plain, ==, 1.0);
  g_assert_cmpfloat (paraphrased, <, plain);
  g_assert_cmpfloat (paraphrased, >=, DOCENT_ANSWER_MIN_RELEVANCE);
  g_assert_false (docent_answer_should_refuse ("If I quit, how much warning do I have to give my boss?", &p, 1));
  /* "how long" asks for a duration; "long" is not looked for */
  g_assert_cmpfloat (docent_answer_relevance ("How long is the warranty?", &w, 1), ==, 1.0);
  /* generic words ("get") count for less than the topic */
  g_assert_cmpfloat (docent_answer_relevance ("How do I get the warranty?", &w, 1), >,
                     docent_answer_relevance ("How do I register the warranty?", &w, 1));
}

/* ---- the extractive answer -------------------------------------------------- */

static void
assert_well_formed (DocentAnswer *answer,
                    guint         max_sentences)
{
  guint markers = 0;

  g_assert_nonnull (answer->answer);
  g_assert_true (g_utf8_validate (answer->answer, -1, NULL));
  g_assert_cmpint (answer->mode, ==, DOCENT_ANSWER_EXTRACTIVE);
  g_assert_cmpuint (answer->citations->len, >=, 1);
  g_assert_cmpuint (answer->citations->len, <=, max_sentences);
  g_assert_cmpuint (answer->uncited->len, ==, 0);
  for (const char *p = answer->answer; (p = strchr (p, '[')) != NULL; p++)
    if (docent_answer_parse_marker (answer->answer, p - answer->answer, strlen (answer->answer), NULL) > 0)
      markers++;
  g_assert_cmpuint (markers, ==, answer->citations->len);
  for (guint i = 0; i < answer->citations->len; i++)
    {
      const DocentCitation *c = answer->citations->pdata[i];
      const DocentSource *s = answer->sources->pdata[c->n - 1];
      g_autofree char *marker = g_strdup_printf ("[%u]", c->n);
      const char *quote_at = strstr (answer->answer, c->quote);

      /* the marker follows its sentence, which is the quote */
      g_assert_true (strncmp (answer->answer + c->offset, marker, strlen (marker)) == 0);
      g_assert_nonnull (quote_at);
      g_assert_cmpuint (quote_at - answer->answer + strlen (c->quote) + 1, ==, c->offset);
      g_assert_cmpint (c->chunk_id, ==, s->chunk_id);
      g_assert_cmpint (c->document_id, ==, s->document_id);
      g_assert_cmpstr (c->path, ==, s->path);
      g_assert_cmpuint (c->page_start, >=, s->page_start);
      g_assert_cmpuint (c->page_end, <=, s->page_end);
      /* no contents lines or bare headings */
      g_assert_null (strstr (c->quote, "...."));
      g_assert_false (docent_answer_is_fragment (c->quote, 0, strlen (c->quote)));
      /* no sentence twice */
      for (guint k = 0; k < i; k++)
        g_assert_cmpstr (((DocentCitation *) answer->citations->pdata[k])->quote, !=, c->quote);
    }
}

static void
test_extract_answerable (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (answerable); i++)
    {
      g_autoptr(DocentAnswer) answer = corpus_answer (answerable[i].question);
      g_autoptr(GError) error = NULL;
      gboolean cited = FALSE;

      g_assert_true (docent_answer_extract (answer, 0, &error));
      g_assert_no_error (error);
      g_test_message ("%s\n  %s", answerable[i].question, answer->answer);
      assert_well_formed (answer, 3);
      g_assert_false (answer->refused);
      if (strstr (answer->answer, answerable[i].expect) == NULL)
        g_error ("\"%s\": expected \"%s\" in \"%s\"", answerable[i].question,
                 answerable[i].expect, answer->answer);
      for (guint k = 0; k < answer->citations->len; k++)
        {
          const DocentCitation *c = answer->citations->pdata[k];

          if (c->n == answerable[i].source && strstr (c->quote, answerable[i].expect) != NULL)
            cited = TRUE;
        }
      g_assert_true (cited);
    }
}

/* The example of the brief, in full. */
static void
test_extract_notice (void)
{
  g_autoptr(DocentAnswer) answer = corpus_answer ("How much notice must the tenant give to end the lease?");
  const DocentCitation *c;

  const char *first = "Either party may terminate this Lease at the end of the term or of any later "
                      "month by giving the other party at least sixty (60) days' written notice. [2]";

  g_assert_true (docent_answer_extract (answer, 0, NULL));
  /* the answer first; a further sentence only from the same document
   * (here: leaving without that notice) */
  g_assert_true (g_str_has_prefix (answer->answer, first));
  g_assert_cmpuint (answer->citations->len, >=, 1);
  c = answer->citations->pdata[0];
  g_assert_cmpuint (c->n, ==, 2);
  g_assert_cmpint (c->chunk_id, ==, 102);
  g_assert_cmpuint (c->page_start, ==, 2);
  g_assert_cmpuint (c->page_end, ==, 2);
  g_assert_cmpuint (c->offset, ==, strlen (first) - 3);
  g_assert_cmpstr (c->title, ==, "Residential Lease Agreement");
  for (guint i = 1; i < answer->citations->len; i++)
    g_assert_cmpint (((DocentCitation *) answer->citations->pdata[i])->document_id, ==, 1);
}

static void
test_extract_max_sentences (void)
{
  const char *question = "What must the tenant do under the lease?";

  for (guint max = 1; max <= 4; max++)
    {
      g_autoptr(DocentAnswer) answer = corpus_answer (question);

      g_assert_true (docent_answer_extract (answer, max, NULL));
      assert_well_formed (answer, max);
      if (max == 1)
        g_assert_cmpuint (answer->citations->len, ==, 1);
    }
  /* 0 means the default, 3 */
  {
    g_autoptr(DocentAnswer) answer = corpus_answer (question);

    g_assert_true (docent_answer_extract (answer, 0, NULL));
    assert_well_formed (answer, 3);
  }
}

static void
test_extract_order (void)
{
  /* several sentences: written in source order, then position */
  g_autoptr(DocentAnswer) answer = corpus_answer ("When does the lease end?");
  gsize last = 0;
  guint last_n = 0;

  g_assert_true (docent_answer_extract (answer, 3, NULL));
  g_assert_cmpuint (answer->citations->len, >=, 2);
  for (guint i = 0; i < answer->citations->len; i++)
    {
      const DocentCitation *c = answer->citations->pdata[i];
      const char *in_source = strstr (((DocentSource *) answer->sources->pdata[c->n - 1])->text, c->quote);

      g_assert_nonnull (in_source);
      g_assert_cmpuint (c->n, >=, last_n);
      if (c->n == last_n)
        g_assert_cmpuint ((gsize) (in_source - ((DocentSource *) answer->sources->pdata[c->n - 1])->text), >, last);
      last_n = c->n;
      last = in_source - ((DocentSource *) answer->sources->pdata[c->n - 1])->text;
    }
}

static void
test_extract_deterministic (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (answerable); i++)
    {
      g_autoptr(DocentAnswer) a = corpus_answer (answerable[i].question);
      g_autoptr(DocentAnswer) b = corpus_answer (answerable[i].question);

      g_assert_true (docent_answer_extract (a, 0, NULL));
      g_assert_true (docent_answer_extract (b, 0, NULL));
      g_assert_cmpstr (a->answer, ==, b->answer);
      g_assert_cmpuint (a->citations->len, ==, b->citations->len);
      /* extracting again into the same answer replaces, not appends */
      g_assert_true (docent_answer_extract (a, 0, NULL));
      g_assert_cmpstr (a->answer, ==, b->answer);
      g_assert_cmpuint (a->citations->len, ==, b->citations->len);
    }
}

/* Neighbouring chunks overlap by a sentence or two: the same sentence in
 * two sources is written once. */
static void
test_extract_duplicates (void)
{
  g_autoptr(DocentAnswer) answer = docent_answer_new ("What is the target blood pressure for most adults?",
                                                      DOCENT_ANSWER_EXTRACTIVE);
  DocentSource *overlap = corpus_source (4, 2);

  g_ptr_array_add (answer->sources, corpus_source (4, 1));
  g_free (overlap->text);
  overlap->text = g_strdup ("The target blood pressure for most adults is below 130/80 mm Hg. "
                            "For older adults the target blood pressure may be higher.");
  overlap->chunk_id = 203;
  g_array_index (overlap->chunk_ids, gint64, 0) = 203;
  g_ptr_array_add (answer->sources, overlap);
  g_assert_true (docent_answer_extract (answer, 3, NULL));
  assert_well_formed (answer, 3);
  {
    const char *first = strstr (answer->answer, "below 130/80 mm Hg");

    g_assert_nonnull (first);
    g_assert_null (strstr (first + 1, "below 130/80 mm Hg"));
  }
}

static void
test_extract_fragments (void)
{
  /* the contents page and headings match the words, but are no answer */
  g_autoptr(DocentAnswer) answer = corpus_answer ("What does the warranty cover?");

  g_assert_true (docent_answer_extract (answer, 3, NULL));
  assert_well_formed (answer, 3);
  g_assert_null (strstr (answer->answer, "Warranty ........"));
  g_assert_nonnull (strstr (answer->answer, "2-year limited warranty"));
  g_assert_nonnull (strstr (answer->answer, "does not cover damage"));
}

static void
test_extract_markers_in_sources (void)
{
  /* footnote-like brackets in a source never become citations */
  g_autoptr(DocentAnswer) answer = docent_answer_new ("How often should the filter be replaced?",
                                                      DOCENT_ANSWER_EXTRACTIVE);
  DocentSource *s = corpus_source (6, 1);

  g_free (s->text);
  s->text = g_strdup ("Replace the water filter every 2 months [3] or after 40 tanks.\n"
                      "Use only original filters [12].");
  g_ptr_array_add (answer->sources, s);
  g_assert_true (docent_answer_extract (answer, 3, NULL));
  assert_well_formed (answer, 3);
  g_assert_nonnull (strstr (answer->answer, "every 2 months or after 40 tanks. [1]"));
  g_assert_null (strstr (answer->answer, "[3]"));
}

static void
test_extract_round_trip (void)
{
  /* resolving the extractive answer's markers gives the same citations */
  for (guint i = 0; i < G_N_ELEMENTS (answerable); i++)
    {
      g_autoptr(DocentAnswer) answer = corpus_answer (answerable[i].question);
      g_autoptr(GPtrArray) before = g_ptr_array_new ();
      g_autofree char *text = NULL;

      g_assert_true (docent_answer_extract (answer, 0, NULL));
      text = g_strdup (answer->answer);
      for (guint k = 0; k < answer->citations->len; k++)
        {
          DocentCitation *c = answer->citations->pdata[k];

          g_ptr_array_add (before, g_strdup_printf ("%u@%zu:%s", c->n, c->offset, c->quote));
        }
      g_ptr_array_set_free_func (before, g_free);
      docent_answer_resolve_citations (answer);
      g_assert_cmpstr (answer->answer, ==, text);
      g_assert_cmpuint (answer->citations->len, ==, before->len);
      g_assert_cmpuint (answer->uncited->len, ==, 0);
      for (guint k = 0; k < answer->citations->len; k++)
        {
          DocentCitation *c = answer->citations->pdata[k];
          g_autofree char *now = g_strdup_printf ("%u@%zu:%s", c->n, c->offset, c->quote);

          g_assert_cmpstr (now, ==, before->pdata[k]);
        }
    }
}

static DocentSource *
text_source (guint       n,
             gint64      document_id,
             const char *text)
{
  DocentSource *s = corpus_source (0, n);

  g_free (s->text);
  s->text = g_strdup (text);
  s->document_id = document_id;
  s->chunk_id = 900 + n;
  g_array_index (s->chunk_ids, gint64, 0) = s->chunk_id;
  return s;
}

/* A second sentence must come from the same document or hold the key word
 * of the first: no padding from another document sharing a common word. */
static void
test_extract_no_padding (void)
{
  g_autoptr(DocentAnswer) answer = docent_answer_new ("When does my lease run out?", DOCENT_ANSWER_EXTRACTIVE);

  g_ptr_array_add (answer->sources,
                   text_source (1, 1, "The lease begins on 1 April 2025 and ends on 31 March 2026."));
  g_ptr_array_add (answer->sources,
                   text_source (2, 2, "If the coffee runs faster, grind finer. The machine runs on 230 V."));
  g_assert_true (docent_answer_extract (answer, 3, NULL));
  assert_well_formed (answer, 3);
  g_assert_nonnull (strstr (answer->answer, "31 March 2026"));
  g_assert_null (strstr (answer->answer, "grind"));
  g_assert_null (strstr (answer->answer, "230 V"));
}

/* The kind of answer asked for: a duration, an amount, a frequency. */
static void
test_extract_answer_type (void)
{
  static const struct {
    const char *question;
    const char *expect;
  } cases[] = {
    { "How long is the warranty?", "2 years" },
    { "How much is the warranty registration fee?", "$15" },
    { "How often should the warranty card be checked?", "every 6 months" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(DocentAnswer) answer = docent_answer_new (cases[i].question, DOCENT_ANSWER_EXTRACTIVE);
      const DocentCitation *c;

      g_ptr_array_add (answer->sources,
                       text_source (1, 1, "The warranty card and the warranty registration fee are "
                                          "described below, with the warranty terms.\n\n"
                                          "The warranty lasts 2 years from the date of purchase.\n\n"
                                          "The warranty registration fee is $15.\n\n"
                                          "Check the warranty card every 6 months."));
      g_assert_true (docent_answer_extract (answer, 1, NULL));
      assert_well_formed (answer, 1);
      c = answer->citations->pdata[0];
      g_test_message ("%s → %s", cases[i].question, answer->answer);
      g_assert_nonnull (strstr (c->quote, cases[i].expect));
    }
}

static void
test_extract_nothing (void)
{
  g_autoptr(GError) error = NULL;

  /* no sources: an error */
  {
    g_autoptr(DocentAnswer) answer = docent_answer_new ("What is the rent?", DOCENT_ANSWER_EXTRACTIVE);

    g_assert_false (docent_answer_extract (answer, 0, &error));
    g_assert_error (error, DOCENT_ANSWER_ERROR, DOCENT_ANSWER_ERROR_NO_SOURCES);
  }
  /* no word in common: a refusal, no citations */
  {
    g_autoptr(DocentAnswer) answer = corpus_answer ("What is the capital of Australia?");

    g_assert_true (docent_answer_extract (answer, 0, NULL));
    g_assert_true (answer->refused);
    g_assert_cmpstr (answer->answer, ==, docent_answer_refusal_text ());
    g_assert_cmpuint (answer->citations->len, ==, 0);
  }
  /* no content word: the opening of the best source */
  {
    g_autoptr(DocentAnswer) answer = corpus_answer ("What is this?");

    g_assert_true (docent_answer_extract (answer, 0, NULL));
    assert_well_formed (answer, 2);
    g_assert_true (g_str_has_prefix (answer->answer, "The Tenant shall pay rent of $1,450.00"));
  }
  /* sources without text */
  {
    g_autoptr(DocentAnswer) answer = docent_answer_new ("What is the rent?", DOCENT_ANSWER_EXTRACTIVE);
    DocentSource *s = corpus_source (0, 1);

    g_clear_pointer (&s->text, g_free);
    g_ptr_array_add (answer->sources, s);
    g_assert_true (docent_answer_extract (answer, 0, NULL));
    g_assert_true (answer->refused);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/answer-extract/relevance/calibration", test_relevance_calibration);
  g_test_add_func ("/answer-extract/relevance/details", test_relevance_details);
  g_test_add_func ("/answer-extract/relevance/thesaurus", test_relevance_thesaurus);
  g_test_add_func ("/answer-extract/extract/answerable", test_extract_answerable);
  g_test_add_func ("/answer-extract/extract/notice", test_extract_notice);
  g_test_add_func ("/answer-extract/extract/max-sentences", test_extract_max_sentences);
  g_test_add_func ("/answer-extract/extract/order", test_extract_order);
  g_test_add_func ("/answer-extract/extract/deterministic", test_extract_deterministic);
  g_test_add_func ("/answer-extract/extract/duplicates", test_extract_duplicates);
  g_test_add_func ("/answer-extract/extract/fragments", test_extract_fragments);
  g_test_add_func ("/answer-extract/extract/markers-in-sources", test_extract_markers_in_sources);
  g_test_add_func ("/answer-extract/extract/round-trip", test_extract_round_trip);
  g_test_add_func ("/answer-extract/extract/no-padding", test_extract_no_padding);
  g_test_add_func ("/answer-extract/extract/answer-type", test_extract_answer_type);
  g_test_add_func ("/answer-extract/extract/nothing", test_extract_nothing);
  return g_test_run ();
}
