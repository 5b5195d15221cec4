/* nc-call-note-dialog.c — the outcome and note of a call, as the operator gives them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The outcome is picked from the list the Preferences keep (call-outcomes), the note
 * written freely; both go to the store (nc_store_note_call_async()), which keeps them on
 * the call and in the client's variables. The dialog closes once they are kept; when
 * they cannot be, it says why and keeps what was typed.
 */

#define G_LOG_DOMAIN "nc-call-note-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "nc-call-note-dialog.h"
#include "nc-phone.h"

struct _NcCallNoteDialog
{
  AdwWindow      parent_instance;

  NcSession     *session;
  NcCall        *call;
  GtkStringList *outcomes;      /* "None" first, then the outcomes offered */
  GCancellable  *cancellable;

  AdwWindowTitle *title;
  AdwComboRow    *outcome_row;
  GtkTextView    *note_view;
  GtkLabel       *error_label;
  GtkButton      *save_button;
};

G_DEFINE_FINAL_TYPE (NcCallNoteDialog, nc_call_note_dialog, ADW_TYPE_WINDOW)

enum {
  SIGNAL_NOTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/**
 * nc_call_outcomes_dup:
 *
 * @settings: (nullable): the preferences, if there are any
 *
 * Returns: (transfer full): the outcomes an operator picks from: the Preferences' list,
 *   or, while it is empty, the translated defaults
 */
char **
nc_call_outcomes_dup (GSettings *settings)
{
  g_auto(GStrv) outcomes = settings != NULL ? g_settings_get_strv (settings, "call-outcomes")
                                            : NULL;
  const char *defaults[] = { _("Call back"), _("Not interested"), _("Deal"), NULL };

  if (outcomes != NULL && outcomes[0] != NULL)
    return g_steal_pointer (&outcomes);
  return g_strdupv ((char **) defaults);
}

static void
set_busy (NcCallNoteDialog *self,
          gboolean          busy)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "note.save", !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->outcome_row), !busy);
  gtk_text_view_set_editable (self->note_view, !busy);
}

static void
noted (GObject      *source,
       GAsyncResult *result,
       gpointer      user_data)
{
  g_autoptr(NcCallNoteDialog) self = user_data;
  g_autoptr(NcCallRecord) record = NULL;
  g_autoptr(GError) error = NULL;

  record = nc_store_note_call_finish (NC_STORE (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (record == NULL)
    {
      /* What was typed stays, to be saved again. */
      set_busy (self, FALSE);
      gtk_label_set_label (self->error_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
      return;
    }
  /* The rows showing the call hear of it through the change feed, as every desk does;
   * a client's card, of the variables written. */
  g_signal_emit (self, signals[SIGNAL_NOTED], 0, record->client_id);
  gtk_window_close (GTK_WINDOW (self));
}

static void
save_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  NcCallNoteDialog *self = NC_CALL_NOTE_DIALOG (widget);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->note_view);
  guint selected = adw_combo_row_get_selected (self->outcome_row);
  const char *outcome = NULL;
  g_autofree char *note = NULL;
  GtkTextIter start, end;

  if (selected != GTK_INVALID_LIST_POSITION && selected > 0)
    outcome = gtk_string_list_get_string (self->outcomes, selected);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  note = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);

  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  set_busy (self, TRUE);
  nc_store_note_call_async (nc_session_get_store (self->session),
                            nc_call_get_pbx_call_id (self->call), outcome, note,
                            self->cancellable, noted, g_object_ref (self));
}

static void
nc_call_note_dialog_dispose (GObject *object)
{
  NcCallNoteDialog *self = NC_CALL_NOTE_DIALOG (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->outcomes);
  g_clear_object (&self->call);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (nc_call_note_dialog_parent_class)->dispose (object);
}

static void
nc_call_note_dialog_class_init (NcCallNoteDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = nc_call_note_dialog_dispose;

  /**
   * NcCallNoteDialog::noted:
   * @client_id: the call's client, whose variables were written; 0 for none
   *
   * The outcome and note are kept.
   */
  signals[SIGNAL_NOTED] = g_signal_new ("noted", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                        0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);

  gtk_widget_class_install_action (widget_class, "note.save", NULL, save_activated);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_BASE_PATH "/nc-call-note-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, NcCallNoteDialog, title);
  gtk_widget_class_bind_template_child (widget_class, NcCallNoteDialog, outcome_row);
  gtk_widget_class_bind_template_child (widget_class, NcCallNoteDialog, note_view);
  gtk_widget_class_bind_template_child (widget_class, NcCallNoteDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, NcCallNoteDialog, save_button);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK,
                                       "note.save", NULL);
}

static void
nc_call_note_dialog_init (NcCallNoteDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
}

/**
 * nc_call_note_dialog_new:
 * @call: the call to note, its outcome and note shown as it has them
 */
NcCallNoteDialog *
nc_call_note_dialog_new (GtkWindow *parent,
                         NcSession *session,
                         NcCall    *call)
{
  NcCallNoteDialog *self = g_object_new (NC_TYPE_CALL_NOTE_DIALOG,
                                         "transient-for", parent,
                                         "modal", parent != NULL,
                                         NULL);
  g_auto(GStrv) outcomes = nc_call_outcomes_dup (nc_session_get_settings (session));
  const char *current = nc_call_get_noted_outcome (call);
  const char *name = nc_call_get_client_name (call);
  g_autofree char *number = nc_phone_format (nc_call_get_client_number (call));
  guint selected = 0;

  self->session = g_object_ref (session);
  self->call = g_object_ref (call);

  adw_window_title_set_title (self->title, _("Outcome and Note"));
  adw_window_title_set_subtitle (self->title, name != NULL ? name : number);

  /* The call's own outcome stays offered, taken out of the list since or not. */
  self->outcomes = gtk_string_list_new (NULL);
  /* Translators: no outcome picked for a call */
  gtk_string_list_append (self->outcomes, C_("outcome", "None"));
  for (guint i = 0; outcomes[i] != NULL; i++)
    {
      gtk_string_list_append (self->outcomes, outcomes[i]);
      if (g_strcmp0 (outcomes[i], current) == 0)
        selected = i + 1;
    }
  if (current != NULL && selected == 0)
    {
      gtk_string_list_append (self->outcomes, current);
      selected = g_list_model_get_n_items (G_LIST_MODEL (self->outcomes)) - 1;
    }
  adw_combo_row_set_model (self->outcome_row, G_LIST_MODEL (self->outcomes));
  adw_combo_row_set_selected (self->outcome_row, selected);

  if (nc_call_get_note (call) != NULL)
    gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->note_view),
                              nc_call_get_note (call), -1);
  gtk_widget_grab_focus (GTK_WIDGET (self->note_view));
  return self;
}

/**
 * nc_call_note_dialog_open:
 * @pbx_call_id: a call shown in a row of @parent
 *
 * Returns: (transfer none) (nullable): the dialog, presented over @parent; %NULL when the
 *   call is shown nowhere any more
 */
NcCallNoteDialog *
nc_call_note_dialog_open (GtkWindow  *parent,
                          NcSession  *session,
                          const char *pbx_call_id)
{
  NcCall *call = nc_call_tracker_lookup (nc_session_get_tracker (session), pbx_call_id);
  NcCallNoteDialog *dialog;

  if (call == NULL)
    return NULL;
  dialog = nc_call_note_dialog_new (parent, session, call);
  gtk_window_present (GTK_WINDOW (dialog));
  return dialog;
}
