/* nc-dialer.c — how a click on a phone calls: the current employee's call method
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The source document's three methods, for the employee this console acts as: calls
 * disabled (no phone at all), calls through an app (a `tel:` link for the softphone), and
 * calls through the Novofon API (the PBX rings the employee, then the client). Like GNOME
 * Calls' manager, the dialer says whether a call can be placed now (`can-call`) and why
 * not (`problem`), so that whoever shows phones greys them out by itself instead of
 * hiding them row by row or ignoring a click.
 *
 * A call through the API is sent once and never again (see nc-zadarma-client.c), and a
 * second one to the same client is refused while the first is on its way: a duplicated
 * callback rings a real client twice. Clicks, notifications and the bots' zadarma_call
 * all come through here, so the guard holds for all of them. That path, from the guard to
 * the call's end, is nc-dialer-callback.c; this file is the object and the app's path.
 */

#define G_LOG_DOMAIN "nc-dialer"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "nc-dialer-private.h"
#include "nc-phone.h"

enum {
  PROP_0,
  PROP_EMPLOYEE_ID,
  PROP_EMPLOYEE,
  PROP_METHOD,
  PROP_SHOW_PHONES,
  PROP_CAN_CALL,
  PROP_PROBLEM,
  N_PROPS
};

enum {
  SIGNAL_MESSAGE,
  N_SIGNALS
};

G_DEFINE_FINAL_TYPE (NcDialer, nc_dialer, G_TYPE_OBJECT)
G_DEFINE_QUARK (nc-dialer-error-quark, nc_dialer_error)

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* Whether an employee can call through the API at all, and if not, why. */
static char *
api_problem (NcDialer   *self,
             NcEmployee *employee)
{
  if (self->client == NULL)
    return g_strdup (_("Connect the Novofon account in Preferences to call through the API"));
  if (nc_employee_get_employee_id (employee) == NULL ||
      nc_employee_get_virtual_number (employee) == NULL)
    return g_strdup_printf (_("%s has no employee ID or virtual number: set them under "
                              "Employees"), nc_employee_get_name (employee));
  return NULL;
}

static void
update (NcDialer *self)
{
  const char *id = self->employee_id != NULL && *self->employee_id != '\0'
                   ? self->employee_id : self->fallback_id;
  NcEmployee *employee = nc_employee_list_lookup (self->employees, id);
  NcCallMethod method = employee != NULL ? nc_employee_get_call_method (employee)
                                         : NC_CALL_METHOD_DISABLED;
  g_autofree char *problem = NULL;
  gboolean show_phones, can_call;

  if (employee == NULL)
    problem = g_list_model_get_n_items (G_LIST_MODEL (self->employees)) == 0
              ? g_strdup (_("Add yourself under Employees to call clients"))
              : g_strdup (_("Choose who you are to call clients"));
  else if (method == NC_CALL_METHOD_DISABLED)
    problem = g_strdup_printf (_("Calls are disabled for %s"), nc_employee_get_name (employee));
  else if (method == NC_CALL_METHOD_API)
    problem = api_problem (self, employee);

  /* Disabled calls show no phone at all; a console that does not know who it is shows
   * them grey, with the reason. */
  show_phones = employee == NULL || method != NC_CALL_METHOD_DISABLED;
  can_call = problem == NULL;

  g_object_freeze_notify (G_OBJECT (self));
  if (g_set_object (&self->employee, employee))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EMPLOYEE]);
  if (self->method != method)
    {
      self->method = method;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_METHOD]);
    }
  if (self->show_phones != show_phones)
    {
      self->show_phones = show_phones;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_PHONES]);
    }
  if (self->can_call != can_call)
    {
      self->can_call = can_call;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_CALL]);
    }
  if (g_strcmp0 (self->problem, problem) != 0)
    {
      g_free (self->problem);
      self->problem = g_steal_pointer (&problem);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROBLEM]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

static void
nc_dialer_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  NcDialer *self = NC_DIALER (object);

  switch (prop_id)
    {
    case PROP_EMPLOYEE_ID:
      g_value_set_string (value, self->employee_id);
      break;
    case PROP_EMPLOYEE:
      g_value_set_object (value, self->employee);
      break;
    case PROP_METHOD:
      g_value_set_int (value, self->method);
      break;
    case PROP_SHOW_PHONES:
      g_value_set_boolean (value, self->show_phones);
      break;
    case PROP_CAN_CALL:
      g_value_set_boolean (value, self->can_call);
      break;
    case PROP_PROBLEM:
      g_value_set_string (value, self->problem);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nc_dialer_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  NcDialer *self = NC_DIALER (object);

  switch (prop_id)
    {
    case PROP_EMPLOYEE_ID:
      nc_dialer_set_employee_id (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nc_dialer_dispose (GObject *object)
{
  NcDialer *self = NC_DIALER (object);

  if (self->tracker != NULL)
    g_signal_handlers_disconnect_by_data (self->tracker, self);
  if (self->employees != NULL)
    g_signal_handlers_disconnect_by_data (self->employees, self);
  g_clear_pointer (&self->attempts, g_hash_table_unref);
  g_clear_object (&self->tracker);
  g_clear_object (&self->employees);
  g_clear_object (&self->client);
  g_clear_object (&self->store);
  g_clear_object (&self->employee);

  G_OBJECT_CLASS (nc_dialer_parent_class)->dispose (object);
}

static void
nc_dialer_finalize (GObject *object)
{
  NcDialer *self = NC_DIALER (object);

  g_free (self->employee_id);
  g_free (self->fallback_id);
  g_free (self->problem);

  G_OBJECT_CLASS (nc_dialer_parent_class)->finalize (object);
}

static void
nc_dialer_class_init (NcDialerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->get_property = nc_dialer_get_property;
  object_class->set_property = nc_dialer_set_property;
  object_class->dispose = nc_dialer_dispose;
  object_class->finalize = nc_dialer_finalize;

  /**
   * NcDialer:employee-id:
   *
   * The employee this console acts as (the GSettings key `current-employee`).
   */
  properties[PROP_EMPLOYEE_ID] =
    g_param_spec_string ("employee-id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_EMPLOYEE] = g_param_spec_object ("employee", NULL, NULL, NC_TYPE_EMPLOYEE,
                                                   flags);
  properties[PROP_METHOD] = g_param_spec_int ("method", NULL, NULL, NC_CALL_METHOD_DISABLED,
                                              NC_CALL_METHOD_API, NC_CALL_METHOD_DISABLED,
                                              flags);
  /**
   * NcDialer:show-phones:
   *
   * Whether phones are shown beside numbers at all: not when the employee's calls are
   * disabled.
   */
  properties[PROP_SHOW_PHONES] = g_param_spec_boolean ("show-phones", NULL, NULL, FALSE, flags);
  properties[PROP_CAN_CALL] = g_param_spec_boolean ("can-call", NULL, NULL, FALSE, flags);
  /**
   * NcDialer:problem:
   *
   * Why no call can be placed now, in a sentence; %NULL when one can.
   */
  properties[PROP_PROBLEM] = g_param_spec_string ("problem", NULL, NULL, NULL, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * NcDialer::message:
   *
   * How a call placed through the API goes on (answered, connected, ended), in a
   * sentence for a toast.
   */
  signals[SIGNAL_MESSAGE] =
    g_signal_new ("message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
nc_dialer_init (NcDialer *self)
{
  self->attempts = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                          (GDestroyNotify) nc_dialer_attempt_free);
  self->window_ms = NC_CALLBACK_WINDOW_SECONDS * 1000;
}

NcDialer *
nc_dialer_new (NcCallTracker  *tracker,
               NcEmployeeList *employees)
{
  NcDialer *self;

  g_return_val_if_fail (NC_IS_CALL_TRACKER (tracker), NULL);
  g_return_val_if_fail (NC_IS_EMPLOYEE_LIST (employees), NULL);

  self = g_object_new (NC_TYPE_DIALER, NULL);
  self->tracker = g_object_ref (tracker);
  self->employees = g_object_ref (employees);
  g_signal_connect_object (tracker, "callback-tied", G_CALLBACK (nc_dialer_callback_tied), self, 0);
  g_signal_connect_object (employees, "items-changed", G_CALLBACK (update), self,
                           G_CONNECT_SWAPPED);
  update (self);
  return self;
}

/**
 * nc_dialer_set_client:
 * @client: (nullable): the API, for the employees who call through it
 */
void
nc_dialer_set_client (NcDialer        *self,
                      NcZadarmaClient *client)
{
  g_return_if_fail (NC_IS_DIALER (self));

  if (g_set_object (&self->client, client))
    update (self);
}

/**
 * nc_dialer_set_store:
 * @store: (nullable): where the clients are, to name the one who is called
 */
void
nc_dialer_set_store (NcDialer *self,
                     NcStore  *store)
{
  g_return_if_fail (NC_IS_DIALER (self));
  g_set_object (&self->store, store);
}

const char *
nc_dialer_get_employee_id (NcDialer *self)
{
  g_return_val_if_fail (NC_IS_DIALER (self), NULL);
  return self->employee_id;
}

void
nc_dialer_set_employee_id (NcDialer   *self,
                           const char *employee_id)
{
  g_return_if_fail (NC_IS_DIALER (self));

  if (g_strcmp0 (self->employee_id, employee_id) == 0)
    return;
  g_free (self->employee_id);
  self->employee_id = g_strdup (employee_id);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EMPLOYEE_ID]);
  update (self);
}

/**
 * nc_dialer_set_fallback_employee_id:
 *
 * Whom to act as while nobody is chosen: the demo's operator, so that the demo calls.
 */
void
nc_dialer_set_fallback_employee_id (NcDialer   *self,
                                    const char *employee_id)
{
  g_return_if_fail (NC_IS_DIALER (self));

  g_free (self->fallback_id);
  self->fallback_id = g_strdup (employee_id);
  update (self);
}

/**
 * nc_dialer_get_employee:
 *
 * Returns: (transfer none) (nullable): the employee this console acts as
 */
NcEmployee *
nc_dialer_get_employee (NcDialer *self)
{
  g_return_val_if_fail (NC_IS_DIALER (self), NULL);
  return self->employee;
}

NcCallMethod
nc_dialer_get_method (NcDialer *self)
{
  g_return_val_if_fail (NC_IS_DIALER (self), NC_CALL_METHOD_DISABLED);
  return self->method;
}

gboolean
nc_dialer_get_show_phones (NcDialer *self)
{
  g_return_val_if_fail (NC_IS_DIALER (self), FALSE);
  return self->show_phones;
}

gboolean
nc_dialer_get_can_call (NcDialer *self)
{
  g_return_val_if_fail (NC_IS_DIALER (self), FALSE);
  return self->can_call;
}

const char *
nc_dialer_get_problem (NcDialer *self)
{
  g_return_val_if_fail (NC_IS_DIALER (self), NULL);
  return self->problem;
}

/**
 * nc_dialer_set_callback_window:
 *
 * For tests: how long a callback waits for the call it places (its NOTIFY_OUT_START)
 * before its request is let go; NC_CALLBACK_WINDOW_SECONDS otherwise. Callbacks already
 * on their way keep theirs.
 */
void
nc_dialer_set_callback_window (NcDialer *self,
                               guint     milliseconds)
{
  g_return_if_fail (NC_IS_DIALER (self));
  self->window_ms = MAX (1, milliseconds);
}

static void
launched (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!g_app_info_launch_default_for_uri_finish (result, &error))
    {
      g_prefix_error (&error, _("The phone app could not start: "));
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, g_strdup (g_task_get_task_data (task)), g_free);
}

/**
 * nc_dialer_call_async:
 * @number: the client's number, in any format
 * @context: (nullable): to start the softphone on the right display
 *
 * Calls @number the way the current employee calls.
 */
void
nc_dialer_call_async (NcDialer            *self,
                      const char          *number,
                      GAppLaunchContext   *context,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  GTask *task;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (NC_IS_DIALER (self));
  g_return_if_fail (number != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, nc_dialer_call_async);

  if (!self->can_call)
    {
      NcDialerError code = self->employee == NULL ? NC_DIALER_ERROR_NO_EMPLOYEE
                           : self->method == NC_CALL_METHOD_DISABLED ? NC_DIALER_ERROR_DISABLED
                           : NC_DIALER_ERROR_NO_ACCOUNT;

      g_task_return_new_error (task, NC_DIALER_ERROR, code, "%s", self->problem);
      g_object_unref (task);
      return;
    }

  if (self->method == NC_CALL_METHOD_APP)
    {
      g_autoptr(GAppInfo) handler = g_app_info_get_default_for_uri_scheme ("tel");
      g_autofree char *desktop_id = g_strconcat (APPLICATION_ID, ".desktop", NULL);
      g_autofree char *canonical = nc_phone_normalize (number, NULL, &error);
      g_autofree char *uri = NULL;
      g_autofree char *shown = NULL;

      if (canonical == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          g_object_unref (task);
          return;
        }
      /* Never this app itself: it is no softphone. */
      if (handler == NULL || g_strcmp0 (g_app_info_get_id (handler), desktop_id) == 0)
        {
          g_task_return_new_error (task, NC_DIALER_ERROR, NC_DIALER_ERROR_NO_SOFTPHONE, "%s",
                                   _("No app is set up for phone calls: install a softphone "
                                     "such as Zoiper"));
          g_object_unref (task);
          return;
        }
      /* An extension is dialled as it is; a number with its country code. */
      uri = strlen (canonical) >= 11 ? g_strconcat ("tel:+", canonical, NULL)
                                     : g_strconcat ("tel:", canonical, NULL);
      shown = nc_phone_format (canonical);
      g_task_set_task_data (task, g_strdup_printf (_("Calling %s with %s"), shown,
                                                   g_app_info_get_display_name (handler)),
                            g_free);
      g_app_info_launch_default_for_uri_async (uri, context, cancellable, launched, task);
      return;
    }

  {
    NcCallRequest *request = nc_call_request_new (number,
                                                  nc_employee_get_virtual_number (self->employee),
                                                  nc_employee_get_employee_id (self->employee),
                                                  &error);

    if (request == NULL)
      {
        g_task_return_error (task, g_steal_pointer (&error));
        g_object_unref (task);
        return;
      }
    nc_dialer_place (self, task, request);
  }
}

/**
 * nc_dialer_call_finish:
 *
 * Returns: (transfer full) (nullable): what happens now, in a sentence for a toast; %NULL
 *   with @error when no call was placed
 */
char *
nc_dialer_call_finish (NcDialer      *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == nc_dialer_call_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * nc_dialer_call_request_async:
 * @request: zadarma_call's three arguments, checked
 *
 * Places the callback zadarma_call asks for, whoever this console acts as, under the
 * same guard as the clicks.
 */
void
nc_dialer_call_request_async (NcDialer            *self,
                              NcCallRequest       *request,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *task;
  NcCallRequest *copy;

  g_return_if_fail (NC_IS_DIALER (self));
  g_return_if_fail (request != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, nc_dialer_call_request_async);
  copy = nc_call_request_new (request->client_phone, request->employee_phone,
                              request->employee_id, NULL);
  nc_dialer_place (self, task, copy);
}

/**
 * nc_dialer_call_request_finish:
 *
 * Returns: (transfer full) (nullable): what happens now, in a sentence
 */
char *
nc_dialer_call_request_finish (NcDialer      *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == nc_dialer_call_request_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
