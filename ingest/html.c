/* html.c — placeholder, being written. */
#include "ingest/html.h"

DocentExtracted *
docent_extract_html (const char *data, gsize len, const DocentExtractOptions *opts, GError **error)
{
  g_set_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_UNSUPPORTED, "not written yet");
  return NULL;
}

gboolean
docent_html_append_tree (DocentExtracted *doc, xmlNode *root, gboolean new_page, const DocentExtractOptions *opts, GError **error)
{
  g_set_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_UNSUPPORTED, "not written yet");
  return FALSE;
}
