/* application.h — DocentApplication: the GTK application object, owner of
 * the open library and the app-wide actions. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define DOCENT_TYPE_APPLICATION (docent_application_get_type ())
G_DECLARE_FINAL_TYPE (DocentApplication, docent_application, DOCENT, APPLICATION, AdwApplication)

DocentApplication *docent_application_new (void);

G_END_DECLS
