/* answer-view.h — DocentAnswerView: one turn of a conversation — the
 * question, the answer (streamed, then with its [n] as links), a chip per
 * cited source, the sources listed below, the answer mode and a copy
 * button. Shows what it is given; asks nothing itself. */
#pragma once

#include <adwaita.h>

#include "engine/answer.h"

G_BEGIN_DECLS

#define DOCENT_TYPE_ANSWER_VIEW (docent_answer_view_get_type ())
G_DECLARE_FINAL_TYPE (DocentAnswerView, docent_answer_view, DOCENT, ANSWER_VIEW, GtkWidget)

/* A turn waiting for its answer. */
GtkWidget  *docent_answer_view_new         (const char       *question);
const char *docent_answer_view_get_question (DocentAnswerView *self);

/* Streamed text, appended (the label is updated at most 30 times a second). */
void        docent_answer_view_append_text (DocentAnswerView *self,
                                            const char       *text);
/* The finished answer (taken): its text is shown again with the citations
 * as links, chips and sources. `show_mode` adds the note on how it was
 * written (off for stored turns, whose mode is not kept). */
void        docent_answer_view_set_answer  (DocentAnswerView *self,
                                            DocentAnswer     *answer,
                                            gboolean          show_mode);
/* The question could not be answered: `message` says why. */
void        docent_answer_view_set_error   (DocentAnswerView *self,
                                            const char       *message);
/* The person stopped it: what was streamed stays, marked as stopped. */
void        docent_answer_view_set_stopped (DocentAnswerView *self);

/* The answer's text so far (markers as "[n]", no markup). */
const char *docent_answer_view_get_text    (DocentAnswerView *self);
/* The finished answer, or NULL. */
const DocentAnswer *docent_answer_view_get_answer (DocentAnswerView *self);
guint       docent_answer_view_get_n_chips (DocentAnswerView *self);
/* As a click on the chip of [n]; FALSE when there is none. */
gboolean    docent_answer_view_activate_citation (DocentAnswerView *self,
                                                  guint             n);
/* As a click on the copy button; FALSE before the answer is finished. */
gboolean    docent_answer_view_copy        (DocentAnswerView *self);

/* Signals:
 *  "citation-activated" (gint64 document_id, guint page_no, const char *quote):
 *      a marker, chip or listed source was clicked. */

G_END_DECLS
