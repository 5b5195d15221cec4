/* bench-team.c — the day's figures of the team at a million call rows (issue 16)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Fills a store of N calls (a year of them: ten employees, 200 000 numbers, a fifth of the
 * incoming calls missed) once, straight into its SQLite file with one INSERT … SELECT,
 * and keeps it in DIR for later runs. A copy of it lacks the index of version 5
 * (calls_by_number): "before". Then, in turns in the same process, the store's figures of
 * the last day on each copy, RUNS times: the median and the range of each, and their
 * ratio, measured side by side so that the load of a shared machine falls on both alike.
 *
 * Under tests/harness/session-run (NC_TEST_PG_HOST), the same on PostgreSQL: two databases
 * of the throw-away cluster, filled alike with one INSERT … SELECT FROM generate_series,
 * one without the index, and dropped at the end.
 *
 * Usage: bench-team [--calls N] [--runs R] --data-dir DIR
 */

#include "config.h"

#include <sqlite3.h>
#include <unistd.h>
#include <libpq-fe.h>
#include <gio/gio.h>

#include "bench-util.h"
#include "nc-store.h"
#include "nc-team-figures.h"

#define DAY (24 * 60 * 60)
#define FIRST_DAY "2025-12-02"
#define WEEK_AGO "2026-11-24"
#define LAST_DAY "2026-12-01"

static void
exec (const char *path,
      const char *sql)
{
  sqlite3 *db = NULL;
  char *message = NULL;

  if (sqlite3_open (path, &db) != SQLITE_OK ||
      sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", path, message != NULL ? message : sqlite3_errmsg (db));
  sqlite3_close (db);
}

static void
fill (const char *dir,
      guint       calls)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (dir, NC_STORE_FILE_NAME, NULL);
  g_autofree char *sql = NULL;
  NcStore *store;
  gint64 first = nc_team_day_parse (FIRST_DAY);

  g_mkdir_with_parents (dir, 0700);
  store = nc_store_open_sync (dir, &error);
  if (store == NULL)
    g_error ("%s", error->message);
  nc_store_close (store);
  g_object_unref (store);

  /* Every 3rd call is outgoing; of the rest, every 5th missed; the calls spread evenly
   * over 365 days; waits of 0–29 s, talks of 0–299 s. */
  sql = g_strdup_printf (
    "WITH RECURSIVE n (i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < %u), "
    "c (i, t, dir, ans) AS (SELECT i, %" G_GINT64_FORMAT " + i * %d / %u, "
    "  CASE WHEN i %% 3 = 0 THEN 1 ELSE 0 END, CASE WHEN i %% 5 = 0 THEN 0 ELSE 1 END FROM n) "
    "INSERT INTO calls (pbx_call_id, direction, state, answered, client_number, "
    "  virtual_number, employee, started_at, started_unix, first_seen_us, answered_seen_us, "
    "  ended_seen_us, last_event_us, duration, disposition, event_mask) "
    "SELECT 'bench-' || i, dir, 2, ans, printf ('7900%%07d', (i * 7919) %% 200000), "
    "  '79500000033', CAST (100 + i %% 10 AS TEXT), "
    "  strftime ('%%Y-%%m-%%d %%H:%%M:%%S', t, 'unixepoch'), t, t * 1000000, "
    "  CASE WHEN ans = 1 THEN (t + i %% 30) * 1000000 ELSE 0 END, (t + 400) * 1000000, "
    "  (t + 400) * 1000000, CASE WHEN ans = 1 THEN i %% 300 ELSE 0 END, "
    "  CASE WHEN ans = 1 THEN 'answered' ELSE 'no answer' END, 0 FROM c",
    calls, first, 365 * DAY, calls);
  exec (path, sql);
  exec (path, "ANALYZE");
}

static void
pg_exec (PGconn     *pg,
         const char *sql)
{
  PGresult *result = PQexec (pg, sql);

  if (PQresultStatus (result) != PGRES_COMMAND_OK && PQresultStatus (result) != PGRES_TUPLES_OK)
    g_error ("%s: %s", sql, PQresultErrorMessage (result));
  PQclear (result);
}

/* A database of the cluster with the schema and @calls calls, as fill() makes them. */
static NcStore *
pg_store (const char *host,
          const char *user,
          const char *name,
          guint       calls,
          gboolean    with_index)
{
  g_autofree char *admin = g_strdup_printf ("host=%s user=%s dbname=postgres", host, user);
  g_autofree char *url = g_strdup_printf ("postgresql:///%s?host=%s&user=%s", name, host, user);
  g_autofree char *conninfo = g_strdup_printf ("host=%s user=%s dbname=%s", host, user, name);
  g_autofree char *create = g_strdup_printf ("CREATE DATABASE %s", name);
  g_autofree char *sql = NULL;
  g_autoptr(GError) error = NULL;
  NcStore *store;
  PGconn *pg = PQconnectdb (admin);
  gint64 start = g_get_monotonic_time ();

  if (PQstatus (pg) != CONNECTION_OK)
    g_error ("%s", PQerrorMessage (pg));
  pg_exec (pg, create);
  PQfinish (pg);

  store = nc_store_open_database_sync (url, NULL, &error);
  if (store == NULL)
    g_error ("%s", error->message);
  sql = g_strdup_printf (
    "INSERT INTO calls (pbx_call_id, direction, state, answered, client_number, "
    "  virtual_number, employee, started_at, started_unix, first_seen_us, answered_seen_us, "
    "  ended_seen_us, last_event_us, duration, disposition, event_mask) "
    "SELECT 'bench-' || i, dir, 2, ans, '7900' || lpad (((i * 7919) %% 200000)::text, 7, '0'), "
    "  '79500000033', (100 + i %% 10)::text, "
    "  to_char (to_timestamp (t) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), t, t * 1000000, "
    "  CASE WHEN ans = 1 THEN (t + i %% 30) * 1000000 ELSE 0 END, (t + 400) * 1000000, "
    "  (t + 400) * 1000000, CASE WHEN ans = 1 THEN i %% 300 ELSE 0 END, "
    "  CASE WHEN ans = 1 THEN 'answered' ELSE 'no answer' END, 0 "
    "FROM (SELECT i, %" G_GINT64_FORMAT " + i * %d / %u AS t, "
    "  CASE WHEN i %% 3 = 0 THEN 1 ELSE 0 END AS dir, "
    "  CASE WHEN i %% 5 = 0 THEN 0 ELSE 1 END AS ans "
    "  FROM generate_series (0::bigint, %u - 1) AS i) AS c",
    nc_team_day_parse (FIRST_DAY), 365 * DAY, calls, calls);
  pg = PQconnectdb (conninfo);
  if (PQstatus (pg) != CONNECTION_OK)
    g_error ("%s", PQerrorMessage (pg));
  pg_exec (pg, sql);
  if (!with_index)
    pg_exec (pg, "DROP INDEX calls_by_number");
  pg_exec (pg, "VACUUM ANALYZE calls");
  PQfinish (pg);
  g_printerr ("bench-team: filled %u calls into %s in %.1f s\n", calls, name,
              (g_get_monotonic_time () - start) / 1e6);
  return store;
}

static void
pg_drop (const char *host,
         const char *user,
         const char *name)
{
  g_autofree char *admin = g_strdup_printf ("host=%s user=%s dbname=postgres", host, user);
  g_autofree char *drop = g_strdup_printf ("DROP DATABASE %s WITH (FORCE)", name);
  PGconn *pg = PQconnectdb (admin);

  pg_exec (pg, drop);
  PQfinish (pg);
}

static double
figures_ms (NcStore    *store,
            const char *day,
            guint      *out_in)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) figures = NULL;
  gint64 start = g_get_monotonic_time ();

  figures = nc_store_team_figures_sync (store, nc_team_day_parse (day), &error);
  if (figures == NULL)
    g_error ("%s", error->message);
  *out_in = ((NcTeamFigures *) figures->pdata[0])->calls_in;
  return (g_get_monotonic_time () - start) / 1000.0;
}

/* The figures of @day on both stores, in turns, @runs times each. */
static void
compare (NcStore    *store_after,
         NcStore    *store_before,
         const char *backend,
         const char *day,
         const char *what,
         guint       calls,
         guint       runs)
{
  g_autofree double *after = g_new0 (double, runs);
  g_autofree double *before = g_new0 (double, runs);
  guint in_after = 0, in_before = 0;

  /* A first query on each warms its pages: both are measured from the page cache. */
  figures_ms (store_after, day, &in_after);
  figures_ms (store_before, day, &in_before);
  for (guint r = 0; r < runs; r++)
    {
      after[r] = figures_ms (store_after, day, &in_after);
      before[r] = figures_ms (store_before, day, &in_before);
    }
  if (in_after != in_before)
    g_error ("The two stores count %u and %u calls in", in_after, in_before);
  qsort (after, runs, sizeof (double), nc_bench_compare_doubles);
  qsort (before, runs, sizeof (double), nc_bench_compare_doubles);

  g_print ("| %s%s (%s, %u calls in), %u calls in the store | %.1f ms (%.1f-%.1f) | "
           "%.1f ms (%.1f-%.1f) | %.3f |\n", backend, what, day, in_after, calls,
           before[runs / 2], before[0], before[runs - 1],
           after[runs / 2], after[0], after[runs - 1], after[runs / 2] / before[runs / 2]);
}

int
main (int   argc,
      char *argv[])
{
  guint calls = 1000000, runs = 7;
  g_autofree char *data_dir = NULL;
  g_autofree char *dir = NULL, *before_dir = NULL, *db = NULL, *before_db = NULL;
  g_autoptr(GError) error = NULL;
  NcStore *store_after, *store_before;
  GOptionEntry entries[] = {
    { "calls", 0, 0, G_OPTION_ARG_INT, &calls, "calls in the store", "N" },
    { "runs", 0, 0, G_OPTION_ARG_INT, &runs, "queries on each store", "R" },
    { "data-dir", 0, 0, G_OPTION_ARG_FILENAME, &data_dir, "where the stores are kept", "DIR" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— the team's figures at N calls");

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || data_dir == NULL || runs == 0)
    {
      g_printerr ("%s\n", error != NULL ? error->message : "--data-dir is needed");
      return 2;
    }

  dir = g_strdup_printf ("%s/team-%u", data_dir, calls);
  before_dir = g_strdup_printf ("%s/team-%u-before", data_dir, calls);
  db = g_build_filename (dir, NC_STORE_FILE_NAME, NULL);
  before_db = g_build_filename (before_dir, NC_STORE_FILE_NAME, NULL);
  if (!g_file_test (db, G_FILE_TEST_EXISTS))
    {
      gint64 start = g_get_monotonic_time ();

      nc_bench_remove_tree (before_dir);
      fill (dir, calls);
      g_printerr ("bench-team: filled %u calls in %.1f s\n", calls,
                  (g_get_monotonic_time () - start) / 1e6);
    }
  if (!g_file_test (before_db, G_FILE_TEST_EXISTS))
    {
      g_autoptr(GFile) from = g_file_new_for_path (db);
      g_autoptr(GFile) to = g_file_new_for_path (before_db);

      g_mkdir_with_parents (before_dir, 0700);
      if (!g_file_copy (from, to, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, &error))
        g_error ("%s", error->message);
      /* What the figures' queries had before version 5. */
      exec (before_db, "DROP INDEX calls_by_number; ANALYZE");
    }

  store_after = nc_store_open_sync (dir, &error);
  if (store_after == NULL)
    g_error ("%s", error->message);
  store_before = nc_store_open_sync (before_dir, &error);
  if (store_before == NULL)
    g_error ("%s", error->message);

  g_print ("| the day's figures, median of %u turns (min-max) | before: no calls_by_number | "
           "after: schema version 5 | after / before |\n", runs);
  g_print ("| --- | ---: | ---: | ---: |\n");
  compare (store_after, store_before, "SQLite: ", LAST_DAY, "today", calls, runs);
  compare (store_after, store_before, "SQLite: ", WEEK_AGO, "a day a week ago", calls, runs);
  /* Before version 5 a day long ago asks of each missed call every call since: minutes at a
   * million calls, so it is measured only on a small store. */
  if (calls <= 100000)
    compare (store_after, store_before, "SQLite: ", FIRST_DAY, "a day a year ago", calls, runs);

  if (g_getenv ("NC_TEST_PG_HOST") != NULL && g_getenv ("NC_TEST_PG_USER") != NULL)
    {
      const char *host = g_getenv ("NC_TEST_PG_HOST");
      const char *user = g_getenv ("NC_TEST_PG_USER");
      g_autofree char *after_name = g_strdup_printf ("bench_team_%d", (int) getpid ());
      g_autofree char *before_name = g_strdup_printf ("bench_team_%d_before", (int) getpid ());
      NcStore *pg_after = pg_store (host, user, after_name, calls, TRUE);
      NcStore *pg_before = pg_store (host, user, before_name, calls, FALSE);

      compare (pg_after, pg_before, "PostgreSQL 15: ", LAST_DAY, "today", calls, runs);
      compare (pg_after, pg_before, "PostgreSQL 15: ", WEEK_AGO, "a day a week ago", calls, runs);
      nc_store_close (pg_after);
      nc_store_close (pg_before);
      g_object_unref (pg_after);
      g_object_unref (pg_before);
      pg_drop (host, user, after_name);
      pg_drop (host, user, before_name);
    }
  else
    g_print ("| PostgreSQL | not measured: no cluster (run under tests/harness/session-run) | | | |\n");

  nc_store_close (store_after);
  nc_store_close (store_before);
  g_object_unref (store_after);
  g_object_unref (store_before);
  return 0;
}
