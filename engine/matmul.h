/* matmul.h — weight matrix times activations: one vector (decoding a
 * token) or a batch of rows (processing a prompt), split over a thread
 * pool, with the dot kernels of engine/dot.h. */
#pragma once

#include <glib.h>

#include "engine/threadpool.h"

G_BEGIN_DECLS

/* A weight matrix as stored in a GGUF file: `rows` rows of `cols`
 * elements of `type`, row r at data + r * row_stride. Rows keep the
 * alignment of their fields (4 bytes for F32, 2 for the others), as
 * GGUF tensor data does. */
typedef struct {
  guint32 type;
  guint rows;
  guint cols;
  gsize row_stride;
  const void *data;
} DocentMatrix;

/* Memory reused between calls (the quantized activations), so the hot
 * path does not allocate. One per caller: not for concurrent calls. */
typedef struct _DocentMatmulScratch DocentMatmulScratch;

DocentMatmulScratch *docent_matmul_scratch_new  (void);
void                 docent_matmul_scratch_free (DocentMatmulScratch *scratch);

/* y[rows] = W x, x of `cols` floats. `pool` NULL runs on the calling
 * thread. Fails (and leaves y alone) for a type without a dot kernel, a
 * row that is not a whole number of blocks, or a stride shorter than a
 * row. */
gboolean docent_matvec (DocentThreadPool    *pool,
                        DocentMatmulScratch *scratch,
                        const DocentMatrix  *w,
                        const float         *x,
                        float               *y,
                        GError             **error);

/* Y = X W^T for `n` activation rows: X is n x cols, Y is n x rows, both
 * row-major and contiguous. Each weight row is read once per tile of
 * activation rows and unpacked once per few of them. */
gboolean docent_matmul (DocentThreadPool    *pool,
                        DocentMatmulScratch *scratch,
                        const DocentMatrix  *w,
                        const float         *x,
                        guint                n,
                        float               *y,
                        GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DocentMatmulScratch, docent_matmul_scratch_free)

G_END_DECLS
