/* layout.c — placeholder, being written. */
#include "ingest/layout.h"

GBytes *
docent_layout_encode (const GArray *boxes, double width, double height)
{
  return NULL;
}

GArray *
docent_layout_rects (GBytes *layout, double width, double height, guint char_start, guint char_end, GError **error)
{
  g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOSYS, "not written yet");
  return NULL;
}
