/* nc-store-calls.c — the store's webhook events and what it keeps of calls
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An event is acknowledged to the PBX only once its batch is committed (nc-store.c); a
 * replay, the same type with every field equal, stores nothing.
 */

#define G_LOG_DOMAIN "nc-store"

#include "config.h"

#include "nc-store-private.h"

/* What add_call_event_job answers. */
enum
{
  EVENT_STORED = 1,
  EVENT_REPLAYED,
};

void
nc_stored_event_free (NcStoredEvent *event)
{
  if (event == NULL)
    return;
  g_free (event->event_type);
  g_free (event->fields);
  g_free (event);
}

void
nc_stored_call_free (NcStoredCall *call)
{
  if (call == NULL)
    return;
  g_free (call->pbx_call_id);
  g_free (call->match_rule);
  g_free (call->record_link);
  g_free (call->record_expires);
  g_free (call);
}

/* ------------------------------------------------------------------------------------ */
/* Events                                                                                */

static gpointer
add_call_event_job (NcStoreConnection  *conn,
                    gpointer            data,
                    GError            **error)
{
  NcStoredEvent *event = data;
  g_autofree char *message = g_strconcat (event->event_type, "\n", event->fields, NULL);
  g_autofree char *digest = NULL;
  NcStoreStmt *stmt;
  NcStoreStep step;
  gint64 id = 0;

  /* A duplicate is the same type with every field equal: the digest covers them all. */
  digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, message, -1);
  stmt = nc_store_prepare (conn,
                           "INSERT INTO call_events (event_type, fields, digest, received_at) "
                           "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (digest) DO NOTHING "
                           "RETURNING id", error);
  if (stmt == NULL)
    return NULL;
  nc_store_bind_text (stmt, 1, event->event_type);
  nc_store_bind_text (stmt, 2, event->fields);
  nc_store_bind_text (stmt, 3, digest);
  nc_store_bind_int64 (stmt, 4, event->received_at);
  /* A row: stored; none: a replay. */
  step = nc_store_step (stmt, error);
  if (step == NC_STORE_STEP_ROW)
    id = nc_store_column_int64 (stmt, 0);
  nc_store_reset (stmt);
  if (step == NC_STORE_STEP_ERROR)
    return NULL;

  if (id == 0)
    return GINT_TO_POINTER (EVENT_REPLAYED);
  nc_store_mark_changed (conn, NC_STORE_CHANGE_CALLS, id);
  return GINT_TO_POINTER (EVENT_STORED);
}

/**
 * nc_store_add_call_event_async:
 * @canonical_fields: every field of the event, in a deterministic form
 *
 * Stores one verified webhook event. Events that arrive together share one transaction;
 * the callback runs only once it is committed (or refused as a replay).
 */
void
nc_store_add_call_event_async (NcStore             *self,
                               const char          *event_type,
                               const char          *canonical_fields,
                               gint64               received_at_unix_us,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  NcStoredEvent *event;

  g_return_if_fail (NC_IS_STORE (self));

  event = g_new0 (NcStoredEvent, 1);
  event->event_type = g_strdup (event_type);
  event->fields = g_strdup (canonical_fields);
  event->received_at = received_at_unix_us;
  nc_store_submit_async (self, NC_STORE_WRITER,
                         nc_store_job_new (add_call_event_job, event,
                                           (GDestroyNotify) nc_stored_event_free, NULL),
                         nc_store_add_call_event_async, cancellable, callback, user_data);
}

gboolean
nc_store_add_call_event_finish (NcStore       *self,
                                GAsyncResult  *result,
                                gboolean      *out_inserted,
                                GError       **error)
{
  gpointer outcome;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  outcome = g_task_propagate_pointer (G_TASK (result), error);
  if (outcome == NULL)
    return FALSE;

  if (out_inserted != NULL)
    *out_inserted = GPOINTER_TO_INT (outcome) == EVENT_STORED;
  return TRUE;
}

static gpointer
list_call_events_job (NcStoreConnection  *conn,
                      gpointer            data,
                      GError            **error)
{
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) nc_stored_event_free);
  NcStoreStmt *stmt;
  NcStoreStep step;

  stmt = nc_store_prepare (conn,
                           "SELECT id, event_type, fields, received_at FROM call_events "
                           "ORDER BY id", error);
  if (stmt == NULL)
    return NULL;
  while ((step = nc_store_step (stmt, error)) == NC_STORE_STEP_ROW)
    {
      NcStoredEvent *event = g_new0 (NcStoredEvent, 1);

      event->id = nc_store_column_int64 (stmt, 0);
      event->event_type = g_strdup (nc_store_column_text (stmt, 1));
      event->fields = g_strdup (nc_store_column_text (stmt, 2));
      event->received_at = nc_store_column_int64 (stmt, 3);
      g_ptr_array_add (events, event);
    }
  nc_store_reset (stmt);
  return step == NC_STORE_STEP_DONE ? g_steal_pointer (&events) : NULL;
}

/**
 * nc_store_list_call_events_sync:
 *
 * Returns: (transfer full) (element-type NcStoredEvent): every stored event, in the order
 *   they were stored
 */
GPtrArray *
nc_store_list_call_events_sync (NcStore  *self,
                                GError  **error)
{
  g_return_val_if_fail (NC_IS_STORE (self), NULL);

  return nc_store_submit_sync (self, NC_STORE_READER,
                               nc_store_job_new (list_call_events_job, NULL, NULL,
                                                 (GDestroyNotify) g_ptr_array_unref),
                               error);
}

static gpointer
last_event_time_job (NcStoreConnection  *conn,
                     gpointer            data,
                     GError            **error)
{
  g_autofree gint64 *time = g_new0 (gint64, 1);
  NcStoreStmt *stmt;
  NcStoreStep step;

  stmt = nc_store_prepare (conn, "SELECT received_at FROM call_events ORDER BY id DESC LIMIT 1",
                           error);
  if (stmt == NULL)
    return NULL;
  step = nc_store_step (stmt, error);
  if (step == NC_STORE_STEP_ROW)
    *time = nc_store_column_int64 (stmt, 0);
  nc_store_reset (stmt);
  return step != NC_STORE_STEP_ERROR ? g_steal_pointer (&time) : NULL;
}

/**
 * nc_store_get_last_event_time_sync:
 * @out_time: (out): when the last webhook event was received, in microseconds of real
 *   time, or 0 when none ever was
 */
gboolean
nc_store_get_last_event_time_sync (NcStore  *self,
                                   gint64   *out_time,
                                   GError  **error)
{
  g_autofree gint64 *time = NULL;

  g_return_val_if_fail (NC_IS_STORE (self), FALSE);
  g_return_val_if_fail (out_time != NULL, FALSE);

  time = nc_store_submit_sync (self, NC_STORE_READER,
                               nc_store_job_new (last_event_time_job, NULL, NULL, g_free),
                               error);
  if (time == NULL)
    return FALSE;
  *out_time = *time;
  return TRUE;
}

/* ------------------------------------------------------------------------------------ */
/* Calls                                                                                 */

static gpointer
save_call_job (NcStoreConnection  *conn,
               gpointer            data,
               GError            **error)
{
  NcStoredCall *call = data;
  NcStoreStmt *stmt;

  /* What is not given is kept as it was. */
  stmt = nc_store_prepare (conn,
                           "INSERT INTO calls (pbx_call_id, client_id, match_rule, record_link, "
                           "record_expires) VALUES (?1, ?2, ?3, ?4, ?5) "
                           "ON CONFLICT (pbx_call_id) DO UPDATE SET "
                           "client_id = COALESCE (excluded.client_id, calls.client_id), "
                           "match_rule = COALESCE (excluded.match_rule, calls.match_rule), "
                           "record_link = COALESCE (excluded.record_link, calls.record_link), "
                           "record_expires = COALESCE (excluded.record_expires, "
                           "calls.record_expires)", error);
  if (stmt == NULL)
    return NULL;
  nc_store_bind_text (stmt, 1, call->pbx_call_id);
  if (call->client_id != 0)
    nc_store_bind_int64 (stmt, 2, call->client_id);
  else
    nc_store_bind_null (stmt, 2);
  nc_store_bind_text (stmt, 3, call->match_rule);
  nc_store_bind_text (stmt, 4, call->record_link);
  nc_store_bind_text (stmt, 5, call->record_expires);
  if (!nc_store_step_done (stmt, error))
    return NULL;

  /* A call's key is the PBX's, not a row id. */
  nc_store_mark_changed (conn, NC_STORE_CHANGE_CALLS, 0);
  return GINT_TO_POINTER (TRUE);
}

static NcStoredCall *
stored_call_copy (const NcStoredCall *call)
{
  NcStoredCall *copy = g_new0 (NcStoredCall, 1);

  copy->pbx_call_id = g_strdup (call->pbx_call_id);
  copy->client_id = call->client_id;
  copy->match_rule = g_strdup (call->match_rule);
  copy->record_link = g_strdup (call->record_link);
  copy->record_expires = g_strdup (call->record_expires);
  return copy;
}

static NcStoreJob *
save_call_job_new (const NcStoredCall *call)
{
  return nc_store_job_new (save_call_job, stored_call_copy (call),
                           (GDestroyNotify) nc_stored_call_free, NULL);
}

/**
 * nc_store_save_call_sync:
 * @call: the call's client, or its recording; %NULL or 0 members keep what is stored
 */
gboolean
nc_store_save_call_sync (NcStore             *self,
                         const NcStoredCall  *call,
                         GError             **error)
{
  g_return_val_if_fail (NC_IS_STORE (self), FALSE);
  g_return_val_if_fail (call != NULL && call->pbx_call_id != NULL, FALSE);

  return nc_store_submit_sync (self, NC_STORE_WRITER, save_call_job_new (call), error) != NULL;
}

void
nc_store_save_call_async (NcStore             *self,
                          const NcStoredCall  *call,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_return_if_fail (NC_IS_STORE (self));
  g_return_if_fail (call != NULL && call->pbx_call_id != NULL);

  nc_store_submit_async (self, NC_STORE_WRITER, save_call_job_new (call),
                         nc_store_save_call_async, cancellable, callback, user_data);
}

gboolean
nc_store_save_call_finish (NcStore       *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  return nc_store_write_finish (self, result, nc_store_save_call_async, error);
}

static gpointer
list_calls_job (NcStoreConnection  *conn,
                gpointer            data,
                GError            **error)
{
  g_autoptr(GPtrArray) calls = g_ptr_array_new_with_free_func ((GDestroyNotify) nc_stored_call_free);
  NcStoreStmt *stmt;
  NcStoreStep step;

  stmt = nc_store_prepare (conn,
                           "SELECT pbx_call_id, client_id, match_rule, record_link, "
                           "record_expires FROM calls ORDER BY pbx_call_id", error);
  if (stmt == NULL)
    return NULL;
  while ((step = nc_store_step (stmt, error)) == NC_STORE_STEP_ROW)
    {
      NcStoredCall *call = g_new0 (NcStoredCall, 1);

      call->pbx_call_id = g_strdup (nc_store_column_text (stmt, 0));
      call->client_id = nc_store_column_is_null (stmt, 1) ? 0 : nc_store_column_int64 (stmt, 1);
      call->match_rule = g_strdup (nc_store_column_text (stmt, 2));
      call->record_link = g_strdup (nc_store_column_text (stmt, 3));
      call->record_expires = g_strdup (nc_store_column_text (stmt, 4));
      g_ptr_array_add (calls, call);
    }
  nc_store_reset (stmt);
  return step == NC_STORE_STEP_DONE ? g_steal_pointer (&calls) : NULL;
}

/**
 * nc_store_list_calls_sync:
 *
 * Returns: (transfer full) (element-type NcStoredCall): what is stored of the calls
 */
GPtrArray *
nc_store_list_calls_sync (NcStore  *self,
                          GError  **error)
{
  g_return_val_if_fail (NC_IS_STORE (self), NULL);

  return nc_store_submit_sync (self, NC_STORE_READER,
                               nc_store_job_new (list_calls_job, NULL, NULL,
                                                 (GDestroyNotify) g_ptr_array_unref),
                               error);
}
