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
 * got through, and serves it as the statistics (/v1/statistics/pbx/, version 2) with the
 * real API's rules: a span of at most a month, pages of at most 1 000 (skip, limit).
 */

#define G_LOG_DOMAIN "nc-pbx-simulator"

#include "config.h"

#include <stdarg.h>
#include <string.h>
#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "nc-pbx-simulator.h"
#include "nc-call-event.h"
#include "nc-call-record.h"
#include "nc-zadarma-sign.h"

enum {
  SIGNAL_CALLBACK_REQUESTED,
  N_SIGNALS
};

struct _NcPbxSimulator
{
  GObject     parent_instance;

  char       *key;
  char       *secret;
  SoupServer *server;
  guint       port;
  GQueue      faults;          /* NcPbxFault, as pointers */
  GPtrArray  *silenced;        /* SoupServerMessage, never answered until stop */
  GPtrArray  *extensions;      /* "100:1" — extension, online */
  GPtrArray  *numbers;         /* "79500000033:100" — number, sip */
  GPtrArray  *callbacks;       /* GHashTable of the callback's parameters */
  char       *webhook_url;
  char       *webhook_target;
  gboolean    notifications;
  guint       requests;
  guint       next_call;
  SoupSession *session;
  GPtrArray  *history;         /* SimCall: every call played, in the order played */
  GPtrArray  *statistics;      /* GHashTable: the parameters of each statistics page served */
  gboolean    webhooks_paused;
  guint       rate_limit_reset;
};

G_DEFINE_FINAL_TYPE (NcPbxSimulator, nc_pbx_simulator, G_TYPE_OBJECT)

static guint signals[N_SIGNALS];

/* One call as the PBX's statistics know it. */
typedef struct
{
  char     *pbx_call_id;
  char     *call_id;        /* the recording's id, whether or not there is a recording */
  char     *call_start;
  char     *sip;
  char     *clid;
  char     *destination;
  char     *disposition;
  guint     seconds;
  gboolean  is_recorded;
  gboolean  outgoing;
} SimCall;

static void
sim_call_free (SimCall *call)
{
  g_free (call->pbx_call_id);
  g_free (call->call_id);
  g_free (call->call_start);
  g_free (call->sip);
  g_free (call->clid);
  g_free (call->destination);
  g_free (call->disposition);
  g_free (call);
}

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

static int
compare_call_start (gconstpointer a,
                    gconstpointer b)
{
  const SimCall *first = *(const SimCall *const *) a;
  const SimCall *second = *(const SimCall *const *) b;

  return strcmp (first->call_start, second->call_start);
}

/* Adds the page the parameters ask for to @builder; or answers an error, as the real API
 * does, and returns FALSE. */
static gboolean
answer_statistics (NcPbxSimulator    *self,
                   SoupServerMessage *message,
                   GHashTable        *params,
                   JsonBuilder       *builder)
{
  const char *start = g_hash_table_lookup (params, "start");
  const char *end = g_hash_table_lookup (params, "end");
  const char *skip_text = g_hash_table_lookup (params, "skip");
  const char *limit_text = g_hash_table_lookup (params, "limit");
  const char *call_type = g_hash_table_lookup (params, "call_type");
  gint64 start_unix = nc_call_parse_pbx_time (start);
  gint64 end_unix = nc_call_parse_pbx_time (end);
  g_autoptr(GDateTime) start_time = NULL;
  g_autoptr(GDateTime) month_later = NULL;
  g_autoptr(GPtrArray) calls = g_ptr_array_new ();
  g_autoptr(GHashTable) copy = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GHashTableIter iter;
  gpointer key, value;
  guint64 skip = 0, limit = 1000;

  if (start_unix == 0 || end_unix == 0 || end_unix < start_unix ||
      g_strcmp0 (g_hash_table_lookup (params, "version"), "2") != 0 ||
      (skip_text != NULL && !g_ascii_string_to_unsigned (skip_text, 10, 0, G_MAXUINT, &skip, NULL)) ||
      (limit_text != NULL && !g_ascii_string_to_unsigned (limit_text, 10, 1, 1000, &limit, NULL)))
    {
      answer_error (message, 200, "Wrong parameters!");
      return FALSE;
    }
  start_time = g_date_time_new_from_unix_utc (start_unix);
  month_later = g_date_time_add_months (start_time, 1);
  if (end_unix > g_date_time_to_unix (month_later))
    {
      answer_error (message, 200, "The maximum period is one month");
      return FALSE;
    }

  g_hash_table_iter_init (&iter, params);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (copy, g_strdup (key), g_strdup (value));
  g_ptr_array_add (self->statistics, g_steal_pointer (&copy));

  /* The fixed format compares as text in the order of time. */
  for (guint i = 0; i < self->history->len; i++)
    {
      SimCall *call = self->history->pdata[i];

      if (strcmp (call->call_start, start) >= 0 && strcmp (call->call_start, end) <= 0 &&
          (call_type == NULL || g_str_equal (call_type, call->outgoing ? "out" : "in")))
        g_ptr_array_add (calls, call);
    }
  /* Stable: calls of one second keep the order they were played in. */
  g_ptr_array_sort (calls, compare_call_start);

  json_builder_set_member_name (builder, "start");
  json_builder_add_string_value (builder, start);
  json_builder_set_member_name (builder, "end");
  json_builder_add_string_value (builder, end);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, 2);
  json_builder_set_member_name (builder, "stats");
  json_builder_begin_array (builder);
  for (guint64 i = skip; i < calls->len && i < skip + limit; i++)
    {
      SimCall *call = calls->pdata[i];

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "call_id");
      json_builder_add_string_value (builder, call->call_id);
      json_builder_set_member_name (builder, "sip");
      json_builder_add_string_value (builder, call->sip);
      json_builder_set_member_name (builder, "callstart");
      json_builder_add_string_value (builder, call->call_start);
      json_builder_set_member_name (builder, "clid");
      json_builder_add_string_value (builder, call->clid);
      json_builder_set_member_name (builder, "destination");
      json_builder_add_string_value (builder, call->destination);
      json_builder_set_member_name (builder, "disposition");
      json_builder_add_string_value (builder, call->disposition);
      json_builder_set_member_name (builder, "seconds");
      json_builder_add_int_value (builder, call->seconds);
      json_builder_set_member_name (builder, "is_recorded");
      json_builder_add_string_value (builder, call->is_recorded ? "true" : "false");
      json_builder_set_member_name (builder, "pbx_call_id");
      json_builder_add_string_value (builder, call->pbx_call_id);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  return TRUE;
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
      if (!answer_statistics (self, message, params, builder))
        return;
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
  self->history = g_ptr_array_new_with_free_func ((GDestroyNotify) sim_call_free);
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

/* ------------------------------------------------------------------------------------ */
/* The webhook half: whole calls, event by event, signed as the PBX signs them.         */

/**
 * nc_pbx_simulator_set_webhook_target:
 * @url: (nullable): where events go; %NULL for the URL registered through the API
 */
void
nc_pbx_simulator_set_webhook_target (NcPbxSimulator *self,
                                     const char     *url)
{
  g_return_if_fail (NC_IS_PBX_SIMULATOR (self));

  g_free (self->webhook_target);
  self->webhook_target = g_strdup (url);
}

typedef struct
{
  GPtrArray *events;   /* GHashTable of fields, in order */
  guint      next;
  guint      step_ms;
  char      *url;
  char      *pbx_call_id;
} Play;

static void
play_free (Play *play)
{
  g_ptr_array_unref (play->events);
  g_free (play->url);
  g_free (play->pbx_call_id);
  g_free (play);
}

static GHashTable *
event_fields (const char *type,
              ...)
{
  GHashTable *fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  va_list args;

  g_hash_table_insert (fields, g_strdup ("event"), g_strdup (type));
  va_start (args, type);
  for (const char *key = va_arg (args, const char *); key != NULL; key = va_arg (args, const char *))
    g_hash_table_insert (fields, g_strdup (key), g_strdup (va_arg (args, const char *)));
  va_end (args);
  return fields;
}

static void play_next (GTask *task);

static gboolean
play_after_pause (gpointer user_data)
{
  play_next (G_TASK (user_data));
  g_object_unref (user_data);
  return G_SOURCE_REMOVE;
}

static void
event_sent (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Play *play = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result,
                                                               &error);

  if (body == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (soup_message_get_status (soup_session_get_async_result_message (SOUP_SESSION (source),
                                                                      result)) != 200)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                               "The listener refused an event with HTTP %u",
                               soup_message_get_status (
                                 soup_session_get_async_result_message (SOUP_SESSION (source),
                                                                        result)));
      return;
    }

  g_timeout_add (play->step_ms, play_after_pause, g_object_ref (task));
}

static void
play_next (GTask *task)
{
  NcPbxSimulator *self = g_task_get_source_object (task);
  Play *play = g_task_get_task_data (task);
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *signature = NULL;
  char *body;
  GHashTable *fields;

  if (g_task_return_error_if_cancelled (task))
    return;
  if (play->next >= play->events->len)
    {
      g_task_return_pointer (task, g_strdup (play->pbx_call_id), g_free);
      return;
    }

  fields = play->events->pdata[play->next++];
  signature = nc_call_event_sign (self->secret, fields);
  body = soup_form_encode_hash (fields);
  bytes = g_bytes_new_take (body, strlen (body));

  message = soup_message_new ("POST", play->url);
  if (message == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               "“%s” is not a webhook URL", play->url);
      return;
    }
  soup_message_set_request_body_from_bytes (message, "application/x-www-form-urlencoded", bytes);
  soup_message_headers_replace (soup_message_get_request_headers (message), "Signature",
                                signature);
  soup_session_send_and_read_async (self->session, message, G_PRIORITY_DEFAULT,
                                    g_task_get_cancellable (task), event_sent,
                                    g_object_ref (task));
}

/* Keeps the call in the PBX's record, as the statistics will list it. */
static SimCall *
record_call (NcPbxSimulator    *self,
             NcPbxCallScenario  scenario,
             const char        *client_number,
             const char        *virtual_number,
             const char        *extension,
             const char        *call_start)
{
  SimCall *call = g_new0 (SimCall, 1);

  call->outgoing = scenario == NC_PBX_CALL_OUTGOING_ANSWERED ||
                   scenario == NC_PBX_CALL_OUTGOING_BUSY;
  call->pbx_call_id = g_strdup_printf ("%s%u.%" G_GINT64_FORMAT, call->outgoing ? "out_" : "in_",
                                       ++self->next_call, g_get_real_time () % 1000000);
  call->call_id = g_strdup_printf ("%" G_GINT64_FORMAT ".%u",
                                   g_get_real_time () / G_USEC_PER_SEC, self->next_call);
  if (call_start != NULL)
    call->call_start = g_strdup (call_start);
  else
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();

      call->call_start = g_date_time_format (now, "%Y-%m-%d %H:%M:%S");
    }
  call->sip = g_strdup (extension);
  call->clid = g_strdup (call->outgoing ? virtual_number : client_number);
  call->destination = g_strdup (call->outgoing ? client_number : virtual_number);

  switch (scenario)
    {
    case NC_PBX_CALL_INCOMING_ANSWERED:
      call->disposition = g_strdup ("answered");
      call->seconds = 65;
      call->is_recorded = TRUE;
      break;
    case NC_PBX_CALL_INCOMING_MISSED:
      call->disposition = g_strdup ("no answer");
      break;
    case NC_PBX_CALL_OUTGOING_ANSWERED:
      call->disposition = g_strdup ("answered");
      call->seconds = 42;
      call->is_recorded = TRUE;
      break;
    case NC_PBX_CALL_OUTGOING_BUSY:
      call->disposition = g_strdup ("busy");
      break;
    default:
      g_assert_not_reached ();
    }

  g_ptr_array_add (self->history, call);
  return call;
}

/**
 * nc_pbx_simulator_play_call_async:
 * @client_number: the outside party
 * @virtual_number: the account's number it called, or that calls it
 * @extension: the employee's extension or id
 * @step_ms: the pause between two events
 *
 * Plays one whole call to the webhook URL: each event signed as the PBX signs it, sent
 * once the previous one was acknowledged. The call is in the statistics whatever becomes
 * of its events; while the webhooks are paused it is only there.
 */
void
nc_pbx_simulator_play_call_async (NcPbxSimulator      *self,
                                  NcPbxCallScenario    scenario,
                                  const char          *client_number,
                                  const char          *virtual_number,
                                  const char          *extension,
                                  guint                step_ms,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  const char *url = self->webhook_target != NULL ? self->webhook_target : self->webhook_url;
  const char *start, *rec;
  SimCall *call;
  Play *play;

  g_task_set_source_tag (task, nc_pbx_simulator_play_call_async);
  if (url == NULL && !self->webhooks_paused)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                               "No webhook URL is registered with the simulator");
      return;
    }

  call = record_call (self, scenario, client_number, virtual_number, extension, NULL);
  if (self->webhooks_paused)
    {
      g_task_return_pointer (task, g_strdup (call->pbx_call_id), g_free);
      return;
    }

  if (self->session == NULL)
    {
      self->session = soup_session_new_with_options ("timeout", 10, NULL);
      soup_session_set_proxy_resolver (self->session, NULL);
    }

  play = g_new0 (Play, 1);
  play->events = g_ptr_array_new_with_free_func ((GDestroyNotify) g_hash_table_unref);
  play->step_ms = step_ms;
  play->url = g_strdup (url);
  play->pbx_call_id = g_strdup (call->pbx_call_id);
  start = call->call_start;
  rec = call->call_id;
  g_task_set_task_data (task, play, (GDestroyNotify) play_free);

#define ADD(...) g_ptr_array_add (play->events, event_fields (__VA_ARGS__, NULL))
  switch (scenario)
    {
    case NC_PBX_CALL_INCOMING_ANSWERED:
      ADD ("NOTIFY_START", "call_start", start, "pbx_call_id", play->pbx_call_id,
           "caller_id", client_number, "called_did", virtual_number);
      ADD ("NOTIFY_INTERNAL", "call_start", start, "pbx_call_id", play->pbx_call_id,
           "caller_id", client_number, "called_did", virtual_number, "internal", extension);
      ADD ("NOTIFY_ANSWER", "call_start", start, "pbx_call_id", play->pbx_call_id,
           "caller_id", client_number, "destination", extension);
      ADD ("NOTIFY_END", "call_start", start, "pbx_call_id", play->pbx_call_id,
           "caller_id", client_number, "called_did", virtual_number, "internal", extension,
           "duration", "65", "disposition", "answered", "status_code", "16",
           "is_recorded", "1", "call_id_with_rec", rec);
      ADD ("NOTIFY_RECORD", "pbx_call_id", play->pbx_call_id, "call_id_with_rec", rec);
      break;
    case NC_PBX_CALL_INCOMING_MISSED:
      ADD ("NOTIFY_START", "call_start", start, "pbx_call_id", play->pbx_call_id,
           "caller_id", client_number, "called_did", virtual_number);
      ADD ("NOTIFY_INTERNAL", "call_start", start, "pbx_call_id", play->pbx_call_id,
           "caller_id", client_number, "called_did", virtual_number, "internal", extension);
      ADD ("NOTIFY_INTERNAL", "call_start", start, "pbx_call_id", play->pbx_call_id,
           "caller_id", client_number, "called_did", virtual_number, "internal", "101");
      ADD ("NOTIFY_END", "call_start", start, "pbx_call_id", play->pbx_call_id,
           "caller_id", client_number, "called_did", virtual_number, "internal", "",
           "duration", "0", "disposition", "no answer", "status_code", "19",
           "is_recorded", "0", "call_id_with_rec", "");
      break;
    case NC_PBX_CALL_OUTGOING_ANSWERED:
      ADD ("NOTIFY_OUT_START", "call_start", start, "pbx_call_id", play->pbx_call_id,
           "caller_id", virtual_number, "internal", extension, "destination", client_number);
      ADD ("NOTIFY_OUT_END", "call_start", start, "pbx_call_id", play->pbx_call_id,
           "caller_id", virtual_number, "internal", extension, "destination", client_number,
           "duration", "42", "disposition", "answered", "status_code", "16",
           "is_recorded", "1", "call_id_with_rec", rec);
      ADD ("NOTIFY_RECORD", "pbx_call_id", play->pbx_call_id, "call_id_with_rec", rec);
      break;
    case NC_PBX_CALL_OUTGOING_BUSY:
      ADD ("NOTIFY_OUT_START", "call_start", start, "pbx_call_id", play->pbx_call_id,
           "caller_id", virtual_number, "internal", extension, "destination", client_number);
      ADD ("NOTIFY_OUT_END", "call_start", start, "pbx_call_id", play->pbx_call_id,
           "caller_id", virtual_number, "internal", extension, "destination", client_number,
           "duration", "0", "disposition", "busy", "status_code", "17",
           "is_recorded", "0", "call_id_with_rec", "");
      break;
    default:
      g_assert_not_reached ();
    }
#undef ADD

  play_next (task);
}

/**
 * nc_pbx_simulator_play_call_finish:
 *
 * Returns: (transfer full) (nullable): the pbx_call_id of the call played
 */
char *
nc_pbx_simulator_play_call_finish (NcPbxSimulator  *self,
                                   GAsyncResult    *result,
                                   GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * nc_pbx_simulator_set_webhooks_paused:
 *
 * While @paused, the calls played reach no listener — as when it is down — and are known
 * only to the statistics.
 */
void
nc_pbx_simulator_set_webhooks_paused (NcPbxSimulator *self,
                                      gboolean        paused)
{
  g_return_if_fail (NC_IS_PBX_SIMULATOR (self));

  self->webhooks_paused = paused;
}

/**
 * nc_pbx_simulator_add_call:
 * @call_start: (nullable): when it started, `YYYY-MM-DD HH:MM:SS` in the PBX's (local)
 *   time; %NULL for now
 *
 * A call the PBX had, whose webhooks never reached anyone: it is in the statistics only.
 *
 * Returns: (transfer full): its pbx_call_id
 */
char *
nc_pbx_simulator_add_call (NcPbxSimulator    *self,
                           NcPbxCallScenario  scenario,
                           const char        *client_number,
                           const char        *virtual_number,
                           const char        *extension,
                           const char        *call_start)
{
  g_return_val_if_fail (NC_IS_PBX_SIMULATOR (self), NULL);

  return g_strdup (record_call (self, scenario, client_number, virtual_number, extension,
                                call_start)->pbx_call_id);
}

/* How many calls the PBX has had. */
guint
nc_pbx_simulator_get_call_count (NcPbxSimulator *self)
{
  g_return_val_if_fail (NC_IS_PBX_SIMULATOR (self), 0);
  return self->history->len;
}

/**
 * nc_pbx_simulator_get_statistics_requests:
 *
 * Returns: (transfer none) (element-type GHashTable): the parameters of every statistics
 *   page the simulator served, in order
 */
GPtrArray *
nc_pbx_simulator_get_statistics_requests (NcPbxSimulator *self)
{
  g_return_val_if_fail (NC_IS_PBX_SIMULATOR (self), NULL);
  return self->statistics;
}

/**
 * nc_pbx_simulator_set_rate_limit_reset:
 *
 * The seconds a %NC_PBX_FAULT_RATE_LIMIT answer tells the client to wait (42 until set).
 */
void
nc_pbx_simulator_set_rate_limit_reset (NcPbxSimulator *self,
                                       guint           seconds)
{
  g_return_if_fail (NC_IS_PBX_SIMULATOR (self));

  self->rate_limit_reset = seconds;
}
