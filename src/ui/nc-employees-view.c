/* nc-employees-view.c — the people who make calls, and how each one calls
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nc-employees-view"

#include "config.h"

#include <glib/gi18n.h>

#include "nc-employee-editor.h"
#include "nc-employees-view.h"

enum {
  SIGNAL_CHANGED,
  N_SIGNALS
};

struct _NcEmployeesView
{
  AdwBin      parent_instance;

  NcStore    *store;
  GSettings  *settings;
  NcZadarmaClient *client;     /* to offer the PBX's extensions and numbers */

  GtkStack   *stack;
  GtkListBox *list;
};

G_DEFINE_FINAL_TYPE (NcEmployeesView, nc_employees_view, ADW_TYPE_BIN)

static guint signals[N_SIGNALS];

static const char *
method_text (NcEmployee *employee)
{
  switch (nc_employee_get_call_method (employee))
    {
    case NC_CALL_METHOD_DISABLED:
      return _("Calls disabled");
    case NC_CALL_METHOD_APP:
      return _("Calls via app");
    case NC_CALL_METHOD_API:
      return _("Calls via Novofon API");
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

/**
 * nc_employees_view_show:
 * @employees: (element-type NcEmployee): the employees, by name
 * @current: (nullable): the employee id this console acts as
 */
void
nc_employees_view_show (NcEmployeesView *self,
                        GPtrArray       *employees,
                        const char      *current)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);

  for (guint i = 0; i < employees->len; i++)
    {
      NcEmployee *employee = employees->pdata[i];
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *subtitle = NULL;

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), nc_employee_get_name (employee));
      if (nc_employee_get_call_method (employee) == NC_CALL_METHOD_API)
        /* Translators: how the employee calls · employee id · virtual number */
        subtitle = g_strdup_printf (_("%s · id %s · %s"), method_text (employee),
                                    nc_employee_get_employee_id (employee),
                                    nc_employee_get_virtual_number (employee));
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

  gtk_stack_set_visible_child_name (self->stack, employees->len > 0 ? "list" : "empty");
}

static void
saved_in_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  NcEmployeesView *self = source_object;
  GError *error = NULL;

  if (NC_IS_EMPLOYEE (task_data))
    {
      if (nc_store_save_employee_sync (self->store, task_data, &error) == 0)
        {
          g_task_return_error (task, error);
          return;
        }
    }
  else if (!nc_store_delete_employee_sync (self->store, *(gint64 *) task_data, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
written (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  NcEmployeesView *self = NC_EMPLOYEES_VIEW (source);
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_autofree char *message = g_strdup_printf (_("The employee was not saved: %s"),
                                                  error->message);

      gtk_widget_activate_action (GTK_WIDGET (self), "win.toast", "s", message);
    }
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

static void
editor_saved (NcEmployeeEditor *editor,
              NcEmployeesView  *self)
{
  NcEmployee *employee = nc_employee_editor_get_result (editor);
  g_autoptr(GTask) task = g_task_new (self, NULL, written, NULL);

  /* "This is me" is a setting of this desktop, not of the project. */
  if (self->settings != NULL)
    {
      g_autofree char *current = g_settings_get_string (self->settings, "current-employee");

      if (nc_employee_editor_get_is_me (editor))
        g_settings_set_string (self->settings, "current-employee",
                               nc_employee_get_employee_id (employee) != NULL
                               ? nc_employee_get_employee_id (employee) : "");
      else if (g_strcmp0 (current, nc_employee_get_employee_id (employee)) == 0)
        g_settings_set_string (self->settings, "current-employee", "");
    }

  g_task_set_task_data (task, g_object_ref (employee), g_object_unref);
  g_task_run_in_thread (task, saved_in_thread);
}

static void
editor_deleted (NcEmployeeEditor *editor,
                gint64            id,
                NcEmployeesView  *self)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, written, NULL);

  g_task_set_task_data (task, g_memdup2 (&id, sizeof id), g_free);
  g_task_run_in_thread (task, saved_in_thread);
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
  g_autofree char *current = self->settings != NULL
                             ? g_settings_get_string (self->settings, "current-employee") : NULL;
  gboolean is_me = employee != NULL && current != NULL && *current != '\0' &&
                   g_strcmp0 (current, nc_employee_get_employee_id (employee)) == 0;
  NcEmployeeEditor *editor = nc_employee_editor_new (
    GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), employee, is_me);

  g_signal_connect_object (editor, "save", G_CALLBACK (editor_saved), self, 0);
  g_signal_connect_object (editor, "delete", G_CALLBACK (editor_deleted), self, 0);
  if (self->client != NULL)
    {
      Choices *choices = g_new0 (Choices, 1);

      g_weak_ref_init (&choices->editor, editor);
      nc_zadarma_client_extensions_async (self->client, NULL, extensions_received, choices);
    }
  gtk_window_present (GTK_WINDOW (editor));
  return GTK_WINDOW (editor);
}

static void
add_clicked (NcEmployeesView *self)
{
  nc_employees_view_edit (self, NULL);
}

/**
 * nc_employees_view_set_store:
 * @settings: (nullable): for "This is me"
 */
void
nc_employees_view_set_store (NcEmployeesView *self,
                             NcStore         *store,
                             GSettings       *settings)
{
  g_return_if_fail (NC_IS_EMPLOYEES_VIEW (self));

  g_set_object (&self->store, store);
  g_set_object (&self->settings, settings);
}

/**
 * nc_employees_view_set_client:
 * @client: (nullable): the API, to offer the PBX's extensions and numbers in the editor
 */
void
nc_employees_view_set_client (NcEmployeesView *self,
                              NcZadarmaClient *client)
{
  g_return_if_fail (NC_IS_EMPLOYEES_VIEW (self));

  g_set_object (&self->client, client);
}

static void
nc_employees_view_dispose (GObject *object)
{
  NcEmployeesView *self = NC_EMPLOYEES_VIEW (object);

  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  g_clear_object (&self->client);

  G_OBJECT_CLASS (nc_employees_view_parent_class)->dispose (object);
}

static void
nc_employees_view_class_init (NcEmployeesViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = nc_employees_view_dispose;

  /**
   * NcEmployeesView::changed:
   *
   * An employee was saved or deleted: whoever shows employees reads them again.
   */
  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 0);

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
