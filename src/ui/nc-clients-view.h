/* nc-clients-view.h — the company's clients, searchable as you type
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "nc-client.h"
#include "nc-store.h"

G_BEGIN_DECLS

#define NC_TYPE_CLIENTS_VIEW (nc_clients_view_get_type ())

G_DECLARE_FINAL_TYPE (NcClientsView, nc_clients_view, NC, CLIENTS_VIEW, AdwBin)

void        nc_clients_view_focus_search    (NcClientsView *self);
void        nc_clients_view_search          (NcClientsView *self,
                                             const char    *text);
gboolean    nc_clients_view_set_store       (NcClientsView *self,
                                             NcStore       *store);
void        nc_clients_view_reload          (NcClientsView *self);
void        nc_clients_view_set_call_method (NcClientsView *self,
                                             NcCallMethod   method);
GListModel *nc_clients_view_get_shown       (NcClientsView *self);

G_END_DECLS
