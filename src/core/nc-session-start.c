/* nc-session-start.c — how a session starts, and ends
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A start looks up the account (unless it is the demo's), opens the store — the office's
 * database with its password from the keyring, or the data folder's file — reads what is
 * live of the calls, and then, as the flags say, starts the call service, the listener
 * or the demo. `listen` starts its listener on the address it was given instead. The close
 * stops them and closes the store after its last write.
 */

#define G_LOG_DOMAIN "nc-session"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "nc-session-private.h"

static void
demo_start (NcSession *self)
{
  g_autoptr(GError) error = NULL;
  NcCredentials *credentials;

  self->demo = nc_demo_new (self->store, self->service, self->tracker);
  if (!nc_demo_start (self->demo, 6000, &error))
    {
      g_clear_object (&self->demo);
      nc_session_set_account (self, FALSE, error->message);
      g_message ("The demo could not start: %s", error->message);
      return;
    }
  credentials = g_new0 (NcCredentials, 1);
  credentials->key = g_strdup (NC_DEMO_KEY);
  credentials->secret = g_strdup (NC_DEMO_SECRET);
  g_clear_pointer (&self->credentials, nc_credentials_free);
  self->credentials = credentials;
  nc_webhook_server_set_matcher (nc_demo_get_listener (self->demo), self->matcher);
  nc_session_set_client (self, nc_demo_get_client (self->demo));
  nc_session_set_listener (self, nc_demo_get_listener (self->demo));
  nc_session_set_listener_problem (self, NULL);
  nc_dialer_set_fallback_employee_id (self->dialer, NC_DEMO_EMPLOYEE_ID);
  nc_session_set_account (self, TRUE, NULL);
  g_object_notify (G_OBJECT (self), "api-key");
}

/* The account credentials_found() found, now that the store is open. */
static void
apply_found_credentials (NcSession *self,
                         GTask     *task)
{
  nc_session_apply_credentials (self,
                                g_steal_pointer ((NcCredentials **) g_task_get_task_data (task)),
                                g_object_get_data (G_OBJECT (task), "nc-account-problem"));
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
    apply_found_credentials (self, task);
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
      g_object_notify (G_OBJECT (self), "store");
      return;
    }
  g_object_notify (G_OBJECT (self), "store");
  apply_found_credentials (self, task);
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
  nc_session_set_listener (self, NULL);
  g_clear_object (&self->demo);
  /* Nothing on its way writes to a store that is closed. */
  if (self->service != NULL)
    nc_call_service_stop (self->service);
  if (self->store != NULL)
    nc_store_close (self->store);
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
  if (!nc_session_start_listener (self, address, port, certificate_file, key_file, error))
    return FALSE;
  /* This process is the listener: the matching, the recordings and the stuck calls are its
   * work. */
  if (self->service != NULL)
    nc_call_service_start (self->service);
  return TRUE;
}
