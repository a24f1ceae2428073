/* test-faiss.c — the FAISS C API as Docent links it (index/faiss-shim.cpp
 * over Debian's libfaiss.a when libfaiss_c is missing): exact flat search
 * against brute force, ids through IndexIDMap/IndexIDMap2, removal with
 * batch and range selectors, IVFFlat training and full-probe search, the
 * index factory, writing and reading back through a FILE * and a path,
 * refusing truncated and garbage files, and clean error codes and messages
 * (per thread) where FAISS checks its arguments. */
#include "tests/fixtures.h"

#include <faiss/c_api/error_c.h>
#include <faiss/c_api/impl/AuxIndexStructures_c.h>
#include <faiss/c_api/Index_c.h>
#include <faiss/c_api/IndexFlat_c.h>
#include <faiss/c_api/IndexIVF_c.h>
#include <faiss/c_api/IndexIVFFlat_c.h>
#include <faiss/c_api/index_factory_c.h>
#include <faiss/c_api/index_io_c.h>
#include <faiss/c_api/MetaIndexes_c.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#define DIM 64
#define N_BASE 2000
#define N_QUERIES 40
#define K 10
#define N_LISTS 16
/* Ids for IndexIDMap: large and not in insertion order. */
#define ID_OF(i) ((idx_t) (5000000000LL + 7919LL * (idx_t) (N_BASE - (i))))

/* Vectors in [-1, 1), the same on every run; queries are other vectors. */
static float base[N_BASE * DIM];
static float queries[N_QUERIES * DIM];

static void
make_data (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20240611);

  for (guint i = 0; i < G_N_ELEMENTS (base); i++)
    base[i] = (float) g_rand_double_range (rand, -1.0, 1.0);
  for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
    queries[i] = (float) g_rand_double_range (rand, -1.0, 1.0);
}

static float
score (FaissMetricType  metric,
       const float     *a,
       const float     *b)
{
  double sum = 0;

  for (guint j = 0; j < DIM; j++)
    sum += metric == METRIC_L2 ? ((double) a[j] - b[j]) * ((double) a[j] - b[j])
                               : (double) a[j] * b[j];
  return (float) sum;
}

/* Whether score a ranks before score b. */
static gboolean
better (FaissMetricType metric,
        float           a,
        float           b)
{
  return metric == METRIC_L2 ? a < b : a > b;
}

/* The k best scores of query q over the base vectors not in `removed`
 * (may be NULL), best first. */
static void
brute_force (FaissMetricType  metric,
             const float     *q,
             const gboolean  *removed,
             float           *best)
{
  guint found = 0;

  for (guint i = 0; i < N_BASE; i++)
    {
      float s;
      guint r;

      if (removed != NULL && removed[i])
        continue;
      s = score (metric, q, base + (gsize) i * DIM);
      if (found == K && !better (metric, s, best[K - 1]))
        continue;
      r = found < K ? found++ : K - 1;
      for (; r > 0 && better (metric, s, best[r - 1]); r--)
        best[r] = best[r - 1];
      best[r] = s;
    }
  g_assert_cmpuint (found, ==, K);
}

static gboolean
close_enough (float a,
              float b)
{
  return fabsf (a - b) <= 1e-4f * (1.0f + fabsf (a) + fabsf (b));
}

/* Asserts that the k results per query in distances/labels are exact: the
 * same scores as brute force, rank by rank, each label a distinct live
 * base vector with that score. Labels are base positions, or ID_OF
 * (position) when `with_ids`. Near-ties may come in either order. */
static void
assert_exact (FaissMetricType  metric,
              const float     *distances,
              const idx_t     *labels,
              gboolean         with_ids,
              const gboolean  *removed)
{
  g_autoptr(GHashTable) position = g_hash_table_new (g_int64_hash, g_int64_equal);
  static gint64 ids[N_BASE];

  for (guint i = 0; i < N_BASE; i++)
    {
      ids[i] = with_ids ? ID_OF (i) : (gint64) i;
      g_hash_table_insert (position, &ids[i], GUINT_TO_POINTER (i + 1));
    }
  for (guint q = 0; q < N_QUERIES; q++)
    {
      const float *query = queries + (gsize) q * DIM;
      float best[K];

      brute_force (metric, query, removed, best);
      for (guint r = 0; r < K; r++)
        {
          gint64 label = labels[q * K + r];
          guint pos = GPOINTER_TO_UINT (g_hash_table_lookup (position, &label));
          float d = distances[q * K + r];

          if (pos == 0)
            g_error ("query %u rank %u: label %" G_GINT64_FORMAT " is no base vector",
                     q, r, label);
          pos--;
          g_assert_false (removed != NULL && removed[pos]);
          if (!close_enough (d, best[r]) ||
              !close_enough (d, score (metric, query, base + (gsize) pos * DIM)))
            g_error ("query %u rank %u: distance %g, brute force %g, label's %g",
                     q, r, d, best[r], score (metric, query, base + (gsize) pos * DIM));
          for (guint s = 0; s < r; s++)
            g_assert_cmpint (labels[q * K + s], !=, label);
        }
    }
}

/* Searches all queries; asserts success. */
static void
search (const FaissIndex *index,
        float            *distances,
        idx_t            *labels)
{
  g_assert_cmpint (faiss_Index_search (index, N_QUERIES, queries, K, distances, labels),
                   ==, 0);
}

/* Asserts that rc is a failure with a non-empty message. */
static void
assert_error (int         rc,
              const char *what)
{
  const char *message = faiss_get_last_error ();
  g_autofree char *line = NULL;

  g_assert_cmpint (rc, !=, 0);
  g_assert_true (rc == FAISS_EXCEPT || rc == STD_EXCEPT || rc == UNKNOWN_EXCEPT);
  g_assert_nonnull (message);
  g_assert_cmpstr (message, !=, "");
  line = g_strdelimit (g_strdup (message), "\r\n", ' ');
  g_test_message ("%s: %d, %s", what, rc, line);
}

static FaissIndex *
new_flat_ip (void)
{
  FaissIndexFlatIP *flat = NULL;

  g_assert_cmpint (faiss_IndexFlatIP_new_with (&flat, DIM), ==, 0);
  g_assert_nonnull (flat);
  return flat;
}

/* An IndexIDMap owning a flat IP index, holding the base under ID_OF. */
static FaissIndex *
new_id_map (gboolean two_way)
{
  FaissIndex *map = NULL;
  static idx_t ids[N_BASE];

  if (two_way)
    g_assert_cmpint (faiss_IndexIDMap2_new (&map, new_flat_ip ()), ==, 0);
  else
    g_assert_cmpint (faiss_IndexIDMap_new (&map, new_flat_ip ()), ==, 0);
  faiss_IndexIDMap_set_own_fields (map, 1);
  g_assert_cmpint (faiss_IndexIDMap_own_fields (map), ==, 1);
  for (guint i = 0; i < N_BASE; i++)
    ids[i] = ID_OF (i);
  g_assert_cmpint (faiss_Index_add_with_ids (map, N_BASE, base, ids), ==, 0);
  g_assert_cmpint (faiss_Index_ntotal (map), ==, N_BASE);
  return map;
}

/* A trained IndexIVFFlat (inner product, N_LISTS lists) owning its
 * quantizer, holding the base under positions. */
static FaissIndex *
new_ivf (void)
{
  FaissIndexIVFFlat *ivf = NULL;

  g_assert_cmpint (faiss_IndexIVFFlat_new_with_metric (&ivf, new_flat_ip (), DIM, N_LISTS,
                                                       METRIC_INNER_PRODUCT), ==, 0);
  faiss_IndexIVFFlat_set_own_fields (ivf, 1);
  g_assert_cmpint (faiss_IndexIVFFlat_own_fields (ivf), ==, 1);
  g_assert_cmpint (faiss_Index_is_trained (ivf), ==, 0);
  g_assert_cmpint (faiss_Index_train (ivf, N_BASE, base), ==, 0);
  g_assert_cmpint (faiss_Index_is_trained (ivf), ==, 1);
  g_assert_cmpint (faiss_Index_add (ivf, N_BASE, base), ==, 0);
  g_assert_cmpint (faiss_Index_ntotal (ivf), ==, N_BASE);
  return ivf;
}

static void
test_flat_exact (void)
{
  FaissIndex *ip = new_flat_ip ();
  FaissIndexFlat *l2 = NULL;
  FaissIndexFlatL2 *l2_too = NULL;
  float distances[N_QUERIES * K];
  idx_t labels[N_QUERIES * K];
  float recons[DIM];

  g_assert_cmpint (faiss_Index_d (ip), ==, DIM);
  g_assert_cmpint (faiss_Index_metric_type (ip), ==, METRIC_INNER_PRODUCT);
  g_assert_cmpint (faiss_Index_is_trained (ip), ==, 1);
  g_assert_cmpint (faiss_Index_ntotal (ip), ==, 0);
  g_assert_cmpint (faiss_Index_add (ip, N_BASE, base), ==, 0);
  g_assert_cmpint (faiss_Index_ntotal (ip), ==, N_BASE);
  search (ip, distances, labels);
  assert_exact (METRIC_INNER_PRODUCT, distances, labels, FALSE, NULL);

  /* One query at a time takes FAISS's non-BLAS path. */
  for (guint q = 0; q < N_QUERIES; q++)
    {
      float d[K];
      idx_t l[K];

      g_assert_cmpint (faiss_Index_search (ip, 1, queries + q * DIM, K, d, l), ==, 0);
      for (guint r = 0; r < K; r++)
        g_assert_true (close_enough (d[r], distances[q * K + r]));
    }

  g_assert_cmpint (faiss_Index_reconstruct (ip, 1234, recons), ==, 0);
  g_assert_cmpmem (recons, sizeof recons, base + 1234 * DIM, sizeof recons);

  g_assert_cmpint (faiss_IndexFlat_new_with (&l2, DIM, METRIC_L2), ==, 0);
  g_assert_cmpint (faiss_Index_metric_type (l2), ==, METRIC_L2);
  g_assert_cmpint (faiss_Index_add (l2, N_BASE, base), ==, 0);
  search (l2, distances, labels);
  assert_exact (METRIC_L2, distances, labels, FALSE, NULL);

  g_assert_cmpint (faiss_IndexFlatL2_new_with (&l2_too, 8), ==, 0);
  g_assert_cmpint (faiss_Index_metric_type (l2_too), ==, METRIC_L2);
  g_assert_cmpint (faiss_Index_d (l2_too), ==, 8);

  g_assert_cmpint (faiss_Index_reset (ip), ==, 0);
  g_assert_cmpint (faiss_Index_ntotal (ip), ==, 0);

  faiss_Index_free (ip);
  faiss_Index_free (l2);
  faiss_Index_free (l2_too);
}

/* Fewer vectors than k: the rest of each row is padded with -1. */
static void
test_flat_short (void)
{
  FaissIndex *ip = new_flat_ip ();
  float distances[K];
  idx_t labels[K];

  g_assert_cmpint (faiss_Index_add (ip, 3, base), ==, 0);
  g_assert_cmpint (faiss_Index_search (ip, 1, queries, K, distances, labels), ==, 0);
  for (guint r = 0; r < K; r++)
    {
      if (r < 3)
        g_assert_cmpint (labels[r], >=, 0);
      else
        g_assert_cmpint (labels[r], ==, -1);
    }
  faiss_Index_free (ip);
}

static void
test_id_map (void)
{
  FaissIndex *map = new_id_map (FALSE);
  FaissIndex *flat = new_flat_ip ();
  float distances[N_QUERIES * K];
  idx_t labels[N_QUERIES * K];
  idx_t *id_map = NULL;
  size_t n_ids = 0;

  g_assert_true (faiss_IndexIDMap_cast (map) == map);
  g_assert_null (faiss_IndexIDMap2_cast (map));
  g_assert_null (faiss_IndexIDMap_cast (flat));
  g_assert_null (faiss_IndexIVF_cast (map));
  g_assert_cmpint (faiss_Index_d (map), ==, DIM);
  g_assert_cmpint (faiss_Index_metric_type (map), ==, METRIC_INNER_PRODUCT);
  g_assert_cmpint (faiss_Index_ntotal (faiss_IndexIDMap_sub_index (map)), ==, N_BASE);

  faiss_IndexIDMap_id_map (map, &id_map, &n_ids);
  g_assert_cmpuint (n_ids, ==, N_BASE);
  for (guint i = 0; i < N_BASE; i++)
    g_assert_cmpint (id_map[i], ==, ID_OF (i));

  search (map, distances, labels);
  assert_exact (METRIC_INNER_PRODUCT, distances, labels, TRUE, NULL);

  /* Plain add makes no sense on an IndexIDMap. */
  assert_error (faiss_Index_add (map, 1, base), "IndexIDMap add");
  g_assert_cmpint (faiss_Index_ntotal (map), ==, N_BASE);

  g_assert_cmpint (faiss_Index_reset (map), ==, 0);
  g_assert_cmpint (faiss_Index_ntotal (map), ==, 0);
  faiss_IndexIDMap_id_map (map, &id_map, &n_ids);
  g_assert_cmpuint (n_ids, ==, 0);

  faiss_Index_free (map);
  faiss_Index_free (flat);
}

/* Removes every third id plus some that were never added, through an
 * IDSelectorBatch, from an IndexIDMap or IndexIDMap2 over a flat index. */
static void
test_remove_batch (gconstpointer data)
{
  gboolean two_way = GPOINTER_TO_INT (data);
  FaissIndex *map = new_id_map (two_way);
  FaissIDSelectorBatch *batch = NULL;
  g_autoptr(GArray) doomed = g_array_new (FALSE, FALSE, sizeof (idx_t));
  gboolean removed[N_BASE] = { 0 };
  float distances[N_QUERIES * K];
  idx_t labels[N_QUERIES * K];
  size_t n_removed = 0;
  guint expected = 0;
  float recons[DIM];

  for (guint i = 0; i < N_BASE; i += 3)
    {
      idx_t id = ID_OF (i);

      g_array_append_val (doomed, id);
      removed[i] = TRUE;
      expected++;
    }
  for (idx_t stray = 1; stray <= 5; stray++)
    g_array_append_val (doomed, stray);
  g_assert_cmpint (faiss_IDSelectorBatch_new (&batch, doomed->len, (idx_t *) doomed->data),
                   ==, 0);

  g_assert_cmpint (faiss_Index_remove_ids (map, (FaissIDSelector *) batch, &n_removed), ==, 0);
  g_assert_cmpuint (n_removed, ==, expected);
  g_assert_cmpint (faiss_Index_ntotal (map), ==, N_BASE - expected);
  g_assert_cmpint (faiss_Index_ntotal (faiss_IndexIDMap_sub_index (map)), ==, N_BASE - expected);

  search (map, distances, labels);
  assert_exact (METRIC_INNER_PRODUCT, distances, labels, TRUE, removed);

  /* Every removed vector's best match is now someone else. */
  for (guint i = 0; i < N_BASE; i += 3 * 37)
    {
      float d[1];
      idx_t l[1];

      g_assert_cmpint (faiss_Index_search (map, 1, base + (gsize) i * DIM, 1, d, l), ==, 0);
      g_assert_cmpint (l[0], !=, ID_OF (i));
    }

  /* Removing the same ids again removes nothing. */
  g_assert_cmpint (faiss_Index_remove_ids (map, (FaissIDSelector *) batch, &n_removed), ==, 0);
  g_assert_cmpuint (n_removed, ==, 0);

  if (two_way)
    {
      /* IndexIDMap2 reconstructs by id, and knows the removed ones are gone. */
      g_assert_cmpint (faiss_Index_reconstruct (map, ID_OF (1), recons), ==, 0);
      g_assert_cmpmem (recons, sizeof recons, base + 1 * DIM, sizeof recons);
      assert_error (faiss_Index_reconstruct (map, ID_OF (0), recons),
                    "IndexIDMap2 reconstruct of a removed id");
    }

  faiss_IDSelector_free ((FaissIDSelector *) batch);
  faiss_Index_free (map);
}

/* IDSelectorRange on a flat index: positions are ids, and the survivors
 * are renumbered. */
static void
test_remove_range (void)
{
  FaissIndex *flat = new_flat_ip ();
  FaissIDSelectorRange *range = NULL;
  size_t n_removed = 0;
  float recons[DIM];

  g_assert_cmpint (faiss_Index_add (flat, N_BASE, base), ==, 0);
  g_assert_cmpint (faiss_IDSelectorRange_new (&range, 100, 600), ==, 0);
  g_assert_cmpint (faiss_Index_remove_ids (flat, (FaissIDSelector *) range, &n_removed), ==, 0);
  g_assert_cmpuint (n_removed, ==, 500);
  g_assert_cmpint (faiss_Index_ntotal (flat), ==, N_BASE - 500);
  g_assert_cmpint (faiss_Index_reconstruct (flat, 100, recons), ==, 0);
  g_assert_cmpmem (recons, sizeof recons, base + 600 * DIM, sizeof recons);
  /* A NULL count is allowed. */
  g_assert_cmpint (faiss_Index_remove_ids (flat, (FaissIDSelector *) range, NULL), ==, 0);
  g_assert_cmpint (faiss_Index_ntotal (flat), ==, N_BASE - 1000);

  faiss_IDSelector_free ((FaissIDSelector *) range);
  faiss_Index_free (flat);
}

static void
test_ivf (void)
{
  FaissIndex *ivf = new_ivf ();
  FaissIDSelectorRange *range = NULL;
  gboolean removed[N_BASE] = { 0 };
  float distances[N_QUERIES * K];
  idx_t labels[N_QUERIES * K];
  size_t n_removed = 0;

  g_assert_true (faiss_IndexIVFFlat_cast (ivf) == ivf);
  g_assert_true (faiss_IndexIVF_cast (ivf) == ivf);
  g_assert_null (faiss_IndexIDMap_cast (ivf));
  g_assert_cmpuint (faiss_IndexIVFFlat_nlist (ivf), ==, N_LISTS);
  g_assert_cmpuint (faiss_IndexIVF_nlist (ivf), ==, N_LISTS);
  g_assert_cmpuint (faiss_IndexIVFFlat_nprobe (ivf), ==, 1);
  g_assert_cmpint (faiss_Index_metric_type (ivf), ==, METRIC_INNER_PRODUCT);

  faiss_IndexIVFFlat_set_nprobe (ivf, N_LISTS);
  g_assert_cmpuint (faiss_IndexIVFFlat_nprobe (ivf), ==, N_LISTS);
  g_assert_cmpuint (faiss_IndexIVF_nprobe (ivf), ==, N_LISTS);
  search (ivf, distances, labels);
  assert_exact (METRIC_INNER_PRODUCT, distances, labels, FALSE, NULL);

  /* Through the IndexIVF accessors too. */
  faiss_IndexIVF_set_nprobe (ivf, 2);
  g_assert_cmpuint (faiss_IndexIVFFlat_nprobe (ivf), ==, 2);
  faiss_IndexIVF_set_nprobe (ivf, N_LISTS);

  /* Removal from the inverted lists (no direct map needed). */
  g_assert_cmpint (faiss_IDSelectorRange_new (&range, 0, 500), ==, 0);
  g_assert_cmpint (faiss_Index_remove_ids (ivf, (FaissIDSelector *) range, &n_removed), ==, 0);
  g_assert_cmpuint (n_removed, ==, 500);
  g_assert_cmpint (faiss_Index_ntotal (ivf), ==, N_BASE - 500);
  for (guint i = 0; i < 500; i++)
    removed[i] = TRUE;
  search (ivf, distances, labels);
  assert_exact (METRIC_INNER_PRODUCT, distances, labels, FALSE, removed);

  faiss_IDSelector_free ((FaissIDSelector *) range);
  faiss_Index_free (ivf);
}

static void
test_factory (void)
{
  FaissIndex *ivf = NULL;
  FaissIndex *map = NULL;
  FaissIndex *bad = NULL;

  g_assert_cmpint (faiss_index_factory (&ivf, DIM, "IVF16,Flat", METRIC_INNER_PRODUCT), ==, 0);
  g_assert_nonnull (faiss_IndexIVFFlat_cast (ivf));
  g_assert_cmpuint (faiss_IndexIVFFlat_nlist (ivf), ==, 16);
  g_assert_cmpint (faiss_IndexIVFFlat_own_fields (ivf), ==, 1);
  g_assert_cmpint (faiss_Index_metric_type (ivf), ==, METRIC_INNER_PRODUCT);
  g_assert_cmpint (faiss_Index_is_trained (ivf), ==, 0);

  g_assert_cmpint (faiss_index_factory (&map, DIM, "IDMap,Flat", METRIC_L2), ==, 0);
  g_assert_nonnull (faiss_IndexIDMap_cast (map));
  g_assert_null (faiss_IndexIVF_cast (map));
  g_assert_cmpint (faiss_Index_metric_type (map), ==, METRIC_L2);
  g_assert_cmpint (faiss_IndexIDMap_own_fields (map), ==, 1);

  assert_error (faiss_index_factory (&bad, DIM, "NoSuchIndex,Flat", METRIC_L2),
                "index_factory of nonsense");
  g_assert_null (bad);

  faiss_Index_free (ivf);
  faiss_Index_free (map);
}

/* Asserts that two indexes give bit-identical results for all queries. */
static void
assert_same_results (const FaissIndex *a,
                     const FaissIndex *b)
{
  float da[N_QUERIES * K], db[N_QUERIES * K];
  idx_t la[N_QUERIES * K], lb[N_QUERIES * K];

  search (a, da, la);
  search (b, db, lb);
  g_assert_cmpmem (la, sizeof la, lb, sizeof lb);
  g_assert_cmpmem (da, sizeof da, db, sizeof db);
}

/* Writes index to a fresh temporary FILE * and reads it back. */
static FaissIndex *
round_trip_file (const FaissIndex *index)
{
  FILE *f = tmpfile ();
  FaissIndex *copy = NULL;

  g_assert_nonnull (f);
  g_assert_cmpint (faiss_write_index (index, f), ==, 0);
  g_assert_cmpint (fflush (f), ==, 0);
  rewind (f);
  g_assert_cmpint (faiss_read_index (f, 0, &copy), ==, 0);
  g_assert_nonnull (copy);
  fclose (f);
  return copy;
}

static void
test_write_read (void)
{
  g_autofree char *dir = docent_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "ivf.faiss", NULL);
  FaissIndex *map = new_id_map (FALSE);
  FaissIndex *ivf = new_ivf ();
  FaissIndex *copy;

  copy = round_trip_file (map);
  g_assert_nonnull (faiss_IndexIDMap_cast (copy));
  g_assert_cmpint (faiss_Index_ntotal (copy), ==, N_BASE);
  g_assert_cmpint (faiss_Index_metric_type (copy), ==, METRIC_INNER_PRODUCT);
  assert_same_results (map, copy);
  faiss_Index_free (copy);

  faiss_IndexIVFFlat_set_nprobe (ivf, 4);
  copy = round_trip_file (ivf);
  g_assert_nonnull (faiss_IndexIVFFlat_cast (copy));
  g_assert_cmpuint (faiss_IndexIVFFlat_nlist (copy), ==, N_LISTS);
  g_assert_cmpuint (faiss_IndexIVFFlat_nprobe (copy), ==, 4);
  g_assert_cmpint (faiss_Index_is_trained (copy), ==, 1);
  assert_same_results (ivf, copy);
  faiss_Index_free (copy);

  copy = NULL;
  g_assert_cmpint (faiss_write_index_fname (ivf, path), ==, 0);
  g_assert_cmpint (faiss_read_index_fname (path, 0, &copy), ==, 0);
  g_assert_nonnull (faiss_IndexIVFFlat_cast (copy));
  assert_same_results (ivf, copy);
  faiss_Index_free (copy);

  faiss_Index_free (map);
  faiss_Index_free (ivf);
  docent_test_rm_rf (dir);
}

/* LeakSanitizer's switch, when a sanitizer runtime is linked in. FAISS
 * 1.7.3's read_index does not free what it had built when a read fails
 * (nor the inverted lists of a partially read IVF index): a failed read of
 * a damaged file leaks up to the size of the part read. That is FAISS's,
 * bounded, and happens once per damaged file, so the reads below run with
 * leak detection off; everything else in this file is leak-checked. */
extern void __lsan_disable (void) __attribute__ ((weak));
extern void __lsan_enable (void) __attribute__ ((weak));

/* Reading bytes as an index through a FILE *: must fail cleanly. */
static void
assert_read_fails (const guint8 *data,
                   gsize         len,
                   const char   *what)
{
  FILE *f = tmpfile ();
  FaissIndex *index = NULL;
  int rc;

  g_assert_nonnull (f);
  g_assert_cmpuint (fwrite (data, 1, len, f), ==, len);
  g_assert_cmpint (fflush (f), ==, 0);
  rewind (f);
  if (__lsan_disable != NULL)
    __lsan_disable ();
  rc = faiss_read_index (f, 0, &index);
  if (__lsan_enable != NULL)
    __lsan_enable ();
  assert_error (rc, what);
  g_assert_null (index);
  fclose (f);
}

/* The serialised bytes of index. */
static GBytes *
serialise (const FaissIndex *index)
{
  FILE *f = tmpfile ();
  long size;
  guint8 *data;

  g_assert_nonnull (f);
  g_assert_cmpint (faiss_write_index (index, f), ==, 0);
  size = ftell (f);
  g_assert_cmpint (size, >, 0);
  rewind (f);
  data = g_malloc (size);
  g_assert_cmpuint (fread (data, 1, size, f), ==, (gsize) size);
  fclose (f);
  return g_bytes_new_take (data, size);
}

static void
test_read_corrupt (void)
{
  g_autofree char *dir = docent_test_tmpdir ();
  g_autofree char *missing = g_build_filename (dir, "missing.faiss", NULL);
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  FaissIndex *map = new_id_map (FALSE);
  FaissIndex *ivf = new_ivf ();
  FaissIndex *index = NULL;
  guint8 garbage[4096];

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GBytes) bytes = serialise (i == 0 ? map : ivf);
      gsize len;
      const guint8 *data = g_bytes_get_data (bytes, &len);
      const gsize cuts[] = { 0, 2, 4, 7, 30, 100, len / 2, len - 9, len - 1 };

      for (guint c = 0; c < G_N_ELEMENTS (cuts); c++)
        {
          g_autofree char *what = g_strdup_printf ("%s truncated to %" G_GSIZE_FORMAT
                                                   " of %" G_GSIZE_FORMAT " bytes",
                                                   i == 0 ? "IndexIDMap" : "IndexIVFFlat",
                                                   cuts[c], len);

          assert_read_fails (data, cuts[c], what);
        }
    }

  for (guint i = 0; i < sizeof garbage; i++)
    garbage[i] = (guint8) g_rand_int (rand);
  assert_read_fails (garbage, sizeof garbage, "random bytes");
  assert_read_fails ((const guint8 *) "not an index at all\n", 20, "text");

  assert_error (faiss_read_index_fname (missing, 0, &index), "missing file");
  g_assert_null (index);

  faiss_Index_free (map);
  faiss_Index_free (ivf);
  docent_test_rm_rf (dir);
}

/* Calls FAISS refuses: they fail with a message and change nothing. */
static void
test_errors (void)
{
  FaissIndexFlatIP *small = NULL;
  FaissIndex *map = NULL;
  FaissIndexIVFFlat *ivf = NULL;
  FaissIndex *flat = new_flat_ip ();
  float distances[K];
  idx_t labels[K];
  int rc;

  /* An IVF index whose quantizer has another dimension. */
  g_assert_cmpint (faiss_IndexFlatIP_new_with (&small, DIM / 2), ==, 0);
  rc = faiss_IndexIVFFlat_new_with_metric (&ivf, small, DIM, N_LISTS, METRIC_INNER_PRODUCT);
  assert_error (rc, "IVF over a quantizer of another dimension");
  g_assert_cmpint (rc, ==, FAISS_EXCEPT);
  g_assert_null (ivf);
  faiss_Index_free (small);

  /* Adding to an untrained IVF index. */
  g_assert_cmpint (faiss_IndexIVFFlat_new_with_metric (&ivf, new_flat_ip (), DIM, N_LISTS,
                                                       METRIC_INNER_PRODUCT), ==, 0);
  faiss_IndexIVFFlat_set_own_fields (ivf, 1);
  assert_error (faiss_Index_add (ivf, N_BASE, base), "add to untrained IVF");
  g_assert_cmpint (faiss_Index_ntotal (ivf), ==, 0);
  /* Too few training points for the lists. */
  assert_error (faiss_Index_train (ivf, N_LISTS / 2, base), "train IVF on too few points");
  g_assert_cmpint (faiss_Index_is_trained (ivf), ==, 0);
  faiss_Index_free (ivf);

  /* An IndexIDMap needs an empty sub-index. */
  g_assert_cmpint (faiss_Index_add (flat, 10, base), ==, 0);
  assert_error (faiss_IndexIDMap_new (&map, flat), "IDMap over a non-empty index");
  g_assert_null (map);

  /* k must be positive. */
  assert_error (faiss_Index_search (flat, 1, queries, 0, distances, labels), "search with k 0");

  /* Setters and getters of another index type do nothing. */
  faiss_IndexIVFFlat_set_nprobe (flat, 8);
  g_assert_cmpuint (faiss_IndexIVFFlat_nprobe (flat), ==, 0);
  g_assert_cmpint (faiss_IndexIDMap_own_fields (flat), ==, 0);
  g_assert_null (faiss_IndexIDMap_sub_index (flat));

  faiss_Index_free (flat);
}

typedef struct {
  const char *before;
  const char *after;
} ThreadSeen;

static gpointer
error_thread (gpointer data)
{
  ThreadSeen *seen = data;
  FaissIndex *bad = NULL;

  seen->before = faiss_get_last_error ();
  g_assert_cmpint (faiss_index_factory (&bad, DIM, "Nonsense in a thread", METRIC_L2), !=, 0);
  seen->after = faiss_get_last_error ();
  g_assert_nonnull (seen->after);
  seen->after = g_strdup (seen->after);
  return NULL;
}

/* The last error is per thread, and NULL until something failed. */
static void
test_error_per_thread (void)
{
  FaissIndex *bad = NULL;
  ThreadSeen seen = { 0 };
  g_autofree char *mine = NULL;

  assert_error (faiss_index_factory (&bad, DIM, "Nonsense here", METRIC_L2), "factory");
  mine = g_strdup (faiss_get_last_error ());
  g_thread_join (g_thread_new ("faiss-error", error_thread, &seen));
  g_assert_null (seen.before);
  g_assert_nonnull (seen.after);
  g_assert_cmpstr (faiss_get_last_error (), ==, mine);
  g_assert_nonnull (strstr (mine, "Nonsense here"));
  g_assert_nonnull (strstr (seen.after, "Nonsense in a thread"));
  g_free ((char *) seen.after);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  make_data ();

  g_test_add_func ("/faiss/flat/exact", test_flat_exact);
  g_test_add_func ("/faiss/flat/fewer-than-k", test_flat_short);
  g_test_add_func ("/faiss/id-map/ids", test_id_map);
  g_test_add_data_func ("/faiss/id-map/remove-batch", GINT_TO_POINTER (FALSE), test_remove_batch);
  g_test_add_data_func ("/faiss/id-map2/remove-batch", GINT_TO_POINTER (TRUE), test_remove_batch);
  g_test_add_func ("/faiss/flat/remove-range", test_remove_range);
  g_test_add_func ("/faiss/ivf/full-probe-exact", test_ivf);
  g_test_add_func ("/faiss/factory", test_factory);
  g_test_add_func ("/faiss/io/write-read", test_write_read);
  g_test_add_func ("/faiss/io/corrupt", test_read_corrupt);
  g_test_add_func ("/faiss/errors", test_errors);
  g_test_add_func ("/faiss/errors/per-thread", test_error_per_thread);

  return g_test_run ();
}
