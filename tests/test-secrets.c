/* test-secrets.c — the Key, the Secret and the webhook token in a real keyring
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs inside tests/harness/session-run, which starts an unlocked gnome-keyring on a
 * private bus; without one it skips.
 */

#include "config.h"

#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "nc-secrets.h"
#include "nc-test-util.h"

static void
got_result (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *result;
}

static NcCredentials *
lookup (GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  nc_secrets_lookup_credentials_async (NULL, got_result, &result);
  return nc_secrets_lookup_credentials_finish (wait_result (&result), error);
}

static void
test_store_lookup_clear (void)
{
  g_autoptr(GAsyncResult) stored = NULL;
  g_autoptr(GAsyncResult) cleared = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(NcCredentials) credentials = NULL;
  g_autoptr(NcCredentials) from_env = NULL;
  g_autoptr(NcCredentials) none = NULL;

  nc_secrets_store_credentials_async (" the-key ", "the-secret", NULL, got_result, &stored);
  g_assert_true (nc_secrets_store_credentials_finish (wait_result (&stored), &error));
  g_assert_no_error (error);

  credentials = lookup (&error);
  g_assert_no_error (error);
  g_assert_cmpstr (credentials->key, ==, "the-key");
  g_assert_cmpstr (credentials->secret, ==, "the-secret");
  g_assert_false (credentials->from_environment);

  /* The environment wins over the keyring. */
  g_setenv ("NOVOFON_API_KEY", "env-key", TRUE);
  g_setenv ("NOVOFON_API_SECRET", "env-secret", TRUE);
  from_env = lookup (&error);
  g_assert_cmpstr (from_env->key, ==, "env-key");
  g_assert_cmpstr (from_env->secret, ==, "env-secret");
  g_assert_true (from_env->from_environment);
  g_unsetenv ("NOVOFON_API_KEY");
  g_unsetenv ("NOVOFON_API_SECRET");

  nc_secrets_clear_credentials_async (NULL, got_result, &cleared);
  g_assert_true (nc_secrets_clear_credentials_finish (wait_result (&cleared), &error));
  none = lookup (&error);
  g_assert_null (none);
  g_assert_error (error, NC_SECRETS_ERROR, NC_SECRETS_ERROR_MISSING);
  g_assert_nonnull (strstr (error->message, "credentials set"));
}

static void
test_empty_refused (void)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  nc_secrets_store_credentials_async ("key", "", NULL, got_result, &result);
  g_assert_false (nc_secrets_store_credentials_finish (wait_result (&result), &error));
  g_assert_error (error, NC_SECRETS_ERROR, NC_SECRETS_ERROR_INVALID);
}

static char *
token (GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  nc_secrets_get_webhook_token_async (NULL, got_result, &result);
  return nc_secrets_get_webhook_token_finish (wait_result (&result), error);
}

/* Made once and kept; the environment's wins; it is not the Secret. */
static void
test_webhook_token (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *first = token (&error);
  g_autofree char *second = token (&error);
  g_autofree char *from_env = NULL;
  g_autofree char *bad = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (strlen (first), ==, 48);
  g_assert_cmpstr (first, ==, second);

  g_setenv ("NOVOFON_WEBHOOK_TOKEN", "server-token-0123456789", TRUE);
  from_env = token (&error);
  g_assert_cmpstr (from_env, ==, "server-token-0123456789");
  g_setenv ("NOVOFON_WEBHOOK_TOKEN", "bad/token", TRUE);
  bad = token (&error);
  g_assert_null (bad);
  g_assert_error (error, NC_SECRETS_ERROR, NC_SECRETS_ERROR_INVALID);
  g_unsetenv ("NOVOFON_WEBHOOK_TOKEN");
}

static gboolean
keyring_on_bus (void)
{
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr(GVariant) reply = NULL;
  gboolean has_owner = FALSE;

  if (bus == NULL)
    return FALSE;
  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "NameHasOwner",
                                       g_variant_new ("(s)", "org.freedesktop.secrets"),
                                       G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                                       NULL);
  if (reply != NULL)
    g_variant_get (reply, "(b)", &has_owner);
  return has_owner;
}

/* No core dump may carry the Secret: the process is made not dumpable and its core
 * limit nothing, unless NOVOFON_CONSOLE_ALLOW_CORE_DUMPS asks otherwise. */
static void
test_no_core_dumps (void)
{
  struct rlimit before, after;

  g_assert_cmpint (getrlimit (RLIMIT_CORE, &before), ==, 0);
  g_assert_cmpint (prctl (PR_GET_DUMPABLE, 0, 0, 0, 0), ==, 1);

  /* Asked for, for debugging: nothing changes. */
  g_setenv ("NOVOFON_CONSOLE_ALLOW_CORE_DUMPS", "1", TRUE);
  g_assert_false (nc_secrets_protect_process ());
  g_assert_cmpint (prctl (PR_GET_DUMPABLE, 0, 0, 0, 0), ==, 1);
  g_assert_cmpint (getrlimit (RLIMIT_CORE, &after), ==, 0);
  g_assert_cmpuint (after.rlim_cur, ==, before.rlim_cur);
  g_assert_cmpuint (after.rlim_max, ==, before.rlim_max);

  /* 0 is no request. */
  g_setenv ("NOVOFON_CONSOLE_ALLOW_CORE_DUMPS", "0", TRUE);
  g_assert_true (nc_secrets_protect_process ());
  g_unsetenv ("NOVOFON_CONSOLE_ALLOW_CORE_DUMPS");
  g_assert_true (nc_secrets_protect_process ());
  g_assert_cmpint (prctl (PR_GET_DUMPABLE, 0, 0, 0, 0), ==, 0);
  g_assert_cmpint (getrlimit (RLIMIT_CORE, &after), ==, 0);
  g_assert_cmpuint (after.rlim_cur, ==, 0);
  g_assert_cmpuint (after.rlim_max, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL || !keyring_on_bus ())
    {
      g_print ("1..0 # SKIP no keyring on the session bus: run through tests/harness/session-run\n");
      return 0;
    }

  g_test_add_func ("/secrets/store-lookup-clear", test_store_lookup_clear);
  g_test_add_func ("/secrets/empty-refused", test_empty_refused);
  g_test_add_func ("/secrets/webhook-token", test_webhook_token);
  /* Last: it changes this process for good. */
  g_test_add_func ("/secrets/no-core-dumps", test_no_core_dumps);

  return nc_test_run ();
}
