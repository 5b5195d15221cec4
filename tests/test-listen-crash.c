/* test-listen-crash.c — `listen` killed with SIGKILL under load loses no acknowledged event
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A listen process takes signed events from 16 concurrent connections; once a few hundred
 * are acknowledged it is killed outright, mid-stream. A new listen process starts on the
 * same data, and stops cleanly on SIGTERM. Every event that got its 200 must be in the
 * store exactly once, and so must its call's row: the writer stores the event and merges it
 * into its call in one transaction, so a crash leaves neither an event without its call
 * nor a call without its event.
 *
 * The same on the office's PostgreSQL (the cluster of tests/harness/session-run; skipped
 * without one): `listen --database URL` killed mid-stream, a new one on the same database.
 * The guarantee is the same — the writer's transaction holds the event, its call's row and
 * the change log, and the 200 follows its COMMIT — but the COMMIT is the server's: a killed
 * client's open transaction is rolled back by the server when the connection drops.
 *
 * NC_CRASH_REPEAT runs each that many times over (build-aux/bench: 20), each on fresh data;
 * NC_CRASH_REPORT names a file to append a Markdown row of each one's totals to.
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <libsoup/soup.h>

#include "nc-call-event.h"
#include "nc-store.h"
#include "nc-test-util.h"

#define KEY "a1b2c3d4e5f6a7b8c9d0"
#define SECRET "c3e9a1b2d4f60718293a4b5c6d7e8f90"
#define TOKEN "crash-test-token-0123456789"
#define IN_FLIGHT 16
#define KILL_AFTER 300

typedef struct
{
  SoupSession *session;
  char        *url;
  GHashTable  *acknowledged;  /* pbx_call_id → TRUE */
  guint        sent;
  guint        in_flight;
  gboolean     stop;
} Load;

/* @url: the office database, or %NULL for the SQLite store in @dir. Returns once it says
 * where it listens. */
static NcTestListener *
start_listen (const char *dir,
              const char *url,
              guint       port)
{
  g_autofree char *port_text = g_strdup_printf ("%u", port);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  const char *const args[] = { url != NULL ? "--database" : "--data-dir",
                               url != NULL ? url : dir, "listen", "--bind", "127.0.0.1",
                               "--port", port_text, NULL };

  g_subprocess_launcher_setenv (launcher, "NOVOFON_API_KEY", KEY, TRUE);
  g_subprocess_launcher_setenv (launcher, "NOVOFON_API_SECRET", SECRET, TRUE);
  g_subprocess_launcher_setenv (launcher, "NOVOFON_WEBHOOK_TOKEN", TOKEN, TRUE);
  g_subprocess_launcher_setenv (launcher, "NOVOFON_API_URL", "http://127.0.0.1:9", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "G_DEBUG");
  /* On the database, whatever the process keeps of its own goes in this run's folder. */
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", dir, TRUE);
  return nc_test_listener_start (launcher, args);
}

static void send_one (Load *load);

static void
answered (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Load *load = g_object_get_data (source, "nc-load");
  char *pbx_call_id = user_data;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);

  load->in_flight--;
  if (body != NULL &&
      soup_message_get_status (soup_session_get_async_result_message (SOUP_SESSION (source),
                                                                      result)) == 200)
    g_hash_table_add (load->acknowledged, pbx_call_id);
  else
    g_free (pbx_call_id);

  if (!load->stop)
    send_one (load);
}

static void
send_one (Load *load)
{
  g_autoptr(GHashTable) fields = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *signature = NULL;
  char *body;
  char *pbx_call_id = g_strdup_printf ("in_crash_%u", load->sent++);

  g_hash_table_insert (fields, (gpointer) "event", g_strdup ("NOTIFY_START"));
  g_hash_table_insert (fields, (gpointer) "call_start", g_strdup ("2026-11-23 10:15:03"));
  g_hash_table_insert (fields, (gpointer) "pbx_call_id", g_strdup (pbx_call_id));
  g_hash_table_insert (fields, (gpointer) "caller_id", g_strdup ("anonymous"));
  g_hash_table_insert (fields, (gpointer) "called_did", g_strdup ("74951234567"));
  signature = nc_call_event_sign (SECRET, fields);
  body = soup_form_encode_hash (fields);
  bytes = g_bytes_new_take (body, strlen (body));

  message = soup_message_new ("POST", load->url);
  soup_message_set_request_body_from_bytes (message, "application/x-www-form-urlencoded", bytes);
  soup_message_headers_replace (soup_message_get_request_headers (message), "Signature",
                                signature);
  load->in_flight++;
  soup_session_send_and_read_async (load->session, message, G_PRIORITY_DEFAULT, NULL, answered,
                                    pbx_call_id);
}

typedef struct
{
  guint sent;
  guint acknowledged;
  guint stored;
} Round;

/* What is committed, through a connection of its own: the SQLite file in @dir, or @url. */
static GPtrArray *
rows_of (const char *path,
         const char *url,
         const char *sql)
{
  return url != NULL ? nc_test_pg_sql_rows (url, sql) : nc_test_sql_rows (path, sql);
}

/* @url: a fresh database of the test cluster, or %NULL for SQLite */
static void
crash_once (Round      *round,
            const char *url)
{
  g_autofree char *dir = nc_test_make_temp_dir ();
  guint port = nc_test_free_port ();
  NcTestListener *first = start_listen (dir, url, port);
  g_autoptr(NcStore) store = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GPtrArray) calls = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  GHashTableIter iter;
  gpointer key;
  Load load = { 0 };
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  load.session = soup_session_new_with_options ("timeout", 10, "max-conns", IN_FLIGHT,
                                                "max-conns-per-host", IN_FLIGHT, NULL);
  soup_session_set_proxy_resolver (load.session, NULL);
  g_object_set_data (G_OBJECT (load.session), "nc-load", &load);
  load.url = g_strdup_printf ("http://127.0.0.1:%u/zadarma_webhook/" TOKEN, port);
  load.acknowledged = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < IN_FLIGHT; i++)
    send_one (&load);
  while (g_hash_table_size (load.acknowledged) < KILL_AFTER && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (g_hash_table_size (load.acknowledged), >=, KILL_AFTER);

  /* Mid-stream, with requests in flight. */
  nc_test_listener_kill (first);
  load.stop = TRUE;
  while (load.in_flight > 0)
    g_main_context_iteration (NULL, TRUE);
  g_test_message ("%u sent, %u acknowledged before the kill", load.sent,
                  g_hash_table_size (load.acknowledged));

  /* A new process on the same data starts and stops cleanly. */
  g_assert_cmpint (nc_test_listener_stop (start_listen (dir, url, port), NULL, NULL), ==, 0);

  /* The store opens on what the crash left (and upgrades nothing); what is on disk is read
   * through a connection of its own. */
  store = url != NULL ? nc_store_open_database_sync (url, NULL, &error)
                      : nc_store_open_sync (dir, &error);
  g_assert_no_error (error);
  path = g_strdup (nc_store_get_path (store));
  events = rows_of (path, url, "SELECT event_type, fields FROM call_events ORDER BY id");
  for (guint i = 0; i < events->len; i++)
    {
      GPtrArray *event = events->pdata[i];
      g_autoptr(GHashTable) fields = soup_form_decode (event->pdata[1]);
      const char *id = g_hash_table_lookup (fields, "pbx_call_id");

      g_assert_cmpstr (event->pdata[0], ==, "NOTIFY_START");
      /* Exactly once: no event is stored twice. */
      g_assert_nonnull (id);
      g_assert_false (g_hash_table_contains (seen, id));
      g_hash_table_add (seen, g_strdup (id));
    }

  /* One row per call, made of its event: ringing, from the event's fields. */
  calls = rows_of (path, url,
                   "SELECT pbx_call_id, state, direction, started_at, client_number, "
                   "virtual_number, event_mask FROM calls ORDER BY id");
  for (guint i = 0; i < calls->len; i++)
    {
      GPtrArray *call = calls->pdata[i];
      g_autofree char *mask = g_strdup_printf ("%u", 1u << NC_EVENT_START);

      g_assert_false (g_hash_table_contains (rows, call->pdata[0]));
      g_hash_table_add (rows, g_strdup (call->pdata[0]));
      /* No row without its event. */
      g_assert_true (g_hash_table_contains (seen, call->pdata[0]));
      g_assert_cmpstr (call->pdata[1], ==, "0");   /* NC_CALL_STATE_RINGING */
      g_assert_cmpstr (call->pdata[2], ==, "0");   /* NC_CALL_DIRECTION_IN */
      g_assert_cmpstr (call->pdata[3], ==, "2026-11-23 10:15:03");
      g_assert_cmpstr (call->pdata[4], ==, "anonymous");
      g_assert_cmpstr (call->pdata[5], ==, "74951234567");
      g_assert_cmpstr (call->pdata[6], ==, mask);
    }
  /* No event without its row. */
  g_assert_cmpuint (calls->len, ==, events->len);

  g_hash_table_iter_init (&iter, load.acknowledged);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      if (!g_hash_table_contains (seen, key))
        g_error ("Event %s was acknowledged but is not stored", (char *) key);
      if (!g_hash_table_contains (rows, key))
        g_error ("Event %s was acknowledged but its call has no row", (char *) key);
    }
  round->sent = load.sent;
  round->acknowledged = g_hash_table_size (load.acknowledged);
  round->stored = events->len;

  g_clear_object (&load.session);
  /* A connection attempt to the killed listener may still be on its way: let it finish
   * on this main context before the process ends. */
  {
    gint64 settle = g_get_monotonic_time () + 300 * 1000;

    while (g_get_monotonic_time () < settle)
      g_main_context_iteration (NULL, FALSE);
  }
  g_hash_table_unref (load.acknowledged);
  g_free (load.url);
  if (url != NULL)
    nc_store_close (store);
  nc_test_wait_for_last_reference (store);
  g_clear_object (&store);
  nc_test_remove_tree (dir);
}

/* @on_database: a fresh database of the test cluster for each round, else SQLite */
static void
sigkill_under_load (gboolean    on_database,
                    const char *label)
{
  const char *repeat_text = g_getenv ("NC_CRASH_REPEAT");
  const char *report_path = g_getenv ("NC_CRASH_REPORT");
  guint repeat = repeat_text != NULL ? (guint) MAX (1, atoi (repeat_text)) : 1;
  Round total = { 0 };

  for (guint i = 0; i < repeat; i++)
    {
      Round round = { 0 };
      g_autofree char *url = on_database ? nc_test_pg_database_new () : NULL;

      if (on_database && url == NULL)
        {
          g_test_skip ("no PostgreSQL test cluster (run under tests/harness/session-run)");
          return;
        }
      crash_once (&round, url);
      nc_test_pg_database_drop (url);
      g_test_message ("round %u of %u: %u sent, %u acknowledged before the kill, %u stored",
                      i + 1, repeat, round.sent, round.acknowledged, round.stored);
      total.sent += round.sent;
      total.acknowledged += round.acknowledged;
      total.stored += round.stored;
    }

  if (report_path != NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GFile) file = g_file_new_for_path (report_path);
      g_autoptr(GFileOutputStream) out = g_file_append_to (file, G_FILE_CREATE_NONE, NULL,
                                                           &error);
      g_autofree char *row = g_strdup_printf ("| %s: %u times | %u sent, %u acknowledged, %u "
                                              "stored; 0 lost, 0 twice |\n", label, repeat,
                                              total.sent, total.acknowledged, total.stored);

      g_assert_no_error (error);
      if (!g_output_stream_write_all (G_OUTPUT_STREAM (out), row, strlen (row), NULL, NULL,
                                      &error))
        g_error ("%s", error->message);
    }
}

static void
test_sigkill_under_load (void)
{
  sigkill_under_load (FALSE, "listen killed with SIGKILL under load (16 connections), "
                             "restarted");
}

static void
test_sigkill_under_load_on_database (void)
{
  sigkill_under_load (TRUE, "the same, on PostgreSQL (`listen --database`)");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/listen/sigkill-under-load", test_sigkill_under_load);
  g_test_add_func ("/listen/sigkill-under-load-on-database", test_sigkill_under_load_on_database);

  return nc_test_run ();
}
