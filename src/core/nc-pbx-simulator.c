/* nc-pbx-simulator.c — a PBX on loopback that speaks the user API v1
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The PBX of the demo mode and of the tests: the client talks HTTP to it exactly as to
 * Novofon. It checks every signature as the real API does (401 on a wrong one), keeps
 * extensions, virtual numbers, recordings and the webhook settings, records each callback
 * it was asked for, and can be told to answer the next requests with a fault.
 *
 * Like the real PBX it keeps a record of every call it played, whether or not its webhooks
 * got through, and serves it as the statistics (/v1/statistics/pbx/, version 2):
 * nc-pbx-simulator-calls.c plays the calls and keeps that record.
 */

#define G_LOG_DOMAIN "nc-pbx-simulator"

#include "config.h"

#include <string.h>

#include "nc-pbx-simulator-private.h"
#include "nc-zadarma-sign.h"

enum {
  SIGNAL_CALLBACK_REQUESTED,
  N_SIGNALS
};

G_DEFINE_FINAL_TYPE (NcPbxSimulator, nc_pbx_simulator, G_TYPE_OBJECT)

static guint signals[N_SIGNALS];

static void
answer_json (SoupServerMessage *message,
             guint              status,
             JsonBuilder       *builder)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  gsize length = 0;
  char *text;

  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, &length);
  soup_server_message_set_status (message, status, NULL);
  soup_server_message_set_response (message, "application/json", SOUP_MEMORY_TAKE, text, length);
}

static void
answer_error (SoupServerMessage *message,
              guint              status,
              const char        *text)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, "error");
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, text);
  json_builder_end_object (builder);
  answer_json (message, status, builder);
}

static JsonBuilder *
success (void)
{
  JsonBuilder *builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, "success");
  return builder;
}

static gboolean
apply_fault (NcPbxSimulator    *self,
             SoupServerMessage *message)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (message);
  static const char html[] = "<html><body><h1>502 Bad Gateway</h1></body></html>";
  NcPbxFault fault;

  if (g_queue_is_empty (&self->faults))
    return FALSE;

  fault = GPOINTER_TO_INT (g_queue_pop_head (&self->faults));
  switch (fault)
    {
    case NC_PBX_FAULT_RATE_LIMIT:
      soup_message_headers_replace (headers, "X-RateLimit-Limit", "100");
      soup_message_headers_replace (headers, "X-RateLimit-Remaining", "0");
      {
        g_autofree char *reset = g_strdup_printf ("%u", self->rate_limit_reset);

        soup_message_headers_replace (headers, "X-RateLimit-Reset", reset);
        answer_error (message, 429, "Too many requests");
      }
      break;
    case NC_PBX_FAULT_SERVER_ERROR:
      soup_server_message_set_status (message, 502, NULL);
      soup_server_message_set_response (message, "text/html", SOUP_MEMORY_STATIC, html,
                                        strlen (html));
      break;
    case NC_PBX_FAULT_GARBAGE:
      soup_server_message_set_status (message, 200, NULL);
      soup_server_message_set_response (message, "text/html", SOUP_MEMORY_STATIC, html,
                                        strlen (html));
      break;
    case NC_PBX_FAULT_API_ERROR:
      answer_error (message, 200, "Wrong parameters!");
      break;
    case NC_PBX_FAULT_SILENCE:
      soup_server_message_pause (message);
      g_ptr_array_add (self->silenced, g_object_ref (message));
      break;
    case NC_PBX_FAULT_DROP:
      {
        g_autoptr(GIOStream) stream = soup_server_message_steal_connection (message);

        if (stream != NULL)
          g_io_stream_close (stream, NULL, NULL);
      }
      break;
    default:
      g_assert_not_reached ();
    }
  return TRUE;
}

/* As the real API: the parameters it received, sorted and encoded again, signed. */
static gboolean
signature_valid (NcPbxSimulator *self,
                 const char     *path,
                 GHashTable     *params,
                 const char     *authorization)
{
  g_autofree char *query = nc_zadarma_encode_params (params);
  g_autofree char *expected = nc_zadarma_authorization (self->key, path, query, self->secret);

  return nc_secure_str_equal (authorization, expected);
}

static void
handle_api (SoupServer        *server,
            SoupServerMessage *message,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  NcPbxSimulator *self = user_data;
  const char *method = soup_server_message_get_method (message);
  const char *authorization =
    soup_message_headers_get_one (soup_server_message_get_request_headers (message),
                                  "Authorization");
  g_autoptr(GHashTable) params = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_auto(GStrv) parts = NULL;

  self->requests++;
  soup_message_headers_replace (soup_server_message_get_response_headers (message),
                                "X-RateLimit-Limit", "100");

  if (apply_fault (self, message))
    return;

  if (g_str_equal (method, "POST") || g_str_equal (method, "PUT"))
    {
      SoupMessageBody *body = soup_server_message_get_request_body (message);
      g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
      g_autofree char *text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));

      params = soup_form_decode (text);
    }
  else
    params = query != NULL ? g_hash_table_ref (query)
                           : g_hash_table_new (g_str_hash, g_str_equal);

  if (authorization == NULL || !signature_valid (self, path, params, authorization))
    {
      answer_error (message, 401, "Not authorized");
      return;
    }

  parts = g_strsplit (path, "/", -1);
  builder = success ();

  if (g_str_equal (path, "/v1/info/balance/"))
    {
      json_builder_set_member_name (builder, "balance");
      json_builder_add_double_value (builder, 1234.5);
      json_builder_set_member_name (builder, "currency");
      json_builder_add_string_value (builder, "RUB");
    }
  else if (g_str_equal (path, "/v1/request/callback/"))
    {
      const char *from = g_hash_table_lookup (params, "from");
      const char *to = g_hash_table_lookup (params, "to");

      if (from == NULL || to == NULL)
        {
          answer_error (message, 200, "Wrong parameters!");
          return;
        }
      g_ptr_array_add (self->callbacks, g_hash_table_ref (params));
      json_builder_set_member_name (builder, "from");
      json_builder_add_string_value (builder, from);
      json_builder_set_member_name (builder, "to");
      json_builder_add_string_value (builder, to);
      json_builder_set_member_name (builder, "time");
      json_builder_add_int_value (builder, g_get_real_time () / G_USEC_PER_SEC);
      g_signal_emit (self, signals[SIGNAL_CALLBACK_REQUESTED], 0, from, to,
                     g_hash_table_lookup (params, "sip"));
    }
  else if (g_str_equal (path, "/v1/pbx/internal/"))
    {
      json_builder_set_member_name (builder, "pbx_id");
      json_builder_add_int_value (builder, 12345);
      json_builder_set_member_name (builder, "numbers");
      json_builder_begin_array (builder);
      for (guint i = 0; i < self->extensions->len; i++)
        {
          g_auto(GStrv) fields = g_strsplit (self->extensions->pdata[i], ":", 2);
          json_builder_add_int_value (builder, g_ascii_strtoll (fields[0], NULL, 10));
        }
      json_builder_end_array (builder);
    }
  else if (g_strv_length (parts) == 7 && g_str_equal (parts[2], "pbx") &&
           g_str_equal (parts[3], "internal") && g_str_equal (parts[5], "status"))
    {
      const char *online = NULL;

      for (guint i = 0; i < self->extensions->len; i++)
        {
          g_auto(GStrv) fields = g_strsplit (self->extensions->pdata[i], ":", 2);

          if (g_str_equal (fields[0], parts[4]))
            online = g_str_equal (fields[1], "1") ? "true" : "false";
        }
      if (online == NULL)
        {
          answer_error (message, 200, "Wrong parameters!");
          return;
        }
      json_builder_set_member_name (builder, "pbx_id");
      json_builder_add_int_value (builder, 12345);
      json_builder_set_member_name (builder, "number");
      json_builder_add_int_value (builder, g_ascii_strtoll (parts[4], NULL, 10));
      json_builder_set_member_name (builder, "is_online");
      json_builder_add_string_value (builder, online);
    }
  else if (g_str_equal (path, "/v1/direct_numbers/"))
    {
      json_builder_set_member_name (builder, "info");
      json_builder_begin_array (builder);
      for (guint i = 0; i < self->numbers->len; i++)
        {
          g_auto(GStrv) fields = g_strsplit (self->numbers->pdata[i], ":", 2);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "number");
          json_builder_add_string_value (builder, fields[0]);
          json_builder_set_member_name (builder, "status");
          json_builder_add_string_value (builder, "on");
          json_builder_set_member_name (builder, "country");
          json_builder_add_string_value (builder, "Russia");
          json_builder_set_member_name (builder, "description");
          json_builder_add_string_value (builder, "Moscow");
          json_builder_set_member_name (builder, "sip");
          json_builder_add_string_value (builder, fields[1]);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
    }
  else if (g_str_equal (path, "/v1/pbx/record/request/"))
    {
      const char *call_id = g_hash_table_lookup (params, "call_id");
      const char *lifetime = g_hash_table_lookup (params, "lifetime");
      guint64 seconds = 1800;
      g_autofree char *link = NULL;
      g_autoptr(GDateTime) till = NULL;
      g_autofree char *till_text = NULL;

      if (call_id == NULL)
        {
          answer_error (message, 200, "Wrong parameters!");
          return;
        }
      if (lifetime != NULL &&
          !g_ascii_string_to_unsigned (lifetime, 10, 180, 5184000, &seconds, NULL))
        {
          answer_error (message, 200, "Wrong lifetime");
          return;
        }
      link = g_strdup_printf ("http://127.0.0.1:%u/records/%s.mp3", self->port, call_id);
      till = g_date_time_new_from_unix_utc (g_get_real_time () / G_USEC_PER_SEC + (gint64) seconds);
      till_text = g_date_time_format (till, "%Y-%m-%d %H:%M:%S");
      json_builder_set_member_name (builder, "link");
      json_builder_add_string_value (builder, link);
      json_builder_set_member_name (builder, "lifetime_till");
      json_builder_add_string_value (builder, till_text);
    }
  else if (g_str_equal (path, "/v1/statistics/pbx/"))
    {
      const char *wrong = nc_pbx_simulator_add_statistics (self, params, builder);

      if (wrong != NULL)
        {
          answer_error (message, 200, wrong);
          return;
        }
    }
  else if (g_str_equal (path, "/v1/pbx/callinfo/url/"))
    {
      g_free (self->webhook_url);
      self->webhook_url = g_strdup (g_hash_table_lookup (params, "url"));
    }
  else if (g_str_equal (path, "/v1/pbx/callinfo/notifications/"))
    self->notifications = g_strcmp0 (g_hash_table_lookup (params, "notify_start"), "true") == 0;
  else
    {
      answer_error (message, 404, "Method not found");
      return;
    }

  json_builder_end_object (builder);
  answer_json (message, 200, builder);
}

static void
nc_pbx_simulator_dispose (GObject *object)
{
  nc_pbx_simulator_stop (NC_PBX_SIMULATOR (object));

  G_OBJECT_CLASS (nc_pbx_simulator_parent_class)->dispose (object);
}

static void
nc_pbx_simulator_finalize (GObject *object)
{
  NcPbxSimulator *self = NC_PBX_SIMULATOR (object);

  g_free (self->key);
  g_free (self->secret);
  g_free (self->webhook_url);
  g_free (self->webhook_target);
  g_clear_object (&self->session);
  g_queue_clear (&self->faults);
  g_ptr_array_unref (self->silenced);
  g_ptr_array_unref (self->extensions);
  g_ptr_array_unref (self->numbers);
  g_ptr_array_unref (self->callbacks);
  g_ptr_array_unref (self->history);
  g_ptr_array_unref (self->statistics);

  G_OBJECT_CLASS (nc_pbx_simulator_parent_class)->finalize (object);
}

static void
nc_pbx_simulator_class_init (NcPbxSimulatorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = nc_pbx_simulator_dispose;
  object_class->finalize = nc_pbx_simulator_finalize;

  /**
   * NcPbxSimulator::callback-requested:
   * @from: what is rung first
   * @to: the client
   * @sip: (nullable): the extension whose settings the call uses
   */
  signals[SIGNAL_CALLBACK_REQUESTED] =
    g_signal_new ("callback-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING);
}

static void
nc_pbx_simulator_init (NcPbxSimulator *self)
{
  g_queue_init (&self->faults);
  self->silenced = g_ptr_array_new_with_free_func (g_object_unref);
  self->extensions = g_ptr_array_new_with_free_func (g_free);
  self->numbers = g_ptr_array_new_with_free_func (g_free);
  self->callbacks = g_ptr_array_new_with_free_func ((GDestroyNotify) g_hash_table_unref);
  self->history = g_ptr_array_new_with_free_func ((GDestroyNotify) nc_pbx_sim_call_free);
  self->statistics = g_ptr_array_new_with_free_func ((GDestroyNotify) g_hash_table_unref);
  self->rate_limit_reset = 42;
}

NcPbxSimulator *
nc_pbx_simulator_new (const char *key,
                      const char *secret)
{
  NcPbxSimulator *self = g_object_new (NC_TYPE_PBX_SIMULATOR, NULL);

  self->key = g_strdup (key);
  self->secret = g_strdup (secret);
  return self;
}

/**
 * nc_pbx_simulator_make_recording:
 * @seconds: how long it plays
 *
 * A recording as the simulated PBX serves it: a quiet two-tone beep, as a WAV file (16-bit
 * mono at 8 kHz, what telephony records), so that the demo's recordings play without a
 * file shipped for them.
 *
 * Returns: (transfer full): the file's bytes
 */
GBytes *
nc_pbx_simulator_make_recording (guint seconds)
{
  const guint rate = 8000;
  guint n = rate * seconds;
  guint data_size = n * 2;
  guint8 *wav = g_malloc0 (44 + data_size);
  const guint32 header32[][2] = {
    { 4, 36 + data_size }, { 16, 16 }, { 24, rate }, { 28, rate * 2 }, { 40, data_size },
  };
  /* PCM, mono, two bytes a frame, sixteen bits a sample. */
  const guint16 header16[][2] = { { 20, 1 }, { 22, 1 }, { 32, 2 }, { 34, 16 } };

  memcpy (wav, "RIFF", 4);
  memcpy (wav + 8, "WAVEfmt ", 8);
  memcpy (wav + 36, "data", 4);
  for (guint i = 0; i < G_N_ELEMENTS (header32); i++)
    {
      guint32 value = GUINT32_TO_LE (header32[i][1]);

      memcpy (wav + header32[i][0], &value, 4);
    }
  for (guint i = 0; i < G_N_ELEMENTS (header16); i++)
    {
      guint16 value = GUINT16_TO_LE (header16[i][1]);

      memcpy (wav + header16[i][0], &value, 2);
    }
  for (guint i = 0; i < n; i++)
    {
      /* 440 Hz, then 660 Hz each other half second: a square wave, at a fifth of full. */
      guint hz = (i / (rate / 2)) % 2 == 0 ? 440 : 660;
      gint16 sample = (i * hz * 2 / rate) % 2 == 0 ? 6000 : -6000;
      guint16 value = GUINT16_TO_LE ((guint16) sample);

      memcpy (wav + 44 + 2 * i, &value, 2);
    }
  return g_bytes_new_take (wav, 44 + data_size);
}

/* The links /v1/pbx/record/request/ hands out lead here. */
static void
handle_record (SoupServer        *server,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  g_autoptr(GBytes) wav = NULL;

  if (g_strcmp0 (soup_server_message_get_method (msg), "GET") != 0 ||
      !g_str_has_suffix (path, ".mp3"))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }
  wav = nc_pbx_simulator_make_recording (3);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_set_content_type (soup_server_message_get_response_headers (msg),
                                         "audio/x-wav", NULL);
  soup_message_body_append_bytes (soup_server_message_get_response_body (msg), wav);
}

/**
 * nc_pbx_simulator_start:
 * @port: 0 for any free port
 *
 * Listens on 127.0.0.1 only.
 */
gboolean
nc_pbx_simulator_start (NcPbxSimulator  *self,
                        guint            port,
                        GError         **error)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, (guint16) port);
  GSList *uris;

  g_return_val_if_fail (NC_IS_PBX_SIMULATOR (self), FALSE);
  g_return_val_if_fail (self->server == NULL, FALSE);

  self->server = soup_server_new ("server-header", "novofon-pbx-simulator", NULL);
  soup_server_add_handler (self->server, "/v1", handle_api, self, NULL);
  soup_server_add_handler (self->server, "/records", handle_record, self, NULL);
  if (!soup_server_listen (self->server, address, 0, error))
    {
      g_clear_object (&self->server);
      return FALSE;
    }

  uris = soup_server_get_uris (self->server);
  self->port = uris != NULL ? (guint) g_uri_get_port (uris->data) : 0;
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return TRUE;
}

void
nc_pbx_simulator_stop (NcPbxSimulator *self)
{
  g_return_if_fail (NC_IS_PBX_SIMULATOR (self));

  /* What was kept silent gets an answer now, so that no connection is left hanging. */
  for (guint i = 0; i < self->silenced->len; i++)
    {
      SoupServerMessage *message = self->silenced->pdata[i];

      soup_server_message_set_status (message, 503, NULL);
      soup_server_message_unpause (message);
    }
  g_ptr_array_set_size (self->silenced, 0);

  if (self->server != NULL)
    {
      soup_server_disconnect (self->server);
      g_clear_object (&self->server);
    }
}

/**
 * nc_pbx_simulator_get_url:
 *
 * Returns: (transfer full): the base URL to give the client, `http://127.0.0.1:PORT`
 */
char *
nc_pbx_simulator_get_url (NcPbxSimulator *self)
{
  g_return_val_if_fail (NC_IS_PBX_SIMULATOR (self), NULL);

  return g_strdup_printf ("http://127.0.0.1:%u", self->port);
}

/**
 * nc_pbx_simulator_push_fault:
 *
 * The next request not yet answered gets @fault instead of its answer; faults pushed
 * one after another apply to requests one after another.
 */
void
nc_pbx_simulator_push_fault (NcPbxSimulator *self,
                             NcPbxFault      fault)
{
  g_return_if_fail (NC_IS_PBX_SIMULATOR (self));

  g_queue_push_tail (&self->faults, GINT_TO_POINTER (fault));
}

void
nc_pbx_simulator_add_extension (NcPbxSimulator *self,
                                const char     *extension,
                                gboolean        online)
{
  g_return_if_fail (NC_IS_PBX_SIMULATOR (self));

  g_ptr_array_add (self->extensions, g_strdup_printf ("%s:%d", extension, online ? 1 : 0));
}

void
nc_pbx_simulator_add_number (NcPbxSimulator *self,
                             const char     *number,
                             const char     *sip)
{
  g_return_if_fail (NC_IS_PBX_SIMULATOR (self));

  g_ptr_array_add (self->numbers, g_strdup_printf ("%s:%s", number, sip != NULL ? sip : ""));
}

guint
nc_pbx_simulator_get_request_count (NcPbxSimulator *self)
{
  g_return_val_if_fail (NC_IS_PBX_SIMULATOR (self), 0);
  return self->requests;
}

/**
 * nc_pbx_simulator_get_callbacks:
 *
 * Returns: (transfer none) (element-type GHashTable): the parameters of every callback
 *   the simulator was asked for and answered
 */
GPtrArray *
nc_pbx_simulator_get_callbacks (NcPbxSimulator *self)
{
  g_return_val_if_fail (NC_IS_PBX_SIMULATOR (self), NULL);
  return self->callbacks;
}

const char *
nc_pbx_simulator_get_webhook_url (NcPbxSimulator *self)
{
  g_return_val_if_fail (NC_IS_PBX_SIMULATOR (self), NULL);
  return self->webhook_url;
}

gboolean
nc_pbx_simulator_get_notifications_enabled (NcPbxSimulator *self)
{
  g_return_val_if_fail (NC_IS_PBX_SIMULATOR (self), FALSE);
  return self->notifications;
}
