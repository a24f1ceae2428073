/* odt.c — placeholder, being written. */
#include "ingest/odt.h"

DocentExtracted *
docent_extract_odt (DocentZip *zip, const DocentExtractOptions *opts, GError **error)
{
  g_set_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_UNSUPPORTED, "not written yet");
  return NULL;
}
