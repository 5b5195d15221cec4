/* test-gap-repair.c — a gap repaired from the simulator's statistics without duplicates
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The simulator plays calls to a real listener on loopback, and more while its webhooks
 * are paused (the listener "down"); the repair then reads its statistics through the real
 * API client into the store.
 */

#include "config.h"

#include <string.h>
#include <gio/gio.h>

#include "nc-gap-repair.h"
#include "nc-pbx-simulator.h"
#include "nc-test-util.h"
#include "nc-webhook-server.h"
#include "nc-zadarma-client.h"

#define KEY "a1b2c3d4e5f6a7b8c9d0"
#define SECRET "c3e9a1b2d4f60718293a4b5c6d7e8f90"
#define WRONG_SECRET "canary-wrong-5ecret-Gp4Rr9"
#define TOKEN "gap-repair-token-0123456789"
#define VIRTUAL_NUMBER "79500000033"
#define EXTENSION "100"
#define WAIT_SECONDS 120

typedef struct
{
  char            *dir;
  NcStore         *store;
  NcPbxSimulator  *simulator;
  char            *url;
  NcZadarmaClient *client;
  NcWebhookServer *listener;
  NcGapRepair     *repair;
} Fixture;

static NcWebhookServer *
listen_for (NcPbxSimulator *simulator,
            NcStore        *store)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *hook = NULL;
  NcWebhookServer *listener = nc_webhook_server_new (store, SECRET, TOKEN);

  g_assert_true (nc_webhook_server_listen (listener, "127.0.0.1", 0, &error));
  g_assert_no_error (error);
  hook = g_strdup_printf ("http://127.0.0.1:%u/zadarma_webhook/" TOKEN,
                          nc_webhook_server_get_port (listener));
  nc_pbx_simulator_set_webhook_target (simulator, hook);
  return listener;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->store = nc_test_store_new (&fixture->dir);
  fixture->simulator = nc_pbx_simulator_new (KEY, SECRET);
  g_assert_true (nc_pbx_simulator_start (fixture->simulator, 0, &error));
  g_assert_no_error (error);
  fixture->url = nc_pbx_simulator_get_url (fixture->simulator);

  fixture->client = nc_zadarma_client_new (fixture->url, KEY, SECRET);
  nc_zadarma_client_set_budget (fixture->client, NC_REQUEST_BUDGET (fixture->store));
  nc_zadarma_client_set_retries (fixture->client, 2, 10);
  nc_zadarma_client_set_timeout (fixture->client, 5);
  /* The real three a minute would make every test wait minutes; one test keeps them. */
  nc_zadarma_client_set_limit (fixture->client, "statistics", 1000);

  fixture->listener = listen_for (fixture->simulator, fixture->store);
  fixture->repair = nc_gap_repair_new (fixture->store, fixture->client);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  nc_test_wait_for_last_reference (fixture->repair);
  g_assert_finalize_object (fixture->repair);
  nc_webhook_server_stop (fixture->listener);
  nc_test_wait_for_last_reference (fixture->listener);
  g_assert_finalize_object (fixture->listener);
  nc_test_wait_for_last_reference (fixture->client);
  g_assert_finalize_object (fixture->client);
  nc_pbx_simulator_stop (fixture->simulator);
  g_assert_finalize_object (fixture->simulator);
  g_free (fixture->url);
  nc_test_store_free (fixture->store, fixture->dir);
}

static void
got_result (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **result)
{
  nc_test_wait_for_nonnull ((gpointer *) result);
  return *result;
}

/* Now on the simulator's clock, which is this machine's local time. */
static gint64
pbx_now (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *text = g_date_time_format (now, "%Y-%m-%d %H:%M:%S");

  return nc_call_parse_pbx_time (text);
}

static gint64
local_offset (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  return g_date_time_get_utc_offset (now) / G_USEC_PER_SEC;
}

static const NcPbxCallScenario scenarios[] = {
  NC_PBX_CALL_INCOMING_ANSWERED, NC_PBX_CALL_INCOMING_MISSED,
  NC_PBX_CALL_OUTGOING_ANSWERED, NC_PBX_CALL_OUTGOING_BUSY,
};

/* One whole call, played to the listener (or, while paused, to no one). */
static char *
play (Fixture           *fixture,
      NcPbxCallScenario  scenario,
      const char        *client_number)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *pbx_call_id;

  nc_pbx_simulator_play_call_async (fixture->simulator, scenario, client_number, VIRTUAL_NUMBER,
                                    EXTENSION, 0, NULL, got_result, &result);
  pbx_call_id = nc_pbx_simulator_play_call_finish (fixture->simulator, wait_result (&result),
                                                   &error);
  g_assert_no_error (error);
  g_assert_nonnull (pbx_call_id);
  return pbx_call_id;
}

/* Calls the PBX had at @start (PBX time) and later, one a second, that no listener heard. */
static void
add_past_calls (Fixture *fixture,
                guint    count,
                gint64   start)
{
  for (guint i = 0; i < count; i++)
    {
      g_autofree char *when = nc_call_format_pbx_time (start + i % 1000);
      g_autofree char *number = g_strdup_printf ("7901%07u", i);
      g_autofree char *id = nc_pbx_simulator_add_call (fixture->simulator,
                                                       scenarios[i % G_N_ELEMENTS (scenarios)],
                                                       number, VIRTUAL_NUMBER, EXTENSION, when);
    }
}

static gboolean
repair_run (NcGapRepair   *repair,
            gint64         since,
            gint64         until,
            GCancellable  *cancellable,
            guint         *out_added,
            GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  nc_gap_repair_run_async (repair, since, until, cancellable, got_result, &result);
  return nc_gap_repair_run_finish (repair, wait_result (&result), out_added, error);
}

/* Every call of the store, newest first. */
static GPtrArray *
all_calls (NcStore *store)
{
  g_autoptr(NcCallFilter) filter = nc_call_filter_new ();
  g_autoptr(GError) error = NULL;
  GPtrArray *calls = nc_store_list_calls_sync (store, filter, NULL, 100000, &error);

  g_assert_no_error (error);
  return calls;
}

/* The calls by their pbx_call_id, each once: the hash table holds no call twice. */
static GHashTable *
calls_by_id (GPtrArray *calls)
{
  GHashTable *by_id = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < calls->len; i++)
    {
      NcCallRecord *record = calls->pdata[i];

      g_assert_false (g_hash_table_contains (by_id, record->pbx_call_id));
      g_hash_table_insert (by_id, record->pbx_call_id, record);
    }
  return by_id;
}

static guint
count_recovered (GPtrArray *calls)
{
  guint recovered = 0;

  for (guint i = 0; i < calls->len; i++)
    recovered += ((NcCallRecord *) calls->pdata[i])->recovered ? 1 : 0;
  return recovered;
}

/* ------------------------------------------------------------------------------------ */

/* N calls heard, M missed: the repair adds exactly the M, as recovered, and a second
 * repair of the same span adds nothing. */
static void
test_no_duplicates (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GPtrArray) heard = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) missed = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) calls = NULL;
  g_autoptr(GHashTable) by_id = NULL;
  g_autoptr(GError) error = NULL;
  gint64 since = pbx_now () - 3600, until = pbx_now () + 60;
  NcCallRecord *record;
  guint added = 0;

  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *number = g_strdup_printf ("7900111000%u", i);

      g_ptr_array_add (heard, play (fixture, scenarios[i], number));
    }
  nc_pbx_simulator_set_webhooks_paused (fixture->simulator, TRUE);
  for (guint i = 0; i < 6; i++)
    {
      g_autofree char *number = g_strdup_printf ("7900222000%u", i);

      g_ptr_array_add (missed, play (fixture, scenarios[i % 4], number));
    }
  nc_pbx_simulator_set_webhooks_paused (fixture->simulator, FALSE);
  g_assert_cmpuint (nc_webhook_server_get_health (fixture->listener)->accepted, ==,
                    5 + 4 + 3 + 2);

  g_assert_true (repair_run (fixture->repair, since, until, NULL, &added, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (added, ==, 6);
  g_assert_cmpuint (nc_gap_repair_get_added (fixture->repair), ==, 6);
  g_assert_cmpuint (nc_gap_repair_get_fetched (fixture->repair), ==, 10);
  g_assert_false (nc_gap_repair_get_running (fixture->repair));

  calls = all_calls (fixture->store);
  by_id = calls_by_id (calls);
  g_assert_cmpuint (calls->len, ==, 10);
  g_assert_cmpuint (count_recovered (calls), ==, 6);
  for (guint i = 0; i < heard->len; i++)
    {
      record = g_hash_table_lookup (by_id, heard->pdata[i]);
      g_assert_nonnull (record);
      g_assert_false (record->recovered);
      /* Left as the webhooks made it: its events are still the ones it has. */
      g_assert_cmpuint (record->event_mask, !=, 0);
    }
  for (guint i = 0; i < missed->len; i++)
    {
      record = g_hash_table_lookup (by_id, missed->pdata[i]);
      g_assert_nonnull (record);
      g_assert_true (record->recovered);
      g_assert_cmpint (record->state, ==, NC_CALL_STATE_ENDED);
    }

  /* What the statistics said of each kind of call. */
  record = g_hash_table_lookup (by_id, missed->pdata[0]);
  g_assert_cmpint (record->direction, ==, NC_CALL_DIRECTION_IN);
  g_assert_true (record->answered);
  g_assert_cmpstr (record->client_number, ==, "79002220000");
  g_assert_cmpstr (record->virtual_number, ==, VIRTUAL_NUMBER);
  g_assert_cmpstr (record->employee, ==, EXTENSION);
  g_assert_cmpuint (record->duration, ==, 65);
  g_assert_cmpstr (record->disposition, ==, "answered");
  g_assert_true (record->is_recorded);
  g_assert_nonnull (record->call_id_with_rec);
  /* Recent: the call service fetches its link as for any call. */
  g_assert_cmpint (record->recording, ==, NC_RECORDING_PENDING);
  g_assert_cmpint (record->record_next_try, >, 0);
  record = g_hash_table_lookup (by_id, missed->pdata[1]);
  g_assert_true (nc_call_record_is_missed (record));
  g_assert_cmpstr (record->disposition, ==, "no answer");
  g_assert_false (record->is_recorded);
  g_assert_cmpint (record->recording, ==, NC_RECORDING_NONE);
  record = g_hash_table_lookup (by_id, missed->pdata[3]);
  g_assert_cmpint (record->direction, ==, NC_CALL_DIRECTION_OUT);
  g_assert_false (record->answered);
  g_assert_cmpstr (record->client_number, ==, "79002220003");
  g_assert_cmpstr (record->employee, ==, EXTENSION);
  g_assert_cmpstr (record->disposition, ==, "busy");

  /* Again: every call is known now. */
  g_assert_true (repair_run (fixture->repair, since, until, NULL, &added, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (added, ==, 0);
  g_clear_pointer (&by_id, g_hash_table_unref);
  g_clear_pointer (&calls, g_ptr_array_unref);
  calls = all_calls (fixture->store);
  by_id = calls_by_id (calls);
  g_assert_cmpuint (calls->len, ==, 10);
  g_assert_cmpuint (count_recovered (calls), ==, 6);
  g_assert_null (nc_store_get_meta_sync (fixture->store, NC_GAP_REPAIR_META_CURSOR, &error));
  g_assert_no_error (error);
}

/* A recovered call is the row the webhooks would have made of it. */
static void
test_same_as_webhooks (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GPtrArray) heard = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) webhook_calls = NULL;
  g_autoptr(GPtrArray) recovered_calls = NULL;
  g_autoptr(GHashTable) webhook_rows = NULL;
  g_autoptr(GHashTable) recovered_rows = NULL;
  g_autoptr(NcGapRepair) repair = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  NcStore *other;
  guint added = 0;

  for (guint i = 0; i < G_N_ELEMENTS (scenarios); i++)
    {
      g_autofree char *number = g_strdup_printf ("7900333000%u", i);

      g_ptr_array_add (heard, play (fixture, scenarios[i], number));
    }

  /* A store that heard nothing: all four are recovered into it. */
  other = nc_test_store_new (&dir);
  repair = nc_gap_repair_new (other, fixture->client);
  g_assert_true (repair_run (repair, pbx_now () - 3600, pbx_now () + 60, NULL, &added, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (added, ==, G_N_ELEMENTS (scenarios));

  webhook_calls = all_calls (fixture->store);
  recovered_calls = all_calls (other);
  webhook_rows = calls_by_id (webhook_calls);
  recovered_rows = calls_by_id (recovered_calls);
  for (guint i = 0; i < heard->len; i++)
    {
      const NcCallRecord *webhook = g_hash_table_lookup (webhook_rows, heard->pdata[i]);
      const NcCallRecord *recovered = g_hash_table_lookup (recovered_rows, heard->pdata[i]);

      g_test_message ("%s", (const char *) heard->pdata[i]);
      g_assert_nonnull (webhook);
      g_assert_nonnull (recovered);
      g_assert_false (webhook->recovered);
      g_assert_true (recovered->recovered);
      g_assert_cmpint (recovered->direction, ==, webhook->direction);
      g_assert_cmpint (recovered->state, ==, webhook->state);
      g_assert_cmpint (recovered->answered, ==, webhook->answered);
      g_assert_cmpstr (recovered->started_at, ==, webhook->started_at);
      g_assert_cmpint (recovered->started_unix, ==, webhook->started_unix);
      g_assert_cmpstr (recovered->client_number, ==, webhook->client_number);
      g_assert_cmpstr (recovered->virtual_number, ==, webhook->virtual_number);
      g_assert_cmpstr (recovered->employee, ==, webhook->employee);
      g_assert_cmpuint (recovered->duration, ==, webhook->duration);
      g_assert_cmpstr (recovered->disposition, ==, webhook->disposition);
      g_assert_cmpint (recovered->is_recorded, ==, webhook->is_recorded);
      g_assert_cmpstr (recovered->call_id_with_rec, ==, webhook->call_id_with_rec);
      g_assert_cmpint (recovered->recording, ==, webhook->recording);
    }

  g_clear_object (&repair);
  nc_test_store_free (other, g_steal_pointer (&dir));
}

/* 2 500 calls in the gap: three pages of the API's 1 000. */
static void
test_pages (Fixture       *fixture,
            gconstpointer  data)
{
  GPtrArray *requests = nc_pbx_simulator_get_statistics_requests (fixture->simulator);
  g_autoptr(GPtrArray) calls = NULL;
  g_autoptr(GHashTable) by_id = NULL;
  g_autoptr(GError) error = NULL;
  gint64 now = pbx_now ();
  guint added = 0;

  nc_pbx_simulator_set_webhooks_paused (fixture->simulator, TRUE);
  add_past_calls (fixture, 2500, now - 1800);

  g_assert_true (repair_run (fixture->repair, now - 3600, now, NULL, &added, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (added, ==, 2500);
  g_assert_cmpuint (requests->len, ==, 3);
  for (guint i = 0; i < requests->len; i++)
    {
      g_autofree char *skip = g_strdup_printf ("%u", i * 1000);

      g_assert_cmpstr (g_hash_table_lookup (requests->pdata[i], "skip"), ==, skip);
      g_assert_cmpstr (g_hash_table_lookup (requests->pdata[i], "limit"), ==, "1000");
      g_assert_cmpstr (g_hash_table_lookup (requests->pdata[i], "version"), ==, "2");
    }

  calls = all_calls (fixture->store);
  by_id = calls_by_id (calls);
  g_assert_cmpuint (calls->len, ==, 2500);
  g_assert_cmpuint (count_recovered (calls), ==, 2500);
}

static void
cancel_after_two_pages (NcGapRepair  *repair,
                        GParamSpec   *pspec,
                        GCancellable *cancellable)
{
  if (nc_gap_repair_get_fetched (repair) >= 10)
    g_cancellable_cancel (cancellable);
}

static char *
request_key (GHashTable *params)
{
  return g_strdup_printf ("%s|%s|%s", (const char *) g_hash_table_lookup (params, "start"),
                          (const char *) g_hash_table_lookup (params, "end"),
                          (const char *) g_hash_table_lookup (params, "skip"));
}

/* Stopped after two pages of five, then started again as a start does: it goes on from
 * the third page, asks for no page twice, and the total is right. */
static void
test_resume (Fixture       *fixture,
             gconstpointer  data)
{
  GPtrArray *requests = nc_pbx_simulator_get_statistics_requests (fixture->simulator);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(NcGapRepair) again = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GHashTable) asked = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) calls = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *cursor = NULL;
  gint64 now = pbx_now ();
  guint first = 0, second = 0;
  gboolean found = FALSE;

  nc_pbx_simulator_set_webhooks_paused (fixture->simulator, TRUE);
  add_past_calls (fixture, 25, now - 1800);
  nc_gap_repair_set_page_limit (fixture->repair, 5);
  g_signal_connect (fixture->repair, "notify::fetched", G_CALLBACK (cancel_after_two_pages),
                    cancellable);

  g_assert_false (repair_run (fixture->repair, now - 3600, now + 60, cancellable, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  first = nc_gap_repair_get_added (fixture->repair);
  g_assert_cmpuint (first, ==, 10);
  g_assert_cmpuint (requests->len, ==, 2);
  cursor = nc_store_get_meta_sync (fixture->store, NC_GAP_REPAIR_META_CURSOR, &error);
  g_assert_no_error (error);
  g_assert_nonnull (cursor);

  /* A new process: what a stopped repair did not get to is the gap. */
  again = nc_gap_repair_new (fixture->store, fixture->client);
  nc_gap_repair_set_page_limit (again, 5);
  nc_gap_repair_repair_gap_async (again, NC_GAP_REPAIR_MIN_GAP_SECONDS, NULL, got_result,
                                  &result);
  g_assert_true (nc_gap_repair_repair_gap_finish (again, wait_result (&result), &found, &second,
                                                  &error));
  g_assert_no_error (error);
  g_assert_true (found);
  g_assert_cmpuint (first + second, ==, 25);

  /* Pages of skip 0, 5 | 10, 15, 20, and 25 (empty: the window's end): each once. */
  g_assert_cmpuint (requests->len, ==, 6);
  for (guint i = 0; i < requests->len; i++)
    g_assert_true (g_hash_table_add (asked, request_key (requests->pdata[i])));

  calls = all_calls (fixture->store);
  g_assert_cmpuint (calls->len, ==, 25);
  g_assert_cmpuint (count_recovered (calls), ==, 25);
  g_clear_pointer (&cursor, g_free);
  cursor = nc_store_get_meta_sync (fixture->store, NC_GAP_REPAIR_META_CURSOR, &error);
  g_assert_no_error (error);
  g_assert_null (cursor);
  g_signal_handlers_disconnect_by_data (fixture->repair, cancellable);
}

static void
garbage_next (NcGapRepair    *repair,
              GParamSpec     *pspec,
              NcPbxSimulator *simulator)
{
  if (nc_gap_repair_get_fetched (repair) == 5)
    nc_pbx_simulator_push_fault (simulator, NC_PBX_FAULT_GARBAGE);
}

/* A failure of the outside world (here an answer that is not the API's) ends the run with
 * its error, not a guess; the next run goes on from the page that failed. */
static void
test_failure_resumes (Fixture       *fixture,
                      gconstpointer  data)
{
  GPtrArray *requests = nc_pbx_simulator_get_statistics_requests (fixture->simulator);
  g_autoptr(GHashTable) asked = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) calls = NULL;
  g_autoptr(GError) error = NULL;
  gint64 now = pbx_now ();
  guint first, second = 0;

  nc_pbx_simulator_set_webhooks_paused (fixture->simulator, TRUE);
  add_past_calls (fixture, 12, now - 1800);
  nc_gap_repair_set_page_limit (fixture->repair, 5);
  g_signal_connect (fixture->repair, "notify::fetched", G_CALLBACK (garbage_next),
                    fixture->simulator);

  g_assert_false (repair_run (fixture->repair, now - 3600, now, NULL, NULL, &error));
  g_assert_error (error, NC_ZADARMA_ERROR, NC_ZADARMA_ERROR_PROTOCOL);
  g_clear_error (&error);
  first = nc_gap_repair_get_added (fixture->repair);
  g_assert_cmpuint (first, ==, 5);
  g_signal_handlers_disconnect_by_data (fixture->repair, fixture->simulator);

  g_assert_true (repair_run (fixture->repair, now - 3600, now, NULL, &second, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (first + second, ==, 12);
  /* skip 0 | 5 (refused, then asked again), 10: each page served once. */
  g_assert_cmpuint (requests->len, ==, 3);
  for (guint i = 0; i < requests->len; i++)
    g_assert_true (g_hash_table_add (asked, request_key (requests->pdata[i])));
  calls = all_calls (fixture->store);
  g_assert_cmpuint (calls->len, ==, 12);
}

static void
note_waiting (NcGapRepair *repair,
              GParamSpec  *pspec,
              guint       *most)
{
  *most = MAX (*most, nc_gap_repair_get_waiting (repair));
}

/* A 429 is waited out, as long as the API says, and the page asked for again. */
static void
test_rate_limited (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 now = pbx_now ();
  gint64 started;
  guint added = 0, most = 0;

  nc_pbx_simulator_set_webhooks_paused (fixture->simulator, TRUE);
  add_past_calls (fixture, 3, now - 600);
  nc_pbx_simulator_set_rate_limit_reset (fixture->simulator, 1);
  nc_pbx_simulator_push_fault (fixture->simulator, NC_PBX_FAULT_RATE_LIMIT);
  g_signal_connect (fixture->repair, "notify::waiting", G_CALLBACK (note_waiting), &most);

  started = g_get_monotonic_time ();
  g_assert_true (repair_run (fixture->repair, now - 3600, now, NULL, &added, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (added, ==, 3);
  g_assert_cmpuint (most, ==, 1);
  g_assert_cmpuint (nc_gap_repair_get_waiting (fixture->repair), ==, 0);
  g_assert_cmpint (g_get_monotonic_time () - started, >=, 900 * 1000);
  /* The refused request, then the page once. */
  g_assert_cmpuint (nc_pbx_simulator_get_request_count (fixture->simulator), ==, 2);
  g_assert_cmpuint (nc_pbx_simulator_get_statistics_requests (fixture->simulator)->len, ==, 1);
  g_signal_handlers_disconnect_by_data (fixture->repair, &most);
}

/* The documented budget, three a minute, shared through the store: a fourth request in
 * the minute is refused before it is sent, and waited for. */
static void
test_local_budget_waits (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 now = pbx_now ();
  guint added = 0, most = 0;

  if (!g_test_slow ())
    {
      g_test_skip ("waits a minute for the statistics' budget: run with -m slow");
      return;
    }
  nc_zadarma_client_set_limit (fixture->client, "statistics", 0);
  nc_pbx_simulator_set_webhooks_paused (fixture->simulator, TRUE);
  add_past_calls (fixture, 4, now - 600);
  nc_gap_repair_set_page_limit (fixture->repair, 1);
  g_signal_connect (fixture->repair, "notify::waiting", G_CALLBACK (note_waiting), &most);

  g_assert_true (repair_run (fixture->repair, now - 3600, now, NULL, &added, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (added, ==, 4);
  g_assert_cmpuint (most, >, 0);
  g_assert_cmpuint (nc_pbx_simulator_get_statistics_requests (fixture->simulator)->len, ==, 5);
  g_signal_handlers_disconnect_by_data (fixture->repair, &most);
}

/* Seventy-five days: three windows of at most a month, the end of each the start of the
 * next; the simulator refuses longer, as the API does. */
static void
test_months (Fixture       *fixture,
             gconstpointer  data)
{
  static const char *const inside[] = {
    "2026-08-10 00:00:00", "2026-08-15 12:00:00", "2026-09-10 00:00:00",
    "2026-09-15 12:00:00", "2026-10-15 12:00:00", "2026-10-24 23:59:59",
  };
  static const char *const outside[] = { "2026-08-09 23:59:59", "2026-10-25 00:00:00" };
  static const char *const windows[][2] = {
    { "2026-08-10 00:00:00", "2026-09-09 23:59:59" },
    { "2026-09-10 00:00:00", "2026-10-09 23:59:59" },
    { "2026-10-10 00:00:00", "2026-10-24 23:59:59" },
  };
  GPtrArray *requests = nc_pbx_simulator_get_statistics_requests (fixture->simulator);
  g_autoptr(GPtrArray) calls = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) page = NULL;
  g_autoptr(GError) error = NULL;
  guint added = 0;

  for (guint i = 0; i < G_N_ELEMENTS (inside); i++)
    g_free (nc_pbx_simulator_add_call (fixture->simulator, NC_PBX_CALL_INCOMING_ANSWERED,
                                       "79004443322", VIRTUAL_NUMBER, EXTENSION, inside[i]));
  for (guint i = 0; i < G_N_ELEMENTS (outside); i++)
    g_free (nc_pbx_simulator_add_call (fixture->simulator, NC_PBX_CALL_INCOMING_ANSWERED,
                                       "79004443322", VIRTUAL_NUMBER, EXTENSION, outside[i]));

  g_assert_true (repair_run (fixture->repair, nc_call_parse_pbx_time ("2026-08-10 00:00:00"),
                             nc_call_parse_pbx_time ("2026-10-25 00:00:00"), NULL, &added,
                             &error));
  g_assert_no_error (error);
  g_assert_cmpuint (added, ==, G_N_ELEMENTS (inside));
  g_assert_cmpuint (requests->len, ==, G_N_ELEMENTS (windows));
  for (guint i = 0; i < requests->len; i++)
    {
      g_assert_cmpstr (g_hash_table_lookup (requests->pdata[i], "start"), ==, windows[i][0]);
      g_assert_cmpstr (g_hash_table_lookup (requests->pdata[i], "end"), ==, windows[i][1]);
    }
  g_assert_cmpint (nc_gap_repair_get_position (fixture->repair), ==,
                   nc_call_parse_pbx_time ("2026-10-25 00:00:00"));

  /* Months old: their recordings are asked for only when someone opens one. */
  calls = all_calls (fixture->store);
  g_assert_cmpuint (calls->len, ==, G_N_ELEMENTS (inside));
  for (guint i = 0; i < calls->len; i++)
    {
      const NcCallRecord *record = calls->pdata[i];

      if (record->started_unix < pbx_now () - (NC_GAP_REPAIR_RECORDING_DAYS + 1) * 86400)
        g_assert_cmpint (record->recording, ==, NC_RECORDING_FAILED);
      g_assert_true (record->is_recorded);
    }

  /* A month and a second is one second too long. */
  nc_zadarma_client_statistics_async (fixture->client, "2026-08-10 00:00:00",
                                      "2026-09-10 00:00:01", 0, 1000, NULL, got_result, &result);
  page = nc_zadarma_client_statistics_finish (fixture->client, wait_result (&result), &error);
  g_assert_null (page);
  g_assert_error (error, NC_ZADARMA_ERROR, NC_ZADARMA_ERROR_API);
  g_assert_cmpuint (requests->len, ==, G_N_ELEMENTS (windows));
}

/* When a start repairs: after a silence of more than a couple of minutes since the later
 * of the heartbeat and the last event, or where a stopped repair left off. */
static void
test_find_gap (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) fields = NULL;
  g_autofree char *heartbeat = NULL;
  g_autofree char *call_start = NULL;
  gint64 now_us = g_get_real_time ();
  gint64 now = now_us / G_USEC_PER_SEC;
  gint64 offset = local_offset ();
  gint64 since = 0, until = 0;

  /* Nothing ever listened: there is nothing to repair. */
  g_assert_false (nc_gap_repair_find_gap_sync (fixture->store, now_us, 120, &since, &until,
                                               &error));
  g_assert_no_error (error);

  heartbeat = g_strdup_printf ("%" G_GINT64_FORMAT, now - 30);
  g_assert_true (nc_store_set_meta_sync (fixture->store, NC_GAP_REPAIR_META_HEARTBEAT, heartbeat,
                                         &error));
  g_assert_false (nc_gap_repair_find_gap_sync (fixture->store, now_us, 120, &since, &until,
                                               &error));
  g_assert_no_error (error);

  g_free (heartbeat);
  heartbeat = g_strdup_printf ("%" G_GINT64_FORMAT, now - 600);
  g_assert_true (nc_store_set_meta_sync (fixture->store, NC_GAP_REPAIR_META_HEARTBEAT, heartbeat,
                                         &error));
  g_assert_true (nc_gap_repair_find_gap_sync (fixture->store, now_us, 120, &since, &until,
                                              &error));
  g_assert_no_error (error);
  g_assert_cmpint (since, ==, now - 600 + offset - NC_GAP_REPAIR_MARGIN_SECONDS);
  g_assert_cmpint (until, ==, now + offset);

  /* An event after the heartbeat: the listener was alive then. */
  call_start = nc_call_format_pbx_time (now - 100 + offset);
  fields = nc_test_fields ("call_start", call_start, "pbx_call_id", "in_find_gap",
                           "caller_id", "79004443322", "called_did", VIRTUAL_NUMBER, NULL);
  nc_test_store_event (fixture->store, "NOTIFY_START", fields, (now - 100) * G_USEC_PER_SEC);
  g_assert_false (nc_gap_repair_find_gap_sync (fixture->store, now_us, 120, &since, &until,
                                               &error));
  g_assert_no_error (error);
  g_assert_true (nc_gap_repair_find_gap_sync (fixture->store, now_us, 60, &since, &until,
                                              &error));
  g_assert_cmpint (since, ==, now - 100 + offset - NC_GAP_REPAIR_MARGIN_SECONDS);

  /* A repair that was stopped: the rest of it is the gap, whatever the heartbeat says. */
  g_free (heartbeat);
  heartbeat = g_strdup_printf ("%" G_GINT64_FORMAT, now);
  g_assert_true (nc_store_set_meta_sync (fixture->store, NC_GAP_REPAIR_META_HEARTBEAT, heartbeat,
                                         &error));
  g_assert_true (nc_store_set_meta_sync (fixture->store, NC_GAP_REPAIR_META_CURSOR,
                                         "1 1000 2000 1500 1600 5", &error));
  g_assert_true (nc_gap_repair_find_gap_sync (fixture->store, now_us, 120, &since, &until,
                                              &error));
  g_assert_no_error (error);
  g_assert_cmpint (since, ==, 1000);
  g_assert_cmpint (until, ==, now + offset);
}

/* The PBX's clock is told by the calls the webhooks brought, not by this machine's zone. */
static void
test_pbx_offset (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 received = g_get_real_time () / G_USEC_PER_SEC - 3600;

  g_assert_cmpint (nc_gap_repair_pbx_offset_sync (fixture->store, &error), ==, local_offset ());
  g_assert_no_error (error);

  /* Three hours ahead (Moscow, say), the first event two seconds after the start. */
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *start = nc_call_format_pbx_time (received + i * 60 + 3 * 3600 - 2);
      g_autofree char *id = g_strdup_printf ("in_offset_%u", i);
      g_autoptr(GHashTable) fields = nc_test_fields ("call_start", start, "pbx_call_id", id,
                                                     "caller_id", "79004443322",
                                                     "called_did", VIRTUAL_NUMBER, NULL);

      nc_test_store_event (fixture->store, "NOTIFY_START", fields,
                           (received + i * 60) * G_USEC_PER_SEC);
    }
  g_assert_cmpint (nc_gap_repair_pbx_offset_sync (fixture->store, &error), ==, 3 * 3600);
  g_assert_no_error (error);
}

static gint64
stored_heartbeat (NcStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = nc_store_get_meta_sync (store, NC_GAP_REPAIR_META_HEARTBEAT, &error);

  g_assert_no_error (error);
  return text != NULL ? g_ascii_strtoll (text, NULL, 10) : 0;
}

/* A start: the gap is found before the first heartbeat can hide it; then the heartbeat
 * keeps the listener's sign of life, and the next start finds no gap. */
static void
test_heartbeat (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stale = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 deadline, since = 0, until = 0;
  gboolean found = FALSE;
  guint added = 0;

  stale = g_strdup_printf ("%" G_GINT64_FORMAT, now - 600);
  g_assert_true (nc_store_set_meta_sync (fixture->store, NC_GAP_REPAIR_META_HEARTBEAT, stale,
                                         &error));
  nc_pbx_simulator_set_webhooks_paused (fixture->simulator, TRUE);
  add_past_calls (fixture, 2, pbx_now () - 300);

  nc_gap_repair_repair_gap_async (fixture->repair, NC_GAP_REPAIR_MIN_GAP_SECONDS, NULL,
                                  got_result, &result);
  nc_gap_repair_start_heartbeat (fixture->repair);
  g_assert_true (nc_gap_repair_repair_gap_finish (fixture->repair, wait_result (&result), &found,
                                                  &added, &error));
  g_assert_no_error (error);
  g_assert_true (found);
  g_assert_cmpuint (added, ==, 2);

  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (stored_heartbeat (fixture->store) < now && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpint (stored_heartbeat (fixture->store), >=, now);
  nc_gap_repair_stop_heartbeat (fixture->repair);

  g_assert_false (nc_gap_repair_find_gap_sync (fixture->store, g_get_real_time (),
                                               NC_GAP_REPAIR_MIN_GAP_SECONDS, &since, &until,
                                               &error));
  g_assert_no_error (error);
}

/* ------------------------------------------------------------------------------------ */
/* The command                                                                           */

/* The real program on @dir, with no display and no session bus: the credentials and the
 * server come from the environment; the simulator answers from this loop meanwhile. */
static NcTestRun
program (Fixture    *fixture,
         const char *dir,
         const char *secret,
         ...)
{
  g_autofree char *home = g_build_filename (dir, "home", NULL);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  NcTestRun run;
  va_list args;

  g_assert_cmpint (g_mkdir_with_parents (home, 0700), ==, 0);
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "WAYLAND_DISPLAY");
  g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent",
                                TRUE);
  g_subprocess_launcher_setenv (launcher, "HOME", home, TRUE);
  g_subprocess_launcher_setenv (launcher, "NOVOFON_API_URL", fixture->url, TRUE);
  g_subprocess_launcher_setenv (launcher, "NOVOFON_API_KEY", KEY, TRUE);
  g_subprocess_launcher_setenv (launcher, "NOVOFON_API_SECRET", secret, TRUE);

  va_start (args, secret);
  run = nc_test_program_valist (launcher, NULL, dir, args);
  va_end (args);
  return run;
}

/* `calls repair` end to end: against the simulator, on a data folder where two calls were
 * heard and three were not. */
static void
test_command (Fixture       *fixture,
              gconstpointer  data)
{
  g_autofree char *dir = nc_test_make_temp_dir ();
  g_autofree char *since = nc_call_format_pbx_time (pbx_now () - 3600);
  g_autoptr(GPtrArray) calls = NULL;
  g_autoptr(GHashTable) by_id = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *requests = nc_pbx_simulator_get_statistics_requests (fixture->simulator);
  NcWebhookServer *listener;
  NcStore *store;
  NcTestRun run;

  /* Two calls heard by a listener on that folder… */
  store = nc_store_open_sync (dir, &error);
  g_assert_no_error (error);
  listener = listen_for (fixture->simulator, store);
  g_free (play (fixture, NC_PBX_CALL_INCOMING_ANSWERED, "79004440001"));
  g_free (play (fixture, NC_PBX_CALL_OUTGOING_ANSWERED, "79004440002"));
  nc_webhook_server_stop (listener);
  nc_test_wait_for_last_reference (listener);
  g_assert_finalize_object (listener);
  nc_test_wait_for_last_reference (store);
  g_assert_finalize_object (store);
  /* …three it never heard. */
  nc_pbx_simulator_set_webhooks_paused (fixture->simulator, TRUE);
  add_past_calls (fixture, 3, pbx_now () - 1800);
  /* The command repairs up to the second it starts: the calls heard are of an earlier one. */
  g_usleep (1100 * 1000);

  run = program (fixture, dir, SECRET, "calls", "repair", "--since", since, NULL);
  g_test_message ("%s", run.err);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, "Calls recovered: 3 (read from the PBX’s statistics: 5).\n");
  g_assert_nonnull (strstr (run.err, "Read 5 calls from the PBX’s statistics"));
  g_assert_cmpuint (requests->len, ==, 1);
  g_assert_cmpstr (g_hash_table_lookup (requests->pdata[0], "start"), ==, since);
  nc_test_run_clear (&run);

  /* Again: nothing is added twice. */
  run = program (fixture, dir, SECRET, "calls", "repair", "--since", since, NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, "Calls recovered: 0 (read from the PBX’s statistics: 5).\n");
  nc_test_run_clear (&run);

  /* Without --since: the last event is a moment ago, so nothing is missing. */
  run = program (fixture, dir, SECRET, "calls", "repair", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "No calls are missing"));
  g_assert_cmpuint (requests->len, ==, 2);
  nc_test_run_clear (&run);

  /* Bad usage says so and asks for nothing. */
  run = program (fixture, dir, SECRET, "calls", "repair", "--since", "yesterday", NULL);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "YYYY-MM-DD HH:MM:SS"));
  nc_test_run_clear (&run);
  run = program (fixture, dir, SECRET, "calls", "repair", "--until", since, NULL);
  g_assert_cmpint (run.status, ==, 2);
  nc_test_run_clear (&run);

  /* A wrong Secret: the exit code of credentials, the Secret in no word of it. */
  run = program (fixture, dir, WRONG_SECRET, "calls", "repair", "--since", since, NULL);
  g_assert_cmpint (run.status, ==, 3);
  g_assert_nonnull (strstr (run.err, "401"));
  g_assert_null (strstr (run.err, WRONG_SECRET));
  g_assert_null (strstr (run.out, WRONG_SECRET));
  nc_test_run_clear (&run);
  g_assert_cmpuint (requests->len, ==, 2);

  store = nc_store_open_sync (dir, &error);
  g_assert_no_error (error);
  calls = all_calls (store);
  by_id = calls_by_id (calls);
  g_assert_cmpuint (calls->len, ==, 5);
  g_assert_cmpuint (count_recovered (calls), ==, 3);
  g_clear_pointer (&by_id, g_hash_table_unref);
  g_clear_pointer (&calls, g_ptr_array_unref);
  nc_test_store_free (store, g_steal_pointer (&dir));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/gap-repair/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("no-duplicates", test_no_duplicates);
  ADD ("same-as-webhooks", test_same_as_webhooks);
  ADD ("pages", test_pages);
  ADD ("resume", test_resume);
  ADD ("failure-resumes", test_failure_resumes);
  ADD ("rate-limited", test_rate_limited);
  ADD ("local-budget-waits", test_local_budget_waits);
  ADD ("months", test_months);
  ADD ("find-gap", test_find_gap);
  ADD ("pbx-offset", test_pbx_offset);
  ADD ("heartbeat", test_heartbeat);
  ADD ("command", test_command);
#undef ADD

  return nc_test_run ();
}
