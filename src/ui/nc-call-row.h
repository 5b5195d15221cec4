/* nc-call-row.h — one call in the live events pane
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "nc-call.h"
#include "nc-employee-list.h"

G_BEGIN_DECLS

#define NC_TYPE_CALL_ROW (nc_call_row_get_type ())

G_DECLARE_FINAL_TYPE (NcCallRow, nc_call_row, NC, CALL_ROW, GtkWidget)

GtkWidget *nc_call_row_new      (NcEmployeeList *employees);
NcCall    *nc_call_row_get_call (NcCallRow      *self);
void       nc_call_row_set_call (NcCallRow      *self,
                                 NcCall         *call);

G_END_DECLS
