/* nc-webhooks-page.c — Preferences: the listener, its address for the cabinet, its health
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The health figures follow the listener the session runs now: a new one after the port
 * or the account changed. Without an account nothing here can work yet (the PBX signs
 * its events with the account's Secret), so it is insensitive and says so.
 */

#define G_LOG_DOMAIN "nc-webhooks-page"

#include "config.h"

#include <glib/gi18n.h>

#include "nc-settings.h"
#include "nc-ui-util.h"
#include "nc-webhooks-page.h"

struct _NcWebhooksPage
{
  AdwPreferencesPage   parent_instance;

  NcSession           *session;
  NcWebhookServer     *listener;     /* whose health is shown */
  GCancellable        *cancellable;

  AdwPreferencesGroup *listener_group;
  AdwActionRow        *switch_row;
  GtkSwitch           *webhook_switch;
  AdwEntryRow         *bind_row;
  AdwActionRow        *port_row;
  GtkSpinButton       *port_spin;
  AdwEntryRow         *public_url_row;
  AdwPreferencesGroup *address_group;
  AdwActionRow        *url_row;
  GtkButton           *copy_button;
  GtkButton           *register_button;
  AdwActionRow        *health_status_row;
  AdwActionRow        *health_accepted_row;
  AdwActionRow        *health_rejected_row;
  AdwActionRow        *health_last_row;
  GtkSwitch           *notify_end_switch;
  GtkSwitch           *every_call_switch;
};

G_DEFINE_FINAL_TYPE (NcWebhooksPage, nc_webhooks_page, ADW_TYPE_PREFERENCES_PAGE)

static void
toast (NcWebhooksPage *self,
       const char     *message)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (ADW_IS_PREFERENCES_WINDOW (root))
    adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (root), nc_toast_new (message));
}

static void
update_health (NcWebhooksPage *self)
{
  const NcWebhookHealth *health;
  g_autofree char *accepted = NULL;
  g_autofree char *rejected = NULL;
  g_autofree char *last = NULL;
  const char *problem = nc_session_get_listener_problem (self->session);

  if (self->listener == NULL)
    {
      adw_action_row_set_subtitle (self->health_status_row,
                                   problem != NULL ? problem : _("Not running"));
      adw_action_row_set_subtitle (self->health_accepted_row, "—");
      adw_action_row_set_subtitle (self->health_rejected_row, "—");
      adw_action_row_set_subtitle (self->health_last_row, "—");
      return;
    }

  health = nc_webhook_server_get_health (self->listener);
  if (nc_session_get_demo (self->session))
    adw_action_row_set_subtitle (self->health_status_row,
                                 _("Running, for the demo’s simulated PBX"));
  else
    {
      g_autofree char *running = g_strdup_printf (_("Running on port %u"),
                                                  nc_webhook_server_get_port (self->listener));

      adw_action_row_set_subtitle (self->health_status_row, running);
    }
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

/* The figures of the listener that exists now, not of the one there was. */
static void
listener_changed (NcWebhooksPage *self)
{
  NcWebhookServer *listener = nc_session_get_listener (self->session);

  if (self->listener != NULL)
    g_signal_handlers_disconnect_by_data (self->listener, self);
  g_set_object (&self->listener, listener);
  if (listener != NULL)
    g_signal_connect_object (listener, "health-changed", G_CALLBACK (update_health), self,
                             G_CONNECT_SWAPPED);
  update_health (self);
}

static void
update_address (NcWebhooksPage *self)
{
  gboolean reachable = FALSE;
  g_autofree char *url = nc_session_dup_webhook_url (self->session, &reachable);
  gboolean account = nc_session_get_account_ready (self->session);
  gboolean demo = nc_session_get_demo (self->session);
  const char *why = NULL;

  if (demo)
    why = _("In the demo, the simulated PBX sends its events to a listener of its own.");
  else if (!account)
    why = _("Connect the Novofon account first (Account page): the PBX signs its events with "
            "the account’s Secret, and the listener checks them with it.");

  gtk_widget_set_sensitive (GTK_WIDGET (self->listener_group), why == NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->address_group), why == NULL && url != NULL);
  adw_preferences_group_set_description (self->listener_group,
                                         why != NULL ? why
                                                     : _("The PBX reports every call to this "
                                                         "listener."));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->url_row), _("Webhook Address"));
  if (url == NULL)
    adw_action_row_set_subtitle (self->url_row, why != NULL ? _("No address without an account")
                                                            : _("Not known yet"));
  else if (!reachable)
    {
      /* Translators: the webhook address, then why the PBX cannot reach it */
      g_autofree char *text = g_strdup_printf (_("%s\nThis is a local address: the PBX, out "
                                                 "on the internet, cannot reach it. Set the "
                                                 "public address of a reverse proxy or a "
                                                 "tunnel above."), url);

      adw_action_row_set_subtitle (self->url_row, text);
    }
  else
    adw_action_row_set_subtitle (self->url_row, url);
}

static void
copy_clicked (NcWebhooksPage *self)
{
  g_autofree char *url = nc_session_dup_webhook_url (self->session, NULL);

  if (url == NULL)
    return;
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), url);
  toast (self, _("The address is copied"));
}

static void
registered (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(NcWebhooksPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  gtk_widget_set_sensitive (GTK_WIDGET (self->register_button), TRUE);
  if (!nc_zadarma_client_set_webhook_url_finish (NC_ZADARMA_CLIENT (source), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      message = nc_zadarma_error_to_user_message (error);
    }
  else
    message = g_strdup (_("Registered with Novofon. In the cabinet, check that “Интеграция "
                          "активна” is on."));
  toast (self, message);
}

static void
register_clicked (NcWebhooksPage *self)
{
  NcZadarmaClient *client = nc_session_get_zadarma_client (self->session);
  g_autofree char *url = nc_session_dup_webhook_url (self->session, NULL);

  if (client == NULL || url == NULL)
    return;
  gtk_widget_set_sensitive (GTK_WIDGET (self->register_button), FALSE);
  /* Events on before the URL, so that none is lost between the two. */
  nc_zadarma_client_enable_notifications_async (client, self->cancellable, NULL, NULL);
  nc_zadarma_client_set_webhook_url_async (client, url, self->cancellable, registered,
                                           g_object_ref (self));
}

static void
nc_webhooks_page_dispose (GObject *object)
{
  NcWebhooksPage *self = NC_WEBHOOKS_PAGE (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->listener != NULL)
    g_signal_handlers_disconnect_by_data (self->listener, self);
  g_clear_object (&self->listener);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (nc_webhooks_page_parent_class)->dispose (object);
}

static void
nc_webhooks_page_class_init (NcWebhooksPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = nc_webhooks_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_BASE_PATH "/nc-webhooks-page.ui");
  gtk_widget_class_bind_template_child (widget_class, NcWebhooksPage, listener_group);
  gtk_widget_class_bind_template_child (widget_class, NcWebhooksPage, switch_row);
  gtk_widget_class_bind_template_child (widget_class, NcWebhooksPage, webhook_switch);
  gtk_widget_class_bind_template_child (widget_class, NcWebhooksPage, bind_row);
  gtk_widget_class_bind_template_child (widget_class, NcWebhooksPage, port_row);
  gtk_widget_class_bind_template_child (widget_class, NcWebhooksPage, port_spin);
  gtk_widget_class_bind_template_child (widget_class, NcWebhooksPage, public_url_row);
  gtk_widget_class_bind_template_child (widget_class, NcWebhooksPage, address_group);
  gtk_widget_class_bind_template_child (widget_class, NcWebhooksPage, url_row);
  gtk_widget_class_bind_template_child (widget_class, NcWebhooksPage, copy_button);
  gtk_widget_class_bind_template_child (widget_class, NcWebhooksPage, register_button);
  gtk_widget_class_bind_template_child (widget_class, NcWebhooksPage, health_status_row);
  gtk_widget_class_bind_template_child (widget_class, NcWebhooksPage, health_accepted_row);
  gtk_widget_class_bind_template_child (widget_class, NcWebhooksPage, health_rejected_row);
  gtk_widget_class_bind_template_child (widget_class, NcWebhooksPage, health_last_row);
  gtk_widget_class_bind_template_child (widget_class, NcWebhooksPage, notify_end_switch);
  gtk_widget_class_bind_template_child (widget_class, NcWebhooksPage, every_call_switch);
  gtk_widget_class_bind_template_callback (widget_class, copy_clicked);
  gtk_widget_class_bind_template_callback (widget_class, register_clicked);
}

static void
nc_webhooks_page_init (NcWebhooksPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
}

GtkWidget *
nc_webhooks_page_new (NcSession *session)
{
  NcWebhooksPage *self = g_object_new (NC_TYPE_WEBHOOKS_PAGE, NULL);
  GSettings *settings = nc_session_get_settings (session);
  static const char *const session_changes[] = {
    "notify::account-ready", "notify::listener", "notify::webhook-url",
  };

  self->session = g_object_ref (session);
  if (settings != NULL)
    {
      g_settings_bind (settings, "webhook-enabled", self->webhook_switch, "active",
                       G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "webhook-bind", self->bind_row, "text", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "webhook-port", self->port_spin, "value", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "webhook-public-url", self->public_url_row, "text",
                       G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "notify-call-end", self->notify_end_switch, "active",
                       G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "caller-card-every-call", self->every_call_switch, "active",
                       G_SETTINGS_BIND_DEFAULT);
      g_signal_connect_object (settings, "changed", G_CALLBACK (update_address), self,
                               G_CONNECT_SWAPPED);
    }
  for (guint i = 0; i < G_N_ELEMENTS (session_changes); i++)
    g_signal_connect_object (session, session_changes[i], G_CALLBACK (update_address), self,
                             G_CONNECT_SWAPPED);
  g_signal_connect_object (session, "notify::listener", G_CALLBACK (listener_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (session, "notify::listener-problem", G_CALLBACK (update_health), self,
                           G_CONNECT_SWAPPED);
  listener_changed (self);
  update_address (self);
  return GTK_WIDGET (self);
}
