/* bench-office-ingest.c — `listen` on SQLite and on PostgreSQL, side by side, same load
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The real listener process of this build, `novofon-console listen`, once on a data folder
 * (the embedded SQLite store) and once on a database of the PostgreSQL cluster that
 * tests/harness/session-run starts for the run (NC_TEST_PG_HOST, NC_TEST_PG_USER: Unix
 * socket, fsync on). Each is loaded by the same generator, bench-ingest-load: CONNECTIONS
 * connections over loopback for SECONDS, every event a new call's NOTIFY_START, signed as
 * the PBX signs (with its fixed call_start: the listener's window is off, as in the tests).
 * Then the listener is stopped (SIGTERM) and what it stored is read through a connection of
 * its own: every event that was answered 200 must be in call_events exactly once, and its
 * call must have its row.
 *
 * Which events were answered 200: `listen` prints each event on its standard output once
 * its COMMIT is back, just before it answers (NcWebhookServer::event-received), so its
 * output names every event it acknowledged — and a few more, whose client was gone by
 * then. The generator's own count of 200s is the cross-check: the listener's list may not
 * be shorter.
 *
 * Where the cycles go, on a machine where the listener, the database server and the load
 * share the cores: the CPU time of the listener (from /proc), of the cluster's server
 * processes (the postmaster's children, from /proc: nothing but its idle upkeep in the
 * SQLite run) and of the generator (getrusage), per acknowledged event.
 *
 * Prints one Markdown row per store.
 *
 * Usage: bench-office-ingest SECONDS CONNECTIONS
 */

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sqlite3.h>
#include <libpq-fe.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "nc-store.h"
#include "bench-util.h"

/* bench-ingest-load's */
#define SECRET "c3e9a1b2d4f60718293a4b5c6d7e8f90"
#define TOKEN "bench-token-0123456789abcdef"
#define KEY "bench-key-0123456789"

typedef struct
{
  guint acknowledged;
  guint stored;
  guint lost;         /* answered 200, not in call_events */
  guint twice;        /* in call_events more than once */
  guint rowless;      /* answered 200, no row in calls */
} Check;

static char *bench_dir;

/* User + system time of process @pid so far, in µs (0 if it is gone). */
static gint64
cpu_of (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *stat = NULL;
  g_auto(GStrv) fields = NULL;
  const char *end;

  if (!g_file_get_contents (path, &stat, NULL, NULL) || (end = strrchr (stat, ')')) == NULL)
    return 0;
  /* After the command's ")": state is field 3; utime and stime are 14 and 15. */
  fields = g_strsplit (end + 2, " ", -1);
  if (g_strv_length (fields) < 13)
    return 0;
  return (g_ascii_strtoll (fields[11], NULL, 10) + g_ascii_strtoll (fields[12], NULL, 10)) *
         G_USEC_PER_SEC / sysconf (_SC_CLK_TCK);
}

/* The CPU time of the test cluster's server: the postmaster and its children. */
static gint64
cpu_of_cluster (void)
{
  const char *data = g_getenv ("NC_TEST_PG_DATA");
  g_autofree char *pid_file = data != NULL ? g_build_filename (data, "postmaster.pid", NULL) : NULL;
  g_autofree char *text = NULL;
  g_autoptr(GDir) proc = NULL;
  const char *name;
  int postmaster;
  gint64 total;

  if (pid_file == NULL || !g_file_get_contents (pid_file, &text, NULL, NULL))
    return 0;
  postmaster = atoi (text);
  total = cpu_of (postmaster);
  proc = g_dir_open ("/proc", 0, NULL);
  while (proc != NULL && (name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *stat = NULL;
      const char *end;

      if (!g_ascii_isdigit (*name))
        continue;
      path = g_strdup_printf ("/proc/%s/stat", name);
      if (g_file_get_contents (path, &stat, NULL, NULL) && (end = strrchr (stat, ')')) != NULL)
        {
          g_auto(GStrv) fields = g_strsplit (end + 2, " ", 3);

          /* Field 4, after the state: the parent. */
          if (g_strv_length (fields) >= 2 && atoi (fields[1]) == postmaster)
            total += cpu_of (atoi (name));
        }
    }
  return total;
}

static gint64
cpu_of_children (void)
{
  struct rusage usage;

  getrusage (RUSAGE_CHILDREN, &usage);
  return (gint64) usage.ru_utime.tv_sec * G_USEC_PER_SEC + usage.ru_utime.tv_usec +
         (gint64) usage.ru_stime.tv_sec * G_USEC_PER_SEC + usage.ru_stime.tv_usec;
}

static char *
build_path (const char *relative)
{
  return g_build_filename (bench_dir, "..", relative, NULL);
}

/* The rows of @sql's first column, from the SQLite file at @path or the database at @url. */
static GPtrArray *
column (const char *path,
        const char *url,
        const char *sql)
{
  GPtrArray *values = g_ptr_array_new_with_free_func (g_free);

  if (url != NULL)
    {
      PGconn *pg = PQconnectdb (url);
      PGresult *result;

      if (PQstatus (pg) != CONNECTION_OK)
        g_error ("%s: %s", url, PQerrorMessage (pg));
      result = PQexec (pg, sql);
      if (PQresultStatus (result) != PGRES_TUPLES_OK)
        g_error ("%s: %s", sql, PQresultErrorMessage (result));
      for (int r = 0; r < PQntuples (result); r++)
        g_ptr_array_add (values, g_strdup (PQgetvalue (result, r, 0)));
      PQclear (result);
      PQfinish (pg);
    }
  else
    {
      sqlite3 *db = NULL;
      sqlite3_stmt *stmt = NULL;

      if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
          sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
        g_error ("%s: %s", path, sqlite3_errmsg (db));
      while (sqlite3_step (stmt) == SQLITE_ROW)
        g_ptr_array_add (values, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
      sqlite3_finalize (stmt);
      sqlite3_close (db);
    }
  return values;
}

static void
check_store (const char *path,
             const char *url,
             const char *acknowledged_file,
             Check      *check)
{
  g_autoptr(GPtrArray) events = column (path, url, "SELECT fields FROM call_events");
  g_autoptr(GPtrArray) calls = column (path, url, "SELECT pbx_call_id FROM calls");
  g_autoptr(GHashTable) stored = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) rows = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < events->len; i++)
    {
      g_autoptr(GHashTable) fields = soup_form_decode (events->pdata[i]);
      const char *id = g_hash_table_lookup (fields, "pbx_call_id");

      if (id == NULL)
        continue;
      if (g_hash_table_contains (stored, id))
        check->twice++;
      else
        g_hash_table_add (stored, g_strdup (id));
    }
  check->stored = events->len;
  for (guint i = 0; i < calls->len; i++)
    g_hash_table_add (rows, calls->pdata[i]);

  /* "2026-11-23 10:15:03 NOTIFY_START in_bench_… anonymous → 74951234567" */
  if (!g_file_get_contents (acknowledged_file, &text, NULL, &error))
    g_error ("%s", error->message);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) words = g_strsplit (lines[i], " ", 5);
      const char *id = g_strv_length (words) >= 4 ? words[3] : NULL;

      if (id == NULL || !g_str_has_prefix (id, "in_bench_"))
        continue;
      check->acknowledged++;
      if (!g_hash_table_contains (stored, id))
        check->lost++;
      if (!g_hash_table_contains (rows, id))
        check->rowless++;
    }
}

/* Waits for `listen` to say where it listens (in @log); returns its port. */
static guint
wait_for_port (GSubprocess *listen,
               const char  *log)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      g_autofree char *said = NULL;
      const char *at;

      if (g_file_get_contents (log, &said, NULL, NULL) &&
          (at = strstr (said, "events at http://127.0.0.1:")) != NULL)
        return (guint) atoi (at + strlen ("events at http://127.0.0.1:"));
      if (g_subprocess_get_identifier (listen) == NULL)
        break;
      g_usleep (10 * 1000);
    }
  g_error ("listen did not announce its address; see %s", log);
  return 0;
}

/* A Markdown row of bench-ingest-load, split: label, events/s, p50, p99, non-200, … */
static char **
load_once (guint       port,
           const char *seconds,
           const char *connections,
           const char *label)
{
  g_autofree char *load = g_build_filename (bench_dir, "bench-ingest-load", NULL);
  g_autofree char *port_text = g_strdup_printf ("%u", port);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *row = NULL;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, load, port_text, seconds,
                              connections, label, NULL);
  if (process == NULL || !g_subprocess_communicate_utf8 (process, NULL, NULL, &row, NULL, &error))
    g_error ("bench-ingest-load: %s", error->message);
  if (!g_subprocess_get_successful (process))
    g_error ("bench-ingest-load failed");
  return g_strsplit (row, "|", -1);
}

static void
run_listener (const char *work,
              const char *name,
              const char *url,
              const char *label,
              const char *seconds,
              const char *connections)
{
  g_autofree char *program = build_path ("src/novofon-console");
  g_autofree char *dir = g_build_filename (work, name, NULL);
  g_autofree char *xdg = g_build_filename (work, name, "xdg", NULL);
  g_autofree char *log = g_strdup_printf ("%s/%s.log", work, name);
  g_autofree char *acknowledged = g_strdup_printf ("%s/%s.acknowledged", work, name);
  g_autofree char *path = g_build_filename (dir, NC_STORE_FILE_NAME, NULL);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GSubprocess) listen = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) row = NULL;
  Check check = { 0 };
  guint port;
  int pid;
  gint64 listen_cpu, cluster_cpu, load_cpu;
  double answered_200;

  g_mkdir_with_parents (xdg, 0700);
  g_subprocess_launcher_setenv (launcher, "NOVOFON_API_KEY", KEY, TRUE);
  g_subprocess_launcher_setenv (launcher, "NOVOFON_API_SECRET", SECRET, TRUE);
  g_subprocess_launcher_setenv (launcher, "NOVOFON_WEBHOOK_TOKEN", TOKEN, TRUE);
  /* No account behind it: nothing in this run asks the API. */
  g_subprocess_launcher_setenv (launcher, "NOVOFON_API_URL", "http://127.0.0.1:9", TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", xdg, TRUE);
  /* bench-ingest-load's call_start is a fixed day. */
  g_subprocess_launcher_setenv (launcher, "NOVOFON_WEBHOOK_EVENT_WINDOW", "0", TRUE);
  g_subprocess_launcher_set_stdout_file_path (launcher, acknowledged);
  g_subprocess_launcher_set_stderr_file_path (launcher, log);
  listen = g_subprocess_launcher_spawn (launcher, &error, program,
                                        url != NULL ? "--database" : "--data-dir",
                                        url != NULL ? url : dir, "listen", "--bind", "127.0.0.1",
                                        "--port", "0", NULL);
  if (listen == NULL)
    g_error ("%s", error->message);
  port = wait_for_port (listen, log);
  pid = atoi (g_subprocess_get_identifier (listen));

  listen_cpu = cpu_of (pid);
  cluster_cpu = cpu_of_cluster ();
  load_cpu = cpu_of_children ();
  row = load_once (port, seconds, connections, label);
  listen_cpu = cpu_of (pid) - listen_cpu;
  cluster_cpu = cpu_of_cluster () - cluster_cpu;
  load_cpu = cpu_of_children () - load_cpu;

  g_subprocess_send_signal (listen, SIGTERM);
  if (!g_subprocess_wait (listen, NULL, &error) || !g_subprocess_get_if_exited (listen) ||
      g_subprocess_get_exit_status (listen) != 0)
    g_error ("listen did not stop cleanly; see %s", log);

  check_store (path, url, acknowledged, &check);
  if (g_strv_length (row) < 6)
    g_error ("bench-ingest-load said nothing useful");
  /* Its rate is its count of answers over SECONDS, rounded; those not 200 are counted. */
  answered_200 = g_ascii_strtod (row[2], NULL) * g_ascii_strtod (seconds, NULL) -
                 g_ascii_strtod (row[5], NULL);
  if (check.acknowledged + g_ascii_strtod (seconds, NULL) < answered_200)
    g_error ("The generator had %.0f answers 200, the listener says it gave %u", answered_200,
             check.acknowledged);
  printf ("|%s|%s|%s|%s|%s| %u / %u | %u / %u / %u | %.0f / %.0f / %.0f µs |\n", row[1], row[2],
          row[3], row[4], row[5], check.acknowledged, check.stored, check.lost, check.twice,
          check.rowless, (double) listen_cpu / MAX (1, check.acknowledged),
          (double) cluster_cpu / MAX (1, check.acknowledged),
          (double) load_cpu / MAX (1, check.acknowledged));
  fflush (stdout);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *work = NULL;
  g_autoptr(GError) error = NULL;
  const char *host = g_getenv ("NC_TEST_PG_HOST");
  const char *user = g_getenv ("NC_TEST_PG_USER");

  if (argc != 3)
    {
      fprintf (stderr, "usage: %s SECONDS CONNECTIONS\n", argv[0]);
      return 2;
    }
  bench_dir = g_path_get_dirname (self);
  work = g_dir_make_tmp ("nc-office-ingest-XXXXXX", &error);
  if (work == NULL)
    g_error ("%s", error->message);

  run_listener (work, "sqlite", NULL,
                "`listen` on SQLite (the data folder; WAL, synchronous=FULL, group commit)",
                argv[1], argv[2]);

  if (host == NULL || user == NULL)
    printf ("| `listen` on PostgreSQL | not measured: no cluster (run under "
            "tests/harness/session-run) | | | | | |\n");
  else
    {
      g_autofree char *admin = g_strdup_printf ("host=%s user=%s dbname=postgres", host, user);
      g_autofree char *name = g_strdup_printf ("bench_ingest_%d", (int) getpid ());
      g_autofree char *url = g_strdup_printf ("postgresql:///%s?host=%s&user=%s", name, host,
                                              user);
      g_autofree char *create = g_strdup_printf ("CREATE DATABASE %s", name);
      g_autofree char *drop = g_strdup_printf ("DROP DATABASE %s WITH (FORCE)", name);
      PGconn *pg = PQconnectdb (admin);

      if (PQstatus (pg) != CONNECTION_OK)
        g_error ("%s", PQerrorMessage (pg));
      PQclear (PQexec (pg, create));
      /* The schema first, as an admin does (`database init`). */
      {
        g_autoptr(NcStore) store = nc_store_open_database_sync (url, NULL, &error);

        if (store == NULL)
          g_error ("%s", error->message);
        nc_store_close (store);
      }
      run_listener (work, "postgresql", url,
                    "`listen` on PostgreSQL 15 (Unix socket; fsync=on, synchronous_commit=on, "
                    "group commit)", argv[1], argv[2]);
      PQclear (PQexec (pg, drop));
      PQfinish (pg);
    }

  /* The stores, the logs and the acknowledged ids: nothing to keep. */
  nc_bench_remove_tree (work);
  g_free (bench_dir);
  return 0;
}
