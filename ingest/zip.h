/* zip.h — reading entries of zip containers (DOCX, ODT, EPUB) with
 * libarchive, within limits against zip bombs: at most 10000 entries,
 * 256 MiB inflated per entry, the caller's budget for the container, and
 * 100 times the file's size in all. */
#pragma once

#include "ingest/extract.h"

G_BEGIN_DECLS

typedef struct _DocentZip DocentZip;

DocentZip *docent_zip_open          (GBytes      *data,
                                     guint64      max_unpacked_bytes,
                                     GError     **error);
void       docent_zip_free          (DocentZip   *zip);
/* Entry names in archive order. */
const GPtrArray *docent_zip_names   (DocentZip   *zip);
gboolean   docent_zip_has           (DocentZip   *zip,
                                     const char  *name);
/* Inflates one entry (NUL-terminated, length in out_len). Fails with
 * TOO_LARGE past one of the limits ("zip bomb: NAME expands beyond
 * 256 MiB"), checked on the declared size and again as the bytes come out,
 * and CORRUPT for missing or damaged entries. */
GBytes    *docent_zip_read          (DocentZip   *zip,
                                     const char  *name,
                                     GError     **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DocentZip, docent_zip_free)

G_END_DECLS
