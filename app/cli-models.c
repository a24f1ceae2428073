/* cli-models.c — being written: `docent-cli models`. */
#include "app/cli.h"

int
docent_cli_models (const char  *library_dir,
                   int          argc,
                   char       **argv)
{
  docent_cli_error ("models: not available yet");
  return DOCENT_EXIT_USAGE;
}
