/* bench-journal.c — the console and `listen` over 0, 100 000 and 1 000 000 calls
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The goals of issue 12 ("calls live in the store"), measured side by side for each size
 * of the store:
 *   - the console: exec → the first frame painted with the journal's first page in the
 *     list, and its resident memory once settled;
 *   - `listen`: exec → its port open (a TCP connect succeeds), and its resident memory then;
 *   - journal filter changes at each size (Missed, an employee, a number fragment): from
 *     the change, made as a user makes it (nc_live_view_set_filter() sets the drop-downs
 *     and the search entry), to the rows in the journal's model, each one alternating with
 *     "all" so that no answer is the one just given.
 *
 * The parent fills a store with N calls through the store's own write path, the one the
 * listener uses: two webhook events per call (NOTIFY_START + NOTIFY_END, or NOTIFY_OUT_START
 * + NOTIFY_OUT_END), each built as the PBX sends it, signed and verified
 * (nc_call_event_new_verified()), then handed to nc_store_add_call_event_async() in bursts
 * that the writer's group commit takes together; and, for the calls whose number is a
 * client's, nc_store_set_call_client_async() as the call service does once its matcher
 * found the client. The mix:
 *   - 5 000 clients (telephony, own phone +7 903 …) and 8 employees with extensions
 *     101 … 108, each a name in the employee filter;
 *   - 70 % incoming, 30 % outgoing; 20 % of all calls are missed (incoming, ended, not
 *     answered: "no answer", "busy" or "cancel"), 15 % are outgoing not answered, the rest
 *     answered (30 s … 10 min);
 *   - 70 % of the calls are with one of the 5 000 clients (about 140 calls each at a
 *     million), matched as the listener matches; the other 30 % come from numbers that are
 *     no client's (+7 916 …) and stay unmatched;
 *   - spread evenly over the year before the fill, in order (a call's id grows with its
 *     start, as it does when the events come live); received_at is the event's own time;
 *     nothing is recorded (is_recorded=0), nothing is live: every call has ended.
 * The folder is kept (--data-dir) with a mark file, and used as it is by later runs.
 *
 * Then, RUNS times in turns over the sizes (so that whatever else the machine does falls
 * on every size alike), this program spawns itself as the application on each folder (the
 * real NcApplication, as bench-million does); the child reports over a pipe
 * when its window painted its first frame, when it painted the journal's first page
 * (the first frame after the journal had items, or had read that there are none), its
 * RSS then and once the journal had been quiet for SETTLE_MS, and, in the last run, the
 * filter changes, with where their time went (the change itself on the main thread, the
 * journal taking the page in) and how many row widgets the list view then keeps. After
 * each, `novofon-console --data-dir DIR listen --bind 127.0.0.1 --port P` is started with
 * credentials in the environment; a TCP connect is tried every millisecond until it
 * succeeds, and the RSS is read from /proc/PID/status then and SETTLE_MS later. For
 * comparison the parent also times the store alone: the live calls every start reads, and
 * each filter's first page (nc_store_list_calls_sync()).
 *
 * Usage: bench-journal [--calls N,N,…] [--data-dir DIR] [--runs R] [--repeat K]
 *                      [--program PATH]   (under tests/harness/session-run)
 *   --calls    the sizes, the first one the baseline (default 0,100000,1000000)
 *   --data-dir where the stores are kept, DIR/journal-N (default: a temporary folder)
 *   --runs     starts of the console and of listen per size (default 3)
 *   --repeat   changes of each filter (default 25)
 *   --program  novofon-console (default: ../src/novofon-console beside this program)
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <glib-unix.h>
#include <glib/gstdio.h>

#include "nc-application.h"
#include "nc-call-event.h"
#include "nc-client-matcher.h"
#include "nc-live-view.h"
#include "bench-util.h"

#define FILL_FORMAT "bench-journal fill 2"
#define FILLED_MARK "bench-journal-filled"
#define N_CLIENTS 5000
#define N_EMPLOYEES 8
#define MATCHED_PERCENT 70
#define IN_FLIGHT 4096          /* jobs queued on the writer at most while filling */
#define SETTLE_MS 3000
#define QUIET_MS 200            /* between a filter's answer and the next change */
#define ANSWER_TIMEOUT_S 60
#define YEAR_SECONDS (365 * 24 * 60 * 60)
#define SECRET "c3e9a1b2d4f60718293a4b5c6d7e8f90"
#define API_KEY "bench-key-0123456789"
#define TOKEN "bench-token-0123456789abcdef"
#define OUR_NUMBER "74951234567"

/* The filters measured, each alternating with "all". */
typedef struct
{
  const char    *label;
  const char    *title;
  NcCallOutcome  outcome;
  const char    *employee;
  const char    *text;
} Filter;

static const Filter filters[] = {
  { "missed", "Missed", NC_CALL_OUTCOME_MISSED, NULL, NULL },
  { "employee", "an employee (extension 103)", NC_CALL_OUTCOME_ANY, "103", NULL },
  { "number", "a number fragment “903 12”", NC_CALL_OUTCOME_ANY, NULL, "903 12" },
  { "short", "a short number fragment “903 1”", NC_CALL_OUTCOME_ANY, NULL, "903 1" },
  /* Issue 16: the journal's text finds notes too; one call in 20 is noted, one in 400
   * with this word. */
  { "note", "a word of notes “доставк”", NC_CALL_OUTCOME_ANY, NULL, "доставк" },
};
#define N_FILTERS G_N_ELEMENTS (filters)
#define ALL N_FILTERS           /* the index of "all" in the tables below */

/* ------------------------------------------------------------------------------------ */
/* Helpers                                                                              */

static guint32
mix (guint32 x)
{
  x ^= x >> 16;
  x *= 0x7feb352du;
  x ^= x >> 15;
  x *= 0x846ca68bu;
  x ^= x >> 16;
  return x;
}

static long
status_kib (int         pid,
            const char *field)
{
  g_autofree char *path = pid > 0 ? g_strdup_printf ("/proc/%d/status", pid)
                                  : g_strdup ("/proc/self/status");
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents (path, &status, NULL, NULL))
    return -1;
  line = strstr (status, field);
  return line != NULL ? strtol (line + strlen (field), NULL, 10) : -1;
}

/* "0.52 1.10 1.43": whatever else ran on the machine meanwhile. */
static const char *
load_average (void)
{
  static char text[64];
  g_autofree char *contents = NULL;
  g_auto(GStrv) fields = NULL;

  if (!g_file_get_contents ("/proc/loadavg", &contents, NULL, NULL))
    return "?";
  fields = g_strsplit (contents, " ", 4);
  g_snprintf (text, sizeof text, "%s %s %s", fields[0], fields[1] != NULL ? fields[1] : "",
              fields[1] != NULL && fields[2] != NULL ? fields[2] : "");
  return text;
}

/* Nearest rank: the smallest value with at least @p of the samples at or below it. */
static double
percentile (GArray *samples,
            double  p)
{
  guint rank;

  if (samples->len == 0)
    return 0;
  g_array_sort (samples, nc_bench_compare_doubles);
  rank = (guint) (p * samples->len + 0.999999);
  return g_array_index (samples, double, CLAMP (rank, 1, samples->len) - 1);
}

static double
worst (GArray *samples)
{
  return percentile (samples, 1.0);
}

static gint64
du_bytes (const char *dir)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;
  gint64 total = 0;

  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      GStatBuf st;

      if (g_stat (path, &st) == 0)
        total += (gint64) st.st_size;
    }
  return total;
}

/* "1 000 000" */
static char *
thousands (guint n)
{
  g_autofree char *digits = g_strdup_printf ("%u", n);
  GString *out = g_string_new (NULL);
  gsize len = strlen (digits);

  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append (out, " ");
      g_string_append_c (out, digits[i]);
    }
  return g_string_free (out, FALSE);
}

/* ------------------------------------------------------------------------------------ */
/* The parent: filling                                                                  */

static const char *const first_names[] = {
  "Иван", "Ольга", "Сергей", "Анна", "Дмитрий", "Мария", "Алексей", "Елена", "Павел",
  "Наталья",
};
static const char *const last_names[] = {
  "Петров", "Смирнов", "Кузнецов", "Попов", "Васильев", "Соколов", "Михайлов", "Новиков",
  "Фёдоров", "Морозов", "Волков", "Алексеев",
};
static const char *const missed_dispositions[] = { "no answer", "busy", "cancel" };

static char *
client_phone (guint k)
{
  return g_strdup_printf ("7903%07u", (guint) (((guint64) k * 7919 + 17) % 10000000));
}

typedef struct
{
  guint   outstanding;
  guint   events;
  guint   matched;
} Filling;

static void
event_stored (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Filling *filling = user_data;
  g_autoptr(GError) error = NULL;
  gboolean inserted = FALSE;

  if (!nc_store_add_call_event_finish (NC_STORE (source), result, &inserted, &error))
    g_error ("Could not store an event: %s", error->message);
  if (!inserted)
    g_error ("An event of the fill was taken for a replay");
  filling->outstanding--;
  filling->events++;
}

static void
client_set (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Filling *filling = user_data;
  g_autoptr(GError) error = NULL;

  if (!nc_store_set_call_client_finish (NC_STORE (source), result, &error))
    g_error ("Could not keep a call's client: %s", error->message);
  filling->outstanding--;
  filling->matched++;
}

static void
submit_event (NcStore    *store,
              GHashTable *fields,
              gint64      received_at_us,
              Filling    *filling)
{
  g_autofree char *signature = nc_call_event_sign (SECRET, fields);
  g_autoptr(GError) error = NULL;
  g_autoptr(NcCallEvent) event = nc_call_event_new_verified (fields, SECRET, signature, &error);

  if (event == NULL)
    g_error ("A generated event is refused: %s", error->message);
  filling->outstanding++;
  nc_store_add_call_event_async (store, nc_call_event_get_event_type (event),
                                 nc_call_event_get_canonical (event), received_at_us, NULL,
                                 event_stored, filling);
}

/* Call @i of @n: its two events, and its client when its number is one. */
static void
submit_call (NcStore      *store,
             guint         i,
             guint         n,
             gint64        first_start,
             const gint64 *client_ids,
             Filling      *filling)
{
  g_autoptr(GHashTable) start = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_autoptr(GHashTable) end = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  guint32 kind = mix (i) % 100;
  gboolean incoming = kind < 70, answered = (kind >= 20 && kind < 85);
  guint employee = 101 + mix (i ^ 0x5bd1e995u) % N_EMPLOYEES;
  gboolean matched = mix (i + 0x9e3779b9u) % 100 < MATCHED_PERCENT;
  guint client = mix (i * 3 + 1) % N_CLIENTS;
  gint64 started = first_start + (gint64) ((guint64) i * YEAR_SECONDS / MAX (n, 1));
  guint duration = answered ? 30 + mix (i * 7 + 3) % 570 : mix (i * 7 + 3) % 40;
  g_autofree char *number = matched ? client_phone (client)
                                    : g_strdup_printf ("7916%07u", mix (i * 5 + 2) % 10000000);
  g_autofree char *call_start = nc_call_format_pbx_time (started);
  char *pbx_call_id = g_strdup_printf ("%s_bench_%u", incoming ? "in" : "out", i);
  const char *disposition = answered ? "answered"
                                     : missed_dispositions[mix (i * 11) % 3];

  g_hash_table_insert (start, (gpointer) "call_start", g_strdup (call_start));
  g_hash_table_insert (start, (gpointer) "pbx_call_id", pbx_call_id);
  if (incoming)
    {
      g_hash_table_insert (start, (gpointer) "event", g_strdup ("NOTIFY_START"));
      g_hash_table_insert (start, (gpointer) "caller_id", g_strdup (number));
      g_hash_table_insert (start, (gpointer) "called_did", g_strdup (OUR_NUMBER));
    }
  else
    {
      g_hash_table_insert (start, (gpointer) "event", g_strdup ("NOTIFY_OUT_START"));
      g_hash_table_insert (start, (gpointer) "destination", g_strdup (number));
      g_hash_table_insert (start, (gpointer) "caller_id", g_strdup (OUR_NUMBER));
      g_hash_table_insert (start, (gpointer) "internal", g_strdup_printf ("%u", employee));
    }

  {
    GHashTableIter iter;
    gpointer key, value;

    g_hash_table_iter_init (&iter, start);
    while (g_hash_table_iter_next (&iter, &key, &value))
      g_hash_table_insert (end, key, g_strdup (value));
  }
  g_hash_table_insert (end, (gpointer) "event",
                       g_strdup (incoming ? "NOTIFY_END" : "NOTIFY_OUT_END"));
  /* The extension that answered, or that rang last. */
  g_hash_table_insert (end, (gpointer) "internal", g_strdup_printf ("%u", employee));
  g_hash_table_insert (end, (gpointer) "duration", g_strdup_printf ("%u", answered ? duration : 0));
  g_hash_table_insert (end, (gpointer) "disposition", g_strdup (disposition));
  g_hash_table_insert (end, (gpointer) "status_code", g_strdup (answered ? "16" : "19"));
  g_hash_table_insert (end, (gpointer) "is_recorded", g_strdup ("0"));

  submit_event (store, start, started * G_USEC_PER_SEC, filling);
  submit_event (store, end, (started + duration) * G_USEC_PER_SEC + 250000, filling);

  /* The call service's answer once the matcher found the client. In a fresh store, call
   * @i is row i + 1: its events are the writer's first of it, in order. */
  if (matched)
    {
      filling->outstanding++;
      nc_store_set_call_client_async (store, (gint64) i + 1, client_ids[client],
                                      nc_match_rule_to_string (NC_MATCH_RULE_TELEPHONY_CLIENT),
                                      NULL, client_set, filling);
    }
}

static void
call_noted (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Filling *filling = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(NcCallRecord) record = nc_store_note_call_finish (NC_STORE (source), result, &error);

  if (record == NULL)
    g_error ("Could not note a call: %s", error->message);
  filling->outstanding--;
}

/* One call in 20 noted after it, as operators note them (issue 16): an outcome, and a
 * note that, in one call in 400, speaks of a delivery. */
static void
note_calls (NcStore *store,
            guint    n,
            Filling *filling)
{
  static const char *const outcomes[] = { "Перезвонить", "Не интересно", "Сделка" };

  for (guint i = 0; i < n; i += 20)
    {
      g_autofree char *pbx_call_id = g_strdup_printf ("%s_bench_%u",
                                                      mix (i) % 100 < 70 ? "in" : "out", i);
      g_autofree char *note = i % 400 == 0
                              ? g_strdup_printf ("Уточнить доставку заказа %u на завтра", i)
                              : g_strdup_printf ("Просил перезвонить после обеда, заказ %u", i);

      while (filling->outstanding >= IN_FLIGHT)
        g_main_context_iteration (NULL, TRUE);
      filling->outstanding++;
      nc_store_note_call_async (store, pbx_call_id, outcomes[mix (i) % 3], note, NULL,
                                call_noted, filling);
    }
}

static void
add_people (NcStore  *store,
            gint64   *client_ids)
{
  g_autoptr(GPtrArray) drafts = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GError) error = NULL;

  for (guint k = 0; k < N_CLIENTS; k++)
    {
      g_autofree char *name = g_strdup_printf ("%s %s %u",
                                               last_names[k % G_N_ELEMENTS (last_names)],
                                               first_names[(k / 12) % G_N_ELEMENTS (first_names)],
                                               k);
      g_autofree char *phone = client_phone (k);

      g_ptr_array_add (drafts, nc_client_new (0, name, NC_CHANNEL_TELEPHONY, phone, 0));
    }
  if (!nc_store_add_clients_sync (store, drafts, &ids, &error))
    g_error ("Could not add the clients: %s", error->message);
  for (guint k = 0; k < N_CLIENTS; k++)
    client_ids[k] = g_array_index (ids, gint64, k);

  for (guint e = 0; e < N_EMPLOYEES; e++)
    {
      g_autofree char *name = g_strdup_printf ("%s %s", first_names[e], last_names[e]);
      g_autofree char *extension = g_strdup_printf ("%u", 101 + e);
      g_autoptr(NcEmployee) employee = nc_employee_new (0, name, extension, OUR_NUMBER,
                                                        NC_CALL_METHOD_APP);

      if (nc_store_save_employee_sync (store, employee, &error) == 0)
        g_error ("Could not add an employee: %s", error->message);
    }
}

/* A few calls read back: their rows are what the events and the matches said. */
static void
check_fill (NcStore      *store,
            guint         n,
            const gint64 *client_ids)
{
  for (guint s = 0; s < MIN (n, 200); s++)
    {
      guint i = s == 0 ? n - 1 : mix (s) % n;
      guint32 kind = mix (i) % 100;
      gboolean matched = mix (i + 0x9e3779b9u) % 100 < MATCHED_PERCENT;
      g_autofree char *pbx_call_id = g_strdup_printf ("%s_bench_%u", kind < 70 ? "in" : "out",
                                                      i);
      g_autoptr(GError) error = NULL;
      g_autoptr(NcCallRecord) record = nc_store_get_call_sync (store, pbx_call_id, &error);

      if (record == NULL)
        g_error ("Call %s is not in the store: %s", pbx_call_id, error->message);
      if (record->id != (gint64) i + 1 || record->state != NC_CALL_STATE_ENDED ||
          nc_call_record_is_missed (record) != (kind < 20) ||
          record->client_id != (matched ? client_ids[mix (i * 3 + 1) % N_CLIENTS] : 0))
        g_error ("Call %s is not as it was filled (id %" G_GINT64_FORMAT ", client %"
                 G_GINT64_FORMAT ")", pbx_call_id, record->id, record->client_id);
    }
}

/* Returns the seconds the fill took, 0 when the folder was filled before. */
static double
fill (const char *dir,
      guint       n)
{
  g_autofree char *mark = g_build_filename (dir, FILLED_MARK, NULL);
  g_autofree char *expected = g_strdup_printf (FILL_FORMAT ", %u calls\n", n);
  g_autofree char *contents = NULL;
  g_autofree gint64 *client_ids = g_new0 (gint64, N_CLIENTS);
  g_autoptr(GError) error = NULL;
  g_autoptr(NcStore) store = NULL;
  Filling filling = { 0 };
  gint64 start, first_start, last_report;

  if (g_file_get_contents (mark, &contents, NULL, NULL) && g_str_equal (contents, expected))
    return 0;
  /* A half-made folder is made again. */
  if (g_file_test (dir, G_FILE_TEST_EXISTS))
    {
      g_autofree char *command = g_strdup_printf ("rm -rf '%s'", dir);

      if (system (command) != 0)
        g_error ("Could not empty %s", dir);
    }

  store = nc_store_open_sync (dir, &error);
  if (store == NULL)
    g_error ("%s", error->message);

  start = g_get_monotonic_time ();
  last_report = start;
  add_people (store, client_ids);
  first_start = g_get_real_time () / G_USEC_PER_SEC - YEAR_SECONDS - 3600;
  for (guint i = 0; i < n; i++)
    {
      /* Bursts: the writer takes what queued up while it committed the last batch. */
      while (filling.outstanding >= IN_FLIGHT)
        g_main_context_iteration (NULL, TRUE);
      submit_call (store, i, n, first_start, client_ids, &filling);
      if (g_get_monotonic_time () - last_report > 10 * G_USEC_PER_SEC)
        {
          last_report = g_get_monotonic_time ();
          fprintf (stderr, "bench-journal: filling %u calls: %u so far, %.0f s\n", n, i,
                   (double) (last_report - start) / 1e6);
        }
    }
  while (filling.outstanding > 0)
    g_main_context_iteration (NULL, TRUE);
  note_calls (store, n, &filling);
  while (filling.outstanding > 0)
    g_main_context_iteration (NULL, TRUE);
  check_fill (store, n, client_ids);
  nc_store_close (store);
  /* The idles of the last answers. */
  while (g_main_context_iteration (NULL, FALSE))
    ;

  if (!g_file_set_contents (mark, expected, -1, &error))
    g_error ("%s", error->message);
  return MAX ((double) (g_get_monotonic_time () - start) / 1e6, 0.001);
}

/* ------------------------------------------------------------------------------------ */
/* The parent: the store alone, for comparison                                           */

static NcCallFilter *
filter_new (guint index)
{
  NcCallFilter *filter = nc_call_filter_new ();

  if (index < N_FILTERS)
    {
      filter->outcome = filters[index].outcome;
      filter->employee = g_strdup (filters[index].employee);
      filter->text = g_strdup (filters[index].text);
    }
  return filter;
}

typedef struct
{
  GArray *query[N_FILTERS + 1];    /* nc_store_list_calls_sync(), the first page, ms */
  GArray *search[N_FILTERS];       /* nc_store_search_clients_sync() of the text, ms */
  guint   clients[N_FILTERS];      /* how many clients the text finds */
  GArray *live;                    /* nc_store_list_live_calls_sync(), ms */
  guint   n_live;
} StoreTimes;

static void
time_store (const char *dir,
            guint       repeat,
            StoreTimes *times)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NcStore) store = nc_store_open_sync (dir, &error);
  g_autoptr(NcCallFilter) all = filter_new (ALL);

  if (store == NULL)
    g_error ("%s", error->message);

  /* The tracker's read at every start, of the console and of listen. */
  times->live = g_array_new (FALSE, FALSE, sizeof (double));
  for (guint r = 0; r < 5; r++)
    {
      g_autoptr(GPtrArray) live = NULL;
      gint64 at = g_get_monotonic_time ();
      double ms;

      live = nc_store_list_live_calls_sync (store, NULL, NULL, &error);
      if (live == NULL)
        g_error ("%s", error->message);
      ms = (double) (g_get_monotonic_time () - at) / 1000.0;
      g_array_append_val (times->live, ms);
      times->n_live = live->len;
    }
  for (guint f = 0; f <= N_FILTERS; f++)
    times->query[f] = g_array_new (FALSE, FALSE, sizeof (double));
  for (guint f = 0; f < N_FILTERS; f++)
    {
      g_autoptr(NcCallFilter) filter = filter_new (f);

      times->search[f] = g_array_new (FALSE, FALSE, sizeof (double));
      for (guint r = 0; r < repeat; r++)
        {
          for (guint which = 0; which < 2; which++)
            {
              g_autoptr(GPtrArray) page = NULL;
              gint64 at = g_get_monotonic_time ();
              double ms;

              page = nc_store_list_calls_sync (store, which == 0 ? filter : all, NULL,
                                               NC_JOURNAL_FIRST_PAGE, &error);
              if (page == NULL)
                g_error ("%s", error->message);
              ms = (double) (g_get_monotonic_time () - at) / 1000.0;
              g_array_append_val (times->query[which == 0 ? f : ALL], ms);
            }
          if (filters[f].text != NULL)
            {
              g_autoptr(GArray) ids = NULL;
              gint64 at = g_get_monotonic_time ();
              double ms;

              ids = nc_store_search_clients_sync (store, filters[f].text,
                                                  NC_CALL_FILTER_TEXT_CLIENTS, &error);
              if (ids == NULL)
                g_error ("%s", error->message);
              ms = (double) (g_get_monotonic_time () - at) / 1000.0;
              g_array_append_val (times->search[f], ms);
              times->clients[f] = ids->len;
            }
        }
    }
  nc_store_close (store);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* ------------------------------------------------------------------------------------ */
/* The child: the application                                                           */

static NcApplication *app;

static struct
{
  NcLiveView  *view;
  NcJournal   *journal;
  GtkWidget   *window;
  GtkWidget   *list;
  guint        repeat;
  gboolean     page_seen;
  gint64       page_at;
  gint64       last_change;
  guint        step;        /* of the filter changes: step_filter() */
  gboolean     waiting;
  gboolean     began;       /* the journal started reading after the change */
  gint64       changed_at;
  gint64       set_at;      /* nc_live_view_set_filter() returned */
  gint64       arrived_at;  /* the page's answer reached the main context */
  gint64       answered_at;
  guint        answered_items;
  guint        answer_idle;
  guint        watchdog;
} child;

static GtkWidget *
find_descendant (GtkWidget *widget,
                 GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *child_widget = gtk_widget_get_first_child (widget); child_widget != NULL;
       child_widget = gtk_widget_get_next_sibling (child_widget))
    {
      GtkWidget *found = find_descendant (child_widget, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The list view that shows @model (the drop-downs have list views of their own). */
static GtkWidget *
find_list_of (GtkWidget  *widget,
              GListModel *model)
{
  if (GTK_IS_LIST_VIEW (widget))
    {
      GtkSelectionModel *selection = gtk_list_view_get_model (GTK_LIST_VIEW (widget));

      if (GTK_IS_NO_SELECTION (selection) &&
          gtk_no_selection_get_model (GTK_NO_SELECTION (selection)) == model)
        return widget;
    }
  for (GtkWidget *child_widget = gtk_widget_get_first_child (widget); child_widget != NULL;
       child_widget = gtk_widget_get_next_sibling (child_widget))
    {
      GtkWidget *found = find_list_of (child_widget, model);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The row widgets the list view keeps: GTK 4.8 makes one for up to 200 items around its
 * anchor, whatever its height. */
static guint
count_rows (void)
{
  guint n = 0;

  for (GtkWidget *row = child.list != NULL ? gtk_widget_get_first_child (child.list) : NULL;
       row != NULL; row = gtk_widget_get_next_sibling (row))
    n++;
  return n;
}

static gboolean
quit_app (gpointer user_data)
{
  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
  return G_SOURCE_REMOVE;
}

static void change_filter (void);

/* Each filter's changes together, each followed by "all": Missed, all, Missed, all, …,
 * then the next filter. */
static guint
step_filter (guint step)
{
  return step % 2 == 1 ? ALL : step / (2 * child.repeat);
}

static gboolean
next_when_quiet (gpointer user_data)
{
  /* A next page the list asked for is read first: a person reads the rows before the
   * next change, and the reader thread would make the next answer wait for it. */
  if (nc_journal_get_loading (child.journal))
    return G_SOURCE_CONTINUE;
  child.step++;
  change_filter ();
  return G_SOURCE_REMOVE;
}

static void
answer_painted (GdkFrameClock *clock,
                gpointer       user_data)
{
  gint64 painted = g_get_monotonic_time ();

  g_signal_handlers_disconnect_by_func (clock, answer_painted, user_data);
  nc_bench_report ("filter %u %u %u %.3f %.3f %.3f %.3f\n", step_filter (child.step),
          child.answered_items, count_rows (),
          (double) (child.answered_at - child.changed_at) / 1000.0,
          (double) (painted - child.changed_at) / 1000.0,
          (double) (child.set_at - child.changed_at) / 1000.0,
          (double) (child.answered_at - child.arrived_at) / 1000.0);
  g_timeout_add (QUIET_MS, next_when_quiet, NULL);
}

/* Runs right after the dispatch that answered: the rows are in the model by then. */
static gboolean
answer_complete (gpointer user_data)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (child.window);

  child.answer_idle = 0;
  child.answered_at = g_get_monotonic_time ();
  child.answered_items = g_list_model_get_n_items (G_LIST_MODEL (child.journal));
  child.waiting = FALSE;
  g_clear_handle_id (&child.watchdog, g_source_remove);
  if (nc_journal_get_problem (child.journal) != NULL)
    g_error ("The journal could not read its page: %s", nc_journal_get_problem (child.journal));
  g_signal_connect (clock, "after-paint", G_CALLBACK (answer_painted), NULL);
  gdk_frame_clock_request_phase (clock, GDK_FRAME_CLOCK_PHASE_PAINT);
  return G_SOURCE_REMOVE;
}

static gboolean
answer_late (gpointer user_data)
{
  g_error ("No answer to filter change %u within %d s", child.step, ANSWER_TIMEOUT_S);
  return G_SOURCE_REMOVE;
}

static void
change_filter (void)
{
  guint filter;

  if (child.step >= 2 * N_FILTERS * child.repeat)
    {
      nc_bench_report ("done %ld %ld\n", status_kib (0, "VmRSS:"), status_kib (0, "VmHWM:"));
      g_idle_add (quit_app, NULL);
      return;
    }

  filter = step_filter (child.step);
  child.waiting = TRUE;
  child.began = FALSE;
  child.watchdog = g_timeout_add_seconds (ANSWER_TIMEOUT_S, answer_late, NULL);
  child.changed_at = g_get_monotonic_time ();
  if (filter == ALL)
    nc_live_view_set_filter (child.view, -1, NC_CALL_OUTCOME_ANY, NULL, NC_PERIOD_ALL, NULL);
  else
    nc_live_view_set_filter (child.view, -1, filters[filter].outcome, filters[filter].employee,
                             NC_PERIOD_ALL, filters[filter].text);
  child.set_at = g_get_monotonic_time ();
  /* The same filter again changes nothing: the employee was not in the drop-down. */
  if (!child.began && !nc_journal_get_loading (child.journal))
    g_error ("Filter change %u read nothing (is employee %s in the drop-down?)", child.step,
             filter < N_FILTERS && filters[filter].employee != NULL ? filters[filter].employee
                                                                     : "-");
}

static gboolean
settled (gpointer user_data)
{
  gint64 now = g_get_monotonic_time ();

  if (now - child.last_change < SETTLE_MS * 1000 || now - child.page_at < SETTLE_MS * 1000)
    return G_SOURCE_CONTINUE;
  nc_bench_report ("settled %ld %u %u\n", status_kib (0, "VmRSS:"),
          g_list_model_get_n_items (G_LIST_MODEL (child.journal)), count_rows ());
  if (child.repeat == 0)
    {
      nc_bench_report ("done %ld %ld\n", status_kib (0, "VmRSS:"), status_kib (0, "VmHWM:"));
      g_idle_add (quit_app, NULL);
    }
  else
    {
      child.step = 0;
      change_filter ();
    }
  return G_SOURCE_REMOVE;
}

static void
page_painted (GdkFrameClock *clock,
              gpointer       user_data)
{
  g_signal_handlers_disconnect_by_func (clock, page_painted, user_data);
  child.page_at = g_get_monotonic_time ();
  nc_bench_report ("page %" G_GINT64_FORMAT " %u %ld %d %u\n", child.page_at,
          g_list_model_get_n_items (G_LIST_MODEL (child.journal)), status_kib (0, "VmRSS:"),
          child.list != NULL && gtk_widget_get_mapped (child.list), count_rows ());
  g_timeout_add (100, settled, NULL);
}

static void
page_ready (void)
{
  GdkFrameClock *clock;

  if (child.page_seen)
    return;
  child.page_seen = TRUE;
  nc_bench_report ("arrived %" G_GINT64_FORMAT "\n", g_get_monotonic_time ());
  clock = gtk_widget_get_frame_clock (child.window);
  g_signal_connect (clock, "after-paint", G_CALLBACK (page_painted), NULL);
  gdk_frame_clock_request_phase (clock, GDK_FRAME_CLOCK_PHASE_PAINT);
}

static void
journal_changed (GListModel *model,
                 guint       position,
                 guint       removed,
                 guint       added,
                 gpointer    user_data)
{
  child.last_change = g_get_monotonic_time ();
  if (g_list_model_get_n_items (model) > 0)
    page_ready ();
}

static void
journal_complete (NcJournal *journal)
{
  child.last_change = g_get_monotonic_time ();
  if (nc_journal_get_complete (journal))
    page_ready ();
}

static void
journal_loading (NcJournal *journal)
{
  child.last_change = g_get_monotonic_time ();
  if (!child.waiting)
    return;
  /* A reload first lets go of the read on its way (loading goes FALSE), then reads. */
  if (nc_journal_get_loading (journal))
    child.began = TRUE;
  else if (child.began && child.answer_idle == 0)
    {
      child.arrived_at = g_get_monotonic_time ();
      child.answer_idle = g_idle_add_full (G_PRIORITY_HIGH, answer_complete, NULL, NULL);
    }
}

static void
hook_journal (void)
{
  NcJournal *journal = nc_live_view_get_journal (child.view);

  if (journal == NULL || child.journal != NULL)
    return;
  child.journal = journal;
  nc_bench_report ("journal %" G_GINT64_FORMAT "\n", g_get_monotonic_time ());
  child.list = find_list_of (GTK_WIDGET (child.view), G_LIST_MODEL (journal));
  g_signal_connect (journal, "items-changed", G_CALLBACK (journal_changed), NULL);
  g_signal_connect (journal, "notify::complete", G_CALLBACK (journal_complete), NULL);
  g_signal_connect (journal, "notify::loading", G_CALLBACK (journal_loading), NULL);
  if (g_list_model_get_n_items (G_LIST_MODEL (journal)) > 0 || nc_journal_get_complete (journal))
    page_ready ();
}

static void
window_painted (GdkFrameClock *clock,
                gpointer       user_data)
{
  g_signal_handlers_disconnect_by_func (clock, window_painted, user_data);
  nc_bench_report ("window %" G_GINT64_FORMAT "\n", g_get_monotonic_time ());
}

static void
window_mapped (GtkWidget *window)
{
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint",
                    G_CALLBACK (window_painted), NULL);
}

static void
activated (GApplication *application)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (application));

  if (child.view != NULL)
    return;
  child.window = GTK_WIDGET (window);
  /* Presenting a toplevel maps it at once, before this handler runs. */
  if (gtk_widget_get_mapped (child.window))
    window_mapped (child.window);
  else
    g_signal_connect (window, "map", G_CALLBACK (window_mapped), NULL);
  child.view = NC_LIVE_VIEW (find_descendant (child.window, NC_TYPE_LIVE_VIEW));
  g_assert (child.view != NULL);

  /* The view makes its journal once the session's store is known; this handler runs
   * after the view's. */
  g_signal_connect_swapped (nc_application_get_session (app), "notify::store",
                            G_CALLBACK (hook_journal), NULL);
  hook_journal ();
}

static int
run_child (const char *fd_text,
           const char *data_dir,
           const char *repeat)
{
  char *argv[] = { (char *) "novofon-console", (char *) "--data-dir", (char *) data_dir, NULL };

  nc_bench_report_to (atoi (fd_text));
  child.repeat = (guint) atoi (repeat);
  app = nc_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_signal_connect_after (app, "activate", G_CALLBACK (activated), NULL);
  return g_application_run (G_APPLICATION (app), 3, argv);
}

/* ------------------------------------------------------------------------------------ */
/* The parent: the runs                                                                 */

typedef struct
{
  guint       n;
  char       *dir;
  double      fill_s;
  gint64      disk;
  GArray     *window_ms;
  GArray     *journal_ms;     /* the store open, the journal made and asking its first page */
  GArray     *arrived_ms;     /* the first page in the journal's model */
  GArray     *page_ms;
  GArray     *page_rss;       /* MB, at the first page's frame */
  GArray     *settled_rss;    /* MB */
  guint       page_items, page_rows;
  guint       settled_items, settled_rows;
  gboolean    list_mapped;
  GArray     *answered[N_FILTERS + 1];
  GArray     *painted[N_FILTERS + 1];
  GArray     *set[N_FILTERS + 1];      /* the change itself, on the main thread */
  GArray     *taking[N_FILTERS + 1];   /* the journal taking its page in */
  guint       items[N_FILTERS + 1];
  guint       rows[N_FILTERS + 1];     /* row widgets in the list view once painted */
  double      done_rss, peak_rss;
  GArray     *listen_ms;
  GArray     *listen_rss;     /* MB, when the port opened */
  GArray     *listen_settled_rss;
  StoreTimes  store;
} Size;

static GArray *
samples_new (void)
{
  return g_array_new (FALSE, FALSE, sizeof (double));
}

static void
add_sample (GArray *samples,
            double  value)
{
  g_array_append_val (samples, value);
}

static void
run_console (Size       *size,
             const char *self_path,
             guint       repeat)
{
  g_autofree char *fd_text = NULL;
  g_autofree char *repeat_text = g_strdup_printf ("%u", repeat);
  g_autoptr(GError) error = NULL;
  g_autoptr(GIOChannel) channel = NULL;
  char *child_argv[6];
  char *line = NULL;
  gboolean painted = FALSE;
  int fds[2];
  gint64 start;
  GPid pid;
  int status;

  if (!g_unix_open_pipe (fds, 0, &error))
    g_error ("%s", error->message);
  fd_text = g_strdup_printf ("%d", fds[1]);
  child_argv[0] = (char *) self_path;
  child_argv[1] = (char *) "--child";
  child_argv[2] = fd_text;
  child_argv[3] = size->dir;
  child_argv[4] = repeat_text;
  child_argv[5] = NULL;

  start = g_get_monotonic_time ();
  if (!g_spawn_async_with_pipes_and_fds (NULL, (const char *const *) child_argv, NULL,
                                         G_SPAWN_LEAVE_DESCRIPTORS_OPEN |
                                         G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                         -1, -1, -1, NULL, NULL, 0, &pid,
                                         NULL, NULL, NULL, &error))
    g_error ("Could not start the application: %s", error->message);
  close (fds[1]);

  channel = g_io_channel_unix_new (fds[0]);
  g_io_channel_set_close_on_unref (channel, TRUE);
  while (g_io_channel_read_line (channel, &line, NULL, NULL, NULL) == G_IO_STATUS_NORMAL)
    {
      g_autofree char *owned = line;
      gint64 at;
      guint items, rows, filter;
      int mapped;
      long rss, peak;
      double answered, painted_ms, set_ms, taking_ms;

      g_strchomp (owned);
      if (sscanf (owned, "window %" G_GINT64_FORMAT, &at) == 1)
        add_sample (size->window_ms, (double) (at - start) / 1000.0);
      else if (sscanf (owned, "journal %" G_GINT64_FORMAT, &at) == 1)
        add_sample (size->journal_ms, (double) (at - start) / 1000.0);
      else if (sscanf (owned, "arrived %" G_GINT64_FORMAT, &at) == 1)
        add_sample (size->arrived_ms, (double) (at - start) / 1000.0);
      else if (sscanf (owned, "page %" G_GINT64_FORMAT " %u %ld %d %u", &at, &items, &rss,
                       &mapped, &rows) == 5)
        {
          size->page_rows = rows;
          painted = TRUE;
          add_sample (size->page_ms, (double) (at - start) / 1000.0);
          add_sample (size->page_rss, (double) rss / 1024.0);
          size->page_items = items;
          size->list_mapped = mapped != 0;
        }
      else if (sscanf (owned, "settled %ld %u %u", &rss, &items, &rows) == 3)
        {
          add_sample (size->settled_rss, (double) rss / 1024.0);
          size->settled_items = items;
          size->settled_rows = rows;
        }
      else if (sscanf (owned, "filter %u %u %u %lf %lf %lf %lf", &filter, &items, &rows,
                       &answered, &painted_ms, &set_ms, &taking_ms) == 7 && filter <= N_FILTERS)
        {
          size->rows[filter] = rows;
          add_sample (size->answered[filter], answered);
          add_sample (size->painted[filter], painted_ms);
          add_sample (size->set[filter], set_ms);
          add_sample (size->taking[filter], taking_ms);
          size->items[filter] = items;
        }
      else if (sscanf (owned, "done %ld %ld", &rss, &peak) == 2)
        {
          size->done_rss = (double) rss / 1024.0;
          size->peak_rss = (double) peak / 1024.0;
        }
    }
  if (waitpid (pid, &status, 0) != pid || !WIFEXITED (status) || WEXITSTATUS (status) != 0)
    g_error ("The application over %u calls did not end well (status %d)", size->n, status);
  g_spawn_close_pid (pid);
  if (!painted)
    g_error ("The application over %u calls never painted the journal", size->n);
}

static guint
free_port (void)
{
  struct sockaddr_in address = { 0 };
  socklen_t length = sizeof address;
  int fd = socket (AF_INET, SOCK_STREAM, 0);
  guint port;

  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (fd < 0 || bind (fd, (struct sockaddr *) &address, sizeof address) != 0 ||
      getsockname (fd, (struct sockaddr *) &address, &length) != 0)
    g_error ("Could not find a free port: %s", g_strerror (errno));
  port = ntohs (address.sin_port);
  close (fd);
  return port;
}

static gboolean
port_open (guint port)
{
  struct sockaddr_in address = { 0 };
  int fd = socket (AF_INET, SOCK_STREAM, 0);
  gboolean open;

  address.sin_family = AF_INET;
  address.sin_port = htons ((guint16) port);
  address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  open = connect (fd, (struct sockaddr *) &address, sizeof address) == 0;
  close (fd);
  return open;
}

static void
run_listen (Size       *size,
            const char *program,
            const char *log_path)
{
  g_auto(GStrv) envp = g_get_environ ();
  g_autofree char *port_text = NULL;
  g_autoptr(GError) error = NULL;
  guint port = free_port ();
  const char *argv[10];
  gint64 start, deadline;
  int log_fd, status;
  GPid pid;

  envp = g_environ_setenv (envp, "NOVOFON_API_KEY", API_KEY, TRUE);
  envp = g_environ_setenv (envp, "NOVOFON_API_SECRET", SECRET, TRUE);
  envp = g_environ_setenv (envp, "NOVOFON_WEBHOOK_TOKEN", TOKEN, TRUE);
  /* Nothing answers there: the account check fails at once, as offline. */
  envp = g_environ_setenv (envp, "NOVOFON_API_URL", "http://127.0.0.1:9", TRUE);
  port_text = g_strdup_printf ("%u", port);
  argv[0] = program;
  argv[1] = "--data-dir";
  argv[2] = size->dir;
  argv[3] = "listen";
  argv[4] = "--bind";
  argv[5] = "127.0.0.1";
  argv[6] = "--port";
  argv[7] = port_text;
  argv[8] = NULL;

  log_fd = open (log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (log_fd < 0)
    g_error ("Could not write %s: %s", log_path, g_strerror (errno));
  start = g_get_monotonic_time ();
  if (!g_spawn_async_with_pipes_and_fds (NULL, argv, (const char *const *) envp,
                                         G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                         -1, log_fd, log_fd, NULL, NULL, 0, &pid,
                                         NULL, NULL, NULL, &error))
    g_error ("Could not start %s: %s", program, error->message);
  close (log_fd);

  deadline = start + 120 * G_USEC_PER_SEC;
  while (!port_open (port))
    {
      if (waitpid (pid, &status, WNOHANG) == pid || g_get_monotonic_time () > deadline)
        {
          g_autofree char *said = NULL;

          g_file_get_contents (log_path, &said, NULL, NULL);
          g_error ("listen over %u calls never opened its port; it said:\n%s", size->n,
                   said != NULL ? said : "");
        }
      g_usleep (1000);
    }
  add_sample (size->listen_ms, (double) (g_get_monotonic_time () - start) / 1000.0);
  add_sample (size->listen_rss, (double) status_kib (pid, "VmRSS:") / 1024.0);
  g_usleep (SETTLE_MS * 1000);
  add_sample (size->listen_settled_rss, (double) status_kib (pid, "VmRSS:") / 1024.0);

  kill (pid, SIGTERM);
  if (waitpid (pid, &status, 0) != pid || !WIFEXITED (status) || WEXITSTATUS (status) != 0)
    {
      g_autofree char *said = NULL;

      g_file_get_contents (log_path, &said, NULL, NULL);
      g_error ("listen over %u calls did not stop well (status %d); it said:\n%s", size->n,
               status, said != NULL ? said : "");
    }
  g_spawn_close_pid (pid);
}

/* ------------------------------------------------------------------------------------ */
/* The parent: the table                                                                */

static guint n_compared;   /* sizes beside the baseline */

static const char *
verdict (gboolean met)
{
  if (n_compared == 0)
    return "no size to compare";
  return met ? "**met**" : "**not met**";
}

/* ", 1.05×" or " (+2.0 MB)" against the baseline; nothing for the baseline itself. */
static const char *
against (char     *buffer,
         gsize     size,
         guint     s,
         gboolean  ratio,
         double    value)
{
  buffer[0] = '\0';
  if (s > 0 && ratio)
    g_snprintf (buffer, size, ", %.2f×", value);
  else if (s > 0)
    g_snprintf (buffer, size, " (%+.1f)", value);
  return buffer;
}

static void
print_table (Size  *sizes,
             guint  n_sizes,
             guint  runs)
{
  Size *base = &sizes[0], *top = &sizes[n_sizes - 1];
  g_autofree char *base_n = thousands (base->n);
  g_autofree char *top_n = thousands (top->n);
  double worst_ratio = 0, worst_rss = 0, worst_listen_ratio = 0, worst_listen_rss = 0;
  char note[32];

  n_compared = n_sizes - 1;

  printf ("| what |");
  for (guint s = 0; s < n_sizes; s++)
    {
      g_autofree char *n = thousands (sizes[s].n);

      printf (" %s calls |", n);
    }
  printf (" goal (against %s calls) |\n| --- |", base_n);
  for (guint s = 0; s < n_sizes; s++)
    printf (" ---: |");
  printf (" --- |\n");

  printf ("| store on disk (5 000 clients, 8 employees, the calls, 2 events each) |");
  for (guint s = 0; s < n_sizes; s++)
    printf (" %.0f MB |", (double) sizes[s].disk / 1e6);
  printf ("  |\n");
  printf ("| filling it through nc_store_add_call_event_async() and set_call_client (this run) |");
  for (guint s = 0; s < n_sizes; s++)
    {
      if (sizes[s].fill_s > 0)
        printf (" %.0f s |", sizes[s].fill_s);
      else
        printf (" kept from an earlier run |");
    }
  printf ("  |\n");

  printf ("| console: exec → first frame of the window, median |");
  for (guint s = 0; s < n_sizes; s++)
    printf (" %.0f ms |", percentile (sizes[s].window_ms, 0.5));
  printf ("  |\n");

  printf ("| console: exec → the store open and the journal asking for its first page, median |");
  for (guint s = 0; s < n_sizes; s++)
    printf (" %.0f ms |", percentile (sizes[s].journal_ms, 0.5));
  printf ("  |\n");
  printf ("| console: exec → the first page in the journal's model (the reader thread reads the live calls first), median |");
  for (guint s = 0; s < n_sizes; s++)
    printf (" %.0f ms |", percentile (sizes[s].arrived_ms, 0.5));
  printf ("  |\n");
  printf ("| **console: exec → first frame with the journal's first page**, median of %u (min – max) |",
          runs);
  for (guint s = 0; s < n_sizes; s++)
    {
      double median = percentile (sizes[s].page_ms, 0.5);
      double ratio = median / percentile (base->page_ms, 0.5);

      if (s > 0)
        worst_ratio = MAX (worst_ratio, ratio);
      printf (" %.0f ms (%.0f – %.0f)%s |", median, percentile (sizes[s].page_ms, 0.0),
              worst (sizes[s].page_ms), against (note, sizeof note, s, TRUE, ratio));
    }
  printf (" ≤ 1.2×: %.2f× at worst, %s |\n", worst_ratio, verdict (worst_ratio <= 1.2));
  printf ("| … calls in the journal at that frame; row widgets in its list view |");
  for (guint s = 0; s < n_sizes; s++)
    printf (" %u; %u%s |", sizes[s].page_items, sizes[s].page_rows,
            sizes[s].list_mapped ? "" : " (list not shown: “No Calls Yet”)");
  printf ("  |\n");
  printf ("| console RSS at that frame, median |");
  for (guint s = 0; s < n_sizes; s++)
    printf (" %.1f MB |", percentile (sizes[s].page_rss, 0.5));
  printf ("  |\n");
  printf ("| **console RSS once settled** (journal quiet %d s), median |", SETTLE_MS / 1000);
  for (guint s = 0; s < n_sizes; s++)
    {
      double delta = percentile (sizes[s].settled_rss, 0.5) - percentile (base->settled_rss, 0.5);

      if (s > 0)
        worst_rss = MAX (worst_rss, delta);
      printf (" %.1f MB%s |", percentile (sizes[s].settled_rss, 0.5),
              against (note, sizeof note, s, FALSE, delta));
    }
  printf (" ≤ +30 MB: %+.1f MB at worst, %s |\n", worst_rss, verdict (worst_rss <= 30));
  printf ("| … calls in the journal then; row widgets |");
  for (guint s = 0; s < n_sizes; s++)
    printf (" %u; %u |", sizes[s].settled_items, sizes[s].settled_rows);
  printf ("  |\n");
  printf ("| console RSS after the filter changes / peak |");
  for (guint s = 0; s < n_sizes; s++)
    printf (" %.1f / %.1f MB |", sizes[s].done_rss, sizes[s].peak_rss);
  printf ("  |\n");

  printf ("| **`listen`: exec → port open**, median of %u (min – max) |", runs);
  for (guint s = 0; s < n_sizes; s++)
    {
      double median = percentile (sizes[s].listen_ms, 0.5);
      double ratio = median / percentile (base->listen_ms, 0.5);

      if (s > 0)
        worst_listen_ratio = MAX (worst_listen_ratio, ratio);
      printf (" %.0f ms (%.0f – %.0f)%s |", median, percentile (sizes[s].listen_ms, 0.0),
              worst (sizes[s].listen_ms), against (note, sizeof note, s, TRUE, ratio));
    }
  printf (" ≤ 1.2×: %.2f× at worst, %s |\n", worst_listen_ratio,
          verdict (worst_listen_ratio <= 1.2));
  printf ("| … for comparison, the store alone: the live calls read at every start (nc_store_list_live_calls_sync), median of 5; calls live |");
  for (guint s = 0; s < n_sizes; s++)
    printf (" %.1f ms; %u |", percentile (sizes[s].store.live, 0.5), sizes[s].store.n_live);
  printf ("  |\n");
  printf ("| **`listen` RSS when its port opened**, median |");
  for (guint s = 0; s < n_sizes; s++)
    {
      double delta = percentile (sizes[s].listen_rss, 0.5) - percentile (base->listen_rss, 0.5);

      if (s > 0)
        worst_listen_rss = MAX (worst_listen_rss, delta);
      printf (" %.1f MB%s |", percentile (sizes[s].listen_rss, 0.5),
              against (note, sizeof note, s, FALSE, delta));
    }
  printf (" ≤ +10 MB: %+.1f MB at worst, %s |\n", worst_listen_rss,
          verdict (worst_listen_rss <= 10));
  printf ("| `listen` RSS %d s later, median |", SETTLE_MS / 1000);
  for (guint s = 0; s < n_sizes; s++)
    printf (" %.1f MB |", percentile (sizes[s].listen_settled_rss, 0.5));
  printf ("  |\n");

  for (guint f = 0; f <= N_FILTERS; f++)
    {
      const char *title = f < N_FILTERS ? filters[f].title : "back to all";
      double p95 = percentile (top->answered[f], 0.95);

      printf ("| **journal filter: %s → rows in the model**, p50 / p95 / worst of %u |", title,
              top->answered[f]->len);
      for (guint s = 0; s < n_sizes; s++)
        printf (" %.1f / %.1f / %.1f ms |", percentile (sizes[s].answered[f], 0.5),
                percentile (sizes[s].answered[f], 0.95), worst (sizes[s].answered[f]));
      if (f < N_FILTERS)
        printf (" p95 < 50 ms at %s: %s |\n", top_n, verdict (p95 < 50));
      else
        printf ("  |\n");
      printf ("| … calls in the model; row widgets in the list view |");
      for (guint s = 0; s < n_sizes; s++)
        printf (" %u; %u |", sizes[s].items[f], sizes[s].rows[f]);
      printf ("  |\n");
      printf ("| … of which the change itself (nc_live_view_set_filter() returning), p50 / p95 |");
      for (guint s = 0; s < n_sizes; s++)
        printf (" %.1f / %.1f ms |", percentile (sizes[s].set[f], 0.5),
                percentile (sizes[s].set[f], 0.95));
      printf ("  |\n");
      printf ("| … of which the journal taking the page in (its answer's callback), p50 / p95 |");
      for (guint s = 0; s < n_sizes; s++)
        printf (" %.1f / %.1f ms |", percentile (sizes[s].taking[f], 0.5),
                percentile (sizes[s].taking[f], 0.95));
      printf ("  |\n");
      printf ("| … → rows painted, p50 / p95 |");
      for (guint s = 0; s < n_sizes; s++)
        printf (" %.1f / %.1f ms |", percentile (sizes[s].painted[f], 0.5),
                percentile (sizes[s].painted[f], 0.95));
      printf ("  |\n");
      printf ("| … for comparison, the store's query alone (nc_store_list_calls_sync, %u rows), p50 / p95 |",
              NC_JOURNAL_FIRST_PAGE);
      for (guint s = 0; s < n_sizes; s++)
        printf (" %.1f / %.1f ms |", percentile (sizes[s].store.query[f], 0.5),
                percentile (sizes[s].store.query[f], 0.95));
      printf ("  |\n");
      if (f < N_FILTERS && filters[f].text != NULL)
        {
          printf ("| … of which the clients the text finds (nc_store_search_clients_sync), p50; clients |");
          for (guint s = 0; s < n_sizes; s++)
            printf (" %.1f ms; %u |", percentile (sizes[s].store.search[f], 0.5),
                    sizes[s].store.clients[f]);
          printf ("  |\n");
        }
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *self_path = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *data_dir = NULL;
  g_autofree char *program = NULL;
  g_autofree char *calls = g_strdup ("0,100000,1000000");
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) sizes_text = NULL;
  g_autofree Size *sizes = NULL;
  g_autofree char *load_at_start = NULL;
  guint n_sizes, runs = 3, repeat = 25;
  gboolean temporary = FALSE;

  if (argc == 5 && strcmp (argv[1], "--child") == 0)
    return run_child (argv[2], argv[3], argv[4]);

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--calls") && i + 1 < argc)
        {
          g_free (calls);
          calls = g_strdup (argv[++i]);
        }
      else if (g_str_equal (argv[i], "--data-dir") && i + 1 < argc)
        {
          g_free (data_dir);
          data_dir = g_strdup (argv[++i]);
        }
      else if (g_str_equal (argv[i], "--program") && i + 1 < argc)
        {
          g_free (program);
          program = g_strdup (argv[++i]);
        }
      else if (g_str_equal (argv[i], "--runs") && i + 1 < argc)
        runs = (guint) atoi (argv[++i]);
      else if (g_str_equal (argv[i], "--repeat") && i + 1 < argc)
        repeat = (guint) atoi (argv[++i]);
      else
        {
          fprintf (stderr, "usage: %s [--calls N,N,…] [--data-dir DIR] [--runs R] "
                   "[--repeat K] [--program PATH]\n", argv[0]);
          return 2;
        }
    }
  runs = MAX (runs, 1);
  repeat = MAX (repeat, 1);
  if (program == NULL)
    {
      g_autofree char *here = g_path_get_dirname (self_path);

      program = g_build_filename (here, "..", "src", "novofon-console", NULL);
    }
  if (!g_file_test (program, G_FILE_TEST_IS_EXECUTABLE))
    g_error ("%s is not there: give --program", program);
  if (data_dir == NULL)
    {
      data_dir = g_dir_make_tmp ("nc-bench-journal-XXXXXX", &error);
      if (data_dir == NULL)
        g_error ("%s", error->message);
      temporary = TRUE;
    }

  sizes_text = g_strsplit (calls, ",", -1);
  n_sizes = g_strv_length (sizes_text);
  if (n_sizes == 0)
    g_error ("No sizes in --calls");
  sizes = g_new0 (Size, n_sizes);
  for (guint s = 0; s < n_sizes; s++)
    {
      Size *size = &sizes[s];

      size->n = (guint) g_ascii_strtoull (sizes_text[s], NULL, 10);
      size->dir = g_strdup_printf ("%s/journal-%u", data_dir, size->n);
      size->window_ms = samples_new ();
      size->journal_ms = samples_new ();
      size->arrived_ms = samples_new ();
      size->page_ms = samples_new ();
      size->page_rss = samples_new ();
      size->settled_rss = samples_new ();
      size->listen_ms = samples_new ();
      size->listen_rss = samples_new ();
      size->listen_settled_rss = samples_new ();
      for (guint f = 0; f <= N_FILTERS; f++)
        {
          size->answered[f] = samples_new ();
          size->painted[f] = samples_new ();
          size->set[f] = samples_new ();
          size->taking[f] = samples_new ();
        }
      size->fill_s = fill (size->dir, size->n);
      time_store (size->dir, repeat, &size->store);
    }

  /* In turns, so that whatever else the machine does falls on every size alike; the
   * filters in the last turn. */
  load_at_start = g_strdup (load_average ());
  for (guint r = 0; r < runs; r++)
    for (guint s = 0; s < n_sizes; s++)
      {
        Size *size = &sizes[s];
        g_autofree char *log_path = g_build_filename (data_dir, "listen.log", NULL);

        fprintf (stderr, "bench-journal: %u calls: the console and listen, run %u of %u\n",
                 size->n, r + 1, runs);
        run_console (size, self_path, r + 1 == runs ? repeat : 0);
        run_listen (size, program, log_path);
        size->disk = du_bytes (size->dir);
      }

  print_table (sizes, n_sizes, runs);
  printf ("\nLoad average (1, 5, 15 min) as the runs began: %s; as they ended: %s.\n",
          load_at_start, load_average ());
  fflush (stdout);

  if (temporary)
    {
      g_autofree char *command = g_strdup_printf ("rm -rf '%s'", data_dir);

      if (system (command) != 0)
        g_warning ("Could not remove %s", data_dir);
    }
  return 0;
}
