/* test-store-missed.c — the clients to call back, as the writer keeps them, in every order
 * of events, on every backend
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <sqlite3.h>

#include "nc-missed-list.h"
#include "nc-phone.h"
#include "nc-test-util.h"
#include "nc-zadarma-sign.h"

typedef NcTestStore Fixture;

#define SKIP_IF_NO_STORE(fixture) \
  G_STMT_START { if ((fixture)->store == NULL) return; } G_STMT_END

/* The calls' own clock: a minute apart, from an hour ago. */
#define MINUTE ((gint64) 60 * G_USEC_PER_SEC)

/* A whole outgoing call to @number. */
static void
call_out (NcStore    *store,
          const char *id,
          const char *number,
          gboolean    answered,
          gint64      at_us,
          gint64      client_id)
{
  g_autofree char *start = nc_call_format_pbx_time (at_us / G_USEC_PER_SEC);
  g_autoptr(GHashTable) first = nc_test_fields ("pbx_call_id", id, "call_start", start,
                                                "caller_id", "74951234567", "internal", "100",
                                                "destination", number, NULL);
  g_autoptr(GHashTable) last = nc_test_fields ("pbx_call_id", id, "call_start", start,
                                               "caller_id", "74951234567", "internal", "100",
                                               "destination", number,
                                               "duration", answered ? "30" : "0",
                                               "disposition", answered ? "answered" : "no answer",
                                               "status_code", "16", "is_recorded", "0",
                                               "call_id_with_rec", "", NULL);

  nc_test_store_matched_event (store, "NOTIFY_OUT_START", first, at_us, client_id);
  nc_test_store_matched_event (store, "NOTIFY_OUT_END", last, at_us + 30 * G_USEC_PER_SEC, client_id);
}

static GPtrArray *
list_waiting (NcStore *store)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *waiting = nc_store_list_missed_sync (store, 0, 0, 100, &error);

  g_assert_no_error (error);
  g_assert_nonnull (waiting);
  g_assert_cmpuint (nc_store_count_missed_sync (store, &error), ==, waiting->len);
  return waiting;
}

static NcMissedCall *
get_missed (NcStore *store,
            gint64   client_id)
{
  g_autoptr(GError) error = NULL;
  NcMissedCall *missed = nc_store_get_missed_sync (store, client_id, &error);

  g_assert_no_error (error);
  g_assert_nonnull (missed);
  return missed;
}

/* Missed, then called back by an outgoing call that was answered: off the list. An
 * outgoing call nobody answered before that leaves it on. */
static void
test_missed_then_called_back (Fixture       *fixture,
                              gconstpointer  data)
{
  gint64 base = g_get_real_time () - 60 * MINUTE;
  g_autoptr(GPtrArray) waiting = NULL;
  g_autoptr(NcMissedCall) missed = NULL;
  NcMissedCall *entry;
  gint64 anna;

  SKIP_IF_NO_STORE (fixture);
  anna = nc_test_add_client (fixture->store, "Anna", "79001112233");

  nc_test_store_call_in (fixture->store, "m1", "79001112233", FALSE, base, anna);
  waiting = list_waiting (fixture->store);
  g_assert_cmpuint (waiting->len, ==, 1);
  entry = waiting->pdata[0];
  g_assert_cmpint (entry->client_id, ==, anna);
  g_assert_cmpstr (entry->client_name, ==, "Anna");
  g_assert_cmpstr (entry->number, ==, "79001112233");
  g_assert_cmpuint (entry->count, ==, 1);
  g_assert_cmpint (entry->first_missed_us, ==, base);
  g_assert_null (entry->claimed_by);
  g_clear_pointer (&waiting, g_ptr_array_unref);

  call_out (fixture->store, "o1", "79001112233", FALSE, base + 5 * MINUTE, anna);
  waiting = list_waiting (fixture->store);
  g_assert_cmpuint (waiting->len, ==, 1);
  g_clear_pointer (&waiting, g_ptr_array_unref);

  call_out (fixture->store, "o2", "79001112233", TRUE, base + 10 * MINUTE, anna);
  waiting = list_waiting (fixture->store);
  g_assert_cmpuint (waiting->len, ==, 0);
  missed = get_missed (fixture->store, anna);
  g_assert_cmpint (missed->state, ==, NC_MISSED_REACHED);
}

/* Missed twice: one entry, counted twice, waiting since the first. */
static void
test_missed_twice (Fixture       *fixture,
                   gconstpointer  data)
{
  gint64 base = g_get_real_time () - 60 * MINUTE;
  g_autoptr(GPtrArray) waiting = NULL;
  NcMissedCall *entry;
  gint64 anna, boris;

  SKIP_IF_NO_STORE (fixture);
  anna = nc_test_add_client (fixture->store, "Anna", "79001112233");
  boris = nc_test_add_client (fixture->store, "Boris", "79004445566");

  nc_test_store_call_in (fixture->store, "m1", "79001112233", FALSE, base, anna);
  nc_test_store_call_in (fixture->store, "b1", "79004445566", FALSE, base + MINUTE, boris);
  nc_test_store_call_in (fixture->store, "m2", "79001112233", FALSE, base + 2 * MINUTE, anna);
  /* A replay of the last end counts nothing more. */
  nc_test_store_call_in (fixture->store, "m2", "79001112233", FALSE, base + 2 * MINUTE, anna);

  waiting = list_waiting (fixture->store);
  g_assert_cmpuint (waiting->len, ==, 2);
  /* Oldest wait first. */
  entry = waiting->pdata[0];
  g_assert_cmpint (entry->client_id, ==, anna);
  g_assert_cmpuint (entry->count, ==, 2);
  g_assert_cmpint (entry->first_missed_us, ==, base);
  g_assert_cmpint (entry->last_missed_us, ==, base + 2 * MINUTE);
  entry = waiting->pdata[1];
  g_assert_cmpint (entry->client_id, ==, boris);
  g_assert_cmpuint (entry->count, ==, 1);
  g_clear_pointer (&waiting, g_ptr_array_unref);

  /* A page after the first entry is the second. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) page = nc_store_list_missed_sync (fixture->store, base, anna, 10,
                                                           &error);

    g_assert_no_error (error);
    g_assert_cmpuint (page->len, ==, 1);
    g_assert_cmpint (((NcMissedCall *) page->pdata[0])->client_id, ==, boris);
  }
}

/* Missed, then the client called again and was answered: off the list. */
static void
test_missed_then_answered_in (Fixture       *fixture,
                              gconstpointer  data)
{
  gint64 base = g_get_real_time () - 60 * MINUTE;
  g_autoptr(GPtrArray) waiting = NULL;
  gint64 anna;

  SKIP_IF_NO_STORE (fixture);
  anna = nc_test_add_client (fixture->store, "Anna", "79001112233");

  nc_test_store_call_in (fixture->store, "m1", "79001112233", FALSE, base, anna);
  nc_test_store_call_in (fixture->store, "a1", "79001112233", TRUE, base + 3 * MINUTE, anna);
  waiting = list_waiting (fixture->store);
  g_assert_cmpuint (waiting->len, ==, 0);
  g_clear_pointer (&waiting, g_ptr_array_unref);

  /* Missed once more later: back, counted from one. */
  nc_test_store_call_in (fixture->store, "m2", "79001112233", FALSE, base + 6 * MINUTE, anna);
  waiting = list_waiting (fixture->store);
  g_assert_cmpuint (waiting->len, ==, 1);
  g_assert_cmpuint (((NcMissedCall *) waiting->pdata[0])->count, ==, 1);
  g_assert_cmpint (((NcMissedCall *) waiting->pdata[0])->first_missed_us, ==, base + 6 * MINUTE);
}

/* A missed call the store hears of after a later answered one (recovered from the PBX's
 * statistics): the client was reached since, and does not wait. */
static void
test_late_missed_call_after_answer (Fixture       *fixture,
                                    gconstpointer  data)
{
  gint64 base = g_get_real_time () - 60 * MINUTE;
  g_autoptr(GPtrArray) recovered = g_ptr_array_new_with_free_func ((GDestroyNotify) nc_call_record_free);
  g_autoptr(GPtrArray) waiting = NULL;
  g_autoptr(GError) error = NULL;
  NcCallRecord *record;
  gint64 anna;

  SKIP_IF_NO_STORE (fixture);
  anna = nc_test_add_client (fixture->store, "Anna", "79001112233");

  call_out (fixture->store, "o1", "79001112233", TRUE, base + 10 * MINUTE, anna);
  record = nc_call_record_new ("recovered-1");
  record->direction = NC_CALL_DIRECTION_IN;
  record->state = NC_CALL_STATE_ENDED;
  record->client_number = g_strdup ("79001112233");
  record->started_unix = base / G_USEC_PER_SEC;
  record->started_at = nc_call_format_pbx_time (record->started_unix);
  record->client_id = anna;
  g_ptr_array_add (recovered, record);
  g_assert_cmpuint (nc_store_add_recovered_calls_sync (fixture->store, recovered, &error), ==, 1);
  g_assert_no_error (error);

  waiting = list_waiting (fixture->store);
  g_assert_cmpuint (waiting->len, ==, 0);
}

/* A missed call from a number no client has: nothing waits until the matcher makes a
 * client of it (after the end), then that client does. */
static void
test_unknown_number_matched_later (Fixture       *fixture,
                                   gconstpointer  data)
{
  gint64 base = g_get_real_time () - 60 * MINUTE;
  g_autoptr(GPtrArray) waiting = NULL;
  g_autoptr(NcCallRecord) record = NULL;
  g_autoptr(NcClient) draft = nc_client_new (0, "+7 900 777-88-99", NC_CHANNEL_TELEPHONY,
                                             "79007778899", 0);
  g_autoptr(GError) error = NULL;
  gboolean added = FALSE;
  gint64 client_id;

  SKIP_IF_NO_STORE (fixture);

  nc_test_store_call_in (fixture->store, "u1", "79007778899", FALSE, base, 0);
  waiting = list_waiting (fixture->store);
  g_assert_cmpuint (waiting->len, ==, 0);
  g_clear_pointer (&waiting, g_ptr_array_unref);

  nc_client_take_variables (draft, g_ptr_array_new_with_free_func ((GDestroyNotify) nc_variable_free));
  client_id = nc_store_find_or_add_client_sync (fixture->store, "79007778899", draft, &added,
                                                &error);
  g_assert_no_error (error);
  g_assert_true (added);
  record = nc_store_get_call_sync (fixture->store, "u1", &error);
  g_assert_no_error (error);
  g_assert_true (nc_store_set_call_client_sync (fixture->store, record->id, client_id, "phone",
                                                &error));
  g_assert_no_error (error);

  waiting = list_waiting (fixture->store);
  g_assert_cmpuint (waiting->len, ==, 1);
  g_assert_cmpint (((NcMissedCall *) waiting->pdata[0])->client_id, ==, client_id);
  g_assert_cmpstr (((NcMissedCall *) waiting->pdata[0])->number, ==, "79007778899");
  g_assert_cmpuint (((NcMissedCall *) waiting->pdata[0])->count, ==, 1);
  g_clear_pointer (&waiting, g_ptr_array_unref);

  /* Told again of the same client: counted once. */
  g_assert_true (nc_store_set_call_client_sync (fixture->store, record->id, client_id, "phone",
                                                &error));
  waiting = list_waiting (fixture->store);
  g_assert_cmpuint (((NcMissedCall *) waiting->pdata[0])->count, ==, 1);
}

static void
missed_changed (NcStore       *store,
                NcStoreChange  kind,
                gint64         id,
                guint         *heard)
{
  if (kind == NC_STORE_CHANGE_MISSED)
    (*heard)++;
}

/* Claimed on one desk: the other hears of it through the change feed (its tracker, as a
 * window's, says NcStore::changed), sees who has it, and cannot claim it too. */
static void
test_claim_seen_on_another_desk (Fixture       *fixture,
                                 gconstpointer  data)
{
  gint64 base = g_get_real_time () - 60 * MINUTE;
  g_autoptr(NcStore) other = NULL;
  g_autoptr(GPtrArray) live = NULL;
  g_autoptr(GPtrArray) waiting = NULL;
  g_autoptr(NcStoreChanges) changes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(NcCallTracker) tracker = nc_call_tracker_new ();
  gint64 cursor = 0, anna, deadline;
  guint heard = 0;

  SKIP_IF_NO_STORE (fixture);
  anna = nc_test_add_client (fixture->store, "Anna", "79001112233");
  nc_test_store_call_in (fixture->store, "m1", "79001112233", FALSE, base, anna);
  live = nc_store_list_live_calls_sync (fixture->store, &cursor, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (nc_call_tracker_start_sync (tracker, fixture->store, &error));
  g_assert_no_error (error);
  nc_call_tracker_set_poll_interval (tracker, 100);
  g_signal_connect (fixture->store, "changed", G_CALLBACK (missed_changed), &heard);

  other = nc_test_store_open_again (fixture);
  g_assert_true (nc_store_claim_missed_sync (other, anna, "Boris", TRUE, &error));
  g_assert_no_error (error);
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (heard == 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (heard, >, 0);
  g_signal_handlers_disconnect_by_data (fixture->store, &heard);

  changes = nc_store_read_changes_sync (fixture->store, cursor, &error);
  g_assert_no_error (error);
  g_assert_true (changes->kinds_elsewhere & (1u << NC_STORE_CHANGE_MISSED));
  waiting = list_waiting (fixture->store);
  g_assert_cmpuint (waiting->len, ==, 1);
  g_assert_cmpstr (((NcMissedCall *) waiting->pdata[0])->claimed_by, ==, "Boris");
  g_assert_cmpint (((NcMissedCall *) waiting->pdata[0])->claimed_at_us, >=, base);

  /* Someone else has it. */
  g_assert_false (nc_store_claim_missed_sync (fixture->store, anna, "Anna K.", TRUE, &error));
  g_assert_error (error, NC_STORE_ERROR, NC_STORE_ERROR_BUSY);
  g_assert_nonnull (strstr (error->message, "Boris"));
  g_clear_error (&error);
  /* Letting go of what one does not hold leaves it. */
  g_assert_true (nc_store_claim_missed_sync (fixture->store, anna, "Anna K.", FALSE, &error));
  g_clear_pointer (&waiting, g_ptr_array_unref);
  waiting = list_waiting (other);
  g_assert_cmpstr (((NcMissedCall *) waiting->pdata[0])->claimed_by, ==, "Boris");
  g_clear_pointer (&waiting, g_ptr_array_unref);

  /* Boris lets go: Anna K. may take it. */
  g_assert_true (nc_store_claim_missed_sync (other, anna, "Boris", FALSE, &error));
  g_assert_true (nc_store_claim_missed_sync (fixture->store, anna, "Anna K.", TRUE, &error));
  g_assert_no_error (error);
  waiting = list_waiting (other);
  g_assert_cmpstr (((NcMissedCall *) waiting->pdata[0])->claimed_by, ==, "Anna K.");
  g_clear_pointer (&waiting, g_ptr_array_unref);

  /* Nobody to claim as: refused before the store. */
  g_assert_false (nc_store_claim_missed_sync (other, anna, "", TRUE, &error));
  g_assert_error (error, NC_STORE_ERROR, NC_STORE_ERROR_INVALID);
  g_clear_error (&error);

  /* Reached: the claim goes with the wait, and a claim of it now says why not. */
  call_out (other, "o1", "79001112233", TRUE, base + 10 * MINUTE, anna);
  g_assert_false (nc_store_claim_missed_sync (fixture->store, anna, "Anna K.", TRUE, &error));
  g_assert_error (error, NC_STORE_ERROR, NC_STORE_ERROR_NOT_FOUND);
  nc_store_close (other);
  nc_call_tracker_set_poll_interval (tracker, 0);
  nc_test_wait_for_last_reference (tracker);
}

/* Closed by hand with a reason: off the list, the reason kept; missed again later: back,
 * without the old claim or reason. */
static void
test_closed_then_missed_again (Fixture       *fixture,
                               gconstpointer  data)
{
  gint64 now = g_get_real_time ();
  g_autoptr(GPtrArray) waiting = NULL;
  g_autoptr(NcMissedCall) missed = NULL;
  g_autoptr(GError) error = NULL;
  gint64 anna;

  SKIP_IF_NO_STORE (fixture);
  anna = nc_test_add_client (fixture->store, "Anna", "79001112233");
  nc_test_store_call_in (fixture->store, "m1", "79001112233", FALSE, now - 60 * MINUTE, anna);
  g_assert_true (nc_store_claim_missed_sync (fixture->store, anna, "Boris", TRUE, &error));

  /* A reason is required; a bad one loses nothing. */
  g_assert_false (nc_store_close_missed_sync (fixture->store, anna, "Boris", "  ", &error));
  g_assert_error (error, NC_STORE_ERROR, NC_STORE_ERROR_INVALID);
  g_clear_error (&error);
  waiting = list_waiting (fixture->store);
  g_assert_cmpuint (waiting->len, ==, 1);
  g_clear_pointer (&waiting, g_ptr_array_unref);

  g_assert_true (nc_store_close_missed_sync (fixture->store, anna, "Boris",
                                             "Wrote to them on WhatsApp", &error));
  g_assert_no_error (error);
  waiting = list_waiting (fixture->store);
  g_assert_cmpuint (waiting->len, ==, 0);
  g_clear_pointer (&waiting, g_ptr_array_unref);
  missed = get_missed (fixture->store, anna);
  g_assert_cmpint (missed->state, ==, NC_MISSED_CLOSED);
  g_assert_cmpstr (missed->closed_reason, ==, "Wrote to them on WhatsApp");
  g_assert_cmpstr (missed->closed_by, ==, "Boris");
  g_assert_null (missed->claimed_by);
  g_clear_pointer (&missed, nc_missed_call_free);

  /* Closed twice: the second says it is closed. */
  g_assert_false (nc_store_close_missed_sync (fixture->store, anna, "Boris", "again", &error));
  g_assert_error (error, NC_STORE_ERROR, NC_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  nc_test_store_call_in (fixture->store, "m2", "79001112233", FALSE, now + MINUTE, anna);
  waiting = list_waiting (fixture->store);
  g_assert_cmpuint (waiting->len, ==, 1);
  g_assert_cmpuint (((NcMissedCall *) waiting->pdata[0])->count, ==, 1);
  g_assert_null (((NcMissedCall *) waiting->pdata[0])->claimed_by);
  missed = get_missed (fixture->store, anna);
  g_assert_cmpint (missed->state, ==, NC_MISSED_WAITING);
  g_assert_null (missed->closed_reason);
}

static gboolean
list_settled (NcMissedList *list,
              guint         n)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while ((nc_missed_list_get_loading (list) ||
          g_list_model_get_n_items (G_LIST_MODEL (list)) != n) &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  return g_list_model_get_n_items (G_LIST_MODEL (list)) == n;
}

/* The page's model: a first page, the next one when asked, oldest first, and read again
 * when a client goes. */
static void
test_list_pages (Fixture       *fixture,
                 gconstpointer  data)
{
  guint waiting = NC_MISSED_LIST_FIRST_PAGE + 10;
  gint64 base = g_get_real_time () - 600 * MINUTE;
  g_autoptr(GPtrArray) recovered = g_ptr_array_new_with_free_func ((GDestroyNotify) nc_call_record_free);
  g_autoptr(NcMissedList) list = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  SKIP_IF_NO_STORE (fixture);
  for (guint i = 0; i < waiting; i++)
    {
      g_autofree char *name = g_strdup_printf ("Client %02u", i);
      g_autofree char *phone = g_strdup_printf ("790011%05u", i);
      gint64 id = nc_test_add_client (fixture->store, name, phone);
      NcCallRecord *record = nc_call_record_new (NULL);

      g_free (record->pbx_call_id);
      record->pbx_call_id = g_strdup_printf ("r-%u", i);
      record->direction = NC_CALL_DIRECTION_IN;
      record->state = NC_CALL_STATE_ENDED;
      record->client_number = g_strdup (phone);
      /* The later clients waited longer: the list's order is not the clients'. */
      record->first_seen_us = base - (gint64) i * MINUTE;
      record->started_unix = record->first_seen_us / G_USEC_PER_SEC;
      record->client_id = id;
      g_ptr_array_add (recovered, record);
      g_array_append_val (ids, id);
    }
  g_assert_cmpuint (nc_store_add_recovered_calls_sync (fixture->store, recovered, &error), ==,
                    waiting);

  list = nc_missed_list_new (fixture->store);
  g_assert_true (list_settled (list, NC_MISSED_LIST_FIRST_PAGE));
  g_assert_cmpuint (nc_missed_list_get_count (list), ==, waiting);
  g_assert_false (nc_missed_list_get_complete (list));
  {
    g_autoptr(NcMissedItem) first = g_list_model_get_item (G_LIST_MODEL (list), 0);

    g_assert_cmpstr (nc_missed_item_get_missed (first)->client_name, ==, "Client 69");
  }
  nc_missed_list_load_more (list);
  g_assert_true (list_settled (list, waiting));
  g_assert_true (nc_missed_list_get_complete (list));
  {
    g_autoptr(NcMissedItem) last = g_list_model_get_item (G_LIST_MODEL (list), waiting - 1);

    g_assert_cmpstr (nc_missed_item_get_missed (last)->client_name, ==, "Client 00");
  }

  /* A client deleted: gone from the list, which keeps every page it read. */
  g_assert_true (nc_store_delete_client_sync (fixture->store, g_array_index (ids, gint64, 5),
                                              &error));
  g_assert_true (list_settled (list, waiting - 1));
  g_assert_cmpuint (nc_missed_list_get_count (list), ==, waiting - 1);
}

/* The waits' levels against the targets, and their words. */
static void
test_wait_levels (void)
{
  g_autofree char *under = nc_missed_format_wait (30 * G_USEC_PER_SEC);
  g_autofree char *minutes = nc_missed_format_wait (12 * MINUTE);
  g_autofree char *hours = nc_missed_format_wait (65 * MINUTE);
  g_autofree char *days = nc_missed_format_wait ((gint64) (50 * 60) * MINUTE);

  g_assert_cmpint (nc_missed_wait_level (14 * MINUTE, 15, 60), ==, NC_MISSED_WAIT_SHORT);
  g_assert_cmpint (nc_missed_wait_level (15 * MINUTE, 15, 60), ==, NC_MISSED_WAIT_LONG);
  g_assert_cmpint (nc_missed_wait_level (59 * MINUTE, 15, 60), ==, NC_MISSED_WAIT_LONG);
  g_assert_cmpint (nc_missed_wait_level (60 * MINUTE, 15, 60), ==, NC_MISSED_WAIT_OVER);
  g_assert_cmpstr (under, ==, "under a minute");
  g_assert_cmpstr (minutes, ==, "12 min");
  g_assert_cmpstr (hours, ==, "1 h 5 min");
  g_assert_cmpstr (days, ==, "2 d 2 h");
}

/* A store of version 6, with calls: once version 7, its clients wait as the writer would
 * have kept them. Made here as version 7 makes it, then taken back to version 6. */
static void
test_upgrade_from_version_6 (void)
{
  g_autofree char *dir = nc_test_make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, NC_STORE_FILE_NAME, NULL);
  gint64 base = g_get_real_time () - 60 * MINUTE;
  g_autoptr(GPtrArray) waiting = NULL;
  g_autoptr(GError) error = NULL;
  NcStore *store;
  gint64 anna, boris;

  store = nc_store_open_sync (dir, &error);
  g_assert_no_error (error);
  anna = nc_test_add_client (store, "Anna", "79001112233");
  boris = nc_test_add_client (store, "Boris", "79004445566");
  nc_test_store_call_in (store, "m1", "79001112233", FALSE, base, anna);
  nc_test_store_call_in (store, "m2", "79001112233", FALSE, base + MINUTE, anna);
  nc_test_store_call_in (store, "b1", "79004445566", FALSE, base + 2 * MINUTE, boris);
  call_out (store, "o1", "79004445566", TRUE, base + 3 * MINUTE, boris);
  nc_store_close (store);
  g_object_unref (store);

  nc_test_sql_exec (path, "DROP TABLE missed_calls; PRAGMA user_version = 6;");
  store = nc_store_open_sync (dir, &error);
  g_assert_no_error (error);
  g_assert_cmpint (nc_store_get_found_version (store), ==, 6);
  waiting = list_waiting (store);
  g_assert_cmpuint (waiting->len, ==, 1);
  g_assert_cmpint (((NcMissedCall *) waiting->pdata[0])->client_id, ==, anna);
  g_assert_cmpuint (((NcMissedCall *) waiting->pdata[0])->count, ==, 2);
  g_assert_cmpint (((NcMissedCall *) waiting->pdata[0])->first_missed_us, ==, base);
  nc_store_close (store);
  g_object_unref (store);
  nc_test_remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/store-missed/sqlite/" path, Fixture, "sqlite", nc_test_store_set_up, func, \
              nc_test_store_tear_down); \
  g_test_add ("/store-missed/postgresql/" path, Fixture, "postgresql", nc_test_store_set_up, \
              func, nc_test_store_tear_down)
  g_test_add_func ("/store-missed/wait-levels", test_wait_levels);
  g_test_add_func ("/store-missed/upgrade-from-version-6", test_upgrade_from_version_6);
  ADD ("missed-then-called-back", test_missed_then_called_back);
  ADD ("missed-twice", test_missed_twice);
  ADD ("missed-then-answered-in", test_missed_then_answered_in);
  ADD ("late-missed-call-after-answer", test_late_missed_call_after_answer);
  ADD ("unknown-number-matched-later", test_unknown_number_matched_later);
  ADD ("claim-seen-on-another-desk", test_claim_seen_on_another_desk);
  ADD ("closed-then-missed-again", test_closed_then_missed_again);
  ADD ("list-pages", test_list_pages);
#undef ADD

  return nc_test_run ();
}
