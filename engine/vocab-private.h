/* vocab-private.h — what the tokenizers need from DocentVocab beyond its
 * public interface: lookups with a precomputed hash, and sizing the merge
 * table before a bulk load. Not for use outside engine/. */
#pragma once

#include "engine/vocab.h"

G_BEGIN_DECLS

guint32     docent_vocab_hash_bytes      (const char  *text,
                                          gsize        len);
DocentToken docent_vocab_lookup_hashed   (DocentVocab *vocab,
                                          const char  *text,
                                          gsize        len,
                                          guint32      hash);
void        docent_vocab_reserve_merges  (DocentVocab *vocab,
                                          gsize        n_merges);

G_END_DECLS
