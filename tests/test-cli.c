/* test-cli.c — the dispatcher: what is a command, and the exit codes of bad usage
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "nc-cli.h"
#include "nc-test-util.h"

static void
test_wants_command (void)
{
  const char *gui[] = { "novofon-console", NULL };
  const char *gui_demo[] = { "novofon-console", "--demo", NULL };
  const char *gui_dir[] = { "novofon-console", "--data-dir", "/tmp/x", NULL };
  const char *cmd[] = { "novofon-console", "--data-dir", "/tmp/x", "clients", NULL };
  const char *cmd_eq[] = { "novofon-console", "--data-dir=/tmp/x", "nonsense", NULL };

  g_assert_false (nc_cli_wants_command (1, (char *const *) gui));
  g_assert_false (nc_cli_wants_command (2, (char *const *) gui_demo));
  g_assert_false (nc_cli_wants_command (3, (char *const *) gui_dir));
  g_assert_true (nc_cli_wants_command (4, (char *const *) cmd));
  g_assert_true (nc_cli_wants_command (3, (char *const *) cmd_eq));
}

static void
test_unknown_command (void)
{
  NcTestRun result = nc_test_cli (NULL, NULL, "frobnicate", NULL);

  g_assert_cmpint (result.status, ==, NC_EXIT_USAGE);
  g_assert_cmpstr (result.out, ==, "");
  g_assert_nonnull (strstr (result.err, "frobnicate"));
  g_assert_nonnull (strstr (result.err, "Usage:"));
  nc_test_run_clear (&result);
}

static void
test_unknown_global_option (void)
{
  NcTestRun result = nc_test_cli (NULL, NULL, "--verbose", "frobnicate", NULL);

  g_assert_cmpint (result.status, ==, NC_EXIT_USAGE);
  g_assert_nonnull (strstr (result.err, "--verbose"));
  nc_test_run_clear (&result);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cli/wants-command", test_wants_command);
  g_test_add_func ("/cli/unknown-command", test_unknown_command);
  g_test_add_func ("/cli/unknown-global-option", test_unknown_global_option);

  return nc_test_run ();
}
