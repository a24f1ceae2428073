/* test-limits.c — resources under inputs far larger than usual: a
 * 2000-page PDF and a 60 MB text file ingest, a 200 MB text file is
 * refused, each by the real docent-cli, whose peak RSS (wait4) is
 * reported and bounded; GGUF files claiming 2^40-element tensors or
 * absurd metadata counts are refused before anything is allocated for
 * them (checked under RLIMIT_DATA in a child process). */
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/gguf.h"
#include "tests/fixtures.h"
#include "tests/pdfgen.h"
#include "tests/store-checks.h"

/* Sanitizers reserve terabytes of shadow memory and double the heap:
 * memory bounds are checked in normal builds only. */
#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#else
#define SANITIZED 0
#endif
/* …and run several times slower: smaller inputs there (the figures are
 * from normal builds). */
#define SCALE (SANITIZED ? 4 : 1)

typedef struct {
  char *dir;
  char *lib;
  char *log;
} Fixture;

static void
set_up (Fixture       *f,
        gconstpointer  data)
{
  f->dir = docent_test_tmpdir ();
  f->lib = g_build_filename (f->dir, "lib", NULL);
  f->log = g_build_filename (f->dir, "cli.log", NULL);
}

static void
tear_down (Fixture       *f,
           gconstpointer  data)
{
  docent_test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->lib);
  g_free (f->log);
}

typedef struct {
  int status;
  long peak_kib;     /* ru_maxrss of the process */
  double seconds;
  char *output;      /* stdout and stderr */
} CliRun;

static void
cli_run_clear (CliRun *run)
{
  g_free (run->output);
}

/* Runs docent-cli --library LIB add PATH to the end and measures it. */
static void
run_add (Fixture    *f,
         const char *path,
         CliRun     *run)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) log = NULL;
  const char *argv[] = { g_getenv ("DOCENT_CLI"), "--library", f->lib, "add", path, NULL };
  int log_fd = g_open (f->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  gint64 start = g_get_monotonic_time ();
  struct rusage usage;
  GPid pid;

  g_assert_cmpint (log_fd, >=, 0);
  g_assert_true (g_spawn_async_with_fds (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                                         NULL, NULL, &pid, -1, log_fd, log_fd, &error));
  g_assert_no_error (error);
  close (log_fd);
  g_assert_cmpint (wait4 (pid, &run->status, 0, &usage), ==, pid);
  g_spawn_close_pid (pid);
  run->seconds = (g_get_monotonic_time () - start) / 1e6;
  run->peak_kib = usage.ru_maxrss;
  log = docent_test_read_bytes (f->log);
  run->output = g_strndup (g_bytes_get_data (log, NULL), g_bytes_get_size (log));
  g_assert_true (WIFEXITED (run->status));
}

static gboolean
have_cli (void)
{
  if (g_getenv ("DOCENT_CLI") != NULL)
    return TRUE;
  g_test_skip ("DOCENT_CLI is not set (run through meson test)");
  return FALSE;
}

/* ---- documents ----------------------------------------------------------- */

static void
test_pdf_2000_pages (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) pages = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *path = g_build_filename (f->dir, "book.pdf", NULL);
  g_autofree char *db = g_build_filename (f->lib, "library.db", NULL);
  DocentTestCounts counts;
  CliRun run = { 0 };
  gint64 start = g_get_monotonic_time ();
  struct stat st;

  if (!have_cli ())
    return;
  for (guint i = 0; i < 2000 / SCALE; i++)
    g_ptr_array_add (pages, docent_test_prose (i, 120));
  g_assert_true (docent_test_write_pdf (path, "A long book", (const char *const *) pages->pdata,
                                        pages->len, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_test_message ("%u-page PDF of %.1f MB written in %.1f s", pages->len, st.st_size / 1e6,
                  (g_get_monotonic_time () - start) / 1e6);

  run_add (f, path, &run);
  g_test_message ("docent-cli add: %.1f s, peak RSS %.0f MB", run.seconds, run.peak_kib / 1024.0);
  g_assert_cmpint (WEXITSTATUS (run.status), ==, 0);
  docent_test_check_store (db, &counts);
  g_assert_cmpint (counts.indexed, ==, 1);
  g_assert_cmpint (counts.chunks, >=, 500 / SCALE);
  if (!SANITIZED)
    g_assert_cmpint (run.peak_kib, <, 512 * 1024);
  cli_run_clear (&run);
}

/* Prose repeated to `bytes` (a few distinct paragraphs are enough). */
static void
write_big_text (const char *path,
                guint64     bytes)
{
  g_autofree char *block = docent_test_prose (42, 20000);
  gsize len = strlen (block);
  FILE *out = fopen (path, "w");
  guint64 written = 0;

  g_assert_nonnull (out);
  while (written < bytes)
    {
      gsize n = (gsize) MIN ((guint64) len, bytes - written);

      g_assert_cmpuint (fwrite (block, 1, n, out), ==, n);
      written += n;
    }
  g_assert_cmpint (fclose (out), ==, 0);
}

static void
test_text_200_mb (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "huge.txt", NULL);
  CliRun run = { 0 };

  if (!have_cli ())
    return;
  write_big_text (path, 200 * 1000 * 1000);
  run_add (f, path, &run);
  g_test_message ("200 MB text refused in %.1f s, peak RSS %.0f MB: %s", run.seconds,
                  run.peak_kib / 1024.0, run.output);
  /* Refused, the file named, the reason and the limit given. */
  g_assert_cmpint (WEXITSTATUS (run.status), !=, 0);
  g_assert_nonnull (strstr (run.output, path));
  g_assert_nonnull (strstr (run.output, "larger than 64 MiB"));
  if (!SANITIZED)
    g_assert_cmpint (run.peak_kib, <, 96 * 1024);
  cli_run_clear (&run);
}

static void
test_text_60_mb (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "large.txt", NULL);
  g_autofree char *db = g_build_filename (f->lib, "library.db", NULL);
  DocentTestCounts counts;
  CliRun run = { 0 };
  /* Chunking and FTS at -O0 under ASan: ~10 s a MB. */
  guint mb = SANITIZED ? 3 : 60;

  if (!have_cli ())
    return;
  write_big_text (path, mb * 1000 * 1000);
  run_add (f, path, &run);
  g_test_message ("%u MB text added in %.1f s, peak RSS %.0f MB", mb, run.seconds,
                  run.peak_kib / 1024.0);
  g_assert_cmpint (WEXITSTATUS (run.status), ==, 0);
  docent_test_check_store (db, &counts);
  g_assert_cmpint (counts.indexed, ==, 1);
  /* Bounded by the 64 MiB text limit: a few copies of the text at most. */
  if (!SANITIZED)
    g_assert_cmpint (run.peak_kib, <, 512 * 1024);
  cli_run_clear (&run);
}

/* ---- hostile GGUF headers --------------------------------------------------- */

static void
put_u32 (GByteArray *b,
         guint32     v)
{
  guint32 le = GUINT32_TO_LE (v);

  g_byte_array_append (b, (const guint8 *) &le, 4);
}

static void
put_u64 (GByteArray *b,
         guint64     v)
{
  guint64 le = GUINT64_TO_LE (v);

  g_byte_array_append (b, (const guint8 *) &le, 8);
}

static void
put_string (GByteArray *b,
            const char *s)
{
  put_u64 (b, strlen (s));
  g_byte_array_append (b, (const guint8 *) s, strlen (s));
}

static void
put_header (GByteArray *b,
            guint64     n_tensors,
            guint64     n_kv)
{
  g_byte_array_append (b, (const guint8 *) "GGUF", 4);
  put_u32 (b, 3);
  put_u64 (b, n_tensors);
  put_u64 (b, n_kv);
}

static void
put_arch (GByteArray *b)
{
  put_string (b, "general.architecture");
  put_u32 (b, DOCENT_GGUF_TYPE_STRING);
  put_string (b, "llama");
}

/* Padding to the 32-byte alignment, then `n` bytes of tensor data. */
static void
put_data (GByteArray *b,
          guint       n)
{
  while (b->len % 32 != 0)
    g_byte_array_append (b, (const guint8 *) "", 1);
  for (guint i = 0; i < n; i++)
    g_byte_array_append (b, (const guint8 *) "\x01", 1);
}

typedef enum {
  HOSTILE_HUGE_TENSOR,     /* 2^20 × 2^20 F32 = 2^40 elements, 4 TiB */
  HOSTILE_OVERFLOW_DIMS,   /* 2^32 in four dimensions: 2^128 elements */
  HOSTILE_MANY_KV,         /* n_kv = 2^60 */
  HOSTILE_MANY_TENSORS,    /* n_tensors = 2^62 */
  HOSTILE_HUGE_ARRAY,      /* an array of 2^62 u8 */
  HOSTILE_HUGE_STRINGS,    /* an array of 2^40 strings */
  HOSTILE_HUGE_STRING,     /* a 2^63-byte key */
  N_HOSTILE
} Hostile;

static const char *const hostile_names[] = {
  "huge-tensor", "overflow-dims", "many-kv", "many-tensors", "huge-array",
  "huge-strings", "huge-string",
};
G_STATIC_ASSERT (G_N_ELEMENTS (hostile_names) == N_HOSTILE);

static GBytes *
hostile_gguf (Hostile kind)
{
  g_autoptr(GByteArray) b = g_byte_array_new ();

  switch (kind)
    {
    case HOSTILE_HUGE_TENSOR:
    case HOSTILE_OVERFLOW_DIMS:
      put_header (b, 1, 1);
      put_arch (b);
      put_string (b, "token_embd.weight");
      if (kind == HOSTILE_HUGE_TENSOR)
        {
          put_u32 (b, 2);
          put_u64 (b, G_GUINT64_CONSTANT (1) << 20);
          put_u64 (b, G_GUINT64_CONSTANT (1) << 20);
        }
      else
        {
          put_u32 (b, 4);
          for (guint d = 0; d < 4; d++)
            put_u64 (b, G_GUINT64_CONSTANT (1) << 32);
        }
      put_u32 (b, 0);     /* F32 */
      put_u64 (b, 0);     /* offset */
      put_data (b, 64);
      break;
    case HOSTILE_MANY_KV:
      put_header (b, 0, G_GUINT64_CONSTANT (1) << 60);
      put_arch (b);
      break;
    case HOSTILE_MANY_TENSORS:
      put_header (b, G_GUINT64_CONSTANT (1) << 62, 1);
      put_arch (b);
      break;
    case HOSTILE_HUGE_ARRAY:
    case HOSTILE_HUGE_STRINGS:
      put_header (b, 0, 2);
      put_arch (b);
      put_string (b, "tokenizer.ggml.tokens");
      put_u32 (b, DOCENT_GGUF_TYPE_ARRAY);
      put_u32 (b, kind == HOSTILE_HUGE_ARRAY ? DOCENT_GGUF_TYPE_UINT8 : DOCENT_GGUF_TYPE_STRING);
      put_u64 (b, kind == HOSTILE_HUGE_ARRAY ? G_GUINT64_CONSTANT (1) << 62
                                             : G_GUINT64_CONSTANT (1) << 40);
      put_data (b, 256);
      break;
    case HOSTILE_HUGE_STRING:
      put_header (b, 0, 1);
      put_u64 (b, G_GUINT64_CONSTANT (1) << 63);
      put_data (b, 64);
      break;
    default:
      g_assert_not_reached ();
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&b));
}

/* In a child limited to 64 MiB of heap (RLIMIT_DATA): the open must fail
 * with an error, not abort on a failed allocation. */
static void
test_gguf_hostile (Fixture       *f,
                   gconstpointer  data)
{
  Hostile kind = GPOINTER_TO_INT (data);
  g_autoptr(GBytes) bytes = hostile_gguf (kind);
  g_autofree char *path = g_build_filename (f->dir, "hostile.gguf", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentGguf) gguf = NULL;
  gint64 start = g_get_monotonic_time ();
  pid_t pid;
  int status = 0;

  g_assert_true (g_file_set_contents (path, g_bytes_get_data (bytes, NULL),
                                      g_bytes_get_size (bytes), NULL));
  /* In this process: refused, with a message. */
  gguf = docent_gguf_open (path, &error);
  g_assert_null (gguf);
  g_assert_nonnull (error);
  g_assert_true (error->domain == DOCENT_GGUF_ERROR);
  g_test_message ("%s: %s (%.1f ms)", hostile_names[kind], error->message,
                  (g_get_monotonic_time () - start) / 1e3);
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
  if (SANITIZED)
    return;

  /* In a child with little heap: nothing sized by the claims is allocated. */
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      struct rlimit limit = { 64 << 20, 64 << 20 };
      GError *child_error = NULL;
      DocentGguf *child;

      if (setrlimit (RLIMIT_DATA, &limit) != 0)
        _exit (3);
      child = docent_gguf_open (path, &child_error);
      _exit (child == NULL && child_error != NULL ? 0 : 1);
    }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
}

/* Through the CLI, the refusal names the file. */
static void
test_gguf_cli (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GBytes) bytes = hostile_gguf (HOSTILE_HUGE_TENSOR);
  g_autofree char *path = g_build_filename (f->dir, "model.gguf", NULL);
  const char *args[] = { "--library", f->lib, "models", "add", path, NULL };
  g_auto(DocentTestRun) run = { 0 };

  if (!have_cli ())
    return;
  g_assert_true (g_file_set_contents (path, g_bytes_get_data (bytes, NULL),
                                      g_bytes_get_size (bytes), NULL));
  docent_test_run_cli (&run, args);
  g_test_message ("%s", run.err);
  g_assert_cmpint (run.status, !=, 0);
  g_assert_nonnull (strstr (run.err, "model.gguf"));
  g_assert_nonnull (strstr (run.err, "token_embd.weight"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/limits/pdf-2000-pages", Fixture, NULL, set_up, test_pdf_2000_pages, tear_down);
  g_test_add ("/limits/text-200-mb", Fixture, NULL, set_up, test_text_200_mb, tear_down);
  g_test_add ("/limits/text-60-mb", Fixture, NULL, set_up, test_text_60_mb, tear_down);
  for (guint i = 0; i < N_HOSTILE; i++)
    {
      g_autofree char *name = g_strdup_printf ("/limits/gguf/%s", hostile_names[i]);

      g_test_add (name, Fixture, GINT_TO_POINTER (i), set_up, test_gguf_hostile, tear_down);
    }
  g_test_add ("/limits/gguf/cli", Fixture, NULL, set_up, test_gguf_cli, tear_down);
  return g_test_run ();
}
