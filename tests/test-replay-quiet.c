/* test-replay-quiet.c — a start on a long history reads what is live, and tells nothing of
 * the rest
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The store holds a few thousand calls that ended yesterday and one still ringing. A
 * tracker started on it reads the ringing one only: no call is told as new, and none of
 * the ended ones is held. The console started on the same data raises no notification
 * for any of them, and shows only the first page of the journal; the first call that
 * comes after it started is the first it notifies.
 */

#include "config.h"

#include "nc-application.h"
#include "nc-fake-notifications.h"
#include "nc-journal.h"
#include "nc-live-view.h"
#include "nc-paths.h"
#include "nc-store.h"
#include "nc-test-util.h"
#include "nc-ui-test-util.h"
#include "nc-window.h"
#include "nc-zadarma-sign.h"

#define N_ENDED 3000

static NcApplication *app;
static NcFakeNotifications *notifications;
static char *data_dir;
static guint app_started_calls;
static NcWindow *window;

static gboolean
wake (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

static void
wait_until (gboolean (*done) (void))
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  guint waker = g_timeout_add (20, wake, NULL);

  while (!done () && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (waker);
  g_assert_true (done ());
}

static char *
ended_id (guint i)
{
  return g_strdup_printf ("old_%04u", i);
}

static void
count (gpointer instance,
       gpointer arg,
       guint   *counter)
{
  (*counter)++;
}

static void
count_changed (NcCallTracker *tracker,
               GPtrArray     *calls,
               guint         *counter)
{
  (*counter)++;
}

static void
count_reset (NcCallTracker *tracker,
             guint         *counter)
{
  (*counter)++;
}

/* The tracker's start reads the one live call, tells nothing, and holds nothing else. */
static void
test_tracker_reads_only_live (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NcStore) store = nc_store_open_sync (data_dir, &error);
  g_autoptr(GPtrArray) live_rows = NULL;
  NcCallTracker *tracker = nc_call_tracker_new ();
  GListModel *live = nc_call_tracker_get_live_calls (tracker);
  g_autoptr(NcCall) ringing = NULL;
  guint started = 0, ended = 0, changed = 0, reset = 0;

  g_assert_no_error (error);
  g_signal_connect (tracker, "call-started", G_CALLBACK (count), &started);
  g_signal_connect (tracker, "call-ended", G_CALLBACK (count), &ended);
  g_signal_connect (tracker, "calls-changed", G_CALLBACK (count_changed), &changed);
  g_signal_connect (tracker, "calls-reset", G_CALLBACK (count_reset), &reset);

  /* The history is there; what the start reads is what is not over. */
  {
    g_autoptr(NcCallFilter) filter = nc_call_filter_new ();
    g_autoptr(GPtrArray) all = nc_store_list_calls_sync (store, filter, NULL, N_ENDED + 10,
                                                         &error);

    g_assert_no_error (error);
    g_assert_cmpuint (all->len, ==, N_ENDED + 1);
  }
  live_rows = nc_store_list_live_calls_sync (store, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (live_rows->len, ==, 1);

  g_assert_true (nc_call_tracker_start_sync (tracker, store, &error));
  g_assert_no_error (error);
  nc_call_tracker_set_poll_interval (tracker, 0);
  g_assert_true (nc_call_tracker_update_sync (tracker, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (g_list_model_get_n_items (live), ==, 1);
  ringing = g_list_model_get_item (live, 0);
  g_assert_cmpstr (nc_call_get_pbx_call_id (ringing), ==, "in_ringing");
  g_assert_cmpint (nc_call_get_state (ringing), ==, NC_CALL_STATE_RINGING);
  g_assert_true (nc_call_tracker_lookup (tracker, "in_ringing") == ringing);
  g_assert_cmpuint (started, ==, 0);
  g_assert_cmpuint (ended, ==, 0);
  g_assert_cmpuint (changed, ==, 0);
  g_assert_cmpuint (reset, ==, 0);

  for (guint i = 0; i < N_ENDED; i++)
    {
      g_autofree char *id = ended_id (i);

      if (nc_call_tracker_lookup (tracker, id) != NULL)
        g_error ("The tracker holds %s, which ended before it started", id);
    }

  g_clear_object (&ringing);
  nc_test_wait_for_last_reference (tracker);
  g_assert_finalize_object (tracker);
  nc_store_close (store);
}

static NcSession *
session (void)
{
  return nc_application_get_session (app);
}

static gboolean
console_started (void)
{
  return session () != NULL && nc_session_get_store (session ()) != NULL &&
         g_list_model_get_n_items (nc_call_tracker_get_live_calls (
                                     nc_session_get_tracker (session ()))) == 1;
}

static NcJournal *
journal (void)
{
  GtkWidget *view = nc_ui_test_find_widget (GTK_WIDGET (window), NC_TYPE_LIVE_VIEW, NULL, NULL);

  return nc_live_view_get_journal (NC_LIVE_VIEW (view));
}

static gboolean
first_page_read (void)
{
  return journal () != NULL && !nc_journal_get_loading (journal ()) &&
         g_list_model_get_n_items (G_LIST_MODEL (journal ())) > 0;
}

static gboolean
one_notification (void)
{
  return nc_fake_notifications_get_all (notifications)->len >= 1;
}

/* The console on that history: no notification for any call read at start; the first
 * one is for the call that comes after. */
static void
test_console_is_quiet (void)
{
  g_autoptr(GHashTable) fields = NULL;
  NcFakeNotification *first;

  wait_until (console_started);
  window = nc_window_new (GTK_APPLICATION (app), session ());
  gtk_window_present (GTK_WINDOW (window));
  wait_until (first_page_read);
  /* Only the first page of the history is read. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (journal ())), ==,
                    NC_JOURNAL_FIRST_PAGE);
  g_assert_false (nc_journal_get_complete (journal ()));

  /* A call after the start: its notification is the first one of all. */
  fields = nc_test_fields ("pbx_call_id", "in_after", "call_start", "2026-11-29 10:00:00",
                           "caller_id", "79165550011", "called_did", "79500000033", NULL);
  nc_test_store_event (nc_session_get_store (session ()), "NOTIFY_START", fields,
                       g_get_real_time ());
  wait_until (one_notification);
  first = nc_fake_notifications_get_all (notifications)->pdata[0];
  g_assert_cmpstr (first->summary, ==, "Incoming Call");
  g_assert_nonnull (g_strstr_len (first->body, -1, "+7 916 555-00-11"));
  g_assert_cmpuint (nc_fake_notifications_get_all (notifications)->len, ==, 1);
  g_assert_cmpuint (app_started_calls, ==, 1);
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
added (GObject      *source,
       GAsyncResult *result,
       gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (nc_store_add_call_event_finish (NC_STORE (source), result, NULL, &error));
  g_assert_no_error (error);
  (*(guint *) user_data)++;
}

static void
add (NcStore    *store,
     const char *type,
     GHashTable *fields,
     gint64      received_at,
     guint      *done)
{
  g_autofree char *canonical = nc_zadarma_encode_params (fields);

  nc_store_add_call_event_async (store, type, canonical, received_at, NULL, added, done);
  g_hash_table_unref (fields);
}

/* Yesterday's calls, all over, and one ringing now; written together, as a busy listener
 * writes them. */
static void
store_history (void)
{
  g_autoptr(NcStore) store = NULL;
  g_autoptr(GError) error = NULL;
  gint64 yesterday = g_get_real_time () - (gint64) 24 * 3600 * G_USEC_PER_SEC;
  guint done = 0, submitted = 0;

  store = nc_store_open_sync (data_dir, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < N_ENDED; i++)
    {
      g_autofree char *id = ended_id (i);
      g_autofree char *caller = g_strdup_printf ("7900%07u", i);
      g_autofree char *start = g_strdup_printf ("2026-11-28 %02u:%02u:%02u", 8 + i / 3600,
                                                i / 60 % 60, i % 60);
      gint64 at = yesterday + (gint64) i * G_USEC_PER_SEC;

      add (store, "NOTIFY_START",
           nc_test_fields ("pbx_call_id", id, "call_start", start, "caller_id", caller,
                           "called_did", "79500000033", NULL), at, &done);
      add (store, "NOTIFY_END",
           nc_test_fields ("pbx_call_id", id, "call_start", start, "caller_id", caller,
                           "called_did", "79500000033", "internal", "100",
                           "duration", i % 3 == 0 ? "0" : "42",
                           "disposition", i % 3 == 0 ? "no answer" : "answered",
                           "is_recorded", "0", "status_code", "16", NULL),
           at + 30 * G_USEC_PER_SEC, &done);
      submitted += 2;
    }
  add (store, "NOTIFY_START",
       nc_test_fields ("pbx_call_id", "in_ringing", "call_start", "2026-11-29 09:59:00",
                       "caller_id", "79001112233", "called_did", "79500000033", NULL),
       g_get_real_time () - 60 * G_USEC_PER_SEC, &done);
  submitted++;
  while (done < submitted)
    g_main_context_iteration (NULL, TRUE);
  nc_store_close (store);
  nc_test_wait_for_last_reference (store);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  /* Its own data folder, which the console opens as its own. */
  g_autofree char *home = g_dir_make_tmp ("nc-replay-quiet-XXXXXX", NULL);
  int status;

  g_setenv ("XDG_DATA_HOME", home, TRUE);
  gtk_test_init (&argc, &argv, NULL);
  data_dir = nc_paths_dup_data_dir (NULL);
  notifications = nc_fake_notifications_start ();
  store_history ();

  g_test_add_func ("/replay-quiet/tracker-reads-only-live", test_tracker_reads_only_live);
  g_test_add_func ("/replay-quiet/console-is-quiet", test_console_is_quiet);

  /* Started, not activated: the window is opened once the console has read its calls. */
  app = nc_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  /* The console's own tracker, from before it read anything. */
  g_signal_connect (nc_session_get_tracker (session ()), "call-started", G_CALLBACK (count),
                    &app_started_calls);
  status = nc_test_run ();

  g_object_unref (app);
  nc_fake_notifications_stop (notifications);
  nc_test_remove_tree (home);
  g_free (data_dir);
  return status;
}
