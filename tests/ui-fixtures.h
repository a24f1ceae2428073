/* ui-fixtures.h — what the UI tests share: running the main loop until
 * something holds, finding a widget, rendering one as the window's
 * renderer draws it, and saving screenshots as build artifacts. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef gboolean (*DocentTestCondition) (gpointer data);

/* Runs the main loop until cond (data) holds, then lets layout and
 * drawing catch up; fails the test after `seconds`, naming `what`. */
void        docent_test_ui_wait       (DocentTestCondition  cond,
                                       gpointer             data,
                                       guint                seconds,
                                       const char          *what);
/* Lets layout, transitions and drawing catch up (~300 ms). */
void        docent_test_ui_settle     (void);
/* The first widget of `type` in the tree below `root` (depth first). */
GtkWidget  *docent_test_ui_find       (GtkWidget           *root,
                                       GType                type);
/* What `widget` looks like, drawn by its window's renderer. */
GdkTexture *docent_test_ui_render     (GtkWidget           *widget);
/* Saves `widget` as G_TEST_BUILDDIR/name (or ./name) and says where. */
void        docent_test_ui_screenshot (GtkWidget           *widget,
                                       const char          *name);

G_END_DECLS
