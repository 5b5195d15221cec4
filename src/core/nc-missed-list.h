/* nc-missed-list.h — the clients to call back, oldest wait first, a page at a time
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "nc-missed.h"

G_BEGIN_DECLS

#define NC_MISSED_LIST_FIRST_PAGE 60
#define NC_MISSED_LIST_PAGE 200

#define NC_TYPE_MISSED_ITEM (nc_missed_item_get_type ())

G_DECLARE_FINAL_TYPE (NcMissedItem, nc_missed_item, NC, MISSED_ITEM, GObject)

const NcMissedCall *nc_missed_item_get_missed (NcMissedItem *self);

#define NC_TYPE_MISSED_LIST (nc_missed_list_get_type ())

G_DECLARE_FINAL_TYPE (NcMissedList, nc_missed_list, NC, MISSED_LIST, GObject)

NcMissedList *nc_missed_list_new          (NcStore      *store);
guint         nc_missed_list_get_count    (NcMissedList *self);
gboolean      nc_missed_list_get_loading  (NcMissedList *self);
gboolean      nc_missed_list_get_complete (NcMissedList *self);
const char   *nc_missed_list_get_problem  (NcMissedList *self);
void          nc_missed_list_load_more    (NcMissedList *self);
void          nc_missed_list_reload       (NcMissedList *self);

G_END_DECLS
