/* test-webhook-limits.c — the listener against whoever reaches its port: huge and endless
 * bodies, silence, slow drips, floods of connections, resets, silent TLS clients, a
 * certificate without its key; in process, and as `listen`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The clients are plain sockets, so that a request can be cut, slowed or broken anywhere.
 * They connect from other loopback addresses (127.0.0.2, …) where the test is about peers.
 */

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <libsoup/soup.h>

#include "nc-call-event.h"
#include "nc-test-util.h"
#include "nc-webhook-server.h"

#define KEY "a1b2c3d4e5f6a7b8c9d0"
#define SECRET "c3e9a1b2d4f60718293a4b5c6d7e8f90"
#define TOKEN "limits-test-token-0123456789"
#define PATH "/zadarma_webhook/" TOKEN

/* Short stages, so that the time-outs can be seen in a test. */
static const NcWebhookLimits quick = {
  .max_connections = 32,
  .max_connections_per_peer = 8,
  .max_handshakes = 4,
  .max_handshakes_per_peer = 2,
  .handshake_timeout_ms = 400,
  .head_timeout_ms = 400,
  .body_timeout_ms = 400,
  .answer_timeout_ms = 400,
};

typedef struct
{
  char            *dir;
  NcStore         *store;
  NcWebhookServer *server;
  SoupSession     *session;
  char            *base;
  char            *certificate;
  char            *key;
} Fixture;

static guint accept_warnings;

/* The one warning of an accept() that failed is counted, not fatal. */
static GLogWriterOutput
log_writer (GLogLevelFlags   level,
            const GLogField *fields,
            gsize            n_fields,
            gpointer         user_data)
{
  const char *domain = NULL, *message = NULL;

  /* GIO's debug lines, several a connection, cost more than the connections here. */
  if (level & G_LOG_LEVEL_DEBUG)
    return G_LOG_WRITER_HANDLED;
  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
      domain = fields[i].value;
    else if (g_str_equal (fields[i].key, "MESSAGE"))
      message = fields[i].value;

  if (g_strcmp0 (domain, "nc-webhook-server") == 0 && message != NULL &&
      g_str_has_prefix (message, "Could not accept a connection"))
    {
      accept_warnings++;
      return G_LOG_WRITER_HANDLED;
    }
  return g_log_writer_default (level, fields, n_fields, user_data);
}

static gboolean
set_done (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates the main context for @ms, without spinning. */
static void
spin (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, set_done, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static void
make_certificate (const char *dir,
                  const char *name,
                  char      **out_certificate,
                  char      **out_key)
{
  g_autofree char *cert_name = g_strconcat (name, "-cert.pem", NULL);
  g_autofree char *key_name = g_strconcat (name, "-key.pem", NULL);
  g_autofree char *command = NULL;
  g_autoptr(GError) error = NULL;
  int wait_status = 0;

  *out_certificate = g_build_filename (dir, cert_name, NULL);
  *out_key = g_build_filename (dir, key_name, NULL);
  /* P-256: a handshake costs a fraction of RSA's. */
  command = g_strdup_printf ("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
                             "-nodes -days 1 -subj /CN=localhost -keyout %s -out %s",
                             *out_key, *out_certificate);
  g_assert_true (g_spawn_command_line_sync (command, NULL, NULL, &wait_status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (wait_status, NULL));
}

static void
fixture_listen (Fixture               *fixture,
                const NcWebhookLimits *limits,
                gboolean               tls)
{
  g_autoptr(GError) error = NULL;

  fixture->store = nc_store_open_sync (fixture->dir, &error);
  g_assert_no_error (error);
  fixture->server = nc_webhook_server_new (fixture->store, SECRET, TOKEN);
  if (limits != NULL)
    nc_webhook_server_set_limits (fixture->server, limits);
  if (tls)
    {
      make_certificate (fixture->dir, "server", &fixture->certificate, &fixture->key);
      g_assert_true (nc_webhook_server_set_tls (fixture->server, fixture->certificate,
                                                fixture->key, &error));
      g_assert_no_error (error);
    }
  g_assert_true (nc_webhook_server_listen (fixture->server, "127.0.0.1", 0, &error));
  g_assert_no_error (error);
  fixture->base = g_strdup_printf ("%s://127.0.0.1:%u", tls ? "https" : "http",
                                   nc_webhook_server_get_port (fixture->server));
  fixture->session = soup_session_new_with_options ("timeout", 10, NULL);
  soup_session_set_proxy_resolver (fixture->session, NULL);
  if (tls)
    {
      /* Its own certificate, not the system's CAs, which each connection would load. */
      g_autoptr(GTlsDatabase) database = g_tls_file_database_new (fixture->certificate, &error);

      g_assert_no_error (error);
      soup_session_set_tls_database (fixture->session, database);
    }
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->dir = nc_test_make_temp_dir ();
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->session);
  if (fixture->server != NULL)
    {
      gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

      nc_webhook_server_stop (fixture->server);
      while (G_OBJECT (fixture->server)->ref_count > 1 && g_get_monotonic_time () < deadline)
        g_main_context_iteration (NULL, FALSE);
      g_assert_finalize_object (fixture->server);
    }
  if (fixture->store != NULL)
    {
      nc_test_wait_for_last_reference (fixture->store);
      g_assert_finalize_object (fixture->store);
    }
  nc_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->base);
  g_free (fixture->certificate);
  g_free (fixture->key);
}

/* Raw clients ---------------------------------------------------------------------- */

/* Connected (the kernel completes it before the listener accepts), non-blocking. */
static GSocket *
raw_connect (Fixture    *fixture,
             const char *from)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) target =
    g_inet_socket_address_new (loopback, (guint16) nc_webhook_server_get_port (fixture->server));
  GSocket *socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                  G_SOCKET_PROTOCOL_TCP, &error);

  g_assert_no_error (error);
  if (from != NULL)
    {
      g_autoptr(GInetAddress) local = g_inet_address_new_from_string (from);
      g_autoptr(GSocketAddress) bind_to = g_inet_socket_address_new (local, 0);

      g_assert_true (g_socket_bind (socket, bind_to, FALSE, &error));
      g_assert_no_error (error);
    }
  g_assert_true (g_socket_connect (socket, target, NULL, &error));
  g_assert_no_error (error);
  g_socket_set_blocking (socket, FALSE);
  return socket;
}

/* Sends what it can of @data before @deadline; -1 once the connection is broken. */
static gssize
raw_send (GSocket    *socket,
          const char *data,
          gsize       length,
          gint64      deadline)
{
  gsize sent = 0;

  while (sent < length && g_get_monotonic_time () < deadline)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_socket_send_with_blocking (socket, data + sent, length - sent, FALSE, NULL,
                                              &error);

      if (n > 0)
        sent += (gsize) n;
      else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        spin (1);
      else
        return -1;
    }
  return (gssize) sent;
}

/* Appends what arrives to @into until the end of the stream (TRUE) or @deadline. */
static gboolean
raw_read (GSocket *socket,
          GString *into,
          gint64   deadline)
{
  char buffer[4096];

  /* Once at least, whatever the time. */
  do
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_socket_receive_with_blocking (socket, buffer, sizeof buffer, FALSE, NULL,
                                                 &error);

      if (n > 0)
        g_string_append_len (into, buffer, n);
      else if (n == 0 || !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        return TRUE;   /* the end, or a reset: closed either way */
      else if (g_get_monotonic_time () < deadline)
        spin (5);
    }
  while (g_get_monotonic_time () < deadline);
  return FALSE;
}

/* Whether @socket is closed by the other end, checked without waiting. */
static gboolean
raw_is_closed (GSocket *socket)
{
  g_autoptr(GString) ignored = g_string_new (NULL);

  return raw_read (socket, ignored, g_get_monotonic_time () + 1);
}

/* Waits, generously, until the listener counts @n connections. */
static void
wait_for_connections (Fixture *fixture,
                      guint    n)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (nc_webhook_server_get_connections (fixture->server) != n &&
         g_get_monotonic_time () < deadline)
    spin (5);
  g_assert_cmpuint (nc_webhook_server_get_connections (fixture->server), ==, n);
}

/* Waits, generously, for the other end to close @socket. */
static gboolean
wait_closed (GSocket *socket)
{
  g_autoptr(GString) ignored = g_string_new (NULL);

  return raw_read (socket, ignored, g_get_monotonic_time () + 10 * G_USEC_PER_SEC);
}

static char *
signed_start_body (const char *pbx_call_id,
                   char      **out_signature)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *start = g_date_time_format (now, "%Y-%m-%d %H:%M:%S");
  g_autoptr(GHashTable) fields = g_hash_table_new (g_str_hash, g_str_equal);

  g_hash_table_insert (fields, (gpointer) "event", (gpointer) "NOTIFY_START");
  g_hash_table_insert (fields, (gpointer) "call_start", start);
  g_hash_table_insert (fields, (gpointer) "pbx_call_id", (gpointer) pbx_call_id);
  g_hash_table_insert (fields, (gpointer) "caller_id", (gpointer) "79004443322");
  g_hash_table_insert (fields, (gpointer) "called_did", (gpointer) "74951234567");
  *out_signature = nc_call_event_sign (SECRET, fields);
  return soup_form_encode_hash (fields);
}

typedef struct
{
  guint    status;
  gboolean done;
  gint64   took;   /* µs */
} Answer;

static gboolean
accept_any_certificate (SoupMessage          *message,
                        GTlsCertificate      *certificate,
                        GTlsCertificateFlags  errors,
                        gpointer              user_data)
{
  return TRUE;
}

static void
answered (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Answer *answer = user_data;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result,
                                                               NULL);

  answer->status = body != NULL
                   ? soup_message_get_status (soup_session_get_async_result_message (
                                                SOUP_SESSION (source), result))
                   : 0;
  answer->done = TRUE;
}

/* A valid, new, signed event; its status and how long it took. */
static Answer
post_valid (Fixture    *fixture,
            const char *pbx_call_id)
{
  g_autofree char *signature = NULL;
  g_autofree char *body = signed_start_body (pbx_call_id, &signature);
  g_autofree char *url = g_strconcat (fixture->base, PATH, NULL);
  g_autoptr(SoupMessage) message = soup_message_new ("POST", url);
  g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
  Answer answer = { 0 };
  gint64 started = g_get_monotonic_time ();

  soup_message_set_request_body_from_bytes (message, "application/x-www-form-urlencoded", bytes);
  soup_message_headers_replace (soup_message_get_request_headers (message), "Signature",
                                signature);
  g_signal_connect (message, "accept-certificate", G_CALLBACK (accept_any_certificate), NULL);
  soup_session_send_and_read_async (fixture->session, message, G_PRIORITY_DEFAULT, NULL,
                                    answered, &answer);
  while (!answer.done)
    g_main_context_iteration (NULL, TRUE);
  answer.took = g_get_monotonic_time () - started;
  return answer;
}

static long
rss_kib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, "VmRSS:");
  return line != NULL ? strtol (line + strlen ("VmRSS:"), NULL, 10) : -1;
}

static guint
stored_events (Fixture *fixture)
{
  g_autoptr(GPtrArray) events = nc_store_list_call_events_sync (fixture->store, 0, G_MAXINT, NULL);

  return events->len;
}

/* Item 1: the token is checked, and the body capped, before the body is read ---------- */

/* Sends @head and, while it can, @chunk again and again (up to @limit bytes in all); the
 * answer must come, and the connection close, long before. */
static gsize
send_until_answered (Fixture    *fixture,
                     const char *head,
                     const char *chunk,
                     gsize       limit,
                     const char *expected)
{
  g_autoptr(GSocket) socket = raw_connect (fixture, NULL);
  g_autoptr(GString) answer = g_string_new (NULL);
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  gsize sent = (gsize) raw_send (socket, head, strlen (head), deadline);
  gboolean closed = FALSE;

  while (chunk != NULL && sent < limit && g_get_monotonic_time () < deadline)
    {
      gssize n = raw_send (socket, chunk, strlen (chunk), g_get_monotonic_time () + 200000);

      if (n < 0)
        break;
      sent += (gsize) n;
      if (n < (gssize) strlen (chunk))
        {
          /* The kernel's buffers are full: is the listener reading, or has it answered? */
          closed = raw_read (socket, answer, g_get_monotonic_time () + 1000);
          if (answer->len > 0)
            break;
        }
    }
  if (!closed)
    closed = raw_read (socket, answer, deadline);
  g_test_message ("%" G_GSIZE_FORMAT " bytes sent; answered: %.40s", sent, answer->str);
  g_assert_true (closed);
  g_assert_true (g_str_has_prefix (answer->str, expected));
  g_assert_nonnull (strstr (answer->str, "Connection: close\r\n"));
  return sent;
}

static void
test_refused_at_head (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GString) mebibyte = g_string_new ("100000\r\n");   /* a chunk of 1 MiB */
  long rss_before;
  gsize sent;

  fixture_listen (fixture, NULL, FALSE);
  g_string_set_size (mebibyte, 8 + 1024 * 1024);
  memset (mebibyte->str + 8, 'a', 1024 * 1024);
  g_string_append (mebibyte, "\r\n");
  rss_before = rss_kib ();

  /* 200 MiB announced to a wrong path: 404 before a byte of it. */
  send_until_answered (fixture,
                       "POST /zadarma_webhook/wrong-token-0123456789 HTTP/1.1\r\nHost: x\r\n"
                       "Content-Type: application/x-www-form-urlencoded\r\n"
                       "Content-Length: 209715200\r\n\r\n", NULL, 0, "HTTP/1.1 404 ");
  /* The same, chunked: the path is all it takes. */
  sent = send_until_answered (fixture,
                              "POST /zadarma_webhook/wrong-token-0123456789 HTTP/1.1\r\n"
                              "Host: x\r\nTransfer-Encoding: chunked\r\n\r\n",
                              mebibyte->str, 200 * 1024 * 1024, "HTTP/1.1 404 ");
  g_assert_cmpuint (sent, <, 32 * 1024 * 1024);
  /* 200 MiB announced to the right path: 413 at once. */
  send_until_answered (fixture,
                       "POST " PATH " HTTP/1.1\r\nHost: x\r\n"
                       "Content-Type: application/x-www-form-urlencoded\r\n"
                       "Content-Length: 209715200\r\n\r\n", NULL, 0, "HTTP/1.1 413 ");
  /* 400 × 1 MiB, chunked, to the right path: 413 once 64 KiB are in. */
  sent = send_until_answered (fixture,
                              "POST " PATH " HTTP/1.1\r\nHost: x\r\n"
                              "Content-Type: application/x-www-form-urlencoded\r\n"
                              "Transfer-Encoding: chunked\r\n\r\n",
                              mebibyte->str, 400 * 1024 * 1024, "HTTP/1.1 413 ");
  g_assert_cmpuint (sent, <, 32 * 1024 * 1024);
  /* A GET with zd_echo is answered at its head too, whatever body it announces. */
  send_until_answered (fixture,
                       "GET " PATH "?zd_echo=early HTTP/1.1\r\nHost: x\r\n"
                       "Content-Length: 104857600\r\n\r\n", NULL, 0, "HTTP/1.1 200 ");
  /* Framed two ways (RFC 9112, 6.3). */
  send_until_answered (fixture,
                       "POST " PATH " HTTP/1.1\r\nHost: x\r\n"
                       "Content-Type: application/x-www-form-urlencoded\r\n"
                       "Content-Length: 10\r\nContent-Length: 12\r\n\r\n", NULL, 0,
                       "HTTP/1.1 400 ");
  send_until_answered (fixture,
                       "POST " PATH " HTTP/1.1\r\nHost: x\r\n"
                       "Content-Type: application/x-www-form-urlencoded\r\n"
                       "Content-Length: 10\r\nTransfer-Encoding: chunked\r\n\r\n", NULL, 0,
                       "HTTP/1.1 400 ");

  g_test_message ("RSS %ld → %ld KiB", rss_before, rss_kib ());
  g_assert_cmpint (rss_kib () - rss_before, <, 16 * 1024);
  g_assert_cmpuint (nc_webhook_server_get_health (fixture->server)->rejected_not_found, ==, 2);
  g_assert_cmpuint (nc_webhook_server_get_health (fixture->server)->rejected_too_large, ==, 2);
  g_assert_cmpuint (nc_webhook_server_get_health (fixture->server)->rejected_malformed, ==, 2);
  g_assert_cmpuint (stored_events (fixture), ==, 0);

  /* And the listener still takes an event. */
  g_assert_cmpuint (post_valid (fixture, "in_after").status, ==, 200);
}

/* Item 2: every stage has a deadline ------------------------------------------------- */

static void
test_stages_time_out (Fixture       *fixture,
                      gconstpointer  data)
{
  struct
  {
    const char *what;
    const char *sends;
    GSocket    *socket;
    gint64      closed_after;
  } clients[] = {
    { "idle", "", NULL, 0 },
    { "half a head", "POST " PATH " HTTP/1.1\r\nHost: x\r\nContent-", NULL, 0 },
    { "half a body", "POST " PATH " HTTP/1.1\r\nHost: x\r\n"
                     "Content-Type: application/x-www-form-urlencoded\r\n"
                     "Content-Length: 100\r\n\r\nevent=NOTIFY", NULL, 0 },
    { "a head, a byte every 50 ms", NULL, NULL, 0 },
  };
  const char *drip = "POST " PATH " HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
  NcWebhookLimits defaults;
  gint64 started, deadline;
  guint open = G_N_ELEMENTS (clients), dripped = 0;

  /* The defaults are seconds, not minutes. */
  {
    g_autoptr(NcStore) store = nc_store_open_sync (fixture->dir, NULL);
    g_autoptr(NcWebhookServer) server = nc_webhook_server_new (store, SECRET, TOKEN);

    nc_webhook_server_get_limits (server, &defaults);
    g_assert_cmpuint (defaults.handshake_timeout_ms, <=, 10000);
    g_assert_cmpuint (defaults.head_timeout_ms, <=, 10000);
    g_assert_cmpuint (defaults.body_timeout_ms, <=, 10000);
    g_assert_cmpuint (defaults.answer_timeout_ms, <=, 10000);
    g_assert_cmpuint (defaults.head_timeout_ms, >, 0);
    nc_test_wait_for_last_reference (server);
    g_clear_object (&server);
    nc_test_wait_for_last_reference (store);
  }

  fixture_listen (fixture, &quick, FALSE);
  started = g_get_monotonic_time ();
  for (guint i = 0; i < G_N_ELEMENTS (clients); i++)
    {
      clients[i].socket = raw_connect (fixture, NULL);
      if (clients[i].sends != NULL)
        g_assert_cmpint (raw_send (clients[i].socket, clients[i].sends, strlen (clients[i].sends),
                                   started + G_USEC_PER_SEC), ==, strlen (clients[i].sends));
    }

  deadline = started + 10 * G_USEC_PER_SEC;
  while (open > 0 && g_get_monotonic_time () < deadline)
    {
      spin (50);
      /* Busy all the time, and still cut: the deadline is the stage's, not an idle time. */
      if (drip[dripped] != '\0' && clients[3].closed_after == 0)
        raw_send (clients[3].socket, drip + dripped++, 1, deadline);
      for (guint i = 0; i < G_N_ELEMENTS (clients); i++)
        if (clients[i].closed_after == 0 && raw_is_closed (clients[i].socket))
          {
            clients[i].closed_after = g_get_monotonic_time () - started;
            open--;
          }
    }

  for (guint i = 0; i < G_N_ELEMENTS (clients); i++)
    {
      g_test_message ("%s: closed after %.2f s", clients[i].what, clients[i].closed_after / 1e6);
      g_assert_cmpint (clients[i].closed_after, >=, quick.head_timeout_ms * 1000 - 50000);
      g_assert_cmpint (clients[i].closed_after, <, 3 * G_USEC_PER_SEC);
      g_object_unref (clients[i].socket);
    }
  g_assert_cmpuint (nc_webhook_server_get_health (fixture->server)->closed_timed_out, ==, 4);
  g_assert_cmpuint (nc_webhook_server_get_connections (fixture->server), ==, 0);
}

/* Item 3: the connections are capped, in all and per peer, oldest idle first ----------- */

static void
test_connections_capped (Fixture       *fixture,
                         gconstpointer  data)
{
  NcWebhookLimits limits = quick;
  g_autoptr(GPtrArray) peer2 = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) others = g_ptr_array_new_with_free_func (g_object_unref);

  limits.max_connections = 16;
  limits.max_connections_per_peer = 6;
  limits.head_timeout_ms = 60000;   /* idle for the whole test */
  fixture_listen (fixture, &limits, FALSE);

  /* One peer fills its share, then one more: its own oldest is closed for it. */
  for (guint i = 0; i < 7; i++)
    {
      g_ptr_array_add (peer2, raw_connect (fixture, "127.0.0.2"));
      /* One at a time, in order. */
      wait_for_connections (fixture, MIN (i + 1, 6));
    }
  g_assert_true (wait_closed (peer2->pdata[0]));
  for (guint i = 1; i < 7; i++)
    g_assert_false (raw_is_closed (peer2->pdata[i]));

  /* Others fill the rest: 16 in all, never more. */
  for (guint i = 0; i < 12; i++)
    {
      g_ptr_array_add (others, raw_connect (fixture, i < 6 ? "127.0.0.3" : "127.0.0.4"));
      wait_for_connections (fixture, MIN (6 + i + 1, 16));
    }

  /* The last two of those took the places of the oldest idle connections of all, the
   * first peer's; a valid event takes the next one's. */
  g_assert_cmpuint (post_valid (fixture, "in_capped").status, ==, 200);
  for (guint i = 1; i <= 3; i++)
    g_assert_true (wait_closed (peer2->pdata[i]));
  for (guint i = 1; i < 7; i++)
    {
      g_test_message ("connection %u of 127.0.0.2: %s", i,
                      raw_is_closed (peer2->pdata[i]) ? "closed" : "open");
      g_assert_cmpint (raw_is_closed (peer2->pdata[i]), ==, i <= 3);
    }
  for (guint i = 0; i < others->len; i++)
    g_assert_false (raw_is_closed (others->pdata[i]));
  g_assert_cmpuint (nc_webhook_server_get_health (fixture->server)->closed_over_limit, ==, 4);
}

/* Item 3: out of descriptors, accept() fails; the listener backs off instead of spinning,
 * says so once, and takes the connections when it can again. */
static void
test_out_of_descriptors (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GPtrArray) waiting = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GDir) fds = NULL;
  struct rlimit saved, tight;
  struct rusage before, after;
  double cpu;
  guint open = 0;
  gint64 deadline;

  fixture_listen (fixture, NULL, FALSE);
  g_assert_cmpint (getrlimit (RLIMIT_NOFILE, &saved), ==, 0);
  /* Raised to the hard limit by listen(). */
  g_assert_cmpuint (saved.rlim_cur, ==, saved.rlim_max);

  /* Connections that wait in the kernel's queue while the main loop does not run. */
  for (guint i = 0; i < 20; i++)
    g_ptr_array_add (waiting, raw_connect (fixture, NULL));

  /* Not one descriptor more. */
  fds = g_dir_open ("/proc/self/fd", 0, NULL);
  while (g_dir_read_name (fds) != NULL)
    open++;
  g_clear_pointer (&fds, g_dir_close);
  tight = saved;
  tight.rlim_cur = open - 1;   /* the directory's own descriptor is closed again */
  accept_warnings = 0;
  g_assert_cmpint (getrusage (RUSAGE_SELF, &before), ==, 0);
  g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &tight), ==, 0);
  spin (1500);
  g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &saved), ==, 0);
  g_assert_cmpint (getrusage (RUSAGE_SELF, &after), ==, 0);

  cpu = (after.ru_utime.tv_sec - before.ru_utime.tv_sec) +
        (after.ru_utime.tv_usec - before.ru_utime.tv_usec) / 1e6 +
        (after.ru_stime.tv_sec - before.ru_stime.tv_sec) +
        (after.ru_stime.tv_usec - before.ru_stime.tv_usec) / 1e6;
  g_test_message ("%.3f s of CPU in 1.5 s without descriptors; %u warnings", cpu,
                  accept_warnings);
  g_assert_cmpfloat (cpu, <, 0.3);
  g_assert_cmpuint (accept_warnings, ==, 1);
  g_assert_cmpuint (nc_webhook_server_get_connections (fixture->server), ==, 0);

  /* Descriptors again: every waiting connection is taken, and events are answered. */
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (nc_webhook_server_get_connections (fixture->server) < waiting->len &&
         g_get_monotonic_time () < deadline)
    spin (20);
  g_assert_cmpuint (nc_webhook_server_get_connections (fixture->server), ==, waiting->len);
  g_assert_cmpuint (post_valid (fixture, "in_descriptors").status, ==, 200);
}

/* Item 5: a connection reset right after connect has no peer address when it is taken;
 * libsoup would take it with a critical (fatal here). */
static void
test_reset_after_connect (Fixture       *fixture,
                          gconstpointer  data)
{
  const struct linger reset = { 1, 0 };
  gint64 deadline;

  fixture_listen (fixture, NULL, FALSE);
  /* In rounds smaller than the listener's queue (a full queue would hold connect() up),
   * each reset while it waits there, before the listener takes it. */
  for (guint round = 0; round < 10; round++)
    {
      for (guint i = 0; i < 100; i++)
        {
          g_autoptr(GSocket) socket = raw_connect (fixture, NULL);

          /* Closed with a linger of 0: a reset, not an end. */
          g_assert_cmpint (setsockopt (g_socket_get_fd (socket), SOL_SOCKET, SO_LINGER, &reset,
                                       sizeof reset), ==, 0);
          g_socket_close (socket, NULL);
        }
      deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
      while (nc_webhook_server_get_connections (fixture->server) > 0 &&
             g_get_monotonic_time () < deadline)
        spin (10);
      spin (50);
    }
  g_test_message ("%u dropped without a peer address",
                  nc_webhook_server_get_health (fixture->server)->dropped);
  g_assert_cmpuint (nc_webhook_server_get_health (fixture->server)->dropped, >, 0);
  g_assert_cmpuint (post_valid (fixture, "in_after_resets").status, ==, 200);
}

/* Kept-alive connections ------------------------------------------------------------- */

/* Reads one whole answer from @socket (its head, then Content-Length bytes) into @into;
 * its status, or 0 if the connection ended or nothing came in time. */
static guint
raw_read_answer (GSocket *socket,
                 GString *into,
                 gint64   deadline)
{
  gboolean ended = FALSE;

  g_string_truncate (into, 0);
  while (g_get_monotonic_time () < deadline)
    {
      const char *end = strstr (into->str, "\r\n\r\n");

      if (end != NULL)
        {
          g_autofree char *head = g_ascii_strdown (into->str, end - into->str);
          const char *length = strstr (head, "\r\ncontent-length:");
          gsize body = length != NULL ? g_ascii_strtoull (length + 17, NULL, 10) : 0;

          if (into->len >= (gsize) (end - into->str) + 4 + body)
            return (guint) g_ascii_strtoull (into->str + 9, NULL, 10);
        }
      if (ended)
        return 0;
      ended = raw_read (socket, into, g_get_monotonic_time () + 20000);
    }
  return 0;
}

/* A signed request for a new call, whole, as a client on a kept-alive connection sends
 * it; @bad_signature: signed wrong. */
static char *
raw_event (const char *pbx_call_id,
           gboolean    bad_signature)
{
  g_autofree char *signature = NULL;
  g_autofree char *body = signed_start_body (pbx_call_id, &signature);

  return g_strdup_printf ("POST " PATH " HTTP/1.1\r\n"
                          "Host: 127.0.0.1\r\n"
                          "Content-Type: application/x-www-form-urlencoded\r\n"
                          "Signature: %s\r\n"
                          "Content-Length: %zu\r\n\r\n%s",
                          bad_signature ? "0123456789abcdef" : signature, strlen (body), body);
}

/* Sends event @pbx_call_id on @socket and reads its answer: the status. */
static guint
raw_post (GSocket    *socket,
          const char *pbx_call_id,
          gboolean    bad_signature,
          GString    *answer)
{
  g_autofree char *request = raw_event (pbx_call_id, bad_signature);
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  g_assert_cmpint (raw_send (socket, request, strlen (request), deadline), ==,
                   (gssize) strlen (request));
  return raw_read_answer (socket, answer, deadline);
}

static guint
open_descriptors (void)
{
  g_autoptr(GDir) fds = g_dir_open ("/proc/self/fd", 0, NULL);
  guint n = 0;

  while (g_dir_read_name (fds) != NULL)
    n++;
  return n;
}

/* A client that keeps its connection sends several events on it, a refused one among
 * them: every answer comes on that one connection, and every event answered 200 is
 * stored. */
static void
test_keep_alive (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GString) answer = g_string_new (NULL);

  fixture_listen (fixture, NULL, FALSE);
  socket = raw_connect (fixture, NULL);
  for (guint i = 0; i < 6; i++)
    {
      g_autofree char *id = g_strdup_printf ("in_kept_%u", i);
      gboolean bad = i == 3;

      g_assert_cmpuint (raw_post (socket, id, bad, answer), ==, bad ? 401 : 200);
      g_assert_null (strstr (answer->str, "Connection: close"));
      g_assert_cmpuint (nc_webhook_server_get_connections (fixture->server), ==, 1);
    }
  g_assert_cmpuint (stored_events (fixture), ==, 5);
  g_assert_cmpuint (nc_webhook_server_get_health (fixture->server)->accepted, ==, 5);
  g_assert_cmpuint (nc_webhook_server_get_health (fixture->server)->rejected_signature, ==, 1);

  /* A client that says it closes is closed after its answer. */
  {
    g_autofree char *request = raw_event ("in_kept_last", FALSE);
    g_autofree char *closing = NULL;
    char *head_end = strstr (request, "\r\n");

    *head_end = '\0';
    closing = g_strconcat (request, "\r\nConnection: close\r\n", head_end + 2, NULL);
    g_assert_cmpint (raw_send (socket, closing, strlen (closing),
                               g_get_monotonic_time () + 10 * G_USEC_PER_SEC), ==,
                     (gssize) strlen (closing));
    g_assert_cmpuint (raw_read_answer (socket, answer,
                                       g_get_monotonic_time () + 10 * G_USEC_PER_SEC), ==, 200);
    g_assert_true (wait_closed (socket));
    wait_for_connections (fixture, 0);
    g_assert_cmpuint (stored_events (fixture), ==, 6);
  }
}

/* Clients that close their kept-alive connections while idle leave no descriptor behind
 * in the listener: each is released when its client closes, long before the idle
 * deadline (a minute here). */
static void
test_keep_alive_closed_idle (Fixture       *fixture,
                             gconstpointer  data)
{
  NcWebhookLimits limits = quick;
  g_autoptr(GPtrArray) clients = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GString) answer = g_string_new (NULL);
  guint before, during;
  gint64 deadline;

  limits.head_timeout_ms = 60000;
  fixture_listen (fixture, &limits, FALSE);
  /* The store's writer has its files open once an event is stored, its reader once one
   * is read. */
  {
    g_autoptr(GSocket) first = raw_connect (fixture, NULL);

    g_assert_cmpuint (raw_post (first, "in_idle_first", FALSE, answer), ==, 200);
  }
  wait_for_connections (fixture, 0);
  g_assert_cmpuint (stored_events (fixture), ==, 1);
  before = open_descriptors ();

  for (guint round = 0; round < 3; round++)
    {
      for (guint i = 0; i < 8; i++)
        {
          g_autofree char *id = g_strdup_printf ("in_idle_%u_%u", round, i);
          GSocket *socket = raw_connect (fixture, i % 2 == 0 ? "127.0.0.2" : "127.0.0.3");

          g_ptr_array_add (clients, socket);
          g_assert_cmpuint (raw_post (socket, id, FALSE, answer), ==, 200);
        }
      /* Kept alive: the client's descriptor and the listener's, each. */
      wait_for_connections (fixture, 8);
      during = open_descriptors ();
      g_assert_cmpuint (during, ==, before + 2 * 8);

      g_ptr_array_set_size (clients, 0);   /* each closed, idle */
      deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
      while ((nc_webhook_server_get_connections (fixture->server) > 0 ||
              open_descriptors () > before) &&
             g_get_monotonic_time () < deadline)
        spin (5);
      g_test_message ("round %u: %u descriptors before, %u with 8 kept alive, %u after", round,
                      before, during, open_descriptors ());
      g_assert_cmpuint (nc_webhook_server_get_connections (fixture->server), ==, 0);
      g_assert_cmpuint (open_descriptors (), ==, before);
    }
  g_assert_cmpuint (stored_events (fixture), ==, 1 + 3 * 8);

  /* Clients that close while their events wait for the COMMIT: each event is stored all
   * the same, nobody is left to answer (and libsoup is not asked to), nothing stays. */
  for (guint i = 0; i < 8; i++)
    {
      g_autofree char *id = g_strdup_printf ("in_gone_%u", i);
      g_autofree char *request = raw_event (id, FALSE);
      g_autoptr(GSocket) socket = raw_connect (fixture, NULL);

      g_assert_cmpint (raw_send (socket, request, strlen (request),
                                 g_get_monotonic_time () + 10 * G_USEC_PER_SEC), ==,
                       (gssize) strlen (request));
    }
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while ((stored_events (fixture) < 1 + 4 * 8 ||
          nc_webhook_server_get_connections (fixture->server) > 0 ||
          nc_webhook_server_get_pending (fixture->server) > 0 ||
          open_descriptors () > before) &&
         g_get_monotonic_time () < deadline)
    spin (5);
  g_assert_cmpuint (stored_events (fixture), ==, 1 + 4 * 8);
  g_assert_cmpuint (nc_webhook_server_get_connections (fixture->server), ==, 0);
  g_assert_cmpuint (open_descriptors (), ==, before);
  /* Neither a time-out nor a limit: the clients were done. */
  g_assert_cmpuint (nc_webhook_server_get_health (fixture->server)->closed_timed_out, ==, 0);
  g_assert_cmpuint (nc_webhook_server_get_health (fixture->server)->closed_over_limit, ==, 0);
}

/* A kept-alive connection is idle: at the cap it is the first to go for a new one, and
 * one that stays silent is closed at the head's deadline. */
static void
test_keep_alive_idle_limits (Fixture       *fixture,
                             gconstpointer  data)
{
  NcWebhookLimits limits = quick;
  g_autoptr(GPtrArray) kept = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GString) answer = g_string_new (NULL);
  g_autoptr(GSocket) fresh = NULL;

  limits.max_connections_per_peer = 3;
  limits.head_timeout_ms = 60000;
  fixture_listen (fixture, &limits, FALSE);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *id = g_strdup_printf ("in_capped_kept_%u", i);

      g_ptr_array_add (kept, raw_connect (fixture, "127.0.0.2"));
      g_assert_cmpuint (raw_post (kept->pdata[i], id, FALSE, answer), ==, 200);
    }
  wait_for_connections (fixture, 3);

  /* A fourth from the same peer: the oldest kept-alive one makes room. */
  fresh = raw_connect (fixture, "127.0.0.2");
  g_assert_cmpuint (raw_post (fresh, "in_capped_fresh", FALSE, answer), ==, 200);
  g_assert_true (wait_closed (kept->pdata[0]));
  g_assert_false (raw_is_closed (kept->pdata[1]));
  g_assert_false (raw_is_closed (kept->pdata[2]));
  g_assert_cmpuint (nc_webhook_server_get_health (fixture->server)->closed_over_limit, ==, 1);
  wait_for_connections (fixture, 3);
  /* The others still serve. */
  g_assert_cmpuint (raw_post (kept->pdata[2], "in_capped_again", FALSE, answer), ==, 200);
  g_assert_cmpuint (stored_events (fixture), ==, 5);

  /* Silence past the deadline ends a kept-alive connection too. */
  limits.head_timeout_ms = 300;
  nc_webhook_server_set_limits (fixture->server, &limits);
  g_assert_cmpuint (raw_post (fresh, "in_capped_silent", FALSE, answer), ==, 200);
  g_assert_true (wait_closed (fresh));
}

typedef struct
{
  gboolean  done;
  gssize    n;
} Io;

static void
io_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Io *io = user_data;

  if (G_IS_OUTPUT_STREAM (source))
    io->n = g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, NULL)
            ? 1 : -1;
  else if (G_IS_TLS_CONNECTION (source))
    io->n = g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result, NULL) ? 1 : -1;
  else
    io->n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, NULL);
  io->done = TRUE;
}

static void
wait_io (Io *io)
{
  while (!io->done)
    g_main_context_iteration (NULL, TRUE);
  io->done = FALSE;
}

/* Sends event @pbx_call_id over @tls and reads its whole answer: the status. */
static guint
tls_post (GIOStream  *tls,
          const char *pbx_call_id)
{
  g_autofree char *request = raw_event (pbx_call_id, FALSE);
  g_autoptr(GString) answer = g_string_new (NULL);
  char buffer[4096];
  Io io = { 0 };

  g_output_stream_write_all_async (g_io_stream_get_output_stream (tls), request,
                                   strlen (request), G_PRIORITY_DEFAULT, NULL, io_done, &io);
  wait_io (&io);
  g_assert_cmpint (io.n, ==, 1);
  for (;;)
    {
      const char *end = strstr (answer->str, "\r\n\r\n");

      if (end != NULL)
        {
          g_autofree char *head = g_ascii_strdown (answer->str, end - answer->str);
          const char *length = strstr (head, "\r\ncontent-length:");
          gsize body = length != NULL ? g_ascii_strtoull (length + 17, NULL, 10) : 0;

          g_assert_null (strstr (head, "connection: close"));
          if (answer->len >= (gsize) (end - answer->str) + 4 + body)
            return (guint) g_ascii_strtoull (answer->str + 9, NULL, 10);
        }
      g_input_stream_read_async (g_io_stream_get_input_stream (tls), buffer, sizeof buffer,
                                 G_PRIORITY_DEFAULT, NULL, io_done, &io);
      wait_io (&io);
      if (io.n <= 0)
        return 0;
      g_string_append_len (answer, buffer, io.n);
    }
}

/* Over TLS too: a client's events go on the one connection it keeps, and its close while
 * idle releases it. */
static void
test_keep_alive_tls (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GIOStream) tls = NULL;
  Io io = { 0 };

  fixture_listen (fixture, NULL, TRUE);
  socket = raw_connect (fixture, NULL);
  connection = g_socket_connection_factory_create_connection (socket);
  tls = g_tls_client_connection_new (G_IO_STREAM (connection), NULL, &error);
  g_assert_no_error (error);
  g_tls_connection_set_database (G_TLS_CONNECTION (tls), NULL);
  g_signal_connect (tls, "accept-certificate", G_CALLBACK (accept_any_certificate), NULL);
  g_tls_connection_handshake_async (G_TLS_CONNECTION (tls), G_PRIORITY_DEFAULT, NULL, io_done,
                                    &io);
  wait_io (&io);
  g_assert_cmpint (io.n, ==, 1);

  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *id = g_strdup_printf ("in_tls_kept_%u", i);

      g_assert_cmpuint (tls_post (tls, id), ==, 200);
      g_assert_cmpuint (nc_webhook_server_get_connections (fixture->server), ==, 1);
    }
  g_assert_cmpuint (stored_events (fixture), ==, 4);

  g_io_stream_close (tls, NULL, NULL);
  wait_for_connections (fixture, 0);
}

/* Item 4: silent TLS clients take no thread, and keep nobody waiting ------------------ */

static guint
count_pool_threads (void)
{
  g_autoptr(GDir) tasks = g_dir_open ("/proc/self/task", 0, NULL);
  const char *task;
  guint threads = 0;

  while (tasks != NULL && (task = g_dir_read_name (tasks)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc/self/task", task, "comm", NULL);
      g_autofree char *name = NULL;

      if (g_file_get_contents (path, &name, NULL, NULL) && g_str_has_prefix (name, "pool"))
        threads++;
    }
  return threads;
}

static void
test_silent_tls (Fixture       *fixture,
                 gconstpointer  data)
{
  NcWebhookLimits limits = quick;
  g_autoptr(GPtrArray) silent = g_ptr_array_new_with_free_func (g_object_unref);
  gint64 alone, worst = 0, deadline;
  guint most_threads = 0;

  limits.max_connections = 400;
  limits.max_connections_per_peer = 400;
  limits.handshake_timeout_ms = 3000;
  fixture_listen (fixture, &limits, TRUE);

  /* What a valid event costs here without them (under AddressSanitizer, with its slow
   * unwinding on every malloc, a TLS handshake takes half a second). */
  {
    Answer answer = post_valid (fixture, "in_tls_alone");

    g_assert_cmpuint (answer.status, ==, 200);
    alone = answer.took;
  }

  /* 200 that say nothing, 20 that send a third of a record's header and stop. */
  for (guint i = 0; i < 220; i++)
    {
      GSocket *socket = raw_connect (fixture, i % 2 == 0 ? "127.0.0.2" : "127.0.0.3");

      if (i >= 200)
        raw_send (socket, "\x16\x03\x01", 3, g_get_monotonic_time () + G_USEC_PER_SEC);
      g_ptr_array_add (silent, socket);
      /* Let the listener take them, or its queue fills and holds connect() up. */
      if (i % 16 == 15)
        spin (5);
    }
  wait_for_connections (fixture, 220);

  /* Valid events over TLS meanwhile: each as quick as alone. */
  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *id = g_strdup_printf ("in_tls_%u", i);
      Answer answer = post_valid (fixture, id);

      g_test_message ("valid event %u: %u after %.0f ms; %u connections", i, answer.status,
                      answer.took / 1e3, nc_webhook_server_get_connections (fixture->server));
      g_assert_cmpuint (answer.status, ==, 200);
      worst = MAX (worst, answer.took);
      most_threads = MAX (most_threads, count_pool_threads ());
    }
  g_test_message ("a valid event alone: %.0f ms; the worst beside 220 silent clients: %.0f ms; "
                  "%u pool threads at most", alone / 1e3, worst / 1e3, most_threads);
  g_assert_cmpint (worst, <, 3 * alone + G_USEC_PER_SEC / 2);
  g_assert_cmpuint (most_threads, <, 20);

  /* And each silent one is closed at its handshake's deadline. */
  deadline = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;
  while (nc_webhook_server_get_connections (fixture->server) > 0 &&
         g_get_monotonic_time () < deadline)
    spin (50);
  g_assert_cmpuint (nc_webhook_server_get_connections (fixture->server), ==, 0);
  for (guint i = 0; i < silent->len; i++)
    g_assert_true (raw_is_closed (silent->pdata[i]));
  g_assert_cmpuint (nc_webhook_server_get_health (fixture->server)->closed_timed_out, >=, 220);

  /* Plain HTTP on the TLS port: closed, not handed to anyone. */
  {
    g_autoptr(GSocket) plain = raw_connect (fixture, NULL);
    g_autoptr(GString) answer = g_string_new (NULL);
    const char *get = "GET " PATH "?zd_echo=x HTTP/1.1\r\nHost: x\r\n\r\n";

    raw_send (plain, get, strlen (get), g_get_monotonic_time () + G_USEC_PER_SEC);
    g_assert_true (raw_read (plain, answer, g_get_monotonic_time () + 5 * G_USEC_PER_SEC));
    g_assert_cmpuint (answer->len, ==, 0);
  }
}

/* Item 6: a certificate whose key is another's is refused when it is set ---------------- */

static void
test_certificate_key_mismatch (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autofree char *cert_a = NULL, *key_a = NULL, *cert_b = NULL, *key_b = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(NcWebhookServer) server = NULL;

  fixture->store = nc_store_open_sync (fixture->dir, &error);
  g_assert_no_error (error);
  make_certificate (fixture->dir, "a", &cert_a, &key_a);
  make_certificate (fixture->dir, "b", &cert_b, &key_b);
  server = nc_webhook_server_new (fixture->store, SECRET, TOKEN);

  g_assert_false (nc_webhook_server_set_tls (server, cert_a, key_b, &error));
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "do not go together"));
  g_clear_error (&error);

  g_assert_true (nc_webhook_server_set_tls (server, cert_b, key_b, &error));
  g_assert_no_error (error);
  nc_test_wait_for_last_reference (server);
}

/* The same, and the limits, as `listen` runs ------------------------------------------ */

static void
limit_child (gpointer user_data)
{
  /* The usual desktop limits: 1024 descriptors (of a hard 4096), core dumps allowed. */
  struct rlimit files = { 1024, 4096 }, cores = { RLIM_INFINITY, RLIM_INFINITY };

  setrlimit (RLIMIT_NOFILE, &files);
  setrlimit (RLIMIT_CORE, &cores);
}

/* @leak_check: FALSE for a run that exits a moment after TLS handshake threads ran: a
 * worker of the thread pool still lingers then, and LeakSanitizer's tracer crashes on such
 * a half torn-down thread (see nc_test_run()), making the exit status its own. */
static GSubprocess *
spawn_listen (const char  *dir,
              guint        port,
              const char  *certificate,
              const char  *key,
              gboolean     leak_check,
              GError     **error)
{
  g_autofree char *program = g_build_filename (g_getenv ("NC_BUILD_ROOT"), "src",
                                               "novofon-console", NULL);
  g_autofree char *port_text = g_strdup_printf ("%u", port);
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  g_subprocess_launcher_setenv (launcher, "NOVOFON_API_KEY", KEY, TRUE);
  g_subprocess_launcher_setenv (launcher, "NOVOFON_API_SECRET", SECRET, TRUE);
  g_subprocess_launcher_setenv (launcher, "NOVOFON_WEBHOOK_TOKEN", TOKEN, TRUE);
  g_subprocess_launcher_setenv (launcher, "NOVOFON_API_URL", "http://127.0.0.1:9", TRUE);
  /* Criticals kill it: a connection without a peer address must not make one. */
  g_subprocess_launcher_setenv (launcher, "G_DEBUG", "fatal-criticals", TRUE);
  g_subprocess_launcher_set_child_setup (launcher, limit_child, NULL, NULL);
  if (!leak_check && g_getenv ("ASAN_OPTIONS") != NULL)
    {
      g_autofree char *options = g_strconcat (g_getenv ("ASAN_OPTIONS"), ":detect_leaks=0", NULL);

      g_subprocess_launcher_setenv (launcher, "ASAN_OPTIONS", options, TRUE);
    }
  g_ptr_array_add (argv, program);
  g_ptr_array_add (argv, (gpointer) "--data-dir");
  g_ptr_array_add (argv, (gpointer) dir);
  g_ptr_array_add (argv, (gpointer) "listen");
  g_ptr_array_add (argv, (gpointer) "--bind");
  g_ptr_array_add (argv, (gpointer) "127.0.0.1");
  g_ptr_array_add (argv, (gpointer) "--port");
  g_ptr_array_add (argv, port_text);
  if (certificate != NULL)
    {
      g_ptr_array_add (argv, (gpointer) "--tls-certificate");
      g_ptr_array_add (argv, (gpointer) certificate);
      g_ptr_array_add (argv, (gpointer) "--tls-key");
      g_ptr_array_add (argv, (gpointer) key);
    }
  g_ptr_array_add (argv, NULL);
  return g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, error);
}

static guint
free_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (socket, any, TRUE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static void
test_listen_mismatched_key (void)
{
  g_autofree char *dir = nc_test_make_temp_dir ();
  g_autofree char *cert_a = NULL, *key_a = NULL, *cert_b = NULL, *key_b = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *said = NULL;

  make_certificate (dir, "a", &cert_a, &key_a);
  make_certificate (dir, "b", &cert_b, &key_b);
  process = spawn_listen (dir, free_port (), cert_a, key_b, FALSE, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &said, &error));
  g_assert_no_error (error);
  g_test_message ("%s", said);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 2);
  g_assert_nonnull (strstr (said, "do not go together"));
  nc_test_remove_tree (dir);
}

static char *
proc_file (GSubprocess *process,
           const char  *name)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/%s", g_subprocess_get_identifier (process),
                                           name);
  char *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  return contents;
}

/* Clock ticks of CPU the process has used. */
static guint64
cpu_ticks_of (GSubprocess *process)
{
  g_autofree char *stat = proc_file (process, "stat");
  g_auto(GStrv) fields = g_strsplit (strrchr (stat, ')') + 2, " ", -1);

  /* utime and stime: the 14th and 15th fields, 12th and 13th after the command. */
  return g_ascii_strtoull (fields[11], NULL, 10) + g_ascii_strtoull (fields[12], NULL, 10);
}

/* Items 3, 5 and 12 as `listen` runs: a soft limit of 1024 descriptors is raised; a
 * thousand idle connections and two thousand resets leave it answering every valid
 * event, at little CPU, with nothing to say; and it makes no core dump. */
static void
test_listen_under_flood (void)
{
  g_autofree char *dir = nc_test_make_temp_dir ();
  guint port = free_port ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) idle = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  g_autofree char *limits = NULL;
  g_autofree char *said = NULL;
  GInputStream *err;
  char buffer[512];
  gssize n;
  struct rlimit own;
  Fixture fixture = { 0 };
  const struct linger reset = { 1, 0 };
  guint64 ticks_before, ticks_after;
  gint64 flood_started;
  double flood_seconds;

  /* This process needs a descriptor per client too. */
  g_assert_cmpint (getrlimit (RLIMIT_NOFILE, &own), ==, 0);
  own.rlim_cur = own.rlim_max;
  g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &own), ==, 0);
  if (own.rlim_cur < 4000)
    {
      g_test_skip ("this process may not open 4000 descriptors");
      nc_test_remove_tree (dir);
      return;
    }

  process = spawn_listen (dir, port, NULL, NULL, TRUE, &error);
  g_assert_no_error (error);
  err = g_subprocess_get_stderr_pipe (process);
  n = g_input_stream_read (err, buffer, sizeof buffer - 1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (n, >, 0);
  buffer[n] = '\0';
  g_assert_nonnull (strstr (buffer, "Listening"));

  limits = proc_file (process, "limits");
  g_test_message ("%s", limits);
  g_assert_true (g_regex_match_simple ("^Max open files +4096 +4096 ", limits,
                                       G_REGEX_MULTILINE, 0));
  g_assert_true (g_regex_match_simple ("^Max core file size +0 +0 ", limits,
                                       G_REGEX_MULTILINE, 0));

  /* A fixture of this process's own, only to reach the listener with the helpers. */
  fixture.base = g_strdup_printf ("http://127.0.0.1:%u", port);
  fixture.session = soup_session_new_with_options ("timeout", 10, NULL);
  soup_session_set_proxy_resolver (fixture.session, NULL);
  {
    /* raw_connect() asks the server for its port. */
    g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
    g_autoptr(GSocketAddress) target = g_inet_socket_address_new (loopback, (guint16) port);

    ticks_before = cpu_ticks_of (process);
    flood_started = g_get_monotonic_time ();
    for (guint i = 0; i < 3000; i++)
      {
        g_autofree char *from = g_strdup_printf ("127.0.0.%u", 2 + i % 8);
        g_autoptr(GInetAddress) local = g_inet_address_new_from_string (from);
        g_autoptr(GSocketAddress) bind_to = g_inet_socket_address_new (local, 0);
        g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                                  G_SOCKET_PROTOCOL_TCP, &error);

        g_assert_true (g_socket_bind (socket, bind_to, FALSE, &error));
        g_socket_set_timeout (socket, 2);
        if (!g_socket_connect (socket, target, NULL, &error))
          {
            /* The listener's queue is full for a moment: that is its business. */
            g_clear_error (&error);
            continue;
          }
        if (i % 500 == 0)
          g_test_message ("%u connections after %.2f s", i, (g_get_monotonic_time () - flood_started) / 1e6);
        if (i % 3 == 0)
          g_ptr_array_add (idle, g_steal_pointer (&socket));
        else
          {
            setsockopt (g_socket_get_fd (socket), SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
            g_socket_close (socket, NULL);
          }
      }
    g_test_message ("%u idle connections open, %u reset", idle->len, 3000 - idle->len);
  }

  /* Ten valid events, every one answered. */
  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *id = g_strdup_printf ("in_flood_%u", i);
      Answer answer = post_valid (&fixture, id);

      g_test_message ("event %u: %u after %.0f ms", i, answer.status, answer.took / 1e3);
      g_assert_cmpuint (answer.status, ==, 200);
    }
  ticks_after = cpu_ticks_of (process);
  flood_seconds = (g_get_monotonic_time () - flood_started) / 1e6;
  g_test_message ("listener CPU: %.2f s in %.2f s", (ticks_after - ticks_before) /
                  (double) sysconf (_SC_CLK_TCK), flood_seconds);
  g_assert_cmpfloat ((ticks_after - ticks_before) / (double) sysconf (_SC_CLK_TCK), <,
                     flood_seconds * 0.6 + 0.5);

  g_clear_pointer (&idle, g_ptr_array_unref);
  g_subprocess_send_signal (process, SIGTERM);
  g_assert_true (g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &said, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  /* Nothing but its last word: no line per failed accept(), no critical. */
  g_test_message ("said: %s", said);
  g_assert_cmpuint (strlen (said), <, 400);

  g_clear_object (&fixture.session);
  g_free (fixture.base);
  nc_test_remove_tree (dir);
}

static void
drop_message (const char     *domain,
              GLogLevelFlags  level,
              const char     *message,
              gpointer        user_data)
{
}

int
main (int   argc,
      char *argv[])
{
  g_log_set_writer_func (log_writer, NULL, NULL);
  g_test_init (&argc, &argv, NULL);
  /* Logged through the test framework's handler, not the writer: dropped here. */
  g_log_set_handler ("GLib-GIO", G_LOG_LEVEL_DEBUG, drop_message, NULL);

#define ADD(path, func) \
  g_test_add ("/webhook-limits/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("refused-at-head", test_refused_at_head);
  ADD ("stages-time-out", test_stages_time_out);
  ADD ("connections-capped", test_connections_capped);
  ADD ("out-of-descriptors", test_out_of_descriptors);
  ADD ("reset-after-connect", test_reset_after_connect);
  ADD ("keep-alive", test_keep_alive);
  ADD ("keep-alive-closed-idle", test_keep_alive_closed_idle);
  ADD ("keep-alive-idle-limits", test_keep_alive_idle_limits);
  ADD ("keep-alive-tls", test_keep_alive_tls);
  ADD ("silent-tls", test_silent_tls);
  ADD ("certificate-key-mismatch", test_certificate_key_mismatch);
#undef ADD
  g_test_add_func ("/webhook-limits/listen-mismatched-key", test_listen_mismatched_key);
  g_test_add_func ("/webhook-limits/listen-under-flood", test_listen_under_flood);

  return nc_test_run ();
}
