/* cli.h — what the parts of docent-cli share. */
#pragma once

#include <json-glib/json-glib.h>

#include "app/library.h"

G_BEGIN_DECLS

/* Exit codes: the contract scripts rely on. */
enum {
  DOCENT_EXIT_OK = 0,
  DOCENT_EXIT_FAILED = 1,   /* some files failed, or the command failed */
  DOCENT_EXIT_USAGE = 2,
};

void docent_cli_error      (const char *format,
                            ...) G_GNUC_PRINTF (1, 2);

/* Ctrl+C (and SIGTERM) cancel `cancellable`, printing `message` (may be
 * NULL). Call it before starting any thread: the signals are blocked in the
 * calling thread and so in every thread it starts afterwards. */
void docent_cli_cancel_on_interrupt (GCancellable *cancellable,
                                     const char   *message);

/* cli-output.c: JSON output shared by every command. A NULL string
 * becomes null; print writes the builder's object as one line. */
void docent_cli_json_string (JsonBuilder *b,
                             const char  *name,
                             const char  *value);
void docent_cli_json_int    (JsonBuilder *b,
                             const char  *name,
                             gint64       value);
void docent_cli_json_double (JsonBuilder *b,
                             const char  *name,
                             double       value);
void docent_cli_print_json  (JsonBuilder *b);

/* cli-output.c: the read-only commands and their text / JSON output. */
int  docent_cli_list       (DocentLibrary *library,
                            int            argc,
                            char         **argv);
int  docent_cli_status     (DocentLibrary *library,
                            int            argc,
                            char         **argv);
int  docent_cli_search     (DocentLibrary *library,
                            int            argc,
                            char         **argv);

/* cli-ask.c */
int  docent_cli_ask           (DocentLibrary *library,
                               int            argc,
                               char         **argv);
int  docent_cli_conversations (DocentLibrary *library,
                               int            argc,
                               char         **argv);
/* Opens the library and embeds its pending chunks (cli.c). */
int  docent_cli_embed_pending (const char *library_dir);
/* cli-models.c: `models info|add|list|use|remove|prefixes`. Reads and
 * writes the library's docent.ini; only `use --embedder` opens the
 * database (to embed the library for the new model). */
int  docent_cli_models     (const char    *library_dir,
                            int            argc,
                            char         **argv);
/* cli-engine.c: `engine tokenize` and other engine tools; no library. */
int  docent_cli_engine     (const char    *library_dir,
                            int            argc,
                            char         **argv);

/* The `engine` subcommands, one file each; argv[0] is the subcommand. */
int  docent_cli_engine_conformance (int argc, char **argv);   /* cli-conformance.c */
int  docent_cli_engine_synth       (int argc, char **argv);   /* cli-synth.c */
int  docent_cli_engine_run         (int argc, char **argv);   /* cli-run.c */
int  docent_cli_engine_embed       (int argc, char **argv);   /* cli-embed.c */

/* Parses a subcommand's options; prints usage errors itself. */
gboolean docent_cli_parse  (GOptionContext *context,
                            int            *argc,
                            char         ***argv);

G_END_DECLS
