/* test-privacy.c — Docent never talks to the network on its own, keeps the
 * library private and never shows an API key.
 *
 * Runs docent-cli (add with an embedder, search, ask, status, list) on
 * documents that reference remote resources, under strace, and asserts
 * that no socket other than AF_UNIX is created; runs it again in a network
 * namespace without interfaces; checks the library's file modes; and
 * checks that a remote backend's key appears in no output. Subtests skip
 * (not pass) when strace or namespaces are unavailable. */
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "engine/synth.h"
#include "tests/fixtures.h"

typedef struct {
  char *dir;
  char *lib;
  char *docs;
  char *model;
} Fixture;

static const char html_with_remote_refs[] =
  "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\""
  " \"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd\">\n"
  "<html><head><title>Tenancy notes</title>\n"
  "<link rel=\"stylesheet\" href=\"http://tracker.example.com/style.css\">\n"
  "<script src=\"https://tracker.example.com/t.js\"></script>\n"
  "<meta http-equiv=\"refresh\" content=\"0; url=http://tracker.example.com/\">\n"
  "</head><body>\n"
  "<h1>Ending the tenancy</h1>\n"
  "<p>Either party may end the tenancy with sixty days written notice.\n"
  "<img src=\"http://tracker.example.com/pixel.gif\" alt=\"\"></p>\n"
  "<iframe src=\"http://tracker.example.com/frame\"></iframe>\n"
  "<xi:include xmlns:xi=\"http://www.w3.org/2001/XInclude\" href=\"http://tracker.example.com/x.xml\"/>\n"
  "<p>The deposit is returned within twenty one days after the keys are handed back.</p>\n"
  "</body></html>\n";

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = docent_test_tmpdir ();
  f->lib = g_build_filename (f->dir, "library", NULL);
  f->docs = g_build_filename (f->dir, "docs", NULL);
  f->model = g_build_filename (f->dir, "tiny-bert.gguf", NULL);
  g_assert_cmpint (g_mkdir (f->docs, 0700), ==, 0);
  g_free (docent_test_write_file (f->docs, "notes.html", html_with_remote_refs, -1));
  g_free (docent_test_write_file (f->docs, "lease.txt",
                                  "Rent is due on the first day of each month.\n\n"
                                  "Pets need the landlord's written consent.\n", -1));
  g_assert_true (docent_synth_write (docent_synth_shape ("tiny-bert"), DOCENT_TYPE_F32, 7,
                                     f->model, &error));
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  docent_test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->lib);
  g_free (f->docs);
  g_free (f->model);
}

/* Runs argv (NULL-terminated) and returns the exit status, or -1 when it
 * did not exit normally. */
static int
run (const char * const *argv,
     char              **out,
     char              **err)
{
  g_autoptr(GError) error = NULL;
  int status = 0;

  GSpawnFlags flags = G_SPAWN_SEARCH_PATH;

  /* The TAP stream is ours: what a run prints is captured or dropped. */
  if (out == NULL)
    flags |= G_SPAWN_STDOUT_TO_DEV_NULL;
  if (err == NULL)
    flags |= G_SPAWN_STDERR_TO_DEV_NULL;
  if (!g_spawn_sync (NULL, (char **) argv, NULL, flags, NULL, NULL,
                     out, err, &status, &error))
    return -1;
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

/* docent-cli --library LIB ARGS..., optionally under a wrapper (strace
 * or unshare argv, NULL-terminated). */
static int
cli (Fixture            *f,
     const char * const *wrapper,
     const char * const *args,
     char              **out,
     char              **err)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  for (guint i = 0; wrapper != NULL && wrapper[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) wrapper[i]);
  g_ptr_array_add (argv, (char *) g_getenv ("DOCENT_CLI"));
  g_ptr_array_add (argv, (char *) "--library");
  g_ptr_array_add (argv, f->lib);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  return run ((const char * const *) argv->pdata, out, err);
}

static gboolean
strace_works (void)
{
  const char *argv[] = { "strace", "-f", "-qq", "-e", "trace=socket", "-o", "/dev/null", "true", NULL };

  return run (argv, NULL, NULL) == 0;
}

/* The socket() calls in an strace log whose domain is not AF_UNIX. */
static char *
foreign_sockets (const char *log_path)
{
  g_autofree char *log = NULL;
  g_auto(GStrv) lines = NULL;
  GString *bad = g_string_new (NULL);

  g_assert_true (g_file_get_contents (log_path, &log, NULL, NULL));
  lines = g_strsplit (log, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *call = strstr (lines[i], "socket(");

      if (call != NULL && !g_str_has_prefix (call, "socket(AF_UNIX") &&
          !g_str_has_prefix (call, "socket(AF_LOCAL"))
        g_string_append_printf (bad, "%s\n", lines[i]);
    }
  return g_string_free (bad, bad->len == 0);
}

/* Every step a user takes, each under strace. */
static void
test_no_sockets (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *log = g_build_filename (f->dir, "strace.log", NULL);
  const char *trace[] = { "strace", "-f", "-qq", "-e", "trace=socket", "-o", log, NULL };
  const char *add_model[] = { "models", "add", f->model, NULL };
  const char *use_model[] = { "models", "use", "--no-embed", "--embedder", "tiny-bert", NULL };
  const char *add[] = { "add", f->docs, NULL };
  const char *search[] = { "search", "ending the tenancy", NULL };
  const char *ask[] = { "ask", "How much notice ends the tenancy?", NULL };
  const char *status[] = { "status", NULL };
  const char *list[] = { "list", "--json", NULL };
  const char *const *steps[] = { add_model, use_model, add, search, ask, status, list };

  if (!strace_works ())
    {
      g_test_skip ("strace is not available or not permitted here");
      return;
    }
  /* Under ASan, LeakSanitizer ptraces the process at exit, which fails in
   * a process strace already traces: no leak check for these children. */
  {
    const char *asan = g_getenv ("ASAN_OPTIONS");
    g_autofree char *options = g_strdup_printf ("%s%sdetect_leaks=0", asan ? asan : "",
                                                asan && *asan ? ":" : "");

    g_setenv ("ASAN_OPTIONS", options, TRUE);
  }
  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      g_autofree char *out = NULL, *err = NULL, *bad = NULL;

      g_assert_cmpint (cli (f, trace, steps[i], &out, &err), ==, 0);
      bad = foreign_sockets (log);
      if (bad != NULL)
        g_error ("`docent-cli %s` opened a network socket:\n%s", steps[i][0], bad);
    }
}

static gboolean
unshare_works (void)
{
  const char *argv[] = { "unshare", "-n", "true", NULL };

  return run (argv, NULL, NULL) == 0;
}

/* Without any network interface everything works the same. */
static void
test_offline_namespace (Fixture       *f,
                        gconstpointer  data)
{
  const char *offline[] = { "unshare", "-n", NULL };
  const char *add[] = { "add", f->docs, NULL };
  const char *search[] = { "search", "--json", "deposit returned", NULL };
  const char *ask[] = { "ask", "When is the deposit returned?", NULL };
  g_autofree char *out = NULL, *err = NULL, *out2 = NULL, *err2 = NULL;

  if (!unshare_works ())
    {
      g_test_skip ("network namespaces are not available here");
      return;
    }
  g_assert_cmpint (cli (f, offline, add, NULL, NULL), ==, 0);
  g_assert_cmpint (cli (f, offline, search, &out, &err), ==, 0);
  g_assert_nonnull (strstr (out, "notes.html"));
  g_assert_cmpint (cli (f, offline, ask, &out2, &err2), ==, 0);
  g_assert_nonnull (strstr (out2, "twenty one days"));
}

static void
assert_private (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;
  struct stat st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      g_assert_cmpint (g_lstat (child, &st), ==, 0);
      if (S_ISDIR (st.st_mode))
        assert_private (child);
      else if ((st.st_mode & 0777) != 0600)
        g_error ("%s has mode %03o, expected 0600", child, st.st_mode & 0777);
    }
}

/* Database, WAL, settings and vector cache: readable by the owner only,
 * whatever the umask. */
static void
test_permissions (Fixture       *f,
                  gconstpointer  data)
{
  const char *add_model[] = { "models", "add", f->model, NULL };
  const char *use_model[] = { "models", "use", "--embedder", "tiny-bert", NULL };
  const char *add[] = { "add", f->docs, NULL };
  const char *ask[] = { "ask", "When is rent due?", NULL };
  mode_t old = umask (0);

  g_assert_cmpint (cli (f, NULL, add_model, NULL, NULL), ==, 0);
  g_assert_cmpint (cli (f, NULL, use_model, NULL, NULL), ==, 0);
  g_assert_cmpint (cli (f, NULL, add, NULL, NULL), ==, 0);
  g_assert_cmpint (cli (f, NULL, ask, NULL, NULL), ==, 0);
  umask (old);
  assert_private (f->lib);
}

/* A remote server's key is a secret: not in errors, not in JSON. */
static void
test_api_key_hidden (Fixture       *f,
                     gconstpointer  data)
{
  const char *add[] = { "add", f->docs, NULL };
  const char *ask[] = { "ask", "--json", "--remote", "http://127.0.0.1:1",
                        "--api-key", "sk-SECRET-4b1d", "When is rent due?", NULL };
  const char *ask_text[] = { "ask", "--remote", "http://user:pw-SECRET@127.0.0.1:1",
                             "When is rent due?", NULL };
  g_autofree char *out = NULL, *err = NULL, *out2 = NULL, *err2 = NULL;

  g_assert_cmpint (cli (f, NULL, add, NULL, NULL), ==, 0);
  g_assert_cmpint (cli (f, NULL, ask, &out, &err), ==, 1);
  g_assert_null (strstr (out, "SECRET"));
  g_assert_null (strstr (err, "SECRET"));
  g_assert_nonnull (strstr (err, "127.0.0.1"));
  g_assert_cmpint (cli (f, NULL, ask_text, &out2, &err2), ==, 1);
  g_assert_null (strstr (out2, "SECRET"));
  g_assert_null (strstr (err2, "SECRET"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/privacy/no-sockets", Fixture, NULL, fixture_set_up, test_no_sockets, fixture_tear_down);
  g_test_add ("/privacy/offline-namespace", Fixture, NULL, fixture_set_up, test_offline_namespace, fixture_tear_down);
  g_test_add ("/privacy/permissions", Fixture, NULL, fixture_set_up, test_permissions, fixture_tear_down);
  g_test_add ("/privacy/api-key-hidden", Fixture, NULL, fixture_set_up, test_api_key_hidden, fixture_tear_down);
  return g_test_run ();
}
