/* library-private.h — what the facade's own files (library.c, ask.c)
 * share: the library object and its lazily loaded parts. */
#pragma once

#include "app/library.h"
#include "engine/backend.h"

struct _DocentLibrary {
  char *dir;
  DocentStore *store;
  DocentSettings *settings;        /* loaded on first use */
  DocentEmbedder *embedder;        /* loaded on first use */
  gboolean embedder_loaded;
  DocentChatBackend *chat;         /* the last chat backend used, kept warm */
  char *chat_key;                  /* what it was made for (path or URL) */
};
