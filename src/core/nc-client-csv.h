/* nc-client-csv.h — clients to and from CSV files: a header row, then one client a row
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "nc-progress.h"
#include "nc-store.h"

G_BEGIN_DECLS

#define NC_CLIENT_CSV_ERROR (nc_client_csv_error_quark ())

/* The longest cells an import takes, in characters: a name (of a client or of a column),
 * a channel or a phone; and a variable's value. */
#define NC_CLIENT_CSV_MAX_NAME  256
#define NC_CLIENT_CSV_MAX_VALUE 4096

typedef enum
{
  NC_CLIENT_CSV_ERROR_INVALID,
} NcClientCsvError;

GQuark     nc_client_csv_error_quark (void);

GPtrArray *nc_client_csv_parse         (const char          *name,
                                        const char          *contents,
                                        gsize                length,
                                        NcProgress          *progress,
                                        GError             **error);
/* Writes @length bytes of @data to @sink, whole, or fails with @error. */
typedef gboolean (*NcClientCsvWriteFunc) (gpointer       sink,
                                          const char    *data,
                                          gsize          length,
                                          GCancellable  *cancellable,
                                          GError       **error);

gboolean   nc_client_csv_write            (NcStore              *store,
                                           NcClientCsvWriteFunc  write,
                                           gpointer              sink,
                                           NcProgress           *progress,
                                           GCancellable         *cancellable,
                                           guint                *out_count,
                                           GError              **error);
gboolean   nc_client_csv_export_file_sync (NcStore              *store,
                                           GFile                *file,
                                           NcProgress           *progress,
                                           GCancellable         *cancellable,
                                           guint                *out_count,
                                           GError              **error);

/* Reads up to @size bytes of a file into @buffer: how many (0 at its end), or -1 and
 * @error. */
typedef gssize (*NcClientCsvReadFunc) (gpointer      source,
                                       char         *buffer,
                                       gsize         size,
                                       GCancellable *cancellable,
                                       GError      **error);

gboolean   nc_client_csv_import_stream (NcStore             *store,
                                        const char          *name,
                                        NcClientCsvReadFunc  read,
                                        gpointer             source,
                                        guint64              size,
                                        NcProgress          *progress,
                                        GCancellable        *cancellable,
                                        guint               *out_count,
                                        GError             **error);
void       nc_client_csv_import_async  (NcStore             *store,
                                        GFile               *file,
                                        NcProgress          *progress,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
gboolean   nc_client_csv_import_finish (GAsyncResult        *result,
                                        guint               *out_count,
                                        GError             **error);
void       nc_client_csv_export_async  (NcStore             *store,
                                        GFile               *file,
                                        NcProgress          *progress,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
gboolean   nc_client_csv_export_finish (GAsyncResult        *result,
                                        guint               *out_count,
                                        GError             **error);

G_END_DECLS
