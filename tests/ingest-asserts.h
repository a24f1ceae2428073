/* ingest-asserts.h — assertions on extracted documents that several ingest
 * tests share. Header-only (static inline) so that fixtures.c does not need
 * the ingest library; include it only from tests that link ingest. */
#pragma once

#include <glib.h>
#include <string.h>

#include "ingest/document.h"

G_BEGIN_DECLS

/* Heading index of page has this level, starts at byte start and spans
 * exactly text. */
static inline void
docent_test_assert_heading (const DocentPage *page,
                            guint             index,
                            guint             level,
                            gsize             start,
                            const char       *text)
{
  const DocentHeading *h;

  g_assert_cmpuint (index, <, page->headings->len);
  h = &g_array_index (page->headings, DocentHeading, index);
  g_assert_cmpuint (h->level, ==, level);
  g_assert_cmpuint (h->start, ==, start);
  g_assert_cmpuint (h->end, ==, start + strlen (text));
  g_assert_cmpint (strncmp (page->text->str + h->start, text, strlen (text)), ==, 0);
}

G_END_DECLS
