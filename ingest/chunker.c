/* chunker.c — placeholder, being written. */
#include "ingest/chunker.h"

void
docent_chunker_options_init (DocentChunkerOptions *opts)
{
  *opts = (DocentChunkerOptions) { 200, 300, 400, 40 };
}

guint
docent_estimate_tokens (const char *text, gssize len)
{
  return 0;
}

GPtrArray *
docent_chunk_document (const DocentExtracted *doc, const DocentChunkerOptions *opts)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) docent_chunk_free);
}

void
docent_chunk_free (DocentChunk *chunk)
{
  g_free (chunk->heading);
  g_free (chunk->text);
  g_free (chunk);
}
