/* nc-team-view.h — the supervisor's board: every employee now, and the day's figures
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "nc-session.h"
#include "nc-team-board.h"

G_BEGIN_DECLS

#define NC_TYPE_TEAM_VIEW (nc_team_view_get_type ())

G_DECLARE_FINAL_TYPE (NcTeamView, nc_team_view, NC, TEAM_VIEW, GtkBox)

void         nc_team_view_set_session (NcTeamView *self,
                                       NcSession  *session);
NcTeamBoard *nc_team_view_get_board   (NcTeamView *self);
void         nc_team_view_export_to   (NcTeamView *self,
                                       GFile      *file);
/* What a row shows, as it shows it: for people and for tests. */
char        *nc_team_view_describe_state (NcTeamMember *member,
                                          gint64        now_us);

G_END_DECLS
