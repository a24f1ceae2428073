/* chunker.h — splitting an extracted document into passages for search.
 *
 * Chunks hold about 200–400 tokens (estimated: words plus punctuation),
 * break on paragraph, then sentence, then line, then word boundaries,
 * overlap their predecessor by a sentence or two, and carry the nearest
 * heading. Spans are in characters (code points) of the page text. */
#pragma once

#include "ingest/document.h"

G_BEGIN_DECLS

typedef struct {
  guint min_tokens;      /* a chunk is flushed at a block boundary past this */
  guint target_tokens;   /* preferred size */
  guint max_tokens;      /* never exceeded, except by a single huge word */
  guint overlap_tokens;  /* carried from the end of the previous chunk */
} DocentChunkerOptions;

typedef struct {
  guint ordinal;         /* 0-based position in the document */
  guint page_start;      /* 1-based */
  guint page_end;
  guint char_start;      /* in page_start's text */
  guint char_end;        /* exclusive, in page_end's text */
  guint tokens;
  char *heading;         /* nearest heading at or before the start, or NULL */
  char *text;            /* the covered text; pages joined by "\n\n" */
} DocentChunk;

void       docent_chunker_options_init (DocentChunkerOptions  *opts);
/* Counts tokens the way the chunker does. */
guint      docent_estimate_tokens      (const char            *text,
                                        gssize                 len);
/* Returns a GPtrArray of DocentChunk* (free with g_ptr_array_unref). */
GPtrArray *docent_chunk_document       (const DocentExtracted      *doc,
                                        const DocentChunkerOptions *opts);
void       docent_chunk_free           (DocentChunk           *chunk);

G_END_DECLS
