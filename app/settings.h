/* settings.h — a library's settings, kept in `docent.ini` (a GKeyFile in
 * the library folder, written atomically, mode 0600): the registry of model
 * files the user added and which of them are in use.
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
 * is read again in place, keeping its id and prefixes). Does not save. */
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

const char     *docent_model_role_to_string (DocentModelRole role);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DocentSettings, docent_settings_free)

G_END_DECLS
