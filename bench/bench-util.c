/* bench-util.c — what the benchmarks share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "bench-util.h"

int
nc_bench_compare_doubles (const void *a,
                          const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

void
nc_bench_remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        nc_bench_remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static int report_fd = -1;

void
nc_bench_report_to (int fd)
{
  report_fd = fd;
}

void
nc_bench_report (const char *format,
                 ...)
{
  g_autofree char *line = NULL;
  va_list args;

  va_start (args, format);
  line = g_strdup_vprintf (format, args);
  va_end (args);
  if (write (report_fd, line, strlen (line)) < 0)
    g_error ("Could not report: %s", g_strerror (errno));
}
