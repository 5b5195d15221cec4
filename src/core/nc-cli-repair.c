/* nc-cli-repair.c — calls repair: the calls the listener missed, from the PBX's statistics
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The admin's way to a repair (nc-gap-repair.c): without --since, the gap since the
 * listener was last alive, or the rest of a repair that was stopped; with it, every call
 * from then to now. The statistics allow about three requests a minute, so a long span
 * takes minutes: it says what it read as it goes, waits out the limits, and can be
 * stopped (Ctrl+C) and run again to go on where it stopped.
 */

#define G_LOG_DOMAIN "nc-cli"

#include "config.h"

#include <signal.h>
#include <string.h>
#include <glib-unix.h>
#include <glib/gi18n.h>

#include "nc-cli-private.h"
#include "nc-gap-repair.h"

typedef struct
{
  NcCliContext *ctx;
  GCancellable *cancellable;
  guint         waiting;
} Repair;

static gboolean
stop_repair (gpointer user_data)
{
  Repair *repair = user_data;

  g_cancellable_cancel (repair->cancellable);
  return G_SOURCE_CONTINUE;
}

static void
fetched_changed (NcGapRepair *gap_repair,
                 GParamSpec  *pspec,
                 Repair      *repair)
{
  fprintf (repair->ctx->err, _("Read %u calls from the PBX’s statistics…\n"),
           nc_gap_repair_get_fetched (gap_repair));
  fflush (repair->ctx->err);
}

static void
waiting_changed (NcGapRepair *gap_repair,
                 GParamSpec  *pspec,
                 Repair      *repair)
{
  guint waiting = nc_gap_repair_get_waiting (gap_repair);

  /* Once per wait, not once a second. */
  if (waiting > 0 && repair->waiting == 0)
    {
      fprintf (repair->ctx->err,
               g_dngettext (GETTEXT_PACKAGE,
                            "The PBX’s statistics allow about %u requests a minute: waiting %u "
                            "second…\n",
                            "The PBX’s statistics allow about %u requests a minute: waiting %u "
                            "seconds…\n", waiting),
               NC_ZADARMA_STATISTICS_LIMIT_PER_MINUTE, waiting);
      fflush (repair->ctx->err);
    }
  repair->waiting = waiting;
}

int
nc_cli_calls_repair (NcCliContext *ctx,
                     int           argc,
                     char        **argv)
{
  g_autoptr(NcSession) session = NULL;
  g_autoptr(NcGapRepair) gap_repair = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  const char *since_text = NULL;
  Repair repair = { ctx, cancellable, 0 };
  gint64 since = 0;
  gboolean found = TRUE, done;
  guint added = 0, sigint, sigterm;
  int status = NC_EXIT_OK;

  for (int i = 2; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--since") && i + 1 < argc)
        since_text = argv[++i];
      else if (g_str_has_prefix (argv[i], "--since="))
        since_text = argv[i] + strlen ("--since=");
      else
        {
          nc_cli_error (ctx, _("Usage: novofon-console calls repair [--since \"YYYY-MM-DD "
                               "HH:MM:SS\"] (the time as the journal shows it)"));
          return NC_EXIT_USAGE;
        }
    }
  if (since_text != NULL && (since = nc_call_parse_pbx_time (since_text)) <= 0)
    {
      nc_cli_error (ctx, _("“%s” is not a time: give it as “YYYY-MM-DD HH:MM:SS”, for "
                           "example “2026-11-30 09:00:00”"), since_text);
      return NC_EXIT_USAGE;
    }

  session = nc_cli_start_session (ctx, NC_SESSION_FLAGS_NONE, TRUE, &status);
  if (session == NULL)
    return status;

  gap_repair = nc_gap_repair_new (nc_session_get_store (session),
                                  nc_session_get_zadarma_client (session));
  g_signal_connect (gap_repair, "notify::fetched", G_CALLBACK (fetched_changed), &repair);
  g_signal_connect (gap_repair, "notify::waiting", G_CALLBACK (waiting_changed), &repair);
  sigint = g_unix_signal_add (SIGINT, stop_repair, &repair);
  sigterm = g_unix_signal_add (SIGTERM, stop_repair, &repair);

  if (since > 0)
    nc_gap_repair_run_async (gap_repair, since, 0, cancellable, nc_cli_got_result, &result);
  else
    nc_gap_repair_repair_gap_async (gap_repair, NC_GAP_REPAIR_MIN_GAP_SECONDS, cancellable,
                                    nc_cli_got_result, &result);
  nc_cli_wait (&result);
  done = since > 0
         ? nc_gap_repair_run_finish (gap_repair, result, &added, &error)
         : nc_gap_repair_repair_gap_finish (gap_repair, result, &found, &added, &error);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  g_signal_handlers_disconnect_by_data (gap_repair, &repair);

  if (!done)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          nc_cli_error (ctx, _("Stopped; run the command again to go on where it stopped"));
          return NC_EXIT_FAILURE;
        }
      else
        {
          g_autofree char *reason = error->domain == NC_ZADARMA_ERROR
                                    ? nc_zadarma_error_to_user_message (error)
                                    : g_strdup (error->message);

          nc_cli_error (ctx, _("Could not recover the calls (run the command again to go on "
                               "where it stopped): %s"), reason);
          return nc_cli_exit_code (error);
        }
    }

  if (!found)
    fprintf (ctx->out, _("No calls are missing: the listener has not been down since it last "
                         "ran here. To fetch a period anyway, give --since.\n"));
  else
    fprintf (ctx->out, _("Calls recovered: %u (read from the PBX’s statistics: %u).\n"), added,
             nc_gap_repair_get_fetched (gap_repair));
  return NC_EXIT_OK;
}
