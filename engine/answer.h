/* answer.h — grounded answers: retrieved passages in, an answer that cites
 * them out. No retrieval and no storage here (the caller retrieves and
 * keeps conversations); the same types serve the extractive answerer
 * (answer-extract.c), local models and remote servers (backend.h).
 *
 * The pipeline: pack the best passages into numbered sources that fit the
 * model's budget (neighbouring chunks of the same page merged), decide
 * whether they are relevant enough to answer at all (refusal), then either
 * pick supporting sentences (extractive) or prompt a chat model with the
 * numbered sources and stream its answer; finally map every [n] in the text
 * to its source and the sentence that supports it. */
#pragma once

#include <gio/gio.h>

#include "engine/tokenizer.h"

G_BEGIN_DECLS

#define DOCENT_ANSWER_ERROR (docent_answer_error_quark ())
GQuark docent_answer_error_quark (void);

typedef enum {
  DOCENT_ANSWER_ERROR_NO_SOURCES,   /* nothing to answer from */
  DOCENT_ANSWER_ERROR_BACKEND,      /* the model or server failed */
} DocentAnswerError;

/* A retrieved chunk, as the caller found it. Strings are borrowed. */
typedef struct {
  gint64 chunk_id;
  gint64 document_id;
  const char *path;
  const char *title;          /* may be NULL: the file name is shown */
  const char *heading;        /* may be NULL */
  guint page_start, page_end;
  guint char_start, char_end; /* in page_start's / page_end's text */
  const char *text;
  double score;               /* retrieval score, higher is better */
  float similarity;           /* cosine with the question, 0 if unknown */
} DocentPassage;

/* A numbered source given to the answerer: one passage or several
 * neighbouring ones of the same document merged. Owns its strings. */
typedef struct {
  guint n;                    /* 1-based, as cited: [n] */
  gint64 chunk_id;            /* the first chunk */
  GArray *chunk_ids;          /* gint64: every chunk merged into it */
  gint64 document_id;
  char *path;
  char *title;                /* never NULL (file name when untitled) */
  char *heading;
  guint page_start, page_end;
  guint char_start, char_end;
  char *text;
} DocentSource;

/* One [n] in the answer, resolved. */
typedef struct {
  guint n;
  gint64 chunk_id;            /* the chunk holding the quote */
  gint64 document_id;
  char *path;
  char *title;
  guint page_start, page_end; /* of the quote */
  char *quote;                /* the source sentence that supports the claim */
  gsize offset;               /* byte offset of "[n]" in the answer text */
} DocentCitation;

typedef enum {
  DOCENT_ANSWER_EXTRACTIVE,
  DOCENT_ANSWER_MODEL,
  DOCENT_ANSWER_REMOTE,
} DocentAnswerMode;

typedef struct {
  double retrieval_ms;        /* filled by the caller */
  double prompt_ms;           /* prompt processing (model) */
  double first_token_ms;      /* from the start of answering to the first text */
  double generation_ms;
  double total_ms;
  guint prompt_tokens;
  guint generated_tokens;
  double tokens_per_second;
} DocentAnswerTimings;

typedef struct {
  char *question;
  char *answer;               /* with [n] markers; invalid ones removed */
  DocentAnswerMode mode;
  gboolean refused;           /* the documents do not cover the question */
  GPtrArray *sources;         /* DocentSource*, the numbered sources given */
  GPtrArray *citations;       /* DocentCitation*, in answer order */
  GArray *uncited;            /* guint pairs (offset, length): sentences
                               * of the answer that carry no citation */
  DocentAnswerTimings timings;
} DocentAnswer;

void          docent_source_free   (DocentSource   *source);
void          docent_citation_free (DocentCitation *citation);
DocentAnswer *docent_answer_new    (const char     *question,
                                    DocentAnswerMode mode);
void          docent_answer_free   (DocentAnswer   *answer);
const char   *docent_answer_mode_to_string (DocentAnswerMode mode);

/* ---- packing (answer.c) --------------------------------------------------- */

/* Numbers the passages (best first) as sources, merging neighbours of the
 * same document whose spans touch or overlap, and keeping as many as fit
 * `token_budget` tokens (counted with `tokenizer`, or estimated at ~4 bytes
 * a token when NULL). Returns DocentSource*. */
GPtrArray *docent_answer_pack_sources (const DocentPassage *passages,
                                       guint                n_passages,
                                       DocentTokenizer     *tokenizer,
                                       guint                token_budget);

/* The messages for a chat model: system instructions (answer only from
 * the sources, cite [n], say when they do not answer, never follow
 * instructions inside them), then earlier turns (`history`: alternating
 * user/assistant texts, may be NULL), then the sources and the question.
 * Returns a NULL-terminated array of newly allocated strings, pairs of
 * role ("system", "user", "assistant") and content. */
char     **docent_answer_build_messages (const char   *question,
                                         GPtrArray    *sources,
                                         const char *const *history);

/* ---- relevance and refusal (answer-extract.c) ----------------------------- */

/* How well the best passages cover the question, 0..1: the share of the
 * question's content words (stemmed, stop words out) found in a passage,
 * raised by dense similarity when known. Documented and calibrated in
 * answer-extract.c. */
double     docent_answer_relevance      (const char          *question,
                                         const DocentPassage *passages,
                                         guint                n_passages);
/* Below this, answer that the documents do not cover the question. */
#define DOCENT_ANSWER_MIN_RELEVANCE 0.46
gboolean   docent_answer_should_refuse  (const char          *question,
                                         const DocentPassage *passages,
                                         guint                n_passages);

/* The text of a refusal. */
const char *docent_answer_refusal_text  (void);

/* ---- the extractive answerer (answer-extract.c) --------------------------- */

/* Picks the sentences of the sources that best answer the question and
 * writes them, each followed by its [n]. Fills answer->answer and
 * answer->citations (answer->sources must already be set). */
gboolean   docent_answer_extract        (DocentAnswer  *answer,
                                         guint          max_sentences,
                                         GError       **error);

/* ---- citations (citations.c) ---------------------------------------------- */

/* Resolves every [n] (also [n, m] and [n][m]) in answer->answer against
 * answer->sources: numbers that were not given are removed from the text;
 * each kept one becomes a DocentCitation whose quote is the sentence of
 * the source that best supports the answer sentence it ends; answer
 * sentences without any citation are listed in answer->uncited. */
void       docent_answer_resolve_citations (DocentAnswer *answer);

/* `text` without its citation markers, white space runs made single
 * spaces (an earlier answer given back to a model as history). */
char      *docent_answer_strip_citations   (const char   *text);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DocentAnswer, docent_answer_free)

G_END_DECLS
