/* ops.h — the element-wise and per-row operations of the transformer
 * forward pass that are not matrix products: normalisation, rotary
 * position embedding, activations, softmax and one head's attention.
 * Plain float arrays in, float arrays out; nothing allocates. */
#pragma once

#include <glib.h>
#include <math.h>

G_BEGIN_DECLS

/* out = x / rms(x) * w (w NULL: no weight). out may be x. */
void  docent_rmsnorm      (float       *out,
                           const float *x,
                           const float *w,
                           guint        n,
                           float        eps);
/* out = (x - mean) / sd * w + b (w, b may be NULL). out may be x. */
void  docent_layernorm    (float       *out,
                           const float *x,
                           const float *w,
                           const float *b,
                           guint        n,
                           float        eps);

/* cos and sin of the n_rot / 2 rotation angles at position `pos`, into
 * cs[2i] and cs[2i + 1]: angle_i = pos * scale * base^(-2i / n_rot),
 * divided by factors[i] when factors is not NULL (Llama 3 rope_freqs). */
void  docent_rope_angles  (float       *cs,
                           guint        pos,
                           guint        n_rot,
                           float        base,
                           float        scale,
                           const float *factors);
/* Rotates the first n_rot dimensions of each of `n_heads` heads of
 * `head_dim` floats: pairs (2i, 2i + 1), or with neox (i, i + n_rot / 2). */
void  docent_rope_apply   (float       *x,
                           guint        n_heads,
                           guint        head_dim,
                           guint        n_rot,
                           const float *cs,
                           gboolean     neox);

/* In place, numerically stable. */
void  docent_softmax      (float       *x,
                           guint        n);
/* x = cap * tanh (x / cap). */
void  docent_softcap      (float       *x,
                           guint        n,
                           float        cap);

static inline float
docent_silu (float x)
{
  return x / (1.0f + expf (-x));
}

/* The tanh approximation, as the reference implementation uses; like it,
 * the input and the result are rounded to half precision (it reads a
 * table indexed by half-precision inputs). */
float docent_gelu         (float        x);

/* gate = act (gate) * up for n elements; act is SiLU or GELU. */
void  docent_swiglu       (float       *gate,
                           const float *up,
                           guint        n);
void  docent_geglu        (float       *gate,
                           const float *up,
                           guint        n);

/* The `n_q` query heads (head_dim floats each, one after the other) that
 * share one key/value head, against the cached keys and values of
 * positions [first, last): out[h] = softmax (kq_scale * (q_scale q[h]).k,
 * soft-capped when softcap > 0) . v. Keys and values are half-precision
 * rows `stride` elements apart. As the reference implementation does with
 * a half-precision cache, the (scaled) queries and the attention weights
 * are rounded to half precision before their products; which of the two
 * scales an architecture uses therefore matters in the last bits. The
 * products are summed in the reference's order (16 lanes by position).
 * Scratch: `scores` n_q * (last - first) floats, `work`
 * DOCENT_ATTENTION_WORK (n_q, head_dim) floats. */
#define DOCENT_ATTENTION_WORK(n_q, head_dim) ((17 * (gsize) (n_q) + 1) * (head_dim))
void  docent_attention_group (float            *out,
                              const float      *q,
                              guint             n_q,
                              const guint16    *k,
                              const guint16    *v,
                              gsize             stride,
                              guint             head_dim,
                              guint             first,
                              guint             last,
                              float             q_scale,
                              float             kq_scale,
                              float             softcap,
                              float            *scores,
                              float            *work);

G_END_DECLS
