/* test-cli-data.c — clients import/export and messengers, as an admin runs them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>

#include <stdio.h>
#include <string.h>
#include <sqlite3.h>
#include <gio/gio.h>

#include "nc-cli.h"
#include "nc-store.h"
#include "nc-test-util.h"

typedef struct
{
  char *dir;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->dir = nc_test_make_temp_dir ();
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  nc_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
}

static const char good_csv[] =
  "name,channel,phone,city,note\r\n"
  "Иван Петров,telephony,8 (900) 444-33-22,Москва,\r\n"
  "\"Smith, John\",whatsapp,+375 29 123-45-67,,\"said \"\"call me\"\"\nafter six\"\r\n"
  "Ольга,telegram,,Тверь,\r\n";

static char *
export (Fixture *fixture)
{
  NcTestRun run = nc_test_cli (fixture->dir, NULL, "clients", "export", "-", NULL);
  char *csv;

  g_assert_cmpint (run.status, ==, NC_EXIT_OK);
  csv = g_steal_pointer (&run.out);
  nc_test_run_clear (&run);
  return csv;
}

static void
test_import_export (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *csv = NULL;
  g_autofree char *again = NULL;
  g_autofree char *other_dir = nc_test_make_temp_dir ();
  NcTestRun run = nc_test_cli (fixture->dir, good_csv, "clients", "import", "-", NULL);
  Fixture other = { other_dir };

  g_assert_cmpint (run.status, ==, NC_EXIT_OK);
  g_assert_nonnull (strstr (run.err, "Imported 3 clients"));
  nc_test_run_clear (&run);

  csv = export (fixture);
  g_assert_cmpstr (csv, ==,
                   "name,channel,phone,city,note\r\n"
                   "Иван Петров,telephony,79004443322,Москва,\r\n"
                   "\"Smith, John\",whatsapp,375291234567,,\"said \"\"call me\"\"\nafter six\"\r\n"
                   "Ольга,telegram,,Тверь,\r\n");

  /* Export of an import gives the same clients back. */
  run = nc_test_cli (other.dir, csv, "clients", "import", "-", NULL);
  g_assert_cmpint (run.status, ==, NC_EXIT_OK);
  nc_test_run_clear (&run);
  again = export (&other);
  g_assert_cmpstr (again, ==, csv);

  /* An import adds to what is there. */
  run = nc_test_cli (fixture->dir, good_csv, "clients", "import", "-", NULL);
  g_assert_cmpint (run.status, ==, NC_EXIT_OK);
  nc_test_run_clear (&run);
  g_free (again);
  again = export (fixture);
  g_assert_cmpuint (strlen (again), >, strlen (csv));
  nc_test_remove_tree (other_dir);
}

static void
test_import_from_file_and_export_to_file (Fixture       *fixture,
                                          gconstpointer  data)
{
  g_autofree char *in = g_build_filename (fixture->dir, "in.csv", NULL);
  g_autofree char *out = g_build_filename (fixture->dir, "out.csv", NULL);
  g_autofree char *written = NULL;
  NcTestRun run;

  g_assert_true (g_file_set_contents (in, good_csv, -1, NULL));
  run = nc_test_cli (fixture->dir, NULL, "clients", "import", in, NULL);
  g_assert_cmpint (run.status, ==, NC_EXIT_OK);
  nc_test_run_clear (&run);
  run = nc_test_cli (fixture->dir, NULL, "clients", "export", out, NULL);
  g_assert_cmpint (run.status, ==, NC_EXIT_OK);
  g_assert_cmpstr (run.out, ==, "");
  nc_test_run_clear (&run);
  g_assert_true (g_file_get_contents (out, &written, NULL, NULL));
  g_assert_true (g_str_has_prefix (written, "name,channel,phone,city,note\r\nИван Петров"));
  /* The clients' data, readable by their owner only, as the database is. */
  {
    GStatBuf st;

    g_assert_cmpint (g_stat (out, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  }
  /* A folder that is not there: an error that names it, exit 1. */
  run = nc_test_cli (fixture->dir, NULL, "clients", "export", "/nonexistent/out.csv", NULL);
  g_assert_cmpint (run.status, ==, NC_EXIT_FAILURE);
  g_assert_nonnull (strstr (run.err, "Could not export the clients"));
  nc_test_run_clear (&run);

  run = nc_test_cli (fixture->dir, NULL, "clients", "import", "/nonexistent/file.csv", NULL);
  g_assert_cmpint (run.status, ==, NC_EXIT_FAILURE);
  g_assert_nonnull (strstr (run.err, "/nonexistent/file.csv"));
  nc_test_run_clear (&run);
}

/* Each bad file: exit 2, FILE:LINE: reason, and the store exactly as before. */
static void
test_bad_rows (Fixture       *fixture,
               gconstpointer  data)
{
  static const struct
  {
    const char *csv;
    const char *message;
  } cases[] = {
    { "name,channel,phone\nA,telephony,79000000001\n\"B,telephony,79000000002\n",
      "standard input:3: the quote opened on line 3 is never closed" },
    { "name,channel,phone\nA,telephony,79000000001\nB,telephony\n",
      "standard input:3: 2 fields, but the header row has 3" },
    { "name,channel,phone\nA,telephony,79000000001,extra\n",
      "standard input:2: 4 fields, but the header row has 3" },
    { "name,channel,phone\nA,telephony,79000000001\nB\xff,telephony,79000000002\n",
      "standard input:3: the text is not valid UTF-8" },
    { "name,channel,phone\nA,telephony,79000000001\nB,pigeon,79000000002\n",
      "standard input:3: unknown channel “pigeon”" },
    { "name,channel,phone\nA,telephony,79000000001\nB,telephony,9004443322\n",
      "standard input:3: “9004443322” is too short for a phone number: add the country code" },
    { "name,channel,phone\nA,telephony,79000000001\nB,telephony,call me\n",
      "standard input:3: A phone number has only digits" },
    { "name,channel,phone\nA,telephony,79000000001\nB,telephony,100\n",
      "standard input:3: “100” is too short" },
    { "name,channel,phone\nA,telephony,79000000001\n,telephony,79000000002\n",
      "standard input:3: the client has no name" },
    { "name,channel\nA,telephony\n", "standard input:1: the header row has no “phone” column" },
    { "name,channel,phone,city,city\n", "standard input:1: the header row names “city” twice" },
    { "", "standard input:1: the file is empty" },
    { "name,channel,phone\nA,telephony,79000000001\n\"x\"y,telephony,79000000002\n",
      "standard input:3: there is text after a closing quote" },
    { "name,channel,phone\n\"two\nlines\",telephony,79000000001\nB,,79000000002\n",
      "standard input:4: unknown channel “”" },
  };
  g_autofree char *before = NULL;
  NcTestRun run = nc_test_cli (fixture->dir, "name,channel,phone\nKept,telephony,79001112233\n", "clients", "import",
                 "-", NULL);

  g_assert_cmpint (run.status, ==, NC_EXIT_OK);
  nc_test_run_clear (&run);
  before = export (fixture);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *after = NULL;

      run = nc_test_cli (fixture->dir, cases[i].csv, "clients", "import", "-", NULL);
      g_test_message ("%s", run.err);
      g_assert_cmpint (run.status, ==, NC_EXIT_USAGE);
      g_assert_true (g_str_has_prefix (run.err, "novofon-console: "));
      g_assert_nonnull (strstr (run.err, cases[i].message));
      nc_test_run_clear (&run);

      after = export (fixture);
      g_assert_cmpstr (after, ==, before);
    }
}

static void
test_locked_store (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->dir, NC_STORE_FILE_NAME, NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  sqlite3 *other = NULL;
  NcTestRun run = nc_test_cli (fixture->dir, good_csv, "clients", "import", "-", NULL);

  g_assert_cmpint (run.status, ==, NC_EXIT_OK);
  nc_test_run_clear (&run);
  before = export (fixture);

  g_assert_cmpint (sqlite3_open (path, &other), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (other, "BEGIN EXCLUSIVE", NULL, NULL, NULL), ==, SQLITE_OK);
  g_setenv ("NC_STORE_BUSY_TIMEOUT_MS", "100", TRUE);
  run = nc_test_cli (fixture->dir, good_csv, "clients", "import", "-", NULL);
  g_unsetenv ("NC_STORE_BUSY_TIMEOUT_MS");
  g_assert_cmpint (run.status, ==, NC_EXIT_FAILURE);
  g_assert_nonnull (strstr (run.err, "in use by another program"));
  nc_test_run_clear (&run);
  sqlite3_exec (other, "ROLLBACK", NULL, NULL, NULL);
  sqlite3_close (other);

  after = export (fixture);
  g_assert_cmpstr (after, ==, before);
}

static void
test_messengers (Fixture       *fixture,
                 gconstpointer  data)
{
  NcTestRun run = nc_test_cli (fixture->dir, NULL, "messengers", NULL);

  g_assert_cmpint (run.status, ==, NC_EXIT_OK);
  g_assert_cmpstr (run.out, ==, "");
  nc_test_run_clear (&run);

  run = nc_test_cli (fixture->dir, NULL, "messengers", "set", "whatsapp, viber", NULL);
  g_assert_cmpint (run.status, ==, NC_EXIT_OK);
  nc_test_run_clear (&run);
  run = nc_test_cli (fixture->dir, NULL, "messengers", NULL);
  g_assert_cmpstr (run.out, ==, "viber\nwhatsapp\n");
  nc_test_run_clear (&run);

  run = nc_test_cli (fixture->dir, NULL, "messengers", "set", "whatsapp,pigeon", NULL);
  g_assert_cmpint (run.status, ==, NC_EXIT_USAGE);
  g_assert_nonnull (strstr (run.err, "“pigeon” is not a messenger"));
  nc_test_run_clear (&run);
  run = nc_test_cli (fixture->dir, NULL, "messengers", NULL);
  g_assert_cmpstr (run.out, ==, "viber\nwhatsapp\n");
  nc_test_run_clear (&run);

  run = nc_test_cli (fixture->dir, NULL, "messengers", "clear", NULL);
  g_assert_cmpint (run.status, ==, NC_EXIT_OK);
  nc_test_run_clear (&run);
  run = nc_test_cli (fixture->dir, NULL, "messengers", NULL);
  g_assert_cmpstr (run.out, ==, "");
  nc_test_run_clear (&run);

  run = nc_test_cli (fixture->dir, NULL, "messengers", "add", "viber", NULL);
  g_assert_cmpint (run.status, ==, NC_EXIT_USAGE);
  nc_test_run_clear (&run);
  run = nc_test_cli (fixture->dir, NULL, "clients", "import", NULL);
  g_assert_cmpint (run.status, ==, NC_EXIT_USAGE);
  nc_test_run_clear (&run);
}

/* The real program, with no display and no session bus, as on a server. */
static void
test_no_display_no_bus (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *program = g_build_filename (g_getenv ("NC_BUILD_ROOT"), "src",
                                               "novofon-console", NULL);
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                               G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "WAYLAND_DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "DBUS_SESSION_BUS_ADDRESS");
  g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent",
                                TRUE);
  process = g_subprocess_launcher_spawn (launcher, &error, program, "--data-dir", fixture->dir,
                                         "clients", "import", "-", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, good_csv, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  g_assert_nonnull (strstr (err, "Imported 3 clients"));

  g_clear_object (&process);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  process = g_subprocess_launcher_spawn (launcher, &error, program, "--data-dir", fixture->dir,
                                         "clients", "export", "-", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  g_assert_true (g_str_has_prefix (out, "name,channel,phone,city,note\r\n"));
  g_assert_cmpstr (err, ==, "");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/cli-data/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("import-export", test_import_export);
  ADD ("import-from-file-and-export-to-file", test_import_from_file_and_export_to_file);
  ADD ("bad-rows", test_bad_rows);
  ADD ("locked-store", test_locked_store);
  ADD ("messengers", test_messengers);
  ADD ("no-display-no-bus", test_no_display_no_bus);
#undef ADD

  return nc_test_run ();
}
