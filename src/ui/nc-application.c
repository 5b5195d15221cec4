/* nc-application.c — the composition root of the window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * NcApplication builds the session (the core, wired once: nc-session.c) and hands it to
 * the windows it opens; widgets never create core objects themselves, and never reach back
 * here. Trying the demo, or leaving it for a real account, is a new session with its own
 * data and a new window for it.
 */

#define G_LOG_DOMAIN "nc-application"

#include "config.h"

#include <glib/gi18n.h>

#include "nc-application.h"
#include "nc-call-notifier.h"
#include "nc-paths.h"
#include "nc-preferences-window.h"
#include "nc-settings.h"
#include "nc-window.h"

enum {
  PROP_0,
  PROP_SESSION,
  N_PROPS
};

struct _NcApplication
{
  AdwApplication  parent_instance;

  char           *data_dir;
  GSettings      *settings;
  NcSession      *session;
  NcCallNotifier *notifier;
  GCancellable   *cancellable;
  GPtrArray      *waiting_calls;   /* zadarma-call's requests that came before the start */
  gboolean        started;
  gboolean        demo_wanted;
  gboolean        demo_if_no_account;
};

G_DEFINE_FINAL_TYPE (NcApplication, nc_application, ADW_TYPE_APPLICATION)

static GParamSpec *properties[N_PROPS];

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

static void start_session (NcApplication *self, gboolean demo);

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

static NcWindow *
find_window (NcApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (NC_IS_WINDOW (window))
    return NC_WINDOW (window);
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (NC_IS_WINDOW (l->data))
      return l->data;
  return NULL;
}

static NcWindow *
ensure_window (NcApplication *self)
{
  NcWindow *window = find_window (self);

  if (window == NULL)
    window = nc_window_new (GTK_APPLICATION (self), self->session);
  return window;
}

static void
nc_application_activate (GApplication *application)
{
  gtk_window_present (GTK_WINDOW (ensure_window (NC_APPLICATION (application))));
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
  /* A D-Bus service, or a run with a call on its way, holds the application: it goes too. */
  g_application_quit (application);
}

static NcPreferencesWindow *
present_preferences (NcApplication *self)
{
  GtkWindow *parent = GTK_WINDOW (find_window (self));
  NcPreferencesWindow *preferences = nc_preferences_window_new (parent, self->session);

  gtk_window_present (GTK_WINDOW (preferences));
  return preferences;
}

static void
preferences_activated (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  present_preferences (NC_APPLICATION (user_data));
}

static void
setup_check_activated (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  nc_preferences_window_run_setup_check (present_preferences (NC_APPLICATION (user_data)));
}

static void
connect_account_activated (GSimpleAction *action,
                           GVariant      *parameter,
                           gpointer       user_data)
{
  nc_preferences_window_show_account (present_preferences (NC_APPLICATION (user_data)));
}

static void
demo_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  NcApplication *self = NC_APPLICATION (user_data);

  if (!nc_session_get_demo (self->session))
    start_session (self, TRUE);
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
  NcWindow *window = ensure_window (NC_APPLICATION (user_data));

  nc_window_show_client (window, g_variant_get_string (parameter, NULL));
  gtk_window_present (GTK_WINDOW (window));
}

/* "Open" from the notification of a known caller: their card, as the list opens it. */
static void
open_client_card_activated (GSimpleAction *action,
                            GVariant      *parameter,
                            gpointer       user_data)
{
  NcWindow *window = ensure_window (NC_APPLICATION (user_data));

  gtk_window_present (GTK_WINDOW (window));
  gtk_widget_activate_action_variant (GTK_WIDGET (window), "win.show-client-id", parameter);
}

/* "Call back" from a notification: the same as the phone beside the client. */
static void
call_back_activated (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  NcApplication *self = NC_APPLICATION (user_data);
  NcWindow *window = ensure_window (self);
  NcDialer *dialer = nc_session_get_dialer (self->session);

  gtk_window_present (GTK_WINDOW (window));
  if (!nc_dialer_get_can_call (dialer))
    nc_window_add_toast (window, nc_dialer_get_problem (dialer));
  else
    gtk_widget_activate_action_variant (GTK_WIDGET (window), "win.call-client", parameter);
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

static void
zadarma_call_done (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(NcApplication) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = nc_dialer_call_request_finish (NC_DIALER (source), result, &error);

  if (message == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *reason = error->domain == NC_ZADARMA_ERROR
                                ? nc_zadarma_error_to_user_message (error)
                                : g_strdup (error->message);

      report_call_failure (self, reason);
    }
  g_application_release (G_APPLICATION (self));
}

static void
place_call (NcApplication *self,
            NcCallRequest *request)
{
  nc_dialer_call_request_async (nc_session_get_dialer (self->session), request,
                                self->cancellable, zadarma_call_done, g_object_ref (self));
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

  g_variant_get (parameter, "(&s&s&s)", &client_phone, &employee_phone, &employee_id);
  request = nc_call_request_new (client_phone, employee_phone, employee_id, &error);
  if (request == NULL)
    {
      report_call_failure (self, error->message);
      return;
    }

  g_application_hold (G_APPLICATION (self));
  /* A bot may call as the application starts (D-Bus activation): the request waits for
   * the account. */
  if (!self->started)
    {
      g_ptr_array_add (self->waiting_calls, g_steal_pointer (&request));
      return;
    }
  place_call (self, request);
}

/* ------------------------------------------------------------------------------------ */
/* Sessions                                                                             */

static void
session_started (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(NcApplication) self = user_data;
  NcSession *session = NC_SESSION (source);
  g_autoptr(GError) error = NULL;

  if (!nc_session_start_finish (session, result, &error))
    {
      /* Nothing can be called: each request that waited is refused, and a person told. */
      for (guint i = 0; session == self->session && i < self->waiting_calls->len; i++)
        {
          report_call_failure (self, error->message);
          g_application_release (G_APPLICATION (self));
        }
      if (session == self->session)
        g_ptr_array_set_size (self->waiting_calls, 0);
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          NcWindow *window = find_window (self);

          g_warning ("Could not open the project's data: %s", error->message);
          if (window != NULL && nc_window_get_session (window) == session)
            nc_window_show_failure (window, error->message);
        }
      return;
    }
  if (session != self->session)
    return;

  self->started = TRUE;
  for (guint i = 0; i < self->waiting_calls->len; i++)
    place_call (self, self->waiting_calls->pdata[i]);
  g_ptr_array_set_size (self->waiting_calls, 0);

  /* Notifications are for calls that happen now, not for those read at start. */
  g_clear_object (&self->notifier);
  self->notifier = nc_call_notifier_new (G_APPLICATION (self), nc_session_get_tracker (session),
                                         self->settings);
  nc_call_notifier_set_employees (self->notifier, nc_session_get_employees (session));

  if (!nc_session_get_account_ready (session) && !nc_session_get_demo (session) &&
      self->demo_if_no_account)
    {
      self->demo_if_no_account = FALSE;
      start_session (self, TRUE);
    }
}

/* Real credentials saved in the demo's preferences: leave the demo for the account. */
static void
demo_account_changed (NcApplication *self)
{
  if (nc_session_get_demo (self->session))
    start_session (self, FALSE);
}

static void
start_session (NcApplication *self,
               gboolean       demo)
{
  g_autoptr(NcSession) old = g_steal_pointer (&self->session);
  g_autofree char *demo_dir = NULL;
  GList *windows;
  gboolean had_window = FALSE;

  /* The demo's data lives apart from the user's. */
  if (demo)
    demo_dir = g_build_filename (g_get_user_cache_dir (), "novofon-console", "demo", NULL);
  self->started = FALSE;
  self->session = nc_session_new (demo ? demo_dir : self->data_dir, self->settings,
                                  NC_SESSION_CALLS | (demo ? NC_SESSION_DEMO : NC_SESSION_LISTEN));
  g_signal_connect_object (self->session, "credentials-saved",
                           G_CALLBACK (demo_account_changed), self, G_CONNECT_SWAPPED);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);

  if (old != NULL)
    {
      g_clear_object (&self->notifier);
      /* The windows show the old session: new ones show the new. */
      windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (self)));
      g_application_hold (G_APPLICATION (self));
      for (GList *l = windows; l != NULL; l = l->next)
        {
          had_window |= NC_IS_WINDOW (l->data);
          gtk_window_destroy (GTK_WINDOW (l->data));
        }
      g_list_free (windows);
      nc_session_close (old);
      if (had_window)
        gtk_window_present (GTK_WINDOW (ensure_window (self)));
      g_application_release (G_APPLICATION (self));
    }

  nc_session_start_async (self->session, self->cancellable, session_started,
                          g_object_ref (self));
}

static void
nc_application_startup (GApplication *application)
{
  NcApplication *self = NC_APPLICATION (application);
  static const GActionEntry app_actions[] = {
    { "quit", quit_activated },
    { "preferences", preferences_activated },
    { "setup-check", setup_check_activated },
    { "connect-account", connect_account_activated },
    { "demo", demo_activated },
    { "about", about_activated },
    { "open-client", open_client_activated, "s" },
    { "open-client-card", open_client_card_activated, "x" },
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
  start_session (self, self->demo_wanted);
}

static void
nc_application_shutdown (GApplication *application)
{
  NcApplication *self = NC_APPLICATION (application);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->notifier);
  if (self->session != NULL)
    nc_session_close (self->session);

  G_APPLICATION_CLASS (nc_application_parent_class)->shutdown (application);
}

static void
nc_application_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  NcApplication *self = NC_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nc_application_finalize (GObject *object)
{
  NcApplication *self = NC_APPLICATION (object);

  g_clear_pointer (&self->data_dir, g_free);
  g_clear_object (&self->notifier);
  g_clear_object (&self->session);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->waiting_calls, g_ptr_array_unref);

  G_OBJECT_CLASS (nc_application_parent_class)->finalize (object);
}

static void
nc_application_class_init (NcApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->get_property = nc_application_get_property;
  object_class->finalize = nc_application_finalize;
  app_class->handle_local_options = nc_application_handle_local_options;
  app_class->startup = nc_application_startup;
  app_class->shutdown = nc_application_shutdown;
  app_class->activate = nc_application_activate;

  /**
   * NcApplication:session:
   *
   * The core the windows show: a new one when the demo starts or ends.
   */
  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, NC_TYPE_SESSION,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
nc_application_init (NcApplication *self)
{
  self->data_dir = nc_paths_dup_data_dir (NULL);
  self->waiting_calls = g_ptr_array_new_with_free_func ((GDestroyNotify) nc_call_request_free);

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

/**
 * nc_application_get_session:
 *
 * Returns: (transfer none) (nullable): the session the windows show, once started up
 */
NcSession *
nc_application_get_session (NcApplication *self)
{
  g_return_val_if_fail (NC_IS_APPLICATION (self), NULL);
  return self->session;
}
