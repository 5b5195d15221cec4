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
#include "nc-zadarma-call.h"

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
  GtkLabel     *problem_label;
};

G_DEFINE_FINAL_TYPE (NcEmployeeEditor, nc_employee_editor, ADW_TYPE_WINDOW)

static guint signals[N_SIGNALS];

static char *
check (NcEmployeeEditor *self)
{
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));
  g_autoptr(NcCallRequest) request = NULL;
  g_autoptr(GError) error = NULL;

  if (*name == '\0')
    return g_strdup (_("The employee needs a name"));
  if (adw_combo_row_get_selected (self->method_row) != NC_CALL_METHOD_API)
    return NULL;

  /* The same checks as every call through the API makes. */
  request = nc_call_request_new ("79000000000",
                                 gtk_editable_get_text (GTK_EDITABLE (self->number_row)),
                                 gtk_editable_get_text (GTK_EDITABLE (self->id_row)), &error);
  return request == NULL ? g_strdup (error->message) : NULL;
}

static void
update (NcEmployeeEditor *self)
{
  gboolean api = adw_combo_row_get_selected (self->method_row) == NC_CALL_METHOD_API;
  g_autofree char *problem = check (self);

  gtk_widget_set_visible (GTK_WIDGET (self->id_row), api);
  gtk_widget_set_visible (GTK_WIDGET (self->number_row), api);
  gtk_widget_set_sensitive (GTK_WIDGET (self->save_button), problem == NULL);
  gtk_label_set_label (self->problem_label, problem != NULL ? problem : "");
  gtk_widget_set_visible (GTK_WIDGET (self->problem_label), problem != NULL);
}

static void
save_clicked (NcEmployeeEditor *self)
{
  NcCallMethod method = adw_combo_row_get_selected (self->method_row);
  g_autoptr(NcCallRequest) request = NULL;
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));

  if (!nc_employee_editor_is_valid (self))
    return;

  if (method == NC_CALL_METHOD_API)
    request = nc_call_request_new ("79000000000",
                                   gtk_editable_get_text (GTK_EDITABLE (self->number_row)),
                                   gtk_editable_get_text (GTK_EDITABLE (self->id_row)), NULL);
  g_clear_object (&self->result);
  self->result = nc_employee_new (self->id, name,
                                  request != NULL ? request->employee_id
                                                  : gtk_editable_get_text (GTK_EDITABLE (self->id_row)),
                                  request != NULL ? request->employee_phone : NULL, method);
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
  gtk_widget_class_bind_template_child (widget_class, NcEmployeeEditor, problem_label);
  gtk_widget_class_bind_template_callback (widget_class, update);
  gtk_widget_class_bind_template_callback (widget_class, save_clicked);
  gtk_widget_class_bind_template_callback (widget_class, delete_clicked);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
nc_employee_editor_init (NcEmployeeEditor *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
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
  g_autofree char *problem = check (self);

  g_return_val_if_fail (NC_IS_EMPLOYEE_EDITOR (self), FALSE);
  return problem == NULL;
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
