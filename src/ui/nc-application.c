/* nc-application.c — the composition root
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * NcApplication creates the core objects and hands them to windows. Widgets never create
 * core objects themselves.
 */

#define G_LOG_DOMAIN "nc-application"

#include "config.h"

#include <glib/gi18n.h>

#include "nc-application.h"
#include "nc-call-notifier.h"
#include "nc-call-service.h"
#include "nc-call-tracker.h"
#include "nc-demo.h"
#include "nc-secrets.h"
#include "nc-webhook-server.h"
#include "nc-settings.h"
#include "nc-store.h"
#include "nc-zadarma-call.h"
#include "nc-paths.h"
#include "nc-preferences-window.h"
#include "nc-window.h"

struct _NcApplication
{
  AdwApplication  parent_instance;

  char           *data_dir;
  NcCallTracker  *tracker;
  NcCallNotifier *notifier;
  GSettings      *settings;
  NcStore        *store;
  GCancellable   *cancellable;
  NcClientMatcher *matcher;
  NcCallService  *service;
  NcWebhookServer *listener;
  NcZadarmaClient *client;
  char           *listener_problem;
  NcCredentials  *credentials;
  NcDemo         *demo;
  gboolean        demo_wanted;
  gboolean        demo_if_no_account;
};

enum {
  SIGNAL_LISTENER_CHANGED,
  SIGNAL_STORE_READY,
  SIGNAL_ACCOUNT_READY,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (NcApplication, nc_application, ADW_TYPE_APPLICATION)

static const GOptionEntry option_entries[] = {
  { "data-dir", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    N_("Keep the project’s data in DIR"), N_("DIR") },
  { "version", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Show the version and quit"), NULL },
  { "demo", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Try the console on a simulated PBX with made-up clients and calls"), NULL },
  { "demo-if-no-account", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, NULL, NULL, NULL },
  { NULL }
};

static int
nc_application_handle_local_options (GApplication *application,
                                     GVariantDict *options)
{
  NcApplication *self = NC_APPLICATION (application);
  const char *data_dir = NULL;

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("novofon-console %s\n", PACKAGE_VERSION);
      return 0;
    }

  self->demo_wanted = g_variant_dict_contains (options, "demo");
  self->demo_if_no_account = g_variant_dict_contains (options, "demo-if-no-account");

  if (g_variant_dict_lookup (options, "data-dir", "^&ay", &data_dir))
    {
      g_free (self->data_dir);
      self->data_dir = nc_paths_dup_data_dir (data_dir);
    }

  return G_APPLICATION_CLASS (nc_application_parent_class)->handle_local_options (application,
                                                                                  options);
}

static void
nc_application_activate (GApplication *application)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (application));

  if (window == NULL)
    {
      window = GTK_WINDOW (nc_window_new (NC_APPLICATION (application)));
      nc_window_set_demo (NC_WINDOW (window), NC_APPLICATION (application)->demo != NULL);
    }

  gtk_window_present (window);
}

static void
quit_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  GApplication *application = G_APPLICATION (user_data);
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (application));

  /* Destroying the windows rather than calling g_application_quit() lets each one save its
   * state and finish its work in dispose. */
  while (windows != NULL)
    {
      gtk_window_destroy (GTK_WINDOW (windows->data));
      windows = gtk_application_get_windows (GTK_APPLICATION (application));
    }
}

static NcPreferencesWindow *
present_preferences (GtkApplication *application)
{
  GtkWindow *parent = gtk_application_get_active_window (application);
  NcPreferencesWindow *preferences = nc_preferences_window_new (parent);

  gtk_window_present (GTK_WINDOW (preferences));
  return preferences;
}

static void
preferences_activated (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  present_preferences (GTK_APPLICATION (user_data));
}

static void
setup_check_activated (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  nc_preferences_window_run_setup_check (present_preferences (GTK_APPLICATION (user_data)));
}

/**
 * nc_application_create_about_window:
 *
 * libadwaita 1.2 cannot read the About window from the metainfo, so the facts are repeated
 * here; tests/test-window.c checks that they agree with data/…metainfo.xml.
 *
 * Returns: (transfer floating): a new About window
 */
GtkWindow *
nc_application_create_about_window (NcApplication *self)
{
  static const char *developers[] = { "The Novofon Console developers", NULL };
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));

  return g_object_new (ADW_TYPE_ABOUT_WINDOW,
                       "transient-for", parent,
                       "modal", TRUE,
                       "application-icon", APPLICATION_ID,
                       "application-name", _("Novofon Console"),
                       "developer-name", "The Novofon Console developers",
                       "version", PACKAGE_VERSION,
                       "comments", _("Call clients and watch every call of your cloud PBX"),
                       "website", "https://github.com/novofonconsole/novofon-console",
                       "issue-url", "https://github.com/novofonconsole/novofon-console/issues",
                       "license-type", GTK_LICENSE_GPL_3_0,
                       "developers", developers,
                       /* Translators: put your names here, one per line */
                       "translator-credits", _("translator-credits"),
                       "copyright", "© 2026 The Novofon Console developers",
                       NULL);
}

static void
about_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  gtk_window_present (nc_application_create_about_window (NC_APPLICATION (user_data)));
}

static void
open_client_activated (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  NcApplication *self = NC_APPLICATION (user_data);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    window = GTK_WINDOW (nc_window_new (self));

  nc_window_show_client (NC_WINDOW (window), g_variant_get_string (parameter, NULL));
  gtk_window_present (window);
}

/* A bot or a script that calls app.zadarma-call sees no window: a failure must reach a
 * person some other way, so it raises a notification (and a warning in the journal). */
static void
report_call_failure (NcApplication *self,
                     const char    *message)
{
  g_autoptr(GNotification) notification = g_notification_new (_("The Call Was Not Placed"));

  g_warning ("zadarma-call: %s", message);
  g_notification_set_body (notification, message);
  g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_HIGH);
  g_application_send_notification (G_APPLICATION (self), "zadarma-call-failed", notification);
}

typedef struct
{
  NcApplication *self;
  guint64        request_id;
} CallContext;

static void
zadarma_call_done (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  CallContext *context = user_data;
  g_autoptr(NcApplication) self = context->self;
  g_autoptr(NcZadarmaCallback) callback = NULL;
  g_autoptr(GError) error = NULL;

  g_free (context);
  callback = nc_zadarma_call_finish (result, &error);
  if (callback == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *message = nc_zadarma_error_to_user_message (error);

      report_call_failure (self, message);
    }
  g_application_release (G_APPLICATION (self));
}

static void
zadarma_call_activated (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  NcApplication *self = NC_APPLICATION (user_data);
  const char *client_phone, *employee_phone, *employee_id;
  g_autoptr(NcCallRequest) request = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *api_url = nc_settings_dup_api_url (self->settings);
  CallContext *context;

  g_variant_get (parameter, "(&s&s&s)", &client_phone, &employee_phone, &employee_id);
  request = nc_call_request_new (client_phone, employee_phone, employee_id, &error);
  if (request == NULL)
    {
      report_call_failure (self, error->message);
      return;
    }

  /* The NOTIFY_OUT_START this causes is tied back to the request by the tracker. */
  context = g_new0 (CallContext, 1);
  context->self = g_object_ref (self);
  context->request_id = nc_call_tracker_expect_callback (self->tracker, request->employee_id,
                                                         request->client_phone,
                                                         request->employee_phone,
                                                         g_get_real_time ());
  g_application_hold (G_APPLICATION (self));
  nc_zadarma_call_async (self->store, api_url, request, self->cancellable, zadarma_call_done,
                         context);
}

static void
set_listener_problem (NcApplication *self,
                      const char    *problem)
{
  g_free (self->listener_problem);
  self->listener_problem = g_strdup (problem);
  if (problem != NULL)
    g_message ("The webhook listener is not running: %s", problem);
  g_signal_emit (self, signals[SIGNAL_LISTENER_CHANGED], 0);
}

static void
token_found (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(NcApplication) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = nc_secrets_get_webhook_token_finish (result, &error);
  g_autofree char *bind = NULL;

  if (token == NULL)
    {
      set_listener_problem (self, error->message);
      return;
    }

  bind = nc_settings_dup_string (self->settings, "webhook-bind");
  self->listener = nc_webhook_server_new (self->store, self->credentials->secret, token);
  nc_webhook_server_set_matcher (self->listener, self->matcher);
  nc_call_service_attach (self->service, self->listener);
  if (!nc_webhook_server_listen (self->listener, bind,
                                 (guint) nc_settings_get_int (self->settings, "webhook-port"),
                                 &error))
    {
      g_autofree char *problem = g_strdup_printf (_("Could not listen for the PBX’s events: %s"),
                                                  error->message);

      g_clear_object (&self->listener);
      set_listener_problem (self, problem);
    }
  else
    set_listener_problem (self, NULL);
}

/* With an account, recordings get their links, and the listener can check signatures. */
static void
start_account (NcApplication *self)
{
  g_autofree char *api_url = nc_settings_dup_api_url (self->settings);

  if (self->credentials == NULL)
    return;

  self->client = nc_zadarma_client_new (api_url, self->credentials->key,
                                        self->credentials->secret);
  nc_zadarma_client_set_store (self->client, self->store);
  nc_call_service_set_client (self->service, self->client);
  g_signal_emit (self, signals[SIGNAL_ACCOUNT_READY], 0);

  if (!nc_settings_get_boolean (self->settings, "webhook-enabled"))
    {
      set_listener_problem (self, _("Receiving call events is off in Preferences"));
      return;
    }

  nc_secrets_get_webhook_token_async (self->cancellable, token_found, g_object_ref (self));
}

static void
start_demo (NcApplication *self)
{
  g_autoptr(GError) error = NULL;
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (self));

  self->demo = nc_demo_new (self->store, self->service, self->tracker);
  if (!nc_demo_start (self->demo, 6000, &error))
    {
      g_message ("The demo could not start: %s", error->message);
      g_clear_object (&self->demo);
      return;
    }
  self->client = g_object_ref (nc_demo_get_client (self->demo));
  g_signal_emit (self, signals[SIGNAL_ACCOUNT_READY], 0);
  self->listener = g_object_ref (nc_demo_get_listener (self->demo));
  nc_webhook_server_set_matcher (self->listener, self->matcher);
  set_listener_problem (self, NULL);
  for (GList *l = windows; l != NULL; l = l->next)
    if (NC_IS_WINDOW (l->data))
      {
        nc_window_set_demo (l->data, TRUE);
        nc_window_reload (l->data);
      }
}

static void
journal_replayed (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(NcApplication) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!nc_call_service_replay_finish (NC_CALL_SERVICE (source), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_message ("Could not read the call journal: %s", error->message);
      return;
    }
  /* Notifications are for calls that happen now, not for those the replay went over. */
  self->notifier = nc_call_notifier_new (G_APPLICATION (self), self->tracker, self->settings);
  if (self->demo_wanted)
    start_demo (self);
  else
    start_account (self);
}

static void store_opened (GObject *source, GAsyncResult *result, gpointer user_data);

/* The account decides the mode: a real one, or, without one and when asked, the demo,
 * whose data lives apart from the user's. */
static void
account_looked_up (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(NcApplication) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *demo_dir = NULL;

  self->credentials = nc_secrets_lookup_credentials_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (self->credentials == NULL)
    {
      set_listener_problem (self, error->message);
      if (self->demo_if_no_account)
        self->demo_wanted = TRUE;
    }

  if (self->demo_wanted)
    {
      demo_dir = g_build_filename (g_get_user_cache_dir (), "novofon-console", "demo", NULL);
      nc_store_open_async (demo_dir, self->cancellable, store_opened, g_object_ref (self));
      return;
    }
  nc_store_open_async (self->data_dir, self->cancellable, store_opened, g_object_ref (self));
}

static void
store_opened (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(NcApplication) self = user_data;
  g_autoptr(GError) error = NULL;
  NcStore *store = nc_store_open_finish (result, &error);

  if (store == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Could not open the project's data: %s", error->message);
      return;
    }
  self->store = store;
  g_signal_emit (self, signals[SIGNAL_STORE_READY], 0);
  self->matcher = nc_client_matcher_new (store);
  self->service = nc_call_service_new (store, self->matcher, self->tracker);
  nc_call_service_replay_async (self->service, self->cancellable, journal_replayed,
                                g_object_ref (self));
}

/* "Call back" from a notification: the same as the phone beside the client. */
static void
call_back_activated (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  NcApplication *self = NC_APPLICATION (user_data);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    window = GTK_WINDOW (nc_window_new (self));
  gtk_window_present (window);
  gtk_widget_activate_action_variant (GTK_WIDGET (window), "win.call-client", parameter);
}

static void
nc_application_startup (GApplication *application)
{
  NcApplication *self = NC_APPLICATION (application);
  static const GActionEntry app_actions[] = {
    { "quit", quit_activated },
    { "preferences", preferences_activated },
    { "setup-check", setup_check_activated },
    { "about", about_activated },
    { "open-client", open_client_activated, "s" },
    { "call-back", call_back_activated, "s" },
    { "zadarma-call", zadarma_call_activated, "(sss)" },
  };
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };

  G_APPLICATION_CLASS (nc_application_parent_class)->startup (application);

  g_action_map_add_action_entries (G_ACTION_MAP (application), app_actions,
                                   G_N_ELEMENTS (app_actions), application);
  gtk_application_set_accels_for_action (GTK_APPLICATION (application), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (application), "app.preferences",
                                         preferences_accels);

  self->settings = nc_settings_new_if_installed ();
  self->cancellable = g_cancellable_new ();
  nc_secrets_lookup_credentials_async (self->cancellable, account_looked_up, g_object_ref (self));
}

static void
nc_application_shutdown (GApplication *application)
{
  NcApplication *self = NC_APPLICATION (application);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->demo);
  if (self->listener != NULL)
    nc_webhook_server_stop (self->listener);
  if (self->store != NULL)
    nc_store_close (self->store);

  G_APPLICATION_CLASS (nc_application_parent_class)->shutdown (application);
}

static void
nc_application_finalize (GObject *object)
{
  NcApplication *self = NC_APPLICATION (object);

  g_clear_pointer (&self->data_dir, g_free);
  g_clear_object (&self->notifier);
  g_clear_object (&self->tracker);
  g_clear_object (&self->settings);
  g_clear_object (&self->demo);
  g_clear_pointer (&self->credentials, nc_credentials_free);
  g_clear_object (&self->listener);
  g_clear_object (&self->service);
  g_clear_object (&self->client);
  g_clear_object (&self->matcher);
  g_clear_object (&self->store);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->listener_problem, g_free);

  G_OBJECT_CLASS (nc_application_parent_class)->finalize (object);
}

static void
nc_application_class_init (NcApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = nc_application_finalize;
  app_class->handle_local_options = nc_application_handle_local_options;
  app_class->startup = nc_application_startup;
  app_class->shutdown = nc_application_shutdown;

  /**
   * NcApplication::listener-changed:
   *
   * The webhook listener started, or could not (see nc_application_get_listener_problem()).
   */
  /**
   * NcApplication::store-ready:
   *
   * The project's data is open: nc_application_get_store() has it.
   */
  signals[SIGNAL_STORE_READY] =
    g_signal_new ("store-ready", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);
  /**
   * NcApplication::account-ready:
   *
   * The API is known: nc_application_get_zadarma_client() has it (the simulator's in
   * demo mode).
   */
  signals[SIGNAL_ACCOUNT_READY] =
    g_signal_new ("account-ready", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_LISTENER_CHANGED] =
    g_signal_new ("listener-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 0);
  app_class->activate = nc_application_activate;
}

static void
nc_application_init (NcApplication *self)
{
  self->data_dir = nc_paths_dup_data_dir (NULL);
  self->tracker = nc_call_tracker_new ();

  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
  g_application_set_option_context_parameter_string (G_APPLICATION (self), _("[COMMAND …]"));
  g_application_set_option_context_summary (
    G_APPLICATION (self),
    _("Without a command, opens the console window. Commands run without a display; "
      "run “novofon-console help” to list them."));
}

NcApplication *
nc_application_new (void)
{
  return g_object_new (NC_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "resource-base-path", RESOURCE_BASE_PATH,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       NULL);
}

const char *
nc_application_get_data_dir (NcApplication *self)
{
  g_return_val_if_fail (NC_IS_APPLICATION (self), NULL);

  return self->data_dir;
}

/**
 * nc_application_get_call_tracker:
 *
 * Returns: (transfer none): the tracker that turns the PBX's events into calls
 */
NcCallTracker *
nc_application_get_call_tracker (NcApplication *self)
{
  g_return_val_if_fail (NC_IS_APPLICATION (self), NULL);

  return self->tracker;
}

/**
 * nc_application_get_listener:
 *
 * Returns: (transfer none) (nullable): the webhook listener, when it runs
 */
NcWebhookServer *
nc_application_get_listener (NcApplication *self)
{
  g_return_val_if_fail (NC_IS_APPLICATION (self), NULL);
  return self->listener;
}

/**
 * nc_application_get_listener_problem:
 *
 * Returns: (transfer none) (nullable): why the listener does not run, in a sentence
 */
const char *
nc_application_get_listener_problem (NcApplication *self)
{
  g_return_val_if_fail (NC_IS_APPLICATION (self), NULL);
  return self->listener_problem;
}

/**
 * nc_application_get_store:
 *
 * Returns: (transfer none) (nullable): the project's data, once open
 */
NcStore *
nc_application_get_store (NcApplication *self)
{
  g_return_val_if_fail (NC_IS_APPLICATION (self), NULL);
  return self->store;
}

/**
 * nc_application_get_zadarma_client:
 *
 * Returns: (transfer none) (nullable): the API with the account's credentials (the
 *   simulator's in demo mode), once known
 */
NcZadarmaClient *
nc_application_get_zadarma_client (NcApplication *self)
{
  g_return_val_if_fail (NC_IS_APPLICATION (self), NULL);
  return self->client;
}

/**
 * nc_application_get_settings:
 *
 * Returns: (transfer none) (nullable): the settings, where the schema is installed
 */
GSettings *
nc_application_get_settings (NcApplication *self)
{
  g_return_val_if_fail (NC_IS_APPLICATION (self), NULL);
  return self->settings;
}

/**
 * nc_application_place_call:
 *
 * Places an API callback for @request, ties it to the tracker, and calls @callback with
 * the outcome (see nc_zadarma_call_finish()).
 *
 * Returns: the tracker's id of the request
 */
guint64
nc_application_place_call (NcApplication       *self,
                           NcCallRequest       *request,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autofree char *api_url = nc_settings_dup_api_url (self->settings);
  guint64 id;

  g_return_val_if_fail (NC_IS_APPLICATION (self), 0);

  id = nc_call_tracker_expect_callback (self->tracker, request->employee_id,
                                        request->client_phone, request->employee_phone,
                                        g_get_real_time ());
  if (self->client != NULL)
    nc_zadarma_call_place_async (self->client, request, self->cancellable, callback, user_data);
  else
    nc_zadarma_call_async (self->store, api_url, request, self->cancellable, callback, user_data);
  return id;
}

/**
 * nc_application_get_demo:
 *
 * Returns: whether the console runs on the simulated PBX
 */
gboolean
nc_application_get_demo (NcApplication *self)
{
  g_return_val_if_fail (NC_IS_APPLICATION (self), FALSE);
  return self->demo != NULL;
}
