/* test-office.c — an office on one PostgreSQL: one `listen` process, three desks, the
 * simulated PBX; every desk live, the guard held by the database, the database restarted
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "nc-journal.h"
#include "nc-pbx-simulator.h"
#include "nc-session.h"
#include "nc-settings.h"
#include "nc-test-util.h"

#define KEY "office-key"
#define SECRET "office-secret-for-the-tests"
#define TOKEN "office-webhook-token-of-the-tests"
#define N_DESKS 3

typedef struct
{
  NcSession *session;
  NcJournal *journal;
  char      *dir;
  guint      clients_changed;
} Desk;

typedef struct
{
  char           *url;
  NcPbxSimulator *simulator;
  NcTestListener *listener;
  char           *hook;
  GSettings      *settings;
  Desk            desks[N_DESKS];
} Office;

static gboolean
wake (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

static gboolean
wait_for (gboolean (*done) (Office *office, gpointer data),
          Office    *office,
          gpointer   data,
          guint      seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;
  guint waker = g_timeout_add (20, wake, NULL);
  gboolean ok;

  while (!(ok = done (office, data)) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (waker);
  return ok;
}

static void
clients_changed (NcStore       *store,
                 NcStoreChange  kind,
                 gint64         id,
                 Desk          *desk)
{
  if (kind == NC_STORE_CHANGE_CLIENTS)
    desk->clients_changed++;
}

static void
start_listener (Office *office)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autofree char *api = nc_pbx_simulator_get_url (office->simulator);
  g_autofree char *port = g_strdup_printf ("%u", nc_test_free_port ());
  g_autofree char *dir = nc_test_make_temp_dir ();
  const char *args[] = { "--database", office->url, "listen", "--port", port, NULL };

  /* A server's: everything from its environment file. */
  g_subprocess_launcher_setenv (launcher, "NOVOFON_API_KEY", KEY, TRUE);
  g_subprocess_launcher_setenv (launcher, "NOVOFON_API_SECRET", SECRET, TRUE);
  g_subprocess_launcher_setenv (launcher, "NOVOFON_API_URL", api, TRUE);
  g_subprocess_launcher_setenv (launcher, "NOVOFON_WEBHOOK_TOKEN", TOKEN, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", dir, TRUE);
  office->listener = nc_test_listener_start (launcher, args);
  g_free (office->hook);
  office->hook = g_strdup (office->listener->url);
  nc_pbx_simulator_set_webhook_target (office->simulator, office->hook);
  nc_test_remove_tree (dir);
}

static gboolean
office_set_up (Office *office)
{
  g_autofree char *api = NULL;
  g_autoptr(GError) error = NULL;

  office->url = nc_test_pg_database_new ();
  if (office->url == NULL)
    {
      g_test_skip ("no PostgreSQL test cluster (run under tests/harness/session-run)");
      return FALSE;
    }

  office->simulator = nc_pbx_simulator_new (KEY, SECRET);
  g_assert_true (nc_pbx_simulator_start (office->simulator, 0, &error));
  nc_pbx_simulator_add_extension (office->simulator, "100", TRUE);
  nc_pbx_simulator_add_extension (office->simulator, "101", TRUE);
  nc_pbx_simulator_add_extension (office->simulator, "102", TRUE);
  nc_pbx_simulator_add_number (office->simulator, "74951234567", "100");
  api = nc_pbx_simulator_get_url (office->simulator);

  /* The desks have the account in their environment (no keyring prompt in a test). */
  g_setenv ("NOVOFON_API_KEY", KEY, TRUE);
  g_setenv ("NOVOFON_API_SECRET", SECRET, TRUE);
  g_setenv ("NOVOFON_API_URL", api, TRUE);

  /* The schema first, as an admin does (database init), then the listener. */
  {
    g_autoptr(NcStore) store = nc_store_open_database_sync (office->url, NULL, &error);

    g_assert_no_error (error);
    nc_store_close (store);
  }
  start_listener (office);

  office->settings = nc_settings_new_for_command_line ();
  for (guint i = 0; i < N_DESKS; i++)
    {
      Desk *desk = &office->desks[i];

      desk->dir = nc_test_make_temp_dir ();
      desk->session = nc_session_new_full (desk->dir, office->url, office->settings,
                                            NC_SESSION_CALLS | NC_SESSION_LISTEN);
      g_assert_true (nc_session_start_sync (desk->session, &error));
      g_assert_no_error (error);
      g_assert_true (nc_session_uses_database (desk->session));
      /* A console on the office database starts no listener of its own. */
      g_assert_null (nc_session_get_listener (desk->session));
      desk->journal = nc_journal_new (nc_session_get_tracker (desk->session));
      g_signal_connect (nc_session_get_store (desk->session), "changed",
                        G_CALLBACK (clients_changed), desk);
    }
  return TRUE;
}

static void
office_tear_down (Office *office)
{
  for (guint i = 0; i < N_DESKS; i++)
    {
      Desk *desk = &office->desks[i];

      if (desk->session == NULL)
        continue;
      g_signal_handlers_disconnect_by_data (nc_session_get_store (desk->session), desk);
      g_clear_object (&desk->journal);
      nc_session_close (desk->session);
      g_clear_object (&desk->session);
      nc_test_remove_tree (desk->dir);
      g_free (desk->dir);
    }
  if (office->listener != NULL)
    nc_test_listener_stop (office->listener, NULL, NULL);
  if (office->simulator != NULL)
    nc_pbx_simulator_stop (office->simulator);
  g_clear_object (&office->simulator);
  g_clear_object (&office->settings);
  nc_test_pg_database_drop (office->url);
  g_free (office->url);
  g_free (office->hook);
  g_unsetenv ("NOVOFON_API_KEY");
  g_unsetenv ("NOVOFON_API_SECRET");
  g_unsetenv ("NOVOFON_API_URL");
}

/* ------------------------------------------------------------------------------------ */

typedef struct
{
  char     *pbx_call_id;
  GError   *error;
  gboolean  done;
} Played;

static void
played (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  Played *play = user_data;

  play->pbx_call_id = nc_pbx_simulator_play_call_finish (NC_PBX_SIMULATOR (source), result,
                                                          &play->error);
  play->done = TRUE;
}

/* Plays a whole call; the PBX sends again what was not answered 200 (its webhooks promise
 * nothing about order or repeats), a while later. Returns the call's id. */
static char *
play (Office            *office,
      NcPbxCallScenario  scenario,
      const char        *client,
      guint              attempts)
{
  for (guint attempt = 0; attempt < attempts; attempt++)
    {
      Played result = { 0 };

      nc_pbx_simulator_play_call_async (office->simulator, scenario, client, "74951234567",
                                        "100", 2, NULL, played, &result);
      while (!result.done)
        g_main_context_iteration (NULL, TRUE);
      if (result.error == NULL)
        return result.pbx_call_id;
      g_test_message ("a call was refused (%s): the PBX sends it again", result.error->message);
      g_clear_error (&result.error);
      g_usleep (300 * 1000);
    }
  return NULL;
}

typedef struct
{
  const char *pbx_call_id;
  NcCallState state;
} Expect;

static gboolean
every_desk_has (Office  *office,
                gpointer data)
{
  Expect *expect = data;

  for (guint i = 0; i < N_DESKS; i++)
    {
      NcCall *call = nc_call_tracker_lookup (nc_session_get_tracker (office->desks[i].session),
                                             expect->pbx_call_id);

      if (call == NULL || nc_call_get_state (call) != expect->state)
        return FALSE;
    }
  return TRUE;
}

static gboolean
every_desk_heard_of_clients (Office  *office,
                             gpointer data)
{
  for (guint i = 1; i < N_DESKS; i++)
    if (office->desks[i].clients_changed == 0)
      return FALSE;
  return TRUE;
}

/* An event posted to the one listener reaches every desk's tracker and journal; a client
 * added on one desk is heard of on the others. */
static void
test_every_desk_live (void)
{
  Office office = { 0 };
  g_autofree char *answered = NULL;
  g_autoptr(GPtrArray) drafts = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  Expect expect;
  NcClient *client;

  if (!office_set_up (&office))
    return;

  answered = play (&office, NC_PBX_CALL_INCOMING_ANSWERED, "79004443322", 1);
  g_assert_nonnull (answered);
  expect.pbx_call_id = answered;
  expect.state = NC_CALL_STATE_ENDED;
  g_assert_true (wait_for (every_desk_has, &office, &expect, 20));
  for (guint i = 0; i < N_DESKS; i++)
    {
      NcJournal *journal = office.desks[i].journal;
      g_autoptr(NcCall) top = NULL;

      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (journal)), ==, 1);
      top = g_list_model_get_item (G_LIST_MODEL (journal), 0);
      g_assert_cmpstr (nc_call_get_pbx_call_id (top), ==, answered);
    }

  /* Desk 0 adds a client: the others hear of it, and read the same client. */
  for (guint i = 0; i < N_DESKS; i++)
    office.desks[i].clients_changed = 0;
  client = nc_client_new (0, "Ольга Смирнова", NC_CHANNEL_TELEPHONY, "79035556677", 0);
  nc_client_take_variables (client, g_ptr_array_new_with_free_func ((GDestroyNotify) nc_variable_free));
  g_ptr_array_add (drafts, client);
  g_assert_true (nc_store_add_clients_sync (nc_session_get_store (office.desks[0].session), drafts,
                                            NULL, &error));
  g_assert_true (wait_for (every_desk_heard_of_clients, &office, NULL, 10));
  for (guint i = 1; i < N_DESKS; i++)
    {
      g_autoptr(GArray) found = nc_store_search_clients_sync (nc_session_get_store (office.desks[i].session),
                                                              "Смирнова", 10, &error);

      g_assert_cmpuint (found->len, ==, 1);
    }
  office_tear_down (&office);
}

typedef struct
{
  guint  done;
  guint  placed;
  guint  busy;
  GError *other;
} Clicks;

static void
clicked (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Clicks *clicks = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = nc_dialer_call_finish (NC_DIALER (source), result, &error);

  if (message != NULL)
    clicks->placed++;
  else if (g_error_matches (error, NC_DIALER_ERROR, NC_DIALER_ERROR_ALREADY_CALLING))
    clicks->busy++;
  else if (clicks->other == NULL)
    clicks->other = g_steal_pointer (&error);
  clicks->done++;
}

static gboolean
employees_loaded (Office  *office,
                  gpointer data)
{
  for (guint i = 0; i < N_DESKS; i++)
    if (g_list_model_get_n_items (G_LIST_MODEL (nc_session_get_employees (office->desks[i].session))) < 3)
      return FALSE;
  return TRUE;
}

/* Two desks click the same client at once, and a bot's zadarma_call asks for it on a third
 * process: exactly one callback is sent. */
static void
test_one_callback_for_the_office (void)
{
  Office office = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) bot = NULL;
  g_autofree char *program = nc_test_program_path ();
  Clicks clicks = { 0 };
  const char *extensions[] = { "100", "101", "102" };

  if (!office_set_up (&office))
    return;

  for (guint i = 0; i < N_DESKS; i++)
    {
      g_autofree char *name = g_strdup_printf ("Оператор %u", i + 1);
      g_autoptr(NcEmployee) employee = nc_employee_new (0, name, extensions[i], "74951234567",
                                                        NC_CALL_METHOD_API);

      g_assert_cmpint (nc_store_save_employee_sync (nc_session_get_store (office.desks[0].session),
                                                    employee, &error), >, 0);
    }
  g_assert_true (wait_for (employees_loaded, &office, NULL, 10));
  for (guint i = 0; i < N_DESKS; i++)
    nc_dialer_set_employee_id (nc_session_get_dialer (office.desks[i].session), extensions[i]);

  /* The bot, a process of its own, and two desks, at once. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  bot = g_subprocess_launcher_spawn (launcher, &error, program, "--database", office.url, "call",
                                     "+7 916 111-22-33", "74951234567", "102", NULL);
  g_assert_no_error (error);
  for (guint i = 0; i < 2; i++)
    nc_dialer_call_async (nc_session_get_dialer (office.desks[i].session), "+7 916 111-22-33",
                          NULL, NULL, clicked, &clicks);
  while (clicks.done < 2)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (g_subprocess_wait (bot, NULL, &error));
  g_assert_no_error (clicks.other);

  /* The bot's exit code says which it was. */
  if (g_subprocess_get_exit_status (bot) == 0)
    clicks.placed++;
  else
    clicks.busy++;
  g_assert_cmpuint (clicks.placed, ==, 1);
  g_assert_cmpuint (clicks.busy, ==, 2);
  g_assert_cmpuint (nc_pbx_simulator_get_callbacks (office.simulator)->len, ==, 1);
  office_tear_down (&office);
}

/* ------------------------------------------------------------------------------------ */

typedef struct
{
  GPtrArray *expected;   /* the calls in the database */
} Complete;

static gboolean
every_journal_complete (Office  *office,
                        gpointer data)
{
  Complete *complete = data;

  for (guint i = 0; i < N_DESKS; i++)
    {
      GListModel *journal = G_LIST_MODEL (office->desks[i].journal);

      if (g_list_model_get_n_items (journal) != complete->expected->len)
        return FALSE;
      for (guint j = 0; j < complete->expected->len; j++)
        {
          NcCall *call = nc_call_tracker_lookup (nc_session_get_tracker (office->desks[i].session),
                                                 complete->expected->pdata[j]);

          if (call == NULL || nc_call_get_state (call) != NC_CALL_STATE_ENDED)
            return FALSE;
        }
    }
  return TRUE;
}

/* The database is restarted while calls come in: the listener refuses what it cannot
 * commit (and the PBX sends it again), every desk says it lost the database and comes
 * back, and every journal ends with every call. */
static void
test_database_restarted (void)
{
  Office office = { 0 };
  g_autoptr(GPtrArray) calls = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  Complete complete;
  gboolean saw_problem = FALSE;

  if (!office_set_up (&office))
    return;
  if (g_getenv ("NC_TEST_PG_DATA") == NULL)
    {
      g_test_skip ("the test cluster's folder is not known");
      office_tear_down (&office);
      return;
    }

  for (guint i = 0; i < 12; i++)
    {
      g_autofree char *number = g_strdup_printf ("7916%07u", i);
      char *id;

      if (i == 4)
        nc_test_pg_ctl ("stop");
      if (i == 6)
        {
          /* Every desk says so while it is down. */
          for (guint d = 0; d < N_DESKS; d++)
            saw_problem |= nc_store_get_problem (nc_session_get_store (office.desks[d].session)) != NULL;
          nc_test_pg_ctl ("start");
        }
      id = play (&office, i % 2 ? NC_PBX_CALL_INCOMING_MISSED : NC_PBX_CALL_OUTGOING_BUSY, number,
                 i >= 4 && i < 6 ? 1 : 30);
      if (id == NULL && i >= 6)
        {
          g_autofree char *said = nc_test_listener_said (office.listener, TRUE);

          g_error ("The listener took no call after the database came back; it said:\n%s", said);
        }
      if (id != NULL)
        g_ptr_array_add (calls, id);
    }

  /* The truth is what the database has: every desk's journal shows all of it. */
  {
    g_autoptr(NcStore) store = nc_store_open_database_sync (office.url, NULL, &error);
    g_autoptr(GPtrArray) rows = nc_store_list_calls_sync (store, NULL, NULL, 100, &error);

    g_assert_no_error (error);
    g_ptr_array_set_size (calls, 0);
    for (guint i = 0; i < rows->len; i++)
      g_ptr_array_add (calls, g_strdup (((NcCallRecord *) rows->pdata[i])->pbx_call_id));
    nc_store_close (store);
  }
  if (calls->len < 10)
    {
      g_autofree char *said = nc_test_listener_said (office.listener, TRUE);

      g_test_message ("the listener said:\n%s", said);
    }
  g_assert_cmpuint (calls->len, >=, 10);
  complete.expected = calls;
  g_assert_true (wait_for (every_journal_complete, &office, &complete, 60));
  g_assert_true (saw_problem);
  for (guint d = 0; d < N_DESKS; d++)
    g_assert_null (nc_store_get_problem (nc_session_get_store (office.desks[d].session)));
  office_tear_down (&office);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/office/every-desk-live", test_every_desk_live);
  g_test_add_func ("/office/one-callback-for-the-office", test_one_callback_for_the_office);
  g_test_add_func ("/office/database-restarted", test_database_restarted);

  return nc_test_run ();
}
