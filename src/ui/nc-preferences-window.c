/* nc-preferences-window.c — the admins' settings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nc-preferences-window"

#include "config.h"

#include <glib/gi18n.h>

#include "nc-preferences-window.h"
#include "nc-settings.h"

struct _NcPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;

  AdwEntryRow          *api_url_row;
  GtkSwitch            *webhook_switch;
  AdwEntryRow          *webhook_bind_row;
  GtkSpinButton        *webhook_port_spin;
  AdwEntryRow          *webhook_public_url_row;
  GtkSwitch            *notify_end_switch;
};

G_DEFINE_FINAL_TYPE (NcPreferencesWindow, nc_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static void
nc_preferences_window_dispose (GObject *object)
{
  NcPreferencesWindow *self = NC_PREFERENCES_WINDOW (object);

  g_clear_object (&self->settings);

  G_OBJECT_CLASS (nc_preferences_window_parent_class)->dispose (object);
}

static void
nc_preferences_window_class_init (NcPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = nc_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_BASE_PATH "/nc-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, NcPreferencesWindow, api_url_row);
  gtk_widget_class_bind_template_child (widget_class, NcPreferencesWindow, webhook_switch);
  gtk_widget_class_bind_template_child (widget_class, NcPreferencesWindow, webhook_bind_row);
  gtk_widget_class_bind_template_child (widget_class, NcPreferencesWindow, webhook_port_spin);
  gtk_widget_class_bind_template_child (widget_class, NcPreferencesWindow, webhook_public_url_row);
  gtk_widget_class_bind_template_child (widget_class, NcPreferencesWindow, notify_end_switch);
}

static void
nc_preferences_window_init (NcPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = nc_settings_new_if_installed ();
  if (self->settings == NULL)
    {
      g_warning ("The settings schema %s is not installed; preferences cannot be saved",
                 APPLICATION_ID);
      return;
    }

  g_settings_bind (self->settings, "api-url", self->api_url_row, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "webhook-enabled", self->webhook_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "webhook-bind", self->webhook_bind_row, "text",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "webhook-port", self->webhook_port_spin, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "webhook-public-url", self->webhook_public_url_row, "text",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "notify-call-end", self->notify_end_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
}

NcPreferencesWindow *
nc_preferences_window_new (GtkWindow *parent)
{
  return g_object_new (NC_TYPE_PREFERENCES_WINDOW,
                       "transient-for", parent,
                       "modal", parent != NULL,
                       NULL);
}
