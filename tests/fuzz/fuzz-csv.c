/* fuzz-csv.c — libFuzzer harness for the CSV reader and writer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "nc-csv.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static GPtrArray *
read_records (const char *data,
              gsize       size,
              gboolean   *ok)
{
  g_autoptr(NcCsvReader) reader = nc_csv_reader_new (data, size);
  GPtrArray *records = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GError) error = NULL;
  GPtrArray *fields = NULL;
  guint line = 0, last_line = 0;

  while (nc_csv_reader_next (reader, &fields, &line, &error))
    {
      g_assert_cmpuint (line, >, last_line);
      last_line = line;
      g_ptr_array_add (records, fields);
    }
  *ok = error == NULL;
  if (error != NULL)
    g_assert_cmpuint (nc_csv_reader_get_error_line (reader), >=, 1);
  return records;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GPtrArray) again = NULL;
  g_autoptr(GString) written = g_string_new (NULL);
  gboolean ok = FALSE, ok_again = FALSE;

  records = read_records ((const char *) data, size, &ok);
  if (!ok)
    return 0;

  /* What was read writes out and reads back the same. */
  for (guint i = 0; i < records->len; i++)
    {
      GPtrArray *fields = records->pdata[i];

      nc_csv_append_row (written, (const char *const *) fields->pdata, fields->len);
    }
  again = read_records (written->str, written->len, &ok_again);
  g_assert_true (ok_again);
  g_assert_cmpuint (again->len, ==, records->len);
  for (guint i = 0; i < records->len; i++)
    {
      GPtrArray *a = records->pdata[i], *b = again->pdata[i];

      g_assert_cmpuint (a->len, ==, b->len);
      for (guint j = 0; j < a->len; j++)
        g_assert_cmpstr (a->pdata[j], ==, b->pdata[j]);
    }
  return 0;
}
