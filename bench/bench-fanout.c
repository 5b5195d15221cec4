/* bench-fanout.c — one listener, ten consoles on one PostgreSQL: from the 200 to each model
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An office as it runs: one `novofon-console --database URL listen` process, and SESSIONS
 * consoles, each an NcSession of its own (nc_session_new_full (dir, url, settings,
 * NC_SESSION_CALLS): its own store, hence its own writer, reader and LISTEN connections),
 * with a journal (NcJournal) over its tracker, as the window has. The consoles run in
 * PROCESSES child processes of this program (SESSIONS / PROCESSES sessions on the main
 * context of each): 1 is ten desks in one process, SESSIONS is one process per desk.
 *
 * This process is the PBX: RATE signed events a second, on a fixed schedule whatever the
 * answers do, for SECONDS. Each new call is a NOTIFY_START; a second or more later a call
 * is ended by its NOTIFY_END, in alternation with the starts, so that about half the calls
 * are live at any time and the rest ended.
 *
 * Timestamps (CLOCK_MONOTONIC, one clock for every process of the machine):
 *   sent      this process hands the request to libsoup
 *   200       this process has the listener's whole answer (200 after the COMMIT)
 *   feed      a console's store hears a NOTIFY (NcStore::feed)
 *   model     a console's tracker emits calls-changed with the call in the state the
 *             event gives it (ringing for a start, ended for an end); the journal, which
 *             connected first, has already taken it in
 * The latency reported is model − 200, for every event and every console; an event that
 * never reached a console's model is counted missing. The step "200 → feed" takes for each
 * event the first NOTIFY a console heard after the event was sent (the events are 20 ms
 * apart, a COMMIT a few ms; an approximation, said so in the table), "feed → model" the
 * rest: the tracker's read of the change log on the store's reader thread and the hop
 * back to the main context. Each console process also measures how late a 10 ms timer of
 * its main context fires.
 *
 * Needs the PostgreSQL cluster of tests/harness/session-run (NC_TEST_PG_HOST,
 * NC_TEST_PG_USER) and GSETTINGS_SCHEMA_DIR. Prints Markdown.
 *
 * Usage: bench-fanout [--sessions N] [--processes P] [--rate R] [--seconds S]
 *        bench-fanout --console URL FIRST COUNT     (a console process; internal)
 */

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <libpq-fe.h>
#include <libsoup/soup.h>

#include "nc-call-event.h"
#include "nc-journal.h"
#include "nc-session.h"
#include "nc-settings.h"
#include "nc-store.h"
#include "bench-util.h"

#define KEY "fanout-key-0123456789"
#define SECRET "c3e9a1b2d4f60718293a4b5c6d7e8f90"
#define TOKEN "fanout-token-0123456789abcdef"
#define DID "74951234567"
#define LAG_PERIOD_MS 10

/* ------------------------------------------------------------------------------------ */
/* Shared                                                                                */

static int
compare_int64 (const void *a,
               const void *b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static void
wait_until (gboolean *done)
{
  while (!*done)
    g_main_context_iteration (NULL, TRUE);
}

/* ------------------------------------------------------------------------------------ */
/* A console process: COUNT sessions, their journals, what they saw and when             */

typedef struct
{
  guint       index;
  char       *dir;
  NcSession  *session;
  NcJournal  *journal;
  GHashTable *seen;     /* "S:N" / "E:N" → time, as GINT_TO_POINTER of a slot */
  GArray     *times;    /* gint64, the slots */
  GString    *out;
  GArray     *feeds;    /* gint64 */
} Console;

typedef struct
{
  GArray *lags;         /* gint64: how late each tick came */
  gint64  due;
} Lag;

static gboolean
lag_tick (gpointer user_data)
{
  Lag *lag = user_data;
  gint64 now = g_get_monotonic_time ();
  gint64 late = now - lag->due;

  g_array_append_val (lag->lags, late);
  lag->due = now + LAG_PERIOD_MS * 1000;
  return G_SOURCE_CONTINUE;
}

static void
feed_heard (NcStore *store,
            Console *console)
{
  gint64 now = g_get_monotonic_time ();

  g_array_append_val (console->feeds, now);
}

/* The id of the generator's call N is in_fanout_N. */
static void
note (Console    *console,
      char        kind,
      const char *pbx_call_id,
      gint64      now)
{
  g_autofree char *key = NULL;

  if (!g_str_has_prefix (pbx_call_id, "in_fanout_"))
    return;
  key = g_strdup_printf ("%c:%s", kind, pbx_call_id + strlen ("in_fanout_"));
  if (g_hash_table_contains (console->seen, key))
    return;
  g_string_append_printf (console->out, "seen %u %s %" G_GINT64_FORMAT "\n", console->index, key,
                          now);
  g_hash_table_add (console->seen, g_steal_pointer (&key));
}

static void
calls_changed (NcCallTracker *tracker,
               GPtrArray     *calls,
               Console       *console)
{
  gint64 now = g_get_monotonic_time ();

  for (guint i = 0; i < calls->len; i++)
    {
      NcCall *call = calls->pdata[i];
      const char *id = nc_call_get_pbx_call_id (call);

      /* An end that came with its start in one read is both. */
      note (console, 'S', id, now);
      if (nc_call_get_state (call) == NC_CALL_STATE_ENDED)
        note (console, 'E', id, now);
    }
}

static gboolean
stdin_closed (gint         fd,
              GIOCondition condition,
              gpointer     user_data)
{
  gboolean *stop = user_data;
  char buffer[64];

  if ((condition & G_IO_IN) && read (fd, buffer, sizeof buffer) > 0)
    return G_SOURCE_CONTINUE;
  *stop = TRUE;
  return G_SOURCE_REMOVE;
}

static int
console_main (const char *url,
              guint       first,
              guint       count)
{
  g_autoptr(GSettings) settings = nc_settings_new_for_command_line ();
  g_autoptr(GPtrArray) consoles = g_ptr_array_new ();
  Lag lag = { g_array_new (FALSE, FALSE, sizeof (gint64)), 0 };
  gboolean stop = FALSE;
  guint ticker;

  for (guint i = 0; i < count; i++)
    {
      Console *console = g_new0 (Console, 1);
      g_autoptr(GError) error = NULL;

      console->index = first + i;
      console->dir = g_dir_make_tmp ("nc-fanout-desk-XXXXXX", &error);
      if (console->dir == NULL)
        g_error ("%s", error->message);
      console->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      console->out = g_string_new (NULL);
      console->feeds = g_array_new (FALSE, FALSE, sizeof (gint64));
      console->session = nc_session_new_full (console->dir, url, settings, NC_SESSION_CALLS);
      if (!nc_session_start_sync (console->session, &error))
        g_error ("console %u: %s", console->index, error->message);
      /* The journal first: when calls-changed reaches this program, the model has it. */
      console->journal = nc_journal_new (nc_session_get_tracker (console->session));
      g_signal_connect (nc_session_get_tracker (console->session), "calls-changed",
                        G_CALLBACK (calls_changed), console);
      g_signal_connect (nc_session_get_store (console->session), "feed",
                        G_CALLBACK (feed_heard), console);
      g_ptr_array_add (consoles, console);
    }
  for (guint i = 0; i < consoles->len; i++)
    {
      Console *console = consoles->pdata[i];

      while (nc_journal_get_loading (console->journal))
        g_main_context_iteration (NULL, TRUE);
    }

  g_unix_fd_add (STDIN_FILENO, G_IO_IN | G_IO_HUP | G_IO_ERR, stdin_closed, &stop);
  lag.due = g_get_monotonic_time () + LAG_PERIOD_MS * 1000;
  ticker = g_timeout_add (LAG_PERIOD_MS, lag_tick, &lag);
  printf ("ready\n");
  fflush (stdout);

  wait_until (&stop);
  g_source_remove (ticker);

  for (guint i = 0; i < consoles->len; i++)
    {
      Console *console = consoles->pdata[i];

      fputs (console->out->str, stdout);
      for (guint f = 0; f < console->feeds->len; f++)
        printf ("feed %u %" G_GINT64_FORMAT "\n", console->index,
                g_array_index (console->feeds, gint64, f));
      printf ("journal %u %u\n", console->index,
              g_list_model_get_n_items (G_LIST_MODEL (console->journal)));
    }
  qsort (lag.lags->data, lag.lags->len, sizeof (gint64), compare_int64);
  if (lag.lags->len > 0)
    printf ("lag %u %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %" G_GINT64_FORMAT "\n", first,
            g_array_index (lag.lags, gint64, lag.lags->len / 2),
            g_array_index (lag.lags, gint64, lag.lags->len * 99 / 100),
            g_array_index (lag.lags, gint64, lag.lags->len - 1));
  fflush (stdout);

  for (guint i = 0; i < consoles->len; i++)
    {
      Console *console = consoles->pdata[i];

      g_signal_handlers_disconnect_by_data (nc_session_get_tracker (console->session), console);
      g_signal_handlers_disconnect_by_data (nc_session_get_store (console->session), console);
      g_clear_object (&console->journal);
      nc_session_close (console->session);
      g_clear_object (&console->session);
      nc_bench_remove_tree (console->dir);
      g_free (console->dir);
      g_hash_table_unref (console->seen);
      g_string_free (console->out, TRUE);
      g_array_unref (console->feeds);
      g_free (console);
    }
  g_array_unref (lag.lags);
  return 0;
}

/* ------------------------------------------------------------------------------------ */
/* The PBX                                                                               */

typedef struct
{
  char    kind;          /* 'S' or 'E' */
  guint   call;
  gint64  sent;
  gint64  answered;      /* 0 until the whole answer is in */
  guint   status;
} Event;

typedef struct
{
  SoupSession *session;
  char        *url;
  GArray      *events;      /* Event, in the order sent */
  GArray      *starts;      /* gint64: when each call started, by real time, for call_start */
  GQueue       open;        /* calls started and not ended, oldest first (call + 1) */
  guint        total;
  guint        rate;
  gint64       first_due;
  guint        next;        /* the next event's index */
  guint        in_flight;
  guint        calls;
} Pbx;

static void
answered (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Pbx *pbx = g_object_get_data (source, "nc-pbx");
  guint index = GPOINTER_TO_UINT (user_data);
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);
  SoupMessage *message = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  Event *event = &g_array_index (pbx->events, Event, index);

  event->answered = g_get_monotonic_time ();
  event->status = body != NULL ? soup_message_get_status (message) : 0;
  pbx->in_flight--;
}

static char *
call_start_text (gint64 real_us)
{
  g_autoptr(GDateTime) start = g_date_time_new_from_unix_local (real_us / G_USEC_PER_SEC);

  return g_date_time_format (start, "%Y-%m-%d %H:%M:%S");
}

static void
send_event (Pbx   *pbx,
            Event *event)
{
  g_autoptr(GHashTable) fields = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_autoptr(SoupMessage) message = soup_message_new ("POST", pbx->url);
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *signature = NULL;
  char *body;

  g_hash_table_insert (fields, (gpointer) "event",
                       g_strdup (event->kind == 'S' ? "NOTIFY_START" : "NOTIFY_END"));
  g_hash_table_insert (fields, (gpointer) "call_start",
                       call_start_text (g_array_index (pbx->starts, gint64, event->call)));
  g_hash_table_insert (fields, (gpointer) "pbx_call_id", g_strdup_printf ("in_fanout_%u",
                                                                           event->call));
  g_hash_table_insert (fields, (gpointer) "caller_id", g_strdup_printf ("7916%07u", event->call));
  g_hash_table_insert (fields, (gpointer) "called_did", g_strdup (DID));
  if (event->kind == 'E')
    {
      g_hash_table_insert (fields, (gpointer) "duration", g_strdup ("0"));
      g_hash_table_insert (fields, (gpointer) "disposition", g_strdup ("cancel"));
      g_hash_table_insert (fields, (gpointer) "is_recorded", g_strdup ("0"));
    }
  signature = nc_call_event_sign (SECRET, fields);
  body = soup_form_encode_hash (fields);
  bytes = g_bytes_new_take (body, strlen (body));
  soup_message_set_request_body_from_bytes (message, "application/x-www-form-urlencoded", bytes);
  soup_message_headers_replace (soup_message_get_request_headers (message), "Signature",
                                signature);

  pbx->in_flight++;
  event->sent = g_get_monotonic_time ();
  soup_session_send_and_read_async (pbx->session, message, G_PRIORITY_DEFAULT, NULL, answered,
                                    GUINT_TO_POINTER (pbx->events->len - 1));
}

/* Event i is due at first_due + i / rate: a start, or on every other tick the end of the
 * oldest call once it has rung for a second. */
static gboolean
tick (gpointer user_data)
{
  Pbx *pbx = user_data;
  gint64 now = g_get_monotonic_time ();
  gint64 period = G_USEC_PER_SEC / pbx->rate;

  while (pbx->next < pbx->total && pbx->first_due + (gint64) pbx->next * period <= now)
    {
      Event event = { 0 };
      /* The queue holds call + 1: call 0 is not NULL there. */
      guint oldest = GPOINTER_TO_UINT (g_queue_peek_head (&pbx->open));

      if (pbx->next % 2 == 1 && oldest != 0 &&
          g_array_index (pbx->starts, gint64, oldest - 1) <= g_get_real_time () - G_USEC_PER_SEC)
        {
          event.kind = 'E';
          event.call = GPOINTER_TO_UINT (g_queue_pop_head (&pbx->open)) - 1;
        }
      else
        {
          gint64 real = g_get_real_time ();

          event.kind = 'S';
          event.call = pbx->calls++;
          g_array_append_val (pbx->starts, real);
          g_queue_push_tail (&pbx->open, GUINT_TO_POINTER (event.call + 1));
        }
      g_array_append_val (pbx->events, event);
      send_event (pbx, &g_array_index (pbx->events, Event, pbx->events->len - 1));
      pbx->next++;
    }
  if (pbx->next >= pbx->total)
    return G_SOURCE_REMOVE;
  /* The next due time, to the millisecond. */
  {
    gint64 due = pbx->first_due + (gint64) pbx->next * period;
    guint delay = (guint) MAX (0, (due - g_get_monotonic_time () + 999) / 1000);

    g_timeout_add (delay, tick, pbx);
  }
  return G_SOURCE_REMOVE;
}

/* ------------------------------------------------------------------------------------ */
/* The report                                                                            */

typedef struct
{
  GArray *values;   /* gint64, µs */
} Series;

static void
series_add (Series *series,
            gint64  value)
{
  if (series->values == NULL)
    series->values = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_array_append_val (series->values, value);
}

static double
series_at (Series *series,
           guint   per_mille)
{
  guint n = series->values != NULL ? series->values->len : 0;

  if (n == 0)
    return 0;
  qsort (series->values->data, n, sizeof (gint64), compare_int64);
  return g_array_index (series->values, gint64, MIN (n - 1, (guint) ((guint64) n * per_mille / 1000))) / 1000.0;
}

static guint
series_len (Series *series)
{
  return series->values != NULL ? series->values->len : 0;
}

static void
series_clear (Series *series)
{
  g_clear_pointer (&series->values, g_array_unref);
}

/* The first of @feeds (sorted) at or after @t, or 0. */
static gint64
feed_after (GArray *feeds,
            gint64  t)
{
  guint low = 0, high = feeds->len;

  while (low < high)
    {
      guint mid = (low + high) / 2;

      if (g_array_index (feeds, gint64, mid) < t)
        low = mid + 1;
      else
        high = mid;
    }
  return low < feeds->len ? g_array_index (feeds, gint64, low) : 0;
}

/* ------------------------------------------------------------------------------------ */

static GSubprocess *
start_listen (const char *url,
              const char *work,
              char      **out_url)
{
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *bench = g_path_get_dirname (self);
  g_autofree char *program = g_build_filename (bench, "..", "src", "novofon-console", NULL);
  g_autofree char *log = g_build_filename (work, "listen.log", NULL);
  g_autofree char *xdg = g_build_filename (work, "listen", NULL);
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_autoptr(GError) error = NULL;
  GSubprocess *listen;
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  g_mkdir_with_parents (xdg, 0700);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", xdg, TRUE);
  g_subprocess_launcher_set_stderr_file_path (launcher, log);
  listen = g_subprocess_launcher_spawn (launcher, &error, program, "--database", url, "listen",
                                        "--bind", "127.0.0.1", "--port", "0", NULL);
  if (listen == NULL)
    g_error ("%s", error->message);
  while (g_get_monotonic_time () < deadline)
    {
      g_autofree char *said = NULL;
      const char *at;

      if (g_file_get_contents (log, &said, NULL, NULL) &&
          (at = strstr (said, "events at ")) != NULL)
        {
          *out_url = g_strndup (at + strlen ("events at "), strcspn (at + strlen ("events at "),
                                                                      "\n"));
          return listen;
        }
      g_usleep (10 * 1000);
    }
  g_error ("listen did not announce its address; see %s", log);
  return NULL;
}

typedef struct
{
  GSubprocess      *process;
  GDataInputStream *out;
} Child;

int
main (int   argc,
      char *argv[])
{
  guint sessions = 10, processes = 1, rate = 50, seconds = 60;
  const char *host = g_getenv ("NC_TEST_PG_HOST");
  const char *user = g_getenv ("NC_TEST_PG_USER");
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *work = NULL;
  g_autofree char *name = NULL;
  g_autofree char *url = NULL;
  g_autofree char *admin = NULL;
  g_autofree char *hook = NULL;
  g_autoptr(GSubprocess) listen = NULL;
  g_autoptr(GPtrArray) children = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) index = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GArray **seen;      /* per session: gint64 model time per event, 0 = missing */
  GArray **feeds;     /* per session: gint64 */
  guint *journal;
  gint64 lag[3] = { 0 };   /* p50, p99, max: the worst of the console processes */
  Pbx pbx = { 0 };
  PGconn *pg;
  gint64 started, ended;

  if (argc == 5 && g_str_equal (argv[1], "--console"))
    return console_main (argv[2], (guint) atoi (argv[3]), (guint) atoi (argv[4]));

  for (int i = 1; i < argc; i++)
    {
      guint *slot = g_str_equal (argv[i], "--sessions") ? &sessions
                    : g_str_equal (argv[i], "--processes") ? &processes
                    : g_str_equal (argv[i], "--rate") ? &rate
                    : g_str_equal (argv[i], "--seconds") ? &seconds : NULL;

      if (slot == NULL || i + 1 >= argc || atoi (argv[i + 1]) <= 0)
        {
          fprintf (stderr, "usage: %s [--sessions N] [--processes P] [--rate R] [--seconds S]\n",
                   argv[0]);
          return 2;
        }
      *slot = (guint) atoi (argv[++i]);
    }
  processes = MIN (processes, sessions);
  if (host == NULL || user == NULL)
    {
      printf ("| fan-out | not measured: no PostgreSQL cluster (run under "
              "tests/harness/session-run) |\n");
      return 0;
    }

  /* The database, its schema (as an admin does, `database init`), the listener. */
  work = g_dir_make_tmp ("nc-fanout-XXXXXX", &error);
  if (work == NULL)
    g_error ("%s", error->message);
  name = g_strdup_printf ("bench_fanout_%d", (int) getpid ());
  url = g_strdup_printf ("postgresql:///%s?host=%s&user=%s", name, host, user);
  admin = g_strdup_printf ("host=%s user=%s dbname=postgres", host, user);
  pg = PQconnectdb (admin);
  if (PQstatus (pg) != CONNECTION_OK)
    g_error ("%s", PQerrorMessage (pg));
  {
    g_autofree char *create = g_strdup_printf ("CREATE DATABASE %s", name);
    g_autoptr(NcStore) store = NULL;

    PQclear (PQexec (pg, create));
    store = nc_store_open_database_sync (url, NULL, &error);
    if (store == NULL)
      g_error ("%s", error->message);
    nc_store_close (store);
  }
  g_setenv ("NOVOFON_API_KEY", KEY, TRUE);
  g_setenv ("NOVOFON_API_SECRET", SECRET, TRUE);
  g_setenv ("NOVOFON_WEBHOOK_TOKEN", TOKEN, TRUE);
  /* No account behind it: nothing in this run asks the API. */
  g_setenv ("NOVOFON_API_URL", "http://127.0.0.1:9", TRUE);
  listen = start_listen (url, work, &hook);

  /* The consoles, each process its share; every one ready before the first event. */
  for (guint p = 0; p < processes; p++)
    {
      guint first = sessions * p / processes;
      guint count = sessions * (p + 1) / processes - first;
      g_autofree char *first_text = g_strdup_printf ("%u", first);
      g_autofree char *count_text = g_strdup_printf ("%u", count);
      Child *child = g_new0 (Child, 1);

      child->process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                         G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, self,
                                         "--console", url, first_text, count_text, NULL);
      if (child->process == NULL)
        g_error ("%s", error->message);
      child->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (child->process));
      g_ptr_array_add (children, child);
    }
  for (guint p = 0; p < children->len; p++)
    {
      Child *child = children->pdata[p];
      g_autofree char *line = g_data_input_stream_read_line_utf8 (child->out, NULL, NULL, &error);

      if (g_strcmp0 (line, "ready") != 0)
        g_error ("A console process did not start (%s)", error != NULL ? error->message : line);
    }

  /* The PBX. */
  pbx.session = soup_session_new_with_options ("timeout", 10, "max-conns", 256,
                                               "max-conns-per-host", 256, NULL);
  soup_session_set_proxy_resolver (pbx.session, NULL);
  g_object_set_data (G_OBJECT (pbx.session), "nc-pbx", &pbx);
  pbx.url = hook;
  pbx.rate = rate;
  pbx.total = rate * seconds;
  pbx.events = g_array_sized_new (FALSE, TRUE, sizeof (Event), pbx.total);
  pbx.starts = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_queue_init (&pbx.open);
  started = pbx.first_due = g_get_monotonic_time () + 100 * 1000;
  g_timeout_add (100, tick, &pbx);
  while (pbx.next < pbx.total || pbx.in_flight > 0)
    g_main_context_iteration (NULL, TRUE);
  ended = g_get_monotonic_time ();

  /* What is still on its way reaches the consoles within moments; then they report. */
  {
    gint64 settle = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

    while (g_get_monotonic_time () < settle)
      {
        g_main_context_iteration (NULL, FALSE);
        g_usleep (10 * 1000);
      }
  }

  for (guint i = 0; i < pbx.events->len; i++)
    {
      Event *event = &g_array_index (pbx.events, Event, i);

      g_hash_table_insert (index, g_strdup_printf ("%c:%u", event->kind, event->call),
                           GUINT_TO_POINTER (i + 1));
    }
  seen = g_new0 (GArray *, sessions);
  feeds = g_new0 (GArray *, sessions);
  journal = g_new0 (guint, sessions);
  for (guint s = 0; s < sessions; s++)
    {
      seen[s] = g_array_sized_new (FALSE, TRUE, sizeof (gint64), pbx.events->len);
      g_array_set_size (seen[s], pbx.events->len);
      feeds[s] = g_array_new (FALSE, FALSE, sizeof (gint64));
    }
  for (guint p = 0; p < children->len; p++)
    {
      Child *child = children->pdata[p];
      char *line;

      g_output_stream_close (g_subprocess_get_stdin_pipe (child->process), NULL, NULL);
      while ((line = g_data_input_stream_read_line_utf8 (child->out, NULL, NULL, NULL)) != NULL)
        {
          g_auto(GStrv) words = g_strsplit (line, " ", -1);
          guint n = g_strv_length (words);

          if (n == 4 && g_str_equal (words[0], "seen"))
            {
              guint s = (guint) atoi (words[1]);
              guint i = GPOINTER_TO_UINT (g_hash_table_lookup (index, words[2]));

              if (s < sessions && i > 0)
                g_array_index (seen[s], gint64, i - 1) = g_ascii_strtoll (words[3], NULL, 10);
            }
          else if (n == 3 && g_str_equal (words[0], "feed"))
            {
              guint s = (guint) atoi (words[1]);
              gint64 t = g_ascii_strtoll (words[2], NULL, 10);

              if (s < sessions)
                g_array_append_val (feeds[s], t);
            }
          else if (n == 3 && g_str_equal (words[0], "journal"))
            {
              guint s = (guint) atoi (words[1]);

              if (s < sessions)
                journal[s] = (guint) atoi (words[2]);
            }
          else if (n == 5 && g_str_equal (words[0], "lag"))
            for (guint k = 0; k < 3; k++)
              lag[k] = MAX (lag[k], g_ascii_strtoll (words[2 + k], NULL, 10));
          g_free (line);
        }
      if (!g_subprocess_wait_check (child->process, NULL, &error))
        g_error ("A console process failed: %s", error->message);
      g_object_unref (child->out);
      g_object_unref (child->process);
      g_free (child);
    }

  g_subprocess_send_signal (listen, SIGTERM);
  if (!g_subprocess_wait_check (listen, NULL, &error))
    g_error ("listen did not stop cleanly: %s", error->message);

  /* The report. */
  {
    Series all = { 0 }, from_send = { 0 }, to_feed = { 0 }, from_feed = { 0 }, ingest = { 0 };
    guint acknowledged = 0, refused = 0, missing_total = 0, starts = 0, starts_ok = 0;
    guint journal_short = 0;
    gint64 rows_in_db;

    for (guint i = 0; i < pbx.events->len; i++)
      {
        Event *event = &g_array_index (pbx.events, Event, i);

        if (event->status == 200)
          {
            acknowledged++;
            series_add (&ingest, event->answered - event->sent);
            if (event->kind == 'S')
              starts_ok++;
          }
        else
          refused++;
        if (event->kind == 'S')
          starts++;
      }

    printf ("%u console sessions (%s), one `listen`, one PostgreSQL 15 database; %u events "
            "in %.1f s (%.1f/s: %u starts, %u ends), %u answered 200, %u not.\n\n", sessions,
            processes == 1 ? "all in one process" :
            processes == sessions ? "one process each" : "several processes",
            pbx.events->len, (ended - started) / 1e6, pbx.events->len * 1e6 / (ended - started),
            starts, pbx.events->len - starts, acknowledged, refused);
    printf ("| session | events in its model / acknowledged | 200 → model p50 | p99 | max |\n");
    printf ("| --- | ---: | ---: | ---: | ---: |\n");
    for (guint s = 0; s < sessions; s++)
      {
        Series one = { 0 };
        guint missing = 0;

        for (guint i = 0; i < pbx.events->len; i++)
          {
            Event *event = &g_array_index (pbx.events, Event, i);
            gint64 model = g_array_index (seen[s], gint64, i);
            gint64 feed;

            if (event->status != 200)
              continue;
            if (model == 0)
              {
                missing++;
                continue;
              }
            series_add (&one, model - event->answered);
            series_add (&all, model - event->answered);
            series_add (&from_send, model - event->sent);
            feed = feed_after (feeds[s], event->sent);
            if (feed != 0 && feed <= model)
              {
                series_add (&to_feed, feed - event->answered);
                series_add (&from_feed, model - feed);
              }
          }
        missing_total += missing;
        if (journal[s] < starts_ok)
          journal_short++;
        printf ("| %u | %u / %u | %.1f ms | %.1f ms | %.1f ms |\n", s + 1, series_len (&one),
                acknowledged, series_at (&one, 500), series_at (&one, 990),
                series_at (&one, 1000));
        series_clear (&one);
      }
    printf ("| **all** | %u / %u | **%.1f ms** | **%.1f ms** | %.1f ms |\n\n", series_len (&all),
            acknowledged * sessions, series_at (&all, 500), series_at (&all, 990),
            series_at (&all, 1000));

    rows_in_db = -1;
    {
      PGconn *db = PQconnectdb (url);
      PGresult *result = PQexec (db, "SELECT count(*) FROM calls");

      if (PQresultStatus (result) == PGRES_TUPLES_OK)
        rows_in_db = g_ascii_strtoll (PQgetvalue (result, 0, 0), NULL, 10);
      PQclear (result);
      PQfinish (db);
    }

    printf ("| step | p50 | p99 | max |\n");
    printf ("| --- | ---: | ---: | ---: |\n");
    printf ("| the PBX: sent → 200 (the listener's COMMIT included) | %.1f ms | %.1f ms | %.1f ms |\n",
            series_at (&ingest, 500), series_at (&ingest, 990), series_at (&ingest, 1000));
    printf ("| 200 → the NOTIFY heard by the console's store (≈: the first after the send; "
            "negative: heard before the PBX had its answer) | %.1f ms | %.1f ms | %.1f ms |\n",
            series_at (&to_feed, 500), series_at (&to_feed, 990), series_at (&to_feed, 1000));
    printf ("| NOTIFY heard → the call in the model (the tracker reads the change log on "
            "the reader thread, back on the main context) | %.1f ms | %.1f ms | %.1f ms |\n",
            series_at (&from_feed, 500), series_at (&from_feed, 990),
            series_at (&from_feed, 1000));
    printf ("| sent → model (end to end) | %.1f ms | %.1f ms | %.1f ms |\n",
            series_at (&from_send, 500), series_at (&from_send, 990),
            series_at (&from_send, 1000));
    printf ("| a 10 ms timer on a console process's main context: how late it fires (the "
            "worst process) | %.1f ms | %.1f ms | %.1f ms |\n\n", lag[0] / 1000.0,
            lag[1] / 1000.0, lag[2] / 1000.0);
    printf ("Every acknowledged event in every session's model: **%s** (%u missing). "
            "Every acknowledged call in every journal: **%s**; %" G_GINT64_FORMAT
            " call rows in the database for %u acknowledged starts.\n",
            missing_total == 0 ? "yes" : "no", missing_total,
            journal_short == 0 ? "yes" : "no", rows_in_db, starts_ok);
    series_clear (&all);
    series_clear (&from_send);
    series_clear (&to_feed);
    series_clear (&from_feed);
    series_clear (&ingest);
  }

  for (guint s = 0; s < sessions; s++)
    {
      g_array_unref (seen[s]);
      g_array_unref (feeds[s]);
    }
  g_free (seen);
  g_free (feeds);
  g_free (journal);
  g_array_unref (pbx.events);
  g_array_unref (pbx.starts);
  g_queue_clear (&pbx.open);
  g_object_unref (pbx.session);
  {
    g_autofree char *drop = g_strdup_printf ("DROP DATABASE %s WITH (FORCE)", name);

    PQclear (PQexec (pg, drop));
    PQfinish (pg);
  }
  nc_bench_remove_tree (work);
  return 0;
}
