/* test-threadpool.c — DocentThreadPool visits every item once, in ranges of
 * whole grains, on valid workers; results are visible after a run; no
 * wake-up is lost, back to back or after the workers slept; callers on
 * several threads are serialised. With -m perf: the cost of one run,
 * against a GThreadPool with a mutex and condition variable per run. */
#include <time.h>

#include "engine/cpu.h"
#include "engine/threadpool.h"

/* Records every call of one run, checked by the test after it returns:
 * asserting in a worker thread would abort without saying which case. */
typedef struct {
  guint n_items;
  guint grain;
  guint size;
  gint *visits;
  gint calls;
  gint bad_ranges;
  gint bad_workers;
  gint *workers;
} Coverage;

static void
coverage_func (gpointer data,
               guint    first,
               guint    last,
               guint    worker)
{
  Coverage *c = data;
  guint grain = MAX (c->grain, 1);

  g_atomic_int_inc (&c->calls);
  if (first >= last || last > c->n_items || first % grain != 0
      || ((last - first) % grain != 0 && last != c->n_items))
    g_atomic_int_inc (&c->bad_ranges);
  if (worker >= c->size)
    g_atomic_int_inc (&c->bad_workers);
  else
    g_atomic_int_set (&c->workers[worker], 1);
  for (guint i = first; i < last && i < c->n_items; i++)
    g_atomic_int_inc (&c->visits[i]);
}

static void
check_coverage (DocentThreadPool *pool,
                guint             n_items,
                guint             grain)
{
  Coverage c = { .n_items = n_items, .grain = grain,
                 .size = docent_thread_pool_size (pool) };
  guint n_grains = grain == 0 ? n_items : (n_items + grain - 1) / grain;
  guint n_workers = 0;

  c.visits = g_new0 (gint, MAX (n_items, 1));
  c.workers = g_new0 (gint, c.size);
  docent_thread_pool_run (pool, n_items, grain, coverage_func, &c);
  for (guint i = 0; i < n_items; i++)
    if (c.visits[i] != 1)
      g_error ("items %u grain %u threads %u: item %u visited %d times",
               n_items, grain, c.size, i, c.visits[i]);
  g_assert_cmpint (c.bad_ranges, ==, 0);
  g_assert_cmpint (c.bad_workers, ==, 0);
  /* Fewer grains than threads: fewer threads take part. */
  for (guint i = 0; i < c.size; i++)
    n_workers += c.workers[i];
  g_assert_cmpuint (n_workers, <=, n_grains);
  if (n_items == 0)
    g_assert_cmpint (c.calls, ==, 0);
  g_free (c.visits);
  g_free (c.workers);
}

static void
test_coverage (void)
{
  static const guint threads[] = { 1, 2, 3, 4, 7 };
  static const guint items[] = { 0, 1, 2, 3, 5, 7, 8, 13, 64, 100, 1000,
                                 1023, 4097 };
  static const guint grains[] = { 0, 1, 2, 3, 7, 16, 64, 5000 };

  for (guint t = 0; t < G_N_ELEMENTS (threads); t++)
    {
      g_autoptr(DocentThreadPool) pool = docent_thread_pool_new (threads[t]);

      g_assert_cmpuint (docent_thread_pool_size (pool), ==, threads[t]);
      for (guint i = 0; i < G_N_ELEMENTS (items); i++)
        for (guint g = 0; g < G_N_ELEMENTS (grains); g++)
          check_coverage (pool, items[i], grains[g]);
    }
}

static void
test_default_size (void)
{
  g_autoptr(DocentThreadPool) pool = docent_thread_pool_new (0);

  g_assert_cmpuint (docent_thread_pool_size (pool), ==,
                    docent_cpu_get ()->physical_cores);
  check_coverage (pool, 777, 4);
}

typedef struct {
  guint calls;
  guint first;
  guint last;
  guint worker;
} Inline;

static void
inline_func (gpointer data,
             guint    first,
             guint    last,
             guint    worker)
{
  Inline *in = data;

  in->calls++;
  in->first = first;
  in->last = last;
  in->worker = worker;
}

/* One thread, or one grain of items: a single call on the caller. */
static void
test_inline (void)
{
  g_autoptr(DocentThreadPool) one = docent_thread_pool_new (1);
  g_autoptr(DocentThreadPool) four = docent_thread_pool_new (4);
  Inline in = { 0 };

  docent_thread_pool_run (one, 1000, 8, inline_func, &in);
  g_assert_cmpuint (in.calls, ==, 1);
  g_assert_cmpuint (in.first, ==, 0);
  g_assert_cmpuint (in.last, ==, 1000);
  g_assert_cmpuint (in.worker, ==, 0);

  in = (Inline) { 0 };
  docent_thread_pool_run (four, 10, 16, inline_func, &in);
  g_assert_cmpuint (in.calls, ==, 1);
  g_assert_cmpuint (in.last, ==, 10);
  g_assert_cmpuint (in.worker, ==, 0);
}

/* Plain (non-atomic) writes from the workers: the run must order them
 * before its return, and ThreadSanitizer checks that it does. */
typedef struct {
  guint *out;
  guint round;
} Fill;

static void
fill_func (gpointer data,
           guint    first,
           guint    last,
           guint    worker)
{
  Fill *f = data;

  for (guint i = first; i < last; i++)
    f->out[i] = i * 3 + f->round;
}

static void
check_fill (DocentThreadPool *pool,
            guint            *out,
            guint             n_items,
            guint             grain,
            guint             round)
{
  Fill f = { out, round };

  docent_thread_pool_run (pool, n_items, grain, fill_func, &f);
  for (guint i = 0; i < n_items; i++)
    if (out[i] != i * 3 + round)
      g_error ("round %u: item %u is %u", round, i, out[i]);
}

static void
test_visible (void)
{
  g_autoptr(DocentThreadPool) pool = docent_thread_pool_new (3);
  g_autofree guint *out = g_new0 (guint, 5000);

  for (guint round = 0; round < 200; round++)
    check_fill (pool, out, 1 + (round * 37) % 5000, 1 + round % 9, round);
}

/* A run whose n_threads chunks each wait for all the others to be taken:
 * it finishes only if every worker was woken and got a chunk, so a lost
 * wake-up shows as a timeout instead of the caller doing all the work
 * alone. Waiting threads yield, for pools larger than the machine. Each
 * chunk also leaves a plain write for the caller to read. */
typedef struct {
  guint n_threads;
  guint round;
  guint *out;
  gint arrived;
  gint *present;
  gint timeouts;
} Rendezvous;

static void
rendezvous_func (gpointer data,
                 guint    first,
                 guint    last,
                 guint    worker)
{
  Rendezvous *r = data;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  r->out[first] = r->round + first;
  g_atomic_int_inc (&r->present[worker]);
  g_atomic_int_inc (&r->arrived);
  while (g_atomic_int_get (&r->arrived) < (gint) r->n_threads)
    {
      if (g_get_monotonic_time () > deadline)
        {
          g_atomic_int_inc (&r->timeouts);
          return;
        }
      g_thread_yield ();
    }
}

static void
check_rendezvous (DocentThreadPool *pool,
                  guint             round)
{
  guint n_threads = docent_thread_pool_size (pool);
  g_autofree gint *present = g_new0 (gint, n_threads);
  g_autofree guint *out = g_new0 (guint, n_threads);
  Rendezvous r = { n_threads, round, out, 0, present, 0 };

  docent_thread_pool_run (pool, n_threads, 1, rendezvous_func, &r);
  if (r.timeouts > 0)
    g_error ("round %u: %d of %u threads never came", round,
             (gint) n_threads - r.arrived, n_threads);
  for (guint i = 0; i < n_threads; i++)
    {
      g_assert_cmpint (present[i], ==, 1);
      g_assert_cmpuint (out[i], ==, round + i);
    }
}

/* Sleeps before some rounds and says whether it did: 5 ms puts the
 * workers to sleep; short naps land near the end of their spinning,
 * where a wake-up is easiest to lose. */
static gboolean
nap (GRand *rand,
     guint  round)
{
  if (round % 100 == 0)
    g_usleep (5000);
  else if (round % 7 == 0)
    g_usleep (g_rand_int_range (rand, 0, 300));
  else
    return FALSE;
  return TRUE;
}

/* Many short runs, in most of which every worker must take part. A lost
 * wake-up leaves a worker asleep for good, so the next rendezvous finds
 * it even when the run that lost it was not one. */
static void
run_many (DocentThreadPool *pool,
          guint             n_runs,
          gboolean          with_naps)
{
  g_autofree guint *out = g_new0 (guint, 64);
  GRand *rand = g_rand_new_with_seed (42);

  for (guint round = 0; round < n_runs; round++)
    {
      gboolean napped = with_naps && nap (rand, round);

      if (!with_naps || napped || round % 10 == 0)
        check_rendezvous (pool, round);
      check_fill (pool, out, 16 + round % 48, 1, round);
    }
  g_rand_free (rand);
}

static void
test_back_to_back (void)
{
  g_autoptr(DocentThreadPool) two = docent_thread_pool_new (2);
  g_autoptr(DocentThreadPool) three = docent_thread_pool_new (3);

  run_many (two, 10000, FALSE);
  /* More threads than this machine may have cores: slower, fewer runs. */
  run_many (three, 1000, FALSE);
}

static void
test_after_sleep (void)
{
  g_autoptr(DocentThreadPool) two = docent_thread_pool_new (2);
  g_autoptr(DocentThreadPool) three = docent_thread_pool_new (3);

  run_many (two, 2000, TRUE);
  run_many (three, 2000, TRUE);
}

/* Two callers on one pool. Each loop marks itself busy while any of its
 * calls runs; seeing the other caller's loop busy means two loops
 * overlapped. Worker ids index a scratch slot, which only one loop may
 * use at a time. */
typedef struct {
  DocentThreadPool *pool;
  gint *busy;
  guint *scratch;
  guint me;
  gint overlaps;
  gint wrong;
} Caller;

static void
caller_func (gpointer data,
             guint    first,
             guint    last,
             guint    worker)
{
  Caller *c = data;
  guint tag = (c->me + 1) * 1000000 + first;

  g_atomic_int_inc (&c->busy[c->me]);
  if (g_atomic_int_get (&c->busy[1 - c->me]) != 0)
    g_atomic_int_inc (&c->overlaps);
  c->scratch[worker] = tag;
  /* Long enough (a microsecond or so) for overlapping loops to meet. */
  for (guint i = first * 64; i < last * 64; i++)
    g_atomic_int_get (&c->busy[c->me]);
  if (c->scratch[worker] != tag)
    g_atomic_int_inc (&c->wrong);
  g_atomic_int_add (&c->busy[c->me], -1);
}

static gpointer
caller_thread (gpointer data)
{
  Caller *c = data;

  for (guint round = 0; round < 2000; round++)
    docent_thread_pool_run (c->pool, 64 + round % 64, 4, caller_func, c);
  return NULL;
}

static void
check_callers (guint n_threads)
{
  g_autoptr(DocentThreadPool) pool = docent_thread_pool_new (n_threads);
  g_autofree guint *scratch = g_new0 (guint, n_threads);
  gint busy[2] = { 0, 0 };
  Caller callers[2];
  GThread *threads[2];

  for (guint i = 0; i < 2; i++)
    {
      callers[i] = (Caller) { pool, busy, scratch, i, 0, 0 };
      threads[i] = g_thread_new ("caller", caller_thread, &callers[i]);
    }
  for (guint i = 0; i < 2; i++)
    {
      g_thread_join (threads[i]);
      g_assert_cmpint (callers[i].overlaps, ==, 0);
      g_assert_cmpint (callers[i].wrong, ==, 0);
    }
}

static void
test_concurrent_callers (void)
{
  check_callers (1);
  check_callers (2);
  check_callers (3);
}

static void
test_free_idle (void)
{
  DocentThreadPool *pool;
  g_autofree guint *out = g_new0 (guint, 64);

  /* Right after creation, when workers may not have started yet. */
  docent_thread_pool_free (docent_thread_pool_new (4));
  docent_thread_pool_free (NULL);

  /* While the workers still spin after a run. */
  pool = docent_thread_pool_new (3);
  check_fill (pool, out, 64, 1, 1);
  docent_thread_pool_free (pool);

  /* After they went to sleep. */
  pool = docent_thread_pool_new (3);
  check_fill (pool, out, 64, 1, 2);
  g_usleep (5000);
  docent_thread_pool_free (pool);
}

/* Measurements (-m perf). */

static gint64
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

static void
empty_func (gpointer data,
            guint    first,
            guint    last,
            guint    worker)
{
}

/* About `units` tens of nanoseconds of arithmetic per item. */
typedef struct {
  guint units;
  gboolean uneven;
  volatile double sink;
} Work;

static void
work_func (gpointer data,
           guint    first,
           guint    last,
           guint    worker)
{
  Work *w = data;
  double x = 1.0;

  for (guint i = first; i < last; i++)
    {
      guint units = w->uneven ? w->units * i / 128 : w->units;

      for (guint k = 0; k < units * 16; k++)
        x = x * 1.0000001 + 1e-9;
    }
  if (x == 0.0)
    w->sink = x;
}

/* The baseline: a GThreadPool (workers wait on its queue's mutex and
 * condition variable) and a mutex and condition variable for completion. */
typedef struct {
  GThreadPool *threads;
  GMutex lock;
  GCond cond;
  guint n_threads;
  guint pending;
  guint n_items;
  DocentPoolFunc func;
  gpointer data;
} Naive;

static void
naive_share (Naive   *naive,
             guint    worker)
{
  guint first = (guint) ((guint64) naive->n_items * worker / naive->n_threads);
  guint last = (guint) ((guint64) naive->n_items * (worker + 1) / naive->n_threads);

  if (first < last)
    naive->func (naive->data, first, last, worker);
}

static void
naive_task (gpointer task,
            gpointer user_data)
{
  Naive *naive = user_data;

  naive_share (naive, GPOINTER_TO_UINT (task));
  g_mutex_lock (&naive->lock);
  if (--naive->pending == 0)
    g_cond_signal (&naive->cond);
  g_mutex_unlock (&naive->lock);
}

static void
naive_run (Naive          *naive,
           guint           n_items,
           DocentPoolFunc  func,
           gpointer        data)
{
  naive->n_items = n_items;
  naive->func = func;
  naive->data = data;
  naive->pending = naive->n_threads - 1;
  for (guint i = 1; i < naive->n_threads; i++)
    g_thread_pool_push (naive->threads, GUINT_TO_POINTER (i), NULL);
  naive_share (naive, 0);
  g_mutex_lock (&naive->lock);
  while (naive->pending > 0)
    g_cond_wait (&naive->cond, &naive->lock);
  g_mutex_unlock (&naive->lock);
}

static Naive *
naive_new (guint n_threads)
{
  Naive *naive = g_new0 (Naive, 1);

  naive->n_threads = n_threads;
  g_mutex_init (&naive->lock);
  g_cond_init (&naive->cond);
  naive->threads = g_thread_pool_new (naive_task, naive,
                                      MAX (n_threads, 2) - 1, TRUE, NULL);
  return naive;
}

static void
naive_free (Naive *naive)
{
  g_thread_pool_free (naive->threads, FALSE, TRUE);
  g_mutex_clear (&naive->lock);
  g_cond_clear (&naive->cond);
  g_free (naive);
}

typedef void (*RunFunc) (gpointer       runner,
                         guint          n_items,
                         DocentPoolFunc func,
                         gpointer       data);

static void
pool_runner (gpointer       runner,
             guint          n_items,
             DocentPoolFunc func,
             gpointer       data)
{
  docent_thread_pool_run (runner, n_items, 1, func, data);
}

static void
naive_runner (gpointer       runner,
              guint          n_items,
              DocentPoolFunc func,
              gpointer       data)
{
  naive_run (runner, n_items, func, data);
}

/* Microseconds per run, back to back; the best of a few rounds, since
 * other processes share the machine. */
static double
time_back_to_back (RunFunc        run,
                   gpointer       runner,
                   guint          n_items,
                   DocentPoolFunc func,
                   gpointer       data,
                   guint          n_runs)
{
  double best = G_MAXDOUBLE;

  for (guint round = 0; round < 3; round++)
    {
      gint64 start = now_ns ();

      for (guint i = 0; i < n_runs; i++)
        run (runner, n_items, func, data);
      best = MIN (best, (now_ns () - start) / 1e3 / n_runs);
    }
  return best;
}

/* Median microseconds of one run 2 ms after the previous one, when the
 * workers sleep. */
static double
time_after_idle (RunFunc        run,
                 gpointer       runner,
                 guint          n_items,
                 DocentPoolFunc func,
                 gpointer       data)
{
  double times[51];

  for (guint i = 0; i < G_N_ELEMENTS (times); i++)
    {
      gint64 start;

      g_usleep (2000);
      start = now_ns ();
      run (runner, n_items, func, data);
      times[i] = (now_ns () - start) / 1e3;
    }
  for (guint i = 1; i < G_N_ELEMENTS (times); i++)
    for (guint j = i; j > 0 && times[j - 1] > times[j]; j--)
      {
        double t = times[j];

        times[j] = times[j - 1];
        times[j - 1] = t;
      }
  return times[G_N_ELEMENTS (times) / 2];
}

/* An empty loop of one item per thread: the caller usually runs it all
 * before a worker gets there, so this is the cost of announcing a loop
 * (and, after idle, of the wake-up system call). */
static void
measure_overhead (guint n_threads)
{
  g_autoptr(DocentThreadPool) pool = docent_thread_pool_new (n_threads);
  Naive *naive;

  g_test_message ("%u thread(s), empty run: pool %.2f us back to back, "
                  "%.2f us after idle",
                  n_threads,
                  time_back_to_back (pool_runner, pool, n_threads, empty_func, NULL, 100000),
                  time_after_idle (pool_runner, pool, n_threads, empty_func, NULL));
  if (n_threads == 1)
    return;
  naive = naive_new (n_threads);
  g_test_message ("%u threads, empty run: GThreadPool %.2f us back to back, "
                  "%.2f us after idle",
                  n_threads,
                  time_back_to_back (naive_runner, naive, n_threads, empty_func, NULL, 10000),
                  time_after_idle (naive_runner, naive, n_threads, empty_func, NULL));
  naive_free (naive);
}

/* Loops of a size met in decoding: 256 items of ~100 ns (about 25 us of
 * work), even and uneven (cost growing with the index); and one item of
 * ~2 us per thread, where every thread has to take part, so the time
 * beyond serial / n_threads is the cost of a real round trip. */
static void
measure_loops (guint n_threads)
{
  g_autoptr(DocentThreadPool) pool = docent_thread_pool_new (n_threads);
  g_autoptr(DocentThreadPool) serial = docent_thread_pool_new (1);
  Naive *naive = naive_new (n_threads);
  Work per_thread = { .units = 80 };

  g_test_message ("%u threads, %u-item loop of 2 us items: serial %.2f us, "
                  "pool %.2f us, GThreadPool %.2f us",
                  n_threads, n_threads,
                  time_back_to_back (pool_runner, serial, n_threads, work_func, &per_thread, 20000),
                  time_back_to_back (pool_runner, pool, n_threads, work_func, &per_thread, 20000),
                  time_back_to_back (naive_runner, naive, n_threads, work_func, &per_thread, 2000));

  for (guint uneven = 0; uneven < 2; uneven++)
    {
      Work work = { .units = 4, .uneven = uneven };

      g_test_message ("%u threads, %s 256-item loop: serial %.1f us, pool %.1f us, "
                      "GThreadPool %.1f us",
                      n_threads, uneven ? "uneven" : "even",
                      time_back_to_back (pool_runner, serial, 256, work_func, &work, 1000),
                      time_back_to_back (pool_runner, pool, 256, work_func, &work, 1000),
                      time_back_to_back (naive_runner, naive, 256, work_func, &work, 1000));
      g_test_message ("%u threads, %s 256-item loop after idle: serial %.1f us, "
                      "pool %.1f us, GThreadPool %.1f us",
                      n_threads, uneven ? "uneven" : "even",
                      time_after_idle (pool_runner, serial, 256, work_func, &work),
                      time_after_idle (pool_runner, pool, 256, work_func, &work),
                      time_after_idle (naive_runner, naive, 256, work_func, &work));
    }
  naive_free (naive);
}

static void
test_perf (void)
{
  if (!g_test_perf ())
    {
      g_test_skip ("measurements run with -m perf");
      return;
    }
  measure_overhead (1);
  measure_overhead (2);
  measure_loops (2);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/engine/threadpool/coverage", test_coverage);
  g_test_add_func ("/engine/threadpool/default-size", test_default_size);
  g_test_add_func ("/engine/threadpool/inline", test_inline);
  g_test_add_func ("/engine/threadpool/visible", test_visible);
  g_test_add_func ("/engine/threadpool/back-to-back", test_back_to_back);
  g_test_add_func ("/engine/threadpool/after-sleep", test_after_sleep);
  g_test_add_func ("/engine/threadpool/concurrent-callers", test_concurrent_callers);
  g_test_add_func ("/engine/threadpool/free-idle", test_free_idle);
  g_test_add_func ("/engine/threadpool/perf", test_perf);
  return g_test_run ();
}
