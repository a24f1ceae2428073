/* chat.c — chat template families: detection by marker, rendering and stop
 * strings. The layouts follow the families' published templates:
 *
 *   chatml   <|im_start|>ROLE\nCONTENT<|im_end|>\n … <|im_start|>assistant\n
 *   llama3   BOS<|start_header_id|>ROLE<|end_header_id|>\n\nTRIM(CONTENT)<|eot_id|>
 *            … <|start_header_id|>assistant<|end_header_id|>\n\n
 *   phi3     <|ROLE|>\nCONTENT<|end|>\n … <|assistant|>\n (EOS when no
 *            generation prompt)
 *   mistral  BOS[INST] SYSTEM\n\nUSER [/INST]ANSWER EOS[INST] USER [/INST]
 *   gemma    BOS<start_of_turn>user\nSYSTEM\n\nTRIM(USER)<end_of_turn>\n
 *            <start_of_turn>model\nTRIM(ANSWER)<end_of_turn>\n … <start_of_turn>model\n
 *   llama2   BOS[INST] <<SYS>>\nSYSTEM\n<</SYS>>\n\nTRIM(USER) [/INST] TRIM(ANSWER) EOS
 *            BOS[INST] TRIM(USER) [/INST]
 *   plain    SYSTEM\n\nUser: USER\nAssistant: ANSWER\n … Assistant:
 */
#include "engine/chat.h"

#include <string.h>

static const char *const family_names[] = {
  [DOCENT_CHAT_PLAIN] = "plain",
  [DOCENT_CHAT_CHATML] = "chatml",
  [DOCENT_CHAT_LLAMA3] = "llama3",
  [DOCENT_CHAT_PHI3] = "phi3",
  [DOCENT_CHAT_MISTRAL] = "mistral",
  [DOCENT_CHAT_GEMMA] = "gemma",
  [DOCENT_CHAT_LLAMA2] = "llama2",
};

/* ---- recognising a family ------------------------------------------------- */

/* The first marker found wins, so the most distinctive come first: a
 * Llama 3 or ChatML template may also mention "[INST]" in a comment. */
static const struct {
  const char *marker;
  DocentChatTemplate family;
} markers[] = {
  { "<|im_start|>", DOCENT_CHAT_CHATML },
  { "<|start_header_id|>", DOCENT_CHAT_LLAMA3 },
  { "<start_of_turn>", DOCENT_CHAT_GEMMA },
  { "<|user|>", DOCENT_CHAT_PHI3 },
  { "<|end|>", DOCENT_CHAT_PHI3 },
  { "<<SYS>>", DOCENT_CHAT_LLAMA2 },
  { "[INST]", DOCENT_CHAT_MISTRAL },
};

DocentChatTemplate
docent_chat_template_detect (const char *template_text)
{
  if (template_text == NULL)
    return DOCENT_CHAT_PLAIN;
  for (gsize i = 0; i < G_N_ELEMENTS (markers); i++)
    if (strstr (template_text, markers[i].marker) != NULL)
      return markers[i].family;
  return DOCENT_CHAT_PLAIN;
}

DocentChatTemplate
docent_chat_template_for_gguf (DocentGguf *gguf)
{
  g_autofree char *text = docent_gguf_dup_string (gguf, "tokenizer.chat_template", NULL);

  return docent_chat_template_detect (text);
}

const char *
docent_chat_template_name (DocentChatTemplate family)
{
  if ((guint) family >= G_N_ELEMENTS (family_names))
    return "plain";
  return family_names[family];
}

gboolean
docent_chat_template_from_name (const char         *name,
                                DocentChatTemplate *family)
{
  for (guint i = 0; i < G_N_ELEMENTS (family_names); i++)
    if (g_ascii_strcasecmp (name, family_names[i]) == 0)
      {
        *family = (DocentChatTemplate) i;
        return TRUE;
      }
  return FALSE;
}

/* The literal after `at` up to "<|im_end|>", if it is plain text and not
 * a piece of template code (a quote, a brace or a concatenation). */
static char *
literal_system_text (const char *at)
{
  const char *end = strstr (at, "<|im_end|>");
  g_autofree char *raw = NULL;

  if (end == NULL || end == at)
    return NULL;
  raw = g_strndup (at, end - at);
  if (strpbrk (raw, "'\"{}+") != NULL)
    return NULL;
  /* the Jinja source spells line breaks as \n inside the literal */
  return g_strcompress (raw);
}

char *
docent_chat_template_default_system (const char *template_text)
{
  static const char *const openings[] = { "<|im_start|>system\\n", "<|im_start|>system\n" };

  if (template_text == NULL)
    return NULL;
  for (gsize i = 0; i < G_N_ELEMENTS (openings); i++)
    for (const char *at = strstr (template_text, openings[i]); at != NULL;
         at = strstr (at + 1, openings[i]))
      {
        char *text = literal_system_text (at + strlen (openings[i]));

        if (text != NULL)
          return text;
      }
  return NULL;
}

gboolean
docent_chat_template_writes_bos (DocentChatTemplate family)
{
  return family == DOCENT_CHAT_LLAMA3 || family == DOCENT_CHAT_MISTRAL
         || family == DOCENT_CHAT_GEMMA || family == DOCENT_CHAT_LLAMA2;
}

/* ---- rendering ------------------------------------------------------------ */

static const char *
role_name (DocentChatRole role)
{
  switch (role)
    {
    case DOCENT_CHAT_ROLE_SYSTEM:
      return "system";
    case DOCENT_CHAT_ROLE_ASSISTANT:
      return "assistant";
    case DOCENT_CHAT_ROLE_USER:
    default:
      return "user";
    }
}

/* Jinja's `trim`: white space off both ends. */
static void
append_trimmed (GString    *out,
                const char *text)
{
  const char *end = text + strlen (text);

  while (*text != '\0' && g_ascii_isspace (*text))
    text++;
  while (end > text && g_ascii_isspace (end[-1]))
    end--;
  g_string_append_len (out, text, end - text);
}

static void
append_or_empty (GString    *out,
                 const char *text)
{
  if (text != NULL)
    g_string_append (out, text);
}

static void
render_chatml (GString                 *out,
               const DocentChatMessage *messages,
               gsize                    n,
               gboolean                 generation)
{
  for (gsize i = 0; i < n; i++)
    g_string_append_printf (out, "<|im_start|>%s\n%s<|im_end|>\n",
                            role_name (messages[i].role), messages[i].content);
  if (generation)
    g_string_append (out, "<|im_start|>assistant\n");
}

static void
render_llama3 (GString                 *out,
               const DocentChatMessage *messages,
               gsize                    n,
               gboolean                 generation)
{
  for (gsize i = 0; i < n; i++)
    {
      g_string_append_printf (out, "<|start_header_id|>%s<|end_header_id|>\n\n",
                              role_name (messages[i].role));
      append_trimmed (out, messages[i].content);
      g_string_append (out, "<|eot_id|>");
    }
  if (generation)
    g_string_append (out, "<|start_header_id|>assistant<|end_header_id|>\n\n");
}

static void
render_phi3 (GString                 *out,
             const DocentChatMessage *messages,
             gsize                    n,
             const char              *eos,
             gboolean                 generation)
{
  for (gsize i = 0; i < n; i++)
    g_string_append_printf (out, "<|%s|>\n%s<|end|>\n",
                            role_name (messages[i].role), messages[i].content);
  if (generation)
    g_string_append (out, "<|assistant|>\n");
  else
    append_or_empty (out, eos);
}

/* Mistral and Gemma have no system role: the system text goes in front
 * of the first user message, separated by a blank line. A system message
 * with no user message after it becomes a user message of its own. */
static const char *
pending_system (const DocentChatMessage *messages,
                gsize                    n,
                gsize                    i)
{
  if (messages[i].role != DOCENT_CHAT_ROLE_SYSTEM || i + 1 >= n
      || messages[i + 1].role != DOCENT_CHAT_ROLE_USER)
    return NULL;
  return messages[i].content;
}

static void
render_mistral (GString                 *out,
                const DocentChatMessage *messages,
                gsize                    n,
                const char              *eos)
{
  const char *system = NULL;

  for (gsize i = 0; i < n; i++)
    {
      if ((system = pending_system (messages, n, i)) != NULL)
        {
          g_string_append_printf (out, "[INST] %s\n\n%s [/INST]",
                                  system, messages[i + 1].content);
          i++;
        }
      else if (messages[i].role == DOCENT_CHAT_ROLE_ASSISTANT)
        {
          g_string_append (out, messages[i].content);
          append_or_empty (out, eos);
        }
      else
        g_string_append_printf (out, "[INST] %s [/INST]", messages[i].content);
    }
}

/* Llama 2 wraps the system prompt in <<SYS>> inside the first user turn
 * and writes BOS before every user turn itself. */
static void
render_llama2 (GString                 *out,
               const DocentChatMessage *messages,
               gsize                    n,
               const char              *bos,
               const char              *eos)
{
  const char *system = NULL;

  for (gsize i = 0; i < n; i++)
    {
      if (messages[i].role == DOCENT_CHAT_ROLE_ASSISTANT)
        {
          g_string_append_c (out, ' ');
          append_trimmed (out, messages[i].content);
          g_string_append_c (out, ' ');
          append_or_empty (out, eos);
          continue;
        }
      if (i > 0)
        append_or_empty (out, bos);
      g_string_append (out, "[INST] ");
      if ((system = pending_system (messages, n, i)) != NULL)
        {
          g_string_append (out, "<<SYS>>\n");
          append_trimmed (out, system);
          g_string_append (out, "\n<</SYS>>\n\n");
          i++;
        }
      append_trimmed (out, messages[i].content);
      g_string_append (out, " [/INST]");
    }
}

static void
render_gemma (GString                 *out,
              const DocentChatMessage *messages,
              gsize                    n,
              gboolean                 generation)
{
  const char *system = NULL;

  for (gsize i = 0; i < n; i++)
    {
      gboolean model = messages[i].role == DOCENT_CHAT_ROLE_ASSISTANT;

      g_string_append_printf (out, "<start_of_turn>%s\n", model ? "model" : "user");
      if ((system = pending_system (messages, n, i)) != NULL)
        {
          g_string_append_printf (out, "%s\n\n", system);
          i++;
        }
      append_trimmed (out, messages[i].content);
      g_string_append (out, "<end_of_turn>\n");
    }
  if (generation)
    g_string_append (out, "<start_of_turn>model\n");
}

static void
render_plain (GString                 *out,
              const DocentChatMessage *messages,
              gsize                    n,
              gboolean                 generation)
{
  for (gsize i = 0; i < n; i++)
    {
      switch (messages[i].role)
        {
        case DOCENT_CHAT_ROLE_SYSTEM:
          g_string_append_printf (out, "%s\n\n", messages[i].content);
          break;
        case DOCENT_CHAT_ROLE_ASSISTANT:
          g_string_append_printf (out, "Assistant: %s\n", messages[i].content);
          break;
        case DOCENT_CHAT_ROLE_USER:
        default:
          g_string_append_printf (out, "User: %s\n", messages[i].content);
          break;
        }
    }
  if (generation)
    g_string_append (out, "Assistant:");
}

char *
docent_chat_render (DocentChatTemplate       family,
                    const DocentChatMessage *messages,
                    gsize                    n_messages,
                    const char              *bos,
                    const char              *eos,
                    gboolean                 add_generation_prompt)
{
  GString *out = g_string_new (NULL);

  if (docent_chat_template_writes_bos (family))
    append_or_empty (out, bos);
  switch (family)
    {
    case DOCENT_CHAT_CHATML:
      render_chatml (out, messages, n_messages, add_generation_prompt);
      break;
    case DOCENT_CHAT_LLAMA3:
      render_llama3 (out, messages, n_messages, add_generation_prompt);
      break;
    case DOCENT_CHAT_PHI3:
      render_phi3 (out, messages, n_messages, eos, add_generation_prompt);
      break;
    case DOCENT_CHAT_MISTRAL:
      render_mistral (out, messages, n_messages, eos);
      break;
    case DOCENT_CHAT_GEMMA:
      render_gemma (out, messages, n_messages, add_generation_prompt);
      break;
    case DOCENT_CHAT_LLAMA2:
      render_llama2 (out, messages, n_messages, bos, eos);
      break;
    case DOCENT_CHAT_PLAIN:
    default:
      render_plain (out, messages, n_messages, add_generation_prompt);
      break;
    }
  return g_string_free (out, FALSE);
}

/* ---- stopping ------------------------------------------------------------- */

static const char *const stops_plain[] = { "\nUser:", NULL };
static const char *const stops_chatml[] = { "<|im_end|>", "<|endoftext|>", NULL };
static const char *const stops_llama3[] = { "<|eot_id|>", "<|eom_id|>", "<|end_of_text|>", NULL };
static const char *const stops_phi3[] = { "<|end|>", "<|endoftext|>", NULL };
static const char *const stops_mistral[] = { "</s>", "[INST]", NULL };
static const char *const stops_gemma[] = { "<end_of_turn>", "<eos>", NULL };

const char * const *
docent_chat_stop_strings (DocentChatTemplate family)
{
  switch (family)
    {
    case DOCENT_CHAT_CHATML:
      return stops_chatml;
    case DOCENT_CHAT_LLAMA3:
      return stops_llama3;
    case DOCENT_CHAT_PHI3:
      return stops_phi3;
    case DOCENT_CHAT_MISTRAL:
    case DOCENT_CHAT_LLAMA2:
      return stops_mistral;
    case DOCENT_CHAT_GEMMA:
      return stops_gemma;
    case DOCENT_CHAT_PLAIN:
    default:
      return stops_plain;
    }
}
