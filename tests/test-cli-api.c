/* test-cli-api.c — call, balance and credentials, as a script or a bot runs them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <gio/gio.h>

#include "nc-pbx-simulator.h"
#include "nc-test-util.h"

#define KEY "a1b2c3d4e5f6a7b8c9d0"
#define SECRET "c3e9a1b2d4f60718293a4b5c6d7e8f90"

typedef struct
{
  NcPbxSimulator *simulator;
  char           *dir;
  char           *url;
} Fixture;

typedef struct
{
  int   status;
  char *out;
  char *err;
} Run;

static void
run_clear (Run *run)
{
  g_free (run->out);
  g_free (run->err);
}

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

static void
communicated (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &run->out, &run->err,
                                        &error);
  g_assert_no_error (error);
  run->status = g_subprocess_get_exit_status (G_SUBPROCESS (source));
}

/* Runs the real program with no display and no session bus; the simulator answers from
 * this process's main loop meanwhile. @key and @secret go into the environment. */
static Run
program (Fixture    *fixture,
         const char *key,
         const char *secret,
         const char *input,
         ...)
{
  g_autofree char *path = g_build_filename (g_getenv ("NC_BUILD_ROOT"), "src", "novofon-console",
                                            NULL);
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                               G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  Run run = { -1, NULL, NULL };
  va_list args;

  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "WAYLAND_DISPLAY");
  g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent",
                                TRUE);
  g_subprocess_launcher_setenv (launcher, "NOVOFON_API_URL", fixture->url, TRUE);
  if (key != NULL)
    g_subprocess_launcher_setenv (launcher, "NOVOFON_API_KEY", key, TRUE);
  if (secret != NULL)
    g_subprocess_launcher_setenv (launcher, "NOVOFON_API_SECRET", secret, TRUE);

  g_ptr_array_add (argv, path);
  g_ptr_array_add (argv, (gpointer) "--data-dir");
  g_ptr_array_add (argv, fixture->dir);
  va_start (args, input);
  for (const char *arg = va_arg (args, const char *); arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (process, input, NULL, communicated, &run);
  while (run.out == NULL)
    g_main_context_iteration (NULL, TRUE);
  return run;
}

static void
test_call (Fixture       *fixture,
           gconstpointer  data)
{
  Run run = program (fixture, KEY, SECRET, NULL, "call", "+7 (900) 444-33-22", "8 950 000 00 33",
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
  run_clear (&run);
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
    { "79004443322", "79500000033", "111111", KEY, "wrong", -1, 3, "401" },
    { "79004443322", "79500000033", "111111", KEY, SECRET, NC_PBX_FAULT_RATE_LIMIT, 4, "wait 42" },
    { "79004443322", "79500000033", "111111", KEY, SECRET, NC_PBX_FAULT_SERVER_ERROR, 1, "HTTP 502" },
    { "79004443322", "79500000033", "111111", KEY, SECRET, NC_PBX_FAULT_GARBAGE, 1, "not the API’s JSON" },
    { "79004443322", "79500000033", "111111", KEY, SECRET, NC_PBX_FAULT_API_ERROR, 1, "Wrong parameters" },
    { "79004443322", "79500000033", "111111", KEY, SECRET, NC_PBX_FAULT_DROP, 1, "Could not reach" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      Run run;
      guint before = nc_pbx_simulator_get_request_count (fixture->simulator);

      if (cases[i].fault >= 0)
        nc_pbx_simulator_push_fault (fixture->simulator, cases[i].fault);
      run = program (fixture, cases[i].key, cases[i].secret, NULL, "call", cases[i].client,
                     cases[i].employee_phone, cases[i].employee_id, NULL);
      g_test_message ("%s", run.err);
      g_assert_cmpint (run.status, ==, cases[i].status);
      g_assert_cmpstr (run.out, ==, "");
      g_assert_nonnull (strstr (run.err, cases[i].says));
      g_assert_cmpuint (strlen (run.err), >, 0);
      g_assert_null (strchr (run.err, '\n') == run.err + strlen (run.err) - 1 ? NULL : "two lines");
      g_assert_null (strstr (run.err, SECRET));
      /* At most the one request that failed; never a second. */
      g_assert_cmpuint (nc_pbx_simulator_get_request_count (fixture->simulator) - before, <=, 1);
      run_clear (&run);
    }
  g_assert_cmpuint (nc_pbx_simulator_get_callbacks (fixture->simulator)->len, ==, 0);
}

static void
test_balance (Fixture       *fixture,
              gconstpointer  data)
{
  Run run = program (fixture, KEY, SECRET, NULL, "balance", NULL);

  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, "Balance: 1234.50 RUB\n");
  g_assert_cmpstr (run.err, ==, "");
  run_clear (&run);

  /* Where the schema is not installed and no settings backend was chosen, the defaults
   * serve, without a word about GSettings on standard error. */
  g_unsetenv ("GSETTINGS_SCHEMA_DIR");
  g_unsetenv ("GSETTINGS_BACKEND");
  run = program (fixture, KEY, SECRET, NULL, "balance", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.err, ==, "");
  run_clear (&run);

  run = program (fixture, KEY, "wrong", NULL, "balance", NULL);
  g_assert_cmpint (run.status, ==, 3);
  run_clear (&run);
}

/* Without a session bus there is no keyring: a clear sentence, not a crash. */
static void
test_credentials_without_keyring (Fixture       *fixture,
                                  gconstpointer  data)
{
  Run run = program (fixture, NULL, NULL, "k\ns\n", "credentials", "set", NULL);

  g_assert_cmpint (run.status, ==, 1);
  g_assert_nonnull (strstr (run.err, "keyring is not available"));
  g_assert_null (strstr (run.err, "\ns\n"));
  run_clear (&run);

  run = program (fixture, NULL, NULL, "only-a-key\n", "credentials", "set", NULL);
  g_assert_cmpint (run.status, ==, 2);
  run_clear (&run);

  run = program (fixture, NULL, NULL, NULL, "credentials", "show", NULL);
  g_assert_cmpint (run.status, ==, 2);
  run_clear (&run);
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
#undef ADD

  return nc_test_run ();
}
