/* nc-client-editor.c — one client's name, channel, number and variables, to add or change
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The number is checked as it is typed, by the same rules as every number the console
 * takes (nc-phone); a telephony client is reached only by phone, so it needs one. The
 * editor writes nothing itself: it says "save" with the client as edited, or "delete"
 * once the user confirmed, and whoever opened it asks the store.
 */

#define G_LOG_DOMAIN "nc-client-editor"

#include "config.h"

#include <glib/gi18n.h>

#include "nc-client-editor.h"
#include "nc-phone.h"
#include "nc-ui-util.h"

enum {
  SIGNAL_SAVE,
  SIGNAL_DELETE,
  N_SIGNALS
};

struct _NcClientEditor
{
  AdwWindow            parent_instance;

  gint64               id;
  NcClient            *result;
  char                *problem;
  GPtrArray           *variable_rows;   /* AdwEntryRow, titled with the variable's name */

  AdwEntryRow         *name_row;
  AdwComboRow         *channel_row;
  AdwEntryRow         *phone_row;
  AdwPreferencesGroup *details_group;
  AdwPreferencesGroup *variables_group;
  AdwEntryRow         *new_variable_row;
  GtkButton           *save_button;
  GtkButton           *delete_button;
  GtkWidget           *name_error;
  GtkWidget           *phone_error;
  gboolean             name_done;     /* the user left the field, or pressed Save */
  gboolean             phone_done;
};

G_DEFINE_FINAL_TYPE (NcClientEditor, nc_client_editor, ADW_TYPE_WINDOW)

static guint signals[N_SIGNALS];

static char *
stripped_text (AdwEntryRow *row)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
}

static char *
name_problem (NcClientEditor *self)
{
  g_autofree char *name = stripped_text (self->name_row);

  return *name == '\0' ? g_strdup (_("The client needs a name")) : NULL;
}

static char *
phone_problem (NcClientEditor *self,
               char          **out_phone)
{
  g_autofree char *phone_text = stripped_text (self->phone_row);
  g_autofree char *phone = NULL;
  g_autoptr(GError) error = NULL;

  if (*phone_text != '\0')
    {
      phone = nc_phone_normalize_number (phone_text, &error);
      if (phone == NULL)
        return g_strdup (error->message);
    }
  else if (adw_combo_row_get_selected (self->channel_row) == NC_CHANNEL_TELEPHONY)
    return g_strdup (_("A telephony client is reached by phone only: enter the number"));

  if (out_phone != NULL)
    *out_phone = g_steal_pointer (&phone);
  return NULL;
}

/* The errors show beside their fields, once the user is done with a field. */
static void
update (NcClientEditor *self)
{
  g_autofree char *name = name_problem (self);
  g_autofree char *phone = phone_problem (self, NULL);

  g_clear_pointer (&self->problem, g_free);
  self->problem = g_strdup (name != NULL ? name : phone);
  nc_field_error_show (self->name_error, GTK_WIDGET (self->name_row),
                       self->name_done ? name : NULL);
  nc_field_error_show (self->phone_error, GTK_WIDGET (self->phone_row),
                       self->phone_done ? phone : NULL);
}

static void
name_left (NcClientEditor *self)
{
  self->name_done = TRUE;
  update (self);
}

static void
phone_left (NcClientEditor *self)
{
  self->phone_done = TRUE;
  update (self);
}

static void
remove_variable_clicked (GtkButton      *button,
                         NcClientEditor *self)
{
  GtkWidget *row = gtk_widget_get_ancestor (GTK_WIDGET (button), ADW_TYPE_ENTRY_ROW);

  g_ptr_array_remove (self->variable_rows, row);
  adw_preferences_group_remove (self->variables_group, row);
}

static GtkWidget *
find_variable_row (NcClientEditor *self,
                   const char     *name)
{
  for (guint i = 0; i < self->variable_rows->len; i++)
    {
      GtkWidget *row = self->variable_rows->pdata[i];

      if (g_str_equal (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), name))
        return row;
    }
  return NULL;
}

/**
 * nc_client_editor_set_variable:
 *
 * Gives the variable @name the value @value, adding its row if it has none, as the user
 * does with "New Variable’s Name".
 */
void
nc_client_editor_set_variable (NcClientEditor *self,
                               const char     *name,
                               const char     *value)
{
  GtkWidget *row;
  GtkWidget *remove;
  g_autofree char *label = NULL;

  g_return_if_fail (NC_IS_CLIENT_EDITOR (self));
  g_return_if_fail (name != NULL && *name != '\0');

  row = find_variable_row (self, name);
  if (row != NULL)
    {
      gtk_editable_set_text (GTK_EDITABLE (row), value != NULL ? value : "");
      return;
    }

  row = adw_entry_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (row), FALSE);
  gtk_editable_set_text (GTK_EDITABLE (row), value != NULL ? value : "");

  remove = gtk_button_new_from_icon_name ("user-trash-symbolic");
  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (remove, "flat");
  gtk_widget_set_tooltip_text (remove, _("Remove Variable"));
  /* Translators: the accessible name of the button that removes the variable %s */
  label = g_strdup_printf (_("Remove the variable “%s”"), name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
  g_signal_connect (remove, "clicked", G_CALLBACK (remove_variable_clicked), self);
  adw_entry_row_add_suffix (ADW_ENTRY_ROW (row), remove);

  /* New rows go above the row that adds them. */
  adw_preferences_group_remove (self->variables_group, GTK_WIDGET (self->new_variable_row));
  adw_preferences_group_add (self->variables_group, row);
  adw_preferences_group_add (self->variables_group, GTK_WIDGET (self->new_variable_row));
  g_ptr_array_add (self->variable_rows, row);
}

static void
add_variable (NcClientEditor *self)
{
  g_autofree char *name = stripped_text (self->new_variable_row);
  GtkWidget *row;

  if (*name == '\0')
    return;
  nc_client_editor_set_variable (self, name, NULL);
  row = find_variable_row (self, name);
  gtk_editable_set_text (GTK_EDITABLE (self->new_variable_row), "");
  gtk_widget_grab_focus (row);
}

static void
save_clicked (NcClientEditor *self)
{
  g_autofree char *phone = NULL;
  g_autofree char *name_wrong = name_problem (self);
  g_autofree char *phone_wrong = phone_problem (self, &phone);
  g_autofree char *name = stripped_text (self->name_row);
  GPtrArray *variables;

  /* Saving shows every error, and takes the user to the first. */
  if (name_wrong != NULL || phone_wrong != NULL)
    {
      self->name_done = self->phone_done = TRUE;
      update (self);
      gtk_widget_grab_focus (GTK_WIDGET (name_wrong != NULL ? self->name_row : self->phone_row));
      return;
    }

  variables = g_ptr_array_new_with_free_func ((GDestroyNotify) nc_variable_free);
  for (guint i = 0; i < self->variable_rows->len; i++)
    {
      GtkWidget *row = self->variable_rows->pdata[i];
      const char *value = gtk_editable_get_text (GTK_EDITABLE (row));

      /* An empty value is no variable, as in an imported file. */
      if (*value != '\0')
        g_ptr_array_add (variables,
                         nc_variable_new (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)),
                                          value));
    }

  g_clear_object (&self->result);
  self->result = nc_client_new (self->id, name, adw_combo_row_get_selected (self->channel_row),
                                phone, 0);
  nc_client_take_variables (self->result, variables);
  g_signal_emit (self, signals[SIGNAL_SAVE], 0);
  gtk_window_destroy (GTK_WINDOW (self));
}

static gboolean
destroy_later (gpointer window)
{
  gtk_window_destroy (GTK_WINDOW (window));
  return G_SOURCE_REMOVE;
}

static void
delete_confirmed (AdwMessageDialog *dialog,
                  const char       *response,
                  NcClientEditor   *self)
{
  if (g_strcmp0 (response, "delete") != 0)
    return;
  g_signal_emit (self, signals[SIGNAL_DELETE], 0, self->id);
  /* The dialog, transient for the editor, closes once this returns: the editor goes
   * after it, not under it. */
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, destroy_later, g_object_ref (self), g_object_unref);
}

static void
delete_clicked (NcClientEditor *self)
{
  g_autofree char *name = stripped_text (self->name_row);
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Delete the Client?"), NULL);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  _("“%s”, their variables and the link of their calls to them "
                                    "are deleted. The calls stay in the journal."), name);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "delete", _("_Delete"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (delete_confirmed), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
nc_client_editor_dispose (GObject *object)
{
  NcClientEditor *self = NC_CLIENT_EDITOR (object);

  g_clear_object (&self->result);
  g_clear_pointer (&self->problem, g_free);
  g_clear_pointer (&self->variable_rows, g_ptr_array_unref);

  G_OBJECT_CLASS (nc_client_editor_parent_class)->dispose (object);
}

/* Disposing the fields takes the focus from the one that had it, and its focus-leave
 * checks the fields again (name_left()): what it says is freed only now. */
static void
nc_client_editor_finalize (GObject *object)
{
  NcClientEditor *self = NC_CLIENT_EDITOR (object);

  g_free (self->problem);

  G_OBJECT_CLASS (nc_client_editor_parent_class)->finalize (object);
}

static void
nc_client_editor_class_init (NcClientEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = nc_client_editor_dispose;
  object_class->finalize = nc_client_editor_finalize;

  /**
   * NcClientEditor::save:
   *
   * The user saved: nc_client_editor_get_result() has the client (id 0 for a new one).
   */
  signals[SIGNAL_SAVE] = g_signal_new ("save", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                       NULL, NULL, NULL, G_TYPE_NONE, 0);
  /**
   * NcClientEditor::delete:
   * @id: the client's id
   *
   * The user confirmed that the client goes.
   */
  signals[SIGNAL_DELETE] = g_signal_new ("delete", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_BASE_PATH "/nc-client-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, NcClientEditor, name_row);
  gtk_widget_class_bind_template_child (widget_class, NcClientEditor, channel_row);
  gtk_widget_class_bind_template_child (widget_class, NcClientEditor, phone_row);
  gtk_widget_class_bind_template_child (widget_class, NcClientEditor, details_group);
  gtk_widget_class_bind_template_child (widget_class, NcClientEditor, variables_group);
  gtk_widget_class_bind_template_child (widget_class, NcClientEditor, new_variable_row);
  gtk_widget_class_bind_template_child (widget_class, NcClientEditor, save_button);
  gtk_widget_class_bind_template_child (widget_class, NcClientEditor, delete_button);
  gtk_widget_class_bind_template_callback (widget_class, update);
  gtk_widget_class_bind_template_callback (widget_class, save_clicked);
  gtk_widget_class_bind_template_callback (widget_class, delete_clicked);
  gtk_widget_class_bind_template_callback (widget_class, add_variable);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
nc_client_editor_init (NcClientEditor *self)
{
  g_autoptr(GtkStringList) channels = gtk_string_list_new (NULL);

  gtk_widget_init_template (GTK_WIDGET (self));

  self->variable_rows = g_ptr_array_new ();

  /* Each error under its own field. */
  self->name_error = nc_field_error_new ();
  self->phone_error = nc_field_error_new ();
  adw_preferences_group_remove (self->details_group, GTK_WIDGET (self->channel_row));
  adw_preferences_group_remove (self->details_group, GTK_WIDGET (self->phone_row));
  adw_preferences_group_add (self->details_group, self->name_error);
  adw_preferences_group_add (self->details_group, GTK_WIDGET (self->channel_row));
  adw_preferences_group_add (self->details_group, GTK_WIDGET (self->phone_row));
  adw_preferences_group_add (self->details_group, self->phone_error);
  nc_on_focus_leave (GTK_WIDGET (self->name_row), G_CALLBACK (name_left), self);
  nc_on_focus_leave (GTK_WIDGET (self->phone_row), G_CALLBACK (phone_left), self);
  gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (self->name_row));

  for (guint i = 0; i < NC_N_CHANNELS; i++)
    gtk_string_list_append (channels, nc_channel_get_label (i));
  adw_combo_row_set_model (self->channel_row, G_LIST_MODEL (channels));
}

/**
 * nc_client_editor_new:
 * @client: (nullable): the client to edit, its variables loaded, or %NULL for a new one
 */
NcClientEditor *
nc_client_editor_new (GtkWindow *parent,
                      NcClient  *client)
{
  NcClientEditor *self = g_object_new (NC_TYPE_CLIENT_EDITOR,
                                       "transient-for", parent,
                                       "modal", TRUE,
                                       "title", client != NULL ? _("Edit Client")
                                                               : _("New Client"),
                                       NULL);

  if (client != NULL)
    {
      GPtrArray *variables = nc_client_get_variables (client);
      g_autofree char *phone = nc_phone_format (nc_client_get_phone (client));

      self->id = nc_client_get_id (client);
      nc_client_editor_fill (self, nc_client_get_name (client), nc_client_get_channel (client),
                             phone);
      for (guint i = 0; variables != NULL && i < variables->len; i++)
        {
          NcVariable *variable = variables->pdata[i];

          nc_client_editor_set_variable (self, variable->name, variable->value);
        }
    }
  gtk_widget_set_visible (GTK_WIDGET (self->delete_button), client != NULL);
  update (self);
  return self;
}

/**
 * nc_client_editor_fill:
 *
 * Types into the fields, as the user does.
 */
void
nc_client_editor_fill (NcClientEditor *self,
                       const char     *name,
                       NcChannel       channel,
                       const char     *phone)
{
  g_return_if_fail (NC_IS_CLIENT_EDITOR (self));

  gtk_editable_set_text (GTK_EDITABLE (self->name_row), name != NULL ? name : "");
  adw_combo_row_set_selected (self->channel_row, channel);
  gtk_editable_set_text (GTK_EDITABLE (self->phone_row), phone != NULL ? phone : "");
  update (self);
}

/**
 * nc_client_editor_get_problem:
 *
 * Returns: (nullable): what stops the save now, as the editor shows it
 */
const char *
nc_client_editor_get_problem (NcClientEditor *self)
{
  g_return_val_if_fail (NC_IS_CLIENT_EDITOR (self), NULL);
  return self->problem;
}

/**
 * nc_client_editor_get_result:
 *
 * Returns: (transfer none) (nullable): the client as saved
 */
NcClient *
nc_client_editor_get_result (NcClientEditor *self)
{
  g_return_val_if_fail (NC_IS_CLIENT_EDITOR (self), NULL);
  return self->result;
}
