/* test-store-calls.c — calls as rows: the upgrade of a version-2 store, the journal's pages
 * and filters, stuck calls, recordings, the callback guard and the change log
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <sqlite3.h>
#include <glib/gstdio.h>

#include "nc-store.h"
#include "nc-test-util.h"
#include "nc-zadarma-sign.h"

/* Each test runs on SQLite and, when the run has a PostgreSQL cluster, on PostgreSQL. */
typedef NcTestStore Fixture;

#define SKIP_IF_NO_STORE(fixture) \
  G_STMT_START { if ((fixture)->store == NULL) return; } G_STMT_END

static gint64
sql_int (const char *path,
         const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 value = -1;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

/* ------------------------------------------------------------------------------------ */
/* The upgrade                                                                           */

/* A store of version 3 (the last before imports in chunks): its clients are seen, found
 * and matched once it is version 4, and an import works on it. Made here as version 4 made
 * it, then taken back to version 3 as version 3 had it (no imports, no import_id). */
static void
test_upgrade_from_version_3 (void)
{
  g_autofree char *dir = nc_test_make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, NC_STORE_FILE_NAME, NULL);
  g_autoptr(GPtrArray) drafts = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) chunk = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) clients = NULL;
  g_autoptr(GArray) found = NULL;
  g_autoptr(NcStoreImport) import = NULL;
  g_autoptr(GError) error = NULL;
  NcStore *store;
  gint64 telephony = 0, any = 0;
  sqlite3 *db = NULL;

  store = nc_store_open_sync (dir, &error);
  g_assert_no_error (error);
  g_ptr_array_add (drafts, nc_client_new (0, "Old Client", NC_CHANNEL_TELEPHONY, "79004443322", 0));
  g_assert_true (nc_store_add_clients_sync (store, drafts, NULL, &error));
  nc_store_close (store);
  g_object_unref (store);

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "DROP TABLE missed_calls; DROP TABLE imports; ALTER TABLE clients DROP COLUMN import_id; "
                                     /* version 6's notes; version 5's index is made again only if missing */
                                     "DROP TRIGGER calls_note_added; DROP TRIGGER calls_note_changed; "
                                     "DROP TRIGGER calls_note_deleted; DROP TABLE call_note_search; "
                                     "ALTER TABLE calls DROP COLUMN outcome; "
                                     "ALTER TABLE calls DROP COLUMN note; "
                                     "PRAGMA user_version = 3", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  g_assert_cmpint (sql_int (path, "SELECT count(*) FROM sqlite_master WHERE name = 'imports'"),
                   ==, 0);

  store = nc_store_open_sync (dir, &error);
  g_assert_no_error (error);
  g_assert_cmpint (nc_store_get_found_version (store), ==, 3);
  g_assert_cmpint (sql_int (path, "PRAGMA user_version"), ==, NC_STORE_SCHEMA_VERSION);
  g_assert_cmpint (sql_int (path, "SELECT count(*) FROM clients WHERE import_id = 0"), ==, 1);

  clients = nc_store_list_clients_sync (store, FALSE, &error);
  g_assert_cmpuint (clients->len, ==, 1);
  found = nc_store_search_clients_sync (store, "Old Cl", 10, &error);
  g_assert_cmpuint (found->len, ==, 1);
  g_assert_true (nc_store_lookup_phone_sync (store, "79004443322", &telephony, &any, &error));
  g_assert_cmpint (telephony, ==, 1);

  import = nc_store_import_begin_sync (store, &error);
  g_assert_no_error (error);
  g_ptr_array_add (chunk, nc_client_new (0, "New Client", NC_CHANNEL_TELEPHONY, NULL, 0));
  g_assert_true (nc_store_import_add_sync (import, g_steal_pointer (&chunk), &error));
  g_assert_true (nc_store_import_finish_sync (import, NULL, &error));
  g_assert_no_error (error);
  g_clear_pointer (&clients, g_ptr_array_unref);
  clients = nc_store_list_clients_sync (store, FALSE, &error);
  g_assert_cmpuint (clients->len, ==, 2);
  g_clear_pointer (&import, nc_store_import_free);
  nc_store_close (store);
  g_object_unref (store);
  nc_test_remove_tree (dir);
}

static void
test_upgrade_from_version_2 (void)
{
  g_autofree char *dir = nc_test_make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, NC_STORE_FILE_NAME, NULL);
  g_autofree char *fixture = g_test_build_filename (G_TEST_DIST, "data", "store-v2.db", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(NcStore) store = NULL;
  g_autoptr(NcCallRecord) answered = NULL;
  g_autoptr(NcCallRecord) missed = NULL;
  g_autoptr(NcCallRecord) out = NULL;
  g_autoptr(NcCallRecord) stuck = NULL;
  g_autoptr(NcCallRecord) orphan = NULL;
  g_autoptr(GPtrArray) journal = NULL;
  g_autoptr(GPtrArray) live = NULL;
  g_autofree char *answered_at = NULL;
  gsize length;

  /* A store as version 2 wrote it (tests/data/make-store-v2.c). */
  g_assert_true (g_file_get_contents (fixture, &contents, &length, &error));
  g_assert_true (g_file_set_contents (path, contents, (gssize) length, &error));
  g_assert_cmpint (sql_int (path, "PRAGMA user_version"), ==, 2);

  store = nc_store_open_sync (dir, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sql_int (path, "PRAGMA user_version"), ==, NC_STORE_SCHEMA_VERSION);
  /* The events stay as they came; what version 2 kept of calls is in the rows now. */
  g_assert_cmpint (sql_int (path, "SELECT count(*) FROM call_events"), ==, 10);
  g_assert_cmpint (sql_int (path, "SELECT count(*) FROM sqlite_master WHERE name = 'calls_v2'"),
                   ==, 0);
  g_assert_cmpint (sql_int (path, "SELECT count(*) FROM calls"), ==, 5);

  answered = nc_test_get_call (store, "in_answered");
  g_assert_cmpint (answered->direction, ==, NC_CALL_DIRECTION_IN);
  g_assert_cmpint (answered->state, ==, NC_CALL_STATE_ENDED);
  g_assert_true (answered->answered);
  g_assert_cmpuint (answered->duration, ==, 65);
  g_assert_cmpstr (answered->employee, ==, "100");
  g_assert_cmpstr (answered->client_number, ==, "79004443322");
  g_assert_cmpstr (answered->started_at, ==, "2026-11-24 10:00:00");
  answered_at = nc_call_record_dup_answered_at (answered);
  g_assert_cmpstr (answered_at, ==, "2026-11-24 10:00:06");
  g_assert_cmpint (answered->client_id, ==, 1);
  g_assert_cmpstr (answered->client_name, ==, "Иван Петров");
  g_assert_cmpstr (answered->match_rule, ==, "telephony");
  g_assert_cmpint (answered->recording, ==, NC_RECORDING_FETCHED);
  g_assert_cmpstr (answered->record_link, ==, "https://records.example.org/in_answered.mp3");
  g_assert_cmpstr (answered->record_expires, ==, "2027-01-23 10:01:11");

  /* Delivered out of order, one event twice: one missed call. */
  missed = nc_test_get_call (store, "in_missed");
  g_assert_true (nc_call_record_is_missed (missed));
  g_assert_cmpstr (missed->employee, ==, "101");
  g_assert_cmpstr (missed->disposition, ==, "no answer");

  /* Recorded, its link never fetched, and older than what the PBX is likely to keep: asked
   * for only when someone opens it. */
  out = nc_test_get_call (store, "out_1");
  g_assert_cmpint (out->direction, ==, NC_CALL_DIRECTION_OUT);
  g_assert_cmpstr (out->client_number, ==, "79001112233");
  g_assert_cmpstr (out->call_id_with_rec, ==, "1795500300.2");
  g_assert_cmpint (out->recording, ==, NC_RECORDING_FAILED);

  stuck = nc_test_get_call (store, "in_stuck");
  g_assert_cmpint (stuck->state, ==, NC_CALL_STATE_RINGING);
  orphan = nc_test_get_call (store, "orphan");
  g_assert_false (nc_call_record_has_start (orphan));

  /* The journal: the calls with a start, newest first. */
  journal = nc_store_list_calls_sync (store, NULL, NULL, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (journal->len, ==, 4);
  g_assert_cmpstr (((NcCallRecord *) journal->pdata[0])->pbx_call_id, ==, "in_stuck");
  g_assert_cmpstr (((NcCallRecord *) journal->pdata[1])->pbx_call_id, ==, "out_1");
  g_assert_cmpstr (((NcCallRecord *) journal->pdata[2])->pbx_call_id, ==, "in_missed");
  g_assert_cmpstr (((NcCallRecord *) journal->pdata[3])->pbx_call_id, ==, "in_answered");

  /* The call that never ended is live until the stuck sweep; then it is over, unended. */
  live = nc_store_list_live_calls_sync (store, NULL, NULL, &error);
  g_assert_cmpuint (live->len, ==, 1);
  g_assert_cmpuint (nc_store_close_stuck_calls_sync (store, g_get_real_time (), &error), ==, 1);
  g_clear_pointer (&live, g_ptr_array_unref);
  live = nc_store_list_live_calls_sync (store, NULL, NULL, &error);
  g_assert_cmpuint (live->len, ==, 0);

  nc_store_close (store);
  nc_test_remove_tree (dir);
}

/* ------------------------------------------------------------------------------------ */
/* Many calls, quickly: every event through the writer, as the listener stores them      */

typedef struct
{
  guint pending;
} Burst;

static void
burst_stored (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Burst *burst = user_data;
  g_autoptr(GError) error = NULL;

  nc_store_add_call_event_finish (NC_STORE (source), result, NULL, &error);
  g_assert_no_error (error);
  burst->pending--;
}

static void
burst_add (NcStore    *store,
           Burst      *burst,
           const char *event_type,
           GHashTable *fields,
           gint64      at_us)
{
  g_autofree char *canonical = nc_zadarma_encode_params (fields);

  burst->pending++;
  nc_store_add_call_event_async (store, event_type, canonical, at_us, NULL, burst_stored, burst);
}

static void
burst_wait (Burst *burst)
{
  while (burst->pending > 0)
    g_main_context_iteration (NULL, TRUE);
}

#define N_CALLS 1200
#define DAY (24 * 60 * 60)

/* Call i: every 3rd outgoing; of the incoming, every 5th missed; employee 100 + i % 4;
 * a start every 10 minutes from BASE on; client number 7900000 + i. */
#define BASE_START "2026-11-20 00:00:00"

static gboolean
call_is_out (guint i)
{
  return i % 3 == 0;
}

static gboolean
call_is_missed (guint i)
{
  return !call_is_out (i) && i % 5 == 0;
}

static void
play_calls (NcStore *store,
            guint    n)
{
  gint64 base = nc_call_parse_pbx_time (BASE_START);
  gint64 now = g_get_real_time ();
  Burst burst = { 0 };

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *id = g_strdup_printf ("call-%04u", i);
      g_autofree char *start = nc_call_format_pbx_time (base + (gint64) i * 600);
      g_autofree char *number = g_strdup_printf ("7900%07u", i);
      g_autofree char *employee = g_strdup_printf ("%u", 100 + i % 4);
      g_autoptr(GHashTable) first = NULL;
      g_autoptr(GHashTable) last = NULL;

      if (call_is_out (i))
        {
          first = nc_test_fields ("pbx_call_id", id, "call_start", start, "caller_id",
                                  "74951234567", "internal", employee, "destination", number,
                                  NULL);
          last = nc_test_fields ("pbx_call_id", id, "call_start", start, "caller_id",
                                 "74951234567", "internal", employee, "destination", number,
                                 "duration", "30", "disposition", "answered", "status_code", "16",
                                 "is_recorded", "0", "call_id_with_rec", "", NULL);
          burst_add (store, &burst, "NOTIFY_OUT_START", first, now);
          burst_add (store, &burst, "NOTIFY_OUT_END", last, now + 30 * G_USEC_PER_SEC);
        }
      else
        {
          gboolean missed = call_is_missed (i);

          first = nc_test_fields ("pbx_call_id", id, "call_start", start, "caller_id", number,
                                  "called_did", "74951234567", NULL);
          last = nc_test_fields ("pbx_call_id", id, "call_start", start, "caller_id", number,
                                 "called_did", "74951234567", "internal", employee,
                                 "duration", missed ? "0" : "40",
                                 "disposition", missed ? "no answer" : "answered",
                                 "status_code", "16", "is_recorded", "0", "call_id_with_rec", "",
                                 NULL);
          burst_add (store, &burst, "NOTIFY_START", first, now);
          burst_add (store, &burst, "NOTIFY_END", last, now + 40 * G_USEC_PER_SEC);
        }
      /* Not all at once: the writer's queue holds a few hundred. */
      if (burst.pending > 400)
        burst_wait (&burst);
    }
  burst_wait (&burst);
}

/* Reads every page of @filter (newest first, each once), checks that the filter lets each
 * call through, and counts the calls. */
static guint
count_pages (NcStore            *store,
             const NcCallFilter *filter,
             GArray             *text_clients,
             guint               page_size)
{
  g_autoptr(GHashTable) seen = nc_test_read_call_pages (store, filter, page_size);
  GHashTableIter iter;
  gpointer record;

  g_hash_table_iter_init (&iter, seen);
  while (g_hash_table_iter_next (&iter, NULL, &record))
    g_assert_true (nc_call_filter_matches (filter, record, text_clients));
  return g_hash_table_size (seen);
}

static void
test_journal_pages_and_filters (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(NcCallFilter) filter = nc_call_filter_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) found = NULL;
  g_autoptr(NcCallRecord) olga_call = NULL;
  g_autoptr(NcCallRecord) petr_call = NULL;
  gint64 base = nc_call_parse_pbx_time (BASE_START);
  guint out = 0, missed = 0, employee_101 = 0, second_day = 0, missed_101 = 0;
  gint64 olga, petr;

  SKIP_IF_NO_STORE (fixture);

  play_calls (fixture->store, N_CALLS);
  for (guint i = 0; i < N_CALLS; i++)
    {
      out += call_is_out (i);
      missed += call_is_missed (i);
      employee_101 += i % 4 == 1;
      missed_101 += i % 4 == 1 && call_is_missed (i);
      second_day += (gint64) i * 600 >= DAY && (gint64) i * 600 < 2 * DAY;
    }

  /* Every call, in pages of any size. */
  g_assert_cmpuint (count_pages (fixture->store, filter, NULL, 100), ==, N_CALLS);
  g_assert_cmpuint (count_pages (fixture->store, filter, NULL, 7), ==, N_CALLS);

  filter->direction = NC_CALL_DIRECTION_OUT;
  g_assert_cmpuint (count_pages (fixture->store, filter, NULL, 100), ==, out);
  filter->direction = NC_CALL_DIRECTION_IN;
  g_assert_cmpuint (count_pages (fixture->store, filter, NULL, 100), ==, N_CALLS - out);

  filter->direction = -1;
  filter->outcome = NC_CALL_OUTCOME_MISSED;
  g_assert_cmpuint (count_pages (fixture->store, filter, NULL, 100), ==, missed);
  filter->outcome = NC_CALL_OUTCOME_ANSWERED;
  g_assert_cmpuint (count_pages (fixture->store, filter, NULL, 100), ==, N_CALLS - missed);
  filter->outcome = NC_CALL_OUTCOME_NOT_ANSWERED;
  g_assert_cmpuint (count_pages (fixture->store, filter, NULL, 100), ==, 0);

  filter->outcome = NC_CALL_OUTCOME_ANY;
  filter->employee = g_strdup ("101");
  g_assert_cmpuint (count_pages (fixture->store, filter, NULL, 100), ==, employee_101);
  filter->outcome = NC_CALL_OUTCOME_MISSED;
  g_assert_cmpuint (count_pages (fixture->store, filter, NULL, 100), ==, missed_101);
  g_clear_pointer (&filter->employee, g_free);
  filter->outcome = NC_CALL_OUTCOME_ANY;

  /* A date range: the second day of calls. */
  filter->since = base + DAY;
  filter->until = base + 2 * DAY;
  g_assert_cmpuint (count_pages (fixture->store, filter, NULL, 50), ==, second_day);
  filter->since = filter->until = 0;

  /* A number or a client's name: the calls of the clients the search finds. */
  olga = nc_test_add_client (fixture->store, "Ольга Смирнова", "79000000010");
  petr = nc_test_add_client (fixture->store, "Пётр Смирнов", "79000000011");
  olga_call = nc_test_get_call (fixture->store, "call-0010");
  petr_call = nc_test_get_call (fixture->store, "call-0011");
  g_assert_true (nc_store_set_call_client_sync (fixture->store, olga_call->id, olga, "telephony",
                                                &error));
  g_assert_true (nc_store_set_call_client_sync (fixture->store, petr_call->id, petr, "telephony",
                                                &error));
  g_assert_no_error (error);
  filter->text = g_strdup ("Смирн");
  found = nc_store_search_clients_sync (fixture->store, filter->text, NC_CALL_FILTER_TEXT_CLIENTS,
                                        &error);
  g_assert_cmpuint (count_pages (fixture->store, filter, found, 100), ==, 2);
  g_clear_pointer (&found, g_array_unref);
  g_free (filter->text);
  filter->text = g_strdup ("+7 900 000-00-11");
  found = nc_store_search_clients_sync (fixture->store, filter->text, NC_CALL_FILTER_TEXT_CLIENTS,
                                        &error);
  g_assert_cmpuint (count_pages (fixture->store, filter, found, 100), ==, 1);
  g_clear_pointer (&filter->text, g_free);
  filter->client_id = olga;
  g_assert_cmpuint (count_pages (fixture->store, filter, NULL, 100), ==, 1);
}

/* A text that finds many clients, each with its own number of calls spread over the
 * history (some none, some many, some only old ones): every page of every size is the
 * newest calls of them all, in order, each once, none left out. */
static void
test_journal_text_merges_clients (Fixture       *fixture,
                                  gconstpointer  data)
{
  g_autoptr(NcCallFilter) filter = nc_call_filter_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) found = NULL;
  gint64 clients[40];
  guint of_clients = 0, missed_of_clients = 0, out_of_clients = 0, of_client_7 = 0;
  const guint n = 600;

  SKIP_IF_NO_STORE (fixture);

  play_calls (fixture->store, n);
  for (guint k = 0; k < G_N_ELEMENTS (clients); k++)
    {
      g_autofree char *name = g_strdup_printf ("Клиент Пробный %u", k);
      g_autofree char *phone = g_strdup_printf ("7901%07u", k);

      clients[k] = nc_test_add_client (fixture->store, name, phone);
    }
  for (guint i = 0; i < n; i++)
    {
      /* Unevenly: a few clients take most calls, clients 30 and up only the first 50. */
      guint k = (i * 7 + i * i) % 53;
      g_autofree char *id = NULL;
      g_autoptr(NcCallRecord) call = NULL;

      if (k >= G_N_ELEMENTS (clients) || (k >= 30 && i >= 50))
        continue;
      id = g_strdup_printf ("call-%04u", i);
      call = nc_test_get_call (fixture->store, id);
      g_assert_true (nc_store_set_call_client_sync (fixture->store, call->id, clients[k],
                                                    "telephony", &error));
      g_assert_no_error (error);
      of_clients++;
      missed_of_clients += call_is_missed (i);
      out_of_clients += call_is_out (i);
      of_client_7 += k == 7;
    }
  g_assert_cmpuint (of_clients, >, 200);

  filter->text = g_strdup ("Пробный");
  found = nc_store_search_clients_sync (fixture->store, filter->text, NC_CALL_FILTER_TEXT_CLIENTS,
                                        &error);
  g_assert_no_error (error);
  g_assert_cmpuint (found->len, ==, G_N_ELEMENTS (clients));
  g_assert_cmpuint (count_pages (fixture->store, filter, found, 1), ==, of_clients);
  g_assert_cmpuint (count_pages (fixture->store, filter, found, 7), ==, of_clients);
  g_assert_cmpuint (count_pages (fixture->store, filter, found, 60), ==, of_clients);
  g_assert_cmpuint (count_pages (fixture->store, filter, found, 1000), ==, of_clients);

  filter->outcome = NC_CALL_OUTCOME_MISSED;
  g_assert_cmpuint (count_pages (fixture->store, filter, found, 7), ==, missed_of_clients);
  filter->outcome = NC_CALL_OUTCOME_ANY;
  filter->direction = NC_CALL_DIRECTION_OUT;
  g_assert_cmpuint (count_pages (fixture->store, filter, found, 13), ==, out_of_clients);
  filter->direction = -1;
  filter->client_id = clients[7];
  g_assert_cmpuint (count_pages (fixture->store, filter, found, 5), ==, of_client_7);
}

/* A number typed whole, in any form, finds its calls by the number itself: those of no
 * client (which no client's search could find) and, once, those of a client. A part of a
 * number is only a search of the clients. */
static void
test_journal_text_finds_number (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(NcCallFilter) filter = nc_call_filter_new ();
  g_autoptr(NcCallRecord) call = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) page = NULL;
  gint64 client;

  SKIP_IF_NO_STORE (fixture);

  play_calls (fixture->store, 30);
  call = nc_test_get_call (fixture->store, "call-0012");
  g_assert_cmpstr (call->client_number, ==, "79000000012");
  g_assert_cmpint (call->client_id, ==, 0);

  filter->text = g_strdup ("8 (900) 000-00-12");
  page = nc_store_list_calls_sync (fixture->store, filter, NULL, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->len, ==, 1);
  g_assert_cmpstr (((NcCallRecord *) page->pdata[0])->pbx_call_id, ==, "call-0012");
  g_assert_cmpuint (count_pages (fixture->store, filter, NULL, 1), ==, 1);
  g_assert_true (nc_call_filter_matches (filter, call, NULL));
  g_free (filter->text);
  filter->text = g_strdup ("+7 900 000 0012");
  g_assert_cmpuint (count_pages (fixture->store, filter, NULL, 5), ==, 1);

  /* A part of it is no number: nothing of no client is found by it. */
  g_free (filter->text);
  filter->text = g_strdup ("000-00-12");
  g_assert_cmpuint (count_pages (fixture->store, filter, NULL, 5), ==, 0);
  g_assert_false (nc_call_filter_matches (filter, call, NULL));

  /* Matched to a client of another phone since: found once, by its number, and not under
   * another client's filter. */
  client = nc_test_add_client (fixture->store, "Пётр Звонивший", "79161112233");
  g_assert_true (nc_store_set_call_client_sync (fixture->store, call->id, client, "telephony",
                                                &error));
  g_assert_no_error (error);
  g_free (filter->text);
  filter->text = g_strdup ("89000000012");
  g_assert_cmpuint (count_pages (fixture->store, filter, NULL, 1), ==, 1);
  filter->client_id = client;
  g_assert_cmpuint (count_pages (fixture->store, filter, NULL, 3), ==, 1);
  filter->client_id = client + 1000;
  g_assert_cmpuint (count_pages (fixture->store, filter, NULL, 3), ==, 0);
}

/* "Answered but the filter is on Missed" and similar: a call the filter no longer lets
 * through is told by nc_call_filter_matches() as by the query. */
static void
test_filter_matches_like_query (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(NcCallFilter) filter = nc_call_filter_new ();
  g_autoptr(NcCallRecord) record = NULL;

  SKIP_IF_NO_STORE (fixture);

  play_calls (fixture->store, 10);
  record = nc_test_get_call (fixture->store, "call-0005");
  g_assert_true (nc_call_record_is_missed (record));
  filter->outcome = NC_CALL_OUTCOME_MISSED;
  g_assert_true (nc_call_filter_matches (filter, record, NULL));
  filter->outcome = NC_CALL_OUTCOME_ANSWERED;
  g_assert_false (nc_call_filter_matches (filter, record, NULL));
  filter->outcome = NC_CALL_OUTCOME_ANY;
  filter->text = g_strdup ("Someone");
  g_assert_false (nc_call_filter_matches (filter, record, NULL));
}

/* ------------------------------------------------------------------------------------ */
/* Stuck calls                                                                           */

static void
test_stuck_call_closed_after_bound (Fixture       *fixture,
                                    gconstpointer  data)
{
  gint64 now = g_get_real_time ();
  gint64 bound = (gint64) NC_CALL_STUCK_SECONDS * G_USEC_PER_SEC;
  g_autoptr(GHashTable) old = nc_test_fields ("pbx_call_id", "old", "call_start",
                                              "2026-11-30 08:00:00", "caller_id", "79001112233",
                                              "called_did", "74951234567", NULL);
  g_autoptr(GHashTable) recent = nc_test_fields ("pbx_call_id", "recent", "call_start",
                                                 "2026-11-30 12:00:00", "caller_id",
                                                 "79001112234", "called_did", "74951234567",
                                                 NULL);
  g_autoptr(GHashTable) end = nc_test_fields ("pbx_call_id", "old", "call_start",
                                              "2026-11-30 08:00:00", "caller_id", "79001112233",
                                              "called_did", "74951234567", "internal", "100",
                                              "duration", "0", "disposition", "no answer",
                                              "status_code", "19", "is_recorded", "0",
                                              "call_id_with_rec", "", NULL);
  g_autoptr(NcCallFilter) unended = nc_call_filter_new ();
  g_autoptr(NcCallRecord) record = NULL;
  g_autoptr(GPtrArray) live = NULL;
  g_autoptr(GPtrArray) page = NULL;
  g_autoptr(GError) error = NULL;

  SKIP_IF_NO_STORE (fixture);

  /* One rang more than the bound ago, then nothing; one a minute ago. */
  nc_test_store_event (fixture->store, "NOTIFY_START", old, now - bound - G_USEC_PER_SEC);
  nc_test_store_event (fixture->store, "NOTIFY_START", recent, now - 60 * G_USEC_PER_SEC);
  live = nc_store_list_live_calls_sync (fixture->store, NULL, NULL, &error);
  g_assert_cmpuint (live->len, ==, 2);

  g_assert_cmpuint (nc_store_close_stuck_calls_sync (fixture->store, now - bound, &error), ==, 1);
  g_assert_no_error (error);
  g_clear_pointer (&live, g_ptr_array_unref);
  live = nc_store_list_live_calls_sync (fixture->store, NULL, NULL, &error);
  g_assert_cmpuint (live->len, ==, 1);
  g_assert_cmpstr (((NcCallRecord *) live->pdata[0])->pbx_call_id, ==, "recent");

  record = nc_test_get_call (fixture->store, "old");
  g_assert_cmpint (record->state, ==, NC_CALL_STATE_ENDED);
  g_assert_true (record->unended);
  unended->outcome = NC_CALL_OUTCOME_UNENDED;
  page = nc_store_list_calls_sync (fixture->store, unended, NULL, 10, &error);
  g_assert_cmpuint (page->len, ==, 1);
  /* Run again: nothing more to close. */
  g_assert_cmpuint (nc_store_close_stuck_calls_sync (fixture->store, now - bound, &error), ==, 0);

  /* Its end comes after all: it is what the end says. */
  nc_test_store_event (fixture->store, "NOTIFY_END", end, now);
  g_clear_pointer (&record, nc_call_record_free);
  record = nc_test_get_call (fixture->store, "old");
  g_assert_false (record->unended);
  g_assert_cmpstr (record->disposition, ==, "no answer");
  g_assert_true (nc_call_record_is_missed (record));
}

/* ------------------------------------------------------------------------------------ */
/* Recordings                                                                            */

static void
test_recording_states (Fixture       *fixture,
                       gconstpointer  data)
{
  gint64 now = g_get_real_time ();
  gint64 now_s = now / G_USEC_PER_SEC;
  g_autoptr(GHashTable) start = nc_test_fields ("pbx_call_id", "rec", "call_start",
                                                "2026-11-30 12:00:00", "caller_id", "79001112233",
                                                "called_did", "74951234567", NULL);
  g_autoptr(GHashTable) end = nc_test_fields ("pbx_call_id", "rec", "call_start",
                                              "2026-11-30 12:00:00", "caller_id", "79001112233",
                                              "called_did", "74951234567", "internal", "100",
                                              "duration", "20", "disposition", "answered",
                                              "status_code", "16", "is_recorded", "1",
                                              "call_id_with_rec", "1796000000.7", NULL);
  g_autoptr(GHashTable) ready = nc_test_fields ("pbx_call_id", "rec", "call_id_with_rec",
                                                "1796000000.7", NULL);
  g_autoptr(NcCallRecord) record = NULL;
  g_autoptr(GPtrArray) due = NULL;
  g_autoptr(NcClient) client = NULL;
  g_autoptr(GError) error = NULL;
  gint64 next_due = 0, client_id;

  SKIP_IF_NO_STORE (fixture);

  client_id = nc_test_add_client (fixture->store, "Иван Петров", "79001112233");
  nc_test_store_event (fixture->store, "NOTIFY_START", start, now - 30 * G_USEC_PER_SEC);
  nc_test_store_event (fixture->store, "NOTIFY_END", end, now);

  /* Ended with a recording: due a while after the end, not now. */
  record = nc_test_get_call (fixture->store, "rec");
  g_assert_cmpint (record->recording, ==, NC_RECORDING_PENDING);
  g_assert_cmpint (record->record_next_try, ==, now_s + NC_RECORDING_FALLBACK_SECONDS);
  due = nc_store_take_due_recordings_sync (fixture->store, now_s, 10, 300, &next_due, &error);
  g_assert_cmpuint (due->len, ==, 0);
  g_assert_cmpint (next_due, ==, now_s + NC_RECORDING_FALLBACK_SECONDS);
  g_clear_pointer (&due, g_ptr_array_unref);

  /* NOTIFY_RECORD: due at once; taken once, then leased to its taker. */
  nc_test_store_event (fixture->store, "NOTIFY_RECORD", ready, now);
  due = nc_store_take_due_recordings_sync (fixture->store, now_s, 10, 300, NULL, &error);
  g_assert_cmpuint (due->len, ==, 1);
  g_assert_cmpstr (((NcCallRecord *) due->pdata[0])->call_id_with_rec, ==, "1796000000.7");
  g_clear_pointer (&due, g_ptr_array_unref);
  due = nc_store_take_due_recordings_sync (fixture->store, now_s + 10, 10, 300, NULL, &error);
  g_assert_cmpuint (due->len, ==, 0);
  g_clear_pointer (&due, g_ptr_array_unref);

  /* A fault counts; a wait for the budget does not; too many faults: failed. */
  g_assert_true (nc_store_recording_retry_sync (fixture->store, record->id, now_s + 60, TRUE, 3,
                                                &error));
  g_assert_true (nc_store_recording_retry_sync (fixture->store, record->id, now_s + 90, FALSE, 3,
                                                &error));
  g_clear_pointer (&record, nc_call_record_free);
  record = nc_test_get_call (fixture->store, "rec");
  g_assert_cmpuint (record->record_attempts, ==, 1);
  g_assert_cmpint (record->record_next_try, ==, now_s + 90);
  g_assert_cmpint (record->recording, ==, NC_RECORDING_PENDING);
  g_assert_true (nc_store_recording_retry_sync (fixture->store, record->id, now_s + 120, TRUE, 3,
                                                &error));
  g_assert_true (nc_store_recording_retry_sync (fixture->store, record->id, now_s + 240, TRUE, 3,
                                                &error));
  g_clear_pointer (&record, nc_call_record_free);
  record = nc_test_get_call (fixture->store, "rec");
  g_assert_cmpint (record->recording, ==, NC_RECORDING_FAILED);
  due = nc_store_take_due_recordings_sync (fixture->store, now_s + 100000, 10, 300, NULL, &error);
  g_assert_cmpuint (due->len, ==, 0);
  g_clear_pointer (&due, g_ptr_array_unref);

  /* Someone opens it: due now again. Then its link comes: on the call and on the client,
   * once the call has one. */
  g_assert_true (nc_store_recording_wanted_sync (fixture->store, record->id, &error));
  due = nc_store_take_due_recordings_sync (fixture->store, now_s, 10, 300, NULL, &error);
  g_assert_cmpuint (due->len, ==, 1);
  g_assert_true (nc_store_recording_fetched_sync (fixture->store, record->id,
                                                  "https://records.example.org/rec.mp3",
                                                  "2027-01-29 12:00:20", &error));
  g_assert_no_error (error);
  g_assert_true (nc_store_set_call_client_sync (fixture->store, record->id, client_id,
                                                "telephony", &error));
  g_clear_pointer (&record, nc_call_record_free);
  record = nc_test_get_call (fixture->store, "rec");
  g_assert_cmpint (record->recording, ==, NC_RECORDING_FETCHED);
  g_assert_cmpstr (record->record_link, ==, "https://records.example.org/rec.mp3");
  g_assert_cmpstr (record->client_name, ==, "Иван Петров");
  client = nc_store_get_client_sync (fixture->store, client_id, &error);
  g_assert_cmpstr (nc_client_get_variable (client, NC_RECORD_LINK_VARIABLE), ==,
                   "https://records.example.org/rec.mp3");
}

/* ------------------------------------------------------------------------------------ */
/* The callback guard                                                                    */

static void
test_callback_guard (Fixture       *fixture,
                     gconstpointer  data)
{
  gint64 now = g_get_real_time ();
  g_autoptr(GHashTable) start = nc_test_fields ("pbx_call_id", "cb", "call_start",
                                                "2026-11-30 12:00:00", "caller_id", "79500000033",
                                                "internal", "100", "destination", "79004443322",
                                                NULL);
  g_autoptr(GHashTable) other = nc_test_fields ("pbx_call_id", "other", "call_start",
                                                "2026-11-30 12:00:00", "caller_id", "79500000033",
                                                "internal", "101", "destination", "79004443322",
                                                NULL);
  g_autoptr(GHashTable) end = nc_test_fields ("pbx_call_id", "cb", "call_start",
                                              "2026-11-30 12:00:00", "caller_id", "79500000033",
                                              "internal", "100", "destination", "79004443322",
                                              "duration", "12", "disposition", "answered",
                                              "status_code", "16", "is_recorded", "0",
                                              "call_id_with_rec", "", NULL);
  g_autoptr(NcStore) desk = NULL;
  g_autoptr(NcCallRecord) record = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id, again;

  SKIP_IF_NO_STORE (fixture);

  id = nc_store_request_callback_sync (fixture->store, "+7 (900) 444-33-22", "100", now, 60,
                                       &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);

  /* Another desk on the same store: the client is being called. */
  desk = nc_test_store_open_again (fixture);
  g_assert_cmpint (nc_store_request_callback_sync (desk, "79004443322", "101", now, 60, &error),
                   ==, 0);
  g_assert_error (error, NC_STORE_ERROR, NC_STORE_ERROR_BUSY);
  g_clear_error (&error);

  /* Another employee's outgoing call to the client is not this request's; this one is. */
  nc_test_store_event (fixture->store, "NOTIFY_OUT_START", other, now + G_USEC_PER_SEC);
  record = nc_test_get_call (fixture->store, "other");
  g_assert_cmpint (record->request_id, ==, 0);
  g_clear_pointer (&record, nc_call_record_free);
  nc_test_store_event (fixture->store, "NOTIFY_OUT_START", start, now + 2 * G_USEC_PER_SEC);
  record = nc_test_get_call (fixture->store, "cb");
  g_assert_cmpint (record->request_id, ==, id);
  /* Tied: no longer pending, but the call is on: still busy. */
  g_assert_cmpint (nc_store_end_callback_request_sync (fixture->store, id, &error), ==,
                   NC_CALLBACK_TIED);
  g_assert_cmpint (nc_store_request_callback_sync (desk, "79004443322", "101", now, 60, &error),
                   ==, 0);
  g_assert_error (error, NC_STORE_ERROR, NC_STORE_ERROR_BUSY);
  g_clear_error (&error);

  /* Over: the client may be called again; a request that no call comes for expires. */
  nc_test_store_event (fixture->store, "NOTIFY_OUT_END", end, now + 20 * G_USEC_PER_SEC);
  again = nc_store_request_callback_sync (desk, "79004443322", "101", now, 60, &error);
  g_assert_no_error (error);
  g_assert_cmpint (again, >, id);
  g_assert_cmpint (nc_store_end_callback_request_sync (desk, again, &error), ==,
                   NC_CALLBACK_EXPIRED);
  /* A request a desk left pending (it closed) lets go after the window by itself. */
  g_assert_cmpint (nc_store_request_callback_sync (desk, "79161112233", "101", now, 60, &error),
                   >, 0);
  g_assert_cmpint (nc_store_request_callback_sync (fixture->store, "79161112233", "100",
                                                   now + 61 * G_USEC_PER_SEC, 60, &error), >, 0);
  g_assert_no_error (error);
  nc_store_close (desk);
}

/* ------------------------------------------------------------------------------------ */
/* The change log                                                                        */

static void
test_change_log (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) live = NULL;
  g_autoptr(NcStoreChanges) changes = NULL;
  g_autoptr(NcStore) other = NULL;
  g_autoptr(GPtrArray) recovered = g_ptr_array_new_with_free_func ((GDestroyNotify) nc_call_record_free);
  gint64 cursor = -1, last_call = -1;

  SKIP_IF_NO_STORE (fixture);

  live = nc_store_list_live_calls_sync (fixture->store, &cursor, &last_call, &error);
  g_assert_cmpint (cursor, ==, 0);
  g_assert_cmpint (last_call, ==, 0);

  /* Another process writes: this one reads it from the log, the call as it is now. */
  other = nc_test_store_open_again (fixture);
  play_calls (other, 3);
  changes = nc_store_read_changes_sync (fixture->store, cursor, &error);
  g_assert_no_error (error);
  g_assert_false (changes->all_calls);
  g_assert_cmpuint (changes->calls->len, ==, 3);
  g_assert_true (changes->kinds & (1u << NC_STORE_CHANGE_CALLS));
  for (guint i = 0; i < changes->calls->len; i++)
    g_assert_cmpint (((NcCallRecord *) changes->calls->pdata[i])->state, ==, NC_CALL_STATE_ENDED);
  cursor = changes->cursor;
  g_assert_true (changes->kinds_elsewhere & (1u << NC_STORE_CHANGE_CALLS));
  g_clear_pointer (&changes, nc_store_changes_free);

  /* Nothing since. */
  changes = nc_store_read_changes_sync (fixture->store, cursor, &error);
  g_assert_cmpuint (changes->calls->len, ==, 0);
  g_assert_cmpuint (changes->kinds, ==, 0);
  g_assert_cmpint (changes->cursor, ==, cursor);
  g_clear_pointer (&changes, nc_store_changes_free);

  /* A client added here is a change of this process's; one added there, of another's. */
  nc_test_add_client (fixture->store, "Здесь", "79000000001");
  changes = nc_store_read_changes_sync (fixture->store, cursor, &error);
  g_assert_cmpuint (changes->kinds, ==, 1u << NC_STORE_CHANGE_CLIENTS);
  g_assert_cmpuint (changes->kinds_elsewhere, ==, 0);
  g_clear_pointer (&changes, nc_store_changes_free);
  nc_test_add_client (other, "Там", "79000000002");
  changes = nc_store_read_changes_sync (fixture->store, cursor, &error);
  g_assert_cmpuint (changes->kinds_elsewhere, ==, 1u << NC_STORE_CHANGE_CLIENTS);
  cursor = changes->cursor;
  g_clear_pointer (&changes, nc_store_changes_free);

  /* Hundreds of calls in one job are "all calls": read them again. */
  for (guint i = 0; i < 300; i++)
    {
      NcCallRecord *record = nc_call_record_new (NULL);

      g_free (record->pbx_call_id);
      record->pbx_call_id = g_strdup_printf ("recovered-%u", i);
      record->started_at = g_strdup ("2026-11-01 10:00:00");
      record->started_unix = nc_call_parse_pbx_time (record->started_at) + i;
      record->state = NC_CALL_STATE_ENDED;
      g_ptr_array_add (recovered, record);
    }
  g_assert_cmpuint (nc_store_add_recovered_calls_sync (other, recovered, &error), ==, 300);
  /* Known already: not added twice. */
  g_assert_cmpuint (nc_store_add_recovered_calls_sync (other, recovered, &error), ==, 0);
  changes = nc_store_read_changes_sync (fixture->store, cursor, &error);
  g_assert_true (changes->all_calls);
  nc_store_close (other);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/store-calls/sqlite/" path, Fixture, "sqlite", nc_test_store_set_up, func, \
              nc_test_store_tear_down); \
  g_test_add ("/store-calls/postgresql/" path, Fixture, "postgresql", nc_test_store_set_up, func, \
              nc_test_store_tear_down)
  g_test_add_func ("/store-calls/upgrade-from-version-2", test_upgrade_from_version_2);
  g_test_add_func ("/store-calls/upgrade-from-version-3", test_upgrade_from_version_3);
  ADD ("journal-pages-and-filters", test_journal_pages_and_filters);
  ADD ("journal-text-merges-clients", test_journal_text_merges_clients);
  ADD ("filter-matches-like-query", test_filter_matches_like_query);
  ADD ("journal-text-finds-number", test_journal_text_finds_number);
  ADD ("stuck-call-closed-after-bound", test_stuck_call_closed_after_bound);
  ADD ("recording-states", test_recording_states);
  ADD ("callback-guard", test_callback_guard);
  ADD ("change-log", test_change_log);
#undef ADD

  return nc_test_run ();
}
