/* pretokenize.h — text as code points with Unicode classes, and the
 * pre-tokenizers of byte-level BPE vocabularies: the split rules named by
 * tokenizer.ggml.pre ("gpt-2", "llama-bpe", "qwen2", "deepseek-llm", …),
 * written by hand over Unicode categories rather than with a regex engine.
 * Private to engine/. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  DOCENT_CP_LETTER = 1 << 0,   /* \p{L} */
  DOCENT_CP_NUMBER = 1 << 1,   /* \p{N} */
  DOCENT_CP_SPACE = 1 << 2,    /* \s: the Unicode White_Space property */
  DOCENT_CP_PUNCT = 1 << 3,    /* \p{P} */
  DOCENT_CP_NEWLINE = 1 << 4,  /* \r or \n */
  DOCENT_CP_MARK = 1 << 5,     /* \p{Mn}: accents that WordPiece strips */
  DOCENT_CP_CONTROL = 1 << 6,  /* \p{C} other than white space */
  DOCENT_CP_INVALID = 1 << 7,  /* a byte that is not part of valid UTF-8 */
} DocentCpClass;

/* An invalid byte b is stored as this + b: outside Unicode, so no rule
 * matches it as a letter, digit or space. */
#define DOCENT_CP_BYTE_BASE 0x110000u

/* A text decoded into code points; byte offsets make every split point a
 * place in the original bytes, so malformed UTF-8 survives unchanged. */
typedef struct {
  const char *text;
  gsize n;             /* code points */
  guint32 *cps;        /* n */
  guint32 *offsets;    /* n + 1: where each code point starts; then the length */
  guint8 *classes;     /* n: DocentCpClass bits */
} DocentCodepoints;

/* `len` must be below 4 GiB. */
void     docent_codepoints_init    (DocentCodepoints *cps,
                                    const char       *text,
                                    gsize             len);
void     docent_codepoints_clear   (DocentCodepoints *cps);
/* Decodes one code point of text[0 .. len), len > 0; returns its length in
 * bytes (1 for a byte that does not start valid UTF-8, which gives
 * DOCENT_CP_BYTE_BASE + byte). */
gsize    docent_utf8_next          (const char       *text,
                                    gsize             len,
                                    guint32          *cp);
guint8   docent_cp_class           (guint32           cp);

typedef struct _DocentPretokenizer DocentPretokenizer;

/* NULL when `pre` is not one we know; NULL `pre` is "default". */
const DocentPretokenizer *docent_pretokenizer_lookup        (const char *pre);
/* Whether a word that is itself a token is taken whole, before merges
 * (Llama 3). */
gboolean                  docent_pretokenizer_ignore_merges (const DocentPretokenizer *pretokenizer);

/* Called with each word, a range of code points [start, end), in order. */
typedef void (*DocentWordFunc) (const DocentCodepoints *cps,
                                gsize                   start,
                                gsize                   end,
                                gpointer                user_data);

void     docent_pretokenize        (const DocentPretokenizer *pretokenizer,
                                    const DocentCodepoints   *cps,
                                    DocentWordFunc            func,
                                    gpointer                  user_data);

G_END_DECLS
