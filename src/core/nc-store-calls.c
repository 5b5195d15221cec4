/* nc-store-calls.c — the store's webhook events, and the calls they make
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An event is acknowledged to the PBX only once its batch is committed (nc-store.c); a
 * replay, the same type with every field equal, stores nothing. The events stay as they
 * came, the audit trail; each one is also merged into its call's row
 * (nc_call_record_apply_event()) in the same savepoint, so that the journal, the live calls
 * and the recordings are read from rows and never from a replay of the history.
 *
 * A call's row, read and written, is in nc-store-call-rows.c; what it goes through later is
 * in files of its own: its recording (nc-store-recordings.c) and the callback request it
 * answers (nc-store-callbacks.c).
 */

#define G_LOG_DOMAIN "nc-store"

#include "config.h"

#include <glib/gi18n.h>

#include "nc-call-event.h"
#include "nc-phone.h"
#include "nc-store-private.h"

/* What add_call_event_job answers. */
enum
{
  EVENT_STORED = 1,
  EVENT_REPLAYED,
};

/* Calls older than this when a version-2 store is upgraded are not asked for their
 * recordings: the PBX is unlikely to keep them. Opening one asks for it all the same. */
#define MIGRATED_RECORDING_HORIZON_SECONDS (2 * 24 * 60 * 60)

/* ------------------------------------------------------------------------------------ */
/* Events                                                                                */

/* Merges one event into its call's row: the writer's part of every stored event. A
 * @client_id the listener matched the caller to (0: none) becomes the call's client,
 * unless it has one. */
static gboolean
merge_event (NcStoreConnection  *conn,
             const char         *event_type,
             GHashTable         *fields,
             gint64              received_at_us,
             gint64              client_id,
             const char         *match_rule,
             GError            **error)
{
  const char *pbx_call_id = g_hash_table_lookup (fields, "pbx_call_id");
  g_autoptr(NcCallRecord) record = NULL;
  g_autoptr(NcCallRecord) before = NULL;
  g_autoptr(GError) read_error = NULL;
  gboolean first_out_start;
  gboolean matched = FALSE;
  gint64 last_event_us;

  /* An event of no call (NOTIFY_IVR without an id, say) is kept as an event only. */
  if (pbx_call_id == NULL || *pbx_call_id == '\0')
    return TRUE;

  record = nc_store_read_call_by_pbx_id (conn, pbx_call_id, &read_error);
  if (read_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&read_error));
      return FALSE;
    }
  if (record == NULL)
    record = nc_call_record_new (pbx_call_id);
  else
    before = nc_call_record_copy (record);

  if (client_id != 0 && record->client_id == 0)
    {
      record->client_id = client_id;
      g_free (record->match_rule);
      record->match_rule = g_strdup (match_rule);
      matched = TRUE;
    }
  last_event_us = record->last_event_us;
  first_out_start = g_strcmp0 (event_type, "NOTIFY_OUT_START") == 0 &&
                    !nc_call_record_had_event (record, NC_EVENT_OUT_START);
  if (!nc_call_record_apply_event (record, event_type, fields, received_at_us) &&
      record->last_event_us == last_event_us && record->id != 0 && !matched)
    return TRUE;

  return nc_store_tie_callback (conn, record, first_out_start, received_at_us, error) &&
         nc_store_update_call (conn, before, record, error) &&
         /* A link that came before the match goes to the client now. */
         (!matched || nc_store_write_record_link_variable (conn, record, error));
}

/* One webhook event on its way to the writer. */
typedef struct
{
  char   *event_type;
  char   *fields;
  gint64  received_at;
  gint64  client_id;
  char   *match_rule;
} AddEvent;

static void
add_event_free (AddEvent *event)
{
  g_free (event->event_type);
  g_free (event->fields);
  g_free (event->match_rule);
  g_free (event);
}

static gpointer
add_call_event_job (NcStoreConnection  *conn,
                    gpointer            data,
                    GError            **error)
{
  AddEvent *event = data;
  g_autofree char *message = g_strconcat (event->event_type, "\n", event->fields, NULL);
  g_autofree char *digest = NULL;
  g_autoptr(NcCallEvent) parsed = NULL;
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

  parsed = nc_call_event_new_from_canonical (event->event_type, event->fields,
                                             event->received_at);
  if (!merge_event (conn, event->event_type, nc_call_event_get_fields (parsed),
                    event->received_at, event->client_id, event->match_rule, error))
    return NULL;
  return GINT_TO_POINTER (EVENT_STORED);
}

void
nc_stored_event_free (NcStoredEvent *event)
{
  if (event == NULL)
    return;
  g_free (event->event_type);
  g_free (event->fields);
  g_free (event);
}

static void
add_call_event (NcStore             *self,
                const char          *event_type,
                const char          *canonical_fields,
                gint64               received_at_unix_us,
                gint64               client_id,
                const char          *match_rule,
                GCancellable        *cancellable,
                GAsyncReadyCallback  callback,
                gpointer             user_data)
{
  AddEvent *event = g_new0 (AddEvent, 1);

  event->event_type = g_strdup (event_type);
  event->fields = g_strdup (canonical_fields);
  event->received_at = received_at_unix_us;
  event->client_id = client_id;
  event->match_rule = g_strdup (match_rule);
  nc_store_submit_async (self, NC_STORE_WRITER,
                         nc_store_job_new (add_call_event_job, event,
                                           (GDestroyNotify) add_event_free, NULL),
                         nc_store_add_call_event_async, cancellable, callback, user_data);
}

/**
 * nc_store_add_call_event_async:
 * @canonical_fields: every field of the event, in a deterministic form
 *
 * Stores one verified webhook event and merges it into its call. Events that arrive
 * together share one transaction; the callback runs only once it is committed (or refused
 * as a replay).
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
  g_return_if_fail (NC_IS_STORE (self));

  add_call_event (self, event_type, canonical_fields, received_at_unix_us, 0, NULL,
                  cancellable, callback, user_data);
}

/**
 * nc_store_add_matched_call_event_async:
 * @client_id: the client the listener matched the caller to
 * @match_rule: nc_match_rule_to_string(): how
 *
 * nc_store_add_call_event_async() for an event whose caller is matched already: its call
 * keeps @client_id, in the same transaction, unless it has a client. Finished by
 * nc_store_add_call_event_finish().
 */
void
nc_store_add_matched_call_event_async (NcStore             *self,
                                       const char          *event_type,
                                       const char          *canonical_fields,
                                       gint64               received_at_unix_us,
                                       gint64               client_id,
                                       const char          *match_rule,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_return_if_fail (NC_IS_STORE (self));
  g_return_if_fail (client_id > 0);

  add_call_event (self, event_type, canonical_fields, received_at_unix_us, client_id,
                  match_rule, cancellable, callback, user_data);
}

gboolean
nc_store_add_call_event_finish (NcStore       *self,
                                GAsyncResult  *result,
                                gboolean      *out_inserted,
                                GError       **error)
{
  gpointer outcome = nc_store_pointer_finish (self, result, nc_store_add_call_event_async,
                                              error);

  if (outcome == NULL)
    return FALSE;
  if (out_inserted != NULL)
    *out_inserted = GPOINTER_TO_INT (outcome) == EVENT_STORED;
  return TRUE;
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
/* The upgrade from version 2                                                            */

/* Version 2 kept the events and, per call, only its client and recording link: each
 * event is merged into its call's row as the writer does now, one event at a time (the
 * memory it takes does not grow with the history), then what version 2 kept is copied
 * onto the rows. */
gboolean
nc_store_calls_fill_v3 (NcStoreConnection  *conn,
                        GError            **error)
{
  gint64 horizon = g_get_real_time () / G_USEC_PER_SEC - MIGRATED_RECORDING_HORIZON_SECONDS;
  NcStoreStmt *events, *stmt;
  NcStoreStep step;

  events = nc_store_prepare (conn,
                             "SELECT event_type, fields, received_at FROM call_events "
                             "ORDER BY id", error);
  if (events == NULL)
    return FALSE;
  while ((step = nc_store_step (events, error)) == NC_STORE_STEP_ROW)
    {
      g_autoptr(NcCallEvent) event =
        nc_call_event_new_from_canonical (nc_store_column_text (events, 0),
                                          nc_store_column_text (events, 1),
                                          nc_store_column_int64 (events, 2));

      if (!merge_event (conn, nc_call_event_get_event_type (event),
                        nc_call_event_get_fields (event),
                        nc_call_event_get_received_at (event), 0, NULL, error))
        {
          nc_store_reset (events);
          return FALSE;
        }
    }
  nc_store_reset (events);
  if (step == NC_STORE_STEP_ERROR)
    return FALSE;

  stmt = nc_store_prepare (conn,
                           "UPDATE calls SET client_id = v.client_id, match_rule = v.match_rule, "
                           "record_link = v.record_link, record_expires = v.record_expires, "
                           "recording = CASE WHEN v.record_link IS NOT NULL THEN 2 "
                           "ELSE calls.recording END "
                           "FROM calls_v2 AS v WHERE v.pbx_call_id = calls.pbx_call_id", error);
  if (stmt == NULL || !nc_store_step_done (stmt, error))
    return FALSE;

  /* Recordings that version 2 never fetched: the recent ones are asked for again. */
  stmt = nc_store_prepare (conn,
                           "UPDATE calls SET recording = 3 WHERE recording = 1 AND "
                           "last_event_us < ?1", error);
  if (stmt == NULL)
    return FALSE;
  nc_store_bind_int64 (stmt, 1, horizon * G_USEC_PER_SEC);
  if (!nc_store_step_done (stmt, error))
    return FALSE;

  return conn->backend->exec (conn, "DROP TABLE calls_v2;", error);
}

/* Version 7: the calls kept so far, client by client in the order they began, go through
 * the writer's rule once (nc-store-missed.c), as if each had just been written. */
gboolean
nc_store_missed_fill_v7 (NcStoreConnection  *conn,
                         GError            **error)
{
  NcStoreStmt *stmt = nc_store_prepare (conn,
                                        "SELECT " NC_STORE_CALL_COLUMNS NC_STORE_CALL_FROM
                                        "WHERE c.client_id IS NOT NULL AND c.state = 2 "
                                        "ORDER BY c.client_id, c.started_unix, c.id", error);
  NcStoreStep step;

  if (stmt == NULL)
    return FALSE;
  while ((step = nc_store_step (stmt, error)) == NC_STORE_STEP_ROW)
    {
      g_autoptr(NcCallRecord) record = nc_store_read_call_row (stmt);

      if (!nc_store_missed_call_ended (conn, NULL, record, error))
        {
          nc_store_reset (stmt);
          return FALSE;
        }
    }
  nc_store_reset (stmt);
  return step != NC_STORE_STEP_ERROR;
}

/* ------------------------------------------------------------------------------------ */
/* Clients of calls, stuck calls, recovered calls                                        */

typedef struct
{
  gint64  call_id;
  gint64  client_id;
  char   *match_rule;
} SetClient;

static void
set_client_free (SetClient *set)
{
  g_free (set->match_rule);
  g_free (set);
}

static gpointer
set_call_client_job (NcStoreConnection  *conn,
                     gpointer            data,
                     GError            **error)
{
  SetClient *set = data;
  g_autoptr(NcCallRecord) record = nc_store_read_call (conn, set->call_id, error);
  g_autoptr(NcCallRecord) before = NULL;

  if (record == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, NC_STORE_ERROR, NC_STORE_ERROR_NOT_FOUND,
                     _("There is no call %lld"), (long long) set->call_id);
      return NULL;
    }

  /* What the call was: whether it ends a wait or opens one depends on it. */
  before = nc_call_record_copy (record);
  record->client_id = set->client_id;
  g_free (record->match_rule);
  record->match_rule = g_strdup (set->match_rule);
  if (!nc_store_update_call (conn, before, record, error))
    return NULL;

  /* A link that came before the match goes to the client now. */
  if (!nc_store_write_record_link_variable (conn, record, error))
    return NULL;
  return GINT_TO_POINTER (TRUE);
}

static NcStoreJob *
set_call_client_job_new (gint64      call_id,
                         gint64      client_id,
                         const char *match_rule)
{
  SetClient *set = g_new0 (SetClient, 1);

  set->call_id = call_id;
  set->client_id = client_id;
  set->match_rule = g_strdup (match_rule);
  return nc_store_job_new (set_call_client_job, set, (GDestroyNotify) set_client_free, NULL);
}

/**
 * nc_store_set_call_client_sync:
 * @match_rule: nc_match_rule_to_string(): how the client was found
 *
 * Keeps which client a call is with; a recording link the call already has goes into the
 * client's variable zadarma_record_link.
 */
gboolean
nc_store_set_call_client_sync (NcStore     *self,
                               gint64       call_id,
                               gint64       client_id,
                               const char  *match_rule,
                               GError     **error)
{
  g_return_val_if_fail (NC_IS_STORE (self), FALSE);

  return nc_store_submit_sync (self, NC_STORE_WRITER,
                               set_call_client_job_new (call_id, client_id, match_rule),
                               error) != NULL;
}

void
nc_store_set_call_client_async (NcStore             *self,
                                gint64               call_id,
                                gint64               client_id,
                                const char          *match_rule,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (NC_IS_STORE (self));

  nc_store_submit_async (self, NC_STORE_WRITER,
                         set_call_client_job_new (call_id, client_id, match_rule),
                         nc_store_set_call_client_async, cancellable, callback, user_data);
}

gboolean
nc_store_set_call_client_finish (NcStore       *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return nc_store_write_finish (self, result, nc_store_set_call_client_async, error);
}

static gpointer
close_stuck_calls_job (NcStoreConnection  *conn,
                       gpointer            data,
                       GError            **error)
{
  gint64 quiet_since = *(gint64 *) data;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  NcStoreStmt *stmt;

  stmt = nc_store_prepare (conn,
                           "SELECT id FROM calls WHERE state < 2 AND started_at IS NOT NULL AND "
                           "last_event_us < ?1", error);
  if (stmt == NULL)
    return NULL;
  nc_store_bind_int64 (stmt, 1, quiet_since);
  if (!nc_store_collect_ids (stmt, ids, error))
    return NULL;

  stmt = nc_store_prepare (conn,
                           "UPDATE calls SET state = 2, unended = 1, ended_seen_us = "
                           "last_event_us WHERE id = ?1", error);
  if (stmt == NULL)
    return NULL;
  for (guint i = 0; i < ids->len; i++)
    {
      gint64 id = g_array_index (ids, gint64, i);

      nc_store_bind_int64 (stmt, 1, id);
      if (!nc_store_step_done (stmt, error))
        return NULL;
      nc_store_mark_changed (conn, NC_STORE_CHANGE_CALLS, id);
    }
  return g_memdup2 (&ids->len, sizeof ids->len);
}

/**
 * nc_store_close_stuck_calls_sync:
 * @quiet_since_us: real time, in microseconds
 *
 * A call not over whose last event came before @quiet_since_us is taken for over: the
 * PBX never reported its end ("no end reported"). Its end, if it comes after all, still
 * ends it.
 *
 * Returns: how many calls were closed
 */
guint
nc_store_close_stuck_calls_sync (NcStore  *self,
                                 gint64    quiet_since_us,
                                 GError  **error)
{
  g_autofree guint *closed = NULL;

  g_return_val_if_fail (NC_IS_STORE (self), 0);

  closed = nc_store_submit_sync (self, NC_STORE_WRITER,
                                 nc_store_job_new (close_stuck_calls_job,
                                                   g_memdup2 (&quiet_since_us,
                                                              sizeof quiet_since_us),
                                                   g_free, g_free), error);
  return closed != NULL ? *closed : 0;
}

static gpointer
add_recovered_calls_job (NcStoreConnection  *conn,
                         gpointer            data,
                         GError            **error)
{
  GPtrArray *records = data;
  guint added = 0;

  for (guint i = 0; i < records->len; i++)
    {
      g_autoptr(NcCallRecord) record = nc_call_record_copy (records->pdata[i]);
      g_autoptr(NcCallRecord) known = NULL;
      g_autoptr(GError) read_error = NULL;

      /* A call the webhooks delivered is kept as they made it. */
      known = nc_store_read_call_by_pbx_id (conn, record->pbx_call_id, &read_error);
      if (read_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&read_error));
          return NULL;
        }
      if (known != NULL)
        continue;

      record->id = 0;
      record->recovered = TRUE;
      if (!nc_store_write_call (conn, record, error))
        return NULL;
      added++;
    }
  return g_memdup2 (&added, sizeof added);
}

/**
 * nc_store_add_recovered_calls_sync:
 * @records: (element-type NcCallRecord): calls read from the PBX's statistics
 *
 * Adds the calls that are not known yet, marked as recovered; a call already known (its
 * webhooks came) is left as it is.
 *
 * Returns: how many were added
 */
guint
nc_store_add_recovered_calls_sync (NcStore    *self,
                                   GPtrArray  *records,
                                   GError    **error)
{
  g_autoptr(GPtrArray) copy = g_ptr_array_new_with_free_func ((GDestroyNotify) nc_call_record_free);
  g_autofree guint *added = NULL;

  g_return_val_if_fail (NC_IS_STORE (self), 0);

  for (guint i = 0; i < records->len; i++)
    g_ptr_array_add (copy, nc_call_record_copy (records->pdata[i]));
  added = nc_store_submit_sync (self, NC_STORE_WRITER,
                                nc_store_job_new (add_recovered_calls_job,
                                                  g_steal_pointer (&copy),
                                                  (GDestroyNotify) g_ptr_array_unref, g_free),
                                error);
  return added != NULL ? *added : 0;
}
