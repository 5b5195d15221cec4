/* test-fault-shift.c — a shift of calls while the API fails in every way it can
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The core as `listen` and the window join it — store, matcher, tracker, call service,
 * listener — takes a shift of simulated calls for NC_FAULT_SHIFT_SECONDS (6 by default;
 * build-aux/bench runs it for five minutes):
 *   - incoming calls, answered and recorded or missed, from known and unknown numbers,
 *     several at once; each recording link is asked of the API, which meanwhile answers
 *     with timeouts, 5xx, 429, garbage, API errors and dropped connections;
 *   - click-to-call, one after another, each answered by the API with one of those faults
 *     or well; a callback the PBX accepted becomes an outgoing call it plays back.
 * The PBX is two simulators: one takes the callbacks and nothing else, so that each
 * callback request is counted where it arrives; the other answers the recording requests
 * and plays the incoming calls.
 *
 * Then: nothing crashed; every event of every call is stored exactly once and every call
 * is in the journal, ended; each callback request reached the PBX exactly once — never
 * retried, never resent — with the outcome its answer means; each accepted callback is
 * one outgoing call tied to its request, and a refused one is none; every recording asked
 * for ended as a link or as a warning, none left hanging.
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

static const NcPbxFault api_faults[] = {
  NC_PBX_FAULT_RATE_LIMIT, NC_PBX_FAULT_SERVER_ERROR, NC_PBX_FAULT_GARBAGE,
  NC_PBX_FAULT_API_ERROR, NC_PBX_FAULT_SILENCE, NC_PBX_FAULT_DROP,
};

typedef struct
{
  char              *pbx_call_id;   /* once played */
  NcPbxCallScenario  scenario;
  char              *client_number;
  guint64            request_id;    /* of the click-to-call, for outgoing calls */
  gboolean           done;
} Played;

typedef struct
{
  guint64  request_id;
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
  guint            recording_warnings;
  guint            recorded;
  guint            linked;
  guint            incoming;
  gboolean         shift_over;
} Shift;

static Shift *the_shift;

/* The call service says so when a recording link cannot be had: expected here, counted
 * and not printed. Anything else goes to the default writer, where a warning is fatal. */
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

  if ((log_level & G_LOG_LEVEL_WARNING) && the_shift != NULL &&
      g_strcmp0 (domain, "nc-call-service") == 0 && message != NULL &&
      g_str_has_prefix (message, "Could not get the recording of call "))
    {
      the_shift->recording_warnings++;
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
      guint64            request_id)
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

  /* Now and then the API is about to fail whatever asks it next: a recording link. */
  if (g_rand_int_range (shift->rand, 0, 3) == 0)
    nc_pbx_simulator_push_fault (shift->api, api_faults[g_rand_int_range (
                                                          shift->rand, 0,
                                                          G_N_ELEMENTS (api_faults))]);
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

  /* As the application does it: the tracker expects the call, then the API is asked. */
  attempt->request_id = nc_call_tracker_expect_callback (shift->tracker, EMPLOYEE,
                                                         request->client_phone,
                                                         request->employee_phone,
                                                         g_get_real_time ());
  attempt->requests_before = nc_pbx_simulator_get_request_count (shift->callbacks);
  shift->current = attempt;
  nc_zadarma_client_callback_async (shift->callback_client, request->employee_id,
                                    request->client_phone, request->employee_id, NULL,
                                    callback_placed, attempt);
  return G_SOURCE_CONTINUE;
}

static gboolean
all_done (Shift *shift)
{
  if (shift->current != NULL || nc_call_service_get_busy (shift->service) > 0 ||
      nc_webhook_server_get_pending (shift->listener) > 0)
    return FALSE;
  for (guint i = 0; i < shift->played->len; i++)
    if (!((Played *) shift->played->pdata[i])->done)
      return FALSE;
  return TRUE;
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
  shift->service = nc_call_service_new (shift->store, shift->matcher, shift->tracker);

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
  nc_zadarma_client_set_store (shift->api_client, shift->store);
  nc_zadarma_client_set_timeout (shift->api_client, 1);
  nc_zadarma_client_set_retries (shift->api_client, 2, 20);
  nc_call_service_set_client (shift->service, shift->api_client);
  callbacks_url = nc_pbx_simulator_get_url (shift->callbacks);
  shift->callback_client = nc_zadarma_client_new (callbacks_url, KEY, SECRET);
  nc_zadarma_client_set_timeout (shift->callback_client, 1);
  nc_zadarma_client_set_retries (shift->callback_client, 2, 20);

  shift->listener = nc_webhook_server_new (shift->store, SECRET, TOKEN);
  nc_webhook_server_set_matcher (shift->listener, shift->matcher);
  nc_call_service_attach (shift->service, shift->listener);
  g_assert_true (nc_webhook_server_listen (shift->listener, "127.0.0.1", 0, &error));
  g_assert_no_error (error);
  hook = g_strdup_printf ("http://127.0.0.1:%u/zadarma_webhook/" TOKEN,
                          nc_webhook_server_get_port (shift->listener));
  nc_pbx_simulator_set_webhook_target (shift->api, hook);
  nc_pbx_simulator_set_webhook_target (shift->callbacks, hook);

  shift->rand = g_rand_new_with_seed (11);
  shift->played = g_ptr_array_new_with_free_func ((GDestroyNotify) played_free);
  shift->attempts = g_ptr_array_new_with_free_func ((GDestroyNotify) attempt_free);
}

static void
check_events_and_journal (Shift *shift)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = nc_store_list_call_events_sync (shift->store, &error);
  g_autoptr(GHashTable) per_call = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) digests = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GListModel *journal = nc_call_tracker_get_journal (shift->tracker);
  const NcWebhookHealth *health = nc_webhook_server_get_health (shift->listener);
  guint expected_events = 0;

  g_assert_no_error (error);
  for (guint i = 0; i < events->len; i++)
    {
      NcStoredEvent *event = events->pdata[i];
      g_autoptr(GHashTable) fields = soup_form_decode (event->fields);
      g_autofree char *key = g_strconcat (event->event_type, "\n", event->fields, NULL);
      const char *id = g_hash_table_lookup (fields, "pbx_call_id");

      /* Exactly once. */
      g_assert_false (g_hash_table_contains (digests, key));
      g_hash_table_add (digests, g_steal_pointer (&key));
      g_hash_table_insert (per_call, g_strdup (id),
                           GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (per_call, id))
                                             + 1));
    }

  for (guint i = 0; i < shift->played->len; i++)
    {
      Played *played = shift->played->pdata[i];
      NcCall *call = nc_call_tracker_lookup (shift->tracker, played->pbx_call_id);
      guint position;

      /* No event lost: each of its events stored, the call whole in the journal. */
      expected_events += events_of (played->scenario);
      g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (per_call, played->pbx_call_id)),
                        ==, events_of (played->scenario));
      g_assert_nonnull (call);
      g_assert_true (g_list_store_find (G_LIST_STORE (journal), call, &position));
      g_assert_cmpint (nc_call_get_state (call), ==, NC_CALL_STATE_ENDED);
      g_assert_cmpstr (nc_call_get_client_number (call), ==, played->client_number);
      g_assert_cmpint (nc_call_get_is_recorded (call), ==, is_recorded (played->scenario));
      /* An outgoing call is tied to the click-to-call that caused it. */
      g_assert_cmpuint (nc_call_get_request_id (call), ==, played->request_id);
      /* Every call has its client: a known number that client, a new one a new client. */
      g_assert_cmpint (nc_call_get_client_id (call), !=, 0);
      if (played->request_id == 0 &&
          g_ascii_strtoull (played->client_number + 4, NULL, 10) < KNOWN_CLIENTS)
        g_assert_true (g_str_has_prefix (nc_call_get_client_name (call), "Client "));
    }
  g_assert_cmpuint (events->len, ==, expected_events);
  g_assert_cmpuint (g_list_model_get_n_items (journal), ==, shift->played->len);
  g_assert_cmpuint (health->accepted, ==, expected_events);
  g_assert_cmpuint (health->duplicates, ==, 0);
  g_assert_cmpuint (health->failed, ==, 0);
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
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) stored = nc_store_list_calls_sync (shift->store, &error);
  guint recorded = 0, linked = 0;

  g_assert_no_error (error);
  for (guint i = 0; i < shift->played->len; i++)
    {
      Played *played = shift->played->pdata[i];
      NcCall *call = nc_call_tracker_lookup (shift->tracker, played->pbx_call_id);
      const char *link = nc_call_get_record_link (call);

      if (!is_recorded (played->scenario))
        {
          g_assert_null (link);
          continue;
        }
      recorded++;
      if (link == NULL)
        continue;
      /* The link is the one for this call's recording, and the store keeps it. */
      linked++;
      g_assert_nonnull (strstr (link, nc_call_get_call_id_with_rec (call)));
      for (guint j = 0; j < stored->len; j++)
        {
          NcStoredCall *kept = stored->pdata[j];

          if (g_str_equal (kept->pbx_call_id, played->pbx_call_id))
            g_assert_cmpstr (kept->record_link, ==, link);
        }
    }
  g_test_message ("%u recorded calls: %u links, %u warnings; the API saw %u requests",
                  recorded, linked, shift->recording_warnings,
                  nc_pbx_simulator_get_request_count (shift->api));
  shift->recorded = recorded;
  shift->linked = linked;
  /* Every recording asked for ended one way or the other, once. */
  g_assert_cmpuint (linked + shift->recording_warnings, ==, recorded);
  g_assert_cmpuint (linked, >, 0);
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

  /* The last calls end, the last links are asked for; nothing may hang. */
  deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while (!all_done (&shift) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (all_done (&shift));
  g_test_message ("%u s: %u calls (%u incoming), %u click-to-calls", seconds,
                  shift.played->len, shift.incoming, shift.attempts->len);

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
                              "| … recorded calls: link fetched / given up (fault after the "
                              "retries, or the API budget of 100 a minute) | %u: %u / %u |\n",
                              seconds, shift.played->len, shift.incoming,
                              shift.played->len - shift.incoming, shift.attempts->len,
                              nc_pbx_simulator_get_callbacks (shift.callbacks)->len,
                              shift.recorded, shift.linked, shift.recording_warnings);
      if (!g_file_set_contents (report_path, rows, -1, &error))
        g_error ("%s", error->message);
    }

  nc_webhook_server_stop (shift.listener);
  nc_pbx_simulator_stop (shift.api);
  nc_pbx_simulator_stop (shift.callbacks);
  g_clear_object (&shift.listener);
  g_clear_object (&shift.service);
  nc_test_wait_for_last_reference (shift.api_client);
  nc_test_wait_for_last_reference (shift.callback_client);
  g_clear_object (&shift.api_client);
  g_clear_object (&shift.callback_client);
  g_clear_object (&shift.api);
  g_clear_object (&shift.callbacks);
  g_clear_object (&shift.tracker);
  g_clear_object (&shift.matcher);
  nc_test_wait_for_last_reference (shift.store);
  g_clear_object (&shift.store);
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
