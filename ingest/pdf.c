/* pdf.c — placeholder, being written. */
#include "ingest/pdf.h"

DocentExtracted *
docent_extract_pdf (GBytes *data, const DocentExtractOptions *opts, GError **error)
{
  g_set_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_UNSUPPORTED, "not written yet");
  return NULL;
}
