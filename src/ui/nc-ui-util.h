/* nc-ui-util.h — small things every widget of the console shares
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "nc-call.h"

G_BEGIN_DECLS

AdwToast  *nc_toast_new        (const char  *message);
GtkWidget *nc_field_error_new  (void);
void       nc_field_error_show (GtkWidget   *error_row,
                                GtkWidget   *field,
                                const char  *message);
void       nc_on_focus_leave   (GtkWidget   *field,
                                GCallback    callback,
                                gpointer     user_data);
gboolean   nc_scrolled_near_end (GtkAdjustment *adjustment);
char      *nc_call_start_text  (NcCall        *call);
void       nc_drop_down_shrink (GtkDropDown   *drop_down);

G_END_DECLS
