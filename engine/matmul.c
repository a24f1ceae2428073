/* matmul.c — matrix × vector and matrix × matrix over the dot kernels:
 * activations quantized once per call into a reusable scratch buffer,
 * weight rows split over the thread pool, and for batches a tiling that
 * keeps a block of activation rows in L2 while each weight row, in L1,
 * meets all of them a few at a time. */
#include "engine/matmul.h"

#include <gio/gio.h>

#include "engine/dot.h"
#include "engine/quant.h"

/* Activation rows kept hot (in L2) while weight rows stream past: as
 * many as fit in ACT_BLOCK_BYTES (64 rows of 4096 8-bit values, 24 of
 * 4096 floats), a multiple of 4 between 4 and ACT_BLOCK. */
#define ACT_BLOCK 64
#define ACT_BLOCK_BYTES (384 * 1024)
/* Weight rows per pool item group: enough work per task to hide the
 * hand-out cost, small enough to balance two to sixteen threads. */
#define ROW_GRAIN 16

struct _DocentMatmulScratch {
  guint8 *buf;
  gsize size;
};

DocentMatmulScratch *
docent_matmul_scratch_new (void)
{
  return g_new0 (DocentMatmulScratch, 1);
}

void
docent_matmul_scratch_free (DocentMatmulScratch *scratch)
{
  if (scratch == NULL)
    return;
  g_aligned_free (scratch->buf);
  g_free (scratch);
}

/* Grows only; 64-byte aligned for the vector loads. */
static guint8 *
scratch_reserve (DocentMatmulScratch *scratch,
                 gsize                size)
{
  if (scratch->size < size)
    {
      gsize grown = MAX (size, scratch->size + scratch->size / 2);

      g_aligned_free (scratch->buf);
      scratch->buf = g_aligned_alloc (1, grown, 64);
      scratch->size = grown;
    }
  return scratch->buf;
}

typedef struct {
  const DocentDotKernel *kernel;
  const DocentMatrix *w;
  const float *x;           /* float activations (quantizing step) */
  const guint8 *act;        /* activations in the kernel's type */
  gsize act_stride;         /* bytes between activation rows */
  guint act_block;          /* activation rows per cache block */
  guint n;                  /* activation rows */
  float *y;
} MatmulJob;

/* Checks the matrix against its kernel; returns the bytes of one
 * activation row in the kernel's type. */
static gboolean
check_matrix (const DocentMatrix     *w,
              const DocentDotKernel **kernel_out,
              gsize                  *act_bytes,
              GError                **error)
{
  const DocentDotKernel *kernel = docent_dot_kernel (w->type);
  const char *name = docent_type_name (w->type);
  guint block, size, act_block, act_size;

  if (kernel == NULL || !docent_quant_block_info (w->type, &block, &size))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "no matrix product for tensor type %s (%u)",
                   name != NULL ? name : "unknown", w->type);
      return FALSE;
    }
  if (w->cols == 0 || w->cols % block != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "a %s row of %u elements is not a whole number of blocks of %u",
                   name, w->cols, block);
      return FALSE;
    }
  if (w->row_stride < (gsize) w->cols / block * size)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "row stride %" G_GSIZE_FORMAT " is shorter than a %s row of %u elements",
                   w->row_stride, name, w->cols);
      return FALSE;
    }
  docent_quant_block_info (kernel->act_type, &act_block, &act_size);
  *act_bytes = (gsize) w->cols / act_block * act_size;
  *kernel_out = kernel;
  return TRUE;
}

/* Pool callback: activation rows [first, last) to the kernel's type. */
static void
quantize_rows (gpointer data,
               guint    first,
               guint    last,
               guint    worker)
{
  MatmulJob *job = data;

  for (guint i = first; i < last; i++)
    job->kernel->from_float (job->x + (gsize) i * job->w->cols,
                             (guint8 *) job->act + i * job->act_stride, job->w->cols);
}

static void
run (DocentThreadPool *pool,
     guint             n_items,
     guint             grain,
     DocentPoolFunc    func,
     MatmulJob        *job)
{
  if (pool == NULL || n_items <= grain)
    func (job, 0, n_items, 0);
  else
    docent_thread_pool_run (pool, n_items, grain, func, job);
}

/* Float activations are used as they are; the others are quantized into
 * the scratch buffer, in parallel when there are many rows. */
static void
prepare_activations (DocentThreadPool    *pool,
                     DocentMatmulScratch *scratch,
                     MatmulJob           *job,
                     gsize                act_bytes)
{
  if (job->kernel->act_type == DOCENT_TYPE_F32)
    {
      job->act = (const guint8 *) job->x;
      job->act_stride = (gsize) job->w->cols * sizeof (float);
      return;
    }
  job->act_stride = (act_bytes + 63) & ~(gsize) 63;
  job->act = scratch_reserve (scratch, job->act_stride * job->n);
  run (pool, job->n, 4, quantize_rows, job);
}

static void
matvec_rows (gpointer data,
             guint    first,
             guint    last,
             guint    worker)
{
  MatmulJob *job = data;
  const guint8 *w = job->w->data;
  DocentVecDotFunc vec_dot = job->kernel->vec_dot;

  for (guint r = first; r < last; r++)
    job->y[r] = vec_dot (job->w->cols, w + r * job->w->row_stride, job->act);
}

gboolean
docent_matvec (DocentThreadPool    *pool,
               DocentMatmulScratch *scratch,
               const DocentMatrix  *w,
               const float         *x,
               float               *y,
               GError             **error)
{
  MatmulJob job = { .w = w, .x = x, .n = 1, .y = y };
  gsize act_bytes;

  g_return_val_if_fail (scratch != NULL && w != NULL && x != NULL && y != NULL, FALSE);
  if (!check_matrix (w, &job.kernel, &act_bytes, error))
    return FALSE;
  prepare_activations (pool, scratch, &job, act_bytes);
  run (pool, w->rows, ROW_GRAIN, matvec_rows, &job);
  return TRUE;
}

/* Weight row r, as bytes. */
static inline const guint8 *
weight_row (const MatmulJob *job,
            guint            r)
{
  return (const guint8 *) job->w->data + r * job->w->row_stride;
}

/* One weight row against activation rows [a0, a1), a few at a time;
 * whole groups of four (the batch rows the reference engine takes in
 * fours, as a0 is a multiple of 4) through vec_dot_rows4 when the type
 * has one. */
static void
row_times_block (const MatmulJob *job,
                 guint            r,
                 guint            a0,
                 guint            a1)
{
  const DocentDotKernel *k = job->kernel;
  const guint8 *wr = weight_row (job, r);
  gsize cols = job->w->cols, rows = job->w->rows;
  float out[DOCENT_DOT_MAX_ROWS];

  for (guint a = a0; a < a1; a += DOCENT_DOT_MAX_ROWS)
    {
      guint m = MIN (DOCENT_DOT_MAX_ROWS, a1 - a);

      if (m == 4 && k->vec_dot_rows4 != NULL)
        k->vec_dot_rows4 (cols, wr, job->act + a * job->act_stride, job->act_stride, m, out);
      else if (k->vec_dot_rows != NULL)
        k->vec_dot_rows (cols, wr, job->act + a * job->act_stride, job->act_stride, m, out);
      else
        for (guint i = 0; i < m; i++)
          out[i] = k->vec_dot (cols, wr, job->act + (a + i) * job->act_stride);
      for (guint i = 0; i < m; i++)
        job->y[(gsize) (a + i) * rows + r] = out[i];
    }
}

/* Weight rows [r, r + 4) against activation rows [a0, a1) in 4 x 4
 * tiles; a last partial tile goes row by row. */
static void
tiles_times_block (const MatmulJob *job,
                   guint            r,
                   guint            a0,
                   guint            a1)
{
  const DocentDotKernel *k = job->kernel;
  const guint8 *wr = weight_row (job, r);
  gsize rows = job->w->rows;
  guint a = a0;

  for (; a + 4 <= a1; a += 4)
    k->vec_dot_tile (job->w->cols, wr, job->w->row_stride, job->act + a * job->act_stride,
                     job->act_stride, job->y + (gsize) a * rows + r, rows);
  if (a < a1)
    for (guint i = 0; i < 4; i++)
      row_times_block (job, r + i, a, a1);
}

static void
matmul_rows (gpointer data,
             guint    first,
             guint    last,
             guint    worker)
{
  MatmulJob *job = data;
  gboolean tiles = job->kernel->vec_dot_tile != NULL;

  for (guint a0 = 0; a0 < job->n; a0 += job->act_block)
    {
      guint a1 = MIN (job->n, a0 + job->act_block);
      guint r = first;

      if (tiles)
        for (; r + 4 <= last; r += 4)
          tiles_times_block (job, r, a0, a1);
      for (; r < last; r++)
        row_times_block (job, r, a0, a1);
    }
}

gboolean
docent_matmul (DocentThreadPool    *pool,
               DocentMatmulScratch *scratch,
               const DocentMatrix  *w,
               const float         *x,
               guint                n,
               float               *y,
               GError             **error)
{
  MatmulJob job = { .w = w, .x = x, .n = n, .y = y };
  gsize act_bytes;

  g_return_val_if_fail (scratch != NULL && w != NULL && x != NULL && y != NULL, FALSE);
  if (!check_matrix (w, &job.kernel, &act_bytes, error))
    return FALSE;
  if (n == 0)
    return TRUE;
  prepare_activations (pool, scratch, &job, act_bytes);
  job.act_block = (guint) CLAMP (ACT_BLOCK_BYTES / job.act_stride, 4, ACT_BLOCK) & ~3u;
  /* Each task reads all n activation rows once, so it gets enough weight
   * rows to pay for that. */
  run (pool, w->rows, n <= ACT_BLOCK / 4 ? ROW_GRAIN : 2 * ROW_GRAIN, matmul_rows, &job);
  return TRUE;
}
