/* nc-cli-team.c — team export: a day's figures of the team as CSV
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nc-cli"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <glib/gi18n.h>

#include "nc-cli-private.h"
#include "nc-team-figures.h"

static int
usage (NcCliContext *ctx)
{
  nc_cli_error (ctx, _("Usage: novofon-console team export [--day YYYY-MM-DD] [FILE.csv] "
                       "(today and standard output by default)"));
  return NC_EXIT_USAGE;
}

int
nc_cli_team (NcCliContext *ctx,
             int           argc,
             char        **argv)
{
  g_autoptr(NcStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *day = NULL;
  const char *path = "-";
  gboolean path_given = FALSE;

  if (argc < 2 || !g_str_equal (argv[1], "export"))
    return usage (ctx);
  for (int i = 2; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--day") && i + 1 < argc && day == NULL)
        day = g_strdup (argv[++i]);
      else if (argv[i][0] != '-' || g_str_equal (argv[i], "-"))
        {
          if (path_given)
            return usage (ctx);
          path = argv[i];
          path_given = TRUE;
        }
      else
        return usage (ctx);
    }
  if (day == NULL)
    day = nc_team_day_today ();
  /* Said before the store is opened: a mistyped day writes nothing. */
  if (nc_team_day_parse (day) == 0)
    {
      nc_cli_error (ctx, _("“%s” is not a day: write it as YYYY-MM-DD, for example 2026-12-01"),
                    day);
      return NC_EXIT_USAGE;
    }

  store = nc_cli_open_store (ctx);
  if (store == NULL)
    return NC_EXIT_FAILURE;

  if (g_str_equal (path, "-"))
    {
      g_autofree char *csv = nc_team_export_sync (store, day, &error);

      if (csv == NULL)
        {
          nc_cli_error (ctx, _("Could not export the team’s figures: %s"), error->message);
          return NC_EXIT_FAILURE;
        }
      if (fputs (csv, ctx->out) == EOF || fflush (ctx->out) != 0)
        {
          nc_cli_error (ctx, _("Could not export the team’s figures: %s"), g_strerror (errno));
          return NC_EXIT_FAILURE;
        }
      return NC_EXIT_OK;
    }
  else
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (path);

      if (!nc_team_export_file_sync (store, day, file, NULL, &error))
        {
          nc_cli_error (ctx, _("Could not export the team’s figures: %s"), error->message);
          return NC_EXIT_FAILURE;
        }
      fprintf (ctx->err, _("Exported the team’s figures of %s.\n"), day);
      return NC_EXIT_OK;
    }
}
