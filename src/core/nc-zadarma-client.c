/* nc-zadarma-client.c — the Novofon / Zadarma user API v1, signed, asynchronous
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One SoupSession, with a timeout. Every request is signed (nc-zadarma-sign), takes one
 * slot of a request budget first (nc-zadarma-client-budget.c) — the shared one when there
 * is one, so separate processes share it — and is refused locally, with the time to wait,
 * rather than earn a 429. Read-only requests are retried with backoff after a network
 * failure, a timeout or a 5xx. The callback, which places a real call, is never retried,
 * whatever happens, and goes out on a new connection: libsoup itself resends a request
 * whose reused keep-alive connection dropped before the answer, and a resent callback
 * rings a client twice.
 *
 * This file is the transport; the typed methods, each a request whose answer is read into
 * a struct, are nc-zadarma-client-methods.c.
 *
 * The Secret is used to sign and for nothing else: it is in no log line and no error.
 */

#define G_LOG_DOMAIN "nc-zadarma-client"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "nc-zadarma-client-private.h"
#include "nc-zadarma-sign.h"

#define DEFAULT_TIMEOUT_SECONDS 15
#define DEFAULT_RETRIES 2
#define DEFAULT_FIRST_RETRY_DELAY_MS 500

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

/* ------------------------------------------------------------------------------------ */

GError *
nc_zadarma_error_new (NcZadarmaError  code,
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
  g_free (self->base_url);
  g_free (self->host);
  g_free (self->key);
  if (self->secret != NULL)
    memset (self->secret, 0, strlen (self->secret));
  g_free (self->secret);
  nc_zadarma_budget_clear (&self->budget);

  G_OBJECT_CLASS (nc_zadarma_client_parent_class)->finalize (object);
}

static void
nc_zadarma_client_class_init (NcZadarmaClientClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = nc_zadarma_client_finalize;
}

static void
nc_zadarma_client_init (NcZadarmaClient *self)
{
  self->timeout = DEFAULT_TIMEOUT_SECONDS;
  self->retries = DEFAULT_RETRIES;
  self->first_retry_delay_ms = DEFAULT_FIRST_RETRY_DELAY_MS;
  nc_zadarma_budget_init (&self->budget);
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
  return NC_ZADARMA_BUDGET_WINDOW_SECONDS;
}

static void request_take_budget (GTask *task);

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
        fail_or_retry (task, nc_zadarma_error_new (NC_ZADARMA_ERROR_TIMEOUT, 0,
                                        g_dngettext (GETTEXT_PACKAGE,
                                                     "%s did not answer within %u second",
                                                     "%s did not answer within %u seconds",
                                                     self->timeout),
                                        self->host, self->timeout));
      else
        fail_or_retry (task, nc_zadarma_error_new (NC_ZADARMA_ERROR_NETWORK, 0,
                                        _("Could not reach %s: %s"), self->host,
                                        error->message));
      return;
    }

  http_status = soup_message_get_status (request->message);
  if (http_status == SOUP_STATUS_UNAUTHORIZED)
    {
      g_task_return_error (task, nc_zadarma_error_new (NC_ZADARMA_ERROR_AUTH, 0,
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

      g_task_return_error (task, nc_zadarma_error_new (NC_ZADARMA_ERROR_RATE_LIMITED, wait,
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
      fail_or_retry (task, nc_zadarma_error_new (NC_ZADARMA_ERROR_SERVER, 0,
                                      _("The Novofon API failed (HTTP %u); try again later"),
                                      http_status));
      return;
    }

  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
                                   (gssize) g_bytes_get_size (body), NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_task_return_error (task, nc_zadarma_error_new (NC_ZADARMA_ERROR_PROTOCOL, 0,
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
        g_task_return_error (task, nc_zadarma_error_new (NC_ZADARMA_ERROR_API, 0, _("Novofon answered: %s"),
                                              message));
      else
        g_task_return_error (task, nc_zadarma_error_new (NC_ZADARMA_ERROR_PROTOCOL, 0,
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
      g_task_return_error (task, nc_zadarma_error_new (NC_ZADARMA_ERROR_INVALID, 0,
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

  if (!nc_zadarma_client_take_budget_finish (NC_ZADARMA_CLIENT (source), result, &wait,
                                             &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (wait > 0)
    {
      g_task_return_error (task, nc_zadarma_error_new (NC_ZADARMA_ERROR_RATE_LIMITED, wait,
                                                       g_dngettext (GETTEXT_PACKAGE,
                                                                    "Too many requests to the "
                                                                    "Novofon API: wait %u "
                                                                    "second and try again "
                                                                    "(nothing was sent)",
                                                                    "Too many requests to the "
                                                                    "Novofon API: wait %u "
                                                                    "seconds and try again "
                                                                    "(nothing was sent)",
                                                                    wait), wait));
      return;
    }

  request_send (task);
}

/* Every attempt takes from the budget first (nc-zadarma-client-budget.c). */
static void
request_take_budget (GTask *task)
{
  NcZadarmaClient *self = g_task_get_source_object (task);
  Request *request = g_task_get_task_data (task);

  nc_zadarma_client_take_budget_async (self, request->bucket, request->limit,
                                       g_task_get_cancellable (task), budget_taken,
                                       g_object_ref (task));
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
  request->bucket = nc_zadarma_client_bucket_for (self, method, &request->limit);
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
