/* test-csv.c — RFC 4180, and every way a file breaks it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "nc-csv.h"
#include "nc-test-util.h"

static GPtrArray *
read_all (const char  *text,
          GError     **error)
{
  g_autoptr(NcCsvReader) reader = nc_csv_reader_new (text, strlen (text));
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  GPtrArray *fields = NULL;
  guint line;

  while (nc_csv_reader_next (reader, &fields, &line, error))
    {
      g_ptr_array_add (fields, g_strdup_printf ("@%u", line));
      g_ptr_array_add (records, fields);
    }
  if (error != NULL && *error != NULL)
    {
      g_prefix_error (error, "%u: ", nc_csv_reader_get_error_line (reader));
      return NULL;
    }
  return g_steal_pointer (&records);
}

/* Records joined as "a|b|@line" and separated by "/". */
static char *
flatten (GPtrArray *records)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < records->len; i++)
    {
      GPtrArray *fields = records->pdata[i];

      if (i > 0)
        g_string_append_c (text, '/');
      for (guint j = 0; j < fields->len; j++)
        g_string_append_printf (text, "%s%s", j > 0 ? "|" : "", (char *) fields->pdata[j]);
    }
  return g_string_free (text, FALSE);
}

static void
test_valid (void)
{
  static const struct
  {
    const char *csv;
    const char *records;
  } cases[] = {
    { "a,b\r\n1,2\r\n", "a|b|@1/1|2|@2" },
    { "a,b\n1,2", "a|b|@1/1|2|@2" },
    { "\xEF\xBB\xBFname\n", "name|@1" },
    { "a,,c\n", "a||c|@1" },
    { "\"x,y\",\"say \"\"hi\"\"\"\n", "x,y|say \"hi\"|@1" },
    { "\"two\nlines\",b\nnext,c\n", "two\nlines|b|@1/next|c|@3" },
    { "\"\",\"\"\n", "||@1" },
    { "Иван,Москва\n", "Иван|Москва|@1" },
    { "a\n\nb\n", "a|@1/|@2/b|@3" },
    { "", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) records = read_all (cases[i].csv, &error);
      g_autofree char *flat = NULL;

      g_assert_no_error (error);
      flat = flatten (records);
      g_assert_cmpstr (flat, ==, cases[i].records);
    }
}

static void
test_invalid (void)
{
  static const struct
  {
    const char *csv;
    int         code;
    const char *starts;   /* the line reported: where the bad record starts */
  } cases[] = {
    { "a,b\n\"open,c\nd,e\n", NC_CSV_ERROR_UNTERMINATED_QUOTE, "2: " },
    { "a,b\n\"x\"y,c\n", NC_CSV_ERROR_TEXT_AFTER_QUOTE, "2: " },
    { "a,b\n1,2\nx\"y,c\n", NC_CSV_ERROR_STRAY_QUOTE, "3: " },
    { "a,b\n1,\xff\xfe\n", NC_CSV_ERROR_INVALID_UTF8, "2: " },
    { "a\n\"multi\nline\xc3\",b\n", NC_CSV_ERROR_INVALID_UTF8, "2: " },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) records = read_all (cases[i].csv, &error);

      g_assert_null (records);
      g_assert_error (error, NC_CSV_ERROR, cases[i].code);
      g_assert_true (g_str_has_prefix (error->message, cases[i].starts));
    }
}

static void
test_write_reads_back (void)
{
  /* A first field that begins with a byte order mark (found by the fuzzer) stays itself. */
  const char *fields[] = { "\xEF\xBB\xBFstarts with a BOM", "plain", "with,comma", "with \"quotes\"", "two\nlines", " padded ", "",
                           "Иван" };
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *back;

  nc_csv_append_row (out, fields, G_N_ELEMENTS (fields));
  g_assert_true (g_str_has_suffix (out->str, "\r\n"));
  g_assert_true (g_str_has_prefix (out->str, "\"\xEF\xBB\xBFstarts with a BOM\",plain,\"with,comma\",\"with \"\"quotes\"\"\""));

  records = read_all (out->str, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (records->len, ==, 1);
  back = records->pdata[0];
  g_assert_cmpuint (back->len, ==, G_N_ELEMENTS (fields) + 1);
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    g_assert_cmpstr (back->pdata[i], ==, fields[i]);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/csv/valid", test_valid);
  g_test_add_func ("/csv/invalid", test_invalid);
  g_test_add_func ("/csv/write-reads-back", test_write_reads_back);

  return nc_test_run ();
}
