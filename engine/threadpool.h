/* threadpool.h — a fixed set of worker threads that run one parallel loop
 * at a time with little overhead per call (decoding a token runs hundreds
 * of loops): workers spin briefly, then sleep, between loops. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _DocentThreadPool DocentThreadPool;

/* Runs items [first, last) on worker `worker` (0 = the calling thread). */
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
 * the last) over the threads, runs them and returns when all are done. A
 * pool runs one loop at a time: calls from several threads are serialised. */
void              docent_thread_pool_run     (DocentThreadPool  *pool,
                                              guint              n_items,
                                              guint              grain,
                                              DocentPoolFunc     func,
                                              gpointer           data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DocentThreadPool, docent_thread_pool_free)

G_END_DECLS
