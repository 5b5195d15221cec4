/* nc-request-budget.c — a budget of API requests that several processes may share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the API client takes a request from before it sends one: a sliding window of
 * @limit requests per @window_seconds in each bucket. The store implements it
 * (nc-store-budget.c), so that every process on one data folder or office database shares
 * the account's budget; the client knows only this interface.
 */

#define G_LOG_DOMAIN "nc-request-budget"

#include "config.h"

#include "nc-request-budget.h"

G_DEFINE_INTERFACE (NcRequestBudget, nc_request_budget, G_TYPE_OBJECT)

static void
nc_request_budget_default_init (NcRequestBudgetInterface *iface)
{
}

/**
 * nc_request_budget_take_async:
 * @bucket: which budget: `api`, `statistics`
 * @limit: the requests allowed in @window_seconds
 *
 * Takes one request from @bucket's budget, if there is one left.
 */
void
nc_request_budget_take_async (NcRequestBudget     *self,
                              const char          *bucket,
                              guint                limit,
                              guint                window_seconds,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (NC_IS_REQUEST_BUDGET (self));
  g_return_if_fail (bucket != NULL);

  NC_REQUEST_BUDGET_GET_IFACE (self)->take_async (self, bucket, limit, window_seconds,
                                                   cancellable, callback, user_data);
}

/**
 * nc_request_budget_take_finish:
 * @wait_seconds: (out): 0 when a request was granted; else how long until one is
 *
 * Returns: %FALSE only on error
 */
gboolean
nc_request_budget_take_finish (NcRequestBudget  *self,
                               GAsyncResult     *result,
                               guint            *wait_seconds,
                               GError          **error)
{
  g_return_val_if_fail (NC_IS_REQUEST_BUDGET (self), FALSE);
  g_return_val_if_fail (wait_seconds != NULL, FALSE);

  return NC_REQUEST_BUDGET_GET_IFACE (self)->take_finish (self, result, wait_seconds, error);
}
