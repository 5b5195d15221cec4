/* nc-store-budget.c — the API request budget, shared by every process on the database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A sliding window: a row per request taken, the ones older than the window deleted as it
 * moves. Counting and taking must not interleave with another process doing the same,
 * which the backend's budget lock (within the writer's transaction) sees to. The store is
 * the API client's NcRequestBudget: the client knows it by that interface only.
 */

#define G_LOG_DOMAIN "nc-store"

#include "config.h"

#include "nc-store-private.h"

typedef struct
{
  char  *bucket;
  guint  limit;
  guint  window_seconds;
  gint64 now_us;
} Budget;

static void
budget_free (Budget *budget)
{
  g_free (budget->bucket);
  g_free (budget);
}

/* Answers how long to wait: 0 when a request was taken. */
static gpointer
budget_take_job (NcStoreConnection  *conn,
                 gpointer            data,
                 GError            **error)
{
  Budget *budget = data;
  gint64 window_us = (gint64) budget->window_seconds * G_USEC_PER_SEC;
  g_autofree guint *wait = g_new0 (guint, 1);
  gint64 oldest = 0;
  gint64 count = 0;
  NcStoreStmt *stmt;
  NcStoreStep step;

  if (!conn->backend->lock_budget (conn, error))
    return NULL;

  stmt = nc_store_prepare (conn, "DELETE FROM request_budget WHERE bucket = ?1 AND taken_at <= ?2",
                           error);
  if (stmt == NULL)
    return NULL;
  nc_store_bind_text (stmt, 1, budget->bucket);
  nc_store_bind_int64 (stmt, 2, budget->now_us - window_us);
  if (!nc_store_step_done (stmt, error))
    return NULL;

  stmt = nc_store_prepare (conn,
                           "SELECT count(*), min(taken_at) FROM request_budget WHERE bucket = ?1",
                           error);
  if (stmt == NULL)
    return NULL;
  nc_store_bind_text (stmt, 1, budget->bucket);
  step = nc_store_step (stmt, error);
  if (step == NC_STORE_STEP_ROW)
    {
      count = nc_store_column_int64 (stmt, 0);
      oldest = nc_store_column_int64 (stmt, 1);
    }
  nc_store_reset (stmt);
  if (step == NC_STORE_STEP_ERROR)
    return NULL;

  if (count >= budget->limit)
    {
      gint64 free_at = oldest + window_us;

      *wait = (guint) MAX (1, (free_at - budget->now_us + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
      return g_steal_pointer (&wait);
    }

  stmt = nc_store_prepare (conn, "INSERT INTO request_budget (bucket, taken_at) VALUES (?1, ?2)",
                           error);
  if (stmt == NULL)
    return NULL;
  nc_store_bind_text (stmt, 1, budget->bucket);
  nc_store_bind_int64 (stmt, 2, budget->now_us);
  if (!nc_store_step_done (stmt, error))
    return NULL;

  return g_steal_pointer (&wait);
}

static NcStoreJob *
budget_job_new (const char *bucket,
                guint       limit,
                guint       window_seconds)
{
  Budget *budget = g_new0 (Budget, 1);

  budget->bucket = g_strdup (bucket);
  budget->limit = limit;
  budget->window_seconds = window_seconds;
  budget->now_us = g_get_real_time ();
  return nc_store_job_new (budget_take_job, budget, (GDestroyNotify) budget_free, g_free);
}

/**
 * nc_store_budget_take_sync:
 * @wait_seconds: (out): 0 when a request was granted; else how long until one is
 *
 * Takes one request from @bucket's budget of @limit per @window_seconds, if there is one
 * left. The budget lives in the database, so every process on it shares it.
 *
 * Returns: %FALSE only on error
 */
gboolean
nc_store_budget_take_sync (NcStore     *self,
                           const char  *bucket,
                           guint        limit,
                           guint        window_seconds,
                           guint       *wait_seconds,
                           GError     **error)
{
  g_autofree guint *wait = NULL;

  g_return_val_if_fail (NC_IS_STORE (self), FALSE);

  wait = nc_store_submit_sync (self, NC_STORE_WRITER,
                               budget_job_new (bucket, limit, window_seconds), error);
  if (wait == NULL)
    return FALSE;
  *wait_seconds = *wait;
  return TRUE;
}

void
nc_store_budget_take_async (NcStore             *self,
                            const char          *bucket,
                            guint                limit,
                            guint                window_seconds,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (NC_IS_STORE (self));

  nc_store_submit_async (self, NC_STORE_WRITER, budget_job_new (bucket, limit, window_seconds),
                         nc_store_budget_take_async, cancellable, callback, user_data);
}

gboolean
nc_store_budget_take_finish (NcStore       *self,
                             GAsyncResult  *result,
                             guint         *wait_seconds,
                             GError       **error)
{
  g_autofree guint *wait = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  wait = g_task_propagate_pointer (G_TASK (result), error);
  if (wait == NULL)
    return FALSE;
  *wait_seconds = *wait;
  return TRUE;
}

static void
request_budget_take_async (NcRequestBudget     *budget,
                           const char          *bucket,
                           guint                limit,
                           guint                window_seconds,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  nc_store_budget_take_async (NC_STORE (budget), bucket, limit, window_seconds, cancellable,
                              callback, user_data);
}

static gboolean
request_budget_take_finish (NcRequestBudget  *budget,
                            GAsyncResult     *result,
                            guint            *wait_seconds,
                            GError          **error)
{
  return nc_store_budget_take_finish (NC_STORE (budget), result, wait_seconds, error);
}

void
nc_store_request_budget_init (NcRequestBudgetInterface *iface)
{
  iface->take_async = request_budget_take_async;
  iface->take_finish = request_budget_take_finish;
}
