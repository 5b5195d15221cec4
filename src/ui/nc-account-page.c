/* nc-account-page.c — Preferences: the account, its server, the project's messengers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * "Check Connection" asks the API with what is typed, or, with nothing typed, with the
 * account in use. "Save" keeps the Key and Secret in the keyring and the session uses them
 * at once. A stored account shows its Key; its Secret is never shown again, not even as
 * dots, and "Forget" takes both out of the keyring.
 */

#define G_LOG_DOMAIN "nc-account-page"

#include "config.h"

#include <glib/gi18n.h>

#include "nc-account-page.h"
#include "nc-database-group.h"
#include "nc-settings.h"
#include "nc-ui-util.h"

struct _NcAccountPage
{
  AdwPreferencesPage   parent_instance;

  NcSession           *session;
  NcDatabaseGroup     *database_group;
  GCancellable        *cancellable;
  GPtrArray           *messenger_switches;
  gboolean             showing_key;

  AdwPreferencesGroup *credentials_group;
  AdwEntryRow         *key_row;
  AdwPasswordEntryRow *secret_row;
  AdwActionRow        *status_row;
  GtkSpinner          *spinner;
  GtkButton           *forget_button;
  GtkButton           *check_button;
  GtkButton           *save_button;
  AdwComboRow         *server_row;
  AdwEntryRow         *api_url_row;
  GtkLabel            *api_url_problem;
  AdwPreferencesGroup *messengers_group;
};

G_DEFINE_FINAL_TYPE (NcAccountPage, nc_account_page, ADW_TYPE_PREFERENCES_PAGE)

static void
say (NcAccountPage *self,
     const char    *text,
     gboolean       busy)
{
  adw_action_row_set_subtitle (self->status_row, text);
  gtk_spinner_set_spinning (self->spinner, busy);
}

static void
toast (NcAccountPage *self,
       const char    *message)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (ADW_IS_PREFERENCES_WINDOW (root))
    adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (root), nc_toast_new (message));
}

static char *
typed (AdwEntryRow *row)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
}

/* The account ------------------------------------------------------------------------ */

static void
update_account (NcAccountPage *self)
{
  const char *key = nc_session_get_api_key (self->session);
  gboolean demo = nc_session_get_demo (self->session);
  gboolean environment = nc_session_get_credentials_from_environment (self->session);
  gboolean stored = key != NULL && !demo && !environment;
  g_autofree char *key_text = typed (self->key_row);
  g_autofree char *secret_text = typed (ADW_ENTRY_ROW (self->secret_row));
  gboolean complete = *key_text != '\0' && *secret_text != '\0';

  /* The Key in use shows until something else is typed. */
  if (key != NULL && !demo && *key_text == '\0' && *secret_text == '\0')
    {
      self->showing_key = TRUE;
      gtk_editable_set_text (GTK_EDITABLE (self->key_row), key);
      self->showing_key = FALSE;
    }

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->secret_row),
                                 stored ? _("Secret (kept in the keyring; type to replace it)")
                                        : _("Secret"));
  gtk_widget_set_sensitive (GTK_WIDGET (self->key_row), !environment);
  gtk_widget_set_sensitive (GTK_WIDGET (self->secret_row), !environment);
  gtk_widget_set_visible (GTK_WIDGET (self->forget_button), stored);
  gtk_widget_set_sensitive (GTK_WIDGET (self->save_button), complete && !environment);
  gtk_widget_set_sensitive (GTK_WIDGET (self->check_button),
                            complete || nc_session_get_zadarma_client (self->session) != NULL);

  if (environment)
    adw_preferences_group_set_description (
      self->credentials_group,
      _("The Key and Secret come from the environment (NOVOFON_API_KEY and NOVOFON_API_SECRET), "
        "and win over the keyring: change them there."));
  else if (demo)
    adw_preferences_group_set_description (
      self->credentials_group,
      _("The demo uses a made-up account. Enter the Key and Secret of yours to leave the demo "
        "for it: in the Novofon cabinet, Settings → PBX users → Administrator → API, “Use "
        "API key”, lifetime “forever”."));
}

static void
typed_changed (NcAccountPage *self)
{
  if (!self->showing_key)
    update_account (self);
}

static void
balance_received (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(NcAccountPage) self = user_data;
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
  say (self, text, FALSE);
}

static void
check_clicked (NcAccountPage *self)
{
  g_autofree char *key = typed (self->key_row);
  g_autofree char *secret = typed (ADW_ENTRY_ROW (self->secret_row));
  g_autoptr(NcZadarmaClient) client = NULL;

  /* What is typed is what is checked; with nothing typed, the account in use. */
  if (*key != '\0' && *secret != '\0')
    client = nc_session_new_client (self->session, key, secret);
  else if (nc_session_get_zadarma_client (self->session) != NULL)
    client = g_object_ref (nc_session_get_zadarma_client (self->session));
  else
    {
      say (self, _("Type the Key and the Secret first"), FALSE);
      return;
    }
  say (self, _("Checking…"), TRUE);
  nc_zadarma_client_balance_async (client, self->cancellable, balance_received,
                                   g_object_ref (self));
}

static void
credentials_saved (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(NcAccountPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!nc_session_save_credentials_finish (NC_SESSION (source), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        say (self, error->message, FALSE);
      return;
    }
  /* The Secret is not shown back, not even as dots. */
  gtk_editable_set_text (GTK_EDITABLE (self->secret_row), "");
  update_account (self);
  toast (self, _("The Key and Secret are saved in the keyring"));
  check_clicked (self);
}

static void
save_clicked (NcAccountPage *self)
{
  g_autofree char *key = typed (self->key_row);
  g_autofree char *secret = typed (ADW_ENTRY_ROW (self->secret_row));

  if (*key == '\0' || *secret == '\0')
    {
      say (self, _("Type the Key and the Secret first"), FALSE);
      return;
    }
  say (self, _("Saving…"), TRUE);
  nc_session_save_credentials_async (self->session, key, secret, self->cancellable,
                                     credentials_saved, g_object_ref (self));
}

static void
credentials_forgotten (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(NcAccountPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!nc_session_forget_credentials_finish (NC_SESSION (source), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        say (self, error->message, FALSE);
      return;
    }
  gtk_editable_set_text (GTK_EDITABLE (self->key_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->secret_row), "");
  say (self, _("No account: the Key and Secret are no longer in the keyring"), FALSE);
  update_account (self);
}

static void
forget_clicked (NcAccountPage *self)
{
  nc_session_forget_credentials_async (self->session, self->cancellable, credentials_forgotten,
                                       g_object_ref (self));
}

/* The server ------------------------------------------------------------------------ */

static void
show_server (NcAccountPage *self)
{
  GSettings *settings = nc_session_get_settings (self->session);
  g_autofree char *url = nc_settings_dup_string (settings, "api-url");
  NcApiServer server = nc_api_server_from_url (url);

  adw_combo_row_set_selected (self->server_row, server);
  gtk_widget_set_visible (GTK_WIDGET (self->api_url_row), server == NC_API_SERVER_CUSTOM);
  if (server == NC_API_SERVER_CUSTOM)
    gtk_editable_set_text (GTK_EDITABLE (self->api_url_row), url);
}

static void
server_selected (NcAccountPage *self)
{
  GSettings *settings = self->session != NULL ? nc_session_get_settings (self->session) : NULL;
  NcApiServer server = adw_combo_row_get_selected (self->server_row);
  const char *url = nc_api_server_get_url (server);

  if (settings == NULL)
    return;
  gtk_widget_set_visible (GTK_WIDGET (self->api_url_row), server == NC_API_SERVER_CUSTOM);
  if (url != NULL)
    g_settings_set_string (settings, "api-url", url);
  else
    gtk_widget_grab_focus (GTK_WIDGET (self->api_url_row));
}

static void
api_url_problem (NcAccountPage *self,
                 const char    *problem)
{
  gtk_label_set_label (self->api_url_problem, problem != NULL ? problem : "");
  gtk_widget_set_visible (GTK_WIDGET (self->api_url_problem), problem != NULL);
  if (problem != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->api_url_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->api_url_row), "error");
}

static void
api_url_typed (NcAccountPage *self)
{
  /* The error stays beside the field until the address is changed. */
  api_url_problem (self, NULL);
}

static void
api_url_applied (NcAccountPage *self)
{
  GSettings *settings = nc_session_get_settings (self->session);
  g_autofree char *url = typed (self->api_url_row);

  if (settings == NULL)
    return;
  if (!nc_api_url_is_valid (url))
    {
      api_url_problem (self, _("The server address must be an http:// or https:// address, "
                               "such as https://api-sandbox.zadarma.com"));
      return;
    }
  api_url_problem (self, NULL);
  g_settings_set_string (settings, "api-url", url);
  toast (self, _("The server address is saved"));
}

/* Connected messengers -------------------------------------------------------------- */

static void
messengers_written (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(NcAccountPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!nc_store_set_messengers_finish (NC_STORE (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *message = g_strdup_printf (_("The messengers were not saved: %s"),
                                                  error->message);

      toast (self, message);
    }
}

static void
messenger_toggled (NcAccountPage *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) messengers = NULL;
  NcStore *store = nc_session_get_store (self->session);

  if (store == NULL)
    return;
  for (guint i = 0; i < self->messenger_switches->len; i++)
    if (gtk_switch_get_active (self->messenger_switches->pdata[i]))
      g_strv_builder_add (builder, nc_channel_to_string (i + 1));
  messengers = g_strv_builder_end (builder);
  nc_store_set_messengers_async (store, (const char *const *) messengers, self->cancellable,
                                 messengers_written, g_object_ref (self));
}

static void
messengers_read (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(NcAccountPage) self = user_data;
  g_auto(GStrv) connected = nc_store_get_messengers_finish (NC_STORE (source), result, NULL);

  if (connected == NULL || self->messenger_switches == NULL)
    return;
  gtk_widget_set_sensitive (GTK_WIDGET (self->messengers_group), TRUE);
  for (guint i = 0; i < self->messenger_switches->len; i++)
    {
      GtkSwitch *toggle = self->messenger_switches->pdata[i];

      g_signal_handlers_block_by_func (toggle, messenger_toggled, self);
      gtk_switch_set_active (toggle, g_strv_contains ((const char *const *) connected,
                                                      nc_channel_to_string (i + 1)));
      g_signal_handlers_unblock_by_func (toggle, messenger_toggled, self);
    }
}

static void
show_messengers (NcAccountPage *self)
{
  NcStore *store = nc_session_get_store (self->session);

  gtk_widget_set_sensitive (GTK_WIDGET (self->messengers_group), FALSE);
  if (store != NULL)
    nc_store_get_messengers_async (store, self->cancellable, messengers_read,
                                   g_object_ref (self));
}

static void
store_changed (NcStore       *store,
               NcStoreChange  kind,
               gint64         id,
               NcAccountPage *self)
{
  if (kind == NC_STORE_CHANGE_MESSENGERS)
    show_messengers (self);
}

static void
store_known (NcAccountPage *self)
{
  NcStore *store = nc_session_get_store (self->session);

  if (store != NULL)
    g_signal_connect_object (store, "changed", G_CALLBACK (store_changed), self, 0);
  show_messengers (self);
}

static void
add_messenger_rows (NcAccountPage *self)
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

/* ------------------------------------------------------------------------------------ */

static void
nc_account_page_dispose (GObject *object)
{
  NcAccountPage *self = NC_ACCOUNT_PAGE (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->messenger_switches, g_ptr_array_unref);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (nc_account_page_parent_class)->dispose (object);
}

static void
nc_account_page_class_init (NcAccountPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = nc_account_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_BASE_PATH "/nc-account-page.ui");
  g_type_ensure (NC_TYPE_DATABASE_GROUP);
  gtk_widget_class_bind_template_child (widget_class, NcAccountPage, credentials_group);
  gtk_widget_class_bind_template_child (widget_class, NcAccountPage, database_group);
  gtk_widget_class_bind_template_child (widget_class, NcAccountPage, key_row);
  gtk_widget_class_bind_template_child (widget_class, NcAccountPage, secret_row);
  gtk_widget_class_bind_template_child (widget_class, NcAccountPage, status_row);
  gtk_widget_class_bind_template_child (widget_class, NcAccountPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, NcAccountPage, forget_button);
  gtk_widget_class_bind_template_child (widget_class, NcAccountPage, check_button);
  gtk_widget_class_bind_template_child (widget_class, NcAccountPage, save_button);
  gtk_widget_class_bind_template_child (widget_class, NcAccountPage, server_row);
  gtk_widget_class_bind_template_child (widget_class, NcAccountPage, api_url_row);
  gtk_widget_class_bind_template_child (widget_class, NcAccountPage, api_url_problem);
  gtk_widget_class_bind_template_child (widget_class, NcAccountPage, messengers_group);
  gtk_widget_class_bind_template_callback (widget_class, typed_changed);
  gtk_widget_class_bind_template_callback (widget_class, save_clicked);
  gtk_widget_class_bind_template_callback (widget_class, check_clicked);
  gtk_widget_class_bind_template_callback (widget_class, forget_clicked);
  gtk_widget_class_bind_template_callback (widget_class, server_selected);
  gtk_widget_class_bind_template_callback (widget_class, api_url_applied);
  gtk_widget_class_bind_template_callback (widget_class, api_url_typed);
}

static void
nc_account_page_init (NcAccountPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->messenger_switches = g_ptr_array_new ();
  add_messenger_rows (self);
}

GtkWidget *
nc_account_page_new (NcSession *session)
{
  NcAccountPage *self = g_object_new (NC_TYPE_ACCOUNT_PAGE, NULL);

  self->session = g_object_ref (session);
  g_signal_connect_object (session, "notify::api-key", G_CALLBACK (update_account), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (session, "notify::zadarma-client", G_CALLBACK (update_account), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (session, "notify::store", G_CALLBACK (store_known), self,
                           G_CONNECT_SWAPPED);
  nc_database_group_set_settings (self->database_group, nc_session_get_settings (session),
                                  nc_session_uses_database (session));
  gtk_widget_set_visible (GTK_WIDGET (self->database_group),
                          nc_session_get_settings (session) != NULL && !nc_session_get_demo (session));
  if (nc_session_get_settings (session) == NULL)
    gtk_widget_set_sensitive (GTK_WIDGET (self->server_row), FALSE);
  else
    show_server (self);
  update_account (self);
  store_known (self);
  return GTK_WIDGET (self);
}
