/* nc-test-util.c — what the test programs share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <gio/gio.h>

#include "nc-test-util.h"

/* A file of ../shared (the signature vectors, say), found through NC_SHARED_DIR. */
char *
nc_test_shared_path (const char *relative)
{
  const char *dir = g_getenv ("NC_SHARED_DIR");

  g_assert_nonnull (dir);
  return g_build_filename (dir, relative, NULL);
}

char *
nc_test_make_temp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("nc-test-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

void
nc_test_remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *child = g_build_filename (path, name, NULL);

        if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
          nc_test_remove_tree (child);
        else
          g_unlink (child);
      }
  g_rmdir (path);
}

/* Objects handed to tasks are let go on the main context a moment after the answer. */
void
nc_test_wait_for_last_reference (gpointer object)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (G_OBJECT (object)->ref_count > 1 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
}

/* Everything written to @stream (a tmpfile() a command wrote to), which is closed. */
char *
nc_test_read_stream (FILE *stream)
{
  GString *text = g_string_new (NULL);
  char buffer[4096];
  size_t n;

  rewind (stream);
  while ((n = fread (buffer, 1, sizeof buffer, stream)) > 0)
    g_string_append_len (text, buffer, (gssize) n);
  fclose (stream);
  return g_string_free (text, FALSE);
}

static guint
count_pool_workers (void)
{
  g_autoptr(GDir) tasks = g_dir_open ("/proc/self/task", 0, NULL);
  const char *task;
  guint workers = 0;

  if (tasks == NULL)
    return 0;
  while ((task = g_dir_read_name (tasks)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc/self/task", task, "comm", NULL);
      g_autofree char *name = NULL;

      if (g_file_get_contents (path, &name, NULL, NULL) &&
          g_str_has_prefix (name, "pool") && !g_str_has_prefix (name, "pool-spawner"))
        workers++;
    }
  return workers;
}

/* g_test_run(), then the shared thread pool's workers are let go and waited for.
 *
 * A worker that ran a task lingers half a second on its pool's queue before it parks as
 * unused; one still there when the process exits can be caught half torn down by
 * LeakSanitizer's tracer, which then crashes on its dynamic TLS ("Tracer caught signal
 * 11"). So every test program ends with no worker left. */
int
nc_test_run (void)
{
  int status = g_test_run ();
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  g_thread_pool_set_max_unused_threads (0);
  while (count_pool_workers () > 0 && g_get_monotonic_time () < deadline)
    {
      g_thread_pool_stop_unused_threads ();
      g_usleep (20 * 1000);
    }
  return status;
}

/* A store of its own in a new temporary folder, for one test. */
NcStore *
nc_test_store_new (char **out_dir)
{
  g_autoptr(GError) error = NULL;
  NcStore *store;

  *out_dir = nc_test_make_temp_dir ();
  store = nc_store_open_sync (*out_dir, &error);
  g_assert_no_error (error);
  return store;
}

/* Lets go of the test's store (which nothing else may keep) and removes its folder. */
void
nc_test_store_free (NcStore *store,
                    char    *dir)
{
  nc_test_wait_for_last_reference (store);
  g_assert_finalize_object (store);
  nc_test_remove_tree (dir);
  g_free (dir);
}

/* A file system of @kib KiB mounted on @dir, for tests that fill a disk; FALSE where this
 * machine does not let a test mount a tmpfs (that needs root). */
gboolean
nc_test_mount_small_disk (const char *dir,
                          guint       kib)
{
  g_autofree char *command = g_strdup_printf ("mount -t tmpfs -o size=%uk tmpfs %s", kib, dir);
  int wait_status = 0;

  return g_spawn_command_line_sync (command, NULL, NULL, &wait_status, NULL) &&
         g_spawn_check_wait_status (wait_status, NULL);
}

void
nc_test_unmount_small_disk (const char *dir)
{
  g_autofree char *command = g_strdup_printf ("umount %s", dir);
  int wait_status = 0;

  g_assert_true (g_spawn_command_line_sync (command, NULL, NULL, &wait_status, NULL));
  g_assert_true (g_spawn_check_wait_status (wait_status, NULL));
}
