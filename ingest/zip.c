/* zip.c — placeholder, being written. */
#include "ingest/zip.h"

DocentZip *
docent_zip_open (GBytes *data, guint64 max_unpacked_bytes, GError **error)
{
  g_set_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_UNSUPPORTED, "not written yet");
  return NULL;
}

void docent_zip_free (DocentZip *zip) {}
const GPtrArray *docent_zip_names (DocentZip *zip) { return NULL; }
gboolean docent_zip_has (DocentZip *zip, const char *name) { return FALSE; }

GBytes *
docent_zip_read (DocentZip *zip, const char *name, GError **error)
{
  g_set_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_UNSUPPORTED, "not written yet");
  return NULL;
}
