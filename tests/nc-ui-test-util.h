/* nc-ui-test-util.h — what the widget tests share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

gboolean   nc_ui_test_init              (int         *argc,
                                         char      ***argv);
void       nc_ui_test_load_style        (void);
GtkWindow *nc_ui_test_present           (GtkWidget   *child,
                                         int          width,
                                         int          height);

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
void       nc_ui_test_assert_icon_buttons_explained (GtkWidget *root);

G_END_DECLS
