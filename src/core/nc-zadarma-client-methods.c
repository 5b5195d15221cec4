/* nc-zadarma-client-methods.c — the API's methods that the console uses, typed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each is a request (nc_zadarma_client_request_async()) whose answer is read into a
 * struct by its Reader; an answer that lacks what the method must have is a protocol
 * error. Numbers come as numbers or as strings, depending on the method: the readers take
 * both.
 */

#define G_LOG_DOMAIN "nc-zadarma-client"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "nc-zadarma-client-private.h"

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
  return nc_zadarma_error_new (NC_ZADARMA_ERROR_PROTOCOL, 0,
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
  /* Anything else is not an answer: taken for "offline", it would show an employee
   * offline who is not. */
  if (!g_str_equal (online, "true") && !g_str_equal (online, "false"))
    {
      *error = nc_zadarma_error_new (NC_ZADARMA_ERROR_PROTOCOL, 0,
                                     _("The API’s answer says “%s” of whether the extension "
                                       "is online"), online);
      return NULL;
    }
  return GINT_TO_POINTER (g_str_equal (online, "true") ? 2 : 1);
}

static const Reader online_reader = { read_online, NULL };

static gboolean
is_extension (const char *text)
{
  gsize length = text != NULL ? strlen (text) : 0;

  if (length == 0 || length > 16)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isdigit (text[i]))
      return FALSE;
  return TRUE;
}

/**
 * nc_zadarma_client_extension_online_async:
 * @extension: the PBX's extension: digits only
 *
 * Asks /v1/pbx/internal/<extension>/status/ whether the extension is online, from the
 * budget of every other method. An @extension that is not digits is refused before
 * anything is sent: it is a part of the method's path.
 */
void
nc_zadarma_client_extension_online_async (NcZadarmaClient     *self,
                                          const char          *extension,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  g_autofree char *method = NULL;

  if (!is_extension (extension))
    {
      g_task_report_error (self, callback, user_data, nc_zadarma_client_extension_online_async,
                           nc_zadarma_error_new (NC_ZADARMA_ERROR_INVALID, 0,
                                                 _("“%s” is not an extension of the PBX: an "
                                                   "extension is digits only"),
                                                 extension != NULL ? extension : ""));
      return;
    }
  method = g_strdup_printf ("/v1/pbx/internal/%s/status/", extension);
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
