/* nc-call-note-dialog.h — the outcome and note of a call, as the operator gives them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "nc-call.h"
#include "nc-session.h"

G_BEGIN_DECLS

#define NC_TYPE_CALL_NOTE_DIALOG (nc_call_note_dialog_get_type ())

G_DECLARE_FINAL_TYPE (NcCallNoteDialog, nc_call_note_dialog, NC, CALL_NOTE_DIALOG, AdwWindow)

NcCallNoteDialog *nc_call_note_dialog_new  (GtkWindow *parent,
                                            NcSession *session,
                                            NcCall    *call);
NcCallNoteDialog *nc_call_note_dialog_open (GtkWindow  *parent,
                                            NcSession  *session,
                                            const char *pbx_call_id);
char            **nc_call_outcomes_dup     (GSettings *settings);

G_END_DECLS
