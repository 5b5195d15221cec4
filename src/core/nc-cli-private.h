/* nc-cli-private.h — what the subcommands share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "nc-cli.h"

G_BEGIN_DECLS

/* A subcommand gets the arguments after its own name (argv[0] is the command name). */
typedef int (*NcCliCommandFunc) (NcCliContext *ctx,
                                 int           argc,
                                 char        **argv);

void nc_cli_error (NcCliContext *ctx,
                   const char   *format,
                   ...) G_GNUC_PRINTF (2, 3);

/* Subcommands, one file per domain: add the declaration here and a row to the table in
 * nc-cli.c. */

G_END_DECLS
