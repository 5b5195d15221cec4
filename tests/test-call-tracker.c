/* test-call-tracker.c — events become calls, in any order, once
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdarg.h>

#include "nc-call-tracker.h"
#include "nc-test-util.h"

#define T0 ((gint64) 1795000000 * G_USEC_PER_SEC)

typedef struct
{
  NcCallTracker *tracker;
  guint          started;
  guint          ended;
  guint          client_wanted;
  guint          recording_wanted;
  guint64        tied_id;
  NcCall        *tied_call;
  guint64        expired_id;
} Fixture;

static GHashTable *
fields_new (const char *first,
            ...)
{
  GHashTable *fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  va_list args;

  va_start (args, first);
  for (const char *key = first; key != NULL; key = va_arg (args, const char *))
    g_hash_table_insert (fields, g_strdup (key), g_strdup (va_arg (args, const char *)));
  va_end (args);
  return fields;
}

static NcCall *
feed (Fixture    *fixture,
      const char *type,
      gint64      at_seconds,
      GHashTable *fields)
{
  NcCall *call = nc_call_tracker_add_event (fixture->tracker, type, fields,
                                            T0 + at_seconds * G_USEC_PER_SEC);
  g_hash_table_unref (fields);
  return call;
}

static void
on_started (NcCallTracker *tracker, NcCall *call, Fixture *fixture)
{
  fixture->started++;
}

static void
on_ended (NcCallTracker *tracker, NcCall *call, Fixture *fixture)
{
  fixture->ended++;
}

static void
on_client_wanted (NcCallTracker *tracker, NcCall *call, Fixture *fixture)
{
  fixture->client_wanted++;
  nc_call_set_client (call, 42, "Иван Петров", "telephony");
}

static void
on_recording_wanted (NcCallTracker *tracker, NcCall *call, Fixture *fixture)
{
  fixture->recording_wanted++;
}

static void
on_tied (NcCallTracker *tracker, guint64 id, NcCall *call, Fixture *fixture)
{
  fixture->tied_id = id;
  fixture->tied_call = call;
}

static void
on_expired (NcCallTracker *tracker, guint64 id, Fixture *fixture)
{
  fixture->expired_id = id;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->tracker = nc_call_tracker_new ();
  g_signal_connect (fixture->tracker, "call-started", G_CALLBACK (on_started), fixture);
  g_signal_connect (fixture->tracker, "call-ended", G_CALLBACK (on_ended), fixture);
  g_signal_connect (fixture->tracker, "client-wanted", G_CALLBACK (on_client_wanted), fixture);
  g_signal_connect (fixture->tracker, "recording-wanted", G_CALLBACK (on_recording_wanted),
                    fixture);
  g_signal_connect (fixture->tracker, "callback-tied", G_CALLBACK (on_tied), fixture);
  g_signal_connect (fixture->tracker, "callback-expired", G_CALLBACK (on_expired), fixture);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_assert_finalize_object (fixture->tracker);
}

static void
wait_ms (guint milliseconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) milliseconds * 1000;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
}

#define START(id, at) \
  feed (fixture, "NOTIFY_START", at, fields_new ("pbx_call_id", id, "call_start", "2026-11-23 10:15:03", \
                                                 "caller_id", "79004443322", "called_did", "74951234567", NULL))
#define INTERNAL(id, at, ext) \
  feed (fixture, "NOTIFY_INTERNAL", at, fields_new ("pbx_call_id", id, "call_start", "2026-11-23 10:15:03", \
                                                    "caller_id", "79004443322", "called_did", "74951234567", \
                                                    "internal", ext, NULL))
#define ANSWER(id, at, ext) \
  feed (fixture, "NOTIFY_ANSWER", at, fields_new ("pbx_call_id", id, "call_start", "2026-11-23 10:15:03", \
                                                  "caller_id", "79004443322", "destination", ext, NULL))
#define END(id, at, ext, dur, disp, rec) \
  feed (fixture, "NOTIFY_END", at, fields_new ("pbx_call_id", id, "call_start", "2026-11-23 10:15:03", \
                                               "caller_id", "79004443322", "called_did", "74951234567", \
                                               "internal", ext, "duration", dur, "disposition", disp, \
                                               "status_code", "16", "is_recorded", rec, \
                                               "call_id_with_rec", "1700000000.42", NULL))
#define RECORD(id, at) \
  feed (fixture, "NOTIFY_RECORD", at, fields_new ("pbx_call_id", id, "call_id_with_rec", "1700000000.42", NULL))

static void
assert_answered_recorded_call (Fixture *fixture,
                               NcCall  *call)
{
  GListModel *journal = nc_call_tracker_get_journal (fixture->tracker);

  g_assert_cmpuint (g_list_model_get_n_items (journal), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (nc_call_tracker_get_live_calls (fixture->tracker)), ==, 0);
  g_assert_true (call == nc_call_tracker_lookup (fixture->tracker, "in_1"));
  g_assert_cmpint (nc_call_get_direction (call), ==, NC_CALL_DIRECTION_IN);
  g_assert_cmpint (nc_call_get_state (call), ==, NC_CALL_STATE_ENDED);
  g_assert_cmpstr (nc_call_get_client_number (call), ==, "79004443322");
  g_assert_cmpstr (nc_call_get_virtual_number (call), ==, "74951234567");
  g_assert_cmpstr (nc_call_get_employee (call), ==, "101");
  g_assert_cmpstr (nc_call_get_started_at (call), ==, "2026-11-23 10:15:03");
  g_assert_cmpstr (nc_call_get_answered_at (call), ==, "2026-11-23 10:15:09");
  g_assert_cmpstr (nc_call_get_ended_at (call), ==, "2026-11-23 10:16:14");
  g_assert_cmpuint (nc_call_get_duration (call), ==, 65);
  g_assert_cmpstr (nc_call_get_disposition (call), ==, "answered");
  g_assert_false (nc_call_is_missed (call));
  g_assert_true (nc_call_get_is_recorded (call));
  g_assert_cmpstr (nc_call_get_call_id_with_rec (call), ==, "1700000000.42");
  g_assert_cmpstr (nc_call_get_client_name (call), ==, "Иван Петров");
  g_assert_cmpuint (fixture->started, ==, 1);
  g_assert_cmpuint (fixture->ended, ==, 1);
  g_assert_cmpuint (fixture->client_wanted, ==, 1);
  g_assert_cmpuint (fixture->recording_wanted, ==, 1);
}

static void
test_incoming_answered_recorded (Fixture       *fixture,
                                 gconstpointer  data)
{
  NcCall *call;

  call = START ("in_1", 0);
  g_assert_cmpint (nc_call_get_state (call), ==, NC_CALL_STATE_RINGING);
  g_assert_cmpuint (g_list_model_get_n_items (nc_call_tracker_get_live_calls (fixture->tracker)), ==, 1);
  INTERNAL ("in_1", 1, "100");
  INTERNAL ("in_1", 1, "101");
  ANSWER ("in_1", 6, "101");
  g_assert_cmpint (nc_call_get_state (call), ==, NC_CALL_STATE_TALKING);
  g_assert_cmpuint (fixture->ended, ==, 0);
  END ("in_1", 71, "101", "65", "answered", "1");
  g_assert_cmpuint (fixture->recording_wanted, ==, 0);
  RECORD ("in_1", 80);
  assert_answered_recorded_call (fixture, call);
}

/* The same events shuffled, and each delivered twice, build the same call. */
static void
test_out_of_order_and_duplicates (Fixture       *fixture,
                                  gconstpointer  data)
{
  NcCall *call;

  RECORD ("in_1", 80);
  g_assert_cmpuint (g_list_model_get_n_items (nc_call_tracker_get_journal (fixture->tracker)), ==, 0);
  g_assert_cmpuint (fixture->started, ==, 0);
  END ("in_1", 71, "101", "65", "answered", "1");
  ANSWER ("in_1", 6, "101");
  INTERNAL ("in_1", 1, "100");
  call = START ("in_1", 0);
  END ("in_1", 71, "101", "65", "answered", "1");
  START ("in_1", 0);
  RECORD ("in_1", 80);
  INTERNAL ("in_1", 1, "101");
  assert_answered_recorded_call (fixture, call);
}

static void
test_incoming_missed (Fixture       *fixture,
                      gconstpointer  data)
{
  NcCall *call = START ("in_2", 0);

  INTERNAL ("in_2", 1, "100");
  END ("in_2", 20, "", "0", "no answer", "0");
  g_assert_true (nc_call_is_missed (call));
  g_assert_null (nc_call_get_answered_at (call));
  g_assert_cmpstr (nc_call_get_outcome_text (call), ==, "No answer");
  g_assert_cmpstr (nc_call_get_employee (call), ==, "100");
  g_assert_cmpuint (fixture->ended, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (nc_call_tracker_get_live_calls (fixture->tracker)), ==, 0);
  wait_ms (50);
  g_assert_cmpuint (fixture->recording_wanted, ==, 0);
}

/* Without NOTIFY_RECORD, the link is asked for a while after the end; a NOTIFY_RECORD
 * within that while asks at once, and only once. */
static void
test_recording_fallback (Fixture       *fixture,
                         gconstpointer  data)
{
  /* Long enough that a busy machine does not reach it before the first check. */
  nc_call_tracker_set_recording_delay (fixture->tracker, 500);

  START ("in_3", 0);
  END ("in_3", 30, "100", "25", "answered", "1");
  wait_ms (30);
  g_assert_cmpuint (fixture->recording_wanted, ==, 0);
  wait_ms (1000);
  g_assert_cmpuint (fixture->recording_wanted, ==, 1);
  RECORD ("in_3", 90);
  g_assert_cmpuint (fixture->recording_wanted, ==, 1);

  START ("in_4", 0);
  END ("in_4", 30, "100", "25", "answered", "1");
  RECORD ("in_4", 35);
  g_assert_cmpuint (fixture->recording_wanted, ==, 2);
  wait_ms (700);
  g_assert_cmpuint (fixture->recording_wanted, ==, 2);
}

static NcCall *
out_start (Fixture    *fixture,
           const char *id,
           gint64      at,
           const char *internal,
           const char *destination)
{
  return feed (fixture, "NOTIFY_OUT_START", at,
               fields_new ("pbx_call_id", id, "call_start", "2026-11-23 11:00:00",
                           "caller_id", "79500000033", "internal", internal,
                           "destination", destination, NULL));
}

static void
test_callback_tied (Fixture       *fixture,
                    gconstpointer  data)
{
  guint64 id;
  NcCall *other, *call;

  id = nc_call_tracker_expect_callback (fixture->tracker, "111111", "+7 (900) 444-33-22",
                                        "79500000033", T0);
  g_assert_cmpuint (id, !=, 0);

  /* Another employee, or another client: not this request. */
  other = out_start (fixture, "out_0", 2, "100", "79004443322");
  out_start (fixture, "out_1", 2, "111111", "79001112233");
  g_assert_cmpuint (fixture->tied_id, ==, 0);
  g_assert_cmpuint (nc_call_get_request_id (other), ==, 0);

  call = out_start (fixture, "out_2", 3, "111111", "79004443322");
  g_assert_cmpuint (fixture->tied_id, ==, id);
  g_assert_true (fixture->tied_call == call);
  g_assert_cmpuint (nc_call_get_request_id (call), ==, id);
  g_assert_cmpint (nc_call_get_direction (call), ==, NC_CALL_DIRECTION_OUT);
  g_assert_cmpstr (nc_call_get_client_number (call), ==, "79004443322");
  g_assert_cmpstr (nc_call_get_virtual_number (call), ==, "79500000033");
  g_assert_cmpstr (nc_call_get_employee (call), ==, "111111");

  /* A request is tied once. */
  fixture->tied_id = 0;
  out_start (fixture, "out_3", 4, "111111", "79004443322");
  g_assert_cmpuint (fixture->tied_id, ==, 0);

  feed (fixture, "NOTIFY_OUT_END", 40,
        fields_new ("pbx_call_id", "out_2", "call_start", "2026-11-23 11:00:00",
                    "caller_id", "79500000033", "internal", "111111",
                    "destination", "79004443322", "duration", "30", "disposition", "busy",
                    "status_code", "17", "is_recorded", "0", "call_id_with_rec", "", NULL));
  g_assert_cmpint (nc_call_get_state (call), ==, NC_CALL_STATE_ENDED);
  g_assert_cmpstr (nc_call_get_outcome_text (call), ==, "Busy");
  g_assert_false (nc_call_is_missed (call));
  g_assert_cmpuint (fixture->expired_id, ==, 0);
}

static void
test_callback_window (Fixture       *fixture,
                      gconstpointer  data)
{
  guint64 id;

  nc_call_tracker_set_callback_window (fixture->tracker, 100);

  /* An OUT_START long after the request is some other call. */
  id = nc_call_tracker_expect_callback (fixture->tracker, "111111", "79004443322", NULL, T0);
  out_start (fixture, "out_5", 61, "111111", "79004443322");
  g_assert_cmpuint (fixture->tied_id, ==, 0);

  wait_ms (300);
  g_assert_cmpuint (fixture->expired_id, ==, id);
}

static void
test_anonymous_caller (Fixture       *fixture,
                       gconstpointer  data)
{
  NcCall *call = feed (fixture, "NOTIFY_START", 0,
                       fields_new ("pbx_call_id", "in_9", "call_start", "2026-11-23 10:15:03",
                                   "caller_id", "anonymous", "called_did", "74951234567", NULL));

  g_assert_cmpstr (nc_call_get_client_number (call), ==, "anonymous");
  g_assert_cmpuint (fixture->client_wanted, ==, 0);
  g_assert_cmpuint (fixture->started, ==, 1);
}

static void
test_journal_newest_first (Fixture       *fixture,
                           gconstpointer  data)
{
  GListModel *journal = nc_call_tracker_get_journal (fixture->tracker);
  g_autoptr(NcCall) first = NULL;
  g_autoptr(NcCall) second = NULL;

  feed (fixture, "NOTIFY_START", 0,
        fields_new ("pbx_call_id", "early", "call_start", "2026-11-23 09:00:00",
                    "caller_id", "79004443322", "called_did", "74951234567", NULL));
  feed (fixture, "NOTIFY_START", 0,
        fields_new ("pbx_call_id", "late", "call_start", "2026-11-23 12:00:00",
                    "caller_id", "79004443322", "called_did", "74951234567", NULL));
  feed (fixture, "NOTIFY_START", 0,
        fields_new ("pbx_call_id", "middle", "call_start", "2026-11-23 10:00:00",
                    "caller_id", "79004443322", "called_did", "74951234567", NULL));

  g_assert_cmpuint (g_list_model_get_n_items (journal), ==, 3);
  first = g_list_model_get_item (journal, 0);
  second = g_list_model_get_item (journal, 1);
  g_assert_cmpstr (nc_call_get_pbx_call_id (first), ==, "late");
  g_assert_cmpstr (nc_call_get_pbx_call_id (second), ==, "middle");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/call-tracker/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("incoming-answered-recorded", test_incoming_answered_recorded);
  ADD ("out-of-order-and-duplicates", test_out_of_order_and_duplicates);
  ADD ("incoming-missed", test_incoming_missed);
  ADD ("recording-fallback", test_recording_fallback);
  ADD ("callback-tied", test_callback_tied);
  ADD ("callback-window", test_callback_window);
  ADD ("anonymous-caller", test_anonymous_caller);
  ADD ("journal-newest-first", test_journal_newest_first);
#undef ADD

  return nc_test_run ();
}
