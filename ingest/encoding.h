/* encoding.h — decoding text of unknown encoding to UTF-8. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Decodes `data` to UTF-8: a BOM (UTF-8, UTF-16LE/BE, UTF-32LE/BE) wins; then
 * `charset` when given and known to iconv; then UTF-8 when the bytes are
 * valid UTF-8; else Windows-1252 (a superset of Latin-1 for printable
 * characters). Never fails on content: invalid sequences become U+FFFD.
 * Returns NULL with an error only for an unknown explicit charset that also
 * cannot be recovered from. `out_len` may be NULL. */
char *docent_decode_text (const char *data,
                          gsize       len,
                          const char *charset,
                          gsize      *out_len);

G_END_DECLS
