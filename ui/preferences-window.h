/* preferences-window.h — DocentPreferencesWindow: models (add, choose,
 * remove), answer settings, a remote server, the library location and the
 * watched folders.
 * Reads and writes the library's settings off the main thread and tells
 * the service when they changed. */
#pragma once

#include <adwaita.h>

#include "ui/library-service.h"

G_BEGIN_DECLS

#define DOCENT_TYPE_PREFERENCES_WINDOW (docent_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (DocentPreferencesWindow, docent_preferences_window, DOCENT, PREFERENCES_WINDOW, AdwPreferencesWindow)

DocentPreferencesWindow *docent_preferences_window_new (GtkWindow            *parent,
                                                       DocentLibraryService *service);

G_END_DECLS
