/* library-asserts.h — adding a file to a library in a test, asserting it
 * was added. Header-only (static inline) so that fixtures.c does not need
 * the library core; include it only from tests that link it. */
#pragma once

#include "app/library.h"

G_BEGIN_DECLS

/* Adds `path` (one worker) and returns its new document id. */
static inline gint64
docent_test_add_one (DocentLibrary *library,
                     const char    *path)
{
  const char *paths[] = { path, NULL };
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;
  DocentAddOptions opts = { .n_threads = 1 };
  const DocentAddResult *r;

  g_assert_true (docent_library_add (library, paths, &opts, &results, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 1);
  r = results->pdata[0];
  g_assert_cmpint (r->outcome, ==, DOCENT_ADD_ADDED);
  return r->document_id;
}

G_END_DECLS
