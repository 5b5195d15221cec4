/* nc-webhook-server-requests.c — what the listener does with a request
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
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
 * phone shows who is calling; the caller is matched before the event goes to the store,
 * which keeps that client with the call in the same transaction, so that the call service
 * does not match it a second time.
 */

#define G_LOG_DOMAIN "nc-webhook-server"

#include "config.h"

#include <string.h>
#include <json-glib/json-glib.h>
#include <glib/gi18n.h>

#include "nc-webhook-server-private.h"
#include "nc-webhook-url.h"
#include "nc-zadarma-sign.h"

typedef struct
{
  NcWebhookServer   *self;
  SoupServerMessage *message;
  NcCallEvent       *event;
  gboolean           inserted;
  gboolean           gone;       /* the client went away while it waited */
  char              *caller_name; /* the client the caller was matched to, if any */
  gint64             client_id;
  const char        *match_rule;
} Pending;

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
  NcWebhookConn *conn = nc_webhook_conn_of_message (message);

  if (conn != NULL && conn->stage != NC_WEBHOOK_STAGE_CLOSED && conn->self != NULL)
    nc_webhook_conn_set_stage (conn, NC_WEBHOOK_STAGE_ANSWERING,
                               conn->self->limits.answer_timeout_ms);
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
  nc_webhook_server_health_changed (self);
}

/* Answers @message now, from its head, and closes its connection: its body, if any, is
 * never read. */
static void
answer_early (NcWebhookServer   *self,
              SoupServerMessage *message,
              guint              status,
              const char        *text,
              gboolean           allow)
{
  NcWebhookConn *conn = nc_webhook_conn_of_message (message);

  if (status != SOUP_STATUS_OK)
    {
      count_refusal (self, status);
      g_debug ("Refused with %u at the head: %s", status, text);
      nc_webhook_server_health_changed (self);
    }
  if (conn == NULL || conn->stage == NC_WEBHOOK_STAGE_CLOSED)
    {
      /* Not one of ours (cannot be): the SoupServer answers and closes it. */
      answer_text (message, status, text);
      return;
    }
  nc_webhook_conn_answer_early (conn, message, status, text, allow);
}

static void
pending_free (Pending *pending)
{
  g_hash_table_remove (pending->self->waiting, pending->message);
  g_object_unref (pending->self);
  g_object_unref (pending->message);
  g_clear_object (&pending->event);
  g_free (pending->caller_name);
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
event_committed (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Pending *pending = user_data;
  NcWebhookServer *self = pending->self;
  g_autoptr(GError) error = NULL;

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
          /* The SoupServer closes the connection after a 500: the client is told. */
          if (!transient)
            soup_message_headers_replace (
              soup_server_message_get_response_headers (pending->message), "Connection",
              "close");
          answer_text (pending->message, transient ? SOUP_STATUS_SERVICE_UNAVAILABLE
                                                   : SOUP_STATUS_INTERNAL_SERVER_ERROR,
                       _("The event could not be stored"));
          answering (pending->message);
          soup_server_message_unpause (pending->message);
        }
      self->pending--;
      nc_webhook_server_health_changed (self);
      pending_free (pending);
      return;
    }

  if (pending->inserted)
    self->health.accepted++;
  else
    self->health.duplicates++;
  self->health.last_event_at = g_get_real_time ();
  nc_webhook_server_health_changed (self);
  g_signal_emit_by_name (self, "event-received", pending->event, pending->inserted);
  finish (pending, pending->caller_name);
}

static void
store_event (Pending *pending)
{
  NcWebhookServer *self = pending->self;
  NcCallEvent *event = pending->event;

  if (pending->client_id != 0)
    nc_store_add_matched_call_event_async (self->store, nc_call_event_get_event_type (event),
                                           nc_call_event_get_canonical (event),
                                           nc_call_event_get_received_at (event),
                                           pending->client_id, pending->match_rule, NULL,
                                           event_committed, pending);
  else
    nc_store_add_call_event_async (self->store, nc_call_event_get_event_type (event),
                                   nc_call_event_get_canonical (event),
                                   nc_call_event_get_received_at (event), NULL,
                                   event_committed, pending);
}

/* A caller that could not be matched is stored all the same: the call service matches
 * the calls that come without a client. */
static void
caller_matched (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Pending *pending = user_data;
  g_autoptr(NcClient) client = NULL;
  g_autoptr(GError) error = NULL;
  NcMatchRule rule = NC_MATCH_RULE_ANY_VARIABLE;

  client = nc_client_matcher_match_finish (NC_CLIENT_MATCHER (source), result, &rule, &error);
  if (client != NULL && nc_client_get_id (client) != 0)
    {
      pending->caller_name = g_strdup (nc_client_get_name (client));
      pending->client_id = nc_client_get_id (client);
      pending->match_rule = nc_match_rule_to_string (rule);
    }
  store_event (pending);
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
  NcWebhookConn *conn = nc_webhook_conn_of_message (message);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GHashTable) fields = NULL;
  g_autoptr(GError) error = NULL;
  NcCallEvent *event;
  Pending *pending;
  const char *caller;

  if (conn != NULL && conn->stage != NC_WEBHOOK_STAGE_CLOSED)
    nc_webhook_conn_set_stage (conn, NC_WEBHOOK_STAGE_HANDLING, 0);

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
      nc_webhook_server_health_changed (self);
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

  /* The caller of a NOTIFY_START is matched before the event is stored: the answer names
   * them, and the call has its client from its first row on, so that it is matched once. */
  caller = nc_call_event_get_field (event, "caller_id");
  if (self->matcher != NULL &&
      g_str_equal (nc_call_event_get_event_type (event), "NOTIFY_START") &&
      caller != NULL && g_ascii_isdigit (*caller))
    {
      nc_client_matcher_match_async (self->matcher, caller, NULL, caller_matched, pending);
      return;
    }
  store_event (pending);
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
  NcWebhookConn *conn = nc_webhook_conn_of_message (message);
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (message);
  const char *method = soup_server_message_get_method (message);
  GUri *uri = soup_server_message_get_uri (message);
  HeadCount count = { 0 };

  if (conn != NULL && conn->stage != NC_WEBHOOK_STAGE_CLOSED)
    nc_webhook_conn_set_stage (conn, NC_WEBHOOK_STAGE_BODY, self->limits.body_timeout_ms);

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

/* The answer is out: the connection waits for the next request, or is closed. */
static void
request_finished (SoupServer        *server,
                  SoupServerMessage *message,
                  NcWebhookServer   *self)
{
  NcWebhookConn *conn = nc_webhook_conn_of_message (message);

  if (conn != NULL)
    nc_webhook_conn_request_done (conn, message, TRUE);
}

/* A paused message whose connection went (the listener stopped): libsoup 3.2 must not be
 * asked to unpause it. */
static void
message_gone (NcWebhookServer   *self,
              SoupServerMessage *message)
{
  Pending *pending = g_hash_table_lookup (self->waiting, message);

  if (pending != NULL)
    pending->gone = TRUE;
}

static void
message_disconnected (SoupServerMessage *message,
                      NcWebhookServer   *self)
{
  message_gone (self, message);
}

/* The client went away before its whole answer, or the answer was a 500: the SoupServer
 * closes the connection. */
static void
request_aborted (SoupServer        *server,
                 SoupServerMessage *message,
                 NcWebhookServer   *self)
{
  NcWebhookConn *conn = nc_webhook_conn_of_message (message);

  message_gone (self, message);
  if (conn != NULL)
    nc_webhook_conn_request_done (conn, message, FALSE);
}

static void
request_started (SoupServer        *server,
                 SoupServerMessage *message,
                 NcWebhookServer   *self)
{
  g_signal_connect_object (message, "got-headers", G_CALLBACK (got_headers), self, 0);
  g_signal_connect_object (message, "got-chunk", G_CALLBACK (got_chunk), self, 0);
  g_signal_connect_object (message, "disconnected", G_CALLBACK (message_disconnected), self, 0);
}

/* Hands the SoupServer's requests to the checks above. */
void
nc_webhook_server_serve_requests (NcWebhookServer *self)
{
  soup_server_add_handler (self->server, NC_WEBHOOK_PATH_PREFIX, handle, self, NULL);
  soup_server_add_handler (self->server, "/", handle, self, NULL);
  g_signal_connect_object (self->server, "request-started", G_CALLBACK (request_started), self,
                           0);
  g_signal_connect_object (self->server, "request-finished", G_CALLBACK (request_finished),
                           self, 0);
  g_signal_connect_object (self->server, "request-aborted", G_CALLBACK (request_aborted), self,
                           0);
}
