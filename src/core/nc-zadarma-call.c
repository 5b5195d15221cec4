/* nc-zadarma-call.c — zadarma_call (client_phone, employee_phone, employee_id)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The source document's bot function, as the facts file maps it onto the callback: the
 * PBX rings the employee (from = employee_id) and then the client (to = client_phone),
 * with the employee's extension settings (sip = employee_id). The employee's virtual
 * number is what the client sees; it is checked and kept to tie the NOTIFY_OUT_START
 * that follows back to this request. The command line, the D-Bus action and a click in
 * the window all check their arguments here, and place the call through NcDialer.
 */

#define G_LOG_DOMAIN "nc-zadarma-call"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "nc-phone.h"
#include "nc-zadarma-call.h"
#include "nc-zadarma-client.h"

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
 * nc_call_request_check_employee_id:
 *
 * Returns: whether @employee_id is one (the number in the address of the employee's page
 *   in the cabinet), or %FALSE with the reason
 */
gboolean
nc_call_request_check_employee_id (const char  *employee_id,
                                   GError     **error)
{
  g_autofree char *id = g_strstrip (g_strdup (employee_id != NULL ? employee_id : ""));

  if (employee_id_valid (id))
    return TRUE;
  g_set_error (error, NC_ZADARMA_ERROR, NC_ZADARMA_ERROR_INVALID,
               _("“%s” is not an employee id: it is the number the Novofon cabinet shows in the "
                 "address of the employee’s page, such as 111111"),
               employee_id != NULL ? employee_id : "");
  return FALSE;
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

  if (!nc_call_request_check_employee_id (id, error))
    return NULL;
  request->employee_id = g_steal_pointer (&id);

  return g_steal_pointer (&request);
}
