/* test-turns.c — stored turns read back (app/turns.c): an extractive
 * answer asked on a generated library comes back from its stored turn with
 * the same citations at the same offsets; the sources listed under an
 * answer; the plain text the copy button makes. */
#include <string.h>

#include <glib/gstdio.h>

#include "app/library.h"
#include "app/turns.h"
#include "tests/fixtures.h"
#include "tests/pdfgen.h"

static const char *const lease_pages[] = {
  "# Residential lease\n\n"
  "This agreement is made between the landlord and the tenant of the flat.\n\n"
  "# Rent\n\n"
  "The monthly rent is $1,850, due on the first day of each month.",
  "# Deposit\n\n"
  "The tenant pays a security deposit of $2,775 before moving in. "
  "The landlord returns the deposit within 21 days after the tenancy ends, "
  "less itemised deductions for damage.\n\n"
  "# Ending the lease\n\n"
  "Either party may end the lease by giving at least sixty (60) days' written notice.",
};

static char *
make_library (char **dir_out)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *docs = NULL, *pdf = NULL, *notes = NULL;
  char *dir = docent_test_tmpdir ();

  docs = g_build_filename (dir, "docs", NULL);
  g_assert_cmpint (g_mkdir (docs, 0700), ==, 0);
  pdf = g_build_filename (docs, "lease.pdf", NULL);
  g_assert_true (docent_test_write_pdf (pdf, "Lease Agreement", lease_pages,
                                        G_N_ELEMENTS (lease_pages), &error));
  g_assert_no_error (error);
  notes = docent_test_prose (7, 400);
  g_free (docent_test_write_file (docs, "notes.txt", notes, -1));
  *dir_out = dir;
  return g_steal_pointer (&docs);
}

static void
assert_same_citation (const DocentCitation *a,
                      const DocentCitation *b)
{
  g_assert_cmpuint (a->n, ==, b->n);
  g_assert_cmpint (a->chunk_id, ==, b->chunk_id);
  g_assert_cmpint (a->document_id, ==, b->document_id);
  g_assert_cmpuint (a->page_start, ==, b->page_start);
  g_assert_cmpuint (a->page_end, ==, b->page_end);
  g_assert_cmpstr (a->quote, ==, b->quote);
  g_assert_cmpuint (a->offset, ==, b->offset);
  /* path and title are stored by newer libraries only */
  if (b->path != NULL)
    g_assert_cmpstr (a->path, ==, b->path);
  if (b->title != NULL)
    g_assert_cmpstr (a->title, ==, b->title);
}

static void
test_round_trip (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL, *lib = NULL, *text = NULL;
  g_autofree char *docs = make_library (&dir);
  g_autoptr(DocentAnswer) answer = NULL, back = NULL;
  g_autoptr(GPtrArray) turns = NULL;
  g_autoptr(GArray) listed = NULL;
  const DocentListedSource *first;
  DocentAddOptions add = { 0 };
  DocentAskOptions ask = { 0 };
  const char *paths[] = { docs, NULL };
  DocentLibrary *library;
  gint64 conversation = 0;
  const DocentTurn *turn;

  lib = g_build_filename (dir, "lib", NULL);
  library = docent_library_open (lib, &error);
  g_assert_no_error (error);
  g_assert_true (docent_library_add (library, paths, &add, NULL, &error));
  g_assert_no_error (error);

  ask.question = "How much is the security deposit and when is it returned?";
  ask.extractive = TRUE;
  answer = docent_library_ask (library, &ask, &conversation, &error);
  g_assert_no_error (error);
  g_assert_false (answer->refused);
  g_assert_cmpuint (answer->citations->len, >=, 1);

  turns = docent_store_conversation_turns (docent_library_store (library), conversation, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (turns->len, ==, 1);
  turn = g_ptr_array_index (turns, 0);
  back = docent_turn_to_answer (turn, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back->question, ==, answer->question);
  g_assert_cmpstr (back->answer, ==, answer->answer);
  g_assert_false (back->refused);
  g_assert_cmpuint (back->citations->len, ==, answer->citations->len);
  for (guint i = 0; i < answer->citations->len; i++)
    assert_same_citation (g_ptr_array_index (back->citations, i),
                          g_ptr_array_index (answer->citations, i));

  /* A live answer knows its sources' text: their openings are listed. */
  listed = docent_answer_listed_sources (answer);
  g_assert_cmpuint (listed->len, >=, 1);
  first = &g_array_index (listed, DocentListedSource, 0);
  g_assert_cmpuint (first->n, ==, 1);
  g_assert_cmpstr (first->title, ==, "Lease Agreement");
  g_assert_nonnull (first->opening);
  g_assert_nonnull (strstr (((DocentSource *) answer->sources->pdata[0])->text, first->opening));

  /* The copy of the live answer names the PDF by its title and page. */
  text = docent_answer_to_text (answer);
  g_assert_true (g_str_has_prefix (text, answer->answer));
  g_assert_nonnull (strstr (text, "\n\nSources:\n[1] "));
  g_assert_nonnull (strstr (text, "Lease Agreement, p. 2 — "));
  g_assert_nonnull (strstr (text, "lease.pdf"));

  docent_library_close (library);
  docent_test_rm_rf (dir);
}

static void
test_refusal_round_trip (void)
{
  DocentTurn turn = { 0 };
  g_autoptr(DocentAnswer) answer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  turn.question = (char *) "What colour is the sky on Mars?";
  turn.answer = (char *) docent_answer_refusal_text ();
  turn.citations = (char *) "[]";
  answer = docent_turn_to_answer (&turn, &error);
  g_assert_no_error (error);
  g_assert_true (answer->refused);
  g_assert_cmpuint (answer->citations->len, ==, 0);
  text = docent_answer_to_text (answer);
  g_assert_cmpstr (text, ==, docent_answer_refusal_text ());
}

static void
test_json_details (void)
{
  static const char json[] =
    "[{\"n\": 2, \"chunk_id\": 7, \"document_id\": 3, \"page_start\": 4, \"page_end\": 4,"
    "  \"quote\": \"Rent is due monthly.\", \"title\": \"Lease\", \"path\": \"/d/lease.pdf\"},"
    " {\"n\": 1, \"chunk_id\": 9, \"document_id\": 5, \"page_start\": 1, \"page_end\": 2,"
    "  \"quote\": \"Pets are allowed.\"},"
    " {\"n\": 2, \"chunk_id\": 8, \"document_id\": 3, \"page_start\": 6, \"page_end\": 6,"
    "  \"quote\": \"Late fees apply.\", \"title\": \"Lease\", \"path\": \"/d/lease.pdf\"},"
    " {\"n\": 3, \"document_id\": 1, \"quote\": \"Gone.\"}]";
  static const char text[] = "Rent [12] is monthly [2]. Pets [1] yes; fees [2].";
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) citations = docent_citations_from_json (json, text, &error);
  g_autoptr(GArray) listed = NULL;
  g_autoptr(DocentAnswer) answer = docent_answer_new ("q", DOCENT_ANSWER_EXTRACTIVE);
  g_autofree char *copy = NULL;
  const DocentCitation *c;
  const DocentListedSource *s;

  g_assert_no_error (error);
  g_assert_cmpuint (citations->len, ==, 4);
  c = g_ptr_array_index (citations, 0);
  g_assert_cmpuint (c->offset, ==, strstr (text, "[2]") - text);   /* not inside [12] */
  g_assert_cmpstr (c->title, ==, "Lease");
  c = g_ptr_array_index (citations, 1);
  g_assert_cmpuint (c->offset, ==, strstr (text, "[1]") - text);
  g_assert_null (c->title);
  c = g_ptr_array_index (citations, 2);
  g_assert_cmpuint (c->offset, ==, strstr (text, "fees [2]") + 5 - text);
  c = g_ptr_array_index (citations, 3);
  g_assert_cmpuint (c->offset, ==, strlen (text));                 /* no marker */

  answer->answer = g_strdup (text);
  g_ptr_array_extend_and_steal (answer->citations, g_steal_pointer (&citations));
  listed = docent_answer_listed_sources (answer);
  g_assert_cmpuint (listed->len, ==, 3);
  s = &g_array_index (listed, DocentListedSource, 0);
  g_assert_cmpuint (s->n, ==, 1);
  g_assert_cmpstr (s->title, ==, "Document 5");
  g_assert_cmpstr (s->quote, ==, "Pets are allowed.");
  g_assert_null (s->opening);                                      /* no source text */
  s = &g_array_index (listed, DocentListedSource, 1);
  g_assert_cmpuint (s->n, ==, 2);
  g_assert_cmpuint (s->page_start, ==, 4);
  g_assert_cmpuint (s->page_end, ==, 6);
  g_assert_cmpstr (s->quote, ==, "Rent is due monthly.");

  copy = docent_answer_to_text (answer);
  g_assert_cmpstr (copy, ==,
                   "Rent [12] is monthly [2]. Pets [1] yes; fees [2].\n\n"
                   "Sources:\n"
                   "[1] Document 5, pp. 1–2\n"
                   "[2] Lease, pp. 4–6 — /d/lease.pdf\n"
                   "[3] Document 1");
}

static void
test_json_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) empty = docent_citations_from_json (NULL, "text", &error);
  GPtrArray *bad;

  g_assert_no_error (error);
  g_assert_cmpuint (empty->len, ==, 0);
  bad = docent_citations_from_json ("[{\"n\": ", "text", &error);
  g_assert_null (bad);
  g_assert_nonnull (error);
  g_clear_error (&error);
  bad = docent_citations_from_json ("{\"n\": 1}", "text", &error);
  g_assert_null (bad);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
}

static void
test_refused_lists_closest (void)
{
  g_autoptr(DocentAnswer) answer = docent_answer_new ("q", DOCENT_ANSWER_EXTRACTIVE);
  DocentSource *source = g_new0 (DocentSource, 1);
  g_autoptr(GArray) listed = NULL;
  const DocentListedSource *s;

  source->n = 1;
  source->document_id = 4;
  source->title = g_strdup ("Handbook");
  source->page_start = source->page_end = 3;
  source->text = g_strdup ("Holidays\n\nStaff get 25 days of paid leave a year. "
                           "Requests go to the manager.");
  g_ptr_array_add (answer->sources, source);
  answer->answer = g_strdup (docent_answer_refusal_text ());
  answer->refused = TRUE;
  listed = docent_answer_listed_sources (answer);
  g_assert_cmpuint (listed->len, ==, 1);
  s = &g_array_index (listed, DocentListedSource, 0);
  g_assert_cmpstr (s->title, ==, "Handbook");
  g_assert_null (s->quote);
  g_assert_cmpstr (s->opening, ==, "Staff get 25 days of paid leave a year.");
}

static void
test_format_pages (void)
{
  g_autofree char *none = docent_format_pages (0, 0);
  g_autofree char *one = docent_format_pages (3, 3);
  g_autofree char *range = docent_format_pages (3, 5);

  g_assert_cmpstr (none, ==, "");
  g_assert_cmpstr (one, ==, "p. 3");
  g_assert_cmpstr (range, ==, "pp. 3–5");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/turns/round-trip", test_round_trip);
  g_test_add_func ("/turns/refusal", test_refusal_round_trip);
  g_test_add_func ("/turns/json-details", test_json_details);
  g_test_add_func ("/turns/json-errors", test_json_errors);
  g_test_add_func ("/turns/refused-lists-closest", test_refused_lists_closest);
  g_test_add_func ("/turns/format-pages", test_format_pages);
  return g_test_run ();
}
