/* test-citations.c — citation markers in every form, invalid numbers
 * removed, quotes, offsets, uncited sentences; and the shared text helpers
 * (words, stems, sentences) they rest on. */
#include <string.h>

#include "engine/answer-private.h"
#include "tests/answer-corpus.h"

/* An answer over the first three corpus passages (the lease). */
static DocentAnswer *
lease_answer (const char *text)
{
  DocentAnswer *answer = docent_answer_new ("question", DOCENT_ANSWER_MODEL);

  for (guint i = 0; i < 3; i++)
    g_ptr_array_add (answer->sources, corpus_source (i, i + 1));
  answer->answer = g_strdup (text);
  return answer;
}

static DocentCitation *
citation (DocentAnswer *answer,
          guint         i)
{
  g_assert_cmpuint (i, <, answer->citations->len);
  return answer->citations->pdata[i];
}

/* Every citation's offset points at its own "[n]", in order; every "[n]"
 * of the text has its citation. */
static void
assert_offsets (DocentAnswer *answer)
{
  guint markers = 0;
  gsize last = 0;

  for (guint i = 0; i < answer->citations->len; i++)
    {
      DocentCitation *c = citation (answer, i);
      g_autofree char *marker = g_strdup_printf ("[%u]", c->n);

      g_assert_cmpuint (c->offset, <, strlen (answer->answer));
      g_assert_true (strncmp (answer->answer + c->offset, marker, strlen (marker)) == 0);
      if (i > 0)
        g_assert_cmpuint (c->offset, >, last);
      last = c->offset;
    }
  for (const char *p = answer->answer; (p = strchr (p, '[')) != NULL; p++)
    if (docent_answer_parse_marker (answer->answer, p - answer->answer, strlen (answer->answer), NULL) > 0)
      markers++;
  g_assert_cmpuint (markers, ==, answer->citations->len);
  g_assert_true (g_utf8_validate (answer->answer, -1, NULL));
}

static void
assert_numbers (DocentAnswer *answer,
                const guint  *numbers,
                guint         n)
{
  g_assert_cmpuint (answer->citations->len, ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpuint (citation (answer, i)->n, ==, numbers[i]);
}

/* ---- words and sentences --------------------------------------------------- */

static char *
stem_of (const char *word)
{
  g_autoptr(GArray) words = docent_answer_words (word, -1);

  g_assert_cmpuint (words->len, ==, 1);
  return g_strdup (g_array_index (words, DocentWord, 0).stem);
}

static void
assert_same_stem (const char *const *forms)
{
  g_autofree char *first = stem_of (forms[0]);

  for (guint i = 1; forms[i] != NULL; i++)
    {
      g_autofree char *other = stem_of (forms[i]);

      if (strcmp (first, other) != 0)
        g_error ("\"%s\" stems to \"%s\" but \"%s\" to \"%s\"", forms[0], first, forms[i], other);
    }
}

static void
test_stems (void)
{
  static const char *const groups[][6] = {
    { "notice", "notices", "noticed", "noticing", "Notice", NULL },
    { "lease", "leases", "leased", "leasing", "LEASE", NULL },
    { "policy", "policies", NULL },
    { "agree", "agreed", "agrees", "agreeing", NULL },
    { "exceed", "exceeds", "exceeding", "exceeded", NULL },
    { "stop", "stops", "stopped", "stopping", NULL },
    { "keep", "keeps", "kept", "keeping", NULL },
    { "give", "gives", "giving", "given", "gave", NULL },
    { "month", "months", "monthly", NULL },
    { "box", "boxes", NULL },
    { "class", "classes", NULL },
    { "tenant", "tenants", "tenant's", "tenant’s", NULL },
    { "café", "cafe", "CAFÉS", NULL },
    { "descale", "descaling", "descaled", NULL },
    { "repair", "repairs", "repairing", "repaired", NULL },
  };
  g_autoptr(GArray) words = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (groups); i++)
    assert_same_stem (groups[i]);

  /* different words stay different */
  {
    g_autofree char *a = stem_of ("need");
    g_autofree char *b = stem_of ("ne");
    g_autofree char *c = stem_of ("status");
    g_autofree char *d = stem_of ("analysis");

    g_assert_cmpstr (a, ==, "need");
    g_assert_cmpstr (b, ==, "ne");
    g_assert_cmpstr (c, ==, "status");
    g_assert_cmpstr (d, ==, "analysis");
  }

  /* numbers stay whole; stop words are flagged; non-Latin words survive */
  words = docent_answer_words ("What is the fee of $1,450.00 for 3.5 days in Zürich, "
                               "東京 or Москве?", -1);
  {
    const char *expect[] = { "what", "is", "the", "fee", "of", "1,450.00", "for", "3.5",
                             "day", "in", "zurich", "東", "京", "or", "москве" };
    gboolean stop[] = { 1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 0, 0, 0, 1, 0 };

    g_assert_cmpuint (words->len, ==, G_N_ELEMENTS (expect));
    for (guint i = 0; i < words->len; i++)
      {
        const DocentWord *w = &g_array_index (words, DocentWord, i);

        g_assert_cmpstr (w->stem, ==, expect[i]);
        g_assert_cmpint (w->stop, ==, stop[i]);
      }
  }
}

static void
assert_sentences (const char         *text,
                  const char *const  *expect)
{
  g_autoptr(GArray) spans = docent_answer_sentences (text, -1);
  guint n = g_strv_length ((char **) expect);

  for (guint i = 0; i < spans->len; i++)
    {
      const DocentSpan *s = &g_array_index (spans, DocentSpan, i);
      g_autofree char *got = g_strndup (text + s->start, s->end - s->start);

      if (i >= n || strcmp (got, expect[i]) != 0)
        g_error ("sentence %u: got \"%s\", expected \"%s\"", i, got, i < n ? expect[i] : "(none)");
    }
  g_assert_cmpuint (spans->len, ==, n);
}

static void
test_sentences (void)
{
  {
    const char *expect[] = {
      "Dr. Smith arrived at 5 p.m. on Monday.",
      "He said fruit, e.g. apples, is good.",
      "See No. 5 and Fig. 3 for details.",
      "The dose is 3.5 mg, approx. 2 tablets.",
      "J. R. R. Tolkien wrote it, i.e. the book.",
      "Is it done?",
      "Yes!",
      "Apples, pears, etc. are fruit.",
      "The U.S. Congress met.",
      "No.",
      "It did not.",
      NULL,
    };

    assert_sentences ("Dr. Smith arrived at 5 p.m. on Monday. He said fruit, e.g. apples, is good. "
                      "See No. 5 and Fig. 3 for details. The dose is 3.5 mg, approx. 2 tablets. "
                      "J. R. R. Tolkien wrote it, i.e. the book. Is it done? Yes! "
                      "Apples, pears, etc. are fruit. The U.S. Congress met. No. It did not.",
                      expect);
  }
  {
    /* quotes, markers after the terminator, a blank line, wrapped lines */
    const char *expect[] = {
      "He said \"stop.\"",
      "The rent is due. [1]",
      "The notice period is sixty days.[2][3]",
      "Next paragraph starts here and it is wrapped\nover two lines.",
      "1. Preheat the oven.",
      "2. Bake it.",
      NULL,
    };

    assert_sentences ("He said \"stop.\" The rent is due. [1] The notice period is sixty days.[2][3]\n\n"
                      "Next paragraph starts here and it is wrapped\nover two lines.\n\n"
                      "1. Preheat the oven.\n2. Bake it.", expect);
  }
  {
    /* lists, labels, tables, headings, contents lines */
    const char *expect[] = {
      "Sources:",
      "- the lease, page 2",
      "• the manual",
      "Contents",
      "Safety instructions ........ 3",
      "Warranty ........ 12",
      "Termination and Notice",
      "Either party may end the lease",
      "Rent\t$1,450",
      "Deposit\t$2,900",
      NULL,
    };

    assert_sentences ("Sources:\n- the lease, page 2\n• the manual\n\n"
                      "Contents\nSafety instructions ........ 3\nWarranty ........ 12\n\n"
                      "Termination and Notice\nEither party may end the lease\n\n"
                      "Rent\t$1,450\nDeposit\t$2,900", expect);
  }
  {
    const char *expect[] = { "日本語の文です。", "二つ目。", NULL };

    assert_sentences ("日本語の文です。二つ目。", expect);
  }
  {
    const char *expect[] = { NULL };

    assert_sentences ("  \n\n ", expect);
  }
}

static void
test_fragments (void)
{
  static const struct {
    const char *text;
    gboolean fragment;
  } cases[] = {
    { "Sources:", TRUE },
    { "## Termination", TRUE },
    { "RESIDENTIAL LEASE AGREEMENT", TRUE },
    { "Initial treatment of hypertension", TRUE },
    { "4. Security Deposit.", TRUE },
    { "Warranty ........ 12", TRUE },
    { "Yes.", TRUE },
    { "[1] [2]", TRUE },
    { "The rent is due on the first day of each month.", FALSE },
    { "The rent is due on the first day of each month [1].", FALSE },
    { "Rent is due.", FALSE },
    { "Notice must be given in writing to the landlord", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    if (docent_answer_is_fragment (cases[i].text, 0, strlen (cases[i].text)) != cases[i].fragment)
      g_error ("\"%s\" should %sbe a fragment", cases[i].text, cases[i].fragment ? "" : "not ");
}

static void
test_parse_marker (void)
{
  static const struct {
    const char *text;
    gsize end;             /* 0: not a marker */
    guint numbers[4];
    guint n;
  } cases[] = {
    { "[2]", 3, { 2 }, 1 },
    { "[1, 3]", 6, { 1, 3 }, 2 },
    { "[1,3]", 5, { 1, 3 }, 2 },
    { "[1; 3]", 6, { 1, 3 }, 2 },
    { "[ 4 ]", 5, { 4 }, 1 },
    { "[2-4]", 5, { 2, 3, 4 }, 3 },
    { "[1 and 2]", 9, { 1, 2 }, 2 },
    { "[Source 2]", 10, { 2 }, 1 },
    { "[source 1, source 3]", 20, { 1, 3 }, 2 },
    { "[Sources 1, 2]", 14, { 1, 2 }, 2 },
    { "[source #5]", 11, { 5 }, 1 },
    { "[]", 2, { 0 }, 0 },
    { "[2019]", 0, { 0 }, 0 },
    { "[a]", 0, { 0 }, 0 },
    { "[sic]", 0, { 0 }, 0 },
    { "[1", 0, { 0 }, 0 },
    { "[1, x]", 0, { 0 }, 0 },
    { "[Source]", 0, { 0 }, 0 },
    { "[5-1]", 0, { 0 }, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GArray) numbers = g_array_new (FALSE, FALSE, sizeof (guint));
      gsize end = docent_answer_parse_marker (cases[i].text, 0, strlen (cases[i].text), numbers);

      if (end != cases[i].end)
        g_error ("\"%s\": end %zu, expected %zu", cases[i].text, end, cases[i].end);
      if (end == 0)
        continue;
      g_assert_cmpuint (numbers->len, ==, cases[i].n);
      for (guint k = 0; k < numbers->len; k++)
        g_assert_cmpuint (g_array_index (numbers, guint, k), ==, cases[i].numbers[k]);
    }
}

/* ---- resolving --------------------------------------------------------------- */

static void
test_forms (void)
{
  g_autoptr(DocentAnswer) answer = lease_answer (
    "The rent is $1,450.00 per month [1]. A late fee of $75.00 applies after the fifth "
    "day [1, 2]. The deposit is $2,900.00 [1][3]. Either party must give sixty days' "
    "notice [Source 2]. Dogs and cats are not allowed [source 3]. Notice goes by "
    "certified mail [2,3]. Repairs to the plumbing are the landlord's job [1-3].");
  static const guint numbers[] = { 1, 1, 2, 1, 3, 2, 3, 2, 3, 1, 2, 3 };

  docent_answer_resolve_citations (answer);
  g_assert_cmpstr (answer->answer, ==,
    "The rent is $1,450.00 per month [1]. A late fee of $75.00 applies after the fifth "
    "day [1][2]. The deposit is $2,900.00 [1][3]. Either party must give sixty days' "
    "notice [2]. Dogs and cats are not allowed [3]. Notice goes by "
    "certified mail [2][3]. Repairs to the plumbing are the landlord's job [1][2][3].");
  assert_numbers (answer, numbers, G_N_ELEMENTS (numbers));
  assert_offsets (answer);
  g_assert_cmpuint (answer->uncited->len, ==, 0);
  for (guint i = 0; i < answer->citations->len; i++)
    {
      DocentCitation *c = citation (answer, i);

      g_assert_cmpstr (c->path, ==, "/docs/lease-2024.pdf");
      g_assert_cmpstr (c->title, ==, "Residential Lease Agreement");
      g_assert_cmpint (c->document_id, ==, 1);
      g_assert_cmpint (c->chunk_id, ==, corpus[c->n - 1].chunk_id);
      g_assert_nonnull (c->quote);
      g_assert_nonnull (strstr (corpus[c->n - 1].text, c->quote));
    }
}

static void
test_invalid_removed (void)
{
  static const struct {
    const char *in;
    const char *out;
    guint n_citations;
  } cases[] = {
    { "The rent is $1,450.00 per month [1][7].", "The rent is $1,450.00 per month [1].", 1 },
    { "Pets are banned [9]. The deposit is $2,900.00 [12, 1].",
      "Pets are banned. The deposit is $2,900.00 [1].", 1 },
    { "Something [] here ([8]). Start [4] of it [0].", "Something here. Start of it.", 0 },
    { "[7] Leading text.\n[5] Another line [2].", "Leading text.\nAnother line [2].", 1 },
    { "In [2019] the rules changed [3].", "In [2019] the rules changed [3].", 1 },
    { "Cited twice [1][1] and [2] [2].", "Cited twice [1] and [2].", 2 },
    { "Only bad [4], [5] and [6].", "Only bad, and.", 0 },
    { "Range [2-5] clipped.", "Range [2][3] clipped.", 2 },
    { "See [source 9].", "See.", 0 },
    { "No markers at all.", "No markers at all.", 0 },
    { "", "", 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(DocentAnswer) answer = lease_answer (cases[i].in);

      docent_answer_resolve_citations (answer);
      g_assert_cmpstr (answer->answer, ==, cases[i].out);
      g_assert_cmpuint (answer->citations->len, ==, cases[i].n_citations);
      assert_offsets (answer);
    }
}

static void
test_quotes (void)
{
  g_autoptr(DocentAnswer) answer = lease_answer (
    "To end the lease, either party must give sixty days' written notice [2]. "
    "The landlord fixes the roof and the plumbing [3]. "
    "Rent is $1,450.00 a month [1] and the security deposit is $2,900.00 [1]. "
    "Late rent costs a fee [1].");

  docent_answer_resolve_citations (answer);
  assert_offsets (answer);
  g_assert_cmpuint (answer->citations->len, ==, 5);
  g_assert_cmpstr (citation (answer, 0)->quote, ==,
                   "Either party may terminate this Lease at the end of the term or of any later "
                   "month by giving the other party at least sixty (60) days' written notice.");
  g_assert_cmpuint (citation (answer, 0)->page_start, ==, 2);
  g_assert_cmpuint (citation (answer, 0)->page_end, ==, 2);
  g_assert_cmpstr (citation (answer, 1)->quote, ==,
                   "The Landlord is responsible for repairs to the roof, plumbing, heating and "
                   "electrical systems, e.g. a broken water heater, within a reasonable time.");
  /* two markers in one sentence: each supports its own part */
  g_assert_cmpstr (citation (answer, 2)->quote, ==,
                   "The Tenant shall pay rent of $1,450.00 per month, due on the first (1st) day "
                   "of each month.");
  g_assert_cmpstr (citation (answer, 3)->quote, ==,
                   "Upon signing this Lease, the Tenant shall pay a security deposit of $2,900.00.");
  g_assert_cmpstr (citation (answer, 4)->quote, ==,
                   "Rent paid after the fifth (5th) day of the month is subject to a late fee of $75.00.");

  /* resolving again changes nothing */
  {
    g_autofree char *before = g_strdup (answer->answer);

    docent_answer_resolve_citations (answer);
    g_assert_cmpstr (answer->answer, ==, before);
    g_assert_cmpuint (answer->citations->len, ==, 5);
    assert_offsets (answer);
  }
}

static void
test_quote_ties_and_fallback (void)
{
  g_autoptr(DocentAnswer) answer = docent_answer_new ("q", DOCENT_ANSWER_MODEL);
  DocentSource *s = corpus_source (0, 1);

  g_free (s->text);
  s->text = g_strdup ("Heading Words\n\nThe cat sat on the mat. The cat sat on the hat. "
                      "Unrelated text follows here.");
  g_ptr_array_add (answer->sources, s);
  answer->answer = g_strdup ("A cat sat there [1]. Nothing in common whatsoever [1].");
  docent_answer_resolve_citations (answer);
  g_assert_cmpuint (answer->citations->len, ==, 2);
  /* a tie goes to the earlier sentence */
  g_assert_cmpstr (citation (answer, 0)->quote, ==, "The cat sat on the mat.");
  /* no shared word: the first real sentence, not the heading */
  g_assert_cmpstr (citation (answer, 1)->quote, ==, "The cat sat on the mat.");
}

static void
test_uncited (void)
{
  const char *text =
    "## Answer\n"
    "The rent is $1,450.00 per month [1]. The building has a gym and a pool. "
    "The deposit is refundable.\n\n"
    "Sources:\n"
    "- lease\n"
    "Notice is sixty days [2].";
  g_autoptr(DocentAnswer) answer = lease_answer (text);
  const char *expect[] = { "The building has a gym and a pool.", "The deposit is refundable." };

  docent_answer_resolve_citations (answer);
  g_assert_cmpstr (answer->answer, ==, text);
  g_assert_cmpuint (answer->citations->len, ==, 2);
  g_assert_cmpuint (answer->uncited->len, ==, 2 * G_N_ELEMENTS (expect));
  for (guint i = 0; i < G_N_ELEMENTS (expect); i++)
    {
      guint offset = g_array_index (answer->uncited, guint, 2 * i);
      guint length = g_array_index (answer->uncited, guint, 2 * i + 1);

      g_assert_cmpuint (length, ==, strlen (expect[i]));
      g_assert_true (strncmp (answer->answer + offset, expect[i], length) == 0);
    }

  /* a refusal has nothing to cite */
  {
    g_autoptr(DocentAnswer) refused = lease_answer ("Your documents do not appear to cover this question.");

    refused->refused = TRUE;
    docent_answer_resolve_citations (refused);
    g_assert_cmpuint (refused->uncited->len, ==, 0);
    g_assert_cmpuint (refused->citations->len, ==, 0);
  }
}

static void
test_marker_alone (void)
{
  g_autoptr(DocentAnswer) answer = lease_answer ("The security deposit is $2,900.00.\n[1]");

  docent_answer_resolve_citations (answer);
  g_assert_cmpuint (answer->citations->len, ==, 1);
  /* the marker on its own line cites the sentence before it */
  g_assert_cmpstr (citation (answer, 0)->quote, ==,
                   "Upon signing this Lease, the Tenant shall pay a security deposit of $2,900.00.");
  g_assert_cmpuint (answer->uncited->len, ==, 0);
}

static void
test_pages_and_chunks (void)
{
  g_autoptr(DocentAnswer) answer = docent_answer_new ("q", DOCENT_ANSWER_MODEL);
  DocentSource *one = corpus_source (1, 1);     /* page 2 only */
  DocentSource *span = corpus_source (2, 2);    /* pages 2-3 */
  DocentSource *merged = corpus_source (6, 3);  /* pages 7-8, two chunks */
  gint64 second = 399;

  g_array_append_val (merged->chunk_ids, second);
  g_ptr_array_add (answer->sources, one);
  g_ptr_array_add (answer->sources, span);
  g_ptr_array_add (answer->sources, merged);
  answer->answer = g_strdup ("Notice goes by certified mail [1]. No dogs are allowed [2]. "
                             "The carafe is dishwasher safe [3].");
  docent_answer_resolve_citations (answer);
  g_assert_cmpuint (answer->citations->len, ==, 3);
  g_assert_cmpuint (citation (answer, 0)->page_start, ==, 2);
  g_assert_cmpuint (citation (answer, 0)->page_end, ==, 2);
  g_assert_cmpint (citation (answer, 0)->chunk_id, ==, 102);
  /* page boundaries inside a source are not known: its whole range, the
   * first page first (see citations.c) */
  g_assert_cmpuint (citation (answer, 1)->page_start, ==, 2);
  g_assert_cmpuint (citation (answer, 1)->page_end, ==, 3);
  g_assert_cmpint (citation (answer, 1)->chunk_id, ==, 103);
  g_assert_cmpuint (citation (answer, 2)->page_start, ==, 7);
  g_assert_cmpuint (citation (answer, 2)->page_end, ==, 8);
  g_assert_cmpint (citation (answer, 2)->chunk_id, ==, 302);
  g_assert_cmpstr (citation (answer, 2)->quote, ==,
                   "The carafe and filter basket are dishwasher safe (top rack only).");
}

static void
test_long_quote (void)
{
  g_autoptr(DocentAnswer) answer = docent_answer_new ("q", DOCENT_ANSWER_MODEL);
  DocentSource *s = corpus_source (0, 1);
  GString *text = g_string_new ("The schedule lists");

  for (guint i = 0; i < 120; i++)
    g_string_append_printf (text, " item %u café", i);
  g_string_append (text, ".");
  g_free (s->text);
  s->text = g_string_free (text, FALSE);
  g_ptr_array_add (answer->sources, s);
  answer->answer = g_strdup ("The schedule lists many items [1].");
  docent_answer_resolve_citations (answer);
  g_assert_cmpuint (answer->citations->len, ==, 1);
  g_assert_true (g_utf8_validate (citation (answer, 0)->quote, -1, NULL));
  g_assert_cmpuint (strlen (citation (answer, 0)->quote), <=, 600 + 3);
  g_assert_true (g_str_has_suffix (citation (answer, 0)->quote, "…"));
  g_assert_true (g_str_has_prefix (citation (answer, 0)->quote, "The schedule lists item 0 café"));
}

static void
test_no_sources_no_text (void)
{
  g_autoptr(DocentAnswer) answer = docent_answer_new ("q", DOCENT_ANSWER_MODEL);

  docent_answer_resolve_citations (answer);
  g_assert_null (answer->answer);
  answer->answer = g_strdup ("Everything is invalid [1] here [2].");
  docent_answer_resolve_citations (answer);
  g_assert_cmpstr (answer->answer, ==, "Everything is invalid here.");
  g_assert_cmpuint (answer->citations->len, ==, 0);
  g_assert_cmpuint (answer->uncited->len, ==, 2);
}

/* Random soups of brackets, digits, words and punctuation: the result is
 * valid UTF-8, every offset is right and no invalid number survives. */
static void
test_random (void)
{
  static const char *const pieces[] = {
    "[", "]", "1", "2", "3", "7", "12", ", ", " ", "  ", ".", "!", "?", "\n", "\n\n",
    "Source ", "rent", " the deposit", "é", "notice", "(", ")", "[]", "[1]", "[9]",
    "[2, 8]", "[source 3]", "Dr.", "e.g.", "-", ";", "…", "Sources:",
    "\xe2", "\xff", "\xc3", "\xe3\x80", "東京。", "- ", "1. ", "\t",
  };
  g_autoptr(GRand) rand = g_rand_new_with_seed (1234);

  for (guint round = 0; round < 2000; round++)
    {
      GString *s = g_string_new (NULL);
      guint n = g_rand_int_range (rand, 0, 40);
      g_autoptr(DocentAnswer) answer = NULL;

      for (guint i = 0; i < n; i++)
        g_string_append (s, pieces[g_rand_int_range (rand, 0, G_N_ELEMENTS (pieces))]);
      /* the helpers read any bytes without running past them (ASan) */
      {
        char *copy = g_memdup2 (s->str, s->len);
        g_autoptr(GArray) words = docent_answer_words (copy, s->len);
        g_autoptr(GArray) spans = docent_answer_sentences (copy, s->len);

        for (guint i = 0; i < spans->len; i++)
          {
            const DocentSpan *sp = &g_array_index (spans, DocentSpan, i);

            g_assert_cmpuint (sp->start, <, sp->end);
            g_assert_cmpuint (sp->end, <=, s->len);
            docent_answer_is_fragment (copy, sp->start, sp->end);
          }
        g_free (copy);
      }
      answer = lease_answer (s->str);
      g_string_free (s, TRUE);
      docent_answer_resolve_citations (answer);
      g_assert_true (g_utf8_validate (answer->answer, -1, NULL));
      for (guint i = 0; i < answer->citations->len; i++)
        {
          DocentCitation *c = citation (answer, i);
          g_autofree char *marker = g_strdup_printf ("[%u]", c->n);

          g_assert_cmpuint (c->n, >=, 1);
          g_assert_cmpuint (c->n, <=, 3);
          g_assert_true (strncmp (answer->answer + c->offset, marker, strlen (marker)) == 0);
        }
      for (guint i = 0; i + 1 < answer->uncited->len; i += 2)
        g_assert_cmpuint (g_array_index (answer->uncited, guint, i) +
                          g_array_index (answer->uncited, guint, i + 1), <=, strlen (answer->answer));
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/citations/text/stems", test_stems);
  g_test_add_func ("/citations/text/sentences", test_sentences);
  g_test_add_func ("/citations/text/fragments", test_fragments);
  g_test_add_func ("/citations/text/parse-marker", test_parse_marker);
  g_test_add_func ("/citations/forms", test_forms);
  g_test_add_func ("/citations/invalid-removed", test_invalid_removed);
  g_test_add_func ("/citations/quotes", test_quotes);
  g_test_add_func ("/citations/quote-ties", test_quote_ties_and_fallback);
  g_test_add_func ("/citations/uncited", test_uncited);
  g_test_add_func ("/citations/marker-alone", test_marker_alone);
  g_test_add_func ("/citations/pages-and-chunks", test_pages_and_chunks);
  g_test_add_func ("/citations/long-quote", test_long_quote);
  g_test_add_func ("/citations/no-sources", test_no_sources_no_text);
  g_test_add_func ("/citations/random", test_random);
  return g_test_run ();
}
