/* ocr.c — tesseract (C API) on a grayscale picture of a page, turned into
 * page text with one box per character; the text quality test that
 * decides which PDF pages need it; one engine per thread. */
#include "ingest/ocr.h"

#include <float.h>
#include <math.h>
#include <string.h>

#ifdef DOCENT_HAVE_OCR
#include <dlfcn.h>
/* Defining BOOL keeps capi.h from defining TRUE and FALSE over GLib's. */
#define BOOL int
#include <tesseract/capi.h>
#endif

/* ---- text quality ------------------------------------------------------ */

static gboolean
is_unreadable (gunichar c)
{
  switch (g_unichar_type (c))
    {
    case G_UNICODE_CONTROL:
    case G_UNICODE_PRIVATE_USE:
    case G_UNICODE_UNASSIGNED:
    case G_UNICODE_SURROGATE:
      return TRUE;
    default:
      return c == 0xFFFD;
    }
}

DocentTextQuality
docent_text_quality (const char *text,
                     gssize      len,
                     guint      *n_letters)
{
  const char *p, *end;
  guint visible = 0, letters = 0, word = 0, unreadable = 0;
  gunichar last_other = 0;

  if (text == NULL)
    len = 0;
  else if (len < 0)
    len = strlen (text);
  end = text + len;
  for (p = text; p != NULL && p < end; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char_validated (p, end - p);
      gunichar other = 0;

      if (c >= 0x110000)
        c = 0xFFFD;
      if (g_unichar_isspace (c))
        continue;
      if (g_unichar_isalpha (c))
        {
          letters++;
          word++;
        }
      else if (g_unichar_isdigit (c) || g_unichar_ismark (c))
        word++;
      else if (is_unreadable (c))
        unreadable++;
      else if (c == last_other)
        continue;  /* a run of one punctuation character: leaders, rules */
      else
        other = c;
      last_other = other;
      visible++;
    }
  if (n_letters != NULL)
    *n_letters = letters;
  if (visible > 0 && (unreadable * 10 > visible || word * 2 < visible))
    return DOCENT_TEXT_GARBAGE;
  if (letters < DOCENT_OCR_MIN_LETTERS)
    return DOCENT_TEXT_SPARSE;
  return DOCENT_TEXT_USABLE;
}

gboolean
docent_gray_image_is_blank (const DocentGrayImage *image)
{
  guint dark = 0;

  for (guint y = 0; y < image->height; y++)
    {
      const guint8 *row = image->pixels + (gsize) y * image->stride;

      for (guint x = 0; x < image->width; x++)
        if (row[x] < 128 && ++dark >= 50)
          return FALSE;
    }
  return TRUE;
}

void
docent_ocr_set_unavailable_error (const DocentExtractOptions *opts,
                                  const char                 *what,
                                  GError                    **error)
{
  g_set_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_OCR,
               "%s has no text layer and OCR is %s", what,
               !docent_ocr_available () ? "not available in this build" : "turned off");
}

#ifndef DOCENT_HAVE_OCR

gboolean
docent_ocr_available (void)
{
  return FALSE;
}

gboolean
docent_ocr_page (const DocentGrayImage      *image,
                 const DocentExtractOptions *opts,
                 DocentPage                 *page,
                 GError                    **error)
{
  docent_ocr_set_unavailable_error (opts, "this page", error);
  return FALSE;
}

void
docent_ocr_thread_cleanup (void)
{
}

#else  /* DOCENT_HAVE_OCR */

gboolean
docent_ocr_available (void)
{
  return TRUE;
}

/* ---- engines ------------------------------------------------------------ */

typedef struct {
  TessBaseAPI *api;
  char *languages;
} Engine;

static void
engine_free (Engine *engine)
{
  if (engine == NULL)
    return;
  TessBaseAPIEnd (engine->api);
  TessBaseAPIDelete (engine->api);
  g_free (engine->languages);
  g_free (engine);
}

static GPrivate engine_key = G_PRIVATE_INIT ((GDestroyNotify) engine_free);
/* Initialisation touches tesseract's global parameters (debug_file). */
static GMutex init_lock;

void
docent_ocr_thread_cleanup (void)
{
  g_private_replace (&engine_key, NULL);
}

/* tesseract's names: letters, digits, '_' and '-', optionally under
 * "script/", joined by '+'. Nothing that could leave the tessdata folder. */
static gboolean
valid_languages (const char *languages)
{
  g_auto(GStrv) parts = NULL;

  if (languages == NULL || *languages == '\0' || strlen (languages) > 200)
    return FALSE;
  parts = g_strsplit (languages, "+", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      const char *name = parts[i];

      if (g_str_has_prefix (name, "script/"))
        name += strlen ("script/");
      if (*name == '\0')
        return FALSE;
      for (const char *c = name; *c != '\0'; c++)
        if (!g_ascii_isalnum (*c) && *c != '_' && *c != '-')
          return FALSE;
    }
  return TRUE;
}

/* Debian's package names for the languages: tesseract-ocr-chi-sim, ... */
static char *
package_names (const char *languages)
{
  g_auto(GStrv) parts = g_strsplit (languages, "+", -1);
  GString *out = g_string_new (NULL);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_autofree char *name = g_ascii_strdown (parts[i], -1);

      if (g_str_has_prefix (name, "script/"))
        continue;
      g_strdelimit (name, "_", '-');
      g_string_append_printf (out, "%stesseract-ocr-%s", out->len > 0 ? ", " : "", name);
    }
  return g_string_free (out, FALSE);
}

static Engine *
engine_get (const char  *languages,
            GError     **error)
{
  Engine *engine = g_private_get (&engine_key);
  int rc;

  if (engine != NULL && strcmp (engine->languages, languages) == 0)
    return engine;
  g_private_replace (&engine_key, NULL);
  if (!valid_languages (languages))
    {
      g_set_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_OCR,
                   "invalid OCR language \"%s\" (tesseract's names joined by '+', "
                   "such as \"eng+deu\")", languages);
      return NULL;
    }

  engine = g_new0 (Engine, 1);
  engine->api = TessBaseAPICreate ();
  engine->languages = g_strdup (languages);
  g_mutex_lock (&init_lock);
  /* tesseract's warnings ("Estimating resolution as ...", "Empty page")
   * and init errors go to its debug file: ours are the GErrors. */
  TessBaseAPISetVariable (engine->api, "debug_file", "/dev/null");
  rc = TessBaseAPIInit3 (engine->api, NULL, languages);
  g_mutex_unlock (&init_lock);
  if (rc != 0)
    {
      g_autofree char *packages = package_names (languages);

      g_set_error (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_OCR,
                   "OCR cannot start: the language data for \"%s\" is not installed "
                   "(Debian: %s)", languages, packages);
      engine_free (engine);
      return NULL;
    }
  TessBaseAPISetPageSegMode (engine->api, PSM_AUTO);
  g_private_set (&engine_key, engine);
  return engine;
}

/* OpenMP's max-active-levels is per thread (libgomp ≥ 11): 0 runs every
 * parallel region of tesseract's on this thread alone. Looked up at run
 * time, so nothing links OpenMP; absent when tesseract was built without. */
typedef struct {
  int (*get) (void);
  void (*set) (int);
} OmpLevels;

static const OmpLevels *
omp_levels (void)
{
  static gsize once;
  static OmpLevels levels;

  if (g_once_init_enter (&once))
    {
      levels.get = (int (*) (void)) dlsym (RTLD_DEFAULT, "omp_get_max_active_levels");
      levels.set = (void (*) (int)) dlsym (RTLD_DEFAULT, "omp_set_max_active_levels");
      if (levels.get == NULL || levels.set == NULL)
        levels = (OmpLevels) { NULL, NULL };
      g_once_init_leave (&once, 1);
    }
  return &levels;
}

static bool
cancel_requested (void *cancellable,
                  int   words)
{
  return g_cancellable_is_cancelled (cancellable);
}

/* ---- collecting tesseract's result ------------------------------------- */

typedef struct {
  guint start, end;      /* bytes of its text in Result.chars */
  int x1, y1, x2, y2;
  float confidence;
  guint n_chars;         /* code points after normalisation */
  gboolean kept;
} Word;

typedef struct {
  guint first, n;        /* words */
  float ascent;          /* tallest word above the baseline, pixels */
  gboolean big;
} Line;

typedef struct {
  guint first, n;        /* lines */
} Para;

typedef struct {
  GString *chars;        /* the words' text, back to back */
  GArray *words;
  GArray *lines;
  GArray *paras;
} Result;

static void
result_init (Result *r)
{
  r->chars = g_string_new (NULL);
  r->words = g_array_new (FALSE, FALSE, sizeof (Word));
  r->lines = g_array_new (FALSE, FALSE, sizeof (Line));
  r->paras = g_array_new (FALSE, FALSE, sizeof (Para));
}

static void
result_clear (Result *r)
{
  g_string_free (r->chars, TRUE);
  g_array_unref (r->words);
  g_array_unref (r->lines);
  g_array_unref (r->paras);
}

/* Characters that carry nothing (document.c drops the same) or that the
 * text conventions reserve (whitespace is ours to place). */
static gboolean
is_dropped (gunichar c)
{
  return c < 0x20 || (c >= 0x7F && c < 0xA0) || c == 0x00AD || c == 0x200B ||
         c == 0x200C || c == 0x200D || c == 0x2060 || c == 0xFEFF || c == 0xFFFD ||
         g_unichar_isspace (c);
}

static const char *
ligature_expansion (gunichar c)
{
  static const char *const table[] = { "ff", "fi", "fl", "ffi", "ffl", "st", "st" };

  if (c >= 0xFB00 && c <= 0xFB06)
    return table[c - 0xFB00];
  return NULL;
}

/* The characters a word's text stands for, ligatures expanded, without
 * what is dropped. */
static GArray *
word_chars (const char *text,
            gsize       len)
{
  GArray *chars = g_array_new (FALSE, FALSE, sizeof (gunichar));
  const char *end = text + len;

  for (const char *p = text; p < end; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char_validated (p, end - p);
      const char *expansion;

      if (c >= 0x110000)
        break;
      if (is_dropped (c))
        continue;
      expansion = ligature_expansion (c);
      if (expansion == NULL)
        {
          g_array_append_val (chars, c);
          continue;
        }
      for (const char *e = expansion; *e != '\0'; e++)
        {
          gunichar part = (guchar) *e;

          g_array_append_val (chars, part);
        }
    }
  return chars;
}

/* A character's usual width relative to others in a proportional font.
 * LSTM tesseract's own symbol boxes overlap and drift by up to a character,
 * while its word boxes are exact: the characters share their word's width
 * in these proportions. */
static float
relative_width (gunichar c)
{
  if (c < 0x80)
    {
      if (strchr ("ijlI!|'.,:;`", (int) c) != NULL)
        return 0.3f;
      if (strchr ("ftr()[]{}-\"/\\", (int) c) != NULL)
        return 0.4f;
      if (c == 'm' || c == 'w')
        return 0.9f;
      if (c == 'M' || c == 'W')
        return 1.0f;
      if (g_ascii_isupper (c))
        return 0.72f;
      if (g_ascii_isdigit (c))
        return 0.6f;
      return 0.55f;
    }
  if (g_unichar_iswide (c))
    return 1.0f;
  if (g_unichar_isupper (c))
    return 0.72f;
  return 0.6f;
}

static gboolean
has_alnum (const char *text,
           gsize       len)
{
  const char *end = text + len;

  for (const char *p = text; p < end; p = g_utf8_next_char (p))
    if (g_unichar_isalnum (g_utf8_get_char (p)))
      return TRUE;
  return FALSE;
}

/* Where the line's baseline is at x, from its two end points. */
static float
baseline_at (const int baseline[4],
             float     x)
{
  if (baseline[2] == baseline[0])
    return baseline[1];
  return baseline[1] + (float) (baseline[3] - baseline[1]) * (x - baseline[0]) /
                       (baseline[2] - baseline[0]);
}

/* Noise (specks, rules, photos) comes back as low-confidence words
 * without a letter or digit. */
#define NOISE_CONFIDENCE 50.f

static void
collect (TessResultIterator *ri,
         Result             *r)
{
  TessPageIterator *pi = TessResultIteratorGetPageIterator (ri);
  int baseline[4] = { 0, 0, 0, 0 };
  gboolean have_baseline = FALSE;

  do
    {
      Line *line;
      Word w = { 0, 0, 0, 0, 0, 0, 0, 0, TRUE };
      g_autoptr(GArray) chars = NULL;
      char *text;

      if (TessPageIteratorIsAtBeginningOf (pi, RIL_PARA) || r->paras->len == 0)
        {
          Para para = { r->lines->len, 0 };

          g_array_append_val (r->paras, para);
        }
      if (TessPageIteratorIsAtBeginningOf (pi, RIL_TEXTLINE) ||
          r->lines->len == g_array_index (r->paras, Para, r->paras->len - 1).first)
        {
          Line l = { r->words->len, 0, 0, FALSE };

          g_array_append_val (r->lines, l);
          g_array_index (r->paras, Para, r->paras->len - 1).n++;
          have_baseline = TessPageIteratorBaseline (pi, RIL_TEXTLINE, &baseline[0], &baseline[1],
                                                    &baseline[2], &baseline[3]);
        }
      line = &g_array_index (r->lines, Line, r->lines->len - 1);

      text = TessResultIteratorGetUTF8Text (ri, RIL_WORD);
      if (text == NULL)
        continue;
      w.start = r->chars->len;
      g_string_append (r->chars, text);
      w.end = r->chars->len;
      TessDeleteText (text);
      if (!TessPageIteratorBoundingBox (pi, RIL_WORD, &w.x1, &w.y1, &w.x2, &w.y2) ||
          w.x2 < w.x1 || w.y2 < w.y1)
        w.x1 = w.y1 = w.x2 = w.y2 = 0;
      w.confidence = CLAMP (TessResultIteratorConfidence (ri, RIL_WORD), 0.f, 100.f);
      chars = word_chars (r->chars->str + w.start, w.end - w.start);
      w.n_chars = chars->len;
      w.kept = w.n_chars > 0 &&
               (w.confidence >= NOISE_CONFIDENCE ||
                has_alnum (r->chars->str + w.start, w.end - w.start));
      g_array_append_val (r->words, w);
      line->n++;
      if (w.kept && w.y2 > w.y1)
        {
          float base = have_baseline ? baseline_at (baseline, (w.x1 + w.x2) / 2.f) : w.y2;

          line->ascent = MAX (line->ascent, base - w.y1);
        }
    }
  while (TessResultIteratorNext (ri, RIL_WORD));
}

/* ---- headings ------------------------------------------------------------ */

/* A paragraph of at most HEADING_MAX_LINES lines and HEADING_MAX_CHARS
 * characters whose letters rise HEADING_RATIO times higher above the
 * baseline than the page's usual line is a heading, of level 1 from
 * HEADING_LEVEL1 times, else 2. (LSTM tesseract reports no font sizes; a
 * line's ascent is the height of its capitals or ascenders.) */
#define HEADING_RATIO      1.3f
#define HEADING_LEVEL1     1.8f
#define HEADING_MAX_LINES  2
#define HEADING_MAX_CHARS  120

typedef struct {
  float value;
  guint weight;
} Sample;

static int
compare_samples (const void *a,
                 const void *b)
{
  float x = ((const Sample *) a)->value, y = ((const Sample *) b)->value;

  return (x > y) - (x < y);
}

static guint
line_chars (const Result *r,
            const Line   *line)
{
  guint n = 0;

  for (guint i = line->first; i < line->first + line->n; i++)
    {
      const Word *w = &g_array_index (r->words, Word, i);

      if (w->kept)
        n += w->n_chars + 1;
    }
  return n;
}

/* The ascent of most of the page's text, weighted by characters; 0 when
 * fewer than two lines tell. */
static float
body_ascent (const Result *r)
{
  g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (Sample));
  guint64 total = 0, seen = 0;

  for (guint i = 0; i < r->lines->len; i++)
    {
      const Line *line = &g_array_index (r->lines, Line, i);
      Sample s = { line->ascent, line_chars (r, line) };

      if (s.weight > 0 && s.value > 0)
        {
          g_array_append_val (samples, s);
          total += s.weight;
        }
    }
  if (samples->len < 2)
    return 0;
  g_array_sort (samples, compare_samples);
  for (guint i = 0; i < samples->len; i++)
    {
      seen += g_array_index (samples, Sample, i).weight;
      if (2 * seen >= total)
        return g_array_index (samples, Sample, i).value;
    }
  return 0;
}

/* Tesseract often puts a heading into the paragraph under it: split each
 * paragraph where its lines change between big and body-sized. */
static GArray *
split_paragraphs (Result *r,
                  float   body)
{
  GArray *paras = g_array_new (FALSE, FALSE, sizeof (Para));

  for (guint p = 0; p < r->paras->len; p++)
    {
      const Para *para = &g_array_index (r->paras, Para, p);
      Para cur = { para->first, 0 };

      for (guint i = para->first; i < para->first + para->n; i++)
        {
          Line *line = &g_array_index (r->lines, Line, i);

          line->big = body > 0 && line->ascent >= HEADING_RATIO * body;
          if (cur.n > 0 && line->big != g_array_index (r->lines, Line, i - 1).big)
            {
              g_array_append_val (paras, cur);
              cur = (Para) { i, 0 };
            }
          cur.n++;
        }
      if (cur.n > 0)
        g_array_append_val (paras, cur);
    }
  return paras;
}

static gboolean
is_heading (const Result *r,
            const Para   *para)
{
  guint chars = 0;

  if (para->n == 0 || para->n > HEADING_MAX_LINES)
    return FALSE;
  for (guint i = para->first; i < para->first + para->n; i++)
    {
      const Line *line = &g_array_index (r->lines, Line, i);

      if (!line->big)
        return FALSE;
      chars += line_chars (r, line);
    }
  return chars > 0 && chars <= HEADING_MAX_CHARS;
}

static guint
heading_level (const Result *r,
               const Para   *para,
               float         body)
{
  float ascent = FLT_MAX;

  for (guint i = para->first; i < para->first + para->n; i++)
    ascent = MIN (ascent, g_array_index (r->lines, Line, i).ascent);
  return ascent >= HEADING_LEVEL1 * body ? 1 : 2;
}

/* ---- writing the page ---------------------------------------------------- */

typedef enum {
  SEP_NONE,
  SEP_SPACE,
  SEP_LINE,
  SEP_BLOCK,
} Separator;

typedef struct {
  DocentPage *page;
  double sx, sy;         /* pixels → page units */
  const Word *prev;      /* the last word written */
  const Word *word;      /* the word being written */
  double weighted;       /* sum of confidence × characters */
  guint64 n_chars;
} Writer;

static DocentBox
scaled_box (const Writer *w,
            float         x1,
            float         y1,
            float         x2,
            float         y2)
{
  return (DocentBox) { x1 * w->sx, y1 * w->sy, x2 * w->sx, y2 * w->sy };
}

static void
put_char (DocentPage      *page,
          gunichar         c,
          const DocentBox *box)
{
  if (c < 0x80)
    g_string_append_c (page->text, (char) c);
  else
    g_string_append_unichar (page->text, c);
  g_array_append_val (page->boxes, *box);
}

/* Breaks get an empty box where the last word ended (as in pdf.c); a space
 * spans the gap between its words, so a highlight stays one rectangle. */
static void
write_separator (Writer    *w,
                 Separator  sep)
{
  const Word *a = w->prev, *b = w->word;
  DocentBox end = scaled_box (w, a->x2, a->y2, a->x2, a->y2);

  switch (sep)
    {
    case SEP_BLOCK:
      put_char (w->page, '\n', &end);
      put_char (w->page, '\n', &end);
      break;
    case SEP_LINE:
      put_char (w->page, '\n', &end);
      break;
    case SEP_SPACE:
      if (b->x1 > a->x2)
        {
          DocentBox gap = scaled_box (w, a->x2, MIN (a->y1, b->y1), b->x1, MAX (a->y2, b->y2));

          put_char (w->page, ' ', &gap);
        }
      else
        put_char (w->page, ' ', &end);
      break;
    case SEP_NONE:
    default:
      break;
    }
}

/* Writes the separator, then the word, each character with its share of
 * the word's width and the word's top and bottom; returns where the word
 * starts. */
static gsize
write_word (Writer       *w,
            const Result *r,
            const Word   *word,
            Separator     sep)
{
  g_autoptr(GArray) chars = word_chars (r->chars->str + word->start, word->end - word->start);
  float total = 0, x;
  gsize start;

  w->word = word;
  if (w->prev != NULL && sep != SEP_NONE)
    write_separator (w, sep);
  start = w->page->text->len;
  for (guint i = 0; i < chars->len; i++)
    total += relative_width (g_array_index (chars, gunichar, i));
  x = word->x1;
  for (guint i = 0; i < chars->len; i++)
    {
      gunichar c = g_array_index (chars, gunichar, i);
      float next = i + 1 == chars->len ? word->x2
                 : x + (word->x2 - word->x1) * relative_width (c) / total;
      DocentBox box = scaled_box (w, x, word->y1, next, word->y2);

      put_char (w->page, c, &box);
      x = next;
    }
  w->weighted += (double) word->confidence * word->n_chars;
  w->n_chars += word->n_chars;
  w->prev = word;
  return start;
}

/* Paragraphs end with a blank line, lines with '\n' (a heading's with a
 * space), words with a space; words that are noise are left out. */
static void
write_page (Result     *r,
            DocentPage *page,
            double      sx,
            double      sy)
{
  Writer w = { page, sx, sy, NULL, NULL, 0, 0 };
  float body = body_ascent (r);
  g_autoptr(GArray) paras = split_paragraphs (r, body);

  for (guint p = 0; p < paras->len; p++)
    {
      const Para *para = &g_array_index (paras, Para, p);
      gboolean heading = is_heading (r, para);
      Separator pending = SEP_BLOCK;
      gboolean started = FALSE;
      DocentHeading h = { 0, 0, 0 };

      for (guint l = para->first; l < para->first + para->n; l++)
        {
          const Line *line = &g_array_index (r->lines, Line, l);

          if (l > para->first)
            pending = MAX (pending, heading ? SEP_SPACE : SEP_LINE);
          for (guint i = line->first; i < line->first + line->n; i++)
            {
              const Word *word = &g_array_index (r->words, Word, i);
              gsize start;

              if (!word->kept)
                continue;
              if (i > line->first)
                pending = MAX (pending, SEP_SPACE);
              start = write_word (&w, r, word, pending);
              if (!started)
                h.start = start;
              started = TRUE;
              pending = SEP_NONE;
            }
        }
      if (heading && started)
        {
          h.end = page->text->len;
          h.level = heading_level (r, para, body);
          g_array_append_val (page->headings, h);
        }
    }
  page->ocr = TRUE;
  page->ocr_confidence = w.n_chars > 0 ? w.weighted / w.n_chars : 0;
}

gboolean
docent_ocr_page (const DocentGrayImage      *image,
                 const DocentExtractOptions *opts,
                 DocentPage                 *page,
                 GError                    **error)
{
  const char *languages = opts->ocr_languages != NULL && *opts->ocr_languages != '\0'
                            ? opts->ocr_languages : "eng";
  const OmpLevels *omp = omp_levels ();
  Engine *engine;
  ETEXT_DESC *monitor;
  TessResultIterator *ri;
  Result r;
  int saved_levels = 0, rc;

  if (g_cancellable_set_error_if_cancelled (opts->cancellable, error))
    return FALSE;
  if (image->width == 0 || image->height == 0 || image->width > G_MAXINT / 4 ||
      image->height > G_MAXINT / 4 || image->stride < image->width)
    {
      g_set_error_literal (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_OCR,
                           "OCR failed: an empty picture");
      return FALSE;
    }
  engine = engine_get (languages, error);
  if (engine == NULL)
    return FALSE;

  g_string_truncate (page->text, 0);
  g_array_set_size (page->headings, 0);
  if (page->boxes == NULL)
    page->boxes = g_array_new (FALSE, FALSE, sizeof (DocentBox));
  g_array_set_size (page->boxes, 0);
  page->ocr = FALSE;
  page->ocr_confidence = 0;

  TessBaseAPISetImage (engine->api, image->pixels, image->width, image->height, 1,
                       image->stride);
  if (image->dpi > 0)
    TessBaseAPISetSourceResolution (engine->api, (int) lround (image->dpi));
  monitor = TessMonitorCreate ();
  if (opts->cancellable != NULL)
    {
      TessMonitorSetCancelThis (monitor, opts->cancellable);
      TessMonitorSetCancelFunc (monitor, cancel_requested);
    }
  if (omp->get != NULL)
    {
      saved_levels = omp->get ();
      omp->set (0);
    }
  rc = TessBaseAPIRecognize (engine->api, monitor);
  if (omp->get != NULL)
    omp->set (saved_levels);
  TessMonitorDelete (monitor);
  if (g_cancellable_set_error_if_cancelled (opts->cancellable, error))
    {
      TessBaseAPIClear (engine->api);
      return FALSE;
    }
  if (rc != 0)
    {
      TessBaseAPIClear (engine->api);
      g_set_error_literal (error, DOCENT_INGEST_ERROR, DOCENT_INGEST_ERROR_OCR,
                           "OCR failed on this page (tesseract could not read the picture)");
      return FALSE;
    }

  result_init (&r);
  ri = TessBaseAPIGetIterator (engine->api);
  if (ri != NULL)
    {
      collect (ri, &r);
      TessResultIteratorDelete (ri);
    }
  TessBaseAPIClear (engine->api);
  write_page (&r, page, page->width / image->width, page->height / image->height);
  result_clear (&r);
  return TRUE;
}

#endif  /* DOCENT_HAVE_OCR */
