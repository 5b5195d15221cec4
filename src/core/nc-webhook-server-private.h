/* nc-webhook-server-private.h — what the listener's files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * NcWebhookServer is one object in four files: nc-webhook-server.c (the object: settings,
 * limits, listening, stopping), nc-webhook-server-requests.c (what a request gets: the
 * checks in their order, the event into the store, the answer),
 * nc-webhook-server-accept.c (who gets in: accepting under the limits, TLS handshakes)
 * and nc-webhook-server-connections.c (one connection's life: its stages and their
 * deadlines, closing, answers given from the head). Each calls only those after it.
 */
#pragma once

#include <libsoup/soup.h>

#include "nc-webhook-server.h"

G_BEGIN_DECLS

typedef enum
{
  NC_WEBHOOK_STAGE_TLS_WAIT,       /* until the whole ClientHello is there; no thread */
  NC_WEBHOOK_STAGE_TLS_QUEUED,     /* waiting for a handshake slot */
  NC_WEBHOOK_STAGE_TLS_HANDSHAKE,  /* in a worker thread */
  NC_WEBHOOK_STAGE_IDLE,           /* kept alive between two requests: ours, watched */
  NC_WEBHOOK_STAGE_HEAD,           /* with the SoupServer, before the head is all read */
  NC_WEBHOOK_STAGE_BODY,
  NC_WEBHOOK_STAGE_HANDLING,       /* waiting for the store (our side): no deadline */
  NC_WEBHOOK_STAGE_ANSWERING,      /* the answer going out */
  NC_WEBHOOK_STAGE_LINGERING,      /* answered early: what still comes is read and dropped */
  NC_WEBHOOK_STAGE_CLOSED,         /* not counted any more; waits for its stream to go */
} NcWebhookStage;

/* What one peer address has open. */
typedef struct
{
  guint connections;
  guint handshakes;
} NcWebhookPeer;

typedef struct _NcWebhookConn NcWebhookConn;

struct _NcWebhookServer
{
  GObject          parent_instance;

  SoupServer      *server;
  GSocket         *listener;
  GSource         *accept_source;
  GSource         *backoff_source;
  guint            backoff_ms;
  gboolean         backoff_warned;
  GMainContext    *context;
  NcStore         *store;
  NcClientMatcher *matcher;
  char            *secret;
  char            *token;
  char            *path;
  GTlsCertificate *certificate;
  guint            port;
  guint            pending;
  GHashTable      *waiting;      /* SoupServerMessage → Pending, while the commit runs */
  NcWebhookHealth  health;

  NcWebhookLimits  limits;
  guint            max_connections;   /* the limit, bounded by the descriptors */
  guint            event_window;      /* seconds; 0 for any call_start */
  gboolean         pbx_sources_only;
  GPtrArray       *pbx_masks;
  GQueue           conns;             /* every NcWebhookConn not yet freed, oldest first */
  guint            n_counted;
  GHashTable      *peers;             /* address → NcWebhookPeer */
  GQueue           tls_queue;         /* conns in NC_WEBHOOK_STAGE_TLS_QUEUED, first first */
  guint            n_handshakes;
};

struct _NcWebhookConn
{
  grefcount          refs;
  NcWebhookServer   *self;         /* NULL once the server is gone */
  GSocket           *socket;
  GSocketConnection *connection;   /* ours until handed over */
  GIOStream         *stream;       /* the HTTP's: the connection or its TLS; always ours */
  GIOStream         *lent;         /* @stream as the SoupServer has it for one request (an
                                    * NcWebhookLentStream), watched */
  GIOStream         *stolen;       /* the SoupServer's wrapper, once taken back */
  GSocketAddress    *local;
  GSocketAddress    *remote;
  char              *peer;
  NcWebhookStage     stage;
  gboolean           counted;
  gboolean           in_soup;      /* the SoupServer has (or had) @lent */
  gboolean           busy;         /* a handshake or a write of ours is under way */
  gboolean           holds_slot;   /* a handshake slot */
  GSource           *timer;
  GSource           *io_source;
  GCancellable      *cancellable;
  GList              link;
  GQueue            *queued_in;
  guint              low_water;
  char              *answer;
  gsize              answer_length;
  gsize              drained;
};

/* The requests (nc-webhook-server-requests.c) */
void           nc_webhook_server_serve_requests     (NcWebhookServer    *self);

/* Accepting (nc-webhook-server-accept.c) */
gboolean       nc_webhook_server_bind               (NcWebhookServer    *self,
                                                     const char         *address,
                                                     guint               port,
                                                     GError            **error);
void           nc_webhook_server_start_accepting    (NcWebhookServer    *self);
void           nc_webhook_server_stop_accepting     (NcWebhookServer    *self);
gboolean       nc_webhook_server_check_certificate  (GTlsCertificate    *certificate,
                                                     GError            **error);

/* Connections (nc-webhook-server-connections.c) */
void           nc_webhook_server_health_changed     (NcWebhookServer    *self);
NcWebhookPeer *nc_webhook_peer_of                   (NcWebhookServer    *self,
                                                     const char         *address);
void           nc_webhook_peer_release              (NcWebhookServer    *self,
                                                     const char         *address);
gboolean       nc_webhook_server_evict_oldest_idle  (NcWebhookServer    *self,
                                                     const char         *peer);
void           nc_webhook_server_close_connections  (NcWebhookServer    *self);
void           nc_webhook_server_forget_connections (NcWebhookServer    *self);

GQuark         nc_webhook_conn_quark                (void);
NcWebhookConn *nc_webhook_conn_new                  (NcWebhookServer    *self,
                                                     GSocket            *socket,
                                                     GSocketAddress     *local,
                                                     GSocketAddress     *remote,
                                                     char               *peer);
NcWebhookConn *nc_webhook_conn_ref                  (NcWebhookConn      *conn);
void           nc_webhook_conn_unref                (NcWebhookConn      *conn);
/* The connection of @message, while the server counts it; else %NULL. */
NcWebhookConn *nc_webhook_conn_of_message           (SoupServerMessage  *message);
void           nc_webhook_conn_set_stage            (NcWebhookConn      *conn,
                                                     NcWebhookStage      stage,
                                                     guint               timeout_ms);
void           nc_webhook_conn_serve                (NcWebhookConn      *conn,
                                                     GBytes             *already_read);
void           nc_webhook_conn_request_done         (NcWebhookConn      *conn,
                                                     SoupServerMessage  *message,
                                                     gboolean            answered);
void           nc_webhook_conn_answer_early         (NcWebhookConn      *conn,
                                                     SoupServerMessage  *message,
                                                     guint               status,
                                                     const char         *text,
                                                     gboolean            allow);
void           nc_webhook_conn_finished             (NcWebhookConn      *conn);
void           nc_webhook_conn_close                (NcWebhookConn      *conn);
void           nc_webhook_conn_release              (NcWebhookConn      *conn);

G_END_DECLS
