/* gguf.c — the GGUF reader: validates a whole file (header, metadata,
 * tensor infos, tensor data extents) once at open time, then serves values
 * and tensors straight from the mapping.
 *
 * Layout (all little-endian): "GGUF", u32 version, u64 n_tensors, u64 n_kv,
 * n_kv × (string key, u32 type, value), n_tensors × (string name, u32 n_dims,
 * u64 dims[n_dims], u32 type, u64 offset), padding to the alignment, data.
 * A string is a u64 byte length and that many bytes; an array is a u32
 * element type, a u64 count and the elements.
 *
 * Every count and length is checked against the bytes left before anything
 * is allocated or read, so memory stays proportional to the file size and a
 * hostile file is refused with an error that says what and where. */
#include "engine/gguf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define GGUF_MAGIC "GGUF"
#define MAX_NAME_LEN 65535
#define MIN_ALIGNMENT 8
#define MAX_ALIGNMENT 65536
/* Smallest encodings, used to refuse counts the file cannot hold. */
#define MIN_KV_BYTES (8 + 1 + 4 + 1)
#define MIN_TENSOR_INFO_BYTES (8 + 1 + 4 + 4 + 8)
#define MIN_ARRAY_BYTES (4 + 8)

struct _DocentGgufValue {
  DocentGguf *gguf;
  const char *key;     /* the top-level key this value belongs to */
  guint32 type;
  guint32 elem_type;   /* arrays */
  guint64 offset;      /* scalar bytes, string bytes, or first array element */
  guint64 count;       /* string length in bytes, or array element count */
  guint64 index;       /* string arrays: first entry in string_offsets;
                        * arrays of arrays: first entry in values */
};

struct _DocentGguf {
  gatomicrefcount ref_count;   /* shared by a model and its tokenizer */
  GBytes *bytes;
  const guint8 *data;
  guint64 size;
  guint32 version;
  guint32 alignment;
  guint64 data_offset;
  GStringChunk *names;       /* keys and tensor names, NUL-terminated */
  GPtrArray *keys;           /* const char *, file order */
  GArray *values;            /* DocentGgufValue; [0, n_kv) are the keys' */
  GArray *string_offsets;    /* guint64: where each array string's length is */
  GArray *tensors;           /* DocentGgufTensor */
  GHashTable *key_index;     /* key → index + 1 */
  GHashTable *tensor_index;  /* name → index + 1 */
};

G_DEFINE_QUARK (docent-gguf-error-quark, docent_gguf_error)

static const guint value_sizes[DOCENT_GGUF_TYPE_COUNT] = {
  [DOCENT_GGUF_TYPE_UINT8] = 1, [DOCENT_GGUF_TYPE_INT8] = 1,
  [DOCENT_GGUF_TYPE_UINT16] = 2, [DOCENT_GGUF_TYPE_INT16] = 2,
  [DOCENT_GGUF_TYPE_UINT32] = 4, [DOCENT_GGUF_TYPE_INT32] = 4,
  [DOCENT_GGUF_TYPE_FLOAT32] = 4, [DOCENT_GGUF_TYPE_BOOL] = 1,
  [DOCENT_GGUF_TYPE_STRING] = 0, [DOCENT_GGUF_TYPE_ARRAY] = 0,
  [DOCENT_GGUF_TYPE_UINT64] = 8, [DOCENT_GGUF_TYPE_INT64] = 8,
  [DOCENT_GGUF_TYPE_FLOAT64] = 8,
};

static const char * const value_type_names[DOCENT_GGUF_TYPE_COUNT] = {
  "uint8", "int8", "uint16", "int16", "uint32", "int32", "float32", "bool",
  "string", "array", "uint64", "int64", "float64",
};

const char *
docent_gguf_type_name (guint32 type)
{
  return type < DOCENT_GGUF_TYPE_COUNT ? value_type_names[type] : "unknown";
}

/* ---- little-endian loads ------------------------------------------------ */

static guint16
load_u16 (const guint8 *p)
{
  guint16 v;

  memcpy (&v, p, sizeof v);
  return GUINT16_FROM_LE (v);
}

static guint32
load_u32 (const guint8 *p)
{
  guint32 v;

  memcpy (&v, p, sizeof v);
  return GUINT32_FROM_LE (v);
}

static guint64
load_u64 (const guint8 *p)
{
  guint64 v;

  memcpy (&v, p, sizeof v);
  return GUINT64_FROM_LE (v);
}

static float
load_f32 (const guint8 *p)
{
  guint32 bits = load_u32 (p);
  float f;

  memcpy (&f, &bits, sizeof f);
  return f;
}

static double
load_f64 (const guint8 *p)
{
  guint64 bits = load_u64 (p);
  double d;

  memcpy (&d, &bits, sizeof d);
  return d;
}

/* ---- the parser --------------------------------------------------------- */

typedef struct {
  DocentGguf *gguf;
  const guint8 *data;
  guint64 size;
  guint64 pos;
  /* What is being read, for error messages. */
  const char *section;   /* "key", "tensor" or NULL for the header */
  guint64 item;
  const char *item_name; /* NULL until the key or tensor name is read */
} Parser;

static char *
describe (Parser *p)
{
  if (p->section == NULL)
    return g_strdup ("the header");
  if (p->item_name == NULL)
    return g_strdup_printf ("%s #%" G_GUINT64_FORMAT, p->section, p->item);
  return g_strdup_printf ("%s '%s'", p->section, p->item_name);
}

static guint64
remaining (Parser *p)
{
  return p->size - p->pos;
}

static gboolean
need (Parser      *p,
      guint64      n,
      const char  *what,
      GError     **error)
{
  g_autofree char *where = NULL;

  if (n <= remaining (p))
    return TRUE;
  where = describe (p);
  g_set_error (error, DOCENT_GGUF_ERROR, DOCENT_GGUF_ERROR_TRUNCATED,
               "truncated GGUF file: %s of %s needs %" G_GUINT64_FORMAT
               " bytes at byte %" G_GUINT64_FORMAT ", the file has %" G_GUINT64_FORMAT,
               what, where, n, p->pos, p->size);
  return FALSE;
}

static gboolean
read_u32 (Parser      *p,
          const char  *what,
          guint32     *out,
          GError     **error)
{
  if (!need (p, 4, what, error))
    return FALSE;
  *out = load_u32 (p->data + p->pos);
  p->pos += 4;
  return TRUE;
}

static gboolean
read_u64 (Parser      *p,
          const char  *what,
          guint64     *out,
          GError     **error)
{
  if (!need (p, 8, what, error))
    return FALSE;
  *out = load_u64 (p->data + p->pos);
  p->pos += 8;
  return TRUE;
}

/* A string's bytes stay in the file; only their place is returned. */
static gboolean
read_string (Parser      *p,
             const char  *what,
             guint64     *offset,
             guint64     *len,
             GError     **error)
{
  if (!read_u64 (p, what, len, error) || !need (p, *len, what, error))
    return FALSE;
  *offset = p->pos;
  p->pos += *len;
  return TRUE;
}

static gboolean
fail_invalid (Parser      *p,
              GError     **error,
              const char  *format,
              ...) G_GNUC_PRINTF (3, 4);

static gboolean
fail_invalid (Parser      *p,
              GError     **error,
              const char  *format,
              ...)
{
  g_autofree char *where = describe (p);
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, DOCENT_GGUF_ERROR, DOCENT_GGUF_ERROR_INVALID,
               "invalid GGUF file: %s: %s", where, message);
  return FALSE;
}

/* Names (keys, tensor names) become NUL-terminated copies, so they must be
 * valid UTF-8 without NUL bytes. */
static const char *
read_name (Parser      *p,
           const char  *what,
           GError     **error)
{
  guint64 offset, len;
  const char *text;

  if (!read_string (p, what, &offset, &len, error))
    return NULL;
  text = (const char *) p->data + offset;
  if (len == 0)
    fail_invalid (p, error, "the %s is empty", what);
  else if (len > MAX_NAME_LEN)
    fail_invalid (p, error, "the %s is %" G_GUINT64_FORMAT " bytes long, more than %d",
                  what, len, MAX_NAME_LEN);
  else if (memchr (text, 0, len) != NULL || !g_utf8_validate_len (text, len, NULL))
    fail_invalid (p, error, "the %s is not valid UTF-8 text", what);
  else
    return g_string_chunk_insert_len (p->gguf->names, text, len);
  return NULL;
}

static DocentGgufValue *
value_at (Parser *p,
          guint64 index)
{
  return &g_array_index (p->gguf->values, DocentGgufValue, index);
}

static gboolean parse_value (Parser *p, guint64 index, guint32 type,
                             guint depth, GError **error);

static gboolean
check_bools (Parser      *p,
             guint64      offset,
             guint64      n,
             GError     **error)
{
  for (guint64 i = 0; i < n; i++)
    if (p->data[offset + i] > 1)
      return fail_invalid (p, error, "bool value %u at byte %" G_GUINT64_FORMAT
                           " is neither 0 nor 1",
                           p->data[offset + i], offset + i);
  return TRUE;
}

static gboolean
parse_string_elements (Parser      *p,
                       guint64      index,
                       guint64      n,
                       GError     **error)
{
  GArray *offsets = p->gguf->string_offsets;
  guint64 first = offsets->len;
  guint64 offset, len;

  if (first + n > G_MAXUINT)
    return fail_invalid (p, error, "too many strings in arrays");
  value_at (p, index)->index = first;
  g_array_set_size (offsets, first + n);
  for (guint64 i = 0; i < n; i++)
    {
      g_array_index (offsets, guint64, first + i) = p->pos;
      if (!read_string (p, "a string element", &offset, &len, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
parse_array_elements (Parser      *p,
                      guint64      index,
                      guint64      n,
                      guint        depth,
                      GError     **error)
{
  GArray *values = p->gguf->values;
  guint64 first = values->len;

  if (first + n > G_MAXUINT)
    return fail_invalid (p, error, "too many nested arrays");
  value_at (p, index)->index = first;
  g_array_set_size (values, first + n);
  for (guint64 i = 0; i < n; i++)
    {
      DocentGgufValue *child = value_at (p, first + i);

      child->gguf = p->gguf;
      child->key = value_at (p, index)->key;
      if (!parse_value (p, first + i, DOCENT_GGUF_TYPE_ARRAY, depth + 1, error))
        return FALSE;
    }
  return TRUE;
}

static guint64
min_element_bytes (guint32 type)
{
  if (type == DOCENT_GGUF_TYPE_STRING)
    return 8;
  if (type == DOCENT_GGUF_TYPE_ARRAY)
    return MIN_ARRAY_BYTES;
  return value_sizes[type];
}

static gboolean
parse_array (Parser      *p,
             guint64      index,
             guint        depth,
             GError     **error)
{
  guint32 elem_type;
  guint64 n, elem_bytes;

  if (depth > DOCENT_GGUF_MAX_DEPTH)
    return fail_invalid (p, error, "arrays nested more than %d deep",
                         DOCENT_GGUF_MAX_DEPTH);
  if (!read_u32 (p, "an array element type", &elem_type, error)
      || !read_u64 (p, "an array length", &n, error))
    return FALSE;
  if (elem_type >= DOCENT_GGUF_TYPE_COUNT)
    return fail_invalid (p, error, "unknown array element type %u", elem_type);
  elem_bytes = min_element_bytes (elem_type);
  if (n > remaining (p) / elem_bytes)
    {
      g_autofree char *where = describe (p);

      g_set_error (error, DOCENT_GGUF_ERROR, DOCENT_GGUF_ERROR_TRUNCATED,
                   "truncated GGUF file: %s holds an array of %" G_GUINT64_FORMAT
                   " %s values at byte %" G_GUINT64_FORMAT ", more than the file has",
                   where, n, docent_gguf_type_name (elem_type), p->pos);
      return FALSE;
    }
  value_at (p, index)->elem_type = elem_type;
  value_at (p, index)->count = n;
  value_at (p, index)->offset = p->pos;
  if (elem_type == DOCENT_GGUF_TYPE_STRING)
    return parse_string_elements (p, index, n, error);
  if (elem_type == DOCENT_GGUF_TYPE_ARRAY)
    return parse_array_elements (p, index, n, depth, error);
  if (elem_type == DOCENT_GGUF_TYPE_BOOL && !check_bools (p, p->pos, n, error))
    return FALSE;
  p->pos += n * elem_bytes;
  return TRUE;
}

static gboolean
parse_value (Parser      *p,
             guint64      index,
             guint32      type,
             guint        depth,
             GError     **error)
{
  guint64 offset, len;

  value_at (p, index)->type = type;
  if (type == DOCENT_GGUF_TYPE_ARRAY)
    return parse_array (p, index, depth, error);
  if (type == DOCENT_GGUF_TYPE_STRING)
    {
      if (!read_string (p, "a string value", &offset, &len, error))
        return FALSE;
      value_at (p, index)->offset = offset;
      value_at (p, index)->count = len;
      return TRUE;
    }
  if (!need (p, value_sizes[type], "the value", error))
    return FALSE;
  if (type == DOCENT_GGUF_TYPE_BOOL && !check_bools (p, p->pos, 1, error))
    return FALSE;
  value_at (p, index)->offset = p->pos;
  p->pos += value_sizes[type];
  return TRUE;
}

static gboolean
parse_kv (Parser      *p,
          guint64      i,
          GError     **error)
{
  DocentGguf *gguf = p->gguf;
  DocentGgufValue *value = value_at (p, i);
  gpointer previous;
  const char *key;
  guint32 type;

  p->section = "key";
  p->item = i;
  p->item_name = NULL;
  if ((key = read_name (p, "key name", error)) == NULL)
    return FALSE;
  p->item_name = key;
  if ((previous = g_hash_table_lookup (gguf->key_index, key)) != NULL)
    return fail_invalid (p, error, "duplicate key (also key #%u)",
                         GPOINTER_TO_UINT (previous) - 1);
  g_hash_table_insert (gguf->key_index, (char *) key, GUINT_TO_POINTER ((guint) i + 1));
  g_ptr_array_add (gguf->keys, (char *) key);
  value->gguf = gguf;
  value->key = key;
  if (!read_u32 (p, "the value type", &type, error))
    return FALSE;
  if (type >= DOCENT_GGUF_TYPE_COUNT)
    return fail_invalid (p, error, "unknown value type %u", type);
  return parse_value (p, i, type, 1, error);
}

static gboolean
parse_header (Parser      *p,
              guint64     *n_tensors,
              guint64     *n_kv,
              GError     **error)
{
  guint32 version;

  if (p->size < 4 || memcmp (p->data, GGUF_MAGIC, 4) != 0)
    {
      g_set_error (error, DOCENT_GGUF_ERROR, DOCENT_GGUF_ERROR_NOT_GGUF,
                   "not a GGUF file (no magic)");
      return FALSE;
    }
  p->pos = 4;
  if (!read_u32 (p, "the version", &version, error))
    return FALSE;
  /* A big-endian file has its version byte-swapped: 2 or 3 reads as
   * 0x02000000 or 0x03000000. */
  if (version != 0 && (version & 0xffff) == 0 && GUINT32_SWAP_LE_BE (version) <= 3)
    {
      g_set_error (error, DOCENT_GGUF_ERROR, DOCENT_GGUF_ERROR_VERSION,
                   "big-endian GGUF files are not supported");
      return FALSE;
    }
  if (version == 1)
    {
      g_set_error (error, DOCENT_GGUF_ERROR, DOCENT_GGUF_ERROR_VERSION,
                   "GGUF version 1 is not supported (convert the model again "
                   "with a current tool)");
      return FALSE;
    }
  if (version < 2 || version > 3)
    {
      g_set_error (error, DOCENT_GGUF_ERROR, DOCENT_GGUF_ERROR_VERSION,
                   "unsupported GGUF version %u", version);
      return FALSE;
    }
  p->gguf->version = version;
  if (!read_u64 (p, "the tensor count", n_tensors, error)
      || !read_u64 (p, "the metadata count", n_kv, error))
    return FALSE;
  /* Checked before anything is allocated for them. */
  if (*n_kv > remaining (p) / MIN_KV_BYTES || *n_tensors > remaining (p) / MIN_TENSOR_INFO_BYTES
      || *n_kv * MIN_KV_BYTES + *n_tensors * MIN_TENSOR_INFO_BYTES > remaining (p))
    {
      g_set_error (error, DOCENT_GGUF_ERROR, DOCENT_GGUF_ERROR_TRUNCATED,
                   "truncated GGUF file: the header declares %" G_GUINT64_FORMAT
                   " metadata keys and %" G_GUINT64_FORMAT " tensors, which cannot fit "
                   "in a file of %" G_GUINT64_FORMAT " bytes", *n_kv, *n_tensors, p->size);
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_metadata (Parser      *p,
                guint64      n_kv,
                GError     **error)
{
  g_array_set_size (p->gguf->values, n_kv);
  for (guint64 i = 0; i < n_kv; i++)
    if (!parse_kv (p, i, error))
      return FALSE;
  return TRUE;
}

static gboolean
read_alignment (Parser      *p,
                GError     **error)
{
  const DocentGgufValue *value = docent_gguf_lookup (p->gguf, "general.alignment");
  g_autoptr(GError) local_error = NULL;
  guint32 alignment;

  p->gguf->alignment = DOCENT_GGUF_DEFAULT_ALIGNMENT;
  if (value == NULL)
    return TRUE;
  if (!docent_gguf_value_get_u32 (value, &alignment, &local_error))
    {
      g_set_error (error, DOCENT_GGUF_ERROR, DOCENT_GGUF_ERROR_INVALID,
                   "invalid GGUF file: %s", local_error->message);
      return FALSE;
    }
  if (alignment < MIN_ALIGNMENT || alignment > MAX_ALIGNMENT
      || (alignment & (alignment - 1)) != 0)
    {
      g_set_error (error, DOCENT_GGUF_ERROR, DOCENT_GGUF_ERROR_INVALID,
                   "invalid GGUF file: general.alignment is %u; it must be a "
                   "power of two from %d to %d", alignment, MIN_ALIGNMENT, MAX_ALIGNMENT);
      return FALSE;
    }
  p->gguf->alignment = alignment;
  return TRUE;
}

static gboolean
parse_dims (Parser            *p,
            DocentGgufTensor  *t,
            GError           **error)
{
  if (!read_u32 (p, "the dimension count", &t->n_dims, error))
    return FALSE;
  if (t->n_dims > DOCENT_GGUF_MAX_DIMS)
    return fail_invalid (p, error, "%u dimensions; GGUF allows at most %d",
                         t->n_dims, DOCENT_GGUF_MAX_DIMS);
  t->n_elements = 1;
  for (guint d = 0; d < DOCENT_GGUF_MAX_DIMS; d++)
    {
      t->dims[d] = 1;
      if (d >= t->n_dims)
        continue;
      if (!read_u64 (p, "a dimension", &t->dims[d], error))
        return FALSE;
      /* ggml keeps dimensions as int64. */
      if (t->dims[d] > G_MAXINT64)
        return fail_invalid (p, error, "dimension %u is negative (%" G_GINT64_FORMAT ")",
                             d, (gint64) t->dims[d]);
      if (!g_uint64_checked_mul (&t->n_elements, t->n_elements, t->dims[d])
          || t->n_elements > G_MAXINT64)
        return fail_invalid (p, error, "the dimensions multiply to more than 2^63 elements");
    }
  return TRUE;
}

/* Size in bytes: whole rows of dims[0] elements. */
static gboolean
compute_tensor_bytes (Parser            *p,
                      DocentGgufTensor  *t,
                      GError           **error)
{
  g_autoptr(GError) local_error = NULL;
  guint64 row_bytes, rows = 1;

  if (docent_type_traits (t->type) == NULL)
    return fail_invalid (p, error, "unknown tensor type %u", t->type);
  if (!docent_type_row_bytes (t->type, t->dims[0], &row_bytes, &local_error))
    return fail_invalid (p, error, "%s", local_error->message);
  for (guint d = 1; d < DOCENT_GGUF_MAX_DIMS; d++)
    rows *= t->dims[d];   /* cannot overflow: n_elements did not */
  if (!g_uint64_checked_mul (&t->n_bytes, row_bytes, rows))
    return fail_invalid (p, error, "the data size overflows");
  return TRUE;
}

static gboolean
parse_tensor_info (Parser      *p,
                   guint64      i,
                   GError     **error)
{
  DocentGguf *gguf = p->gguf;
  DocentGgufTensor *t = &g_array_index (gguf->tensors, DocentGgufTensor, i);

  p->section = "tensor";
  p->item = i;
  p->item_name = NULL;
  if ((t->name = read_name (p, "tensor name", error)) == NULL)
    return FALSE;
  p->item_name = t->name;
  if (g_hash_table_contains (gguf->tensor_index, t->name))
    return fail_invalid (p, error, "duplicate tensor name");
  g_hash_table_insert (gguf->tensor_index, (char *) t->name, GUINT_TO_POINTER ((guint) i + 1));
  return parse_dims (p, t, error)
         && read_u32 (p, "the type", &t->type, error)
         && read_u64 (p, "the data offset", &t->offset, error)
         && compute_tensor_bytes (p, t, error);
}

static gboolean
parse_tensor_infos (Parser      *p,
                    guint64      n_tensors,
                    GError     **error)
{
  g_array_set_size (p->gguf->tensors, n_tensors);
  for (guint64 i = 0; i < n_tensors; i++)
    if (!parse_tensor_info (p, i, error))
      return FALSE;
  return TRUE;
}

static gboolean
place_tensor (Parser            *p,
              DocentGgufTensor  *t,
              GError           **error)
{
  DocentGguf *gguf = p->gguf;
  guint64 start, end;

  p->item_name = t->name;
  if (t->offset % gguf->alignment != 0)
    return fail_invalid (p, error, "data offset %" G_GUINT64_FORMAT " is not a "
                         "multiple of the alignment (%u)", t->offset, gguf->alignment);
  if (!g_uint64_checked_add (&start, gguf->data_offset, t->offset)
      || !g_uint64_checked_add (&end, start, t->n_bytes))
    {
      g_set_error (error, DOCENT_GGUF_ERROR, DOCENT_GGUF_ERROR_TRUNCATED,
                   "truncated GGUF file: tensor '%s' data ends past byte 2^64, "
                   "the file has %" G_GUINT64_FORMAT, t->name, gguf->size);
      return FALSE;
    }
  if (end > gguf->size)
    {
      g_set_error (error, DOCENT_GGUF_ERROR, DOCENT_GGUF_ERROR_TRUNCATED,
                   "truncated GGUF file: tensor '%s' data ends at byte %" G_GUINT64_FORMAT
                   ", the file has %" G_GUINT64_FORMAT, t->name, end, gguf->size);
      return FALSE;
    }
  t->data = gguf->data + start;
  return TRUE;
}

static int
compare_by_offset (gconstpointer a,
                   gconstpointer b)
{
  const DocentGgufTensor *ta = *(const DocentGgufTensor * const *) a;
  const DocentGgufTensor *tb = *(const DocentGgufTensor * const *) b;

  if (ta->offset != tb->offset)
    return ta->offset < tb->offset ? -1 : 1;
  return ta->n_bytes < tb->n_bytes ? -1 : ta->n_bytes > tb->n_bytes;
}

/* Two tensors sharing bytes would let a write through one (or a quantizer
 * bug) corrupt the other; no writer produces that, so refuse it. */
static gboolean
check_overlaps (Parser      *p,
                GError     **error)
{
  GArray *tensors = p->gguf->tensors;
  g_autofree const DocentGgufTensor **sorted = g_new (const DocentGgufTensor *, tensors->len + 1);
  guint64 end = 0;
  const DocentGgufTensor *last = NULL;

  for (guint i = 0; i < tensors->len; i++)
    sorted[i] = &g_array_index (tensors, DocentGgufTensor, i);
  qsort (sorted, tensors->len, sizeof *sorted, compare_by_offset);
  for (guint i = 0; i < tensors->len; i++)
    {
      if (sorted[i]->n_bytes == 0)
        continue;
      if (last != NULL && sorted[i]->offset < end)
        {
          p->item_name = sorted[i]->name;
          return fail_invalid (p, error, "data (bytes %" G_GUINT64_FORMAT " to %"
                               G_GUINT64_FORMAT " of the data section) overlaps "
                               "tensor '%s'", sorted[i]->offset,
                               sorted[i]->offset + sorted[i]->n_bytes, last->name);
        }
      end = sorted[i]->offset + sorted[i]->n_bytes;
      last = sorted[i];
    }
  return TRUE;
}

static gboolean
place_tensors (Parser      *p,
               GError     **error)
{
  DocentGguf *gguf = p->gguf;

  /* pos <= size < 2^63, so this cannot overflow. */
  gguf->data_offset = (p->pos + gguf->alignment - 1) / gguf->alignment * gguf->alignment;
  p->section = "tensor";
  for (guint i = 0; i < gguf->tensors->len; i++)
    if (!place_tensor (p, &g_array_index (gguf->tensors, DocentGgufTensor, i), error))
      return FALSE;
  return check_overlaps (p, error);
}

static gboolean
parse (DocentGguf  *gguf,
       GError     **error)
{
  Parser p = { .gguf = gguf, .data = gguf->data, .size = gguf->size };
  guint64 n_tensors, n_kv;

  return parse_header (&p, &n_tensors, &n_kv, error)
         && parse_metadata (&p, n_kv, error)
         && read_alignment (&p, error)
         && parse_tensor_infos (&p, n_tensors, error)
         && place_tensors (&p, error);
}

/* ---- opening ------------------------------------------------------------ */

static DocentGguf *
gguf_new (GBytes *bytes)
{
  DocentGguf *gguf = g_new0 (DocentGguf, 1);
  gsize size;

  g_atomic_ref_count_init (&gguf->ref_count);
  gguf->bytes = g_bytes_ref (bytes);
  gguf->data = g_bytes_get_data (bytes, &size);
  gguf->size = size;
  gguf->alignment = DOCENT_GGUF_DEFAULT_ALIGNMENT;
  gguf->names = g_string_chunk_new (4096);
  gguf->keys = g_ptr_array_new ();
  gguf->values = g_array_new (FALSE, TRUE, sizeof (DocentGgufValue));
  gguf->string_offsets = g_array_new (FALSE, FALSE, sizeof (guint64));
  gguf->tensors = g_array_new (FALSE, TRUE, sizeof (DocentGgufTensor));
  gguf->key_index = g_hash_table_new (g_str_hash, g_str_equal);
  gguf->tensor_index = g_hash_table_new (g_str_hash, g_str_equal);
  return gguf;
}

DocentGguf *
docent_gguf_open_bytes (GBytes  *bytes,
                        GError **error)
{
  g_autoptr(DocentGguf) gguf = NULL;

  g_return_val_if_fail (bytes != NULL, NULL);

  gguf = gguf_new (bytes);
  if (!parse (gguf, error))
    return NULL;
  return g_steal_pointer (&gguf);
}

static GBytes *
map_file (const char  *path,
          GError     **error)
{
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(GError) local_error = NULL;
  struct stat st;
  int fd;

  /* O_NONBLOCK: a FIFO given by mistake must not hang the open. */
  fd = open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, DOCENT_GGUF_ERROR, DOCENT_GGUF_ERROR_IO,
                   "cannot open the file: %s", g_strerror (saved));
      return NULL;
    }
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      close (fd);
      g_set_error (error, DOCENT_GGUF_ERROR, DOCENT_GGUF_ERROR_IO,
                   "not a regular file");
      return NULL;
    }
  if (st.st_size == 0)
    {
      close (fd);
      return g_bytes_new (NULL, 0);
    }
  mapped = g_mapped_file_new_from_fd (fd, FALSE, &local_error);
  close (fd);
  if (mapped == NULL)
    {
      g_set_error (error, DOCENT_GGUF_ERROR, DOCENT_GGUF_ERROR_IO,
                   "cannot map the file: %s", local_error->message);
      return NULL;
    }
  return g_mapped_file_get_bytes (mapped);
}

DocentGguf *
docent_gguf_open (const char  *path,
                  GError     **error)
{
  g_autoptr(GBytes) bytes = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  if ((bytes = map_file (path, error)) == NULL)
    return NULL;
  return docent_gguf_open_bytes (bytes, error);
}

DocentGguf *
docent_gguf_ref (DocentGguf *gguf)
{
  g_return_val_if_fail (gguf != NULL, NULL);

  g_atomic_ref_count_inc (&gguf->ref_count);
  return gguf;
}

void
docent_gguf_unref (DocentGguf *gguf)
{
  if (gguf == NULL || !g_atomic_ref_count_dec (&gguf->ref_count))
    return;
  g_hash_table_unref (gguf->tensor_index);
  g_hash_table_unref (gguf->key_index);
  g_array_unref (gguf->tensors);
  g_array_unref (gguf->string_offsets);
  g_array_unref (gguf->values);
  g_ptr_array_unref (gguf->keys);
  g_string_chunk_free (gguf->names);
  g_bytes_unref (gguf->bytes);
  g_free (gguf);
}

guint32
docent_gguf_version (DocentGguf *gguf)
{
  return gguf->version;
}

guint64
docent_gguf_file_size (DocentGguf *gguf)
{
  return gguf->size;
}

guint32
docent_gguf_alignment (DocentGguf *gguf)
{
  return gguf->alignment;
}

guint64
docent_gguf_data_offset (DocentGguf *gguf)
{
  return gguf->data_offset;
}

const guint8 *
docent_gguf_bytes (DocentGguf *gguf,
                   gsize      *size)
{
  if (size != NULL)
    *size = gguf->size;
  return gguf->data;
}

/* ---- metadata ----------------------------------------------------------- */

gsize
docent_gguf_n_kv (DocentGguf *gguf)
{
  return gguf->keys->len;
}

const char *
docent_gguf_key (DocentGguf *gguf,
                 gsize       i)
{
  return i < gguf->keys->len ? g_ptr_array_index (gguf->keys, i) : NULL;
}

const DocentGgufValue *
docent_gguf_value (DocentGguf *gguf,
                   gsize       i)
{
  return i < gguf->keys->len ? &g_array_index (gguf->values, DocentGgufValue, i) : NULL;
}

const DocentGgufValue *
docent_gguf_lookup (DocentGguf *gguf,
                    const char *key)
{
  guint index = GPOINTER_TO_UINT (g_hash_table_lookup (gguf->key_index, key));

  return index > 0 ? &g_array_index (gguf->values, DocentGgufValue, index - 1) : NULL;
}

gboolean
docent_gguf_has_key (DocentGguf *gguf,
                     const char *key)
{
  return docent_gguf_lookup (gguf, key) != NULL;
}

/* ---- numbers ------------------------------------------------------------- */

typedef enum {
  NUM_NONE,
  NUM_SIGNED,
  NUM_UNSIGNED,
  NUM_FLOAT,
  NUM_BOOL,
} NumKind;

typedef struct {
  NumKind kind;
  gint64 i;
  guint64 u;
  double f;
} Number;

static Number
load_number (const guint8 *p,
             guint32       type)
{
  Number n = { NUM_NONE, 0, 0, 0.0 };

  switch (type)
    {
    case DOCENT_GGUF_TYPE_UINT8: n.kind = NUM_UNSIGNED; n.u = p[0]; break;
    case DOCENT_GGUF_TYPE_INT8: n.kind = NUM_SIGNED; n.i = (gint8) p[0]; break;
    case DOCENT_GGUF_TYPE_UINT16: n.kind = NUM_UNSIGNED; n.u = load_u16 (p); break;
    case DOCENT_GGUF_TYPE_INT16: n.kind = NUM_SIGNED; n.i = (gint16) load_u16 (p); break;
    case DOCENT_GGUF_TYPE_UINT32: n.kind = NUM_UNSIGNED; n.u = load_u32 (p); break;
    case DOCENT_GGUF_TYPE_INT32: n.kind = NUM_SIGNED; n.i = (gint32) load_u32 (p); break;
    case DOCENT_GGUF_TYPE_UINT64: n.kind = NUM_UNSIGNED; n.u = load_u64 (p); break;
    case DOCENT_GGUF_TYPE_INT64: n.kind = NUM_SIGNED; n.i = (gint64) load_u64 (p); break;
    case DOCENT_GGUF_TYPE_FLOAT32: n.kind = NUM_FLOAT; n.f = load_f32 (p); break;
    case DOCENT_GGUF_TYPE_FLOAT64: n.kind = NUM_FLOAT; n.f = load_f64 (p); break;
    case DOCENT_GGUF_TYPE_BOOL: n.kind = NUM_BOOL; n.u = p[0]; break;
    default: break;
    }
  return n;
}

static gboolean
number_to_i64 (Number  n,
               gint64 *out)
{
  if (n.kind == NUM_SIGNED)
    *out = n.i;
  else if (n.kind == NUM_UNSIGNED && n.u <= G_MAXINT64)
    *out = (gint64) n.u;
  else
    return FALSE;
  return TRUE;
}

static gboolean
number_to_u64 (Number   n,
               guint64 *out)
{
  if (n.kind == NUM_UNSIGNED)
    *out = n.u;
  else if (n.kind == NUM_SIGNED && n.i >= 0)
    *out = (guint64) n.i;
  else
    return FALSE;
  return TRUE;
}

static gboolean
number_to_u32 (Number   n,
               guint32 *out)
{
  guint64 v;

  if (!number_to_u64 (n, &v) || v > G_MAXUINT32)
    return FALSE;
  *out = (guint32) v;
  return TRUE;
}

static gboolean
number_to_i32 (Number  n,
               gint32 *out)
{
  gint64 v;

  if (!number_to_i64 (n, &v) || v < G_MININT32 || v > G_MAXINT32)
    return FALSE;
  *out = (gint32) v;
  return TRUE;
}

static gboolean
number_to_f64 (Number  n,
               double *out)
{
  if (n.kind == NUM_FLOAT)
    *out = n.f;
  else if (n.kind == NUM_SIGNED)
    *out = (double) n.i;
  else if (n.kind == NUM_UNSIGNED)
    *out = (double) n.u;
  else
    return FALSE;
  return TRUE;
}

static gboolean
number_to_f32 (Number  n,
               float  *out)
{
  double v;

  if (!number_to_f64 (n, &v))
    return FALSE;
  *out = (float) v;
  return TRUE;
}

static gboolean
number_to_bool (Number    n,
                gboolean *out)
{
  if ((n.kind != NUM_BOOL && n.kind != NUM_UNSIGNED && n.kind != NUM_SIGNED)
      || (n.kind == NUM_SIGNED ? (n.i != 0 && n.i != 1) : n.u > 1))
    return FALSE;
  *out = n.kind == NUM_SIGNED ? n.i != 0 : n.u != 0;
  return TRUE;
}

static void
set_type_error (const DocentGgufValue  *value,
                const char             *wanted,
                GError                **error)
{
  Number n = load_number (value->gguf->data + value->offset, value->type);
  g_autofree char *shown = NULL;

  if (n.kind == NUM_SIGNED)
    shown = g_strdup_printf (" %" G_GINT64_FORMAT, n.i);
  else if (n.kind == NUM_UNSIGNED || n.kind == NUM_BOOL)
    shown = g_strdup_printf (" %" G_GUINT64_FORMAT, n.u);
  else if (n.kind == NUM_FLOAT)
    shown = g_strdup_printf (" %g", n.f);
  g_set_error (error, DOCENT_GGUF_ERROR, DOCENT_GGUF_ERROR_TYPE,
               "key '%s' holds %s%s, which is not %s", value->key,
               docent_gguf_type_name (value->type), shown ? shown : "", wanted);
}

/* A scalar value as a Number; arrays and strings give NUM_NONE. */
static Number
value_number (const DocentGgufValue *value)
{
  Number none = { NUM_NONE, 0, 0, 0.0 };

  if (value->type == DOCENT_GGUF_TYPE_ARRAY || value->type == DOCENT_GGUF_TYPE_STRING)
    return none;
  return load_number (value->gguf->data + value->offset, value->type);
}

DocentGgufType
docent_gguf_value_type (const DocentGgufValue *value)
{
  return value->type;
}

gboolean
docent_gguf_value_get_u32 (const DocentGgufValue  *value,
                           guint32                *out,
                           GError                **error)
{
  if (number_to_u32 (value_number (value), out))
    return TRUE;
  set_type_error (value, "a uint32", error);
  return FALSE;
}

gboolean
docent_gguf_value_get_i32 (const DocentGgufValue  *value,
                           gint32                 *out,
                           GError                **error)
{
  if (number_to_i32 (value_number (value), out))
    return TRUE;
  set_type_error (value, "an int32", error);
  return FALSE;
}

gboolean
docent_gguf_value_get_u64 (const DocentGgufValue  *value,
                           guint64                *out,
                           GError                **error)
{
  if (number_to_u64 (value_number (value), out))
    return TRUE;
  set_type_error (value, "a uint64", error);
  return FALSE;
}

gboolean
docent_gguf_value_get_i64 (const DocentGgufValue  *value,
                           gint64                 *out,
                           GError                **error)
{
  if (number_to_i64 (value_number (value), out))
    return TRUE;
  set_type_error (value, "an int64", error);
  return FALSE;
}

gboolean
docent_gguf_value_get_f32 (const DocentGgufValue  *value,
                           float                  *out,
                           GError                **error)
{
  if (number_to_f32 (value_number (value), out))
    return TRUE;
  set_type_error (value, "a number", error);
  return FALSE;
}

gboolean
docent_gguf_value_get_f64 (const DocentGgufValue  *value,
                           double                 *out,
                           GError                **error)
{
  if (number_to_f64 (value_number (value), out))
    return TRUE;
  set_type_error (value, "a number", error);
  return FALSE;
}

gboolean
docent_gguf_value_get_bool (const DocentGgufValue  *value,
                            gboolean               *out,
                            GError                **error)
{
  if (number_to_bool (value_number (value), out))
    return TRUE;
  set_type_error (value, "a bool", error);
  return FALSE;
}

const char *
docent_gguf_value_get_string (const DocentGgufValue *value,
                              gsize                 *len)
{
  if (value->type != DOCENT_GGUF_TYPE_STRING)
    {
      if (len != NULL)
        *len = 0;
      return NULL;
    }
  if (len != NULL)
    *len = value->count;
  return (const char *) value->gguf->data + value->offset;
}

/* ---- getters by key ------------------------------------------------------ */

static const DocentGgufValue *
find (DocentGguf  *gguf,
      const char  *key,
      GError     **error)
{
  const DocentGgufValue *value = docent_gguf_lookup (gguf, key);

  if (value == NULL)
    g_set_error (error, DOCENT_GGUF_ERROR, DOCENT_GGUF_ERROR_NO_KEY,
                 "the file has no key '%s'", key);
  return value;
}

gboolean
docent_gguf_get_u32 (DocentGguf  *gguf,
                     const char  *key,
                     guint32     *out,
                     GError     **error)
{
  const DocentGgufValue *value = find (gguf, key, error);

  return value != NULL && docent_gguf_value_get_u32 (value, out, error);
}

gboolean
docent_gguf_get_i32 (DocentGguf  *gguf,
                     const char  *key,
                     gint32      *out,
                     GError     **error)
{
  const DocentGgufValue *value = find (gguf, key, error);

  return value != NULL && docent_gguf_value_get_i32 (value, out, error);
}

gboolean
docent_gguf_get_u64 (DocentGguf  *gguf,
                     const char  *key,
                     guint64     *out,
                     GError     **error)
{
  const DocentGgufValue *value = find (gguf, key, error);

  return value != NULL && docent_gguf_value_get_u64 (value, out, error);
}

gboolean
docent_gguf_get_i64 (DocentGguf  *gguf,
                     const char  *key,
                     gint64      *out,
                     GError     **error)
{
  const DocentGgufValue *value = find (gguf, key, error);

  return value != NULL && docent_gguf_value_get_i64 (value, out, error);
}

gboolean
docent_gguf_get_f32 (DocentGguf  *gguf,
                     const char  *key,
                     float       *out,
                     GError     **error)
{
  const DocentGgufValue *value = find (gguf, key, error);

  return value != NULL && docent_gguf_value_get_f32 (value, out, error);
}

gboolean
docent_gguf_get_f64 (DocentGguf  *gguf,
                     const char  *key,
                     double      *out,
                     GError     **error)
{
  const DocentGgufValue *value = find (gguf, key, error);

  return value != NULL && docent_gguf_value_get_f64 (value, out, error);
}

gboolean
docent_gguf_get_bool (DocentGguf  *gguf,
                      const char  *key,
                      gboolean    *out,
                      GError     **error)
{
  const DocentGgufValue *value = find (gguf, key, error);

  return value != NULL && docent_gguf_value_get_bool (value, out, error);
}

const char *
docent_gguf_get_string (DocentGguf  *gguf,
                        const char  *key,
                        gsize       *len,
                        GError     **error)
{
  const DocentGgufValue *value = find (gguf, key, error);

  if (len != NULL)
    *len = 0;
  if (value == NULL)
    return NULL;
  if (value->type != DOCENT_GGUF_TYPE_STRING)
    {
      g_set_error (error, DOCENT_GGUF_ERROR, DOCENT_GGUF_ERROR_TYPE,
                   "key '%s' holds %s, which is not a string", key,
                   docent_gguf_type_name (value->type));
      return NULL;
    }
  return docent_gguf_value_get_string (value, len);
}

char *
docent_gguf_dup_string (DocentGguf  *gguf,
                        const char  *key,
                        GError     **error)
{
  gsize len;
  const char *text = docent_gguf_get_string (gguf, key, &len, error);

  if (text == NULL)
    return NULL;
  if (memchr (text, 0, len) != NULL)
    {
      g_set_error (error, DOCENT_GGUF_ERROR, DOCENT_GGUF_ERROR_TYPE,
                   "key '%s' holds a string with a NUL byte", key);
      return NULL;
    }
  return g_strndup (text, len);
}

const DocentGgufValue *
docent_gguf_get_array (DocentGguf  *gguf,
                       const char  *key,
                       int          elem_type,
                       GError     **error)
{
  const DocentGgufValue *value = find (gguf, key, error);

  if (value == NULL)
    return NULL;
  if (value->type != DOCENT_GGUF_TYPE_ARRAY)
    {
      g_set_error (error, DOCENT_GGUF_ERROR, DOCENT_GGUF_ERROR_TYPE,
                   "key '%s' holds %s, which is not an array", key,
                   docent_gguf_type_name (value->type));
      return NULL;
    }
  if (elem_type >= 0 && value->elem_type != (guint32) elem_type)
    {
      g_set_error (error, DOCENT_GGUF_ERROR, DOCENT_GGUF_ERROR_TYPE,
                   "key '%s' holds an array of %s, not of %s", key,
                   docent_gguf_type_name (value->elem_type),
                   docent_gguf_type_name (elem_type));
      return NULL;
    }
  return value;
}

/* ---- arrays -------------------------------------------------------------- */

static gboolean
is_array (const DocentGgufValue *array)
{
  return array != NULL && array->type == DOCENT_GGUF_TYPE_ARRAY;
}

DocentGgufType
docent_gguf_array_type (const DocentGgufValue *array)
{
  return is_array (array) ? array->elem_type : DOCENT_GGUF_TYPE_COUNT;
}

guint64
docent_gguf_array_length (const DocentGgufValue *array)
{
  return is_array (array) ? array->count : 0;
}

const char *
docent_gguf_array_get_string (const DocentGgufValue *array,
                              guint64                i,
                              gsize                 *len)
{
  const DocentGguf *gguf;
  guint64 at;

  if (len != NULL)
    *len = 0;
  if (!is_array (array) || array->elem_type != DOCENT_GGUF_TYPE_STRING || i >= array->count)
    return NULL;
  gguf = array->gguf;
  at = g_array_index (gguf->string_offsets, guint64, array->index + i);
  if (len != NULL)
    *len = load_u64 (gguf->data + at);
  return (const char *) gguf->data + at + 8;
}

const DocentGgufValue *
docent_gguf_array_get_array (const DocentGgufValue *array,
                             guint64                i)
{
  if (!is_array (array) || array->elem_type != DOCENT_GGUF_TYPE_ARRAY || i >= array->count)
    return NULL;
  return &g_array_index (array->gguf->values, DocentGgufValue, array->index + i);
}

static Number
element_number (const DocentGgufValue *array,
                guint64                i)
{
  Number none = { NUM_NONE, 0, 0, 0.0 };

  if (!is_array (array) || i >= array->count
      || array->elem_type == DOCENT_GGUF_TYPE_STRING
      || array->elem_type == DOCENT_GGUF_TYPE_ARRAY)
    return none;
  return load_number (array->gguf->data + array->offset + i * value_sizes[array->elem_type],
                      array->elem_type);
}

gboolean
docent_gguf_array_get_u32 (const DocentGgufValue *array,
                           guint64                i,
                           guint32               *out)
{
  return number_to_u32 (element_number (array, i), out);
}

gboolean
docent_gguf_array_get_i32 (const DocentGgufValue *array,
                           guint64                i,
                           gint32                *out)
{
  return number_to_i32 (element_number (array, i), out);
}

gboolean
docent_gguf_array_get_u64 (const DocentGgufValue *array,
                           guint64                i,
                           guint64               *out)
{
  return number_to_u64 (element_number (array, i), out);
}

gboolean
docent_gguf_array_get_i64 (const DocentGgufValue *array,
                           guint64                i,
                           gint64                *out)
{
  return number_to_i64 (element_number (array, i), out);
}

gboolean
docent_gguf_array_get_f32 (const DocentGgufValue *array,
                           guint64                i,
                           float                 *out)
{
  return number_to_f32 (element_number (array, i), out);
}

gboolean
docent_gguf_array_get_f64 (const DocentGgufValue *array,
                           guint64                i,
                           double                *out)
{
  return number_to_f64 (element_number (array, i), out);
}

gboolean
docent_gguf_array_get_bool (const DocentGgufValue *array,
                            guint64                i,
                            gboolean              *out)
{
  return number_to_bool (element_number (array, i), out);
}

static gboolean
copy_failed (const DocentGgufValue  *array,
             guint64                 i,
             const char             *wanted,
             GError                **error)
{
  g_set_error (error, DOCENT_GGUF_ERROR, DOCENT_GGUF_ERROR_TYPE,
               "element %" G_GUINT64_FORMAT " of key '%s' (an array of %s) is not %s",
               i, array->key, docent_gguf_type_name (array->elem_type), wanted);
  return FALSE;
}

gboolean
docent_gguf_array_copy_f32 (const DocentGgufValue  *array,
                            float                  *out,
                            GError                **error)
{
  g_return_val_if_fail (is_array (array), FALSE);

  /* The common case, a float32 array, is a straight copy. */
  if (array->elem_type == DOCENT_GGUF_TYPE_FLOAT32 && G_BYTE_ORDER == G_LITTLE_ENDIAN)
    {
      if (array->count > 0)
        memcpy (out, array->gguf->data + array->offset, array->count * sizeof (float));
      return TRUE;
    }
  for (guint64 i = 0; i < array->count; i++)
    if (!docent_gguf_array_get_f32 (array, i, &out[i]))
      return copy_failed (array, i, "a number", error);
  return TRUE;
}

gboolean
docent_gguf_array_copy_i32 (const DocentGgufValue  *array,
                            gint32                 *out,
                            GError                **error)
{
  g_return_val_if_fail (is_array (array), FALSE);

  for (guint64 i = 0; i < array->count; i++)
    if (!docent_gguf_array_get_i32 (array, i, &out[i]))
      return copy_failed (array, i, "an int32", error);
  return TRUE;
}

/* ---- tensors ------------------------------------------------------------- */

gsize
docent_gguf_n_tensors (DocentGguf *gguf)
{
  return gguf->tensors->len;
}

const DocentGgufTensor *
docent_gguf_tensor (DocentGguf *gguf,
                    gsize       i)
{
  return i < gguf->tensors->len ? &g_array_index (gguf->tensors, DocentGgufTensor, i) : NULL;
}

const DocentGgufTensor *
docent_gguf_find_tensor (DocentGguf *gguf,
                         const char *name)
{
  guint index = GPOINTER_TO_UINT (g_hash_table_lookup (gguf->tensor_index, name));

  return index > 0 ? &g_array_index (gguf->tensors, DocentGgufTensor, index - 1) : NULL;
}

/* ---- summary ------------------------------------------------------------- */

static guint64
arch_u64 (DocentGguf *gguf,
          const char *arch,
          const char *suffix)
{
  g_autofree char *key = g_strconcat (arch, ".", suffix, NULL);
  guint64 v = 0;

  if (!docent_gguf_get_u64 (gguf, key, &v, NULL))
    return 0;
  return v;
}

DocentGgufSummary *
docent_gguf_summarize (DocentGguf *gguf)
{
  DocentGgufSummary *s = g_new0 (DocentGgufSummary, 1);
  const DocentGgufValue *tokens;

  s->version = gguf->version;
  s->file_size = gguf->size;
  s->architecture = docent_gguf_dup_string (gguf, "general.architecture", NULL);
  s->name = docent_gguf_dup_string (gguf, "general.name", NULL);
  s->n_tensors = gguf->tensors->len;
  for (guint i = 0; i < gguf->tensors->len; i++)
    {
      const DocentGgufTensor *t = &g_array_index (gguf->tensors, DocentGgufTensor, i);

      /* Tensors with data do not overlap and lie in the file, and no type
       * packs more than 8 elements in a byte, so these sums cannot overflow. */
      s->n_params += t->n_elements;
      s->n_bytes += t->n_bytes;
      s->type_count[t->type]++;
      s->type_bytes[t->type] += t->n_bytes;
    }
  if (s->architecture != NULL)
    {
      s->context_length = arch_u64 (gguf, s->architecture, "context_length");
      s->embedding_length = arch_u64 (gguf, s->architecture, "embedding_length");
      s->block_count = arch_u64 (gguf, s->architecture, "block_count");
    }
  tokens = docent_gguf_lookup (gguf, "tokenizer.ggml.tokens");
  s->vocab_size = docent_gguf_array_length (tokens);
  s->tokenizer_model = docent_gguf_dup_string (gguf, "tokenizer.ggml.model", NULL);
  s->tokenizer_pre = docent_gguf_dup_string (gguf, "tokenizer.ggml.pre", NULL);
  s->has_chat_template = docent_gguf_has_key (gguf, "tokenizer.chat_template");
  return s;
}

void
docent_gguf_summary_free (DocentGgufSummary *summary)
{
  if (summary == NULL)
    return;
  g_free (summary->architecture);
  g_free (summary->name);
  g_free (summary->tokenizer_model);
  g_free (summary->tokenizer_pre);
  g_free (summary);
}
