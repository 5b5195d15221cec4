/* bench-million.c — the real window over a million clients: first frame, memory, search
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The parent fills a store with N clients of ten variables each through the store's own
 * API (the only write path there is, so the search and phone indexes are the ones the
 * application keeps), unless the data folder already holds them. It then spawns this same
 * program as the application on that folder and takes the time from exec to the first
 * frame painted with clients in the list.
 *
 * The list is NcClientList: the first page of what a search finds, read from the store,
 * the next ones as the reader scrolls. The child, once the list is shown and the start-up
 * reads are over, types into the search entry as a user does, one keystroke after another (a name prefix, then a phone
 * fragment): each key press inserts its character at the end of the entry's text, as the
 * entry does. (Setting the whole text, as nc_clients_view_search() does, first empties the
 * entry, which GtkSearchEntry answers at once with an empty search.) For each keystroke
 * it measures:
 *   - answered: from setting the text until the list model holds the new results (the
 *     list says it is the answer to the text; a page that is the same as the one shown
 *     changes nothing in the model);
 *   - of which debounce: GtkSearchEntry's search-delay before "search-changed";
 *   - search: from "search-changed" until the results are in the model (the store's
 *     query on the reader thread, and the model filled on the main context);
 *   - painted: until the frame that shows them.
 * and reports them to the parent over a pipe, with its resident memory.
 *
 * Usage: bench-million [--clients N] [--data-dir DIR]   (under tests/harness/session-run)
 *   Without --data-dir a temporary folder is filled and removed; with it, a folder already
 *   filled with N clients by this program is used as it is.
 */

#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib-unix.h>
#include <glib/gstdio.h>

#include "nc-application.h"
#include "nc-clients-view.h"
#include "bench-util.h"

#define BATCH 10000
#define SETTLE_MS 5000
#define FILLED_MARK "bench-million-filled"

/* ------------------------------------------------------------------------------------ */
/* The parent: filling                                                                  */

static const char *const first_names[] = {
  "Иван", "Ольга", "Сергей", "Анна", "Дмитрий", "Мария", "Алексей", "Елена", "Павел",
  "Наталья", "Михаил", "Татьяна", "Андрей", "Ирина", "Николай", "Светлана", "Юрий", "Ксения",
  "Олег", "Дарья",
};
static const char *const last_names[] = {
  "Петров", "Смирнов", "Кузнецов", "Попов", "Васильев", "Соколов", "Михайлов", "Новиков",
  "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров", "Павлов",
  "Козлов", "Степанов", "Николаев", "Орлов", "Андреев", "Макаров", "Никитин", "Захаров",
  "Зайцев", "Соловьёв", "Борисов", "Яковлев", "Григорьев", "Романов",
};
static const char *const cities[] = {
  "Москва", "Санкт-Петербург", "Казань", "Тверь", "Самара", "Екатеринбург", "Новосибирск",
};
static const char *const tariffs[] = { "Базовый", "Бизнес", "Премиум" };
static const char *const sources[] = { "сайт", "реклама", "рекомендация", "выставка" };

/* Seven digits spread over the whole range, distinct for distinct i below 10 000 000. */
static guint
spread (guint i,
        guint salt)
{
  return (guint) (((guint64) i * 7919 + salt) % 10000000);
}

static NcClient *
make_client (guint i)
{
  gboolean woman = (i % G_N_ELEMENTS (first_names)) % 2 == 1;
  guint mobile = spread (i, 17), work = spread (i, 4242), own = spread (i, 99991);
  g_autofree char *name = g_strdup_printf ("%s%s %s",
                                           last_names[(i / G_N_ELEMENTS (first_names)) %
                                                      G_N_ELEMENTS (last_names)],
                                           woman ? "а" : "",
                                           first_names[i % G_N_ELEMENTS (first_names)]);
  g_autofree char *phone = g_strdup_printf ("7903%07u", own);
  GPtrArray *variables = g_ptr_array_new_with_free_func ((GDestroyNotify) nc_variable_free);
  NcClient *client = nc_client_new (0, name, i % 3 == 0 ? NC_CHANNEL_WHATSAPP
                                                        : NC_CHANNEL_TELEPHONY,
                                    phone, 0);

#define ADD(name, ...) G_STMT_START { \
    g_autofree char *value_ = g_strdup_printf (__VA_ARGS__); \
    g_ptr_array_add (variables, nc_variable_new (name, value_)); \
  } G_STMT_END
  /* Numbers typed the ways people type them. */
  ADD ("mobile", "+7 (916) %03u-%02u-%02u", mobile / 10000, mobile / 100 % 100, mobile % 100);
  ADD ("work phone", "8 495 %03u %02u %02u", work / 10000, work / 100 % 100, work % 100);
  ADD ("email", "client%u@example.ru", i);
  ADD ("city", "%s", cities[i % G_N_ELEMENTS (cities)]);
  ADD ("company", "ООО «Компания %u»", i / 7);
  ADD ("manager", "%s", first_names[(i / 3) % G_N_ELEMENTS (first_names)]);
  ADD ("tariff", "%s", tariffs[i % G_N_ELEMENTS (tariffs)]);
  ADD ("source", "%s", sources[i % G_N_ELEMENTS (sources)]);
  ADD ("birthday", "%02u.%02u.%u", 1 + i % 28, 1 + i / 28 % 12, 1950 + i % 55);
  ADD ("note", "договор %u от %02u.%02u", i, 1 + i % 28, 1 + i % 12);
#undef ADD
  nc_client_take_variables (client, variables);
  return client;
}

typedef struct
{
  NcStore   *store;
  GPtrArray *drafts;
  GError    *error;
} Batch;

/* The store writes one batch while the next is made: two cores, two halves of the work. */
static gpointer
write_batch (gpointer data)
{
  Batch *batch = data;

  nc_store_add_clients_sync (batch->store, batch->drafts, NULL, &batch->error);
  g_clear_pointer (&batch->drafts, g_ptr_array_unref);
  return NULL;
}

static void
join_batch (GThread **writer,
            Batch    *batch)
{
  if (*writer == NULL)
    return;
  g_thread_join (g_steal_pointer (writer));
  if (batch->error != NULL)
    g_error ("Could not fill the store: %s", batch->error->message);
}

static double
fill (const char *dir,
      guint       n)
{
  g_autofree char *mark = g_build_filename (dir, FILLED_MARK, NULL);
  g_autofree char *expected = g_strdup_printf ("%u\n", n);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(NcStore) store = NULL;
  Batch batch = { 0 };
  GThread *writer = NULL;
  gint64 start;

  if (g_file_get_contents (mark, &contents, NULL, NULL) && g_str_equal (contents, expected))
    return 0;

  store = nc_store_open_sync (dir, &error);
  if (store == NULL)
    g_error ("%s", error->message);
  batch.store = store;

  start = g_get_monotonic_time ();
  for (guint first = 0; first < n; first += BATCH)
    {
      GPtrArray *drafts = g_ptr_array_new_with_free_func (g_object_unref);

      for (guint i = first; i < MIN (n, first + BATCH); i++)
        g_ptr_array_add (drafts, make_client (i));
      join_batch (&writer, &batch);
      batch.drafts = drafts;
      writer = g_thread_new ("bench-fill", write_batch, &batch);
    }
  join_batch (&writer, &batch);
  nc_store_close (store);

  if (!g_file_set_contents (mark, expected, -1, &error))
    g_error ("%s", error->message);
  return (double) (g_get_monotonic_time () - start) / 1e6;
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

/* ------------------------------------------------------------------------------------ */
/* The keystrokes                                                                       */

typedef struct
{
  const char *label;
  const char *text;
} Keystroke;

/* A name prefix and a phone fragment, typed one character after another. */
static const Keystroke keystrokes[] = {
  { "name", "С" }, { "name", "См" }, { "name", "Сми" }, { "name", "Смир" },
  { "name", "Смирно" }, { "name", "Смирнова" }, { "name", "Смирнова О" },
  { "name", "Смирнова Ол" },
  { "phone", "9" }, { "phone", "91" }, { "phone", "916" }, { "phone", "916 4" },
  { "phone", "916 42" }, { "phone", "916 427" }, { "phone", "916 427-3" },
  { "phone", "916 427-31" },
};

/* ------------------------------------------------------------------------------------ */
/* The parent: the store alone, for comparison                                           */

#define SEARCH_LIMIT NC_CLIENT_LIST_FIRST_PAGE   /* what the clients view asks for */

typedef struct
{
  double list_ms;                          /* every client, without variables */
  double search_ms[G_N_ELEMENTS (keystrokes)];
  double async_ms[G_N_ELEMENTS (keystrokes)];   /* in the application, asynchronously */
} StoreTimes;

static void
time_store (const char *dir,
            StoreTimes *times)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NcStore) store = nc_store_open_sync (dir, &error);
  g_autoptr(GPtrArray) clients = NULL;
  gint64 start;

  if (store == NULL)
    g_error ("%s", error->message);

  start = g_get_monotonic_time ();
  clients = nc_store_list_clients_sync (store, FALSE, &error);
  if (clients == NULL)
    g_error ("%s", error->message);
  times->list_ms = (double) (g_get_monotonic_time () - start) / 1000.0;

  for (guint i = 0; i < G_N_ELEMENTS (keystrokes); i++)
    {
      g_autoptr(GPtrArray) page = NULL;

      start = g_get_monotonic_time ();
      /* What the list asks for: the first page of the clients found, rows and all. */
      page = nc_store_find_clients_sync (store, keystrokes[i].text, 0, 0, SEARCH_LIMIT, &error);
      if (page == NULL)
        g_error ("%s", error->message);
      times->search_ms[i] = (double) (g_get_monotonic_time () - start) / 1000.0;
    }
  nc_store_close (store);
}

/* ------------------------------------------------------------------------------------ */
/* The child: the application                                                           */

static NcApplication *app;

static struct
{
  NcClientsView *view;
  NcClientList  *list;       /* once the store is open */
  GListModel    *shown;      /* the list view's model */
  GtkWidget     *window;
  GtkEditable   *entry;
  guint          loads;      /* splices of every client into the list */
  gint64         last_load;
  gboolean       list_painted;
  guint          settle_source;
  guint          next;       /* keystroke */
  gint64         typed;
  gint64         changed;
  gint64         filling;    /* the view's answer callback changed its first model */
  gint64         answered;
  guint          answer_idle;
  guint          results;
  gboolean       waiting;
} child;

static long
status_kib (const char *field)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, field);
  return line != NULL ? strtol (line + strlen (field), NULL, 10) : -1;
}

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

static void type_next (void);

static void
keystroke_painted (GdkFrameClock *clock,
                   gpointer       user_data)
{
  gint64 painted = g_get_monotonic_time ();
  const Keystroke *keystroke = &keystrokes[child.next];

  g_signal_handlers_disconnect_by_func (clock, keystroke_painted, user_data);
  nc_bench_report ("key %s\t%s\t%u\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\n", keystroke->label, keystroke->text,
          child.results, (double) (child.answered - child.typed) / 1000.0,
          (double) (child.changed - child.typed) / 1000.0,
          (double) (child.answered - child.changed) / 1000.0,
          (double) (child.answered - child.filling) / 1000.0,
          (double) (painted - child.typed) / 1000.0);
  child.next++;
  type_next ();
}

/* Runs right after the dispatch that changed the model, i.e. once the view's answer
 * callback returned with every result in place. */
static gboolean
answer_complete (gpointer user_data)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (child.window);

  child.answer_idle = 0;
  child.answered = g_get_monotonic_time ();
  /* The page was the one shown: the model did not change. */
  if (child.filling == 0)
    child.filling = child.answered;
  child.results = g_list_model_get_n_items (child.shown);
  child.waiting = FALSE;
  g_signal_connect (clock, "after-paint", G_CALLBACK (keystroke_painted), NULL);
  gdk_frame_clock_request_phase (clock, GDK_FRAME_CLOCK_PHASE_PAINT);
  return G_SOURCE_REMOVE;
}

static void
list_answered (NcClientList *list)
{
  /* Only an answer after this keystroke's "search-changed" is its answer. */
  if (child.waiting && child.changed != 0 && child.answer_idle == 0 &&
      nc_client_list_get_answered (list))
    child.answer_idle = g_idle_add_full (G_PRIORITY_HIGH, answer_complete, NULL, NULL);
}

/* Emission hooks run before any handler: the first change of any list model after
 * "search-changed" is the view's answer callback putting the results in (the store has
 * answered by then), before the list view has seen a thing. */
static gboolean
items_changed_hook (GSignalInvocationHint *hint,
                    guint                  n_params,
                    const GValue          *params,
                    gpointer               user_data)
{
  if (child.waiting && child.changed != 0 && child.filling == 0)
    child.filling = g_get_monotonic_time ();
  return TRUE;
}

static gboolean
search_changed_hook (GSignalInvocationHint *hint,
                     guint                  n_params,
                     const GValue          *params,
                     gpointer               user_data)
{
  if (child.waiting && child.changed == 0)
    child.changed = g_get_monotonic_time ();
  return TRUE;
}

static gboolean
quit_app (gpointer user_data)
{
  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
  return G_SOURCE_REMOVE;
}

static void
type_next (void)
{
  const char *text;
  const char *shown_text;
  int position;

  if (child.next >= G_N_ELEMENTS (keystrokes))
    {
      nc_bench_report ("done %ld %ld\n", status_kib ("VmRSS:"), status_kib ("VmHWM:"));
      g_idle_add (quit_app, NULL);
      return;
    }

  text = keystrokes[child.next].text;
  shown_text = gtk_editable_get_text (child.entry);
  if (!g_str_has_prefix (text, shown_text))
    {
      /* A new word: the entry is emptied first (which shows every client at once), and
       * typing starts once that is done. */
      gtk_editable_delete_text (child.entry, 0, -1);
      g_timeout_add_once (500, (GSourceOnceFunc) type_next, NULL);
      return;
    }

  /* One key press: the new character inserted at the end, as the entry does it. */
  position = (int) g_utf8_strlen (shown_text, -1);
  child.waiting = TRUE;
  child.changed = 0;
  child.filling = 0;
  child.typed = g_get_monotonic_time ();
  gtk_editable_insert_text (child.entry, text + strlen (shown_text), -1, &position);
}

/* Before the typing, each search asked of the application's own store through the
 * asynchronous API the view uses, answered on this main context: the store's part of a
 * keystroke, in the application, without the view. */
static guint asked;
static gint64 asked_at;

static void ask_store_next (void);

static void
store_answered (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GPtrArray) page = nc_store_find_clients_finish (NC_STORE (source), result, NULL);

  nc_bench_report ("astore %u %.2f\n", asked, (double) (g_get_monotonic_time () - asked_at) / 1000.0);
  asked++;
  ask_store_next ();
}

static void
ask_store_next (void)
{
  if (asked >= G_N_ELEMENTS (keystrokes))
    {
      type_next ();
      return;
    }
  asked_at = g_get_monotonic_time ();
  nc_store_find_clients_async (nc_session_get_store (nc_application_get_session (app)),
                               keystrokes[asked].text, 0, 0, SEARCH_LIMIT, NULL, store_answered,
                               NULL);
}

/* The start-up reads are over when the list has been quiet for a while. */
static gboolean
settled (gpointer user_data)
{
  if (g_get_monotonic_time () - child.last_load < SETTLE_MS * 1000)
    return G_SOURCE_CONTINUE;

  child.settle_source = 0;
  nc_bench_report ("settled %u %.0f %ld\n", child.loads, (double) child.last_load / 1000.0,
          status_kib ("VmRSS:"));
  ask_store_next ();
  return G_SOURCE_REMOVE;
}

static void
list_painted (GdkFrameClock *clock,
              gpointer       user_data)
{
  g_signal_handlers_disconnect_by_func (clock, list_painted, user_data);
  nc_bench_report ("list %u %ld\n", g_list_model_get_n_items (child.shown), status_kib ("VmRSS:"));
  child.settle_source = g_timeout_add (250, settled, NULL);
}

static void
all_changed (GListModel *model,
             guint       position,
             guint       removed,
             guint       added,
             gpointer    user_data)
{
  GdkFrameClock *clock;
  guint n_items = g_list_model_get_n_items (model);

  if (added == 0 || child.next > 0 || child.waiting)
    return;
  if (child.list == NULL)
    {
      child.list = nc_clients_view_get_list (child.view);
      g_signal_connect (child.list, "notify::answered", G_CALLBACK (list_answered), NULL);
    }

  /* The view reads its first page, then the rest a large page at a time: each reading
   * is reported with how many clients the list has then; a reading that replaced the
   * whole list is a new reading from the start. */
  if (added == n_items)
    child.loads++;
  child.last_load = g_get_monotonic_time ();
  nc_bench_report ("load %.0f %u\n", (double) child.last_load / 1000.0, n_items);
  if (child.list_painted)
    return;
  child.list_painted = TRUE;
  clock = gtk_widget_get_frame_clock (child.window);
  g_signal_connect (clock, "after-paint", G_CALLBACK (list_painted), NULL);
  gdk_frame_clock_request_phase (clock, GDK_FRAME_CLOCK_PHASE_PAINT);
}

static void
window_painted (GdkFrameClock *clock,
                gpointer       user_data)
{
  g_signal_handlers_disconnect_by_func (clock, window_painted, user_data);
  nc_bench_report ("window %.0f\n", (double) g_get_monotonic_time () / 1000.0);
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
  GtkWidget *list_view;

  if (child.view != NULL)
    return;
  child.window = GTK_WIDGET (window);
  /* Presenting a toplevel maps it at once, before this handler runs. */
  if (gtk_widget_get_mapped (child.window))
    window_mapped (child.window);
  else
    g_signal_connect (window, "map", G_CALLBACK (window_mapped), NULL);
  child.view = NC_CLIENTS_VIEW (find_descendant (GTK_WIDGET (window), NC_TYPE_CLIENTS_VIEW));
  list_view = find_descendant (GTK_WIDGET (child.view), GTK_TYPE_LIST_VIEW);
  child.entry = GTK_EDITABLE (find_descendant (GTK_WIDGET (child.view),
                                                GTK_TYPE_SEARCH_ENTRY));
  g_assert (child.view != NULL && list_view != NULL && child.entry != NULL);

  /* Before any search the view shows every client, a page at a time. */
  child.shown = G_LIST_MODEL (gtk_list_view_get_model (GTK_LIST_VIEW (list_view)));
  g_signal_connect (child.shown, "items-changed", G_CALLBACK (all_changed), NULL);
  g_signal_add_emission_hook (g_signal_lookup ("search-changed", GTK_TYPE_SEARCH_ENTRY), 0,
                              search_changed_hook, NULL, NULL);
  g_signal_add_emission_hook (g_signal_lookup ("items-changed", G_TYPE_LIST_MODEL), 0,
                              items_changed_hook, NULL, NULL);
}

static int
run_child (const char *fd_text,
           const char *data_dir)
{
  char *argv[] = { (char *) "novofon-console", (char *) "--data-dir", (char *) data_dir, NULL };

  nc_bench_report_to (atoi (fd_text));
  app = nc_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_signal_connect_after (app, "activate", G_CALLBACK (activated), NULL);
  return g_application_run (G_APPLICATION (app), 3, argv);
}

/* ------------------------------------------------------------------------------------ */
/* The parent: the run and the table                                                    */

typedef struct
{
  char   *label;
  char   *text;
  guint   results;
  double  answered, debounce, search, filling, painted;
} Key;

static void
print_summary (GPtrArray        *keys,
               const StoreTimes *store_times,
               const char       *label,
               const char       *title)
{
  g_autoptr(GArray) store = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) async = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) answered = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) search = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) painted = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) filling = g_array_new (FALSE, FALSE, sizeof (double));
  double debounce = 0;

  for (guint i = 0; i < keys->len; i++)
    {
      Key *key = keys->pdata[i];

      if (!g_str_equal (key->label, label))
        continue;
      g_array_append_val (answered, key->answered);
      g_array_append_val (store, store_times->search_ms[i]);
      g_array_append_val (async, store_times->async_ms[i]);
      g_array_append_val (search, key->search);
      g_array_append_val (painted, key->painted);
      g_array_append_val (filling, key->filling);
      debounce = MAX (debounce, key->debounce);
    }
  if (answered->len == 0)
    return;
  g_array_sort (answered, nc_bench_compare_doubles);
  g_array_sort (search, nc_bench_compare_doubles);
  g_array_sort (painted, nc_bench_compare_doubles);
  g_array_sort (store, nc_bench_compare_doubles);
  g_array_sort (async, nc_bench_compare_doubles);
  g_array_sort (filling, nc_bench_compare_doubles);
#define MEDIAN(a) g_array_index (a, double, (a)->len / 2)
#define MAXIMUM(a) g_array_index (a, double, (a)->len - 1)
  printf ("| search keystroke, %s (%u keys): typed → results in the list model, median / worst "
          "| %.0f / %.0f ms |\n", title, answered->len, MEDIAN (answered), MAXIMUM (answered));
  printf ("| … of which GtkSearchEntry's search-delay (debounce) | %.0f ms |\n", debounce);
  printf ("| … of which the search: search-changed → results in the model, median / worst "
          "| %.1f / %.1f ms |\n", MEDIAN (search), MAXIMUM (search));
  printf ("| … of which the view taking the answer in (from its first model change to the "
          "end of its callback: the list view's work included), median / worst "
          "| %.1f / %.1f ms |\n", MEDIAN (filling), MAXIMUM (filling));
  printf ("| … for comparison, the store's query alone (the list's first page: at most %u "
          "clients), median / worst | %.1f / %.1f ms |\n", SEARCH_LIMIT, MEDIAN (store),
          MAXIMUM (store));
  printf ("| … the same query in the application, asynchronously (reader thread and back), "
          "median / worst | %.1f / %.1f ms |\n", MEDIAN (async), MAXIMUM (async));
  printf ("| search keystroke, %s: typed → results painted, median / worst | %.0f / %.0f ms |\n",
          title, MEDIAN (painted), MAXIMUM (painted));
#undef MEDIAN
#undef MAXIMUM
}

static void
key_free (Key *key)
{
  g_free (key->label);
  g_free (key->text);
  g_free (key);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *self_path = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *fd_text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GIOChannel) channel = NULL;
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func ((GDestroyNotify) key_free);
  gboolean temporary = FALSE;
  guint n = 1000000, loads = 0, listed = 0, first_page = 0;
  long list_rss = 0, settled_rss = 0, done_rss = 0, peak_rss = 0;
  double fill_s, list_ms = 0, window_ms = 0, first_load = 0, last_load = 0;
  StoreTimes store_times = { 0 };
  char *child_argv[5];
  char *line = NULL;
  int fds[2];
  gint64 start;
  GPid pid;

  if (argc == 4 && strcmp (argv[1], "--child") == 0)
    return run_child (argv[2], argv[3]);

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--clients") && i + 1 < argc)
        n = (guint) atoi (argv[++i]);
      else if (g_str_equal (argv[i], "--data-dir") && i + 1 < argc)
        data_dir = g_strdup (argv[++i]);
      else
        {
          fprintf (stderr, "usage: %s [--clients N] [--data-dir DIR]\n", argv[0]);
          return 2;
        }
    }
  if (data_dir == NULL)
    {
      data_dir = g_dir_make_tmp ("nc-bench-million-XXXXXX", &error);
      if (data_dir == NULL)
        g_error ("%s", error->message);
      temporary = TRUE;
    }

  fill_s = fill (data_dir, n);
  time_store (data_dir, &store_times);
  self_path = g_file_read_link ("/proc/self/exe", NULL);

  if (!g_unix_open_pipe (fds, 0, &error))
    g_error ("%s", error->message);
  fd_text = g_strdup_printf ("%d", fds[1]);
  child_argv[0] = self_path;
  child_argv[1] = (char *) "--child";
  child_argv[2] = fd_text;
  child_argv[3] = data_dir;
  child_argv[4] = NULL;

  start = g_get_monotonic_time ();
  if (!g_spawn_async_with_pipes_and_fds (NULL, (const char *const *) child_argv, NULL,
                                         G_SPAWN_LEAVE_DESCRIPTORS_OPEN, NULL, NULL,
                                         -1, -1, -1, NULL, NULL, 0, &pid,
                                         NULL, NULL, NULL, &error))
    g_error ("Could not start the application: %s", error->message);
  close (fds[1]);

  channel = g_io_channel_unix_new (fds[0]);
  g_io_channel_set_close_on_unref (channel, TRUE);
  while (g_io_channel_read_line (channel, &line, NULL, NULL, NULL) == G_IO_STATUS_NORMAL)
    {
      g_autofree char *owned = line;
      double now_ms = (double) (g_get_monotonic_time () - start) / 1000.0;

      g_strchomp (owned);
      if (g_str_has_prefix (owned, "list "))
        {
          list_ms = now_ms;
          sscanf (owned + 5, "%u %ld", &first_page, &list_rss);
        }
      else if (g_str_has_prefix (owned, "window "))
        window_ms = now_ms;
      else if (g_str_has_prefix (owned, "load "))
        {
          /* The child's clock is this one (CLOCK_MONOTONIC): when the list was filled. */
          char *end = NULL;
          guint count;

          last_load = g_ascii_strtod (owned + 5, &end) - (double) start / 1000.0;
          count = (guint) g_ascii_strtoull (end, NULL, 10);
          if (first_load == 0 && count == n)
            first_load = last_load;
          listed = count;
        }
      else if (g_str_has_prefix (owned, "astore "))
        {
          guint index;
          double ms;

          if (sscanf (owned + 7, "%u %lf", &index, &ms) == 2 &&
              index < G_N_ELEMENTS (keystrokes))
            store_times.async_ms[index] = ms;
        }
      else if (g_str_has_prefix (owned, "settled "))
        sscanf (owned + 8, "%u %*f %ld", &loads, &settled_rss);
      else if (g_str_has_prefix (owned, "key "))
        {
          g_auto(GStrv) fields = g_strsplit (owned + 4, "\t", -1);
          Key *key;

          if (g_strv_length (fields) != 8)
            g_error ("A bad report line: %s", owned);
          key = g_new0 (Key, 1);
          key->label = g_strdup (fields[0]);
          key->text = g_strdup (fields[1]);
          key->results = (guint) atoi (fields[2]);
          key->answered = g_ascii_strtod (fields[3], NULL);
          key->debounce = g_ascii_strtod (fields[4], NULL);
          key->search = g_ascii_strtod (fields[5], NULL);
          key->filling = g_ascii_strtod (fields[6], NULL);
          key->painted = g_ascii_strtod (fields[7], NULL);
          g_ptr_array_add (keys, key);
        }
      else if (g_str_has_prefix (owned, "done "))
        sscanf (owned + 5, "%ld %ld", &done_rss, &peak_rss);
    }
  g_spawn_close_pid (pid);
  if (list_ms == 0 || keys->len != G_N_ELEMENTS (keystrokes))
    g_error ("The application did not get through the benchmark");
  if (listed == 0)
    g_error ("The list shows no client of %u", n);

  printf ("| clients in the store (ten variables each); store on disk | %u; %.0f MB |\n", n,
          (double) du_bytes (data_dir) / 1e6);
  if (fill_s > 0)
    printf ("| filling the store through its API (generated, 10 000 a transaction) | %.0f s |\n",
            fill_s);
  printf ("| exec → first frame of the window (list still empty) | %.0f ms |\n", window_ms);
  if (first_load > 0)
    printf ("| exec → every client in the list model (read a page at a time) | %.0f ms |\n",
            first_load);
  else
    printf ("| clients in the list model once start-up settled (the rest read as the list is "
            "scrolled) | %u |\n", listed);
  printf ("| exec → first frame with the client list (its first %u clients) | %.0f ms |\n",
          first_page, list_ms);
  printf ("| … for comparison, the store alone: every client read (no variables) | %.0f ms |\n",
          store_times.list_ms);
  printf ("| RSS at that frame | %.0f MB |\n", (double) list_rss / 1024.0);
  if (loads > 1)
    printf ("| the whole list read again at start-up (%u reads; the last done at) | %.0f ms |\n",
            loads, last_load);
  printf ("| RSS once start-up settled / after the searches / peak | %.0f / %.0f / %.0f MB |\n",
          (double) settled_rss / 1024.0, (double) done_rss / 1024.0, (double) peak_rss / 1024.0);
  print_summary (keys, &store_times, "name", "name prefix “Смирнова Ол”");
  print_summary (keys, &store_times, "phone", "phone fragment “916 427-31”");
  fflush (stdout);

  /* Every keystroke, for whoever wants the detail. */
  for (guint i = 0; i < keys->len; i++)
    {
      Key *key = keys->pdata[i];

      fprintf (stderr, "%-6s %-22s %5u results  answered %6.1f ms (debounce %5.1f, search %6.1f"
               " of which filling %6.1f; the store alone %5.1f, in the application %5.1f)"
               "  painted %6.1f ms\n", key->label, key->text, key->results, key->answered,
               key->debounce, key->search, key->filling, store_times.search_ms[i],
               store_times.async_ms[i], key->painted);
    }

  if (temporary)
    {
      g_autofree char *command = g_strdup_printf ("rm -rf '%s'", data_dir);

      if (system (command) != 0)
        g_warning ("Could not remove %s", data_dir);
    }
  return 0;
}
