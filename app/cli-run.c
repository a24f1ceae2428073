/* cli-run.c — being written: `docent-cli engine run`. */
#include "app/cli.h"

int
docent_cli_engine_run (int    argc,
     char **argv)
{
  docent_cli_error ("engine run: not available yet");
  return DOCENT_EXIT_USAGE;
}
