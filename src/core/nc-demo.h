/* nc-demo.h — a made-up office on a simulated PBX, for trying the console out
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "nc-call-service.h"
#include "nc-webhook-server.h"

G_BEGIN_DECLS

#define NC_DEMO_EMPLOYEE_ID "100"
/* The demo's made-up account on its simulated PBX: no secret of anyone's. */
#define NC_DEMO_KEY "demo-key"
#define NC_DEMO_SECRET "demo-secret-not-a-real-one"

#define NC_TYPE_DEMO (nc_demo_get_type ())

G_DECLARE_FINAL_TYPE (NcDemo, nc_demo, NC, DEMO, GObject)

NcDemo          *nc_demo_new          (NcStore        *store,
                                       NcCallService  *service,
                                       NcCallTracker  *tracker);
gboolean         nc_demo_start        (NcDemo         *self,
                                       guint           call_interval_ms,
                                       GError        **error);
NcZadarmaClient *nc_demo_get_client   (NcDemo         *self);
NcWebhookServer *nc_demo_get_listener (NcDemo         *self);

G_END_DECLS
