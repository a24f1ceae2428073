/* bench-kernels.c — how close the tensor kernels come to the machine.
 *
 *  1. Memory bandwidth: memcpy and a read-only sum over a large buffer,
 *     with 1 and 2 threads (the ceiling for decoding, which streams every
 *     weight once per token).
 *  2. Matrix × vector per weight type: GB/s of weight bytes streamed, with
 *     matrices of --mb MB (larger than the caches), 1 and 2 threads.
 *  3. Matrix × matrix (a 512-row prompt batch) per type: GFLOP/s.
 *  4. Quantize and dequantize speed per type (one thread).
 *
 * Usage: bench-kernels [--mb 128] [--batch 512] [--threads 1,2] [--no-mem]
 * The kernel set is the best the CPU has; DOCENT_KERNELS=scalar|avx2|avx512
 * forces one. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
# include <emmintrin.h>
#endif

#include "engine/cpu.h"
#include "engine/dot.h"
#include "engine/matmul.h"
#include "engine/quant.h"
#include "engine/threadpool.h"

static double
now_s (void)
{
  return g_get_monotonic_time () / 1e6;
}

/* ---- memory bandwidth ---------------------------------------------------- */

typedef struct {
  guint8 *src, *dst;
  gsize size;
  double sums[64];
} MemJob;

static void
copy_part (gpointer data,
           guint    first,
           guint    last,
           guint    worker)
{
  MemJob *job = data;
  gsize chunk = job->size / 64;

  memcpy (job->dst + first * chunk, job->src + first * chunk, (gsize) (last - first) * chunk);
}

/* Integer sums of 16-byte loads in four chains: cheap enough per byte
 * that the loop waits on memory, not on arithmetic. */
static void
sum_part (gpointer data,
          guint    first,
          guint    last,
          guint    worker)
{
  MemJob *job = data;
  gsize chunk = job->size / 64;

  for (guint c = first; c < last; c++)
    {
      const guint8 *p = job->src + c * chunk;
#ifdef __SSE2__
      __m128i s0 = _mm_setzero_si128 (), s1 = s0, s2 = s0, s3 = s0;

      for (gsize i = 0; i < chunk; i += 64)
        {
          s0 = _mm_add_epi64 (s0, _mm_load_si128 ((const __m128i *) (p + i)));
          s1 = _mm_add_epi64 (s1, _mm_load_si128 ((const __m128i *) (p + i + 16)));
          s2 = _mm_add_epi64 (s2, _mm_load_si128 ((const __m128i *) (p + i + 32)));
          s3 = _mm_add_epi64 (s3, _mm_load_si128 ((const __m128i *) (p + i + 48)));
        }
      s0 = _mm_add_epi64 (_mm_add_epi64 (s0, s1), _mm_add_epi64 (s2, s3));
      job->sums[c] = (double) _mm_cvtsi128_si64 (s0);
#else
      guint64 s = 0;

      for (gsize i = 0; i < chunk; i += 8)
        s += *(const guint64 *) (p + i);
      job->sums[c] = (double) s;
#endif
    }
}

static double
best_of (DocentThreadPool *pool,
         DocentPoolFunc    func,
         MemJob           *job,
         int               reps)
{
  double best = INFINITY;

  for (int r = 0; r < reps; r++)
    {
      double t0 = now_s ();

      docent_thread_pool_run (pool, 64, 1, func, job);
      best = MIN (best, now_s () - t0);
    }
  return best;
}

static void
bench_memory (const guint *threads,
              guint        n_threads)
{
  MemJob job = { 0 };

  job.size = (gsize) 512 << 20;
  job.src = g_aligned_alloc (1, job.size, 64);
  job.dst = g_aligned_alloc (1, job.size, 64);
  for (gsize i = 0; i < job.size / sizeof (float); i++)
    ((float *) job.src)[i] = (float) (i & 1023);
  memset (job.dst, 1, job.size);
  printf ("\nMemory bandwidth, 512 MiB buffers (best of 5)\n");
  printf ("%-8s %14s %14s\n", "threads", "memcpy GB/s", "read GB/s");
  for (guint t = 0; t < n_threads; t++)
    {
      g_autoptr(DocentThreadPool) pool = docent_thread_pool_new (threads[t]);
      double copy = best_of (pool, copy_part, &job, 5);
      double read = best_of (pool, sum_part, &job, 5);

      /* memcpy moves each byte twice (read + write). */
      printf ("%-8u %14.1f %14.1f\n", threads[t], 2.0 * job.size / copy / 1e9, job.size / read / 1e9);
    }
  g_aligned_free (job.src);
  g_aligned_free (job.dst);
}

/* ---- matrices ------------------------------------------------------------ */

typedef struct {
  DocentMatrix m;
  guint8 *data;
} BenchMatrix;

/* `rows` rows of `cols` of `type`: a few hundred rows quantized from
 * random values, repeated (the values do not change the speed). */
static void
bench_matrix_init (BenchMatrix *bm,
                   guint32      type,
                   guint        rows,
                   guint        cols)
{
  guint block, size, pattern = MIN (rows, 64);
  gsize rb;
  g_autofree float *x = g_new (float, cols);
  g_autoptr(GRand) rand = g_rand_new_with_seed (11);

  docent_quant_block_info (type, &block, &size);
  rb = (gsize) cols / block * size;
  bm->m = (DocentMatrix) { type, rows, cols, rb, NULL };
  bm->data = g_malloc (rb * rows);
  bm->m.data = bm->data;
  for (guint r = 0; r < pattern; r++)
    {
      for (guint j = 0; j < cols; j++)
        x[j] = (float) g_rand_double_range (rand, -1, 1);
      docent_quantize_row (type, x, bm->data + r * rb, cols, NULL);
    }
  for (guint r = pattern; r < rows; r++)
    memcpy (bm->data + r * rb, bm->data + (r % pattern) * rb, rb);
}

static const guint32 bench_types[] = {
  DOCENT_TYPE_F32, DOCENT_TYPE_F16, DOCENT_TYPE_BF16, DOCENT_TYPE_Q8_0,
  DOCENT_TYPE_Q6_K, DOCENT_TYPE_Q5_K, DOCENT_TYPE_Q5_0, DOCENT_TYPE_Q5_1,
  DOCENT_TYPE_Q4_K, DOCENT_TYPE_Q4_0, DOCENT_TYPE_Q4_1, DOCENT_TYPE_Q3_K,
  DOCENT_TYPE_Q2_K,
};

static void
bench_matvec (const guint *threads,
              guint        n_threads,
              guint        mb)
{
  const guint cols = 4096;
  g_autoptr(DocentMatmulScratch) scratch = docent_matmul_scratch_new ();
  g_autofree float *x = g_new (float, cols);

  for (guint j = 0; j < cols; j++)
    x[j] = sinf ((float) j);
  printf ("\nMatrix x vector, %u columns, ~%u MB of weights per type (best of 7)\n", cols, mb);
  printf ("%-6s %8s", "type", "rows");
  for (guint t = 0; t < n_threads; t++)
    printf ("   %u thr GB/s   ms", threads[t]);
  printf ("\n");
  for (guint i = 0; i < G_N_ELEMENTS (bench_types); i++)
    {
      guint block, size, rows;
      BenchMatrix bm;
      g_autofree float *y = NULL;

      docent_quant_block_info (bench_types[i], &block, &size);
      rows = (guint) (((gsize) mb << 20) / ((gsize) cols / block * size));
      rows -= rows % 16;
      bench_matrix_init (&bm, bench_types[i], rows, cols);
      y = g_new (float, rows);
      printf ("%-6s %8u", docent_type_name (bench_types[i]), rows);
      for (guint t = 0; t < n_threads; t++)
        {
          g_autoptr(DocentThreadPool) pool = docent_thread_pool_new (threads[t]);
          double best = INFINITY;

          for (int r = 0; r < 7; r++)
            {
              double t0 = now_s ();

              docent_matvec (pool, scratch, &bm.m, x, y, NULL);
              best = MIN (best, now_s () - t0);
            }
          printf ("   %11.1f %6.2f", bm.m.row_stride * (double) rows / best / 1e9, best * 1e3);
        }
      printf ("\n");
      g_free (bm.data);
    }
}

static void
bench_matmul (const guint *threads,
              guint        n_threads,
              guint        batch)
{
  const guint32 types[] = { DOCENT_TYPE_F32, DOCENT_TYPE_F16, DOCENT_TYPE_BF16, DOCENT_TYPE_Q8_0,
                            DOCENT_TYPE_Q6_K, DOCENT_TYPE_Q5_K, DOCENT_TYPE_Q4_K, DOCENT_TYPE_Q4_0 };
  const guint rows = 2048, cols = 4096;
  g_autoptr(DocentMatmulScratch) scratch = docent_matmul_scratch_new ();
  g_autofree float *x = g_new (float, (gsize) batch * cols);
  g_autofree float *y = g_new (float, (gsize) batch * rows);
  double flops = 2.0 * batch * rows * cols;

  for (gsize j = 0; j < (gsize) batch * cols; j++)
    x[j] = sinf ((float) j);
  printf ("\nMatrix x matrix, %u x %u weights, batch of %u rows (best of 3)\n", rows, cols, batch);
  printf ("%-6s", "type");
  for (guint t = 0; t < n_threads; t++)
    printf ("   %u thr GFLOP/s    ms", threads[t]);
  printf ("\n");
  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      BenchMatrix bm;

      bench_matrix_init (&bm, types[i], rows, cols);
      printf ("%-6s", docent_type_name (types[i]));
      for (guint t = 0; t < n_threads; t++)
        {
          g_autoptr(DocentThreadPool) pool = docent_thread_pool_new (threads[t]);
          double best = INFINITY;

          for (int r = 0; r < 3; r++)
            {
              double t0 = now_s ();

              docent_matmul (pool, scratch, &bm.m, x, batch, y, NULL);
              best = MIN (best, now_s () - t0);
            }
          printf ("   %14.1f %7.1f", flops / best / 1e9, best * 1e3);
        }
      printf ("\n");
      g_free (bm.data);
    }
}

/* Quantizing (converting a model, or a KV cache) is not a hot path, but
 * its cost should be known: million elements per second, one thread. */
static void
bench_quantize (void)
{
  const gsize n = 1 << 20;
  g_autofree float *x = g_new (float, n);
  g_autofree float *back = g_new (float, n);
  g_autofree guint8 *q = g_malloc (n * sizeof (float));

  for (gsize j = 0; j < n; j++)
    x[j] = sinf ((float) j * 0.37f) * cosf ((float) j * 0.011f);
  printf ("\nQuantize / dequantize, 1 thread, M elements/s\n");
  printf ("%-6s %12s %12s\n", "type", "quantize", "dequantize");
  for (guint i = 0; i < G_N_ELEMENTS (bench_types); i++)
    {
      double t0 = now_s (), tq, td;

      docent_quantize_row (bench_types[i], x, q, n, NULL);
      tq = now_s () - t0;
      t0 = now_s ();
      docent_dequantize_row (bench_types[i], q, back, n, NULL);
      td = now_s () - t0;
      printf ("%-6s %12.1f %12.1f\n", docent_type_name (bench_types[i]), n / tq / 1e6, n / td / 1e6);
    }
}

int
main (int argc, char **argv)
{
  int mb = 128, batch = 512;
  gboolean no_mem = FALSE;
  g_autofree char *thread_list = NULL;
  g_auto(GStrv) parts = NULL;
  guint threads[16], n_threads = 0;
  GOptionEntry entries[] = {
    { "mb", 0, 0, G_OPTION_ARG_INT, &mb, "MB of weights per matrix x vector type", "N" },
    { "batch", 0, 0, G_OPTION_ARG_INT, &batch, "activation rows for matrix x matrix", "N" },
    { "threads", 0, 0, G_OPTION_ARG_STRING, &thread_list, "thread counts, e.g. 1,2", "LIST" },
    { "no-mem", 0, 0, G_OPTION_ARG_NONE, &no_mem, "skip the memory bandwidth test", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— tensor kernel benchmark");
  g_autoptr(GError) error = NULL;
  g_autofree char *cpu = docent_cpu_describe (docent_cpu_get ());

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  parts = g_strsplit (thread_list != NULL ? thread_list : "1,2", ",", -1);
  for (char **p = parts; *p != NULL && n_threads < G_N_ELEMENTS (threads); p++)
    if (atoi (*p) > 0)
      threads[n_threads++] = (guint) atoi (*p);
  if (n_threads == 0 || mb <= 0 || batch <= 0)
    {
      g_printerr ("bad --threads, --mb or --batch\n");
      return 2;
    }
  printf ("CPU: %s\nkernels: %s\n", cpu, docent_kernel_path_name (docent_kernel_path ()));
  if (!no_mem)
    bench_memory (threads, n_threads);
  bench_matvec (threads, n_threads, (guint) mb);
  bench_matmul (threads, n_threads, (guint) batch);
  bench_quantize ();
  return 0;
}
