/* test-secret-nowhere.c — after a whole run, the Secret is in no file and no output
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The README promises that the Secret lives in the keyring or the environment only: never in
 * the database, the settings, a log line or an error message. Here a distinctive Secret is
 * put in the environment of every command of a whole run — an import, the messengers, the
 * balance (also refused), the webhook URL and its registration, a call, a listen taking whole
 * calls (recordings fetched through the API, a fault on the way, a forged event, a wrong
 * token, a replay), and the exports — with every debug message on and settings kept in a
 * file. Then every file under the run's HOME and XDG folders, and everything each command
 * said, is searched for it.
 */

#include "config.h"

#include <string.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "nc-call-event.h"
#include "nc-pbx-simulator.h"
#include "nc-test-util.h"

#define KEY "a1b2c3d4e5f6a7b8c9d0"
#define CANARY "canary-5ecret-Zq8vR3kPn7"
#define TOKEN "secret-nowhere-token-0123456789"
#define WAIT_SECONDS 120

typedef struct
{
  char           *root;        /* HOME and the XDG folders of every command */
  char           *exports;
  NcPbxSimulator *simulator;
  char           *api_url;
  GPtrArray      *said;        /* everything every command wrote, one string per stream */
} Run;

typedef struct
{
  int    status;
  char  *out;
  char  *err;
  gboolean done;
} Command;

static GSubprocessLauncher *
launcher_new (Run        *run,
              const char *api_url)
{
  GSubprocessLauncher *launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                               G_SUBPROCESS_FLAGS_STDERR_PIPE);
  const char *const homes[][2] = {
    { "HOME", "home" }, { "XDG_DATA_HOME", "data" }, { "XDG_CONFIG_HOME", "config" },
    { "XDG_CACHE_HOME", "cache" }, { "XDG_RUNTIME_DIR", "runtime" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (homes); i++)
    {
      g_autofree char *home = g_build_filename (run->root, homes[i][1], NULL);

      g_assert_cmpint (g_mkdir_with_parents (home, 0700), ==, 0);
      g_subprocess_launcher_setenv (launcher, homes[i][0], home, TRUE);
    }
  g_subprocess_launcher_setenv (launcher, "NOVOFON_API_KEY", KEY, TRUE);
  g_subprocess_launcher_setenv (launcher, "NOVOFON_API_SECRET", CANARY, TRUE);
  g_subprocess_launcher_setenv (launcher, "NOVOFON_WEBHOOK_TOKEN", TOKEN, TRUE);
  g_subprocess_launcher_setenv (launcher, "NOVOFON_API_URL", api_url, TRUE);
  /* Settings in a file under the run's folder, and every log line said. */
  g_subprocess_launcher_setenv (launcher, "GSETTINGS_BACKEND", "keyfile", TRUE);
  g_subprocess_launcher_setenv (launcher, "G_MESSAGES_DEBUG", "all", TRUE);
  g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent",
                                TRUE);
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "WAYLAND_DISPLAY");
  return launcher;
}

static void
communicated (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Command *command = user_data;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &command->out,
                                        &command->err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (G_SUBPROCESS (source)));
  command->status = g_subprocess_get_exit_status (G_SUBPROCESS (source));
  command->done = TRUE;
}

static gboolean
wait_for (gboolean (*condition) (gpointer),
          gpointer   data)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;

  while (!condition (data) && g_get_monotonic_time () < deadline)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
  return condition (data);
}

static gboolean
command_done (gpointer data)
{
  return ((Command *) data)->done;
}

/* Runs one command of the program to its end, with the simulator answering meanwhile, and
 * keeps what it said. Returns its exit status. */
static int
command (Run        *run,
         const char *api_url,
         const char *input,
         ...)
{
  g_autoptr(GSubprocessLauncher) launcher = launcher_new (run, api_url);
  g_autofree char *program = nc_test_program_path ();
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  Command result = { -1, NULL, NULL, FALSE };
  va_list args;

  g_ptr_array_add (argv, program);
  va_start (args, input);
  for (const char *arg = va_arg (args, const char *); arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (process, input, NULL, communicated, &result);
  g_assert_true (wait_for (command_done, &result));
  g_test_message ("%s: exit status %d\n%s%s", (char *) argv->pdata[1], result.status, result.out,
                  result.err);
  g_ptr_array_add (run->said, result.out);
  g_ptr_array_add (run->said, result.err);
  return result.status;
}

typedef struct
{
  char    *pbx_call_id;
  GError  *error;
  gboolean done;
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

static gboolean
play_done (gpointer data)
{
  return ((Played *) data)->done;
}

static char *
play_call (Run               *run,
           NcPbxCallScenario  scenario,
           const char        *client)
{
  Played play = { NULL, NULL, FALSE };

  nc_pbx_simulator_play_call_async (run->simulator, scenario, client, "79500000033", "100", 1,
                                    NULL, played, &play);
  g_assert_true (wait_for (play_done, &play));
  g_assert_no_error (play.error);
  return play.pbx_call_id;
}

typedef struct
{
  guint    status;
  gboolean done;
} Posted;

static void
posted (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  Posted *post = user_data;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result,
                                                               NULL);

  post->status = soup_message_get_status (soup_session_get_async_result_message (
                                            SOUP_SESSION (source), result));
  post->done = TRUE;
}

static gboolean
post_done (gpointer data)
{
  return ((Posted *) data)->done;
}

/* One event POSTed as a PBX would, or as someone who is not the PBX would. */
static guint
post_event (const char *url,
            const char *pbx_call_id,
            const char *secret)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *now_text = g_date_time_format (now, "%Y-%m-%d %H:%M:%S");
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 30, NULL);
  g_autoptr(GHashTable) fields = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(SoupMessage) message = soup_message_new ("POST", url);
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *signature = NULL;
  g_autofree char *body = NULL;
  Posted post = { 0, FALSE };

  g_hash_table_insert (fields, (gpointer) "event", (gpointer) "NOTIFY_START");
  /* Now: the listener refuses a call_start far from its clock. */
  g_hash_table_insert (fields, (gpointer) "call_start", now_text);
  g_hash_table_insert (fields, (gpointer) "pbx_call_id", (gpointer) pbx_call_id);
  g_hash_table_insert (fields, (gpointer) "caller_id", (gpointer) "79161112233");
  g_hash_table_insert (fields, (gpointer) "called_did", (gpointer) "79500000033");
  signature = nc_call_event_sign (secret, fields);
  body = soup_form_encode_hash (fields);
  bytes = g_bytes_new (body, strlen (body));
  soup_message_set_request_body_from_bytes (message, "application/x-www-form-urlencoded", bytes);
  soup_message_headers_replace (soup_message_get_request_headers (message), "Signature",
                                signature);
  soup_session_set_proxy_resolver (session, NULL);
  soup_session_send_and_read_async (session, message, G_PRIORITY_DEFAULT, NULL, posted, &post);
  g_assert_true (wait_for (post_done, &post));
  return post.status;
}

typedef struct
{
  NcPbxSimulator *simulator;
  guint           count;
} Requests;

static gboolean
requests_reached (gpointer data)
{
  Requests *requests = data;

  return nc_pbx_simulator_get_request_count (requests->simulator) >= requests->count;
}

static void
test_whole_run (void)
{
  g_autofree char *calls_csv = NULL;
  g_autofree char *clients_csv = NULL;
  g_autofree char *exported = NULL;
  g_autofree char *port = g_strdup_printf ("%u", nc_test_free_port ());
  g_autofree char *wrong_token_url = NULL;
  g_autofree char *answered = NULL;
  g_autofree char *missed = NULL;
  g_autofree char *outgoing = NULL;
  g_autofree char *busy = NULL;
  g_autofree char *found = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *other_url = NULL;
  g_autoptr(NcPbxSimulator) other = nc_pbx_simulator_new (KEY, "the-account-has-another-secret");
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  const char *listen_args[] = { "listen", "--bind", "127.0.0.1", "--port", NULL, NULL };
  Run run = { 0 };
  Requests requests;
  NcTestListener *listener;
  guint files = 0;

  run.root = nc_test_make_temp_dir ();
  run.exports = g_build_filename (run.root, "exports", NULL);
  g_assert_cmpint (g_mkdir (run.exports, 0700), ==, 0);
  run.said = g_ptr_array_new_with_free_func (g_free);
  run.simulator = nc_pbx_simulator_new (KEY, CANARY);
  nc_pbx_simulator_add_extension (run.simulator, "100", TRUE);
  nc_pbx_simulator_add_number (run.simulator, "79500000033", "100");
  g_assert_true (nc_pbx_simulator_start (run.simulator, 0, &error));
  g_assert_no_error (error);
  run.api_url = nc_pbx_simulator_get_url (run.simulator);
  g_assert_true (nc_pbx_simulator_start (other, 0, &error));
  other_url = nc_pbx_simulator_get_url (other);

  /* The data commands, on the default data folder under the run's XDG_DATA_HOME. */
  g_assert_cmpint (command (&run, run.api_url,
                            "name,channel,phone,city\r\nИван Петров,telephony,8 900 444-33-22,Москва\r\n",
                            "clients", "import", "-", NULL), ==, 0);
  g_assert_cmpint (command (&run, run.api_url, NULL, "messengers", "set", "whatsapp,viber", NULL),
                   ==, 0);

  /* The API commands: each request signed with the Secret, and one the API refuses. */
  g_assert_cmpint (command (&run, run.api_url, NULL, "balance", NULL), ==, 0);
  g_assert_cmpint (command (&run, other_url, NULL, "balance", NULL), ==, 3);
  g_assert_cmpint (command (&run, run.api_url, NULL, "webhook", "url", NULL), ==, 0);
  g_assert_cmpint (command (&run, run.api_url, NULL, "webhook", "register",
                            "https://crm.example.org/zadarma_webhook/" TOKEN, NULL), ==, 0);
  g_assert_cmpint (command (&run, run.api_url, NULL, "call", "+7 900 444-33-22", "79500000033",
                            "100", NULL), ==, 0);
  g_assert_cmpuint (nc_pbx_simulator_get_callbacks (run.simulator)->len, ==, 1);

  /* listen, with whole calls; the API fails once while it fetches the recordings' links. A
   * warning must not kill it: what it says is searched at the end, and judged. */
  launcher = launcher_new (&run, run.api_url);
  g_subprocess_launcher_unsetenv (launcher, "G_DEBUG");
  listen_args[4] = port;
  listener = nc_test_listener_start (launcher, listen_args);
  nc_pbx_simulator_set_webhook_target (run.simulator, listener->url);
  requests.simulator = run.simulator;
  requests.count = nc_pbx_simulator_get_request_count (run.simulator) + 3;
  nc_pbx_simulator_push_fault (run.simulator, NC_PBX_FAULT_SERVER_ERROR);
  answered = play_call (&run, NC_PBX_CALL_INCOMING_ANSWERED, "79004443322");
  missed = play_call (&run, NC_PBX_CALL_INCOMING_MISSED, "79161112233");
  outgoing = play_call (&run, NC_PBX_CALL_OUTGOING_ANSWERED, "375291234567");
  busy = play_call (&run, NC_PBX_CALL_OUTGOING_BUSY, "79004443322");

  /* Refused and replayed events go through the listener's other paths. */
  g_assert_cmpuint (post_event (listener->url, "in_forged_1", "not-the-secret"), ==, 401);
  wrong_token_url = g_strdup_printf ("http://127.0.0.1:%s/zadarma_webhook/not-the-token-0123456",
                                     port);
  g_assert_cmpuint (post_event (wrong_token_url, "in_forged_2", CANARY), ==, 404);
  g_assert_cmpuint (post_event (listener->url, "in_replayed_1", CANARY), ==, 200);
  g_assert_cmpuint (post_event (listener->url, "in_replayed_1", CANARY), ==, 200);

  /* Two recordings: a 502, then both links asked for again. */
  g_assert_true (wait_for (requests_reached, &requests));

  g_assert_cmpint (nc_test_listener_stop (listener, &out, &err), ==, 0);
  g_test_message ("listen said:\n%s%s", out, err);
  g_assert_nonnull (strstr (out, answered));
  g_assert_null (strstr (err, "CRITICAL"));
  g_ptr_array_add (run.said, g_steal_pointer (&out));
  g_ptr_array_add (run.said, g_steal_pointer (&err));

  /* The exports, to files under the run's folder. */
  calls_csv = g_build_filename (run.exports, "calls.csv", NULL);
  clients_csv = g_build_filename (run.exports, "clients.csv", NULL);
  g_assert_cmpint (command (&run, run.api_url, NULL, "calls", "export", calls_csv, NULL), ==, 0);
  g_assert_cmpint (command (&run, run.api_url, NULL, "clients", "export", clients_csv, NULL), ==, 0);
  g_assert_cmpint (command (&run, run.api_url, NULL, "calls", "export", "-", NULL), ==, 0);
  g_assert_true (g_file_get_contents (calls_csv, &exported, NULL, NULL));
  g_assert_nonnull (strstr (exported, answered));
  g_assert_nonnull (strstr (exported, busy));
  g_assert_nonnull (strstr (exported, "in_replayed_1"));
  g_assert_null (strstr (exported, "in_forged_"));

  /* The search reads what is there (the store holds the calls), and the Secret is not. */
  g_ptr_array_add (run.said, NULL);
  found = nc_test_find_in_tree (run.root, outgoing, NULL);
  g_assert_nonnull (found);
  g_clear_pointer (&found, g_free);
  found = nc_test_find_in_tree (run.root, missed, NULL);
  g_assert_nonnull (found);
  g_clear_pointer (&found, g_free);
  found = nc_test_find_in_tree (run.root, CANARY, &files);
  g_test_message ("%u files searched under %s", files, run.root);
  if (found != NULL)
    g_error ("the Secret is in %s", found);
  /* At least the store and the two exports. */
  g_assert_cmpuint (files, >=, 3);
  nc_test_assert_nowhere (CANARY, NULL, (const char *const *) run.said->pdata);

  nc_pbx_simulator_stop (other);
  nc_pbx_simulator_stop (run.simulator);
  g_clear_object (&run.simulator);
  g_ptr_array_unref (run.said);
  g_free (run.api_url);
  nc_test_remove_tree (run.root);
  g_free (run.root);
  g_free (run.exports);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/secret-nowhere/whole-run", test_whole_run);

  return nc_test_run ();
}
