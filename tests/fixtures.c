/* fixtures.c — scratch folders, files and prose for the tests. */
#include "tests/fixtures.h"

#include <glib/gstdio.h>
#include <sys/wait.h>
#include <string.h>

/* Read by LeakSanitizer in sanitizer builds: fontconfig (loaded by cairo's
 * toy text API and by GTK) keeps its configuration and caches for the life
 * of the process, which is not a leak of ours. */
const char *__lsan_default_suppressions (void);

const char *
__lsan_default_suppressions (void)
{
  return "leak:libfontconfig.so\n";
}

char *
docent_test_tmpdir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("docent-test-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
rm_rf_file (GFile *file)
{
  g_autoptr(GFileEnumerator) children = NULL;
  GFileInfo *info;

  children = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                        G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS,
                                        NULL, NULL);
  while (children != NULL &&
         (info = g_file_enumerator_next_file (children, NULL, NULL)) != NULL)
    {
      g_autoptr(GFile) child = g_file_get_child (file, g_file_info_get_name (info));

      if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
        rm_rf_file (child);
      else
        g_file_delete (child, NULL, NULL);
      g_object_unref (info);
    }
  g_file_delete (file, NULL, NULL);
}

void
docent_test_rm_rf (const char *path)
{
  g_autoptr(GFile) file = NULL;

  if (path == NULL)
    return;
  file = g_file_new_for_path (path);
  rm_rf_file (file);
}

char *
docent_test_write_file (const char *dir,
                        const char *name,
                        const void *data,
                        gssize      len)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *parent = NULL;
  char *path = g_build_filename (dir, name, NULL);

  parent = g_path_get_dirname (path);
  g_assert_cmpint (g_mkdir_with_parents (parent, 0700), ==, 0);
  if (len < 0)
    len = strlen (data);
  g_file_set_contents (path, data, len, &error);
  g_assert_no_error (error);
  return path;
}

static const char *const prose_words[] = {
  "the", "tenant", "shall", "pay", "rent", "on", "first", "day", "of", "each",
  "month", "landlord", "may", "inspect", "premises", "with", "notice", "patient",
  "dose", "should", "be", "reviewed", "after", "three", "weeks", "device", "must",
  "not", "exposed", "to", "water", "warranty", "covers", "defects", "in",
  "materials", "and", "workmanship", "for", "two", "years", "from", "purchase",
  "agreement", "terminates", "when", "either", "party", "gives", "written",
  "clinical", "assessment", "includes", "blood", "pressure", "heart", "rate",
  "battery", "charge", "fully", "before", "use", "report", "any", "adverse",
  "event", "within", "hours", "a", "an", "is", "are", "this", "that", "by",
};

/* xorshift32: deterministic across platforms, unlike rand(). */
static guint32
next_random (guint32 *state)
{
  guint32 x = *state;

  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return *state = x;
}

char *
docent_test_prose (guint32 seed,
                   guint   n_words)
{
  GString *s = g_string_new (NULL);
  guint32 state = seed * 2654435761u + 1;
  guint in_sentence = 0, in_paragraph = 0;

  for (guint i = 0; i < n_words; i++)
    {
      const char *w = prose_words[next_random (&state) % G_N_ELEMENTS (prose_words)];

      if (in_sentence == 0)
        {
          g_string_append_c (s, g_ascii_toupper (w[0]));
          g_string_append (s, w + 1);
        }
      else
        g_string_append (s, w);
      in_sentence++;
      if (in_sentence >= 8 + next_random (&state) % 12 || i + 1 == n_words)
        {
          g_string_append_c (s, '.');
          in_sentence = 0;
          in_paragraph++;
          if (i + 1 == n_words)
            break;
          if (in_paragraph >= 3 + next_random (&state) % 4)
            {
              g_string_append (s, "\n\n");
              in_paragraph = 0;
              continue;
            }
        }
      g_string_append_c (s, ' ');
    }
  return g_string_free (s, FALSE);
}

/* ---- Zipf prose ---------------------------------------------------------- */

struct _DocentTestZipf {
  GPtrArray *words;   /* vocabulary, most frequent first */
  double *cdf;        /* Zipf cumulative distribution */
  guint32 state;
};

/* Two to four syllables: enough distinct words that each vocabulary entry
 * is its own term (a duplicate would make a "rare" word common). */
static char *
make_zipf_word (guint32 *state)
{
  static const char *const syllables[] = {
    "ta", "ro", "mo", "li", "san", "per", "con", "di", "ver", "ku", "al",
    "pa", "pre", "ex", "ul", "or", "na", "zo", "ri", "fu", "qu", "bo", "cal",
  };
  GString *w = g_string_new (NULL);
  guint n = 2 + next_random (state) % 3;

  for (guint i = 0; i < n; i++)
    g_string_append (w, syllables[next_random (state) % G_N_ELEMENTS (syllables)]);
  return g_string_free (w, FALSE);
}

DocentTestZipf *
docent_test_zipf_new (guint   vocabulary,
                      guint32 seed)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  DocentTestZipf *z = g_new0 (DocentTestZipf, 1);
  double sum = 0;

  g_return_val_if_fail (vocabulary > 0 && seed != 0, NULL);
  z->state = seed;
  z->words = g_ptr_array_new_with_free_func (g_free);
  z->cdf = g_new (double, vocabulary);
  for (guint i = 0; i < vocabulary; i++)
    {
      char *word = make_zipf_word (&z->state);

      while (g_hash_table_contains (seen, word))
        {
          g_free (word);
          word = make_zipf_word (&z->state);
        }
      g_hash_table_add (seen, word);
      g_ptr_array_add (z->words, word);
      sum += 1.0 / (i + 1);
      z->cdf[i] = sum;
    }
  for (guint i = 0; i < vocabulary; i++)
    z->cdf[i] /= sum;
  return z;
}

void
docent_test_zipf_free (DocentTestZipf *z)
{
  if (z == NULL)
    return;
  g_ptr_array_unref (z->words);
  g_free (z->cdf);
  g_free (z);
}

guint
docent_test_zipf_size (DocentTestZipf *z)
{
  return z->words->len;
}

const char *
docent_test_zipf_rank (DocentTestZipf *z,
                       guint           rank)
{
  g_return_val_if_fail (rank < z->words->len, NULL);
  return z->words->pdata[rank];
}

guint32
docent_test_zipf_random (DocentTestZipf *z)
{
  return next_random (&z->state);
}

const char *
docent_test_zipf_word (DocentTestZipf *z)
{
  double u = next_random (&z->state) / 4294967296.0;
  guint lo = 0, hi = z->words->len - 1;

  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;

      if (z->cdf[mid] < u)
        lo = mid + 1;
      else
        hi = mid;
    }
  return z->words->pdata[lo];
}

char *
docent_test_zipf_text (DocentTestZipf *z,
                       guint           n_words)
{
  GString *s = g_string_new (NULL);
  guint in_sentence = 0;

  for (guint i = 0; i < n_words; i++)
    {
      g_string_append (s, docent_test_zipf_word (z));
      if (++in_sentence >= 12 + next_random (&z->state) % 10 || i + 1 == n_words)
        {
          g_string_append (s, i + 1 == n_words ? "." : ". ");
          in_sentence = 0;
        }
      else
        g_string_append_c (s, ' ');
    }
  return g_string_free (s, FALSE);
}

/* ---- running the CLI ----------------------------------------------------- */

void
docent_test_run_clear (DocentTestRun *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}

void
docent_test_run_cli (DocentTestRun      *run,
                     const char * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  const char *cli_path = g_getenv ("DOCENT_CLI");
  int wait_status;

  g_assert_nonnull (cli_path);
  g_ptr_array_add (argv, (char *) cli_path);
  for (gsize i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &run->out, &run->err, &wait_status, &error));
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  run->status = WEXITSTATUS (wait_status);
}

GBytes *
docent_test_read_bytes (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *data = NULL;
  gsize len = 0;

  g_file_get_contents (path, &data, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (data, len);
}
