/* nc-zadarma-call.h — zadarma_call (client_phone, employee_phone, employee_id)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "nc-store.h"
#include "nc-zadarma-client.h"

G_BEGIN_DECLS

typedef struct
{
  char *client_phone;     /* canonical */
  char *employee_phone;   /* canonical: the virtual number the client sees */
  char *employee_id;      /* rung first */
} NcCallRequest;

void           nc_call_request_free     (NcCallRequest *request);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NcCallRequest, nc_call_request_free)

NcCallRequest *nc_call_request_new      (const char  *client_phone,
                                         const char  *employee_phone,
                                         const char  *employee_id,
                                         GError     **error);

void               nc_zadarma_call_async  (NcStore             *store,
                                           const char          *api_url,
                                           NcCallRequest       *request,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
void               nc_zadarma_call_place_async (NcZadarmaClient     *client,
                                                NcCallRequest       *request,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
NcZadarmaCallback *nc_zadarma_call_finish (GAsyncResult        *result,
                                           GError             **error);

G_END_DECLS
