/* sampler.h — picks the next token from a row of logits: greedy,
 * temperature, top-k, top-p, min-p, repetition and presence penalties over
 * a window of recent tokens, with a seeded generator so that a run can be
 * repeated exactly. One sampler serves one generation at a time; it owns
 * scratch sized to the vocabulary, so sampling a token allocates nothing. */
#pragma once

#include <glib.h>

#include "engine/vocab.h"

G_BEGIN_DECLS

typedef struct {
  /* <= 0: greedy (the arg max, lowest id on ties). */
  float   temperature;
  /* Keep the k most likely tokens; 0: all. 1 is greedy. */
  guint   top_k;
  /* Keep the smallest set of most likely tokens whose probability reaches
   * top_p; >= 1: off. */
  float   top_p;
  /* Drop tokens less likely than min_p times the most likely one; 0: off. */
  float   min_p;
  /* A recent token's logit is divided by this when positive and multiplied
   * when negative; 1: off. */
  float   repeat_penalty;
  /* Subtracted once from the logit of every recent token; 0: off. */
  float   presence_penalty;
  /* How many recent tokens the penalties look at. */
  guint   penalty_window;
  guint64 seed;
} DocentSamplerParams;

typedef struct _DocentSampler DocentSampler;

/* Temperature 0.8, top-k 40, top-p 0.95, min-p 0.05, repeat penalty 1.1
 * over 64 tokens, no presence penalty, seed 0. */
void           docent_sampler_params_init (DocentSamplerParams       *params);

DocentSampler *docent_sampler_new         (const DocentSamplerParams *params,
                                           guint                      n_vocab);
void           docent_sampler_free        (DocentSampler             *sampler);
const DocentSamplerParams *
               docent_sampler_params      (DocentSampler             *sampler);
/* Forgets the recent tokens and restarts the generator from the seed. */
void           docent_sampler_reset       (DocentSampler             *sampler);
/* Records a token (from the prompt or one just sampled) for the penalties. */
void           docent_sampler_accept      (DocentSampler             *sampler,
                                           DocentToken                token);
/* The next token for `logits` (n_vocab floats, left unchanged). Does not
 * accept it: call docent_sampler_accept () with what is kept. */
DocentToken    docent_sampler_sample      (DocentSampler             *sampler,
                                           const float               *logits);

/* For tests and tools: applies the penalties for the recent tokens to
 * `logits` in place. */
void           docent_sampler_apply_penalties (DocentSampler         *sampler,
                                               float                 *logits);
/* For tests and tools: the tokens sampling would choose among, after the
 * penalties and every filter; ids (and their renormalised probabilities
 * when `probs` is not NULL) point into the sampler's scratch, valid until
 * its next call. Returns how many; most likely first. */
guint          docent_sampler_candidates  (DocentSampler             *sampler,
                                           const float               *logits,
                                           const DocentToken        **ids,
                                           const float              **probs);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DocentSampler, docent_sampler_free)

G_END_DECLS
