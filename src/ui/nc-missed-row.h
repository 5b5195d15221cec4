/* nc-missed-row.h — one client to call back, with how long they have waited
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "nc-missed-list.h"

G_BEGIN_DECLS

#define NC_TYPE_MISSED_ROW (nc_missed_row_get_type ())

G_DECLARE_FINAL_TYPE (NcMissedRow, nc_missed_row, NC, MISSED_ROW, GtkWidget)

GtkWidget *nc_missed_row_new      (void);
/* @me: who this desk is, as a claim names them (nullable) */
void       nc_missed_row_set_item (NcMissedRow  *self,
                                   NcMissedItem *item,
                                   const char   *me);
void       nc_missed_row_update   (NcMissedRow  *self,
                                   gint64        now_us,
                                   guint         short_minutes,
                                   guint         long_minutes);

G_END_DECLS
