/* nc-cli-data.c — the commands that load and take out the project's data
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nc-cli"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <glib/gi18n.h>

#include "nc-cli-private.h"
#include "nc-client-csv.h"

static gssize
read_file (gpointer      source,
           char         *buffer,
           gsize         size,
           GCancellable *cancellable,
           GError      **error)
{
  size_t n = fread (buffer, 1, size, source);

  if (n == 0 && ferror ((FILE *) source))
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s", g_strerror (saved));
      return -1;
    }
  return (gssize) n;
}

/* The file is read a block at a time and written a chunk at a time, so that a file of a
 * million clients takes the memory of a few thousand, and `listen` beside it on the same
 * store gets the database between two chunks. */
static int
clients_import (NcCliContext *ctx,
                const char   *path)
{
  gboolean from_input = g_strcmp0 (path, "-") == 0;
  const char *name = from_input ? _("standard input") : path;
  g_autoptr(NcStore) store = NULL;
  g_autoptr(GError) error = NULL;
  struct stat info;
  guint64 size = 0;
  guint count = 0;
  FILE *in;

  in = from_input ? ctx->in : fopen (path, "rb");
  if (in == NULL)
    {
      int saved = errno;

      nc_cli_error (ctx, _("Could not open “%s”: %s"), path, g_strerror (saved));
      return NC_EXIT_FAILURE;
    }
  if (fstat (fileno (in), &info) == 0 && S_ISREG (info.st_mode))
    size = (guint64) info.st_size;

  store = nc_cli_open_store (ctx);
  if (store == NULL)
    {
      if (!from_input)
        fclose (in);
      return NC_EXIT_FAILURE;
    }

  nc_client_csv_import_stream (store, name, read_file, in, size, NULL, NULL, &count, &error);
  if (!from_input)
    fclose (in);
  if (error != NULL)
    {
      /* A bad file says where; a store that fails says that nothing was written. */
      if (error->domain == NC_CLIENT_CSV_ERROR)
        {
          nc_cli_error (ctx, "%s", error->message);
          return NC_EXIT_USAGE;
        }
      nc_cli_error (ctx, _("Nothing was imported: %s"), error->message);
      return NC_EXIT_FAILURE;
    }

  fprintf (ctx->err, g_dngettext (GETTEXT_PACKAGE, "Imported %u client.\n",
                                  "Imported %u clients.\n", count), count);
  return NC_EXIT_OK;
}

static gboolean
write_to_file (gpointer       sink,
               const char    *data,
               gsize          length,
               GCancellable  *cancellable,
               GError       **error)
{
  if (fwrite (data, 1, length, sink) == length)
    return TRUE;
  g_set_error_literal (error, G_IO_ERROR, g_io_error_from_errno (errno), g_strerror (errno));
  return FALSE;
}

/* A page of clients at a time, to standard output or to a file that is put in place whole
 * and readable by its owner only (nc_client_csv_export_file_sync()). */
static int
clients_export (NcCliContext *ctx,
                const char   *path)
{
  g_autoptr(NcStore) store = NULL;
  g_autoptr(GError) error = NULL;
  guint count = 0;
  gboolean written;

  store = nc_cli_open_store (ctx);
  if (store == NULL)
    return NC_EXIT_FAILURE;

  if (g_strcmp0 (path, "-") == 0)
    {
      written = nc_client_csv_write (store, write_to_file, ctx->out, NULL, NULL, &count, &error);
      if (written && fflush (ctx->out) != 0)
        {
          g_set_error_literal (&error, G_IO_ERROR, g_io_error_from_errno (errno),
                               g_strerror (errno));
          written = FALSE;
        }
    }
  else
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (path);

      written = nc_client_csv_export_file_sync (store, file, NULL, NULL, &count, &error);
    }
  if (!written)
    {
      nc_cli_error (ctx, _("Could not export the clients: %s"), error->message);
      return NC_EXIT_FAILURE;
    }

  if (g_strcmp0 (path, "-") != 0)
    fprintf (ctx->err, g_dngettext (GETTEXT_PACKAGE, "Exported %u client.\n",
                                    "Exported %u clients.\n", count), count);
  return NC_EXIT_OK;
}

int
nc_cli_clients (NcCliContext *ctx,
                int           argc,
                char        **argv)
{
  if (argc == 3 && g_str_equal (argv[1], "import"))
    return clients_import (ctx, argv[2]);
  if (argc == 3 && g_str_equal (argv[1], "export"))
    return clients_export (ctx, argv[2]);

  nc_cli_error (ctx, _("Usage: novofon-console clients import FILE.csv | clients export FILE.csv "
                       "(- is standard input or output)"));
  return NC_EXIT_USAGE;
}

int
nc_cli_messengers (NcCliContext *ctx,
                   int           argc,
                   char        **argv)
{
  g_autoptr(NcStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) messengers = NULL;

  if (!(argc == 1 || (argc == 2 && g_str_equal (argv[1], "clear")) ||
        (argc == 3 && g_str_equal (argv[1], "set"))))
    {
      nc_cli_error (ctx, _("Usage: novofon-console messengers [set whatsapp,viber,… | clear]"));
      return NC_EXIT_USAGE;
    }

  if (argc == 3)
    {
      messengers = g_strsplit (argv[2], ",", -1);
      for (guint i = 0; messengers[i] != NULL; i++)
        {
          NcChannel channel;

          g_strstrip (messengers[i]);
          if (!nc_channel_from_string (messengers[i], &channel) ||
              channel == NC_CHANNEL_TELEPHONY)
            {
              nc_cli_error (ctx, _("“%s” is not a messenger (one of whatsapp, telegram, viber, "
                                   "instagram, vk, facebook, avito, online_chat)"),
                            messengers[i]);
              return NC_EXIT_USAGE;
            }
        }
    }

  store = nc_cli_open_store (ctx);
  if (store == NULL)
    return NC_EXIT_FAILURE;

  if (argc > 1)
    {
      const char *none[] = { NULL };

      if (!nc_store_set_messengers_sync (store, messengers != NULL ? (const char *const *) messengers
                                                                   : none, &error))
        {
          nc_cli_error (ctx, "%s", error->message);
          return NC_EXIT_FAILURE;
        }
      return NC_EXIT_OK;
    }

  messengers = nc_store_get_messengers_sync (store, &error);
  if (messengers == NULL)
    {
      nc_cli_error (ctx, "%s", error->message);
      return NC_EXIT_FAILURE;
    }
  for (guint i = 0; messengers[i] != NULL; i++)
    fprintf (ctx->out, "%s\n", messengers[i]);
  return NC_EXIT_OK;
}
