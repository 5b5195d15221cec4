/* test-live-view.c — the live events pane: what the store knows, filtered by the store,
 * paged, and still while the reader is away from the top
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "nc-call-row.h"
#include "nc-live-view.h"
#include "nc-test-util.h"
#include "nc-ui-test-util.h"

typedef struct
{
  char          *dir;
  NcSession     *session;
  NcStore       *store;
  GtkWindow     *window;
  NcLiveView    *view;
  NcCallTracker *tracker;
} Fixture;

static gboolean
journal_read (gpointer data)
{
  NcJournal *journal = data;

  return !nc_journal_get_loading (journal);
}

static NcJournal *
journal_of (Fixture *fixture)
{
  NcJournal *journal = nc_live_view_get_journal (fixture->view);

  g_assert_true (nc_test_wait_until (journal_read, journal, 20));
  return journal;
}

static gboolean
employees_loaded (gpointer data)
{
  return g_list_model_get_n_items (G_LIST_MODEL (nc_session_get_employees (data))) == 1;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(NcEmployee) anna = nc_employee_new (0, "Анна Операторова", "100", NULL,
                                                NC_CALL_METHOD_APP);
  g_autoptr(GError) error = NULL;

  fixture->dir = nc_test_make_temp_dir ();
  fixture->session = nc_session_new (fixture->dir, NULL, NC_SESSION_CALLS);
  g_assert_true (nc_session_start_sync (fixture->session, &error));
  g_assert_no_error (error);
  fixture->store = nc_session_get_store (fixture->session);
  g_assert_cmpint (nc_store_save_employee_sync (fixture->store, anna, NULL), >, 0);
  g_assert_true (nc_test_wait_until (employees_loaded, fixture->session, 20));
  fixture->tracker = g_object_ref (nc_session_get_tracker (fixture->session));
  fixture->view = g_object_new (NC_TYPE_LIVE_VIEW, NULL);
  fixture->window = nc_ui_test_present (GTK_WIDGET (fixture->view), 420, 700);
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

static gboolean
row_label_ends_with (Fixture    *fixture,
                     const char *tail)
{
  g_autoptr(GPtrArray) labels = nc_ui_test_find_all (GTK_WIDGET (fixture->view), GTK_TYPE_LABEL);

  for (guint i = 0; i < labels->len; i++)
    if (gtk_widget_get_mapped (labels->pdata[i]) &&
        gtk_widget_get_ancestor (labels->pdata[i], NC_TYPE_CALL_ROW) != NULL &&
        g_str_has_suffix (gtk_label_get_label (labels->pdata[i]), tail))
      return TRUE;
  return FALSE;
}

/* Today and yesterday as the PBX writes its times. */
static char *
pbx_day (int days_ago,
         const char *time)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) day = g_date_time_add_days (now, -days_ago);
  g_autofree char *date = g_date_time_format (day, "%Y-%m-%d");

  return g_strdup_printf ("%s %s", date, time);
}

/* Whether a label reading @text is on screen in the view. */
static gboolean
label_shown (Fixture    *fixture,
             const char *text)
{
  g_autoptr(GPtrArray) labels = nc_ui_test_find_all (GTK_WIDGET (fixture->view), GTK_TYPE_LABEL);

  for (guint i = 0; i < labels->len; i++)
    if (g_strcmp0 (gtk_label_get_text (labels->pdata[i]), text) == 0 &&
        gtk_widget_get_mapped (labels->pdata[i]))
      return TRUE;
  return FALSE;
}

static void
test_empty_then_calls (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *start = pbx_day (0, "10:15:03");
  g_autoptr(GError) error = NULL;
  NcCall *call;
  gint64 ivan;

  g_assert_cmpstr (visible_page (fixture->view), ==, "empty");
  nc_live_view_set_session (fixture->view, fixture->session);
  journal_of (fixture);
  nc_ui_test_wait_for_frames (GTK_WIDGET (fixture->window), 2);
  g_assert_cmpstr (visible_page (fixture->view), ==, "empty");

  call = nc_test_feed (fixture->store, fixture->tracker, "NOTIFY_START", 0, "pbx_call_id", "in_1",
                       "call_start", start, "caller_id", "79004443322", "called_did", "74951234567",
                       NULL);
  nc_ui_test_wait_for_frames (GTK_WIDGET (fixture->window), 2);
  g_assert_cmpstr (visible_page (fixture->view), ==, "calls");

  /* Ringing: on top among the active calls, and in the journal, the number as people read
   * it. */
  g_assert_cmpuint (count_rows_showing (fixture, "+7 900 444-33-22"), ==, 2);
  g_assert_cmpuint (count_rows_showing (fixture, "Ringing"), ==, 2);
  /* Shown twice, under two headings that say why. */
  g_assert_true (label_shown (fixture, "Active Calls"));
  g_assert_true (label_shown (fixture, "All Calls"));

  /* Matched to a client (by the listener's process, through the store). */
  ivan = nc_test_add_client (fixture->store, "Иван Петров", "79004443322");
  g_assert_true (nc_store_set_call_client_sync (fixture->store, nc_call_get_id (call), ivan,
                                                "telephony", &error));
  nc_test_feed (fixture->store, fixture->tracker, "NOTIFY_ANSWER", 0, "pbx_call_id", "in_1",
                "call_start", start, "caller_id", "79004443322", "destination", "101", NULL);
  nc_ui_test_wait_for_frames (GTK_WIDGET (fixture->window), 2);
  g_assert_cmpuint (count_rows_showing (fixture, "Иван Петров"), ==, 2);
  g_assert_cmpuint (count_rows_showing (fixture, "Talking"), ==, 2);

  nc_test_feed (fixture->store, fixture->tracker, "NOTIFY_END", 0, "pbx_call_id", "in_1",
                "call_start", start, "caller_id", "79004443322", "called_did", "74951234567",
                "internal", "101", "duration", "65", "disposition", "answered", "status_code", "16",
                "is_recorded", "1", "call_id_with_rec", "1.2", NULL);
  g_assert_true (nc_store_recording_fetched_sync (fixture->store, nc_call_get_id (call),
                                                  "https://records.example.org/1.mp3",
                                                  "2099-01-22 10:16:00", &error));
  g_assert_true (nc_call_tracker_update_sync (fixture->tracker, &error));
  nc_ui_test_wait_for_frames (GTK_WIDGET (fixture->window), 2);

  /* Ended: gone from the active calls, in the journal with its duration, outcome and
   * a button that opens the recording. */
  g_assert_cmpuint (count_rows_showing (fixture, "Иван Петров"), ==, 1);
  g_assert_false (label_shown (fixture, "Active Calls"));
  g_assert_false (label_shown (fixture, "All Calls"));
  g_assert_cmpuint (count_rows_showing (fixture, "1:05"), ==, 1);
  g_assert_cmpuint (count_rows_showing (fixture, "Answered"), ==, 1);
  g_assert_cmpstr (nc_call_get_record_link (call), ==, "https://records.example.org/1.mp3");
  g_assert_true (nc_call_record_link_is_fresh (call, NULL));
  {
    g_autoptr(GPtrArray) buttons = nc_ui_test_find_all (GTK_WIDGET (fixture->view),
                                                        GTK_TYPE_BUTTON);
    GtkWidget *record = NULL;
    GVariant *target;

    for (guint i = 0; i < buttons->len; i++)
      if (g_strcmp0 (gtk_actionable_get_action_name (buttons->pdata[i]),
                     "win.open-recording") == 0 &&
          gtk_widget_get_mapped (buttons->pdata[i]))
        record = buttons->pdata[i];
    g_assert_nonnull (record);
    g_assert_nonnull (gtk_widget_get_tooltip_text (record));
    target = gtk_actionable_get_action_target_value (GTK_ACTIONABLE (record));
    g_assert_cmpstr (g_variant_get_string (target, NULL), ==, "in_1");
  }
}

static guint
shown (Fixture *fixture)
{
  return g_list_model_get_n_items (G_LIST_MODEL (journal_of (fixture)));
}

static void
test_filters (Fixture       *fixture,
              gconstpointer  data)
{
  g_autofree char *today = pbx_day (0, "10:15:03");
  g_autofree char *today_out = pbx_day (0, "10:20:00");
  g_autofree char *today_late = pbx_day (0, "10:25:00");
  g_autofree char *yesterday = pbx_day (1, "18:40:00");
  g_autofree char *shot = NULL;
  g_autoptr(GError) error = NULL;
  NcCall *olga;

  nc_live_view_set_session (fixture->view, fixture->session);

  nc_test_feed (fixture->store, fixture->tracker, "NOTIFY_START", 0, "pbx_call_id", "in_1",
                "call_start", today, "caller_id", "79004443322", "called_did", "74951234567", NULL);
  nc_test_feed (fixture->store, fixture->tracker, "NOTIFY_END", 0, "pbx_call_id", "in_1",
                "call_start", today, "caller_id", "79004443322", "called_did", "74951234567",
                "internal", "100", "duration", "0", "disposition", "no answer", "status_code", "19",
                "is_recorded", "0", "call_id_with_rec", "", NULL);
  nc_test_feed (fixture->store, fixture->tracker, "NOTIFY_OUT_START", 0, "pbx_call_id", "out_1",
                "call_start", today_out, "caller_id", "79500000033", "internal", "111111",
                "destination", "79001112233", NULL);
  nc_test_feed (fixture->store, fixture->tracker, "NOTIFY_OUT_END", 0, "pbx_call_id", "out_1",
                "call_start", today_out, "caller_id", "79500000033", "internal", "111111",
                "destination", "79001112233", "duration", "42", "disposition", "answered",
                "status_code", "16", "is_recorded", "1", "call_id_with_rec", "2.3", NULL);
  nc_test_feed (fixture->store, fixture->tracker, "NOTIFY_START", 0, "pbx_call_id", "in_2",
                "call_start", today_late, "caller_id", "79161112233", "called_did", "74951234567",
                NULL);
  olga = nc_test_feed (fixture->store, fixture->tracker, "NOTIFY_START", 0, "pbx_call_id", "in_0",
                       "call_start", yesterday, "caller_id", "79035556677",
                       "called_did", "74951234567", NULL);
  nc_test_feed (fixture->store, fixture->tracker, "NOTIFY_END", 0, "pbx_call_id", "in_0",
                "call_start", yesterday, "caller_id", "79035556677", "called_did", "74951234567",
                "internal", "100", "duration", "31", "disposition", "answered", "status_code", "16",
                "is_recorded", "0", "call_id_with_rec", "", NULL);
  g_assert_true (nc_store_set_call_client_sync (fixture->store, nc_call_get_id (olga),
                                                nc_test_add_client (fixture->store,
                                                                    "Ольга Смирнова",
                                                                    "79035556677"),
                                                "telephony", &error));
  g_assert_true (nc_call_tracker_update_sync (fixture->tracker, &error));
  g_assert_cmpuint (shown (fixture), ==, 4);

  /* Each filter is the store's query. */
  nc_live_view_set_filter (fixture->view, NC_CALL_DIRECTION_OUT, NC_CALL_OUTCOME_ANY, NULL,
                           NC_PERIOD_ALL, NULL);
  g_assert_cmpuint (shown (fixture), ==, 1);
  nc_live_view_set_filter (fixture->view, NC_CALL_DIRECTION_IN, NC_CALL_OUTCOME_ANY, NULL,
                           NC_PERIOD_ALL, NULL);
  g_assert_cmpuint (shown (fixture), ==, 3);
  nc_live_view_set_filter (fixture->view, -1, NC_CALL_OUTCOME_MISSED, NULL, NC_PERIOD_ALL, NULL);
  g_assert_cmpuint (shown (fixture), ==, 1);
  nc_live_view_set_filter (fixture->view, -1, NC_CALL_OUTCOME_ANY, "100", NC_PERIOD_ALL, NULL);
  g_assert_cmpuint (shown (fixture), ==, 2);
  nc_live_view_set_filter (fixture->view, -1, NC_CALL_OUTCOME_ANY, NULL, NC_PERIOD_TODAY, NULL);
  g_assert_cmpuint (shown (fixture), ==, 3);
  nc_live_view_set_filter (fixture->view, -1, NC_CALL_OUTCOME_ANY, NULL, NC_PERIOD_YESTERDAY,
                           NULL);
  g_assert_cmpuint (shown (fixture), ==, 1);
  /* A call on another day says which; one of today only its time. */
  nc_ui_test_wait_for_frames (GTK_WIDGET (fixture->window), 2);
  {
    g_autoptr(GDateTime) now = g_date_time_new_now_local ();
    g_autoptr(GDateTime) day = g_date_time_add_days (now, -1);
    g_autofree char *date = g_date_time_format (day, "%-d %b, 18:40");

    g_assert_true (row_label_ends_with (fixture, g_strstrip (date)));
  }
  nc_live_view_set_filter (fixture->view, -1, NC_CALL_OUTCOME_ANY, NULL, NC_PERIOD_ALL, "Смирн");
  g_assert_cmpuint (shown (fixture), ==, 1);
  nc_live_view_set_filter (fixture->view, NC_CALL_DIRECTION_OUT, NC_CALL_OUTCOME_ANY, "100",
                           NC_PERIOD_ALL, NULL);
  g_assert_cmpuint (shown (fixture), ==, 0);
  nc_ui_test_wait_for_frames (GTK_WIDGET (fixture->window), 2);
  /* Nothing matches: the page that says so is the one on screen, not "No Calls Yet". */
  g_assert_cmpstr (visible_page (fixture->view), ==, "calls");
  g_assert_true (gtk_widget_get_mapped (nc_ui_test_find_widget (GTK_WIDGET (fixture->view),
                                                                ADW_TYPE_STATUS_PAGE, "title",
                                                                "No Matching Calls")));

  /* A call that comes while a filter is on shows if it matches, only then. */
  nc_live_view_set_filter (fixture->view, -1, NC_CALL_OUTCOME_MISSED, NULL, NC_PERIOD_ALL, NULL);
  g_assert_cmpuint (shown (fixture), ==, 1);
  nc_test_feed (fixture->store, fixture->tracker, "NOTIFY_END", 0, "pbx_call_id", "in_2",
                "call_start", today_late, "caller_id", "79161112233", "called_did", "74951234567",
                "internal", "100", "duration", "0", "disposition", "no answer", "status_code", "19",
                "is_recorded", "0", "call_id_with_rec", "", NULL);
  g_assert_cmpuint (shown (fixture), ==, 2);

  nc_live_view_set_filter (fixture->view, -1, NC_CALL_OUTCOME_ANY, NULL, NC_PERIOD_ALL, NULL);
  g_assert_cmpuint (shown (fixture), ==, 4);
  nc_ui_test_wait_for_frames (GTK_WIDGET (fixture->window), 3);
  shot = nc_ui_test_save_screenshot (GTK_WIDGET (fixture->window), "live-view");
  g_test_message ("screenshot: %s", shot);
}

/* The journal's, not one of the drop-downs' lists. */
static GtkScrolledWindow *
journal_scroller (Fixture *fixture)
{
  g_autoptr(GPtrArray) lists = nc_ui_test_find_all (GTK_WIDGET (fixture->view), GTK_TYPE_LIST_VIEW);

  for (guint i = 0; i < lists->len; i++)
    if (gtk_widget_has_css_class (lists->pdata[i], "navigation-sidebar"))
      return GTK_SCROLLED_WINDOW (gtk_widget_get_ancestor (lists->pdata[i],
                                                           GTK_TYPE_SCROLLED_WINDOW));
  g_assert_not_reached ();
}

/* Many calls: pages as the list is read, new ones at the top while at the top, waiting
 * behind "New Calls" while the reader is away. */
static void
test_pages_and_new_calls (Fixture       *fixture,
                          gconstpointer  data)
{
  GtkScrolledWindow *scroller;
  GtkAdjustment *adjustment;
  GtkWidget *new_calls;
  NcJournal *journal;
  gint64 base = nc_call_parse_pbx_time ("2026-11-01 08:00:00");
  g_autofree char *fresh = pbx_day (0, "23:59:00");

  for (guint i = 0; i < 300; i++)
    {
      g_autofree char *id = g_strdup_printf ("old-%03u", i);
      g_autofree char *start = nc_call_format_pbx_time (base + i * 60);
      g_autoptr(GHashTable) fields = nc_test_fields ("pbx_call_id", id, "call_start", start,
                                                     "caller_id", "79004443322", "called_did",
                                                     "74951234567", "internal", "100",
                                                     "duration", "5", "disposition", "answered",
                                                     "status_code", "16", "is_recorded", "0",
                                                     "call_id_with_rec", "", NULL);

      nc_test_store_event (fixture->store, "NOTIFY_END", fields, g_get_real_time ());
    }

  nc_live_view_set_session (fixture->view, fixture->session);
  journal = journal_of (fixture);
  /* The first page, not the history. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (journal)), ==, NC_JOURNAL_FIRST_PAGE);
  g_assert_false (nc_journal_get_complete (journal));

  /* Scrolled down: the next pages come as the list is read. */
  scroller = journal_scroller (fixture);
  adjustment = gtk_scrolled_window_get_vadjustment (scroller);
  for (guint i = 0; i < 50 && !nc_journal_get_complete (journal); i++)
    {
      nc_ui_test_wait_for_frames (GTK_WIDGET (fixture->window), 2);
      gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
      journal_of (fixture);
    }
  g_assert_true (nc_journal_get_complete (journal));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (journal)), ==, 300);

  /* Away from the top: a new call waits, the rows stay where they are. */
  nc_ui_test_wait_for_frames (GTK_WIDGET (fixture->window), 2);
  g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), >, 100);
  nc_test_feed (fixture->store, fixture->tracker, "NOTIFY_START", 0, "pbx_call_id", "new-1",
                "call_start", fresh, "caller_id", "79161112233", "called_did", "74951234567", NULL);
  nc_ui_test_wait_for_frames (GTK_WIDGET (fixture->window), 2);
  g_assert_cmpuint (nc_journal_get_n_waiting (journal), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (journal)), ==, 300);
  new_calls = nc_ui_test_find_widget (GTK_WIDGET (fixture->view), GTK_TYPE_BUTTON, "label",
                                      "1 New Call");
  g_assert_nonnull (new_calls);
  g_assert_true (gtk_widget_get_mapped (new_calls));

  /* "New Calls": at the top, with it. */
  g_signal_emit_by_name (new_calls, "clicked");
  nc_ui_test_wait_for_frames (GTK_WIDGET (fixture->window), 4);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (journal)), ==, 301);
  g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), <, 1);
  g_assert_false (gtk_widget_get_visible (new_calls));
  {
    g_autoptr(NcCall) top = g_list_model_get_item (G_LIST_MODEL (journal), 0);

    g_assert_cmpstr (nc_call_get_pbx_call_id (top), ==, "new-1");
  }

  /* At the top, the next one goes straight in. */
  nc_test_feed (fixture->store, fixture->tracker, "NOTIFY_START", 0, "pbx_call_id", "new-2",
                "call_start", fresh, "caller_id", "79161112234", "called_did", "74951234567", NULL);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (journal)), ==, 302);
  g_assert_cmpuint (nc_journal_get_n_waiting (journal), ==, 0);
}

/* The filters stay where they are when the active calls come and go. */
static void
test_filter_bar_still (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *start = pbx_day (0, "10:15:03");
  GtkWidget *search;
  graphene_point_t before, after;

  nc_test_feed (fixture->store, fixture->tracker, "NOTIFY_START", 0, "pbx_call_id", "done",
                "call_start", start, "caller_id", "79004443322", "called_did", "74951234567", NULL);
  nc_test_feed (fixture->store, fixture->tracker, "NOTIFY_END", 0, "pbx_call_id", "done",
                "call_start", start, "caller_id", "79004443322", "called_did", "74951234567",
                "internal", "100", "duration", "3", "disposition", "answered", "status_code", "16",
                "is_recorded", "0", "call_id_with_rec", "", NULL);
  nc_live_view_set_session (fixture->view, fixture->session);
  journal_of (fixture);
  nc_ui_test_wait_for_frames (GTK_WIDGET (fixture->window), 3);
  search = nc_ui_test_find_widget (GTK_WIDGET (fixture->view), GTK_TYPE_SEARCH_ENTRY, NULL, NULL);
  g_assert_true (gtk_widget_compute_point (search, GTK_WIDGET (fixture->window),
                                           &GRAPHENE_POINT_INIT (0, 0), &before));

  nc_test_feed (fixture->store, fixture->tracker, "NOTIFY_START", 0, "pbx_call_id", "ringing",
                "call_start", start, "caller_id", "79161112233", "called_did", "74951234567", NULL);
  nc_ui_test_wait_for_frames (GTK_WIDGET (fixture->window), 3);
  g_assert_cmpuint (count_rows_showing (fixture, "Ringing"), ==, 2);
  g_assert_true (gtk_widget_compute_point (search, GTK_WIDGET (fixture->window),
                                           &GRAPHENE_POINT_INIT (0, 0), &after));
  g_assert_cmpfloat (after.y, ==, before.y);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

#define ADD(path, func) \
  g_test_add ("/live-view/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("empty-then-calls", test_empty_then_calls);
  ADD ("filters", test_filters);
  ADD ("pages-and-new-calls", test_pages_and_new_calls);
  ADD ("filter-bar-still", test_filter_bar_still);
#undef ADD

  return nc_test_run ();
}
