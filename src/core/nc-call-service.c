/* nc-call-service.c — the listener, the tracker, the matcher and the store, joined
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each event the listener committed goes to the tracker. When the tracker wants the
 * client of a call, the matcher finds or makes it (the source document's sequence) and
 * the store keeps which one and why. When it wants a recording, the API is asked for the
 * link with the longest lifetime it allows (60 days, not the default 30 minutes), and the
 * link goes into the client's variable zadarma_record_link and onto the call.
 *
 * At start-up the stored events are replayed into the tracker, with what the store kept
 * of each call, so the journal survives restarts without asking anything again.
 */

#define G_LOG_DOMAIN "nc-call-service"

#include "config.h"

#include <glib/gi18n.h>

#include "nc-call-event.h"
#include "nc-call-service.h"

struct _NcCallService
{
  GObject          parent_instance;

  NcStore         *store;
  NcClientMatcher *matcher;
  NcCallTracker   *tracker;
  NcZadarmaClient *client;
  GCancellable    *cancellable;
  gboolean         replaying;
  guint            busy;        /* matches and link requests on their way */
};

G_DEFINE_FINAL_TYPE (NcCallService, nc_call_service, G_TYPE_OBJECT)

typedef struct
{
  NcCallService *self;
  NcCall        *call;
} CallJob;

static CallJob *
call_job_new (NcCallService *self,
              NcCall        *call)
{
  CallJob *job = g_new0 (CallJob, 1);

  job->self = g_object_ref (self);
  job->call = g_object_ref (call);
  self->busy++;
  return job;
}

static void
call_job_free (CallJob *job)
{
  job->self->busy--;
  g_object_unref (job->self);
  g_object_unref (job->call);
  g_free (job);
}

static void
saved (GObject      *source,
       GAsyncResult *result,
       gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!nc_store_save_call_finish (NC_STORE (source), result, &error))
    g_warning ("Could not store what is known of a call: %s", error->message);
}

static void
variable_set (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!nc_store_set_variable_finish (NC_STORE (source), result, &error))
    g_warning ("Could not keep the recording link on the client: %s", error->message);
}

static void
keep_link_on_client (NcCallService *self,
                     NcCall        *call)
{
  if (nc_call_get_client_id (call) != 0 && nc_call_get_record_link (call) != NULL)
    nc_store_set_variable_async (self->store, nc_call_get_client_id (call),
                                 NC_RECORD_LINK_VARIABLE, nc_call_get_record_link (call),
                                 NULL, variable_set, NULL);
}

static void
client_matched (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  CallJob *job = user_data;
  g_autoptr(NcClient) client = NULL;
  g_autoptr(GError) error = NULL;
  NcStoredCall stored = { 0 };
  NcMatchRule rule = NC_MATCH_RULE_ANY_VARIABLE;

  client = nc_client_matcher_match_finish (NC_CLIENT_MATCHER (source), result, &rule, &error);
  if (client == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Could not match call %s to a client: %s",
                   nc_call_get_pbx_call_id (job->call), error->message);
      call_job_free (job);
      return;
    }

  nc_call_set_client (job->call, nc_client_get_id (client), nc_client_get_name (client),
                      nc_match_rule_explain (rule));
  stored.pbx_call_id = (char *) nc_call_get_pbx_call_id (job->call);
  stored.client_id = nc_client_get_id (client);
  stored.match_rule = (char *) nc_match_rule_to_string (rule);
  nc_store_save_call_async (job->self->store, &stored, NULL, saved, NULL);

  /* A link that arrived before the match goes to the client now. */
  keep_link_on_client (job->self, job->call);
  call_job_free (job);
}

static void
client_wanted (NcCallTracker *tracker,
               NcCall        *call,
               NcCallService *self)
{
  if (self->replaying)
    return;

  nc_client_matcher_match_async (self->matcher, nc_call_get_client_number (call),
                                 self->cancellable, client_matched, call_job_new (self, call));
}

static void
record_received (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  CallJob *job = user_data;
  g_autoptr(NcZadarmaRecord) record = NULL;
  g_autoptr(GError) error = NULL;
  NcStoredCall stored = { 0 };

  record = nc_zadarma_client_record_finish (NC_ZADARMA_CLIENT (source), result, &error);
  if (record == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Could not get the recording of call %s: %s",
                   nc_call_get_pbx_call_id (job->call), error->message);
      call_job_free (job);
      return;
    }

  nc_call_set_record_link (job->call, record->link, record->lifetime_till);
  stored.pbx_call_id = (char *) nc_call_get_pbx_call_id (job->call);
  stored.record_link = record->link;
  stored.record_expires = record->lifetime_till;
  nc_store_save_call_async (job->self->store, &stored, NULL, saved, NULL);
  keep_link_on_client (job->self, job->call);
  call_job_free (job);
}

static void
recording_wanted (NcCallTracker *tracker,
                  NcCall        *call,
                  NcCallService *self)
{
  if (self->replaying || nc_call_get_record_link (call) != NULL)
    return;

  if (self->client == NULL || nc_call_get_call_id_with_rec (call) == NULL)
    {
      g_debug ("Call %s has a recording, but there is no API client to ask for its link",
               nc_call_get_pbx_call_id (call));
      return;
    }

  nc_zadarma_client_record_async (self->client, nc_call_get_call_id_with_rec (call),
                                  NC_ZADARMA_RECORD_LIFETIME_MAX, self->cancellable,
                                  record_received, call_job_new (self, call));
}

static void
event_received (NcWebhookServer *server,
                NcCallEvent     *event,
                gboolean         inserted,
                NcCallService   *self)
{
  /* A replay changes nothing the tracker has not already seen. */
  if (!inserted)
    return;

  nc_call_tracker_add_event (self->tracker, nc_call_event_get_event_type (event),
                             nc_call_event_get_fields (event),
                             nc_call_event_get_received_at (event));
}

static void
nc_call_service_dispose (GObject *object)
{
  NcCallService *self = NC_CALL_SERVICE (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  if (self->tracker != NULL)
    g_signal_handlers_disconnect_by_data (self->tracker, self);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);
  g_clear_object (&self->matcher);
  g_clear_object (&self->tracker);
  g_clear_object (&self->client);

  G_OBJECT_CLASS (nc_call_service_parent_class)->dispose (object);
}

static void
nc_call_service_class_init (NcCallServiceClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = nc_call_service_dispose;
}

static void
nc_call_service_init (NcCallService *self)
{
  self->cancellable = g_cancellable_new ();
}

NcCallService *
nc_call_service_new (NcStore         *store,
                     NcClientMatcher *matcher,
                     NcCallTracker   *tracker)
{
  NcCallService *self;

  g_return_val_if_fail (NC_IS_STORE (store), NULL);
  g_return_val_if_fail (NC_IS_CLIENT_MATCHER (matcher), NULL);
  g_return_val_if_fail (NC_IS_CALL_TRACKER (tracker), NULL);

  self = g_object_new (NC_TYPE_CALL_SERVICE, NULL);
  self->store = g_object_ref (store);
  self->matcher = g_object_ref (matcher);
  self->tracker = g_object_ref (tracker);
  g_signal_connect (tracker, "client-wanted", G_CALLBACK (client_wanted), self);
  g_signal_connect (tracker, "recording-wanted", G_CALLBACK (recording_wanted), self);
  return self;
}

/**
 * nc_call_service_set_client:
 * @client: (nullable): to ask for the links of recordings
 */
void
nc_call_service_set_client (NcCallService   *self,
                            NcZadarmaClient *client)
{
  g_return_if_fail (NC_IS_CALL_SERVICE (self));
  g_set_object (&self->client, client);
}

void
nc_call_service_attach (NcCallService   *self,
                        NcWebhookServer *server)
{
  g_return_if_fail (NC_IS_CALL_SERVICE (self));

  g_signal_connect_object (server, "event-received", G_CALLBACK (event_received), self, 0);
}

typedef struct
{
  GPtrArray *events;
  GPtrArray *calls;
  GPtrArray *clients;   /* NcClient of the stored calls, for their names */
} Replay;

static void
replay_free (Replay *replay)
{
  g_clear_pointer (&replay->events, g_ptr_array_unref);
  g_clear_pointer (&replay->calls, g_ptr_array_unref);
  g_clear_pointer (&replay->clients, g_ptr_array_unref);
  g_free (replay);
}

/* Reads on a worker thread; the tracker, whose models the UI shows, is fed on the main
 * context. */
static void
read_replay (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  NcCallService *self = source_object;
  Replay *replay = g_new0 (Replay, 1);
  GError *error = NULL;

  replay->events = nc_store_list_call_events_sync (self->store, &error);
  if (replay->events != NULL)
    replay->calls = nc_store_list_calls_sync (self->store, &error);
  if (replay->calls != NULL)
    {
      replay->clients = g_ptr_array_new_with_free_func (g_object_unref);
      for (guint i = 0; i < replay->calls->len; i++)
        {
          NcStoredCall *stored = replay->calls->pdata[i];
          NcClient *client = stored->client_id != 0
                             ? nc_store_get_client_sync (self->store, stored->client_id, NULL)
                             : NULL;

          g_ptr_array_add (replay->clients, client != NULL ? client
                                                            : nc_client_new (0, NULL, 0, NULL, 0));
        }
    }

  if (error != NULL)
    {
      replay_free (replay);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, replay, (GDestroyNotify) replay_free);
}

static void
apply_replay (NcCallService *self,
              Replay        *replay)
{
  self->replaying = TRUE;
  for (guint i = 0; i < replay->events->len; i++)
    {
      NcStoredEvent *stored = replay->events->pdata[i];
      g_autoptr(NcCallEvent) event = nc_call_event_new_from_canonical (stored->event_type,
                                                                       stored->fields,
                                                                       stored->received_at);

      nc_call_tracker_add_event (self->tracker, stored->event_type,
                                 nc_call_event_get_fields (event), stored->received_at);
    }

  for (guint i = 0; i < replay->calls->len; i++)
    {
      NcStoredCall *stored = replay->calls->pdata[i];
      NcClient *client = replay->clients->pdata[i];
      NcCall *call = nc_call_tracker_lookup (self->tracker, stored->pbx_call_id);
      NcMatchRule rule;

      if (call == NULL)
        continue;
      if (nc_client_get_id (client) != 0)
        nc_call_set_client (call, stored->client_id, nc_client_get_name (client),
                            nc_match_rule_from_string (stored->match_rule, &rule)
                            ? nc_match_rule_explain (rule) : NULL);
      if (stored->record_link != NULL)
        nc_call_set_record_link (call, stored->record_link, stored->record_expires);
    }
  self->replaying = FALSE;
}

static void
replay_read (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  Replay *replay = g_task_propagate_pointer (G_TASK (result), &error);

  if (replay == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  apply_replay (NC_CALL_SERVICE (source), replay);
  replay_free (replay);
  g_task_return_boolean (task, TRUE);
}

/**
 * nc_call_service_replay_async:
 *
 * nc_call_service_replay_sync() without blocking the caller: the store is read on a
 * worker thread, the tracker fed on the caller's main context.
 */
void
nc_call_service_replay_async (NcCallService       *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *outer = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GTask) inner = g_task_new (self, cancellable, replay_read, outer);

  g_task_set_source_tag (outer, nc_call_service_replay_async);
  g_task_run_in_thread (inner, read_replay);
}

gboolean
nc_call_service_replay_finish (NcCallService  *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * nc_call_service_replay_sync:
 *
 * Rebuilds the tracker's calls from the stored events and what the store kept of each
 * call (client, recording). Asks nothing of the matcher or the API. For start-up.
 */
gboolean
nc_call_service_replay_sync (NcCallService  *self,
                             GError        **error)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, NULL, NULL);
  Replay *replay;

  g_return_val_if_fail (NC_IS_CALL_SERVICE (self), FALSE);

  read_replay (task, self, NULL, NULL);
  replay = g_task_propagate_pointer (task, error);
  if (replay == NULL)
    return FALSE;
  apply_replay (self, replay);
  replay_free (replay);
  return TRUE;
}

/**
 * nc_call_service_get_busy:
 *
 * Returns: how many matches and recording requests are on their way
 */
guint
nc_call_service_get_busy (NcCallService *self)
{
  g_return_val_if_fail (NC_IS_CALL_SERVICE (self), 0);
  return self->busy;
}
