/* nc-request-budget.h — a budget of API requests that several processes may share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define NC_TYPE_REQUEST_BUDGET (nc_request_budget_get_type ())

G_DECLARE_INTERFACE (NcRequestBudget, nc_request_budget, NC, REQUEST_BUDGET, GObject)

struct _NcRequestBudgetInterface
{
  GTypeInterface parent_iface;

  void     (*take_async)  (NcRequestBudget      *self,
                           const char           *bucket,
                           guint                 limit,
                           guint                 window_seconds,
                           GCancellable         *cancellable,
                           GAsyncReadyCallback   callback,
                           gpointer              user_data);
  gboolean (*take_finish) (NcRequestBudget      *self,
                           GAsyncResult         *result,
                           guint                *wait_seconds,
                           GError              **error);
};

void     nc_request_budget_take_async  (NcRequestBudget      *self,
                                        const char           *bucket,
                                        guint                 limit,
                                        guint                 window_seconds,
                                        GCancellable         *cancellable,
                                        GAsyncReadyCallback   callback,
                                        gpointer              user_data);
gboolean nc_request_budget_take_finish (NcRequestBudget      *self,
                                        GAsyncResult         *result,
                                        guint                *wait_seconds,
                                        GError              **error);

G_END_DECLS
