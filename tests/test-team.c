/* test-team.c — the team's figures of a day, on both backends; their export
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <sqlite3.h>
#include <sys/stat.h>
#include <libpq-fe.h>
#include <glib/gstdio.h>

#include "nc-team-figures.h"
#include "nc-test-util.h"

typedef NcTestStore Fixture;

/* The PBX's clock of the test day: the events arrive at these seconds, by ours. */
static gint64
at (const char *pbx_time)
{
  return nc_call_parse_pbx_time (pbx_time) * G_USEC_PER_SEC;
}

static void
event (NcStore    *store,
       const char *type,
       gint64      received_us,
       GHashTable *fields)
{
  g_autoptr(GHashTable) owned = fields;

  g_assert_true (nc_test_store_event (store, type, owned, received_us));
}

/* An incoming call to @extension: answered after @wait seconds and talked @talk, or
 * missed when @wait is negative. */
static void
incoming (NcStore    *store,
          const char *id,
          const char *start,
          const char *number,
          const char *extension,
          int         wait,
          guint       talk)
{
  gint64 t = at (start);
  g_autofree char *duration = g_strdup_printf ("%u", wait >= 0 ? talk : 0);

  event (store, "NOTIFY_START", t,
         nc_test_fields ("pbx_call_id", id, "call_start", start, "caller_id", number,
                         "called_did", "79500000033", NULL));
  event (store, "NOTIFY_INTERNAL", t + 1,
         nc_test_fields ("pbx_call_id", id, "call_start", start, "caller_id", number,
                         "called_did", "79500000033", "internal", extension, NULL));
  if (wait >= 0)
    event (store, "NOTIFY_ANSWER", t + wait * G_USEC_PER_SEC,
           nc_test_fields ("pbx_call_id", id, "call_start", start, "caller_id", number,
                           "destination", extension, NULL));
  event (store, "NOTIFY_END", t + ((wait >= 0 ? wait : 20) + talk) * G_USEC_PER_SEC,
         nc_test_fields ("pbx_call_id", id, "call_start", start, "caller_id", number,
                         "called_did", "79500000033", "internal", extension,
                         "duration", duration,
                         "disposition", wait >= 0 ? "answered" : "no answer",
                         "status_code", "16", "is_recorded", "0", NULL));
}

static void
outgoing (NcStore    *store,
          const char *id,
          const char *start,
          const char *number,
          const char *extension,
          guint       talk)
{
  gint64 t = at (start);
  g_autofree char *duration = g_strdup_printf ("%u", talk);

  event (store, "NOTIFY_OUT_START", t,
         nc_test_fields ("pbx_call_id", id, "call_start", start, "destination", number,
                         "caller_id", "79500000033", "internal", extension, NULL));
  event (store, "NOTIFY_OUT_END", t + (5 + talk) * G_USEC_PER_SEC,
         nc_test_fields ("pbx_call_id", id, "call_start", start, "destination", number,
                         "caller_id", "79500000033", "internal", extension,
                         "duration", duration, "disposition", talk > 0 ? "answered" : "no answer",
                         "status_code", "16", "is_recorded", "0", NULL));
}

/* A day of three employees, with a call on each side of it. */
static void
fill_day (NcStore *store)
{
  incoming (store, "c1", "2026-12-01 10:00:00", "79001110001", "101", 10, 60);
  incoming (store, "c2", "2026-12-01 10:05:00", "79001110002", "101", 20, 120);
  incoming (store, "c3", "2026-12-01 11:00:00", "79001110003", "102", -1, 0);
  incoming (store, "c4", "2026-12-01 11:10:00", "79001110004", "102", -1, 0);
  /* c4's client is called back and answers: c4 is no longer to call back. */
  outgoing (store, "c5", "2026-12-01 11:30:00", "79001110004", "102", 30);
  /* c3's client calls again and is missed again: one number to call back. */
  incoming (store, "c6", "2026-12-01 12:00:00", "79001110003", "101", -1, 0);
  /* One employee calls another: an internal call, in no figure. */
  outgoing (store, "c7", "2026-12-01 13:00:00", "102", "101", 40);
  /* Begins before midnight, ends after: the day it began. */
  incoming (store, "c8", "2026-12-01 23:59:50", "79001110008", "103", 5, 100);
  incoming (store, "c9", "2026-12-02 00:00:10", "79001110009", "101", -1, 0);
  incoming (store, "c0", "2026-11-30 23:59:59", "79001110000", "101", -1, 0);
}

static const NcTeamFigures *
find (GPtrArray  *all,
      const char *employee)
{
  for (guint i = 0; i < all->len; i++)
    if (g_strcmp0 (((NcTeamFigures *) all->pdata[i])->employee, employee) == 0)
      return all->pdata[i];
  return NULL;
}

static void
assert_figures (const NcTeamFigures *f,
                guint in, guint out, guint answered, guint missed,
                gint64 wait, gint64 talk, guint back)
{
  g_assert_nonnull (f);
  g_assert_cmpuint (f->calls_in, ==, in);
  g_assert_cmpuint (f->calls_out, ==, out);
  g_assert_cmpuint (f->answered, ==, answered);
  g_assert_cmpuint (f->missed, ==, missed);
  g_assert_cmpint (nc_team_figures_get_average_wait (f), ==, wait);
  g_assert_cmpint (nc_team_figures_get_average_talk (f), ==, talk);
  g_assert_cmpuint (f->not_called_back, ==, back);
}

static void
test_figures (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) day = NULL;
  g_autoptr(GPtrArray) next = NULL;
  g_autoptr(GPtrArray) empty = NULL;

  if (fixture->store == NULL)
    return;
  fill_day (fixture->store);

  day = nc_store_team_figures_sync (fixture->store, nc_team_day_parse ("2026-12-01"), &error);
  g_assert_no_error (error);
  /* The team, then 101, 102, 103: no row for the internal call's "102" as a client. */
  g_assert_cmpuint (day->len, ==, 4);
  g_assert_null (((NcTeamFigures *) day->pdata[0])->employee);
  assert_figures (find (day, "101"), 3, 0, 2, 1, 15, 90, 1);
  assert_figures (find (day, "102"), 2, 1, 0, 2, -1, 30, 1);
  assert_figures (find (day, "103"), 1, 0, 1, 0, 5, 100, 0);
  /* Waits 10, 20, 5; talks 60, 120, 30, 100; the number of c3 and c6 counts once. */
  assert_figures (day->pdata[0], 6, 1, 3, 3, 12, 78, 1);

  next = nc_store_team_figures_sync (fixture->store, nc_team_day_parse ("2026-12-02"), &error);
  g_assert_no_error (error);
  assert_figures (next->pdata[0], 1, 0, 0, 1, -1, -1, 1);
  assert_figures (find (next, "101"), 1, 0, 0, 1, -1, -1, 1);

  /* A day without a call has its team row, all nought. */
  empty = nc_store_team_figures_sync (fixture->store, nc_team_day_parse ("2026-10-01"), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (empty->len, ==, 1);
  assert_figures (empty->pdata[0], 0, 0, 0, 0, -1, -1, 0);
}

/* A callback answered later takes the missed call off what is to call back; a callback
 * not answered does not. */
static void
test_called_back_later (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 day = nc_team_day_parse ("2026-12-01");
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) unanswered = NULL;
  g_autoptr(GPtrArray) after = NULL;

  if (fixture->store == NULL)
    return;
  incoming (fixture->store, "m1", "2026-12-01 09:00:00", "79002220001", "101", -1, 0);
  before = nc_store_team_figures_sync (fixture->store, day, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (((NcTeamFigures *) before->pdata[0])->not_called_back, ==, 1);

  outgoing (fixture->store, "m2", "2026-12-01 09:10:00", "79002220001", "101", 0);
  unanswered = nc_store_team_figures_sync (fixture->store, day, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (((NcTeamFigures *) unanswered->pdata[0])->not_called_back, ==, 1);

  /* Answered the next day: still called back, as the board shows it now. */
  incoming (fixture->store, "m3", "2026-12-02 08:00:00", "79002220001", "102", 3, 20);
  after = nc_store_team_figures_sync (fixture->store, day, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (((NcTeamFigures *) after->pdata[0])->not_called_back, ==, 0);
  g_assert_cmpuint (((NcTeamFigures *) after->pdata[0])->missed, ==, 1);
}

/* What one desk stores, another desk's store counts. */
static void
test_other_desk (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NcStore) other = NULL;
  g_autoptr(GPtrArray) figures = NULL;

  if (fixture->store == NULL)
    return;
  other = nc_test_store_open_again (fixture);
  incoming (other, "d1", "2026-12-01 09:00:00", "79003330001", "101", 4, 10);
  figures = nc_store_team_figures_sync (fixture->store, nc_team_day_parse ("2026-12-01"), &error);
  g_assert_no_error (error);
  assert_figures (figures->pdata[0], 1, 0, 1, 0, 4, 10, 0);
  nc_store_close (other);
}

static void
test_export_csv (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NcEmployee) employee = nc_employee_new (0, "=HYPERLINK(\"x\")", "101", "79500000033",
                                                    NC_CALL_METHOD_DISABLED);
  g_autofree char *csv = NULL;
  g_auto(GStrv) lines = NULL;

  if (fixture->store == NULL)
    return;
  nc_store_save_employee_sync (fixture->store, employee, &error);
  g_assert_no_error (error);
  fill_day (fixture->store);

  csv = nc_team_export_sync (fixture->store, "2026-12-01", &error);
  g_assert_no_error (error);
  lines = g_strsplit (csv, "\r\n", -1);
  g_assert_cmpstr (lines[0], ==, "day,scope,employee,name,calls_in,calls_out,answered,missed,"
                                 "average_wait_seconds,average_talk_seconds,missed_not_called_back");
  g_assert_cmpstr (lines[1], ==, "2026-12-01,team,,,6,1,3,3,12,78,1");
  /* A name that a spreadsheet would run is a text. */
  g_assert_cmpstr (lines[2], ==, "2026-12-01,employee,101,\"'=HYPERLINK(\"\"x\"\")\",3,0,2,1,15,90,1");
  g_assert_cmpstr (lines[3], ==, "2026-12-01,employee,102,,2,1,0,2,,30,1");
  g_assert_cmpstr (lines[5], ==, "");

  g_assert_null (nc_team_export_sync (fixture->store, "2026-13-45", &error));
  g_assert_error (error, NC_STORE_ERROR, NC_STORE_ERROR_INVALID);
}

/* ------------------------------------------------------------------------------------ */

static void
test_cli_export (void)
{
  g_autofree char *dir = nc_test_make_temp_dir ();
  g_autofree char *file = g_build_filename (dir, "team.csv", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(NcStore) store = NULL;
  g_autoptr(GError) error = NULL;
  NcTestRun run;
  GStatBuf st;

  store = nc_store_open_sync (dir, &error);
  g_assert_no_error (error);
  fill_day (store);
  nc_store_close (store);

  run = nc_test_cli (dir, NULL, "team", "export", "--day", "2026-12-01", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_true (g_str_has_prefix (run.out, "day,scope,employee,"));
  g_assert_nonnull (strstr (run.out, "\r\n2026-12-01,team,,,6,1,3,3,12,78,1\r\n"));
  nc_test_run_clear (&run);

  /* A file: whole, and readable by its owner only, even over one that others could read. */
  g_assert_true (g_file_set_contents (file, "old", -1, NULL));
  g_assert_cmpint (g_chmod (file, 0644), ==, 0);
  run = nc_test_cli (dir, NULL, "team", "export", "--day", "2026-12-02", file, NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.err, "2026-12-02"));
  nc_test_run_clear (&run);
  g_assert_true (g_file_get_contents (file, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "\r\n2026-12-02,team,,,1,0,0,1,,,1\r\n"));
  g_assert_cmpint (g_stat (file, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  /* A day that is not one: said, and the old file is left as it was. */
  run = nc_test_cli (dir, NULL, "team", "export", "--day", "1 December", file, NULL);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "YYYY-MM-DD"));
  nc_test_run_clear (&run);
  g_clear_pointer (&contents, g_free);
  g_assert_true (g_file_get_contents (file, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "2026-12-02,team"));

  run = nc_test_cli (dir, NULL, "team", "import", NULL);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "team export"));
  nc_test_run_clear (&run);

  nc_test_remove_tree (dir);
}

/* A store of version 4 gets the index that "not called back" asks. */
static void
test_upgrade_from_version_4 (void)
{
  g_autofree char *dir = nc_test_make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, NC_STORE_FILE_NAME, NULL);
  g_autoptr(GError) error = NULL;
  NcStore *store;

  store = nc_store_open_sync (dir, &error);
  g_assert_no_error (error);
  nc_store_close (store);
  g_object_unref (store);
  nc_test_store_back_to_version_4 (path, NULL);

  store = nc_store_open_sync (dir, &error);
  g_assert_no_error (error);
  g_assert_cmpint (nc_store_get_found_version (store), ==, 4);
  g_assert_cmpint (nc_test_sql_int (path, "PRAGMA user_version"), ==, NC_STORE_SCHEMA_VERSION);
  g_assert_cmpint (nc_test_sql_int (path, "SELECT count(*) FROM sqlite_master "
                                          "WHERE name = 'calls_by_number'"), ==, 1);
  fill_day (store);
  nc_store_close (store);
  g_object_unref (store);
  nc_test_remove_tree (dir);
}

static void
test_upgrade_from_version_4_postgresql (void)
{
  g_autofree char *url = nc_test_pg_database_new ();
  g_autoptr(GError) error = NULL;
  NcStore *store;

  if (url == NULL)
    {
      g_test_skip ("no PostgreSQL test cluster (run under tests/harness/session-run)");
      return;
    }
  store = nc_store_open_database_sync (url, NULL, &error);
  g_assert_no_error (error);
  nc_store_close (store);
  g_object_unref (store);
  nc_test_store_back_to_version_4 (NULL, url);
  g_assert_cmpint (nc_test_pg_sql_int (url, "SELECT count(*) FROM pg_indexes "
                                            "WHERE indexname = 'calls_by_number'"), ==, 0);

  store = nc_store_open_database_sync (url, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (nc_store_get_found_version (store), ==, 4);
  g_assert_cmpint (nc_test_pg_sql_int (url, "SELECT MAX (version) FROM nc_schema"), ==,
                   NC_STORE_SCHEMA_VERSION);
  g_assert_cmpint (nc_test_pg_sql_int (url, "SELECT count(*) FROM pg_indexes "
                                            "WHERE indexname = 'calls_by_number'"), ==, 1);
  nc_store_close (store);
  nc_test_wait_for_last_reference (store);
  g_object_unref (store);
  nc_test_pg_database_drop (url);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/team/sqlite/" path, Fixture, "sqlite", nc_test_store_set_up, func, \
              nc_test_store_tear_down); \
  g_test_add ("/team/postgresql/" path, Fixture, "postgresql", nc_test_store_set_up, func, \
              nc_test_store_tear_down)
  ADD ("figures", test_figures);
  ADD ("called-back-later", test_called_back_later);
  ADD ("other-desk", test_other_desk);
  ADD ("export-csv", test_export_csv);
#undef ADD
  g_test_add_func ("/team/cli-export", test_cli_export);
  g_test_add_func ("/team/upgrade-from-version-4", test_upgrade_from_version_4);
  g_test_add_func ("/team/upgrade-from-version-4/postgresql", test_upgrade_from_version_4_postgresql);

  return nc_test_run ();
}
