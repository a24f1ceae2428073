/* encoding.h — decoding text of unknown encoding to UTF-8. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Decodes `data` to UTF-8: a BOM (UTF-8, UTF-16LE/BE, UTF-32LE/BE) wins and
 * is stripped; then `charset` when given and known (Latin-1 and ASCII labels
 * read as Windows-1252, like browsers; others through iconv); then UTF-8 when
 * the bytes are valid UTF-8 (or nearly: a few stray bytes among many
 * multi-byte sequences); else Windows-1252 (a superset of Latin-1 for
 * printable characters). A charset nobody knows is ignored. Never fails on
 * content: invalid sequences become U+FFFD. CRLF and CR become "\n", NUL
 * bytes are dropped. Always returns a NUL-terminated string (never NULL);
 * `out_len` may be NULL. */
char *docent_decode_text (const char *data,
                          gsize       len,
                          const char *charset,
                          gsize      *out_len);

G_END_DECLS
