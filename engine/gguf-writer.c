/* gguf-writer.c — the GGUF writer: metadata values are serialized as they
 * are added (so nested arrays cost nothing special), tensors are kept as
 * GBytes, and the file is laid out only when written: header, tensor infos,
 * padding, then each tensor's data at its aligned offset. */
#include "engine/gguf-writer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define GGUF_VERSION 3

typedef struct {
  char *key;
  GByteArray *value;   /* u32 type, then the value as the file holds it */
} WriterKv;

typedef struct {
  char *name;
  guint32 n_dims;
  guint64 dims[DOCENT_GGUF_MAX_DIMS];
  guint32 type;
  GBytes *data;
  guint64 offset;      /* set while writing */
} WriterTensor;

struct _DocentGgufWriter {
  GPtrArray *kvs;          /* WriterKv *, in order of first addition */
  GHashTable *kv_index;    /* key → WriterKv * */
  GPtrArray *tensors;      /* WriterTensor * */
  GHashTable *tensor_names;
};

struct _DocentGgufArrayBuilder {
  DocentGgufType elem_type;
  guint64 count;
  GByteArray *payload;     /* the elements, serialized */
};

typedef gboolean (*EmitFunc) (gconstpointer  data,
                              gsize          size,
                              gpointer       user_data,
                              GError       **error);

/* ---- serialization ------------------------------------------------------- */

static void
put_u32 (GByteArray *out,
         guint32     v)
{
  v = GUINT32_TO_LE (v);
  g_byte_array_append (out, (const guint8 *) &v, 4);
}

static void
put_u64 (GByteArray *out,
         guint64     v)
{
  v = GUINT64_TO_LE (v);
  g_byte_array_append (out, (const guint8 *) &v, 8);
}

static void
put_string (GByteArray *out,
            const char *s,
            gsize       len)
{
  put_u64 (out, len);
  g_byte_array_append (out, (const guint8 *) s, len);
}

static gsize
scalar_size (DocentGgufType type)
{
  switch (type)
    {
    case DOCENT_GGUF_TYPE_UINT8: case DOCENT_GGUF_TYPE_INT8: case DOCENT_GGUF_TYPE_BOOL:
      return 1;
    case DOCENT_GGUF_TYPE_UINT16: case DOCENT_GGUF_TYPE_INT16:
      return 2;
    case DOCENT_GGUF_TYPE_UINT32: case DOCENT_GGUF_TYPE_INT32: case DOCENT_GGUF_TYPE_FLOAT32:
      return 4;
    case DOCENT_GGUF_TYPE_UINT64: case DOCENT_GGUF_TYPE_INT64: case DOCENT_GGUF_TYPE_FLOAT64:
      return 8;
    default:
      return 0;
    }
}

/* `src` holds one element in host order; it is appended little-endian. */
static void
put_scalar (GByteArray     *out,
            DocentGgufType  type,
            gconstpointer   src)
{
  guint8 bytes[8];
  gsize size = scalar_size (type);

  memcpy (bytes, src, size);
  if (G_BYTE_ORDER == G_BIG_ENDIAN)
    for (gsize i = 0; i < size / 2; i++)
      {
        guint8 tmp = bytes[i];

        bytes[i] = bytes[size - 1 - i];
        bytes[size - 1 - i] = tmp;
      }
  g_byte_array_append (out, bytes, size);
}

/* Numbers given as integers or doubles, stored as `type`. */
static void
put_converted (GByteArray     *out,
               DocentGgufType  type,
               gint64          i,
               double          f,
               gboolean        is_float)
{
  union { guint8 u8; gint8 i8; guint16 u16; gint16 i16; guint32 u32; gint32 i32;
          guint64 u64; gint64 i64; float f32; double f64; } v;

  switch (type)
    {
    case DOCENT_GGUF_TYPE_UINT8: v.u8 = is_float ? (guint8) f : (guint8) i; break;
    case DOCENT_GGUF_TYPE_INT8: v.i8 = is_float ? (gint8) f : (gint8) i; break;
    case DOCENT_GGUF_TYPE_BOOL: v.u8 = is_float ? f != 0.0 : i != 0; break;
    case DOCENT_GGUF_TYPE_UINT16: v.u16 = is_float ? (guint16) f : (guint16) i; break;
    case DOCENT_GGUF_TYPE_INT16: v.i16 = is_float ? (gint16) f : (gint16) i; break;
    case DOCENT_GGUF_TYPE_UINT32: v.u32 = is_float ? (guint32) f : (guint32) i; break;
    case DOCENT_GGUF_TYPE_INT32: v.i32 = is_float ? (gint32) f : (gint32) i; break;
    case DOCENT_GGUF_TYPE_UINT64: v.u64 = is_float ? (guint64) f : (guint64) i; break;
    case DOCENT_GGUF_TYPE_INT64: v.i64 = is_float ? (gint64) f : i; break;
    case DOCENT_GGUF_TYPE_FLOAT32: v.f32 = is_float ? (float) f : (float) i; break;
    case DOCENT_GGUF_TYPE_FLOAT64: v.f64 = is_float ? f : (double) i; break;
    default: g_return_if_reached ();
    }
  put_scalar (out, type, &v);
}

/* ---- metadata ------------------------------------------------------------ */

static void
writer_kv_free (WriterKv *kv)
{
  g_free (kv->key);
  g_byte_array_unref (kv->value);
  g_free (kv);
}

static void
writer_tensor_free (WriterTensor *t)
{
  g_free (t->name);
  g_bytes_unref (t->data);
  g_free (t);
}

DocentGgufWriter *
docent_gguf_writer_new (void)
{
  DocentGgufWriter *writer = g_new0 (DocentGgufWriter, 1);

  writer->kvs = g_ptr_array_new_with_free_func ((GDestroyNotify) writer_kv_free);
  writer->kv_index = g_hash_table_new (g_str_hash, g_str_equal);
  writer->tensors = g_ptr_array_new_with_free_func ((GDestroyNotify) writer_tensor_free);
  writer->tensor_names = g_hash_table_new (g_str_hash, g_str_equal);
  return writer;
}

void
docent_gguf_writer_free (DocentGgufWriter *writer)
{
  if (writer == NULL)
    return;
  g_hash_table_unref (writer->tensor_names);
  g_ptr_array_unref (writer->tensors);
  g_hash_table_unref (writer->kv_index);
  g_ptr_array_unref (writer->kvs);
  g_free (writer);
}

/* The value buffer for `key`, emptied, with its type written. */
static GByteArray *
begin_value (DocentGgufWriter *writer,
             const char       *key,
             DocentGgufType    type)
{
  WriterKv *kv = g_hash_table_lookup (writer->kv_index, key);

  if (kv == NULL)
    {
      kv = g_new0 (WriterKv, 1);
      kv->key = g_strdup (key);
      kv->value = g_byte_array_new ();
      g_ptr_array_add (writer->kvs, kv);
      g_hash_table_insert (writer->kv_index, kv->key, kv);
    }
  g_byte_array_set_size (kv->value, 0);
  put_u32 (kv->value, type);
  return kv->value;
}

static void
add_scalar (DocentGgufWriter *writer,
            const char       *key,
            DocentGgufType    type,
            gconstpointer     value)
{
  g_return_if_fail (writer != NULL && key != NULL);

  put_scalar (begin_value (writer, key, type), type, value);
}

void
docent_gguf_writer_add_u8 (DocentGgufWriter *writer,
                           const char       *key,
                           guint8            value)
{
  add_scalar (writer, key, DOCENT_GGUF_TYPE_UINT8, &value);
}

void
docent_gguf_writer_add_i8 (DocentGgufWriter *writer,
                           const char       *key,
                           gint8             value)
{
  add_scalar (writer, key, DOCENT_GGUF_TYPE_INT8, &value);
}

void
docent_gguf_writer_add_u16 (DocentGgufWriter *writer,
                            const char       *key,
                            guint16           value)
{
  add_scalar (writer, key, DOCENT_GGUF_TYPE_UINT16, &value);
}

void
docent_gguf_writer_add_i16 (DocentGgufWriter *writer,
                            const char       *key,
                            gint16            value)
{
  add_scalar (writer, key, DOCENT_GGUF_TYPE_INT16, &value);
}

void
docent_gguf_writer_add_u32 (DocentGgufWriter *writer,
                            const char       *key,
                            guint32           value)
{
  add_scalar (writer, key, DOCENT_GGUF_TYPE_UINT32, &value);
}

void
docent_gguf_writer_add_i32 (DocentGgufWriter *writer,
                            const char       *key,
                            gint32            value)
{
  add_scalar (writer, key, DOCENT_GGUF_TYPE_INT32, &value);
}

void
docent_gguf_writer_add_u64 (DocentGgufWriter *writer,
                            const char       *key,
                            guint64           value)
{
  add_scalar (writer, key, DOCENT_GGUF_TYPE_UINT64, &value);
}

void
docent_gguf_writer_add_i64 (DocentGgufWriter *writer,
                            const char       *key,
                            gint64            value)
{
  add_scalar (writer, key, DOCENT_GGUF_TYPE_INT64, &value);
}

void
docent_gguf_writer_add_f32 (DocentGgufWriter *writer,
                            const char       *key,
                            float             value)
{
  add_scalar (writer, key, DOCENT_GGUF_TYPE_FLOAT32, &value);
}

void
docent_gguf_writer_add_f64 (DocentGgufWriter *writer,
                            const char       *key,
                            double            value)
{
  add_scalar (writer, key, DOCENT_GGUF_TYPE_FLOAT64, &value);
}

void
docent_gguf_writer_add_bool (DocentGgufWriter *writer,
                             const char       *key,
                             gboolean          value)
{
  guint8 byte = value ? 1 : 0;

  add_scalar (writer, key, DOCENT_GGUF_TYPE_BOOL, &byte);
}

void
docent_gguf_writer_add_string_len (DocentGgufWriter *writer,
                                   const char       *key,
                                   const char       *value,
                                   gsize             len)
{
  g_return_if_fail (writer != NULL && key != NULL && (value != NULL || len == 0));

  put_string (begin_value (writer, key, DOCENT_GGUF_TYPE_STRING), value, len);
}

void
docent_gguf_writer_add_string (DocentGgufWriter *writer,
                               const char       *key,
                               const char       *value)
{
  g_return_if_fail (value != NULL);

  docent_gguf_writer_add_string_len (writer, key, value, strlen (value));
}

void
docent_gguf_writer_add_array (DocentGgufWriter *writer,
                              const char       *key,
                              DocentGgufType    elem_type,
                              gconstpointer     elems,
                              gsize             n)
{
  gsize size = scalar_size (elem_type);
  GByteArray *out;

  g_return_if_fail (writer != NULL && key != NULL && size > 0 && (elems != NULL || n == 0));

  out = begin_value (writer, key, DOCENT_GGUF_TYPE_ARRAY);
  put_u32 (out, elem_type);
  put_u64 (out, n);
  for (gsize i = 0; i < n; i++)
    put_scalar (out, elem_type, (const guint8 *) elems + i * size);
}

void
docent_gguf_writer_add_strv (DocentGgufWriter   *writer,
                             const char         *key,
                             const char * const *strings,
                             gssize              n)
{
  GByteArray *out;
  gsize count = n >= 0 ? (gsize) n : g_strv_length ((char **) strings);

  g_return_if_fail (writer != NULL && key != NULL && (strings != NULL || count == 0));

  out = begin_value (writer, key, DOCENT_GGUF_TYPE_ARRAY);
  put_u32 (out, DOCENT_GGUF_TYPE_STRING);
  put_u64 (out, count);
  for (gsize i = 0; i < count; i++)
    put_string (out, strings[i], strlen (strings[i]));
}

void
docent_gguf_writer_add_array_value (DocentGgufWriter       *writer,
                                    const char             *key,
                                    DocentGgufArrayBuilder *array)
{
  GByteArray *out;

  g_return_if_fail (writer != NULL && key != NULL && array != NULL);

  out = begin_value (writer, key, DOCENT_GGUF_TYPE_ARRAY);
  put_u32 (out, array->elem_type);
  put_u64 (out, array->count);
  g_byte_array_append (out, array->payload->data, array->payload->len);
  docent_gguf_array_builder_free (array);
}

void
docent_gguf_writer_set_alignment (DocentGgufWriter *writer,
                                  guint32           alignment)
{
  docent_gguf_writer_add_u32 (writer, "general.alignment", alignment);
}

/* ---- array builders ------------------------------------------------------ */

DocentGgufArrayBuilder *
docent_gguf_array_builder_new (DocentGgufType elem_type)
{
  DocentGgufArrayBuilder *array;

  g_return_val_if_fail (elem_type < DOCENT_GGUF_TYPE_COUNT, NULL);

  array = g_new0 (DocentGgufArrayBuilder, 1);
  array->elem_type = elem_type;
  array->payload = g_byte_array_new ();
  return array;
}

void
docent_gguf_array_builder_free (DocentGgufArrayBuilder *array)
{
  if (array == NULL)
    return;
  g_byte_array_unref (array->payload);
  g_free (array);
}

void
docent_gguf_array_builder_append_int (DocentGgufArrayBuilder *array,
                                      gint64                  value)
{
  g_return_if_fail (array != NULL && scalar_size (array->elem_type) > 0);

  put_converted (array->payload, array->elem_type, value, 0.0, FALSE);
  array->count++;
}

void
docent_gguf_array_builder_append_uint (DocentGgufArrayBuilder *array,
                                       guint64                 value)
{
  g_return_if_fail (array != NULL && scalar_size (array->elem_type) > 0);

  if (array->elem_type == DOCENT_GGUF_TYPE_FLOAT32 || array->elem_type == DOCENT_GGUF_TYPE_FLOAT64)
    put_converted (array->payload, array->elem_type, 0, (double) value, TRUE);
  else
    put_converted (array->payload, array->elem_type, (gint64) value, 0.0, FALSE);
  array->count++;
}

void
docent_gguf_array_builder_append_double (DocentGgufArrayBuilder *array,
                                         double                  value)
{
  g_return_if_fail (array != NULL && scalar_size (array->elem_type) > 0);

  put_converted (array->payload, array->elem_type, 0, value, TRUE);
  array->count++;
}

void
docent_gguf_array_builder_append_string (DocentGgufArrayBuilder *array,
                                         const char             *value,
                                         gssize                  len)
{
  g_return_if_fail (array != NULL && array->elem_type == DOCENT_GGUF_TYPE_STRING);
  g_return_if_fail (value != NULL || len <= 0);

  put_string (array->payload, value, len >= 0 ? (gsize) len : strlen (value));
  array->count++;
}

void
docent_gguf_array_builder_append_array (DocentGgufArrayBuilder *array,
                                        DocentGgufArrayBuilder *element)
{
  g_return_if_fail (array != NULL && array->elem_type == DOCENT_GGUF_TYPE_ARRAY);
  g_return_if_fail (element != NULL);

  put_u32 (array->payload, element->elem_type);
  put_u64 (array->payload, element->count);
  g_byte_array_append (array->payload, element->payload->data, element->payload->len);
  array->count++;
  docent_gguf_array_builder_free (element);
}

/* ---- tensors ------------------------------------------------------------- */

static gboolean
check_tensor (DocentGgufWriter  *writer,
              const char        *name,
              guint32            n_dims,
              const guint64     *dims,
              guint32            type,
              gsize              size,
              GError           **error)
{
  guint64 row_bytes, total;

  if (name == NULL || *name == '\0' || g_hash_table_contains (writer->tensor_names, name))
    {
      g_set_error (error, DOCENT_GGUF_ERROR, DOCENT_GGUF_ERROR_INVALID,
                   "tensor name '%s' is empty or already used", name ? name : "");
      return FALSE;
    }
  if (n_dims < 1 || n_dims > DOCENT_GGUF_MAX_DIMS)
    {
      g_set_error (error, DOCENT_GGUF_ERROR, DOCENT_GGUF_ERROR_INVALID,
                   "tensor '%s' has %u dimensions; 1 to %d are allowed",
                   name, n_dims, DOCENT_GGUF_MAX_DIMS);
      return FALSE;
    }
  if (!docent_type_row_bytes (type, dims[0], &row_bytes, error))
    {
      g_prefix_error (error, "tensor '%s': ", name);
      return FALSE;
    }
  total = row_bytes;
  for (guint d = 1; d < n_dims; d++)
    if (!g_uint64_checked_mul (&total, total, dims[d]))
      total = G_MAXUINT64;
  if (total != size)
    {
      g_set_error (error, DOCENT_GGUF_ERROR, DOCENT_GGUF_ERROR_INVALID,
                   "tensor '%s' needs %" G_GUINT64_FORMAT " bytes of %s data, "
                   "%" G_GSIZE_FORMAT " were given", name, total,
                   docent_type_name (type), size);
      return FALSE;
    }
  return TRUE;
}

gboolean
docent_gguf_writer_add_tensor_bytes (DocentGgufWriter *writer,
                                     const char       *name,
                                     guint32           n_dims,
                                     const guint64    *dims,
                                     guint32           type,
                                     GBytes           *data,
                                     GError          **error)
{
  WriterTensor *t;

  g_return_val_if_fail (writer != NULL && dims != NULL && data != NULL, FALSE);

  if (!check_tensor (writer, name, n_dims, dims, type, g_bytes_get_size (data), error))
    return FALSE;
  t = g_new0 (WriterTensor, 1);
  t->name = g_strdup (name);
  t->n_dims = n_dims;
  for (guint d = 0; d < n_dims; d++)
    t->dims[d] = dims[d];
  t->type = type;
  t->data = g_bytes_ref (data);
  g_ptr_array_add (writer->tensors, t);
  g_hash_table_add (writer->tensor_names, t->name);
  return TRUE;
}

gboolean
docent_gguf_writer_add_tensor (DocentGgufWriter *writer,
                               const char       *name,
                               guint32           n_dims,
                               const guint64    *dims,
                               guint32           type,
                               gconstpointer     data,
                               gsize             size,
                               GError          **error)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);

  return docent_gguf_writer_add_tensor_bytes (writer, name, n_dims, dims, type, bytes, error);
}

/* ---- output -------------------------------------------------------------- */

/* general.alignment when it is a usable uint32; otherwise the default (a bad
 * value is still written, so tests can make files the reader must refuse). */
static guint64
writer_alignment (DocentGgufWriter *writer)
{
  WriterKv *kv = g_hash_table_lookup (writer->kv_index, "general.alignment");
  guint32 type, value;

  if (kv == NULL || kv->value->len != 8)
    return DOCENT_GGUF_DEFAULT_ALIGNMENT;
  memcpy (&type, kv->value->data, 4);
  memcpy (&value, kv->value->data + 4, 4);
  type = GUINT32_FROM_LE (type);
  value = GUINT32_FROM_LE (value);
  if (type != DOCENT_GGUF_TYPE_UINT32 || value == 0 || (value & (value - 1)) != 0)
    return DOCENT_GGUF_DEFAULT_ALIGNMENT;
  return value;
}

static guint64
align_up (guint64 n,
          guint64 alignment)
{
  return (n + alignment - 1) / alignment * alignment;
}

/* Header and tensor infos; assigns each tensor its data offset. */
static GByteArray *
build_header (DocentGgufWriter *writer,
              guint64           alignment)
{
  GByteArray *out = g_byte_array_new ();
  guint64 offset = 0;

  g_byte_array_append (out, (const guint8 *) "GGUF", 4);
  put_u32 (out, GGUF_VERSION);
  put_u64 (out, writer->tensors->len);
  put_u64 (out, writer->kvs->len);
  for (guint i = 0; i < writer->kvs->len; i++)
    {
      WriterKv *kv = g_ptr_array_index (writer->kvs, i);

      put_string (out, kv->key, strlen (kv->key));
      g_byte_array_append (out, kv->value->data, kv->value->len);
    }
  for (guint i = 0; i < writer->tensors->len; i++)
    {
      WriterTensor *t = g_ptr_array_index (writer->tensors, i);

      put_string (out, t->name, strlen (t->name));
      put_u32 (out, t->n_dims);
      for (guint d = 0; d < t->n_dims; d++)
        put_u64 (out, t->dims[d]);
      put_u32 (out, t->type);
      t->offset = offset;
      put_u64 (out, offset);
      offset = align_up (offset + g_bytes_get_size (t->data), alignment);
    }
  return out;
}

static gboolean
emit_padding (guint64    *pos,
              guint64     alignment,
              EmitFunc    emit,
              gpointer    user_data,
              GError    **error)
{
  static const guint8 zeros[4096];
  guint64 pad = align_up (*pos, alignment) - *pos;

  while (pad > 0)
    {
      gsize n = MIN (pad, sizeof zeros);

      if (!emit (zeros, n, user_data, error))
        return FALSE;
      pad -= n;
      *pos += n;
    }
  return TRUE;
}

static gboolean
emit_file (DocentGgufWriter  *writer,
           EmitFunc           emit,
           gpointer           user_data,
           GError           **error)
{
  guint64 alignment = writer_alignment (writer);
  g_autoptr(GByteArray) header = build_header (writer, alignment);
  guint64 pos = header->len;

  if (!emit (header->data, header->len, user_data, error))
    return FALSE;
  for (guint i = 0; i < writer->tensors->len; i++)
    {
      WriterTensor *t = g_ptr_array_index (writer->tensors, i);
      gsize size;
      gconstpointer data = g_bytes_get_data (t->data, &size);

      if (!emit_padding (&pos, alignment, emit, user_data, error)
          || !emit (data, size, user_data, error))
        return FALSE;
      pos += size;
    }
  /* Pad the end too, so the data section is a whole number of blocks. */
  return writer->tensors->len == 0 || emit_padding (&pos, alignment, emit, user_data, error);
}

static gboolean
emit_to_array (gconstpointer   data,
               gsize           size,
               gpointer        user_data,
               GError        **error)
{
  g_byte_array_append (user_data, data, size);
  return TRUE;
}

GBytes *
docent_gguf_writer_to_bytes (DocentGgufWriter  *writer,
                             GError           **error)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();

  g_return_val_if_fail (writer != NULL, NULL);

  if (!emit_file (writer, emit_to_array, out, error))
    return NULL;
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

typedef struct {
  int fd;
  const char *path;
} FileSink;

static gboolean
emit_to_fd (gconstpointer   data,
            gsize           size,
            gpointer        user_data,
            GError        **error)
{
  FileSink *sink = user_data;
  const guint8 *p = data;

  while (size > 0)
    {
      ssize_t n = write (sink->fd, p, size);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          int saved = errno;

          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                       "cannot write %s: %s", sink->path, g_strerror (saved));
          return FALSE;
        }
      p += n;
      size -= (gsize) n;
    }
  return TRUE;
}

static gboolean
finish_file (FileSink    *sink,
             const char  *tmp_path,
             const char  *path,
             GError     **error)
{
  int saved;

  if (fsync (sink->fd) != 0 || close (sink->fd) != 0)
    {
      saved = errno;
      sink->fd = -1;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   "cannot write %s: %s", path, g_strerror (saved));
      return FALSE;
    }
  sink->fd = -1;
  if (rename (tmp_path, path) != 0)
    {
      saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   "cannot rename %s to %s: %s", tmp_path, path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

gboolean
docent_gguf_writer_write_file (DocentGgufWriter  *writer,
                               const char        *path,
                               GError           **error)
{
  g_autofree char *tmp_path = g_strconcat (path, ".XXXXXX", NULL);
  FileSink sink = { -1, path };

  g_return_val_if_fail (writer != NULL && path != NULL, FALSE);

  sink.fd = g_mkstemp_full (tmp_path, O_RDWR | O_CLOEXEC, 0600);
  if (sink.fd < 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   "cannot create a file next to %s: %s", path, g_strerror (saved));
      return FALSE;
    }
  if (emit_file (writer, emit_to_fd, &sink, error)
      && finish_file (&sink, tmp_path, path, error))
    return TRUE;
  if (sink.fd >= 0)
    close (sink.fd);
  unlink (tmp_path);
  return FALSE;
}
