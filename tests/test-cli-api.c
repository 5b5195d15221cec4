/* test-cli-api.c — call, balance and credentials, as a script or a bot runs them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <gio/gio.h>
#include <libsecret/secret.h>

#include "nc-pbx-simulator.h"
#include "nc-test-util.h"

#define KEY "a1b2c3d4e5f6a7b8c9d0"
#define SECRET "c3e9a1b2d4f60718293a4b5c6d7e8f90"
/* Secrets no message could hold by chance, so that finding one anywhere means a leak. */
#define WRONG_SECRET "canary-wrong-5ecret-Qx7Lw2"
#define TYPED_KEY "canary-key-K3yVb9"
#define TYPED_SECRET "canary-5ecret-Zq8Tn4Rw"

typedef struct
{
  NcPbxSimulator *simulator;
  char           *dir;       /* the command's --data-dir, HOME and XDG folders, all under it */
  char           *url;
  gboolean        with_bus;  /* the session bus of the tests, with its keyring */
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->simulator = nc_pbx_simulator_new (KEY, SECRET);
  g_assert_true (nc_pbx_simulator_start (fixture->simulator, 0, NULL));
  fixture->url = nc_pbx_simulator_get_url (fixture->simulator);
  fixture->dir = nc_test_make_temp_dir ();
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  nc_pbx_simulator_stop (fixture->simulator);
  g_assert_finalize_object (fixture->simulator);
  nc_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->url);
}

/* Runs the real program with no display and, unless the fixture wants it, no session bus;
 * the simulator answers from this process's main loop meanwhile. @key and @secret go into
 * the environment. Every file it may write is under the fixture's folder. */
static NcTestRun
program (Fixture    *fixture,
         const char *key,
         const char *secret,
         const char *input,
         ...)
{
  const char *const homes[][2] = {
    { "HOME", "home" }, { "XDG_DATA_HOME", "data" }, { "XDG_CONFIG_HOME", "config" },
    { "XDG_CACHE_HOME", "cache" },
  };
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  NcTestRun run;
  va_list args;

  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "WAYLAND_DISPLAY");
  if (!fixture->with_bus)
    g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent",
                                  TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (homes); i++)
    {
      g_autofree char *home = g_build_filename (fixture->dir, homes[i][1], NULL);

      g_assert_cmpint (g_mkdir_with_parents (home, 0700), ==, 0);
      g_subprocess_launcher_setenv (launcher, homes[i][0], home, TRUE);
    }
  g_subprocess_launcher_setenv (launcher, "NOVOFON_API_URL", fixture->url, TRUE);
  if (key != NULL)
    g_subprocess_launcher_setenv (launcher, "NOVOFON_API_KEY", key, TRUE);
  if (secret != NULL)
    g_subprocess_launcher_setenv (launcher, "NOVOFON_API_SECRET", secret, TRUE);

  va_start (args, input);
  run = nc_test_program_valist (launcher, input, fixture->dir, args);
  va_end (args);
  return run;
}

/* @secret is in nothing the command printed, and in no file it wrote. */
static void
assert_secret_nowhere (Fixture         *fixture,
                       const NcTestRun *run,
                       const char      *secret)
{
  const char *const said[] = { run->out, run->err, NULL };

  nc_test_assert_nowhere (secret, fixture->dir, said);
}

static void
test_call (Fixture       *fixture,
           gconstpointer  data)
{
  NcTestRun run = program (fixture, KEY, SECRET, NULL, "call", "+7 (900) 444-33-22", "8 950 000 00 33",
                     "111111", NULL);
  GPtrArray *callbacks = nc_pbx_simulator_get_callbacks (fixture->simulator);

  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, "The PBX is calling employee 111111, then the client 79004443322 "
                                "(who sees 79500000033).\n");
  g_assert_cmpstr (run.err, ==, "");
  g_assert_cmpuint (callbacks->len, ==, 1);
  g_assert_cmpstr (g_hash_table_lookup (callbacks->pdata[0], "from"), ==, "111111");
  g_assert_cmpstr (g_hash_table_lookup (callbacks->pdata[0], "to"), ==, "79004443322");
  g_assert_cmpstr (g_hash_table_lookup (callbacks->pdata[0], "sip"), ==, "111111");
  assert_secret_nowhere (fixture, &run, SECRET);
  nc_test_run_clear (&run);
}

/* Each failure: one line on stderr, the project's exit code, and no call placed. */
static void
test_call_failures (Fixture       *fixture,
                    gconstpointer  data)
{
  static const struct
  {
    const char *client;
    const char *employee_phone;
    const char *employee_id;
    const char *key;
    const char *secret;
    int         fault;       /* -1: none */
    int         status;
    const char *says;
  } cases[] = {
    { "9004443322", "79500000033", "111111", KEY, SECRET, -1, 2, "add the country code" },
    { "79004443322", "100", "111111", KEY, SECRET, -1, 2, "virtual number" },
    { "79004443322", "79500000033", "abc", KEY, SECRET, -1, 2, "not an employee id" },
    { "79004443322", "79500000033", "111111", NULL, NULL, -1, 3, "NOVOFON_API_KEY" },
    { "79004443322", "79500000033", "111111", KEY, NULL, -1, 3, "Only one of" },
    { "79004443322", "79500000033", "111111", KEY, WRONG_SECRET, -1, 3, "401" },
    { "79004443322", "79500000033", "111111", KEY, SECRET, NC_PBX_FAULT_RATE_LIMIT, 4, "wait 42" },
    { "79004443322", "79500000033", "111111", KEY, SECRET, NC_PBX_FAULT_SERVER_ERROR, 1, "HTTP 502" },
    { "79004443322", "79500000033", "111111", KEY, SECRET, NC_PBX_FAULT_GARBAGE, 1, "not the API’s JSON" },
    { "79004443322", "79500000033", "111111", KEY, SECRET, NC_PBX_FAULT_API_ERROR, 1, "Wrong parameters" },
    { "79004443322", "79500000033", "111111", KEY, SECRET, NC_PBX_FAULT_DROP, 1, "Could not reach" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      NcTestRun run;
      guint before = nc_pbx_simulator_get_request_count (fixture->simulator);

      if (cases[i].fault >= 0)
        nc_pbx_simulator_push_fault (fixture->simulator, cases[i].fault);
      run = program (fixture, cases[i].key, cases[i].secret, NULL, "call", cases[i].client,
                     cases[i].employee_phone, cases[i].employee_id, NULL);
      g_test_message ("%s", run.err);
      g_assert_cmpint (run.status, ==, cases[i].status);
      g_assert_cmpstr (run.out, ==, "");
      g_assert_nonnull (strstr (run.err, cases[i].says));
      /* One line: its only newline is its last character. */
      g_assert_true (g_str_has_suffix (run.err, "\n"));
      g_assert_true (strchr (run.err, '\n') == run.err + strlen (run.err) - 1);
      assert_secret_nowhere (fixture, &run, SECRET);
      assert_secret_nowhere (fixture, &run, WRONG_SECRET);
      /* At most the one request that failed; never a second. */
      g_assert_cmpuint (nc_pbx_simulator_get_request_count (fixture->simulator) - before, <=, 1);
      nc_test_run_clear (&run);
    }
  g_assert_cmpuint (nc_pbx_simulator_get_callbacks (fixture->simulator)->len, ==, 0);
}

static void
test_balance (Fixture       *fixture,
              gconstpointer  data)
{
  NcTestRun run = program (fixture, KEY, SECRET, NULL, "balance", NULL);

  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, "Balance: 1234.50 RUB\n");
  g_assert_cmpstr (run.err, ==, "");
  nc_test_run_clear (&run);

  /* Where the schema is not installed and no settings backend was chosen, the defaults
   * serve, without a word about GSettings on standard error. */
  g_unsetenv ("GSETTINGS_SCHEMA_DIR");
  g_unsetenv ("GSETTINGS_BACKEND");
  run = program (fixture, KEY, SECRET, NULL, "balance", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.err, ==, "");
  nc_test_run_clear (&run);

  run = program (fixture, KEY, WRONG_SECRET, NULL, "balance", NULL);
  g_assert_cmpint (run.status, ==, 3);
  g_assert_nonnull (strstr (run.err, "401"));
  assert_secret_nowhere (fixture, &run, WRONG_SECRET);
  assert_secret_nowhere (fixture, &run, SECRET);
  nc_test_run_clear (&run);
}

/* Without a session bus there is no keyring: a clear sentence, not a crash. */
static void
test_credentials_without_keyring (Fixture       *fixture,
                                  gconstpointer  data)
{
  NcTestRun run = program (fixture, NULL, NULL, TYPED_KEY "\n" TYPED_SECRET "\n", "credentials", "set",
                     NULL);

  g_assert_cmpint (run.status, ==, 1);
  g_assert_nonnull (strstr (run.err, "keyring is not available"));
  assert_secret_nowhere (fixture, &run, TYPED_SECRET);
  nc_test_run_clear (&run);

  run = program (fixture, NULL, NULL, "only-a-key\n", "credentials", "set", NULL);
  g_assert_cmpint (run.status, ==, 2);
  nc_test_run_clear (&run);

  run = program (fixture, NULL, NULL, NULL, "credentials", "show", NULL);
  g_assert_cmpint (run.status, ==, 2);
  nc_test_run_clear (&run);
}

/* What the keyring holds under the project's schema (nc-secrets.c): the item of @kind. */
static char *
keyring_item (const char *kind)
{
  static const SecretSchema schema = {
    .name = BASE_APPLICATION_ID,
    .flags = SECRET_SCHEMA_NONE,
    .attributes = {
      { .name = "kind", .type = SECRET_SCHEMA_ATTRIBUTE_STRING },
      { .name = NULL },
    },
  };
  g_autoptr(GError) error = NULL;
  char *value = secret_password_lookup_sync (&schema, NULL, &error, "kind", kind, NULL);

  g_assert_no_error (error);
  return value;
}

/* credentials set stores the Key and the Secret from standard input in the keyring of the
 * session bus, where the API commands then find them; clear removes them. */
static void
test_credentials_set_clear (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autofree char *key = NULL;
  g_autofree char *secret = NULL;
  NcTestRun run;

  if (!nc_test_keyring_on_bus ())
    {
      g_test_skip ("no keyring on the session bus: run through tests/harness/session-run");
      return;
    }
  fixture->with_bus = TRUE;

  /* Nothing stored: balance says how to store them, and fails as credentials do. */
  run = program (fixture, NULL, NULL, NULL, "credentials", "clear", NULL);
  g_assert_cmpint (run.status, ==, 0);
  nc_test_run_clear (&run);
  run = program (fixture, NULL, NULL, NULL, "balance", NULL);
  g_assert_cmpint (run.status, ==, 3);
  g_assert_nonnull (strstr (run.err, "credentials set"));
  nc_test_run_clear (&run);

  /* The simulator accepts only this pair: balance works only if both were stored right. */
  run = program (fixture, NULL, NULL, "  " KEY "  \n" SECRET "\n", "credentials", "set", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, "The API Key and Secret are in the keyring.\n");
  g_assert_cmpstr (run.err, ==, "");
  assert_secret_nowhere (fixture, &run, SECRET);
  nc_test_run_clear (&run);
  key = keyring_item ("api-key");
  secret = keyring_item ("api-secret");
  g_assert_cmpstr (key, ==, KEY);
  g_assert_cmpstr (secret, ==, SECRET);

  run = program (fixture, NULL, NULL, NULL, "balance", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, "Balance: 1234.50 RUB\n");
  assert_secret_nowhere (fixture, &run, SECRET);
  nc_test_run_clear (&run);

  /* Input that is not a Key line and a Secret line: refused, and what was stored stays. */
  run = program (fixture, NULL, NULL, TYPED_KEY "\n", "credentials", "set", NULL);
  g_assert_cmpint (run.status, ==, 2);
  nc_test_run_clear (&run);
  run = program (fixture, NULL, NULL, TYPED_KEY "\n\n", "credentials", "set", NULL);
  g_assert_cmpint (run.status, ==, 2);
  nc_test_run_clear (&run);
  run = program (fixture, NULL, NULL, "", "credentials", "set", NULL);
  g_assert_cmpint (run.status, ==, 2);
  nc_test_run_clear (&run);
  g_clear_pointer (&key, g_free);
  key = keyring_item ("api-key");
  g_assert_cmpstr (key, ==, KEY);

  run = program (fixture, NULL, NULL, NULL, "credentials", "clear", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, "The API Key and Secret are no longer in the keyring.\n");
  g_assert_cmpstr (run.err, ==, "");
  nc_test_run_clear (&run);
  g_clear_pointer (&key, g_free);
  g_clear_pointer (&secret, g_free);
  key = keyring_item ("api-key");
  secret = keyring_item ("api-secret");
  g_assert_null (key);
  g_assert_null (secret);

  run = program (fixture, NULL, NULL, NULL, "balance", NULL);
  g_assert_cmpint (run.status, ==, 3);
  g_assert_nonnull (strstr (run.err, "credentials set"));
  nc_test_run_clear (&run);

  /* Clearing what is not there is no failure. */
  run = program (fixture, NULL, NULL, NULL, "credentials", "clear", NULL);
  g_assert_cmpint (run.status, ==, 0);
  nc_test_run_clear (&run);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/cli-api/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("call", test_call);
  ADD ("call-failures", test_call_failures);
  ADD ("balance", test_balance);
  ADD ("credentials-without-keyring", test_credentials_without_keyring);
  ADD ("credentials-set-clear", test_credentials_set_clear);
#undef ADD

  return nc_test_run ();
}
