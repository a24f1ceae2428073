/* fuzz-checks.h — what the ingest harnesses (fuzz-html, fuzz-office,
 * fuzz-chunker) check about every result, whatever the input: the text
 * conventions of ingest/document.h, and that a failure is a readable
 * DOCENT_INGEST_ERROR. A broken invariant calls abort (), which libFuzzer
 * and the replay test report as a crash. Header-only: each harness is one
 * program. */
#pragma once

#include <stdlib.h>
#include <string.h>

#include "ingest/extract.h"

/* Invariants hold even for hostile input. */
#define CHECK(cond) do { if (!(cond)) abort (); } while (0)

/* Page text is valid UTF-8 without NUL or C0 controls other than '\n'. */
static inline void
fuzz_check_text (const GString *text)
{
  CHECK (text != NULL);
  CHECK (g_utf8_validate_len (text->str, text->len, NULL));
  for (gsize i = 0; i < text->len; i++)
    CHECK ((guint8) text->str[i] >= 0x20 || text->str[i] == '\n');
}

/* Headings lie inside the text, in order, start on character boundaries
 * and have a level of 1 to 6. */
static inline void
fuzz_check_headings (const DocentPage *page)
{
  gsize previous = 0;

  CHECK (page->headings != NULL);
  for (guint i = 0; i < page->headings->len; i++)
    {
      const DocentHeading *h = &g_array_index (page->headings, DocentHeading, i);

      CHECK (h->start <= h->end && h->end <= page->text->len);
      CHECK (h->start >= previous);
      CHECK (h->level >= 1 && h->level <= 6);
      CHECK (g_utf8_validate_len (page->text->str + h->start, h->end - h->start, NULL));
      previous = h->start;
    }
}

static inline void
fuzz_check_extracted (const DocentExtracted *doc)
{
  CHECK (doc != NULL && doc->type != NULL && doc->pages != NULL);
  CHECK (doc->title == NULL || g_utf8_validate (doc->title, -1, NULL));
  for (guint i = 0; i < doc->pages->len; i++)
    {
      const DocentPage *page = doc->pages->pdata[i];

      CHECK (page->page_no == i + 1);
      fuzz_check_text (page->text);
      fuzz_check_headings (page);
    }
  (void) docent_extracted_text_length (doc);
}

/* A refusal names its reason in the ingest domain (or is a cancellation). */
static inline void
fuzz_check_failure (GError *error)
{
  CHECK (error != NULL && error->message != NULL && error->message[0] != '\0');
  if (error->domain != DOCENT_INGEST_ERROR || !g_utf8_validate (error->message, -1, NULL))
    {
      g_printerr ("bad failure: %s %d: %s\n", g_quark_to_string (error->domain),
                  error->code, error->message);
      abort ();
    }
}
