/* test-recordings.c — recording links are never given up for good
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Whether a recorded call's link is pending, fetched or failed, how often it was asked for
 * and when to ask next, is kept in the store, and the call service (the listener process's
 * worker) works from that alone. A "process" here is what `listen` runs on a data folder:
 * the store, the client matcher, the tracker following the change log, the call service
 * and an API client; it is stopped and a new one started on the same folder, as a restart
 * does. The API is a simulated PBX told to fail.
 */

#include "config.h"

#include <signal.h>
#include <string.h>

#include "nc-call-service.h"
#include "nc-client-matcher.h"
#include "nc-pbx-simulator.h"
#include "nc-test-util.h"
#include "nc-zadarma-client.h"

#define KEY "a1b2c3d4e5f6a7b8c9d0"
#define SECRET "c3e9a1b2d4f60718293a4b5c6d7e8f90"
#define TOKEN "recordings-token-0123456789"
#define CLIENT_PHONE "79161230001"
#define CLIENT_NAME "Known Client"
#define RETRY_UNIT_MS 2000     /* a failed request is asked again after 2, 4, 8 … seconds */

typedef struct
{
  NcStore         *store;
  NcClientMatcher *matcher;
  NcCallTracker   *tracker;
  NcCallService   *service;
  NcZadarmaClient *client;
} Process;

typedef struct
{
  char           *dir;
  char           *db_path;
  NcPbxSimulator *api;
  guint           api_port;
  char           *api_url;
  gint64          client_id;
} Fixture;

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* The API client as the session makes it, with no retries of its own, so that each
 * request the service makes is one request at the PBX. */
static NcZadarmaClient *
api_client_new (Fixture *fixture,
                NcStore *store)
{
  NcZadarmaClient *client = nc_zadarma_client_new (fixture->api_url, KEY, SECRET);

  nc_zadarma_client_set_budget (client, NC_REQUEST_BUDGET (store));
  nc_zadarma_client_set_timeout (client, 2);
  nc_zadarma_client_set_retries (client, 0, 0);
  return client;
}

static Process *
process_start (Fixture  *fixture,
               gboolean  with_account)
{
  Process *process = g_new0 (Process, 1);
  g_autoptr(GError) error = NULL;

  process->store = nc_store_open_sync (fixture->dir, &error);
  g_assert_no_error (error);
  process->matcher = nc_client_matcher_new (process->store);
  process->tracker = nc_call_tracker_new ();
  g_assert_true (nc_call_tracker_start_sync (process->tracker, process->store, &error));
  g_assert_no_error (error);
  process->service = nc_call_service_new (process->store, process->matcher, process->tracker);
  nc_call_service_set_retry_unit (process->service, RETRY_UNIT_MS);
  if (with_account)
    {
      process->client = api_client_new (fixture, process->store);
      nc_call_service_set_client (process->service, process->client);
    }
  nc_call_service_start (process->service);
  return process;
}

/* Lets what is on its way finish, then closes everything, the store last. */
static void
process_stop (Process *process)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (nc_call_service_get_busy (process->service) > 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (nc_call_service_get_busy (process->service), ==, 0);
  nc_call_service_stop (process->service);
  nc_test_wait_for_last_reference (process->service);
  g_assert_finalize_object (process->service);
  if (process->client != NULL)
    {
      nc_test_wait_for_last_reference (process->client);
      g_assert_finalize_object (process->client);
    }
  nc_test_wait_for_last_reference (process->tracker);
  g_assert_finalize_object (process->tracker);
  nc_test_wait_for_last_reference (process->matcher);
  g_assert_finalize_object (process->matcher);
  nc_test_wait_for_last_reference (process->store);
  nc_store_close (process->store);
  g_assert_finalize_object (process->store);
  g_free (process);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NcStore) store = NULL;
  g_autoptr(GPtrArray) drafts = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GArray) ids = NULL;

  fixture->dir = nc_test_make_temp_dir ();
  fixture->db_path = g_build_filename (fixture->dir, NC_STORE_FILE_NAME, NULL);
  fixture->api = nc_pbx_simulator_new (KEY, SECRET);
  g_assert_true (nc_pbx_simulator_start (fixture->api, 0, &error));
  g_assert_no_error (error);
  fixture->api_url = nc_pbx_simulator_get_url (fixture->api);
  fixture->api_port = (guint) g_ascii_strtoull (strrchr (fixture->api_url, ':') + 1, NULL, 10);

  /* The caller is a client already: the link goes into their variable too. */
  store = nc_store_open_sync (fixture->dir, &error);
  g_assert_no_error (error);
  g_ptr_array_add (drafts, nc_client_new (0, CLIENT_NAME, NC_CHANNEL_TELEPHONY, CLIENT_PHONE, 0));
  g_assert_true (nc_store_add_clients_sync (store, drafts, &ids, &error));
  g_assert_no_error (error);
  fixture->client_id = g_array_index (ids, gint64, 0);
  nc_test_wait_for_last_reference (store);
  nc_store_close (store);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  nc_pbx_simulator_stop (fixture->api);
  g_assert_finalize_object (fixture->api);
  nc_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->db_path);
  g_free (fixture->api_url);
}

/* An incoming call, answered and recorded, as the listener stores its events: its
 * recording is due at once (NOTIFY_RECORD). */
static void
store_recorded_call (NcStore    *store,
                     const char *pbx_call_id,
                     const char *call_id_with_rec)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *start = g_date_time_format (now, "%Y-%m-%d %H:%M:%S");
  gint64 at = g_get_real_time ();
  GHashTable *events[] = {
    nc_test_fields ("event", "NOTIFY_START", "call_start", start, "pbx_call_id", pbx_call_id,
                    "caller_id", CLIENT_PHONE, "called_did", "74951234567", NULL),
    nc_test_fields ("event", "NOTIFY_ANSWER", "call_start", start, "pbx_call_id", pbx_call_id,
                    "caller_id", CLIENT_PHONE, "destination", "100", NULL),
    nc_test_fields ("event", "NOTIFY_END", "call_start", start, "pbx_call_id", pbx_call_id,
                    "caller_id", CLIENT_PHONE, "called_did", "74951234567", "internal", "100",
                    "duration", "65", "disposition", "answered", "status_code", "16",
                    "is_recorded", "1", "call_id_with_rec", call_id_with_rec, NULL),
    nc_test_fields ("event", "NOTIFY_RECORD", "pbx_call_id", pbx_call_id,
                    "call_id_with_rec", call_id_with_rec, NULL),
  };

  for (guint i = 0; i < G_N_ELEMENTS (events); i++)
    {
      nc_test_store_event (store, g_hash_table_lookup (events[i], "event"), events[i], at + i);
      g_hash_table_unref (events[i]);
    }
}

static NcCallRecord *
get_call (NcStore    *store,
          const char *pbx_call_id)
{
  g_autoptr(GError) error = NULL;
  NcCallRecord *record = nc_store_get_call_sync (store, pbx_call_id, &error);

  g_assert_no_error (error);
  return record;
}

typedef gboolean (*CallTest) (const NcCallRecord *record,
                              gpointer            data);

/* Turns the main context until @test holds of the call's row, or fails after @seconds. */
static NcCallRecord *
wait_for_call (NcStore    *store,
               const char *pbx_call_id,
               CallTest    test,
               gpointer    data,
               guint       seconds,
               const char *what)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;

  for (;;)
    {
      NcCallRecord *record = get_call (store, pbx_call_id);

      if (test (record, data))
        return record;
      nc_call_record_free (record);
      if (g_get_monotonic_time () > deadline)
        g_error ("Call %s: no %s within %u s", pbx_call_id, what, seconds);
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (10 * 1000);
    }
}

static gboolean
has_attempts (const NcCallRecord *record,
              gpointer            data)
{
  return record->record_attempts >= GPOINTER_TO_UINT (data);
}

static gboolean
is_fetched (const NcCallRecord *record,
            gpointer            data)
{
  return record->recording == NC_RECORDING_FETCHED;
}

static gboolean
is_matched (const NcCallRecord *record,
            gpointer            data)
{
  return record->client_id != 0;
}

/* Put off until at least @data (Unix seconds), by a wait that is not the lease of a round
 * on its way (RECORDING_LEASE_SECONDS, 5 minutes). */
static gboolean
is_put_off (const NcCallRecord *record,
            gpointer            data)
{
  return record->recording == NC_RECORDING_PENDING &&
         record->record_next_try >= (gint64) GPOINTER_TO_SIZE (data) &&
         record->record_next_try < now_seconds () + 120;
}

static char *
client_link (NcStore *store,
             gint64   client_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NcClient) client = nc_store_get_client_sync (store, client_id, &error);

  g_assert_no_error (error);
  return g_strdup (nc_client_get_variable (client, NC_RECORD_LINK_VARIABLE));
}

/* Turns the main context for a while, as the process would run meanwhile. */
static void
run_for (guint milliseconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) milliseconds * 1000;

  while (g_get_monotonic_time () < end)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (5 * 1000);
    }
}

typedef struct
{
  char   *link;
  GError *error;
  gboolean done;
} Opened;

static void
recording_opened (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Opened *opened = user_data;

  opened->link = nc_call_service_fetch_recording_finish (NC_CALL_SERVICE (source), result,
                                                         &opened->error);
  opened->done = TRUE;
}

/* Someone opens the call's recording, as the window does. */
static void
open_recording (Process    *process,
                const char *pbx_call_id,
                Opened     *opened)
{
  g_autoptr(NcCallRecord) record = get_call (process->store, pbx_call_id);
  g_autoptr(NcCall) call = nc_call_tracker_take_record (process->tracker, record);
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  memset (opened, 0, sizeof *opened);
  nc_call_service_fetch_recording_async (process->service, call, NULL, recording_opened, opened);
  while (!opened->done && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (opened->done);
  /* Its answer is kept (the link, or when to ask again) before the service is idle. */
  while (nc_call_service_get_busy (process->service) > 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
}

static void
opened_clear (Opened *opened)
{
  g_clear_pointer (&opened->link, g_free);
  g_clear_error (&opened->error);
}

/* The required test: a fetch fails (the API answers 502, then the network is down), the
 * process restarts, and the link is fetched later — when the backoff kept in the store
 * says, not before, and exactly once. */
static void
test_fail_restart_succeed (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(NcCallRecord) record = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autofree char *link = NULL;
  g_autoptr(GError) error = NULL;
  Process *process;
  GPtrArray *row;
  gint64 asked_at, next_try;
  guint requests;

  process = process_start (fixture, TRUE);
  nc_pbx_simulator_push_fault (fixture->api, NC_PBX_FAULT_SERVER_ERROR);
  store_recorded_call (process->store, "in_rec_1", "1800000001.1");

  /* Asked for at once; the 502 is the first failed attempt, asked again after one unit. */
  asked_at = now_seconds ();
  record = wait_for_call (process->store, "in_rec_1", has_attempts, GUINT_TO_POINTER (1), 10,
                          "first attempt");
  g_assert_cmpint (record->recording, ==, NC_RECORDING_PENDING);
  g_assert_cmpuint (record->record_attempts, ==, 1);
  g_assert_cmpint (record->record_next_try, >=, asked_at + RETRY_UNIT_MS / 1000);
  g_assert_cmpint (record->record_next_try, <=, now_seconds () + RETRY_UNIT_MS / 1000);
  g_assert_null (record->record_link);
  g_assert_cmpuint (nc_pbx_simulator_get_request_count (fixture->api), ==, 1);
  g_clear_pointer (&record, nc_call_record_free);
  /* The matcher found the caller meanwhile. */
  record = wait_for_call (process->store, "in_rec_1", is_matched, NULL, 10, "client");
  g_assert_cmpint (record->client_id, ==, fixture->client_id);
  g_clear_pointer (&record, nc_call_record_free);

  /* The network goes down: the second attempt fails too, and waits twice as long. */
  nc_pbx_simulator_stop (fixture->api);
  asked_at = now_seconds ();
  record = wait_for_call (process->store, "in_rec_1", has_attempts, GUINT_TO_POINTER (2), 10,
                          "second attempt");
  g_assert_cmpint (record->recording, ==, NC_RECORDING_PENDING);
  g_assert_cmpuint (record->record_attempts, ==, 2);
  g_assert_cmpint (record->record_next_try, >=, asked_at + 2 * RETRY_UNIT_MS / 1000);
  g_clear_pointer (&record, nc_call_record_free);
  g_assert_cmpuint (nc_pbx_simulator_get_request_count (fixture->api), ==, 1);

  /* The process stops. What it knew of the recording is on disk. */
  process_stop (process);
  rows = nc_test_sql_rows (fixture->db_path,
                           "SELECT recording, record_attempts, record_next_try, record_link, "
                           "client_id FROM calls WHERE pbx_call_id = 'in_rec_1'");
  g_assert_cmpuint (rows->len, ==, 1);
  row = rows->pdata[0];
  g_assert_cmpstr (row->pdata[0], ==, "1");   /* NC_RECORDING_PENDING */
  g_assert_cmpstr (row->pdata[1], ==, "2");
  next_try = g_ascii_strtoll (row->pdata[2], NULL, 10);
  g_assert_cmpint (next_try, >, now_seconds ());
  g_assert_null (row->pdata[3]);
  g_assert_cmpint (g_ascii_strtoll (row->pdata[4], NULL, 10), ==, fixture->client_id);

  /* The network is back; a new process on the same data. It asks when the store said,
   * not at once — and then gets the link. */
  g_assert_true (nc_pbx_simulator_start (fixture->api, fixture->api_port, &error));
  g_assert_no_error (error);
  requests = nc_pbx_simulator_get_request_count (fixture->api);
  process = process_start (fixture, TRUE);
  while ((record = get_call (process->store, "in_rec_1"))->recording != NC_RECORDING_FETCHED)
    {
      guint seen = nc_pbx_simulator_get_request_count (fixture->api);

      /* Read after the count: a request seen before next_try was made before it. */
      if (seen > requests)
        g_assert_cmpint (g_get_real_time (), >=, next_try * G_USEC_PER_SEC);
      g_clear_pointer (&record, nc_call_record_free);
      g_assert_cmpint (now_seconds (), <, next_try + 15);
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (10 * 1000);
    }
  g_assert_cmpuint (nc_pbx_simulator_get_request_count (fixture->api), ==, requests + 1);
  g_assert_nonnull (record->record_link);
  g_assert_nonnull (strstr (record->record_link, "1800000001.1"));
  g_assert_nonnull (record->record_expires);
  g_assert_cmpuint (record->record_attempts, ==, 0);
  g_assert_cmpint (record->record_next_try, ==, 0);
  link = client_link (process->store, fixture->client_id);
  g_assert_cmpstr (link, ==, record->record_link);

  /* And no round asks for it again. */
  run_for (1500);
  g_assert_cmpuint (nc_pbx_simulator_get_request_count (fixture->api), ==, requests + 1);
  process_stop (process);
  g_assert_cmpint (nc_test_sql_int (fixture->db_path,
                                    "SELECT recording FROM calls WHERE pbx_call_id = 'in_rec_1'"),
                   ==, NC_RECORDING_FETCHED);
}

/* A 429, or the shared request budget saying wait, puts the recording off without
 * counting an attempt (and holds the other recordings too, rather than asking in vain);
 * someone opening it meanwhile waits for the budget as well. */
static void
test_rate_limit_is_not_an_attempt (Fixture       *fixture,
                                   gconstpointer  data)
{
  g_autoptr(NcCallRecord) record = NULL;
  g_autoptr(GError) error = NULL;
  Process *process = process_start (fixture, TRUE);
  Opened opened;
  gint64 asked_at;
  guint wait = 0;

  /* The PBX says: too many requests, come back in 42 seconds. */
  nc_pbx_simulator_push_fault (fixture->api, NC_PBX_FAULT_RATE_LIMIT);
  asked_at = now_seconds ();
  store_recorded_call (process->store, "in_rec_2", "1800000002.1");
  record = wait_for_call (process->store, "in_rec_2", is_put_off,
                          GSIZE_TO_POINTER (asked_at + 40), 10, "wait for the rate limit");
  g_assert_cmpuint (record->record_attempts, ==, 0);
  g_assert_cmpint (record->record_next_try, <=, now_seconds () + 42);
  g_assert_cmpuint (nc_pbx_simulator_get_request_count (fixture->api), ==, 1);
  g_clear_pointer (&record, nc_call_record_free);

  /* Another recording becomes due meanwhile: it is not asked for before the wait is over
   * either, and nothing counts against it. */
  store_recorded_call (process->store, "in_rec_3", "1800000003.1");
  run_for (2500);
  g_assert_cmpuint (nc_pbx_simulator_get_request_count (fixture->api), ==, 1);
  record = get_call (process->store, "in_rec_3");
  g_assert_cmpint (record->recording, ==, NC_RECORDING_PENDING);
  g_assert_cmpuint (record->record_attempts, ==, 0);
  g_clear_pointer (&record, nc_call_record_free);

  /* Another process spent this minute's budget (100 requests): opening the recording
   * sends nothing, says so, and counts no attempt either. */
  for (guint i = 0; i < 200 && wait == 0; i++)
    {
      g_assert_true (nc_store_budget_take_sync (process->store, "api",
                                                NC_ZADARMA_API_LIMIT_PER_MINUTE, 60, &wait,
                                                &error));
      g_assert_no_error (error);
    }
  g_assert_cmpuint (wait, >, 0);
  open_recording (process, "in_rec_2", &opened);
  g_assert_null (opened.link);
  g_assert_error (opened.error, NC_ZADARMA_ERROR, NC_ZADARMA_ERROR_RATE_LIMITED);
  opened_clear (&opened);
  g_assert_cmpuint (nc_pbx_simulator_get_request_count (fixture->api), ==, 1);
  record = get_call (process->store, "in_rec_2");
  g_assert_cmpint (record->recording, ==, NC_RECORDING_PENDING);
  g_assert_cmpuint (record->record_attempts, ==, 0);
  g_clear_pointer (&record, nc_call_record_free);

  /* The minute passes (the budget's slots are moved back by it): opened again, the link
   * comes, with no attempt counted against it ever. */
  nc_test_sql_exec (fixture->db_path,
                    "UPDATE request_budget SET taken_at = taken_at - 61000000");
  open_recording (process, "in_rec_2", &opened);
  g_assert_no_error (opened.error);
  g_assert_nonnull (opened.link);
  g_assert_nonnull (strstr (opened.link, "1800000002.1"));
  record = get_call (process->store, "in_rec_2");
  g_assert_cmpint (record->recording, ==, NC_RECORDING_FETCHED);
  g_assert_cmpstr (record->record_link, ==, opened.link);
  g_assert_cmpuint (record->record_attempts, ==, 0);
  g_assert_cmpuint (nc_pbx_simulator_get_request_count (fixture->api), ==, 2);
  opened_clear (&opened);
  g_clear_pointer (&record, nc_call_record_free);

  /* The other is still waiting for the PBX's 42 seconds, uncounted. */
  record = get_call (process->store, "in_rec_3");
  g_assert_cmpint (record->recording, ==, NC_RECORDING_PENDING);
  g_assert_cmpuint (record->record_attempts, ==, 0);
  g_clear_pointer (&record, nc_call_record_free);
  process_stop (process);
}

/* A link dies at its lifetime_till: someone who opens the call after that has it asked
 * for again, kept on the call and on its client. A link a round fetched is not asked for
 * by the rounds again. */
static void
test_expired_link_asked_again (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(NcCallRecord) record = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(NcCall) call = NULL;
  g_autofree char *first = NULL;
  g_autofree char *kept = NULL;
  Process *process = process_start (fixture, TRUE);
  Opened opened;
  gint64 deadline;

  store_recorded_call (process->store, "in_rec_4", "1800000004.1");
  record = wait_for_call (process->store, "in_rec_4", is_fetched, NULL, 10, "link");
  first = g_strdup (record->record_link);
  g_assert_cmpuint (nc_pbx_simulator_get_request_count (fixture->api), ==, 1);
  g_clear_pointer (&record, nc_call_record_free);
  record = wait_for_call (process->store, "in_rec_4", is_matched, NULL, 10, "client");
  g_clear_pointer (&record, nc_call_record_free);
  kept = client_link (process->store, fixture->client_id);
  g_assert_cmpstr (kept, ==, first);
  g_clear_pointer (&kept, g_free);

  /* Sixty days later, as far as the link is concerned. */
  record = get_call (process->store, "in_rec_4");
  g_assert_true (nc_store_recording_fetched_sync (process->store, record->id,
                                                  "http://127.0.0.1:9/records/expired.mp3",
                                                  "2020-01-01 00:00:00", &error));
  g_assert_no_error (error);
  g_clear_pointer (&record, nc_call_record_free);
  /* The tracker learns it from the change log, as every window does. */
  call = nc_call_tracker_take_record (process->tracker,
                                      (record = get_call (process->store, "in_rec_4")));
  g_clear_pointer (&record, nc_call_record_free);
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (g_strcmp0 (nc_call_get_record_link (call), "http://127.0.0.1:9/records/expired.mp3") != 0 &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (nc_call_get_record_link (call), ==, "http://127.0.0.1:9/records/expired.mp3");
  g_assert_false (nc_call_record_link_is_fresh (call, NULL));
  /* Fetched, expired or not: no round asks for it. */
  run_for (1500);
  g_assert_cmpuint (nc_pbx_simulator_get_request_count (fixture->api), ==, 1);

  open_recording (process, "in_rec_4", &opened);
  g_assert_no_error (opened.error);
  g_assert_nonnull (opened.link);
  g_assert_nonnull (strstr (opened.link, "1800000004.1"));
  g_assert_cmpuint (nc_pbx_simulator_get_request_count (fixture->api), ==, 2);
  record = get_call (process->store, "in_rec_4");
  g_assert_cmpint (record->recording, ==, NC_RECORDING_FETCHED);
  g_assert_cmpstr (record->record_link, ==, opened.link);
  g_assert_cmpstr (record->record_expires, !=, "2020-01-01 00:00:00");
  kept = client_link (process->store, fixture->client_id);
  g_assert_cmpstr (kept, ==, opened.link);
  /* The window's call shows the fresh link once the change log is read. */
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!nc_call_record_link_is_fresh (call, NULL) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (nc_call_record_link_is_fresh (call, NULL));
  opened_clear (&opened);

  /* An expired link that cannot be had again now (the PBX fails) stays as it was: the
   * call is not given up, and is asked again when opened again. */
  nc_pbx_simulator_push_fault (fixture->api, NC_PBX_FAULT_SERVER_ERROR);
  g_clear_pointer (&record, nc_call_record_free);
  record = get_call (process->store, "in_rec_4");
  g_assert_true (nc_store_recording_fetched_sync (process->store, record->id,
                                                  "http://127.0.0.1:9/records/expired.mp3",
                                                  "2020-01-01 00:00:00", &error));
  g_assert_no_error (error);
  g_clear_pointer (&record, nc_call_record_free);
  open_recording (process, "in_rec_4", &opened);
  g_assert_error (opened.error, NC_ZADARMA_ERROR, NC_ZADARMA_ERROR_SERVER);
  opened_clear (&opened);
  record = get_call (process->store, "in_rec_4");
  g_assert_cmpint (record->recording, ==, NC_RECORDING_FETCHED);
  g_assert_cmpuint (record->record_attempts, ==, 0);
  g_clear_pointer (&record, nc_call_record_free);
  open_recording (process, "in_rec_4", &opened);
  g_assert_no_error (opened.error);
  g_assert_nonnull (opened.link);
  opened_clear (&opened);

  g_clear_object (&call);
  process_stop (process);
}

/* After NC_RECORDING_ATTEMPTS failed attempts a recording is failed: no round asks for it
 * again, and whoever opens it still gets it. A recording waits for an account too. */
static void
test_given_up_until_opened (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(NcCallRecord) record = NULL;
  g_autoptr(GError) error = NULL;
  Process *process = process_start (fixture, FALSE);
  Opened opened;
  gint64 next_due = -1;

  /* No account: the recording waits, pending, and nothing is asked. */
  store_recorded_call (process->store, "in_rec_5", "1800000005.1");
  store_recorded_call (process->store, "in_rec_6", "1800000006.1");
  run_for (1000);
  record = get_call (process->store, "in_rec_5");
  g_assert_cmpint (record->recording, ==, NC_RECORDING_PENDING);
  g_assert_cmpuint (record->record_attempts, ==, 0);
  g_assert_cmpuint (nc_pbx_simulator_get_request_count (fixture->api), ==, 0);

  /* What the service writes after each failed attempt, every time. */
  for (guint i = 0; i < NC_RECORDING_ATTEMPTS; i++)
    {
      g_assert_true (nc_store_recording_retry_sync (process->store, record->id, now_seconds (),
                                                    TRUE, NC_RECORDING_ATTEMPTS, &error));
      g_assert_no_error (error);
    }
  g_clear_pointer (&record, nc_call_record_free);
  record = get_call (process->store, "in_rec_5");
  g_assert_cmpint (record->recording, ==, NC_RECORDING_FAILED);
  g_assert_cmpuint (record->record_attempts, ==, NC_RECORDING_ATTEMPTS);
  g_clear_pointer (&record, nc_call_record_free);

  /* The account comes: the other one is asked for at once, the failed one never. */
  process->client = api_client_new (fixture, process->store);
  nc_call_service_set_client (process->service, process->client);
  g_clear_pointer (&record, nc_call_record_free);
  record = wait_for_call (process->store, "in_rec_6", is_fetched, NULL, 10, "link");
  g_clear_pointer (&record, nc_call_record_free);
  run_for (1500);
  g_assert_cmpuint (nc_pbx_simulator_get_request_count (fixture->api), ==, 1);
  {
    g_autoptr(GPtrArray) due = nc_store_take_due_recordings_sync (process->store,
                                                                  now_seconds () + 86400, 10,
                                                                  0, &next_due, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (due->len, ==, 0);
    g_assert_cmpint (next_due, ==, 0);
  }

  open_recording (process, "in_rec_5", &opened);
  g_assert_no_error (opened.error);
  g_assert_nonnull (strstr (opened.link, "1800000005.1"));
  opened_clear (&opened);
  record = get_call (process->store, "in_rec_5");
  g_assert_cmpint (record->recording, ==, NC_RECORDING_FETCHED);
  g_assert_cmpuint (record->record_attempts, ==, 0);
  g_clear_pointer (&record, nc_call_record_free);

  process_stop (process);
}

/* The client's variable keeps the link of the client's last call: a link fetched late for
 * an older call (it failed first, or someone opened it again) does not take its place. */
static void
test_variable_is_the_last_calls (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autoptr(NcCallRecord) older = NULL;
  g_autoptr(NcCallRecord) newer = NULL;
  g_autofree char *kept = NULL;
  Process *process = process_start (fixture, TRUE);
  Opened opened;

  /* The older call's first request fails; the newer call's succeeds before its retry. */
  nc_pbx_simulator_push_fault (fixture->api, NC_PBX_FAULT_SERVER_ERROR);
  store_recorded_call (process->store, "in_rec_7", "1800000007.1");
  older = wait_for_call (process->store, "in_rec_7", has_attempts, GUINT_TO_POINTER (1), 10,
                         "first attempt");
  g_clear_pointer (&older, nc_call_record_free);
  /* A second later by the PBX's clock: started after it. */
  run_for (1100);
  store_recorded_call (process->store, "in_rec_8", "1800000008.1");
  newer = wait_for_call (process->store, "in_rec_8", is_fetched, NULL, 10, "link");
  older = wait_for_call (process->store, "in_rec_7", is_fetched, NULL, 15, "link after retry");
  g_assert_cmpint (older->started_unix, <, newer->started_unix);
  g_clear_pointer (&newer, nc_call_record_free);
  newer = wait_for_call (process->store, "in_rec_8", is_matched, NULL, 10, "client");
  kept = client_link (process->store, fixture->client_id);
  g_assert_cmpstr (kept, ==, newer->record_link);
  g_clear_pointer (&kept, g_free);

  /* The older one opened again: its link is renewed, the client's stays the newer's. */
  open_recording (process, "in_rec_7", &opened);
  g_assert_no_error (opened.error);
  opened_clear (&opened);
  kept = client_link (process->store, fixture->client_id);
  g_assert_cmpstr (kept, ==, newer->record_link);
  process_stop (process);
}

static void
call_played (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  char **pbx_call_id = user_data;
  g_autoptr(GError) error = NULL;

  *pbx_call_id = nc_pbx_simulator_play_call_finish (NC_PBX_SIMULATOR (source), result, &error);
  g_assert_no_error (error);
}

/* `listen` is the process that asks for the links: a recorded call played to it has its
 * link in the store a moment later, with no window open. */
static void
test_listen_fetches (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autofree char *port = g_strdup_printf ("%u", nc_test_free_port ());
  g_autofree char *pbx_call_id = NULL;
  g_autofree char *query = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *args[] = { "--data-dir", fixture->dir, "listen", "--bind", "127.0.0.1",
                         "--port", port, NULL };
  NcTestListener *listener;
  gint64 deadline;
  gint64 state = -1;

  g_subprocess_launcher_setenv (launcher, "NOVOFON_API_KEY", KEY, TRUE);
  g_subprocess_launcher_setenv (launcher, "NOVOFON_API_SECRET", SECRET, TRUE);
  g_subprocess_launcher_setenv (launcher, "NOVOFON_WEBHOOK_TOKEN", TOKEN, TRUE);
  g_subprocess_launcher_setenv (launcher, "NOVOFON_API_URL", fixture->api_url, TRUE);
  g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent",
                                TRUE);
  listener = nc_test_listener_start (launcher, args);

  nc_pbx_simulator_set_webhook_target (fixture->api, listener->url);
  nc_pbx_simulator_play_call_async (fixture->api, NC_PBX_CALL_INCOMING_ANSWERED, CLIENT_PHONE,
                                    "74951234567", "100", 20, NULL, call_played, &pbx_call_id);
  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (pbx_call_id == NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (pbx_call_id);

  /* Read from the file while listen runs: what it committed. */
  query = g_strdup_printf ("SELECT recording FROM calls WHERE pbx_call_id = '%s'", pbx_call_id);
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while ((state = nc_test_sql_int (fixture->db_path, query)) != NC_RECORDING_FETCHED &&
         g_get_monotonic_time () < deadline)
    run_for (50);

  g_assert_cmpint (nc_test_listener_stop (listener, &out, &err), ==, 0);
  g_test_message ("listen said:\n%s%s", out, err);
  if (state == NC_RECORDING_PENDING &&
      nc_pbx_simulator_get_request_count (fixture->api) == 0)
    {
      /* nc-session.c: `listen` starts its session with NC_SESSION_CALLS and
       * nc_session_listen(), and neither starts the call service (only the flags
       * NC_SESSION_LISTEN and NC_SESSION_DEMO do, in tracker_started()). */
      g_test_incomplete ("listen never starts the call service: no recording is asked for");
      return;
    }
  g_assert_cmpint (state, ==, NC_RECORDING_FETCHED);
  g_assert_cmpint (nc_test_sql_int (fixture->db_path,
                                    "SELECT count(*) FROM client_variables WHERE name = "
                                    "'" NC_RECORD_LINK_VARIABLE "'"), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/recordings/fail-restart-succeed", test_fail_restart_succeed);
  ADD ("/recordings/rate-limit-is-not-an-attempt", test_rate_limit_is_not_an_attempt);
  ADD ("/recordings/expired-link-asked-again", test_expired_link_asked_again);
  ADD ("/recordings/given-up-until-opened", test_given_up_until_opened);
  ADD ("/recordings/variable-is-the-last-calls", test_variable_is_the_last_calls);
  ADD ("/recordings/listen-fetches", test_listen_fetches);
#undef ADD

  return nc_test_run ();
}
