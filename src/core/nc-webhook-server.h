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

/* The longest caller_name the answer to NOTIFY_START gives, in characters: a phone's
 * screen shows a few dozen, and a name of megabytes must not go out at all. */
#define NC_WEBHOOK_MAX_CALLER_NAME 64

/* How far from now a signed call_start may be, by default (a day: a call can last hours,
 * and its end carries its start). GSettings key webhook-event-window. */
#define NC_WEBHOOK_DEFAULT_EVENT_WINDOW (24 * 60 * 60)

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
  guint  closed_timed_out;       /* a stage (handshake, head, body, answer) took too long */
  guint  closed_over_limit;      /* refused, or the oldest idle one closed, at a limit */
  guint  refused_source;         /* not from the PBX's addresses, when only they may send */
  guint  dropped;                /* gone before a request: no peer address, a failed handshake */
} NcWebhookHealth;

/* The listener's limits. The time-outs run from the start of each stage: a connection that
 * sends a byte now and then is closed all the same. */
typedef struct
{
  guint max_connections;          /* open at once, in all; bounded by the descriptors */
  guint max_connections_per_peer; /* from one address */
  guint max_handshakes;           /* TLS handshakes at once (each takes a thread) */
  guint max_handshakes_per_peer;
  guint handshake_timeout_ms;     /* from the connection to the end of its TLS handshake */
  guint head_timeout_ms;          /* to the end of the request's head (and the first byte) */
  guint body_timeout_ms;          /* from the head to the end of the body */
  guint answer_timeout_ms;        /* from the answer being ready to its last byte sent */
} NcWebhookLimits;

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
void             nc_webhook_server_get_limits   (NcWebhookServer  *self,
                                                 NcWebhookLimits  *limits);
void             nc_webhook_server_set_limits   (NcWebhookServer  *self,
                                                 const NcWebhookLimits *limits);
void             nc_webhook_server_set_event_window (NcWebhookServer *self,
                                                     guint            seconds);
void             nc_webhook_server_set_pbx_sources_only (NcWebhookServer *self,
                                                         gboolean         only);
gboolean         nc_webhook_server_listen       (NcWebhookServer  *self,
                                                 const char       *address,
                                                 guint             port,
                                                 GError          **error);
void             nc_webhook_server_stop         (NcWebhookServer  *self);
guint            nc_webhook_server_get_port     (NcWebhookServer  *self);
guint            nc_webhook_server_get_pending  (NcWebhookServer  *self);
guint            nc_webhook_server_get_connections (NcWebhookServer *self);
const NcWebhookHealth *nc_webhook_server_get_health (NcWebhookServer *self);

G_END_DECLS
