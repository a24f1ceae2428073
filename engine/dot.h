/* dot.h — dot products of one weight row (in its GGUF type) with
 * activations, per weight type and per instruction set. Quantized weights
 * meet activations quantized to 8 bits (Q8_0, Q8_1 or Q8_K) so the inner
 * loops are integer; float weights meet float (or bf16) activations.
 *
 * The kernel set is chosen once, at the first call, from what the CPU can
 * do (engine/cpu.h): AVX-512 (with VNNI), else AVX2 + FMA + F16C, else
 * scalar. DOCENT_KERNELS=scalar|avx2|avx512 forces one (for tests and
 * benchmarks); a forced set the CPU lacks falls back to the best it has. */
#pragma once

#include <glib.h>

#include "engine/tensor.h"

G_BEGIN_DECLS

typedef enum {
  DOCENT_KERNEL_PATH_SCALAR,
  DOCENT_KERNEL_PATH_AVX2,
  DOCENT_KERNEL_PATH_AVX512,
  DOCENT_KERNEL_PATH_COUNT,
} DocentKernelPath;

/* Most activation rows a vec_dot_rows call takes. */
#define DOCENT_DOT_MAX_ROWS 4

/* The dot of `n` elements (a whole number of blocks) of weight row `w`
 * with activation row `a`, already in the kernel's act_type. */
typedef float (*DocentVecDotFunc)     (gsize        n,
                                       const void  *w,
                                       const void  *a);
/* The same for `m` (1 … DOCENT_DOT_MAX_ROWS) activation rows `a_stride`
 * bytes apart, into out[0 … m-1]: unpacks each weight block once. */
typedef void  (*DocentVecDotRowsFunc) (gsize        n,
                                       const void  *w,
                                       const void  *a,
                                       gsize        a_stride,
                                       guint        m,
                                       float       *out);
/* A 4 x 4 tile: weight rows w + i * w_stride (i < 4) against activation
 * rows a + j * a_stride (j < 4), into out[j * out_stride + i]. Keeps
 * sixteen sums in registers so each load feeds four products. */
typedef void  (*DocentVecDotTileFunc) (gsize        n,
                                       const void  *w,
                                       gsize        w_stride,
                                       const void  *a,
                                       gsize        a_stride,
                                       float       *out,
                                       gsize        out_stride);
/* `n` floats to a row of act_type. */
typedef void  (*DocentFromFloatFunc)  (const float *x,
                                       void        *y,
                                       gsize        n);

typedef struct {
  DocentVecDotFunc vec_dot;
  DocentVecDotRowsFunc vec_dot_rows;    /* NULL: call vec_dot per row */
  /* Four rows of a batch that docent_matmul takes in whole groups of
   * four (the rest of a batch, and docent_matvec, go through vec_dot /
   * vec_dot_rows). The reference engine sums such rows of some types
   * (Q4_K) in another order than single rows; matching it keeps the
   * activations quantized from these sums identical. NULL: vec_dot_rows. */
  DocentVecDotRowsFunc vec_dot_rows4;
  DocentVecDotTileFunc vec_dot_tile;    /* NULL: use vec_dot_rows */
  guint32 act_type;                     /* a DocentTensorType */
  DocentFromFloatFunc from_float;       /* never NULL (F32 copies) */
} DocentDotKernel;

/* The kernel for weights of `type` in the selected set; NULL for types
 * without one. */
const DocentDotKernel *docent_dot_kernel             (guint32           type);
/* The same in a given set; NULL when this CPU cannot run that set. */
const DocentDotKernel *docent_dot_kernel_for_path    (DocentKernelPath  path,
                                                      guint32           type);
DocentKernelPath       docent_kernel_path            (void);
gboolean               docent_kernel_path_available  (DocentKernelPath  path);
/* "scalar", "avx2", "avx512". */
const char            *docent_kernel_path_name       (DocentKernelPath  path);

/* Engine-internal: kernels-avx2.c and kernels-avx512.c replace the
 * entries they implement in a table indexed by type. Compiled for their
 * instruction set, so call them only when the CPU has it. */
void docent_kernels_avx2_install   (DocentDotKernel *table);
void docent_kernels_avx512_install (DocentDotKernel *table,
                                    gboolean         has_bf16);

G_END_DECLS
