/* test-cli-webhook.c — webhook url, webhook register, calls export and listen, as an admin runs them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <libsoup/soup.h>

#include "nc-call-event.h"
#include "nc-cli.h"
#include "nc-pbx-simulator.h"
#include "nc-store.h"
#include "nc-test-util.h"

#define KEY "a1b2c3d4e5f6a7b8c9d0"
#define SECRET "c3e9a1b2d4f60718293a4b5c6d7e8f90"
#define TOKEN "cli-webhook-token-0123456789"

typedef struct
{
  int   status;
  char *out;
  char *err;
} Run;

static Run
cli (const char *dir,
     ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  FILE *out = tmpfile (), *err = tmpfile ();
  Run run;
  va_list args;

  g_ptr_array_add (argv, (gpointer) "novofon-console");
  g_ptr_array_add (argv, (gpointer) "--data-dir");
  g_ptr_array_add (argv, (gpointer) dir);
  va_start (args, dir);
  for (const char *arg = va_arg (args, const char *); arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  run.status = nc_cli_run ((int) argv->len - 1, (char *const *) argv->pdata, stdin, out, err);
  run.out = nc_test_read_stream (out);
  run.err = nc_test_read_stream (err);
  return run;
}

static void
test_url (void)
{
  g_autofree char *dir = nc_test_make_temp_dir ();
  Run run;

  g_setenv ("NOVOFON_WEBHOOK_TOKEN", TOKEN, TRUE);
  /* The Secret is there to be leaked, and must not be. */
  g_setenv ("NOVOFON_API_KEY", KEY, TRUE);
  g_setenv ("NOVOFON_API_SECRET", SECRET, TRUE);
  run = cli (dir, "webhook", "url", NULL);
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
  g_free (run.out);
  g_free (run.err);

  g_setenv ("NOVOFON_WEBHOOK_TOKEN", "bad/token", TRUE);
  run = cli (dir, "webhook", "url", NULL);
  g_assert_cmpint (run.status, ==, 3);
  g_free (run.out);
  g_free (run.err);
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
  Run run, bad;

  while (!g_atomic_int_get (&pbx.ready) && g_get_monotonic_time () < deadline)
    g_usleep (1000);
  g_assert_true (g_atomic_int_get (&pbx.ready));
  g_setenv ("NOVOFON_API_URL", pbx.url, TRUE);
  g_setenv ("NOVOFON_API_KEY", KEY, TRUE);
  g_setenv ("NOVOFON_API_SECRET", SECRET, TRUE);

  run = cli (dir, "webhook", "register", url, NULL);
  g_atomic_int_set (&pbx.stop, TRUE);
  g_thread_join (thread);

  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "Интеграция активна"));
  g_assert_cmpstr (nc_pbx_simulator_get_webhook_url (pbx.simulator), ==, url);
  g_assert_true (nc_pbx_simulator_get_notifications_enabled (pbx.simulator));
  g_free (run.out);
  g_free (run.err);
  g_object_unref (pbx.simulator);
  g_free (pbx.url);

  bad = cli (dir, "webhook", "register", "ftp://example.org/x", NULL);
  g_assert_cmpint (bad.status, ==, 2);
  g_free (bad.out);
  g_free (bad.err);

  g_unsetenv ("NOVOFON_API_URL");
  g_unsetenv ("NOVOFON_API_KEY");
  g_unsetenv ("NOVOFON_API_SECRET");
  nc_test_remove_tree (dir);
}

static void
added (GObject      *source,
       GAsyncResult *result,
       gpointer      user_data)
{
  g_assert_true (nc_store_add_call_event_finish (NC_STORE (source), result, NULL, NULL));
  (*(guint *) user_data)++;
}

/* The journal as CSV: one row per call, in the order they came, times as the PBX sent. */
static void
test_calls_export (void)
{
  g_autofree char *dir = nc_test_make_temp_dir ();
  g_autoptr(NcStore) store = nc_store_open_sync (dir, NULL);
  static const char *const events[][2] = {
    { "NOTIFY_START", "call_start=2026-11-23+10%3A15%3A03&called_did=74951234567&caller_id=79004443322&event=NOTIFY_START&pbx_call_id=in_1" },
    { "NOTIFY_ANSWER", "call_start=2026-11-23+10%3A15%3A03&caller_id=79004443322&destination=100&event=NOTIFY_ANSWER&pbx_call_id=in_1" },
    { "NOTIFY_END", "call_id_with_rec=&call_start=2026-11-23+10%3A15%3A03&called_did=74951234567&caller_id=79004443322&disposition=answered&duration=65&event=NOTIFY_END&internal=100&is_recorded=0&pbx_call_id=in_1&status_code=16" },
    { "NOTIFY_OUT_START", "call_start=2026-11-23+11%3A00%3A00&caller_id=79500000033&destination=79161112233&event=NOTIFY_OUT_START&internal=111111&pbx_call_id=out_1" },
    { "NOTIFY_OUT_END", "call_id_with_rec=&call_start=2026-11-23+11%3A00%3A00&caller_id=79500000033&destination=79161112233&disposition=busy&duration=0&event=NOTIFY_OUT_END&internal=111111&is_recorded=0&pbx_call_id=out_1&status_code=17" },
  };
  NcStoredCall stored = { (char *) "in_1", 0, NULL, (char *) "https://rec.example.org/1.mp3", NULL };
  gint64 t0 = (gint64) 1795000000 * G_USEC_PER_SEC;
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  guint done = 0;
  Run run;

  for (guint i = 0; i < G_N_ELEMENTS (events); i++)
    nc_store_add_call_event_async (store, events[i][0], events[i][1],
                                   t0 + (i == 1 ? 6 : i == 2 ? 71 : i) * G_USEC_PER_SEC, NULL,
                                   added, &done);
  while (done < G_N_ELEMENTS (events) && g_get_monotonic_time () < deadline)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
  g_assert_cmpuint (done, ==, G_N_ELEMENTS (events));
  g_assert_true (nc_store_save_call_sync (store, &stored, NULL));
  nc_test_wait_for_last_reference (store);
  g_clear_object (&store);

  run = cli (dir, "calls", "export", "-", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==,
                   "pbx_call_id,direction,started_at,answered_at,ended_at,client_name,client_phone,"
                   "employee,duration,disposition,record_link\r\n"
                   "in_1,in,2026-11-23 10:15:03,2026-11-23 10:15:09,2026-11-23 10:16:14,,79004443322,"
                   "100,65,answered,https://rec.example.org/1.mp3\r\n"
                   "out_1,out,2026-11-23 11:00:00,,2026-11-23 11:00:01,,79161112233,111111,0,busy,\r\n");
  g_free (run.out);
  g_free (run.err);
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
  gint64 deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;
  Reply reply = { 0 };
  NcTestListener *listener;
  NcStoredEvent *stored;
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
  g_hash_table_insert (fields, (gpointer) "call_start", (gpointer) "2026-11-23 10:15:03");
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
  events = nc_store_list_call_events_sync (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 1);
  stored = events->pdata[0];
  g_assert_cmpstr (stored->event_type, ==, "NOTIFY_START");
  g_assert_nonnull (strstr (stored->fields, "pbx_call_id=in_tls_1"));
  g_assert_nonnull (strstr (stored->fields, "caller_id=79004443322"));
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
  Run run;

  g_setenv ("NOVOFON_API_KEY", KEY, TRUE);
  g_setenv ("NOVOFON_API_SECRET", SECRET, TRUE);
  g_setenv ("NOVOFON_WEBHOOK_TOKEN", TOKEN, TRUE);
  run = cli (dir, "listen", "--bind", "127.0.0.1", "--port", "0", "--tls-certificate", missing,
             "--tls-key", missing, NULL);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "Could not use the TLS certificate"));
  g_free (run.out);
  g_free (run.err);

  run = cli (dir, "listen", "--tls-certificate", missing, NULL);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "go together"));
  g_free (run.out);
  g_free (run.err);
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
  g_test_add_func ("/cli-webhook/calls-export", test_calls_export);
  g_test_add_func ("/cli-webhook/listen-tls", test_listen_tls);
  g_test_add_func ("/cli-webhook/listen-tls-refused", test_listen_tls_refused);

  return nc_test_run ();
}
