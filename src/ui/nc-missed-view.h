/* nc-missed-view.h — the clients to call back, oldest wait first
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "nc-missed-list.h"
#include "nc-session.h"

G_BEGIN_DECLS

#define NC_TYPE_MISSED_VIEW (nc_missed_view_get_type ())

G_DECLARE_FINAL_TYPE (NcMissedView, nc_missed_view, NC, MISSED_VIEW, AdwBin)

void          nc_missed_view_set_session (NcMissedView *self,
                                          NcSession    *session);
guint         nc_missed_view_get_count   (NcMissedView *self);
NcMissedList *nc_missed_view_get_list    (NcMissedView *self);
void          nc_missed_view_refresh     (NcMissedView *self);

G_END_DECLS
