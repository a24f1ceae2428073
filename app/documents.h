/* documents.h — changes to stored documents that take more than one store
 * call: reading documents again and moving them between collections. */
#pragma once

#include "app/library.h"

G_BEGIN_DECLS

/* Reads each document's file again: the stored copy is removed and the
 * file added anew (into the document's first collection), so a changed
 * OCR setting or a better extractor applies. Results as docent_library_add;
 * a document whose file is gone fails with its reason and stays stored. */
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

G_END_DECLS
