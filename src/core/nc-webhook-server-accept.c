/* nc-webhook-server-accept.c — who gets in: the listener's door
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The connections are accepted here and lent to the SoupServer one request at a time;
 * between requests a kept-alive connection is the listener's (nc-webhook-server-
 * connections.c). libsoup's own listener, before 3.4, keeps a reference to every socket it
 * accepted (344 bytes lost a connection), and before 3.3 never closes a keep-alive
 * connection that the client closed while idle: a socket lost each time, until the
 * listener can accept nothing more. Debian 12 has 3.2.3.
 *
 * Accepting them here is also what keeps the listener up under attack:
 *   - every stage of a connection has a deadline (the TLS handshake, the head, the body,
 *     the answer), counted from the stage's start, so that a slow drip is cut like
 *     silence;
 *   - the descriptors' soft limit is raised to the hard one, and the connections are
 *     capped below it, in all and per peer address; at a cap, the oldest connection that
 *     has not yet sent a whole request is closed for the new one (or, if there is none,
 *     the new one is);
 *   - when accept() fails (no descriptor left, say), accepting pauses with a growing
 *     back-off and the oldest idle connection is closed, instead of spinning;
 *   - a TLS handshake takes a worker thread of glib-networking, so a thread is given only
 *     once the client's whole first record (its ClientHello) has arrived, and only to a
 *     few handshakes at a time (fewer per peer): a client that says nothing costs no
 *     thread;
 *   - a connection whose peer address is already gone (reset right after connect) is
 *     dropped before libsoup, which would take it with a critical, sees it;
 *   - optionally, only the PBX's documented addresses may connect at all.
 */

#define G_LOG_DOMAIN "nc-webhook-server"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <glib/gi18n.h>

#include "nc-webhook-server-private.h"

/* Descriptors kept free of connections: the store's files, the listening socket, the
 * main contexts' wake-ups, the standard streams. */
#define RESERVED_DESCRIPTORS 64
#define ACCEPT_BATCH 64            /* connections taken in one turn of the main loop */
#define BACKOFF_MIN_MS 50
#define BACKOFF_MAX_MS 1000
#define SOCKET_TIMEOUT_S 30        /* a last resort under the deadlines: any blocked I/O */
#define TLS_RECORD_HEADER 5
#define TLS_MAX_RECORD (16384 + 2048)

static void pump_handshakes (NcWebhookServer *self);

static void
handshaken (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  NcWebhookConn *conn = user_data;
  NcWebhookServer *self = conn->self;
  g_autoptr(GError) error = NULL;
  gboolean done = g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result, &error);

  conn->busy = FALSE;
  if (conn->holds_slot && self != NULL)
    {
      NcWebhookPeer *peer = g_hash_table_lookup (self->peers, conn->peer);

      conn->holds_slot = FALSE;
      self->n_handshakes--;
      if (peer != NULL)
        peer->handshakes--;
      nc_webhook_peer_release (self, conn->peer);
      pump_handshakes (self);
    }

  if (conn->stage == NC_WEBHOOK_STAGE_CLOSED || self == NULL)
    nc_webhook_conn_release (conn);
  else if (!done)
    {
      g_debug ("A TLS handshake with %s failed: %s", conn->peer, error->message);
      self->health.dropped++;
      nc_webhook_server_health_changed (self);
      nc_webhook_conn_close (conn);
    }
  else
    nc_webhook_conn_serve (conn, NULL);
  nc_webhook_conn_unref (conn);
}

/* A server connection with no certificate database. glib-networking's default one would
 * load the system's whole trust store (140 CAs, about 4 MB and 10 ms) into every
 * connection, only to check client certificates, which the listener never asks for. */
static GIOStream *
new_tls_server (GIOStream        *base,
                GTlsCertificate  *certificate,
                GError          **error)
{
  GTlsBackend *backend = g_tls_backend_get_default ();

  return g_initable_new (g_tls_backend_get_server_connection_type (backend), NULL, error,
                         "base-io-stream", base,
                         "certificate", certificate,
                         "database", NULL,
                         /* An HTTP body has its own length: a client need not say goodbye
                          * in TLS. */
                         "require-close-notify", FALSE,
                         NULL);
}

static void
start_handshake (NcWebhookConn *conn)
{
  NcWebhookServer *self = conn->self;
  g_autoptr(GError) error = NULL;
  NcWebhookPeer *peer = nc_webhook_peer_of (self, conn->peer);

  conn->stage = NC_WEBHOOK_STAGE_TLS_HANDSHAKE;
  conn->holds_slot = TRUE;
  self->n_handshakes++;
  peer->handshakes++;

  conn->stream = new_tls_server (G_IO_STREAM (conn->connection), self->certificate, &error);
  if (conn->stream == NULL)
    {
      g_warning ("Could not start TLS on a connection: %s", error->message);
      conn->holds_slot = FALSE;
      self->n_handshakes--;
      peer->handshakes--;
      nc_webhook_conn_close (conn);
      return;
    }
  conn->busy = TRUE;
  g_tls_connection_handshake_async (G_TLS_CONNECTION (conn->stream), G_PRIORITY_DEFAULT,
                                    conn->cancellable, handshaken, nc_webhook_conn_ref (conn));
}

/* Starts the handshakes that have a slot, first come first. */
static void
pump_handshakes (NcWebhookServer *self)
{
  GList *l = self->tls_queue.head;

  while (l != NULL && self->n_handshakes < self->limits.max_handshakes)
    {
      GList *next = l->next;
      NcWebhookConn *conn = l->data;
      NcWebhookPeer *peer = nc_webhook_peer_of (self, conn->peer);

      if (peer->handshakes < self->limits.max_handshakes_per_peer)
        {
          g_queue_delete_link (&self->tls_queue, l);
          start_handshake (conn);
          nc_webhook_conn_unref (conn);
        }
      l = next;
    }
}

static void
set_low_water (NcWebhookConn *conn,
               guint          bytes)
{
  int value = (int) bytes;

  if (conn->low_water != bytes &&
      setsockopt (g_socket_get_fd (conn->socket), SOL_SOCKET, SO_RCVLOWAT, &value,
                  sizeof value) == 0)
    conn->low_water = bytes;
}

/* Readable: once the whole first TLS record (the ClientHello) is there, the handshake can
 * run in a thread without waiting on this client for its start. The socket's low-water
 * mark keeps poll() quiet until then, so a partial record costs no busy loop either. */
static gboolean
client_hello_ready (GSocket      *socket,
                    GIOCondition  condition,
                    gpointer      user_data)
{
  NcWebhookConn *conn = user_data;
  guchar head[TLS_RECORD_HEADER];
  gssize n = recv (g_socket_get_fd (socket), head, sizeof head, MSG_PEEK | MSG_DONTWAIT);
  int available = 0;
  guint needed = 0;

  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return G_SOURCE_CONTINUE;
  /* The end, an error, or less than a record's header with the end behind it. */
  if (n < (gssize) sizeof head ||
      head[0] != 0x16 || head[1] != 0x03 ||                      /* a handshake record */
      (needed = TLS_RECORD_HEADER + ((guint) head[3] << 8 | head[4])) > TLS_MAX_RECORD ||
      ioctl (g_socket_get_fd (socket), FIONREAD, &available) != 0)
    goto refuse;

  if ((guint) available < needed)
    {
      if (conn->low_water == needed)
        goto refuse;   /* woken with less than the mark: the client closed */
      set_low_water (conn, needed);
      return G_SOURCE_CONTINUE;
    }

  set_low_water (conn, 1);
  g_clear_pointer (&conn->io_source, g_source_unref);
  conn->stage = NC_WEBHOOK_STAGE_TLS_QUEUED;
  g_queue_push_tail (&conn->self->tls_queue, nc_webhook_conn_ref (conn));
  pump_handshakes (conn->self);
  return G_SOURCE_REMOVE;

refuse:
  g_debug ("Closing a connection from %s that does not begin TLS", conn->peer);
  conn->self->health.dropped++;
  g_clear_pointer (&conn->io_source, g_source_unref);
  nc_webhook_conn_close (conn);
  return G_SOURCE_REMOVE;
}

/* @address as its IPv4 self when it is an IPv4-mapped IPv6 one (a dual-stack socket). */
static GInetAddress *
plain_address (GInetAddress *address)
{
  static const guint8 mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
  const guint8 *bytes = g_inet_address_to_bytes (address);

  if (g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6 &&
      memcmp (bytes, mapped, sizeof mapped) == 0)
    return g_inet_address_new_from_bytes (bytes + 12, G_SOCKET_FAMILY_IPV4);
  return g_object_ref (address);
}

static gboolean
from_pbx (NcWebhookServer *self,
          GInetAddress    *address)
{
  for (guint i = 0; i < self->pbx_masks->len; i++)
    if (g_inet_address_mask_matches (self->pbx_masks->pdata[i], address))
      return TRUE;
  return FALSE;
}

static void
take_connection (NcWebhookServer *self,
                 GSocket         *socket)
{
  g_autoptr(GSocketAddress) remote = g_socket_get_remote_address (socket, NULL);
  g_autoptr(GSocketAddress) local = g_socket_get_local_address (socket, NULL);
  g_autoptr(GInetAddress) address = NULL;
  g_autofree char *peer_text = NULL;
  NcWebhookConn *conn;
  NcWebhookPeer *peer;

  /* Reset right after connect: no peer, and libsoup would take it with a critical. */
  if (!G_IS_INET_SOCKET_ADDRESS (remote) || !G_IS_INET_SOCKET_ADDRESS (local))
    {
      g_debug ("Dropping a connection that has no peer address any more");
      self->health.dropped++;
      g_socket_close (socket, NULL);
      return;
    }

  address = plain_address (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote)));
  peer_text = g_inet_address_to_string (address);
  if (self->pbx_sources_only && !from_pbx (self, address))
    {
      g_debug ("Refusing a connection from %s, which is not the PBX", peer_text);
      self->health.refused_source++;
      g_socket_close (socket, NULL);
      nc_webhook_server_health_changed (self);
      return;
    }

  peer = g_hash_table_lookup (self->peers, peer_text);
  if ((peer != NULL && peer->connections >= self->limits.max_connections_per_peer &&
       !nc_webhook_server_evict_oldest_idle (self, peer_text)) ||
      (self->n_counted >= self->max_connections &&
       !nc_webhook_server_evict_oldest_idle (self, NULL)))
    {
      g_debug ("Refusing a connection from %s: too many are open", peer_text);
      self->health.closed_over_limit++;
      g_socket_close (socket, NULL);
      nc_webhook_server_health_changed (self);
      return;
    }
  /* The peer is looked up again there: closing its last connection may have dropped its
   * entry. */
  conn = nc_webhook_conn_new (self, socket, g_steal_pointer (&local), g_steal_pointer (&remote),
                              g_steal_pointer (&peer_text));

  g_socket_set_timeout (socket, SOCKET_TIMEOUT_S);
  g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, TRUE, NULL);
  conn->connection = g_socket_connection_factory_create_connection (socket);

  if (self->certificate == NULL)
    {
      conn->stream = g_object_ref (G_IO_STREAM (conn->connection));
      nc_webhook_conn_serve (conn, NULL);
      return;
    }

  nc_webhook_conn_set_stage (conn, NC_WEBHOOK_STAGE_TLS_WAIT, self->limits.handshake_timeout_ms);
  set_low_water (conn, TLS_RECORD_HEADER);
  conn->io_source = g_socket_create_source (socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  g_source_set_callback (conn->io_source, G_SOURCE_FUNC (client_hello_ready),
                         nc_webhook_conn_ref (conn), (GDestroyNotify) nc_webhook_conn_unref);
  g_source_attach (conn->io_source, self->context);
}

static gboolean accept_ready (GSocket *listener, GIOCondition condition, gpointer user_data);

static void
start_accepting (NcWebhookServer *self)
{
  self->accept_source = g_socket_create_source (self->listener, G_IO_IN, NULL);
  g_source_set_callback (self->accept_source, G_SOURCE_FUNC (accept_ready), self, NULL);
  g_source_attach (self->accept_source, self->context);
}

static gboolean
resume_accepting (gpointer user_data)
{
  NcWebhookServer *self = user_data;

  g_clear_pointer (&self->backoff_source, g_source_unref);
  if (self->listener != NULL)
    start_accepting (self);
  return G_SOURCE_REMOVE;
}

/* accept() failed for want of something (a descriptor, memory): the listening socket
 * stays readable, so trying again at once would spin. Wait a little longer each time, and
 * free a descriptor meanwhile. */
static void
back_off (NcWebhookServer *self,
          const GError    *error)
{
  self->backoff_ms = CLAMP (self->backoff_ms * 2, BACKOFF_MIN_MS, BACKOFF_MAX_MS);
  if (!self->backoff_warned)
    {
      g_warning ("Could not accept a connection (%s): accepting again in a moment, and "
                 "closing the oldest idle connections meanwhile", error->message);
      self->backoff_warned = TRUE;
    }
  nc_webhook_server_evict_oldest_idle (self, NULL);
  nc_webhook_server_health_changed (self);

  if (self->accept_source != NULL)
    {
      g_source_destroy (self->accept_source);
      g_clear_pointer (&self->accept_source, g_source_unref);
    }
  self->backoff_source = g_timeout_source_new (self->backoff_ms);
  g_source_set_callback (self->backoff_source, resume_accepting, self, NULL);
  g_source_attach (self->backoff_source, self->context);
}

static gboolean
accept_ready (GSocket      *listener,
              GIOCondition  condition,
              gpointer      user_data)
{
  NcWebhookServer *self = user_data;

  for (guint i = 0; i < ACCEPT_BATCH; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSocket) socket = g_socket_accept (listener, NULL, &error);

      if (socket == NULL)
        {
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            break;
          back_off (self, error);
          return G_SOURCE_REMOVE;
        }
      self->backoff_ms = 0;
      self->backoff_warned = FALSE;
      take_connection (self, socket);
    }
  return G_SOURCE_CONTINUE;
}

/* As many descriptors as the system lets this process have: the soft limit (1024 in a
 * desktop session) is no protection here, only a cap an attacker reaches first. */
static guint
raise_descriptor_limit (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) != 0)
    return 1024;
  if (limit.rlim_cur < limit.rlim_max)
    {
      struct rlimit raised = { limit.rlim_max, limit.rlim_max };

      if (setrlimit (RLIMIT_NOFILE, &raised) == 0)
        limit = raised;
    }
  return limit.rlim_cur > G_MAXUINT ? G_MAXUINT : (guint) limit.rlim_cur;
}

/* Binds @address and @port, and sizes the connections to the descriptors there are. */
gboolean
nc_webhook_server_bind (NcWebhookServer  *self,
                        const char       *address,
                        guint             port,
                        GError          **error)
{
  g_autoptr(GInetAddress) inet = NULL;
  g_autoptr(GSocketAddress) socket_address = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GSocket) listener = NULL;
  guint descriptors;

  inet = g_inet_address_new_from_string (address != NULL ? address : "127.0.0.1");
  if (inet == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not an IP address to listen on"), address);
      return FALSE;
    }
  if (port > 65535)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("%u is not a port (1 to 65535)"), port);
      return FALSE;
    }

  socket_address = g_inet_socket_address_new (inet, (guint16) port);
  listener = g_socket_new (g_inet_address_get_family (inet), G_SOCKET_TYPE_STREAM,
                           G_SOCKET_PROTOCOL_TCP, error);
  if (listener == NULL)
    return FALSE;
  g_socket_set_blocking (listener, FALSE);
  /* Each event is a connection: room for a burst of them. */
  g_socket_set_listen_backlog (listener, 128);
  if (!g_socket_bind (listener, socket_address, TRUE, error) || !g_socket_listen (listener, error))
    return FALSE;
  bound = g_socket_get_local_address (listener, error);
  if (bound == NULL)
    return FALSE;

  descriptors = raise_descriptor_limit ();
  self->max_connections = MIN (self->limits.max_connections,
                               descriptors > RESERVED_DESCRIPTORS + 16
                               ? descriptors - RESERVED_DESCRIPTORS : 16);
  g_debug ("Up to %u connections at once (%u descriptors)", self->max_connections, descriptors);

  self->listener = g_steal_pointer (&listener);
  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  return TRUE;
}

/* Takes connections, on the thread-default main context. */
void
nc_webhook_server_start_accepting (NcWebhookServer *self)
{
  g_clear_pointer (&self->context, g_main_context_unref);
  self->context = g_main_context_ref_thread_default ();
  self->backoff_ms = 0;
  self->backoff_warned = FALSE;
  start_accepting (self);
}

/* Stops accepting: the listening socket is closed. */
void
nc_webhook_server_stop_accepting (NcWebhookServer *self)
{
  if (self->accept_source != NULL)
    {
      g_source_destroy (self->accept_source);
      g_clear_pointer (&self->accept_source, g_source_unref);
    }
  if (self->backoff_source != NULL)
    {
      g_source_destroy (self->backoff_source);
      g_clear_pointer (&self->backoff_source, g_source_unref);
    }
  if (self->listener != NULL)
    {
      g_socket_close (self->listener, NULL);
      g_clear_object (&self->listener);
    }
}

static gboolean
accept_any_certificate (GTlsConnection       *connection,
                        GTlsCertificate      *certificate,
                        GTlsCertificateFlags  errors,
                        gpointer              user_data)
{
  /* Only whether the key goes with the certificate is asked here, not who signed it. */
  return TRUE;
}

typedef struct
{
  gboolean  done;
  GError   *error;
} Handshake;

static void
handshake_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Handshake *handshake = user_data;

  g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result, &handshake->error);
  handshake->done = TRUE;
}

static gboolean
cancel_handshakes (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

/* A certificate whose key is not its own loads without complaint, and then every
 * handshake fails: one handshake with itself, over a socket pair, tells. */
gboolean
nc_webhook_server_check_certificate (GTlsCertificate  *certificate,
                                     GError          **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GSource) timeout = g_timeout_source_new_seconds (10);
  g_autoptr(GSocket) server_socket = NULL;
  g_autoptr(GSocket) client_socket = NULL;
  g_autoptr(GSocketConnection) server_connection = NULL;
  g_autoptr(GSocketConnection) client_connection = NULL;
  g_autoptr(GIOStream) server = NULL;
  g_autoptr(GIOStream) client = NULL;
  Handshake server_side = { FALSE, NULL }, client_side = { FALSE, NULL };
  const GError *cause;
  int fds[2];

  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Could not check the TLS certificate: %s"), g_strerror (saved_errno));
      return FALSE;
    }
  server_socket = g_socket_new_from_fd (fds[0], error);
  if (server_socket == NULL)
    {
      close (fds[0]);
      close (fds[1]);
      return FALSE;
    }
  client_socket = g_socket_new_from_fd (fds[1], error);
  if (client_socket == NULL)
    {
      close (fds[1]);
      return FALSE;
    }
  server_connection = g_socket_connection_factory_create_connection (server_socket);
  client_connection = g_socket_connection_factory_create_connection (client_socket);

  server = new_tls_server (G_IO_STREAM (server_connection), certificate, error);
  if (server == NULL)
    return FALSE;
  client = g_tls_client_connection_new (G_IO_STREAM (client_connection), NULL, error);
  if (client == NULL)
    return FALSE;
  g_tls_connection_set_database (G_TLS_CONNECTION (client), NULL);
  g_signal_connect (client, "accept-certificate", G_CALLBACK (accept_any_certificate), NULL);

  g_main_context_push_thread_default (context);
  g_source_set_callback (timeout, cancel_handshakes, cancellable, NULL);
  g_source_attach (timeout, context);
  g_tls_connection_handshake_async (G_TLS_CONNECTION (server), G_PRIORITY_DEFAULT, cancellable,
                                    handshake_done, &server_side);
  g_tls_connection_handshake_async (G_TLS_CONNECTION (client), G_PRIORITY_DEFAULT, cancellable,
                                    handshake_done, &client_side);
  /* One side failing leaves the other waiting for an answer: the end of its stream
   * wakes it. */
  while (!server_side.done || !client_side.done)
    {
      g_main_context_iteration (context, TRUE);
      if (server_side.done && !client_side.done)
        g_socket_shutdown (server_socket, TRUE, TRUE, NULL);
      if (client_side.done && !server_side.done)
        g_socket_shutdown (client_socket, TRUE, TRUE, NULL);
    }
  g_source_destroy (timeout);
  g_main_context_pop_thread_default (context);

  cause = server_side.error != NULL ? server_side.error : client_side.error;
  if (cause != NULL)
    g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                 _("The certificate and the key do not go together (a TLS handshake with them "
                   "failed: %s)"), cause->message);
  g_clear_error (&server_side.error);
  g_clear_error (&client_side.error);
  return cause == NULL;
}
