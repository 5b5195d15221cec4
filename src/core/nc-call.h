/* nc-call.h — one call through the PBX, as the store keeps it, for the windows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "nc-call-record.h"

G_BEGIN_DECLS

#define NC_TYPE_CALL (nc_call_get_type ())

G_DECLARE_FINAL_TYPE (NcCall, nc_call, NC, CALL, GObject)

const NcCallRecord *nc_call_get_record       (NcCall *self);
gint64           nc_call_get_id              (NcCall *self);
const char      *nc_call_get_pbx_call_id     (NcCall *self);
NcCallDirection  nc_call_get_direction       (NcCall *self);
NcCallState      nc_call_get_state           (NcCall *self);
const char      *nc_call_get_client_number   (NcCall *self);
const char      *nc_call_get_virtual_number  (NcCall *self);
const char      *nc_call_get_employee        (NcCall *self);
const char      *nc_call_get_started_at      (NcCall *self);
const char      *nc_call_get_answered_at     (NcCall *self);
const char      *nc_call_get_ended_at        (NcCall *self);
gint64           nc_call_get_started_unix    (NcCall *self);
guint            nc_call_get_duration        (NcCall *self);
const char      *nc_call_get_disposition     (NcCall *self);
gboolean         nc_call_get_is_recorded     (NcCall *self);
const char      *nc_call_get_call_id_with_rec (NcCall *self);
const char      *nc_call_get_record_link     (NcCall *self);
NcRecordingState nc_call_get_recording       (NcCall *self);
gboolean         nc_call_record_link_is_fresh (NcCall    *self,
                                               GDateTime *now);
gint64           nc_call_get_client_id       (NcCall *self);
const char      *nc_call_get_client_name     (NcCall *self);
const char      *nc_call_get_match_reason    (NcCall *self);
gint64           nc_call_get_request_id      (NcCall *self);
gboolean         nc_call_is_missed           (NcCall *self);
gboolean         nc_call_is_unended          (NcCall *self);
gboolean         nc_call_is_recovered        (NcCall *self);
const char      *nc_call_get_outcome_text    (NcCall *self);
const char      *nc_call_get_noted_outcome   (NcCall *self);
const char      *nc_call_get_note            (NcCall *self);

gboolean         nc_call_had_event           (NcCall     *self,
                                              const char *event_type);
gint64           nc_call_get_first_seen_us   (NcCall *self);
gint64           nc_call_get_answered_seen_us (NcCall *self);

char            *nc_format_duration          (guint       seconds);

G_END_DECLS
