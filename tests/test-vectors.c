/* test-vectors.c — semantic search end to end: the `embeddings` table, the
 * FAISS index cached beside the database (build, load, sync by the
 * difference of (chunk id, vector version) pairs, damaged files, IVF),
 * hybrid BM25 + dense retrieval fused by RRF, and the library's embedding
 * job with a real (tiny, random) BERT model, including a docent-cli killed
 * in the middle of embedding.
 *
 * The index-layer tests use synthetic unit vectors on real documents and
 * chunks written through docent_store_put_document; the library tests
 * write their model with docent_synth_write ("tiny-bert", 64 dimensions). */
#include <fcntl.h>
#include <glib/gstdio.h>
#include <math.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "app/library.h"
#include "app/settings.h"
#include "engine/synth.h"
#include "engine/tensor.h"
#include "index/embeddings.h"
#include "index/hybrid.h"
#include "index/vectors.h"
#include "tests/fixtures.h"

#define KEY "0123456789abcdef:mean"
#define OTHER_KEY "fedcba9876543210:cls"
#define DIM 64u

/* ---- shared helpers ------------------------------------------------------ */

static gint64
query_int (DocentStore *store,
           const char  *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value = -1;

  g_assert_cmpint (sqlite3_prepare_v2 (docent_store_db (store), sql, -1, &stmt, NULL),
                   ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

/* Vectors whose chunk no longer exists: must always be 0. */
static gint64
orphan_vectors (DocentStore *store)
{
  return query_int (store, "SELECT count(*) FROM embeddings e"
                           " WHERE NOT EXISTS (SELECT 1 FROM chunks c WHERE c.id = e.chunk_id)");
}

/* All chunk ids of the store (or of one document when doc > 0), ascending. */
static GArray *
chunk_ids (DocentStore *store,
           gint64       doc)
{
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (docent_store_db (store),
                                       "SELECT id FROM chunks WHERE ?1 = 0 OR document_id = ?1"
                                       " ORDER BY id", -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_int64 (stmt, 1, doc);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (ids, id);
    }
  sqlite3_finalize (stmt);
  return ids;
}

static char *
chunk_text (DocentStore *store,
            gint64       chunk_id,
            char       **heading)
{
  sqlite3_stmt *stmt = NULL;
  char *text = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (docent_store_db (store),
                                       "SELECT text, heading FROM chunks WHERE id = ?1",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_int64 (stmt, 1, chunk_id);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  text = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  if (heading != NULL)
    *heading = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  sqlite3_finalize (stmt);
  return text;
}

static gboolean
ids_contain (GArray *ids,
             gint64  id)
{
  for (guint i = 0; i < ids->len; i++)
    if (g_array_index (ids, gint64, i) == id)
      return TRUE;
  return FALSE;
}

/* GHRFunc: is the key one of `ids` (a GArray of gint64)? */
static gboolean
ids_contain_key (gpointer key,
                 gpointer value,
                 gpointer ids)
{
  return ids_contain (ids, *(gint64 *) key);
}

static int
compare_int64 (gconstpointer a,
               gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static void
assert_ids_equal (GArray *a,
                  GArray *b)
{
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    g_assert_cmpint (g_array_index (a, gint64, i), ==, g_array_index (b, gint64, i));
}

/* One chunk to store: its text and where it lies. */
typedef struct {
  const char *text;
  const char *heading;
  guint page_start, page_end;
  guint char_start, char_end;
} ChunkSpec;

/* Stores a document of the given chunks (pages made up to cover them) and
 * returns its id; `ids` (may be NULL) gets its chunk ids in order. */
static gint64
put_doc (DocentStore     *store,
         const char      *path,
         const ChunkSpec *specs,
         guint            n,
         const char      *collection,
         GArray         **ids)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) pages = g_array_new (FALSE, TRUE, sizeof (DocentStorePage));
  g_autoptr(GArray) chunks = g_array_new (FALSE, TRUE, sizeof (DocentStoreChunk));
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  DocentDocRecord rec = { 0 };
  guint n_pages = 1;
  gint64 id;

  for (guint i = 0; i < n; i++)
    {
      DocentStoreChunk c = {
        .ordinal = i,
        .page_start = specs[i].page_start ? specs[i].page_start : 1,
        .page_end = specs[i].page_end ? specs[i].page_end : (specs[i].page_start ? specs[i].page_start : 1),
        .char_start = specs[i].char_start,
        .char_end = specs[i].char_end,
        .heading = specs[i].heading,
        .text = specs[i].text,
      };

      n_pages = MAX (n_pages, c.page_end);
      g_array_append_val (chunks, c);
    }
  for (guint p = 1; p <= n_pages; p++)
    {
      char *text = g_strdup_printf ("page %u of %s", p, path);
      DocentStorePage page = { .page_no = p, .text = text };

      g_ptr_array_add (texts, text);
      g_array_append_val (pages, page);
    }
  rec.path = (char *) path;
  rec.sha256 = g_compute_checksum_for_string (G_CHECKSUM_SHA256, path, -1);
  rec.mtime = 1700000000;
  rec.size = 1000;
  rec.title = (char *) path;
  rec.type = (char *) "text";
  id = docent_store_put_document (store, &rec, (const DocentStorePage *) pages->data, pages->len,
                                  (const DocentStoreChunk *) chunks->data, chunks->len,
                                  collection, &error);
  g_free (rec.sha256);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  if (ids != NULL)
    *ids = chunk_ids (store, id);
  return id;
}

/* A document of n chunks "<word> chunk i", each its own span of page 1. */
static gint64
put_simple_doc (DocentStore  *store,
                const char   *path,
                const char   *word,
                guint         n,
                const char   *collection,
                GArray      **ids)
{
  g_autofree ChunkSpec *specs = g_new0 (ChunkSpec, n);
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < n; i++)
    {
      char *text = g_strdup_printf ("%s chunk %u of the %s document", word, i, word);

      g_ptr_array_add (texts, text);
      specs[i].text = text;
      specs[i].char_start = i * 100;
      specs[i].char_end = i * 100 + 90;
    }
  return put_doc (store, path, specs, n, collection, ids);
}

static void
normalize (float *v,
           guint  dim)
{
  double norm = 0.0;

  for (guint j = 0; j < dim; j++)
    norm += (double) v[j] * v[j];
  norm = sqrt (norm);
  g_assert_cmpfloat (norm, >, 0.0);
  for (guint j = 0; j < dim; j++)
    v[j] = (float) (v[j] / norm);
}

static float
gaussian (GRand *rand)
{
  double u = g_rand_double_range (rand, 1e-12, 1.0), v = g_rand_double (rand);

  return (float) (sqrt (-2.0 * log (u)) * cos (2.0 * G_PI * v));
}

static void
random_unit (GRand *rand,
             float *v,
             guint  dim)
{
  for (guint j = 0; j < dim; j++)
    v[j] = gaussian (rand);
  normalize (v, dim);
}

/* n unit vectors, the same for the same seed. */
static float *
random_vectors (guint32 seed,
                guint   n,
                guint   dim)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  float *v = g_new (float, (gsize) n * dim);

  for (guint i = 0; i < n; i++)
    random_unit (rand, v + (gsize) i * dim, dim);
  return v;
}

static void
put_vectors (DocentStore *store,
             const char  *key,
             GArray      *ids,
             const float *vectors,
             guint        dim)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (docent_store_put_embeddings (store, key, (const gint64 *) (gpointer) ids->data,
                                              vectors, ids->len, dim, &error));
  g_assert_no_error (error);
}

/* What every test compares the index with: exact top-k by inner product
 * over (ids, vectors), only `allowed` ids when not NULL. */
typedef struct {
  GArray *ids;       /* gint64 */
  GArray *vectors;   /* float, ids->len × dim */
  guint dim;
} Truth;

static void
truth_init (Truth *t,
            guint  dim)
{
  t->ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  t->vectors = g_array_new (FALSE, FALSE, sizeof (float));
  t->dim = dim;
}

static void
truth_clear (Truth *t)
{
  g_clear_pointer (&t->ids, g_array_unref);
  g_clear_pointer (&t->vectors, g_array_unref);
}

static void
truth_add (Truth       *t,
           GArray      *ids,
           const float *vectors)
{
  g_array_append_vals (t->ids, ids->data, ids->len);
  g_array_append_vals (t->vectors, vectors, ids->len * t->dim);
}

static void
truth_remove (Truth  *t,
              GArray *ids)
{
  for (guint i = 0; i < t->ids->len;)
    if (ids_contain (ids, g_array_index (t->ids, gint64, i)))
      {
        g_array_remove_index (t->ids, i);
        g_array_remove_range (t->vectors, i * t->dim, t->dim);
      }
    else
      i++;
}

static const float *
truth_vector (Truth  *t,
              gint64  id)
{
  for (guint i = 0; i < t->ids->len; i++)
    if (g_array_index (t->ids, gint64, i) == id)
      return &g_array_index (t->vectors, float, i * t->dim);
  g_assert_not_reached ();
  return NULL;
}

static int
compare_hits (gconstpointer a,
              gconstpointer b)
{
  const DocentVectorHit *x = a, *y = b;

  if (x->score != y->score)
    return x->score < y->score ? 1 : -1;
  return x->chunk_id < y->chunk_id ? -1 : x->chunk_id > y->chunk_id;
}

static GArray *
truth_search (Truth       *t,
              const float *query,
              guint        k,
              GHashTable  *allowed)
{
  GArray *hits = g_array_new (FALSE, FALSE, sizeof (DocentVectorHit));

  for (guint i = 0; i < t->ids->len; i++)
    {
      DocentVectorHit hit = { g_array_index (t->ids, gint64, i), 0.0f };
      const float *v = &g_array_index (t->vectors, float, i * t->dim);
      double dot = 0.0;

      if (allowed != NULL && !g_hash_table_contains (allowed, &hit.chunk_id))
        continue;
      for (guint j = 0; j < t->dim; j++)
        dot += (double) query[j] * v[j];
      hit.score = (float) dot;
      g_array_append_val (hits, hit);
    }
  g_array_sort (hits, compare_hits);
  if (hits->len > k)
    g_array_set_size (hits, k);
  return hits;
}

static GArray *
index_search (DocentVectorIndex *vi,
              const float       *query,
              guint              k,
              GHashTable        *allowed)
{
  g_autoptr(GError) error = NULL;
  GArray *hits = docent_vector_index_search (vi, query, k, allowed, &error);

  g_assert_no_error (error);
  g_assert_nonnull (hits);
  for (guint i = 1; i < hits->len; i++)
    g_assert_cmpfloat (g_array_index (hits, DocentVectorHit, i - 1).score, >=,
                       g_array_index (hits, DocentVectorHit, i).score - 1e-6f);
  return hits;
}

/* The index answers as exact search does: same ids, best first, same
 * scores (up to float rounding; near-ties may swap). */
static void
assert_hits_match (GArray *got,
                   GArray *want)
{
  g_assert_cmpuint (got->len, ==, want->len);
  for (guint i = 0; i < got->len; i++)
    {
      const DocentVectorHit *g = &g_array_index (got, DocentVectorHit, i);
      const DocentVectorHit *w = &g_array_index (want, DocentVectorHit, i);

      g_assert_cmpfloat_with_epsilon (g->score, w->score, 1e-4);
      if (g->chunk_id != w->chunk_id)
        {
          /* Only a tie may reorder. */
          g_assert_cmpfloat_with_epsilon (g->score, w->score, 1e-5);
        }
    }
}

static void
assert_same_hits (GArray *a,
                  GArray *b)
{
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    {
      g_assert_cmpint (g_array_index (a, DocentVectorHit, i).chunk_id, ==,
                       g_array_index (b, DocentVectorHit, i).chunk_id);
      g_assert_cmpfloat (g_array_index (a, DocentVectorHit, i).score, ==,
                         g_array_index (b, DocentVectorHit, i).score);
    }
}

static DocentVectorIndex *
open_index (DocentStore             *store,
            const char              *path,
            const char              *key,
            guint                    dim,
            guint64                  threshold,
            DocentVectorOpenOutcome  outcome)
{
  g_autoptr(GError) error = NULL;
  DocentVectorIndex *vi = docent_vector_index_open_full (store, path, key, dim, threshold, &error);
  DocentVectorStats stats;

  g_assert_no_error (error);
  g_assert_nonnull (vi);
  docent_vector_index_stats (vi, &stats);
  g_assert_cmpint (stats.outcome, ==, outcome);
  g_assert_cmpuint (stats.dim, ==, dim);
  return vi;
}

/* The index holds exactly the store's vectors of `key`: an exhaustive
 * search returns every one of them and nothing else. */
static void
assert_index_matches_store (DocentVectorIndex *vi,
                            DocentStore       *store,
                            const char        *key,
                            guint              dim)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = docent_store_embedding_ids (store, key, &error);
  g_autoptr(GArray) hits = NULL;
  g_autoptr(GArray) found = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree float *query = g_new0 (float, dim);
  DocentVectorStats stats;
  gint64 generation;

  g_assert_no_error (error);
  docent_vector_index_stats (vi, &stats);
  g_assert_cmpuint (stats.count, ==, ids->len);
  g_assert_true (docent_store_generation (store, &generation, NULL));
  g_assert_cmpint (stats.generation, ==, generation);
  /* An IVF search only scans some lists: the count has to do. */
  if (ids->len == 0 || stats.kind != DOCENT_VECTORS_EXACT)
    return;
  query[0] = 1.0f;
  hits = index_search (vi, query, ids->len + 10, NULL);
  for (guint i = 0; i < hits->len; i++)
    g_array_append_val (found, g_array_index (hits, DocentVectorHit, i).chunk_id);
  g_array_sort (found, compare_int64);
  assert_ids_equal (found, ids);
}

/* The project logs structurally (G_LOG_USE_STRUCTURED), which
 * g_test_expect_message() does not see: a writer of our own lets a test
 * expect the warning an index rebuild gives, everything else going to the
 * default writer (fatal, under g_test_init, for warnings). */
static struct {
  const char *pattern;   /* expected warnings, or NULL */
  guint seen;
} expected_warnings;

static GLogWriterOutput
test_log_writer (GLogLevelFlags   level,
                 const GLogField *fields,
                 gsize            n_fields,
                 gpointer         user_data)
{
  if ((level & G_LOG_LEVEL_WARNING) && expected_warnings.pattern != NULL)
    for (gsize i = 0; i < n_fields; i++)
      if (g_strcmp0 (fields[i].key, "MESSAGE") == 0 && fields[i].length < 0 &&
          g_pattern_match_simple (expected_warnings.pattern, fields[i].value))
        {
          expected_warnings.seen++;
          return G_LOG_WRITER_HANDLED;
        }
  return g_log_writer_default (level, fields, n_fields, user_data);
}

static void
expect_warnings (const char *pattern)
{
  expected_warnings.pattern = pattern;
  expected_warnings.seen = 0;
}

/* Stops expecting; returns how many came. */
static guint
expected_warnings_seen (void)
{
  expected_warnings.pattern = NULL;
  return expected_warnings.seen;
}

/* ---- store fixture ------------------------------------------------------- */

typedef struct {
  char *dir;
  char *db_path;
  char *index_path;
  DocentStore *store;
} StoreFixture;

static void
store_set_up (StoreFixture  *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = docent_test_tmpdir ();
  f->db_path = g_build_filename (f->dir, "library.db", NULL);
  f->index_path = docent_vector_index_path (f->dir, KEY);
  f->store = docent_store_open (f->db_path, &error);
  g_assert_no_error (error);
}

static void
store_tear_down (StoreFixture  *f,
                 gconstpointer  data)
{
  docent_store_close (f->store);
  docent_test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->db_path);
  g_free (f->index_path);
}

/* ---- the embeddings table ------------------------------------------------ */

typedef struct {
  GArray *ids;
  GArray *vectors;
  guint calls;
  guint stop_after;        /* 0: never */
} Collected;

static gboolean
collect_batch (const gint64 *ids,
               const float  *vectors,
               guint         n,
               gpointer      user_data,
               GError      **error)
{
  Collected *c = user_data;

  c->calls++;
  g_assert_cmpuint (n, >, 0);
  g_array_append_vals (c->ids, ids, n);
  g_array_append_vals (c->vectors, vectors, n * DIM);
  if (c->stop_after > 0 && c->calls >= c->stop_after)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "stopped by the test");
      return FALSE;
    }
  return TRUE;
}

static void
test_embeddings_round_trip (StoreFixture  *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) a = NULL, b = NULL, put = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GPtrArray) pending = NULL;
  g_autoptr(GArray) listed = NULL;
  g_autofree float *vectors = random_vectors (1, 9, DIM);
  g_autofree float *read = g_new (float, 9 * DIM);
  g_autofree float *other = random_vectors (2, 1, DIM);
  Collected c = { 0 };
  const ChunkSpec specs[] = {
    { "first passage", "Heading One", 1, 1, 0, 10 },
    { "second passage", NULL, 1, 1, 11, 20 },
    { "third passage", "Heading Two", 2, 2, 0, 10 },
    { "fourth passage", NULL, 2, 2, 11, 20 },
    { "fifth passage", NULL, 3, 3, 0, 10 },
  };
  gint64 doc_b, gen0, gen1, gen2;
  guint64 count;

  put_doc (f->store, "/docs/a.txt", specs, G_N_ELEMENTS (specs), NULL, &a);
  doc_b = put_simple_doc (f->store, "/docs/b.txt", "bravo", 4, "letters", &b);
  g_assert_cmpuint (a->len, ==, 5);
  g_assert_cmpuint (b->len, ==, 4);

  /* Nothing embedded yet: every chunk pending, for every embedder. */
  g_assert_true (docent_store_count_pending (f->store, KEY, &count, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count, ==, 9);
  pending = docent_store_pending_chunks (f->store, KEY, 0, 100, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pending->len, ==, 9);
  for (guint i = 0; i < pending->len; i++)
    {
      const DocentPendingChunk *p = pending->pdata[i];

      g_assert_cmpint (p->chunk_id, ==, i < 5 ? g_array_index (a, gint64, i) : g_array_index (b, gint64, i - 5));
      if (i < 5)
        {
          g_assert_cmpstr (p->text, ==, specs[i].text);
          g_assert_cmpstr (p->heading, ==, specs[i].heading);
        }
      else
        g_assert_true (g_str_has_prefix (p->text, "bravo chunk"));
    }
  g_clear_pointer (&pending, g_ptr_array_unref);
  /* Paging: a limit, then everything after the last id seen. */
  pending = docent_store_pending_chunks (f->store, KEY, 0, 4, &error);
  g_assert_cmpuint (pending->len, ==, 4);
  g_assert_cmpint (((DocentPendingChunk *) pending->pdata[3])->chunk_id, ==, g_array_index (a, gint64, 3));
  g_clear_pointer (&pending, g_ptr_array_unref);
  pending = docent_store_pending_chunks (f->store, KEY, g_array_index (a, gint64, 3), 100, &error);
  g_assert_cmpuint (pending->len, ==, 5);
  g_assert_cmpint (((DocentPendingChunk *) pending->pdata[0])->chunk_id, ==, g_array_index (a, gint64, 4));
  g_clear_pointer (&pending, g_ptr_array_unref);

  /* Store 6 vectors: the generation moves, 3 chunks stay pending. */
  g_assert_true (docent_store_generation (f->store, &gen0, &error));
  g_array_append_vals (put, a->data, 5);
  g_array_append_val (put, g_array_index (b, gint64, 0));
  put_vectors (f->store, KEY, put, vectors, DIM);
  g_assert_true (docent_store_generation (f->store, &gen1, &error));
  g_assert_cmpint (gen1, >, gen0);
  g_assert_true (docent_store_count_pending (f->store, KEY, &count, &error));
  g_assert_cmpuint (count, ==, 3);
  g_assert_true (docent_store_count_pending (f->store, OTHER_KEY, &count, &error));
  g_assert_cmpuint (count, ==, 9);
  pending = docent_store_pending_chunks (f->store, KEY, 0, 100, &error);
  g_assert_cmpuint (pending->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpint (((DocentPendingChunk *) pending->pdata[i])->chunk_id, ==, g_array_index (b, gint64, i + 1));

  listed = docent_store_embedding_ids (f->store, KEY, &error);
  g_assert_no_error (error);
  assert_ids_equal (listed, put);
  g_clear_pointer (&listed, g_array_unref);
  listed = docent_store_embedding_ids (f->store, OTHER_KEY, &error);
  g_assert_cmpuint (listed->len, ==, 0);
  g_clear_pointer (&listed, g_array_unref);

  /* Read back bit for bit, in any order asked. */
  g_assert_true (docent_store_read_embeddings (f->store, KEY, (const gint64 *) (gpointer) put->data,
                                               put->len, DIM, read, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (read, put->len * DIM * sizeof (float), vectors, put->len * DIM * sizeof (float));
  {
    gint64 reversed[2] = { g_array_index (put, gint64, 5), g_array_index (put, gint64, 0) };

    g_assert_true (docent_store_read_embeddings (f->store, KEY, reversed, 2, DIM, read, &error));
    g_assert_cmpmem (read, DIM * sizeof (float), vectors + 5 * DIM, DIM * sizeof (float));
    g_assert_cmpmem (read + DIM, DIM * sizeof (float), vectors, DIM * sizeof (float));
  }

  /* foreach: in id order, in batches, stopping when asked. */
  c.ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  c.vectors = g_array_new (FALSE, FALSE, sizeof (float));
  g_assert_true (docent_store_foreach_embedding (f->store, KEY, DIM, 4, collect_batch, &c, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (c.calls, ==, 2);
  assert_ids_equal (c.ids, put);
  g_assert_cmpmem (c.vectors->data, c.vectors->len * sizeof (float), vectors, 6 * DIM * sizeof (float));
  g_array_set_size (c.ids, 0);
  g_array_set_size (c.vectors, 0);
  c.calls = 0;
  c.stop_after = 1;
  g_assert_false (docent_store_foreach_embedding (f->store, KEY, DIM, 2, collect_batch, &c, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpuint (c.calls, ==, 1);
  g_assert_cmpuint (c.ids->len, ==, 2);
  /* The statement was reset: the store still works for writes. */
  g_array_unref (c.ids);
  g_array_unref (c.vectors);

  /* Nothing to store: no new generation. */
  g_assert_true (docent_store_put_embeddings (f->store, KEY, NULL, NULL, 0, DIM, &error));
  g_assert_true (docent_store_generation (f->store, &gen2, &error));
  g_assert_cmpint (gen2, ==, gen1);

  /* Replacing a vector keeps one row per (chunk, embedder). */
  {
    gint64 id = g_array_index (a, gint64, 0);

    g_assert_true (docent_store_put_embeddings (f->store, KEY, &id, other, 1, DIM, &error));
    g_assert_true (docent_store_read_embeddings (f->store, KEY, &id, 1, DIM, read, &error));
    g_assert_cmpmem (read, DIM * sizeof (float), other, DIM * sizeof (float));
    g_assert_cmpint (query_int (f->store, "SELECT count(*) FROM embeddings"), ==, 6);
    g_assert_true (docent_store_generation (f->store, &gen2, &error));
    g_assert_cmpint (gen2, >, gen1);
  }

  /* Errors: a chunk without a vector, a vector of another dimension. */
  {
    gint64 missing = g_array_index (b, gint64, 2);
    gint64 id = g_array_index (a, gint64, 1);

    g_assert_false (docent_store_read_embeddings (f->store, KEY, &missing, 1, DIM, read, &error));
    g_assert_error (error, DOCENT_STORE_ERROR, DOCENT_STORE_ERROR_NOT_FOUND);
    g_clear_error (&error);
    g_assert_false (docent_store_read_embeddings (f->store, KEY, &id, 1, 32, read, &error));
    g_assert_nonnull (error);
    g_assert_nonnull (strstr (error->message, "64 dimensions, expected 32"));
    g_clear_error (&error);

    /* One embedder whose vectors disagree on their size: reading them all
     * is an error, not a mix. */
    g_assert_true (docent_store_put_embeddings (f->store, OTHER_KEY, &id, vectors, 1, DIM, &error));
    g_assert_true (docent_store_put_embeddings (f->store, OTHER_KEY, &missing, vectors, 1, 32, &error));
    c = (Collected) { 0 };
    c.ids = g_array_new (FALSE, FALSE, sizeof (gint64));
    c.vectors = g_array_new (FALSE, FALSE, sizeof (float));
    g_assert_false (docent_store_foreach_embedding (f->store, OTHER_KEY, DIM, 16, collect_batch, &c, &error));
    g_assert_nonnull (error);
    g_assert_nonnull (strstr (error->message, "32 dimensions, expected 64"));
    g_clear_error (&error);
    g_assert_cmpuint (c.calls, ==, 0);
    g_array_unref (c.ids);
    g_array_unref (c.vectors);
  }

  /* Removing a document cascades to its vectors (of every embedder); a
   * vector put for a chunk deleted meanwhile is skipped. */
  g_assert_true (docent_store_remove_document (f->store, doc_b, &error));
  g_assert_no_error (error);
  g_assert_cmpint (orphan_vectors (f->store), ==, 0);
  listed = docent_store_embedding_ids (f->store, KEY, &error);
  g_assert_cmpuint (listed->len, ==, 5);
  g_assert_false (ids_contain (listed, g_array_index (b, gint64, 0)));
  g_clear_pointer (&listed, g_array_unref);
  listed = docent_store_embedding_ids (f->store, OTHER_KEY, &error);
  g_assert_cmpuint (listed->len, ==, 1);
  g_clear_pointer (&listed, g_array_unref);
  g_assert_true (docent_store_put_embeddings (f->store, KEY, (const gint64 *) (gpointer) b->data,
                                              vectors, b->len, DIM, &error));
  g_assert_no_error (error);
  listed = docent_store_embedding_ids (f->store, KEY, &error);
  g_assert_cmpuint (listed->len, ==, 5);
  g_clear_pointer (&listed, g_array_unref);
  g_assert_true (docent_store_count_pending (f->store, KEY, &count, &error));
  g_assert_cmpuint (count, ==, 0);
  g_assert_cmpint (orphan_vectors (f->store), ==, 0);

  /* Dropping one embedder leaves the other's vectors. */
  g_assert_true (docent_store_generation (f->store, &gen1, &error));
  g_assert_true (docent_store_drop_embeddings (f->store, OTHER_KEY, &error));
  g_assert_true (docent_store_generation (f->store, &gen2, &error));
  g_assert_cmpint (gen2, >, gen1);
  listed = docent_store_embedding_ids (f->store, OTHER_KEY, &error);
  g_assert_cmpuint (listed->len, ==, 0);
  g_clear_pointer (&listed, g_array_unref);
  listed = docent_store_embedding_ids (f->store, KEY, &error);
  g_assert_cmpuint (listed->len, ==, 5);
}

static void
test_filter_chunk_ids (StoreFixture  *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) a = NULL, b = NULL, c = NULL;
  g_autoptr(GHashTable) set = NULL;
  gint64 doc_a, doc_b;

  doc_a = put_simple_doc (f->store, "/docs/a.txt", "alpha", 3, "red", &a);
  doc_b = put_simple_doc (f->store, "/docs/b.txt", "bravo", 4, "red", &b);
  put_simple_doc (f->store, "/docs/c.txt", "charlie", 5, "blue", &c);
  g_assert_true (docent_store_add_to_collection (f->store, doc_a, "blue", &error));

  set = docent_store_filter_chunk_ids (f->store, "red", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (set), ==, 7);
  for (guint i = 0; i < b->len; i++)
    g_assert_true (g_hash_table_contains (set, &g_array_index (b, gint64, i)));
  g_clear_pointer (&set, g_hash_table_unref);

  set = docent_store_filter_chunk_ids (f->store, "blue", 0, &error);
  g_assert_cmpuint (g_hash_table_size (set), ==, 8);
  g_clear_pointer (&set, g_hash_table_unref);

  set = docent_store_filter_chunk_ids (f->store, NULL, doc_b, &error);
  g_assert_cmpuint (g_hash_table_size (set), ==, 4);
  g_clear_pointer (&set, g_hash_table_unref);

  /* Both: the document, if it is in the collection. */
  set = docent_store_filter_chunk_ids (f->store, "blue", doc_a, &error);
  g_assert_cmpuint (g_hash_table_size (set), ==, 3);
  g_clear_pointer (&set, g_hash_table_unref);
  set = docent_store_filter_chunk_ids (f->store, "blue", doc_b, &error);
  g_assert_cmpuint (g_hash_table_size (set), ==, 0);
  g_clear_pointer (&set, g_hash_table_unref);
  set = docent_store_filter_chunk_ids (f->store, "no such collection", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (set), ==, 0);
  g_clear_pointer (&set, g_hash_table_unref);

  /* Several documents: the union of their chunks. */
  {
    const gint64 ids[] = { doc_a, doc_b, 999999 };

    set = docent_store_filter_chunk_ids_of (f->store, ids, G_N_ELEMENTS (ids), &error);
    g_assert_no_error (error);
    g_assert_cmpuint (g_hash_table_size (set), ==, 7);
    for (guint i = 0; i < a->len; i++)
      g_assert_true (g_hash_table_contains (set, &g_array_index (a, gint64, i)));
  }
}

/* ---- the vector index: lifecycle ----------------------------------------- */

static void
assert_file_mode_0600 (const char *path)
{
  struct stat st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
}

/* Searching with each listed chunk's own vector finds that chunk first,
 * with a cosine of 1, and the whole top 10 agrees with exact search. */
static void
assert_finds_own_vectors (DocentVectorIndex *vi,
                          Truth             *truth,
                          GArray            *ids)
{
  for (guint i = 0; i < ids->len; i++)
    {
      gint64 id = g_array_index (ids, gint64, i);
      const float *v = truth_vector (truth, id);
      g_autoptr(GArray) got = index_search (vi, v, 10, NULL);
      g_autoptr(GArray) want = truth_search (truth, v, 10, NULL);

      g_assert_cmpuint (got->len, >=, 1);
      g_assert_cmpint (g_array_index (got, DocentVectorHit, 0).chunk_id, ==, id);
      g_assert_cmpfloat_with_epsilon (g_array_index (got, DocentVectorHit, 0).score, 1.0, 1e-4);
      assert_hits_match (got, want);
    }
}

static void
test_index_empty (StoreFixture  *f,
                  gconstpointer  data)
{
  g_autoptr(DocentVectorIndex) vi = NULL;
  g_autoptr(GArray) hits = NULL;
  g_autoptr(GHashTable) allowed = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autofree float *q = random_vectors (3, 1, DIM);
  DocentVectorStats stats;

  vi = open_index (f->store, f->index_path, KEY, DIM, DOCENT_VECTORS_IVF_THRESHOLD,
                   DOCENT_VECTORS_REBUILT);
  docent_vector_index_stats (vi, &stats);
  g_assert_cmpuint (stats.count, ==, 0);
  g_assert_cmpint (stats.kind, ==, DOCENT_VECTORS_EXACT);
  g_assert_false (docent_vector_index_wants_rebuild (vi));
  hits = index_search (vi, q, 10, NULL);
  g_assert_cmpuint (hits->len, ==, 0);
  g_clear_pointer (&hits, g_array_unref);
  hits = index_search (vi, q, 10, allowed);
  g_assert_cmpuint (hits->len, ==, 0);
  g_clear_pointer (&hits, g_array_unref);
  hits = index_search (vi, q, 0, NULL);
  g_assert_cmpuint (hits->len, ==, 0);
  g_clear_pointer (&vi, docent_vector_index_free);
  g_assert_true (g_file_test (f->index_path, G_FILE_TEST_IS_REGULAR));
  assert_file_mode_0600 (f->index_path);

  vi = open_index (f->store, f->index_path, KEY, DIM, DOCENT_VECTORS_IVF_THRESHOLD,
                   DOCENT_VECTORS_LOADED);
  docent_vector_index_stats (vi, &stats);
  g_assert_cmpuint (stats.count, ==, 0);
}

static void
test_index_lifecycle (StoreFixture  *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentVectorIndex) vi = NULL;
  g_autoptr(GArray) a = NULL, b = NULL, c = NULL, d = NULL, e = NULL;
  g_autoptr(GPtrArray) first = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  g_autofree float *va = random_vectors (10, 40, DIM);
  g_autofree float *vb = random_vectors (11, 40, DIM);
  g_autofree float *vc = random_vectors (12, 40, DIM);
  g_autofree float *vd = random_vectors (13, 20, DIM);
  g_autofree float *ve = random_vectors (14, 5, DIM);
  g_autofree float *queries = random_vectors (15, 10, DIM);
  g_autofree char *other_path = NULL;
  Truth truth;
  DocentVectorStats stats;
  gint64 doc_b, generation;

  truth_init (&truth, DIM);
  put_simple_doc (f->store, "/docs/a.txt", "alpha", 40, NULL, &a);
  doc_b = put_simple_doc (f->store, "/docs/b.txt", "bravo", 40, NULL, &b);
  put_simple_doc (f->store, "/docs/c.txt", "charlie", 40, NULL, &c);
  put_vectors (f->store, KEY, a, va, DIM);
  put_vectors (f->store, KEY, b, vb, DIM);
  put_vectors (f->store, KEY, c, vc, DIM);
  truth_add (&truth, a, va);
  truth_add (&truth, b, vb);
  truth_add (&truth, c, vc);
  /* Another embedder's vectors in the same table never show up. */
  put_vectors (f->store, OTHER_KEY, a, vb, DIM);

  /* No cache file: built from the table, saved 0600. */
  g_assert_false (g_file_test (f->index_path, G_FILE_TEST_EXISTS));
  vi = open_index (f->store, f->index_path, KEY, DIM, DOCENT_VECTORS_IVF_THRESHOLD,
                   DOCENT_VECTORS_REBUILT);
  docent_vector_index_stats (vi, &stats);
  g_assert_cmpint (stats.kind, ==, DOCENT_VECTORS_EXACT);
  g_assert_cmpuint (stats.count, ==, 120);
  g_assert_cmpuint (stats.trained_for, ==, 120);
  g_assert_true (docent_store_generation (f->store, &generation, NULL));
  g_assert_cmpint (stats.generation, ==, generation);
  g_assert_false (docent_vector_index_wants_rebuild (vi));
  assert_file_mode_0600 (f->index_path);
  assert_index_matches_store (vi, f->store, KEY, DIM);
  assert_finds_own_vectors (vi, &truth, a);
  assert_finds_own_vectors (vi, &truth, b);
  for (guint q = 0; q < 10; q++)
    {
      GArray *got = index_search (vi, queries + q * DIM, 10, NULL);
      g_autoptr(GArray) want = truth_search (&truth, queries + q * DIM, 10, NULL);

      assert_hits_match (got, want);
      g_ptr_array_add (first, got);
    }
  /* k larger than the index: everything, once. */
  {
    g_autoptr(GArray) all = index_search (vi, queries, 1000, NULL);

    g_assert_cmpuint (all->len, ==, 120);
  }
  g_clear_pointer (&vi, docent_vector_index_free);

  /* Reopened unchanged: loaded from the file, identical answers. */
  vi = open_index (f->store, f->index_path, KEY, DIM, DOCENT_VECTORS_IVF_THRESHOLD,
                   DOCENT_VECTORS_LOADED);
  docent_vector_index_stats (vi, &stats);
  g_assert_cmpuint (stats.count, ==, 120);
  g_assert_cmpint (stats.generation, ==, generation);
  for (guint q = 0; q < 10; q++)
    {
      g_autoptr(GArray) got = index_search (vi, queries + q * DIM, 10, NULL);

      assert_same_hits (got, first->pdata[q]);
    }
  g_clear_pointer (&vi, docent_vector_index_free);

  /* Changed behind the closed index: a new document embedded, another
   * removed (its vectors go with it). Reopening syncs by id difference. */
  put_simple_doc (f->store, "/docs/d.txt", "delta", 20, NULL, &d);
  put_vectors (f->store, KEY, d, vd, DIM);
  truth_add (&truth, d, vd);
  g_assert_true (docent_store_remove_document (f->store, doc_b, &error));
  g_assert_no_error (error);
  truth_remove (&truth, b);
  g_assert_cmpint (query_int (f->store, "SELECT count(*) FROM embeddings WHERE embedder = '" KEY "'"),
                   ==, 100);
  g_assert_cmpint (orphan_vectors (f->store), ==, 0);

  vi = open_index (f->store, f->index_path, KEY, DIM, DOCENT_VECTORS_IVF_THRESHOLD,
                   DOCENT_VECTORS_SYNCED);
  docent_vector_index_stats (vi, &stats);
  g_assert_cmpuint (stats.count, ==, 100);
  assert_index_matches_store (vi, f->store, KEY, DIM);
  assert_finds_own_vectors (vi, &truth, d);
  assert_finds_own_vectors (vi, &truth, a);
  /* The removed chunks are never returned, even searching with their own
   * vectors for everything. */
  for (guint i = 0; i < b->len; i += 7)
    {
      g_autoptr(GArray) all = index_search (vi, vb + i * DIM, 1000, NULL);

      g_assert_cmpuint (all->len, ==, 100);
      for (guint j = 0; j < all->len; j++)
        g_assert_false (ids_contain (b, g_array_index (all, DocentVectorHit, j).chunk_id));
    }
  for (guint q = 0; q < 10; q++)
    {
      g_autoptr(GArray) got = index_search (vi, queries + q * DIM, 10, NULL);
      g_autoptr(GArray) want = truth_search (&truth, queries + q * DIM, 10, NULL);

      assert_hits_match (got, want);
    }

  /* While open: sync picks up what changed since; nothing changed is a
   * no-op. */
  put_simple_doc (f->store, "/docs/e.txt", "echo", 5, NULL, &e);
  put_vectors (f->store, KEY, e, ve, DIM);
  truth_add (&truth, e, ve);
  g_assert_true (docent_vector_index_sync (vi, f->store, &error));
  g_assert_no_error (error);
  docent_vector_index_stats (vi, &stats);
  g_assert_cmpint (stats.outcome, ==, DOCENT_VECTORS_SYNCED);
  g_assert_cmpuint (stats.count, ==, 105);
  assert_index_matches_store (vi, f->store, KEY, DIM);
  assert_finds_own_vectors (vi, &truth, e);
  g_assert_true (docent_vector_index_sync (vi, f->store, &error));
  docent_vector_index_stats (vi, &stats);
  g_assert_cmpuint (stats.count, ==, 105);

  /* A vector replaced under the same id is seen by sync. */
  {
    gint64 id = g_array_index (a, gint64, 0);
    g_autofree float *replacement = random_vectors (16, 1, DIM);
    g_autoptr(GArray) hits = NULL;
    g_autoptr(GArray) one = g_array_new (FALSE, FALSE, sizeof (gint64));

    g_array_append_val (one, id);
    put_vectors (f->store, KEY, one, replacement, DIM);
    truth_remove (&truth, one);
    truth_add (&truth, one, replacement);
    g_assert_true (docent_vector_index_sync (vi, f->store, &error));
    g_assert_no_error (error);
    hits = index_search (vi, replacement, 1, NULL);
    g_assert_cmpint (g_array_index (hits, DocentVectorHit, 0).chunk_id, ==, id);
    g_assert_cmpfloat_with_epsilon (g_array_index (hits, DocentVectorHit, 0).score, 1.0, 1e-4);
  }

  /* A rebuild on demand gives the same answers. */
  g_assert_true (docent_vector_index_rebuild (vi, f->store, &error));
  g_assert_no_error (error);
  docent_vector_index_stats (vi, &stats);
  g_assert_cmpint (stats.outcome, ==, DOCENT_VECTORS_REBUILT);
  assert_index_matches_store (vi, f->store, KEY, DIM);
  for (guint q = 0; q < 10; q++)
    {
      g_autoptr(GArray) got = index_search (vi, queries + q * DIM, 10, NULL);
      g_autoptr(GArray) want = truth_search (&truth, queries + q * DIM, 10, NULL);

      assert_hits_match (got, want);
    }
  g_clear_pointer (&vi, docent_vector_index_free);
  vi = open_index (f->store, f->index_path, KEY, DIM, DOCENT_VECTORS_IVF_THRESHOLD,
                   DOCENT_VECTORS_LOADED);
  assert_index_matches_store (vi, f->store, KEY, DIM);
  g_clear_pointer (&vi, docent_vector_index_free);

  /* The other embedder has its own file and its own vectors. */
  other_path = docent_vector_index_path (f->dir, OTHER_KEY);
  g_assert_cmpstr (other_path, !=, f->index_path);
  vi = open_index (f->store, other_path, OTHER_KEY, DIM, DOCENT_VECTORS_IVF_THRESHOLD,
                   DOCENT_VECTORS_REBUILT);
  assert_index_matches_store (vi, f->store, OTHER_KEY, DIM);
  docent_vector_index_stats (vi, &stats);
  g_assert_cmpuint (stats.count, ==, 40);
  truth_clear (&truth);
}

/* The store holds vectors of 32 floats for KEY: an index of 64 cannot be
 * built from them, whether or not a cache file exists. */
static void
test_index_dimension_mismatch (StoreFixture  *f,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) a = NULL;
  g_autoptr(DocentVectorIndex) vi = NULL;
  g_autofree float *v = random_vectors (20, 10, 32);

  put_simple_doc (f->store, "/docs/a.txt", "alpha", 10, NULL, &a);
  put_vectors (f->store, KEY, a, v, 32);

  vi = docent_vector_index_open (f->store, f->index_path, KEY, DIM, &error);
  g_assert_null (vi);
  g_assert_nonnull (error);
  g_test_message ("dimension mismatch: %s", error->message);
  g_assert_true (g_error_matches (error, DOCENT_VECTORS_ERROR, DOCENT_VECTORS_ERROR_DIMENSION));
  g_assert_nonnull (strstr (error->message, "32 dimensions, expected 64"));
  g_clear_error (&error);
  g_assert_false (g_file_test (f->index_path, G_FILE_TEST_EXISTS));

  /* The right dimension works; then a cache file of 32 opened for 64. */
  vi = open_index (f->store, f->index_path, KEY, 32, DOCENT_VECTORS_IVF_THRESHOLD,
                   DOCENT_VECTORS_REBUILT);
  assert_index_matches_store (vi, f->store, KEY, 32);
  g_clear_pointer (&vi, docent_vector_index_free);
  expect_warnings ("Rebuilding the vector index: *another embedding model*");
  vi = docent_vector_index_open (f->store, f->index_path, KEY, DIM, &error);
  g_assert_cmpuint (expected_warnings_seen (), ==, 1);
  g_assert_null (vi);
  g_assert_true (g_error_matches (error, DOCENT_VECTORS_ERROR, DOCENT_VECTORS_ERROR_DIMENSION));
  g_clear_error (&error);

  /* A 64 index whose file is current, then the store gets a 32 vector for
   * a new chunk: the sync reports the mismatch. */
  {
    g_autoptr(GArray) b = NULL;
    g_autofree float *v64 = random_vectors (21, 10, DIM);
    g_autofree float *v32 = random_vectors (22, 1, 32);
    g_autoptr(GArray) one = g_array_new (FALSE, FALSE, sizeof (gint64));
    g_autofree char *path = docent_vector_index_path (f->dir, OTHER_KEY);

    put_vectors (f->store, OTHER_KEY, a, v64, DIM);
    vi = open_index (f->store, path, OTHER_KEY, DIM, DOCENT_VECTORS_IVF_THRESHOLD,
                     DOCENT_VECTORS_REBUILT);
    put_simple_doc (f->store, "/docs/b.txt", "bravo", 1, NULL, &b);
    put_vectors (f->store, OTHER_KEY, b, v32, 32);
    g_assert_false (docent_vector_index_sync (vi, f->store, &error));
    g_assert_true (g_error_matches (error, DOCENT_VECTORS_ERROR, DOCENT_VECTORS_ERROR_DIMENSION));
    g_clear_error (&error);
    /* Still usable with what it had. */
    g_clear_pointer (&b, g_array_unref);
    b = index_search (vi, v64, 1, NULL);
    g_assert_cmpint (g_array_index (b, DocentVectorHit, 0).chunk_id, ==, g_array_index (a, gint64, 0));
  }
}

/* ---- the vector index: damaged cache files ------------------------------- */

typedef enum {
  DAMAGE_FLIP_MIDDLE,
  DAMAGE_FLIP_END,
  DAMAGE_TRUNCATE_HALF,
  DAMAGE_TRUNCATE_LAST_BYTE,
  DAMAGE_HEADER_ONLY,
  DAMAGE_TINY,
  DAMAGE_EMPTY,
  DAMAGE_APPENDED,
  DAMAGE_GARBAGE,
  DAMAGE_OTHER_KEY,
  DAMAGE_OTHER_DIM,
} Damage;

static const char *const damage_names[] = {
  "flip-middle", "flip-end", "truncate-half", "truncate-last-byte", "header-only",
  "tiny", "empty", "appended", "garbage", "other-key", "other-dim",
};

/* 60 chunks with vectors for KEY, and the truth about them. */
static void
damage_set_up (StoreFixture *f,
               Truth        *truth)
{
  g_autoptr(GArray) a = NULL, b = NULL;
  g_autofree float *va = random_vectors (30, 30, DIM);
  g_autofree float *vb = random_vectors (31, 30, DIM);

  truth_init (truth, DIM);
  put_simple_doc (f->store, "/docs/a.txt", "alpha", 30, NULL, &a);
  put_simple_doc (f->store, "/docs/b.txt", "bravo", 30, NULL, &b);
  put_vectors (f->store, KEY, a, va, DIM);
  put_vectors (f->store, KEY, b, vb, DIM);
  truth_add (truth, a, va);
  truth_add (truth, b, vb);
}

static void
assert_answers_truly (DocentVectorIndex *vi,
                      Truth             *truth)
{
  g_autofree float *queries = random_vectors (33, 8, DIM);

  for (guint q = 0; q < 8; q++)
    {
      g_autoptr(GArray) got = index_search (vi, queries + q * DIM, 10, NULL);
      g_autoptr(GArray) want = truth_search (truth, queries + q * DIM, 10, NULL);

      assert_hits_match (got, want);
    }
  assert_finds_own_vectors (vi, truth, truth->ids);
}

/* A file of another embedder (same dimension or not) built in the same
 * store and returned as bytes. */
static GBytes *
foreign_index_file (StoreFixture *f,
                    guint         dim)
{
  g_autoptr(GArray) ids = chunk_ids (f->store, 0);
  g_autofree float *v = random_vectors (34, ids->len, dim);
  g_autofree char *key = g_strdup_printf ("foreign-%u:mean", dim);
  g_autofree char *path = docent_vector_index_path (f->dir, key);
  g_autoptr(DocentVectorIndex) vi = NULL;

  put_vectors (f->store, key, ids, v, dim);
  vi = open_index (f->store, path, key, dim, DOCENT_VECTORS_IVF_THRESHOLD, DOCENT_VECTORS_REBUILT);
  return docent_test_read_bytes (path);
}

static void
test_index_damaged (StoreFixture  *f,
                    gconstpointer  data)
{
  Damage damage = GPOINTER_TO_INT (data);
  g_autoptr(DocentVectorIndex) vi = NULL;
  g_autoptr(GBytes) good = NULL;
  g_autoptr(GBytes) foreign = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *bytes = NULL;
  gsize size, len;
  Truth truth;
  DocentVectorStats stats;

  damage_set_up (f, &truth);
  vi = open_index (f->store, f->index_path, KEY, DIM, DOCENT_VECTORS_IVF_THRESHOLD,
                   DOCENT_VECTORS_REBUILT);
  g_clear_pointer (&vi, docent_vector_index_free);
  good = docent_test_read_bytes (f->index_path);
  size = g_bytes_get_size (good);
  g_assert_cmpuint (size, >, 60 * DIM * sizeof (float));
  bytes = g_memdup2 (g_bytes_get_data (good, NULL), size + 1);
  len = size;

  switch (damage)
    {
    case DAMAGE_FLIP_MIDDLE:
      for (gsize i = size / 2; i < size / 2 + 16; i++)
        bytes[i] ^= 0xff;
      break;
    case DAMAGE_FLIP_END:
      bytes[size - 1] ^= 0x01;
      break;
    case DAMAGE_TRUNCATE_HALF:
      len = size / 2;
      break;
    case DAMAGE_TRUNCATE_LAST_BYTE:
      len = size - 1;
      break;
    case DAMAGE_HEADER_ONLY:
      len = 72;
      break;
    case DAMAGE_TINY:
      len = 10;
      break;
    case DAMAGE_EMPTY:
      len = 0;
      break;
    case DAMAGE_APPENDED:
      bytes[size] = 0;
      len = size + 1;
      break;
    case DAMAGE_GARBAGE:
      {
        g_autoptr(GRand) rand = g_rand_new_with_seed (35);

        for (gsize i = 0; i < size; i++)
          bytes[i] = (guint8) g_rand_int (rand);
      }
      break;
    case DAMAGE_OTHER_KEY:
    case DAMAGE_OTHER_DIM:
      foreign = foreign_index_file (f, damage == DAMAGE_OTHER_KEY ? DIM : 32);
      g_free (bytes);
      bytes = g_memdup2 (g_bytes_get_data (foreign, &len), g_bytes_get_size (foreign));
      break;
    default:
      g_assert_not_reached ();
    }
  g_assert_true (g_file_set_contents (f->index_path, (const char *) bytes, len, &error));
  g_assert_no_error (error);

  /* Opening rebuilds from the table, with a warning saying why. */
  expect_warnings ("Rebuilding the vector index: *");
  vi = open_index (f->store, f->index_path, KEY, DIM, DOCENT_VECTORS_IVF_THRESHOLD,
                   DOCENT_VECTORS_REBUILT);
  g_assert_cmpuint (expected_warnings_seen (), ==, 1);
  docent_vector_index_stats (vi, &stats);
  g_assert_cmpuint (stats.count, ==, 60);
  g_assert_cmpint (stats.kind, ==, DOCENT_VECTORS_EXACT);
  assert_index_matches_store (vi, f->store, KEY, DIM);
  assert_answers_truly (vi, &truth);
  g_clear_pointer (&vi, docent_vector_index_free);

  /* The file was replaced by a good one. */
  assert_file_mode_0600 (f->index_path);
  vi = open_index (f->store, f->index_path, KEY, DIM, DOCENT_VECTORS_IVF_THRESHOLD,
                   DOCENT_VECTORS_LOADED);
  assert_answers_truly (vi, &truth);
  truth_clear (&truth);
}

/* Every byte of the header changed in turn (the checksum field, the
 * kind, nprobe, the generation…): each is caught and rebuilt, the index
 * answers truly and its stats are sane. */
static void
test_index_damaged_header (StoreFixture  *f,
                           gconstpointer  data)
{
  g_autoptr(DocentVectorIndex) vi = NULL;
  g_autoptr(GBytes) good = NULL;
  g_autoptr(GError) error = NULL;
  gsize size;
  Truth truth;
  guint rebuilt = 0;

  damage_set_up (f, &truth);
  vi = open_index (f->store, f->index_path, KEY, DIM, DOCENT_VECTORS_IVF_THRESHOLD,
                   DOCENT_VECTORS_REBUILT);
  g_clear_pointer (&vi, docent_vector_index_free);
  good = docent_test_read_bytes (f->index_path);
  size = g_bytes_get_size (good);

  expect_warnings ("Rebuilding the vector index: *");
  for (gsize at = 0; at < 72; at++)
    {
      g_autofree guint8 *bytes = g_memdup2 (g_bytes_get_data (good, NULL), size);
      DocentVectorStats stats;

      /* At 16, the kind: 1 would claim IVF for an exact index. */
      bytes[at] ^= 0x01;
      g_assert_true (g_file_set_contents (f->index_path, (const char *) bytes, size, &error));
      vi = docent_vector_index_open (f->store, f->index_path, KEY, DIM, &error);
      g_assert_no_error (error);
      g_assert_nonnull (vi);
      docent_vector_index_stats (vi, &stats);
      if (stats.outcome == DOCENT_VECTORS_REBUILT)
        rebuilt++;
      g_assert_cmpuint (stats.count, ==, 60);
      g_assert_cmpuint (stats.dim, ==, DIM);
      g_assert_cmpint (stats.kind, ==, DOCENT_VECTORS_EXACT);
      g_assert_cmpuint (stats.nlist, ==, 0);
      {
        const float *q = truth_vector (&truth, g_array_index (truth.ids, gint64, 7));
        g_autoptr(GArray) got = index_search (vi, q, 10, NULL);
        g_autoptr(GArray) want = truth_search (&truth, q, 10, NULL);

        assert_hits_match (got, want);
      }
      g_clear_pointer (&vi, docent_vector_index_free);
    }
  g_assert_cmpuint (expected_warnings_seen (), ==, rebuilt);
  /* The checksum covers the header: every change is caught. */
  g_assert_cmpuint (rebuilt, ==, 72);
  truth_clear (&truth);
}

/* ---- the vector index: IVF ----------------------------------------------- */

/* n unit vectors around `n_centers` random centres (cosine to the centre
 * about 0.8), the same for the same seed. */
static float *
clustered_vectors (guint32 seed,
                   guint   n,
                   guint   n_centers)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autofree float *centers = random_vectors (seed + 1000, n_centers, DIM);
  float *v = g_new (float, (gsize) n * DIM);

  for (guint i = 0; i < n; i++)
    {
      const float *c = centers + (gsize) g_rand_int_range (rand, 0, (gint32) n_centers) * DIM;

      for (guint j = 0; j < DIM; j++)
        v[(gsize) i * DIM + j] = c[j] + 0.1f * gaussian (rand);
      normalize (v + (gsize) i * DIM, DIM);
    }
  return v;
}

/* Queries near the data: a stored vector plus noise. */
static float *
queries_near (Truth   *truth,
              guint32  seed,
              guint    n)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  float *q = g_new (float, (gsize) n * DIM);

  for (guint i = 0; i < n; i++)
    {
      guint at = (guint) g_rand_int_range (rand, 0, (gint32) truth->ids->len);
      const float *v = &g_array_index (truth->vectors, float, (gsize) at * DIM);

      for (guint j = 0; j < DIM; j++)
        q[(gsize) i * DIM + j] = v[j] + 0.08f * gaussian (rand);
      normalize (q + (gsize) i * DIM, DIM);
    }
  return q;
}

static double
recall_at_10 (DocentVectorIndex *vi,
              Truth             *truth,
              const float       *queries,
              guint              n)
{
  guint found = 0, wanted = 0;

  for (guint q = 0; q < n; q++)
    {
      g_autoptr(GArray) got = index_search (vi, queries + (gsize) q * DIM, 10, NULL);
      g_autoptr(GArray) want = truth_search (truth, queries + (gsize) q * DIM, 10, NULL);

      for (guint i = 0; i < want->len; i++)
        {
          wanted++;
          for (guint j = 0; j < got->len; j++)
            if (g_array_index (got, DocentVectorHit, j).chunk_id ==
                g_array_index (want, DocentVectorHit, i).chunk_id)
              {
                found++;
                break;
              }
        }
    }
  return wanted ? (double) found / wanted : 1.0;
}

#define IVF_DOCS 10
#define IVF_PER_DOC 300

static void
test_index_ivf (StoreFixture  *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentVectorIndex) vi = NULL;
  g_autoptr(GArray) removed = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) added = NULL;
  g_autofree float *vectors = clustered_vectors (40, IVF_DOCS * IVF_PER_DOC, 30);
  g_autofree float *more = clustered_vectors (41, 100, 30);
  g_autofree float *queries = NULL;
  g_autoptr(GPtrArray) before = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  gint64 docs[IVF_DOCS];
  Truth truth;
  DocentVectorStats stats, reloaded;
  double recall;

  truth_init (&truth, DIM);
  for (guint d = 0; d < IVF_DOCS; d++)
    {
      g_autofree char *path = g_strdup_printf ("/docs/ivf-%u.txt", d);
      g_autoptr(GArray) ids = NULL;

      docs[d] = put_simple_doc (f->store, path, "cluster", IVF_PER_DOC, NULL, &ids);
      put_vectors (f->store, KEY, ids, vectors + (gsize) d * IVF_PER_DOC * DIM, DIM);
      truth_add (&truth, ids, vectors + (gsize) d * IVF_PER_DOC * DIM);
      if (d < 2)
        g_array_append_vals (removed, ids->data, ids->len);
    }
  queries = queries_near (&truth, 42, 50);

  vi = open_index (f->store, f->index_path, KEY, DIM, 500, DOCENT_VECTORS_REBUILT);
  docent_vector_index_stats (vi, &stats);
  g_test_message ("3000 clustered vectors: %s, nlist %u, nprobe %u",
                  stats.kind == DOCENT_VECTORS_IVF ? "IVF" : "exact (IVF did not pay)",
                  stats.nlist, stats.nprobe);
  g_assert_cmpuint (stats.count, ==, IVF_DOCS * IVF_PER_DOC);
  g_assert_cmpuint (stats.trained_for, ==, IVF_DOCS * IVF_PER_DOC);
  if (stats.kind == DOCENT_VECTORS_IVF)
    {
      g_assert_cmpuint (stats.nlist, >=, 16);
      g_assert_cmpuint (stats.nprobe, >=, 1);
      g_assert_cmpuint (stats.nprobe, <=, stats.nlist / 4);
    }
  else
    g_assert_cmpuint (stats.nlist, ==, 0);
  g_assert_false (docent_vector_index_wants_rebuild (vi));
  recall = recall_at_10 (vi, &truth, queries, 50);
  g_test_message ("recall@10 %.3f", recall);

  g_assert_cmpfloat (recall, >=, 0.98);
  /* A stored vector is always found: its own list is the closest. */
  for (guint i = 0; i < truth.ids->len; i += 97)
    {
      g_autoptr(GArray) hits = index_search (vi, &g_array_index (truth.vectors, float, (gsize) i * DIM), 1, NULL);

      g_assert_cmpint (g_array_index (hits, DocentVectorHit, 0).chunk_id, ==,
                       g_array_index (truth.ids, gint64, i));
    }

  /* Removing two documents: remove_ids on the index, the rest found. */
  g_assert_true (docent_store_remove_document (f->store, docs[0], &error));
  g_assert_true (docent_store_remove_document (f->store, docs[1], &error));
  g_assert_no_error (error);
  truth_remove (&truth, removed);
  g_assert_true (docent_vector_index_sync (vi, f->store, &error));
  g_assert_no_error (error);
  docent_vector_index_stats (vi, &reloaded);
  g_assert_cmpint (reloaded.outcome, ==, DOCENT_VECTORS_SYNCED);
  g_assert_cmpint (reloaded.kind, ==, stats.kind);
  g_assert_cmpuint (reloaded.count, ==, 8 * IVF_PER_DOC);
  g_assert_cmpuint (reloaded.nprobe, ==, stats.nprobe);
  for (guint i = 0; i < removed->len; i += 5)
    {
      const float *v = vectors + (gsize) i * DIM;   /* docs 0 and 1 come first */
      g_autoptr(GArray) hits = index_search (vi, v, 50, NULL);

      g_assert_cmpuint (hits->len, >, 0);
      for (guint j = 0; j < hits->len; j++)
        g_assert_false (ids_contain (removed, g_array_index (hits, DocentVectorHit, j).chunk_id));
    }
  g_free (queries);
  queries = queries_near (&truth, 43, 50);
  recall = recall_at_10 (vi, &truth, queries, 50);
  g_test_message ("recall@10 after removing 600: %.3f", recall);
  g_assert_cmpfloat (recall, >=, 0.98);

  /* Adding: new vectors go into the trained lists. */
  put_simple_doc (f->store, "/docs/more.txt", "more", 100, NULL, &added);
  put_vectors (f->store, KEY, added, more, DIM);
  truth_add (&truth, added, more);
  g_assert_true (docent_vector_index_sync (vi, f->store, &error));
  g_assert_no_error (error);
  docent_vector_index_stats (vi, &reloaded);
  g_assert_cmpuint (reloaded.count, ==, 8 * IVF_PER_DOC + 100);
  for (guint i = 0; i < added->len; i += 9)
    {
      g_autoptr(GArray) hits = index_search (vi, more + (gsize) i * DIM, 1, NULL);

      g_assert_cmpint (g_array_index (hits, DocentVectorHit, 0).chunk_id, ==, g_array_index (added, gint64, i));
    }
  for (guint q = 0; q < 20; q++)
    g_ptr_array_add (before, index_search (vi, queries + q * DIM, 10, NULL));
  docent_vector_index_stats (vi, &stats);
  g_clear_pointer (&vi, docent_vector_index_free);

  /* Saved and reloaded: the same kind, lists, nprobe and answers. */
  vi = open_index (f->store, f->index_path, KEY, DIM, 500, DOCENT_VECTORS_LOADED);
  docent_vector_index_stats (vi, &reloaded);
  g_assert_cmpint (reloaded.kind, ==, stats.kind);
  g_assert_cmpuint (reloaded.nlist, ==, stats.nlist);
  g_assert_cmpuint (reloaded.nprobe, ==, stats.nprobe);
  g_assert_cmpuint (reloaded.trained_for, ==, stats.trained_for);
  g_assert_cmpuint (reloaded.count, ==, stats.count);
  g_assert_cmpint (reloaded.generation, ==, stats.generation);
  for (guint q = 0; q < 20; q++)
    {
      g_autoptr(GArray) got = index_search (vi, queries + q * DIM, 10, NULL);

      assert_same_hits (got, before->pdata[q]);
    }

  /* Filtered search on it: only allowed ids, as many as asked when there
   * are enough. */
  {
    g_autoptr(GHashTable) allowed = docent_store_filter_chunk_ids (f->store, NULL, docs[5], &error);

    for (guint q = 0; q < 10; q++)
      {
        g_autoptr(GArray) hits = index_search (vi, queries + q * DIM, 10, allowed);

        g_assert_cmpuint (hits->len, ==, 10);
        for (guint j = 0; j < hits->len; j++)
          g_assert_true (g_hash_table_contains (allowed, &g_array_index (hits, DocentVectorHit, j).chunk_id));
      }
  }

  /* Growing 4× past what it was trained for asks for a rebuild. */
  if (stats.kind == DOCENT_VECTORS_IVF)
    {
      g_autoptr(GArray) big = NULL;
      g_autofree float *bv = clustered_vectors (44, 9000, 30);

      put_simple_doc (f->store, "/docs/big.txt", "big", 9000, NULL, &big);
      put_vectors (f->store, KEY, big, bv, DIM);
      g_assert_true (docent_vector_index_sync (vi, f->store, &error));
      g_assert_no_error (error);
      g_assert_false (docent_vector_index_wants_rebuild (vi));
      g_clear_pointer (&big, g_array_unref);
      g_free (bv);
      bv = clustered_vectors (45, 900, 30);
      put_simple_doc (f->store, "/docs/big2.txt", "big", 900, NULL, &big);
      put_vectors (f->store, KEY, big, bv, DIM);
      g_assert_true (docent_vector_index_sync (vi, f->store, &error));
      g_assert_true (docent_vector_index_wants_rebuild (vi));
      g_assert_true (docent_vector_index_rebuild (vi, f->store, &error));
      g_assert_no_error (error);
      docent_vector_index_stats (vi, &reloaded);
      g_assert_cmpuint (reloaded.trained_for, ==, reloaded.count);
      g_assert_false (docent_vector_index_wants_rebuild (vi));
      assert_index_matches_store (vi, f->store, KEY, DIM);
    }

  /* A flipped nprobe in an IVF file's header: caught, rebuilt as IVF. */
  if (stats.kind == DOCENT_VECTORS_IVF)
    {
      g_autoptr(GBytes) good = docent_test_read_bytes (f->index_path);
      g_autofree guint8 *bytes = g_memdup2 (g_bytes_get_data (good, NULL), g_bytes_get_size (good));

      docent_vector_index_stats (vi, &stats);
      g_clear_pointer (&vi, docent_vector_index_free);
      bytes[20] ^= 0xff;    /* FileHeader.nprobe */
      g_assert_true (g_file_set_contents (f->index_path, (const char *) bytes,
                                          g_bytes_get_size (good), &error));
      expect_warnings ("Rebuilding the vector index: *");
      vi = open_index (f->store, f->index_path, KEY, DIM, 500, DOCENT_VECTORS_REBUILT);
      g_assert_cmpuint (expected_warnings_seen (), ==, 1);
      docent_vector_index_stats (vi, &reloaded);
      g_assert_cmpint (reloaded.kind, ==, DOCENT_VECTORS_IVF);
      g_assert_cmpuint (reloaded.nprobe, <=, reloaded.nlist / 4);
      g_assert_cmpuint (reloaded.count, ==, stats.count);
    }
  truth_clear (&truth);
}

/* ---- the vector index: filtered search ---------------------------------- */

static void
assert_filtered_exact (DocentVectorIndex *vi,
                       Truth             *truth,
                       const float       *query,
                       guint              k,
                       GHashTable        *allowed,
                       guint              expected_len)
{
  g_autoptr(GArray) got = index_search (vi, query, k, allowed);
  g_autoptr(GArray) want = truth_search (truth, query, k, allowed);

  g_assert_cmpuint (got->len, ==, expected_len);
  for (guint i = 0; i < got->len; i++)
    g_assert_true (g_hash_table_contains (allowed, &g_array_index (got, DocentVectorHit, i).chunk_id));
  assert_hits_match (got, want);
}

/* Allowed sets of every shape: far from the query (the search widens
 * until it has k), smaller than k (all of them), empty, and holding ids
 * the index does not have. */
static void
test_index_filtered (StoreFixture  *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentVectorIndex) vi = NULL;
  g_autoptr(GArray) a = NULL, b = NULL, c = NULL, d = NULL;
  g_autoptr(GHashTable) only_b = NULL, only_c = NULL, only_d = NULL, b_and_d = NULL;
  g_autoptr(GHashTable) none = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autofree float *va = clustered_vectors (70, 400, 1);
  g_autofree float *vb = clustered_vectors (71, 60, 1);
  g_autofree float *vc = random_vectors (72, 5, DIM);
  gint64 doc_b, doc_c, doc_d;
  Truth truth;

  truth_init (&truth, DIM);
  put_simple_doc (f->store, "/docs/a.txt", "alpha", 400, "mixed", &a);
  doc_b = put_simple_doc (f->store, "/docs/b.txt", "bravo", 60, "mixed", &b);
  doc_c = put_simple_doc (f->store, "/docs/c.txt", "charlie", 5, NULL, &c);
  doc_d = put_simple_doc (f->store, "/docs/d.txt", "delta", 30, "mixed", &d);   /* no vectors */
  put_vectors (f->store, KEY, a, va, DIM);
  put_vectors (f->store, KEY, b, vb, DIM);
  put_vectors (f->store, KEY, c, vc, DIM);
  truth_add (&truth, a, va);
  truth_add (&truth, b, vb);
  truth_add (&truth, c, vc);
  vi = open_index (f->store, f->index_path, KEY, DIM, DOCENT_VECTORS_IVF_THRESHOLD,
                   DOCENT_VECTORS_REBUILT);
  only_b = docent_store_filter_chunk_ids (f->store, NULL, doc_b, &error);
  only_c = docent_store_filter_chunk_ids (f->store, NULL, doc_c, &error);
  only_d = docent_store_filter_chunk_ids (f->store, NULL, doc_d, &error);
  b_and_d = docent_store_filter_chunk_ids (f->store, "mixed", 0, &error);
  g_assert_no_error (error);
  g_hash_table_foreach_remove (b_and_d, ids_contain_key, a);

  for (guint q = 0; q < 5; q++)
    {
      /* Queries in a's cluster: every b is behind all 400 a's. */
      const float *query = va + q * 13 * DIM;

      assert_filtered_exact (vi, &truth, query, 10, only_b, 10);
      assert_filtered_exact (vi, &truth, query, 10, only_c, 5);
      assert_filtered_exact (vi, &truth, query, 10, none, 0);
      assert_filtered_exact (vi, &truth, query, 10, only_d, 0);
      assert_filtered_exact (vi, &truth, query, 10, b_and_d, 10);
      assert_filtered_exact (vi, &truth, query, 100, only_b, 60);
    }
  truth_clear (&truth);
}

/* ---- hybrid search ------------------------------------------------------- */

/* A vector with cosine `cos` to e0, its other part random. */
static void
vector_at_cosine (float   *v,
                  float    cos,
                  guint32  seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  float rest[DIM - 1];

  random_unit (rand, rest, DIM - 1);
  v[0] = cos;
  for (guint j = 1; j < DIM; j++)
    v[j] = sqrtf (1.0f - cos * cos) * rest[j - 1];
}

typedef struct {
  gint64 a, b, c, d;          /* chunk ids */
  gint64 doc_a, doc_b, doc_c, doc_d, doc_filler;
  GArray *fillers;
  GHashTable *air_docs;       /* document ids of collection "air" */
  DocentVectorIndex *vi;
  float query[DIM];
} Zeppelins;

/* BM25 for "zeppelin" ranks A (three times, short), B (twice), C (once, in
 * a long passage); D says the same without the word. Dense similarity to
 * the query vector e0: D 1.0, B 0.9, A 0.8, C 0.5, fillers below 0. */
static void
zeppelins_set_up (StoreFixture *f,
                  Zeppelins    *z)
{
  const ChunkSpec a[] = { { "zeppelin zeppelin zeppelin airship hangar", NULL, 1, 1, 0, 40 } };
  const ChunkSpec b[] = { { "The zeppelin flew over the old harbour at dawn, a zeppelin in the fog.", NULL, 1, 1, 0, 70 } };
  const ChunkSpec c[] = { { "The crew of the zeppelin wrote long letters home about the weather, "
                            "the food, the cold nights, the noise of the engines and the endless "
                            "waiting for orders from the ground.", NULL, 1, 1, 0, 150 } };
  const ChunkSpec d[] = { { "A dirigible balloon floated silently above the clouds.", NULL, 1, 1, 0, 55 } };
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GArray) all = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree float *vectors = NULL;

  z->doc_a = put_doc (f->store, "/docs/a.txt", a, 1, "air", &ids);
  z->a = g_array_index (ids, gint64, 0);
  g_clear_pointer (&ids, g_array_unref);
  z->doc_b = put_doc (f->store, "/docs/b.txt", b, 1, "sea", &ids);
  z->b = g_array_index (ids, gint64, 0);
  g_clear_pointer (&ids, g_array_unref);
  z->doc_c = put_doc (f->store, "/docs/c.txt", c, 1, "sea", &ids);
  z->c = g_array_index (ids, gint64, 0);
  g_clear_pointer (&ids, g_array_unref);
  z->doc_d = put_doc (f->store, "/docs/d.txt", d, 1, "air", &ids);
  z->d = g_array_index (ids, gint64, 0);
  g_clear_pointer (&ids, g_array_unref);
  z->doc_filler = put_simple_doc (f->store, "/docs/filler.txt", "garden", 20, "air", &z->fillers);
  z->air_docs = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_hash_table_add (z->air_docs, g_memdup2 (&z->doc_a, sizeof (gint64)));
  g_hash_table_add (z->air_docs, g_memdup2 (&z->doc_d, sizeof (gint64)));
  g_hash_table_add (z->air_docs, g_memdup2 (&z->doc_filler, sizeof (gint64)));

  g_array_append_val (all, z->a);
  g_array_append_val (all, z->b);
  g_array_append_val (all, z->c);
  g_array_append_val (all, z->d);
  g_array_append_vals (all, z->fillers->data, z->fillers->len);
  vectors = g_new (float, all->len * DIM);
  vector_at_cosine (vectors + 0 * DIM, 0.8f, 1);
  vector_at_cosine (vectors + 1 * DIM, 0.9f, 2);
  vector_at_cosine (vectors + 2 * DIM, 0.5f, 3);
  vector_at_cosine (vectors + 3 * DIM, 1.0f, 4);
  for (guint i = 0; i < z->fillers->len; i++)
    vector_at_cosine (vectors + (4 + i) * DIM, -0.1f - 0.02f * i, 100 + i);
  put_vectors (f->store, KEY, all, vectors, DIM);
  z->vi = open_index (f->store, f->index_path, KEY, DIM, DOCENT_VECTORS_IVF_THRESHOLD,
                      DOCENT_VECTORS_REBUILT);
  memset (z->query, 0, sizeof z->query);
  z->query[0] = 1.0f;
}

static void
zeppelins_clear (Zeppelins *z)
{
  g_clear_pointer (&z->vi, docent_vector_index_free);
  g_clear_pointer (&z->fillers, g_array_unref);
  g_clear_pointer (&z->air_docs, g_hash_table_unref);
}

static GPtrArray *
hybrid (StoreFixture        *f,
        Zeppelins           *z,
        DocentSearchMode     mode,
        const char          *query,
        guint                limit,
        guint                rrf_k,
        const char          *collection,
        gint64               document_id,
        DocentHybridTimings *timings)
{
  g_autoptr(GError) error = NULL;
  DocentHybridOptions opts = { 0 };
  GPtrArray *hits;

  opts.base.query = query;
  opts.base.limit = limit;
  opts.base.collection = collection;
  opts.base.document_id = document_id;
  opts.mode = mode;
  opts.rrf_k = rrf_k;
  opts.vectors = z->vi;
  opts.embedder = KEY;
  opts.query_vector = z->query;
  opts.dim = DIM;
  hits = docent_store_hybrid_search (f->store, &opts, timings, &error);
  g_assert_no_error (error);
  g_assert_nonnull (hits);
  return hits;
}

typedef struct {
  gint64 id;
  guint bm25_rank, dense_rank;
  double rrf;
} Expected;

static int
compare_expected (gconstpointer a,
                  gconstpointer b)
{
  const Expected *x = a, *y = b;

  if (x->rrf != y->rrf)
    return x->rrf < y->rrf ? 1 : -1;
  return x->id < y->id ? -1 : x->id > y->id;
}

static Expected *
expected_for (GArray *expected,
              gint64  id)
{
  for (guint i = 0; i < expected->len; i++)
    if (g_array_index (expected, Expected, i).id == id)
      return &g_array_index (expected, Expected, i);
  g_array_set_size (expected, expected->len + 1);
  g_array_index (expected, Expected, expected->len - 1) = (Expected) { .id = id };
  return &g_array_index (expected, Expected, expected->len - 1);
}

/* RRF computed independently: BM25 ranks from docent_store_search and
 * dense ranks from exact search (both over the same filter), then
 * sum(1 / (k + rank)). */
static GArray *
expected_rrf (StoreFixture *f,
              Zeppelins    *z,
              const char   *query,
              guint         rrf_k,
              const char   *collection,
              gint64        document_id)
{
  g_autoptr(GError) error = NULL;
  GArray *expected = g_array_new (FALSE, TRUE, sizeof (Expected));
  DocentSearchOptions opts = { .query = query, .limit = 50, .collection = collection,
                               .document_id = document_id };
  g_autoptr(GPtrArray) bm25 = docent_store_search (f->store, &opts, NULL, &error);
  g_autoptr(GArray) ids = docent_store_embedding_ids (f->store, KEY, &error);
  g_autoptr(GHashTable) allowed = NULL;
  g_autofree float *vectors = g_new (float, ids->len * DIM);
  g_autoptr(GArray) dense = NULL;
  Truth truth;

  g_assert_no_error (error);
  for (guint i = 0; i < bm25->len; i++)
    {
      Expected *e = expected_for (expected, ((DocentSearchHit *) bm25->pdata[i])->chunk_id);

      e->bm25_rank = i + 1;
      e->rrf += 1.0 / (rrf_k + i + 1);
    }
  if (collection != NULL || document_id != 0)
    allowed = docent_store_filter_chunk_ids (f->store, collection, document_id, &error);
  g_assert_true (docent_store_read_embeddings (f->store, KEY, (const gint64 *) (gpointer) ids->data,
                                               ids->len, DIM, vectors, &error));
  truth_init (&truth, DIM);
  truth_add (&truth, ids, vectors);
  dense = truth_search (&truth, z->query, 50, allowed);
  for (guint i = 0; i < dense->len; i++)
    {
      Expected *e = expected_for (expected, g_array_index (dense, DocentVectorHit, i).chunk_id);

      e->dense_rank = i + 1;
      e->rrf += 1.0 / (rrf_k + i + 1);
    }
  truth_clear (&truth);
  g_array_sort (expected, compare_expected);
  return expected;
}

static void
assert_fused_as_expected (GPtrArray *hits,
                          GArray    *expected,
                          guint      limit)
{
  g_assert_cmpuint (hits->len, ==, MIN (limit, expected->len));
  for (guint i = 0; i < hits->len; i++)
    {
      const DocentSearchHit *h = hits->pdata[i];
      const Expected *e = &g_array_index (expected, Expected, i);

      g_assert_cmpint (h->chunk_id, ==, e->id);
      g_assert_cmpuint (h->bm25_rank, ==, e->bm25_rank);
      g_assert_cmpuint (h->dense_rank, ==, e->dense_rank);
      g_assert_cmpfloat_with_epsilon (h->score, e->rrf, 1e-12);
      g_assert_nonnull (h->text);
      g_assert_nonnull (h->snippet);
      g_assert_nonnull (h->path);
    }
}

static void
test_hybrid_rrf (StoreFixture  *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) hits = NULL;
  g_autoptr(GArray) expected = NULL;
  DocentSearchOptions plain = { .query = "zeppelin", .limit = 10 };
  DocentHybridTimings timings = { .embed_ms = 0.5 };
  Zeppelins z = { 0 };
  const DocentSearchHit *h;

  zeppelins_set_up (f, &z);

  /* The premise: BM25 alone ranks A, B, C. */
  hits = docent_store_search (f->store, &plain, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hits->len, ==, 3);
  g_assert_cmpint (((DocentSearchHit *) hits->pdata[0])->chunk_id, ==, z.a);
  g_assert_cmpint (((DocentSearchHit *) hits->pdata[1])->chunk_id, ==, z.b);
  g_assert_cmpint (((DocentSearchHit *) hits->pdata[2])->chunk_id, ==, z.c);
  g_clear_pointer (&hits, g_ptr_array_unref);

  /* Fused with k = 60: A (1st by words, 3rd by meaning) beats B (2nd and
   * 2nd) by a hair; C (3rd, 4th) beats D (1st by meaning only). */
  hits = hybrid (f, &z, DOCENT_SEARCH_HYBRID, "zeppelin", 10, 0, NULL, 0, &timings);
  g_assert_cmpuint (hits->len, ==, 10);
  h = hits->pdata[0];
  g_assert_cmpint (h->chunk_id, ==, z.a);
  g_assert_cmpuint (h->bm25_rank, ==, 1);
  g_assert_cmpuint (h->dense_rank, ==, 3);
  g_assert_cmpfloat_with_epsilon (h->score, 1.0 / 61 + 1.0 / 63, 1e-12);
  g_assert_cmpfloat_with_epsilon (h->similarity, 0.8, 1e-5);
  h = hits->pdata[1];
  g_assert_cmpint (h->chunk_id, ==, z.b);
  g_assert_cmpuint (h->bm25_rank, ==, 2);
  g_assert_cmpuint (h->dense_rank, ==, 2);
  g_assert_cmpfloat_with_epsilon (h->score, 2.0 / 62, 1e-12);
  h = hits->pdata[2];
  g_assert_cmpint (h->chunk_id, ==, z.c);
  g_assert_cmpuint (h->bm25_rank, ==, 3);
  g_assert_cmpuint (h->dense_rank, ==, 4);
  g_assert_cmpfloat_with_epsilon (h->score, 1.0 / 63 + 1.0 / 64, 1e-12);
  h = hits->pdata[3];
  g_assert_cmpint (h->chunk_id, ==, z.d);
  g_assert_cmpuint (h->bm25_rank, ==, 0);
  g_assert_cmpuint (h->dense_rank, ==, 1);
  g_assert_cmpfloat_with_epsilon (h->score, 1.0 / 61, 1e-12);
  g_assert_cmpfloat_with_epsilon (h->similarity, 1.0, 1e-5);
  /* Found by meaning only: an excerpt without match marks. */
  g_assert_null (strchr (h->snippet, DOCENT_MARK_START[0]));
  /* Found by words: the snippet marks them. */
  g_assert_nonnull (strstr (((DocentSearchHit *) hits->pdata[0])->snippet, DOCENT_MARK_START "zeppelin"));
  for (guint i = 4; i < hits->len; i++)
    {
      h = hits->pdata[i];
      g_assert_cmpint (h->chunk_id, ==, g_array_index (z.fillers, gint64, i - 4));
      g_assert_cmpuint (h->bm25_rank, ==, 0);
      g_assert_cmpuint (h->dense_rank, ==, i + 1);
      g_assert_cmpfloat_with_epsilon (h->score, 1.0 / (60 + i + 1), 1e-12);
    }
  for (guint i = 1; i < hits->len; i++)
    g_assert_cmpfloat (((DocentSearchHit *) hits->pdata[i - 1])->score, >,
                       ((DocentSearchHit *) hits->pdata[i])->score);
  expected = expected_rrf (f, &z, "zeppelin", 60, NULL, 0);
  assert_fused_as_expected (hits, expected, 10);
  g_clear_pointer (&expected, g_array_unref);

  /* Timings are filled; total includes the caller's embed time. */
  g_assert_cmpfloat (timings.fts_ms, >=, 0.0);
  g_assert_cmpfloat (timings.vector_ms, >=, 0.0);
  g_assert_cmpfloat (timings.fuse_ms, >=, 0.0);
  g_assert_cmpfloat (timings.embed_ms, ==, 0.5);
  g_assert_cmpfloat (timings.total_ms, >=, timings.embed_ms + timings.fts_ms);
  g_assert_cmpfloat (timings.total_ms, >=, timings.embed_ms + timings.vector_ms);
  g_clear_pointer (&hits, g_ptr_array_unref);

  /* A small k weighs the top ranks more: D (1st by meaning) now passes C. */
  hits = hybrid (f, &z, DOCENT_SEARCH_HYBRID, "zeppelin", 4, 1, NULL, 0, NULL);
  g_assert_cmpuint (hits->len, ==, 4);
  g_assert_cmpint (((DocentSearchHit *) hits->pdata[0])->chunk_id, ==, z.a);
  g_assert_cmpfloat_with_epsilon (((DocentSearchHit *) hits->pdata[0])->score, 0.5 + 0.25, 1e-12);
  g_assert_cmpint (((DocentSearchHit *) hits->pdata[1])->chunk_id, ==, z.b);
  g_assert_cmpint (((DocentSearchHit *) hits->pdata[2])->chunk_id, ==, z.d);
  g_assert_cmpint (((DocentSearchHit *) hits->pdata[3])->chunk_id, ==, z.c);
  expected = expected_rrf (f, &z, "zeppelin", 1, NULL, 0);
  assert_fused_as_expected (hits, expected, 4);
  g_clear_pointer (&expected, g_array_unref);
  g_clear_pointer (&hits, g_ptr_array_unref);

  /* The default limit is 10. */
  hits = hybrid (f, &z, DOCENT_SEARCH_HYBRID, "zeppelin", 0, 0, NULL, 0, NULL);
  g_assert_cmpuint (hits->len, ==, 10);
  g_clear_pointer (&hits, g_ptr_array_unref);

  /* Dense only: D first although it shares no word with the query; the
   * score is the cosine. */
  hits = hybrid (f, &z, DOCENT_SEARCH_DENSE, "zeppelin", 5, 0, NULL, 0, NULL);
  g_assert_cmpuint (hits->len, ==, 5);
  {
    const gint64 order[] = { z.d, z.b, z.a, z.c, g_array_index (z.fillers, gint64, 0) };
    const float sims[] = { 1.0f, 0.9f, 0.8f, 0.5f, -0.1f };

    for (guint i = 0; i < 5; i++)
      {
        h = hits->pdata[i];
        g_assert_cmpint (h->chunk_id, ==, order[i]);
        g_assert_cmpuint (h->dense_rank, ==, i + 1);
        g_assert_cmpuint (h->bm25_rank, ==, 0);
        g_assert_cmpfloat_with_epsilon (h->score, sims[i], 1e-5);
        g_assert_cmpfloat_with_epsilon (h->similarity, sims[i], 1e-5);
      }
  }
  g_assert_null (strstr (((DocentSearchHit *) hits->pdata[0])->text, "zeppelin"));
  g_clear_pointer (&hits, g_ptr_array_unref);

  /* Words only: D is not found; BM25 scores are kept. */
  hits = hybrid (f, &z, DOCENT_SEARCH_BM25, "zeppelin", 10, 0, NULL, 0, NULL);
  g_assert_cmpuint (hits->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      h = hits->pdata[i];
      g_assert_cmpint (h->chunk_id, ==, (i == 0 ? z.a : i == 1 ? z.b : z.c));
      g_assert_cmpuint (h->bm25_rank, ==, i + 1);
      g_assert_cmpuint (h->dense_rank, ==, 0);
      g_assert_cmpfloat (h->score, >, 0.0);
    }
  zeppelins_clear (&z);
}

static void
assert_all_in_docs (GPtrArray  *hits,
                    GHashTable *docs)
{
  for (guint i = 0; i < hits->len; i++)
    g_assert_true (g_hash_table_contains (docs, &((DocentSearchHit *) hits->pdata[i])->document_id));
}

static void
test_hybrid_filters (StoreFixture  *f,
                     gconstpointer  data)
{
  g_autoptr(GPtrArray) hits = NULL;
  g_autoptr(GArray) expected = NULL;
  g_autoptr(GHashTable) sea = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(GHashTable) only_b = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  Zeppelins z = { 0 };

  zeppelins_set_up (f, &z);
  g_hash_table_add (sea, g_memdup2 (&z.doc_b, sizeof (gint64)));
  g_hash_table_add (sea, g_memdup2 (&z.doc_c, sizeof (gint64)));
  g_hash_table_add (only_b, g_memdup2 (&z.doc_b, sizeof (gint64)));

  /* Collection "air": A, D and the fillers, on both sides. */
  hits = hybrid (f, &z, DOCENT_SEARCH_HYBRID, "zeppelin", 10, 0, "air", 0, NULL);
  assert_all_in_docs (hits, z.air_docs);
  expected = expected_rrf (f, &z, "zeppelin", 60, "air", 0);
  assert_fused_as_expected (hits, expected, 10);
  g_assert_cmpint (((DocentSearchHit *) hits->pdata[0])->chunk_id, ==, z.a);
  g_assert_cmpuint (((DocentSearchHit *) hits->pdata[0])->bm25_rank, ==, 1);
  g_assert_cmpuint (((DocentSearchHit *) hits->pdata[0])->dense_rank, ==, 2);
  g_assert_cmpint (((DocentSearchHit *) hits->pdata[1])->chunk_id, ==, z.d);
  g_assert_cmpuint (((DocentSearchHit *) hits->pdata[1])->dense_rank, ==, 1);
  g_clear_pointer (&expected, g_array_unref);
  g_clear_pointer (&hits, g_ptr_array_unref);

  /* Collection "sea": B and C only, whatever the mode. */
  for (DocentSearchMode mode = DOCENT_SEARCH_BM25; mode <= DOCENT_SEARCH_HYBRID; mode++)
    {
      hits = hybrid (f, &z, mode, "zeppelin", 10, 0, "sea", 0, NULL);
      g_assert_cmpuint (hits->len, ==, 2);
      assert_all_in_docs (hits, sea);
      g_assert_cmpint (((DocentSearchHit *) hits->pdata[0])->chunk_id, ==, z.b);
      g_assert_cmpint (((DocentSearchHit *) hits->pdata[1])->chunk_id, ==, z.c);
      if (mode != DOCENT_SEARCH_BM25)
        {
          g_assert_cmpuint (((DocentSearchHit *) hits->pdata[0])->dense_rank, ==, 1);
          g_assert_cmpuint (((DocentSearchHit *) hits->pdata[1])->dense_rank, ==, 2);
        }
      if (mode == DOCENT_SEARCH_HYBRID)
        {
          expected = expected_rrf (f, &z, "zeppelin", 60, "sea", 0);
          assert_fused_as_expected (hits, expected, 10);
          g_clear_pointer (&expected, g_array_unref);
        }
      g_clear_pointer (&hits, g_ptr_array_unref);
    }

  /* One document. */
  for (DocentSearchMode mode = DOCENT_SEARCH_BM25; mode <= DOCENT_SEARCH_HYBRID; mode++)
    {
      hits = hybrid (f, &z, mode, "zeppelin", 10, 0, NULL, z.doc_b, NULL);
      g_assert_cmpuint (hits->len, ==, 1);
      g_assert_cmpint (((DocentSearchHit *) hits->pdata[0])->chunk_id, ==, z.b);
      g_clear_pointer (&hits, g_ptr_array_unref);
    }
  /* A document and a collection it is not in: nothing. */
  hits = hybrid (f, &z, DOCENT_SEARCH_HYBRID, "zeppelin", 10, 0, "air", z.doc_b, NULL);
  g_assert_cmpuint (hits->len, ==, 0);
  g_clear_pointer (&hits, g_ptr_array_unref);
  /* Dense inside the filler document: its vectors in order. */
  hits = hybrid (f, &z, DOCENT_SEARCH_DENSE, "zeppelin", 5, 0, NULL, z.doc_filler, NULL);
  g_assert_cmpuint (hits->len, ==, 5);
  for (guint i = 0; i < 5; i++)
    g_assert_cmpint (((DocentSearchHit *) hits->pdata[i])->chunk_id, ==, g_array_index (z.fillers, gint64, i));
  g_clear_pointer (&hits, g_ptr_array_unref);

  /* A chunk not embedded yet is still found by its words when filtered
   * (the exact filtered scoring skips it). */
  {
    const ChunkSpec e[] = { { "zeppelin mechanics manual", NULL, 1, 1, 0, 30 } };
    g_autoptr(GArray) ids = NULL;
    gboolean seen = FALSE;

    put_doc (f->store, "/docs/e.txt", e, 1, "sea", &ids);
    hits = hybrid (f, &z, DOCENT_SEARCH_HYBRID, "zeppelin", 10, 0, "sea", 0, NULL);
    for (guint i = 0; i < hits->len; i++)
      if (((DocentSearchHit *) hits->pdata[i])->chunk_id == g_array_index (ids, gint64, 0))
        {
          seen = TRUE;
          g_assert_cmpuint (((DocentSearchHit *) hits->pdata[i])->dense_rank, ==, 0);
        }
    g_assert_true (seen);
    g_clear_pointer (&hits, g_ptr_array_unref);
  }
  zeppelins_clear (&z);
}

static void
test_hybrid_no_embedder (StoreFixture  *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  DocentHybridOptions opts = { 0 };
  DocentSearchMode mode;
  Zeppelins z = { 0 };
  GPtrArray *hits;

  zeppelins_set_up (f, &z);
  opts.base.query = "zeppelin";
  for (mode = DOCENT_SEARCH_DENSE; mode <= DOCENT_SEARCH_HYBRID; mode++)
    {
      opts.mode = mode;
      opts.vectors = NULL;
      opts.query_vector = NULL;
      hits = docent_store_hybrid_search (f->store, &opts, NULL, &error);
      g_assert_null (hits);
      g_assert_error (error, DOCENT_STORE_ERROR, DOCENT_STORE_ERROR_QUERY);
      g_assert_nonnull (strstr (error->message, "embedding model"));
      g_clear_error (&error);
      /* An index but no query vector: the same. */
      opts.vectors = z.vi;
      opts.embedder = KEY;
      opts.dim = DIM;
      hits = docent_store_hybrid_search (f->store, &opts, NULL, &error);
      g_assert_null (hits);
      g_assert_error (error, DOCENT_STORE_ERROR, DOCENT_STORE_ERROR_QUERY);
      g_clear_error (&error);
    }
  /* BM25 needs none. */
  opts.mode = DOCENT_SEARCH_BM25;
  opts.vectors = NULL;
  hits = docent_store_hybrid_search (f->store, &opts, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hits->len, ==, 3);
  g_ptr_array_unref (hits);

  for (mode = DOCENT_SEARCH_BM25; mode <= DOCENT_SEARCH_HYBRID; mode++)
    {
      DocentSearchMode back;

      g_assert_true (docent_search_mode_from_string (docent_search_mode_to_string (mode), &back));
      g_assert_cmpint (back, ==, mode);
    }
  g_assert_false (docent_search_mode_from_string ("semantic", &mode));
  g_assert_false (docent_search_mode_from_string (NULL, &mode));
  zeppelins_clear (&z);
}

static gboolean
spans_overlap (const DocentSearchHit *a,
               const DocentSearchHit *b)
{
  guint64 a0 = (guint64) a->page_start << 32 | a->char_start;
  guint64 a1 = (guint64) a->page_end << 32 | a->char_end;
  guint64 b0 = (guint64) b->page_start << 32 | b->char_start;
  guint64 b1 = (guint64) b->page_end << 32 | b->char_end;

  return a->document_id == b->document_id && a0 < b1 && b0 < a1;
}

static gint
position_of (GPtrArray *hits,
             gint64     chunk_id)
{
  for (guint i = 0; i < hits->len; i++)
    if (((DocentSearchHit *) hits->pdata[i])->chunk_id == chunk_id)
      return (gint) i;
  return -1;
}

/* The chunker's overlap: neighbouring chunks share text. A search finds
 * both, but reports the passage once, at the better rank. */
static void
test_hybrid_overlap (StoreFixture  *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const ChunkSpec birds[] = {
    /* x and y overlap on page 1 */
    { "The kestrel hovered over the field, a kestrel hunting.", NULL, 1, 1, 0, 200 },
    { "A kestrel hunting voles in the long grass.", NULL, 1, 1, 150, 350 },
    /* z on page 1; w runs from page 1 into page 2 and overlaps z */
    { "The kestrel nest sat on a ledge.", NULL, 1, 1, 400, 500 },
    { "On a ledge the kestrel nest sat, and on the next page the kestrel flew.", NULL, 1, 2, 450, 50 },
    /* v follows w on page 2: touching, not overlapping */
    { "Later the kestrel returned.", NULL, 2, 2, 50, 120 },
  };
  const ChunkSpec others[] = {
    { "The kestrel hovered over the field, a kestrel hunting.", NULL, 1, 1, 0, 200 },
  };
  g_autoptr(GArray) ids = NULL, other_ids = NULL, all = NULL;
  g_autofree float *vectors = NULL;
  Zeppelins z = { 0 };
  DocentSearchOptions plain = { .query = "kestrel", .limit = 20 };
  g_autoptr(GPtrArray) words = NULL;

  put_doc (f->store, "/docs/birds.txt", birds, G_N_ELEMENTS (birds), NULL, &ids);
  put_doc (f->store, "/docs/other-birds.txt", others, 1, NULL, &other_ids);
  all = chunk_ids (f->store, 0);
  vectors = random_vectors (50, all->len, DIM);
  put_vectors (f->store, KEY, all, vectors, DIM);
  z.vi = open_index (f->store, f->index_path, KEY, DIM, DOCENT_VECTORS_IVF_THRESHOLD,
                     DOCENT_VECTORS_REBUILT);
  memcpy (z.query, vectors + 1 * DIM, sizeof z.query);   /* y's own vector */

  /* Plain BM25 returns every chunk. */
  words = docent_store_search (f->store, &plain, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (words->len, ==, 6);

  for (DocentSearchMode mode = DOCENT_SEARCH_BM25; mode <= DOCENT_SEARCH_HYBRID; mode++)
    {
      g_autoptr(GPtrArray) hits = hybrid (f, &z, mode, "kestrel", 10, 0, NULL, 0, NULL);
      gint x = position_of (hits, g_array_index (ids, gint64, 0));
      gint y = position_of (hits, g_array_index (ids, gint64, 1));
      gint zz = position_of (hits, g_array_index (ids, gint64, 2));
      gint w = position_of (hits, g_array_index (ids, gint64, 3));

      /* One of each overlapping pair, v, and the other document's copy. */
      g_assert_cmpuint (hits->len, ==, 4);
      g_assert_true ((x < 0) != (y < 0));
      g_assert_true ((zz < 0) != (w < 0));
      g_assert_cmpint (position_of (hits, g_array_index (ids, gint64, 4)), >=, 0);
      g_assert_cmpint (position_of (hits, g_array_index (other_ids, gint64, 0)), >=, 0);
      for (guint i = 0; i < hits->len; i++)
        for (guint j = i + 1; j < hits->len; j++)
          g_assert_false (spans_overlap (hits->pdata[i], hits->pdata[j]));
      /* The one kept is the better ranked. */
      if (mode == DOCENT_SEARCH_BM25)
        {
          gint wx = position_of (words, g_array_index (ids, gint64, 0));
          gint wy = position_of (words, g_array_index (ids, gint64, 1));

          g_assert_true (x >= 0 ? wx < wy : wy < wx);
        }
      else if (mode == DOCENT_SEARCH_DENSE)
        {
          /* y is the query's own vector. */
          g_assert_cmpint (y, ==, 0);
        }
    }
  zeppelins_clear (&z);
}

/* Filters of every size on the dense side: a document (scored exactly from
 * the table) and a collection too large for that (the index searched with
 * an allowed set, widening until enough allowed hits). Both must equal
 * exact search over the filter. */
static void
test_hybrid_filter_sizes (StoreFixture  *f,
                          gconstpointer  data)
{
  g_autoptr(GArray) big = NULL, small = NULL;
  g_autofree float *vbig = NULL;
  g_autofree float *vsmall = NULL;
  gint64 doc_big, doc_small;
  Zeppelins z = { 0 };
  Truth truth;

  doc_big = put_simple_doc (f->store, "/docs/big.txt", "big", 4500, "large", &big);
  doc_small = put_simple_doc (f->store, "/docs/small.txt", "small", 300, "little", &small);
  /* The small document clusters around one point and the queries sit
   * there: the large collection's best are far down the full ranking. */
  vbig = clustered_vectors (60, 4500, 50);
  vsmall = clustered_vectors (61, 300, 1);
  put_vectors (f->store, KEY, big, vbig, DIM);
  put_vectors (f->store, KEY, small, vsmall, DIM);
  truth_init (&truth, DIM);
  truth_add (&truth, big, vbig);
  truth_add (&truth, small, vsmall);
  z.vi = open_index (f->store, f->index_path, KEY, DIM, DOCENT_VECTORS_IVF_THRESHOLD,
                     DOCENT_VECTORS_REBUILT);

  for (guint q = 0; q < 6; q++)
    {
      const char *collection = q % 3 == 0 ? "large" : q % 3 == 1 ? "little" : NULL;
      gint64 doc = q % 3 == 2 ? (q == 2 ? doc_big : doc_small) : 0;
      g_autoptr(GHashTable) allowed = docent_store_filter_chunk_ids (f->store, collection, doc, NULL);
      g_autoptr(GPtrArray) hits = NULL;
      g_autoptr(GArray) want = NULL;

      memcpy (z.query, vsmall + q * 7 * DIM, sizeof z.query);
      hits = hybrid (f, &z, DOCENT_SEARCH_DENSE, "anything", 10, 0, collection, doc, NULL);
      want = truth_search (&truth, z.query, 10, allowed);
      g_assert_cmpuint (hits->len, ==, 10);
      for (guint i = 0; i < hits->len; i++)
        {
          const DocentSearchHit *h = hits->pdata[i];
          const DocentVectorHit *w = &g_array_index (want, DocentVectorHit, i);

          g_assert_true (g_hash_table_contains (allowed, &h->chunk_id));
          g_assert_cmpfloat_with_epsilon (h->similarity, w->score, 1e-4);
          if (h->chunk_id != w->chunk_id)
            g_assert_cmpfloat_with_epsilon (h->similarity, w->score, 1e-5);
          g_assert_cmpuint (h->dense_rank, ==, i + 1);
        }
    }
  truth_clear (&truth);
  zeppelins_clear (&z);
}

/* ---- the library with a real (tiny) embedding model ---------------------- */

typedef struct {
  char *dir;
  char *docs;
  char *lib_dir;
  char *models;
  DocentLibrary *library;
} LibFixture;

static void
lib_set_up (LibFixture    *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = docent_test_tmpdir ();
  f->docs = g_build_filename (f->dir, "docs", NULL);
  f->lib_dir = g_build_filename (f->dir, "library", NULL);
  f->models = g_build_filename (f->dir, "models", NULL);
  g_assert_cmpint (g_mkdir_with_parents (f->docs, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (f->models, 0700), ==, 0);
  f->library = docent_library_open (f->lib_dir, &error);
  g_assert_no_error (error);
}

static void
lib_tear_down (LibFixture    *f,
               gconstpointer  data)
{
  docent_library_close (f->library);
  docent_test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->docs);
  g_free (f->lib_dir);
  g_free (f->models);
}

/* A tiny BERT embedder (random weights, real architecture and WordPiece
 * vocabulary) of `n_embd` dimensions; the seed changes its weights, so its
 * SHA-256, so the key its vectors are stored under. */
static char *
write_model (LibFixture *f,
             const char *name,
             guint64     seed,
             guint       n_embd)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *file = g_strdup_printf ("%s.gguf", name);
  char *path = g_build_filename (f->models, file, NULL);
  DocentSynthShape shape = *docent_synth_shape ("tiny-bert");

  shape.n_embd = n_embd;
  g_assert_true (docent_synth_write (&shape, DOCENT_TYPE_F32, seed, path, &error));
  g_assert_no_error (error);
  return path;
}

/* Registers the model (if needed) and uses it as the library's embedder. */
static void
use_model (LibFixture *f,
           const char *path)
{
  g_autoptr(GError) error = NULL;
  DocentSettings *settings = docent_library_settings (f->library, &error);
  const DocentModelEntry *entry;

  g_assert_no_error (error);
  entry = docent_settings_add_model (settings, path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (entry);
  g_assert_cmpint (entry->role, ==, DOCENT_MODEL_ROLE_EMBEDDER);
  g_assert_true (docent_settings_use (settings, DOCENT_MODEL_ROLE_EMBEDDER, entry->id, &error));
  g_assert_true (docent_settings_save (settings, &error));
  g_assert_no_error (error);
  docent_library_reload_embedder (f->library);
}

static DocentEmbedder *
embedder (LibFixture *f)
{
  g_autoptr(GError) error = NULL;
  DocentEmbedder *e = docent_library_embedder (f->library, &error);

  g_assert_no_error (error);
  g_assert_nonnull (e);
  return e;
}

static char *
html_doc (guint32 seed,
          guint   n_words)
{
  g_autofree char *one = docent_test_prose (seed, n_words / 2);
  g_autofree char *two = docent_test_prose (seed + 1, n_words / 2);

  return g_strdup_printf ("<!DOCTYPE html><html><head><title>Guide %u</title></head><body>"
                          "<h1>Obligations</h1><p>%s</p><h2>Remedies</h2><p>%s</p></body></html>",
                          seed, one, two);
}

/* n_text prose files and n_html HTML files of about n_words words. */
static void
write_docs (LibFixture *f,
            guint       n_text,
            guint       n_html,
            guint       n_words,
            guint32     seed)
{
  for (guint i = 0; i < n_text; i++)
    {
      g_autofree char *name = g_strdup_printf ("note-%02u.txt", i);
      g_autofree char *text = docent_test_prose (seed + i, n_words);
      g_autofree char *path = docent_test_write_file (f->docs, name, text, -1);
    }
  for (guint i = 0; i < n_html; i++)
    {
      g_autofree char *name = g_strdup_printf ("guide-%02u.html", i);
      g_autofree char *html = html_doc (seed + 100 + i, n_words);
      g_autofree char *path = docent_test_write_file (f->docs, name, html, -1);
    }
}

static GPtrArray *
add_docs (LibFixture *f)
{
  g_autoptr(GError) error = NULL;
  const char *paths[] = { f->docs, NULL };
  DocentAddOptions opts = { .n_threads = 2 };
  GPtrArray *results = NULL;

  g_assert_true (docent_library_add (f->library, paths, &opts, &results, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < results->len; i++)
    g_assert_cmpint (((DocentAddResult *) results->pdata[i])->outcome, !=, DOCENT_ADD_FAILED);
  return results;
}

static guint64
embed (LibFixture *f)
{
  g_autoptr(GError) error = NULL;
  guint64 n = G_MAXUINT64;

  g_assert_true (docent_library_embed (f->library, NULL, &n, &error));
  g_assert_no_error (error);
  return n;
}

static guint
store_chunks (DocentStore *store)
{
  DocentStoreStats stats;

  g_assert_true (docent_store_stats (store, &stats, NULL));
  return stats.chunks;
}

static guint64
pending (DocentStore *store,
         const char  *key)
{
  guint64 n = G_MAXUINT64;

  g_assert_true (docent_store_count_pending (store, key, &n, NULL));
  return n;
}

/* Every chunk has a vector for the embedder in use, no vector is orphaned
 * and its index holds exactly the store's vectors. */
static void
assert_library_consistent (LibFixture *f)
{
  DocentStore *store = docent_library_store (f->library);
  DocentEmbedder *e = embedder (f);
  g_autoptr(GArray) all = chunk_ids (store, 0);
  g_autoptr(GArray) embedded = docent_store_embedding_ids (store, docent_embedder_key (e), NULL);

  g_assert_cmpint (orphan_vectors (store), ==, 0);
  g_assert_cmpuint (pending (store, docent_embedder_key (e)), ==, 0);
  assert_ids_equal (embedded, all);
  assert_index_matches_store (docent_embedder_vectors (e), store, docent_embedder_key (e),
                              docent_embedder_dim (e));
}

static GPtrArray *
library_search (LibFixture          *f,
                DocentSearchMode     mode,
                const char          *query,
                guint                limit,
                DocentHybridTimings *timings)
{
  g_autoptr(GError) error = NULL;
  DocentSearchOptions opts = { .query = query, .limit = limit };
  GPtrArray *hits = docent_library_search (f->library, &opts, mode, timings, &error);

  g_assert_no_error (error);
  g_assert_nonnull (hits);
  return hits;
}

/* A chunk's passage as the embedder saw it (the tiny model has no
 * prefixes): searching it by meaning must find that chunk first. */
static void
assert_dense_finds_itself (LibFixture *f,
                           gint64      chunk_id)
{
  g_autofree char *heading = NULL;
  g_autofree char *text = chunk_text (docent_library_store (f->library), chunk_id, &heading);
  g_autofree char *passage = heading != NULL && *heading != '\0'
                             ? g_strconcat (heading, "\n\n", text, NULL) : g_strdup (text);
  g_autoptr(GPtrArray) hits = library_search (f, DOCENT_SEARCH_DENSE, passage, 3, NULL);
  const DocentSearchHit *top;

  g_assert_cmpuint (hits->len, >=, 1);
  top = hits->pdata[0];
  g_assert_cmpint (top->chunk_id, ==, chunk_id);
  g_assert_cmpuint (top->dense_rank, ==, 1);
  g_assert_cmpfloat (top->similarity, >, 0.999f);
  if (hits->len > 1)
    g_assert_cmpfloat (((DocentSearchHit *) hits->pdata[1])->similarity, <, top->similarity);
}

typedef struct {
  guint calls;
  guint64 last_done, last_total;
} ProgressLog;

static void
on_progress (const DocentEmbedProgress *p,
             gpointer                   user_data)
{
  ProgressLog *log = user_data;

  log->calls++;
  g_assert_cmpuint (p->done, >, log->last_done);
  g_assert_cmpuint (p->done, <=, p->total);
  g_assert_cmpfloat (p->chunks_per_second, >=, 0.0);
  log->last_done = p->done;
  log->last_total = p->total;
}

static void
test_library_embed_search (LibFixture    *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GPtrArray) hits = NULL;
  g_autofree char *model = NULL;
  g_autoptr(GArray) all = NULL;
  DocentStore *store = docent_library_store (f->library);
  DocentEmbedder *e;
  DocentEmbedOptions opts = { .batch = 4, .progress = on_progress };
  ProgressLog log = { 0 };
  DocentVectorStats stats;
  DocentHybridTimings timings;
  guint n_chunks;
  guint64 n;
  gboolean both = FALSE;

  write_docs (f, 3, 2, 900, 1);
  results = add_docs (f);
  n_chunks = store_chunks (store);
  g_assert_cmpuint (n_chunks, >=, 12);

  /* No model: embedding does nothing, meaning-search says what is missing. */
  g_assert_null (docent_library_embedder (f->library, &error));
  g_assert_no_error (error);
  g_assert_cmpint (docent_library_default_search_mode (f->library), ==, DOCENT_SEARCH_BM25);
  g_assert_cmpuint (embed (f), ==, 0);
  {
    DocentSearchOptions so = { .query = "tenant" };

    g_assert_null (docent_library_search (f->library, &so, DOCENT_SEARCH_DENSE, NULL, &error));
    g_assert_error (error, DOCENT_STORE_ERROR, DOCENT_STORE_ERROR_QUERY);
    g_assert_nonnull (strstr (error->message, "models use --embedder"));
    g_clear_error (&error);
  }

  model = write_model (f, "tiny", 1, 64);
  use_model (f, model);
  e = embedder (f);
  g_assert_cmpuint (docent_embedder_dim (e), ==, 64);
  g_assert_cmpstr (docent_embedder_model_id (e), ==, "tiny");
  g_assert_true (g_str_has_suffix (docent_embedder_key (e), ":cls"));
  docent_vector_index_stats (docent_embedder_vectors (e), &stats);
  g_assert_cmpint (stats.outcome, ==, DOCENT_VECTORS_REBUILT);
  g_assert_cmpuint (stats.count, ==, 0);
  g_assert_cmpuint (pending (store, docent_embedder_key (e)), ==, n_chunks);
  g_assert_cmpint (docent_library_default_search_mode (f->library), ==, DOCENT_SEARCH_HYBRID);

  /* Every chunk embedded, in batches, with progress. */
  opts.user_data = &log;
  g_assert_true (docent_library_embed (f->library, &opts, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, n_chunks);
  g_assert_cmpuint (log.calls, ==, (n_chunks + 3) / 4);
  g_assert_cmpuint (log.last_done, ==, n_chunks);
  g_assert_cmpuint (log.last_total, ==, n_chunks);
  docent_vector_index_stats (docent_embedder_vectors (e), &stats);
  g_assert_cmpint (stats.outcome, ==, DOCENT_VECTORS_SYNCED);
  g_assert_cmpuint (stats.count, ==, n_chunks);
  assert_library_consistent (f);
  {
    g_autofree char *path = docent_vector_index_path (f->lib_dir, docent_embedder_key (e));

    assert_file_mode_0600 (path);
  }

  /* Again: nothing left to embed. */
  g_assert_cmpuint (embed (f), ==, 0);

  /* Hybrid: both sides contribute, the score is their RRF. */
  hits = library_search (f, DOCENT_SEARCH_HYBRID, "tenant shall pay rent", 10, &timings);
  g_assert_cmpuint (hits->len, ==, 10);
  for (guint i = 0; i < hits->len; i++)
    {
      const DocentSearchHit *h = hits->pdata[i];
      double rrf = (h->bm25_rank ? 1.0 / (60 + h->bm25_rank) : 0.0) +
                   (h->dense_rank ? 1.0 / (60 + h->dense_rank) : 0.0);

      g_assert_true (h->bm25_rank > 0 || h->dense_rank > 0);
      g_assert_cmpfloat_with_epsilon (h->score, rrf, 1e-12);
      if (h->bm25_rank > 0 && h->dense_rank > 0)
        both = TRUE;
      if (i > 0)
        g_assert_cmpfloat (((DocentSearchHit *) hits->pdata[i - 1])->score, >=, h->score);
    }
  g_assert_true (both);
  g_assert_cmpfloat (timings.embed_ms, >, 0.0);
  g_assert_cmpfloat (timings.total_ms, >=, timings.embed_ms);
  g_clear_pointer (&hits, g_ptr_array_unref);

  /* Dense: a chunk's own text finds it first (text files have no
   * headings, the HTML ones do). */
  all = chunk_ids (store, 0);
  for (guint i = 0; i < all->len; i += MAX (1, all->len / 6))
    assert_dense_finds_itself (f, g_array_index (all, gint64, i));
  assert_dense_finds_itself (f, g_array_index (all, gint64, all->len - 1));

  /* A blank query has nothing to embed: answered (emptily) by words. */
  hits = library_search (f, DOCENT_SEARCH_HYBRID, "   ", 10, NULL);
  g_assert_cmpuint (hits->len, ==, 0);
  g_clear_pointer (&hits, g_ptr_array_unref);
}

/* The document whose chunks have the largest ids: updating it makes
 * SQLite hand the same ids to its new chunks. */
static gint64
last_document (DocentStore *store,
               char       **path)
{
  g_auto(DocentDocRecord) rec = { 0 };
  gint64 id = query_int (store, "SELECT document_id FROM chunks ORDER BY id DESC LIMIT 1");

  g_assert_true (docent_store_find_by_id (store, id, &rec, NULL));
  *path = g_strdup (rec.path);
  return id;
}

static void
test_library_update (LibFixture    *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autofree char *model = NULL;
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GArray) before = NULL;
  g_autoptr(GArray) after = NULL;
  DocentStore *store = docent_library_store (f->library);
  const char *paths[2] = { NULL, NULL };
  DocentAddOptions opts = { .n_threads = 2 };
  gint64 doc, doc2;
  guint n_chunks;
  DocentVectorStats stats;

  write_docs (f, 3, 1, 700, 10);
  results = add_docs (f);
  g_clear_pointer (&results, g_ptr_array_unref);
  model = write_model (f, "tiny", 1, 64);
  use_model (f, model);
  n_chunks = store_chunks (store);
  g_assert_cmpuint (embed (f), ==, n_chunks);
  assert_library_consistent (f);

  /* Rewrite the newest document with other words (the embedder and its
   * index stay loaded, as in a running application). */
  doc = last_document (store, &path);
  before = chunk_ids (store, doc);
  text = g_str_has_suffix (path, ".html") ? html_doc (999, 700) : docent_test_prose (999, 700);
  g_assert_true (g_file_set_contents (path, text, -1, &error));
  g_assert_no_error (error);
  paths[0] = path;
  g_assert_true (docent_library_add (f->library, paths, &opts, &results, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 1);
  g_assert_cmpint (((DocentAddResult *) results->pdata[0])->outcome, ==, DOCENT_ADD_UPDATED);
  g_assert_cmpint (((DocentAddResult *) results->pdata[0])->document_id, ==, doc);
  after = chunk_ids (store, doc);
  g_test_message ("updated document: chunks %" G_GINT64_FORMAT "..%" G_GINT64_FORMAT
                  " became %" G_GINT64_FORMAT "..%" G_GINT64_FORMAT,
                  g_array_index (before, gint64, 0), g_array_index (before, gint64, before->len - 1),
                  g_array_index (after, gint64, 0), g_array_index (after, gint64, after->len - 1));

  /* Its old vectors went with its old chunks; the new ones wait. */
  g_assert_cmpint (orphan_vectors (store), ==, 0);
  g_assert_cmpuint (pending (store, docent_embedder_key (embedder (f))), ==, after->len);
  g_assert_cmpuint (embed (f), ==, after->len);
  assert_library_consistent (f);
  /* The index holds the new vectors, not the old ones under reused ids. */
  for (guint i = 0; i < after->len; i++)
    assert_dense_finds_itself (f, g_array_index (after, gint64, i));

  /* Removing a document: its vectors go, the index follows. */
  doc2 = query_int (store, "SELECT id FROM documents ORDER BY id LIMIT 1");
  g_assert_cmpint (doc2, !=, doc);
  g_assert_true (docent_store_remove_document (store, doc2, &error));
  g_assert_no_error (error);
  g_assert_cmpint (orphan_vectors (store), ==, 0);
  g_assert_cmpuint (embed (f), ==, 0);
  assert_library_consistent (f);

  /* Reopened: the cache file is current. */
  docent_library_close (f->library);
  f->library = docent_library_open (f->lib_dir, &error);
  g_assert_no_error (error);
  store = docent_library_store (f->library);
  docent_vector_index_stats (docent_embedder_vectors (embedder (f)), &stats);
  g_assert_cmpint (stats.outcome, ==, DOCENT_VECTORS_LOADED);
  assert_library_consistent (f);
  for (guint i = 0; i < after->len; i++)
    assert_dense_finds_itself (f, g_array_index (after, gint64, i));

  /* Updated again while the application is closed: the next start syncs
   * (or rebuilds) and still holds only the new vectors. */
  docent_library_close (f->library);
  f->library = NULL;
  {
    g_autoptr(DocentLibrary) other = docent_library_open (f->lib_dir, &error);
    g_autofree char *again = docent_test_prose (1234, 700);
    DocentEmbedOptions eo = { 0 };
    guint64 n = 0;

    g_assert_no_error (error);
    g_assert_true (g_file_set_contents (path, again, -1, &error));
    g_clear_pointer (&results, g_ptr_array_unref);
    g_assert_true (docent_library_add (other, paths, &opts, &results, &error));
    g_assert_cmpint (((DocentAddResult *) results->pdata[0])->outcome, ==, DOCENT_ADD_UPDATED);
    g_assert_true (docent_library_embed (other, &eo, &n, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (n, >, 0);
  }
  f->library = docent_library_open (f->lib_dir, &error);
  g_assert_no_error (error);
  store = docent_library_store (f->library);
  assert_library_consistent (f);
  g_clear_pointer (&after, g_array_unref);
  after = chunk_ids (store, doc);
  for (guint i = 0; i < after->len; i++)
    assert_dense_finds_itself (f, g_array_index (after, gint64, i));
}

static void
test_library_models (LibFixture    *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autofree char *one = NULL, *two = NULL, *narrow = NULL;
  g_autofree char *key1 = NULL, *key2 = NULL, *key3 = NULL;
  g_autofree char *file1 = NULL, *file2 = NULL, *file3 = NULL;
  g_autoptr(GArray) all = NULL, ids = NULL;
  DocentStore *store = docent_library_store (f->library);
  float v1[64], v1_again[64], v2[64], v3[32];
  DocentVectorStats stats;
  gint64 first;
  guint n_chunks;

  write_docs (f, 2, 1, 600, 20);
  results = add_docs (f);
  n_chunks = store_chunks (store);
  all = chunk_ids (store, 0);
  first = g_array_index (all, gint64, 0);

  one = write_model (f, "one", 1, 64);
  use_model (f, one);
  g_assert_cmpuint (embed (f), ==, n_chunks);
  key1 = g_strdup (docent_embedder_key (embedder (f)));
  file1 = docent_vector_index_path (f->lib_dir, key1);
  g_assert_true (g_file_test (file1, G_FILE_TEST_IS_REGULAR));
  g_assert_true (docent_store_read_embeddings (store, key1, &first, 1, 64, v1, &error));

  /* Another model of the same size: another key, its own vectors and
   * file, the first model's vectors untouched. */
  two = write_model (f, "two", 2, 64);
  use_model (f, two);
  key2 = g_strdup (docent_embedder_key (embedder (f)));
  g_assert_cmpstr (key1, !=, key2);
  g_assert_cmpuint (docent_embedder_dim (embedder (f)), ==, 64);
  g_assert_cmpuint (pending (store, key2), ==, n_chunks);
  g_assert_cmpuint (pending (store, key1), ==, 0);
  g_assert_cmpuint (embed (f), ==, n_chunks);
  assert_library_consistent (f);
  file2 = docent_vector_index_path (f->lib_dir, key2);
  g_assert_cmpstr (file1, !=, file2);
  g_assert_true (g_file_test (file2, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM embeddings"), ==, 2 * n_chunks);
  ids = docent_store_embedding_ids (store, key1, &error);
  assert_ids_equal (ids, all);
  g_clear_pointer (&ids, g_array_unref);
  g_assert_true (docent_store_read_embeddings (store, key1, &first, 1, 64, v1_again, &error));
  g_assert_cmpmem (v1, sizeof v1, v1_again, sizeof v1_again);
  g_assert_true (docent_store_read_embeddings (store, key2, &first, 1, 64, v2, &error));
  g_assert_true (memcmp (v1, v2, sizeof v1) != 0);
  docent_vector_index_stats (docent_embedder_vectors (embedder (f)), &stats);
  g_assert_cmpuint (stats.count, ==, n_chunks);
  assert_dense_finds_itself (f, first);
  assert_dense_finds_itself (f, g_array_index (all, gint64, all->len - 1));

  /* Back to the first: nothing to embed, its index file still good. */
  use_model (f, one);
  g_assert_cmpstr (docent_embedder_key (embedder (f)), ==, key1);
  docent_vector_index_stats (docent_embedder_vectors (embedder (f)), &stats);
  g_assert_cmpint (stats.outcome, !=, DOCENT_VECTORS_REBUILT);
  g_assert_cmpuint (embed (f), ==, 0);
  assert_library_consistent (f);
  assert_dense_finds_itself (f, first);

  /* A model of another dimension: vectors of 32 floats beside the 64s. */
  narrow = write_model (f, "narrow", 3, 32);
  use_model (f, narrow);
  g_assert_cmpuint (docent_embedder_dim (embedder (f)), ==, 32);
  key3 = g_strdup (docent_embedder_key (embedder (f)));
  g_assert_cmpuint (embed (f), ==, n_chunks);
  assert_library_consistent (f);
  assert_dense_finds_itself (f, first);
  g_assert_true (docent_store_read_embeddings (store, key3, &first, 1, 32, v3, &error));
  g_assert_no_error (error);
  g_assert_false (docent_store_read_embeddings (store, key3, &first, 1, 64, v2, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  file3 = g_build_filename (f->dir, "mismatch.faiss", NULL);
  {
    DocentVectorIndex *vi = docent_vector_index_open (store, file3, key3, 64, &error);

    g_assert_null (vi);
    g_assert_true (g_error_matches (error, DOCENT_VECTORS_ERROR, DOCENT_VECTORS_ERROR_DIMENSION));
    g_clear_error (&error);
  }

  /* Dropping one model's vectors leaves the others. */
  g_assert_true (docent_store_drop_embeddings (store, key2, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (pending (store, key2), ==, n_chunks);
  g_assert_cmpuint (pending (store, key1), ==, 0);
  g_assert_cmpuint (pending (store, key3), ==, 0);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM embeddings"), ==, 2 * n_chunks);
}

/* ---- docent-cli killed while embedding ----------------------------------- */

static gint64
db_count (sqlite3    *db,
          const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 n = -1;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK && sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}

static void
test_cli_killed_while_embedding (LibFixture    *f,
                                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *model = NULL;
  g_autofree char *db_path = g_build_filename (f->lib_dir, "library.db", NULL);
  g_autofree char *log_path = g_build_filename (f->dir, "cli.log", NULL);
  int log_fd;
  g_auto(DocentTestRun) run = { 0 };
  const char *cli = g_getenv ("DOCENT_CLI");
  const char *argv[] = { cli, "--library", f->lib_dir, "add", "-j", "2", f->docs, NULL };
  const char *again[] = { "--library", f->lib_dir, "add", f->docs, NULL };
  DocentStore *store = docent_library_store (f->library);
  DocentVectorIndex *vi;
  DocentVectorStats stats;
  sqlite3 *db = NULL;
  GPid pid;
  int status = 0;
  gboolean killed = FALSE, exited = FALSE;
  gint64 seen = 0, chunks = 0, deadline, start;
  guint64 embedded, waiting;
  g_autoptr(GArray) ids = NULL;

  if (cli == NULL)
    {
      g_test_skip ("DOCENT_CLI is not set (run through meson test)");
      return;
    }
  write_docs (f, 24, 0, 2500, 30);
  model = write_model (f, "tiny", 1, 64);
  use_model (f, model);

  log_fd = g_open (log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  g_assert_cmpint (log_fd, >=, 0);
  start = g_get_monotonic_time ();
  g_assert_true (g_spawn_async_with_fds (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                                         NULL, NULL, &pid, -1, log_fd, log_fd, &error));
  g_assert_no_error (error);
  close (log_fd);

  /* Watch the table from another connection; kill the moment some but not
   * all chunks have vectors. */
  g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 1000);
  deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < deadline)
    {
      pid_t done = waitpid (pid, &status, WNOHANG);

      if (done == pid)
        {
          exited = TRUE;
          break;
        }
      seen = db_count (db, "SELECT count(*) FROM embeddings");
      chunks = db_count (db, "SELECT count(*) FROM chunks");
      if (seen > 0 && seen < chunks)
        {
          g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
          g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
          killed = WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL;
          exited = TRUE;
          break;
        }
      g_usleep (1000);
    }
  sqlite3_close (db);
  g_spawn_close_pid (pid);
  g_assert_true (exited);
  if (killed)
    g_test_message ("killed after %.1f s with %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT
                    " chunks embedded", (g_get_monotonic_time () - start) / 1e6, seen, chunks);
  else
    {
      g_autoptr(GBytes) log = docent_test_read_bytes (log_path);

      g_test_message ("docent-cli finished before it could be killed: %.*s",
                      (int) g_bytes_get_size (log), (const char *) g_bytes_get_data (log, NULL));
      g_assert_true (WIFEXITED (status));
      g_assert_cmpint (WEXITSTATUS (status), ==, 0);
    }

  /* What the killed run left: whole batches only, nothing orphaned. */
  chunks = store_chunks (store);
  g_assert_cmpint (chunks, >, 150);
  g_assert_cmpint (orphan_vectors (store), ==, 0);
  vi = docent_embedder_vectors (embedder (f));
  ids = docent_store_embedding_ids (store, docent_embedder_key (embedder (f)), &error);
  g_assert_no_error (error);
  embedded = ids->len;
  waiting = pending (store, docent_embedder_key (embedder (f)));
  g_assert_cmpuint (embedded + waiting, ==, (guint64) chunks);
  if (killed)
    {
      g_assert_cmpuint (waiting, >, 0);
      g_assert_cmpuint (embedded, >=, (guint64) seen);
    }
  /* The index opened over it (stale file synced, or rebuilt) matches. */
  assert_index_matches_store (vi, store, docent_embedder_key (embedder (f)), 64);

  /* The same command again finishes the job. */
  start = g_get_monotonic_time ();
  docent_test_run_cli (&run, again);
  g_test_message ("second run: %.1f s", (g_get_monotonic_time () - start) / 1e6);
  g_assert_cmpint (run.status, ==, 0);
  if (waiting > 0)
    {
      g_autofree char *line = g_strdup_printf ("%" G_GUINT64_FORMAT " chunks embedded", waiting);

      g_assert_nonnull (strstr (run.out, line));
    }
  g_assert_cmpint (store_chunks (store), ==, chunks);
  g_assert_cmpuint (pending (store, docent_embedder_key (embedder (f))), ==, 0);
  /* Our open index catches up by syncing… */
  g_assert_true (docent_vector_index_sync (vi, store, &error));
  g_assert_no_error (error);
  assert_library_consistent (f);
  /* …and a fresh one loads the file the CLI left, current. */
  docent_library_reload_embedder (f->library);
  docent_vector_index_stats (docent_embedder_vectors (embedder (f)), &stats);
  g_assert_cmpint (stats.outcome, ==, DOCENT_VECTORS_LOADED);
  assert_library_consistent (f);
  assert_dense_finds_itself (f, query_int (store, "SELECT max(id) FROM chunks"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_log_set_writer_func (test_log_writer, NULL, NULL);

#define STORE_TEST(name, func) \
  g_test_add ("/vectors/" name, StoreFixture, NULL, store_set_up, func, store_tear_down)
#define LIB_TEST(name, func) \
  g_test_add ("/vectors/" name, LibFixture, NULL, lib_set_up, func, lib_tear_down)

  STORE_TEST ("embeddings/round-trip", test_embeddings_round_trip);
  STORE_TEST ("embeddings/filter-chunk-ids", test_filter_chunk_ids);
  STORE_TEST ("index/empty", test_index_empty);
  STORE_TEST ("index/lifecycle", test_index_lifecycle);
  STORE_TEST ("index/dimension-mismatch", test_index_dimension_mismatch);
  for (guint i = 0; i < G_N_ELEMENTS (damage_names); i++)
    {
      g_autofree char *name = g_strdup_printf ("/vectors/index/damaged/%s", damage_names[i]);

      g_test_add (name, StoreFixture, GINT_TO_POINTER (i), store_set_up, test_index_damaged,
                  store_tear_down);
    }
  STORE_TEST ("index/damaged/header", test_index_damaged_header);
  STORE_TEST ("index/filtered", test_index_filtered);
  STORE_TEST ("index/ivf", test_index_ivf);
  STORE_TEST ("hybrid/rrf", test_hybrid_rrf);
  STORE_TEST ("hybrid/filters", test_hybrid_filters);
  STORE_TEST ("hybrid/filter-sizes", test_hybrid_filter_sizes);
  STORE_TEST ("hybrid/overlap", test_hybrid_overlap);
  STORE_TEST ("hybrid/no-embedder", test_hybrid_no_embedder);
  LIB_TEST ("library/embed-search", test_library_embed_search);
  LIB_TEST ("library/update", test_library_update);
  LIB_TEST ("library/models", test_library_models);
  LIB_TEST ("library/cli-killed", test_cli_killed_while_embedding);

#undef STORE_TEST
#undef LIB_TEST
  return g_test_run ();
}
