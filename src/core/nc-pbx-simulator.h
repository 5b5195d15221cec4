/* nc-pbx-simulator.h — a PBX on loopback that speaks the user API v1
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* What the simulator does to the next request, instead of answering it well. */
typedef enum
{
  NC_PBX_FAULT_RATE_LIMIT,    /* HTTP 429 with X-RateLimit-* headers */
  NC_PBX_FAULT_SERVER_ERROR,  /* HTTP 502 */
  NC_PBX_FAULT_GARBAGE,       /* HTTP 200 with an HTML page */
  NC_PBX_FAULT_API_ERROR,     /* {"status":"error","message":…} */
  NC_PBX_FAULT_SILENCE,       /* no answer at all */
  NC_PBX_FAULT_DROP,          /* the connection closed without an answer */
} NcPbxFault;

#define NC_TYPE_PBX_SIMULATOR (nc_pbx_simulator_get_type ())

G_DECLARE_FINAL_TYPE (NcPbxSimulator, nc_pbx_simulator, NC, PBX_SIMULATOR, GObject)

NcPbxSimulator *nc_pbx_simulator_new                (const char     *key,
                                                     const char     *secret);
gboolean        nc_pbx_simulator_start              (NcPbxSimulator *self,
                                                     guint           port,
                                                     GError        **error);
void            nc_pbx_simulator_stop               (NcPbxSimulator *self);
char           *nc_pbx_simulator_get_url            (NcPbxSimulator *self);
void            nc_pbx_simulator_push_fault         (NcPbxSimulator *self,
                                                     NcPbxFault      fault);
void            nc_pbx_simulator_add_extension      (NcPbxSimulator *self,
                                                     const char     *extension,
                                                     gboolean        online);
void            nc_pbx_simulator_add_number         (NcPbxSimulator *self,
                                                     const char     *number,
                                                     const char     *sip);
guint           nc_pbx_simulator_get_request_count  (NcPbxSimulator *self);
GPtrArray      *nc_pbx_simulator_get_callbacks      (NcPbxSimulator *self);
const char     *nc_pbx_simulator_get_webhook_url    (NcPbxSimulator *self);
gboolean        nc_pbx_simulator_get_notifications_enabled (NcPbxSimulator *self);

G_END_DECLS
