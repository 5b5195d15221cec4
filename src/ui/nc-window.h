/* nc-window.h — the console window: clients, employees and live events
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "nc-application.h"

G_BEGIN_DECLS

#define NC_TYPE_WINDOW (nc_window_get_type ())

G_DECLARE_FINAL_TYPE (NcWindow, nc_window, NC, WINDOW, AdwApplicationWindow)

NcWindow *nc_window_new       (NcApplication *application);
void      nc_window_add_toast (NcWindow      *self,
                               const char    *message);
void      nc_window_reload    (NcWindow      *self);
void      nc_window_import_clients (NcWindow *self,
                                    GFile    *file);
void      nc_window_export_clients (NcWindow *self,
                                    GFile    *file);
const char *nc_window_get_last_toast (NcWindow *self);
void      nc_window_set_demo  (NcWindow      *self,
                               gboolean       demo);
void      nc_window_show_client (NcWindow    *self,
                                 const char  *number);

G_END_DECLS
