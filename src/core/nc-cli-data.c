/* nc-cli-data.c — the commands that load and take out the project's data
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nc-cli"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "nc-cli-private.h"
#include "nc-client-csv.h"

static int
clients_import (NcCliContext *ctx,
                const char   *path)
{
  g_autofree char *contents = NULL;
  g_autoptr(GPtrArray) drafts = NULL;
  g_autoptr(NcStore) store = NULL;
  g_autoptr(GError) error = NULL;
  gsize length = 0;

  if (!nc_cli_read_input (ctx, path, &contents, &length))
    return NC_EXIT_FAILURE;

  drafts = nc_client_csv_parse (g_strcmp0 (path, "-") == 0 ? _("standard input") : path,
                                contents, length, NULL, &error);
  if (drafts == NULL)
    {
      nc_cli_error (ctx, "%s", error->message);
      return NC_EXIT_USAGE;
    }

  store = nc_cli_open_store (ctx);
  if (store == NULL)
    return NC_EXIT_FAILURE;

  if (!nc_store_add_clients_sync (store, drafts, NULL, &error))
    {
      nc_cli_error (ctx, _("Nothing was imported: %s"), error->message);
      return NC_EXIT_FAILURE;
    }

  fprintf (ctx->err, g_dngettext (GETTEXT_PACKAGE, "Imported %u client.\n",
                                  "Imported %u clients.\n", drafts->len), drafts->len);
  return NC_EXIT_OK;
}

static int
clients_export (NcCliContext *ctx,
                const char   *path)
{
  g_autoptr(NcStore) store = NULL;
  g_autoptr(GPtrArray) clients = NULL;
  g_autoptr(GString) csv = NULL;
  g_autoptr(GError) error = NULL;

  store = nc_cli_open_store (ctx);
  if (store == NULL)
    return NC_EXIT_FAILURE;

  clients = nc_store_list_clients_sync (store, TRUE, &error);
  if (clients == NULL)
    {
      nc_cli_error (ctx, "%s", error->message);
      return NC_EXIT_FAILURE;
    }

  csv = nc_client_csv_build (clients, NULL);
  if (!nc_cli_write_output (ctx, path, csv->str, csv->len))
    return NC_EXIT_FAILURE;

  if (g_strcmp0 (path, "-") != 0)
    fprintf (ctx->err, g_dngettext (GETTEXT_PACKAGE, "Exported %u client.\n",
                                    "Exported %u clients.\n", clients->len), clients->len);
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
