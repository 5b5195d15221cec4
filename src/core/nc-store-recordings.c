/* nc-store-recordings.c — the links of the calls' recordings, as they are asked for
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A recorded call's link is pending, fetched or failed, with when to ask next: the call
 * service takes the due ones for a while (a lease, so that another taker, or this one
 * after a crash, asks only once it is over), and keeps what came of each. A link that
 * came goes into the client's variable zadarma_record_link too.
 */

#define G_LOG_DOMAIN "nc-store"

#include "config.h"

#include <glib/gi18n.h>

#include "nc-store-private.h"

typedef struct
{
  gint64  now;
  guint   limit;
  guint   lease;
} TakeDue;

typedef struct
{
  GPtrArray *records;
  gint64     next_due;
} Due;

static void
due_free (Due *due)
{
  g_clear_pointer (&due->records, g_ptr_array_unref);
  g_free (due);
}

static gpointer
take_due_job (NcStoreConnection  *conn,
              gpointer            data,
              GError            **error)
{
  TakeDue *take = data;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  Due *due = g_new0 (Due, 1);
  NcStoreStmt *stmt;
  NcStoreStep step;

  due->records = g_ptr_array_new_with_free_func ((GDestroyNotify) nc_call_record_free);
  stmt = nc_store_prepare (conn,
                           "SELECT id FROM calls WHERE recording = 1 AND record_next_try <= ?1 "
                           "ORDER BY record_next_try LIMIT ?2", error);
  if (stmt == NULL)
    goto failed;
  nc_store_bind_int64 (stmt, 1, take->now);
  nc_store_bind_int64 (stmt, 2, take->limit);
  if (!nc_store_collect_ids (stmt, ids, error))
    goto failed;

  /* Taken for a while: another fetcher, or this one after a crash, asks once it is over. */
  stmt = nc_store_prepare (conn, "UPDATE calls SET record_next_try = ?2 WHERE id = ?1", error);
  if (stmt == NULL)
    goto failed;
  for (guint i = 0; i < ids->len; i++)
    {
      NcCallRecord *record;

      nc_store_bind_int64 (stmt, 1, g_array_index (ids, gint64, i));
      nc_store_bind_int64 (stmt, 2, take->now + take->lease);
      if (!nc_store_step_done (stmt, error))
        goto failed;
      record = nc_store_read_call (conn, g_array_index (ids, gint64, i), error);
      if (record == NULL)
        goto failed;
      g_ptr_array_add (due->records, record);
    }

  stmt = nc_store_prepare (conn,
                           "SELECT MIN(record_next_try) FROM calls WHERE recording = 1", error);
  if (stmt == NULL)
    goto failed;
  step = nc_store_step (stmt, error);
  if (step == NC_STORE_STEP_ROW && !nc_store_column_is_null (stmt, 0))
    due->next_due = nc_store_column_int64 (stmt, 0);
  nc_store_reset (stmt);
  if (step == NC_STORE_STEP_ERROR)
    goto failed;
  return due;

failed:
  due_free (due);
  return NULL;
}

/**
 * nc_store_take_due_recordings_sync:
 * @now: Unix seconds
 * @lease_seconds: how long the calls taken are kept from every other taker
 * @out_next_due: (out): when the next pending recording is due (Unix seconds), 0 if none
 *
 * Returns: (transfer full) (element-type NcCallRecord): the recorded calls whose link is
 *   due to be asked for, oldest due first
 */
GPtrArray *
nc_store_take_due_recordings_sync (NcStore  *self,
                                   gint64    now,
                                   guint     limit,
                                   guint     lease_seconds,
                                   gint64   *out_next_due,
                                   GError  **error)
{
  TakeDue *take = g_new0 (TakeDue, 1);
  Due *due;
  GPtrArray *records;

  g_return_val_if_fail (NC_IS_STORE (self), NULL);

  take->now = now;
  take->limit = limit;
  take->lease = lease_seconds;
  due = nc_store_submit_sync (self, NC_STORE_WRITER,
                              nc_store_job_new (take_due_job, take, g_free,
                                                (GDestroyNotify) due_free), error);
  if (due == NULL)
    return NULL;
  if (out_next_due != NULL)
    *out_next_due = due->next_due;
  records = g_steal_pointer (&due->records);
  due_free (due);
  return records;
}

typedef struct
{
  gint64    call_id;
  char     *link;
  char     *expires;
  gint64    next_try;
  gboolean  count_attempt;
  guint     give_up_after;
  gboolean  wanted;
} Recording;

static void
recording_free (Recording *recording)
{
  g_free (recording->link);
  g_free (recording->expires);
  g_free (recording);
}

static gpointer
recording_job (NcStoreConnection  *conn,
               gpointer            data,
               GError            **error)
{
  Recording *change = data;
  g_autoptr(NcCallRecord) record = nc_store_read_call (conn, change->call_id, error);

  if (record == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, NC_STORE_ERROR, NC_STORE_ERROR_NOT_FOUND,
                     _("There is no call %lld"), (long long) change->call_id);
      return NULL;
    }

  if (change->link != NULL)
    {
      record->recording = NC_RECORDING_FETCHED;
      g_free (record->record_link);
      record->record_link = g_strdup (change->link);
      g_free (record->record_expires);
      record->record_expires = g_strdup (change->expires);
      record->record_attempts = 0;
      record->record_next_try = 0;
    }
  else if (change->wanted)
    {
      /* Someone opened it: asked for now, whatever came before. */
      if (record->call_id_with_rec == NULL)
        return GINT_TO_POINTER (TRUE);
      record->recording = NC_RECORDING_PENDING;
      record->record_next_try = 0;
    }
  else if (record->recording == NC_RECORDING_FETCHED || record->recording == NC_RECORDING_NONE)
    {
      /* The link came meanwhile (someone opened it while a round asked), or an expired
       * link could not be had again: what the call has stays. */
      return GINT_TO_POINTER (TRUE);
    }
  else
    {
      if (change->count_attempt)
        record->record_attempts++;
      record->record_next_try = change->next_try;
      if (change->give_up_after > 0 && record->record_attempts >= change->give_up_after)
        record->recording = NC_RECORDING_FAILED;
    }

  if (!nc_store_write_call (conn, record, error))
    return NULL;
  if (change->link != NULL && !nc_store_write_record_link_variable (conn, record, error))
    return NULL;
  return GINT_TO_POINTER (TRUE);
}

static gboolean
change_recording (NcStore    *self,
                  Recording  *change,
                  GError    **error)
{
  return nc_store_submit_sync (self, NC_STORE_WRITER,
                               nc_store_job_new (recording_job, change,
                                                 (GDestroyNotify) recording_free, NULL),
                               error) != NULL;
}

/**
 * nc_store_recording_fetched_sync:
 *
 * Keeps the link of a call's recording on the call and in its client's variable
 * zadarma_record_link.
 */
gboolean
nc_store_recording_fetched_sync (NcStore     *self,
                                 gint64       call_id,
                                 const char  *link,
                                 const char  *expires,
                                 GError     **error)
{
  Recording *change = g_new0 (Recording, 1);

  g_return_val_if_fail (NC_IS_STORE (self), FALSE);
  g_return_val_if_fail (link != NULL, FALSE);

  change->call_id = call_id;
  change->link = g_strdup (link);
  change->expires = g_strdup (expires);
  return change_recording (self, change, error);
}

/**
 * nc_store_recording_retry_sync:
 * @next_try: Unix seconds
 * @count_attempt: whether this was a failed attempt (%FALSE: it was only put off, waiting
 *   for the request budget, say)
 * @give_up_after: after this many failed attempts the recording is failed: asked for again
 *   only when someone opens it (0: never)
 */
gboolean
nc_store_recording_retry_sync (NcStore   *self,
                               gint64     call_id,
                               gint64     next_try,
                               gboolean   count_attempt,
                               guint      give_up_after,
                               GError   **error)
{
  Recording *change = g_new0 (Recording, 1);

  g_return_val_if_fail (NC_IS_STORE (self), FALSE);

  change->call_id = call_id;
  change->next_try = next_try;
  change->count_attempt = count_attempt;
  change->give_up_after = give_up_after;
  return change_recording (self, change, error);
}

/**
 * nc_store_recording_wanted_sync:
 *
 * Someone wants the recording (its link expired, or was never had): it is due at once.
 */
gboolean
nc_store_recording_wanted_sync (NcStore  *self,
                                gint64    call_id,
                                GError  **error)
{
  Recording *change = g_new0 (Recording, 1);

  g_return_val_if_fail (NC_IS_STORE (self), FALSE);

  change->call_id = call_id;
  change->wanted = TRUE;
  return change_recording (self, change, error);
}
