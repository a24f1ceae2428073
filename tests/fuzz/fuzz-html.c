/* fuzz-html.c — libFuzzer entry point for the HTML extractor: the input is
 * a page's bytes in any encoding, as docent_extract_html () gets them from
 * a file. Either it becomes a document that keeps the text conventions of
 * ingest/document.h, or it is refused with a DOCENT_INGEST_ERROR; anything
 * else (a crash, a sanitizer report, a leak, a failed check) is a bug.
 * Built as a libFuzzer binary under clang (-Dfuzzing=true) and, with
 * replay.c, as a normal test over tests/fuzz/corpus/html. */
#include <stdint.h>

#include "ingest/html.h"
#include "tests/fuzz/fuzz-checks.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  DocentExtractOptions opts;
  GError *error = NULL;
  DocentExtracted *doc;

  docent_extract_options_init (&opts);
  /* Small enough that the text limit is reachable by fuzzed inputs too. */
  opts.max_text_bytes = 256 * 1024;
  doc = docent_extract_html ((const char *) data, size, &opts, &error);
  if (doc == NULL)
    {
      fuzz_check_failure (error);
      g_error_free (error);
      return 0;
    }
  CHECK (error == NULL);
  CHECK (g_strcmp0 (doc->type, "html") == 0);
  fuzz_check_extracted (doc);
  docent_extracted_free (doc);
  return 0;
}
