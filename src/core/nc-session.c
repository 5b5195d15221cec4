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
 *
 * This file is the object; its start, its account and its listener are
 * nc-session-start.c, nc-session-account.c and nc-session-listener.c.
 */

#define G_LOG_DOMAIN "nc-session"

#include "config.h"

#include "nc-session-private.h"
#include "nc-settings.h"

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

G_DEFINE_FINAL_TYPE (NcSession, nc_session, G_TYPE_OBJECT)

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

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
settings_changed (GSettings  *settings,
                  const char *key,
                  NcSession  *self)
{
  if (self->store == NULL || self->demo != NULL)
    return;

  nc_session_account_settings_changed (self, key);
  nc_session_listener_settings_changed (self, key);
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
