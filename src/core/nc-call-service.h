/* nc-call-service.h — the listener, the tracker, the matcher and the store, joined
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "nc-call-tracker.h"
#include "nc-client-matcher.h"
#include "nc-store.h"
#include "nc-webhook-server.h"
#include "nc-zadarma-client.h"

G_BEGIN_DECLS

#define NC_RECORD_LINK_VARIABLE "zadarma_record_link"

#define NC_TYPE_CALL_SERVICE (nc_call_service_get_type ())

G_DECLARE_FINAL_TYPE (NcCallService, nc_call_service, NC, CALL_SERVICE, GObject)

NcCallService *nc_call_service_new         (NcStore          *store,
                                            NcClientMatcher  *matcher,
                                            NcCallTracker    *tracker);
void           nc_call_service_set_client  (NcCallService    *self,
                                            NcZadarmaClient  *client);
void           nc_call_service_attach      (NcCallService    *self,
                                            NcWebhookServer  *server);
gboolean       nc_call_service_replay_sync (NcCallService    *self,
                                            GError          **error);
void           nc_call_service_replay_async  (NcCallService       *self,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean       nc_call_service_replay_finish (NcCallService       *self,
                                              GAsyncResult        *result,
                                              GError             **error);
guint          nc_call_service_get_busy    (NcCallService    *self);

G_END_DECLS
