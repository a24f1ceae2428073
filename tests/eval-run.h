/* eval-run.h — the answer evaluation shared by tests/test-eval.c and
 * bench/eval-answers.c: the questions of tests/eval/questions.json asked of
 * a library holding the evaluation corpus (tests/eval-corpus.h) through
 * docent_library_ask, and scored.
 *
 * Figures (all shares 0..1):
 *   recall@5            answerable questions whose expected document and
 *                       page are within the first 5 sources of the answer
 *                       (DocentAnswer.sources, best first); recall@1 the
 *                       same for the first source only
 *   passage recall@5    answerable questions whose supporting text is in
 *                       the text of one of the first 5 sources: stricter
 *                       than recall@5 for one-page documents (HTML, DOCX)
 *   answer accuracy     answerable questions not refused whose answer text
 *                       contains one of the expected answers
 *   citation precision  citations (in answers to answerable questions) of
 *                       the expected document whose page span holds the
 *                       question's supporting text, over all such citations
 *   refusal accuracy    questions refused exactly when unanswerable
 * Text is compared after NFKC, case folding, typographic quotes and dashes
 * made plain and whitespace runs collapsed to one space. */
#pragma once

#include <stdio.h>

#include <gio/gio.h>

#include "app/library.h"

G_BEGIN_DECLS

typedef struct {
  char *id;
  char *question;
  gboolean answerable;
  char *document;        /* file name; NULL when unanswerable */
  guint page;            /* 1-based */
  GStrv answers;         /* alternatives; NULL when unanswerable */
  GStrv support;         /* alternatives; NULL when unanswerable */
} DocentEvalQuestion;

void       docent_eval_question_free   (DocentEvalQuestion *q);

/* tests/eval/questions.json in the source tree. */
const char *docent_eval_default_questions_path (void);
/* DocentEvalQuestion*, validated (ids unique, answerable ones complete). */
GPtrArray *docent_eval_load_questions  (const char   *path,
                                        GError      **error);

/* Adds the documents of `corpus_dir` to the library and returns a table
 * file name → document id (gint64 in a pointer-sized slot: use
 * docent_eval_document_id). Fails when a document could not be added. */
GHashTable *docent_eval_add_corpus     (DocentLibrary *library,
                                        const char    *corpus_dir,
                                        GError       **error);
gint64     docent_eval_document_id     (GHashTable    *documents,
                                        const char    *file);

/* Checks the corpus against the questions: each corpus document stored
 * with its expected page count; for each answerable question, its document
 * stored, a supporting text and an expected answer on the expected page.
 * Appends a line to `problems` (char*) for each failure; notes (char*, may
 * be NULL) get support texts also found on other pages. FALSE with an error
 * only when the store could not be read. */
gboolean   docent_eval_check_corpus    (DocentLibrary *library,
                                        GHashTable    *documents,
                                        GPtrArray     *questions,
                                        GPtrArray     *problems,
                                        GPtrArray     *notes,
                                        GError       **error);

/* Normalised text for comparisons (see above). */
char      *docent_eval_normalize       (const char    *text);

typedef void (*DocentEvalProgressFunc) (guint     done,
                                        guint     total,
                                        gpointer  user_data);

typedef struct {
  const char *model;     /* DocentAskOptions.model; NULL: extractive */
  guint k;               /* passages retrieved; raised to at least 5; 0: 8 */
  DocentEvalProgressFunc progress;
  gpointer user_data;
} DocentEvalOptions;

typedef struct {
  const DocentEvalQuestion *q;
  gboolean refused;
  gboolean retrieved;    /* expected document and page in the first 5 sources */
  gboolean first;        /* ... in the first source */
  gboolean passage;      /* supporting text in one of the first 5 sources */
  gboolean answered;     /* an expected answer in the answer text */
  guint citations;
  guint supported;
  double ms;             /* docent_library_ask, wall clock */
  char *answer;          /* NULL when asking failed */
  char *error;           /* why asking failed, else NULL */
  char *sources;         /* "file p2, file p1-2, ..." (first 5) */
  char *cited;           /* "[1] file p2 ok, [2] file p3 -, ..." */
} DocentEvalResult;

typedef struct {
  char *mode;            /* of the answers ("extractive", "model", ...) */
  guint questions, answerable, unanswerable;
  guint retrieved, first, passage;
  guint answered;
  guint citations, supported;
  guint refusals_correct;
  guint refused_unanswerable, refused_answerable;
  guint errors;
  double recall_at_5, recall_at_1, passage_recall_at_5;
  double answer_accuracy, citation_precision, refusal_accuracy;
  double mean_ms, p95_ms, max_ms;
  double mean_retrieval_ms;
  GPtrArray *results;    /* DocentEvalResult*, in question order */
} DocentEvalReport;

void       docent_eval_report_free     (DocentEvalReport *report);

/* Asks every question (no_store) and scores the answers. Returns NULL when
 * the very first question fails with an error that says answering is not
 * implemented (see docent_eval_error_is_not_implemented); other failures
 * are counted in report->errors and score as wrong. */
DocentEvalReport *docent_eval_run      (DocentLibrary           *library,
                                        GHashTable              *documents,
                                        GPtrArray               *questions,
                                        const DocentEvalOptions *opts,
                                        GError                 **error);

/* G_IO_ERROR_NOT_SUPPORTED, or a message saying "not implemented". */
gboolean   docent_eval_error_is_not_implemented (const GError *error);

/* The figures as a table (one line each), and per-question failures. */
void       docent_eval_print_report    (const DocentEvalReport *report,
                                        FILE                   *out);
void       docent_eval_print_failures  (const DocentEvalReport *report,
                                        FILE                   *out);
/* One JSON object: the figures, and with `per_question` every result. */
char      *docent_eval_report_to_json  (const DocentEvalReport *report,
                                        gboolean                per_question);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DocentEvalQuestion, docent_eval_question_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DocentEvalReport, docent_eval_report_free)

G_END_DECLS
