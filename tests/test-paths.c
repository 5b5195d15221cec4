/* test-paths.c — who may read the data: the database and its companions, the data
 * folder, and the files the commands export
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <glib/gstdio.h>
#include <gio/gio.h>

#include "nc-paths.h"
#include "nc-store.h"
#include "nc-test-util.h"

static guint shared_messages;

/* The word about a data folder open to others is counted, not printed. */
static GLogWriterOutput
log_writer (GLogLevelFlags   level,
            const GLogField *fields,
            gsize            n_fields,
            gpointer         user_data)
{
  const char *domain = NULL, *message = NULL;

  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
      domain = fields[i].value;
    else if (g_str_equal (fields[i].key, "MESSAGE"))
      message = fields[i].value;

  if (g_strcmp0 (domain, "nc-paths") == 0 && message != NULL &&
      strstr (message, "can be read by other users") != NULL)
    {
      shared_messages++;
      return G_LOG_WRITER_HANDLED;
    }
  return g_log_writer_default (level, fields, n_fields, user_data);
}

static guint
mode_of (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_mode & 07777;
}

/* The database and, when @all, its -wal and -shm (there while it is open) are 0600. */
static void
assert_store_private (const char *dir,
                      gboolean    all)
{
  static const char *const names[] = { NC_STORE_FILE_NAME, NC_STORE_FILE_NAME "-wal",
                                       NC_STORE_FILE_NAME "-shm" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);

      if (i > 0 && !all && !g_file_test (path, G_FILE_TEST_EXISTS))
        continue;
      g_test_message ("%s: %04o", names[i], mode_of (path));
      g_assert_cmpuint (mode_of (path), ==, 0600);
    }
}

/* Opens the store in @dir and writes to it, so that the -wal and -shm are made. */
static NcStore *
open_and_write (const char *dir)
{
  g_autoptr(GError) error = NULL;
  NcStore *store = nc_store_open_sync (dir, &error);
  g_autoptr(GPtrArray) drafts = g_ptr_array_new_with_free_func (g_object_unref);

  g_assert_no_error (error);
  g_ptr_array_add (drafts, nc_client_new (0, "Anna", NC_CHANNEL_TELEPHONY, "79001112233", 0));
  g_assert_true (nc_store_add_clients_sync (store, drafts, NULL, &error));
  g_assert_no_error (error);
  return store;
}

static void
close_store (NcStore *store)
{
  nc_store_close (store);
  nc_test_wait_for_last_reference (store);
  g_assert_finalize_object (store);
}

/* A new data folder is 0700 and its database 0600, even under a umask that lets all in. */
static void
test_new_store_private (void)
{
  g_autofree char *top = nc_test_make_temp_dir ();
  g_autofree char *dir = g_build_filename (top, "new", "data", NULL);
  g_autofree char *db = g_build_filename (dir, NC_STORE_FILE_NAME, NULL);
  mode_t old = umask (0);
  NcStore *store;

  shared_messages = 0;
  store = open_and_write (dir);
  umask (old);

  g_assert_cmpuint (mode_of (dir), ==, 0700);
  g_assert_cmpuint (mode_of (db), ==, 0600);
  assert_store_private (dir, TRUE);
  g_assert_cmpuint (shared_messages, ==, 0);
  close_store (store);
  nc_test_remove_tree (top);
}

/* An older store, 0644 in a 0755 folder (as before): its files are made 0600, the
 * folder is the user's and stays as it is, with a word about it. */
static void
test_existing_store_tightened (void)
{
  g_autofree char *dir = nc_test_make_temp_dir ();
  static const char *const names[] = { NC_STORE_FILE_NAME, NC_STORE_FILE_NAME "-wal",
                                       NC_STORE_FILE_NAME "-shm" };
  NcStore *store;

  close_store (open_and_write (dir));
  g_assert_cmpint (g_chmod (dir, 0755), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);

      /* SQLite may have removed the -wal and -shm on close: put loose ones there. */
      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        g_assert_true (g_file_set_contents (path, "", 0, NULL));
      g_assert_cmpint (g_chmod (path, 0644), ==, 0);
    }

  shared_messages = 0;
  store = open_and_write (dir);
  g_assert_cmpuint (shared_messages, ==, 1);
  assert_store_private (dir, TRUE);
  g_assert_cmpuint (mode_of (dir), ==, 0755);
  g_assert_true (nc_paths_data_dir_is_shared (dir));
  close_store (store);

  g_assert_cmpint (g_chmod (dir, 0700), ==, 0);
  g_assert_false (nc_paths_data_dir_is_shared (dir));
  nc_test_remove_tree (dir);
}

static int
run_program (const char *dir,
             const char *first,
             ...)
{
  g_autofree char *program = g_build_filename (g_getenv ("NC_BUILD_ROOT"), "src",
                                               "novofon-console", NULL);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  va_list args;

  g_ptr_array_add (argv, program);
  g_ptr_array_add (argv, (gpointer) "--data-dir");
  g_ptr_array_add (argv, (gpointer) dir);
  va_start (args, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait (process, NULL, &error));
  g_assert_no_error (error);
  return g_subprocess_get_exit_status (process);
}

/* What the commands write is their user's alone, whatever the umask they were started
 * with: the clients' and the calls' exports, and a new database. */
static void
test_exports_private (void)
{
  g_autofree char *top = nc_test_make_temp_dir ();
  g_autofree char *dir = g_build_filename (top, "data", NULL);
  g_autofree char *clients = g_build_filename (top, "clients.csv", NULL);
  g_autofree char *calls = g_build_filename (top, "calls.csv", NULL);
  g_autofree char *input = g_build_filename (top, "in.csv", NULL);
  mode_t old = umask (022);

  g_assert_true (g_file_set_contents (input, "name,channel,phone\nAnna,telephony,79001112233\n",
                                      -1, NULL));
  g_assert_cmpint (run_program (dir, "clients", "import", input, NULL), ==, 0);
  g_assert_cmpint (run_program (dir, "clients", "export", clients, NULL), ==, 0);
  g_assert_cmpint (run_program (dir, "calls", "export", calls, NULL), ==, 0);
  umask (old);

  g_assert_cmpuint (mode_of (clients), ==, 0600);
  g_assert_cmpuint (mode_of (calls), ==, 0600);
  g_assert_cmpuint (mode_of (dir), ==, 0700);
  assert_store_private (dir, FALSE);
  nc_test_remove_tree (dir);
  nc_test_remove_tree (top);
}

int
main (int   argc,
      char *argv[])
{
  g_log_set_writer_func (log_writer, NULL, NULL);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/paths/new-store-private", test_new_store_private);
  g_test_add_func ("/paths/existing-store-tightened", test_existing_store_tightened);
  g_test_add_func ("/paths/exports-private", test_exports_private);

  return nc_test_run ();
}
