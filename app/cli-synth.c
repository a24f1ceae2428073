/* cli-synth.c — being written: `docent-cli engine synth`. */
#include "app/cli.h"

int
docent_cli_engine_synth (int    argc,
     char **argv)
{
  docent_cli_error ("engine synth: not available yet");
  return DOCENT_EXIT_USAGE;
}
