/* store-checks.h — what must hold in a library database whatever happened
 * to the process writing it (killed, racing another one): SQLite's own
 * integrity, FTS5's index against its content table, and no rows left
 * without their document; and starting the CLI on a library. Shared by
 * test-crash and test-concurrency. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  gint64 documents;      /* all records, indexed or failed */
  gint64 indexed;
  gint64 failed;
  gint64 chunks;
  gint64 embeddings;
} DocentTestCounts;

/* Opens `db_path` with its own SQLite connection (recovering a WAL a
 * killed writer left) and asserts: integrity_check "ok", no foreign key
 * violations, FTS5 integrity-check passes and it holds one row per chunk,
 * no pages, chunks, embeddings or collection links without their
 * document or chunk, every indexed document has chunks and its page
 * count of pages. Fills `counts` when not NULL. */
void docent_test_check_store (const char       *db_path,
                              DocentTestCounts *counts);

/* Starts $DOCENT_CLI --library `library` ARGS… without reaping it, its
 * stdout and stderr written to `log_path`. */
GPid docent_test_spawn_cli    (const char        *library,
                               const char *const *args,
                               const char        *log_path);

G_END_DECLS
