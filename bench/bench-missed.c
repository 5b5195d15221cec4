/* bench-missed.c — the Missed page's query at 10 000 and 1 000 000 call rows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Issue 16: "no cost grows with history". The clients to call back are rows the writer
 * keeps (missed_calls, one per client); the page reads the first 60 of them, oldest wait
 * first, and counts the waiting ones (nc_store_list_missed_sync(): what NcMissedList asks
 * when the page opens and after every change). This measures, in one process and in turns
 * (so that whatever else the machine does falls on each alike):
 *   - after: that read on a store of 10 000 call rows and on one of 1 000 000;
 *   - before: the same answer computed from the calls themselves, as a view without the
 *     table would (a scan of every unanswered incoming call with a client, each looking
 *     for a later answered call of its client through calls_by_client), on the same
 *     stores, through a read-only sqlite3 connection of its own.
 * The figures are medians (and the worst) of --repeat reads of each, and the ratios
 * 1 000 000 / 10 000 of each, side by side.
 *
 * The stores are filled through the writer's own path for call rows
 * (nc_store_add_recovered_calls_sync(): nc_store_write_call(), where missed_calls is kept,
 * in the savepoint of each row), 10 000 rows a batch: 5 000 clients; 70 % of the calls with
 * one of them, the rest with numbers of no client; 70 % incoming; 20 % of all calls missed
 * (incoming, not answered), 15 % outgoing not answered, the rest answered; spread evenly
 * over the year before the fill, in order. The folder is kept (--data-dir) with a mark
 * file, and used as it is by later runs.
 *
 * Usage: bench-missed [--calls N,N] [--data-dir DIR] [--repeat K]
 */

#include "config.h"

#include <sqlite3.h>
#include <glib/gstdio.h>

#include "bench-util.h"
#include "nc-missed.h"

#define CLIENTS 5000
#define PAGE 60
#define BATCH 10000

static guint32
mix (guint32 x)
{
  x ^= x >> 16;
  x *= 0x7feb352dU;
  x ^= x >> 15;
  x *= 0x846ca68bU;
  x ^= x >> 16;
  return x;
}

static char *
client_phone (guint k)
{
  return g_strdup_printf ("7903%07u", k);
}

static void
add_clients (NcStore *store)
{
  g_autoptr(GPtrArray) drafts = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;

  for (guint k = 0; k < CLIENTS; k++)
    {
      g_autofree char *name = g_strdup_printf ("Client %u", k);
      g_autofree char *phone = client_phone (k);
      NcClient *client = nc_client_new (0, name, NC_CHANNEL_TELEPHONY, phone, 0);

      nc_client_take_variables (client, g_ptr_array_new_with_free_func ((GDestroyNotify) nc_variable_free));
      g_ptr_array_add (drafts, client);
    }
  if (!nc_store_add_clients_sync (store, drafts, NULL, &error))
    g_error ("clients: %s", error->message);
}

static NcCallRecord *
make_call (guint  i,
           guint  n,
           gint64 year_start)
{
  guint32 r = mix (i + 1);
  NcCallRecord *record = nc_call_record_new (NULL);
  guint kind = r % 100;
  gboolean with_client = (r >> 8) % 100 < 70;
  guint client = (r >> 16) % CLIENTS;

  g_free (record->pbx_call_id);
  record->pbx_call_id = g_strdup_printf ("bench-%u", i);
  record->started_unix = year_start + (gint64) i * (365 * 24 * 3600) / MAX (n, 1);
  record->started_at = nc_call_format_pbx_time (record->started_unix);
  record->first_seen_us = record->started_unix * G_USEC_PER_SEC;
  record->state = NC_CALL_STATE_ENDED;
  /* 20 % missed, 15 % outgoing not answered, 50 % incoming answered, 15 % out answered. */
  record->direction = kind < 20 || (kind >= 35 && kind < 85) ? NC_CALL_DIRECTION_IN
                                                             : NC_CALL_DIRECTION_OUT;
  record->answered = kind >= 35;
  record->duration = record->answered ? 30 + r % 570 : 0;
  record->disposition = g_strdup (record->answered ? "answered" : "no answer");
  record->client_number = with_client ? client_phone (client)
                                      : g_strdup_printf ("7916%07u", (r >> 4) % 10000000);
  record->employee = g_strdup_printf ("%u", 101 + r % 8);
  if (with_client)
    {
      record->client_id = client + 1;  /* the clients are the store's first rows */
      record->match_rule = g_strdup ("phone");
    }
  return record;
}

static void
fill (const char *dir,
      guint       n)
{
  g_autofree char *mark = g_build_filename (dir, "filled", NULL);
  g_autoptr(NcStore) store = NULL;
  g_autoptr(GError) error = NULL;
  gint64 year_start = g_get_real_time () / G_USEC_PER_SEC - 366 * 24 * 3600;
  gint64 began = g_get_monotonic_time ();

  if (g_file_test (mark, G_FILE_TEST_EXISTS))
    return;
  nc_bench_remove_tree (dir);
  g_mkdir_with_parents (dir, 0700);
  store = nc_store_open_sync (dir, &error);
  if (store == NULL)
    g_error ("open %s: %s", dir, error->message);
  add_clients (store);
  for (guint i = 0; i < n; i += BATCH)
    {
      g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func ((GDestroyNotify) nc_call_record_free);

      for (guint j = i; j < MIN (n, i + BATCH); j++)
        g_ptr_array_add (batch, make_call (j, n, year_start));
      if (nc_store_add_recovered_calls_sync (store, batch, &error) != batch->len)
        g_error ("fill: %s", error != NULL ? error->message : "calls were known already");
    }
  nc_store_close (store);
  g_file_set_contents (mark, "", 0, NULL);
  g_printerr ("filled %u calls in %.1f s\n", n, (g_get_monotonic_time () - began) / 1e6);
}

/* The answer without missed_calls: every waiting client, from the calls. */
static const char naive_sql[] =
  "SELECT c.client_id, MIN (c.started_unix), COUNT (*) FROM calls AS c "
  "WHERE c.client_id IS NOT NULL AND c.state = 2 AND c.direction = 0 AND c.answered = 0 "
  "AND NOT EXISTS (SELECT 1 FROM calls AS d WHERE d.client_id = c.client_id AND "
  "d.state = 2 AND d.answered = 1 AND d.started_unix >= c.started_unix) "
  "GROUP BY c.client_id ORDER BY MIN (c.started_unix), c.client_id";

static double
naive_read (sqlite3 *db,
            guint   *out_waiting)
{
  sqlite3_stmt *stmt = NULL;
  gint64 began = g_get_monotonic_time ();
  guint rows = 0;

  if (sqlite3_prepare_v2 (db, naive_sql, -1, &stmt, NULL) != SQLITE_OK)
    g_error ("naive: %s", sqlite3_errmsg (db));
  while (sqlite3_step (stmt) == SQLITE_ROW)
    rows++;
  sqlite3_finalize (stmt);
  *out_waiting = rows;
  return (g_get_monotonic_time () - began) / 1000.0;
}

static double
page_read (NcStore *store,
           guint   *out_waiting)
{
  gint64 began = g_get_monotonic_time ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) page = nc_store_list_missed_sync (store, 0, 0, PAGE, &error);
  double ms = (g_get_monotonic_time () - began) / 1000.0;

  if (page == NULL)
    g_error ("page: %s", error->message);
  *out_waiting = nc_store_count_missed_sync (store, NULL);
  return ms;
}

static double
median (GArray *samples)
{
  g_array_sort (samples, nc_bench_compare_doubles);
  return g_array_index (samples, double, samples->len / 2);
}

static double
worst (GArray *samples)
{
  g_array_sort (samples, nc_bench_compare_doubles);
  return g_array_index (samples, double, samples->len - 1);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *calls_arg = NULL;
  g_autofree char *data_dir = NULL;
  int repeat = 25;
  GOptionEntry entries[] = {
    { "calls", 0, 0, G_OPTION_ARG_STRING, &calls_arg, "sizes", "N,N" },
    { "data-dir", 0, 0, G_OPTION_ARG_FILENAME, &data_dir, "where the stores are kept", "DIR" },
    { "repeat", 0, 0, G_OPTION_ARG_INT, &repeat, "reads of each", "K" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) sizes = NULL;
  NcStore *stores[2];
  sqlite3 *dbs[2];
  GArray *after[2], *before[2];
  guint waiting[2] = { 0, 0 }, naive_waiting[2] = { 0, 0 };
  guint n[2];
  char load[64] = "";
  g_autofree char *loadavg = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    g_error ("%s", error->message);
  sizes = g_strsplit (calls_arg != NULL ? calls_arg : "10000,1000000", ",", 2);
  if (data_dir == NULL)
    data_dir = g_dir_make_tmp ("bench-missed-XXXXXX", NULL);

  for (guint s = 0; s < 2; s++)
    {
      g_autofree char *name = NULL;
      g_autofree char *dir = NULL;
      g_autofree char *path = NULL;

      n[s] = (guint) g_ascii_strtoull (sizes[s] != NULL ? sizes[s] : "0", NULL, 10);
      name = g_strdup_printf ("missed-%u", n[s]);
      dir = g_build_filename (data_dir, name, NULL);
      fill (dir, n[s]);
      stores[s] = nc_store_open_sync (dir, &error);
      if (stores[s] == NULL)
        g_error ("open: %s", error->message);
      path = g_build_filename (dir, NC_STORE_FILE_NAME, NULL);
      if (sqlite3_open_v2 (path, &dbs[s], SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        g_error ("sqlite3: %s", sqlite3_errmsg (dbs[s]));
      after[s] = g_array_new (FALSE, FALSE, sizeof (double));
      before[s] = g_array_new (FALSE, FALSE, sizeof (double));
    }

  /* A read of each before the timed ones: the pages in the cache, as in a console that runs. */
  for (guint s = 0; s < 2; s++)
    {
      page_read (stores[s], &waiting[s]);
      naive_read (dbs[s], &naive_waiting[s]);
      if (waiting[s] != naive_waiting[s])
        g_error ("%u calls: the table says %u clients wait, the calls %u", n[s], waiting[s],
                 naive_waiting[s]);
    }
  for (int i = 0; i < repeat; i++)
    for (guint s = 0; s < 2; s++)
      {
        double ms = page_read (stores[s], &waiting[s]);

        g_array_append_val (after[s], ms);
        /* The scan is slow at a million: a fifth as many of it. */
        if (i % 5 == 0)
          {
            ms = naive_read (dbs[s], &naive_waiting[s]);
            g_array_append_val (before[s], ms);
          }
      }

  if (g_file_get_contents ("/proc/loadavg", &loadavg, NULL, NULL))
    g_strlcpy (load, loadavg, MIN (sizeof load, (gsize) (strchr (loadavg, ' ') - loadavg + 1)));
  printf ("| what | %u calls | %u calls | ratio |\n| --- | ---: | ---: | ---: |\n", n[0], n[1]);
  printf ("| clients waiting | %u | %u | |\n", waiting[0], waiting[1]);
  printf ("| before: computed from the calls, median (worst) of %u | %.1f ms (%.1f) | %.1f ms (%.1f) | %.1f× |\n",
          before[0]->len, median (before[0]), worst (before[0]), median (before[1]),
          worst (before[1]), median (before[1]) / median (before[0]));
  printf ("| after: missed_calls, first page of %d and the count, median (worst) of %u | %.2f ms (%.2f) | %.2f ms (%.2f) | %.2f× |\n",
          PAGE, after[0]->len, median (after[0]), worst (after[0]), median (after[1]),
          worst (after[1]), median (after[1]) / median (after[0]));
  printf ("| after / before at %u calls | | %.4f | |\n", n[1],
          median (after[1]) / median (before[1]));
  printf ("| load average (1 min) at the end | %s | | |\n", load);

  for (guint s = 0; s < 2; s++)
    {
      sqlite3_close (dbs[s]);
      nc_store_close (stores[s]);
      g_object_unref (stores[s]);
      g_array_unref (after[s]);
      g_array_unref (before[s]);
    }
  return 0;
}
