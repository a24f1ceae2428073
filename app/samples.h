/* samples.h — the sample library: a few fictional documents (a lease, a
 * clinical guideline, a product manual) that let a new user try Docent
 * before adding their own files.
 *
 * The PDFs live in their own GResource bundle (resources/samples/), which
 * only programs that offer the samples link (meson: samples_resources_dep).
 * These functions look the bundle up at run time, so this file can sit in
 * libdocent-core without pulling the PDFs into every program; without the
 * bundle they report G_IO_ERROR_NOT_FOUND. */
#pragma once

#include <gio/gio.h>

#include "app/library.h"

G_BEGIN_DECLS

/* Where the bundle's files are, and where they go in a library. */
#define DOCENT_SAMPLES_RESOURCE_PATH "/org/docent/Docent/samples/"
#define DOCENT_SAMPLES_FOLDER        "Samples"
#define DOCENT_SAMPLES_COLLECTION    "Samples"

/* The sample file names ("lease-agreement.pdf", ...), sorted; an empty
 * array when the bundle is not linked into this program. */
GStrv    docent_samples_list    (void);

/* Writes the samples into `library_dir`/Samples/ (folder 0700, files 0600),
 * leaving files that already hold the same bytes untouched, and returns
 * their paths (NULL-terminated). NOT_FOUND when the bundle is missing. */
GStrv    docent_samples_install (const char  *library_dir,
                                 GError     **error);

/* Installs the samples into the library's folder and adds them to it in
 * the collection "Samples" (opts->collection is ignored; opts may be NULL).
 * Like docent_library_add, runs on the calling thread: from a worker in a
 * GUI. `results` as for docent_library_add. */
gboolean docent_samples_add     (DocentLibrary           *library,
                                 const DocentAddOptions  *opts,
                                 GPtrArray              **results,
                                 GError                 **error);

G_END_DECLS
