/* gguf-writer.h — building GGUF (version 3) files in memory: metadata of
 * every type, nested arrays, tensors; written to GBytes or atomically to a
 * file. Made for tests and tools that need small models. */
#pragma once

#include <glib.h>

#include "engine/gguf.h"

G_BEGIN_DECLS

typedef struct _DocentGgufWriter DocentGgufWriter;
/* An array value under construction; elements all of one type. */
typedef struct _DocentGgufArrayBuilder DocentGgufArrayBuilder;

DocentGgufWriter *docent_gguf_writer_new  (void);
void              docent_gguf_writer_free (DocentGgufWriter *writer);

/* ---- metadata ------------------------------------------------------------
 * Keys are written in the order they are first added; adding a key again
 * replaces its value in place. */

void docent_gguf_writer_add_u8     (DocentGgufWriter *writer,
                                    const char       *key,
                                    guint8            value);
void docent_gguf_writer_add_i8     (DocentGgufWriter *writer,
                                    const char       *key,
                                    gint8             value);
void docent_gguf_writer_add_u16    (DocentGgufWriter *writer,
                                    const char       *key,
                                    guint16           value);
void docent_gguf_writer_add_i16    (DocentGgufWriter *writer,
                                    const char       *key,
                                    gint16            value);
void docent_gguf_writer_add_u32    (DocentGgufWriter *writer,
                                    const char       *key,
                                    guint32           value);
void docent_gguf_writer_add_i32    (DocentGgufWriter *writer,
                                    const char       *key,
                                    gint32            value);
void docent_gguf_writer_add_u64    (DocentGgufWriter *writer,
                                    const char       *key,
                                    guint64           value);
void docent_gguf_writer_add_i64    (DocentGgufWriter *writer,
                                    const char       *key,
                                    gint64            value);
void docent_gguf_writer_add_f32    (DocentGgufWriter *writer,
                                    const char       *key,
                                    float             value);
void docent_gguf_writer_add_f64    (DocentGgufWriter *writer,
                                    const char       *key,
                                    double            value);
void docent_gguf_writer_add_bool   (DocentGgufWriter *writer,
                                    const char       *key,
                                    gboolean          value);
void docent_gguf_writer_add_string (DocentGgufWriter *writer,
                                    const char       *key,
                                    const char       *value);
/* Any bytes, embedded NULs included. */
void docent_gguf_writer_add_string_len (DocentGgufWriter *writer,
                                        const char       *key,
                                        const char       *value,
                                        gsize             len);
/* A numeric or bool array from a C array of the matching element type
 * (guint8 … double; one byte per bool). */
void docent_gguf_writer_add_array  (DocentGgufWriter *writer,
                                    const char       *key,
                                    DocentGgufType    elem_type,
                                    gconstpointer     elems,
                                    gsize             n);
/* `n` strings, or up to NULL when n < 0. */
void docent_gguf_writer_add_strv   (DocentGgufWriter   *writer,
                                    const char         *key,
                                    const char * const *strings,
                                    gssize              n);
/* Takes ownership of `array`. */
void docent_gguf_writer_add_array_value (DocentGgufWriter       *writer,
                                         const char             *key,
                                         DocentGgufArrayBuilder *array);
/* Sets general.alignment (a power of two) and pads tensor data to it;
 * without it, data is aligned to DOCENT_GGUF_DEFAULT_ALIGNMENT. */
void docent_gguf_writer_set_alignment (DocentGgufWriter *writer,
                                       guint32           alignment);

/* ---- array builders ------------------------------------------------------ */

DocentGgufArrayBuilder *docent_gguf_array_builder_new  (DocentGgufType elem_type);
void                    docent_gguf_array_builder_free (DocentGgufArrayBuilder *array);
/* Appends one element; the value is converted to the element type (it must
 * be a numeric or bool type for these three). */
void docent_gguf_array_builder_append_int    (DocentGgufArrayBuilder *array,
                                              gint64                  value);
void docent_gguf_array_builder_append_uint   (DocentGgufArrayBuilder *array,
                                              guint64                 value);
void docent_gguf_array_builder_append_double (DocentGgufArrayBuilder *array,
                                              double                  value);
void docent_gguf_array_builder_append_string (DocentGgufArrayBuilder *array,
                                              const char             *value,
                                              gssize                  len);
/* For arrays of arrays; takes ownership of `element`. */
void docent_gguf_array_builder_append_array  (DocentGgufArrayBuilder *array,
                                              DocentGgufArrayBuilder *element);

/* ---- tensors ------------------------------------------------------------- */

/* `dims[0]` is the row length. `size` must equal the type's row bytes times
 * the number of rows; names must be unique. Copies the data. */
gboolean docent_gguf_writer_add_tensor (DocentGgufWriter *writer,
                                        const char       *name,
                                        guint32           n_dims,
                                        const guint64    *dims,
                                        guint32           type,
                                        gconstpointer     data,
                                        gsize             size,
                                        GError          **error);
/* The same without a copy. */
gboolean docent_gguf_writer_add_tensor_bytes (DocentGgufWriter *writer,
                                              const char       *name,
                                              guint32           n_dims,
                                              const guint64    *dims,
                                              guint32           type,
                                              GBytes           *data,
                                              GError          **error);

/* ---- output -------------------------------------------------------------- */

GBytes  *docent_gguf_writer_to_bytes   (DocentGgufWriter  *writer,
                                        GError           **error);
/* Through a temporary file renamed over `path` (mode 0600), so readers never
 * see half a file. */
gboolean docent_gguf_writer_write_file (DocentGgufWriter  *writer,
                                        const char        *path,
                                        GError           **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DocentGgufWriter, docent_gguf_writer_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DocentGgufArrayBuilder, docent_gguf_array_builder_free)

G_END_DECLS
