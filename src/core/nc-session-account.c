/* nc-session-account.c — the account the session works with
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The account's Key and Secret, from the keyring or the environment: the API client is
 * made for them, on the server the settings name and the store's shared request budget,
 * and handed to whatever calls the API (the dialer, the call service, the gap repair).
 * Saved or forgotten while the session runs, everything that depends on them follows at
 * once.
 */

#define G_LOG_DOMAIN "nc-session"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "nc-session-private.h"
#include "nc-settings.h"

void
nc_session_set_client (NcSession       *self,
                       NcZadarmaClient *client)
{
  if (!g_set_object (&self->client, client))
    return;
  if (self->gap_repair != NULL)
    nc_gap_repair_set_client (self->gap_repair, client);
  if (self->service != NULL)
    nc_call_service_set_client (self->service, client);
  nc_dialer_set_client (self->dialer, client);
  g_object_notify (G_OBJECT (self), "zadarma-client");
}

void
nc_session_set_account (NcSession  *self,
                        gboolean    ready,
                        const char *problem)
{
  g_object_freeze_notify (G_OBJECT (self));
  if (self->account_ready != ready)
    {
      self->account_ready = ready;
      g_object_notify (G_OBJECT (self), "account-ready");
    }
  nc_session_set_string (self, &self->account_problem, problem, "account-problem");
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

char *
nc_session_dup_api_url (NcSession *self)
{
  g_return_val_if_fail (NC_IS_SESSION (self), NULL);
  return nc_settings_dup_api_url (self->settings);
}

/* The account in use changed (or is known for the first time): everything that depends
 * on it follows. @credentials: (transfer full) (nullable) */
void
nc_session_apply_credentials (NcSession     *self,
                              NcCredentials *credentials,
                              const char    *problem)
{
  g_autoptr(NcZadarmaClient) client = NULL;

  g_clear_pointer (&self->credentials, nc_credentials_free);
  self->credentials = credentials;
  g_object_notify (G_OBJECT (self), "api-key");

  if (credentials != NULL)
    client = nc_session_new_client (self, credentials->key, credentials->secret);
  nc_session_set_client (self, client);
  nc_session_set_account (self, credentials != NULL, credentials != NULL ? NULL : problem);
  if (self->flags & NC_SESSION_LISTEN)
    nc_session_restart_listener (self);
  /* The address for the cabinet is shown even while the listener is off. */
  if (credentials != NULL && self->token == NULL && (self->flags & NC_SESSION_LISTEN))
    nc_session_ask_token (self);
}

/* The account's settings changed: a new server means a new API client. */
void
nc_session_account_settings_changed (NcSession  *self,
                                     const char *key)
{
  if (g_str_equal (key, "api-url") && self->credentials != NULL)
    {
      g_autoptr(NcZadarmaClient) client = nc_session_new_client (self, self->credentials->key,
                                                                 self->credentials->secret);

      nc_session_set_client (self, client);
    }
}

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
      nc_session_apply_credentials (self, credentials, NULL);
    }
  g_task_return_boolean (task, TRUE);
  g_signal_emit_by_name (self, "credentials-saved");
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
    nc_session_apply_credentials (self, NULL, _("No Novofon account is connected"));
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
