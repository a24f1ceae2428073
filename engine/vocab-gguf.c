/* vocab-gguf.c — docent_vocab_new_from_gguf: reads the tokenizer.ggml.*
 * keys of a GGUF file into a DocentVocab. Strings are copied once into the
 * vocabulary's arena, so the vocabulary outlives the file. */
#include "engine/vocab.h"

#include <string.h>

#include "engine/gguf.h"
#include "engine/vocab-private.h"

static gboolean
kind_from_model (const char       *model,
                 gsize             len,
                 DocentVocabKind  *kind,
                 GError          **error)
{
  static const struct {
    const char *name;
    DocentVocabKind kind;
  } models[] = {
    { "llama", DOCENT_VOCAB_SPM },
    { "gpt2", DOCENT_VOCAB_BPE },
    { "bert", DOCENT_VOCAB_WPM },
  };
  g_autofree char *shown = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (models); i++)
    if (strlen (models[i].name) == len && memcmp (models[i].name, model, len) == 0)
      {
        *kind = models[i].kind;
        return TRUE;
      }
  shown = g_utf8_make_valid (model, MIN (len, 64));
  g_set_error (error, DOCENT_VOCAB_ERROR, DOCENT_VOCAB_ERROR_UNSUPPORTED,
               "Tokenizer model “%s” is not supported (supported: llama, gpt2, bert)",
               shown);
  return FALSE;
}

/* An optional numeric array must have one element per token. */
static const DocentGgufValue *
optional_array (DocentGguf  *gguf,
                const char  *key,
                guint64      n_tokens,
                GError     **error)
{
  const DocentGgufValue *array;

  if (!docent_gguf_has_key (gguf, key))
    return NULL;
  array = docent_gguf_get_array (gguf, key, -1, error);
  if (array == NULL)
    return NULL;
  if (docent_gguf_array_length (array) != n_tokens)
    {
      g_set_error (error, DOCENT_VOCAB_ERROR, DOCENT_VOCAB_ERROR_INVALID,
                   "%s has %" G_GUINT64_FORMAT " entries for %" G_GUINT64_FORMAT " tokens",
                   key, docent_gguf_array_length (array), n_tokens);
      return NULL;
    }
  return array;
}

static gboolean
load_tokens (DocentVocab            *vocab,
             const DocentGgufValue  *tokens,
             const float            *scores,
             const gint32           *types,
             GError                **error)
{
  guint64 n = docent_gguf_array_length (tokens);
  gsize n_bytes = 0;

  for (guint64 i = 0; i < n; i++)
    {
      gsize len;

      docent_gguf_array_get_string (tokens, i, &len);
      n_bytes += len;
    }
  docent_vocab_reserve (vocab, n, n_bytes);
  for (guint64 i = 0; i < n; i++)
    {
      gsize len;
      const char *text = docent_gguf_array_get_string (tokens, i, &len);
      gint32 type = types != NULL ? types[i] : DOCENT_TOKEN_TYPE_NORMAL;

      /* Unknown type numbers are read as plain tokens. */
      if (type < DOCENT_TOKEN_TYPE_UNDEFINED || type > DOCENT_TOKEN_TYPE_BYTE)
        type = DOCENT_TOKEN_TYPE_NORMAL;
      if (docent_vocab_add_token (vocab, text, len, scores != NULL ? scores[i] : 0.0f,
                                  (DocentTokenType) type) == DOCENT_TOKEN_NONE)
        {
          g_set_error (error, DOCENT_VOCAB_ERROR, DOCENT_VOCAB_ERROR_TOO_LARGE,
                       "The vocabulary is too large (%" G_GUINT64_FORMAT " tokens, %" G_GSIZE_FORMAT " bytes)",
                       n, n_bytes);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
load_token_arrays (DocentVocab  *vocab,
                   DocentGguf   *gguf,
                   GError      **error)
{
  const DocentGgufValue *tokens, *scores_array, *types_array;
  g_autofree float *scores = NULL;
  g_autofree gint32 *types = NULL;
  GError *local_error = NULL;
  guint64 n;

  if (!docent_gguf_has_key (gguf, "tokenizer.ggml.tokens"))
    {
      g_set_error_literal (error, DOCENT_VOCAB_ERROR, DOCENT_VOCAB_ERROR_MISSING,
                           "The file has no vocabulary (tokenizer.ggml.tokens is missing)");
      return FALSE;
    }
  tokens = docent_gguf_get_array (gguf, "tokenizer.ggml.tokens", DOCENT_GGUF_TYPE_STRING, error);
  if (tokens == NULL)
    return FALSE;
  n = docent_gguf_array_length (tokens);
  if (n == 0 || n > G_MAXINT32 - 1)
    {
      g_set_error (error, DOCENT_VOCAB_ERROR, DOCENT_VOCAB_ERROR_INVALID,
                   "tokenizer.ggml.tokens has %" G_GUINT64_FORMAT " tokens", n);
      return FALSE;
    }
  scores_array = optional_array (gguf, "tokenizer.ggml.scores", n, &local_error);
  if (local_error == NULL)
    types_array = optional_array (gguf, "tokenizer.ggml.token_type", n, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  if (scores_array != NULL)
    {
      scores = g_new (float, n);
      if (!docent_gguf_array_copy_f32 (scores_array, scores, error))
        return FALSE;
    }
  if (types_array != NULL)
    {
      types = g_new (gint32, n);
      if (!docent_gguf_array_copy_i32 (types_array, types, error))
        return FALSE;
    }
  return load_tokens (vocab, tokens, scores, types, error);
}

/* One merge: "LEFT RIGHT", or (newer writers) an array of the two parts. */
static void
add_merge_value (DocentVocab           *vocab,
                 const DocentGgufValue *merges,
                 guint64                i,
                 GString               *scratch)
{
  const DocentGgufValue *pair;
  const char *text;
  gsize len;

  text = docent_gguf_array_get_string (merges, i, &len);
  if (text != NULL)
    {
      docent_vocab_add_merge (vocab, text, len);
      return;
    }
  pair = docent_gguf_array_get_array (merges, i);
  g_string_truncate (scratch, 0);
  if (pair != NULL && docent_gguf_array_length (pair) == 2)
    for (guint j = 0; j < 2; j++)
      {
        text = docent_gguf_array_get_string (pair, j, &len);
        if (text == NULL)
          break;
        if (j == 1)
          g_string_append_c (scratch, ' ');
        g_string_append_len (scratch, text, len);
      }
  /* Anything else still takes a rank, and never applies. */
  docent_vocab_add_merge (vocab, scratch->str, scratch->len);
}

static gboolean
load_merges (DocentVocab  *vocab,
             DocentGguf   *gguf,
             GError      **error)
{
  const DocentGgufValue *merges;
  g_autoptr(GString) scratch = NULL;
  guint64 n;

  if (!docent_gguf_has_key (gguf, "tokenizer.ggml.merges"))
    {
      if (docent_vocab_kind (vocab) != DOCENT_VOCAB_BPE)
        return TRUE;
      g_set_error_literal (error, DOCENT_VOCAB_ERROR, DOCENT_VOCAB_ERROR_MISSING,
                           "The BPE vocabulary has no merges (tokenizer.ggml.merges is missing)");
      return FALSE;
    }
  merges = docent_gguf_get_array (gguf, "tokenizer.ggml.merges", -1, error);
  if (merges == NULL)
    return FALSE;
  n = docent_gguf_array_length (merges);
  scratch = g_string_new (NULL);
  docent_vocab_reserve_merges (vocab, MIN (n, (guint64) G_MAXINT32));
  for (guint64 i = 0; i < n; i++)
    add_merge_value (vocab, merges, i, scratch);
  return TRUE;
}

static void
load_specials (DocentVocab *vocab,
               DocentGguf  *gguf)
{
  static const struct {
    const char *key;
    DocentSpecial which;
  } keys[] = {
    { "tokenizer.ggml.bos_token_id", DOCENT_SPECIAL_BOS },
    { "tokenizer.ggml.eos_token_id", DOCENT_SPECIAL_EOS },
    { "tokenizer.ggml.unknown_token_id", DOCENT_SPECIAL_UNK },
    { "tokenizer.ggml.padding_token_id", DOCENT_SPECIAL_PAD },
    /* Spelled so by the format. */
    { "tokenizer.ggml.seperator_token_id", DOCENT_SPECIAL_SEP },
    { "tokenizer.ggml.cls_token_id", DOCENT_SPECIAL_CLS },
    { "tokenizer.ggml.mask_token_id", DOCENT_SPECIAL_MASK },
    { "tokenizer.ggml.eot_token_id", DOCENT_SPECIAL_EOT },
  };

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      guint32 id;

      /* Ids out of range are left out rather than refusing the model. */
      if (docent_gguf_get_u32 (gguf, keys[i].key, &id, NULL) && id < docent_vocab_n_tokens (vocab))
        docent_vocab_set_special (vocab, keys[i].which, (DocentToken) id);
    }
}

/* Older files leave out ids the family always had; find them by text. */
static void
default_special (DocentVocab   *vocab,
                 DocentSpecial  which,
                 const char    *text)
{
  DocentToken id;

  if (docent_vocab_special (vocab, which) != DOCENT_TOKEN_NONE)
    return;
  id = docent_vocab_lookup (vocab, text, strlen (text));
  if (id != DOCENT_TOKEN_NONE)
    docent_vocab_set_special (vocab, which, id);
}

static void
default_specials (DocentVocab *vocab)
{
  switch (docent_vocab_kind (vocab))
    {
    case DOCENT_VOCAB_SPM:
      default_special (vocab, DOCENT_SPECIAL_UNK, "<unk>");
      default_special (vocab, DOCENT_SPECIAL_BOS, "<s>");
      default_special (vocab, DOCENT_SPECIAL_EOS, "</s>");
      break;
    case DOCENT_VOCAB_WPM:
      default_special (vocab, DOCENT_SPECIAL_UNK, "[UNK]");
      default_special (vocab, DOCENT_SPECIAL_CLS, "[CLS]");
      default_special (vocab, DOCENT_SPECIAL_SEP, "[SEP]");
      default_special (vocab, DOCENT_SPECIAL_PAD, "[PAD]");
      default_special (vocab, DOCENT_SPECIAL_MASK, "[MASK]");
      break;
    case DOCENT_VOCAB_BPE:
    default:
      break;
    }
}

static void
load_flags (DocentVocab *vocab,
            DocentGguf  *gguf)
{
  static const struct {
    const char *key;
    DocentVocabFlag flag;
  } keys[] = {
    { "tokenizer.ggml.add_bos_token", DOCENT_VOCAB_ADD_BOS },
    { "tokenizer.ggml.add_eos_token", DOCENT_VOCAB_ADD_EOS },
    { "tokenizer.ggml.add_space_prefix", DOCENT_VOCAB_ADD_SPACE_PREFIX },
  };

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      gboolean value;

      if (docent_gguf_get_bool (gguf, keys[i].key, &value, NULL))
        docent_vocab_set_flag (vocab, keys[i].flag, value);
    }
}

/* GGUF does not say whether a WordPiece vocabulary is "uncased" (lower-case
 * and strip accents before matching). An uncased vocabulary has next to no
 * ordinary tokens with capitals; a cased one has thousands. */
static gboolean
vocab_has_capitals (DocentVocab *vocab)
{
  gsize n = docent_vocab_n_tokens (vocab);
  gsize n_normal = 0, n_capital = 0;

  for (gsize id = 0; id < n; id++)
    {
      gsize len;
      const char *text = docent_vocab_token_text (vocab, (DocentToken) id, &len);
      const char *end = text + len;

      if (docent_vocab_token_type (vocab, (DocentToken) id) != DOCENT_TOKEN_TYPE_NORMAL)
        continue;
      n_normal++;
      for (const char *p = text; p < end; p++)
        if (*p >= 'A' && *p <= 'Z')
          {
            n_capital++;
            break;
          }
    }
  return n_capital * 100 > n_normal;
}

DocentVocab *
docent_vocab_new_from_gguf (DocentGguf  *gguf,
                            GError     **error)
{
  g_autoptr(DocentVocab) vocab = NULL;
  g_autofree char *pre = NULL;
  DocentVocabKind kind;
  const char *model;
  gsize model_len;

  g_return_val_if_fail (gguf != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!docent_gguf_has_key (gguf, "tokenizer.ggml.model"))
    {
      g_set_error_literal (error, DOCENT_VOCAB_ERROR, DOCENT_VOCAB_ERROR_MISSING,
                           "The file has no tokenizer (tokenizer.ggml.model is missing)");
      return NULL;
    }
  model = docent_gguf_get_string (gguf, "tokenizer.ggml.model", &model_len, error);
  if (model == NULL || !kind_from_model (model, model_len, &kind, error))
    return NULL;
  vocab = docent_vocab_new (kind);
  if (!load_token_arrays (vocab, gguf, error) || !load_merges (vocab, gguf, error))
    return NULL;
  if (docent_gguf_has_key (gguf, "tokenizer.ggml.pre"))
    {
      pre = docent_gguf_dup_string (gguf, "tokenizer.ggml.pre", error);
      if (pre == NULL)
        return NULL;
      docent_vocab_set_pre (vocab, pre);
    }
  load_specials (vocab, gguf);
  default_specials (vocab);
  load_flags (vocab, gguf);
  if (kind == DOCENT_VOCAB_WPM)
    docent_vocab_set_flag (vocab, DOCENT_VOCAB_LOWERCASE, !vocab_has_capitals (vocab));
  return g_steal_pointer (&vocab);
}
