/* test-store.c — the store keeps what it is given, refuses what it cannot keep, and never
 * half-writes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <sqlite3.h>
#include <glib/gstdio.h>

#include "nc-store.h"
/* The writer's jobs, to hold it at a known point (import-chunk-yields-to-event). */
#include "nc-store-private.h"
#include "nc-test-util.h"

/* The tests of what every backend must do run on SQLite and, when the run has a PostgreSQL
 * cluster (tests/harness/session-run), on PostgreSQL: the same table of cases for both. */
typedef NcTestStore Fixture;

#define SKIP_IF_NO_STORE(fixture) \
  G_STMT_START { if ((fixture)->store == NULL) return; } G_STMT_END

/* What sql_int() reads: the database's URL, or the SQLite file. */
static const char *
where (Fixture *fixture)
{
  return fixture->url != NULL ? fixture->url : nc_store_get_path (fixture->store);
}

static NcClient *
draft (const char *name,
       NcChannel   channel,
       const char *phone,
       ...)
{
  NcClient *client = nc_client_new (0, name, channel, phone, 0);
  GPtrArray *variables = g_ptr_array_new_with_free_func ((GDestroyNotify) nc_variable_free);
  va_list args;

  va_start (args, phone);
  for (const char *key = va_arg (args, const char *); key != NULL; key = va_arg (args, const char *))
    g_ptr_array_add (variables, nc_variable_new (key, va_arg (args, const char *)));
  va_end (args);
  nc_client_take_variables (client, variables);
  return client;
}

static gint64
add (NcStore  *store,
     NcClient *client)
{
  g_autoptr(GPtrArray) drafts = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (drafts, client);
  g_assert_true (nc_store_add_clients_sync (store, drafts, &ids, &error));
  g_assert_no_error (error);
  return g_array_index (ids, gint64, 0);
}

static int
sql_int (const char *path,
         const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  int value = -1;

  if (nc_store_is_database_url (path))
    return (int) nc_test_pg_sql_int (path, sql);

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

static void
test_open_creates_wal_database (Fixture       *fixture,
                                gconstpointer  data)
{
  const char *path = nc_store_get_path (fixture->store);

  g_assert_true (g_str_has_prefix (path, fixture->dir));
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpint (sql_int (path, "PRAGMA user_version"), ==, NC_STORE_SCHEMA_VERSION);
  /* WAL is a property of the file: a fresh connection sees it. */
  {
    sqlite3 *db = NULL;
    sqlite3_stmt *stmt = NULL;

    sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL);
    sqlite3_prepare_v2 (db, "PRAGMA journal_mode", -1, &stmt, NULL);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "wal");
    sqlite3_finalize (stmt);
    sqlite3_close (db);
  }
}

static void
test_clients_round_trip (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) clients = NULL;
  g_autoptr(NcClient) got = NULL;
  gint64 first, second;
  NcClient *client;

  SKIP_IF_NO_STORE (fixture);

  first = add (fixture->store, draft ("Иван Петров", NC_CHANNEL_TELEPHONY, "79004443322",
                                      "city", "Москва", "email", "ivan@example.org", NULL));
  second = add (fixture->store, draft ("Olga", NC_CHANNEL_WHATSAPP, "79161112233", NULL));
  g_assert_cmpint (first, <, second);

  clients = nc_store_list_clients_sync (fixture->store, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (clients->len, ==, 2);
  client = clients->pdata[0];
  g_assert_cmpstr (nc_client_get_name (client), ==, "Иван Петров");
  g_assert_cmpint (nc_client_get_channel (client), ==, NC_CHANNEL_TELEPHONY);
  g_assert_cmpstr (nc_client_get_phone (client), ==, "79004443322");
  g_assert_cmpuint (nc_client_get_variables (client)->len, ==, 2);
  g_assert_cmpstr (nc_client_get_variable (client, "city"), ==, "Москва");
  g_assert_cmpstr (((NcVariable *) nc_client_get_variables (client)->pdata[0])->name, ==, "city");
  g_assert_cmpint (nc_client_get_channel (clients->pdata[1]), ==, NC_CHANNEL_WHATSAPP);

  /* Setting a variable replaces its value in place, or adds it last. */
  g_assert_true (nc_store_set_variable_sync (fixture->store, first, "city", "Тверь", &error));
  g_assert_true (nc_store_set_variable_sync (fixture->store, first, "zadarma_record_link",
                                             "https://rec.example.org/1.mp3", &error));
  got = nc_store_get_client_sync (fixture->store, first, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (nc_client_get_variable (got, "city"), ==, "Тверь");
  g_assert_cmpstr (((NcVariable *) nc_client_get_variables (got)->pdata[0])->name, ==, "city");
  g_assert_cmpstr (((NcVariable *) nc_client_get_variables (got)->pdata[2])->name, ==,
                   "zadarma_record_link");

  g_assert_true (nc_store_delete_client_sync (fixture->store, first, &error));
  g_assert_false (nc_store_delete_client_sync (fixture->store, first, &error));
  g_assert_error (error, NC_STORE_ERROR, NC_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_clear_object (&got);
  got = nc_store_get_client_sync (fixture->store, first, &error);
  g_assert_null (got);
  g_assert_error (error, NC_STORE_ERROR, NC_STORE_ERROR_NOT_FOUND);
  /* The variables went with it. */
  g_assert_cmpint (sql_int (where (fixture), "SELECT count(*) FROM client_variables"), ==, 0);
}

static guint
search_count (NcStore    *store,
              const char *query)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = nc_store_search_clients_sync (store, query, 100, &error);

  g_assert_no_error (error);
  return ids->len;
}

static void
test_search (Fixture       *fixture,
             gconstpointer  data)
{
  add (fixture->store, draft ("Иван Петров", NC_CHANNEL_TELEPHONY, "79004443322",
                              "company", "ООО Ромашка", NULL));
  add (fixture->store, draft ("Olga Smirnova", NC_CHANNEL_WHATSAPP, "79161112233",
                              "work phone", "+7 (495) 123-45-67", NULL));
  add (fixture->store, draft ("Oleg", NC_CHANNEL_TELEGRAM, NULL, NULL));

  SKIP_IF_NO_STORE (fixture);

  g_assert_cmpuint (search_count (fixture->store, "Петр"), ==, 1);
  g_assert_cmpuint (search_count (fixture->store, "иван"), ==, 1);       /* any case */
  g_assert_cmpuint (search_count (fixture->store, "ромашка"), ==, 1);    /* a variable */
  g_assert_cmpuint (search_count (fixture->store, "444-33"), ==, 1);     /* phone, typed */
  g_assert_cmpuint (search_count (fixture->store, "+7 900 444"), ==, 1);
  g_assert_cmpuint (search_count (fixture->store, "3322"), ==, 1);
  g_assert_cmpuint (search_count (fixture->store, "1234567"), ==, 1);    /* a variable's digits */
  g_assert_cmpuint (search_count (fixture->store, "Ol"), ==, 2);         /* short: name prefix */
  g_assert_cmpuint (search_count (fixture->store, "o"), ==, 2);
  g_assert_cmpuint (search_count (fixture->store, "Smirnova\""), ==, 0); /* quotes are text */
  g_assert_cmpuint (search_count (fixture->store, "nobody"), ==, 0);

  /* As Russians type numbers: with the trunk prefix 8, whole or in part (issue 8). */
  g_assert_cmpuint (search_count (fixture->store, "8 (900) 444-33-22"), ==, 1);
  g_assert_cmpuint (search_count (fixture->store, "89004443322"), ==, 1);
  g_assert_cmpuint (search_count (fixture->store, "8 900 444"), ==, 1);
  g_assert_cmpuint (search_count (fixture->store, "8 916 111-22"), ==, 1);
  /* …but a number typed with + is what it says: +8… is another country. */
  g_assert_cmpuint (search_count (fixture->store, "+8 900 444"), ==, 0);
  /* A fragment beginning with 8 is also searched as it is. */
  g_assert_cmpuint (search_count (fixture->store, "81112233"), ==, 0);
  g_assert_cmpuint (search_count (fixture->store, "2233"), ==, 1);
}

/* The first version of the schema, as 0.1 wrote it. */
static const char schema_v1[] =
  "CREATE TABLE clients (id INTEGER PRIMARY KEY, name TEXT NOT NULL, channel TEXT NOT NULL,"
  "  phone TEXT, created INTEGER NOT NULL);"
  "CREATE TABLE client_variables (client_id INTEGER NOT NULL REFERENCES clients (id) ON DELETE CASCADE,"
  "  name TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (client_id, name));"
  "CREATE TABLE client_phones (phone TEXT NOT NULL, client_id INTEGER NOT NULL REFERENCES clients (id)"
  "  ON DELETE CASCADE, own INTEGER NOT NULL, variable TEXT);"
  "CREATE INDEX client_phones_by_phone ON client_phones (phone, client_id);"
  "CREATE INDEX client_phones_by_client ON client_phones (client_id);"
  "CREATE TABLE employees (id INTEGER PRIMARY KEY, name TEXT NOT NULL, employee_id TEXT,"
  "  virtual_number TEXT, call_method TEXT NOT NULL DEFAULT 'disabled');"
  "CREATE TABLE project_messengers (channel TEXT PRIMARY KEY);"
  "INSERT INTO clients VALUES (1, 'Старый клиент', 'telephony', '79001234567', 1700000000);"
  "INSERT INTO client_variables VALUES (1, 'note', 'из версии 1');"
  "INSERT INTO client_phones VALUES ('79001234567', 1, 1, NULL);"
  "PRAGMA user_version = 1;";

static char *
write_database (const char *dir,
                const char *sql)
{
  char *path = g_build_filename (dir, NC_STORE_FILE_NAME, NULL);
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  return path;
}

static void
test_upgrade_from_version_1 (void)
{
  g_autofree char *dir = nc_test_make_temp_dir ();
  g_autofree char *path = write_database (dir, schema_v1);
  g_autoptr(GError) error = NULL;
  g_autoptr(NcStore) store = nc_store_open_sync (dir, &error);
  g_autoptr(NcClient) client = NULL;
  guint wait = 99;

  g_assert_no_error (error);
  g_assert_cmpint (sql_int (path, "PRAGMA user_version"), ==, NC_STORE_SCHEMA_VERSION);
  client = nc_store_get_client_sync (store, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (nc_client_get_name (client), ==, "Старый клиент");
  g_assert_cmpstr (nc_client_get_variable (client, "note"), ==, "из версии 1");
  /* What version 2 brought works on the old data. */
  g_assert_cmpuint (search_count (store, "Старый"), ==, 1);
  g_assert_cmpuint (search_count (store, "1234567"), ==, 1);
  g_assert_true (nc_store_budget_take_sync (store, "api", 10, 60, &wait, &error));
  g_assert_cmpuint (wait, ==, 0);

  g_clear_object (&store);
  nc_test_remove_tree (dir);
}

static char *
file_checksum (const char *path)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, length);
}

static void
test_newer_version_refused_untouched (void)
{
  g_autofree char *dir = nc_test_make_temp_dir ();
  g_autofree char *path = write_database (dir, "CREATE TABLE future (x); PRAGMA user_version = 99;");
  g_autofree char *before = file_checksum (path);
  g_autofree char *after = NULL;
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autoptr(GError) error = NULL;
  NcStore *store = nc_store_open_sync (dir, &error);

  g_assert_null (store);
  g_assert_error (error, NC_STORE_ERROR, NC_STORE_ERROR_NEWER_VERSION);
  g_assert_nonnull (strstr (error->message, "newer version"));
  after = file_checksum (path);
  g_assert_cmpstr (before, ==, after);
  g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));
  nc_test_remove_tree (dir);
}

static void
test_corrupt_file_refused_untouched (void)
{
  g_autofree char *dir = nc_test_make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, NC_STORE_FILE_NAME, NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autoptr(GError) error = NULL;
  GString *garbage = g_string_new (NULL);
  NcStore *store;

  for (guint i = 0; i < 8192; i++)
    g_string_append_c (garbage, (char) (i * 7 + 13));
  g_assert_true (g_file_set_contents (path, garbage->str, (gssize) garbage->len, NULL));
  g_string_free (garbage, TRUE);
  before = file_checksum (path);

  store = nc_store_open_sync (dir, &error);
  g_assert_null (store);
  g_assert_error (error, NC_STORE_ERROR, NC_STORE_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, path));
  after = file_checksum (path);
  g_assert_cmpstr (before, ==, after);
  nc_test_remove_tree (dir);
}

static void
test_locked_database (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) drafts = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) clients = NULL;
  sqlite3 *other = NULL;

  add (fixture->store, draft ("Before", NC_CHANNEL_TELEPHONY, "79000000001", NULL));

  /* Another program holds the write lock. */
  g_assert_cmpint (sqlite3_open (nc_store_get_path (fixture->store), &other), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (other, "BEGIN EXCLUSIVE", NULL, NULL, NULL), ==, SQLITE_OK);

  nc_store_set_busy_timeout (fixture->store, 100);
  g_ptr_array_add (drafts, draft ("During", NC_CHANNEL_TELEPHONY, "79000000002", NULL));
  g_assert_false (nc_store_add_clients_sync (fixture->store, drafts, NULL, &error));
  g_assert_error (error, NC_STORE_ERROR, NC_STORE_ERROR_LOCKED);
  g_assert_nonnull (strstr (error->message, "another program"));
  g_clear_error (&error);

  sqlite3_exec (other, "ROLLBACK", NULL, NULL, NULL);
  sqlite3_close (other);

  /* Nothing was half-written, and the store works again. */
  clients = nc_store_list_clients_sync (fixture->store, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (clients->len, ==, 1);
  g_assert_true (nc_store_add_clients_sync (fixture->store, drafts, NULL, &error));
  g_assert_no_error (error);
}

/* A batch is all or nothing: one bad client, and none of them is added. */
static void
test_add_clients_all_or_nothing (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) drafts = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) clients = NULL;

  SKIP_IF_NO_STORE (fixture);

  g_ptr_array_add (drafts, draft ("One", NC_CHANNEL_TELEPHONY, "79000000001", NULL));
  /* The same variable twice violates the primary key. */
  g_ptr_array_add (drafts, draft ("Two", NC_CHANNEL_TELEPHONY, "79000000002", "a", "1", "a", "2", NULL));
  g_assert_false (nc_store_add_clients_sync (fixture->store, drafts, NULL, &error));
  g_assert_error (error, NC_STORE_ERROR, NC_STORE_ERROR_INVALID);

  clients = nc_store_list_clients_sync (fixture->store, FALSE, NULL);
  g_assert_cmpuint (clients->len, ==, 0);
  g_assert_cmpuint (search_count (fixture->store, "One"), ==, 0);
}

typedef struct
{
  guint inserted;
  guint duplicates;
  guint done;
} EventCounts;

static void
event_added (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  EventCounts *counts = user_data;
  g_autoptr(GError) error = NULL;
  gboolean inserted = FALSE;

  g_assert_true (nc_store_add_call_event_finish (NC_STORE (source), result, &inserted, &error));
  g_assert_no_error (error);
  if (inserted)
    counts->inserted++;
  else
    counts->duplicates++;
  counts->done++;
}

static void
test_call_events_deduplicated (Fixture       *fixture,
                               gconstpointer  data)
{
  EventCounts counts = { 0 };
  const char *path = NULL;

  SKIP_IF_NO_STORE (fixture);
  path = where (fixture);

  /* 200 distinct events and each of the first 50 again, all at once: group commits. */
  for (guint i = 0; i < 250; i++)
    {
      g_autofree char *fields = g_strdup_printf ("caller_id=79004443322&internal=%u&pbx_call_id=x",
                                                 i % 200);

      nc_store_add_call_event_async (fixture->store, "NOTIFY_INTERNAL", fields,
                                     g_get_real_time (), NULL, event_added, &counts);
    }
  /* The same fields under another type are another event. */
  nc_store_add_call_event_async (fixture->store, "NOTIFY_START",
                                 "caller_id=79004443322&internal=0&pbx_call_id=x",
                                 g_get_real_time (), NULL, event_added, &counts);
  while (counts.done < 251)
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpuint (counts.inserted, ==, 201);
  g_assert_cmpuint (counts.duplicates, ==, 50);
  g_assert_cmpint (sql_int (path, "SELECT count(*) FROM call_events"), ==, 201);
  g_assert_cmpint (sql_int (path, "SELECT count(*) FROM call_events WHERE id = 1 AND "
                                  "event_type = 'NOTIFY_INTERNAL'"), ==, 1);
  /* Every one of them is of the one call: one row. */
  g_assert_cmpint (sql_int (path, "SELECT count(*) FROM calls WHERE pbx_call_id = 'x'"), ==, 1);
}

static void
test_budget_shared (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NcStore) other = NULL;
  guint wait = 99;

  SKIP_IF_NO_STORE (fixture);

  for (guint i = 0; i < 3; i++)
    {
      g_assert_true (nc_store_budget_take_sync (fixture->store, "statistics", 3, 60, &wait, &error));
      g_assert_cmpuint (wait, ==, 0);
    }
  g_assert_true (nc_store_budget_take_sync (fixture->store, "statistics", 3, 60, &wait, &error));
  g_assert_cmpuint (wait, >, 0);
  g_assert_cmpuint (wait, <=, 60);

  /* Another process on the same data sees the same budget; other buckets are apart. */
  other = nc_test_store_open_again (fixture);
  g_assert_true (nc_store_budget_take_sync (other, "statistics", 3, 60, &wait, &error));
  g_assert_cmpuint (wait, >, 0);
  g_assert_true (nc_store_budget_take_sync (other, "api", 100, 60, &wait, &error));
  g_assert_cmpuint (wait, ==, 0);
}

static void
test_employees_and_messengers (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NcEmployee) anna = nc_employee_new (0, "Анна", "111111", "79500000033",
                                                NC_CALL_METHOD_API);
  g_autoptr(NcEmployee) changed = NULL;
  g_autoptr(GPtrArray) employees = NULL;
  g_auto(GStrv) messengers = NULL;
  const char *set[] = { "whatsapp", "viber", NULL };
  const char *bad[] = { "telephony", NULL };
  gint64 id;

  SKIP_IF_NO_STORE (fixture);

  id = nc_store_save_employee_sync (fixture->store, anna, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  changed = nc_employee_new (id, "Анна", "111111", NULL, NC_CALL_METHOD_APP);
  g_assert_cmpint (nc_store_save_employee_sync (fixture->store, changed, &error), ==, id);
  employees = nc_store_list_employees_sync (fixture->store, &error);
  g_assert_cmpuint (employees->len, ==, 1);
  g_assert_cmpint (nc_employee_get_call_method (employees->pdata[0]), ==, NC_CALL_METHOD_APP);
  g_assert_null (nc_employee_get_virtual_number (employees->pdata[0]));
  g_assert_true (nc_store_delete_employee_sync (fixture->store, id, &error));

  g_assert_true (nc_store_set_messengers_sync (fixture->store, set, &error));
  messengers = nc_store_get_messengers_sync (fixture->store, &error);
  g_assert_cmpuint (g_strv_length (messengers), ==, 2);
  g_assert_cmpstr (messengers[0], ==, "viber");
  g_assert_false (nc_store_set_messengers_sync (fixture->store, bad, &error));
  g_assert_error (error, NC_STORE_ERROR, NC_STORE_ERROR_INVALID);
}

static GPtrArray *
drafts_of (guint       count,
           const char *prefix)
{
  GPtrArray *drafts = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < count; i++)
    {
      g_autofree char *name = g_strdup_printf ("%s %u, a client with a long name and notes", prefix, i);
      g_autofree char *phone = g_strdup_printf ("7900%07u", i);
      GPtrArray *variables = g_ptr_array_new_with_free_func ((GDestroyNotify) nc_variable_free);
      NcClient *client = nc_client_new (0, name, NC_CHANNEL_TELEPHONY, phone, 0);

      g_ptr_array_add (variables, nc_variable_new ("notes", "Called about the order; wants a "
                                                   "call back after lunch, not before."));
      nc_client_take_variables (client, variables);
      g_ptr_array_add (drafts, client);
    }
  return drafts;
}

/* A full disk: the write that does not fit says so and adds nothing; what was there stays,
 * and the store still reads. Needs a small tmpfs, so root with mount(8). */
static void
test_disk_full (void)
{
  g_autofree char *dir = nc_test_make_temp_dir ();
  g_autoptr(NcStore) store = NULL;
  g_autoptr(GPtrArray) first = drafts_of (20, "Kept");
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GError) error = NULL;
  gboolean full = FALSE;

  if (!nc_test_mount_small_disk (dir, 384))
    {
      g_test_skip ("no small file system to fill here (mounting a tmpfs needs root)");
      nc_test_remove_tree (dir);
      return;
    }

  store = nc_store_open_sync (dir, &error);
  g_assert_no_error (error);
  g_assert_true (nc_store_add_clients_sync (store, first, NULL, &error));
  g_assert_no_error (error);

  /* Batches until one does not fit. */
  for (guint round = 0; round < 200 && !full; round++)
    {
      g_autoptr(GPtrArray) more = drafts_of (200, "Round");
      g_autoptr(GPtrArray) before = nc_store_list_clients_sync (store, FALSE, NULL);

      if (nc_store_add_clients_sync (store, more, NULL, &error))
        continue;
      full = TRUE;
      g_assert_error (error, NC_STORE_ERROR, NC_STORE_ERROR_FULL);
      g_assert_nonnull (strstr (error->message, "full"));
      g_clear_error (&error);
      /* All or nothing: the batch that failed left no client behind. */
      listed = nc_store_list_clients_sync (store, FALSE, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (listed->len, ==, before->len);
    }
  g_assert_true (full);
  g_assert_nonnull (listed);
  g_assert_cmpuint (listed->len, >=, 20);
  g_assert_cmpstr (nc_client_get_name (listed->pdata[0]), ==,
                   "Kept 0, a client with a long name and notes");

  nc_store_close (store);
  nc_test_wait_for_last_reference (store);
  g_clear_object (&store);
  nc_test_unmount_small_disk (dir);
  nc_test_remove_tree (dir);
}

/* ------------------------------------------------------------------------------------ */
/* The change feed and the asynchronous API                                             */

typedef struct
{
  NcStoreChange kind;
  gint64        id;
  int           employees_committed;   /* as another connection saw it at the emission */
} Change;

typedef struct
{
  char         *path;
  GArray       *changes;
  GMainContext *context;               /* the one emissions must come on */
} Recorder;

static void
on_changed (NcStore       *store,
            NcStoreChange  kind,
            gint64         id,
            Recorder      *recorder)
{
  Change change = { kind, id, sql_int (recorder->path, "SELECT count(*) FROM employees") };

  if (recorder->context != NULL)
    g_assert_true (g_main_context_is_owner (recorder->context));
  g_array_append_val (recorder->changes, change);
}

static Recorder *
recorder_new_at (NcStore    *store,
                 const char *where_data)
{
  Recorder *recorder = g_new0 (Recorder, 1);

  recorder->path = g_strdup (where_data != NULL ? where_data : nc_store_get_path (store));
  recorder->changes = g_array_new (FALSE, FALSE, sizeof (Change));
  g_signal_connect (store, "changed", G_CALLBACK (on_changed), recorder);
  return recorder;
}

static void
recorder_free (Recorder *recorder)
{
  g_free (recorder->path);
  g_array_unref (recorder->changes);
  g_free (recorder);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Recorder, recorder_free)

static const Change *
recorded (Recorder *recorder,
          guint     index)
{
  g_assert_cmpuint (index, <, recorder->changes->len);
  return &g_array_index (recorder->changes, Change, index);
}

static guint
recorded_of (Recorder      *recorder,
             NcStoreChange  kind)
{
  guint count = 0;

  for (guint i = 0; i < recorder->changes->len; i++)
    count += recorded (recorder, i)->kind == kind;
  return count;
}

/* Spins the default main context until @count changes are recorded. */
static void
wait_for_changes (Recorder *recorder,
                  guint     count)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (recorder->changes->len < count && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (recorder->changes->len, >=, count);
}

/* A write of its own after whatever is being waited for: when its change is heard, every
 * earlier batch's has been too. */
static void
drain_changes (NcStore  *store,
               Recorder *recorder)
{
  g_autoptr(GError) error = NULL;
  const char *none[] = { NULL };
  guint before = recorder->changes->len;

  g_assert_true (nc_store_set_messengers_sync (store, none, &error));
  g_assert_no_error (error);
  wait_for_changes (recorder, before + 1);
  g_assert_cmpint (recorded (recorder, recorder->changes->len - 1)->kind, ==,
                   NC_STORE_CHANGE_MESSENGERS);
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
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *result;
}

static void
test_changed_after_commit (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(Recorder) recorder = recorder_new_at (fixture->store, where (fixture));
  g_autoptr(NcEmployee) anna = nc_employee_new (0, "Анна", "111111", NULL, NC_CALL_METHOD_APP);
  g_autoptr(NcClient) nobody = nc_client_new (4242, "Nobody", NC_CHANNEL_TELEPHONY, NULL, 0);
  g_autoptr(GPtrArray) bad = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) three = drafts_of (3, "Three");
  g_autoptr(GAsyncResult) saved = NULL;
  g_autoptr(GAsyncResult) updated = NULL;
  g_autoptr(GAsyncResult) added = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;
  gboolean inserted = FALSE;
  gint64 id, one;

  SKIP_IF_NO_STORE (fixture);

  /* After COMMIT: another connection already sees the row. */
  nc_store_save_employee_async (fixture->store, anna, NULL, got_result, &saved);
  id = nc_store_save_employee_finish (fixture->store, wait_result (&saved), &error);
  g_assert_no_error (error);
  wait_for_changes (recorder, 1);
  g_assert_cmpint (recorded (recorder, 0)->kind, ==, NC_STORE_CHANGE_EMPLOYEES);
  g_assert_cmpint (recorded (recorder, 0)->id, ==, id);
  g_assert_cmpint (recorded (recorder, 0)->employees_committed, ==, 1);

  /* Writes that fail say nothing. */
  nc_store_update_client_async (fixture->store, nobody, NULL, got_result, &updated);
  g_assert_false (nc_store_update_client_finish (fixture->store, wait_result (&updated), &error));
  g_assert_error (error, NC_STORE_ERROR, NC_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_ptr_array_add (bad, draft ("One", NC_CHANNEL_TELEPHONY, "79000000001", NULL));
  g_ptr_array_add (bad, draft ("Two", NC_CHANNEL_TELEPHONY, NULL, "a", "1", "a", "2", NULL));
  g_assert_false (nc_store_add_clients_sync (fixture->store, bad, NULL, &error));
  g_assert_error (error, NC_STORE_ERROR, NC_STORE_ERROR_INVALID);
  g_clear_error (&error);
  drain_changes (fixture->store, recorder);
  g_assert_cmpuint (recorder->changes->len, ==, 2);
  g_assert_cmpuint (recorded_of (recorder, NC_STORE_CHANGE_CLIENTS), ==, 0);
  g_assert_cmpint (recorded (recorder, 1)->id, ==, 0);

  /* Several rows of a kind: one emission, without an id; one row: its id. */
  g_assert_true (nc_store_add_clients_sync (fixture->store, three, NULL, &error));
  wait_for_changes (recorder, 3);
  g_assert_cmpint (recorded (recorder, 2)->kind, ==, NC_STORE_CHANGE_CLIENTS);
  g_assert_cmpint (recorded (recorder, 2)->id, ==, 0);
  one = add (fixture->store, draft ("Alone", NC_CHANNEL_TELEPHONY, NULL, NULL));
  wait_for_changes (recorder, 4);
  g_assert_cmpint (recorded (recorder, 3)->kind, ==, NC_STORE_CHANGE_CLIENTS);
  g_assert_cmpint (recorded (recorder, 3)->id, ==, one);
  drain_changes (fixture->store, recorder);
  g_assert_cmpuint (recorder->changes->len, ==, 5);

  /* A new call event: its id. */
  nc_store_add_call_event_async (fixture->store, "NOTIFY_START", "pbx_call_id=one",
                                 g_get_real_time (), NULL, got_result, &added);
  g_assert_true (nc_store_add_call_event_finish (fixture->store, wait_result (&added), &inserted,
                                                 &error));
  g_assert_true (inserted);
  wait_for_changes (recorder, 6);
  /* A call event: its call's row. */
  g_assert_cmpint (recorded (recorder, 5)->kind, ==, NC_STORE_CHANGE_CALLS);
  g_assert_cmpint (recorded (recorder, 5)->id, ==,
                   sql_int (recorder->path, "SELECT id FROM calls WHERE pbx_call_id = 'one'"));

  g_signal_handlers_disconnect_by_data (fixture->store, recorder);
}

typedef struct
{
  guint done;
  guint failed;
} Count;

static void
count_write (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Count *count = user_data;
  g_autoptr(GError) error = NULL;

  if (g_task_get_source_tag (G_TASK (result)) == nc_store_set_variable_async)
    nc_store_set_variable_finish (NC_STORE (source), result, &error);
  else
    nc_store_save_employee_finish (NC_STORE (source), result, &error);
  count->failed += error != NULL;
  count->done++;
}

/* Writes that wait together are committed together, and heard of once per kind. */
static void
test_changed_once_per_batch (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(GPtrArray) drafts = drafts_of (3, "Batch");
  g_autoptr(GArray) ids = NULL;
  g_autoptr(Recorder) recorder = NULL;
  g_autoptr(NcEmployee) boris = nc_employee_new (0, "Борис", "222222", NULL,
                                                 NC_CALL_METHOD_APP);
  g_autoptr(GError) error = NULL;
  Count count = { 0 };
  sqlite3 *other = NULL;
  guint clients;

  g_assert_true (nc_store_add_clients_sync (fixture->store, drafts, &ids, &error));
  recorder = recorder_new_at (fixture->store, where (fixture));
  drain_changes (fixture->store, recorder);
  g_array_set_size (recorder->changes, 0);

  /* The writer waits for another program's lock with the first write, while the others
   * queue up behind it. */
  g_assert_cmpint (sqlite3_open (nc_store_get_path (fixture->store), &other), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (other, "BEGIN IMMEDIATE", NULL, NULL, NULL), ==, SQLITE_OK);
  nc_store_set_variable_async (fixture->store, g_array_index (ids, gint64, 0), "x", "1", NULL,
                               count_write, &count);
  g_usleep (100 * 1000);
  nc_store_set_variable_async (fixture->store, g_array_index (ids, gint64, 1), "x", "2", NULL,
                               count_write, &count);
  nc_store_set_variable_async (fixture->store, g_array_index (ids, gint64, 2), "x", "3", NULL,
                               count_write, &count);
  nc_store_save_employee_async (fixture->store, boris, NULL, count_write, &count);
  sqlite3_exec (other, "ROLLBACK", NULL, NULL, NULL);
  sqlite3_close (other);
  while (count.done < 4)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (count.failed, ==, 0);
  drain_changes (fixture->store, recorder);

  /* Three writes of clients in (at most) two batches; the batch of several says 0. */
  clients = recorded_of (recorder, NC_STORE_CHANGE_CLIENTS);
  g_assert_cmpuint (clients, >=, 1);
  g_assert_cmpuint (clients, <=, 2);
  g_assert_cmpuint (recorded_of (recorder, NC_STORE_CHANGE_EMPLOYEES), ==, 1);
  for (guint i = recorder->changes->len; i-- > 0;)
    if (recorded (recorder, i)->kind == NC_STORE_CHANGE_CLIENTS)
      {
        g_assert_cmpint (recorded (recorder, i)->id, ==, 0);
        break;
      }

  g_signal_handlers_disconnect_by_data (fixture->store, recorder);
}

/* Emissions come on the context that was the thread's default when the store opened. */
static void
test_changed_on_opening_context (void)
{
  g_autofree char *dir = nc_test_make_temp_dir ();
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(NcStore) store = NULL;
  g_autoptr(Recorder) recorder = NULL;
  g_autoptr(GError) error = NULL;
  const char *set[] = { "telegram", NULL };
  gint64 deadline;

  g_main_context_push_thread_default (context);
  store = nc_store_open_sync (dir, &error);
  g_main_context_pop_thread_default (context);
  g_assert_no_error (error);
  recorder = recorder_new_at (store, NULL);
  recorder->context = context;

  /* Answered only after COMMIT, and so announced already. */
  g_assert_true (nc_store_set_messengers_sync (store, set, &error));
  for (guint i = 0; i < 10; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (recorder->changes->len, ==, 0);

  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (recorder->changes->len == 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (context, FALSE);
  g_assert_cmpuint (recorder->changes->len, ==, 1);
  g_assert_cmpint (recorded (recorder, 0)->kind, ==, NC_STORE_CHANGE_MESSENGERS);

  g_signal_handlers_disconnect_by_data (store, recorder);
  nc_store_close (store);
  g_assert_finalize_object (g_steal_pointer (&store));
  nc_test_remove_tree (dir);
}

static void
test_employees_and_messengers_async (Fixture       *fixture,
                                     gconstpointer  data)
{
  g_autoptr(NcEmployee) vera = nc_employee_new (0, "Вера", "333333", "79500000044",
                                                NC_CALL_METHOD_API);
  g_autoptr(NcEmployee) changed = NULL;
  g_autoptr(GPtrArray) employees = NULL;
  g_auto(GStrv) messengers = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  const char *set[] = { "viber", "whatsapp", NULL };
  const char *bad[] = { "carrier-pigeon", NULL };
  gint64 id;

  SKIP_IF_NO_STORE (fixture);

  nc_store_save_employee_async (fixture->store, vera, NULL, got_result, &result);
  id = nc_store_save_employee_finish (fixture->store, wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  g_clear_object (&result);

  changed = nc_employee_new (id, "Вера", "333333", NULL, NC_CALL_METHOD_APP);
  nc_store_save_employee_async (fixture->store, changed, NULL, got_result, &result);
  g_assert_cmpint (nc_store_save_employee_finish (fixture->store, wait_result (&result), &error),
                   ==, id);
  g_clear_object (&result);

  nc_store_list_employees_async (fixture->store, NULL, got_result, &result);
  employees = nc_store_list_employees_finish (fixture->store, wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (employees->len, ==, 1);
  g_assert_cmpint (nc_employee_get_id (employees->pdata[0]), ==, id);
  g_assert_cmpint (nc_employee_get_call_method (employees->pdata[0]), ==, NC_CALL_METHOD_APP);
  g_assert_null (nc_employee_get_virtual_number (employees->pdata[0]));
  g_clear_object (&result);
  g_clear_pointer (&employees, g_ptr_array_unref);

  nc_store_delete_employee_async (fixture->store, id, NULL, got_result, &result);
  g_assert_true (nc_store_delete_employee_finish (fixture->store, wait_result (&result), &error));
  g_clear_object (&result);
  nc_store_list_employees_async (fixture->store, NULL, got_result, &result);
  employees = nc_store_list_employees_finish (fixture->store, wait_result (&result), &error);
  g_assert_cmpuint (employees->len, ==, 0);
  g_clear_object (&result);

  nc_store_set_messengers_async (fixture->store, set, NULL, got_result, &result);
  g_assert_true (nc_store_set_messengers_finish (fixture->store, wait_result (&result), &error));
  g_clear_object (&result);
  nc_store_get_messengers_async (fixture->store, NULL, got_result, &result);
  messengers = nc_store_get_messengers_finish (fixture->store, wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (messengers), ==, 2);
  g_assert_cmpstr (messengers[0], ==, "viber");
  g_assert_cmpstr (messengers[1], ==, "whatsapp");
  g_clear_object (&result);

  /* Refused before it reaches the writer, and answered the same way. */
  nc_store_set_messengers_async (fixture->store, bad, NULL, got_result, &result);
  g_assert_false (nc_store_set_messengers_finish (fixture->store, wait_result (&result), &error));
  g_assert_error (error, NC_STORE_ERROR, NC_STORE_ERROR_INVALID);
  g_clear_object (&result);
}

typedef struct
{
  guint acknowledged;
  guint done;
} Acks;

static void
event_acknowledged (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Acks *acks = user_data;
  g_autoptr(GError) error = NULL;
  gboolean inserted = FALSE;

  if (nc_store_add_call_event_finish (NC_STORE (source), result, &inserted, &error))
    acks->acknowledged += inserted;
  acks->done++;
}

static void
submit_events (NcStore    *store,
               guint       from,
               guint       to,
               Acks       *acks)
{
  for (guint i = from; i < to; i++)
    {
      g_autofree char *fields = g_strdup_printf ("caller_id=79004443322&pbx_call_id=in-%u", i);

      nc_store_add_call_event_async (store, "NOTIFY_START", fields, g_get_real_time (), NULL,
                                     event_acknowledged, acks);
    }
}

/* An import cancelled half-way in the same batch as webhook events takes back its own
 * clients and nothing else: every event acknowledged is stored. */
static void
test_cancelled_import_beside_events (Fixture       *fixture,
                                     gconstpointer  data)
{
  const char *path = nc_store_get_path (fixture->store);
  g_autoptr(GPtrArray) drafts = drafts_of (20000, "Imported");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(NcProgress) progress = nc_progress_new ();
  g_autoptr(GAsyncResult) imported = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GPtrArray) clients = NULL;
  g_autoptr(Recorder) recorder = recorder_new_at (fixture->store, where (fixture));
  g_autoptr(GError) error = NULL;
  Acks acks = { 0 };
  sqlite3 *other = NULL;
  double at_cancel;

  /* Held by another program, the lock keeps the first event waiting alone; the rest queue
   * up and go into the next batch together: events, the import, more events. */
  g_assert_cmpint (sqlite3_open (path, &other), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (other, "BEGIN IMMEDIATE", NULL, NULL, NULL), ==, SQLITE_OK);
  submit_events (fixture->store, 0, 1, &acks);
  g_usleep (100 * 1000);
  submit_events (fixture->store, 1, 51, &acks);
  nc_store_add_clients_async (fixture->store, drafts, progress, cancellable, got_result, &imported);
  submit_events (fixture->store, 51, 101, &acks);
  sqlite3_exec (other, "ROLLBACK", NULL, NULL, NULL);
  sqlite3_close (other);

  while (nc_progress_get_fraction (progress) < 0.05)
    g_usleep (1000);
  at_cancel = nc_progress_get_fraction (progress);
  g_cancellable_cancel (cancellable);
  g_assert_cmpfloat (at_cancel, <, 1.0);

  ids = nc_store_add_clients_finish (fixture->store, wait_result (&imported), &error);
  g_assert_null (ids);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  while (acks.done < 101)
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpuint (acks.acknowledged, ==, 101);
  g_assert_cmpint (sql_int (path, "SELECT count(*) FROM call_events"), ==, acks.acknowledged);
  clients = nc_store_list_clients_sync (fixture->store, FALSE, &error);
  g_assert_cmpuint (clients->len, ==, 0);
  g_assert_cmpuint (search_count (fixture->store, "Imported"), ==, 0);
  g_assert_cmpint (sql_int (path, "SELECT count(*) FROM client_variables"), ==, 0);
  g_assert_cmpint (sql_int (path, "SELECT count(*) FROM client_phones"), ==, 0);
  g_assert_cmpint (sql_int (path, "SELECT count(*) FROM client_search"), ==, 0);

  /* The events were heard of; the import, taken back, never was. */
  drain_changes (fixture->store, recorder);
  g_assert_cmpuint (recorded_of (recorder, NC_STORE_CHANGE_CALLS), >=, 1);
  g_assert_cmpuint (recorded_of (recorder, NC_STORE_CHANGE_CLIENTS), ==, 0);

  g_signal_handlers_disconnect_by_data (fixture->store, recorder);
}

/* The clients of an import in course: written a chunk at a time (their rows are in the
 * database), and yet no reader sees, finds or matches them until the import's end; then
 * all of them at once. */
static void
test_import_hidden_until_finished (Fixture       *fixture,
                                   gconstpointer  data)
{
  g_autoptr(NcStoreImport) import = NULL;
  g_autoptr(GPtrArray) first = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) second = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) clients = NULL;
  g_autoptr(NcClient) found = NULL;
  g_autoptr(GError) error = NULL;
  const char *path;
  gint64 telephony = -1, any = -1, hidden_id;
  guint count = 0;

  SKIP_IF_NO_STORE (fixture);
  path = where (fixture);

  add (fixture->store, draft ("Kept Before", NC_CHANNEL_TELEPHONY, "79000000001", NULL));
  import = nc_store_import_begin_sync (fixture->store, &error);
  g_assert_no_error (error);
  g_ptr_array_add (first, draft ("Imported Anna", NC_CHANNEL_TELEPHONY, "79000000002",
                                 "work phone", "+7 916 000-00-03", NULL));
  g_ptr_array_add (second, draft ("Imported Boris", NC_CHANNEL_WHATSAPP, NULL, NULL));
  g_assert_true (nc_store_import_add_sync (import, g_steal_pointer (&first), &error));
  /* The second chunk waits for the first: that one is committed now. */
  g_assert_true (nc_store_import_add_sync (import, g_steal_pointer (&second), &error));
  g_assert_no_error (error);

  g_assert_cmpint (sql_int (path, "SELECT count(*) FROM clients WHERE name = 'Imported Anna'"),
                   ==, 1);
  hidden_id = sql_int (path, "SELECT id FROM clients WHERE name = 'Imported Anna'");
  clients = nc_store_list_clients_sync (fixture->store, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (clients->len, ==, 1);
  g_assert_cmpuint (search_count (fixture->store, "Imported"), ==, 0);
  g_assert_cmpuint (search_count (fixture->store, "Im"), ==, 0);
  g_assert_true (nc_store_lookup_phone_sync (fixture->store, "79000000002", &telephony, &any,
                                             &error));
  g_assert_cmpint (telephony, ==, 0);
  g_assert_cmpint (any, ==, 0);
  g_assert_true (nc_store_lookup_phone_sync (fixture->store, "79160000003", &telephony, &any,
                                             &error));
  g_assert_cmpint (any, ==, 0);
  g_assert_null (nc_store_get_client_sync (fixture->store, hidden_id, &error));
  g_assert_error (error, NC_STORE_ERROR, NC_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (nc_store_import_finish_sync (import, &count, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count, ==, 2);
  g_clear_pointer (&clients, g_ptr_array_unref);
  clients = nc_store_list_clients_sync (fixture->store, TRUE, &error);
  g_assert_cmpuint (clients->len, ==, 3);
  g_assert_cmpstr (nc_client_get_variable (clients->pdata[1], "work phone"), ==,
                   "+7 916 000-00-03");
  g_assert_cmpuint (search_count (fixture->store, "Imported"), ==, 2);
  g_assert_cmpuint (search_count (fixture->store, "Im"), ==, 2);
  g_assert_true (nc_store_lookup_phone_sync (fixture->store, "79000000002", &telephony, &any,
                                             &error));
  g_assert_cmpint (telephony, ==, hidden_id);
  g_assert_true (nc_store_lookup_phone_sync (fixture->store, "79160000003", &telephony, &any,
                                             &error));
  g_assert_cmpint (any, ==, hidden_id);
  found = nc_store_get_client_sync (fixture->store, hidden_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (nc_client_get_name (found), ==, "Imported Anna");
  g_assert_cmpint (sql_int (path, "SELECT count(*) FROM imports"), ==, 0);
}

/* An import that does not end (a bad row later in the file, a failing chunk, a cancel)
 * leaves nothing: not its clients, their variables or phones, their search text, nor its
 * own row. The next import's ids are new, and undoing it takes nothing of an earlier one. */
static void
test_import_undone_whole (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GPtrArray) chunk = NULL;
  g_autoptr(GPtrArray) clients = NULL;
  g_autoptr(GError) error = NULL;
  NcStoreImport *import;
  const char *path;

  SKIP_IF_NO_STORE (fixture);
  path = where (fixture);

  import = nc_store_import_begin_sync (fixture->store, &error);
  g_assert_no_error (error);
  chunk = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (chunk, draft ("Whole One", NC_CHANNEL_TELEPHONY, "79000000001", NULL));
  g_assert_true (nc_store_import_add_sync (import, g_steal_pointer (&chunk), &error));
  g_assert_true (nc_store_import_finish_sync (import, NULL, &error));
  g_assert_no_error (error);
  nc_store_import_free (import);

  for (guint round = 0; round < 2; round++)
    {
      import = nc_store_import_begin_sync (fixture->store, &error);
      g_assert_no_error (error);
      for (guint c = 0; c < 3; c++)
        {
          chunk = g_ptr_array_new_with_free_func (g_object_unref);
          for (guint i = 0; i < 50; i++)
            {
              g_autofree char *name = g_strdup_printf ("Undone %u-%u", c, i);
              g_autofree char *phone = g_strdup_printf ("7910%07u", c * 100 + i);

              g_ptr_array_add (chunk, draft (name, NC_CHANNEL_TELEPHONY, phone,
                                             "city", "Perm", "mobile", "+7 999 000 00 00", NULL));
            }
          g_assert_true (nc_store_import_add_sync (import, g_steal_pointer (&chunk), &error));
          g_assert_no_error (error);
        }
      if (round == 1)
        {
          /* A chunk the store refuses (the same variable twice): it and the ones before go. */
          chunk = g_ptr_array_new_with_free_func (g_object_unref);
          g_ptr_array_add (chunk, draft ("Bad", NC_CHANNEL_TELEPHONY, NULL, "a", "1", "a", "2",
                                         NULL));
          g_assert_true (nc_store_import_add_sync (import, g_steal_pointer (&chunk), &error));
          g_assert_false (nc_store_import_finish_sync (import, NULL, &error));
          g_assert_error (error, NC_STORE_ERROR, NC_STORE_ERROR_INVALID);
          g_clear_error (&error);
        }
      else
        /* The chunks before the last one are written (each add waits for the one before). */
        g_assert_cmpint (sql_int (path, "SELECT count(*) FROM clients"), >=, 101);
      nc_store_import_free (import);

      g_assert_cmpint (sql_int (path, "SELECT count(*) FROM clients"), ==, 1);
      g_assert_cmpint (sql_int (path, "SELECT count(*) FROM client_variables"), ==, 0);
      g_assert_cmpint (sql_int (path, "SELECT count(*) FROM client_phones"), ==, 1);
      g_assert_cmpint (sql_int (path, "SELECT count(*) FROM imports"), ==, 0);
      g_assert_cmpuint (search_count (fixture->store, "Undone"), ==, 0);
      g_assert_cmpuint (search_count (fixture->store, "Perm"), ==, 0);
      g_assert_cmpuint (search_count (fixture->store, "Whole"), ==, 1);
    }
  clients = nc_store_list_clients_sync (fixture->store, FALSE, &error);
  g_assert_cmpuint (clients->len, ==, 1);
}

/* A write queued while an import runs is committed between two of its chunks, long
 * before the import ends: the writer is never held by a whole import. */
static void
test_import_lets_events_through (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autoptr(NcStoreImport) import = NULL;
  g_autoptr(GAsyncResult) added = NULL;
  g_autoptr(GError) error = NULL;
  gboolean inserted = FALSE;

  SKIP_IF_NO_STORE (fixture);

  import = nc_store_import_begin_sync (fixture->store, &error);
  g_assert_no_error (error);
  for (guint c = 0; c < 4; c++)
    {
      g_autoptr(GPtrArray) chunk = g_ptr_array_new_with_free_func (g_object_unref);

      for (guint i = 0; i < 100; i++)
        {
          g_autofree char *name = g_strdup_printf ("Client %u-%u", c, i);

          g_ptr_array_add (chunk, draft (name, NC_CHANNEL_TELEPHONY, NULL, NULL));
        }
      g_assert_true (nc_store_import_add_sync (import, g_steal_pointer (&chunk), &error));
      if (c == 1)
        {
          /* Mid-import: the event is answered (committed) while the import is still open. */
          nc_store_add_call_event_async (fixture->store, "NOTIFY_START", "pbx_call_id=mid",
                                         g_get_real_time (), NULL, got_result, &added);
          g_assert_true (nc_store_add_call_event_finish (fixture->store, wait_result (&added),
                                                         &inserted, &error));
          g_assert_no_error (error);
          g_assert_true (inserted);
          g_assert_cmpint (sql_int (where (fixture), "SELECT count(*) FROM imports"), ==, 1);
          /* The first chunk was committed on its own before it; the second, queued before
           * the event, may come after it (the writer lets an event pass a queued chunk). */
          g_assert_cmpint (sql_int (where (fixture), "SELECT count(*) FROM clients"), >=, 100);
        }
    }
  g_assert_true (nc_store_import_finish_sync (import, NULL, &error));
  g_assert_no_error (error);
}

/* A job that holds the writer until the test opens it, saying when it has begun. */
typedef struct
{
  GMutex   mutex;
  GCond    cond;
  gboolean begun;
  gboolean open;
} Gate;

static gpointer
gate_job (NcStoreConnection  *conn,
          gpointer            data,
          GError            **error)
{
  Gate *gate = data;

  g_mutex_lock (&gate->mutex);
  gate->begun = TRUE;
  g_cond_broadcast (&gate->cond);
  while (!gate->open)
    g_cond_wait (&gate->cond, &gate->mutex);
  g_mutex_unlock (&gate->mutex);
  return GINT_TO_POINTER (TRUE);
}

static void
gate_open (Gate *gate)
{
  g_mutex_lock (&gate->mutex);
  gate->open = TRUE;
  g_cond_broadcast (&gate->cond);
  g_mutex_unlock (&gate->mutex);
}

static void
gate_wait_begun (Gate *gate)
{
  g_mutex_lock (&gate->mutex);
  while (!gate->begun)
    g_cond_wait (&gate->cond, &gate->mutex);
  g_mutex_unlock (&gate->mutex);
}

/* What an event's job sees of the import: its clients written (and committed) so far. */
static gpointer
count_imported_job (NcStoreConnection  *conn,
                    gpointer            data,
                    GError            **error)
{
  NcStoreStmt *stmt = nc_store_prepare (conn, "SELECT count(*) FROM clients "
                                        "WHERE import_id IS NOT NULL", error);
  gint64 count;

  if (stmt == NULL || nc_store_step (stmt, error) != NC_STORE_STEP_ROW)
    return NULL;
  count = nc_store_column_int64 (stmt, 0);
  nc_store_reset (stmt);
  /* One more, so that none is not NULL (a failure). */
  return GSIZE_TO_POINTER ((gsize) count + 1);
}

/* Whether the writer sees a job other than light ones waiting behind this one. */
static gpointer
others_waiting_job (NcStoreConnection  *conn,
                    gpointer            data,
                    GError            **error)
{
  return GINT_TO_POINTER (nc_store_others_waiting (conn) ? 2 : 1);
}

#define YIELD_CHUNK 5000

/* A long chunk stops for a job that comes while it runs (once it has had a few
 * milliseconds), and the import goes on after it, whole. The writer is held by a job in
 * the chunk's own batch, so that the event is certain to come while the chunk runs. */
static void
test_import_chunk_yields_to_event (Fixture       *fixture,
                                   gconstpointer  data)
{
  g_autoptr(NcStoreImport) import = NULL;
  g_autoptr(GPtrArray) chunk = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  Gate first = { 0 }, beside = { 0 };
  NcStoreJob *holding, *light, *event;
  gsize seen;
  guint count = 0;

  SKIP_IF_NO_STORE (fixture);

  import = nc_store_import_begin_sync (fixture->store, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < YIELD_CHUNK; i++)
    {
      g_autofree char *name = g_strdup_printf ("Yielding %u", i);

      g_ptr_array_add (chunk, draft (name, NC_CHANNEL_TELEPHONY, NULL, "note", "a value", NULL));
    }

  /* The writer waits in the first job while a light job and the chunk are queued: the
   * two go into one batch, and the light one holds it until the event is queued. */
  holding = nc_store_job_new (gate_job, &first, NULL, NULL);
  g_assert_true (nc_store_submit_start (fixture->store, holding, &error));
  light = nc_store_job_new (gate_job, &beside, NULL, NULL);
  nc_store_job_set_light (light);
  g_assert_true (nc_store_submit_start (fixture->store, light, &error));
  g_assert_true (nc_store_import_add_sync (import, g_steal_pointer (&chunk), &error));
  gate_open (&first);
  gate_wait_begun (&beside);
  event = nc_store_job_new (count_imported_job, NULL, NULL, NULL);
  g_assert_true (nc_store_submit_start (fixture->store, event, &error));
  gate_open (&beside);

  seen = GPOINTER_TO_SIZE (nc_store_job_wait (event, &error));
  g_assert_no_error (error);
  g_assert_nonnull (nc_store_job_wait (holding, &error));
  g_assert_nonnull (nc_store_job_wait (light, &error));
  /* The event ran after a part of the chunk, not after all of it. */
  g_assert_cmpuint (seen - 1, >, 0);
  g_assert_cmpuint (seen - 1, <, YIELD_CHUNK);

  g_assert_true (nc_store_import_finish_sync (import, &count, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count, ==, YIELD_CHUNK);
  /* Every job that waited has run: nothing is counted as waiting any more, or every later
   * chunk would stop after its first slice. */
  light = nc_store_job_new (others_waiting_job, NULL, NULL, NULL);
  nc_store_job_set_light (light);
  g_assert_true (nc_store_submit_start (fixture->store, light, &error));
  g_assert_cmpint (GPOINTER_TO_INT (nc_store_job_wait (light, &error)), ==, 1);
  g_assert_cmpint (sql_int (where (fixture), "SELECT count(*) FROM clients WHERE name LIKE "
                            "'Yielding %' AND import_id IS NOT NULL"), ==, YIELD_CHUNK);
  g_assert_cmpint (sql_int (where (fixture), "SELECT count(DISTINCT name) FROM clients"),
                   ==, YIELD_CHUNK);
  /* The first and the last, written by different jobs, are both found. */
  g_assert_cmpuint (search_count (fixture->store, "Yielding 0"), ==, 1);
  g_assert_cmpuint (search_count (fixture->store, "Yielding 4999"), ==, 1);
  g_mutex_clear (&first.mutex);
  g_cond_clear (&first.cond);
  g_mutex_clear (&beside.mutex);
  g_cond_clear (&beside.cond);
}

static GPtrArray *
small_chunk (guint c)
{
  GPtrArray *chunk = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *name = g_strdup_printf ("Chunk %u-%u", c, i);

      g_ptr_array_add (chunk, draft (name, NC_CHANNEL_TELEPHONY, NULL, NULL));
    }
  return chunk;
}

/* A command-line import sees that another process (`listen`) wrote to the database
 * between two chunks, and then keeps its chunks short; alone, it does not. */
static void
test_import_sees_other_writers (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(NcStoreImport) import = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = NULL;
  sqlite3 *db = NULL;
  guint c = 0;

  SKIP_IF_NO_STORE (fixture);

  import = nc_store_import_begin_sync (fixture->store, &error);
  g_assert_no_error (error);
  /* Each add waits for the chunk before. */
  for (; c < 3; c++)
    g_assert_true (nc_store_import_add_sync (import, small_chunk (c), &error));
  g_assert_false (nc_store_import_others_writing (import));

  /* Another connection to the file, as `listen` would have, commits. */
  g_assert_cmpint (sqlite3_open_v2 (nc_store_get_path (fixture->store), &db,
                                    SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO meta (name, value) VALUES ('other', 'x')",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  /* The chunk after that write sees it; the one after that is waited for here. */
  for (; c < 5; c++)
    g_assert_true (nc_store_import_add_sync (import, small_chunk (c), &error));
  g_assert_no_error (error);
  g_assert_true (nc_store_import_others_writing (import));
  g_assert_true (nc_store_import_finish_sync (import, NULL, &error));
  g_assert_no_error (error);
}

static gint64
file_size (const char *path)
{
  GStatBuf st;

  return g_stat (path, &st) == 0 ? (gint64) st.st_size : 0;
}

/* The WAL is copied into the database file while the store writes (by a thread of its own,
 * not inside the writer's COMMIT): an import of many chunks leaves its pages in the
 * database file and the WAL about the size of one checkpoint, never all it wrote. */
static void
test_wal_copied_while_writing (Fixture       *fixture,
                               gconstpointer  data)
{
  const char *path = nc_store_get_path (fixture->store);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autoptr(NcStoreImport) import = NULL;
  g_autoptr(GError) error = NULL;
  gint64 wal_max = 0, written;

  import = nc_store_import_begin_sync (fixture->store, &error);
  g_assert_no_error (error);
  for (guint c = 0; c < 100; c++)
    {
      g_autofree char *prefix = g_strdup_printf ("Chunk %u client", c);

      g_assert_true (nc_store_import_add_sync (import, drafts_of (500, prefix), &error));
      g_assert_no_error (error);
      wal_max = MAX (wal_max, file_size (wal));
    }
  g_assert_true (nc_store_import_finish_sync (import, NULL, &error));
  g_assert_no_error (error);

  /* The WAL is copied from 1 000 pages (4 MB) on, beside the writes, which go on
   * meanwhile, and starts over by 4 000 (16 MB) and a chunk or two; without a copy, it would
   * hold every page written. */
  written = file_size (path) + file_size (wal);
  g_test_message ("database %" G_GINT64_FORMAT " bytes, WAL at most %" G_GINT64_FORMAT,
                  file_size (path), wal_max);
  g_assert_cmpint (written, >, 40 * 1024 * 1024);
  g_assert_cmpint (wal_max, <, 32 * 1024 * 1024);
  g_assert_cmpint (file_size (path), >, written / 2);
}

/* Whether SQLite's search index has parts to merge (FTS5's 'merge' then does some). */
static gboolean
search_merge_pending (const char *path)
{
  sqlite3 *db = NULL;
  sqlite3_int64 before;
  gboolean pending;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  before = sqlite3_total_changes64 (db);
  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO client_search (client_search, rank) "
                                 "VALUES ('merge', 64)", NULL, NULL, NULL), ==, SQLITE_OK);
  pending = sqlite3_total_changes64 (db) - before >= 2;
  sqlite3_close (db);
  return pending;
}

/* While an import writes, SQLite's search index merges its parts only when the import
 * says (a step at a time between its chunks), never inside a COMMIT by itself; once no
 * import writes, by itself again. The parts an import of many chunks leaves are merged. */
static void
test_import_merges_search_itself (Fixture       *fixture,
                                  gconstpointer  data)
{
  const char *path = nc_store_get_path (fixture->store);
  const char *automerge = "SELECT v FROM client_search_config WHERE k = 'automerge'";
  g_autoptr(GError) error = NULL;
  NcStoreImport *first, *second, *undone;
  int parts;

  first = nc_store_import_begin_sync (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_true (nc_store_import_add_sync (first, drafts_of (10, "First"), &error));
  g_assert_cmpint (sql_int (path, automerge), ==, 0);
  second = nc_store_import_begin_sync (fixture->store, &error);
  g_assert_no_error (error);
  for (guint c = 0; c < 60; c++)
    {
      g_autofree char *prefix = g_strdup_printf ("Chunk %u client", c);

      g_assert_true (nc_store_import_add_sync (second, drafts_of (300, prefix), &error));
      g_assert_no_error (error);
    }
  /* The first's end leaves the second still writing. */
  g_assert_true (nc_store_import_finish_sync (first, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sql_int (path, automerge), ==, 0);
  g_assert_true (nc_store_import_finish_sync (second, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sql_int (path, automerge), ==, 4);

  /* Each chunk wrote a part of its own (61 of them, and more for a chunk in slices), and
   * the import merged them as SQLite would have: a merge now finds nothing to do. */
  parts = sql_int (path, "SELECT count (DISTINCT segid) FROM client_search_idx");
  g_test_message ("%d parts of the search index after 61 chunks", parts);
  g_assert_false (search_merge_pending (path));
  g_assert_cmpuint (search_count (fixture->store, "Chunk 59 client 299"), ==, 1);
  g_assert_cmpuint (search_count (fixture->store, "First 9,"), ==, 1);
  nc_store_import_free (first);
  nc_store_import_free (second);

  /* An import undone gives the merging back too. */
  undone = nc_store_import_begin_sync (fixture->store, &error);
  g_assert_true (nc_store_import_add_sync (undone, drafts_of (10, "Undone"), &error));
  g_assert_cmpint (sql_int (path, automerge), ==, 0);
  nc_store_import_free (undone);
  g_assert_cmpint (sql_int (path, automerge), ==, 4);
  g_assert_cmpuint (search_count (fixture->store, "Undone"), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/store/" path, Fixture, "sqlite", nc_test_store_set_up, func, nc_test_store_tear_down)
#define ADD_BOTH(path, func) \
  g_test_add ("/store/sqlite/" path, Fixture, "sqlite", nc_test_store_set_up, func, \
              nc_test_store_tear_down); \
  g_test_add ("/store/postgresql/" path, Fixture, "postgresql", nc_test_store_set_up, func, \
              nc_test_store_tear_down)
  ADD ("open-creates-wal-database", test_open_creates_wal_database);
  ADD_BOTH ("clients-round-trip", test_clients_round_trip);
  ADD_BOTH ("search", test_search);
  ADD ("locked-database", test_locked_database);
  ADD_BOTH ("add-clients-all-or-nothing", test_add_clients_all_or_nothing);
  ADD_BOTH ("import-hidden-until-finished", test_import_hidden_until_finished);
  ADD_BOTH ("import-undone-whole", test_import_undone_whole);
  ADD_BOTH ("import-lets-events-through", test_import_lets_events_through);
  ADD_BOTH ("call-events-deduplicated", test_call_events_deduplicated);
  ADD_BOTH ("budget-shared", test_budget_shared);
  ADD_BOTH ("employees-and-messengers", test_employees_and_messengers);
  ADD_BOTH ("employees-and-messengers-async", test_employees_and_messengers_async);
  ADD_BOTH ("changed-after-commit", test_changed_after_commit);
  ADD ("changed-once-per-batch", test_changed_once_per_batch);
  ADD ("cancelled-import-beside-events", test_cancelled_import_beside_events);
  ADD_BOTH ("import-chunk-yields-to-event", test_import_chunk_yields_to_event);
  ADD ("import-sees-other-writers", test_import_sees_other_writers);
  ADD ("wal-copied-while-writing", test_wal_copied_while_writing);
  ADD ("import-merges-search-itself", test_import_merges_search_itself);
#undef ADD
#undef ADD_BOTH
  g_test_add_func ("/store/upgrade-from-version-1", test_upgrade_from_version_1);
  g_test_add_func ("/store/newer-version-refused-untouched", test_newer_version_refused_untouched);
  g_test_add_func ("/store/corrupt-file-refused-untouched", test_corrupt_file_refused_untouched);
  g_test_add_func ("/store/disk-full", test_disk_full);
  g_test_add_func ("/store/changed-on-opening-context", test_changed_on_opening_context);

  return nc_test_run ();
}
