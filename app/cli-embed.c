/* cli-embed.c — being written: `docent-cli engine embed`. */
#include "app/cli.h"

int
docent_cli_engine_embed (int    argc,
     char **argv)
{
  docent_cli_error ("engine embed: not available yet");
  return DOCENT_EXIT_USAGE;
}
