/* fuzz-chunker.c — libFuzzer entry point for the chunker. The input is a
 * document written as a byte stream: four bytes of chunker options, then
 * text with control bytes 0x01 (new page), 0x02 L (a heading of level L,
 * up to the next control byte), 0x03 (end of block) and 0x04 (line break).
 * The document is built with the page builders of ingest/document.h, as
 * every extractor but PDF builds its pages, so it keeps their conventions.
 * Checks on every chunk: ordinals in order, pages and character spans
 * inside the document, text that is exactly the span it claims (for one
 * page), valid UTF-8 text and heading. Built as a libFuzzer binary under
 * clang (-Dfuzzing=true) and, with replay.c, as a test over
 * tests/fuzz/corpus/chunker. */
#include <stdint.h>

#include "ingest/chunker.h"
#include "tests/fuzz/fuzz-checks.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

enum { OP_PAGE = 1, OP_HEADING, OP_BLOCK, OP_LINE, OP_LAST = OP_LINE };

/* Sane options (min <= target <= max, overlap below target), small enough
 * that short inputs make many chunks; byte 0 of 0 keeps the defaults. */
static void
read_options (const uint8_t        *data,
              DocentChunkerOptions *opts)
{
  docent_chunker_options_init (opts);
  if (data[0] == 0)
    return;
  opts->min_tokens = data[0] % 64;
  opts->target_tokens = opts->min_tokens + data[1] % 64 + 1;
  opts->max_tokens = opts->target_tokens + data[2] % 64;
  opts->overlap_tokens = data[3] % opts->target_tokens;
}

static gsize
text_run (const uint8_t *data,
          gsize          size,
          gsize          at)
{
  gsize end = at;

  while (end < size && (data[end] < OP_PAGE || data[end] > OP_LAST))
    end++;
  return end;
}

static DocentExtracted *
build_document (const uint8_t *data,
                gsize          size)
{
  DocentExtracted *doc = docent_extracted_new ("text");
  DocentPage *page = docent_extracted_add_page (doc);
  gsize at = 0;

  while (at < size)
    {
      gsize end;

      switch (data[at])
        {
        case OP_PAGE:
          docent_page_finish (page);
          page = docent_extracted_add_page (doc);
          at++;
          break;
        case OP_HEADING:
          end = text_run (data, size, MIN (at + 2, size));
          if (at + 2 <= size)
            docent_page_add_heading (page, (const char *) data + at + 2,
                                     end - (at + 2), data[at + 1] % 8);
          at = end;
          break;
        case OP_BLOCK:
          docent_page_end_block (page);
          at++;
          break;
        case OP_LINE:
          docent_page_line_break (page);
          at++;
          break;
        default:
          end = text_run (data, size, at);
          docent_page_append_text (page, (const char *) data + at, end - at);
          at = end;
          break;
        }
    }
  docent_page_finish (page);
  return doc;
}

static guint
page_chars (const DocentExtracted *doc,
            guint                  page_no)
{
  const DocentPage *page = doc->pages->pdata[page_no - 1];

  return (guint) g_utf8_strlen (page->text->str, page->text->len);
}

static void
check_chunk (const DocentExtracted *doc,
             const DocentChunk     *chunk,
             guint                  ordinal)
{
  CHECK (chunk->ordinal == ordinal);
  CHECK (chunk->page_start >= 1 && chunk->page_start <= chunk->page_end);
  CHECK (chunk->page_end <= doc->pages->len);
  CHECK (chunk->char_start <= page_chars (doc, chunk->page_start));
  CHECK (chunk->char_end <= page_chars (doc, chunk->page_end));
  CHECK (chunk->text != NULL && g_utf8_validate (chunk->text, -1, NULL));
  CHECK (chunk->text[0] != '\0' && chunk->tokens > 0);
  CHECK (chunk->heading == NULL || g_utf8_validate (chunk->heading, -1, NULL));
  if (chunk->page_start == chunk->page_end)
    {
      const GString *text = ((DocentPage *) doc->pages->pdata[chunk->page_start - 1])->text;
      char *span;

      CHECK (chunk->char_start < chunk->char_end);
      span = g_utf8_substring (text->str, chunk->char_start, chunk->char_end);
      CHECK (strcmp (span, chunk->text) == 0);
      g_free (span);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  DocentChunkerOptions opts;
  DocentExtracted *doc;
  GPtrArray *chunks;
  guint previous_page = 1;

  if (size < 4)
    return 0;
  read_options (data, &opts);
  doc = build_document (data + 4, size - 4);
  fuzz_check_extracted (doc);
  chunks = docent_chunk_document (doc, &opts);
  CHECK (chunks != NULL);
  if (!docent_extracted_is_empty (doc))
    CHECK (chunks->len > 0);
  for (guint i = 0; i < chunks->len; i++)
    {
      const DocentChunk *chunk = chunks->pdata[i];

      check_chunk (doc, chunk, i);
      CHECK (chunk->page_start >= previous_page);
      previous_page = chunk->page_start;
    }
  g_ptr_array_unref (chunks);
  docent_extracted_free (doc);
  return 0;
}
