/* kernels-avx2.c — being written. Compiled with -mavx2 -mfma -mf16c. */
#include <glib.h>
