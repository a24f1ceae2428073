/* bench-vectors.c — the semantic search layer: dense index, hybrid search
 * and embedding throughput.
 *
 *  1. Vectors (--sizes): N random 384-dimensional L2-normalised vectors
 *     (--data random: uniform on the sphere; --data clustered: a Gaussian
 *     mixture of --centres centres, queries drawn from the same mixture)
 *     are written to a real store (one chunk each, vectors under the
 *     embedder "bench:cls"), then for
 *       - FAISS's own IndexFlatIP, called directly through the C API,
 *       - DocentVectorIndex, exact kind (ivf_threshold 0),
 *       - DocentVectorIndex, IVF kind (ivf_threshold 1: IVF is tried at
 *         any size, with its nprobe calibration and its fallback to exact),
 *     it reports the build time (Docent: docent_vector_index_open_full on
 *     a missing cache file, i.e. rebuilt from SQLite and saved), memory
 *     (anonymous RSS kept after the build; peak RSS during it), the cache
 *     file size, the reopen time from that file (what every start costs),
 *     and the latency of single queries (k = 10) with recall@10 against
 *     exact search (FAISS flat over all the queries in one batch).
 *  2. Hybrid (--hybrid): a store of --hybrid-chunks chunks of Zipf prose
 *     (~230 words, like bench-ingest) with vectors of --data; --queries
 *     queries of 2–4 Zipf words, each with a query vector (drawn like the
 *     data), through docent_store_hybrid_search in bm25, dense and hybrid
 *     modes (query embedding excluded). The vector index is opened with
 *     --hybrid-threshold (default DOCENT_VECTORS_IVF_THRESHOLD).
 *  3. Embedding (--embed): the synthetic bge-small F16 model; 256 chunks of
 *     ~300 tokens of Zipf prose through docent_encoder_embed_texts in
 *     batches of 16, and bench-embed's own measure in the same run (64
 *     pre-tokenized passages of 128 tokens in one docent_encoder_embed_tokens
 *     call, best of 3).
 *
 * Usage: bench-vectors [--sizes 10000,100000,1000000] [--data random|clustered]
 *                      [--queries 1000] [--threads N] [--budget SECONDS]
 *                      [--centres 1000] [--noise 1.0]
 *                      [--hybrid] [--hybrid-chunks 100000] [--hybrid-threshold N]
 *                      [--embed] [--json]
 * Without --hybrid or --embed the vector section runs on the default sizes;
 * with either, it runs only when --sizes is given.
 *
 * Exact search over 1M vectors costs ~0.3 s a query on one core (Debian's
 * FAISS scores with a scalar loop), so single queries of one index stop
 * after --budget seconds (at least 100 queries): the number run is
 * reported. The indexes are built one after another and freed in between,
 * so that 1M vectors stay within ~6 GB. Human-readable output goes to
 * stdout, or to stderr with --json (then stdout carries one JSON object).
 * The machine may be shared: each query loop reports its CPU share, each
 * size the load average. */
#include <dlfcn.h>
#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <glib/gstdio.h>

#include <faiss/c_api/IndexFlat_c.h>
#include <faiss/c_api/Index_c.h>
#include <faiss/c_api/error_c.h>

#include "engine/encoder.h"
#include "engine/synth.h"
#include "engine/tokenizer.h"
#include "index/embeddings.h"
#include "index/hybrid.h"
#include "index/vectors.h"
#include "tests/fixtures.h"

#define DIM 384u
#define K 10u
#define EMBEDDER "bench:cls"
#define CHUNKS_PER_DOC 10000u
#define PUT_BATCH 10000u
#define MIN_QUERIES 100u

static FILE *out;             /* the human-readable report */

/* ---- clocks, memory ------------------------------------------------------ */

static double
now_s (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double
cpu_s (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A field of /proc/self/status in KiB (VmRSS, VmHWM, RssAnon), -1 if
 * absent. */
static gint64
status_kb (const char *field)
{
  g_autofree char *text = NULL;
  gsize len = strlen (field);

  if (!g_file_get_contents ("/proc/self/status", &text, NULL, NULL))
    return -1;
  for (char *line = text; line != NULL && *line != '\0';)
    {
      char *next = strchr (line, '\n');

      if (strncmp (line, field, len) == 0 && line[len] == ':')
        return g_ascii_strtoll (line + len + 1, NULL, 10);
      line = next ? next + 1 : NULL;
    }
  return -1;
}

/* Resets VmHWM to the current RSS (Linux >= 4.0), so that the peak of one
 * step can be read afterwards. */
static gboolean
reset_peak (void)
{
  FILE *f = fopen ("/proc/self/clear_refs", "w");
  gboolean ok;

  if (f == NULL)
    return FALSE;
  ok = fputs ("5", f) >= 0;
  return fclose (f) == 0 && ok;
}

/* The 1-minute load average: the machine may be shared. */
static double
load_average (void)
{
  g_autofree char *text = NULL;

  if (!g_file_get_contents ("/proc/loadavg", &text, NULL, NULL))
    return NAN;
  return g_ascii_strtod (text, NULL);
}

typedef struct {
  gint64 anon_kb, rss_kb;
  gboolean peak_ok;
} MemMark;

static void
mem_mark (MemMark *m)
{
  malloc_trim (0);
  m->anon_kb = status_kb ("RssAnon");
  m->rss_kb = status_kb ("VmRSS");
  m->peak_ok = reset_peak ();
}

/* The highest VmHWM read by mem_since(): the process peak over the
 * measured steps (each mark resets the high-water mark). */
static double process_peak_mb;

/* Anonymous memory kept since the mark (freed temporaries given back
 * first) and the peak RSS growth, in MB. */
static void
mem_since (const MemMark *m,
           double        *kept_mb,
           double        *peak_mb)
{
  gint64 hwm = status_kb ("VmHWM");

  process_peak_mb = MAX (process_peak_mb, hwm / 1024.0);
  *peak_mb = m->peak_ok && hwm >= 0 ? (hwm - m->rss_kb) / 1024.0 : NAN;
  malloc_trim (0);
  *kept_mb = (status_kb ("RssAnon") - m->anon_kb) / 1024.0;
}

/* FAISS runs OpenMP and OpenBLAS threads; neither is a direct dependency
 * of ours, so their setters are looked up in the loaded libraries. */
static void
set_library_threads (int n)
{
  void (*omp) (int) = (void (*) (int)) dlsym (RTLD_DEFAULT, "omp_set_num_threads");
  void (*blas) (int) = (void (*) (int)) dlsym (RTLD_DEFAULT, "openblas_set_num_threads");

  if (omp != NULL)
    omp (n);
  if (blas != NULL)
    blas (n);
}

static int
compare_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/* Percentile p (0..100) of n sorted values. */
static double
percentile (const double *sorted, guint n, double p)
{
  guint at;

  if (n == 0)
    return NAN;
  at = (guint) ceil (p / 100.0 * n);
  return sorted[MIN (MAX (at, 1u), n) - 1];
}

static double
file_mb (const char *path)
{
  GStatBuf st;

  return g_stat (path, &st) == 0 ? st.st_size / 1e6 : NAN;
}

/* ---- data -------------------------------------------------------------- */

typedef struct {
  guint64 s[4];
  gboolean have_spare;
  double spare;
} Rng;

static guint64
splitmix (guint64 *x)
{
  guint64 z = (*x += 0x9e3779b97f4a7c15ull);

  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static void
rng_init (Rng *r, guint64 seed)
{
  for (guint i = 0; i < 4; i++)
    r->s[i] = splitmix (&seed);
  r->have_spare = FALSE;
}

/* xoshiro256+ */
static guint64
rng_next (Rng *r)
{
  guint64 result = r->s[0] + r->s[3], t = r->s[1] << 17;

  r->s[2] ^= r->s[0];
  r->s[3] ^= r->s[1];
  r->s[1] ^= r->s[2];
  r->s[0] ^= r->s[3];
  r->s[2] ^= t;
  r->s[3] = (r->s[3] << 45) | (r->s[3] >> 19);
  return result;
}

static double
rng_uniform (Rng *r)          /* (0, 1) */
{
  return ((rng_next (r) >> 11) + 0.5) / 9007199254740992.0;
}

static double
rng_gauss (Rng *r)
{
  double u, v;

  if (r->have_spare)
    {
      r->have_spare = FALSE;
      return r->spare;
    }
  u = sqrt (-2.0 * log (rng_uniform (r)));
  v = 2.0 * G_PI * rng_uniform (r);
  r->spare = u * sin (v);
  r->have_spare = TRUE;
  return u * cos (v);
}

static void
normalize (float *v)
{
  double norm = 0;

  for (guint j = 0; j < DIM; j++)
    norm += (double) v[j] * v[j];
  norm = norm > 0 ? 1.0 / sqrt (norm) : 0;
  for (guint j = 0; j < DIM; j++)
    v[j] = (float) (v[j] * norm);
}

typedef enum { DATA_RANDOM, DATA_CLUSTERED } DataKind;

typedef struct {
  DataKind kind;
  guint n_centres;
  double noise;               /* norm of the noise added to a unit centre */
  float *centres;             /* n_centres × DIM */
} DataSpec;

static void
data_spec_init (DataSpec *d, DataKind kind, guint n_centres, double noise)
{
  Rng r;

  d->kind = kind;
  d->n_centres = n_centres;
  d->noise = noise;
  d->centres = NULL;
  if (kind != DATA_CLUSTERED)
    return;
  rng_init (&r, 3);
  d->centres = g_new (float, (gsize) n_centres * DIM);
  for (gsize i = 0; i < (gsize) n_centres * DIM; i++)
    d->centres[i] = (float) rng_gauss (&r);
  for (guint c = 0; c < n_centres; c++)
    normalize (d->centres + (gsize) c * DIM);
}

/* n vectors: uniform on the sphere, or a centre plus isotropic noise of
 * norm ~d->noise, normalised. */
static void
make_vectors (const DataSpec *d, guint64 seed, float *v, gsize n)
{
  double sigma = d->noise / sqrt ((double) DIM);
  Rng r;

  rng_init (&r, seed);
  for (gsize i = 0; i < n; i++)
    {
      float *x = v + i * DIM;

      if (d->kind == DATA_RANDOM)
        for (guint j = 0; j < DIM; j++)
          x[j] = (float) rng_gauss (&r);
      else
        {
          const float *c = d->centres + (rng_next (&r) % d->n_centres) * DIM;

          for (guint j = 0; j < DIM; j++)
            x[j] = c[j] + (float) (sigma * rng_gauss (&r));
        }
      normalize (x);
    }
}

/* ---- a store with N chunks and their vectors ---------------------------- */

static void
put_documents (DocentStore *store, guint n_chunks, const char *prefix)
{
  g_autofree DocentStoreChunk *chunks = g_new0 (DocentStoreChunk, CHUNKS_PER_DOC);
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);

  for (guint c = 0; c < CHUNKS_PER_DOC; c++)
    g_ptr_array_add (texts, g_strdup_printf ("c%u", c));
  for (guint d = 0; (guint64) d * CHUNKS_PER_DOC < n_chunks; d++)
    {
      g_autofree char *path = g_strdup_printf ("/bench/%s-%05u.txt", prefix, d);
      g_autofree char *sha = g_compute_checksum_for_string (G_CHECKSUM_SHA256, path, -1);
      g_autoptr(GError) error = NULL;
      DocentStorePage page = { .page_no = 1, .text = "" };
      DocentDocRecord rec = { .path = path, .sha256 = sha, .title = path, .type = "text",
                              .page_count = 1 };
      guint n = MIN (CHUNKS_PER_DOC, n_chunks - d * CHUNKS_PER_DOC);

      for (guint c = 0; c < n; c++)
        chunks[c] = (DocentStoreChunk) {
          .ordinal = c, .page_start = 1, .page_end = 1,
          .char_start = 0, .char_end = (guint) strlen (texts->pdata[c]),
          .text = texts->pdata[c],
        };
      if (docent_store_put_document (store, &rec, &page, 1, chunks, n, NULL, &error) == 0)
        g_error ("put_document: %s", error->message);
    }
}

/* The ids of the chunks without a vector, ascending. */
static GArray *
pending_ids (DocentStore *store)
{
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 after = 0;

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) batch = docent_store_pending_chunks (store, EMBEDDER, after,
                                                                PUT_BATCH, &error);

      if (batch == NULL)
        g_error ("pending_chunks: %s", error->message);
      if (batch->len == 0)
        break;
      for (guint i = 0; i < batch->len; i++)
        {
          DocentPendingChunk *c = batch->pdata[i];

          g_array_append_val (ids, c->chunk_id);
        }
      after = g_array_index (ids, gint64, ids->len - 1);
    }
  return ids;
}

static void
put_vectors (DocentStore *store, GArray *ids, const float *vectors)
{
  for (guint at = 0; at < ids->len; at += PUT_BATCH)
    {
      g_autoptr(GError) error = NULL;
      guint n = MIN (PUT_BATCH, ids->len - at);

      if (!docent_store_put_embeddings (store, EMBEDDER, &g_array_index (ids, gint64, at),
                                        vectors + (gsize) at * DIM, n, DIM, &error))
        g_error ("put_embeddings: %s", error->message);
    }
}

/* ---- 1. vectors -------------------------------------------------------- */

typedef struct {
  const char *name;
  gboolean ran;
  double build_s, kept_mb, peak_mb, cache_mb;
  double reopen_s, reopen_kept_mb, reopen_peak_mb;
  gboolean reopen_loaded;
  DocentVectorKind kind;
  guint nlist, nprobe;
  gboolean fell_back;         /* IVF asked for, exact built */
  guint queries;
  double p50_ms, p95_ms, mean_ms, recall;
  double cpu_share;           /* CPU s / wall s of the query loop (1 thread
                               * undisturbed: ~1.0; less: preempted) */
} Method;

typedef struct {
  guint n;
  double gen_s, docs_s, vectors_s, truth_s;
  double top1_sim, top10_sim;  /* mean similarity of the true 1st and 10th */
  double load_start, load_end;
  double process_peak_mb;     /* VmHWM of the whole process so far */
  Method flat, exact, ivf;
} SizeResult;

typedef struct {
  guint n_queries;
  const float *queries;
  const gint64 *truth;        /* n_queries × K positions 0..N-1 */
  const gint64 *ids;          /* position → chunk id, ascending */
  guint n;
  double budget_s;
} QuerySet;

static gint64
position_of (const QuerySet *qs, gint64 chunk_id)
{
  guint lo = 0, hi = qs->n;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (qs->ids[mid] < chunk_id)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo < qs->n && qs->ids[lo] == chunk_id ? (gint64) lo : -1;
}

static guint
overlap (const gint64 *truth, const gint64 *got, guint n_got)
{
  guint found = 0;

  for (guint i = 0; i < K; i++)
    for (guint j = 0; j < n_got; j++)
      if (got[j] == truth[i] && truth[i] >= 0)
        {
          found++;
          break;
        }
  return found;
}

static void
finish_latencies (Method *m, GArray *ms, guint found, double wall0, double cpu0)
{
  double sum = 0;

  m->cpu_share = (cpu_s () - cpu0) / (now_s () - wall0);
  g_array_sort (ms, compare_double);
  for (guint i = 0; i < ms->len; i++)
    sum += g_array_index (ms, double, i);
  m->queries = ms->len;
  m->p50_ms = percentile ((double *) (gpointer) ms->data, ms->len, 50);
  m->p95_ms = percentile ((double *) (gpointer) ms->data, ms->len, 95);
  m->mean_ms = ms->len ? sum / ms->len : NAN;
  m->recall = ms->len ? (double) found / ((double) ms->len * K) : NAN;
}

static void
query_flat (Method *m, FaissIndex *flat, const QuerySet *qs)
{
  g_autoptr(GArray) ms = g_array_new (FALSE, FALSE, sizeof (double));
  double start = now_s (), cpu0 = cpu_s ();
  guint found = 0;

  for (guint q = 0; q < qs->n_queries; q++)
    {
      float scores[K];
      gint64 labels[K];
      double t = now_s ();

      if (faiss_Index_search (flat, 1, qs->queries + (gsize) q * DIM, K, scores, labels) != 0)
        g_error ("faiss search: %s", faiss_get_last_error ());
      t = (now_s () - t) * 1000;
      g_array_append_val (ms, t);
      found += overlap (qs->truth + (gsize) q * K, labels, K);
      if (q + 1 >= MIN_QUERIES && now_s () - start > qs->budget_s)
        break;
    }
  finish_latencies (m, ms, found, start, cpu0);
}

static void
query_docent (Method *m, DocentVectorIndex *vi, const QuerySet *qs)
{
  g_autoptr(GArray) ms = g_array_new (FALSE, FALSE, sizeof (double));
  double start = now_s (), cpu0 = cpu_s ();
  guint found = 0;

  for (guint q = 0; q < qs->n_queries; q++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GArray) hits = NULL;
      gint64 got[K];
      double t = now_s ();

      hits = docent_vector_index_search (vi, qs->queries + (gsize) q * DIM, K, NULL, &error);
      t = (now_s () - t) * 1000;
      if (hits == NULL)
        g_error ("docent search: %s", error->message);
      g_array_append_val (ms, t);
      for (guint i = 0; i < MIN (hits->len, K); i++)
        got[i] = position_of (qs, g_array_index (hits, DocentVectorHit, i).chunk_id);
      found += overlap (qs->truth + (gsize) q * K, got, MIN (hits->len, K));
      if (q + 1 >= MIN_QUERIES && now_s () - start > qs->budget_s)
        break;
    }
  finish_latencies (m, ms, found, start, cpu0);
}

static DocentVectorIndex *
open_index (DocentStore *store, const char *path, guint64 threshold)
{
  g_autoptr(GError) error = NULL;
  DocentVectorIndex *vi = docent_vector_index_open_full (store, path, EMBEDDER, DIM,
                                                         threshold, &error);

  if (vi == NULL)
    g_error ("open %s: %s", path, error->message);
  return vi;
}

static void
bench_docent (Method        *m,
              const char    *name,
              DocentStore   *store,
              const char    *dir,
              guint64        threshold,
              const QuerySet *qs)
{
  g_autofree char *path = g_strdup_printf ("%s/vectors-%s.faiss", dir, name);
  DocentVectorIndex *vi;
  DocentVectorStats st;
  MemMark mark;
  double t;

  m->name = name;
  m->ran = TRUE;
  g_unlink (path);
  fprintf (stderr, "  %s: building…\n", name);
  mem_mark (&mark);
  t = now_s ();
  vi = open_index (store, path, threshold);
  m->build_s = now_s () - t;
  mem_since (&mark, &m->kept_mb, &m->peak_mb);
  m->cache_mb = file_mb (path);
  docent_vector_index_stats (vi, &st);
  if (st.outcome != DOCENT_VECTORS_REBUILT)
    g_warning ("%s: expected a rebuild, got outcome %d", name, st.outcome);
  m->kind = st.kind;
  m->nprobe = st.nprobe;
  /* Falling back keeps the calibrated nprobe but reports no lists: the
   * list count is the one vectors.c derives from the size. */
  m->nlist = st.kind == DOCENT_VECTORS_IVF
             ? st.nlist : (guint) CLAMP (sqrt ((double) qs->n), 16.0, 4096.0);
  m->fell_back = threshold > 0 && st.kind == DOCENT_VECTORS_EXACT;
  if (threshold == 0)
    m->nlist = m->nprobe = 0;
  fprintf (stderr, "  %s: querying…\n", name);
  query_docent (m, vi, qs);
  docent_vector_index_free (vi);

  mem_mark (&mark);
  t = now_s ();
  vi = open_index (store, path, threshold);
  m->reopen_s = now_s () - t;
  mem_since (&mark, &m->reopen_kept_mb, &m->reopen_peak_mb);
  docent_vector_index_stats (vi, &st);
  m->reopen_loaded = st.outcome == DOCENT_VECTORS_LOADED;
  docent_vector_index_free (vi);
  malloc_trim (0);
}

static void
print_method (const Method *m, const char *label)
{
  g_autofree char *kind = NULL;
  char cache[16] = "—", reopen[16] = "—";

  if (!m->ran)
    return;
  if (strcmp (m->name, "faiss-flat") == 0)
    kind = g_strdup ("flat");
  else if (m->nlist == 0)
    kind = g_strdup ("exact");
  else if (m->fell_back)
    kind = g_strdup_printf ("exact (IVF needs %u/%u)", m->nprobe, m->nlist);
  else
    kind = g_strdup_printf ("IVF %u/%u", m->nprobe, m->nlist);
  if (!isnan (m->cache_mb))
    {
      g_snprintf (cache, sizeof cache, "%.0f", m->cache_mb);
      g_snprintf (reopen, sizeof reopen, "%.2f%s", m->reopen_s, m->reopen_loaded ? "" : "!");
    }
  fprintf (out, "  %-19s %-25s %8.2f %7.0f %7.0f %7s %7s %5u %8.3f %8.3f %7.4f %5.2f\n",
           label, kind, m->build_s, m->kept_mb, m->peak_mb, cache, reopen, m->queries,
           m->p50_ms, m->p95_ms, m->recall, m->cpu_share);
}

static void
print_size (const SizeResult *r, const DataSpec *d)
{
  fprintf (out, "\n%u vectors (%s, %u-d), k=%u; load average %.2f before, %.2f after\n",
           r->n, d->kind == DATA_RANDOM ? "random" : "clustered", DIM, K,
           r->load_start, r->load_end);
  fprintf (out, "  generate %.1f s; store fill (not in build): documents %.1f s, "
           "vectors %.1f s; ground truth (FAISS flat, one batch) %.1f s\n",
           r->gen_s, r->docs_s, r->vectors_s, r->truth_s);
  fprintf (out, "  true neighbours: mean similarity of the 1st %.3f, of the 10th %.3f; "
           "process peak RSS %.0f MB\n", r->top1_sim, r->top10_sim, r->process_peak_mb);
  fprintf (out, "  %-19s %-25s %8s %7s %7s %7s %7s %5s %8s %8s %7s %5s\n",
           "index", "kind (nprobe/nlist)", "build s", "mem MB", "peak MB", "file MB",
           "reopen", "q", "p50 ms", "p95 ms", "rec@10", "cpu");
  print_method (&r->flat, "FAISS IndexFlatIP");
  print_method (&r->exact, "Docent exact");
  print_method (&r->ivf, "Docent IVF (thr. 1)");
  fflush (out);
}

static void
bench_size (SizeResult *r, guint n, const DataSpec *d, guint n_queries, double budget,
            const char *scratch)
{
  g_autofree char *dir = g_strdup_printf ("%s/vectors-%u", scratch, n);
  g_autofree char *db = g_build_filename (dir, "library.db", NULL);
  g_autofree float *data = g_new (float, (gsize) n * DIM);
  g_autofree float *queries = g_new (float, (gsize) n_queries * DIM);
  g_autofree float *truth_scores = g_new (float, (gsize) n_queries * K);
  g_autofree gint64 *truth = g_new (gint64, (gsize) n_queries * K);
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentStore) store = NULL;
  g_autoptr(GArray) ids = NULL;
  FaissIndexFlatIP *flat = NULL;
  QuerySet qs;
  MemMark mark;
  double t;

  memset (r, 0, sizeof *r);
  r->n = n;
  r->load_start = load_average ();
  fprintf (stderr, "%u vectors: generating…\n", n);
  t = now_s ();
  make_vectors (d, 1000 + n, data, n);
  make_vectors (d, 7, queries, n_queries);
  r->gen_s = now_s () - t;

  g_mkdir_with_parents (dir, 0700);
  store = docent_store_open (db, &error);
  if (store == NULL)
    g_error ("%s", error->message);
  fprintf (stderr, "  filling the store…\n");
  t = now_s ();
  put_documents (store, n, "vec");
  r->docs_s = now_s () - t;
  t = now_s ();
  ids = pending_ids (store);
  if (ids->len != n)
    g_error ("expected %u chunks, found %u", n, ids->len);
  put_vectors (store, ids, data);
  r->vectors_s = now_s () - t;

  /* FAISS flat, directly: build = add. */
  fprintf (stderr, "  FAISS flat…\n");
  r->flat.name = "faiss-flat";
  r->flat.ran = TRUE;
  r->flat.cache_mb = NAN;
  mem_mark (&mark);
  t = now_s ();
  if (faiss_IndexFlatIP_new_with (&flat, DIM) != 0 ||
      faiss_Index_add (flat, n, data) != 0)
    g_error ("faiss: %s", faiss_get_last_error ());
  r->flat.build_s = now_s () - t;
  mem_since (&mark, &r->flat.kept_mb, &r->flat.peak_mb);
  g_clear_pointer (&data, g_free);        /* the store and FAISS hold them now */
  malloc_trim (0);

  t = now_s ();
  if (faiss_Index_search (flat, n_queries, queries, K, truth_scores, truth) != 0)
    g_error ("faiss: %s", faiss_get_last_error ());
  r->truth_s = now_s () - t;
  for (guint q = 0; q < n_queries; q++)
    {
      r->top1_sim += truth_scores[(gsize) q * K] / n_queries;
      r->top10_sim += truth_scores[(gsize) q * K + K - 1] / n_queries;
    }

  qs = (QuerySet) {
    .n_queries = n_queries, .queries = queries, .truth = truth,
    .ids = (const gint64 *) (gpointer) ids->data, .n = n, .budget_s = budget,
  };
  query_flat (&r->flat, flat, &qs);
  faiss_Index_free (flat);
  malloc_trim (0);

  bench_docent (&r->exact, "exact", store, dir, 0, &qs);
  bench_docent (&r->ivf, "ivf", store, dir, 1, &qs);
  r->load_end = load_average ();
  r->process_peak_mb = MAX (process_peak_mb, status_kb ("VmHWM") / 1024.0);
  g_clear_pointer (&store, docent_store_close);
  docent_test_rm_rf (dir);
}

/* ---- 2. hybrid --------------------------------------------------------- */

typedef struct {
  gboolean ran;
  guint chunks, queries;
  double docs_s, vectors_s, index_s;
  DocentVectorKind kind;
  guint nlist, nprobe;
  guint64 threshold;
  DataKind data;
  double p50[3], p95[3], mean[3], fts[3], vec[3], fuse[3];
} HybridResult;

static void
bench_hybrid (HybridResult   *h,
              guint           n_chunks,
              guint           n_queries,
              const DataSpec *spec,
              guint64         threshold,
              const char     *scratch)
{
  g_autofree char *dir = g_build_filename (scratch, "hybrid", NULL);
  g_autofree char *db = g_build_filename (dir, "library.db", NULL);
  g_autofree char *index_path = NULL;
  g_autoptr(DocentTestZipf) z = docent_test_zipf_new (20000, 42);
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentStore) store = NULL;
  g_autoptr(DocentVectorIndex) vi = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autofree float *vectors = NULL;
  g_autofree float *qvecs = g_new (float, (gsize) n_queries * DIM);
  GArray *ms[3];
  DocentVectorStats st;
  double t;

  h->ran = TRUE;
  h->chunks = n_chunks;
  h->queries = n_queries;
  g_mkdir_with_parents (dir, 0700);
  store = docent_store_open (db, &error);
  if (store == NULL)
    g_error ("%s", error->message);
  fprintf (stderr, "hybrid: %u chunks of Zipf prose…\n", n_chunks);
  t = now_s ();
  for (guint d = 0; d * 50 < n_chunks; d++)
    {
      g_autofree char *path = g_strdup_printf ("/bench/doc-%06u.txt", d);
      g_autofree char *sha = g_compute_checksum_for_string (G_CHECKSUM_SHA256, path, -1);
      g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
      DocentStoreChunk chunks[50];
      DocentStorePage page = { .page_no = 1, .text = "" };
      DocentDocRecord rec = { .path = path, .sha256 = sha, .title = path, .type = "text",
                              .page_count = 1 };
      guint n = MIN (50u, n_chunks - d * 50);

      for (guint c = 0; c < n; c++)
        {
          char *text = docent_test_zipf_text (z, 230);

          g_ptr_array_add (texts, text);
          chunks[c] = (DocentStoreChunk) {
            .ordinal = c, .page_start = 1, .page_end = 1,
            .char_start = 0, .char_end = (guint) g_utf8_strlen (text, -1), .text = text,
          };
        }
      if (docent_store_put_document (store, &rec, &page, 1, chunks, n, NULL, &error) == 0)
        g_error ("put_document: %s", error->message);
    }
  h->docs_s = now_s () - t;
  t = now_s ();
  ids = pending_ids (store);
  vectors = g_new (float, (gsize) ids->len * DIM);
  make_vectors (spec, 11, vectors, ids->len);
  put_vectors (store, ids, vectors);
  g_clear_pointer (&vectors, g_free);
  h->vectors_s = now_s () - t;

  index_path = docent_vector_index_path (dir, EMBEDDER);
  t = now_s ();
  vi = docent_vector_index_open_full (store, index_path, EMBEDDER, DIM, threshold, &error);
  if (vi == NULL)
    g_error ("%s", error->message);
  h->index_s = now_s () - t;
  docent_vector_index_stats (vi, &st);
  h->kind = st.kind;
  h->nlist = st.nlist;
  h->nprobe = st.nprobe;
  h->threshold = threshold;
  h->data = spec->kind;
  make_vectors (spec, 13, qvecs, n_queries);

  fprintf (stderr, "hybrid: %u queries…\n", n_queries);
  for (guint m = 0; m < 3; m++)
    ms[m] = g_array_new (FALSE, FALSE, sizeof (double));
  for (guint q = 0; q < n_queries; q++)
    {
      guint n_words = 2 + docent_test_zipf_random (z) % 3;
      GString *query = g_string_new (NULL);

      for (guint w = 0; w < n_words; w++)
        {
          if (w > 0)
            g_string_append_c (query, ' ');
          g_string_append (query, docent_test_zipf_word (z));
        }
      /* The modes take turns on each query, so that they see the same
       * cache state. */
      for (DocentSearchMode mode = DOCENT_SEARCH_BM25; mode <= DOCENT_SEARCH_HYBRID; mode++)
        {
          DocentHybridOptions opts = {
            .base = { .query = query->str, .limit = K },
            .mode = mode,
            .vectors = vi,
            .embedder = EMBEDDER,
            .query_vector = qvecs + (gsize) q * DIM,
            .dim = DIM,
          };
          DocentHybridTimings tm = { 0 };
          g_autoptr(GPtrArray) hits = NULL;
          double elapsed;

          t = now_s ();
          hits = docent_store_hybrid_search (store, &opts, &tm, &error);
          elapsed = (now_s () - t) * 1000;
          if (hits == NULL)
            g_error ("hybrid search (%s): %s", query->str, error->message);
          g_array_append_val (ms[mode], elapsed);
          h->fts[mode] += tm.fts_ms / n_queries;
          h->vec[mode] += tm.vector_ms / n_queries;
          h->fuse[mode] += tm.fuse_ms / n_queries;
          h->mean[mode] += elapsed / n_queries;
        }
      g_string_free (query, TRUE);
    }
  for (guint m = 0; m < 3; m++)
    {
      g_array_sort (ms[m], compare_double);
      h->p50[m] = percentile ((double *) (gpointer) ms[m]->data, ms[m]->len, 50);
      h->p95[m] = percentile ((double *) (gpointer) ms[m]->data, ms[m]->len, 95);
      g_array_unref (ms[m]);
    }
  g_clear_pointer (&vi, docent_vector_index_free);
  g_clear_pointer (&store, docent_store_close);
  docent_test_rm_rf (dir);

  {
    g_autofree char *kind = h->kind == DOCENT_VECTORS_IVF
                            ? g_strdup_printf ("IVF, nprobe %u of %u lists", h->nprobe, h->nlist)
                            : g_strdup ("exact");

    fprintf (out, "\nhybrid search, %u chunks of ~230 Zipf words, %s vectors "
             "(IVF threshold %" G_GUINT64_FORMAT ": %s index), %u queries of 2–4 Zipf words "
             "with a query vector, k=%u; load average %.2f after\n", n_chunks,
             h->data == DATA_RANDOM ? "random" : "clustered", threshold, kind, n_queries, K,
             load_average ());
  }
  fprintf (out, "  store fill (not timed below): documents %.1f s, vectors %.1f s; "
           "index build %.2f s\n", h->docs_s, h->vectors_s, h->index_s);
  fprintf (out, "  %-7s %8s %8s %8s   %8s %8s %8s\n", "mode", "p50 ms", "p95 ms", "mean",
           "fts", "vector", "fuse");
  for (DocentSearchMode m = DOCENT_SEARCH_BM25; m <= DOCENT_SEARCH_HYBRID; m++)
    fprintf (out, "  %-7s %8.2f %8.2f %8.2f   %8.2f %8.2f %8.2f\n",
             docent_search_mode_to_string (m), h->p50[m], h->p95[m], h->mean[m],
             h->fts[m], h->vec[m], h->fuse[m]);
  fflush (out);
}

/* ---- 3. embedding ------------------------------------------------------ */

typedef struct {
  gboolean ran;
  guint chunks, batch, threads;
  double tokens_per_chunk, seconds, chunks_per_s, tokens_per_s;
  double tokens_path_best;     /* bench-embed's measure */
} EmbedResult;

/* Tokens the encoder sees for `text` (truncated to the context when
 * `truncate`, as docent_encoder_embed_texts does). */
static guint
count_tokens (DocentModel *model, const char *text, gboolean truncate)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (DocentToken));
  guint n_ctx = docent_model_info (model)->n_ctx_train;

  if (!docent_tokenizer_encode (docent_model_tokenizer (model), text, -1,
                                DOCENT_ENCODE_ADD_SPECIAL, ids, NULL))
    g_error ("cannot tokenize");
  return truncate && n_ctx > 0 ? MIN (ids->len, n_ctx) : ids->len;
}

static void
bench_embed (EmbedResult *e, guint threads, const char *scratch)
{
  enum { CHUNKS = 256, BATCH = 16, TARGET_TOKENS = 300,
         PATH_PASSAGES = 64, PATH_TOKENS = 128, PATH_REPEAT = 3 };
  g_autofree char *path = g_build_filename (scratch, "bge-small-f16.gguf", NULL);
  g_autoptr(DocentTestZipf) z = docent_test_zipf_new (20000, 42);
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentModel) model = NULL;
  g_autoptr(DocentThreadPool) pool = NULL;
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  g_autofree float *vecs = NULL;
  g_autofree gint32 *ids = NULL;
  g_autofree const gint32 **seqs = NULL;
  g_autofree guint *lengths = NULL;
  const DocentModelInfo *info;
  guint32 type;
  guint n_words;
  guint64 tokens = 0;
  double t;

  e->ran = TRUE;
  e->chunks = CHUNKS;
  e->batch = BATCH;
  e->threads = threads;
  fprintf (stderr, "embed: writing the synthetic bge-small F16 model…\n");
  if (!docent_synth_parse_type ("F16", &type) ||
      !docent_synth_write (docent_synth_shape ("bge-small"), type, 42, path, &error))
    g_error ("synth: %s", error ? error->message : "no F16");
  model = docent_model_load (path, &error);
  if (model == NULL)
    g_error ("%s: %s", path, error->message);
  info = docent_model_info (model);
  pool = docent_thread_pool_new (threads);

  /* Words per chunk for ~300 tokens with this vocabulary. */
  {
    g_autofree char *sample = docent_test_zipf_text (z, 400);
    double per_word = (count_tokens (model, sample, FALSE) - 2) / 400.0;

    n_words = (guint) MAX (1.0, round ((TARGET_TOKENS - 2) / per_word));
  }
  for (guint i = 0; i < CHUNKS; i++)
    {
      char *text = docent_test_zipf_text (z, n_words);

      tokens += count_tokens (model, text, TRUE);
      g_ptr_array_add (texts, text);
    }
  e->tokens_per_chunk = (double) tokens / CHUNKS;
  vecs = g_new (float, (gsize) CHUNKS * info->n_embd);

  /* One untimed batch first: page the weights in. */
  if (!docent_encoder_embed_texts (model, pool, (const char *const *) texts->pdata, BATCH,
                                   vecs, &error))
    g_error ("embed: %s", error->message);
  fprintf (stderr, "embed: %u chunks of ~%.0f tokens…\n", CHUNKS, e->tokens_per_chunk);
  t = now_s ();
  for (guint at = 0; at < CHUNKS; at += BATCH)
    if (!docent_encoder_embed_texts (model, pool, (const char *const *) texts->pdata + at,
                                     MIN (BATCH, CHUNKS - at),
                                     vecs + (gsize) at * info->n_embd, &error))
      g_error ("embed: %s", error->message);
  e->seconds = now_s () - t;
  e->chunks_per_s = CHUNKS / e->seconds;
  e->tokens_per_s = tokens / e->seconds;

  /* bench-embed's measure: pre-tokenized ids, one call, best of 3. */
  ids = g_new (gint32, (gsize) PATH_PASSAGES * PATH_TOKENS);
  seqs = g_new (const gint32 *, PATH_PASSAGES);
  lengths = g_new (guint, PATH_PASSAGES);
  for (guint p = 0; p < PATH_PASSAGES; p++)
    {
      gint32 *seq = ids + (gsize) p * PATH_TOKENS;

      for (guint i = 0; i < PATH_TOKENS; i++)
        seq[i] = (gint32) (1000 + (p * 7919 + i * 104729) % (info->n_vocab - 1000));
      seq[0] = docent_tokenizer_cls (docent_model_tokenizer (model));
      seq[PATH_TOKENS - 1] = docent_tokenizer_sep (docent_model_tokenizer (model));
      seqs[p] = seq;
      lengths[p] = PATH_TOKENS;
    }
  g_free (vecs);
  vecs = g_new (float, (gsize) PATH_PASSAGES * info->n_embd);
  for (guint rep = 0; rep < PATH_REPEAT; rep++)
    {
      t = now_s ();
      if (!docent_encoder_embed_tokens (model, pool, seqs, lengths, PATH_PASSAGES, TRUE,
                                        vecs, &error))
        g_error ("embed: %s", error->message);
      e->tokens_path_best = MAX (e->tokens_path_best,
                                 (double) PATH_PASSAGES * PATH_TOKENS / (now_s () - t));
    }
  g_unlink (path);

  fprintf (out, "\nembedding, synthetic bge-small F16 (384-d, 12 layers), %u threads\n", threads);
  fprintf (out, "  docent_encoder_embed_texts, %u chunks of %.0f tokens (Zipf prose, "
           "tokenized in the call), batches of %u: %.2f s, %.1f chunks/s, %.0f tokens/s\n",
           CHUNKS, e->tokens_per_chunk, BATCH, e->seconds, e->chunks_per_s, e->tokens_per_s);
  fprintf (out, "  bench-embed's measure (docent_encoder_embed_tokens, %u × %u pre-tokenized "
           "ids in one call, best of %u): %.0f tokens/s\n", PATH_PASSAGES, PATH_TOKENS,
           PATH_REPEAT, e->tokens_path_best);
  fflush (out);
}

/* ---- JSON -------------------------------------------------------------- */

static void
json_num (GString *s, const char *key, double v, gboolean comma)
{
  if (isnan (v) || isinf (v))
    g_string_append_printf (s, "\"%s\": null", key);
  else
    g_string_append_printf (s, "\"%s\": %.6g", key, v);
  if (comma)
    g_string_append (s, ", ");
}

static void
json_method (GString *s, const Method *m)
{
  g_string_append_printf (s, "\"%s\": {", m->name);
  json_num (s, "build_s", m->build_s, TRUE);
  json_num (s, "memory_mb", m->kept_mb, TRUE);
  json_num (s, "peak_mb", m->peak_mb, TRUE);
  json_num (s, "cache_mb", m->cache_mb, TRUE);
  if (strcmp (m->name, "faiss-flat") != 0)
    {
      json_num (s, "reopen_s", m->reopen_s, TRUE);
      json_num (s, "reopen_memory_mb", m->reopen_kept_mb, TRUE);
      g_string_append_printf (s, "\"reopen_loaded\": %s, ", m->reopen_loaded ? "true" : "false");
      g_string_append_printf (s, "\"kind\": \"%s\", ",
                              m->kind == DOCENT_VECTORS_IVF ? "ivf" : "exact");
      g_string_append_printf (s, "\"nlist\": %u, \"nprobe\": %u, \"fell_back\": %s, ",
                              m->nlist, m->nprobe, m->fell_back ? "true" : "false");
    }
  g_string_append_printf (s, "\"queries\": %u, ", m->queries);
  json_num (s, "p50_ms", m->p50_ms, TRUE);
  json_num (s, "p95_ms", m->p95_ms, TRUE);
  json_num (s, "mean_ms", m->mean_ms, TRUE);
  json_num (s, "recall_at_10", m->recall, TRUE);
  json_num (s, "cpu_share", m->cpu_share, FALSE);
  g_string_append (s, "}");
}

static char *
to_json (GArray *sizes, const DataSpec *d, guint n_queries, guint threads,
         const HybridResult *h, const EmbedResult *e)
{
  GString *s = g_string_new ("{");

  g_string_append_printf (s, "\"dim\": %u, \"k\": %u, \"threads\": %u, \"queries\": %u, "
                          "\"data\": \"%s\", ", DIM, K, threads, n_queries,
                          d->kind == DATA_RANDOM ? "random" : "clustered");
  if (d->kind == DATA_CLUSTERED)
    {
      g_string_append_printf (s, "\"centres\": %u, ", d->n_centres);
      json_num (s, "noise", d->noise, TRUE);
    }
  g_string_append (s, "\"sizes\": [");
  for (guint i = 0; i < sizes->len; i++)
    {
      const SizeResult *r = &g_array_index (sizes, SizeResult, i);

      g_string_append_printf (s, "%s{\"n\": %u, ", i ? ", " : "", r->n);
      json_num (s, "store_documents_s", r->docs_s, TRUE);
      json_num (s, "store_vectors_s", r->vectors_s, TRUE);
      json_num (s, "truth_s", r->truth_s, TRUE);
      json_num (s, "top1_similarity", r->top1_sim, TRUE);
      json_num (s, "top10_similarity", r->top10_sim, TRUE);
      json_num (s, "load_start", r->load_start, TRUE);
      json_num (s, "load_end", r->load_end, TRUE);
      json_num (s, "process_peak_mb", r->process_peak_mb, TRUE);
      json_method (s, &r->flat);
      g_string_append (s, ", ");
      json_method (s, &r->exact);
      g_string_append (s, ", ");
      json_method (s, &r->ivf);
      g_string_append (s, "}");
    }
  g_string_append (s, "]");
  if (h->ran)
    {
      g_string_append_printf (s, ", \"hybrid\": {\"chunks\": %u, \"queries\": %u, "
                              "\"vectors\": \"%s\", \"ivf_threshold\": %" G_GUINT64_FORMAT ", "
                              "\"vector_kind\": \"%s\", \"nlist\": %u, \"nprobe\": %u, ",
                              h->chunks, h->queries,
                              h->data == DATA_RANDOM ? "random" : "clustered", h->threshold,
                              h->kind == DOCENT_VECTORS_IVF ? "ivf" : "exact",
                              h->nlist, h->nprobe);
      json_num (s, "store_documents_s", h->docs_s, TRUE);
      json_num (s, "store_vectors_s", h->vectors_s, TRUE);
      json_num (s, "index_build_s", h->index_s, TRUE);
      for (DocentSearchMode m = DOCENT_SEARCH_BM25; m <= DOCENT_SEARCH_HYBRID; m++)
        {
          g_string_append_printf (s, "\"%s\": {", docent_search_mode_to_string (m));
          json_num (s, "p50_ms", h->p50[m], TRUE);
          json_num (s, "p95_ms", h->p95[m], TRUE);
          json_num (s, "mean_ms", h->mean[m], TRUE);
          json_num (s, "fts_ms", h->fts[m], TRUE);
          json_num (s, "vector_ms", h->vec[m], TRUE);
          json_num (s, "fuse_ms", h->fuse[m], FALSE);
          g_string_append (s, m < DOCENT_SEARCH_HYBRID ? "}, " : "}");
        }
      g_string_append (s, "}");
    }
  if (e->ran)
    {
      g_string_append_printf (s, ", \"embed\": {\"model\": \"bge-small F16 (synthetic)\", "
                              "\"chunks\": %u, \"batch\": %u, ", e->chunks, e->batch);
      json_num (s, "tokens_per_chunk", e->tokens_per_chunk, TRUE);
      json_num (s, "seconds", e->seconds, TRUE);
      json_num (s, "chunks_per_s", e->chunks_per_s, TRUE);
      json_num (s, "tokens_per_s", e->tokens_per_s, TRUE);
      json_num (s, "bench_embed_tokens_per_s", e->tokens_path_best, FALSE);
      g_string_append (s, "}");
    }
  g_string_append (s, "}\n");
  return g_string_free (s, FALSE);
}

/* ---- main -------------------------------------------------------------- */

int
main (int argc, char **argv)
{
  g_autofree char *sizes = NULL, *data_name = NULL;
  gint n_queries = 1000, threads = (gint) g_get_num_processors (), centres = 1000;
  gint hybrid_chunks = 100000;
  gint64 hybrid_threshold = DOCENT_VECTORS_IVF_THRESHOLD;
  double budget = 30, noise = 1.0;
  gboolean hybrid = FALSE, embed = FALSE, json = FALSE;
  const GOptionEntry entries[] = {
    { "sizes", 0, 0, G_OPTION_ARG_STRING, &sizes, "Vector counts (default 10000,100000,1000000)", "LIST" },
    { "data", 0, 0, G_OPTION_ARG_STRING, &data_name, "random (default) or clustered", "KIND" },
    { "queries", 0, 0, G_OPTION_ARG_INT, &n_queries, "Queries (default 1000)", "N" },
    { "threads", 0, 0, G_OPTION_ARG_INT, &threads, "Threads for FAISS (OpenMP, BLAS) and the encoder (default: processors)", "N" },
    { "budget", 0, 0, G_OPTION_ARG_DOUBLE, &budget, "Seconds of single queries per index at most (default 30; at least 100 queries)", "S" },
    { "centres", 0, 0, G_OPTION_ARG_INT, &centres, "Clustered data: mixture components (default 1000)", "N" },
    { "noise", 0, 0, G_OPTION_ARG_DOUBLE, &noise, "Clustered data: norm of the noise around a unit centre (default 1.0)", "X" },
    { "hybrid", 0, 0, G_OPTION_ARG_NONE, &hybrid, "Hybrid search latency", NULL },
    { "hybrid-chunks", 0, 0, G_OPTION_ARG_INT, &hybrid_chunks, "Chunks for --hybrid (default 100000)", "N" },
    { "hybrid-threshold", 0, 0, G_OPTION_ARG_INT64, &hybrid_threshold, "IVF threshold for --hybrid (default DOCENT_VECTORS_IVF_THRESHOLD; 1: try IVF; 0: exact)", "N" },
    { "embed", 0, 0, G_OPTION_ARG_NONE, &embed, "Embedding throughput", NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "One JSON object on stdout (the table goes to stderr)", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— dense index, hybrid search and embedding benchmark");
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) results = g_array_new (FALSE, TRUE, sizeof (SizeResult));
  g_autofree char *scratch = NULL;
  g_auto(GStrv) list = NULL;
  HybridResult h = { 0 };
  EmbedResult e = { 0 };
  DataSpec spec;
  DataKind kind = DATA_RANDOM;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 2;
    }
  if (data_name != NULL && strcmp (data_name, "clustered") == 0)
    kind = DATA_CLUSTERED;
  else if (data_name != NULL && strcmp (data_name, "random") != 0)
    {
      fprintf (stderr, "--data: random or clustered\n");
      return 2;
    }
  if (n_queries < 1 || threads < 1 || centres < 1 || hybrid_chunks < 1 || budget <= 0 ||
      hybrid_threshold < 0)
    {
      fprintf (stderr, "bad arguments\n");
      return 2;
    }
  if (sizes == NULL && !hybrid && !embed)
    sizes = g_strdup ("10000,100000,1000000");
  out = json ? stderr : stdout;
  set_library_threads (threads);
  data_spec_init (&spec, kind, (guint) centres, noise);
  scratch = docent_test_tmpdir ();

  fprintf (out, "bench-vectors: %u-d, k=%u, %d queries, %d threads, data %s",
           DIM, K, n_queries, threads, kind == DATA_RANDOM ? "random" : "clustered");
  if (kind == DATA_CLUSTERED)
    fprintf (out, " (%d centres, noise norm %.2f)", centres, noise);
  fprintf (out, "\nmem = anonymous RSS kept after the build; peak = growth of the RSS "
           "high-water mark during it (includes SQLite's mmap of the database); "
           "reopen = open from the cache file (! = not LOADED); q = single queries run; "
           "cpu = process CPU s / wall s of the query loop\n");

  list = sizes ? g_strsplit (sizes, ",", -1) : g_new0 (char *, 1);
  for (char **s = list; *s != NULL; s++)
    {
      guint64 n = g_ascii_strtoull (*s, NULL, 10);
      SizeResult r;

      if (n == 0 || n > G_MAXINT32)
        {
          fprintf (stderr, "bad size %s\n", *s);
          return 2;
        }
      bench_size (&r, (guint) n, &spec, (guint) n_queries, budget, scratch);
      print_size (&r, &spec);
      g_array_append_val (results, r);
    }
  if (hybrid)
    bench_hybrid (&h, (guint) hybrid_chunks, (guint) n_queries, &spec,
                  (guint64) hybrid_threshold, scratch);
  if (embed)
    bench_embed (&e, (guint) threads, scratch);
  if (json)
    {
      g_autofree char *text = to_json (results, &spec, (guint) n_queries, (guint) threads, &h, &e);

      fputs (text, stdout);
    }
  docent_test_rm_rf (scratch);
  g_free (spec.centres);
  return 0;
}
