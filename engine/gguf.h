/* gguf.h — reading GGUF model files (versions 2 and 3, little-endian).
 *
 * A DocentGguf is a validated, read-only view of a file: metadata values and
 * tensor data stay in the mapping and are read on demand (a 150k-token
 * vocabulary costs no per-string allocation). Every count, length, offset and
 * size is checked against the file before it is used, so a hostile file gives
 * a GError, never a crash.
 *
 * Pointers returned by the accessors (strings, values, tensors, data) are
 * valid as long as the DocentGguf is. GGUF strings are NOT NUL-terminated:
 * the accessors return a pointer and a length; the dup_ variants return a
 * NUL-terminated copy. */
#pragma once

#include <glib.h>

#include "engine/tensor.h"

G_BEGIN_DECLS

#define DOCENT_GGUF_ERROR (docent_gguf_error_quark ())

typedef enum {
  DOCENT_GGUF_ERROR_IO,          /* the file could not be opened or mapped */
  DOCENT_GGUF_ERROR_NOT_GGUF,    /* no GGUF magic */
  DOCENT_GGUF_ERROR_VERSION,     /* version 1, big-endian, or newer than 3 */
  DOCENT_GGUF_ERROR_TRUNCATED,   /* something ends past the end of the file */
  DOCENT_GGUF_ERROR_INVALID,     /* malformed: bad type, count, alignment, … */
  DOCENT_GGUF_ERROR_NO_KEY,      /* getter: the key is absent */
  DOCENT_GGUF_ERROR_TYPE,        /* getter: wrong type, or out of range */
} DocentGgufError;

GQuark docent_gguf_error_quark (void);

/* Metadata value types; numbering is the file format's. */
typedef enum {
  DOCENT_GGUF_TYPE_UINT8 = 0,
  DOCENT_GGUF_TYPE_INT8 = 1,
  DOCENT_GGUF_TYPE_UINT16 = 2,
  DOCENT_GGUF_TYPE_INT16 = 3,
  DOCENT_GGUF_TYPE_UINT32 = 4,
  DOCENT_GGUF_TYPE_INT32 = 5,
  DOCENT_GGUF_TYPE_FLOAT32 = 6,
  DOCENT_GGUF_TYPE_BOOL = 7,
  DOCENT_GGUF_TYPE_STRING = 8,
  DOCENT_GGUF_TYPE_ARRAY = 9,
  DOCENT_GGUF_TYPE_UINT64 = 10,
  DOCENT_GGUF_TYPE_INT64 = 11,
  DOCENT_GGUF_TYPE_FLOAT64 = 12,
  DOCENT_GGUF_TYPE_COUNT = 13,
} DocentGgufType;

/* "uint32", "string", "array", …; "unknown" for other numbers. */
const char *docent_gguf_type_name (guint32 type);

#define DOCENT_GGUF_DEFAULT_ALIGNMENT 32
#define DOCENT_GGUF_MAX_DIMS 4
/* Arrays nested deeper than this are refused (an array of arrays is 2). */
#define DOCENT_GGUF_MAX_DEPTH 8

typedef struct _DocentGguf DocentGguf;
/* A metadata value (scalar, string or array), or an element of an array of
 * arrays. Owned by its DocentGguf. */
typedef struct _DocentGgufValue DocentGgufValue;

typedef struct {
  const char *name;                    /* NUL-terminated copy */
  guint32 n_dims;                      /* 0 (a scalar) … DOCENT_GGUF_MAX_DIMS */
  guint64 dims[DOCENT_GGUF_MAX_DIMS];  /* dims[0] is the row length; unused = 1 */
  guint32 type;                        /* a DocentTensorType */
  guint64 offset;                      /* from the start of the data section */
  guint64 n_elements;
  guint64 n_bytes;
  const guint8 *data;                  /* into the mapping, aligned as the file says */
} DocentGgufTensor;

/* ---- opening ------------------------------------------------------------ */

DocentGguf   *docent_gguf_open          (const char  *path,
                                         GError     **error);
/* Keeps a reference to `bytes`; used by the fuzzer and tests. */
DocentGguf   *docent_gguf_open_bytes    (GBytes      *bytes,
                                         GError     **error);
/* A DocentGguf never changes after opening: any number of threads may read
 * it at once, and references may be taken and dropped from any thread. */
DocentGguf   *docent_gguf_ref           (DocentGguf  *gguf);
void          docent_gguf_unref         (DocentGguf  *gguf);

guint32       docent_gguf_version       (DocentGguf  *gguf);
guint64       docent_gguf_file_size     (DocentGguf  *gguf);
guint32       docent_gguf_alignment     (DocentGguf  *gguf);
/* Where tensor data starts (tensor offsets are relative to it). */
guint64       docent_gguf_data_offset   (DocentGguf  *gguf);
/* The whole file. */
const guint8 *docent_gguf_bytes         (DocentGguf  *gguf,
                                         gsize       *size);

/* ---- metadata ----------------------------------------------------------- */

/* Keys in file order. */
gsize                  docent_gguf_n_kv        (DocentGguf  *gguf);
const char            *docent_gguf_key         (DocentGguf  *gguf,
                                                gsize        i);
const DocentGgufValue *docent_gguf_value       (DocentGguf  *gguf,
                                                gsize        i);
/* NULL when the key is absent. */
const DocentGgufValue *docent_gguf_lookup      (DocentGguf  *gguf,
                                                const char  *key);
gboolean               docent_gguf_has_key     (DocentGguf  *gguf,
                                                const char  *key);

/* Typed getters by key. Integers convert between integer types when the
 * value fits (a u32 can be read from an int64 holding 7); floats read any
 * numeric type; bools read bool (or an integer 0 or 1). Fail with NO_KEY
 * when absent, TYPE when the type does not convert or the value does not
 * fit; the message names the key. */
gboolean     docent_gguf_get_u32       (DocentGguf  *gguf,
                                        const char  *key,
                                        guint32     *out,
                                        GError     **error);
gboolean     docent_gguf_get_i32       (DocentGguf  *gguf,
                                        const char  *key,
                                        gint32      *out,
                                        GError     **error);
gboolean     docent_gguf_get_u64       (DocentGguf  *gguf,
                                        const char  *key,
                                        guint64     *out,
                                        GError     **error);
gboolean     docent_gguf_get_i64       (DocentGguf  *gguf,
                                        const char  *key,
                                        gint64      *out,
                                        GError     **error);
gboolean     docent_gguf_get_f32       (DocentGguf  *gguf,
                                        const char  *key,
                                        float       *out,
                                        GError     **error);
gboolean     docent_gguf_get_f64       (DocentGguf  *gguf,
                                        const char  *key,
                                        double      *out,
                                        GError     **error);
gboolean     docent_gguf_get_bool      (DocentGguf  *gguf,
                                        const char  *key,
                                        gboolean    *out,
                                        GError     **error);
/* Pointer into the mapping and its length in bytes (not NUL-terminated). */
const char  *docent_gguf_get_string    (DocentGguf  *gguf,
                                        const char  *key,
                                        gsize       *len,
                                        GError     **error);
/* A NUL-terminated copy; fails if the string holds a NUL byte. */
char        *docent_gguf_dup_string    (DocentGguf  *gguf,
                                        const char  *key,
                                        GError     **error);
/* An array whose elements have type `elem_type` (-1: any). */
const DocentGgufValue *docent_gguf_get_array (DocentGguf  *gguf,
                                              const char  *key,
                                              int          elem_type,
                                              GError     **error);

/* ---- values ------------------------------------------------------------- */

DocentGgufType docent_gguf_value_type     (const DocentGgufValue *value);
gboolean       docent_gguf_value_get_u32  (const DocentGgufValue *value,
                                           guint32               *out,
                                           GError               **error);
gboolean       docent_gguf_value_get_i32  (const DocentGgufValue *value,
                                           gint32                *out,
                                           GError               **error);
gboolean       docent_gguf_value_get_u64  (const DocentGgufValue *value,
                                           guint64               *out,
                                           GError               **error);
gboolean       docent_gguf_value_get_i64  (const DocentGgufValue *value,
                                           gint64                *out,
                                           GError               **error);
gboolean       docent_gguf_value_get_f32  (const DocentGgufValue *value,
                                           float                 *out,
                                           GError               **error);
gboolean       docent_gguf_value_get_f64  (const DocentGgufValue *value,
                                           double                *out,
                                           GError               **error);
gboolean       docent_gguf_value_get_bool (const DocentGgufValue *value,
                                           gboolean              *out,
                                           GError               **error);
/* NULL (and *len = 0) when the value is not a string. */
const char    *docent_gguf_value_get_string (const DocentGgufValue *value,
                                             gsize                 *len);

/* ---- arrays (values of type DOCENT_GGUF_TYPE_ARRAY) ---------------------
 * Elements are read lazily from the mapping. Out-of-range indices and
 * element type mismatches return NULL / FALSE; numeric element getters
 * convert like the key getters. */

DocentGgufType docent_gguf_array_type       (const DocentGgufValue *array);
guint64        docent_gguf_array_length     (const DocentGgufValue *array);
const char    *docent_gguf_array_get_string (const DocentGgufValue *array,
                                             guint64                i,
                                             gsize                 *len);
/* Element `i` of an array of arrays. */
const DocentGgufValue *docent_gguf_array_get_array (const DocentGgufValue *array,
                                                    guint64                i);
gboolean       docent_gguf_array_get_u32    (const DocentGgufValue *array,
                                             guint64                i,
                                             guint32               *out);
gboolean       docent_gguf_array_get_i32    (const DocentGgufValue *array,
                                             guint64                i,
                                             gint32                *out);
gboolean       docent_gguf_array_get_u64    (const DocentGgufValue *array,
                                             guint64                i,
                                             guint64               *out);
gboolean       docent_gguf_array_get_i64    (const DocentGgufValue *array,
                                             guint64                i,
                                             gint64                *out);
gboolean       docent_gguf_array_get_f32    (const DocentGgufValue *array,
                                             guint64                i,
                                             float                 *out);
gboolean       docent_gguf_array_get_f64    (const DocentGgufValue *array,
                                             guint64                i,
                                             double                *out);
gboolean       docent_gguf_array_get_bool   (const DocentGgufValue *array,
                                             guint64                i,
                                             gboolean              *out);
/* Whole numeric arrays converted into caller memory of
 * docent_gguf_array_length() elements (e.g. tokenizer.ggml.scores,
 * tokenizer.ggml.token_type); fail naming the first element that does not
 * convert. */
gboolean       docent_gguf_array_copy_f32   (const DocentGgufValue *array,
                                             float                 *out,
                                             GError               **error);
gboolean       docent_gguf_array_copy_i32   (const DocentGgufValue *array,
                                             gint32                *out,
                                             GError               **error);

/* ---- tensors ------------------------------------------------------------ */

gsize                   docent_gguf_n_tensors   (DocentGguf  *gguf);
const DocentGgufTensor *docent_gguf_tensor      (DocentGguf  *gguf,
                                                 gsize        i);
/* NULL when absent. */
const DocentGgufTensor *docent_gguf_find_tensor (DocentGguf  *gguf,
                                                 const char  *name);

/* ---- summary (for `models info`) ---------------------------------------- */

typedef struct {
  guint32 version;
  guint64 file_size;
  char *architecture;       /* general.architecture, or NULL */
  char *name;               /* general.name, or NULL */
  guint64 n_tensors;
  guint64 n_params;         /* sum of tensor elements */
  guint64 n_bytes;          /* sum of tensor data sizes */
  guint64 type_count[DOCENT_TYPE_COUNT];
  guint64 type_bytes[DOCENT_TYPE_COUNT];
  guint64 context_length;   /* <arch>.context_length; 0 when absent */
  guint64 embedding_length; /* <arch>.embedding_length; 0 when absent */
  guint64 block_count;      /* <arch>.block_count; 0 when absent */
  guint64 vocab_size;       /* tokenizer.ggml.tokens length; 0 when absent */
  char *tokenizer_model;    /* tokenizer.ggml.model, or NULL */
  char *tokenizer_pre;      /* tokenizer.ggml.pre, or NULL */
  gboolean has_chat_template;
} DocentGgufSummary;

DocentGgufSummary *docent_gguf_summarize    (DocentGguf        *gguf);
void               docent_gguf_summary_free (DocentGgufSummary *summary);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DocentGguf, docent_gguf_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DocentGgufSummary, docent_gguf_summary_free)

G_END_DECLS
