/* nc-preferences-window.h — the admins' settings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "nc-session.h"

G_BEGIN_DECLS

#define NC_TYPE_PREFERENCES_WINDOW (nc_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (NcPreferencesWindow, nc_preferences_window, NC, PREFERENCES_WINDOW,
                      AdwPreferencesWindow)

NcPreferencesWindow *nc_preferences_window_new             (GtkWindow           *parent,
                                                            NcSession           *session);
void                 nc_preferences_window_run_setup_check (NcPreferencesWindow *self);
void                 nc_preferences_window_show_account    (NcPreferencesWindow *self);

G_END_DECLS
