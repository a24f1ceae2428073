/* text.c — placeholder, being written. */
#include "ingest/text.h"

DocentExtracted *
docent_extract_text (const char *data, gsize len, const DocentExtractOptions *opts, GError **error)
{
  g_set_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_UNSUPPORTED, "not written yet");
  return NULL;
}
