/* test-zadarma-client.c — the API client against the PBX simulator, every error path
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "nc-pbx-simulator.h"
#include "nc-test-util.h"
#include "nc-zadarma-client.h"

#define KEY "a1b2c3d4e5f6a7b8c9d0"
#define SECRET "c3e9a1b2d4f60718293a4b5c6d7e8f90"

typedef struct
{
  NcPbxSimulator  *simulator;
  NcZadarmaClient *client;
  char            *dir;
  NcStore         *store;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;

  fixture->simulator = nc_pbx_simulator_new (KEY, SECRET);
  g_assert_true (nc_pbx_simulator_start (fixture->simulator, 0, &error));
  g_assert_no_error (error);
  nc_pbx_simulator_add_extension (fixture->simulator, "100", TRUE);
  nc_pbx_simulator_add_extension (fixture->simulator, "111111", FALSE);
  nc_pbx_simulator_add_number (fixture->simulator, "79500000033", "100");

  url = nc_pbx_simulator_get_url (fixture->simulator);
  fixture->client = nc_zadarma_client_new (url, KEY, SECRET);
  nc_zadarma_client_set_retries (fixture->client, 2, 10);
  nc_zadarma_client_set_timeout (fixture->client, 2);

  fixture->dir = nc_test_make_temp_dir ();
  fixture->store = nc_store_open_sync (fixture->dir, &error);
  g_assert_no_error (error);
  nc_zadarma_client_set_budget (fixture->client, NC_REQUEST_BUDGET (fixture->store));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  nc_test_wait_for_last_reference (fixture->client);
  g_assert_finalize_object (fixture->client);
  nc_pbx_simulator_stop (fixture->simulator);
  g_assert_finalize_object (fixture->simulator);
  nc_test_wait_for_last_reference (fixture->store);
  g_assert_finalize_object (fixture->store);
  nc_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
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
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (*result == NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (*result);
  return *result;
}

static NcZadarmaBalance *
balance (Fixture  *fixture,
         GError  **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  nc_zadarma_client_balance_async (fixture->client, NULL, got_result, &result);
  return nc_zadarma_client_balance_finish (fixture->client, wait_result (&result), error);
}

static NcZadarmaCallback *
callback (Fixture  *fixture,
          GError  **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  nc_zadarma_client_callback_async (fixture->client, "111111", "79004443322", "111111", NULL,
                                    got_result, &result);
  return nc_zadarma_client_callback_finish (fixture->client, wait_result (&result), error);
}

static void
assert_secret_not_in (const GError *error)
{
  g_autofree char *message = nc_zadarma_error_to_user_message (error);

  g_assert_null (strstr (error->message, SECRET));
  g_assert_null (strstr (message, SECRET));
}

static void
test_balance (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NcZadarmaBalance) answer = balance (fixture, &error);

  g_assert_no_error (error);
  g_assert_cmpfloat (answer->balance, ==, 1234.5);
  g_assert_cmpstr (answer->currency, ==, "RUB");
}

static void
test_wrong_secret (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *url = nc_pbx_simulator_get_url (fixture->simulator);
  g_autoptr(GError) error = NULL;
  g_autoptr(NcZadarmaBalance) answer = NULL;

  g_clear_object (&fixture->client);
  fixture->client = nc_zadarma_client_new (url, KEY, "not-the-secret");
  answer = balance (fixture, &error);
  g_assert_null (answer);
  g_assert_error (error, NC_ZADARMA_ERROR, NC_ZADARMA_ERROR_AUTH);
  g_assert_nonnull (strstr (error->message, "401"));
  g_assert_null (strstr (error->message, "not-the-secret"));
}

static void
test_callback_once (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NcZadarmaCallback) answer = callback (fixture, &error);
  GPtrArray *received = nc_pbx_simulator_get_callbacks (fixture->simulator);
  GHashTable *params;

  g_assert_no_error (error);
  g_assert_cmpstr (answer->from, ==, "111111");
  g_assert_cmpstr (answer->to, ==, "79004443322");
  g_assert_cmpuint (received->len, ==, 1);
  params = received->pdata[0];
  g_assert_cmpstr (g_hash_table_lookup (params, "from"), ==, "111111");
  g_assert_cmpstr (g_hash_table_lookup (params, "to"), ==, "79004443322");
  g_assert_cmpstr (g_hash_table_lookup (params, "sip"), ==, "111111");
  g_assert_cmpstr (g_hash_table_lookup (params, "format"), ==, "json");
}

/* A read is tried again after a 5xx; a callback never is. */
static void
test_server_error_retry (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NcZadarmaBalance) answer = NULL;
  g_autoptr(NcZadarmaCallback) call = NULL;

  nc_pbx_simulator_push_fault (fixture->simulator, NC_PBX_FAULT_SERVER_ERROR);
  answer = balance (fixture, &error);
  g_assert_no_error (error);
  g_assert_nonnull (answer);
  g_assert_cmpuint (nc_pbx_simulator_get_request_count (fixture->simulator), ==, 2);

  nc_pbx_simulator_push_fault (fixture->simulator, NC_PBX_FAULT_SERVER_ERROR);
  call = callback (fixture, &error);
  g_assert_null (call);
  g_assert_error (error, NC_ZADARMA_ERROR, NC_ZADARMA_ERROR_SERVER);
  g_assert_cmpuint (nc_pbx_simulator_get_request_count (fixture->simulator), ==, 3);
  assert_secret_not_in (error);
}

static void
test_garbage_and_api_error (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NcZadarmaBalance) answer = NULL;
  g_autoptr(NcZadarmaCallback) call = NULL;

  nc_pbx_simulator_push_fault (fixture->simulator, NC_PBX_FAULT_GARBAGE);
  answer = balance (fixture, &error);
  g_assert_null (answer);
  g_assert_error (error, NC_ZADARMA_ERROR, NC_ZADARMA_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "not the API’s JSON"));
  g_clear_error (&error);

  nc_pbx_simulator_push_fault (fixture->simulator, NC_PBX_FAULT_API_ERROR);
  call = callback (fixture, &error);
  g_assert_null (call);
  g_assert_error (error, NC_ZADARMA_ERROR, NC_ZADARMA_ERROR_API);
  g_assert_cmpstr (error->message, ==, "Novofon answered: Wrong parameters!");
  g_assert_cmpuint (nc_pbx_simulator_get_callbacks (fixture->simulator)->len, ==, 0);
}

static void
test_rate_limited (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NcZadarmaCallback) call = NULL;

  nc_pbx_simulator_push_fault (fixture->simulator, NC_PBX_FAULT_RATE_LIMIT);
  call = callback (fixture, &error);
  g_assert_null (call);
  g_assert_error (error, NC_ZADARMA_ERROR, NC_ZADARMA_ERROR_RATE_LIMITED);
  g_assert_cmpuint (nc_zadarma_error_get_retry_after (error), ==, 42);
  g_assert_nonnull (strstr (error->message, "42"));
  g_assert_cmpuint (nc_pbx_simulator_get_request_count (fixture->simulator), ==, 1);
}

/* The local budget says wait before the API has to: nothing is sent. */
static void
test_local_budget (Fixture       *fixture,
                   gconstpointer  data)
{
  for (guint i = 0; i < 4; i++)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) stats = NULL;

      nc_zadarma_client_statistics_async (fixture->client, "2026-11-01 00:00:00",
                                          "2026-11-23 23:59:59", 0, 1000, NULL, got_result,
                                          &result);
      stats = nc_zadarma_client_statistics_finish (fixture->client, wait_result (&result), &error);
      if (i < 3)
        g_assert_no_error (error);
      else
        {
          g_assert_error (error, NC_ZADARMA_ERROR, NC_ZADARMA_ERROR_RATE_LIMITED);
          g_assert_cmpuint (nc_zadarma_error_get_retry_after (error), >, 0);
          g_assert_nonnull (strstr (error->message, "nothing was sent"));
        }
    }
  g_assert_cmpuint (nc_pbx_simulator_get_request_count (fixture->simulator), ==, 3);
}

static GPtrArray *
statistics (Fixture     *fixture,
            const char  *start,
            const char  *end,
            guint        skip,
            guint        limit,
            GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  nc_zadarma_client_statistics_async (fixture->client, start, end, skip, limit, NULL, got_result,
                                      &result);
  return nc_zadarma_client_statistics_finish (fixture->client, wait_result (&result), error);
}

/* The statistics' calls, read into structs; pages; the API's month; and its faults. */
static void
test_statistics (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GPtrArray) page = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *in = NULL;
  g_autofree char *out = NULL;
  const NcZadarmaPbxCall *call;

  nc_zadarma_client_set_limit (fixture->client, "statistics", 100);
  in = nc_pbx_simulator_add_call (fixture->simulator, NC_PBX_CALL_INCOMING_ANSWERED,
                                  "79004443322", "79500000033", "100", "2026-11-02 10:00:00");
  out = nc_pbx_simulator_add_call (fixture->simulator, NC_PBX_CALL_OUTGOING_BUSY,
                                   "79004445566", "79500000033", "101", "2026-11-01 09:30:00");

  page = statistics (fixture, "2026-11-01 00:00:00", "2026-11-30 23:59:59", 0, 1000, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->len, ==, 2);
  /* In the order of their start. */
  call = page->pdata[0];
  g_assert_cmpstr (call->pbx_call_id, ==, out);
  g_assert_cmpstr (call->callstart, ==, "2026-11-01 09:30:00");
  g_assert_cmpstr (call->sip, ==, "101");
  g_assert_cmpstr (call->clid, ==, "79500000033");
  g_assert_cmpstr (call->destination, ==, "79004445566");
  g_assert_cmpstr (call->disposition, ==, "busy");
  g_assert_cmpuint (call->seconds, ==, 0);
  g_assert_false (call->is_recorded);
  call = page->pdata[1];
  g_assert_cmpstr (call->pbx_call_id, ==, in);
  g_assert_cmpstr (call->clid, ==, "79004443322");
  g_assert_cmpstr (call->destination, ==, "79500000033");
  g_assert_cmpstr (call->disposition, ==, "answered");
  g_assert_cmpuint (call->seconds, ==, 65);
  g_assert_true (call->is_recorded);
  g_assert_nonnull (call->call_id);
  g_clear_pointer (&page, g_ptr_array_unref);

  page = statistics (fixture, "2026-11-01 00:00:00", "2026-11-30 23:59:59", 1, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->len, ==, 1);
  g_assert_cmpstr (((NcZadarmaPbxCall *) page->pdata[0])->pbx_call_id, ==, in);
  g_clear_pointer (&page, g_ptr_array_unref);

  page = statistics (fixture, "2026-11-01 00:00:00", "2026-12-01 00:00:01", 0, 1000, &error);
  g_assert_null (page);
  g_assert_error (error, NC_ZADARMA_ERROR, NC_ZADARMA_ERROR_API);
  g_clear_error (&error);

  /* A read: a 5xx is tried again; garbage is the protocol's error. */
  nc_pbx_simulator_push_fault (fixture->simulator, NC_PBX_FAULT_SERVER_ERROR);
  page = statistics (fixture, "2026-11-01 00:00:00", "2026-11-30 23:59:59", 0, 1000, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->len, ==, 2);
  g_clear_pointer (&page, g_ptr_array_unref);
  nc_pbx_simulator_push_fault (fixture->simulator, NC_PBX_FAULT_GARBAGE);
  page = statistics (fixture, "2026-11-01 00:00:00", "2026-11-30 23:59:59", 0, 1000, &error);
  g_assert_null (page);
  g_assert_error (error, NC_ZADARMA_ERROR, NC_ZADARMA_ERROR_PROTOCOL);
}

static void
test_timeout (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NcZadarmaCallback) call = NULL;

  nc_zadarma_client_set_timeout (fixture->client, 1);
  nc_pbx_simulator_push_fault (fixture->simulator, NC_PBX_FAULT_SILENCE);
  call = callback (fixture, &error);
  g_assert_null (call);
  g_assert_error (error, NC_ZADARMA_ERROR, NC_ZADARMA_ERROR_TIMEOUT);
  g_assert_cmpuint (nc_pbx_simulator_get_request_count (fixture->simulator), ==, 1);
}

/* libsoup resends a request whose reused connection dropped before the answer; the
 * callback goes out on a new connection, so a dropped one is never sent twice. */
static void
test_dropped_callback_not_resent (Fixture       *fixture,
                                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NcZadarmaBalance) answer = balance (fixture, NULL);
  g_autoptr(NcZadarmaCallback) call = NULL;

  g_assert_nonnull (answer);
  nc_pbx_simulator_push_fault (fixture->simulator, NC_PBX_FAULT_DROP);
  call = callback (fixture, &error);
  g_assert_null (call);
  g_assert_error (error, NC_ZADARMA_ERROR, NC_ZADARMA_ERROR_NETWORK);
  g_assert_cmpuint (nc_pbx_simulator_get_request_count (fixture->simulator), ==, 2);
  g_assert_cmpuint (nc_pbx_simulator_get_callbacks (fixture->simulator)->len, ==, 0);
}

static void
test_unreachable (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(NcZadarmaBalance) answer = NULL;
  g_autofree char *url = NULL;

  /* A port that was free a moment ago, and has no listener. */
  g_assert_true (g_socket_bind (socket, any, TRUE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  url = g_strdup_printf ("http://127.0.0.1:%u",
                         g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  g_socket_close (socket, NULL);

  g_clear_object (&fixture->client);
  fixture->client = nc_zadarma_client_new (url, KEY, SECRET);
  nc_zadarma_client_set_retries (fixture->client, 1, 10);
  answer = balance (fixture, &error);
  g_assert_null (answer);
  g_assert_error (error, NC_ZADARMA_ERROR, NC_ZADARMA_ERROR_NETWORK);
  g_assert_nonnull (strstr (error->message, "127.0.0.1"));
  assert_secret_not_in (error);
}

static void
test_methods (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GAsyncResult) r1 = NULL, r2 = NULL, r3 = NULL, r4 = NULL, r5 = NULL, r6 = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) extensions = NULL;
  g_autoptr(GPtrArray) numbers = NULL;
  g_autoptr(NcZadarmaRecord) record = NULL;
  gboolean online = TRUE;

  nc_zadarma_client_extensions_async (fixture->client, NULL, got_result, &r1);
  extensions = nc_zadarma_client_extensions_finish (fixture->client, wait_result (&r1), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (extensions), ==, 2);
  g_assert_cmpstr (extensions[1], ==, "111111");

  nc_zadarma_client_extension_online_async (fixture->client, "111111", NULL, got_result, &r2);
  g_assert_true (nc_zadarma_client_extension_online_finish (fixture->client, wait_result (&r2),
                                                            &online, &error));
  g_assert_false (online);

  nc_zadarma_client_direct_numbers_async (fixture->client, NULL, got_result, &r3);
  numbers = nc_zadarma_client_direct_numbers_finish (fixture->client, wait_result (&r3), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (numbers->len, ==, 1);
  g_assert_cmpstr (((NcZadarmaNumber *) numbers->pdata[0])->number, ==, "79500000033");
  g_assert_cmpstr (((NcZadarmaNumber *) numbers->pdata[0])->sip, ==, "100");

  nc_zadarma_client_record_async (fixture->client, "1698764521.1520341",
                                  NC_ZADARMA_RECORD_LIFETIME_MAX, NULL, got_result, &r4);
  record = nc_zadarma_client_record_finish (fixture->client, wait_result (&r4), &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_suffix (record->link, "/records/1698764521.1520341.mp3"));
  {
    g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
    g_autoptr(GDateTime) in_59_days = g_date_time_add_days (now, 59);
    g_autofree char *floor = g_date_time_format (in_59_days, "%Y-%m-%d %H:%M:%S");

    /* The longest lifetime was asked for: the link lives sixty days, not thirty minutes. */
    g_assert_cmpstr (record->lifetime_till, >, floor);
  }

  nc_zadarma_client_set_webhook_url_async (fixture->client, "https://crm.example.org/zadarma_webhook/t0k3n",
                                           NULL, got_result, &r5);
  g_assert_true (nc_zadarma_client_set_webhook_url_finish (fixture->client, wait_result (&r5), &error));
  g_assert_cmpstr (nc_pbx_simulator_get_webhook_url (fixture->simulator), ==,
                   "https://crm.example.org/zadarma_webhook/t0k3n");
  nc_zadarma_client_enable_notifications_async (fixture->client, NULL, got_result, &r6);
  g_assert_true (nc_zadarma_client_enable_notifications_finish (fixture->client, wait_result (&r6),
                                                                &error));
  g_assert_true (nc_pbx_simulator_get_notifications_enabled (fixture->simulator));
}

static gboolean
extension_online (Fixture     *fixture,
                  const char  *extension,
                  gboolean    *out_online,
                  GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  nc_zadarma_client_extension_online_async (fixture->client, extension, NULL, got_result, &result);
  return nc_zadarma_client_extension_online_finish (fixture->client, wait_result (&result),
                                                    out_online, error);
}

/* /v1/pbx/internal/<extension>/status/, as the team's board asks it. */
static void
test_extension_status (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *url = nc_pbx_simulator_get_url (fixture->simulator);
  g_autoptr(GError) error = NULL;
  gboolean online = FALSE;
  guint requests;

  g_assert_true (extension_online (fixture, "100", &online, &error));
  g_assert_no_error (error);
  g_assert_true (online);
  g_assert_true (extension_online (fixture, "111111", &online, &error));
  g_assert_false (online);

  /* An answer that is not the API's: an error, not "offline". */
  nc_pbx_simulator_push_fault (fixture->simulator, NC_PBX_FAULT_GARBAGE);
  online = TRUE;
  g_assert_false (extension_online (fixture, "100", &online, &error));
  g_assert_error (error, NC_ZADARMA_ERROR, NC_ZADARMA_ERROR_PROTOCOL);
  g_clear_error (&error);

  /* Not an extension: refused before anything is sent, for it is a part of the path. */
  requests = nc_pbx_simulator_get_request_count (fixture->simulator);
  g_assert_false (extension_online (fixture, "100/../../info/balance", &online, &error));
  g_assert_error (error, NC_ZADARMA_ERROR, NC_ZADARMA_ERROR_INVALID);
  g_assert_cmpuint (nc_pbx_simulator_get_request_count (fixture->simulator), ==, requests);
  g_clear_error (&error);

  /* A wrong Secret: 401, said without the Secret. */
  g_clear_object (&fixture->client);
  fixture->client = nc_zadarma_client_new (url, KEY, "not-the-secret");
  g_assert_false (extension_online (fixture, "100", &online, &error));
  g_assert_error (error, NC_ZADARMA_ERROR, NC_ZADARMA_ERROR_AUTH);
  g_assert_nonnull (strstr (error->message, "401"));
  g_assert_null (strstr (error->message, "not-the-secret"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/zadarma-client/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("balance", test_balance);
  ADD ("wrong-secret", test_wrong_secret);
  ADD ("callback-once", test_callback_once);
  ADD ("server-error-retry", test_server_error_retry);
  ADD ("garbage-and-api-error", test_garbage_and_api_error);
  ADD ("rate-limited", test_rate_limited);
  ADD ("local-budget", test_local_budget);
  ADD ("statistics", test_statistics);
  ADD ("timeout", test_timeout);
  ADD ("dropped-callback-not-resent", test_dropped_callback_not_resent);
  ADD ("unreachable", test_unreachable);
  ADD ("methods", test_methods);
  ADD ("extension-status", test_extension_status);
#undef ADD

  return nc_test_run ();
}
