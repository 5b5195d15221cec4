/* nc-application.h — the composition root of the window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "nc-session.h"

G_BEGIN_DECLS

#define NC_TYPE_APPLICATION (nc_application_get_type ())

G_DECLARE_FINAL_TYPE (NcApplication, nc_application, NC, APPLICATION, AdwApplication)

NcApplication *nc_application_new                 (void);
NcSession     *nc_application_get_session         (NcApplication *self);
GtkWindow     *nc_application_create_about_window (NcApplication *self);

G_END_DECLS
