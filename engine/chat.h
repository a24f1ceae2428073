/* chat.h — chat templates: which prompt layout a model was trained on
 * (recognised from the markers in its tokenizer.chat_template, not by
 * running the Jinja), rendering a conversation in that layout, and the
 * strings that end the model's turn. */
#pragma once

#include <glib.h>

#include "engine/gguf.h"

G_BEGIN_DECLS

typedef enum {
  DOCENT_CHAT_PLAIN,      /* "User: …\nAssistant:" — no template known */
  DOCENT_CHAT_CHATML,     /* <|im_start|> (Qwen, SmolLM) */
  DOCENT_CHAT_LLAMA3,     /* <|start_header_id|> */
  DOCENT_CHAT_PHI3,       /* <|user|> … <|end|> */
  DOCENT_CHAT_MISTRAL,    /* [INST] … [/INST] (Mistral, Llama 2) */
  DOCENT_CHAT_GEMMA,      /* <start_of_turn> */
  DOCENT_CHAT_LLAMA2,     /* [INST] with <<SYS>> (Llama 2 chat) */
} DocentChatTemplate;

typedef enum {
  DOCENT_CHAT_ROLE_SYSTEM,
  DOCENT_CHAT_ROLE_USER,
  DOCENT_CHAT_ROLE_ASSISTANT,
} DocentChatRole;

typedef struct {
  DocentChatRole role;
  const char *content;
} DocentChatMessage;

/* The family whose markers `template_text` holds; PLAIN for NULL or none. */
DocentChatTemplate  docent_chat_template_detect    (const char          *template_text);
/* From the file's tokenizer.chat_template; PLAIN when it has none. */
DocentChatTemplate  docent_chat_template_for_gguf  (DocentGguf          *gguf);
/* "chatml", "llama3", "phi3", "mistral", "gemma", "llama2", "plain". */
const char         *docent_chat_template_name      (DocentChatTemplate   family);
gboolean            docent_chat_template_from_name (const char          *name,
                                                    DocentChatTemplate  *family);

/* The system prompt a ChatML template writes when a conversation has
 * none (Qwen 2 and 2.5, SmolLM2 do), found as a string literal in the
 * template; NULL when there is none. */
char               *docent_chat_template_default_system (const char  *template_text);

/* Whether the family's template writes the BOS token itself (as text, to
 * be encoded with DOCENT_ENCODE_PARSE_SPECIAL). */
gboolean            docent_chat_template_writes_bos (DocentChatTemplate  family);

/* The prompt for `messages` as the model's own template writes it, ending
 * with the opening of the assistant's turn when add_generation_prompt.
 * `bos` and `eos` are the vocabulary's BOS and EOS texts (NULL: none);
 * families without a system role get the system prompt in front of the
 * first user message. Special tokens appear as text: encode the result with
 * DOCENT_ENCODE_PARSE_SPECIAL and without DOCENT_ENCODE_ADD_SPECIAL. */
char               *docent_chat_render             (DocentChatTemplate       family,
                                                    const DocentChatMessage *messages,
                                                    gsize                    n_messages,
                                                    const char              *bos,
                                                    const char              *eos,
                                                    gboolean                 add_generation_prompt);

/* NULL-terminated: the texts that end the assistant's turn in this family,
 * whether the vocabulary has them as single tokens or not. */
const char * const *docent_chat_stop_strings       (DocentChatTemplate   family);

G_END_DECLS
