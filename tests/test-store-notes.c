/* test-store-notes.c — what the operator notes of a call: kept on the call, in the
 * client's variables, seen by another desk, found by the journal's text; the upgrade of a
 * version-4 store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <sqlite3.h>

#include "nc-store.h"
#include "nc-test-util.h"

/* Each test runs on SQLite and, when the run has a PostgreSQL cluster, on PostgreSQL. */
typedef NcTestStore Fixture;

#define SKIP_IF_NO_STORE(fixture) \
  G_STMT_START { if ((fixture)->store == NULL) return; } G_STMT_END

/* An incoming call, answered, from @number at @start. */
static NcCallRecord *
play_call (NcStore    *store,
           const char *pbx_call_id,
           const char *number,
           const char *start)
{
  g_autoptr(GHashTable) first = nc_test_fields ("pbx_call_id", pbx_call_id, "call_start", start,
                                                "caller_id", number, "called_did",
                                                "74951234567", NULL);
  g_autoptr(GHashTable) last = nc_test_fields ("pbx_call_id", pbx_call_id, "call_start", start,
                                               "caller_id", number, "called_did", "74951234567",
                                               "internal", "100", "duration", "40",
                                               "disposition", "answered", "status_code", "16",
                                               "is_recorded", "0", "call_id_with_rec", "", NULL);
  gint64 now = g_get_real_time ();

  g_assert_true (nc_test_store_event (store, "NOTIFY_START", first, now));
  g_assert_true (nc_test_store_event (store, "NOTIFY_END", last, now + 40 * G_USEC_PER_SEC));
  return nc_test_get_call (store, pbx_call_id);
}

static NcCallRecord *
play_client_call (NcStore    *store,
                  gint64      client_id,
                  const char *pbx_call_id,
                  const char *start)
{
  g_autoptr(NcCallRecord) record = play_call (store, pbx_call_id, "79005550101", start);
  g_autoptr(GError) error = NULL;

  g_assert_true (nc_store_set_call_client_sync (store, record->id, client_id, "telephony",
                                                &error));
  g_assert_no_error (error);
  return nc_store_get_call_sync (store, pbx_call_id, &error);
}

static NcClient *
get_client (NcStore *store,
            gint64   client_id)
{
  g_autoptr(GError) error = NULL;
  NcClient *client = nc_store_get_client_sync (store, client_id, &error);

  g_assert_no_error (error);
  g_assert_nonnull (client);
  return client;
}

static NcCallRecord *
note (NcStore    *store,
      const char *pbx_call_id,
      const char *outcome,
      const char *text)
{
  g_autoptr(GError) error = NULL;
  NcCallRecord *record = nc_store_note_call_sync (store, pbx_call_id, outcome, text, &error);

  g_assert_no_error (error);
  g_assert_nonnull (record);
  return record;
}

/* ------------------------------------------------------------------------------------ */

static void
test_note_kept_on_call_and_client (Fixture       *fixture,
                                   gconstpointer  data)
{
  g_autoptr(NcStore) other = NULL;
  g_autoptr(NcStoreChanges) changes = NULL;
  g_autoptr(NcCallRecord) call = NULL;
  g_autoptr(NcCallRecord) noted = NULL;
  g_autoptr(NcCallRecord) again = NULL;
  g_autoptr(NcClient) client = NULL;
  g_autoptr(GPtrArray) live = NULL;
  g_autoptr(GError) error = NULL;
  gint64 client_id, cursor = 0;

  SKIP_IF_NO_STORE (fixture);

  client_id = nc_test_add_client (fixture->store, "Анна Смирнова", "79005550101");
  call = play_client_call (fixture->store, client_id, "noted-1", "2026-11-30 14:05:09");
  other = nc_test_store_open_again (fixture);
  live = nc_store_list_live_calls_sync (other, &cursor, NULL, &error);
  g_assert_no_error (error);

  /* Stripped of the white space around: what the operator meant. */
  noted = note (fixture->store, "noted-1", " Перезвонить ", "Просила перезвонить\nв пятницу  ");
  g_assert_cmpstr (noted->outcome, ==, "Перезвонить");
  g_assert_cmpstr (noted->note, ==, "Просила перезвонить\nв пятницу");
  g_assert_cmpint (noted->id, ==, call->id);

  /* Kept on the call, as every desk reads it. */
  again = nc_store_get_call_sync (other, "noted-1", &error);
  g_assert_cmpstr (again->outcome, ==, "Перезвонить");
  g_assert_cmpstr (again->note, ==, "Просила перезвонить\nв пятницу");
  g_clear_pointer (&again, nc_call_record_free);

  /* In the client's variables, for a bot funnel; the time is the call's, ISO 8601. */
  client = get_client (other, client_id);
  g_assert_cmpstr (nc_client_get_variable (client, "zadarma_last_call_outcome"), ==, "Перезвонить");
  g_assert_cmpstr (nc_client_get_variable (client, "zadarma_last_call_note"), ==,
                   "Просила перезвонить\nв пятницу");
  g_assert_cmpstr (nc_client_get_variable (client, "zadarma_last_call_time"), ==,
                   "2026-11-30T14:05:09");
  g_clear_object (&client);

  /* The other desk hears of it through the change feed: the call, and the client. */
  changes = nc_store_read_changes_sync (other, cursor, &error);
  g_assert_no_error (error);
  g_assert_false (changes->all_calls);
  g_assert_true (changes->kinds_elsewhere & (1u << NC_STORE_CHANGE_CALLS));
  g_assert_true (changes->kinds_elsewhere & (1u << NC_STORE_CHANGE_CLIENTS));
  g_assert_cmpuint (changes->calls->len, ==, 1);
  g_assert_cmpstr (((NcCallRecord *) changes->calls->pdata[0])->note, ==,
                   "Просила перезвонить\nв пятницу");

  /* A second note replaces the first, on the call and in the variables; no outcome is
   * none, and its variable empty. */
  g_clear_pointer (&noted, nc_call_record_free);
  noted = note (other, "noted-1", NULL, "Не дозвонились");
  g_assert_null (noted->outcome);
  g_assert_cmpstr (noted->note, ==, "Не дозвонились");
  again = nc_store_get_call_sync (fixture->store, "noted-1", &error);
  g_assert_null (again->outcome);
  g_assert_cmpstr (again->note, ==, "Не дозвонились");
  client = get_client (fixture->store, client_id);
  g_assert_cmpstr (nc_client_get_variable (client, "zadarma_last_call_outcome"), ==, "");
  g_assert_cmpstr (nc_client_get_variable (client, "zadarma_last_call_note"), ==, "Не дозвонились");
  g_assert_cmpuint (nc_client_get_variables (client)->len, ==, 3);
  nc_store_close (other);
}

/* The variables keep the client's last call noted: a note written late for an older call
 * is kept on that call only. */
static void
test_older_call_keeps_variables (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autoptr(NcCallRecord) older = NULL;
  g_autoptr(NcCallRecord) newer = NULL;
  g_autoptr(NcCallRecord) noted = NULL;
  g_autoptr(NcClient) client = NULL;
  gint64 client_id;

  SKIP_IF_NO_STORE (fixture);

  client_id = nc_test_add_client (fixture->store, "Олег", "79005550101");
  older = play_client_call (fixture->store, client_id, "older", "2026-11-29 09:00:00");
  newer = play_client_call (fixture->store, client_id, "newer", "2026-11-30 09:00:00");
  g_clear_pointer (&noted, nc_call_record_free);
  noted = note (fixture->store, "newer", "Сделка", "Оплатил");
  g_clear_pointer (&noted, nc_call_record_free);
  noted = note (fixture->store, "older", "Не интересно", "Давно");
  g_assert_cmpstr (noted->outcome, ==, "Не интересно");

  client = get_client (fixture->store, client_id);
  g_assert_cmpstr (nc_client_get_variable (client, "zadarma_last_call_outcome"), ==, "Сделка");
  g_assert_cmpstr (nc_client_get_variable (client, "zadarma_last_call_note"), ==, "Оплатил");
  g_assert_cmpstr (nc_client_get_variable (client, "zadarma_last_call_time"), ==,
                   "2026-11-30T09:00:00");
}

static void
test_note_without_client (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(NcCallRecord) call = NULL;
  g_autoptr(NcCallRecord) noted = NULL;
  g_autoptr(NcCallRecord) again = NULL;
  g_autoptr(NcClient) client = NULL;
  g_autoptr(GError) error = NULL;
  gint64 bystander;

  SKIP_IF_NO_STORE (fixture);

  bystander = nc_test_add_client (fixture->store, "Посторонний", "79001110000");
  call = play_call (fixture->store, "stranger", "79009998877", "2026-11-30 10:00:00");
  g_assert_cmpint (call->client_id, ==, 0);
  noted = note (fixture->store, "stranger", "Call back", "Wrong number, maybe");
  again = nc_store_get_call_sync (fixture->store, "stranger", &error);
  g_assert_cmpstr (again->outcome, ==, "Call back");
  g_assert_cmpstr (again->note, ==, "Wrong number, maybe");
  g_assert_cmpint (again->client_id, ==, 0);
  /* No client's variables were written. */
  client = get_client (fixture->store, bystander);
  g_assert_cmpuint (nc_client_get_variables (client)->len, ==, 0);
}

/* An unknown call and a note too long are errors that change nothing. */
static void
test_note_refused (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(NcCallRecord) call = NULL;
  g_autoptr(NcCallRecord) refused = NULL;
  g_autoptr(NcCallRecord) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *long_note = g_strnfill (NC_CALL_NOTE_MAX_CHARS + 1, 'x');

  SKIP_IF_NO_STORE (fixture);

  call = play_call (fixture->store, "kept", "79009998877", "2026-11-30 10:00:00");
  g_clear_pointer (&call, nc_call_record_free);
  call = note (fixture->store, "kept", "Сделка", "Первая");

  refused = nc_store_note_call_sync (fixture->store, "no-such-call", "Сделка", "x", &error);
  g_assert_error (error, NC_STORE_ERROR, NC_STORE_ERROR_NOT_FOUND);
  g_assert_null (refused);
  g_assert_nonnull (strstr (error->message, "no-such-call"));
  g_clear_error (&error);

  refused = nc_store_note_call_sync (fixture->store, "kept", "Сделка", long_note, &error);
  g_assert_error (error, NC_STORE_ERROR, NC_STORE_ERROR_INVALID);
  g_assert_null (refused);
  g_clear_error (&error);
  again = nc_store_get_call_sync (fixture->store, "kept", &error);
  g_assert_cmpstr (again->note, ==, "Первая");
}

static void
test_journal_text_finds_notes (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(NcCallFilter) filter = nc_call_filter_new ();
  g_autoptr(GHashTable) seen = NULL;
  g_autoptr(NcCallRecord) noted = NULL;
  g_autoptr(NcCallRecord) plain = NULL;
  gint64 client_id;

  SKIP_IF_NO_STORE (fixture);

  /* Twenty calls; call 3 and call 11 have notes that hold "доставк"; call 7's client is
   * named so (found by the client, as before); call 11's note holds it twice over. */
  client_id = nc_test_add_client (fixture->store, "Доставка Экспресс", "79005550101");
  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *id = g_strdup_printf ("call-%02u", i);
      g_autofree char *start = g_strdup_printf ("2026-11-30 10:%02u:00", i);
      g_autoptr(NcCallRecord) call = i == 7 ? play_client_call (fixture->store, client_id, id, start)
                                            : play_call (fixture->store, id, "79009998877", start);
    }
  noted = note (fixture->store, "call-03", "Сделка", "Уточнить доставку на завтра");
  g_clear_pointer (&noted, nc_call_record_free);
  noted = note (fixture->store, "call-11", NULL, "ДОСТАВКА и ещё доставка");
  g_clear_pointer (&noted, nc_call_record_free);
  noted = note (fixture->store, "call-15", "Не интересно", "Не нужно");
  /* A client's other call is not found by the note of its last one (kept in the client's
   * variables too). */
  {
    gint64 irina = nc_test_add_client (fixture->store, "Ирина", "79005550202");
    g_autoptr(NcCallRecord) earlier = play_client_call (fixture->store, irina, "irina-1",
                                                        "2026-11-30 11:00:00");
    g_autoptr(NcCallRecord) later = play_client_call (fixture->store, irina, "irina-2",
                                                      "2026-11-30 11:30:00");
    g_autoptr(NcCallRecord) noted_later = note (fixture->store, "irina-2", NULL,
                                                "Спрашивала про оплату картой");

    filter->text = g_strdup ("оплату карт");
    seen = nc_test_read_call_pages (fixture->store, filter, 10);
    g_assert_cmpuint (g_hash_table_size (seen), ==, 1);
    g_assert_true (g_hash_table_contains (seen, "irina-2"));
    g_clear_pointer (&seen, g_hash_table_unref);
    g_clear_pointer (&filter->text, g_free);
  }

  filter->text = g_strdup ("доставк");
  for (guint size = 1; size <= 5; size += 2)
    {
      g_clear_pointer (&seen, g_hash_table_unref);
      seen = nc_test_read_call_pages (fixture->store, filter, size);
      g_assert_cmpuint (g_hash_table_size (seen), ==, 3);
      g_assert_true (g_hash_table_contains (seen, "call-03"));
      g_assert_true (g_hash_table_contains (seen, "call-07"));
      g_assert_true (g_hash_table_contains (seen, "call-11"));
    }

  /* As the query finds it, so does the test of a call that changed. */
  g_assert_true (nc_call_filter_matches (filter, noted, NULL) == FALSE);
  plain = nc_store_get_call_sync (fixture->store, "call-11", NULL);
  g_assert_true (nc_call_filter_matches (filter, plain, NULL));

  /* A text no note holds finds none; the notes of one client only when asked for one. */
  g_free (filter->text);
  filter->text = g_strdup ("завтра");
  g_clear_pointer (&seen, g_hash_table_unref);
  seen = nc_test_read_call_pages (fixture->store, filter, 10);
  g_assert_cmpuint (g_hash_table_size (seen), ==, 1);
  g_assert_true (g_hash_table_contains (seen, "call-03"));
  filter->client_id = client_id;
  g_clear_pointer (&seen, g_hash_table_unref);
  seen = nc_test_read_call_pages (fixture->store, filter, 10);
  g_assert_cmpuint (g_hash_table_size (seen), ==, 0);
  filter->client_id = 0;
  g_free (filter->text);
  filter->text = g_strdup ("пятниц");
  g_clear_pointer (&seen, g_hash_table_unref);
  seen = nc_test_read_call_pages (fixture->store, filter, 10);
  g_assert_cmpuint (g_hash_table_size (seen), ==, 0);

  /* A note taken back is found no more. */
  g_clear_pointer (&noted, nc_call_record_free);
  noted = note (fixture->store, "call-03", "Сделка", NULL);
  g_free (filter->text);
  filter->text = g_strdup ("завтра");
  g_clear_pointer (&seen, g_hash_table_unref);
  seen = nc_test_read_call_pages (fixture->store, filter, 10);
  g_assert_cmpuint (g_hash_table_size (seen), ==, 0);
}

/* A store of version 4 (before notes): its calls are noted and found once it is upgraded. */
static void
test_upgrade_from_version_4 (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(NcCallRecord) call = NULL;
  g_autoptr(NcCallRecord) noted = NULL;
  g_autoptr(NcCallFilter) filter = nc_call_filter_new ();
  g_autoptr(GHashTable) seen = NULL;
  g_autoptr(GError) error = NULL;

  SKIP_IF_NO_STORE (fixture);

  call = play_call (fixture->store, "from-v4", "79009998877", "2026-11-30 10:00:00");
  nc_store_close (fixture->store);
  nc_test_wait_for_last_reference (fixture->store);
  g_clear_object (&fixture->store);

  /* Taken back to version 4 as version 4 had it. */
  {
    g_autofree char *path = fixture->url == NULL
                            ? g_build_filename (fixture->dir, NC_STORE_FILE_NAME, NULL) : NULL;

    nc_test_store_back_to_version_4 (path, fixture->url);
  }

  fixture->store = nc_test_store_open_again (fixture);
  g_assert_cmpint (nc_store_get_found_version (fixture->store), ==, 4);
  g_clear_pointer (&call, nc_call_record_free);
  call = nc_store_get_call_sync (fixture->store, "from-v4", &error);
  g_assert_no_error (error);
  g_assert_null (call->note);
  noted = note (fixture->store, "from-v4", "Сделка", "После обновления");
  filter->text = g_strdup ("обновлен");
  seen = nc_test_read_call_pages (fixture->store, filter, 10);
  g_assert_true (g_hash_table_contains (seen, "from-v4"));
}

/* `calls note`: kept as the window keeps it, what is not given stays, and an unknown call
 * or a bad command line is an error that changes nothing. */
static void
test_cli_note (void)
{
  g_autofree char *dir = nc_test_make_temp_dir ();
  g_autoptr(NcStore) store = NULL;
  g_autoptr(NcCallRecord) call = NULL;
  g_autoptr(NcClient) client = NULL;
  g_autoptr(GError) error = NULL;
  gint64 client_id;
  NcTestRun run;

  store = nc_store_open_sync (dir, &error);
  g_assert_no_error (error);
  client_id = nc_test_add_client (store, "Анна", "79005550101");
  call = play_client_call (store, client_id, "cli-1", "2026-11-30 11:22:33");
  nc_store_close (store);
  g_clear_object (&store);

  run = nc_test_cli (dir, NULL, "calls", "note", "cli-1", "--outcome", "Сделка",
                     "--note=Оплатил счёт", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "\"outcome\":\"Сделка\""));
  g_assert_nonnull (strstr (run.out, "\"note\":\"Оплатил счёт\""));
  nc_test_run_clear (&run);

  /* The outcome alone: the note stays. */
  run = nc_test_cli (dir, NULL, "calls", "note", "cli-1", "--outcome", "Перезвонить", NULL);
  g_assert_cmpint (run.status, ==, 0);
  nc_test_run_clear (&run);

  run = nc_test_cli (dir, NULL, "calls", "note", "no-such-call", "--note", "x", NULL);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "no-such-call"));
  g_assert_cmpstr (run.out, ==, "");
  nc_test_run_clear (&run);
  run = nc_test_cli (dir, NULL, "calls", "note", "cli-1", NULL);
  g_assert_cmpint (run.status, ==, 2);
  nc_test_run_clear (&run);
  run = nc_test_cli (dir, NULL, "calls", "note", "cli-1", "--note", NULL);
  g_assert_cmpint (run.status, ==, 2);
  nc_test_run_clear (&run);
  run = nc_test_cli (dir, NULL, "calls", "note", "cli-1", "--colour", "red", NULL);
  g_assert_cmpint (run.status, ==, 2);
  nc_test_run_clear (&run);

  store = nc_store_open_sync (dir, &error);
  g_clear_pointer (&call, nc_call_record_free);
  call = nc_store_get_call_sync (store, "cli-1", &error);
  g_assert_cmpstr (call->outcome, ==, "Перезвонить");
  g_assert_cmpstr (call->note, ==, "Оплатил счёт");
  client = get_client (store, client_id);
  g_assert_cmpstr (nc_client_get_variable (client, "zadarma_last_call_outcome"), ==, "Перезвонить");
  g_assert_cmpstr (nc_client_get_variable (client, "zadarma_last_call_note"), ==, "Оплатил счёт");
  g_assert_cmpstr (nc_client_get_variable (client, "zadarma_last_call_time"), ==,
                   "2026-11-30T11:22:33");
  nc_store_close (store);
  g_clear_object (&store);
  nc_test_remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/store-notes/sqlite/" path, Fixture, "sqlite", nc_test_store_set_up, func, \
              nc_test_store_tear_down); \
  g_test_add ("/store-notes/postgresql/" path, Fixture, "postgresql", nc_test_store_set_up, func, \
              nc_test_store_tear_down)
  ADD ("kept-on-call-and-client", test_note_kept_on_call_and_client);
  ADD ("older-call-keeps-variables", test_older_call_keeps_variables);
  ADD ("without-client", test_note_without_client);
  ADD ("refused", test_note_refused);
  ADD ("journal-text-finds-notes", test_journal_text_finds_notes);
  ADD ("upgrade-from-version-4", test_upgrade_from_version_4);
#undef ADD
  g_test_add_func ("/store-notes/cli-note", test_cli_note);

  return nc_test_run ();
}
