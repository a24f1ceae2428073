/* text.h — plain text files: one page, paragraphs at blank lines; and the
 * line helpers that Markdown and HTML share. */
#pragma once

#include "ingest/extract.h"

G_BEGIN_DECLS

/* Appends `len` bytes of `text` to `page`, each '\n' in it a line break
 * (the other page builders fold it into a space): preformatted HTML,
 * Markdown's hard line breaks. */
void     docent_text_append_lines (DocentPage *page,
                                   const char *text,
                                   gsize       len);

/* How docent_text_read_lines() hands the lines over. */
typedef struct {
  /* One line, without its '\n' (a '\r' before it stays). */
  void (*line)       (gpointer    state,
                      const char *s,
                      gsize       len);
  /* Before each periodic check of the limits; may be NULL. */
  void (*checkpoint) (gpointer    state);
  /* After the last line, before the final check: the rest of the text
   * goes to the page, which is finished. */
  void (*end)        (gpointer    state);
} DocentTextLineFuncs;

/* The reading loop of the line-based extractors (plain text, Markdown):
 * splits `data` (NULL means empty) at '\n', and checks the limits of
 * `opts` (NULL: the defaults) on `doc` every 256 KiB of input and once at
 * the end. Returns FALSE, with `error` set, once a limit is passed. */
gboolean docent_text_read_lines (DocentExtracted            *doc,
                                 const char                 *data,
                                 gsize                       len,
                                 const DocentExtractOptions *opts,
                                 const DocentTextLineFuncs  *funcs,
                                 gpointer                    state,
                                 GError                    **error);

/* `data` is UTF-8 (docent_extract decodes other encodings first). Wrapped
 * prose lines are joined; list items and runs of short lines stay lines;
 * underlined lines and lone ALL CAPS lines become headings. The title is the
 * first heading, else the first line when it is at most 100 characters. */
DocentExtracted *docent_extract_text (const char                 *data,
                                      gsize                       len,
                                      const DocentExtractOptions *opts,
                                      GError                    **error);

G_END_DECLS
