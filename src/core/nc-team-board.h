/* nc-team-board.h — every employee's state now and the day's figures, for a supervisor
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "nc-session.h"
#include "nc-team-figures.h"

G_BEGIN_DECLS

typedef enum
{
  NC_TEAM_STATE_UNKNOWN,   /* on no call; whether online is not known */
  NC_TEAM_STATE_FREE,      /* online, on no call */
  NC_TEAM_STATE_OFFLINE,
  NC_TEAM_STATE_RINGING,
  NC_TEAM_STATE_TALKING,
} NcTeamState;

/* How often, at most, the PBX is asked whether the employees are online, while a board is
 * active: one request per employee each time, from the account's shared budget. A large
 * team is asked less often, so that a board takes at most NC_TEAM_STATUS_PER_MINUTE
 * requests a minute (a fifth of the documented 100): calls placed by the API go first. */
#define NC_TEAM_STATUS_INTERVAL_SECONDS 60
#define NC_TEAM_STATUS_PER_MINUTE 20

#define NC_TYPE_TEAM_MEMBER (nc_team_member_get_type ())

G_DECLARE_FINAL_TYPE (NcTeamMember, nc_team_member, NC, TEAM_MEMBER, GObject)

const char          *nc_team_member_get_name          (NcTeamMember *self);
const char          *nc_team_member_get_extension     (NcTeamMember *self);
NcTeamState          nc_team_member_get_state         (NcTeamMember *self);
/* The client of the call (a name, or the number), %NULL on no call. */
const char          *nc_team_member_get_peer          (NcTeamMember *self);
/* When the state began, by the real-time clock (µs); 0 when not known. */
gint64               nc_team_member_get_since_us      (NcTeamMember *self);
/* Why the online state is unknown, for people; %NULL when it is known. */
const char          *nc_team_member_get_online_problem (NcTeamMember *self);
/* The day's figures; %NULL before they are read. */
const NcTeamFigures *nc_team_member_get_figures       (NcTeamMember *self);

#define NC_TYPE_TEAM_BOARD (nc_team_board_get_type ())

G_DECLARE_FINAL_TYPE (NcTeamBoard, nc_team_board, NC, TEAM_BOARD, GObject)

NcTeamBoard         *nc_team_board_new             (NcSession       *session);
/* (element-type NcTeamMember): each emits NcTeamMember::changed */
GListModel          *nc_team_board_get_members     (NcTeamBoard     *self);
const NcTeamFigures *nc_team_board_get_team_figures (NcTeamBoard    *self);
const char          *nc_team_board_get_day         (NcTeamBoard     *self);
const char          *nc_team_board_get_problem     (NcTeamBoard     *self);
/* While active (the page is shown), the board asks the PBX who is online. */
void                 nc_team_board_set_active      (NcTeamBoard     *self,
                                                    gboolean         active);
void                 nc_team_board_refresh_figures (NcTeamBoard     *self);
/* Asks nothing more, and drops what is under way: for a view that goes. */
void                 nc_team_board_stop            (NcTeamBoard     *self);

G_END_DECLS
