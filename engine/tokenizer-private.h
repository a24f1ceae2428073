/* tokenizer-private.h — what tokenizer.c shares with the three families
 * (tokenizer-spm.c, tokenizer-bpe.c, tokenizer-wpm.c): the tokenizer's
 * read-only tables, the per-call scratch state, and the symbol list and
 * priority queue that SentencePiece and BPE merges both run on. Not for use
 * outside engine/. */
#pragma once

#include "engine/pretokenize.h"
#include "engine/tokenizer.h"
#include "engine/vocab-private.h"

G_BEGIN_DECLS

struct _DocentTokenizer {
  gint ref_count;
  DocentVocab *vocab;
  DocentVocabKind kind;
  const DocentPretokenizer *pretokenizer;  /* BPE only */

  /* Special tokens are looked for in the text before the family's own
   * rules run. special_lengths[special_first[b] .. special_first[b + 1])
   * are the lengths, longest first, of those starting with byte b. */
  guint32 *special_lengths;
  guint32 special_first[257];

  /* SPM: the <0xNN> token of each byte.
   * BPE: the token of each byte's stand-in character. */
  DocentToken byte_tokens[256];
  DocentToken unk;
  /* SPM: no token has "▁" after another character, so words can be merged
   * one at a time. */
  gboolean spm_words_apart;
  /* WPM: how a word's first piece and its continuations are written in
   * the vocabulary: "▁word" + "piece" (converted files) or "word" + "##piece". */
  const char *wpm_first_prefix;
  const char *wpm_next_prefix;
};

/* One piece of a word being merged: a byte range of the text being
 * tokenized, in a doubly linked list in text order. */
typedef struct {
  guint32 start;
  guint32 len;       /* 0 once merged into its left neighbour */
  gint32 prev;
  gint32 next;
  DocentToken id;    /* DOCENT_TOKEN_NONE: not a token by itself */
} DocentSymbol;

/* A possible merge of symbol `left` with its right neighbour. `key` is
 * priority << 32 | left, so that the best merge pops first and ties go to
 * the leftmost pair. `size` is the pair's byte length when it was queued:
 * symbols only grow, so a pair that has changed since no longer adds up. */
typedef struct {
  guint64 key;
  guint32 size;
  DocentToken merged;
} DocentMergeCandidate;

typedef struct {
  DocentMergeCandidate *items;
  gsize n;
  gsize cap;
} DocentMergeHeap;

/* Scratch for one encode call: nothing here is shared between threads. */
typedef struct {
  DocentTokenizer *tokenizer;
  GArray *out;
  DocentSymbol *symbols;
  gsize n_symbols;
  gsize cap_symbols;
  DocentMergeHeap heap;
  GString *buffer;   /* SPM: the escaped text; BPE: a word's stand-ins; WPM: the word */
  GArray *offsets;   /* WPM: where each character of the word starts */
} DocentEncodeState;

void          docent_merge_heap_push     (DocentMergeHeap            *heap,
                                          guint32                     priority,
                                          guint32                     left,
                                          guint32                     size,
                                          DocentToken                 merged);
gboolean      docent_merge_heap_pop      (DocentMergeHeap            *heap,
                                          DocentMergeCandidate       *out);
/* Appends a symbol linked after the previous one; returns its index. */
guint32       docent_encode_state_add_symbol (DocentEncodeState      *state,
                                              guint32                 start,
                                              guint32                 len,
                                              DocentToken             id);
void          docent_encode_state_reset_symbols (DocentEncodeState   *state);
/* Applies a popped candidate if it is still current: the right neighbour
 * joins the left symbol. Returns the left symbol's index, or -1. */
gint32        docent_encode_state_merge  (DocentEncodeState          *state,
                                          const DocentMergeCandidate *candidate);

typedef void (*DocentQueuePairFunc) (DocentEncodeState *state,
                                     gint32             left);

/* The merge loop of SPM and BPE: queues every adjacent pair of the
 * current symbols, then applies the best candidate until none is left,
 * queueing the pairs the merged symbol makes with its neighbours. */
static inline void
docent_encode_state_merge_all (DocentEncodeState   *state,
                               DocentQueuePairFunc  queue_pair)
{
  DocentMergeCandidate candidate;

  for (gsize i = 0; i + 1 < state->n_symbols; i++)
    queue_pair (state, (gint32) i);
  while (docent_merge_heap_pop (&state->heap, &candidate))
    {
      gint32 left = docent_encode_state_merge (state, &candidate);

      if (left < 0)
        continue;
      queue_pair (state, state->symbols[left].prev);
      queue_pair (state, left);
    }
}

static inline void
docent_encode_state_emit (DocentEncodeState *state,
                          DocentToken        id)
{
  g_array_append_val (state->out, id);
}

/* The families: each encodes one run of text between special tokens. */
void          docent_spm_encode          (DocentEncodeState          *state,
                                          const char                 *text,
                                          gsize                       len,
                                          gboolean                    space_prefix);
void          docent_bpe_encode          (DocentEncodeState          *state,
                                          const char                 *text,
                                          gsize                       len);
void          docent_wpm_encode          (DocentEncodeState          *state,
                                          const char                 *text,
                                          gsize                       len);

/* Byte-level BPE's stand-in characters for bytes, and back (-1 when the
 * code point stands for no byte). */
guint32       docent_bpe_byte_to_cp      (guint8                      byte);
gint          docent_bpe_cp_to_byte      (guint32                     cp);

G_END_DECLS
