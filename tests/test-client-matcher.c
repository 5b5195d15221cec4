/* test-client-matcher.c — the source document's matching sequence, exactly
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "nc-client-matcher.h"
#include "nc-test-util.h"

typedef struct
{
  char            *dir;
  NcStore         *store;
  NcClientMatcher *matcher;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->store = nc_test_store_new (&fixture->dir);
  fixture->matcher = nc_client_matcher_new (fixture->store);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_assert_finalize_object (fixture->matcher);
  nc_test_store_free (fixture->store, fixture->dir);
}

static gint64
add (Fixture    *fixture,
     const char *name,
     NcChannel   channel,
     const char *phone,
     const char *variable,
     const char *value)
{
  g_autoptr(GPtrArray) drafts = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GArray) ids = NULL;
  GPtrArray *variables = g_ptr_array_new_with_free_func ((GDestroyNotify) nc_variable_free);
  NcClient *client = nc_client_new (0, name, channel, phone, 0);

  if (variable != NULL)
    g_ptr_array_add (variables, nc_variable_new (variable, value));
  nc_client_take_variables (client, variables);
  g_ptr_array_add (drafts, client);
  g_assert_true (nc_store_add_clients_sync (fixture->store, drafts, &ids, NULL));
  return g_array_index (ids, gint64, 0);
}

static NcClient *
match (Fixture     *fixture,
       const char  *number,
       NcMatchRule *rule)
{
  g_autoptr(GError) error = NULL;
  NcClient *client = nc_client_matcher_match_sync (fixture->matcher, number, rule, &error);

  g_assert_no_error (error);
  g_assert_nonnull (client);
  return client;
}

/* (1) A telephony client wins, even over an older client with the number in a variable. */
static void
test_telephony_client_first (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(NcClient) client = NULL;
  NcMatchRule rule;
  gint64 telephony;

  add (fixture, "Older, WhatsApp", NC_CHANNEL_WHATSAPP, NULL, "phone", "+7 900 444-33-22");
  telephony = add (fixture, "Telephony", NC_CHANNEL_TELEPHONY, "79004443322", NULL, NULL);

  client = match (fixture, "8 (900) 444-33-22", &rule);
  g_assert_cmpint (nc_client_get_id (client), ==, telephony);
  g_assert_cmpint (rule, ==, NC_MATCH_RULE_TELEPHONY_CLIENT);
}

/* (2) Else the oldest client with the number among all its values, its phone included,
 * compared after normalisation. */
static void
test_oldest_with_number_in_any_value (Fixture       *fixture,
                                      gconstpointer  data)
{
  g_autoptr(NcClient) by_variable = NULL;
  g_autoptr(NcClient) by_own_phone = NULL;
  NcMatchRule rule;
  gint64 oldest;

  add (fixture, "Unrelated", NC_CHANNEL_TELEGRAM, "79990000000", "note", "79161112233 is not me");
  oldest = add (fixture, "Oldest", NC_CHANNEL_VIBER, NULL, "work phone", "+7 916 111-22-33");
  add (fixture, "Younger", NC_CHANNEL_WHATSAPP, "79161112233", NULL, NULL);

  by_variable = match (fixture, "79161112233", &rule);
  g_assert_cmpint (nc_client_get_id (by_variable), ==, oldest);
  g_assert_cmpint (rule, ==, NC_MATCH_RULE_ANY_VARIABLE);

  /* A WhatsApp client who calls is found by their own phone, not duplicated. */
  add (fixture, "WhatsApp only", NC_CHANNEL_WHATSAPP, "79051234567", NULL, NULL);
  by_own_phone = match (fixture, "+79051234567", &rule);
  g_assert_cmpstr (nc_client_get_name (by_own_phone), ==, "WhatsApp only");
  g_assert_cmpint (rule, ==, NC_MATCH_RULE_ANY_VARIABLE);
}

/* (3) Else a new client: WhatsApp if any messenger is connected… */
static void
test_creates_whatsapp_with_messenger (Fixture       *fixture,
                                      gconstpointer  data)
{
  const char *messengers[] = { "telegram", NULL };
  g_autoptr(NcClient) created = NULL;
  g_autoptr(NcClient) again = NULL;
  g_autoptr(GPtrArray) all = NULL;
  NcMatchRule rule;

  g_assert_true (nc_store_set_messengers_sync (fixture->store, messengers, NULL));
  created = match (fixture, "+375 29 123-45-67", &rule);
  g_assert_cmpint (rule, ==, NC_MATCH_RULE_CREATED_WHATSAPP);
  g_assert_cmpint (nc_client_get_channel (created), ==, NC_CHANNEL_WHATSAPP);
  g_assert_cmpstr (nc_client_get_phone (created), ==, "375291234567");

  again = match (fixture, "375291234567", &rule);
  g_assert_cmpint (nc_client_get_id (again), ==, nc_client_get_id (created));
  g_assert_cmpint (rule, ==, NC_MATCH_RULE_ANY_VARIABLE);
  all = nc_store_list_clients_sync (fixture->store, FALSE, NULL);
  g_assert_cmpuint (all->len, ==, 1);
}

/* …otherwise a telephony client, which the next call finds by rule 1. */
static void
test_creates_telephony_without_messenger (Fixture       *fixture,
                                          gconstpointer  data)
{
  g_autoptr(NcClient) created = NULL;
  g_autoptr(NcClient) again = NULL;
  NcMatchRule rule;

  created = match (fixture, "79004443322", &rule);
  g_assert_cmpint (rule, ==, NC_MATCH_RULE_CREATED_TELEPHONY);
  g_assert_cmpint (nc_client_get_channel (created), ==, NC_CHANNEL_TELEPHONY);
  g_assert_cmpstr (nc_client_get_name (created), ==, "+7 900 444-33-22");

  again = match (fixture, "89004443322", &rule);
  g_assert_cmpint (nc_client_get_id (again), ==, nc_client_get_id (created));
  g_assert_cmpint (rule, ==, NC_MATCH_RULE_TELEPHONY_CLIENT);
}

/* The index follows every write: a changed variable is found, a deleted client is not. */
static void
test_index_follows_writes (Fixture       *fixture,
                           gconstpointer  data)
{
  NcMatchRule rule;
  gint64 id = add (fixture, "Client", NC_CHANNEL_TELEGRAM, NULL, "note", "call later");

  g_assert_cmpint (nc_client_matcher_lookup_sync (fixture->matcher, "79004443322", &rule, NULL), ==, 0);
  g_assert_true (nc_store_set_variable_sync (fixture->store, id, "mobile", "8-900-444-33-22", NULL));
  g_assert_cmpint (nc_client_matcher_lookup_sync (fixture->matcher, "79004443322", &rule, NULL), ==, id);
  g_assert_true (nc_store_set_variable_sync (fixture->store, id, "mobile", "gone", NULL));
  g_assert_cmpint (nc_client_matcher_lookup_sync (fixture->matcher, "79004443322", &rule, NULL), ==, 0);
  g_assert_true (nc_store_set_variable_sync (fixture->store, id, "mobile", "79004443322", NULL));
  g_assert_true (nc_store_delete_client_sync (fixture->store, id, NULL));
  g_assert_cmpint (nc_client_matcher_lookup_sync (fixture->matcher, "79004443322", &rule, NULL), ==, 0);
}

static void
test_bad_number (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_null (nc_client_matcher_match_sync (fixture->matcher, "anonymous", NULL, &error));
  g_assert_nonnull (error);
}

static gpointer
match_in_thread (gpointer data)
{
  Fixture *fixture = data;
  g_autoptr(NcClient) client = nc_client_matcher_match_sync (fixture->matcher, "79007778899",
                                                              NULL, NULL);

  g_assert_nonnull (client);
  return GSIZE_TO_POINTER ((gsize) nc_client_get_id (client));
}

/* Calls from a new number at the same moment make one client, not several. */
static void
test_concurrent_new_number (Fixture       *fixture,
                            gconstpointer  data)
{
  GThread *threads[8];
  g_autoptr(GPtrArray) all = NULL;
  gsize first = 0;

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("match", match_in_thread, fixture);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    {
      gsize id = GPOINTER_TO_SIZE (g_thread_join (threads[i]));

      if (first == 0)
        first = id;
      g_assert_cmpuint (id, ==, first);
    }
  all = nc_store_list_clients_sync (fixture->store, FALSE, NULL);
  g_assert_cmpuint (all->len, ==, 1);
}

static void
matched (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  NcMatchRule rule;

  *(NcClient **) user_data = nc_client_matcher_match_finish (NC_CLIENT_MATCHER (source), result,
                                                             &rule, NULL);
  g_assert_cmpint (rule, ==, NC_MATCH_RULE_CREATED_TELEPHONY);
}

static void
test_async (Fixture       *fixture,
            gconstpointer  data)
{
  NcClient *client = NULL;

  nc_client_matcher_match_async (fixture->matcher, "79004443322", NULL, matched, &client);
  nc_test_wait_for_nonnull ((gpointer *) &client);
  g_assert_cmpstr (nc_client_get_phone (client), ==, "79004443322");
  g_object_unref (client);

  /* The task's thread lets go of the matcher a moment after the answer. */
  nc_test_wait_for_last_reference (fixture->matcher);
  g_assert_cmpuint (G_OBJECT (fixture->matcher)->ref_count, ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/client-matcher/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("telephony-client-first", test_telephony_client_first);
  ADD ("oldest-with-number-in-any-value", test_oldest_with_number_in_any_value);
  ADD ("creates-whatsapp-with-messenger", test_creates_whatsapp_with_messenger);
  ADD ("creates-telephony-without-messenger", test_creates_telephony_without_messenger);
  ADD ("index-follows-writes", test_index_follows_writes);
  ADD ("bad-number", test_bad_number);
  ADD ("concurrent-new-number", test_concurrent_new_number);
  ADD ("async", test_async);
#undef ADD

  return nc_test_run ();
}
