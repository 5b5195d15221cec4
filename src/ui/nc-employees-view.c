/* nc-employees-view.c — the people who make calls, and how each one calls
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nc-employees-view"

#include "config.h"

#include <glib/gi18n.h>

#include "nc-employee-editor.h"
#include "nc-employees-view.h"
#include "nc-phone.h"

struct _NcEmployeesView
{
  AdwBin      parent_instance;

  NcSession  *session;

  GtkStack   *stack;
  GtkListBox *list;
};

G_DEFINE_FINAL_TYPE (NcEmployeesView, nc_employees_view, ADW_TYPE_BIN)

static const char *
method_text (NcEmployee *employee)
{
  switch (nc_employee_get_call_method (employee))
    {
    case NC_CALL_METHOD_DISABLED:
      return C_("call method as a status", "Calls disabled");
    case NC_CALL_METHOD_APP:
      return C_("call method as a status", "Calls via app");
    case NC_CALL_METHOD_API:
      return C_("call method as a status", "Calls via Novofon API");
    default:
      g_assert_not_reached ();
    }
}

static void
row_activated (AdwActionRow    *row,
               NcEmployeesView *self)
{
  nc_employees_view_edit (self, g_object_get_data (G_OBJECT (row), "nc-employee"));
}

/* The list is read again whenever the store says the employees changed; who this console
 * acts as may change on its own. */
static void
update (NcEmployeesView *self)
{
  NcEmployeeList *employees = nc_session_get_employees (self->session);
  const char *current = nc_dialer_get_employee_id (nc_session_get_dialer (self->session));
  guint n = g_list_model_get_n_items (G_LIST_MODEL (employees));
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(NcEmployee) employee = g_list_model_get_item (G_LIST_MODEL (employees), i);
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *subtitle = NULL;

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), nc_employee_get_name (employee));
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      if (nc_employee_get_call_method (employee) == NC_CALL_METHOD_API)
        {
          g_autofree char *number = nc_phone_format (nc_employee_get_virtual_number (employee));

          /* Translators: how the employee calls · employee id · virtual number */
          subtitle = g_strdup_printf (_("%s · ID %s · %s"), method_text (employee),
                                      nc_employee_get_employee_id (employee), number);
        }
      else
        subtitle = g_strdup (method_text (employee));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      if (current != NULL && *current != '\0' &&
          g_strcmp0 (nc_employee_get_employee_id (employee), current) == 0)
        {
          GtkWidget *me = gtk_label_new (_("This is me"));

          gtk_widget_add_css_class (me, "dim-label");
          adw_action_row_add_suffix (ADW_ACTION_ROW (row), me);
        }
      adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                 gtk_image_new_from_icon_name ("go-next-symbolic"));
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      g_object_set_data_full (G_OBJECT (row), "nc-employee", g_object_ref (employee),
                              g_object_unref);
      g_signal_connect (row, "activated", G_CALLBACK (row_activated), self);
      gtk_list_box_append (self->list, row);
    }

  gtk_stack_set_visible_child_name (self->stack, n > 0 ? "list" : "empty");
}

static void
written (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(NcEmployeesView) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean done;

  if (g_task_get_source_tag (G_TASK (result)) == nc_store_save_employee_async)
    done = nc_store_save_employee_finish (NC_STORE (source), result, &error) != 0;
  else
    done = nc_store_delete_employee_finish (NC_STORE (source), result, &error);
  if (!done)
    {
      g_autofree char *message = g_strdup_printf (_("The employee was not saved: %s"),
                                                  error->message);

      gtk_widget_activate_action (GTK_WIDGET (self), "win.toast", "s", message);
    }
}

static void
editor_saved (NcEmployeeEditor *editor,
              NcEmployeesView  *self)
{
  NcEmployee *employee = nc_employee_editor_get_result (editor);
  GSettings *settings = nc_session_get_settings (self->session);
  NcStore *store = nc_session_get_store (self->session);

  /* "This is me" is a setting of this desktop, not of the project. */
  if (settings != NULL)
    {
      g_autofree char *current = g_settings_get_string (settings, "current-employee");

      if (nc_employee_editor_get_is_me (editor))
        g_settings_set_string (settings, "current-employee",
                               nc_employee_get_employee_id (employee) != NULL
                               ? nc_employee_get_employee_id (employee) : "");
      else if (g_strcmp0 (current, nc_employee_get_employee_id (employee)) == 0)
        g_settings_set_string (settings, "current-employee", "");
    }

  if (store != NULL)
    nc_store_save_employee_async (store, employee, NULL, written, g_object_ref (self));
}

static void
editor_deleted (NcEmployeeEditor *editor,
                gint64            id,
                NcEmployeesView  *self)
{
  NcStore *store = nc_session_get_store (self->session);

  if (store != NULL)
    nc_store_delete_employee_async (store, id, NULL, written, g_object_ref (self));
}

/* What the PBX reports, asked for while the editor is open. */
typedef struct
{
  GWeakRef  editor;
  GStrv     extensions;
  char     *problem;
} Choices;

static void
choices_free (Choices *choices)
{
  g_weak_ref_clear (&choices->editor);
  g_strfreev (choices->extensions);
  g_free (choices->problem);
  g_free (choices);
}

static void
numbers_received (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Choices *choices = user_data;
  g_autoptr(NcEmployeeEditor) editor = g_weak_ref_get (&choices->editor);
  g_autoptr(GPtrArray) numbers = NULL;
  g_autoptr(GError) error = NULL;

  numbers = nc_zadarma_client_direct_numbers_finish (NC_ZADARMA_CLIENT (source), result, &error);
  if (numbers == NULL && choices->problem == NULL)
    choices->problem = nc_zadarma_error_to_user_message (error);
  if (editor != NULL)
    nc_employee_editor_set_choices (editor, (const char *const *) choices->extensions, numbers,
                                    choices->problem);
  choices_free (choices);
}

static void
extensions_received (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  Choices *choices = user_data;
  g_autoptr(GError) error = NULL;

  choices->extensions = nc_zadarma_client_extensions_finish (NC_ZADARMA_CLIENT (source), result,
                                                             &error);
  if (choices->extensions == NULL)
    choices->problem = nc_zadarma_error_to_user_message (error);
  nc_zadarma_client_direct_numbers_async (NC_ZADARMA_CLIENT (source), NULL, numbers_received,
                                          choices);
}

/**
 * nc_employees_view_edit:
 * @employee: (nullable): %NULL for a new employee
 *
 * Returns: (transfer none): the editor, shown
 */
GtkWindow *
nc_employees_view_edit (NcEmployeesView *self,
                        NcEmployee      *employee)
{
  const char *current = nc_dialer_get_employee_id (nc_session_get_dialer (self->session));
  NcZadarmaClient *client = nc_session_get_zadarma_client (self->session);
  gboolean is_me = employee != NULL && current != NULL && *current != '\0' &&
                   g_strcmp0 (current, nc_employee_get_employee_id (employee)) == 0;
  NcEmployeeEditor *editor = nc_employee_editor_new (
    GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), employee, is_me);

  g_signal_connect_object (editor, "save", G_CALLBACK (editor_saved), self, 0);
  g_signal_connect_object (editor, "delete", G_CALLBACK (editor_deleted), self, 0);
  if (client != NULL)
    {
      Choices *choices = g_new0 (Choices, 1);

      g_weak_ref_init (&choices->editor, editor);
      nc_zadarma_client_extensions_async (client, NULL, extensions_received, choices);
    }
  else
    nc_employee_editor_set_choices (editor, NULL, NULL,
                                    _("No Novofon account is connected"));
  gtk_window_present (GTK_WINDOW (editor));
  return GTK_WINDOW (editor);
}

static void
add_clicked (NcEmployeesView *self)
{
  nc_employees_view_edit (self, NULL);
}

/**
 * nc_employees_view_set_session:
 *
 * Shows @session's employees, and saves what the editor changes into its store.
 */
void
nc_employees_view_set_session (NcEmployeesView *self,
                               NcSession       *session)
{
  g_return_if_fail (NC_IS_EMPLOYEES_VIEW (self));
  g_return_if_fail (self->session == NULL);

  self->session = g_object_ref (session);
  g_signal_connect_object (nc_session_get_employees (session), "items-changed",
                           G_CALLBACK (update), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (nc_session_get_dialer (session), "notify::employee-id",
                           G_CALLBACK (update), self, G_CONNECT_SWAPPED);
  update (self);
}

static void
nc_employees_view_dispose (GObject *object)
{
  NcEmployeesView *self = NC_EMPLOYEES_VIEW (object);

  g_clear_object (&self->session);

  G_OBJECT_CLASS (nc_employees_view_parent_class)->dispose (object);
}

static void
nc_employees_view_class_init (NcEmployeesViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = nc_employees_view_dispose;

  /* AdwBin owns the template’s one child and unparents it in dispose. */
  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_BASE_PATH "/nc-employees-view.ui");
  gtk_widget_class_bind_template_child (widget_class, NcEmployeesView, stack);
  gtk_widget_class_bind_template_child (widget_class, NcEmployeesView, list);
  gtk_widget_class_bind_template_callback (widget_class, add_clicked);
}

static void
nc_employees_view_init (NcEmployeesView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
