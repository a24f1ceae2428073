/* answer-text.c — words, stems, stop words, sentences and citation markers
 * for the answer code (relevance, the extractive answerer, citations).
 *
 * Deliberately light: no dictionary, no language model. Stems only have to
 * agree between a question and a passage, not be real words ("lease",
 * "leases", "leased", "leasing" all become "leas").
 *
 * The sentence splitter follows the same rules as the chunker's
 * (ingest/chunker.c: abbreviations, initials, decimals, a lower-case word
 * not starting a sentence); the engine may not include ingest headers, and
 * this one also knows citation markers, line-level structure (list items,
 * labels, table rows, headings) and fragments. */
#include "engine/answer-private.h"

#include <string.h>

/* ---- words ---------------------------------------------------------------- */

static const char *const stop_words[] = {
  /* English function words */
  "a", "about", "above", "after", "again", "against", "all", "also", "am",
  "an", "and", "any", "are", "as", "at", "be", "because", "been", "before",
  "being", "below", "between", "both", "but", "by", "can", "cannot", "could",
  "did", "do", "does", "doing", "done", "down", "during", "each", "either",
  "else", "ever", "every", "few", "for", "from", "further", "had", "has",
  "have", "having", "he", "her", "here", "hers", "herself", "him", "himself",
  "his", "i", "if", "in", "into", "is", "it", "its", "itself", "just", "may",
  "me", "might", "more", "most", "must", "my", "myself", "neither", "no",
  "nor", "not", "of", "off", "on", "once", "only", "onto", "or", "other",
  "ought", "our", "ours", "ourselves", "out", "over", "own", "per", "same",
  "shall", "she", "should", "so", "some", "such", "than", "that", "the",
  "their", "theirs", "them", "themselves", "then", "there", "these", "they",
  "this", "those", "through", "to", "too", "under", "until", "up", "upon",
  "us", "very", "via", "was", "we", "were", "while", "will", "with", "within",
  "would", "yet", "you", "your", "yours", "yourself", "yourselves",
  "dont", "doesnt", "didnt", "isnt", "arent", "wasnt", "werent", "cant",
  "couldnt", "shouldnt", "wouldnt", "wont", "im", "ive", "id", "youre",
  "s", "t",
  /* question words and the verbs of asking */
  "what", "which", "who", "whom", "whose", "when", "where", "why", "how",
  "whether", "much", "many", "tell", "explain", "describe", "please",
  "anything", "something", "thing", "things", "kind", "sort",
};

static GHashTable *
stop_word_table (void)
{
  static GHashTable *table;

  if (g_once_init_enter (&table))
    {
      GHashTable *t = g_hash_table_new (g_str_hash, g_str_equal);

      for (guint i = 0; i < G_N_ELEMENTS (stop_words); i++)
        g_hash_table_add (t, (gpointer) stop_words[i]);
      g_once_init_leave (&table, t);
    }
  return table;
}

gboolean
docent_answer_is_stop_word (const char *word)
{
  return g_hash_table_contains (stop_word_table (), word);
}

static gboolean
ends (const char *w,
      gsize       n,
      const char *suffix)
{
  gsize k = strlen (suffix);

  return n >= k && memcmp (w + n - k, suffix, k) == 0;
}

static gboolean
has_vowel (const char *w,
           gsize       n)
{
  for (gsize i = 0; i < n; i++)
    if ((guchar) w[i] >= 0x80 || strchr ("aeiouy", w[i]) != NULL)
      return TRUE;
  return FALSE;
}

/* Plurals (-s, -es, -ies), then -ly ("monthly") or -ing / -ed (undoubling
 * "stopp"), then a final -e, so that "notice", "notices", "noticed" and
 * "noticing" agree.
 * Suffixes are ASCII, so cutting them never splits a UTF-8 sequence. */
void
docent_answer_stem (char *w)
{
  gsize n = strlen (w);
  gboolean cut = FALSE;

  if (n <= 2 || g_ascii_isdigit (w[0]))
    return;
  if (n > 4 && ends (w, n, "ies"))
    {
      n -= 2;
      w[n - 1] = 'y';
    }
  else if (ends (w, n, "sses"))
    n -= 2;
  else if (n > 4 && (ends (w, n, "xes") || ends (w, n, "zes") ||
                     ends (w, n, "ches") || ends (w, n, "shes")))
    n -= 2;
  else if (n >= 4 && w[n - 1] == 's' && !ends (w, n, "ss") &&
           !ends (w, n, "us") && !ends (w, n, "is"))
    n -= 1;

  if (n >= 6 && ends (w, n, "ly"))
    n -= 2;  /* "monthly", "properly", "carefully" */
  else if (n >= 5 && ends (w, n, "ing") && has_vowel (w, n - 3))
    {
      n -= 3;
      cut = TRUE;
    }
  else if (ends (w, n, "eed"))
    {
      /* "agreed", "guaranteed"; but "exceed", "need", "proceed" are stems */
      if (n > 5 && (ends (w, n, "reed") || ends (w, n, "teed")))
        n -= 1;
    }
  else if (n > 4 && ends (w, n, "ied"))
    {
      n -= 2;
      w[n - 1] = 'y';
    }
  else if (n >= 4 && ends (w, n, "ed") && has_vowel (w, n - 2))
    {
      n -= 2;
      cut = TRUE;
    }
  if (cut && n >= 4 && w[n - 1] == w[n - 2] && g_ascii_isalpha (w[n - 1]) &&
      strchr ("aeioulsz", w[n - 1]) == NULL)
    n--;
  if (n >= 3 && w[n - 1] == 'e' && w[n - 2] != 'e')
    n--;
  w[n] = '\0';
}

/* Irregular forms that questions and documents use for the same thing
 * ("keep a dog" / "may be kept"), mapped to the form the stemmer sees. */
static const char *const irregular[][2] = {
  { "kept", "keep" }, { "paid", "pay" }, { "made", "make" }, { "given", "give" },
  { "gave", "give" }, { "taken", "take" }, { "took", "take" }, { "left", "leave" },
  { "sent", "send" }, { "held", "hold" }, { "brought", "bring" },
  { "bought", "buy" }, { "told", "tell" }, { "found", "find" }, { "went", "go" },
  { "gone", "go" }, { "said", "say" }, { "written", "write" }, { "wrote", "write" },
  { "ran", "run" }, { "began", "begin" }, { "begun", "begin" },
  { "chosen", "choose" }, { "chose", "choose" }, { "known", "know" },
  { "knew", "know" }, { "shown", "show" }, { "spent", "spend" }, { "lost", "lose" },
  { "met", "meet" }, { "sold", "sell" }, { "built", "build" }, { "felt", "feel" },
  { "meant", "mean" }, { "ate", "eat" }, { "eaten", "eat" }, { "drank", "drink" },
  { "drunk", "drink" }, { "fell", "fall" }, { "fallen", "fall" }, { "grew", "grow" },
  { "grown", "grow" }, { "thought", "think" }, { "taught", "teach" },
  { "caught", "catch" }, { "sought", "seek" }, { "stood", "stand" },
  { "understood", "understand" }, { "withdrawn", "withdraw" },
  { "forbidden", "forbid" }, { "driven", "drive" }, { "drove", "drive" },
  { "broken", "break" }, { "broke", "break" }, { "spoken", "speak" },
  { "frozen", "freeze" }, { "hidden", "hide" }, { "worn", "wear" },
  { "torn", "tear" }, { "born", "bear" }, { "lain", "lie" }, { "laid", "lay" },
  { "led", "lead" }, { "fed", "feed" }, { "bled", "bleed" }, { "fled", "flee" },
  { "sat", "sit" }, { "won", "win" }, { "struck", "strike" }, { "stuck", "stick" },
  { "hung", "hang" }, { "dug", "dig" }, { "slept", "sleep" }, { "swept", "sweep" },
  { "children", "child" }, { "men", "man" }, { "women", "woman" },
  { "feet", "foot" }, { "teeth", "tooth" }, { "mice", "mouse" },
  { "people", "person" }, { "daily", "day" }, { "annual", "year" },
  { "annually", "year" }, { "yearly", "year" },
};

static const char *
base_form (const char *word)
{
  static GHashTable *table;

  if (g_once_init_enter (&table))
    {
      GHashTable *t = g_hash_table_new (g_str_hash, g_str_equal);

      for (guint i = 0; i < G_N_ELEMENTS (irregular); i++)
        g_hash_table_insert (t, (gpointer) irregular[i][0], (gpointer) irregular[i][1]);
      g_once_init_leave (&table, t);
    }
  return g_hash_table_lookup (table, word);
}

char *
docent_answer_stem_word (const char *word)
{
  g_auto(GStrv) parts = g_strsplit (word, " ", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *norm = docent_answer_normalize_word (parts[i], -1);
      const char *base = base_form (norm);

      if (base != NULL)
        {
          g_free (norm);
          norm = g_strdup (base);
        }
      if (!g_ascii_isdigit (norm[0]))
        docent_answer_stem (norm);
      g_free (parts[i]);
      parts[i] = norm;
    }
  return g_strjoinv (" ", parts);
}

/* ---- synonyms --------------------------------------------------------------- */

/* A small thesaurus of everyday and formal words for the same thing, the
 * kind of pairs people use when asking about a contract, a policy, a
 * guideline or a manual ("quit" / "resign", "vacation" / "annual leave",
 * "fix" / "repair", "warning" / "notice"). Each line is a group: every
 * word stands for every other one. Two-word entries ("move out") are
 * phrases a question may use for one of the single words. Kept small and
 * general on purpose — words with several common senses ("leave", "let",
 * "pay") appear only where the other words pin the sense down — and a
 * match through it always counts for less than the word itself
 * (answer-extract.c), so a loose pair costs little. */
static const char *const synonym_groups[][5] = {
  /* leaving, ending */
  { "quit", "resign", "resignation", NULL },
  { "end", "terminate", "expire", NULL },
  { "run out", "end", "expire", NULL },
  { "move out", "vacate", "leave", NULL },
  { "break", "terminate", "leave", NULL },
  /* time off */
  { "vacation", "holiday", "leave", NULL },
  { "day off", "leave", NULL },
  { "time off", "leave", NULL },
  { "die", "death", "bereavement", NULL },
  { "sick", "ill", "sickness", NULL },
  { "baby", "child", "birth", NULL },
  { "carer", "caregiver", NULL },
  { "father", "mother", "parent", NULL },
  /* telling, asking, allowing */
  { "warning", "notice", "notify", NULL },
  { "tell", "notify", "inform", "notice", NULL },
  { "ask", "request", NULL },
  { "allow", "permit", "consent", NULL },
  { "forbid", "prohibit", "ban", NULL },
  /* money */
  { "cost", "fee", "price", "charge", NULL },
  { "salary", "pay", "wage", NULL },
  { "refund", "reimburse", NULL },
  { "money", "budget", NULL },
  { "penalty", "fine", "fee", NULL },
  /* renting */
  { "rent", "rental", NULL },
  { "rent out", "sublet", "rental", NULL },
  { "sublet", "sublease", "subtenant", NULL },
  { "flat", "apartment", "premises", NULL },
  { "renter", "tenant", NULL },
  { "friend", "guest", "visitor", NULL },
  { "put up", "raise", "increase", NULL },
  /* work */
  { "job", "employment", "position", NULL },
  { "boss", "manager", "supervisor", NULL },
  { "staff", "employee", NULL },
  { "company", "employer", "organisation", NULL },
  { "trip", "travel", NULL },
  { "food", "meal", NULL },
  { "car", "vehicle", NULL },
  { "course", "training", NULL },
  /* health */
  { "doctor", "physician", NULL },
  { "medication", "medicine", "drug", "tablet", NULL },
  { "pregnant", "pregnancy", NULL },
  { "kidney", "renal", NULL },
  { "recheck", "check", NULL },
  { "aim", "target", "goal", NULL },
  /* order and size */
  { "start", "begin", "initial", "first", NULL },
  { "highest", "maximum", NULL },
  { "lowest", "minimum", NULL },
  { "big", "large", NULL },
  /* things and fixing them */
  { "fix", "repair", NULL },
  { "broken", "faulty", "defect", NULL },
  { "swap", "replace", "change", NULL },
  { "lose", "stolen", "missing", NULL },
  { "machine", "maker", "appliance", NULL },
  { "guarantee", "warranty", NULL },
  { "clean", "wash", "rinse", NULL },
  { "call", "phone", "contact", NULL },
  { "help", "support", "service", NULL },
  { "error", "fault", NULL },
  { "display", "screen", "show", NULL },
  { "new", "replace", "replacement", NULL },
  { "solution", "liquid", NULL },
};

/* stem → NULL-terminated array of the other stems of its groups */
static GHashTable *
synonym_table (void)
{
  static GHashTable *table;

  if (g_once_init_enter (&table))
    {
      GHashTable *t = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify) g_ptr_array_unref);

      for (guint g = 0; g < G_N_ELEMENTS (synonym_groups); g++)
        {
          char *stems[G_N_ELEMENTS (synonym_groups[0])] = { NULL };
          guint n = 0;

          for (; n < G_N_ELEMENTS (synonym_groups[g]) && synonym_groups[g][n] != NULL; n++)
            stems[n] = docent_answer_stem_word (synonym_groups[g][n]);
          for (guint i = 0; i < n; i++)
            {
              GPtrArray *alts = g_hash_table_lookup (t, stems[i]);

              if (alts == NULL)
                {
                  alts = g_ptr_array_new_with_free_func (g_free);
                  g_hash_table_insert (t, g_strdup (stems[i]), alts);
                }
              for (guint k = 0; k < n; k++)
                {
                  gboolean dup = strcmp (stems[k], stems[i]) == 0;

                  for (guint a = 0; a < alts->len && !dup; a++)
                    dup = strcmp (alts->pdata[a], stems[k]) == 0;
                  /* phrases are looked up, never matched as alternatives */
                  if (!dup && strchr (stems[k], ' ') == NULL)
                    g_ptr_array_add (alts, g_strdup (stems[k]));
                }
            }
          for (guint i = 0; i < n; i++)
            g_free (stems[i]);
        }
      g_once_init_leave (&table, t);
    }
  return table;
}

GPtrArray *
docent_answer_synonyms (const char *stem)
{
  GPtrArray *alts = g_hash_table_lookup (synonym_table (), stem);

  return alts != NULL && alts->len > 0 ? alts : NULL;
}

static gboolean
is_cjk (gunichar c)
{
  return (c >= 0x2E80 && c <= 0x9FFF) || (c >= 0xAC00 && c <= 0xD7AF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x2FFFF);
}

static inline gunichar
char_at (const char *p)
{
  return (guchar) *p < 0x80 ? (gunichar) *p : g_utf8_get_char (p);
}

/* The character at p (before end) and where the next one starts; a byte
 * that does not start a valid character is read as U+FFFD, one byte long,
 * so that text from anywhere can be read without running past its end. */
static inline const char *
next_char (const char *p,
           const char *end,
           gunichar   *c)
{
  gunichar u;

  if ((guchar) *p < 0x80)
    {
      *c = (guchar) *p;
      return p + 1;
    }
  u = g_utf8_get_char_validated (p, end - p);
  if (u == (gunichar) -1 || u == (gunichar) -2)
    {
      *c = 0xFFFD;
      return p + 1;
    }
  *c = u;
  return g_utf8_next_char (p);
}

static inline gboolean
is_alnum (gunichar c)
{
  return c < 0x80 ? g_ascii_isalnum (c) : g_unichar_isalnum (c);
}

static gboolean
is_apostrophe (gunichar c)
{
  return c == '\'' || c == 0x2019;
}

char *
docent_answer_normalize_word (const char *word,
                              gssize      len)
{
  GString *out;
  g_autofree char *lower = NULL;
  gboolean ascii = TRUE;

  if (len < 0)
    len = strlen (word);
  for (gssize i = 0; i < len; i++)
    if ((guchar) word[i] >= 0x80)
      ascii = FALSE;
  if (ascii)
    lower = g_ascii_strdown (word, len);
  else
    {
      g_autofree char *down = g_utf8_strdown (word, len);

      lower = g_utf8_normalize (down, -1, G_NORMALIZE_NFD);
      if (lower == NULL)
        lower = g_steal_pointer (&down);
    }
  /* possessive 's, then the other apostrophes ("don't" → "dont") */
  out = g_string_sized_new (strlen (lower));
  {
    gsize n = strlen (lower);

    if (n > 2 && lower[n - 1] == 's' && lower[n - 2] == '\'')
      n -= 2;
    else if (n > 4 && lower[n - 1] == 's' && memcmp (lower + n - 4, "\xe2\x80\x99", 3) == 0)
      n -= 4;
    for (const char *p = lower; p < lower + n; p = g_utf8_next_char (p))
      {
        gunichar c = char_at (p);

        if (is_apostrophe (c) || (c >= 0x80 && g_unichar_ismark (c)))
          continue;
        g_string_append_len (out, p, g_utf8_next_char (p) - p);
      }
  }
  return g_string_free (out, FALSE);
}

static void
word_clear (gpointer data)
{
  DocentWord *w = data;

  g_free (w->stem);
}

GArray *
docent_answer_words (const char *text,
                     gssize      len)
{
  GArray *words = g_array_new (FALSE, FALSE, sizeof (DocentWord));
  const char *p, *end;

  g_array_set_clear_func (words, word_clear);
  if (text == NULL)
    return words;
  if (len < 0)
    len = strlen (text);
  end = text + len;
  p = text;
  while (p < end)
    {
      gunichar c;
      const char *start = p, *q;
      DocentWord w = { 0 };

      q = next_char (p, end, &c);
      if (!is_alnum (c))
        {
          p = q;
          continue;
        }
      if (!is_cjk (c))
        while (q < end)
          {
            gunichar d, e = 0;
            const char *next = next_char (q, end, &d);

            if (is_alnum (d) && !is_cjk (d))
              {
                q = next;
                continue;
              }
            /* "tenant's", "don't"; "3.5", "1,450.00" */
            if (next < end)
              next_char (next, end, &e);
            if (next < end && is_alnum (e) && !is_cjk (e) &&
                (is_apostrophe (d) ||
                 ((d == '.' || d == ',') && g_ascii_isdigit (q[-1]) && g_ascii_isdigit (*next))))
              {
                q = next;
                continue;
              }
            break;
          }
      w.start = start - text;
      w.end = q - text;
      w.stem = docent_answer_normalize_word (start, q - start);
      w.number = g_ascii_isdigit (*start);
      w.stop = !w.number && docent_answer_is_stop_word (w.stem);
      if (!w.number && !w.stop)
        {
          const char *base = base_form (w.stem);

          if (base != NULL)
            {
              g_free (w.stem);
              w.stem = g_strdup (base);
            }
          docent_answer_stem (w.stem);
        }
      g_array_append_val (words, w);
      p = q;
    }
  return words;
}

GHashTable *
docent_answer_content_set (const char *text,
                           gssize      len)
{
  g_autoptr(GArray) words = docent_answer_words (text, len);
  GHashTable *set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < words->len; i++)
    {
      DocentWord *w = &g_array_index (words, DocentWord, i);

      if (!w->stop)
        g_hash_table_add (set, g_steal_pointer (&w->stem));
    }
  return set;
}

/* ---- citation markers ----------------------------------------------------- */

static gsize
skip_spaces (const char *text,
             gsize       pos,
             gsize       len)
{
  while (pos < len && (text[pos] == ' ' || text[pos] == '\t'))
    pos++;
  return pos;
}

/* "source", "sources", "src", "ref", "doc" (any case), then spaces and an
 * optional '#'. */
static gsize
skip_source_word (const char *text,
                  gsize       pos,
                  gsize       len)
{
  static const char *const names[] = { "sources", "source", "src", "ref", "doc" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      gsize k = strlen (names[i]);

      if (pos + k <= len && g_ascii_strncasecmp (text + pos, names[i], k) == 0 &&
          (pos + k == len || !g_ascii_isalpha (text[pos + k])))
        {
          pos = skip_spaces (text, pos + k, len);
          if (pos < len && (text[pos] == '#' || text[pos] == ':'))
            pos = skip_spaces (text, pos + 1, len);
          return pos;
        }
    }
  return pos;
}

static gsize
parse_number (const char *text,
              gsize       pos,
              gsize       len,
              guint      *value)
{
  gsize start = pos;

  *value = 0;
  while (pos < len && g_ascii_isdigit (text[pos]) && pos - start < 4)
    *value = *value * 10 + (text[pos++] - '0');
  if (pos == start || pos - start > 3 || (pos < len && g_ascii_isdigit (text[pos])))
    return 0;
  return pos;
}

gsize
docent_answer_parse_marker (const char *text,
                            gsize       pos,
                            gsize       len,
                            GArray     *numbers)
{
  guint found[64];
  guint n_found = 0;
  gsize p;

  if (pos >= len || text[pos] != '[')
    return 0;
  p = pos + 1;
  if (p < len && text[p] == ']')
    return p + 1;  /* "[]", left over by a model: removed */
  p = skip_source_word (text, skip_spaces (text, p, len), len);
  for (;;)
    {
      guint value, last;

      p = parse_number (text, p, len, &value);
      if (p == 0)
        return 0;
      p = skip_spaces (text, p, len);
      /* a range: "1-3", "1–3" */
      if (p < len && (text[p] == '-' || (p + 2 < len && memcmp (text + p, "\xe2\x80\x93", 3) == 0)))
        {
          gsize q = skip_spaces (text, p + (text[p] == '-' ? 1 : 3), len);

          q = parse_number (text, q, len, &last);
          if (q == 0 || last < value || last - value > 16)
            return 0;
          p = skip_spaces (text, q, len);
        }
      else
        last = value;
      for (guint v = value; v <= last && n_found < G_N_ELEMENTS (found); v++)
        found[n_found++] = v;
      if (p < len && text[p] == ']')
        {
          p++;
          break;
        }
      if (p < len && (text[p] == ',' || text[p] == ';'))
        p++;
      else if (p + 3 <= len && g_ascii_strncasecmp (text + p, "and", 3) == 0)
        p += 3;
      else
        return 0;
      p = skip_source_word (text, skip_spaces (text, p, len), len);
    }
  if (numbers != NULL)
    g_array_append_vals (numbers, found, n_found);
  return p;
}

char *
docent_answer_clean_sentence (const char *text,
                              gsize       start,
                              gsize       end)
{
  GString *out = g_string_sized_new (end - start);
  gboolean space = FALSE;

  for (gsize i = start; i < end; )
    {
      gsize stop;

      if (text[i] == '[' && (stop = docent_answer_parse_marker (text, i, end, NULL)) > 0)
        {
          i = stop;
          continue;
        }
      if (g_ascii_isspace (text[i]))
        {
          space = TRUE;
          i++;
          continue;
        }
      if (space && out->len > 0 && strchr (".,;:!?)", text[i]) == NULL)
        g_string_append_c (out, ' ');
      space = FALSE;
      g_string_append_c (out, text[i]);
      i++;
    }
  if (!g_utf8_validate_len (out->str, out->len, NULL))
    {
      char *valid = g_utf8_make_valid (out->str, out->len);

      g_string_free (out, TRUE);
      return valid;
    }
  return g_string_free (out, FALSE);
}

/* ---- sentences ------------------------------------------------------------ */

/* Abbreviations that are followed by a capitalised word (titles, "e.g.")
 * and never end a sentence. */
static const char *const abbrev_always[] = {
  "mr", "mrs", "ms", "dr", "prof", "st", "sr", "jr", "rev", "hon", "gen",
  "capt", "col", "lt", "sgt", "mt", "ft", "e.g", "i.e", "eg", "ie", "cf",
  "vs", "viz", "approx", "ca", "resp",
};

/* Abbreviations that do not end a sentence before a number: "No. 5". */
static const char *const abbrev_number[] = {
  "no", "nos", "fig", "figs", "p", "pp", "vol", "ch", "sec", "art", "para",
  "eq", "ref", "tel", "ext", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
  "sep", "sept", "oct", "nov", "dec", "op", "ex", "nr",
};

static gboolean
in_list (const char         *word,
         const char *const  *list,
         guint               n)
{
  for (guint i = 0; i < n; i++)
    if (strcmp (word, list[i]) == 0)
      return TRUE;
  return FALSE;
}

/* Whether the '.' at `dot` ends an abbreviation rather than a sentence;
 * `next` is the first character after the white space that follows. */
static gboolean
is_abbreviation (const char *text,
                 gsize       sentence_start,
                 gsize       dot,
                 char        next)
{
  gsize start = dot;
  g_autofree char *word = NULL;
  gboolean dotted = FALSE;

  while (start > sentence_start &&
         (g_ascii_isalpha (text[start - 1]) || text[start - 1] == '.'))
    {
      if (text[start - 1] == '.')
        dotted = TRUE;
      start--;
    }
  if (dot == start)
    {
      /* "1. Preheat the oven": a list number at the start of a sentence */
      gsize d = dot;

      while (d > sentence_start && g_ascii_isdigit (text[d - 1]))
        d--;
      return d < dot && d == sentence_start && dot - d <= 3;
    }
  if (dot - start == 1 && g_ascii_isupper (text[start]))
    return TRUE;  /* an initial: "J. Smith" */
  if (dotted && dot - start <= 8)
    return TRUE;  /* "e.g.", "U.S.", "a.m." */
  if (dot - start > 6)
    return FALSE;
  word = g_ascii_strdown (text + start, dot - start);
  if (in_list (word, abbrev_always, G_N_ELEMENTS (abbrev_always)))
    return TRUE;
  return g_ascii_isdigit (next) && in_list (word, abbrev_number, G_N_ELEMENTS (abbrev_number));
}

static gboolean
is_closer (const char *text,
           gsize       j,
           gsize       len,
           gsize      *width)
{
  if (strchr ("\"')}", text[j]) != NULL && text[j] != '\0')
    {
      *width = 1;
      return TRUE;
    }
  if (j + 2 < len && (guchar) text[j] == 0xE2 && (guchar) text[j + 1] == 0x80 &&
      ((guchar) text[j + 2] == 0x9D || (guchar) text[j + 2] == 0x99))
    {
      *width = 3;  /* ” ’ */
      return TRUE;
    }
  if (j + 1 < len && (guchar) text[j] == 0xC2 && (guchar) text[j + 1] == 0xBB)
    {
      *width = 2;  /* » */
      return TRUE;
    }
  return FALSE;
}

static gboolean has_dot_leader (const char *text,
                                gsize       start,
                                gsize       end);

/* Where the sentence ending with the terminator at `i` ends (after closing
 * quotes, brackets and citation markers), or 0 when it does not end. */
static gsize
sentence_end (const char *text,
              gsize       sentence_start,
              gsize       len,
              gsize       i)
{
  gunichar c = g_utf8_get_char (text + i);
  gsize j = g_utf8_next_char (text + i) - text, width, k;

  if (c == 0x3002 || c == 0xFF01 || c == 0xFF1F)  /* CJK: no space follows */
    return j;
  while (j < len && (text[j] == '.' || text[j] == '!' || text[j] == '?'))
    j++;
  if (c == '.')
    {
      gsize r = i;

      while (r > sentence_start && text[r - 1] == '.')
        r--;
      if (j - r >= 4 || has_dot_leader (text, r, MIN (len, j + 4)))
        return 0;  /* "Warranty ........ 12": a dot leader */
    }
  while (j < len && is_closer (text, j, len, &width))
    j += width;
  /* citation markers after the terminator belong to this sentence */
  for (k = skip_spaces (text, j, len); k < len && text[k] == '['; k = skip_spaces (text, j, len))
    {
      gsize stop = docent_answer_parse_marker (text, k, len, NULL);

      if (stop == 0)
        break;
      j = stop;
    }
  if (j >= len)
    return len;
  if (!g_ascii_isspace (text[j]))
    return 0;
  k = j;
  while (k < len && g_ascii_isspace (text[k]))
    k++;
  if (c == '.' && is_abbreviation (text, sentence_start, i, k < len ? text[k] : '\0'))
    return 0;
  /* "etc. and so on": a lower-case word does not start a sentence */
  if (k < len && g_unichar_islower (g_utf8_get_char_validated (text + k, len - k)))
    return 0;
  return j;
}

static gboolean
is_list_item (const char *text,
              gsize       pos,
              gsize       len)
{
  gsize k = pos;

  pos = skip_spaces (text, pos, len);
  if (pos >= len)
    return FALSE;
  if ((text[pos] == '-' || text[pos] == '*' || text[pos] == '+') &&
      pos + 1 < len && text[pos + 1] == ' ')
    return TRUE;
  if (pos + 2 < len && (memcmp (text + pos, "\xe2\x80\xa2", 3) == 0 ||   /* • */
                        memcmp (text + pos, "\xe2\x80\x93", 3) == 0 ||   /* – */
                        memcmp (text + pos, "\xe2\x97\xa6", 3) == 0))    /* ◦ */
    return TRUE;
  if (text[pos] == '(')
    {
      k = pos + 1;
      while (k < len && k - pos <= 4 && g_ascii_isalnum (text[k]))
        k++;
      return k > pos + 1 && k < len && text[k] == ')';
    }
  k = pos;
  while (k < len && k - pos < 3 && g_ascii_isdigit (text[k]))
    k++;
  if (k == pos && k < len && g_ascii_isalpha (text[k]))
    k++;
  return k > pos && k + 1 < len && (text[k] == '.' || text[k] == ')') && text[k + 1] == ' ';
}

static gboolean
has_dot_leader (const char *text,
                gsize       start,
                gsize       end)
{
  guint run = 0;

  for (gsize i = start; i < end; i++)
    {
      if (text[i] == '.' || (text[i] == ' ' && run > 0 && i + 1 < end && text[i + 1] == '.'))
        {
          if (text[i] == '.' && ++run >= 4)
            return TRUE;
        }
      else if (i + 2 < end && memcmp (text + i, "\xe2\x80\xa6", 3) == 0)
        {
          run += 3;
          i += 2;
          if (run >= 4)
            return TRUE;
        }
      else
        run = 0;
    }
  return FALSE;
}

/* Whether the words of text[start, end) look like a title: few of them,
 * every content word capitalised (or the line is very short). */
static gboolean
looks_like_title (const char *text,
                  gsize       start,
                  gsize       end,
                  guint       max_words)
{
  g_autoptr(GArray) words = docent_answer_words (text + start, end - start);
  guint content = 0;

  if (words->len == 0 || words->len > max_words)
    return FALSE;
  for (guint i = 0; i < words->len; i++)
    {
      const DocentWord *w = &g_array_index (words, DocentWord, i);
      gunichar c = g_utf8_get_char (text + start + w->start);

      if (w->stop && i > 0)
        continue;
      content++;
      if (!g_unichar_isupper (c) && !g_unichar_isdigit (c))
        return FALSE;
    }
  return content > 0;
}

/* A single line break ends a sentence before a list item, after a label
 * ("Sources:"), in tables and tables of contents, and after a heading-like
 * line; inside a paragraph (a wrapped PDF line) it does not. */
static gboolean
line_break_ends (const char *text,
                 gsize       line_start,
                 gsize       nl,
                 gsize       len)
{
  gsize a = skip_spaces (text, line_start, nl), b = nl, next;

  while (b > a && g_ascii_isspace (text[b - 1]))
    b--;
  if (a == b)
    return TRUE;
  next = skip_spaces (text, nl + 1, len);
  if (next >= len)
    return TRUE;
  if (is_list_item (text, next, len))
    return TRUE;
  /* the end of a list item, unless it wraps onto a lower-case line */
  if (is_list_item (text, a, b) && !g_unichar_islower (g_utf8_get_char_validated (text + next, len - next)))
    return TRUE;
  if (text[b - 1] == ':' || text[a] == '#' || text[a] == '|')
    return TRUE;
  if (memchr (text + a, '\t', b - a) != NULL || memchr (text + a, '|', b - a) != NULL)
    return TRUE;
  if (has_dot_leader (text, a, b))
    return TRUE;
  {
    const char *nl2 = memchr (text + next, '\n', len - next);
    gsize next_end = nl2 ? (gsize) (nl2 - text) : len;

    if (has_dot_leader (text, next, next_end))
      return TRUE;
  }
  if (strchr (",;-", text[b - 1]) != NULL)
    return FALSE;
  if (!g_unichar_isupper (g_utf8_get_char_validated (text + next, len - next)) &&
      !g_ascii_isdigit (text[next]))
    return FALSE;
  return looks_like_title (text, a, b, 8);
}

static void
add_span (GArray     *spans,
          const char *text,
          gsize       start,
          gsize       end)
{
  DocentSpan span;

  while (start < end && g_ascii_isspace (text[start]))
    start++;
  while (end > start && g_ascii_isspace (text[end - 1]))
    end--;
  if (start == end)
    return;
  span.start = start;
  span.end = end;
  g_array_append_val (spans, span);
}

GArray *
docent_answer_sentences (const char *text,
                         gssize      slen)
{
  GArray *spans = g_array_new (FALSE, FALSE, sizeof (DocentSpan));
  gsize len, start = 0, line_start = 0;

  if (text == NULL)
    return spans;
  len = slen < 0 ? strlen (text) : (gsize) slen;
  for (gsize i = 0; i < len; i++)
    {
      guchar c = text[i];
      gsize stop;

      if (c == '\n')
        {
          gsize k = i + 1;

          while (k < len && (text[k] == ' ' || text[k] == '\t' || text[k] == '\r'))
            k++;
          if (k >= len || text[k] == '\n' || line_break_ends (text, line_start, i, len))
            {
              add_span (spans, text, start, i);
              start = i + 1;
            }
          line_start = i + 1;
          continue;
        }
      if (c != '.' && c != '!' && c != '?' && c != 0xE2 && c != 0xE3 && c != 0xEF)
        continue;
      if (c >= 0x80)
        {
          gunichar u = g_utf8_get_char_validated (text + i, len - i);

          if (u != 0x2026 && u != 0x3002 && u != 0xFF01 && u != 0xFF1F)
            continue;
        }
      {
        gsize s = start;

        while (s < i && g_ascii_isspace (text[s]))
          s++;
        stop = sentence_end (text, s, len, i);
      }
      if (stop == 0)
        continue;
      add_span (spans, text, start, stop);
      start = stop;
      /* line_start stays: the rest of the line is part of the same line */
      i = stop - 1;
    }
  add_span (spans, text, start, len);
  return spans;
}

gboolean
docent_answer_is_fragment (const char *text,
                           gsize       start,
                           gsize       end)
{
  g_autoptr(GArray) words = NULL;
  guint n_alpha = 0;
  gsize b = end;
  char last;

  while (start < end && g_ascii_isspace (text[start]))
    start++;
  while (b > start && (g_ascii_isspace (text[b - 1]) || text[b - 1] == ']'))
    {
      /* ignore trailing citation markers */
      if (text[b - 1] == ']')
        {
          gsize open = b - 1;

          while (open > start && text[open] != '[')
            open--;
          if (text[open] != '[' || docent_answer_parse_marker (text, open, b, NULL) != b)
            break;
          b = open;
        }
      else
        b--;
    }
  if (b == start)
    return TRUE;
  if (text[start] == '#')
    return TRUE;
  if (has_dot_leader (text, start, b))
    return TRUE;
  words = docent_answer_words (text + start, b - start);
  for (guint i = 0; i < words->len; i++)
    if (!g_array_index (words, DocentWord, i).number)
      n_alpha++;
  if (words->len < 3 || n_alpha < 2)
    return TRUE;
  last = text[b - 1];
  if (last == ':' && words->len <= 6)
    return TRUE;
  if (strchr (".!?:;)\"", last) == NULL && (guchar) last < 0x80)
    /* no final punctuation: a heading or a label */
    return words->len <= 6 || looks_like_title (text, start, b, 12);
  /* "4. Security Deposit." */
  return last == '.' && looks_like_title (text, start, b, 5);
}
