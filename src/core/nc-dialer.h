/* nc-dialer.h — how a click on a phone calls: the current employee's call method
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "nc-call-tracker.h"
#include "nc-employee-list.h"
#include "nc-zadarma-call.h"
#include "nc-zadarma-client.h"

G_BEGIN_DECLS

#define NC_DIALER_ERROR (nc_dialer_error_quark ())

typedef enum
{
  NC_DIALER_ERROR_NO_EMPLOYEE,      /* nobody is chosen as this console's employee */
  NC_DIALER_ERROR_DISABLED,         /* the employee's calls are disabled */
  NC_DIALER_ERROR_NO_ACCOUNT,       /* calls go through the API, and there is none */
  NC_DIALER_ERROR_NO_SOFTPHONE,     /* calls go through an app, and none is installed */
  NC_DIALER_ERROR_ALREADY_CALLING,  /* a call to this client is on its way */
  NC_DIALER_ERROR_FAILED,           /* the store could not take the guard */
} NcDialerError;

#define NC_TYPE_DIALER (nc_dialer_get_type ())

G_DECLARE_FINAL_TYPE (NcDialer, nc_dialer, NC, DIALER, GObject)

GQuark        nc_dialer_error_quark       (void);

NcDialer     *nc_dialer_new               (NcCallTracker       *tracker,
                                           NcEmployeeList      *employees);
void          nc_dialer_set_client        (NcDialer            *self,
                                           NcZadarmaClient     *client);
void          nc_dialer_set_store         (NcDialer            *self,
                                           NcStore             *store);
const char   *nc_dialer_get_employee_id   (NcDialer            *self);
void          nc_dialer_set_employee_id   (NcDialer            *self,
                                           const char          *employee_id);
void          nc_dialer_set_fallback_employee_id (NcDialer     *self,
                                                  const char   *employee_id);
NcEmployee   *nc_dialer_get_employee      (NcDialer            *self);
NcCallMethod  nc_dialer_get_method        (NcDialer            *self);
gboolean      nc_dialer_get_show_phones   (NcDialer            *self);
gboolean      nc_dialer_get_can_call      (NcDialer            *self);
const char   *nc_dialer_get_problem       (NcDialer            *self);
void          nc_dialer_set_callback_window (NcDialer          *self,
                                             guint              milliseconds);

void          nc_dialer_call_async        (NcDialer            *self,
                                           const char          *number,
                                           GAppLaunchContext   *context,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
char         *nc_dialer_call_finish       (NcDialer            *self,
                                           GAsyncResult        *result,
                                           GError             **error);
void          nc_dialer_call_request_async  (NcDialer            *self,
                                             NcCallRequest       *request,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
char         *nc_dialer_call_request_finish (NcDialer            *self,
                                             GAsyncResult        *result,
                                             GError             **error);

G_END_DECLS
