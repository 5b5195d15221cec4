/* nc-webhook-server.c — the listener the PBX posts its call events to
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The checks, in this order: a wrong path token 404 (compared in constant time); a GET
 * with zd_echo answers the value exactly; any other method 405; a body over 64 KiB 413;
 * a content type other than form-encoded 415; a body that does not decode 400; an
 * unknown event type 200, stored nowhere (its signature cannot be checked); a wrong or
 * missing Signature 401; missing or malformed fields 400 with the reason. Nothing refused
 * is stored.
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
 */

#define G_LOG_DOMAIN "nc-webhook-server"

#include "config.h"

#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <libsoup/soup.h>
#include <json-glib/json-glib.h>
#include <glib/gi18n.h>

#include "nc-webhook-server.h"
#include "nc-webhook-url.h"
#include "nc-zadarma-sign.h"

enum {
  SIGNAL_EVENT_RECEIVED,
  SIGNAL_HEALTH_CHANGED,
  N_SIGNALS
};

struct _NcWebhookServer
{
  GObject          parent_instance;

  SoupServer      *server;
  GSocketService  *service;    /* accepts the connections and hands them to the server */
  NcStore         *store;
  NcClientMatcher *matcher;
  char            *secret;
  char            *token;
  char            *path;
  GTlsCertificate *certificate;
  guint            port;
  guint            pending;
  GHashTable      *waiting;    /* SoupServerMessage → Pending, while the commit runs */
  NcWebhookHealth  health;
};

G_DEFINE_FINAL_TYPE (NcWebhookServer, nc_webhook_server, G_TYPE_OBJECT)

static guint signals[N_SIGNALS];

typedef struct
{
  NcWebhookServer   *self;
  SoupServerMessage *message;
  NcCallEvent       *event;
  gboolean           inserted;
  gboolean           gone;       /* the client went away while it waited */
} Pending;

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
answer_text (SoupServerMessage *message,
             guint              status,
             const char        *text)
{
  soup_server_message_set_status (message, status, NULL);
  soup_server_message_set_response (message, "text/plain; charset=utf-8", SOUP_MEMORY_COPY,
                                    text, strlen (text));
}

static void
health_changed (NcWebhookServer *self)
{
  g_signal_emit (self, signals[SIGNAL_HEALTH_CHANGED], 0);
}

static void
reject (NcWebhookServer   *self,
        SoupServerMessage *message,
        guint              status,
        const char        *reason)
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
  g_debug ("Refused with %u: %s", status, reason);
  answer_text (message, status, reason);
  health_changed (self);
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
      gsize length = 0;
      char *json;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "caller_name");
      json_builder_add_string_value (builder, caller_name);
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
      /* Not on disk, so not acknowledged: the PBX may try again. */
      g_warning ("Could not store a call event: %s", error->message);
      self->health.failed++;
      if (!pending->gone)
        {
          answer_text (pending->message, SOUP_STATUS_INTERNAL_SERVER_ERROR,
                       _("The event could not be stored"));
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

static GHashTable *
decode_form (GBytes *body)
{
  gsize length = 0;
  const char *data = g_bytes_get_data (body, &length);
  g_autofree char *text = NULL;
  GHashTable *fields;
  GHashTableIter iter;
  gpointer key, value;

  if (length == 0 || memchr (data, '\0', length) != NULL)
    return NULL;
  text = g_strndup (data, length);
  fields = soup_form_decode (text);
  if (fields == NULL)
    return NULL;

  /* Percent-escapes can hide bytes that are not text. */
  g_hash_table_iter_init (&iter, fields);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!g_utf8_validate (key, -1, NULL) || !g_utf8_validate (value, -1, NULL) ||
        *(const char *) key == '\0')
      {
        g_hash_table_unref (fields);
        return NULL;
      }
  return fields;
}

static void
handle (SoupServer        *server,
        SoupServerMessage *message,
        const char        *path,
        GHashTable        *query,
        gpointer           user_data)
{
  NcWebhookServer *self = user_data;
  const char *method = soup_server_message_get_method (message);
  const char *echo = query != NULL ? g_hash_table_lookup (query, "zd_echo") : NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GHashTable) fields = NULL;
  g_autoptr(GError) error = NULL;
  NcCallEvent *event;
  Pending *pending;

  if (!nc_secure_str_equal (path, self->path))
    {
      reject (self, message, SOUP_STATUS_NOT_FOUND, _("Not found"));
      return;
    }

  if (g_str_equal (method, "GET") && echo != NULL)
    {
      /* The PBX checks the URL when it is saved: the answer must be the value exactly. */
      answer_text (message, SOUP_STATUS_OK, echo);
      return;
    }

  if (!g_str_equal (method, "POST"))
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (message), "Allow",
                                    "POST, GET");
      reject (self, message, SOUP_STATUS_METHOD_NOT_ALLOWED,
              _("Only POST (and GET with zd_echo) is accepted here"));
      return;
    }

  body = soup_message_body_flatten (soup_server_message_get_request_body (message));
  if (g_bytes_get_size (body) > NC_WEBHOOK_MAX_BODY)
    {
      reject (self, message, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, _("The body is too large"));
      return;
    }

  if (!is_form_content_type (message))
    {
      reject (self, message, SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE,
              _("The body must be application/x-www-form-urlencoded"));
      return;
    }

  fields = decode_form (body);
  if (fields == NULL)
    {
      reject (self, message, SOUP_STATUS_BAD_REQUEST, _("The body is not a valid form"));
      return;
    }

  if (!nc_call_event_type_is_known (g_hash_table_lookup (fields, "event")))
    {
      /* Nothing can be checked, so nothing is kept; the PBX still gets its 200. */
      self->health.ignored++;
      health_changed (self);
      answer_text (message, SOUP_STATUS_OK, "OK");
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

/* A body announced as too large is refused before it is read. */
static void
got_headers (SoupServerMessage *message,
             NcWebhookServer   *self)
{
  goffset length = soup_message_headers_get_content_length (
    soup_server_message_get_request_headers (message));

  if (length > NC_WEBHOOK_MAX_BODY)
    {
      reject (self, message, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, _("The body is too large"));
      soup_message_headers_replace (soup_server_message_get_response_headers (message),
                                    "Connection", "close");
    }
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
}

static gboolean
incoming (GSocketService    *service,
          GSocketConnection *connection,
          GObject           *source_object,
          NcWebhookServer   *self)
{
  g_autoptr(GSocketAddress) local = g_socket_connection_get_local_address (connection, NULL);
  g_autoptr(GSocketAddress) remote = g_socket_connection_get_remote_address (connection, NULL);
  g_autoptr(GIOStream) stream = NULL;
  g_autoptr(GError) error = NULL;

  if (self->server == NULL)
    return TRUE;

  g_socket_set_option (g_socket_connection_get_socket (connection), IPPROTO_TCP, TCP_NODELAY,
                       TRUE, NULL);
  if (self->certificate != NULL)
    {
      stream = g_tls_server_connection_new (G_IO_STREAM (connection), self->certificate, &error);
      if (stream == NULL)
        {
          g_warning ("Could not start TLS on a connection: %s", error->message);
          return TRUE;
        }
    }
  else
    stream = g_object_ref (G_IO_STREAM (connection));

  if (!soup_server_accept_iostream (self->server, stream, local, remote, &error))
    g_warning ("Could not take a connection: %s", error->message);
  return TRUE;
}

static void
nc_webhook_server_dispose (GObject *object)
{
  NcWebhookServer *self = NC_WEBHOOK_SERVER (object);

  nc_webhook_server_stop (self);
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

  G_OBJECT_CLASS (nc_webhook_server_parent_class)->finalize (object);
}

static void
nc_webhook_server_class_init (NcWebhookServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = nc_webhook_server_dispose;
  object_class->finalize = nc_webhook_server_finalize;

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
 * Serves HTTPS with this certificate and key (PEM files), from the next listen on.
 */
gboolean
nc_webhook_server_set_tls (NcWebhookServer  *self,
                           const char       *certificate_file,
                           const char       *key_file,
                           GError          **error)
{
  GTlsCertificate *certificate;

  g_return_val_if_fail (NC_IS_WEBHOOK_SERVER (self), FALSE);

  certificate = g_tls_certificate_new_from_files (certificate_file, key_file, error);
  if (certificate == NULL)
    return FALSE;
  g_clear_object (&self->certificate);
  self->certificate = certificate;
  return TRUE;
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

  self->server = soup_server_new ("server-header", "novofon-console", NULL);
  soup_server_add_handler (self->server, NC_WEBHOOK_PATH_PREFIX, handle, self, NULL);
  soup_server_add_handler (self->server, "/", handle, self, NULL);
  g_signal_connect_object (self->server, "request-started", G_CALLBACK (request_started), self,
                           0);
  g_signal_connect_object (self->server, "request-aborted", G_CALLBACK (request_aborted), self,
                           0);

  socket_address = g_inet_socket_address_new (inet, (guint16) port);
  self->service = g_socket_service_new ();
  /* Each event is a connection: room for a burst of them. */
  g_socket_listener_set_backlog (G_SOCKET_LISTENER (self->service), 128);
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (self->service), socket_address,
                                      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL, &bound,
                                      error))
    {
      g_clear_object (&self->service);
      g_clear_object (&self->server);
      return FALSE;
    }
  g_signal_connect_object (self->service, "incoming", G_CALLBACK (incoming), self, 0);
  g_socket_service_start (self->service);

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

  if (self->service != NULL)
    {
      g_socket_service_stop (self->service);
      g_socket_listener_close (G_SOCKET_LISTENER (self->service));
      g_clear_object (&self->service);
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
