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
  NcLiveView           *live_view;
  GtkRevealer          *demo_revealer;
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
launch_uri_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(NcWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_app_info_launch_default_for_uri_finish (result, &error))
    {
      g_autofree char *message = g_strdup_printf (_("Could not open the link: %s"),
                                                  error->message);

      g_warning ("Could not open a link: %s", error->message);
      nc_window_add_toast (self, message);
    }
}

static void
open_uri_activated (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  g_autoptr(GdkAppLaunchContext) context =
    gdk_display_get_app_launch_context (gtk_widget_get_display (widget));

  g_app_info_launch_default_for_uri_async (g_variant_get_string (parameter, NULL),
                                           G_APP_LAUNCH_CONTEXT (context), NULL,
                                           launch_uri_done, g_object_ref (widget));
}

static void
nc_window_constructed (GObject *object)
{
  NcWindow *self = NC_WINDOW (object);
  GtkApplication *application = gtk_window_get_application (GTK_WINDOW (self));

  G_OBJECT_CLASS (nc_window_parent_class)->constructed (object);

  if (NC_IS_APPLICATION (application))
    nc_live_view_set_tracker (self->live_view,
                              nc_application_get_call_tracker (NC_APPLICATION (application)));
}

static void
nc_window_class_init (NcWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = nc_window_constructed;

  g_type_ensure (NC_TYPE_CLIENTS_VIEW);
  g_type_ensure (NC_TYPE_EMPLOYEES_VIEW);
  g_type_ensure (NC_TYPE_LIVE_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_BASE_PATH "/nc-window.ui");
  gtk_widget_class_bind_template_child (widget_class, NcWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, NcWindow, flap);
  gtk_widget_class_bind_template_child (widget_class, NcWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, NcWindow, clients_view);
  gtk_widget_class_bind_template_child (widget_class, NcWindow, live_view);
  gtk_widget_class_bind_template_child (widget_class, NcWindow, demo_revealer);

  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_activated);
  gtk_widget_class_install_action (widget_class, "win.open-uri", "s", open_uri_activated);
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

/**
 * nc_window_add_toast:
 *
 * Shows @message briefly at the bottom of the window.
 */
void
nc_window_add_toast (NcWindow   *self,
                     const char *message)
{
  g_return_if_fail (NC_IS_WINDOW (self));

  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}

/**
 * nc_window_show_client:
 * @number: the client's phone number, as a call reported it
 *
 * Brings the clients to the front, searching for @number.
 */
void
nc_window_show_client (NcWindow   *self,
                       const char *number)
{
  g_return_if_fail (NC_IS_WINDOW (self));

  adw_view_stack_set_visible_child_name (self->view_stack, "clients");
  nc_clients_view_search (self->clients_view, number);
}

/**
 * nc_window_set_demo:
 *
 * Shows or hides the bar that says the console runs in demo mode.
 */
void
nc_window_set_demo (NcWindow *self,
                    gboolean  demo)
{
  g_return_if_fail (NC_IS_WINDOW (self));

  gtk_revealer_set_reveal_child (self->demo_revealer, demo);
}
