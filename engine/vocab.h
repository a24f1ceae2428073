/* vocab.h — a tokenizer vocabulary: token strings, scores and types, BPE
 * merge ranks, special token ids and the flags that say how text is turned
 * into tokens. Filled from a GGUF file's tokenizer.ggml.* metadata
 * (docent_vocab_new_from_gguf) or built in memory (tests, tools).
 *
 * A vocabulary is built once and then only read: after it has been handed
 * to a DocentTokenizer it must not be changed, and any number of threads
 * may read it. */
#pragma once

#include <glib.h>

#include "engine/gguf.h"

G_BEGIN_DECLS

/* A token id; DOCENT_TOKEN_NONE means "no such token". */
typedef gint32 DocentToken;
#define DOCENT_TOKEN_NONE ((DocentToken) -1)

#define DOCENT_VOCAB_ERROR (docent_vocab_error_quark ())

typedef enum {
  DOCENT_VOCAB_ERROR_MISSING,      /* a required tokenizer key is absent */
  DOCENT_VOCAB_ERROR_UNSUPPORTED,  /* a tokenizer model or pre-tokenizer we do not know */
  DOCENT_VOCAB_ERROR_INVALID,      /* inconsistent or out-of-range metadata */
  DOCENT_VOCAB_ERROR_TOO_LARGE,    /* more tokens or text than we can index */
} DocentVocabError;

GQuark docent_vocab_error_quark (void);

/* tokenizer.ggml.model */
typedef enum {
  DOCENT_VOCAB_SPM,   /* "llama": SentencePiece, score-ordered merges, byte fallback */
  DOCENT_VOCAB_BPE,   /* "gpt2": byte-level BPE with merge ranks and a pre-tokenizer */
  DOCENT_VOCAB_WPM,   /* "bert": WordPiece, greedy longest match */
} DocentVocabKind;

/* tokenizer.ggml.token_type; numbering is the file format's. */
typedef enum {
  DOCENT_TOKEN_TYPE_UNDEFINED = 0,
  DOCENT_TOKEN_TYPE_NORMAL = 1,
  DOCENT_TOKEN_TYPE_UNKNOWN = 2,
  DOCENT_TOKEN_TYPE_CONTROL = 3,
  DOCENT_TOKEN_TYPE_USER_DEFINED = 4,
  DOCENT_TOKEN_TYPE_UNUSED = 5,
  DOCENT_TOKEN_TYPE_BYTE = 6,
} DocentTokenType;

typedef enum {
  DOCENT_SPECIAL_BOS,
  DOCENT_SPECIAL_EOS,
  DOCENT_SPECIAL_UNK,
  DOCENT_SPECIAL_PAD,
  DOCENT_SPECIAL_SEP,
  DOCENT_SPECIAL_CLS,
  DOCENT_SPECIAL_MASK,
  DOCENT_SPECIAL_EOT,
  DOCENT_SPECIAL_COUNT,
} DocentSpecial;

typedef enum {
  /* Put BOS (WordPiece: CLS) before the text when asked for special tokens. */
  DOCENT_VOCAB_ADD_BOS,
  /* Put EOS (WordPiece: SEP) after the text when asked for special tokens. */
  DOCENT_VOCAB_ADD_EOS,
  /* SentencePiece: a space is put before the text (and after each special
   * token), so that the first word gets its "▁" like every other word. */
  DOCENT_VOCAB_ADD_SPACE_PREFIX,
  /* WordPiece: lower-case and strip accents (an "uncased" vocabulary). */
  DOCENT_VOCAB_LOWERCASE,
  DOCENT_VOCAB_FLAG_COUNT,
} DocentVocabFlag;

typedef struct _DocentVocab DocentVocab;

DocentVocab     *docent_vocab_new            (DocentVocabKind   kind);
DocentVocab     *docent_vocab_new_from_gguf  (DocentGguf       *gguf,
                                              GError          **error);
DocentVocab     *docent_vocab_ref            (DocentVocab      *vocab);
void             docent_vocab_unref          (DocentVocab      *vocab);

/* ---- building ------------------------------------------------------------ */

/* Room for `n_tokens` tokens of `n_bytes` bytes in all, so that a large
 * vocabulary is loaded without growing its tables again and again. */
void             docent_vocab_reserve        (DocentVocab      *vocab,
                                              gsize             n_tokens,
                                              gsize             n_bytes);
/* Appends a token and returns its id (ids count up from 0), or
 * DOCENT_TOKEN_NONE when the vocabulary cannot hold more. When the same
 * text is added twice, looking it up finds the later id. */
DocentToken      docent_vocab_add_token      (DocentVocab      *vocab,
                                              const char       *text,
                                              gsize             len,
                                              float             score,
                                              DocentTokenType   type);
/* Appends a BPE merge "LEFT RIGHT" (split at the first space after the
 * first byte); its rank is the number of merges added before it. Merges
 * whose parts or result are not tokens can never apply and are skipped:
 * returns FALSE for those. */
gboolean         docent_vocab_add_merge      (DocentVocab      *vocab,
                                              const char       *merge,
                                              gsize             len);
void             docent_vocab_set_special    (DocentVocab      *vocab,
                                              DocentSpecial     which,
                                              DocentToken       id);
void             docent_vocab_set_flag       (DocentVocab      *vocab,
                                              DocentVocabFlag   flag,
                                              gboolean          value);
/* tokenizer.ggml.pre: the pre-tokenizer rules for BPE ("gpt-2",
 * "llama-bpe", "qwen2", …); NULL means "default". */
void             docent_vocab_set_pre        (DocentVocab      *vocab,
                                              const char       *pre);

/* ---- reading ------------------------------------------------------------- */

DocentVocabKind  docent_vocab_kind           (DocentVocab      *vocab);
/* NULL when none was given. */
const char      *docent_vocab_pre            (DocentVocab      *vocab);
gsize            docent_vocab_n_tokens       (DocentVocab      *vocab);
gsize            docent_vocab_n_merges       (DocentVocab      *vocab);
/* NUL-terminated (a token holding a NUL byte is cut short there; use
 * `len`); NULL for an id out of range. */
const char      *docent_vocab_token_text     (DocentVocab      *vocab,
                                              DocentToken       id,
                                              gsize            *len);
float            docent_vocab_token_score    (DocentVocab      *vocab,
                                              DocentToken       id);
DocentTokenType  docent_vocab_token_type     (DocentVocab      *vocab,
                                              DocentToken       id);
/* The longest token, in bytes. */
gsize            docent_vocab_max_token_len  (DocentVocab      *vocab);
DocentToken      docent_vocab_lookup         (DocentVocab      *vocab,
                                              const char       *text,
                                              gsize             len);
/* The rank of the merge LEFT RIGHT and the token it makes; FALSE when the
 * pair does not merge. */
gboolean         docent_vocab_merge_lookup   (DocentVocab      *vocab,
                                              DocentToken       left,
                                              DocentToken       right,
                                              guint32          *rank,
                                              DocentToken      *merged);
/* DOCENT_TOKEN_NONE when the vocabulary has none (or gave an id out of range). */
DocentToken      docent_vocab_special        (DocentVocab      *vocab,
                                              DocentSpecial     which);
gboolean         docent_vocab_flag           (DocentVocab      *vocab,
                                              DocentVocabFlag   flag);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DocentVocab, docent_vocab_unref)

G_END_DECLS
