/* encoding.c — placeholder, being written. */
#include "ingest/encoding.h"

char *
docent_decode_text (const char *data, gsize len, const char *charset, gsize *out_len)
{
  if (out_len)
    *out_len = len;
  return g_utf8_make_valid (data, len);
}
