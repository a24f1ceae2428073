/* synth.h — synthetic models: GGUF files with the real shapes and
 * metadata of well-known models but random weights, for benchmarks and
 * tests (no download needed). Quantized weights are written as random
 * blocks with sane scales, so a 500 MB file takes seconds. */
#pragma once

#include "engine/gguf-writer.h"

G_BEGIN_DECLS

typedef struct {
  const char *name;         /* "qwen2.5-0.5b" */
  const char *arch;         /* general.architecture */
  guint n_embd;
  guint n_layer;
  guint n_head;
  guint n_head_kv;
  guint head_dim;           /* 0: n_embd / n_head */
  guint n_ff;
  guint n_vocab;
  guint n_ctx;
  gboolean tied;            /* no output.weight: the embedding is reused */
  guint n_swa;              /* gemma: sliding window, pattern 2 */
  float rope_base;
} DocentSynthShape;

/* Beyond the tensor types: Q4_K with Q6_K for output and ffn_down, the
 * common "Q4_K_M" recipe. */
#define DOCENT_SYNTH_Q4_K_M 1000u

/* NULL for an unknown name; names lists them separated by ", ". */
const DocentSynthShape *docent_synth_shape      (const char              *name);
const char             *docent_synth_shape_names (void);
/* "F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_K", "Q6_K", "Q4_K_M"
 * (case-insensitive); FALSE for others. */
gboolean                docent_synth_parse_type (const char              *name,
                                                 guint32                 *type);

/* The model as a writer. With `exact` the weights are random floats
 * converted to `type` with the real quantizer (slow; the same seed gives
 * the same underlying floats whatever the type, so types can be
 * compared); otherwise quantized blocks are random. */
DocentGgufWriter       *docent_synth_build      (const DocentSynthShape  *shape,
                                                 guint32                  type,
                                                 guint64                  seed,
                                                 gboolean                 exact,
                                                 GError                 **error);
gboolean                docent_synth_write      (const DocentSynthShape  *shape,
                                                 guint32                  type,
                                                 guint64                  seed,
                                                 const char              *path,
                                                 GError                 **error);

G_END_DECLS
