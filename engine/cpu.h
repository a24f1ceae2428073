/* cpu.h — what the processor can do, detected once at run time, so the
 * kernels can pick their fastest path (scalar, AVX2+FMA, AVX-512). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  gboolean avx2;
  gboolean fma;
  gboolean f16c;
  gboolean avx512f;
  gboolean avx512bw;
  gboolean avx512vl;
  gboolean avx512vnni;
  gboolean avx512bf16;
  guint logical_cores;
  guint physical_cores;
} DocentCpu;

/* Detected on first call; the struct is read-only afterwards. */
const DocentCpu *docent_cpu_get      (void);
/* "avx2 fma f16c" etc, for logs and `docent-cli status`. */
char            *docent_cpu_describe (const DocentCpu *cpu);

G_END_DECLS
