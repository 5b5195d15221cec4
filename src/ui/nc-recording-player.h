/* nc-recording-player.h — a call's recording, played inside the console
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "nc-call.h"
#include "nc-session.h"

G_BEGIN_DECLS

#define NC_TYPE_RECORDING_PLAYER (nc_recording_player_get_type ())

G_DECLARE_FINAL_TYPE (NcRecordingPlayer, nc_recording_player, NC, RECORDING_PLAYER, GtkWidget)

GtkWidget      *nc_recording_player_new         (void);
void            nc_recording_player_play_call   (NcRecordingPlayer *self,
                                                 NcSession         *session,
                                                 NcCall            *call);
void            nc_recording_player_play_uri    (NcRecordingPlayer *self,
                                                 const char        *title,
                                                 const char        *uri);
void            nc_recording_player_close       (NcRecordingPlayer *self);
const char     *nc_recording_player_get_uri     (NcRecordingPlayer *self);
const char     *nc_recording_player_get_problem (NcRecordingPlayer *self);
GtkMediaStream *nc_recording_player_get_stream  (NcRecordingPlayer *self);

G_END_DECLS
