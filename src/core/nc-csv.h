/* nc-csv.h — RFC 4180 comma-separated values
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define NC_CSV_ERROR (nc_csv_error_quark ())

typedef enum
{
  NC_CSV_ERROR_INVALID_UTF8,
  NC_CSV_ERROR_UNTERMINATED_QUOTE,
  NC_CSV_ERROR_STRAY_QUOTE,
  NC_CSV_ERROR_TEXT_AFTER_QUOTE,
  NC_CSV_ERROR_NUL,
} NcCsvError;

typedef struct _NcCsvReader NcCsvReader;

GQuark       nc_csv_error_quark   (void);
NcCsvReader *nc_csv_reader_new    (const char   *data,
                                   gsize         length);
NcCsvReader *nc_csv_reader_new_part (const char *data,
                                     gsize       length,
                                     guint       first_line);
void         nc_csv_reader_free   (NcCsvReader  *reader);
guint        nc_csv_reader_get_line (NcCsvReader *reader);
guint        nc_csv_reader_get_error_line (NcCsvReader *reader);
gboolean     nc_csv_reader_next   (NcCsvReader  *reader,
                                   GPtrArray   **out_fields,
                                   guint        *out_line,
                                   GError      **error);
void         nc_csv_append_row    (GString           *out,
                                   const char *const *fields,
                                   guint              n_fields);
char        *nc_csv_neutralize    (const char        *field);
GFileOutputStream *nc_csv_file_replace (GFile        *file,
                                        GCancellable *cancellable,
                                        GError      **error);
gboolean     nc_csv_file_finish   (GFileOutputStream *out,
                                   gboolean           written,
                                   GCancellable      *cancellable,
                                   GError           **error);
void         nc_csv_unneutralize  (char              *field);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NcCsvReader, nc_csv_reader_free)

G_END_DECLS
