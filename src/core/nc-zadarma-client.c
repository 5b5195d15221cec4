/* nc-zadarma-client.c — the Novofon / Zadarma user API v1, signed, asynchronous
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One SoupSession, with a timeout. Every request is signed (nc-zadarma-sign), takes one
 * slot of a request budget first — kept in the store when there is one, so separate
 * processes share it — and is refused locally, with the time to wait, rather than earn a
 * 429. Read-only requests are retried with backoff after a network failure, a timeout or
 * a 5xx. The callback, which places a real call, is never retried, whatever happens, and
 * goes out on a new connection: libsoup itself resends a request whose reused keep-alive
 * connection dropped before the answer, and a resent callback rings a client twice.
 *
 * The Secret is used to sign and for nothing else: it is in no log line and no error.
 */

#define G_LOG_DOMAIN "nc-zadarma-client"

#include "config.h"

#include <string.h>
#include <libsoup/soup.h>
#include <glib/gi18n.h>

#include "nc-zadarma-client.h"
#include "nc-zadarma-sign.h"

#define DEFAULT_TIMEOUT_SECONDS 15
#define DEFAULT_RETRIES 2
#define DEFAULT_FIRST_RETRY_DELAY_MS 500
#define BUDGET_WINDOW_SECONDS 60

typedef struct
{
  guint retry_after;   /* seconds, for NC_ZADARMA_ERROR_RATE_LIMITED */
} NcZadarmaErrorPrivate;

/* The private part is zeroed when it is made; the checks keep -Wnull-dereference quiet
 * about what G_DEFINE_EXTENDED_ERROR's lookups could return. */
static void
nc_zadarma_error_private_init (NcZadarmaErrorPrivate *priv)
{
  if (priv != NULL)
    priv->retry_after = 0;
}

static void
nc_zadarma_error_private_copy (const NcZadarmaErrorPrivate *src,
                               NcZadarmaErrorPrivate       *dest)
{
  if (src != NULL && dest != NULL)
    dest->retry_after = src->retry_after;
}

static void
nc_zadarma_error_private_clear (NcZadarmaErrorPrivate *priv)
{
}

G_DEFINE_EXTENDED_ERROR (NcZadarmaError, nc_zadarma_error)

struct _NcZadarmaClient
{
  GObject      parent_instance;

  SoupSession *session;
  char        *base_url;
  char        *host;
  char        *key;
  char        *secret;
  NcStore     *store;
  guint        timeout;
  guint        retries;
  guint        first_retry_delay_ms;
  GHashTable  *local_budget;   /* bucket → GQueue of gint64 times, when there is no store */
  GHashTable  *limits;         /* bucket → requests a minute, where not the documented one */
};

G_DEFINE_FINAL_TYPE (NcZadarmaClient, nc_zadarma_client, G_TYPE_OBJECT)

typedef struct
{
  char        *http_method;
  char        *method;
  GHashTable  *params;
  const char  *bucket;
  guint        limit;
  gboolean     places_call;
  gboolean     may_retry;
  guint        attempt;
  SoupMessage *message;
} Request;

static void
request_free (Request *request)
{
  g_free (request->http_method);
  g_free (request->method);
  g_clear_pointer (&request->params, g_hash_table_unref);
  g_clear_object (&request->message);
  g_free (request);
}

static void request_take_budget (GTask *task);

/* ------------------------------------------------------------------------------------ */

static GError *
new_error (NcZadarmaError  code,
           guint           retry_after,
           const char     *format,
           ...) G_GNUC_PRINTF (3, 4);

static GError *
new_error (NcZadarmaError  code,
           guint           retry_after,
           const char     *format,
           ...)
{
  GError *error;
  va_list args;

  va_start (args, format);
  error = g_error_new_valist (NC_ZADARMA_ERROR, code, format, args);
  va_end (args);

  if (retry_after > 0)
    {
      NcZadarmaErrorPrivate *priv = nc_zadarma_error_get_private (error);

      if (priv != NULL)
        priv->retry_after = retry_after;
    }
  return error;
}

/**
 * nc_zadarma_error_get_retry_after:
 *
 * Returns: for a rate-limited error, the seconds to wait; else 0
 */
guint
nc_zadarma_error_get_retry_after (const GError *error)
{
  NcZadarmaErrorPrivate *priv;

  if (error == NULL || error->domain != NC_ZADARMA_ERROR)
    return 0;
  priv = nc_zadarma_error_get_private (error);
  return priv != NULL ? priv->retry_after : 0;
}

/**
 * nc_zadarma_error_to_user_message:
 *
 * Returns: (transfer full): one sentence for people about @error
 */
char *
nc_zadarma_error_to_user_message (const GError *error)
{
  g_return_val_if_fail (error != NULL, NULL);

  /* The client's own errors are written for people already. */
  if (error->domain == NC_ZADARMA_ERROR)
    return g_strdup (error->message);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_strdup (_("The request was cancelled"));
  return g_strdup_printf (_("The request to Novofon failed: %s"), error->message);
}

/* ------------------------------------------------------------------------------------ */

static void
nc_zadarma_client_finalize (GObject *object)
{
  NcZadarmaClient *self = NC_ZADARMA_CLIENT (object);

  g_clear_object (&self->session);
  g_clear_object (&self->store);
  g_free (self->base_url);
  g_free (self->host);
  g_free (self->key);
  if (self->secret != NULL)
    memset (self->secret, 0, strlen (self->secret));
  g_free (self->secret);
  g_clear_pointer (&self->local_budget, g_hash_table_unref);
  g_clear_pointer (&self->limits, g_hash_table_unref);

  G_OBJECT_CLASS (nc_zadarma_client_parent_class)->finalize (object);
}

static void
nc_zadarma_client_class_init (NcZadarmaClientClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = nc_zadarma_client_finalize;
}

static void
free_queue (gpointer queue)
{
  g_queue_free_full (queue, g_free);
}

static void
nc_zadarma_client_init (NcZadarmaClient *self)
{
  self->timeout = DEFAULT_TIMEOUT_SECONDS;
  self->retries = DEFAULT_RETRIES;
  self->first_retry_delay_ms = DEFAULT_FIRST_RETRY_DELAY_MS;
  self->local_budget = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, free_queue);
  self->limits = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

static gboolean
host_is_loopback (const char *host)
{
  g_autoptr(GInetAddress) address = NULL;

  if (host == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;
  address = g_inet_address_new_from_string (host);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

/**
 * nc_zadarma_client_new:
 * @base_url: `https://api.novofon.com`, or a simulator's
 */
NcZadarmaClient *
nc_zadarma_client_new (const char *base_url,
                       const char *key,
                       const char *secret)
{
  NcZadarmaClient *self;
  g_autoptr(GUri) uri = NULL;
  gsize len;

  g_return_val_if_fail (base_url != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (secret != NULL, NULL);

  self = g_object_new (NC_TYPE_ZADARMA_CLIENT, NULL);
  self->base_url = g_strdup (base_url);
  len = strlen (self->base_url);
  while (len > 0 && self->base_url[len - 1] == '/')
    self->base_url[--len] = '\0';
  self->key = g_strdup (key);
  self->secret = g_strdup (secret);

  uri = g_uri_parse (self->base_url, G_URI_FLAGS_NONE, NULL);
  self->host = g_strdup (uri != NULL ? g_uri_get_host (uri) : self->base_url);

  self->session = soup_session_new_with_options ("timeout", self->timeout,
                                                 "user-agent", "novofon-console/" PACKAGE_VERSION,
                                                 NULL);
  /* A proxy has no business with a simulator on this machine. */
  if (host_is_loopback (self->host))
    soup_session_set_proxy_resolver (self->session, NULL);

  return self;
}

/**
 * nc_zadarma_client_set_store:
 * @store: (nullable): where the request budget is kept, shared with other processes
 */
void
nc_zadarma_client_set_store (NcZadarmaClient *self,
                             NcStore         *store)
{
  g_return_if_fail (NC_IS_ZADARMA_CLIENT (self));

  g_set_object (&self->store, store);
}

void
nc_zadarma_client_set_timeout (NcZadarmaClient *self,
                               guint            seconds)
{
  g_return_if_fail (NC_IS_ZADARMA_CLIENT (self));

  self->timeout = seconds;
  soup_session_set_timeout (self->session, seconds);
}

/**
 * nc_zadarma_client_set_retries:
 *
 * How often a read-only request is tried again after a network failure, a timeout or a
 * 5xx, and the first pause (it doubles each time). The callback is never tried again.
 */
void
nc_zadarma_client_set_retries (NcZadarmaClient *self,
                               guint            retries,
                               guint            first_delay_ms)
{
  g_return_if_fail (NC_IS_ZADARMA_CLIENT (self));

  self->retries = retries;
  self->first_retry_delay_ms = first_delay_ms;
}

/**
 * nc_zadarma_client_set_limit:
 * @bucket: `api` (every method but the statistics) or `statistics`
 * @per_minute: the requests a minute this client takes from @bucket's budget; 0 for the
 *   documented limit
 *
 * For an account whose limits are not the documented ones, and for tests.
 */
void
nc_zadarma_client_set_limit (NcZadarmaClient *self,
                             const char      *bucket,
                             guint            per_minute)
{
  g_return_if_fail (NC_IS_ZADARMA_CLIENT (self));
  g_return_if_fail (bucket != NULL);

  if (per_minute == 0)
    g_hash_table_remove (self->limits, bucket);
  else
    g_hash_table_insert (self->limits, g_strdup (bucket), GUINT_TO_POINTER (per_minute));
}

const char *
nc_zadarma_client_get_base_url (NcZadarmaClient *self)
{
  g_return_val_if_fail (NC_IS_ZADARMA_CLIENT (self), NULL);
  return self->base_url;
}

/* ------------------------------------------------------------------------------------ */
/* Sending                                                                              */

static guint
header_retry_after (SoupMessage *message)
{
  SoupMessageHeaders *headers = soup_message_get_response_headers (message);
  const char *reset = soup_message_headers_get_one (headers, "X-RateLimit-Reset");
  const char *retry_after = soup_message_headers_get_one (headers, "Retry-After");
  guint64 value = 0;

  if (reset != NULL && g_ascii_string_to_unsigned (reset, 10, 0, G_MAXUINT64, &value, NULL))
    {
      gint64 now = g_get_real_time () / G_USEC_PER_SEC;

      /* A moment in Unix time, or a number of seconds. */
      if (value > 1000000000)
        return (guint) CLAMP ((gint64) value - now, 1, 3600);
      return (guint) CLAMP (value, 1, 3600);
    }
  if (retry_after != NULL &&
      g_ascii_string_to_unsigned (retry_after, 10, 1, 3600, &value, NULL))
    return (guint) value;
  return BUDGET_WINDOW_SECONDS;
}

static gboolean
retry_later (gpointer user_data)
{
  request_take_budget (G_TASK (user_data));
  g_object_unref (user_data);
  return G_SOURCE_REMOVE;
}

/* Tries a read-only request again, or fails it. */
static void
fail_or_retry (GTask  *task,
               GError *error)
{
  NcZadarmaClient *self = g_task_get_source_object (task);
  Request *request = g_task_get_task_data (task);

  if (request->may_retry && request->attempt < self->retries &&
      !g_task_return_error_if_cancelled (task))
    {
      guint delay = self->first_retry_delay_ms << request->attempt;

      g_debug ("%s failed (%s); trying again in %u ms", request->method, error->message, delay);
      request->attempt++;
      g_error_free (error);
      g_timeout_add (delay, retry_later, g_object_ref (task));
      return;
    }

  if (g_task_had_error (task))
    {
      g_error_free (error);
      return;
    }
  g_task_return_error (task, error);
}

static void
request_sent (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  NcZadarmaClient *self = g_task_get_source_object (task);
  Request *request = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonParser) parser = NULL;
  JsonNode *root;
  JsonObject *object;
  const char *status;
  guint http_status;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (body == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
        fail_or_retry (task, new_error (NC_ZADARMA_ERROR_TIMEOUT, 0,
                                        g_dngettext (GETTEXT_PACKAGE,
                                                     "%s did not answer within %u second",
                                                     "%s did not answer within %u seconds",
                                                     self->timeout),
                                        self->host, self->timeout));
      else
        fail_or_retry (task, new_error (NC_ZADARMA_ERROR_NETWORK, 0,
                                        _("Could not reach %s: %s"), self->host,
                                        error->message));
      return;
    }

  http_status = soup_message_get_status (request->message);
  if (http_status == SOUP_STATUS_UNAUTHORIZED)
    {
      g_task_return_error (task, new_error (NC_ZADARMA_ERROR_AUTH, 0,
                                            _("Novofon refused the API Key and Secret (401): check "
                                              "them, check that “Use API key” is on for the "
                                              "Administrator, and that API access is open "
                                              "(Settings → Security rules → API, IP/mask "
                                              "0.0.0.0/0)")));
      return;
    }
  if (http_status == 429 /* Too Many Requests */)
    {
      guint wait = header_retry_after (request->message);

      g_task_return_error (task, new_error (NC_ZADARMA_ERROR_RATE_LIMITED, wait,
                                            g_dngettext (GETTEXT_PACKAGE,
                                                         "Too many requests to the Novofon "
                                                         "API: wait %u second and try again",
                                                         "Too many requests to the Novofon "
                                                         "API: wait %u seconds and try again",
                                                         wait), wait));
      return;
    }
  if (http_status >= 500)
    {
      fail_or_retry (task, new_error (NC_ZADARMA_ERROR_SERVER, 0,
                                      _("The Novofon API failed (HTTP %u); try again later"),
                                      http_status));
      return;
    }

  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
                                   (gssize) g_bytes_get_size (body), NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_task_return_error (task, new_error (NC_ZADARMA_ERROR_PROTOCOL, 0,
                                            _("%s answered with something that is not the API’s "
                                              "JSON (HTTP %u): is the server address right?"),
                                            self->host, http_status));
      return;
    }

  object = json_node_get_object (root);
  status = json_object_get_string_member_with_default (object, "status", NULL);
  if (g_strcmp0 (status, "success") != 0)
    {
      const char *message = json_object_get_string_member_with_default (object, "message", NULL);

      if (g_strcmp0 (status, "error") == 0 && message != NULL)
        g_task_return_error (task, new_error (NC_ZADARMA_ERROR_API, 0, _("Novofon answered: %s"),
                                              message));
      else
        g_task_return_error (task, new_error (NC_ZADARMA_ERROR_PROTOCOL, 0,
                                              _("%s answered without a status (HTTP %u)"),
                                              self->host, http_status));
      return;
    }

  g_task_return_pointer (task, json_object_ref (object), (GDestroyNotify) json_object_unref);
}

static void
request_send (GTask *task)
{
  NcZadarmaClient *self = g_task_get_source_object (task);
  Request *request = g_task_get_task_data (task);
  g_autofree char *query = nc_zadarma_encode_params (request->params);
  g_autofree char *authorization = nc_zadarma_authorization (self->key, request->method, query,
                                                            self->secret);
  g_autofree char *url = NULL;
  g_autoptr(GUri) uri = NULL;
  gboolean is_get = g_str_equal (request->http_method, "GET");

  url = is_get ? g_strconcat (self->base_url, request->method, "?", query, NULL)
               : g_strconcat (self->base_url, request->method, NULL);
  uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);
  if (uri == NULL)
    {
      g_task_return_error (task, new_error (NC_ZADARMA_ERROR_INVALID, 0,
                                            _("The API server address “%s” is not a valid URL"),
                                            self->base_url));
      return;
    }

  g_clear_object (&request->message);
  request->message = soup_message_new_from_uri (request->http_method, uri);
  soup_message_headers_replace (soup_message_get_request_headers (request->message),
                                "Authorization", authorization);
  if (!is_get)
    {
      g_autoptr(GBytes) body = g_bytes_new (query, strlen (query));

      soup_message_set_request_body_from_bytes (request->message,
                                                "application/x-www-form-urlencoded", body);
    }

  /* Never a reused connection for a call: see the top of this file. */
  if (request->places_call)
    soup_message_add_flags (request->message, SOUP_MESSAGE_NEW_CONNECTION);

  g_debug ("%s %s (attempt %u)", request->http_method, request->method, request->attempt + 1);
  soup_session_send_and_read_async (self->session, request->message, G_PRIORITY_DEFAULT,
                                    g_task_get_cancellable (task), request_sent,
                                    g_object_ref (task));
}

static void
budget_taken (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  guint wait = 0;

  if (!nc_store_budget_take_finish (NC_STORE (source), result, &wait, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (wait > 0)
    {
      g_task_return_error (task, new_error (NC_ZADARMA_ERROR_RATE_LIMITED, wait,
                                            g_dngettext (GETTEXT_PACKAGE,
                                                         "Too many requests to the Novofon "
                                                         "API: wait %u second and try again "
                                                         "(nothing was sent)",
                                                         "Too many requests to the Novofon "
                                                         "API: wait %u seconds and try again "
                                                         "(nothing was sent)", wait), wait));
      return;
    }

  request_send (task);
}

/* Without a store, the budget is this process's own. */
static guint
local_budget_take (NcZadarmaClient *self,
                   const char      *bucket,
                   guint            limit)
{
  GQueue *times = g_hash_table_lookup (self->local_budget, bucket);
  gint64 now = g_get_monotonic_time ();
  gint64 window = (gint64) BUDGET_WINDOW_SECONDS * G_USEC_PER_SEC;
  gint64 *time;

  if (times == NULL)
    {
      times = g_queue_new ();
      g_hash_table_insert (self->local_budget, g_strdup (bucket), times);
    }

  while (!g_queue_is_empty (times) && *(gint64 *) g_queue_peek_head (times) <= now - window)
    g_free (g_queue_pop_head (times));

  if (g_queue_get_length (times) >= limit)
    return (guint) MAX (1, (*(gint64 *) g_queue_peek_head (times) + window - now +
                            G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);

  time = g_new (gint64, 1);
  *time = now;
  g_queue_push_tail (times, time);
  return 0;
}

static void
request_take_budget (GTask *task)
{
  NcZadarmaClient *self = g_task_get_source_object (task);
  Request *request = g_task_get_task_data (task);
  guint wait;

  if (self->store != NULL)
    {
      nc_store_budget_take_async (self->store, request->bucket, request->limit,
                                  BUDGET_WINDOW_SECONDS, g_task_get_cancellable (task),
                                  budget_taken, g_object_ref (task));
      return;
    }

  wait = local_budget_take (self, request->bucket, request->limit);
  if (wait > 0)
    {
      g_task_return_error (task, new_error (NC_ZADARMA_ERROR_RATE_LIMITED, wait,
                                            g_dngettext (GETTEXT_PACKAGE,
                                                         "Too many requests to the Novofon "
                                                         "API: wait %u second and try again "
                                                         "(nothing was sent)",
                                                         "Too many requests to the Novofon "
                                                         "API: wait %u seconds and try again "
                                                         "(nothing was sent)", wait), wait));
      return;
    }
  request_send (task);
}

static GHashTable *
copy_params (GHashTable *params)
{
  GHashTable *copy = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GHashTableIter iter;
  gpointer key, value;

  if (params != NULL)
    {
      g_hash_table_iter_init (&iter, params);
      while (g_hash_table_iter_next (&iter, &key, &value))
        g_hash_table_insert (copy, g_strdup (key), g_strdup (value));
    }
  /* The official clients always send it, and it is signed like any other parameter. */
  g_hash_table_insert (copy, g_strdup ("format"), g_strdup ("json"));
  return copy;
}

static GTask *
start_request (NcZadarmaClient     *self,
               const char          *http_method,
               const char          *method,
               GHashTable          *params,
               gpointer             source_tag,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Request *request = g_new0 (Request, 1);

  g_task_set_source_tag (task, source_tag);
  request->http_method = g_strdup (http_method);
  request->method = g_strdup (method);
  request->params = copy_params (params);
  request->places_call = g_str_equal (method, "/v1/request/callback/");
  if (g_str_has_prefix (method, "/v1/statistics/"))
    {
      request->bucket = "statistics";
      request->limit = NC_ZADARMA_STATISTICS_LIMIT_PER_MINUTE;
    }
  else
    {
      request->bucket = "api";
      request->limit = NC_ZADARMA_API_LIMIT_PER_MINUTE;
    }
  if (g_hash_table_contains (self->limits, request->bucket))
    request->limit = GPOINTER_TO_UINT (g_hash_table_lookup (self->limits, request->bucket));
  /* Only what reads may be asked again: the callback places a call, and a POST changes
   * the PBX's settings. */
  request->may_retry = g_str_equal (http_method, "GET") && !request->places_call;
  g_task_set_task_data (task, request, (GDestroyNotify) request_free);

  request_take_budget (task);
  return task;
}

/**
 * nc_zadarma_client_request_async:
 * @http_method: `GET` or `POST`
 * @method: the method path with version and trailing slash, `/v1/info/balance/`
 * @params: (nullable) (element-type utf8 utf8): its parameters, without `format`
 */
void
nc_zadarma_client_request_async (NcZadarmaClient     *self,
                                 const char          *http_method,
                                 const char          *method,
                                 GHashTable          *params,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (NC_IS_ZADARMA_CLIENT (self));

  task = start_request (self, http_method, method, params, nc_zadarma_client_request_async,
                        cancellable, callback, user_data);
}

/**
 * nc_zadarma_client_request_finish:
 *
 * Returns: (transfer full): the answer
 */
JsonObject *
nc_zadarma_client_request_finish (NcZadarmaClient  *self,
                                  GAsyncResult     *result,
                                  GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ------------------------------------------------------------------------------------ */
/* Typed methods: each is a request whose answer is read into a struct.                */

typedef gpointer (*ReadAnswer) (JsonObject *answer, GError **error);

typedef struct
{
  ReadAnswer     read;
  GDestroyNotify destroy;
} Reader;

static void
typed_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  const Reader *reader = g_task_get_task_data (task);
  g_autoptr(JsonObject) answer = NULL;
  GError *error = NULL;
  gpointer value;

  answer = nc_zadarma_client_request_finish (NC_ZADARMA_CLIENT (source), result, &error);
  if (answer == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  value = reader->read (answer, &error);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, value, reader->destroy);
}

static void
typed_request (NcZadarmaClient     *self,
               const Reader        *reader,
               const char          *http_method,
               const char          *method,
               GHashTable          *params,
               gpointer             source_tag,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, (gpointer) reader, NULL);
  nc_zadarma_client_request_async (self, http_method, method, params, cancellable, typed_done,
                                   task);
}

static gpointer
typed_finish (NcZadarmaClient  *self,
              GAsyncResult     *result,
              gpointer          source_tag,
              GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static GError *
missing_member (const char *member)
{
  return new_error (NC_ZADARMA_ERROR_PROTOCOL, 0,
                    _("The API’s answer lacks “%s”"), member);
}

static const char *
string_member (JsonObject *object,
               const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NULL;
  return json_node_get_value_type (node) == G_TYPE_STRING ? json_node_get_string (node) : NULL;
}

/* Numbers come as numbers or as strings, depending on the method. */
static char *
text_member (JsonObject *object,
             const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NULL;
  switch (json_node_get_value_type (node) == G_TYPE_STRING ? 0 :
          json_node_get_value_type (node) == G_TYPE_INT64 ? 1 :
          json_node_get_value_type (node) == G_TYPE_DOUBLE ? 2 : 3)
    {
    case 0:
      return g_strdup (json_node_get_string (node));
    case 1:
      return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
    case 2:
      return g_strdup_printf ("%.2f", json_node_get_double (node));
    default:
      return NULL;
    }
}

void
nc_zadarma_balance_free (NcZadarmaBalance *balance)
{
  if (balance == NULL)
    return;
  g_free (balance->currency);
  g_free (balance);
}

static gpointer
read_balance (JsonObject  *answer,
              GError     **error)
{
  g_autoptr(NcZadarmaBalance) balance = g_new0 (NcZadarmaBalance, 1);
  g_autofree char *amount = text_member (answer, "balance");

  if (amount == NULL)
    {
      *error = missing_member ("balance");
      return NULL;
    }
  balance->balance = g_ascii_strtod (amount, NULL);
  balance->currency = g_strdup (string_member (answer, "currency"));
  return g_steal_pointer (&balance);
}

static const Reader balance_reader = { read_balance, (GDestroyNotify) nc_zadarma_balance_free };

void
nc_zadarma_client_balance_async (NcZadarmaClient     *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  typed_request (self, &balance_reader, "GET", "/v1/info/balance/", NULL,
                 nc_zadarma_client_balance_async, cancellable, callback, user_data);
}

/**
 * nc_zadarma_client_balance_finish:
 *
 * Returns: (transfer full): the balance
 */
NcZadarmaBalance *
nc_zadarma_client_balance_finish (NcZadarmaClient  *self,
                                  GAsyncResult     *result,
                                  GError          **error)
{
  return typed_finish (self, result, nc_zadarma_client_balance_async, error);
}

void
nc_zadarma_callback_free (NcZadarmaCallback *callback)
{
  if (callback == NULL)
    return;
  g_free (callback->from);
  g_free (callback->to);
  g_free (callback);
}

static gpointer
read_callback (JsonObject  *answer,
               GError     **error)
{
  NcZadarmaCallback *callback = g_new0 (NcZadarmaCallback, 1);
  g_autofree char *time = text_member (answer, "time");

  callback->from = text_member (answer, "from");
  callback->to = text_member (answer, "to");
  callback->time = time != NULL ? g_ascii_strtoll (time, NULL, 10) : 0;
  return callback;
}

static const Reader callback_reader = { read_callback, (GDestroyNotify) nc_zadarma_callback_free };

/**
 * nc_zadarma_client_callback_async:
 * @from: what the PBX rings first: the employee's extension or id
 * @to: the client's number
 * @sip: (nullable): the extension whose caller ID, recording and prefix the call uses
 *
 * Places a call: the PBX rings @from, then @to. Sent once, on a new connection, never
 * retried.
 */
void
nc_zadarma_client_callback_async (NcZadarmaClient     *self,
                                  const char          *from,
                                  const char          *to,
                                  const char          *sip,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GHashTable) params = g_hash_table_new (g_str_hash, g_str_equal);

  g_hash_table_insert (params, (gpointer) "from", (gpointer) from);
  g_hash_table_insert (params, (gpointer) "to", (gpointer) to);
  if (sip != NULL)
    g_hash_table_insert (params, (gpointer) "sip", (gpointer) sip);
  typed_request (self, &callback_reader, "GET", "/v1/request/callback/", params,
                 nc_zadarma_client_callback_async, cancellable, callback, user_data);
}

/**
 * nc_zadarma_client_callback_finish:
 *
 * Returns: (transfer full): what the PBX answered
 */
NcZadarmaCallback *
nc_zadarma_client_callback_finish (NcZadarmaClient  *self,
                                   GAsyncResult     *result,
                                   GError          **error)
{
  return typed_finish (self, result, nc_zadarma_client_callback_async, error);
}

static gpointer
read_extensions (JsonObject  *answer,
                 GError     **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonNode *node = json_object_get_member (answer, "numbers");
  JsonArray *numbers;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      *error = missing_member ("numbers");
      return NULL;
    }
  numbers = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (numbers); i++)
    {
      JsonNode *element = json_array_get_element (numbers, i);

      if (JSON_NODE_HOLDS_VALUE (element))
        {
          g_autofree char *text = json_node_get_value_type (element) == G_TYPE_STRING
                                  ? g_strdup (json_node_get_string (element))
                                  : g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (element));
          g_strv_builder_add (builder, text);
        }
    }
  return g_strv_builder_end (builder);
}

static const Reader extensions_reader = { read_extensions, (GDestroyNotify) g_strfreev };

void
nc_zadarma_client_extensions_async (NcZadarmaClient     *self,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  typed_request (self, &extensions_reader, "GET", "/v1/pbx/internal/", NULL,
                 nc_zadarma_client_extensions_async, cancellable, callback, user_data);
}

/**
 * nc_zadarma_client_extensions_finish:
 *
 * Returns: (transfer full): the PBX's extensions
 */
GStrv
nc_zadarma_client_extensions_finish (NcZadarmaClient  *self,
                                     GAsyncResult     *result,
                                     GError          **error)
{
  return typed_finish (self, result, nc_zadarma_client_extensions_async, error);
}

static gpointer
read_online (JsonObject  *answer,
             GError     **error)
{
  g_autofree char *online = text_member (answer, "is_online");
  JsonNode *node = json_object_get_member (answer, "is_online");

  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
      json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    return GINT_TO_POINTER (json_node_get_boolean (node) ? 2 : 1);
  if (online == NULL)
    {
      *error = missing_member ("is_online");
      return NULL;
    }
  return GINT_TO_POINTER (g_str_equal (online, "true") ? 2 : 1);
}

static const Reader online_reader = { read_online, NULL };

void
nc_zadarma_client_extension_online_async (NcZadarmaClient     *self,
                                          const char          *extension,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  g_autofree char *method = g_strdup_printf ("/v1/pbx/internal/%s/status/", extension);

  typed_request (self, &online_reader, "GET", method, NULL,
                 nc_zadarma_client_extension_online_async, cancellable, callback, user_data);
}

gboolean
nc_zadarma_client_extension_online_finish (NcZadarmaClient  *self,
                                           GAsyncResult     *result,
                                           gboolean         *out_online,
                                           GError          **error)
{
  gpointer value = typed_finish (self, result, nc_zadarma_client_extension_online_async, error);

  if (value == NULL)
    return FALSE;
  *out_online = GPOINTER_TO_INT (value) == 2;
  return TRUE;
}

void
nc_zadarma_number_free (NcZadarmaNumber *number)
{
  if (number == NULL)
    return;
  g_free (number->number);
  g_free (number->status);
  g_free (number->country);
  g_free (number->description);
  g_free (number->sip);
  g_free (number);
}

static gpointer
read_numbers (JsonObject  *answer,
              GError     **error)
{
  g_autoptr(GPtrArray) numbers = g_ptr_array_new_with_free_func ((GDestroyNotify) nc_zadarma_number_free);
  JsonNode *node = json_object_get_member (answer, "info");
  JsonArray *info;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      *error = missing_member ("info");
      return NULL;
    }
  info = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (info); i++)
    {
      JsonNode *element = json_array_get_element (info, i);
      JsonObject *object;
      NcZadarmaNumber *number;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        continue;
      object = json_node_get_object (element);
      number = g_new0 (NcZadarmaNumber, 1);
      number->number = text_member (object, "number");
      number->status = text_member (object, "status");
      number->country = text_member (object, "country");
      number->description = text_member (object, "description");
      number->sip = text_member (object, "sip");
      g_ptr_array_add (numbers, number);
    }
  return g_steal_pointer (&numbers);
}

static const Reader numbers_reader = { read_numbers, (GDestroyNotify) g_ptr_array_unref };

void
nc_zadarma_client_direct_numbers_async (NcZadarmaClient     *self,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  typed_request (self, &numbers_reader, "GET", "/v1/direct_numbers/", NULL,
                 nc_zadarma_client_direct_numbers_async, cancellable, callback, user_data);
}

/**
 * nc_zadarma_client_direct_numbers_finish:
 *
 * Returns: (transfer full) (element-type NcZadarmaNumber): the account's virtual numbers
 */
GPtrArray *
nc_zadarma_client_direct_numbers_finish (NcZadarmaClient  *self,
                                         GAsyncResult     *result,
                                         GError          **error)
{
  return typed_finish (self, result, nc_zadarma_client_direct_numbers_async, error);
}

void
nc_zadarma_record_free (NcZadarmaRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->link);
  g_free (record->lifetime_till);
  g_free (record);
}

static gpointer
read_record (JsonObject  *answer,
             GError     **error)
{
  NcZadarmaRecord *record;
  const char *link = string_member (answer, "link");
  JsonNode *links = json_object_get_member (answer, "links");

  if (link == NULL && links != NULL && JSON_NODE_HOLDS_ARRAY (links) &&
      json_array_get_length (json_node_get_array (links)) > 0)
    link = json_array_get_string_element (json_node_get_array (links), 0);
  if (link == NULL)
    {
      *error = missing_member ("link");
      return NULL;
    }

  record = g_new0 (NcZadarmaRecord, 1);
  record->link = g_strdup (link);
  record->lifetime_till = text_member (answer, "lifetime_till");
  return record;
}

static const Reader record_reader = { read_record, (GDestroyNotify) nc_zadarma_record_free };

/**
 * nc_zadarma_client_record_async:
 * @lifetime_seconds: how long the link lives, 180 … 5184000 (60 days)
 */
void
nc_zadarma_client_record_async (NcZadarmaClient     *self,
                                const char          *call_id_with_rec,
                                guint                lifetime_seconds,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GHashTable) params = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);

  g_hash_table_insert (params, (gpointer) "call_id", g_strdup (call_id_with_rec));
  g_hash_table_insert (params, (gpointer) "lifetime",
                       g_strdup_printf ("%u", CLAMP (lifetime_seconds, 180,
                                                     NC_ZADARMA_RECORD_LIFETIME_MAX)));
  typed_request (self, &record_reader, "GET", "/v1/pbx/record/request/", params,
                 nc_zadarma_client_record_async, cancellable, callback, user_data);
}

/**
 * nc_zadarma_client_record_finish:
 *
 * Returns: (transfer full): the recording's link and when it dies
 */
NcZadarmaRecord *
nc_zadarma_client_record_finish (NcZadarmaClient  *self,
                                 GAsyncResult     *result,
                                 GError          **error)
{
  return typed_finish (self, result, nc_zadarma_client_record_async, error);
}

void
nc_zadarma_pbx_call_free (NcZadarmaPbxCall *call)
{
  if (call == NULL)
    return;
  g_free (call->pbx_call_id);
  g_free (call->call_id);
  g_free (call->callstart);
  g_free (call->sip);
  g_free (call->clid);
  g_free (call->destination);
  g_free (call->disposition);
  g_free (call->call_type);
  g_free (call);
}

/* "true", true, "1" or 1: the API has written each of them at some time. */
static gboolean
flag_member (JsonObject *object,
             const char *member)
{
  JsonNode *node = json_object_get_member (object, member);
  g_autofree char *text = NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  if (json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    return json_node_get_boolean (node);
  text = text_member (object, member);
  return g_strcmp0 (text, "true") == 0 || g_strcmp0 (text, "1") == 0;
}

static gpointer
read_statistics (JsonObject  *answer,
                 GError     **error)
{
  g_autoptr(GPtrArray) calls = g_ptr_array_new_with_free_func ((GDestroyNotify) nc_zadarma_pbx_call_free);
  JsonNode *node = json_object_get_member (answer, "stats");
  JsonArray *stats;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      *error = missing_member ("stats");
      return NULL;
    }
  stats = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (stats); i++)
    {
      JsonNode *element = json_array_get_element (stats, i);
      g_autofree char *seconds = NULL;
      guint64 value = 0;
      JsonObject *object;
      NcZadarmaPbxCall *call;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        continue;
      object = json_node_get_object (element);
      call = g_new0 (NcZadarmaPbxCall, 1);
      call->pbx_call_id = text_member (object, "pbx_call_id");
      call->call_id = text_member (object, "call_id");
      call->callstart = text_member (object, "callstart");
      call->sip = text_member (object, "sip");
      call->clid = text_member (object, "clid");
      call->destination = text_member (object, "destination");
      call->disposition = text_member (object, "disposition");
      call->call_type = text_member (object, "call_type");
      seconds = text_member (object, "seconds");
      if (seconds != NULL && g_ascii_string_to_unsigned (seconds, 10, 0, G_MAXUINT, &value, NULL))
        call->seconds = (guint) value;
      call->is_recorded = flag_member (object, "is_recorded");
      g_ptr_array_add (calls, call);
    }
  return g_steal_pointer (&calls);
}

static const Reader statistics_reader = { read_statistics, (GDestroyNotify) g_ptr_array_unref };

/**
 * nc_zadarma_client_statistics_async:
 * @start: `YYYY-MM-DD HH:MM:SS`, in the account's time
 * @end: at most a month after @start; the API counts it in
 * @skip: the calls of the span to pass over: the page's first one
 * @limit: the page's size, at most %NC_ZADARMA_STATISTICS_PAGE_MAX
 *
 * One page of the PBX's call statistics (version 2). It takes from a budget of its own,
 * "statistics": the API allows about three of these a minute. It only reads, so it is
 * retried like every read.
 */
void
nc_zadarma_client_statistics_async (NcZadarmaClient     *self,
                                    const char          *start,
                                    const char          *end,
                                    guint                skip,
                                    guint                limit,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GHashTable) params = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);

  g_hash_table_insert (params, (gpointer) "start", g_strdup (start));
  g_hash_table_insert (params, (gpointer) "end", g_strdup (end));
  g_hash_table_insert (params, (gpointer) "version", g_strdup ("2"));
  g_hash_table_insert (params, (gpointer) "skip", g_strdup_printf ("%u", skip));
  g_hash_table_insert (params, (gpointer) "limit",
                       g_strdup_printf ("%u", CLAMP (limit, 1, NC_ZADARMA_STATISTICS_PAGE_MAX)));
  typed_request (self, &statistics_reader, "GET", "/v1/statistics/pbx/", params,
                 nc_zadarma_client_statistics_async, cancellable, callback, user_data);
}

/**
 * nc_zadarma_client_statistics_finish:
 *
 * Returns: (transfer full) (element-type NcZadarmaPbxCall): the page's calls, as the API
 *   listed them
 */
GPtrArray *
nc_zadarma_client_statistics_finish (NcZadarmaClient  *self,
                                     GAsyncResult     *result,
                                     GError          **error)
{
  return typed_finish (self, result, nc_zadarma_client_statistics_async, error);
}

static gpointer
read_nothing (JsonObject  *answer,
              GError     **error)
{
  return GINT_TO_POINTER (TRUE);
}

static const Reader nothing_reader = { read_nothing, NULL };

void
nc_zadarma_client_set_webhook_url_async (NcZadarmaClient     *self,
                                         const char          *url,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_autoptr(GHashTable) params = g_hash_table_new (g_str_hash, g_str_equal);

  g_hash_table_insert (params, (gpointer) "url", (gpointer) url);
  typed_request (self, &nothing_reader, "POST", "/v1/pbx/callinfo/url/", params,
                 nc_zadarma_client_set_webhook_url_async, cancellable, callback, user_data);
}

gboolean
nc_zadarma_client_set_webhook_url_finish (NcZadarmaClient  *self,
                                          GAsyncResult     *result,
                                          GError          **error)
{
  return typed_finish (self, result, nc_zadarma_client_set_webhook_url_async, error) != NULL;
}

void
nc_zadarma_client_enable_notifications_async (NcZadarmaClient     *self,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data)
{
  static const char *const events[] = { "notify_start", "notify_internal", "notify_answer",
                                        "notify_end", "notify_out_start", "notify_out_end",
                                        "notify_record" };
  g_autoptr(GHashTable) params = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < G_N_ELEMENTS (events); i++)
    g_hash_table_insert (params, (gpointer) events[i], (gpointer) "true");
  typed_request (self, &nothing_reader, "POST", "/v1/pbx/callinfo/notifications/", params,
                 nc_zadarma_client_enable_notifications_async, cancellable, callback, user_data);
}

gboolean
nc_zadarma_client_enable_notifications_finish (NcZadarmaClient  *self,
                                               GAsyncResult     *result,
                                               GError          **error)
{
  return typed_finish (self, result, nc_zadarma_client_enable_notifications_async, error) != NULL;
}
