/* tokenizer.h — text to token ids and back, for the three vocabulary
 * families of GGUF files: SentencePiece ("llama"), byte-level BPE ("gpt2",
 * with the pre-tokenizer named by tokenizer.ggml.pre) and WordPiece
 * ("bert"). Everything is driven by the vocabulary's metadata.
 *
 * A DocentTokenizer is immutable once made: any number of threads may
 * encode and decode with the same one at the same time. */
#pragma once

#include <glib.h>

#include "engine/gguf.h"
#include "engine/vocab.h"

G_BEGIN_DECLS

typedef struct _DocentTokenizer DocentTokenizer;

typedef enum {
  DOCENT_ENCODE_NONE = 0,
  /* Add what the model expects around a text: BOS (and EOS) as the
   * vocabulary's flags say; for WordPiece, CLS and SEP. */
  DOCENT_ENCODE_ADD_SPECIAL = 1 << 0,
  /* Recognise control tokens written in the text ("<|im_start|>", "<s>",
   * "[SEP]") as those tokens. Only for text the program wrote itself (a
   * chat template), never for a document's or a user's text. Tokens the
   * vocabulary marks user-defined are always recognised, as the model's
   * own tokenizer does. */
  DOCENT_ENCODE_PARSE_SPECIAL = 1 << 1,
} DocentEncodeFlags;

typedef enum {
  DOCENT_DECODE_NONE = 0,
  /* Leave out control tokens (BOS, EOS, CLS, SEP, padding, …). */
  DOCENT_DECODE_SKIP_SPECIAL = 1 << 0,
} DocentDecodeFlags;

#define DOCENT_TOKENIZER_ERROR (docent_tokenizer_error_quark ())

typedef enum {
  DOCENT_TOKENIZER_ERROR_UNSUPPORTED,  /* a pre-tokenizer we do not know */
  DOCENT_TOKENIZER_ERROR_INVALID,      /* the vocabulary cannot tokenize */
  DOCENT_TOKENIZER_ERROR_TOO_LONG,     /* the text is over DOCENT_TOKENIZER_MAX_TEXT */
} DocentTokenizerError;

/* The largest text one encode call takes, in bytes (1 GiB). */
#define DOCENT_TOKENIZER_MAX_TEXT ((gsize) 1 << 30)

GQuark            docent_tokenizer_error_quark   (void);

/* Keeps a reference to `vocab`, which must not change afterwards. */
DocentTokenizer  *docent_tokenizer_new           (DocentVocab        *vocab,
                                                  GError            **error);
DocentTokenizer  *docent_tokenizer_new_from_gguf (DocentGguf         *gguf,
                                                  GError            **error);
DocentTokenizer  *docent_tokenizer_ref           (DocentTokenizer    *tokenizer);
void              docent_tokenizer_unref         (DocentTokenizer    *tokenizer);

DocentVocab      *docent_tokenizer_vocab         (DocentTokenizer    *tokenizer);
gsize             docent_tokenizer_n_vocab       (DocentTokenizer    *tokenizer);
/* DOCENT_TOKEN_NONE when the vocabulary has none. For WordPiece, bos and
 * eos fall back to CLS and SEP. */
DocentToken       docent_tokenizer_bos           (DocentTokenizer    *tokenizer);
DocentToken       docent_tokenizer_eos           (DocentTokenizer    *tokenizer);
DocentToken       docent_tokenizer_cls           (DocentTokenizer    *tokenizer);
DocentToken       docent_tokenizer_sep           (DocentTokenizer    *tokenizer);
DocentToken       docent_tokenizer_special       (DocentTokenizer    *tokenizer,
                                                  DocentSpecial       which);

/* Appends the ids of `text` (`len` bytes, or -1 for NUL-terminated) to
 * `out`, a GArray of DocentToken. Any bytes are accepted: malformed UTF-8
 * is encoded byte by byte where the family can (SentencePiece byte
 * fallback, byte-level BPE) and dropped by WordPiece. Fails only for texts
 * over DOCENT_TOKENIZER_MAX_TEXT. */
gboolean          docent_tokenizer_encode        (DocentTokenizer    *tokenizer,
                                                  const char         *text,
                                                  gssize              len,
                                                  DocentEncodeFlags   flags,
                                                  GArray             *out,
                                                  GError            **error);

/* Appends the text of `ids` to `out`: the exact bytes that were encoded
 * for SentencePiece and BPE (the space SentencePiece put before the text is
 * taken off again); words separated by spaces for WordPiece. Ids out of
 * range are skipped. The bytes may end inside a UTF-8 sequence when the
 * ids do (a stream cut short). */
void              docent_tokenizer_decode        (DocentTokenizer    *tokenizer,
                                                  const DocentToken  *ids,
                                                  gsize               n_ids,
                                                  DocentDecodeFlags   flags,
                                                  GString            *out);
/* Appends the bytes one token stands for (a streaming generator's next
 * piece: "▁the" gives " the", <0x0A> gives "\n"); returns how many. */
gsize             docent_tokenizer_token_to_piece (DocentTokenizer   *tokenizer,
                                                   DocentToken        id,
                                                   GString           *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DocentTokenizer, docent_tokenizer_unref)

G_END_DECLS
