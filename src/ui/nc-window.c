/* nc-window.c — the console window: clients, employees and live events
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nc-window"

#include "config.h"

#include <glib/gi18n.h>

#include "nc-clients-view.h"
#include "nc-employees-view.h"
#include "nc-live-view.h"
#include "nc-window.h"

struct _NcWindow
{
  AdwApplicationWindow  parent_instance;

  AdwToastOverlay      *toast_overlay;
  AdwFlap              *flap;
  AdwViewStack         *view_stack;
  NcClientsView        *clients_view;
};

G_DEFINE_FINAL_TYPE (NcWindow, nc_window, ADW_TYPE_APPLICATION_WINDOW)

static void
search_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  NcWindow *self = NC_WINDOW (widget);

  adw_view_stack_set_visible_child_name (self->view_stack, "clients");
  nc_clients_view_focus_search (self->clients_view);
}

static void
nc_window_class_init (NcWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  g_type_ensure (NC_TYPE_CLIENTS_VIEW);
  g_type_ensure (NC_TYPE_EMPLOYEES_VIEW);
  g_type_ensure (NC_TYPE_LIVE_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_BASE_PATH "/nc-window.ui");
  gtk_widget_class_bind_template_child (widget_class, NcWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, NcWindow, flap);
  gtk_widget_class_bind_template_child (widget_class, NcWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, NcWindow, clients_view);

  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK,
                                       "win.search", NULL);
}

static void
nc_window_init (NcWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  if (DEVELOPMENT_BUILD)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
}

NcWindow *
nc_window_new (NcApplication *application)
{
  return g_object_new (NC_TYPE_WINDOW,
                       "application", application,
                       NULL);
}
