/* cli-output.c — docent-cli's read-only commands (list, status, search) and
 * their two faces: aligned text for people, one JSON object for scripts. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <json-glib/json-glib.h>

#include "app/cli.h"
#include "index/embeddings.h"

void
docent_cli_print_json (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autofree char *text = NULL;

  json_generator_set_root (gen, root);
  text = json_generator_to_data (gen, NULL);
  puts (text);
}

void
docent_cli_json_string (JsonBuilder *b,
                        const char  *name,
                        const char  *value)
{
  json_builder_set_member_name (b, name);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

void
docent_cli_json_int (JsonBuilder *b,
                     const char  *name,
                     gint64       value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, value);
}

void
docent_cli_json_double (JsonBuilder *b,
                        const char  *name,
                        double       value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_double_value (b, value);
}

static char *
format_size (gint64 bytes)
{
  return g_format_size_full (bytes, G_FORMAT_SIZE_IEC_UNITS);
}

/* ---- list ------------------------------------------------------------- */

static void
document_to_json (JsonBuilder           *b,
                  DocentStore           *store,
                  const DocentDocRecord *doc)
{
  guint ocr_pages = 0;
  double ocr_confidence = 0;

  /* A summary that cannot be read is reported as no OCR pages. */
  if (!docent_store_ocr_summary (store, doc->id, &ocr_pages, &ocr_confidence, NULL))
    ocr_pages = 0;
  json_builder_begin_object (b);
  docent_cli_json_int (b, "id", doc->id);
  docent_cli_json_string (b, "path", doc->path);
  docent_cli_json_string (b, "title", doc->title);
  docent_cli_json_string (b, "type", doc->type);
  docent_cli_json_string (b, "status", doc->status == DOCENT_DOC_INDEXED ? "indexed" : "failed");
  docent_cli_json_string (b, "error", doc->error);
  docent_cli_json_int (b, "pages", doc->page_count);
  docent_cli_json_int (b, "chunks", doc->chunk_count);
  /* Pages read by OCR and their mean confidence (0-100, null without). */
  docent_cli_json_int (b, "pages_ocr", ocr_pages);
  json_builder_set_member_name (b, "ocr_confidence");
  if (ocr_pages > 0)
    json_builder_add_double_value (b, round (ocr_confidence * 10) / 10);
  else
    json_builder_add_null_value (b);
  docent_cli_json_int (b, "size", doc->size);
  docent_cli_json_string (b, "sha256", doc->sha256);
  docent_cli_json_int (b, "mtime", doc->mtime);
  docent_cli_json_int (b, "added", doc->added);
  docent_cli_json_int (b, "updated", doc->updated);
  json_builder_set_member_name (b, "collections");
  json_builder_begin_array (b);
  for (guint i = 0; doc->collections != NULL && doc->collections[i] != NULL; i++)
    json_builder_add_string_value (b, doc->collections[i]);
  json_builder_end_array (b);
  json_builder_end_object (b);
}

static void
document_to_text (const DocentDocRecord *doc)
{
  printf ("%5" G_GINT64_FORMAT "  %-8s %5u p %6u ch  %s\n",
          doc->id, doc->type ? doc->type : "?", doc->page_count, doc->chunk_count,
          doc->title ? doc->title : "(untitled)");
  printf ("       %s\n", doc->path);
  if (doc->status == DOCENT_DOC_FAILED)
    printf ("       failed: %s\n", doc->error);
  else if (doc->error != NULL)
    printf ("       last update failed: %s\n", doc->error);
}

int
docent_cli_list (DocentLibrary  *library,
                 int             argc,
                 char          **argv)
{
  g_autofree char *collection = NULL;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON", NULL },
    { "collection", 'c', 0, G_OPTION_ARG_STRING, &collection, "Only documents in NAME", "NAME" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— list the documents");
  g_autoptr(GPtrArray) docs = NULL;
  g_autoptr(GError) error = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!docent_cli_parse (context, &argc, &argv))
    return DOCENT_EXIT_USAGE;
  if (argc > 1)
    {
      docent_cli_error ("list takes no arguments (see list --help)");
      return DOCENT_EXIT_USAGE;
    }
  docs = docent_store_list_documents (docent_library_store (library), collection, &error);
  if (docs == NULL)
    {
      docent_cli_error ("%s", error->message);
      return DOCENT_EXIT_FAILED;
    }
  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "documents");
      json_builder_begin_array (b);
      for (guint i = 0; i < docs->len; i++)
        document_to_json (b, docent_library_store (library), docs->pdata[i]);
      json_builder_end_array (b);
      json_builder_end_object (b);
      docent_cli_print_json (b);
      return DOCENT_EXIT_OK;
    }
  for (guint i = 0; i < docs->len; i++)
    document_to_text (docs->pdata[i]);
  if (docs->len == 0)
    printf ("The library is empty. Add documents with: docent-cli add FILE-OR-FOLDER…\n");
  return DOCENT_EXIT_OK;
}

/* ---- status ----------------------------------------------------------- */

/* What the embedder in use has done; FALSE when none is configured. */
typedef struct {
  const char *model_id;
  guint64 vectors, pending;
  DocentVectorStats index;
} EmbedStatus;

static gboolean
embed_status (DocentLibrary  *library,
              EmbedStatus    *out,
              GError        **error)
{
  DocentEmbedder *embedder = docent_library_embedder (library, error);
  DocentStore *store = docent_library_store (library);

  if (embedder == NULL)
    return FALSE;
  out->model_id = docent_embedder_model_id (embedder);
  docent_vector_index_stats (docent_embedder_vectors (embedder), &out->index);
  out->vectors = out->index.count;
  return docent_store_count_pending (store, docent_embedder_key (embedder), &out->pending, error);
}

static void
status_json (DocentLibrary          *library,
             const DocentStoreStats *stats,
             const EmbedStatus      *embed)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  docent_cli_json_string (b, "library", docent_library_dir (library));
  docent_cli_json_int (b, "documents", stats->documents);
  docent_cli_json_int (b, "failed", stats->failed);
  docent_cli_json_int (b, "pages", stats->pages);
  docent_cli_json_int (b, "chunks", stats->chunks);
  docent_cli_json_int (b, "collections", stats->collections);
  docent_cli_json_int (b, "database_bytes", stats->db_bytes);
  docent_cli_json_int (b, "generation", stats->generation);
  if (embed != NULL)
    {
      json_builder_set_member_name (b, "embeddings");
      json_builder_begin_object (b);
      docent_cli_json_string (b, "model", embed->model_id);
      docent_cli_json_int (b, "vectors", embed->vectors);
      docent_cli_json_int (b, "pending", embed->pending);
      docent_cli_json_string (b, "index", embed->index.kind == DOCENT_VECTORS_IVF ? "ivf" : "exact");
      docent_cli_json_int (b, "dimension", embed->index.dim);
      if (embed->index.kind == DOCENT_VECTORS_IVF)
        {
          docent_cli_json_int (b, "nlist", embed->index.nlist);
          docent_cli_json_int (b, "nprobe", embed->index.nprobe);
        }
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
  docent_cli_print_json (b);
}

static void
status_text (DocentLibrary          *library,
             const DocentStoreStats *stats,
             const EmbedStatus      *embed)
{
  g_autofree char *size = format_size (stats->db_bytes);

  printf ("Library:     %s\n"
          "Documents:   %u\n"
          "Failed:      %u\n"
          "Pages:       %u\n"
          "Chunks:      %u\n"
          "Collections: %u\n"
          "Database:    %s\n",
          docent_library_dir (library), stats->documents, stats->failed, stats->pages,
          stats->chunks, stats->collections, size);
  if (embed == NULL)
    {
      printf ("Embeddings:  none (search by words only)\n");
      return;
    }
  printf ("Embeddings:  %s, %" G_GUINT64_FORMAT " vectors, %" G_GUINT64_FORMAT " pending "
          "(%s index)\n", embed->model_id, embed->vectors, embed->pending,
          embed->index.kind == DOCENT_VECTORS_IVF ? "approximate" : "exact");
}

int
docent_cli_status (DocentLibrary  *library,
                   int             argc,
                   char          **argv)
{
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— show what the library holds");
  g_autoptr(GError) error = NULL;
  DocentStoreStats stats;
  EmbedStatus embed = { 0 };
  gboolean has_embed;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!docent_cli_parse (context, &argc, &argv))
    return DOCENT_EXIT_USAGE;
  if (!docent_store_stats (docent_library_store (library), &stats, &error))
    {
      docent_cli_error ("%s", error->message);
      return DOCENT_EXIT_FAILED;
    }
  has_embed = embed_status (library, &embed, &error);
  if (error != NULL)
    docent_cli_error ("%s", error->message);
  if (json)
    status_json (library, &stats, has_embed ? &embed : NULL);
  else
    status_text (library, &stats, has_embed ? &embed : NULL);
  return error != NULL ? DOCENT_EXIT_FAILED : DOCENT_EXIT_OK;
}

/* ---- search ----------------------------------------------------------- */

static void
hit_to_json (JsonBuilder           *b,
             const DocentSearchHit *hit)
{
  g_autofree char *snippet = docent_snippet_render (hit->snippet, "**", "**", FALSE);

  json_builder_begin_object (b);
  docent_cli_json_int (b, "chunk_id", hit->chunk_id);
  docent_cli_json_int (b, "document_id", hit->document_id);
  docent_cli_json_string (b, "path", hit->path);
  docent_cli_json_string (b, "title", hit->title);
  docent_cli_json_int (b, "page_start", hit->page_start);
  docent_cli_json_int (b, "page_end", hit->page_end);
  docent_cli_json_int (b, "char_start", hit->char_start);
  docent_cli_json_int (b, "char_end", hit->char_end);
  docent_cli_json_string (b, "heading", hit->heading);
  docent_cli_json_double (b, "score", hit->score);
  if (hit->bm25_rank > 0)
    docent_cli_json_int (b, "bm25_rank", hit->bm25_rank);
  if (hit->dense_rank > 0)
    {
      docent_cli_json_int (b, "dense_rank", hit->dense_rank);
      docent_cli_json_double (b, "similarity", hit->similarity);
    }
  docent_cli_json_string (b, "snippet", snippet);
  docent_cli_json_string (b, "text", hit->text);
  json_builder_end_object (b);
}

static void
print_search_json (const char                *query,
                   DocentSearchMode           mode,
                   GPtrArray                 *hits,
                   const DocentHybridTimings *t)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  docent_cli_json_string (b, "query", query);
  docent_cli_json_string (b, "mode", docent_search_mode_to_string (mode));
  json_builder_set_member_name (b, "results");
  json_builder_begin_array (b);
  for (guint i = 0; i < hits->len; i++)
    hit_to_json (b, hits->pdata[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "timings_ms");
  json_builder_begin_object (b);
  docent_cli_json_double (b, "embed", t->embed_ms);
  docent_cli_json_double (b, "fts", t->fts_ms);
  docent_cli_json_double (b, "vector", t->vector_ms);
  docent_cli_json_double (b, "fuse", t->fuse_ms);
  docent_cli_json_double (b, "total", t->total_ms);
  json_builder_end_object (b);
  json_builder_end_object (b);
  docent_cli_print_json (b);
}

static void
print_search_text (GPtrArray *hits,
                   gboolean   tty)
{
  for (guint i = 0; i < hits->len; i++)
    {
      const DocentSearchHit *hit = hits->pdata[i];
      g_autofree char *snippet = docent_snippet_render (hit->snippet,
                                                        tty ? "\033[1m" : "**",
                                                        tty ? "\033[0m" : "**", FALSE);
      g_autofree char *pages = hit->page_end > hit->page_start
        ? g_strdup_printf ("pp. %u–%u", hit->page_start, hit->page_end)
        : g_strdup_printf ("p. %u", hit->page_start);

      printf ("%u. %s — %s%s%s  (score %.3g)\n", i + 1,
              hit->title ? hit->title : hit->path, pages,
              hit->heading ? " — " : "", hit->heading ? hit->heading : "", hit->score);
      printf ("   %s\n", hit->path);
      printf ("   %s\n\n", snippet);
    }
  if (hits->len == 0)
    printf ("No matching passages.\n");
}

int
docent_cli_search (DocentLibrary  *library,
                   int             argc,
                   char          **argv)
{
  g_autofree char *collection = NULL;
  g_autofree char *mode_name = NULL;
  gboolean json = FALSE;
  int k = 10;
  gint64 document = 0;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON", NULL },
    { "mode", 'm', 0, G_OPTION_ARG_STRING, &mode_name,
      "bm25 (words), dense (meaning) or hybrid (both; the default with an embedding model)", "MODE" },
    { "k", 'k', 0, G_OPTION_ARG_INT, &k, "Number of results (default 10)", "N" },
    { "collection", 'c', 0, G_OPTION_ARG_STRING, &collection, "Only documents in NAME", "NAME" },
    { "document", 'd', 0, G_OPTION_ARG_INT64, &document, "Only the document with this id", "ID" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("QUERY… — find passages");
  g_autoptr(GPtrArray) hits = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *query = NULL;
  DocentSearchOptions opts = { 0 };
  DocentHybridTimings timings = { 0 };
  DocentSearchMode mode;

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context,
    "Words are matched in any order (passages with more of them rank first);\n"
    "\"quoted words\" match as a phrase, -word excludes, word* matches a prefix.");
  if (!docent_cli_parse (context, &argc, &argv))
    return DOCENT_EXIT_USAGE;
  if (argc < 2 || k < 1 || k > 1000)
    {
      docent_cli_error (argc < 2 ? "search needs a query (see search --help)"
                                 : "-k must be between 1 and 1000");
      return DOCENT_EXIT_USAGE;
    }
  if (mode_name == NULL)
    mode = docent_library_default_search_mode (library);
  else if (!docent_search_mode_from_string (mode_name, &mode))
    {
      docent_cli_error ("--mode must be bm25, dense or hybrid, not “%s”", mode_name);
      return DOCENT_EXIT_USAGE;
    }
  query = g_strjoinv (" ", argv + 1);
  opts.query = query;
  opts.limit = k;
  opts.collection = collection;
  opts.document_id = document;
  hits = docent_library_search (library, &opts, mode, &timings, &error);
  if (hits == NULL)
    {
      docent_cli_error ("%s", error->message);
      return DOCENT_EXIT_FAILED;
    }
  if (json)
    print_search_json (query, mode, hits, &timings);
  else
    print_search_text (hits, isatty (STDOUT_FILENO));
  return DOCENT_EXIT_OK;
}
