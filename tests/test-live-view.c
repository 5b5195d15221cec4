/* test-live-view.c — the live events pane shows what the tracker knows, and filters it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdarg.h>

#include "nc-call-row.h"
#include "nc-live-view.h"
#include "nc-test-util.h"
#include "nc-ui-test-util.h"

typedef struct
{
  char          *dir;
  NcSession     *session;
  GtkWindow     *window;
  NcLiveView    *view;
  NcCallTracker *tracker;
} Fixture;

static NcCall *
feed (Fixture    *fixture,
      const char *type,
      const char *first,
      ...)
{
  g_autoptr(GHashTable) fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  va_list args;

  va_start (args, first);
  for (const char *key = first; key != NULL; key = va_arg (args, const char *))
    g_hash_table_insert (fields, g_strdup (key), g_strdup (va_arg (args, const char *)));
  va_end (args);

  return nc_call_tracker_add_event (fixture->tracker, type, fields, g_get_real_time ());
}

static gboolean
wake (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

static void
wait_for_employees (Fixture *fixture,
                    guint    n)
{
  NcEmployeeList *employees = nc_session_get_employees (fixture->session);
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  guint waker = g_timeout_add (20, wake, NULL);

  while (g_list_model_get_n_items (G_LIST_MODEL (employees)) != n &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (waker);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (employees)), ==, n);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(NcEmployee) anna = nc_employee_new (0, "Анна Операторова", "100", NULL,
                                                NC_CALL_METHOD_APP);
  g_autoptr(GError) error = NULL;

  fixture->dir = nc_test_make_temp_dir ();
  fixture->session = nc_session_new (fixture->dir, NULL, NC_SESSION_FLAGS_NONE);
  g_assert_true (nc_session_start_sync (fixture->session, &error));
  g_assert_no_error (error);
  g_assert_cmpint (nc_store_save_employee_sync (nc_session_get_store (fixture->session), anna,
                                                NULL), >, 0);
  wait_for_employees (fixture, 1);
  fixture->tracker = g_object_ref (nc_session_get_tracker (fixture->session));
  fixture->view = g_object_new (NC_TYPE_LIVE_VIEW, NULL);
  fixture->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (fixture->window, 420, 700);
  gtk_window_set_child (fixture->window, GTK_WIDGET (fixture->view));
  gtk_window_present (fixture->window);
  nc_ui_test_wait_for_frames (GTK_WIDGET (fixture->window), 2);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  gtk_window_destroy (fixture->window);
  nc_ui_test_spin (20);
  nc_session_close (fixture->session);
  g_clear_object (&fixture->tracker);
  g_assert_finalize_object (fixture->session);
  nc_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
}

static const char *
visible_page (NcLiveView *view)
{
  GtkStack *stack = GTK_STACK (nc_ui_test_find_widget (GTK_WIDGET (view), GTK_TYPE_STACK,
                                                       NULL, NULL));
  return gtk_stack_get_visible_child_name (stack);
}

static guint
count_rows_showing (Fixture    *fixture,
                    const char *label)
{
  g_autoptr(GPtrArray) rows = nc_ui_test_find_all (GTK_WIDGET (fixture->view), NC_TYPE_CALL_ROW);
  guint n = 0;

  for (guint i = 0; i < rows->len; i++)
    if (gtk_widget_get_mapped (rows->pdata[i]) &&
        nc_ui_test_find_widget (rows->pdata[i], GTK_TYPE_LABEL, "label", label) != NULL)
      n++;
  return n;
}

static void
test_empty_then_calls (Fixture       *fixture,
                       gconstpointer  data)
{
  NcCall *call;

  g_assert_cmpstr (visible_page (fixture->view), ==, "empty");
  nc_live_view_set_session (fixture->view, fixture->session);
  g_assert_cmpstr (visible_page (fixture->view), ==, "empty");

  call = feed (fixture, "NOTIFY_START", "pbx_call_id", "in_1", "call_start", "2026-11-23 10:15:03",
               "caller_id", "79004443322", "called_did", "74951234567", NULL);
  nc_ui_test_wait_for_frames (GTK_WIDGET (fixture->window), 2);
  g_assert_cmpstr (visible_page (fixture->view), ==, "calls");

  /* Ringing: on top among the active calls, and in the journal, the number as people read
   * it. */
  g_assert_cmpuint (count_rows_showing (fixture, "+7 900 444-33-22"), ==, 2);
  g_assert_cmpuint (count_rows_showing (fixture, "Ringing"), ==, 2);

  nc_call_set_client (call, 7, "Иван Петров", "telephony");
  feed (fixture, "NOTIFY_ANSWER", "pbx_call_id", "in_1", "call_start", "2026-11-23 10:15:03",
        "caller_id", "79004443322", "destination", "101", NULL);
  nc_ui_test_wait_for_frames (GTK_WIDGET (fixture->window), 2);
  g_assert_cmpuint (count_rows_showing (fixture, "Иван Петров"), ==, 2);
  g_assert_cmpuint (count_rows_showing (fixture, "Talking"), ==, 2);
  /* An extension that is no employee's is said to be one. */
  g_assert_cmpuint (count_rows_showing (fixture, "+7 900 444-33-22 · extension 101 · 10:15"), ==, 0);

  feed (fixture, "NOTIFY_END", "pbx_call_id", "in_1", "call_start", "2026-11-23 10:15:03",
        "caller_id", "79004443322", "called_did", "74951234567", "internal", "101",
        "duration", "65", "disposition", "answered", "status_code", "16", "is_recorded", "1",
        "call_id_with_rec", "1.2", NULL);
  nc_call_set_record_link (call, "https://records.example.org/1.mp3", "2027-01-22 10:16:00");
  nc_ui_test_wait_for_frames (GTK_WIDGET (fixture->window), 2);

  /* Ended: gone from the active calls, in the journal with its duration, outcome and
   * a button that opens the recording. */
  g_assert_cmpuint (count_rows_showing (fixture, "Иван Петров"), ==, 1);
  g_assert_cmpuint (count_rows_showing (fixture, "1:05"), ==, 1);
  g_assert_cmpuint (count_rows_showing (fixture, "Answered"), ==, 1);
  {
    g_autoptr(GPtrArray) buttons = nc_ui_test_find_all (GTK_WIDGET (fixture->view),
                                                        GTK_TYPE_BUTTON);
    GtkWidget *record = NULL;
    GVariant *target;

    for (guint i = 0; i < buttons->len; i++)
      if (g_strcmp0 (gtk_actionable_get_action_name (buttons->pdata[i]), "win.open-uri") == 0 &&
          gtk_widget_get_mapped (buttons->pdata[i]))
        record = buttons->pdata[i];
    g_assert_nonnull (record);
    g_assert_nonnull (gtk_widget_get_tooltip_text (record));
    target = gtk_actionable_get_action_target_value (GTK_ACTIONABLE (record));
    g_assert_cmpstr (g_variant_get_string (target, NULL), ==, "https://records.example.org/1.mp3");
  }
}

static void
test_filters (Fixture       *fixture,
              gconstpointer  data)
{
  GListModel *shown = nc_live_view_get_journal_model (fixture->view);
  g_autofree char *shot = NULL;

  nc_live_view_set_session (fixture->view, fixture->session);

  feed (fixture, "NOTIFY_START", "pbx_call_id", "in_1", "call_start", "2026-11-23 10:15:03",
        "caller_id", "79004443322", "called_did", "74951234567", NULL);
  feed (fixture, "NOTIFY_END", "pbx_call_id", "in_1", "call_start", "2026-11-23 10:15:03",
        "caller_id", "79004443322", "called_did", "74951234567", "internal", "100",
        "duration", "0", "disposition", "no answer", "status_code", "19", "is_recorded", "0",
        "call_id_with_rec", "", NULL);
  feed (fixture, "NOTIFY_OUT_START", "pbx_call_id", "out_1", "call_start", "2026-11-23 10:20:00",
        "caller_id", "79500000033", "internal", "111111", "destination", "79001112233", NULL);
  feed (fixture, "NOTIFY_OUT_END", "pbx_call_id", "out_1", "call_start", "2026-11-23 10:20:00",
        "caller_id", "79500000033", "internal", "111111", "destination", "79001112233",
        "duration", "42", "disposition", "answered", "status_code", "16", "is_recorded", "1",
        "call_id_with_rec", "2.3", NULL);
  feed (fixture, "NOTIFY_RECORD", "pbx_call_id", "out_1", "call_id_with_rec", "2.3", NULL);
  feed (fixture, "NOTIFY_START", "pbx_call_id", "in_2", "call_start", "2026-11-23 10:25:00",
        "caller_id", "79161112233", "called_did", "74951234567", NULL);
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 3);

  nc_live_view_set_filter (fixture->view, NULL, NC_CALL_DIRECTION_OUT, NULL);
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 1);
  nc_live_view_set_filter (fixture->view, NULL, NC_CALL_DIRECTION_IN, NULL);
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 2);
  nc_live_view_set_filter (fixture->view, "NOTIFY_RECORD", -1, NULL);
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 1);
  nc_live_view_set_filter (fixture->view, "NOTIFY_END", -1, NULL);
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 1);
  nc_live_view_set_filter (fixture->view, NULL, -1, "100");
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 1);
  nc_live_view_set_filter (fixture->view, NULL, NC_CALL_DIRECTION_OUT, "100");
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 0);
  nc_ui_test_wait_for_frames (GTK_WIDGET (fixture->window), 2);
  /* Nothing matches: the page that says so is the one on screen. */
  g_assert_true (gtk_widget_get_mapped (nc_ui_test_find_widget (GTK_WIDGET (fixture->view),
                                                                ADW_TYPE_STATUS_PAGE, "title",
                                                                "No Matching Calls")));

  nc_live_view_set_filter (fixture->view, NULL, -1, NULL);
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 3);
  nc_ui_test_wait_for_frames (GTK_WIDGET (fixture->window), 3);
  shot = nc_ui_test_save_screenshot (GTK_WIDGET (fixture->window), "live-view");
  g_test_message ("screenshot: %s", shot);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add ("/live-view/empty-then-calls", Fixture, NULL, fixture_set_up,
              test_empty_then_calls, fixture_tear_down);
  g_test_add ("/live-view/filters", Fixture, NULL, fixture_set_up, test_filters,
              fixture_tear_down);

  return nc_test_run ();
}
