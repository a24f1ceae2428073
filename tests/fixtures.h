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
/* The whole file at path; asserts that it could be read. */
GBytes  *docent_test_read_bytes  (const char *path);
/* Deterministic English-looking prose of n_words words in sentences and
 * paragraphs ("\n\n"), the same for the same seed. */
char    *docent_test_prose       (guint32     seed,
                                  guint       n_words);

/* Prose with realistic word statistics (benchmarks): a vocabulary of
 * made-up words of two to four syllables, drawn with Zipf frequencies.
 * Everything (vocabulary, words, texts) is deterministic for a seed. */
typedef struct _DocentTestZipf DocentTestZipf;

DocentTestZipf *docent_test_zipf_new    (guint           vocabulary,
                                         guint32         seed);
void            docent_test_zipf_free   (DocentTestZipf *z);
/* The vocabulary size, and the word of frequency rank `rank` (0 = the most
 * frequent). */
guint           docent_test_zipf_size   (DocentTestZipf *z);
const char     *docent_test_zipf_rank   (DocentTestZipf *z,
                                         guint           rank);
/* The next number of the generator the words are drawn with (xorshift32):
 * for callers' own choices that should stay in the same stream. */
guint32         docent_test_zipf_random (DocentTestZipf *z);
/* One word drawn by frequency; the string belongs to z. */
const char     *docent_test_zipf_word   (DocentTestZipf *z);
/* n_words words drawn by frequency, in sentences of 12–21 words. */
char           *docent_test_zipf_text   (DocentTestZipf *z,
                                         guint           n_words);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DocentTestZipf, docent_test_zipf_free)

/* One run of the docent-cli binary: exit status, stdout and stderr. */
typedef struct {
  int   status;
  char *out;
  char *err;
} DocentTestRun;

void     docent_test_run_clear   (DocentTestRun *run);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (DocentTestRun, docent_test_run_clear)
/* Runs $DOCENT_CLI with args (NULL-terminated, without the program) and
 * fills run; asserts that the process started and exited normally. */
void     docent_test_run_cli     (DocentTestRun      *run,
                                  const char * const *args);

G_END_DECLS
