/* nc-store-employees.c — the store's employees and the project's messengers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nc-store"

#include "config.h"

#include <glib/gi18n.h>

#include "nc-store-private.h"

/* ------------------------------------------------------------------------------------ */
/* Employees                                                                             */

static gpointer
list_employees_job (NcStoreConnection  *conn,
                    gpointer            data,
                    GError            **error)
{
  g_autoptr(GPtrArray) employees = g_ptr_array_new_with_free_func (g_object_unref);
  NcStoreStmt *stmt;
  NcStoreStep step;

  stmt = nc_store_prepare (conn,
                           "SELECT id, name, employee_id, virtual_number, call_method "
                           "FROM employees ORDER BY name, id", error);
  if (stmt == NULL)
    return NULL;
  while ((step = nc_store_step (stmt, error)) == NC_STORE_STEP_ROW)
    {
      NcCallMethod method = NC_CALL_METHOD_DISABLED;

      nc_call_method_from_string (nc_store_column_text (stmt, 4), &method);
      g_ptr_array_add (employees,
                       nc_employee_new (nc_store_column_int64 (stmt, 0),
                                        nc_store_column_text (stmt, 1),
                                        nc_store_column_text (stmt, 2),
                                        nc_store_column_text (stmt, 3), method));
    }
  nc_store_reset (stmt);
  return step == NC_STORE_STEP_DONE ? g_steal_pointer (&employees) : NULL;
}

static NcStoreJob *
list_employees_job_new (void)
{
  return nc_store_job_new (list_employees_job, NULL, NULL, (GDestroyNotify) g_ptr_array_unref);
}

/**
 * nc_store_list_employees_sync:
 *
 * Returns: (transfer full) (element-type NcEmployee): the employees, by name
 */
GPtrArray *
nc_store_list_employees_sync (NcStore  *self,
                              GError  **error)
{
  g_return_val_if_fail (NC_IS_STORE (self), NULL);

  return nc_store_submit_sync (self, NC_STORE_READER, list_employees_job_new (), error);
}

void
nc_store_list_employees_async (NcStore             *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (NC_IS_STORE (self));

  nc_store_submit_async (self, NC_STORE_READER, list_employees_job_new (),
                         nc_store_list_employees_async, cancellable, callback, user_data);
}

/**
 * nc_store_list_employees_finish:
 *
 * Returns: (transfer full) (element-type NcEmployee): the employees, by name
 */
GPtrArray *
nc_store_list_employees_finish (NcStore       *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == nc_store_list_employees_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static gpointer
save_employee_job (NcStoreConnection  *conn,
                   gpointer            data,
                   GError            **error)
{
  NcEmployee *employee = data;
  g_autofree gint64 *id = g_new0 (gint64, 1);
  NcStoreStmt *stmt;
  int first;

  *id = nc_employee_get_id (employee);
  if (*id == 0)
    stmt = nc_store_prepare (conn,
                             "INSERT INTO employees (name, employee_id, virtual_number, "
                             "call_method) VALUES (?1, ?2, ?3, ?4) RETURNING id", error);
  else
    stmt = nc_store_prepare (conn,
                             "UPDATE employees SET name = ?2, employee_id = ?3, "
                             "virtual_number = ?4, call_method = ?5 WHERE id = ?1", error);
  if (stmt == NULL)
    return NULL;

  /* The same values, after the id when there is one. */
  first = *id == 0 ? 1 : 2;
  if (*id != 0)
    nc_store_bind_int64 (stmt, 1, *id);
  nc_store_bind_text (stmt, first, nc_employee_get_name (employee));
  nc_store_bind_text (stmt, first + 1, nc_employee_get_employee_id (employee));
  nc_store_bind_text (stmt, first + 2, nc_employee_get_virtual_number (employee));
  nc_store_bind_text (stmt, first + 3,
                      nc_call_method_to_string (nc_employee_get_call_method (employee)));

  if (*id == 0)
    {
      if (!nc_store_step_id (stmt, id, error))
        return NULL;
    }
  else
    {
      if (!nc_store_step_done (stmt, error))
        return NULL;
      if (nc_store_changes (conn) == 0)
        return g_steal_pointer (&id);
    }

  nc_store_mark_changed (conn, NC_STORE_CHANGE_EMPLOYEES, *id);
  return g_steal_pointer (&id);
}

static NcStoreJob *
save_employee_job_new (NcEmployee *employee)
{
  return nc_store_job_new (save_employee_job, g_object_ref (employee), g_object_unref, g_free);
}

/**
 * nc_store_save_employee_sync:
 * @employee: a new employee (id 0) or a changed one
 *
 * Returns: the employee's id, 0 on error
 */
gint64
nc_store_save_employee_sync (NcStore     *self,
                             NcEmployee  *employee,
                             GError     **error)
{
  g_autofree gint64 *id = NULL;

  g_return_val_if_fail (NC_IS_STORE (self), 0);
  g_return_val_if_fail (NC_IS_EMPLOYEE (employee), 0);

  id = nc_store_submit_sync (self, NC_STORE_WRITER, save_employee_job_new (employee), error);
  return id != NULL ? *id : 0;
}

/**
 * nc_store_save_employee_async:
 * @employee: a new employee (id 0) or a changed one
 */
void
nc_store_save_employee_async (NcStore             *self,
                              NcEmployee          *employee,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (NC_IS_STORE (self));
  g_return_if_fail (NC_IS_EMPLOYEE (employee));

  nc_store_submit_async (self, NC_STORE_WRITER, save_employee_job_new (employee),
                         nc_store_save_employee_async, cancellable, callback, user_data);
}

/**
 * nc_store_save_employee_finish:
 *
 * Returns: the employee's id, 0 on error
 */
gint64
nc_store_save_employee_finish (NcStore       *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_autofree gint64 *id = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), 0);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == nc_store_save_employee_async,
                        0);

  id = g_task_propagate_pointer (G_TASK (result), error);
  return id != NULL ? *id : 0;
}

static gpointer
delete_employee_job (NcStoreConnection  *conn,
                     gpointer            data,
                     GError            **error)
{
  gint64 id = *(gint64 *) data;
  NcStoreStmt *stmt = nc_store_prepare (conn, "DELETE FROM employees WHERE id = ?1", error);

  if (stmt == NULL)
    return NULL;
  nc_store_bind_int64 (stmt, 1, id);
  if (!nc_store_step_done (stmt, error))
    return NULL;
  if (nc_store_changes (conn) > 0)
    nc_store_mark_changed (conn, NC_STORE_CHANGE_EMPLOYEES, id);
  return GINT_TO_POINTER (TRUE);
}

static NcStoreJob *
delete_employee_job_new (gint64 id)
{
  return nc_store_job_new (delete_employee_job, g_memdup2 (&id, sizeof id), g_free, NULL);
}

/**
 * nc_store_delete_employee_sync:
 *
 * Deletes the employee; one that is not there is no error.
 */
gboolean
nc_store_delete_employee_sync (NcStore  *self,
                               gint64    id,
                               GError  **error)
{
  g_return_val_if_fail (NC_IS_STORE (self), FALSE);

  return nc_store_submit_sync (self, NC_STORE_WRITER, delete_employee_job_new (id),
                               error) != NULL;
}

void
nc_store_delete_employee_async (NcStore             *self,
                                gint64               id,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (NC_IS_STORE (self));

  nc_store_submit_async (self, NC_STORE_WRITER, delete_employee_job_new (id),
                         nc_store_delete_employee_async, cancellable, callback, user_data);
}

gboolean
nc_store_delete_employee_finish (NcStore       *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return nc_store_write_finish (self, result, nc_store_delete_employee_async, error);
}

/* ------------------------------------------------------------------------------------ */
/* Messengers                                                                           */

static gpointer
get_messengers_job (NcStoreConnection  *conn,
                    gpointer            data,
                    GError            **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  NcStoreStmt *stmt;
  NcStoreStep step;

  stmt = nc_store_prepare (conn, "SELECT channel FROM project_messengers ORDER BY channel",
                           error);
  if (stmt == NULL)
    return NULL;
  while ((step = nc_store_step (stmt, error)) == NC_STORE_STEP_ROW)
    g_strv_builder_add (builder, nc_store_column_text (stmt, 0));
  nc_store_reset (stmt);
  return step == NC_STORE_STEP_DONE ? g_strv_builder_end (builder) : NULL;
}

static NcStoreJob *
get_messengers_job_new (void)
{
  return nc_store_job_new (get_messengers_job, NULL, NULL, (GDestroyNotify) g_strfreev);
}

/**
 * nc_store_get_messengers_sync:
 *
 * Returns: (transfer full): the channels of the messengers connected to the project
 */
GStrv
nc_store_get_messengers_sync (NcStore  *self,
                              GError  **error)
{
  g_return_val_if_fail (NC_IS_STORE (self), NULL);

  return nc_store_submit_sync (self, NC_STORE_READER, get_messengers_job_new (), error);
}

void
nc_store_get_messengers_async (NcStore             *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (NC_IS_STORE (self));

  nc_store_submit_async (self, NC_STORE_READER, get_messengers_job_new (),
                         nc_store_get_messengers_async, cancellable, callback, user_data);
}

/**
 * nc_store_get_messengers_finish:
 *
 * Returns: (transfer full): the channels of the messengers connected to the project
 */
GStrv
nc_store_get_messengers_finish (NcStore       *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == nc_store_get_messengers_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static gpointer
set_messengers_job (NcStoreConnection  *conn,
                    gpointer            data,
                    GError            **error)
{
  const char *const *messengers = data;
  NcStoreStmt *stmt;

  stmt = nc_store_prepare (conn, "DELETE FROM project_messengers", error);
  if (stmt == NULL || !nc_store_step_done (stmt, error))
    return NULL;

  stmt = nc_store_prepare (conn,
                           "INSERT INTO project_messengers (channel) VALUES (?1) "
                           "ON CONFLICT DO NOTHING", error);
  if (stmt == NULL)
    return NULL;
  for (guint i = 0; messengers != NULL && messengers[i] != NULL; i++)
    {
      nc_store_bind_text (stmt, 1, messengers[i]);
      if (!nc_store_step_done (stmt, error))
        return NULL;
    }

  nc_store_mark_changed (conn, NC_STORE_CHANGE_MESSENGERS, 0);
  return GINT_TO_POINTER (TRUE);
}

static gboolean
check_messengers (const char *const  *messengers,
                  GError            **error)
{
  for (guint i = 0; messengers != NULL && messengers[i] != NULL; i++)
    {
      NcChannel channel;

      if (!nc_channel_from_string (messengers[i], &channel) || channel == NC_CHANNEL_TELEPHONY)
        {
          g_set_error (error, NC_STORE_ERROR, NC_STORE_ERROR_INVALID,
                       _("“%s” is not a messenger"), messengers[i]);
          return FALSE;
        }
    }
  return TRUE;
}

static NcStoreJob *
set_messengers_job_new (const char *const *messengers)
{
  return nc_store_job_new (set_messengers_job, g_strdupv ((GStrv) messengers),
                           (GDestroyNotify) g_strfreev, NULL);
}

/**
 * nc_store_set_messengers_sync:
 * @messengers: channel ids other than `telephony`; empty for none
 */
gboolean
nc_store_set_messengers_sync (NcStore            *self,
                              const char *const  *messengers,
                              GError            **error)
{
  g_return_val_if_fail (NC_IS_STORE (self), FALSE);

  if (!check_messengers (messengers, error))
    return FALSE;

  return nc_store_submit_sync (self, NC_STORE_WRITER, set_messengers_job_new (messengers),
                               error) != NULL;
}

/**
 * nc_store_set_messengers_async:
 * @messengers: channel ids other than `telephony`; empty for none
 */
void
nc_store_set_messengers_async (NcStore             *self,
                               const char *const   *messengers,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GError *error = NULL;

  g_return_if_fail (NC_IS_STORE (self));

  if (!check_messengers (messengers, &error))
    {
      g_task_report_error (self, callback, user_data, nc_store_set_messengers_async, error);
      return;
    }

  nc_store_submit_async (self, NC_STORE_WRITER, set_messengers_job_new (messengers),
                         nc_store_set_messengers_async, cancellable, callback, user_data);
}

gboolean
nc_store_set_messengers_finish (NcStore       *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  return nc_store_write_finish (self, result, nc_store_set_messengers_async, error);
}
