/* kernels-avx512.c — being written. Compiled with AVX-512 flags. */
#include <glib.h>
