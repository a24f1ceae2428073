/* zip.c — DocentZip: the entries of a zip container held in memory, read
 * with libarchive's seekable zip reader (it trusts the central directory,
 * so entries written with data descriptors are read correctly).
 *
 * libarchive has no random access by name, so the reader is kept open and
 * moves forward through the headers; asking for an entry behind the current
 * one reopens it. Extractors read a handful of entries, mostly in order.
 *
 * Zip bombs are refused on three limits, each counted as the data comes
 * out of the inflater (headers of a zip bomb may lie) and checked against
 * the declared sizes first: bytes per entry (MAX_ENTRY_BYTES), bytes for
 * the whole container (the caller's budget) and the ratio of the bytes
 * inflated so far to the size of the file (MAX_RATIO, past RATIO_FLOOR:
 * documents compress 5-20 times, a bomb around 1000). The entry count is
 * capped too (MAX_ENTRIES). */
#include "ingest/zip.h"

#include <archive.h>
#include <archive_entry.h>
#include <string.h>

#define MAX_ENTRIES   10000
#define MAX_NAME_LEN  1024
#define READ_CHUNK    (64 * 1024)
/* A first allocation sized from the header, so a lying header cannot make
 * us reserve more than this before any byte has been inflated. */
#define MAX_PREALLOC  (16 * 1024 * 1024)
/* No real document part comes near this: the text limit of a whole
 * document is 64 MiB (extract.c). */
#define MAX_ENTRY_BYTES ((guint64) 256 * 1024 * 1024)
#define MAX_RATIO       100
#define RATIO_FLOOR     ((guint64) 16 * 1024 * 1024)

typedef struct {
  guint position;    /* index of the entry's header in the archive */
  gint64 size;       /* declared size, -1 when unknown */
  gboolean encrypted;
} ZipEntry;

struct _DocentZip {
  GBytes *data;
  GPtrArray *names;        /* of char*, archive order */
  GArray *entries;         /* of ZipEntry, parallel to names */
  GHashTable *by_name;     /* name -> index + 1 into entries */
  guint64 budget;          /* 0 = unlimited */
  guint64 spent;
  struct archive *reader;  /* NULL when it must be (re)opened */
  gint64 position;         /* index of the last header read, -1 before any */
};

/* libarchive messages start with a capital; ours do not. Acronyms such as
 * "ZIP" are left alone. They may quote names from the file: any bytes. */
static char *
lower_reason (const char *reason)
{
  char *s = g_utf8_make_valid (reason != NULL && *reason != '\0' ? reason : "unknown error", -1);

  if (g_ascii_isupper (s[0]) && !g_ascii_isupper (s[1]))
    s[0] = g_ascii_tolower (s[0]);
  return s;
}

static void
set_corrupt (GError         **error,
             struct archive  *ar,
             const char      *what)
{
  g_autofree char *reason = lower_reason (archive_error_string (ar));

  g_set_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_CORRUPT,
               "%s: %s", what, reason);
}

static char *
format_size (guint64 bytes)
{
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0)
    return g_strdup_printf ("%" G_GUINT64_FORMAT " MiB", bytes / (1024 * 1024));
  return g_strdup_printf ("%" G_GUINT64_FORMAT " KiB", (bytes + 1023) / 1024);
}

/* "zip bomb: word/document.xml expands beyond 256 MiB": the entry and the
 * limit it broke, so the person knows what was refused and why. */
static void
set_bomb (GError     **error,
          const char  *name,
          const char  *reason,
          guint64      limit)
{
  g_autofree char *size = format_size (limit);

  g_set_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_TOO_LARGE,
               "zip bomb: %s %s %s", name, reason, size);
}

/* Whether `entry_bytes` of the entry `name`, making `total` bytes for the
 * container, are within the limits; sets the error when not. */
static gboolean
within_limits (DocentZip   *zip,
               const char  *name,
               guint64      entry_bytes,
               guint64      total,
               GError     **error)
{
  guint64 file_size = g_bytes_get_size (zip->data);

  if (entry_bytes > MAX_ENTRY_BYTES)
    {
      set_bomb (error, name, "expands beyond", MAX_ENTRY_BYTES);
      return FALSE;
    }
  if (zip->budget > 0 && total > zip->budget)
    {
      set_bomb (error, name, "takes the unpacked total beyond", zip->budget);
      return FALSE;
    }
  if (total > RATIO_FLOOR && total / MAX_RATIO > file_size)
    {
      g_set_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_TOO_LARGE,
                   "zip bomb: %s expands to more than %d times the size of the file",
                   name, MAX_RATIO);
      return FALSE;
    }
  return TRUE;
}

/* The end-of-central-directory record sits in the last 64 KiB + 22 bytes;
 * without it the file was cut short. */
static gboolean
has_end_record (const guint8 *data,
                gsize         len)
{
  gsize window = MIN (len, (gsize) 65535 + 22);

  return memmem (data + len - window, window, "PK\005\006", 4) != NULL;
}

static struct archive *
open_reader (GBytes  *data,
             GError **error)
{
  gsize len = 0;
  const guint8 *raw = g_bytes_get_data (data, &len);
  struct archive *ar;

  if (len < 4 || memcmp (raw, "PK", 2) != 0)
    {
      g_set_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_CORRUPT,
                   "not a zip file");
      return NULL;
    }
  if (!has_end_record (raw, len))
    {
      g_set_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_CORRUPT,
                   "damaged zip file: the end of the archive is missing (truncated?)");
      return NULL;
    }

  ar = archive_read_new ();
  archive_read_support_format_zip_seekable (ar);
  if (archive_read_open_memory (ar, raw, len) != ARCHIVE_OK)
    {
      set_corrupt (error, ar, "damaged zip file");
      archive_read_free (ar);
      return NULL;
    }
  return ar;
}

static void
close_reader (DocentZip *zip)
{
  g_clear_pointer (&zip->reader, archive_read_free);
  zip->position = -1;
}

/* Names come from the central directory: UTF-8 when flagged so, else
 * whatever bytes the writer used, made valid. */
static char *
entry_name (struct archive_entry *entry)
{
  const char *name = archive_entry_pathname_utf8 (entry);

  if (name == NULL)
    name = archive_entry_pathname (entry);
  if (name == NULL)
    return NULL;
  return g_utf8_make_valid (name, -1);
}

static gboolean
index_entries (DocentZip  *zip,
               GError    **error)
{
  struct archive_entry *entry;
  guint position = 0;
  int r;

  while ((r = archive_read_next_header (zip->reader, &entry)) == ARCHIVE_OK ||
         r == ARCHIVE_WARN)
    {
      g_autofree char *name = entry_name (entry);
      ZipEntry info;

      if (position >= MAX_ENTRIES)
        {
          g_set_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_TOO_LARGE,
                       "zip file with more than %d entries", MAX_ENTRIES);
          return FALSE;
        }
      info.position = position++;
      info.size = archive_entry_size_is_set (entry) ? archive_entry_size (entry) : -1;
      info.encrypted = archive_entry_is_encrypted (entry);

      /* Such an entry can never be asked for; it is not worth failing on. */
      if (name == NULL || *name == '\0' || strlen (name) > MAX_NAME_LEN ||
          g_hash_table_contains (zip->by_name, name))
        continue;

      g_array_append_val (zip->entries, info);
      g_hash_table_insert (zip->by_name, g_strdup (name),
                           GUINT_TO_POINTER (zip->entries->len));
      g_ptr_array_add (zip->names, g_steal_pointer (&name));
    }
  if (r != ARCHIVE_EOF)
    {
      set_corrupt (error, zip->reader, "damaged zip file");
      return FALSE;
    }
  /* Reading resumes from a fresh reader. */
  close_reader (zip);
  return TRUE;
}

DocentZip *
docent_zip_open (GBytes      *data,
                 guint64      max_unpacked_bytes,
                 GError     **error)
{
  g_autoptr(DocentZip) zip = NULL;

  g_return_val_if_fail (data != NULL, NULL);

  zip = g_new0 (DocentZip, 1);
  zip->data = g_bytes_ref (data);
  zip->names = g_ptr_array_new_with_free_func (g_free);
  zip->entries = g_array_new (FALSE, FALSE, sizeof (ZipEntry));
  zip->by_name = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  zip->budget = max_unpacked_bytes;
  zip->position = -1;

  zip->reader = open_reader (data, error);
  if (zip->reader == NULL)
    return NULL;
  if (!index_entries (zip, error))
    return NULL;
  return g_steal_pointer (&zip);
}

void
docent_zip_free (DocentZip *zip)
{
  if (zip == NULL)
    return;
  close_reader (zip);
  g_clear_pointer (&zip->names, g_ptr_array_unref);
  g_clear_pointer (&zip->entries, g_array_unref);
  g_clear_pointer (&zip->by_name, g_hash_table_unref);
  g_clear_pointer (&zip->data, g_bytes_unref);
  g_free (zip);
}

const GPtrArray *
docent_zip_names (DocentZip *zip)
{
  g_return_val_if_fail (zip != NULL, NULL);

  return zip->names;
}

static const ZipEntry *
lookup (DocentZip  *zip,
        const char *name)
{
  guint i = GPOINTER_TO_UINT (g_hash_table_lookup (zip->by_name, name));

  return i > 0 ? &g_array_index (zip->entries, ZipEntry, i - 1) : NULL;
}

gboolean
docent_zip_has (DocentZip  *zip,
                const char *name)
{
  g_return_val_if_fail (zip != NULL, FALSE);

  return name != NULL && lookup (zip, name) != NULL;
}

/* Leaves the reader just after the header of entry `position`. */
static gboolean
seek_entry (DocentZip   *zip,
            guint        position,
            const char  *name,
            GError     **error)
{
  struct archive_entry *entry;

  if (zip->reader == NULL || (gint64) position <= zip->position)
    {
      close_reader (zip);
      zip->reader = open_reader (zip->data, error);
      if (zip->reader == NULL)
        return FALSE;
    }
  while (zip->position < (gint64) position)
    {
      int r = archive_read_next_header (zip->reader, &entry);

      if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
        {
          g_autofree char *what = g_strdup_printf ("damaged zip entry %s", name);

          set_corrupt (error, zip->reader, what);
          close_reader (zip);
          return FALSE;
        }
      zip->position++;
    }
  return TRUE;
}

static gboolean
inflate_entry (DocentZip   *zip,
               const char  *name,
               GByteArray  *out,
               GError     **error)
{
  for (;;)
    {
      gsize len = out->len;
      la_ssize_t n;

      g_byte_array_set_size (out, len + READ_CHUNK);
      n = archive_read_data (zip->reader, out->data + len, READ_CHUNK);
      if (n < 0)
        {
          g_autofree char *what = g_strdup_printf ("damaged zip entry %s", name);

          g_byte_array_set_size (out, len);
          set_corrupt (error, zip->reader, what);
          return FALSE;
        }
      g_byte_array_set_size (out, len + n);
      if (n == 0)
        return TRUE;
      zip->spent += n;
      if (!within_limits (zip, name, out->len, zip->spent, error))
        return FALSE;
    }
}

GBytes *
docent_zip_read (DocentZip   *zip,
                 const char  *name,
                 GError     **error)
{
  const ZipEntry *entry;
  g_autoptr(GByteArray) out = NULL;
  guint8 *data;
  gsize len;

  g_return_val_if_fail (zip != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  entry = lookup (zip, name);
  if (entry == NULL)
    {
      g_set_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_CORRUPT,
                   "damaged zip file: %s is missing", name);
      return NULL;
    }
  if (entry->encrypted)
    {
      g_set_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_ENCRYPTED,
                   "the zip entry %s is encrypted", name);
      return NULL;
    }
  if (entry->size > 0 &&
      !within_limits (zip, name, entry->size, zip->spent + entry->size, error))
    return NULL;

  if (!seek_entry (zip, entry->position, name, error))
    return NULL;

  out = g_byte_array_sized_new (CLAMP (entry->size, 0, MAX_PREALLOC) + 1);
  if (!inflate_entry (zip, name, out, error))
    {
      close_reader (zip);
      return NULL;
    }

  len = out->len;
  g_byte_array_append (out, (const guint8 *) "", 1);
  /* The array grew a chunk at a time: give back what was not filled, which
   * for small entries is most of it (an EPUB keeps all its chapters). */
  data = g_realloc (g_byte_array_free (g_steal_pointer (&out), FALSE), len + 1);
  return g_bytes_new_take (data, len);
}
