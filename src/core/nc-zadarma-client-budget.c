/* nc-zadarma-client-budget.c — the API client's request budget
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every request takes one slot of its bucket's budget before it is sent: `statistics` for
 * the PBX's statistics (the API allows about three a minute), `api` for every other
 * method. The budget is the shared one the client was given — the store, so that separate
 * processes on one data folder or office database share the account's — or else this
 * process's own. A request the budget refuses is not sent: the client answers with the
 * time to wait, rather than earn a 429.
 */

#define G_LOG_DOMAIN "nc-zadarma-client"

#include "config.h"

#include "nc-zadarma-client-private.h"

static void
free_queue (gpointer queue)
{
  g_queue_free_full (queue, g_free);
}

void
nc_zadarma_budget_init (NcZadarmaBudget *budget)
{
  budget->own = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, free_queue);
  budget->limits = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

void
nc_zadarma_budget_clear (NcZadarmaBudget *budget)
{
  g_clear_object (&budget->shared);
  g_clear_pointer (&budget->own, g_hash_table_unref);
  g_clear_pointer (&budget->limits, g_hash_table_unref);
}

/**
 * nc_zadarma_client_set_budget:
 * @budget: (nullable): the request budget shared with other processes (the store); %NULL:
 *   this process's own
 */
void
nc_zadarma_client_set_budget (NcZadarmaClient *self,
                              NcRequestBudget *budget)
{
  g_return_if_fail (NC_IS_ZADARMA_CLIENT (self));
  g_return_if_fail (budget == NULL || NC_IS_REQUEST_BUDGET (budget));

  g_set_object (&self->budget.shared, budget);
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
    g_hash_table_remove (self->budget.limits, bucket);
  else
    g_hash_table_insert (self->budget.limits, g_strdup (bucket), GUINT_TO_POINTER (per_minute));
}

const char *
nc_zadarma_client_bucket_for (NcZadarmaClient *self,
                              const char      *method,
                              guint           *out_limit)
{
  const char *bucket = g_str_has_prefix (method, "/v1/statistics/") ? "statistics" : "api";

  if (g_hash_table_contains (self->budget.limits, bucket))
    *out_limit = GPOINTER_TO_UINT (g_hash_table_lookup (self->budget.limits, bucket));
  else
    *out_limit = g_str_equal (bucket, "statistics") ? NC_ZADARMA_STATISTICS_LIMIT_PER_MINUTE
                                                    : NC_ZADARMA_API_LIMIT_PER_MINUTE;
  return bucket;
}

/* Without a shared budget, the budget is this process's own. */
static guint
own_budget_take (NcZadarmaBudget *budget,
                 const char      *bucket,
                 guint            limit)
{
  GQueue *times = g_hash_table_lookup (budget->own, bucket);
  gint64 now = g_get_monotonic_time ();
  gint64 window = (gint64) NC_ZADARMA_BUDGET_WINDOW_SECONDS * G_USEC_PER_SEC;
  gint64 *time;

  if (times == NULL)
    {
      times = g_queue_new ();
      g_hash_table_insert (budget->own, g_strdup (bucket), times);
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
shared_budget_taken (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  guint wait = 0;

  if (!nc_request_budget_take_finish (NC_REQUEST_BUDGET (source), result, &wait, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_int (task, wait);
}

/* Takes one request of @bucket's budget of @limit a minute: the shared one, if any. */
void
nc_zadarma_client_take_budget_async (NcZadarmaClient     *self,
                                     const char          *bucket,
                                     guint                limit,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, nc_zadarma_client_take_budget_async);
  if (self->budget.shared != NULL)
    {
      nc_request_budget_take_async (self->budget.shared, bucket, limit,
                                    NC_ZADARMA_BUDGET_WINDOW_SECONDS, cancellable,
                                    shared_budget_taken, g_steal_pointer (&task));
      return;
    }
  g_task_return_int (task, own_budget_take (&self->budget, bucket, limit));
}

gboolean
nc_zadarma_client_take_budget_finish (NcZadarmaClient  *self,
                                      GAsyncResult     *result,
                                      guint            *out_wait,
                                      GError          **error)
{
  gssize wait;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  wait = g_task_propagate_int (G_TASK (result), error);
  if (wait < 0)
    return FALSE;
  *out_wait = (guint) wait;
  return TRUE;
}
