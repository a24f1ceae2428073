/* answer-private.h — the text logic the answer files share (answer-text.c):
 * words with light stemming and stop words, sentences, citation markers.
 * Internal to the engine: not installed, not used outside engine/answer*.c
 * and engine/citations.c. */
#pragma once

#include "engine/answer.h"

G_BEGIN_DECLS

/* A byte span [start, end) of some text. */
typedef struct {
  gsize start, end;
} DocentSpan;

/* One word of a text: letters and digits, with "3.5", "1,450" and "E3"
 * kept whole. `stem` is lower-cased, accent-stripped and stemmed. */
typedef struct {
  char *stem;
  gsize start, end;     /* bytes of the word in the text */
  gboolean stop;        /* an English function word or question word */
  gboolean number;      /* starts with a digit */
} DocentWord;

/* The words of text[0, len) (len -1: NUL-terminated; invalid UTF-8 is
 * read as separators); an array of DocentWord that frees the stems itself.
 * CJK characters are one word each; irregular forms ("kept", "paid") are
 * mapped to their base before stemming. */
GArray    *docent_answer_words         (const char *text,
                                        gssize      len);
/* The distinct stems of the content (non-stop) words, as a set. */
GHashTable *docent_answer_content_set  (const char *text,
                                        gssize      len);
/* Lower-cases one word, strips its accents, a possessive 's and other
 * apostrophes (no stemming). Returns a new string. */
char      *docent_answer_normalize_word (const char *word,
                                         gssize      len);
/* Stems a lower-case word in place: -s/-es/-ies, -ly, -ing, -ed, final -e. */
void       docent_answer_stem          (char       *word);
/* A word or a space-separated phrase as the words of a text are stemmed
 * (lower-cased, irregular forms mapped, stemmed). Returns a new string. */
char      *docent_answer_stem_word     (const char *word);
/* The other stems that stand for `stem` in the thesaurus of everyday and
 * formal words (answer-text.c), or NULL; `stem` may be a two-word phrase
 * ("move out"). The array belongs to the table. */
GPtrArray *docent_answer_synonyms      (const char *stem);
/* Whether a lower-case (unstemmed) word is a stop word. */
gboolean   docent_answer_is_stop_word  (const char *word);

/* The sentences of text[0, len), as DocentSpan trimmed of white space.
 * Ends: . ! ? … (and CJK 。！？) followed by white space or the end, not
 * after an abbreviation ("e.g.", "Dr.", "No. 5"), an initial or before a
 * lower-case word; a blank line; a line break before a list item, after a
 * heading-like line, a label ending in ':' or a table row. Citation
 * markers right after a terminator ("... days. [2] Next") belong to the
 * sentence before them. */
GArray    *docent_answer_sentences     (const char *text,
                                        gssize      len);

/* Whether text[start, end) is a fragment rather than a sentence: fewer
 * than three words, a heading (no final punctuation and title-cased or
 * marked with '#'), a table-of-contents line (dot leaders), a short label
 * ending in ':' ("Sources:"), or nothing but markers and punctuation. */
gboolean   docent_answer_is_fragment   (const char *text,
                                        gsize       start,
                                        gsize       end);

/* Parses a citation marker at text[pos] == '[': "[2]", "[1, 3]", "[1;2]",
 * "[1-3]", "[Source 2]", "[source 1, source 2]", and the empty "[]".
 * Numbers have 1 to 3 digits (so "[2019]" is not a marker). Returns the
 * byte just past ']' and appends the numbers to `numbers` (guint, may be
 * NULL), or returns 0 when there is no marker at pos. */
gsize      docent_answer_parse_marker  (const char *text,
                                        gsize       pos,
                                        gsize       len,
                                        GArray     *numbers);

/* Copies text[start, end) with runs of white space made single spaces and
 * citation markers removed (source text must not look like citations). */
char      *docent_answer_clean_sentence (const char *text,
                                         gsize       start,
                                         gsize       end);

/* A citation of `source` whose quote is source->text[start, end) (cleaned
 * as above), at `offset` in the answer. Sets chunk and pages of the quote
 * as far as the source allows (see citations.c). */
DocentCitation *docent_answer_citation_new (const DocentSource *source,
                                            gsize               start,
                                            gsize               end,
                                            gsize               offset);

G_END_DECLS
