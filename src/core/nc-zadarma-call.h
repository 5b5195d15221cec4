/* nc-zadarma-call.h — zadarma_call (client_phone, employee_phone, employee_id)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  char *client_phone;     /* canonical */
  char *employee_phone;   /* canonical: the virtual number the client sees */
  char *employee_id;      /* rung first */
} NcCallRequest;

void           nc_call_request_free     (NcCallRequest *request);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NcCallRequest, nc_call_request_free)

gboolean       nc_call_request_check_employee_id (const char  *employee_id,
                                                  GError     **error);
NcCallRequest *nc_call_request_new      (const char  *client_phone,
                                         const char  *employee_phone,
                                         const char  *employee_id,
                                         GError     **error);

G_END_DECLS
