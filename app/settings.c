/* settings.c — a library's settings in `docent.ini`: the registry of model
 * files and which of them are in use, the answer settings, the remote
 * server; and the per-user pointer to the default library (see settings.h).
 *
 * The key file keeps whatever else it holds (comments, groups other parts
 * of Docent own); saving rewrites only [use], the model groups, [answer]
 * and [remote]:
 *
 *   [use]
 *   embedder=bge-small-en-v1.5-f16
 *   chat=qwen2.5-0.5b-instruct-q8_0
 *
 *   [model:bge-small-en-v1.5-f16]
 *   path=/home/me/models/bge-small-en-v1.5-f16.gguf
 *   role=embedder
 *   architecture=bert
 *   name=bge-small-en-v1.5
 *   sha256=<64 hex digits>
 *   size=67154752
 *   n_embd=384
 *   n_ctx=512
 *   pooling=cls
 *   query_prefix=Represent this sentence for searching relevant passages:\s
 *   passage_prefix=
 *   file_type=F16
 *
 *   [answer]             (only the values that differ from the default)
 *   threads=4
 *   context_size=4096
 *   max_tokens=768
 *   temperature=0.20
 *   retrieval_k=10
 *
 *   [library]            (the app's watched folders; written with ';')
 *   watched=/home/me/Papers;/home/me/Reports
 *
 *   [remote]
 *   enabled=true
 *   url=http://127.0.0.1:8080
 *   model=qwen2.5
 *   api_key=...          (in clear: the file is 0600, there is no keyring)
 *
 * Embedders always carry both prefix keys (an empty value: no prefix; a
 * trailing space is written as \s so that it survives hand editing); a
 * model group without them gets the prefix table's defaults on load. */
#include "app/settings.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include "engine/gguf.h"
#include "engine/model.h"

#define SETTINGS_FILE "docent.ini"
#define USE_GROUP "use"
#define MODEL_GROUP_PREFIX "model:"
#define ANSWER_GROUP "answer"
#define REMOTE_GROUP "remote"
#define HASH_BLOCK ((gsize) 1 << 20)

/* The numeric answer settings, in the order of number_specs[]. */
typedef enum {
  NUMBER_THREADS,
  NUMBER_CONTEXT,
  NUMBER_MAX_TOKENS,
  NUMBER_TEMPERATURE,
  NUMBER_K,
  N_NUMBERS
} NumberId;

struct _DocentSettings {
  char *dir;
  char *path;            /* dir/docent.ini */
  GKeyFile *keyfile;     /* as loaded: keeps what we do not manage */
  GPtrArray *models;     /* DocentModelEntry*, sorted by id */
  char *use[2];          /* model id per DocentModelRole, or NULL */
  double numbers[N_NUMBERS];
  gboolean remote_enabled;
  char *remote_url;      /* the [remote] strings, NULL when unset */
  char *remote_model;
  char *remote_api_key;
};

G_DEFINE_QUARK (docent-settings-error-quark, docent_settings_error)

static const char * const role_names[] = { "embedder", "chat" };

const char *
docent_model_role_to_string (DocentModelRole role)
{
  g_return_val_if_fail (role <= DOCENT_MODEL_ROLE_CHAT, NULL);
  return role_names[role];
}

static gboolean
role_from_string (const char      *text,
                  DocentModelRole *role)
{
  for (guint i = 0; i < G_N_ELEMENTS (role_names); i++)
    if (g_strcmp0 (text, role_names[i]) == 0)
      {
        *role = (DocentModelRole) i;
        return TRUE;
      }
  return FALSE;
}

static void
entry_free (DocentModelEntry *entry)
{
  g_free (entry->id);
  g_free (entry->path);
  g_free (entry->architecture);
  g_free (entry->name);
  g_free (entry->sha256);
  g_free (entry->pooling);
  g_free (entry->query_prefix);
  g_free (entry->passage_prefix);
  g_free (entry->file_type);
  g_free (entry);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DocentModelEntry, entry_free)

/* ---- the prefix table --------------------------------------------------
 * What each family's model card asks callers to put in front of the text:
 *
 * - E5 (intfloat e5-*-v2, multilingual-e5-*): every input starts with
 *   "query: " or "passage: ", even for symmetric tasks; without them the
 *   scores degrade. multilingual-e5-large-instruct instead wants a one-line
 *   task instruction before queries ("Instruct: …\nQuery: ") and nothing
 *   before passages.
 * - Nomic Embed (nomic-embed-text v1, v1.5, v2): a task prefix is required;
 *   retrieval uses "search_query: " and "search_document: ".
 * - BGE v1.5 English (BAAI bge-*-en*): passages go in bare; short queries
 *   retrieving longer passages get the instruction "Represent this sentence
 *   for searching relevant passages: " (the Chinese models have their own).
 *   BGE-M3 needs no instruction at all.
 * - mxbai-embed-large and snowflake-arctic-embed (v1, v1.5) reuse the BGE
 *   query instruction, passages bare; arctic-embed v2.0 switched to
 *   "query: " for queries.
 * - GTE, all-MiniLM and other sentence-transformers models: no prefixes.
 *
 * Matching is on the lower-cased name with spaces and underscores read as
 * dashes ("Bge Small En v1.5" is "bge-small-en-v1.5"); every pattern of an
 * entry must occur, and the first matching entry wins, so specific entries
 * come before general ones. */

#define BGE_QUERY "Represent this sentence for searching relevant passages: "
#define BGE_ZH_QUERY "\xe4\xb8\xba\xe8\xbf\x99\xe4\xb8\xaa\xe5\x8f\xa5\xe5\xad\x90\xe7\x94\x9f" \
  "\xe6\x88\x90\xe8\xa1\xa8\xe7\xa4\xba\xe4\xbb\xa5\xe7\x94\xa8\xe4\xba\x8e\xe6\xa3\x80" \
  "\xe7\xb4\xa2\xe7\x9b\xb8\xe5\x85\xb3\xe6\x96\x87\xe7\xab\xa0\xef\xbc\x9a"
#define E5_INSTRUCT_QUERY \
  "Instruct: Given a web search query, retrieve relevant passages that answer the query\nQuery: "

typedef struct {
  const char *patterns[2];   /* all must occur; the second may be NULL */
  const char *query;
  const char *passage;
} PrefixRule;

static const PrefixRule prefix_rules[] = {
  { { "bge-m3", NULL }, NULL, NULL },
  { { "multilingual-e5-large-instruct", NULL }, E5_INSTRUCT_QUERY, NULL },
  { { "multilingual-e5", NULL }, "query: ", "passage: " },
  { { "e5-", NULL }, "query: ", "passage: " },
  { { "nomic-embed", NULL }, "search_query: ", "search_document: " },
  { { "bge-", "-en" }, BGE_QUERY, NULL },
  { { "bge-", "-zh" }, BGE_ZH_QUERY, NULL },
  { { "mxbai-embed-large", NULL }, BGE_QUERY, NULL },
  { { "snowflake-arctic-embed", "v2" }, "query: ", NULL },
  { { "snowflake-arctic-embed", NULL }, BGE_QUERY, NULL },
};

static char *
normalize_name (const char *name)
{
  char *out = g_utf8_strdown (name, -1);

  g_strdelimit (out, " _", '-');
  return out;
}

static const PrefixRule *
find_prefix_rule (const char *name)
{
  g_autofree char *key = NULL;

  if (name == NULL)
    return NULL;
  key = normalize_name (name);
  for (guint i = 0; i < G_N_ELEMENTS (prefix_rules); i++)
    {
      const PrefixRule *rule = &prefix_rules[i];

      if (strstr (key, rule->patterns[0]) != NULL &&
          (rule->patterns[1] == NULL || strstr (key, rule->patterns[1]) != NULL))
        return rule;
    }
  return NULL;
}

void
docent_embedder_default_prefixes (const char  *name,
                                  const char  *file_name,
                                  const char **query_prefix,
                                  const char **passage_prefix)
{
  const PrefixRule *rule = find_prefix_rule (name);

  if (rule == NULL)
    rule = find_prefix_rule (file_name);
  if (query_prefix != NULL)
    *query_prefix = rule != NULL ? rule->query : NULL;
  if (passage_prefix != NULL)
    *passage_prefix = rule != NULL ? rule->passage : NULL;
}

/* ---- reading a model file ---------------------------------------------- */

/* The encoder (embedding-only) architectures as llama.cpp's converter
 * names them; the engine runs bert and nomic-bert (engine/model.c). */
static gboolean
is_encoder_architecture (const char *arch)
{
  static const char * const encoders[] = {
    "bert", "nomic-bert", "nomic-bert-moe", "jina-bert-v2", "jina-bert-v3",
    "modern-bert", "neo-bert",
  };

  for (guint i = 0; i < G_N_ELEMENTS (encoders); i++)
    if (g_strcmp0 (arch, encoders[i]) == 0)
      return TRUE;
  return FALSE;
}

/* `<arch>.pooling_type` as engine/model.c reads it (absent: 0), named as
 * docent_encoder_id() names it. */
static char *
read_pooling (DocentGguf *gguf,
              const char *arch)
{
  g_autofree char *key = g_strconcat (arch, ".pooling_type", NULL);
  guint32 type = 0;

  if (!docent_gguf_get_u32 (gguf, key, &type, NULL))
    type = 0;
  return g_strdup (docent_pooling_name (type <= DOCENT_POOLING_LAST ? (DocentPooling) type
                                                                    : DOCENT_POOLING_NONE));
}

static gboolean
set_model_error (GError     **error,
                 const char  *path,
                 const char  *reason)
{
  g_set_error (error, DOCENT_SETTINGS_ERROR, DOCENT_SETTINGS_ERROR_MODEL, "%s: %s", path, reason);
  return FALSE;
}

/* llama.cpp's general.file_type numbers (its LLAMA_FTYPE_MOSTLY_*), which
 * name a file's quantization mix; numbers it retired stay NULL. */
static const char * const file_type_names[] = {
  [0] = "F32", [1] = "F16", [2] = "Q4_0", [3] = "Q4_1", [4] = "Q4_1_F16",
  [7] = "Q8_0", [8] = "Q5_0", [9] = "Q5_1", [10] = "Q2_K", [11] = "Q3_K_S",
  [12] = "Q3_K_M", [13] = "Q3_K_L", [14] = "Q4_K_S", [15] = "Q4_K_M",
  [16] = "Q5_K_S", [17] = "Q5_K_M", [18] = "Q6_K", [19] = "IQ2_XXS",
  [20] = "IQ2_XS", [21] = "Q2_K_S", [22] = "IQ3_XS", [23] = "IQ3_XXS",
  [24] = "IQ1_S", [25] = "IQ4_NL", [26] = "IQ3_S", [27] = "IQ3_M",
  [28] = "IQ2_S", [29] = "IQ2_M", [30] = "IQ4_XS", [31] = "IQ1_M",
  [32] = "BF16", [36] = "TQ1_0", [37] = "TQ2_0",
};

const char *
docent_model_file_type_name (guint32 file_type)
{
  return file_type < G_N_ELEMENTS (file_type_names) ? file_type_names[file_type] : NULL;
}

/* general.file_type when the converter wrote it; else the tensor type
 * holding most of the weight bytes (what the file type would say). */
static char *
read_file_type (DocentGguf              *gguf,
                const DocentGgufSummary *s)
{
  guint32 number;
  guint best = DOCENT_TYPE_COUNT;

  if (docent_gguf_get_u32 (gguf, "general.file_type", &number, NULL) &&
      docent_model_file_type_name (number) != NULL)
    return g_strdup (docent_model_file_type_name (number));
  for (guint t = 0; t < DOCENT_TYPE_COUNT; t++)
    if (s->type_bytes[t] > 0 && (best == DOCENT_TYPE_COUNT || s->type_bytes[t] > s->type_bytes[best]))
      best = t;
  return best < DOCENT_TYPE_COUNT ? g_strdup (docent_type_name (best)) : NULL;
}

/* Fills architecture, name, role, size, n_embd, n_ctx, pooling and file
 * type from the metadata (the weights are not read). */
static gboolean
read_metadata (DocentModelEntry  *entry,
               const char        *display,
               GError           **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(DocentGguf) gguf = docent_gguf_open (entry->path, &local);
  g_autoptr(DocentGgufSummary) s = NULL;

  if (gguf == NULL)
    return set_model_error (error, display, local->message);
  s = docent_gguf_summarize (gguf);
  if (s->architecture == NULL)
    return set_model_error (error, display, "no general.architecture: not a model file");
  entry->architecture = g_strdup (s->architecture);
  entry->name = g_strdup (s->name);
  entry->size = s->file_size;
  entry->n_embd = (guint) MIN (s->embedding_length, G_MAXUINT);
  entry->n_ctx = (guint) MIN (s->context_length, G_MAXUINT);
  entry->role = is_encoder_architecture (s->architecture) ? DOCENT_MODEL_ROLE_EMBEDDER
                                                          : DOCENT_MODEL_ROLE_CHAT;
  entry->file_type = read_file_type (gguf, s);
  if (entry->role == DOCENT_MODEL_ROLE_EMBEDDER)
    entry->pooling = read_pooling (gguf, s->architecture);
  return TRUE;
}

/* The file's SHA-256, streamed in 1 MiB reads; the same digest as
 * docent_model_sha256() gives for the loaded model. */
static char *
hash_file (const char  *path,
           const char  *display,
           GError     **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) in = NULL;
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autoptr(GError) local = NULL;
  g_autofree guint8 *block = g_malloc (HASH_BLOCK);
  gssize n;

  in = g_file_read (file, NULL, &local);
  if (in == NULL)
    {
      set_model_error (error, display, local->message);
      return NULL;
    }
  while ((n = g_input_stream_read (G_INPUT_STREAM (in), block, HASH_BLOCK, NULL, &local)) > 0)
    g_checksum_update (sum, block, n);
  if (n < 0)
    {
      set_model_error (error, display, local->message);
      return NULL;
    }
  return g_strdup (g_checksum_get_string (sum));
}

/* ---- the registry ------------------------------------------------------ */

typedef enum { BY_ID, BY_PATH, BY_SHA256 } EntryKey;

static DocentModelEntry *
find_entry_by (DocentSettings *settings,
               EntryKey        key,
               const char     *value)
{
  for (guint i = 0; i < settings->models->len; i++)
    {
      DocentModelEntry *entry = settings->models->pdata[i];
      const char *field = key == BY_ID ? entry->id : key == BY_PATH ? entry->path : entry->sha256;

      if (g_strcmp0 (field, value) == 0)
        return entry;
    }
  return NULL;
}

static DocentModelEntry *
find_entry (DocentSettings *settings,
            const char     *id)
{
  return find_entry_by (settings, BY_ID, id);
}

static DocentModelEntry *
lookup_entry (DocentSettings  *settings,
              const char      *id,
              GError         **error)
{
  DocentModelEntry *entry = find_entry (settings, id);

  if (entry == NULL)
    g_set_error (error, DOCENT_SETTINGS_ERROR, DOCENT_SETTINGS_ERROR_NOT_FOUND,
                 "%s: no such model (see docent-cli models list)", id);
  return entry;
}

static int
compare_entries (gconstpointer a,
                 gconstpointer b)
{
  const DocentModelEntry *x = *(const DocentModelEntry * const *) a;
  const DocentModelEntry *y = *(const DocentModelEntry * const *) b;

  return strcmp (x->id, y->id);
}

/* Ids are lower case letters, digits, '.', '-' and '_' (so they are valid
 * key file group names and easy to type); "none" means no model. */
static gboolean
id_is_taken (DocentSettings *settings,
             const char     *id)
{
  return *id == '\0' || strcmp (id, "none") == 0 || find_entry (settings, id) != NULL;
}

static char *
make_id (DocentSettings *settings,
         const char     *path)
{
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *stem = g_ascii_strdown (base, -1);
  char *id;

  if (g_str_has_suffix (stem, ".gguf"))
    stem[strlen (stem) - strlen (".gguf")] = '\0';
  for (char *p = stem; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '.' && *p != '-' && *p != '_')
      *p = '-';
  id = g_strdup (*stem != '\0' ? stem : "model");
  for (guint n = 2; id_is_taken (settings, id); n++)
    {
      g_free (id);
      id = g_strdup_printf ("%s-%u", *stem != '\0' ? stem : "model", n);
    }
  return id;
}

static void
set_default_prefixes (DocentModelEntry *entry)
{
  g_autofree char *base = g_path_get_basename (entry->path);
  const char *query, *passage;

  docent_embedder_default_prefixes (entry->name, base, &query, &passage);
  g_free (entry->query_prefix);
  g_free (entry->passage_prefix);
  entry->query_prefix = g_strdup (query);
  entry->passage_prefix = g_strdup (passage);
}


/* A new entry (without an id) for the model file at absolute `path`;
 * errors name it `display`, the file as the user gave it. */
static DocentModelEntry *
entry_from_file (const char  *path,
                 const char  *display,
                 GError     **error)
{
  g_autoptr(DocentModelEntry) entry = g_new0 (DocentModelEntry, 1);

  entry->path = g_strdup (path);
  if (!read_metadata (entry, display, error))
    return NULL;
  entry->sha256 = hash_file (path, display, error);
  if (entry->sha256 == NULL)
    return NULL;
  if (entry->role == DOCENT_MODEL_ROLE_EMBEDDER)
    set_default_prefixes (entry);
  return g_steal_pointer (&entry);
}

static void
swap_pointers (char **a,
               char **b)
{
  char *t = *a;

  *a = *b;
  *b = t;
}

/* The file registered as `old` changed: `old` takes the new metadata and
 * digest in place (pointers to it stay valid), keeping its id and, when it
 * is still an embedder, its prefixes; `fresh` is consumed. */
static void
refresh_entry (DocentSettings   *settings,
               DocentModelEntry *old,
               DocentModelEntry *fresh)
{
  DocentModelEntry tmp;

  if (old->role != fresh->role && g_strcmp0 (settings->use[old->role], old->id) == 0)
    g_clear_pointer (&settings->use[old->role], g_free);
  if (old->role == fresh->role && fresh->role == DOCENT_MODEL_ROLE_EMBEDDER)
    {
      swap_pointers (&old->query_prefix, &fresh->query_prefix);
      swap_pointers (&old->passage_prefix, &fresh->passage_prefix);
    }
  swap_pointers (&old->id, &fresh->id);
  tmp = *old;
  *old = *fresh;
  *fresh = tmp;
  entry_free (fresh);
}

/* Entries registered before the file type was recorded get it when their
 * file is added again (metadata only: no hashing). */
static void
fill_file_type (DocentModelEntry *entry)
{
  g_autoptr(DocentGguf) gguf = NULL;
  g_autoptr(DocentGgufSummary) s = NULL;

  if (entry->file_type != NULL || (gguf = docent_gguf_open (entry->path, NULL)) == NULL)
    return;
  s = docent_gguf_summarize (gguf);
  entry->file_type = read_file_type (gguf, s);
}

static gboolean
file_size_is (const char *path,
              guint64     size)
{
  GStatBuf st;

  return g_stat (path, &st) == 0 && (guint64) st.st_size == size;
}

const DocentModelEntry *
docent_settings_add_model (DocentSettings  *settings,
                           const char      *path,
                           GError         **error)
{
  g_autofree char *abs = NULL;
  DocentModelEntry *old, *same, *fresh;

  g_return_val_if_fail (settings != NULL && path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  abs = g_canonicalize_filename (path, NULL);
  old = find_entry_by (settings, BY_PATH, abs);
  if (old != NULL && file_size_is (abs, old->size))
    {
      fill_file_type (old);
      return old;
    }
  fresh = entry_from_file (abs, path, error);
  if (fresh == NULL)
    return NULL;
  if (old != NULL)
    {
      refresh_entry (settings, old, fresh);
      return old;
    }
  same = find_entry_by (settings, BY_SHA256, fresh->sha256);
  if (same != NULL)
    {
      entry_free (fresh);
      return same;
    }
  fresh->id = make_id (settings, abs);
  g_ptr_array_add (settings->models, fresh);
  g_ptr_array_sort (settings->models, compare_entries);
  return fresh;
}

gboolean
docent_settings_remove_model (DocentSettings  *settings,
                              const char      *id,
                              GError         **error)
{
  DocentModelEntry *entry;

  g_return_val_if_fail (settings != NULL && id != NULL, FALSE);
  entry = lookup_entry (settings, id, error);
  if (entry == NULL)
    return FALSE;
  for (guint r = 0; r < G_N_ELEMENTS (settings->use); r++)
    if (g_strcmp0 (settings->use[r], id) == 0)
      g_clear_pointer (&settings->use[r], g_free);
  g_ptr_array_remove (settings->models, entry);
  return TRUE;
}

GPtrArray *
docent_settings_models (DocentSettings *settings)
{
  g_return_val_if_fail (settings != NULL, NULL);
  return settings->models;
}

const DocentModelEntry *
docent_settings_find_model (DocentSettings *settings,
                            const char     *id)
{
  g_return_val_if_fail (settings != NULL, NULL);
  return id != NULL ? find_entry (settings, id) : NULL;
}

const DocentModelEntry *
docent_settings_current (DocentSettings  *settings,
                         DocentModelRole  role)
{
  g_return_val_if_fail (settings != NULL && role <= DOCENT_MODEL_ROLE_CHAT, NULL);
  return settings->use[role] != NULL ? find_entry (settings, settings->use[role]) : NULL;
}

static gboolean
check_role (const DocentModelEntry  *entry,
            DocentModelRole          role,
            GError                 **error)
{
  if (entry->role == role)
    return TRUE;
  g_set_error (error, DOCENT_SETTINGS_ERROR, DOCENT_SETTINGS_ERROR_ROLE,
               "%s: is %s model (%s), not %s", entry->id,
               entry->role == DOCENT_MODEL_ROLE_EMBEDDER ? "an embedding" : "a chat",
               entry->architecture,
               role == DOCENT_MODEL_ROLE_EMBEDDER ? "an embedder" : "a chat model");
  return FALSE;
}

gboolean
docent_settings_use (DocentSettings   *settings,
                     DocentModelRole   role,
                     const char       *id,
                     GError          **error)
{
  DocentModelEntry *entry;

  g_return_val_if_fail (settings != NULL && role <= DOCENT_MODEL_ROLE_CHAT, FALSE);
  if (id == NULL)
    {
      g_clear_pointer (&settings->use[role], g_free);
      return TRUE;
    }
  entry = lookup_entry (settings, id, error);
  if (entry == NULL || !check_role (entry, role, error))
    return FALSE;
  g_free (settings->use[role]);
  settings->use[role] = g_strdup (id);
  return TRUE;
}

static void
set_prefix (char       **slot,
            const char  *value)
{
  if (value == NULL)
    return;
  g_free (*slot);
  *slot = *value != '\0' ? g_strdup (value) : NULL;
}

gboolean
docent_settings_set_prefixes (DocentSettings  *settings,
                              const char      *id,
                              const char      *query_prefix,
                              const char      *passage_prefix,
                              GError         **error)
{
  DocentModelEntry *entry;

  g_return_val_if_fail (settings != NULL && id != NULL, FALSE);
  entry = lookup_entry (settings, id, error);
  if (entry == NULL || !check_role (entry, DOCENT_MODEL_ROLE_EMBEDDER, error))
    return FALSE;
  set_prefix (&entry->query_prefix, query_prefix);
  set_prefix (&entry->passage_prefix, passage_prefix);
  return TRUE;
}

/* ---- docent.ini: reading ----------------------------------------------- */

static gboolean read_answer (DocentSettings *settings, GError **error);
static gboolean read_remote (DocentSettings *settings, GError **error);
static void     write_answer (DocentSettings *settings);
static void     write_remote (DocentSettings *settings);
static void     set_defaults (DocentSettings *settings);

/* Any key file error becomes INVALID, naming the file. */
static gboolean
invalid (DocentSettings  *settings,
         GError          *cause,
         GError         **error)
{
  g_set_error (error, DOCENT_SETTINGS_ERROR, DOCENT_SETTINGS_ERROR_INVALID,
               "%s: %s", settings->path, cause->message);
  g_error_free (cause);
  return FALSE;
}

static gboolean
invalid_value (DocentSettings  *settings,
               const char      *group,
               const char      *key,
               const char      *why,
               GError         **error)
{
  g_set_error (error, DOCENT_SETTINGS_ERROR, DOCENT_SETTINGS_ERROR_INVALID,
               "%s: [%s] %s: %s", settings->path, group, key, why);
  return FALSE;
}

static gboolean
read_string (DocentSettings  *settings,
             const char      *group,
             const char      *key,
             gboolean         required,
             char           **out,
             GError         **error)
{
  GError *local = NULL;

  if (!required && !g_key_file_has_key (settings->keyfile, group, key, NULL))
    return TRUE;
  *out = g_key_file_get_string (settings->keyfile, group, key, &local);
  if (*out == NULL)
    return invalid (settings, local, error);
  if (required && **out == '\0')
    return invalid_value (settings, group, key, "is empty", error);
  return TRUE;
}

static gboolean
read_number (DocentSettings  *settings,
             const char      *group,
             const char      *key,
             guint64          max,
             guint64         *out,
             GError         **error)
{
  GError *local = NULL;

  *out = 0;
  if (!g_key_file_has_key (settings->keyfile, group, key, NULL))
    return TRUE;
  *out = g_key_file_get_uint64 (settings->keyfile, group, key, &local);
  if (local != NULL)
    return invalid (settings, local, error);
  if (*out > max)
    return invalid_value (settings, group, key, "is out of range", error);
  return TRUE;
}

/* Prefixes recorded in the group, else the table's. */
static gboolean
read_prefixes (DocentSettings    *settings,
               const char        *group,
               DocentModelEntry  *entry,
               GError           **error)
{
  g_autofree char *query = NULL;
  g_autofree char *passage = NULL;

  set_default_prefixes (entry);
  if (!read_string (settings, group, "query_prefix", FALSE, &query, error) ||
      !read_string (settings, group, "passage_prefix", FALSE, &passage, error))
    return FALSE;
  set_prefix (&entry->query_prefix, query);
  set_prefix (&entry->passage_prefix, passage);
  return TRUE;
}

static gboolean
read_strings (DocentSettings    *settings,
              const char        *group,
              DocentModelEntry  *entry,
              char             **role,
              GError           **error)
{
  return read_string (settings, group, "path", TRUE, &entry->path, error) &&
         read_string (settings, group, "role", TRUE, role, error) &&
         read_string (settings, group, "architecture", TRUE, &entry->architecture, error) &&
         read_string (settings, group, "sha256", TRUE, &entry->sha256, error) &&
         read_string (settings, group, "name", FALSE, &entry->name, error) &&
         read_string (settings, group, "file_type", FALSE, &entry->file_type, error);
}

static gboolean
read_numbers (DocentSettings    *settings,
              const char        *group,
              DocentModelEntry  *entry,
              GError           **error)
{
  guint64 embd, ctx;

  if (!read_number (settings, group, "size", G_MAXUINT64, &entry->size, error) ||
      !read_number (settings, group, "n_embd", G_MAXUINT, &embd, error) ||
      !read_number (settings, group, "n_ctx", G_MAXUINT, &ctx, error))
    return FALSE;
  entry->n_embd = (guint) embd;
  entry->n_ctx = (guint) ctx;
  return TRUE;
}

static DocentModelEntry *
read_entry (DocentSettings  *settings,
            const char      *group,
            GError         **error)
{
  g_autoptr(DocentModelEntry) entry = g_new0 (DocentModelEntry, 1);
  g_autofree char *role = NULL;

  entry->id = g_strdup (group + strlen (MODEL_GROUP_PREFIX));
  if (*entry->id == '\0')
    {
      invalid_value (settings, group, "id", "is empty", error);
      return NULL;
    }
  if (!read_strings (settings, group, entry, &role, error) ||
      !read_numbers (settings, group, entry, error))
    return NULL;
  for (char *p = entry->sha256; *p != '\0'; p++)
    *p = g_ascii_tolower (*p);
  if (!role_from_string (role, &entry->role))
    {
      invalid_value (settings, group, "role", "is neither \"embedder\" nor \"chat\"", error);
      return NULL;
    }
  if (entry->role == DOCENT_MODEL_ROLE_EMBEDDER &&
      (!read_string (settings, group, "pooling", FALSE, &entry->pooling, error) ||
       !read_prefixes (settings, group, entry, error)))
    return NULL;
  return g_steal_pointer (&entry);
}

static gboolean
read_models (DocentSettings  *settings,
             GError         **error)
{
  g_auto(GStrv) groups = g_key_file_get_groups (settings->keyfile, NULL);

  for (guint i = 0; groups[i] != NULL; i++)
    {
      DocentModelEntry *entry;

      if (!g_str_has_prefix (groups[i], MODEL_GROUP_PREFIX))
        continue;
      entry = read_entry (settings, groups[i], error);
      if (entry == NULL)
        return FALSE;
      g_ptr_array_add (settings->models, entry);
    }
  g_ptr_array_sort (settings->models, compare_entries);
  return TRUE;
}

/* [use] names registered models of the right role. */
static gboolean
read_use (DocentSettings  *settings,
          GError         **error)
{
  for (guint r = 0; r < G_N_ELEMENTS (settings->use); r++)
    {
      const char *key = role_names[r];
      DocentModelEntry *entry;
      char **slot = &settings->use[r];

      if (!read_string (settings, USE_GROUP, key, FALSE, slot, error))
        return FALSE;
      if (*slot != NULL && **slot == '\0')
        g_clear_pointer (slot, g_free);
      if (*slot == NULL)
        continue;
      entry = find_entry (settings, *slot);
      if (entry == NULL)
        return invalid_value (settings, USE_GROUP, key, "names no registered model", error);
      if (entry->role != (DocentModelRole) r)
        return invalid_value (settings, USE_GROUP, key, "names a model of the other role", error);
    }
  return TRUE;
}

static void
settings_clear (DocentSettings *settings)
{
  g_free (settings->dir);
  g_free (settings->path);
  g_clear_pointer (&settings->keyfile, g_key_file_unref);
  g_clear_pointer (&settings->models, g_ptr_array_unref);
  for (guint r = 0; r < G_N_ELEMENTS (settings->use); r++)
    g_free (settings->use[r]);
  g_free (settings->remote_url);
  g_free (settings->remote_model);
  g_free (settings->remote_api_key);
}

void
docent_settings_free (DocentSettings *settings)
{
  if (settings == NULL)
    return;
  settings_clear (settings);
  g_free (settings);
}

static gboolean
load_key_file (DocentSettings  *settings,
               GError         **error)
{
  GError *local = NULL;

  if (g_key_file_load_from_file (settings->keyfile, settings->path,
                                 G_KEY_FILE_KEEP_COMMENTS, &local))
    return TRUE;
  if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_error_free (local);
      return TRUE;
    }
  if (local->domain == G_FILE_ERROR)
    {
      g_propagate_prefixed_error (error, local, "%s: ", settings->path);
      return FALSE;
    }
  return invalid (settings, local, error);
}

DocentSettings *
docent_settings_load (const char  *dir,
                      GError     **error)
{
  g_autoptr(DocentSettings) settings = g_new0 (DocentSettings, 1);

  g_return_val_if_fail (dir != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  settings->dir = g_strdup (dir);
  settings->path = g_build_filename (dir, SETTINGS_FILE, NULL);
  settings->keyfile = g_key_file_new ();
  settings->models = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_free);
  set_defaults (settings);
  if (!load_key_file (settings, error) || !read_models (settings, error) ||
      !read_use (settings, error) || !read_answer (settings, error) ||
      !read_remote (settings, error))
    return NULL;
  return g_steal_pointer (&settings);
}

/* ---- docent.ini: writing ----------------------------------------------- */

/* As GKeyFile escapes it, with trailing spaces as \s: an editor that trims
 * lines cannot eat the space after "query:". */
static void
write_string (GKeyFile   *keyfile,
              const char *group,
              const char *key,
              const char *value)
{
  g_autofree char *escaped = NULL;
  g_autoptr(GString) out = NULL;
  gsize len, spaces = 0;

  g_key_file_set_string (keyfile, group, key, value != NULL ? value : "");
  escaped = g_key_file_get_value (keyfile, group, key, NULL);
  len = strlen (escaped);
  while (spaces < len && escaped[len - spaces - 1] == ' ')
    spaces++;
  if (spaces == 0)
    return;
  out = g_string_new_len (escaped, (gssize) (len - spaces));
  for (gsize i = 0; i < spaces; i++)
    g_string_append (out, "\\s");
  g_key_file_set_value (keyfile, group, key, out->str);
}

static void
write_entry (GKeyFile               *keyfile,
             const DocentModelEntry *entry)
{
  g_autofree char *group = g_strconcat (MODEL_GROUP_PREFIX, entry->id, NULL);

  write_string (keyfile, group, "path", entry->path);
  write_string (keyfile, group, "role", docent_model_role_to_string (entry->role));
  write_string (keyfile, group, "architecture", entry->architecture);
  if (entry->name != NULL)
    write_string (keyfile, group, "name", entry->name);
  write_string (keyfile, group, "sha256", entry->sha256);
  g_key_file_set_uint64 (keyfile, group, "size", entry->size);
  g_key_file_set_uint64 (keyfile, group, "n_embd", entry->n_embd);
  g_key_file_set_uint64 (keyfile, group, "n_ctx", entry->n_ctx);
  if (entry->file_type != NULL)
    write_string (keyfile, group, "file_type", entry->file_type);
  if (entry->role != DOCENT_MODEL_ROLE_EMBEDDER)
    return;
  if (entry->pooling != NULL)
    write_string (keyfile, group, "pooling", entry->pooling);
  write_string (keyfile, group, "query_prefix", entry->query_prefix);
  write_string (keyfile, group, "passage_prefix", entry->passage_prefix);
}

static void
write_use (DocentSettings *settings)
{
  GKeyFile *keyfile = settings->keyfile;

  for (guint r = 0; r < G_N_ELEMENTS (settings->use); r++)
    {
      if (settings->use[r] != NULL)
        write_string (keyfile, USE_GROUP, role_names[r], settings->use[r]);
      else
        g_key_file_remove_key (keyfile, USE_GROUP, role_names[r], NULL);
    }
  if (g_key_file_has_group (keyfile, USE_GROUP))
    {
      g_auto(GStrv) keys = g_key_file_get_keys (keyfile, USE_GROUP, NULL, NULL);

      if (keys == NULL || keys[0] == NULL)
        g_key_file_remove_group (keyfile, USE_GROUP, NULL);
    }
}

/* The key file as loaded, with [use] and the model groups rewritten. */
static void
write_key_file (DocentSettings *settings)
{
  g_auto(GStrv) groups = g_key_file_get_groups (settings->keyfile, NULL);
  g_autofree char *top = g_key_file_get_comment (settings->keyfile, NULL, NULL, NULL);
  g_autofree char *start = NULL;

  write_use (settings);
  write_answer (settings);
  write_remote (settings);
  for (guint i = 0; groups[i] != NULL; i++)
    if (g_str_has_prefix (groups[i], MODEL_GROUP_PREFIX))
      g_key_file_remove_group (settings->keyfile, groups[i], NULL);
  for (guint i = 0; i < settings->models->len; i++)
    write_entry (settings->keyfile, settings->models->pdata[i]);
  start = g_key_file_get_start_group (settings->keyfile);
  if ((top == NULL || *top == '\0') && start != NULL)
    g_key_file_set_comment (settings->keyfile, NULL, NULL,
                            " Docent library settings. `docent-cli models` manages [use] and\n"
                            " the [model:ID] groups, `docent-cli config` [answer] and [remote];\n"
                            " other groups are kept as they are.", NULL);
}

gboolean
docent_settings_save (DocentSettings  *settings,
                      GError         **error)
{
  g_autofree char *data = NULL;
  gsize len;

  g_return_val_if_fail (settings != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  write_key_file (settings);
  data = g_key_file_to_data (settings->keyfile, &len, NULL);
  if (g_mkdir_with_parents (settings->dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   "%s: cannot create the folder: %s", settings->dir, g_strerror (saved));
      return FALSE;
    }
  if (!g_file_set_contents_full (settings->path, data, (gssize) len,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0600, error))
    return FALSE;
  return TRUE;
}

/* ---- OCR ------------------------------------------------------------------ */

#define OCR_GROUP "ocr"

void
docent_settings_ocr (DocentSettings  *settings,
                     gboolean        *enabled,
                     char           **languages)
{
  g_autoptr(GError) error = NULL;
  gboolean on = g_key_file_get_boolean (settings->keyfile, OCR_GROUP, "enabled", &error);

  *enabled = error != NULL ? TRUE : on;
  *languages = g_key_file_get_string (settings->keyfile, OCR_GROUP, "languages", NULL);
  if (*languages == NULL || **languages == '\0')
    {
      g_free (*languages);
      *languages = g_strdup ("eng");
    }
}

void
docent_settings_set_ocr (DocentSettings *settings,
                         gboolean        enabled,
                         const char     *languages)
{
  g_key_file_set_boolean (settings->keyfile, OCR_GROUP, "enabled", enabled);
  if (languages != NULL)
    g_key_file_set_string (settings->keyfile, OCR_GROUP, "languages", languages);
}

/* ---- answers -------------------------------------------------------------- */

typedef struct {
  const char *key;       /* in [answer] */
  const char *label;     /* what errors call it */
  const char *unit;      /* after the range in errors, or "" */
  double min, max;       /* the range, besides 0 when zero_means */
  double fallback;       /* the default */
  const char *zero_means; /* what 0 stands for, or NULL when 0 is no value */
  gboolean fractional;   /* two decimals; else a whole number */
} NumberSpec;

static const NumberSpec number_specs[N_NUMBERS] = {
  [NUMBER_THREADS] = { "threads", "threads", "", 1, DOCENT_SETTINGS_MAX_THREADS, 0,
                       "automatic", FALSE },
  [NUMBER_CONTEXT] = { "context_size", "context size", " tokens", DOCENT_SETTINGS_MIN_CONTEXT,
                       DOCENT_SETTINGS_MAX_CONTEXT, 0, "the model's", FALSE },
  [NUMBER_MAX_TOKENS] = { "max_tokens", "answer length", " tokens", DOCENT_SETTINGS_MIN_ANSWER,
                          DOCENT_SETTINGS_MAX_ANSWER, DOCENT_SETTINGS_DEFAULT_ANSWER, NULL, FALSE },
  [NUMBER_TEMPERATURE] = { "temperature", "temperature", "", 0, DOCENT_SETTINGS_MAX_TEMPERATURE, 0,
                           NULL, TRUE },
  [NUMBER_K] = { "retrieval_k", "retrieval depth", " passages", 1, DOCENT_SETTINGS_MAX_K,
                 DOCENT_SETTINGS_DEFAULT_K, NULL, FALSE },
};

static void
set_defaults (DocentSettings *settings)
{
  for (guint i = 0; i < N_NUMBERS; i++)
    settings->numbers[i] = number_specs[i].fallback;
}

static char *
format_number (const NumberSpec *spec,
               double            value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (!spec->fractional)
    return g_strdup_printf ("%.0f", value);
  return g_strdup (g_ascii_formatd (buf, sizeof buf, "%.2f", value));
}

/* "must be 0 (automatic) or 1 to 256" */
static char *
describe_range (const NumberSpec *spec)
{
  g_autofree char *min = format_number (spec, spec->min);
  g_autofree char *max = format_number (spec, spec->max);

  if (spec->zero_means != NULL)
    return g_strdup_printf ("must be 0 (%s) or %s to %s%s", spec->zero_means, min, max, spec->unit);
  return g_strdup_printf ("must be %s to %s%s", min, max, spec->unit);
}

static gboolean
number_in_range (const NumberSpec *spec,
                 double            value)
{
  if (!isfinite (value))
    return FALSE;
  if (value == 0 && spec->zero_means != NULL)
    return TRUE;
  return value >= spec->min && value <= spec->max;
}

static gboolean
value_error (GError     **error,
             const char  *label,
             const char  *value,
             const char  *why)
{
  g_set_error (error, DOCENT_SETTINGS_ERROR, DOCENT_SETTINGS_ERROR_VALUE,
               "%s: %s (not %s)", label, why, value);
  return FALSE;
}

/* Text to a value of the spec's type and range; errors name the setting. */
static gboolean
parse_number (const NumberSpec  *spec,
              const char        *text,
              double            *out,
              GError           **error)
{
  g_autofree char *range = describe_range (spec);
  g_autofree char *trimmed = g_strstrip (g_strdup (text));
  char *end = NULL;
  double value;

  if (spec->fractional)
    value = g_ascii_strtod (trimmed, &end);
  else
    {
      guint64 whole;

      if (!g_ascii_string_to_unsigned (trimmed, 10, 0, G_MAXUINT, &whole, NULL))
        return value_error (error, spec->label, text, range);
      value = (double) whole;
      end = trimmed + strlen (trimmed);
    }
  if (*trimmed == '\0' || end == NULL || *end != '\0' || !number_in_range (spec, value))
    return value_error (error, spec->label, text, range);
  *out = spec->fractional ? round (value * 100) / 100 : value;
  return TRUE;
}

static gboolean
set_number (DocentSettings  *settings,
            NumberId         id,
            double           value,
            GError         **error)
{
  const NumberSpec *spec = &number_specs[id];

  g_return_val_if_fail (settings != NULL, FALSE);
  if (!number_in_range (spec, value))
    {
      g_autofree char *range = describe_range (spec);
      g_autofree char *text = format_number (spec, value);

      return value_error (error, spec->label, text, range);
    }
  settings->numbers[id] = spec->fractional ? round (value * 100) / 100 : value;
  return TRUE;
}

static gboolean
read_answer (DocentSettings  *settings,
             GError         **error)
{
  for (guint i = 0; i < N_NUMBERS; i++)
    {
      const NumberSpec *spec = &number_specs[i];
      g_autofree char *text = g_key_file_get_value (settings->keyfile, ANSWER_GROUP,
                                                    spec->key, NULL);
      g_autoptr(GError) local = NULL;

      if (text == NULL)
        continue;
      if (!parse_number (spec, text, &settings->numbers[i], &local))
        {
          g_autofree char *range = describe_range (spec);
          g_autofree char *why = g_strdup_printf ("%s (not %s)", range, text);

          return invalid_value (settings, ANSWER_GROUP, spec->key, why, error);
        }
    }
  return TRUE;
}

/* Removes `group` when nothing is left in it. */
static void
drop_empty_group (GKeyFile   *keyfile,
                  const char *group)
{
  g_auto(GStrv) keys = NULL;

  if (!g_key_file_has_group (keyfile, group))
    return;
  keys = g_key_file_get_keys (keyfile, group, NULL, NULL);
  if (keys == NULL || keys[0] == NULL)
    g_key_file_remove_group (keyfile, group, NULL);
}

/* Only values other than the default are written: a file never touched by
 * the preferences stays as it was, and new defaults reach old libraries. */
static void
write_answer (DocentSettings *settings)
{
  for (guint i = 0; i < N_NUMBERS; i++)
    {
      const NumberSpec *spec = &number_specs[i];

      if (settings->numbers[i] != spec->fallback)
        {
          g_autofree char *text = format_number (spec, settings->numbers[i]);

          g_key_file_set_value (settings->keyfile, ANSWER_GROUP, spec->key, text);
        }
      else
        g_key_file_remove_key (settings->keyfile, ANSWER_GROUP, spec->key, NULL);
    }
  drop_empty_group (settings->keyfile, ANSWER_GROUP);
}

guint
docent_settings_get_threads (DocentSettings *settings)
{
  g_return_val_if_fail (settings != NULL, 0);
  return (guint) settings->numbers[NUMBER_THREADS];
}

gboolean
docent_settings_set_threads (DocentSettings  *settings,
                             guint            threads,
                             GError         **error)
{
  return set_number (settings, NUMBER_THREADS, threads, error);
}

guint
docent_settings_get_context_size (DocentSettings *settings)
{
  g_return_val_if_fail (settings != NULL, 0);
  return (guint) settings->numbers[NUMBER_CONTEXT];
}

gboolean
docent_settings_set_context_size (DocentSettings  *settings,
                                  guint            n_ctx,
                                  GError         **error)
{
  return set_number (settings, NUMBER_CONTEXT, n_ctx, error);
}

guint
docent_settings_get_max_tokens (DocentSettings *settings)
{
  g_return_val_if_fail (settings != NULL, DOCENT_SETTINGS_DEFAULT_ANSWER);
  return (guint) settings->numbers[NUMBER_MAX_TOKENS];
}

gboolean
docent_settings_set_max_tokens (DocentSettings  *settings,
                                guint            max_tokens,
                                GError         **error)
{
  return set_number (settings, NUMBER_MAX_TOKENS, max_tokens, error);
}

double
docent_settings_get_temperature (DocentSettings *settings)
{
  g_return_val_if_fail (settings != NULL, 0);
  return settings->numbers[NUMBER_TEMPERATURE];
}

gboolean
docent_settings_set_temperature (DocentSettings  *settings,
                                 double           temperature,
                                 GError         **error)
{
  return set_number (settings, NUMBER_TEMPERATURE, temperature, error);
}

guint
docent_settings_get_retrieval_k (DocentSettings *settings)
{
  g_return_val_if_fail (settings != NULL, DOCENT_SETTINGS_DEFAULT_K);
  return (guint) settings->numbers[NUMBER_K];
}

gboolean
docent_settings_set_retrieval_k (DocentSettings  *settings,
                                 guint            k,
                                 GError         **error)
{
  return set_number (settings, NUMBER_K, k, error);
}

/* ---- the remote server -------------------------------------------------- */

/* http(s) with a host: anything else would fail at the first question,
 * far from where it was typed. */
#define REMOTE_URL_RULE "must be an http:// or https:// address such as http://127.0.0.1:8080"

static gboolean
remote_url_ok (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  const char *scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;

  return uri != NULL &&
         (g_ascii_strcasecmp (scheme, "http") == 0 || g_ascii_strcasecmp (scheme, "https") == 0) &&
         g_uri_get_host (uri) != NULL && *g_uri_get_host (uri) != '\0';
}

static gboolean
check_remote_url (const char  *url,
                  GError     **error)
{
  return remote_url_ok (url) || value_error (error, "remote server URL", url, REMOTE_URL_RULE);
}

static void
replace_string (char       **slot,
                const char  *value)
{
  g_free (*slot);
  *slot = value != NULL && *value != '\0' ? g_strdup (value) : NULL;
}

static gboolean
read_remote (DocentSettings  *settings,
             GError         **error)
{
  GKeyFile *keyfile = settings->keyfile;
  g_autofree char *url = NULL;
  g_autofree char *model = NULL;
  g_autofree char *key = NULL;
  g_autoptr(GError) local = NULL;

  if (!g_key_file_has_group (keyfile, REMOTE_GROUP))
    return TRUE;
  if (g_key_file_has_key (keyfile, REMOTE_GROUP, "enabled", NULL))
    {
      settings->remote_enabled = g_key_file_get_boolean (keyfile, REMOTE_GROUP, "enabled", &local);
      if (local != NULL)
        return invalid (settings, g_steal_pointer (&local), error);
    }
  if (!read_string (settings, REMOTE_GROUP, "url", FALSE, &url, error) ||
      !read_string (settings, REMOTE_GROUP, "model", FALSE, &model, error) ||
      !read_string (settings, REMOTE_GROUP, "api_key", FALSE, &key, error))
    return FALSE;
  if (url != NULL && *url != '\0' && !remote_url_ok (url))
    return invalid_value (settings, REMOTE_GROUP, "url", REMOTE_URL_RULE, error);
  replace_string (&settings->remote_url, url);
  replace_string (&settings->remote_model, model);
  replace_string (&settings->remote_api_key, key);
  return TRUE;
}

static void
write_optional (GKeyFile   *keyfile,
                const char *key,
                const char *value)
{
  if (value != NULL)
    write_string (keyfile, REMOTE_GROUP, key, value);
  else
    g_key_file_remove_key (keyfile, REMOTE_GROUP, key, NULL);
}

static void
write_remote (DocentSettings *settings)
{
  GKeyFile *keyfile = settings->keyfile;

  if (settings->remote_enabled || g_key_file_has_key (keyfile, REMOTE_GROUP, "enabled", NULL))
    g_key_file_set_boolean (keyfile, REMOTE_GROUP, "enabled", settings->remote_enabled);
  write_optional (keyfile, "url", settings->remote_url);
  write_optional (keyfile, "model", settings->remote_model);
  write_optional (keyfile, "api_key", settings->remote_api_key);
  if (!settings->remote_enabled && settings->remote_url == NULL &&
      settings->remote_model == NULL && settings->remote_api_key == NULL)
    g_key_file_remove_key (keyfile, REMOTE_GROUP, "enabled", NULL);
  drop_empty_group (keyfile, REMOTE_GROUP);
}

gboolean
docent_settings_get_remote_enabled (DocentSettings *settings)
{
  g_return_val_if_fail (settings != NULL, FALSE);
  return settings->remote_enabled;
}

const char *
docent_settings_get_remote_url (DocentSettings *settings)
{
  g_return_val_if_fail (settings != NULL, NULL);
  return settings->remote_url;
}

const char *
docent_settings_get_remote_model (DocentSettings *settings)
{
  g_return_val_if_fail (settings != NULL, NULL);
  return settings->remote_model;
}

const char *
docent_settings_get_remote_api_key (DocentSettings *settings)
{
  g_return_val_if_fail (settings != NULL, NULL);
  return settings->remote_api_key;
}

const char *
docent_settings_remote_in_use (DocentSettings *settings)
{
  g_return_val_if_fail (settings != NULL, NULL);
  return settings->remote_enabled ? settings->remote_url : NULL;
}

void
docent_settings_set_remote_enabled (DocentSettings *settings,
                                    gboolean        enabled)
{
  g_return_if_fail (settings != NULL);
  settings->remote_enabled = enabled;
}

gboolean
docent_settings_set_remote_url (DocentSettings  *settings,
                                const char      *url,
                                GError         **error)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (url != NULL ? url : ""));

  g_return_val_if_fail (settings != NULL, FALSE);
  if (*trimmed != '\0' && !check_remote_url (trimmed, error))
    return FALSE;
  replace_string (&settings->remote_url, trimmed);
  return TRUE;
}

void
docent_settings_set_remote_model (DocentSettings *settings,
                                  const char     *model)
{
  g_return_if_fail (settings != NULL);
  replace_string (&settings->remote_model, model);
}

void
docent_settings_set_remote_api_key (DocentSettings *settings,
                                    const char     *api_key)
{
  g_return_if_fail (settings != NULL);
  replace_string (&settings->remote_api_key, api_key);
}

/* ---- watched folders ------------------------------------------------------ */

/* Kept in the key file itself, like [ocr]: a string list, so a ';' in a
 * folder name is escaped by GKeyFile. */
#define LIBRARY_GROUP "library"
#define WATCHED_KEY "watched"

GStrv
docent_settings_get_watched_folders (DocentSettings *settings)
{
  g_auto(GStrv) list = NULL;
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  g_autoptr(GPtrArray) seen = g_ptr_array_new ();

  g_return_val_if_fail (settings != NULL, NULL);
  list = g_key_file_get_string_list (settings->keyfile, LIBRARY_GROUP, WATCHED_KEY, NULL, NULL);
  /* A hand-edited relative entry would depend on the current folder. */
  for (guint i = 0; list != NULL && list[i] != NULL; i++)
    if (g_path_is_absolute (list[i]) &&
        !g_ptr_array_find_with_equal_func (seen, list[i], g_str_equal, NULL))
      {
        g_ptr_array_add (seen, list[i]);
        g_strv_builder_add (b, list[i]);
      }
  return g_strv_builder_end (b);
}

/* Symbolic links resolved when the path exists: a link to the library
 * folder is the library folder. */
static char *
resolve_path (const char *path)
{
  char *real = realpath (path, NULL);
  char *copy;

  if (real == NULL)
    return g_canonicalize_filename (path, NULL);
  copy = g_strdup (real);
  free (real);
  return copy;
}

/* What follows `folder` in `path` when `path` is `folder` or below it
 * ("" for the folder itself), else NULL. */
static const char *
path_below (const char *path,
            const char *folder)
{
  size_t n = strlen (folder);

  if (strncmp (path, folder, n) != 0)
    return NULL;
  if (path[n] == '\0')
    return path + n;
  if (path[n] == '/')
    return path + n + 1;
  if (n > 0 && folder[n - 1] == '/')
    return path + n;
  return NULL;
}

static gboolean
has_hidden_part (const char *relative)
{
  g_auto(GStrv) parts = g_strsplit (relative, "/", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    if (parts[i][0] == '.')
      return TRUE;
  return FALSE;
}

static gboolean
refuse_folder (GError    **error,
               const char *folder,
               const char *why)
{
  g_set_error (error, DOCENT_SETTINGS_ERROR, DOCENT_SETTINGS_ERROR_VALUE,
               "%s cannot be watched: %s", folder, why);
  return FALSE;
}

/* The library's own files change with every write: watching them would
 * index the database, or sync for ever. */
static gboolean
check_watched_folder (DocentSettings  *settings,
                      const char      *folder,
                      char           **canonical,
                      GError         **error)
{
  g_autofree char *path = NULL;
  g_autofree char *real = NULL;
  g_autofree char *library = NULL;
  const char *rest;

  if (folder == NULL || !g_path_is_absolute (folder))
    return refuse_folder (error, folder != NULL ? folder : "(none)", "it is not an absolute path");
  path = g_canonicalize_filename (folder, NULL);
  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    return refuse_folder (error, path, "there is no such folder");
  real = resolve_path (path);
  library = resolve_path (settings->dir);
  if ((rest = path_below (real, library)) != NULL)
    return refuse_folder (error, path, *rest == '\0' ? "it is the library folder"
                                                      : "it is inside the library folder");
  if ((rest = path_below (library, real)) != NULL && !has_hidden_part (rest))
    return refuse_folder (error, path, "the library folder is inside it");
  *canonical = g_steal_pointer (&path);
  return TRUE;
}

gboolean
docent_settings_set_watched_folders (DocentSettings     *settings,
                                     const char *const  *folders,
                                     GError            **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func (g_free);

  g_return_val_if_fail (settings != NULL, FALSE);
  for (guint i = 0; folders != NULL && folders[i] != NULL; i++)
    {
      char *canonical = NULL;

      if (!check_watched_folder (settings, folders[i], &canonical, error))
        return FALSE;
      if (g_ptr_array_find_with_equal_func (list, canonical, g_str_equal, NULL))
        g_free (canonical);
      else
        g_ptr_array_add (list, canonical);
    }
  if (list->len == 0)
    {
      g_key_file_remove_key (settings->keyfile, LIBRARY_GROUP, WATCHED_KEY, NULL);
      drop_empty_group (settings->keyfile, LIBRARY_GROUP);
      return TRUE;
    }
  g_key_file_set_string_list (settings->keyfile, LIBRARY_GROUP, WATCHED_KEY,
                              (const char *const *) list->pdata, list->len);
  return TRUE;
}

/* library.watched by name: folders joined by ';' (a folder whose name has
 * a ';' can only be set through the typed call); relative ones are taken
 * from the current folder, as a command line means them. */
static char *
get_watched_value (DocentSettings *settings)
{
  g_auto(GStrv) folders = docent_settings_get_watched_folders (settings);

  return g_strjoinv (";", folders);
}

static gboolean
set_watched_value (DocentSettings  *settings,
                   const char      *value,
                   GError         **error)
{
  g_auto(GStrv) parts = g_strsplit (value, ";", -1);
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  g_auto(GStrv) folders = NULL;

  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_autofree char *folder = NULL;

      g_strstrip (parts[i]);
      if (*parts[i] == '\0')
        continue;
      folder = g_canonicalize_filename (parts[i], NULL);
      g_strv_builder_add (b, folder);
    }
  folders = g_strv_builder_end (b);
  return docent_settings_set_watched_folders (settings, (const char *const *) folders, error);
}

/* ---- settings by name ---------------------------------------------------- */

static const char * const setting_names[] = {
  "answer.threads", "answer.context_size", "answer.max_tokens", "answer.temperature",
  "answer.retrieval_k", "remote.enabled", "remote.url", "remote.model", "remote.api_key",
  "ocr.enabled", "ocr.languages", "library.watched", NULL
};

const char * const *
docent_settings_names (void)
{
  return setting_names;
}

static gboolean
unknown_setting (const char  *name,
                 GError     **error)
{
  g_autofree char *known = g_strjoinv (", ", (char **) setting_names);

  g_set_error (error, DOCENT_SETTINGS_ERROR, DOCENT_SETTINGS_ERROR_VALUE,
               "%s: no such setting (known: %s)", name, known);
  return FALSE;
}

/* The answer.* number a name stands for, or N_NUMBERS. */
static NumberId
number_by_name (const char *name)
{
  if (!g_str_has_prefix (name, ANSWER_GROUP "."))
    return N_NUMBERS;
  for (guint i = 0; i < N_NUMBERS; i++)
    if (strcmp (name + strlen (ANSWER_GROUP "."), number_specs[i].key) == 0)
      return (NumberId) i;
  return N_NUMBERS;
}

static gboolean
parse_boolean (const char  *name,
               const char  *text,
               gboolean    *out,
               GError     **error)
{
  static const char * const yes[] = { "true", "yes", "on", "1", NULL };
  static const char * const no[] = { "false", "no", "off", "0", NULL };
  g_autofree char *lower = g_ascii_strdown (text, -1);

  g_strstrip (lower);
  if (g_strv_contains (yes, lower) || g_strv_contains (no, lower))
    {
      *out = g_strv_contains (yes, lower);
      return TRUE;
    }
  return value_error (error, name, text, "must be true or false");
}

char *
docent_settings_get_value (DocentSettings  *settings,
                           const char      *name,
                           GError         **error)
{
  NumberId id;

  g_return_val_if_fail (settings != NULL && name != NULL, NULL);
  id = number_by_name (name);
  if (id < N_NUMBERS)
    return format_number (&number_specs[id], settings->numbers[id]);
  if (strcmp (name, "remote.enabled") == 0)
    return g_strdup (settings->remote_enabled ? "true" : "false");
  if (strcmp (name, "remote.url") == 0)
    return g_strdup (settings->remote_url ? settings->remote_url : "");
  if (strcmp (name, "remote.model") == 0)
    return g_strdup (settings->remote_model ? settings->remote_model : "");
  if (strcmp (name, "remote.api_key") == 0)
    return g_strdup (settings->remote_api_key ? settings->remote_api_key : "");
  if (strcmp (name, "library.watched") == 0)
    return get_watched_value (settings);
  if (g_str_has_prefix (name, "ocr."))
    {
      gboolean enabled;
      char *languages;

      docent_settings_ocr (settings, &enabled, &languages);
      if (strcmp (name, "ocr.languages") == 0)
        return languages;
      g_free (languages);
      if (strcmp (name, "ocr.enabled") == 0)
        return g_strdup (enabled ? "true" : "false");
    }
  unknown_setting (name, error);
  return NULL;
}

static gboolean
set_ocr_value (DocentSettings  *settings,
               const char      *name,
               const char      *value,
               GError         **error)
{
  g_autofree char *languages = NULL;
  gboolean enabled;

  docent_settings_ocr (settings, &enabled, &languages);
  if (strcmp (name, "ocr.enabled") == 0)
    {
      if (!parse_boolean (name, value, &enabled, error))
        return FALSE;
      docent_settings_set_ocr (settings, enabled, NULL);
      return TRUE;
    }
  if (*value == '\0' || strpbrk (value, " \t\n/\\") != NULL)
    return value_error (error, name, value,
                        "must be tesseract language names joined by '+', such as eng+deu");
  docent_settings_set_ocr (settings, enabled, value);
  return TRUE;
}

gboolean
docent_settings_set_value (DocentSettings  *settings,
                           const char      *name,
                           const char      *value,
                           GError         **error)
{
  NumberId id;
  double number;

  g_return_val_if_fail (settings != NULL && name != NULL && value != NULL, FALSE);
  id = number_by_name (name);
  if (id < N_NUMBERS)
    {
      if (!parse_number (&number_specs[id], value, &number, error))
        return FALSE;
      settings->numbers[id] = number;
      return TRUE;
    }
  if (strcmp (name, "remote.enabled") == 0)
    return parse_boolean (name, value, &settings->remote_enabled, error);
  if (strcmp (name, "remote.url") == 0)
    return docent_settings_set_remote_url (settings, value, error);
  if (strcmp (name, "remote.model") == 0)
    {
      docent_settings_set_remote_model (settings, value);
      return TRUE;
    }
  if (strcmp (name, "remote.api_key") == 0)
    {
      docent_settings_set_remote_api_key (settings, value);
      return TRUE;
    }
  if (strcmp (name, "ocr.enabled") == 0 || strcmp (name, "ocr.languages") == 0)
    return set_ocr_value (settings, name, value, error);
  if (strcmp (name, "library.watched") == 0)
    return set_watched_value (settings, value, error);
  return unknown_setting (name, error);
}

/* ---- the default library location ------------------------------------- */

/* Read from the environment on every call (GLib caches its own answer,
 * which tests and a changed session would not see). A relative
 * $XDG_CONFIG_HOME is to be ignored, says the XDG specification. */
static char *
config_dir (void)
{
  const char *env = g_getenv ("XDG_CONFIG_HOME");

  if (env != NULL && g_path_is_absolute (env))
    return g_strdup (env);
  return g_build_filename (g_get_home_dir (), ".config", NULL);
}

char *
docent_settings_location_file (void)
{
  g_autofree char *config = config_dir ();

  return g_build_filename (config, "docent", "location", NULL);
}

char *
docent_settings_get_default_library_dir (void)
{
  g_autofree char *path = docent_settings_location_file ();
  g_autofree char *data = NULL;
  char *line;

  if (!g_file_get_contents (path, &data, NULL, NULL))
    return NULL;
  data[strcspn (data, "\r\n")] = '\0';
  line = g_strstrip (data);
  if (!g_path_is_absolute (line) || !g_utf8_validate (line, -1, NULL))
    return NULL;
  return g_strdup (line);
}

static gboolean
remove_location (const char  *path,
                 GError     **error)
{
  int saved;

  if (g_remove (path) == 0 || errno == ENOENT)
    return TRUE;
  saved = errno;
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
               "%s: cannot remove: %s", path, g_strerror (saved));
  return FALSE;
}

gboolean
docent_settings_set_default_library_dir (const char  *dir,
                                         GError     **error)
{
  g_autofree char *path = docent_settings_location_file ();
  g_autofree char *folder = g_path_get_dirname (path);
  g_autofree char *abs = NULL;
  g_autofree char *line = NULL;

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  if (dir == NULL)
    return remove_location (path, error);
  if (*dir == '\0' || strchr (dir, '\n') != NULL || strchr (dir, '\r') != NULL ||
      !g_utf8_validate (dir, -1, NULL))
    return value_error (error, "library location", dir,
                        "must be a folder name on one line");
  abs = g_canonicalize_filename (dir, NULL);
  if (g_mkdir_with_parents (folder, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   "%s: cannot create the folder: %s", folder, g_strerror (saved));
      return FALSE;
    }
  line = g_strconcat (abs, "\n", NULL);
  return g_file_set_contents_full (path, line, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}
