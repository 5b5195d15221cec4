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

/* Whole calls the simulator plays to a webhook URL, event by event. */
typedef enum
{
  NC_PBX_CALL_INCOMING_ANSWERED,   /* START, INTERNAL, ANSWER, END (recorded), RECORD */
  NC_PBX_CALL_INCOMING_MISSED,     /* START, INTERNAL ×2 (a ring group), END no answer */
  NC_PBX_CALL_OUTGOING_ANSWERED,   /* OUT_START, OUT_END answered (recorded), RECORD */
  NC_PBX_CALL_OUTGOING_BUSY,       /* OUT_START, OUT_END busy */
} NcPbxCallScenario;

#define NC_TYPE_PBX_SIMULATOR (nc_pbx_simulator_get_type ())

G_DECLARE_FINAL_TYPE (NcPbxSimulator, nc_pbx_simulator, NC, PBX_SIMULATOR, GObject)

NcPbxSimulator *nc_pbx_simulator_new                (const char     *key,
                                                     const char     *secret);
gboolean        nc_pbx_simulator_start              (NcPbxSimulator *self,
                                                     guint           port,
                                                     GError        **error);
void            nc_pbx_simulator_stop               (NcPbxSimulator *self);
GBytes         *nc_pbx_simulator_make_recording     (guint           seconds);
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

void            nc_pbx_simulator_set_webhook_target (NcPbxSimulator *self,
                                                     const char     *url);
void            nc_pbx_simulator_play_call_async    (NcPbxSimulator      *self,
                                                     NcPbxCallScenario    scenario,
                                                     const char          *client_number,
                                                     const char          *virtual_number,
                                                     const char          *extension,
                                                     guint                step_ms,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
char           *nc_pbx_simulator_play_call_finish   (NcPbxSimulator      *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);

/* The PBX's own record of the calls it played, served by /v1/statistics/pbx/. */
void            nc_pbx_simulator_set_webhooks_paused (NcPbxSimulator    *self,
                                                      gboolean           paused);
char           *nc_pbx_simulator_add_call           (NcPbxSimulator      *self,
                                                     NcPbxCallScenario    scenario,
                                                     const char          *client_number,
                                                     const char          *virtual_number,
                                                     const char          *extension,
                                                     const char          *call_start);
guint           nc_pbx_simulator_get_call_count     (NcPbxSimulator      *self);
GPtrArray      *nc_pbx_simulator_get_statistics_requests (NcPbxSimulator *self);
void            nc_pbx_simulator_set_rate_limit_reset (NcPbxSimulator    *self,
                                                       guint              seconds);

G_END_DECLS
