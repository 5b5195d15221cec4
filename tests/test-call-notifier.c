/* test-call-notifier.c — incoming, missed and ended calls notify, against a fake server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "nc-call-notifier.h"
#include "nc-fake-notifications.h"
#include "nc-settings.h"
#include "nc-test-util.h"

/* One application for the whole program: GLib's notification backend outlives it. */
static GApplication *application;

typedef struct
{
  NcCallTracker       *tracker;
  GSettings           *settings;
  NcCallNotifier      *notifier;
  NcFakeNotifications *server;
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

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->server = nc_fake_notifications_start ();
  fixture->tracker = nc_call_tracker_new ();
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
  g_assert_finalize_object (fixture->tracker);
  g_object_unref (fixture->settings);
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

static NcCall *
incoming (Fixture *fixture)
{
  return feed (fixture, "NOTIFY_START", "pbx_call_id", "in_1", "call_start", "2026-11-23 10:15:03",
               "caller_id", "79004443322", "called_did", "74951234567", NULL);
}

static void
end_incoming (Fixture    *fixture,
              const char *duration,
              const char *disposition)
{
  feed (fixture, "NOTIFY_END", "pbx_call_id", "in_1", "call_start", "2026-11-23 10:15:03",
        "caller_id", "79004443322", "called_did", "74951234567", "internal", "100",
        "duration", duration, "disposition", disposition, "status_code", "16",
        "is_recorded", "1", "call_id_with_rec", "1.2", NULL);
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
  nc_call_set_client (call, 3, "Иван Петров", "telephony");
  ringing = nth (fixture, 0);
  g_assert_cmpstr (ringing->summary, ==, "Incoming Call");
  g_assert_cmpstr (ringing->body, ==, "Иван Петров, +7 900 444-33-22");
  g_assert_cmpuint (ringing->replaces_id, ==, 0);
  g_assert_true (nc_fake_notification_has_action (ringing, "Open Client"));
  g_assert_true (nc_fake_notification_has_action (ringing, "Call Back"));

  end_incoming (fixture, "0", "no answer");
  missed = nth (fixture, 1);
  g_assert_cmpstr (missed->summary, ==, "Missed Call");
  g_assert_cmpuint (missed->replaces_id, ==, ringing->id);
  g_assert_true (nc_fake_notification_has_action (missed, "Call Back"));
  g_assert_cmpuint (nc_fake_notifications_get_all (fixture->server)->len, ==, 2);
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
  feed (fixture, "NOTIFY_ANSWER", "pbx_call_id", "in_1", "call_start", "2026-11-23 10:15:03",
        "caller_id", "79004443322", "destination", "100", NULL);
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
  feed (fixture, "NOTIFY_START", "pbx_call_id", "in_2", "call_start", "2026-11-23 11:00:00",
        "caller_id", "79161112233", "called_did", "74951234567", NULL);
  nth (fixture, 1);
  feed (fixture, "NOTIFY_END", "pbx_call_id", "in_2", "call_start", "2026-11-23 11:00:00",
        "caller_id", "79161112233", "called_did", "74951234567", "internal", "100",
        "duration", "65", "disposition", "answered", "status_code", "16",
        "is_recorded", "1", "call_id_with_rec", "1.3", NULL);
  ended = nth (fixture, 2);
  g_assert_cmpstr (ended->summary, ==, "Call Ended");
  g_assert_nonnull (strstr (ended->body, "1:05"));
  g_assert_nonnull (strstr (ended->body, "Answered"));
  g_assert_nonnull (strstr (ended->body, "recorded"));
}

static void
test_outgoing_is_quiet (Fixture       *fixture,
                        gconstpointer  data)
{
  feed (fixture, "NOTIFY_OUT_START", "pbx_call_id", "out_1", "call_start", "2026-11-23 10:20:00",
        "caller_id", "79500000033", "internal", "111111", "destination", "79001112233", NULL);
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
  g_test_add ("/call-notifier/unknown-caller", Fixture, NULL, fixture_set_up,
              test_unknown_caller, fixture_tear_down);
  g_test_add ("/call-notifier/end-only-when-wanted", Fixture, NULL, fixture_set_up,
              test_end_only_when_wanted, fixture_tear_down);
  g_test_add ("/call-notifier/outgoing-is-quiet", Fixture, NULL, fixture_set_up,
              test_outgoing_is_quiet, fixture_tear_down);

  status = nc_test_run ();
  g_object_unref (application);
  return status;
}
