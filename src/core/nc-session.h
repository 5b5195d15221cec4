/* nc-session.h — the core of one running console, listener or command, wired once
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "nc-call-service.h"
#include "nc-call-tracker.h"
#include "nc-dialer.h"
#include "nc-employee-list.h"
#include "nc-store.h"
#include "nc-webhook-server.h"
#include "nc-zadarma-client.h"

G_BEGIN_DECLS

typedef enum
{
  NC_SESSION_FLAGS_NONE = 0,
  NC_SESSION_CALLS      = 1 << 0,  /* follow the calls: the tracker, the client matcher */
  NC_SESSION_LISTEN     = 1 << 1,  /* run a listener by itself, as the settings say */
  NC_SESSION_DEMO       = 1 << 2,  /* a made-up office on a simulated PBX */
} NcSessionFlags;

#define NC_TYPE_SESSION (nc_session_get_type ())

G_DECLARE_FINAL_TYPE (NcSession, nc_session, NC, SESSION, GObject)

NcSession       *nc_session_new                  (const char          *data_dir,
                                                  GSettings           *settings,
                                                  NcSessionFlags       flags);
void             nc_session_start_async          (NcSession           *self,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
gboolean         nc_session_start_finish         (NcSession           *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);
gboolean         nc_session_start_sync           (NcSession           *self,
                                                  GError             **error);
void             nc_session_close                (NcSession           *self);

NcSession       *nc_session_new_full             (const char          *data_dir,
                                                  const char          *database_url,
                                                  GSettings           *settings,
                                                  NcSessionFlags       flags);
const char      *nc_session_get_data_dir         (NcSession           *self);
GSettings       *nc_session_get_settings         (NcSession           *self);
gboolean         nc_session_get_demo             (NcSession           *self);
NcStore         *nc_session_get_store            (NcSession           *self);
NcCallTracker   *nc_session_get_tracker          (NcSession           *self);
NcEmployeeList  *nc_session_get_employees        (NcSession           *self);
NcDialer        *nc_session_get_dialer           (NcSession           *self);
NcCallService   *nc_session_get_call_service     (NcSession           *self);
gboolean         nc_session_uses_database        (NcSession           *self);
NcZadarmaClient *nc_session_get_zadarma_client   (NcSession           *self);
NcWebhookServer *nc_session_get_listener         (NcSession           *self);
gboolean         nc_session_get_account_ready    (NcSession           *self);
const char      *nc_session_get_account_problem  (NcSession           *self);
const char      *nc_session_get_api_key          (NcSession           *self);
const GError    *nc_session_get_account_error    (NcSession           *self);
gboolean         nc_session_get_credentials_from_environment (NcSession *self);
const char      *nc_session_get_listener_problem (NcSession           *self);
char            *nc_session_dup_api_url          (NcSession           *self);
const char      *nc_session_get_webhook_token    (NcSession           *self);
char            *nc_session_dup_webhook_url      (NcSession           *self,
                                                  gboolean            *out_reachable);

NcZadarmaClient *nc_session_new_client           (NcSession           *self,
                                                  const char          *key,
                                                  const char          *secret);
void             nc_session_save_credentials_async  (NcSession           *self,
                                                     const char          *key,
                                                     const char          *secret,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
gboolean         nc_session_save_credentials_finish (NcSession           *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);
void             nc_session_forget_credentials_async  (NcSession           *self,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
gboolean         nc_session_forget_credentials_finish (NcSession           *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);

gboolean         nc_session_listen               (NcSession           *self,
                                                  const char          *address,
                                                  guint                port,
                                                  const char          *certificate_file,
                                                  const char          *key_file,
                                                  GError             **error);

G_END_DECLS
