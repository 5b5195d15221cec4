/* nc-webhook-server.c — the listener the PBX posts its call events to
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * It faces the internet, so whoever reaches the port must not be able to stop it, and
 * nothing is taken that the PBX did not sign or that its protocol does not have.
 *
 * The checks, in this order. When the request's head has arrived, before any of its body
 * is read: a wrong path token 404 (compared in constant time); a Signature or a
 * Content-Length given twice, or a Content-Length with a Transfer-Encoding, 400; a GET
 * with zd_echo answers the value exactly; any other method 405; a body announced over
 * 64 KiB 413; a content type other than form-encoded 415. Each of these is answered at
 * once, on a connection taken back from the SoupServer, and closed. While the body is
 * read, chunked or not: past 64 KiB, 413 the same way. Then: a body that does not decode
 * strictly 400; an unknown event type 200, stored nowhere (its signature cannot be
 * checked); a wrong or missing Signature 401; a field the event type does not have, or a
 * missing or malformed one, 400 with the reason; a signed call_start far from now 400.
 * Nothing refused is stored.
 *
 * Acknowledged means on disk: an accepted event pauses its request and goes to the
 * store's writer, which commits whatever arrived meanwhile in one transaction; the 200
 * goes out only when that commit returned. A replay is answered 200 and stores nothing.
 * The answer to NOTIFY_START names the matched client (`caller_name`), so the employee's
 * phone shows who is calling.
 *
 * The connections are accepted here and handed to the SoupServer, which then closes each
 * one after its answer (and says so: `Connection: close`). libsoup's own listener, before
 * 3.4, keeps a reference to every socket it accepted (344 bytes lost a connection), and
 * before 3.3 never closes a keep-alive connection that the client closed while idle: a
 * socket lost each time, until the listener can accept nothing more. Debian 12 has 3.2.3.
 * A webhook sender opens a connection per event anyway.
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
#include <libsoup/soup.h>
#include <json-glib/json-glib.h>
#include <glib/gi18n.h>

#include "nc-settings.h"
#include "nc-webhook-server.h"
#include "nc-webhook-url.h"
#include "nc-zadarma-sign.h"

/* Descriptors kept free of connections: the store's files, the listening socket, the
 * main contexts' wake-ups, the standard streams. */
#define RESERVED_DESCRIPTORS 64
#define ACCEPT_BATCH 64            /* connections taken in one turn of the main loop */
#define BACKOFF_MIN_MS 50
#define BACKOFF_MAX_MS 1000
#define LINGER_MS 2000             /* reading what a refused client still sends, at most */
#define LINGER_MAX_BYTES (256 * 1024)
#define SOCKET_TIMEOUT_S 30        /* a last resort under the deadlines: any blocked I/O */
#define TLS_RECORD_HEADER 5
#define TLS_MAX_RECORD (16384 + 2048)

/* The PBX's documented source addresses (ZADARMA-API.md): its own, and the range that
 * third-party integrations are told to allow. */
static const char *const pbx_sources[] = { "185.45.152.42/32", "185.45.152.40/30" };

static const NcWebhookLimits default_limits = {
  .max_connections = 512,
  .max_connections_per_peer = 128,
  .max_handshakes = 8,
  .max_handshakes_per_peer = 4,
  .handshake_timeout_ms = 5000,
  .head_timeout_ms = 5000,
  .body_timeout_ms = 10000,
  .answer_timeout_ms = 10000,
};

enum {
  SIGNAL_EVENT_RECEIVED,
  SIGNAL_HEALTH_CHANGED,
  N_SIGNALS
};

typedef enum
{
  STAGE_TLS_WAIT,       /* until the whole ClientHello is there; no thread */
  STAGE_TLS_QUEUED,     /* waiting for a handshake slot */
  STAGE_TLS_HANDSHAKE,  /* in a worker thread */
  STAGE_HEAD,           /* with the SoupServer, before the request's head is all read */
  STAGE_BODY,
  STAGE_HANDLING,       /* waiting for the store (our side): no deadline */
  STAGE_ANSWERING,      /* the answer going out */
  STAGE_LINGERING,      /* answered early: what the client still sends is read and dropped */
  STAGE_CLOSED,         /* not counted any more; the record waits for its stream to go */
} Stage;

typedef struct
{
  guint connections;
  guint handshakes;
} Peer;

typedef struct _Conn Conn;

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
  GQueue           conns;             /* every Conn not yet freed, oldest first */
  guint            n_counted;
  GHashTable      *peers;             /* address → Peer */
  GQueue           tls_queue;         /* Conns in STAGE_TLS_QUEUED, first come first */
  guint            n_handshakes;
};

G_DEFINE_FINAL_TYPE (NcWebhookServer, nc_webhook_server, G_TYPE_OBJECT)

static guint signals[N_SIGNALS];

struct _Conn
{
  grefcount          refs;
  NcWebhookServer   *self;         /* NULL once the server is gone */
  GSocket           *socket;
  GSocketConnection *connection;   /* ours until handed over */
  GIOStream         *stream;       /* the HTTP's: the connection or its TLS; ours until handed
                                    * over, then watched */
  GIOStream         *stolen;       /* the SoupServer's wrapper, once taken back */
  GSocketAddress    *local;
  GSocketAddress    *remote;
  char              *peer;
  Stage              stage;
  gboolean           counted;
  gboolean           in_soup;      /* the SoupServer has (or had) the stream */
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

typedef struct
{
  NcWebhookServer   *self;
  SoupServerMessage *message;
  NcCallEvent       *event;
  gboolean           inserted;
  gboolean           gone;       /* the client went away while it waited */
} Pending;

/* On a connection's remote address (the object the SoupServer hands back for each of
 * its messages): the Conn. */
static GQuark conn_quark;

static void conn_close (Conn *conn);

static void
health_changed (NcWebhookServer *self)
{
  g_signal_emit (self, signals[SIGNAL_HEALTH_CHANGED], 0);
}

/* Connections ---------------------------------------------------------------------- */

static Conn *
conn_ref (Conn *conn)
{
  g_ref_count_inc (&conn->refs);
  return conn;
}

static void
conn_unref (Conn *conn)
{
  if (!g_ref_count_dec (&conn->refs))
    return;

  g_assert (conn->timer == NULL && conn->io_source == NULL);
  g_clear_object (&conn->stolen);
  g_clear_object (&conn->connection);
  if (!conn->in_soup)
    g_clear_object (&conn->stream);
  g_clear_object (&conn->socket);
  g_clear_object (&conn->local);
  g_clear_object (&conn->remote);
  g_clear_object (&conn->cancellable);
  g_free (conn->peer);
  g_free (conn->answer);
  g_free (conn);
}

static Conn *
conn_of_message (SoupServerMessage *message)
{
  GSocketAddress *remote = soup_server_message_get_remote_address (message);

  return remote != NULL ? g_object_get_qdata (G_OBJECT (remote), conn_quark) : NULL;
}

static Peer *
peer_of (NcWebhookServer *self,
         const char      *address)
{
  Peer *peer = g_hash_table_lookup (self->peers, address);

  if (peer == NULL)
    {
      peer = g_new0 (Peer, 1);
      g_hash_table_insert (self->peers, g_strdup (address), peer);
    }
  return peer;
}

static void
peer_release (NcWebhookServer *self,
              const char      *address)
{
  Peer *peer = g_hash_table_lookup (self->peers, address);

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
conn_stop_timer (Conn *conn)
{
  stop_source (&conn->timer);
}

static void
conn_stop_io (Conn *conn)
{
  stop_source (&conn->io_source);
}

static const char *
stage_name (Stage stage)
{
  switch (stage)
    {
    case STAGE_TLS_WAIT:
    case STAGE_TLS_QUEUED:
    case STAGE_TLS_HANDSHAKE:
      return "TLS handshake";
    case STAGE_HEAD:
      return "request head";
    case STAGE_BODY:
      return "request body";
    case STAGE_HANDLING:
      return "handling";
    case STAGE_ANSWERING:
      return "answer";
    case STAGE_LINGERING:
      return "closing";
    case STAGE_CLOSED:
    default:
      return "closed";
    }
}

static gboolean
deadline_passed (gpointer user_data)
{
  Conn *conn = user_data;
  NcWebhookServer *self = conn->self;

  g_clear_pointer (&conn->timer, g_source_unref);
  if (self == NULL)
    return G_SOURCE_REMOVE;

  /* What the client said is not our business when it said too little, too slowly. */
  g_debug ("Closing a connection from %s: its %s took too long", conn->peer,
           stage_name (conn->stage));
  if (conn->stage != STAGE_LINGERING)
    {
      self->health.closed_timed_out++;
      health_changed (self);
    }
  conn_close (conn);
  return G_SOURCE_REMOVE;
}

static void
conn_set_stage (Conn  *conn,
                Stage  stage,
                guint  timeout_ms)
{
  conn->stage = stage;
  conn_stop_timer (conn);
  if (timeout_ms == 0 || conn->self == NULL)
    return;
  conn->timer = g_timeout_source_new (timeout_ms);
  g_source_set_callback (conn->timer, deadline_passed, conn_ref (conn),
                         (GDestroyNotify) conn_unref);
  g_source_attach (conn->timer, conn->self->context);
}

static void
conn_uncount (Conn *conn)
{
  NcWebhookServer *self = conn->self;
  Peer *peer;

  if (!conn->counted || self == NULL)
    return;
  conn->counted = FALSE;
  self->n_counted--;
  peer = g_hash_table_lookup (self->peers, conn->peer);
  if (peer != NULL)
    peer->connections--;
  peer_release (self, conn->peer);
}

/* Drops the server's hold on @conn: it is gone from every list. */
static void
conn_forget (Conn *conn)
{
  conn_uncount (conn);
  conn_stop_timer (conn);
  conn_stop_io (conn);
  if (conn->remote != NULL)
    g_object_set_qdata (G_OBJECT (conn->remote), conn_quark, NULL);
  conn->self = NULL;
  if (conn->queued_in != NULL)
    {
      g_queue_unlink (conn->queued_in, &conn->link);
      conn->queued_in = NULL;
      conn_unref (conn);
    }
}

/* What is ours of @conn is closed now: the socket, the streams. */
static void
conn_release (Conn *conn)
{
  /* Letting the stream go may end the last other hold on @conn (stream_gone()). */
  conn_ref (conn);
  g_socket_close (conn->socket, NULL);
  g_clear_object (&conn->stolen);   /* lets the stream go: conn_forget() follows */
  if (!conn->in_soup)
    {
      g_clear_object (&conn->stream);
      g_clear_object (&conn->connection);
      conn_forget (conn);
    }
  conn_unref (conn);
}

/* Closes @conn whatever it is doing: it stops counting at once; what a thread or the
 * SoupServer still holds goes when they let go. */
static void
conn_close (Conn *conn)
{
  NcWebhookServer *self = conn->self;

  if (conn->stage == STAGE_CLOSED)
    return;
  if (conn->stage == STAGE_TLS_QUEUED && self != NULL)
    {
      GList *link = g_queue_find (&self->tls_queue, conn);

      if (link != NULL)
        {
          g_queue_delete_link (&self->tls_queue, link);
          conn_unref (conn);
        }
    }
  conn->stage = STAGE_CLOSED;
  conn_uncount (conn);
  conn_stop_timer (conn);
  conn_stop_io (conn);
  g_cancellable_cancel (conn->cancellable);

  /* The end of the stream wakes whoever reads or writes it (the SoupServer, a handshake's
   * thread) without closing the descriptor under them. */
  g_socket_shutdown (conn->socket, TRUE, TRUE, NULL);
  if (!conn->busy && (!conn->in_soup || conn->stolen != NULL))
    conn_release (conn);
}

/* Closes the oldest connection that has not sent a whole request (of @peer, if set). */
static gboolean
evict_oldest_idle (NcWebhookServer *self,
                   const char      *peer)
{
  for (GList *l = self->conns.head; l != NULL; l = l->next)
    {
      Conn *conn = l->data;

      if (!conn->counted || (conn->stage > STAGE_BODY && conn->stage != STAGE_LINGERING))
        continue;
      if (peer != NULL && !g_str_equal (conn->peer, peer))
        continue;
      g_debug ("Closing the oldest idle connection (from %s) for a new one", conn->peer);
      self->health.closed_over_limit++;
      conn_close (conn);
      return TRUE;
    }
  return FALSE;
}

/* The SoupServer let go of the stream it was handed: the connection is over. */
static void
stream_gone (gpointer  user_data,
             GObject  *stream)
{
  Conn *conn = user_data;

  conn->stream = NULL;
  conn->stage = STAGE_CLOSED;
  conn_forget (conn);
}

/* Answers -------------------------------------------------------------------------- */

static void
count_refusal (NcWebhookServer *self,
               guint            status)
{
  switch (status)
    {
    case SOUP_STATUS_NOT_FOUND:
      self->health.rejected_not_found++;
      break;
    case SOUP_STATUS_METHOD_NOT_ALLOWED:
      self->health.rejected_method++;
      break;
    case SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE:
      self->health.rejected_too_large++;
      break;
    case SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE:
      self->health.rejected_content_type++;
      break;
    case SOUP_STATUS_UNAUTHORIZED:
      self->health.rejected_signature++;
      break;
    default:
      self->health.rejected_malformed++;
    }
}

static void
answer_text (SoupServerMessage *message,
             guint              status,
             const char        *text)
{
  soup_server_message_set_status (message, status, NULL);
  soup_server_message_set_response (message, "text/plain; charset=utf-8", SOUP_MEMORY_COPY,
                                    text, strlen (text));
}

/* The answer is ready: it must be out within the answer's time. */
static void
answering (SoupServerMessage *message)
{
  Conn *conn = conn_of_message (message);

  if (conn != NULL && conn->stage != STAGE_CLOSED && conn->self != NULL)
    conn_set_stage (conn, STAGE_ANSWERING, conn->self->limits.answer_timeout_ms);
}

static void
reject (NcWebhookServer   *self,
        SoupServerMessage *message,
        guint              status,
        const char        *reason)
{
  count_refusal (self, status);
  g_debug ("Refused with %u: %s", status, reason);
  answer_text (message, status, reason);
  answering (message);
  health_changed (self);
}

static gboolean
drain (GSocket      *socket,
       GIOCondition  condition,
       gpointer      user_data)
{
  Conn *conn = user_data;
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
  conn_close (conn);
  return G_SOURCE_REMOVE;
}

static void
early_answer_written (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  Conn *conn = user_data;
  g_autoptr(GError) error = NULL;

  conn->busy = FALSE;
  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error) ||
      conn->stage == STAGE_CLOSED || conn->self == NULL)
    {
      if (conn->stage == STAGE_CLOSED)
        conn_release (conn);
      else
        conn_close (conn);
      conn_unref (conn);
      return;
    }

  /* Closing with unread data in the socket would reset the connection, and the client
   * could lose the answer with it: the end is sent, and what still comes is read and
   * dropped, for a moment. */
  g_socket_shutdown (conn->socket, FALSE, TRUE, NULL);
  conn_set_stage (conn, STAGE_LINGERING, LINGER_MS);
  conn->io_source = g_socket_create_source (conn->socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  g_source_set_callback (conn->io_source, G_SOURCE_FUNC (drain), conn_ref (conn),
                         (GDestroyNotify) conn_unref);
  g_source_attach (conn->io_source, conn->self->context);
  conn_unref (conn);
}

/* Answers @message now, from its head, and closes its connection: its body, if any, is
 * never read. The connection is taken back from the SoupServer to do so. */
static void
answer_early (NcWebhookServer   *self,
              SoupServerMessage *message,
              guint              status,
              const char        *text,
              gboolean           allow)
{
  Conn *conn = conn_of_message (message);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *date = soup_date_time_to_string (now, SOUP_DATE_HTTP);
  GString *response = g_string_new (NULL);

  if (status != SOUP_STATUS_OK)
    {
      count_refusal (self, status);
      g_debug ("Refused with %u at the head: %s", status, text);
      health_changed (self);
    }
  if (conn == NULL || conn->stage == STAGE_CLOSED)
    {
      /* Not one of ours (cannot be): the SoupServer answers and closes it. */
      answer_text (message, status, text);
      g_string_free (response, TRUE);
      return;
    }

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
  conn_set_stage (conn, STAGE_ANSWERING, self->limits.answer_timeout_ms);
  if (conn->stolen == NULL || conn->stream == NULL)
    {
      conn_close (conn);
      return;
    }
  conn->busy = TRUE;
  g_output_stream_write_all_async (g_io_stream_get_output_stream (conn->stream), conn->answer,
                                   conn->answer_length, G_PRIORITY_DEFAULT, conn->cancellable,
                                   early_answer_written, conn_ref (conn));
}

/* Events --------------------------------------------------------------------------- */

static void
pending_free (Pending *pending)
{
  g_hash_table_remove (pending->self->waiting, pending->message);
  g_object_unref (pending->self);
  g_object_unref (pending->message);
  g_clear_object (&pending->event);
  g_free (pending);
}

static void
finish (Pending    *pending,
        const char *caller_name)
{
  NcWebhookServer *self = pending->self;
  SoupServerMessage *message = pending->message;

  /* The event is stored; there is just nobody left to tell (the PBX will send it again,
   * and the replay is answered then). */
  if (pending->gone)
    {
      self->pending--;
      pending_free (pending);
      return;
    }

  if (caller_name != NULL)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonGenerator) generator = json_generator_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *shown = g_utf8_strlen (caller_name, -1) > NC_WEBHOOK_MAX_CALLER_NAME
                               ? g_utf8_substring (caller_name, 0, NC_WEBHOOK_MAX_CALLER_NAME)
                               : g_strdup (caller_name);
      gsize length = 0;
      char *json;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "caller_name");
      json_builder_add_string_value (builder, shown);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      json_generator_set_root (generator, root);
      json = json_generator_to_data (generator, &length);
      soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (message, "application/json", SOUP_MEMORY_TAKE, json,
                                        length);
    }
  else
    answer_text (message, SOUP_STATUS_OK, "OK");

  answering (message);
  soup_server_message_unpause (message);
  self->pending--;
  pending_free (pending);
}

static void
caller_matched (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Pending *pending = user_data;
  g_autoptr(NcClient) client = NULL;
  g_autoptr(GError) error = NULL;

  client = nc_client_matcher_match_finish (NC_CLIENT_MATCHER (source), result, NULL, &error);
  finish (pending, client != NULL ? nc_client_get_name (client) : NULL);
}

static void
event_committed (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Pending *pending = user_data;
  NcWebhookServer *self = pending->self;
  g_autoptr(GError) error = NULL;
  const char *caller;

  if (!nc_store_add_call_event_finish (NC_STORE (source), result, &pending->inserted, &error))
    {
      /* Not on disk, so not acknowledged: the PBX may try again. A database that is away
       * (restarted, unreachable, busy) is a state of the office, not a fault of this
       * program: 503, and said as a message. */
      gboolean transient = g_error_matches (error, NC_STORE_ERROR, NC_STORE_ERROR_DISCONNECTED) ||
                           g_error_matches (error, NC_STORE_ERROR, NC_STORE_ERROR_UNREACHABLE) ||
                           g_error_matches (error, NC_STORE_ERROR, NC_STORE_ERROR_LOCKED);

      if (transient)
        g_message ("Could not store a call event (the PBX sends it again): %s", error->message);
      else
        g_warning ("Could not store a call event: %s", error->message);
      self->health.failed++;
      if (!pending->gone)
        {
          answer_text (pending->message, transient ? SOUP_STATUS_SERVICE_UNAVAILABLE
                                                   : SOUP_STATUS_INTERNAL_SERVER_ERROR,
                       _("The event could not be stored"));
          answering (pending->message);
          soup_server_message_unpause (pending->message);
        }
      self->pending--;
      health_changed (self);
      pending_free (pending);
      return;
    }

  if (pending->inserted)
    self->health.accepted++;
  else
    self->health.duplicates++;
  self->health.last_event_at = g_get_real_time ();
  health_changed (self);
  g_signal_emit (self, signals[SIGNAL_EVENT_RECEIVED], 0, pending->event, pending->inserted);

  caller = nc_call_event_get_field (pending->event, "caller_id");
  if (self->matcher != NULL &&
      g_str_equal (nc_call_event_get_event_type (pending->event), "NOTIFY_START") &&
      caller != NULL && g_ascii_isdigit (*caller))
    {
      nc_client_matcher_match_async (self->matcher, caller, NULL, caller_matched, pending);
      return;
    }

  finish (pending, NULL);
}

static gboolean
is_form_content_type (SoupServerMessage *message)
{
  const char *type = soup_message_headers_get_content_type (
    soup_server_message_get_request_headers (message), NULL);

  return type != NULL && g_ascii_strcasecmp (type, "application/x-www-form-urlencoded") == 0;
}

/* The request's body is all there (its head passed got_headers()). */
static void
handle (SoupServer        *server,
        SoupServerMessage *message,
        const char        *path,
        GHashTable        *query,
        gpointer           user_data)
{
  NcWebhookServer *self = user_data;
  Conn *conn = conn_of_message (message);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GHashTable) fields = NULL;
  g_autoptr(GError) error = NULL;
  NcCallEvent *event;
  Pending *pending;

  if (conn != NULL && conn->stage != STAGE_CLOSED)
    conn_set_stage (conn, STAGE_HANDLING, 0);

  /* Checked at the head already; again here, in case a head ever reached this without. */
  if (!nc_secure_str_equal (path, self->path) ||
      !g_str_equal (soup_server_message_get_method (message), "POST"))
    {
      reject (self, message, SOUP_STATUS_NOT_FOUND, _("Not found"));
      return;
    }

  body = soup_message_body_flatten (soup_server_message_get_request_body (message));
  if (g_bytes_get_size (body) > NC_WEBHOOK_MAX_BODY)
    {
      reject (self, message, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, _("The body is too large"));
      return;
    }

  fields = nc_call_event_decode_form (g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                                      &error);
  if (fields == NULL)
    {
      g_autofree char *reason = g_strdup_printf (_("The body is not a valid form: %s"),
                                                 error->message);

      reject (self, message, SOUP_STATUS_BAD_REQUEST, reason);
      return;
    }

  if (!nc_call_event_type_is_known (g_hash_table_lookup (fields, "event")))
    {
      /* Nothing can be checked, so nothing is kept; the PBX still gets its 200. */
      self->health.ignored++;
      health_changed (self);
      answer_text (message, SOUP_STATUS_OK, "OK");
      answering (message);
      return;
    }

  event = nc_call_event_new_verified (fields, self->secret,
                                      soup_message_headers_get_one (
                                        soup_server_message_get_request_headers (message),
                                        "Signature"),
                                      &error);
  if (event == NULL)
    {
      reject (self, message,
              g_error_matches (error, NC_CALL_EVENT_ERROR, NC_CALL_EVENT_ERROR_BAD_SIGNATURE)
              ? SOUP_STATUS_UNAUTHORIZED : SOUP_STATUS_BAD_REQUEST,
              error->message);
      return;
    }
  if (!nc_call_event_check_call_start (event, NULL, self->event_window, &error))
    {
      reject (self, message, SOUP_STATUS_BAD_REQUEST, error->message);
      g_object_unref (event);
      return;
    }

  pending = g_new0 (Pending, 1);
  pending->self = g_object_ref (self);
  pending->message = g_object_ref (message);
  pending->event = event;
  self->pending++;
  g_hash_table_insert (self->waiting, message, pending);
  soup_server_message_pause (message);
  nc_store_add_call_event_async (self->store, nc_call_event_get_event_type (event),
                                 nc_call_event_get_canonical (event),
                                 nc_call_event_get_received_at (event), NULL, event_committed,
                                 pending);
}

typedef struct
{
  guint       signatures;
  guint       lengths;
  const char *length;
  gboolean    lengths_differ;
  gboolean    transfer_encoding;
} HeadCount;

static void
count_header (const char *name,
              const char *value,
              gpointer    user_data)
{
  HeadCount *count = user_data;

  if (g_ascii_strcasecmp (name, "Signature") == 0)
    count->signatures++;
  else if (g_ascii_strcasecmp (name, "Transfer-Encoding") == 0)
    count->transfer_encoding = TRUE;
  else if (g_ascii_strcasecmp (name, "Content-Length") == 0)
    {
      if (count->lengths++ > 0 && g_strcmp0 (count->length, value) != 0)
        count->lengths_differ = TRUE;
      count->length = value;
    }
}

/* The request's head is all there, and none of its body has been read. */
static void
got_headers (SoupServerMessage *message,
             NcWebhookServer   *self)
{
  Conn *conn = conn_of_message (message);
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (message);
  const char *method = soup_server_message_get_method (message);
  GUri *uri = soup_server_message_get_uri (message);
  HeadCount count = { 0 };

  if (conn != NULL && conn->stage != STAGE_CLOSED)
    conn_set_stage (conn, STAGE_BODY, self->limits.body_timeout_ms);

  /* The SoupServer found the head broken (a path with "..", say). */
  if (soup_server_message_get_status (message) != 0)
    {
      answer_early (self, message, soup_server_message_get_status (message),
                    soup_server_message_get_reason_phrase (message), FALSE);
      return;
    }

  if (uri == NULL || !nc_secure_str_equal (g_uri_get_path (uri), self->path))
    {
      answer_early (self, message, SOUP_STATUS_NOT_FOUND, _("Not found"), FALSE);
      return;
    }

  soup_message_headers_foreach (headers, count_header, &count);
  if (count.signatures > 1)
    {
      answer_early (self, message, SOUP_STATUS_BAD_REQUEST,
                    _("The Signature header is given more than once"), FALSE);
      return;
    }
  /* RFC 9112, 6.3: a message framed two ways cannot be read one way. */
  if (count.lengths_differ || (count.lengths > 0 && count.transfer_encoding))
    {
      answer_early (self, message, SOUP_STATUS_BAD_REQUEST,
                    _("The body’s length is given in two different ways"), FALSE);
      return;
    }

  if (g_str_equal (method, "GET"))
    {
      g_autoptr(GHashTable) query = g_uri_get_query (uri) != NULL
                                    ? soup_form_decode (g_uri_get_query (uri)) : NULL;
      const char *echo = query != NULL ? g_hash_table_lookup (query, "zd_echo") : NULL;

      /* The PBX checks the URL when it is saved: the answer must be the value exactly. */
      if (echo != NULL)
        {
          answer_early (self, message, SOUP_STATUS_OK, echo, FALSE);
          return;
        }
    }

  if (!g_str_equal (method, "POST"))
    {
      answer_early (self, message, SOUP_STATUS_METHOD_NOT_ALLOWED,
                    _("Only POST (and GET with zd_echo) is accepted here"), TRUE);
      return;
    }

  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
      soup_message_headers_get_content_length (headers) > NC_WEBHOOK_MAX_BODY)
    {
      answer_early (self, message, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE,
                    _("The body is too large"), FALSE);
      return;
    }

  if (!is_form_content_type (message))
    answer_early (self, message, SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE,
                  _("The body must be application/x-www-form-urlencoded"), FALSE);
}

/* A part of the body has been read, chunked or not: it must stay under the limit. */
static void
got_chunk (SoupServerMessage *message,
           GBytes            *chunk,
           NcWebhookServer   *self)
{
  if (soup_server_message_get_request_body (message)->length > NC_WEBHOOK_MAX_BODY)
    answer_early (self, message, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE,
                  _("The body is too large"), FALSE);
}

/* The answer is out: the SoupServer closes the connection now. */
static void
message_finished (SoupServerMessage *message,
                  NcWebhookServer   *self)
{
  Conn *conn = conn_of_message (message);

  if (conn != NULL && conn->stage != STAGE_CLOSED)
    {
      conn_stop_timer (conn);
      conn->stage = STAGE_CLOSED;
      conn_uncount (conn);
    }
}

static void
message_disconnected (SoupServerMessage *message,
                      NcWebhookServer   *self)
{
  Pending *pending = g_hash_table_lookup (self->waiting, message);

  /* A paused message whose connection went (the listener stopped): libsoup 3.2 must not
   * be asked to unpause it. */
  if (pending != NULL)
    pending->gone = TRUE;
}

static void
request_aborted (SoupServer        *server,
                 SoupServerMessage *message,
                 NcWebhookServer   *self)
{
  Pending *pending = g_hash_table_lookup (self->waiting, message);

  if (pending != NULL)
    pending->gone = TRUE;
}

static void
request_started (SoupServer        *server,
                 SoupServerMessage *message,
                 NcWebhookServer   *self)
{
  /* The server closes every connection it did not accept itself after one answer. */
  soup_message_headers_replace (soup_server_message_get_response_headers (message),
                                "Connection", "close");
  g_signal_connect_object (message, "got-headers", G_CALLBACK (got_headers), self, 0);
  g_signal_connect_object (message, "got-chunk", G_CALLBACK (got_chunk), self, 0);
  g_signal_connect_object (message, "finished", G_CALLBACK (message_finished), self, 0);
  g_signal_connect_object (message, "disconnected", G_CALLBACK (message_disconnected), self, 0);
}

/* Accepting ------------------------------------------------------------------------ */

static void
hand_to_soup (Conn      *conn,
              GIOStream *stream)
{
  NcWebhookServer *self = conn->self;
  g_autoptr(GError) error = NULL;

  conn_set_stage (conn, STAGE_HEAD, self->limits.head_timeout_ms);
  conn->stream = stream;
  conn->in_soup = TRUE;
  g_object_set_qdata (G_OBJECT (conn->remote), conn_quark, conn);
  g_object_weak_ref (G_OBJECT (stream), stream_gone, conn);
  if (!soup_server_accept_iostream (self->server, stream, conn->local, conn->remote, &error))
    {
      g_debug ("The server did not take a connection: %s", error->message);
      conn_close (conn);
    }
  /* From here the SoupServer has the stream, and stream_gone() says when it is done. */
  g_clear_object (&conn->connection);
  g_object_unref (stream);
}

static void pump_handshakes (NcWebhookServer *self);

static void
handshaken (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Conn *conn = user_data;
  NcWebhookServer *self = conn->self;
  g_autoptr(GError) error = NULL;
  gboolean done = g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result, &error);

  conn->busy = FALSE;
  if (conn->holds_slot && self != NULL)
    {
      Peer *peer = g_hash_table_lookup (self->peers, conn->peer);

      conn->holds_slot = FALSE;
      self->n_handshakes--;
      if (peer != NULL)
        peer->handshakes--;
      peer_release (self, conn->peer);
      pump_handshakes (self);
    }

  if (conn->stage == STAGE_CLOSED || self == NULL)
    conn_release (conn);
  else if (!done)
    {
      g_debug ("A TLS handshake with %s failed: %s", conn->peer, error->message);
      self->health.dropped++;
      health_changed (self);
      conn_close (conn);
    }
  else
    hand_to_soup (conn, g_steal_pointer (&conn->stream));
  conn_unref (conn);
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
start_handshake (Conn *conn)
{
  NcWebhookServer *self = conn->self;
  g_autoptr(GError) error = NULL;
  Peer *peer = peer_of (self, conn->peer);

  conn->stage = STAGE_TLS_HANDSHAKE;
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
      conn_close (conn);
      return;
    }
  conn->busy = TRUE;
  g_tls_connection_handshake_async (G_TLS_CONNECTION (conn->stream), G_PRIORITY_DEFAULT,
                                    conn->cancellable, handshaken, conn_ref (conn));
}

/* Starts the handshakes that have a slot, first come first. */
static void
pump_handshakes (NcWebhookServer *self)
{
  GList *l = self->tls_queue.head;

  while (l != NULL && self->n_handshakes < self->limits.max_handshakes)
    {
      GList *next = l->next;
      Conn *conn = l->data;
      Peer *peer = peer_of (self, conn->peer);

      if (peer->handshakes < self->limits.max_handshakes_per_peer)
        {
          g_queue_delete_link (&self->tls_queue, l);
          start_handshake (conn);
          conn_unref (conn);
        }
      l = next;
    }
}

static void
set_low_water (Conn  *conn,
               guint  bytes)
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
  Conn *conn = user_data;
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
  conn->stage = STAGE_TLS_QUEUED;
  g_queue_push_tail (&conn->self->tls_queue, conn_ref (conn));
  pump_handshakes (conn->self);
  return G_SOURCE_REMOVE;

refuse:
  g_debug ("Closing a connection from %s that does not begin TLS", conn->peer);
  conn->self->health.dropped++;
  g_clear_pointer (&conn->io_source, g_source_unref);
  conn_close (conn);
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
  Conn *conn;
  Peer *peer;

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
      health_changed (self);
      return;
    }

  peer = g_hash_table_lookup (self->peers, peer_text);
  if ((peer != NULL && peer->connections >= self->limits.max_connections_per_peer &&
       !evict_oldest_idle (self, peer_text)) ||
      (self->n_counted >= self->max_connections && !evict_oldest_idle (self, NULL)))
    {
      g_debug ("Refusing a connection from %s: too many are open", peer_text);
      self->health.closed_over_limit++;
      g_socket_close (socket, NULL);
      health_changed (self);
      return;
    }
  /* Looked up again: closing the peer's last connection may have dropped its entry. */
  peer = peer_of (self, peer_text);

  conn = g_new0 (Conn, 1);
  g_ref_count_init (&conn->refs);
  conn->self = self;
  conn->socket = g_object_ref (socket);
  conn->local = g_steal_pointer (&local);
  conn->remote = g_steal_pointer (&remote);
  conn->peer = g_steal_pointer (&peer_text);
  conn->cancellable = g_cancellable_new ();
  conn->counted = TRUE;
  conn->link.data = conn;
  g_queue_push_tail_link (&self->conns, &conn->link);
  conn->queued_in = &self->conns;
  self->n_counted++;
  peer->connections++;

  g_socket_set_timeout (socket, SOCKET_TIMEOUT_S);
  g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, TRUE, NULL);
  conn->connection = g_socket_connection_factory_create_connection (socket);

  if (self->certificate == NULL)
    {
      hand_to_soup (conn, g_object_ref (G_IO_STREAM (conn->connection)));
      return;
    }

  conn_set_stage (conn, STAGE_TLS_WAIT, self->limits.handshake_timeout_ms);
  set_low_water (conn, TLS_RECORD_HEADER);
  conn->io_source = g_socket_create_source (socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  g_source_set_callback (conn->io_source, G_SOURCE_FUNC (client_hello_ready), conn_ref (conn),
                         (GDestroyNotify) conn_unref);
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
  evict_oldest_idle (self, NULL);
  health_changed (self);

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

/* TLS ------------------------------------------------------------------------------ */

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
static gboolean
check_certificate (GTlsCertificate  *certificate,
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

/* Settings and limits -------------------------------------------------------------- */

/* The environment wins over GSettings: a server without dconf has only it. */
static void
read_settings (NcWebhookServer *self)
{
  g_autoptr(GSettings) settings = nc_settings_new_for_command_line ();
  const char *window = g_getenv ("NOVOFON_WEBHOOK_EVENT_WINDOW");
  const char *pbx_only = g_getenv ("NOVOFON_WEBHOOK_PBX_SOURCES_ONLY");
  guint64 value;

  self->event_window = (guint) MAX (0, nc_settings_get_int (settings, "webhook-event-window"));
  self->pbx_sources_only = nc_settings_get_boolean (settings, "webhook-pbx-sources-only");

  if (window != NULL && *window != '\0')
    {
      if (g_ascii_string_to_unsigned (window, 10, 0, G_MAXUINT, &value, NULL))
        self->event_window = (guint) value;
      else
        g_warning ("NOVOFON_WEBHOOK_EVENT_WINDOW is not a number of seconds: “%s”", window);
    }
  if (pbx_only != NULL && *pbx_only != '\0')
    self->pbx_sources_only = g_strcmp0 (pbx_only, "0") != 0 &&
                             g_ascii_strcasecmp (pbx_only, "false") != 0;
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

/* GObject -------------------------------------------------------------------------- */

static void
nc_webhook_server_dispose (GObject *object)
{
  NcWebhookServer *self = NC_WEBHOOK_SERVER (object);
  GList *link;

  nc_webhook_server_stop (self);
  /* What is left waits for a thread or for the SoupServer's objects; it is no longer
   * ours to count. */
  while ((link = g_queue_pop_head_link (&self->conns)) != NULL)
    {
      Conn *conn = link->data;

      conn->queued_in = NULL;
      if (conn->in_soup && conn->stream != NULL)
        {
          g_object_weak_unref (G_OBJECT (conn->stream), stream_gone, conn);
          conn->stream = NULL;
        }
      conn_uncount (conn);
      conn_stop_timer (conn);
      conn_stop_io (conn);
      if (conn->remote != NULL)
        g_object_set_qdata (G_OBJECT (conn->remote), conn_quark, NULL);
      conn->self = NULL;
      conn->stage = STAGE_CLOSED;
      conn_unref (conn);
    }
  g_clear_object (&self->store);
  g_clear_object (&self->matcher);
  g_clear_object (&self->certificate);

  G_OBJECT_CLASS (nc_webhook_server_parent_class)->dispose (object);
}

static void
nc_webhook_server_finalize (GObject *object)
{
  NcWebhookServer *self = NC_WEBHOOK_SERVER (object);

  if (self->secret != NULL)
    memset (self->secret, 0, strlen (self->secret));
  g_free (self->secret);
  g_free (self->token);
  g_free (self->path);
  g_clear_pointer (&self->waiting, g_hash_table_unref);
  g_clear_pointer (&self->peers, g_hash_table_unref);
  g_clear_pointer (&self->pbx_masks, g_ptr_array_unref);
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (nc_webhook_server_parent_class)->finalize (object);
}

static void
nc_webhook_server_class_init (NcWebhookServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = nc_webhook_server_dispose;
  object_class->finalize = nc_webhook_server_finalize;

  conn_quark = g_quark_from_static_string ("nc-webhook-conn");

  /**
   * NcWebhookServer::event-received:
   * @event: the verified event
   * @inserted: %FALSE for a replay of an event already stored
   *
   * Emitted once the event is on disk, before the PBX gets its answer.
   */
  signals[SIGNAL_EVENT_RECEIVED] =
    g_signal_new ("event-received", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, NC_TYPE_CALL_EVENT, G_TYPE_BOOLEAN);
  signals[SIGNAL_HEALTH_CHANGED] =
    g_signal_new ("health-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);
}

static void
nc_webhook_server_init (NcWebhookServer *self)
{
  self->waiting = g_hash_table_new (NULL, NULL);
  self->peers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->limits = default_limits;
  self->pbx_masks = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < G_N_ELEMENTS (pbx_sources); i++)
    g_ptr_array_add (self->pbx_masks, g_inet_address_mask_new_from_string (pbx_sources[i], NULL));
  g_queue_init (&self->conns);
  g_queue_init (&self->tls_queue);
  read_settings (self);
}

/**
 * nc_webhook_server_new:
 * @secret: the API Secret, which the PBX signs events with
 * @token: the token in the URL's path (not the Secret)
 */
NcWebhookServer *
nc_webhook_server_new (NcStore    *store,
                       const char *secret,
                       const char *token)
{
  NcWebhookServer *self;

  g_return_val_if_fail (NC_IS_STORE (store), NULL);
  g_return_val_if_fail (secret != NULL, NULL);
  g_return_val_if_fail (token != NULL, NULL);

  self = g_object_new (NC_TYPE_WEBHOOK_SERVER, NULL);
  self->store = g_object_ref (store);
  self->secret = g_strdup (secret);
  self->token = g_strdup (token);
  self->path = g_strconcat (NC_WEBHOOK_PATH_PREFIX, token, NULL);
  return self;
}

/**
 * nc_webhook_server_set_matcher:
 * @matcher: (nullable): to name the caller in the answer to NOTIFY_START
 */
void
nc_webhook_server_set_matcher (NcWebhookServer *self,
                               NcClientMatcher *matcher)
{
  g_return_if_fail (NC_IS_WEBHOOK_SERVER (self));
  g_set_object (&self->matcher, matcher);
}

/**
 * nc_webhook_server_set_tls:
 *
 * Serves HTTPS with this certificate and key (PEM files), from the next listen on. A key
 * that is not the certificate's is an error here, not a failed handshake later.
 */
gboolean
nc_webhook_server_set_tls (NcWebhookServer  *self,
                           const char       *certificate_file,
                           const char       *key_file,
                           GError          **error)
{
  g_autoptr(GTlsCertificate) certificate = NULL;

  g_return_val_if_fail (NC_IS_WEBHOOK_SERVER (self), FALSE);

  certificate = g_tls_certificate_new_from_files (certificate_file, key_file, error);
  if (certificate == NULL || !check_certificate (certificate, error))
    return FALSE;
  g_set_object (&self->certificate, certificate);
  return TRUE;
}

/**
 * nc_webhook_server_get_limits:
 * @limits: (out caller-allocates): the limits in use
 */
void
nc_webhook_server_get_limits (NcWebhookServer *self,
                              NcWebhookLimits *limits)
{
  g_return_if_fail (NC_IS_WEBHOOK_SERVER (self));
  g_return_if_fail (limits != NULL);
  *limits = self->limits;
}

/**
 * nc_webhook_server_set_limits:
 *
 * Changes the limits, from the next listen on (time-outs: from the next stage on). A 0
 * keeps that limit as it was.
 */
void
nc_webhook_server_set_limits (NcWebhookServer       *self,
                              const NcWebhookLimits *limits)
{
  g_return_if_fail (NC_IS_WEBHOOK_SERVER (self));
  g_return_if_fail (limits != NULL);

#define SET(field) if (limits->field != 0) self->limits.field = limits->field
  SET (max_connections);
  SET (max_connections_per_peer);
  SET (max_handshakes);
  SET (max_handshakes_per_peer);
  SET (handshake_timeout_ms);
  SET (head_timeout_ms);
  SET (body_timeout_ms);
  SET (answer_timeout_ms);
#undef SET
}

/**
 * nc_webhook_server_set_event_window:
 * @seconds: how far from now a signed call_start may be; 0 for any time
 */
void
nc_webhook_server_set_event_window (NcWebhookServer *self,
                                    guint            seconds)
{
  g_return_if_fail (NC_IS_WEBHOOK_SERVER (self));
  self->event_window = seconds;
}

/**
 * nc_webhook_server_set_pbx_sources_only:
 * @only: whether only the PBX's documented addresses may connect
 */
void
nc_webhook_server_set_pbx_sources_only (NcWebhookServer *self,
                                        gboolean         only)
{
  g_return_if_fail (NC_IS_WEBHOOK_SERVER (self));
  self->pbx_sources_only = only;
}

/**
 * nc_webhook_server_listen:
 * @address: an IP address to bind, `127.0.0.1` by default
 * @port: 0 for any free port
 */
gboolean
nc_webhook_server_listen (NcWebhookServer  *self,
                          const char       *address,
                          guint             port,
                          GError          **error)
{
  g_autoptr(GInetAddress) inet = NULL;
  g_autoptr(GSocketAddress) socket_address = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GSocket) listener = NULL;
  guint descriptors;

  g_return_val_if_fail (NC_IS_WEBHOOK_SERVER (self), FALSE);
  g_return_val_if_fail (self->server == NULL, FALSE);

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

  self->server = soup_server_new ("server-header", "novofon-console", NULL);
  soup_server_add_handler (self->server, NC_WEBHOOK_PATH_PREFIX, handle, self, NULL);
  soup_server_add_handler (self->server, "/", handle, self, NULL);
  g_signal_connect_object (self->server, "request-started", G_CALLBACK (request_started), self,
                           0);
  g_signal_connect_object (self->server, "request-aborted", G_CALLBACK (request_aborted), self,
                           0);

  g_clear_pointer (&self->context, g_main_context_unref);
  self->context = g_main_context_ref_thread_default ();
  self->listener = g_steal_pointer (&listener);
  self->backoff_ms = 0;
  self->backoff_warned = FALSE;
  start_accepting (self);

  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  return TRUE;
}

/**
 * nc_webhook_server_stop:
 *
 * Stops taking requests. Events already accepted are still committed and answered:
 * nc_webhook_server_get_pending() tells how many are on their way.
 */
void
nc_webhook_server_stop (NcWebhookServer *self)
{
  g_return_if_fail (NC_IS_WEBHOOK_SERVER (self));

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

  /* The connections not yet (or no longer) the SoupServer's. */
  for (GList *l = self->conns.head; l != NULL;)
    {
      Conn *conn = l->data;

      l = l->next;
      if (!conn->in_soup || conn->stolen != NULL)
        conn_close (conn);
    }
  if (self->server != NULL)
    {
      soup_server_disconnect (self->server);
      g_clear_object (&self->server);
    }
}

guint
nc_webhook_server_get_port (NcWebhookServer *self)
{
  g_return_val_if_fail (NC_IS_WEBHOOK_SERVER (self), 0);
  return self->port;
}

guint
nc_webhook_server_get_pending (NcWebhookServer *self)
{
  g_return_val_if_fail (NC_IS_WEBHOOK_SERVER (self), 0);
  return self->pending;
}

/**
 * nc_webhook_server_get_connections:
 *
 * Returns: how many connections are open and counted against the limits
 */
guint
nc_webhook_server_get_connections (NcWebhookServer *self)
{
  g_return_val_if_fail (NC_IS_WEBHOOK_SERVER (self), 0);
  return self->n_counted;
}

/**
 * nc_webhook_server_get_health:
 *
 * Returns: (transfer none): the listener's figures
 */
const NcWebhookHealth *
nc_webhook_server_get_health (NcWebhookServer *self)
{
  g_return_val_if_fail (NC_IS_WEBHOOK_SERVER (self), NULL);
  return &self->health;
}
