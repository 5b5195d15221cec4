/* test-translation.c — the window speaks Russian under LANGUAGE=ru
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * gtk_test_init() forces the C locale, so this test sets up the locale and the text domain
 * itself, as main() does, and runs with LC_ALL=C.UTF-8 LANGUAGE=ru (see tests/meson.build).
 */

#include "config.h"

#include <locale.h>
#include <glib/gi18n.h>

#include "nc-clients-view.h"
#include "nc-employees-view.h"
#include "nc-live-view.h"
#include "nc-test-util.h"
#include "nc-ui-test-util.h"
#include "nc-window.h"

static gboolean
wake (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* Says which widgets ask for more than @limit px, the deepest of each branch, and what
 * their children ask: what to look at when the window cannot be made that narrow. */
static gboolean
report_wide (GtkWidget *widget,
             int        limit)
{
  gboolean child_wide = FALSE;
  int minimum = 0;

  if (!gtk_widget_get_visible (widget))
    return FALSE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    child_wide |= report_wide (child, limit);
  gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL, NULL);
  if (minimum > limit && !child_wide)
    {
      g_autoptr(GString) what = g_string_new (G_OBJECT_TYPE_NAME (widget));

      for (GtkWidget *up = gtk_widget_get_parent (widget); up != NULL;
           up = gtk_widget_get_parent (up))
        g_string_append_printf (what, " in %s", G_OBJECT_TYPE_NAME (up));
      for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
           child = gtk_widget_get_next_sibling (child))
        {
          int child_minimum = 0;

          gtk_widget_measure (child, GTK_ORIENTATION_HORIZONTAL, -1, &child_minimum, NULL,
                              NULL, NULL);
          g_string_append_printf (what, "; a %s of %d px", G_OBJECT_TYPE_NAME (child),
                                  child_minimum);
        }
      g_test_message ("%d px: %s", minimum, what->str);
    }
  return minimum > limit;
}

static void
test_russian_titles (void)
{
  g_autofree char *dir = nc_test_make_temp_dir ();
  g_autoptr(NcSession) session = nc_session_new (dir, NULL, NC_SESSION_CALLS);
  GtkWidget *window = GTK_WIDGET (nc_window_new (NULL, session));
  AdwViewStack *stack;
  g_autofree char *shot = NULL;
  g_autoptr(GError) error = NULL;
  gint64 deadline;
  guint waker;
  GtkWidget *empty;

  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (nc_session_start_sync (session, &error));
  g_assert_no_error (error);
  /* The empty page shows once the store is open. */
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  waker = g_timeout_add (50, wake, NULL);
  do
    {
      g_main_context_iteration (NULL, TRUE);
      empty = nc_ui_test_find_widget (window, ADW_TYPE_STATUS_PAGE, "title", "Клиентов пока нет");
    }
  while ((empty == NULL || !gtk_widget_get_mapped (empty)) && g_get_monotonic_time () < deadline);
  g_source_remove (waker);
  nc_ui_test_wait_for_frames (window, 3);

  stack = ADW_VIEW_STACK (nc_ui_test_find_widget (window, ADW_TYPE_VIEW_STACK, NULL, NULL));
  g_assert_cmpstr (adw_view_stack_page_get_title (
                     adw_view_stack_get_page (stack, nc_ui_test_find_widget (
                                                window, NC_TYPE_CLIENTS_VIEW, NULL, NULL))),
                   ==, "Клиенты");
  g_assert_cmpstr (adw_view_stack_page_get_title (
                     adw_view_stack_get_page (stack, nc_ui_test_find_widget (
                                                window, NC_TYPE_EMPLOYEES_VIEW, NULL, NULL))),
                   ==, "Сотрудники");
  g_assert_nonnull (nc_ui_test_find_widget (window, ADW_TYPE_WINDOW_TITLE, "title",
                                            "События онлайн"));
  g_assert_true (gtk_widget_get_mapped (empty));
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "Консоль Новофон");
  /* What the console cannot do without an account, and what to do: in Russian. */
  g_assert_nonnull (nc_ui_test_find_widget (window, GTK_TYPE_BUTTON, "label",
                                            "_Попробовать демо"));

  shot = nc_ui_test_save_screenshot (window, "window-ru");
  g_test_message ("screenshot: %s", shot);

  /* Russian words are longer; the window still goes down to 360 px, the no-account bar
   * and the live events (folded away, but measured) included. */
  gtk_window_set_default_size (GTK_WINDOW (window), 360, 760);
  gtk_widget_queue_resize (window);
  nc_ui_test_spin (500);
  nc_ui_test_wait_for_frames (window, 3);
  report_wide (window, 360);
  g_assert_cmpint (gtk_widget_get_width (window), <=, 360);
  g_free (nc_ui_test_save_screenshot (window, "window-narrow-ru"));
  gtk_window_destroy (GTK_WINDOW (window));
  nc_session_close (session);
  nc_test_remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  nc_ui_test_init (&argc, &argv);

  g_test_add_func ("/translation/russian-titles", test_russian_titles);

  return nc_test_run ();
}
