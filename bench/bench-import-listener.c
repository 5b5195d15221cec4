/* bench-import-listener.c — the listener on a store, and (in the same process) an import
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The real NcWebhookServer on the store of DATA_DIR (as bench-ingest-server listener).
 * With FILE, it also imports FILE into the same store once it listens, as the window does
 * (nc_client_csv_import_async(): the same store, the same writer thread as the events),
 * and says on standard error when the import ends and how long it took. Without FILE, an
 * import from the command line beside it (another process on the same SQLite file) is
 * what the benchmark runs.
 *
 * Prints its port, then serves until SIGTERM or SIGINT.
 *
 * Usage: bench-import-listener DATA_DIR [FILE]
 */

#include "config.h"

#include <stdio.h>
#include <glib-unix.h>

#include "nc-client-csv.h"
#include "nc-webhook-server.h"

#define SECRET "c3e9a1b2d4f60718293a4b5c6d7e8f90"
#define TOKEN "bench-token-0123456789abcdef"

static gint64 import_began;

static gboolean
quit (gpointer loop)
{
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

static void
imported (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  guint count = 0;

  if (!nc_client_csv_import_finish (result, &count, &error))
    fprintf (stderr, "import failed: %s\n", error->message);
  else
    fprintf (stderr, "imported %u clients in %.2f s\n", count,
             (g_get_monotonic_time () - import_began) / 1e6);
  fflush (stderr);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GError) error = NULL;
  g_autoptr(NcStore) store = NULL;
  g_autoptr(NcWebhookServer) listener = NULL;

  if (argc != 2 && argc != 3)
    {
      fprintf (stderr, "usage: %s DATA_DIR [FILE]\n", argv[0]);
      return 2;
    }

  store = nc_store_open_sync (argv[1], &error);
  if (store == NULL)
    g_error ("%s", error->message);
  listener = nc_webhook_server_new (store, SECRET, TOKEN);
  if (!nc_webhook_server_listen (listener, "127.0.0.1", 0, &error))
    g_error ("%s", error->message);
  printf ("%u\n", nc_webhook_server_get_port (listener));
  fflush (stdout);

  if (argc == 3)
    {
      g_autoptr(GFile) file = g_file_new_for_path (argv[2]);

      import_began = g_get_monotonic_time ();
      nc_client_csv_import_async (store, file, NULL, NULL, imported, NULL);
    }

  g_unix_signal_add (SIGTERM, quit, loop);
  g_unix_signal_add (SIGINT, quit, loop);
  g_main_loop_run (loop);

  nc_webhook_server_stop (listener);
  while (nc_webhook_server_get_pending (listener) > 0)
    g_main_context_iteration (NULL, TRUE);
  return 0;
}
