/* preferences-window.c — DocentPreferencesWindow: the models of the library
 * (add, choose, remove), the answer settings, a remote server, which
 * library opens at start, and the watched folders (add, remove). Built
 * from resources/ui/preferences-window.ui.
 *
 * The window never touches docent.ini on the main thread: every change is
 * an "edit" run by a GTask thread (load the settings, change them, save),
 * one at a time in the order made, so two quick changes cannot overwrite
 * each other. Each edit hands back a snapshot of the settings, which the
 * window shows; then the service is told the settings changed. Adding a
 * model hashes the whole file, which takes seconds for a large one: a
 * spinner row stands in for it meanwhile. Spin buttons are saved a moment
 * after the last change, not on every click. */
#include "ui/preferences-window.h"

#include "app/settings.h"

#define DEBOUNCE_MS 300

typedef enum {
  EDIT_LOAD,            /* nothing to change: just a snapshot */
  EDIT_VALUES,          /* settings by name (docent_settings_set_value) */
  EDIT_ADD_MODEL,
  EDIT_REMOVE_MODEL,
  EDIT_USE,             /* arg: model id, NULL: none */
  EDIT_LOCATION,        /* arg: folder, NULL: the default */
  EDIT_WATCH,           /* arg: a folder to watch */
  EDIT_UNWATCH,         /* arg: a folder to watch no more */
} EditKind;

typedef struct {
  EditKind kind;
  char *dir;                      /* the library folder */
  GStrv values;                   /* EDIT_VALUES: name, value, name, value, ... */
  char *arg;
  DocentModelRole role;           /* EDIT_USE */
  DocentLibraryService *service;  /* told about saved changes, even after
                                   * the window is gone */
} Edit;

/* What a model row shows. */
typedef struct {
  char *id;
  char *architecture;
  char *file_type;
  guint64 size;
  guint n_ctx;
  DocentModelRole role;
} ModelInfo;

/* The settings as an edit left them. */
typedef struct {
  GPtrArray *models;              /* ModelInfo* */
  char *use[2];                   /* per DocentModelRole */
  GHashTable *values;             /* setting name → value text */
  char *location;                 /* the pointer file's folder, or NULL */
  GStrv watched;                  /* the watched folders */
  char *message;                  /* for a toast, or NULL */
  gboolean failed;                /* the edit was refused (message says why) */
  gboolean saved;                 /* docent.ini was written */
} Snapshot;

struct _DocentPreferencesWindow {
  AdwPreferencesWindow parent_instance;

  AdwComboRow *chat_row;
  AdwComboRow *embedding_row;
  AdwPreferencesGroup *models_group;
  GtkButton *add_button;
  AdwActionRow *loading_row;
  GtkSpinner *loading_spinner;
  AdwActionRow *no_models_row;
  GtkSpinButton *k_spin;
  GtkSpinButton *max_tokens_spin;
  GtkSpinButton *temperature_spin;
  GtkSpinButton *threads_spin;
  GtkSpinButton *context_spin;
  AdwExpanderRow *remote_row;
  AdwEntryRow *remote_url_row;
  AdwEntryRow *remote_model_row;
  AdwEntryRow *remote_key_row;
  AdwActionRow *open_row;
  AdwActionRow *location_row;
  GtkButton *reset_location_button;
  AdwPreferencesGroup *watched_group;
  AdwActionRow *no_watched_row;

  DocentLibraryService *service;
  char *dir;
  GPtrArray *model_rows;          /* GtkWidget* rows made for models */
  GPtrArray *watched_rows;        /* GtkWidget* rows made for watched folders */
  GPtrArray *choices[2];          /* per role: model ids behind the combo
                                   * row's items after "None" */
  GQueue edits;                   /* Edit*, waiting their turn */
  gboolean editing;               /* an edit is running */
  gboolean loaded;                /* the first snapshot was shown */
  gboolean updating;              /* showing a snapshot: not the user */
  gboolean disposed;
  guint adding;                   /* model files being read */
  GHashTable *pending;            /* name → value, waiting for the debounce */
  guint debounce_id;
  GtkNativeDialog *chooser;
};

G_DEFINE_FINAL_TYPE (DocentPreferencesWindow, docent_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

/* The spin buttons and the settings they edit. */
static const struct {
  gsize offset;
  const char *name;
} spins[] = {
  { G_STRUCT_OFFSET (DocentPreferencesWindow, k_spin), "answer.retrieval_k" },
  { G_STRUCT_OFFSET (DocentPreferencesWindow, max_tokens_spin), "answer.max_tokens" },
  { G_STRUCT_OFFSET (DocentPreferencesWindow, temperature_spin), "answer.temperature" },
  { G_STRUCT_OFFSET (DocentPreferencesWindow, threads_spin), "answer.threads" },
  { G_STRUCT_OFFSET (DocentPreferencesWindow, context_spin), "answer.context_size" },
};

static GtkSpinButton *
spin_at (DocentPreferencesWindow *self,
         guint                    i)
{
  return G_STRUCT_MEMBER (GtkSpinButton *, self, spins[i].offset);
}

/* ---- edits and snapshots (plain data, any thread) ------------------------ */

static void
edit_free (Edit *edit)
{
  g_free (edit->dir);
  g_strfreev (edit->values);
  g_free (edit->arg);
  g_clear_object (&edit->service);
  g_free (edit);
}

static void
model_info_free (ModelInfo *info)
{
  g_free (info->id);
  g_free (info->architecture);
  g_free (info->file_type);
  g_free (info);
}

static void
snapshot_free (Snapshot *snapshot)
{
  g_ptr_array_unref (snapshot->models);
  g_free (snapshot->use[0]);
  g_free (snapshot->use[1]);
  g_hash_table_unref (snapshot->values);
  g_free (snapshot->location);
  g_strfreev (snapshot->watched);
  g_free (snapshot->message);
  g_free (snapshot);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Edit, edit_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Snapshot, snapshot_free)

static Snapshot *
snapshot_new (void)
{
  Snapshot *snapshot = g_new0 (Snapshot, 1);

  snapshot->models = g_ptr_array_new_with_free_func ((GDestroyNotify) model_info_free);
  snapshot->values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return snapshot;
}

static void
snapshot_fill (Snapshot       *snapshot,
               DocentSettings *settings)
{
  GPtrArray *models = docent_settings_models (settings);
  const char *const *names = docent_settings_names ();

  for (guint i = 0; i < models->len; i++)
    {
      const DocentModelEntry *entry = g_ptr_array_index (models, i);
      ModelInfo *info = g_new0 (ModelInfo, 1);

      info->id = g_strdup (entry->id);
      info->architecture = g_strdup (entry->architecture);
      info->file_type = g_strdup (entry->file_type);
      info->size = entry->size;
      info->n_ctx = entry->n_ctx;
      info->role = entry->role;
      g_ptr_array_add (snapshot->models, info);
    }
  for (guint r = 0; r < G_N_ELEMENTS (snapshot->use); r++)
    {
      const DocentModelEntry *entry = docent_settings_current (settings, (DocentModelRole) r);

      snapshot->use[r] = entry != NULL ? g_strdup (entry->id) : NULL;
    }
  for (guint i = 0; names[i] != NULL; i++)
    g_hash_table_insert (snapshot->values, g_strdup (names[i]),
                         docent_settings_get_value (settings, names[i], NULL));
  snapshot->location = docent_settings_get_default_library_dir ();
  snapshot->watched = docent_settings_get_watched_folders (settings);
}

static const char *
role_noun (DocentModelRole role)
{
  return role == DOCENT_MODEL_ROLE_CHAT ? "chat model" : "embedding model";
}

/* Registers the file; the first model of its role is put to use at once
 * (someone adding a chat model wants answers from it). */
static gboolean
edit_add_model (DocentSettings  *settings,
                const Edit      *edit,
                Snapshot        *snapshot,
                GError         **error)
{
  const DocentModelEntry *entry = docent_settings_add_model (settings, edit->arg, error);

  if (entry == NULL)
    return FALSE;
  if (docent_settings_current (settings, entry->role) == NULL)
    {
      if (!docent_settings_use (settings, entry->role, entry->id, error))
        return FALSE;
      snapshot->message = g_strdup_printf ("Added “%s” as the %s", entry->id,
                                           role_noun (entry->role));
    }
  else
    snapshot->message = g_strdup_printf ("Added “%s”", entry->id);
  return TRUE;
}

static gboolean
edit_values (DocentSettings  *settings,
             const Edit      *edit,
             GError         **error)
{
  for (guint i = 0; edit->values[i] != NULL && edit->values[i + 1] != NULL; i += 2)
    if (!docent_settings_set_value (settings, edit->values[i], edit->values[i + 1], error))
      return FALSE;
  return TRUE;
}

/* Adds or removes one watched folder; the settings check the folder. */
static gboolean
edit_watched (DocentSettings  *settings,
              const Edit      *edit,
              Snapshot        *snapshot,
              GError         **error)
{
  g_auto(GStrv) folders = docent_settings_get_watched_folders (settings);
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  g_auto(GStrv) changed = NULL;
  g_autofree char *name = g_filename_display_basename (edit->arg);

  for (guint i = 0; folders[i] != NULL; i++)
    if (g_strcmp0 (folders[i], edit->arg) != 0)
      g_strv_builder_add (b, folders[i]);
  if (edit->kind == EDIT_WATCH)
    g_strv_builder_add (b, edit->arg);
  changed = g_strv_builder_end (b);
  if (!docent_settings_set_watched_folders (settings, (const char *const *) changed, error))
    return FALSE;
  snapshot->message = edit->kind == EDIT_WATCH
                      ? g_strdup_printf ("Watching “%s”: its documents are being added", name)
                      : g_strdup_printf ("No longer watching “%s” (its documents stay in the library)",
                                         name);
  return TRUE;
}

/* Changes `settings` as the edit says; FALSE when nothing is to be saved. */
static gboolean
apply_edit (DocentSettings  *settings,
            const Edit      *edit,
            Snapshot        *snapshot,
            GError         **error)
{
  switch (edit->kind)
    {
    case EDIT_VALUES:
      return edit_values (settings, edit, error);
    case EDIT_ADD_MODEL:
      return edit_add_model (settings, edit, snapshot, error);
    case EDIT_REMOVE_MODEL:
      if (!docent_settings_remove_model (settings, edit->arg, error))
        return FALSE;
      snapshot->message = g_strdup_printf ("Removed “%s” (the file was not deleted)", edit->arg);
      return TRUE;
    case EDIT_USE:
      return docent_settings_use (settings, edit->role, edit->arg, error);
    case EDIT_LOCATION:
      if (!docent_settings_set_default_library_dir (edit->arg, error))
        return FALSE;
      snapshot->message = g_strdup ("The new location is used the next time Docent starts");
      return FALSE;
    case EDIT_WATCH:
    case EDIT_UNWATCH:
      return edit_watched (settings, edit, snapshot, error);
    case EDIT_LOAD:
    default:
      return FALSE;
    }
}

static void
edit_thread (GTask        *task,
             gpointer      source,
             gpointer      data,
             GCancellable *cancellable)
{
  const Edit *edit = data;
  g_autoptr(Snapshot) snapshot = snapshot_new ();
  g_autoptr(DocentSettings) settings = NULL;
  g_autoptr(GError) error = NULL;
  gboolean changed;

  settings = docent_settings_load (edit->dir, &error);
  if (settings == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  changed = apply_edit (settings, edit, snapshot, &error);
  if (changed && !docent_settings_save (settings, &error))
    changed = FALSE;
  if (error != NULL)
    {
      /* Show what is saved, not the refused change. */
      g_clear_pointer (&settings, docent_settings_free);
      settings = docent_settings_load (edit->dir, NULL);
      snapshot->failed = TRUE;
      g_free (snapshot->message);
      snapshot->message = edit->kind == EDIT_ADD_MODEL
                          ? g_strdup_printf ("Could not add the model: %s", error->message)
                          : g_strdup (error->message);
    }
  snapshot->saved = changed;
  if (settings != NULL)
    snapshot_fill (snapshot, settings);
  g_task_return_pointer (task, g_steal_pointer (&snapshot), (GDestroyNotify) snapshot_free);
}

/* ---- showing a snapshot --------------------------------------------------- */

/* Toast titles are markup (libadwaita 1.2): a file name with "&" or "<"
 * must not be read as a tag. */
static void
toast (DocentPreferencesWindow *self,
       const char              *text)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);
  AdwToast *t = adw_toast_new (escaped);

  adw_toast_set_timeout (t, 5);
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), t);
}

static void on_remove_clicked (GtkButton *button, DocentPreferencesWindow *self);

/* "qwen2 · Q4_K_M · 397.8 MB · 32768-token context · chat model, in use" */
static char *
model_subtitle (const ModelInfo *info,
                gboolean         in_use)
{
  g_autoptr(GString) s = g_string_new (info->architecture);
  g_autofree char *size = g_format_size (info->size);

  if (info->file_type != NULL)
    g_string_append_printf (s, " · %s", info->file_type);
  g_string_append_printf (s, " · %s", size);
  if (info->n_ctx > 0)
    g_string_append_printf (s, " · %u-token context", info->n_ctx);
  g_string_append_printf (s, " · %s%s", role_noun (info->role), in_use ? ", in use" : "");
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static GtkWidget *
model_row_new (DocentPreferencesWindow *self,
               const ModelInfo         *info,
               gboolean                 in_use)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *remove = gtk_button_new_with_label ("Remove");
  g_autofree char *subtitle = model_subtitle (info, in_use);

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), info->id);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (remove, "Stop using this model file in this library");
  g_object_set_data_full (G_OBJECT (remove), "model-id", g_strdup (info->id), g_free);
  g_signal_connect (remove, "clicked", G_CALLBACK (on_remove_clicked), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove);
  return row;
}

static void
show_models (DocentPreferencesWindow *self,
             const Snapshot          *snapshot)
{
  for (guint i = 0; i < self->model_rows->len; i++)
    adw_preferences_group_remove (self->models_group, self->model_rows->pdata[i]);
  g_ptr_array_set_size (self->model_rows, 0);
  for (guint i = 0; i < snapshot->models->len; i++)
    {
      const ModelInfo *info = g_ptr_array_index (snapshot->models, i);
      GtkWidget *row = model_row_new (self, info, g_strcmp0 (snapshot->use[info->role], info->id) == 0);

      adw_preferences_group_add (self->models_group, row);
      g_ptr_array_add (self->model_rows, row);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->no_models_row),
                          snapshot->models->len == 0 && self->adding == 0);
}

/* One combo row: "None — …" and the models of its role. */
static void
show_choice (DocentPreferencesWindow *self,
             const Snapshot          *snapshot,
             DocentModelRole          role)
{
  AdwComboRow *row = role == DOCENT_MODEL_ROLE_CHAT ? self->chat_row : self->embedding_row;
  g_autoptr(GtkStringList) items = gtk_string_list_new (NULL);
  GPtrArray *ids = self->choices[role];
  guint selected = 0;

  g_ptr_array_set_size (ids, 0);
  gtk_string_list_append (items, role == DOCENT_MODEL_ROLE_CHAT
                                 ? "None — quote the documents (extractive)"
                                 : "None — search by words only");
  for (guint i = 0; i < snapshot->models->len; i++)
    {
      const ModelInfo *info = g_ptr_array_index (snapshot->models, i);

      if (info->role != role)
        continue;
      g_ptr_array_add (ids, g_strdup (info->id));
      gtk_string_list_append (items, info->id);
      if (g_strcmp0 (snapshot->use[role], info->id) == 0)
        selected = ids->len;
    }
  adw_combo_row_set_model (row, G_LIST_MODEL (items));
  adw_combo_row_set_selected (row, selected);
}

static void
show_numbers (DocentPreferencesWindow *self,
              const Snapshot          *snapshot)
{
  for (guint i = 0; i < G_N_ELEMENTS (spins); i++)
    {
      const char *text = g_hash_table_lookup (snapshot->values, spins[i].name);

      if (text != NULL && !g_hash_table_contains (self->pending, spins[i].name))
        gtk_spin_button_set_value (spin_at (self, i), g_ascii_strtod (text, NULL));
    }
}

/* The entries keep what the user typed except on the first showing: a
 * snapshot arriving while they type in another entry must not wipe it. */
static void
show_remote (DocentPreferencesWindow *self,
             const Snapshot          *snapshot)
{
  GHashTable *v = snapshot->values;
  const char *url = g_hash_table_lookup (v, "remote.url");
  gboolean enabled = g_strcmp0 (g_hash_table_lookup (v, "remote.enabled"), "true") == 0;

  adw_expander_row_set_enable_expansion (self->remote_row, enabled);
  /* Says whether questions leave this computer, without opening the row. */
  adw_expander_row_set_subtitle (self->remote_row,
                                 !enabled ? "Off: answers are written on this computer"
                                 : url != NULL && *url != '\0' ? url
                                 : "No server URL yet: answers are written on this computer");
  if (self->loaded)
    return;
  gtk_editable_set_text (GTK_EDITABLE (self->remote_url_row), g_hash_table_lookup (v, "remote.url"));
  gtk_editable_set_text (GTK_EDITABLE (self->remote_model_row),
                         g_hash_table_lookup (v, "remote.model"));
  gtk_editable_set_text (GTK_EDITABLE (self->remote_key_row),
                         g_hash_table_lookup (v, "remote.api_key"));
}

#define SET_STR(var, value) G_STMT_START { char *v_ = (value); g_free (var); (var) = v_; } G_STMT_END

static char *
default_location (void)
{
  return g_build_filename (g_get_user_data_dir (), "docent", NULL);
}

static void
show_location (DocentPreferencesWindow *self,
               const Snapshot          *snapshot)
{
  g_autofree char *fallback = default_location ();
  g_autofree char *text = NULL;
  const char *env = g_getenv ("DOCENT_LIBRARY");

  adw_action_row_set_subtitle (self->open_row, self->dir != NULL ? self->dir : "");
  if (snapshot->location != NULL)
    text = g_strdup (snapshot->location);
  else
    text = g_strdup_printf ("%s (the default)", fallback);
  /* Said here, or the choice would seem to be ignored. */
  if (env != NULL && *env != '\0')
    SET_STR (text, g_strdup_printf ("%s — but $DOCENT_LIBRARY names %s, which wins", text, env));
  adw_action_row_set_subtitle (self->location_row, text);
  gtk_widget_set_sensitive (GTK_WIDGET (self->reset_location_button), snapshot->location != NULL);
}

static void on_unwatch_clicked (GtkButton *button, DocentPreferencesWindow *self);

static GtkWidget *
watched_row_new (DocentPreferencesWindow *self,
                 const char              *folder)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *remove = gtk_button_new_from_icon_name ("list-remove-symbolic");
  g_autofree char *shown = g_filename_display_name (folder);
  g_autofree char *name = g_filename_display_basename (folder);
  g_autofree char *label = g_strdup_printf ("Stop watching %s", name);

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), shown);
  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (remove, "flat");
  gtk_widget_set_tooltip_text (remove, "Stop watching this folder (its documents stay)");
  /* An icon says nothing to a screen reader. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  g_object_set_data_full (G_OBJECT (remove), "folder", g_strdup (folder), g_free);
  g_signal_connect (remove, "clicked", G_CALLBACK (on_unwatch_clicked), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove);
  return row;
}

static void
show_watched (DocentPreferencesWindow *self,
              const Snapshot          *snapshot)
{
  for (guint i = 0; i < self->watched_rows->len; i++)
    adw_preferences_group_remove (self->watched_group, self->watched_rows->pdata[i]);
  g_ptr_array_set_size (self->watched_rows, 0);
  for (guint i = 0; snapshot->watched != NULL && snapshot->watched[i] != NULL; i++)
    {
      GtkWidget *row = watched_row_new (self, snapshot->watched[i]);

      adw_preferences_group_add (self->watched_group, row);
      g_ptr_array_add (self->watched_rows, row);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->no_watched_row), self->watched_rows->len == 0);
}

static void
show_snapshot (DocentPreferencesWindow *self,
               const Snapshot          *snapshot)
{
  self->updating = TRUE;
  show_models (self, snapshot);
  show_choice (self, snapshot, DOCENT_MODEL_ROLE_CHAT);
  show_choice (self, snapshot, DOCENT_MODEL_ROLE_EMBEDDER);
  show_numbers (self, snapshot);
  show_remote (self, snapshot);
  show_location (self, snapshot);
  show_watched (self, snapshot);
  self->loaded = TRUE;
  self->updating = FALSE;
}

/* ---- running edits one at a time ----------------------------------------- */

static void run_next_edit (DocentPreferencesWindow *self);

static gboolean
edit_sets (const Edit *edit,
           const char *name)
{
  if (edit->kind != EDIT_VALUES)
    return FALSE;
  for (guint i = 0; edit->values[i] != NULL; i += 2)
    if (g_strcmp0 (edit->values[i], name) == 0)
      return TRUE;
  return FALSE;
}

static void
adding_done (DocentPreferencesWindow *self)
{
  if (self->adding > 0 && --self->adding > 0)
    return;
  gtk_spinner_stop (self->loading_spinner);
  gtk_widget_set_visible (GTK_WIDGET (self->loading_row), FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->add_button), TRUE);
}

/* After an edit: what the user sees follows the file. */
static void
edit_shown (DocentPreferencesWindow *self,
            const Edit              *edit,
            const Snapshot          *snapshot)
{
  if (edit->kind == EDIT_ADD_MODEL)
    adding_done (self);
  show_snapshot (self, snapshot);
  if (edit_sets (edit, "remote.url"))
    {
      if (snapshot->failed)
        gtk_widget_add_css_class (GTK_WIDGET (self->remote_url_row), "error");
      else
        gtk_widget_remove_css_class (GTK_WIDGET (self->remote_url_row), "error");
    }
  if (snapshot->message != NULL)
    toast (self, snapshot->message);
}

static void
edit_done (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  DocentPreferencesWindow *self = DOCENT_PREFERENCES_WINDOW (source);
  const Edit *edit = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autoptr(Snapshot) snapshot = g_task_propagate_pointer (G_TASK (result), &error);

  self->editing = FALSE;
  if (snapshot != NULL && snapshot->saved && edit->service != NULL)
    docent_library_service_settings_changed (edit->service);
  if (!self->disposed)
    {
      if (snapshot != NULL)
        edit_shown (self, edit, snapshot);
      else
        {
          if (edit->kind == EDIT_ADD_MODEL)
            adding_done (self);
          toast (self, error->message);
        }
    }
  run_next_edit (self);
}

static void
run_next_edit (DocentPreferencesWindow *self)
{
  g_autoptr(GTask) task = NULL;
  Edit *edit;

  if (self->editing || (edit = g_queue_pop_head (&self->edits)) == NULL)
    return;
  self->editing = TRUE;
  task = g_task_new (self, NULL, edit_done, NULL);
  g_task_set_source_tag (task, run_next_edit);
  g_task_set_task_data (task, edit, (GDestroyNotify) edit_free);
  g_task_run_in_thread (task, edit_thread);
}

static Edit *
edit_new (DocentPreferencesWindow *self,
          EditKind                 kind,
          const char              *arg)
{
  Edit *edit = g_new0 (Edit, 1);

  edit->kind = kind;
  edit->dir = g_strdup (self->dir);
  edit->arg = g_strdup (arg);
  edit->service = self->service != NULL ? g_object_ref (self->service) : NULL;
  return edit;
}

/* Without a library there is nothing to edit. */
static void
push_edit (DocentPreferencesWindow *self,
           Edit                    *edit)
{
  if (edit->dir == NULL)
    {
      edit_free (edit);
      return;
    }
  g_queue_push_tail (&self->edits, edit);
  run_next_edit (self);
}

static void
queue_edit (DocentPreferencesWindow *self,
            EditKind                 kind,
            const char              *arg)
{
  push_edit (self, edit_new (self, kind, arg));
}

static void
queue_values (DocentPreferencesWindow *self,
              GStrv                    values)
{
  Edit *edit = edit_new (self, EDIT_VALUES, NULL);

  edit->values = values;
  push_edit (self, edit);
}

static void
queue_value (DocentPreferencesWindow *self,
             const char              *name,
             const char              *value)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();

  g_strv_builder_add_many (b, name, value, NULL);
  queue_values (self, g_strv_builder_end (b));
}

static gboolean
flush_pending (gpointer data)
{
  DocentPreferencesWindow *self = data;
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  GHashTableIter iter;
  gpointer name, value;

  self->debounce_id = 0;
  if (g_hash_table_size (self->pending) == 0)
    return G_SOURCE_REMOVE;
  g_hash_table_iter_init (&iter, self->pending);
  while (g_hash_table_iter_next (&iter, &name, &value))
    g_strv_builder_add_many (b, (const char *) name, (const char *) value, NULL);
  g_hash_table_remove_all (self->pending);
  queue_values (self, g_strv_builder_end (b));
  return G_SOURCE_REMOVE;
}

/* ---- what the user does --------------------------------------------------- */

static void
on_spin_changed (GtkSpinButton           *spin,
                 DocentPreferencesWindow *self)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (self->updating)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (spins); i++)
    if (spin_at (self, i) == spin)
      {
        double value = gtk_spin_button_get_value (spin);
        const char *text = gtk_spin_button_get_digits (spin) > 0
                           ? g_ascii_formatd (buf, sizeof buf, "%.2f", value)
                           : g_ascii_formatd (buf, sizeof buf, "%.0f", value);

        g_hash_table_insert (self->pending, g_strdup (spins[i].name), g_strdup (text));
      }
  g_clear_handle_id (&self->debounce_id, g_source_remove);
  self->debounce_id = g_timeout_add (DEBOUNCE_MS, flush_pending, self);
}

static void
on_choice_selected (AdwComboRow             *row,
                    GParamSpec              *pspec,
                    DocentPreferencesWindow *self)
{
  DocentModelRole role = row == self->chat_row ? DOCENT_MODEL_ROLE_CHAT
                                               : DOCENT_MODEL_ROLE_EMBEDDER;
  guint selected = adw_combo_row_get_selected (row);
  GPtrArray *ids = self->choices[role];
  Edit *edit;

  if (self->updating || selected == GTK_INVALID_LIST_POSITION)
    return;
  edit = edit_new (self, EDIT_USE, selected > 0 && selected <= ids->len ? ids->pdata[selected - 1]
                                                                         : NULL);
  edit->role = role;
  push_edit (self, edit);
}

static void
on_remove_clicked (GtkButton               *button,
                   DocentPreferencesWindow *self)
{
  queue_edit (self, EDIT_REMOVE_MODEL, g_object_get_data (G_OBJECT (button), "model-id"));
}

static void
on_remote_enabled (AdwExpanderRow          *row,
                   GParamSpec              *pspec,
                   DocentPreferencesWindow *self)
{
  if (!self->updating)
    queue_value (self, "remote.enabled",
                 adw_expander_row_get_enable_expansion (row) ? "true" : "false");
}

static void
on_remote_url_apply (DocentPreferencesWindow *self)
{
  queue_value (self, "remote.url", gtk_editable_get_text (GTK_EDITABLE (self->remote_url_row)));
}

static void
on_remote_model_apply (DocentPreferencesWindow *self)
{
  queue_value (self, "remote.model", gtk_editable_get_text (GTK_EDITABLE (self->remote_model_row)));
}

static void
on_remote_key_apply (DocentPreferencesWindow *self)
{
  queue_value (self, "remote.api_key", gtk_editable_get_text (GTK_EDITABLE (self->remote_key_row)));
}

/* Reading a model file takes a while: the spinner row says so meanwhile. */
static void
add_model_file (DocentPreferencesWindow *self,
                const char              *path)
{
  g_autofree char *name = g_filename_display_basename (path);

  self->adding++;
  adw_action_row_set_subtitle (self->loading_row, name);
  gtk_widget_set_visible (GTK_WIDGET (self->loading_row), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->no_models_row), FALSE);
  gtk_spinner_start (self->loading_spinner);
  gtk_widget_set_sensitive (GTK_WIDGET (self->add_button), FALSE);
  queue_edit (self, EDIT_ADD_MODEL, path);
}

static void
chooser_done (DocentPreferencesWindow *self)
{
  if (self->chooser == NULL)
    return;
  gtk_native_dialog_destroy (self->chooser);
  g_clear_object (&self->chooser);
}

static char *
chosen_path (GtkNativeDialog *dialog,
             int              response)
{
  g_autoptr(GFile) file = NULL;

  if (response != GTK_RESPONSE_ACCEPT)
    return NULL;
  file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
  return file != NULL ? g_file_get_path (file) : NULL;
}

static void
on_model_chosen (GtkNativeDialog         *dialog,
                 int                      response,
                 DocentPreferencesWindow *self)
{
  g_autofree char *path = chosen_path (dialog, response);

  chooser_done (self);
  if (path != NULL)
    add_model_file (self, path);
}

static GtkNativeDialog *
chooser_new (DocentPreferencesWindow *self,
             const char              *title,
             GtkFileChooserAction     action,
             const char              *accept)
{
  GtkFileChooserNative *chooser;

  chooser_done (self);
  chooser = gtk_file_chooser_native_new (title, GTK_WINDOW (self), action, accept, "_Cancel");
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  self->chooser = GTK_NATIVE_DIALOG (chooser);
  return self->chooser;
}

static void
on_add_clicked (DocentPreferencesWindow *self)
{
  GtkNativeDialog *dialog = chooser_new (self, "Add a Model File", GTK_FILE_CHOOSER_ACTION_OPEN,
                                         "_Add");
  g_autoptr(GtkFileFilter) gguf = gtk_file_filter_new ();

  gtk_file_filter_set_name (gguf, "GGUF models (*.gguf)");
  gtk_file_filter_add_pattern (gguf, "*.gguf");
  gtk_file_filter_add_pattern (gguf, "*.GGUF");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), gguf);
  g_signal_connect (dialog, "response", G_CALLBACK (on_model_chosen), self);
  gtk_native_dialog_show (dialog);
}

static void
on_folder_chosen (GtkNativeDialog         *dialog,
                  int                      response,
                  DocentPreferencesWindow *self)
{
  g_autofree char *path = chosen_path (dialog, response);

  chooser_done (self);
  if (path != NULL)
    queue_edit (self, EDIT_LOCATION, path);
}

static void
on_change_location_clicked (DocentPreferencesWindow *self)
{
  GtkNativeDialog *dialog = chooser_new (self, "Choose the Library Folder",
                                         GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, "_Choose");

  g_signal_connect (dialog, "response", G_CALLBACK (on_folder_chosen), self);
  gtk_native_dialog_show (dialog);
}

static void
on_reset_location_clicked (DocentPreferencesWindow *self)
{
  queue_edit (self, EDIT_LOCATION, NULL);
}

static void
on_unwatch_clicked (GtkButton               *button,
                    DocentPreferencesWindow *self)
{
  queue_edit (self, EDIT_UNWATCH, g_object_get_data (G_OBJECT (button), "folder"));
}

static void
on_watch_chosen (GtkNativeDialog         *dialog,
                 int                      response,
                 DocentPreferencesWindow *self)
{
  g_autofree char *path = chosen_path (dialog, response);

  chooser_done (self);
  if (path != NULL)
    queue_edit (self, EDIT_WATCH, path);
}

static void
on_add_watched_clicked (DocentPreferencesWindow *self)
{
  GtkNativeDialog *dialog = chooser_new (self, "Watch a Folder",
                                         GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, "_Watch");

  g_signal_connect (dialog, "response", G_CALLBACK (on_watch_chosen), self);
  gtk_native_dialog_show (dialog);
}

/* prefs.watch-folder(s): watches a folder without the file chooser (for
 * drag and drop or a test). */
static void
watch_folder_action (GtkWidget  *widget,
                     const char *action,
                     GVariant   *parameter)
{
  queue_edit (DOCENT_PREFERENCES_WINDOW (widget), EDIT_WATCH, g_variant_get_string (parameter, NULL));
}

/* prefs.add-model-file(s): registers a file without the file chooser (for
 * drag and drop or a test). */
static void
add_model_file_action (GtkWidget  *widget,
                       const char *action,
                       GVariant   *parameter)
{
  add_model_file (DOCENT_PREFERENCES_WINDOW (widget), g_variant_get_string (parameter, NULL));
}

/* ---- the object ----------------------------------------------------------- */

static void
docent_preferences_window_dispose (GObject *object)
{
  DocentPreferencesWindow *self = DOCENT_PREFERENCES_WINDOW (object);

  /* A change made just before closing is still saved: the queue runs on
   * (each task holds the window) and the service is told. */
  if (self->debounce_id != 0)
    {
      g_clear_handle_id (&self->debounce_id, g_source_remove);
      flush_pending (self);
    }
  self->disposed = TRUE;
  chooser_done (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), DOCENT_TYPE_PREFERENCES_WINDOW);
  G_OBJECT_CLASS (docent_preferences_window_parent_class)->dispose (object);
}

static void
docent_preferences_window_finalize (GObject *object)
{
  DocentPreferencesWindow *self = DOCENT_PREFERENCES_WINDOW (object);

  g_queue_clear_full (&self->edits, (GDestroyNotify) edit_free);
  g_clear_object (&self->service);
  g_free (self->dir);
  g_ptr_array_unref (self->model_rows);
  g_ptr_array_unref (self->watched_rows);
  g_ptr_array_unref (self->choices[0]);
  g_ptr_array_unref (self->choices[1]);
  g_hash_table_unref (self->pending);
  G_OBJECT_CLASS (docent_preferences_window_parent_class)->finalize (object);
}

static void
docent_preferences_window_class_init (DocentPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = docent_preferences_window_dispose;
  object_class->finalize = docent_preferences_window_finalize;
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/docent/Docent/ui/preferences-window.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, DocentPreferencesWindow, name)
  BIND (chat_row);
  BIND (embedding_row);
  BIND (models_group);
  BIND (add_button);
  BIND (loading_row);
  BIND (loading_spinner);
  BIND (no_models_row);
  BIND (k_spin);
  BIND (max_tokens_spin);
  BIND (temperature_spin);
  BIND (threads_spin);
  BIND (context_spin);
  BIND (remote_row);
  BIND (remote_url_row);
  BIND (remote_model_row);
  BIND (remote_key_row);
  BIND (open_row);
  BIND (location_row);
  BIND (reset_location_button);
  BIND (watched_group);
  BIND (no_watched_row);
#undef BIND
  gtk_widget_class_bind_template_callback (widget_class, on_add_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_remote_url_apply);
  gtk_widget_class_bind_template_callback (widget_class, on_remote_model_apply);
  gtk_widget_class_bind_template_callback (widget_class, on_remote_key_apply);
  gtk_widget_class_bind_template_callback (widget_class, on_change_location_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_reset_location_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_add_watched_clicked);
  gtk_widget_class_install_action (widget_class, "prefs.add-model-file", "s",
                                   add_model_file_action);
  gtk_widget_class_install_action (widget_class, "prefs.watch-folder", "s", watch_folder_action);
}

static void
docent_preferences_window_init (DocentPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_queue_init (&self->edits);
  self->model_rows = g_ptr_array_new ();
  self->watched_rows = g_ptr_array_new ();
  self->choices[0] = g_ptr_array_new_with_free_func (g_free);
  self->choices[1] = g_ptr_array_new_with_free_func (g_free);
  self->pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  /* Nothing is saved until the settings were read and shown. */
  self->updating = TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (spins); i++)
    g_signal_connect (spin_at (self, i), "value-changed", G_CALLBACK (on_spin_changed), self);
  g_signal_connect (self->chat_row, "notify::selected", G_CALLBACK (on_choice_selected), self);
  g_signal_connect (self->embedding_row, "notify::selected", G_CALLBACK (on_choice_selected), self);
  g_signal_connect (self->remote_row, "notify::enable-expansion", G_CALLBACK (on_remote_enabled), self);
}

DocentPreferencesWindow *
docent_preferences_window_new (GtkWindow            *parent,
                               DocentLibraryService *service)
{
  DocentPreferencesWindow *self = g_object_new (DOCENT_TYPE_PREFERENCES_WINDOW,
                                                "transient-for", parent, NULL);

  g_return_val_if_fail (service == NULL || DOCENT_IS_LIBRARY_SERVICE (service), self);
  if (service != NULL)
    {
      self->service = g_object_ref (service);
      self->dir = g_strdup (docent_library_service_get_dir (service));
    }
  queue_edit (self, EDIT_LOAD, NULL);
  return self;
}
