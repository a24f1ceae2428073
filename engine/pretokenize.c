/* pretokenize.c — code point decoding and classes, and the pre-tokenizer
 * rules of byte-level BPE vocabularies.
 *
 * A pre-tokenizer is a short list of rules applied one after the other,
 * like the regular expressions of the tokenizer.json it was converted from:
 * each rule splits every piece left by the rule before into its matches and
 * the gaps between them, and both go on to the next rule. Each rule is one
 * function that says how long a match starting at a position is, following
 * the regular expression's leftmost-alternative, greedy-with-backtracking
 * semantics; a rule that cannot match for a while says how far to skip, so
 * that no input costs more than linear time. A piece only sees itself:
 * "$" and "(?!\S)" look at the piece's end, not the text's. */
#include "engine/pretokenize.h"

#include <string.h>

/* ---- code points ------------------------------------------------------------ */

gsize
docent_utf8_next (const char *text,
                  gsize       len,
                  guint32    *cp)
{
  const guint8 *s = (const guint8 *) text;
  guint32 c = s[0], min;
  gsize n;

  if (c < 0x80)
    {
      *cp = c;
      return 1;
    }
  if (c >= 0xC2 && c <= 0xDF)
    n = 2, c &= 0x1F, min = 0x80;
  else if (c >= 0xE0 && c <= 0xEF)
    n = 3, c &= 0x0F, min = 0x800;
  else if (c >= 0xF0 && c <= 0xF4)
    n = 4, c &= 0x07, min = 0x10000;
  else
    goto invalid;
  if (len < n)
    goto invalid;
  for (gsize i = 1; i < n; i++)
    {
      if ((s[i] & 0xC0) != 0x80)
        goto invalid;
      c = c << 6 | (s[i] & 0x3F);
    }
  /* Overlong forms, surrogates and values past U+10FFFF are bytes. */
  if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
    goto invalid;
  *cp = c;
  return n;

invalid:
  *cp = DOCENT_CP_BYTE_BASE + s[0];
  return 1;
}

static gboolean
is_white_space (guint32 c)
{
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0
         || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028
         || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

static guint8
category_class (guint32 c)
{
  switch (g_unichar_type (c))
    {
    case G_UNICODE_LOWERCASE_LETTER:
    case G_UNICODE_UPPERCASE_LETTER:
    case G_UNICODE_TITLECASE_LETTER:
    case G_UNICODE_MODIFIER_LETTER:
    case G_UNICODE_OTHER_LETTER:
      return DOCENT_CP_LETTER;
    case G_UNICODE_DECIMAL_NUMBER:
    case G_UNICODE_LETTER_NUMBER:
    case G_UNICODE_OTHER_NUMBER:
      return DOCENT_CP_NUMBER;
    case G_UNICODE_CONNECT_PUNCTUATION:
    case G_UNICODE_DASH_PUNCTUATION:
    case G_UNICODE_OPEN_PUNCTUATION:
    case G_UNICODE_CLOSE_PUNCTUATION:
    case G_UNICODE_INITIAL_PUNCTUATION:
    case G_UNICODE_FINAL_PUNCTUATION:
    case G_UNICODE_OTHER_PUNCTUATION:
      return DOCENT_CP_PUNCT;
    case G_UNICODE_NON_SPACING_MARK:
      return DOCENT_CP_MARK;
    case G_UNICODE_CONTROL:
    case G_UNICODE_FORMAT:
    case G_UNICODE_UNASSIGNED:
    case G_UNICODE_PRIVATE_USE:
    case G_UNICODE_SURROGATE:
      return DOCENT_CP_CONTROL;
    case G_UNICODE_SPACING_MARK:
    case G_UNICODE_ENCLOSING_MARK:
    case G_UNICODE_MATH_SYMBOL:
    case G_UNICODE_CURRENCY_SYMBOL:
    case G_UNICODE_MODIFIER_SYMBOL:
    case G_UNICODE_OTHER_SYMBOL:
    case G_UNICODE_LINE_SEPARATOR:
    case G_UNICODE_PARAGRAPH_SEPARATOR:
    case G_UNICODE_SPACE_SEPARATOR:
    default:
      return 0;
    }
}

guint8
docent_cp_class (guint32 c)
{
  guint8 cls;

  if (c >= DOCENT_CP_BYTE_BASE)
    return DOCENT_CP_INVALID;
  /* The common case first: plain ASCII letters and digits. */
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
    return DOCENT_CP_LETTER;
  if (c >= '0' && c <= '9')
    return DOCENT_CP_NUMBER;
  cls = category_class (c);
  if (is_white_space (c))
    cls = DOCENT_CP_SPACE | (c == '\r' || c == '\n' ? DOCENT_CP_NEWLINE : 0);
  return cls;
}

void
docent_codepoints_init (DocentCodepoints *cps,
                        const char       *text,
                        gsize             len)
{
  gsize n = 0;

  g_return_if_fail (len < G_MAXUINT32);

  cps->text = text;
  /* At most one code point per byte; trimmed below. */
  cps->cps = g_new (guint32, len + 1);
  cps->offsets = g_new (guint32, len + 1);
  cps->classes = g_new (guint8, len + 1);
  for (gsize at = 0; at < len; n++)
    {
      guint32 cp;

      cps->offsets[n] = (guint32) at;
      at += docent_utf8_next (text + at, len - at, &cp);
      cps->cps[n] = cp;
      cps->classes[n] = docent_cp_class (cp);
    }
  cps->offsets[n] = (guint32) len;
  cps->n = n;
}

void
docent_codepoints_clear (DocentCodepoints *cps)
{
  g_clear_pointer (&cps->cps, g_free);
  g_clear_pointer (&cps->offsets, g_free);
  g_clear_pointer (&cps->classes, g_free);
  cps->n = 0;
}

/* ---- rule building blocks ----------------------------------------------------- */

/* A rule returns the length of its match at `pos` in code points, or 0 and
 * may raise *skip (preset to 1) past positions that cannot match either. */
typedef gsize (*Rule) (const DocentCodepoints *cps,
                       gsize                   pos,
                       gsize                   end,
                       gsize                  *skip);

#define L DOCENT_CP_LETTER
#define N DOCENT_CP_NUMBER
#define S DOCENT_CP_SPACE
#define P DOCENT_CP_PUNCT
#define NL DOCENT_CP_NEWLINE

static inline gboolean
has (const DocentCodepoints *cps,
     gsize                   i,
     guint8                  cls)
{
  return (cps->classes[i] & cls) != 0;
}

/* [^\s\p{L}\p{N}] */
static inline gboolean
is_other (const DocentCodepoints *cps,
          gsize                   i)
{
  return (cps->classes[i] & (S | L | N)) == 0;
}

/* The end of the run of code points having any of `cls` from `pos`. */
static gsize
run_of (const DocentCodepoints *cps,
        gsize                   pos,
        gsize                   end,
        guint8                  cls)
{
  while (pos < end && has (cps, pos, cls))
    pos++;
  return pos;
}

static gsize
run_of_other (const DocentCodepoints *cps,
              gsize                   pos,
              gsize                   end)
{
  while (pos < end && is_other (cps, pos))
    pos++;
  return pos;
}

static guint32
ascii_lower (guint32 c)
{
  return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* 's|'t|'re|'ve|'m|'ll|'d, optionally ignoring ASCII case. */
static gsize
contraction (const DocentCodepoints *cps,
             gsize                   pos,
             gsize                   end,
             gboolean                any_case)
{
  guint32 c1, c2;

  if (cps->cps[pos] != '\'' || pos + 1 >= end)
    return 0;
  c1 = any_case ? ascii_lower (cps->cps[pos + 1]) : cps->cps[pos + 1];
  if (c1 == 's' || c1 == 't' || c1 == 'm' || c1 == 'd')
    return 2;
  if (pos + 2 >= end)
    return 0;
  c2 = any_case ? ascii_lower (cps->cps[pos + 2]) : cps->cps[pos + 2];
  if ((c1 == 'r' && c2 == 'e') || (c1 == 'v' && c2 == 'e') || (c1 == 'l' && c2 == 'l'))
    return 3;
  return 0;
}

/* " ?X+" for a class X of letters or numbers. */
static gsize
space_then_run (const DocentCodepoints *cps,
                gsize                   pos,
                gsize                   end,
                guint8                  cls)
{
  gsize at = pos + (cps->cps[pos] == ' ');

  if (at >= end || !has (cps, at, cls))
    return 0;
  return run_of (cps, at, end, cls) - pos;
}

/* " ?[^\s\p{L}\p{N}]+" */
static gsize
space_then_other (const DocentCodepoints *cps,
                  gsize                   pos,
                  gsize                   end)
{
  gsize at = pos + (cps->cps[pos] == ' ');

  if (at >= end || !is_other (cps, at))
    return 0;
  return run_of_other (cps, at, end) - pos;
}

/* "\s+(?!\S)": a run of white space, less its last character when that is
 * followed by something else (which then starts the next word). */
static gsize
spaces_not_before_word (const DocentCodepoints *cps,
                        gsize                   pos,
                        gsize                   end)
{
  gsize stop;

  if (!has (cps, pos, S))
    return 0;
  stop = run_of (cps, pos, end, S);
  if (stop == end)
    return stop - pos;
  return stop - pos - 1;
}

/* "\s*[\r\n]+": white space up to and including its last line break. */
static gsize
spaces_to_newline (const DocentCodepoints *cps,
                   gsize                   pos,
                   gsize                   end)
{
  gsize stop, last = G_MAXSIZE;

  if (!has (cps, pos, S))
    return 0;
  for (stop = pos; stop < end && has (cps, stop, S); stop++)
    if (has (cps, stop, NL))
      last = stop;
  return last == G_MAXSIZE ? 0 : last + 1 - pos;
}

/* ---- whole rules ------------------------------------------------------------ */

/* 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
 * (the last alternative only restates what a gap is). */
static gsize
rule_gpt2 (const DocentCodepoints *cps,
           gsize                   pos,
           gsize                   end,
           gsize                  *skip)
{
  gsize m;

  if ((m = contraction (cps, pos, end, FALSE))
      || (m = space_then_run (cps, pos, end, L))
      || (m = space_then_run (cps, pos, end, N))
      || (m = space_then_other (cps, pos, end))
      || (m = spaces_not_before_word (cps, pos, end)))
    return m;
  return 0;
}

/* (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,MAX}|
 *  ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+ */
static gsize
llama3_like (const DocentCodepoints *cps,
             gsize                   pos,
             gsize                   end,
             gsize                   max_digits)
{
  gsize m;

  if ((m = contraction (cps, pos, end, TRUE)))
    return m;
  if (has (cps, pos, L))
    return run_of (cps, pos, end, L) - pos;
  if (!has (cps, pos, NL | L | N) && pos + 1 < end && has (cps, pos + 1, L))
    return run_of (cps, pos + 1, end, L) - pos;
  if (has (cps, pos, N))
    return MIN (run_of (cps, pos, end, N) - pos, max_digits);
  if ((m = space_then_other (cps, pos, end)))
    return run_of (cps, pos + m, end, NL) - pos;
  if ((m = spaces_to_newline (cps, pos, end)) || (m = spaces_not_before_word (cps, pos, end)))
    return m;
  return run_of (cps, pos, end, S) - pos;
}

static gsize
rule_llama3 (const DocentCodepoints *cps,
             gsize                   pos,
             gsize                   end,
             gsize                  *skip)
{
  return llama3_like (cps, pos, end, 3);
}

static gsize
rule_qwen2 (const DocentCodepoints *cps,
            gsize                   pos,
            gsize                   end,
            gsize                  *skip)
{
  return llama3_like (cps, pos, end, 1);
}

static gboolean
is_ascii_punct_symbol (guint32     c,
                       const char *symbols)
{
  return c < 0x80 && c != 0 && strchr (symbols, (int) c) != NULL;
}

/* [\p{P}\$\+<=>\^~\|`]+ */
static gsize
rule_falcon_punct (const DocentCodepoints *cps,
                   gsize                   pos,
                   gsize                   end,
                   gsize                  *skip)
{
  gsize at = pos;

  while (at < end && (has (cps, at, P) || is_ascii_punct_symbol (cps->cps[at], "$+<=>^~|`")))
    at++;
  return at - pos;
}

/* [\p{P}\$\+<=>\^~\|]+ */
static gsize
rule_default_punct (const DocentCodepoints *cps,
                    gsize                   pos,
                    gsize                   end,
                    gsize                  *skip)
{
  gsize at = pos;

  while (at < end && (has (cps, at, P) || is_ascii_punct_symbol (cps->cps[at], "$+<=>^~|")))
    at++;
  return at - pos;
}

static gboolean
is_ascii_digit (guint32 c)
{
  return c >= '0' && c <= '9';
}

/* [0-9][0-9][0-9] */
static gsize
rule_three_digits (const DocentCodepoints *cps,
                   gsize                   pos,
                   gsize                   end,
                   gsize                  *skip)
{
  for (gsize i = 0; i < 3; i++)
    if (pos + i >= end || !is_ascii_digit (cps->cps[pos + i]))
      {
        *skip = i + 1;
        return 0;
      }
  return 3;
}

/* \p{N} */
static gsize
rule_one_number (const DocentCodepoints *cps,
                 gsize                   pos,
                 gsize                   end,
                 gsize                  *skip)
{
  return has (cps, pos, N) ? 1 : 0;
}

/* \p{N}+ */
static gsize
rule_numbers (const DocentCodepoints *cps,
              gsize                   pos,
              gsize                   end,
              gsize                  *skip)
{
  return run_of (cps, pos, end, N) - pos;
}

/* [\r\n] */
static gsize
rule_one_newline (const DocentCodepoints *cps,
                  gsize                   pos,
                  gsize                   end,
                  gsize                  *skip)
{
  return has (cps, pos, NL) ? 1 : 0;
}

/* \s+$ */
static gsize
rule_trailing_spaces (const DocentCodepoints *cps,
                      gsize                   pos,
                      gsize                   end,
                      gsize                  *skip)
{
  gsize stop = run_of (cps, pos, end, S);

  if (stop == end && stop > pos)
    return stop - pos;
  /* No later start inside this run can reach the end either. */
  *skip = MAX (stop - pos, 1);
  return 0;
}

typedef struct {
  guint32 first;
  guint32 last;
} Range;

static gboolean
in_ranges (guint32      c,
           const Range *ranges,
           gsize        n)
{
  gsize lo = 0, hi = n;

  while (lo < hi)
    {
      gsize mid = (lo + hi) / 2;

      if (c < ranges[mid].first)
        hi = mid;
      else if (c > ranges[mid].last)
        lo = mid + 1;
      else
        return TRUE;
    }
  return FALSE;
}

/* DeepSeek LLM's letters: the cased letters (Lu, Ll, Lt) of its Unicode
 * version, as listed in its tokenizer.json. */
static const Range deepseek_letters[] = {
  { 0x41, 0x5A }, { 0x61, 0x7A }, { 0xB5, 0xB5 }, { 0xC0, 0xD6 }, { 0xD8, 0xF6 },
  { 0xF8, 0x1BA }, { 0x1BC, 0x1BF }, { 0x1C4, 0x293 }, { 0x295, 0x2AF },
  { 0x370, 0x373 }, { 0x376, 0x377 }, { 0x37B, 0x37D }, { 0x37F, 0x37F },
  { 0x386, 0x386 }, { 0x388, 0x38A }, { 0x38C, 0x38C }, { 0x38E, 0x3A1 },
  { 0x3A3, 0x3F5 }, { 0x3F7, 0x481 }, { 0x48A, 0x52F }, { 0x531, 0x556 },
  { 0x10A0, 0x10C5 }, { 0x13A0, 0x13F5 }, { 0x13F8, 0x13FD }, { 0x1C90, 0x1CBA },
  { 0x1CBD, 0x1CBF }, { 0x1D00, 0x1D2B }, { 0x1D6B, 0x1D77 }, { 0x1D79, 0x1D9A },
  { 0x1E00, 0x1F15 }, { 0x1F18, 0x1F1D }, { 0x1F20, 0x1F45 }, { 0x1F48, 0x1F4D },
  { 0x1F50, 0x1F57 }, { 0x1F59, 0x1F59 }, { 0x1F5B, 0x1F5B }, { 0x1F5D, 0x1F5D },
  { 0x1F5F, 0x1F7D }, { 0x1F80, 0x1FB4 }, { 0x1FB6, 0x1FBC }, { 0x1FBE, 0x1FBE },
  { 0x1FC2, 0x1FC4 }, { 0x1FC6, 0x1FCC }, { 0x1FD0, 0x1FD3 }, { 0x1FD6, 0x1FDB },
  { 0x1FE0, 0x1FEC }, { 0x1FF2, 0x1FF4 }, { 0x1FF6, 0x1FFC }, { 0x2102, 0x2102 },
  { 0x2107, 0x2107 }, { 0x210A, 0x2113 }, { 0x2115, 0x2115 }, { 0x2119, 0x211D },
  { 0x2124, 0x2124 }, { 0x2126, 0x2126 }, { 0x2128, 0x2128 }, { 0x212A, 0x212D },
  { 0x212F, 0x2134 }, { 0x2139, 0x2139 }, { 0x213C, 0x213F }, { 0x2145, 0x2149 },
  { 0x214E, 0x214E }, { 0x2183, 0x2184 }, { 0x2C00, 0x2C7B }, { 0x2C7E, 0x2CE4 },
  { 0x2CEB, 0x2CEE }, { 0x2CF2, 0x2CF3 }, { 0xA640, 0xA66D }, { 0xA680, 0xA69B },
  { 0xA722, 0xA76F }, { 0xA771, 0xA787 }, { 0xA78B, 0xA78E }, { 0xAB70, 0xABBF },
  { 0xFB00, 0xFB06 }, { 0xFB13, 0xFB17 }, { 0xFF21, 0xFF3A }, { 0xFF41, 0xFF5A },
  { 0x10400, 0x1044F }, { 0x104B0, 0x104D3 }, { 0x104D8, 0x104FB }, { 0x10C80, 0x10CB2 },
  { 0x10CC0, 0x10CF2 }, { 0x118A0, 0x118DF }, { 0x1E900, 0x1E943 },
};

/* [!-/:-~！-／：-～‘-‟　-。], sorted */
static const Range deepseek_punct[] = {
  { 0x21, 0x2F }, { 0x3A, 0x7E }, { 0x2018, 0x201F }, { 0x3000, 0x3002 },
  { 0xFF01, 0xFF0F }, { 0xFF1A, 0xFF5E },
};

/* [一-龥ࠀ-一가-퟿], merged and sorted */
static const Range deepseek_cjk[] = {
  { 0x0800, 0x9FA5 }, { 0xAC00, 0xD7FF },
};

/* "\s?[X]+": one white space may lead the run. */
static gsize
space_then_ranges (const DocentCodepoints *cps,
                   gsize                   pos,
                   gsize                   end,
                   const Range            *ranges,
                   gsize                   n_ranges)
{
  gsize at = pos;

  if (has (cps, pos, S) && pos + 1 < end && in_ranges (cps->cps[pos + 1], ranges, n_ranges))
    at = pos + 1;
  else if (!in_ranges (cps->cps[pos], ranges, n_ranges))
    return 0;
  while (at < end && in_ranges (cps->cps[at], ranges, n_ranges))
    at++;
  return at - pos;
}

static gsize
rule_deepseek_letters (const DocentCodepoints *cps,
                       gsize                   pos,
                       gsize                   end,
                       gsize                  *skip)
{
  return space_then_ranges (cps, pos, end, deepseek_letters, G_N_ELEMENTS (deepseek_letters));
}

static gsize
rule_deepseek_punct (const DocentCodepoints *cps,
                     gsize                   pos,
                     gsize                   end,
                     gsize                  *skip)
{
  return space_then_ranges (cps, pos, end, deepseek_punct, G_N_ELEMENTS (deepseek_punct));
}

static gsize
rule_deepseek_cjk (const DocentCodepoints *cps,
                   gsize                   pos,
                   gsize                   end,
                   gsize                  *skip)
{
  gsize at = pos;

  while (at < end && in_ranges (cps->cps[at], deepseek_cjk, G_N_ELEMENTS (deepseek_cjk)))
    at++;
  return at - pos;
}

/* \s?\p{X}+ */
static gsize
space_then_class (const DocentCodepoints *cps,
                  gsize                   pos,
                  gsize                   end,
                  guint8                  cls)
{
  gsize at = pos;

  if (has (cps, pos, S) && pos + 1 < end && has (cps, pos + 1, cls))
    at = pos + 1;
  else if (!has (cps, pos, cls))
    return 0;
  return run_of (cps, at, end, cls) - pos;
}

static gsize
rule_space_letters (const DocentCodepoints *cps,
                    gsize                   pos,
                    gsize                   end,
                    gsize                  *skip)
{
  return space_then_class (cps, pos, end, L);
}

static gsize
rule_space_punct (const DocentCodepoints *cps,
                  gsize                   pos,
                  gsize                   end,
                  gsize                  *skip)
{
  return space_then_class (cps, pos, end, P);
}

/* " ?[^(\s|.,!?…。，、।۔،)]+" (BLOOM and its relatives) */
static gboolean
bloom_stop (const DocentCodepoints *cps,
            gsize                   i)
{
  static const guint32 stops[] = {
    '(', '|', '.', ',', '!', '?', ')', 0x2026, 0x3002, 0xFF0C, 0x3001, 0x0964, 0x06D4, 0x060C,
  };

  if (has (cps, i, S))
    return TRUE;
  for (guint k = 0; k < G_N_ELEMENTS (stops); k++)
    if (cps->cps[i] == stops[k])
      return TRUE;
  return FALSE;
}

static gsize
rule_bloom (const DocentCodepoints *cps,
            gsize                   pos,
            gsize                   end,
            gsize                  *skip)
{
  gsize at = pos + (cps->cps[pos] == ' ');

  if (at >= end || bloom_stop (cps, at))
    return 0;
  while (at < end && !bloom_stop (cps, at))
    at++;
  return at - pos;
}

#undef L
#undef N
#undef S
#undef P
#undef NL

/* ---- the table -------------------------------------------------------------- */

#define MAX_RULES 6

struct _DocentPretokenizer {
  const char *names;        /* '|'-separated values of tokenizer.ggml.pre */
  Rule rules[MAX_RULES + 1];
  gboolean ignore_merges;
};

static const DocentPretokenizer pretokenizers[] = {
  { "default",
    { rule_default_punct, rule_gpt2, rule_numbers, rule_three_digits }, FALSE },
  { "gpt-2|gpt2|mpt|olmo|jais|roberta-bpe|jina-es|jina-de|jina-v1-en|jina-v2-es|jina-v2-de|jina-v2-code",
    { rule_gpt2 }, FALSE },
  { "llama3|llama-v3|llama-bpe|falcon3|falcon-h1|pixtral|midm-2.0|lfm2",
    { rule_llama3 }, TRUE },
  { "dbrx|smaug-bpe|chatglm-bpe",
    { rule_llama3 }, FALSE },
  { "qwen2|deepseek-r1-qwen|stablelm2|megrez|hunyuan",
    { rule_qwen2 }, FALSE },
  { "deepseek-llm",
    { rule_one_newline, rule_deepseek_letters, rule_deepseek_punct, rule_trailing_spaces,
      rule_deepseek_cjk, rule_numbers }, FALSE },
  { "deepseek-coder",
    { rule_one_newline, rule_space_letters, rule_space_punct, rule_deepseek_cjk,
      rule_one_number }, FALSE },
  { "falcon",
    { rule_falcon_punct, rule_gpt2, rule_three_digits }, FALSE },
  { "starcoder|refact|command-r|smollm|codeshell|exaone|minerva-7b",
    { rule_one_number, rule_gpt2 }, FALSE },
  { "bloom|poro-chat|gpt3-finnish",
    { rule_bloom }, FALSE },
  { "viking",
    { rule_bloom, rule_one_number }, FALSE },
};

static gboolean
name_in_list (const char *name,
              const char *list)
{
  gsize len = strlen (name);

  for (const char *p = list; p != NULL; p = strchr (p, '|'), p = p ? p + 1 : NULL)
    if (strncmp (p, name, len) == 0 && (p[len] == '|' || p[len] == '\0'))
      return TRUE;
  return FALSE;
}

const DocentPretokenizer *
docent_pretokenizer_lookup (const char *pre)
{
  if (pre == NULL)
    pre = "default";
  for (guint i = 0; i < G_N_ELEMENTS (pretokenizers); i++)
    if (name_in_list (pre, pretokenizers[i].names))
      return &pretokenizers[i];
  return NULL;
}

gboolean
docent_pretokenizer_ignore_merges (const DocentPretokenizer *pretokenizer)
{
  return pretokenizer->ignore_merges;
}

/* ---- splitting -------------------------------------------------------------- */

static void
split_piece (const DocentPretokenizer *pretokenizer,
             guint                     level,
             const DocentCodepoints   *cps,
             gsize                     start,
             gsize                     end,
             DocentWordFunc            func,
             gpointer                  user_data)
{
  Rule rule = level < MAX_RULES ? pretokenizer->rules[level] : NULL;
  gsize gap = start, pos = start;

  if (rule == NULL)
    {
      func (cps, start, end, user_data);
      return;
    }
  while (pos < end)
    {
      gsize skip = 1;
      gsize m = rule (cps, pos, end, &skip);

      if (m == 0)
        {
          pos = MIN (pos + skip, end);
          continue;
        }
      if (gap < pos)
        split_piece (pretokenizer, level + 1, cps, gap, pos, func, user_data);
      split_piece (pretokenizer, level + 1, cps, pos, pos + m, func, user_data);
      pos += m;
      gap = pos;
    }
  if (gap < end)
    split_piece (pretokenizer, level + 1, cps, gap, end, func, user_data);
}

void
docent_pretokenize (const DocentPretokenizer *pretokenizer,
                    const DocentCodepoints   *cps,
                    DocentWordFunc            func,
                    gpointer                  user_data)
{
  if (cps->n > 0)
    split_piece (pretokenizer, 0, cps, 0, cps->n, func, user_data);
}
