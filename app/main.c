/* main.c — docent, the desktop app. */
#include "ingest/extract.h"
#include "ui/application.h"

int
main (int    argc,
      char **argv)
{
  DocentApplication *app = docent_application_new ();
  int status = g_application_run (G_APPLICATION (app), argc, argv);

  g_object_unref (app);
  return docent_extract_exit_status (status);
}
