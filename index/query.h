/* query.h — turning what a person types into a safe FTS5 query.
 *
 * The result never makes FTS5 raise a syntax error, whatever the input:
 * every term is quoted. Understood: "quoted phrases", a trailing * for a
 * prefix, -term or NOT term to exclude, OR between terms; everything else is
 * words. Words are OR-ed (BM25 ranks passages matching more of them first),
 * and English stop words are dropped when other words remain. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Returns the FTS5 MATCH expression, or NULL when the input has nothing to
 * search for (only punctuation or only exclusions). */
char *docent_fts_query_from_user (const char *text);

/* The query's parts, each one FTS5 string ("quoted", followed by " *" for a
 * prefix): what to look for, and what to exclude. Returns FALSE, with both
 * set to NULL, when there is nothing to look for. Search uses them to weigh
 * each part on its own. */
gboolean docent_query_parts (const char  *text,
                             GStrv       *positives,
                             GStrv       *negatives);

/* Joins parts the way docent_fts_query_from_user does: positives OR-ed,
 * then NOT each exclusion. NULL when there is no positive part. */
char *docent_fts_query_join (const char *const *positives,
                             const char *const *negatives);

/* The terms (lower-case, no operators) the query searches for, used to mark
 * matches in text outside FTS5. */
GStrv docent_query_terms (const char *text);

G_END_DECLS
