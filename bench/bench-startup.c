/* bench-startup.c — cold start: from exec to the window's first frame, and idle memory
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The parent takes the time, spawns this same program as the application (with an empty
 * data directory), and reads back from a pipe when the child's window painted its first
 * frame, and the child's resident memory then and after two idle seconds. Each run is a
 * fresh process, so shared libraries come from the page cache but nothing else is warm.
 *
 * Usage: bench-startup [RUNS]   (needs a display: run it under tests/harness/session-run)
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include <glib-unix.h>
#include <glib/gstdio.h>

#include "nc-application.h"
#include "bench-util.h"

static int report_fd = -1;
static NcApplication *app;

static long
rss_kib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, "VmRSS:");
  return line != NULL ? strtol (line + strlen ("VmRSS:"), NULL, 10) : -1;
}

static gboolean
report_idle (gpointer user_data)
{
  g_autofree char *line = g_strdup_printf ("idle %ld\n", rss_kib ());

  if (write (report_fd, line, strlen (line)) < 0)
    g_error ("Could not report: %s", g_strerror (errno));
  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
  return G_SOURCE_REMOVE;
}

static void
after_first_paint (GdkFrameClock *clock,
                   gpointer       user_data)
{
  g_autofree char *line = g_strdup_printf ("frame %ld\n", rss_kib ());

  g_signal_handlers_disconnect_by_func (clock, after_first_paint, user_data);
  if (write (report_fd, line, strlen (line)) < 0)
    g_error ("Could not report: %s", g_strerror (errno));
  g_timeout_add_seconds (2, report_idle, NULL);
}

static void
window_mapped (GtkWidget *window)
{
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint",
                    G_CALLBACK (after_first_paint), NULL);
}

static void
activated (GApplication *application)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (application));

  /* Presenting a toplevel maps it at once, before this handler runs. */
  if (gtk_widget_get_mapped (GTK_WIDGET (window)))
    window_mapped (GTK_WIDGET (window));
  else
    g_signal_connect (window, "map", G_CALLBACK (window_mapped), NULL);
}

static int
run_child (const char *fd_text,
           const char *data_dir)
{
  char *argv[] = { (char *) "novofon-console", (char *) "--data-dir", (char *) data_dir, NULL };

  report_fd = atoi (fd_text);
  app = nc_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_signal_connect_after (app, "activate", G_CALLBACK (activated), NULL);
  return g_application_run (G_APPLICATION (app), 3, argv);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *self_path = NULL;
  g_autofree double *times = NULL;
  long frame_rss = 0, idle_rss = 0;
  int runs;

  if (argc == 4 && strcmp (argv[1], "--child") == 0)
    return run_child (argv[2], argv[3]);

  runs = argc > 1 ? atoi (argv[1]) : 5;
  if (runs < 1)
    runs = 1;
  times = g_new0 (double, runs);
  self_path = g_file_read_link ("/proc/self/exe", NULL);

  for (int i = 0; i < runs; i++)
    {
      g_autofree char *data_dir = g_dir_make_tmp ("nc-bench-startup-XXXXXX", NULL);
      g_autofree char *fd_text = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GIOChannel) channel = NULL;
      char *child_argv[5];
      int fds[2];
      gint64 start;
      GPid pid;
      char *line = NULL;

      if (!g_unix_open_pipe (fds, 0, &error))
        g_error ("%s", error->message);
      fd_text = g_strdup_printf ("%d", fds[1]);
      child_argv[0] = self_path;
      child_argv[1] = (char *) "--child";
      child_argv[2] = fd_text;
      child_argv[3] = data_dir;
      child_argv[4] = NULL;

      start = g_get_monotonic_time ();
      if (!g_spawn_async_with_pipes_and_fds (NULL, (const char *const *) child_argv, NULL,
                                             G_SPAWN_LEAVE_DESCRIPTORS_OPEN, NULL, NULL,
                                             -1, -1, -1, NULL, NULL, 0, &pid,
                                             NULL, NULL, NULL, &error))
        g_error ("Could not start the application: %s", error->message);
      close (fds[1]);

      channel = g_io_channel_unix_new (fds[0]);
      g_io_channel_set_close_on_unref (channel, TRUE);
      while (g_io_channel_read_line (channel, &line, NULL, NULL, NULL) == G_IO_STATUS_NORMAL)
        {
          if (g_str_has_prefix (line, "frame "))
            {
              times[i] = (double) (g_get_monotonic_time () - start) / 1000.0;
              frame_rss = atol (line + 6);
            }
          else if (g_str_has_prefix (line, "idle "))
            idle_rss = atol (line + 5);
          g_free (line);
        }
      g_spawn_close_pid (pid);
      if (times[i] == 0)
        g_error ("The application never painted a frame");
      g_rmdir (data_dir);
    }

  qsort (times, (size_t) runs, sizeof (double), nc_bench_compare_doubles);
  printf ("| cold start, empty store: exec to first frame (median of %d) | %.0f ms |\n",
          runs, times[runs / 2]);
  printf ("| cold start: RSS at first frame | %.1f MB |\n", (double) frame_rss / 1024.0);
  printf ("| cold start: RSS idle after 2 s | %.1f MB |\n", (double) idle_rss / 1024.0);
  return 0;
}
