/* markdown.c — placeholder, being written. */
#include "ingest/markdown.h"

gboolean
docent_text_looks_like_markdown (const char *text, gsize len)
{
  return FALSE;
}

DocentExtracted *
docent_extract_markdown (const char *data, gsize len, const DocentExtractOptions *opts, GError **error)
{
  g_set_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_UNSUPPORTED, "not written yet");
  return NULL;
}
