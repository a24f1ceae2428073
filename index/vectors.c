/* vectors.c — the FAISS index of one embedder, its cache file and its
 * synchronisation with the embeddings table (see vectors.h).
 *
 * Cache file layout (host byte order):
 *
 *   FileHeader | embedder id (embedder_len bytes) | ids (count × int64,
 *   ascending) | versions (count × int64, the ids' vector versions) |
 *   FAISS index (faiss_write_index output, faiss_bytes)
 *
 * `checksum` covers the whole file (the header with its checksum field
 * zeroed, then the rest), so a torn or flipped file is caught before FAISS
 * parses it (FAISS trusts its sizes) and a flipped header field cannot
 * pass for another kind or nprobe. The ids are kept beside the index
 * because neither FAISS index kind used here lists its ids cheaply, and
 * syncing needs them; the versions because an id alone does not say the
 * vector is the same (SQLite gives a deleted chunk's id to the next chunk,
 * see embeddings.c). */
#include "index/vectors.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include <faiss/c_api/IndexFlat_c.h>
#include <faiss/c_api/IndexIVFFlat_c.h>
#include <faiss/c_api/IndexIVF_c.h>
#include <faiss/c_api/Index_c.h>
#include <faiss/c_api/MetaIndexes_c.h>
#include <faiss/c_api/error_c.h>
#include <faiss/c_api/impl/AuxIndexStructures_c.h>
#include <faiss/c_api/index_io_c.h>

#include "index/embeddings.h"

G_DEFINE_QUARK (docent-vectors-error-quark, docent_vectors_error)

#define FILE_MAGIC "DCNTVEC1"
/* 2: versions beside the ids; the checksum covers the header too. */
#define FILE_VERSION 2u
#define READ_BATCH 8192u
#define CALIBRATION_QUERIES 100u
#define RECALL_K 10u
#define TARGET_RECALL 0.98
/* nprobe is calibrated on a sample of queries; asking the sample for a
 * little more than the target keeps other queries above it (at exactly
 * the target, about one set of 50 unseen queries in 20 fell below it). */
#define CALIBRATION_RECALL 0.99
/* Vectors per list the IVF quantizer is trained on (FAISS wants >= 39). */
#define TRAIN_PER_LIST 64u
/* An IVF index is worth having only if it scans at most this fraction of
 * its lists at the calibrated recall; otherwise exact search it is. */
#define IVF_MAX_PROBE_FRACTION 0.25
/* TODO(issue 5): exact search is FAISS's scalar inner-product loop in
 * Debian's build (~0.29 us per vector: 29 ms at 100k). An own AVX2/AVX-512
 * scan over the flat vectors (faiss_IndexFlat_xb) would be memory-bound,
 * ~8 ms at 100k; then re-measure DOCENT_VECTORS_IVF_THRESHOLD. Also stop
 * calibrate() once nprobe passes IVF_MAX_PROBE_FRACTION of the lists. */

typedef struct {
  char magic[8];
  guint32 version;
  guint32 dim;
  guint32 kind;
  guint32 nprobe;
  gint64 generation;
  guint64 count;
  guint64 trained_for;
  guint64 faiss_bytes;
  guint64 checksum;
  guint32 embedder_len;
  guint32 reserved;
} FileHeader;

struct _DocentVectorIndex {
  GRWLock lock;
  char *path;
  char *embedder;
  guint dim;
  FaissIndex *index;
  DocentVectorKind kind;
  GArray *ids;              /* gint64, ascending: what the index holds */
  GArray *versions;         /* gint64, the ids' vector versions */
  gboolean broken;          /* a sync failed halfway: the FAISS index may
                             * disagree with ids, rebuild at the next sync */
  gint64 generation;
  guint nprobe;
  guint64 trained_for;
  guint64 ivf_threshold;    /* 0: never */
  DocentVectorOpenOutcome outcome;
};

/* ---- small helpers ----------------------------------------------------- */

static gboolean
faiss_ok (int           rc,
          const char   *what,
          GError      **error)
{
  const char *why;

  if (rc == 0)
    return TRUE;
  why = faiss_get_last_error ();
  g_set_error (error, DOCENT_VECTORS_ERROR, DOCENT_VECTORS_ERROR_FAISS,
               "%s: %s", what, why != NULL && *why != '\0' ? why : "FAISS failed");
  return FALSE;
}

/* Four interleaved 64-bit multiply-xor lanes: several GB/s, enough to
 * notice any torn write or flipped byte (not an authenticity check). */
static guint64
checksum (const guint8 *data,
          gsize         n)
{
  const guint64 prime = 0x9e3779b97f4a7c15ull;
  guint64 lane[4] = { 1, 2, 3, 4 }, h;
  gsize i = 0;

  for (; i + 32 <= n; i += 32)
    for (guint l = 0; l < 4; l++)
      {
        guint64 w;

        memcpy (&w, data + i + 8 * l, 8);
        lane[l] = (lane[l] ^ w) * prime;
        lane[l] ^= lane[l] >> 29;
      }
  h = n;
  for (guint l = 0; l < 4; l++)
    h = (h ^ lane[l]) * prime;
  for (; i < n; i++)
    h = (h ^ data[i]) * prime;
  return h ^ (h >> 31);
}

/* The file's checksum: the header with its checksum field zeroed, and the
 * body after it. */
static guint64
file_checksum (const FileHeader *header,
               const guint8     *body,
               gsize             n)
{
  FileHeader h = *header;

  h.checksum = 0;
  return checksum ((const guint8 *) &h, sizeof h) * 0x9e3779b97f4a7c15ull ^ checksum (body, n);
}

char *
docent_vector_index_path (const char *dir,
                          const char *embedder)
{
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, embedder, -1);
  g_autofree char *name = g_strdup_printf ("vectors-%.16s.faiss", hash);

  return g_build_filename (dir, name, NULL);
}

static guint
ivf_nlist (guint64 count)
{
  return (guint) CLAMP (sqrt ((double) count), 16.0, 4096.0);
}

/* ---- building ---------------------------------------------------------- */

static FaissIndex *
new_exact (guint    dim,
           GError **error)
{
  FaissIndexFlatIP *flat = NULL;
  FaissIndexIDMap *map = NULL;

  if (!faiss_ok (faiss_IndexFlatIP_new_with (&flat, dim), "cannot create a vector index", error))
    return NULL;
  if (!faiss_ok (faiss_IndexIDMap_new (&map, flat), "cannot create a vector index", error))
    {
      faiss_Index_free (flat);
      return NULL;
    }
  faiss_IndexIDMap_set_own_fields (map, 1);
  return map;
}

static FaissIndex *
new_ivf (guint    dim,
         guint    nlist,
         GError **error)
{
  FaissIndexFlatIP *quantizer = NULL;
  FaissIndexIVFFlat *ivf = NULL;

  if (!faiss_ok (faiss_IndexFlatIP_new_with (&quantizer, dim), "cannot create a vector index", error))
    return NULL;
  if (!faiss_ok (faiss_IndexIVFFlat_new_with_metric (&ivf, quantizer, dim, nlist,
                                                     METRIC_INNER_PRODUCT),
                 "cannot create a vector index", error))
    {
      faiss_Index_free (quantizer);
      return NULL;
    }
  faiss_IndexIVFFlat_set_own_fields (ivf, 1);
  return ivf;
}

static void
set_nprobe (FaissIndex *index,
            guint       nprobe)
{
  FaissIndexIVFFlat *ivf = faiss_IndexIVFFlat_cast (index);

  if (ivf != NULL)
    faiss_IndexIVFFlat_set_nprobe (ivf, nprobe);
}

/* Exact top-k of a few queries, merged batch by batch while the vectors
 * stream past: the ground truth nprobe is calibrated against. */
typedef struct {
  guint n, k, dim;
  float *queries;
  float *scores;            /* n × k, descending */
  gint64 *labels;
} TopK;

static void
topk_init (TopK  *t,
           guint  n,
           guint  k,
           guint  dim)
{
  t->n = n;
  t->k = k;
  t->dim = dim;
  t->queries = g_new0 (float, (gsize) n * dim);
  t->scores = g_new (float, (gsize) n * k);
  t->labels = g_new (gint64, (gsize) n * k);
  for (gsize i = 0; i < (gsize) n * k; i++)
    {
      t->scores[i] = -G_MAXFLOAT;
      t->labels[i] = -1;
    }
}

static void
topk_clear (TopK *t)
{
  g_clear_pointer (&t->queries, g_free);
  g_clear_pointer (&t->scores, g_free);
  g_clear_pointer (&t->labels, g_free);
}

static void
topk_insert (TopK   *t,
             guint   q,
             float   score,
             gint64  label)
{
  float *s = t->scores + (gsize) q * t->k;
  gint64 *l = t->labels + (gsize) q * t->k;
  guint at = t->k;

  while (at > 0 && s[at - 1] < score)
    at--;
  if (at == t->k)
    return;
  memmove (s + at + 1, s + at, (t->k - at - 1) * sizeof (float));
  memmove (l + at + 1, l + at, (t->k - at - 1) * sizeof (gint64));
  s[at] = score;
  l[at] = label;
}

static void
topk_add_batch (TopK         *t,
                const gint64 *ids,
                const float  *vectors,
                guint         n)
{
  for (guint q = 0; q < t->n; q++)
    {
      const float *query = t->queries + (gsize) q * t->dim;

      for (guint i = 0; i < n; i++)
        {
          const float *v = vectors + (gsize) i * t->dim;
          float dot = 0.0f;

          for (guint j = 0; j < t->dim; j++)
            dot += query[j] * v[j];
          topk_insert (t, q, dot, ids[i]);
        }
    }
}

typedef struct {
  FaissIndex *index;
  guint dim;
  guint64 seen;
  guint64 stride;           /* training: keep every stride-th vector */
  GArray *sample;           /* training vectors (float) */
  TopK *truth;              /* or NULL */
  GArray *ids;              /* of the vectors added, ascending */
} BuildState;

static gboolean
collect_sample (const gint64 *ids,
                const float  *vectors,
                guint         n,
                gpointer      user_data,
                GError      **error)
{
  BuildState *b = user_data;

  for (guint i = 0; i < n; i++, b->seen++)
    if (b->seen % b->stride == 0)
      g_array_append_vals (b->sample, vectors + (gsize) i * b->dim, b->dim);
  return TRUE;
}

static gboolean
add_batch (const gint64 *ids,
           const float  *vectors,
           guint         n,
           gpointer      user_data,
           GError      **error)
{
  BuildState *b = user_data;

  if (b->truth != NULL)
    topk_add_batch (b->truth, ids, vectors, n);
  g_array_append_vals (b->ids, ids, n);
  return faiss_ok (faiss_Index_add_with_ids (b->index, n, vectors, ids),
                   "cannot add vectors to the index", error);
}

/* Calibration queries: midpoints of two sample vectors, normalised — near
 * the data like real queries, but not equal to any stored vector. */
static void
make_queries (TopK        *t,
              const float *sample,
              guint        n_sample)
{
  GRand *rand = g_rand_new_with_seed (42);

  for (guint q = 0; q < t->n; q++)
    {
      const float *a = sample + (gsize) g_rand_int_range (rand, 0, (gint32) n_sample) * t->dim;
      const float *b = sample + (gsize) g_rand_int_range (rand, 0, (gint32) n_sample) * t->dim;
      float *out = t->queries + (gsize) q * t->dim, norm = 0.0f;

      for (guint j = 0; j < t->dim; j++)
        {
          out[j] = a[j] + b[j];
          norm += out[j] * out[j];
        }
      norm = norm > 0.0f ? 1.0f / sqrtf (norm) : 0.0f;
      for (guint j = 0; j < t->dim; j++)
        out[j] *= norm;
    }
  g_rand_free (rand);
}

static double
recall_at (FaissIndex *index,
           TopK       *truth,
           guint       nprobe,
           GError    **error)
{
  g_autofree float *scores = g_new (float, (gsize) truth->n * truth->k);
  g_autofree gint64 *labels = g_new (gint64, (gsize) truth->n * truth->k);
  guint found = 0, wanted = 0;

  set_nprobe (index, nprobe);
  if (!faiss_ok (faiss_Index_search (index, truth->n, truth->queries, truth->k, scores, labels),
                 "cannot search the vector index", error))
    return -1.0;
  for (guint q = 0; q < truth->n; q++)
    for (guint i = 0; i < truth->k; i++)
      {
        gint64 want = truth->labels[(gsize) q * truth->k + i];

        if (want < 0)
          continue;
        wanted++;
        for (guint j = 0; j < truth->k; j++)
          if (labels[(gsize) q * truth->k + j] == want)
            {
              found++;
              break;
            }
      }
  return wanted == 0 ? 1.0 : (double) found / wanted;
}

/* The smallest nprobe with recall@10 >= CALIBRATION_RECALL: doubling, then a
 * binary search between the last two powers of two. 0 on error. */
static guint
calibrate (FaissIndex *index,
           TopK       *truth,
           guint       nlist,
           GError    **error)
{
  guint lo = 0, hi = 1;
  double r;

  while ((r = recall_at (index, truth, hi, error)) < CALIBRATION_RECALL && hi < nlist)
    {
      if (r < 0)
        return 0;
      lo = hi;
      hi = MIN (hi * 2, nlist);
    }
  if (r < 0)
    return 0;
  while (hi - lo > 1)
    {
      guint mid = lo + (hi - lo) / 2;

      r = recall_at (index, truth, mid, error);
      if (r < 0)
        return 0;
      if (r >= CALIBRATION_RECALL)
        hi = mid;
      else
        lo = mid;
    }
  return hi;
}

static gboolean
build_exact (DocentVectorIndex  *vi,
             DocentStore        *store,
             FaissIndex        **out,
             GArray             *ids,
             GError            **error)
{
  BuildState b = { 0 };

  b.index = new_exact (vi->dim, error);
  b.dim = vi->dim;
  b.ids = ids;
  if (b.index == NULL)
    return FALSE;
  if (!docent_store_foreach_embedding (store, vi->embedder, vi->dim, READ_BATCH,
                                       add_batch, &b, error))
    {
      faiss_Index_free (b.index);
      return FALSE;
    }
  *out = b.index;
  return TRUE;
}

/* IVF over `count` vectors: train on a strided sample, add everything
 * while computing the exact answers of the calibration queries, then pick
 * nprobe. Returns FALSE with no error (and *out NULL) when IVF does not
 * pay at the target recall. */
static gboolean
build_ivf (DocentVectorIndex  *vi,
           DocentStore        *store,
           guint64             count,
           FaissIndex        **out,
           guint              *nprobe,
           GArray             *ids,
           GError            **error)
{
  guint nlist = ivf_nlist (count);
  guint64 n_train = MIN (count, (guint64) nlist * TRAIN_PER_LIST);
  BuildState b = { 0 };
  TopK truth;
  gboolean ok = FALSE;

  *out = NULL;
  b.dim = vi->dim;
  b.ids = ids;
  b.stride = MAX (1, count / n_train);
  b.sample = g_array_new (FALSE, FALSE, sizeof (float));
  topk_init (&truth, CALIBRATION_QUERIES, RECALL_K, vi->dim);
  if (!docent_store_foreach_embedding (store, vi->embedder, vi->dim, READ_BATCH,
                                       collect_sample, &b, error))
    goto out;
  b.index = new_ivf (vi->dim, nlist, error);
  if (b.index == NULL ||
      !faiss_ok (faiss_Index_train (b.index, b.sample->len / vi->dim,
                                    (const float *) (gpointer) b.sample->data),
                 "cannot train the vector index", error))
    goto out;
  make_queries (&truth, (const float *) (gpointer) b.sample->data, b.sample->len / vi->dim);
  b.truth = &truth;
  if (!docent_store_foreach_embedding (store, vi->embedder, vi->dim, READ_BATCH,
                                       add_batch, &b, error))
    goto out;
  *nprobe = calibrate (b.index, &truth, nlist, error);
  if (*nprobe == 0)
    goto out;
  ok = TRUE;
  if (*nprobe <= IVF_MAX_PROBE_FRACTION * nlist)
    {
      *out = g_steal_pointer (&b.index);
      goto out;
    }
  g_debug ("IVF needs nprobe %u of %u lists for recall %.2f: exact search instead",
           *nprobe, nlist, CALIBRATION_RECALL);
  g_array_set_size (ids, 0);

out:
  if (b.index != NULL)
    faiss_Index_free (b.index);
  g_array_unref (b.sample);
  topk_clear (&truth);
  return ok;
}

/* ---- the cache file ---------------------------------------------------- */

static gboolean
file_error (GError    **error,
            const char *path,
            const char *why)
{
  g_set_error (error, DOCENT_VECTORS_ERROR, DOCENT_VECTORS_ERROR_FILE,
               "%s: %s", path, why);
  return FALSE;
}

static gboolean
write_all (int           fd,
           const void   *data,
           gsize         n,
           const char   *path,
           GError      **error)
{
  const guint8 *p = data;

  while (n > 0)
    {
      gssize w = write (fd, p, n);

      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0)
        return file_error (error, path, g_strerror (errno));
      p += w;
      n -= (gsize) w;
    }
  return TRUE;
}

/* Makes the rename itself durable. */
static void
sync_parent (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd >= 0)
    {
      fsync (fd);
      close (fd);
    }
}

/* The FAISS index serialised in memory. */
static GBytes *
serialize (FaissIndex  *index,
           const char  *path,
           GError     **error)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&buf, &len);
  int rc;

  if (f == NULL)
    {
      file_error (error, path, g_strerror (errno));
      return NULL;
    }
  rc = faiss_write_index (index, f);
  fclose (f);
  if (!faiss_ok (rc, "cannot write the vector index", error))
    {
      free (buf);
      return NULL;
    }
  return g_bytes_new_with_free_func (buf, len, free, buf);
}

/* A temporary file older than this, left by a save that never finished
 * (the process was killed), is removed at the next save. Younger ones may
 * be another process's save in progress. */
#define STALE_TEMP_SECONDS (60 * 60)

/* Removes `<path>.tmp-*` files a killed save left behind: each can be as
 * large as the index, and nothing else would ever delete them. */
static void
remove_stale_temps (const char *path)
{
  g_autofree char *dir_path = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *prefix = g_strconcat (base, ".tmp-", NULL);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *temp = NULL;
      struct stat st;

      if (!g_str_has_prefix (name, prefix))
        continue;
      temp = g_build_filename (dir_path, name, NULL);
      if (g_lstat (temp, &st) == 0 && S_ISREG (st.st_mode) &&
          now - (gint64) st.st_mtime > STALE_TEMP_SECONDS && g_unlink (temp) == 0)
        g_debug ("removed %s, left by an interrupted save", temp);
    }
}

static gboolean
save_file (DocentVectorIndex  *vi,
           GError            **error)
{
  g_autoptr(GBytes) blob = serialize (vi->index, vi->path, error);
  g_autofree char *tmp = g_strconcat (vi->path, ".tmp-XXXXXX", NULL);
  g_autoptr(GByteArray) body = NULL;
  FileHeader h = { 0 };
  gsize n_blob;
  const guint8 *blob_data;
  int fd;
  gboolean ok;

  if (blob == NULL)
    return FALSE;
  blob_data = g_bytes_get_data (blob, &n_blob);
  memcpy (h.magic, FILE_MAGIC, sizeof h.magic);
  h.version = FILE_VERSION;
  h.dim = vi->dim;
  h.kind = vi->kind;
  h.nprobe = vi->nprobe;
  h.generation = vi->generation;
  h.count = vi->ids->len;
  h.trained_for = vi->trained_for;
  h.faiss_bytes = n_blob;
  h.embedder_len = (guint32) strlen (vi->embedder);
  body = g_byte_array_sized_new (h.embedder_len + 2 * vi->ids->len * sizeof (gint64) + n_blob);
  g_byte_array_append (body, (const guint8 *) vi->embedder, h.embedder_len);
  g_byte_array_append (body, (const guint8 *) vi->ids->data, vi->ids->len * sizeof (gint64));
  g_byte_array_append (body, (const guint8 *) vi->versions->data, vi->ids->len * sizeof (gint64));
  g_byte_array_append (body, blob_data, (guint) n_blob);
  h.checksum = file_checksum (&h, body->data, body->len);

  fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0)
    return file_error (error, vi->path, g_strerror (errno));
  ok = write_all (fd, &h, sizeof h, vi->path, error) &&
       write_all (fd, body->data, body->len, vi->path, error);
  if (ok && fsync (fd) != 0)
    ok = file_error (error, vi->path, g_strerror (errno));
  close (fd);
  if (ok && g_rename (tmp, vi->path) != 0)
    ok = file_error (error, vi->path, g_strerror (errno));
  if (!ok)
    g_unlink (tmp);
  else
    {
      sync_parent (vi->path);
      remove_stale_temps (vi->path);
    }
  return ok;
}

/* Reads the cache file into vi (index, ids, header fields); FALSE with a
 * FILE error when it is missing, torn, corrupt or for something else. */
static gboolean
load_file (DocentVectorIndex  *vi,
           GError            **error)
{
  g_autoptr(GMappedFile) mapped = g_mapped_file_new (vi->path, FALSE, error);
  const guint8 *data;
  const FileHeader *h;
  const guint8 *ids, *versions;
  gsize size, body;
  gboolean is_ivf;
  FILE *f;
  int rc;

  if (mapped == NULL)
    return FALSE;
  data = (const guint8 *) g_mapped_file_get_contents (mapped);
  size = g_mapped_file_get_length (mapped);
  h = (const FileHeader *) data;
  if (size < sizeof *h || memcmp (h->magic, FILE_MAGIC, 8) != 0)
    return file_error (error, vi->path, "not a Docent vector index");
  if (h->version != FILE_VERSION)
    return file_error (error, vi->path, "written by another version of Docent");
  if (h->count > size / (2 * sizeof (gint64)) || h->embedder_len > size ||
      h->faiss_bytes > size)
    return file_error (error, vi->path, "truncated");
  body = h->embedder_len + 2 * h->count * sizeof (gint64) + h->faiss_bytes;
  if (size - sizeof *h != body)
    return file_error (error, vi->path, "truncated");
  if (file_checksum (h, data + sizeof *h, body) != h->checksum)
    return file_error (error, vi->path, "checksum mismatch (damaged file)");
  if (h->dim != vi->dim || h->embedder_len != strlen (vi->embedder) ||
      memcmp (data + sizeof *h, vi->embedder, h->embedder_len) != 0)
    return file_error (error, vi->path, "made for another embedding model");
  if (h->kind != DOCENT_VECTORS_EXACT && h->kind != DOCENT_VECTORS_IVF)
    return file_error (error, vi->path, "unknown index kind");
  ids = data + sizeof *h + h->embedder_len;
  versions = ids + h->count * sizeof (gint64);

  f = fmemopen ((void *) (versions + h->count * sizeof (gint64)), h->faiss_bytes, "rb");
  if (f == NULL)
    return file_error (error, vi->path, g_strerror (errno));
  rc = faiss_read_index (f, 0, &vi->index);
  fclose (f);
  if (!faiss_ok (rc, "cannot read the vector index", error))
    return FALSE;
  is_ivf = faiss_IndexIVFFlat_cast (vi->index) != NULL;
  if ((guint64) faiss_Index_ntotal (vi->index) != h->count ||
      (guint) faiss_Index_d (vi->index) != vi->dim ||
      is_ivf != (h->kind == DOCENT_VECTORS_IVF) ||
      (is_ivf && (h->nprobe == 0 ||
                  h->nprobe > faiss_IndexIVFFlat_nlist (faiss_IndexIVFFlat_cast (vi->index)))))
    {
      g_clear_pointer (&vi->index, faiss_Index_free);
      return file_error (error, vi->path, "index and header disagree");
    }
  /* An empty GArray has no data pointer to memcpy into. */
  g_array_set_size (vi->ids, 0);
  g_array_append_vals (vi->ids, ids, h->count);
  g_array_set_size (vi->versions, 0);
  g_array_append_vals (vi->versions, versions, h->count);
  vi->kind = h->kind;
  vi->nprobe = h->nprobe;
  vi->generation = h->generation;
  vi->trained_for = h->trained_for;
  set_nprobe (vi->index, vi->nprobe);
  return TRUE;
}

/* ---- building, syncing ------------------------------------------------- */

/* A fresh index for everything in the store, not yet swapped in. */
typedef struct {
  FaissIndex *index;
  DocentVectorKind kind;
  guint nprobe;
  guint64 trained_for;
  GArray *ids;
  GArray *versions;
  gint64 generation;
} Built;

/* The versions of `streamed` (ascending) from the listing made before
 * streaming (ascending too); 0, which no vector has, for an id written
 * meanwhile, so that the next sync reads it again. */
static GArray *
versions_of (GArray *streamed,
             GArray *listed_ids,
             GArray *listed_versions)
{
  GArray *versions = g_array_sized_new (FALSE, FALSE, sizeof (gint64), streamed->len);
  guint j = 0;

  for (guint i = 0; i < streamed->len; i++)
    {
      gint64 id = g_array_index (streamed, gint64, i), version = 0;

      while (j < listed_ids->len && g_array_index (listed_ids, gint64, j) < id)
        j++;
      if (j < listed_ids->len && g_array_index (listed_ids, gint64, j) == id)
        version = g_array_index (listed_versions, gint64, j);
      g_array_append_val (versions, version);
    }
  return versions;
}

static gboolean
build (DocentVectorIndex  *vi,
       DocentStore        *store,
       Built              *out,
       GError            **error)
{
  g_autoptr(GArray) listed = NULL;
  g_autoptr(GArray) listed_versions = NULL;

  memset (out, 0, sizeof *out);
  /* The generation first: a change that lands after it makes the index
   * look stale (and get synced again), never look current while stale.
   * The ids are those actually streamed in (one read snapshot); their
   * versions come from the listing before it, so a vector rewritten in
   * between is read again at the next sync, never kept as current. */
  if (!docent_store_generation (store, &out->generation, error) ||
      !docent_store_embedding_versions (store, vi->embedder, &listed, &listed_versions, error))
    return FALSE;
  out->ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  out->kind = DOCENT_VECTORS_EXACT;
  if (vi->ivf_threshold > 0 && listed->len >= vi->ivf_threshold)
    {
      if (!build_ivf (vi, store, listed->len, &out->index, &out->nprobe, out->ids, error))
        goto fail;
      if (out->index != NULL)
        out->kind = DOCENT_VECTORS_IVF;
    }
  if (out->index == NULL && !build_exact (vi, store, &out->index, out->ids, error))
    goto fail;
  out->trained_for = out->ids->len;
  out->versions = versions_of (out->ids, listed, listed_versions);
  return TRUE;

fail:
  g_clear_pointer (&out->ids, g_array_unref);
  return FALSE;
}

static void
swap_in (DocentVectorIndex *vi,
         Built             *b)
{
  g_rw_lock_writer_lock (&vi->lock);
  if (vi->index != NULL)
    faiss_Index_free (vi->index);
  g_array_unref (vi->ids);
  g_array_unref (vi->versions);
  vi->index = b->index;
  vi->ids = b->ids;
  vi->versions = b->versions;
  vi->broken = FALSE;
  vi->kind = b->kind;
  vi->nprobe = b->nprobe;
  vi->trained_for = b->trained_for;
  vi->generation = b->generation;
  g_rw_lock_writer_unlock (&vi->lock);
}

gboolean
docent_vector_index_rebuild (DocentVectorIndex  *vi,
                             DocentStore        *store,
                             GError            **error)
{
  Built b;

  if (!build (vi, store, &b, error))
    return FALSE;
  swap_in (vi, &b);
  vi->outcome = DOCENT_VECTORS_REBUILT;
  g_rw_lock_reader_lock (&vi->lock);
  gboolean ok = save_file (vi, error);
  g_rw_lock_reader_unlock (&vi->lock);
  return ok;
}

/* Splits the difference between the index's ids and the store's (both
 * ascending, with their versions) into ids to remove and ids to add; an
 * id whose vector changed is both. */
static void
diff_ids (GArray *have,
          GArray *have_versions,
          GArray *want,
          GArray *want_versions,
          GArray *remove,
          GArray *add)
{
  guint i = 0, j = 0;

  while (i < have->len || j < want->len)
    {
      gint64 a = i < have->len ? g_array_index (have, gint64, i) : G_MAXINT64;
      gint64 b = j < want->len ? g_array_index (want, gint64, j) : G_MAXINT64;

      if (a == b)
        {
          if (g_array_index (have_versions, gint64, i) != g_array_index (want_versions, gint64, j))
            {
              g_array_append_val (remove, a);
              g_array_append_val (add, b);
            }
          i++, j++;
        }
      else if (a < b)
        g_array_append_val (remove, a), i++;
      else
        g_array_append_val (add, b), j++;
    }
}

static gboolean
remove_ids (FaissIndex  *index,
            GArray      *ids,
            GError     **error)
{
  FaissIDSelectorBatch *sel = NULL;
  size_t n_removed = 0;
  gboolean ok;

  if (ids->len == 0)
    return TRUE;
  if (!faiss_ok (faiss_IDSelectorBatch_new (&sel, ids->len, (const idx_t *) (gpointer) ids->data),
                 "cannot remove vectors", error))
    return FALSE;
  ok = faiss_ok (faiss_Index_remove_ids (index, (FaissIDSelector *) sel, &n_removed),
                 "cannot remove vectors", error);
  faiss_IDSelector_free ((FaissIDSelector *) sel);
  return ok;
}

static gboolean
add_ids (DocentVectorIndex  *vi,
         DocentStore        *store,
         GArray             *ids,
         GError            **error)
{
  g_autofree float *vectors = g_new (float, (gsize) READ_BATCH * vi->dim);

  for (guint at = 0; at < ids->len; at += READ_BATCH)
    {
      guint n = MIN (READ_BATCH, ids->len - at);
      const gint64 *batch = &g_array_index (ids, gint64, at);

      if (!docent_store_read_embeddings (store, vi->embedder, batch, n, vi->dim, vectors, error) ||
          !faiss_ok (faiss_Index_add_with_ids (vi->index, n, vectors, batch),
                     "cannot add vectors to the index", error))
        return FALSE;
    }
  return TRUE;
}

/* Applies the store's changes since the index was written. Returns FALSE
 * with no error when a rebuild is simpler (most of it changed) or needed
 * (an earlier sync failed halfway). */
static gboolean
apply_changes (DocentVectorIndex  *vi,
               DocentStore        *store,
               gboolean           *changed,
               GError            **error)
{
  g_autoptr(GArray) want = NULL;
  g_autoptr(GArray) want_versions = NULL;
  g_autoptr(GArray) remove = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) add = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 generation;
  gboolean ok;

  *changed = FALSE;
  if (!docent_store_generation (store, &generation, error))
    return FALSE;
  if (generation == vi->generation && !vi->broken)
    return TRUE;
  if (vi->broken ||
      !docent_store_embedding_versions (store, vi->embedder, &want, &want_versions, error))
    return FALSE;
  diff_ids (vi->ids, vi->versions, want, want_versions, remove, add);
  if (add->len > want->len / 2 + READ_BATCH)
    return FALSE;

  g_rw_lock_writer_lock (&vi->lock);
  ok = remove_ids (vi->index, remove, error) && add_ids (vi, store, add, error);
  if (ok)
    {
      g_array_unref (vi->ids);
      g_array_unref (vi->versions);
      vi->ids = g_steal_pointer (&want);
      vi->versions = g_steal_pointer (&want_versions);
      vi->generation = generation;
      *changed = TRUE;
    }
  else if (remove->len > 0 || add->len > READ_BATCH)
    vi->broken = TRUE;      /* some of it may have been applied */
  g_rw_lock_writer_unlock (&vi->lock);
  return ok;
}

gboolean
docent_vector_index_sync (DocentVectorIndex  *vi,
                          DocentStore        *store,
                          GError            **error)
{
  g_autoptr(GError) local = NULL;
  gboolean changed = FALSE;
  gboolean ok;

  if (apply_changes (vi, store, &changed, &local))
    {
      if (!changed)
        return TRUE;
      vi->outcome = DOCENT_VECTORS_SYNCED;
      g_rw_lock_reader_lock (&vi->lock);
      ok = save_file (vi, error);
      g_rw_lock_reader_unlock (&vi->lock);
      return ok;
    }
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  return docent_vector_index_rebuild (vi, store, error);
}

/* ---- the object -------------------------------------------------------- */

DocentVectorIndex *
docent_vector_index_open (DocentStore  *store,
                          const char   *path,
                          const char   *embedder,
                          guint         dim,
                          GError      **error)
{
  return docent_vector_index_open_full (store, path, embedder, dim,
                                        DOCENT_VECTORS_IVF_THRESHOLD, error);
}

DocentVectorIndex *
docent_vector_index_open_full (DocentStore  *store,
                               const char   *path,
                               const char   *embedder,
                               guint         dim,
                               guint64       ivf_threshold,
                               GError      **error)
{
  g_autoptr(DocentVectorIndex) vi = g_new0 (DocentVectorIndex, 1);
  g_autoptr(GError) why = NULL;

  g_rw_lock_init (&vi->lock);
  vi->ivf_threshold = ivf_threshold;
  vi->path = g_strdup (path);
  vi->embedder = g_strdup (embedder);
  vi->dim = dim;
  vi->ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  vi->versions = g_array_new (FALSE, FALSE, sizeof (gint64));
  vi->generation = -1;

  if (load_file (vi, &why))
    {
      vi->outcome = DOCENT_VECTORS_LOADED;
      if (!docent_vector_index_sync (vi, store, error))
        return NULL;
      return g_steal_pointer (&vi);
    }
  if (!g_error_matches (why, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    g_warning ("Rebuilding the vector index: %s", why->message);
  if (!docent_vector_index_rebuild (vi, store, error))
    return NULL;
  return g_steal_pointer (&vi);
}

void
docent_vector_index_free (DocentVectorIndex *vi)
{
  if (vi == NULL)
    return;
  if (vi->index != NULL)
    faiss_Index_free (vi->index);
  g_array_unref (vi->ids);
  g_array_unref (vi->versions);
  g_free (vi->path);
  g_free (vi->embedder);
  g_rw_lock_clear (&vi->lock);
  g_free (vi);
}

void
docent_vector_index_stats (DocentVectorIndex *vi,
                           DocentVectorStats *out)
{
  g_rw_lock_reader_lock (&vi->lock);
  out->kind = vi->kind;
  out->dim = vi->dim;
  out->count = vi->ids->len;
  out->generation = vi->generation;
  out->nlist = vi->kind == DOCENT_VECTORS_IVF
               ? (guint) faiss_IndexIVFFlat_nlist (faiss_IndexIVFFlat_cast (vi->index)) : 0;
  out->nprobe = vi->nprobe;
  out->trained_for = vi->trained_for;
  out->outcome = vi->outcome;
  g_rw_lock_reader_unlock (&vi->lock);
}

gboolean
docent_vector_index_wants_rebuild (DocentVectorIndex *vi)
{
  gboolean wants;

  g_rw_lock_reader_lock (&vi->lock);
  /* Exact past the threshold: retry IVF each time the count doubles (it
   * may not have paid at the last try). */
  if (vi->kind == DOCENT_VECTORS_EXACT)
    wants = vi->ivf_threshold > 0 && vi->ids->len >= vi->ivf_threshold &&
            vi->ids->len >= 2 * MAX (vi->trained_for, vi->ivf_threshold / 2);
  else
    wants = vi->ids->len >= 4 * vi->trained_for;
  g_rw_lock_reader_unlock (&vi->lock);
  return wants;
}

/* One FAISS search for k' results; appends the allowed ones to hits (up
 * to k). Returns how many results FAISS had (fewer than k' = exhausted). */
static guint
search_once (DocentVectorIndex  *vi,
             const float        *query,
             guint               k,
             guint               k_wide,
             GHashTable         *allowed,
             GArray             *hits,
             GError            **error)
{
  g_autofree float *scores = g_new (float, k_wide);
  g_autofree gint64 *labels = g_new (gint64, k_wide);
  guint n = 0;

  if (!faiss_ok (faiss_Index_search (vi->index, 1, query, k_wide, scores, labels),
                 "cannot search the vector index", error))
    return G_MAXUINT;
  g_array_set_size (hits, 0);
  for (guint i = 0; i < k_wide && labels[i] >= 0; i++, n++)
    if (hits->len < k && (allowed == NULL || g_hash_table_contains (allowed, &labels[i])))
      {
        DocentVectorHit hit = { labels[i], scores[i] };

        g_array_append_val (hits, hit);
      }
  return n;
}

GArray *
docent_vector_index_search (DocentVectorIndex  *vi,
                            const float        *query,
                            guint               k,
                            GHashTable         *allowed,
                            GError            **error)
{
  g_autoptr(GArray) hits = g_array_new (FALSE, FALSE, sizeof (DocentVectorHit));
  guint64 total;
  guint k_wide, got;

  g_rw_lock_reader_lock (&vi->lock);
  total = vi->ids->len;
  k_wide = (guint) MIN ((guint64) k, total);
  if (allowed != NULL && total > 0)
    {
      /* Enough candidates that k of them are allowed if allowed ones are
       * spread evenly; widened below when they are not. */
      guint64 share = MAX (1, g_hash_table_size (allowed));

      k_wide = (guint) MIN (total, MAX ((guint64) k * 2, k * 2 * total / share));
    }
  while (k_wide > 0)
    {
      got = search_once (vi, query, k, k_wide, allowed, hits, error);
      if (got == G_MAXUINT)
        {
          g_rw_lock_reader_unlock (&vi->lock);
          return NULL;
        }
      if (hits->len >= k || got < k_wide || k_wide >= total)
        break;
      k_wide = (guint) MIN (total, (guint64) k_wide * 4);
    }
  g_rw_lock_reader_unlock (&vi->lock);
  return g_steal_pointer (&hits);
}
