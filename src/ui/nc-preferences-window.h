/* nc-preferences-window.h — the admins' settings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define NC_TYPE_PREFERENCES_WINDOW (nc_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (NcPreferencesWindow, nc_preferences_window, NC, PREFERENCES_WINDOW,
                      AdwPreferencesWindow)

NcPreferencesWindow *nc_preferences_window_new (GtkWindow *parent);

G_END_DECLS
