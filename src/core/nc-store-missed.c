/* nc-store-missed.c — the clients to call back: one row per client, kept as calls end
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The Missed view never scans the calls. The writer keeps one row per client in
 * missed_calls, in the savepoint of the write that ends a call or gives an ended call
 * its client (nc_store_missed_call_ended(), from nc_store_update_call()): an unanswered
 * incoming call opens a wait or counts into it, an answered call either way ends it. A
 * row stays once the client is reached or the wait is closed by hand, with the time of
 * that: a call that arrives late (recovered from the PBX's statistics, matched to its
 * client afterwards) and began before it changes nothing, whatever the order in which
 * the store hears of the calls. Reading the waiting clients is a page of the partial
 * index on the waiting rows, whose cost follows what is shown, not the history.
 *
 * Claims and closes change the row, and log NC_STORE_CHANGE_MISSED: every desk hears of
 * them through the change feed, as of the calls.
 */

#define G_LOG_DOMAIN "nc-store"

#include "config.h"

#include <glib/gi18n.h>

#include "nc-missed.h"
#include "nc-store-private.h"

NcMissedCall *
nc_missed_call_copy (const NcMissedCall *missed)
{
  NcMissedCall *copy = g_memdup2 (missed, sizeof *missed);

  copy->client_name = g_strdup (missed->client_name);
  copy->number = g_strdup (missed->number);
  copy->claimed_by = g_strdup (missed->claimed_by);
  copy->closed_by = g_strdup (missed->closed_by);
  copy->closed_reason = g_strdup (missed->closed_reason);
  return copy;
}

void
nc_missed_call_free (NcMissedCall *missed)
{
  if (missed == NULL)
    return;
  g_free (missed->client_name);
  g_free (missed->number);
  g_free (missed->claimed_by);
  g_free (missed->closed_by);
  g_free (missed->closed_reason);
  g_free (missed);
}

/**
 * nc_missed_wait_level:
 * @short_minutes: the first target (green below it)
 * @long_minutes: the second (amber below it, red beyond)
 */
NcMissedWait
nc_missed_wait_level (gint64 waited_us,
                      guint  short_minutes,
                      guint  long_minutes)
{
  gint64 minutes = waited_us / (60 * G_USEC_PER_SEC);

  if (minutes < short_minutes)
    return NC_MISSED_WAIT_SHORT;
  if (minutes < long_minutes)
    return NC_MISSED_WAIT_LONG;
  return NC_MISSED_WAIT_OVER;
}

/**
 * nc_missed_format_wait:
 *
 * Returns: how long a client has waited, for people: "under a minute", "12 min",
 *   "1 h 5 min", "3 d 2 h"
 */
char *
nc_missed_format_wait (gint64 waited_us)
{
  gint64 minutes = MAX (waited_us, 0) / (60 * G_USEC_PER_SEC);
  gint64 hours = minutes / 60;
  gint64 days = hours / 24;

  if (minutes < 1)
    return g_strdup (_("under a minute"));
  if (hours < 1)
    /* Translators: a wait, in minutes */
    return g_strdup_printf (_("%d min"), (int) minutes);
  if (days < 1)
    /* Translators: a wait, in hours and minutes */
    return g_strdup_printf (_("%d h %d min"), (int) hours, (int) (minutes % 60));
  /* Translators: a wait, in days and hours */
  return g_strdup_printf (_("%d d %d h"), (int) MIN (days, G_MAXINT), (int) (hours % 24));
}

/* ------------------------------------------------------------------------------------ */
/* The writer's part                                                                     */

/* When a call happened, on the clock the waits are measured with: our own at its first
 * event; a call known only from the PBX's statistics has the PBX's start. */
static gint64
call_time_us (const NcCallRecord *record)
{
  return record->first_seen_us != 0 ? record->first_seen_us
                                    : record->started_unix * G_USEC_PER_SEC;
}

static gboolean
counts (const NcCallRecord *record)
{
  return record != NULL && record->client_id != 0 && record->state == NC_CALL_STATE_ENDED &&
         !record->unended;
}

typedef struct
{
  gboolean       found;
  NcMissedState  state;
  gint64         first_us;
  gint64         last_us;
  gint64         count;
  gint64         last_call_id;
  gint64         reached_us;
  gint64         closed_at_us;
  char          *number;
  char          *claimed_by;
  gint64         claimed_at_us;
  char          *closed_by;
  char          *closed_reason;
} Row;

static void
row_clear (Row *row)
{
  g_free (row->number);
  g_free (row->claimed_by);
  g_free (row->closed_by);
  g_free (row->closed_reason);
}

static gboolean
read_row (NcStoreConnection  *conn,
          gint64              client_id,
          Row                *row,
          GError            **error)
{
  NcStoreStmt *stmt = nc_store_prepare (conn,
                                        "SELECT state, first_missed_us, last_missed_us, "
                                        "missed_count, last_call_id, reached_us, closed_at_us, "
                                        "number, claimed_by, claimed_at_us, closed_by, "
                                        "closed_reason FROM missed_calls WHERE client_id = ?1",
                                        error);
  NcStoreStep step;

  if (stmt == NULL)
    return FALSE;
  nc_store_bind_int64 (stmt, 1, client_id);
  step = nc_store_step (stmt, error);
  if (step == NC_STORE_STEP_ROW)
    {
      row->found = TRUE;
      row->state = (NcMissedState) nc_store_column_int64 (stmt, 0);
      row->first_us = nc_store_column_int64 (stmt, 1);
      row->last_us = nc_store_column_int64 (stmt, 2);
      row->count = nc_store_column_int64 (stmt, 3);
      row->last_call_id = nc_store_column_int64 (stmt, 4);
      row->reached_us = nc_store_column_int64 (stmt, 5);
      row->closed_at_us = nc_store_column_int64 (stmt, 6);
      row->number = g_strdup (nc_store_column_text (stmt, 7));
      row->claimed_by = g_strdup (nc_store_column_text (stmt, 8));
      row->claimed_at_us = nc_store_column_int64 (stmt, 9);
      row->closed_by = g_strdup (nc_store_column_text (stmt, 10));
      row->closed_reason = g_strdup (nc_store_column_text (stmt, 11));
    }
  nc_store_reset (stmt);
  return step != NC_STORE_STEP_ERROR;
}

static void
bind_nullable (NcStoreStmt *stmt,
               int          index,
               const char  *text)
{
  if (text != NULL)
    nc_store_bind_text (stmt, index, text);
  else
    nc_store_bind_null (stmt, index);
}

static gboolean
write_row (NcStoreConnection  *conn,
           gint64              client_id,
           const Row          *row,
           GError            **error)
{
  NcStoreStmt *stmt = nc_store_prepare (conn,
                                        "INSERT INTO missed_calls (client_id, state, "
                                        "first_missed_us, last_missed_us, missed_count, "
                                        "last_call_id, reached_us, closed_at_us, number, "
                                        "claimed_by, claimed_at_us, closed_by, closed_reason) "
                                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
                                        "?12, ?13) ON CONFLICT (client_id) DO UPDATE SET "
                                        "state = excluded.state, "
                                        "first_missed_us = excluded.first_missed_us, "
                                        "last_missed_us = excluded.last_missed_us, "
                                        "missed_count = excluded.missed_count, "
                                        "last_call_id = excluded.last_call_id, "
                                        "reached_us = excluded.reached_us, "
                                        "closed_at_us = excluded.closed_at_us, "
                                        "number = excluded.number, "
                                        "claimed_by = excluded.claimed_by, "
                                        "claimed_at_us = excluded.claimed_at_us, "
                                        "closed_by = excluded.closed_by, "
                                        "closed_reason = excluded.closed_reason", error);

  if (stmt == NULL)
    return FALSE;
  nc_store_bind_int64 (stmt, 1, client_id);
  nc_store_bind_int64 (stmt, 2, row->state);
  nc_store_bind_int64 (stmt, 3, row->first_us);
  nc_store_bind_int64 (stmt, 4, row->last_us);
  nc_store_bind_int64 (stmt, 5, row->count);
  nc_store_bind_int64 (stmt, 6, row->last_call_id);
  nc_store_bind_int64 (stmt, 7, row->reached_us);
  nc_store_bind_int64 (stmt, 8, row->closed_at_us);
  bind_nullable (stmt, 9, row->number);
  bind_nullable (stmt, 10, row->claimed_by);
  nc_store_bind_int64 (stmt, 11, row->claimed_at_us);
  bind_nullable (stmt, 12, row->closed_by);
  bind_nullable (stmt, 13, row->closed_reason);
  if (!nc_store_step_done (stmt, error))
    return FALSE;
  nc_store_mark_changed (conn, NC_STORE_CHANGE_MISSED, client_id);
  return TRUE;
}

static void
clear_claim (Row *row)
{
  g_clear_pointer (&row->claimed_by, g_free);
  row->claimed_at_us = 0;
}

/* What one ended call of the client does to its row. */
static gboolean
apply_call (NcStoreConnection   *conn,
            const NcCallRecord  *record,
            GError             **error)
{
  gint64 at = call_time_us (record);
  Row row = { 0, };
  gboolean ok;

  if (!record->answered && !nc_call_record_is_missed (record))
    return TRUE;  /* an outgoing call nobody answered: the client is not reached yet */
  if (!read_row (conn, record->client_id, &row, error))
    {
      row_clear (&row);
      return FALSE;
    }

  if (record->answered)
    {
      /* A call that began before the last miss does not answer it. */
      if (!row.found || (row.state == NC_MISSED_WAITING && at >= row.last_us))
        {
          row.state = NC_MISSED_REACHED;
          clear_claim (&row);
        }
      else if (row.found && at <= row.reached_us)
        {
          row_clear (&row);
          return TRUE;
        }
      row.reached_us = MAX (row.reached_us, at);
    }
  else if (row.found && (record->id == row.last_call_id || at <= row.reached_us ||
                         (row.state == NC_MISSED_CLOSED && at <= row.closed_at_us)))
    {
      /* Counted already, or reached or closed after it. */
      row_clear (&row);
      return TRUE;
    }
  else if (row.found && row.state == NC_MISSED_WAITING)
    {
      row.count++;
      row.first_us = MIN (row.first_us, at);
      if (at >= row.last_us)
        {
          row.last_us = at;
          row.last_call_id = record->id;
          g_free (row.number);
          row.number = g_strdup (record->client_number);
        }
    }
  else
    {
      /* A new wait: whoever had the last one claimed, or closed it, does not have this. */
      row.state = NC_MISSED_WAITING;
      row.first_us = row.last_us = at;
      row.count = 1;
      row.last_call_id = record->id;
      g_free (row.number);
      row.number = g_strdup (record->client_number);
      clear_claim (&row);
      g_clear_pointer (&row.closed_by, g_free);
      g_clear_pointer (&row.closed_reason, g_free);
      row.closed_at_us = 0;
    }

  ok = write_row (conn, record->client_id, &row, error);
  row_clear (&row);
  return ok;
}

/**
 * nc_store_missed_call_ended:
 * @before: (nullable): the call's row before this write, %NULL for a new one
 *
 * On the writer, with every write of a call's row: once the call is over and has its
 * client (in either order), its client's missed_calls row learns of it.
 */
gboolean
nc_store_missed_call_ended (NcStoreConnection   *conn,
                            const NcCallRecord  *before,
                            const NcCallRecord  *record,
                            GError             **error)
{
  if (!counts (record) ||
      (counts (before) && before->client_id == record->client_id))
    return TRUE;
  return apply_call (conn, record, error);
}

/* ------------------------------------------------------------------------------------ */
/* Reading                                                                               */

#define MISSED_COLUMNS \
  "m.client_id, cl.name, COALESCE (cl.phone, m.number), m.state, m.first_missed_us, " \
  "m.last_missed_us, m.missed_count, m.claimed_by, m.claimed_at_us, m.closed_by, " \
  "m.closed_reason, m.closed_at_us "
#define MISSED_FROM "FROM missed_calls AS m JOIN clients AS cl ON cl.id = m.client_id "

static NcMissedCall *
missed_from_row (NcStoreStmt *stmt)
{
  NcMissedCall *missed = g_new0 (NcMissedCall, 1);

  missed->client_id = nc_store_column_int64 (stmt, 0);
  missed->client_name = g_strdup (nc_store_column_text (stmt, 1));
  missed->number = g_strdup (nc_store_column_text (stmt, 2));
  missed->state = (NcMissedState) nc_store_column_int64 (stmt, 3);
  missed->first_missed_us = nc_store_column_int64 (stmt, 4);
  missed->last_missed_us = nc_store_column_int64 (stmt, 5);
  missed->count = (guint) nc_store_column_int64 (stmt, 6);
  missed->claimed_by = g_strdup (nc_store_column_text (stmt, 7));
  missed->claimed_at_us = nc_store_column_int64 (stmt, 8);
  missed->closed_by = g_strdup (nc_store_column_text (stmt, 9));
  missed->closed_reason = g_strdup (nc_store_column_text (stmt, 10));
  missed->closed_at_us = nc_store_column_int64 (stmt, 11);
  return missed;
}

typedef struct
{
  gint64 after_us;
  gint64 after_client;
  guint  limit;
} ListMissed;

typedef struct
{
  GPtrArray *items;
  guint      count;
} MissedPage;

static void
missed_page_free (MissedPage *page)
{
  g_clear_pointer (&page->items, g_ptr_array_unref);
  g_free (page);
}

static gboolean
count_waiting (NcStoreConnection  *conn,
               guint              *out_count,
               GError            **error)
{
  NcStoreStmt *stmt = nc_store_prepare (conn,
                                        "SELECT COUNT (*) " MISSED_FROM "WHERE m.state = 0 AND"
                                        NC_STORE_CLIENT_SHOWN ("cl."), error);
  gint64 count;

  if (stmt == NULL || !nc_store_step_count (stmt, &count, error))
    return FALSE;
  *out_count = (guint) count;
  return TRUE;
}

static gpointer
list_missed_job (NcStoreConnection  *conn,
                 gpointer            data,
                 GError            **error)
{
  ListMissed *list = data;
  MissedPage *page = g_new0 (MissedPage, 1);
  NcStoreStmt *stmt;
  NcStoreStep step;

  page->items = g_ptr_array_new_with_free_func ((GDestroyNotify) nc_missed_call_free);
  stmt = nc_store_prepare (conn,
                           "SELECT " MISSED_COLUMNS MISSED_FROM
                           "WHERE m.state = 0 AND (m.first_missed_us > ?1 OR "
                           "(m.first_missed_us = ?1 AND m.client_id > ?2)) AND"
                           NC_STORE_CLIENT_SHOWN ("cl.")
                           "ORDER BY m.first_missed_us, m.client_id LIMIT ?3", error);
  if (stmt == NULL)
    {
      missed_page_free (page);
      return NULL;
    }
  nc_store_bind_int64 (stmt, 1, list->after_us);
  nc_store_bind_int64 (stmt, 2, list->after_client);
  nc_store_bind_int64 (stmt, 3, list->limit);
  while ((step = nc_store_step (stmt, error)) == NC_STORE_STEP_ROW)
    g_ptr_array_add (page->items, missed_from_row (stmt));
  nc_store_reset (stmt);
  if (step == NC_STORE_STEP_ERROR || !count_waiting (conn, &page->count, error))
    {
      missed_page_free (page);
      return NULL;
    }
  return page;
}

static NcStoreJob *
list_missed_job_new (gint64 after_us,
                     gint64 after_client,
                     guint  limit)
{
  ListMissed *list = g_new0 (ListMissed, 1);

  list->after_us = after_us;
  list->after_client = after_client;
  list->limit = limit;
  return nc_store_job_new (list_missed_job, list, g_free, (GDestroyNotify) missed_page_free);
}

static GPtrArray *
page_items (MissedPage *page,
            guint      *out_count)
{
  GPtrArray *items;

  if (page == NULL)
    return NULL;
  if (out_count != NULL)
    *out_count = page->count;
  items = g_steal_pointer (&page->items);
  missed_page_free (page);
  return items;
}

/**
 * nc_store_list_missed_sync:
 *
 * Returns: (transfer container) (element-type NcMissedCall): the waiting clients after
 *   (@after_us, @after_client), oldest wait first, at most @limit
 */
GPtrArray *
nc_store_list_missed_sync (NcStore  *self,
                           gint64    after_us,
                           gint64    after_client,
                           guint     limit,
                           GError  **error)
{
  g_return_val_if_fail (NC_IS_STORE (self), NULL);

  return page_items (nc_store_submit_sync (self, NC_STORE_READER,
                                           list_missed_job_new (after_us, after_client, limit),
                                           error), NULL);
}

void
nc_store_list_missed_async (NcStore             *self,
                            gint64               after_us,
                            gint64               after_client,
                            guint                limit,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (NC_IS_STORE (self));

  nc_store_submit_async (self, NC_STORE_READER,
                         list_missed_job_new (after_us, after_client, limit),
                         nc_store_list_missed_async, cancellable, callback, user_data);
}

/**
 * nc_store_list_missed_finish:
 * @out_count: (out) (optional): how many clients wait, in all
 */
GPtrArray *
nc_store_list_missed_finish (NcStore       *self,
                             GAsyncResult  *result,
                             guint         *out_count,
                             GError       **error)
{
  return page_items (nc_store_pointer_finish (self, result, nc_store_list_missed_async, error),
                     out_count);
}

static gpointer
count_missed_job (NcStoreConnection  *conn,
                  gpointer            data,
                  GError            **error)
{
  guint count = 0;

  if (!count_waiting (conn, &count, error))
    return NULL;
  return g_memdup2 (&count, sizeof count);
}

/**
 * nc_store_count_missed_sync:
 *
 * Returns: how many clients wait to be called back
 */
guint
nc_store_count_missed_sync (NcStore  *self,
                            GError  **error)
{
  g_autofree guint *count = NULL;

  g_return_val_if_fail (NC_IS_STORE (self), 0);

  count = nc_store_submit_sync (self, NC_STORE_READER,
                                nc_store_job_new (count_missed_job, NULL, NULL, g_free), error);
  return count != NULL ? *count : 0;
}

static gpointer
get_missed_job (NcStoreConnection  *conn,
                gpointer            data,
                GError            **error)
{
  NcStoreStmt *stmt = nc_store_prepare (conn,
                                        "SELECT " MISSED_COLUMNS MISSED_FROM
                                        "WHERE m.client_id = ?1", error);
  NcMissedCall *missed = NULL;
  NcStoreStep step;

  if (stmt == NULL)
    return NULL;
  nc_store_bind_int64 (stmt, 1, *(gint64 *) data);
  step = nc_store_step (stmt, error);
  if (step == NC_STORE_STEP_ROW)
    missed = missed_from_row (stmt);
  nc_store_reset (stmt);
  if (step == NC_STORE_STEP_ERROR)
    return NULL;
  /* None: an empty one, told apart by its client. */
  return missed != NULL ? missed : g_new0 (NcMissedCall, 1);
}

/**
 * nc_store_get_missed_sync:
 *
 * Returns: (transfer full) (nullable): where the missed calls of @client_id stand, in
 *   every state; %NULL with no error when it never missed one
 */
NcMissedCall *
nc_store_get_missed_sync (NcStore  *self,
                          gint64    client_id,
                          GError  **error)
{
  NcMissedCall *missed;

  g_return_val_if_fail (NC_IS_STORE (self), NULL);

  missed = nc_store_submit_sync (self, NC_STORE_READER,
                                 nc_store_job_new (get_missed_job,
                                                   g_memdup2 (&client_id, sizeof client_id),
                                                   g_free, (GDestroyNotify) nc_missed_call_free),
                                 error);
  if (missed != NULL && missed->client_id == 0)
    g_clear_pointer (&missed, nc_missed_call_free);
  return missed;
}

/* ------------------------------------------------------------------------------------ */
/* Claims and closes                                                                     */

typedef struct
{
  gint64    client_id;
  char     *who;
  char     *reason;   /* %NULL: a claim */
  gboolean  claim;
} Handle;

static void
handle_free (Handle *handle)
{
  g_free (handle->who);
  g_free (handle->reason);
  g_free (handle);
}

/* Why a claim or close changed nothing: the row says. */
static void
explain_refusal (NcStoreConnection  *conn,
                 const Handle       *handle,
                 GError            **error)
{
  Row row = { 0, };

  if (!read_row (conn, handle->client_id, &row, error))
    {
      row_clear (&row);
      return;
    }
  if (!row.found || row.state != NC_MISSED_WAITING)
    g_set_error (error, NC_STORE_ERROR, NC_STORE_ERROR_NOT_FOUND,
                 row.state == NC_MISSED_CLOSED ? _("This client’s missed calls were closed "
                                                  "meanwhile")
                                               : _("This client was reached meanwhile"));
  else
    /* Translators: the name of the employee who calls the client back */
    g_set_error (error, NC_STORE_ERROR, NC_STORE_ERROR_BUSY,
                 _("%s calls this client back already"), row.claimed_by);
  row_clear (&row);
}

static gpointer
handle_missed_job (NcStoreConnection  *conn,
                   gpointer            data,
                   GError            **error)
{
  Handle *handle = data;
  gint64 now = g_get_real_time ();
  NcStoreStmt *stmt;

  if (handle->reason != NULL)
    stmt = nc_store_prepare (conn,
                             "UPDATE missed_calls SET state = 2, closed_by = ?2, "
                             "closed_reason = ?3, closed_at_us = ?4, claimed_by = NULL, "
                             "claimed_at_us = 0 WHERE client_id = ?1 AND state = 0", error);
  else if (handle->claim)
    stmt = nc_store_prepare (conn,
                             "UPDATE missed_calls SET claimed_by = ?2, claimed_at_us = ?3 "
                             "WHERE client_id = ?1 AND state = 0 AND "
                             "(claimed_by IS NULL OR claimed_by = ?2)", error);
  else
    stmt = nc_store_prepare (conn,
                             "UPDATE missed_calls SET claimed_by = NULL, claimed_at_us = 0 "
                             "WHERE client_id = ?1 AND state = 0 AND claimed_by = ?2", error);
  if (stmt == NULL)
    return NULL;
  nc_store_bind_int64 (stmt, 1, handle->client_id);
  nc_store_bind_text (stmt, 2, handle->who);
  if (handle->reason != NULL)
    {
      nc_store_bind_text (stmt, 3, handle->reason);
      nc_store_bind_int64 (stmt, 4, now);
    }
  else if (handle->claim)
    nc_store_bind_int64 (stmt, 3, now);
  if (!nc_store_step_done (stmt, error))
    return NULL;

  if (nc_store_changes (conn) == 0)
    {
      /* Letting go of what one does not hold changes nothing, and is no failure. */
      if (handle->reason == NULL && !handle->claim)
        return GINT_TO_POINTER (TRUE);
      explain_refusal (conn, handle, error);
      return NULL;
    }
  nc_store_mark_changed (conn, NC_STORE_CHANGE_MISSED, handle->client_id);
  return GINT_TO_POINTER (TRUE);
}

static NcStoreJob *
handle_job_new (gint64      client_id,
                const char *who,
                const char *reason,
                gboolean    claim)
{
  Handle *handle = g_new0 (Handle, 1);

  handle->client_id = client_id;
  handle->who = g_strdup (who);
  handle->reason = g_strdup (reason);
  handle->claim = claim;
  return nc_store_job_new (handle_missed_job, handle, (GDestroyNotify) handle_free, NULL);
}

static gboolean
check_who (const char  *who,
           GError     **error)
{
  if (who != NULL && *who != '\0')
    return TRUE;
  g_set_error_literal (error, NC_STORE_ERROR, NC_STORE_ERROR_INVALID,
                       _("Choose who this console acts as first"));
  return FALSE;
}

static gboolean
check_reason (const char  *reason,
              GError     **error)
{
  g_autofree char *stripped = g_strstrip (g_strdup (reason != NULL ? reason : ""));

  if (*stripped != '\0')
    return TRUE;
  g_set_error_literal (error, NC_STORE_ERROR, NC_STORE_ERROR_INVALID,
                       _("Say why the missed calls are closed"));
  return FALSE;
}

/**
 * nc_store_claim_missed_sync:
 * @who: the employee, as people know them
 * @claim: %TRUE to take the callback, %FALSE to let it go
 *
 * Takes a waiting client's callback for @who, so that no other desk calls them back too:
 * fails with %NC_STORE_ERROR_BUSY when someone else has it, %NC_STORE_ERROR_NOT_FOUND when
 * the client no longer waits.
 */
gboolean
nc_store_claim_missed_sync (NcStore     *self,
                            gint64       client_id,
                            const char  *who,
                            gboolean     claim,
                            GError     **error)
{
  g_return_val_if_fail (NC_IS_STORE (self), FALSE);

  if (!check_who (who, error))
    return FALSE;
  return nc_store_submit_sync (self, NC_STORE_WRITER,
                               handle_job_new (client_id, who, NULL, claim), error) != NULL;
}

void
nc_store_claim_missed_async (NcStore             *self,
                             gint64               client_id,
                             const char          *who,
                             gboolean             claim,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GError *error = NULL;

  g_return_if_fail (NC_IS_STORE (self));

  if (!check_who (who, &error))
    {
      g_task_report_error (self, callback, user_data, nc_store_claim_missed_async, error);
      return;
    }
  nc_store_submit_async (self, NC_STORE_WRITER, handle_job_new (client_id, who, NULL, claim),
                         nc_store_claim_missed_async, cancellable, callback, user_data);
}

gboolean
nc_store_claim_missed_finish (NcStore       *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  return nc_store_write_finish (self, result, nc_store_claim_missed_async, error);
}

/**
 * nc_store_close_missed_sync:
 * @reason: why, for the others: required
 *
 * Ends a client's wait by hand. The reason stays with the row until the client misses
 * another call, which opens a new wait.
 */
gboolean
nc_store_close_missed_sync (NcStore     *self,
                            gint64       client_id,
                            const char  *who,
                            const char  *reason,
                            GError     **error)
{
  g_return_val_if_fail (NC_IS_STORE (self), FALSE);

  if (!check_who (who, error) || !check_reason (reason, error))
    return FALSE;
  return nc_store_submit_sync (self, NC_STORE_WRITER,
                               handle_job_new (client_id, who, reason, FALSE), error) != NULL;
}

void
nc_store_close_missed_async (NcStore             *self,
                             gint64               client_id,
                             const char          *who,
                             const char          *reason,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GError *error = NULL;

  g_return_if_fail (NC_IS_STORE (self));

  if (!check_who (who, &error) || !check_reason (reason, &error))
    {
      g_task_report_error (self, callback, user_data, nc_store_close_missed_async, error);
      return;
    }
  nc_store_submit_async (self, NC_STORE_WRITER, handle_job_new (client_id, who, reason, FALSE),
                         nc_store_close_missed_async, cancellable, callback, user_data);
}

gboolean
nc_store_close_missed_finish (NcStore       *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  return nc_store_write_finish (self, result, nc_store_close_missed_async, error);
}
