/* nc-clients-view.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define NC_TYPE_CLIENTS_VIEW (nc_clients_view_get_type ())

G_DECLARE_FINAL_TYPE (NcClientsView, nc_clients_view, NC, CLIENTS_VIEW, AdwBin)

void nc_clients_view_focus_search (NcClientsView *self);
void nc_clients_view_search       (NcClientsView *self,
                                   const char    *text);

G_END_DECLS
