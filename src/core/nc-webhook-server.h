/* nc-webhook-server.h — the listener the PBX posts its call events to
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "nc-call-event.h"
#include "nc-client-matcher.h"
#include "nc-store.h"

G_BEGIN_DECLS

#define NC_WEBHOOK_MAX_BODY (64 * 1024)

/* What the listener counts, for the health figures of the preferences. */
typedef struct
{
  guint  accepted;
  guint  duplicates;
  guint  ignored;
  guint  rejected_not_found;     /* 404 */
  guint  rejected_method;        /* 405 */
  guint  rejected_too_large;     /* 413 */
  guint  rejected_content_type;  /* 415 */
  guint  rejected_malformed;     /* 400 */
  guint  rejected_signature;     /* 401 */
  guint  failed;                 /* 500: could not store */
  gint64 last_event_at;          /* real time, µs; 0 for never */
} NcWebhookHealth;

#define NC_TYPE_WEBHOOK_SERVER (nc_webhook_server_get_type ())

G_DECLARE_FINAL_TYPE (NcWebhookServer, nc_webhook_server, NC, WEBHOOK_SERVER, GObject)

NcWebhookServer *nc_webhook_server_new          (NcStore          *store,
                                                 const char       *secret,
                                                 const char       *token);
void             nc_webhook_server_set_matcher  (NcWebhookServer  *self,
                                                 NcClientMatcher  *matcher);
gboolean         nc_webhook_server_set_tls      (NcWebhookServer  *self,
                                                 const char       *certificate_file,
                                                 const char       *key_file,
                                                 GError          **error);
gboolean         nc_webhook_server_listen       (NcWebhookServer  *self,
                                                 const char       *address,
                                                 guint             port,
                                                 GError          **error);
void             nc_webhook_server_stop         (NcWebhookServer  *self);
guint            nc_webhook_server_get_port     (NcWebhookServer  *self);
guint            nc_webhook_server_get_pending  (NcWebhookServer  *self);
const NcWebhookHealth *nc_webhook_server_get_health (NcWebhookServer *self);

G_END_DECLS
