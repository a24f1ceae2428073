/* zipgen.h — zip containers for the tests (DOCX, ODT, EPUB and hostile
 * zips), written with libarchive. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  const char *name;
  const char *data;
  gssize len;          /* -1 for strlen (data) */
  gboolean stored;     /* no compression (ODF/EPUB "mimetype") */
} DocentTestZipEntry;

gboolean docent_test_write_zip (const char               *path,
                                const DocentTestZipEntry *entries,
                                guint                     n_entries,
                                GError                  **error);

/* A block of a structured test document: a heading of `level` (1-6), or a
 * paragraph when level is 0. */
typedef struct {
  guint level;
  const char *text;
} DocentTestBlock;

gboolean docent_test_write_docx (const char            *path,
                                 const char            *title,
                                 const DocentTestBlock *blocks,
                                 guint                  n_blocks,
                                 GError               **error);
gboolean docent_test_write_odt  (const char            *path,
                                 const char            *title,
                                 const DocentTestBlock *blocks,
                                 guint                  n_blocks,
                                 GError               **error);
/* Each chapter is an XHTML file of the spine, in order. */
gboolean docent_test_write_epub (const char            *path,
                                 const char            *title,
                                 const DocentTestBlock *const *chapters,
                                 const guint           *n_blocks,
                                 guint                  n_chapters,
                                 GError               **error);

G_END_DECLS
