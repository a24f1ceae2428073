/* test-concurrency.c — the app and the command line on one library at
 * once: while docent-cli adds (and embeds) or removes, the app's library
 * handle searches, asks, lists, refreshes and adds on its own. Nothing
 * may fail ("database is locked" or otherwise) on either side, and the
 * database stays consistent (tests/store-checks.c). */
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "app/library.h"
#include "app/settings.h"
#include "engine/synth.h"
#include "engine/tensor.h"
#include "tests/fixtures.h"
#include "tests/store-checks.h"

/* Sanitized debug builds run everything several times slower. */
#if defined(__SANITIZE_ADDRESS__)
#define SCALE 4
#else
#define SCALE 1
#endif

typedef struct {
  char *dir;
  char *lib;
  char *db;
  char *log;
  DocentLibrary *library;    /* the app's handle */
} Fixture;

static void
set_up (Fixture       *f,
        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = docent_test_tmpdir ();
  f->lib = g_build_filename (f->dir, "lib", NULL);
  f->db = g_build_filename (f->lib, "library.db", NULL);
  f->log = g_build_filename (f->dir, "cli.log", NULL);
  f->library = docent_library_open (f->lib, &error);
  g_assert_no_error (error);
}

static void
tear_down (Fixture       *f,
           gconstpointer  data)
{
  g_clear_pointer (&f->library, docent_library_close);
  docent_test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->lib);
  g_free (f->db);
  g_free (f->log);
}

/* n prose files of a few hundred words in dir/name. */
static char *
write_docs (Fixture    *f,
            const char *name,
            guint       n,
            guint32     seed)
{
  char *dir = g_build_filename (f->dir, name, NULL);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *file = g_strdup_printf ("doc-%03u.txt", i);
      g_autofree char *text = docent_test_prose (seed + i, 200 + (i % 5) * 150);
      g_autofree char *path = docent_test_write_file (dir, file, text, -1);
    }
  return dir;
}

static GPid
spawn_cli (Fixture           *f,
           const char *const *args)
{
  return docent_test_spawn_cli (f->lib, args, f->log);
}

/* TRUE once the CLI has exited (successfully, with nothing about a locked
 * database in its output). */
static gboolean
cli_done (Fixture *f,
          GPid     pid)
{
  g_autoptr(GBytes) log = NULL;
  g_autofree char *text = NULL;
  int status = 0;

  if (waitpid (pid, &status, WNOHANG) != pid)
    return FALSE;
  g_spawn_close_pid (pid);
  log = docent_test_read_bytes (f->log);
  text = g_strndup (g_bytes_get_data (log, NULL), g_bytes_get_size (log));
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0 || strstr (text, "locked") != NULL)
    g_error ("docent-cli failed (status %d): %s", status, text);
  return TRUE;
}

static gboolean
have_cli (void)
{
  if (g_getenv ("DOCENT_CLI") != NULL)
    return TRUE;
  g_test_skip ("DOCENT_CLI is not set (run through meson test)");
  return FALSE;
}

typedef struct {
  guint searches, asks, lists, refreshes;
} Tally;

/* One round of what the app does while someone else writes. */
static void
app_round (Fixture          *f,
           DocentSearchMode  mode,
           Tally            *tally)
{
  g_autoptr(GError) error = NULL;
  DocentSearchOptions search = { .query = "contract notice payment", .limit = 10 };
  DocentAskOptions ask = { .question = "What does the notice say about payment?",
                           .extractive = TRUE };
  g_autoptr(GPtrArray) hits = NULL;
  g_autoptr(GPtrArray) docs = NULL;
  g_autoptr(DocentAnswer) answer = NULL;

  hits = docent_library_search (f->library, &search, mode, NULL, &error);
  g_assert_no_error (error);
  tally->searches++;
  answer = docent_library_ask (f->library, &ask, NULL, &error);
  g_assert_no_error (error);
  tally->asks++;
  docs = docent_store_list_documents (docent_library_store (f->library), NULL, &error);
  g_assert_no_error (error);
  tally->lists++;
  if (mode != DOCENT_SEARCH_BM25)
    {
      g_assert_true (docent_library_refresh (f->library, &error));
      g_assert_no_error (error);
      tally->refreshes++;
    }
}

static void
use_embedder (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (f->dir, "tiny.gguf", NULL);
  DocentSynthShape shape = *docent_synth_shape ("tiny-bert");
  DocentSettings *settings = docent_library_settings (f->library, &error);
  const DocentModelEntry *entry;

  g_assert_no_error (error);
  shape.n_embd = 32;
  g_assert_true (docent_synth_write (&shape, DOCENT_TYPE_F32, 3, path, &error));
  g_assert_no_error (error);
  entry = docent_settings_add_model (settings, path, &error);
  g_assert_no_error (error);
  g_assert_true (docent_settings_use (settings, DOCENT_MODEL_ROLE_EMBEDDER, entry->id, &error));
  g_assert_true (docent_settings_save (settings, &error));
  g_assert_no_error (error);
  docent_library_reload_embedder (f->library);
}

static void
add_in_app (Fixture    *f,
            const char *dir)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) results = NULL;
  const char *paths[] = { dir, NULL };
  DocentAddOptions opts = { .n_threads = 1 };

  g_assert_true (docent_library_add (f->library, paths, &opts, &results, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < results->len; i++)
    {
      const DocentAddResult *r = results->pdata[i];

      if (r->outcome == DOCENT_ADD_FAILED)
        g_error ("%s: %s", r->path, r->error);
    }
}

/* The CLI adds (and, with an embedder, embeds) while the app reads,
 * asks (a write: the conversation is stored) and refreshes. */
static void
run_add_while_reading (Fixture          *f,
                       DocentSearchMode  mode)
{
  g_autofree char *first = write_docs (f, "first", 60 / SCALE, 1);
  g_autofree char *more = write_docs (f, "more", 240 / SCALE, 1000);
  const char *add[] = { "add", "-j", "1", more, NULL };
  DocentTestCounts counts;
  Tally tally = { 0 };
  GPid pid;

  add_in_app (f, first);
  if (mode != DOCENT_SEARCH_BM25)
    {
      g_autoptr(GError) error = NULL;

      use_embedder (f);
      g_assert_true (docent_library_embed (f->library, NULL, NULL, &error));
      g_assert_no_error (error);
    }
  pid = spawn_cli (f, add);
  do
    app_round (f, mode, &tally);
  while (!cli_done (f, pid));
  app_round (f, mode, &tally);
  g_test_message ("while docent-cli added: %u searches, %u questions, %u listings, %u refreshes",
                  tally.searches, tally.asks, tally.lists, tally.refreshes);
  docent_test_check_store (f->db, &counts);
  g_assert_cmpint (counts.indexed, ==, 300 / SCALE);
  g_assert_cmpint (counts.failed, ==, 0);
  if (mode != DOCENT_SEARCH_BM25)
    g_assert_cmpint (counts.embeddings, ==, counts.chunks);
}

static void
test_add_while_reading (Fixture       *f,
                        gconstpointer  data)
{
  if (have_cli ())
    run_add_while_reading (f, DOCENT_SEARCH_BM25);
}

static void
test_embed_while_reading (Fixture       *f,
                          gconstpointer  data)
{
  if (have_cli ())
    run_add_while_reading (f, DOCENT_SEARCH_HYBRID);
}

/* Two writers: the app adds one folder while the CLI removes another and
 * then adds a third. */
static void
test_two_writers (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *gone = NULL;
  g_autofree char *mine = NULL;
  g_autofree char *theirs = NULL;
  DocentTestCounts counts;
  GPid pid;

  if (!have_cli ())
    return;
  gone = write_docs (f, "gone", 150 / SCALE, 1);
  mine = write_docs (f, "mine", 150 / SCALE, 2000);
  theirs = write_docs (f, "theirs", 150 / SCALE, 4000);
  add_in_app (f, gone);
  {
    const char *remove[] = { "remove", gone, NULL };

    pid = spawn_cli (f, remove);
    add_in_app (f, mine);
    while (!cli_done (f, pid))
      g_usleep (1000);
  }
  {
    const char *add[] = { "add", "-j", "1", theirs, NULL };
    Tally tally = { 0 };

    pid = spawn_cli (f, add);
    do
      app_round (f, DOCENT_SEARCH_BM25, &tally);
    while (!cli_done (f, pid));
  }
  docent_test_check_store (f->db, &counts);
  g_assert_cmpint (counts.indexed, ==, 2 * (150 / SCALE));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/concurrency/add-while-reading", Fixture, NULL, set_up,
              test_add_while_reading, tear_down);
  g_test_add ("/concurrency/embed-while-reading", Fixture, NULL, set_up,
              test_embed_while_reading, tear_down);
  g_test_add ("/concurrency/two-writers", Fixture, NULL, set_up, test_two_writers, tear_down);
  return g_test_run ();
}
