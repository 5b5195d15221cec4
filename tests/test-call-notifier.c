/* test-call-notifier.c — incoming, missed and ended calls notify, against a fake server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The events are stored in a real store; the tracker started on it reads them, and the
 * notifier hears the tracker.
 */

#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "nc-call-notifier.h"
#include "nc-client-matcher.h"
#include "nc-fake-notifications.h"
#include "nc-settings.h"
#include "nc-test-util.h"

/* One application for the whole program: GLib's notification backend outlives it. */
static GApplication *application;

typedef struct
{
  char                *dir;
  NcStore             *store;
  NcCallTracker       *tracker;
  GSettings           *settings;
  NcCallNotifier      *notifier;
  NcFakeNotifications *server;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->server = nc_fake_notifications_start ();
  fixture->store = nc_test_store_new (&fixture->dir);
  fixture->tracker = nc_call_tracker_new ();
  g_assert_true (nc_call_tracker_start_sync (fixture->tracker, fixture->store, &error));
  g_assert_no_error (error);
  nc_call_tracker_set_poll_interval (fixture->tracker, 0);
  fixture->settings = nc_settings_new_if_installed ();
  g_assert_nonnull (fixture->settings);
  fixture->notifier = nc_call_notifier_new (application, fixture->tracker,
                                            fixture->settings);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_settings_reset (fixture->settings, "notify-call-end");
  g_assert_finalize_object (fixture->notifier);
  /* A read of the change log on its way holds the tracker until it is answered. */
  nc_test_wait_for_last_reference (fixture->tracker);
  g_assert_finalize_object (fixture->tracker);
  g_object_unref (fixture->settings);
  nc_test_store_free (fixture->store, fixture->dir);
  nc_fake_notifications_stop (fixture->server);
}

static NcFakeNotification *
nth (Fixture *fixture,
     guint    n)
{
  GPtrArray *all = nc_fake_notifications_get_all (fixture->server);

  gint64 settle;

  g_assert_true (nc_fake_notifications_wait (fixture->server, n + 1, 10000));
  /* GLib learns the server's id from the reply; let it arrive before anything replaces it. */
  settle = g_get_monotonic_time () + 50 * 1000;
  while (g_get_monotonic_time () < settle)
    g_main_context_iteration (NULL, FALSE);
  return all->pdata[n];
}

/* The matcher's part: the store keeps the call's client, and the tracker reads it. */
static void
name_caller (Fixture    *fixture,
             const char *pbx_call_id,
             const char *name)
{
  g_autoptr(GPtrArray) drafts = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(NcCallRecord) call = nc_store_get_call_sync (fixture->store, pbx_call_id, &error);
  NcClient *client;

  g_assert_no_error (error);
  client = nc_client_new (0, name, NC_CHANNEL_TELEPHONY, call->client_number, 0);

  nc_client_take_variables (client,
                            g_ptr_array_new_with_free_func ((GDestroyNotify) nc_variable_free));
  g_ptr_array_add (drafts, client);
  g_assert_true (nc_store_add_clients_sync (fixture->store, drafts, &ids, &error));
  g_assert_no_error (error);
  g_assert_true (nc_store_set_call_client_sync (fixture->store, call->id,
                                                g_array_index (ids, gint64, 0),
                                                nc_match_rule_to_string (NC_MATCH_RULE_TELEPHONY_CLIENT),
                                                &error));
  g_assert_no_error (error);
  g_assert_true (nc_call_tracker_update_sync (fixture->tracker, &error));
  g_assert_no_error (error);
}

static NcCall *
incoming (Fixture *fixture)
{
  return nc_test_feed (fixture->store, fixture->tracker, "NOTIFY_START", 0, "pbx_call_id", "in_1",
                       "call_start", "2026-11-23 10:15:03", "caller_id", "79004443322",
                       "called_did", "74951234567", NULL);
}

static void
end_incoming (Fixture    *fixture,
              const char *duration,
              const char *disposition)
{
  nc_test_feed (fixture->store, fixture->tracker, "NOTIFY_END", 0, "pbx_call_id", "in_1",
                "call_start", "2026-11-23 10:15:03", "caller_id", "79004443322",
                "called_did", "74951234567", "internal", "100", "duration", duration,
                "disposition", disposition, "status_code", "16", "is_recorded", "1",
                "call_id_with_rec", "1.2", NULL);
}

/* One notification per call: the ringing one waits a moment for the caller's name, and
 * the rest replace it. */
static void
test_incoming_then_missed (Fixture       *fixture,
                           gconstpointer  data)
{
  NcFakeNotification *ringing, *missed;
  NcCall *call = incoming (fixture);

  /* The client is matched just after the call starts: one notification, named. */
  name_caller (fixture, "in_1", "Иван Петров");
  g_assert_cmpstr (nc_call_get_client_name (call), ==, "Иван Петров");
  ringing = nth (fixture, 0);
  g_assert_cmpstr (ringing->summary, ==, "Incoming Call");
  g_assert_cmpstr (ringing->body, ==, "Иван Петров, +7 900 444-33-22");
  g_assert_cmpuint (ringing->replaces_id, ==, 0);
  /* A client: Open shows their card. */
  g_assert_true (nc_fake_notification_has_action (ringing, "Open"));
  g_assert_false (nc_fake_notification_has_action (ringing, "Open Client"));
  g_assert_true (nc_fake_notification_has_action (ringing, "Call Back"));

  end_incoming (fixture, "0", "no answer");
  missed = nth (fixture, 1);
  g_assert_cmpstr (missed->summary, ==, "Missed Call");
  g_assert_cmpuint (missed->replaces_id, ==, ringing->id);
  g_assert_true (nc_fake_notification_has_action (missed, "Call Back"));
  g_assert_cmpuint (nc_fake_notifications_get_all (fixture->server)->len, ==, 2);
}

/* Asked to (missed-count-in-notification): a missed call's notification also counts the
 * clients who wait to be called back, as the store has them with this call. */
static void
test_missed_counts_waiting (Fixture       *fixture,
                            gconstpointer  data)
{
  NcFakeNotification *missed;

  g_settings_set_boolean (fixture->settings, "missed-count-in-notification", TRUE);
  incoming (fixture);
  name_caller (fixture, "in_1", "Иван Петров");
  nth (fixture, 0);
  end_incoming (fixture, "0", "no answer");
  missed = nth (fixture, 1);
  g_assert_cmpstr (missed->summary, ==, "Missed Call");
  g_assert_cmpstr (missed->body, ==, "Иван Петров, +7 900 444-33-22\n1 client waits to be called back");
  g_settings_reset (fixture->settings, "missed-count-in-notification");
}

/* A caller who is no client yet: after the wait, the number, as people read it. */
static void
test_unknown_caller (Fixture       *fixture,
                     gconstpointer  data)
{
  NcFakeNotification *ringing, *answered;

  incoming (fixture);
  ringing = nth (fixture, 0);
  g_assert_cmpstr (ringing->body, ==, "+7 900 444-33-22");
  nc_test_feed (fixture->store, fixture->tracker, "NOTIFY_ANSWER", 0, "pbx_call_id", "in_1",
                "call_start", "2026-11-23 10:15:03", "caller_id", "79004443322",
                "destination", "100", NULL);
  answered = nth (fixture, 1);
  g_assert_cmpstr (answered->summary, ==, "Call Answered");
  g_assert_cmpuint (answered->replaces_id, ==, ringing->id);
  g_assert_cmpstr (answered->body, ==, "+7 900 444-33-22");
}

static void
test_end_only_when_wanted (Fixture       *fixture,
                           gconstpointer  data)
{
  NcFakeNotification *ended;

  incoming (fixture);
  nth (fixture, 0);
  end_incoming (fixture, "65", "answered");

  /* By default the end of an answered call withdraws the ringing notification. */
  while (nc_fake_notifications_get_n_closed (fixture->server) == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (nc_fake_notifications_get_all (fixture->server)->len, ==, 1);

  g_settings_set_boolean (fixture->settings, "notify-call-end", TRUE);
  nc_test_feed (fixture->store, fixture->tracker, "NOTIFY_START", 0, "pbx_call_id", "in_2",
                "call_start", "2026-11-23 11:00:00", "caller_id", "79161112233",
                "called_did", "74951234567", NULL);
  nth (fixture, 1);
  nc_test_feed (fixture->store, fixture->tracker, "NOTIFY_END", 0, "pbx_call_id", "in_2",
                "call_start", "2026-11-23 11:00:00", "caller_id", "79161112233",
                "called_did", "74951234567", "internal", "100", "duration", "65",
                "disposition", "answered", "status_code", "16", "is_recorded", "1",
                "call_id_with_rec", "1.3", NULL);
  ended = nth (fixture, 2);
  g_assert_cmpstr (ended->summary, ==, "Call Ended");
  g_assert_nonnull (strstr (ended->body, "1:05"));
  g_assert_nonnull (strstr (ended->body, "Answered"));
  g_assert_nonnull (strstr (ended->body, "recorded"));
}

/* A call that ended is not told again when its row changes afterwards: its client matched
 * late, its recording fetched. The next call's notification is the next one. */
static void
test_ended_stays_quiet (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NcCallRecord) call = NULL;
  NcFakeNotification *next;

  g_settings_set_boolean (fixture->settings, "notify-call-end", TRUE);
  incoming (fixture);
  nth (fixture, 0);
  end_incoming (fixture, "0", "no answer");
  g_assert_cmpstr (nth (fixture, 1)->summary, ==, "Missed Call");
  /* Nothing shows it any more: the tracker has let it go. */
  g_assert_null (nc_call_tracker_lookup (fixture->tracker, "in_1"));

  name_caller (fixture, "in_1", "Иван Петров");
  call = nc_store_get_call_sync (fixture->store, "in_1", &error);
  g_assert_no_error (error);
  g_assert_true (nc_store_recording_fetched_sync (fixture->store, call->id,
                                                  "https://pbx.example/1.2.mp3",
                                                  "2026-12-30 10:00:00", &error));
  g_assert_no_error (error);
  g_assert_true (nc_call_tracker_update_sync (fixture->tracker, &error));
  g_assert_no_error (error);

  nc_test_feed (fixture->store, fixture->tracker, "NOTIFY_START", 0, "pbx_call_id", "in_2",
                "call_start", "2026-11-23 11:00:00", "caller_id", "79161112233",
                "called_did", "74951234567", NULL);
  next = nth (fixture, 2);
  g_assert_cmpstr (next->summary, ==, "Incoming Call");
  g_assert_cmpstr (next->body, ==, "+7 916 111-22-33");
  g_assert_cmpuint (nc_fake_notifications_get_all (fixture->server)->len, ==, 3);
}

static void
test_outgoing_is_quiet (Fixture       *fixture,
                        gconstpointer  data)
{
  nc_test_feed (fixture->store, fixture->tracker, "NOTIFY_OUT_START", 0, "pbx_call_id", "out_1",
                "call_start", "2026-11-23 10:20:00", "caller_id", "79500000033",
                "internal", "111111", "destination", "79001112233", NULL);
  incoming (fixture);
  /* Only the incoming one notified. */
  g_assert_cmpstr (nth (fixture, 0)->summary, ==, "Incoming Call");
  g_assert_cmpstr (nth (fixture, 0)->body, ==, "+7 900 444-33-22");
  g_assert_cmpuint (nc_fake_notifications_get_all (fixture->server)->len, ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    {
      /* TAP's way to skip a whole program. */
      g_print ("1..0 # SKIP no session bus: run through tests/harness/session-run\n");
      return 0;
    }

  application = g_application_new ("io.github.novofonconsole.NotifierTest",
                                   G_APPLICATION_NON_UNIQUE);
  if (!g_application_register (application, NULL, NULL))
    g_error ("Could not register the test application");

  g_test_add ("/call-notifier/incoming-then-missed", Fixture, NULL, fixture_set_up,
              test_incoming_then_missed, fixture_tear_down);
  g_test_add ("/call-notifier/missed-counts-waiting", Fixture, NULL, fixture_set_up,
              test_missed_counts_waiting, fixture_tear_down);
  g_test_add ("/call-notifier/unknown-caller", Fixture, NULL, fixture_set_up,
              test_unknown_caller, fixture_tear_down);
  g_test_add ("/call-notifier/end-only-when-wanted", Fixture, NULL, fixture_set_up,
              test_end_only_when_wanted, fixture_tear_down);
  g_test_add ("/call-notifier/ended-stays-quiet", Fixture, NULL, fixture_set_up,
              test_ended_stays_quiet, fixture_tear_down);
  g_test_add ("/call-notifier/outgoing-is-quiet", Fixture, NULL, fixture_set_up,
              test_outgoing_is_quiet, fixture_tear_down);

  status = nc_test_run ();
  g_object_unref (application);
  return status;
}
