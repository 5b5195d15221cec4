/* nc-zadarma-call.c — zadarma_call (client_phone, employee_phone, employee_id)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The source document's bot function, as the facts file maps it onto the callback: the
 * PBX rings the employee (from = employee_id) and then the client (to = client_phone),
 * with the employee's extension settings (sip = employee_id). The employee's virtual
 * number is what the client sees; it is checked and kept to tie the NOTIFY_OUT_START
 * that follows back to this request. The command line, the D-Bus action and a click in
 * the window all go through here.
 */

#define G_LOG_DOMAIN "nc-zadarma-call"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "nc-phone.h"
#include "nc-secrets.h"
#include "nc-zadarma-call.h"

void
nc_call_request_free (NcCallRequest *request)
{
  if (request == NULL)
    return;
  g_free (request->client_phone);
  g_free (request->employee_phone);
  g_free (request->employee_id);
  g_free (request);
}

static NcCallRequest *
call_request_copy (const NcCallRequest *request)
{
  NcCallRequest *copy = g_new0 (NcCallRequest, 1);

  copy->client_phone = g_strdup (request->client_phone);
  copy->employee_phone = g_strdup (request->employee_phone);
  copy->employee_id = g_strdup (request->employee_id);
  return copy;
}

static gboolean
employee_id_valid (const char *id)
{
  gsize len = id != NULL ? strlen (id) : 0;

  if (len < 2 || len > 12)
    return FALSE;
  for (const char *p = id; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  return TRUE;
}

/**
 * nc_call_request_new:
 *
 * Checks and normalises the three arguments of zadarma_call.
 *
 * Returns: (transfer full) (nullable): the request, or %NULL with a reason
 */
NcCallRequest *
nc_call_request_new (const char  *client_phone,
                     const char  *employee_phone,
                     const char  *employee_id,
                     GError     **error)
{
  g_autoptr(NcCallRequest) request = g_new0 (NcCallRequest, 1);
  g_autoptr(GError) local_error = NULL;
  g_autofree char *id = g_strstrip (g_strdup (employee_id != NULL ? employee_id : ""));

  request->client_phone = nc_phone_normalize_number (client_phone, &local_error);
  if (request->client_phone == NULL)
    {
      g_set_error (error, NC_ZADARMA_ERROR, NC_ZADARMA_ERROR_INVALID,
                   _("The client’s number: %s"), local_error->message);
      return NULL;
    }

  request->employee_phone = nc_phone_normalize_number (employee_phone, &local_error);
  if (request->employee_phone == NULL)
    {
      g_set_error (error, NC_ZADARMA_ERROR, NC_ZADARMA_ERROR_INVALID,
                   _("The employee’s virtual number: %s (without a virtual number assigned "
                     "to the employee, calls do not work)"), local_error->message);
      return NULL;
    }

  if (!employee_id_valid (id))
    {
      g_set_error (error, NC_ZADARMA_ERROR, NC_ZADARMA_ERROR_INVALID,
                   _("“%s” is not an employee id: it is the number the Novofon cabinet shows "
                     "in the address of the employee’s page, such as 111111"),
                   employee_id != NULL ? employee_id : "");
      return NULL;
    }
  request->employee_id = g_steal_pointer (&id);

  return g_steal_pointer (&request);
}

typedef struct
{
  NcStore       *store;
  char          *api_url;
  NcCallRequest *request;
} CallData;

static void
call_data_free (CallData *data)
{
  g_clear_object (&data->store);
  g_free (data->api_url);
  nc_call_request_free (data->request);
  g_free (data);
}

static void
callback_placed (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  NcZadarmaCallback *callback;

  callback = nc_zadarma_client_callback_finish (NC_ZADARMA_CLIENT (source), result, &error);
  if (callback == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, callback, (GDestroyNotify) nc_zadarma_callback_free);
}

static void
credentials_found (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CallData *data = g_task_get_task_data (task);
  g_autoptr(NcCredentials) credentials = NULL;
  g_autoptr(NcZadarmaClient) client = NULL;
  GError *error = NULL;

  credentials = nc_secrets_lookup_credentials_finish (result, &error);
  if (credentials == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  client = nc_zadarma_client_new (data->api_url, credentials->key, credentials->secret);
  nc_zadarma_client_set_store (client, data->store);
  nc_zadarma_client_callback_async (client, data->request->employee_id,
                                    data->request->client_phone, data->request->employee_id,
                                    g_task_get_cancellable (task), callback_placed,
                                    g_object_ref (task));
}

/**
 * nc_zadarma_call_async:
 * @store: (nullable): for the request budget shared with other processes
 * @api_url: the API's base URL
 *
 * Looks up the credentials (environment, else keyring) and places the callback, once.
 */
void
nc_zadarma_call_async (NcStore             *store,
                       const char          *api_url,
                       NcCallRequest       *request,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  CallData *data = g_new0 (CallData, 1);

  g_return_if_fail (request != NULL);

  g_task_set_source_tag (task, nc_zadarma_call_async);
  data->store = store != NULL ? g_object_ref (store) : NULL;
  data->api_url = g_strdup (api_url);
  data->request = call_request_copy (request);
  g_task_set_task_data (task, data, (GDestroyNotify) call_data_free);

  nc_secrets_lookup_credentials_async (cancellable, credentials_found, g_object_ref (task));
}

/**
 * nc_zadarma_call_place_async:
 * @client: the API client to place the callback with
 *
 * Like nc_zadarma_call_async(), with credentials already at hand (the window's client, or
 * the demo's); finish with nc_zadarma_call_finish().
 */
void
nc_zadarma_call_place_async (NcZadarmaClient     *client,
                             NcCallRequest       *request,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_return_if_fail (NC_IS_ZADARMA_CLIENT (client));
  g_return_if_fail (request != NULL);

  g_task_set_source_tag (task, nc_zadarma_call_async);
  nc_zadarma_client_callback_async (client, request->employee_id, request->client_phone,
                                    request->employee_id, cancellable, callback_placed,
                                    g_object_ref (task));
}

/**
 * nc_zadarma_call_finish:
 *
 * Returns: (transfer full) (nullable): what the PBX answered
 */
NcZadarmaCallback *
nc_zadarma_call_finish (GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
