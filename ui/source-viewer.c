/* source-viewer.c — DocentSourceViewer: one page of a document with the
 * cited or found passage highlighted, built from
 * resources/ui/source-viewer.ui.
 *
 * A PDF page is rendered by Poppler from the file on a worker thread into
 * a cairo image at zoom × scale factor device pixels per point, so it is
 * sharp on HiDPI screens; the highlight rectangles of the DocentPageView
 * are drawn over it. Other formats, and PDFs that cannot be opened or have
 * no layout, show the page's stored text with the passage tagged.
 *
 * Poppler documents are not safe to use from two threads at once, and a
 * stale render may still be running when the next starts: each open file
 * has a lock its renders take. Renders that are no longer wanted are
 * cancelled and their results dropped; a render that already started
 * finishes (Poppler cannot be interrupted) but is never shown. */
#include "ui/source-viewer.h"

#include <glib/gstdio.h>
#include <math.h>
#include <poppler.h>

#include "ingest/document.h"

#define ZOOM_MIN           0.25
#define ZOOM_MAX           5.0
#define ZOOM_STEP          1.25
#define PAGE_MARGIN        12      /* around the page, as in the template */
#define MAX_RENDER_PIXELS  (48.0 * 1024 * 1024)
#define MAX_CACHED_FILES   4
#define REFIT_DELAY_MS     150

/* ---- PDF files, shared with the render threads --------------------------- */

typedef struct {
  gatomicrefcount ref;
  char *path;
  gint64 mtime;              /* when it was looked up: a changed file is reopened */
  GMutex lock;               /* held by a render for its whole run */
  PopplerDocument *document; /* opened by the first render, under `lock` */
  char *error;               /* why it cannot be opened, written before `failed` */
  gint failed;               /* atomic */
} PdfFile;

static PdfFile *
pdf_file_new (const char *path,
              gint64      mtime)
{
  PdfFile *file = g_new0 (PdfFile, 1);

  g_atomic_ref_count_init (&file->ref);
  file->path = g_strdup (path);
  file->mtime = mtime;
  g_mutex_init (&file->lock);
  return file;
}

static PdfFile *
pdf_file_ref (PdfFile *file)
{
  g_atomic_ref_count_inc (&file->ref);
  return file;
}

static void
pdf_file_unref (PdfFile *file)
{
  if (file == NULL || !g_atomic_ref_count_dec (&file->ref))
    return;
  g_clear_object (&file->document);
  g_mutex_clear (&file->lock);
  g_free (file->error);
  g_free (file->path);
  g_free (file);
}

static gboolean
pdf_file_failed (PdfFile *file)
{
  return g_atomic_int_get (&file->failed);
}

/* With file->lock held. */
static gboolean
pdf_file_open (PdfFile  *file,
               GError  **error)
{
  g_autoptr(GError) local = NULL;
  g_autofree char *uri = NULL;

  if (file->document != NULL)
    return TRUE;
  if (!pdf_file_failed (file))
    {
      if (!g_file_test (file->path, G_FILE_TEST_EXISTS))
        g_set_error (&local, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                     "the file is no longer at %s", file->path);
      else if ((uri = g_filename_to_uri (file->path, NULL, &local)) != NULL)
        file->document = poppler_document_new_from_file (uri, NULL, &local);
      if (file->document != NULL)
        return TRUE;
      file->error = g_strdup (local->message);
      g_atomic_int_set (&file->failed, TRUE);
    }
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, file->error);
  return FALSE;
}

/* ---- rendering (worker thread) ------------------------------------------- */

typedef struct {
  PdfFile *file;
  guint page_no;             /* 1-based */
  double scale;              /* device pixels per point */
} RenderJob;

static void
render_job_free (RenderJob *job)
{
  pdf_file_unref (job->file);
  g_free (job);
}

/* The page drawn on white at `scale` device pixels per point. */
static cairo_surface_t *
draw_poppler_page (PopplerPage  *page,
                   double        scale,
                   GError      **error)
{
  cairo_surface_t *surface;
  cairo_t *cr;
  double width, height;
  cairo_status_t status;

  poppler_page_get_size (page, &width, &height);
  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24,
                                        MAX (1, (int) ceil (width * scale)),
                                        MAX (1, (int) ceil (height * scale)));
  cr = cairo_create (surface);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_scale (cr, scale, scale);
  poppler_page_render (page, cr);
  status = cairo_status (cr);
  cairo_destroy (cr);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_status (surface);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      cairo_surface_destroy (surface);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "cannot render the page: %s", cairo_status_to_string (status));
      return NULL;
    }
  return surface;
}

/* With job->file->lock held. */
static cairo_surface_t *
render_page (RenderJob     *job,
             GCancellable  *cancellable,
             GError       **error)
{
  PopplerPage *page;
  cairo_surface_t *surface;

  if (g_cancellable_set_error_if_cancelled (cancellable, error)
      || !pdf_file_open (job->file, error))
    return NULL;
  page = poppler_document_get_page (job->file->document, (int) job->page_no - 1);
  if (page == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "the PDF has no page %u (it may have changed since it was added)",
                   job->page_no);
      return NULL;
    }
  surface = draw_poppler_page (page, job->scale, error);
  g_object_unref (page);
  return surface;
}

static void
render_thread (GTask        *task,
               gpointer      source,
               gpointer      data,
               GCancellable *cancellable)
{
  RenderJob *job = data;
  g_autoptr(GError) error = NULL;
  cairo_surface_t *surface;

  g_mutex_lock (&job->file->lock);
  surface = render_page (job, cancellable, &error);
  g_mutex_unlock (&job->file->lock);
  if (surface == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, surface, (GDestroyNotify) cairo_surface_destroy);
}

/* ---- the widget ------------------------------------------------------------ */

struct _DocentSourceViewer {
  GtkWidget parent_instance;

  GtkWidget *content;        /* the template's one child */
  GtkLabel *title_label;
  GtkLabel *page_label;
  GtkLabel *notice_label;
  GtkWidget *page_box;
  GtkWidget *zoom_box;
  GtkStack *stack;
  GtkScrolledWindow *pdf_scroller;
  GtkDrawingArea *page_area;
  GtkTextView *text_view;

  DocentPageView *view;      /* what show() was given; NULL when cleared */
  guint page_no;             /* the page shown: the view's, or one asked for
                              * ahead of show() */
  gboolean pdf_mode;
  double zoom;               /* logical pixels per point */
  gboolean fit_width;
  GHashTable *files;         /* path → PdfFile */
  PdfFile *file;             /* the shown PDF's */

  cairo_surface_t *surface;  /* the rendered page, or NULL */
  PdfFile *surface_file;
  guint surface_page;
  double surface_scale;      /* device pixels per point */

  GCancellable *render_cancellable;  /* of the render in flight, or NULL */
  guint render_page;
  double render_scale;

  gboolean scroll_pending;   /* bring the first rectangle into view once
                              * the page is laid out */
  guint refit_source;
  guint layout_source;
};

enum {
  SIGNAL_PAGE_REQUESTED,
  SIGNAL_CLOSE_REQUESTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (DocentSourceViewer, docent_source_viewer, GTK_TYPE_WIDGET)

static void start_render (DocentSourceViewer *self);

static gboolean
is_current_page (DocentSourceViewer *self)
{
  return self->view != NULL && self->view->page_no == self->page_no;
}

/* The device pixels per point to render at: the zoom at the screen's
 * scale factor, less for huge pages so one render stays bounded. */
static double
wanted_render_scale (DocentSourceViewer *self)
{
  double scale = self->zoom * gtk_widget_get_scale_factor (GTK_WIDGET (self));
  double area = self->view->width * self->view->height;

  if (area > 0 && area * scale * scale > MAX_RENDER_PIXELS)
    scale = sqrt (MAX_RENDER_PIXELS / area);
  return scale;
}

static void
update_actions (DocentSourceViewer *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  guint n_pages = self->view != NULL ? self->view->n_pages : 0;

  gtk_widget_action_set_enabled (widget, "viewer.previous-page",
                                 self->view != NULL && self->page_no > 1);
  gtk_widget_action_set_enabled (widget, "viewer.next-page",
                                 self->view != NULL && self->page_no < n_pages);
  gtk_widget_action_set_enabled (widget, "viewer.zoom-in",
                                 self->pdf_mode && self->zoom < ZOOM_MAX - 1e-6);
  gtk_widget_action_set_enabled (widget, "viewer.zoom-out",
                                 self->pdf_mode && self->zoom > ZOOM_MIN + 1e-6);
  gtk_widget_action_set_enabled (widget, "viewer.zoom-fit",
                                 self->pdf_mode && !self->fit_width);
  gtk_widget_action_set_enabled (widget, "viewer.open-external", self->view != NULL);
  gtk_widget_set_visible (self->zoom_box, self->pdf_mode);
  gtk_widget_set_visible (self->page_box, n_pages > 1);
}

static void
update_labels (DocentSourceViewer *self)
{
  g_autofree char *page = NULL;
  g_autofree char *described = NULL;

  if (self->view == NULL)
    {
      gtk_label_set_text (self->title_label, "");
      gtk_label_set_text (self->page_label, "");
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->title_label), NULL);
      return;
    }
  page = g_strdup_printf ("%u / %u", self->page_no, MAX (self->view->n_pages, 1));
  gtk_label_set_text (self->title_label, self->view->title);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->title_label), self->view->path);
  gtk_label_set_text (self->page_label, page);
  described = g_strdup_printf ("Page %u of %u of %s", self->page_no,
                               MAX (self->view->n_pages, 1), self->view->title);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->page_area),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, described, -1);
}

static void
set_notice (DocentSourceViewer *self,
            const char         *notice)
{
  gtk_label_set_text (self->notice_label, notice != NULL ? notice : "");
  gtk_widget_set_visible (GTK_WIDGET (self->notice_label), notice != NULL);
}

static void
cancel_render (DocentSourceViewer *self)
{
  if (self->render_cancellable != NULL)
    g_cancellable_cancel (self->render_cancellable);
  g_clear_object (&self->render_cancellable);
}

static void
clear_surface (DocentSourceViewer *self)
{
  g_clear_pointer (&self->surface, cairo_surface_destroy);
  g_clear_pointer (&self->surface_file, pdf_file_unref);
}

/* ---- text mode ------------------------------------------------------------- */

static void
show_text (DocentSourceViewer *self,
           const char         *notice)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);
  GtkTextIter start, end;
  GtkTextMark *mark;

  self->pdf_mode = FALSE;
  cancel_render (self);
  gtk_text_buffer_set_text (buffer, self->view->text, -1);
  set_notice (self, notice);
  gtk_stack_set_visible_child_name (self->stack, "text");
  if (self->view->highlighted)
    {
      gtk_text_buffer_get_iter_at_offset (buffer, &start, (int) self->view->highlight_start);
      gtk_text_buffer_get_iter_at_offset (buffer, &end, (int) self->view->highlight_end);
      gtk_text_buffer_apply_tag_by_name (buffer, "highlight", &start, &end);
    }
  else
    gtk_text_buffer_get_start_iter (buffer, &start);
  mark = gtk_text_buffer_get_mark (buffer, "highlight");
  if (mark == NULL)
    mark = gtk_text_buffer_create_mark (buffer, "highlight", &start, TRUE);
  else
    gtk_text_buffer_move_mark (buffer, mark, &start);
  /* waits for the text to be laid out by itself */
  gtk_text_view_scroll_to_mark (self->text_view, mark, 0.0, TRUE, 0.0,
                                self->view->highlighted ? 0.3 : 0.0);
}

/* ---- PDF mode --------------------------------------------------------------- */

/* The cached file for `path`, reopened when the file changed. */
static PdfFile *
lookup_file (DocentSourceViewer *self,
             const char         *path)
{
  GStatBuf st;
  gint64 mtime = g_stat (path, &st) == 0 ? (gint64) st.st_mtime : -1;
  PdfFile *file = g_hash_table_lookup (self->files, path);

  if (file != NULL && file->mtime == mtime)
    return file;
  if (g_hash_table_size (self->files) >= MAX_CACHED_FILES)
    g_hash_table_remove_all (self->files);
  file = pdf_file_new (path, mtime);
  g_hash_table_replace (self->files, file->path, file);
  return file;
}

static double
page_pixels (double points,
             double zoom)
{
  return ceil (points * zoom);
}

static void
update_page_size (DocentSourceViewer *self)
{
  gtk_drawing_area_set_content_width (self->page_area,
                                      (int) page_pixels (self->view->width, self->zoom));
  gtk_drawing_area_set_content_height (self->page_area,
                                       (int) page_pixels (self->view->height, self->zoom));
}

/* Scrolls so the first highlight rectangle is in view, once the scrolled
 * window knows the page's new size. */
static void
apply_pending_scroll (DocentSourceViewer *self)
{
  GtkAdjustment *vadj = gtk_scrolled_window_get_vadjustment (self->pdf_scroller);
  GtkAdjustment *hadj = gtk_scrolled_window_get_hadjustment (self->pdf_scroller);
  double content_height, content_width, y, x, page;
  const DocentBox *first;

  if (!self->scroll_pending || !self->pdf_mode || !is_current_page (self))
    return;
  if (self->view->rects->len == 0)
    {
      self->scroll_pending = FALSE;
      return;
    }
  content_height = page_pixels (self->view->height, self->zoom) + 2 * PAGE_MARGIN;
  content_width = page_pixels (self->view->width, self->zoom) + 2 * PAGE_MARGIN;
  if (gtk_adjustment_get_page_size (vadj) <= 0
      || gtk_adjustment_get_upper (vadj) + 0.5 < content_height
      || gtk_adjustment_get_upper (hadj) + 0.5 < content_width)
    return;                       /* not laid out at this size yet */
  first = &g_array_index (self->view->rects, DocentBox, 0);
  page = gtk_adjustment_get_page_size (vadj);
  y = PAGE_MARGIN + first->y1 * self->zoom - page / 3;
  gtk_adjustment_set_value (vadj, CLAMP (y, 0, gtk_adjustment_get_upper (vadj) - page));
  page = gtk_adjustment_get_page_size (hadj);
  x = PAGE_MARGIN + first->x1 * self->zoom - PAGE_MARGIN * 2;
  if (PAGE_MARGIN + first->x2 * self->zoom > page)
    gtk_adjustment_set_value (hadj, CLAMP (x, 0, gtk_adjustment_get_upper (hadj) - page));
  else
    gtk_adjustment_set_value (hadj, 0);
  self->scroll_pending = FALSE;
}

static void
set_zoom (DocentSourceViewer *self,
          double              zoom)
{
  zoom = CLAMP (zoom, ZOOM_MIN, ZOOM_MAX);
  if (fabs (zoom - self->zoom) < 1e-4)
    return;
  self->zoom = zoom;
  if (self->pdf_mode && self->view != NULL)
    {
      update_page_size (self);
      gtk_widget_queue_draw (GTK_WIDGET (self->page_area));
    }
  update_actions (self);
}

/* The zoom at which the page fills the scrolled window's width, or 0
 * before the window has a width. */
static double
fit_zoom (DocentSourceViewer *self)
{
  GtkAdjustment *hadj = gtk_scrolled_window_get_hadjustment (self->pdf_scroller);
  double available = gtk_adjustment_get_page_size (hadj) - 2 * PAGE_MARGIN;

  if (self->view == NULL || self->view->width <= 0 || available <= 0)
    return 0;
  return available / self->view->width;
}

static gboolean
refit_timeout (gpointer data)
{
  DocentSourceViewer *self = data;

  self->refit_source = 0;
  start_render (self);
  return G_SOURCE_REMOVE;
}

/* After a layout: in fit-width mode the page follows the window's width
 * at once (drawn from the old render, scaled) and is rendered again when
 * resizing pauses; a pending scroll is done once the page has its size. */
static gboolean
after_layout (gpointer data)
{
  DocentSourceViewer *self = data;
  double zoom;

  self->layout_source = 0;
  if (self->fit_width && self->pdf_mode && (zoom = fit_zoom (self)) > 0
      && fabs (CLAMP (zoom, ZOOM_MIN, ZOOM_MAX) - self->zoom) > 1e-3)
    {
      set_zoom (self, zoom);
      if (self->surface != NULL && self->surface_file == self->file
          && self->surface_page == self->page_no)
        {
          g_clear_handle_id (&self->refit_source, g_source_remove);
          self->refit_source = g_timeout_add (REFIT_DELAY_MS, refit_timeout, self);
        }
    }
  if (self->refit_source == 0)
    start_render (self);          /* the first render waits for the width */
  apply_pending_scroll (self);
  return G_SOURCE_REMOVE;
}

/* The scrolled window's adjustments change while it is being allocated,
 * when sizes must not be changed: the work waits for an idle. */
static void
on_adjustment_changed (DocentSourceViewer *self)
{
  if (self->layout_source == 0)
    self->layout_source = g_idle_add (after_layout, self);
}

static void
on_rendered (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  DocentSourceViewer *self = DOCENT_SOURCE_VIEWER (source);
  RenderJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  cairo_surface_t *surface = g_task_propagate_pointer (G_TASK (result), &error);
  g_autofree char *notice = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;                       /* replaced by a newer render, or disposed */
  g_clear_object (&self->render_cancellable);
  if (surface == NULL)
    {
      /* only the page the view belongs to can fall back to its text; a
       * page asked for ahead waits for its show() */
      if (self->view == NULL || !is_current_page (self) || job->page_no != self->page_no)
        return;
      notice = g_strdup_printf (pdf_file_failed (job->file)
                                ? "The PDF cannot be opened (%s); showing its stored text."
                                : "The page cannot be shown (%s); showing its stored text.",
                                error->message);
      show_text (self, notice);
      update_actions (self);
      return;
    }
  g_debug ("rendered page %u of %s at %.2f px/pt: %dx%d", job->page_no, job->file->path,
           job->scale, cairo_image_surface_get_width (surface),
           cairo_image_surface_get_height (surface));
  clear_surface (self);
  self->surface = surface;
  self->surface_file = pdf_file_ref (job->file);
  self->surface_page = job->page_no;
  self->surface_scale = job->scale;
  gtk_widget_queue_draw (GTK_WIDGET (self->page_area));
  apply_pending_scroll (self);
}

/* Renders the shown page at the wanted scale unless that is what is shown
 * or being rendered already; a render for anything else is cancelled. */
static void
start_render (DocentSourceViewer *self)
{
  g_autoptr(GTask) task = NULL;
  RenderJob *job;
  double scale;

  if (!self->pdf_mode || self->view == NULL || self->file == NULL)
    return;
  scale = wanted_render_scale (self);
  if (self->surface != NULL && self->surface_file == self->file
      && self->surface_page == self->page_no && fabs (self->surface_scale - scale) < 1e-3)
    {
      cancel_render (self);
      return;
    }
  if (self->render_cancellable != NULL && self->render_page == self->page_no
      && fabs (self->render_scale - scale) < 1e-3)
    return;
  cancel_render (self);
  self->render_cancellable = g_cancellable_new ();
  self->render_page = self->page_no;
  self->render_scale = scale;
  job = g_new0 (RenderJob, 1);
  job->file = pdf_file_ref (self->file);
  job->page_no = self->page_no;
  job->scale = scale;
  task = g_task_new (self, self->render_cancellable, on_rendered, NULL);
  g_task_set_source_tag (task, start_render);
  g_task_set_task_data (task, job, (GDestroyNotify) render_job_free);
  g_task_run_in_thread (task, render_thread);
}

static void
show_pdf (DocentSourceViewer *self,
          PdfFile            *file)
{
  double zoom;

  if (self->file != file)
    {
      g_clear_pointer (&self->file, pdf_file_unref);
      self->file = pdf_file_ref (file);
    }
  if (self->surface_file != file)
    clear_surface (self);           /* another document's page */
  self->pdf_mode = TRUE;
  set_notice (self, NULL);
  gtk_stack_set_visible_child_name (self->stack, "pdf");
  if (self->fit_width && (zoom = fit_zoom (self)) > 0)
    self->zoom = CLAMP (zoom, ZOOM_MIN, ZOOM_MAX);
  update_page_size (self);
  gtk_widget_queue_draw (GTK_WIDGET (self->page_area));
  /* fitting a width not known yet: after_layout() renders */
  if (!self->fit_width || fit_zoom (self) > 0)
    start_render (self);
  self->scroll_pending = TRUE;
  apply_pending_scroll (self);
}

/* A PDF is drawn from its file when its page has a size and, if a passage
 * was found, rectangles for it (else only the text can show where it is). */
static gboolean
wants_pdf (const DocentPageView *view)
{
  return g_strcmp0 (view->type, "pdf") == 0 && view->width > 0 && view->height > 0
         && view->path != NULL && (!view->highlighted || view->rects->len > 0);
}

static void
draw_page (GtkDrawingArea *area,
           cairo_t        *cr,
           int             width,
           int             height,
           gpointer        data)
{
  DocentSourceViewer *self = data;

  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  if (self->surface != NULL)
    {
      double f = self->zoom / self->surface_scale;

      cairo_save (cr);
      cairo_scale (cr, f, f);
      cairo_set_source_surface (cr, self->surface, 0, 0);
      cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_GOOD);
      cairo_paint (cr);
      cairo_restore (cr);
    }
  if (self->pdf_mode && is_current_page (self))
    {
      /* multiplied, so the text under the highlight stays black */
      cairo_save (cr);
      cairo_set_operator (cr, CAIRO_OPERATOR_MULTIPLY);
      cairo_set_source_rgba (cr, 0xf6 / 255.0, 0xd3 / 255.0, 0x2d / 255.0, 0.6);
      for (guint i = 0; i < self->view->rects->len; i++)
        {
          const DocentBox *b = &g_array_index (self->view->rects, DocentBox, i);

          cairo_rectangle (cr, b->x1 * self->zoom - 1, b->y1 * self->zoom - 1,
                           (b->x2 - b->x1) * self->zoom + 2, (b->y2 - b->y1) * self->zoom + 2);
        }
      cairo_fill (cr);
      cairo_restore (cr);
    }
  cairo_set_source_rgba (cr, 0, 0, 0, 0.2);
  cairo_set_line_width (cr, 1);
  cairo_rectangle (cr, 0.5, 0.5, width - 1, height - 1);
  cairo_stroke (cr);
}

/* ---- navigation and actions ------------------------------------------------ */

static gboolean
go_to_page (DocentSourceViewer *self,
            guint               page_no)
{
  if (self->view == NULL || page_no < 1 || page_no > self->view->n_pages
      || page_no == self->page_no)
    return FALSE;
  self->page_no = page_no;
  /* a PDF page can be drawn from the file at once; its highlight (and any
   * other format's text) comes with show() */
  start_render (self);
  gtk_widget_queue_draw (GTK_WIDGET (self->page_area));
  update_labels (self);
  update_actions (self);
  g_signal_emit (self, signals[SIGNAL_PAGE_REQUESTED], 0, self->view->document_id, page_no);
  return TRUE;
}

static gboolean
previous_page (GtkWidget *widget,
               GVariant  *args,
               gpointer   data)
{
  DocentSourceViewer *self = DOCENT_SOURCE_VIEWER (widget);

  return go_to_page (self, self->page_no - 1);
}

static gboolean
next_page (GtkWidget *widget,
           GVariant  *args,
           gpointer   data)
{
  DocentSourceViewer *self = DOCENT_SOURCE_VIEWER (widget);

  return go_to_page (self, self->page_no + 1);
}

static gboolean
zoom_by (DocentSourceViewer *self,
         double              factor)
{
  double before = self->zoom;

  if (!self->pdf_mode)
    return FALSE;
  self->fit_width = FALSE;
  set_zoom (self, self->zoom * factor);
  start_render (self);
  update_actions (self);
  return fabs (self->zoom - before) > 1e-6;
}

static gboolean
zoom_in (GtkWidget *widget,
         GVariant  *args,
         gpointer   data)
{
  return zoom_by (DOCENT_SOURCE_VIEWER (widget), ZOOM_STEP);
}

static gboolean
zoom_out (GtkWidget *widget,
          GVariant  *args,
          gpointer   data)
{
  return zoom_by (DOCENT_SOURCE_VIEWER (widget), 1 / ZOOM_STEP);
}

static gboolean
zoom_fit (GtkWidget *widget,
          GVariant  *args,
          gpointer   data)
{
  DocentSourceViewer *self = DOCENT_SOURCE_VIEWER (widget);
  double zoom;

  if (!self->pdf_mode)
    return FALSE;
  self->fit_width = TRUE;
  if ((zoom = fit_zoom (self)) > 0)
    set_zoom (self, zoom);
  start_render (self);
  update_actions (self);
  return TRUE;
}

static void
action_activated (GtkWidget  *widget,
                  const char *name,
                  GVariant   *parameter)
{
  if (g_str_equal (name, "viewer.previous-page"))
    previous_page (widget, NULL, NULL);
  else if (g_str_equal (name, "viewer.next-page"))
    next_page (widget, NULL, NULL);
  else if (g_str_equal (name, "viewer.zoom-in"))
    zoom_in (widget, NULL, NULL);
  else if (g_str_equal (name, "viewer.zoom-out"))
    zoom_out (widget, NULL, NULL);
  else if (g_str_equal (name, "viewer.zoom-fit"))
    zoom_fit (widget, NULL, NULL);
}

static void
open_external (GtkWidget  *widget,
               const char *name,
               GVariant   *parameter)
{
  DocentSourceViewer *self = DOCENT_SOURCE_VIEWER (widget);
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;
  GtkRoot *root;

  if (self->view == NULL)
    return;
  uri = g_filename_to_uri (self->view->path, NULL, &error);
  if (uri == NULL)
    {
      set_notice (self, error->message);
      return;
    }
  root = gtk_widget_get_root (widget);
  gtk_show_uri (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, uri, GDK_CURRENT_TIME);
}

static void
close_activated (GtkWidget  *widget,
                 const char *name,
                 GVariant   *parameter)
{
  g_signal_emit (widget, signals[SIGNAL_CLOSE_REQUESTED], 0);
}

static void
add_shortcut (GtkShortcutController *controller,
              const char            *trigger,
              GtkShortcutFunc        func)
{
  GtkShortcutTrigger *parsed = gtk_shortcut_trigger_parse_string (trigger);

  g_return_if_fail (parsed != NULL);
  gtk_shortcut_controller_add_shortcut (controller,
    gtk_shortcut_new (parsed, gtk_callback_action_new (func, NULL, NULL)));
}

/* Paging keys are taken before the scrolled windows see them (capture);
 * a key that cannot page (first or last page, one-page text) goes on to
 * scroll as usual. */
static void
add_key_shortcuts (DocentSourceViewer *self)
{
  GtkEventController *controller = gtk_shortcut_controller_new ();
  GtkShortcutController *shortcuts = GTK_SHORTCUT_CONTROLLER (controller);

  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  add_shortcut (shortcuts, "Page_Up|Left", previous_page);
  add_shortcut (shortcuts, "Page_Down|Right", next_page);
  add_shortcut (shortcuts, "<Control>plus|<Control>equal|<Control>KP_Add", zoom_in);
  add_shortcut (shortcuts, "<Control>minus|<Control>KP_Subtract", zoom_out);
  add_shortcut (shortcuts, "<Control>0|<Control>KP_0", zoom_fit);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);
}

static void
on_page_clicked (GtkGestureClick *gesture,
                 int              n_press,
                 double           x,
                 double           y,
                 gpointer         data)
{
  DocentSourceViewer *self = data;

  gtk_widget_grab_focus (GTK_WIDGET (self->page_area));
}

static void
on_scale_factor_changed (DocentSourceViewer *self)
{
  start_render (self);
}

/* ---- GObject ---------------------------------------------------------------- */

static void
docent_source_viewer_dispose (GObject *object)
{
  DocentSourceViewer *self = DOCENT_SOURCE_VIEWER (object);

  cancel_render (self);
  g_clear_handle_id (&self->refit_source, g_source_remove);
  g_clear_handle_id (&self->layout_source, g_source_remove);
  clear_surface (self);
  g_clear_pointer (&self->file, pdf_file_unref);
  g_clear_pointer (&self->files, g_hash_table_unref);
  g_clear_pointer (&self->view, docent_page_view_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), DOCENT_TYPE_SOURCE_VIEWER);
  G_OBJECT_CLASS (docent_source_viewer_parent_class)->dispose (object);
}

static void
docent_source_viewer_class_init (DocentSourceViewerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = docent_source_viewer_dispose;

  signals[SIGNAL_PAGE_REQUESTED] =
    g_signal_new ("page-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_UINT);
  signals[SIGNAL_CLOSE_REQUESTED] =
    g_signal_new ("close-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_install_action (widget_class, "viewer.previous-page", NULL, action_activated);
  gtk_widget_class_install_action (widget_class, "viewer.next-page", NULL, action_activated);
  gtk_widget_class_install_action (widget_class, "viewer.zoom-in", NULL, action_activated);
  gtk_widget_class_install_action (widget_class, "viewer.zoom-out", NULL, action_activated);
  gtk_widget_class_install_action (widget_class, "viewer.zoom-fit", NULL, action_activated);
  gtk_widget_class_install_action (widget_class, "viewer.open-external", NULL, open_external);
  gtk_widget_class_install_action (widget_class, "viewer.close", NULL, close_activated);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/docent/Docent/ui/source-viewer.ui");
  gtk_widget_class_bind_template_child (widget_class, DocentSourceViewer, content);
  gtk_widget_class_bind_template_child (widget_class, DocentSourceViewer, title_label);
  gtk_widget_class_bind_template_child (widget_class, DocentSourceViewer, page_label);
  gtk_widget_class_bind_template_child (widget_class, DocentSourceViewer, notice_label);
  gtk_widget_class_bind_template_child (widget_class, DocentSourceViewer, page_box);
  gtk_widget_class_bind_template_child (widget_class, DocentSourceViewer, zoom_box);
  gtk_widget_class_bind_template_child (widget_class, DocentSourceViewer, stack);
  gtk_widget_class_bind_template_child (widget_class, DocentSourceViewer, pdf_scroller);
  gtk_widget_class_bind_template_child (widget_class, DocentSourceViewer, page_area);
  gtk_widget_class_bind_template_child (widget_class, DocentSourceViewer, text_view);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "sourceviewer");
}

static void
docent_source_viewer_init (DocentSourceViewer *self)
{
  GtkGesture *click = gtk_gesture_click_new ();
  GtkTextBuffer *buffer;
  GdkRGBA highlight = { 0xf6 / 255.0f, 0xd3 / 255.0f, 0x2d / 255.0f, 0.55f };

  gtk_widget_init_template (GTK_WIDGET (self));
  self->zoom = 1.0;
  self->fit_width = TRUE;
  self->files = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                       (GDestroyNotify) pdf_file_unref);
  buffer = gtk_text_view_get_buffer (self->text_view);
  gtk_text_buffer_create_tag (buffer, "highlight", "background-rgba", &highlight, NULL);
  gtk_drawing_area_set_draw_func (self->page_area, draw_page, self, NULL);
  g_signal_connect (click, "pressed", G_CALLBACK (on_page_clicked), self);
  gtk_widget_add_controller (GTK_WIDGET (self->page_area), GTK_EVENT_CONTROLLER (click));
  g_signal_connect_object (gtk_scrolled_window_get_hadjustment (self->pdf_scroller), "changed",
                           G_CALLBACK (on_adjustment_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (gtk_scrolled_window_get_vadjustment (self->pdf_scroller), "changed",
                           G_CALLBACK (on_adjustment_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect (self, "notify::scale-factor", G_CALLBACK (on_scale_factor_changed), NULL);
  add_key_shortcuts (self);
  update_actions (self);
}

GtkWidget *
docent_source_viewer_new (void)
{
  return g_object_new (DOCENT_TYPE_SOURCE_VIEWER, NULL);
}

void
docent_source_viewer_show (DocentSourceViewer   *self,
                           const DocentPageView *view)
{
  PdfFile *file = NULL;
  g_autofree char *notice = NULL;

  g_return_if_fail (DOCENT_IS_SOURCE_VIEWER (self));
  g_return_if_fail (view != NULL);

  g_clear_pointer (&self->view, docent_page_view_free);
  self->view = docent_page_view_copy (view);
  self->page_no = view->page_no;
  update_labels (self);
  if (wants_pdf (self->view))
    {
      file = lookup_file (self, self->view->path);
      if (pdf_file_failed (file))
        notice = g_strdup_printf ("The PDF cannot be opened (%s); showing its stored text.",
                                  file->error);
    }
  if (file != NULL && notice == NULL)
    show_pdf (self, file);
  else
    show_text (self, notice);
  update_actions (self);
}

void
docent_source_viewer_clear (DocentSourceViewer *self)
{
  g_return_if_fail (DOCENT_IS_SOURCE_VIEWER (self));

  cancel_render (self);
  clear_surface (self);
  g_clear_pointer (&self->view, docent_page_view_free);
  self->page_no = 0;
  self->pdf_mode = FALSE;
  self->scroll_pending = FALSE;
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->text_view), "", 0);
  set_notice (self, NULL);
  gtk_stack_set_visible_child_name (self->stack, "empty");
  update_labels (self);
  update_actions (self);
}

gint64
docent_source_viewer_get_document_id (DocentSourceViewer *self)
{
  g_return_val_if_fail (DOCENT_IS_SOURCE_VIEWER (self), 0);
  return self->view != NULL ? self->view->document_id : 0;
}

guint
docent_source_viewer_get_page (DocentSourceViewer *self)
{
  g_return_val_if_fail (DOCENT_IS_SOURCE_VIEWER (self), 0);
  return self->page_no;
}

guint
docent_source_viewer_get_n_highlights (DocentSourceViewer *self)
{
  g_return_val_if_fail (DOCENT_IS_SOURCE_VIEWER (self), 0);
  if (self->view == NULL || !is_current_page (self) || !self->view->highlighted)
    return 0;
  return self->pdf_mode ? self->view->rects->len : 1;
}

const char *
docent_source_viewer_get_mode (DocentSourceViewer *self)
{
  g_return_val_if_fail (DOCENT_IS_SOURCE_VIEWER (self), NULL);
  return gtk_stack_get_visible_child_name (self->stack);
}

gboolean
docent_source_viewer_is_ready (DocentSourceViewer *self)
{
  g_return_val_if_fail (DOCENT_IS_SOURCE_VIEWER (self), FALSE);
  if (!self->pdf_mode)
    return TRUE;
  return self->render_cancellable == NULL && self->surface != NULL
         && self->surface_page == self->page_no;
}

double
docent_source_viewer_get_zoom (DocentSourceViewer *self)
{
  g_return_val_if_fail (DOCENT_IS_SOURCE_VIEWER (self), 1.0);
  return self->zoom;
}
