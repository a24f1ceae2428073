/* cli.c — docent-cli: global options, command dispatch, and the commands
 * that change the library (add, remove). Read-only commands are in
 * cli-output.c. Errors go to stderr as "docent-cli: WHAT: WHY". */
#include "docent-config.h"

#include <locale.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <json-glib/json-glib.h>

#include "app/cli.h"
#include "ingest/extract.h"
#include "ingest/ocr.h"

typedef int (*CommandFunc) (DocentLibrary *library, int argc, char **argv);
/* For commands that open the library themselves, or not at all. */
typedef int (*ToolFunc) (const char *library_dir, int argc, char **argv);

typedef struct {
  const char *name;
  CommandFunc func;
  ToolFunc tool;
  const char *summary;
} Command;

void
docent_cli_error (const char *format,
                  ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  fprintf (stderr, "docent-cli: %s\n", message);
}

gboolean
docent_cli_parse (GOptionContext   *context,
                  int              *argc,
                  char           ***argv)
{
  g_autoptr(GError) error = NULL;

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      docent_cli_error ("%s (see --help)", error->message);
      return FALSE;
    }
  return TRUE;
}

/* ---- add -------------------------------------------------------------- */

typedef struct {
  gboolean tty;
  gboolean json;
  gboolean line_shown;
} AddUi;

static void
clear_progress_line (AddUi *ui)
{
  if (ui->line_shown)
    fputs ("\r\033[K", stderr);
  ui->line_shown = FALSE;
}

static void
on_add_progress (const DocentAddProgress *p,
                 const DocentAddResult   *result,
                 gpointer                 user_data)
{
  AddUi *ui = user_data;

  if (result != NULL && result->outcome == DOCENT_ADD_FAILED)
    {
      clear_progress_line (ui);
      docent_cli_error ("%s: %s", result->path, result->error);
    }
  if (!ui->tty)
    return;
  clear_progress_line (ui);
  if (p->walking)
    fprintf (stderr, "Looking for files… %u found", p->files_total);
  else
    fprintf (stderr, "[%u/%u] %u added, %u updated, %u unchanged, %u failed",
             p->files_done, p->files_total, p->added, p->updated, p->unchanged, p->failed);
  if (!p->walking && p->ocr_pages > 0)
    fprintf (stderr, ", %u pages read by OCR", p->ocr_pages);
  ui->line_shown = TRUE;
  fflush (stderr);
}

static const char *
outcome_name (DocentAddOutcome outcome)
{
  switch (outcome)
    {
    case DOCENT_ADD_ADDED: return "added";
    case DOCENT_ADD_UPDATED: return "updated";
    case DOCENT_ADD_UNCHANGED: return "unchanged";
    case DOCENT_ADD_FAILED: return "failed";
    default: g_assert_not_reached ();
    }
}

static void
on_embed_progress (const DocentEmbedProgress *p,
                   gpointer                   user_data)
{
  AddUi *ui = user_data;

  if (!ui->tty)
    return;
  clear_progress_line (ui);
  fprintf (stderr, "Embedding: %" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT " chunks (%.1f/s)",
           p->done, p->total, p->chunks_per_second);
  ui->line_shown = TRUE;
  fflush (stderr);
}

/* With an embedding model configured, the new chunks are embedded right
 * after ingest (and any left over by an interrupted run). */
static gboolean
embed_after_add (DocentLibrary  *library,
                 AddUi          *ui,
                 GCancellable   *cancellable,
                 guint64        *n_embedded,
                 GError        **error)
{
  DocentEmbedOptions opts = { 0 };
  gboolean ok;

  opts.progress = on_embed_progress;
  opts.user_data = ui;
  opts.cancellable = cancellable;
  ok = docent_library_embed (library, &opts, n_embedded, error);
  clear_progress_line (ui);
  return ok;
}

static void
print_add_json (GPtrArray *results,
                guint64    embedded,
                double     seconds)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  guint counts[4] = { 0 };

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "files");
  json_builder_begin_array (b);
  for (guint i = 0; i < results->len; i++)
    {
      const DocentAddResult *r = results->pdata[i];

      counts[r->outcome]++;
      json_builder_begin_object (b);
      docent_cli_json_string (b, "path", r->path);
      docent_cli_json_string (b, "outcome", outcome_name (r->outcome));
      docent_cli_json_int (b, "document_id", r->document_id);
      docent_cli_json_string (b, "type", r->type);
      docent_cli_json_int (b, "pages", r->pages);
      docent_cli_json_int (b, "chunks", r->chunks);
      docent_cli_json_string (b, r->outcome == DOCENT_ADD_FAILED ? "error" : "note", r->error);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  for (guint o = 0; o < G_N_ELEMENTS (counts); o++)
    docent_cli_json_int (b, outcome_name (o), counts[o]);
  docent_cli_json_int (b, "embedded", embedded);
  docent_cli_json_double (b, "seconds", seconds);
  json_builder_end_object (b);
  docent_cli_print_json (b);
}

static void
print_add_summary (GPtrArray *results,
                   guint64    embedded,
                   double     seconds)
{
  guint counts[4] = { 0 };
  guint64 pages = 0, chunks = 0;

  for (guint i = 0; i < results->len; i++)
    {
      const DocentAddResult *r = results->pdata[i];

      counts[r->outcome]++;
      if (r->outcome == DOCENT_ADD_ADDED || r->outcome == DOCENT_ADD_UPDATED)
        {
          pages += r->pages;
          chunks += r->chunks;
        }
    }
  printf ("%u added, %u updated, %u unchanged, %u failed "
          "(%" G_GUINT64_FORMAT " pages, %" G_GUINT64_FORMAT " chunks) in %.1f s\n",
          counts[DOCENT_ADD_ADDED], counts[DOCENT_ADD_UPDATED],
          counts[DOCENT_ADD_UNCHANGED], counts[DOCENT_ADD_FAILED], pages, chunks, seconds);
  if (embedded > 0)
    printf ("%" G_GUINT64_FORMAT " chunks embedded\n", embedded);
  for (guint i = 0; i < results->len; i++)
    {
      const DocentAddResult *r = results->pdata[i];

      if (r->outcome == DOCENT_ADD_FAILED)
        printf ("  failed: %s: %s\n", r->path, r->error);
    }
}

typedef struct {
  GCancellable *cancellable;
  const char *message;
} Interrupt;

/* A thread waits for the signal because g_cancellable_cancel() is not
 * async-signal-safe. */
static gpointer
wait_for_interrupt (gpointer data)
{
  Interrupt *interrupt = data;
  sigset_t set;
  int sig;

  sigemptyset (&set);
  sigaddset (&set, SIGINT);
  sigaddset (&set, SIGTERM);
  if (sigwait (&set, &sig) == 0)
    {
      if (interrupt->message != NULL)
        fprintf (stderr, "\ndocent-cli: %s\n", interrupt->message);
      g_cancellable_cancel (interrupt->cancellable);
    }
  g_object_unref (interrupt->cancellable);
  g_free (interrupt);
  return NULL;
}

void
docent_cli_cancel_on_interrupt (GCancellable *cancellable,
                                const char   *message)
{
  Interrupt *interrupt = g_new0 (Interrupt, 1);
  sigset_t set;

  sigemptyset (&set);
  sigaddset (&set, SIGINT);
  sigaddset (&set, SIGTERM);
  pthread_sigmask (SIG_BLOCK, &set, NULL);
  interrupt->cancellable = g_object_ref (cancellable);
  interrupt->message = message;
  g_thread_unref (g_thread_new ("docent-signals", wait_for_interrupt, interrupt));
}

/* The [ocr] settings; `languages` NULL: not wanted. A broken docent.ini
 * is reported by the commands that manage it, not by add. */
static void
ocr_settings (DocentLibrary  *library,
              gboolean       *enabled,
              char          **languages)
{
  DocentSettings *settings = docent_library_settings (library, NULL);
  g_autofree char *langs = NULL;

  *enabled = TRUE;
  if (settings != NULL)
    docent_settings_ocr (settings, enabled, &langs);
  if (languages != NULL)
    *languages = g_steal_pointer (&langs);
}

static int
cmd_add (DocentLibrary  *library,
         int             argc,
         char          **argv)
{
  g_autofree char *collection = NULL;
  g_autofree char *password = NULL;
  g_autofree char *ocr_languages = NULL;
  int threads = 0;
  gboolean json = FALSE, no_ocr = FALSE, ocr_enabled = TRUE;
  const GOptionEntry entries[] = {
    { "collection", 'c', 0, G_OPTION_ARG_STRING, &collection, "Add the documents to collection NAME", "NAME" },
    { "no-ocr", 0, 0, G_OPTION_ARG_NONE, &no_ocr, "Do not read scanned pages and images (OCR)", NULL },
    { "ocr-languages", 0, 0, G_OPTION_ARG_STRING, &ocr_languages, "OCR languages, e.g. eng+deu (default: the ocr setting)", "LANGS" },
    { "password", 0, 0, G_OPTION_ARG_STRING, &password, "Password for encrypted PDFs", "PASSWORD" },
    { "threads", 'j', 0, G_OPTION_ARG_INT, &threads, "Worker threads (default: one per processor)", "N" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print the result of every file as JSON", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("PATH… — add files and folders");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;
  AddUi ui = { 0 };
  DocentAddOptions opts = { 0 };
  gint64 start = g_get_monotonic_time ();
  guint64 embedded = 0;
  double seconds;
  gboolean ok;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!docent_cli_parse (context, &argc, &argv))
    return DOCENT_EXIT_USAGE;
  if (argc < 2 || threads < 0)
    {
      docent_cli_error ("add needs at least one file or folder (see add --help)");
      return DOCENT_EXIT_USAGE;
    }
  ui.tty = isatty (STDERR_FILENO) && !json;
  ui.json = json;
  opts.collection = collection;
  opts.password = password;
  opts.n_threads = threads;
  ocr_settings (library, &ocr_enabled, ocr_languages == NULL ? &ocr_languages : NULL);
  opts.no_ocr = no_ocr || !ocr_enabled;
  opts.ocr_languages = ocr_languages;
  opts.progress = on_add_progress;
  opts.user_data = &ui;
  opts.cancellable = cancellable;
  /* Files already written stay; the ones in progress are dropped whole. */
  docent_cli_cancel_on_interrupt (cancellable, "interrupted, finishing the files being written…");

  ok = docent_library_add (library, (const char *const *) argv + 1, &opts, &results, &error);
  clear_progress_line (&ui);
  if (ok)
    ok = embed_after_add (library, &ui, cancellable, &embedded, &error);
  seconds = (g_get_monotonic_time () - start) / 1e6;
  if (json)
    print_add_json (results, embedded, seconds);
  else
    print_add_summary (results, embedded, seconds);
  if (!ok)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        docent_cli_error ("stopped before the end: add the same files again to finish");
      else
        docent_cli_error ("%s", error->message);
      return DOCENT_EXIT_FAILED;
    }
  for (guint i = 0; i < results->len; i++)
    if (((DocentAddResult *) results->pdata[i])->outcome == DOCENT_ADD_FAILED)
      return DOCENT_EXIT_FAILED;
  return DOCENT_EXIT_OK;
}

/* ---- ocr -------------------------------------------------------------- */

static int
cmd_ocr (DocentLibrary  *library,
         int             argc,
         char          **argv)
{
  gboolean enable = FALSE, disable = FALSE;
  g_autofree char *languages = NULL;
  const GOptionEntry entries[] = {
    { "enable", 0, 0, G_OPTION_ARG_NONE, &enable, "Read scanned pages and images", NULL },
    { "disable", 0, 0, G_OPTION_ARG_NONE, &disable, "Leave them unread", NULL },
    { "languages", 0, 0, G_OPTION_ARG_STRING, &languages, "Languages, e.g. eng+deu (tesseract-ocr-LANG packages)", "LANGS" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— show or change the OCR settings");
  g_autoptr(GError) error = NULL;
  g_autofree char *current = NULL;
  DocentSettings *settings;
  gboolean enabled;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!docent_cli_parse (context, &argc, &argv))
    return DOCENT_EXIT_USAGE;
  if (enable && disable)
    {
      docent_cli_error ("--enable and --disable exclude each other");
      return DOCENT_EXIT_USAGE;
    }
  settings = docent_library_settings (library, &error);
  if (settings == NULL)
    {
      docent_cli_error ("%s", error->message);
      return DOCENT_EXIT_FAILED;
    }
  docent_settings_ocr (settings, &enabled, &current);
  if (enable || disable || languages != NULL)
    {
      docent_settings_set_ocr (settings, enable || (!disable && enabled), languages);
      if (!docent_settings_save (settings, &error))
        {
          docent_cli_error ("%s", error->message);
          return DOCENT_EXIT_FAILED;
        }
      g_clear_pointer (&current, g_free);
      docent_settings_ocr (settings, &enabled, &current);
    }
  printf ("OCR:         %s\n"
          "Languages:   %s\n"
          "Available:   %s\n", enabled ? "on" : "off", current,
          docent_ocr_available () ? "yes (tesseract)" : "no (this build has no OCR)");
  return DOCENT_EXIT_OK;
}

/* ---- reindex ---------------------------------------------------------- */

/* Embeds what is pending with progress and Ctrl+C; prints the outcome. */
static int
embed_library (DocentLibrary *library,
               gboolean       rebuild)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  AddUi ui = { 0 };
  DocentEmbedder *embedder;
  DocentVectorStats stats;
  guint64 embedded = 0;

  embedder = docent_library_embedder (library, &error);
  if (embedder == NULL)
    {
      if (error == NULL)
        {
          printf ("No embedding model in use: nothing to embed.\n");
          return DOCENT_EXIT_OK;
        }
      docent_cli_error ("%s", error->message);
      return DOCENT_EXIT_FAILED;
    }
  ui.tty = isatty (STDERR_FILENO);
  docent_cli_cancel_on_interrupt (cancellable, "interrupted, storing the vectors made so far…");
  if (!embed_after_add (library, &ui, cancellable, &embedded, &error) ||
      (rebuild && !docent_vector_index_rebuild (docent_embedder_vectors (embedder),
                                                docent_library_store (library), &error)))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        docent_cli_error ("stopped after %" G_GUINT64_FORMAT " chunks: run it again to finish",
                          embedded);
      else
        docent_cli_error ("%s", error->message);
      return DOCENT_EXIT_FAILED;
    }
  docent_vector_index_stats (docent_embedder_vectors (embedder), &stats);
  printf ("%" G_GUINT64_FORMAT " chunks embedded with %s; the vector index holds %"
          G_GUINT64_FORMAT " vectors (%s search).\n", embedded,
          docent_embedder_model_id (embedder), stats.count,
          stats.kind == DOCENT_VECTORS_IVF ? "approximate" : "exact");
  return DOCENT_EXIT_OK;
}

int
docent_cli_embed_pending (const char *library_dir)
{
  g_autoptr(DocentLibrary) library = NULL;
  g_autoptr(GError) error = NULL;

  library = docent_library_open (library_dir, &error);
  if (library == NULL)
    {
      docent_cli_error ("%s", error->message);
      return DOCENT_EXIT_FAILED;
    }
  return embed_library (library, FALSE);
}

static int
cmd_reindex (DocentLibrary  *library,
             int             argc,
             char          **argv)
{
  gboolean rebuild = FALSE;
  const GOptionEntry entries[] = {
    { "rebuild", 0, 0, G_OPTION_ARG_NONE, &rebuild,
      "Also rebuild the vector index from the database", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— embed the chunks that have no vector yet");

  g_option_context_add_main_entries (context, entries, NULL);
  if (!docent_cli_parse (context, &argc, &argv))
    return DOCENT_EXIT_USAGE;
  return embed_library (library, rebuild);
}

/* ---- remove ----------------------------------------------------------- */

static int
cmd_remove (DocentLibrary  *library,
            int             argc,
            char          **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("PATH|ID… — remove documents (a folder removes all below it)");
  DocentStore *store;
  guint removed = 0;
  int status = DOCENT_EXIT_OK;

  if (!docent_cli_parse (context, &argc, &argv))
    return DOCENT_EXIT_USAGE;
  store = docent_library_store (library);
  if (argc < 2)
    {
      docent_cli_error ("remove needs a document path, folder or id (see remove --help)");
      return DOCENT_EXIT_USAGE;
    }
  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GArray) ids = docent_library_resolve_documents (library, argv[i], &error);

      if (ids == NULL)
        {
          docent_cli_error ("%s: %s", argv[i], error->message);
          status = DOCENT_EXIT_FAILED;
          continue;
        }
      for (guint j = 0; j < ids->len; j++)
        {
          if (!docent_store_remove_document (store, g_array_index (ids, gint64, j), &error))
            {
              docent_cli_error ("%s: %s", argv[i], error->message);
              g_clear_error (&error);
              status = DOCENT_EXIT_FAILED;
              continue;
            }
          removed++;
        }
    }
  printf ("Removed %u document%s\n", removed, removed == 1 ? "" : "s");
  return status;
}

/* ---- config ----------------------------------------------------------- */

/* "location" is the per-user default library (not in docent.ini). */
static int
config_location (int    argc,
                 char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;

  if (argc > 2 && !docent_settings_set_default_library_dir (*argv[2] != '\0' ? argv[2] : NULL,
                                                             &error))
    {
      docent_cli_error ("%s", error->message);
      return DOCENT_EXIT_FAILED;
    }
  dir = docent_settings_get_default_library_dir ();
  printf ("%s\n", dir != NULL ? dir : "");
  return DOCENT_EXIT_OK;
}

static void
print_settings (DocentSettings *settings,
                gboolean        json)
{
  const char *const *names = docent_settings_names ();
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *value = docent_settings_get_value (settings, names[i], NULL);

      /* A listing is for looking: the key only on request. */
      if (strcmp (names[i], "remote.api_key") == 0 && *value != '\0')
        {
          g_free (value);
          value = g_strdup ("(set)");
        }
      if (json)
        docent_cli_json_string (b, names[i], value);
      else
        printf ("%-20s %s\n", names[i], value);
    }
  json_builder_end_object (b);
  if (json)
    docent_cli_print_json (b);
}

static int
cmd_config (const char  *library_dir,
            int          argc,
            char       **argv)
{
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print every setting as one JSON object", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("[NAME [VALUE]] — show or change a setting");
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentSettings) settings = NULL;
  g_autofree char *value = NULL;

  g_option_context_set_description (context,
    "Settings of the library (docent.ini): answer.threads (0: automatic),\n"
    "answer.context_size (0: the model's), answer.max_tokens, answer.temperature,\n"
    "answer.retrieval_k, remote.enabled, remote.url, remote.model, remote.api_key,\n"
    "ocr.enabled, ocr.languages, library.watched (folders separated by ;).\n"
    "An empty VALUE clears a text setting.\n"
    "\"location\" is the library opened by default (per user; empty: the default).\n");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!docent_cli_parse (context, &argc, &argv))
    return DOCENT_EXIT_USAGE;
  if (argc > 3)
    {
      docent_cli_error ("config takes at most a NAME and a VALUE");
      return DOCENT_EXIT_USAGE;
    }
  if (argc > 1 && strcmp (argv[1], "location") == 0)
    return config_location (argc, argv);
  settings = docent_settings_load (library_dir, &error);
  if (settings == NULL)
    {
      docent_cli_error ("%s", error->message);
      return DOCENT_EXIT_FAILED;
    }
  if (argc == 1)
    {
      print_settings (settings, json);
      return DOCENT_EXIT_OK;
    }
  if (argc == 3 && (!docent_settings_set_value (settings, argv[1], argv[2], &error) ||
                    !docent_settings_save (settings, &error)))
    {
      docent_cli_error ("%s", error->message);
      return error->domain == DOCENT_SETTINGS_ERROR ? DOCENT_EXIT_USAGE : DOCENT_EXIT_FAILED;
    }
  value = docent_settings_get_value (settings, argv[1], &error);
  if (value == NULL)
    {
      docent_cli_error ("%s", error->message);
      return DOCENT_EXIT_USAGE;
    }
  printf ("%s\n", value);
  return DOCENT_EXIT_OK;
}

/* ---- dispatch --------------------------------------------------------- */

static const Command commands[] = {
  { "add", cmd_add, NULL, "Add files and folders to the library" },
  { "remove", cmd_remove, NULL, "Remove documents by path, folder or id" },
  { "list", docent_cli_list, NULL, "List the documents" },
  { "status", docent_cli_status, NULL, "Show what the library holds" },
  { "search", docent_cli_search, NULL, "Find passages matching a query" },
  { "ask", docent_cli_ask, NULL, "Answer a question from the documents, with sources" },
  { "conversations", docent_cli_conversations, NULL, "List, show or delete past questions" },
  { "reindex", cmd_reindex, NULL, "Embed chunks that have no vector yet" },
  { "ocr", cmd_ocr, NULL, "Show or change how scanned pages are read" },
  { "config", NULL, cmd_config, "Show or change a setting (answers, remote server, OCR)" },
  { "models", NULL, docent_cli_models, "Inspect language and embedding models" },
  { "engine", NULL, docent_cli_engine, "Engine tools (tokenize)" },
};

static void
print_usage (FILE *out)
{
  fputs ("Usage: docent-cli [--library DIR] COMMAND [OPTION…]\n\n"
         "Docent keeps an offline, searchable library of your documents.\n\n"
         "Commands:\n", out);
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-8s %s\n", commands[i].name, commands[i].summary);
  fputs ("\nOptions:\n"
         "  --library DIR   the library folder (default: $DOCENT_LIBRARY,\n"
         "                  else $XDG_DATA_HOME/docent)\n"
         "  --version       print the version\n"
         "  -h, --help      this help; COMMAND --help for a command's options\n", out);
}

static const Command *
find_command (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (strcmp (commands[i].name, name) == 0)
      return &commands[i];
  return NULL;
}

/* Global options come before the command; returns the command's index in
 * argv, or -1 after printing why not. */
static int
parse_global (int     argc,
              char  **argv,
              char  **library_dir,
              int    *exit_code)
{
  int i;

  for (i = 1; i < argc && argv[i][0] == '-'; i++)
    {
      if (strcmp (argv[i], "--library") == 0 && i + 1 < argc)
        {
          g_free (*library_dir);
          *library_dir = g_strdup (argv[++i]);
        }
      else if (g_str_has_prefix (argv[i], "--library="))
        {
          g_free (*library_dir);
          *library_dir = g_strdup (argv[i] + strlen ("--library="));
        }
      else if (strcmp (argv[i], "--help") == 0 || strcmp (argv[i], "-h") == 0)
        {
          print_usage (stdout);
          *exit_code = DOCENT_EXIT_OK;
          return -1;
        }
      else if (strcmp (argv[i], "--version") == 0)
        {
          printf ("docent-cli %s\n", DOCENT_VERSION);
          *exit_code = DOCENT_EXIT_OK;
          return -1;
        }
      else
        {
          docent_cli_error ("unknown option %s", argv[i]);
          print_usage (stderr);
          *exit_code = DOCENT_EXIT_USAGE;
          return -1;
        }
    }
  if (i >= argc)
    {
      print_usage (stderr);
      *exit_code = DOCENT_EXIT_USAGE;
      return -1;
    }
  return i;
}

static gboolean
asks_for_help (int    argc,
               char **argv)
{
  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--") == 0)
        break;
      if (strcmp (argv[i], "--help") == 0 || strcmp (argv[i], "-h") == 0 ||
          g_str_has_prefix (argv[i], "--help-"))
        return TRUE;
    }
  return FALSE;
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *library_arg = NULL;
  g_autofree char *dir = NULL;
  g_autoptr(DocentLibrary) library = NULL;
  g_autoptr(GError) error = NULL;
  const Command *command;
  int exit_code = DOCENT_EXIT_OK;
  int first;

  setlocale (LC_ALL, "");
  first = parse_global (argc, argv, &library_arg, &exit_code);
  if (first < 0)
    return exit_code;
  command = find_command (argv[first]);
  if (command == NULL)
    {
      docent_cli_error ("unknown command “%s”", argv[first]);
      print_usage (stderr);
      return DOCENT_EXIT_USAGE;
    }
  dir = docent_library_resolve_dir (library_arg);
  if (command->tool != NULL)
    return command->tool (dir, argc - first, argv + first);
  /* Help needs no library: the commands print it and exit while parsing
   * their options, before they touch the library. */
  if (asks_for_help (argc - first, argv + first))
    return command->func (NULL, argc - first, argv + first);
  library = docent_library_open (dir, &error);
  if (library == NULL)
    {
      docent_cli_error ("%s", error->message);
      return DOCENT_EXIT_FAILED;
    }
  exit_code = command->func (library, argc - first, argv + first);
  g_clear_pointer (&library, docent_library_close);
  return docent_extract_exit_status (exit_code);
}
