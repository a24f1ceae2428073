/* settings.c — a library's settings in `docent.ini`: the registry of model
 * files and which of them are in use (see settings.h).
 *
 * The key file keeps whatever else it holds (comments, groups other parts
 * of Docent own); saving rewrites only the [use] keys and the model groups:
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
 *
 * Embedders always carry both prefix keys (an empty value: no prefix; a
 * trailing space is written as \s so that it survives hand editing); a
 * model group without them gets the prefix table's defaults on load. */
#include "app/settings.h"

#include <errno.h>
#include <string.h>

#include <glib/gstdio.h>

#include "engine/gguf.h"
#include "engine/model.h"

#define SETTINGS_FILE "docent.ini"
#define USE_GROUP "use"
#define MODEL_GROUP_PREFIX "model:"
#define HASH_BLOCK ((gsize) 1 << 20)

struct _DocentSettings {
  char *dir;
  char *path;            /* dir/docent.ini */
  GKeyFile *keyfile;     /* as loaded: keeps what we do not manage */
  GPtrArray *models;     /* DocentModelEntry*, sorted by id */
  char *use[2];          /* model id per DocentModelRole, or NULL */
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

/* Fills architecture, name, role, size, n_embd, n_ctx and pooling from the
 * metadata (the weights are not read). */
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
    return old;
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
         read_string (settings, group, "name", FALSE, &entry->name, error);
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
  if (!load_key_file (settings, error) || !read_models (settings, error) ||
      !read_use (settings, error))
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
  for (guint i = 0; groups[i] != NULL; i++)
    if (g_str_has_prefix (groups[i], MODEL_GROUP_PREFIX))
      g_key_file_remove_group (settings->keyfile, groups[i], NULL);
  for (guint i = 0; i < settings->models->len; i++)
    write_entry (settings->keyfile, settings->models->pdata[i]);
  start = g_key_file_get_start_group (settings->keyfile);
  if ((top == NULL || *top == '\0') && start != NULL)
    g_key_file_set_comment (settings->keyfile, NULL, NULL,
                            " Docent library settings. `docent-cli models` manages [use] and\n"
                            " the [model:ID] groups; other groups are kept as they are.", NULL);
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
