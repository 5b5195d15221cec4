/* nc-cli-webhook.c — listen, calls export, webhook url | register
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nc-cli"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <glib-unix.h>
#include <glib/gi18n.h>

#include "nc-call-service.h"
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
  NcCallService   *service;
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

  fprintf (listener->ctx->out, "%s %s %s %s → %s%s%s%s\n",
           start != NULL ? start : "-", type, nc_call_event_get_field (event, "pbx_call_id"),
           caller != NULL ? caller : "-",
           destination != NULL ? destination : did != NULL ? did : "-",
           internal != NULL && *internal != '\0' ? " ext. " : "",
           internal != NULL ? internal : "",
           inserted ? "" : _(" (a replay: already stored)"));
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
  g_autofree char *token = NULL;
  g_autofree char *url = NULL;
  g_autofree char *api_url = nc_cli_dup_api_url ();
  g_autoptr(NcCredentials) creds = NULL;
  g_autoptr(NcStore) store = NULL;
  g_autoptr(NcClientMatcher) matcher = NULL;
  g_autoptr(NcCallTracker) tracker = NULL;
  g_autoptr(NcCallService) service = NULL;
  g_autoptr(NcWebhookServer) server = NULL;
  g_autoptr(NcZadarmaClient) client = NULL;
  g_autoptr(GError) error = NULL;
  const char *certificate = NULL, *key = NULL;
  guint port = (guint) nc_settings_get_int (settings, "webhook-port");
  Listener listener = { ctx };
  guint sigterm, sigint;

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

  creds = nc_cli_lookup_credentials (ctx);
  if (creds == NULL)
    return NC_EXIT_CREDENTIALS;
  token = webhook_token (ctx);
  if (token == NULL)
    return NC_EXIT_CREDENTIALS;

  store = nc_cli_open_store (ctx);
  if (store == NULL)
    return NC_EXIT_FAILURE;

  matcher = nc_client_matcher_new (store);
  tracker = nc_call_tracker_new ();
  service = nc_call_service_new (store, matcher, tracker);
  client = nc_zadarma_client_new (api_url, creds->key, creds->secret);
  nc_zadarma_client_set_store (client, store);
  nc_call_service_set_client (service, client);
  if (!nc_call_service_replay_sync (service, &error))
    {
      nc_cli_error (ctx, "%s", error->message);
      return NC_EXIT_FAILURE;
    }

  server = nc_webhook_server_new (store, creds->secret, token);
  nc_webhook_server_set_matcher (server, matcher);
  if (certificate != NULL && !nc_webhook_server_set_tls (server, certificate, key, &error))
    {
      nc_cli_error (ctx, _("Could not use the TLS certificate: %s"), error->message);
      return NC_EXIT_USAGE;
    }
  nc_call_service_attach (service, server);
  listener.server = server;
  listener.service = service;
  g_signal_connect (server, "event-received", G_CALLBACK (print_event), &listener);

  /* Before the address is announced, so that a SIGTERM right after it is a clean stop. */
  sigterm = g_unix_signal_add (SIGTERM, stop_listening, &listener);
  sigint = g_unix_signal_add (SIGINT, stop_listening, &listener);

  if (!nc_webhook_server_listen (server, bind, port, &error))
    {
      nc_cli_error (ctx, _("Could not listen on %s port %u: %s"), bind, port, error->message);
      g_source_remove (sigterm);
      g_source_remove (sigint);
      return NC_EXIT_FAILURE;
    }

  url = nc_webhook_url_build (NULL, bind, nc_webhook_server_get_port (server),
                              certificate != NULL, token, NULL);
  fprintf (ctx->err, _("Listening for the PBX’s events at %s\n"), url);
  fflush (ctx->err);

  while (!listener.stopping || nc_webhook_server_get_pending (server) > 0)
    g_main_context_iteration (NULL, TRUE);

  g_source_remove (sigterm);
  g_source_remove (sigint);
  /* The store's close commits whatever is still queued. */
  nc_store_close (store);
  fprintf (ctx->err, _("Stopped; every acknowledged event is stored.\n"));
  return NC_EXIT_OK;
}

/* ------------------------------------------------------------------------------------ */

int
nc_cli_calls (NcCliContext *ctx,
              int           argc,
              char        **argv)
{
  static const char *const header[] = {
    "pbx_call_id", "direction", "started_at", "answered_at", "ended_at", "client_name",
    "client_phone", "employee", "duration", "disposition", "record_link",
  };
  g_autoptr(NcStore) store = NULL;
  g_autoptr(NcClientMatcher) matcher = NULL;
  g_autoptr(NcCallTracker) tracker = NULL;
  g_autoptr(NcCallService) service = NULL;
  g_autoptr(GString) csv = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  GListModel *journal;
  guint n;

  if (argc != 3 || !g_str_equal (argv[1], "export"))
    {
      nc_cli_error (ctx, _("Usage: novofon-console calls export FILE.csv (- is standard output)"));
      return NC_EXIT_USAGE;
    }

  store = nc_cli_open_store (ctx);
  if (store == NULL)
    return NC_EXIT_FAILURE;
  matcher = nc_client_matcher_new (store);
  tracker = nc_call_tracker_new ();
  service = nc_call_service_new (store, matcher, tracker);
  if (!nc_call_service_replay_sync (service, &error))
    {
      nc_cli_error (ctx, "%s", error->message);
      return NC_EXIT_FAILURE;
    }

  nc_csv_append_row (csv, header, G_N_ELEMENTS (header));
  journal = nc_call_tracker_get_journal (tracker);
  n = g_list_model_get_n_items (journal);
  /* The journal is newest first; the file reads in the order the calls came. */
  for (guint i = n; i > 0; i--)
    {
      g_autoptr(NcCall) call = g_list_model_get_item (journal, i - 1);
      g_autofree char *duration = g_strdup_printf ("%u", nc_call_get_duration (call));
      const char *row[G_N_ELEMENTS (header)] = {
        nc_call_get_pbx_call_id (call),
        nc_call_get_direction (call) == NC_CALL_DIRECTION_IN ? "in" : "out",
        nc_call_get_started_at (call),
        nc_call_get_answered_at (call),
        nc_call_get_ended_at (call),
        nc_call_get_client_name (call),
        nc_call_get_client_number (call),
        nc_call_get_employee (call),
        nc_call_get_state (call) == NC_CALL_STATE_ENDED ? duration : "",
        nc_call_get_disposition (call),
        nc_call_get_record_link (call),
      };

      nc_csv_append_row (csv, row, G_N_ELEMENTS (row));
    }

  if (!nc_cli_write_output (ctx, argv[2], csv->str, csv->len))
    return NC_EXIT_FAILURE;
  if (g_strcmp0 (argv[2], "-") != 0)
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
  g_autoptr(NcCredentials) creds = NULL;
  g_autoptr(NcStore) store = NULL;
  g_autoptr(NcZadarmaClient) client = NULL;
  g_autoptr(GAsyncResult) set = NULL;
  g_autoptr(GAsyncResult) enabled = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *api_url = nc_cli_dup_api_url ();
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);

  if (uri == NULL || (g_strcmp0 (g_uri_get_scheme (uri), "https") != 0 &&
                      g_strcmp0 (g_uri_get_scheme (uri), "http") != 0))
    {
      nc_cli_error (ctx, _("“%s” is not an http or https URL"), url);
      return NC_EXIT_USAGE;
    }

  creds = nc_cli_lookup_credentials (ctx);
  if (creds == NULL)
    return NC_EXIT_CREDENTIALS;
  store = nc_cli_open_store (ctx);
  if (store == NULL)
    return NC_EXIT_FAILURE;

  client = nc_zadarma_client_new (api_url, creds->key, creds->secret);
  nc_zadarma_client_set_store (client, store);
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
    if (g_error_matches (error, NC_ZADARMA_ERROR, NC_ZADARMA_ERROR_AUTH))
      return NC_EXIT_CREDENTIALS;
    if (g_error_matches (error, NC_ZADARMA_ERROR, NC_ZADARMA_ERROR_RATE_LIMITED))
      return NC_EXIT_RATE_LIMITED;
    return NC_EXIT_FAILURE;
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
