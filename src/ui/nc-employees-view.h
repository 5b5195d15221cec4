/* nc-employees-view.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define NC_TYPE_EMPLOYEES_VIEW (nc_employees_view_get_type ())

G_DECLARE_FINAL_TYPE (NcEmployeesView, nc_employees_view, NC, EMPLOYEES_VIEW, AdwBin)

G_END_DECLS
