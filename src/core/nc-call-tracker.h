/* nc-call-tracker.h — the calls of this process, following the store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "nc-call.h"
#include "nc-store.h"

G_BEGIN_DECLS

/* How often the change log is read for what other processes wrote. */
#define NC_CALL_TRACKER_POLL_MS 1000

#define NC_TYPE_CALL_TRACKER (nc_call_tracker_get_type ())

G_DECLARE_FINAL_TYPE (NcCallTracker, nc_call_tracker, NC, CALL_TRACKER, GObject)

NcCallTracker *nc_call_tracker_new            (void);
NcStore       *nc_call_tracker_get_store      (NcCallTracker       *self);
void           nc_call_tracker_start_async    (NcCallTracker       *self,
                                               NcStore             *store,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
gboolean       nc_call_tracker_start_finish   (NcCallTracker       *self,
                                               GAsyncResult        *result,
                                               GError             **error);
gboolean       nc_call_tracker_start_sync     (NcCallTracker       *self,
                                               NcStore             *store,
                                               GError             **error);
gboolean       nc_call_tracker_update_sync    (NcCallTracker       *self,
                                               GError             **error);
void           nc_call_tracker_set_poll_interval (NcCallTracker    *self,
                                                  guint             milliseconds);
NcCall        *nc_call_tracker_lookup         (NcCallTracker       *self,
                                               const char          *pbx_call_id);
NcCall        *nc_call_tracker_take_record    (NcCallTracker       *self,
                                               const NcCallRecord  *record);
GListModel    *nc_call_tracker_get_live_calls (NcCallTracker       *self);

G_END_DECLS
