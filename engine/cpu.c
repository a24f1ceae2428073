/* cpu.c — run-time CPU feature detection and core counts. */
#include "engine/cpu.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Physical cores from /proc/cpuinfo ("core id" per "physical id"); falls
 * back to the logical count where that file says nothing useful. */
static guint
count_physical_cores (guint logical)
{
  g_autofree char *contents = NULL;
  g_autoptr(GHashTable) cores = NULL;
  g_auto(GStrv) lines = NULL;
  const char *physical = "0";

  if (!g_file_get_contents ("/proc/cpuinfo", &contents, NULL, NULL))
    return logical;
  cores = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  lines = g_strsplit (contents, "\n", -1);
  for (char **l = lines; *l != NULL; l++)
    {
      const char *colon = strchr (*l, ':');

      if (colon == NULL)
        continue;
      if (g_str_has_prefix (*l, "physical id"))
        physical = colon + 1;
      else if (g_str_has_prefix (*l, "core id"))
        g_hash_table_add (cores, g_strdup_printf ("%s/%s", physical, colon + 1));
    }
  if (g_hash_table_size (cores) == 0)
    return logical;
  return MIN (g_hash_table_size (cores), logical);
}

static DocentCpu *
detect (void)
{
  DocentCpu *cpu = g_new0 (DocentCpu, 1);
  long n = sysconf (_SC_NPROCESSORS_ONLN);

#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init ();
  cpu->avx2 = __builtin_cpu_supports ("avx2");
  cpu->fma = __builtin_cpu_supports ("fma");
  cpu->avx512f = __builtin_cpu_supports ("avx512f");
  cpu->avx512bw = __builtin_cpu_supports ("avx512bw");
  cpu->avx512vl = __builtin_cpu_supports ("avx512vl");
  cpu->avx512vnni = __builtin_cpu_supports ("avx512vnni");
  cpu->avx512bf16 = __builtin_cpu_supports ("avx512bf16");
  {
    g_autofree char *info = NULL;

    /* GCC 12 has no __builtin_cpu_supports ("f16c"). */
    if (g_file_get_contents ("/proc/cpuinfo", &info, NULL, NULL))
      cpu->f16c = strstr (info, " f16c") != NULL;
  }
#endif
  cpu->logical_cores = n > 0 ? (guint) n : 1;
  cpu->physical_cores = count_physical_cores (cpu->logical_cores);
  return cpu;
}

const DocentCpu *
docent_cpu_get (void)
{
  static DocentCpu *cpu;

  if (g_once_init_enter (&cpu))
    g_once_init_leave (&cpu, detect ());
  return cpu;
}

char *
docent_cpu_describe (const DocentCpu *cpu)
{
  GString *s = g_string_new (NULL);

  g_string_append_printf (s, "%u cores (%u threads)", cpu->physical_cores, cpu->logical_cores);
  if (cpu->avx2) g_string_append (s, " avx2");
  if (cpu->fma) g_string_append (s, " fma");
  if (cpu->f16c) g_string_append (s, " f16c");
  if (cpu->avx512f) g_string_append (s, " avx512f");
  if (cpu->avx512bw) g_string_append (s, " avx512bw");
  if (cpu->avx512vl) g_string_append (s, " avx512vl");
  if (cpu->avx512vnni) g_string_append (s, " avx512vnni");
  if (cpu->avx512bf16) g_string_append (s, " avx512bf16");
  return g_string_free (s, FALSE);
}
