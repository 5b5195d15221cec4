/* nc-webhook-server-connections.c — one connection's life at the listener
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A connection goes through its stages (the TLS handshake, the request's head and body,
 * our handling, the answer), each with a deadline counted from the stage's start, so that
 * a slow drip is cut like silence. It is counted against the limits, in all and per peer
 * address, until it is closed, whatever it was doing; what a thread or the SoupServer
 * still holds of it goes when they let go. A request refused from its head alone is
 * answered on the connection taken back from the SoupServer, which is then closed: what
 * the client still sends is read and dropped for a moment, so that the answer is not lost
 * with a reset.
 *
 * A connection is kept alive between requests when both sides want it (HTTP/1.1, neither
 * says `Connection: close`). The SoupServer has it for one request at a time only, as an
 * NcWebhookLentStream that it closes after the answer without closing the connection (see
 * nc-webhook-lent-stream.c for why: libsoup 3.2 loses a kept-alive connection that the
 * client closes while it is idle). Between requests the connection is ours and watched:
 * the client's close releases it at once; silence, at the head's deadline; and at a limit
 * an idle connection is the first to go.
 */

#define G_LOG_DOMAIN "nc-webhook-server"

#include "config.h"

#include <string.h>

#include "nc-webhook-lent-stream.h"
#include "nc-webhook-server-private.h"

#define LINGER_MS 2000             /* reading what a refused client still sends, at most */
#define LINGER_MAX_BYTES (256 * 1024)
#define READ_AHEAD 4096            /* read of the next request while idle, to tell it from the end */

/* On a connection's remote address (the object the SoupServer hands back for each of its
 * messages): the NcWebhookConn. */
G_DEFINE_QUARK (nc-webhook-conn, nc_webhook_conn)

/* The figures changed (NcWebhookServer::health-changed, which nc-webhook-server.c
 * registers). */
void
nc_webhook_server_health_changed (NcWebhookServer *self)
{
  g_signal_emit_by_name (self, "health-changed");
}

NcWebhookConn *
nc_webhook_conn_ref (NcWebhookConn *conn)
{
  g_ref_count_inc (&conn->refs);
  return conn;
}

void
nc_webhook_conn_unref (NcWebhookConn *conn)
{
  if (!g_ref_count_dec (&conn->refs))
    return;

  g_assert (conn->timer == NULL && conn->io_source == NULL);
  g_clear_object (&conn->stolen);
  g_clear_object (&conn->connection);
  g_clear_object (&conn->stream);
  g_clear_object (&conn->socket);
  g_clear_object (&conn->local);
  g_clear_object (&conn->remote);
  g_clear_object (&conn->cancellable);
  g_free (conn->peer);
  g_free (conn->answer);
  g_free (conn);
}

NcWebhookConn *
nc_webhook_conn_of_message (SoupServerMessage *message)
{
  GSocketAddress *remote = soup_server_message_get_remote_address (message);

  return remote != NULL ? g_object_get_qdata (G_OBJECT (remote), nc_webhook_conn_quark ()) : NULL;
}

NcWebhookPeer *
nc_webhook_peer_of (NcWebhookServer *self,
                    const char      *address)
{
  NcWebhookPeer *peer = g_hash_table_lookup (self->peers, address);

  if (peer == NULL)
    {
      peer = g_new0 (NcWebhookPeer, 1);
      g_hash_table_insert (self->peers, g_strdup (address), peer);
    }
  return peer;
}

void
nc_webhook_peer_release (NcWebhookServer *self,
                         const char      *address)
{
  NcWebhookPeer *peer = g_hash_table_lookup (self->peers, address);

  if (peer != NULL && peer->connections == 0 && peer->handshakes == 0)
    g_hash_table_remove (self->peers, address);
}

/* The pointer is cleared first: destroying the source drops the reference it holds. */
static void
stop_source (GSource **source)
{
  GSource *stopped = g_steal_pointer (source);

  if (stopped != NULL)
    {
      g_source_destroy (stopped);
      g_source_unref (stopped);
    }
}

static void
conn_stop_timer (NcWebhookConn *conn)
{
  stop_source (&conn->timer);
}

static void
conn_stop_io (NcWebhookConn *conn)
{
  stop_source (&conn->io_source);
}

static const char *
stage_name (NcWebhookStage stage)
{
  switch (stage)
    {
    case NC_WEBHOOK_STAGE_TLS_WAIT:
    case NC_WEBHOOK_STAGE_TLS_QUEUED:
    case NC_WEBHOOK_STAGE_TLS_HANDSHAKE:
      return "TLS handshake";
    case NC_WEBHOOK_STAGE_IDLE:
      return "wait for a next request";
    case NC_WEBHOOK_STAGE_HEAD:
      return "request head";
    case NC_WEBHOOK_STAGE_BODY:
      return "request body";
    case NC_WEBHOOK_STAGE_HANDLING:
      return "handling";
    case NC_WEBHOOK_STAGE_ANSWERING:
      return "answer";
    case NC_WEBHOOK_STAGE_LINGERING:
      return "closing";
    case NC_WEBHOOK_STAGE_CLOSED:
    default:
      return "closed";
    }
}

static gboolean
deadline_passed (gpointer user_data)
{
  NcWebhookConn *conn = user_data;
  NcWebhookServer *self = conn->self;

  g_clear_pointer (&conn->timer, g_source_unref);
  if (self == NULL)
    return G_SOURCE_REMOVE;

  /* What the client said is not our business when it said too little, too slowly. */
  g_debug ("Closing a connection from %s: its %s took too long", conn->peer,
           stage_name (conn->stage));
  /* A kept-alive connection that sends nothing more is not an attack: it is done. */
  if (conn->stage != NC_WEBHOOK_STAGE_LINGERING && conn->stage != NC_WEBHOOK_STAGE_IDLE)
    {
      self->health.closed_timed_out++;
      nc_webhook_server_health_changed (self);
    }
  nc_webhook_conn_close (conn);
  return G_SOURCE_REMOVE;
}

void
nc_webhook_conn_set_stage (NcWebhookConn  *conn,
                           NcWebhookStage  stage,
                           guint           timeout_ms)
{
  conn->stage = stage;
  conn_stop_timer (conn);
  if (timeout_ms == 0 || conn->self == NULL)
    return;
  conn->timer = g_timeout_source_new (timeout_ms);
  g_source_set_callback (conn->timer, deadline_passed, nc_webhook_conn_ref (conn),
                         (GDestroyNotify) nc_webhook_conn_unref);
  g_source_attach (conn->timer, conn->self->context);
}

static void
conn_uncount (NcWebhookConn *conn)
{
  NcWebhookServer *self = conn->self;
  NcWebhookPeer *peer;

  if (!conn->counted || self == NULL)
    return;
  conn->counted = FALSE;
  self->n_counted--;
  peer = g_hash_table_lookup (self->peers, conn->peer);
  if (peer != NULL)
    peer->connections--;
  nc_webhook_peer_release (self, conn->peer);
}

/* Drops the server's hold on @conn: it is gone from every list. */
static void
conn_forget (NcWebhookConn *conn)
{
  conn_uncount (conn);
  conn_stop_timer (conn);
  conn_stop_io (conn);
  if (conn->remote != NULL)
    g_object_set_qdata (G_OBJECT (conn->remote), nc_webhook_conn_quark (), NULL);
  conn->self = NULL;
  if (conn->queued_in != NULL)
    {
      g_queue_unlink (conn->queued_in, &conn->link);
      conn->queued_in = NULL;
      nc_webhook_conn_unref (conn);
    }
}

/* What is ours of @conn is closed now: the socket, the streams. */
void
nc_webhook_conn_release (NcWebhookConn *conn)
{
  /* Letting the stream go may end the last other hold on @conn (lent_gone()). */
  nc_webhook_conn_ref (conn);
  g_socket_close (conn->socket, NULL);
  g_clear_object (&conn->stolen);   /* lets the stream go: conn_forget() follows */
  if (!conn->in_soup)
    {
      g_clear_object (&conn->stream);
      g_clear_object (&conn->connection);
      conn_forget (conn);
    }
  nc_webhook_conn_unref (conn);
}

/* Closes @conn whatever it is doing: it stops counting at once; what a thread or the
 * SoupServer still holds goes when they let go. */
void
nc_webhook_conn_close (NcWebhookConn *conn)
{
  NcWebhookServer *self = conn->self;

  if (conn->stage == NC_WEBHOOK_STAGE_CLOSED)
    return;
  if (conn->stage == NC_WEBHOOK_STAGE_TLS_QUEUED && self != NULL)
    {
      GList *link = g_queue_find (&self->tls_queue, conn);

      if (link != NULL)
        {
          g_queue_delete_link (&self->tls_queue, link);
          nc_webhook_conn_unref (conn);
        }
    }
  conn->stage = NC_WEBHOOK_STAGE_CLOSED;
  conn_uncount (conn);
  conn_stop_timer (conn);
  conn_stop_io (conn);
  g_cancellable_cancel (conn->cancellable);

  /* The end of the stream wakes whoever reads or writes it (the SoupServer, a handshake's
   * thread) without closing the descriptor under them. */
  g_socket_shutdown (conn->socket, TRUE, TRUE, NULL);
  if (!conn->busy && (!conn->in_soup || conn->stolen != NULL))
    nc_webhook_conn_release (conn);
}

/* Closes the oldest connection that has not sent a whole request (of @peer, if set). */
gboolean
nc_webhook_server_evict_oldest_idle (NcWebhookServer *self,
                                     const char      *peer)
{
  for (GList *l = self->conns.head; l != NULL; l = l->next)
    {
      NcWebhookConn *conn = l->data;

      if (!conn->counted ||
          (conn->stage > NC_WEBHOOK_STAGE_BODY && conn->stage != NC_WEBHOOK_STAGE_LINGERING))
        continue;
      if (peer != NULL && !g_str_equal (conn->peer, peer))
        continue;
      g_debug ("Closing the oldest idle connection (from %s) for a new one", conn->peer);
      self->health.closed_over_limit++;
      nc_webhook_conn_close (conn);
      return TRUE;
    }
  return FALSE;
}

/* The SoupServer let go of the stream it was lent without keeping the connection alive:
 * the connection is over. */
static void
lent_gone (gpointer  user_data,
           GObject  *lent)
{
  NcWebhookConn *conn = user_data;

  conn->lent = NULL;
  conn->in_soup = FALSE;
  conn->stage = NC_WEBHOOK_STAGE_CLOSED;
  /* TLS says goodbye (as the SoupServer did when the stream was its own); a plain
   * connection just closes. */
  if (conn->stream != NULL && !g_socket_is_closed (conn->socket))
    g_io_stream_close (conn->stream, NULL, NULL);
  nc_webhook_conn_release (conn);
}

/* A connection just accepted from @peer, counted against the limits from here.
 * @local, @remote, @peer: (transfer full) */
NcWebhookConn *
nc_webhook_conn_new (NcWebhookServer *self,
                     GSocket         *socket,
                     GSocketAddress  *local,
                     GSocketAddress  *remote,
                     char            *peer)
{
  NcWebhookConn *conn = g_new0 (NcWebhookConn, 1);

  g_ref_count_init (&conn->refs);
  conn->self = self;
  conn->socket = g_object_ref (socket);
  conn->local = local;
  conn->remote = remote;
  conn->peer = peer;
  conn->cancellable = g_cancellable_new ();
  conn->counted = TRUE;
  conn->link.data = conn;
  g_queue_push_tail_link (&self->conns, &conn->link);
  conn->queued_in = &self->conns;
  self->n_counted++;
  nc_webhook_peer_of (self, peer)->connections++;
  return conn;
}

/* Lends @conn's stream to the SoupServer for its next request; @already_read (nullable):
 * what was read of that request while the connection was idle. */
void
nc_webhook_conn_serve (NcWebhookConn *conn,
                       GBytes        *already_read)
{
  NcWebhookServer *self = conn->self;
  g_autoptr(GError) error = NULL;
  GIOStream *lent = nc_webhook_lent_stream_new (conn->stream, already_read);

  nc_webhook_conn_set_stage (conn, NC_WEBHOOK_STAGE_HEAD, self->limits.head_timeout_ms);
  conn->lent = lent;
  conn->in_soup = TRUE;
  g_object_set_qdata (G_OBJECT (conn->remote), nc_webhook_conn_quark (), conn);
  g_object_weak_ref (G_OBJECT (lent), lent_gone, conn);
  /* The connection (plain, or under the TLS) is the stream's now. */
  g_clear_object (&conn->connection);
  if (!soup_server_accept_iostream (self->server, lent, conn->local, conn->remote, &error))
    {
      g_debug ("The server did not take a connection: %s", error->message);
      nc_webhook_conn_close (conn);
    }
  /* From here the SoupServer has the lent stream, and either nc_webhook_conn_request_done()
   * takes the connection back or lent_gone() says it is over. */
  g_object_unref (lent);
}

/* Idle: what comes is a next request, or the end. */
static gboolean
next_request_ready (GObject  *input,
                    gpointer  user_data)
{
  NcWebhookConn *conn = user_data;
  g_autoptr(GError) error = NULL;
  char buffer[READ_AHEAD];
  gssize n = g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (input), buffer,
                                                       sizeof buffer, NULL, &error);

  if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    return G_SOURCE_CONTINUE;
  g_clear_pointer (&conn->io_source, g_source_unref);
  if (n <= 0 || conn->self == NULL)
    {
      /* The client closed the connection it had kept (or it broke): nothing is lost. */
      g_debug ("A kept-alive connection from %s ended: %s", conn->peer,
               n == 0 ? "closed by the client" : error->message);
      nc_webhook_conn_close (conn);
    }
  else
    {
      g_autoptr(GBytes) ahead = g_bytes_new (buffer, (gsize) n);

      nc_webhook_conn_serve (conn, ahead);
    }
  return G_SOURCE_REMOVE;
}

/* Whether both sides keep the connection after @message (RFC 9112, 9.3). */
static gboolean
kept_alive (SoupServerMessage *message)
{
  SoupMessageHeaders *request = soup_server_message_get_request_headers (message);
  SoupMessageHeaders *response = soup_server_message_get_response_headers (message);

  return soup_server_message_get_http_version (message) == SOUP_HTTP_1_1 &&
         soup_message_headers_get_encoding (response) != SOUP_ENCODING_EOF &&
         !soup_message_headers_header_contains (request, "Connection", "close") &&
         !soup_message_headers_header_contains (response, "Connection", "close");
}

/* The SoupServer is done with @message: @answered, its whole answer went out, or not. A
 * connection kept alive is ours again, idle until its next request, while the SoupServer
 * closes the stream it was lent; any other is over. */
void
nc_webhook_conn_request_done (NcWebhookConn     *conn,
                              SoupServerMessage *message,
                              gboolean           answered)
{
  NcWebhookServer *self = conn->self;

  if (conn->stage == NC_WEBHOOK_STAGE_CLOSED || self == NULL || conn->lent == NULL)
    return;
  if (!answered || self->listener == NULL || !kept_alive (message))
    {
      nc_webhook_conn_finished (conn);
      return;
    }

  g_object_weak_unref (G_OBJECT (conn->lent), lent_gone, conn);
  conn->lent = NULL;
  conn->in_soup = FALSE;
  nc_webhook_conn_set_stage (conn, NC_WEBHOOK_STAGE_IDLE, self->limits.head_timeout_ms);
  conn->io_source = g_pollable_input_stream_create_source (
    G_POLLABLE_INPUT_STREAM (g_io_stream_get_input_stream (conn->stream)), NULL);
  g_source_set_callback (conn->io_source, G_SOURCE_FUNC (next_request_ready),
                         nc_webhook_conn_ref (conn), (GDestroyNotify) nc_webhook_conn_unref);
  g_source_attach (conn->io_source, self->context);
}

static gboolean
drain (GSocket      *socket,
       GIOCondition  condition,
       gpointer      user_data)
{
  NcWebhookConn *conn = user_data;
  char buffer[8192];

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_socket_receive_with_blocking (socket, buffer, sizeof buffer, FALSE, NULL,
                                                 &error);

      if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        return G_SOURCE_CONTINUE;
      if (n > 0)
        conn->drained += (gsize) n;
      if (n <= 0 || conn->drained > LINGER_MAX_BYTES)
        break;
    }
  g_clear_pointer (&conn->io_source, g_source_unref);
  nc_webhook_conn_close (conn);
  return G_SOURCE_REMOVE;
}

static void
early_answer_written (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  NcWebhookConn *conn = user_data;
  g_autoptr(GError) error = NULL;

  conn->busy = FALSE;
  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error) ||
      conn->stage == NC_WEBHOOK_STAGE_CLOSED || conn->self == NULL)
    {
      if (conn->stage == NC_WEBHOOK_STAGE_CLOSED)
        nc_webhook_conn_release (conn);
      else
        nc_webhook_conn_close (conn);
      nc_webhook_conn_unref (conn);
      return;
    }

  /* Closing with unread data in the socket would reset the connection, and the client
   * could lose the answer with it: the end is sent, and what still comes is read and
   * dropped, for a moment. */
  g_socket_shutdown (conn->socket, FALSE, TRUE, NULL);
  nc_webhook_conn_set_stage (conn, NC_WEBHOOK_STAGE_LINGERING, LINGER_MS);
  conn->io_source = g_socket_create_source (conn->socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  g_source_set_callback (conn->io_source, G_SOURCE_FUNC (drain), nc_webhook_conn_ref (conn),
                         (GDestroyNotify) nc_webhook_conn_unref);
  g_source_attach (conn->io_source, conn->self->context);
  nc_webhook_conn_unref (conn);
}

/* Answers @conn's request now, from its head, and closes @conn: the body, if any, is never
 * read. The connection is taken back from the SoupServer to do so. */
void
nc_webhook_conn_answer_early (NcWebhookConn     *conn,
                              SoupServerMessage *message,
                              guint              status,
                              const char        *text,
                              gboolean           allow)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *date = soup_date_time_to_string (now, SOUP_DATE_HTTP);
  GString *response = g_string_new (NULL);

  g_string_append_printf (response,
                          "HTTP/1.1 %u %s\r\n"
                          "Date: %s\r\n"
                          "Server: novofon-console\r\n"
                          "Content-Type: text/plain; charset=utf-8\r\n"
                          "Content-Length: %" G_GSIZE_FORMAT "\r\n"
                          "%s"
                          "Connection: close\r\n"
                          "\r\n"
                          "%s",
                          status, soup_status_get_phrase (status), date, strlen (text),
                          allow ? "Allow: POST, GET\r\n" : "", text);
  conn->answer_length = response->len;
  conn->answer = g_string_free (response, FALSE);

  conn->stolen = soup_server_message_steal_connection (message);
  nc_webhook_conn_set_stage (conn, NC_WEBHOOK_STAGE_ANSWERING,
                             conn->self->limits.answer_timeout_ms);
  if (conn->stolen == NULL || conn->stream == NULL)
    {
      nc_webhook_conn_close (conn);
      return;
    }
  conn->busy = TRUE;
  g_output_stream_write_all_async (g_io_stream_get_output_stream (conn->stream), conn->answer,
                                   conn->answer_length, G_PRIORITY_DEFAULT, conn->cancellable,
                                   early_answer_written, nc_webhook_conn_ref (conn));
}

/* The request is over and the connection with it: the SoupServer lets go of it now. */
void
nc_webhook_conn_finished (NcWebhookConn *conn)
{
  if (conn->stage != NC_WEBHOOK_STAGE_CLOSED)
    {
      conn_stop_timer (conn);
      conn->stage = NC_WEBHOOK_STAGE_CLOSED;
      conn_uncount (conn);
    }
}

/* Closes the connections not yet (or no longer) the SoupServer's. */
void
nc_webhook_server_close_connections (NcWebhookServer *self)
{
  for (GList *l = self->conns.head; l != NULL;)
    {
      NcWebhookConn *conn = l->data;

      l = l->next;
      if (!conn->in_soup || conn->stolen != NULL)
        nc_webhook_conn_close (conn);
    }
}

/* The server is going: what is left waits for a thread or for the SoupServer's objects,
 * and is no longer the server's to count. */
void
nc_webhook_server_forget_connections (NcWebhookServer *self)
{
  while (self->conns.head != NULL)
    {
      NcWebhookConn *conn = self->conns.head->data;

      if (conn->in_soup && conn->lent != NULL)
        {
          g_object_weak_unref (G_OBJECT (conn->lent), lent_gone, conn);
          conn->lent = NULL;
        }
      conn->stage = NC_WEBHOOK_STAGE_CLOSED;
      /* Out of the list, and the list's reference dropped. */
      conn_forget (conn);
    }
}
