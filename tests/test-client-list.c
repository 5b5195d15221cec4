/* test-client-list.c — the clients a search finds, a page at a time: every match reached by
 * reading on, an answer that changes only what differs, and the store's changes followed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "nc-client-list.h"
#include "nc-test-util.h"

/* Each test runs on SQLite and, when the run has a PostgreSQL cluster, on PostgreSQL. */
typedef NcTestStore Fixture;

#define N_CLIENTS 500
/* Enough for a prefix that more than FEW_NAMES names begin with (nc-store-sqlite.c): the
 * store then reads it in the order of ids instead of from the name index. */
#define MANY_CLIENTS 3000

/* Client i: every third a Петров, the rest Смирнова; every second in Пермь; the phone
 * 7 900 111-ii-ii. */
static void
fill (NcStore *store,
      guint    n)
{
  g_autoptr(GPtrArray) drafts = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("%s %u", i % 3 == 0 ? "Иван Петров"
                                                                   : "Ольга Смирнова", i);
      g_autofree char *phone = g_strdup_printf ("7900111%04u", i);
      NcClient *client = nc_client_new (0, name, NC_CHANNEL_TELEPHONY, phone, 0);
      GPtrArray *variables = g_ptr_array_new_with_free_func ((GDestroyNotify) nc_variable_free);

      g_ptr_array_add (variables, nc_variable_new ("city", i % 2 == 0 ? "Пермь" : "Тверь"));
      nc_client_take_variables (client, variables);
      g_ptr_array_add (drafts, client);
    }
  g_assert_true (nc_store_add_clients_sync (store, drafts, NULL, &error));
  g_assert_no_error (error);
}

static gboolean
wake (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* Until the list has no read on its way nor waiting. */
static void
wait_quiet (NcClientList *list)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  guint waker = g_timeout_add (20, wake, NULL);

  while (nc_client_list_get_busy (list) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (waker);
  g_assert_false (nc_client_list_get_busy (list));
}

/* Reads on as a reader scrolling down does, until the list ends; returns how many pages
 * it took. */
static guint
read_to_the_end (NcClientList *list)
{
  guint pages = 1;

  wait_quiet (list);
  g_assert_true (nc_client_list_get_answered (list));
  g_assert_null (nc_client_list_get_problem (list));
  while (!nc_client_list_get_complete (list))
    {
      guint before = g_list_model_get_n_items (G_LIST_MODEL (list));

      nc_client_list_load_more (list);
      wait_quiet (list);
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), >=, before);
      g_assert_cmpuint (pages, <, 100);
      pages++;
    }
  return pages;
}

/* The ids the list holds, in its order. */
static GArray *
list_ids (NcClientList *list)
{
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (list)); i++)
    {
      g_autoptr(NcClient) client = g_list_model_get_item (G_LIST_MODEL (list), i);
      gint64 id = nc_client_get_id (client);

      g_array_append_val (ids, id);
    }
  return ids;
}

/* What the store's search finds, all of it, oldest first. */
static GArray *
search_ids (NcStore    *store,
            const char *text)
{
  g_autoptr(GError) error = NULL;
  GArray *ids = nc_store_search_clients_sync (store, text, G_MAXINT, &error);

  g_assert_no_error (error);
  return ids;
}

static void
assert_same_ids (GArray *a,
                 GArray *b)
{
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    g_assert_cmpint (g_array_index (a, gint64, i), ==, g_array_index (b, gint64, i));
}

/* Every client, and every match of each kind of search, larger than a page: reading on
 * reaches each once, in the order they were made, and the first page is no more than a
 * page. */
static void
test_pages_reach_every_match (Fixture       *fixture,
                              gconstpointer  data)
{
  static const struct
  {
    const char *text;
    guint       found;
  } searches[] = {
    { "Петров", MANY_CLIENTS / 3 },            /* a name, by its trigrams */
    { "Пермь", MANY_CLIENTS / 2 },             /* a variable */
    { "Ол", MANY_CLIENTS * 2 / 3 },            /* short: many names begin with it */
    { "Ив", MANY_CLIENTS / 3 },                /* short: fewer */
    { "9", 0 },                                /* short: none */
    { "8 (900) 111-0", 1000 },                 /* a number as typed, 8 for +7 */
    { "+7 900 111-01", 100 },
    { "nobody", 0 },
  };
  g_autoptr(NcClientList) list = NULL;
  g_autoptr(GPtrArray) every = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GError) error = NULL;

  if (fixture->store == NULL)
    return;
  fill (fixture->store, MANY_CLIENTS);
  every = nc_store_list_clients_sync (fixture->store, FALSE, &error);
  g_assert_no_error (error);

  list = nc_client_list_new (fixture->store);
  wait_quiet (list);
  g_assert_cmpstr (nc_client_list_get_text (list), ==, "");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==,
                    NC_CLIENT_LIST_FIRST_PAGE);
  g_assert_false (nc_client_list_get_complete (list));
  g_assert_cmpuint (read_to_the_end (list), ==,
                    1 + (MANY_CLIENTS - NC_CLIENT_LIST_FIRST_PAGE + NC_CLIENT_LIST_PAGE) /
                        NC_CLIENT_LIST_PAGE);
  ids = list_ids (list);
  g_assert_cmpuint (ids->len, ==, every->len);
  for (guint i = 0; i < every->len; i++)
    g_assert_cmpint (g_array_index (ids, gint64, i), ==, nc_client_get_id (every->pdata[i]));

  for (guint s = 0; s < G_N_ELEMENTS (searches); s++)
    {
      g_autoptr(GArray) shown = NULL;
      g_autoptr(GArray) found = search_ids (fixture->store, searches[s].text);

      nc_client_list_set_text (list, searches[s].text);
      g_assert_false (nc_client_list_get_answered (list));
      wait_quiet (list);
      g_assert_true (nc_client_list_get_answered (list));
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==,
                        MIN (searches[s].found, NC_CLIENT_LIST_FIRST_PAGE));
      read_to_the_end (list);
      shown = list_ids (list);
      if (shown->len != searches[s].found)
        g_error ("“%s” shows %u clients, not %u", searches[s].text, shown->len,
                 searches[s].found);
      assert_same_ids (shown, found);
    }

  /* Back to every client: the first page again, not what the searches read. */
  nc_client_list_set_text (list, "");
  wait_quiet (list);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==,
                    NC_CLIENT_LIST_FIRST_PAGE);
}

typedef struct
{
  guint position, removed, added;
  guint emissions;
} Change;

static void
items_changed (GListModel *model,
               guint       position,
               guint       removed,
               guint       added,
               Change     *change)
{
  change->position = position;
  change->removed = removed;
  change->added = added;
  change->emissions++;
}

/* A new answer keeps the objects of the clients it shares with the one shown (a list view
 * keeps their rows), in one change over the span that differs. */
static void
test_answer_changes_only_what_differs (Fixture       *fixture,
                                       gconstpointer  data)
{
  g_autoptr(NcClientList) list = NULL;
  g_autoptr(GPtrArray) before = g_ptr_array_new_with_free_func (g_object_unref);
  Change change = { 0 };
  guint kept = 0;

  if (fixture->store == NULL)
    return;
  fill (fixture->store, N_CLIENTS);
  list = nc_client_list_new (fixture->store);
  wait_quiet (list);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (list)); i++)
    g_ptr_array_add (before, g_list_model_get_item (G_LIST_MODEL (list), i));
  g_signal_connect (list, "items-changed", G_CALLBACK (items_changed), &change);

  /* Clients 0, 3, 6 … of the first page are Петровы. */
  nc_client_list_set_text (list, "Петров");
  wait_quiet (list);
  g_assert_cmpuint (change.emissions, ==, 1);
  g_assert_cmpuint (change.position, ==, 1);
  g_assert_cmpuint (change.removed, ==, NC_CLIENT_LIST_FIRST_PAGE - 1);
  g_assert_cmpuint (change.added, ==, NC_CLIENT_LIST_FIRST_PAGE - 1);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (list)); i++)
    {
      g_autoptr(NcClient) client = g_list_model_get_item (G_LIST_MODEL (list), i);

      for (guint j = 0; j < before->len; j++)
        if (nc_client_get_id (before->pdata[j]) == nc_client_get_id (client))
          {
            g_assert_true (before->pdata[j] == (gpointer) client);
            kept++;
          }
    }
  g_assert_cmpuint (kept, ==, (NC_CLIENT_LIST_FIRST_PAGE + 2) / 3);

  /* The same answer again (a letter typed and taken back): nothing changes. */
  change.emissions = 0;
  nc_client_list_set_text (list, "Петро");
  wait_quiet (list);
  nc_client_list_set_text (list, "Петров");
  wait_quiet (list);
  g_assert_cmpuint (change.emissions, ==, 0);
}

static NcClient *
item (NcClientList *list,
      guint         position)
{
  /* The list holds a reference: the caller's goes at once. */
  NcClient *client = g_list_model_get_item (G_LIST_MODEL (list), position);

  g_object_unref (client);
  return client;
}

static guint changes_heard;

static void
store_changed (NcStore       *store,
               NcStoreChange  kind,
               gint64         id,
               gpointer       user_data)
{
  if (kind == NC_STORE_CHANGE_CLIENTS)
    changes_heard++;
}

/* The store announces a write of this desk once it is committed, from an idle: the list
 * hears it then, and reads. */
static void
wait_for_change (NcClientList *list,
                 guint         before)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (changes_heard == before && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (changes_heard, >, before);
  wait_quiet (list);
}

static gboolean
list_has (NcClientList *list,
          gint64        id)
{
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (list)); i++)
    if (nc_client_get_id (item (list, i)) == id)
      return TRUE;
  return FALSE;
}

/* A client changed by this desk is read again as the search sees it: in, out, renamed,
 * gone; what another desk changed (the feed says only that clients changed) reads the
 * pages again. */
static void
test_follows_the_store (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(NcClientList) list = NULL;
  g_autoptr(NcClient) renamed = NULL;
  g_autoptr(NcClient) joins = NULL;
  g_autoptr(NcStore) other = NULL;
  g_autoptr(GPtrArray) drafts = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GArray) new_ids = NULL;
  g_autoptr(GArray) shown = NULL;
  g_autoptr(GArray) found = NULL;
  g_autoptr(GError) error = NULL;
  gint64 first, second;
  guint n;

  if (fixture->store == NULL)
    return;
  fill (fixture->store, N_CLIENTS);
  list = nc_client_list_new (fixture->store);
  nc_client_list_set_text (list, "Петров");
  wait_quiet (list);
  changes_heard = 0;
  g_signal_connect (fixture->store, "changed", G_CALLBACK (store_changed), NULL);
  n = g_list_model_get_n_items (G_LIST_MODEL (list));
  first = nc_client_get_id (item (list, 0));
  second = nc_client_get_id (item (list, 1));

  /* Renamed: the same place, the new name. */
  renamed = nc_client_new (second, "Иван Петров-Водкин", NC_CHANNEL_WHATSAPP, "79001119999", 0);
  nc_client_take_variables (renamed, g_ptr_array_new_with_free_func ((GDestroyNotify) nc_variable_free));
  g_assert_true (nc_store_update_client_sync (fixture->store, renamed, &error));
  g_assert_no_error (error);
  wait_for_change (list, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, n);
  g_assert_cmpstr (nc_client_get_name (item (list, 1)), ==, "Иван Петров-Водкин");
  g_assert_cmpint (nc_client_get_channel (item (list, 1)), ==, NC_CHANNEL_WHATSAPP);

  /* No longer found: out. */
  g_clear_object (&renamed);
  renamed = nc_client_new (first, "Пётр", NC_CHANNEL_TELEPHONY, "79001110000", 0);
  nc_client_take_variables (renamed, g_ptr_array_new_with_free_func ((GDestroyNotify) nc_variable_free));
  g_assert_true (nc_store_update_client_sync (fixture->store, renamed, &error));
  wait_for_change (list, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, n - 1);
  g_assert_false (list_has (list, first));

  /* Found now, among the pages read: in, at its place. Client 4 is a Смирнова. */
  joins = nc_client_new (second + 2, "Ольга Петрова", NC_CHANNEL_TELEPHONY, "79001110004", 0);
  nc_client_take_variables (joins, g_ptr_array_new_with_free_func ((GDestroyNotify) nc_variable_free));
  g_assert_true (nc_store_update_client_sync (fixture->store, joins, &error));
  wait_for_change (list, 2);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, n);
  g_assert_cmpint (nc_client_get_id (item (list, 1)), ==, second + 2);

  /* Deleted: out. */
  g_assert_true (nc_store_delete_client_sync (fixture->store, second, &error));
  wait_for_change (list, 3);
  g_assert_false (list_has (list, second));

  /* Another desk adds clients and changes one; this desk's feed hears only that clients
   * changed (nc_store_emit_changed(), as the tracker does for the change log). */
  other = nc_test_store_open_again (fixture);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *name = g_strdup_printf ("Анна Петрова %u", i);
      NcClient *client = nc_client_new (0, name, NC_CHANNEL_TELEGRAM, NULL, 0);

      nc_client_take_variables (client, g_ptr_array_new_with_free_func ((GDestroyNotify) nc_variable_free));
      g_ptr_array_add (drafts, client);
    }
  g_assert_true (nc_store_add_clients_sync (other, drafts, &new_ids, &error));
  g_assert_no_error (error);
  g_assert_true (nc_store_delete_client_sync (other, nc_client_get_id (item (list, 2)), &error));
  nc_store_close (other);
  nc_store_emit_changed (fixture->store, NC_STORE_CHANGE_CLIENTS);
  g_assert_true (nc_client_list_get_busy (list));
  wait_quiet (list);
  read_to_the_end (list);
  shown = list_ids (list);
  found = search_ids (fixture->store, "Петров");
  assert_same_ids (shown, found);
  g_assert_true (list_has (list, g_array_index (new_ids, gint64, 2)));
  g_signal_handlers_disconnect_by_func (fixture->store, store_changed, NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/client-list/sqlite/" path, Fixture, "sqlite", nc_test_store_set_up, func, \
              nc_test_store_tear_down); \
  g_test_add ("/client-list/postgresql/" path, Fixture, "postgresql", nc_test_store_set_up, func, \
              nc_test_store_tear_down)
  ADD ("pages-reach-every-match", test_pages_reach_every_match);
  ADD ("answer-changes-only-what-differs", test_answer_changes_only_what_differs);
  ADD ("follows-the-store", test_follows_the_store);
#undef ADD

  return g_test_run ();
}
