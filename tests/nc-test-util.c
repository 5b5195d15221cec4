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
