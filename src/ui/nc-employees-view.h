/* nc-employees-view.h — the people who make calls, and how each one calls
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "nc-session.h"

G_BEGIN_DECLS

#define NC_TYPE_EMPLOYEES_VIEW (nc_employees_view_get_type ())

G_DECLARE_FINAL_TYPE (NcEmployeesView, nc_employees_view, NC, EMPLOYEES_VIEW, AdwBin)

void       nc_employees_view_set_session (NcEmployeesView *self,
                                          NcSession       *session);
GtkWindow *nc_employees_view_edit        (NcEmployeesView *self,
                                          NcEmployee      *employee);

G_END_DECLS
