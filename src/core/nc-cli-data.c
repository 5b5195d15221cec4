/* nc-cli-data.c — the commands that load and take out the project's data
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nc-cli"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "nc-cli-private.h"
#include "nc-csv.h"
#include "nc-phone.h"

static const char *const required_columns[] = { "name", "channel", "phone" };

static char *
channel_list (void)
{
  GString *list = g_string_new (NULL);

  for (guint i = 0; i < NC_N_CHANNELS; i++)
    g_string_append_printf (list, "%s%s", i > 0 ? ", " : "", nc_channel_to_string (i));
  return g_string_free (list, FALSE);
}

/* Reads the whole file before anything is written: a bad row leaves the store as it was. */
static GPtrArray *
parse_clients (NcCliContext *ctx,
               const char   *path,
               const char   *contents,
               gsize         length)
{
  g_autoptr(NcCsvReader) reader = nc_csv_reader_new (contents, length);
  g_autoptr(GPtrArray) header = NULL;
  g_autoptr(GPtrArray) drafts = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  const char *name = path;
  int columns[G_N_ELEMENTS (required_columns)];
  guint line = 0;

  if (g_strcmp0 (path, "-") == 0)
    name = _("standard input");

  if (!nc_csv_reader_next (reader, &header, &line, &error))
    {
      if (error != NULL)
        nc_cli_error (ctx, "%s:%u: %s", name, nc_csv_reader_get_error_line (reader),
                      error->message);
      else
        nc_cli_error (ctx, _("%s:1: the file is empty; it needs a header row with name, "
                             "channel and phone"), name);
      return NULL;
    }

  for (guint c = 0; c < G_N_ELEMENTS (required_columns); c++)
    {
      columns[c] = -1;
      for (guint i = 0; i < header->len; i++)
        if (g_str_equal (g_ptr_array_index (header, i), required_columns[c]))
          columns[c] = (int) i;
      if (columns[c] < 0)
        {
          nc_cli_error (ctx, _("%s:%u: the header row has no “%s” column (it needs name, "
                               "channel and phone)"), name, line, required_columns[c]);
          return NULL;
        }
    }
  for (guint i = 0; i < header->len; i++)
    {
      const char *column = g_ptr_array_index (header, i);

      if (*column == '\0')
        {
          nc_cli_error (ctx, _("%s:%u: column %u of the header row has no name"), name, line,
                        i + 1);
          return NULL;
        }
      for (guint j = 0; j < i; j++)
        if (g_str_equal (column, g_ptr_array_index (header, j)))
          {
            nc_cli_error (ctx, _("%s:%u: the header row names “%s” twice"), name, line, column);
            return NULL;
          }
    }

  for (;;)
    {
      g_autoptr(GPtrArray) fields = NULL;
      g_autoptr(GError) phone_error = NULL;
      g_autofree char *phone = NULL;
      const char *client_name, *channel_text, *phone_text;
      GPtrArray *variables;
      NcClient *draft;
      NcChannel channel;

      if (!nc_csv_reader_next (reader, &fields, &line, &error))
        {
          if (error == NULL)
            break;
          nc_cli_error (ctx, "%s:%u: %s", name, nc_csv_reader_get_error_line (reader),
                        error->message);
          return NULL;
        }

      /* An empty line between records is nothing. */
      if (fields->len == 1 && *(const char *) fields->pdata[0] == '\0')
        continue;

      if (fields->len != header->len)
        {
          nc_cli_error (ctx, _("%s:%u: %u fields, but the header row has %u"), name, line,
                        fields->len, header->len);
          return NULL;
        }

      client_name = g_strstrip ((char *) fields->pdata[columns[0]]);
      channel_text = g_strstrip ((char *) fields->pdata[columns[1]]);
      phone_text = fields->pdata[columns[2]];

      if (*client_name == '\0')
        {
          nc_cli_error (ctx, _("%s:%u: the client has no name"), name, line);
          return NULL;
        }
      if (!nc_channel_from_string (channel_text, &channel))
        {
          g_autofree char *known = channel_list ();

          nc_cli_error (ctx, _("%s:%u: unknown channel “%s” (one of %s)"), name, line,
                        channel_text, known);
          return NULL;
        }
      if (*g_strstrip ((char *) phone_text) != '\0')
        {
          phone = nc_phone_normalize_number (phone_text, &phone_error);
          if (phone == NULL)
            {
              nc_cli_error (ctx, "%s:%u: %s", name, line, phone_error->message);
              return NULL;
            }
        }

      variables = g_ptr_array_new_with_free_func ((GDestroyNotify) nc_variable_free);
      for (guint i = 0; i < header->len; i++)
        {
          const char *value = fields->pdata[i];

          if ((int) i == columns[0] || (int) i == columns[1] || (int) i == columns[2] ||
              *value == '\0')
            continue;
          g_ptr_array_add (variables, nc_variable_new (header->pdata[i], value));
        }

      draft = nc_client_new (0, client_name, channel, phone, 0);
      nc_client_take_variables (draft, variables);
      g_ptr_array_add (drafts, draft);
    }

  return g_steal_pointer (&drafts);
}

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

  drafts = parse_clients (ctx, path, contents, length);
  if (drafts == NULL)
    return NC_EXIT_USAGE;

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
  g_autoptr(GPtrArray) columns = g_ptr_array_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GString) csv = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree const char **row = NULL;

  store = nc_cli_open_store (ctx);
  if (store == NULL)
    return NC_EXIT_FAILURE;

  clients = nc_store_list_clients_sync (store, TRUE, &error);
  if (clients == NULL)
    {
      nc_cli_error (ctx, "%s", error->message);
      return NC_EXIT_FAILURE;
    }

  /* The variables' columns, in the order they first appear among the clients. */
  for (guint i = 0; i < G_N_ELEMENTS (required_columns); i++)
    {
      g_ptr_array_add (columns, (gpointer) required_columns[i]);
      g_hash_table_add (seen, (gpointer) required_columns[i]);
    }
  for (guint i = 0; i < clients->len; i++)
    {
      GPtrArray *variables = nc_client_get_variables (clients->pdata[i]);

      for (guint j = 0; j < variables->len; j++)
        {
          NcVariable *variable = variables->pdata[j];

          if (g_hash_table_add (seen, variable->name))
            g_ptr_array_add (columns, variable->name);
        }
    }

  nc_csv_append_row (csv, (const char *const *) columns->pdata, columns->len);
  row = g_new0 (const char *, columns->len);
  for (guint i = 0; i < clients->len; i++)
    {
      NcClient *client = clients->pdata[i];

      row[0] = nc_client_get_name (client);
      row[1] = nc_channel_to_string (nc_client_get_channel (client));
      row[2] = nc_client_get_phone (client);
      for (guint c = G_N_ELEMENTS (required_columns); c < columns->len; c++)
        row[c] = nc_client_get_variable (client, columns->pdata[c]);
      nc_csv_append_row (csv, row, columns->len);
    }

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
