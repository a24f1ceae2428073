/* sampler.c — the token sampler: penalties over recent tokens, then either
 * the arg max or a draw from the distribution left after temperature,
 * top-k, min-p and top-p. Vocabularies reach 150k entries, so nothing here
 * sorts the whole row: top-k and top-p are partial selections (top-p one
 * that follows the cumulative mass), and probabilities come from one pass
 * of exponentials.
 *
 * The filters all keep a best-first prefix of the candidates, so their
 * order only matters through top-p's normaliser, which is the mass of the
 * tokens top-k kept (as when temperature, top-k, top-p and min-p are
 * applied one after the other). */
#include "engine/sampler.h"

#include <math.h>
#include <string.h>

struct _DocentSampler {
  DocentSamplerParams params;
  guint n_vocab;
  float *work;          /* the logits after penalties */
  DocentToken *ids;     /* candidates */
  float *probs;         /* their unnormalised probabilities */
  guint32 *seen;        /* per token: the stamp of the last penalty pass */
  guint32 stamp;
  DocentToken *recent;  /* ring of the last penalty_window tokens */
  guint n_recent;
  guint recent_head;
  guint64 rng[4];
};

void
docent_sampler_params_init (DocentSamplerParams *params)
{
  params->temperature = 0.8f;
  params->top_k = 40;
  params->top_p = 0.95f;
  params->min_p = 0.05f;
  params->repeat_penalty = 1.1f;
  params->presence_penalty = 0.0f;
  params->penalty_window = 64;
  params->seed = 0;
}

/* ---- random numbers: xoshiro256** seeded through splitmix64 ------------ */

static guint64
splitmix64 (guint64 *state)
{
  guint64 z = (*state += G_GUINT64_CONSTANT (0x9E3779B97F4A7C15));

  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94D049BB133111EB);
  return z ^ (z >> 31);
}

static inline guint64
rotl (guint64 x,
      int     k)
{
  return (x << k) | (x >> (64 - k));
}

static guint64
rng_next (guint64 s[4])
{
  guint64 result = rotl (s[1] * 5, 7) * 9;
  guint64 t = s[1] << 17;

  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl (s[3], 45);
  return result;
}

/* Uniform in [0, 1), 53 bits. */
static double
rng_uniform (guint64 s[4])
{
  return (double) (rng_next (s) >> 11) * (1.0 / 9007199254740992.0);
}

static void
rng_seed (guint64 s[4],
          guint64 seed)
{
  for (int i = 0; i < 4; i++)
    s[i] = splitmix64 (&seed);
}

/* ---- life cycle ----------------------------------------------------------- */

DocentSampler *
docent_sampler_new (const DocentSamplerParams *params,
                    guint                      n_vocab)
{
  DocentSampler *sampler;

  g_return_val_if_fail (n_vocab > 0, NULL);
  sampler = g_new0 (DocentSampler, 1);
  sampler->params = *params;
  sampler->n_vocab = n_vocab;
  sampler->work = g_new (float, n_vocab);
  sampler->ids = g_new (DocentToken, n_vocab);
  sampler->probs = g_new (float, n_vocab);
  sampler->seen = g_new0 (guint32, n_vocab);
  sampler->recent = g_new (DocentToken, MAX (params->penalty_window, 1));
  docent_sampler_reset (sampler);
  return sampler;
}

void
docent_sampler_free (DocentSampler *sampler)
{
  if (sampler == NULL)
    return;
  g_free (sampler->work);
  g_free (sampler->ids);
  g_free (sampler->probs);
  g_free (sampler->seen);
  g_free (sampler->recent);
  g_free (sampler);
}

const DocentSamplerParams *
docent_sampler_params (DocentSampler *sampler)
{
  return &sampler->params;
}

void
docent_sampler_reset (DocentSampler *sampler)
{
  sampler->n_recent = 0;
  sampler->recent_head = 0;
  rng_seed (sampler->rng, sampler->params.seed);
}

void
docent_sampler_accept (DocentSampler *sampler,
                       DocentToken    token)
{
  guint window = sampler->params.penalty_window;

  if (window == 0 || token < 0 || (guint) token >= sampler->n_vocab)
    return;
  sampler->recent[sampler->recent_head] = token;
  sampler->recent_head = (sampler->recent_head + 1) % window;
  if (sampler->n_recent < window)
    sampler->n_recent++;
}

/* ---- penalties ------------------------------------------------------------ */

static gboolean
penalties_active (const DocentSamplerParams *params)
{
  return params->repeat_penalty != 1.0f || params->presence_penalty != 0.0f;
}

/* A fresh stamp marks "already penalised in this pass" without clearing
 * the per-token array every token. */
static guint32
next_stamp (DocentSampler *sampler)
{
  if (++sampler->stamp == 0)
    {
      memset (sampler->seen, 0, sampler->n_vocab * sizeof (guint32));
      sampler->stamp = 1;
    }
  return sampler->stamp;
}

/* Each distinct recent token is penalised once, however often it came. */
void
docent_sampler_apply_penalties (DocentSampler *sampler,
                                float         *logits)
{
  const DocentSamplerParams *params = &sampler->params;
  guint32 stamp;

  if (!penalties_active (params) || sampler->n_recent == 0)
    return;
  stamp = next_stamp (sampler);
  for (guint i = 0; i < sampler->n_recent; i++)
    {
      DocentToken t = sampler->recent[i];
      float *l = &logits[t];

      if (sampler->seen[t] == stamp)
        continue;
      sampler->seen[t] = stamp;
      if (params->repeat_penalty > 0.0f)
        *l = *l > 0.0f ? *l / params->repeat_penalty : *l * params->repeat_penalty;
      *l -= params->presence_penalty;
    }
}

/* Copies the logits into the scratch row, penalised, with NaN made -inf
 * (a NaN would break every comparison below); returns the arg max. */
static DocentToken
prepare (DocentSampler *sampler,
         const float   *logits)
{
  float *w = sampler->work;
  DocentToken best = 0;

  memcpy (w, logits, sampler->n_vocab * sizeof (float));
  docent_sampler_apply_penalties (sampler, w);
  for (guint i = 0; i < sampler->n_vocab; i++)
    {
      if (isnan (w[i]))
        w[i] = -INFINITY;
      if (w[i] > w[best])
        best = (DocentToken) i;
    }
  return best;
}

/* ---- ordering candidates -------------------------------------------------- */

/* Higher logit first; the lower id first on ties, so the order is total
 * and every run is the same. */
static inline gboolean
before (const float *w,
        DocentToken  a,
        DocentToken  b)
{
  return w[a] > w[b] || (w[a] == w[b] && a < b);
}

static inline void
swap_ids (DocentToken *ids,
          guint        i,
          guint        j)
{
  DocentToken t = ids[i];

  ids[i] = ids[j];
  ids[j] = t;
}

/* Lomuto partition of ids[lo..hi] around the median of three; returns the
 * pivot's final index. */
static guint
partition (DocentToken *ids,
           guint        lo,
           guint        hi,
           const float *w)
{
  guint mid = lo + (hi - lo) / 2, store = lo;
  DocentToken pivot;

  if (before (w, ids[mid], ids[lo]))
    swap_ids (ids, mid, lo);
  if (before (w, ids[hi], ids[lo]))
    swap_ids (ids, hi, lo);
  if (before (w, ids[hi], ids[mid]))
    swap_ids (ids, hi, mid);
  /* now ids[lo] ≥ ids[mid] ≥ ids[hi] in order; use the median */
  swap_ids (ids, mid, hi);
  pivot = ids[hi];
  for (guint i = lo; i < hi; i++)
    if (before (w, ids[i], pivot))
      swap_ids (ids, i, store++);
  swap_ids (ids, store, hi);
  return store;
}

/* Rearranges ids[0..n) so that its first k are the k best, in any order. */
static void
select_best (DocentToken *ids,
             guint        n,
             guint        k,
             const float *w)
{
  guint lo = 0, hi = n - 1;

  if (k == 0 || k >= n)
    return;
  while (lo < hi)
    {
      guint p = partition (ids, lo, hi, w);

      if (p == k || p == k - 1)
        return;
      if (p > k)
        hi = p - 1;
      else
        lo = p + 1;
    }
}

static void
insertion_sort (DocentToken *ids,
                guint        n,
                const float *w)
{
  for (guint i = 1; i < n; i++)
    {
      DocentToken t = ids[i];
      guint j = i;

      for (; j > 0 && before (w, t, ids[j - 1]); j--)
        ids[j] = ids[j - 1];
      ids[j] = t;
    }
}

/* Quicksort, recursing into the smaller side so the stack stays shallow. */
static void
sort_best (DocentToken *ids,
           guint        n,
           const float *w)
{
  while (n > 16)
    {
      guint p = partition (ids, 0, n - 1, w);

      if (p < n - p - 1)
        {
          sort_best (ids, p, w);
          ids += p + 1;
          n -= p + 1;
        }
      else
        {
          sort_best (ids + p + 1, n - p - 1, w);
          n = p;
        }
    }
  insertion_sort (ids, n, w);
}

/* ---- filtering ------------------------------------------------------------ */

/* ids[0..n) all tokens, or the top_k best. */
static guint
apply_top_k (DocentSampler *sampler)
{
  guint n = sampler->n_vocab, k = sampler->params.top_k;

  for (guint i = 0; i < n; i++)
    sampler->ids[i] = (DocentToken) i;
  if (k == 0 || k >= n)
    return n;
  select_best (sampler->ids, n, k, sampler->work);
  return k;
}

/* Fills probs[] for ids[0..n) with exponentials relative to the max and
 * keeps the tokens min-p allows (they hold at least min_p of the max's
 * probability, and the max's is exp(0) = 1). With `total` it also sums
 * the exponentials of all of ids[0..n), which top-p measures against;
 * without, tokens under the threshold are skipped before any exponential. */
static guint
apply_min_p (DocentSampler *sampler,
             guint          n,
             float          max,
             double        *total)
{
  float t = sampler->params.temperature, inv_t = 1.0f / t;
  float min_p = sampler->params.min_p;
  float floor_logit = min_p > 0.0f ? max + t * logf (min_p) : -INFINITY;
  double z = 0.0;
  guint kept = 0;

  for (guint i = 0; i < n; i++)
    {
      DocentToken id = sampler->ids[i];
      float e;

      if (total == NULL && sampler->work[id] < floor_logit)
        continue;
      e = expf ((sampler->work[id] - max) * inv_t);
      z += e;
      if (e >= min_p && e > 0.0f)
        {
          sampler->ids[kept] = id;
          sampler->probs[kept++] = e;
        }
    }
  if (total != NULL)
    *total = z;
  return kept;
}

static void
recompute_probs (DocentSampler *sampler,
                 guint          lo,
                 guint          hi,
                 float          max)
{
  float inv_t = 1.0f / sampler->params.temperature;

  for (guint i = lo; i < hi; i++)
    sampler->probs[i] = expf ((sampler->work[sampler->ids[i]] - max) * inv_t);
}

static inline void
swap_pairs (DocentSampler *sampler,
            guint          i,
            guint          j)
{
  float p = sampler->probs[i];

  swap_ids (sampler->ids, i, j);
  sampler->probs[i] = sampler->probs[j];
  sampler->probs[j] = p;
}

/* partition () for ids with their probabilities alongside. */
static guint
partition_pairs (DocentSampler *sampler,
                 guint          lo,
                 guint          hi)
{
  const float *w = sampler->work;
  DocentToken *ids = sampler->ids;
  guint mid = lo + (hi - lo) / 2, store = lo;
  DocentToken pivot;

  if (before (w, ids[mid], ids[lo]))
    swap_pairs (sampler, mid, lo);
  if (before (w, ids[hi], ids[lo]))
    swap_pairs (sampler, hi, lo);
  if (before (w, ids[hi], ids[mid]))
    swap_pairs (sampler, hi, mid);
  swap_pairs (sampler, mid, hi);
  pivot = ids[hi];
  for (guint i = lo; i < hi; i++)
    if (before (w, ids[i], pivot))
      swap_pairs (sampler, i, store++);
  swap_pairs (sampler, store, hi);
  return store;
}

static double
mass (const float *probs,
      guint        lo,
      guint        hi)
{
  double sum = 0.0;

  for (guint i = lo; i < hi; i++)
    sum += probs[i];
  return sum;
}

/* Keeps the smallest set of best tokens holding top_p of `total`, without
 * sorting: a selection that partitions by logit and follows the side where
 * the cumulative mass crosses the threshold (expected linear time, where
 * a flat distribution would make any sort-based cut sort everything).
 * [0, lo) always holds the best tokens, of mass `acc`, below the threshold. */
static guint
apply_top_p (DocentSampler *sampler,
             guint          n,
             float          max,
             double         total)
{
  double want = sampler->params.top_p * total, acc = 0.0;
  guint lo = 0, hi = n;

  while (hi - lo > 32)
    {
      guint p = partition_pairs (sampler, lo, hi - 1);
      double upper = mass (sampler->probs, lo, p);

      if (acc + upper >= want)
        hi = p;
      else if (acc + upper + sampler->probs[p] >= want)
        return p + 1;
      else
        {
          acc += upper + sampler->probs[p];
          lo = p + 1;
        }
    }
  sort_best (sampler->ids + lo, hi - lo, sampler->work);
  recompute_probs (sampler, lo, hi, max);
  for (guint i = lo; i < hi; i++)
    {
      acc += sampler->probs[i];
      if (acc >= want)
        return i + 1;
    }
  return hi;
}

/* Leaves the candidates in ids/probs[0..n) and returns n (at least 1). */
static guint
filter (DocentSampler *sampler,
        DocentToken    best)
{
  float max = sampler->work[best];
  double total;
  guint n;

  if (isinf (max) && max < 0)
    goto only_best;
  n = apply_top_k (sampler);
  if (sampler->params.top_p < 1.0f)
    {
      n = apply_min_p (sampler, n, max, &total);
      if (n > 0)
        n = apply_top_p (sampler, n, max, total);
    }
  else
    n = apply_min_p (sampler, n, max, NULL);
  if (n == 0)
    goto only_best;
  return n;

only_best:
  sampler->ids[0] = best;
  sampler->probs[0] = 1.0f;
  return 1;
}

static gboolean
is_greedy (const DocentSamplerParams *params)
{
  return params->temperature <= 0.0f || params->top_k == 1;
}

static DocentToken
draw (DocentSampler *sampler,
      guint          n)
{
  double sum = 0.0, r, cum = 0.0;

  for (guint i = 0; i < n; i++)
    sum += sampler->probs[i];
  r = rng_uniform (sampler->rng) * sum;
  for (guint i = 0; i < n; i++)
    {
      cum += sampler->probs[i];
      if (r < cum)
        return sampler->ids[i];
    }
  return sampler->ids[n - 1];
}

/* Greedy without penalties needs no copy of the row. NaN never wins. */
static DocentToken
argmax (const float *logits,
        guint        n)
{
  DocentToken best = 0;

  while ((guint) best + 1 < n && isnan (logits[best]))
    best++;
  for (guint i = best + 1; i < n; i++)
    if (logits[i] > logits[best])
      best = (DocentToken) i;
  return best;
}

DocentToken
docent_sampler_sample (DocentSampler *sampler,
                       const float   *logits)
{
  DocentToken best;

  if (is_greedy (&sampler->params) && !penalties_active (&sampler->params))
    return argmax (logits, sampler->n_vocab);
  best = prepare (sampler, logits);

  if (is_greedy (&sampler->params))
    return best;
  return draw (sampler, filter (sampler, best));
}

guint
docent_sampler_candidates (DocentSampler      *sampler,
                           const float        *logits,
                           const DocentToken **ids,
                           const float       **probs)
{
  DocentToken best = prepare (sampler, logits);
  double sum = 0.0;
  guint n;

  if (is_greedy (&sampler->params))
    {
      sampler->ids[0] = best;
      n = 1;
    }
  else
    n = filter (sampler, best);
  sort_best (sampler->ids, n, sampler->work);
  if (n == 1)
    sampler->probs[0] = 1.0f;
  else
    recompute_probs (sampler, 0, n, sampler->work[best]);
  for (guint i = 0; i < n; i++)
    sum += sampler->probs[i];
  for (guint i = 0; i < n; i++)
    sampler->probs[i] = (float) (sampler->probs[i] / sum);
  *ids = sampler->ids;
  if (probs != NULL)
    *probs = sampler->probs;
  return n;
}
