/* vocab.c — DocentVocab: token strings back to back in one arena, an
 * open-addressing table from string to id over that arena, and one from a
 * (left, right) pair of ids to the merge's rank and result. A 150k-token
 * vocabulary is three flat allocations, not 150k small ones. */
#include "engine/vocab.h"

#include <string.h>

#include "engine/vocab-private.h"

/* Arena offsets are 32-bit; so are ids. */
#define MAX_ARENA ((gsize) G_MAXUINT32 - 1)
#define MAX_TOKENS ((gsize) G_MAXINT32 - 1)

typedef struct {
  guint32 hash;
  guint32 id_plus_one;   /* 0: empty slot */
} TokenSlot;

#define EMPTY_PAIR G_MAXUINT64

typedef struct {
  guint64 pair;          /* left << 32 | right; EMPTY_PAIR: empty slot */
  guint32 rank;
  guint32 merged;
} MergeSlot;

struct _DocentVocab {
  gint ref_count;
  DocentVocabKind kind;
  char *pre;

  /* Token i is arena[offsets[i] .. offsets[i + 1] - 1), then a NUL. */
  char *arena;
  gsize arena_len;
  gsize arena_cap;
  guint32 *offsets;
  float *scores;
  guint8 *types;
  gsize n_tokens;
  gsize cap_tokens;
  gsize max_token_len;

  TokenSlot *slots;
  gsize n_slots;         /* a power of two, or 0 */

  MergeSlot *merges;
  gsize n_merge_slots;   /* a power of two, or 0 */
  gsize n_merges;        /* merges added, applicable or not: the next rank */
  gsize n_merges_used;

  DocentToken special[DOCENT_SPECIAL_COUNT];
  gboolean flags[DOCENT_VOCAB_FLAG_COUNT];
};

G_DEFINE_QUARK (docent-vocab-error-quark, docent_vocab_error)

/* ---- hashing --------------------------------------------------------------- */

guint32
docent_vocab_hash_bytes (const char *text,
                         gsize       len)
{
  guint64 h = 0x9E3779B97F4A7C15ull ^ (len * 0xC2B2AE3D27D4EB4Full);
  gsize i = 0;

  /* Eight bytes at a time: lookups of short substrings are the hot path of
   * SentencePiece and WordPiece. */
  for (; i + 8 <= len; i += 8)
    {
      guint64 chunk;

      memcpy (&chunk, text + i, 8);
      h = (h ^ chunk) * 0xFF51AFD7ED558CCDull;
      h ^= h >> 32;
    }
  if (i < len)
    {
      guint64 chunk = 0;

      memcpy (&chunk, text + i, len - i);
      h = (h ^ chunk) * 0xC4CEB9FE1A85EC53ull;
    }
  h ^= h >> 29;
  h *= 0x94D049BB133111EBull;
  h ^= h >> 32;
  return (guint32) h;
}

static gsize
pair_slot (guint64 pair,
           gsize   mask)
{
  guint64 h = pair * 0x9E3779B97F4A7C15ull;

  return (gsize) (h >> 32 ^ h) & mask;
}

/* ---- life cycle ------------------------------------------------------------ */

DocentVocab *
docent_vocab_new (DocentVocabKind kind)
{
  DocentVocab *vocab = g_new0 (DocentVocab, 1);

  vocab->ref_count = 1;
  vocab->kind = kind;
  for (guint i = 0; i < DOCENT_SPECIAL_COUNT; i++)
    vocab->special[i] = DOCENT_TOKEN_NONE;
  /* The defaults of each family when the file does not say. */
  vocab->flags[DOCENT_VOCAB_ADD_BOS] = kind != DOCENT_VOCAB_BPE;
  vocab->flags[DOCENT_VOCAB_ADD_EOS] = kind == DOCENT_VOCAB_WPM;
  vocab->flags[DOCENT_VOCAB_ADD_SPACE_PREFIX] = kind == DOCENT_VOCAB_SPM;
  vocab->flags[DOCENT_VOCAB_LOWERCASE] = kind == DOCENT_VOCAB_WPM;
  vocab->offsets = g_new (guint32, 1);
  vocab->offsets[0] = 0;
  return vocab;
}

DocentVocab *
docent_vocab_ref (DocentVocab *vocab)
{
  g_return_val_if_fail (vocab != NULL, NULL);
  g_atomic_int_inc (&vocab->ref_count);
  return vocab;
}

void
docent_vocab_unref (DocentVocab *vocab)
{
  if (vocab == NULL || !g_atomic_int_dec_and_test (&vocab->ref_count))
    return;
  g_free (vocab->pre);
  g_free (vocab->arena);
  g_free (vocab->offsets);
  g_free (vocab->scores);
  g_free (vocab->types);
  g_free (vocab->slots);
  g_free (vocab->merges);
  g_free (vocab);
}

/* ---- token table ----------------------------------------------------------- */

static gsize
pow2_at_least (gsize n)
{
  gsize p = 16;

  while (p < n)
    p <<= 1;
  return p;
}

static void
slots_insert (TokenSlot   *slots,
              gsize        n_slots,
              const char  *arena,
              const guint32 *offsets,
              guint32      hash,
              guint32      id)
{
  gsize mask = n_slots - 1;
  const char *text = arena + offsets[id];
  gsize len = offsets[id + 1] - offsets[id] - 1;

  for (gsize i = hash & mask;; i = (i + 1) & mask)
    {
      TokenSlot *slot = &slots[i];

      if (slot->id_plus_one == 0)
        {
          slot->hash = hash;
          slot->id_plus_one = id + 1;
          return;
        }
      if (slot->hash == hash)
        {
          guint32 other = slot->id_plus_one - 1;
          gsize other_len = offsets[other + 1] - offsets[other] - 1;

          /* Same text again: the later id wins, as in the reference. */
          if (other_len == len && memcmp (arena + offsets[other], text, len) == 0)
            {
              slot->id_plus_one = id + 1;
              return;
            }
        }
    }
}

static void
slots_grow (DocentVocab *vocab,
            gsize        want)
{
  gsize n_slots = pow2_at_least (want + want / 2 + 1);
  TokenSlot *slots;

  if (n_slots <= vocab->n_slots)
    return;
  slots = g_new0 (TokenSlot, n_slots);
  for (gsize id = 0; id < vocab->n_tokens; id++)
    {
      const char *text = vocab->arena + vocab->offsets[id];
      gsize len = vocab->offsets[id + 1] - vocab->offsets[id] - 1;

      slots_insert (slots, n_slots, vocab->arena, vocab->offsets,
                    docent_vocab_hash_bytes (text, len), (guint32) id);
    }
  g_free (vocab->slots);
  vocab->slots = slots;
  vocab->n_slots = n_slots;
}

static void
tokens_grow (DocentVocab *vocab,
             gsize        want)
{
  if (want <= vocab->cap_tokens)
    return;
  want = MAX (want, vocab->cap_tokens * 2);
  vocab->offsets = g_renew (guint32, vocab->offsets, want + 1);
  vocab->scores = g_renew (float, vocab->scores, want);
  vocab->types = g_renew (guint8, vocab->types, want);
  vocab->cap_tokens = want;
}

static void
arena_grow (DocentVocab *vocab,
            gsize        want)
{
  if (want <= vocab->arena_cap)
    return;
  want = MAX (want, vocab->arena_cap * 2);
  want = MAX (want, 256);
  vocab->arena = g_realloc (vocab->arena, want);
  vocab->arena_cap = want;
}

void
docent_vocab_reserve (DocentVocab *vocab,
                      gsize        n_tokens,
                      gsize        n_bytes)
{
  g_return_if_fail (vocab != NULL);

  n_tokens = MIN (n_tokens, MAX_TOKENS);
  n_bytes = MIN (n_bytes, MAX_ARENA);
  tokens_grow (vocab, n_tokens);
  arena_grow (vocab, n_bytes + n_tokens);
  slots_grow (vocab, n_tokens);
}

DocentToken
docent_vocab_add_token (DocentVocab     *vocab,
                        const char      *text,
                        gsize            len,
                        float            score,
                        DocentTokenType  type)
{
  gsize id;

  g_return_val_if_fail (vocab != NULL, DOCENT_TOKEN_NONE);
  g_return_val_if_fail (text != NULL || len == 0, DOCENT_TOKEN_NONE);

  id = vocab->n_tokens;
  if (id >= MAX_TOKENS || len >= MAX_ARENA - vocab->arena_len)
    return DOCENT_TOKEN_NONE;
  tokens_grow (vocab, id + 1);
  arena_grow (vocab, vocab->arena_len + len + 1);
  if (len > 0)
    memcpy (vocab->arena + vocab->arena_len, text, len);
  vocab->arena[vocab->arena_len + len] = '\0';
  vocab->arena_len += len + 1;
  vocab->offsets[id + 1] = (guint32) vocab->arena_len;
  vocab->scores[id] = score;
  vocab->types[id] = (guint8) type;
  vocab->n_tokens = id + 1;
  vocab->max_token_len = MAX (vocab->max_token_len, len);

  if ((vocab->n_tokens + 1) * 3 > vocab->n_slots * 2)
    slots_grow (vocab, vocab->n_tokens * 2);
  else
    slots_insert (vocab->slots, vocab->n_slots, vocab->arena, vocab->offsets,
                  docent_vocab_hash_bytes (vocab->arena + vocab->offsets[id], len),
                  (guint32) id);
  return (DocentToken) id;
}

DocentToken
docent_vocab_lookup_hashed (DocentVocab *vocab,
                            const char  *text,
                            gsize        len,
                            guint32      hash)
{
  gsize mask;

  if (vocab->n_slots == 0)
    return DOCENT_TOKEN_NONE;
  mask = vocab->n_slots - 1;
  for (gsize i = hash & mask;; i = (i + 1) & mask)
    {
      const TokenSlot *slot = &vocab->slots[i];
      guint32 id;

      if (slot->id_plus_one == 0)
        return DOCENT_TOKEN_NONE;
      if (slot->hash != hash)
        continue;
      id = slot->id_plus_one - 1;
      if (vocab->offsets[id + 1] - vocab->offsets[id] - 1 == len
          && memcmp (vocab->arena + vocab->offsets[id], text, len) == 0)
        return (DocentToken) id;
    }
}

DocentToken
docent_vocab_lookup (DocentVocab *vocab,
                     const char  *text,
                     gsize        len)
{
  g_return_val_if_fail (vocab != NULL, DOCENT_TOKEN_NONE);
  g_return_val_if_fail (text != NULL || len == 0, DOCENT_TOKEN_NONE);

  return docent_vocab_lookup_hashed (vocab, text, len, docent_vocab_hash_bytes (text, len));
}

/* ---- merges ---------------------------------------------------------------- */

static void
merges_insert (MergeSlot *merges,
               gsize      n_slots,
               guint64    pair,
               guint32    rank,
               guint32    merged)
{
  gsize mask = n_slots - 1;

  for (gsize i = pair_slot (pair, mask);; i = (i + 1) & mask)
    {
      if (merges[i].pair == EMPTY_PAIR)
        {
          merges[i].pair = pair;
          merges[i].rank = rank;
          merges[i].merged = merged;
          return;
        }
      /* A pair listed twice keeps its first (better) rank. */
      if (merges[i].pair == pair)
        return;
    }
}

static void
merges_grow (DocentVocab *vocab)
{
  gsize n_slots = pow2_at_least (vocab->n_merge_slots * 2);
  MergeSlot *merges = g_new (MergeSlot, n_slots);

  for (gsize i = 0; i < n_slots; i++)
    merges[i].pair = EMPTY_PAIR;
  for (gsize i = 0; i < vocab->n_merge_slots; i++)
    if (vocab->merges[i].pair != EMPTY_PAIR)
      merges_insert (merges, n_slots, vocab->merges[i].pair,
                     vocab->merges[i].rank, vocab->merges[i].merged);
  g_free (vocab->merges);
  vocab->merges = merges;
  vocab->n_merge_slots = n_slots;
}

static gboolean
merge_result (DocentVocab *vocab,
              const char  *left,
              gsize        left_len,
              const char  *right,
              gsize        right_len,
              DocentToken *merged)
{
  char stack[128];
  g_autofree char *heap = NULL;
  char *both = stack;

  /* Merged tokens are short; a hostile long one goes to the heap. */
  if (left_len + right_len > sizeof stack)
    both = heap = g_malloc (left_len + right_len);
  memcpy (both, left, left_len);
  memcpy (both + left_len, right, right_len);
  *merged = docent_vocab_lookup (vocab, both, left_len + right_len);
  return *merged != DOCENT_TOKEN_NONE;
}

gboolean
docent_vocab_add_merge (DocentVocab *vocab,
                        const char  *merge,
                        gsize        len)
{
  const char *space;
  DocentToken left, right, merged;
  gsize rank;

  g_return_val_if_fail (vocab != NULL, FALSE);
  g_return_val_if_fail (merge != NULL || len == 0, FALSE);

  rank = vocab->n_merges++;
  /* Search from the second byte: a part may itself be a space. */
  space = len > 1 ? memchr (merge + 1, ' ', len - 1) : NULL;
  if (space == NULL || rank >= G_MAXUINT32)
    return FALSE;
  left = docent_vocab_lookup (vocab, merge, space - merge);
  right = docent_vocab_lookup (vocab, space + 1, merge + len - space - 1);
  if (left == DOCENT_TOKEN_NONE || right == DOCENT_TOKEN_NONE
      || !merge_result (vocab, merge, space - merge, space + 1, merge + len - space - 1, &merged))
    return FALSE;
  if ((vocab->n_merges_used + 1) * 4 > vocab->n_merge_slots * 3)
    merges_grow (vocab);
  merges_insert (vocab->merges, vocab->n_merge_slots,
                 (guint64) left << 32 | (guint32) right, (guint32) rank, (guint32) merged);
  vocab->n_merges_used++;
  return TRUE;
}

void
docent_vocab_reserve_merges (DocentVocab *vocab,
                             gsize        n_merges)
{
  while (n_merges * 4 > vocab->n_merge_slots * 3)
    merges_grow (vocab);
}

gboolean
docent_vocab_merge_lookup (DocentVocab *vocab,
                           DocentToken  left,
                           DocentToken  right,
                           guint32     *rank,
                           DocentToken *merged)
{
  guint64 pair;
  gsize mask;

  if (vocab->n_merge_slots == 0 || left < 0 || right < 0)
    return FALSE;
  pair = (guint64) left << 32 | (guint32) right;
  mask = vocab->n_merge_slots - 1;
  for (gsize i = pair_slot (pair, mask);; i = (i + 1) & mask)
    {
      const MergeSlot *slot = &vocab->merges[i];

      if (slot->pair == EMPTY_PAIR)
        return FALSE;
      if (slot->pair == pair)
        {
          if (rank != NULL)
            *rank = slot->rank;
          if (merged != NULL)
            *merged = (DocentToken) slot->merged;
          return TRUE;
        }
    }
}

/* ---- settings -------------------------------------------------------------- */

void
docent_vocab_set_special (DocentVocab   *vocab,
                          DocentSpecial  which,
                          DocentToken    id)
{
  g_return_if_fail (vocab != NULL);
  g_return_if_fail (which < DOCENT_SPECIAL_COUNT);

  vocab->special[which] = id;
}

void
docent_vocab_set_flag (DocentVocab     *vocab,
                       DocentVocabFlag  flag,
                       gboolean         value)
{
  g_return_if_fail (vocab != NULL);
  g_return_if_fail (flag < DOCENT_VOCAB_FLAG_COUNT);

  vocab->flags[flag] = !!value;
}

void
docent_vocab_set_pre (DocentVocab *vocab,
                      const char  *pre)
{
  g_return_if_fail (vocab != NULL);

  g_free (vocab->pre);
  vocab->pre = g_strdup (pre);
}

/* ---- reading --------------------------------------------------------------- */

DocentVocabKind
docent_vocab_kind (DocentVocab *vocab)
{
  return vocab->kind;
}

const char *
docent_vocab_pre (DocentVocab *vocab)
{
  return vocab->pre;
}

gsize
docent_vocab_n_tokens (DocentVocab *vocab)
{
  return vocab->n_tokens;
}

gsize
docent_vocab_n_merges (DocentVocab *vocab)
{
  return vocab->n_merges_used;
}

gsize
docent_vocab_max_token_len (DocentVocab *vocab)
{
  return vocab->max_token_len;
}

static gboolean
valid_id (DocentVocab *vocab,
          DocentToken  id)
{
  return id >= 0 && (gsize) id < vocab->n_tokens;
}

const char *
docent_vocab_token_text (DocentVocab *vocab,
                         DocentToken  id,
                         gsize       *len)
{
  if (!valid_id (vocab, id))
    {
      if (len != NULL)
        *len = 0;
      return NULL;
    }
  if (len != NULL)
    *len = vocab->offsets[id + 1] - vocab->offsets[id] - 1;
  return vocab->arena + vocab->offsets[id];
}

float
docent_vocab_token_score (DocentVocab *vocab,
                          DocentToken  id)
{
  return valid_id (vocab, id) ? vocab->scores[id] : 0.0f;
}

DocentTokenType
docent_vocab_token_type (DocentVocab *vocab,
                         DocentToken  id)
{
  return valid_id (vocab, id) ? (DocentTokenType) vocab->types[id] : DOCENT_TOKEN_TYPE_UNDEFINED;
}

DocentToken
docent_vocab_special (DocentVocab   *vocab,
                      DocentSpecial  which)
{
  g_return_val_if_fail (which < DOCENT_SPECIAL_COUNT, DOCENT_TOKEN_NONE);

  return valid_id (vocab, vocab->special[which]) ? vocab->special[which] : DOCENT_TOKEN_NONE;
}

gboolean
docent_vocab_flag (DocentVocab     *vocab,
                   DocentVocabFlag  flag)
{
  g_return_val_if_fail (flag < DOCENT_VOCAB_FLAG_COUNT, FALSE);

  return vocab->flags[flag];
}
