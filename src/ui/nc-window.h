/* nc-window.h — the console window: clients, employees and live events
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "nc-session.h"

G_BEGIN_DECLS

#define NC_TYPE_WINDOW (nc_window_get_type ())

G_DECLARE_FINAL_TYPE (NcWindow, nc_window, NC, WINDOW, AdwApplicationWindow)

NcWindow   *nc_window_new            (GtkApplication *application,
                                      NcSession      *session);
NcSession  *nc_window_get_session    (NcWindow       *self);
void        nc_window_add_toast      (NcWindow       *self,
                                      const char     *message);
void        nc_window_show_failure   (NcWindow       *self,
                                      const char     *message);
void        nc_window_import_clients (NcWindow       *self,
                                      GFile          *file);
void        nc_window_export_clients (NcWindow       *self,
                                      GFile          *file);
const char *nc_window_get_last_toast (NcWindow       *self);
guint       nc_window_said           (NcWindow       *self,
                                      const char     *prefix);
void        nc_window_show_client    (NcWindow       *self,
                                      const char     *number);

G_END_DECLS
