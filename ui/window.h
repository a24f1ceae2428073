/* window.h — DocentWindow: the main window. */
#pragma once

#include <adwaita.h>

#include "app/library.h"

G_BEGIN_DECLS

#define DOCENT_TYPE_WINDOW (docent_window_get_type ())
G_DECLARE_FINAL_TYPE (DocentWindow, docent_window, DOCENT, WINDOW, AdwApplicationWindow)

/* `library` may be NULL when it could not be opened; it is borrowed and
 * must outlive the window. */
DocentWindow *docent_window_new          (GtkApplication *app,
                                          DocentLibrary  *library);
/* The headline the window shows, for tests. */
const char   *docent_window_get_headline (DocentWindow   *self);

G_END_DECLS
