/* threadpool.c — the worker threads of a DocentThreadPool: how a loop is
 * announced to them, split between them and waited for.
 *
 * A decoded token runs a few hundred loops of tens of microseconds each, so
 * one run must cost a few microseconds at most. A mutex and condition
 * variable round trip costs tens, so the hot path uses only atomics:
 *
 * - Each worker has its own word, on its own cache line. The caller
 *   announces a loop by adding 2 to the word of each worker that takes
 *   part; workers that are not needed (small loops) are not disturbed.
 * - A worker spins on its word for POOL_SPIN_US after a loop, then sets
 *   bit 0 of the word and sleeps on it (futex on Linux), so an idle pool
 *   costs no CPU. The caller makes a wake-up system call only when the
 *   word it replaced had bit 0 set. Word and sleep flag change in one
 *   atomic operation, so no wake-up can be lost between them.
 * - The caller takes part as worker 0. Items are handed out in chunks
 *   (a multiple of the grain) from an atomic counter, about
 *   POOL_CHUNKS_PER_THREAD chunks per thread: a worker that is late (just
 *   woken, preempted on a busy machine, on a slower core) leaves its share
 *   to the others instead of holding everyone up.
 * - The counter word also holds the number of chunks, so one fetch-add
 *   both claims a chunk and says whether it exists. A worker that arrives
 *   after the loop is over claims nothing and reads nothing else, so the
 *   caller never waits for a worker, only for chunks: each finished chunk
 *   is counted with a release increment, and the caller spins (then
 *   yields) on that count with acquire loads, which makes everything the
 *   workers wrote visible once docent_thread_pool_run returns. */
#include "engine/threadpool.h"

#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>

#include "engine/cpu.h"

#ifdef __linux__
# include <linux/futex.h>
# include <sys/syscall.h>
# include <unistd.h>
# define POOL_USE_FUTEX 1
#endif

#define POOL_CACHE_LINE 64

/* Long enough to cover the serial work between two loops of one token
 * (norms, softmax, sampling), short enough that an idle pool stops
 * burning CPU almost at once. */
#define POOL_SPIN_US 100

/* How long the caller spins for chunks that other threads still run
 * before it starts yielding its core: on a loaded machine one of those
 * threads may be waiting for a core. */
#define POOL_CALLER_SPIN_US 50

/* More chunks balance uneven work and late workers better; fewer cost
 * fewer atomic increments and calls, and keep ranges long for the
 * kernels. Measured on 2 threads (test-threadpool -m perf, built with
 * -DPOOL_CHUNKS_PER_THREAD=n), a loop whose cost grows with the index
 * takes 0.8 of the serial time with 1 chunk per thread, 0.57 with 4 (0.5
 * is ideal) and little less with 16; even loops take 0.5 with all three. */
#ifndef POOL_CHUNKS_PER_THREAD
# define POOL_CHUNKS_PER_THREAD 4
#endif

/* Bit 0 of a worker's word: the worker sleeps, or is about to. */
#define WORD_SLEEPING 1u
/* The caller adds this for each loop, so bit 0 stays free. */
#define WORD_STEP 2u

typedef struct {
  /* Written by the caller (announces a loop) and by the worker (sets
   * WORD_SLEEPING); alone on its cache line with read-only neighbours. */
  alignas (POOL_CACHE_LINE) atomic_uint word;
  DocentThreadPool *pool;
  GThread *thread;
  guint id;
} PoolWorker;

struct _DocentThreadPool {
  guint n_threads;
  /* Indexed by worker id; slot 0 (the caller) is never started. */
  PoolWorker *workers;
  /* Serialises callers: one loop at a time, so per-worker scratch indexed
   * by worker id stays private to one loop. A pthread mutex rather than a
   * GMutex, whose futex code ThreadSanitizer cannot see into. */
  pthread_mutex_t run_lock;
#ifndef POOL_USE_FUTEX
  pthread_mutex_t sleep_lock;
  pthread_cond_t sleep_cond;
#endif

  /* The current loop. Written under run_lock before chunks can be
   * claimed, and read only by a thread holding a claimed chunk, which the
   * caller waits for before it writes them again: no atomics needed. */
  DocentPoolFunc func;
  gpointer data;
  guint n_items;
  guint chunk;

  /* Set by docent_thread_pool_free before it announces a last time. */
  atomic_bool quit;

  /* Written by all threads during a loop: each on its own cache line so
   * claiming chunks does not slow down reading the fields above.
   * claim: the number of chunks in the high half, the next chunk to hand
   * out in the low half. */
  alignas (POOL_CACHE_LINE) _Atomic guint64 claim;
  alignas (POOL_CACHE_LINE) atomic_uint n_finished;
};

/* Tells the core (and a hyperthread sibling) that we are busy-waiting. */
static inline void
cpu_relax (void)
{
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause ();
#elif defined(__aarch64__)
  __asm__ __volatile__ ("yield" ::: "memory");
#endif
}

#ifdef POOL_USE_FUTEX

static void
word_sleep (DocentThreadPool *pool,
            PoolWorker       *worker,
            guint             value)
{
  /* Returns at once if the word is no longer `value`: the kernel checks it
   * atomically with going to sleep. */
  syscall (SYS_futex, (guint32 *) &worker->word, FUTEX_WAIT_PRIVATE, value,
           NULL, NULL, 0);
}

static void
word_wake (DocentThreadPool *pool,
           PoolWorker       *worker)
{
  syscall (SYS_futex, (guint32 *) &worker->word, FUTEX_WAKE_PRIVATE, 1,
           NULL, NULL, 0);
}

#else /* !POOL_USE_FUTEX */

static void
word_sleep (DocentThreadPool *pool,
            PoolWorker       *worker,
            guint             value)
{
  /* The caller changes the word before it takes sleep_lock to broadcast,
   * so checking the word under the lock cannot miss that broadcast. */
  pthread_mutex_lock (&pool->sleep_lock);
  while (atomic_load_explicit (&worker->word, memory_order_relaxed) == value)
    pthread_cond_wait (&pool->sleep_cond, &pool->sleep_lock);
  pthread_mutex_unlock (&pool->sleep_lock);
}

static void
word_wake (DocentThreadPool *pool,
           PoolWorker       *worker)
{
  pthread_mutex_lock (&pool->sleep_lock);
  pthread_cond_broadcast (&pool->sleep_cond);
  pthread_mutex_unlock (&pool->sleep_lock);
}

#endif /* POOL_USE_FUTEX */

/* Busy-waits up to POOL_SPIN_US for the word to leave `seen`; reading the
 * clock only every 64 pauses keeps the check cheap. */
static gboolean
worker_spin (PoolWorker *worker,
             guint       seen)
{
  gint64 deadline = g_get_monotonic_time () + POOL_SPIN_US;

  for (;;)
    {
      for (guint i = 0; i < 64; i++)
        {
          if (atomic_load_explicit (&worker->word, memory_order_relaxed) != seen)
            return TRUE;
          cpu_relax ();
        }
      if (g_get_monotonic_time () >= deadline)
        return FALSE;
    }
}

/* Marks the worker asleep and sleeps until the word leaves `seen`. The
 * mark succeeds only while the word is still `seen`, so the caller either
 * sees the mark when it replaces the word (and wakes us) or has already
 * replaced it (and the mark fails). */
static void
worker_sleep (DocentThreadPool *pool,
              PoolWorker       *worker,
              guint             seen)
{
  for (;;)
    {
      guint expected = seen;

      if (!atomic_compare_exchange_strong_explicit (&worker->word, &expected,
                                                    seen | WORD_SLEEPING,
                                                    memory_order_relaxed,
                                                    memory_order_relaxed)
          && expected != (seen | WORD_SLEEPING))
        return;
      word_sleep (pool, worker, seen | WORD_SLEEPING);
    }
}

/* Returns the word announcing the next loop; the acquire load pairs with
 * the caller's release exchange, so the loop's fields can be read. */
static guint
worker_wait (DocentThreadPool *pool,
             PoolWorker       *worker,
             guint             seen)
{
  if (!worker_spin (worker, seen))
    worker_sleep (pool, worker, seen);
  return atomic_load_explicit (&worker->word, memory_order_acquire);
}

/* Claims and runs chunks until none are left. The acquire pairs with the
 * release store that opened the loop, so its fields can be read once a
 * chunk is held; the release increment hands the results to the caller. */
static void
pool_run_chunks (DocentThreadPool *pool,
                 guint             worker)
{
  for (;;)
    {
      guint64 claim = atomic_fetch_add_explicit (&pool->claim, 1,
                                                 memory_order_acquire);
      guint c = (guint) claim;
      guint64 first;
      guint64 last;

      if (c >= (guint) (claim >> 32))
        return;
      first = (guint64) c * pool->chunk;
      last = MIN (first + pool->chunk, pool->n_items);
      pool->func (pool->data, (guint) first, (guint) last, worker);
      atomic_fetch_add_explicit (&pool->n_finished, 1, memory_order_release);
    }
}

static gpointer
worker_main (gpointer user_data)
{
  PoolWorker *worker = user_data;
  DocentThreadPool *pool = worker->pool;
  guint seen = 0;

  for (;;)
    {
      seen = worker_wait (pool, worker, seen);
      if (atomic_load_explicit (&pool->quit, memory_order_relaxed))
        return NULL;
      pool_run_chunks (pool, worker->id);
    }
}

/* Announces the loop set up in `pool` to one worker. Only the caller
 * (under run_lock) adds to the word and only the worker sets bit 0, so
 * the exchange tells exactly whether the worker went to sleep on the old
 * value. */
static void
pool_announce (DocentThreadPool *pool,
               PoolWorker       *worker)
{
  guint old = atomic_load_explicit (&worker->word, memory_order_relaxed);
  guint next = (old & ~WORD_SLEEPING) + WORD_STEP;

  old = atomic_exchange_explicit (&worker->word, next, memory_order_release);
  if (old & WORD_SLEEPING)
    word_wake (pool, worker);
}

/* Waits for the last chunks, which other workers still run; the acquire
 * load pairs with their release increments. */
static void
pool_wait (DocentThreadPool *pool,
           guint             n_chunks)
{
  gint64 deadline = g_get_monotonic_time () + POOL_CALLER_SPIN_US;

  for (;;)
    {
      for (guint i = 0; i < 64; i++)
        {
          if (atomic_load_explicit (&pool->n_finished, memory_order_acquire) == n_chunks)
            return;
          cpu_relax ();
        }
      if (g_get_monotonic_time () >= deadline)
        g_thread_yield ();
    }
}

/* Splits n_grains grains into chunks of whole grains for n_active threads
 * and runs them on workers 0 .. n_active - 1. */
static void
pool_run_parallel (DocentThreadPool *pool,
                   guint             n_items,
                   guint             grain,
                   guint             n_grains,
                   guint             n_active,
                   DocentPoolFunc    func,
                   gpointer          data)
{
  guint per_chunk = MAX (n_grains / (n_active * POOL_CHUNKS_PER_THREAD), 1);
  guint n_chunks = n_grains / per_chunk + (n_grains % per_chunk != 0);

  pool->func = func;
  pool->data = data;
  pool->n_items = n_items;
  /* Fits: with two threads or more a chunk is at most half the items,
   * rounded up to a grain. */
  pool->chunk = per_chunk * grain;
  atomic_store_explicit (&pool->n_finished, 0, memory_order_relaxed);
  /* Opens the loop: from here on chunks can be claimed, even by workers
   * still on their way back from an earlier loop. */
  atomic_store_explicit (&pool->claim, (guint64) n_chunks << 32,
                         memory_order_release);

  for (guint i = 1; i < n_active; i++)
    pool_announce (pool, &pool->workers[i]);
  pool_run_chunks (pool, 0);
  pool_wait (pool, n_chunks);
}

/**
 * docent_thread_pool_new:
 * @n_threads: threads including the caller; 0 for one per physical core
 *
 * Starts @n_threads - 1 worker threads, which sleep until the first run.
 */
DocentThreadPool *
docent_thread_pool_new (guint n_threads)
{
  DocentThreadPool *pool;

  if (n_threads == 0)
    n_threads = MAX (docent_cpu_get ()->physical_cores, 1);

  pool = g_aligned_alloc0 (1, sizeof *pool, alignof (DocentThreadPool));
  pool->n_threads = n_threads;
  pthread_mutex_init (&pool->run_lock, NULL);
#ifndef POOL_USE_FUTEX
  pthread_mutex_init (&pool->sleep_lock, NULL);
  pthread_cond_init (&pool->sleep_cond, NULL);
#endif
  pool->workers = g_aligned_alloc0 (n_threads, sizeof (PoolWorker),
                                    alignof (PoolWorker));
  for (guint i = 1; i < n_threads; i++)
    {
      PoolWorker *worker = &pool->workers[i];

      worker->pool = pool;
      worker->id = i;
      worker->thread = g_thread_new ("docent-pool", worker_main, worker);
    }
  return pool;
}

/**
 * docent_thread_pool_free:
 * @pool: (nullable): a pool that is not running a loop
 *
 * Stops and joins the worker threads.
 */
void
docent_thread_pool_free (DocentThreadPool *pool)
{
  if (pool == NULL)
    return;

  pthread_mutex_lock (&pool->run_lock);
  atomic_store_explicit (&pool->quit, TRUE, memory_order_relaxed);
  for (guint i = 1; i < pool->n_threads; i++)
    pool_announce (pool, &pool->workers[i]);
  for (guint i = 1; i < pool->n_threads; i++)
    g_thread_join (pool->workers[i].thread);
  pthread_mutex_unlock (&pool->run_lock);

  pthread_mutex_destroy (&pool->run_lock);
#ifndef POOL_USE_FUTEX
  pthread_mutex_destroy (&pool->sleep_lock);
  pthread_cond_destroy (&pool->sleep_cond);
#endif
  g_aligned_free (pool->workers);
  g_aligned_free (pool);
}

guint
docent_thread_pool_size (DocentThreadPool *pool)
{
  g_return_val_if_fail (pool != NULL, 1);

  return pool->n_threads;
}

/**
 * docent_thread_pool_run:
 *
 * Runs @func over [0, @n_items) and returns when every item is done. With
 * one thread in use (a pool of one, or no more than one grain of items)
 * @func runs inline, in one call, and no worker is woken.
 */
void
docent_thread_pool_run (DocentThreadPool *pool,
                        guint             n_items,
                        guint             grain,
                        DocentPoolFunc    func,
                        gpointer          data)
{
  guint n_grains;
  guint n_active;

  g_return_if_fail (pool != NULL);
  g_return_if_fail (func != NULL);

  if (n_items == 0)
    return;
  grain = MAX (grain, 1);
  n_grains = n_items / grain + (n_items % grain != 0);
  n_active = MIN (pool->n_threads, n_grains);

  /* Taken even when running inline: the promise of one loop at a time
   * (worker 0's scratch is not shared by two callers) costs an
   * uncontended lock, about 20 ns. */
  pthread_mutex_lock (&pool->run_lock);
  if (n_active == 1)
    func (data, 0, n_items, 0);
  else
    pool_run_parallel (pool, n_items, grain, n_grains, n_active, func, data);
  pthread_mutex_unlock (&pool->run_lock);
}
