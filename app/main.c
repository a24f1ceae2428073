/* main.c — docent, the desktop app. */
#include "ui/application.h"

int
main (int    argc,
      char **argv)
{
  g_autoptr(DocentApplication) app = docent_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}
