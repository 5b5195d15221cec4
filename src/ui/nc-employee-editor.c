/* nc-employee-editor.c — one employee: name, id, virtual number, how they call
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The employee id and the virtual number matter only for calls through the Novofon API,
 * so they appear only then, and are checked as they are typed: the id is the number in
 * the address of the employee's page in the cabinet (e.g. 111111), and without a virtual
 * number assigned to the employee, calls do not work.
 */

#define G_LOG_DOMAIN "nc-employee-editor"

#include "config.h"

#include <glib/gi18n.h>

#include "nc-employee-editor.h"
#include "nc-phone.h"
#include "nc-ui-util.h"
#include "nc-zadarma-call.h"
#include "nc-zadarma-client.h"

enum {
  SIGNAL_SAVE,
  SIGNAL_DELETE,
  N_SIGNALS
};

struct _NcEmployeeEditor
{
  AdwWindow     parent_instance;

  gint64        id;
  NcEmployee   *result;

  AdwEntryRow  *name_row;
  AdwComboRow  *method_row;
  AdwEntryRow  *id_row;
  AdwEntryRow  *number_row;
  GtkSwitch    *me_switch;
  GtkButton    *save_button;
  GtkButton    *delete_button;
  GtkMenuButton *extension_button;
  GtkMenuButton *number_button;
  AdwPreferencesGroup *group;
  GtkWidget    *name_error;
  GtkWidget    *id_error;
  GtkWidget    *number_error;
  gboolean      name_done;     /* the user left the field, or pressed Save */
  gboolean      id_done;
  gboolean      number_done;
};

G_DEFINE_FINAL_TYPE (NcEmployeeEditor, nc_employee_editor, ADW_TYPE_WINDOW)

static guint signals[N_SIGNALS];

static char *
stripped_text (AdwEntryRow *row)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
}

static gboolean
calls_through_api (NcEmployeeEditor *self)
{
  return adw_combo_row_get_selected (self->method_row) == NC_CALL_METHOD_API;
}

static char *
name_problem (NcEmployeeEditor *self)
{
  g_autofree char *name = stripped_text (self->name_row);

  return *name == '\0' ? g_strdup (_("The employee needs a name")) : NULL;
}

/* The same checks as every call through the API makes. */
static char *
id_problem (NcEmployeeEditor *self)
{
  g_autoptr(GError) error = NULL;

  if (!calls_through_api (self) ||
      nc_call_request_check_employee_id (gtk_editable_get_text (GTK_EDITABLE (self->id_row)),
                                         &error))
    return NULL;
  return g_strdup (error->message);
}

static char *
number_problem (NcEmployeeEditor *self,
                char            **out_number)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *number = NULL;

  if (!calls_through_api (self))
    return NULL;
  number = nc_phone_normalize_number (gtk_editable_get_text (GTK_EDITABLE (self->number_row)),
                                      &error);
  if (number == NULL)
    /* Translators: why a virtual number is wrong, and what follows from it */
    return g_strdup_printf (_("%s. Without a virtual number assigned to the employee, calls do "
                              "not work."), error->message);
  if (out_number != NULL)
    *out_number = g_steal_pointer (&number);
  return NULL;
}

/* The errors show beside their fields, once the user is done with a field. */
static void
update (NcEmployeeEditor *self)
{
  gboolean api = calls_through_api (self);
  g_autofree char *name = name_problem (self);
  g_autofree char *id = id_problem (self);
  g_autofree char *number = number_problem (self, NULL);

  gtk_widget_set_visible (GTK_WIDGET (self->id_row), api);
  gtk_widget_set_visible (GTK_WIDGET (self->number_row), api);
  nc_field_error_show (self->name_error, GTK_WIDGET (self->name_row),
                       self->name_done ? name : NULL);
  nc_field_error_show (self->id_error, GTK_WIDGET (self->id_row), self->id_done ? id : NULL);
  nc_field_error_show (self->number_error, GTK_WIDGET (self->number_row),
                       self->number_done ? number : NULL);
}

static void
name_left (NcEmployeeEditor *self)
{
  self->name_done = TRUE;
  update (self);
}

static void
id_left (NcEmployeeEditor *self)
{
  self->id_done = TRUE;
  update (self);
}

static void
number_left (NcEmployeeEditor *self)
{
  self->number_done = TRUE;
  update (self);
}

static void
save_clicked (NcEmployeeEditor *self)
{
  NcCallMethod method = adw_combo_row_get_selected (self->method_row);
  g_autofree char *name = stripped_text (self->name_row);
  g_autofree char *name_wrong = name_problem (self);
  g_autofree char *id_wrong = id_problem (self);
  g_autofree char *number = NULL;
  g_autofree char *number_wrong = number_problem (self, &number);
  g_autofree char *id = stripped_text (self->id_row);

  /* Saving shows every error, and takes the user to the first. */
  if (name_wrong != NULL || id_wrong != NULL || number_wrong != NULL)
    {
      self->name_done = self->id_done = self->number_done = TRUE;
      update (self);
      gtk_widget_grab_focus (GTK_WIDGET (name_wrong != NULL ? self->name_row
                                         : id_wrong != NULL ? self->id_row : self->number_row));
      return;
    }

  g_clear_object (&self->result);
  self->result = nc_employee_new (self->id, name, *id != '\0' ? id : NULL,
                                  method == NC_CALL_METHOD_API ? number : NULL, method);
  g_signal_emit (self, signals[SIGNAL_SAVE], 0);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
delete_clicked (NcEmployeeEditor *self)
{
  g_signal_emit (self, signals[SIGNAL_DELETE], 0, self->id);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
pick_extension_activated (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  NcEmployeeEditor *self = NC_EMPLOYEE_EDITOR (widget);

  gtk_editable_set_text (GTK_EDITABLE (self->id_row), g_variant_get_string (parameter, NULL));
}

static void
pick_number_activated (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  NcEmployeeEditor *self = NC_EMPLOYEE_EDITOR (widget);

  gtk_editable_set_text (GTK_EDITABLE (self->number_row), g_variant_get_string (parameter, NULL));
}

static void
nc_employee_editor_dispose (GObject *object)
{
  NcEmployeeEditor *self = NC_EMPLOYEE_EDITOR (object);

  g_clear_object (&self->result);

  G_OBJECT_CLASS (nc_employee_editor_parent_class)->dispose (object);
}

static void
nc_employee_editor_class_init (NcEmployeeEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = nc_employee_editor_dispose;

  /**
   * NcEmployeeEditor::save:
   *
   * The user saved: nc_employee_editor_get_result() has the employee.
   */
  signals[SIGNAL_SAVE] = g_signal_new ("save", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                       NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_DELETE] = g_signal_new ("delete", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_BASE_PATH "/nc-employee-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, NcEmployeeEditor, name_row);
  gtk_widget_class_bind_template_child (widget_class, NcEmployeeEditor, method_row);
  gtk_widget_class_bind_template_child (widget_class, NcEmployeeEditor, id_row);
  gtk_widget_class_bind_template_child (widget_class, NcEmployeeEditor, number_row);
  gtk_widget_class_bind_template_child (widget_class, NcEmployeeEditor, me_switch);
  gtk_widget_class_bind_template_child (widget_class, NcEmployeeEditor, save_button);
  gtk_widget_class_bind_template_child (widget_class, NcEmployeeEditor, delete_button);
  gtk_widget_class_bind_template_child (widget_class, NcEmployeeEditor, group);
  gtk_widget_class_bind_template_child (widget_class, NcEmployeeEditor, extension_button);
  gtk_widget_class_bind_template_child (widget_class, NcEmployeeEditor, number_button);
  gtk_widget_class_install_action (widget_class, "editor.pick-extension", "s",
                                   pick_extension_activated);
  gtk_widget_class_install_action (widget_class, "editor.pick-number", "s", pick_number_activated);
  gtk_widget_class_bind_template_callback (widget_class, update);
  gtk_widget_class_bind_template_callback (widget_class, save_clicked);
  gtk_widget_class_bind_template_callback (widget_class, delete_clicked);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
nc_employee_editor_init (NcEmployeeEditor *self)
{
  GtkWidget *me_row;

  gtk_widget_init_template (GTK_WIDGET (self));

  /* Each error under its own field. */
  self->name_error = nc_field_error_new ();
  self->id_error = nc_field_error_new ();
  self->number_error = nc_field_error_new ();
  me_row = gtk_widget_get_ancestor (GTK_WIDGET (self->me_switch), ADW_TYPE_ACTION_ROW);
  g_object_ref (me_row);
  adw_preferences_group_remove (self->group, GTK_WIDGET (self->method_row));
  adw_preferences_group_remove (self->group, GTK_WIDGET (self->id_row));
  adw_preferences_group_remove (self->group, GTK_WIDGET (self->number_row));
  adw_preferences_group_remove (self->group, me_row);
  adw_preferences_group_add (self->group, self->name_error);
  adw_preferences_group_add (self->group, GTK_WIDGET (self->method_row));
  adw_preferences_group_add (self->group, GTK_WIDGET (self->id_row));
  adw_preferences_group_add (self->group, self->id_error);
  adw_preferences_group_add (self->group, GTK_WIDGET (self->number_row));
  adw_preferences_group_add (self->group, self->number_error);
  adw_preferences_group_add (self->group, me_row);
  g_object_unref (me_row);
  nc_on_focus_leave (GTK_WIDGET (self->name_row), G_CALLBACK (name_left), self);
  nc_on_focus_leave (GTK_WIDGET (self->id_row), G_CALLBACK (id_left), self);
  nc_on_focus_leave (GTK_WIDGET (self->number_row), G_CALLBACK (number_left), self);
  gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (self->name_row));
}

/**
 * nc_employee_editor_new:
 * @employee: (nullable): the employee to edit, or %NULL for a new one
 * @is_me: whether this console acts as @employee
 */
NcEmployeeEditor *
nc_employee_editor_new (GtkWindow  *parent,
                        NcEmployee *employee,
                        gboolean    is_me)
{
  NcEmployeeEditor *self = g_object_new (NC_TYPE_EMPLOYEE_EDITOR,
                                         "transient-for", parent,
                                         "modal", TRUE,
                                         "title", employee != NULL ? _("Edit Employee")
                                                                   : _("New Employee"),
                                         NULL);

  if (employee != NULL)
    {
      self->id = nc_employee_get_id (employee);
      nc_employee_editor_fill (self, nc_employee_get_name (employee),
                               nc_employee_get_call_method (employee),
                               nc_employee_get_employee_id (employee),
                               nc_employee_get_virtual_number (employee));
    }
  gtk_switch_set_active (self->me_switch, is_me);
  gtk_widget_set_visible (GTK_WIDGET (self->delete_button), employee != NULL);
  update (self);
  return self;
}

/**
 * nc_employee_editor_fill:
 *
 * Types into the fields, as the user does.
 */
void
nc_employee_editor_fill (NcEmployeeEditor *self,
                         const char       *name,
                         NcCallMethod      method,
                         const char       *employee_id,
                         const char       *virtual_number)
{
  g_return_if_fail (NC_IS_EMPLOYEE_EDITOR (self));

  gtk_editable_set_text (GTK_EDITABLE (self->name_row), name != NULL ? name : "");
  adw_combo_row_set_selected (self->method_row, method);
  gtk_editable_set_text (GTK_EDITABLE (self->id_row), employee_id != NULL ? employee_id : "");
  gtk_editable_set_text (GTK_EDITABLE (self->number_row),
                         virtual_number != NULL ? virtual_number : "");
  update (self);
}

gboolean
nc_employee_editor_is_valid (NcEmployeeEditor *self)
{
  g_autofree char *name = NULL;
  g_autofree char *id = NULL;
  g_autofree char *number = NULL;

  g_return_val_if_fail (NC_IS_EMPLOYEE_EDITOR (self), FALSE);

  name = name_problem (self);
  id = id_problem (self);
  number = number_problem (self, NULL);
  return name == NULL && id == NULL && number == NULL;
}

/**
 * nc_employee_editor_get_result:
 *
 * Returns: (transfer none) (nullable): the employee as saved
 */
NcEmployee *
nc_employee_editor_get_result (NcEmployeeEditor *self)
{
  g_return_val_if_fail (NC_IS_EMPLOYEE_EDITOR (self), NULL);
  return self->result;
}

gboolean
nc_employee_editor_get_is_me (NcEmployeeEditor *self)
{
  g_return_val_if_fail (NC_IS_EMPLOYEE_EDITOR (self), FALSE);
  return gtk_switch_get_active (self->me_switch);
}

static GMenuItem *
pick_item (const char *label,
           const char *action,
           const char *value)
{
  GMenuItem *item = g_menu_item_new (label, NULL);

  g_menu_item_set_action_and_target_value (item, action, g_variant_new_string (value));
  return item;
}

/**
 * nc_employee_editor_set_choices:
 * @extensions: (nullable): the PBX's extensions
 * @numbers: (nullable) (element-type NcZadarmaNumber): the account's virtual numbers
 * @problem: (nullable): why the PBX could not be asked, shown on the pick buttons
 *
 * What the API reports, offered beside the employee id and the virtual number.
 */
void
nc_employee_editor_set_choices (NcEmployeeEditor  *self,
                                const char *const *extensions,
                                GPtrArray         *numbers,
                                const char        *problem)
{
  g_autoptr(GMenu) extension_menu = g_menu_new ();
  g_autoptr(GMenu) number_menu = g_menu_new ();

  g_return_if_fail (NC_IS_EMPLOYEE_EDITOR (self));

  for (guint i = 0; extensions != NULL && extensions[i] != NULL; i++)
    {
      g_autoptr(GMenuItem) item = pick_item (extensions[i], "editor.pick-extension",
                                             extensions[i]);

      g_menu_append_item (extension_menu, item);
    }
  for (guint i = 0; numbers != NULL && i < numbers->len; i++)
    {
      NcZadarmaNumber *number = numbers->pdata[i];
      g_autofree char *canonical = nc_phone_normalize_number (number->number, NULL);
      g_autofree char *shown = NULL;
      g_autofree char *label = NULL;
      g_autoptr(GMenuItem) item = NULL;

      if (canonical == NULL)
        continue;
      shown = nc_phone_format (canonical);
      label = number->description != NULL && *number->description != '\0'
              ? g_strdup_printf ("%s — %s", shown, number->description) : g_strdup (shown);
      item = pick_item (label, "editor.pick-number", canonical);
      g_menu_append_item (number_menu, item);
    }

  gtk_menu_button_set_menu_model (self->extension_button, G_MENU_MODEL (extension_menu));
  gtk_menu_button_set_menu_model (self->number_button, G_MENU_MODEL (number_menu));
  gtk_widget_set_visible (GTK_WIDGET (self->extension_button), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->number_button), TRUE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->extension_button),
                            g_menu_model_get_n_items (G_MENU_MODEL (extension_menu)) > 0);
  gtk_widget_set_sensitive (GTK_WIDGET (self->number_button),
                            g_menu_model_get_n_items (G_MENU_MODEL (number_menu)) > 0);
  if (problem != NULL)
    {
      g_autofree char *tooltip = g_strdup_printf (_("Could not ask the PBX: %s"), problem);

      gtk_widget_set_tooltip_text (GTK_WIDGET (self->extension_button), tooltip);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->number_button), tooltip);
    }
}
