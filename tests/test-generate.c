/* test-generate.c — the sampler, chat templates and the generation loop:
 * UTF-8 streaming, stop tokens and strings, limits and cancellation over a
 * scripted token source, then end to end on a tiny model the test writes. */
#include <math.h>
#include <string.h>

#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "engine/chat.h"
#include "engine/generate.h"
#include "engine/gguf-writer.h"
#include "engine/model.h"
#include "engine/sampler.h"

/* ---- sampler ------------------------------------------------------------- */

static void
fill_random (float   *logits,
             guint    n,
             guint32  seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);

  for (guint i = 0; i < n; i++)
    logits[i] = (float) g_rand_double_range (rand, -10.0, 10.0);
}

static DocentToken
argmax (const float *logits,
        guint        n)
{
  DocentToken best = 0;

  for (guint i = 1; i < n; i++)
    if (logits[i] > logits[best])
      best = (DocentToken) i;
  return best;
}

/* Sampling settings with every filter and penalty off. */
static void
params_plain (DocentSamplerParams *p)
{
  docent_sampler_params_init (p);
  p->temperature = 1.0f;
  p->top_k = 0;
  p->top_p = 1.0f;
  p->min_p = 0.0f;
  p->repeat_penalty = 1.0f;
  p->presence_penalty = 0.0f;
}

static void
test_sampler_greedy (void)
{
  guint n = 5000;
  g_autofree float *logits = g_new (float, n);
  DocentSamplerParams p;

  for (guint32 seed = 1; seed <= 5; seed++)
    {
      g_autoptr(DocentSampler) greedy = NULL;
      g_autoptr(DocentSampler) top1 = NULL;

      fill_random (logits, n, seed);
      params_plain (&p);
      p.temperature = 0.0f;
      greedy = docent_sampler_new (&p, n);
      g_assert_cmpint (docent_sampler_sample (greedy, logits), ==, argmax (logits, n));
      params_plain (&p);
      p.top_k = 1;
      p.seed = seed;
      top1 = docent_sampler_new (&p, n);
      g_assert_cmpint (docent_sampler_sample (top1, logits), ==, argmax (logits, n));
    }
}

static void
test_sampler_seeded (void)
{
  guint n = 1000;
  g_autofree float *logits = g_new (float, n);
  DocentSamplerParams p;
  g_autoptr(DocentSampler) a = NULL;
  g_autoptr(DocentSampler) b = NULL;
  g_autoptr(DocentSampler) c = NULL;
  gboolean differs = FALSE;

  for (guint i = 0; i < n; i++)
    logits[i] = (float) (i % 7) * 0.1f;
  docent_sampler_params_init (&p);
  p.seed = 42;
  a = docent_sampler_new (&p, n);
  b = docent_sampler_new (&p, n);
  p.seed = 43;
  c = docent_sampler_new (&p, n);
  for (guint i = 0; i < 200; i++)
    {
      DocentToken ta = docent_sampler_sample (a, logits);
      DocentToken tc = docent_sampler_sample (c, logits);

      g_assert_cmpint (ta, ==, docent_sampler_sample (b, logits));
      docent_sampler_accept (a, ta);
      docent_sampler_accept (b, ta);
      docent_sampler_accept (c, tc);
      differs |= ta != tc;
    }
  g_assert_true (differs);

  /* reset starts the same sequence again */
  {
    DocentToken first[10];

    docent_sampler_reset (a);
    for (guint i = 0; i < 10; i++)
      first[i] = docent_sampler_sample (a, logits);
    docent_sampler_reset (a);
    for (guint i = 0; i < 10; i++)
      g_assert_cmpint (docent_sampler_sample (a, logits), ==, first[i]);
  }
}

/* Logits whose softmax at temperature 1 is exactly `probs`. */
static void
logits_from_probs (float       *logits,
                   const float *probs,
                   guint        n)
{
  for (guint i = 0; i < n; i++)
    logits[i] = logf (probs[i]);
}

static void
assert_candidates (DocentSamplerParams *p,
                   const float         *logits,
                   guint                n,
                   const DocentToken   *expected,
                   guint                n_expected)
{
  g_autoptr(DocentSampler) s = docent_sampler_new (p, n);
  const DocentToken *ids;
  const float *probs;
  guint got = docent_sampler_candidates (s, logits, &ids, &probs);
  double sum = 0.0;

  g_assert_cmpuint (got, ==, n_expected);
  for (guint i = 0; i < got; i++)
    {
      g_assert_cmpint (ids[i], ==, expected[i]);
      sum += probs[i];
    }
  g_assert_cmpfloat_with_epsilon (sum, 1.0, 1e-5);
}

static void
test_sampler_filters (void)
{
  /* shuffled so that order comes from the values, not the ids */
  static const float probs[] = { 0.1f, 0.5f, 0.05f, 0.2f, 0.15f };
  static const DocentToken by_prob[] = { 1, 3, 4, 0, 2 };
  float logits[5];
  DocentSamplerParams p;

  logits_from_probs (logits, probs, 5);
  params_plain (&p);
  assert_candidates (&p, logits, 5, by_prob, 5);
  p.top_k = 2;
  assert_candidates (&p, logits, 5, by_prob, 2);
  params_plain (&p);
  p.top_p = 0.8f;                  /* 0.5 + 0.2 + 0.15 = 0.85 reaches it */
  assert_candidates (&p, logits, 5, by_prob, 3);
  p.top_p = 0.6f;                  /* 0.5 + 0.2 */
  assert_candidates (&p, logits, 5, by_prob, 2);
  p.top_p = 0.4f;
  assert_candidates (&p, logits, 5, by_prob, 1);
  params_plain (&p);
  p.min_p = 0.25f;                 /* p >= 0.125 */
  assert_candidates (&p, logits, 5, by_prob, 3);
  p.min_p = 0.35f;                 /* p >= 0.175 */
  assert_candidates (&p, logits, 5, by_prob, 2);
  p.min_p = 0.15f;                 /* p >= 0.075 */
  p.top_k = 3;
  assert_candidates (&p, logits, 5, by_prob, 3);
  params_plain (&p);
  p.temperature = 0.0f;
  assert_candidates (&p, logits, 5, by_prob, 1);
}

/* top-k and top-p on a large row against a full sort. */
static int
compare_desc (gconstpointer a,
              gconstpointer b,
              gpointer      data)
{
  const float *w = data;
  DocentToken x = *(const DocentToken *) a, y = *(const DocentToken *) b;

  if (w[x] != w[y])
    return w[x] > w[y] ? -1 : 1;
  return x < y ? -1 : x > y;
}

static guint
reference_top_p (const float *logits,
                 guint        n,
                 guint        top_k,
                 float        top_p,
                 DocentToken *order)
{
  double z = 0.0, cum = 0.0, max;
  guint k;

  for (guint i = 0; i < n; i++)
    order[i] = (DocentToken) i;
  g_qsort_with_data (order, n, sizeof (DocentToken), compare_desc, (gpointer) logits);
  k = top_k > 0 ? MIN (top_k, n) : n;
  max = logits[order[0]];
  for (guint i = 0; i < k; i++)
    z += exp (logits[order[i]] - max);
  for (guint i = 0; i < k; i++)
    {
      cum += exp (logits[order[i]] - max);
      if (cum >= top_p * z)
        return i + 1;
    }
  return k;
}

static void
test_sampler_large (void)
{
  guint n = 150000;
  g_autofree float *logits = g_new (float, n);
  g_autofree DocentToken *order = g_new (DocentToken, n);
  static const struct { guint top_k; float top_p; } cases[] = {
    { 40, 1.0f }, { 40, 0.5f }, { 0, 0.9f }, { 0, 0.05f }, { 1000, 0.95f },
  };

  fill_random (logits, n, 7);
  for (guint i = 0; i < n; i += 1000)
    logits[i] += 8.0f;              /* a head of likely tokens */
  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      DocentSamplerParams p;
      g_autoptr(DocentSampler) s = NULL;
      const DocentToken *ids;
      guint got, want;

      params_plain (&p);
      p.top_k = cases[c].top_k;
      p.top_p = cases[c].top_p;
      s = docent_sampler_new (&p, n);
      got = docent_sampler_candidates (s, logits, &ids, NULL);
      want = reference_top_p (logits, n, p.top_k, p.top_p, order);
      g_assert_cmpuint (got, ==, want);
      for (guint i = 0; i < got; i++)
        g_assert_cmpint (ids[i], ==, order[i]);
    }

  /* sampling many tokens from a 150k row stays fast */
  {
    DocentSamplerParams p;
    g_autoptr(DocentSampler) s = NULL;
    gint64 start = g_get_monotonic_time ();

    docent_sampler_params_init (&p);
    p.top_k = 0;
    s = docent_sampler_new (&p, n);
    for (guint i = 0; i < 50; i++)
      docent_sampler_accept (s, docent_sampler_sample (s, logits));
    g_test_message ("50 samples of 150k logits: %.1f ms",
                    (g_get_monotonic_time () - start) / 1000.0);
  }
}

static void
test_sampler_penalties (void)
{
  float logits[5] = { 1.0f, 2.0f, 3.0f, -4.0f, 5.0f };
  DocentSamplerParams p;
  g_autoptr(DocentSampler) s = NULL;
  g_autoptr(DocentSampler) w = NULL;

  params_plain (&p);
  p.repeat_penalty = 2.0f;
  p.presence_penalty = 0.5f;
  s = docent_sampler_new (&p, 5);
  docent_sampler_accept (s, 1);
  docent_sampler_accept (s, 3);
  docent_sampler_accept (s, 3);     /* penalised once, not twice */
  docent_sampler_apply_penalties (s, logits);
  g_assert_cmpfloat (logits[0], ==, 1.0f);
  g_assert_cmpfloat (logits[1], ==, 0.5f);        /* 2 / 2 - 0.5 */
  g_assert_cmpfloat (logits[2], ==, 3.0f);
  g_assert_cmpfloat (logits[3], ==, -8.5f);       /* -4 * 2 - 0.5 */
  g_assert_cmpfloat (logits[4], ==, 5.0f);

  /* the window forgets old tokens */
  {
    float l[5] = { 1.0f, 2.0f, 3.0f, 4.0f, 5.0f };

    params_plain (&p);
    p.repeat_penalty = 2.0f;
    p.penalty_window = 2;
    w = docent_sampler_new (&p, 5);
    docent_sampler_accept (w, 4);
    docent_sampler_accept (w, 0);
    docent_sampler_accept (w, 1);
    docent_sampler_apply_penalties (w, l);
    g_assert_cmpfloat (l[4], ==, 5.0f);
    g_assert_cmpfloat (l[0], ==, 0.5f);
    g_assert_cmpfloat (l[1], ==, 1.0f);
  }

  /* greedy sees the penalised logits */
  {
    float l[3] = { 0.0f, 3.0f, 2.0f };
    g_autoptr(DocentSampler) g = NULL;

    params_plain (&p);
    p.temperature = 0.0f;
    p.repeat_penalty = 2.0f;
    g = docent_sampler_new (&p, 3);
    g_assert_cmpint (docent_sampler_sample (g, l), ==, 1);
    docent_sampler_accept (g, 1);
    g_assert_cmpint (docent_sampler_sample (g, l), ==, 2);
    g_assert_cmpfloat (l[1], ==, 3.0f);           /* the caller's row is untouched */
  }
}

static void
test_sampler_distribution (void)
{
  static const float probs[] = { 0.75f, 0.25f };
  float logits[2];
  DocentSamplerParams p;
  g_autoptr(DocentSampler) s = NULL;
  guint zeros = 0, n = 20000;

  logits_from_probs (logits, probs, 2);
  params_plain (&p);
  p.seed = 5;
  s = docent_sampler_new (&p, 2);
  for (guint i = 0; i < n; i++)
    zeros += docent_sampler_sample (s, logits) == 0;
  g_assert_cmpfloat (fabs ((double) zeros / n - 0.75), <, 0.02);
}

/* ---- chat templates ------------------------------------------------------ */

static const DocentChatMessage conversation[] = {
  { DOCENT_CHAT_ROLE_SYSTEM, "You are helpful." },
  { DOCENT_CHAT_ROLE_USER, "Hi" },
  { DOCENT_CHAT_ROLE_ASSISTANT, "Hello!" },
  { DOCENT_CHAT_ROLE_USER, "What is 2+2?" },
};

static void
assert_render (DocentChatTemplate  family,
               const char         *bos,
               const char         *eos,
               const char         *expected)
{
  g_autofree char *text = docent_chat_render (family, conversation,
                                              G_N_ELEMENTS (conversation),
                                              bos, eos, TRUE);

  g_assert_cmpstr (text, ==, expected);
}

static void
test_chat_render (void)
{
  assert_render (DOCENT_CHAT_CHATML, "<s>", "</s>",
                 "<|im_start|>system\nYou are helpful.<|im_end|>\n"
                 "<|im_start|>user\nHi<|im_end|>\n"
                 "<|im_start|>assistant\nHello!<|im_end|>\n"
                 "<|im_start|>user\nWhat is 2+2?<|im_end|>\n"
                 "<|im_start|>assistant\n");
  assert_render (DOCENT_CHAT_LLAMA3, "<|begin_of_text|>", "<|end_of_text|>",
                 "<|begin_of_text|>"
                 "<|start_header_id|>system<|end_header_id|>\n\nYou are helpful.<|eot_id|>"
                 "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
                 "<|start_header_id|>assistant<|end_header_id|>\n\nHello!<|eot_id|>"
                 "<|start_header_id|>user<|end_header_id|>\n\nWhat is 2+2?<|eot_id|>"
                 "<|start_header_id|>assistant<|end_header_id|>\n\n");
  assert_render (DOCENT_CHAT_PHI3, "<s>", "<|endoftext|>",
                 "<|system|>\nYou are helpful.<|end|>\n"
                 "<|user|>\nHi<|end|>\n"
                 "<|assistant|>\nHello!<|end|>\n"
                 "<|user|>\nWhat is 2+2?<|end|>\n"
                 "<|assistant|>\n");
  assert_render (DOCENT_CHAT_MISTRAL, "<s>", "</s>",
                 "<s>[INST] You are helpful.\n\nHi [/INST]Hello!</s>"
                 "[INST] What is 2+2? [/INST]");
  assert_render (DOCENT_CHAT_GEMMA, "<bos>", "<eos>",
                 "<bos><start_of_turn>user\nYou are helpful.\n\nHi<end_of_turn>\n"
                 "<start_of_turn>model\nHello!<end_of_turn>\n"
                 "<start_of_turn>user\nWhat is 2+2?<end_of_turn>\n"
                 "<start_of_turn>model\n");
  assert_render (DOCENT_CHAT_LLAMA2, "<s>", "</s>",
                 "<s>[INST] <<SYS>>\nYou are helpful.\n<</SYS>>\n\nHi [/INST] Hello! </s>"
                 "<s>[INST] What is 2+2? [/INST]");
  assert_render (DOCENT_CHAT_PLAIN, "<s>", "</s>",
                 "You are helpful.\n\n"
                 "User: Hi\n"
                 "Assistant: Hello!\n"
                 "User: What is 2+2?\n"
                 "Assistant:");
}

static void
test_chat_render_details (void)
{
  static const DocentChatMessage user_only[] = {
    { DOCENT_CHAT_ROLE_USER, "  Hi there \n" },
  };
  g_autofree char *llama3 = docent_chat_render (DOCENT_CHAT_LLAMA3, user_only, 1, NULL, NULL, TRUE);
  g_autofree char *gemma = docent_chat_render (DOCENT_CHAT_GEMMA, user_only, 1, "<bos>", NULL, FALSE);
  g_autofree char *phi3 = docent_chat_render (DOCENT_CHAT_PHI3, user_only, 1, NULL, "<|endoftext|>", FALSE);
  g_autofree char *mistral = docent_chat_render (DOCENT_CHAT_MISTRAL, user_only, 1, NULL, NULL, TRUE);
  g_autofree char *plain = docent_chat_render (DOCENT_CHAT_PLAIN, user_only, 1, "<s>", NULL, TRUE);

  /* Llama 3 and Gemma trim the content; ChatML-style ones keep it */
  g_assert_cmpstr (llama3, ==,
                   "<|start_header_id|>user<|end_header_id|>\n\nHi there<|eot_id|>"
                   "<|start_header_id|>assistant<|end_header_id|>\n\n");
  g_assert_cmpstr (gemma, ==, "<bos><start_of_turn>user\nHi there<end_of_turn>\n");
  g_assert_cmpstr (phi3, ==, "<|user|>\n  Hi there \n<|end|>\n<|endoftext|>");
  g_assert_cmpstr (mistral, ==, "[INST]   Hi there \n [/INST]");
  g_assert_cmpstr (plain, ==, "User:   Hi there \n\nAssistant:");
}

static void
test_chat_default_system (void)
{
  /* shaped like Qwen 2.5's: the tools branch and the system message
   * branch are template code, the last literal is the default */
  static const char qwen[] =
    "{%- if tools %}{{- '<|im_start|>system\\n' }}{%- if messages[0]['role'] == 'system' %}"
    "{{- messages[0]['content'] }}{%- endif %}{%- else %}{%- if messages[0]['role'] == 'system' %}"
    "{{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}{%- else %}"
    "{{- '<|im_start|>system\\nYou are Qwen, created by Alibaba Cloud. You are a helpful "
    "assistant.<|im_end|>\\n' }}{%- endif %}{%- endif %}";
  static const char smollm[] =
    "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
    "{{ '<|im_start|>system\\nYou are a helpful AI assistant named SmolLM, trained by "
    "Hugging Face<|im_end|>\\n' }}{% endif %}";
  static const char plain_chatml[] =
    "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + "
    "message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}";
  g_autofree char *q = docent_chat_template_default_system (qwen);
  g_autofree char *s = docent_chat_template_default_system (smollm);
  g_autofree char *none = docent_chat_template_default_system (plain_chatml);

  g_assert_cmpstr (q, ==, "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.");
  g_assert_cmpstr (s, ==, "You are a helpful AI assistant named SmolLM, trained by Hugging Face");
  g_assert_null (none);
  g_assert_null (docent_chat_template_default_system (NULL));
}

static void
test_chat_detect (void)
{
  static const struct {
    const char *snippet;
    DocentChatTemplate family;
  } cases[] = {
    { "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + "
      "message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}", DOCENT_CHAT_CHATML },
    { "{% set content = '<|start_header_id|>' + message['role'] + "
      "'<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' %}", DOCENT_CHAT_LLAMA3 },
    { "{% if message['role'] == 'user' %}{{'<|user|>\\n' + message['content'] + "
      "'<|end|>\\n'}}", DOCENT_CHAT_PHI3 },
    { "{{ bos_token }}{% for message in messages %}{% if message['role'] == 'user' %}"
      "{{ '[INST] ' + message['content'] + ' [/INST]' }}", DOCENT_CHAT_MISTRAL },
    { "{{ '<start_of_turn>' + role + '\\n' + message['content'] | trim + "
      "'<end_of_turn>\\n' }}", DOCENT_CHAT_GEMMA },
    { "{% if loop.index0 == 0 and system_message != false %}{% set content = '<<SYS>>\\n' + "
      "system_message + '\\n<</SYS>>\\n\\n' + message['content'] %}{% endif %}"
      "{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}", DOCENT_CHAT_LLAMA2 },
    { "{% for message in messages %}{{ message['content'] }}{% endfor %}", DOCENT_CHAT_PLAIN },
    { NULL, DOCENT_CHAT_PLAIN },
  };
  DocentChatTemplate family;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmpint (docent_chat_template_detect (cases[i].snippet), ==, cases[i].family);

  for (guint i = DOCENT_CHAT_PLAIN; i <= DOCENT_CHAT_LLAMA2; i++)
    {
      g_assert_true (docent_chat_template_from_name (docent_chat_template_name (i), &family));
      g_assert_cmpint (family, ==, i);
    }
  g_assert_true (docent_chat_template_from_name ("ChatML", &family));
  g_assert_cmpint (family, ==, DOCENT_CHAT_CHATML);
  g_assert_false (docent_chat_template_from_name ("jinja", &family));
  g_assert_cmpstr (docent_chat_stop_strings (DOCENT_CHAT_CHATML)[0], ==, "<|im_end|>");
  g_assert_cmpstr (docent_chat_stop_strings (DOCENT_CHAT_LLAMA3)[0], ==, "<|eot_id|>");
  g_assert_cmpstr (docent_chat_stop_strings (DOCENT_CHAT_PHI3)[0], ==, "<|end|>");
  g_assert_cmpstr (docent_chat_stop_strings (DOCENT_CHAT_GEMMA)[0], ==, "<end_of_turn>");
  g_assert_cmpstr (docent_chat_stop_strings (DOCENT_CHAT_MISTRAL)[0], ==, "</s>");
}

/* ---- a scripted token source --------------------------------------------- */

/* A SentencePiece vocabulary: <unk> <s> </s>, the 256 byte tokens, then
 * the words below. */
static const char *const words[] = {
  "Hello", "\xE2\x96\x81world", "\xE2\x96\x81" "EN", "D", "!", "\xE2\x96\x81" "E", "a",
  /* 33 × "é€": 165 bytes, longer than the stream's decoding buffer */
  "\xC3\xA9\xE2\x82\xAC\xC3\xA9\xE2\x82\xAC\xC3\xA9\xE2\x82\xAC\xC3\xA9\xE2\x82\xAC"
  "\xC3\xA9\xE2\x82\xAC\xC3\xA9\xE2\x82\xAC\xC3\xA9\xE2\x82\xAC\xC3\xA9\xE2\x82\xAC"
  "\xC3\xA9\xE2\x82\xAC\xC3\xA9\xE2\x82\xAC\xC3\xA9\xE2\x82\xAC\xC3\xA9\xE2\x82\xAC"
  "\xC3\xA9\xE2\x82\xAC\xC3\xA9\xE2\x82\xAC\xC3\xA9\xE2\x82\xAC\xC3\xA9\xE2\x82\xAC"
  "\xC3\xA9\xE2\x82\xAC\xC3\xA9\xE2\x82\xAC\xC3\xA9\xE2\x82\xAC\xC3\xA9\xE2\x82\xAC"
  "\xC3\xA9\xE2\x82\xAC\xC3\xA9\xE2\x82\xAC\xC3\xA9\xE2\x82\xAC\xC3\xA9\xE2\x82\xAC"
  "\xC3\xA9\xE2\x82\xAC\xC3\xA9\xE2\x82\xAC\xC3\xA9\xE2\x82\xAC\xC3\xA9\xE2\x82\xAC"
  "\xC3\xA9\xE2\x82\xAC\xC3\xA9\xE2\x82\xAC\xC3\xA9\xE2\x82\xAC\xC3\xA9\xE2\x82\xAC"
  "\xC3\xA9\xE2\x82\xAC",
};
#define TOK_BOS 1
#define TOK_EOS 2
#define TOK_BYTE(b) (3 + (b))
#define TOK_WORD(i) (3 + 256 + (i))
#define TOK_IM_END (3 + 256 + (gint) G_N_ELEMENTS (words))
#define N_FAKE_VOCAB (TOK_IM_END + 1)

static DocentTokenizer *
fake_tokenizer (void)
{
  g_autoptr(DocentVocab) vocab = docent_vocab_new (DOCENT_VOCAB_SPM);
  g_autoptr(GError) error = NULL;
  DocentTokenizer *tokenizer;

  docent_vocab_add_token (vocab, "<unk>", 5, 0, DOCENT_TOKEN_TYPE_UNKNOWN);
  docent_vocab_add_token (vocab, "<s>", 3, 0, DOCENT_TOKEN_TYPE_CONTROL);
  docent_vocab_add_token (vocab, "</s>", 4, 0, DOCENT_TOKEN_TYPE_CONTROL);
  for (guint b = 0; b < 256; b++)
    {
      g_autofree char *text = g_strdup_printf ("<0x%02X>", b);

      docent_vocab_add_token (vocab, text, strlen (text), 0, DOCENT_TOKEN_TYPE_BYTE);
    }
  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    docent_vocab_add_token (vocab, words[i], strlen (words[i]), -1.0f - i,
                            DOCENT_TOKEN_TYPE_NORMAL);
  docent_vocab_add_token (vocab, "<|im_end|>", 10, 0, DOCENT_TOKEN_TYPE_CONTROL);
  docent_vocab_set_special (vocab, DOCENT_SPECIAL_UNK, 0);
  docent_vocab_set_special (vocab, DOCENT_SPECIAL_BOS, TOK_BOS);
  docent_vocab_set_special (vocab, DOCENT_SPECIAL_EOS, TOK_EOS);
  tokenizer = docent_tokenizer_new (vocab, &error);
  g_assert_no_error (error);
  return tokenizer;
}

typedef struct {
  guint n_ctx;
  guint n_past;
  guint base;                  /* position of the first generated token */
  const DocentToken *script;   /* the tokens to favour, cycled */
  guint n_script;
  guint n_evaluated;           /* tokens evaluated over all calls */
  gulong eval_sleep_us;
  float logits[N_FAKE_VOCAB];
} FakeSource;

static guint
fake_n_ctx (gpointer source)
{
  return ((FakeSource *) source)->n_ctx;
}

static guint
fake_n_past (gpointer source)
{
  return ((FakeSource *) source)->n_past;
}

static void
fake_truncate (gpointer source,
               guint    n_past)
{
  FakeSource *fake = source;

  g_assert_cmpuint (n_past, <=, fake->n_past);
  fake->n_past = n_past;
}

static gboolean
fake_eval (gpointer           source,
           const DocentToken *tokens,
           guint              n,
           GCancellable      *cancellable,
           GError           **error)
{
  FakeSource *fake = source;

  g_assert_nonnull (tokens);
  if (fake->n_past + n > fake->n_ctx)
    {
      g_set_error_literal (error, DOCENT_MODEL_ERROR, DOCENT_MODEL_ERROR_CONTEXT_FULL, "full");
      return FALSE;
    }
  if (fake->eval_sleep_us > 0)
    g_usleep (fake->eval_sleep_us);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  fake->n_past += n;
  fake->n_evaluated += n;
  return TRUE;
}

static const float *
fake_logits (gpointer source)
{
  FakeSource *fake = source;
  guint k = fake->n_past >= fake->base ? fake->n_past - fake->base : 0;

  memset (fake->logits, 0, sizeof fake->logits);
  fake->logits[fake->script[k % fake->n_script]] = 20.0f;
  return fake->logits;
}

static const DocentTokenSourceFuncs fake_funcs = {
  fake_n_ctx, fake_n_past, fake_truncate, fake_eval, fake_logits,
};

typedef struct {
  GString *text;
  GPtrArray *pieces;
} Collected;

static void
collect (const char *text,
         gsize       len,
         gpointer    user_data)
{
  Collected *c = user_data;

  g_assert_cmpuint (strlen (text), ==, len);
  g_assert_true (g_utf8_validate (text, (gssize) len, NULL));
  g_string_append_len (c->text, text, len);
  g_ptr_array_add (c->pieces, g_strndup (text, len));
}

/* Runs `script` after a 3-token prompt with greedy sampling. */
static gboolean
run_script (DocentGenerator      *generator,
            FakeSource           *fake,
            const DocentToken    *script,
            guint                 n_script,
            guint                 max_tokens,
            const char * const   *stops,
            Collected            *collected,
            DocentGenerateResult *result,
            GError              **error)
{
  static const DocentToken prompt[] = { TOK_BOS, TOK_WORD (0), TOK_WORD (1) };
  DocentGenerateOptions options;

  docent_generate_options_init (&options);
  options.sampling.temperature = 0.0f;
  options.sampling.repeat_penalty = 1.0f;
  options.max_tokens = max_tokens;
  options.stop_strings = stops;
  options.callback = collect;
  options.user_data = collected;
  fake->script = script;
  fake->n_script = n_script;
  fake->base = G_N_ELEMENTS (prompt);
  docent_generator_reset (generator);
  fake->n_past = 0;
  return docent_generator_run (generator, prompt, G_N_ELEMENTS (prompt), &options,
                               NULL, result, error);
}

typedef struct {
  DocentTokenizer *tokenizer;
  FakeSource fake;
  DocentGenerator *generator;
  Collected collected;
  DocentGenerateResult result;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->tokenizer = fake_tokenizer ();
  memset (&f->fake, 0, sizeof f->fake);
  f->fake.n_ctx = 64;
  f->generator = docent_generator_new_for_source (&fake_funcs, &f->fake, f->tokenizer,
                                                  N_FAKE_VOCAB);
  f->collected.text = g_string_new (NULL);
  f->collected.pieces = g_ptr_array_new_with_free_func (g_free);
  memset (&f->result, 0, sizeof f->result);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  docent_generate_result_clear (&f->result);
  docent_generator_free (f->generator);
  docent_tokenizer_unref (f->tokenizer);
  g_string_free (f->collected.text, TRUE);
  g_ptr_array_unref (f->collected.pieces);
}

static void
test_stream_utf8 (Fixture       *f,
                  gconstpointer  data)
{
  /* "Hello", é split in two, 😀 split in four, "!", EOS */
  const DocentToken script[] = {
    TOK_WORD (0), TOK_BYTE (0xC3), TOK_BYTE (0xA9),
    TOK_BYTE (0xF0), TOK_BYTE (0x9F), TOK_BYTE (0x98), TOK_BYTE (0x80),
    TOK_WORD (4), TOK_EOS,
  };
  g_autoptr(GError) error = NULL;

  g_assert_true (run_script (f->generator, &f->fake, script, G_N_ELEMENTS (script), 100,
                             NULL, &f->collected, &f->result, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (f->collected.text->str, ==, "Hello\xC3\xA9\xF0\x9F\x98\x80!");
  g_assert_cmpstr (f->result.text, ==, f->collected.text->str);
  g_assert_cmpint (f->result.stop_reason, ==, DOCENT_STOP_EOS);
  g_assert_cmpuint (f->result.n_generated, ==, 8);
  g_assert_cmpuint (f->result.n_prompt_tokens, ==, 3);
  /* the pieces are whole characters: é and 😀 arrive whole */
  g_assert_cmpuint (f->collected.pieces->len, ==, 4);
  g_assert_cmpstr (f->collected.pieces->pdata[1], ==, "\xC3\xA9");
  g_assert_cmpstr (f->collected.pieces->pdata[2], ==, "\xF0\x9F\x98\x80");
}

static void
test_stream_long_piece (Fixture       *f,
                        gconstpointer  data)
{
  /* a split character before a long piece, which then completes it */
  const DocentToken script[] = { TOK_BYTE (0xE2), TOK_BYTE (0x82), TOK_BYTE (0xAC),
                                 TOK_BYTE (0xC3), TOK_WORD (7), TOK_EOS };
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;

  g_assert_true (run_script (f->generator, &f->fake, script, G_N_ELEMENTS (script), 100,
                             NULL, &f->collected, &f->result, &error));
  /* 0xC3 followed by 0xC3: the first can never be completed */
  expected = g_strconcat ("\xE2\x82\xAC", "\xEF\xBF\xBD", words[7], NULL);
  g_assert_cmpstr (f->collected.text->str, ==, expected);
  g_assert_cmpuint (g_utf8_strlen (words[7], -1), ==, 66);
}

static void
test_stream_invalid (Fixture       *f,
                     gconstpointer  data)
{
  /* a byte that is never UTF-8, then a character cut off by the end */
  const DocentToken script[] = {
    TOK_WORD (6), TOK_BYTE (0xFF), TOK_WORD (6), TOK_BYTE (0xE2), TOK_BYTE (0x82), TOK_EOS,
  };
  g_autoptr(GError) error = NULL;

  g_assert_true (run_script (f->generator, &f->fake, script, G_N_ELEMENTS (script), 100,
                             NULL, &f->collected, &f->result, &error));
  g_assert_cmpstr (f->collected.text->str, ==, "a\xEF\xBF\xBD" "a\xEF\xBF\xBD");
}

static void
test_stop_string (Fixture       *f,
                  gconstpointer  data)
{
  /* "Hello", " EN", "D", "!": the stop "END" spans two tokens */
  const DocentToken script[] = { TOK_WORD (0), TOK_WORD (2), TOK_WORD (3), TOK_WORD (4) };
  const char *const stops[] = { "END", NULL };
  g_autoptr(GError) error = NULL;

  g_assert_true (run_script (f->generator, &f->fake, script, G_N_ELEMENTS (script), 100,
                             stops, &f->collected, &f->result, &error));
  g_assert_cmpstr (f->collected.text->str, ==, "Hello ");
  g_assert_cmpstr (f->result.text, ==, "Hello ");
  g_assert_cmpint (f->result.stop_reason, ==, DOCENT_STOP_STRING);
  g_assert_cmpuint (f->result.n_generated, ==, 3);
  for (guint i = 0; i < f->collected.pieces->len; i++)
    g_assert_null (strstr (f->collected.pieces->pdata[i], "E"));
}

static void
test_stop_string_false_start (Fixture       *f,
                              gconstpointer  data)
{
  /* " E" might start "END" and is held back, then released by "!" */
  const DocentToken script[] = { TOK_WORD (0), TOK_WORD (5), TOK_WORD (4), TOK_EOS };
  const char *const stops[] = { "END", NULL };
  g_autoptr(GError) error = NULL;

  g_assert_true (run_script (f->generator, &f->fake, script, G_N_ELEMENTS (script), 100,
                             stops, &f->collected, &f->result, &error));
  g_assert_cmpstr (f->collected.text->str, ==, "Hello E!");
  g_assert_cmpstr (f->collected.pieces->pdata[1], ==, " ");
  g_assert_cmpstr (f->collected.pieces->pdata[2], ==, "E!");
  g_assert_cmpint (f->result.stop_reason, ==, DOCENT_STOP_EOS);

  /* held text that the end cuts off is still emitted */
  {
    const DocentToken script2[] = { TOK_WORD (0), TOK_WORD (2), TOK_EOS };

    docent_generate_result_clear (&f->result);
    g_string_truncate (f->collected.text, 0);
    g_assert_true (run_script (f->generator, &f->fake, script2, G_N_ELEMENTS (script2), 100,
                               stops, &f->collected, &f->result, &error));
    g_assert_cmpstr (f->collected.text->str, ==, "Hello EN");
  }
}

static void
test_trim_start (Fixture       *f,
                 gconstpointer  data)
{
  static const DocentToken prompt[] = { TOK_BOS, TOK_WORD (0) };
  const DocentToken script[] = { TOK_BYTE ('\n'), TOK_WORD (1), TOK_WORD (5), TOK_EOS };
  g_autoptr(GError) error = NULL;
  DocentGenerateOptions options;

  docent_generate_options_init (&options);
  options.sampling.temperature = 0.0f;
  options.trim_start = TRUE;
  options.callback = collect;
  options.user_data = &f->collected;
  f->fake.script = script;
  f->fake.n_script = G_N_ELEMENTS (script);
  f->fake.base = G_N_ELEMENTS (prompt);
  g_assert_true (docent_generator_run (f->generator, prompt, 2, &options, NULL,
                                       &f->result, &error));
  g_assert_cmpstr (f->result.text, ==, "world E");
  g_assert_cmpstr (f->collected.text->str, ==, "world E");
  g_assert_cmpuint (f->result.tokens->len, ==, 3);
}

static void
test_stop_token (Fixture       *f,
                 gconstpointer  data)
{
  const DocentToken script[] = { TOK_WORD (0), TOK_IM_END, TOK_WORD (4) };
  g_autoptr(GError) error = NULL;

  /* a control token that is not a stop leaves no text */
  g_assert_true (run_script (f->generator, &f->fake, script, G_N_ELEMENTS (script), 3,
                             NULL, &f->collected, &f->result, &error));
  g_assert_cmpstr (f->result.text, ==, "Hello!");
  g_assert_cmpint (f->result.stop_reason, ==, DOCENT_STOP_MAX_TOKENS);

  docent_generate_result_clear (&f->result);
  docent_generator_use_template (f->generator, DOCENT_CHAT_CHATML);
  g_assert_true (run_script (f->generator, &f->fake, script, G_N_ELEMENTS (script), 100,
                             NULL, &f->collected, &f->result, &error));
  g_assert_cmpstr (f->result.text, ==, "Hello");
  g_assert_cmpint (f->result.stop_reason, ==, DOCENT_STOP_EOS);
  g_assert_cmpuint (f->result.n_generated, ==, 1);
}

static void
test_max_tokens (Fixture       *f,
                 gconstpointer  data)
{
  const DocentToken script[] = { TOK_WORD (6) };
  g_autoptr(GError) error = NULL;

  g_assert_true (run_script (f->generator, &f->fake, script, 1, 5,
                             NULL, &f->collected, &f->result, &error));
  g_assert_cmpstr (f->result.text, ==, "aaaaa");
  g_assert_cmpuint (f->result.n_generated, ==, 5);
  g_assert_cmpint (f->result.stop_reason, ==, DOCENT_STOP_MAX_TOKENS);
  /* the last token is not evaluated: nothing needs its logits */
  g_assert_cmpuint (f->fake.n_past, ==, 3 + 4);
}

static void
test_context_full (Fixture       *f,
                   gconstpointer  data)
{
  const DocentToken script[] = { TOK_WORD (6) };
  g_autoptr(GError) error = NULL;
  DocentToken long_prompt[80];

  /* generating fills the cache: a stop, with the text so far */
  f->fake.n_ctx = 10;
  g_assert_true (run_script (f->generator, &f->fake, script, 1, 0,
                             NULL, &f->collected, &f->result, &error));
  g_assert_cmpint (f->result.stop_reason, ==, DOCENT_STOP_CONTEXT_FULL);
  g_assert_cmpuint (f->result.n_generated, ==, 8);
  g_assert_cmpstr (f->result.text, ==, "aaaaaaaa");

  /* a prompt that does not fit: an error the caller can act on */
  for (guint i = 0; i < G_N_ELEMENTS (long_prompt); i++)
    long_prompt[i] = TOK_WORD (6);
  {
    DocentGenerateOptions options;

    docent_generate_options_init (&options);
    docent_generate_result_clear (&f->result);
    g_assert_false (docent_generator_run (f->generator, long_prompt, G_N_ELEMENTS (long_prompt),
                                          &options, NULL, &f->result, &error));
    g_assert_error (error, DOCENT_MODEL_ERROR, DOCENT_MODEL_ERROR_CONTEXT_FULL);
    g_assert_cmpint (f->result.stop_reason, ==, DOCENT_STOP_NONE);
  }
}

static void
test_prefix_reuse_fake (Fixture       *f,
                        gconstpointer  data)
{
  const DocentToken first[] = { TOK_BOS, TOK_WORD (0), TOK_WORD (1), TOK_WORD (4) };
  const DocentToken second[] = { TOK_BOS, TOK_WORD (0), TOK_WORD (1), TOK_WORD (6), TOK_WORD (6) };
  const DocentToken script[] = { TOK_EOS };
  DocentGenerateOptions options;
  g_autoptr(GError) error = NULL;

  docent_generate_options_init (&options);
  options.sampling.temperature = 0.0f;
  f->fake.script = script;
  f->fake.n_script = 1;
  g_assert_true (docent_generator_run (f->generator, first, 4, &options, NULL, &f->result, &error));
  g_assert_cmpuint (f->result.n_reused_tokens, ==, 0);
  g_assert_cmpuint (f->fake.n_evaluated, ==, 4);
  docent_generate_result_clear (&f->result);
  g_assert_true (docent_generator_run (f->generator, second, 5, &options, NULL, &f->result, &error));
  g_assert_cmpuint (f->result.n_reused_tokens, ==, 3);
  g_assert_cmpuint (f->fake.n_evaluated, ==, 4 + 2);
  g_assert_cmpuint (f->fake.n_past, ==, 5);
  /* the same prompt again: all but the last token are reused */
  docent_generate_result_clear (&f->result);
  g_assert_true (docent_generator_run (f->generator, second, 5, &options, NULL, &f->result, &error));
  g_assert_cmpuint (f->result.n_reused_tokens, ==, 4);
  g_assert_cmpuint (f->fake.n_evaluated, ==, 4 + 2 + 1);
}

static gpointer
cancel_later (gpointer data)
{
  g_usleep (50000);
  g_cancellable_cancel (data);
  return NULL;
}

static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  static const DocentToken prompt[] = { TOK_BOS, TOK_WORD (0) };
  const DocentToken script[] = { TOK_WORD (6) };
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  DocentGenerateOptions options;
  GThread *thread;
  gint64 start = g_get_monotonic_time ();

  f->fake.n_ctx = 1000000;
  f->fake.eval_sleep_us = 1000;
  f->fake.script = script;
  f->fake.n_script = 1;
  docent_generate_options_init (&options);
  options.max_tokens = 0;
  thread = g_thread_new ("cancel", cancel_later, cancellable);
  g_assert_false (docent_generator_run (f->generator, prompt, 2, &options, cancellable,
                                        &f->result, &error));
  g_thread_join (thread);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_USEC_PER_SEC);
  g_assert_cmpuint (f->result.n_generated, >, 0);
  g_assert_cmpuint (strlen (f->result.text), ==, f->result.n_generated);
  /* the cache still matches what the generator thinks it holds */
  g_assert_cmpuint (f->fake.n_past, <=, 2 + f->result.n_generated);
}

/* ---- end to end on a tiny model ------------------------------------------ */

#define TINY_EMBD 32
#define TINY_FF 64
#define TINY_LAYERS 2

static void
add_f32_tensor (DocentGgufWriter *writer,
                GRand            *rand,
                const char       *name,
                guint64           cols,
                guint64           rows,
                float             scale,
                gboolean          ones)
{
  guint64 dims[2] = { cols, rows };
  gsize n = cols * rows;
  g_autofree float *data = g_new (float, n);
  g_autoptr(GError) error = NULL;

  for (gsize i = 0; i < n; i++)
    data[i] = ones ? 1.0f : (float) g_rand_double_range (rand, -scale, scale);
  g_assert_true (docent_gguf_writer_add_tensor (writer, name, rows > 1 ? 2 : 1, dims,
                                                0 /* F32 */, data, n * sizeof (float),
                                                &error));
  g_assert_no_error (error);
}

/* A 2-layer llama with random weights and the fake vocabulary. */
static char *
write_tiny_model (void)
{
  g_autoptr(DocentGgufWriter) w = docent_gguf_writer_new ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (1234);
  g_autoptr(GPtrArray) tokens = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) scores = g_array_new (FALSE, FALSE, sizeof (float));
  g_autoptr(GArray) types = g_array_new (FALSE, FALSE, sizeof (gint32));
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (g_get_tmp_dir (), "docent-test-generate-XXXXXX.gguf", NULL);
  int fd = g_mkstemp (path);
  guint n_vocab;

  g_assert_cmpint (fd, >=, 0);
  close (fd);
#define ADD(text, type) G_STMT_START { \
    float s = 0.0f; gint32 t = (type); \
    g_ptr_array_add (tokens, g_strdup (text)); \
    g_array_append_val (scores, s); g_array_append_val (types, t); } G_STMT_END
  ADD ("<unk>", DOCENT_TOKEN_TYPE_UNKNOWN);
  ADD ("<s>", DOCENT_TOKEN_TYPE_CONTROL);
  ADD ("</s>", DOCENT_TOKEN_TYPE_CONTROL);
  for (guint b = 0; b < 256; b++)
    {
      g_autofree char *text = g_strdup_printf ("<0x%02X>", b);

      ADD (text, DOCENT_TOKEN_TYPE_BYTE);
    }
  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    ADD (words[i], DOCENT_TOKEN_TYPE_NORMAL);
#undef ADD
  n_vocab = tokens->len;
  g_ptr_array_add (tokens, NULL);

  docent_gguf_writer_add_string (w, "general.architecture", "llama");
  docent_gguf_writer_add_u32 (w, "llama.context_length", 128);
  docent_gguf_writer_add_u32 (w, "llama.embedding_length", TINY_EMBD);
  docent_gguf_writer_add_u32 (w, "llama.block_count", TINY_LAYERS);
  docent_gguf_writer_add_u32 (w, "llama.attention.head_count", 4);
  docent_gguf_writer_add_u32 (w, "llama.attention.head_count_kv", 2);
  docent_gguf_writer_add_u32 (w, "llama.feed_forward_length", TINY_FF);
  docent_gguf_writer_add_f32 (w, "llama.attention.layer_norm_rms_epsilon", 1e-5f);
  docent_gguf_writer_add_string (w, "tokenizer.ggml.model", "llama");
  docent_gguf_writer_add_strv (w, "tokenizer.ggml.tokens", (const char * const *) tokens->pdata, -1);
  docent_gguf_writer_add_array (w, "tokenizer.ggml.scores", DOCENT_GGUF_TYPE_FLOAT32,
                                scores->data, scores->len);
  docent_gguf_writer_add_array (w, "tokenizer.ggml.token_type", DOCENT_GGUF_TYPE_INT32,
                                types->data, types->len);
  docent_gguf_writer_add_u32 (w, "tokenizer.ggml.bos_token_id", TOK_BOS);
  docent_gguf_writer_add_u32 (w, "tokenizer.ggml.eos_token_id", TOK_EOS);
  docent_gguf_writer_add_string (w, "tokenizer.chat_template",
                                 "{% for m in messages %}{{'<|im_start|>' + m['role'] }}{% endfor %}");

  add_f32_tensor (w, rand, "token_embd.weight", TINY_EMBD, n_vocab, 1.0f, FALSE);
  add_f32_tensor (w, rand, "output_norm.weight", TINY_EMBD, 1, 0, TRUE);
  for (guint l = 0; l < TINY_LAYERS; l++)
    {
      static const struct { const char *name; guint cols, rows; } m[] = {
        { "attn_q.weight", TINY_EMBD, TINY_EMBD },
        { "attn_k.weight", TINY_EMBD, TINY_EMBD / 2 },
        { "attn_v.weight", TINY_EMBD, TINY_EMBD / 2 },
        { "attn_output.weight", TINY_EMBD, TINY_EMBD },
        { "ffn_gate.weight", TINY_EMBD, TINY_FF },
        { "ffn_up.weight", TINY_EMBD, TINY_FF },
        { "ffn_down.weight", TINY_FF, TINY_EMBD },
      };
      g_autofree char *norm1 = g_strdup_printf ("blk.%u.attn_norm.weight", l);
      g_autofree char *norm2 = g_strdup_printf ("blk.%u.ffn_norm.weight", l);

      add_f32_tensor (w, rand, norm1, TINY_EMBD, 1, 0, TRUE);
      add_f32_tensor (w, rand, norm2, TINY_EMBD, 1, 0, TRUE);
      for (guint i = 0; i < G_N_ELEMENTS (m); i++)
        {
          g_autofree char *name = g_strdup_printf ("blk.%u.%s", l, m[i].name);

          add_f32_tensor (w, rand, name, m[i].cols, m[i].rows, 0.3f, FALSE);
        }
    }
  g_assert_true (docent_gguf_writer_write_file (w, path, &error));
  g_assert_no_error (error);
  return path;
}

typedef struct {
  char *path;
  DocentModel *model;
} TinyModel;

static gboolean
tiny_model_open (TinyModel *tiny)
{
  g_autoptr(GError) error = NULL;

  tiny->path = write_tiny_model ();
  tiny->model = docent_model_load (tiny->path, &error);
  if (tiny->model == NULL)
    {
      g_test_skip_printf ("the tiny model does not load yet: %s", error->message);
      return FALSE;
    }
  return TRUE;
}

static void
tiny_model_close (TinyModel *tiny)
{
  g_clear_pointer (&tiny->model, docent_model_unref);
  if (tiny->path != NULL)
    g_unlink (tiny->path);
  g_clear_pointer (&tiny->path, g_free);
}

static char *
generate_once (DocentGenerator      *generator,
               GArray               *prompt,
               guint                 max_tokens,
               DocentGenerateResult *result)
{
  DocentGenerateOptions options;
  g_autoptr(GError) error = NULL;

  docent_generate_options_init (&options);
  options.sampling.temperature = 0.0f;
  options.max_tokens = max_tokens;
  g_assert_true (docent_generator_run (generator, (const DocentToken *) prompt->data,
                                       prompt->len, &options, NULL, result, &error));
  g_assert_no_error (error);
  g_assert_true (g_utf8_validate (result->text, -1, NULL));
  return g_strdup (result->text);
}

static void
test_model_generate (void)
{
  TinyModel tiny = { 0 };
  g_autoptr(DocentContext) ctx = NULL;
  g_autoptr(DocentContext) ctx2 = NULL;
  g_autoptr(DocentGenerator) generator = NULL;
  g_autoptr(DocentGenerator) fresh = NULL;
  g_autoptr(GArray) prompt = g_array_new (FALSE, FALSE, sizeof (DocentToken));
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL;
  g_autofree char *again = NULL;
  g_autofree char *reference = NULL;
  DocentGenerateResult result = { 0 };
  DocentChatMessage message = { DOCENT_CHAT_ROLE_USER, "Hello world" };

  if (!tiny_model_open (&tiny))
    {
      tiny_model_close (&tiny);
      return;
    }
  g_assert_cmpint (docent_chat_template_for_gguf (docent_model_gguf (tiny.model)), ==,
                   DOCENT_CHAT_CHATML);
  ctx = docent_context_new (tiny.model, 64, NULL, &error);
  g_assert_no_error (error);
  generator = docent_generator_new (ctx);
  g_assert_true (docent_generator_encode_chat (generator, DOCENT_CHAT_PLAIN, &message, 1,
                                               prompt, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_array_index (prompt, DocentToken, 0), ==, TOK_BOS);

  /* greedy twice from scratch: the same text */
  first = generate_once (generator, prompt, 12, &result);
  g_test_message ("tiny model: %u prompt tokens, %u generated, stop %d: \"%s\"",
                  result.n_prompt_tokens, result.n_generated, result.stop_reason, first);
  g_assert_cmpuint (result.n_reused_tokens, ==, 0);
  g_assert_cmpuint (result.n_generated, <=, 12);
  if (result.stop_reason == DOCENT_STOP_MAX_TOKENS)
    g_assert_cmpuint (result.n_generated, ==, 12);
  g_assert_cmpfloat (result.prompt_ms, >=, 0);
  docent_generate_result_clear (&result);

  ctx2 = docent_context_new (tiny.model, 64, NULL, &error);
  g_assert_no_error (error);
  fresh = docent_generator_new (ctx2);
  reference = generate_once (fresh, prompt, 12, &result);
  g_assert_cmpstr (first, ==, reference);
  docent_generate_result_clear (&result);

  /* again on the same context: the prompt comes from the cache */
  again = generate_once (generator, prompt, 12, &result);
  g_assert_cmpuint (result.n_reused_tokens, ==, prompt->len - 1);
  g_assert_cmpstr (again, ==, first);
  docent_generate_result_clear (&result);

  /* a longer prompt sharing the start */
  {
    g_autofree char *extended = NULL;
    g_autofree char *extended_ref = NULL;
    DocentToken extra[] = { TOK_WORD (1), TOK_WORD (4) };

    g_array_append_vals (prompt, extra, 2);
    extended = generate_once (generator, prompt, 8, &result);
    g_assert_cmpuint (result.n_reused_tokens, >, 0);
    docent_generate_result_clear (&result);
    docent_generator_reset (fresh);
    docent_context_truncate (ctx2, 0);
    extended_ref = generate_once (fresh, prompt, 8, &result);
    g_assert_cmpstr (extended, ==, extended_ref);
    docent_generate_result_clear (&result);
  }

  /* a prompt longer than the context */
  {
    DocentGenerateOptions options;
    DocentToken filler = TOK_WORD (6);

    while (prompt->len <= 64)
      g_array_append_val (prompt, filler);
    docent_generate_options_init (&options);
    g_assert_false (docent_generator_run (generator, (const DocentToken *) prompt->data,
                                          prompt->len, &options, NULL, &result, &error));
    g_assert_error (error, DOCENT_MODEL_ERROR, DOCENT_MODEL_ERROR_CONTEXT_FULL);
    docent_generate_result_clear (&result);
  }

  g_clear_pointer (&generator, docent_generator_free);
  g_clear_pointer (&fresh, docent_generator_free);
  g_clear_pointer (&ctx, docent_context_free);
  g_clear_pointer (&ctx2, docent_context_free);
  tiny_model_close (&tiny);
}

/* ---- docent-cli engine run ------------------------------------------------ */

static int
run_cli (const char * const *args,
         char              **out,
         char              **err)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  int status = -1;

  g_ptr_array_add (argv, (gpointer) g_getenv ("DOCENT_CLI"));
  g_ptr_array_add (argv, "engine");
  g_ptr_array_add (argv, "run");
  for (gsize i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               out, err, &status, &error));
  g_assert_no_error (error);
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

static void
test_cli_run (void)
{
  const char *cli = g_getenv ("DOCENT_CLI");
  TinyModel tiny = { 0 };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *out2 = NULL;
  g_autofree char *err2 = NULL;

  if (cli == NULL || !g_file_test (cli, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("DOCENT_CLI is not set to a built docent-cli (run under meson test)");
      return;
    }
  if (!tiny_model_open (&tiny))
    {
      tiny_model_close (&tiny);
      return;
    }
  {
    const char *args[] = { "--greedy", "-n", "6", "--chat", "--system", "Be brief.",
                           tiny.path, "Hello world", NULL };

    g_assert_cmpint (run_cli (args, &out, &err), ==, 0);
    g_assert_true (g_utf8_validate (out, -1, NULL));
    g_assert_nonnull (strstr (err, "generation: "));
    g_assert_nonnull (strstr (err, "tokens/s"));
    g_assert_cmpint (run_cli (args, &out2, &err2), ==, 0);
    g_assert_cmpstr (out, ==, out2);
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }
  {
    const char *args[] = { "--template", "nonsense", tiny.path, "Hi", NULL };

    g_assert_cmpint (run_cli (args, &out, &err), ==, 2);
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }
  {
    const char *args[] = { "/nonexistent/model.gguf", "Hi", NULL };

    g_assert_cmpint (run_cli (args, &out, &err), ==, 1);
    g_assert_true (g_str_has_prefix (err, "docent-cli: /nonexistent/model.gguf: "));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }
  {
    const char *args[] = { "--ctx", "4", tiny.path, "Hello world Hello world", NULL };

    g_assert_cmpint (run_cli (args, &out, &err), ==, 1);
    g_assert_nonnull (strstr (err, "context"));
  }
  tiny_model_close (&tiny);
}

/* ---- greedy continuations of the conformance kit -------------------------- */

static char *
conformance_dir (void)
{
  char *dir = g_build_filename (g_test_get_dir (G_TEST_DIST), "..", "..", "shared",
                                "conformance", NULL);

  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    g_clear_pointer (&dir, g_free);
  return dir;
}

/* The integers of the JSON array after `key` at or after *at (the kit's
 * files are plain enough that this needs no JSON parser); moves *at past
 * it. FALSE when there is no such key any more. */
static gboolean
next_int_array (const char **at,
                const char  *key,
                GArray      *out)
{
  const char *p = strstr (*at, key);

  g_array_set_size (out, 0);
  if (p == NULL || (p = strchr (p, '[')) == NULL)
    return FALSE;
  p++;
  while (*p != ']' && *p != '\0')
    {
      char *end;
      gint32 v = (gint32) strtol (p, &end, 10);

      g_assert_true (end != p);
      g_array_append_val (out, v);
      p = end;
      while (*p == ',' || *p == ' ')
        p++;
    }
  *at = p;
  return TRUE;
}

/* Greedy generation on one context over every case of a kit model: the
 * first tokens match the reference's argmax continuation, up to an end
 * token where we stop. Only for unquantized weights: with quantized ones
 * two near-equal logits (kit-qwen2-q8_0 has a 0.01 gap) may swap, so those
 * are only run. */
static void
check_kit_greedy (const char *dir,
                  const char *name,
                  gboolean    exact)
{
  g_autofree char *model_path = g_strdup_printf ("%s/models/%s.gguf", dir, name);
  g_autofree char *json_path = g_strdup_printf ("%s/expected/%s.json", dir, name);
  g_autofree char *json = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(DocentModel) model = docent_model_load (model_path, &error);
  g_autoptr(DocentContext) ctx = NULL;
  g_autoptr(DocentGenerator) generator = NULL;
  g_autoptr(GArray) prompt = g_array_new (FALSE, FALSE, sizeof (gint32));
  g_autoptr(GArray) greedy = g_array_new (FALSE, FALSE, sizeof (gint32));
  const char *at;
  DocentGenerateOptions options;
  guint n_cases = 0;

  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (json_path, &json, NULL, &error));
  ctx = docent_context_new (model, 512, NULL, &error);
  g_assert_no_error (error);
  generator = docent_generator_new (ctx);
  docent_generate_options_init (&options);
  options.sampling.temperature = 0.0f;
  options.sampling.repeat_penalty = 1.0f;
  options.max_tokens = 4;
  at = json;
  while (next_int_array (&at, "\"prompt\"", prompt))
    {
      DocentGenerateResult result = { 0 };

      g_assert_true (next_int_array (&at, "\"greedy\"", greedy));
      g_assert_true (docent_generator_run (generator, (const DocentToken *) prompt->data,
                                           prompt->len, &options, NULL, &result, &error));
      g_assert_no_error (error);
      g_test_message ("%s case %u: %u prompt tokens (%u reused), %u generated",
                      name, n_cases, result.n_prompt_tokens, result.n_reused_tokens,
                      result.tokens->len);
      g_assert_cmpuint (result.tokens->len, <=, 4);
      for (guint i = 0; exact && i < result.tokens->len; i++)
        g_assert_cmpint (g_array_index (result.tokens, DocentToken, i), ==,
                         g_array_index (greedy, gint32, i));
      if (result.stop_reason == DOCENT_STOP_EOS && exact)
        g_assert_cmpint (g_array_index (greedy, gint32, result.tokens->len), ==,
                         docent_tokenizer_eos (docent_generator_tokenizer (generator)));
      else if (result.stop_reason != DOCENT_STOP_EOS)
        g_assert_cmpint (result.stop_reason, ==, DOCENT_STOP_MAX_TOKENS);
      docent_generate_result_clear (&result);
      n_cases++;
    }
  g_assert_cmpuint (n_cases, >, 0);
}

static void
test_kit_greedy (void)
{
  g_autofree char *dir = conformance_dir ();

  if (dir == NULL)
    {
      g_test_skip ("no conformance kit at ../shared/conformance");
      return;
    }
  check_kit_greedy (dir, "kit-llama-f32", TRUE);
  check_kit_greedy (dir, "kit-gemma3-f16", TRUE);
  check_kit_greedy (dir, "kit-qwen2-q8_0", FALSE);
  check_kit_greedy (dir, "kit-phi3-q8_0", FALSE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sampler/greedy", test_sampler_greedy);
  g_test_add_func ("/sampler/seeded", test_sampler_seeded);
  g_test_add_func ("/sampler/filters", test_sampler_filters);
  g_test_add_func ("/sampler/large", test_sampler_large);
  g_test_add_func ("/sampler/penalties", test_sampler_penalties);
  g_test_add_func ("/sampler/distribution", test_sampler_distribution);
  g_test_add_func ("/chat/render", test_chat_render);
  g_test_add_func ("/chat/render-details", test_chat_render_details);
  g_test_add_func ("/chat/detect", test_chat_detect);
  g_test_add_func ("/chat/default-system", test_chat_default_system);
#define ADD_FIXTURE(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD_FIXTURE ("/generate/utf8", test_stream_utf8);
  ADD_FIXTURE ("/generate/invalid-utf8", test_stream_invalid);
  ADD_FIXTURE ("/generate/long-piece", test_stream_long_piece);
  ADD_FIXTURE ("/generate/stop-string", test_stop_string);
  ADD_FIXTURE ("/generate/stop-string-false-start", test_stop_string_false_start);
  ADD_FIXTURE ("/generate/trim-start", test_trim_start);
  ADD_FIXTURE ("/generate/stop-token", test_stop_token);
  ADD_FIXTURE ("/generate/max-tokens", test_max_tokens);
  ADD_FIXTURE ("/generate/context-full", test_context_full);
  ADD_FIXTURE ("/generate/prefix-reuse", test_prefix_reuse_fake);
  ADD_FIXTURE ("/generate/cancel", test_cancel);
#undef ADD_FIXTURE
  g_test_add_func ("/generate/model", test_model_generate);
  g_test_add_func ("/generate/kit-greedy", test_kit_greedy);
  g_test_add_func ("/generate/cli-run", test_cli_run);
  return g_test_run ();
}
