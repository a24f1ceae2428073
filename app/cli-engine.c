/* cli-engine.c — being written: `docent-cli engine`. */
#include "app/cli.h"

int
docent_cli_engine (const char  *library_dir,
                   int          argc,
                   char       **argv)
{
  docent_cli_error ("engine: not available yet");
  return DOCENT_EXIT_USAGE;
}
