/* nc-call-notifier.h — desktop notifications for incoming, missed and ended calls
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "nc-call-tracker.h"
#include "nc-employee-list.h"

G_BEGIN_DECLS

#define NC_TYPE_CALL_NOTIFIER (nc_call_notifier_get_type ())

G_DECLARE_FINAL_TYPE (NcCallNotifier, nc_call_notifier, NC, CALL_NOTIFIER, GObject)

NcCallNotifier *nc_call_notifier_new (GApplication  *application,
                                      NcCallTracker *tracker,
                                      GSettings     *settings);
void            nc_call_notifier_set_employees (NcCallNotifier *self,
                                                NcEmployeeList *employees);

G_END_DECLS
