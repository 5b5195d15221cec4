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
#include "nc-setup-check.h"
#include "nc-webhook-url.h"

struct _NcPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;

  AdwComboRow          *server_row;
  AdwEntryRow          *api_url_row;
  AdwPreferencesGroup  *messengers_group;
  AdwPreferencesGroup  *setup_group;
  GtkSpinner           *setup_spinner;
  GtkButton            *setup_button;
  GPtrArray            *setup_rows;
  GPtrArray            *messenger_switches;
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

/* The server ------------------------------------------------------------------------ */

static void
show_server (NcPreferencesWindow *self)
{
  g_autofree char *url = nc_settings_dup_string (self->settings, "api-url");
  NcApiServer server = nc_api_server_from_url (url);

  adw_combo_row_set_selected (self->server_row, server);
  gtk_widget_set_visible (GTK_WIDGET (self->api_url_row), server == NC_API_SERVER_CUSTOM);
  if (server == NC_API_SERVER_CUSTOM)
    gtk_editable_set_text (GTK_EDITABLE (self->api_url_row), url);
}

static void
server_selected (NcPreferencesWindow *self)
{
  NcApiServer server = adw_combo_row_get_selected (self->server_row);
  const char *url = nc_api_server_get_url (server);

  if (self->settings == NULL)
    return;
  gtk_widget_set_visible (GTK_WIDGET (self->api_url_row), server == NC_API_SERVER_CUSTOM);
  if (url != NULL)
    g_settings_set_string (self->settings, "api-url", url);
  else
    gtk_widget_grab_focus (GTK_WIDGET (self->api_url_row));
}

static void
api_url_applied (NcPreferencesWindow *self)
{
  g_autofree char *url = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->api_url_row))));

  if (self->settings == NULL)
    return;
  if (!nc_api_url_is_valid (url))
    {
      adw_preferences_window_add_toast (
        ADW_PREFERENCES_WINDOW (self),
        adw_toast_new (_("The server address must be an http:// or https:// address, such as "
                         "https://api-sandbox.zadarma.com")));
      gtk_widget_add_css_class (GTK_WIDGET (self->api_url_row), "error");
      return;
    }
  gtk_widget_remove_css_class (GTK_WIDGET (self->api_url_row), "error");
  g_settings_set_string (self->settings, "api-url", url);
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                    adw_toast_new (_("The server address is saved")));
}

/* Connected messengers -------------------------------------------------------------- */

static NcStore *
get_store (NcPreferencesWindow *self)
{
  return self->application != NULL ? nc_application_get_store (self->application) : NULL;
}

static void
messengers_written (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  NcPreferencesWindow *self = NC_PREFERENCES_WINDOW (source);
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_autofree char *message = g_strdup_printf (_("The messengers were not saved: %s"),
                                                  error->message);

      adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (message));
    }
}

static void
write_messengers_in_thread (GTask        *task,
                            gpointer      source_object,
                            gpointer      task_data,
                            GCancellable *cancellable)
{
  GStrv messengers = task_data;
  NcStore *store = g_object_get_data (G_OBJECT (task), "nc-store");
  GError *error = NULL;

  if (!nc_store_set_messengers_sync (store, (const char *const *) messengers, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
messenger_toggled (NcPreferencesWindow *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  NcStore *store = get_store (self);
  g_autoptr(GTask) task = NULL;

  if (store == NULL)
    return;
  for (guint i = 0; i < self->messenger_switches->len; i++)
    if (gtk_switch_get_active (self->messenger_switches->pdata[i]))
      g_strv_builder_add (builder, nc_channel_to_string (i + 1));

  task = g_task_new (self, self->cancellable, messengers_written, NULL);
  g_object_set_data_full (G_OBJECT (task), "nc-store", g_object_ref (store), g_object_unref);
  g_task_set_task_data (task, g_strv_builder_end (builder), (GDestroyNotify) g_strfreev);
  g_task_run_in_thread (task, write_messengers_in_thread);
}

static void
show_messengers (NcPreferencesWindow *self)
{
  NcStore *store = get_store (self);
  g_auto(GStrv) connected = store != NULL ? nc_store_get_messengers_sync (store, NULL) : NULL;

  gtk_widget_set_sensitive (GTK_WIDGET (self->messengers_group), store != NULL);
  for (guint i = 0; i < self->messenger_switches->len; i++)
    {
      GtkSwitch *toggle = self->messenger_switches->pdata[i];

      g_signal_handlers_block_by_func (toggle, messenger_toggled, self);
      gtk_switch_set_active (toggle, connected != NULL &&
                                     g_strv_contains ((const char *const *) connected,
                                                      nc_channel_to_string (i + 1)));
      g_signal_handlers_unblock_by_func (toggle, messenger_toggled, self);
    }
}

static void
add_messenger_rows (NcPreferencesWindow *self)
{
  /* Every channel but telephony is a messenger. */
  for (guint channel = NC_CHANNEL_TELEPHONY + 1; channel < NC_N_CHANNELS; channel++)
    {
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *toggle = gtk_switch_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), nc_channel_get_label (channel));
      gtk_widget_set_valign (toggle, GTK_ALIGN_CENTER);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), toggle);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), toggle);
      g_signal_connect_swapped (toggle, "notify::active", G_CALLBACK (messenger_toggled), self);
      adw_preferences_group_add (self->messengers_group, row);
      g_ptr_array_add (self->messenger_switches, toggle);
    }
}

/* Setup check ------------------------------------------------------------------------ */

static void
clear_setup_rows (NcPreferencesWindow *self)
{
  for (guint i = 0; i < self->setup_rows->len; i++)
    adw_preferences_group_remove (self->setup_group, self->setup_rows->pdata[i]);
  g_ptr_array_set_size (self->setup_rows, 0);
}

static void
add_setup_row (NcPreferencesWindow    *self,
               const NcSetupCheckItem *item)
{
  static const struct { const char *icon; const char *style; } looks[] = {
    [NC_SETUP_CHECK_PASSED] = { "emblem-ok-symbolic", "success" },
    [NC_SETUP_CHECK_FAILED] = { "dialog-warning-symbolic", "error" },
    [NC_SETUP_CHECK_SKIPPED] = { "action-unavailable-symbolic", "dim-label" },
  };
  static const char *const verdicts[] = { N_("Passed"), N_("Needs fixing"), N_("Not checked") };
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *icon = gtk_image_new_from_icon_name (looks[item->status].icon);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), item->title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), item->detail);
  gtk_widget_add_css_class (icon, looks[item->status].style);
  gtk_widget_set_tooltip_text (icon, _(verdicts[item->status]));
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _(verdicts[item->status]), -1);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  adw_preferences_group_add (self->setup_group, row);
  g_ptr_array_add (self->setup_rows, row);
}

static void
setup_busy (NcPreferencesWindow *self,
            gboolean             busy)
{
  gtk_spinner_set_spinning (self->setup_spinner, busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->setup_button), !busy);
}

/* The check ended before it had items: one row says why. */
static void
setup_failed (NcPreferencesWindow *self,
              const char          *title,
              const char          *detail)
{
  NcSetupCheckItem failed = { (char *) title, NC_SETUP_CHECK_FAILED, (char *) detail };

  setup_busy (self, FALSE);
  clear_setup_rows (self);
  add_setup_row (self, &failed);
}

static void
setup_checked (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(NcPreferencesWindow) self = user_data;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;

  items = nc_setup_check_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (items == NULL)
    {
      setup_failed (self, _("The Check Could Not Run"), error->message);
      return;
    }
  setup_busy (self, FALSE);
  clear_setup_rows (self);
  for (guint i = 0; i < items->len; i++)
    add_setup_row (self, items->pdata[i]);
  g_signal_emit_by_name (self, "setup-checked");
}

static void
credentials_for_setup (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(NcPreferencesWindow) self = user_data;
  g_autoptr(NcCredentials) credentials = NULL;
  g_autoptr(NcZadarmaClient) client = NULL;
  g_autoptr(GError) error = NULL;
  NcStore *store = get_store (self);

  credentials = nc_secrets_lookup_credentials_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (credentials == NULL && !g_error_matches (error, NC_SECRETS_ERROR, NC_SECRETS_ERROR_MISSING))
    {
      setup_failed (self, _("API Key and Secret"), error->message);
      return;
    }
  if (store == NULL)
    {
      setup_failed (self, _("The Check Could Not Run"),
                    _("The project’s data is not open yet; try again in a moment."));
      return;
    }
  if (credentials != NULL)
    client = client_from (self, credentials);
  nc_setup_check_async (client, store, self->cancellable, setup_checked, g_object_ref (self));
}

static void
setup_clicked (NcPreferencesWindow *self)
{
  setup_busy (self, TRUE);
  nc_secrets_lookup_credentials_async (self->cancellable, credentials_for_setup,
                                       g_object_ref (self));
}

/**
 * nc_preferences_window_run_setup_check:
 *
 * Shows the Setup Check page and runs the check, as its button does.
 */
void
nc_preferences_window_run_setup_check (NcPreferencesWindow *self)
{
  g_return_if_fail (NC_IS_PREFERENCES_WINDOW (self));

  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (self), "setup-check");
  setup_clicked (self);
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
  g_clear_pointer (&self->setup_rows, g_ptr_array_unref);
  g_clear_pointer (&self->messenger_switches, g_ptr_array_unref);
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
  gtk_widget_class_bind_template_child (widget_class, NcPreferencesWindow, server_row);
  gtk_widget_class_bind_template_child (widget_class, NcPreferencesWindow, api_url_row);
  gtk_widget_class_bind_template_child (widget_class, NcPreferencesWindow, messengers_group);
  gtk_widget_class_bind_template_child (widget_class, NcPreferencesWindow, setup_group);
  gtk_widget_class_bind_template_child (widget_class, NcPreferencesWindow, setup_spinner);
  gtk_widget_class_bind_template_child (widget_class, NcPreferencesWindow, setup_button);
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
  gtk_widget_class_bind_template_callback (widget_class, server_selected);
  gtk_widget_class_bind_template_callback (widget_class, api_url_applied);
  gtk_widget_class_bind_template_callback (widget_class, setup_clicked);

  /**
   * NcPreferencesWindow::setup-checked:
   *
   * The setup check finished and its rows are shown.
   */
  g_signal_new ("setup-checked", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                NULL, G_TYPE_NONE, 0);
}

static void
nc_preferences_window_init (NcPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->setup_rows = g_ptr_array_new ();
  self->messenger_switches = g_ptr_array_new ();
  add_messenger_rows (self);
  self->settings = nc_settings_new_if_installed ();
  if (self->settings == NULL)
    {
      g_warning ("The settings schema %s is not installed; preferences cannot be saved",
                 APPLICATION_ID);
      return;
    }

  show_server (self);
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
  GApplication *fallback = g_application_get_default ();
  GtkApplication *application = parent != NULL ? gtk_window_get_application (parent)
                                               : GTK_IS_APPLICATION (fallback)
                                               ? GTK_APPLICATION (fallback) : NULL;

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
  show_messengers (self);
  return self;
}
