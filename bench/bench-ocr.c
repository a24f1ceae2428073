/* bench-ocr.c — seconds per page of OCR at 300 dpi, Docent next to the
 * tesseract command-line program on the same pictures in the same run.
 *
 * Writes N pages of English-looking prose (11 pt serif, US letter, 300 dpi,
 * turned 0.7°, light noise) as PNGs, and the same pictures as scanned PDFs
 * (one per thread, no text layer), then times:
 *
 *  1. docent_extract on the PNGs, T threads pulling pages (each thread
 *     creates its tesseract engine on its first page: included);
 *  2. docent_extract on the scanned PDFs, one PDF per thread (adds the
 *     300 dpi Poppler rendering);
 *  3. `tesseract page.png out` one page after another, as installed
 *     (Debian's build uses OpenMP: up to 4 threads of its own);
 *  4. `tesseract` with OMP_THREAD_LIMIT=1, T processes at once: the same
 *     concurrency as Docent's.
 *
 * and for each the share of the drawn words found (bag of words, case and
 * punctuation ignored), so speed is compared at equal quality.
 *
 * Usage: bench-ocr [--pages N] [--threads T] [--keep DIR] */
#include <cairo-pdf.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "ingest/extract.h"
#include "ingest/ocr.h"
#include "tests/fixtures.h"

#define DPI       300.0
#define PAGE_W    2550    /* US letter at 300 dpi */
#define PAGE_H    3300
#define MARGIN    300
#define FONT_PX   46.0    /* 11 pt */
#define LINE_PX   (FONT_PX * 1.45)

static double
now_s (void)
{
  return g_get_monotonic_time () / 1e6;
}

static double
cpu_s (int who)
{
  struct rusage ru;

  getrusage (who, &ru);
  return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
         ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* ---- pages ---------------------------------------------------------------- */

/* Draws prose until the page is full; returns the words drawn. */
static cairo_surface_t *
draw_page (guint     index,
           GString  *drawn)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, PAGE_W, PAGE_H);
  cairo_t *cr = cairo_create (surface);
  g_autofree char *prose = docent_test_prose (100 + index, 700);
  g_auto(GStrv) paragraphs = g_strsplit (prose, "\n\n", -1);
  g_autoptr(GRand) rand = g_rand_new_with_seed (index);
  double y = MARGIN + FONT_PX;
  guint8 *data;
  int stride;

  cairo_set_source_rgb (cr, 0.97, 0.97, 0.95);
  cairo_paint (cr);
  cairo_translate (cr, PAGE_W / 2.0, PAGE_H / 2.0);
  cairo_rotate (cr, 0.7 * G_PI / 180);
  cairo_translate (cr, -PAGE_W / 2.0, -PAGE_H / 2.0);
  cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
  cairo_select_font_face (cr, "DejaVu Serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, FONT_PX);
  for (guint p = 0; paragraphs[p] != NULL && y < PAGE_H - MARGIN; p++)
    {
      g_auto(GStrv) words = g_strsplit (paragraphs[p], " ", -1);
      GString *line = g_string_new (NULL);

      for (guint w = 0; words[w] != NULL && y < PAGE_H - MARGIN; w++)
        {
          g_autofree char *candidate = line->len > 0 ? g_strconcat (line->str, " ", words[w], NULL)
                                                     : g_strdup (words[w]);
          cairo_text_extents_t ext;

          cairo_text_extents (cr, candidate, &ext);
          if (ext.x_advance > PAGE_W - 2 * MARGIN && line->len > 0)
            {
              cairo_move_to (cr, MARGIN, y);
              cairo_show_text (cr, line->str);
              g_string_append_printf (drawn, "%s\n", line->str);
              y += LINE_PX;
              g_string_assign (line, words[w]);
            }
          else
            g_string_assign (line, candidate);
        }
      if (line->len > 0 && y < PAGE_H - MARGIN)
        {
          cairo_move_to (cr, MARGIN, y);
          cairo_show_text (cr, line->str);
          g_string_append_printf (drawn, "%s\n", line->str);
        }
      g_string_free (line, TRUE);
      y += LINE_PX * 1.8;
    }
  cairo_destroy (cr);

  cairo_surface_flush (surface);
  data = cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface);
  for (guint i = 0; i < PAGE_W * PAGE_H / 400; i++)
    {
      guint x = g_rand_int_range (rand, 0, PAGE_W), yy = g_rand_int_range (rand, 0, PAGE_H);
      guint8 v = g_rand_int_range (rand, 0, 256);

      *(guint32 *) (data + (gsize) yy * stride + x * 4) = 0xFF000000u | (v << 16) | (v << 8) | v;
    }
  cairo_surface_mark_dirty (surface);
  return surface;
}

static void
write_pdf (const char       *path,
           cairo_surface_t **pages,
           guint             first,
           guint             end)
{
  cairo_surface_t *pdf = cairo_pdf_surface_create (path, PAGE_W * 72 / DPI, PAGE_H * 72 / DPI);
  cairo_t *cr = cairo_create (pdf);

  for (guint i = first; i < end; i++)
    {
      cairo_save (cr);
      cairo_scale (cr, 72 / DPI, 72 / DPI);
      cairo_set_source_surface (cr, pages[i], 0, 0);
      cairo_paint (cr);
      cairo_restore (cr);
      cairo_show_page (cr);
    }
  cairo_destroy (cr);
  cairo_surface_finish (pdf);
  if (cairo_surface_status (pdf) != CAIRO_STATUS_SUCCESS)
    g_error ("cannot write %s", path);
  cairo_surface_destroy (pdf);
}

/* ---- word recall ------------------------------------------------------------ */

static GHashTable *
word_counts (const char *text)
{
  GHashTable *counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *lower = g_utf8_strdown (text, -1);
  g_auto(GStrv) words = NULL;

  g_strdelimit (lower, ".,;:!?\"'()\n\t", ' ');
  words = g_strsplit (lower, " ", -1);
  for (guint i = 0; words[i] != NULL; i++)
    if (words[i][0] != '\0')
      {
        guint n = GPOINTER_TO_UINT (g_hash_table_lookup (counts, words[i]));

        g_hash_table_insert (counts, g_strdup (words[i]), GUINT_TO_POINTER (n + 1));
      }
  return counts;
}

/* Drawn words found in the recognised text, counted with multiplicity. */
static void
add_recall (const char *drawn,
            const char *found,
            guint64    *hits,
            guint64    *total)
{
  g_autoptr(GHashTable) want = word_counts (drawn);
  g_autoptr(GHashTable) got = word_counts (found != NULL ? found : "");
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, want);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      guint n = GPOINTER_TO_UINT (value);
      guint m = GPOINTER_TO_UINT (g_hash_table_lookup (got, key));

      *total += n;
      *hits += MIN (n, m);
    }
}

/* ---- runs -------------------------------------------------------------------- */

typedef struct {
  GPtrArray *inputs;        /* paths */
  GPtrArray *outputs;       /* recognised text per input (char*) */
  gint next;
  gboolean cli;
  char **envp;              /* for the CLI runs */
  const char *scratch;
  double pages;             /* total pages done (Docent runs) */
  GMutex lock;
} Run;

static void
run_docent_one (Run  *run,
                guint i)
{
  g_autoptr(GBytes) bytes = docent_test_read_bytes (run->inputs->pdata[i]);
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentExtracted) doc = docent_extract (bytes, NULL, &error);
  GString *text = g_string_new (NULL);

  if (doc == NULL)
    g_error ("%s: %s", (char *) run->inputs->pdata[i], error->message);
  for (guint p = 0; p < doc->pages->len; p++)
    {
      const DocentPage *page = doc->pages->pdata[p];

      if (!page->ocr)
        g_error ("%s: page %u was not OCR'd", (char *) run->inputs->pdata[i], p + 1);
      g_string_append_printf (text, "%s\n", page->text->str);
    }
  g_mutex_lock (&run->lock);
  run->pages += doc->pages->len;
  run->outputs->pdata[i] = g_string_free (text, FALSE);
  g_mutex_unlock (&run->lock);
}

static void
run_cli_one (Run  *run,
             guint i)
{
  g_autofree char *base = g_strdup_printf ("%s/cli-%03u", run->scratch, i);
  g_autofree char *txt = g_strconcat (base, ".txt", NULL);
  const char *argv[] = { "tesseract", run->inputs->pdata[i], base, NULL };
  g_autoptr(GError) error = NULL;
  char *text = NULL;
  int status;

  if (!g_spawn_sync (NULL, (char **) argv, run->envp, G_SPAWN_SEARCH_PATH |
                     G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, NULL, NULL, &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    g_error ("tesseract: %s", error->message);
  if (!g_file_get_contents (txt, &text, NULL, &error))
    g_error ("%s: %s", txt, error->message);
  g_mutex_lock (&run->lock);
  run->outputs->pdata[i] = text;
  g_mutex_unlock (&run->lock);
}

static gpointer
run_worker (gpointer data)
{
  Run *run = data;
  gint i;

  while ((i = g_atomic_int_add (&run->next, 1)) < (gint) run->inputs->len)
    {
      if (run->cli)
        run_cli_one (run, i);
      else
        run_docent_one (run, i);
    }
  docent_ocr_thread_cleanup ();
  return NULL;
}

/* Runs the inputs on `threads` threads; returns the wall time. */
static double
run_all (Run   *run,
         guint  threads)
{
  g_autoptr(GPtrArray) workers = g_ptr_array_new ();
  double start = now_s ();

  run->outputs = g_ptr_array_new_full (run->inputs->len, g_free);
  g_ptr_array_set_size (run->outputs, run->inputs->len);
  run->next = 0;
  g_mutex_init (&run->lock);
  for (guint t = 0; t < threads; t++)
    g_ptr_array_add (workers, g_thread_new ("bench-ocr", run_worker, run));
  for (guint t = 0; t < threads; t++)
    g_thread_join (workers->pdata[t]);
  g_mutex_clear (&run->lock);
  return now_s () - start;
}

static double
recall (Run         *run,
        GPtrArray   *drawn,
        gboolean     per_pdf,
        guint        pages_per_pdf)
{
  guint64 hits = 0, total = 0;

  if (!per_pdf)
    for (guint i = 0; i < run->inputs->len; i++)
      add_recall (drawn->pdata[i], run->outputs->pdata[i], &hits, &total);
  else
    for (guint i = 0; i < run->inputs->len; i++)
      {
        g_autoptr(GString) want = g_string_new (NULL);

        for (guint p = i * pages_per_pdf; p < MIN ((i + 1) * pages_per_pdf, drawn->len); p++)
          g_string_append (want, drawn->pdata[p]);
        add_recall (want->str, run->outputs->pdata[i], &hits, &total);
      }
  return total > 0 ? 100.0 * hits / total : 0;
}

static void
report (const char *what,
        double      wall,
        double      cpu,
        guint       pages,
        double      words)
{
  printf ("| %s | %.2f s | **%.2f s** | %.2f s | %.1f %% |\n",
          what, wall, wall / pages, cpu / pages, words);
  fflush (stdout);
}

int
main (int argc, char **argv)
{
  int n_pages = 8, n_threads = 2;
  g_autofree char *keep = NULL;
  GOptionEntry entries[] = {
    { "pages", 0, 0, G_OPTION_ARG_INT, &n_pages, "Pages to generate (8)", "N" },
    { "threads", 0, 0, G_OPTION_ARG_INT, &n_threads, "Threads / parallel processes (2)", "T" },
    { "keep", 0, 0, G_OPTION_ARG_FILENAME, &keep, "Write the pages into DIR and keep them", "DIR" },
    { NULL },
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— OCR seconds per page");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) drawn = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) pngs = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) pdfs = g_ptr_array_new_with_free_func (g_free);
  g_autofree cairo_surface_t **surfaces = NULL;
  g_auto(GStrv) env_limited = NULL;
  g_autofree char *scratch = NULL;
  guint per_pdf;
  Run run = { 0 };
  double wall, cpu0;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (!docent_ocr_available ())
    {
      g_printerr ("this build has no OCR (meson -Docr=enabled)\n");
      return 1;
    }
  n_pages = MAX (n_pages, 1);
  n_threads = MAX (n_threads, 1);
  scratch = keep != NULL ? g_strdup (keep) : docent_test_tmpdir ();
  g_mkdir_with_parents (scratch, 0700);

  printf ("%d pages of %dx%d pixels (US letter, 300 dpi, ~11 pt prose), %d threads, "
          "OMP_THREAD_LIMIT in this process: %s\n\n",
          n_pages, PAGE_W, PAGE_H, n_threads,
          g_getenv ("OMP_THREAD_LIMIT") ? g_getenv ("OMP_THREAD_LIMIT") : "unset");
  surfaces = g_new0 (cairo_surface_t *, n_pages);
  for (int i = 0; i < n_pages; i++)
    {
      GString *words = g_string_new (NULL);
      char *path = g_strdup_printf ("%s/page-%03d.png", scratch, i);

      surfaces[i] = draw_page (i, words);
      if (cairo_surface_write_to_png (surfaces[i], path) != CAIRO_STATUS_SUCCESS)
        g_error ("cannot write %s", path);
      g_ptr_array_add (pngs, path);
      g_ptr_array_add (drawn, g_string_free (words, FALSE));
    }
  per_pdf = (n_pages + n_threads - 1) / n_threads;
  for (int t = 0; t < n_threads && (guint) t * per_pdf < (guint) n_pages; t++)
    {
      char *path = g_strdup_printf ("%s/scan-%d.pdf", scratch, t);

      write_pdf (path, surfaces, t * per_pdf, MIN ((t + 1) * per_pdf, (guint) n_pages));
      g_ptr_array_add (pdfs, path);
    }
  for (int i = 0; i < n_pages; i++)
    cairo_surface_destroy (surfaces[i]);

  printf ("| run | wall | wall per page | CPU per page | words found |\n|---|---|---|---|---|\n");

  run = (Run) { .inputs = pngs, .scratch = scratch };
  cpu0 = cpu_s (RUSAGE_SELF);
  wall = run_all (&run, n_threads);
  report ("Docent, PNG → `docent_extract`", wall, cpu_s (RUSAGE_SELF) - cpu0, n_pages,
          recall (&run, drawn, FALSE, 0));
  g_ptr_array_unref (run.outputs);

  run = (Run) { .inputs = pdfs, .scratch = scratch };
  cpu0 = cpu_s (RUSAGE_SELF);
  wall = run_all (&run, n_threads);
  report ("Docent, scanned PDF (render + OCR)", wall, cpu_s (RUSAGE_SELF) - cpu0, n_pages,
          recall (&run, drawn, TRUE, per_pdf));
  g_ptr_array_unref (run.outputs);

  run = (Run) { .inputs = pngs, .scratch = scratch, .cli = TRUE };
  cpu0 = cpu_s (RUSAGE_CHILDREN);
  wall = run_all (&run, 1);
  report ("`tesseract` CLI, one page at a time, own OpenMP threads", wall,
          cpu_s (RUSAGE_CHILDREN) - cpu0, n_pages, recall (&run, drawn, FALSE, 0));
  g_ptr_array_unref (run.outputs);

  env_limited = g_environ_setenv (g_get_environ (), "OMP_THREAD_LIMIT", "1", TRUE);
  run = (Run) { .inputs = pngs, .scratch = scratch, .cli = TRUE, .envp = env_limited };
  cpu0 = cpu_s (RUSAGE_CHILDREN);
  wall = run_all (&run, n_threads);
  {
    g_autofree char *what = g_strdup_printf ("`tesseract` CLI, %d at once, OMP_THREAD_LIMIT=1",
                                             n_threads);

    report (what, wall, cpu_s (RUSAGE_CHILDREN) - cpu0, n_pages, recall (&run, drawn, FALSE, 0));
  }
  g_ptr_array_unref (run.outputs);

  {
    struct rusage ru;

    getrusage (RUSAGE_SELF, &ru);
    printf ("\npeak RSS of this process (Docent runs, %d engines): %ld MB\n",
            n_threads, ru.ru_maxrss / 1024);
  }
  if (keep == NULL)
    docent_test_rm_rf (scratch);
  return 0;
}
