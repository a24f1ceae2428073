/* threadpool.h — a fixed set of worker threads that run one parallel loop
 * at a time with little overhead per call (decoding a token runs hundreds
 * of loops): workers spin briefly, then sleep, between loops. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _DocentThreadPool DocentThreadPool;

/* Runs items [first, last) on worker `worker` (0 = the calling thread,
 * always < docent_thread_pool_size ()). One run may call it several times
 * on the same worker with different ranges, in no particular order: add to
 * per-worker partial results rather than overwrite them. */
typedef void (*DocentPoolFunc) (gpointer data,
                                guint    first,
                                guint    last,
                                guint    worker);

/* n_threads = 0: one per physical core (docent_cpu_get). The calling thread
 * is one of them, so n_threads - 1 threads are started. */
DocentThreadPool *docent_thread_pool_new     (guint              n_threads);
void              docent_thread_pool_free    (DocentThreadPool  *pool);
guint             docent_thread_pool_size    (DocentThreadPool  *pool);
/* Splits [0, n_items) into contiguous ranges (multiples of `grain` except
 * the last; grain 0 counts as 1) over the threads, runs them and returns
 * when all are done; everything `func` wrote is then visible to the caller.
 * n_items = 0 returns at once; fewer grains than threads use fewer threads.
 * A pool runs one loop at a time: calls from several threads are
 * serialised with a mutex, so `func` must not run a loop on the same pool. */
void              docent_thread_pool_run     (DocentThreadPool  *pool,
                                              guint              n_items,
                                              guint              grain,
                                              DocentPoolFunc     func,
                                              gpointer           data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DocentThreadPool, docent_thread_pool_free)

G_END_DECLS
