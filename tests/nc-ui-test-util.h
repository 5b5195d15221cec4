/* nc-ui-test-util.h — what the widget tests share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

GtkWidget *nc_ui_test_find_widget       (GtkWidget   *root,
                                         GType        type,
                                         const char  *property,
                                         const char  *value);
GPtrArray *nc_ui_test_find_all          (GtkWidget   *root,
                                         GType        type);
void       nc_ui_test_wait_for_frames   (GtkWidget   *widget,
                                         guint        frames);
void       nc_ui_test_spin              (guint        milliseconds);
char      *nc_ui_test_save_screenshot   (GtkWidget   *widget,
                                         const char  *name);

G_END_DECLS
