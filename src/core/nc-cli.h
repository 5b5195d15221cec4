/* nc-cli.h — the command line: subcommands that run before GTK, with no display
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <stdio.h>
#include <glib.h>

G_BEGIN_DECLS

/* The exit codes of every command (GUIDE.md). */
typedef enum
{
  NC_EXIT_OK = 0,
  NC_EXIT_FAILURE = 1,
  NC_EXIT_USAGE = 2,
  NC_EXIT_CREDENTIALS = 3,
  NC_EXIT_RATE_LIMITED = 4,
} NcExitCode;

typedef struct
{
  char *data_dir;   /* resolved: --data-dir or $XDG_DATA_HOME/novofon-console */
  char *database_url; /* --database, NOVOFON_DATABASE_URL or the setting; %NULL: none */
  FILE *in;
  FILE *out;
  FILE *err;
} NcCliContext;

gboolean nc_cli_wants_command (int          argc,
                               char *const *argv);
int      nc_cli_run           (int          argc,
                               char *const *argv,
                               FILE        *in,
                               FILE        *out,
                               FILE        *err);

G_END_DECLS
