/* test-replay-quiet.c — a restart goes over the stored calls without notifying them again
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "nc-application.h"
#include "nc-fake-notifications.h"
#include "nc-store.h"
#include "nc-test-util.h"
#include "nc-ui-test-util.h"

static NcApplication *app;
static NcFakeNotifications *notifications;
static int status = 1;

static gboolean
wake (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

static gboolean
call_replayed (void)
{
  return g_list_model_get_n_items (nc_call_tracker_get_journal (
           nc_session_get_tracker (nc_application_get_session (app)))) == 2;
}

/* Yesterday's calls, one still ringing when the console stopped and one missed, are in
 * the journal again; no notification is raised for them. */
static void
test_replay_is_quiet (void)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  guint waker = g_timeout_add (50, wake, NULL);

  while (!call_replayed () && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (waker);
  g_assert_true (call_replayed ());

  nc_ui_test_spin (500);
  g_assert_cmpuint (nc_fake_notifications_get_all (notifications)->len, ==, 0);
}

static gboolean
run_tests (gpointer user_data)
{
  status = nc_test_run ();
  g_application_release (G_APPLICATION (app));
  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
  return G_SOURCE_REMOVE;
}

static void
on_activate (GApplication *application)
{
  g_application_hold (application);
  g_idle_add (run_tests, NULL);
}

static void
added (GObject      *source,
       GAsyncResult *result,
       gpointer      user_data)
{
  g_assert_true (nc_store_add_call_event_finish (NC_STORE (source), result, NULL, NULL));
  (*(guint *) user_data)++;
}

static void
store_events (const char *data_dir)
{
  static const char *const events[][2] = {
    { "NOTIFY_START", "call_start=2026-11-28+09%3A00%3A00&caller_id=79001112233"
                      "&called_did=79500000033&event=NOTIFY_START&pbx_call_id=in_ringing" },
    { "NOTIFY_START", "call_start=2026-11-28+09%3A05%3A00&caller_id=79004445566"
                      "&called_did=79500000033&event=NOTIFY_START&pbx_call_id=in_missed" },
    { "NOTIFY_END", "call_start=2026-11-28+09%3A05%3A00&caller_id=79004445566"
                    "&called_did=79500000033&disposition=no+answer&duration=0"
                    "&event=NOTIFY_END&internal=100&is_recorded=0&last_internal=100"
                    "&pbx_call_id=in_missed&status_code=16" },
  };
  g_autoptr(NcStore) store = NULL;
  g_autoptr(GError) error = NULL;
  guint done = 0;

  store = nc_store_open_sync (data_dir, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (events); i++)
    nc_store_add_call_event_async (store, events[i][0], events[i][1],
                                   g_get_real_time () - (gint64) G_USEC_PER_SEC * 3600 * 24, NULL, added,
                                   &done);
  while (done < G_N_ELEMENTS (events))
    g_main_context_iteration (NULL, TRUE);
  nc_store_close (store);
  nc_test_wait_for_last_reference (store);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *data_dir = nc_test_make_temp_dir ();
  char *app_argv[] = { argv[0], (char *) "--data-dir", data_dir, NULL };

  gtk_test_init (&argc, &argv, NULL);
  notifications = nc_fake_notifications_start ();
  store_events (data_dir);

  g_test_add_func ("/replay-quiet/no-notification", test_replay_is_quiet);

  app = nc_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_signal_connect_after (app, "activate", G_CALLBACK (on_activate), NULL);
  g_application_run (G_APPLICATION (app), 3, app_argv);
  g_assert_finalize_object (app);

  nc_fake_notifications_stop (notifications);
  nc_test_remove_tree (data_dir);
  return status;
}
