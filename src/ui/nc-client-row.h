/* nc-client-row.h — one client in the list: name, channel and number, and a phone
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "nc-client.h"
#include "nc-dialer.h"

G_BEGIN_DECLS

#define NC_TYPE_CLIENT_ROW (nc_client_row_get_type ())

G_DECLARE_FINAL_TYPE (NcClientRow, nc_client_row, NC, CLIENT_ROW, GtkWidget)

GtkWidget *nc_client_row_new        (NcDialer    *dialer);
NcClient  *nc_client_row_get_client (NcClientRow *self);
void       nc_client_row_set_client (NcClientRow *self,
                                     NcClient    *client);

G_END_DECLS
