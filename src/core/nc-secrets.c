/* nc-secrets.c — the API Key, the Secret and the webhook token, in the keyring
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One libsecret schema, one item per kind. For servers and scripts, NOVOFON_API_KEY,
 * NOVOFON_API_SECRET and NOVOFON_WEBHOOK_TOKEN win over the keyring, and then the keyring
 * (and the session bus) is never asked. The Secret goes nowhere else: not into the
 * database, the settings, a log line or an error message — nor into a core dump: the
 * process makes none (nc_secrets_protect_process()), and every buffer that held the
 * Secret is wiped before it is freed.
 */

#define G_LOG_DOMAIN "nc-secrets"

#include "config.h"

#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <glib/gi18n.h>
#include <libsecret/secret.h>

#include "nc-secrets.h"
#include "nc-webhook-url.h"

#define KIND_KEY "api-key"
#define KIND_SECRET "api-secret"
#define KIND_TOKEN "webhook-token"
#define KIND_DATABASE "database-password"

G_DEFINE_QUARK (nc-secrets-error-quark, nc_secrets_error)

static const SecretSchema schema = {
  .name = BASE_APPLICATION_ID,
  .flags = SECRET_SCHEMA_NONE,
  .attributes = {
    { .name = "kind", .type = SECRET_SCHEMA_ATTRIBUTE_STRING },
    /* The database a password is for: its URL without password and query. */
    { .name = "database", .type = SECRET_SCHEMA_ATTRIBUTE_STRING },
    { .name = NULL },
  },
};

/* Wipes, then frees: freed memory is not cleared, and lives on in the heap (and in any
 * core dump) until it is reused. */
static void
wipe_free (char *secret)
{
  if (secret != NULL)
    memset (secret, 0, strlen (secret));
  g_free (secret);
}

/* A copy without the surrounding white space. g_strstrip() would move the text within
 * its own buffer and leave a piece of it behind the new end, where no wipe reaches. */
static char *
dup_stripped (const char *text)
{
  const char *start = text;
  const char *end = text + strlen (text);

  while (start < end && g_ascii_isspace (*start))
    start++;
  while (end > start && g_ascii_isspace (end[-1]))
    end--;
  return g_strndup (start, (gsize) (end - start));
}

void
nc_credentials_free (NcCredentials *credentials)
{
  if (credentials == NULL)
    return;
  g_free (credentials->key);
  wipe_free (credentials->secret);
  g_free (credentials);
}

/* A Flatpak or Snap sandbox reaches files and links through the portal, which refuses
 * every process that is not dumpable (it cannot read its /proc/PID/root):
 * flatpak/xdg-desktop-portal#785. */
static gboolean
in_sandbox (void)
{
  return g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS) || g_getenv ("SNAP") != NULL;
}

/**
 * nc_secrets_protect_process:
 *
 * Keeps the Secret out of core dumps: sets this process's core size limit to nothing
 * (which the kernel and systemd-coredump honour) and, outside a sandbox, makes it not
 * dumpable (which also keeps other processes of the same user from reading its memory).
 * NOVOFON_CONSOLE_ALLOW_CORE_DUMPS (set, and not 0) leaves both as they are, for
 * debugging.
 *
 * Returns: whether the process is now protected
 */
gboolean
nc_secrets_protect_process (void)
{
  const char *allow = g_getenv ("NOVOFON_CONSOLE_ALLOW_CORE_DUMPS");
  const struct rlimit none = { 0, 0 };
  gboolean protected = TRUE;

  if (allow != NULL && *allow != '\0' && strcmp (allow, "0") != 0)
    return FALSE;

  if (setrlimit (RLIMIT_CORE, &none) != 0)
    protected = FALSE;
  if (!in_sandbox () && prctl (PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
    protected = FALSE;
  return protected;
}

static const char *
non_empty_env (const char *name)
{
  const char *value = g_getenv (name);

  return value != NULL && *value != '\0' ? value : NULL;
}

/* The keyring's own errors say little to a person; this says what to do instead. */
static GError *
unavailable (const GError *cause)
{
  return g_error_new (NC_SECRETS_ERROR, NC_SECRETS_ERROR_UNAVAILABLE,
                      _("The desktop keyring is not available (%s): set NOVOFON_API_KEY and "
                        "NOVOFON_API_SECRET in the environment instead"), cause->message);
}

/* ------------------------------------------------------------------------------------ */

typedef struct
{
  char *key;
  char *secret;
} Lookup;

static void
lookup_free (Lookup *lookup)
{
  g_free (lookup->key);
  wipe_free (lookup->secret);
  g_free (lookup);
}

static void
finish_lookup (GTask *task)
{
  Lookup *lookup = g_task_get_task_data (task);
  NcCredentials *credentials;

  if (lookup->key == NULL || lookup->secret == NULL)
    {
      g_task_return_new_error (task, NC_SECRETS_ERROR, NC_SECRETS_ERROR_MISSING,
                               _("No API Key and Secret: run “novofon-console credentials "
                                 "set”, or set NOVOFON_API_KEY and NOVOFON_API_SECRET"));
      return;
    }

  credentials = g_new0 (NcCredentials, 1);
  credentials->key = g_steal_pointer (&lookup->key);
  credentials->secret = g_steal_pointer (&lookup->secret);
  g_task_return_pointer (task, credentials, (GDestroyNotify) nc_credentials_free);
}

static void
secret_looked_up (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Lookup *lookup = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  lookup->secret = secret_password_lookup_finish (result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, unavailable (error));
      return;
    }
  finish_lookup (task);
}

static void
key_looked_up (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Lookup *lookup = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  lookup->key = secret_password_lookup_finish (result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, unavailable (error));
      return;
    }
  if (lookup->key == NULL)
    {
      finish_lookup (task);
      return;
    }
  secret_password_lookup (&schema, g_task_get_cancellable (task), secret_looked_up,
                          g_object_ref (task), "kind", KIND_SECRET, NULL);
}

/**
 * nc_secrets_lookup_credentials_async:
 *
 * The environment's NOVOFON_API_KEY and NOVOFON_API_SECRET, or else the keyring's.
 */
void
nc_secrets_lookup_credentials_async (GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  Lookup *lookup = g_new0 (Lookup, 1);
  const char *env_key = non_empty_env ("NOVOFON_API_KEY");
  const char *env_secret = non_empty_env ("NOVOFON_API_SECRET");

  g_task_set_source_tag (task, nc_secrets_lookup_credentials_async);
  g_task_set_task_data (task, lookup, (GDestroyNotify) lookup_free);

  if (env_key != NULL || env_secret != NULL)
    {
      NcCredentials *credentials;

      if (env_key == NULL || env_secret == NULL)
        {
          g_task_return_new_error (task, NC_SECRETS_ERROR, NC_SECRETS_ERROR_MISSING,
                                   _("Only one of NOVOFON_API_KEY and NOVOFON_API_SECRET is "
                                     "set: set both, or neither to use the keyring"));
          return;
        }
      credentials = g_new0 (NcCredentials, 1);
      credentials->key = g_strdup (env_key);
      credentials->secret = g_strdup (env_secret);
      credentials->from_environment = TRUE;
      g_task_return_pointer (task, credentials, (GDestroyNotify) nc_credentials_free);
      return;
    }

  secret_password_lookup (&schema, cancellable, key_looked_up, g_object_ref (task),
                          "kind", KIND_KEY, NULL);
}

/**
 * nc_secrets_lookup_credentials_finish:
 *
 * Returns: (transfer full) (nullable): the Key and the Secret
 */
NcCredentials *
nc_secrets_lookup_credentials_finish (GAsyncResult  *result,
                                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ------------------------------------------------------------------------------------ */

typedef struct
{
  char *key;
  char *secret;
} Store;

static void
store_free (Store *store)
{
  g_free (store->key);
  wipe_free (store->secret);
  g_free (store);
}

static void
secret_stored (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!secret_password_store_finish (result, &error))
    g_task_return_error (task, unavailable (error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
key_stored (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Store *store = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!secret_password_store_finish (result, &error))
    {
      g_task_return_error (task, unavailable (error));
      return;
    }
  secret_password_store (&schema, SECRET_COLLECTION_DEFAULT, _("Novofon Console: API Secret"),
                         store->secret, g_task_get_cancellable (task), secret_stored,
                         g_object_ref (task), "kind", KIND_SECRET, NULL);
}

void
nc_secrets_store_credentials_async (const char          *key,
                                    const char          *secret,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  Store *store;

  g_task_set_source_tag (task, nc_secrets_store_credentials_async);
  if (key == NULL || *key == '\0' || secret == NULL || *secret == '\0')
    {
      g_task_return_new_error (task, NC_SECRETS_ERROR, NC_SECRETS_ERROR_INVALID,
                               _("The API Key and the Secret must not be empty"));
      return;
    }

  store = g_new0 (Store, 1);
  store->key = dup_stripped (key);
  store->secret = dup_stripped (secret);
  g_task_set_task_data (task, store, (GDestroyNotify) store_free);
  secret_password_store (&schema, SECRET_COLLECTION_DEFAULT, _("Novofon Console: API Key"),
                         store->key, cancellable, key_stored, g_object_ref (task),
                         "kind", KIND_KEY, NULL);
}

gboolean
nc_secrets_store_credentials_finish (GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
cleared_secret (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  secret_password_clear_finish (result, &error);
  if (error != NULL)
    g_task_return_error (task, unavailable (error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
cleared_key (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  secret_password_clear_finish (result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, unavailable (error));
      return;
    }
  secret_password_clear (&schema, g_task_get_cancellable (task), cleared_secret,
                         g_object_ref (task), "kind", KIND_SECRET, NULL);
}

/**
 * nc_secrets_clear_credentials_async:
 *
 * Removes the Key and the Secret from the keyring (the webhook token stays: the URL in
 * the cabinet keeps working).
 */
void
nc_secrets_clear_credentials_async (GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, nc_secrets_clear_credentials_async);
  secret_password_clear (&schema, cancellable, cleared_key, g_object_ref (task),
                         "kind", KIND_KEY, NULL);
}

gboolean
nc_secrets_clear_credentials_finish (GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ------------------------------------------------------------------------------------ */

static void
token_stored (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!secret_password_store_finish (result, &error))
    g_task_return_error (task, unavailable (error));
  else
    g_task_return_pointer (task, g_strdup (g_task_get_task_data (task)), g_free);
}

static void
token_looked_up (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = secret_password_lookup_finish (result, &error);

  if (error != NULL)
    {
      g_task_return_error (task, unavailable (error));
      return;
    }
  if (token != NULL && nc_webhook_token_is_valid (token))
    {
      g_task_return_pointer (task, g_steal_pointer (&token), g_free);
      return;
    }

  /* Made once, then kept: the URL pasted in the cabinet stays valid. */
  token = nc_webhook_token_generate ();
  g_task_set_task_data (task, g_strdup (token), g_free);
  secret_password_store (&schema, SECRET_COLLECTION_DEFAULT, _("Novofon Console: webhook token"),
                         token, g_task_get_cancellable (task), token_stored, g_object_ref (task),
                         "kind", KIND_TOKEN, NULL);
}

/**
 * nc_secrets_get_webhook_token_async:
 *
 * The token in the webhook URL's path: NOVOFON_WEBHOOK_TOKEN, or the keyring's, made
 * there the first time.
 */
void
nc_secrets_get_webhook_token_async (GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  const char *env_token = non_empty_env ("NOVOFON_WEBHOOK_TOKEN");

  g_task_set_source_tag (task, nc_secrets_get_webhook_token_async);

  if (env_token != NULL)
    {
      if (!nc_webhook_token_is_valid (env_token))
        g_task_return_new_error (task, NC_SECRETS_ERROR, NC_SECRETS_ERROR_INVALID,
                                 _("NOVOFON_WEBHOOK_TOKEN must be 16 to 128 letters, digits, "
                                   "“-” or “_”"));
      else
        g_task_return_pointer (task, g_strdup (env_token), g_free);
      return;
    }

  secret_password_lookup (&schema, cancellable, token_looked_up, g_object_ref (task),
                          "kind", KIND_TOKEN, NULL);
}

/**
 * nc_secrets_get_webhook_token_finish:
 *
 * Returns: (transfer full) (nullable): the token
 */
char *
nc_secrets_get_webhook_token_finish (GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ------------------------------------------------------------------------------------ */
/* The office database's password                                                        */

static char *
database_key (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_HAS_PASSWORD | G_URI_FLAGS_ENCODED_QUERY,
                                     NULL);

  if (uri == NULL)
    return g_strdup (url);
  return g_uri_to_string_partial (uri, G_URI_HIDE_PASSWORD | G_URI_HIDE_QUERY);
}

static void
database_password_looked_up (GObject      *source,
                             GAsyncResult *result,
                             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  char *password = secret_password_lookup_finish (result, &error);

  /* No keyring: the URL may carry what the server needs, or the server needs nothing. */
  if (error != NULL)
    g_debug ("No keyring to ask for the database's password: %s", error->message);
  g_task_return_pointer (task, password, (GDestroyNotify) wipe_free);
}

/**
 * nc_secrets_lookup_database_password_async:
 * @url: the database's URL, as the settings keep it (without a password)
 *
 * The password kept in the keyring for that database, if any.
 */
void
nc_secrets_lookup_database_password_async (const char          *url,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autofree char *key = database_key (url);

  g_task_set_source_tag (task, nc_secrets_lookup_database_password_async);
  secret_password_lookup (&schema, cancellable, database_password_looked_up,
                          g_object_ref (task), "kind", KIND_DATABASE, "database", key, NULL);
}

/**
 * nc_secrets_lookup_database_password_finish:
 *
 * Returns: (transfer full) (nullable): the password, or %NULL when there is none (or no
 *   keyring)
 */
char *
nc_secrets_lookup_database_password_finish (GAsyncResult  *result,
                                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
database_password_stored (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!secret_password_store_finish (result, &error))
    {
      g_task_return_error (task, unavailable (error));
      g_error_free (error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
database_password_cleared (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  secret_password_clear_finish (result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, unavailable (error));
      g_error_free (error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

/**
 * nc_secrets_store_database_password_async:
 * @password: (nullable): the password, or %NULL to forget it
 */
void
nc_secrets_store_database_password_async (const char          *url,
                                          const char          *password,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autofree char *key = database_key (url);
  g_autofree char *label = g_strdup_printf (_("Novofon Console: password of %s"), key);

  g_task_set_source_tag (task, nc_secrets_store_database_password_async);
  if (password == NULL || *password == '\0')
    secret_password_clear (&schema, cancellable, database_password_cleared, g_object_ref (task),
                           "kind", KIND_DATABASE, "database", key, NULL);
  else
    secret_password_store (&schema, SECRET_COLLECTION_DEFAULT, label, password, cancellable,
                           database_password_stored, g_object_ref (task),
                           "kind", KIND_DATABASE, "database", key, NULL);
}

gboolean
nc_secrets_store_database_password_finish (GAsyncResult  *result,
                                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
