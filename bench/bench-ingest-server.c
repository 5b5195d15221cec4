/* bench-ingest-server.c — the servers the ingest benchmark loads, side by side
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   bare      a SoupServer handler that answers 200 doing nothing
 *   bare-close  the same, its connections accepted as the listener accepts them (its own
 *             GSocketService, backlog 128, handed to the server) and closed after each answer
 *   sqlite    the same, with one SQLite INSERT per request at synchronous=FULL (WAL)
 *   listener  the real NcWebhookServer: path token, signature, validation, deduplication,
 *             durable group commit on the store's writer thread, 200 after COMMIT
 *
 * Prints its port, then serves until SIGTERM or SIGINT.
 *
 * Usage: bench-ingest-server bare|bare-close|sqlite|listener DATA_DIR
 */

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sqlite3.h>
#include <glib-unix.h>
#include <libsoup/soup.h>

#include "nc-webhook-server.h"

#define SECRET "c3e9a1b2d4f60718293a4b5c6d7e8f90"
#define TOKEN "bench-token-0123456789abcdef"

static sqlite3 *db;
static sqlite3_stmt *insert;

static void
bare (SoupServer        *server,
      SoupServerMessage *message,
      const char        *path,
      GHashTable        *query,
      gpointer           user_data)
{
  soup_server_message_set_status (message, 200, NULL);
  soup_server_message_set_response (message, "text/plain", SOUP_MEMORY_STATIC, "OK", 2);
  if (user_data != NULL)
    soup_message_headers_replace (soup_server_message_get_response_headers (message),
                                  "Connection", "close");
}

static void
one_insert (SoupServer        *server,
            SoupServerMessage *message,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  g_autoptr(GBytes) body = soup_message_body_flatten (soup_server_message_get_request_body (message));

  sqlite3_reset (insert);
  sqlite3_bind_blob (insert, 1, g_bytes_get_data (body, NULL), (int) g_bytes_get_size (body),
                     SQLITE_TRANSIENT);
  if (sqlite3_step (insert) != SQLITE_DONE)
    {
      soup_server_message_set_status (message, 500, NULL);
      return;
    }
  soup_server_message_set_status (message, 200, NULL);
  soup_server_message_set_response (message, "text/plain", SOUP_MEMORY_STATIC, "OK", 2);
}

static gboolean
incoming (GSocketService    *service,
          GSocketConnection *connection,
          GObject           *source_object,
          SoupServer        *server)
{
  g_autoptr(GSocketAddress) local = g_socket_connection_get_local_address (connection, NULL);
  g_autoptr(GSocketAddress) remote = g_socket_connection_get_remote_address (connection, NULL);

  soup_server_accept_iostream (server, G_IO_STREAM (connection), local, remote, NULL);
  return TRUE;
}

static gboolean
quit (gpointer loop)
{
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(NcStore) store = NULL;
  g_autoptr(NcWebhookServer) listener = NULL;
  g_autoptr(GSocketService) service = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  guint port = 0;

  if (argc != 3)
    {
      fprintf (stderr, "usage: %s bare|bare-close|sqlite|listener DATA_DIR\n", argv[0]);
      return 2;
    }

  if (g_str_equal (argv[1], "listener"))
    {
      store = nc_store_open_sync (argv[2], &error);
      if (store == NULL)
        g_error ("%s", error->message);
      listener = nc_webhook_server_new (store, SECRET, TOKEN);
      if (!nc_webhook_server_listen (listener, "127.0.0.1", 0, &error))
        g_error ("%s", error->message);
      port = nc_webhook_server_get_port (listener);
    }
  else
    {
      GSList *uris;

      server = soup_server_new (NULL, NULL);
      if (g_str_equal (argv[1], "sqlite"))
        {
          g_autofree char *path = g_build_filename (argv[2], "baseline.db", NULL);

          g_mkdir_with_parents (argv[2], 0700);
          if (sqlite3_open (path, &db) != SQLITE_OK ||
              sqlite3_exec (db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                                "CREATE TABLE IF NOT EXISTS events (body BLOB)", NULL, NULL,
                            NULL) != SQLITE_OK ||
              sqlite3_prepare_v2 (db, "INSERT INTO events (body) VALUES (?1)", -1, &insert,
                                  NULL) != SQLITE_OK)
            g_error ("SQLite: %s", sqlite3_errmsg (db));
          soup_server_add_handler (server, NULL, one_insert, NULL, NULL);
        }
      else
        soup_server_add_handler (server, NULL, bare,
                                 g_str_equal (argv[1], "bare-close") ? GINT_TO_POINTER (1) : NULL,
                                 NULL);

      if (g_str_equal (argv[1], "bare-close"))
        {
          g_autoptr(GSocketAddress) bound = NULL;

          service = g_socket_service_new ();
          g_socket_listener_set_backlog (G_SOCKET_LISTENER (service), 128);
          if (!g_socket_listener_add_address (G_SOCKET_LISTENER (service), address,
                                              G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL,
                                              &bound, &error))
            g_error ("%s", error->message);
          g_signal_connect (service, "incoming", G_CALLBACK (incoming), server);
          g_socket_service_start (service);
          port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
        }
      else
        {
          if (!soup_server_listen (server, address, 0, &error))
            g_error ("%s", error->message);
          uris = soup_server_get_uris (server);
          port = (guint) g_uri_get_port (uris->data);
          g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
        }
    }

  printf ("%u\n", port);
  fflush (stdout);

  g_unix_signal_add (SIGTERM, quit, loop);
  g_unix_signal_add (SIGINT, quit, loop);
  g_main_loop_run (loop);

  if (listener != NULL)
    {
      nc_webhook_server_stop (listener);
      while (nc_webhook_server_get_pending (listener) > 0)
        g_main_context_iteration (NULL, TRUE);
    }
  if (insert != NULL)
    sqlite3_finalize (insert);
  if (db != NULL)
    sqlite3_close (db);
  return 0;
}
