/* test-cli-webhook.c — webhook url, webhook register, calls export and listen, as an admin runs them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <libsoup/soup.h>

#include <unistd.h>
#include <glib/gstdio.h>

#include "nc-call-event.h"
#include "nc-cli.h"
#include "nc-client-matcher.h"
#include "nc-pbx-simulator.h"
#include "nc-store.h"
#include "nc-test-util.h"
#include "nc-zadarma-sign.h"

#define KEY "a1b2c3d4e5f6a7b8c9d0"
#define SECRET "c3e9a1b2d4f60718293a4b5c6d7e8f90"
#define TOKEN "cli-webhook-token-0123456789"

static void
test_url (void)
{
  g_autofree char *dir = nc_test_make_temp_dir ();
  NcTestRun run;

  g_setenv ("NOVOFON_WEBHOOK_TOKEN", TOKEN, TRUE);
  /* The Secret is there to be leaked, and must not be. */
  g_setenv ("NOVOFON_API_KEY", KEY, TRUE);
  g_setenv ("NOVOFON_API_SECRET", SECRET, TRUE);
  run = nc_test_cli (dir, NULL, "webhook", "url", NULL);
  g_unsetenv ("NOVOFON_API_KEY");
  g_unsetenv ("NOVOFON_API_SECRET");
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, "http://127.0.0.1:8765/zadarma_webhook/" TOKEN "\n");
  /* A loopback address is useless to the PBX, and the command says so. */
  g_assert_nonnull (strstr (run.err, "cannot reach"));
  {
    const char *const said[] = { run.out, run.err, NULL };

    nc_test_assert_nowhere (SECRET, dir, said);
  }
  nc_test_run_clear (&run);

  g_setenv ("NOVOFON_WEBHOOK_TOKEN", "bad/token", TRUE);
  run = nc_test_cli (dir, NULL, "webhook", "url", NULL);
  g_assert_cmpint (run.status, ==, 3);
  nc_test_run_clear (&run);
  g_unsetenv ("NOVOFON_WEBHOOK_TOKEN");
  nc_test_remove_tree (dir);
}

/* The simulator answers from a thread and a main context of its own, while the command
 * runs its own loop on this one. */
typedef struct
{
  NcPbxSimulator *simulator;
  char           *url;
  gint            ready;
  gint            stop;
} Pbx;

static gpointer
pbx_thread (gpointer data)
{
  Pbx *pbx = data;
  GMainContext *context = g_main_context_new ();

  g_main_context_push_thread_default (context);
  pbx->simulator = nc_pbx_simulator_new (KEY, SECRET);
  g_assert_true (nc_pbx_simulator_start (pbx->simulator, 0, NULL));
  pbx->url = nc_pbx_simulator_get_url (pbx->simulator);
  g_atomic_int_set (&pbx->ready, TRUE);
  while (!g_atomic_int_get (&pbx->stop))
    {
      g_main_context_iteration (context, FALSE);
      g_usleep (1000);
    }
  nc_pbx_simulator_stop (pbx->simulator);
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
  return NULL;
}

static void
test_register (void)
{
  g_autofree char *dir = nc_test_make_temp_dir ();
  const char *url = "https://crm.example.org/zadarma_webhook/" TOKEN;
  Pbx pbx = { NULL, NULL, FALSE, FALSE };
  GThread *thread = g_thread_new ("pbx", pbx_thread, &pbx);
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  NcTestRun run, bad;

  while (!g_atomic_int_get (&pbx.ready) && g_get_monotonic_time () < deadline)
    g_usleep (1000);
  g_assert_true (g_atomic_int_get (&pbx.ready));
  g_setenv ("NOVOFON_API_URL", pbx.url, TRUE);
  g_setenv ("NOVOFON_API_KEY", KEY, TRUE);
  g_setenv ("NOVOFON_API_SECRET", SECRET, TRUE);

  run = nc_test_cli (dir, NULL, "webhook", "register", url, NULL);
  g_atomic_int_set (&pbx.stop, TRUE);
  g_thread_join (thread);

  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "Интеграция активна"));
  g_assert_cmpstr (nc_pbx_simulator_get_webhook_url (pbx.simulator), ==, url);
  g_assert_true (nc_pbx_simulator_get_notifications_enabled (pbx.simulator));
  nc_test_run_clear (&run);
  g_object_unref (pbx.simulator);
  g_free (pbx.url);

  bad = nc_test_cli (dir, NULL, "webhook", "register", "ftp://example.org/x", NULL);
  g_assert_cmpint (bad.status, ==, 2);
  nc_test_run_clear (&bad);

  g_unsetenv ("NOVOFON_API_URL");
  g_unsetenv ("NOVOFON_API_KEY");
  g_unsetenv ("NOVOFON_API_SECRET");
  nc_test_remove_tree (dir);
}

#define EXPORT_HEADER \
  "pbx_call_id,direction,started_at,answered_at,ended_at,client_name,client_phone," \
  "employee,duration,disposition,record_link\r\n"

static void
event_added (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  gboolean inserted = FALSE;

  g_assert_true (nc_store_add_call_event_finish (NC_STORE (source), result, &inserted, &error));
  g_assert_no_error (error);
  g_assert_true (inserted);
  (*(guint *) user_data)++;
}

/* A few calls as the listener stores them: an incoming one answered, recorded, matched to
 * a client whose name needs quoting, its link fetched; an outgoing one busy; a call still
 * ringing; and a NOTIFY_RECORD that came before every other event of its call (no start:
 * not in the journal, nor in the export). */
static void
store_some_calls (const char *dir)
{
  g_autoptr(NcStore) store = nc_store_open_sync (dir, NULL);
  g_autoptr(GPtrArray) drafts = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GArray) ids = NULL;
  g_autoptr(NcCallRecord) in_1 = NULL;
  g_autoptr(NcClient) client = NULL;
  g_autoptr(GError) error = NULL;
  gint64 t0 = (gint64) 1795000000 * G_USEC_PER_SEC;
  struct
  {
    const char *type;
    guint       at;   /* seconds after t0 */
    GHashTable *fields;
  } events[] = {
    { "NOTIFY_START", 0,
      nc_test_fields ("event", "NOTIFY_START", "call_start", "2026-11-23 10:15:03",
                      "pbx_call_id", "in_1", "caller_id", "79004443322",
                      "called_did", "74951234567", NULL) },
    { "NOTIFY_ANSWER", 6,
      nc_test_fields ("event", "NOTIFY_ANSWER", "call_start", "2026-11-23 10:15:03",
                      "pbx_call_id", "in_1", "caller_id", "79004443322",
                      "destination", "100", NULL) },
    { "NOTIFY_END", 71,
      nc_test_fields ("event", "NOTIFY_END", "call_start", "2026-11-23 10:15:03",
                      "pbx_call_id", "in_1", "caller_id", "79004443322",
                      "called_did", "74951234567", "internal", "100", "duration", "65",
                      "disposition", "answered", "status_code", "16", "is_recorded", "1",
                      "call_id_with_rec", "1795000071.1", NULL) },
    { "NOTIFY_OUT_START", 2700,
      nc_test_fields ("event", "NOTIFY_OUT_START", "call_start", "2026-11-23 11:00:00",
                      "pbx_call_id", "out_1", "caller_id", "79500000033",
                      "destination", "79161112233", "internal", "111111", NULL) },
    { "NOTIFY_OUT_END", 2701,
      nc_test_fields ("event", "NOTIFY_OUT_END", "call_start", "2026-11-23 11:00:00",
                      "pbx_call_id", "out_1", "caller_id", "79500000033",
                      "destination", "79161112233", "internal", "111111", "duration", "0",
                      "disposition", "busy", "status_code", "17", "is_recorded", "0",
                      "call_id_with_rec", "", NULL) },
    { "NOTIFY_START", 3600,
      nc_test_fields ("event", "NOTIFY_START", "call_start", "2026-11-23 11:15:00",
                      "pbx_call_id", "in_2", "caller_id", "79260000001",
                      "called_did", "74951234567", NULL) },
    { "NOTIFY_RECORD", 3700,
      nc_test_fields ("event", "NOTIFY_RECORD", "pbx_call_id", "in_early",
                      "call_id_with_rec", "1795003700.9", NULL) },
  };

  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (events); i++)
    {
      nc_test_store_event (store, events[i].type, events[i].fields,
                           t0 + (gint64) events[i].at * G_USEC_PER_SEC);
      g_hash_table_unref (events[i].fields);
    }

  /* What the call service does next: the client, then the link. */
  g_ptr_array_add (drafts, nc_client_new (0, "Иванов, \"Ромашка\"", NC_CHANNEL_TELEPHONY,
                                          "79004443322", 0));
  g_assert_true (nc_store_add_clients_sync (store, drafts, &ids, &error));
  g_assert_no_error (error);
  in_1 = nc_store_get_call_sync (store, "in_1", &error);
  g_assert_no_error (error);
  g_assert_true (nc_store_set_call_client_sync (store, in_1->id, g_array_index (ids, gint64, 0),
                                                nc_match_rule_to_string (NC_MATCH_RULE_TELEPHONY_CLIENT),
                                                &error));
  g_assert_no_error (error);
  g_assert_true (nc_store_recording_fetched_sync (store, in_1->id,
                                                  "https://rec.example.org/1.mp3",
                                                  "2027-01-22 10:16:14", &error));
  g_assert_no_error (error);
  client = nc_store_get_client_sync (store, g_array_index (ids, gint64, 0), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (nc_client_get_variable (client, NC_RECORD_LINK_VARIABLE), ==,
                   "https://rec.example.org/1.mp3");

  nc_test_wait_for_last_reference (store);
}

static const char some_calls_csv[] =
  EXPORT_HEADER
  "in_2,in,2026-11-23 11:15:00,,,,79260000001,,,,\r\n"
  "out_1,out,2026-11-23 11:00:00,,2026-11-23 11:00:01,,79161112233,111111,0,busy,\r\n"
  "in_1,in,2026-11-23 10:15:03,2026-11-23 10:15:09,2026-11-23 10:16:14,"
  "\"Иванов, \"\"Ромашка\"\"\",79004443322,100,65,answered,https://rec.example.org/1.mp3\r\n";

static char *
read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_no_error (error);
  return contents;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* The names in @dir, sorted, joined by spaces. */
static char *
list_dir (const char *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_nonnull (handle);
  while ((name = g_dir_read_name (handle)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (" ", (char **) names->pdata);
}

/* The journal as CSV, read from the calls' rows: one row per call that has a start,
 * newest first, times as the PBX gave them, the client's name and the link as the store
 * keeps them; `-` is standard output. */
static void
test_calls_export_stdout (void)
{
  g_autofree char *dir = nc_test_make_temp_dir ();
  NcTestRun run;

  store_some_calls (dir);
  run = nc_test_cli (dir, NULL, "calls", "export", "-", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, some_calls_csv);
  /* Standard output is the data, and nothing else. */
  g_assert_cmpstr (run.err, ==, "");
  nc_test_run_clear (&run);

  /* No calls: the header alone. */
  {
    g_autofree char *empty = nc_test_make_temp_dir ();

    run = nc_test_cli (empty, NULL, "calls", "export", "-", NULL);
    g_assert_cmpint (run.status, ==, 0);
    g_assert_cmpstr (run.out, ==, EXPORT_HEADER);
    nc_test_run_clear (&run);
    nc_test_remove_tree (empty);
  }

  run = nc_test_cli (dir, NULL, "calls", "export", NULL);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_cmpstr (run.out, ==, "");
  nc_test_run_clear (&run);
  nc_test_remove_tree (dir);
}

/* To a file: written beside it and renamed into place whole (a hard link to the old file
 * keeps the old text: it was replaced, not rewritten), readable by its owner only, and
 * nothing left behind; a file that cannot be written fails with nothing in its place. */
static void
test_calls_export_file (void)
{
  g_autofree char *dir = nc_test_make_temp_dir ();
  g_autofree char *out_dir = g_build_filename (dir, "out", NULL);
  g_autofree char *target = g_build_filename (out_dir, "calls.csv", NULL);
  g_autofree char *old_link = g_build_filename (out_dir, "old.csv", NULL);
  g_autofree char *missing = g_build_filename (dir, "no-such-folder", "calls.csv", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *old_contents = NULL;
  g_autofree char *names = NULL;
  GStatBuf info;
  NcTestRun run;

  store_some_calls (dir);
  g_assert_cmpint (g_mkdir (out_dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (target, "the export before\n", -1, NULL));
  g_assert_cmpint (link (target, old_link), ==, 0);

  run = nc_test_cli (dir, NULL, "calls", "export", target, NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, "");
  g_assert_cmpstr (run.err, ==, "Exported 3 calls.\n");
  nc_test_run_clear (&run);

  contents = read_file (target);
  g_assert_cmpstr (contents, ==, some_calls_csv);
  g_assert_cmpint (g_stat (target, &info), ==, 0);
  g_assert_cmpint (info.st_mode & 0777, ==, 0600);
  g_assert_cmpint (info.st_nlink, ==, 1);
  old_contents = read_file (old_link);
  g_assert_cmpstr (old_contents, ==, "the export before\n");
  /* No temporary file beside it. */
  names = list_dir (out_dir);
  g_assert_cmpstr (names, ==, "calls.csv old.csv");

  run = nc_test_cli (dir, NULL, "calls", "export", missing, NULL);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_nonnull (strstr (run.err, missing));
  g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));
  nc_test_run_clear (&run);
  nc_test_remove_tree (out_dir);
  nc_test_remove_tree (dir);
}

#define MANY_CALLS 5000

/* More calls than a page (the export reads 1 000 at a time): every one is exported, once,
 * newest first. Three calls share each second, so that pages end between calls that
 * started together and the keyset's tie (the row's id) is what keeps them apart. */
static void
test_calls_export_many (void)
{
  g_autofree char *dir = nc_test_make_temp_dir ();
  g_autofree char *target = g_build_filename (dir, "many.csv", NULL);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  gint64 t0 = (gint64) 1795000000 * G_USEC_PER_SEC;
  gint64 deadline = g_get_monotonic_time () + 300 * G_USEC_PER_SEC;
  guint stored = 0;
  NcTestRun run;

  {
    g_autoptr(NcStore) store = nc_store_open_sync (dir, NULL);
    g_autoptr(GDateTime) base = g_date_time_new_utc (2026, 11, 23, 9, 0, 0);

    for (guint i = 0; i < MANY_CALLS; i++)
      {
        g_autoptr(GDateTime) at = g_date_time_add_seconds (base, i / 3);
        g_autofree char *start = g_date_time_format (at, "%Y-%m-%d %H:%M:%S");
        g_autofree char *id = g_strdup_printf ("in_many_%u", i);
        g_autofree char *caller = g_strdup_printf ("7916%07u", i);
        g_autoptr(GHashTable) begin = nc_test_fields ("event", "NOTIFY_START",
                                                      "call_start", start, "pbx_call_id", id,
                                                      "caller_id", caller,
                                                      "called_did", "74951234567", NULL);
        g_autoptr(GHashTable) end = nc_test_fields ("event", "NOTIFY_END",
                                                    "call_start", start, "pbx_call_id", id,
                                                    "caller_id", caller,
                                                    "called_did", "74951234567",
                                                    "internal", "", "duration", "0",
                                                    "disposition", "no answer",
                                                    "status_code", "19", "is_recorded", "0",
                                                    "call_id_with_rec", "", NULL);
        g_autofree char *begin_text = nc_zadarma_encode_params (begin);
        g_autofree char *end_text = nc_zadarma_encode_params (end);

        /* All at once, as a busy listener hands them over: group commits. */
        nc_store_add_call_event_async (store, "NOTIFY_START", begin_text,
                                       t0 + (gint64) i * G_USEC_PER_SEC / 3, NULL,
                                       event_added, &stored);
        nc_store_add_call_event_async (store, "NOTIFY_END", end_text,
                                       t0 + (gint64) i * G_USEC_PER_SEC / 3 + 20 * G_USEC_PER_SEC,
                                       NULL, event_added, &stored);
      }
    while (stored < 2 * MANY_CALLS && g_get_monotonic_time () < deadline)
      g_main_context_iteration (NULL, TRUE);
    g_assert_cmpuint (stored, ==, 2 * MANY_CALLS);
    g_assert_cmpint (nc_test_sql_int (nc_store_get_path (store), "SELECT count(*) FROM calls"),
                     ==, MANY_CALLS);
    nc_test_wait_for_last_reference (store);
  }

  run = nc_test_cli (dir, NULL, "calls", "export", target, NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.err, ==, "Exported 5000 calls.\n");
  nc_test_run_clear (&run);

  contents = read_file (target);
  g_assert_true (g_str_has_prefix (contents, EXPORT_HEADER));
  g_assert_true (g_str_has_suffix (contents, "\r\n"));
  lines = g_strsplit (contents + strlen (EXPORT_HEADER), "\r\n", -1);
  /* The last element is what follows the last CRLF: nothing. */
  g_assert_cmpuint (g_strv_length (lines), ==, MANY_CALLS + 1);
  g_assert_cmpstr (lines[MANY_CALLS], ==, "");
  for (guint i = 0; i < MANY_CALLS; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], ",", -1);
      guint64 n = 0;

      g_assert_cmpuint (g_strv_length (fields), ==, 11);
      g_assert_true (g_str_has_prefix (fields[0], "in_many_"));
      g_assert_true (g_ascii_string_to_unsigned (fields[0] + strlen ("in_many_"), 10, 0,
                                                 MANY_CALLS - 1, &n, NULL));
      /* Newest first, each call once: they were stored in the order they started, so
       * within a second too the one stored last comes first. */
      g_assert_cmpuint (n, ==, MANY_CALLS - 1 - i);
      g_assert_cmpstr (fields[8], ==, "0");
      g_assert_cmpstr (fields[9], ==, "no answer");
    }
  nc_test_remove_tree (dir);
}

typedef struct
{
  guint  status;
  char  *body;
  gboolean done;
  GTlsCertificate *peer;
} Reply;

static void
posted (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  Reply *reply = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result,
                                                               &error);
  SoupMessage *message = soup_session_get_async_result_message (SOUP_SESSION (source), result);

  g_assert_no_error (error);
  reply->status = soup_message_get_status (message);
  reply->body = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  reply->peer = soup_message_get_tls_peer_certificate (message);
  if (reply->peer != NULL)
    g_object_ref (reply->peer);
  reply->done = TRUE;
}

/* Only the certificate this test made, not any. */
static gboolean
accept_ours (SoupMessage          *message,
             GTlsCertificate      *certificate,
             GTlsCertificateFlags  errors,
             gpointer              user_data)
{
  return g_tls_certificate_is_same (certificate, G_TLS_CERTIFICATE (user_data));
}

static void
make_certificate (const char *dir,
                  char      **out_cert,
                  char      **out_key)
{
  g_autofree char *command = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int wait_status = 0;

  *out_cert = g_build_filename (dir, "cert.pem", NULL);
  *out_key = g_build_filename (dir, "key.pem", NULL);
  command = g_strdup_printf ("openssl req -x509 -newkey rsa:2048 -nodes -days 1 "
                             "-subj /CN=127.0.0.1 -keyout %s -out %s", *out_key, *out_cert);
  g_assert_true (g_spawn_command_line_sync (command, NULL, &err, &wait_status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (wait_status, &error))
    g_error ("openssl failed (%s): %s", error->message, err);
}

/* listen --tls-certificate/--tls-key: the command speaks HTTPS with that certificate, and
 * a signed event it answers with 200 is in the store. */
static void
test_listen_tls (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *now_text = g_date_time_format (now, "%Y-%m-%d %H:%M:%S");
  g_autofree char *dir = nc_test_make_temp_dir ();
  g_autofree char *cert = NULL;
  g_autofree char *key = NULL;
  g_autofree char *port = g_strdup_printf ("%u", nc_test_free_port ());
  g_autofree char *expected_url = NULL;
  g_autofree char *body = NULL;
  g_autofree char *signature = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GTlsCertificate) ours = NULL;
  g_autoptr(GHashTable) fields = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 30, NULL);
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(NcStore) store = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(NcCallRecord) call = NULL;
  g_autofree char *path = NULL;
  gint64 deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;
  Reply reply = { 0 };
  NcTestListener *listener;
  GPtrArray *stored;
  const char *args[] = { "--data-dir", dir, "listen", "--bind", "127.0.0.1", "--port", NULL,
                         "--tls-certificate", NULL, "--tls-key", NULL, NULL };

  make_certificate (dir, &cert, &key);
  ours = g_tls_certificate_new_from_file (cert, &error);
  g_assert_no_error (error);
  args[6] = port;
  args[8] = cert;
  args[10] = key;

  /* Credentials in the environment: no keyring, no session bus. */
  g_subprocess_launcher_setenv (launcher, "NOVOFON_API_KEY", KEY, TRUE);
  g_subprocess_launcher_setenv (launcher, "NOVOFON_API_SECRET", SECRET, TRUE);
  g_subprocess_launcher_setenv (launcher, "NOVOFON_WEBHOOK_TOKEN", TOKEN, TRUE);
  g_subprocess_launcher_setenv (launcher, "NOVOFON_API_URL", "http://127.0.0.1:9", TRUE);
  g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent",
                                TRUE);
  /* Under the sanitizers, LeakSanitizer's tracer crashes at the end of a listen that spoke
   * TLS (glib-networking, loaded as a module, leaves a parked thread with dynamic TLS; see
   * nc_test_run()): its leaks are not checked here. ASan and UBSan still are, and the leaks
   * of listen over plain HTTP are checked by test-secret-nowhere and the soak. */
  {
    g_autofree char *asan = g_strconcat (g_getenv ("ASAN_OPTIONS") != NULL ? g_getenv ("ASAN_OPTIONS") : "",
                                         ":detect_leaks=0", NULL);

    g_subprocess_launcher_setenv (launcher, "ASAN_OPTIONS", asan, TRUE);
  }
  listener = nc_test_listener_start (launcher, args);
  expected_url = g_strdup_printf ("https://127.0.0.1:%s/zadarma_webhook/" TOKEN, port);
  g_assert_cmpstr (listener->url, ==, expected_url);

  g_hash_table_insert (fields, (gpointer) "event", (gpointer) "NOTIFY_START");
  /* Now: the listener refuses a call_start far from its clock. */
  g_hash_table_insert (fields, (gpointer) "call_start", now_text);
  g_hash_table_insert (fields, (gpointer) "pbx_call_id", (gpointer) "in_tls_1");
  g_hash_table_insert (fields, (gpointer) "caller_id", (gpointer) "79004443322");
  g_hash_table_insert (fields, (gpointer) "called_did", (gpointer) "74951234567");
  signature = nc_call_event_sign (SECRET, fields);
  body = soup_form_encode_hash (fields);
  bytes = g_bytes_new (body, strlen (body));

  message = soup_message_new ("POST", listener->url);
  soup_message_set_request_body_from_bytes (message, "application/x-www-form-urlencoded", bytes);
  soup_message_headers_replace (soup_message_get_request_headers (message), "Signature",
                                signature);
  g_signal_connect (message, "accept-certificate", G_CALLBACK (accept_ours), ours);
  soup_session_set_proxy_resolver (session, NULL);
  soup_session_send_and_read_async (session, message, G_PRIORITY_DEFAULT, NULL, posted, &reply);
  while (!reply.done && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (reply.done);
  g_assert_cmpuint (reply.status, ==, 200);
  g_assert_nonnull (reply.peer);
  g_assert_true (g_tls_certificate_is_same (reply.peer, ours));
  g_clear_object (&reply.peer);
  g_free (reply.body);
  g_clear_object (&session);

  g_assert_cmpint (nc_test_listener_stop (listener, &out, &err), ==, 0);
  g_test_message ("listen said:\n%s%s", out, err);
  g_assert_nonnull (strstr (out, "NOTIFY_START in_tls_1 79004443322"));
  g_assert_true (g_str_has_suffix (err, "Stopped; every acknowledged event is stored.\n"));

  store = nc_store_open_sync (dir, &error);
  g_assert_no_error (error);
  path = g_strdup (nc_store_get_path (store));
  events = nc_test_sql_rows (path, "SELECT event_type, fields FROM call_events");
  g_assert_cmpuint (events->len, ==, 1);
  stored = events->pdata[0];
  g_assert_cmpstr (stored->pdata[0], ==, "NOTIFY_START");
  g_assert_nonnull (strstr (stored->pdata[1], "pbx_call_id=in_tls_1"));
  g_assert_nonnull (strstr (stored->pdata[1], "caller_id=79004443322"));
  /* And its call, ringing. */
  call = nc_store_get_call_sync (store, "in_tls_1", &error);
  g_assert_no_error (error);
  g_assert_cmpint (call->state, ==, NC_CALL_STATE_RINGING);
  g_assert_cmpstr (call->client_number, ==, "79004443322");
  g_assert_cmpstr (call->started_at, ==, now_text);
  nc_test_wait_for_last_reference (store);
  g_clear_object (&store);
  nc_test_remove_tree (dir);
}

/* A certificate it cannot use: a clear sentence and exit code 2, before it listens. */
static void
test_listen_tls_refused (void)
{
  g_autofree char *dir = nc_test_make_temp_dir ();
  g_autofree char *missing = g_build_filename (dir, "missing.pem", NULL);
  NcTestRun run;

  g_setenv ("NOVOFON_API_KEY", KEY, TRUE);
  g_setenv ("NOVOFON_API_SECRET", SECRET, TRUE);
  g_setenv ("NOVOFON_WEBHOOK_TOKEN", TOKEN, TRUE);
  run = nc_test_cli (dir, NULL, "listen", "--bind", "127.0.0.1", "--port", "0", "--tls-certificate", missing,
             "--tls-key", missing, NULL);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "Could not use the TLS certificate"));
  nc_test_run_clear (&run);

  run = nc_test_cli (dir, NULL, "listen", "--tls-certificate", missing, NULL);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "go together"));
  nc_test_run_clear (&run);
  g_unsetenv ("NOVOFON_API_KEY");
  g_unsetenv ("NOVOFON_API_SECRET");
  g_unsetenv ("NOVOFON_WEBHOOK_TOKEN");
  nc_test_remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cli-webhook/url", test_url);
  g_test_add_func ("/cli-webhook/register", test_register);
  g_test_add_func ("/cli-webhook/calls-export/stdout", test_calls_export_stdout);
  g_test_add_func ("/cli-webhook/calls-export/file", test_calls_export_file);
  g_test_add_func ("/cli-webhook/calls-export/many", test_calls_export_many);
  g_test_add_func ("/cli-webhook/listen-tls", test_listen_tls);
  g_test_add_func ("/cli-webhook/listen-tls-refused", test_listen_tls_refused);

  return nc_test_run ();
}
