/* nc-cli-webhook.c — listen, calls export, webhook url | register
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nc-cli"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib-unix.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "nc-cli-private.h"
#include "nc-csv.h"
#include "nc-secrets.h"
#include "nc-settings.h"
#include "nc-webhook-url.h"

static char *
webhook_token (NcCliContext *ctx)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *token;

  nc_secrets_get_webhook_token_async (NULL, nc_cli_got_result, &result);
  nc_cli_wait (&result);
  token = nc_secrets_get_webhook_token_finish (result, &error);
  if (token == NULL)
    nc_cli_error (ctx, "%s", error->message);
  return token;
}

/* ------------------------------------------------------------------------------------ */

typedef struct
{
  NcCliContext    *ctx;
  NcWebhookServer *server;
  gboolean         stopping;
} Listener;

static void
print_event (NcWebhookServer *server,
             NcCallEvent     *event,
             gboolean         inserted,
             Listener        *listener)
{
  const char *type = nc_call_event_get_event_type (event);
  const char *start = nc_call_event_get_field (event, "call_start");
  const char *caller = nc_call_event_get_field (event, "caller_id");
  const char *destination = nc_call_event_get_field (event, "destination");
  const char *did = nc_call_event_get_field (event, "called_did");
  const char *internal = nc_call_event_get_field (event, "internal");
  g_autofree char *to = NULL;
  g_autofree char *line = NULL;

  /* Translators: the other end of an event's call: a number, or a number and extension */
  to = internal != NULL && *internal != '\0'
       ? g_strdup_printf (_("%s, extension %s"),
                          destination != NULL ? destination : did != NULL ? did : "-", internal)
       : g_strdup (destination != NULL ? destination : did != NULL ? did : "-");
  line = g_strdup_printf ("%s %s %s %s → %s", start != NULL ? start : "-", type,
                          nc_call_event_get_field (event, "pbx_call_id"),
                          caller != NULL ? caller : "-", to);
  if (inserted)
    fprintf (listener->ctx->out, "%s\n", line);
  else
    /* Translators: an event line, then that it was already stored */
    fprintf (listener->ctx->out, _("%s (a replay: already stored)\n"), line);
  fflush (listener->ctx->out);
}

static gboolean
stop_listening (gpointer user_data)
{
  Listener *listener = user_data;

  /* No new requests; what was accepted is still committed and answered. */
  listener->stopping = TRUE;
  nc_webhook_server_stop (listener->server);
  /* Kept: the sources are removed once the last answer is out. */
  return G_SOURCE_CONTINUE;
}

int
nc_cli_listen (NcCliContext *ctx,
               int           argc,
               char        **argv)
{
  g_autoptr(GSettings) settings = nc_settings_new_for_command_line ();
  g_autofree char *bind = nc_settings_dup_string (settings, "webhook-bind");
  g_autofree char *url = NULL;
  g_autoptr(NcSession) session = NULL;
  g_autoptr(GError) error = NULL;
  const char *certificate = NULL, *key = NULL;
  guint port = (guint) nc_settings_get_int (settings, "webhook-port");
  Listener listener = { ctx };
  guint sigterm, sigint;
  int status = NC_EXIT_OK;

  for (int i = 1; i < argc; i++)
    {
      guint64 value;

      if (g_str_equal (argv[i], "--bind") && i + 1 < argc)
        {
          g_free (bind);
          bind = g_strdup (argv[++i]);
        }
      else if (g_str_equal (argv[i], "--port") && i + 1 < argc &&
               g_ascii_string_to_unsigned (argv[i + 1], 10, 0, 65535, &value, NULL))
        {
          port = (guint) value;
          i++;
        }
      else if (g_str_equal (argv[i], "--tls-certificate") && i + 1 < argc)
        certificate = argv[++i];
      else if (g_str_equal (argv[i], "--tls-key") && i + 1 < argc)
        key = argv[++i];
      else
        {
          nc_cli_error (ctx, _("Usage: novofon-console listen [--bind ADDRESS] [--port PORT] "
                               "[--tls-certificate FILE --tls-key FILE]"));
          return NC_EXIT_USAGE;
        }
    }
  if ((certificate == NULL) != (key == NULL))
    {
      nc_cli_error (ctx, _("--tls-certificate and --tls-key go together"));
      return NC_EXIT_USAGE;
    }

  session = nc_cli_start_session (ctx, NC_SESSION_CALLS, TRUE, &status);
  if (session == NULL)
    return status;

  /* Before the address is announced, so that a SIGTERM right after it is a clean stop. */
  sigterm = g_unix_signal_add (SIGTERM, stop_listening, &listener);
  sigint = g_unix_signal_add (SIGINT, stop_listening, &listener);

  if (!nc_session_listen (session, bind, port, certificate, key, &error))
    {
      g_source_remove (sigterm);
      g_source_remove (sigint);
      if (error->domain == G_TLS_ERROR || error->domain == G_FILE_ERROR)
        {
          nc_cli_error (ctx, _("Could not use the TLS certificate: %s"), error->message);
          return NC_EXIT_USAGE;
        }
      if (error->domain == NC_SECRETS_ERROR)
        {
          nc_cli_error (ctx, "%s", error->message);
          return NC_EXIT_CREDENTIALS;
        }
      nc_cli_error (ctx, _("Could not listen on %s port %u: %s"), bind, port, error->message);
      return NC_EXIT_FAILURE;
    }
  listener.server = nc_session_get_listener (session);
  g_signal_connect (listener.server, "event-received", G_CALLBACK (print_event), &listener);

  url = nc_webhook_url_build (NULL, bind, nc_webhook_server_get_port (listener.server),
                              certificate != NULL, nc_session_get_webhook_token (session), NULL);
  fprintf (ctx->err, _("Listening for the PBX’s events at %s\n"), url);
  fflush (ctx->err);

  while (!listener.stopping || nc_webhook_server_get_pending (listener.server) > 0)
    g_main_context_iteration (NULL, TRUE);

  g_source_remove (sigterm);
  g_source_remove (sigint);
  /* The store's close commits whatever is still queued. */
  nc_session_close (session);
  fprintf (ctx->err, _("Stopped; every acknowledged event is stored.\n"));
  return NC_EXIT_OK;
}

/* ------------------------------------------------------------------------------------ */

#define EXPORT_PAGE 1000

/* The calls' rows, a page at a time: the file grows, the memory does not. */
static gboolean
write_calls (NcStore  *store,
             FILE     *out,
             guint    *out_count,
             GError  **error)
{
  static const char *const header[] = {
    "pbx_call_id", "direction", "started_at", "answered_at", "ended_at", "client_name",
    "client_phone", "employee", "duration", "disposition", "record_link",
  };
  g_autoptr(NcCallRecord) last = NULL;
  g_autoptr(GString) csv = g_string_new (NULL);

  *out_count = 0;
  nc_csv_append_row (csv, header, G_N_ELEMENTS (header));
  for (;;)
    {
      g_autoptr(GPtrArray) page = nc_store_list_calls_sync (store, NULL, last, EXPORT_PAGE,
                                                            error);

      if (page == NULL)
        return FALSE;
      for (guint i = 0; i < page->len; i++)
        {
          const NcCallRecord *call = page->pdata[i];
          g_autofree char *duration = g_strdup_printf ("%u", call->duration);
          g_autofree char *answered_at = nc_call_record_dup_answered_at (call);
          g_autofree char *ended_at = nc_call_record_dup_ended_at (call);
          const char *row[G_N_ELEMENTS (header)] = {
            call->pbx_call_id,
            call->direction == NC_CALL_DIRECTION_IN ? "in" : "out",
            call->started_at,
            answered_at,
            ended_at,
            call->client_name,
            call->client_number,
            call->employee,
            call->state == NC_CALL_STATE_ENDED ? duration : "",
            call->disposition,
            call->record_link,
          };

          nc_csv_append_row (csv, row, G_N_ELEMENTS (row));
        }
      *out_count += page->len;
      if (fwrite (csv->str, 1, csv->len, out) != csv->len)
        {
          g_set_error_literal (error, G_IO_ERROR, g_io_error_from_errno (errno),
                               g_strerror (errno));
          return FALSE;
        }
      g_string_truncate (csv, 0);
      if (page->len < EXPORT_PAGE)
        return TRUE;
      g_clear_pointer (&last, nc_call_record_free);
      last = nc_call_record_copy (page->pdata[page->len - 1]);
    }
}

int
nc_cli_calls (NcCliContext *ctx,
              int           argc,
              char        **argv)
{
  g_autoptr(NcSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *temporary = NULL;
  FILE *out = ctx->out;
  int status = NC_EXIT_OK;
  guint n = 0;

  if (argc != 3 || !g_str_equal (argv[1], "export"))
    {
      nc_cli_error (ctx, _("Usage: novofon-console calls export FILE.csv (- is standard output)"));
      return NC_EXIT_USAGE;
    }

  session = nc_cli_start_session (ctx, 0, FALSE, &status);
  if (session == NULL)
    return status;

  /* A file is written beside itself and put in place whole, readable by its owner only. */
  if (!g_str_equal (argv[2], "-"))
    {
      int fd;

      temporary = g_strconcat (argv[2], ".XXXXXX", NULL);
      fd = g_mkstemp_full (temporary, O_WRONLY | O_CLOEXEC, 0600);
      out = fd >= 0 ? fdopen (fd, "w") : NULL;
      if (out == NULL)
        {
          int saved = errno;

          if (fd >= 0)
            close (fd);
          nc_cli_error (ctx, _("Could not write %s: %s"), argv[2], g_strerror (saved));
          return NC_EXIT_FAILURE;
        }
    }

  if (!write_calls (nc_session_get_store (session), out, &n, &error) ||
      fflush (out) != 0 || (out != ctx->out && fsync (fileno (out)) != 0))
    {
      if (error == NULL)
        g_set_error_literal (&error, G_IO_ERROR, g_io_error_from_errno (errno),
                             g_strerror (errno));
      if (out != ctx->out)
        {
          fclose (out);
          g_unlink (temporary);
        }
      nc_cli_error (ctx, _("Could not export the calls: %s"), error->message);
      return NC_EXIT_FAILURE;
    }
  if (out == ctx->out)
    return NC_EXIT_OK;

  if (fclose (out) != 0 || g_rename (temporary, argv[2]) != 0)
    {
      int saved = errno;

      g_unlink (temporary);
      nc_cli_error (ctx, _("Could not write %s: %s"), argv[2], g_strerror (saved));
      return NC_EXIT_FAILURE;
    }
  fprintf (ctx->err, g_dngettext (GETTEXT_PACKAGE, "Exported %u call.\n",
                                  "Exported %u calls.\n", n), n);
  return NC_EXIT_OK;
}

/* ------------------------------------------------------------------------------------ */

static int
webhook_url (NcCliContext *ctx)
{
  g_autoptr(GSettings) settings = nc_settings_new_for_command_line ();
  g_autofree char *public_url = nc_settings_dup_string (settings, "webhook-public-url");
  g_autofree char *bind = nc_settings_dup_string (settings, "webhook-bind");
  g_autofree char *token = webhook_token (ctx);
  g_autofree char *url = NULL;
  gboolean reachable = FALSE;

  if (token == NULL)
    return NC_EXIT_CREDENTIALS;

  url = nc_webhook_url_build (public_url, bind, (guint) nc_settings_get_int (settings, "webhook-port"),
                              FALSE, token, &reachable);
  fprintf (ctx->out, "%s\n", url);
  if (!reachable)
    fprintf (ctx->err, _("This is the local address: the PBX, out on the internet, cannot reach "
                         "it. Put the listener behind a reverse proxy or a tunnel and set the "
                         "key webhook-public-url to its public address.\n"));
  return NC_EXIT_OK;
}

static int
webhook_register (NcCliContext *ctx,
                  const char   *url)
{
  g_autoptr(NcSession) session = NULL;
  g_autoptr(GAsyncResult) set = NULL;
  g_autoptr(GAsyncResult) enabled = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  NcZadarmaClient *client;
  int status = NC_EXIT_OK;

  if (uri == NULL || (g_strcmp0 (g_uri_get_scheme (uri), "https") != 0 &&
                      g_strcmp0 (g_uri_get_scheme (uri), "http") != 0))
    {
      nc_cli_error (ctx, _("“%s” is not an http or https URL"), url);
      return NC_EXIT_USAGE;
    }

  session = nc_cli_start_session (ctx, NC_SESSION_FLAGS_NONE, TRUE, &status);
  if (session == NULL)
    return status;
  client = nc_session_get_zadarma_client (session);

  nc_zadarma_client_set_webhook_url_async (client, url, NULL, nc_cli_got_result, &set);
  nc_cli_wait (&set);
  if (!nc_zadarma_client_set_webhook_url_finish (client, set, &error))
    goto failed;
  nc_zadarma_client_enable_notifications_async (client, NULL, nc_cli_got_result, &enabled);
  nc_cli_wait (&enabled);
  if (!nc_zadarma_client_enable_notifications_finish (client, enabled, &error))
    goto failed;

  fprintf (ctx->out, _("Novofon will send the call events to %s. In the cabinet, check that the "
                       "integration’s “Интеграция активна” switch is on.\n"), url);
  return NC_EXIT_OK;

failed:
  {
    g_autofree char *message = nc_zadarma_error_to_user_message (error);

    nc_cli_error (ctx, "%s", message);
    return nc_cli_exit_code (error);
  }
}

int
nc_cli_webhook (NcCliContext *ctx,
                int           argc,
                char        **argv)
{
  if (argc == 2 && g_str_equal (argv[1], "url"))
    return webhook_url (ctx);
  if (argc == 3 && g_str_equal (argv[1], "register"))
    return webhook_register (ctx, argv[2]);

  nc_cli_error (ctx, _("Usage: novofon-console webhook url | webhook register URL"));
  return NC_EXIT_USAGE;
}
