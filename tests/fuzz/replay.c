/* replay.c — a main () for fuzz harnesses built without libFuzzer: feeds
 * every file named on the command line, or found in a named folder, to
 * LLVMFuzzerTestOneInput once. This keeps the harness building and its
 * corpus (and any saved crash inputs) checked by `meson test` with gcc. */
#include <glib.h>
#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static gboolean
replay_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  if (!g_file_get_contents (path, &contents, &length, &error))
    {
      fprintf (stderr, "replay: %s\n", error->message);
      return FALSE;
    }
  LLVMFuzzerTestOneInput ((const uint8_t *) contents, length);
  return TRUE;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(char * const *) a, *(char * const *) b);
}

/* Files of a folder in name order, so runs are repeatable. */
static guint
replay_dir (const char *path,
            gboolean   *ok)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (path, 0, &error);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (dir == NULL)
    {
      fprintf (stderr, "replay: %s\n", error->message);
      *ok = FALSE;
      return 0;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_build_filename (path, name, NULL));
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    if (!replay_file (g_ptr_array_index (names, i)))
      *ok = FALSE;
  return names->len;
}

int
main (int    argc,
      char **argv)
{
  gboolean ok = TRUE;
  guint count = 0;

  if (argc < 2)
    {
      fprintf (stderr, "usage: %s FILE-OR-FOLDER...\n", argv[0]);
      return 2;
    }
  for (int i = 1; i < argc; i++)
    {
      if (g_file_test (argv[i], G_FILE_TEST_IS_DIR))
        count += replay_dir (argv[i], &ok);
      else if (replay_file (argv[i]))
        count++;
      else
        ok = FALSE;
    }
  printf ("replayed %u inputs\n", count);
  if (count == 0)
    {
      fprintf (stderr, "replay: no inputs found\n");
      return 1;
    }
  return ok ? 0 : 1;
}
