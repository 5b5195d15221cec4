/* nc-session-listener.c — the console's own listener
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The session runs a listener of its own when it is asked to (NC_SESSION_LISTEN) and the
 * settings and the account allow: on the address the settings give, with the account's
 * Secret and the webhook token from the keyring. A change of either makes a new listener,
 * and the session says so through its `listener` and `listener-problem` properties, so
 * that whoever shows its figures follows the one that exists now. The first listener of a
 * start repairs the gap of the time none ran (nc-gap-repair.c), then keeps the heartbeat.
 */

#define G_LOG_DOMAIN "nc-session"

#include "config.h"

#include <glib/gi18n.h>

#include "nc-session-private.h"
#include "nc-settings.h"
#include "nc-webhook-url.h"

#define RESTART_DELAY_MS 400

void
nc_session_set_listener_problem (NcSession  *self,
                                 const char *problem)
{
  if (problem != NULL && g_strcmp0 (self->listener_problem, problem) != 0)
    g_message ("The webhook listener is not running: %s", problem);
  nc_session_set_string (self, &self->listener_problem, problem, "listener-problem");
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

void
nc_session_set_listener (NcSession       *self,
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
  g_object_notify (G_OBJECT (self), "listener");
  g_object_notify (G_OBJECT (self), "webhook-url");
}

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
      nc_session_set_listener_problem (self, error->message);
      return;
    }
  g_free (self->token);
  self->token = g_steal_pointer (&token);
  g_object_notify (G_OBJECT (self), "webhook-url");
  if (self->flags & NC_SESSION_LISTEN)
    nc_session_restart_listener (self);
}

/* Looks the webhook token up in the keyring, once: the listener's path and the address
 * for the cabinet need it. */
void
nc_session_ask_token (NcSession *self)
{
  if (self->token_asked)
    return;
  self->token_asked = TRUE;
  nc_secrets_get_webhook_token_async (self->cancellable, token_found, g_object_ref (self));
}

gboolean
nc_session_start_listener (NcSession   *self,
                           const char  *address,
                           guint        port,
                           const char  *certificate_file,
                           const char  *key_file,
                           GError     **error)
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
  nc_session_set_listener (self, listener);
  return TRUE;
}

/* Stops the listener there is, and starts the one the settings and the account ask for. */
void
nc_session_restart_listener (NcSession *self)
{
  g_autofree char *bind = NULL;
  g_autoptr(GError) error = NULL;
  guint port;

  g_clear_handle_id (&self->restart_source, g_source_remove);
  if (self->closed || self->store == NULL || self->demo != NULL)
    return;

  nc_session_set_listener (self, NULL);
  /* The cabinet takes one webhook URL: on an office database, the office's one listener
   * (`listen` on a server) receives the calls, and every console reads them. */
  if (self->database_url != NULL)
    {
      nc_session_set_listener_problem (self, _("This console uses the office database: the "
                                               "office’s listener receives the calls (see "
                                               "“listen” in the README)"));
      return;
    }
  if (self->credentials == NULL)
    {
      nc_session_set_listener_problem (self, _("No Novofon account is connected: the PBX signs "
                                               "its events with the account’s Secret"));
      return;
    }
  if (!nc_settings_get_boolean (self->settings, "webhook-enabled"))
    {
      nc_session_set_listener_problem (self, _("Receiving call events is off"));
      return;
    }
  if (self->token == NULL)
    {
      nc_session_ask_token (self);
      return;
    }

  bind = nc_settings_dup_string (self->settings, "webhook-bind");
  port = (guint) nc_settings_get_int (self->settings, "webhook-port");
  if (!nc_session_start_listener (self, bind, port, NULL, NULL, &error))
    {
      g_autofree char *problem = g_strdup_printf (_("Could not listen on %s port %u: %s"),
                                                  bind, port, error->message);

      nc_session_set_listener_problem (self, problem);
      return;
    }
  nc_session_set_listener_problem (self, NULL);
}

static gboolean
restart_later (gpointer user_data)
{
  NcSession *self = user_data;

  self->restart_source = 0;
  nc_session_restart_listener (self);
  return G_SOURCE_REMOVE;
}

/* The listener's settings changed: the address for the cabinet follows at once, the
 * listener a moment later. */
void
nc_session_listener_settings_changed (NcSession  *self,
                                      const char *key)
{
  if (g_str_equal (key, "webhook-public-url") || g_str_equal (key, "webhook-bind") ||
      g_str_equal (key, "webhook-port"))
    g_object_notify (G_OBJECT (self), "webhook-url");
  /* A port typed digit by digit would otherwise bind every number on the way. */
  if ((self->flags & NC_SESSION_LISTEN) &&
      (g_str_equal (key, "webhook-enabled") || g_str_equal (key, "webhook-bind") ||
       g_str_equal (key, "webhook-port")))
    {
      g_clear_handle_id (&self->restart_source, g_source_remove);
      self->restart_source = g_timeout_add (RESTART_DELAY_MS, restart_later, self);
    }
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
  guint port;

  g_return_val_if_fail (NC_IS_SESSION (self), NULL);

  if (self->token == NULL)
    return NULL;
  public_url = nc_settings_dup_string (self->settings, "webhook-public-url");
  bind = nc_settings_dup_string (self->settings, "webhook-bind");
  port = self->listener != NULL ? nc_webhook_server_get_port (self->listener)
                                : (guint) nc_settings_get_int (self->settings, "webhook-port");
  return nc_webhook_url_build (public_url, bind, port, FALSE, self->token, out_reachable);
}
