/* test-crash.c — docent-cli killed (SIGKILL) at random moments while it
 * adds hundreds of documents, removes them, or embeds them: after every
 * kill the database passes SQLite's and FTS5's integrity checks with no
 * orphaned rows (tests/store-checks.c), the library opens and searches,
 * the vector cache is either valid or rebuilt, and running the same
 * command again completes the job.
 *
 * The moments come from a seeded GRand; the seed is printed, and
 * DOCENT_CRASH_SEED=N replays the same delays and corpus changes (where a
 * kill lands still depends on the machine's speed). DOCENT_CRASH_RUNS=N
 * sets how many runs of `add` must be killed, 20 by default. */
#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <utime.h>
#include <unistd.h>

#include "app/library.h"
#include "app/settings.h"
#include "engine/synth.h"
#include "engine/tensor.h"
#include "index/embeddings.h"
#include "index/vectors.h"
#include "tests/fixtures.h"
#include "tests/pdfgen.h"
#include "tests/store-checks.h"

/* Sanitized debug builds run everything several times slower: fewer
 * documents there, the same number of kills. */
#if defined(__SANITIZE_ADDRESS__)
#define N_DOCS 160
#define N_EMBED_DOCS 16   /* the encoder at -O0 with ASan: ~0.3 s a chunk */
#define N_EMBED_RUNS 4
#else
#define N_DOCS 480
#define N_EMBED_DOCS (N_DOCS / 4)
#define N_EMBED_RUNS 8
#endif

typedef struct {
  char *dir;
  char *docs;      /* the corpus */
  char *lib;
  char *db;
  char *log;
  GRand *rand;
  guint kills;     /* runs that were killed (not finished first) */
  guint runs;
} Crash;

static guint32
crash_seed (void)
{
  const char *env = g_getenv ("DOCENT_CRASH_SEED");

  if (env != NULL && *env != '\0')
    return (guint32) g_ascii_strtoull (env, NULL, 10);
  return g_random_int ();
}

static guint
crash_runs (void)
{
  const char *env = g_getenv ("DOCENT_CRASH_RUNS");

  if (env != NULL && *env != '\0')
    return MAX (1, (guint) g_ascii_strtoull (env, NULL, 10));
  return 20;
}

static void
crash_set_up (Crash         *c,
              gconstpointer  data)
{
  guint32 seed = crash_seed ();

  c->dir = docent_test_tmpdir ();
  c->docs = g_build_filename (c->dir, "docs", NULL);
  c->lib = g_build_filename (c->dir, "lib", NULL);
  c->db = g_build_filename (c->lib, "library.db", NULL);
  c->log = g_build_filename (c->dir, "cli.log", NULL);
  c->rand = g_rand_new_with_seed (seed);
  g_test_message ("seed %u (DOCENT_CRASH_SEED=%u reproduces this run)", seed, seed);
}

static void
crash_tear_down (Crash         *c,
                 gconstpointer  data)
{
  g_test_message ("%u of %u runs killed before they finished", c->kills, c->runs);
  docent_test_rm_rf (c->dir);
  g_free (c->dir);
  g_free (c->docs);
  g_free (c->lib);
  g_free (c->db);
  g_free (c->log);
  g_rand_free (c->rand);
}

/* ---- the corpus ---------------------------------------------------------- */

static void
write_doc (const char *dir,
           guint       i,
           guint32     version)
{
  g_autoptr(GError) error = NULL;
  guint32 seed = i * 7919 + version * 104729;
  g_autofree char *prose = docent_test_prose (seed, 150 + (seed % 8) * 100);

  if (i % 10 == 0)
    {
      g_autofree char *name = g_strdup_printf ("report-%03u.pdf", i);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *second = docent_test_prose (seed + 1, 80);
      g_autofree char *title = g_strdup_printf ("Report %u", i);
      const char *pages[] = { prose, second };

      g_assert_true (docent_test_write_pdf (path, title, pages, 2, &error));
      g_assert_no_error (error);
    }
  else if (i % 10 < 4)
    {
      g_autofree char *name = g_strdup_printf ("page-%03u.html", i);
      g_autofree char *html = g_strdup_printf ("<!DOCTYPE html><html><head><title>Page %u"
                                               "</title></head><body><h1>Terms %u</h1>"
                                               "<p>%s</p></body></html>", i, version, prose);
      g_autofree char *path = docent_test_write_file (dir, name, html, -1);
    }
  else
    {
      g_autofree char *name = g_strdup_printf ("note-%03u.txt", i);
      g_autofree char *text = g_strdup_printf ("Note %u version %u\n\n%s\n", i, version, prose);
      g_autofree char *path = docent_test_write_file (dir, name, text, -1);
    }
}

/* Documents first..first+n-1 in sub-folders of 40 (remove works on one). */
static void
write_corpus (Crash   *c,
              guint    first,
              guint    n,
              guint32  version)
{
  for (guint i = first; i < first + n; i++)
    {
      g_autofree char *sub = g_strdup_printf ("part-%u", i / 40);
      g_autofree char *dir = g_build_filename (c->docs, sub, NULL);

      g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
      write_doc (dir, i, version);
    }
}

static guint
count_files (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  if (d == NULL)
    return 0;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        n += count_files (path);
      else
        n++;
    }
  return n;
}

/* ---- running and killing docent-cli ----------------------------------- */

static GPid
spawn_cli (Crash             *c,
           const char *const *args)
{
  return docent_test_spawn_cli (c->lib, args, c->log);
}

static void
assert_exited_ok (Crash *c,
                  int    status)
{
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    {
      g_autoptr(GBytes) log = docent_test_read_bytes (c->log);

      g_error ("docent-cli failed (status %d): %.*s", status,
               (int) g_bytes_get_size (log), (const char *) g_bytes_get_data (log, NULL));
    }
}

/* Runs docent-cli with args and SIGKILLs it after `ms` milliseconds unless
 * it finished first (then it must have succeeded). TRUE when killed. */
static gboolean
run_and_kill (Crash             *c,
              const char *const *args,
              guint              ms)
{
  GPid pid = spawn_cli (c, args);
  gint64 deadline = g_get_monotonic_time () + ms * G_TIME_SPAN_MILLISECOND;
  int status = 0;

  c->runs++;
  while (g_get_monotonic_time () < deadline)
    {
      if (waitpid (pid, &status, WNOHANG) == pid)
        {
          g_spawn_close_pid (pid);
          assert_exited_ok (c, status);
          return FALSE;
        }
      g_usleep (500);
    }
  g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_spawn_close_pid (pid);
  if (WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL)
    {
      c->kills++;
      return TRUE;
    }
  assert_exited_ok (c, status);
  return FALSE;
}

static int
run_and_wait (Crash             *c,
              const char *const *args)
{
  GPid pid = spawn_cli (c, args);
  int status = 0;

  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_spawn_close_pid (pid);
  return status;
}

/* Runs docent-cli to the end; its wall time in ms. */
static guint
run_to_end (Crash             *c,
            const char *const *args)
{
  gint64 start = g_get_monotonic_time ();

  assert_exited_ok (c, run_and_wait (c, args));
  return (guint) ((g_get_monotonic_time () - start) / 1000);
}

/* ---- what must hold after a kill ----------------------------------------- */

static const char *const outcome_names[] = { "loaded", "synced", "rebuilt" };

#define YOUNG_TEMP ".tmp-XyZ789"

/* Temporary files a killed writer of the vector cache left behind (not
 * the one plant_temps() made). */
static guint
count_temp_files (Crash *c)
{
  g_autoptr(GDir) d = g_dir_open (c->lib, 0, NULL);
  const char *name;
  guint n = 0;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    if (strstr (name, ".tmp-") != NULL && !g_str_has_suffix (name, YOUNG_TEMP))
      n++;
  return n;
}

/* The library opens and searches; with an embedder, its vector index
 * (loaded, synced or rebuilt) holds exactly the store's vectors.
 * Returns the index's open outcome, or -1 without an embedder. */
static int
check_library (Crash *c)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentLibrary) library = docent_library_open (c->lib, &error);
  DocentSearchOptions search = { .query = "contract notice", .limit = 5 };
  g_autoptr(GPtrArray) hits = NULL;
  DocentEmbedder *embedder;
  DocentVectorStats stats;
  g_autoptr(GArray) ids = NULL;
  gint64 generation = 0;

  g_assert_no_error (error);
  hits = docent_library_search (library, &search, DOCENT_SEARCH_BM25, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (hits);
  embedder = docent_library_embedder (library, &error);
  g_assert_no_error (error);
  if (embedder == NULL)
    return -1;
  docent_vector_index_stats (docent_embedder_vectors (embedder), &stats);
  ids = docent_store_embedding_ids (docent_library_store (library),
                                    docent_embedder_key (embedder), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (stats.count, ==, ids->len);
  g_assert_true (docent_store_generation (docent_library_store (library), &generation, &error));
  g_assert_cmpint (stats.generation, ==, generation);
  if (ids->len > 0)
    {
      g_autoptr(GPtrArray) dense = NULL;

      dense = docent_library_search (library, &search, DOCENT_SEARCH_HYBRID, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (dense->len, >, 0);
    }
  return stats.outcome;
}

static void
check_after_kill (Crash      *c,
                  const char *what,
                  guint       run,
                  guint       ms,
                  gboolean    killed)
{
  DocentTestCounts counts;
  guint temps = count_temp_files (c);
  int outcome;

  docent_test_check_store (c->db, &counts);
  outcome = check_library (c);
  g_test_message ("%s %u: %s after %u ms: %" G_GINT64_FORMAT " documents, %"
                  G_GINT64_FORMAT " chunks, %" G_GINT64_FORMAT " vectors%s%s%s",
                  what, run, killed ? "killed" : "finished", ms, counts.documents,
                  counts.chunks, counts.embeddings, outcome >= 0 ? ", index " : "",
                  outcome >= 0 ? outcome_names[outcome] : "",
                  temps > 0 ? ", temporary files left" : "");
}

/* After the command has been run to the end: every file is indexed.
 * Returns check_library()'s outcome. */
static int
check_complete (Crash *c,
                guint  n_files)
{
  DocentTestCounts counts;

  docent_test_check_store (c->db, &counts);
  g_assert_cmpint (counts.failed, ==, 0);
  g_assert_cmpint (counts.indexed, ==, n_files);
  return check_library (c);
}

/* A tiny BERT (random weights, real architecture) as the embedder. */
static void
use_embedder (Crash *c)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (c->dir, "tiny.gguf", NULL);
  DocentSynthShape shape = *docent_synth_shape ("tiny-bert");
  g_autoptr(DocentLibrary) library = docent_library_open (c->lib, &error);
  DocentSettings *settings;
  const DocentModelEntry *entry;

  g_assert_no_error (error);
  shape.n_embd = 32;
  g_assert_true (docent_synth_write (&shape, DOCENT_TYPE_F32, 7, path, &error));
  g_assert_no_error (error);
  settings = docent_library_settings (library, &error);
  g_assert_no_error (error);
  entry = docent_settings_add_model (settings, path, &error);
  g_assert_no_error (error);
  g_assert_true (docent_settings_use (settings, DOCENT_MODEL_ROLE_EMBEDDER, entry->id, &error));
  g_assert_true (docent_settings_save (settings, &error));
  g_assert_no_error (error);
}

/* The vector cache file's path (there is one embedder). */
static char *
vector_cache (Crash *c)
{
  g_autoptr(GDir) d = g_dir_open (c->lib, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    if (g_str_has_prefix (name, "vectors-") && g_str_has_suffix (name, ".faiss"))
      return g_build_filename (c->lib, name, NULL);
  g_assert_not_reached ();
}

/* What a save killed two hours ago, and one in progress now, leave. */
static void
plant_temps (Crash  *c,
             char  **stale,
             char  **young)
{
  g_autofree char *cache = vector_cache (c);
  struct utimbuf old = { .actime = time (NULL) - 7200, .modtime = time (NULL) - 7200 };

  *stale = g_strconcat (cache, ".tmp-AbC123", NULL);
  *young = g_strconcat (cache, YOUNG_TEMP, NULL);
  g_assert_true (g_file_set_contents (*stale, "half a cache", -1, NULL));
  g_assert_true (g_file_set_contents (*young, "being written", -1, NULL));
  g_assert_cmpint (utime (*stale, &old), ==, 0);
}

/* ---- the tests ------------------------------------------------------------ */

/* Add: half the runs start from an empty library (kills while the schema
 * is made, while walking, while writing), the others from a complete one
 * whose files partly changed (kills while updating). Runs go on until
 * n_runs of them were killed: one that finished before its kill shortens
 * the delays of its kind. */
static void
test_kill_add (Crash         *c,
               gconstpointer  data)
{
  const char *const add[] = { "add", "-j", "2", c->docs, NULL };
  guint n_runs = crash_runs (), full_ms, n_files, extra = 0, kills = 0;
  guint window[2];

  if (g_getenv ("DOCENT_CLI") == NULL)
    {
      g_test_skip ("DOCENT_CLI is not set (run through meson test)");
      return;
    }
  write_corpus (c, 0, N_DOCS, 0);
  n_files = count_files (c->docs);
  full_ms = run_to_end (c, add);
  g_test_message ("%u files added in %u ms", n_files, full_ms);
  check_complete (c, n_files);
  window[0] = full_ms;
  window[1] = full_ms / 2;

  for (guint run = 0; kills < n_runs; run++)
    {
      guint ms;
      gboolean killed;

      g_assert_cmpuint (run, <, 3 * n_runs);
      if (run % 2 == 0)
        docent_test_rm_rf (c->lib);
      else
        {
          /* A quarter of the files rewritten and a few new ones. */
          for (guint k = 0; k < N_DOCS / 4; k++)
            {
              guint i = g_rand_int_range (c->rand, 0, N_DOCS);
              g_autofree char *sub = g_strdup_printf ("part-%u", i / 40);
              g_autofree char *dir = g_build_filename (c->docs, sub, NULL);

              write_doc (dir, i, run + 1);
            }
          write_corpus (c, N_DOCS + extra, 3, 0);
          extra += 3;
        }
      ms = g_rand_int_range (c->rand, 0, window[run % 2] + 1);
      killed = run_and_kill (c, add, ms);
      if (killed)
        kills++;
      else
        window[run % 2] = MAX (ms * 3 / 4, 1);
      check_after_kill (c, "add", run, ms, killed);
      run_to_end (c, add);
      check_complete (c, count_files (c->docs));
    }
}

/* Embedding: `reindex` killed, then `add` (which embeds what it added)
 * killed, each followed by the check and a run to the end. */
static void
test_kill_embed (Crash         *c,
                 gconstpointer  data)
{
  const char *const add[] = { "add", "-j", "2", c->docs, NULL };
  const char *const reindex[] = { "reindex", NULL };
  g_autofree char *stale = NULL;
  g_autofree char *young = NULL;
  guint full_ms;

  if (g_getenv ("DOCENT_CLI") == NULL)
    {
      g_test_skip ("DOCENT_CLI is not set (run through meson test)");
      return;
    }
  write_corpus (c, 0, N_EMBED_DOCS, 0);
  run_to_end (c, add);
  use_embedder (c);
  full_ms = run_to_end (c, reindex);
  g_test_message ("embedded %u documents in %u ms", N_EMBED_DOCS, full_ms);
  check_complete (c, count_files (c->docs));
  plant_temps (c, &stale, &young);

  for (guint run = 0; run < N_EMBED_RUNS; run++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *index = NULL;
      gboolean killed;
      guint ms;

      if (run % 2 == 0)
        {
          /* Forget every vector: the whole library is embedded again. */
          g_autoptr(DocentLibrary) library = docent_library_open (c->lib, &error);
          DocentEmbedder *embedder = docent_library_embedder (library, &error);

          g_assert_no_error (error);
          g_assert_true (docent_store_drop_embeddings (docent_library_store (library),
                                                       docent_embedder_key (embedder), &error));
          g_assert_no_error (error);
          ms = g_rand_int_range (c->rand, 0, full_ms * 4 / 5 + 1);
          killed = run_and_kill (c, reindex, ms);
          check_after_kill (c, "reindex", run, ms, killed);
          run_to_end (c, reindex);
        }
      else
        {
          write_corpus (c, N_DOCS + run * 10, MAX (N_EMBED_DOCS / 24, 2), 0);
          ms = g_rand_int_range (c->rand, 0, full_ms / 2 + 1);
          killed = run_and_kill (c, add, ms);
          check_after_kill (c, "add+embed", run, ms, killed);
          run_to_end (c, add);
        }
      /* The command left a current vector cache. */
      g_assert_cmpint (check_complete (c, count_files (c->docs)), ==, DOCENT_VECTORS_LOADED);
    }
  /* The saves since removed the stale temporary file, not the young one. */
  g_assert_false (g_file_test (stale, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (young, G_FILE_TEST_EXISTS));
  g_unlink (young);
}

/* Removal of one folder after another, killed; with vectors, so their
 * rows and the vector cache follow the documents. */
static void
test_kill_remove (Crash         *c,
                  gconstpointer  data)
{
  const char *const add[] = { "add", "-j", "2", c->docs, NULL };
  guint n_parts = (N_DOCS + 39) / 40;

  if (g_getenv ("DOCENT_CLI") == NULL)
    {
      g_test_skip ("DOCENT_CLI is not set (run through meson test)");
      return;
    }
  write_corpus (c, 0, N_DOCS, 0);
  use_embedder (c);
  run_to_end (c, add);
  check_complete (c, N_DOCS);

  for (guint part = 0; part < n_parts; part++)
    {
      g_autofree char *sub = g_strdup_printf ("part-%u", part);
      g_autofree char *folder = g_build_filename (c->docs, sub, NULL);
      const char *const remove[] = { "remove", folder, NULL };
      guint ms = g_rand_int_range (c->rand, 0, 150);
      gboolean killed = run_and_kill (c, remove, ms);
      DocentTestCounts counts;

      check_after_kill (c, "remove", part, ms, killed);
      /* Killed after its last removal, the folder is already gone:
       * "no document in the library at …", exit status 1. */
      if (killed)
        {
          int status = run_and_wait (c, remove);

          g_assert_true (WIFEXITED (status));
          g_assert_cmpint (WEXITSTATUS (status), <=, 1);
        }
      docent_test_check_store (c->db, &counts);
      g_assert_cmpint (counts.documents, ==, N_DOCS - (part + 1) * 40);
      check_library (c);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/crash/add", Crash, NULL, crash_set_up, test_kill_add, crash_tear_down);
  g_test_add ("/crash/embed", Crash, NULL, crash_set_up, test_kill_embed, crash_tear_down);
  g_test_add ("/crash/remove", Crash, NULL, crash_set_up, test_kill_remove, crash_tear_down);
  return g_test_run ();
}
