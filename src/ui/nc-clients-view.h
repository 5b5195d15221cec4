/* nc-clients-view.h — the company's clients, searchable as you type
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "nc-client-list.h"
#include "nc-dial-row.h"
#include "nc-session.h"

G_BEGIN_DECLS

#define NC_TYPE_CLIENTS_VIEW (nc_clients_view_get_type ())

G_DECLARE_FINAL_TYPE (NcClientsView, nc_clients_view, NC, CLIENTS_VIEW, AdwBin)

void        nc_clients_view_set_session   (NcClientsView *self,
                                           NcSession     *session);
void        nc_clients_view_focus_search  (NcClientsView *self);
void        nc_clients_view_search        (NcClientsView *self,
                                           const char    *text);
void        nc_clients_view_reload        (NcClientsView *self);
void        nc_clients_view_show_failure  (NcClientsView *self,
                                           const char    *message);
GListModel *nc_clients_view_get_shown     (NcClientsView *self);
NcClient   *nc_clients_view_get_selected  (NcClientsView *self);
gboolean    nc_clients_view_get_answered  (NcClientsView *self);
NcClientList *nc_clients_view_get_list    (NcClientsView *self);
NcDialRow  *nc_clients_view_get_dial_row  (NcClientsView *self);

G_END_DECLS
