/* turns.h — answers as the conversation pane shows and copies them: a
 * stored turn read back into a DocentAnswer (its citations JSON parsed,
 * marker offsets found again in the answer text), the sources an answer
 * lists under it, and the answer as plain text with its sources. */
#pragma once

#include "engine/answer.h"
#include "index/conversations.h"

G_BEGIN_DECLS

/* The citations stored with a turn (DocentCitation*, in answer order) from
 * the JSON app/ask.c writes (members n, chunk_id, document_id, page_start,
 * page_end, quote, and path and title when present). Each `offset` is
 * found again in `answer_text`: the citations' "[n]" markers are searched
 * in order; a citation whose marker is missing gets the text's length.
 * NULL or empty `json` gives an empty array; malformed JSON an error. */
GPtrArray    *docent_citations_from_json (const char        *json,
                                          const char        *answer_text,
                                          GError           **error);

/* A stored turn as an answer: question, text, citations; `refused` when the
 * text is the refusal. Stored turns do not keep the numbered sources nor
 * the mode: `sources` is empty and `mode` EXTRACTIVE. */
DocentAnswer *docent_turn_to_answer      (const DocentTurn  *turn,
                                          GError           **error);

/* A source as listed under an answer. */
typedef struct {
  guint n;
  gint64 document_id;
  char *title;                /* never NULL */
  char *path;                 /* may be NULL */
  guint page_start, page_end; /* 0 when unknown */
  char *quote;                /* the first citation's quote, may be NULL */
  char *opening;              /* the source text's first sentence, NULL
                               * when the text is not known (stored turns) */
} DocentListedSource;

/* The sources an answer cites, by number (title, path and opening from
 * answer->sources when it has them, pages spanning the citations of that
 * number); for a refused answer, the closest sources it was given (quote
 * NULL). Array of DocentListedSource that clears its elements. */
GArray       *docent_answer_listed_sources (const DocentAnswer *answer);

/* "p. 3", "pp. 3–5", or "" for page 0. */
char         *docent_format_pages        (guint              page_start,
                                          guint              page_end);

/* The answer as plain text, its markers kept, followed by the sources it
 * cites: "Sources:\n[1] Title, p. 3 — path". */
char         *docent_answer_to_text      (const DocentAnswer *answer);

G_END_DECLS
