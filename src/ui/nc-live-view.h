/* nc-live-view.h — every call, live, from the PBX's webhooks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "nc-journal.h"
#include "nc-session.h"

G_BEGIN_DECLS

/* The period drop-down's choices: days by the account's clock. */
typedef enum
{
  NC_PERIOD_ALL,
  NC_PERIOD_TODAY,
  NC_PERIOD_YESTERDAY,
  NC_PERIOD_WEEK,      /* today and the 6 days before */
  NC_PERIOD_MONTH,     /* today and the 29 days before */
} NcPeriod;

#define NC_TYPE_LIVE_VIEW (nc_live_view_get_type ())

G_DECLARE_FINAL_TYPE (NcLiveView, nc_live_view, NC, LIVE_VIEW, AdwBin)

void        nc_live_view_set_session       (NcLiveView    *self,
                                            NcSession     *session);
NcJournal  *nc_live_view_get_journal       (NcLiveView    *self);
void        nc_live_view_set_filter        (NcLiveView    *self,
                                            int            direction,
                                            NcCallOutcome  outcome,
                                            const char    *employee_id,
                                            NcPeriod       period,
                                            const char    *text);
void        nc_period_get_range            (NcPeriod       period,
                                            GDateTime     *now,
                                            gint64        *out_since,
                                            gint64        *out_until);

G_END_DECLS
