/* docx.c — placeholder, being written. */
#include "ingest/docx.h"

DocentExtracted *
docent_extract_docx (DocentZip *zip, const DocentExtractOptions *opts, GError **error)
{
  g_set_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_UNSUPPORTED, "not written yet");
  return NULL;
}
