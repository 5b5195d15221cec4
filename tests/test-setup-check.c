/* test-setup-check.c — the setup check against the simulated PBX
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "nc-pbx-simulator.h"
#include "nc-setup-check.h"
#include "nc-store.h"
#include "nc-test-util.h"

#define KEY "a1b2c3d4e5f6a7b8c9d0"
#define SECRET "c3e9a1b2d4f60718293a4b5c6d7e8f90"

typedef struct
{
  char           *dir;
  NcStore        *store;
  NcPbxSimulator *simulator;
  char           *url;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->store = nc_test_store_new (&fixture->dir);
  fixture->simulator = nc_pbx_simulator_new (KEY, SECRET);
  nc_pbx_simulator_add_extension (fixture->simulator, "100", TRUE);
  nc_pbx_simulator_add_number (fixture->simulator, "79500000033", "100");
  g_assert_true (nc_pbx_simulator_start (fixture->simulator, 0, &error));
  fixture->url = nc_pbx_simulator_get_url (fixture->simulator);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  nc_pbx_simulator_stop (fixture->simulator);
  g_clear_object (&fixture->simulator);
  nc_test_store_free (fixture->store, fixture->dir);
  g_free (fixture->url);
}

static void
got_result (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GPtrArray *
run_check (Fixture    *fixture,
           const char *secret)
{
  g_autoptr(NcZadarmaClient) client = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *items;

  if (secret != NULL)
    client = nc_zadarma_client_new (fixture->url, KEY, secret);
  nc_setup_check_async (client, fixture->store, NULL, got_result, &result);
  nc_test_wait_for_nonnull ((gpointer *) &result);
  items = nc_setup_check_finish (result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (items->len, ==, 4);
  return items;
}

static NcSetupCheckItem *
item (GPtrArray *items,
      guint      index)
{
  return items->pdata[index];
}

static void
save_employee (Fixture      *fixture,
               const char   *name,
               const char   *id,
               const char   *number,
               NcCallMethod  method)
{
  g_autoptr(NcEmployee) employee = nc_employee_new (0, name, id, number, method);

  g_assert_cmpint (nc_store_save_employee_sync (fixture->store, employee, NULL), >, 0);
}

/* Nothing set up: the check says where in the cabinet each thing is switched on. */
static void
test_no_credentials (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GPtrArray) items = run_check (fixture, NULL);

  g_assert_cmpint (item (items, 0)->status, ==, NC_SETUP_CHECK_FAILED);
  g_assert_nonnull (strstr (item (items, 0)->detail, "«Использовать ключ API»"));
  g_assert_nonnull (strstr (item (items, 0)->detail, "«вечно»"));
  g_assert_cmpint (item (items, 1)->status, ==, NC_SETUP_CHECK_SKIPPED);
  g_assert_cmpint (item (items, 2)->status, ==, NC_SETUP_CHECK_SKIPPED);
  g_assert_cmpint (item (items, 3)->status, ==, NC_SETUP_CHECK_FAILED);
  g_assert_nonnull (strstr (item (items, 3)->detail, "«Интеграция активна»"));
  /* No request was made without credentials. */
  g_assert_cmpuint (nc_pbx_simulator_get_request_count (fixture->simulator), ==, 0);
}

/* A wrong Secret: the 401 names the security rules, the key's settings and activation. */
static void
test_wrong_secret (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GPtrArray) items = run_check (fixture, "0000000000000000000000000000dead");

  g_assert_cmpint (item (items, 0)->status, ==, NC_SETUP_CHECK_FAILED);
  g_assert_nonnull (strstr (item (items, 0)->detail, "«Правила и настройки безопасности»"));
  g_assert_nonnull (strstr (item (items, 0)->detail, "0.0.0.0/0"));
  g_assert_nonnull (strstr (item (items, 0)->detail, "«вечно»"));
  g_assert_nonnull (strstr (item (items, 0)->detail, "e-mail"));
  g_assert_cmpint (item (items, 1)->status, ==, NC_SETUP_CHECK_SKIPPED);
  g_assert_cmpint (item (items, 2)->status, ==, NC_SETUP_CHECK_SKIPPED);
}

/* The employees who call through the API: one right, one with an extension and a number
 * the account does not have; those who call otherwise are not checked. */
static void
test_employees (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GPtrArray) items = NULL;

  save_employee (fixture, "Анна", "100", "79500000033", NC_CALL_METHOD_API);
  save_employee (fixture, "Вера", "300", NULL, NC_CALL_METHOD_APP);
  items = run_check (fixture, SECRET);
  g_assert_cmpint (item (items, 0)->status, ==, NC_SETUP_CHECK_PASSED);
  g_assert_nonnull (strstr (item (items, 0)->detail, "Balance"));
  g_assert_cmpint (item (items, 1)->status, ==, NC_SETUP_CHECK_PASSED);
  g_assert_cmpint (item (items, 2)->status, ==, NC_SETUP_CHECK_PASSED);
  g_clear_pointer (&items, g_ptr_array_unref);

  save_employee (fixture, "Борис", "12345-105", "79500000099", NC_CALL_METHOD_API);
  items = run_check (fixture, SECRET);
  g_assert_cmpint (item (items, 1)->status, ==, NC_SETUP_CHECK_FAILED);
  g_assert_nonnull (strstr (item (items, 1)->detail, "Борис (12345-105)"));
  g_assert_null (strstr (item (items, 1)->detail, "Анна"));
  g_assert_nonnull (strstr (item (items, 1)->detail, "«Пользователи АТС»"));
  g_assert_cmpint (item (items, 2)->status, ==, NC_SETUP_CHECK_FAILED);
  g_assert_nonnull (strstr (item (items, 2)->detail, "Борис (79500000099)"));
  g_assert_nonnull (strstr (item (items, 2)->detail, "«Без подключенного номера"));
  g_assert_nonnull (strstr (item (items, 2)->detail, "«ВАТС»"));
}

/* An event in the store: the integration works. */
static void
test_events_arrived (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GAsyncResult) added = NULL;

  nc_store_add_call_event_async (fixture->store, "NOTIFY_START",
                                 "call_start=2026-11-29+10%3A00%3A00&caller_id=79001112233"
                                 "&called_did=79500000033&event=NOTIFY_START&pbx_call_id=in_1",
                                 g_get_real_time (), NULL, got_result, &added);
  nc_test_wait_for_nonnull ((gpointer *) &added);
  g_assert_true (nc_store_add_call_event_finish (fixture->store, added, NULL, NULL));

  items = run_check (fixture, SECRET);
  g_assert_cmpint (item (items, 3)->status, ==, NC_SETUP_CHECK_PASSED);
  g_assert_nonnull (strstr (item (items, 3)->detail, "last event arrived"));
}

/* The API fails otherwise (here 5xx, past the client's retries): the check says so, without
 * blaming the credentials, and goes on. */
static void
test_server_error (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GPtrArray) items = NULL;

  for (guint i = 0; i < 10; i++)
    nc_pbx_simulator_push_fault (fixture->simulator, NC_PBX_FAULT_SERVER_ERROR);
  items = run_check (fixture, SECRET);
  g_assert_cmpint (item (items, 0)->status, ==, NC_SETUP_CHECK_FAILED);
  g_assert_null (strstr (item (items, 0)->detail, "0.0.0.0/0"));
  g_assert_cmpint (item (items, 3)->status, ==, NC_SETUP_CHECK_FAILED);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/setup-check/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("no-credentials", test_no_credentials);
  ADD ("wrong-secret", test_wrong_secret);
  ADD ("employees", test_employees);
  ADD ("events-arrived", test_events_arrived);
  ADD ("server-error", test_server_error);
#undef ADD

  return nc_test_run ();
}
