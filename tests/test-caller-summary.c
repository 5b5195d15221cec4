/* test-caller-summary.c — what the caller's card reads of a client, on SQLite and on
 * PostgreSQL
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "nc-caller-summary.h"
#include "nc-client-matcher.h"
#include "nc-test-util.h"

typedef NcTestStore Fixture;

static gint64
add_client (NcStore    *store,
            const char *name,
            const char *phone,
            const char *outcome,
            const char *note)
{
  g_autoptr(GPtrArray) drafts = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GError) error = NULL;
  NcClient *client = nc_client_new (0, name, NC_CHANNEL_TELEPHONY, phone, 0);
  GPtrArray *variables = g_ptr_array_new_with_free_func ((GDestroyNotify) nc_variable_free);

  if (outcome != NULL)
    g_ptr_array_add (variables, nc_variable_new (NC_LAST_CALL_OUTCOME_VARIABLE, outcome));
  if (note != NULL)
    g_ptr_array_add (variables, nc_variable_new (NC_LAST_CALL_NOTE_VARIABLE, note));
  nc_client_take_variables (client, variables);
  g_ptr_array_add (drafts, client);
  g_assert_true (nc_store_add_clients_sync (store, drafts, &ids, &error));
  g_assert_no_error (error);
  return g_array_index (ids, gint64, 0);
}

/* Stores the event as the listener does. */
static void
put (NcStore    *store,
     const char *type,
     GHashTable *fields,
     gint64      at_us)
{
  g_assert_true (nc_test_store_event (store, type, fields, at_us));
  g_hash_table_unref (fields);
}

/* One incoming call of @client_id that started at @start: answered by @employee, or
 * missed when @employee is %NULL; still ringing when @over is FALSE. */
static void
call (NcStore    *store,
      const char *id,
      const char *start,
      const char *caller,
      const char *employee,
      gboolean    over,
      gint64      client_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NcCallRecord) row = NULL;
  gint64 now = g_get_real_time ();

  put (store, "NOTIFY_START",
                                      nc_test_fields ("pbx_call_id", id, "call_start", start,
                                                      "caller_id", caller,
                                                      "called_did", "74951234567", NULL),
                                      now);
  if (employee != NULL)
    put (store, "NOTIFY_ANSWER",
                                        nc_test_fields ("pbx_call_id", id, "call_start", start,
                                                        "caller_id", caller,
                                                        "destination", employee, NULL),
                                        now + 1);
  if (over)
    put (store, "NOTIFY_END",
                                        nc_test_fields ("pbx_call_id", id, "call_start", start,
                                                        "caller_id", caller,
                                                        "called_did", "74951234567",
                                                        "internal", employee != NULL ? employee
                                                                                     : "100",
                                                        "duration", employee != NULL ? "65" : "0",
                                                        "disposition", employee != NULL
                                                                       ? "answered" : "no answer",
                                                        "status_code", "16", "is_recorded", "0",
                                                        NULL),
                                        now + 2);
  row = nc_store_get_call_sync (store, id, &error);
  g_assert_no_error (error);
  g_assert_true (nc_store_set_call_client_sync (store, row->id, client_id,
                                                nc_match_rule_to_string (NC_MATCH_RULE_TELEPHONY_CLIENT),
                                                &error));
  g_assert_no_error (error);
}

static void
assert_summary (NcStore *store,
                gint64   ivan)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NcCallerSummary) summary = nc_caller_summary_read_sync (store, ivan, "ringing",
                                                                    &error);

  g_assert_no_error (error);
  g_assert_nonnull (summary);
  g_assert_cmpstr (nc_client_get_name (summary->client), ==, "Иван Петров");
  g_assert_cmpstr (nc_client_get_variable (summary->client, NC_LAST_CALL_OUTCOME_VARIABLE), ==,
                   "перезвонить");
  g_assert_cmpstr (nc_client_get_variable (summary->client, NC_LAST_CALL_NOTE_VARIABLE), ==,
                   "после обеда");
  /* The three before the ringing one, newest first; not the other client's. */
  g_assert_cmpuint (summary->calls->len, ==, NC_CALLER_SUMMARY_CALLS);
  g_assert_cmpstr (nc_call_get_pbx_call_id (summary->calls->pdata[0]), ==, "missed_2");
  g_assert_cmpstr (nc_call_get_pbx_call_id (summary->calls->pdata[1]), ==, "missed_1");
  g_assert_cmpstr (nc_call_get_pbx_call_id (summary->calls->pdata[2]), ==, "answered_2");
  g_assert_true (nc_call_is_missed (summary->calls->pdata[0]));
  g_assert_cmpuint (nc_call_get_duration (summary->calls->pdata[2]), ==, 65);
  /* Who spoke to him last: the last answered call's employee, past the missed ones. */
  g_assert_cmpstr (summary->last_employee, ==, "101");
}

/* The last three calls of the caller, and who answered the last answered one, whatever
 * came between; the other desk reads the same. */
static void
test_summary (Fixture       *fixture,
              gconstpointer  data)
{
  NcStore *store = fixture->store;
  g_autoptr(GError) error = NULL;
  g_autoptr(NcCallerSummary) empty = NULL;
  g_autoptr(NcStore) other = NULL;
  gint64 ivan, maria;

  if (store == NULL)
    return;
  ivan = add_client (store, "Иван Петров", "79004443322", "перезвонить", "после обеда");
  maria = add_client (store, "Мария", "79001112233", NULL, NULL);

  call (store, "answered_1", "2026-11-20 10:00:00", "79004443322", "100", TRUE, ivan);
  call (store, "answered_2", "2026-11-21 10:00:00", "79004443322", "101", TRUE, ivan);
  call (store, "missed_1", "2026-11-22 10:00:00", "79004443322", NULL, TRUE, ivan);
  call (store, "maria", "2026-11-22 12:00:00", "79001112233", "102", TRUE, maria);
  call (store, "missed_2", "2026-11-23 10:00:00", "79004443322", NULL, TRUE, ivan);
  call (store, "ringing", "2026-11-24 10:00:00", "79004443322", NULL, FALSE, ivan);

  assert_summary (store, ivan);

  /* Another desk on the same data reads the same. */
  other = nc_test_store_open_again (fixture);
  assert_summary (other, ivan);
  nc_store_close (other);

  /* A client without calls before: none, and nobody spoke to them. */
  empty = nc_caller_summary_read_sync (store, add_client (store, "Новый", "79261112233", NULL,
                                                          NULL),
                                       NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (empty->calls->len, ==, 0);
  g_assert_null (empty->last_employee);
  g_assert_null (nc_client_get_variable (empty->client, NC_LAST_CALL_OUTCOME_VARIABLE));

  /* A client who is not there: an error, not a card. */
  g_clear_pointer (&empty, nc_caller_summary_free);
  empty = nc_caller_summary_read_sync (store, 999999, NULL, &error);
  g_assert_null (empty);
  g_assert_nonnull (error);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/caller-summary/sqlite", Fixture, "sqlite", nc_test_store_set_up, test_summary,
              nc_test_store_tear_down);
  g_test_add ("/caller-summary/postgresql", Fixture, "postgresql", nc_test_store_set_up,
              test_summary, nc_test_store_tear_down);

  return nc_test_run ();
}
