/* nc-cli-api.c — the commands that talk to the Novofon API: call, balance, credentials
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * With the credentials in the environment they need no display and no session bus.
 */

#define G_LOG_DOMAIN "nc-cli"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <termios.h>
#include <glib/gi18n.h>

#include "nc-cli-private.h"
#include "nc-secrets.h"
#include "nc-zadarma-call.h"

int
nc_cli_call (NcCliContext *ctx,
             int           argc,
             char        **argv)
{
  g_autoptr(NcCallRequest) request = NULL;
  g_autoptr(NcSession) session = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  int status = NC_EXIT_OK;

  if (argc != 4)
    {
      nc_cli_error (ctx, _("Usage: novofon-console call CLIENT_PHONE EMPLOYEE_PHONE EMPLOYEE_ID "
                           "(for example: call 79004443322 79500000033 111111)"));
      return NC_EXIT_USAGE;
    }

  request = nc_call_request_new (argv[1], argv[2], argv[3], &error);
  if (request == NULL)
    {
      nc_cli_error (ctx, "%s", error->message);
      return NC_EXIT_USAGE;
    }

  session = nc_cli_start_session (ctx, NC_SESSION_FLAGS_NONE, TRUE, &status);
  if (session == NULL)
    return status;

  nc_dialer_call_request_async (nc_session_get_dialer (session), request, NULL,
                                nc_cli_got_result, &result);
  nc_cli_wait (&result);
  message = nc_dialer_call_request_finish (nc_session_get_dialer (session), result, &error);
  if (message == NULL)
    {
      g_autofree char *reason = nc_zadarma_error_to_user_message (error);

      nc_cli_error (ctx, _("No call was placed: %s"), reason);
      return nc_cli_exit_code (error);
    }

  fprintf (ctx->out, _("The PBX is calling employee %s, then the client %s (who sees %s).\n"),
           request->employee_id, request->client_phone, request->employee_phone);
  return NC_EXIT_OK;
}

int
nc_cli_balance (NcCliContext *ctx,
                int           argc,
                char        **argv)
{
  g_autoptr(NcSession) session = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(NcZadarmaBalance) balance = NULL;
  g_autoptr(GError) error = NULL;
  NcZadarmaClient *client;
  int status = NC_EXIT_OK;

  if (argc != 1)
    {
      nc_cli_error (ctx, _("Usage: novofon-console balance"));
      return NC_EXIT_USAGE;
    }

  session = nc_cli_start_session (ctx, NC_SESSION_FLAGS_NONE, TRUE, &status);
  if (session == NULL)
    return status;
  client = nc_session_get_zadarma_client (session);

  nc_zadarma_client_balance_async (client, NULL, nc_cli_got_result, &result);
  nc_cli_wait (&result);
  balance = nc_zadarma_client_balance_finish (client, result, &error);
  if (balance == NULL)
    {
      g_autofree char *message = nc_zadarma_error_to_user_message (error);

      nc_cli_error (ctx, "%s", message);
      return nc_cli_exit_code (error);
    }

  fprintf (ctx->out, _("Balance: %.2f %s\n"), balance->balance,
           balance->currency != NULL ? balance->currency : "");
  return NC_EXIT_OK;
}

/* One line of standard input; on a terminal, asked for, and not echoed for the Secret. */
static char *
read_line (NcCliContext *ctx,
           const char   *prompt,
           gboolean      hide)
{
  int fd = fileno (ctx->in);
  gboolean terminal = isatty (fd);
  struct termios saved, quiet;
  char buffer[1024];
  char *line;

  if (terminal)
    {
      fputs (prompt, ctx->err);
      fflush (ctx->err);
    }
  if (terminal && hide && tcgetattr (fd, &saved) == 0)
    {
      quiet = saved;
      quiet.c_lflag &= ~(tcflag_t) ECHO;
      tcsetattr (fd, TCSANOW, &quiet);
    }
  line = fgets (buffer, sizeof buffer, ctx->in);
  if (terminal && hide)
    {
      tcsetattr (fd, TCSANOW, &saved);
      fputc ('\n', ctx->err);
    }

  if (line == NULL)
    return NULL;
  line = g_strstrip (g_strdup (buffer));
  memset (buffer, 0, sizeof buffer);
  return line;
}

int
nc_cli_credentials (NcCliContext *ctx,
                    int           argc,
                    char        **argv)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  if (argc == 2 && g_str_equal (argv[1], "set"))
    {
      g_autofree char *key = read_line (ctx, _("API Key: "), FALSE);
      g_autofree char *secret = read_line (ctx, _("API Secret: "), TRUE);

      if (key == NULL || secret == NULL || *key == '\0' || *secret == '\0')
        {
          nc_cli_error (ctx, _("Give the API Key on the first line of standard input and the "
                               "Secret on the second"));
          return NC_EXIT_USAGE;
        }

      nc_secrets_store_credentials_async (key, secret, NULL, nc_cli_got_result, &result);
      memset (secret, 0, strlen (secret));
      nc_cli_wait (&result);
      if (!nc_secrets_store_credentials_finish (result, &error))
        {
          nc_cli_error (ctx, "%s", error->message);
          return NC_EXIT_FAILURE;
        }
      fprintf (ctx->out, _("The API Key and Secret are in the keyring.\n"));
      return NC_EXIT_OK;
    }

  if (argc == 2 && g_str_equal (argv[1], "clear"))
    {
      nc_secrets_clear_credentials_async (NULL, nc_cli_got_result, &result);
      nc_cli_wait (&result);
      if (!nc_secrets_clear_credentials_finish (result, &error))
        {
          nc_cli_error (ctx, "%s", error->message);
          return NC_EXIT_FAILURE;
        }
      fprintf (ctx->out, _("The API Key and Secret are no longer in the keyring.\n"));
      return NC_EXIT_OK;
    }

  nc_cli_error (ctx, _("Usage: novofon-console credentials set | clear (set reads the Key and "
                       "the Secret from standard input, one per line)"));
  return NC_EXIT_USAGE;
}
