/* test-engine-cpu.c — CPU detection is consistent with itself. */
#include <string.h>

#include "engine/cpu.h"

static void
test_detect (void)
{
  const DocentCpu *cpu = docent_cpu_get ();
  g_autofree char *text = docent_cpu_describe (cpu);

  g_assert_true (cpu == docent_cpu_get ());
  g_assert_cmpuint (cpu->logical_cores, >=, 1);
  g_assert_cmpuint (cpu->physical_cores, >=, 1);
  g_assert_cmpuint (cpu->physical_cores, <=, cpu->logical_cores);
  g_assert_cmpuint (cpu->logical_cores, ==, g_get_num_processors ());
  /* AVX-512 implies AVX2 on every CPU that has it. */
  if (cpu->avx512f)
    g_assert_true (cpu->avx2);
  g_assert_nonnull (strstr (text, "cores"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/engine/cpu/detect", test_detect);
  return g_test_run ();
}
