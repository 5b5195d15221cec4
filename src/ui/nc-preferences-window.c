/* nc-preferences-window.c — the admins' settings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nc-preferences-window"

#include "config.h"

#include <glib/gi18n.h>

#include "nc-application.h"
#include "nc-preferences-window.h"
#include "nc-secrets.h"
#include "nc-settings.h"
#include "nc-webhook-url.h"

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
  AdwEntryRow          *key_row;
  AdwPasswordEntryRow  *secret_row;
  AdwActionRow         *account_status_row;
  AdwActionRow         *url_row;
  AdwActionRow         *health_status_row;
  AdwActionRow         *health_accepted_row;
  AdwActionRow         *health_rejected_row;
  AdwActionRow         *health_last_row;

  NcApplication        *application;
  GCancellable         *cancellable;
  char                 *token;
};

G_DEFINE_FINAL_TYPE (NcPreferencesWindow, nc_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static void
set_status (NcPreferencesWindow *self,
            const char          *text)
{
  adw_action_row_set_subtitle (self->account_status_row, text);
}

static NcZadarmaClient *
client_from (NcPreferencesWindow *self,
             NcCredentials       *credentials)
{
  g_autofree char *api_url = nc_settings_dup_api_url (self->settings);
  NcZadarmaClient *client = nc_zadarma_client_new (api_url, credentials->key, credentials->secret);

  if (self->application != NULL)
    nc_zadarma_client_set_store (client, nc_application_get_store (self->application));
  return client;
}

static void
balance_received (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(NcPreferencesWindow) self = user_data;
  g_autoptr(NcZadarmaBalance) balance = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  balance = nc_zadarma_client_balance_finish (NC_ZADARMA_CLIENT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (balance == NULL)
    text = nc_zadarma_error_to_user_message (error);
  else
    text = g_strdup_printf (_("Connected. Balance: %.2f %s"), balance->balance,
                            balance->currency != NULL ? balance->currency : "");
  set_status (self, text);
}

static void
credentials_for_check (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(NcPreferencesWindow) self = user_data;
  g_autoptr(NcCredentials) credentials = NULL;
  g_autoptr(NcZadarmaClient) client = NULL;
  g_autoptr(GError) error = NULL;

  credentials = nc_secrets_lookup_credentials_finish (result, &error);
  if (credentials == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        set_status (self, error->message);
      return;
    }
  client = client_from (self, credentials);
  nc_zadarma_client_balance_async (client, self->cancellable, balance_received,
                                   g_object_ref (self));
}

static void
check_clicked (NcPreferencesWindow *self)
{
  set_status (self, _("Checking…"));
  nc_secrets_lookup_credentials_async (self->cancellable, credentials_for_check,
                                       g_object_ref (self));
}

static void
credentials_saved (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(NcPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!nc_secrets_store_credentials_finish (result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        set_status (self, error->message);
      return;
    }
  /* The Secret is not shown back, not even as dots. */
  gtk_editable_set_text (GTK_EDITABLE (self->secret_row), "");
  check_clicked (self);
}

static void
save_clicked (NcPreferencesWindow *self)
{
  const char *key = gtk_editable_get_text (GTK_EDITABLE (self->key_row));
  const char *secret = gtk_editable_get_text (GTK_EDITABLE (self->secret_row));

  nc_secrets_store_credentials_async (key, secret, self->cancellable, credentials_saved,
                                      g_object_ref (self));
}

static char *
webhook_url (NcPreferencesWindow *self,
             gboolean            *reachable)
{
  g_autofree char *public_url = nc_settings_dup_string (self->settings, "webhook-public-url");
  g_autofree char *bind = nc_settings_dup_string (self->settings, "webhook-bind");

  if (self->token == NULL)
    return NULL;
  return nc_webhook_url_build (public_url, bind,
                               (guint) nc_settings_get_int (self->settings, "webhook-port"), FALSE,
                               self->token, reachable);
}

static void
update_url (NcPreferencesWindow *self)
{
  gboolean reachable = FALSE;
  g_autofree char *url = webhook_url (self, &reachable);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->url_row),
                                 reachable ? _("Webhook Address")
                                           : _("Webhook Address (local: set a public address "
                                               "for the PBX to reach it)"));
  adw_action_row_set_subtitle (self->url_row, url != NULL ? url : _("No webhook token yet"));
}

static void
token_found (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(NcPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  char *token = nc_secrets_get_webhook_token_finish (result, &error);

  if (token == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_free (self->token);
  self->token = token;
  update_url (self);
  if (token == NULL)
    adw_action_row_set_subtitle (self->url_row, error->message);
}

static void
copy_clicked (NcPreferencesWindow *self)
{
  g_autofree char *url = webhook_url (self, NULL);

  if (url == NULL)
    return;
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), url);
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                    adw_toast_new (_("The address is copied")));
}

static void
registered (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(NcPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (!nc_zadarma_client_set_webhook_url_finish (NC_ZADARMA_CLIENT (source), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      message = nc_zadarma_error_to_user_message (error);
    }
  else
    message = g_strdup (_("Registered with Novofon. In the cabinet, check that “Интеграция "
                          "активна” is on."));
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (message));
}

static void
credentials_for_register (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(NcPreferencesWindow) self = user_data;
  g_autoptr(NcCredentials) credentials = NULL;
  g_autoptr(NcZadarmaClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = webhook_url (self, NULL);

  credentials = nc_secrets_lookup_credentials_finish (result, &error);
  if (credentials == NULL || url == NULL)
    {
      if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                          adw_toast_new (error->message));
      return;
    }
  client = client_from (self, credentials);
  /* Events on before the URL, so that none is lost between the two. */
  nc_zadarma_client_enable_notifications_async (client, self->cancellable, NULL, NULL);
  nc_zadarma_client_set_webhook_url_async (client, url, self->cancellable, registered,
                                           g_object_ref (self));
}

static void
register_clicked (NcPreferencesWindow *self)
{
  nc_secrets_lookup_credentials_async (self->cancellable, credentials_for_register,
                                       g_object_ref (self));
}

static void
update_health (NcPreferencesWindow *self)
{
  NcWebhookServer *listener = self->application != NULL
                              ? nc_application_get_listener (self->application) : NULL;
  const NcWebhookHealth *health;
  g_autofree char *accepted = NULL;
  g_autofree char *rejected = NULL;
  g_autofree char *last = NULL;

  if (listener == NULL)
    {
      const char *problem = self->application != NULL
                            ? nc_application_get_listener_problem (self->application) : NULL;

      adw_action_row_set_subtitle (self->health_status_row,
                                   problem != NULL ? problem : _("Not running"));
      return;
    }

  health = nc_webhook_server_get_health (listener);
  adw_action_row_set_subtitle (self->health_status_row, _("Running"));
  /* Translators: events accepted, and how many of them were replays */
  accepted = g_strdup_printf (_("%u (and %u replays)"), health->accepted, health->duplicates);
  adw_action_row_set_subtitle (self->health_accepted_row, accepted);
  rejected = g_strdup_printf (_("wrong address %u · wrong method %u · too large %u · wrong type "
                                "%u · malformed %u · bad signature %u · not stored %u"),
                              health->rejected_not_found, health->rejected_method,
                              health->rejected_too_large, health->rejected_content_type,
                              health->rejected_malformed, health->rejected_signature,
                              health->failed);
  adw_action_row_set_subtitle (self->health_rejected_row, rejected);
  if (health->last_event_at != 0)
    {
      g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (health->last_event_at /
                                                                   G_USEC_PER_SEC);
      last = g_date_time_format (time, "%x %X");
    }
  adw_action_row_set_subtitle (self->health_last_row, last != NULL ? last : _("None yet"));
}

static void
nc_preferences_window_dispose (GObject *object)
{
  NcPreferencesWindow *self = NC_PREFERENCES_WINDOW (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_weak_pointer (&self->application);
  g_clear_pointer (&self->token, g_free);
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
  gtk_widget_class_bind_template_child (widget_class, NcPreferencesWindow, key_row);
  gtk_widget_class_bind_template_child (widget_class, NcPreferencesWindow, secret_row);
  gtk_widget_class_bind_template_child (widget_class, NcPreferencesWindow, account_status_row);
  gtk_widget_class_bind_template_child (widget_class, NcPreferencesWindow, url_row);
  gtk_widget_class_bind_template_child (widget_class, NcPreferencesWindow, health_status_row);
  gtk_widget_class_bind_template_child (widget_class, NcPreferencesWindow, health_accepted_row);
  gtk_widget_class_bind_template_child (widget_class, NcPreferencesWindow, health_rejected_row);
  gtk_widget_class_bind_template_child (widget_class, NcPreferencesWindow, health_last_row);
  gtk_widget_class_bind_template_callback (widget_class, save_clicked);
  gtk_widget_class_bind_template_callback (widget_class, check_clicked);
  gtk_widget_class_bind_template_callback (widget_class, copy_clicked);
  gtk_widget_class_bind_template_callback (widget_class, register_clicked);
}

static void
nc_preferences_window_init (NcPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
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
  g_signal_connect_object (self->settings, "changed", G_CALLBACK (update_url), self,
                           G_CONNECT_SWAPPED);
  nc_secrets_get_webhook_token_async (self->cancellable, token_found, g_object_ref (self));
}

NcPreferencesWindow *
nc_preferences_window_new (GtkWindow *parent)
{
  NcPreferencesWindow *self = g_object_new (NC_TYPE_PREFERENCES_WINDOW,
                                            "transient-for", parent,
                                            "modal", parent != NULL,
                                            NULL);
  GtkApplication *application = parent != NULL ? gtk_window_get_application (parent) : NULL;

  if (NC_IS_APPLICATION (application))
    {
      NcWebhookServer *listener = nc_application_get_listener (NC_APPLICATION (application));

      g_set_weak_pointer (&self->application, NC_APPLICATION (application));
      g_signal_connect_object (application, "listener-changed", G_CALLBACK (update_health), self,
                               G_CONNECT_SWAPPED);
      if (listener != NULL)
        g_signal_connect_object (listener, "health-changed", G_CALLBACK (update_health), self,
                                 G_CONNECT_SWAPPED);
    }
  update_health (self);
  return self;
}
