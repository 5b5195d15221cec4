/* nc-cli-private.h — what the subcommands share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "nc-cli.h"
#include "nc-secrets.h"
#include "nc-session.h"
#include "nc-store.h"

G_BEGIN_DECLS

/* A subcommand gets the arguments after its own name (argv[0] is the command name). */
typedef int (*NcCliCommandFunc) (NcCliContext *ctx,
                                 int           argc,
                                 char        **argv);

void nc_cli_error (NcCliContext *ctx,
                   const char   *format,
                   ...) G_GNUC_PRINTF (2, 3);

NcStore  *nc_cli_open_store   (NcCliContext *ctx);
void      nc_cli_got_result   (GObject      *source,
                               GAsyncResult *result,
                               gpointer      user_data);
void      nc_cli_wait         (GAsyncResult **result);
NcSession *nc_cli_start_session (NcCliContext   *ctx,
                                  NcSessionFlags  flags,
                                  gboolean        need_account,
                                  int            *out_status);
int       nc_cli_exit_code     (const GError   *error);
gboolean  nc_cli_read_input   (NcCliContext *ctx,
                               const char   *path,
                               char        **out_contents,
                               gsize        *out_length);
gboolean  nc_cli_write_output (NcCliContext *ctx,
                               const char   *path,
                               const char   *contents,
                               gsize         length);

/* Subcommands, one file per domain: add the declaration here and a row to the table in
 * nc-cli.c. */
int nc_cli_clients    (NcCliContext *ctx, int argc, char **argv);
int nc_cli_messengers (NcCliContext *ctx, int argc, char **argv);
int nc_cli_call        (NcCliContext *ctx, int argc, char **argv);
int nc_cli_balance     (NcCliContext *ctx, int argc, char **argv);
int nc_cli_credentials (NcCliContext *ctx, int argc, char **argv);
int nc_cli_listen      (NcCliContext *ctx, int argc, char **argv);
int nc_cli_calls       (NcCliContext *ctx, int argc, char **argv);
int nc_cli_calls_follow (NcCliContext *ctx, int argc, char **argv);
int nc_cli_calls_note  (NcCliContext *ctx, int argc, char **argv);
int nc_cli_database    (NcCliContext *ctx, int argc, char **argv);
int nc_cli_calls_repair (NcCliContext *ctx, int argc, char **argv);
int nc_cli_webhook     (NcCliContext *ctx, int argc, char **argv);
int nc_cli_team        (NcCliContext *ctx, int argc, char **argv);

G_END_DECLS
