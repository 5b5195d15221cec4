/* bench-ingest-load.c — signed webhook events from 16 keep-alive connections
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Plain sockets and poll(), one thread: each connection sends one event, waits for the
 * whole answer, sends the next (on a new connection when the server said
 * `Connection: close`, as the bare-close server does). Every event is distinct and signed as the PBX
 * signs, its call_start the time the generator started (a listener refuses a start far
 * from now). Only 127.0.0.1 is a target. Prints one Markdown row: the rate counts the
 * events answered 200 only; the others are counted apart.
 *
 *   start  (the default) every event a NOTIFY_START of a call of its own
 *   calls  each connection sends a call's NOTIFY_START, then its NOTIFY_END, then the next
 *          call's: half the events begin a call, half end one (a store that keeps calls as
 *          rows inserts the row, then updates it)
 *
 * Usage: bench-ingest-load PORT SECONDS CONNECTIONS LABEL [start|calls]
 */

#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <libsoup/soup.h>

#include "nc-call-event.h"

#define SECRET "c3e9a1b2d4f60718293a4b5c6d7e8f90"
#define TOKEN "bench-token-0123456789abcdef"
#define MAX_CONNECTIONS 64

typedef struct
{
  int     fd;
  guint   call;      /* the pbx_call_id's serial of the call in course */
  gboolean ended;    /* its NOTIFY_END is the next event ("calls") */
  GString *request;
  gsize   sent;
  GString *response;
  gint64  started;
} Connection;

static guint serial;
static gboolean whole_calls;
static char *call_start;  /* now, as the PBX writes it */

/* The next event of @c: a new call's NOTIFY_START, or ("calls") the end of the last one. */
static GString *
next_request (Connection *c)
{
  g_autoptr(GHashTable) fields = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_autofree char *signature = NULL;
  g_autofree char *body = NULL;
  gboolean end = whole_calls && c->ended;
  GString *request;

  if (!end)
    c->call = serial++;
  c->ended = !end;
  g_hash_table_insert (fields, (gpointer) "event", g_strdup (end ? "NOTIFY_END" : "NOTIFY_START"));
  g_hash_table_insert (fields, (gpointer) "call_start", g_strdup (call_start));
  g_hash_table_insert (fields, (gpointer) "pbx_call_id", g_strdup_printf ("in_bench_%u_%u",
                                                                           (guint) getpid (),
                                                                           c->call));
  g_hash_table_insert (fields, (gpointer) "caller_id", g_strdup ("anonymous"));
  g_hash_table_insert (fields, (gpointer) "called_did", g_strdup ("74951234567"));
  if (end)
    {
      g_hash_table_insert (fields, (gpointer) "internal", g_strdup ("101"));
      g_hash_table_insert (fields, (gpointer) "duration", g_strdup ("42"));
      g_hash_table_insert (fields, (gpointer) "disposition", g_strdup ("answered"));
      g_hash_table_insert (fields, (gpointer) "is_recorded", g_strdup ("0"));
    }
  signature = nc_call_event_sign (SECRET, fields);
  body = soup_form_encode_hash (fields);

  request = g_string_new (NULL);
  g_string_append_printf (request,
                          "POST /zadarma_webhook/" TOKEN " HTTP/1.1\r\n"
                          "Host: 127.0.0.1\r\n"
                          "Content-Type: application/x-www-form-urlencoded\r\n"
                          "Signature: %s\r\n"
                          "Content-Length: %zu\r\n\r\n%s",
                          signature, strlen (body), body);
  return request;
}

static int
connect_to (guint port)
{
  struct sockaddr_in address = { 0 };
  int fd = socket (AF_INET, SOCK_STREAM, 0);
  int one = 1;

  address.sin_family = AF_INET;
  address.sin_port = htons ((guint16) port);
  address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (connect (fd, (struct sockaddr *) &address, sizeof address) != 0)
    g_error ("Could not connect to 127.0.0.1:%u: %s", port, g_strerror (errno));
  return fd;
}

/* Whether @response holds one whole answer: headers and Content-Length bytes; and
 * whether the server closes the connection after it. */
static gboolean
complete (GString  *response,
          guint    *status,
          gboolean *closes)
{
  const char *end = strstr (response->str, "\r\n\r\n");
  g_autofree char *headers = NULL;
  const char *length;
  gsize body;

  if (end == NULL)
    return FALSE;
  headers = g_ascii_strdown (response->str, end - response->str);
  length = strstr (headers, "content-length:");
  body = length != NULL ? (gsize) g_ascii_strtoull (length + 15, NULL, 10) : 0;
  if (response->len < (gsize) (end - response->str) + 4 + body)
    return FALSE;
  *status = (guint) g_ascii_strtoull (response->str + 9, NULL, 10);
  *closes = strstr (headers, "connection: close") != NULL;
  return TRUE;
}

static int
compare (const void *a,
         const void *b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

int
main (int   argc,
      char *argv[])
{
  Connection connections[MAX_CONNECTIONS];
  struct pollfd fds[MAX_CONNECTIONS];
  g_autoptr(GArray) latencies = g_array_new (FALSE, FALSE, sizeof (gint64));
  guint port, seconds, n, errors = 0, connections_made = 0, acknowledged = 0;
  gint64 start, end;
  double rate;

  if (argc != 5 && !(argc == 6 && (g_str_equal (argv[5], "start") ||
                                    g_str_equal (argv[5], "calls"))))
    {
      fprintf (stderr, "usage: %s PORT SECONDS CONNECTIONS LABEL [start|calls]\n", argv[0]);
      return 2;
    }
  whole_calls = argc == 6 && g_str_equal (argv[5], "calls");
  {
    g_autoptr(GDateTime) now = g_date_time_new_now_local ();

    call_start = g_date_time_format (now, "%Y-%m-%d %H:%M:%S");
  }
  port = (guint) atoi (argv[1]);
  seconds = (guint) atoi (argv[2]);
  n = MIN ((guint) atoi (argv[3]), MAX_CONNECTIONS);

  start = g_get_monotonic_time ();
  end = start + (gint64) seconds * G_USEC_PER_SEC;
  for (guint i = 0; i < n; i++)
    {
      connections[i].fd = connect_to (port);
      connections[i].call = 0;
      connections[i].ended = FALSE;
      connections[i].request = next_request (&connections[i]);
      connections[i].sent = 0;
      connections[i].response = g_string_new (NULL);
      connections[i].started = g_get_monotonic_time ();
    }

  while (g_get_monotonic_time () < end)
    {
      for (guint i = 0; i < n; i++)
        {
          fds[i].fd = connections[i].fd;
          fds[i].events = connections[i].sent < connections[i].request->len ? POLLOUT : POLLIN;
        }
      if (poll (fds, n, 100) < 0)
        continue;

      for (guint i = 0; i < n; i++)
        {
          Connection *c = &connections[i];

          if (fds[i].revents & POLLOUT)
            {
              ssize_t w = send (c->fd, c->request->str + c->sent, c->request->len - c->sent,
                                MSG_NOSIGNAL);
              if (w > 0)
                c->sent += (gsize) w;
            }
          else if (fds[i].revents & (POLLIN | POLLHUP))
            {
              char buffer[4096];
              ssize_t r = recv (c->fd, buffer, sizeof buffer, 0);
              guint status = 0;
              gboolean closes = FALSE;

              if (r <= 0)
                {
                  errors++;
                  close (c->fd);
                  c->fd = connect_to (port);
                  c->sent = 0;
                  g_string_truncate (c->response, 0);
                  continue;
                }
              g_string_append_len (c->response, buffer, r);
              if (complete (c->response, &status, &closes))
                {
                  gint64 latency = g_get_monotonic_time () - c->started;

                  g_array_append_val (latencies, latency);
                  if (status != 200)
                    errors++;
                  else
                    acknowledged++;
                  g_string_free (c->request, TRUE);
                  c->request = next_request (c);
                  c->sent = 0;
                  g_string_truncate (c->response, 0);
                  c->started = g_get_monotonic_time ();
                  /* A server that closes after each answer is connected to again: the
                   * connection is part of what the next event costs. */
                  if (closes)
                    {
                      close (c->fd);
                      c->fd = connect_to (port);
                      connections_made++;
                    }
                }
            }
        }
    }

  for (guint i = 0; i < n; i++)
    {
      close (connections[i].fd);
      g_string_free (connections[i].request, TRUE);
      g_string_free (connections[i].response, TRUE);
    }

  qsort (latencies->data, latencies->len, sizeof (gint64), compare);
  rate = (double) acknowledged / seconds;
  printf ("| %s | %.0f | %.2f ms | %.2f ms | %u | %s |\n", argv[4], rate,
          latencies->len ? (double) g_array_index (latencies, gint64, latencies->len / 2) / 1000 : 0,
          latencies->len ? (double) g_array_index (latencies, gint64, latencies->len * 99 / 100) / 1000 : 0,
          errors, connections_made > latencies->len / 2 ? "one per event" : "16, kept alive");
  g_free (call_start);
  return 0;
}
