/* nc-cli.c — the command line: subcommands that run before GTK, with no display
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GtkApplication initialises GTK in startup (which fails without a display) and a second
 * instance hands its command line to the first, so subcommands are dispatched from main()
 * before any of that: they never need a display or a session bus, and never hand their work
 * to a running window.
 */

#define G_LOG_DOMAIN "nc-cli"

#include "config.h"

#include <stdarg.h>
#include <string.h>
#include <glib/gi18n.h>

#include "nc-cli-private.h"
#include "nc-paths.h"
#include "nc-phone.h"
#include "nc-secrets.h"
#include "nc-settings.h"

typedef struct
{
  const char       *name;
  const char       *usage;    /* translatable, after the command name */
  NcCliCommandFunc  func;
  const char       *subcommand;  /* the word after the name this row is for; NULL: any */
} NcCliCommand;

static int cli_help (NcCliContext *ctx, int argc, char **argv);

static const NcCliCommand commands[] = {
  { "help", N_("— list the commands"), cli_help },
  { "clients", N_("import FILE.csv | export FILE.csv   (- is standard input or output)"),
    nc_cli_clients },
  { "messengers", N_("[set whatsapp,viber,… | clear]"), nc_cli_messengers },
  { "call", N_("CLIENT_PHONE EMPLOYEE_PHONE EMPLOYEE_ID   (zadarma_call)"), nc_cli_call },
  { "balance", "", nc_cli_balance },
  { "credentials", N_("set | clear   (set reads the Key and the Secret from standard input)"),
    nc_cli_credentials },
  { "listen", N_("[--bind ADDRESS] [--port PORT] [--tls-certificate FILE --tls-key FILE]"),
    nc_cli_listen },
  { "calls", N_("repair [--since \"YYYY-MM-DD HH:MM:SS\"]   (the calls the listener missed, "
                 "from the PBX’s statistics)"), nc_cli_calls_repair, "repair" },
  { "calls", N_("follow   (one line of JSON per change of a call, as it happens)"),
    nc_cli_calls_follow, "follow" },
  { "calls", N_("note CALL-ID [--outcome OUTCOME] [--note TEXT]   (kept on the call and in its "
                "client’s variables)"), nc_cli_calls_note, "note" },
  { "calls", N_("export FILE.csv"), nc_cli_calls },
  { "database", N_("init   (creates or upgrades the schema of the office database)"),
    nc_cli_database },
  { "webhook", N_("url | register URL"), nc_cli_webhook },
  { "team", N_("export [--day YYYY-MM-DD] [FILE.csv]   (the day’s figures of every employee)"),
    nc_cli_team },
  { NULL, NULL, NULL },
};

static const NcCliCommand *
find_command (const char *name,
              const char *next)
{
  for (guint i = 0; commands[i].name != NULL; i++)
    if (strcmp (commands[i].name, name) == 0 &&
        (commands[i].subcommand == NULL || g_strcmp0 (commands[i].subcommand, next) == 0))
      return &commands[i];
  return NULL;
}

void
nc_cli_error (NcCliContext *ctx,
              const char   *format,
              ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  fprintf (ctx->err, "novofon-console: %s\n", message);
  fflush (ctx->err);
}

/* The command line has no main loop of its own: an async call stores its result here,
 * and nc_cli_wait() runs the default main context until it is there. */
void
nc_cli_got_result (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

void
nc_cli_wait (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
}

/**
 * nc_cli_exit_code:
 *
 * Returns: the project's exit code for what went wrong
 */
int
nc_cli_exit_code (const GError *error)
{
  if (error->domain == NC_SECRETS_ERROR)
    return NC_EXIT_CREDENTIALS;
  if (g_error_matches (error, NC_ZADARMA_ERROR, NC_ZADARMA_ERROR_AUTH))
    return NC_EXIT_CREDENTIALS;
  if (g_error_matches (error, NC_ZADARMA_ERROR, NC_ZADARMA_ERROR_RATE_LIMITED))
    return NC_EXIT_RATE_LIMITED;
  if (g_error_matches (error, NC_ZADARMA_ERROR, NC_ZADARMA_ERROR_INVALID))
    return NC_EXIT_USAGE;
  if (error->domain == NC_DIALER_ERROR || error->domain == NC_PHONE_ERROR)
    return NC_EXIT_USAGE;
  return NC_EXIT_FAILURE;
}

/**
 * nc_cli_start_session:
 * @need_account: whether the command cannot work without the Key and Secret
 * @out_status: (out): the exit code, when this fails
 *
 * Returns: (transfer full) (nullable): the session of the data directory, started, or
 *   %NULL after saying why on standard error
 */
NcSession *
nc_cli_start_session (NcCliContext   *ctx,
                      NcSessionFlags  flags,
                      gboolean        need_account,
                      int            *out_status)
{
  g_autoptr(GSettings) settings = nc_settings_new_for_command_line ();
  g_autoptr(NcSession) session = nc_session_new_full (ctx->data_dir, ctx->database_url, settings,
                                                      flags);
  g_autoptr(GError) error = NULL;

  if (!nc_session_start_sync (session, &error))
    {
      nc_cli_error (ctx, "%s", error->message);
      *out_status = NC_EXIT_FAILURE;
      return NULL;
    }
  if (need_account && !nc_session_get_account_ready (session))
    {
      const GError *why = nc_session_get_account_error (session);

      /* The keyring's own words say what to run here. */
      nc_cli_error (ctx, "%s", why != NULL ? why->message : nc_session_get_account_problem (session));
      *out_status = NC_EXIT_CREDENTIALS;
      return NULL;
    }
  return g_steal_pointer (&session);
}

/**
 * nc_cli_open_store:
 *
 * Returns: (transfer full) (nullable): the store of the data directory, or %NULL after
 *   saying why on standard error
 */
NcStore *
nc_cli_open_store (NcCliContext *ctx)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autofree char *password = NULL;
  NcStore *store;

  if (ctx->database_url == NULL)
    {
      store = nc_store_open_sync (ctx->data_dir, &error);
      if (store == NULL)
        nc_cli_error (ctx, "%s", error->message);
      return store;
    }

  /* The password: the URL's own (NOVOFON_DATABASE_URL on a server), or the keyring's. */
  uri = g_uri_parse (ctx->database_url, G_URI_FLAGS_HAS_PASSWORD | G_URI_FLAGS_ENCODED_QUERY,
                     NULL);
  if (uri == NULL || g_uri_get_password (uri) == NULL)
    {
      nc_secrets_lookup_database_password_async (ctx->database_url, NULL, nc_cli_got_result,
                                                 &result);
      nc_cli_wait (&result);
      password = nc_secrets_lookup_database_password_finish (result, NULL);
    }
  store = nc_store_open_database_sync (ctx->database_url, password, &error);
  if (password != NULL)
    memset (password, 0, strlen (password));
  if (store == NULL)
    nc_cli_error (ctx, "%s", error->message);
  return store;
}

/**
 * nc_cli_read_input:
 * @path: a file, or `-` for standard input
 *
 * Returns: whether the whole of @path was read; if not, it says why on standard error
 */
gboolean
nc_cli_read_input (NcCliContext  *ctx,
                   const char    *path,
                   char         **out_contents,
                   gsize         *out_length)
{
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (path, "-") == 0)
    {
      GString *text = g_string_new (NULL);
      char buffer[65536];
      size_t n;

      while ((n = fread (buffer, 1, sizeof buffer, ctx->in)) > 0)
        g_string_append_len (text, buffer, (gssize) n);
      if (ferror (ctx->in))
        {
          nc_cli_error (ctx, _("Could not read standard input"));
          g_string_free (text, TRUE);
          return FALSE;
        }
      *out_length = text->len;
      *out_contents = g_string_free (text, FALSE);
      return TRUE;
    }

  if (!g_file_get_contents (path, out_contents, out_length, &error))
    {
      nc_cli_error (ctx, "%s", error->message);
      return FALSE;
    }
  return TRUE;
}

/**
 * nc_cli_write_output:
 * @path: a file (replaced whole, atomically), or `-` for standard output
 */
gboolean
nc_cli_write_output (NcCliContext *ctx,
                     const char   *path,
                     const char   *contents,
                     gsize         length)
{
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (path, "-") == 0)
    {
      if (fwrite (contents, 1, length, ctx->out) != length || fflush (ctx->out) != 0)
        {
          nc_cli_error (ctx, _("Could not write to standard output"));
          return FALSE;
        }
      return TRUE;
    }

  if (!g_file_set_contents (path, contents, (gssize) length, &error))
    {
      nc_cli_error (ctx, "%s", error->message);
      return FALSE;
    }
  return TRUE;
}

static void
print_usage (FILE *stream)
{
  fprintf (stream, "%s\n  novofon-console [--data-dir DIR | --database URL] [--demo]\n",
           _("Usage:"));
  for (guint i = 0; commands[i].name != NULL; i++)
    fprintf (stream, "  novofon-console [--data-dir DIR | --database URL] %s %s\n",
             commands[i].name,
             *commands[i].usage != '\0' ? _(commands[i].usage) : "");
}

static int
cli_help (NcCliContext *ctx,
          int           argc,
          char        **argv)
{
  print_usage (ctx->out);
  return NC_EXIT_OK;
}

/* Finds the first word that is not a global option. Returns its index, or -1. */
/* The global options that take a value. */
static const char *const valued_options[] = { "--data-dir", "--database", NULL };

static const char *
option_value (const char  *arg,
              const char  *name)
{
  size_t length = strlen (name);

  return strncmp (arg, name, length) == 0 && arg[length] == '=' ? arg + length + 1 : NULL;
}

static int
find_command_index (int          argc,
                    char *const *argv,
                    const char **data_dir,
                    const char **database)
{
  for (int i = 1; i < argc; i++)
    {
      const char *arg = argv[i];
      const char **slots[] = { data_dir, database };
      gboolean valued = FALSE;

      for (guint o = 0; valued_options[o] != NULL; o++)
        {
          const char *value = option_value (arg, valued_options[o]);

          if (strcmp (arg, valued_options[o]) == 0)
            {
              if (i + 1 < argc && slots[o] != NULL)
                *slots[o] = argv[i + 1];
              i++;
              valued = TRUE;
            }
          else if (value != NULL)
            {
              if (slots[o] != NULL)
                *slots[o] = value;
              valued = TRUE;
            }
        }
      if (valued)
        continue;
      if (arg[0] == '-')
        continue;

      return i;
    }

  return -1;
}

/**
 * nc_cli_wants_command:
 *
 * Returns: whether @argv names a subcommand (any word that is not an option), so that
 *   main() runs nc_cli_run() and never starts the application.
 */
gboolean
nc_cli_wants_command (int          argc,
                      char *const *argv)
{
  return find_command_index (argc, argv, NULL, NULL) > 0;
}

/**
 * nc_cli_run:
 *
 * Runs the subcommand that @argv names.
 *
 * Returns: the process exit code, an #NcExitCode
 */
int
nc_cli_run (int          argc,
            char *const *argv,
            FILE        *in,
            FILE        *out,
            FILE        *err)
{
  const char *data_dir = NULL;
  const char *database = NULL;
  const NcCliCommand *command;
  g_autofree char *resolved_dir = NULL;
  g_autofree char *resolved_database = NULL;
  g_autoptr(GPtrArray) sub_argv = NULL;
  NcCliContext ctx = { NULL, NULL, in, out, err };
  int index;

  index = find_command_index (argc, argv, &data_dir, &database);
  if (index < 0)
    {
      print_usage (err);
      return NC_EXIT_USAGE;
    }

  for (int i = 1; i < index; i++)
    {
      if (strcmp (argv[i], "--data-dir") == 0 && i + 1 >= index)
        {
          nc_cli_error (&ctx, _("--data-dir needs a directory"));
          return NC_EXIT_USAGE;
        }
      if (strcmp (argv[i], "--database") == 0 && i + 1 >= index)
        {
          nc_cli_error (&ctx, _("--database needs a URL such as postgresql://server/office"));
          return NC_EXIT_USAGE;
        }
      if (strcmp (argv[i], "--data-dir") == 0 || strcmp (argv[i], "--database") == 0)
        {
          i++;
          continue;
        }
      if (option_value (argv[i], "--data-dir") == NULL &&
          option_value (argv[i], "--database") == NULL)
        {
          nc_cli_error (&ctx, _("Unknown option “%s” before the command"), argv[i]);
          return NC_EXIT_USAGE;
        }
    }
  if (database != NULL && !nc_store_is_database_url (database))
    {
      nc_cli_error (&ctx, _("“%s” is not a database URL: it begins with postgresql://"),
                    database);
      return NC_EXIT_USAGE;
    }

  command = find_command (argv[index], index + 1 < argc ? argv[index + 1] : NULL);
  if (command == NULL)
    {
      nc_cli_error (&ctx, _("Unknown command “%s”"), argv[index]);
      print_usage (err);
      return NC_EXIT_USAGE;
    }

  resolved_dir = nc_paths_dup_data_dir (data_dir);
  ctx.data_dir = resolved_dir;
  /* --database, else NOVOFON_DATABASE_URL, else the setting; --data-dir alone means the
   * folder's own file. */
  if (database == NULL && data_dir == NULL)
    {
      g_autoptr(GSettings) settings = nc_settings_new_for_command_line ();
      const char *env = g_getenv ("NOVOFON_DATABASE_URL");

      resolved_database = env != NULL && *env != '\0' ? g_strdup (env)
                          : nc_settings_dup_string (settings, "database-url");
      if (resolved_database != NULL && *resolved_database == '\0')
        g_clear_pointer (&resolved_database, g_free);
    }
  else if (database != NULL)
    resolved_database = g_strdup (database);
  ctx.database_url = resolved_database;

  sub_argv = g_ptr_array_new ();
  for (int i = index; i < argc; i++)
    g_ptr_array_add (sub_argv, argv[i]);
  g_ptr_array_add (sub_argv, NULL);

  return command->func (&ctx, argc - index, (char **) sub_argv->pdata);
}
