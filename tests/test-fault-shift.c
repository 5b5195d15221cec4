/* test-fault-shift.c — a shift of calls while the API fails in every way it can
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The core as `listen` runs it — store, matcher, the tracker following the store's change
 * log, the call service, the listener — takes a shift of simulated calls for
 * NC_FAULT_SHIFT_SECONDS (6 by default; build-aux/bench runs it for five minutes):
 *   - incoming calls, answered and recorded or missed, from known and unknown numbers,
 *     several at once; each recording link is asked of the API, which meanwhile answers
 *     with timeouts, 5xx, 429, garbage, API errors and dropped connections;
 *   - click-to-call, one after another, each answered by the API with one of those faults
 *     or well; a callback the PBX accepted becomes an outgoing call it plays back.
 * The PBX is two simulators: one takes the callbacks and nothing else, so that each
 * callback request is counted where it arrives; the other answers the recording requests
 * and plays the incoming calls.
 *
 * Then the faults stop, and: nothing crashed; every event of every call is stored exactly
 * once and every call is a row of the journal, ended, with its client; each callback
 * request reached the PBX exactly once — never retried, never resent — with the outcome its
 * answer means; each accepted callback is one outgoing call tied to its request by the
 * store, and a refused one is none; and every recorded call ends with its link, however
 * often it was refused meanwhile: fetched in the store (with the PBX's rate limits and the
 * shared budget waited for, and failures retried with backoff), and the link of each
 * client's last call in its variable zadarma_record_link. All of it is read from the
 * store, as a restarted process would find it.
 *
 * NC_FAULT_SHIFT_REPORT names a file to write Markdown rows of the totals to.
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <libsoup/soup.h>

#include "nc-call-service.h"
#include "nc-pbx-simulator.h"
#include "nc-test-util.h"
#include "nc-webhook-server.h"
#include "nc-zadarma-call.h"

#define KEY "a1b2c3d4e5f6a7b8c9d0"
#define SECRET "c3e9a1b2d4f60718293a4b5c6d7e8f90"
#define TOKEN "fault-shift-token-0123456789"
#define EMPLOYEE "100"
#define VIRTUAL_NUMBER "79500000033"
#define DID "74951234567"
#define KNOWN_CLIENTS 20
#define INCOMING_EVERY_MS 200
#define CALLBACK_EVERY_MS 700     /* under the 100 requests a minute of the API budget */
#define STEP_MS 20                /* between two events of a call */
#define RETRY_UNIT_MS 100         /* the call service's backoff: 1 s, …, doubling past 1 s */
#define JOURNAL_PAGE 100

/* What the callback PBX does to one callback request. */
typedef enum
{
  OUTCOME_ANSWERED,
  OUTCOME_RATE_LIMIT,
  OUTCOME_SERVER_ERROR,
  OUTCOME_GARBAGE,
  OUTCOME_API_ERROR,
  OUTCOME_SILENCE,
  OUTCOME_DROP,
  N_OUTCOMES
} Outcome;

static const struct
{
  const char *name;
  NcPbxFault  fault;
  int         error_code;   /* NC_ZADARMA_ERROR_…, or -1 for success */
} outcomes[N_OUTCOMES] = {
  [OUTCOME_ANSWERED] = { "answered", 0, -1 },
  [OUTCOME_RATE_LIMIT] = { "429", NC_PBX_FAULT_RATE_LIMIT, NC_ZADARMA_ERROR_RATE_LIMITED },
  [OUTCOME_SERVER_ERROR] = { "502", NC_PBX_FAULT_SERVER_ERROR, NC_ZADARMA_ERROR_SERVER },
  [OUTCOME_GARBAGE] = { "garbage", NC_PBX_FAULT_GARBAGE, NC_ZADARMA_ERROR_PROTOCOL },
  [OUTCOME_API_ERROR] = { "API error", NC_PBX_FAULT_API_ERROR, NC_ZADARMA_ERROR_API },
  [OUTCOME_SILENCE] = { "timeout", NC_PBX_FAULT_SILENCE, NC_ZADARMA_ERROR_TIMEOUT },
  [OUTCOME_DROP] = { "dropped", NC_PBX_FAULT_DROP, NC_ZADARMA_ERROR_NETWORK },
};

/* In this order: a short shift has each, and one 429 (whose 42 s every request waits for). */
static const NcPbxFault api_faults[] = {
  NC_PBX_FAULT_SERVER_ERROR, NC_PBX_FAULT_GARBAGE, NC_PBX_FAULT_API_ERROR,
  NC_PBX_FAULT_SILENCE, NC_PBX_FAULT_DROP, NC_PBX_FAULT_RATE_LIMIT,
};

typedef struct
{
  char              *pbx_call_id;   /* once played */
  NcPbxCallScenario  scenario;
  char              *client_number;
  gint64             request_id;    /* of the click-to-call, for outgoing calls */
  gboolean           done;
} Played;

typedef struct
{
  gint64   request_id;
  char    *client_number;
  Outcome  outcome;
  guint    requests_before;
  guint    requests_after;
  gboolean done;
  GError  *error;
} Attempt;

typedef struct
{
  char            *dir;
  NcStore         *store;
  NcClientMatcher *matcher;
  NcCallTracker   *tracker;
  NcCallService   *service;
  NcWebhookServer *listener;
  NcPbxSimulator  *api;          /* recording links; plays the incoming calls */
  NcPbxSimulator  *callbacks;    /* callbacks only; plays the outgoing calls */
  NcZadarmaClient *api_client;
  NcZadarmaClient *callback_client;
  GRand           *rand;
  GPtrArray       *played;       /* Played */
  GPtrArray       *attempts;     /* Attempt */
  Attempt         *current;      /* the callback on its way, one at a time */
  GHashTable      *journal;      /* pbx_call_id → NcCallRecord, read once the shift is over */
  guint            failed_attempts;  /* requests for a link that failed, to be asked again */
  guint            api_faults_pushed;
  guint            api_requests_at_push;
  guint            recorded;
  guint            linked;
  guint            incoming;
  gboolean         shift_over;
} Shift;

static Shift *the_shift;

/* The call service says so when a request for a recording's link failed (it asks again
 * later): expected here, counted and not printed. Anything else goes to the default
 * writer, where a warning is fatal. */
static GLogWriterOutput
log_writer (GLogLevelFlags   log_level,
            const GLogField *fields,
            gsize            n_fields,
            gpointer         user_data)
{
  const char *domain = NULL, *message = NULL;

  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
      domain = fields[i].value;
    else if (g_str_equal (fields[i].key, "MESSAGE"))
      message = fields[i].value;

  if ((log_level & G_LOG_LEVEL_MESSAGE) && the_shift != NULL &&
      g_strcmp0 (domain, "nc-call-service") == 0 && message != NULL &&
      g_str_has_prefix (message, "Could not get the recording of call "))
    {
      the_shift->failed_attempts++;
      return G_LOG_WRITER_HANDLED;
    }
  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

static void
played_free (Played *played)
{
  g_free (played->pbx_call_id);
  g_free (played->client_number);
  g_free (played);
}

static void
attempt_free (Attempt *attempt)
{
  g_free (attempt->client_number);
  g_clear_error (&attempt->error);
  g_free (attempt);
}

static void
call_played (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Played *played = user_data;
  g_autoptr(GError) error = NULL;

  /* The listener is not what fails here: every event of every call is acknowledged. */
  played->pbx_call_id = nc_pbx_simulator_play_call_finish (NC_PBX_SIMULATOR (source), result,
                                                           &error);
  g_assert_no_error (error);
  played->done = TRUE;
}

static Played *
play (Shift             *shift,
      NcPbxSimulator    *simulator,
      NcPbxCallScenario  scenario,
      const char        *client_number,
      gint64             request_id)
{
  Played *played = g_new0 (Played, 1);

  played->scenario = scenario;
  played->client_number = g_strdup (client_number);
  played->request_id = request_id;
  g_ptr_array_add (shift->played, played);
  nc_pbx_simulator_play_call_async (simulator, scenario, client_number, VIRTUAL_NUMBER,
                                    EMPLOYEE, STEP_MS, NULL, call_played, played);
  return played;
}

static gboolean
next_incoming (gpointer user_data)
{
  Shift *shift = user_data;
  guint who = (guint) g_rand_int_range (shift->rand, 0, KNOWN_CLIENTS * 2);
  g_autofree char *number = g_strdup_printf ("7916%07u", who);   /* half of them known */
  NcPbxCallScenario scenario = g_rand_boolean (shift->rand) ? NC_PBX_CALL_INCOMING_ANSWERED
                                                            : NC_PBX_CALL_INCOMING_MISSED;

  if (shift->shift_over)
    return G_SOURCE_REMOVE;

  /* Now and then the API is about to fail whatever asks it next: a recording link. Every
   * fault in turn, so that even a short shift has each. A fault waits for the next
   * request, however late: one is pushed only once the one before met a request, so that
   * faults do not pile up while the service waits (for a 429's 42 s, say). */
  if (g_rand_int_range (shift->rand, 0, 3) == 0 &&
      nc_pbx_simulator_get_request_count (shift->api) > shift->api_requests_at_push)
    {
      shift->api_requests_at_push = nc_pbx_simulator_get_request_count (shift->api);
      nc_pbx_simulator_push_fault (shift->api,
                                   api_faults[shift->api_faults_pushed++ %
                                              G_N_ELEMENTS (api_faults)]);
    }
  play (shift, shift->api, scenario, number, 0);
  shift->incoming++;
  return G_SOURCE_CONTINUE;
}

/* The PBX took a callback: it rings the employee, then the client, and tells the
 * listener, as the real one does. */
static void
callback_requested (NcPbxSimulator *simulator,
                    const char     *from,
                    const char     *to,
                    const char     *sip,
                    Shift          *shift)
{
  g_assert_nonnull (shift->current);
  g_assert_cmpstr (to, ==, shift->current->client_number);
  play (shift, simulator,
        g_rand_boolean (shift->rand) ? NC_PBX_CALL_OUTGOING_ANSWERED : NC_PBX_CALL_OUTGOING_BUSY,
        to, shift->current->request_id);
}

static void
callback_placed (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Attempt *attempt = user_data;
  g_autoptr(NcZadarmaCallback) callback = nc_zadarma_client_callback_finish (NC_ZADARMA_CLIENT (source),
                                                                            result, &attempt->error);

  g_assert_true ((callback == NULL) == (attempt->error != NULL));
  attempt->requests_after = nc_pbx_simulator_get_request_count (the_shift->callbacks);
  attempt->done = TRUE;
  the_shift->current = NULL;

  /* As the dialer does: nothing rings, so the guard lets go at once, and no call came. */
  if (attempt->error != NULL)
    {
      g_autoptr(GError) error = NULL;

      g_assert_cmpint (nc_store_end_callback_request_sync (the_shift->store, attempt->request_id,
                                                           &error), ==, NC_CALLBACK_EXPIRED);
      g_assert_no_error (error);
    }
}

static gboolean
next_callback (gpointer user_data)
{
  Shift *shift = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(NcCallRequest) request = NULL;
  Attempt *attempt;

  if (shift->shift_over)
    return G_SOURCE_REMOVE;
  if (shift->current != NULL)
    return G_SOURCE_CONTINUE;   /* a timeout takes a second: one callback at a time */

  attempt = g_new0 (Attempt, 1);
  /* Every outcome in turn, so that even a short shift has each. */
  attempt->outcome = (Outcome) (shift->attempts->len % N_OUTCOMES);
  attempt->client_number = g_strdup_printf ("7926555%04u", shift->attempts->len);
  g_ptr_array_add (shift->attempts, attempt);

  request = nc_call_request_new (attempt->client_number, VIRTUAL_NUMBER, EMPLOYEE, &error);
  g_assert_no_error (error);
  if (attempt->outcome != OUTCOME_ANSWERED)
    nc_pbx_simulator_push_fault (shift->callbacks, outcomes[attempt->outcome].fault);

  /* As the dialer does it: the store takes the guard (the NOTIFY_OUT_START that follows
   * is tied to it by the store's writer), then the API is asked. */
  attempt->request_id = nc_store_request_callback_sync (shift->store, request->client_phone,
                                                        request->employee_id,
                                                        g_get_real_time (),
                                                        NC_CALLBACK_WINDOW_SECONDS, &error);
  g_assert_no_error (error);
  g_assert_cmpint (attempt->request_id, >, 0);
  attempt->requests_before = nc_pbx_simulator_get_request_count (shift->callbacks);
  shift->current = attempt;
  nc_zadarma_client_callback_async (shift->callback_client, request->employee_id,
                                    request->client_phone, request->employee_id, NULL,
                                    callback_placed, attempt);
  return G_SOURCE_CONTINUE;
}

/* Whatever the webhooks and the callbacks are doing is over. */
static gboolean
calls_done (Shift *shift)
{
  if (shift->current != NULL || nc_webhook_server_get_pending (shift->listener) > 0)
    return FALSE;
  for (guint i = 0; i < shift->played->len; i++)
    if (!((Played *) shift->played->pdata[i])->done)
      return FALSE;
  return TRUE;
}

/* What the store says of the recordings, as any process would read it. */
typedef struct
{
  gint64 recorded;
  gint64 fetched;
  gint64 failed;
  gint64 next_try;   /* the latest a pending one is to be asked for, Unix seconds; 0: none */
} Recordings;

static Recordings
read_recordings (Shift *shift)
{
  const char *path = nc_store_get_path (shift->store);
  Recordings recordings;

  recordings.recorded = nc_test_sql_int (path, "SELECT count(*) FROM calls WHERE is_recorded = 1");
  recordings.fetched = nc_test_sql_int (path, "SELECT count(*) FROM calls WHERE recording = 2");
  recordings.failed = nc_test_sql_int (path, "SELECT count(*) FROM calls WHERE recording = 3");
  recordings.next_try = MAX (0, nc_test_sql_int (path, "SELECT max(record_next_try) FROM calls "
                                                       "WHERE recording = 1"));
  return recordings;
}

static guint
events_of (NcPbxCallScenario scenario)
{
  switch (scenario)
    {
    case NC_PBX_CALL_INCOMING_ANSWERED:
      return 5;
    case NC_PBX_CALL_INCOMING_MISSED:
      return 4;
    case NC_PBX_CALL_OUTGOING_ANSWERED:
      return 3;
    case NC_PBX_CALL_OUTGOING_BUSY:
      return 2;
    default:
      g_assert_not_reached ();
    }
}

static gboolean
is_recorded (NcPbxCallScenario scenario)
{
  return scenario == NC_PBX_CALL_INCOMING_ANSWERED || scenario == NC_PBX_CALL_OUTGOING_ANSWERED;
}

static void
set_up (Shift *shift)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) drafts = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *api_url = NULL;
  g_autofree char *callbacks_url = NULL;
  g_autofree char *hook = NULL;

  shift->dir = nc_test_make_temp_dir ();
  shift->store = nc_store_open_sync (shift->dir, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < KNOWN_CLIENTS; i++)
    {
      g_autofree char *name = g_strdup_printf ("Client %u", i);
      g_autofree char *phone = g_strdup_printf ("7916%07u", i);

      g_ptr_array_add (drafts, nc_client_new (0, name, NC_CHANNEL_TELEPHONY, phone, 0));
    }
  g_assert_true (nc_store_add_clients_sync (shift->store, drafts, NULL, &error));
  g_assert_no_error (error);

  shift->matcher = nc_client_matcher_new (shift->store);
  shift->tracker = nc_call_tracker_new ();
  g_assert_true (nc_call_tracker_start_sync (shift->tracker, shift->store, &error));
  g_assert_no_error (error);
  shift->service = nc_call_service_new (shift->store, shift->matcher, shift->tracker);
  /* The backoff in hundreds of milliseconds (the store keeps seconds: 1 s at least). */
  nc_call_service_set_retry_unit (shift->service, RETRY_UNIT_MS);

  shift->api = nc_pbx_simulator_new (KEY, SECRET);
  g_assert_true (nc_pbx_simulator_start (shift->api, 0, &error));
  g_assert_no_error (error);
  shift->callbacks = nc_pbx_simulator_new (KEY, SECRET);
  g_assert_true (nc_pbx_simulator_start (shift->callbacks, 0, &error));
  g_assert_no_error (error);
  g_signal_connect (shift->callbacks, "callback-requested", G_CALLBACK (callback_requested),
                    shift);

  /* Short timeouts and retries, as tests want them; the same code paths. */
  api_url = nc_pbx_simulator_get_url (shift->api);
  shift->api_client = nc_zadarma_client_new (api_url, KEY, SECRET);
  nc_zadarma_client_set_budget (shift->api_client, NC_REQUEST_BUDGET (shift->store));
  nc_zadarma_client_set_timeout (shift->api_client, 1);
  nc_zadarma_client_set_retries (shift->api_client, 2, 20);
  nc_call_service_set_client (shift->service, shift->api_client);
  /* As the session does when it runs the listener. */
  nc_call_service_start (shift->service);
  callbacks_url = nc_pbx_simulator_get_url (shift->callbacks);
  shift->callback_client = nc_zadarma_client_new (callbacks_url, KEY, SECRET);
  nc_zadarma_client_set_timeout (shift->callback_client, 1);
  nc_zadarma_client_set_retries (shift->callback_client, 2, 20);

  shift->listener = nc_webhook_server_new (shift->store, SECRET, TOKEN);
  nc_webhook_server_set_matcher (shift->listener, shift->matcher);
  g_assert_true (nc_webhook_server_listen (shift->listener, "127.0.0.1", 0, &error));
  g_assert_no_error (error);
  hook = g_strdup_printf ("http://127.0.0.1:%u/zadarma_webhook/" TOKEN,
                          nc_webhook_server_get_port (shift->listener));
  nc_pbx_simulator_set_webhook_target (shift->api, hook);
  nc_pbx_simulator_set_webhook_target (shift->callbacks, hook);

  shift->rand = g_rand_new_with_seed (11);
  shift->played = g_ptr_array_new_with_free_func ((GDestroyNotify) played_free);
  shift->attempts = g_ptr_array_new_with_free_func ((GDestroyNotify) attempt_free);
  shift->journal = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                          (GDestroyNotify) nc_call_record_free);
}

/* The journal, newest first, page by page as a window scrolls it. */
static void
read_journal (Shift *shift)
{
  g_autoptr(NcCallRecord) last = NULL;
  gint64 last_start = G_MAXINT64;

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) page = nc_store_list_calls_sync (shift->store, NULL, last,
                                                            JOURNAL_PAGE, &error);

      g_assert_no_error (error);
      for (guint i = 0; i < page->len; i++)
        {
          NcCallRecord *record = nc_call_record_copy (page->pdata[i]);

          g_assert_cmpint (record->started_unix, <=, last_start);
          last_start = record->started_unix;
          /* Each call once. */
          g_assert_false (g_hash_table_contains (shift->journal, record->pbx_call_id));
          g_hash_table_insert (shift->journal, record->pbx_call_id, record);
        }
      if (page->len < JOURNAL_PAGE)
        break;
      g_clear_pointer (&last, nc_call_record_free);
      last = nc_call_record_copy (page->pdata[page->len - 1]);
    }
}

static void
check_events_and_journal (Shift *shift)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = nc_test_sql_rows (nc_store_get_path (shift->store),
                                                  "SELECT event_type, fields FROM call_events");
  g_autoptr(GPtrArray) live = NULL;
  g_autoptr(GHashTable) per_call = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) digests = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const NcWebhookHealth *health = nc_webhook_server_get_health (shift->listener);
  guint expected_events = 0;

  for (guint i = 0; i < events->len; i++)
    {
      GPtrArray *event = events->pdata[i];
      g_autoptr(GHashTable) fields = soup_form_decode (event->pdata[1]);
      g_autofree char *key = g_strconcat (event->pdata[0], "\n", event->pdata[1], NULL);
      const char *id = g_hash_table_lookup (fields, "pbx_call_id");

      /* Exactly once. */
      g_assert_false (g_hash_table_contains (digests, key));
      g_hash_table_add (digests, g_steal_pointer (&key));
      g_hash_table_insert (per_call, g_strdup (id),
                           GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (per_call, id))
                                             + 1));
    }

  read_journal (shift);
  for (guint i = 0; i < shift->played->len; i++)
    {
      Played *played = shift->played->pdata[i];
      const NcCallRecord *call = g_hash_table_lookup (shift->journal, played->pbx_call_id);

      /* No event lost: each of its events stored, the call whole in the journal. */
      expected_events += events_of (played->scenario);
      g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (per_call, played->pbx_call_id)),
                        ==, events_of (played->scenario));
      g_assert_nonnull (call);
      g_assert_cmpint (call->state, ==, NC_CALL_STATE_ENDED);
      g_assert_false (call->unended);
      g_assert_cmpint (call->direction, ==,
                       played->request_id != 0 ? NC_CALL_DIRECTION_OUT : NC_CALL_DIRECTION_IN);
      g_assert_cmpstr (call->client_number, ==, played->client_number);
      g_assert_cmpint (call->is_recorded, ==, is_recorded (played->scenario));
      g_assert_cmpuint (call->event_mask & (1u << NC_EVENT_RECORD), ==,
                        is_recorded (played->scenario) ? 1u << NC_EVENT_RECORD : 0);
      /* An outgoing call is tied to the click-to-call that caused it, by the store. */
      g_assert_cmpint (call->request_id, ==, played->request_id);
      /* Every call has its client: a known number that client, a new one a new client. */
      g_assert_cmpint (call->client_id, !=, 0);
      g_assert_nonnull (call->match_rule);
      if (played->request_id == 0 &&
          g_ascii_strtoull (played->client_number + 4, NULL, 10) < KNOWN_CLIENTS)
        g_assert_true (g_str_has_prefix (call->client_name, "Client "));
    }
  g_assert_cmpuint (events->len, ==, expected_events);
  g_assert_cmpuint (g_hash_table_size (shift->journal), ==, shift->played->len);
  g_assert_cmpuint (health->accepted, ==, expected_events);
  g_assert_cmpuint (health->duplicates, ==, 0);
  g_assert_cmpuint (health->failed, ==, 0);

  /* Nothing is left live, in the store or in this process. */
  live = nc_store_list_live_calls_sync (shift->store, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (live->len, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (nc_call_tracker_get_live_calls (shift->tracker)),
                    ==, 0);
}

static void
check_callbacks (Shift *shift)
{
  GPtrArray *taken = nc_pbx_simulator_get_callbacks (shift->callbacks);
  guint requests = 0, accepted = 0, seen[N_OUTCOMES] = { 0 };

  for (guint i = 0; i < shift->attempts->len; i++)
    {
      Attempt *attempt = shift->attempts->pdata[i];
      guint taken_for_it = 0, calls_for_it = 0;

      g_assert_true (attempt->done);
      seen[attempt->outcome]++;
      /* Sent exactly once: not retried after a failure, not resent by libsoup. */
      g_assert_cmpuint (attempt->requests_after - attempt->requests_before, ==, 1);
      requests++;

      if (outcomes[attempt->outcome].error_code < 0)
        g_assert_no_error (attempt->error);
      else
        g_assert_error (attempt->error, NC_ZADARMA_ERROR, outcomes[attempt->outcome].error_code);

      for (guint j = 0; j < taken->len; j++)
        if (g_strcmp0 (g_hash_table_lookup (taken->pdata[j], "to"), attempt->client_number) == 0)
          taken_for_it++;
      for (guint j = 0; j < shift->played->len; j++)
        {
          Played *played = shift->played->pdata[j];

          if (played->request_id == attempt->request_id)
            calls_for_it++;
        }
      /* The PBX placed it once if it answered well, else never; one call, or none. */
      g_assert_cmpuint (taken_for_it, ==, attempt->error == NULL ? 1 : 0);
      g_assert_cmpuint (calls_for_it, ==, taken_for_it);
      accepted += taken_for_it;
      /* The store tied the call to its request (or let a refused one go, above). */
      if (attempt->error == NULL)
        {
          g_autoptr(GError) error = NULL;

          g_assert_cmpint (nc_store_end_callback_request_sync (shift->store,
                                                               attempt->request_id, &error),
                           ==, NC_CALLBACK_TIED);
          g_assert_no_error (error);
        }
    }
  g_assert_cmpuint (nc_pbx_simulator_get_request_count (shift->callbacks), ==, requests);
  g_assert_cmpuint (taken->len, ==, accepted);
  for (Outcome outcome = 0; outcome < N_OUTCOMES; outcome++)
    {
      g_test_message ("callbacks %-9s %u", outcomes[outcome].name, seen[outcome]);
      g_assert_cmpuint (seen[outcome], >, 0);
    }
}

static void
check_recordings (Shift *shift)
{
  g_autoptr(GHashTable) last_call = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr(GHashTable) clients = g_hash_table_new (g_int64_hash, g_int64_equal);
  GHashTableIter iter;
  gpointer value;
  guint recorded = 0, linked = 0;

  for (guint i = 0; i < shift->played->len; i++)
    {
      Played *played = shift->played->pdata[i];
      const NcCallRecord *call = g_hash_table_lookup (shift->journal, played->pbx_call_id);
      const NcCallRecord *newest;

      g_hash_table_add (clients, (gpointer) &call->client_id);
      if (!is_recorded (played->scenario))
        {
          g_assert_cmpint (call->recording, ==, NC_RECORDING_NONE);
          g_assert_null (call->record_link);
          continue;
        }
      recorded++;
      /* Fetched, however often it was refused: the link of this call's recording, with its
       * lifetime; nothing left to ask. */
      g_assert_cmpint (call->recording, ==, NC_RECORDING_FETCHED);
      g_assert_nonnull (call->record_link);
      g_assert_nonnull (call->call_id_with_rec);
      g_assert_nonnull (strstr (call->record_link, call->call_id_with_rec));
      g_assert_nonnull (call->record_expires);
      g_assert_cmpuint (call->record_attempts, ==, 0);
      linked++;

      /* The newest recorded call of each client, as the journal orders them. */
      newest = g_hash_table_lookup (last_call, &call->client_id);
      if (newest == NULL || call->started_unix > newest->started_unix ||
          (call->started_unix == newest->started_unix && call->id > newest->id))
        g_hash_table_insert (last_call, (gpointer) &call->client_id, (gpointer) call);
    }

  /* Each client's variable holds the link of its last recorded call; one with none has
   * none. */
  g_hash_table_iter_init (&iter, clients);
  while (g_hash_table_iter_next (&iter, &value, NULL))
    {
      gint64 client_id = *(gint64 *) value;
      const NcCallRecord *newest = g_hash_table_lookup (last_call, &client_id);
      g_autoptr(GError) error = NULL;
      g_autoptr(NcClient) client = nc_store_get_client_sync (shift->store, client_id, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (nc_client_get_variable (client, NC_RECORD_LINK_VARIABLE), ==,
                       newest != NULL ? newest->record_link : NULL);
    }

  g_test_message ("%u recorded calls: %u links kept; %u failed requests asked again; the API "
                  "saw %u requests", recorded, linked, shift->failed_attempts,
                  nc_pbx_simulator_get_request_count (shift->api));
  shift->recorded = recorded;
  shift->linked = linked;
  g_assert_cmpuint (linked, ==, recorded);
  g_assert_cmpuint (recorded, >, 0);
  /* Nothing is due any more: no round would ask for anything. */
  g_assert_cmpint (nc_test_sql_int (nc_store_get_path (shift->store),
                                    "SELECT count(*) FROM calls WHERE recording IN (1, 3)"), ==, 0);
}

static void
test_fault_shift (void)
{
  Shift shift = { 0 };
  const char *seconds_text = g_getenv ("NC_FAULT_SHIFT_SECONDS");
  const char *report_path = g_getenv ("NC_FAULT_SHIFT_REPORT");
  guint seconds = seconds_text != NULL ? (guint) MAX (2, atoi (seconds_text)) : 6;
  gint64 end, deadline;
  guint incoming_source, callback_source;

  the_shift = &shift;
  set_up (&shift);

  incoming_source = g_timeout_add (INCOMING_EVERY_MS, next_incoming, &shift);
  callback_source = g_timeout_add (CALLBACK_EVERY_MS, next_callback, &shift);
  end = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  shift.shift_over = TRUE;
  g_source_remove (incoming_source);
  g_source_remove (callback_source);

  /* The faults stop; the last calls end. */
  deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while (!calls_done (&shift) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (calls_done (&shift));
  g_test_message ("%u s: %u calls (%u incoming), %u click-to-calls; %u faults of the API "
                  "for the recordings", seconds, shift.played->len, shift.incoming,
                  shift.attempts->len, shift.api_faults_pushed);
  g_assert_cmpuint (shift.api_faults_pushed, >=, G_N_ELEMENTS (api_faults));

  /* The last links come: each time the backoff, a 429's wait or the budget of 100 requests
   * a minute allows. Nothing may hang: while links are wanted, one comes at least every
   * minute past the latest time the store says one is to be asked for. */
  {
    gint64 progress_at = g_get_monotonic_time ();
    gint64 fetched = -1;
    gint64 give_up = g_get_monotonic_time () + (gint64) 60 * 60 * G_USEC_PER_SEC;

    for (;;)
      {
        Recordings now = read_recordings (&shift);
        gint64 due_in = MAX (0, now.next_try - g_get_real_time () / G_USEC_PER_SEC);

        g_assert_cmpint (now.failed, ==, 0);
        if (now.fetched == now.recorded && nc_call_service_get_busy (shift.service) == 0)
          break;
        if (now.fetched != fetched)
          {
            fetched = now.fetched;
            progress_at = g_get_monotonic_time ();
          }
        if (g_get_monotonic_time () > progress_at + (60 + due_in) * G_USEC_PER_SEC ||
            g_get_monotonic_time () > give_up)
          g_error ("%" G_GINT64_FORMAT " of %" G_GINT64_FORMAT " recorded calls have their "
                   "link, and no more come (the last is due in %" G_GINT64_FORMAT " s)",
                   now.fetched, now.recorded, due_in);
        deadline = g_get_monotonic_time () + 250 * 1000;
        while (g_get_monotonic_time () < deadline)
          if (!g_main_context_iteration (NULL, FALSE))
            g_usleep (5 * 1000);
      }
  }

  check_events_and_journal (&shift);
  check_callbacks (&shift);
  check_recordings (&shift);

  if (report_path != NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *rows = NULL;

      rows = g_strdup_printf ("| API-fault shift, %u s: calls played (incoming; from "
                              "click-to-call) | %u (%u; %u) |\n"
                              "| … click-to-calls, each answered well or with one of 429, 502, "
                              "garbage, API error, timeout, dropped connection | %u: each sent "
                              "once, never retried; %u calls placed, each one outgoing call |\n"
                              "| … events lost / stored twice; calls not ended in the journal "
                              "| 0 / 0; 0 |\n"
                              "| … recorded calls: link kept (in the store and on the client) "
                              "/ none, once the faults stopped; failed requests asked again "
                              "(backoff kept in the store; 429 and the budget of 100 a minute "
                              "waited for) | %u: %u / %u; %u |\n",
                              seconds, shift.played->len, shift.incoming,
                              shift.played->len - shift.incoming, shift.attempts->len,
                              nc_pbx_simulator_get_callbacks (shift.callbacks)->len,
                              shift.recorded, shift.linked, shift.recorded - shift.linked,
                              shift.failed_attempts);
      if (!g_file_set_contents (report_path, rows, -1, &error))
        g_error ("%s", error->message);
    }

  nc_webhook_server_stop (shift.listener);
  nc_pbx_simulator_stop (shift.api);
  nc_pbx_simulator_stop (shift.callbacks);
  g_clear_object (&shift.listener);
  nc_test_wait_for_last_reference (shift.service);
  g_clear_object (&shift.service);
  nc_test_wait_for_last_reference (shift.api_client);
  nc_test_wait_for_last_reference (shift.callback_client);
  g_clear_object (&shift.api_client);
  g_clear_object (&shift.callback_client);
  g_clear_object (&shift.api);
  g_clear_object (&shift.callbacks);
  nc_test_wait_for_last_reference (shift.tracker);
  g_clear_object (&shift.tracker);
  nc_test_wait_for_last_reference (shift.matcher);
  g_clear_object (&shift.matcher);
  nc_test_wait_for_last_reference (shift.store);
  nc_store_close (shift.store);
  g_clear_object (&shift.store);
  g_hash_table_unref (shift.journal);
  g_ptr_array_unref (shift.played);
  g_ptr_array_unref (shift.attempts);
  g_rand_free (shift.rand);
  nc_test_remove_tree (shift.dir);
  g_free (shift.dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_log_set_writer_func (log_writer, NULL, NULL);

  g_test_add_func ("/fault-shift/calls-under-api-faults", test_fault_shift);

  return nc_test_run ();
}
