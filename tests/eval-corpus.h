/* eval-corpus.h — the documents of the answer evaluation (tests/test-eval.c,
 * bench/eval-answers.c): realistic documents written for the project and
 * generated at run time, so the questions in tests/eval/questions.json can
 * be checked against known pages.
 *
 *   lease-agreement.pdf         residential lease, 5 pages
 *   hypertension-guideline.html clinical guideline, HTML with headings (1 page)
 *   coffee-machine-manual.docx  espresso machine manual, DOCX (1 page)
 *   employee-handbook.pdf       employee handbook, 5 pages
 *
 * The facts are invented (names, amounts, codes) and specific, so answers
 * are checkable; nothing in them is advice. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  const char *file;      /* the file name written into the corpus folder */
  const char *format;    /* "pdf", "html", "docx" */
  guint pages;           /* pages the ingest should find */
} DocentEvalDocument;

/* The documents, in a fixed order; *n_documents set. */
const DocentEvalDocument *docent_eval_corpus_documents (guint *n_documents);

/* Writes every document into `dir` (created when missing). */
gboolean docent_eval_write_corpus (const char  *dir,
                                   GError     **error);

G_END_DECLS
