/* nc-employee-list.c — the project's employees, as a list model, found by their id
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The employees are few and shown everywhere (the employees page, who this console acts
 * as, the name beside every call), so they are read whole, off the main context, and
 * again whenever the store says they changed. The list is sorted by name, as the store
 * gives it.
 */

#define G_LOG_DOMAIN "nc-employee-list"

#include "config.h"

#include <glib/gi18n.h>

#include "nc-employee-list.h"

enum {
  PROP_0,
  PROP_LOADED,
  N_PROPS
};

struct _NcEmployeeList
{
  GObject       parent_instance;

  NcStore      *store;
  GListStore   *employees;
  GCancellable *cancellable;
  guint         serial;
  gboolean      loaded;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (NcEmployeeList, nc_employee_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static GParamSpec *properties[N_PROPS];

static GType
get_item_type (GListModel *model)
{
  return NC_TYPE_EMPLOYEE;
}

static guint
get_n_items (GListModel *model)
{
  return g_list_model_get_n_items (G_LIST_MODEL (NC_EMPLOYEE_LIST (model)->employees));
}

static gpointer
get_item (GListModel *model,
          guint       position)
{
  return g_list_model_get_item (G_LIST_MODEL (NC_EMPLOYEE_LIST (model)->employees), position);
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

typedef struct
{
  NcEmployeeList *self;
  guint           serial;
} Reading;

static void
listed (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  Reading *reading = user_data;
  NcEmployeeList *self = reading->self;
  g_autoptr(GPtrArray) employees = NULL;
  g_autoptr(GError) error = NULL;

  employees = nc_store_list_employees_finish (NC_STORE (source), result, &error);
  if (employees == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Could not read the employees: %s", error->message);
    }
  /* Only the newest reading counts: an older one may have been overtaken. */
  else if (reading->serial == self->serial)
    {
      g_list_store_splice (self->employees, 0,
                           g_list_model_get_n_items (G_LIST_MODEL (self->employees)),
                           employees->pdata, employees->len);
      if (!self->loaded)
        {
          self->loaded = TRUE;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);
        }
    }

  g_object_unref (reading->self);
  g_free (reading);
}

/**
 * nc_employee_list_reload:
 *
 * Reads the employees again. The store's change feed calls it by itself.
 */
void
nc_employee_list_reload (NcEmployeeList *self)
{
  Reading *reading;

  g_return_if_fail (NC_IS_EMPLOYEE_LIST (self));

  if (self->store == NULL)
    return;
  reading = g_new0 (Reading, 1);
  reading->self = g_object_ref (self);
  reading->serial = ++self->serial;
  nc_store_list_employees_async (self->store, self->cancellable, listed, reading);
}

static void
store_changed (NcStore        *store,
               NcStoreChange   kind,
               gint64          id,
               NcEmployeeList *self)
{
  if (kind == NC_STORE_CHANGE_EMPLOYEES)
    nc_employee_list_reload (self);
}

static void
nc_employee_list_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  NcEmployeeList *self = NC_EMPLOYEE_LIST (object);

  switch (prop_id)
    {
    case PROP_LOADED:
      g_value_set_boolean (value, self->loaded);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nc_employee_list_dispose (GObject *object)
{
  NcEmployeeList *self = NC_EMPLOYEE_LIST (object);

  g_cancellable_cancel (self->cancellable);
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (nc_employee_list_parent_class)->dispose (object);
}

static void
nc_employee_list_finalize (GObject *object)
{
  NcEmployeeList *self = NC_EMPLOYEE_LIST (object);

  g_clear_object (&self->employees);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (nc_employee_list_parent_class)->finalize (object);
}

static void
nc_employee_list_class_init (NcEmployeeListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = nc_employee_list_get_property;
  object_class->dispose = nc_employee_list_dispose;
  object_class->finalize = nc_employee_list_finalize;

  /**
   * NcEmployeeList:loaded:
   *
   * Whether the employees were read at least once: before that, an empty list means
   * nothing.
   */
  properties[PROP_LOADED] =
    g_param_spec_boolean ("loaded", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
nc_employee_list_init (NcEmployeeList *self)
{
  self->employees = g_list_store_new (NC_TYPE_EMPLOYEE);
  self->cancellable = g_cancellable_new ();
  g_signal_connect_swapped (self->employees, "items-changed",
                            G_CALLBACK (g_list_model_items_changed), self);
}

NcEmployeeList *
nc_employee_list_new (void)
{
  return g_object_new (NC_TYPE_EMPLOYEE_LIST, NULL);
}

/**
 * nc_employee_list_set_store:
 *
 * Reads the employees of @store, and follows its changes.
 */
void
nc_employee_list_set_store (NcEmployeeList *self,
                            NcStore        *store)
{
  g_return_if_fail (NC_IS_EMPLOYEE_LIST (self));

  if (self->store == store)
    return;
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_set_object (&self->store, store);
  if (store != NULL)
    {
      g_signal_connect_object (store, "changed", G_CALLBACK (store_changed), self, 0);
      nc_employee_list_reload (self);
    }
}

gboolean
nc_employee_list_get_loaded (NcEmployeeList *self)
{
  g_return_val_if_fail (NC_IS_EMPLOYEE_LIST (self), FALSE);
  return self->loaded;
}

/**
 * nc_employee_list_lookup:
 * @employee_id: (nullable): the employee's id in the PBX (their extension)
 *
 * Returns: (transfer none) (nullable): the employee with this id
 */
NcEmployee *
nc_employee_list_lookup (NcEmployeeList *self,
                         const char     *employee_id)
{
  guint n;

  g_return_val_if_fail (NC_IS_EMPLOYEE_LIST (self), NULL);

  if (employee_id == NULL || *employee_id == '\0')
    return NULL;
  n = g_list_model_get_n_items (G_LIST_MODEL (self->employees));
  for (guint i = 0; i < n; i++)
    {
      NcEmployee *employee = g_list_model_get_item (G_LIST_MODEL (self->employees), i);

      /* The store keeps a reference: the pointer outlives this one. */
      g_object_unref (employee);
      if (g_strcmp0 (nc_employee_get_employee_id (employee), employee_id) == 0)
        return employee;
    }
  return NULL;
}

/**
 * nc_employee_list_describe:
 * @employee_id: (nullable): an extension, as a call names it
 *
 * Returns: (transfer full) (nullable): the employee's name, or "extension 100" for one
 *   that is not an employee of the project, or %NULL for none
 */
char *
nc_employee_list_describe (NcEmployeeList *self,
                           const char     *employee_id)
{
  NcEmployee *employee;

  g_return_val_if_fail (NC_IS_EMPLOYEE_LIST (self), NULL);

  if (employee_id == NULL || *employee_id == '\0')
    return NULL;
  employee = nc_employee_list_lookup (self, employee_id);
  if (employee != NULL)
    return g_strdup (nc_employee_get_name (employee));
  /* Translators: a PBX extension that belongs to no employee of the project */
  return g_strdup_printf (_("extension %s"), employee_id);
}
