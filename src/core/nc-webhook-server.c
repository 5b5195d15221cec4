/* nc-webhook-server.c — the listener the PBX posts its call events to
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * It faces the internet, so whoever reaches the port must not be able to stop it, and
 * nothing is taken that the PBX did not sign or that its protocol does not have.
 *
 * This file is the object: its settings and limits, listening and stopping. What a
 * request gets, the checks in their order, is nc-webhook-server-requests.c; who gets in
 * at all, nc-webhook-server-accept.c; one connection's life under its deadlines,
 * nc-webhook-server-connections.c.
 */

#define G_LOG_DOMAIN "nc-webhook-server"

#include "config.h"

#include <string.h>

#include "nc-settings.h"
#include "nc-webhook-server-private.h"
#include "nc-webhook-url.h"

/* The PBX's documented source addresses (ZADARMA-API.md): its own, and the range that
 * third-party integrations are told to allow. */
static const char *const pbx_sources[] = { "185.45.152.42/32", "185.45.152.40/30" };

static const NcWebhookLimits default_limits = {
  .max_connections = 512,
  .max_connections_per_peer = 128,
  .max_handshakes = 8,
  .max_handshakes_per_peer = 4,
  .handshake_timeout_ms = 5000,
  .head_timeout_ms = 5000,
  .body_timeout_ms = 10000,
  .answer_timeout_ms = 10000,
};

enum {
  SIGNAL_EVENT_RECEIVED,
  SIGNAL_HEALTH_CHANGED,
  N_SIGNALS
};

G_DEFINE_FINAL_TYPE (NcWebhookServer, nc_webhook_server, G_TYPE_OBJECT)

static guint signals[N_SIGNALS];

/* The environment wins over GSettings: a server without dconf has only it. */
static void
read_settings (NcWebhookServer *self)
{
  g_autoptr(GSettings) settings = nc_settings_new_for_command_line ();
  const char *window = g_getenv ("NOVOFON_WEBHOOK_EVENT_WINDOW");
  const char *pbx_only = g_getenv ("NOVOFON_WEBHOOK_PBX_SOURCES_ONLY");
  guint64 value;

  self->event_window = (guint) MAX (0, nc_settings_get_int (settings, "webhook-event-window"));
  self->pbx_sources_only = nc_settings_get_boolean (settings, "webhook-pbx-sources-only");

  if (window != NULL && *window != '\0')
    {
      if (g_ascii_string_to_unsigned (window, 10, 0, G_MAXUINT, &value, NULL))
        self->event_window = (guint) value;
      else
        g_warning ("NOVOFON_WEBHOOK_EVENT_WINDOW is not a number of seconds: “%s”", window);
    }
  if (pbx_only != NULL && *pbx_only != '\0')
    self->pbx_sources_only = g_strcmp0 (pbx_only, "0") != 0 &&
                             g_ascii_strcasecmp (pbx_only, "false") != 0;
}

static void
nc_webhook_server_dispose (GObject *object)
{
  NcWebhookServer *self = NC_WEBHOOK_SERVER (object);

  nc_webhook_server_stop (self);
  nc_webhook_server_forget_connections (self);
  g_clear_object (&self->store);
  g_clear_object (&self->matcher);
  g_clear_object (&self->certificate);

  G_OBJECT_CLASS (nc_webhook_server_parent_class)->dispose (object);
}

static void
nc_webhook_server_finalize (GObject *object)
{
  NcWebhookServer *self = NC_WEBHOOK_SERVER (object);

  if (self->secret != NULL)
    memset (self->secret, 0, strlen (self->secret));
  g_free (self->secret);
  g_free (self->token);
  g_free (self->path);
  g_clear_pointer (&self->waiting, g_hash_table_unref);
  g_clear_pointer (&self->peers, g_hash_table_unref);
  g_clear_pointer (&self->pbx_masks, g_ptr_array_unref);
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (nc_webhook_server_parent_class)->finalize (object);
}

static void
nc_webhook_server_class_init (NcWebhookServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = nc_webhook_server_dispose;
  object_class->finalize = nc_webhook_server_finalize;

  /**
   * NcWebhookServer::event-received:
   * @event: the verified event
   * @inserted: %FALSE for a replay of an event already stored
   *
   * Emitted once the event is on disk, before the PBX gets its answer.
   */
  signals[SIGNAL_EVENT_RECEIVED] =
    g_signal_new ("event-received", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, NC_TYPE_CALL_EVENT, G_TYPE_BOOLEAN);
  signals[SIGNAL_HEALTH_CHANGED] =
    g_signal_new ("health-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);
}

static void
nc_webhook_server_init (NcWebhookServer *self)
{
  self->waiting = g_hash_table_new (NULL, NULL);
  self->peers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->limits = default_limits;
  self->pbx_masks = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < G_N_ELEMENTS (pbx_sources); i++)
    g_ptr_array_add (self->pbx_masks, g_inet_address_mask_new_from_string (pbx_sources[i], NULL));
  g_queue_init (&self->conns);
  g_queue_init (&self->tls_queue);
  read_settings (self);
}

/**
 * nc_webhook_server_new:
 * @secret: the API Secret, which the PBX signs events with
 * @token: the token in the URL's path (not the Secret)
 */
NcWebhookServer *
nc_webhook_server_new (NcStore    *store,
                       const char *secret,
                       const char *token)
{
  NcWebhookServer *self;

  g_return_val_if_fail (NC_IS_STORE (store), NULL);
  g_return_val_if_fail (secret != NULL, NULL);
  g_return_val_if_fail (token != NULL, NULL);

  self = g_object_new (NC_TYPE_WEBHOOK_SERVER, NULL);
  self->store = g_object_ref (store);
  self->secret = g_strdup (secret);
  self->token = g_strdup (token);
  self->path = g_strconcat (NC_WEBHOOK_PATH_PREFIX, token, NULL);
  return self;
}

/**
 * nc_webhook_server_set_matcher:
 * @matcher: (nullable): to name the caller in the answer to NOTIFY_START
 */
void
nc_webhook_server_set_matcher (NcWebhookServer *self,
                               NcClientMatcher *matcher)
{
  g_return_if_fail (NC_IS_WEBHOOK_SERVER (self));
  g_set_object (&self->matcher, matcher);
}

/**
 * nc_webhook_server_set_tls:
 *
 * Serves HTTPS with this certificate and key (PEM files), from the next listen on. A key
 * that is not the certificate's is an error here, not a failed handshake later.
 */
gboolean
nc_webhook_server_set_tls (NcWebhookServer  *self,
                           const char       *certificate_file,
                           const char       *key_file,
                           GError          **error)
{
  g_autoptr(GTlsCertificate) certificate = NULL;

  g_return_val_if_fail (NC_IS_WEBHOOK_SERVER (self), FALSE);

  certificate = g_tls_certificate_new_from_files (certificate_file, key_file, error);
  if (certificate == NULL || !nc_webhook_server_check_certificate (certificate, error))
    return FALSE;
  g_set_object (&self->certificate, certificate);
  return TRUE;
}

/**
 * nc_webhook_server_get_limits:
 * @limits: (out caller-allocates): the limits in use
 */
void
nc_webhook_server_get_limits (NcWebhookServer *self,
                              NcWebhookLimits *limits)
{
  g_return_if_fail (NC_IS_WEBHOOK_SERVER (self));
  g_return_if_fail (limits != NULL);
  *limits = self->limits;
}

/**
 * nc_webhook_server_set_limits:
 *
 * Changes the limits, from the next listen on (time-outs: from the next stage on). A 0
 * keeps that limit as it was.
 */
void
nc_webhook_server_set_limits (NcWebhookServer       *self,
                              const NcWebhookLimits *limits)
{
  g_return_if_fail (NC_IS_WEBHOOK_SERVER (self));
  g_return_if_fail (limits != NULL);

#define SET(field) if (limits->field != 0) self->limits.field = limits->field
  SET (max_connections);
  SET (max_connections_per_peer);
  SET (max_handshakes);
  SET (max_handshakes_per_peer);
  SET (handshake_timeout_ms);
  SET (head_timeout_ms);
  SET (body_timeout_ms);
  SET (answer_timeout_ms);
#undef SET
}

/**
 * nc_webhook_server_set_event_window:
 * @seconds: how far from now a signed call_start may be; 0 for any time
 */
void
nc_webhook_server_set_event_window (NcWebhookServer *self,
                                    guint            seconds)
{
  g_return_if_fail (NC_IS_WEBHOOK_SERVER (self));
  self->event_window = seconds;
}

/**
 * nc_webhook_server_set_pbx_sources_only:
 * @only: whether only the PBX's documented addresses may connect
 */
void
nc_webhook_server_set_pbx_sources_only (NcWebhookServer *self,
                                        gboolean         only)
{
  g_return_if_fail (NC_IS_WEBHOOK_SERVER (self));
  self->pbx_sources_only = only;
}

/**
 * nc_webhook_server_listen:
 * @address: an IP address to bind, `127.0.0.1` by default
 * @port: 0 for any free port
 */
gboolean
nc_webhook_server_listen (NcWebhookServer  *self,
                          const char       *address,
                          guint             port,
                          GError          **error)
{
  g_return_val_if_fail (NC_IS_WEBHOOK_SERVER (self), FALSE);
  g_return_val_if_fail (self->server == NULL, FALSE);

  if (!nc_webhook_server_bind (self, address, port, error))
    return FALSE;
  self->server = soup_server_new ("server-header", "novofon-console", NULL);
  nc_webhook_server_serve_requests (self);
  nc_webhook_server_start_accepting (self);
  return TRUE;
}

/**
 * nc_webhook_server_stop:
 *
 * Stops taking requests. Events already accepted are still committed and answered:
 * nc_webhook_server_get_pending() tells how many are on their way.
 */
void
nc_webhook_server_stop (NcWebhookServer *self)
{
  g_return_if_fail (NC_IS_WEBHOOK_SERVER (self));

  nc_webhook_server_stop_accepting (self);
  nc_webhook_server_close_connections (self);
  if (self->server != NULL)
    {
      soup_server_disconnect (self->server);
      g_clear_object (&self->server);
    }
}

guint
nc_webhook_server_get_port (NcWebhookServer *self)
{
  g_return_val_if_fail (NC_IS_WEBHOOK_SERVER (self), 0);
  return self->port;
}

guint
nc_webhook_server_get_pending (NcWebhookServer *self)
{
  g_return_val_if_fail (NC_IS_WEBHOOK_SERVER (self), 0);
  return self->pending;
}

/**
 * nc_webhook_server_get_connections:
 *
 * Returns: how many connections are open and counted against the limits
 */
guint
nc_webhook_server_get_connections (NcWebhookServer *self)
{
  g_return_val_if_fail (NC_IS_WEBHOOK_SERVER (self), 0);
  return self->n_counted;
}

/**
 * nc_webhook_server_get_health:
 *
 * Returns: (transfer none): the listener's figures
 */
const NcWebhookHealth *
nc_webhook_server_get_health (NcWebhookServer *self)
{
  g_return_val_if_fail (NC_IS_WEBHOOK_SERVER (self), NULL);
  return &self->health;
}
