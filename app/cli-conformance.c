/* cli-conformance.c — being written: `docent-cli engine conformance`. */
#include "app/cli.h"

int
docent_cli_engine_conformance (int    argc,
     char **argv)
{
  docent_cli_error ("engine conformance: not available yet");
  return DOCENT_EXIT_USAGE;
}
