/* test-dialer.c — a click on a phone calls the way the current employee calls, once, from
 * whichever desk
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The guard against calling a client twice is the store's: every desk on the same data
 * is held off while a callback waits for its call and while that call lasts. The events
 * of the calls the PBX places are stored as the listener stores them, and the tracker,
 * started on the store, ties them to their requests.
 */

#include "config.h"

#include <stdarg.h>
#include <string.h>
#include <glib/gstdio.h>

#include "nc-dialer.h"
#include "nc-pbx-simulator.h"
#include "nc-test-util.h"

#define KEY "dialer-key"
#define SECRET "dialer-secret-0123456789abcdef"

static char *softphone_record;

typedef struct
{
  char            *dir;
  NcStore         *store;
  NcEmployeeList  *employees;
  NcCallTracker   *tracker;
  NcDialer        *dialer;
  NcPbxSimulator  *simulator;
  NcZadarmaClient *client;
  GPtrArray       *messages;
} Fixture;

static void
on_message (NcDialer   *dialer,
            const char *message,
            Fixture    *fixture)
{
  g_ptr_array_add (fixture->messages, g_strdup (message));
}

static gboolean
employees_loaded (gpointer data)
{
  Fixture *fixture = data;

  return nc_employee_list_get_loaded (fixture->employees);
}

static guint employees_expected;

static gboolean
employees_counted (gpointer data)
{
  Fixture *fixture = data;

  return g_list_model_get_n_items (G_LIST_MODEL (fixture->employees)) == employees_expected;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *url = NULL;
  g_autoptr(GError) error = NULL;

  fixture->store = nc_test_store_new (&fixture->dir);
  fixture->employees = nc_employee_list_new ();
  fixture->tracker = nc_call_tracker_new ();
  g_assert_true (nc_call_tracker_start_sync (fixture->tracker, fixture->store, &error));
  g_assert_no_error (error);
  nc_call_tracker_set_poll_interval (fixture->tracker, 0);
  fixture->dialer = nc_dialer_new (fixture->tracker, fixture->employees);
  fixture->messages = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (fixture->dialer, "message", G_CALLBACK (on_message), fixture);
  nc_employee_list_set_store (fixture->employees, fixture->store);
  nc_dialer_set_store (fixture->dialer, fixture->store);
  g_assert_true (nc_test_wait_until (employees_loaded, fixture, 20));

  fixture->simulator = nc_pbx_simulator_new (KEY, SECRET);
  g_assert_true (nc_pbx_simulator_start (fixture->simulator, 0, NULL));
  url = nc_pbx_simulator_get_url (fixture->simulator);
  fixture->client = nc_zadarma_client_new (url, KEY, SECRET);
  nc_zadarma_client_set_retries (fixture->client, 3, 10);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->dialer);
  g_clear_object (&fixture->tracker);
  g_clear_object (&fixture->employees);
  g_clear_object (&fixture->client);
  nc_pbx_simulator_stop (fixture->simulator);
  g_clear_object (&fixture->simulator);
  g_clear_pointer (&fixture->messages, g_ptr_array_unref);
  nc_test_store_free (fixture->store, fixture->dir);
}

/* Saves an employee and waits until the list (and so the dialer) has it. */
static void
add_employee (Fixture      *fixture,
              const char   *name,
              const char   *id,
              const char   *number,
              NcCallMethod  method)
{
  g_autoptr(NcEmployee) employee = nc_employee_new (0, name, id, number, method);

  g_assert_cmpint (nc_store_save_employee_sync (fixture->store, employee, NULL), >, 0);
  employees_expected = g_list_model_get_n_items (G_LIST_MODEL (fixture->employees)) + 1;
  g_assert_true (nc_test_wait_until (employees_counted, fixture, 20));
}

/* Nobody chosen, calls disabled, no account: each says why, and the phones follow. */
static void
test_why_not (Fixture       *fixture,
              gconstpointer  data)
{
  g_assert_false (nc_dialer_get_can_call (fixture->dialer));
  g_assert_true (nc_dialer_get_show_phones (fixture->dialer));
  g_assert_nonnull (strstr (nc_dialer_get_problem (fixture->dialer), "Add yourself"));

  add_employee (fixture, "Вера", "102", NULL, NC_CALL_METHOD_DISABLED);
  g_assert_nonnull (strstr (nc_dialer_get_problem (fixture->dialer), "Choose who you are"));
  g_assert_null (nc_dialer_get_employee (fixture->dialer));

  /* Calls disabled: no phone at all. */
  nc_dialer_set_employee_id (fixture->dialer, "102");
  g_assert_nonnull (nc_dialer_get_employee (fixture->dialer));
  g_assert_false (nc_dialer_get_show_phones (fixture->dialer));
  g_assert_false (nc_dialer_get_can_call (fixture->dialer));
  g_assert_cmpstr (nc_dialer_get_problem (fixture->dialer), ==, "Calls are disabled for Вера");

  /* Through the API without an account: the phones show, grey, and say what to do. */
  add_employee (fixture, "Анна", "111111", "79500000033", NC_CALL_METHOD_API);
  nc_dialer_set_employee_id (fixture->dialer, "111111");
  g_assert_true (nc_dialer_get_show_phones (fixture->dialer));
  g_assert_false (nc_dialer_get_can_call (fixture->dialer));
  g_assert_nonnull (strstr (nc_dialer_get_problem (fixture->dialer), "Connect the Novofon account"));
  nc_dialer_set_client (fixture->dialer, fixture->client);
  g_assert_true (nc_dialer_get_can_call (fixture->dialer));
  g_assert_null (nc_dialer_get_problem (fixture->dialer));

  /* Someone who is no employee (any more) is nobody. */
  nc_dialer_set_employee_id (fixture->dialer, "999");
  g_assert_false (nc_dialer_get_can_call (fixture->dialer));
  g_assert_null (nc_dialer_get_employee (fixture->dialer));
}

static GAsyncResult *result;

static void
got_result (GObject      *source,
            GAsyncResult *res,
            gpointer      user_data)
{
  result = g_object_ref (res);
}

static gboolean
answered (gpointer data)
{
  return result != NULL;
}

/* One click: the message it ends with, or NULL with @error. */
static char *
call (Fixture     *fixture,
      const char  *number,
      GError     **error)
{
  char *message;

  g_clear_object (&result);
  nc_dialer_call_async (fixture->dialer, number, NULL, NULL, got_result, NULL);
  g_assert_true (nc_test_wait_until (answered, fixture, 20));
  message = nc_dialer_call_finish (fixture->dialer, result, error);
  g_clear_object (&result);
  return message;
}

/* The listener's part: an event of the call the PBX placed, stored, and read. */
static void
feed (Fixture    *fixture,
      const char *type,
      const char *pbx_call_id,
      const char *client,
      const char *disposition)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *start = g_date_time_format (now, "%Y-%m-%d %H:%M:%S");
  g_autoptr(GHashTable) fields = nc_test_fields ("pbx_call_id", pbx_call_id,
                                                 "call_start", start,
                                                 "destination", client,
                                                 "caller_id", "79500000033",
                                                 "internal", "111111", NULL);

  if (disposition != NULL)
    {
      g_hash_table_insert (fields, g_strdup ("disposition"), g_strdup (disposition));
      g_hash_table_insert (fields, g_strdup ("duration"), g_strdup ("42"));
      g_hash_table_insert (fields, g_strdup ("is_recorded"), g_strdup ("0"));
    }
  nc_test_ingest (fixture->store, fixture->tracker, type, fields, g_get_real_time ());
}

/* Whether the store would let any desk call @phone now (and lets the request go again). */
static gboolean
store_lets_call (Fixture    *fixture,
                 const char *phone)
{
  g_autoptr(GError) error = NULL;
  gint64 id = nc_store_request_callback_sync (fixture->store, phone, "999", g_get_real_time (),
                                              NC_CALLBACK_WINDOW_SECONDS, &error);

  if (id == 0)
    {
      g_assert_error (error, NC_STORE_ERROR, NC_STORE_ERROR_BUSY);
      return FALSE;
    }
  g_assert_cmpint (nc_store_end_callback_request_sync (fixture->store, id, &error), ==,
                   NC_CALLBACK_EXPIRED);
  g_assert_no_error (error);
  return TRUE;
}

static const char *
last_message (Fixture *fixture)
{
  return fixture->messages->len > 0 ? fixture->messages->pdata[fixture->messages->len - 1] : "";
}

/* Through the API: one callback, named as people read it; a second click while it is on
 * its way, or a bot's zadarma_call, places nothing; the end of the call lets it go. */
static void
test_api_once (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autoptr(NcCallRequest) request = NULL;
  g_autoptr(GPtrArray) drafts = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTable *params;

  nc_dialer_set_client (fixture->dialer, fixture->client);
  add_employee (fixture, "Анна", "111111", "79500000033", NC_CALL_METHOD_API);
  nc_dialer_set_employee_id (fixture->dialer, "111111");
  g_ptr_array_add (drafts, nc_client_new (0, "Иван Петров", NC_CHANNEL_TELEPHONY, "79004443322",
                                          0));
  nc_client_take_variables (drafts->pdata[0],
                            g_ptr_array_new_with_free_func ((GDestroyNotify) nc_variable_free));
  g_assert_true (nc_store_add_clients_sync (fixture->store, drafts, NULL, NULL));

  /* Typed with the trunk prefix 8, as Russians do. */
  message = call (fixture, "8 (900) 444-33-22", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (message, ==, "The PBX is ringing you; then it calls Иван Петров "
                                "(+7 900 444-33-22)");
  g_assert_cmpuint (nc_pbx_simulator_get_callbacks (fixture->simulator)->len, ==, 1);
  params = nc_pbx_simulator_get_callbacks (fixture->simulator)->pdata[0];
  g_assert_cmpstr (g_hash_table_lookup (params, "from"), ==, "111111");
  g_assert_cmpstr (g_hash_table_lookup (params, "to"), ==, "79004443322");
  g_assert_cmpstr (g_hash_table_lookup (params, "sip"), ==, "111111");

  /* The store holds the guard, for every desk. */
  g_assert_false (store_lets_call (fixture, "79004443322"));

  g_clear_pointer (&message, g_free);
  message = call (fixture, "+7 900 444 33 22", &error);
  g_assert_null (message);
  g_assert_error (error, NC_DIALER_ERROR, NC_DIALER_ERROR_ALREADY_CALLING);
  g_assert_nonnull (strstr (error->message, "+7 900 444-33-22"));
  g_clear_error (&error);

  request = nc_call_request_new ("79004443322", "79500000044", "222222", NULL);
  g_clear_object (&result);
  nc_dialer_call_request_async (fixture->dialer, request, NULL, got_result, NULL);
  g_assert_true (nc_test_wait_until (answered, fixture, 20));
  g_assert_null (nc_dialer_call_request_finish (fixture->dialer, result, &error));
  g_assert_error (error, NC_DIALER_ERROR, NC_DIALER_ERROR_ALREADY_CALLING);
  g_clear_error (&error);
  g_clear_object (&result);
  g_assert_cmpuint (nc_pbx_simulator_get_callbacks (fixture->simulator)->len, ==, 1);

  /* The PBX rang the employee, who answered: the call it placed is this request's. */
  feed (fixture, "NOTIFY_OUT_START", "out-1", "79004443322", NULL);
  g_assert_cmpstr (last_message (fixture), ==, "You answered; calling Иван Петров "
                                               "(+7 900 444-33-22)…");
  {
    g_autoptr(NcCallRecord) placed = nc_store_get_call_sync (fixture->store, "out-1", NULL);

    g_assert_cmpint (placed->request_id, >, 0);
  }
  /* Its call is on: still nobody calls the client. */
  g_assert_false (store_lets_call (fixture, "79004443322"));
  feed (fixture, "NOTIFY_OUT_END", "out-1", "79004443322", "answered");
  g_assert_cmpstr (last_message (fixture), ==, "The call with Иван Петров (+7 900 444-33-22) "
                                               "ended");

  /* Over: the client may be called again. */
  g_assert_true (store_lets_call (fixture, "79004443322"));
  g_clear_pointer (&message, g_free);
  message = call (fixture, "79004443322", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (nc_pbx_simulator_get_callbacks (fixture->simulator)->len, ==, 2);
}

/* A callback the API refused is sent once, never again, and does not hold the client. */
static void
test_api_failure (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  guint requests;

  nc_dialer_set_client (fixture->dialer, fixture->client);
  add_employee (fixture, "Анна", "111111", "79500000033", NC_CALL_METHOD_API);
  nc_dialer_set_employee_id (fixture->dialer, "111111");

  requests = nc_pbx_simulator_get_request_count (fixture->simulator);
  nc_pbx_simulator_push_fault (fixture->simulator, NC_PBX_FAULT_SERVER_ERROR);
  message = call (fixture, "79161112233", &error);
  g_assert_null (message);
  g_assert_error (error, NC_ZADARMA_ERROR, NC_ZADARMA_ERROR_SERVER);
  g_clear_error (&error);
  /* The client retries reads three times here; a call, never. */
  g_assert_cmpuint (nc_pbx_simulator_get_request_count (fixture->simulator), ==, requests + 1);
  g_assert_cmpuint (nc_pbx_simulator_get_callbacks (fixture->simulator)->len, ==, 0);

  /* Asked again at once: the refused one holds nothing, on any desk. */
  message = call (fixture, "79161112233", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (nc_pbx_simulator_get_callbacks (fixture->simulator)->len, ==, 1);

  /* A number that is none is refused before anything is sent. */
  g_clear_pointer (&message, g_free);
  message = call (fixture, "9161112233", &error);
  g_assert_null (message);
  g_assert_error (error, NC_ZADARMA_ERROR, NC_ZADARMA_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "country code"));
  g_assert_cmpuint (nc_pbx_simulator_get_callbacks (fixture->simulator)->len, ==, 1);
}

/* Another desk: its own store on the same data, its own list of employees, tracker and
 * dialer, acting as the same employee. */
typedef struct
{
  NcStore        *store;
  NcEmployeeList *employees;
  NcCallTracker  *tracker;
  NcDialer       *dialer;
} Desk;

static gboolean
desk_loaded (gpointer data)
{
  Fixture *fixture = data;
  Desk *desk = g_object_get_data (G_OBJECT (fixture->dialer), "nc-test-desk");

  return g_list_model_get_n_items (G_LIST_MODEL (desk->employees)) == employees_expected;
}

static Desk *
desk_open (Fixture    *fixture,
           const char *employee_id)
{
  g_autoptr(GError) error = NULL;
  Desk *desk = g_new0 (Desk, 1);

  desk->store = nc_store_open_sync (fixture->dir, &error);
  g_assert_no_error (error);
  desk->employees = nc_employee_list_new ();
  desk->tracker = nc_call_tracker_new ();
  g_assert_true (nc_call_tracker_start_sync (desk->tracker, desk->store, &error));
  g_assert_no_error (error);
  desk->dialer = nc_dialer_new (desk->tracker, desk->employees);
  nc_employee_list_set_store (desk->employees, desk->store);
  nc_dialer_set_store (desk->dialer, desk->store);
  nc_dialer_set_client (desk->dialer, fixture->client);
  g_object_set_data (G_OBJECT (fixture->dialer), "nc-test-desk", desk);
  employees_expected = g_list_model_get_n_items (G_LIST_MODEL (fixture->employees));
  g_assert_true (nc_test_wait_until (desk_loaded, fixture, 20));
  nc_dialer_set_employee_id (desk->dialer, employee_id);
  g_assert_true (nc_dialer_get_can_call (desk->dialer));
  return desk;
}

static void
desk_close (Fixture *fixture,
            Desk    *desk)
{
  g_object_set_data (G_OBJECT (fixture->dialer), "nc-test-desk", NULL);
  g_clear_object (&desk->dialer);
  g_clear_object (&desk->employees);
  nc_test_wait_for_last_reference (desk->tracker);
  g_assert_finalize_object (desk->tracker);
  nc_store_close (desk->store);
  nc_test_wait_for_last_reference (desk->store);
  g_assert_finalize_object (desk->store);
  g_free (desk);
}

static char *
call_from (Fixture     *fixture,
           NcDialer    *dialer,
           const char  *number,
           GError     **error)
{
  char *message;

  g_clear_object (&result);
  nc_dialer_call_async (dialer, number, NULL, NULL, got_result, NULL);
  g_assert_true (nc_test_wait_until (answered, fixture, 20));
  message = nc_dialer_call_finish (dialer, result, error);
  g_clear_object (&result);
  return message;
}

/* Two desks of one office on the same data: while the first desk's callback waits for its
 * call, and while that call lasts, the second desk cannot call the client; once it is
 * over, it can. */
static void
test_two_desks (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  Desk *other;

  nc_dialer_set_client (fixture->dialer, fixture->client);
  add_employee (fixture, "Анна", "111111", "79500000033", NC_CALL_METHOD_API);
  nc_dialer_set_employee_id (fixture->dialer, "111111");
  other = desk_open (fixture, "111111");

  message = call (fixture, "79004443322", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (nc_pbx_simulator_get_callbacks (fixture->simulator)->len, ==, 1);

  /* Waiting for its call. */
  g_clear_pointer (&message, g_free);
  message = call_from (fixture, other->dialer, "8 900 444-33-22", &error);
  g_assert_null (message);
  g_assert_error (error, NC_DIALER_ERROR, NC_DIALER_ERROR_ALREADY_CALLING);
  g_assert_nonnull (strstr (error->message, "+7 900 444-33-22"));
  g_assert_nonnull (strstr (error->message, "another"));
  g_clear_error (&error);
  g_assert_cmpuint (nc_pbx_simulator_get_callbacks (fixture->simulator)->len, ==, 1);

  /* The call came, and is on. */
  feed (fixture, "NOTIFY_OUT_START", "out-d", "79004443322", NULL);
  g_assert_cmpstr (last_message (fixture), ==, "You answered; calling +7 900 444-33-22…");
  message = call_from (fixture, other->dialer, "79004443322", &error);
  g_assert_null (message);
  g_assert_error (error, NC_DIALER_ERROR, NC_DIALER_ERROR_ALREADY_CALLING);
  g_clear_error (&error);
  g_assert_cmpuint (nc_pbx_simulator_get_callbacks (fixture->simulator)->len, ==, 1);

  feed (fixture, "NOTIFY_OUT_END", "out-d", "79004443322", "answered");
  g_assert_cmpstr (last_message (fixture), ==, "The call with +7 900 444-33-22 ended");

  /* Over: the other desk calls. */
  message = call_from (fixture, other->dialer, "79004443322", &error);
  g_assert_no_error (error);
  g_assert_nonnull (message);
  g_assert_cmpuint (nc_pbx_simulator_get_callbacks (fixture->simulator)->len, ==, 2);

  desk_close (fixture, other);
}

static gboolean
expiry_said (gpointer data)
{
  Fixture *fixture = data;

  return g_str_has_prefix (last_message (fixture), "The PBX did not start the call");
}

/* A callback whose call does not come within its window is let go: the operator is told,
 * a late call is not taken for it, and the client may be called again. */
static void
test_expiry (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autoptr(NcCallRecord) late = NULL;

  nc_dialer_set_client (fixture->dialer, fixture->client);
  add_employee (fixture, "Анна", "111111", "79500000033", NC_CALL_METHOD_API);
  nc_dialer_set_employee_id (fixture->dialer, "111111");
  /* Long enough that the request is surely on its way first. */
  nc_dialer_set_callback_window (fixture->dialer, 300);

  message = call (fixture, "79004443322", &error);
  g_assert_no_error (error);
  g_assert_false (store_lets_call (fixture, "79004443322"));
  g_assert_true (nc_test_wait_until (expiry_said, fixture, 20));
  g_assert_cmpstr (last_message (fixture), ==,
                   "The PBX did not start the call within a minute: did you answer your phone?");
  g_assert_true (store_lets_call (fixture, "79004443322"));

  /* Too late: some other call. */
  feed (fixture, "NOTIFY_OUT_START", "out-late", "79004443322", NULL);
  late = nc_store_get_call_sync (fixture->store, "out-late", NULL);
  g_assert_cmpint (late->request_id, ==, 0);
  g_assert_true (expiry_said (fixture));

  g_clear_pointer (&message, g_free);
  message = call (fixture, "79004443322", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (nc_pbx_simulator_get_callbacks (fixture->simulator)->len, ==, 2);
}

static gboolean
refused_by_store (gpointer data)
{
  Fixture *fixture = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = call (fixture, "79004443322", &error);

  g_assert_null (message);
  g_assert_error (error, NC_DIALER_ERROR, NC_DIALER_ERROR_ALREADY_CALLING);
  return strstr (error->message, "another") != NULL;
}

/* The call of a callback came through another process's listener, and this desk never
 * reads it: it is not told that the call did not come, and it lets go of the client once
 * the store's guard holds it. */
static void
test_call_came_elsewhere (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autoptr(NcStore) listener = nc_store_open_sync (fixture->dir, &error);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *start = g_date_time_format (now, "%Y-%m-%d %H:%M:%S");
  g_autoptr(GHashTable) out_start = NULL;
  g_autoptr(GHashTable) out_end = NULL;

  g_assert_no_error (error);
  nc_dialer_set_client (fixture->dialer, fixture->client);
  add_employee (fixture, "Анна", "111111", "79500000033", NC_CALL_METHOD_API);
  nc_dialer_set_employee_id (fixture->dialer, "111111");
  nc_dialer_set_callback_window (fixture->dialer, 200);

  message = call (fixture, "79004443322", &error);
  g_assert_no_error (error);
  out_start = nc_test_fields ("pbx_call_id", "out-e", "call_start", start, "caller_id",
                              "79500000033", "internal", "111111", "destination", "79004443322",
                              NULL);
  nc_test_store_event (listener, "NOTIFY_OUT_START", out_start, g_get_real_time ());

  /* Refused here while this desk waits, then by the store while the call lasts. */
  g_assert_true (nc_test_wait_until (refused_by_store, fixture, 20));
  for (guint i = 0; i < fixture->messages->len; i++)
    g_assert_false (g_str_has_prefix (fixture->messages->pdata[i], "The PBX did not start"));
  g_assert_cmpuint (nc_pbx_simulator_get_callbacks (fixture->simulator)->len, ==, 1);

  out_end = nc_test_fields ("pbx_call_id", "out-e", "call_start", start, "caller_id",
                            "79500000033", "internal", "111111", "destination", "79004443322",
                            "duration", "42", "disposition", "answered", NULL);
  nc_test_store_event (listener, "NOTIFY_OUT_END", out_end, g_get_real_time ());
  g_clear_pointer (&message, g_free);
  message = call (fixture, "79004443322", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (nc_pbx_simulator_get_callbacks (fixture->simulator)->len, ==, 2);
  nc_store_close (listener);
}

static gboolean
softphone_called (gpointer data)
{
  return g_file_test (softphone_record, G_FILE_TEST_EXISTS);
}

/* Through an app: the softphone gets a tel: link with the number as the PBX wants it. */
static void
test_softphone (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autofree char *recorded = NULL;

  add_employee (fixture, "Борис", "101", NULL, NC_CALL_METHOD_APP);
  nc_dialer_set_employee_id (fixture->dialer, "101");
  g_assert_true (nc_dialer_get_can_call (fixture->dialer));

  g_unlink (softphone_record);
  message = call (fixture, "8 916 111-22-33", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (message, ==, "Calling +7 916 111-22-33 with Fake Softphone");
  g_assert_true (nc_test_wait_until (softphone_called, fixture, 20));
  g_assert_true (g_file_get_contents (softphone_record, &recorded, NULL, NULL));
  g_assert_cmpstr (g_strstrip (recorded), ==, "tel:+79161112233");
  g_assert_cmpuint (nc_pbx_simulator_get_callbacks (fixture->simulator)->len, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *home = g_dir_make_tmp ("nc-dialer-XXXXXX", NULL);
  int status;

  /* Before GLib reads them once and for all: this test's own data and config folders. */
  softphone_record = nc_test_install_fake_softphone (home);
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/dialer/why-not", Fixture, NULL, fixture_set_up, test_why_not, fixture_tear_down);
  g_test_add ("/dialer/api-once", Fixture, NULL, fixture_set_up, test_api_once,
              fixture_tear_down);
  g_test_add ("/dialer/api-failure", Fixture, NULL, fixture_set_up, test_api_failure,
              fixture_tear_down);
  g_test_add ("/dialer/two-desks", Fixture, NULL, fixture_set_up, test_two_desks,
              fixture_tear_down);
  g_test_add ("/dialer/expiry", Fixture, NULL, fixture_set_up, test_expiry, fixture_tear_down);
  g_test_add ("/dialer/call-came-elsewhere", Fixture, NULL, fixture_set_up,
              test_call_came_elsewhere, fixture_tear_down);
  g_test_add ("/dialer/softphone", Fixture, NULL, fixture_set_up, test_softphone,
              fixture_tear_down);
  status = nc_test_run ();
  nc_test_remove_tree (home);
  g_free (softphone_record);
  return status;
}
