/* fixtures.h — small helpers the tests share: scratch folders, files and
 * deterministic prose. Format generators live in pdfgen.h and zipgen.h. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A fresh folder under $TMPDIR; docent_test_rm_rf removes it. */
char    *docent_test_tmpdir      (void);
void     docent_test_rm_rf       (const char *path);
/* Writes dir/name (creating parent folders) and returns the full path. */
char    *docent_test_write_file  (const char *dir,
                                  const char *name,
                                  const void *data,
                                  gssize      len);
/* Deterministic English-looking prose of n_words words in sentences and
 * paragraphs ("\n\n"), the same for the same seed. */
char    *docent_test_prose       (guint32     seed,
                                  guint       n_words);

G_END_DECLS
