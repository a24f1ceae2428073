/* settings.h — a library's settings, kept in `docent.ini` (a GKeyFile in
 * the library folder, written atomically, mode 0600): the registry of model
 * files the user added and which of them are in use, how answers are made
 * (threads, context, length, temperature, retrieval depth), an optional
 * remote server, OCR; and, outside any library, the per-user pointer to the
 * library folder to open by default.
 *
 * A model is registered once (`docent-cli models add FILE`): its GGUF
 * metadata is read (not its weights) to tell an embedder (an encoder
 * architecture: bert, nomic-bert, ...) from a chat model, and its SHA-256
 * is recorded so the vectors it makes can be keyed on the file's content.
 * Embedders get the query/passage prefixes their family expects (e5
 * "query: "/"passage: ", nomic "search_query: "/"search_document: ", the bge
 * query instruction) from a small table keyed by the model's name, which
 * the user can override per model. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define DOCENT_SETTINGS_ERROR (docent_settings_error_quark ())
GQuark docent_settings_error_quark (void);

typedef enum {
  DOCENT_SETTINGS_ERROR_INVALID,   /* docent.ini is not a valid key file */
  DOCENT_SETTINGS_ERROR_NOT_FOUND, /* no model with that id */
  DOCENT_SETTINGS_ERROR_ROLE,      /* e.g. a chat model used as embedder */
  DOCENT_SETTINGS_ERROR_MODEL,     /* the file is not a usable GGUF model */
  DOCENT_SETTINGS_ERROR_VALUE,     /* a setting given a value out of its range,
                                    * or an unknown setting name */
} DocentSettingsError;

typedef enum {
  DOCENT_MODEL_ROLE_EMBEDDER,
  DOCENT_MODEL_ROLE_CHAT,
} DocentModelRole;

typedef struct {
  char *id;              /* short and unique in the library, from the file
                          * name: "bge-small-en-v1.5-f16" */
  char *path;            /* absolute */
  DocentModelRole role;
  char *architecture;    /* general.architecture */
  char *name;            /* general.name, or NULL */
  char *sha256;          /* of the file, hex */
  guint64 size;          /* bytes, to notice the file changed */
  guint n_embd;          /* embedding length (the vector dimension) */
  guint n_ctx;           /* training context */
  char *pooling;         /* embedders: "none", "mean", "cls", "last" (as
                          * docent_encoder_id names them); else NULL */
  char *query_prefix;    /* embedders: prepended to queries, NULL if none */
  char *passage_prefix;  /* embedders: prepended to passages, NULL if none */
  char *file_type;       /* quantization as llama.cpp names it ("Q4_K_M",
                          * "F16"), from general.file_type, else the type
                          * holding most weight bytes; NULL when unknown
                          * (models registered before it was recorded) */
} DocentModelEntry;

typedef struct _DocentSettings DocentSettings;

/* Loads `dir`/docent.ini; a missing file gives empty settings. */
DocentSettings *docent_settings_load   (const char       *dir,
                                        GError          **error);
void            docent_settings_free   (DocentSettings  *settings);
/* Writes docent.ini atomically (0600). */
gboolean        docent_settings_save   (DocentSettings  *settings,
                                        GError          **error);

/* Registered models (DocentModelEntry*, owned by the settings), by id. */
GPtrArray      *docent_settings_models (DocentSettings  *settings);
const DocentModelEntry *docent_settings_find_model (DocentSettings *settings,
                                                    const char     *id);

/* Registers the GGUF file at `path` (reading its metadata and hashing it)
 * and returns its entry; a file already registered (same path or same
 * SHA-256) returns the existing entry (a registered path whose size changed
 * is read again in place, keeping its id and prefixes; one recorded
 * without a file type gets it). Does not save. */
const DocentModelEntry *docent_settings_add_model (DocentSettings  *settings,
                                                   const char      *path,
                                                   GError         **error);
/* Unregisters a model (and stops using it). Does not save. */
gboolean        docent_settings_remove_model (DocentSettings  *settings,
                                              const char      *id,
                                              GError         **error);

/* The model in use for `role`, or NULL when none is. */
const DocentModelEntry *docent_settings_current (DocentSettings  *settings,
                                                 DocentModelRole  role);
/* Uses model `id` for `role` (NULL: none). A model of the other role is
 * DOCENT_SETTINGS_ERROR_ROLE. Does not save. */
gboolean        docent_settings_use    (DocentSettings  *settings,
                                        DocentModelRole  role,
                                        const char      *id,
                                        GError         **error);

/* Overrides an embedder's prefixes ("" for none, NULL to leave one as it
 * is). Does not save. */
gboolean        docent_settings_set_prefixes (DocentSettings *settings,
                                              const char     *id,
                                              const char     *query_prefix,
                                              const char     *passage_prefix,
                                              GError        **error);

/* The prefix table: the prefixes a model family expects, matched on the
 * model's general.name or file name (case-insensitive); NULL when none. */
void            docent_embedder_default_prefixes (const char  *name,
                                                  const char  *file_name,
                                                  const char **query_prefix,
                                                  const char **passage_prefix);

/* OCR of scanned pages and images ([ocr] in docent.ini): on by default,
 * languages "eng" (tesseract names joined by '+'). Setting does not save. */
void            docent_settings_ocr     (DocentSettings  *settings,
                                         gboolean        *enabled,
                                         char           **languages);
void            docent_settings_set_ocr (DocentSettings  *settings,
                                         gboolean         enabled,
                                         const char      *languages);

/* ---- answers ([answer] in docent.ini) ------------------------------------
 * Each setter checks the range and fails with DOCENT_SETTINGS_ERROR_VALUE
 * naming the setting; none of them saves. */

#define DOCENT_SETTINGS_MAX_THREADS      256
#define DOCENT_SETTINGS_MIN_CONTEXT      512
#define DOCENT_SETTINGS_MAX_CONTEXT      131072
#define DOCENT_SETTINGS_MIN_ANSWER       16
#define DOCENT_SETTINGS_MAX_ANSWER       8192
#define DOCENT_SETTINGS_DEFAULT_ANSWER   512
#define DOCENT_SETTINGS_MAX_TEMPERATURE  2.0
#define DOCENT_SETTINGS_MAX_K            50
#define DOCENT_SETTINGS_DEFAULT_K        8

/* Threads for the local model: 0 (the default) is one per physical core;
 * else 1..DOCENT_SETTINGS_MAX_THREADS. */
guint           docent_settings_get_threads      (DocentSettings  *settings);
gboolean        docent_settings_set_threads      (DocentSettings  *settings,
                                                  guint            threads,
                                                  GError         **error);
/* Context size in tokens: 0 (the default) is the model's own, at most
 * 8192; else DOCENT_SETTINGS_MIN_CONTEXT..MAX_CONTEXT. */
guint           docent_settings_get_context_size (DocentSettings  *settings);
gboolean        docent_settings_set_context_size (DocentSettings  *settings,
                                                  guint            n_ctx,
                                                  GError         **error);
/* Longest answer in tokens (default 512, MIN_ANSWER..MAX_ANSWER). */
guint           docent_settings_get_max_tokens   (DocentSettings  *settings);
gboolean        docent_settings_set_max_tokens   (DocentSettings  *settings,
                                                  guint            max_tokens,
                                                  GError         **error);
/* Sampling temperature, 0 (the default: greedy, figures copied exactly)
 * to MAX_TEMPERATURE; kept to two decimals. */
double          docent_settings_get_temperature  (DocentSettings  *settings);
gboolean        docent_settings_set_temperature  (DocentSettings  *settings,
                                                  double           temperature,
                                                  GError         **error);
/* Passages retrieved for a question (default 8, 1..MAX_K). */
guint           docent_settings_get_retrieval_k  (DocentSettings  *settings);
gboolean        docent_settings_set_retrieval_k  (DocentSettings  *settings,
                                                  guint            k,
                                                  GError         **error);

/* ---- a remote server ([remote] in docent.ini) -----------------------------
 * An OpenAI-compatible server answers instead of the local model when it
 * is enabled and has a URL. The API key is stored in docent.ini itself,
 * which is why the file is written 0600: this build has no keyring
 * (libsecret) support. Strings are borrowed; NULL when unset. */
gboolean        docent_settings_get_remote_enabled (DocentSettings *settings);
const char     *docent_settings_get_remote_url     (DocentSettings *settings);
const char     *docent_settings_get_remote_model   (DocentSettings *settings);
const char     *docent_settings_get_remote_api_key (DocentSettings *settings);
/* The URL in use: the remote URL when enabled, else NULL. */
const char     *docent_settings_remote_in_use      (DocentSettings *settings);
void            docent_settings_set_remote_enabled (DocentSettings *settings,
                                                    gboolean        enabled);
/* An http:// or https:// URL with a host ("" or NULL: none). */
gboolean        docent_settings_set_remote_url     (DocentSettings  *settings,
                                                    const char      *url,
                                                    GError         **error);
/* "" or NULL: none. */
void            docent_settings_set_remote_model   (DocentSettings *settings,
                                                    const char     *model);
void            docent_settings_set_remote_api_key (DocentSettings *settings,
                                                    const char     *api_key);

/* ---- watched folders ([library] watched= in docent.ini) -------------------
 * Folders whose documents the desktop app keeps in the library by itself
 * (new and changed files added, deleted files' documents removed). */

/* The watched folders as saved (absolute; a folder that is missing now,
 * an unmounted disk, stays listed); an empty vector when none. */
GStrv           docent_settings_get_watched_folders (DocentSettings     *settings);
/* Replaces the list. Each folder must be an absolute path of an existing
 * folder that is not the library folder, not inside it, and does not hold
 * it (unless under a hidden folder, which watching skips): else
 * DOCENT_SETTINGS_ERROR_VALUE naming the folder, and nothing changes.
 * Paths are canonicalized and duplicates dropped. Does not save. */
gboolean        docent_settings_set_watched_folders (DocentSettings     *settings,
                                                     const char *const  *folders,
                                                     GError            **error);

/* ---- every setting by name (for `docent-cli config`) ----------------------
 * Names: answer.threads, answer.context_size, answer.max_tokens,
 * answer.temperature, answer.retrieval_k, remote.enabled, remote.url,
 * remote.model, remote.api_key, ocr.enabled, ocr.languages,
 * library.watched (folders separated by ';', relative ones taken from the
 * current folder, "" for none). */
const char *const *docent_settings_names     (void);
/* The value as text (numbers in C locale, booleans "true"/"false", "" for
 * an unset string); NULL with DOCENT_SETTINGS_ERROR_VALUE for an unknown
 * name. */
char           *docent_settings_get_value    (DocentSettings  *settings,
                                              const char      *name,
                                              GError         **error);
/* Parses and validates `value` as the setting's type and range. */
gboolean        docent_settings_set_value    (DocentSettings  *settings,
                                              const char      *name,
                                              const char      *value,
                                              GError         **error);

/* ---- the default library location (per user, not per library) -----------
 * $XDG_CONFIG_HOME/docent/location holds one line: the folder to open
 * when neither --library nor $DOCENT_LIBRARY says otherwise. */

/* The pointer file's path. */
char           *docent_settings_location_file (void);
/* The folder it names (absolute), or NULL when there is no such file or
 * it holds no absolute path. */
char           *docent_settings_get_default_library_dir (void);
/* Writes the pointer file atomically (0600); `dir` NULL removes it (the
 * default applies again). A relative `dir` is made absolute. */
gboolean        docent_settings_set_default_library_dir (const char  *dir,
                                                         GError     **error);

/* A model file's quantization as llama.cpp names general.file_type
 * ("Q4_K_M"); NULL for an unknown number. */
const char     *docent_model_file_type_name (guint32 file_type);

const char     *docent_model_role_to_string (DocentModelRole role);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DocentSettings, docent_settings_free)

G_END_DECLS
