/* answer-corpus.h — hand-made passages for the answer tests: a residential
 * lease, a clinical guideline on hypertension and a coffee maker manual, as
 * retrieval would return them (DocentPassage) and as numbered sources
 * (DocentSource), plus questions they answer and questions they do not.
 * Header-only; included by test-answer-extract.c and test-citations.c. */
#pragma once

#include "engine/answer.h"

typedef struct {
  gint64 chunk_id;
  gint64 document_id;
  const char *path;
  const char *title;
  const char *heading;
  guint page_start, page_end;
  const char *text;
} CorpusPassage;

static const CorpusPassage corpus[] = {
  /* 1 */
  { 101, 1, "/docs/lease-2024.pdf", "Residential Lease Agreement", "Rent and Deposit", 1, 1,
    "RESIDENTIAL LEASE AGREEMENT\n\n"
    "3. Rent. The Tenant shall pay rent of $1,450.00 per month, due on the first (1st) day "
    "of each month. Rent paid after the fifth (5th) day of the month is subject to a late "
    "fee of $75.00. Payments may be made by check or by bank transfer to the account "
    "designated by the Landlord.\n\n"
    "4. Security Deposit. Upon signing this Lease, the Tenant shall pay a security deposit "
    "of $2,900.00. The Landlord shall return the deposit, less any lawful deductions for "
    "damage beyond normal wear and tear, within thirty (30) days after the Tenant vacates "
    "the Premises." },
  /* 2 */
  { 102, 1, "/docs/lease-2024.pdf", "Residential Lease Agreement", "Term and Termination", 2, 2,
    "5. Term. This Lease begins on June 1, 2024 and ends on May 31, 2025. Thereafter it "
    "continues from month to month until terminated as provided below.\n\n"
    "6. Termination. Either party may terminate this Lease at the end of the term or of "
    "any later month by giving the other party at least sixty (60) days' written notice. "
    "Notice must be delivered by hand or by certified mail to the address stated in "
    "Section 1. If the Tenant leaves before the end of the term without proper notice, "
    "the Tenant remains liable for rent until the Premises are re-let, but no longer than "
    "two (2) months." },
  /* 3 */
  { 103, 1, "/docs/lease-2024.pdf", "Residential Lease Agreement", "Maintenance and Pets", 2, 3,
    "7. Maintenance and Repairs. The Tenant shall keep the Premises clean and shall "
    "promptly notify the Landlord of any needed repairs. The Landlord is responsible for "
    "repairs to the roof, plumbing, heating and electrical systems, e.g. a broken water "
    "heater, within a reasonable time. The Tenant may not paint, remodel or install "
    "fixtures without the Landlord's prior written consent.\n\n"
    "8. Pets. No dogs, cats or other animals may be kept on the Premises, except fish in "
    "an aquarium of no more than 10 gallons. A violation of this section is a material "
    "breach of the Lease." },
  /* 4 */
  { 201, 2, "/docs/htn-guideline.pdf", "Hypertension in Adults: Diagnosis and Management",
    "Initial treatment", 14, 14,
    "Initial treatment of hypertension\n\n"
    "For adults with stage 1 hypertension (blood pressure 130–139/80–89 mm Hg) and a "
    "10-year cardiovascular risk below 10%, lifestyle changes are recommended for 3 to 6 "
    "months before starting medication. Lifestyle measures include reducing sodium intake "
    "to less than 1.5 g per day, regular aerobic exercise of at least 150 min per week, "
    "and limiting alcohol. Drug therapy should be started when blood pressure remains at "
    "or above 130/80 mm Hg despite these measures, or immediately in patients with "
    "diabetes or chronic kidney disease." },
  /* 5 */
  { 202, 2, "/docs/htn-guideline.pdf", "Hypertension in Adults: Diagnosis and Management",
    "Choice of drug and monitoring", 15, 15,
    "First-line agents are thiazide diuretics, ACE inhibitors, angiotensin receptor "
    "blockers (ARBs) and calcium channel blockers. ACE inhibitors and ARBs should not be "
    "combined. In Black patients without heart failure or kidney disease, a thiazide "
    "diuretic or a calcium channel blocker is preferred as initial therapy. Dr. Whelton "
    "et al. reported that two drugs in a single pill improve adherence, i.e. fewer missed "
    "doses.\n\n"
    "Monitoring. Blood pressure should be rechecked within 1 month of starting or "
    "changing therapy. Serum potassium and creatinine should be measured 2–4 weeks after "
    "starting an ACE inhibitor or ARB. The target blood pressure for most adults is below "
    "130/80 mm Hg." },
  /* 6 */
  { 301, 3, "/docs/brewmaster-300-manual.pdf", "BrewMaster 300 User Manual", NULL, 2, 2,
    "Contents\n"
    "Safety instructions ........ 3\n"
    "Brewing coffee ........ 5\n"
    "Cleaning and descaling ........ 7\n"
    "Troubleshooting ........ 9\n"
    "Warranty ........ 12\n\n"
    "Thank you for choosing the BrewMaster 300. Read these instructions before using the "
    "coffee maker for the first time." },
  /* 7 */
  { 302, 3, "/docs/brewmaster-300-manual.pdf", "BrewMaster 300 User Manual",
    "Cleaning and descaling", 7, 8,
    "Cleaning and descaling\n\n"
    "Descale the coffee maker every 3 months, or sooner if you have hard water. Fill the "
    "water tank with a mixture of 1 part white vinegar and 2 parts water, place an empty "
    "carafe on the warming plate, and press the CLEAN button. The cycle takes approx. 45 "
    "minutes; the CLEAN light turns off when it is finished. Then run two cycles with "
    "fresh water only to rinse the system.\n\n"
    "The carafe and filter basket are dishwasher safe (top rack only). Never immerse the "
    "base of the unit in water." },
  /* 8 */
  { 303, 3, "/docs/brewmaster-300-manual.pdf", "BrewMaster 300 User Manual",
    "Troubleshooting", 9, 12,
    "Troubleshooting\n\n"
    "If the coffee maker does not turn on, check that the power cord is plugged in and "
    "that the outlet works. If coffee overflows the filter basket, use a No. 4 paper "
    "filter and do not exceed 12 level tablespoons of ground coffee. Error code E3 means "
    "the water tank is empty or not seated correctly.\n\n"
    "Warranty. The BrewMaster 300 is covered by a 2-year limited warranty from the date "
    "of purchase. The warranty does not cover damage caused by scale build-up or misuse. "
    "To make a claim, contact customer service at 1-800-555-0199 with your receipt." },
};

#define CORPUS_SIZE G_N_ELEMENTS (corpus)

typedef struct {
  const char *question;
  const char *expect;   /* a substring the extractive answer must contain */
  guint source;         /* the source number it must cite for it */
} AnswerableQuestion;

static const AnswerableQuestion answerable[] = {
  { "How much notice must the tenant give to end the lease?", "sixty (60) days' written notice", 2 },
  { "How much is the monthly rent?", "$1,450.00 per month", 1 },
  { "What is the late fee for rent?", "late fee of $75.00", 1 },
  { "How large is the security deposit?", "security deposit of $2,900.00", 1 },
  { "When will the landlord return the deposit?", "within thirty (30) days", 1 },
  { "When does the lease end?", "ends on May 31, 2025", 2 },
  { "Who is responsible for repairing the plumbing?", "responsible for repairs to the roof, plumbing", 3 },
  { "Can the tenant keep a dog?", "No dogs, cats or other animals", 3 },
  { "How must notice be delivered?", "by certified mail", 2 },
  { "Which drugs are first-line agents for hypertension?", "thiazide diuretics", 5 },
  { "When should drug therapy be started?", "Drug therapy should be started when", 4 },
  { "What is the target blood pressure for most adults?", "below 130/80 mm Hg", 5 },
  { "When should potassium and creatinine be measured after starting an ACE inhibitor?", "2–4 weeks", 5 },
  { "How much sodium should patients with hypertension eat per day?", "less than 1.5 g per day", 4 },
  { "Can ACE inhibitors be combined with ARBs?", "should not be combined", 5 },
  { "How often should I descale the coffee maker?", "every 3 months", 7 },
  { "How long does the descaling cycle take?", "45 minutes", 7 },
  { "What does error code E3 mean?", "water tank is empty", 8 },
  { "How long is the warranty on the BrewMaster?", "2-year limited warranty", 8 },
  { "Are the carafe and filter basket dishwasher safe?", "dishwasher safe", 7 },
  { "What should I do if coffee overflows the filter basket?", "No. 4 paper filter", 8 },
  /* paraphrases: fewer of their words are in the text */
  { "What happens if I move out early without giving notice?", "remains liable for rent", 2 },
  { "How soon after starting an ARB should kidney function be tested?", "2–4 weeks", 5 },
  { "Who fixes a broken water heater?", "responsible for repairs", 3 },
};

/* Questions none of the passages answers: in-domain ones that share words
 * with them, and off-topic ones. */
static const char *const unanswerable[] = {
  "Is parking included with the apartment?",
  "Can the tenant sublet the apartment to a friend?",
  "Who pays for the internet connection?",
  "Is smoking allowed inside the unit?",
  "What is the recommended dose of amoxicillin for pneumonia?",
  "Is aspirin recommended for primary prevention of stroke?",
  "Should pregnant women with preeclampsia take magnesium?",
  "How do I make espresso with a steam wand?",
  "Does the coffee maker have a programmable timer?",
  "What is the capital of Australia?",
  "Who won the 2018 World Cup?",
  "How do I change a flat tire on a bicycle?",
  "What is the boiling point of water at high altitude?",
  "How many moons does Jupiter have?",
  "Which programming language should I learn first?",
  "What are the symptoms of migraine headaches?",
};

G_GNUC_UNUSED static DocentSource *
corpus_source (guint index,
               guint n)
{
  const CorpusPassage *p = &corpus[index];
  DocentSource *s = g_new0 (DocentSource, 1);

  s->n = n;
  s->chunk_id = p->chunk_id;
  s->chunk_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_array_append_val (s->chunk_ids, p->chunk_id);
  s->document_id = p->document_id;
  s->path = g_strdup (p->path);
  s->title = g_strdup (p->title);
  s->heading = g_strdup (p->heading);
  s->page_start = p->page_start;
  s->page_end = p->page_end;
  s->char_start = 0;
  s->char_end = g_utf8_strlen (p->text, -1);
  s->text = g_strdup (p->text);
  return s;
}

/* An answer whose sources are the whole corpus, numbered 1..8. */
G_GNUC_UNUSED static DocentAnswer *
corpus_answer (const char *question)
{
  DocentAnswer *answer = docent_answer_new (question, DOCENT_ANSWER_EXTRACTIVE);

  for (guint i = 0; i < CORPUS_SIZE; i++)
    g_ptr_array_add (answer->sources, corpus_source (i, i + 1));
  return answer;
}

/* The corpus as retrieval returns it (all passages; similarity unknown). */
G_GNUC_UNUSED static DocentPassage *
corpus_passages (void)
{
  DocentPassage *passages = g_new0 (DocentPassage, CORPUS_SIZE);

  for (guint i = 0; i < CORPUS_SIZE; i++)
    {
      const CorpusPassage *p = &corpus[i];

      passages[i] = (DocentPassage) {
        .chunk_id = p->chunk_id,
        .document_id = p->document_id,
        .path = p->path,
        .title = p->title,
        .heading = p->heading,
        .page_start = p->page_start,
        .page_end = p->page_end,
        .char_start = 0,
        .char_end = g_utf8_strlen (p->text, -1),
        .text = p->text,
        .score = 10.0 - i,
      };
    }
  return passages;
}
