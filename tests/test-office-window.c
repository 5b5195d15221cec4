/* test-office-window.c — a console on the office database says when it loses it, and when
 * it has it back
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "nc-test-util.h"
#include "nc-ui-test-util.h"
#include "nc-window.h"

static GtkWidget *
database_bar (GtkWidget *window)
{
  g_autoptr(GPtrArray) revealers = nc_ui_test_find_all (window, GTK_TYPE_REVEALER);

  for (guint i = 0; i < revealers->len; i++)
    {
      GtkWidget *child = gtk_revealer_get_child (revealers->pdata[i]);

      if (child != NULL && gtk_widget_has_css_class (child, "warning"))
        return revealers->pdata[i];
    }
  g_assert_not_reached ();
}

static gboolean
revealed (GtkWidget *bar,
          gboolean   wanted)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (gtk_revealer_get_reveal_child (GTK_REVEALER (bar)) != wanted &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  return gtk_revealer_get_reveal_child (GTK_REVEALER (bar)) == wanted;
}

static void
test_database_lost_and_back (void)
{
  g_autofree char *url = nc_test_pg_database_new ();
  g_autofree char *dir = nc_test_make_temp_dir ();
  g_autoptr(NcSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *shot = NULL;
  GtkWidget *window, *bar, *label;

  if (url == NULL || g_getenv ("NC_TEST_PG_DATA") == NULL)
    {
      g_test_skip ("no PostgreSQL test cluster (run under tests/harness/session-run)");
      return;
    }

  session = nc_session_new_full (dir, url, NULL, NC_SESSION_CALLS);
  g_assert_true (nc_session_start_sync (session, &error));
  g_assert_no_error (error);
  window = GTK_WIDGET (nc_window_new (NULL, session));
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 600);
  gtk_window_present (GTK_WINDOW (window));
  nc_ui_test_wait_for_frames (window, 3);
  bar = database_bar (window);
  g_assert_false (gtk_revealer_get_reveal_child (GTK_REVEALER (bar)));

  /* The server goes: the window says so, in words. */
  nc_test_pg_ctl ("stop");
  g_assert_true (revealed (bar, TRUE));
  label = nc_ui_test_find_widget (bar, GTK_TYPE_LABEL, NULL, NULL);
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (label)), "database"));
  /* The bar has slid down. */
  nc_ui_test_spin (500);
  nc_ui_test_wait_for_frames (window, 3);
  shot = nc_ui_test_save_screenshot (window, "office-database-lost");
  g_test_message ("screenshot: %s", shot);

  /* It comes back: so does the console, by itself. */
  nc_test_pg_ctl ("start");
  g_assert_true (revealed (bar, FALSE));

  gtk_window_destroy (GTK_WINDOW (window));
  nc_ui_test_spin (50);
  nc_session_close (session);
  nc_test_pg_database_drop (url);
  nc_test_remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  /* The application's style sheet, which AdwApplication would load: the screenshot shows
   * the bars as users see them. */
  {
    g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

    gtk_css_provider_load_from_resource (css, "/io/github/novofonconsole/NovofonConsole/style.css");
    gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                                GTK_STYLE_PROVIDER (css),
                                                GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  }

  g_test_add_func ("/office-window/database-lost-and-back", test_database_lost_and_back);

  return nc_test_run ();
}
