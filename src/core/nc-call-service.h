/* nc-call-service.h — what the listener's process does for each call after the store has it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "nc-call-tracker.h"
#include "nc-client-matcher.h"
#include "nc-store.h"
#include "nc-zadarma-client.h"

G_BEGIN_DECLS

/* A recording whose link could not be had is asked for again after 1, 2, 4 … minutes (up
 * to 6 hours), this many times; then only when someone opens it. */
#define NC_RECORDING_ATTEMPTS 16
/* How often calls with no event for NC_CALL_STUCK_SECONDS are closed. */
#define NC_STUCK_SWEEP_SECONDS (10 * 60)

#define NC_TYPE_CALL_SERVICE (nc_call_service_get_type ())

G_DECLARE_FINAL_TYPE (NcCallService, nc_call_service, NC, CALL_SERVICE, GObject)

NcCallService *nc_call_service_new         (NcStore          *store,
                                            NcClientMatcher  *matcher,
                                            NcCallTracker    *tracker);
void           nc_call_service_set_client  (NcCallService    *self,
                                            NcZadarmaClient  *client);
void           nc_call_service_start       (NcCallService    *self);
void           nc_call_service_stop        (NcCallService    *self);
void           nc_call_service_fetch_recording_async  (NcCallService       *self,
                                                       NcCall              *call,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
char          *nc_call_service_fetch_recording_finish (NcCallService       *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);
void           nc_call_service_set_retry_unit (NcCallService *self,
                                               guint          milliseconds);
guint          nc_call_service_get_busy    (NcCallService    *self);

G_END_DECLS
