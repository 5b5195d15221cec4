/* nc-session.c — the core of one running console, listener or command, wired once
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The composition root of the core. The window, `listen`, the commands that need the API
 * and the demo all build one: it opens the store, follows the calls, knows the account,
 * and runs the listener. What changes while it runs — the Key and Secret saved in
 * Preferences, the listener's address, the server — takes effect at once: the session
 * makes a new API client or listener and says so through its properties, so that whoever
 * shows them follows the one that exists now.
 */

#define G_LOG_DOMAIN "nc-session"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "nc-call-service.h"
#include "nc-client-matcher.h"
#include "nc-gap-repair.h"
#include "nc-demo.h"
#include "nc-secrets.h"
#include "nc-session.h"
#include "nc-settings.h"
#include "nc-webhook-url.h"

#define RESTART_DELAY_MS 400

enum {
  PROP_0,
  PROP_DATA_DIR,
  PROP_SETTINGS,
  PROP_FLAGS,
  PROP_DATABASE_URL,
  PROP_STORE,
  PROP_TRACKER,
  PROP_EMPLOYEES,
  PROP_DIALER,
  PROP_ZADARMA_CLIENT,
  PROP_LISTENER,
  PROP_ACCOUNT_READY,
  PROP_ACCOUNT_PROBLEM,
  PROP_API_KEY,
  PROP_LISTENER_PROBLEM,
  PROP_WEBHOOK_URL,
  N_PROPS
};

enum {
  SIGNAL_CREDENTIALS_SAVED,
  N_SIGNALS
};

struct _NcSession
{
  GObject          parent_instance;

  char            *data_dir;
  GSettings       *settings;
  NcSessionFlags   flags;
  char            *database_url;    /* the office's database, or %NULL for the data folder */

  NcStore         *store;
  NcCallTracker   *tracker;
  NcClientMatcher *matcher;
  NcCallService   *service;
  NcEmployeeList  *employees;
  NcDialer        *dialer;
  NcDemo          *demo;
  NcZadarmaClient *client;
  NcWebhookServer *listener;
  NcGapRepair     *gap_repair;      /* the calls of the time no listener ran */
  gboolean         gap_checked;
  GCancellable    *cancellable;

  NcCredentials   *credentials;
  GError          *account_error;   /* why the credentials were not found, as found */
  gboolean         account_ready;
  char            *account_problem;
  char            *token;
  char            *listener_problem;
  gboolean         token_asked;
  guint            restart_source;
  gboolean         closed;
};

G_DEFINE_FINAL_TYPE (NcSession, nc_session, G_TYPE_OBJECT)

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void restart_listener (NcSession *self);
static void token_found      (GObject *source, GAsyncResult *result, gpointer user_data);

static void
set_string (NcSession   *self,
            char       **field,
            const char  *value,
            guint        prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
set_listener_problem (NcSession  *self,
                      const char *problem)
{
  if (problem != NULL && g_strcmp0 (self->listener_problem, problem) != 0)
    g_message ("The webhook listener is not running: %s", problem);
  set_string (self, &self->listener_problem, problem, PROP_LISTENER_PROBLEM);
}

static void
gap_repaired (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(NcSession) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean found = FALSE;
  guint added = 0;

  if (!nc_gap_repair_repair_gap_finish (NC_GAP_REPAIR (source), result, &found, &added, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_message ("The calls of the gap were not recovered yet: %s", error->message);
      return;
    }
  if (found)
    g_message ("Recovered %u calls the listener missed", added);
}

static void
set_listener (NcSession       *self,
              NcWebhookServer *listener)
{
  if (self->listener == listener)
    return;
  if (self->listener != NULL)
    nc_webhook_server_stop (self->listener);
  /* First the gap (the calls of the time no listener ran), then the heartbeat that would
   * hide it (nc-gap-repair.c). */
  if (self->gap_repair != NULL && listener != NULL && self->demo == NULL)
    {
      if (!self->gap_checked)
        {
          self->gap_checked = TRUE;
          nc_gap_repair_repair_gap_async (self->gap_repair, NC_GAP_REPAIR_MIN_GAP_SECONDS,
                                          self->cancellable, gap_repaired, g_object_ref (self));
        }
      nc_gap_repair_start_heartbeat (self->gap_repair);
    }
  else if (self->gap_repair != NULL)
    nc_gap_repair_stop_heartbeat (self->gap_repair);
  g_set_object (&self->listener, listener);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LISTENER]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WEBHOOK_URL]);
}

static void
set_client (NcSession       *self,
            NcZadarmaClient *client)
{
  if (!g_set_object (&self->client, client))
    return;
  if (self->gap_repair != NULL)
    nc_gap_repair_set_client (self->gap_repair, client);
  if (self->service != NULL)
    nc_call_service_set_client (self->service, client);
  nc_dialer_set_client (self->dialer, client);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZADARMA_CLIENT]);
}

static void
set_account (NcSession  *self,
             gboolean    ready,
             const char *problem)
{
  g_object_freeze_notify (G_OBJECT (self));
  if (self->account_ready != ready)
    {
      self->account_ready = ready;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACCOUNT_READY]);
    }
  set_string (self, &self->account_problem, problem, PROP_ACCOUNT_PROBLEM);
  g_object_thaw_notify (G_OBJECT (self));
}

/**
 * nc_session_new_client:
 *
 * Returns: (transfer full): an API client for these credentials, on this session's
 *   server and request budget — for checking a Key and Secret before they are saved
 */
NcZadarmaClient *
nc_session_new_client (NcSession  *self,
                       const char *key,
                       const char *secret)
{
  g_autofree char *api_url = nc_session_dup_api_url (self);
  NcZadarmaClient *client;

  g_return_val_if_fail (NC_IS_SESSION (self), NULL);

  client = nc_zadarma_client_new (api_url, key, secret);
  if (self->store != NULL)
    nc_zadarma_client_set_budget (client, NC_REQUEST_BUDGET (self->store));
  return client;
}

/* The account in use changed (or is known for the first time): everything that depends
 * on it follows. @credentials: (transfer full) (nullable) */
static void
apply_credentials (NcSession     *self,
                   NcCredentials *credentials,
                   const char    *problem)
{
  g_autoptr(NcZadarmaClient) client = NULL;

  g_clear_pointer (&self->credentials, nc_credentials_free);
  self->credentials = credentials;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_API_KEY]);

  if (credentials != NULL)
    client = nc_session_new_client (self, credentials->key, credentials->secret);
  set_client (self, client);
  set_account (self, credentials != NULL, credentials != NULL ? NULL : problem);
  if (self->flags & NC_SESSION_LISTEN)
    restart_listener (self);
  /* The address for the cabinet is shown even while the listener is off. */
  if (credentials != NULL && self->token == NULL && !self->token_asked &&
      (self->flags & NC_SESSION_LISTEN))
    {
      self->token_asked = TRUE;
      nc_secrets_get_webhook_token_async (self->cancellable, token_found, g_object_ref (self));
    }
}

/* ------------------------------------------------------------------------------------ */
/* The console's own listener                                                           */

static void
token_found (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(NcSession) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = nc_secrets_get_webhook_token_finish (result, &error);

  if (self->closed || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (token == NULL)
    {
      set_listener_problem (self, error->message);
      return;
    }
  g_free (self->token);
  self->token = g_steal_pointer (&token);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WEBHOOK_URL]);
  if (self->flags & NC_SESSION_LISTEN)
    restart_listener (self);
}

static gboolean
start_listener (NcSession       *self,
                const char      *address,
                guint            port,
                const char      *certificate_file,
                const char      *key_file,
                GError         **error)
{
  g_autoptr(NcWebhookServer) listener = nc_webhook_server_new (self->store,
                                                               self->credentials->secret,
                                                               self->token);

  if (certificate_file != NULL &&
      !nc_webhook_server_set_tls (listener, certificate_file, key_file, error))
    return FALSE;
  if (self->matcher != NULL)
    nc_webhook_server_set_matcher (listener, self->matcher);
  if (!nc_webhook_server_listen (listener, address, port, error))
    return FALSE;
  set_listener (self, listener);
  return TRUE;
}

/* Stops the listener there is, and starts the one the settings and the account ask for. */
static void
restart_listener (NcSession *self)
{
  g_autofree char *bind = NULL;
  g_autoptr(GError) error = NULL;
  guint port;

  g_clear_handle_id (&self->restart_source, g_source_remove);
  if (self->closed || self->store == NULL || self->demo != NULL)
    return;

  set_listener (self, NULL);
  /* The cabinet takes one webhook URL: on an office database, the office's one listener
   * (`listen` on a server) receives the calls, and every console reads them. */
  if (self->database_url != NULL)
    {
      set_listener_problem (self, _("This console uses the office database: the office’s "
                                    "listener receives the calls (see “listen” in the "
                                    "README)"));
      return;
    }
  if (self->credentials == NULL)
    {
      set_listener_problem (self, _("No Novofon account is connected: the PBX signs its "
                                    "events with the account’s Secret"));
      return;
    }
  if (!nc_settings_get_boolean (self->settings, "webhook-enabled"))
    {
      set_listener_problem (self, _("Receiving call events is off"));
      return;
    }
  if (self->token == NULL)
    {
      if (!self->token_asked)
        {
          self->token_asked = TRUE;
          nc_secrets_get_webhook_token_async (self->cancellable, token_found, g_object_ref (self));
        }
      return;
    }

  bind = nc_settings_dup_string (self->settings, "webhook-bind");
  port = (guint) nc_settings_get_int (self->settings, "webhook-port");
  if (!start_listener (self, bind, port, NULL, NULL, &error))
    {
      g_autofree char *problem = g_strdup_printf (_("Could not listen on %s port %u: %s"),
                                                  bind, port, error->message);

      set_listener_problem (self, problem);
      return;
    }
  set_listener_problem (self, NULL);
}

static gboolean
restart_later (gpointer user_data)
{
  NcSession *self = user_data;

  self->restart_source = 0;
  restart_listener (self);
  return G_SOURCE_REMOVE;
}

static void
settings_changed (GSettings  *settings,
                  const char *key,
                  NcSession  *self)
{
  if (self->store == NULL || self->demo != NULL)
    return;

  if (g_str_equal (key, "api-url") && self->credentials != NULL)
    {
      g_autoptr(NcZadarmaClient) client = nc_session_new_client (self, self->credentials->key,
                                                                 self->credentials->secret);

      set_client (self, client);
    }
  if (g_str_equal (key, "webhook-public-url") || g_str_equal (key, "webhook-bind") ||
      g_str_equal (key, "webhook-port"))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WEBHOOK_URL]);
  /* A port typed digit by digit would otherwise bind every number on the way. */
  if ((self->flags & NC_SESSION_LISTEN) &&
      (g_str_equal (key, "webhook-enabled") || g_str_equal (key, "webhook-bind") ||
       g_str_equal (key, "webhook-port")))
    {
      g_clear_handle_id (&self->restart_source, g_source_remove);
      self->restart_source = g_timeout_add (RESTART_DELAY_MS, restart_later, self);
    }
}

/* ------------------------------------------------------------------------------------ */
/* Start                                                                                */

static void
demo_start (NcSession *self)
{
  g_autoptr(GError) error = NULL;
  NcCredentials *credentials;

  self->demo = nc_demo_new (self->store, self->service, self->tracker);
  if (!nc_demo_start (self->demo, 6000, &error))
    {
      g_clear_object (&self->demo);
      set_account (self, FALSE, error->message);
      g_message ("The demo could not start: %s", error->message);
      return;
    }
  credentials = g_new0 (NcCredentials, 1);
  credentials->key = g_strdup (NC_DEMO_KEY);
  credentials->secret = g_strdup (NC_DEMO_SECRET);
  g_clear_pointer (&self->credentials, nc_credentials_free);
  self->credentials = credentials;
  nc_webhook_server_set_matcher (nc_demo_get_listener (self->demo), self->matcher);
  set_client (self, nc_demo_get_client (self->demo));
  set_listener (self, nc_demo_get_listener (self->demo));
  set_listener_problem (self, NULL);
  nc_dialer_set_fallback_employee_id (self->dialer, NC_DEMO_EMPLOYEE_ID);
  set_account (self, TRUE, NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_API_KEY]);
}

static void
tracker_started (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  NcSession *self = g_task_get_source_object (task);
  GError *error = NULL;

  if (!nc_call_tracker_start_finish (NC_CALL_TRACKER (source), result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  /* Matching, recordings and stuck calls are the work of the listener's process: on an
   * office database, the office's listener (`listen`), not a console. */
  if ((self->flags & NC_SESSION_DEMO) ||
      ((self->flags & NC_SESSION_LISTEN) && self->database_url == NULL))
    nc_call_service_start (self->service);
  if (self->flags & NC_SESSION_DEMO)
    demo_start (self);
  else
    apply_credentials (self, g_steal_pointer ((NcCredentials **) g_task_get_task_data (task)),
                       g_object_get_data (G_OBJECT (task), "nc-account-problem"));
  g_task_return_boolean (task, TRUE);
}

static void
store_opened (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  NcSession *self = g_task_get_source_object (task);
  GError *error = NULL;
  NcStore *store = nc_store_open_finish (result, &error);

  if (store == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  self->store = store;
  self->gap_repair = nc_gap_repair_new (store, self->client);
  nc_employee_list_set_store (self->employees, store);
  nc_dialer_set_store (self->dialer, store);

  if (self->flags & (NC_SESSION_CALLS | NC_SESSION_DEMO))
    {
      self->matcher = nc_client_matcher_new (store);
      self->service = nc_call_service_new (store, self->matcher, self->tracker);
      /* The calls that are not over, and only those: never the history. The tracker has
       * its store from here on, before anyone hears of the store. */
      nc_call_tracker_start_async (self->tracker, store, g_task_get_cancellable (task),
                                   tracker_started, g_object_ref (task));
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
      return;
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
  apply_credentials (self, g_steal_pointer ((NcCredentials **) g_task_get_task_data (task)),
                     g_object_get_data (G_OBJECT (task), "nc-account-problem"));
  g_task_return_boolean (task, TRUE);
}

static void
database_password_found (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  NcSession *self = g_task_get_source_object (task);
  g_autofree char *password = nc_secrets_lookup_database_password_finish (result, NULL);

  nc_store_open_database_async (self->database_url, password, g_task_get_cancellable (task),
                                store_opened, g_object_ref (task));
  if (password != NULL)
    memset (password, 0, strlen (password));
}

/* The office's database (its password from the keyring, unless the URL has one), or the
 * data folder's file. */
static void
open_store (NcSession *self,
            GTask     *task)
{
  g_autoptr(GUri) uri = NULL;

  if (self->database_url == NULL || (self->flags & NC_SESSION_DEMO))
    {
      nc_store_open_async (self->data_dir, g_task_get_cancellable (task), store_opened,
                           g_object_ref (task));
      return;
    }
  uri = g_uri_parse (self->database_url, G_URI_FLAGS_HAS_PASSWORD | G_URI_FLAGS_ENCODED_QUERY,
                     NULL);
  if (uri != NULL && g_uri_get_password (uri) != NULL)
    {
      nc_store_open_database_async (self->database_url, NULL, g_task_get_cancellable (task),
                                    store_opened, g_object_ref (task));
      return;
    }
  nc_secrets_lookup_database_password_async (self->database_url, g_task_get_cancellable (task),
                                             database_password_found, g_object_ref (task));
}

static void
credentials_found (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  NcSession *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  NcCredentials *credentials = nc_secrets_lookup_credentials_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* The window says what to do of a missing account itself; the reason is kept for the
   * other failures (no keyring, half the variables set). */
  if (credentials == NULL)
    g_object_set_data_full (G_OBJECT (task), "nc-account-problem",
                            g_error_matches (error, NC_SECRETS_ERROR, NC_SECRETS_ERROR_MISSING) &&
                            g_getenv ("NOVOFON_API_KEY") == NULL &&
                            g_getenv ("NOVOFON_API_SECRET") == NULL
                            ? g_strdup (_("No Novofon account is connected"))
                            : g_strdup (error->message),
                            g_free);
  *(NcCredentials **) g_task_get_task_data (task) = credentials;
  g_clear_error (&self->account_error);
  self->account_error = g_steal_pointer (&error);
  open_store (self, task);
}

static void
free_credentials_slot (gpointer data)
{
  NcCredentials **slot = data;

  g_clear_pointer (slot, nc_credentials_free);
  g_free (slot);
}

/**
 * nc_session_start_async:
 *
 * Looks up the account, opens the store, reads what is live of the calls, and (as the
 * flags say) starts the listener or the demo.
 */
void
nc_session_start_async (NcSession           *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (NC_IS_SESSION (self));
  g_return_if_fail (self->store == NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, nc_session_start_async);
  g_task_set_task_data (task, g_new0 (NcCredentials *, 1), free_credentials_slot);

  if (self->flags & NC_SESSION_DEMO)
    open_store (self, task);
  else
    nc_secrets_lookup_credentials_async (cancellable, credentials_found, g_object_ref (task));
}

gboolean
nc_session_start_finish (NcSession     *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
got_result (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/**
 * nc_session_start_sync:
 *
 * nc_session_start_async() for the command line: runs the thread-default main context
 * until the session has started.
 */
gboolean
nc_session_start_sync (NcSession  *self,
                       GError    **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  nc_session_start_async (self, NULL, got_result, &result);
  while (result == NULL)
    g_main_context_iteration (g_main_context_get_thread_default (), TRUE);
  return nc_session_start_finish (self, result, error);
}

/**
 * nc_session_close:
 *
 * Stops the listener and the demo, and closes the store after its last write.
 */
void
nc_session_close (NcSession *self)
{
  g_return_if_fail (NC_IS_SESSION (self));

  if (self->closed)
    return;
  self->closed = TRUE;
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->restart_source, g_source_remove);
  set_listener (self, NULL);
  g_clear_object (&self->demo);
  /* Nothing on its way writes to a store that is closed. */
  if (self->service != NULL)
    nc_call_service_stop (self->service);
  if (self->store != NULL)
    nc_store_close (self->store);
}

/* ------------------------------------------------------------------------------------ */
/* The account, changed while the session runs                                         */

typedef struct
{
  char *key;
  char *secret;
} Saving;

static void
saving_free (Saving *saving)
{
  g_free (saving->key);
  if (saving->secret != NULL)
    memset (saving->secret, 0, strlen (saving->secret));
  g_free (saving->secret);
  g_free (saving);
}

static void
credentials_stored (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  NcSession *self = g_task_get_source_object (task);
  Saving *saving = g_task_get_task_data (task);
  GError *error = NULL;
  NcCredentials *credentials;

  if (!nc_secrets_store_credentials_finish (result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  /* The demo's own account stays; the application leaves the demo for the real one. */
  if (self->demo == NULL && !self->closed)
    {
      credentials = g_new0 (NcCredentials, 1);
      credentials->key = g_steal_pointer (&saving->key);
      credentials->secret = g_steal_pointer (&saving->secret);
      apply_credentials (self, credentials, NULL);
    }
  g_task_return_boolean (task, TRUE);
  g_signal_emit (self, signals[SIGNAL_CREDENTIALS_SAVED], 0);
}

/**
 * nc_session_save_credentials_async:
 *
 * Keeps the Key and Secret in the keyring, and uses them from now on: the API client,
 * the listener and the setup check follow at once.
 */
void
nc_session_save_credentials_async (NcSession           *self,
                                   const char          *key,
                                   const char          *secret,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  GTask *task;
  Saving *saving;

  g_return_if_fail (NC_IS_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, nc_session_save_credentials_async);
  saving = g_new0 (Saving, 1);
  saving->key = g_strstrip (g_strdup (key != NULL ? key : ""));
  saving->secret = g_strstrip (g_strdup (secret != NULL ? secret : ""));
  g_task_set_task_data (task, saving, (GDestroyNotify) saving_free);
  nc_secrets_store_credentials_async (saving->key, saving->secret, cancellable,
                                      credentials_stored, task);
}

gboolean
nc_session_save_credentials_finish (NcSession     *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
credentials_cleared (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  NcSession *self = g_task_get_source_object (task);
  GError *error = NULL;

  if (!nc_secrets_clear_credentials_finish (result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (self->demo == NULL && !self->closed)
    apply_credentials (self, NULL, _("No Novofon account is connected"));
  g_task_return_boolean (task, TRUE);
}

/**
 * nc_session_forget_credentials_async:
 *
 * Takes the Key and Secret out of the keyring; the session goes on without an account.
 */
void
nc_session_forget_credentials_async (NcSession           *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (NC_IS_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, nc_session_forget_credentials_async);
  nc_secrets_clear_credentials_async (cancellable, credentials_cleared, task);
}

gboolean
nc_session_forget_credentials_finish (NcSession     *self,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * nc_session_listen:
 * @address: (nullable): the IP address to bind, 127.0.0.1 by default
 * @certificate_file: (nullable): serve HTTPS with this PEM certificate…
 * @key_file: (nullable): …and this key
 *
 * Starts the listener of `listen`, on the address it was given.
 */
gboolean
nc_session_listen (NcSession   *self,
                   const char  *address,
                   guint        port,
                   const char  *certificate_file,
                   const char  *key_file,
                   GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  g_return_val_if_fail (NC_IS_SESSION (self), FALSE);
  g_return_val_if_fail (self->store != NULL, FALSE);

  if (self->credentials == NULL)
    {
      g_set_error_literal (error, NC_SECRETS_ERROR, NC_SECRETS_ERROR_MISSING,
                           self->account_problem != NULL ? self->account_problem
                                                         : _("No Novofon account is connected"));
      return FALSE;
    }
  if (self->token == NULL)
    {
      nc_secrets_get_webhook_token_async (NULL, got_result, &result);
      while (result == NULL)
        g_main_context_iteration (g_main_context_get_thread_default (), TRUE);
      self->token = nc_secrets_get_webhook_token_finish (result, error);
      if (self->token == NULL)
        return FALSE;
    }
  if (!start_listener (self, address, port, certificate_file, key_file, error))
    return FALSE;
  /* This process is the listener: the matching, the recordings and the stuck calls are its
   * work. */
  if (self->service != NULL)
    nc_call_service_start (self->service);
  return TRUE;
}

/* ------------------------------------------------------------------------------------ */
/* GObject                                                                              */

static void
nc_session_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  NcSession *self = NC_SESSION (object);

  switch (prop_id)
    {
    case PROP_DATA_DIR:
      g_value_set_string (value, self->data_dir);
      break;
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;
    case PROP_FLAGS:
      g_value_set_uint (value, self->flags);
      break;
    case PROP_DATABASE_URL:
      /* Never with a password. */
      g_value_take_string (value, self->database_url != NULL
                                  ? nc_store_redact_url (self->database_url) : NULL);
      break;
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_TRACKER:
      g_value_set_object (value, self->tracker);
      break;
    case PROP_EMPLOYEES:
      g_value_set_object (value, self->employees);
      break;
    case PROP_DIALER:
      g_value_set_object (value, self->dialer);
      break;
    case PROP_ZADARMA_CLIENT:
      g_value_set_object (value, self->client);
      break;
    case PROP_LISTENER:
      g_value_set_object (value, self->listener);
      break;
    case PROP_ACCOUNT_READY:
      g_value_set_boolean (value, self->account_ready);
      break;
    case PROP_ACCOUNT_PROBLEM:
      g_value_set_string (value, self->account_problem);
      break;
    case PROP_API_KEY:
      g_value_set_string (value, nc_session_get_api_key (self));
      break;
    case PROP_LISTENER_PROBLEM:
      g_value_set_string (value, self->listener_problem);
      break;
    case PROP_WEBHOOK_URL:
      g_value_take_string (value, nc_session_dup_webhook_url (self, NULL));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nc_session_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  NcSession *self = NC_SESSION (object);

  switch (prop_id)
    {
    case PROP_DATA_DIR:
      self->data_dir = g_value_dup_string (value);
      break;
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;
    case PROP_FLAGS:
      self->flags = g_value_get_uint (value);
      break;
    case PROP_DATABASE_URL:
      g_free (self->database_url);
      self->database_url = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nc_session_constructed (GObject *object)
{
  NcSession *self = NC_SESSION (object);

  G_OBJECT_CLASS (nc_session_parent_class)->constructed (object);

  if (self->database_url != NULL && *self->database_url == '\0')
    g_clear_pointer (&self->database_url, g_free);

  self->dialer = nc_dialer_new (self->tracker, self->employees);
  if (self->settings != NULL)
    {
      /* "This is me" is this desk's setting, not the project's. */
      g_settings_bind (self->settings, "current-employee", self->dialer, "employee-id",
                       G_SETTINGS_BIND_GET);
      g_signal_connect_object (self->settings, "changed", G_CALLBACK (settings_changed), self, 0);
    }
}

static void
nc_session_dispose (GObject *object)
{
  NcSession *self = NC_SESSION (object);

  nc_session_close (self);
  g_clear_object (&self->listener);
  g_clear_object (&self->client);
  g_clear_object (&self->dialer);
  g_clear_object (&self->gap_repair);
  g_clear_object (&self->service);
  g_clear_object (&self->matcher);
  g_clear_object (&self->employees);
  g_clear_object (&self->tracker);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (nc_session_parent_class)->dispose (object);
}

static void
nc_session_finalize (GObject *object)
{
  NcSession *self = NC_SESSION (object);

  g_free (self->data_dir);
  g_free (self->database_url);
  g_clear_pointer (&self->credentials, nc_credentials_free);
  g_clear_error (&self->account_error);
  g_free (self->account_problem);
  g_free (self->token);
  g_free (self->listener_problem);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (nc_session_parent_class)->finalize (object);
}

static void
nc_session_class_init (NcSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  GParamFlags construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->get_property = nc_session_get_property;
  object_class->set_property = nc_session_set_property;
  object_class->constructed = nc_session_constructed;
  object_class->dispose = nc_session_dispose;
  object_class->finalize = nc_session_finalize;

  properties[PROP_DATA_DIR] = g_param_spec_string ("data-dir", NULL, NULL, NULL, construct);
  properties[PROP_SETTINGS] = g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS,
                                                   construct);
  properties[PROP_FLAGS] = g_param_spec_uint ("flags", NULL, NULL, 0, G_MAXUINT, 0, construct);
  /* The office database, or %NULL for the data folder's own file (nc_session_new() takes
   * NOVOFON_DATABASE_URL, else the setting database-url). */
  properties[PROP_DATABASE_URL] = g_param_spec_string ("database-url", NULL, NULL, NULL,
                                                       construct);
  properties[PROP_STORE] = g_param_spec_object ("store", NULL, NULL, NC_TYPE_STORE, ro);
  properties[PROP_TRACKER] = g_param_spec_object ("tracker", NULL, NULL, NC_TYPE_CALL_TRACKER,
                                                  ro);
  properties[PROP_EMPLOYEES] = g_param_spec_object ("employees", NULL, NULL,
                                                    NC_TYPE_EMPLOYEE_LIST, ro);
  properties[PROP_DIALER] = g_param_spec_object ("dialer", NULL, NULL, NC_TYPE_DIALER, ro);
  properties[PROP_ZADARMA_CLIENT] = g_param_spec_object ("zadarma-client", NULL, NULL,
                                                         NC_TYPE_ZADARMA_CLIENT, ro);
  properties[PROP_LISTENER] = g_param_spec_object ("listener", NULL, NULL,
                                                   NC_TYPE_WEBHOOK_SERVER, ro);
  properties[PROP_ACCOUNT_READY] = g_param_spec_boolean ("account-ready", NULL, NULL, FALSE, ro);
  properties[PROP_ACCOUNT_PROBLEM] = g_param_spec_string ("account-problem", NULL, NULL, NULL,
                                                          ro);
  properties[PROP_API_KEY] = g_param_spec_string ("api-key", NULL, NULL, NULL, ro);
  properties[PROP_LISTENER_PROBLEM] = g_param_spec_string ("listener-problem", NULL, NULL,
                                                           NULL, ro);
  /**
   * NcSession:webhook-url:
   *
   * The address to paste into the Novofon cabinet, once the listener's token is known.
   */
  properties[PROP_WEBHOOK_URL] = g_param_spec_string ("webhook-url", NULL, NULL, NULL, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * NcSession::credentials-saved:
   *
   * A Key and Secret went into the keyring. A session with an account uses them at once;
   * the demo's does not (it keeps its made-up account), so whoever runs it may leave it.
   */
  signals[SIGNAL_CREDENTIALS_SAVED] =
    g_signal_new ("credentials-saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 0);
}

static void
nc_session_init (NcSession *self)
{
  self->cancellable = g_cancellable_new ();
  self->tracker = nc_call_tracker_new ();
  self->employees = nc_employee_list_new ();
}

/**
 * nc_session_new:
 * @data_dir: the project's data folder
 * @settings: (nullable): the preferences, where the schema is installed
 */
NcSession *
nc_session_new (const char     *data_dir,
                GSettings      *settings,
                NcSessionFlags  flags)
{
  const char *env = g_getenv ("NOVOFON_DATABASE_URL");
  g_autofree char *url = NULL;

  g_return_val_if_fail (data_dir != NULL, NULL);

  /* The office database: NOVOFON_DATABASE_URL, else the setting; none: the folder's file. */
  url = env != NULL && *env != '\0' ? g_strdup (env)
        : settings != NULL ? nc_settings_dup_string (settings, "database-url") : NULL;
  return nc_session_new_full (data_dir, url, settings, flags);
}

/**
 * nc_session_new_full:
 * @database_url: (nullable): the office database; %NULL: the data folder's own file
 */
NcSession *
nc_session_new_full (const char     *data_dir,
                     const char     *database_url,
                     GSettings      *settings,
                     NcSessionFlags  flags)
{
  g_return_val_if_fail (data_dir != NULL, NULL);

  return g_object_new (NC_TYPE_SESSION,
                       "data-dir", data_dir,
                       "database-url", database_url,
                       "settings", settings,
                       "flags", (guint) flags,
                       NULL);
}

const char *
nc_session_get_data_dir (NcSession *self)
{
  g_return_val_if_fail (NC_IS_SESSION (self), NULL);
  return self->data_dir;
}

/**
 * nc_session_get_settings:
 *
 * Returns: (transfer none) (nullable): the preferences
 */
GSettings *
nc_session_get_settings (NcSession *self)
{
  g_return_val_if_fail (NC_IS_SESSION (self), NULL);
  return self->settings;
}

gboolean
nc_session_get_demo (NcSession *self)
{
  g_return_val_if_fail (NC_IS_SESSION (self), FALSE);
  return (self->flags & NC_SESSION_DEMO) != 0;
}

/**
 * nc_session_get_store:
 *
 * Returns: (transfer none) (nullable): the store, once open
 */
NcStore *
nc_session_get_store (NcSession *self)
{
  g_return_val_if_fail (NC_IS_SESSION (self), NULL);
  return self->store;
}

/**
 * nc_session_uses_database:
 *
 * Returns: whether the session is on an office database (PostgreSQL) rather than the data
 *   folder's own file
 */
gboolean
nc_session_uses_database (NcSession *self)
{
  g_return_val_if_fail (NC_IS_SESSION (self), FALSE);
  return self->database_url != NULL && !(self->flags & NC_SESSION_DEMO);
}

/**
 * nc_session_get_call_service:
 *
 * Returns: (transfer none) (nullable): what asks for recordings (and, in the listener's
 *   process, matches calls and closes stuck ones), once the store is open
 */
NcCallService *
nc_session_get_call_service (NcSession *self)
{
  g_return_val_if_fail (NC_IS_SESSION (self), NULL);
  return self->service;
}

/**
 * nc_session_get_tracker:
 *
 * Returns: (transfer none): the calls
 */
NcCallTracker *
nc_session_get_tracker (NcSession *self)
{
  g_return_val_if_fail (NC_IS_SESSION (self), NULL);
  return self->tracker;
}

/**
 * nc_session_get_employees:
 *
 * Returns: (transfer none): the project's employees
 */
NcEmployeeList *
nc_session_get_employees (NcSession *self)
{
  g_return_val_if_fail (NC_IS_SESSION (self), NULL);
  return self->employees;
}

/**
 * nc_session_get_dialer:
 *
 * Returns: (transfer none): what places calls
 */
NcDialer *
nc_session_get_dialer (NcSession *self)
{
  g_return_val_if_fail (NC_IS_SESSION (self), NULL);
  return self->dialer;
}

/**
 * nc_session_get_zadarma_client:
 *
 * Returns: (transfer none) (nullable): the API with the account's credentials (the
 *   simulator's in the demo), while there is an account
 */
NcZadarmaClient *
nc_session_get_zadarma_client (NcSession *self)
{
  g_return_val_if_fail (NC_IS_SESSION (self), NULL);
  return self->client;
}

/**
 * nc_session_get_listener:
 *
 * Returns: (transfer none) (nullable): the webhook listener running now
 */
NcWebhookServer *
nc_session_get_listener (NcSession *self)
{
  g_return_val_if_fail (NC_IS_SESSION (self), NULL);
  return self->listener;
}

gboolean
nc_session_get_account_ready (NcSession *self)
{
  g_return_val_if_fail (NC_IS_SESSION (self), FALSE);
  return self->account_ready;
}

/**
 * nc_session_get_account_problem:
 *
 * Returns: (transfer none) (nullable): why there is no account, in a sentence
 */
const char *
nc_session_get_account_problem (NcSession *self)
{
  g_return_val_if_fail (NC_IS_SESSION (self), NULL);
  return self->account_problem;
}

/**
 * nc_session_get_api_key:
 *
 * Returns: (transfer none) (nullable): the Key of the account in use (never the Secret)
 */
const char *
nc_session_get_api_key (NcSession *self)
{
  g_return_val_if_fail (NC_IS_SESSION (self), NULL);
  return self->credentials != NULL ? self->credentials->key : NULL;
}

/**
 * nc_session_get_account_error:
 *
 * Returns: (transfer none) (nullable): why no credentials were found at start, as the
 *   keyring or the environment said it (for the command line's own words)
 */
const GError *
nc_session_get_account_error (NcSession *self)
{
  g_return_val_if_fail (NC_IS_SESSION (self), NULL);
  return self->credentials == NULL ? self->account_error : NULL;
}

gboolean
nc_session_get_credentials_from_environment (NcSession *self)
{
  g_return_val_if_fail (NC_IS_SESSION (self), FALSE);
  return self->credentials != NULL && self->credentials->from_environment;
}

/**
 * nc_session_get_listener_problem:
 *
 * Returns: (transfer none) (nullable): why the listener does not run, in a sentence
 */
const char *
nc_session_get_listener_problem (NcSession *self)
{
  g_return_val_if_fail (NC_IS_SESSION (self), NULL);
  return self->listener_problem;
}

char *
nc_session_dup_api_url (NcSession *self)
{
  g_return_val_if_fail (NC_IS_SESSION (self), NULL);
  return nc_settings_dup_api_url (self->settings);
}

/**
 * nc_session_get_webhook_token:
 *
 * Returns: (transfer none) (nullable): the token in the webhook address's path, once known
 */
const char *
nc_session_get_webhook_token (NcSession *self)
{
  g_return_val_if_fail (NC_IS_SESSION (self), NULL);
  return self->token;
}

/**
 * nc_session_dup_webhook_url:
 * @out_reachable: (out) (optional): whether the PBX, out on the internet, can reach it
 *
 * Returns: (transfer full) (nullable): the address to paste into the Novofon cabinet,
 *   once the listener's token is known
 */
char *
nc_session_dup_webhook_url (NcSession *self,
                            gboolean  *out_reachable)
{
  g_autofree char *public_url = NULL;
  g_autofree char *bind = NULL;

  g_return_val_if_fail (NC_IS_SESSION (self), NULL);

  if (self->token == NULL)
    return NULL;
  public_url = nc_settings_dup_string (self->settings, "webhook-public-url");
  bind = nc_settings_dup_string (self->settings, "webhook-bind");
  return nc_webhook_url_build (public_url, bind,
                               self->listener != NULL ? nc_webhook_server_get_port (self->listener)
                                                      : (guint) nc_settings_get_int (self->settings,
                                                                                     "webhook-port"),
                               FALSE, self->token, out_reachable);
}
