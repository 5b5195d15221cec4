/* nc-dial-row.h — "Call +7 916 …": a number typed in the search box, to call
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "nc-dialer.h"

G_BEGIN_DECLS

#define NC_TYPE_DIAL_ROW (nc_dial_row_get_type ())

G_DECLARE_FINAL_TYPE (NcDialRow, nc_dial_row, NC, DIAL_ROW, AdwBin)

void        nc_dial_row_set_dialer  (NcDialRow  *self,
                                     NcDialer   *dialer);
void        nc_dial_row_set_text    (NcDialRow  *self,
                                     const char *text);
const char *nc_dial_row_get_number  (NcDialRow  *self);
gboolean    nc_dial_row_get_can_call (NcDialRow *self);
gboolean    nc_dial_row_call        (NcDialRow  *self);

G_END_DECLS
