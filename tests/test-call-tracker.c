/* test-call-tracker.c — events become one row per call, in any order, once; the tracker
 * follows the rows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every event goes the listener's way: stored in a real store, whose writer merges it into
 * its call's row; the tracker, started on that store, reads the change log.
 */

#include "config.h"

#include "nc-call-service.h"
#include "nc-call-tracker.h"
#include "nc-client-matcher.h"
#include "nc-journal.h"
#include "nc-test-util.h"
#include "nc-zadarma-sign.h"

/* A fixed time (2026-11-18) for the events whose times are compared only with each other
 * and with the times the tests give the store; the callback tests use the real clock. */
#define T0_SECONDS ((gint64) 1795000000)
#define T0 (T0_SECONDS * G_USEC_PER_SEC)

typedef struct
{
  char          *dir;
  NcStore       *store;
  NcCallTracker *tracker;
  GPtrArray     *started;     /* pbx_call_id of each call-started, in order */
  GPtrArray     *ended;       /* of each call-ended */
  guint          changed;     /* calls-changed emissions */
  gint64         tied_id;
  guint          tied;
  char          *tied_call;   /* pbx_call_id */
} Fixture;

static void
on_started (NcCallTracker *tracker,
            NcCall        *call,
            Fixture       *fixture)
{
  g_ptr_array_add (fixture->started, g_strdup (nc_call_get_pbx_call_id (call)));
}

static void
on_ended (NcCallTracker *tracker,
          NcCall        *call,
          Fixture       *fixture)
{
  g_assert_cmpint (nc_call_get_state (call), ==, NC_CALL_STATE_ENDED);
  g_ptr_array_add (fixture->ended, g_strdup (nc_call_get_pbx_call_id (call)));
}

static void
on_changed (NcCallTracker *tracker,
            GPtrArray     *calls,
            Fixture       *fixture)
{
  g_assert_cmpuint (calls->len, >, 0);
  fixture->changed++;
}

static void
on_tied (NcCallTracker *tracker,
         gint64         request_id,
         NcCall        *call,
         Fixture       *fixture)
{
  g_assert_cmpint (nc_call_get_request_id (call), ==, request_id);
  fixture->tied++;
  fixture->tied_id = request_id;
  g_free (fixture->tied_call);
  fixture->tied_call = g_strdup (nc_call_get_pbx_call_id (call));
}

static NcCallTracker *
tracker_new (Fixture *fixture)
{
  NcCallTracker *tracker = nc_call_tracker_new ();

  g_signal_connect (tracker, "call-started", G_CALLBACK (on_started), fixture);
  g_signal_connect (tracker, "call-ended", G_CALLBACK (on_ended), fixture);
  g_signal_connect (tracker, "calls-changed", G_CALLBACK (on_changed), fixture);
  g_signal_connect (tracker, "callback-tied", G_CALLBACK (on_tied), fixture);
  return tracker;
}

/* Starts the fixture's tracker on its store: what is in the store by now is history. */
static void
start (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (nc_call_tracker_start_sync (fixture->tracker, fixture->store, &error));
  g_assert_no_error (error);
  /* Read when this process writes, and when a test says so: the same every run. */
  nc_call_tracker_set_poll_interval (fixture->tracker, 0);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->store = nc_test_store_new (&fixture->dir);
  fixture->started = g_ptr_array_new_with_free_func (g_free);
  fixture->ended = g_ptr_array_new_with_free_func (g_free);
  fixture->tracker = tracker_new (fixture);
}

/* A read of the change log on its way holds the tracker: it is let go once answered. */
static void
finalize_tracker (NcCallTracker *tracker)
{
  nc_test_wait_for_last_reference (tracker);
  g_assert_finalize_object (tracker);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  if (fixture->tracker != NULL)
    finalize_tracker (fixture->tracker);
  g_ptr_array_unref (fixture->started);
  g_ptr_array_unref (fixture->ended);
  g_free (fixture->tied_call);
  nc_test_store_free (fixture->store, fixture->dir);
}

static gboolean
wake (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* Turns the main context until @done, within a generous bound: a loaded machine is slow,
 * not wrong. */
static gboolean
wait_for (gboolean (*done) (gpointer),
          gpointer   data)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  guint waker = g_timeout_add (10, wake, NULL);

  while (!done (data) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (waker);
  return done (data);
}

/* Stores the event (received @at seconds after T0) and has the tracker read the log. */
static NcCall *
ingest_at (NcStore       *store,
           NcCallTracker *tracker,
           const char    *type,
           gint64         at_us,
           GHashTable    *fields)
{
  NcCall *call = nc_test_ingest (store, tracker, type, fields, at_us);

  g_hash_table_unref (fields);
  return call;
}

static NcCall *
ingest (Fixture    *fixture,
        const char *type,
        gint64      at,
        GHashTable *fields)
{
  return ingest_at (fixture->store, fixture->tracker, type, T0 + at * G_USEC_PER_SEC, fields);
}

/* Stores the event as the listener does, and nothing more. */
static void
put (NcStore    *store,
     const char *type,
     GHashTable *fields,
     gint64      at_us)
{
  nc_test_store_event (store, type, fields, at_us);
  g_hash_table_unref (fields);
}

static void
event_added (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  int *inserted = user_data;
  gboolean stored = FALSE;
  g_autoptr(GError) error = NULL;

  g_assert_true (nc_store_add_call_event_finish (NC_STORE (source), result, &stored, &error));
  g_assert_no_error (error);
  *inserted = stored ? 1 : 0;
}

/* Stores the event as the listener does; whether it was new (a replay stores nothing). */
static gboolean
store_event (NcStore    *store,
             const char *type,
             gint64      at,
             GHashTable *fields)
{
  g_autofree char *canonical = nc_zadarma_encode_params (fields);
  int inserted = -1;

  nc_store_add_call_event_async (store, type, canonical, T0 + at * G_USEC_PER_SEC, NULL,
                                 event_added, &inserted);
  while (inserted < 0)
    g_main_context_iteration (NULL, TRUE);
  g_hash_table_unref (fields);
  return inserted == 1;
}

#define CALL_START "2026-11-23 10:15:03"

static GHashTable *
start_fields (const char *id)
{
  return nc_test_fields ("pbx_call_id", id, "call_start", CALL_START, "caller_id", "79004443322",
                         "called_did", "74951234567", NULL);
}

static GHashTable *
internal_fields (const char *id,
                 const char *ext)
{
  return nc_test_fields ("pbx_call_id", id, "call_start", CALL_START, "caller_id", "79004443322",
                         "called_did", "74951234567", "internal", ext, NULL);
}

static GHashTable *
answer_fields (const char *id,
               const char *ext)
{
  return nc_test_fields ("pbx_call_id", id, "call_start", CALL_START, "caller_id", "79004443322",
                         "destination", ext, NULL);
}

static GHashTable *
end_fields (const char *id,
            const char *ext,
            const char *duration,
            const char *disposition,
            const char *recorded)
{
  return nc_test_fields ("pbx_call_id", id, "call_start", CALL_START, "caller_id", "79004443322",
                         "called_did", "74951234567", "internal", ext, "duration", duration,
                         "disposition", disposition, "status_code", "16", "is_recorded", recorded,
                         "call_id_with_rec", "1700000000.42", NULL);
}

static GHashTable *
record_fields (const char *id)
{
  return nc_test_fields ("pbx_call_id", id, "call_id_with_rec", "1700000000.42", NULL);
}

static guint
n_live (Fixture *fixture)
{
  return g_list_model_get_n_items (nc_call_tracker_get_live_calls (fixture->tracker));
}

static guint
count_calls (NcStore *store)
{
  g_autoptr(NcCallFilter) filter = nc_call_filter_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) calls = nc_store_list_calls_sync (store, filter, NULL, 1000, &error);

  g_assert_no_error (error);
  return calls->len;
}

/* The matcher's part, done by hand: the store keeps the client, the tracker reads it. */
static void
set_client (Fixture    *fixture,
            NcCall     *call,
            gint64      client_id)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (nc_store_set_call_client_sync (fixture->store, nc_call_get_id (call), client_id,
                                                nc_match_rule_to_string (NC_MATCH_RULE_TELEPHONY_CLIENT),
                                                &error));
  g_assert_no_error (error);
  g_assert_true (nc_call_tracker_update_sync (fixture->tracker, &error));
  g_assert_no_error (error);
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              guint      *count)
{
  (*count)++;
}

/* The answered, recorded call of in_1, as the tests below build it. */
static void
assert_answered_recorded (const NcCallRecord *record)
{
  g_assert_cmpint (record->direction, ==, NC_CALL_DIRECTION_IN);
  g_assert_cmpint (record->state, ==, NC_CALL_STATE_ENDED);
  g_assert_true (record->answered);
  g_assert_cmpstr (record->client_number, ==, "79004443322");
  g_assert_cmpstr (record->virtual_number, ==, "74951234567");
  g_assert_cmpstr (record->employee, ==, "101");
  g_assert_cmpstr (record->started_at, ==, CALL_START);
  g_assert_cmpint (record->first_seen_us, ==, T0);
  g_assert_cmpint (record->answered_seen_us, ==, T0 + 6 * G_USEC_PER_SEC);
  g_assert_cmpint (record->ended_seen_us, ==, T0 + 71 * G_USEC_PER_SEC);
  g_assert_cmpint (record->last_event_us, ==, T0 + 80 * G_USEC_PER_SEC);
  g_assert_cmpuint (record->duration, ==, 65);
  g_assert_cmpstr (record->disposition, ==, "answered");
  g_assert_true (record->is_recorded);
  g_assert_cmpstr (record->call_id_with_rec, ==, "1700000000.42");
  /* NOTIFY_RECORD said the recording is there: asked for at once, not 40 s after the end. */
  g_assert_cmpint (record->recording, ==, NC_RECORDING_PENDING);
  g_assert_cmpint (record->record_next_try, ==, T0_SECONDS + 80);
  g_assert_cmpuint (record->event_mask, ==, (1u << NC_EVENT_START) | (1u << NC_EVENT_INTERNAL) |
                                            (1u << NC_EVENT_ANSWER) | (1u << NC_EVENT_END) |
                                            (1u << NC_EVENT_RECORD));
  g_assert_false (record->unended);
  g_assert_false (record->recovered);
  g_assert_cmpint (record->request_id, ==, 0);
  g_assert_false (nc_call_record_is_missed (record));
}

static void
test_incoming_answered_recorded (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autoptr(NcCall) call = NULL;
  g_autoptr(NcCallRecord) stored = NULL;
  guint named = 0;
  gint64 ivan = nc_test_add_client (fixture->store, "Иван Петров", "79004443322");

  start (fixture);
  call = g_object_ref (ingest (fixture, "NOTIFY_START", 0, start_fields ("in_1")));
  g_signal_connect (call, "notify::client-name", G_CALLBACK (count_notify), &named);
  g_assert_cmpint (nc_call_get_state (call), ==, NC_CALL_STATE_RINGING);
  g_assert_cmpint (nc_call_get_id (call), >, 0);
  g_assert_cmpuint (n_live (fixture), ==, 1);
  g_assert_cmpuint (fixture->started->len, ==, 1);
  g_assert_cmpstr (fixture->started->pdata[0], ==, "in_1");

  /* The client comes from the store, with the change that names it. */
  set_client (fixture, call, ivan);
  g_assert_cmpuint (named, ==, 1);
  g_assert_cmpstr (nc_call_get_client_name (call), ==, "Иван Петров");
  g_assert_cmpint (nc_call_get_client_id (call), ==, ivan);
  g_assert_cmpstr (nc_call_get_match_reason (call), ==,
                   nc_match_rule_explain (NC_MATCH_RULE_TELEPHONY_CLIENT));

  g_assert_true (ingest (fixture, "NOTIFY_INTERNAL", 1, internal_fields ("in_1", "100")) == call);
  g_assert_true (ingest (fixture, "NOTIFY_INTERNAL", 1, internal_fields ("in_1", "101")) == call);
  g_assert_true (ingest (fixture, "NOTIFY_ANSWER", 6, answer_fields ("in_1", "101")) == call);
  g_assert_cmpint (nc_call_get_state (call), ==, NC_CALL_STATE_TALKING);
  g_assert_cmpuint (n_live (fixture), ==, 1);
  g_assert_cmpuint (fixture->ended->len, ==, 0);

  ingest (fixture, "NOTIFY_END", 71, end_fields ("in_1", "101", "65", "answered", "1"));
  g_assert_cmpint (nc_call_get_state (call), ==, NC_CALL_STATE_ENDED);
  g_assert_cmpuint (n_live (fixture), ==, 0);
  g_assert_cmpuint (fixture->ended->len, ==, 1);
  /* Recorded, and no NOTIFY_RECORD yet: asked for 40 s after the end. */
  g_assert_cmpint (nc_call_get_recording (call), ==, NC_RECORDING_PENDING);
  g_assert_cmpint (nc_call_get_record (call)->record_next_try, ==,
                   T0_SECONDS + 71 + NC_RECORDING_FALLBACK_SECONDS);

  ingest (fixture, "NOTIFY_RECORD", 80, record_fields ("in_1"));
  assert_answered_recorded (nc_call_get_record (call));
  g_assert_cmpstr (nc_call_get_answered_at (call), ==, "2026-11-23 10:15:09");
  g_assert_cmpstr (nc_call_get_ended_at (call), ==, "2026-11-23 10:16:14");
  g_assert_cmpstr (nc_call_get_client_name (call), ==, "Иван Петров");

  /* The NcCall is the row. */
  stored = nc_test_get_call (fixture->store, "in_1");
  g_assert_cmpint (stored->id, ==, nc_call_get_id (call));
  assert_answered_recorded (stored);
  g_assert_cmpint (stored->client_id, ==, ivan);
  g_assert_cmpuint (count_calls (fixture->store), ==, 1);

  /* Once each, whatever else changed on the way. */
  g_assert_cmpuint (fixture->started->len, ==, 1);
  g_assert_cmpuint (fixture->ended->len, ==, 1);
  g_assert_cmpuint (named, ==, 1);
}

typedef struct
{
  const char *type;
  gint64      at;
  GHashTable *(*fields) (void);
} Event;

static GHashTable *e_start (void) { return start_fields ("in_1"); }
static GHashTable *e_internal_100 (void) { return internal_fields ("in_1", "100"); }
static GHashTable *e_internal_101 (void) { return internal_fields ("in_1", "101"); }
static GHashTable *e_answer (void) { return answer_fields ("in_1", "101"); }
static GHashTable *e_end (void) { return end_fields ("in_1", "101", "65", "answered", "1"); }
static GHashTable *e_record (void) { return record_fields ("in_1"); }

/* The same events shuffled, and some delivered twice, make the same row: one row, which
 * keeps its id from the first event on, equal in every field to the one the events make in
 * order; a delivery seen before stores nothing. */
static void
test_out_of_order_and_duplicates (Fixture       *fixture,
                                  gconstpointer  data)
{
  static const Event in_order[] = {
    { "NOTIFY_START", 0, e_start },
    { "NOTIFY_INTERNAL", 1, e_internal_100 },
    { "NOTIFY_INTERNAL", 1, e_internal_101 },
    { "NOTIFY_ANSWER", 6, e_answer },
    { "NOTIFY_END", 71, e_end },
    { "NOTIFY_RECORD", 80, e_record },
  };
  static const Event shuffled[] = {
    { "NOTIFY_RECORD", 80, e_record },
    { "NOTIFY_END", 71, e_end },
    { "NOTIFY_ANSWER", 6, e_answer },
    { "NOTIFY_INTERNAL", 1, e_internal_100 },
    { "NOTIFY_START", 0, e_start },
    { "NOTIFY_END", 71, e_end },
    { "NOTIFY_START", 0, e_start },
    { "NOTIFY_RECORD", 80, e_record },
    { "NOTIFY_INTERNAL", 1, e_internal_101 },
  };
  g_autofree char *other_dir = NULL;
  g_autoptr(NcCallRecord) expected = NULL;
  g_autoptr(NcCallRecord) merged = NULL;
  NcStore *ordered = nc_test_store_new (&other_dir);
  gint64 id = 0;
  guint stored = 0;

  for (guint i = 0; i < G_N_ELEMENTS (in_order); i++)
    g_assert_true (store_event (ordered, in_order[i].type, in_order[i].at, in_order[i].fields ()));
  expected = nc_test_get_call (ordered, "in_1");
  assert_answered_recorded (expected);
  nc_test_store_free (ordered, g_steal_pointer (&other_dir));

  start (fixture);
  for (guint i = 0; i < G_N_ELEMENTS (shuffled); i++)
    {
      g_autoptr(NcCallRecord) now = NULL;
      g_autoptr(GError) error = NULL;

      if (store_event (fixture->store, shuffled[i].type, shuffled[i].at, shuffled[i].fields ()))
        stored++;
      now = nc_test_get_call (fixture->store, "in_1");
      if (id == 0)
        id = now->id;
      g_assert_cmpint (now->id, ==, id);
      g_assert_true (nc_call_tracker_update_sync (fixture->tracker, &error));
      g_assert_no_error (error);
      /* The NOTIFY_RECORD alone is no call to show yet. */
      if (i == 0)
        g_assert_cmpuint (fixture->started->len, ==, 0);
    }
  /* The three that came again were replays. */
  g_assert_cmpuint (stored, ==, G_N_ELEMENTS (in_order));
  g_assert_cmpuint (count_calls (fixture->store), ==, 1);

  merged = nc_test_get_call (fixture->store, "in_1");
  assert_answered_recorded (merged);
#define SAME_INT(member) g_assert_cmpint (merged->member, ==, expected->member)
#define SAME_STR(member) g_assert_cmpstr (merged->member, ==, expected->member)
  SAME_INT (direction); SAME_INT (state); SAME_INT (answered); SAME_STR (client_number);
  SAME_STR (virtual_number); SAME_STR (employee); SAME_STR (started_at); SAME_INT (started_unix);
  SAME_INT (first_seen_us); SAME_INT (answered_seen_us); SAME_INT (ended_seen_us);
  SAME_INT (last_event_us); SAME_INT (duration); SAME_STR (disposition); SAME_INT (is_recorded);
  SAME_STR (call_id_with_rec); SAME_INT (recording); SAME_STR (record_link);
  SAME_STR (record_expires); SAME_INT (record_next_try); SAME_INT (record_attempts);
  SAME_INT (client_id); SAME_STR (match_rule); SAME_INT (event_mask); SAME_INT (request_id);
  SAME_INT (recovered); SAME_INT (unended);
#undef SAME_INT
#undef SAME_STR

  /* Told once: it started (and ended) when its first event with a start came. */
  g_assert_cmpuint (fixture->started->len, ==, 1);
  g_assert_cmpuint (fixture->ended->len, ==, 1);
  g_assert_cmpuint (n_live (fixture), ==, 0);
}

static void
test_incoming_missed (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(NcCall) call = NULL;
  g_autoptr(NcCallRecord) stored = NULL;

  start (fixture);
  call = g_object_ref (ingest (fixture, "NOTIFY_START", 0, start_fields ("in_2")));
  ingest (fixture, "NOTIFY_INTERNAL", 1, internal_fields ("in_2", "100"));
  ingest (fixture, "NOTIFY_END", 20, end_fields ("in_2", "", "0", "no answer", "0"));
  g_assert_true (nc_call_is_missed (call));
  g_assert_null (nc_call_get_answered_at (call));
  g_assert_cmpstr (nc_call_get_outcome_text (call), ==, "No answer");
  g_assert_cmpstr (nc_call_get_employee (call), ==, "100");
  g_assert_cmpuint (fixture->ended->len, ==, 1);
  g_assert_cmpuint (n_live (fixture), ==, 0);

  /* Not recorded: no recording is ever asked for. */
  stored = nc_test_get_call (fixture->store, "in_2");
  g_assert_true (nc_call_record_is_missed (stored));
  g_assert_false (stored->is_recorded);
  g_assert_cmpint (stored->recording, ==, NC_RECORDING_NONE);
  {
    g_autoptr(GPtrArray) due = NULL;
    g_autoptr(GError) error = NULL;
    gint64 next_due = -1;

    due = nc_store_take_due_recordings_sync (fixture->store, G_MAXINT32, 10, 1, &next_due, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (due->len, ==, 0);
    g_assert_cmpint (next_due, ==, 0);
  }
}

static guint
n_due (NcStore *store,
       gint64   now,
       gint64  *out_next_due)
{
  g_autoptr(GPtrArray) due = NULL;
  g_autoptr(GError) error = NULL;

  due = nc_store_take_due_recordings_sync (store, now, 10, 300, out_next_due, &error);
  g_assert_no_error (error);
  return due->len;
}

/* The recording's state is the row's: pending at the end plus 40 s without NOTIFY_RECORD,
 * due at once with it, and taken by one fetcher at a time. */
static void
test_recording_state (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(NcCall) call = NULL;
  g_autoptr(NcCallRecord) stored = NULL;
  gint64 next_due = 0;

  start (fixture);
  call = g_object_ref (ingest (fixture, "NOTIFY_START", 0, start_fields ("in_3")));
  ingest (fixture, "NOTIFY_ANSWER", 5, answer_fields ("in_3", "100"));
  /* Not before the end. */
  g_assert_cmpint (nc_call_get_recording (call), ==, NC_RECORDING_NONE);
  ingest (fixture, "NOTIFY_END", 30, end_fields ("in_3", "100", "25", "answered", "1"));
  g_assert_cmpint (nc_call_get_recording (call), ==, NC_RECORDING_PENDING);
  stored = nc_test_get_call (fixture->store, "in_3");
  g_assert_cmpint (stored->recording, ==, NC_RECORDING_PENDING);
  g_assert_cmpint (stored->record_next_try, ==, T0_SECONDS + 30 + NC_RECORDING_FALLBACK_SECONDS);

  /* Not due a second early; the store says when it is. */
  g_assert_cmpuint (n_due (fixture->store, T0_SECONDS + 69, &next_due), ==, 0);
  g_assert_cmpint (next_due, ==, T0_SECONDS + 70);

  /* NOTIFY_RECORD: the PBX has it now, due at once. */
  ingest (fixture, "NOTIFY_RECORD", 35, record_fields ("in_3"));
  g_assert_cmpint (nc_call_get_record (call)->record_next_try, ==, T0_SECONDS + 35);
  g_clear_pointer (&stored, nc_call_record_free);
  stored = nc_test_get_call (fixture->store, "in_3");
  g_assert_cmpint (stored->recording, ==, NC_RECORDING_PENDING);
  g_assert_cmpint (stored->record_next_try, ==, T0_SECONDS + 35);

  /* Taken once: another fetcher (or this one again) finds it leased. */
  g_assert_cmpuint (n_due (fixture->store, T0_SECONDS + 35, NULL), ==, 1);
  g_assert_cmpuint (n_due (fixture->store, T0_SECONDS + 36, &next_due), ==, 0);
  g_assert_cmpint (next_due, ==, T0_SECONDS + 35 + 300);

  /* The same NOTIFY_RECORD again is a replay: it asks for nothing more. */
  g_assert_false (store_event (fixture->store, "NOTIFY_RECORD", 35, record_fields ("in_3")));
  g_assert_cmpuint (n_due (fixture->store, T0_SECONDS + 36, NULL), ==, 0);
  g_assert_cmpuint (fixture->ended->len, ==, 1);
}

static GHashTable *
out_start_fields (const char *id,
                  const char *internal,
                  const char *destination)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *start = g_date_time_format (now, "%Y-%m-%d %H:%M:%S");

  return nc_test_fields ("pbx_call_id", id, "call_start", start, "caller_id", "79500000033",
                         "internal", internal, "destination", destination, NULL);
}

/* Events of the callback tests come by the real clock: a request waits for its call for
 * a while of real time. */
static NcCall *
ingest_now (Fixture    *fixture,
            const char *type,
            gint64      base_us,
            gint64      at,
            GHashTable *fields)
{
  return ingest_at (fixture->store, fixture->tracker, type, base_us + at * G_USEC_PER_SEC, fields);
}

static gint64
request (Fixture     *fixture,
         const char  *phone,
         const char  *employee,
         gint64       at_us,
         GError     **error)
{
  return nc_store_request_callback_sync (fixture->store, phone, employee, at_us,
                                         NC_CALLBACK_WINDOW_SECONDS, error);
}

static void
assert_busy (Fixture    *fixture,
             const char *phone,
             const char *employee,
             gint64      at_us)
{
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (request (fixture, phone, employee, at_us, &error), ==, 0);
  g_assert_error (error, NC_STORE_ERROR, NC_STORE_ERROR_BUSY);
}

/* The NOTIFY_OUT_START of the requested employee to the requested client is the
 * request's, once; the guard holds every desk off the client while the request waits and
 * while its call lasts. */
static void
test_callback_tied (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NcCall) call = NULL;
  g_autoptr(NcCallRecord) stored = NULL;
  gint64 now = g_get_real_time ();
  gint64 id, again;
  NcCall *other;

  start (fixture);
  id = request (fixture, "+7 (900) 444-33-22", "111111", now, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);

  /* Pending: no desk may call the client, whoever asks, however the number is written
   * (with its country code: the dialer gives it so). */
  assert_busy (fixture, "79004443322", "100", now + G_USEC_PER_SEC);
  assert_busy (fixture, "+7 900 444 33 22", "111111", now + G_USEC_PER_SEC);

  /* Another employee, or another client: not this request. */
  other = ingest_now (fixture, "NOTIFY_OUT_START", now, 2,
                      out_start_fields ("out_0", "100", "79004443322"));
  g_assert_cmpint (nc_call_get_request_id (other), ==, 0);
  other = ingest_now (fixture, "NOTIFY_OUT_START", now, 2,
                      out_start_fields ("out_1", "111111", "79001112233"));
  g_assert_cmpint (nc_call_get_request_id (other), ==, 0);
  g_assert_cmpuint (fixture->tied, ==, 0);
  assert_busy (fixture, "79004443322", "100", now + 2 * G_USEC_PER_SEC);

  call = g_object_ref (ingest_now (fixture, "NOTIFY_OUT_START", now, 3,
                                   out_start_fields ("out_2", "111111", "79004443322")));
  g_assert_cmpuint (fixture->tied, ==, 1);
  g_assert_cmpint (fixture->tied_id, ==, id);
  g_assert_cmpstr (fixture->tied_call, ==, "out_2");
  g_assert_cmpint (nc_call_get_request_id (call), ==, id);
  g_assert_cmpint (nc_call_get_direction (call), ==, NC_CALL_DIRECTION_OUT);
  g_assert_cmpstr (nc_call_get_client_number (call), ==, "79004443322");
  g_assert_cmpstr (nc_call_get_virtual_number (call), ==, "79500000033");
  g_assert_cmpstr (nc_call_get_employee (call), ==, "111111");
  stored = nc_test_get_call (fixture->store, "out_2");
  g_assert_cmpint (stored->request_id, ==, id);

  /* Its call is on: still no other call to the client. */
  assert_busy (fixture, "79004443322", "100", now + 4 * G_USEC_PER_SEC);

  /* A request is tied once. */
  other = ingest_now (fixture, "NOTIFY_OUT_START", now, 4,
                      out_start_fields ("out_3", "111111", "79004443322"));
  g_assert_cmpint (nc_call_get_request_id (other), ==, 0);
  g_assert_cmpuint (fixture->tied, ==, 1);

  /* The dialer's expiry, after its call came, changes nothing. */
  g_assert_cmpint (nc_store_end_callback_request_sync (fixture->store, id, &error), ==,
                   NC_CALLBACK_TIED);
  g_assert_no_error (error);
  assert_busy (fixture, "79004443322", "100", now + 5 * G_USEC_PER_SEC);

  {
    g_autoptr(GDateTime) start_time = g_date_time_new_now_utc ();
    g_autofree char *call_start = g_date_time_format (start_time, "%Y-%m-%d %H:%M:%S");

    ingest_now (fixture, "NOTIFY_OUT_END", now, 40,
                nc_test_fields ("pbx_call_id", "out_2", "call_start", call_start,
                                "caller_id", "79500000033", "internal", "111111",
                                "destination", "79004443322", "duration", "30",
                                "disposition", "busy", "status_code", "17", "is_recorded", "0",
                                NULL));
  }
  g_assert_cmpint (nc_call_get_state (call), ==, NC_CALL_STATE_ENDED);
  g_assert_cmpstr (nc_call_get_outcome_text (call), ==, "Busy");
  g_assert_false (nc_call_is_missed (call));
  g_assert_cmpuint (fixture->tied, ==, 1);

  /* Over: the client may be called again. */
  again = request (fixture, "79004443322", "100", now + 41 * G_USEC_PER_SEC, &error);
  g_assert_no_error (error);
  g_assert_cmpint (again, >, id);
}

/* A request let go (the dialer's window passed, or its desk closed) ties no call and
 * holds no client. */
static void
test_callback_expired (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_real_time ();
  gint64 id, second, third;
  NcCall *call;

  start (fixture);
  id = request (fixture, "79004443322", "111111", now, &error);
  g_assert_no_error (error);
  g_assert_cmpint (nc_store_end_callback_request_sync (fixture->store, id, &error), ==,
                   NC_CALLBACK_EXPIRED);
  g_assert_no_error (error);
  /* Once. */
  g_assert_cmpint (nc_store_end_callback_request_sync (fixture->store, id, &error), ==,
                   NC_CALLBACK_TIED);

  call = ingest_now (fixture, "NOTIFY_OUT_START", now, 2,
                     out_start_fields ("out_4", "111111", "79004443322"));
  g_assert_cmpint (nc_call_get_request_id (call), ==, 0);
  g_assert_cmpuint (fixture->tied, ==, 0);

  /* The guard is free again at once. */
  second = request (fixture, "79004443322", "111111", now + 3 * G_USEC_PER_SEC, &error);
  g_assert_no_error (error);
  g_assert_cmpint (second, >, id);

  /* An OUT_START long after the request is some other call. */
  call = ingest_now (fixture, "NOTIFY_OUT_START", now, 3 + NC_CALLBACK_WINDOW_SECONDS + 2,
                     out_start_fields ("out_5", "111111", "79004443322"));
  g_assert_cmpint (nc_call_get_request_id (call), ==, 0);
  g_assert_cmpuint (fixture->tied, ==, 0);

  /* A request nobody let go (its desk closed) holds the client only for its window. */
  assert_busy (fixture, "79004443322", "100",
               now + (3 + NC_CALLBACK_WINDOW_SECONDS - 1) * G_USEC_PER_SEC);
  third = request (fixture, "79004443322", "100",
                   now + (3 + NC_CALLBACK_WINDOW_SECONDS + 1) * G_USEC_PER_SEC, &error);
  g_assert_no_error (error);
  g_assert_cmpint (third, >, second);
  g_assert_cmpint (nc_store_end_callback_request_sync (fixture->store, second, &error), ==,
                   NC_CALLBACK_TIED);
}

typedef struct
{
  NcCallService *service;
  NcCall        *call;
} Matching;

static gboolean
matched (gpointer data)
{
  Matching *matching = data;

  return nc_call_get_client_id (matching->call) != 0 &&
         nc_call_service_get_busy (matching->service) == 0;
}

/* The listener's service matches every caller to a client, and an anonymous one to none:
 * it is kept as it came, and no client is made of it. */
static void
test_anonymous_caller (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(NcClientMatcher) matcher = nc_client_matcher_new (fixture->store);
  g_autoptr(GPtrArray) clients = NULL;
  NcCallService *service = nc_call_service_new (fixture->store, matcher, fixture->tracker);
  gint64 ivan = nc_test_add_client (fixture->store, "Иван Петров", "79004443322");
  gint64 now = g_get_real_time ();
  Matching matching = { service, NULL };
  NcCall *anonymous;

  start (fixture);
  nc_call_service_start (service);
  anonymous = ingest_at (fixture->store, fixture->tracker, "NOTIFY_START", now,
                         nc_test_fields ("pbx_call_id", "in_9", "call_start", CALL_START,
                                         "caller_id", "anonymous", "called_did", "74951234567",
                                         NULL));
  matching.call = ingest_at (fixture->store, fixture->tracker, "NOTIFY_START", now,
                             start_fields ("in_10"));
  g_assert_cmpuint (fixture->started->len, ==, 2);

  /* The known caller is matched, through the store, and the tracker reads it. */
  g_assert_true (wait_for (matched, &matching));
  g_assert_cmpint (nc_call_get_client_id (matching.call), ==, ivan);
  g_assert_cmpstr (nc_call_get_client_name (matching.call), ==, "Иван Петров");

  g_assert_cmpstr (nc_call_get_client_number (anonymous), ==, "anonymous");
  g_assert_cmpint (nc_call_get_client_id (anonymous), ==, 0);
  g_assert_null (nc_call_get_client_name (anonymous));
  {
    g_autoptr(NcCallRecord) stored = nc_test_get_call (fixture->store, "in_9");

    g_assert_cmpint (stored->client_id, ==, 0);
    g_assert_null (stored->match_rule);
  }
  clients = nc_store_list_clients_sync (fixture->store, FALSE, NULL);
  g_assert_cmpuint (clients->len, ==, 1);

  nc_test_wait_for_last_reference (service);
  g_assert_finalize_object (service);
}

static gboolean
service_idle (gpointer data)
{
  return nc_call_service_get_busy (data) == 0;
}

static GHashTable *
out_end_fields (const char *id,
                const char *destination,
                const char *disposition)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *start = g_date_time_format (now, "%Y-%m-%d %H:%M:%S");

  return nc_test_fields ("pbx_call_id", id, "call_start", start, "caller_id", "79500000033",
                         "internal", "100", "destination", destination, "duration", "12",
                         "disposition", disposition, "status_code", "16", "is_recorded", "0",
                         NULL);
}

/* A number the operator dials that is no client: no client while the call lasts, and
 * one made as the source document says (telephony without a messenger, WhatsApp with
 * one) when it ends; a number that is a client's is that client's from the start. */
static void
test_outgoing_client_at_end (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(NcClientMatcher) matcher = nc_client_matcher_new (fixture->store);
  NcCallService *service = nc_call_service_new (fixture->store, matcher, fixture->tracker);
  gint64 ivan = nc_test_add_client (fixture->store, "Иван Петров", "79004443322");
  gint64 now = g_get_real_time ();
  const char *messengers[] = { "whatsapp", NULL };
  Matching matching = { service, NULL };
  g_autoptr(GPtrArray) clients = NULL;
  g_autoptr(NcCall) unknown = NULL;
  g_autoptr(NcCall) other = NULL;
  g_autoptr(GError) error = NULL;
  NcClient *made;

  start (fixture);
  nc_call_service_start (service);

  /* A client's number: matched while it rings. */
  matching.call = ingest_now (fixture, "NOTIFY_OUT_START", now, 0,
                              out_start_fields ("out_known", "100", "79004443322"));
  g_assert_true (wait_for (matched, &matching));
  g_assert_cmpint (nc_call_get_client_id (matching.call), ==, ivan);
  g_assert_cmpint (nc_call_get_state (matching.call), !=, NC_CALL_STATE_ENDED);

  /* No client's: none made while the call lasts, talking or not. */
  unknown = g_object_ref (ingest_now (fixture, "NOTIFY_OUT_START", now, 1,
                                      out_start_fields ("out_new", "100", "79161372193")));
  g_assert_true (wait_for (service_idle, service));
  ingest_now (fixture, "NOTIFY_ANSWER", now, 2,
              nc_test_fields ("pbx_call_id", "out_new", "caller_id", "79500000033",
                              "destination", "79161372193", NULL));
  g_assert_true (wait_for (service_idle, service));
  g_assert_cmpint (nc_call_get_client_id (unknown), ==, 0);
  clients = nc_store_list_clients_sync (fixture->store, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (clients->len, ==, 1);
  g_clear_pointer (&clients, g_ptr_array_unref);

  /* It ends: the client is made, named by the number, a telephony client. */
  ingest_now (fixture, "NOTIFY_OUT_END", now, 14,
              out_end_fields ("out_new", "79161372193", "answered"));
  matching.call = unknown;
  g_assert_true (wait_for (matched, &matching));
  clients = nc_store_list_clients_sync (fixture->store, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (clients->len, ==, 2);
  made = nc_store_get_client_sync (fixture->store, nc_call_get_client_id (unknown), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (nc_client_get_phone (made), ==, "79161372193");
  g_assert_cmpint (nc_client_get_channel (made), ==, NC_CHANNEL_TELEPHONY);
  g_assert_cmpstr (nc_client_get_name (made), ==, "+7 916 137-21-93");
  g_object_unref (made);
  {
    g_autoptr(NcCallRecord) stored = nc_test_get_call (fixture->store, "out_new");

    g_assert_cmpstr (stored->match_rule, ==, "created-telephony");
  }

  /* With a messenger connected, the client made is a WhatsApp one; a call that ends
   * unanswered makes one too, as the source document's service does for every call. */
  g_assert_true (nc_store_set_messengers_sync (fixture->store, messengers, &error));
  g_assert_no_error (error);
  other = g_object_ref (ingest_now (fixture, "NOTIFY_OUT_START", now, 20,
                                    out_start_fields ("out_wa", "100", "79261112233")));
  g_assert_true (wait_for (service_idle, service));
  g_assert_cmpint (nc_call_get_client_id (other), ==, 0);
  ingest_now (fixture, "NOTIFY_OUT_END", now, 30,
              out_end_fields ("out_wa", "79261112233", "no answer"));
  matching.call = other;
  g_assert_true (wait_for (matched, &matching));
  made = nc_store_get_client_sync (fixture->store, nc_call_get_client_id (other), &error);
  g_assert_no_error (error);
  g_assert_cmpint (nc_client_get_channel (made), ==, NC_CHANNEL_WHATSAPP);
  g_object_unref (made);

  nc_call_service_stop (service);
  nc_test_wait_for_last_reference (service);
  g_assert_finalize_object (service);
}

/* The calls that are not over when the tracker starts are shown, and not told as new;
 * the calls that start later are. */
static void
test_started_only_for_new (Fixture       *fixture,
                           gconstpointer  data)
{
  GListModel *live = nc_call_tracker_get_live_calls (fixture->tracker);
  g_autoptr(NcCall) old = NULL;
  g_autoptr(NcCall) fresh = NULL;

  /* Before the start: one call still ringing, one over. */
  put (fixture->store, "NOTIFY_START", start_fields ("old"), T0);
  put (fixture->store, "NOTIFY_START", start_fields ("over"), T0);
  put (fixture->store, "NOTIFY_END", end_fields ("over", "100", "0", "no answer", "0"),
       T0 + 10 * G_USEC_PER_SEC);

  start (fixture);
  g_assert_cmpuint (g_list_model_get_n_items (live), ==, 1);
  old = g_list_model_get_item (live, 0);
  g_assert_cmpstr (nc_call_get_pbx_call_id (old), ==, "old");
  g_assert_cmpint (nc_call_get_state (old), ==, NC_CALL_STATE_RINGING);
  g_assert_null (nc_call_tracker_lookup (fixture->tracker, "over"));
  {
    g_autoptr(GError) error = NULL;

    g_assert_true (nc_call_tracker_update_sync (fixture->tracker, &error));
    g_assert_no_error (error);
  }
  g_assert_cmpuint (fixture->started->len, ==, 0);
  g_assert_cmpuint (fixture->changed, ==, 0);

  /* A new call is news. */
  fresh = g_object_ref (ingest (fixture, "NOTIFY_START", 20, start_fields ("new")));
  g_assert_cmpuint (fixture->started->len, ==, 1);
  g_assert_cmpstr (fixture->started->pdata[0], ==, "new");
  g_assert_cmpuint (g_list_model_get_n_items (live), ==, 2);

  /* The old one goes on, and is still not told as new; its end is news. */
  g_assert_true (ingest (fixture, "NOTIFY_ANSWER", 30, answer_fields ("old", "101")) == old);
  g_assert_cmpint (nc_call_get_state (old), ==, NC_CALL_STATE_TALKING);
  g_assert_cmpuint (fixture->started->len, ==, 1);
  ingest (fixture, "NOTIFY_END", 90, end_fields ("old", "101", "60", "answered", "0"));
  g_assert_cmpint (nc_call_get_state (old), ==, NC_CALL_STATE_ENDED);
  g_assert_cmpuint (fixture->ended->len, ==, 1);
  g_assert_cmpstr (fixture->ended->pdata[0], ==, "old");
  g_assert_cmpuint (fixture->started->len, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (live), ==, 1);
}

/* Once nothing shows an ended call, the tracker keeps nothing of it; a later change to
 * its row (its client matched late, its recording fetched) goes to the journals, and tells
 * neither its start nor its end again. */
static void
test_ended_call_changes_quietly (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NcCallRecord) stored = NULL;
  gint64 ivan = nc_test_add_client (fixture->store, "Иван Петров", "79004443322");
  guint changed;

  start (fixture);
  ingest (fixture, "NOTIFY_START", 0, start_fields ("in_q"));
  ingest (fixture, "NOTIFY_ANSWER", 5, answer_fields ("in_q", "100"));
  g_assert_null (ingest (fixture, "NOTIFY_END", 30,
                         end_fields ("in_q", "100", "25", "answered", "1")));
  g_assert_cmpuint (fixture->started->len, ==, 1);
  g_assert_cmpuint (fixture->ended->len, ==, 1);
  g_assert_cmpuint (n_live (fixture), ==, 0);

  stored = nc_test_get_call (fixture->store, "in_q");
  changed = fixture->changed;
  g_assert_true (nc_store_set_call_client_sync (fixture->store, stored->id, ivan,
                                                nc_match_rule_to_string (NC_MATCH_RULE_TELEPHONY_CLIENT),
                                                &error));
  g_assert_no_error (error);
  g_assert_true (nc_call_tracker_update_sync (fixture->tracker, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fixture->changed, ==, changed + 1);

  g_assert_null (ingest (fixture, "NOTIFY_RECORD", 40, record_fields ("in_q")));
  g_assert_true (nc_store_recording_fetched_sync (fixture->store, stored->id,
                                                  "https://pbx.example/rec.mp3",
                                                  "2026-12-30 10:00:00", &error));
  g_assert_no_error (error);
  g_assert_true (nc_call_tracker_update_sync (fixture->tracker, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fixture->changed, ==, changed + 3);

  g_assert_cmpuint (fixture->started->len, ==, 1);
  g_assert_cmpuint (fixture->ended->len, ==, 1);
  g_assert_null (nc_call_tracker_lookup (fixture->tracker, "in_q"));
}

/* The console stops in the middle of a call (a crash, an update) and starts again on the
 * same data: the call is live there, and the end that comes afterwards ends it. */
static void
test_restart_mid_call (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NcCall) live_call = NULL;
  g_autoptr(NcCall) before = NULL;
  gint64 now = g_get_real_time ();
  NcCallTracker *tracker;
  NcStore *store;
  GListModel *live;
  gint64 id;

  start (fixture);
  before = g_object_ref (ingest_at (fixture->store, fixture->tracker, "NOTIFY_START", now,
                                    start_fields ("in_r")));
  ingest_at (fixture->store, fixture->tracker, "NOTIFY_ANSWER", now + 4 * G_USEC_PER_SEC,
             answer_fields ("in_r", "101"));
  g_assert_cmpint (nc_call_get_state (before), ==, NC_CALL_STATE_TALKING);
  id = nc_call_get_id (before);
  g_assert_cmpuint (fixture->started->len, ==, 1);

  /* The process goes. */
  finalize_tracker (g_steal_pointer (&fixture->tracker));
  g_clear_object (&before);
  nc_store_close (fixture->store);

  /* And comes again. */
  store = nc_store_open_sync (fixture->dir, &error);
  g_assert_no_error (error);
  tracker = tracker_new (fixture);
  g_assert_true (nc_call_tracker_start_sync (tracker, store, &error));
  g_assert_no_error (error);
  nc_call_tracker_set_poll_interval (tracker, 0);
  live = nc_call_tracker_get_live_calls (tracker);
  g_assert_cmpuint (g_list_model_get_n_items (live), ==, 1);
  live_call = g_list_model_get_item (live, 0);
  g_assert_true (nc_call_tracker_lookup (tracker, "in_r") == live_call);
  g_assert_cmpint (nc_call_get_id (live_call), ==, id);
  g_assert_cmpint (nc_call_get_state (live_call), ==, NC_CALL_STATE_TALKING);
  g_assert_cmpstr (nc_call_get_employee (live_call), ==, "101");
  g_assert_cmpstr (nc_call_get_answered_at (live_call), ==, "2026-11-23 10:15:07");
  /* Not told as new a second time. */
  g_assert_cmpuint (fixture->started->len, ==, 1);

  g_assert_true (ingest_at (store, tracker, "NOTIFY_END", now + 64 * G_USEC_PER_SEC,
                            end_fields ("in_r", "101", "60", "answered", "0")) == live_call);
  g_assert_cmpint (nc_call_get_state (live_call), ==, NC_CALL_STATE_ENDED);
  g_assert_cmpuint (nc_call_get_duration (live_call), ==, 60);
  g_assert_cmpstr (nc_call_get_outcome_text (live_call), ==, "Answered");
  g_assert_cmpuint (g_list_model_get_n_items (live), ==, 0);
  g_assert_cmpuint (fixture->ended->len, ==, 1);
  g_assert_cmpstr (fixture->ended->pdata[0], ==, "in_r");
  g_assert_cmpuint (fixture->started->len, ==, 1);
  {
    g_autoptr(NcCallRecord) stored = nc_test_get_call (store, "in_r");

    g_assert_cmpint (stored->id, ==, id);
    g_assert_cmpint (stored->state, ==, NC_CALL_STATE_ENDED);
  }
  g_assert_cmpuint (count_calls (store), ==, 1);

  finalize_tracker (tracker);
  nc_test_wait_for_last_reference (store);
  g_assert_finalize_object (store);
}

static gboolean
live_is_empty (gpointer data)
{
  return g_list_model_get_n_items (data) == 0;
}

static gboolean
live_has_one (gpointer data)
{
  return g_list_model_get_n_items (data) == 1;
}

/* The listener runs in another process, with its own store on the same data: the desk
 * learns of its calls by reading the change log every while. */
static void
test_other_process (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NcCall) call = NULL;
  g_autoptr(NcStore) listener = nc_store_open_sync (fixture->dir, &error);
  GListModel *live = nc_call_tracker_get_live_calls (fixture->tracker);
  gint64 now = g_get_real_time ();

  g_assert_no_error (error);
  g_assert_true (nc_call_tracker_start_sync (fixture->tracker, fixture->store, &error));
  g_assert_no_error (error);
  nc_call_tracker_set_poll_interval (fixture->tracker, 50);

  /* Nothing in this store says it changed: only the poll can tell. */
  put (listener, "NOTIFY_START", start_fields ("in_p"), now);
  g_assert_true (wait_for (live_has_one, live));
  call = g_list_model_get_item (live, 0);
  g_assert_cmpstr (nc_call_get_pbx_call_id (call), ==, "in_p");
  g_assert_cmpuint (fixture->started->len, ==, 1);

  put (listener, "NOTIFY_END", end_fields ("in_p", "100", "0", "no answer", "0"),
       now + 20 * G_USEC_PER_SEC);
  g_assert_true (wait_for (live_is_empty, live));
  g_assert_true (nc_call_is_missed (call));
  g_assert_cmpuint (fixture->ended->len, ==, 1);
  g_assert_cmpuint (fixture->started->len, ==, 1);

  nc_store_close (listener);
}

typedef struct
{
  guint position, removed, added;
  guint emissions;
} ItemsChanged;

static void
on_items_changed (GListModel   *model,
                  guint         position,
                  guint         removed,
                  guint         added,
                  ItemsChanged *last)
{
  last->position = position;
  last->removed = removed;
  last->added = added;
  last->emissions++;
}

static GHashTable *
started_at (const char *id,
            const char *call_start)
{
  return nc_test_fields ("pbx_call_id", id, "call_start", call_start, "caller_id", "79004443322",
                         "called_did", "74951234567", NULL);
}

static const char *
id_at (GListModel *model,
       guint       position)
{
  g_autoptr(NcCall) call = g_list_model_get_item (model, position);

  /* The model holds it: the string outlives this reference. */
  return nc_call_get_pbx_call_id (call);
}

static gboolean
journal_read (gpointer data)
{
  return !nc_journal_get_loading (data);
}

/* The live calls, newest first, as they come and go; the journal of them all, read from
 * the store, newest first too. */
static void
test_live_model (Fixture       *fixture,
                 gconstpointer  data)
{
  GListModel *live = nc_call_tracker_get_live_calls (fixture->tracker);
  g_autoptr(NcJournal) journal = NULL;
  ItemsChanged last = { 0 };

  start (fixture);
  g_signal_connect (live, "items-changed", G_CALLBACK (on_items_changed), &last);
  ingest (fixture, "NOTIFY_START", 0, started_at ("early", "2026-11-23 09:00:00"));
  ingest (fixture, "NOTIFY_START", 1, started_at ("late", "2026-11-23 12:00:00"));
  g_assert_cmpuint (last.position, ==, 0);
  ingest (fixture, "NOTIFY_START", 2, started_at ("middle", "2026-11-23 10:00:00"));
  g_assert_cmpuint (last.position, ==, 1);
  g_assert_cmpuint (last.added, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (live), ==, 3);
  g_assert_cmpstr (id_at (live, 0), ==, "late");
  g_assert_cmpstr (id_at (live, 1), ==, "middle");
  g_assert_cmpstr (id_at (live, 2), ==, "early");

  /* An answer changes the call in place; an end takes it out. */
  last.emissions = 0;
  ingest (fixture, "NOTIFY_ANSWER", 3, nc_test_fields ("pbx_call_id", "middle",
                                                      "call_start", "2026-11-23 10:00:00",
                                                      "caller_id", "79004443322",
                                                      "destination", "100", NULL));
  g_assert_cmpuint (last.emissions, ==, 0);
  ingest (fixture, "NOTIFY_END", 4, nc_test_fields ("pbx_call_id", "middle",
                                                   "call_start", "2026-11-23 10:00:00",
                                                   "caller_id", "79004443322",
                                                   "internal", "100", "duration", "1",
                                                   "disposition", "answered", NULL));
  g_assert_cmpuint (last.emissions, ==, 1);
  g_assert_cmpuint (last.position, ==, 1);
  g_assert_cmpuint (last.removed, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (live), ==, 2);
  g_assert_cmpstr (id_at (live, 0), ==, "late");
  g_assert_cmpstr (id_at (live, 1), ==, "early");

  /* The journal has the ended one too, in its place. */
  journal = nc_journal_new (fixture->tracker);
  g_assert_true (wait_for (journal_read, journal));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (journal)), ==, 3);
  g_assert_cmpstr (id_at (G_LIST_MODEL (journal), 0), ==, "late");
  g_assert_cmpstr (id_at (G_LIST_MODEL (journal), 1), ==, "middle");
  g_assert_cmpstr (id_at (G_LIST_MODEL (journal), 2), ==, "early");
  g_assert_true (nc_journal_get_complete (journal));
  /* One NcCall per call, wherever it is shown. */
  {
    g_autoptr(NcCall) in_journal = g_list_model_get_item (G_LIST_MODEL (journal), 0);
    g_autoptr(NcCall) in_live = g_list_model_get_item (live, 0);

    g_assert_true (in_journal == in_live);
  }

  /* A new call goes to the top of both. */
  ingest (fixture, "NOTIFY_START", 5, started_at ("latest", "2026-11-23 13:00:00"));
  g_assert_cmpstr (id_at (live, 0), ==, "latest");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (journal)), ==, 4);
  g_assert_cmpstr (id_at (G_LIST_MODEL (journal), 0), ==, "latest");

  g_signal_handlers_disconnect_by_data (live, &last);
  g_clear_object (&journal);
}

/* A page of the journal may read a new call before the tracker reads the change that
 * wrote it (another process wrote it): that the journal shows it first takes nothing
 * from what the tracker tells of it. */
static void
test_journal_reads_first (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NcStore) listener = nc_store_open_sync (fixture->dir, &error);
  g_autoptr(NcJournal) journal = NULL;
  g_autoptr(NcCall) shown = NULL;
  gint64 now = g_get_real_time ();
  gint64 id;

  g_assert_no_error (error);
  start (fixture);
  journal = nc_journal_new (fixture->tracker);
  g_assert_true (wait_for (journal_read, journal));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (journal)), ==, 0);

  id = request (fixture, "79004443322", "111111", now, &error);
  g_assert_no_error (error);
  put (listener, "NOTIFY_OUT_START", out_start_fields ("out_j", "111111", "79004443322"),
       now + G_USEC_PER_SEC);

  nc_journal_reload (journal);
  g_assert_true (wait_for (journal_read, journal));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (journal)), ==, 1);
  shown = g_list_model_get_item (G_LIST_MODEL (journal), 0);
  g_assert_cmpint (nc_call_get_request_id (shown), ==, id);
  g_assert_true (nc_call_tracker_lookup (fixture->tracker, "out_j") == shown);
  g_assert_cmpuint (fixture->started->len, ==, 0);
  g_assert_cmpuint (fixture->tied, ==, 0);

  g_assert_true (nc_call_tracker_update_sync (fixture->tracker, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fixture->started->len, ==, 1);
  g_assert_cmpstr (fixture->started->pdata[0], ==, "out_j");
  g_assert_cmpuint (fixture->tied, ==, 1);
  g_assert_cmpint (fixture->tied_id, ==, id);
  g_assert_cmpuint (n_live (fixture), ==, 1);

  g_clear_object (&journal);
  nc_store_close (listener);
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
  ADD ("recording-state", test_recording_state);
  ADD ("callback-tied", test_callback_tied);
  ADD ("callback-expired", test_callback_expired);
  ADD ("anonymous-caller", test_anonymous_caller);
  ADD ("started-only-for-new", test_started_only_for_new);
  ADD ("ended-call-changes-quietly", test_ended_call_changes_quietly);
  ADD ("restart-mid-call", test_restart_mid_call);
  ADD ("other-process", test_other_process);
  ADD ("live-model", test_live_model);
  ADD ("journal-reads-first", test_journal_reads_first);
  ADD ("outgoing-client-at-end", test_outgoing_client_at_end);
#undef ADD

  return nc_test_run ();
}
