/* nc-pbx-simulator-calls.c — the simulated PBX's calls: played, and kept in its record
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A whole call is played to a webhook URL event by event, each signed as the PBX signs
 * it and sent once the previous one was acknowledged. Like the real PBX, the simulator
 * keeps a record of every call it had, whether or not its webhooks got through (while
 * they are paused, a call is only there), and serves it as the statistics with the real
 * API's rules: a span of at most a month, pages of at most 1 000 (skip, limit).
 */

#define G_LOG_DOMAIN "nc-pbx-simulator"

#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "nc-call-event.h"
#include "nc-call-record.h"
#include "nc-pbx-simulator-private.h"

void
nc_pbx_sim_call_free (NcPbxSimCall *call)
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

static int
compare_call_start (gconstpointer a,
                    gconstpointer b)
{
  const NcPbxSimCall *first = *(const NcPbxSimCall *const *) a;
  const NcPbxSimCall *second = *(const NcPbxSimCall *const *) b;

  return strcmp (first->call_start, second->call_start);
}

/* Adds the page of the PBX's record that @params ask for to @builder, with the real API's
 * rules. Returns: %NULL, or the error the real API would answer */
const char *
nc_pbx_simulator_add_statistics (NcPbxSimulator *self,
                                 GHashTable     *params,
                                 JsonBuilder    *builder)
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
      return "Wrong parameters!";
    }
  start_time = g_date_time_new_from_unix_utc (start_unix);
  month_later = g_date_time_add_months (start_time, 1);
  if (end_unix > g_date_time_to_unix (month_later))
    {
      return "The maximum period is one month";
    }

  g_hash_table_iter_init (&iter, params);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (copy, g_strdup (key), g_strdup (value));
  g_ptr_array_add (self->statistics, g_steal_pointer (&copy));

  /* The fixed format compares as text in the order of time. */
  for (guint i = 0; i < self->history->len; i++)
    {
      NcPbxSimCall *call = self->history->pdata[i];

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
      NcPbxSimCall *call = calls->pdata[i];

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
  return NULL;
}

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
static NcPbxSimCall *
record_call (NcPbxSimulator    *self,
             NcPbxCallScenario  scenario,
             const char        *client_number,
             const char        *virtual_number,
             const char        *extension,
             const char        *call_start)
{
  NcPbxSimCall *call = g_new0 (NcPbxSimCall, 1);

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
  NcPbxSimCall *call;
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
