/* nc-client-list.h — the clients a search finds, oldest first, a page at a time from the store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "nc-store.h"

G_BEGIN_DECLS

/* The first page is what a keystroke shows: a window's height of rows and a little more,
 * since GTK's list view makes a row widget for every item it is given, up to 200. The
 * next ones are read as the list nears its end. */
#define NC_CLIENT_LIST_FIRST_PAGE 40
#define NC_CLIENT_LIST_PAGE 200

#define NC_TYPE_CLIENT_LIST (nc_client_list_get_type ())

G_DECLARE_FINAL_TYPE (NcClientList, nc_client_list, NC, CLIENT_LIST, GObject)

NcClientList *nc_client_list_new          (NcStore      *store);
NcStore      *nc_client_list_get_store    (NcClientList *self);
void          nc_client_list_set_text     (NcClientList *self,
                                           const char   *text);
const char   *nc_client_list_get_text     (NcClientList *self);
gboolean      nc_client_list_get_answered (NcClientList *self);
gboolean      nc_client_list_get_loading  (NcClientList *self);
gboolean      nc_client_list_get_complete (NcClientList *self);
const char   *nc_client_list_get_problem  (NcClientList *self);
void          nc_client_list_load_more    (NcClientList *self);
void          nc_client_list_reload       (NcClientList *self);
gboolean      nc_client_list_get_busy     (NcClientList *self);

G_END_DECLS
