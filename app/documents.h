/* documents.h — changes to stored documents that take more than one store
 * call: reading documents again, moving them between collections, and
 * keeping a watched folder's documents in step with the folder. */
#pragma once

#include "app/library.h"

G_BEGIN_DECLS

/* Reads each document's file again, in place: the same document (id,
 * collections) gets the new text, so a changed OCR setting or a better
 * extractor applies. Results as docent_library_add (UPDATED); a document
 * whose file is gone fails with its reason and stays stored. */
gboolean docent_library_reindex (DocentLibrary           *library,
                                 const gint64            *ids,
                                 guint                    n_ids,
                                 const DocentAddOptions  *opts,
                                 GPtrArray              **results,
                                 GError                 **error);

/* Moves documents into `collection` (NULL or "": out of every one). */
gboolean docent_library_move    (DocentLibrary  *library,
                                 const gint64   *ids,
                                 guint           n_ids,
                                 const char     *collection,
                                 GError        **error);

/* Removes documents and everything of them. */
gboolean docent_library_remove  (DocentLibrary  *library,
                                 const gint64   *ids,
                                 guint           n_ids,
                                 GError        **error);

/* Brings the library in step with `folder` (a watched folder): adds it as
 * docent_library_add does (new and changed files; unchanged ones are
 * skipped by path, size and time; moved ones keep their document), then
 * removes the stored documents under `folder` whose file is gone.
 * `results` as docent_library_add; `removed` (may be NULL) receives the
 * paths of the documents removed (an empty vector when none): removal is
 * not an add outcome, and the front ends' switches on DocentAddOutcome
 * should not learn a case that no add returns.
 * A `folder` that is not there (an unmounted disk) is G_IO_ERROR_NOT_FOUND
 * and nothing is removed: its documents wait for it to come back. */
gboolean docent_library_sync_folder (DocentLibrary           *library,
                                     const char              *folder,
                                     const DocentAddOptions  *opts,
                                     GPtrArray              **results,
                                     GStrv                   *removed,
                                     GError                 **error);

G_END_DECLS
