/* nc-call-tracker.h — call events become calls
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "nc-call.h"

G_BEGIN_DECLS

#define NC_CALLBACK_MATCH_WINDOW_SECONDS 60
#define NC_RECORDING_FALLBACK_SECONDS 40

#define NC_TYPE_CALL_TRACKER (nc_call_tracker_get_type ())

G_DECLARE_FINAL_TYPE (NcCallTracker, nc_call_tracker, NC, CALL_TRACKER, GObject)

NcCallTracker *nc_call_tracker_new                (void);
NcCall        *nc_call_tracker_add_event          (NcCallTracker *self,
                                                   const char    *event_type,
                                                   GHashTable    *fields,
                                                   gint64         received_at_us);
NcCall        *nc_call_tracker_lookup             (NcCallTracker *self,
                                                   const char    *pbx_call_id);
GListModel    *nc_call_tracker_get_live_calls     (NcCallTracker *self);
GListModel    *nc_call_tracker_get_journal        (NcCallTracker *self);
guint64        nc_call_tracker_expect_callback    (NcCallTracker *self,
                                                   const char    *employee_id,
                                                   const char    *client_number,
                                                   const char    *virtual_number,
                                                   gint64         requested_at_us);
void           nc_call_tracker_set_recording_delay (NcCallTracker *self,
                                                    guint          milliseconds);
void           nc_call_tracker_set_callback_window (NcCallTracker *self,
                                                    guint          milliseconds);

G_END_DECLS
