/* nc-live-view.h — every call, live, from the PBX's webhooks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "nc-session.h"

G_BEGIN_DECLS

#define NC_TYPE_LIVE_VIEW (nc_live_view_get_type ())

G_DECLARE_FINAL_TYPE (NcLiveView, nc_live_view, NC, LIVE_VIEW, AdwBin)

void        nc_live_view_set_session       (NcLiveView *self,
                                            NcSession  *session);
GListModel *nc_live_view_get_journal_model (NcLiveView *self);
void        nc_live_view_set_filter        (NcLiveView *self,
                                            const char *event_type,
                                            int         direction,
                                            const char *employee_id);

G_END_DECLS
